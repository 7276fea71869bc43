-- The other lists page too (issue 13), PostgreSQL dialect. Keep in step with ../sqlite/0220_more_list_indexes.sql.
-- Every page is read in its order from an index and stops after a page of rows.
-- The audit log, newest first (by seq), for one account, one object, or one kind of object.
DROP INDEX audit_log_actor;
CREATE INDEX audit_log_actor ON audit_log(actor_account_id, seq);
DROP INDEX audit_log_entity;
CREATE INDEX audit_log_entity ON audit_log(entity_type, entity_id, seq);
CREATE INDEX audit_log_entity_type ON audit_log(entity_type, seq);
-- The people of a large subtree by name (those of a small one are read unit by unit).
CREATE INDEX people_name ON people(name, id);
