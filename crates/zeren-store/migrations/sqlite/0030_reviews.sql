-- Reviews and approvals (先审后发) and the channel registry (阵地), SQLite dialect. Keep in step
-- with ../postgres/0030_reviews.sql. An item's content lives in versions and its history in events,
-- both only ever inserted; the (item_id, seq) key lets exactly one of two simultaneous decisions in.
CREATE TABLE channels (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    unit_id INTEGER NOT NULL REFERENCES units(id),
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    locator TEXT NOT NULL,
    responsible_person_id INTEGER REFERENCES people(id),
    filed_on TEXT,
    status TEXT NOT NULL CHECK (status IN ('active', 'suspended', 'closed')),
    created_at TEXT NOT NULL
);
CREATE INDEX channels_unit ON channels(unit_id);

CREATE TABLE review_items (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    unit_id INTEGER NOT NULL REFERENCES units(id),
    installed_policy_id INTEGER NOT NULL REFERENCES installed_policies(id),
    workflow_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    channel_id INTEGER REFERENCES channels(id),
    major BOOLEAN NOT NULL,
    submitter_person_id INTEGER NOT NULL REFERENCES people(id),
    title TEXT NOT NULL,
    current_version INTEGER NOT NULL,
    -- The stage after the last event (draft, in_review, returned …), kept for lists and filters;
    -- the events are the truth.
    stage TEXT NOT NULL,
    created_by INTEGER REFERENCES accounts(id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX review_items_unit ON review_items(unit_id, stage);

CREATE TABLE review_versions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    item_id INTEGER NOT NULL REFERENCES review_items(id),
    version INTEGER NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    -- Event details (speakers, time, place, audience) as JSON; {} for other kinds.
    details TEXT NOT NULL,
    hash TEXT NOT NULL,
    -- The scan's findings as JSON, and how many of them block approval.
    findings TEXT NOT NULL,
    blocking INTEGER NOT NULL,
    created_by INTEGER REFERENCES accounts(id),
    created_by_name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (item_id, version)
);

CREATE TABLE review_attachments (
    version_id INTEGER NOT NULL REFERENCES review_versions(id),
    position INTEGER NOT NULL,
    file_name TEXT NOT NULL,
    sha256 TEXT NOT NULL REFERENCES attachments(sha256),
    PRIMARY KEY (version_id, position)
);

CREATE TABLE review_events (
    item_id INTEGER NOT NULL REFERENCES review_items(id),
    seq INTEGER NOT NULL,
    event TEXT NOT NULL,
    by_account INTEGER REFERENCES accounts(id),
    by_name TEXT NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (item_id, seq)
);

CREATE TABLE risk_assessments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    item_id INTEGER NOT NULL REFERENCES review_items(id),
    -- [{"kind": "论证会", "date": "2026-05-01", "summary": "…"}]
    consultations TEXT NOT NULL,
    risk_level TEXT NOT NULL CHECK (risk_level IN ('low', 'medium', 'high')),
    contingency TEXT NOT NULL,
    created_by INTEGER REFERENCES accounts(id),
    created_by_name TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX risk_assessments_item ON risk_assessments(item_id);

CREATE TRIGGER review_versions_no_update BEFORE UPDATE ON review_versions
BEGIN SELECT RAISE(ABORT, 'review versions are never edited: submit a new version'); END;
CREATE TRIGGER review_versions_no_delete BEFORE DELETE ON review_versions
BEGIN SELECT RAISE(ABORT, 'review versions are never deleted'); END;
CREATE TRIGGER review_attachments_no_update BEFORE UPDATE ON review_attachments
BEGIN SELECT RAISE(ABORT, 'review versions are never edited: submit a new version'); END;
CREATE TRIGGER review_attachments_no_delete BEFORE DELETE ON review_attachments
BEGIN SELECT RAISE(ABORT, 'review versions are never deleted'); END;
CREATE TRIGGER review_events_no_update BEFORE UPDATE ON review_events
BEGIN SELECT RAISE(ABORT, 'review events are never edited'); END;
CREATE TRIGGER review_events_no_delete BEFORE DELETE ON review_events
BEGIN SELECT RAISE(ABORT, 'review events are never deleted'); END;
