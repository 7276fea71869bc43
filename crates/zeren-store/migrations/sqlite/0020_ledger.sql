-- The ledger (台账), SQLite dialect. Keep in step with ../postgres/0020_ledger.sql.
-- Obligations are dated instances of installed policies' duties; records fulfil them. A record's
-- content lives in versions that are never updated or deleted (triggers refuse it): a correction
-- is a new version with a reason.
-- The date a policy takes effect at its unit (本办法自…起施行), when it is not the day it was
-- installed; obligations start from it.
ALTER TABLE installed_policies ADD COLUMN effective_from TEXT;

CREATE TABLE obligations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    installed_policy_id INTEGER NOT NULL REFERENCES installed_policies(id),
    policy_id TEXT NOT NULL,
    duty_id TEXT NOT NULL,
    title TEXT NOT NULL,
    unit_id INTEGER NOT NULL REFERENCES units(id),
    person_id INTEGER REFERENCES people(id),
    -- person_id or 0: part of the natural key, which must not contain NULL
    person_key INTEGER NOT NULL,
    every TEXT NOT NULL,
    period_start TEXT NOT NULL,
    period_end TEXT NOT NULL,
    period_label TEXT NOT NULL,
    due_on TEXT NOT NULL,
    times INTEGER NOT NULL,
    evidence TEXT NOT NULL,
    report_to_parent BOOLEAN NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (unit_id, policy_id, duty_id, person_key, period_start)
);
CREATE INDEX obligations_unit_due ON obligations(unit_id, due_on);
CREATE INDEX obligations_person ON obligations(person_id);

CREATE TABLE attachments (
    sha256 TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    media_type TEXT NOT NULL,
    content BLOB NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE records (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    obligation_id INTEGER NOT NULL REFERENCES obligations(id),
    current_version INTEGER NOT NULL,
    created_by INTEGER REFERENCES accounts(id),
    created_at TEXT NOT NULL
);
CREATE INDEX records_obligation ON records(obligation_id);

CREATE TABLE record_versions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    record_id INTEGER NOT NULL REFERENCES records(id),
    version INTEGER NOT NULL,
    work_date TEXT NOT NULL,
    place TEXT NOT NULL,
    content TEXT NOT NULL,
    reason TEXT,
    created_by INTEGER REFERENCES accounts(id),
    created_by_name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (record_id, version)
);
-- 我的工作 lists what a person entered most recently.
CREATE INDEX record_versions_created_by ON record_versions(created_by, id);

CREATE TABLE record_participants (
    version_id INTEGER NOT NULL REFERENCES record_versions(id),
    person_id INTEGER NOT NULL REFERENCES people(id),
    PRIMARY KEY (version_id, person_id)
);

CREATE TABLE record_attachments (
    version_id INTEGER NOT NULL REFERENCES record_versions(id),
    position INTEGER NOT NULL,
    file_name TEXT NOT NULL,
    sha256 TEXT NOT NULL REFERENCES attachments(sha256),
    PRIMARY KEY (version_id, position)
);

-- 签收: the parent unit's acknowledgement of a record reported to it.
CREATE TABLE acknowledgements (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    record_id INTEGER NOT NULL REFERENCES records(id),
    version INTEGER NOT NULL,
    unit_id INTEGER NOT NULL REFERENCES units(id),
    acknowledged_by INTEGER REFERENCES accounts(id),
    acknowledged_at TEXT NOT NULL,
    note TEXT NOT NULL,
    UNIQUE (record_id, version)
);

-- A person's private calendar feed: the URL carries a token; only its hash is kept.
CREATE TABLE calendar_feeds (
    account_id INTEGER PRIMARY KEY REFERENCES accounts(id),
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);

CREATE TRIGGER record_versions_no_update BEFORE UPDATE ON record_versions
BEGIN SELECT RAISE(ABORT, 'record versions are never edited: submit a correction'); END;
CREATE TRIGGER record_versions_no_delete BEFORE DELETE ON record_versions
BEGIN SELECT RAISE(ABORT, 'record versions are never deleted'); END;
CREATE TRIGGER record_participants_no_change BEFORE UPDATE ON record_participants
BEGIN SELECT RAISE(ABORT, 'record versions are never edited: submit a correction'); END;
CREATE TRIGGER record_participants_no_delete BEFORE DELETE ON record_participants
BEGIN SELECT RAISE(ABORT, 'record versions are never deleted'); END;
CREATE TRIGGER record_attachments_no_change BEFORE UPDATE ON record_attachments
BEGIN SELECT RAISE(ABORT, 'record versions are never edited: submit a correction'); END;
CREATE TRIGGER record_attachments_no_delete BEFORE DELETE ON record_attachments
BEGIN SELECT RAISE(ABORT, 'record versions are never deleted'); END;
CREATE TRIGGER attachments_no_update BEFORE UPDATE ON attachments
BEGIN SELECT RAISE(ABORT, 'stored files are never changed'); END;
