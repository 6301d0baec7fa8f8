#!/usr/bin/env bash
# The change stream (src/cdc/stream.c) with the applier (src/cdc/applier.c)
# against real servers, through tests/tools/stream_probe. Source and target
# start with the same schema and the same data (pgbench -i on both: the
# "initial copy"), a publication FOR ALL TABLES on both (so the schemas
# compare equal); the slot is created before any change. Then, per plugin
# (pgoutput 15 -> 15 with the position in a replication origin,
# test_decoding 15 -> 15 with the position in a progress row):
#   - a concurrent workload on the source for ~12 s: pgbench -N (updates of
#     pgbench_accounts, inserts into the keyless pgbench_history) and rounds
#     of inserts, multi-statement transactions, updates that leave TOASTed
#     values unchanged, updates of TOASTed values, primary key changes,
#     deletes, rolled-back transactions and savepoints, duplicate rows of a
#     REPLICA IDENTITY FULL table (jsonb and json), identity and generated
#     columns, many types, a partitioned table with rows moving between
#     partitions, an oddly named schema/table/column, TRUNCATE (with
#     CASCADE and RESTART IDENTITY), and an insert-only log table without
#     any key (a duplicate shows in its count);
#   - the probe is killed with SIGKILL mid-stream and started again: it
#     resumes from the recorded position (the slot's confirmed_flush_lsn is
#     never past it);
#   - stop at pg_current_wal_flush_lsn() after the workload: the probe ends
#     with everything up to it durable, the slot confirmed there, lag 0;
#     sequences synced, then every table compared (compare_databases) and
#     the log tables counted per kind.
# Also (pgoutput 15 -> 15):
#   - while a lock on the target holds a commit up, the slot is not
#     confirmed past it; once applied, it is;
#   - one 1,000,000-row transaction: the probe killed while it is applied,
#     then started again, applies it once; another one, with the walsender
#     terminated while it is applied: the same applier streams again on a
#     new connection (--retry-source) and applies it once. Status updates
#     sent meanwhile never confirm a transaction early: in every run the
#     probe checks confirmed_flush_lsn against the durable position every
#     250 ms;
#   - a target stalled (a lock held 6 s) longer than wal_sender_timeout
#     (2 s): the stream answers the source meanwhile and outlives it, the
#     stalled change is applied once;
#   - the slot's confirmed_flush_lsn follows an idle source (WAL written in
#     another database) with no change applied;
#   - a slot invalidated by max_slot_wal_keep_size gives a clear "must
#     start over" error.
# And a 12 source into 15 (pgoutput).
set -euo pipefail
PGS_CMD_TIMEOUT=${PGS_CMD_TIMEOUT:-120}
. "$(dirname "$0")/lib.sh"

STREAM_PROBE_BIN=${STREAM_PROBE_BIN:-$PGS_ROOT/build/tests/stream_probe}
[[ -x $STREAM_PROBE_BIN ]] || skip_test "stream_probe not found at $STREAM_PROBE_BIN (set STREAM_PROBE_BIN)"
PGBENCH=$PG_CLIENT_BINDIR/pgbench
[[ -x $PGBENCH ]] || skip_test "pgbench not found at $PGBENCH"
WORKLOAD_SECS=${WORKLOAD_SECS:-12}

# lsn_num LSN: the LSN as a number.
lsn_num() { local hi=${1%/*} lo=${1#*/}; echo $(((16#$hi << 32) + 16#$lo)); }
# field FILE PREFIX KEY: the value of KEY= on the last line starting with PREFIX.
field() { sed -n "s/^$2 .*\\b$3=\\([^ ]*\\).*/\\1/p" "$1" | tail -n1; }

expect_equal() {
    if [[ $2 == "$3" ]]; then pass "$1"; else fail "$1: got '$2', expected '$3'"; fi
}

# ---------------------------------------------------------------------------
# Schema, data and workload

cat >"$TEST_TMP/schema.sql" <<'EOF'
CREATE FUNCTION big_value(n int) RETURNS text LANGUAGE sql IMMUTABLE
    AS $$ SELECT string_agg(md5((n * 1000 + x)::text), '') FROM generate_series(1, 200) x $$;
CREATE TABLE items (id int PRIMARY KEY, name text, qty int, big text, updated timestamptz);
ALTER TABLE items ALTER COLUMN big SET STORAGE EXTERNAL; -- out of line, so updates leave it unchanged-TOAST
CREATE TABLE accounts (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, owner text NOT NULL,
    balance numeric(12, 2), doubled numeric GENERATED ALWAYS AS (balance * 2) STORED);
CREATE TABLE event_log (kind text, round int, at timestamptz DEFAULT now(), note text); -- no key: insert only
CREATE TABLE scratch (k int PRIMARY KEY, v text, serial_no serial);
CREATE TABLE scratch_child (id int PRIMARY KEY, k int REFERENCES scratch (k));
CREATE TABLE full_ident (a int, b text, j jsonb, js json);
ALTER TABLE full_ident REPLICA IDENTITY FULL;
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE DOMAIN posint AS int CHECK (VALUE > 0);
CREATE TABLE typed (id serial PRIMARY KEY, ts timestamptz, d date, iv interval, f float8, r real,
    n numeric, arr int[], tarr text[], j jsonb, bin bytea, b bool, u uuid, bits varbit,
    m mood, p posint, rng int4range, addr inet, t time, txt varchar(50));
CREATE TABLE measurements (id int, region text, v int, PRIMARY KEY (id, region)) PARTITION BY LIST (region);
CREATE TABLE measurements_eu PARTITION OF measurements FOR VALUES IN ('eu');
CREATE TABLE measurements_us PARTITION OF measurements FOR VALUES IN ('us');
CREATE SCHEMA "Odd Schema";
CREATE TABLE "Odd Schema"."Mixed Case" ("Key" int PRIMARY KEY, "Weird Col" text, "x y" int);
EOF

# One round of the workload; psql variable :i is the round number.
cat >"$TEST_TMP/round.sql" <<'EOF'
INSERT INTO items VALUES (:i * 10 + 1, 'auto ' || :i, :i, big_value(:i * 10 + 1), now());
BEGIN;
INSERT INTO items SELECT :i * 10 + g, 'multi ' || g, g, CASE WHEN g % 2 = 0 THEN big_value(:i * 10 + g) END, now()
    FROM generate_series(2, 5) g;
UPDATE items SET qty = qty + 1, updated = now() WHERE id % 7 = :i % 7;
INSERT INTO event_log (kind, round) VALUES ('multi', :i);
COMMIT;
UPDATE items SET id = id + 1000000 WHERE id = (:i - 1) * 10 + 2;
UPDATE items SET big = big || 'y' WHERE id = (:i - 1) * 10 + 4;
DELETE FROM items WHERE id = (:i - 2) * 10 + 3;
BEGIN;
INSERT INTO items VALUES (-:i, 'rolled back');
INSERT INTO event_log (kind, round) VALUES ('rolled back', :i);
ROLLBACK;
BEGIN;
INSERT INTO event_log (kind, round) VALUES ('kept', :i);
SAVEPOINT s;
INSERT INTO event_log (kind, round) VALUES ('savepoint rolled back', :i);
ROLLBACK TO s;
UPDATE items SET name = name || '!' WHERE id = :i * 10 + 5;
COMMIT;
INSERT INTO full_ident VALUES (:i % 3, 'dup', '{"r": 1}', '{"r":  1}'), (:i % 3, 'dup', '{"r": 1}', '{"r":  1}'),
    (:i % 3, NULL, NULL, NULL);
UPDATE full_ident SET b = 'upd ' || :i WHERE ctid = (SELECT ctid FROM full_ident WHERE a = :i % 3 AND b = 'dup' LIMIT 1);
DELETE FROM full_ident WHERE ctid = (SELECT ctid FROM full_ident WHERE b LIKE 'upd%' ORDER BY b LIMIT 1);
DELETE FROM full_ident WHERE ctid = (SELECT ctid FROM full_ident WHERE b IS NULL LIMIT 1);
INSERT INTO accounts (owner, balance) VALUES ('owner ' || :i, :i * 1.25);
UPDATE accounts SET balance = balance - 1 WHERE id % 5 = :i % 5;
INSERT INTO scratch (k, v) VALUES (:i, 'r' || :i);
INSERT INTO scratch_child VALUES (:i, :i);
INSERT INTO typed (ts, d, iv, f, r, n, arr, tarr, j, bin, b, u, bits, m, p, rng, addr, t, txt) VALUES
    (now(), current_date - :i, make_interval(days => :i, secs => 1.5), :i / 3.0, :i / 7.0,
     1.000001 * :i, ARRAY[:i, NULL, 3], ARRAY['a b', 'c"d', NULL, 'e,f', E'new\nline'],
     jsonb_build_object('i', :i, 's', 'x''y'), decode(md5(:i::text), 'hex'), :i % 2 = 0,
     md5(:i::text)::uuid, B'1011', 'happy', :i, int4range(:i, :i + 10), '10.0.0.1/24', '12:34:56.789',
     E'tab\there ''q'' \\ bs'),
    (NULL, NULL, NULL, 'NaN', '-Infinity', NULL, '{}', NULL, 'null', '\x', NULL, NULL, NULL, NULL, NULL,
     'empty', NULL, NULL, '');
UPDATE typed SET f = 'Infinity', j = j || '{"upd": true}' WHERE id = (:i - 1) * 2 + 1;
INSERT INTO measurements VALUES (:i, 'eu', :i), (:i, 'us', -:i);
UPDATE measurements SET region = 'us', id = id + 100000 WHERE id = :i - 1 AND region = 'eu'; -- moves partition
UPDATE measurements SET v = v + 1 WHERE region = 'us' AND id % 3 = :i % 3;
INSERT INTO "Odd Schema"."Mixed Case" VALUES (:i, 'odd ' || :i, :i);
UPDATE "Odd Schema"."Mixed Case" SET "Weird Col" = NULL, "x y" = -"x y" WHERE "Key" = :i - 1;
DELETE FROM "Odd Schema"."Mixed Case" WHERE "Key" = :i - 3;
INSERT INTO event_log (kind, round, note) VALUES ('auto', :i, E'line\nbreak ''quote'' \\ backslash');
EOF

# setup_pair SRC_URI TGT_URI DB: the same schema and data on both, publication on both.
setup_pair() {
    local src=$1 tgt=$2 db=$3 uri
    for uri in "$src" "$tgt"; do
        create_database "$uri" "$db" >/dev/null
        psql_db "$uri" "$db" -o /dev/null -f "$TEST_TMP/schema.sql"
        "$PGBENCH" -i -s 1 -q -d "$(uri_db "$uri" "$db")" >/dev/null 2>"$TEST_TMP/pgbench-i.err" \
            || { redact <"$TEST_TMP/pgbench-i.err"; die "pgbench -i failed"; }
        q "$uri" "$db" "CREATE PUBLICATION pgs_pub FOR ALL TABLES" >/dev/null
    done
}

# workload SRC_URI DB SECS ROUND0 [HOOK_AFTER HOOK]: pgbench -N and workload rounds for
# SECS seconds; HOOK (a function) runs once, HOOK_AFTER seconds in, while pgbench goes on.
workload() {
    local src=$1 db=$2 secs=$3 i=$4 hook_at=${5:-0} hook=${6:-} end pgb start=$SECONDS
    "$PGBENCH" -N -n -c 2 -j 1 -R 300 -T "$secs" -d "$(uri_db "$src" "$db")" \
        >"$TEST_TMP/pgbench.$db.out" 2>&1 &
    pgb=$!
    end=$((SECONDS + secs))
    while ((SECONDS < end)); do
        if [[ -n $hook ]] && ((SECONDS - start >= hook_at)); then
            "$hook"
            hook=""
        fi
        i=$((i + 1))
        {
            cat "$TEST_TMP/round.sql"
            if ((i % 10 == 0)); then
                echo "TRUNCATE scratch CASCADE;"
            elif ((i % 10 == 5)); then
                echo "TRUNCATE scratch, scratch_child RESTART IDENTITY;"
            fi
        } | psql_db "$src" "$db" -o /dev/null -v i="$i" 2>>"$TEST_TMP/workload.$db.err" \
            || { redact <"$TEST_TMP/workload.$db.err" | tail -n 5; fail "workload round $i failed on $db"; break; }
    done
    wait "$pgb" || fail "pgbench -N on $db failed: $(tail -n 3 "$TEST_TMP/pgbench.$db.out")"
    WORKLOAD_ROUNDS=$i
    log "workload on $db: $i rounds, pgbench: $(grep -E '^number of transactions actually processed' "$TEST_TMP/pgbench.$db.out" || true)"
}

# sync_sequences SRC_URI TGT_URI DB: what the cutover does (sequences are not streamed).
sync_sequences() {
    q "$1" "$3" "SELECT format('SELECT pg_catalog.setval(%L, %s, %L);',
                    quote_ident(schemaname) || '.' || quote_ident(sequencename),
                    coalesce(last_value, start_value), last_value IS NOT NULL)
                 FROM pg_sequences" | psql_db "$2" "$3" -o /dev/null
}

# ---------------------------------------------------------------------------
# The probe in the background: stdin from a fifo held open on fd 3.

PROBE_PID=""
PROBE_SEQ=0
trap '' PIPE # writing to the fifo of a probe that has ended must not end the script
# start_probe SRC_URI TGT_URI DB PROBE_ARGS...: sets PROBE_OUT, PROBE_ERR, PROBE_PID.
start_probe() {
    local src=$1 tgt=$2 db=$3 fifo
    shift 3
    PROBE_SEQ=$((PROBE_SEQ + 1))
    PROBE_OUT=$TEST_TMP/probe$PROBE_SEQ.out
    PROBE_ERR=$TEST_TMP/probe$PROBE_SEQ.err
    fifo=$TEST_TMP/probe$PROBE_SEQ.fifo
    mkfifo "$fifo"
    log "\$ stream_probe $*"
    STREAM_PROBE_SOURCE=$(uri_db "$src" "$db") STREAM_PROBE_TARGET=$(uri_db "$tgt" "$db") \
        "$STREAM_PROBE_BIN" --stop-stdin --max-seconds 240 "$@" <"$fifo" >"$PROBE_OUT" 2>"$PROBE_ERR" &
    PROBE_PID=$!
    exec 3>"$fifo"
}

# wait_line FILE REGEX SECS: wait until FILE has a line matching REGEX (or the probe is gone).
wait_line() {
    local end=$((SECONDS + $3))
    while ((SECONDS < end)); do
        grep -qE -- "$2" "$1" 2>/dev/null && return 0
        kill -0 "$PROBE_PID" 2>/dev/null || { grep -qE -- "$2" "$1" 2>/dev/null; return; }
        sleep 0.1
    done
    return 1
}

# stop_probe LSN: ask the probe to stop at LSN ("now" for the source's flush position),
# wait for it (90 s at most); sets PROBE_RC.
stop_probe() {
    local end=$((SECONDS + 90))
    echo "$1" >&3 2>/dev/null || true # the probe may have ended already (SIGPIPE is ignored)
    exec 3>&-
    while kill -0 "$PROBE_PID" 2>/dev/null && ((SECONDS < end)); do sleep 0.2; done
    if kill -0 "$PROBE_PID" 2>/dev/null; then
        fail "the probe did not stop within 90 s"
        kill -TERM "$PROBE_PID" 2>/dev/null || true
        sleep 2
        kill -KILL "$PROBE_PID" 2>/dev/null || true
    fi
    set +e
    wait "$PROBE_PID"
    PROBE_RC=$?
    set -e
    PROBE_PID=""
}

kill_probe() {
    kill -KILL "$PROBE_PID"
    set +e
    wait "$PROBE_PID" 2>/dev/null
    set -e
    exec 3>&-
    PROBE_PID=""
}

show_probe() {
    printf '  --- probe stdout (last 15 lines)\n'
    tail -n 15 "$PROBE_OUT" | redact | sed 's/^/  | /'
    printf '  --- probe stderr (last 15 lines)\n'
    tail -n 15 "$PROBE_ERR" | redact | sed 's/^/  | /'
}

slot_confirmed() {
    q "$1" "$2" "SELECT confirmed_flush_lsn FROM pg_replication_slots WHERE slot_name = '$3'"
}

# ---------------------------------------------------------------------------
# One full run: workload, kill -9 mid-stream, resume, stop, compare.

# The workload hook of stream_run: SIGKILL the probe mid-stream, start it again, check
# that it resumes from the position recorded on the target.
kill_and_resume() {
    local label=$RUN_LABEL applied_before txns recorded
    wait_line "$RUN_FIRST_OUT" '^progress .* txns=[1-9]' 10 || true
    kill_probe
    pass "$label: probe killed with SIGKILL mid-stream"
    applied_before=$(field "$RUN_FIRST_OUT" progress durable)
    txns=$(field "$RUN_FIRST_OUT" progress txns)
    [[ $txns =~ ^[1-9] ]] \
        && pass "$label: the killed probe had applied $txns transactions (durable $applied_before)" \
        || fail "$label: the killed probe had applied nothing"
    start_probe "$RUN_SRC" "$RUN_TGT" "$RUN_DB" "${RUN_ARGS[@]}"
    if ! wait_line "$PROBE_OUT" '^streaming start=' 30; then
        fail "$label: the restarted probe did not start streaming"
        show_probe
    fi
    assert_contains "$PROBE_OUT" "slot reused name=$RUN_SLOT"
    recorded=$(sed -n 's/^position recorded lsn=\([^ ]*\).*/\1/p' "$PROBE_OUT")
    if [[ -n $recorded && -n $applied_before ]] \
        && (($(lsn_num "$recorded") >= $(lsn_num "$applied_before"))); then
        pass "$label: resumed from the recorded position $recorded (>= $applied_before seen before the kill)"
    else
        fail "$label: resume position '$recorded' vs '$applied_before' before the kill"
        show_probe
    fi
}

# stream_run LABEL SRC_URI TGT_URI DB PLUGIN SLOT KILL(0/1) PROBE_ARGS...
stream_run() {
    local label=$1 src=$2 tgt=$3 db=$4 plugin=$5 slot=$6 kill=$7 stop durable confirmed recorded
    shift 7
    local args=(--slot "$slot" --plugin "$plugin" --report-ms 300 --check-confirmed "$@")
    section "$label"
    setup_pair "$src" "$tgt" "$db"

    start_probe "$src" "$tgt" "$db" "${args[@]}" --create
    if ! wait_line "$PROBE_OUT" '^streaming start=' 30; then
        fail "$label: the probe did not start streaming"
        show_probe
        kill_probe 2>/dev/null || true
        return 0
    fi
    assert_contains "$PROBE_OUT" "slot created name=$slot"
    local first_out=$PROBE_OUT first_err=$PROBE_ERR

    if ((kill)); then
        RUN_LABEL=$label RUN_SRC=$src RUN_TGT=$tgt RUN_DB=$db RUN_SLOT=$slot RUN_FIRST_OUT=$first_out
        RUN_ARGS=("${args[@]}")
        workload "$src" "$db" "$WORKLOAD_SECS" 0 $((WORKLOAD_SECS / 2)) kill_and_resume
    else
        workload "$src" "$db" "$WORKLOAD_SECS" 0
    fi

    stop=$(q "$src" "$db" "SELECT pg_current_wal_flush_lsn()")
    local t0=$SECONDS
    stop_probe "$stop"
    log "  probe ended (exit $PROBE_RC) $((SECONDS - t0)) s after the stop request at $stop"
    if [[ $PROBE_RC == 0 ]] && grep -q '^result outcome=reached' "$PROBE_OUT"; then
        pass "$label: stop at $stop reached"
    else
        fail "$label: the probe exited $PROBE_RC, expected 0 with outcome=reached"
        show_probe
    fi
    durable=$(field "$PROBE_OUT" result durable)
    [[ -n $durable ]] && (($(lsn_num "$durable") >= $(lsn_num "$stop"))) \
        && pass "$label: durable position $durable >= stop $stop" \
        || fail "$label: durable position '$durable' < stop $stop"
    expect_equal "$label: no lag once stopped" "$(field "$PROBE_OUT" result lag_ms)" 0
    confirmed=$(slot_confirmed "$src" "$db" "$slot")
    [[ -n $confirmed ]] && (($(lsn_num "$confirmed") >= $(lsn_num "$stop"))) \
        && pass "$label: slot confirmed_flush_lsn $confirmed >= stop" \
        || fail "$label: slot confirmed_flush_lsn '$confirmed' < stop $stop"
    [[ -z $durable || -z $confirmed ]] || (($(lsn_num "$confirmed") <= $(lsn_num "$durable"))) \
        && pass "$label: confirmed_flush_lsn is not past the durable position" \
        || fail "$label: confirmed_flush_lsn $confirmed is past the durable position $durable"
    local f
    for f in "$first_out" "$PROBE_OUT"; do
        if grep -q '^error ' "$f"; then
            fail "$label: errors in $(basename "$f")"
            grep '^error ' "$f" | redact | head -n 5 | sed 's/^/  | /'
        fi
    done
    cat "$first_out" "$first_err" "$PROBE_OUT" "$PROBE_ERR" >"$TEST_TMP/probe-all.txt"
    assert_not_contains "$TEST_TMP/probe-all.txt" "$SRC_PASSWORD" "$label: no source password in the probe's output"
    assert_not_contains "$TEST_TMP/probe-all.txt" "$tgt_PASSWORD" "$label: no target password in the probe's output"

    sync_sequences "$src" "$tgt" "$db"
    check "$label: source and target identical (schema, every table, sequences)" \
        compare_databases "$src" "$tgt" "$db"
    local sq tq
    sq="SELECT kind || ':' || count(*) FROM event_log GROUP BY kind ORDER BY kind"
    expect_equal "$label: event_log rows per kind (no key: a duplicate or a loss shows)" \
        "$(q "$tgt" "$db" "$sq" | paste -sd' ')" "$(q "$src" "$db" "$sq" | paste -sd' ')"
    sq="SELECT count(*) FROM pgbench_history"
    expect_equal "$label: pgbench_history rows" "$(q "$tgt" "$db" "$sq")" "$(q "$src" "$db" "$sq")"
    log "  $label: $(q "$src" "$db" "$sq") pgbench_history rows, $(q "$src" "$db" "SELECT count(*) FROM items") items, $WORKLOAD_ROUNDS rounds"
    [[ $(q "$src" "$db" "SELECT count(*) FROM event_log WHERE kind IN ('rolled back', 'savepoint rolled back')") == 0 ]] \
        && pass "$label: rolled-back rows never reached the source tables (sanity)" \
        || fail "$label: rolled-back rows on the source?"
}

# lock_items URI DB: in the background (pid in LOCK_PID), a transaction holds an ACCESS
# EXCLUSIVE lock on items for 6 s; returns once it is granted (10 s at most).
lock_items() {
    local end=$((SECONDS + 10))
    psql_db "$1" "$2" -c "BEGIN; LOCK TABLE items IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(6); COMMIT" \
        >/dev/null 2>&1 &
    LOCK_PID=$!
    until [[ $(q "$1" "$2" "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
                            WHERE c.relname = 'items' AND l.mode = 'AccessExclusiveLock' AND l.granted") == 1 ]]; do
        ((SECONDS < end)) || break
        sleep 0.1
    done
}

# ---------------------------------------------------------------------------
# A target that cannot apply (a lock held there): the source is never told
# that a commit that is not applied yet is flushed.

# blocked_target_run SRC_URI TGT_URI DB SLOT
blocked_target_run() {
    local src=$1 tgt=$2 db=$3 slot=$4 after confirmed k sq
    section "blocked target: flush never passes an unapplied commit"
    start_probe "$src" "$tgt" "$db" --slot "$slot" --plugin pgoutput --report-ms 200 --check-confirmed
    wait_line "$PROBE_OUT" '^streaming start=' 30 || { fail "blocked: the probe did not start"; show_probe; }
    lock_items "$tgt" "$db"
    q "$src" "$db" "INSERT INTO items VALUES (-1000, 'applied after the lock', 1, NULL, now())" >/dev/null
    after=$(q "$src" "$db" "SELECT pg_current_wal_flush_lsn()")
    for k in 1 2 3 4 5; do
        q "$src" "$db" "INSERT INTO event_log (kind, round) VALUES ('while blocked', $k)" >/dev/null
    done
    sleep 3
    confirmed=$(slot_confirmed "$src" "$db" "$slot")
    (($(lsn_num "$confirmed") < $(lsn_num "$after"))) \
        && pass "blocked: confirmed_flush_lsn $confirmed stays before the blocked commit (ends by $after)" \
        || fail "blocked: confirmed_flush_lsn $confirmed reached the unapplied commit (ends by $after)"
    [[ $(grep '^progress ' "$PROBE_OUT" | tail -n 1) == *" idle=0 "* ]] \
        && pass "blocked: progress shows changes pending" \
        || fail "blocked: progress does not show the pending changes: $(grep '^progress ' "$PROBE_OUT" | tail -n 1)"
    wait "$LOCK_PID" || true
    stop_probe now
    expect_equal "blocked: probe exit code" "$PROBE_RC" 0
    expect_equal "blocked: confirmed_flush_lsn never past the durable position" \
        "$(grep -c '^error ' "$PROBE_OUT" || true)" 0
    confirmed=$(slot_confirmed "$src" "$db" "$slot")
    (($(lsn_num "$confirmed") >= $(lsn_num "$after"))) \
        && pass "blocked: once applied, confirmed_flush_lsn $confirmed passed it" \
        || fail "blocked: confirmed_flush_lsn $confirmed still before $after after the lock"
    sq="SELECT (SELECT count(*) FROM items WHERE id = -1000) || ' ' || (SELECT count(*) FROM event_log WHERE kind = 'while blocked')"
    expect_equal "blocked: the changes made while blocked are on the target" "$(q "$tgt" "$db" "$sq")" "1 5"
}

# ---------------------------------------------------------------------------
# One big transaction: status updates go out while it is being applied (the
# stream does not go quiet); none may confirm it before it is durable. The
# probe is killed half way through and started again.

# big_txn_run SRC_URI TGT_URI DB SLOT
big_txn_run() {
    local src=$1 tgt=$2 db=$3 slot=$4 n=1000000 partial sq
    section "one big transaction, killed while it is applied"
    sq="SELECT count(*) FROM event_log WHERE kind = 'big'"
    start_probe "$src" "$tgt" "$db" --slot "$slot" --plugin pgoutput --report-ms 200 --check-confirmed
    wait_line "$PROBE_OUT" '^streaming start=' 30 || { fail "big: the probe did not start"; show_probe; }
    local first_out=$PROBE_OUT
    q "$src" "$db" "INSERT INTO event_log (kind, round) SELECT 'big', g FROM generate_series(1, $n) g" >/dev/null
    if wait_line "$PROBE_OUT" '^progress .* idle=0 ' 30; then
        sleep 0.5
        pass "big: the stream is applying the transaction ($(grep -c '^progress .* idle=0 ' "$first_out") progress lines with changes pending)"
    else
        fail "big: the stream never showed the transaction pending"
    fi
    kill_probe
    partial=$(q "$tgt" "$db" "$sq")
    [[ $partial == 0 || $partial == "$n" ]] \
        && pass "big: after SIGKILL the target holds all or none of it ($partial rows)" \
        || fail "big: after SIGKILL the target holds $partial of $n rows"
    start_probe "$src" "$tgt" "$db" --slot "$slot" --plugin pgoutput --report-ms 500 --check-confirmed
    stop_probe now
    expect_equal "big: probe exit code" "$PROBE_RC" 0
    expect_equal "big: applied exactly once" "$(q "$tgt" "$db" "$sq")" "$n"
    if grep -h '^error ' "$first_out" "$PROBE_OUT"; then
        fail "big: errors (the slot confirmed past the durable position?)"
    else
        pass "big: the slot never confirmed past the durable position"
    fi
    grep -q '^confirmed checks=[1-9].* violations=0' "$first_out" \
        && pass "big: confirmed_flush_lsn checked while streaming" || fail "big: no confirmed_flush_lsn checks"

    # The walsender terminated while the next one is applied: the same applier streams
    # again on a new connection (what it held is discarded and comes again).
    sq="SELECT count(*) FROM event_log WHERE kind = 'big again'"
    start_probe "$src" "$tgt" "$db" --slot "$slot" --plugin pgoutput --report-ms 200 --check-confirmed \
        --retry-source 5
    wait_line "$PROBE_OUT" '^streaming start=' 30 || { fail "big: the probe did not start"; show_probe; }
    q "$src" "$db" "INSERT INTO event_log (kind, round) SELECT 'big again', g FROM generate_series(1, $n) g" >/dev/null
    wait_line "$PROBE_OUT" '^progress .* idle=0 ' 30 || fail "big: the stream never showed the transaction pending"
    sleep 0.5
    q "$src" "$db" "SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots
                    WHERE slot_name = '$slot' AND active_pid IS NOT NULL" >/dev/null
    wait_line "$PROBE_OUT" '^retry attempt=1 ' 20 || { fail "big: the probe did not retry"; show_probe; }
    local before
    before=$(sed -n '/^stream lost /q;/^progress /p' "$PROBE_OUT" | tail -n 1)
    [[ $before == *" idle=0 "* ]] \
        && pass "big: the source was lost with changes received and not applied: $before" \
        || fail "big: the source was not lost mid-transaction: $before"
    sleep 1
    stop_probe now
    expect_equal "big: probe exit code after the retry" "$PROBE_RC" 0
    expect_equal "big: applied exactly once after the retry" "$(q "$tgt" "$db" "$sq")" "$n"
    grep -q '^error ' "$PROBE_OUT" && { fail "big: errors after the retry"; grep '^error ' "$PROBE_OUT" | head -n 3; } \
        || pass "big: no error after the retry"
}

# reconfigure URI "ALTER SYSTEM ..." NAME VALUE: apply, reload, and wait until new sessions
# (a walsender is one) see NAME = VALUE: the postmaster reloads asynchronously.
reconfigure() {
    local end=$((SECONDS + 10))
    q "$1" postgres "$2" >/dev/null
    q "$1" postgres "SELECT pg_reload_conf()" >/dev/null
    until [[ $(q "$1" postgres "SELECT current_setting('$3')") == "$4" ]]; do
        ((SECONDS < end)) || { fail "$3 did not become $4"; return 0; }
        sleep 0.1
    done
}

# ---------------------------------------------------------------------------
# A target that stalls longer than the source's wal_sender_timeout: while
# the applier waits on the target, the stream still sends its status updates
# (pgpipe's waiter), so the source keeps the stream; the change is applied
# once the lock is gone. (Before, the source ended the stream and it had to
# start again from the durable position.)

# stall_run SRC_URI TGT_URI DB SLOT
stall_run() {
    local src=$1 tgt=$2 db=$3 slot=$4 end sq
    section "target stalled longer than wal_sender_timeout"
    reconfigure "$src" "ALTER SYSTEM SET wal_sender_timeout = '2s'" wal_sender_timeout 2s
    start_probe "$src" "$tgt" "$db" --slot "$slot" --plugin pgoutput --report-ms 500 --check-confirmed
    wait_line "$PROBE_OUT" '^streaming start=' 30 || { fail "stall: the probe did not start"; show_probe; }
    lock_items "$tgt" "$db"
    q "$src" "$db" "INSERT INTO items VALUES (-2000, 'applied after a stall', 1, NULL, now())" >/dev/null
    wait "$LOCK_PID" || true
    sq="SELECT count(*) FROM items WHERE id = -2000"
    end=$((SECONDS + 20))
    until [[ $(q "$tgt" "$db" "$sq") == 1 ]] || ((SECONDS >= end)); do sleep 0.2; done
    if kill -0 "$PROBE_PID" 2>/dev/null; then
        pass "stall: the stream outlived a 6 s stall of the target with wal_sender_timeout 2 s"
    else
        fail "stall: the stream ended during the stall"
    fi
    stop_probe now
    expect_equal "stall: the probe reached the stop" "$PROBE_RC" 0
    if grep -q 'message=source stream:' "$PROBE_OUT"; then
        fail "stall: the source ended the stream"
        show_probe
    else
        pass "stall: the source never ended the stream"
    fi
    reconfigure "$src" "ALTER SYSTEM RESET wal_sender_timeout" wal_sender_timeout 1min
    expect_equal "stall: the stalled change is applied once" "$(q "$tgt" "$db" "$sq")" 1
    grep -q '^error invariant' "$PROBE_OUT" && fail "stall: confirmed_flush_lsn past the durable position" \
        || pass "stall: confirmed_flush_lsn never past the durable position"
}

# ---------------------------------------------------------------------------
# The slot follows an idle source.

# idle_run SRC_URI TGT_URI DB SLOT
idle_run() {
    local src=$1 tgt=$2 db=$3 slot=$4 c0 w1 c1 end
    section "idle source: confirmed_flush_lsn advances"
    c0=$(slot_confirmed "$src" "$db" "$slot")
    start_probe "$src" "$tgt" "$db" --slot "$slot" --plugin pgoutput --report-ms 300
    wait_line "$PROBE_OUT" '^streaming start=' 30 || { fail "idle: the probe did not start"; show_probe; }
    # WAL from another database: no change for this slot's database
    q "$src" postgres "CREATE TABLE IF NOT EXISTS walgen (x int); INSERT INTO walgen SELECT generate_series(1, 20000)" >/dev/null
    w1=$(q "$src" postgres "SELECT pg_current_wal_flush_lsn()")
    end=$((SECONDS + 15))
    while ((SECONDS < end)); do
        c1=$(slot_confirmed "$src" "$db" "$slot")
        (($(lsn_num "$c1") >= $(lsn_num "$w1"))) && break
        sleep 0.3
    done
    (($(lsn_num "$c1") >= $(lsn_num "$w1"))) \
        && pass "idle: confirmed_flush_lsn moved from $c0 to $c1 (>= $w1) with the source idle, within $((15 - end + SECONDS)) s" \
        || { fail "idle: confirmed_flush_lsn $c1 did not reach $w1 (was $c0)"; show_probe; }
    stop_probe now
    expect_equal "idle: probe exit code" "$PROBE_RC" 0
    expect_equal "idle: no transaction applied" "$(field "$PROBE_OUT" result txns)" 0
    grep -q '^progress .* idle=1' "$PROBE_OUT" && pass "idle: progress says idle" || fail "idle: never idle"
}

# ---------------------------------------------------------------------------
# A slot invalidated by max_slot_wal_keep_size (13+).

lost_slot_run() {
    local src=$1 tgt=$2 db=$3 status
    section "invalidated slot"
    q "$src" "$db" "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots" >/dev/null
    q "$src" "$db" "SELECT 1 FROM pg_create_logical_replication_slot('pgs_lost', 'pgoutput')" >/dev/null
    reconfigure "$src" "ALTER SYSTEM SET max_slot_wal_keep_size = '1MB'" max_slot_wal_keep_size 1MB
    for _ in 1 2 3 4; do
        q "$src" postgres "INSERT INTO walgen SELECT generate_series(1, 1000); SELECT pg_switch_wal()" >/dev/null
    done
    q "$src" postgres "CHECKPOINT" >/dev/null
    status=$(q "$src" "$db" "SELECT wal_status FROM pg_replication_slots WHERE slot_name = 'pgs_lost'")
    if [[ $status != lost ]]; then
        fail "invalidated slot: could not invalidate the slot (wal_status $status)"
    else
        pass "invalidated slot: wal_status is lost"
        start_probe "$src" "$tgt" "$db" --slot pgs_lost --plugin pgoutput
        stop_probe now
        expect_equal "invalidated slot: probe exit code" "$PROBE_RC" 1
        assert_contains "$PROBE_OUT" 'replication slot "pgs_lost" was invalidated'
        assert_contains "$PROBE_OUT" "max_slot_wal_keep_size"
        assert_contains "$PROBE_OUT" "must start over"
        assert_contains "$PROBE_OUT" "message=source stream:"
    fi
    reconfigure "$src" "ALTER SYSTEM RESET max_slot_wal_keep_size" max_slot_wal_keep_size -1
    q "$src" "$db" "SELECT pg_drop_replication_slot('pgs_lost')" >/dev/null
}

# ---------------------------------------------------------------------------

# A probe still running when the script ends is killed before the clusters go;
# pgs_cleanup reads the exit status from $? (and set -e holds in traps).
on_exit() {
    local rc=$?
    [[ -z $PROBE_PID ]] || kill -KILL "$PROBE_PID" 2>/dev/null || true
    if ((rc == 0)); then
        true
        pgs_cleanup
    fi
    (exit "$rc") || pgs_cleanup
}
trap on_exit EXIT

start_cluster src
start_cluster tgt
SRC_PASSWORD=$src_PASSWORD
stream_run "pgoutput 15 -> 15 (origin)" "$src_URI" "$tgt_URI" db_po pgoutput pgs_po 1
blocked_target_run "$src_URI" "$tgt_URI" db_po pgs_po
big_txn_run "$src_URI" "$tgt_URI" db_po pgs_po
stall_run "$src_URI" "$tgt_URI" db_po pgs_po
idle_run "$src_URI" "$tgt_URI" db_po pgs_po
stream_run "test_decoding 15 -> 15 (progress row)" "$src_URI" "$tgt_URI" db_td test_decoding pgs_td 1 \
    --progress row --drop-progress
check "test_decoding: the progress schema is gone from the target" \
    test "$(q "$tgt_URI" db_td "SELECT count(*) FROM pg_namespace WHERE nspname = 'pgshuttle_cdc'")" = 0
lost_slot_run "$src_URI" "$tgt_URI" db_po

start_cluster src12 --version 12
SRC_PASSWORD=$src12_PASSWORD
# 15 changed the owner and the privileges of schema public (see compare_selftest.sh).
COMPARE_IGNORE_REGEX='SCHEMA public |^schema public ' \
    WORKLOAD_SECS=8 stream_run "pgoutput 12 -> 15" "$src12_URI" "$tgt_URI" db_12 pgoutput pgs_12 0

section "clean-up"
for db in db_po db_td; do
    q "$src_URI" "$db" "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE database = current_database()" >/dev/null
done
q "$src12_URI" db_12 "SELECT pg_drop_replication_slot('pgs_12')" >/dev/null
expect_equal "no slot left on 15" "$(q "$src_URI" postgres "SELECT count(*) FROM pg_replication_slots")" 0
finish
