#!/usr/bin/env bash
# The time until ready for cutover (model/readiness.h) against what happens:
# an online migration through the service of one database (pgbench tables
# and a wide table, about 1.3 GB: a copy of some 10-40 s here; big tables
# split in 64 MB parts, so bytes copied grow in steps of 64 MB and "half the
# copy" is half of it) while pgbench writes to the
# source at a steady rate (-R).
#   1. while the copy runs the resource's readyForCutoverEtaSeconds
#      (properties.currentStatus) is a number, and the database's
#      incomingBytesPerSecond and backlogBytes grow from the slot's start
#   2. the prediction made when bytesCopied first reaches half of bytesTotal,
#      against the seconds from then until the migration waits for cutover
#      (every database caught up): actual / predicted within
#      [RATIO_MIN, RATIO_MAX], or apart by no more than the measurement's
#      resolution (RESOLUTION seconds) when both are a few seconds; both figures and the ratio are printed, with
#      the copy rate and the apply rate measured (their quotient is what
#      READINESS_APPLY_PER_COPY_BYTE estimates)
#   3. while streaming, lagTrendBytesPerSecond and applyBytesPerSecond are
#      reported
#   4. cutover through the API: Succeeded, and pgshuttle verify finds source
#      and target identical
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/online/lib.sh"
. "$(dirname "$0")/service/lib.sh"
online_require
command -v curl >/dev/null || skip_test "curl is not installed"

DB=pgs_ready
SCALE=${PGS_READY_SCALE:-80}       # pgbench: ~13 MB of pgbench_accounts per unit
WIDE_ROWS=${PGS_READY_WIDE:-300000} # ~200 MB of wide rows
RATE=${PGS_READY_TPS:-300}         # pgbench transactions per second on the source
JOBS=${PGS_READY_JOBS:-1}
RATIO_MIN=0.33
RATIO_MAX=3
RESOLUTION=4 # seconds

section "clusters and the source database"
start_cluster src
start_cluster tgt
create_database "$src_URI" "$DB"
pgbench_init "$src_URI" "$DB" "$SCALE"
q "$src_URI" "$DB" "CREATE TABLE wide (id bigint PRIMARY KEY, a text, b text, c int)
    WITH (toast_tuple_target = 8160);
    INSERT INTO wide SELECT g, repeat(md5(g::text), 10), repeat(md5((g * 7)::text), 10), g % 1000
    FROM generate_series(1, $WIDE_ROWS) g; ANALYZE" >/dev/null
log "source: $(q "$src_URI" "$DB" "SELECT pg_size_pretty(sum(pg_table_size(c.oid))) FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'r' AND n.nspname = 'public'") of tables"

serve_start
pgbench_start load "$src_URI" "$DB" -n -c 2 -T 100000 -R "$RATE"
sleep 2

section "1-3. the prediction during the copy, and what happened"
assert_exit 0 "$PGSHUTTLE_BIN" create rd --source "$src_URI" --target "$tgt_URI" --databases "$DB" \
    --mode online --jobs "$JOBS" --index-jobs 1 --split-tables-larger-than 64MB
SUMMARY=$TEST_TMP/readiness.json
# One poller in python: the resource twice a second until the migration waits for cutover.
python3 - "$SERVE_URL" "$(cat "$STATE_DIR/token")" "$DB" 300 >"$SUMMARY" <<'EOF'
import json, sys, time, urllib.request
url, token, db, limit = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
out = {"samples": 0, "copy_nonnull": 0, "copy_null": 0, "trend_seen": None, "apply_seen": 0,
       "backlog_max": 0, "incoming_max": 0, "copy_rate": 0, "apply_peak": 0}
start = time.time()
while time.time() - start < limit:
    req = urllib.request.Request(url + "/api/v1/migrations/rd",
                                 headers={"Authorization": "Bearer " + token})
    try:
        r = json.load(urllib.request.urlopen(req, timeout=10))
    except Exception as e:
        time.sleep(0.5)
        continue
    now = time.time()
    cs = r["properties"]["currentStatus"]
    d = cs["currentSubStateDetails"]["dbDetails"][db]
    out["samples"] += 1
    state, sub = cs["state"], cs["currentSubStateDetails"]["currentSubState"]
    if state in ("Failed", "Canceled", "Succeeded"):
        out["ended"] = state
        out["error"] = cs.get("error")
        break
    copying = d["startedOn"] is not None and not d["streaming"] and d["bytesTotal"] > 0
    if copying:
        if d["bytesCopied"] < d["bytesTotal"]:
            out["copy_nonnull" if cs["readyForCutoverEtaSeconds"] is not None else "copy_null"] += 1
        out["backlog_max"] = max(out["backlog_max"], d["backlogBytes"] or 0)
        out["incoming_max"] = max(out["incoming_max"], d["incomingBytesPerSecond"] or 0)
        if d["bytesPerSecond"] > 0:
            out["copy_rate"] = d["bytesPerSecond"]
        if "t50" not in out and d["bytesCopied"] * 2 >= d["bytesTotal"]:
            out["t50"] = now
            out["predicted"] = cs["readyForCutoverEtaSeconds"]
            out["db_predicted"] = d["readyForCutoverEtaSeconds"]
            out["at50"] = {k: d[k] for k in ("bytesCopied", "bytesTotal", "bytesPerSecond",
                                             "incomingBytesPerSecond", "backlogBytes",
                                             "indexesBuilt", "indexesTotal")}
    if d["streaming"]:
        if d["lagTrendBytesPerSecond"] is not None:
            out["trend_seen"] = d["lagTrendBytesPerSecond"]
        if d["applyBytesPerSecond"]:
            out["apply_seen"] += 1
            out["apply_peak"] = max(out["apply_peak"], d["applyBytesPerSecond"])
    if state == "Waiting for user action" and sub == "Waiting for cutover":
        out["t_ready"] = now
        out["final"] = {k: d[k] for k in ("readyForCutoverEtaSeconds", "lagTrendBytesPerSecond",
                                          "applyBytesPerSecond", "incomingBytesPerSecond",
                                          "backlogBytes", "lagBytes", "cdcUpdateCounter")}
        out["final_eta"] = cs["readyForCutoverEtaSeconds"]
        break
    time.sleep(0.5)
if "t50" in out and "t_ready" in out:
    out["actual"] = out["t_ready"] - out["t50"]
print(json.dumps(out))
EOF
log "poller: $(cat "$SUMMARY")"
j() { json_eval "$SUMMARY" "$1"; }
[[ -z $(j 'r.get("ended") or ""') ]] || die "the migration ended while waiting: $(j 'r.get("ended")') $(j 'r.get("error")' | redact)"
check "the migration waited for cutover" test -n "$(j 'r.get("t_ready", "")')"
check "readyForCutoverEtaSeconds was a number during the copy ($(j 'r["copy_nonnull"]') answers, $(j 'r["copy_null"]') null)" \
    test "$(j 'r["copy_nonnull"] > 0 and r["copy_nonnull"] >= 3 * r["copy_null"]')" = True
check "incomingBytesPerSecond ($(j 'r["incoming_max"]')) and backlogBytes ($(j 'r["backlog_max"]')) measured during the copy" \
    test "$(j 'r["incoming_max"] > 0 and r["backlog_max"] > 0')" = True
check "lagTrendBytesPerSecond reported while streaming ($(j 'r["trend_seen"]')) and applyBytesPerSecond ($(j 'r["apply_seen"]') answers)" \
    test "$(j 'r["trend_seen"] is not None and r["apply_seen"] > 0')" = True
check "once waiting for cutover the prediction is 0 (got $(j 'r.get("final_eta")'))" test "$(j 'r.get("final_eta")')" = 0
predicted=$(j 'r.get("predicted")')
actual=$(j '"%.1f" % r["actual"] if "actual" in r else ""')
if [[ -n $predicted && $predicted != None && -n $actual ]]; then
    ratio=$(python3 -c "print('%.2f' % ($actual / max($predicted, 1)))")
    log "READINESS: at 50% of the copy predicted ${predicted}s, actual ${actual}s, actual/predicted $ratio (allowed $RATIO_MIN-$RATIO_MAX)"
    log "READINESS: copy rate $(j 'r["copy_rate"]') B/s, apply rate measured while catching up $(j 'r["apply_peak"]') B/s, apply/copy $(j '"%.3f" % (r["apply_peak"] / r["copy_rate"]) if r["copy_rate"] else "?"'); at 50%: $(j 'r["at50"]')"
    # The factor, or within the measurement's own resolution when the times
    # are a few seconds (a fast machine copies this data in under 10 s): the
    # observer measures once a second, a database is caught up after a full
    # round, the state is written every second and polled twice a second.
    check "actual / predicted = $ratio within $RATIO_MIN-$RATIO_MAX, or |actual - predicted| <= ${RESOLUTION}s" \
        python3 -c "import sys; a, p = $actual, $predicted; sys.exit(0 if $RATIO_MIN <= a / max(p, 1) <= $RATIO_MAX or abs(a - p) <= $RESOLUTION else 1)"
else
    fail "no prediction at 50% of the copy (predicted '$predicted', actual '$actual')"
fi

section "4. cutover and verify"
kill -TERM "$PGBENCH_PID_load" 2>/dev/null || true
wait_exit "$PGBENCH_PID_load" 30
api PATCH /api/v1/migrations/rd '{"properties":{"triggerCutover":true}}'
check "the cutover request is accepted: 202 (got $API_CODE)" test "$API_CODE" = 202
wait_mig rd "rd Succeeded" "$(PRED_STATE Succeeded)" 180
check "once ended the migration's prediction is null" \
    test "$(json_eval "$MIG" 'r["properties"]["currentStatus"]["readyForCutoverEtaSeconds"] is None')" = True
assert_exit 0 "$PGSHUTTLE_BIN" verify --source "$src_URI" --target "$tgt_URI" --databases "$DB"
check_no_secret_in "the worker's log" "$STATE_DIR"/logs/*.log
serve_stop
finish
