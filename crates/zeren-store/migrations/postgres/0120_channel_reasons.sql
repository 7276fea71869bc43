-- A channel's changes say why (暂停、关闭、恢复、修改 need a reason) and, for an edit, what
-- changed. PostgreSQL dialect; keep in step with ../sqlite/0120_channel_reasons.sql.
ALTER TABLE channel_changes ADD COLUMN reason TEXT NOT NULL DEFAULT '';
ALTER TABLE channel_changes ADD COLUMN detail TEXT NOT NULL DEFAULT '';
