-- The decision at fault as the minutes record it, SQLite dialect. Keep in step with
-- ../postgres/0210_accountability_minutes.sql.
-- An investigation writes down how the decision that failed was taken: the meeting, who took
-- part (the head, the leaders in charge, the other members) and each participant's position
-- (同意 / 反对 / 保留) with their words, or that one person took it alone. The allocation rule
-- reads it (whoever recorded 反对 bears no responsibility). Each save is a new version
-- (zeren_store::accountability::Minutes as JSON); none is edited, the latest counts.
CREATE TABLE accountability_minutes (
    case_id INTEGER NOT NULL REFERENCES accountability_cases(id),
    version INTEGER NOT NULL,
    body TEXT NOT NULL,
    by_account INTEGER REFERENCES accounts(id),
    by_name TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (case_id, version)
);
CREATE TRIGGER accountability_minutes_no_update BEFORE UPDATE ON accountability_minutes
BEGIN SELECT RAISE(ABORT, 'minutes are never edited: a correction is a new version'); END;
CREATE TRIGGER accountability_minutes_no_delete BEFORE DELETE ON accountability_minutes
BEGIN SELECT RAISE(ABORT, 'minutes are never deleted'); END;
-- The acts of one step across cases (decisions for the ledger of measures and the effects,
-- filings for the parent).
CREATE INDEX accountability_acts_step ON accountability_acts(step, case_id);
