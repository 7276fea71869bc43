-- The parent's side of reports (签收 and 退回), SQLite dialect. Keep in step with
-- ../postgres/0070_receipts.sql.
-- 退回: the parent returns a record reported to it with a reason; the unit corrects it as a new
-- version, which waits for 签收 again. A return, like a 签收, is a row that is never edited or
-- deleted: the history of a report is the rows of both tables.
CREATE TABLE record_returns (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    record_id INTEGER NOT NULL REFERENCES records(id),
    -- the version returned
    version INTEGER NOT NULL,
    -- the parent unit that returned it
    unit_id INTEGER NOT NULL REFERENCES units(id),
    returned_by INTEGER REFERENCES accounts(id),
    -- the person's name when it was returned (not the account's username)
    returned_by_name TEXT NOT NULL,
    returned_at TEXT NOT NULL,
    reason TEXT NOT NULL,
    UNIQUE (record_id, version)
);

-- 签收人 by name: the person behind the account when it acknowledged ('' for older rows, which
-- are read through the account).
ALTER TABLE acknowledgements ADD COLUMN acknowledged_by_name TEXT NOT NULL DEFAULT '';

-- What waits for a parent's 签收 is found from its child units' reported obligations.
CREATE INDEX obligations_reported ON obligations(unit_id, id) WHERE report_to_parent = TRUE;

CREATE TRIGGER acknowledgements_no_update BEFORE UPDATE ON acknowledgements
BEGIN SELECT RAISE(ABORT, 'acknowledgements are never edited'); END;
CREATE TRIGGER acknowledgements_no_delete BEFORE DELETE ON acknowledgements
BEGIN SELECT RAISE(ABORT, 'acknowledgements are never deleted'); END;
CREATE TRIGGER record_returns_no_update BEFORE UPDATE ON record_returns
BEGIN SELECT RAISE(ABORT, 'returns are never edited'); END;
CREATE TRIGGER record_returns_no_delete BEFORE DELETE ON record_returns
BEGIN SELECT RAISE(ABORT, 'returns are never deleted'); END;
