-- Incidents (突发事件 / 舆情), SQLite dialect. Keep in step with ../postgres/0080_incidents.sql.
-- An incident is its reported facts (one row, never edited), its reports as versions (初报, 续报 n,
-- 终报; a correction is a new version) and its history as events: 签发, 报出 (by phone or in
-- writing), 逐级上报, 签收 with its time, 续报 requests, level raises, 批示, the handling log,
-- closure and its review. Every table is insert-only; the incident's state is derived by
-- replaying its events (zeren_core::incident), and the (incident_id, seq) key lets exactly one of
-- two simultaneous acts in.
CREATE TABLE incidents (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    -- the reporting unit (事发单位)
    unit_id INTEGER NOT NULL REFERENCES units(id),
    -- the installation whose [incidents] rules govern it (the policy in force when reported)
    installed_policy_id INTEGER NOT NULL REFERENCES installed_policies(id),
    -- the policy's kind of incident ('' when the policy names none)
    kind_id TEXT NOT NULL,
    -- the level the reporter chose, and the one the numeric criteria suggested
    level_id TEXT NOT NULL,
    suggested_level_id TEXT,
    title TEXT NOT NULL,
    place TEXT NOT NULL,
    occurred_at TEXT,
    -- when the unit learnt of it: every report deadline runs from here (wall clock)
    known_at TEXT NOT NULL,
    -- the numeric facts the thresholds compare, as JSON {"measure": n}
    facts TEXT NOT NULL,
    reporter_person_id INTEGER NOT NULL REFERENCES people(id),
    reporter_name TEXT NOT NULL,
    created_by INTEGER REFERENCES accounts(id),
    created_at TEXT NOT NULL
);
-- by unit (a subtree is a set of units) and time
CREATE INDEX incidents_unit ON incidents(unit_id, known_at);
CREATE INDEX incidents_known ON incidents(known_at);

CREATE TABLE incident_report_versions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    incident_id INTEGER NOT NULL REFERENCES incidents(id),
    -- initial, follow_up_N, final
    report TEXT NOT NULL,
    version INTEGER NOT NULL,
    body TEXT NOT NULL,
    measures TEXT NOT NULL,
    -- what 签发 and 报出 name: the exact version
    hash TEXT NOT NULL,
    created_by INTEGER REFERENCES accounts(id),
    created_by_name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (incident_id, report, version)
);

CREATE TABLE incident_attachments (
    version_id INTEGER NOT NULL REFERENCES incident_report_versions(id),
    position INTEGER NOT NULL,
    file_name TEXT NOT NULL,
    sha256 TEXT NOT NULL REFERENCES attachments(sha256),
    PRIMARY KEY (version_id, position)
);

CREATE TABLE incident_events (
    incident_id INTEGER NOT NULL REFERENCES incidents(id),
    seq INTEGER NOT NULL,
    -- the event's word (drafted, signed_off, sent, relayed, received, …) and, for lists and
    -- indexes, the report it concerns and the recipient unit that acted
    action TEXT NOT NULL,
    report TEXT,
    unit_id INTEGER REFERENCES units(id),
    -- the incident's stage and level after this event
    stage TEXT NOT NULL CHECK (stage IN ('open', 'closure_in_review', 'closed')),
    level_id TEXT NOT NULL,
    -- the rules' event as JSON (zeren_core::incident::Event)
    event TEXT NOT NULL,
    -- when it happened (a phone report: when the call was made)
    at TEXT NOT NULL,
    by_account INTEGER REFERENCES accounts(id),
    by_name TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (incident_id, seq)
);
CREATE INDEX incident_events_action ON incident_events(incident_id, action, report);
-- open incidents are those without a closing event
CREATE INDEX incident_events_closed ON incident_events(incident_id) WHERE stage = 'closed';

-- Where each report went: one row per recipient unit of a report sent (by phone or in writing)
-- or relayed, for the recipients' inboxes and 签收.
CREATE TABLE incident_deliveries (
    incident_id INTEGER NOT NULL REFERENCES incidents(id),
    seq INTEGER NOT NULL,
    unit_id INTEGER NOT NULL REFERENCES units(id),
    from_unit_id INTEGER NOT NULL REFERENCES units(id),
    report TEXT NOT NULL,
    channel TEXT NOT NULL CHECK (channel IN ('phone', 'written', 'relay')),
    at TEXT NOT NULL,
    PRIMARY KEY (incident_id, seq, unit_id),
    FOREIGN KEY (incident_id, seq) REFERENCES incident_events(incident_id, seq)
);
CREATE INDEX incident_deliveries_unit ON incident_deliveries(unit_id, incident_id);

CREATE TRIGGER incidents_no_update BEFORE UPDATE ON incidents
BEGIN SELECT RAISE(ABORT, 'incidents are never edited: report a new version'); END;
CREATE TRIGGER incidents_no_delete BEFORE DELETE ON incidents
BEGIN SELECT RAISE(ABORT, 'incidents are never deleted'); END;
CREATE TRIGGER incident_report_versions_no_update BEFORE UPDATE ON incident_report_versions
BEGIN SELECT RAISE(ABORT, 'incident reports are never edited: write a new version'); END;
CREATE TRIGGER incident_report_versions_no_delete BEFORE DELETE ON incident_report_versions
BEGIN SELECT RAISE(ABORT, 'incident reports are never deleted'); END;
CREATE TRIGGER incident_attachments_no_update BEFORE UPDATE ON incident_attachments
BEGIN SELECT RAISE(ABORT, 'incident reports are never edited: write a new version'); END;
CREATE TRIGGER incident_attachments_no_delete BEFORE DELETE ON incident_attachments
BEGIN SELECT RAISE(ABORT, 'incident reports are never deleted'); END;
CREATE TRIGGER incident_events_no_update BEFORE UPDATE ON incident_events
BEGIN SELECT RAISE(ABORT, 'incident events are never edited'); END;
CREATE TRIGGER incident_events_no_delete BEFORE DELETE ON incident_events
BEGIN SELECT RAISE(ABORT, 'incident events are never deleted'); END;
CREATE TRIGGER incident_deliveries_no_update BEFORE UPDATE ON incident_deliveries
BEGIN SELECT RAISE(ABORT, 'incident deliveries are never edited'); END;
CREATE TRIGGER incident_deliveries_no_delete BEFORE DELETE ON incident_deliveries
BEGIN SELECT RAISE(ABORT, 'incident deliveries are never deleted'); END;
