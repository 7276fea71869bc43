-- Lists of obligations page by (due date, id) with their filters in SQL (issue 13): every list
-- reads about as many index entries as it shows rows.
-- A unit's obligations, and the units of a small subtree one by one.
DROP INDEX obligations_unit_due;
CREATE INDEX obligations_unit_due ON obligations(unit_id, due_on, id);
-- A person's own obligations.
DROP INDEX obligations_person;
CREATE INDEX obligations_person ON obligations(person_id, due_on, id);
-- A large subtree: the obligations by due date, the unit (kept if it is in the subtree) and the
-- status read from the index itself.
CREATE INDEX obligations_due ON obligations(due_on, id, unit_id, done_on);
-- The open ones (overdue, due soon, upcoming) and the ones done late, which are few among many.
CREATE INDEX obligations_open_due ON obligations(due_on, id, unit_id) WHERE done_on IS NULL;
CREATE INDEX obligations_late_due ON obligations(due_on, id, unit_id) WHERE done_on > due_on;
-- One duty across the tree.
CREATE INDEX obligations_duty_due ON obligations(duty_id, due_on, id);
