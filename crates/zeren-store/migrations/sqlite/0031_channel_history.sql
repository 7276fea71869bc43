-- The history of each channel (阵地): registered, suspended, closed, reopened — who and when.
-- SQLite dialect; keep in step with ../postgres/0031_channel_history.sql. Only ever inserted.
CREATE TABLE channel_changes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    channel_id INTEGER NOT NULL REFERENCES channels(id),
    status TEXT NOT NULL,
    by_account INTEGER REFERENCES accounts(id),
    by_name TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX channel_changes_channel ON channel_changes(channel_id);
CREATE TRIGGER channel_changes_no_update BEFORE UPDATE ON channel_changes
BEGIN SELECT RAISE(ABORT, 'channel history is never edited'); END;
CREATE TRIGGER channel_changes_no_delete BEFORE DELETE ON channel_changes
BEGIN SELECT RAISE(ABORT, 'channel history is never deleted'); END;
