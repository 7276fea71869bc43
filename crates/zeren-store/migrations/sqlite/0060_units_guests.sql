-- Units retired or merged, and outside guests on records (SQLite dialect). Keep in step with
-- ../postgres/0060_units_guests.sql.
-- A unit is never deleted: retiring it (撤销) or merging it into another (合并) keeps its records,
-- obligations and history readable; it only stops receiving new obligations and role holders.
ALTER TABLE units ADD COLUMN retired_on TEXT;
ALTER TABLE units ADD COLUMN retired_reason TEXT;
ALTER TABLE units ADD COLUMN merged_into INTEGER REFERENCES units(id);

-- Participants from outside the organisation's roster (来宾), by name, one per line, in the
-- order entered. Older versions have none.
ALTER TABLE record_versions ADD COLUMN guests TEXT NOT NULL DEFAULT '';
