#!/usr/bin/env bash
# Per-database requests of the engine (engine_run_request_cutover_db,
# engine_run_cancel_db) and the overwrite hook, driven by tests/tools/
# engine_driver as the service would drive them. Two databases with pgbench:
#   1. online: once both stream and caught up, pgbench writes to both; pgs_a
#      is cut over on its own (Succeeded, its slot gone, pgs_b's still there,
#      pgs_a identical) while pgs_b streams on; pgbench writes to pgs_b again,
#      then pgs_b is cut over: Succeeded, both identical, nothing left behind
#   2. online (--overwrite): pgs_a canceled on its own (Canceled, its slot
#      and publication gone, its target database dropped) while pgs_b
#      streams, then pgs_b cut over: the migration Succeeded, pgs_b identical,
#      no slot left, pgs_a absent from the target
#   3. offline, pgs_b canceled before it starts: skipped (Canceled, never
#      created on the target), pgs_a migrated: Succeeded
#   4. offline, the overwrite hook: pgs_b exists on the target; the check is a
#      Warning, the migration waits in Waiting for overwrite confirmation;
#      "no" ends it Canceled with pgs_a untouched, "yes" drops and migrates it
#   5. online: pgs_big (2 million rows) canceled on its own while it copies:
#      its copy stops, no slot or publication of it left, its target database
#      dropped; pgs_b (after it) is migrated and cut over: Succeeded
#   6. offline: the same while pgs_big copies; pgs_b is migrated: Succeeded
#   7. online: both databases asked to cut over on their own before they
#      stream: the requests wait, each is cut over once it caught up, and the
#      migration ends Succeeded without a whole-migration cutover
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/online/lib.sh"
online_require

DRIVER=${ENGINE_DRIVER_BIN:-$PGS_ROOT/build/tests/engine_driver}
[[ -x $DRIVER ]] || skip_test "engine_driver not found at $DRIVER (set ENGINE_DRIVER_BIN)"

section "clusters and source databases"
start_cluster src
start_cluster tgt
for db in pgs_a pgs_b; do
    create_database "$src_URI" "$db"
    pgbench_init "$src_URI" "$db" 1
done
PUBS_A=$(source_publications "$src_URI" pgs_a)
PUBS_B=$(source_publications "$src_URI" pgs_b)
export ENGINE_DRIVER_SOURCE=$src_URI ENGINE_DRIVER_TARGET=$tgt_URI

# driver_start NAME ARGS...: the driver in the background, requests in $COMMANDS.
driver_start() {
    local name=$1
    shift
    COMMANDS=$TEST_TMP/$name.commands
    : >"$COMMANDS"
    online_start "$name" "$DRIVER" --commands "$COMMANDS" "$@"
}
request() {   # request LINE: one more request for the running driver
    log "request: $1"
    printf '%s\n' "$1" >>"$COMMANDS"
}
json_db_status() {   # json_db_status DB STATUS: the predicate of DB's status event
    printf 'o.get("event") == "status" and o.get("database") == "%s" and o.get("status") == "%s"' "$1" "$2"
}
check_driver_result() {   # check_driver_result STATUS A_STATUS B_STATUS
    local got
    got=$(python3 - "$ONLINE_OUT" <<'EOF'
import json, sys
r = None
for line in open(sys.argv[1], encoding='utf-8', errors='replace'):
    try:
        o = json.loads(line)
    except ValueError:
        continue
    if o.get("event") == "driver_result":
        r = o
if r is None:
    print("none")
else:
    d = r.get("databases", {})
    print(r.get("status"), d.get("pgs_a", "-"), d.get("pgs_b", "-"))
EOF
)
    if [[ $got == "$1 $2 $3" ]]; then
        pass "result: $got"
    else
        fail "result: '$got', expected '$1 $2 $3'"
        show_online_output
    fi
}
slots_of() {   # slots_of DB: the replication slots of DB on the source
    q "$src_URI" postgres "SELECT count(*) FROM pg_replication_slots WHERE database = '$1'"
}

# ---------------------------------------------------------------------------
section "1. online: pgs_a cut over on its own, then pgs_b"
driver_start run1 --mode online --databases pgs_a,pgs_b
wait_for_json "run 1: Waiting for cutover" "$ONLINE_OUT" "$JSON_WAITING" 300 "$ONLINE_PID" \
    || die "run 1 never waited for cutover"
pgbench_start a1 "$src_URI" pgs_a -T 4 -c 2
pgbench_start b1 "$src_URI" pgs_b -T 4 -c 2
pgbench_wait a1
pgbench_wait b1
request "cutover pgs_a"
wait_for_json "run 1: pgs_a Succeeded on its own" "$ONLINE_OUT" "$(json_db_status pgs_a Succeeded)" 120 "$ONLINE_PID" \
    || die "pgs_a was not cut over"
if kill -0 "$ONLINE_PID" 2>/dev/null; then pass "run 1: the migration goes on (pgs_b streams)"; else fail "run 1: the migration ended with pgs_a"; fi
check "run 1: no slot of pgs_a left on the source" test "$(slots_of pgs_a)" = 0
check "run 1: pgs_b's slot is still there" test "$(slots_of pgs_b)" = 1
check "run 1: pgs_a identical" compare_databases "$src_URI" "$tgt_URI" pgs_a
pgbench_start b2 "$src_URI" pgs_b -T 3 -c 2
pgbench_wait b2
sleep 2
request "cutover pgs_b"
wait_exit "$ONLINE_PID" 180
check_exit "run 1" 0
check_driver_result Succeeded Succeeded Succeeded
check "run 1: pgs_b identical" compare_databases "$src_URI" "$tgt_URI" pgs_b
check_source_clean "run 1, pgs_a" "$src_URI" pgs_a "$PUBS_A"
check_source_clean "run 1, pgs_b" "$src_URI" pgs_b "$PUBS_B"
check_target_no_origin "run 1" "$tgt_URI"

# ---------------------------------------------------------------------------
section "2. online: pgs_a canceled on its own while pgs_b streams, then pgs_b cut over"
driver_start run2 --mode online --databases pgs_a,pgs_b --overwrite
wait_for_json "run 2: Waiting for cutover" "$ONLINE_OUT" "$JSON_WAITING" 300 "$ONLINE_PID" \
    || die "run 2 never waited for cutover"
request "cancel pgs_a"
wait_for_json "run 2: pgs_a Canceled" "$ONLINE_OUT" "$(json_db_status pgs_a Canceled)" 120 "$ONLINE_PID" \
    || die "pgs_a was not canceled"
if kill -0 "$ONLINE_PID" 2>/dev/null; then pass "run 2: the migration goes on (pgs_b streams)"; else fail "run 2: the migration ended with pgs_a's cancel"; fi
check "run 2: no slot of pgs_a left on the source" test "$(slots_of pgs_a)" = 0
check "run 2: pgs_b's slot is still there" test "$(slots_of pgs_b)" = 1
check "run 2: pgs_a's publication gone" test "$(source_publications "$src_URI" pgs_a)" = "$PUBS_A"
if database_exists "$tgt_URI" pgs_a; then fail "run 2: the canceled pgs_a is still on the target"; else pass "run 2: the canceled pgs_a was dropped on the target"; fi
pgbench_start b3 "$src_URI" pgs_b -T 3 -c 2
pgbench_wait b3
sleep 2
request "cutover pgs_b"
wait_exit "$ONLINE_PID" 180
check_exit "run 2" 0
check_driver_result Succeeded Canceled Succeeded
check "run 2: pgs_b identical" compare_databases "$src_URI" "$tgt_URI" pgs_b
check_source_clean "run 2, pgs_a" "$src_URI" pgs_a "$PUBS_A"
check_source_clean "run 2, pgs_b" "$src_URI" pgs_b "$PUBS_B"
check_target_no_origin "run 2" "$tgt_URI"
if database_exists "$tgt_URI" pgs_a; then fail "run 2: pgs_a on the target at the end"; else pass "run 2: pgs_a absent from the target at the end"; fi

# ---------------------------------------------------------------------------
section "3. offline: pgs_b canceled before it starts"
drop_database "$tgt_URI" pgs_b
driver_start run3 --mode offline --databases pgs_a,pgs_b
request "cancel pgs_b"
wait_exit "$ONLINE_PID" 180
check_exit "run 3" 0
check_driver_result Succeeded Succeeded Canceled
check "run 3: pgs_a identical" compare_databases "$src_URI" "$tgt_URI" pgs_a
if database_exists "$tgt_URI" pgs_b; then fail "run 3: the skipped pgs_b was created on the target"; else pass "run 3: the skipped pgs_b was never created"; fi

# ---------------------------------------------------------------------------
section "4. offline: the overwrite hook"
JSON_HOOK_WAIT='o.get("event") == "status" and o.get("status") == "Waiting for user action" and o.get("substatus") == "Waiting for overwrite confirmation" and "database" not in o'
JSON_CHECK_WARN='o.get("event") == "check" and o.get("scope") == "pgs_a" and o.get("name") == "Target database" and o.get("status") == "Warning"'
q "$tgt_URI" pgs_a "CREATE TABLE kept_marker (x int)" >/dev/null
driver_start run4 --mode offline --databases pgs_a --ask-overwrite
wait_for_json "run 4: Waiting for overwrite confirmation" "$ONLINE_OUT" "$JSON_HOOK_WAIT" 120 "$ONLINE_PID" \
    || die "run 4 never waited for the confirmation"
check "run 4: the Target database check is a Warning" test "$(json_count "$ONLINE_OUT" "$JSON_CHECK_WARN")" = 1
check "run 4: the hook was called" test "$(json_count "$ONLINE_OUT" 'o.get("event") == "hook" and o.get("existing") == ["pgs_a"]')" = 1
request "overwrite no"
wait_exit "$ONLINE_PID" 60
check_exit "run 4 (no)" 3
check_driver_result Canceled Canceled -
check "run 4: pgs_a untouched on the target" test "$(q "$tgt_URI" pgs_a "SELECT count(*) FROM pg_class WHERE relname = 'kept_marker'")" = 1

driver_start run5 --mode offline --databases pgs_a --ask-overwrite
wait_for_json "run 5: Waiting for overwrite confirmation" "$ONLINE_OUT" "$JSON_HOOK_WAIT" 120 "$ONLINE_PID" \
    || die "run 5 never waited for the confirmation"
request "overwrite yes"
wait_exit "$ONLINE_PID" 180
check_exit "run 5 (yes)" 0
check_driver_result Succeeded Succeeded -
check "run 5: pgs_a dropped and migrated again, identical" compare_databases "$src_URI" "$tgt_URI" pgs_a

# ---------------------------------------------------------------------------
section "5. online: pgs_big canceled on its own while it copies"
create_database "$src_URI" pgs_big
q "$src_URI" pgs_big "CREATE TABLE big (id bigint PRIMARY KEY, pad text);
  INSERT INTO big SELECT g, repeat(md5(g::text), 4) FROM generate_series(1, 2000000) g" >/dev/null
PUBS_BIG=$(source_publications "$src_URI" pgs_big)
# big_result STATUS BIG_STATUS B_STATUS
big_result() {
    local got
    got=$(json_count "$ONLINE_OUT" "o.get('event') == 'driver_result' and o.get('status') == '$1' and o.get('databases') == {'pgs_big': '$2', 'pgs_b': '$3'}")
    if [[ $got == 1 ]]; then pass "result: $1 (pgs_big $2, pgs_b $3)"; else fail "result: not $1 (pgs_big $2, pgs_b $3)"; show_online_output; fi
}
driver_start run6 --mode online --databases pgs_big,pgs_b --overwrite
if wait_copying "$tgt_URI" pgs_big; then
    pass "run 6: pgs_big is copying"
    request "cancel pgs_big"
    wait_for_json "run 6: pgs_big Canceled" "$ONLINE_OUT" "$(json_db_status pgs_big Canceled)" 60 "$ONLINE_PID" || true
    wait_for_json "run 6: Waiting for cutover (pgs_b)" "$ONLINE_OUT" "$JSON_WAITING" 300 "$ONLINE_PID" || true
    check "run 6: no slot of pgs_big left on the source" test "$(slots_of pgs_big)" = 0
    check "run 6: pgs_big's publication gone" test "$(source_publications "$src_URI" pgs_big)" = "$PUBS_BIG"
    if database_exists "$tgt_URI" pgs_big; then fail "run 6: the canceled pgs_big is still on the target"; else pass "run 6: the canceled pgs_big was dropped on the target"; fi
    request "cutover"
    wait_exit "$ONLINE_PID" 180
    check_exit "run 6" 0
    big_result Succeeded Canceled Succeeded
    check "run 6: pgs_b identical" compare_databases "$src_URI" "$tgt_URI" pgs_b
    check_source_clean "run 6, pgs_b" "$src_URI" pgs_b "$PUBS_B"
    check_target_no_origin "run 6" "$tgt_URI"
else
    fail "run 6: pgs_big never started copying"
    show_online_output
    kill -TERM "$ONLINE_PID" 2>/dev/null || true
    wait_exit "$ONLINE_PID" 60
fi

section "6. offline: pgs_big canceled on its own while it copies"
driver_start run7 --mode offline --databases pgs_big,pgs_b --overwrite
if wait_copying "$tgt_URI" pgs_big; then
    pass "run 7: pgs_big is copying"
    request "cancel pgs_big"
    wait_exit "$ONLINE_PID" 180
    check_exit "run 7" 0
    big_result Succeeded Canceled Succeeded
    if database_exists "$tgt_URI" pgs_big; then fail "run 7: the canceled pgs_big is still on the target"; else pass "run 7: the canceled pgs_big was dropped on the target"; fi
    check "run 7: pgs_b identical" compare_databases "$src_URI" "$tgt_URI" pgs_b
else
    fail "run 7: pgs_big never started copying"
    show_online_output
    kill -TERM "$ONLINE_PID" 2>/dev/null || true
    wait_exit "$ONLINE_PID" 60
fi

section "7. online: per-database cutovers requested before the databases stream"
driver_start run8 --mode online --databases pgs_a,pgs_b --overwrite
request "cancel pgs_nosuch"
request "cutover pgs_a"
request "cutover pgs_b"
wait_exit "$ONLINE_PID" 300
check_exit "run 8" 0
check_driver_result Succeeded Succeeded Succeeded
check "run 8: the requests were accepted" test "$(json_count "$ONLINE_OUT" 'o.get("event") == "request" and o.get("accepted")')" = 2
check "run 8: each database cut over on its own" test "$(json_count "$ONLINE_OUT" 'o.get("event") == "phase" and o.get("message") == "cutting this database over on its own"')" = 2
check "run 8: pgs_a identical" compare_databases "$src_URI" "$tgt_URI" pgs_a
check "run 8: pgs_b identical" compare_databases "$src_URI" "$tgt_URI" pgs_b
check_source_clean "run 8, pgs_a" "$src_URI" pgs_a "$PUBS_A"
check_source_clean "run 8, pgs_b" "$src_URI" pgs_b "$PUBS_B"
check_target_no_origin "run 8" "$tgt_URI"
check "run 8: a cancel of an unknown database is refused" test "$(json_count "$ONLINE_OUT" 'o.get("event") == "request" and not o.get("accepted")')" = 1

finish
