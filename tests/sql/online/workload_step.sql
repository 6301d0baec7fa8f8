-- One step of the concurrent workload of the online-migration tests
-- (tests/integration/online/lib.sh runs it in a loop while pgshuttle copies
-- and streams).  Variables (psql -v):
--   i             step number, >= 1, never reused on one database (keys are derived from it)
--   pg11, pg12    server is 11+ / 12+ (row movement and TRUNCATE decoding / generated columns)
--   fixture       fixture_core.sql is loaded (app.*, sales.* tables)
--   nopk_updates  update and delete rows of tables without a primary key (only
--                 when pgshuttle runs with --replica-identity-full)
-- Every statement must succeed: an error is a finding (for example "cannot
-- update table ... because it does not have a replica identity" means the
-- migration broke the source application).
-- TRUNCATE runs in its own loop (truncate_step.sql), on tables of its own:
-- it waits for the copy's locks, and nothing else here should wait with it.
-- Deliberately left alone:
--   app.child        an ENABLE ALWAYS trigger fires on the target too, as
--                    with any logical replication
--   app.parent       ENABLE REPLICA truncate trigger
--   app.big_table    app.mv_populated is computed from it: the target
--                    refreshes it from the copied rows, the source keeps its
--                    old contents
--   unlogged tables, materialized views, large objects: not carried by
--                    logical decoding
--   deletes on app.trig_target (its statement trigger raises), updates of
--                    app.copy_traps (REPLICA IDENTITY NOTHING on purpose)

\set ON_ERROR_STOP 1
SET client_min_messages = warning;
SET TimeZone = 'UTC';
SELECT 100000 + :i * 10 AS base, :i % 5 = 0 AS fifth, :i % 3 = 0 AS third \gset

-- Single-statement transactions: inserts, updates, an update of the key, a delete.
INSERT INTO online.accounts (id, owner, balance, note) VALUES (:base + 1, 'owner w' || :i, :i * 1.5, 'new ' || :i);
INSERT INTO online.accounts (id, owner, balance, note) VALUES (:base + 2, 'owner w' || :i, :i * 2.5, NULL);
UPDATE online.accounts SET balance = balance + 1, updated = '2024-01-01 00:00:00+00'::timestamptz + :i * interval '1 s'
    WHERE id = 1 + (:i * 37) % 5000;
UPDATE online.accounts SET id = -id, note = 'key changed' WHERE id = :base - 10 + 2;   -- the previous step's row
DELETE FROM online.accounts WHERE id = 1 + (:i * 53) % 5000;
UPDATE online.accounts SET note = coalesce(note, '') || '.' WHERE id % 97 = :i % 97 AND id BETWEEN 1 AND 5000;

-- A multi-statement transaction: insert, update it, change its key, delete
-- another row, and touch several tables.
BEGIN;
INSERT INTO online.accounts (id, owner, note) VALUES (:base + 3, 'in txn', 'inserted');
UPDATE online.accounts SET note = 'updated in txn ' || :i, balance = 42 WHERE id = :base + 3;
UPDATE online.accounts SET id = :base + 4 WHERE id = :base + 3;
DELETE FROM online.accounts WHERE id = :base + 1;
INSERT INTO online.append_log VALUES (:i, 'txn', '2024-01-01 00:00:00+00'::timestamptz + :i * interval '1 s');
INSERT INTO online.ident_always (label) VALUES ('txn ' || :i);
UPDATE "Odd ""Sch"" émä"."Täble ""q"" + spaces" SET "select" = "select" || '!', "user" = "user" + 1
    WHERE "Key Col" = 1 + :i % 200;
COMMIT;

-- Rolled back: none of it may reach the target.
BEGIN;
INSERT INTO online.accounts (id, owner, note) VALUES (:base + 5, 'rolled back', 'never');
UPDATE online.accounts SET balance = -999 WHERE id BETWEEN 1 AND 300;
DELETE FROM online.toasty WHERE id = 1 + :i % 20;
INSERT INTO online.append_log VALUES (-:i, 'rolled back', NULL);
ROLLBACK;

-- A savepoint rolled back inside a committed transaction.
BEGIN;
INSERT INTO online.accounts (id, owner, note) VALUES (:base + 6, 'before savepoint', NULL);
SAVEPOINT s1;
INSERT INTO online.accounts (id, owner, note) VALUES (:base + 7, 'rolled back to savepoint', NULL);
UPDATE online.accounts SET note = 'must not stay' WHERE id = :base + 6;
ROLLBACK TO SAVEPOINT s1;
INSERT INTO online.accounts (id, owner, note) VALUES (:base + 8, 'after savepoint', NULL);
COMMIT;

-- TOAST: update a small column only (TOASTed values unchanged), flip the key
-- of a row with TOASTed values, now and then replace a TOASTed value.
UPDATE online.toasty SET counter = counter + 1 WHERE abs(id) = 1 + :i % 20;
UPDATE online.toasty SET id = -id WHERE abs(id) = 1 + (:i * 7) % 20;
\if :third
UPDATE online.toasty
   SET doc = (SELECT string_agg(md5('w' || :i || '-' || h), '') FROM generate_series(1, 300) h),
       js = jsonb_build_object('step', :i)
 WHERE abs(id) = 1 + (:i * 3) % 20;
INSERT INTO online.toasty (id, counter, doc, blob)
SELECT 1000 + :i, 0, (SELECT string_agg(md5('n' || :i || '-' || h), '') FROM generate_series(1, 500) h),
       (SELECT decode(string_agg(md5('nb' || :i || '-' || h), ''), 'hex') FROM generate_series(1, 500) h);
\endif

-- Partitions: insert, delete, and (11+) move rows to another partition.
INSERT INTO online.part_range VALUES (10000 + :i, date '2023-01-01' + (:i * 11) % 1000, 'eu', 'w ' || :i);
DELETE FROM online.part_range WHERE id = 1 + (:i * 13) % 3000;
UPDATE online.part_range SET payload = 'updated ' || :i WHERE id = 1 + (:i * 17) % 3000;
\if :pg11
UPDATE online.part_range SET ts = ts + 365, payload = 'moved ' || :i WHERE id = 1 + (:i * 19) % 3000;
UPDATE online.part_range SET ts = '2030-06-01', region = 'moved' WHERE id = 10000 + :i - 1;
\endif

-- Generated columns (12+).
\if :pg12
INSERT INTO online.gen_cols (id, a, b) VALUES (1000 + :i, :i, NULL);
UPDATE online.gen_cols SET a = a + 1 WHERE id = 1 + :i % 500;
DELETE FROM online.gen_cols WHERE id = 1 + (:i * 7) % 500;
\endif

-- Identity ALWAYS: plain and OVERRIDING SYSTEM VALUE inserts.
INSERT INTO online.ident_always (label) VALUES ('step ' || :i);
INSERT INTO online.ident_always (id, label) OVERRIDING SYSTEM VALUE VALUES (1000000 + :i, 'overriding ' || :i);
INSERT INTO online.kv (k) VALUES ('step ' || :i);

-- Odd identifiers.
INSERT INTO "Odd ""Sch"" émä"."Täble ""q"" + spaces" VALUES
    (1000 + :i, 'sel''ect ' || :i, E'表\n' || :i, :i, 'x,y', E'back\\slash ''q''');
DELETE FROM "Odd ""Sch"" émä"."Täble ""q"" + spaces" WHERE "Key Col" = 1000 + :i - 2;
UPDATE "Odd ""Sch"" émä"."order" SET "group" = 'g' || :i, "from" = "from" + 1000 WHERE "from" = 1 + :i % 50;

-- Tables without a primary key: inserts always (duplicates included).
INSERT INTO online.nopk VALUES (:i % 50, 'dup ' || (:i % 50), :i % 7), (:i % 50, 'dup ' || (:i % 50), :i % 7), (NULL, NULL, :i);
INSERT INTO online.append_log VALUES (:i, 'autocommit', NULL);
\if :nopk_updates
-- Exactly one of several identical rows, rows with NULLs, TOASTed values.
UPDATE online.nopk SET c = c + 1 WHERE ctid = (SELECT ctid FROM online.nopk WHERE a = :i % 50 LIMIT 1);
DELETE FROM online.nopk WHERE ctid = (SELECT ctid FROM online.nopk WHERE a = (:i + 25) % 50 LIMIT 1);
UPDATE online.nopk SET b = 'was null ' || :i WHERE ctid = (SELECT ctid FROM online.nopk WHERE a IS NULL AND b IS NULL LIMIT 1);
UPDATE online.nopk_toast SET k = k + 10 WHERE ctid = (SELECT ctid FROM online.nopk_toast WHERE k = :i % 10 LIMIT 1);
DELETE FROM online.append_log WHERE ctid = (SELECT ctid FROM online.append_log WHERE n = :i - 5 LIMIT 1);
\endif

-- A bigger transaction now and then.
\if :fifth
INSERT INTO online.bulk SELECT :i * 10000 + g, :i, repeat(md5(g::text), 3) FROM generate_series(1, 2000) g;
UPDATE online.bulk SET filler = 'upd' WHERE batch = :i - 5 AND id % 3 = 0;
DELETE FROM online.bulk WHERE batch = :i - 10;
\endif

-- fixture_core tables: every type, triggers that rewrite rows on the source,
-- multi-level partitions, a table that was REPLICA IDENTITY FULL already.
\if :fixture
SELECT online.clone_all_types(1 + :i % 5, 10000 + :i);
UPDATE app.all_types SET c_text = coalesce(c_text, '') || E'\t' || :i, c_int4 = coalesce(c_int4, 0) + 1
    WHERE id = (ARRAY[1, 2, 4, 5])[1 + (:i + 1) % 4];
DELETE FROM app.all_types WHERE id = 10000 + :i - 3;
INSERT INTO app.trig_target (id, note) VALUES (1000 + :i, 'w ' || :i);
UPDATE app.trig_target SET note = 'upd ' || :i WHERE id = 1 + :i % 200;
INSERT INTO app.copy_traps VALUES (E'\\.'), (E'\\N ' || :i), (E'line\nbreak\r\n' || :i);
INSERT INTO app.no_pk_dups VALUES (1, 'one', 1.0), (NULL, NULL, :i);
DELETE FROM app.no_pk_dups WHERE ctid = (SELECT ctid FROM app.no_pk_dups WHERE a = 1 AND b = 'one' LIMIT 1);
UPDATE app.no_pk_dups SET c = :i WHERE ctid = (SELECT ctid FROM app.no_pk_dups WHERE a IS NULL AND b IS NULL LIMIT 1);
UPDATE sales.customers SET name = name || '+' WHERE customer_id = 1 + :i % 5000;
INSERT INTO sales.orders VALUES (100000 + :i, date '2022-01-01' + (:i * 3) % 1095, (ARRAY['eu', 'us', 'ca', 'apac'])[1 + :i % 4],
                                 1 + :i % 5000, :i, 'w ' || :i);
\if :pg11
-- (10: sales.orders has no primary key, so no updates or deletes there)
-- 2022 -> 2023 (range), 2023 -> 2024 (sub-partitioned by list), eu <-> us (list)
UPDATE sales.orders SET order_date = order_date + 365 WHERE order_id = 1 + (:i * 29) % 10000 AND order_date < '2024-01-01';
UPDATE sales.orders SET region = 'eu' WHERE order_id = 1 + (:i * 31) % 10000 AND order_date >= '2024-01-01' AND region = 'us';
DELETE FROM sales.orders WHERE order_id = 1 + (:i * 41) % 10000;
\endif
UPDATE "Ünïcødé 表"."données 📦" SET "値 with space" = "値 with space" || '表' WHERE "ключ" = 1 + :i % 100;
UPDATE public."select" SET "from" = "from" || ',', "check" = NOT "check" WHERE "order" = 1 + :i % 100;
\endif
