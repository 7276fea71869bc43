-- A session whose password was right but whose one-time code is still to come: it opens nothing.
ALTER TABLE sessions ADD COLUMN second_factor_pending BOOLEAN NOT NULL DEFAULT FALSE;
-- The last time step whose code was accepted: a code is good once.
ALTER TABLE account_totp ADD COLUMN last_step BIGINT;
