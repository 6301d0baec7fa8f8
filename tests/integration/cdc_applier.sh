#!/usr/bin/env bash
# The change applier (src/cdc/applier.c) against a PostgreSQL 15 target,
# through tests/tools/applier_probe, which builds change sequences in C as
# the pgoutput and test_decoding decoders would produce them. The tables are
# in tests/sql/cdc_applier_target.sql; every check reads the target with psql.
#   1. values: quotes, newlines, unicode, backslashes, NULL, empty text; a
#      GENERATED ALWAYS identity and a generated column; an unchanged-TOAST
#      update keeping a 200 kB value; primary key changes; REPLICA IDENTITY
#      FULL with duplicate rows, NULLs, json and point (exactly one row
#      touched); a partitioned root (a row moved between partitions, a FULL
#      delete touching one partition's row); TRUNCATE with and without
#      RESTART IDENTITY; a RELATION after ALTER TABLE ADD COLUMN (and a new
#      column name without one); odd schema, table and column names; more
#      statement shapes for one table than are kept prepared; grouped
#      statements (array parameters): order within a table, repeated keys,
#      values that need quoting in arrays, box's ';' delimiter, a non-key
#      identity column, an ALWAYS trigger seeing every earlier change;
#      binary array parameters: 13 types at the ends of their ranges, BC and
#      five-digit years, offsets with seconds, 'infinity' falling back to text;
#   2. 300 transactions committed as one batch, the origin at the last end;
#   3. dedupe: transactions fed again (same session, and after reopening)
#      change nothing; one too big to keep until its COMMIT is rolled back;
#   4. an UPDATE (key) and a DELETE (FULL) of a missing row roll the whole
#      batch back, leave the position unchanged, name the table and not the
#      values;
#   5. the progress-row fallback (progress=row): position, dedupe after
#      reopening, drop of the row, table and schema;
#   6. a non-superuser role: AUTO picks the progress row, ORIGIN is refused,
#      no SET privilege on session_replication_role is refused;
#   7. tables outside the list and updates/deletes of insert-only tables are
#      skipped and counted;
#   8. record_position on idle (never backwards), drop of the origin;
#   9. throughput: pgbench -N-like transactions (the rate is printed).
set -euo pipefail
PGS_CMD_TIMEOUT=${PGS_CMD_TIMEOUT:-300}
. "$(dirname "$0")/lib.sh"

APPLIER_PROBE_BIN=${APPLIER_PROBE_BIN:-$PGS_ROOT/build/tests/applier_probe}
[[ -x $APPLIER_PROBE_BIN ]] || skip_test "applier_probe not found at $APPLIER_PROBE_BIN (set APPLIER_PROBE_BIN)"

DB=applier

# expect_equal DESCRIPTION GOT WANT
expect_equal() {
    if [[ $2 == "$3" ]]; then
        pass "$1"
    else
        fail "$1: got '$2', expected '$3'"
    fi
}

# tq SQL: one value from the target database.
tq() { q "$tgt_URI" "$DB" "$1"; }

# probe STEP...: the probe as the superuser, expecting exit 0.
probe() {
    APPLIER_PROBE_CONNINFO=$(uri_db "$tgt_URI" "$DB") assert_exit 0 "$APPLIER_PROBE_BIN" "$@"
}

# field PREFIX KEY: KEY=value on the last line of the last probe's output starting with PREFIX.
field() { sed -n "/^$1 /{s/.* $2=\\([^ ]*\\).*/\\1/;h};\${x;p}" "$LAST_STDOUT"; }

origin_lsn() { tq "SELECT remote_lsn FROM pg_replication_origin_status WHERE external_id = '$1'"; }

section "target"
start_cluster tgt
load_fixture "$tgt_URI" "$DB" "$FIXTURE_DIR/cdc_applier_target.sql"

section "1. values, identities, TOAST, keys, FULL identity, partitions, TRUNCATE, RELATION, names"
probe config:origin=pgs_main open run:odd_text run:identity run:toast run:pk_change \
    run:full_dups run:partition run:truncate run:evolve1 flush \
    "sql:ALTER TABLE evolve ADD COLUMN b text; ALTER TABLE evolve_td ADD COLUMN c text" \
    run:evolve2 run:odd_names flush state sync state
expect_equal "AUTO as a superuser uses a replication origin" "$(field open uses_origin)" 1
expect_equal "the apply session compresses full-page images where the server has lz4 and leaves compression off" \
    "$(field open wal_lz4)" \
    "$(tq "SELECT ('lz4' = ANY (enumvals) AND setting = 'off')::int FROM pg_settings WHERE name = 'wal_compression'")"
expect_equal "16 odd texts arrived exactly (pgoutput and test_decoding, 8 rows to a grouped INSERT)" \
    "$(tq "SELECT count(*) FROM texts t JOIN texts_ref r ON r.id = t.id % 10 AND t.t IS NOT DISTINCT FROM r.t")/$(tq "SELECT count(*) FROM texts")" "16/16"
expect_equal "NULL stays NULL, empty text stays empty" \
    "$(tq "SELECT string_agg(id || ':' || coalesce(length(t)::text, 'null'), ',' ORDER BY id) FROM texts WHERE id % 10 IN (5, 6)")" \
    "5:null,6:0,15:null,16:0"
expect_equal "identity ALWAYS ids kept (OVERRIDING SYSTEM VALUE), updates leave them, generated column computed" \
    "$(tq "SELECT string_agg(id || ':' || v || ':' || g, ',' ORDER BY id) FROM ident")" "100:hello world:11,200:po2:3"
expect_equal "an update with an unchanged TOAST value keeps the 200 kB value" \
    "$(tq "SELECT small || ':' || length(blob) || ':' || (md5(blob) = md5(repeat('0123456789abcdefghij', 10000))) FROM big")" \
    "after:200000:true"
expect_equal "updates that change the primary key (old key K and test_decoding old-key)" \
    "$(tq "SELECT string_agg(id || ':' || v, ',' ORDER BY id) FROM pkc")" "10:a2,20:b2"
expect_equal "FULL identity with duplicates: one row updated, one of two NULL rows deleted each time, json/point compared as text" \
    "$(tq "SELECT string_agg(a || ':' || coalesce(b, 'NULL'), ',' ORDER BY a, b) FROM fulldup")" "1:x,1:x,1:y,2:notnull"
expect_equal "a key update on the partitioned root moved the row to the other partition" \
    "$(tq "SELECT string_agg(tableoid::regclass || ':' || id || ':' || region || ':' || v, ',') FROM parted")" \
    "parted_us:1:us:b"
expect_equal "a FULL delete on a partitioned root touched one row of one partition" \
    "$(tq "SELECT string_agg(tableoid::regclass::text, ',' ORDER BY 1) FROM parted_full")" \
    "parted_full_eu,parted_full_us"
expect_equal "TRUNCATE emptied the three tables" \
    "$(tq "SELECT (SELECT count(*) FROM trunc_a) + (SELECT count(*) FROM trunc_b) + (SELECT count(*) FROM trunc_c)")" 0
expect_equal "RESTART IDENTITY restarted the identity and the serial of the two tables" \
    "$(tq "INSERT INTO trunc_a (v) VALUES ('x') RETURNING id"):$(tq "SELECT nextval(pg_get_serial_sequence('trunc_b', 'id'))")" "1:1"
expect_equal "TRUNCATE without RESTART IDENTITY left the serial alone" \
    "$(tq "INSERT INTO trunc_c (v) VALUES ('x') RETURNING id")" 6
expect_equal "a new RELATION after ALTER TABLE ADD COLUMN writes the new column" \
    "$(tq "SELECT string_agg(id || ':' || a || ':' || coalesce(b, ''), ',' ORDER BY id) FROM evolve")" "1:x:,2:y:bee"
expect_equal "a new column name (test_decoding) rereads the table" \
    "$(tq "SELECT string_agg(id || ':' || a || ':' || coalesce(c, ''), ',' ORDER BY id) FROM evolve_td")" "1:x:,2:y:cee"
expect_equal "odd schema, table and column names (quotes, spaces, unicode, reserved words)" \
    "$(tq "SELECT string_agg(\"Id\" || ':' || \"with space\" || ':' || \"order\" || ':' || \"ünï\"\"q\", ',' ORDER BY 1) FROM \"Odd \"\"Schema\"\" ü\".\"select table\"")" \
    "1:a:B2:c,2:d2:e:f"
last=$(sed -n 's/^ran odd_names last_end=//p' "$LAST_STDOUT")
expect_equal "the origin's position is the last transaction's end" "$(origin_lsn pgs_main)" "$last"
expect_equal "committed position = the origin's" "$(field state committed)" "$last"
expect_equal "after a sync the durable position (reported to the source) = the origin's" \
    "$(field synced durable)" "$last"
expect_equal "counters: transactions, inserts, updates, deletes, truncates, batches" \
    "$(field state txns):$(field state inserts):$(field state updates):$(field state deletes):$(field state truncates):$(field state batches)" \
    "20:30:9:5:2:2"

probe config:origin=pgs_shapes open run:shapes flush
expect_equal "300 FULL-identity deletes of 300 NULL patterns (past the prepared-statement cap) each found its row" \
    "$(tq "SELECT count(*) FROM wide_full")" 0

probe config:origin=pgs_groups open run:groups run:trigger flush fail:identity_changed
expect_equal "runs of inserts, updates, deletes sent grouped keep the table's order and every value" \
    "$(tq "SELECT string_agg(id || ':' || t || ':' || coalesce(b::text, 'null') || ':' || g || ':' || coalesce(n::text, 'null'), ',' ORDER BY id) FROM grp")" \
    '1:a,b:(1,1),(0,0):2:1.50,2:NULL:null:4:null,3:three again:(9,9),(8,8):6:3.50,4:four:(4,4),(3,3):8:4.00,6:six!:null:12:null,8:{x}"q"\:null:16:null'
expect_equal "updates of a table with a non-key GENERATED ALWAYS identity" \
    "$(tq "SELECT string_agg(k || ':' || seq || ':' || v, ',' ORDER BY k) FROM idg")" "1:1:one,2:2:two,3:3:three"
assert_contains "$LAST_STDOUT" "failed identity_changed sqlstate=02000 message=UPDATE of public.idg found no row (looked up by key k, or the update changed a GENERATED ALWAYS identity column)"
expect_equal "an ALWAYS trigger saw every change before it (grouped or not)" \
    "$(tq "SELECT string_agg(seen::text, ',' ORDER BY seen) FROM trig_log")" "3,5"

probe config:origin=pgs_binary open run:binary flush state
cols="b, s, i, l, o, t, vc, c, d, ts, tz, ts3"
# row text tells NULL from '' and prints every value to the microsecond (in UTC)
expect_equal "binary array parameters: every value of 13 types arrived as typed in SQL (rows 1-7 inserted, 101-105 updated)" \
    "$(tq "SET TimeZone = 'UTC'; SELECT string_agg(x::text, '|' ORDER BY id) FROM (SELECT id % 100 AS id, $cols FROM bin_types) x")" \
    "$(tq "SET TimeZone = 'UTC'; SELECT string_agg(x::text, '|' ORDER BY id) FROM (SELECT id, $cols FROM bin_types_ref UNION ALL SELECT id, $cols FROM bin_types_ref WHERE id <= 5) x")"
expect_equal "grouped arrays sent / in binary: two INSERTs and one UPDATE of 13 parameters ('infinity' sends date, timestamp and timestamptz as text)" \
    "$(field state arrays)/$(field state binary_arrays)" "39/36"

section "2. many transactions, one batch"
probe config:origin=pgs_many config:batch_txns=100000 config:batch_ms=600000 open many:300 state
last=$(field many last_end)
expect_equal "one target commit for 301 source transactions" "$(field state batches):$(field state txns)" "1:301"
expect_equal "the origin is at the last transaction's end" "$(origin_lsn pgs_many)" "$last"
expect_equal "every history row and the balances arrived" \
    "$(tq "SELECT (SELECT count(*) FROM pgbench_history) || ':' || (SELECT sum(abalance) FROM pgbench_accounts)")" \
    "300:$(field many balance_sum)"

section "3. dedupe"
probe config:origin=pgs_dedupe open run:dedupe flush again flush state reopen again flush state
last=$(sed -n 's/^ran dedupe last_end=//p' "$LAST_STDOUT")
expect_equal "transactions fed again (same session, after reopening) changed nothing" \
    "$(tq "SELECT string_agg(id || ':' || v, ',' ORDER BY id) FROM dd")" "1:po,2:td"
expect_equal "only the first feed counted (transactions, inserts; after reopening: none)" \
    "$(sed -n 's/^state .* txns=\([0-9]*\) .* inserts=\([0-9]*\) .*/\1:\2/p' "$LAST_STDOUT" | paste -sd' ')" "2:2 0:0"
expect_equal "the position did not move" "$(origin_lsn pgs_dedupe)" "$last"
probe config:origin=pgs_spill open run:spill again:fail state
assert_contains "$LAST_STDOUT" "failed again sqlstate=XX000 message=the transaction ending at"
expect_equal "a transaction too big to keep, fed again, was rolled back at its COMMIT" \
    "$(tq "SELECT count(*) FROM spill")" 12000

section "4. a statement that fails rolls the batch back"
probe config:origin=pgs_fail open run:empty flush sync state fail:missing_row state fail:missing_full state
before=$(sed -n 's/^ran empty last_end=//p' "$LAST_STDOUT")
assert_contains "$LAST_STDOUT" "failed missing_row sqlstate=02000 message=UPDATE of public.fm found no row (looked up by key id)"
assert_contains "$LAST_STDOUT" "failed missing_full sqlstate=02000 message=DELETE from public.fulldup found no row"
assert_not_contains "$LAST_OUTPUT" "secret-value" "the error shows no row values"
assert_not_contains "$LAST_OUTPUT" "999" "the error shows no key values"
expect_equal "the other transaction of the batch was rolled back too" "$(tq "SELECT count(*) FROM fm")" 0
expect_equal "the durable position did not move" "$(field state durable)" "$before"
expect_equal "the origin did not move" "$(origin_lsn pgs_fail)" "$before"
expect_equal "the FULL table is untouched" "$(tq "SELECT count(*) FROM fulldup")" 4

section "5. progress row (progress=row)"
probe config:origin=pgs_row config:progress=row open run:tick run:tick flush reopen again run:tick flush state read
last=$(field ran last_end)
expect_equal "progress=row uses no origin" "$(field open uses_origin)" 0
expect_equal "the row holds the last transaction's end" \
    "$(tq "SELECT lsn FROM pgshuttle_cdc.applied_position WHERE origin = 'pgs_row'")" "$last"
expect_equal "read_position gives it back" "$(field position lsn)" "$last"
expect_equal "no origin was created" "$(origin_lsn pgs_row)" ""
expect_equal "three ticks applied, the replayed one skipped" \
    "$(tq "SELECT count(*) FROM ticks WHERE lsn LIKE 'pgs\_row:%'")" 3
expect_equal "its commit time is recorded" \
    "$(tq "SELECT commit_ts > now() - interval '1 hour' FROM pgshuttle_cdc.applied_position WHERE origin = 'pgs_row'")" t
probe config:origin=pgs_row config:progress=row open drop
expect_equal "drop removed the row, the table and the schema" \
    "$(tq "SELECT count(*) FROM pg_namespace WHERE nspname = 'pgshuttle_cdc'")" 0

section "6. a non-superuser target role"
user_pw=$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
PGS_SECRETS+=("$user_pw")
tq "CREATE ROLE pgs_applier LOGIN PASSWORD '$user_pw';
    CREATE ROLE pgs_plain LOGIN PASSWORD '$user_pw';
    GRANT SET ON PARAMETER session_replication_role TO pgs_applier;
    GRANT CREATE ON DATABASE $DB TO pgs_applier;
    GRANT ALL ON ticks TO pgs_applier, pgs_plain" >/dev/null
user_conninfo="host=127.0.0.1 port=$tgt_PORT dbname=$DB user=pgs_applier password=$user_pw"
APPLIER_PROBE_CONNINFO=$user_conninfo assert_exit 0 "$APPLIER_PROBE_BIN" config:origin=pgs_user \
    open run:tick flush state
last=$(field ran last_end)
expect_equal "AUTO picks the progress row" "$(field open uses_origin)" 0
expect_equal "a role that may not set wal_compression keeps the server's" "$(field open wal_lz4)" 0
expect_equal "the role's progress row holds the position" \
    "$(tq "SELECT lsn FROM pgshuttle_cdc.applied_position WHERE origin = 'pgs_user'")" "$last"
APPLIER_PROBE_CONNINFO=$user_conninfo assert_exit 2 "$APPLIER_PROBE_BIN" config:origin=pgs_user2 \
    config:progress=origin open
assert_contains "$LAST_STDOUT" "replication origins need a superuser"
APPLIER_PROBE_CONNINFO="host=127.0.0.1 port=$tgt_PORT dbname=$DB user=pgs_plain password=$user_pw" \
    assert_exit 2 "$APPLIER_PROBE_BIN" config:origin=pgs_plain open
assert_contains "$LAST_STDOUT" "cannot SET session_replication_role = replica"
assert_not_contains "$LAST_OUTPUT" "$user_pw" "no password in the output"
assert_not_contains "$LAST_OUTPUT" "$tgt_PASSWORD" "no target password in the output"

section "7. tables not applied, insert-only tables"
probe config:origin=pgs_filter config:tables=public.flt_in,public.flt_io \
    config:insert_only=public.flt_io open run:filtered flush state
expect_equal "the listed table got its row" "$(tq "SELECT string_agg(id || ':' || v, ',') FROM flt_in")" "1:in"
expect_equal "the insert-only table got the insert, not the update or delete" \
    "$(tq "SELECT string_agg(id || ':' || v, ',') FROM flt_io")" "1:io"
expect_equal "skipped: 2 changes to an unlisted table, an update and a delete of the insert-only one" \
    "$(field state skipped):$(field state inserts)" "4:2"

section "8. record_position on idle, drop of the origin"
probe config:origin=pgs_record open record:0/5000000 record:0/100 sync read
expect_equal "recorded without changes; a lower position does not move it back" \
    "$(field recorded committed):$(field synced durable):$(origin_lsn pgs_record)" \
    "0/5000000:0/5000000:0/5000000"
expect_equal "read_position" "$(field position lsn)" "0/5000000"
probe config:origin=pgs_record open run:tick flush drop
expect_equal "a transaction after it" "$(field ran last_end | cut -d/ -f1)" 0
expect_equal "drop removed the origin" \
    "$(tq "SELECT count(*) FROM pg_replication_origin WHERE roname = 'pgs_record'")" 0
expect_equal "other origins stay" "$(tq "SELECT count(*) FROM pg_replication_origin WHERE roname = 'pgs_main'")" 1

section "9. throughput (pgbench -N-like: UPDATE pgbench_accounts + INSERT pgbench_history per transaction)"
probe config:origin=pgs_bench open \
    "sql:TRUNCATE pgbench_history; UPDATE pgbench_accounts SET abalance = 0 WHERE abalance <> 0" \
    bench:20000 state
grep '^bench ' "$LAST_STDOUT" | sed 's/^/  /'
rate=$(field bench txns_per_s)
if [[ $rate =~ ^[0-9]+$ ]] && ((rate >= 6000)); then
    pass "applies $rate transactions/s (at least 1.5 x 4000)"
else
    fail "applies only '$rate' transactions/s"
fi
expect_equal "all history rows, balances consistent with them" \
    "$(tq "SELECT (SELECT count(*) FROM pgbench_history) || ':' || ((SELECT sum(delta) FROM pgbench_history) = (SELECT sum(abalance) FROM pgbench_accounts))")" \
    "20000:true"

finish
