#!/usr/bin/env bash
# Online migration under a concurrent workload, PostgreSQL 15 -> 15:
#   - source database pgs_online: fixture_core + fixture_modern, the online
#     tables (tests/sql/online/schema.sql: keyed, identity ALWAYS, generated
#     columns, TOASTed text/bytea/jsonb, range partitions, tables without a
#     primary key, odd identifiers) and pgbench -i -s 2
#   - the workload (tests/sql/online/workload_step.sql in a loop) runs before,
#     during the copy and while streaming: inserts, updates leaving TOASTed
#     values unchanged, updates of primary keys, rows moving between
#     partitions, deletes, rolled-back transactions and savepoints,
#     multi-statement transactions, big transactions, every type of
#     app.all_types, rows rewritten by triggers on the source, updates and
#     deletes of tables without a primary key (one of several identical rows,
#     rows with NULLs); a second loop TRUNCATEs two tables RESTART IDENTITY
#     (truncate_step.sql); pgbench -N -c 4 -T 10 during the copy and
#     pgbench -N -c 4 -T 5 while streaming
#   1. migrate --mode online --replica-identity-full --output json: status
#      In progress / Migrating data, per-database status lines, then
#      Waiting for user action / Waiting for cutover (the migration's status,
#      no "database"); the source's tables without a primary key are
#      REPLICA IDENTITY FULL meanwhile; the workload goes on 5 s more, stops
#      meanwhile the walsender is terminated: the stream starts again
#   2. SIGUSR1: exit 0, the last line {"event":"result","status":"Succeeded"};
#      streaming events with lag_bytes, lag_seconds, changes > 0,
#      transactions, applied_lsn, source_lsn; no workload step failed (a
#      failure would mean the migration got in the application's way)
#   3. no replication slot and no publication of pgshuttle's left on the
#      source, no replication origin on the target; the tables set to
#      REPLICA IDENTITY FULL have their DEFAULT identity back
#   4. compare_databases (schema, catalog, data, sequences) identical, the
#      sequences the workload moved equal on both sides, verify exit 0
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/online/lib.sh"
online_require

DB=pgs_online

online_setup "$DB"
SEQS="online.ident_always_id_seq online.kv_v_seq online.trunc_ident_id_seq online.trunc_kv_v_seq app.audit_log_id_seq"
SEQS_BEFORE=$(for s in $SEQS; do q "$src_URI" "$DB" "SELECT last_value FROM $s"; done | tr '\n' ' ')

section "1. online migration while the workload runs"
workload_start main "$src_URI" "$DB" nopk_updates
truncate_start trunc "$src_URI" "$DB"
sleep 1
online_start online "$PGSHUTTLE_BIN" migrate --mode online --source "$src_URI" --target "$tgt_URI" \
    --databases "$DB" --replica-identity-full --jobs 2 --index-jobs 2 --output json
pgbench_start copy "$src_URI" "$DB" -n -N -c 4 -T 10
if ! wait_for_json "status Waiting for user action / Waiting for cutover" "$ONLINE_OUT" "$JSON_WAITING" 300 "$ONLINE_PID"; then
    workload_stop trunc 10
    workload_stop main 10
    die "the migration never waited for cutover"
fi
T_WAITING=$(date +%s.%N)
if (($(json_count "$ONLINE_OUT" 'o.get("event") == "status" and o.get("status") == "In progress" and o.get("substatus") == "Migrating data"') > 0)); then
    pass "status In progress / Migrating data was reported"
else
    fail "no status line In progress / Migrating data"
fi
if (($(json_count "$ONLINE_OUT" "o.get(\"event\") == \"status\" and o.get(\"database\") == \"$DB\"") > 0)); then
    pass "per-database status lines carry \"database\": \"$DB\""
else
    fail "no status line for database $DB"
fi
check_slot_plugin "$src_URI" "$DB" pgoutput "the default"
nopk_ident=$(q "$src_URI" "$DB" "SELECT string_agg(c.oid::regclass || '=' || c.relreplident::text, ' ' ORDER BY c.oid::regclass::text)
    FROM pg_class c WHERE c.oid IN ('online.nopk'::regclass, 'online.nopk_toast'::regclass, 'online.append_log'::regclass, 'public.pgbench_history'::regclass)")
if [[ $nopk_ident == "online.append_log=f online.nopk=f online.nopk_toast=f pgbench_history=f" ]]; then
    pass "--replica-identity-full: the source tables without a primary key are REPLICA IDENTITY FULL while streaming"
else
    fail "--replica-identity-full: replica identities on the source while streaming: $nopk_ident"
fi

pgbench_wait copy
pgbench_start streaming "$src_URI" "$DB" -n -N -c 4 -T 5
sleep 2
# The source ends the stream under load (as a restarted walsender or a network
# blip would): pgshuttle starts it again from the applied position.
killed=$(q "$src_URI" postgres "SELECT count(pg_terminate_backend(active_pid)) FROM pg_replication_slots WHERE database = '$DB' AND active")
if [[ $killed == 1 ]]; then
    pass "terminated the walsender of the stream while pgbench writes"
else
    fail "expected one active walsender for $DB, terminated $killed"
fi
pgbench_wait streaming
workload_stop trunc
workload_stop main
T_STOPPED=$(date +%s.%N)
n_before=$(workload_count main ok "$ONLINE_STARTED" "$T_WAITING")
n_after=$(workload_count main ok "$T_WAITING" "$T_STOPPED")
if ((n_before > 0 && n_after > 0)); then
    pass "workload steps while copying/catching up ($n_before) and while waiting for cutover ($n_after)"
else
    fail "workload steps while copying/catching up: $n_before, while waiting for cutover: $n_after (both must be > 0)"
fi
workload_check main 50
workload_check trunc 5
sleep 3   # a few streaming events after the last write

section "2. cutover (SIGUSR1)"
if kill -0 "$ONLINE_PID" 2>/dev/null; then
    pass "pgshuttle still streaming after the workload stopped"
else
    fail "pgshuttle ended before the cutover signal"
fi
kill -USR1 "$ONLINE_PID" 2>/dev/null || true
wait_exit "$ONLINE_PID" 180
check_exit "cutover" 0
log "  cutover took ${EXIT_SECONDS}s"
assert_json_lines "$ONLINE_OUT"
check_result "$ONLINE_OUT" Succeeded
check_streaming_events "$ONLINE_OUT" "$DB"
assert_contains "$ONLINE_ERR" "starting it again from the applied position" "the broken stream was started again"
no_secrets "$ONLINE_OUT" "$ONLINE_ERR"

section "3. nothing left behind"
check_source_clean "after cutover" "$src_URI" "$DB" "$PUBS_BEFORE"
check_target_no_origin "after cutover" "$tgt_URI"
check_nopk_identities "after cutover (--replica-identity-full is undone)" "$src_URI" "$DB" d
ident=$(q "$src_URI" "$DB" "SELECT relreplident FROM pg_class WHERE oid = 'public.pgbench_history'::regclass")
if [[ $ident == d ]]; then
    pass "after cutover: pgbench_history has replica identity DEFAULT again"
else
    fail "after cutover: pgbench_history has replica identity $ident"
fi

section "4. source and target identical"
seqs_src=$(for s in $SEQS; do q "$src_URI" "$DB" "SELECT last_value || '/' || is_called FROM $s"; done | tr '\n' ' ')
seqs_tgt=$(for s in $SEQS; do q "$tgt_URI" "$DB" "SELECT last_value || '/' || is_called FROM $s"; done | tr '\n' ' ')
seqs_now=$(for s in $SEQS; do q "$src_URI" "$DB" "SELECT last_value FROM $s"; done | tr '\n' ' ')
if [[ $seqs_src == "$seqs_tgt" && $seqs_now != "$SEQS_BEFORE" ]]; then
    pass "sequences moved by the workload are equal on the target ($SEQS: $seqs_tgt)"
else
    fail "sequences ($SEQS): source $seqs_src, target $seqs_tgt (before the workload: $SEQS_BEFORE)"
fi
COMPARE_IGNORE_COLUMN_ORDER=1 check "compare_databases $DB: identical" compare_databases "$src_URI" "$tgt_URI" "$DB"
assert_exit 0 "$PGSHUTTLE_BIN" verify --source "$src_URI" --target "$tgt_URI" --databases "$DB"
no_secrets "$LAST_OUTPUT"

finish
