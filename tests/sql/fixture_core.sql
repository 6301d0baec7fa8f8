-- pgshuttle test fixture: core objects.
--
-- Load with:  psql -v ON_ERROR_STOP=1 -d DB -f tests/sql/fixture_core.sql
-- Loads on PostgreSQL 10 and later.  Features that need a newer server sit in
-- psql \if sections keyed on the server version (11+, 12+, 17+); everything
-- that needs 13+/15+ unconditionally lives in fixture_modern.sql.
--
-- The fixture is deliberately nasty: it is meant to contain what real
-- databases contain, including the corners that naive copy tools get wrong
-- (triggers that rewrite rows, NOT VALID constraints violated by existing
-- rows, generated columns, dropped columns, zero-column tables, '\.' and '\N'
-- as data, reg* columns, inheritance children with reordered columns, ...).
-- Its "random" data is md5 of counters (not random()), so every load on any
-- server version produces exactly the same rows.
--
-- Roles are cluster-wide: pgs_owner, pgs_reader and pgs_only_on_source are
-- created if missing.  Integration tests create pgs_owner and pgs_reader on
-- the target but NOT pgs_only_on_source (the "missing role" warning path).

\set ON_ERROR_STOP 1
SET client_min_messages = warning;
SET TimeZone = 'UTC';
SET DateStyle = 'ISO, YMD';
SET IntervalStyle = 'postgres';
SET extra_float_digits = 3;
SET standard_conforming_strings = on;

SELECT current_setting('server_version_num')::int >= 110000 AS pg11,
       current_setting('server_version_num')::int >= 120000 AS pg12,
       current_setting('server_version_num')::int >= 170000 AS pg17
\gset

-------------------------------------------------------------------------------
-- Roles (cluster-wide, so IF NOT EXISTS via DO)
-------------------------------------------------------------------------------
DO $roles$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'pgs_owner') THEN
        CREATE ROLE pgs_owner NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'pgs_reader') THEN
        CREATE ROLE pgs_reader NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'pgs_only_on_source') THEN
        CREATE ROLE pgs_only_on_source NOLOGIN;
    END IF;
END
$roles$;

-- Database-level properties (pg_dump --create carries these).
DO $db$
BEGIN
    EXECUTE format('COMMENT ON DATABASE %I IS %L', current_database(),
                   'pgshuttle fixture database: core objects');
    EXECUTE format('ALTER DATABASE %I SET work_mem = %L', current_database(), '8MB');
    EXECUTE format('ALTER ROLE pgs_reader IN DATABASE %I SET statement_timeout = %L',
                   current_database(), '1min');
    EXECUTE format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO pgs_reader', current_database());
END
$db$;

-------------------------------------------------------------------------------
-- Schemas and extensions
-------------------------------------------------------------------------------
CREATE SCHEMA app;
CREATE SCHEMA sales;
CREATE SCHEMA inherit;
CREATE SCHEMA ext;
CREATE SCHEMA owned AUTHORIZATION pgs_owner;
CREATE SCHEMA "Mixed Case Schema";
CREATE SCHEMA "Ünïcødé 表";
CREATE SCHEMA "we""ird schema";

COMMENT ON SCHEMA app IS 'application schema';
COMMENT ON SCHEMA "Ünïcødé 表" IS 'schéma ünïcødé 表 😀';

CREATE EXTENSION IF NOT EXISTS hstore WITH SCHEMA ext;
CREATE EXTENSION IF NOT EXISTS citext WITH SCHEMA public;
CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;
CREATE EXTENSION IF NOT EXISTS btree_gist WITH SCHEMA public;
COMMENT ON EXTENSION hstore IS 'hstore, installed in schema ext';

GRANT USAGE ON SCHEMA app, sales, ext TO pgs_reader;

-------------------------------------------------------------------------------
-- Types: enum, domains, composites, collation, text search config
-------------------------------------------------------------------------------
CREATE TYPE app.mood AS ENUM ('sad', 'ok', 'happy', 'it''s "complicated"');
-- added later with BEFORE: enum sort order differs from OID order
ALTER TYPE app.mood ADD VALUE 'meh' BEFORE 'ok';
ALTER TYPE app.mood ADD VALUE 'ecstatic' AFTER 'happy';
COMMENT ON TYPE app.mood IS 'an enum whose labels were added out of order';

CREATE DOMAIN app.posint AS integer CONSTRAINT posint_positive CHECK (VALUE > 0);
CREATE DOMAIN app.email AS citext
    CONSTRAINT email_has_at CHECK (VALUE ~ '^[^@]+@[^@]+$');
CREATE DOMAIN app.short_code AS varchar(8) NOT NULL DEFAULT 'NONE'
    CHECK (VALUE = upper(VALUE));
COMMENT ON DOMAIN app.posint IS 'strictly positive integer';

CREATE TYPE app.address AS (street text, city text, zip varchar(10));
CREATE TYPE app.geo_pair AS (label text, pos point, addr app.address, tags text[]);
COMMENT ON TYPE app.address IS 'postal address';

CREATE COLLATION app.c_copy FROM "C";

CREATE TEXT SEARCH CONFIGURATION app.simple_en (COPY = pg_catalog.english);
COMMENT ON TEXT SEARCH CONFIGURATION app.simple_en IS 'copy of english';

-------------------------------------------------------------------------------
-- Functions (sql, plpgsql), aggregate, operator
-------------------------------------------------------------------------------
CREATE FUNCTION app.norm(t text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT lower(btrim(t)) $$;
COMMENT ON FUNCTION app.norm(text) IS 'normalise text for indexing';

CREATE FUNCTION app.add_tax(amount numeric, rate numeric DEFAULT 0.2) RETURNS numeric
    LANGUAGE plpgsql IMMUTABLE
    AS $$
BEGIN
    IF amount IS NULL THEN
        RETURN NULL;
    END IF;
    RETURN round(amount * (1 + rate), 2);
END
$$;

CREATE FUNCTION app.set_of_things(n int, OUT i int, OUT label text) RETURNS SETOF record
    LANGUAGE sql STABLE
    AS $$ SELECT g, 'thing ' || g FROM generate_series(1, n) g $$;

-- The body references a table created further down: like pg_dump's output,
-- this only loads with check_function_bodies off.
SET check_function_bodies = off;
CREATE FUNCTION app.secdef_count() RETURNS bigint
    LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, app
    AS $$ SELECT count(*) FROM app.parent $$;
REVOKE EXECUTE ON FUNCTION app.secdef_count() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.secdef_count() TO pgs_reader;
RESET check_function_bodies;

CREATE FUNCTION app.concat_sfunc(acc text, v text) RETURNS text
    LANGUAGE sql IMMUTABLE
    AS $$ SELECT CASE WHEN acc IS NULL THEN v ELSE acc || '|' || v END $$;
CREATE AGGREGATE app.pipe_concat(text) (SFUNC = app.concat_sfunc, STYPE = text);

CREATE FUNCTION app.address_eq(a app.address, b app.address) RETURNS boolean
    LANGUAGE sql IMMUTABLE
    AS $$ SELECT lower(a.street) = lower(b.street) AND lower(a.city) = lower(b.city) $$;
CREATE OPERATOR app.=~= (LEFTARG = app.address, RIGHTARG = app.address,
                         PROCEDURE = app.address_eq, COMMUTATOR = OPERATOR(app.=~=));

-------------------------------------------------------------------------------
-- Every common built-in type
-------------------------------------------------------------------------------
CREATE TABLE app.all_types (
    id              integer PRIMARY KEY,
    c_int2          smallint,
    c_int4          integer,
    c_int8          bigint,
    c_numeric       numeric,
    c_numeric_p     numeric(30, 6),
    c_float4        real,
    c_float8        double precision,
    c_money         money,
    c_text          text,
    c_varchar       varchar(200),
    c_varchar_any   varchar,
    c_char          char(10),
    c_char1         "char",
    c_name          name,
    c_citext        citext,
    c_bytea         bytea,
    c_bool          boolean,
    c_date          date,
    c_time          time,
    c_time_p        time(3),
    c_timetz        timetz,
    c_timestamp     timestamp,
    c_timestamptz   timestamptz,
    c_timestamptz0  timestamptz(0),
    c_interval      interval,
    c_interval_ds   interval day to second(2),
    c_uuid          uuid,
    c_json          json,
    c_jsonb         jsonb,
    c_int_arr       integer[],
    c_int_2d        integer[][],
    c_text_arr      text[],
    c_varchar_arr   varchar(20)[],
    c_bool_arr      boolean[],
    c_float_arr     double precision[],
    c_numeric_arr   numeric[],
    c_ts_arr        timestamptz[],
    c_bytea_arr     bytea[],
    c_jsonb_arr     jsonb[],
    c_uuid_arr      uuid[],
    c_int4range     int4range,
    c_int8range     int8range,
    c_numrange      numrange,
    c_tsrange       tsrange,
    c_tstzrange     tstzrange,
    c_daterange     daterange,
    c_range_arr     int4range[],
    c_point         point,
    c_line          line,
    c_lseg          lseg,
    c_box           box,
    c_path          path,
    c_polygon       polygon,
    c_circle        circle,
    c_inet          inet,
    c_cidr          cidr,
    c_macaddr       macaddr,
    c_macaddr8      macaddr8,
    c_bit           bit(8),
    c_varbit        bit varying(64),
    c_tsvector      tsvector,
    c_tsquery       tsquery,
    c_xml           xml,
    c_oid           oid,
    c_regclass      regclass,
    c_regtype       regtype,
    c_regproc       regproc,
    c_regprocedure  regprocedure,
    c_regoperator   regoperator,
    c_regnamespace  regnamespace,
    c_regrole       regrole,
    c_regconfig     regconfig,
    c_regdictionary regdictionary,
    c_xid           xid,
    c_cid           cid,
    c_tid           tid,
    c_pg_lsn        pg_lsn,
    c_hstore        ext.hstore,
    c_mood          app.mood,
    c_mood_arr      app.mood[],
    c_posint        app.posint,
    c_email         app.email,
    c_short_code    app.short_code,
    c_address       app.address,
    c_address_arr   app.address[],
    c_geo_pair      app.geo_pair
);
COMMENT ON TABLE app.all_types IS 'one column per built-in type; row 3 is all NULL';
COMMENT ON COLUMN app.all_types.c_money IS 'money output depends on lc_monetary';
COMMENT ON COLUMN app.all_types.c_regclass IS 'reg* columns must be copied in text form';

-- Row 1: ordinary values.
INSERT INTO app.all_types VALUES (
    1, 12345, 1234567890, 1234567890123456789,
    '3.14159265358979323846264338327950288419716939937510', 1234567.891234,
    3.14159, 2.718281828459045,
    '1234.56',
    'plain text', 'varchar text', 'any length varchar', 'char', 'c', 'a_name', 'MiXeD CaSe',
    '\xdeadbeef', true,
    '2024-02-29', '13:45:30.123456', '13:45:30.1235', '13:45:30+05:30',
    '2024-02-29 13:45:30.123456', '2024-02-29 13:45:30.123456+01', '2024-02-29 13:45:30.6+00',
    '1 year 2 mons 3 days 04:05:06.789', '3 days 04:05:06.789',
    'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
    '{"a": 1, "b": [1, 2, 3], "c": {"d": "e"}}',
    '{"a": 1, "b": [1, 2, 3], "c": {"d": "e"}, "num": 1.50, "big": 123456789012345678901234567890}',
    '{1,2,3}', '{{1,2,3},{4,5,6}}', '{alpha,beta,gamma}', '{x,y}', '{t,f}',
    '{1.5,-2.25,0}', '{1.10,2.200,3}', '{"2024-01-01 00:00:00+00","2024-06-01 12:00:00+02"}',
    '{"\\x00ff","\\x"}', ARRAY['{"k": 1}'::jsonb, '[1, "two"]'::jsonb],
    '{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}',
    '[1,10)', '[-9223372036854775808,9223372036854775807)', '[1.5,2.5]',
    '[2024-01-01 00:00,2024-01-02 00:00)', '[2024-01-01 00:00+00,2024-01-02 00:00+05:30)', '[2024-01-01,2024-12-31]',
    '{"[1,5)","[7,9)",empty}',
    '(1.5,2.5)', '{1,-1,0}', '[(0,0),(1,1)]', '(2,2),(0,0)', '[(0,0),(1,1),(2,0)]',
    '((0,0),(0,1),(1,1),(1,0))', '<(0,0),5>',
    '192.168.1.1/24', '10.0.0.0/8', '08:00:2b:01:02:03', '08:00:2b:01:02:03:04:05',
    B'10101010', B'1100110011',
    'a fat cat sat:3A on:4 mat:5B', 'fat & (rat | cat) & !dog',
    '<root a="1"><child>text &amp; more</child><empty/></root>',
    4294967295, 'app.all_types', 'app.address', 'app.norm', 'app.add_tax(numeric,numeric)',
    '-(integer,integer)', 'app', 'pgs_owner', 'english', 'english_stem',
    '12345', '7', '(12,34)', '16/B374D848',
    '"a"=>"1", "b"=>NULL, "c d"=>"e\"f"',
    'happy', '{sad,meh,"it''s \"complicated\""}',
    42, 'Someone@Example.COM', 'ABC',
    ROW('1 Main St', 'Springfield', '12345'),
    ARRAY[ROW('1 Main St', 'Springfield', '12345')::app.address,
          ROW('2 "Quoted" Ave, Apt 3', 'Ünïcødé 表', NULL)::app.address],
    ROW('home', point(1, 2), ROW('x', 'y', 'z')::app.address, ARRAY['t1', 't,2', NULL])
);

-- Row 2: edge values.
INSERT INTO app.all_types (id, c_int2, c_int4, c_int8, c_numeric, c_numeric_p, c_float4, c_float8,
    c_money, c_text, c_varchar, c_varchar_any, c_char, c_char1, c_name, c_citext, c_bytea, c_bool,
    c_date, c_time, c_time_p, c_timetz, c_timestamp, c_timestamptz, c_timestamptz0, c_interval,
    c_interval_ds, c_uuid, c_json, c_jsonb, c_int_arr, c_int_2d, c_text_arr, c_varchar_arr,
    c_bool_arr, c_float_arr, c_numeric_arr, c_ts_arr, c_bytea_arr, c_jsonb_arr, c_uuid_arr,
    c_int4range, c_int8range, c_numrange, c_tsrange, c_tstzrange, c_daterange, c_range_arr,
    c_point, c_line, c_lseg, c_box, c_path, c_polygon, c_circle, c_inet, c_cidr, c_macaddr,
    c_macaddr8, c_bit, c_varbit, c_tsvector, c_tsquery, c_xml, c_oid, c_regclass, c_regtype,
    c_regproc, c_regprocedure, c_regoperator, c_regnamespace, c_regrole, c_regconfig,
    c_regdictionary, c_xid, c_cid, c_tid, c_pg_lsn, c_hstore, c_mood, c_mood_arr, c_posint,
    c_email, c_short_code, c_address, c_address_arr, c_geo_pair)
VALUES (
    2, -32768, -2147483648, -9223372036854775808,
    'NaN', -99999999999999999999999.999999,
    'NaN', '-0',
    '-92233720368547758.08',
    '', '', '', '', '', '', '',
    '\x', false,
    '-infinity', '00:00:00', '24:00:00', '00:00:00-15:59',
    'infinity', '-infinity', 'infinity',
    '-178000000 years', '-1 days +02:03:04.5',
    '00000000-0000-0000-0000-000000000000',
    '{"nul": "\u0000", "dup": 1, "dup": 2,   "ws"  :  true}',
    '{"": "", "esc": "tab\there\nnl \"q\" \\ / \u00e9 \ud83d\ude00", "arr": [], "obj": {}, "n": null, "neg": -0.0, "exp": 1e-10}',
    '{}', '{{{1,2},{3,4}},{{5,6},{7,NULL}}}', '{NULL,"",NULL,"NULL","a,b","c\"d","back\\slash"," sp ","{brace}"}',
    '{}', '{NULL,true}',
    '{NaN,Infinity,-Infinity,-0,1.7976931348623157e308,2.2250738585072014e-308}',
    '{NaN,0.000000000000000000000000000001,-1e30}',
    '{infinity,-infinity,NULL}', '{NULL,"\\x00000000"}', ARRAY[NULL::jsonb, 'null'::jsonb],
    '{}',
    'empty', '(,)', '(,5.5]', '(,)', '[2024-01-01 00:00+00,infinity)', '[-infinity,2024-01-01)',
    '{}',
    '(-0,1e+300)', '{0,1,-5.5}', '[(1e-300,-1e-300),(0,0)]', '(0,0),(0,0)', '((0,0),(1,1),(2,0))',
    '((0,0))', '<(1.5,-2.5),0>',
    '::1', '2001:db8::/32', 'ff:ff:ff:ff:ff:ff', '00:00:00:00:00:00:00:00',
    B'00000000', B'',
    '', '',
    'just text, not a document <b>bold</b> &lt;',
    0, '-', 'integer[]', '-', '-', '||/(NONE,double precision)',
    '"Ünïcødé 表"', 'pgs_reader', 'simple', 'simple',
    '0', '0', '(0,0)', '0/0',
    '',
    'it''s "complicated"', '{}',
    2147483647, 'a@b', 'NONE',
    ROW(NULL, NULL, NULL), '{}', ROW(NULL, NULL, NULL, '{}')
);

-- Row 3: NULL in every nullable column (c_short_code is a NOT NULL domain).
INSERT INTO app.all_types (id, c_short_code) VALUES (3, 'X');

-- Row 4: hostile text.
INSERT INTO app.all_types (id, c_text, c_varchar, c_char, c_citext, c_bytea, c_json, c_jsonb,
                           c_text_arr, c_tsvector, c_tsquery, c_xml, c_hstore, c_name, c_short_code,
                           c_float4, c_float8, c_numeric, c_money, c_timestamptz, c_interval,
                           c_date, c_inet, c_int_arr)
VALUES (
    4,
    E'tab\there, newline\nline 2, CR\rcr, CRLF\r\nend, backslash \\ and \\\\ double, quote '' and "double", NUL-free \x01\x02\x1f bell\x07',
    E'comma, semicolon; pipe | \\N not null',
    E'q''"\\',
    E'ÄÖÜ äöü ß — “smart” ‘quotes’ 😀🎉 表 𝄞 \u00e9',
    E'\\x000102030405060708090a0b0c0d0e0f00ff00fe5c0d0a2c22',
    '["\\\\", "\"", "\t", "\u2028", "😀"]',
    E'{"key with \\"quotes\\"": "value\\nwith newline", "emoji": "😀", "unicode \\u00fc": 1}',
    ARRAY[E'line1\nline2', E'tab\tsep', E'back\\slash', 'quote"s', 'comma,s', '{curly}', 'NULL', '', ' '],
    $$'it''s' 'back\\slash' 'sp ace':1 'ÜñïçøðÉ'$$,
    $$'it''s' & 'sp ace':*$$,
    '<?xml version="1.0"?><a b="&quot;q&quot;">ü &lt;&gt; 😀</a>',
    E'"k\\"ey"=>"v\\\\al", "ü"=>"😀", "empty"=>""',
    E'name with "quote" and \\',
    'QUOTE''S',
    'Infinity', '-Infinity', '-0.000000000000000000000000000000000000000000001', '0',
    '1900-01-01 00:00:00+00', '-1 mons +1 days -00:00:01', '0001-01-01 BC', '2001:db8::1/64',
    '[0:2]={10,20,30}'
);

-- Row 5: more edge values.
INSERT INTO app.all_types (id, c_float4, c_float8, c_numeric, c_money, c_timestamptz, c_timestamp,
                           c_date, c_interval, c_text, c_bytea, c_numrange, c_tstzrange, c_daterange,
                           c_int4range, c_bit, c_varbit, c_jsonb, c_xml, c_int_2d, c_text_arr, c_short_code)
VALUES (
    5, 'Infinity', 'Infinity', repeat('9', 1000)::numeric, '92233720368547758.07',
    '0099-06-15 12:00:00+00 BC', '294276-12-31 23:59:59.999999', '5874897-12-31',
    '178000000 years', repeat('x', 5000), decode(repeat('00', 3000), 'hex'),
    'empty', 'empty', 'empty', '[,)', B'11111111', B'0',
    '[1, 2.0, 3e2, -4.5e-1, true, false, null, "x"]',
    '<doc><![CDATA[ <not> & markup ]]></doc>',
    '[1:2][-1:0]={{1,2},{3,4}}', '{"\\N","\\.","\\"}', 'Y'
);

-- 2000 generated rows with a bit of everything.
INSERT INTO app.all_types (id, c_int4, c_int8, c_numeric, c_float8, c_text, c_bytea, c_bool,
                           c_timestamptz, c_date, c_uuid, c_jsonb, c_int_arr, c_inet, c_mood,
                           c_tstzrange, c_short_code)
SELECT g, g * 7, g::bigint * 1000000007, g / 7.0, g / 3.0, md5(g::text),
       decode(md5(g::text), 'hex'), g % 2 = 0,
       timestamptz '2020-01-01 00:00:00+00' + g * interval '1 hour 7 minutes',
       date '2000-01-01' + g, md5('u' || g)::uuid,
       jsonb_build_object('g', g, 'sq', g * g, 'name', 'item ' || g, 'tags', jsonb_build_array('a', g % 5)),
       ARRAY[g, g + 1, NULL], ('10.' || (g / 256) % 256 || '.' || g % 256 || '.1')::inet,
       (ARRAY['sad', 'meh', 'ok', 'happy', 'ecstatic'])[1 + g % 5]::app.mood,
       tstzrange(timestamptz '2020-01-01+00' + g * interval '1 day',
                 timestamptz '2020-01-01+00' + (g + 1) * interval '1 day'),
       'G' || (g % 100)
FROM generate_series(10, 2009) g;

-------------------------------------------------------------------------------
-- COPY traps: data that looks like COPY syntax
-------------------------------------------------------------------------------
CREATE TABLE app.copy_traps (t text);
INSERT INTO app.copy_traps VALUES
    (E'\\.'), (E'\\N'), ('\N'), (''), (NULL), (E'\n'), (E'\r'), (E'\r\n'), ('"'), (','),
    (E'\t'), (E'\\'), (E'a\\.b'), (E'\\.\n'), ('NULL'), (' '), (E'\\x41'), ('"quoted, with comma"'),
    (E'multi\nline\n\\.\nstill data');
COMMENT ON TABLE app.copy_traps IS 'single column table whose values look like COPY syntax';

-------------------------------------------------------------------------------
-- TOAST: values over 1 MB, compressible and incompressible
-------------------------------------------------------------------------------
CREATE TABLE app.toast_values (
    id              integer PRIMARY KEY,
    compressible    text,
    incompressible  text,
    random_bytes    bytea,
    big_json        jsonb,
    ext_storage     text,
    main_storage    text
);
ALTER TABLE app.toast_values ALTER COLUMN ext_storage SET STORAGE EXTERNAL;
ALTER TABLE app.toast_values ALTER COLUMN main_storage SET STORAGE MAIN;
ALTER TABLE app.toast_values SET (toast.autovacuum_enabled = false);

INSERT INTO app.toast_values
SELECT 1,
       repeat('compressible text ', 150000),                                   -- 2.7 MB, compresses well
       (SELECT string_agg(md5('t' || g), '') FROM generate_series(1, 40000) g),     -- 1.28 MB random hex
       (SELECT decode(string_agg(md5('b' || g), ''), 'hex') FROM generate_series(1, 70000) g), -- 1.12 MB random
       (SELECT jsonb_build_object('items', jsonb_agg(jsonb_build_object('i', g, 'h', md5(g::text))))
          FROM generate_series(1, 20000) g),
       (SELECT string_agg(md5(g::text), '') FROM generate_series(1, 40000) g),
       repeat('main storage ', 1000);
INSERT INTO app.toast_values VALUES
    -- around the 2 kB TOAST threshold: compressible / incompressible
    (2, repeat('y', 1990), (SELECT string_agg(md5(g::text), '') FROM generate_series(1, 64) g),
     (SELECT decode(string_agg(md5(g::text), ''), 'hex') FROM generate_series(1, 130) g),
     '{"small": true}', repeat('e', 3000), 'm'),
    (3, NULL, NULL, NULL, NULL, NULL, NULL),
    (4, '', '', '\x', '{}', '', '');

-------------------------------------------------------------------------------
-- A big table (split into ranges by the copier): ~300k rows, integer PK
-------------------------------------------------------------------------------
CREATE TABLE app.big_table (
    id          integer NOT NULL,
    grp         integer NOT NULL,
    val         text,
    amount      numeric(12, 2),
    created_at  timestamptz NOT NULL,
    flag        boolean
);
INSERT INTO app.big_table
SELECT g, g % 97, 'row ' || g || ' ' || substr(md5(g::text), 1, 12),
       round((g * 1.37)::numeric % 100000, 2),
       timestamptz '2020-01-01 00:00:00+00' + g * interval '1 minute',
       CASE WHEN g % 10 = 0 THEN NULL ELSE g % 3 = 0 END
FROM generate_series(1, 300000) g;
-- leave some gaps and out-of-order physical layout
DELETE FROM app.big_table WHERE id % 1000 = 500;
UPDATE app.big_table SET val = val || ' (updated)' WHERE id % 5000 = 1;
ALTER TABLE app.big_table ADD CONSTRAINT big_table_pkey PRIMARY KEY (id);
CREATE INDEX big_table_grp_id_idx ON app.big_table (grp, id DESC);
CREATE INDEX big_table_created_brin ON app.big_table USING brin (created_at) WITH (pages_per_range = 32);
ALTER TABLE app.big_table ALTER COLUMN grp SET STATISTICS 500;
ALTER TABLE app.big_table ALTER COLUMN val SET (n_distinct = -0.9);
ALTER TABLE app.big_table SET (fillfactor = 90, autovacuum_vacuum_scale_factor = 0.05);
COMMENT ON TABLE app.big_table IS '~300k rows, big enough to be split into ranges';

-------------------------------------------------------------------------------
-- Identity, serial, sequences
-------------------------------------------------------------------------------
CREATE TABLE app.ident_always (
    id      integer GENERATED ALWAYS AS IDENTITY (START WITH 100 INCREMENT BY 5) PRIMARY KEY,
    label   text
);
INSERT INTO app.ident_always (label) SELECT 'always ' || g FROM generate_series(1, 50) g;
INSERT INTO app.ident_always (id, label) OVERRIDING SYSTEM VALUE VALUES (1, 'overridden');

CREATE TABLE app.ident_default (
    id      bigint GENERATED BY DEFAULT AS IDENTITY (MINVALUE -1000 START WITH -10 CACHE 10) PRIMARY KEY,
    label   text
);
INSERT INTO app.ident_default (label) SELECT 'default ' || g FROM generate_series(1, 25) g;
INSERT INTO app.ident_default (id, label) VALUES (5000, 'explicit id');

CREATE TABLE app.serials (
    id      serial PRIMARY KEY,
    big     bigserial,
    small   smallserial,
    label   text
);
INSERT INTO app.serials (label) SELECT 'serial ' || g FROM generate_series(1, 1000) g;

CREATE SEQUENCE app.seq_standalone;
SELECT nextval('app.seq_standalone') FROM generate_series(1, 17);

CREATE SEQUENCE app.seq_desc INCREMENT BY -1 MINVALUE -1000 MAXVALUE -1 START WITH -1;
SELECT nextval('app.seq_desc') FROM generate_series(1, 5);

CREATE SEQUENCE app.seq_never_called START WITH 1000;

CREATE SEQUENCE app.seq_setval_false;
SELECT setval('app.seq_setval_false', 77, false);

CREATE SEQUENCE app.seq_cycle AS smallint INCREMENT BY 7 MINVALUE 10 MAXVALUE 50 START WITH 10 CACHE 3 CYCLE;
SELECT nextval('app.seq_cycle') FROM generate_series(1, 9);   -- wraps around

CREATE SEQUENCE app.a_sequence_name_exactly_sixty_three_characters_long_abcdefghijk;
SELECT setval('app.a_sequence_name_exactly_sixty_three_characters_long_abcdefghijk', 123456789);

CREATE TABLE app.uses_owned_seq (id bigint, label text);
CREATE SEQUENCE app.seq_owned OWNED BY app.uses_owned_seq.id;
ALTER TABLE app.uses_owned_seq ALTER COLUMN id SET DEFAULT nextval('app.seq_owned');
INSERT INTO app.uses_owned_seq (label) SELECT 'owned ' || g FROM generate_series(1, 10) g;
COMMENT ON SEQUENCE app.seq_standalone IS 'a standalone sequence, called 17 times';

-------------------------------------------------------------------------------
-- Tables without PK (duplicates), zero columns, dropped columns, unlogged
-------------------------------------------------------------------------------
CREATE TABLE app.no_pk_dups (a integer, b text, c numeric);
INSERT INTO app.no_pk_dups VALUES
    (1, 'one', 1.0), (1, 'one', 1.0), (1, 'one', 1.0), (2, 'two', NULL), (2, 'two', NULL),
    (NULL, NULL, NULL), (NULL, NULL, NULL), (3, 'three', 3.00), (3, 'three', 3.0);
INSERT INTO app.no_pk_dups SELECT g % 100, 'dup ' || (g % 100), g % 7 FROM generate_series(1, 3000) g;

CREATE TABLE app.zero_cols ();
INSERT INTO app.zero_cols DEFAULT VALUES;
INSERT INTO app.zero_cols DEFAULT VALUES;
INSERT INTO app.zero_cols DEFAULT VALUES;
INSERT INTO app.zero_cols DEFAULT VALUES;
COMMENT ON TABLE app.zero_cols IS 'a table with zero columns and four rows';

CREATE TABLE app.dropped_cols (a integer PRIMARY KEY, b text, c integer, d text);
INSERT INTO app.dropped_cols SELECT g, 'b' || g, g * 2, 'd' || g FROM generate_series(1, 500) g;
ALTER TABLE app.dropped_cols DROP COLUMN b;
ALTER TABLE app.dropped_cols DROP COLUMN d;
ALTER TABLE app.dropped_cols ADD COLUMN e text DEFAULT 'added later';
ALTER TABLE app.dropped_cols ADD COLUMN f timestamptz DEFAULT '2024-01-01 00:00:00+00';
INSERT INTO app.dropped_cols (a, c, e) VALUES (501, 1002, 'after the drop');

CREATE UNLOGGED TABLE app.unlogged_cache (
    key     text PRIMARY KEY,
    value   jsonb,
    expires timestamptz
);
INSERT INTO app.unlogged_cache
SELECT 'key:' || g, jsonb_build_object('v', g), timestamptz '2030-01-01+00' + g * interval '1 s'
FROM generate_series(1, 1000) g;
CREATE INDEX unlogged_cache_expires_idx ON app.unlogged_cache (expires);

-------------------------------------------------------------------------------
-- Foreign keys
-------------------------------------------------------------------------------
CREATE TABLE app.parent (
    id      integer PRIMARY KEY,
    name    text NOT NULL,
    code    text COLLATE "C" NOT NULL,
    created timestamptz DEFAULT '2024-01-01 00:00:00+00',
    CONSTRAINT parent_code_key UNIQUE (code),
    CONSTRAINT parent_name_not_blank CHECK (btrim(name) <> '')
);
INSERT INTO app.parent SELECT g, 'Parent ' || g, 'P' || lpad(g::text, 5, '0') FROM generate_series(1, 1000) g;
COMMENT ON CONSTRAINT parent_code_key ON app.parent IS 'codes are unique';
COMMENT ON COLUMN app.parent.code IS 'collation "C"';

CREATE TABLE app.child (
    id          integer PRIMARY KEY,
    parent_id   integer NOT NULL REFERENCES app.parent (id) ON DELETE CASCADE ON UPDATE CASCADE,
    other_id    integer,
    note        text,
    amount      numeric(10, 2) CHECK (amount >= 0),
    CONSTRAINT child_other_fk FOREIGN KEY (other_id) REFERENCES app.parent (id)
        DEFERRABLE INITIALLY DEFERRED
);
INSERT INTO app.child SELECT g, 1 + g % 1000, CASE WHEN g % 3 = 0 THEN NULL ELSE 1 + (g * 7) % 1000 END,
                             'child note ' || g, (g % 500) * 1.25
FROM generate_series(1, 10000) g;
CREATE INDEX child_parent_id_idx ON app.child (parent_id);

-- multi-column FK
CREATE TABLE app.mc_parent (a integer, b text, payload text, PRIMARY KEY (a, b));
INSERT INTO app.mc_parent SELECT g / 10, 'k' || g % 10, 'payload ' || g FROM generate_series(0, 999) g;
CREATE TABLE app.mc_child (
    id  integer PRIMARY KEY,
    a   integer,
    b   text,
    CONSTRAINT mc_child_fk FOREIGN KEY (a, b) REFERENCES app.mc_parent (a, b) MATCH SIMPLE ON DELETE SET NULL
);
INSERT INTO app.mc_child SELECT g, g % 100, 'k' || g % 10 FROM generate_series(1, 2000) g;
INSERT INTO app.mc_child VALUES (2001, NULL, 'k1'), (2002, 5, NULL);

-- self-referencing FK
CREATE TABLE app.employees (
    id          integer PRIMARY KEY,
    name        text NOT NULL,
    manager_id  integer REFERENCES app.employees (id) ON DELETE SET NULL
);
INSERT INTO app.employees VALUES (1, 'CEO', NULL);
INSERT INTO app.employees SELECT g, 'Employee ' || g, g / 10 + 1 FROM generate_series(2, 1500) g;
-- a forward reference (manager with a higher id than the employee)
UPDATE app.employees SET manager_id = 1500 WHERE id = 3;

-- circular FKs (both deferrable)
CREATE TABLE app.circ_a (id integer PRIMARY KEY, b_id integer);
CREATE TABLE app.circ_b (id integer PRIMARY KEY, a_id integer REFERENCES app.circ_a (id) DEFERRABLE);
ALTER TABLE app.circ_a ADD CONSTRAINT circ_a_b_fk FOREIGN KEY (b_id) REFERENCES app.circ_b (id)
    DEFERRABLE INITIALLY DEFERRED;
BEGIN;
INSERT INTO app.circ_a SELECT g, g FROM generate_series(1, 100) g;
INSERT INTO app.circ_b SELECT g, g FROM generate_series(1, 100) g;
COMMIT;

-- NOT VALID constraints with rows that violate them: must stay NOT VALID.
CREATE TABLE app.not_valid (id integer PRIMARY KEY, qty integer, parent_id integer);
INSERT INTO app.not_valid VALUES (1, 5, 1), (2, -3, 999999), (3, NULL, NULL);
ALTER TABLE app.not_valid ADD CONSTRAINT not_valid_qty_check CHECK (qty >= 0) NOT VALID;
ALTER TABLE app.not_valid ADD CONSTRAINT not_valid_parent_fk FOREIGN KEY (parent_id)
    REFERENCES app.parent (id) NOT VALID;
COMMENT ON TABLE app.not_valid IS 'row 2 violates both NOT VALID constraints';

-------------------------------------------------------------------------------
-- Check, unique (incl. deferrable), exclusion constraints
-------------------------------------------------------------------------------
CREATE TABLE app.constrained (
    id          integer PRIMARY KEY,
    email       app.email UNIQUE,
    lo          integer,
    hi          integer,
    pos         integer,
    slot        integer,
    CONSTRAINT constrained_lo_hi CHECK (lo <= hi),
    CONSTRAINT constrained_pos_uniq UNIQUE (pos) DEFERRABLE INITIALLY IMMEDIATE,
    CONSTRAINT constrained_slot_uniq UNIQUE (slot) DEFERRABLE INITIALLY DEFERRED
);
INSERT INTO app.constrained SELECT g, 'user' || g || '@example.com', g, g + 10, g, 1000 - g
FROM generate_series(1, 500) g;

CREATE TABLE app.reservations (
    id      integer PRIMARY KEY,
    room    integer NOT NULL,
    during  tstzrange NOT NULL,
    guest   text,
    CONSTRAINT reservations_no_overlap EXCLUDE USING gist (room WITH =, during WITH &&)
);
INSERT INTO app.reservations
SELECT g, g % 20, tstzrange(timestamptz '2024-01-01+00' + (g / 20) * interval '1 day',
                            timestamptz '2024-01-01+00' + (g / 20 + 1) * interval '1 day'),
       'guest ' || g
FROM generate_series(1, 2000) g;
COMMENT ON CONSTRAINT reservations_no_overlap ON app.reservations IS 'needs btree_gist';

-------------------------------------------------------------------------------
-- Index kinds
-------------------------------------------------------------------------------
CREATE TABLE app.documents (
    id          integer PRIMARY KEY,
    owner_name  text NOT NULL DEFAULT current_user,
    title       text NOT NULL,
    body        text,
    body_tsv    tsvector,
    attrs       jsonb,
    props       ext.hstore,
    location    point,
    ip          inet,
    created_at  timestamptz NOT NULL,
    tags        text[],
    code        text COLLATE "C"
);
INSERT INTO app.documents
SELECT g,
       CASE WHEN g % 3 = 0 THEN 'pgs_reader' ELSE 'someone_else' END,
       'Document number ' || g || CASE WHEN g % 7 = 0 THEN ' (Draft)' ELSE '' END,
       'Lorem ipsum ' || md5(g::text) || ' dolor sit amet ' || g,
       to_tsvector('english', 'document ' || g || ' about cats and dogs number ' || (g % 13)),
       jsonb_build_object('kind', CASE WHEN g % 2 = 0 THEN 'even' ELSE 'odd' END, 'n', g,
                          'nested', jsonb_build_object('x', g % 10)),
       ext.hstore(ARRAY['k1', 'k2'], ARRAY['v' || g, NULL]),
       point(g % 100, g / 100),
       ('192.168.' || (g / 250) % 256 || '.' || g % 250)::inet,
       timestamptz '2023-01-01+00' + g * interval '37 minutes',
       ARRAY['tag' || g % 5, 'tag' || g % 11],
       'C-' || g
FROM generate_series(1, 5000) g;

CREATE INDEX documents_title_created_idx ON app.documents (title, created_at DESC NULLS FIRST);
CREATE INDEX documents_drafts_idx ON app.documents (created_at) WHERE title LIKE '%(Draft)';
CREATE INDEX documents_lower_title_idx ON app.documents (lower(title));
CREATE INDEX documents_norm_title_idx ON app.documents (app.norm(title));
CREATE INDEX documents_code_hash_idx ON app.documents USING hash (code);
CREATE INDEX documents_attrs_gin_idx ON app.documents USING gin (attrs jsonb_path_ops);
CREATE INDEX documents_attrs_gin_default_idx ON app.documents USING gin (attrs);
CREATE INDEX documents_tsv_idx ON app.documents USING gin (body_tsv);
CREATE INDEX documents_title_trgm_idx ON app.documents USING gin (title gin_trgm_ops);
CREATE INDEX documents_body_trgm_gist_idx ON app.documents USING gist (body gist_trgm_ops);
CREATE INDEX documents_location_gist_idx ON app.documents USING gist (location);
CREATE INDEX documents_props_gist_idx ON app.documents USING gist (props);
CREATE INDEX documents_created_brin_idx ON app.documents USING brin (created_at);
CREATE INDEX documents_ip_spgist_idx ON app.documents USING spgist (ip);
CREATE INDEX documents_code_spgist_idx ON app.documents USING spgist (code);
CREATE INDEX documents_tags_gin_idx ON app.documents USING gin (tags);
CREATE INDEX documents_code_pattern_idx ON app.documents (code text_pattern_ops) WITH (fillfactor = 70);
CREATE INDEX documents_title_c_idx ON app.documents (title COLLATE "C" DESC);
CREATE UNIQUE INDEX documents_code_lower_uidx ON app.documents (lower(code));
CREATE INDEX an_index_name_that_is_exactly_sixty_three_characters_long_abcde
    ON app.documents (owner_name, id);
\if :pg11
CREATE INDEX documents_covering_idx ON app.documents (owner_name) INCLUDE (title, created_at);
ALTER INDEX app.documents_lower_title_idx ALTER COLUMN 1 SET STATISTICS 300;
\endif
-- A very long index definition (> 1000 characters).
CREATE INDEX documents_long_definition_idx ON app.documents (id, created_at)
WHERE title NOT IN (
    'a long list of excluded titles number 0001', 'a long list of excluded titles number 0002',
    'a long list of excluded titles number 0003', 'a long list of excluded titles number 0004',
    'a long list of excluded titles number 0005', 'a long list of excluded titles number 0006',
    'a long list of excluded titles number 0007', 'a long list of excluded titles number 0008',
    'a long list of excluded titles number 0009', 'a long list of excluded titles number 0010',
    'a long list of excluded titles number 0011', 'a long list of excluded titles number 0012',
    'a long list of excluded titles number 0013', 'a long list of excluded titles number 0014',
    'a long list of excluded titles number 0015', 'a long list of excluded titles number 0016',
    'a long list of excluded titles number 0017', 'a long list of excluded titles number 0018',
    'a long list of excluded titles number 0019', 'a long list of excluded titles number 0020',
    'a long list of excluded titles number 0021', 'a long list of excluded titles number 0022',
    'a long list of excluded titles number 0023', 'a long list of excluded titles number 0024',
    'a long list of excluded titles number 0025', 'a long list of excluded titles number 0026',
    'a long list of excluded titles number 0027', 'a long list of excluded titles number 0028',
    'a long list of excluded titles number 0029', 'a long list of excluded titles number 0030')
  AND (attrs ->> 'kind') IS DISTINCT FROM 'a kind that does not exist, with a long explanation'
  AND coalesce(body, '') NOT LIKE '%some pattern that is long enough to matter in this test%';
COMMENT ON INDEX app.documents_long_definition_idx IS 'definition is longer than 1000 characters';

ALTER TABLE app.documents CLUSTER ON documents_title_created_idx;
ALTER TABLE app.documents ALTER COLUMN title SET STATISTICS 1000;
CREATE STATISTICS app.documents_stats (ndistinct, dependencies) ON owner_name, code FROM app.documents;

-- REPLICA IDENTITY variants
CREATE TABLE app.repl_ident (
    id      integer NOT NULL,
    code    text NOT NULL,
    val     text
);
CREATE UNIQUE INDEX repl_ident_code_uidx ON app.repl_ident (code);
ALTER TABLE app.repl_ident REPLICA IDENTITY USING INDEX repl_ident_code_uidx;
INSERT INTO app.repl_ident SELECT g, 'code-' || g, 'val ' || g FROM generate_series(1, 1000) g;
ALTER TABLE app.no_pk_dups REPLICA IDENTITY FULL;
ALTER TABLE app.copy_traps REPLICA IDENTITY NOTHING;

-------------------------------------------------------------------------------
-- Row-level security
-------------------------------------------------------------------------------
ALTER TABLE app.documents ENABLE ROW LEVEL SECURITY;
ALTER TABLE app.documents FORCE ROW LEVEL SECURITY;
CREATE POLICY documents_owner_read ON app.documents FOR SELECT TO pgs_reader
    USING (owner_name = current_user);
CREATE POLICY documents_owner_write ON app.documents FOR UPDATE TO pgs_reader
    USING (owner_name = current_user) WITH CHECK (owner_name = current_user AND title <> '');
CREATE POLICY documents_no_drafts ON app.documents AS RESTRICTIVE FOR SELECT TO pgs_reader
    USING (title NOT LIKE '%(Draft)');
COMMENT ON POLICY documents_owner_read ON app.documents IS 'readers see their own documents';
GRANT SELECT, UPDATE (title, body) ON app.documents TO pgs_reader;

-------------------------------------------------------------------------------
-- Triggers (including ones that would corrupt data if fired during the copy)
-------------------------------------------------------------------------------
CREATE TABLE app.audit_log (
    id          bigserial PRIMARY KEY,
    table_name  text NOT NULL,
    op          text NOT NULL,
    row_id      integer,
    at          timestamptz NOT NULL DEFAULT '2000-01-01 00:00:00+00'
);

CREATE TABLE app.trig_target (
    id          integer PRIMARY KEY,
    note        text,
    updated_at  timestamptz
);

CREATE FUNCTION app.trig_mark_row() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    NEW.note := coalesce(NEW.note, '') || ' [via trigger]';
    NEW.updated_at := '2001-01-01 00:00:00+00';
    RETURN NEW;
END
$$;

CREATE FUNCTION app.trig_audit() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    INSERT INTO app.audit_log (table_name, op, row_id) VALUES (TG_TABLE_NAME, TG_OP, NEW.id);
    RETURN NULL;
END
$$;

CREATE FUNCTION app.trig_reject_truncate() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    RAISE EXCEPTION 'truncate of % is not allowed', TG_TABLE_NAME;
END
$$;

CREATE TRIGGER trig_target_mark BEFORE INSERT OR UPDATE ON app.trig_target
    FOR EACH ROW EXECUTE PROCEDURE app.trig_mark_row();
CREATE TRIGGER trig_target_audit AFTER INSERT ON app.trig_target
    FOR EACH ROW EXECUTE PROCEDURE app.trig_audit();
CREATE TRIGGER trig_target_stmt AFTER DELETE ON app.trig_target
    FOR EACH STATEMENT EXECUTE PROCEDURE app.trig_reject_truncate();
CREATE CONSTRAINT TRIGGER trig_target_constraint AFTER INSERT ON app.trig_target
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE PROCEDURE app.trig_audit();
CREATE TRIGGER trig_target_when BEFORE UPDATE ON app.trig_target
    FOR EACH ROW WHEN (OLD.note IS DISTINCT FROM NEW.note) EXECUTE PROCEDURE app.trig_mark_row();
INSERT INTO app.trig_target SELECT g, 'note ' || g FROM generate_series(1, 200) g;
-- A disabled trigger must stay disabled; an "always" trigger must stay always.
ALTER TABLE app.trig_target DISABLE TRIGGER trig_target_when;
CREATE TRIGGER child_audit_always AFTER INSERT ON app.child
    FOR EACH ROW EXECUTE PROCEDURE app.trig_audit();
ALTER TABLE app.child ENABLE ALWAYS TRIGGER child_audit_always;
CREATE TRIGGER parent_reject_truncate BEFORE TRUNCATE ON app.parent
    FOR EACH STATEMENT EXECUTE PROCEDURE app.trig_reject_truncate();
ALTER TABLE app.parent ENABLE REPLICA TRIGGER parent_reject_truncate;
COMMENT ON TRIGGER trig_target_mark ON app.trig_target IS 'rewrites rows: must not fire during the copy';

-- A benign event trigger.
CREATE FUNCTION app.evt_noop() RETURNS event_trigger
    LANGUAGE plpgsql
    AS $$ BEGIN NULL; END $$;
CREATE EVENT TRIGGER pgs_evt_noop ON ddl_command_end EXECUTE PROCEDURE app.evt_noop();
ALTER EVENT TRIGGER pgs_evt_noop DISABLE;
COMMENT ON EVENT TRIGGER pgs_evt_noop IS 'disabled no-op event trigger';

-------------------------------------------------------------------------------
-- Partitioning: range (multi-level, default), list (with NULL), hash
-------------------------------------------------------------------------------
CREATE TABLE sales.orders (
    order_id    bigint NOT NULL,
    order_date  date NOT NULL,
    region      text NOT NULL,
    customer_id integer,
    amount      numeric(10, 2),
    note        text
) PARTITION BY RANGE (order_date);
CREATE TABLE sales.orders_2022 PARTITION OF sales.orders FOR VALUES FROM ('2022-01-01') TO ('2023-01-01');
CREATE TABLE sales.orders_2023 PARTITION OF sales.orders FOR VALUES FROM ('2023-01-01') TO ('2024-01-01')
    WITH (fillfactor = 80);
CREATE TABLE sales.orders_2024 PARTITION OF sales.orders FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')
    PARTITION BY LIST (region);
CREATE TABLE sales.orders_2024_eu PARTITION OF sales.orders_2024 FOR VALUES IN ('eu');
CREATE TABLE sales.orders_2024_us PARTITION OF sales.orders_2024 FOR VALUES IN ('us', 'ca');
CREATE TABLE sales.orders_2024_apac PARTITION OF sales.orders_2024 FOR VALUES IN ('apac');
COMMENT ON TABLE sales.orders IS 'range partitioned by date, 2024 sub-partitioned by region';

CREATE TABLE sales.events (
    event_id    bigint NOT NULL,
    kind        text,
    payload     jsonb
) PARTITION BY LIST (kind);
CREATE TABLE sales.events_click PARTITION OF sales.events FOR VALUES IN ('click');
CREATE TABLE sales.events_view PARTITION OF sales.events FOR VALUES IN ('view', 'impression');
CREATE TABLE sales.events_null PARTITION OF sales.events FOR VALUES IN (NULL);
INSERT INTO sales.events
SELECT g, (ARRAY['click', 'view', 'impression', NULL])[1 + g % 4], jsonb_build_object('e', g)
FROM generate_series(1, 4000) g;

\if :pg11
CREATE TABLE sales.orders_2024_other PARTITION OF sales.orders_2024 DEFAULT;
CREATE TABLE sales.orders_default PARTITION OF sales.orders DEFAULT;
ALTER TABLE sales.orders ADD CONSTRAINT orders_pkey PRIMARY KEY (order_id, order_date, region);
CREATE INDEX orders_customer_idx ON sales.orders (customer_id);
CREATE TABLE sales.events_other PARTITION OF sales.events DEFAULT;
INSERT INTO sales.events VALUES (5001, 'purchase', '{"e": 5001}'), (5002, 'refund', NULL);

CREATE TABLE sales.customers (
    customer_id integer PRIMARY KEY,
    name        text NOT NULL,
    country     char(2)
) PARTITION BY HASH (customer_id);
CREATE TABLE sales.customers_p0 PARTITION OF sales.customers FOR VALUES WITH (MODULUS 4, REMAINDER 0);
CREATE TABLE sales.customers_p1 PARTITION OF sales.customers FOR VALUES WITH (MODULUS 4, REMAINDER 1);
CREATE TABLE sales.customers_p2 PARTITION OF sales.customers FOR VALUES WITH (MODULUS 4, REMAINDER 2);
CREATE TABLE sales.customers_p3 PARTITION OF sales.customers FOR VALUES WITH (MODULUS 4, REMAINDER 3);
\else
CREATE TABLE sales.customers (
    customer_id integer PRIMARY KEY,
    name        text NOT NULL,
    country     char(2)
);
CREATE INDEX orders_2022_customer_idx ON sales.orders_2022 (customer_id);
CREATE INDEX orders_2023_customer_idx ON sales.orders_2023 (customer_id);
\endif
INSERT INTO sales.customers SELECT g, 'Customer ' || g, (ARRAY['DE', 'US', 'FR', 'JP'])[1 + g % 4]
FROM generate_series(1, 5000) g;

INSERT INTO sales.orders
SELECT g, date '2022-01-01' + (g % 1095), (ARRAY['eu', 'us', 'ca', 'apac'])[1 + g % 4],
       1 + g % 5000, (g % 1000) * 1.5, CASE WHEN g % 10 = 0 THEN NULL ELSE 'order ' || g END
FROM generate_series(1, 10000) g;
\if :pg11
-- rows that land in the default partitions
INSERT INTO sales.orders VALUES (20001, '2025-06-01', 'eu', 1, 10, 'future order'),
                                (20002, '2024-06-01', 'mx', 2, 20, 'other region');
\endif

\if :pg12
-- FK referencing a partitioned table (12+)
CREATE TABLE sales.order_notes (
    id          integer PRIMARY KEY,
    customer_id integer REFERENCES sales.customers (customer_id),
    note        text
);
INSERT INTO sales.order_notes SELECT g, g, 'note ' || g FROM generate_series(1, 100) g;
ALTER TABLE sales.orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id)
    REFERENCES sales.customers (customer_id);
\endif

-------------------------------------------------------------------------------
-- Inheritance (parent with rows + children, multiple inheritance,
-- reordered child columns, column added to the parent afterwards)
-------------------------------------------------------------------------------
CREATE TABLE inherit.vehicle (
    id      integer PRIMARY KEY,
    name    text NOT NULL,
    wheels  integer CHECK (wheels >= 0)
);
ALTER TABLE inherit.vehicle ADD CONSTRAINT vehicle_only_positive_id CHECK (id > 0) NO INHERIT;
CREATE TABLE inherit.car (doors integer DEFAULT 4) INHERITS (inherit.vehicle);
CREATE TABLE inherit.boat (draft_m numeric(4, 1)) INHERITS (inherit.vehicle);
CREATE TABLE inherit.amphibious (hull text) INHERITS (inherit.car, inherit.boat);
CREATE TABLE inherit.bike (extra text, wheels integer CONSTRAINT vehicle_wheels_check CHECK (wheels >= 0),
                           name text NOT NULL, id integer NOT NULL);
ALTER TABLE inherit.bike INHERIT inherit.vehicle;
ALTER TABLE inherit.vehicle ADD COLUMN color text DEFAULT 'grey';
INSERT INTO inherit.vehicle (id, name, wheels) SELECT g, 'generic ' || g, 4 FROM generate_series(1, 100) g;
INSERT INTO inherit.car (id, name, wheels, doors, color) SELECT g, 'car ' || g, 4, 2 + g % 3, 'red' FROM generate_series(101, 300) g;
INSERT INTO inherit.boat (id, name, wheels, draft_m) SELECT g, 'boat ' || g, 0, g / 100.0 FROM generate_series(301, 350) g;
INSERT INTO inherit.amphibious (id, name, wheels, doors, draft_m, hull) VALUES (351, 'duck', 6, 2, 1.2, 'steel');
INSERT INTO inherit.bike (extra, wheels, name, id) SELECT 'bell', 2, 'bike ' || g, -g FROM generate_series(1, 20) g;
CREATE INDEX car_doors_idx ON inherit.car (doors);
COMMENT ON TABLE inherit.vehicle IS 'inheritance parent that has rows of its own';

-------------------------------------------------------------------------------
-- Quoting: reserved words, quotes, spaces, mixed case, unicode, 63-char names
-------------------------------------------------------------------------------
CREATE TABLE public."select" (
    "order"     integer PRIMARY KEY,
    "from"      text,
    "user"      text,
    "group"     integer,
    "check"     boolean
);
INSERT INTO public."select" SELECT g, 'from ' || g, 'user ' || g, g % 3, g % 2 = 0 FROM generate_series(1, 100) g;
CREATE INDEX "select_group_idx" ON public."select" ("group", "order");
COMMENT ON COLUMN public."select"."order" IS 'a column named order';

CREATE TABLE "Mixed Case Schema"."MixedCase" (
    "Id"            integer PRIMARY KEY,
    "CamelCol"      text,
    "lower col"     text,
    "UPPER"         integer
);
INSERT INTO "Mixed Case Schema"."MixedCase" SELECT g, 'Camel' || g, 'lower ' || g, g * 10 FROM generate_series(1, 50) g;
CREATE INDEX "MixedCase_CamelCol_Idx" ON "Mixed Case Schema"."MixedCase" ("CamelCol");

CREATE TABLE "Ünïcødé 表"."données 📦" (
    "ключ"          integer PRIMARY KEY,
    "値 with space" text,
    "emoji 😀"      text
);
INSERT INTO "Ünïcødé 表"."données 📦" SELECT g, '値 ' || g, repeat('😀', g % 5) FROM generate_series(1, 100) g;
CREATE INDEX "idx ünï 表" ON "Ünïcødé 表"."données 📦" ("値 with space");
COMMENT ON TABLE "Ünïcødé 表"."données 📦" IS 'ünïcødé table 表 😀';

CREATE TABLE "we""ird schema"."ta""ble with ""quotes"" and spaces" (
    "col ""q"" 1"   integer,
    "col 'single'"  text,
    "col;semi"      text,
    "col\back"      text,
    CONSTRAINT "pk ""quoted"" name" PRIMARY KEY ("col ""q"" 1")
);
INSERT INTO "we""ird schema"."ta""ble with ""quotes"" and spaces"
SELECT g, 'single ' || g, 'semi;' || g, E'back\\' || g FROM generate_series(1, 30) g;
CREATE INDEX "index ""with"" quotes" ON "we""ird schema"."ta""ble with ""quotes"" and spaces" ("col 'single'");
CREATE VIEW "we""ird schema"."view ""of"" quotes" AS
    SELECT "col ""q"" 1" AS "q ""id""", "col;semi" FROM "we""ird schema"."ta""ble with ""quotes"" and spaces";

CREATE TABLE app.a_table_name_that_is_exactly_sixty_three_characters_long_abcdef (
    a_column_name_that_is_exactly_sixty_three_characters_long_abcde integer,
    other integer,
    CONSTRAINT a_constraint_name_exactly_sixty_three_characters_long_abcdefghi
        PRIMARY KEY (a_column_name_that_is_exactly_sixty_three_characters_long_abcde)
);
INSERT INTO app.a_table_name_that_is_exactly_sixty_three_characters_long_abcdef
SELECT g, g * 2 FROM generate_series(1, 200) g;
CREATE INDEX long_names_other_idx
    ON app.a_table_name_that_is_exactly_sixty_three_characters_long_abcdef (other);

-------------------------------------------------------------------------------
-- Generated columns (12+)
-------------------------------------------------------------------------------
\if :pg12
CREATE TABLE app.gen_cols (
    id      integer PRIMARY KEY,
    a       integer,
    b       integer,
    total   integer GENERATED ALWAYS AS (coalesce(a, 0) + coalesce(b, 0)) STORED,
    label   text GENERATED ALWAYS AS ('item-' || id::text) STORED,
    tail    text
);
INSERT INTO app.gen_cols (id, a, b, tail) SELECT g, g, g * 2, 'tail ' || g FROM generate_series(1, 1000) g;
INSERT INTO app.gen_cols (id, a, b, tail) VALUES (1001, NULL, NULL, NULL);
COMMENT ON COLUMN app.gen_cols.total IS 'generated stored column: must not be copied';
\endif

-------------------------------------------------------------------------------
-- Views, materialized views, rules
-------------------------------------------------------------------------------
CREATE VIEW app.v_parent_child AS
    SELECT p.id AS parent_id, p.name, count(c.id) AS children, sum(c.amount) AS total
    FROM app.parent p LEFT JOIN app.child c ON c.parent_id = p.id
    GROUP BY p.id, p.name;
COMMENT ON VIEW app.v_parent_child IS 'aggregate view';

CREATE VIEW app.v_big_parents AS
    SELECT * FROM app.v_parent_child WHERE children > 5;

CREATE VIEW app.v_positive_qty AS
    SELECT id, qty FROM app.not_valid WHERE qty > 0
    WITH CASCADED CHECK OPTION;

CREATE VIEW app.v_secure WITH (security_barrier = true) AS
    SELECT id, title FROM app.documents WHERE owner_name = current_user;

CREATE RECURSIVE VIEW app.v_org_chart (id, name, depth) AS
    SELECT id, name, 0 FROM app.employees WHERE manager_id IS NULL
    UNION ALL
    SELECT e.id, e.name, o.depth + 1 FROM app.employees e JOIN v_org_chart o ON e.manager_id = o.id
    WHERE o.depth < 10;

CREATE VIEW public.v_select AS SELECT "order", "from" FROM public."select" WHERE "check";

CREATE TABLE app.rule_sink (id integer, msg text);
CREATE VIEW app.v_with_rule AS SELECT id, msg FROM app.rule_sink;
CREATE RULE v_with_rule_ins AS ON INSERT TO app.v_with_rule
    DO INSTEAD INSERT INTO app.rule_sink VALUES (NEW.id, upper(NEW.msg));
INSERT INTO app.v_with_rule VALUES (1, 'inserted through a rule');

CREATE MATERIALIZED VIEW app.mv_populated AS
    SELECT grp, count(*) AS n, sum(amount) AS total FROM app.big_table GROUP BY grp;
CREATE UNIQUE INDEX mv_populated_grp_idx ON app.mv_populated (grp);
COMMENT ON MATERIALIZED VIEW app.mv_populated IS 'populated materialized view with a unique index';

CREATE MATERIALIZED VIEW app.mv_no_data AS
    SELECT id, name FROM app.parent WHERE id < 100
    WITH NO DATA;
COMMENT ON MATERIALIZED VIEW app.mv_no_data IS 'never refreshed: must stay unpopulated';

CREATE MATERIALIZED VIEW app.mv_on_mv AS SELECT sum(n) AS total_rows FROM app.mv_populated;

-------------------------------------------------------------------------------
-- Procedures (11+)
-------------------------------------------------------------------------------
\if :pg11
CREATE PROCEDURE app.proc_touch(p_id integer)
    LANGUAGE plpgsql
    AS $$
BEGIN
    UPDATE app.rule_sink SET msg = msg || '!' WHERE id = p_id;
END
$$;
COMMENT ON PROCEDURE app.proc_touch(integer) IS 'a procedure';
\endif

-------------------------------------------------------------------------------
-- Large objects
-------------------------------------------------------------------------------
SELECT lo_from_bytea(424201, convert_to('hello, large object', 'UTF8'));
SELECT lo_from_bytea(424202, '\x');
SELECT lo_from_bytea(424203, (SELECT decode(string_agg(md5('lo' || g), ''), 'hex')
                              FROM generate_series(1, 70000) g));   -- ~1.1 MB, random
SELECT lo_from_bytea(424204, convert_to(repeat('owned by pgs_owner ', 100), 'UTF8'));
SELECT lo_from_bytea(424205, '\x00000000ff00');
ALTER LARGE OBJECT 424204 OWNER TO pgs_owner;
GRANT SELECT ON LARGE OBJECT 424204 TO pgs_reader;
GRANT SELECT, UPDATE ON LARGE OBJECT 424201 TO pgs_reader;
COMMENT ON LARGE OBJECT 424201 IS 'a small large object';
COMMENT ON LARGE OBJECT 424203 IS 'larger than 1 MB';

CREATE TABLE app.lo_refs (id integer PRIMARY KEY, doc oid, label text);
INSERT INTO app.lo_refs VALUES (1, 424201, 'small'), (2, 424202, 'empty'), (3, 424203, 'big'),
                               (4, 424204, 'owned'), (5, 424205, 'zeros');

-------------------------------------------------------------------------------
-- Ownership, privileges, default privileges
-------------------------------------------------------------------------------
CREATE TABLE owned.owned_table (id integer PRIMARY KEY, secret text, public_info text);
INSERT INTO owned.owned_table SELECT g, 'secret ' || g, 'info ' || g FROM generate_series(1, 100) g;
ALTER TABLE owned.owned_table OWNER TO pgs_owner;
GRANT SELECT (id, public_info), UPDATE (public_info) ON owned.owned_table TO pgs_reader;
GRANT USAGE ON SCHEMA owned TO pgs_reader;

ALTER TABLE app.parent OWNER TO pgs_owner;
ALTER TABLE app.serials OWNER TO pgs_owner;
ALTER VIEW app.v_parent_child OWNER TO pgs_owner;
ALTER MATERIALIZED VIEW app.mv_populated OWNER TO pgs_owner;
-- REFRESH runs with the owner's privileges: without this grant, pg_restore
-- (and any migration that refreshes) fails with "permission denied".
GRANT SELECT ON app.big_table TO pgs_owner;
ALTER FUNCTION app.add_tax(numeric, numeric) OWNER TO pgs_owner;
ALTER TYPE app.address OWNER TO pgs_owner;
ALTER DOMAIN app.posint OWNER TO pgs_owner;
ALTER SEQUENCE app.seq_standalone OWNER TO pgs_owner;
ALTER TABLE app.documents OWNER TO pgs_owner;

GRANT SELECT ON ALL TABLES IN SCHEMA app TO pgs_reader;
GRANT SELECT ON ALL TABLES IN SCHEMA sales TO pgs_reader;
GRANT USAGE, SELECT ON SEQUENCE app.seq_standalone TO pgs_reader;
GRANT INSERT, UPDATE ON app.child TO pgs_reader WITH GRANT OPTION;
GRANT SELECT (id, name), UPDATE (name) ON app.employees TO pgs_reader;
REVOKE ALL ON app.toast_values FROM pgs_reader;
GRANT EXECUTE ON FUNCTION app.norm(text) TO pgs_reader;
REVOKE EXECUTE ON FUNCTION app.add_tax(numeric, numeric) FROM PUBLIC;
GRANT USAGE ON TYPE app.mood TO pgs_reader;
REVOKE USAGE ON TYPE app.short_code FROM PUBLIC;

ALTER DEFAULT PRIVILEGES IN SCHEMA app GRANT SELECT ON TABLES TO pgs_reader;
ALTER DEFAULT PRIVILEGES IN SCHEMA app GRANT USAGE ON SEQUENCES TO pgs_reader;
ALTER DEFAULT PRIVILEGES FOR ROLE pgs_owner REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
ALTER DEFAULT PRIVILEGES FOR ROLE pgs_owner IN SCHEMA owned GRANT SELECT, INSERT ON TABLES TO pgs_reader;

-- A table owned by a role that the integration tests do not create on the target.
CREATE TABLE app.owned_by_missing_role (id integer PRIMARY KEY, note text);
INSERT INTO app.owned_by_missing_role VALUES (1, 'owner is pgs_only_on_source'), (2, 'second row');
ALTER TABLE app.owned_by_missing_role OWNER TO pgs_only_on_source;

-------------------------------------------------------------------------------
-- A user publication (publications are per database; pg_dump carries them)
-------------------------------------------------------------------------------
CREATE PUBLICATION pgs_user_pub FOR TABLE app.parent, app.child WITH (publish = 'insert, update');
COMMENT ON PUBLICATION pgs_user_pub IS 'user publication';

-------------------------------------------------------------------------------
-- PostgreSQL 17: infinite intervals
-------------------------------------------------------------------------------
\if :pg17
CREATE TABLE app.pg17_intervals (id integer PRIMARY KEY, i interval);
INSERT INTO app.pg17_intervals VALUES (1, 'infinity'), (2, '-infinity'), (3, '1 day');
\endif

-- reg* values naming relations created after app.all_types
UPDATE app.all_types SET c_regclass = 'app.parent' WHERE id = 1;
UPDATE app.all_types SET c_regclass = '"Mixed Case Schema"."MixedCase"' WHERE id = 4;
UPDATE app.all_types SET c_regclass = '"we""ird schema"."ta""ble with ""quotes"" and spaces"' WHERE id = 5;

-- Statistics for the planner (and so that relpages/reltuples are realistic).
ANALYZE;
