#!/usr/bin/env bash
# bench/offline.sh -- offline whole-database migration benchmark.
#
# Times pgshuttle against pgcopydb and pg_dump/pg_restore moving one
# PostgreSQL 15 database (pgbench scale 50 with foreign keys + a wide
# text/jsonb/bytea table, ~1 GiB) between two local clusters:
#
#   pgshuttle   pgshuttle migrate --mode offline --type migrate --jobs 2 --index-jobs 2
#   pg_dump     pg_dump -Fd -j 2 (default compression), createdb, pg_restore -j 2
#   pg_dump_z0  the same with pg_dump -Z 0
#   pgcopydb    pgcopydb clone --table-jobs 2 --index-jobs 2 (target db created untimed)
#
# Every run starts from a dropped target database after CHECKPOINT on both
# servers and sync; methods are interleaved per round.  Each run is verified
# afterwards (untimed): exact row counts of every table and the index /
# constraint / sequence counts must equal the source's, and for pgshuttle
# `pgshuttle verify` must pass when that command is built.
#
# Prints a table (seconds per run, median, MiB/s, pgshuttle's ratio to every
# other method, targets met / not met) and appends JSON lines to
# bench/results/offline-STAMP.json; per-run logs go to bench/results/offline-STAMP/.
#
# Usage: bench/offline.sh [--runs N] [--scale N] [--only M[,M...]] [--keep]
#                         [--pgshuttle PATH] [--source-dir DIR --target-dir DIR]
#                         [--set NAME=VALUE]... [--rebuild] [--wait-idle PCT]
#                         [--noise-limit CORES] [--retry-noisy N]
# See bench/README.md.
set -euo pipefail

# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ALL_METHODS=(pgshuttle pg_dump pg_dump_z0 pgcopydb)
TARGET_VS_PGCOPYDB=0.9
TARGET_VS_PGDUMP=0.75

usage() {
    cat <<EOF
Usage: bench/offline.sh [OPTIONS]

  --runs N              timed runs per method (default 3)
  --scale N             pgbench scale of the data set (default 50, ~1 GiB)
  --only M[,M...]       methods to run: pgshuttle, pg_dump, pg_dump_z0, pgcopydb
                        (or a, b, c, d); default all
  --pgshuttle PATH      pgshuttle binary (default build/pgshuttle)
  --jobs N              table jobs for every method (default 2)
  --index-jobs N        index jobs for pgshuttle and pgcopydb (default 2)
  --source-dir DIR      reuse this pg-cluster directory as the source
  --target-dir DIR      reuse this pg-cluster directory as the target
  --rebuild             rebuild the data set even if the source has it
  --set NAME=VALUE      extra server setting for both new clusters (repeatable)
  --keep                do not destroy the clusters at the end; print their env
  --results FILE        JSON lines output (default bench/results/offline-STAMP.json)
  --wait-idle PCT       before each run wait (up to 10 min) until the machine's
                        CPUs are at most PCT % busy (other work skews timings)
  --noise-limit CORES   a run during which other processes used more than
                        CORES cores on average is noisy (default 0.25)
  --retry-noisy N       measure a noisy run again, up to N times (default 2);
                        a run still noisy after that is kept and marked *
  -h, --help            this help

Environment: BENCH_DIR (parent of the temporary directory, default /tmp),
PG_CLUSTER (default scripts/pg-cluster), PG_CLUSTER_WAIT (seconds to wait for it).
EOF
}

RUNS=3 SCALE=50 ONLY='' KEEP=0 REBUILD=0 JOBS=2 INDEX_JOBS=2
PGSHUTTLE=$REPO_ROOT/build/pgshuttle
SOURCE_DIR='' TARGET_DIR='' RESULTS='' WAIT_IDLE=''
NOISE_LIMIT=0.25   # cores used by other processes above which a run is noisy
RETRY_NOISY=2      # a noisy run is measured again up to this many times
EXTRA_SETS=()
while [[ $# -gt 0 ]]; do
    case $1 in
        --runs) RUNS=$2; shift 2 ;;
        --scale) SCALE=$2; shift 2 ;;
        --only) ONLY=$2; shift 2 ;;
        --keep) KEEP=1; shift ;;
        --rebuild) REBUILD=1; shift ;;
        --pgshuttle) PGSHUTTLE=$2; shift 2 ;;
        --jobs) JOBS=$2; shift 2 ;;
        --index-jobs) INDEX_JOBS=$2; shift 2 ;;
        --source-dir) SOURCE_DIR=$2; shift 2 ;;
        --target-dir) TARGET_DIR=$2; shift 2 ;;
        --set) EXTRA_SETS+=("$2"); shift 2 ;;
        --results) RESULTS=$2; shift 2 ;;
        --wait-idle) WAIT_IDLE=$2; shift 2 ;;
        --retry-noisy) RETRY_NOISY=$2; shift 2 ;;
        --noise-limit) NOISE_LIMIT=$2; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        *) usage >&2; die "unknown option: $1" ;;
    esac
done
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "--runs wants a positive number"
[[ $SCALE =~ ^[1-9][0-9]*$ ]] || die "--scale wants a positive number"
[[ -z $WAIT_IDLE || $WAIT_IDLE =~ ^[0-9]+$ ]] || die "--wait-idle wants a percentage"
[[ $RETRY_NOISY =~ ^[0-9]+$ ]] || die "--retry-noisy wants a number"
[[ $NOISE_LIMIT =~ ^[0-9]*\.?[0-9]+$ ]] || die "--noise-limit wants a number of cores"
[[ -z $SOURCE_DIR && -z $TARGET_DIR || -n $SOURCE_DIR && -n $TARGET_DIR ]] \
    || die "--source-dir and --target-dir go together"

# --- methods to run -------------------------------------------------------------
METHODS=()
if [[ -z $ONLY ]]; then
    METHODS=("${ALL_METHODS[@]}")
else
    IFS=, read -r -a wanted <<<"$ONLY"
    for m in "${wanted[@]}"; do
        case $m in
            a|pgshuttle) m=pgshuttle ;;
            b|pg_dump|pgdump) m=pg_dump ;;
            c|pg_dump_z0|pgdump_z0|z0) m=pg_dump_z0 ;;
            d|pgcopydb) m=pgcopydb ;;
            *) die "--only: unknown method '$m' (pgshuttle, pg_dump, pg_dump_z0, pgcopydb)" ;;
        esac
        [[ " ${METHODS[*]} " == *" $m "* ]] || METHODS+=("$m")
    done
fi

declare -A LABEL=(
    [pgshuttle]="pgshuttle migrate"
    [pg_dump]="pg_dump -Fd/pg_restore"
    [pg_dump_z0]="pg_dump -Fd -Z0/pg_restore"
    [pgcopydb]="pgcopydb clone"
)
declare -A UNAVAILABLE=()   # method -> reason
declare -A TIMES=()         # method -> space separated seconds of ok runs
declare -A STATUSES=()      # method -> space separated run statuses
declare -A FAILS=()         # method -> number of failed runs
declare -A NOISY=()         # method -> rounds during which others used the CPUs

[[ $PGSHUTTLE == /* ]] || PGSHUTTLE=$(realpath -m -- "$PGSHUTTLE")
for m in "${METHODS[@]}"; do
    case $m in
        pgshuttle) [[ -x $PGSHUTTLE ]] || UNAVAILABLE[$m]="no executable $PGSHUTTLE" ;;
        pgcopydb) command -v pgcopydb >/dev/null || UNAVAILABLE[$m]="pgcopydb not installed" ;;
        pg_dump|pg_dump_z0)
            command -v pg_dump >/dev/null && command -v pg_restore >/dev/null \
                || UNAVAILABLE[$m]="pg_dump/pg_restore not installed" ;;
    esac
done
PGSHUTTLE_VERIFY=0
if [[ -z ${UNAVAILABLE[pgshuttle]-} && " ${METHODS[*]} " == *" pgshuttle "* ]] \
    && "$PGSHUTTLE" verify --help >/dev/null 2>&1; then
    PGSHUTTLE_VERIFY=1
fi

# --- output files -----------------------------------------------------------------
bench_results_init offline

# --- clusters -------------------------------------------------------------------
WORK=$(mktemp -d "${BENCH_DIR:-/tmp}/pgshuttle-bench.XXXXXX")
CHILD_PGID=
# shellcheck disable=SC2317  # invoked by the EXIT trap
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    if [[ -n $CHILD_PGID ]]; then kill -TERM -- "-$CHILD_PGID" 2>/dev/null || true; fi
    bench_finish offline.sh
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [[ -z ${UNAVAILABLE[pgshuttle]-} && " ${METHODS[*]} " == *" pgshuttle "* ]]; then
    bench_private_pgshuttle
fi

bench_setup_pair "$BENCH_DB"

# --- data set -------------------------------------------------------------------
BENCH_GEN_SECONDS=
if ((REBUILD)) || ! bench_dataset_present "$SCALE"; then
    bench_build_dataset "$SCALE"
else
    log "source already holds the data set (scale $SCALE); not rebuilding"
fi
DB_BYTES=$(db_size_bytes "$BENCH_DB")
DB_MIB=$(awk -v b="$DB_BYTES" 'BEGIN { printf "%.1f", b / 1048576 }')
SIZES=$(src_psql "$BENCH_DB" -F ' ' -c "
    SELECT c.relname, pg_table_size(c.oid), pg_indexes_size(c.oid)
    FROM pg_class c WHERE c.relkind = 'r' AND c.relnamespace = 'public'::regnamespace
    ORDER BY 2 DESC")
log "data set: database $BENCH_DB is $DB_MIB MiB"
while read -r rel tbytes ibytes; do
    log "$(printf '  %-18s table (heap+toast) %8.1f MiB  indexes %7.1f MiB' "$rel" \
        "$(awk -v b="$tbytes" 'BEGIN { print b / 1048576 }')" "$(awk -v b="$ibytes" 'BEGIN { print b / 1048576 }')")"
done <<<"$SIZES"

SRC_COUNTS=$(row_counts SRC "$BENCH_DB")
SRC_SCHEMA=$(schema_counts SRC "$BENCH_DB")
log "source: $(wc -l <<<"$SRC_COUNTS") tables, $SRC_SCHEMA"

sizes_json=$(while read -r rel tbytes ibytes; do
    printf '%s{"table":%s,"table_bytes":%s,"index_bytes":%s}' "${sep-}" "$(json_str "$rel")" "$tbytes" "$ibytes"; sep=,
done <<<"$SIZES")
emit "$(printf '"kind":"setup","scale":%s,"database_bytes":%s,"database_mib":%s,"data_generation_s":%s,"tables":[%s],"schema":%s,"runs":%s,"jobs":%s,"index_jobs":%s,"methods":%s,"nproc":%s,"mem_kib":%s,"kernel":%s,"server":%s,"settings":%s,"pg_dump":%s,"pgcopydb":%s,"pgshuttle":%s,"pgshuttle_rev":%s' \
    "$SCALE" "$DB_BYTES" "$DB_MIB" "${BENCH_GEN_SECONDS:-null}" "$sizes_json" "$(json_str "$SRC_SCHEMA")" \
    "$RUNS" "$JOBS" "$INDEX_JOBS" "$(json_str "${METHODS[*]}")" "$(nproc)" \
    "$(awk '/MemTotal/ { print $2 }' /proc/meminfo)" "$(json_str "$(uname -r)")" \
    "$(json_str "$(src_psql postgres -c 'SELECT version()')")" \
    "$(json_str "${BENCH_PG_SETTINGS_DEFAULT[*]} ${EXTRA_SETS[*]}")" \
    "$(json_str "$(pg_dump --version 2>/dev/null)")" \
    "$(json_str "$(pgcopydb --version 2>/dev/null | grep -m1 version || true)")" \
    "$(json_str "${PGSHUTTLE_ORIG:-$PGSHUTTLE} sha256 $(sha256sum "$PGSHUTTLE" 2>/dev/null | cut -c1-12)")" \
    "$(json_str "$(git -C "$REPO_ROOT" describe --always --dirty 2>/dev/null || echo unknown)")")"

# --- one run ----------------------------------------------------------------------
# prepare_run: untimed, identical for every method
prepare_run() {
    drop_target_db "$BENCH_DB"
    checkpoint_both
    sync
}

# run_method METHOD RUNDIR LOG -> exit status of the timed command(s)
run_method() {
    local m=$1 rundir=$2 logf=$3
    case $m in
        pgshuttle)
            "$PGSHUTTLE" migrate --source "$SRC_URI" --target "$TGT_URI" --databases "$BENCH_DB" \
                --mode offline --type migrate --jobs "$JOBS" --index-jobs "$INDEX_JOBS" \
                >>"$logf" 2>&1
            ;;
        pg_dump|pg_dump_z0)
            local z=()
            [[ $m == pg_dump_z0 ]] && z=(-Z 0)
            src_run pg_dump -Fd -j "$JOBS" "${z[@]}" -f "$rundir/dump" -d "$BENCH_DB" >>"$logf" 2>&1 \
                && tgt_run createdb "$BENCH_DB" >>"$logf" 2>&1 \
                && tgt_run pg_restore -j "$JOBS" -d "$BENCH_DB" "$rundir/dump" >>"$logf" 2>&1
            ;;
        pgcopydb)
            # pgcopydb signals its whole process group on failure: give it its own.
            local rc=0
            setsid -w pgcopydb clone --table-jobs "$JOBS" --index-jobs "$INDEX_JOBS" \
                --source "$SRC_DB_URI" --target "$TGT_DB_URI" --dir "$rundir/pgcopydb" \
                >>"$logf" 2>&1 </dev/null &
            CHILD_PGID=$!
            wait "$CHILD_PGID" || rc=$?
            CHILD_PGID=
            return "$rc"
            ;;
    esac
}

# verify_run METHOD LOG -> prints a one-word verdict detail on failure
verify_run() {
    local m=$1 logf=$2 counts schema
    if [[ $m == pgshuttle ]] && ((PGSHUTTLE_VERIFY)); then
        echo "--- pgshuttle verify" >>"$logf"
        "$PGSHUTTLE" verify --source "$SRC_URI" --target "$TGT_URI" --databases "$BENCH_DB" \
            >>"$logf" 2>&1 || { echo "pgshuttle-verify-failed"; return 1; }
    fi
    echo "--- row counts / schema counts" >>"$logf"
    counts=$(row_counts TGT "$BENCH_DB" 2>>"$logf") || { echo "target-unreadable"; return 1; }
    if [[ $counts != "$SRC_COUNTS" ]]; then
        diff <(echo "$SRC_COUNTS") <(echo "$counts") >>"$logf" || true
        echo "row-counts-differ"; return 1
    fi
    schema=$(schema_counts TGT "$BENCH_DB" 2>>"$logf") || { echo "target-unreadable"; return 1; }
    if [[ $schema != "$SRC_SCHEMA" ]]; then
        echo "source: $SRC_SCHEMA, target: $schema" >>"$logf"
        echo "schema-counts-differ"; return 1
    fi
    echo "target: $schema, rows equal" >>"$logf"
}

# wait_idle: with --wait-idle PCT, wait (up to 10 minutes) until the machine
# is quieter than PCT % CPU busy; prints the last sample
wait_idle() { bench_wait_idle "$WAIT_IDLE"; }

one_run() {
    local m=$1 round=$2 attempt
    for ((attempt = 0; ; attempt++)); do
        one_attempt "$m" "$round" "$attempt" && break
        log "round $round: ${LABEL[$m]}: the machine was busy (noisy run); measuring again" \
            "($((attempt + 1))/$RETRY_NOISY)"
    done
}

# one_attempt METHOD ROUND ATTEMPT -- returns 1 when the run succeeded but
# was noisy and should be measured again (RETRY_NOISY not used up)
one_attempt() {
    local m=$1 round=$2 attempt=$3 rundir logf t0 t1 secs rc=0 status detail='' prep_s=null
    local load0 busy0 roots snap0 snap1 other other_cores noisy retry=0
    logf="$LOGDIR/$m-run$round.log"
    ((attempt == 0)) || logf="$LOGDIR/$m-run$round-retry$attempt.log"
    rundir=$(mktemp -d "$WORK/run.XXXXXX")
    prepare_run
    if [[ $m == pgcopydb ]]; then
        # pgcopydb needs the target database to exist: created untimed
        t0=$(now)
        tgt_run createdb "$BENCH_DB" >>"$logf" 2>&1
        prep_s=$(elapsed "$t0")
        tgt_psql postgres -c CHECKPOINT
    fi
    busy0=$(wait_idle)
    load0=$(loadavg1)
    log "round $round: ${LABEL[$m]} ... (CPU ${busy0}% busy just before, load average $load0)"
    roots="$$ $(postmaster_pid "$SRC_DIR") $(postmaster_pid "$TGT_DIR")"
    # shellcheck disable=SC2086
    snap0=$(cpu_snapshot $roots)
    t0=$(now)
    run_method "$m" "$rundir" "$logf" || rc=$?
    t1=$(now)
    # shellcheck disable=SC2086
    snap1=$(cpu_snapshot $roots)
    secs=$(elapsed "$t0" "$t1")
    other=$(foreign_cpu "$snap0" "$snap1")
    other_cores=$(awk -v o="$other" -v s="$secs" 'BEGIN { printf "%.2f", (s > 0 ? o / s : 0) }')
    noisy=$(awk -v c="$other_cores" -v l="$NOISE_LIMIT" 'BEGIN { print ((c > l) ? 1 : 0) }')
    if ((rc != 0)); then
        status=failed detail="exit status $rc"
    elif detail=$(verify_run "$m" "$logf"); then
        status=ok
    else
        status=verify_failed
    fi
    rm -rf "$rundir"
    if [[ $status == ok ]]; then
        log "round $round: ${LABEL[$m]}: $secs s (verified; other processes used $other CPU s = $other_cores cores$( ((noisy)) && echo ': NOISY'))"
        if ((noisy && attempt < RETRY_NOISY)); then
            retry=1
        else
            TIMES[$m]="${TIMES[$m]-} $secs"
            ((!noisy)) || NOISY[$m]="${NOISY[$m]-} $round"
        fi
    else
        FAILS[$m]=$((${FAILS[$m]-0} + 1))
        log "round $round: ${LABEL[$m]}: $status ($detail) after $secs s; log $logf:"
        tail -n 15 "$logf" | sed 's/^/    /' >&2
    fi
    ((retry)) || STATUSES[$m]="${STATUSES[$m]-} $status:$secs:$noisy"
    emit "$(printf '"kind":"run","method":%s,"round":%s,"attempt":%s,"discarded":%s,"seconds":%s,"status":%s,"detail":%s,"untimed_createdb_s":%s,"cpu_busy_pct_before":%s,"loadavg_before":%s,"loadavg_after":%s,"other_cpu_s":%s,"other_cores":%s,"noisy":%s,"log":%s' \
        "$(json_str "$m")" "$round" "$attempt" "$( ((retry)) && echo true || echo false)" "$secs" \
        "$(json_str "$status")" "$(json_str "$detail")" \
        "$prep_s" "$busy0" "$load0" "$(loadavg1)" "$other" "$other_cores" \
        "$( ((noisy)) && echo true || echo false)" "$(json_str "$logf")")"
    return "$retry"
}

# --- rounds -----------------------------------------------------------------------
for m in "${METHODS[@]}"; do
    if [[ -n ${UNAVAILABLE[$m]-} ]]; then
        log "${LABEL[$m]}: UNAVAILABLE (${UNAVAILABLE[$m]})"
        emit "$(printf '"kind":"run","method":%s,"status":"unavailable","detail":%s' \
            "$(json_str "$m")" "$(json_str "${UNAVAILABLE[$m]}")")"
    fi
done
((PGSHUTTLE_VERIFY)) || [[ " ${METHODS[*]} " != *" pgshuttle "* || -n ${UNAVAILABLE[pgshuttle]-} ]] \
    || log "note: 'pgshuttle verify' is not available; pgshuttle runs get the psql checks only"
for ((round = 1; round <= RUNS; round++)); do
    for m in "${METHODS[@]}"; do
        [[ -z ${UNAVAILABLE[$m]-} ]] || continue
        one_run "$m" "$round"
    done
done
drop_target_db "$BENCH_DB"

# --- report -----------------------------------------------------------------------
declare -A MED=() BEST=()
for m in "${METHODS[@]}"; do
    # shellcheck disable=SC2086
    MED[$m]=$(median ${TIMES[$m]-})
    # shellcheck disable=SC2086
    BEST[$m]=$(printf '%s\n' ${TIMES[$m]-} | sort -g | sed -n '/./{p;q}')
done
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }
# method_ok M -> all runs succeeded
method_ok() { [[ -z ${UNAVAILABLE[$1]-} && ${FAILS[$1]-0} -eq 0 && -n ${MED[$1]-} ]]; }

echo
echo "Offline migration benchmark: database $BENCH_DB, $DB_MIB MiB (pgbench scale $SCALE + wide)," \
    "$RUNS run(s), jobs $JOBS, index jobs $INDEX_JOBS${BENCH_GEN_SECONDS:+, data generated in ${BENCH_GEN_SECONDS} s}"
hdr=$(printf '%-28s' method)
for ((r = 1; r <= RUNS; r++)); do hdr+=$(printf ' %9s' "run$r"); done
hdr+=$(printf ' %9s %9s %8s %14s' median best MiB/s pgshuttle/this)
echo "$hdr"
printf '%s\n' "${hdr//?/-}"
for m in "${METHODS[@]}"; do
    line=$(printf '%-28s' "${LABEL[$m]}")
    if [[ -n ${UNAVAILABLE[$m]-} ]]; then
        echo "$line UNAVAILABLE: ${UNAVAILABLE[$m]}"
        emit "$(printf '"kind":"summary","method":%s,"status":"unavailable"' "$(json_str "$m")")"
        continue
    fi
    runs_json=
    for st in ${STATUSES[$m]-}; do
        IFS=: read -r st s nz <<<"$st"
        if [[ $st == ok ]]; then
            line+=$(printf ' %9s' "$s$( ((nz)) && echo '*')")
        else
            line+=$(printf ' %9s' "${st/verify_failed/BADVERIFY}")
        fi
        runs_json+="${runs_json:+,}{\"status\":\"$st\",\"seconds\":$s,\"noisy\":$( ((nz)) && echo true || echo false)}"
    done
    med=${MED[$m]} mibs='' rat=''
    if [[ -n $med ]]; then
        mibs=$(awk -v s="$DB_MIB" -v t="$med" 'BEGIN { printf "%.1f", s / t }')
        if [[ $m != pgshuttle ]] && method_ok pgshuttle; then
            rat=$(ratio "${MED[pgshuttle]}" "$med")
        fi
    fi
    line+=$(printf ' %9s %9s %8s %14s' "${med:--}" "${BEST[$m]:--}" "${mibs:--}" "${rat:--}")
    ((${FAILS[$m]-0} == 0)) || line+="  FAILED ${FAILS[$m]}/$RUNS"
    echo "$line"
    emit "$(printf '"kind":"summary","method":%s,"status":%s,"runs":[%s],"median_s":%s,"best_s":%s,"mib_per_s":%s,"pgshuttle_ratio":%s,"failed_runs":%s,"noisy_runs":%s' \
        "$(json_str "$m")" "$(json_str "$( ((${FAILS[$m]-0} == 0)) && echo ok || echo failed)")" "$runs_json" \
        "${med:-null}" "${BEST[$m]:-null}" "${mibs:-null}" "${rat:-null}" "${FAILS[$m]-0}" \
        "$(wc -w <<<"${NOISY[$m]-}")")"
done

if ((${#NOISY[@]})); then
    echo "* other processes used more than $NOISE_LIMIT cores on average during this run," \
        "even after $RETRY_NOISY retries: the time is suspect (see other_cores in the JSON;" \
        "--wait-idle PCT waits for a quiet machine before each run)"
fi
echo
echo "Targets:"
target() {   # target NAME FACTOR METHOD...
    local name=$1 factor=$2; shift 2
    local best='' bm='' m verdict r=null limit=null rbest=null suspect=false
    for m in "$@"; do
        [[ " ${METHODS[*]} " == *" $m "* ]] || continue
        method_ok "$m" || continue
        if [[ -z $best ]] || awk -v a="${MED[$m]}" -v b="$best" 'BEGIN { exit !(a < b) }'; then
            best=${MED[$m]} bm=$m
        fi
    done
    local selected=0
    for m in "$@"; do [[ " ${METHODS[*]} " != *" $m "* ]] || selected=1; done
    if ((!selected)); then
        verdict="n/a ($* not run)"
    elif ! method_ok pgshuttle; then
        if [[ " ${METHODS[*]} " != *" pgshuttle "* ]]; then verdict="n/a (pgshuttle not run)"
        elif [[ -n ${UNAVAILABLE[pgshuttle]-} ]]; then verdict="n/a (pgshuttle unavailable)"
        else verdict="NOT MET (pgshuttle failed)"; fi
    elif [[ -z $best ]]; then
        verdict="n/a (no successful $* result)"
    else
        r=$(ratio "${MED[pgshuttle]}" "$best")
        limit=$(awk -v b="$best" -v f="$factor" 'BEGIN { printf "%.3f", b * f }')
        if awk -v r="$r" -v f="$factor" 'BEGIN { exit !(r <= f) }'; then verdict=met; else verdict="NOT MET"; fi
        rbest=$(ratio "${BEST[pgshuttle]}" "${BEST[$bm]}")
        verdict+=" (pgshuttle ${MED[pgshuttle]} s vs ${LABEL[$bm]} $best s: ratio $r, limit $limit s; best-run ratio $rbest)"
        if [[ -n ${NOISY[pgshuttle]-}${NOISY[$bm]-} ]]; then
            suspect=true
            verdict+=" SUSPECT: noisy runs"
        fi
    fi
    printf '  %-48s %s\n' "$name" "$verdict"
    emit "$(printf '"kind":"target","name":%s,"factor":%s,"against":%s,"ratio":%s,"limit_s":%s,"best_run_ratio":%s,"suspect":%s,"met":%s,"verdict":%s' \
        "$(json_str "$name")" "$factor" "$(json_str "${bm:-$*}")" "$r" "$limit" "$rbest" "$suspect" \
        "$([[ $verdict == met* ]] && echo true || echo false)" "$(json_str "$verdict")")"
}
target "pgshuttle <= $TARGET_VS_PGCOPYDB x pgcopydb" "$TARGET_VS_PGCOPYDB" pgcopydb
target "pgshuttle <= $TARGET_VS_PGDUMP x faster pg_dump/pg_restore" "$TARGET_VS_PGDUMP" pg_dump pg_dump_z0
echo
echo "JSON lines: $RESULTS"

# exit status: 0 when every selected method ran and verified every time
rc=0
for m in "${METHODS[@]}"; do
    if [[ -n ${UNAVAILABLE[$m]-} ]] || ((${FAILS[$m]-0})); then rc=1; fi
done
exit "$rc"
