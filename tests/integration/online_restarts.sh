#!/usr/bin/env bash
# Online migration, PostgreSQL 15 -> 15: riding through server restarts and
# terminated sessions while streaming (issue 13, the streaming phase).
#   1. pgs_restarts (fixture_small + the online tables) streams under the DML
#      workload; in turn, each time after streaming events show changes
#      applied: a fast restart of the source (scripts/pg-cluster stop/start),
#      the same for the target, an immediate shutdown (crash) of the target
#      and its start (what it had not flushed is sent again: the final
#      verify shows nothing applied twice or lost), pg_terminate_backend of the apply sessions on
#      the target, of the walsender, and of the plain source session. After
#      each, streaming events must resume with changes growing; the pause
#      (from the last streaming event before to the first one after with more
#      changes) is printed. Then the workload stops, SIGUSR1: exit 0,
#      Succeeded, verify identical, no slot, publication or origin left
#      Also both servers restarted at the same time.
#   2. pgs_timeout with --reconnect-timeout 5s: the target stopped for longer
#      than that while the workload writes: exit 1, the error names the
#      timeout; the source (up all along) has no slot left
#   3. pgs_timeout_src, --reconnect-timeout 8s, the source stopped for 10 s:
#      the migration gives up after 8 s, its clean-up waits for the source and drops the slot and the
#      publications once it is back: nothing left on it
#   4. the slot dropped under the stream (walsender terminated, then
#      pg_drop_replication_slot): a permanent error, so it fails at once
#      instead of reconnecting for --reconnect-timeout
# PGS_PLUGIN (pgoutput by default; online_restarts_test_decoding.sh sets
# test_decoding) picks the plugin.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/online/lib.sh"
online_require
if ! "$PGSHUTTLE_BIN" migrate --help 2>&1 | grep -q -- '--reconnect-timeout'; then
    skip_test "pgshuttle migrate --help has no --reconnect-timeout yet"
fi

section "clusters and source databases"
start_cluster src
start_cluster tgt
create_roles "$tgt_URI" pgs_owner pgs_reader
DB=pgs_restarts
online_load_db "$src_URI" "$DB" "$FIXTURE_DIR/fixture_small.sql"
online_load_db "$src_URI" pgs_timeout
online_load_db "$src_URI" pgs_timeout_src
online_load_db "$src_URI" pgs_slot_gone
PUBS_BEFORE=$(source_publications "$src_URI" "$DB")
PUBS_TIMEOUT=$(source_publications "$src_URI" pgs_timeout)
PUBS_TIMEOUT_SRC=$(source_publications "$src_URI" pgs_timeout_src)

PLUGIN=${PGS_PLUGIN:-pgoutput}
log "plugin: $PLUGIN"
migrate_args() {   # migrate_args DB [OPTION...]
    MIGRATE=("$PGSHUTTLE_BIN" migrate --mode online --source "$src_URI" --target "$tgt_URI"
             --databases "$1" --plugin "$PLUGIN" --jobs 2 --index-jobs 2 --output json "${@:2}")
}

# last_changes: the changes of the last streaming event (0 if none).
last_changes() {
    python3 - "$ONLINE_OUT" <<'EOF'
import json, sys
c = 0
for line in open(sys.argv[1], encoding='utf-8', errors='replace'):
    try:
        o = json.loads(line)
    except ValueError:
        continue
    if isinstance(o, dict) and o.get('event') == 'streaming' and not o.get('waiting_for'):
        c = o.get('changes') or 0
print(c)
EOF
}

# pause_since LINE CHANGES: seconds from the last streaming event at or
# before line LINE to the first later one without waiting_for whose changes
# exceed CHANGES; also whether a waiting_for event came in between.
pause_since() {
    python3 - "$ONLINE_OUT" "$1" "$2" <<'EOF'
import datetime, json, sys
path, at, changes = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
def ts(o):
    return datetime.datetime.fromisoformat(o['time'].replace('Z', '+00:00')).timestamp()
before = after = None
waiting = set()
for n, line in enumerate(open(path, encoding='utf-8', errors='replace'), 1):
    try:
        o = json.loads(line)
    except ValueError:
        continue
    if not isinstance(o, dict) or o.get('event') != 'streaming':
        continue
    if n <= at:
        before = o
    elif o.get('waiting_for'):
        waiting.add(o['waiting_for'])
    elif (o.get('changes') or 0) > changes:
        after = o
        break
if before is None or after is None:
    print('none')
else:
    print('%.1f %s' % (ts(after) - ts(before), ','.join(sorted(waiting)) or '-'))
EOF
}

PAUSES=()
# disrupt LABEL CMD...: wait for applied changes, run CMD, then wait (120 s
# at most) until streaming events show changes growing again.
disrupt() {
    local label=$1 c0 line deadline res
    shift
    wait_for_json "$label: streaming before" "$ONLINE_OUT" \
        'o.get("event") == "streaming" and (o.get("changes") or 0) > 0 and not o.get("waiting_for")' 60 "$ONLINE_PID" || return 0
    sleep 1.5
    c0=$(last_changes)
    line=$(wc -l <"$ONLINE_OUT")
    log "$label: $(printf '%q ' "$@" | redact)"
    "$@" >"$TEST_TMP/disrupt.log" 2>&1 || { fail "$label: the disruption failed"; redact <"$TEST_TMP/disrupt.log" | tail -n 5; }
    deadline=$((SECONDS + 120))
    while :; do
        res=$(pause_since "$line" "$c0")
        [[ $res != none ]] && break
        if ! kill -0 "$ONLINE_PID" 2>/dev/null || ((SECONDS >= deadline)); then
            fail "$label: streaming did not resume (changes stayed at $c0)"
            show_online_output 20
            return 0
        fi
        sleep 0.5
    done
    pass "$label: streaming resumed, changes growing past $c0; paused ${res%% *}s (waiting_for seen: ${res#* })"
    PAUSES+=("$label: ${res%% *}s")
}

# ---------------------------------------------------------------------------
section "1. restarts and terminated sessions while streaming"
migrate_args "$DB" --reconnect-timeout 2min
workload_start main "$src_URI" "$DB"
sleep 1
online_start run1 "${MIGRATE[@]}"
if ! wait_for_json "Waiting for cutover" "$ONLINE_OUT" "$JSON_WAITING" 300 "$ONLINE_PID"; then
    workload_stop main 10
    die "the migration never waited for cutover"
fi
q "$tgt_URI" postgres "SELECT string_agg(datname || ':' || left(query, 40), ' | ') FROM pg_stat_activity WHERE application_name = 'pgshuttle'" |
    sed 's/^/  target sessions: /'

disrupt "source fast restart" restart_cluster src
disrupt "target fast restart" restart_cluster tgt
disrupt "target immediate (crash) restart" crash_cluster tgt
disrupt "both servers restarted at once" restart_both
disrupt "apply sessions terminated" terminate "$tgt_URI" "datname = '$DB' AND application_name = 'pgshuttle'"
disrupt "walsender terminated" terminate "$src_URI" "backend_type = 'walsender' AND datname = '$DB'"
disrupt "plain source session terminated" terminate "$src_URI" \
    "backend_type = 'client backend' AND datname = '$DB' AND application_name = 'pgshuttle'"

workload_stop main 30
log "workload: $(workload_count main ok) steps ok, $(workload_count main error) failed (the source's restart fails some)"
sleep 3
kill -USR1 "$ONLINE_PID" 2>/dev/null || fail "pgshuttle had ended before the cutover"
wait_exit "$ONLINE_PID" 180
check_exit "cutover after the restarts" 0
assert_json_lines "$ONLINE_OUT"
check_result "$ONLINE_OUT" Succeeded
assert_contains "$ONLINE_ERR" "is back after" "the log says when a server is back"
n=$(grep -c "lost the " "$ONLINE_ERR" || true)
log "  'lost' warnings: $n; 'could not read the source's position' lines: $(grep -c "could not read the source's position" "$ONLINE_ERR" || true)"
if grep -q "could not read the source's position" "$ONLINE_ERR"; then
    fail "the observer logged a failed read instead of one outage line"
else
    pass "no line a second while the source was away"
fi
no_secrets "$ONLINE_OUT" "$ONLINE_ERR"
assert_exit 0 "$PGSHUTTLE_BIN" verify --source "$src_URI" --target "$tgt_URI" --databases "$DB"
check_source_clean "after cutover" "$src_URI" "$DB" "$PUBS_BEFORE"
check_target_no_origin "after cutover" "$tgt_URI"

# ---------------------------------------------------------------------------
section "2. the target away for longer than --reconnect-timeout 5s"
migrate_args pgs_timeout --reconnect-timeout 5s
workload_start t2 "$src_URI" pgs_timeout
online_start run2 "${MIGRATE[@]}"
if wait_for_json "run 2: Waiting for cutover" "$ONLINE_OUT" "$JSON_WAITING" 300 "$ONLINE_PID"; then
    "$PG_CLUSTER" stop "$TEST_TMP/tgt" >/dev/null
    log "target stopped"
    wait_exit "$ONLINE_PID" 90
    check_exit "the target stayed away longer than the timeout" 1
    log "  it ended ${EXIT_SECONDS}s after the target stopped"
    "$PG_CLUSTER" start "$TEST_TMP/tgt" >/dev/null
    log "target started again"
    assert_contains "$ONLINE_ERR" "reconnect-timeout" "the error names --reconnect-timeout"
    check_result "$ONLINE_OUT" Failed
    grep -E "gave up|could not reconnect|could not reach|drop" "$ONLINE_ERR" | head -n 8 | cut -c1-300 | redact | sed 's/^/  | /'
    # The target was away through the clean-up: the log names the origin to drop there by hand.
    origin_sql=$(grep -o "SELECT pg_replication_origin_drop('pgshuttle_[0-9a-f]*')" "$ONLINE_ERR" | head -n 1 || true)
    if [[ -n $origin_sql ]]; then
        pass "the log says how to drop the origin on the target by hand"
        q "$tgt_URI" postgres "$origin_sql" >/dev/null
    else
        fail "the log does not say how to drop the replication origin left on the target"
    fi
fi
workload_stop t2 30
check_target_no_origin "after dropping by hand what the log named" "$tgt_URI"
check_source_clean "after giving up" "$src_URI" pgs_timeout "$PUBS_TIMEOUT"
no_secrets "$ONLINE_OUT" "$ONLINE_ERR"

# ---------------------------------------------------------------------------
section "3. the source away for longer than --reconnect-timeout 8s"
migrate_args pgs_timeout_src --reconnect-timeout 8s
online_start run3 "${MIGRATE[@]}"
if wait_for_json "run 3: Waiting for cutover" "$ONLINE_OUT" "$JSON_WAITING" 300 "$ONLINE_PID"; then
    "$PG_CLUSTER" stop "$TEST_TMP/src" >/dev/null
    log "source stopped"
    sleep 10
    "$PG_CLUSTER" start "$TEST_TMP/src" >/dev/null
    log "source started again after 10 s"
    wait_exit "$ONLINE_PID" 90
    check_exit "the source stayed away longer than the timeout" 1
    check_result "$ONLINE_OUT" Failed
    assert_contains "$ONLINE_ERR" "reconnect-timeout" "the error names --reconnect-timeout"
    assert_contains "$ONLINE_ERR" "dropped replication slot" "the clean-up dropped the slot once the source was back"
    grep -E "gave up|could not reconnect|could not reach|dropped|is back" "$ONLINE_ERR" | head -n 8 | cut -c1-300 | redact | sed 's/^/  | /'
fi
check_source_clean "after giving up on the source" "$src_URI" pgs_timeout_src "$PUBS_TIMEOUT_SRC"
check_target_no_origin "after giving up on the source" "$tgt_URI"
no_secrets "$ONLINE_OUT" "$ONLINE_ERR"

# ---------------------------------------------------------------------------
section "4. the slot dropped under the stream: no point reconnecting, it fails at once"
migrate_args pgs_slot_gone --reconnect-timeout 2min
online_start run4 "${MIGRATE[@]}"
if wait_for_json "run 4: Waiting for cutover" "$ONLINE_OUT" "$JSON_WAITING" 300 "$ONLINE_PID"; then
    slot=$(q "$src_URI" postgres "SELECT slot_name FROM pg_replication_slots WHERE database = 'pgs_slot_gone'")
    dropped=
    for _ in $(seq 1 50); do
        q "$src_URI" postgres "SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = '$slot' AND active_pid IS NOT NULL" >/dev/null
        if q "$src_URI" postgres "SELECT pg_drop_replication_slot('$slot')" >/dev/null 2>&1; then
            dropped=1
            break
        fi
        sleep 0.1
    done
    if [[ -n $dropped ]]; then
        log "slot $slot dropped under the stream"
        wait_exit "$ONLINE_PID" 60
        check_exit "the stream cannot go on without its slot" 1
        if ((EXIT_SECONDS < 30)); then
            pass "it failed within ${EXIT_SECONDS}s, without waiting out --reconnect-timeout 2min"
        else
            fail "it took ${EXIT_SECONDS}s to fail: it reconnected to a slot that no longer exists"
        fi
        if grep -q "does not exist" "$ONLINE_OUT" "$ONLINE_ERR"; then
            pass "the error says the slot does not exist"
        else
            fail "the error does not say the slot does not exist"
            show_online_output 5
        fi
    else
        fail "could not drop slot $slot under the stream"
    fi
fi
check_source_clean "after the slot was dropped" "$src_URI" pgs_slot_gone "$(source_publications "$src_URI" pgs_slot_gone)"
no_secrets "$ONLINE_OUT" "$ONLINE_ERR"

section "pauses"
for p in "${PAUSES[@]}"; do
    log "  $p"
done
finish
