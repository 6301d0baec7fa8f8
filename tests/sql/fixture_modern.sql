-- pgshuttle test fixture: objects that need PostgreSQL 13, 14 or 15.
--
-- Load AFTER fixture_core.sql, into the same database, and only when the
-- server major is >= 15 (nothing in here is guarded):
--   psql -v ON_ERROR_STOP=1 -d DB -f tests/sql/fixture_modern.sql
--
-- lz4 column compression is deliberately absent: the embedded-postgres
-- builds (npm) have no lz4, so a 15 -> 17 migration would fail on it.

\set ON_ERROR_STOP 1
SET client_min_messages = warning;
SET TimeZone = 'UTC';
SET DateStyle = 'ISO, YMD';
SET IntervalStyle = 'postgres';
SET extra_float_digits = 3;

CREATE SCHEMA modern;
COMMENT ON SCHEMA modern IS 'objects that need PostgreSQL 13+/14+/15+';
GRANT USAGE ON SCHEMA modern TO pgs_reader;

-------------------------------------------------------------------------------
-- Types: numeric infinity (14), multiranges (14), xid8/pg_snapshot/regcollation
-- (13), float denormals (12), custom range type with a named multirange (14)
-------------------------------------------------------------------------------
CREATE TYPE modern.floatrange AS RANGE (subtype = float8, multirange_type_name = modern.floatmultirange);
COMMENT ON TYPE modern.floatrange IS 'range type with an explicitly named multirange';

CREATE TABLE modern.types14 (
    id              integer PRIMARY KEY,
    c_numeric       numeric,
    c_numeric_arr   numeric[],
    c_float4        real,
    c_float8        double precision,
    c_int4mr        int4multirange,
    c_int8mr        int8multirange,
    c_nummr         nummultirange,
    c_datemr        datemultirange,
    c_tsmr          tsmultirange,
    c_tstzmr        tstzmultirange,
    c_floatrange    modern.floatrange,
    c_floatmr       modern.floatmultirange,
    c_xid8          xid8,
    c_snapshot      pg_snapshot,
    c_regcollation  regcollation,
    c_jsonb         jsonb
);
INSERT INTO modern.types14 VALUES
    (1, 'Infinity', '{Infinity,-Infinity,NaN,1.5}', 1.4e-45, 5e-324,
     '{[1,3), [5,8)}', '{[1,2), (10,)}', '{[1.5,2.5], (3,4)}', '{[2024-01-01,2024-02-01), [2024-03-01,infinity)}',
     '{[2024-01-01 00:00,2024-01-02 00:00)}', '{[2024-01-01 00:00+00,2024-01-02 00:00+00), [2024-02-01 00:00+00,)}',
     '[1.5,2.5)', '{[1,2), [3.5,4.5]}', '18446744073709551615', '10:20:10,14,15', '"C"',
     '{"multirange": "{[1,3)}"}'),
    (2, '-Infinity', '{}', '-1.4e-45', '-5e-324',
     '{}', '{}', '{}', '{}', '{}', '{}', 'empty', '{}', '0', '1:1:', 'default', 'null'),
    (3, 'NaN', NULL, 'NaN', '-0', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
    (4, NULL, '{NULL}', NULL, NULL, '{[,)}', '{(,5), [7,9)}', '{[-Infinity,Infinity]}', '{(,)}', '{(,)}', '{(,)}',
     '(,)', '{(,)}', NULL, NULL, 'pg_catalog."POSIX"', NULL);
INSERT INTO modern.types14 (id, c_numeric, c_int4mr, c_tstzmr)
SELECT g, g / 3.0, int4multirange(int4range(g, g + 2), int4range(g + 5, g + 9)),
       tstzmultirange(tstzrange(timestamptz '2024-01-01+00' + g * interval '1 h',
                                timestamptz '2024-01-01+00' + (g + 1) * interval '1 h'))
FROM generate_series(10, 1009) g;
CREATE INDEX types14_int4mr_gist_idx ON modern.types14 USING gist (c_int4mr);

-------------------------------------------------------------------------------
-- Constraints and indexes: NULLS NOT DISTINCT (15), deduplicate_items (13),
-- statistics on expressions (14), gist INCLUDE (12)
-------------------------------------------------------------------------------
CREATE TABLE modern.nnd (
    id      integer PRIMARY KEY,
    a       integer,
    b       text,
    CONSTRAINT nnd_a_b_key UNIQUE NULLS NOT DISTINCT (a, b)
);
INSERT INTO modern.nnd VALUES (1, NULL, NULL), (2, 1, NULL), (3, NULL, 'x'), (4, 1, 'x');
CREATE UNIQUE INDEX nnd_b_uidx ON modern.nnd (b, id) NULLS NOT DISTINCT;
CREATE INDEX nnd_a_dedup_idx ON modern.nnd (a) WITH (deduplicate_items = off);
CREATE INDEX nnd_gist_include_idx ON modern.nnd USING gist (a) INCLUDE (b);
CREATE STATISTICS modern.nnd_expr_stats ON (a + 1), (lower(b)) FROM modern.nnd;

-------------------------------------------------------------------------------
-- Nondeterministic ICU collation (12+, needs ICU on both servers)
-------------------------------------------------------------------------------
CREATE COLLATION modern.case_insensitive (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
CREATE COLLATION modern.german_phonebook (provider = icu, locale = 'de-u-co-phonebk');
CREATE TABLE modern.ci_users (
    id          integer PRIMARY KEY,
    username    text COLLATE modern.case_insensitive NOT NULL,
    display     text COLLATE modern.german_phonebook,
    CONSTRAINT ci_users_username_key UNIQUE (username)
);
INSERT INTO modern.ci_users VALUES (1, 'Alice', 'Ärger'), (2, 'BOB', 'Öl'), (3, 'carol', 'Zebra'),
                                   (4, 'Dävid', 'Äpfel');

-------------------------------------------------------------------------------
-- Functions: SQL-standard bodies (14; dependencies are tracked), procedures
-- with OUT parameters (14), column compression set explicitly (14)
-------------------------------------------------------------------------------
CREATE FUNCTION modern.nnd_count() RETURNS bigint
    LANGUAGE sql STABLE
BEGIN ATOMIC
    SELECT count(*) FROM modern.nnd;
END;

CREATE FUNCTION modern.add_one(i integer) RETURNS integer
    LANGUAGE sql IMMUTABLE
    RETURN i + 1;

CREATE PROCEDURE modern.proc_out(IN a integer, OUT doubled integer)
    LANGUAGE plpgsql
    AS $$ BEGIN doubled := a * 2; END $$;

CREATE TABLE modern.compressed (
    id      integer PRIMARY KEY,
    body    text COMPRESSION pglz,
    blob    bytea
);
ALTER TABLE modern.compressed ALTER COLUMN blob SET COMPRESSION pglz;
INSERT INTO modern.compressed VALUES (1, repeat('pglz compressed ', 100000), decode(repeat('0123456789abcdef', 50000), 'hex'));

-------------------------------------------------------------------------------
-- Views: security_invoker (15)
-------------------------------------------------------------------------------
CREATE VIEW modern.v_invoker WITH (security_invoker = true) AS
    SELECT id, a, b FROM modern.nnd;
CREATE VIEW modern.v_uses_atomic AS SELECT modern.nnd_count() AS n, modern.add_one(41) AS answer;

-------------------------------------------------------------------------------
-- Partitioned table with a BEFORE row trigger (13+), a generated column and
-- an identity column (identity on partitioned tables: 17 only, so not here)
-------------------------------------------------------------------------------
CREATE TABLE modern.measurements (
    id          bigint NOT NULL,
    taken_at    timestamptz NOT NULL,
    celsius     numeric(5, 2),
    fahrenheit  numeric GENERATED ALWAYS AS (celsius * 9 / 5 + 32) STORED,
    note        text,
    PRIMARY KEY (id, taken_at)
) PARTITION BY RANGE (taken_at);
CREATE TABLE modern.measurements_2023 PARTITION OF modern.measurements
    FOR VALUES FROM ('2023-01-01 00:00+00') TO ('2024-01-01 00:00+00');
CREATE TABLE modern.measurements_2024 PARTITION OF modern.measurements
    FOR VALUES FROM ('2024-01-01 00:00+00') TO ('2025-01-01 00:00+00');
CREATE TABLE modern.measurements_default PARTITION OF modern.measurements DEFAULT;

CREATE FUNCTION modern.measurements_tag() RETURNS trigger
    LANGUAGE plpgsql
    AS $$ BEGIN NEW.note := coalesce(NEW.note, '') || ' [tagged]'; RETURN NEW; END $$;
CREATE TRIGGER measurements_tag BEFORE INSERT ON modern.measurements
    FOR EACH ROW EXECUTE FUNCTION modern.measurements_tag();
INSERT INTO modern.measurements (id, taken_at, celsius)
SELECT g, timestamptz '2023-06-01+00' + g * interval '3 hours', (g % 400) / 10.0 - 10
FROM generate_series(1, 5000) g;

-------------------------------------------------------------------------------
-- Unlogged sequence (15), publications with schemas, row filters and
-- column lists (15)
-------------------------------------------------------------------------------
CREATE UNLOGGED SEQUENCE modern.unlogged_seq START WITH 500;
SELECT nextval('modern.unlogged_seq') FROM generate_series(1, 3);

CREATE PUBLICATION pgs_modern_pub FOR TABLES IN SCHEMA modern;
CREATE PUBLICATION pgs_filtered_pub FOR TABLE modern.nnd (id, a) WHERE (a IS NOT NULL),
    TABLE app.parent WHERE (id > 10);

GRANT SELECT ON ALL TABLES IN SCHEMA modern TO pgs_reader;
ALTER TABLE modern.nnd OWNER TO pgs_owner;

ANALYZE modern.types14, modern.nnd, modern.ci_users, modern.measurements;
