-- The moment a message is handed over, and attempts whose outcome is unknown, postgres dialect.
-- Keep in step with ../sqlite/0190_delivery_handover.sql.

-- When the current attempt handed the message over: for an e-mail, after the server's 354 and
-- just before the data's final dot; for a robot, just before the request. NULL until then, and
-- set back to NULL when an attempt starts. An attempt found `sending` with it set died after
-- the receiver may have taken the message and before its answer was recorded: in doubt.
ALTER TABLE deliveries ADD COLUMN handed_at TIMESTAMPTZ;
-- How many attempts ended in doubt (their instance died between the hand-over and recording the
-- answer); each was followed by sending the same message again (an e-mail with its Message-ID).
ALTER TABLE deliveries ADD COLUMN in_doubt BIGINT NOT NULL DEFAULT 0;
