-- Background work and notifications, SQLite dialect. Keep in step with
-- ../postgres/0100_notify.sql.

-- One job runner for all background work. Any instance claims a ready job under a lease (renewed
-- by heartbeats while it runs); a killed instance's jobs are claimed again once the lease ran
-- out. PostgreSQL claims with FOR UPDATE SKIP LOCKED; SQLite has one writer at a time.
CREATE TABLE jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    -- what the job works on, as JSON
    payload TEXT NOT NULL,
    -- jobs of one queue run one at a time, oldest first (a robot's messages); NULL: no order
    queue TEXT,
    -- a job with a key is enqueued once (a periodic slot, a delivery): a re-run or another
    -- instance meets the unique constraint
    dedupe_key TEXT UNIQUE,
    state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'dead')),
    run_at TEXT NOT NULL,
    -- attempts that count towards the dead letter, and claims of any kind (the claim's fence:
    -- a worker that lost its lease cannot finish a job another worker claimed since)
    attempts INTEGER NOT NULL,
    max_attempts INTEGER NOT NULL,
    claims INTEGER NOT NULL,
    claimed_by TEXT,
    lease_until TEXT,
    last_error TEXT NOT NULL,
    created_at TEXT NOT NULL,
    finished_at TEXT
);
CREATE INDEX jobs_ready ON jobs(state, run_at, id);
CREATE INDEX jobs_queue ON jobs(queue, id);

-- Group robots (钉钉, 企业微信, 飞书) of a unit. The webhook address (it holds the robot's token)
-- and the signing secret are sealed with the data directory's notify.key; the pages show only
-- the hint.
CREATE TABLE notify_robots (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    unit_id INTEGER NOT NULL REFERENCES units(id),
    platform TEXT NOT NULL CHECK (platform IN ('dingtalk', 'wecom', 'feishu')),
    name TEXT NOT NULL,
    webhook_sealed TEXT NOT NULL,
    webhook_hint TEXT NOT NULL,
    -- '' when the robot has no signing secret
    secret_sealed TEXT NOT NULL,
    -- put at the head of every message, for robots secured by a keyword
    keyword TEXT NOT NULL,
    -- the unit's daily digest goes here, at this time (China time, HH:MM)
    digest BOOLEAN NOT NULL,
    digest_at TEXT NOT NULL,
    -- @ the people answering for overdue work by their mobile (钉钉, 企业微信)
    mention BOOLEAN NOT NULL,
    active BOOLEAN NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX notify_robots_unit ON notify_robots(unit_id);

-- The delivery ledger: every message once, by its key (event, channel, recipient, period). A
-- re-run of a scan, or a second instance, meets the unique constraint and skips it; each row
-- keeps the last attempt's result. The text of in-app messages is only in inbox_messages.
CREATE TABLE deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    event TEXT NOT NULL,
    channel TEXT NOT NULL CHECK (channel IN ('inbox', 'email', 'robot')),
    recipient TEXT NOT NULL,
    period TEXT NOT NULL,
    person_id INTEGER REFERENCES people(id),
    robot_id INTEGER REFERENCES notify_robots(id),
    unit_id INTEGER REFERENCES units(id),
    -- an e-mail address ('' for the inbox and robots)
    address TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    link TEXT NOT NULL,
    -- mobiles to @, space separated
    mentions TEXT NOT NULL,
    urgent BOOLEAN NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('queued', 'sending', 'sent', 'failed')),
    attempts INTEGER NOT NULL,
    result_code TEXT NOT NULL,
    result TEXT NOT NULL,
    created_at TEXT NOT NULL,
    attempted_at TEXT,
    sent_at TEXT,
    UNIQUE (event, channel, recipient, period)
);
CREATE INDEX deliveries_robot_sent ON deliveries(robot_id, sent_at);
CREATE INDEX deliveries_state ON deliveries(state, id);

-- In-app messages: only the recipient reads them (no administrator page or API shows them).
CREATE TABLE inbox_messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    person_id INTEGER NOT NULL REFERENCES people(id),
    delivery_id INTEGER NOT NULL UNIQUE REFERENCES deliveries(id),
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    link TEXT NOT NULL,
    urgent BOOLEAN NOT NULL,
    created_at TEXT NOT NULL,
    read_at TEXT
);
CREATE INDEX inbox_messages_person ON inbox_messages(person_id, id);

-- What a person chose: e-mail besides the in-app inbox, and quiet hours ('' for the default).
CREATE TABLE notify_prefs (
    person_id INTEGER PRIMARY KEY REFERENCES people(id),
    email TEXT NOT NULL,
    by_email BOOLEAN NOT NULL,
    quiet_hours TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
