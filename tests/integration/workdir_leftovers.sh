#!/usr/bin/env bash
# A crash's leftovers: `pgshuttle migrate` killed with SIGKILL mid-copy leaves
# its work directory ($TMPDIR/pgshuttle-XXXXXX, holding schema.dump). The next
# run removes it, and says so, while it keeps the directory of a live run (a
# second pgshuttle, stopped with SIGSTOP mid-copy, which then finishes), a
# directory whose owner file names a live process, and a directory without an
# owner file. An online `--resume` removes leftovers too.
#
# The stopped run copies to a server of its own: a PostgreSQL 15 backend
# waiting in COPY FROM STDIN for a stopped client does not absorb the barrier
# that DROP DATABASE waits for, so on a shared target the next run's
# --overwrite would wait as long as the stopped run.
#
# Every run here has TMPDIR=$TEST_TMP/tmp: the test sees exactly its own
# directories, and never touches those of other runs on the machine.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
require_pgshuttle


WORK_TMP=$TEST_TMP/tmp
mkdir -m 700 "$WORK_TMP"

# The pgshuttle-XXXXXX directories in $WORK_TMP, one name a line, sorted.
workdirs() { find "$WORK_TMP" -mindepth 1 -maxdepth 1 -name 'pgshuttle-??????' -printf '%f\n' | sort; }

# wait_copying TARGET_URI DB: until a COPY into DB runs on that target (at most 60 s).
wait_copying() {
    local waited=0
    until [[ $(q "$1" postgres "SELECT count(*) FROM pg_stat_activity WHERE datname = '$2' AND query LIKE 'COPY%'" 2>/dev/null) -gt 0 ]]; do
        sleep 0.1
        waited=$((waited + 1))
        ((waited < 600)) || { fail "the migration of $2 never started copying"; return 1; }
    done
}

# start_migrate NAME TARGET_URI DB: pgshuttle migrate of DB in the background, TMPDIR=$WORK_TMP; pid in $bg_pid.
start_migrate() {
    local name=$1 target=$2 db=$3
    shift 3
    TMPDIR=$WORK_TMP "$PGSHUTTLE_BIN" migrate --source "$src_URI" --target "$target" --databases "$db" \
        --type migrate --jobs 2 --index-jobs 2 "$@" >"$TEST_TMP/$name.out" 2>"$TEST_TMP/$name.err" </dev/null &
    bg_pid=$!
    BG_PIDS+=("$bg_pid")
}

# fake_workdir NAME PID: a work directory whose owner file names process PID as it runs now.
fake_workdir() {
    local dir=$WORK_TMP/$1 pid=$2 stat rest
    mkdir -m 700 "$dir"
    stat=$(<"/proc/$pid/stat")
    rest=${stat##*) }   # fields 3.. (the name in field 2 may hold spaces)
    # shellcheck disable=SC2086
    set -- $rest
    printf 'pgshuttle work directory owner\npid=%s\nstart=%s\nboot=%s\npidns=%s\n' \
        "$pid" "${20}" "$(</proc/sys/kernel/random/boot_id)" "$(readlink "/proc/$pid/ns/pid")" \
        >"$dir/owner"
    echo dump >"$dir/schema.dump"
}

section "clusters and databases big enough to be caught mid-copy"
start_cluster src
start_cluster tgt
start_cluster tgt2
create_database "$src_URI" pgs_left
q "$src_URI" pgs_left "CREATE TABLE big (id bigint PRIMARY KEY, pad text);
  INSERT INTO big SELECT g, repeat(md5(g::text), 4) FROM generate_series(1, 1000000) g" >/dev/null
q "$src_URI" postgres "CREATE DATABASE pgs_live TEMPLATE pgs_left" >/dev/null

section "a live run, stopped mid-copy"
start_migrate live "$tgt2_URI" pgs_live
live_pid=$bg_pid
wait_copying "$tgt2_URI" pgs_live || true
kill -STOP "$live_pid"
live_dir=$(workdirs)
if [[ $(workdirs | wc -l) == 1 && -f $WORK_TMP/$live_dir/schema.dump ]]; then
    pass "the live run works in $live_dir"
else
    fail "the live run's work directory not found: $(workdirs | tr '\n' ' ')"
fi

section "kill -9 while copying leaves the work directory"
start_migrate crashed "$tgt_URI" pgs_left
crashed_pid=$bg_pid
wait_copying "$tgt_URI" pgs_left || true
leftover=$(comm -13 <(echo "$live_dir") <(workdirs))
kill -KILL "$crashed_pid"
wait "$crashed_pid" 2>/dev/null || true
if [[ $(wc -w <<<"$leftover") == 1 && -f $WORK_TMP/$leftover/schema.dump ]]; then
    pass "the killed run left $leftover with schema.dump"
else
    fail "expected one leftover work directory with schema.dump, found: $(workdirs | tr '\n' ' ')"
fi
if [[ -n $leftover && -f $WORK_TMP/$leftover/owner ]] && grep -qx "pid=$crashed_pid" "$WORK_TMP/$leftover/owner"; then
    pass "its owner file names the killed process"
else
    fail "no owner file naming pid $crashed_pid in the leftover"
    ls -la "$WORK_TMP"/* 2>&1 | sed 's/^/  | /'
fi
if [[ -f $WORK_TMP/$live_dir/schema.dump ]]; then
    pass "the killed run had kept the stopped run's work directory"
else
    fail "the killed run removed the stopped run's work directory"
fi

section "a directory owned by a live process, one without owner file"
sleep 600 &
sleeper=$!
BG_PIDS+=("$sleeper")
fake_workdir pgshuttle-LiveP1 "$sleeper"
mkdir -m 700 "$WORK_TMP/pgshuttle-NoOwnr"

section "the next run removes the leftover, and only it"
run_cmd env TMPDIR="$WORK_TMP" "$PGSHUTTLE_BIN" migrate --source "$src_URI" --target "$tgt_URI" \
    --databases pgs_left --type migrate --overwrite --jobs 2 --index-jobs 2
if [[ $LAST_EXIT == 0 ]]; then pass "the next run succeeded"; else fail "the next run: exit $LAST_EXIT"; show_output; fi
assert_contains "$LAST_OUTPUT" "removed the work directory $WORK_TMP/$leftover left by an earlier run"
if [[ -n $leftover && ! -e $WORK_TMP/$leftover ]]; then
    pass "the crashed run's work directory is gone"
else
    fail "the crashed run's work directory $leftover is still there"
fi
if [[ -n $live_dir && -f $WORK_TMP/$live_dir/schema.dump ]]; then
    pass "the live (stopped) run's work directory is kept"
else
    fail "the live run's work directory $live_dir was removed"
fi
if [[ -f $WORK_TMP/pgshuttle-LiveP1/owner ]]; then pass "a directory owned by a live process is kept"; else fail "a directory owned by a live process was removed"; fi
if [[ -d $WORK_TMP/pgshuttle-NoOwnr ]]; then pass "a directory without owner file is kept"; else fail "a directory without owner file was removed"; fi
n=$(grep -c "removed the work directory" "$LAST_OUTPUT" || true)
if [[ $n == 1 ]]; then pass "one info line, for the one leftover"; else fail "$n 'removed' lines, expected 1"; fi
if [[ $(workdirs | sort) == "$(printf '%s\n' "$live_dir" pgshuttle-LiveP1 pgshuttle-NoOwnr | sort)" ]]; then
    pass "the next run removed its own work directory at its end"
else
    fail "work directories after the next run: $(workdirs | tr '\n' ' ')"
fi

section "the stopped run goes on and finishes with its work directory"
kill -CONT "$live_pid"
rc=0
timeout 300 tail --pid="$live_pid" -f /dev/null || true
wait "$live_pid" || rc=$?
if [[ $rc == 0 ]]; then
    pass "the live run finished (exit 0)"
else
    fail "the live run: exit $rc"
    tail -n 20 "$TEST_TMP/live.err" | redact | sed 's/^/  | /'
fi
if [[ ! -e $WORK_TMP/$live_dir ]]; then pass "and removed its work directory"; else fail "its work directory $live_dir is still there"; fi

section "an online --resume removes leftovers too"
dead=$(sh -c 'echo $$')   # a process that has ended
mkdir -m 700 "$WORK_TMP/pgshuttle-Dead01"
printf 'pgshuttle work directory owner\npid=%s\nstart=1\nboot=%s\npidns=%s\n' "$dead" \
    "$(</proc/sys/kernel/random/boot_id)" "$(readlink /proc/self/ns/pid)" >"$WORK_TMP/pgshuttle-Dead01/owner"
# Nothing to resume: it fails (exit 1), after the clean-up.
run_cmd env TMPDIR="$WORK_TMP" "$PGSHUTTLE_BIN" migrate --source "$src_URI" --target "$tgt_URI" \
    --databases pgs_left --mode online --resume
if [[ $LAST_EXIT == 1 ]]; then pass "--resume with nothing to resume: exit 1"; else fail "--resume: exit $LAST_EXIT, expected 1"; show_output; fi
if [[ ! -e $WORK_TMP/pgshuttle-Dead01 ]]; then pass "--resume removed a dead run's work directory"; else fail "--resume left pgshuttle-Dead01"; fi
if [[ -d $WORK_TMP/pgshuttle-LiveP1 && -d $WORK_TMP/pgshuttle-NoOwnr ]]; then pass "--resume kept the others"; else fail "--resume removed a directory it cannot prove dead"; fi

finish
