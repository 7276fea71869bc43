-- Hardening (等保 level 3), SQLite dialect. Keep in step with ../postgres/0040_hardening.sql.
--
-- The audit chain becomes append-only: the head is the entry with the highest seq, no longer a
-- row every append rewrites (audit_head keeps the algorithm, and the head it recorded last stays
-- as a check on the entries before this migration). Entries gain details (what they state about
-- stored rows, so verification can compare) and the id of the key whose HMAC their hash is. No
-- two entries may extend the same predecessor.
ALTER TABLE audit_log ADD COLUMN details TEXT;
ALTER TABLE audit_log ADD COLUMN key_id TEXT;
CREATE UNIQUE INDEX audit_log_prev_hash ON audit_log(prev_hash);

-- Login throttling: one row per account name (bounded: long names are hashed) and per source
-- address, counted before the password is checked.
CREATE TABLE login_throttle (
    key TEXT PRIMARY KEY,
    attempts INTEGER NOT NULL,
    window_start TEXT NOT NULL,
    locked_until TEXT,
    -- attempts refused while locked (each is also an audit entry)
    refused INTEGER NOT NULL
);

-- Passwords: a forced change after an administrator's reset, and the hashes of earlier ones.
ALTER TABLE accounts ADD COLUMN must_change_password BOOLEAN NOT NULL DEFAULT FALSE;
CREATE TABLE password_history (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    password_hash TEXT NOT NULL,
    retired_at TEXT NOT NULL
);
CREATE INDEX password_history_account ON password_history(account_id, id);

-- API tokens may expire.
ALTER TABLE api_tokens ADD COLUMN expires_at TEXT;
CREATE INDEX api_tokens_account ON api_tokens(account_id);

-- An optional TOTP second factor (RFC 6238). Kept apart from accounts so that no account query
-- ever returns the secret.
CREATE TABLE account_totp (
    account_id INTEGER PRIMARY KEY REFERENCES accounts(id),
    secret TEXT NOT NULL,
    confirmed_at TEXT,
    created_at TEXT NOT NULL
);

-- The write probe behind the readiness check.
CREATE TABLE store_health (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    probed_at TEXT NOT NULL,
    ballast BLOB NOT NULL
);
