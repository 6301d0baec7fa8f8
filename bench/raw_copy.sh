#!/usr/bin/env bash
# bench/raw_copy.sh -- the raw COPY floor for bench/offline.sh.
#
# Times, on the same two-cluster setup and data set as bench/offline.sh:
#   read_binary   psql -c "COPY pgbench_accounts TO STDOUT (FORMAT binary)" > /dev/null
#   read_text     the same in text format
#   pipe_binary   COPY ... TO STDOUT (FORMAT binary) | psql (target) -c "COPY ... FROM STDIN (FORMAT binary)"
#                 into an empty pgbench_accounts (no indexes) in database rawcopy on the target
#   pipe_text     the same in text format
# Those are what a single table stream costs with one connection on each
# side and no index builds: pgshuttle cannot move pgbench_accounts faster
# than pipe_binary with one worker, and compares its per-table time to it.
#
# Every run starts with the target table dropped and recreated, CHECKPOINT on
# both servers and sync.  CPU used by other processes during each run is
# logged (see "Noise" in bench/README.md).  Results: a table on stdout and JSON lines in
# bench/results/raw_copy-STAMP.json.
#
# Usage: bench/raw_copy.sh [--runs N] [--scale N] [--table NAME] [--only M[,M...]]
#                          [--source-dir DIR --target-dir DIR] [--keep] [--set NAME=VALUE]...
set -euo pipefail

# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
    cat <<EOF
Usage: bench/raw_copy.sh [OPTIONS]

  --runs N              runs per measurement (default 3)
  --scale N             pgbench scale when the data set must be built (default 50)
  --table NAME          table to copy (default pgbench_accounts)
  --only M[,M...]       read_binary, read_text, pipe_binary, pipe_text (default all)
  --source-dir DIR      reuse this pg-cluster directory as the source (e.g. one
  --target-dir DIR      kept by bench/offline.sh --keep) and this one as target
  --rebuild             rebuild the data set even if the source has it
  --set NAME=VALUE      extra server setting for both new clusters (repeatable)
  --keep                do not destroy the clusters at the end; print their env
  -h, --help            this help
EOF
}

RUNS=3 SCALE=50 TABLE=pgbench_accounts KEEP=0 REBUILD=0
ONLY='' SOURCE_DIR='' TARGET_DIR=''
EXTRA_SETS=()
while [[ $# -gt 0 ]]; do
    case $1 in
        --runs) RUNS=$2; shift 2 ;;
        --scale) SCALE=$2; shift 2 ;;
        --table) TABLE=$2; shift 2 ;;
        --only) ONLY=$2; shift 2 ;;
        --source-dir) SOURCE_DIR=$2; shift 2 ;;
        --target-dir) TARGET_DIR=$2; shift 2 ;;
        --rebuild) REBUILD=1; shift ;;
        --set) EXTRA_SETS+=("$2"); shift 2 ;;
        --keep) KEEP=1; shift ;;
        -h|--help) usage; exit 0 ;;
        *) usage >&2; die "unknown option: $1" ;;
    esac
done
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "--runs wants a positive number"
[[ $SCALE =~ ^[1-9][0-9]*$ ]] || die "--scale wants a positive number"
[[ $TABLE =~ ^[a-z_][a-z0-9_]*$ ]] || die "--table wants a plain lower-case table name"
[[ -z $SOURCE_DIR && -z $TARGET_DIR || -n $SOURCE_DIR && -n $TARGET_DIR ]] \
    || die "--source-dir and --target-dir go together"

ALL=(read_binary read_text pipe_binary pipe_text)
MEASURES=()
if [[ -z $ONLY ]]; then MEASURES=("${ALL[@]}"); else
    IFS=, read -r -a MEASURES <<<"$ONLY"
    for m in "${MEASURES[@]}"; do
        [[ " ${ALL[*]} " == *" $m "* ]] || die "--only: unknown measurement '$m' (${ALL[*]})"
    done
fi

STAMP=$(date +%Y%m%d-%H%M%S)
mkdir -p "$BENCH_ROOT/results"
RESULTS=$BENCH_ROOT/results/raw_copy-$STAMP.json
: >"$RESULTS"
emit() { printf '{"ts":"%s",%s}\n' "$(date -Is)" "$1" >>"$RESULTS"; }

WORK=$(mktemp -d "${BENCH_DIR:-/tmp}/pgshuttle-rawcopy.XXXXXX")
# shellcheck disable=SC2317  # invoked by the EXIT trap
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    bench_cleanup_clusters "$KEEP"
    if ((KEEP)); then log "kept work directory $WORK"; else rm -rf "$WORK"; fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

bench_wait_pg_cluster
if [[ -n $SOURCE_DIR ]]; then
    bench_reuse_cluster SRC "$SOURCE_DIR"
    bench_reuse_cluster TGT "$TARGET_DIR"
else
    SETS=()
    for s in "${BENCH_PG_SETTINGS_DEFAULT[@]}" "${EXTRA_SETS[@]}"; do SETS+=(--set "$s"); done
    bench_start_cluster SRC "$WORK/src" "" "${SETS[@]}"
    bench_start_cluster TGT "$WORK/tgt" "" "${SETS[@]}"
fi
[[ $SRC_PORT != "$TGT_PORT" ]] || die "source and target are the same cluster"

if ((REBUILD)) || ! bench_dataset_present "$SCALE"; then
    if [[ -n $SOURCE_DIR ]] && ! ((REBUILD)) \
        && src_psql "$BENCH_DB" -c "SELECT 1 FROM $TABLE LIMIT 1" >/dev/null 2>&1; then
        log "source database $BENCH_DB has $TABLE (data set marker differs); using it as is"
    else
        bench_build_dataset "$SCALE"
    fi
fi
ROWS=$(src_psql "$BENCH_DB" -c "SELECT count(*) FROM $TABLE")
TBYTES=$(src_psql "$BENCH_DB" -c "SELECT pg_table_size('$TABLE')")
TMIB=$(awk -v b="$TBYTES" 'BEGIN { printf "%.1f", b / 1048576 }')
log "$TABLE: $ROWS rows, $TMIB MiB (heap+toast)"

# target: database rawcopy with the table's definition only (no indexes,
# no constraints but NOT NULL)
RAWDB=rawcopy
DDL=$(src_run pg_dump -d "$BENCH_DB" --schema-only --section=pre-data -t "$TABLE" --no-owner --no-acl)
tgt_psql postgres -c "DROP DATABASE IF EXISTS $RAWDB WITH (FORCE)"
tgt_psql postgres -c "CREATE DATABASE $RAWDB"

reset_target() {
    tgt_psql "$RAWDB" -c "DROP TABLE IF EXISTS public.$TABLE"
    tgt_psql "$RAWDB" <<<"$DDL" >/dev/null
    src_psql postgres -c CHECKPOINT
    tgt_psql postgres -c CHECKPOINT
    sync
}

# measure NAME -> runs the timed command
measure() {
    case $1 in
        read_binary) src_psql "$BENCH_DB" -c "COPY public.$TABLE TO STDOUT (FORMAT binary)" >/dev/null ;;
        read_text)   src_psql "$BENCH_DB" -c "COPY public.$TABLE TO STDOUT" >/dev/null ;;
        pipe_binary)
            src_psql "$BENCH_DB" -c "COPY public.$TABLE TO STDOUT (FORMAT binary)" \
                | tgt_psql "$RAWDB" -c "COPY public.$TABLE FROM STDIN (FORMAT binary)" ;;
        pipe_text)
            src_psql "$BENCH_DB" -c "COPY public.$TABLE TO STDOUT" \
                | tgt_psql "$RAWDB" -c "COPY public.$TABLE FROM STDIN" ;;
    esac
}

declare -A TIMES=()
for ((round = 1; round <= RUNS; round++)); do
    for m in "${MEASURES[@]}"; do
        reset_target
        log "round $round: $m ..."
        roots="$$ $(postmaster_pid "$SRC_DIR") $(postmaster_pid "$TGT_DIR")"
        # shellcheck disable=SC2086
        snap0=$(cpu_snapshot $roots)
        t0=$(now)
        rc=0
        measure "$m" || rc=$?
        secs=$(elapsed "$t0")
        # shellcheck disable=SC2086
        other=$(foreign_cpu "$snap0" "$(cpu_snapshot $roots)")
        status=ok
        if ((rc != 0)); then
            status=failed
        elif [[ $m == pipe_* ]]; then
            got=$(tgt_psql "$RAWDB" -c "SELECT count(*) FROM public.$TABLE")
            [[ $got == "$ROWS" ]] || { status=wrong_rows; log "target has $got rows, source $ROWS"; }
        fi
        log "round $round: $m: $secs s ($status; other processes used $other CPU s)"
        if [[ $status == ok ]]; then TIMES[$m]="${TIMES[$m]-} $secs"; else TIMES[$m]="${TIMES[$m]-} $status"; fi
        emit "$(printf '"kind":"run","measure":"%s","table":"%s","round":%s,"seconds":%s,"status":"%s","table_bytes":%s,"rows":%s,"other_cpu_s":%s' \
            "$m" "$TABLE" "$round" "$secs" "$status" "$TBYTES" "$ROWS" "$other")"
    done
done
tgt_psql postgres -c "DROP DATABASE IF EXISTS $RAWDB WITH (FORCE)"

echo
echo "Raw COPY of $TABLE: $ROWS rows, $TMIB MiB heap, $RUNS run(s)"
printf '%-12s' measure
for ((r = 1; r <= RUNS; r++)); do printf ' %9s' "run$r"; done
printf ' %9s %8s\n' median MiB/s
for m in "${MEASURES[@]}"; do
    printf '%-12s' "$m"
    ok=()
    for t in ${TIMES[$m]-}; do
        printf ' %9s' "$t"
        [[ $t =~ ^[0-9.]+$ ]] && ok+=("$t")
    done
    med=''
    if ((${#ok[@]})); then
        med=$(printf '%s\n' "${ok[@]}" | sort -g | awk '{ v[NR] = $1 } END {
            if (NR % 2) printf "%.3f", v[(NR + 1) / 2]; else printf "%.3f", (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
    fi
    if [[ -n $med ]]; then
        mibs=$(awk -v s="$TMIB" -v t="$med" 'BEGIN { printf "%.1f", s / t }')
        printf ' %9s %8s\n' "$med" "$mibs"
        emit "$(printf '"kind":"summary","measure":"%s","median_s":%s,"mib_per_s":%s,"failed_runs":%s' \
            "$m" "$med" "$mibs" "$((RUNS - ${#ok[@]}))")"
    else
        printf ' %9s %8s\n' - -
        emit "$(printf '"kind":"summary","measure":"%s","median_s":null,"failed_runs":%s' "$m" "$RUNS")"
    fi
done
echo "JSON lines: $RESULTS"
