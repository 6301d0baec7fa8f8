#!/usr/bin/env bash
# Online migration, PostgreSQL 15 -> 15: server restarts during the copy and
# during the cutover (issue 13, items 3 and 4). pgs_phases holds the online
# tables under the DML workload plus online.big (1.5M rows, several seconds
# of COPY), a materialized view over it and one that takes 3 s to refresh
# (pg_sleep), so the cutover's REFRESH can be hit.
#   1. The source restarted (fast) while online.big is being copied: the
#      snapshot is gone, so the database's copy starts over by itself (new
#      slot, new target database), says so, and streams; then the source
#      restarted again right after the cutover was asked for (its position
#      and sequences come from the restarted source); exit 0, Succeeded,
#      verify identical, no slot, publication or origin left.
#   2. The target crash-restarted during the copy
#      of online.big, then restarted (fast) while the cutover refreshes the
#      materialized view: the copy goes on or starts over, the cutover
#      completes once the target is back; verify identical, nothing left.
#   0. Offline, the source restarted during the copy of online.big: the copy
#      starts over from a new snapshot; Succeeded, verify identical.
# Each case prints how long the migration paused and what was done again.
# PGS_PLUGIN (pgoutput by default; online_restarts_phases_test_decoding.sh
# sets test_decoding, and leaves case 0 out) picks the plugin.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/online/lib.sh"
online_require

section "clusters and source database"
start_cluster src
start_cluster tgt
create_roles "$tgt_URI" pgs_owner pgs_reader
DB=pgs_phases
online_load_db "$src_URI" "$DB" "$FIXTURE_DIR/fixture_small.sql"
q "$src_URI" "$DB" "CREATE TABLE online.big AS SELECT g AS id, md5(g::text) AS a, g % 1000 AS b FROM generate_series(1, 1500000) g;
    ALTER TABLE online.big ADD PRIMARY KEY (id);
    CREATE INDEX ON online.big (b);
    CREATE MATERIALIZED VIEW online.big_mv AS SELECT b, count(*) AS n, max(a) AS a FROM online.big GROUP BY b;
    CREATE MATERIALIZED VIEW online.slow_mv AS SELECT 1 AS x FROM pg_sleep(3);" >/dev/null
log "online.big: 1.5M rows; online.big_mv over it; online.slow_mv takes 3 s to refresh"
PUBS_BEFORE=$(source_publications "$src_URI" "$DB")

migrate_args() {   # migrate_args [OPTION...]
    MIGRATE=("$PGSHUTTLE_BIN" migrate --mode online --source "$src_URI" --target "$tgt_URI"
             --databases "$DB" --overwrite --jobs 2 --index-jobs 2 --output json --reconnect-timeout 2min "$@")
}

# json_time PRED: the time (epoch seconds) of the last JSON event with PRED.
json_time() {
    python3 - "$ONLINE_OUT" "$1" <<'PY'
import datetime, json, sys
last = None
for line in open(sys.argv[1], encoding='utf-8', errors='replace'):
    try:
        o = json.loads(line)
    except ValueError:
        continue
    if isinstance(o, dict) and eval(sys.argv[2], {}, {'o': o}):
        last = datetime.datetime.fromisoformat(o['time'].replace('Z', '+00:00')).timestamp()
if last is not None:
    print('%.1f' % last)
PY
}

FIGURES=()

# outages: the outage lengths the log reports ("is back after 1.2s"), comma-separated.
outages() {
    grep -o "is back after [0-9.]*s" "$ONLINE_ERR" | awk '{print $4}' | paste -sd, - || true
}

finish_case() {   # finish_case LABEL: exit 0, Succeeded, verify, nothing left
    wait_exit "$ONLINE_PID" 300
    check_exit "$1: the cutover completed" 0
    assert_json_lines "$ONLINE_OUT"
    check_result "$ONLINE_OUT" Succeeded
    no_secrets "$ONLINE_OUT" "$ONLINE_ERR"
    assert_exit 0 "$PGSHUTTLE_BIN" verify --source "$src_URI" --target "$tgt_URI" --databases "$DB"
    check_source_clean "$1" "$src_URI" "$DB" "$PUBS_BEFORE"
    check_target_no_origin "$1" "$tgt_URI"
}

# ---------------------------------------------------------------------------
PLUGIN=${PGS_PLUGIN:-pgoutput}
log "plugin: $PLUGIN"
offline_case() {   # 0. offline (the plugin plays no part: run once, with pgoutput)
    section "0. offline: the source restarted during the copy"
    online_start run0 "$PGSHUTTLE_BIN" migrate --source "$src_URI" --target "$tgt_URI" --databases "$DB" \
        --overwrite --jobs 2 --index-jobs 2 --output json --reconnect-timeout 2min
    if wait_copying "$src_URI" "$DB" 'COPY%online.big%TO STDOUT%'; then
        sleep 0.3
        t0=$(date +%s.%N)
        restart_cluster src
        log "source restarted during the offline copy of online.big"
        wait_exit "$ONLINE_PID" 300
        check_exit "offline: the copy started over and completed" 0
        check_result "$ONLINE_OUT" Succeeded
        assert_contains "$ONLINE_ERR" "copying the database again from the start (attempt 2 of 3)" "the log says the copy starts over"
        assert_exit 0 "$PGSHUTTLE_BIN" verify --source "$src_URI" --target "$tgt_URI" --databases "$DB"
        t1=$(json_time 'o.get("event") == "table" and o.get("object") == "online.big"')
        FIGURES+=("offline, source restart during the copy: the copy started over; online.big copied again ${t1:+$(python3 -c "print('%.1f' % ($t1 - $t0))")}s after the restart")
    else
        fail "the offline copy of online.big was never seen on the source"
        show_online_output
    fi
}
if [[ $PLUGIN == pgoutput ]]; then offline_case; fi


# ---------------------------------------------------------------------------
section "1. the source restarted during the copy, and again at the cutover"
migrate_args --plugin "$PLUGIN"
workload_start w1 "$src_URI" "$DB"
online_start run1 "${MIGRATE[@]}"
if wait_copying "$src_URI" "$DB" 'COPY%online.big%TO STDOUT%'; then
    sleep 0.3
    t0=$(date +%s.%N)
    restart_cluster src
    log "source restarted during the copy of online.big"
    if wait_for_json "the copy starts over" "$ONLINE_OUT" \
        'o.get("event") == "phase" and "copying again from the start (attempt 2 of 3)" in (o.get("message") or "")' 120 "$ONLINE_PID"; then
        assert_contains "$ONLINE_ERR" "the source's snapshot is gone" "the log says why the copy starts over"
    fi
    if wait_for_json "run 1: Waiting for cutover" "$ONLINE_OUT" "$JSON_WAITING" 300 "$ONLINE_PID"; then
        t1=$(json_time 'o.get("event") == "table" and o.get("object") == "online.big"')
        FIGURES+=("source restart during the copy: the copy started over; online.big copied again ${t1:+$(python3 -c "print('%.1f' % ($t1 - $t0))")}s after the restart")
        sleep 2
        kill -USR1 "$ONLINE_PID"
        restart_cluster src
        log "source restarted right after the cutover was asked for"
        t2=$(date +%s)
        workload_stop w1 30
        finish_case "source restarts"
        FIGURES+=("source restart at the cutover: the cutover completed $(($(date +%s) - t2))s after the restart; outages in run 1: $(outages)")
        grep -E "lost the source|is back after|copying the database again" "$ONLINE_ERR" | cut -c1-240 | redact | sed 's/^/  | /' || true
    fi
else
    fail "the copy of online.big was never seen on the source"
    show_online_output
fi
workload_stop w1 30

# ---------------------------------------------------------------------------
section "2. the target crash-restarted during the copy, restarted at the cutover"
migrate_args --plugin "$PLUGIN"
workload_start w2 "$src_URI" "$DB"
online_start run2 "${MIGRATE[@]}"
if wait_copying "$tgt_URI" "$DB" 'COPY%online.big%FROM STDIN%'; then
    sleep 1
    t0=$(date +%s)
    crash_cluster tgt
    log "target crash-restarted during the copy of online.big"
    if wait_for_json "run 2: Waiting for cutover" "$ONLINE_OUT" "$JSON_WAITING" 300 "$ONLINE_PID"; then
        if grep -q "copying the database again" "$ONLINE_ERR"; then
            FIGURES+=("target crash restart during the copy: the database's copy started over")
        else
            FIGURES+=("target crash restart during the copy: $(grep -c "retrying" "$ONLINE_ERR" || true) item(s) retried")
        fi
        workload_stop w2 30
        sleep 2
        kill -USR1 "$ONLINE_PID"
        if wait_for_json "the cutover refreshes the materialized view" "$ONLINE_OUT" \
            'o.get("event") == "phase" and "refreshing" in (o.get("message") or "")' 120 "$ONLINE_PID"; then
            sleep 1
            t2=$(date +%s)
            restart_cluster tgt
            log "target restarted while the cutover refreshed the materialized view"
            finish_case "target restarts"
            FIGURES+=("target restart at the cutover: completed $(($(date +%s) - t2))s after the restart; outages in run 2: $(outages)")
            assert_contains "$ONLINE_ERR" "completing it again once it is back" "the cutover says it completes again"
        fi
    fi
else
    fail "the copy of online.big was never seen on the target"
    show_online_output
fi
workload_stop w2 30
grep -E "lost the target|is back after|retrying|copying the database again|completing it again" "$ONLINE_ERR" | cut -c1-240 | redact | sed 's/^/  | /' || true

section "figures"
for f in "${FIGURES[@]}"; do
    log "  $f"
done
finish
