-- Policies down the tree, SQLite dialect. Keep in step with ../postgres/0050_policy_scope.sql.
--
-- A unit may have several policies installed at once (one current version per policy id); an
-- installation may be removed (kept as history). `applies_to` is the policy's `applies_to`
-- (unit kinds, space separated; empty: the installing unit only), copied from the text at
-- install so that deciding which installation governs a unit needs no parsing; NULL on rows
-- installed before it existed, filled from their text when the store opens.
ALTER TABLE installed_policies ADD COLUMN applies_to TEXT;
ALTER TABLE installed_policies ADD COLUMN removed_at TEXT;
ALTER TABLE installed_policies ADD COLUMN removed_by INTEGER REFERENCES accounts(id);
