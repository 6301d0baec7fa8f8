-- One step of online_least_privilege.sh's write load (psql -v i=N): parents
-- with children come and go (the cascade deletes children, the audit
-- trigger writes audit rows on the source; both stream), counters move
-- (the rule and the disabled trigger stay out of it), the sequence moves.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
BEGIN;
INSERT INTO parent VALUES (100000 + :i, 'step ' || :i);
INSERT INTO child (parent_id, v) SELECT 100000 + :i, g FROM generate_series(1, 5) g;
UPDATE child SET v = v + 1 WHERE parent_id = 1 + :i % 2000;
DELETE FROM parent WHERE id = 100000 + :i - 3;
UPDATE counters SET n = n + 1 WHERE id = 1 + :i % 10;
SELECT nextval('ticket_seq');
INSERT INTO notes VALUES ('step ' || :i);
COMMIT;
