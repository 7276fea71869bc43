-- Oversight of the subtree (督查), SQLite dialect. Keep in step with ../postgres/0090_oversight.sql.
--
-- The unit tree as a closure (every unit with each ancestor, itself at depth 0): subtree questions
-- become joins instead of recursive walks. Units never move, so a unit's rows are written once,
-- when it is created.
CREATE TABLE unit_ancestors (
    unit_id INTEGER NOT NULL REFERENCES units(id),
    ancestor_id INTEGER NOT NULL REFERENCES units(id),
    depth INTEGER NOT NULL,
    PRIMARY KEY (unit_id, ancestor_id)
);
CREATE INDEX unit_ancestors_ancestor ON unit_ancestors(ancestor_id, depth);
WITH RECURSIVE up(unit_id, ancestor_id, depth) AS (
    SELECT id, id, 0 FROM units
    UNION ALL
    SELECT up.unit_id, u.parent_id, up.depth + 1 FROM up JOIN units u ON u.id = up.ancestor_id
    WHERE u.parent_id IS NOT NULL)
INSERT INTO unit_ancestors (unit_id, ancestor_id, depth) SELECT unit_id, ancestor_id, depth FROM up;

-- The day an obligation was fulfilled: the work date of its `times`-th record (current versions),
-- NULL while it is not. Kept by the store with every record written; its status follows from it.
ALTER TABLE obligations ADD COLUMN done_on TEXT;

-- The dashboard's counts: for each unit's whole subtree, the obligations of one duty due on one
-- day — how many, how many done on time, how many done late (the rest are open). Derived from
-- the obligations and kept in the same transaction as every change to them; rebuilt from them
-- when empty. Not in the audit chain: it states nothing the obligations and records do not.
CREATE TABLE oversight_tally (
    unit_id INTEGER NOT NULL REFERENCES units(id),
    due_on TEXT NOT NULL,
    policy_id TEXT NOT NULL,
    duty_id TEXT NOT NULL,
    title TEXT NOT NULL,
    total INTEGER NOT NULL,
    on_time INTEGER NOT NULL,
    late INTEGER NOT NULL,
    PRIMARY KEY (unit_id, due_on, policy_id, duty_id)
);

-- The same per subtree and year in one row, split at a pivot date: what was due before it and
-- what is due on or after it. A reader for another day corrects it with the tally rows between
-- the pivot and that day (usually none: the pivot moves to today every night), so ranking the
-- thousands of children of a unit reads one row each.
CREATE TABLE oversight_years (
    unit_id INTEGER NOT NULL REFERENCES units(id),
    year INTEGER NOT NULL,
    pivot TEXT NOT NULL,
    before_total INTEGER NOT NULL,
    before_on_time INTEGER NOT NULL,
    before_late INTEGER NOT NULL,
    after_total INTEGER NOT NULL,
    after_on_time INTEGER NOT NULL,
    after_late INTEGER NOT NULL,
    PRIMARY KEY (unit_id, year)
);

-- The reports waiting for 签收: a row per record reported to a parent whose current version the
-- parent has neither acknowledged nor returned, kept by the store with every record written and
-- answered — so a subtree's waiting reports are found among the few that wait, not by walking
-- every report ever made.
CREATE TABLE awaiting_receipts (
    record_id INTEGER PRIMARY KEY REFERENCES records(id),
    unit_id INTEGER NOT NULL REFERENCES units(id),
    reported_at TEXT NOT NULL
);
CREATE INDEX awaiting_receipts_unit ON awaiting_receipts(unit_id);
INSERT INTO awaiting_receipts (record_id, unit_id, reported_at)
SELECT r.id, o.unit_id, v.created_at
FROM records r
JOIN obligations o ON o.id = r.obligation_id AND o.report_to_parent = TRUE
JOIN units c ON c.id = o.unit_id AND c.parent_id IS NOT NULL
JOIN record_versions v ON v.record_id = r.id AND v.version = r.current_version
WHERE NOT EXISTS (SELECT 1 FROM acknowledgements a WHERE a.record_id = r.id AND a.version = r.current_version)
  AND NOT EXISTS (SELECT 1 FROM record_returns x WHERE x.record_id = r.id AND x.version = r.current_version);

-- Reports upward on request (临时报送): a parent asks some or all of its children for a report
-- by a date, as text, an attachment or a small form. Submissions are versions (a returned one is
-- resubmitted); each version is acknowledged (签收) or returned (退回) once.
CREATE TABLE report_requests (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    unit_id INTEGER NOT NULL REFERENCES units(id),
    title TEXT NOT NULL,
    instructions TEXT NOT NULL,
    template TEXT NOT NULL CHECK (template IN ('text', 'attachment', 'form')),
    -- the form's fields, a JSON array of labels
    fields TEXT NOT NULL,
    due_on TEXT NOT NULL,
    created_by INTEGER REFERENCES accounts(id),
    created_by_name TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX report_requests_unit ON report_requests(unit_id, due_on);

CREATE TABLE report_request_units (
    request_id INTEGER NOT NULL REFERENCES report_requests(id),
    unit_id INTEGER NOT NULL REFERENCES units(id),
    PRIMARY KEY (request_id, unit_id)
);
CREATE INDEX report_request_units_unit ON report_request_units(unit_id);

CREATE TABLE report_submissions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    request_id INTEGER NOT NULL REFERENCES report_requests(id),
    unit_id INTEGER NOT NULL REFERENCES units(id),
    version INTEGER NOT NULL,
    text TEXT NOT NULL,
    -- the form's answers, a JSON array in the order of the fields
    answers TEXT NOT NULL,
    reason TEXT,
    created_by INTEGER REFERENCES accounts(id),
    created_by_name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (request_id, unit_id, version)
);

CREATE TABLE report_submission_files (
    submission_id INTEGER NOT NULL REFERENCES report_submissions(id),
    position INTEGER NOT NULL,
    file_name TEXT NOT NULL,
    sha256 TEXT NOT NULL REFERENCES attachments(sha256),
    PRIMARY KEY (submission_id, position)
);

CREATE TABLE report_answers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    submission_id INTEGER NOT NULL UNIQUE REFERENCES report_submissions(id),
    kind TEXT NOT NULL CHECK (kind IN ('acknowledged', 'returned')),
    note TEXT NOT NULL,
    by_account INTEGER REFERENCES accounts(id),
    by_name TEXT NOT NULL,
    at TEXT NOT NULL
);

-- Inspections (督查): a plan of the inspecting unit over units of its subtree, its team and its
-- checklist (JSON: the policy's items and free ones), visits with evidence, and findings. A
-- finding's history is its events (the rules' `inspection::Event` as JSON), only ever inserted;
-- the finding row keeps what lists filter on (stage, due date …), derived from the events.
CREATE TABLE inspections (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    unit_id INTEGER NOT NULL REFERENCES units(id),
    installed_policy_id INTEGER REFERENCES installed_policies(id),
    programme TEXT,
    title TEXT NOT NULL,
    scope TEXT NOT NULL,
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    checklist TEXT NOT NULL,
    created_by INTEGER REFERENCES accounts(id),
    created_by_name TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX inspections_unit ON inspections(unit_id, starts_on);

CREATE TABLE inspection_units (
    inspection_id INTEGER NOT NULL REFERENCES inspections(id),
    unit_id INTEGER NOT NULL REFERENCES units(id),
    PRIMARY KEY (inspection_id, unit_id)
);
CREATE INDEX inspection_units_unit ON inspection_units(unit_id);

CREATE TABLE inspection_team (
    inspection_id INTEGER NOT NULL REFERENCES inspections(id),
    person_id INTEGER NOT NULL REFERENCES people(id),
    lead BOOLEAN NOT NULL,
    PRIMARY KEY (inspection_id, person_id)
);
CREATE INDEX inspection_team_person ON inspection_team(person_id);

CREATE TABLE inspection_visits (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    inspection_id INTEGER NOT NULL REFERENCES inspections(id),
    unit_id INTEGER NOT NULL REFERENCES units(id),
    visited_on TEXT NOT NULL,
    notes TEXT NOT NULL,
    -- what each checklist item showed, a JSON array
    checks TEXT NOT NULL,
    created_by INTEGER REFERENCES accounts(id),
    created_by_name TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX inspection_visits_inspection ON inspection_visits(inspection_id);

CREATE TABLE visit_files (
    visit_id INTEGER NOT NULL REFERENCES inspection_visits(id),
    position INTEGER NOT NULL,
    file_name TEXT NOT NULL,
    sha256 TEXT NOT NULL REFERENCES attachments(sha256),
    PRIMARY KEY (visit_id, position)
);

CREATE TABLE findings (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    inspection_id INTEGER NOT NULL REFERENCES inspections(id),
    unit_id INTEGER NOT NULL REFERENCES units(id),
    -- the draft before it is sent (JSON), NULL once sent
    draft TEXT,
    stage TEXT NOT NULL,
    severity TEXT,
    due_on TEXT,
    sent_on TEXT,
    applied_on TEXT,
    closed_on TEXT,
    created_by INTEGER REFERENCES accounts(id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX findings_inspection ON findings(inspection_id);
CREATE INDEX findings_unit ON findings(unit_id, stage);
CREATE INDEX findings_open ON findings(stage, due_on);

CREATE TABLE finding_events (
    finding_id INTEGER NOT NULL REFERENCES findings(id),
    seq INTEGER NOT NULL,
    event TEXT NOT NULL,
    by_account INTEGER REFERENCES accounts(id),
    by_name TEXT NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (finding_id, seq)
);

CREATE TABLE finding_files (
    finding_id INTEGER NOT NULL REFERENCES findings(id),
    seq INTEGER NOT NULL,
    position INTEGER NOT NULL,
    file_name TEXT NOT NULL,
    sha256 TEXT NOT NULL REFERENCES attachments(sha256),
    PRIMARY KEY (finding_id, seq, position)
);

CREATE TRIGGER report_submissions_no_update BEFORE UPDATE ON report_submissions
BEGIN SELECT RAISE(ABORT, 'report submissions are never edited: submit a new version'); END;
CREATE TRIGGER report_submissions_no_delete BEFORE DELETE ON report_submissions
BEGIN SELECT RAISE(ABORT, 'report submissions are never deleted'); END;
CREATE TRIGGER report_submission_files_no_update BEFORE UPDATE ON report_submission_files
BEGIN SELECT RAISE(ABORT, 'report submissions are never edited'); END;
CREATE TRIGGER report_submission_files_no_delete BEFORE DELETE ON report_submission_files
BEGIN SELECT RAISE(ABORT, 'report submissions are never deleted'); END;
CREATE TRIGGER report_answers_no_update BEFORE UPDATE ON report_answers
BEGIN SELECT RAISE(ABORT, 'acknowledgements and returns are never edited'); END;
CREATE TRIGGER report_answers_no_delete BEFORE DELETE ON report_answers
BEGIN SELECT RAISE(ABORT, 'acknowledgements and returns are never deleted'); END;
CREATE TRIGGER visit_files_no_update BEFORE UPDATE ON visit_files
BEGIN SELECT RAISE(ABORT, 'visit evidence is never edited'); END;
CREATE TRIGGER visit_files_no_delete BEFORE DELETE ON visit_files
BEGIN SELECT RAISE(ABORT, 'visit evidence is never deleted'); END;
CREATE TRIGGER finding_events_no_update BEFORE UPDATE ON finding_events
BEGIN SELECT RAISE(ABORT, 'finding events are never edited: a correction is a new version'); END;
CREATE TRIGGER finding_events_no_delete BEFORE DELETE ON finding_events
BEGIN SELECT RAISE(ABORT, 'finding events are never deleted'); END;
CREATE TRIGGER finding_files_no_update BEFORE UPDATE ON finding_files
BEGIN SELECT RAISE(ABORT, 'finding evidence is never edited'); END;
CREATE TRIGGER finding_files_no_delete BEFORE DELETE ON finding_files
BEGIN SELECT RAISE(ABORT, 'finding evidence is never deleted'); END;
