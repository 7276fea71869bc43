-- Inspections put to use (督查 → 整改 → 销号), PostgreSQL dialect. Keep in step with
-- ../sqlite/0130_inspections.sql.
--
-- A finding's row keeps, besides its stage and dates, what lists show without replaying its
-- events: the severity's title, a one-line summary, the current commitment's version and the
-- person it names as responsible — so 我的工作 finds the open rectifications a person answers
-- for by an index, not by replaying every finding. Derived from the events, as the rest of the row.
ALTER TABLE findings ADD COLUMN severity_title TEXT NOT NULL DEFAULT '';
ALTER TABLE findings ADD COLUMN summary TEXT NOT NULL DEFAULT '';
ALTER TABLE findings ADD COLUMN commitment_version BIGINT NOT NULL DEFAULT 0;
ALTER TABLE findings ADD COLUMN responsible_person_id BIGINT REFERENCES people(id);
CREATE INDEX findings_responsible ON findings(responsible_person_id, stage);
