-- pgshuttle online-migration tests: the tables the concurrent workload
-- (workload_step.sql) writes to, in schema "online" and in a schema with odd
-- identifiers.  Load after fixture_core.sql (or alone: nothing here depends on
-- it) with:
--   psql -v ON_ERROR_STOP=1 -d DB -f tests/sql/online/schema.sql
-- Loads on PostgreSQL 10 and later; 11+ and 12+ features sit in \if sections
-- (partitioned primary keys, default partitions, row movement: 11+;
-- generated columns: 12+).  Every value is derived from counters, so each load
-- gives the same rows.

\set ON_ERROR_STOP 1
SET client_min_messages = warning;
SET TimeZone = 'UTC';

SELECT current_setting('server_version_num')::int >= 110000 AS pg11,
       current_setting('server_version_num')::int >= 120000 AS pg12
\gset

CREATE SCHEMA online;

-- Plain keyed table: inserts, updates of the key, deletes, bulk statements.
CREATE TABLE online.accounts (
    id          bigint PRIMARY KEY,
    owner       text NOT NULL,
    balance     numeric(14, 2) NOT NULL DEFAULT 0,
    note        text,
    updated     timestamptz NOT NULL DEFAULT '2000-01-01 00:00:00+00'
);
INSERT INTO online.accounts (id, owner, balance, note)
SELECT g, 'owner ' || g, g * 1.25, CASE WHEN g % 7 = 0 THEN NULL ELSE 'seed ' || g END
FROM generate_series(1, 5000) g;
CREATE INDEX accounts_owner_idx ON online.accounts (owner);

-- Identity ALWAYS: plain and OVERRIDING SYSTEM VALUE inserts.
CREATE TABLE online.ident_always (
    id      integer GENERATED ALWAYS AS IDENTITY (START WITH 10 INCREMENT BY 3) PRIMARY KEY,
    label   text NOT NULL
);
INSERT INTO online.ident_always (label) SELECT 'seed ' || g FROM generate_series(1, 100) g;

-- A bigserial column.
CREATE TABLE online.kv (
    k       text PRIMARY KEY,
    v       bigserial
);
INSERT INTO online.kv (k) SELECT 'key ' || g FROM generate_series(1, 50) g;

-- Truncated together, with RESTART IDENTITY, by truncate_step.sql (11+).
CREATE TABLE online.trunc_ident (
    id      integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    label   text NOT NULL
);
CREATE TABLE online.trunc_kv (
    k       text PRIMARY KEY,
    v       bigserial
);
INSERT INTO online.trunc_ident (label) SELECT 'seed ' || g FROM generate_series(1, 100) g;
INSERT INTO online.trunc_kv (k) SELECT 'seed ' || g FROM generate_series(1, 100) g;

-- TOASTed values (incompressible text and bytea, jsonb) next to a small
-- column: updating only the small column leaves the TOASTed ones unchanged
-- (pgoutput sends them as 'u', test_decoding as unchanged-toast-datum).
CREATE TABLE online.toasty (
    id          integer PRIMARY KEY,
    counter     integer NOT NULL DEFAULT 0,
    doc         text,
    blob        bytea,
    js          jsonb
);
ALTER TABLE online.toasty ALTER COLUMN blob SET STORAGE EXTERNAL;
INSERT INTO online.toasty
SELECT g, 0,
       (SELECT string_agg(md5('doc' || g || '-' || h), '') FROM generate_series(1, 100 * g) h),    -- 3.2 kB .. 64 kB
       (SELECT decode(string_agg(md5('blob' || g || '-' || h), ''), 'hex') FROM generate_series(1, 200 * g) h),
       (SELECT jsonb_agg(jsonb_build_object('h', md5('js' || g || '-' || h))) FROM generate_series(1, 60 * g) h)
FROM generate_series(1, 20) g;
INSERT INTO online.toasty VALUES (21, 0, NULL, NULL, NULL), (22, 0, '', '\x', '[]');

-- Range partitioned (rows move between partitions when ts changes, 11+).
\if :pg11
CREATE TABLE online.part_range (
    id          bigint NOT NULL,
    ts          date NOT NULL,
    region      text NOT NULL,
    payload     text,
    PRIMARY KEY (id, ts)
) PARTITION BY RANGE (ts);
CREATE TABLE online.part_range_2023 PARTITION OF online.part_range FOR VALUES FROM ('2023-01-01') TO ('2024-01-01');
CREATE TABLE online.part_range_2024 PARTITION OF online.part_range FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE online.part_range_2025 PARTITION OF online.part_range FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE TABLE online.part_range_default PARTITION OF online.part_range DEFAULT;
\else
-- 10: no keys on a partitioned table, no default partition: keys per leaf.
CREATE TABLE online.part_range (
    id          bigint NOT NULL,
    ts          date NOT NULL,
    region      text NOT NULL,
    payload     text
) PARTITION BY RANGE (ts);
CREATE TABLE online.part_range_2023 PARTITION OF online.part_range (PRIMARY KEY (id, ts)) FOR VALUES FROM ('2023-01-01') TO ('2024-01-01');
CREATE TABLE online.part_range_2024 PARTITION OF online.part_range (PRIMARY KEY (id, ts)) FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE online.part_range_2025 PARTITION OF online.part_range (PRIMARY KEY (id, ts)) FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE TABLE online.part_range_default PARTITION OF online.part_range (PRIMARY KEY (id, ts)) FOR VALUES FROM ('2026-01-01') TO (MAXVALUE);
\endif
INSERT INTO online.part_range
SELECT g, date '2023-01-01' + (g % 1000), (ARRAY['eu', 'us', 'apac'])[1 + g % 3], 'seed ' || g
FROM generate_series(1, 3000) g;

-- Generated column (12+): the target computes it, nobody sends it.
\if :pg12
CREATE TABLE online.gen_cols (
    id      integer PRIMARY KEY,
    a       integer,
    b       integer,
    total   integer GENERATED ALWAYS AS (coalesce(a, 0) + coalesce(b, 0)) STORED,
    label   text GENERATED ALWAYS AS ('row ' || id::text) STORED
);
INSERT INTO online.gen_cols (id, a, b) SELECT g, g, g % 10 FROM generate_series(1, 500) g;
\endif

-- No primary key and no unique index (duplicates on purpose).  Without
-- --replica-identity-full only inserts are carried: the workload updates and
-- deletes these only when told to (nopk_updates).
CREATE TABLE online.nopk (a integer, b text, c numeric);
INSERT INTO online.nopk SELECT g % 50, 'dup ' || (g % 50), g % 7 FROM generate_series(1, 1000) g;
INSERT INTO online.nopk VALUES (NULL, NULL, NULL), (NULL, NULL, NULL), (NULL, 'null a', 1);

-- No primary key, TOASTed values: a FULL identity old row carries them whole.
CREATE TABLE online.nopk_toast (k integer, big text);
INSERT INTO online.nopk_toast
SELECT g % 10, (SELECT string_agg(md5('nt' || g || '-' || h), '') FROM generate_series(1, 150) h)
FROM generate_series(1, 30) g;

-- Append-only log without any unique constraint: a change applied twice
-- (after a crash and --resume) shows up as an extra row.
CREATE TABLE online.append_log (n bigint, source text, at timestamptz);

-- Big transactions land here.
CREATE TABLE online.bulk (
    id      bigint PRIMARY KEY,
    batch   integer NOT NULL,
    filler  text
);

-- Odd identifiers: quotes, spaces, unicode, reserved words.
CREATE SCHEMA "Odd ""Sch"" émä";
CREATE TABLE "Odd ""Sch"" émä"."Täble ""q"" + spaces" (
    "Key Col"       integer PRIMARY KEY,
    "select"        text,
    "ünï 表"        text,
    "user"          integer,
    "col,comma"     text,
    "col'quote"     text
);
INSERT INTO "Odd ""Sch"" émä"."Täble ""q"" + spaces"
SELECT g, 'select ' || g, '表 ' || repeat('ü', g % 4), g % 5, 'a,b ' || g, 'it''s ' || g
FROM generate_series(1, 200) g;
CREATE TABLE "Odd ""Sch"" émä"."order" (
    "from"      integer,
    "to"        text,
    "group"     text,
    PRIMARY KEY ("from")
);
INSERT INTO "Odd ""Sch"" émä"."order" SELECT g, 'to ' || g, NULL FROM generate_series(1, 50) g;

-- Copies a row of app.all_types (fixture_core) under a new id: every built-in
-- type goes through the stream.  Does nothing without that table.
CREATE FUNCTION online.clone_all_types(src integer, dst integer) RETURNS void
    LANGUAGE plpgsql
    AS $$
DECLARE
    cols text;
BEGIN
    IF to_regclass('app.all_types') IS NULL THEN
        RETURN;
    END IF;
    SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) INTO cols
    FROM pg_attribute
    WHERE attrelid = 'app.all_types'::regclass AND attnum > 0 AND NOT attisdropped AND attname <> 'id';
    EXECUTE format('INSERT INTO app.all_types (id, %s) SELECT $2, %s FROM app.all_types WHERE id = $1', cols, cols)
        USING src, dst;
END
$$;

ANALYZE;
