-- Assessment (考核), SQLite dialect. Keep in step with ../postgres/0160_assessment.sql.
--
-- A cycle: a unit's assessment of the units of one kind in its subtree for a period, by the rubric
-- of an installed policy, with its dates. The units in scope are fixed when the cycle opens.
CREATE TABLE assessment_cycles (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    unit_id INTEGER NOT NULL REFERENCES units(id),
    installed_policy_id INTEGER NOT NULL REFERENCES installed_policies(id),
    title TEXT NOT NULL,
    scope_kind TEXT NOT NULL,
    period_start TEXT NOT NULL,
    period_end TEXT NOT NULL,
    self_due_on TEXT NOT NULL,
    review_due_on TEXT NOT NULL,
    appeal_until TEXT NOT NULL,
    -- set once, when the ranking is published (发布): the cycle is final
    published_at TEXT,
    published_by_name TEXT,
    created_by INTEGER REFERENCES accounts(id),
    created_by_name TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX assessment_cycles_unit ON assessment_cycles(unit_id, period_start);

CREATE TABLE assessment_cycle_units (
    cycle_id INTEGER NOT NULL REFERENCES assessment_cycles(id),
    unit_id INTEGER NOT NULL REFERENCES units(id),
    PRIMARY KEY (cycle_id, unit_id)
);
CREATE INDEX assessment_cycle_units_unit ON assessment_cycle_units(unit_id);

-- Self-assessments (自评) and reviews (考核组评分) as versions, never edited: what was entered per
-- leaf (JSON: item id → entry with its note, linked records and override reason), the vetoes
-- found, and the inputs scored (the measured leaves as the ledger gave them then) with the total
-- in hundredths of a point.
CREATE TABLE assessment_sheets (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    cycle_id INTEGER NOT NULL REFERENCES assessment_cycles(id),
    unit_id INTEGER NOT NULL REFERENCES units(id),
    side TEXT NOT NULL CHECK (side IN ('self', 'review')),
    version INTEGER NOT NULL,
    entries TEXT NOT NULL,
    vetoes TEXT NOT NULL,
    inputs TEXT NOT NULL,
    total INTEGER NOT NULL,
    -- a review version that locks the unit's score (锁定); an upheld appeal opens it again
    locks BOOLEAN NOT NULL DEFAULT FALSE,
    created_by INTEGER REFERENCES accounts(id),
    created_by_name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (cycle_id, unit_id, side, version)
);

-- Each unit's scores as its latest sheets give them: rewritten in the transaction of every sheet,
-- so the cycle's pages read one row per unit. States nothing the sheets do not.
CREATE TABLE assessment_scores (
    cycle_id INTEGER NOT NULL REFERENCES assessment_cycles(id),
    unit_id INTEGER NOT NULL REFERENCES units(id),
    self_version INTEGER,
    self_total INTEGER,
    self_at TEXT,
    review_version INTEGER,
    review_total INTEGER,
    -- the scored sheet (zeren_core::scoring::ScoreSheet as JSON) of the latest review, else self
    sheet TEXT NOT NULL,
    locked BOOLEAN NOT NULL DEFAULT FALSE,
    -- the ranking among the reviewed units of the same kind (peer group), best first, ties
    -- sharing a place, and the grade the rubric's bands give (quotas per peer group)
    peer_group TEXT NOT NULL DEFAULT '',
    place INTEGER,
    grade_id TEXT,
    no_commendation BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (cycle_id, unit_id)
);
CREATE INDEX assessment_scores_place ON assessment_scores(cycle_id, peer_group, place);

-- Appeals (申诉) of a unit against its locked score, and their answers; neither is ever edited.
CREATE TABLE assessment_appeals (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    cycle_id INTEGER NOT NULL REFERENCES assessment_cycles(id),
    unit_id INTEGER NOT NULL REFERENCES units(id),
    text TEXT NOT NULL,
    created_by INTEGER REFERENCES accounts(id),
    created_by_name TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX assessment_appeals_cycle ON assessment_appeals(cycle_id, unit_id);

CREATE TABLE assessment_appeal_answers (
    appeal_id INTEGER PRIMARY KEY REFERENCES assessment_appeals(id),
    upheld BOOLEAN NOT NULL,
    text TEXT NOT NULL,
    created_by INTEGER REFERENCES accounts(id),
    created_by_name TEXT NOT NULL,
    created_at TEXT NOT NULL
);

-- What a published result means for a unit afterwards (效果): a veto's "no 评先评优" for the year
-- after the period, with its dates and grounds; written when the cycle is published, never edited.
CREATE TABLE assessment_effects (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    cycle_id INTEGER NOT NULL REFERENCES assessment_cycles(id),
    unit_id INTEGER NOT NULL REFERENCES units(id),
    kind TEXT NOT NULL CHECK (kind IN ('no_commendation')),
    reason TEXT NOT NULL,
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX assessment_effects_unit ON assessment_effects(unit_id, ends_on);

CREATE TRIGGER assessment_sheets_no_update BEFORE UPDATE ON assessment_sheets
BEGIN SELECT RAISE(ABORT, 'assessment sheets are never edited: submit a new version'); END;
CREATE TRIGGER assessment_sheets_no_delete BEFORE DELETE ON assessment_sheets
BEGIN SELECT RAISE(ABORT, 'assessment sheets are never deleted'); END;
CREATE TRIGGER assessment_appeals_no_update BEFORE UPDATE ON assessment_appeals
BEGIN SELECT RAISE(ABORT, 'appeals are never edited'); END;
CREATE TRIGGER assessment_appeals_no_delete BEFORE DELETE ON assessment_appeals
BEGIN SELECT RAISE(ABORT, 'appeals are never deleted'); END;
CREATE TRIGGER assessment_appeal_answers_no_update BEFORE UPDATE ON assessment_appeal_answers
BEGIN SELECT RAISE(ABORT, 'answers to appeals are never edited'); END;
CREATE TRIGGER assessment_appeal_answers_no_delete BEFORE DELETE ON assessment_appeal_answers
BEGIN SELECT RAISE(ABORT, 'answers to appeals are never deleted'); END;
CREATE TRIGGER assessment_effects_no_update BEFORE UPDATE ON assessment_effects
BEGIN SELECT RAISE(ABORT, 'effects are never edited'); END;
CREATE TRIGGER assessment_effects_no_delete BEFORE DELETE ON assessment_effects
BEGIN SELECT RAISE(ABORT, 'effects are never deleted'); END;
