/*
 * Unit tests: the test_decoding line parser (src/cdc/test_decoding.c), run
 * over output recorded from real servers, then over truncated and malformed
 * lines.
 *
 * How the lines were recorded: PostgreSQL 15.18 and 12.22 clusters started
 * with scripts/pg-cluster (--set wal_level=logical), then
 *   SELECT pg_create_logical_replication_slot('s', 'test_decoding');
 * after the schema below and before the changes below, then (psql, PGTZ set
 * to Asia/Kolkata, so commit times and timestamptz values print at +05:30)
 *   SELECT lsn, xid, data FROM pg_logical_slot_peek_changes('s', NULL, NULL,
 *     'include-xids', '1', 'skip-empty-xacts', '1', 'include-timestamp', '1');
 * Each row is pasted verbatim as {lsn, xid, commit_us, data}: data as a C
 * literal (newline and tab escaped; runs of 1000/100 'x' or 'y' written as
 * the X1000/X100/Y1000/Y100 macros), commit_us the COMMIT's time in µs since
 * 2000-01-01 UTC, computed apart from the parser (Python's datetime, one
 * value checked with SQL). The lines without xids come from the same slots
 * with 'include-xids' '0' (and PGTZ UTC, America/St_Johns, Asia/Kathmandu).
 *
 * Schema (both servers; `inf` on 15 only, numeric infinity and multiranges
 * being 14+):
 *   CREATE SCHEMA "Sales Data";
 *   CREATE TYPE "Mood" AS ENUM ('happy', 'it''s ok', 'sad');
 *   CREATE DOMAIN "Pos Int" AS integer CHECK (VALUE > 0);
 *   CREATE TYPE "Sales Data"."My Type" AS ENUM ('a', 'b]:c');
 *   CREATE DOMAIN "Sales Data".email AS text;
 *   CREATE TYPE pair AS (x integer, label text);
 *   CREATE TABLE types (id integer PRIMARY KEY, i2 smallint, i8 bigint,
 *     n numeric, n2 numeric(10,2), f4 real, f8 double precision, b boolean,
 *     t text, vc varchar(20), c char(5), ch "char", nm name, ba bytea, j json,
 *     jb jsonb, ia integer[], ta text[], vca varchar(10)[], ir int4range,
 *     tsr tstzrange, ts timestamp(3), tstz timestamptz, d date, tm time,
 *     tmtz timetz, iv interval, bt bit(4), vb varbit, u uuid, ip inet,
 *     cd cidr, mac macaddr, pt point, bx box, o oid, mood "Mood",
 *     pi "Pos Int", mt "Sales Data"."My Type", mta "Sales Data"."My Type"[],
 *     em "Sales Data".email, m money, x xml, tsv tsvector, pr pair,
 *     ia2 integer[][]);
 *   CREATE TABLE toasty (id integer PRIMARY KEY, big text, small integer);
 *   ALTER TABLE toasty ALTER big SET STORAGE EXTERNAL;
 *   CREATE TABLE pkchange (id integer PRIMARY KEY, v text);
 *   CREATE TABLE fullid (a integer, b text, c integer);   -- REPLICA IDENTITY FULL
 *   CREATE TABLE nokey (a integer, b text);
 *   CREATE TABLE parent (id serial PRIMARY KEY);
 *   CREATE TABLE child (id integer PRIMARY KEY, pid integer REFERENCES parent);
 *   CREATE TABLE z ();  CREATE TABLE zfull ();             -- zfull: REPLICA IDENTITY FULL
 *   CREATE TABLE "Sales Data"."My ""Table"".x" ("select" integer PRIMARY KEY,
 *     "Ünï" text, "a b" text, "col]:x" integer, "new-tuple" text, "user" text);
 *   CREATE TABLE "user" (id integer PRIMARY KEY, "Ñame" text);
 *   CREATE TABLE gen (id integer PRIMARY KEY, a integer, twice integer
 *     GENERATED ALWAYS AS (a * 2) STORED, ident integer GENERATED ALWAYS AS IDENTITY);
 *   CREATE TABLE dropped (id integer PRIMARY KEY, gone text, kept text);  -- then DROP COLUMN gone
 *   CREATE TABLE part (id integer, k text) PARTITION BY LIST (k);
 *   CREATE TABLE part_a PARTITION OF part FOR VALUES IN ('a');  -- with PRIMARY KEY (id)
 *   CREATE TABLE fulltoast (id integer, big text, n integer);   -- big EXTERNAL, REPLICA IDENTITY
 * FULL CREATE TABLE inf (id integer PRIMARY KEY, n numeric, mr int4multirange);
 *
 * Changes, one transaction each unless noted:
 *   INSERT INTO types VALUES (1, ... every column, text with quotes,
 *     backslashes, a newline, a tab, "]:", " x[integer]:5 new-tuple: ''" ...);
 *   INSERT INTO types (id, f4, f8, n, b, vb) VALUES (2, 'NaN', 1e308, '-0.000001', false, B'1');
 *   INSERT INTO types (id, f8, f4) VALUES (3, -0, 1.5e-5);
 *   INSERT INTO toasty VALUES (1, repeat('x', 3000), 1);  UPDATE toasty SET small = 2;
 *   INSERT INTO pkchange VALUES (1, 'one');  UPDATE pkchange SET id = 2, v = 'two';
 *   UPDATE pkchange SET v = 'deux';  DELETE FROM pkchange;
 *   INSERT INTO fullid VALUES (1, NULL, 3);  UPDATE fullid SET c = 4;  DELETE FROM fullid;
 *   INSERT INTO nokey VALUES (1, 'a');  UPDATE nokey SET b = 'b';  DELETE FROM nokey;
 *   INSERT INTO z DEFAULT VALUES;  DELETE FROM z;  (same for zfull)
 *   INSERT, UPDATE SET "select" = 2, DELETE on "Sales Data"."My ""Table"".x";
 *   INSERT INTO "user" VALUES (1, 'Ñ');  INSERT INTO gen (id, a) VALUES (1, 21);
 *   INSERT INTO dropped VALUES (1, 'k');  INSERT INTO part VALUES (1, 'a');
 *   INSERT INTO parent DEFAULT VALUES;  INSERT INTO child VALUES (1, 1);
 *   TRUNCATE parent RESTART IDENTITY CASCADE;  TRUNCATE nokey;
 *   pg_logical_emit_message(false, 'pfx, sz: 3 content:', E'non-tx\nmsg');
 *   TRUNCATE nokey, "Sales Data"."My ""Table"".x", "user" RESTART IDENTITY;
 *   BEGIN; two INSERTs into pkchange around a SAVEPOINT;
 *     pg_logical_emit_message(true, 'pfx', 'transactional msg'); COMMIT;
 *   INSERT INTO fulltoast VALUES (1, repeat('y', 2100), 1);  UPDATE fulltoast SET n = 2;
 *   INSERT INTO inf VALUES (1, 'Infinity', '{[1,3),[5,7)}'), (2, '-Infinity', '{}');
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "cdc/test_decoding.h"
#include "util/buf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct recorded {
    const char *lsn;
    uint32_t xid;      /* the xid column of pg_logical_slot_peek_changes */
    int64_t commit_us; /* COMMIT lines: commit time, µs since 2000-01-01 UTC */
    const char *data;
};

#define X100                                                                                       \
    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" \
    "xxxxxxxx"
#define X1000 X100 X100 X100 X100 X100 X100 X100 X100 X100 X100
#define Y100                                                                                       \
    "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy" \
    "yyyyyyyy"
#define Y1000 Y100 Y100 Y100 Y100 Y100 Y100 Y100 Y100 Y100 Y100

/* clang-format off */
/* PostgreSQL 15.18 */
static const struct recorded rec15[] = {
    {"0/15B1E48", 762, 0,
     "BEGIN 762"},
    {"0/15B1E48", 762, 0,
     "table public.types: INSERT: id[integer]:1 i2[smallint]:-32768 i8[bigint]:9223372"
     "036854775807 n[numeric]:NaN n2[numeric]:12.50 f4[real]:Infinity f8[double precis"
     "ion]:-Infinity b[boolean]:true t[text]:'it''s \"q\" \\back\\slash\n"
     "line2\ttab ]: x[integer]:5 new-tuple: '''' end' vc[character varying]:'vc ü' c[c"
     "haracter]:'c    ' ch[\"char\"]:'x' nm[name]:'nm' ba[bytea]:'\\x00ff27' j[json]:'"
     "{\"a\": \"b''c\", \"n\": [1, 2]}' jb[jsonb]:'{\"k\": \"v\\\"w\"}' ia[integer[]]:"
     "'{1,NULL,3}' ta[text[]]:'{\"a b\",it''s,\"q\\\"x\",NULL,\"back\\\\slash\",\"\"}'"
     " vca[character varying[]]:'{abc,def}' ir[int4range]:'[1,10)' tsr[tstzrange]:'[\""
     "2024-01-01 15:30:00+05:30\",\"2024-02-01 05:30:00+05:30\")' ts[timestamp without"
     " time zone]:'2024-01-01 10:00:00.123' tstz[timestamp with time zone]:'2024-07-01"
     " 03:29:59.999999+05:30' d[date]:'2024-02-29' tm[time without time zone]:'13:14:1"
     "5' tmtz[time with time zone]:'13:14:15+05:30' iv[interval]:'1 year 2 mons 3 days"
     " 04:05:06.5' bt[bit]:B'0101' vb[bit varying]:B'' u[uuid]:'a0eebc99-9c0b-4ef8-bb6"
     "d-6bb9bd380a11' ip[inet]:'192.168.0.1/24' cd[cidr]:'10.0.0.0/8' mac[macaddr]:'08"
     ":00:2b:01:02:03' pt[point]:'(1.5,-2)' bx[box]:'(1,1),(0,0)' o[oid]:4294967295 mo"
     "od[\"Mood\"]:'it''s ok' pi[\"Pos Int\"]:'42' mt[\"Sales Data\".\"My Type\"]:'b]:"
     "c' mta[\"Sales Data\".\"My Type\"[]]:'{a,b]:c}' em[\"Sales Data\".email]:'x@y.z'"
     " m[money]:'$12.34' x[xml]:'<a b=\"c\">d</a>' tsv[tsvector]:'''cat''''s'' ''fat''"
     "' pr[pair]:'(7,\"l \"\"q\"\" ''s\")' ia2[integer[]]:'{{1,2},{3,4}}'"},
    {"0/15B2268", 762, INT64_C(848860435380522),
     "COMMIT 762 (at 2026-11-25 00:03:55.380522+05:30)"},
    {"0/15B2268", 763, 0,
     "BEGIN 763"},
    {"0/15B2268", 763, 0,
     "table public.types: INSERT: id[integer]:2 i2[smallint]:null i8[bigint]:null n[nu"
     "meric]:-0.000001 n2[numeric]:null f4[real]:NaN f8[double precision]:1e+308 b[boo"
     "lean]:false t[text]:null vc[character varying]:null c[character]:null ch[\"char\""
     "]:null nm[name]:null ba[bytea]:null j[json]:null jb[jsonb]:null ia[integer[]]:nu"
     "ll ta[text[]]:null vca[character varying[]]:null ir[int4range]:null tsr[tstzrang"
     "e]:null ts[timestamp without time zone]:null tstz[timestamp with time zone]:null"
     " d[date]:null tm[time without time zone]:null tmtz[time with time zone]:null iv["
     "interval]:null bt[bit]:null vb[bit varying]:B'1' u[uuid]:null ip[inet]:null cd[c"
     "idr]:null mac[macaddr]:null pt[point]:null bx[box]:null o[oid]:null mood[\"Mood\""
     "]:null pi[\"Pos Int\"]:null mt[\"Sales Data\".\"My Type\"]:null mta[\"Sales Data"
     "\".\"My Type\"[]]:null em[\"Sales Data\".email]:null m[money]:null x[xml]:null t"
     "sv[tsvector]:null pr[pair]:null ia2[integer[]]:null"},
    {"0/15B2338", 763, INT64_C(848860435380880),
     "COMMIT 763 (at 2026-11-25 00:03:55.38088+05:30)"},
    {"0/15B2338", 764, 0,
     "BEGIN 764"},
    {"0/15B2338", 764, 0,
     "table public.types: INSERT: id[integer]:3 i2[smallint]:null i8[bigint]:null n[nu"
     "meric]:null n2[numeric]:null f4[real]:1.5e-05 f8[double precision]:0 b[boolean]:"
     "null t[text]:null vc[character varying]:null c[character]:null ch[\"char\"]:null"
     " nm[name]:null ba[bytea]:null j[json]:null jb[jsonb]:null ia[integer[]]:null ta["
     "text[]]:null vca[character varying[]]:null ir[int4range]:null tsr[tstzrange]:nul"
     "l ts[timestamp without time zone]:null tstz[timestamp with time zone]:null d[dat"
     "e]:null tm[time without time zone]:null tmtz[time with time zone]:null iv[interv"
     "al]:null bt[bit]:null vb[bit varying]:null u[uuid]:null ip[inet]:null cd[cidr]:n"
     "ull mac[macaddr]:null pt[point]:null bx[box]:null o[oid]:null mood[\"Mood\"]:nul"
     "l pi[\"Pos Int\"]:null mt[\"Sales Data\".\"My Type\"]:null mta[\"Sales Data\".\""
     "My Type\"[]]:null em[\"Sales Data\".email]:null m[money]:null x[xml]:null tsv[ts"
     "vector]:null pr[pair]:null ia2[integer[]]:null"},
    {"0/15B23F8", 764, INT64_C(848860435381061),
     "COMMIT 764 (at 2026-11-25 00:03:55.381061+05:30)"},
    {"0/15B3118", 765, 0,
     "BEGIN 765"},
    {"0/15B3118", 765, 0,
     "table public.toasty: INSERT: id[integer]:1 big[text]:'"
     X1000
     X1000
     X1000
     "' small[integer]:1"},
    {"0/15B3240", 765, INT64_C(848860435381551),
     "COMMIT 765 (at 2026-11-25 00:03:55.381551+05:30)"},
    {"0/15B3278", 766, 0,
     "BEGIN 766"},
    {"0/15B3278", 766, 0,
     "table public.toasty: UPDATE: id[integer]:1 big[text]:unchanged-toast-datum small"
     "[integer]:2"},
    {"0/15B3308", 766, INT64_C(848860435382242),
     "COMMIT 766 (at 2026-11-25 00:03:55.382242+05:30)"},
    {"0/15B3308", 767, 0,
     "BEGIN 767"},
    {"0/15B3308", 767, 0,
     "table public.pkchange: INSERT: id[integer]:1 v[text]:'one'"},
    {"0/15B3418", 767, INT64_C(848860435382494),
     "COMMIT 767 (at 2026-11-25 00:03:55.382494+05:30)"},
    {"0/15B3418", 768, 0,
     "BEGIN 768"},
    {"0/15B3418", 768, 0,
     "table public.pkchange: UPDATE: old-key: id[integer]:1 new-tuple: id[integer]:2 v"
     "[text]:'two'"},
    {"0/15B34E0", 768, INT64_C(848860435382678),
     "COMMIT 768 (at 2026-11-25 00:03:55.382678+05:30)"},
    {"0/15B34E0", 769, 0,
     "BEGIN 769"},
    {"0/15B34E0", 769, 0,
     "table public.pkchange: UPDATE: id[integer]:2 v[text]:'deux'"},
    {"0/15B3560", 769, INT64_C(848860435382842),
     "COMMIT 769 (at 2026-11-25 00:03:55.382842+05:30)"},
    {"0/15B3560", 770, 0,
     "BEGIN 770"},
    {"0/15B3560", 770, 0,
     "table public.pkchange: DELETE: id[integer]:2"},
    {"0/15B35D0", 770, INT64_C(848860435382991),
     "COMMIT 770 (at 2026-11-25 00:03:55.382991+05:30)"},
    {"0/15B35D0", 771, 0,
     "BEGIN 771"},
    {"0/15B35D0", 771, 0,
     "table public.fullid: INSERT: a[integer]:1 b[text]:null c[integer]:3"},
    {"0/15B3640", 771, INT64_C(848860435383193),
     "COMMIT 771 (at 2026-11-25 00:03:55.383193+05:30)"},
    {"0/15B3640", 772, 0,
     "BEGIN 772"},
    {"0/15B3640", 772, 0,
     "table public.fullid: UPDATE: old-key: a[integer]:1 c[integer]:3 new-tuple: a[int"
     "eger]:1 b[text]:null c[integer]:4"},
    {"0/15B36C8", 772, INT64_C(848860435383390),
     "COMMIT 772 (at 2026-11-25 00:03:55.38339+05:30)"},
    {"0/15B36C8", 773, 0,
     "BEGIN 773"},
    {"0/15B36C8", 773, 0,
     "table public.fullid: DELETE: a[integer]:1 c[integer]:4"},
    {"0/15B3740", 773, INT64_C(848860435383530),
     "COMMIT 773 (at 2026-11-25 00:03:55.38353+05:30)"},
    {"0/15B3740", 774, 0,
     "BEGIN 774"},
    {"0/15B3740", 774, 0,
     "table public.nokey: INSERT: a[integer]:1 b[text]:'a'"},
    {"0/15B37B0", 774, INT64_C(848860435383718),
     "COMMIT 774 (at 2026-11-25 00:03:55.383718+05:30)"},
    {"0/15B37B0", 775, 0,
     "BEGIN 775"},
    {"0/15B37B0", 775, 0,
     "table public.nokey: UPDATE: a[integer]:1 b[text]:'b'"},
    {"0/15B3828", 775, INT64_C(848860435383869),
     "COMMIT 775 (at 2026-11-25 00:03:55.383869+05:30)"},
    {"0/15B3828", 776, 0,
     "BEGIN 776"},
    {"0/15B3828", 776, 0,
     "table public.nokey: DELETE: (no-tuple-data)"},
    {"0/15B3890", 776, INT64_C(848860435383998),
     "COMMIT 776 (at 2026-11-25 00:03:55.383998+05:30)"},
    {"0/15B3890", 777, 0,
     "BEGIN 777"},
    {"0/15B3890", 777, 0,
     "table public.z: INSERT:"},
    {"0/15B38F8", 777, INT64_C(848860435384167),
     "COMMIT 777 (at 2026-11-25 00:03:55.384167+05:30)"},
    {"0/15B38F8", 778, 0,
     "BEGIN 778"},
    {"0/15B38F8", 778, 0,
     "table public.z: DELETE: (no-tuple-data)"},
    {"0/15B3960", 778, INT64_C(848860435384314),
     "COMMIT 778 (at 2026-11-25 00:03:55.384314+05:30)"},
    {"0/15B3960", 779, 0,
     "BEGIN 779"},
    {"0/15B3960", 779, 0,
     "table public.zfull: INSERT:"},
    {"0/15B39C8", 779, INT64_C(848860435384482),
     "COMMIT 779 (at 2026-11-25 00:03:55.384482+05:30)"},
    {"0/15B39C8", 780, 0,
     "BEGIN 780"},
    {"0/15B39C8", 780, 0,
     "table public.zfull: DELETE:"},
    {"0/15B3A38", 780, INT64_C(848860435384628),
     "COMMIT 780 (at 2026-11-25 00:03:55.384628+05:30)"},
    {"0/15B3A70", 781, 0,
     "BEGIN 781"},
    {"0/15B3A70", 781, 0,
     "table \"Sales Data\".\"My \"\"Table\"\".x\": INSERT: \"select\"[integer]:1 \"Ünï"
     "\"[text]:'ünï 表' \"a b\"[text]:'a b' \"col]:x\"[integer]:7 \"new-tuple\"[text]:'"
     "nt' \"user\"[text]:'u'"},
    {"0/15B3B98", 781, INT64_C(848860435384868),
     "COMMIT 781 (at 2026-11-25 00:03:55.384868+05:30)"},
    {"0/15B3B98", 782, 0,
     "BEGIN 782"},
    {"0/15B3B98", 782, 0,
     "table \"Sales Data\".\"My \"\"Table\"\".x\": UPDATE: old-key: \"select\"[integer"
     "]:1 new-tuple: \"select\"[integer]:2 \"Ünï\"[text]:'ünï 表' \"a b\"[text]:'a b' \""
     "col]:x\"[integer]:7 \"new-tuple\"[text]:'nt' \"user\"[text]:'u'"},
    {"0/15B3C78", 782, INT64_C(848860435385050),
     "COMMIT 782 (at 2026-11-25 00:03:55.38505+05:30)"},
    {"0/15B3C78", 783, 0,
     "BEGIN 783"},
    {"0/15B3C78", 783, 0,
     "table \"Sales Data\".\"My \"\"Table\"\".x\": DELETE: \"select\"[integer]:2"},
    {"0/15B3CE8", 783, INT64_C(848860435385189),
     "COMMIT 783 (at 2026-11-25 00:03:55.385189+05:30)"},
    {"0/15B3CE8", 784, 0,
     "BEGIN 784"},
    {"0/15B3CE8", 784, 0,
     "table public.\"user\": INSERT: id[integer]:1 \"Ñame\"[text]:'Ñ'"},
    {"0/15B3DF8", 784, INT64_C(848860435385407),
     "COMMIT 784 (at 2026-11-25 00:03:55.385407+05:30)"},
    {"0/15B3EA0", 785, 0,
     "BEGIN 785"},
    {"0/15B3EA0", 785, 0,
     "table public.gen: INSERT: id[integer]:1 a[integer]:21 twice[integer]:42 ident[in"
     "teger]:1"},
    {"0/15B3FB8", 785, INT64_C(848860435385785),
     "COMMIT 785 (at 2026-11-25 00:03:55.385785+05:30)"},
    {"0/15B3FB8", 786, 0,
     "BEGIN 786"},
    {"0/15B3FB8", 786, 0,
     "table public.dropped: INSERT: id[integer]:1 kept[text]:'k'"},
    {"0/15B40E0", 786, INT64_C(848860435386017),
     "COMMIT 786 (at 2026-11-25 00:03:55.386017+05:30)"},
    {"0/15B40E0", 787, 0,
     "BEGIN 787"},
    {"0/15B40E0", 787, 0,
     "table public.part_a: INSERT: id[integer]:1 k[text]:'a'"},
    {"0/15B41F0", 787, INT64_C(848860435386318),
     "COMMIT 787 (at 2026-11-25 00:03:55.386318+05:30)"},
    {"0/15B4258", 788, 0,
     "BEGIN 788"},
    {"0/15B4258", 788, 0,
     "table public.parent: INSERT: id[integer]:1"},
    {"0/15B4368", 788, INT64_C(848860435386582),
     "COMMIT 788 (at 2026-11-25 00:03:55.386582+05:30)"},
    {"0/15B4368", 789, 0,
     "BEGIN 789"},
    {"0/15B4368", 789, 0,
     "table public.child: INSERT: id[integer]:1 pid[integer]:1"},
    {"0/15B44B0", 789, INT64_C(848860435386934),
     "COMMIT 789 (at 2026-11-25 00:03:55.386934+05:30)"},
    {"0/15B6FC8", 790, 0,
     "BEGIN 790"},
    {"0/15B6FC8", 790, 0,
     "table public.parent, public.child: TRUNCATE: restart_seqs cascade"},
    {"0/15B71A0", 790, INT64_C(848860435388111),
     "COMMIT 790 (at 2026-11-25 00:03:55.388111+05:30)"},
    {"0/15B7BB8", 791, 0,
     "BEGIN 791"},
    {"0/15B7BB8", 791, 0,
     "table public.nokey: TRUNCATE: (no-flags)"},
    {"0/15B7CF8", 791, INT64_C(848860435389123),
     "COMMIT 791 (at 2026-11-25 00:03:55.389123+05:30)"},
    {"0/15BDA28", 0, 0,
     "message: transactional: 0 prefix: pfx, sz: 3 content:, sz: 10 content:non-tx\n"
     "msg"},
    {"0/15C0788", 792, 0,
     "BEGIN 792"},
    {"0/15C0788", 792, 0,
     "table public.nokey, \"Sales Data\".\"My \"\"Table\"\".x\", public.\"user\": TRUN"
     "CATE: restart_seqs"},
    {"0/15C0B30", 792, INT64_C(848860446082759),
     "COMMIT 792 (at 2026-11-25 00:04:06.082759+05:30)"},
    {"0/15C0B30", 793, 0,
     "BEGIN 793"},
    {"0/15C0B30", 793, 0,
     "table public.pkchange: INSERT: id[integer]:10 v[text]:'a'"},
    {"0/15C0BB0", 793, 0,
     "table public.pkchange: INSERT: id[integer]:11 v[text]:'b'"},
    {"0/15C0C80", 793, 0,
     "message: transactional: 1 prefix: pfx, sz: 17 content:transactional msg"},
    {"0/15C0CB8", 793, INT64_C(848860446084111),
     "COMMIT 793 (at 2026-11-25 00:04:06.084111+05:30)"},
    {"0/15C61D0", 798, 0,
     "BEGIN 798"},
    {"0/15C61D0", 798, 0,
     "table public.fulltoast: INSERT: id[integer]:1 big[text]:'"
     Y1000
     Y1000
     Y100
     "' n[integer]:1"},
    {"0/15C6258", 798, INT64_C(848860470964179),
     "COMMIT 798 (at 2026-11-25 00:04:30.964179+05:30)"},
    {"0/15C6290", 799, 0,
     "BEGIN 799"},
    {"0/15C6290", 799, 0,
     "table public.fulltoast: UPDATE: old-key: id[integer]:1 big[text]:'"
     Y1000
     Y1000
     Y100
     "' n[integer]:1 new-tuple: id[integer]:1 big[text]:unchanged-toast-datum n[intege"
     "r]:2"},
    {"0/15C6B68", 799, INT64_C(848860470964465),
     "COMMIT 799 (at 2026-11-25 00:04:30.964465+05:30)"},
    {"0/15D1098", 801, 0,
     "BEGIN 801"},
    {"0/15D1098", 801, 0,
     "table public.inf: INSERT: id[integer]:1 n[numeric]:Infinity mr[int4multirange]:'"
     "{[1,3),[5,7)}'"},
    {"0/15D1198", 801, 0,
     "table public.inf: INSERT: id[integer]:2 n[numeric]:-Infinity mr[int4multirange]:"
     "'{}'"},
    {"0/15D1250", 801, INT64_C(848860471024183),
     "COMMIT 801 (at 2026-11-25 00:04:31.024183+05:30)"},
};

/* PostgreSQL 12.22 */
static const struct recorded rec12[] = {
    {"0/16A5D60", 513, 0,
     "BEGIN 513"},
    {"0/16A5D60", 513, 0,
     "table public.types: INSERT: id[integer]:1 i2[smallint]:-32768 i8[bigint]:9223372"
     "036854775807 n[numeric]:NaN n2[numeric]:12.50 f4[real]:Infinity f8[double precis"
     "ion]:-Infinity b[boolean]:true t[text]:'it''s \"q\" \\back\\slash\n"
     "line2\ttab ]: x[integer]:5 new-tuple: '''' end' vc[character varying]:'vc ü' c[c"
     "haracter]:'c    ' ch[\"char\"]:'x' nm[name]:'nm' ba[bytea]:'\\x00ff27' j[json]:'"
     "{\"a\": \"b''c\", \"n\": [1, 2]}' jb[jsonb]:'{\"k\": \"v\\\"w\"}' ia[integer[]]:"
     "'{1,NULL,3}' ta[text[]]:'{\"a b\",it''s,\"q\\\"x\",NULL,\"back\\\\slash\",\"\"}'"
     " vca[character varying[]]:'{abc,def}' ir[int4range]:'[1,10)' tsr[tstzrange]:'[\""
     "2024-01-01 15:30:00+05:30\",\"2024-02-01 05:30:00+05:30\")' ts[timestamp without"
     " time zone]:'2024-01-01 10:00:00.123' tstz[timestamp with time zone]:'2024-07-01"
     " 03:29:59.999999+05:30' d[date]:'2024-02-29' tm[time without time zone]:'13:14:1"
     "5' tmtz[time with time zone]:'13:14:15+05:30' iv[interval]:'1 year 2 mons 3 days"
     " 04:05:06.5' bt[bit]:B'0101' vb[bit varying]:B'' u[uuid]:'a0eebc99-9c0b-4ef8-bb6"
     "d-6bb9bd380a11' ip[inet]:'192.168.0.1/24' cd[cidr]:'10.0.0.0/8' mac[macaddr]:'08"
     ":00:2b:01:02:03' pt[point]:'(1.5,-2)' bx[box]:'(1,1),(0,0)' o[oid]:4294967295 mo"
     "od[\"Mood\"]:'it''s ok' pi[\"Pos Int\"]:'42' mt[\"Sales Data\".\"My Type\"]:'b]:"
     "c' mta[\"Sales Data\".\"My Type\"[]]:'{a,b]:c}' em[\"Sales Data\".email]:'x@y.z'"
     " m[money]:'$12.34' x[xml]:'<a b=\"c\">d</a>' tsv[tsvector]:'''cat''''s'' ''fat''"
     "' pr[pair]:'(7,\"l \"\"q\"\" ''s\")' ia2[integer[]]:'{{1,2},{3,4}}'"},
    {"0/16A6180", 513, INT64_C(848860435417361),
     "COMMIT 513 (at 2026-11-25 00:03:55.417361+05:30)"},
    {"0/16A6180", 514, 0,
     "BEGIN 514"},
    {"0/16A6180", 514, 0,
     "table public.types: INSERT: id[integer]:2 i2[smallint]:null i8[bigint]:null n[nu"
     "meric]:-0.000001 n2[numeric]:null f4[real]:NaN f8[double precision]:1e+308 b[boo"
     "lean]:false t[text]:null vc[character varying]:null c[character]:null ch[\"char\""
     "]:null nm[name]:null ba[bytea]:null j[json]:null jb[jsonb]:null ia[integer[]]:nu"
     "ll ta[text[]]:null vca[character varying[]]:null ir[int4range]:null tsr[tstzrang"
     "e]:null ts[timestamp without time zone]:null tstz[timestamp with time zone]:null"
     " d[date]:null tm[time without time zone]:null tmtz[time with time zone]:null iv["
     "interval]:null bt[bit]:null vb[bit varying]:B'1' u[uuid]:null ip[inet]:null cd[c"
     "idr]:null mac[macaddr]:null pt[point]:null bx[box]:null o[oid]:null mood[\"Mood\""
     "]:null pi[\"Pos Int\"]:null mt[\"Sales Data\".\"My Type\"]:null mta[\"Sales Data"
     "\".\"My Type\"[]]:null em[\"Sales Data\".email]:null m[money]:null x[xml]:null t"
     "sv[tsvector]:null pr[pair]:null ia2[integer[]]:null"},
    {"0/16A6250", 514, INT64_C(848860435417708),
     "COMMIT 514 (at 2026-11-25 00:03:55.417708+05:30)"},
    {"0/16A6250", 515, 0,
     "BEGIN 515"},
    {"0/16A6250", 515, 0,
     "table public.types: INSERT: id[integer]:3 i2[smallint]:null i8[bigint]:null n[nu"
     "meric]:null n2[numeric]:null f4[real]:1.5e-05 f8[double precision]:0 b[boolean]:"
     "null t[text]:null vc[character varying]:null c[character]:null ch[\"char\"]:null"
     " nm[name]:null ba[bytea]:null j[json]:null jb[jsonb]:null ia[integer[]]:null ta["
     "text[]]:null vca[character varying[]]:null ir[int4range]:null tsr[tstzrange]:nul"
     "l ts[timestamp without time zone]:null tstz[timestamp with time zone]:null d[dat"
     "e]:null tm[time without time zone]:null tmtz[time with time zone]:null iv[interv"
     "al]:null bt[bit]:null vb[bit varying]:null u[uuid]:null ip[inet]:null cd[cidr]:n"
     "ull mac[macaddr]:null pt[point]:null bx[box]:null o[oid]:null mood[\"Mood\"]:nul"
     "l pi[\"Pos Int\"]:null mt[\"Sales Data\".\"My Type\"]:null mta[\"Sales Data\".\""
     "My Type\"[]]:null em[\"Sales Data\".email]:null m[money]:null x[xml]:null tsv[ts"
     "vector]:null pr[pair]:null ia2[integer[]]:null"},
    {"0/16A6310", 515, INT64_C(848860435417853),
     "COMMIT 515 (at 2026-11-25 00:03:55.417853+05:30)"},
    {"0/16A7030", 516, 0,
     "BEGIN 516"},
    {"0/16A7030", 516, 0,
     "table public.toasty: INSERT: id[integer]:1 big[text]:'"
     X1000
     X1000
     X1000
     "' small[integer]:1"},
    {"0/16A7158", 516, INT64_C(848860435418276),
     "COMMIT 516 (at 2026-11-25 00:03:55.418276+05:30)"},
    {"0/16A7190", 517, 0,
     "BEGIN 517"},
    {"0/16A7190", 517, 0,
     "table public.toasty: UPDATE: id[integer]:1 big[text]:unchanged-toast-datum small"
     "[integer]:2"},
    {"0/16A7220", 517, INT64_C(848860435418751),
     "COMMIT 517 (at 2026-11-25 00:03:55.418751+05:30)"},
    {"0/16A7220", 518, 0,
     "BEGIN 518"},
    {"0/16A7220", 518, 0,
     "table public.pkchange: INSERT: id[integer]:1 v[text]:'one'"},
    {"0/16A7330", 518, INT64_C(848860435418964),
     "COMMIT 518 (at 2026-11-25 00:03:55.418964+05:30)"},
    {"0/16A7330", 519, 0,
     "BEGIN 519"},
    {"0/16A7330", 519, 0,
     "table public.pkchange: UPDATE: old-key: id[integer]:1 new-tuple: id[integer]:2 v"
     "[text]:'two'"},
    {"0/16A73F8", 519, INT64_C(848860435419158),
     "COMMIT 519 (at 2026-11-25 00:03:55.419158+05:30)"},
    {"0/16A73F8", 520, 0,
     "BEGIN 520"},
    {"0/16A73F8", 520, 0,
     "table public.pkchange: UPDATE: id[integer]:2 v[text]:'deux'"},
    {"0/16A7478", 520, INT64_C(848860435419344),
     "COMMIT 520 (at 2026-11-25 00:03:55.419344+05:30)"},
    {"0/16A7478", 521, 0,
     "BEGIN 521"},
    {"0/16A7478", 521, 0,
     "table public.pkchange: DELETE: id[integer]:2"},
    {"0/16A74E8", 521, INT64_C(848860435419463),
     "COMMIT 521 (at 2026-11-25 00:03:55.419463+05:30)"},
    {"0/16A74E8", 522, 0,
     "BEGIN 522"},
    {"0/16A74E8", 522, 0,
     "table public.fullid: INSERT: a[integer]:1 b[text]:null c[integer]:3"},
    {"0/16A7558", 522, INT64_C(848860435419633),
     "COMMIT 522 (at 2026-11-25 00:03:55.419633+05:30)"},
    {"0/16A7558", 523, 0,
     "BEGIN 523"},
    {"0/16A7558", 523, 0,
     "table public.fullid: UPDATE: old-key: a[integer]:1 c[integer]:3 new-tuple: a[int"
     "eger]:1 b[text]:null c[integer]:4"},
    {"0/16A75E0", 523, INT64_C(848860435419753),
     "COMMIT 523 (at 2026-11-25 00:03:55.419753+05:30)"},
    {"0/16A75E0", 524, 0,
     "BEGIN 524"},
    {"0/16A75E0", 524, 0,
     "table public.fullid: DELETE: a[integer]:1 c[integer]:4"},
    {"0/16A7658", 524, INT64_C(848860435419864),
     "COMMIT 524 (at 2026-11-25 00:03:55.419864+05:30)"},
    {"0/16A7658", 525, 0,
     "BEGIN 525"},
    {"0/16A7658", 525, 0,
     "table public.nokey: INSERT: a[integer]:1 b[text]:'a'"},
    {"0/16A76C8", 525, INT64_C(848860435420004),
     "COMMIT 525 (at 2026-11-25 00:03:55.420004+05:30)"},
    {"0/16A76C8", 526, 0,
     "BEGIN 526"},
    {"0/16A76C8", 526, 0,
     "table public.nokey: UPDATE: a[integer]:1 b[text]:'b'"},
    {"0/16A7740", 526, INT64_C(848860435420210),
     "COMMIT 526 (at 2026-11-25 00:03:55.42021+05:30)"},
    {"0/16A7740", 527, 0,
     "BEGIN 527"},
    {"0/16A7740", 527, 0,
     "table public.nokey: DELETE: (no-tuple-data)"},
    {"0/16A77A8", 527, INT64_C(848860435420325),
     "COMMIT 527 (at 2026-11-25 00:03:55.420325+05:30)"},
    {"0/16A77A8", 528, 0,
     "BEGIN 528"},
    {"0/16A77A8", 528, 0,
     "table public.z: INSERT:"},
    {"0/16A7810", 528, INT64_C(848860435420469),
     "COMMIT 528 (at 2026-11-25 00:03:55.420469+05:30)"},
    {"0/16A7810", 529, 0,
     "BEGIN 529"},
    {"0/16A7810", 529, 0,
     "table public.z: DELETE: (no-tuple-data)"},
    {"0/16A7878", 529, INT64_C(848860435420585),
     "COMMIT 529 (at 2026-11-25 00:03:55.420585+05:30)"},
    {"0/16A7878", 530, 0,
     "BEGIN 530"},
    {"0/16A7878", 530, 0,
     "table public.zfull: INSERT:"},
    {"0/16A78E0", 530, INT64_C(848860435420730),
     "COMMIT 530 (at 2026-11-25 00:03:55.42073+05:30)"},
    {"0/16A78E0", 531, 0,
     "BEGIN 531"},
    {"0/16A78E0", 531, 0,
     "table public.zfull: DELETE:"},
    {"0/16A7950", 531, INT64_C(848860435420834),
     "COMMIT 531 (at 2026-11-25 00:03:55.420834+05:30)"},
    {"0/16A7950", 532, 0,
     "BEGIN 532"},
    {"0/16A7950", 532, 0,
     "table \"Sales Data\".\"My \"\"Table\"\".x\": INSERT: \"select\"[integer]:1 \"Ünï"
     "\"[text]:'ünï 表' \"a b\"[text]:'a b' \"col]:x\"[integer]:7 \"new-tuple\"[text]:'"
     "nt' \"user\"[text]:'u'"},
    {"0/16A7A78", 532, INT64_C(848860435421031),
     "COMMIT 532 (at 2026-11-25 00:03:55.421031+05:30)"},
    {"0/16A7A78", 533, 0,
     "BEGIN 533"},
    {"0/16A7A78", 533, 0,
     "table \"Sales Data\".\"My \"\"Table\"\".x\": UPDATE: old-key: \"select\"[integer"
     "]:1 new-tuple: \"select\"[integer]:2 \"Ünï\"[text]:'ünï 表' \"a b\"[text]:'a b' \""
     "col]:x\"[integer]:7 \"new-tuple\"[text]:'nt' \"user\"[text]:'u'"},
    {"0/16A7B58", 533, INT64_C(848860435421177),
     "COMMIT 533 (at 2026-11-25 00:03:55.421177+05:30)"},
    {"0/16A7B58", 534, 0,
     "BEGIN 534"},
    {"0/16A7B58", 534, 0,
     "table \"Sales Data\".\"My \"\"Table\"\".x\": DELETE: \"select\"[integer]:2"},
    {"0/16A7BC8", 534, INT64_C(848860435421292),
     "COMMIT 534 (at 2026-11-25 00:03:55.421292+05:30)"},
    {"0/16A7BC8", 535, 0,
     "BEGIN 535"},
    {"0/16A7BC8", 535, 0,
     "table public.\"user\": INSERT: id[integer]:1 \"Ñame\"[text]:'Ñ'"},
    {"0/16A7CD8", 535, INT64_C(848860435421478),
     "COMMIT 535 (at 2026-11-25 00:03:55.421478+05:30)"},
    {"0/16A7D40", 536, 0,
     "BEGIN 536"},
    {"0/16A7D40", 536, 0,
     "table public.gen: INSERT: id[integer]:1 a[integer]:21 twice[integer]:42 ident[in"
     "teger]:1"},
    {"0/16A7E58", 536, INT64_C(848860435421789),
     "COMMIT 536 (at 2026-11-25 00:03:55.421789+05:30)"},
    {"0/16A7E58", 537, 0,
     "BEGIN 537"},
    {"0/16A7E58", 537, 0,
     "table public.dropped: INSERT: id[integer]:1 kept[text]:'k'"},
    {"0/16A7F68", 537, INT64_C(848860435422008),
     "COMMIT 537 (at 2026-11-25 00:03:55.422008+05:30)"},
    {"0/16A7F68", 538, 0,
     "BEGIN 538"},
    {"0/16A7F68", 538, 0,
     "table public.part_a: INSERT: id[integer]:1 k[text]:'a'"},
    {"0/16A8090", 538, INT64_C(848860435422308),
     "COMMIT 538 (at 2026-11-25 00:03:55.422308+05:30)"},
    {"0/16A80F8", 539, 0,
     "BEGIN 539"},
    {"0/16A80F8", 539, 0,
     "table public.parent: INSERT: id[integer]:1"},
    {"0/16A8208", 539, INT64_C(848860435422568),
     "COMMIT 539 (at 2026-11-25 00:03:55.422568+05:30)"},
    {"0/16A8208", 540, 0,
     "BEGIN 540"},
    {"0/16A8208", 540, 0,
     "table public.child: INSERT: id[integer]:1 pid[integer]:1"},
    {"0/16A8350", 540, INT64_C(848860435422958),
     "COMMIT 540 (at 2026-11-25 00:03:55.422958+05:30)"},
    {"0/16AA930", 541, 0,
     "BEGIN 541"},
    {"0/16AA930", 541, 0,
     "table public.parent, public.child: TRUNCATE: restart_seqs cascade"},
    {"0/16AAB48", 541, INT64_C(848860435424130),
     "COMMIT 541 (at 2026-11-25 00:03:55.42413+05:30)"},
    {"0/16AB4E8", 542, 0,
     "BEGIN 542"},
    {"0/16AB4E8", 542, 0,
     "table public.nokey: TRUNCATE: (no-flags)"},
    {"0/16AB648", 542, INT64_C(848860435425174),
     "COMMIT 542 (at 2026-11-25 00:03:55.425174+05:30)"},
    {"0/16AB698", 0, 0,
     "message: transactional: 0 prefix: pfx, sz: 3 content:, sz: 10 content:non-tx\n"
     "msg"},
    {"0/16ADF78", 543, 0,
     "BEGIN 543"},
    {"0/16ADF78", 543, 0,
     "table public.nokey, \"Sales Data\".\"My \"\"Table\"\".x\", public.\"user\": TRUN"
     "CATE: restart_seqs"},
    {"0/16AE3D8", 543, INT64_C(848860446115187),
     "COMMIT 543 (at 2026-11-25 00:04:06.115187+05:30)"},
    {"0/16AE3D8", 544, 0,
     "BEGIN 544"},
    {"0/16AE3D8", 544, 0,
     "table public.pkchange: INSERT: id[integer]:10 v[text]:'a'"},
    {"0/16AE458", 544, 0,
     "table public.pkchange: INSERT: id[integer]:11 v[text]:'b'"},
    {"0/16AE520", 544, 0,
     "message: transactional: 1 prefix: pfx, sz: 17 content:transactional msg"},
    {"0/16AE558", 544, INT64_C(848860446116791),
     "COMMIT 544 (at 2026-11-25 00:04:06.116791+05:30)"},
    {"0/16B4280", 549, 0,
     "BEGIN 549"},
    {"0/16B4280", 549, 0,
     "table public.fulltoast: INSERT: id[integer]:1 big[text]:'"
     Y1000
     Y1000
     Y100
     "' n[integer]:1"},
    {"0/16B4308", 549, INT64_C(848860470994010),
     "COMMIT 549 (at 2026-11-25 00:04:30.99401+05:30)"},
    {"0/16B4378", 550, 0,
     "BEGIN 550"},
    {"0/16B4378", 550, 0,
     "table public.fulltoast: UPDATE: old-key: id[integer]:1 big[text]:'"
     Y1000
     Y1000
     Y100
     "' n[integer]:1 new-tuple: id[integer]:1 big[text]:unchanged-toast-datum n[intege"
     "r]:2"},
    {"0/16B4C50", 550, INT64_C(848860470994358),
     "COMMIT 550 (at 2026-11-25 00:04:30.994358+05:30)"},
};
/* clang-format on */

#define NREC(a) (sizeof(a) / sizeof((a)[0]))

/* Lines recorded with 'include-xids' '0' (PG 15 with include-timestamp, PG 12 without). */
static const char *const noxid_lines[] = {
    "BEGIN",
    "COMMIT (at 2026-11-24 18:33:55.380522+00)",    /* PGTZ=UTC */
    "COMMIT (at 2026-11-24 15:03:55.380522-03:30)", /* PGTZ=America/St_Johns */
    "COMMIT (at 2026-11-25 00:18:55.380522+05:45)", /* PGTZ=Asia/Kathmandu */
    "COMMIT",                                       /* PG 12, no include-timestamp */
};

/* Marks an expected value as unchanged TOAST in check_col. */
static const char TOAST[] = "<unchanged-toast-datum>";

static cdc_lsn lsn_of(const char *text)
{
    cdc_lsn lsn = 0;
    assert_true(cdc_lsn_parse(text, &lsn));
    return lsn;
}

/* The nth (0-based) recorded line that starts with prefix. */
static const struct recorded *find(const struct recorded *rec, size_t n, const char *prefix,
                                   int nth)
{
    for (size_t i = 0; i < n; i++) {
        if (strncmp(rec[i].data, prefix, strlen(prefix)) == 0 && nth-- == 0)
            return &rec[i];
    }
    fail_msg("no recorded line starts with \"%s\"", prefix);
    return NULL;
}

static void decode_ok(const char *line, cdc_lsn lsn, struct cdc_change *c)
{
    char err[256];
    bool skip = true;
    memset(c, 0, sizeof(*c));
    if (!cdc_testdec_decode(line, strlen(line), lsn, c, &skip, err, sizeof(err)))
        fail_msg("decode failed: %s\nline: %.200s", err, line);
    assert_false(skip);
    assert_int_equal(c->lsn, lsn);
}

/* Decodes a recorded line, checking the lsn it carries. */
static void decode_rec(const struct recorded *r, struct cdc_change *c)
{
    decode_ok(r->data, lsn_of(r->lsn), c);
}

/* Column i of t: name, format_type text, and value (NULL: SQL NULL; TOAST: unchanged). */
static void check_col(const struct cdc_tuple *t, int i, const char *name, const char *type,
                      const char *value)
{
    assert_true(i < t->ncols);
    assert_non_null(t->names);
    assert_non_null(t->types);
    assert_string_equal(t->names[i], name);
    assert_string_equal(t->types[i], type);
    const struct cdc_value *v = &t->values[i];
    if (value == NULL) {
        assert_int_equal(v->kind, CDC_VALUE_NULL);
        assert_null(v->data);
    } else if (value == TOAST) {
        assert_int_equal(v->kind, CDC_VALUE_UNCHANGED_TOAST);
        assert_null(v->data);
    } else {
        assert_int_equal(v->kind, CDC_VALUE_TEXT);
        assert_non_null(v->data);
        assert_string_equal(v->data, value);
        assert_int_equal(v->len, (int) strlen(value));
    }
}

static void check_table(const struct cdc_change *c, enum cdc_kind kind, const char *schema,
                        const char *table)
{
    assert_int_equal(c->kind, kind);
    assert_string_equal(c->schema, schema);
    assert_string_equal(c->table, table);
    assert_int_equal(c->relid, 0);
    assert_null(c->relation);
    assert_int_equal(c->nrelids, 0);
    assert_null(c->qualified);
    assert_false(c->old_is_key);
}

static bool all_zero(const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i])
            return false;
    return true;
}

/*
 * Every recorded line decodes; BEGIN/COMMIT carry the recorded xid, COMMIT
 * its time and end_lsn; the lines form BEGIN, changes, COMMIT per xid;
 * messages are skipped. Returns the count of each kind.
 */
static void check_stream(const struct recorded *rec, size_t n, int counts[CDC_KIND_COUNT],
                         int *messages)
{
    uint32_t open_xid = 0;
    bool in_txn = false;
    memset(counts, 0, sizeof(int) * CDC_KIND_COUNT);
    *messages = 0;
    for (size_t i = 0; i < n; i++) {
        struct cdc_change c;
        char err[256];
        bool skip = true;
        memset(&c, 0, sizeof(c));
        bool ok = cdc_testdec_decode(rec[i].data, strlen(rec[i].data), lsn_of(rec[i].lsn), &c,
                                     &skip, err, sizeof(err));
        if (!ok)
            fail_msg("line %zu: %s", i, err);
        if (skip) {
            assert_true(strncmp(rec[i].data, "message: ", 9) == 0);
            assert_true(all_zero(&c, sizeof(c)));
            (*messages)++;
            continue;
        }
        assert_int_equal(c.lsn, lsn_of(rec[i].lsn));
        counts[c.kind]++;
        switch (c.kind) {
        case CDC_BEGIN:
            assert_false(in_txn);
            in_txn = true;
            open_xid = rec[i].xid;
            assert_int_equal(c.xid, rec[i].xid);
            assert_int_equal(c.final_lsn, 0);
            assert_int_equal(c.commit_ts, 0);
            break;
        case CDC_COMMIT:
            assert_true(in_txn);
            in_txn = false;
            assert_int_equal(c.xid, rec[i].xid);
            assert_int_equal(c.xid, open_xid);
            assert_int_equal(c.end_lsn, c.lsn);
            assert_int_equal(c.commit_lsn, 0);
            assert_true(c.commit_ts == rec[i].commit_us);
            break;
        case CDC_INSERT:
        case CDC_UPDATE:
        case CDC_DELETE:
        case CDC_TRUNCATE:
            assert_true(in_txn);
            assert_int_equal(rec[i].xid, open_xid);
            assert_int_equal(c.xid, 0);
            break;
        default:
            fail_msg("line %zu: unexpected kind %s", i, cdc_kind_name(c.kind));
        }
        cdc_change_reset(&c);
        assert_true(all_zero(&c, sizeof(c)));
    }
    assert_false(in_txn);
}

static void test_recorded_stream_15(void **state)
{
    int counts[CDC_KIND_COUNT], messages;
    check_stream(rec15, NREC(rec15), counts, &messages);
    assert_int_equal(counts[CDC_BEGIN], 35);
    assert_int_equal(counts[CDC_COMMIT], 35);
    assert_int_equal(counts[CDC_INSERT], 21);
    assert_int_equal(counts[CDC_UPDATE], 7);
    assert_int_equal(counts[CDC_DELETE], 6);
    assert_int_equal(counts[CDC_TRUNCATE], 3);
    assert_int_equal(counts[CDC_RELATION], 0);
    assert_int_equal(messages, 2);
}

static void test_recorded_stream_12(void **state)
{
    int counts[CDC_KIND_COUNT], messages;
    check_stream(rec12, NREC(rec12), counts, &messages);
    assert_int_equal(counts[CDC_BEGIN], 34);
    assert_int_equal(counts[CDC_COMMIT], 34);
    assert_int_equal(counts[CDC_INSERT], 19);
    assert_int_equal(counts[CDC_UPDATE], 7);
    assert_int_equal(counts[CDC_DELETE], 6);
    assert_int_equal(counts[CDC_TRUNCATE], 3);
    assert_int_equal(messages, 2);
}

static const struct expected_col {
    const char *name, *type, *value;
} types_row1[] = {
    {"id", "integer", "1"},
    {"i2", "smallint", "-32768"},
    {"i8", "bigint", "9223372036854775807"},
    {"n", "numeric", "NaN"},
    {"n2", "numeric", "12.50"},
    {"f4", "real", "Infinity"},
    {"f8", "double precision", "-Infinity"},
    {"b", "boolean", "true"},
    {"t", "text", "it's \"q\" \\back\\slash\nline2\ttab ]: x[integer]:5 new-tuple: '' end"},
    {"vc", "character varying", "vc ü"},
    {"c", "character", "c    "},
    {"ch", "\"char\"", "x"},
    {"nm", "name", "nm"},
    {"ba", "bytea", "\\x00ff27"},
    {"j", "json", "{\"a\": \"b'c\", \"n\": [1, 2]}"},
    {"jb", "jsonb", "{\"k\": \"v\\\"w\"}"},
    {"ia", "integer[]", "{1,NULL,3}"},
    {"ta", "text[]", "{\"a b\",it's,\"q\\\"x\",NULL,\"back\\\\slash\",\"\"}"},
    {"vca", "character varying[]", "{abc,def}"},
    {"ir", "int4range", "[1,10)"},
    {"tsr", "tstzrange", "[\"2024-01-01 15:30:00+05:30\",\"2024-02-01 05:30:00+05:30\")"},
    {"ts", "timestamp without time zone", "2024-01-01 10:00:00.123"},
    {"tstz", "timestamp with time zone", "2024-07-01 03:29:59.999999+05:30"},
    {"d", "date", "2024-02-29"},
    {"tm", "time without time zone", "13:14:15"},
    {"tmtz", "time with time zone", "13:14:15+05:30"},
    {"iv", "interval", "1 year 2 mons 3 days 04:05:06.5"},
    {"bt", "bit", "0101"},
    {"vb", "bit varying", ""},
    {"u", "uuid", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"},
    {"ip", "inet", "192.168.0.1/24"},
    {"cd", "cidr", "10.0.0.0/8"},
    {"mac", "macaddr", "08:00:2b:01:02:03"},
    {"pt", "point", "(1.5,-2)"},
    {"bx", "box", "(1,1),(0,0)"},
    {"o", "oid", "4294967295"},
    {"mood", "\"Mood\"", "it's ok"},
    {"pi", "\"Pos Int\"", "42"},
    {"mt", "\"Sales Data\".\"My Type\"", "b]:c"},
    {"mta", "\"Sales Data\".\"My Type\"[]", "{a,b]:c}"},
    {"em", "\"Sales Data\".email", "x@y.z"},
    {"m", "money", "$12.34"},
    {"x", "xml", "<a b=\"c\">d</a>"},
    {"tsv", "tsvector", "'cat''s' 'fat'"},
    {"pr", "pair", "(7,\"l \"\"q\"\" 's\")"},
    {"ia2", "integer[]", "{{1,2},{3,4}}"},
};

static void check_types_row1(const struct recorded *r)
{
    struct cdc_change c;
    decode_rec(r, &c);
    check_table(&c, CDC_INSERT, "public", "types");
    assert_false(c.has_old);
    assert_int_equal(c.old_tuple.ncols, 0);
    assert_int_equal(c.new_tuple.ncols, (int) NREC(types_row1));
    for (size_t i = 0; i < NREC(types_row1); i++)
        check_col(&c.new_tuple, (int) i, types_row1[i].name, types_row1[i].type,
                  types_row1[i].value);
    cdc_change_reset(&c);
}

static void test_every_type(void **state)
{
    check_types_row1(find(rec15, NREC(rec15), "table public.types: INSERT: id[integer]:1 ", 0));
    check_types_row1(find(rec12, NREC(rec12), "table public.types: INSERT: id[integer]:1 ", 0));
}

/* Rows 2 and 3: NULLs everywhere else, and the other float/numeric/bool forms. */
static void test_nulls_and_float_forms(void **state)
{
    const struct recorded *recs[] = {rec15, rec12};
    const size_t nrecs[] = {NREC(rec15), NREC(rec12)};
    for (int v = 0; v < 2; v++) {
        struct cdc_change c;
        decode_rec(find(recs[v], nrecs[v], "table public.types: INSERT: id[integer]:2 ", 0), &c);
        assert_int_equal(c.new_tuple.ncols, (int) NREC(types_row1));
        for (size_t i = 0; i < NREC(types_row1); i++) {
            const char *name = types_row1[i].name, *want = NULL;
            if (strcmp(name, "id") == 0)
                want = "2";
            else if (strcmp(name, "f4") == 0)
                want = "NaN";
            else if (strcmp(name, "f8") == 0)
                want = "1e+308";
            else if (strcmp(name, "n") == 0)
                want = "-0.000001";
            else if (strcmp(name, "b") == 0)
                want = "false";
            else if (strcmp(name, "vb") == 0)
                want = "1";
            check_col(&c.new_tuple, (int) i, name, types_row1[i].type, want);
        }
        cdc_change_reset(&c);

        decode_rec(find(recs[v], nrecs[v], "table public.types: INSERT: id[integer]:3 ", 0), &c);
        check_col(&c.new_tuple, 5, "f4", "real", "1.5e-05");
        check_col(&c.new_tuple, 6, "f8", "double precision", "0");
        check_col(&c.new_tuple, 7, "b", "boolean", NULL);
        cdc_change_reset(&c);
    }
}

static void test_numeric_infinity_and_multirange(void **state)
{
    struct cdc_change c;
    decode_rec(find(rec15, NREC(rec15), "table public.inf: INSERT: id[integer]:1 ", 0), &c);
    check_table(&c, CDC_INSERT, "public", "inf");
    assert_int_equal(c.new_tuple.ncols, 3);
    check_col(&c.new_tuple, 0, "id", "integer", "1");
    check_col(&c.new_tuple, 1, "n", "numeric", "Infinity");
    check_col(&c.new_tuple, 2, "mr", "int4multirange", "{[1,3),[5,7)}");
    cdc_change_reset(&c);
    decode_rec(find(rec15, NREC(rec15), "table public.inf: INSERT: id[integer]:2 ", 0), &c);
    check_col(&c.new_tuple, 1, "n", "numeric", "-Infinity");
    check_col(&c.new_tuple, 2, "mr", "int4multirange", "{}");
    cdc_change_reset(&c);
}

static void test_unchanged_toast(void **state)
{
    const struct recorded *recs[] = {rec15, rec12};
    const size_t nrecs[] = {NREC(rec15), NREC(rec12)};
    for (int v = 0; v < 2; v++) {
        struct cdc_change c;
        decode_rec(find(recs[v], nrecs[v], "table public.toasty: INSERT:", 0), &c);
        check_col(&c.new_tuple, 1, "big", "text", X1000 X1000 X1000);
        cdc_change_reset(&c);

        decode_rec(find(recs[v], nrecs[v], "table public.toasty: UPDATE:", 0), &c);
        check_table(&c, CDC_UPDATE, "public", "toasty");
        assert_false(c.has_old);
        assert_int_equal(c.old_tuple.ncols, 0);
        assert_int_equal(c.new_tuple.ncols, 3);
        check_col(&c.new_tuple, 0, "id", "integer", "1");
        check_col(&c.new_tuple, 1, "big", "text", TOAST);
        check_col(&c.new_tuple, 2, "small", "integer", "2");
        cdc_change_reset(&c);

        /* REPLICA IDENTITY FULL: the old row has the value in full, the new one does not */
        decode_rec(find(recs[v], nrecs[v], "table public.fulltoast: UPDATE:", 0), &c);
        check_table(&c, CDC_UPDATE, "public", "fulltoast");
        assert_true(c.has_old);
        assert_int_equal(c.old_tuple.ncols, 3);
        check_col(&c.old_tuple, 0, "id", "integer", "1");
        check_col(&c.old_tuple, 1, "big", "text", Y1000 Y1000 Y100);
        check_col(&c.old_tuple, 2, "n", "integer", "1");
        assert_int_equal(c.new_tuple.ncols, 3);
        check_col(&c.new_tuple, 0, "id", "integer", "1");
        check_col(&c.new_tuple, 1, "big", "text", TOAST);
        check_col(&c.new_tuple, 2, "n", "integer", "2");
        cdc_change_reset(&c);
    }
}

static void test_key_change_update_delete(void **state)
{
    struct cdc_change c;
    decode_rec(find(rec15, NREC(rec15), "table public.pkchange: UPDATE: old-key:", 0), &c);
    check_table(&c, CDC_UPDATE, "public", "pkchange");
    assert_true(c.has_old);
    assert_int_equal(c.old_tuple.ncols, 1);
    check_col(&c.old_tuple, 0, "id", "integer", "1");
    assert_int_equal(c.new_tuple.ncols, 2);
    check_col(&c.new_tuple, 0, "id", "integer", "2");
    check_col(&c.new_tuple, 1, "v", "text", "two");
    cdc_change_reset(&c);

    decode_rec(find(rec15, NREC(rec15), "table public.pkchange: UPDATE: id", 0), &c);
    assert_false(c.has_old);
    assert_int_equal(c.old_tuple.ncols, 0);
    assert_null(c.old_tuple.names);
    check_col(&c.new_tuple, 0, "id", "integer", "2");
    check_col(&c.new_tuple, 1, "v", "text", "deux");
    cdc_change_reset(&c);

    decode_rec(find(rec12, NREC(rec12), "table public.pkchange: DELETE:", 0), &c);
    check_table(&c, CDC_DELETE, "public", "pkchange");
    assert_true(c.has_old);
    assert_int_equal(c.old_tuple.ncols, 1);
    check_col(&c.old_tuple, 0, "id", "integer", "2");
    assert_int_equal(c.new_tuple.ncols, 0);
    cdc_change_reset(&c);
}

/* FULL identity: the old row leaves out its NULL column (b). */
static void test_replica_identity_full(void **state)
{
    struct cdc_change c;
    decode_rec(find(rec15, NREC(rec15), "table public.fullid: INSERT:", 0), &c);
    check_col(&c.new_tuple, 1, "b", "text", NULL);
    cdc_change_reset(&c);

    decode_rec(find(rec15, NREC(rec15), "table public.fullid: UPDATE:", 0), &c);
    check_table(&c, CDC_UPDATE, "public", "fullid");
    assert_true(c.has_old);
    assert_int_equal(c.old_tuple.ncols, 2);
    check_col(&c.old_tuple, 0, "a", "integer", "1");
    check_col(&c.old_tuple, 1, "c", "integer", "3");
    assert_int_equal(c.new_tuple.ncols, 3);
    check_col(&c.new_tuple, 0, "a", "integer", "1");
    check_col(&c.new_tuple, 1, "b", "text", NULL);
    check_col(&c.new_tuple, 2, "c", "integer", "4");
    cdc_change_reset(&c);

    decode_rec(find(rec12, NREC(rec12), "table public.fullid: DELETE:", 0), &c);
    check_table(&c, CDC_DELETE, "public", "fullid");
    assert_true(c.has_old);
    assert_int_equal(c.old_tuple.ncols, 2);
    check_col(&c.old_tuple, 0, "a", "integer", "1");
    check_col(&c.old_tuple, 1, "c", "integer", "4");
    cdc_change_reset(&c);
}

static void test_no_replica_identity(void **state)
{
    struct cdc_change c;
    decode_rec(find(rec15, NREC(rec15), "table public.nokey: UPDATE:", 0), &c);
    check_table(&c, CDC_UPDATE, "public", "nokey");
    assert_false(c.has_old);
    assert_int_equal(c.new_tuple.ncols, 2);
    check_col(&c.new_tuple, 0, "a", "integer", "1");
    check_col(&c.new_tuple, 1, "b", "text", "b");
    cdc_change_reset(&c);

    decode_rec(find(rec15, NREC(rec15), "table public.nokey: DELETE:", 0), &c);
    check_table(&c, CDC_DELETE, "public", "nokey");
    assert_false(c.has_old);
    assert_int_equal(c.old_tuple.ncols, 0);
    assert_null(c.old_tuple.values);
    assert_int_equal(c.new_tuple.ncols, 0);
    cdc_change_reset(&c);
}

static void test_zero_column_tables(void **state)
{
    struct cdc_change c;
    decode_rec(find(rec15, NREC(rec15), "table public.z: INSERT:", 0), &c);
    check_table(&c, CDC_INSERT, "public", "z");
    assert_int_equal(c.new_tuple.ncols, 0);
    assert_false(c.has_old);
    cdc_change_reset(&c);

    /* default identity, no key: nothing to find the row with */
    decode_rec(find(rec15, NREC(rec15), "table public.z: DELETE:", 0), &c);
    check_table(&c, CDC_DELETE, "public", "z");
    assert_false(c.has_old);
    cdc_change_reset(&c);

    /* FULL identity: an old row with no columns, which is not "no old row" */
    decode_rec(find(rec12, NREC(rec12), "table public.zfull: DELETE:", 0), &c);
    check_table(&c, CDC_DELETE, "public", "zfull");
    assert_true(c.has_old);
    assert_int_equal(c.old_tuple.ncols, 0);
    cdc_change_reset(&c);
}

static void test_quoted_identifiers(void **state)
{
    static const char *const names[] = {"select", "Ünï", "a b", "col]:x", "new-tuple", "user"};
    static const char *const values[] = {"1", "ünï 表", "a b", "7", "nt", "u"};
    struct cdc_change c;

    decode_rec(find(rec15, NREC(rec15), "table \"Sales Data\".\"My \"\"Table\"\".x\": INSERT:", 0),
               &c);
    check_table(&c, CDC_INSERT, "Sales Data", "My \"Table\".x");
    assert_int_equal(c.new_tuple.ncols, 6);
    for (int i = 0; i < 6; i++)
        check_col(&c.new_tuple, i, names[i], i == 0 || i == 3 ? "integer" : "text", values[i]);
    cdc_change_reset(&c);

    /* old-key followed by a column that is named new-tuple */
    decode_rec(find(rec12, NREC(rec12), "table \"Sales Data\".\"My \"\"Table\"\".x\": UPDATE:", 0),
               &c);
    check_table(&c, CDC_UPDATE, "Sales Data", "My \"Table\".x");
    assert_true(c.has_old);
    assert_int_equal(c.old_tuple.ncols, 1);
    check_col(&c.old_tuple, 0, "select", "integer", "1");
    assert_int_equal(c.new_tuple.ncols, 6);
    check_col(&c.new_tuple, 0, "select", "integer", "2");
    check_col(&c.new_tuple, 4, "new-tuple", "text", "nt");
    cdc_change_reset(&c);

    decode_rec(find(rec15, NREC(rec15), "table \"Sales Data\".\"My \"\"Table\"\".x\": DELETE:", 0),
               &c);
    check_table(&c, CDC_DELETE, "Sales Data", "My \"Table\".x");
    check_col(&c.old_tuple, 0, "select", "integer", "2");
    cdc_change_reset(&c);

    decode_rec(find(rec15, NREC(rec15), "table public.\"user\": INSERT:", 0), &c);
    check_table(&c, CDC_INSERT, "public", "user");
    check_col(&c.new_tuple, 0, "id", "integer", "1");
    check_col(&c.new_tuple, 1, "Ñame", "text", "Ñ");
    cdc_change_reset(&c);
}

/* Generated columns come with the row (pgoutput leaves them out); dropped ones do not. */
static void test_generated_dropped_partition(void **state)
{
    struct cdc_change c;
    decode_rec(find(rec15, NREC(rec15), "table public.gen: INSERT:", 0), &c);
    assert_int_equal(c.new_tuple.ncols, 4);
    check_col(&c.new_tuple, 2, "twice", "integer", "42");
    check_col(&c.new_tuple, 3, "ident", "integer", "1");
    cdc_change_reset(&c);

    decode_rec(find(rec12, NREC(rec12), "table public.dropped: INSERT:", 0), &c);
    assert_int_equal(c.new_tuple.ncols, 2);
    check_col(&c.new_tuple, 0, "id", "integer", "1");
    check_col(&c.new_tuple, 1, "kept", "text", "k");
    cdc_change_reset(&c);

    /* a partitioned table's rows are named by their partition */
    decode_rec(find(rec15, NREC(rec15), "table public.part_a: INSERT:", 0), &c);
    check_table(&c, CDC_INSERT, "public", "part_a");
    cdc_change_reset(&c);
}

static void check_split(const char *qualified, const char *schema, const char *table)
{
    char *s = NULL, *t = NULL;
    assert_true(cdc_testdec_split_name(qualified, &s, &t));
    assert_string_equal(s, schema);
    assert_string_equal(t, table);
    free(s);
    free(t);
}

static void test_truncate(void **state)
{
    const struct recorded *recs[] = {rec15, rec12};
    const size_t nrecs[] = {NREC(rec15), NREC(rec12)};
    for (int v = 0; v < 2; v++) {
        struct cdc_change c;
        decode_rec(find(recs[v], nrecs[v], "table public.parent, public.child: TRUNCATE:", 0), &c);
        assert_int_equal(c.kind, CDC_TRUNCATE);
        assert_int_equal(c.nrelids, 2);
        assert_null(c.relids);
        assert_null(c.schema);
        assert_null(c.table);
        assert_string_equal(c.qualified[0], "public.parent");
        assert_string_equal(c.qualified[1], "public.child");
        assert_true(c.restart_identity);
        assert_true(c.cascade);
        cdc_change_reset(&c);

        decode_rec(find(recs[v], nrecs[v], "table public.nokey: TRUNCATE:", 0), &c);
        assert_int_equal(c.kind, CDC_TRUNCATE);
        assert_int_equal(c.nrelids, 1);
        assert_string_equal(c.qualified[0], "public.nokey");
        assert_false(c.restart_identity);
        assert_false(c.cascade);
        cdc_change_reset(&c);

        decode_rec(find(recs[v], nrecs[v], "table public.nokey, ", 0), &c);
        assert_int_equal(c.kind, CDC_TRUNCATE);
        assert_int_equal(c.nrelids, 3);
        assert_string_equal(c.qualified[0], "public.nokey");
        assert_string_equal(c.qualified[1], "\"Sales Data\".\"My \"\"Table\"\".x\"");
        assert_string_equal(c.qualified[2], "public.\"user\"");
        assert_true(c.restart_identity);
        assert_false(c.cascade);
        check_split(c.qualified[1], "Sales Data", "My \"Table\".x");
        check_split(c.qualified[2], "public", "user");
        cdc_change_reset(&c);
    }
}

/* A transaction with a savepoint and a transactional message in the middle. */
static void test_transaction_with_message(void **state)
{
    const struct recorded *b = find(rec15, NREC(rec15), "BEGIN 793", 0);
    const char *expect[] = {"BEGIN", "INSERT", "INSERT", "message", "COMMIT"};
    for (int i = 0; i < 5; i++) {
        struct cdc_change c;
        char err[128];
        bool skip = false;
        memset(&c, 0, sizeof(c));
        assert_int_equal(b[i].xid, 793);
        assert_true(cdc_testdec_decode(b[i].data, strlen(b[i].data), lsn_of(b[i].lsn), &c, &skip,
                                       err, sizeof(err)));
        if (strcmp(expect[i], "message") == 0) {
            assert_true(skip);
            assert_true(all_zero(&c, sizeof(c)));
            continue;
        }
        assert_false(skip);
        assert_string_equal(cdc_kind_name(c.kind), expect[i]);
        if (c.kind == CDC_INSERT)
            check_col(&c.new_tuple, 0, "id", "integer", i == 1 ? "10" : "11");
        if (c.kind == CDC_COMMIT) {
            assert_int_equal(c.xid, 793);
            assert_int_equal(c.end_lsn, lsn_of("0/15C0CB8"));
        }
        cdc_change_reset(&c);
    }
    /* the non-transactional message, whose prefix and content mimic the format */
    const struct recorded *m = find(rec15, NREC(rec15), "message: transactional: 0", 0);
    struct cdc_change c;
    bool skip = false;
    memset(&c, 0, sizeof(c));
    assert_true(cdc_testdec_decode(m->data, strlen(m->data), 0, &c, &skip, NULL, 0));
    assert_true(skip);
    /* without a skip flag the caller could take the empty change for a BEGIN */
    assert_false(cdc_testdec_decode(m->data, strlen(m->data), 0, &c, NULL, NULL, 0));
    assert_true(all_zero(&c, sizeof(c)));
}

/* BEGIN/COMMIT without xids, and the commit time in other zones: the same instant. */
static void test_begin_commit_forms(void **state)
{
    struct cdc_change c;
    decode_ok(noxid_lines[0], 42, &c);
    assert_int_equal(c.kind, CDC_BEGIN);
    assert_int_equal(c.xid, 0);
    cdc_change_reset(&c);
    for (int i = 1; i <= 3; i++) {
        decode_ok(noxid_lines[i], 0x15B2268, &c);
        assert_int_equal(c.kind, CDC_COMMIT);
        assert_int_equal(c.xid, 0);
        assert_int_equal(c.end_lsn, 0x15B2268);
        assert_true(c.commit_ts == INT64_C(848860435380522));
        cdc_change_reset(&c);
    }
    decode_ok(noxid_lines[4], 7, &c);
    assert_int_equal(c.kind, CDC_COMMIT);
    assert_int_equal(c.commit_ts, 0);
    assert_int_equal(c.end_lsn, 7);
    cdc_change_reset(&c);

    /* hand-written: the epoch, before it, no fraction, offsets with seconds, big xid */
    static const struct {
        const char *line;
        uint32_t xid;
        int64_t us;
    } forms[] = {
        {"COMMIT 1 (at 2000-01-01 00:00:00+00)", 1, 0},
        {"COMMIT 2 (at 1999-12-31 23:59:59.999999+00)", 2, -1},
        {"COMMIT 3 (at 2000-01-01 05:30:00.5+05:30)", 3, 500000},
        {"COMMIT 4 (at 1937-06-30 23:59:59+00:19:32)", 4, INT64_C(-1972426773000000)},
        {"COMMIT 4294967295 (at 2024-02-29 12:00:00.000001-09)", 4294967295u,
         INT64_C(762555600000001)},
        {"COMMIT (at 2024-02-29 12:00:00.000001-09)", 0, INT64_C(762555600000001)},
    };
    for (size_t i = 0; i < NREC(forms); i++) {
        decode_ok(forms[i].line, 1, &c);
        assert_int_equal(c.kind, CDC_COMMIT);
        assert_int_equal(c.xid, forms[i].xid);
        if (c.commit_ts != forms[i].us)
            fail_msg("%s: commit_ts %lld, expected %lld", forms[i].line, (long long) c.commit_ts,
                     (long long) forms[i].us);
        cdc_change_reset(&c);
    }
}

/*
 * A table WITH OIDS (before PostgreSQL 12): a leading oid[oid] column, in the
 * old key too. Recorded from PostgreSQL 11.22 the same way (PGTZ UTC) after
 *   CREATE TABLE withoids (a integer PRIMARY KEY, b text) WITH OIDS;
 *   INSERT INTO withoids VALUES (1, 'o');  UPDATE withoids SET a = 2;  DELETE FROM withoids;
 */
static void truncate_all(const char *line, int *accepted, int *rejected);

static void test_with_oids_11(void **state)
{
    static const struct recorded rec11[] = {
        {"0/1675EB0", 570, 0, "BEGIN 570"},
        {"0/1675EB0", 570, 0,
         "table public.withoids: INSERT: oid[oid]:16392 a[integer]:1 b[text]:'o'"},
        {"0/1675FC8", 570, INT64_C(848861063242923),
         "COMMIT 570 (at 2026-11-24 18:44:23.242923+00)"},
        {"0/1675FC8", 571, 0, "BEGIN 571"},
        {"0/1675FC8", 571, 0,
         "table public.withoids: UPDATE: old-key: oid[oid]:16392 a[integer]:1 new-tuple: "
         "oid[oid]:16392 a[integer]:2 b[text]:'o'"},
        {"0/16760B8", 571, INT64_C(848861063243252),
         "COMMIT 571 (at 2026-11-24 18:44:23.243252+00)"},
        {"0/16760B8", 572, 0, "BEGIN 572"},
        {"0/16760B8", 572, 0, "table public.withoids: DELETE: oid[oid]:16392 a[integer]:2"},
        {"0/1676130", 572, INT64_C(848861063243441),
         "COMMIT 572 (at 2026-11-24 18:44:23.243441+00)"},
    };
    int counts[CDC_KIND_COUNT], messages;
    check_stream(rec11, NREC(rec11), counts, &messages);
    assert_int_equal(counts[CDC_COMMIT], 3);

    struct cdc_change c;
    decode_rec(&rec11[1], &c);
    check_table(&c, CDC_INSERT, "public", "withoids");
    assert_int_equal(c.new_tuple.ncols, 3);
    check_col(&c.new_tuple, 0, "oid", "oid", "16392");
    check_col(&c.new_tuple, 1, "a", "integer", "1");
    check_col(&c.new_tuple, 2, "b", "text", "o");
    cdc_change_reset(&c);

    decode_rec(&rec11[4], &c);
    assert_true(c.has_old);
    assert_int_equal(c.old_tuple.ncols, 2);
    check_col(&c.old_tuple, 0, "oid", "oid", "16392");
    check_col(&c.old_tuple, 1, "a", "integer", "1");
    assert_int_equal(c.new_tuple.ncols, 3);
    check_col(&c.new_tuple, 1, "a", "integer", "2");
    cdc_change_reset(&c);

    decode_rec(&rec11[7], &c);
    check_table(&c, CDC_DELETE, "public", "withoids");
    assert_int_equal(c.old_tuple.ncols, 2);
    check_col(&c.old_tuple, 1, "a", "integer", "2");
    cdc_change_reset(&c);

    for (size_t i = 0; i < NREC(rec11); i++) {
        int accepted = 0, rejected = 0;
        truncate_all(rec11[i].data, &accepted, &rejected);
    }
}

/*
 * Hand-written lines in forms the recorded ones do not show: NULLs printed
 * in an old key (older servers), types whose quoted names hold "]:" or
 * quotes, a value holding " new-tuple: " inside an old key.
 */
static void test_other_forms(void **state)
{
    struct cdc_change c;
    decode_ok("table s.t: UPDATE: old-key: a[integer]:1 b[text]:null k[text]:' new-tuple: x' "
              "new-tuple: a[integer]:1 b[text]:null k[text]:'y'",
              5, &c);
    assert_int_equal(c.old_tuple.ncols, 3);
    check_col(&c.old_tuple, 1, "b", "text", NULL);
    check_col(&c.old_tuple, 2, "k", "text", " new-tuple: x");
    assert_int_equal(c.new_tuple.ncols, 3);
    check_col(&c.new_tuple, 2, "k", "text", "y");
    cdc_change_reset(&c);

    decode_ok("table s.t: INSERT: a[\"a]:b\"]:'1' \"x]:\"\"y\"[public.\"we\"\"ird\"[]]:'{}' "
              "c[\"[\"[]]:B'' d[bit varying[]]:'{101}' e[integer]:-0.5e-3",
              5, &c);
    assert_int_equal(c.new_tuple.ncols, 5);
    check_col(&c.new_tuple, 0, "a", "\"a]:b\"", "1");
    check_col(&c.new_tuple, 1, "x]:\"y", "public.\"we\"\"ird\"[]", "{}");
    check_col(&c.new_tuple, 2, "c", "\"[\"[]", "");
    check_col(&c.new_tuple, 3, "d", "bit varying[]", "{101}");
    check_col(&c.new_tuple, 4, "e", "integer", "-0.5e-3");
    cdc_change_reset(&c);

    /* an empty quoted value and a value that is only quotes */
    decode_ok("table s.t: INSERT: a[text]:'' b[text]:''''''", 5, &c);
    check_col(&c.new_tuple, 0, "a", "text", "");
    check_col(&c.new_tuple, 1, "b", "text", "''");
    cdc_change_reset(&c);
}

/*
 * A truncated line may still be a whole line (a cut between columns, after
 * a digit of a number, between a doubled quote); anything else must fail, with a
 * reason and nothing left allocated. The copy is exactly as long as the
 * prefix, so ASan catches a read past len.
 */
static void truncate_all(const char *line, int *accepted, int *rejected)
{
    size_t len = strlen(line);
    for (size_t k = 0; k < len; k++) {
        char *buf = malloc(k ? k : 1);
        assert_non_null(buf);
        memcpy(buf, line, k);
        struct cdc_change c;
        char err[256];
        bool skip = false;
        memset(&c, 0, sizeof(c));
        err[0] = '\0';
        bool ok = cdc_testdec_decode(buf, k, 1, &c, &skip, err, sizeof(err));
        if (ok) {
            char prev = k ? line[k - 1] : '\0', next = line[k];
            bool in_number = prev >= '0' && prev <= '9' && strchr("0123456789.e", next);
            bool boundary = next == ' ' || in_number || (prev == '\'' && next == '\'') || skip;
            if (!boundary)
                fail_msg("prefix of %zu bytes accepted: %.*s", k, (int) k, line);
            cdc_change_reset(&c);
            (*accepted)++;
        } else {
            assert_true(err[0] != '\0');
            assert_true(all_zero(&c, sizeof(c)));
            assert_false(skip);
            (*rejected)++;
        }
        free(buf);
    }
}

static void test_truncated_lines(void **state)
{
    int accepted = 0, rejected = 0;
    size_t total = 0;
    for (size_t i = 0; i < NREC(rec15); i++) {
        truncate_all(rec15[i].data, &accepted, &rejected);
        total += strlen(rec15[i].data);
    }
    for (size_t i = 0; i < NREC(rec12); i++) {
        truncate_all(rec12[i].data, &accepted, &rejected);
        total += strlen(rec12[i].data);
    }
    for (size_t i = 0; i < NREC(noxid_lines); i++) {
        truncate_all(noxid_lines[i], &accepted, &rejected);
        total += strlen(noxid_lines[i]);
    }
    print_message("truncated lines: %d rejected, %d still whole lines\n", rejected, accepted);
    assert_int_equal((size_t) (accepted + rejected), total);
    assert_true(rejected > 25000);
    assert_true(accepted < rejected / 10);
}

static void test_malformed(void **state)
{
    static const struct {
        const char *line;
        const char *reason; /* a piece of the message */
    } bad[] = {
        {"", "not a test_decoding line"},
        {"garbage", "not a test_decoding line"},
        {"begin 1", "not a test_decoding line"},
        {"BEGIN ", "transaction id"},
        {"BEGIN x", "transaction id"},
        {"BEGIN 1 2", "unexpected text"},
        {"BEGIN 4294967296", "transaction id"},
        {"BEGIN 12345678901", "transaction id"},
        {"BEGIN -1", "transaction id"},
        {"BEGINNING", "expected \" \""},
        {"COMMIT 1 (at 2024-01-01 10:00:00+00", "no closing ')'"},
        {"COMMIT 1 (at 2024-13-01 10:00:00+00)", "malformed commit time"},
        {"COMMIT 1 (at 2023-02-29 10:00:00+00)", "malformed commit time"},
        {"COMMIT 1 (at 2024-01-01 10:00:00)", "malformed commit time"},
        {"COMMIT 1 (at 2024-01-01 10:00:00.+00)", "malformed commit time"},
        {"COMMIT 1 (at 2024-01-01T10:00:00+00)", "malformed commit time"},
        {"COMMIT 1 (at 2024-01-01 10:00:00+00) x", "unexpected text"},
        {"COMMIT 1 (at 294277-01-01 10:00:00+00)", "malformed commit time"},
        {"COMMIT 1 (at 9999999-01-01 10:00:00+00)", "malformed commit time"},
        {"COMMIT 1 (at 2024-01-01 10:00:00+00 BC)", "malformed commit time"},
        {"COMMIT PREPARED 'g', txid 5", "transaction id"},
        {"table public.t INSERT: a[integer]:1", "expected \": \""},
        {"table t: INSERT: a[integer]:1", "expected \".\""},
        {"table public.: INSERT:", "table name"},
        {"table \"\".t: INSERT:", "empty quoted schema name"},
        {"table \"public.t: INSERT:", "unterminated quote"},
        {"table public.t: UPSERT: a[integer]:1", "unknown action"},
        {"table public.t: insert: a[integer]:1", "unknown action"},
        {"table public.t: INSERT a[integer]:1", "expected \":\""},
        {"table public.t, public.u: INSERT: a[integer]:1", "INSERT names 2 tables"},
        {"table public.t: INSERT: (no-tuple-data)", "without tuple data"},
        {"table public.t: UPDATE: (no-tuple-data)", "without a new tuple"},
        {"table public.t: INSERT: a[integer]", "line ends where \":\""},
        {"table public.t: INSERT: a[integer:1", "no closing \"]:\""},
        {"table public.t: INSERT: a[\"integer]:1", "unterminated quote"},
        {"table public.t: INSERT: a[]:1", "empty type"},
        {"table public.t: INSERT: a:1", "expected \"[\""},
        {"table public.t: INSERT: a[text]:'x", "unterminated quote"},
        {"table public.t: INSERT: a[text]:'it''s", "unterminated quote"},
        {"table public.t: INSERT: a[text]:'x'y", "expected \" \""},
        {"table public.t: INSERT: a[text]:'x'  b[text]:'y'", "expected a column name"},
        {"table public.t: INSERT: a[text]:abc", "malformed unquoted value"},
        {"table public.t: INSERT: a[text]:nul", "malformed unquoted value"},
        {"table public.t: INSERT: a[integer]:1.", "malformed unquoted value"},
        {"table public.t: INSERT: a[integer]:1e", "malformed unquoted value"},
        {"table public.t: INSERT: a[integer]:--1", "malformed unquoted value"},
        {"table public.t: INSERT: a[integer]:", "line ends where the value of column \"a\""},
        {"table public.t: INSERT: a[integer]: 1", "has no value"},
        {"table public.t: INSERT: a[bit]:B'012'", "expected \"'\""},
        {"table public.t: INSERT: a[bit]:B'01", "line ends where \"'\""},
        {"table public.t: INSERT: a[text]:unchanged-toast-datum", "unchanged-toast-datum outside"},
        {"table public.t: DELETE: a[text]:unchanged-toast-datum", "unchanged-toast-datum outside"},
        {"table public.t: UPDATE: old-key: a[text]:unchanged-toast-datum new-tuple: a[integer]:1",
         "unchanged-toast-datum outside"},
        {"table public.t: UPDATE: old-key: a[integer]:1", "before \"new-tuple:\""},
        {"table public.t: UPDATE: old-key: a[integer]:1 b", "\"[\" should follow a column name"},
        {"table public.t: DELETE: (no-tuple-data) x", "unexpected text"},
        {"table public.t: TRUNCATE:", "TRUNCATE without flags"},
        {"table public.t: TRUNCATE: restart_seqs cascade x", "unexpected text"},
        {"table public.t: TRUNCATE: cascade restart_seqs", "unexpected text"},
        {"table public.t: TRUNCATE: truncate", "unknown TRUNCATE flag"},
        {"table public.t: TRUNCATE: (no-flags) cascade", "unexpected text"},
        {"table public.t: INSERT:a[integer]:1", "expected \" \""},
        {"message: transactiona", "not a test_decoding line"},
    };
    for (size_t i = 0; i < NREC(bad); i++) {
        struct cdc_change c;
        char err[256];
        bool skip = true;
        memset(&c, 0, sizeof(c));
        err[0] = '\0';
        if (cdc_testdec_decode(bad[i].line, strlen(bad[i].line), 1, &c, &skip, err, sizeof(err)))
            fail_msg("accepted: %s", bad[i].line);
        if (strstr(err, bad[i].reason) == NULL)
            fail_msg("line: %s\nerror: %s\nexpected it to say: %s", bad[i].line, err,
                     bad[i].reason);
        assert_true(strncmp(err, "test_decoding line (", 20) == 0);
        assert_false(skip);
        assert_true(all_zero(&c, sizeof(c)));
    }
}

/* Bytes the text never holds: NUL anywhere; and no error buffer at all. */
static void test_nul_bytes_and_small_err(void **state)
{
    static const char with_nul[][40] = {
        "table public.t: INSERT: a[text]:'x\0y'",
        "table public.t: INSERT: \"a\0\"[text]:'x'",
        "table public.t: INSERT: a[te\0xt]:'x'",
        "table public.t: INSERT: a[integer]:1\0",
        "BEGIN 1\0",
    };
    static const size_t lens[] = {38, 39, 37, 37, 8};
    for (size_t i = 0; i < NREC(with_nul); i++) {
        struct cdc_change c;
        char err[256];
        bool skip;
        memset(&c, 0, sizeof(c));
        assert_false(cdc_testdec_decode(with_nul[i], lens[i], 1, &c, &skip, err, sizeof(err)));
        assert_true(all_zero(&c, sizeof(c)));
    }
    struct cdc_change c;
    char tiny[1] = {'x'};
    bool skip;
    memset(&c, 0, sizeof(c));
    assert_false(cdc_testdec_decode("garbage", 7, 1, &c, &skip, NULL, 0));
    assert_false(cdc_testdec_decode("garbage", 7, 1, &c, &skip, tiny, sizeof(tiny)));
    assert_int_equal(tiny[0], '\0');
    assert_false(cdc_testdec_decode(NULL, 0, 1, &c, &skip, tiny, sizeof(tiny)));
}

/* 1600 columns (PostgreSQL's limit) parse; a line asking for more than 10000 does not. */
static void test_many_columns(void **state)
{
    for (int ncols = 1600; ncols <= 10001; ncols += 10001 - 1600) {
        strbuf sb = STRBUF_INIT;
        sb_append(&sb, "table public.wide: INSERT:");
        for (int i = 0; i < ncols; i++)
            sb_printf(&sb, " c%d[integer]:%d", i, i);
        struct cdc_change c;
        char err[256];
        bool skip;
        memset(&c, 0, sizeof(c));
        bool ok = cdc_testdec_decode(sb.data, sb.len, 1, &c, &skip, err, sizeof(err));
        if (ncols == 1600) {
            assert_true(ok);
            assert_int_equal(c.new_tuple.ncols, 1600);
            check_col(&c.new_tuple, 1599, "c1599", "integer", "1599");
            cdc_change_reset(&c);
        } else {
            assert_false(ok);
            assert_non_null(strstr(err, "more than 10000 columns"));
            assert_true(all_zero(&c, sizeof(c)));
        }
        sb_free(&sb);
    }
}

static void test_split_name(void **state)
{
    check_split("public.t", "public", "t");
    check_split("\"Sales Data\".\"My \"\"Table\"\".x\"", "Sales Data", "My \"Table\".x");
    check_split("\"a.b\".\"c\"", "a.b", "c");
    check_split("\"Ünï\".\"表\"", "Ünï", "表");
    static const char *const bad[] = {"",      "t",      "public.",   ".t",   "public.t.x",
                                      "\"a.b", "a.\"\"", "public.t ", "a b.c"};
    for (size_t i = 0; i < NREC(bad); i++) {
        char *s = (char *) 1, *t = (char *) 1;
        if (cdc_testdec_split_name(bad[i], &s, &t))
            fail_msg("accepted: %s", bad[i]);
    }
    char *s, *t;
    assert_false(cdc_testdec_split_name(NULL, &s, &t));
}

static void test_start_options(void **state)
{
    assert_string_equal(cdc_testdec_start_options(),
                        "(\"include-xids\" '1', \"skip-empty-xacts\" '1', "
                        "\"include-timestamp\" '1')");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_recorded_stream_15),
        cmocka_unit_test(test_recorded_stream_12),
        cmocka_unit_test(test_every_type),
        cmocka_unit_test(test_nulls_and_float_forms),
        cmocka_unit_test(test_numeric_infinity_and_multirange),
        cmocka_unit_test(test_unchanged_toast),
        cmocka_unit_test(test_key_change_update_delete),
        cmocka_unit_test(test_replica_identity_full),
        cmocka_unit_test(test_no_replica_identity),
        cmocka_unit_test(test_zero_column_tables),
        cmocka_unit_test(test_quoted_identifiers),
        cmocka_unit_test(test_generated_dropped_partition),
        cmocka_unit_test(test_truncate),
        cmocka_unit_test(test_transaction_with_message),
        cmocka_unit_test(test_begin_commit_forms),
        cmocka_unit_test(test_with_oids_11),
        cmocka_unit_test(test_other_forms),
        cmocka_unit_test(test_truncated_lines),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_nul_bytes_and_small_err),
        cmocka_unit_test(test_many_columns),
        cmocka_unit_test(test_split_name),
        cmocka_unit_test(test_start_options),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
