#!/usr/bin/env bash
# The service, online migrations: a real `pgshuttle serve`, two real
# clusters, pgbench and the DML workload writing to the source throughout.
#   1. an online migration of two databases through the CLI: create → watch
#      (returns when it waits for cutover) → per-database cutover of the
#      first (the second streams on) → Succeeded for that database, identical
#   2. kill -9 of the worker while streaming: another worker resumes the
#      stream from the applied position (no second worker, nothing applied
#      twice)
#   3. kill -9 of serve while streaming, then serve again: the live worker is
#      re-adopted (same pid, no second worker); cutover of the rest → the
#      migration Succeeded, identical (compare_databases and verify), no slot
#      or publication left on the source
#   4. /metrics with one migration finished and one streaming: the exposition
#      format read strictly (tests/integration/service/metrics_check.py, and
#      promtool when installed), docs/API.md's names and labels, the op
#      counters between the resource's before and after; then cancel while
#      streaming: Canceled, no slot or publication left on the source, the
#      target database dropped
#   5. no migration ever had two workers; no password anywhere
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/online/lib.sh"
. "$(dirname "$0")/service/lib.sh"
online_require
command -v curl >/dev/null || skip_test "curl is not installed"

section "clusters and source databases"
start_cluster src
start_cluster tgt
create_roles "$tgt_URI" pgs_owner pgs_reader pgs_only_on_source
online_load_db "$src_URI" pgs_on1 "$FIXTURE_DIR/fixture_small.sql"
online_load_db "$src_URI" pgs_on2
pgbench_init "$src_URI" pgs_on2 2
online_load_db "$src_URI" pgs_oncan
PUBS1=$(source_publications "$src_URI" pgs_on1)
PUBS2=$(source_publications "$src_URI" pgs_on2)
PUBS3=$(source_publications "$src_URI" pgs_oncan)

serve_start
workers_watch_start
OUTS=()
client() {   # client CODES ARGS...: pgshuttle ARGS exits with one of CODES (assert_exit)
    local codes=$1
    shift
    assert_exit "$codes" "$PGSHUTTLE_BIN" "$@"
    OUTS+=("$LAST_OUTPUT")
}
DB1='r["properties"]["currentStatus"]["currentSubStateDetails"]["dbDetails"]["pgs_on1"]'
DB2='r["properties"]["currentStatus"]["currentSubStateDetails"]["dbDetails"]["pgs_on2"]'
WAITING="$(PRED_STATE 'Waiting for user action') and $(PRED_SUB 'Waiting for cutover')"

# ---------------------------------------------------------------------------
section "1. two databases online, cutover of one"
workload_start w1 "$src_URI" pgs_on1
workload_start w2 "$src_URI" pgs_on2
pgbench_start p2 "$src_URI" pgs_on2 -N -c 2 -T 100000 -R 200
client 0 create on1 --source "$src_URI" --target "$tgt_URI" --databases pgs_on1,pgs_on2 --mode online \
    --jobs 2 --index-jobs 2
client 0 watch on1
wait_mig on1 "on1 waits for cutover" "$WAITING" 300
sleep 2
workload_stop w1
client 0 cutover on1 --databases pgs_on1
wait_mig on1 "pgs_on1 cut over on its own" "$DB1[\"status\"] == \"Succeeded\"" 180
check "pgs_on2 streams on (status $(json_eval "$MIG" "$DB2[\"status\"]") / $(json_eval "$MIG" "$DB2[\"migrationState\"]"))" \
    test "$(json_eval "$MIG" "$DB2[\"status\"] in ('In progress', 'Waiting for user action')")" = True
check "pgs_on1: source and target identical" compare_databases "$src_URI" "$tgt_URI" pgs_on1
check "pgs_on1: no replication slot of it left on the source" \
    test "$(q "$src_URI" postgres "SELECT count(*) FROM pg_replication_slots WHERE database = 'pgs_on1'")" = 0
check "pgs_on1: its publications as before (${PUBS1:-none})" test "$(source_publications "$src_URI" pgs_on1)" = "$PUBS1"

# ---------------------------------------------------------------------------
section "2. kill -9 of the worker while streaming"
old=$(worker_pids on1 | head -n 1)
check "on1 has a worker" test -n "$old"
sleep 2
kill -KILL "$old" 2>/dev/null || true
log "killed worker $old"
new=""
for ((i = 0; i < 600; i++)); do
    new=$(worker_pids on1 | head -n 1)
    [[ -n $new && $new != "$old" ]] && break
    sleep 0.1
done
check "on1: another worker took over ($new)" test -n "$new" -a "$new" != "$old"
wait_mig on1 "on1 streams again and waits for cutover" "$WAITING and $DB2[\"appliedChanges\"] > 0" 300

# ---------------------------------------------------------------------------
section "3. kill -9 of serve while streaming, then serve again"
worker=$(worker_pids on1 | head -n 1)
serve_kill
sleep 1
check "the worker lives on without serve" kill -0 "$worker"
serve_start
sleep 5
now=$(worker_pids on1 | tr '\n' ' ')
check "the restarted serve re-adopted worker $worker (workers now: $now)" test "$now" = "$worker "
assert_contains "$SERVE_ERR" "re-adopted"
sleep 2
workload_stop w2
kill -TERM "$PGBENCH_PID_p2" 2>/dev/null || true
wait_exit "$PGBENCH_PID_p2" 30
workload_check w2 10
api GET '/api/v1/migrations/on1/lag'
check "on1: lag samples (got $API_CODE)" test "$API_CODE" = 200 -a "$(json_eval "$API_BODY" 'len(r["value"]) > 0')" = True
api PATCH /api/v1/migrations/on1 '{"properties":{"triggerCutover":true}}'
check "on1: the cutover request is accepted: 202 (got $API_CODE)" test "$API_CODE" = 202
wait_mig on1 "on1 Succeeded" "$(PRED_STATE Succeeded) and $(PRED_SUB Completed)" 300
check "pgs_on2: source and target identical" compare_databases "$src_URI" "$tgt_URI" pgs_on2
assert_exit 0 "$PGSHUTTLE_BIN" verify --source "$src_URI" --target "$tgt_URI" --databases pgs_on1,pgs_on2
check_source_clean "on1" "$src_URI" pgs_on2 "$PUBS2"
check_target_no_origin "on1" "$tgt_URI"

# ---------------------------------------------------------------------------
section "4. cancel while streaming"
workload_start w3 "$src_URI" pgs_oncan
client 0 create can2 --source "$src_URI" --target "$tgt_URI" --databases pgs_oncan --mode online --jobs 2
wait_mig can2 "can2 waits for cutover" "$WAITING" 300
# /metrics of a real serve with a finished migration (on1) and a streaming one (can2)
DB_CAN2='r["properties"]["currentStatus"]["currentSubStateDetails"]["dbDetails"]["pgs_oncan"]'
# The op counters of can2 read before and after /metrics bound what /metrics says.
mig_get can2
cp "$MIG" "$TEST_TMP/can2.before.json"
METRICS=$TEST_TMP/metrics.txt
ctype=$(curl -sS -o "$METRICS" -w '%{content_type}' --max-time 30 \
    -H "Authorization: Bearer $(cat "$STATE_DIR/token")" "$SERVE_URL/metrics")
mig_get can2
cp "$MIG" "$TEST_TMP/can2.after.json"
check "/metrics: text/plain; version=0.0.4; charset=utf-8 (got $ctype)" \
    test "$ctype" = "text/plain; version=0.0.4; charset=utf-8"
CAN2='migration=can2,database=pgs_oncan'
metrics_args=("$METRICS" --secret "$src_PASSWORD" --secret "$tgt_PASSWORD"
    --sample pgshuttle_migration_state "migration=on1,state=Succeeded"
    --sample pgshuttle_migration_state "migration=can2,state=Waiting for user action"
    --sample pgshuttle_migration_info "migration=can2,mode=Online,option=ValidateAndMigrate"
    --sample pgshuttle_copy_bytes_total "migration=on1,database=pgs_on2"
    --sample pgshuttle_copy_tables "$CAN2,state=copied"
    --sample pgshuttle_cdc_lag_seconds "$CAN2" --sample pgshuttle_cdc_lag_bytes "$CAN2"
    --sample pgshuttle_worker_restarts_total "migration=on1")
for op in insert update delete; do
    metrics_args+=(--sample pgshuttle_cdc_changes_applied_total "$CAN2,op=$op"
        --value pgshuttle_cdc_changes_applied_total "$CAN2,op=$op")
done
if python3 "$(dirname "$0")/service/metrics_check.py" "${metrics_args[@]}" >"$TEST_TMP/metrics.check"; then
    pass "/metrics: the exposition format and docs/API.md's names and labels ($(tail -n 1 "$TEST_TMP/metrics.check"))"
else
    fail "/metrics: $(grep -c '^problem' "$TEST_TMP/metrics.check") problem(s)"
    grep '^problem' "$TEST_TMP/metrics.check" | head -n 20 | redact | sed 's/^/  | /'
fi
for op in insert update delete; do
    field=cdc${op^}Counter
    got=$(awk -v key="$CAN2,op=$op" '$1 == "value" && $3 == key { print $4 }' "$TEST_TMP/metrics.check")
    lo=$(json_eval "$TEST_TMP/can2.before.json" "$DB_CAN2[\"$field\"]")
    hi=$(json_eval "$TEST_TMP/can2.after.json" "$DB_CAN2[\"$field\"]")
    check "op=\"$op\": $lo <= $got <= $hi ($field before and after)" \
        python3 -c 'import sys; lo, v, hi = map(float, sys.argv[1:]); sys.exit(not lo <= v <= hi)' "$lo" "$got" "$hi"
done
if command -v promtool >/dev/null; then
    if promtool check metrics <"$METRICS" >"$TEST_TMP/promtool.out" 2>&1; then
        pass "promtool check metrics: no problem"
    else
        fail "promtool check metrics: $(head -c 300 "$TEST_TMP/promtool.out")"
    fi
else
    log "promtool is not installed (scripts/bootstrap --metrics installs it): the strict reader alone"
fi

api PATCH /api/v1/migrations/can2 '{"properties":{"cancel":true}}'
check "can2: the cancel request is accepted: 202 (got $API_CODE)" test "$API_CODE" = 202
wait_mig can2 "can2 Canceled" "$(PRED_STATE Canceled)" 120
workload_stop w3
check_source_clean "can2" "$src_URI" pgs_oncan "$PUBS3"
if database_exists "$tgt_URI" pgs_oncan; then fail "can2 left pgs_oncan on the target"; else pass "can2: the target database was dropped"; fi

# ---------------------------------------------------------------------------
section "5. no second worker, no password"
answers=()
for m in on1 can2; do
    api GET "/api/v1/migrations/$m"
    answers+=("$API_BODY")
    api GET "/api/v1/migrations/$m/events"
    answers+=("$API_BODY")
done
check_no_secret_in "API answers" "${answers[@]}" "$METRICS"
check_no_secret_in "worker logs" "$STATE_DIR"/logs/*.log
check_no_secret_in "client outputs" "${OUTS[@]}"
serve_stop
check "serve stopped cleanly (exit $SERVE_STOP_RC)" test "$SERVE_STOP_RC" = 0
check_no_secret_in "serve's output" "$TEST_TMP"/serve*.err
workers_watch_check
finish
