-- The decision at fault as the minutes record it, PostgreSQL dialect. Keep in step with
-- ../sqlite/0210_accountability_minutes.sql (the comments there say what it is).
CREATE TABLE accountability_minutes (
    case_id BIGINT NOT NULL REFERENCES accountability_cases(id),
    version BIGINT NOT NULL,
    body TEXT NOT NULL,
    by_account BIGINT REFERENCES accounts(id),
    by_name TEXT NOT NULL,
    recorded_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (case_id, version)
);
CREATE TRIGGER accountability_minutes_no_change BEFORE UPDATE OR DELETE ON accountability_minutes
    FOR EACH ROW EXECUTE FUNCTION zeren_refuse_accountability_change();
CREATE INDEX accountability_acts_step ON accountability_acts(step, case_id);
