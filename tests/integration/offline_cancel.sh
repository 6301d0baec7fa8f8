#!/usr/bin/env bash
# Canceling an offline migration: SIGINT (Ctrl-C) and SIGTERM while data is
# being copied must stop every worker, end with status Canceled and exit
# code 3, and leave no half-filled database on the target. A failure part-way
# (a target copy session terminated by an administrator, with
# --reconnect-timeout 0 so that it is not ridden through) ends Failed with
# exit 1 and an error naming the database, also leaving nothing behind.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
require_pgshuttle

section "clusters and a database big enough to interrupt"
start_cluster src
start_cluster tgt
create_database "$src_URI" pgs_cancel
q "$src_URI" pgs_cancel "CREATE TABLE big (id bigint PRIMARY KEY, pad text);
  INSERT INTO big SELECT g, repeat(md5(g::text), 4) FROM generate_series(1, 3000000) g;
  CREATE INDEX big_pad_idx ON big (pad)" >/dev/null

# migrate_and_signal SIGNAL OUTPUT_FORMAT: starts a migration, waits until it
# copies data, sends SIGNAL, and leaves the exit code in $rc, output in files.
migrate_and_signal() {
    local sig=$1 fmt=$2
    out=$TEST_TMP/cancel-$sig.out err=$TEST_TMP/cancel-$sig.err
    "$PGSHUTTLE_BIN" migrate --source "$src_URI" --target "$tgt_URI" --databases pgs_cancel \
        --type migrate --jobs 2 --index-jobs 2 --output "$fmt" >"$out" 2>"$err" &
    local pid=$! waited=0
    # Wait until rows are flowing into the target database.
    until [[ $(q "$tgt_URI" postgres "SELECT count(*) FROM pg_stat_activity WHERE datname = 'pgs_cancel' AND query LIKE 'COPY%'" 2>/dev/null) -gt 0 ]]; do
        sleep 0.1
        waited=$((waited + 1))
        if ((waited > 300)); then
            fail "the migration never started copying"
            break
        fi
    done
    local t0=$SECONDS
    kill -"$sig" "$pid"
    rc=0
    wait "$pid" || rc=$?
    stop_seconds=$((SECONDS - t0))
}

for sig in INT TERM; do
    section "SIG$sig while copying"
    migrate_and_signal "$sig" json
    if [[ $rc == 3 ]]; then pass "SIG$sig: exit code 3"; else fail "SIG$sig: exit code $rc, expected 3"; fi
    if ((stop_seconds <= 10)); then pass "SIG$sig: stopped within ${stop_seconds}s"; else fail "SIG$sig: took ${stop_seconds}s to stop"; fi
    assert_json_lines "$out"
    if tail -n 1 "$out" | grep -q '"event":"result","status":"Canceled"'; then
        pass "SIG$sig: the last JSON line is the result, status Canceled"
    else
        fail "SIG$sig: last line is not a Canceled result: $(tail -n 1 "$out")"
    fi
    if database_exists "$tgt_URI" pgs_cancel; then
        fail "SIG$sig: the half-filled database pgs_cancel is still on the target"
    else
        pass "SIG$sig: no half-filled database left on the target"
    fi
    n=$(q "$tgt_URI" postgres "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'pgshuttle'")
    if [[ $n == 0 ]]; then pass "SIG$sig: no pgshuttle session left on the target"; else fail "SIG$sig: $n pgshuttle sessions left"; fi
done

section "a failure part-way: a target copy session is terminated"
out=$TEST_TMP/fail.out err=$TEST_TMP/fail.err
"$PGSHUTTLE_BIN" migrate --source "$src_URI" --target "$tgt_URI" --databases pgs_cancel \
    --type migrate --jobs 2 --index-jobs 2 --reconnect-timeout 0 >"$out" 2>"$err" &
pid=$!
until [[ $(q "$tgt_URI" postgres "SELECT count(*) FROM pg_stat_activity WHERE datname = 'pgs_cancel' AND query LIKE 'COPY%'") -gt 0 ]]; do sleep 0.1; done
q "$tgt_URI" postgres "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = 'pgs_cancel' AND query LIKE 'COPY%'" >/dev/null
rc=0
wait "$pid" || rc=$?
if [[ $rc == 1 ]]; then pass "exit code 1 after a copy session was killed"; else fail "exit code $rc, expected 1"; fi
assert_contains "$err" "error in database pgs_cancel"
assert_contains "$err" "copying table public.big failed"
if database_exists "$tgt_URI" pgs_cancel; then
    fail "the failed database pgs_cancel is still on the target"
else
    pass "the failed database was dropped from the target"
fi

finish
