-- The TRUNCATE part of the online-migration workload (PostgreSQL 11+: 10
-- does not decode TRUNCATE), run in a loop of its own by
-- tests/integration/online/lib.sh: a TRUNCATE waits for the locks of the
-- copy, and only these two tables wait with it.  It waits at most 2 s
-- (lock_timeout; the loop then tries again with the next step), so that a
-- TRUNCATE queued behind a paused copy does not hold up the others or the
-- end of the workload.  Variables: i (step number).
--   - two tables truncated in one statement, with RESTART IDENTITY (an
--     identity ALWAYS column and a bigserial restart on the source; the
--     target gets its sequences at cutover)
--   - rows inserted right after, in the same transaction and after it
--   - a TRUNCATE rolled back

\set ON_ERROR_STOP 1
SET client_min_messages = warning;
SET lock_timeout = '2s';
SELECT :i % 4 = 0 AS fourth \gset

INSERT INTO online.trunc_ident (label) SELECT 'step ' || :i || '/' || g FROM generate_series(1, 20) g;
INSERT INTO online.trunc_kv (k) SELECT 'step ' || :i || '/' || g FROM generate_series(1, 20) g;

\if :fourth
BEGIN;
TRUNCATE online.trunc_ident, online.trunc_kv RESTART IDENTITY;
INSERT INTO online.trunc_ident (label) SELECT 'after truncate ' || :i || '/' || g FROM generate_series(1, 3) g;
COMMIT;
INSERT INTO online.trunc_kv (k) SELECT 'after truncate ' || :i || '/' || g FROM generate_series(1, 3) g;
\else
BEGIN;
TRUNCATE online.trunc_kv;
ROLLBACK;
\endif
