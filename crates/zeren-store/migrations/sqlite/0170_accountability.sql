-- Accountability (问责) cases, SQLite dialect. Keep in step with ../postgres/0170_accountability.sql.
-- A case is its lead (one row, never edited): the unit that holds it, the policy whose
-- [accountability] governs it, where it came from, the day of the failure (responsibility is
-- that day's), its subjects (units or people, names as they were) and the policy's
-- circumstances; then its acts in order (zeren_core::accountability::Act as JSON), insert-only,
-- replayed to know where it stands; the (case_id, seq) key lets exactly one of two simultaneous
-- acts in. The investigators are kept apart too, so a person's cases are found by index.
CREATE TABLE accountability_cases (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    unit_id INTEGER NOT NULL REFERENCES units(id),
    installed_policy_id INTEGER NOT NULL REFERENCES installed_policies(id),
    source TEXT NOT NULL CHECK (source IN ('incident', 'finding', 'assessment', 'obligations', 'report', 'lead')),
    source_id INTEGER,
    title TEXT NOT NULL,
    lead TEXT NOT NULL,
    event_on TEXT NOT NULL,
    opened_on TEXT NOT NULL,
    created_by INTEGER REFERENCES accounts(id),
    created_at TEXT NOT NULL
);
CREATE INDEX accountability_cases_unit ON accountability_cases(unit_id, opened_on);

CREATE TABLE accountability_subjects (
    case_id INTEGER NOT NULL REFERENCES accountability_cases(id),
    position INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('unit', 'person')),
    unit_id INTEGER REFERENCES units(id),
    person_id INTEGER REFERENCES people(id),
    name TEXT NOT NULL,
    PRIMARY KEY (case_id, position),
    CHECK ((kind = 'unit' AND unit_id IS NOT NULL AND person_id IS NULL)
        OR (kind = 'person' AND person_id IS NOT NULL AND unit_id IS NULL))
);
CREATE INDEX accountability_subjects_person ON accountability_subjects(person_id);

CREATE TABLE accountability_circumstances (
    case_id INTEGER NOT NULL REFERENCES accountability_cases(id),
    circumstance_id TEXT NOT NULL,
    PRIMARY KEY (case_id, circumstance_id)
);

CREATE TABLE accountability_acts (
    case_id INTEGER NOT NULL REFERENCES accountability_cases(id),
    seq INTEGER NOT NULL,
    step TEXT NOT NULL,
    act TEXT NOT NULL,
    on_date TEXT NOT NULL,
    by_account INTEGER REFERENCES accounts(id),
    by_name TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (case_id, seq)
);

CREATE TABLE accountability_team (
    case_id INTEGER NOT NULL REFERENCES accountability_cases(id),
    person_id INTEGER NOT NULL REFERENCES people(id),
    PRIMARY KEY (case_id, person_id)
);
CREATE INDEX accountability_team_person ON accountability_team(person_id);
CREATE TRIGGER accountability_cases_no_update BEFORE UPDATE ON accountability_cases
BEGIN SELECT RAISE(ABORT, 'accountability cases are never edited: a correction is a new act'); END;
CREATE TRIGGER accountability_cases_no_delete BEFORE DELETE ON accountability_cases
BEGIN SELECT RAISE(ABORT, 'accountability cases are never deleted'); END;
CREATE TRIGGER accountability_subjects_no_update BEFORE UPDATE ON accountability_subjects
BEGIN SELECT RAISE(ABORT, 'accountability cases are never edited: a correction is a new act'); END;
CREATE TRIGGER accountability_subjects_no_delete BEFORE DELETE ON accountability_subjects
BEGIN SELECT RAISE(ABORT, 'accountability cases are never deleted'); END;
CREATE TRIGGER accountability_circumstances_no_update BEFORE UPDATE ON accountability_circumstances
BEGIN SELECT RAISE(ABORT, 'accountability cases are never edited: a correction is a new act'); END;
CREATE TRIGGER accountability_circumstances_no_delete BEFORE DELETE ON accountability_circumstances
BEGIN SELECT RAISE(ABORT, 'accountability cases are never deleted'); END;
CREATE TRIGGER accountability_acts_no_update BEFORE UPDATE ON accountability_acts
BEGIN SELECT RAISE(ABORT, 'accountability cases are never edited: a correction is a new act'); END;
CREATE TRIGGER accountability_acts_no_delete BEFORE DELETE ON accountability_acts
BEGIN SELECT RAISE(ABORT, 'accountability cases are never deleted'); END;
CREATE TRIGGER accountability_team_no_update BEFORE UPDATE ON accountability_team
BEGIN SELECT RAISE(ABORT, 'accountability cases are never edited: a correction is a new act'); END;
CREATE TRIGGER accountability_team_no_delete BEFORE DELETE ON accountability_team
BEGIN SELECT RAISE(ABORT, 'accountability cases are never deleted'); END;
