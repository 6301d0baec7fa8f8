# shellcheck shell=bash
# Helpers for the online-migration tests (tests/integration/online_*.sh).
# Source after lib.sh:
#
#   . "$(dirname "$0")/lib.sh"
#   . "$(dirname "$0")/online/lib.sh"
#
# (This file sits in a subdirectory so that ctest, which registers every
# tests/integration/*.sh, does not run it as a test.)
#
#   online_require                 skip (77) while `pgshuttle migrate --help` lacks --resume
#   online_load_db URI DB [FILE...] create DB, load the FILEs then tests/sql/online/schema.sql
#   online_setup DB                clusters src and tgt, DB on src with the full fixture and pgbench
#   pgbench_init URI DB SCALE      pgbench -i into DB
#   workload_start NAME URI DB [nopk_updates]   the DML loop (workload_step.sql), in the background
#   truncate_start NAME URI DB     the TRUNCATE loop (truncate_step.sql, 11+), in the background
#   workload_stop NAME             end a loop after its current step
#   workload_check NAME MIN        no step failed and at least MIN steps ran
#   pgbench_start NAME URI DB ARGS...   pgbench in the background; pgbench_wait NAME checks it
#   online_start NAME CMD...       run pgshuttle in the background: $ONLINE_PID,
#                                  stdout $ONLINE_OUT (JSON lines), stderr $ONLINE_ERR
#   wait_for_json DESC FILE PRED SECS PID   poll until a JSON line matches PRED
#   wait_exit PID SECS             wait for a background process: exit code in $EXIT_RC
#   check_result FILE STATUS       the last line is {"event":"result","status":STATUS}
#   check_streaming_events FILE DB the streaming events of DB carry lag and counters, changes > 0
#   wait_copying URI DB            poll until pgshuttle ($ONLINE_PID) runs a COPY into DB on URI
#   check_slot_plugin URI DB PLUGIN [NOTE]   the replication slots of DB use PLUGIN
#   no_secrets FILE...             neither cluster password appears in the FILEs
#   source_publications URI DB     the publications of DB (to compare before/after)
#   check_source_clean LABEL URI DB PUBS   no replication slot, publications as before
#   check_target_no_origin LABEL URI       no replication origin left on the target
#   check_nopk_identities LABEL URI DB WANT   replica identities of the online
#                                          tables without a key (d, f, ...)
#
# Background processes started here are ended at exit (then lib.sh cleans up).

ONLINE_SQL_DIR=$FIXTURE_DIR/online
PGBENCH=$PG_CLIENT_BINDIR/pgbench
ONLINE_BG_PIDS=()
WORKLOAD_PAUSE=${WORKLOAD_PAUSE:-0.05}    # seconds between two workload steps

# JSON predicates (python expressions on the object o).
JSON_WAITING='o.get("event") == "status" and o.get("status") == "Waiting for user action" and o.get("substatus") == "Waiting for cutover" and "database" not in o'
JSON_STREAMING='o.get("event") == "streaming"'

online_on_exit() {
    local rc=$? pid alive=0
    for pid in "${ONLINE_BG_PIDS[@]}"; do
        if kill -0 "$pid" 2>/dev/null; then
            kill -TERM "$pid" 2>/dev/null || true
            alive=1
        fi
    done
    if ((alive)); then
        sleep 1
        for pid in "${ONLINE_BG_PIDS[@]}"; do
            kill -KILL "$pid" 2>/dev/null || true
        done
    fi
    # Not under set -e: a failed test's exit code is handed on, and the clean-up still runs.
    set +e
    (exit "$rc")
    pgs_cleanup
}
trap online_on_exit EXIT

online_require() {
    require_pgshuttle
    if ! "$PGSHUTTLE_BIN" migrate --help 2>&1 | grep -q -- '--resume'; then
        skip_test "pgshuttle migrate --help has no --resume yet: online mode is not there"
    fi
}

# online_load_db URI DB [FILE...]: DB with the FILEs, then the online schema.
online_load_db() {
    local uri=$1 db=$2
    shift 2
    load_fixture "$uri" "$db" "$@" "$ONLINE_SQL_DIR/schema.sql"
}

pgbench_init() {
    local uri=$1 db=$2 scale=$3
    if ! "$PGBENCH" -i -s "$scale" -q "$(uri_db "$uri" "$db")" >"$TEST_TMP/pgbench-init.log" 2>&1; then
        redact <"$TEST_TMP/pgbench-init.log" >&2
        die "pgbench -i -s $scale into $db failed"
    fi
    log "pgbench -i -s $scale into \"$db\""
}

# online_setup DB: the clusters src and tgt; DB on src with fixture_core,
# fixture_modern, the online tables and pgbench (scale 2); the fixture's
# roles on tgt; DB's publications as they are before any migration in
# PUBS_BEFORE.
online_setup() {
    section "clusters and the source database"
    start_cluster src
    start_cluster tgt
    online_load_db "$src_URI" "$1" "$FIXTURE_DIR/fixture_core.sql" "$FIXTURE_DIR/fixture_modern.sql"
    pgbench_init "$src_URI" "$1" 2
    create_roles "$tgt_URI" pgs_owner pgs_reader pgs_only_on_source
    PUBS_BEFORE=$(source_publications "$src_URI" "$1")
}

# Is the server at URI 11+ / 12+?  Prints on/off.
server_at_least() {
    local maj
    maj=$(server_major "$1")
    if ((maj >= $2)); then echo on; else echo off; fi
}

# workload_loop NAME URI DB FILE [psql args...]: runs FILE with -v i=N for
# N = 1, 2, ... (continuing where an earlier loop of that NAME stopped) until
# $TEST_TMP/workload-NAME/stop exists.  Each step is one psql run; the steps
# file gets "ok N TIME", "error N TIME" or "locked N TIME" (gave up waiting
# for a lock: lock_timeout), the log psql's messages.
workload_loop() {
    local name=$1 uri=$2 db=$3 file=$4
    shift 4
    local dir=$TEST_TMP/workload-$name duri
    mkdir -p "$dir"
    rm -f "$dir/stop"
    duri=$(uri_db "$uri" "$db")
    (
        set +e
        i=$(cat "$dir/next" 2>/dev/null || echo 1)
        while [[ ! -e $dir/stop ]]; do
            if "$PSQL" -X -P pager=off -q -v ON_ERROR_STOP=1 -d "$duri" -o /dev/null -v i="$i" "$@" -f "$file" \
                    </dev/null >"$dir/step.log" 2>&1; then
                echo "ok $i $(date +%s.%N)" >>"$dir/steps"
            elif grep -q 'canceling statement due to lock timeout' "$dir/step.log"; then
                echo "locked $i $(date +%s.%N)" >>"$dir/steps"
            else
                echo "error $i $(date +%s.%N)" >>"$dir/steps"
                echo "(step $i failed)" >>"$dir/step.log"
            fi
            cat "$dir/step.log" >>"$dir/log"
            i=$((i + 1))
            echo "$i" >"$dir/next"
            sleep "$WORKLOAD_PAUSE"
        done
    ) &
    local pid=$!
    ONLINE_BG_PIDS+=("$pid")
    printf -v "WORKLOAD_PID_$name" '%s' "$pid"
    log "workload $name started on \"$db\" ($(basename "$file"), pid $pid)"
}

# workload_start NAME URI DB [nopk_updates]: the DML workload.  fixture_core's
# tables are written to when they exist; updates and deletes of tables without
# a primary key only with "nopk_updates" (pgshuttle run with --replica-identity-full).
workload_start() {
    local name=$1 uri=$2 db=$3 nopk=off fixture
    [[ ${4:-} == nopk_updates ]] && nopk=on
    fixture=$(q "$uri" "$db" "SELECT CASE WHEN to_regclass('app.all_types') IS NULL THEN 'off' ELSE 'on' END")
    workload_loop "$name" "$uri" "$db" "$ONLINE_SQL_DIR/workload_step.sql" \
        -v pg11="$(server_at_least "$uri" 11)" -v pg12="$(server_at_least "$uri" 12)" \
        -v fixture="$fixture" -v nopk_updates="$nopk"
}

# truncate_start NAME URI DB: the TRUNCATE loop (needs 11+: 10 does not decode TRUNCATE).
truncate_start() {
    WORKLOAD_PAUSE=${TRUNCATE_PAUSE:-0.5} workload_loop "$1" "$2" "$3" "$ONLINE_SQL_DIR/truncate_step.sql"
}

# workload_stop NAME [SECONDS]: stop the loop after its current step (a step
# waiting for a lock may take a while: SECONDS, default 60, then it is killed).
workload_stop() {
    local name=$1 limit=${2:-60} pidvar="WORKLOAD_PID_$1" pid waited=0
    pid=${!pidvar:-}
    [[ -n $pid ]] || return 0
    touch "$TEST_TMP/workload-$name/stop"
    while kill -0 "$pid" 2>/dev/null; do
        if ((waited >= limit * 10)); then
            fail "workload $name did not stop within ${limit}s (a step is stuck?)"
            kill -KILL "$pid" 2>/dev/null || true
            break
        fi
        sleep 0.1
        waited=$((waited + 1))
    done
    wait "$pid" 2>/dev/null || true
    printf -v "$pidvar" '%s' ""
}

# workload_count NAME ok|error|locked [FROM [TO]]: steps of NAME with that outcome,
# ended between the epoch times FROM and TO.
workload_count() {
    local f=$TEST_TMP/workload-$1/steps
    [[ -f $f ]] || { echo 0; return; }
    awk -v what="$2" -v from="${3:-0}" -v to="${4:-1e12}" \
        '$1 == what && $3 >= from && $3 <= to { n++ } END { print n + 0 }' "$f"
}

# workload_check NAME MIN: every step succeeded and at least MIN ran.
workload_check() {
    local name=$1 min=$2 ok err
    ok=$(workload_count "$name" ok)
    err=$(workload_count "$name" error)
    if ((err == 0 && ok >= min)); then
        pass "workload $name: $ok steps, none failed ($(workload_count "$name" locked) gave up waiting for a lock)"
    else
        fail "workload $name: $ok steps succeeded (at least $min wanted), $err failed"
        grep -v '^$' "$TEST_TMP/workload-$name/log" 2>/dev/null | head -n 20 | redact | sed 's/^/  | /'
    fi
}

# pgbench_start NAME URI DB ARGS...: pgbench ARGS in the background.
pgbench_start() {
    local name=$1 uri=$2 db=$3
    shift 3
    "$PGBENCH" "$@" "$(uri_db "$uri" "$db")" </dev/null >"$TEST_TMP/pgbench-$name.log" 2>&1 &
    local pid=$!
    ONLINE_BG_PIDS+=("$pid")
    printf -v "PGBENCH_PID_$name" '%s' "$pid"
    log "pgbench $name started: pgbench $* (pid $pid)"
}

# pgbench_wait NAME [SECONDS]: pgbench ended with exit 0, processed
# transactions and had no failed ones.
pgbench_wait() {
    local name=$1 limit=${2:-120} pidvar="PGBENCH_PID_$1" pid log=$TEST_TMP/pgbench-$1.log n
    pid=${!pidvar}
    wait_exit "$pid" "$limit"
    n=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$log")
    if [[ $EXIT_RC == 0 && ${n:-0} -gt 0 ]] && ! grep -qE '^number of failed transactions: [1-9]' "$log"; then
        pass "pgbench $name: exit 0, $n transactions, none failed"
    else
        fail "pgbench $name: exit $EXIT_RC, ${n:-no} transactions"
        tail -n 15 "$log" | redact | sed 's/^/  | /'
    fi
}

# online_start NAME CMD...: CMD in the background (stdin /dev/null), stdout in
# $TEST_TMP/NAME.out, stderr in $TEST_TMP/NAME.err.  Sets ONLINE_PID,
# ONLINE_OUT, ONLINE_ERR, ONLINE_STARTED (epoch seconds).
online_start() {
    local name=$1
    shift
    ONLINE_OUT=$TEST_TMP/$name.out
    ONLINE_ERR=$TEST_TMP/$name.err
    printf '$ %s &\n' "$(printf '%q ' "$@")" | redact
    "$@" </dev/null >"$ONLINE_OUT" 2>"$ONLINE_ERR" &
    ONLINE_PID=$!
    ONLINE_BG_PIDS+=("$ONLINE_PID")
    ONLINE_STARTED=$(date +%s.%N)
}

# show_online_output [N]: the last N lines of the background pgshuttle's output.
show_online_output() {
    local n=${1:-30}
    printf '  --- stdout (last %s lines)\n' "$n"
    tail -n "$n" "$ONLINE_OUT" | cut -c1-400 | redact | sed 's/^/  | /'
    printf '  --- stderr (last %s lines)\n' "$n"
    tail -n "$n" "$ONLINE_ERR" | cut -c1-400 | redact | sed 's/^/  | /'
}

# json_count FILE PRED: how many JSON lines of FILE satisfy PRED (a python
# expression on the object o).
json_count() {
    python3 - "$1" "$2" <<'EOF'
import json, sys
n = 0
try:
    f = open(sys.argv[1], encoding='utf-8', errors='replace')
except OSError:
    print(0); sys.exit(0)
for line in f:
    line = line.strip()
    if not line:
        continue
    try:
        o = json.loads(line)
    except ValueError:
        continue
    if isinstance(o, dict) and eval(sys.argv[2], {}, {'o': o}):
        n += 1
print(n)
EOF
}

# wait_for_json DESC FILE PRED SECONDS PID: poll FILE until a line satisfies
# PRED; fail if PID ends first or after SECONDS.  Sets WAITED_SECONDS.
wait_for_json() {
    local desc=$1 file=$2 pred=$3 limit=$4 pid=$5 start=$SECONDS
    while :; do
        if (($(json_count "$file" "$pred") > 0)); then
            WAITED_SECONDS=$((SECONDS - start))
            pass "$desc (after ${WAITED_SECONDS}s)"
            return 0
        fi
        if ! kill -0 "$pid" 2>/dev/null; then
            wait "$pid" 2>/dev/null && EXIT_RC=0 || EXIT_RC=$?
            fail "$desc: pgshuttle ended first (exit $EXIT_RC)"
            show_online_output
            return 1
        fi
        if ((SECONDS - start >= limit)); then
            fail "$desc: not within ${limit}s"
            show_online_output
            return 1
        fi
        sleep 0.5
    done
}

# wait_exit PID SECONDS: wait for PID; EXIT_RC is its exit code, or
# "timeout" (then it was sent SIGTERM, and SIGKILL 10 s later).
# EXIT_SECONDS: how long it took.
wait_exit() {
    local pid=$1 limit=$2 start=$SECONDS waited=0
    while kill -0 "$pid" 2>/dev/null; do
        if ((waited >= limit * 10)); then
            kill -TERM "$pid" 2>/dev/null || true
            sleep 10
            kill -KILL "$pid" 2>/dev/null || true
            wait "$pid" 2>/dev/null || true
            EXIT_RC=timeout
            EXIT_SECONDS=$((SECONDS - start))
            return 0
        fi
        sleep 0.1
        waited=$((waited + 1))
    done
    EXIT_RC=0
    wait "$pid" 2>/dev/null || EXIT_RC=$?
    EXIT_SECONDS=$((SECONDS - start))
}

# check_exit DESC WANT: EXIT_RC (from wait_exit) is WANT.
check_exit() {
    if [[ $EXIT_RC == "$2" ]]; then
        pass "$1: exit code $EXIT_RC"
    else
        fail "$1: exit code $EXIT_RC, expected $2"
        show_online_output
    fi
}

# check_result FILE STATUS: the last line is a result event with STATUS.
check_result() {
    local last
    last=$(grep -v '^[[:space:]]*$' "$1" | tail -n 1 || true)
    if python3 -c 'import json, sys; o = json.loads(sys.argv[1]); sys.exit(0 if o.get("event") == "result" and o.get("status") == sys.argv[2] else 1)' \
            "$last" "$2" 2>/dev/null; then
        pass "the last JSON line is the result, status $2"
    else
        fail "the last JSON line is not a result with status $2: $(cut -c1-300 <<<"$last" | redact)"
    fi
}

# check_streaming_events FILE DB [AFTER_PRED]: DB's streaming events carry
# lag_bytes, lag_seconds, changes, transactions, applied_lsn and source_lsn
# of the right types; changes and transactions grow and end above 0; with
# events both before and after the migration waited for cutover, the lag
# after it went under 1 MB at least once.
check_streaming_events() {
    if python3 - "$1" "$2" "$JSON_WAITING" <<'EOF'; then
import json, re, sys
path, db, waiting_pred = sys.argv[1], sys.argv[2], sys.argv[3]
lsn = re.compile(r'^[0-9A-F]{1,8}/[0-9A-F]{1,8}$')
events, problems, waiting_at = [], [], None
for n, line in enumerate(open(path, encoding='utf-8', errors='replace')):
    try:
        o = json.loads(line)
    except ValueError:
        continue
    if not isinstance(o, dict):
        continue
    if waiting_at is None and eval(waiting_pred, {}, {'o': o}):
        waiting_at = n
    if o.get('event') == 'streaming' and o.get('database') == db:
        events.append((n, o))
if not events:
    print(f'  no streaming event for database {db}')
    sys.exit(1)
isint = lambda v: isinstance(v, int) and not isinstance(v, bool)
isnum = lambda v: isinstance(v, (int, float)) and not isinstance(v, bool)
for n, o in events:
    for k, ok in (('lag_bytes', isint), ('lag_seconds', isnum), ('changes', isint), ('transactions', isint)):
        if not ok(o.get(k)) or o.get(k) < 0:
            problems.append(f'line {n + 1}: {k} = {o.get(k)!r}')
    for k in ('applied_lsn', 'source_lsn'):
        if not isinstance(o.get(k), str) or not lsn.match(o.get(k)):
            problems.append(f'line {n + 1}: {k} = {o.get(k)!r}')
prev = None
for n, o in events:
    cur = (o.get('changes'), o.get('transactions'))
    if prev and all(isint(x) for x in cur + prev) and (cur[0] < prev[0] or cur[1] < prev[1]):
        problems.append(f'line {n + 1}: counters went down: {prev} -> {cur}')
    prev = cur
last = events[-1][1]
if not (isint(last.get('changes')) and last['changes'] > 0 and isint(last.get('transactions')) and last['transactions'] > 0):
    problems.append(f'the last streaming event has changes={last.get("changes")!r}, transactions={last.get("transactions")!r}')
after = [o for n, o in events if waiting_at is not None and n > waiting_at]
if after and not any(isint(o.get('lag_bytes')) and o['lag_bytes'] < 1048576 for o in after):
    problems.append('after "Waiting for cutover" the lag never went under 1 MB: ' + ', '.join(str(o.get('lag_bytes')) for o in after[-5:]))
for p in problems[:10]:
    print('  ' + p)
print(f'  {len(events)} streaming events for {db} ({len(after)} after waiting for cutover); last: changes={last.get("changes")}, '
      f'transactions={last.get("transactions")}, lag_bytes={last.get("lag_bytes")}, lag_seconds={last.get("lag_seconds")}')
sys.exit(1 if problems else 0)
EOF
        pass "streaming events of $2: lag fields, counters growing, changes > 0"
    else
        fail "streaming events of $2 are missing or wrong"
    fi
}

# source_publications URI DB: the names of DB's publications, comma-separated.
source_publications() {
    q "$1" "$2" "SELECT coalesce(string_agg(pubname, ',' ORDER BY pubname), '') FROM pg_publication"
}

# check_source_clean LABEL URI DB PUBS: no replication slot on the source
# server, and DB's publications are PUBS (what it had before the migration).
check_source_clean() {
    local label=$1 uri=$2 db=$3 pubs=$4 slots now
    slots=$(q "$uri" postgres "SELECT coalesce(string_agg(slot_name || ' (' || coalesce(database, '-') || ', ' || plugin || ')', ', '), '') FROM pg_replication_slots")
    if [[ -z $slots ]]; then
        pass "$label: no replication slot left on the source"
    else
        fail "$label: replication slots left on the source: $slots"
    fi
    if ! database_exists "$uri" "$db"; then
        fail "$label: database $db is gone from the source"
        return 0
    fi
    now=$(source_publications "$uri" "$db")
    if [[ $now == "$pubs" ]]; then
        pass "$label: no publication left on the source (${pubs:-none} as before)"
    else
        fail "$label: publications of $db on the source: '$now', before the migration: '$pubs'"
    fi
}

# check_target_no_origin LABEL URI: no replication origin on the target server.
check_target_no_origin() {
    local origins
    origins=$(q "$2" postgres "SELECT coalesce(string_agg(roname, ', '), '') FROM pg_replication_origin")
    if [[ -z $origins ]]; then
        pass "$1: no replication origin left on the target"
    else
        fail "$1: replication origins left on the target: $origins"
    fi
}

# slot_count URI: replication slots on the server.
slot_count() {
    q "$1" postgres "SELECT count(*) FROM pg_replication_slots"
}

# wait_copying URI DB [PATTERN]: poll (120 s at most) until the migration
# ($ONLINE_PID) runs a COPY (a query ILIKE PATTERN, default 'COPY%') in DB on
# the server URI; false when it never does or ends first.
wait_copying() {
    local _ pattern=${3:-COPY%}
    for _ in $(seq 1 1200); do
        if [[ $(q "$1" postgres "SELECT count(*) FROM pg_stat_activity WHERE datname = '$2' AND query ILIKE '$pattern'" 2>/dev/null || echo 0) -gt 0 ]]; then
            return 0
        fi
        kill -0 "$ONLINE_PID" 2>/dev/null || return 1
        sleep 0.1
    done
    return 1
}

# check_slot_plugin URI DB PLUGIN [NOTE]: every replication slot of DB on the
# server URI uses PLUGIN.
check_slot_plugin() {
    local plugins
    plugins=$(q "$1" postgres "SELECT coalesce(string_agg(DISTINCT plugin, ','), '') FROM pg_replication_slots WHERE database = '$2'")
    if [[ $plugins == "$3" ]]; then
        pass "the slot for $2 uses $3${4:+ ($4)}"
    else
        fail "the slots for $2 use '$plugins', expected $3"
    fi
}

# no_secrets FILE...: neither cluster password appears in the FILEs.
no_secrets() {
    local f
    for f in "$@"; do
        assert_not_contains "$f" "$src_PASSWORD" "no source password in $(basename "$f")"
        assert_not_contains "$f" "$tgt_PASSWORD" "no target password in $(basename "$f")"
    done
}

# compare_data_only SRC_URI TGT_URI DB: the data part of compare_databases
# alone (compare_data.sql: every table's row count and checksum, sequences,
# large objects), for servers whose catalogs compare_inventory.sql does not
# read (10 and 11: pg_namespace.oid is a system column there).  Before 12
# type name takes no COLLATE: column names are cast to text first (the same
# order, on both sides); and floats print with extra_float_digits = 0, the
# only setting whose output is the same before and after 12 (12 changed what
# positive values mean), so values that differ only beyond 15 significant
# digits are not told apart here.
compare_data_only() {
    local src=$1 tgt=$2 db=$3 dir
    dir=$(mktemp -d "$TEST_TMP/compare.XXXXXX")
    printf 'compare data of "%s" (data only)\n' "$db"
    sed -e 's/a\.attname COLLATE "C"/a.attname::text COLLATE "C"/' \
        -e 's/^SET LOCAL extra_float_digits = 3;/SET LOCAL extra_float_digits = 0;/' \
        "$PGS_TESTDIR/compare_data.sql" >"$dir/compare_data.sql"
    diff_data "$dir" "$dir/compare_data.sql" "$src" "$db" "$tgt" "$db"
}

# check_nopk_identities LABEL URI DB WANT: the replica identity letters of
# online.append_log, online.nopk and online.nopk_toast (tables without any
# key) are all WANT: f while --replica-identity-full streams, d before and after.
check_nopk_identities() {
    local label=$1 uri=$2 db=$3 want=$4 got
    got=$(q "$uri" "$db" "SELECT string_agg(c.oid::regclass || '=' || c.relreplident::text, ' ' ORDER BY c.oid::regclass::text)
        FROM pg_class c WHERE c.oid IN ('online.nopk'::regclass, 'online.nopk_toast'::regclass, 'online.append_log'::regclass)")
    if [[ $got == "online.append_log=$want online.nopk=$want online.nopk_toast=$want" ]]; then
        pass "$label: the source's tables without a key have replica identity $want"
    else
        fail "$label: replica identities of the source's tables without a key: $got (wanted $want)"
    fi
}

# Server disruptions (issue 13): the clusters are $TEST_TMP/NAME.
restart_cluster() {   # restart_cluster NAME: a fast shutdown, then start again (same port)
    local dir="$TEST_TMP/$1"
    "$PG_CLUSTER" stop "$dir" >/dev/null && "$PG_CLUSTER" start "$dir" >/dev/null
}
crash_cluster() {   # crash_cluster NAME: an immediate shutdown (SIGQUIT: crash recovery at start), then start
    local dir="$TEST_TMP/$1" pid i
    pid=$(head -n 1 "$dir/data/postmaster.pid")
    kill -QUIT "$pid"
    for ((i = 0; i < 100; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    "$PG_CLUSTER" start "$dir" >/dev/null
}
terminate() {   # terminate URI SQL-CONDITION: pg_terminate_backend of pg_stat_activity rows
    local n
    n=$(q "$1" postgres "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND ($2)")
    log "  terminated $n session(s)"
    ((n > 0))
}
restart_both() {   # restart_both: fast restarts of src and tgt at the same time
    local p
    restart_cluster src &
    p=$!
    restart_cluster tgt
    wait "$p"
}
