-- Zeren schema, SQLite dialect. Keep in step with ../postgres/0001_initial.sql:
-- the same tables, columns and constraints; only the column types differ.
CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE units (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    parent_id INTEGER REFERENCES units(id),
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX units_parent ON units(parent_id);

CREATE TABLE people (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    unit_id INTEGER NOT NULL REFERENCES units(id),
    name TEXT NOT NULL,
    gender TEXT,
    id_number TEXT UNIQUE,
    employee_no TEXT UNIQUE,
    phone TEXT,
    position TEXT,
    political_status TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX people_unit ON people(unit_id);

CREATE TABLE accounts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    username TEXT NOT NULL UNIQUE,
    person_id INTEGER REFERENCES people(id),
    password_hash TEXT NOT NULL,
    admin_duty TEXT NOT NULL CHECK (admin_duty IN ('none', 'system', 'security', 'audit')),
    active BOOLEAN NOT NULL,
    created_at TEXT NOT NULL,
    password_changed_at TEXT NOT NULL
);

CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL
);
CREATE INDEX sessions_account ON sessions(account_id);

CREATE TABLE login_failures (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    username TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX login_failures_username ON login_failures(username, at);

CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);

CREATE TABLE grants (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    unit_id INTEGER NOT NULL REFERENCES units(id),
    level TEXT NOT NULL CHECK (level IN ('read', 'edit', 'administer')),
    UNIQUE (account_id, unit_id)
);

CREATE TABLE assignments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    person_id INTEGER NOT NULL REFERENCES people(id),
    unit_id INTEGER NOT NULL REFERENCES units(id),
    role_id TEXT NOT NULL,
    starts_on TEXT NOT NULL,
    ends_on TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX assignments_unit ON assignments(unit_id, role_id);
CREATE INDEX assignments_person ON assignments(person_id);

CREATE TABLE installed_policies (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    unit_id INTEGER NOT NULL REFERENCES units(id),
    policy_id TEXT NOT NULL,
    version TEXT NOT NULL,
    title TEXT NOT NULL,
    text TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    installed_at TEXT NOT NULL,
    installed_by INTEGER REFERENCES accounts(id),
    current BOOLEAN NOT NULL
);
CREATE INDEX installed_policies_unit ON installed_policies(unit_id, current);

CREATE TABLE bodies (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    unit_id INTEGER NOT NULL REFERENCES units(id),
    body_key TEXT NOT NULL,
    title TEXT NOT NULL,
    within_key TEXT,
    remit TEXT,
    -- the policy's roles behind its members, as "role:position" words
    role_spec TEXT NOT NULL,
    needs_adjustment BOOLEAN NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (unit_id, body_key)
);

CREATE TABLE body_members (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    body_id INTEGER NOT NULL REFERENCES bodies(id),
    person_id INTEGER NOT NULL REFERENCES people(id),
    position TEXT NOT NULL CHECK (position IN ('chair', 'deputy', 'member')),
    role_id TEXT,
    UNIQUE (body_id, person_id)
);

CREATE TABLE audit_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    algorithm TEXT NOT NULL CHECK (algorithm IN ('sha256', 'sm3')),
    seq INTEGER NOT NULL,
    hash TEXT NOT NULL
);

CREATE TABLE audit_log (
    seq INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor_account_id INTEGER,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    entity_type TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    state_digest TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_log_actor ON audit_log(actor_account_id);
CREATE INDEX audit_log_entity ON audit_log(entity_type, entity_id);
