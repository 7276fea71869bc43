-- A channel's changes say why (暂停、关闭、恢复、修改 need a reason) and, for an edit, what
-- changed. SQLite dialect; keep in step with ../postgres/0120_channel_reasons.sql.
ALTER TABLE channel_changes ADD COLUMN reason TEXT NOT NULL DEFAULT '';
ALTER TABLE channel_changes ADD COLUMN detail TEXT NOT NULL DEFAULT '';
