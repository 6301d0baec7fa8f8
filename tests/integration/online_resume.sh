#!/usr/bin/env bash
# Online migration, PostgreSQL 15 -> 15: a crash and --resume, and canceling.
#   1. kill -9 while streaming: pgs_resume (fixture_small + the online tables)
#      migrates while the workload writes to keyed tables and to tables
#      without any unique constraint (online.append_log, online.nopk: a change
#      applied twice shows up as an extra row); after Waiting for cutover and
#      some applied changes pgshuttle is killed with SIGKILL.  The slot and
#      the publication stay on the source, the target database and the
#      replication origin on the target.  The same command with --resume
#      (the workload still writing) waits for cutover again and is killed
#      again; the workload goes on while nothing streams, then stops; the
#      same command with --resume --cutover auto continues from the applied
#      position: exit 0, Succeeded, identical (compare_databases, no
#      duplicate rows, verify), nothing left behind.  The runs have
#      --replica-identity-full: the tables without a key are FULL across the
#      crashes (the publication's comment keeps what to restore) and DEFAULT
#      again after the resumed run
#   2. --resume with nothing to resume (a database never migrated, and the
#      one just migrated): exit 1, a message about resuming, no slot created,
#      the migrated target database untouched
#   3. SIGTERM while copying (pgs_cancel, 2 million rows): exit 3 within
#      10 s, result Canceled, no slot or publication on the source, the target
#      database dropped, no origin on the target
#   4. SIGINT while waiting for cutover (pgs_wait, --replica-identity-full):
#      the same, and the tables without a key are DEFAULT again
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/online/lib.sh"
online_require

section "clusters and source databases"
start_cluster src
start_cluster tgt
create_roles "$tgt_URI" pgs_owner pgs_reader
online_load_db "$src_URI" pgs_resume "$FIXTURE_DIR/fixture_small.sql"
PUBS_RESUME=$(source_publications "$src_URI" pgs_resume)

migrate_args() {   # migrate_args DB [OPTION...]: the online migration of DB, JSON output
    MIGRATE=("$PGSHUTTLE_BIN" migrate --mode online --source "$src_URI" --target "$tgt_URI"
             --databases "$1" --jobs 2 --index-jobs 2 --output json "${@:2}")
}

# ---------------------------------------------------------------------------
section "1. kill -9 while streaming, then --resume"
migrate_args pgs_resume --replica-identity-full
workload_start main "$src_URI" pgs_resume
truncate_start trunc "$src_URI" pgs_resume
sleep 1
online_start run1 "${MIGRATE[@]}"
if ! wait_for_json "run 1: Waiting for cutover" "$ONLINE_OUT" "$JSON_WAITING" 300 "$ONLINE_PID"; then
    workload_stop trunc 10
    workload_stop main 10
    die "the first run never waited for cutover"
fi
# Let changes made after catching up be applied, then crash.
crash_while_streaming() {   # crash_while_streaming RUN
    sleep 2
    wait_for_json "$1: streaming events count applied changes" "$ONLINE_OUT" \
        'o.get("event") == "streaming" and (o.get("changes") or 0) > 0' 60 "$ONLINE_PID" || true
    sleep 1
    kill -KILL "$ONLINE_PID" 2>/dev/null || fail "$1: pgshuttle had ended before kill -9"
    wait "$ONLINE_PID" 2>/dev/null || true
    log "pgshuttle ($1) killed (SIGKILL) while streaming"
}
# kept_after_crash LABEL: slot, publication, target database, origin are kept.
kept_after_crash() {
    local n pubs
    n=$(slot_count "$src_URI")
    if ((n >= 1)); then pass "$1: the replication slot is still on the source ($n)"; else fail "$1: no replication slot on the source"; fi
    pubs=$(source_publications "$src_URI" pgs_resume)
    if [[ $pubs != "$PUBS_RESUME" ]]; then pass "$1: the publication is still on the source ($pubs)"; else fail "$1: no publication of pgshuttle's on the source"; fi
    check "$1: the target database is kept" database_exists "$tgt_URI" pgs_resume
    n=$(q "$tgt_URI" postgres "SELECT count(*) FROM pg_replication_origin")
    if ((n >= 1)); then pass "$1: the replication origin is kept on the target ($n)"; else fail "$1: no replication origin on the target"; fi
    check_nopk_identities "$1" "$src_URI" pgs_resume f
    n=$(q "$src_URI" pgs_resume "SELECT count(*) FROM pg_publication p WHERE obj_description(p.oid, 'pg_publication') ~ '^pgshuttle: replica identities to restore:( [0-9]+=[dn])+\$'")
    if ((n == 1)); then pass "$1: the publication's comment keeps the identities to restore"; else fail "$1: no publication comment with the identities to restore ($n)"; fi
}
crash_while_streaming "run 1"
run1_out=$ONLINE_OUT run1_err=$ONLINE_ERR
kept_after_crash "after kill -9 of run 1"
sleep 2    # writes while nothing streams

# Resume while the workload still writes, wait for cutover again, crash again.
online_start run2 "${MIGRATE[@]}" --resume
if wait_for_json "run 2 (--resume): Waiting for cutover" "$ONLINE_OUT" "$JSON_WAITING" 300 "$ONLINE_PID"; then
    crash_while_streaming "run 2"
    kept_after_crash "after kill -9 of run 2"
else
    kill -KILL "$ONLINE_PID" 2>/dev/null || true
fi
run2_out=$ONLINE_OUT run2_err=$ONLINE_ERR

# Writes while nothing streams, then the workload ends (--cutover auto would
# otherwise cut over while it still writes).
sleep 3
workload_stop trunc
workload_stop main
workload_check main 30
workload_check trunc 3

online_start run3 "${MIGRATE[@]}" --resume --cutover auto
wait_exit "$ONLINE_PID" 300
check_exit "--resume --cutover auto" 0
log "  resumed run took ${EXIT_SECONDS}s"
assert_json_lines "$ONLINE_OUT"
check_result "$ONLINE_OUT" Succeeded
no_secrets "$run1_out" "$run1_err" "$run2_out" "$run2_err" "$ONLINE_OUT" "$ONLINE_ERR"
check_source_clean "after the resumed run" "$src_URI" pgs_resume "$PUBS_RESUME"
check_target_no_origin "after the resumed run" "$tgt_URI"
check_nopk_identities "after the resumed run" "$src_URI" pgs_resume d

dups_sql="SELECT count(*) || ' rows, ' || count(DISTINCT (n, source)) || ' distinct' FROM online.append_log"
s=$(q "$src_URI" pgs_resume "$dups_sql")
t=$(q "$tgt_URI" pgs_resume "$dups_sql")
if [[ $s == "$t" ]]; then
    pass "online.append_log (no unique constraint): $t on both sides, no change applied twice"
else
    fail "online.append_log (no unique constraint): source $s, target $t"
fi
check "compare_databases pgs_resume: identical" compare_databases "$src_URI" "$tgt_URI" pgs_resume
assert_exit 0 "$PGSHUTTLE_BIN" verify --source "$src_URI" --target "$tgt_URI" --databases pgs_resume

# ---------------------------------------------------------------------------
section "2. --resume with nothing to resume"
create_database "$src_URI" pgs_fresh
q "$src_URI" pgs_fresh "CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t VALUES (1, 'one')" >/dev/null
migrate_args pgs_fresh
assert_exit 1 "${MIGRATE[@]}" --resume
assert_contains "$LAST_OUTPUT" "resume"
n=$(slot_count "$src_URI")
if ((n == 0)); then pass "--resume of a never-migrated database: no slot created"; else fail "--resume of a never-migrated database left $n slot(s)"; fi
if database_exists "$tgt_URI" pgs_fresh; then
    fail "--resume of a never-migrated database created it on the target"
else
    pass "--resume of a never-migrated database did not create it on the target"
fi

migrate_args pgs_resume
assert_exit 1 "${MIGRATE[@]}" --resume
assert_contains "$LAST_OUTPUT" "resume"
n=$(slot_count "$src_URI")
if ((n == 0)); then pass "--resume of a finished migration: no slot created"; else fail "--resume of a finished migration left $n slot(s)"; fi
check "--resume of a finished migration left its target database: identical" \
    compare_databases "$src_URI" "$tgt_URI" pgs_resume

# ---------------------------------------------------------------------------
# cancel_checks LABEL DB PUBS: exit 3 (EXIT_RC), Canceled, nothing left.
cancel_checks() {
    local label=$1 db=$2 pubs=$3 n
    check_exit "$label" 3
    if ((EXIT_SECONDS <= 10)); then pass "$label: stopped within ${EXIT_SECONDS}s"; else fail "$label: took ${EXIT_SECONDS}s to stop"; fi
    assert_json_lines "$ONLINE_OUT"
    check_result "$ONLINE_OUT" Canceled
    check_source_clean "$label" "$src_URI" "$db" "$pubs"
    if database_exists "$tgt_URI" "$db"; then
        fail "$label: the target database $db is still there"
    else
        pass "$label: the target database $db was dropped"
    fi
    check_target_no_origin "$label" "$tgt_URI"
    n=$(q "$src_URI" postgres "SELECT count(*) FROM pg_stat_replication")
    if ((n == 0)); then pass "$label: no walsender left on the source"; else fail "$label: $n walsender(s) left on the source"; fi
    no_secrets "$ONLINE_OUT" "$ONLINE_ERR"
}

section "3. SIGTERM while copying"
create_database "$src_URI" pgs_cancel
q "$src_URI" pgs_cancel "CREATE TABLE big (id bigint PRIMARY KEY, pad text);
  INSERT INTO big SELECT g, repeat(md5(g::text), 4) FROM generate_series(1, 2000000) g" >/dev/null
PUBS_CANCEL=$(source_publications "$src_URI" pgs_cancel)
migrate_args pgs_cancel
online_start cancel-term "${MIGRATE[@]}"
if wait_copying "$tgt_URI" pgs_cancel; then
    pass "SIGTERM: the migration is copying"
    kill -TERM "$ONLINE_PID"
    wait_exit "$ONLINE_PID" 60
    cancel_checks "SIGTERM while copying" pgs_cancel "$PUBS_CANCEL"
else
    fail "SIGTERM: the migration never started copying"
    show_online_output
    kill -TERM "$ONLINE_PID" 2>/dev/null || true
    wait_exit "$ONLINE_PID" 60
fi

section "4. SIGINT while waiting for cutover"
online_load_db "$src_URI" pgs_wait
PUBS_WAIT=$(source_publications "$src_URI" pgs_wait)
migrate_args pgs_wait --replica-identity-full
online_start cancel-int "${MIGRATE[@]}"
if wait_for_json "SIGINT: Waiting for cutover" "$ONLINE_OUT" "$JSON_WAITING" 300 "$ONLINE_PID"; then
    check_nopk_identities "SIGINT: while waiting for cutover" "$src_URI" pgs_wait f
    sleep 2
    kill -INT "$ONLINE_PID"
    wait_exit "$ONLINE_PID" 60
    cancel_checks "SIGINT while waiting for cutover" pgs_wait "$PUBS_WAIT"
    check_nopk_identities "SIGINT while waiting for cutover" "$src_URI" pgs_wait d
fi

finish
