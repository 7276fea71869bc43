-- When each API token was last used (shown to its owner on 我的, refreshed at most once a minute).
ALTER TABLE api_tokens ADD COLUMN last_used_at TEXT;
