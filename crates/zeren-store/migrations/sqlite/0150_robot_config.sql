-- Group robots declared in zeren.toml, sqlite dialect. Keep in step with
-- ../postgres/0150_robot_config.sql.

-- A robot of the configuration file: the server writes it at start from the file (its webhook and
-- secret sealed as any robot's); the unit's page lists it but does not change it.
ALTER TABLE notify_robots ADD COLUMN from_config BOOLEAN NOT NULL DEFAULT FALSE;
-- One robot of the file per unit and name: instances starting together write it once.
CREATE UNIQUE INDEX notify_robots_config ON notify_robots(unit_id, name) WHERE from_config;
