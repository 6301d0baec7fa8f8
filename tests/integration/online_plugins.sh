#!/usr/bin/env bash
# Online migration with the test_decoding plugin and --cutover auto,
# PostgreSQL 15 -> 15, with the workload of online_workload.sh (same
# database: fixture_core + fixture_modern + tests/sql/online/schema.sql +
# pgbench -i -s 2), this time WITHOUT --replica-identity-full:
#   - the default type validate-and-migrate: the Replica identity check warns,
#     naming online.nopk; the migration goes on
#   - tables without a primary key are published for inserts only, so the
#     workload only inserts into them; an UPDATE and a DELETE on such a table
#     on the source must still work while the migration runs (were they
#     published for updates, PostgreSQL would refuse them)
#   - --cutover auto cuts over as soon as the target has caught up, so the
#     workload must be over by then: the test lets pgshuttle start copying,
#     pauses it (SIGSTOP) while the workload and pgbench -N -c 4 -T 10 go on,
#     stops the workload and resumes pgshuttle (SIGCONT), which then finishes
#     the copy, applies the backlog through test_decoding and cuts over by
#     itself
# Checks: exit 0, result Succeeded with changes applied, no slot or
# publication left on the source, no origin on the target, compare_databases
# identical, verify exit 0, no workload step failed.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/online/lib.sh"
online_require

DB=pgs_plugins

online_setup "$DB"

section "1. migrate --plugin test_decoding --cutover auto while the workload runs"
workload_start main "$src_URI" "$DB"
truncate_start trunc "$src_URI" "$DB"
sleep 1
online_start plugins "$PGSHUTTLE_BIN" migrate --mode online --source "$src_URI" --target "$tgt_URI" \
    --databases "$DB" --plugin test_decoding --cutover auto --jobs 2 --index-jobs 2 --output json
pgbench_start copy "$src_URI" "$DB" -n -N -c 4 -T 10

# Wait until rows flow into the target, then pause pgshuttle.
if wait_copying "$tgt_URI" "$DB"; then
    kill -STOP "$ONLINE_PID"
    pass "pgshuttle is copying; paused (SIGSTOP) while the workload goes on"
else
    workload_stop trunc 10
    workload_stop main 10
    show_online_output
    die "the migration never started copying into the target"
fi

check_slot_plugin "$src_URI" "$DB" test_decoding

# The publication exists now: tables without a primary key must still take
# UPDATE and DELETE on the source (statements that change no value).
if q "$src_URI" "$DB" "UPDATE online.nopk SET c = c WHERE a = 3; DELETE FROM online.nopk WHERE a = -1;
        UPDATE public.pgbench_history SET delta = delta WHERE tid = 1" >"$TEST_TMP/nopk-update.log" 2>&1; then
    pass "UPDATE and DELETE on tables without a primary key still work on the source during the migration"
else
    fail "UPDATE/DELETE on a table without a primary key fails on the source during the migration"
    redact <"$TEST_TMP/nopk-update.log" | sed 's/^/  | /'
fi

pgbench_wait copy
sleep 1
workload_stop trunc
workload_stop main
T_STOPPED=$(date +%s.%N)
workload_check main 50
workload_check trunc 5
n_paused=$(workload_count main ok "$ONLINE_STARTED" "$T_STOPPED")
log "  $n_paused workload steps since pgshuttle started"

section "2. resume pgshuttle: it catches up and cuts over by itself"
kill -CONT "$ONLINE_PID" 2>/dev/null || true
wait_exit "$ONLINE_PID" 300
check_exit "--cutover auto" 0
log "  finished ${EXIT_SECONDS}s after SIGCONT"
assert_json_lines "$ONLINE_OUT"
check_result "$ONLINE_OUT" Succeeded
if (($(json_count "$ONLINE_OUT" 'o.get("event") == "check" and o.get("status") == "Warning" and "online.nopk" in (o.get("message") or "")') > 0)); then
    pass "validation warned about the table without a primary key online.nopk"
else
    fail "no validation warning naming online.nopk"
    grep '"check"' "$ONLINE_OUT" | cut -c1-300 | redact | sed 's/^/  | /' | head -n 30
fi
if (($(json_count "$ONLINE_OUT" "o.get(\"event\") == \"result\" and any(d.get(\"name\") == \"$DB\" and (d.get(\"changes\") or 0) > 0 and (d.get(\"transactions\") or 0) > 0 for d in o.get(\"databases\", []))") > 0)); then
    pass "the result counts changes and transactions applied for $DB"
else
    fail "the result does not count changes applied for $DB: $(tail -n 1 "$ONLINE_OUT" | cut -c1-400 | redact)"
fi
if (($(json_count "$ONLINE_OUT" "$JSON_STREAMING") > 0)); then
    check_streaming_events "$ONLINE_OUT" "$DB"
else
    log "  (no streaming event: the backlog was applied within a second)"
fi
no_secrets "$ONLINE_OUT" "$ONLINE_ERR"

section "3. nothing left behind"
check_source_clean "after auto cutover" "$src_URI" "$DB" "$PUBS_BEFORE"
check_target_no_origin "after auto cutover" "$tgt_URI"

section "4. source and target identical"
COMPARE_IGNORE_COLUMN_ORDER=1 check "compare_databases $DB: identical" compare_databases "$src_URI" "$tgt_URI" "$DB"
assert_exit 0 "$PGSHUTTLE_BIN" verify --source "$src_URI" --target "$tgt_URI" --databases "$DB"

finish
