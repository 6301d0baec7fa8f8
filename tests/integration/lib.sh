# shellcheck shell=bash
# Helpers for pgshuttle's integration tests.  Source it from a test script:
#
#   #!/usr/bin/env bash
#   set -euo pipefail
#   . "$(dirname "$0")/lib.sh"
#   start_cluster src
#   start_cluster tgt --version 17
#   load_fixture "$src_URI" pgs_fixture "$FIXTURE_DIR/fixture_core.sql"
#   assert_exit 0 "$PGSHUTTLE_BIN" migrate --source "$src_URI" ...
#   check "databases identical" compare_databases "$src_URI" "$tgt_URI" pgs_fixture
#   finish
#
# Every check prints PASS/FAIL; `finish` prints "N passed, N failed" and exits
# 0 only if nothing failed.  The assert_* helpers record a failure and return
# 0 (so `set -e` scripts go on); assert_exit sets LAST_ASSERT_OK=1/0.  Clusters live in a mktemp directory and are
# destroyed by an EXIT trap, also when the script fails or is interrupted
# (PGS_KEEP_TMP=1 keeps the directory with the cluster logs, clusters are
# always stopped).
#
# Environment:
#   PGSHUTTLE_BIN     pgshuttle binary (default: build/pgshuttle in the repo)
#   PG_CLIENT_BINDIR  where psql/pg_dump/pg_restore are (default: Debian's 15)
#   PGS_CMD_TIMEOUT   seconds before a command run by assert_exit is killed (900)
#   PGS_KEEP_TMP      1: keep the temporary directory
#   COMPARE_IGNORE_REGEX  extended regex: schema/inventory lines that match are
#                     left out of compare_databases (data lines never are)
#   COMPARE_IGNORE_COLUMN_ORDER  1: compare_databases does not compare column
#                     positions (pg_dump itself does not keep the column order
#                     of inheritance children, see compare_selftest.sh)

PGS_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PGS_TESTDIR=$PGS_ROOT/tests/integration
FIXTURE_DIR=$PGS_ROOT/tests/sql
PG_CLUSTER=$PGS_ROOT/scripts/pg-cluster
PGSHUTTLE_BIN=${PGSHUTTLE_BIN:-$PGS_ROOT/build/pgshuttle}
PG_CLIENT_BINDIR=${PG_CLIENT_BINDIR:-/usr/lib/postgresql/15/bin}
PSQL=$PG_CLIENT_BINDIR/psql
PG_DUMP=$PG_CLIENT_BINDIR/pg_dump
PG_RESTORE=$PG_CLIENT_BINDIR/pg_restore
PGS_CMD_TIMEOUT=${PGS_CMD_TIMEOUT:-900}
SKIP_CODE=77

# libpq settings of the caller must not leak into the tests.
unset PGHOST PGHOSTADDR PGPORT PGUSER PGPASSWORD PGDATABASE PGSERVICE PGSERVICEFILE PGPASSFILE \
      PGOPTIONS PGSSLMODE PGCONNECT_TIMEOUT PGTZ PGDATESTYLE PGCLIENTENCODING PGAPPNAME 2>/dev/null || true
export PGCONNECT_TIMEOUT=10
export LC_ALL=C.UTF-8
# Nothing may stop at a pager (psql pages even one line on a small terminal):
# every psql runs with -P pager=off, anything else gets cat.
export PAGER=cat PSQL_PAGER=cat

TEST_NAME=${TEST_NAME:-$(basename "${BASH_SOURCE[1]:-$0}" .sh)}
TEST_TMP=$(mktemp -d "/tmp/pgs-${TEST_NAME}.XXXXXX")
PGS_CLUSTERS=()      # cluster dirs to destroy at exit
PGS_SECRETS=()       # strings never to print (cluster passwords)
PASS_COUNT=0
FAIL_COUNT=0
FAILED_CHECKS=()
CMD_SEQ=0
LAST_STDOUT=""       # files written by assert_exit / run_cmd
LAST_STDERR=""
LAST_OUTPUT=""       # stdout followed by stderr
LAST_EXIT=""
LAST_ASSERT_OK=""

# ---------------------------------------------------------------------------
# Output

log() { printf '%s\n' "$*"; }
section() { printf '\n=== %s\n' "$*"; }

# Print stdin with every registered secret replaced by ***.
redact() {
    local line secret
    while IFS= read -r line || [[ -n $line ]]; do
        for secret in "${PGS_SECRETS[@]}"; do
            [[ -n $secret ]] && line=${line//"$secret"/***}
        done
        printf '%s\n' "$line"
    done
}

pass() {
    PASS_COUNT=$((PASS_COUNT + 1))
    printf 'PASS: %s\n' "$*"
}

fail() {
    FAIL_COUNT=$((FAIL_COUNT + 1))
    FAILED_CHECKS+=("$*")
    printf 'FAIL: %s\n' "$*"
}

# check DESCRIPTION CMD...: run CMD; pass if it exits 0.
check() {
    local desc=$1
    shift
    if "$@"; then pass "$desc"; else fail "$desc"; fi
}

# Abort the test (counts as a failure; cleanup still runs).
die() {
    fail "$*"
    finish
}

skip_test() {
    printf 'SKIP: %s\n' "$*"
    exit "$SKIP_CODE"
}

PGS_FINISHED=0
finish() {
    PGS_FINISHED=1
    printf '\n'
    if ((FAIL_COUNT > 0)); then
        printf 'Failed checks:\n'
        printf '  - %s\n' "${FAILED_CHECKS[@]}"
    fi
    printf '%s: %d passed, %d failed\n' "$TEST_NAME" "$PASS_COUNT" "$FAIL_COUNT"
    if ((FAIL_COUNT > 0 || PASS_COUNT == 0)); then exit 1; fi
    exit 0
}

require_pgshuttle() {
    [[ -x $PGSHUTTLE_BIN ]] || skip_test "pgshuttle binary not found at $PGSHUTTLE_BIN (set PGSHUTTLE_BIN)"
}

# ---------------------------------------------------------------------------
# Cleanup

# Background processes a test started (BG_PIDS+=($!)) end at exit, before the
# clusters go; so do the commands a test adds to PGS_AT_EXIT (function names).
BG_PIDS=()
PGS_AT_EXIT=()

# stop_background: end every process in BG_PIDS (a stopped one too) and forget them.
stop_background() {
    local p
    for p in "${BG_PIDS[@]}"; do
        kill -CONT "$p" 2>/dev/null || true
        kill -KILL "$p" 2>/dev/null || true
        wait "$p" 2>/dev/null || true
    done
    BG_PIDS=()
}

pgs_cleanup() {
    local rc=$? dir hook
    trap - EXIT INT TERM
    for hook in "${PGS_AT_EXIT[@]}"; do
        "$hook" || true
    done
    stop_background
    if [[ $PGS_FINISHED != 1 && $rc != "$SKIP_CODE" ]]; then
        # aborted by set -e, a signal or an unexpected error
        ((rc != 0)) || rc=1
        printf '\nABORTED (exit %s)\n' "$rc"
        printf '%s: %d passed, %d failed\n' "$TEST_NAME" "$PASS_COUNT" "$((FAIL_COUNT + 1))"
    fi
    for dir in "${PGS_CLUSTERS[@]}"; do
        if [[ ${PGS_KEEP_TMP:-0} == 1 ]]; then
            "$PG_CLUSTER" stop "$dir" >/dev/null 2>&1 || true
        else
            "$PG_CLUSTER" destroy "$dir" >/dev/null 2>&1 || true
        fi
    done
    if [[ ${PGS_KEEP_TMP:-0} == 1 ]]; then
        printf 'kept %s\n' "$TEST_TMP"
    else
        rm -rf -- "$TEST_TMP"
    fi
    exit "$rc"
}
trap pgs_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------------------
# Clusters

# start_cluster NAME [pg-cluster start options...]
# Starts a cluster in $TEST_TMP/NAME and sets NAME_URI, NAME_PORT,
# NAME_PASSWORD, NAME_VERSION, NAME_DIR, NAME_BINDIR.
start_cluster() {
    local name=$1 out var
    shift
    [[ $name =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || { echo "bad cluster name $name" >&2; return 1; }
    [[ -x $PG_CLUSTER ]] || die "scripts/pg-cluster not found at $PG_CLUSTER"
    PGS_CLUSTERS+=("$TEST_TMP/$name")
    if ! out=$("$PG_CLUSTER" start "$TEST_TMP/$name" "$@" 2>"$TEST_TMP/$name.pg-cluster.log"); then
        redact <"$TEST_TMP/$name.pg-cluster.log" >&2
        die "could not start cluster $name ($*)"
    fi
    local PGC_DIR PGC_HOST PGC_PORT PGC_USER PGC_PASSWORD PGC_VERSION PGC_BINDIR PGC_URI
    eval "$out"
    PGS_SECRETS+=("$PGC_PASSWORD")
    for var in URI PORT PASSWORD VERSION DIR BINDIR; do
        local v="PGC_$var"
        printf -v "${name}_$var" '%s' "${!v}"
    done
    log "cluster $name: PostgreSQL $PGC_VERSION on 127.0.0.1:$PGC_PORT"
}

# start_pair FROM TO: for a test between server majors, the section
# "PostgreSQL FROM -> TO" and two clusters, srcFROM (PostgreSQL FROM) and
# tgtTO (PostgreSQL TO): their names in PAIR_SRC and PAIR_TGT, their URIs in
# suri and turi, their passwords in spw and tpw. stop_pair destroys both.
start_pair() {
    local v
    PAIR_SRC=src$1 PAIR_TGT=tgt$2
    section "PostgreSQL $1 -> $2"
    start_cluster "$PAIR_SRC" --version "$1"
    start_cluster "$PAIR_TGT" --version "$2"
    v=${PAIR_SRC}_URI suri=${!v}
    v=${PAIR_TGT}_URI turi=${!v}
    v=${PAIR_SRC}_PASSWORD spw=${!v}
    v=${PAIR_TGT}_PASSWORD tpw=${!v}
}

stop_pair() {
    "$PG_CLUSTER" destroy "$TEST_TMP/$PAIR_SRC" >/dev/null 2>&1
    "$PG_CLUSTER" destroy "$TEST_TMP/$PAIR_TGT" >/dev/null 2>&1
}

# The URI with the database replaced by DB (percent-encoded).
uri_db() {
    python3 - "$1" "$2" <<'EOF'
import sys, urllib.parse
uri, db = sys.argv[1], sys.argv[2]
base, sep, query = uri.partition('?')
scheme, rest = base.split('://', 1)
hostpart = rest.split('/', 1)[0]
print(f"{scheme}://{hostpart}/{urllib.parse.quote(db, safe='')}{sep}{query}")
EOF
}

# psql_db URI DB [psql args...]: psql on database DB, quiet, stop on error.
psql_db() {
    local uri=$1 db=$2
    shift 2
    "$PSQL" -X -P pager=off -q -v ON_ERROR_STOP=1 -d "$(uri_db "$uri" "$db")" "$@"
}

# q URI DB SQL: print the result of one query, unaligned, no headers.
q() {
    psql_db "$1" "$2" -At -c "$3"
}

server_major() {
    q "$1" postgres "SELECT current_setting('server_version_num')::int / 10000"
}

client_major() {
    "$1" --version | sed -n 's/.*(PostgreSQL) \([0-9]*\).*/\1/p'
}

# create_database URI DB: CREATE DATABASE with any name.
create_database() {
    printf 'CREATE DATABASE :"db";\n' | psql_db "$1" postgres -v db="$2"
}

drop_database() {
    printf 'DROP DATABASE IF EXISTS :"db";\n' | psql_db "$1" postgres -v db="$2"
}

database_exists() {
    local n
    n=$(printf "SELECT count(*) FROM pg_database WHERE datname = :'db';\n" | psql_db "$1" postgres -At -v db="$2")
    [[ $n == 1 ]]
}

# create_roles URI ROLE...: create NOLOGIN roles that do not exist yet.
create_roles() {
    local uri=$1 role
    shift
    for role in "$@"; do
        printf "SELECT format('CREATE ROLE %%I NOLOGIN', :'r') WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'r')\n\\\\gexec\n" \
            | psql_db "$uri" postgres -v r="$role"
    done
}

# load_fixture URI DB FILE...: create DB and load the files with ON_ERROR_STOP.
load_fixture() {
    local uri=$1 db=$2 f start
    shift 2
    start=$(date +%s.%N)
    create_database "$uri" "$db" || die "cannot create database $db"
    for f in "$@"; do
        if ! psql_db "$uri" "$db" -o /dev/null -f "$f" 2>"$TEST_TMP/load.err"; then
            redact <"$TEST_TMP/load.err" >&2
            die "loading $(basename "$f") into $db failed"
        fi
        # notices are fine, errors are not
        if grep -q 'ERROR' "$TEST_TMP/load.err"; then
            redact <"$TEST_TMP/load.err" >&2
            die "loading $(basename "$f") into $db printed errors"
        fi
    done
    log "loaded $(printf '%s ' "${@##*/}")into \"$db\" in $(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }') s"
}

# ---------------------------------------------------------------------------
# Running commands

# run_cmd CMD...: run CMD (killed after PGS_CMD_TIMEOUT s) with stdout and
# stderr in files; sets LAST_STDOUT, LAST_STDERR, LAST_OUTPUT, LAST_EXIT.
run_cmd() {
    CMD_SEQ=$((CMD_SEQ + 1))
    LAST_STDOUT=$TEST_TMP/cmd$CMD_SEQ.out
    LAST_STDERR=$TEST_TMP/cmd$CMD_SEQ.err
    LAST_OUTPUT=$TEST_TMP/cmd$CMD_SEQ.all
    printf '$ %s\n' "$(printf '%q ' "$@")" | redact
    local start=$SECONDS
    set +e
    timeout --kill-after=10 "$PGS_CMD_TIMEOUT" "$@" </dev/null >"$LAST_STDOUT" 2>"$LAST_STDERR"
    LAST_EXIT=$?
    set -e
    cat "$LAST_STDOUT" "$LAST_STDERR" >"$LAST_OUTPUT"
    printf '  -> exit %s after %ss\n' "$LAST_EXIT" "$((SECONDS - start))"
    if ((LAST_EXIT == 124 || LAST_EXIT == 137)); then
        printf '  (killed after the %ss timeout)\n' "$PGS_CMD_TIMEOUT"
    fi
}

show_output() {
    local n=${1:-40}
    printf '  --- stdout (last %s lines)\n' "$n"
    tail -n "$n" "$LAST_STDOUT" | redact | sed 's/^/  | /'
    printf '  --- stderr (last %s lines)\n' "$n"
    tail -n "$n" "$LAST_STDERR" | redact | sed 's/^/  | /'
}

# assert_exit CODES CMD...: run CMD, pass if its exit code is in CODES
# (a comma-separated list such as 0 or 1,2; "nonzero" means anything but 0).
assert_exit() {
    local codes=$1 ok=0 c
    shift
    run_cmd "$@"
    if [[ $codes == nonzero ]]; then
        [[ $LAST_EXIT != 0 ]] && ok=1
    else
        for c in ${codes//,/ }; do
            [[ $LAST_EXIT == "$c" ]] && ok=1
        done
    fi
    LAST_ASSERT_OK=$ok
    if ((ok)); then
        pass "exit code $LAST_EXIT (expected $codes): $(basename "$1") ${2:-}"
        return 0
    fi
    fail "exit code $LAST_EXIT, expected $codes: $(basename "$1") ${2:-}"
    show_output
    return 0
}

# assert_contains FILE TEXT: FILE contains TEXT (fixed string, case-insensitive).
assert_contains() {
    if grep -qiF -- "$2" "$1"; then
        pass "output contains '$2'"
    else
        fail "output does not contain '$2' ($(basename "$1"))"
        tail -n 20 "$1" | redact | sed 's/^/  | /'
    fi
    return 0
}

# assert_contains_any FILE TEXT...: FILE contains at least one of the TEXTs.
assert_contains_any() {
    local file=$1 t
    shift
    for t in "$@"; do
        if grep -qiF -- "$t" "$file"; then
            pass "output contains '$t'"
            return 0
        fi
    done
    fail "output contains none of: $(printf "'%s' " "$@")"
    tail -n 20 "$file" | redact | sed 's/^/  | /'
    return 0
}

# assert_not_contains FILE TEXT DESCRIPTION: FILE does not contain TEXT.
assert_not_contains() {
    if grep -qF -- "$2" "$1"; then
        fail "${3:-output contains forbidden text}"
    else
        pass "${3:-output does not contain the forbidden text}"
    fi
    return 0
}

# assert_json_lines FILE [any]: every non-empty line parses as a JSON object
# and the last one is {"event":"result",...} (with "any": any JSON object).
assert_json_lines() {
    local want_result=1 what="last is a result event"
    if [[ ${2:-} == any ]]; then want_result=0 what="one JSON object per line"; fi
    if WANT_RESULT=$want_result python3 - "$1" <<'EOF'; then
import json, os, sys
path = sys.argv[1]
lines = [l for l in open(path, encoding='utf-8', errors='replace').read().split('\n') if l.strip()]
bad = 0
for i, l in enumerate(lines, 1):
    try:
        obj = json.loads(l)
        if not isinstance(obj, dict):
            raise ValueError('not an object')
    except Exception as e:
        bad += 1
        if bad <= 5:
            print(f'  line {i} is not a JSON object ({e}): {l[:200]}')
if not lines:
    print('  no output at all'); sys.exit(1)
if bad:
    print(f'  {bad} of {len(lines)} lines are not JSON objects'); sys.exit(1)
last = json.loads(lines[-1])
if os.environ.get('WANT_RESULT') == '1' and last.get('event') != 'result':
    print(f'  last line is not a result event: {lines[-1][:200]}'); sys.exit(1)
print(f'  {len(lines)} JSON lines, result: {lines[-1][:300]}')
EOF
        pass "JSON output: every line parses, $what"
    else
        fail "JSON output is not well formed ($(basename "$1"))"
    fi
    return 0
}

# ---------------------------------------------------------------------------
# Independent comparison of two databases (does not use pgshuttle)

# Normalise a pg_dump --schema-only output on stdin: drop comments, blank
# lines, SET / set_config / \restrict lines and lines matching
# COMPARE_IGNORE_REGEX, then sort whole statements (pg_dump's order of
# objects with equal sort keys follows their OIDs, which differ after a copy),
# and sort the column lines of CREATE TABLE (column order is compared by the
# catalog inventory, not here).
# With CROSS_VERSION=1, also undo known deparse differences between server
# majors (procedures' arguments print with IN from 14 on).
normalize_dump() {
    python3 -c '
import os, re, sys
ignore = os.environ.get("COMPARE_IGNORE_REGEX") or None
cross = os.environ.get("CROSS_VERSION") == "1"
noise = re.compile(r"^(--|SET |SELECT pg_catalog\.set_config\(|\\restrict |\\unrestrict |\s*$)")
stmts, cur = [], []
for line in sys.stdin.read().split("\n"):
    if noise.match(line) or (ignore and re.search(ignore, line)):
        continue
    if cross and "PROCEDURE" in line:
        line = re.sub(r"([(,] ?)IN ", r"\1", line)
    if line.startswith("\\"):          # psql meta-command: a statement of its own
        stmts.append(line)
        continue
    cur.append(line)
    if line.rstrip().endswith(";"):
        if re.match(r"CREATE (UNLOGGED |FOREIGN )?TABLE .*\($", cur[0]):
            end = next((i for i in range(len(cur) - 1, 0, -1) if cur[i].startswith(")")), len(cur))
            cur = [cur[0]] + sorted(l.rstrip(",") for l in cur[1:end]) + cur[end:]
        stmts.append("\n".join(cur)); cur = []
if cur:
    stmts.append("\n".join(cur))
for st in sorted(stmts):
    print(st)
'
}

# show_diff LABEL FILE_SRC FILE_TGT: print the lines that differ; 0 if none.
show_diff() {
    local label=$1 a=$2 b=$3 n
    if cmp -s "$a" "$b"; then
        return 0
    fi
    n=$(diff "$a" "$b" | grep -c '^[<>]' || true)
    printf '  %s: %s differing lines (first 60):\n' "$label" "$n"
    diff --unchanged-line-format='' --old-line-format='    source: %L' --new-line-format='    target: %L' "$a" "$b" \
        | cut -c1-400 | head -n 60 | redact || true
    return 1
}

# diff_data DIR SQL SRC_URI SRC_DB TGT_URI TGT_DB: the data step of
# compare_databases: SQL (compare_data.sql, or a variant of it) run on both
# sides, sorted into DIR and diffed. Returns 0 identical, 1 different, 2 a
# query failed.
diff_data() {
    local dir=$1 sql=$2 side uri d
    for side in src tgt; do
        if [[ $side == src ]]; then uri=$3 d=$4; else uri=$5 d=$6; fi
        if ! psql_db "$uri" "$d" -f "$sql" >"$dir/$side.data.raw" 2>"$dir/$side.data.err"; then
            redact <"$dir/$side.data.err"
            return 2
        fi
        LC_ALL=C sort "$dir/$side.data.raw" >"$dir/$side.data"
    done
    show_diff "data" "$dir/src.data" "$dir/tgt.data" || return 1
    printf '  data: identical (%s tables, %s sequences, %s large objects)\n' \
        "$(grep -c '^table ' "$dir/src.data" || true)" "$(grep -c '^sequence ' "$dir/src.data" || true)" \
        "$(grep -c '^largeobject ' "$dir/src.data" || true)"
}

# compare_databases SRC_URI TGT_URI DB
# 1. schema: pg_dump --schema-only --create of both, normalised and diffed
#    (only if this pg_dump is at least as new as both servers);
# 2. catalog inventory (compare_inventory.sql) of both, diffed;
# 3. data: per table row count + checksum, sequences, large objects
#    (compare_data.sql), diffed.
# Prints each difference; returns 0 only if the databases are identical.
compare_databases() {
    local src=$1 tgt=$2 db=$3 tdb=$3
    local dir smaj tmaj dmaj minmaj rc=0 start=$SECONDS
    dir=$(mktemp -d "$TEST_TMP/compare.XXXXXX")
    smaj=$(server_major "$src") || { echo "  cannot connect to the source" >&2; return 2; }
    tmaj=$(server_major "$tgt") || { echo "  cannot connect to the target" >&2; return 2; }
    dmaj=$(client_major "$PG_DUMP")
    minmaj=$((smaj < tmaj ? smaj : tmaj))
    printf 'compare_databases "%s": source %s, target %s\n' "$db" "$smaj" "$tmaj"
    database_exists "$tgt" "$tdb" || { printf '  database "%s" does not exist on the target\n' "$tdb"; return 1; }

    # 1. schema
    if ((dmaj >= smaj && dmaj >= tmaj)); then
        "$PG_DUMP" --schema-only --create -d "$(uri_db "$src" "$db")" >"$dir/src.dump" 2>"$dir/src.dump.err" \
            || { redact <"$dir/src.dump.err"; return 2; }
        "$PG_DUMP" --schema-only --create -d "$(uri_db "$tgt" "$tdb")" >"$dir/tgt.dump" 2>"$dir/tgt.dump.err" \
            || { redact <"$dir/tgt.dump.err"; return 2; }
        local cross=0
        [[ $smaj == "$tmaj" ]] || cross=1
        CROSS_VERSION=$cross normalize_dump <"$dir/src.dump" >"$dir/src.schema"
        CROSS_VERSION=$cross normalize_dump <"$dir/tgt.dump" >"$dir/tgt.schema"
        if show_diff "schema (pg_dump --schema-only)" "$dir/src.schema" "$dir/tgt.schema"; then
            printf '  schema: identical (%s lines of pg_dump)\n' "$(wc -l <"$dir/src.schema")"
        else
            rc=1
        fi
    else
        printf '  schema compare skipped: pg_dump %s older than server %s\n' "$dmaj" "$((smaj > tmaj ? smaj : tmaj))"
    fi

    # 2. catalog inventory
    local side uri d maj
    for side in src tgt; do
        if [[ $side == src ]]; then uri=$src d=$db maj=$smaj; else uri=$tgt d=$tdb maj=$tmaj; fi
        if ! psql_db "$uri" "$d" -v side_major="$maj" -v min_major="$minmaj" \
                -v same_major="$([[ $smaj == "$tmaj" ]] && echo t || echo f)" \
                -v column_order="$([[ ${COMPARE_IGNORE_COLUMN_ORDER:-0} == 1 ]] && echo f || echo t)" \
                -f "$PGS_TESTDIR/compare_inventory.sql" >"$dir/$side.inv.raw" 2>"$dir/$side.inv.err"; then
            redact <"$dir/$side.inv.err"
            return 2
        fi
        if [[ -n ${COMPARE_IGNORE_REGEX:-} ]]; then
            grep -v -E -- "$COMPARE_IGNORE_REGEX" "$dir/$side.inv.raw" | LC_ALL=C sort >"$dir/$side.inv" || true
        else
            LC_ALL=C sort "$dir/$side.inv.raw" >"$dir/$side.inv"
        fi
    done
    if show_diff "catalog inventory" "$dir/src.inv" "$dir/tgt.inv"; then
        printf '  catalog: identical (%s objects)\n' "$(wc -l <"$dir/src.inv")"
    else
        rc=1
    fi

    # 3. data
    diff_data "$dir" "$PGS_TESTDIR/compare_data.sql" "$src" "$db" "$tgt" "$tdb" \
        || case $? in 2) return 2 ;; *) rc=1 ;; esac
    printf '  compare took %ss: %s\n' "$((SECONDS - start))" "$([[ $rc == 0 ]] && echo identical || echo DIFFERENT)"
    return "$rc"
}

# copy_database_with_pg_dump SRC_URI TGT_URI DB: pg_dump -Fc | pg_restore --create
# (the database is created by pg_restore, with its comment, settings and grants).
copy_database_with_pg_dump() {
    local suri=$1 turi=$2 db=$3
    "$PG_DUMP" -Fc -d "$(uri_db "$suri" "$db")" 2>"$TEST_TMP/pg_dump.err" \
        | "$PG_RESTORE" --exit-on-error --create -d "$(uri_db "$turi" postgres)" 2>"$TEST_TMP/pg_restore.err"
    local rcs=("${PIPESTATUS[@]}")
    if [[ ${rcs[0]} != 0 || ${rcs[1]} != 0 ]]; then
        redact <"$TEST_TMP/pg_dump.err"
        redact <"$TEST_TMP/pg_restore.err"
        return 1
    fi
}
