#!/usr/bin/env bash
# bench/online.sh -- change-streaming (online migration) benchmark.
#
# A source under `pgbench -N -c 4 -j 2 -T 60` while its database (pgbench
# scale 50 with foreign keys + the wide table, the same data set as
# bench/offline.sh) is being migrated online, for each method:
#
#   none       no replication at all: the source's TPS baseline
#   native     pg_dump --schema-only | psql, CREATE PUBLICATION FOR ALL TABLES,
#              CREATE SUBSCRIPTION (copy_data true), wait until every table is 'r'
#   pgshuttle  pgshuttle migrate --mode online --cutover signal --output json,
#              wait for "Waiting for cutover"; SIGUSR1 at the end
#   pgcopydb   pgcopydb clone --follow (target database created first), under
#              setsid -w; stopped with `pgcopydb stream sentinel set endpos --current`.
#              0.10 applies whole WAL segments only: it gets pg_switch_wal()
#              where it would otherwise never catch up (see bench/README.md)
#
# Measured the same way for every method, independently of the tools' own
# claims: a heartbeat row (table bench_heartbeat, created before the copy, so
# in the published set) is updated on the source every 50 ms with
# clock_timestamp(), and the target is sampled every 100 ms; lag = the
# target's clock_timestamp() - the newest heartbeat visible there (one
# machine, one clock).  Per method and run:
#
#   live     source TPS under the load; lag p50/p95/p99/max over the load;
#            catch-up = from the end of the load until the target holds a
#            heartbeat written after it
#   backlog  the consumer paused (native: ALTER SUBSCRIPTION DISABLE;
#            pgshuttle and pgcopydb: SIGSTOP) during a second load, then
#            resumed: changes (2 per -N transaction) / seconds from the resume
#            until the target holds a heartbeat written after that load
#   verify   after the end: every table's row count and checksum, and the
#            index/constraint/sequence counts, equal on both sides
#
# Every method gets a fresh copy of the source database (CREATE DATABASE ...
# TEMPLATE bench) and a fresh target database.  Prints a markdown table, the
# ratios pgshuttle/native and the targets; JSON lines go to
# bench/results/online-STAMP.json, logs and raw samples to bench/results/online-STAMP/.
#
# Usage: bench/online.sh [--runs N] [--scale N] [--duration S] [--only M[,M...]] ...
# See bench/README.md.
set -euo pipefail

# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ALL_METHODS=(none native pgshuttle pgcopydb)
TARGET_LAG_P95=0.5        # s, pgshuttle's lag p95 under the load
TARGET_BACKLOG_FACTOR=1.5 # pgshuttle's backlog apply rate / native's

usage() {
    cat <<EOF
Usage: bench/online.sh [OPTIONS]

  --runs N              runs per method (default 1; the median is reported)
  --scale N             pgbench scale of the data set (default 50, ~1 GiB)
  --duration S          seconds of pgbench load while streaming (default 60)
  --backlog-duration S  seconds of load recorded while the consumer is paused
                        (default: --duration; 0 skips the backlog phase)
  --clients N           pgbench clients (default 4)
  --threads N           pgbench threads (default 2)
  --only M[,M...]       methods: none, native, pgshuttle, pgcopydb (default all)
  --pgshuttle PATH      pgshuttle binary (default build/pgshuttle)
  --native-pause HOW    pause native apply for the backlog: disable (ALTER
                        SUBSCRIPTION DISABLE/ENABLE, default) or sigstop (stop
                        the apply worker process, like pgshuttle)
  --heartbeat-ms N      heartbeat interval (default 50)
  --sample-ms N         target sampling interval (default 100)
  --settle S            idle seconds between catching up and the load (default 5)
  --copy-timeout S      time box for the initial copy + catching up (default 1800)
  --catchup-timeout S   time box for each catch-up (default 600)
  --pgcopydb-wait S     pgcopydb 0.10 applies whole WAL segments only: how
                        long to wait for it to catch up after the load before
                        switching WAL on the source (default 30)
  --source-dir DIR      reuse this pg-cluster directory as the source
  --target-dir DIR      reuse this pg-cluster directory as the target
  --rebuild             rebuild the data set even if the source has it
  --set NAME=VALUE      extra server setting for both new clusters (repeatable)
  --keep                do not destroy the clusters at the end; print their env
  --results FILE        JSON lines output (default bench/results/online-STAMP.json)
  --wait-idle PCT       before each load wait (up to 10 min) until the machine's
                        CPUs are at most PCT % busy
  --noise-limit CORES   a load during which other processes used more than
                        CORES cores on average is noisy, marked * (default 0.25)
  -h, --help            this help

Environment: BENCH_DIR (parent of the temporary directory, default /tmp),
PG_CLUSTER (default scripts/pg-cluster), PG_CLUSTER_WAIT (seconds to wait for it).
EOF
}

PGCOPYDB_WAIT=30
RUNS=1 SCALE=50 DURATION=60 BACKLOG_DURATION='' CLIENTS=4 THREADS=2 ONLY=''
KEEP=0 REBUILD=0 NATIVE_PAUSE=disable HB_MS=50 SAMPLE_MS=100 SETTLE=5
COPY_TIMEOUT=1800 CATCHUP_TIMEOUT=600
PGSHUTTLE=$REPO_ROOT/build/pgshuttle
SOURCE_DIR='' TARGET_DIR='' RESULTS='' WAIT_IDLE='' NOISE_LIMIT=0.25
EXTRA_SETS=()
while [[ $# -gt 0 ]]; do
    case $1 in
        --runs) RUNS=$2; shift 2 ;;
        --scale) SCALE=$2; shift 2 ;;
        --duration) DURATION=$2; shift 2 ;;
        --backlog-duration) BACKLOG_DURATION=$2; shift 2 ;;
        --clients) CLIENTS=$2; shift 2 ;;
        --threads) THREADS=$2; shift 2 ;;
        --only) ONLY=$2; shift 2 ;;
        --pgshuttle) PGSHUTTLE=$2; shift 2 ;;
        --native-pause) NATIVE_PAUSE=$2; shift 2 ;;
        --heartbeat-ms) HB_MS=$2; shift 2 ;;
        --sample-ms) SAMPLE_MS=$2; shift 2 ;;
        --settle) SETTLE=$2; shift 2 ;;
        --copy-timeout) COPY_TIMEOUT=$2; shift 2 ;;
        --catchup-timeout) CATCHUP_TIMEOUT=$2; shift 2 ;;
        --pgcopydb-wait) PGCOPYDB_WAIT=$2; shift 2 ;;
        --source-dir) SOURCE_DIR=$2; shift 2 ;;
        --target-dir) TARGET_DIR=$2; shift 2 ;;
        --rebuild) REBUILD=1; shift ;;
        --set) EXTRA_SETS+=("$2"); shift 2 ;;
        --keep) KEEP=1; shift ;;
        --results) RESULTS=$2; shift 2 ;;
        --wait-idle) WAIT_IDLE=$2; shift 2 ;;
        --noise-limit) NOISE_LIMIT=$2; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        *) usage >&2; die "unknown option: $1" ;;
    esac
done
BACKLOG_DURATION=${BACKLOG_DURATION:-$DURATION}
for v in RUNS SCALE DURATION CLIENTS THREADS HB_MS SAMPLE_MS COPY_TIMEOUT CATCHUP_TIMEOUT PGCOPYDB_WAIT; do
    [[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "--$(tr 'A-Z_' 'a-z-' <<<"$v") wants a positive number"
done
[[ $BACKLOG_DURATION =~ ^[0-9]+$ ]] || die "--backlog-duration wants a number of seconds"
[[ $SETTLE =~ ^[0-9]+$ ]] || die "--settle wants a number of seconds"
[[ $NATIVE_PAUSE == disable || $NATIVE_PAUSE == sigstop ]] || die "--native-pause: disable or sigstop"
[[ -z $WAIT_IDLE || $WAIT_IDLE =~ ^[0-9]+$ ]] || die "--wait-idle wants a percentage"
[[ $NOISE_LIMIT =~ ^[0-9]*\.?[0-9]+$ ]] || die "--noise-limit wants a number of cores"
[[ -z $SOURCE_DIR && -z $TARGET_DIR || -n $SOURCE_DIR && -n $TARGET_DIR ]] \
    || die "--source-dir and --target-dir go together"
# A paused consumer answers no keepalives: the source's wal_sender_timeout
# (set to WAL_SENDER_TIMEOUT_S below) must outlast the backlog load.
WAL_SENDER_TIMEOUT_S=300
((BACKLOG_DURATION + 60 < WAL_SENDER_TIMEOUT_S)) \
    || die "--backlog-duration must stay below $((WAL_SENDER_TIMEOUT_S - 60)) s (wal_sender_timeout ${WAL_SENDER_TIMEOUT_S}s)"
HB_INTERVAL=$(awk -v m="$HB_MS" 'BEGIN { printf "%.3f", m / 1000 }')
SAMPLE_INTERVAL=$(awk -v m="$SAMPLE_MS" 'BEGIN { printf "%.3f", m / 1000 }')

# --- methods to run -------------------------------------------------------------
METHODS=()
if [[ -z $ONLY ]]; then
    METHODS=("${ALL_METHODS[@]}")
else
    IFS=, read -r -a wanted <<<"$ONLY"
    for m in "${wanted[@]}"; do
        case $m in
            none|baseline) m=none ;;
            native|subscription) m=native ;;
            pgshuttle) m=pgshuttle ;;
            pgcopydb) m=pgcopydb ;;
            *) die "--only: unknown method '$m' (none, native, pgshuttle, pgcopydb)" ;;
        esac
        [[ " ${METHODS[*]} " == *" $m "* ]] || METHODS+=("$m")
    done
fi
selected() { [[ " ${METHODS[*]} " == *" $1 "* ]]; }

declare -A LABEL=(
    [none]="no replication"
    [native]="native subscription"
    [pgshuttle]="pgshuttle migrate --mode online"
    [pgcopydb]="pgcopydb clone --follow"
)
declare -A UNAVAILABLE=()   # method -> reason

ONLINE_DB=${BENCH_ONLINE_DB:-bench_online}   # the per-run copy of $BENCH_DB
HB_TABLE=bench_heartbeat
APP_HB=pgshuttle-bench-heartbeat
APP_SAMPLER=pgshuttle-bench-sampler
PUB=pgshuttle_bench_pub
SUB=pgshuttle_bench_sub
VERIFY_EXCLUDE=(pgcopydb)   # pgcopydb's sentinel table lives in the source database

[[ $PGSHUTTLE == /* ]] || PGSHUTTLE=$(realpath -m -- "$PGSHUTTLE")
if selected pgshuttle; then
    if [[ ! -x $PGSHUTTLE ]]; then
        UNAVAILABLE[pgshuttle]="no executable $PGSHUTTLE"
    elif ! "$PGSHUTTLE" migrate --help 2>&1 | grep -q -- --resume; then
        # the engine's online mode lands together with --resume
        UNAVAILABLE[pgshuttle]="online mode not ready in $PGSHUTTLE (migrate --help lists no --resume)"
    fi
fi
if selected pgcopydb && ! command -v pgcopydb >/dev/null; then
    UNAVAILABLE[pgcopydb]="pgcopydb not installed (scripts/bootstrap --bench)"
fi
command -v pgbench >/dev/null || die "pgbench not installed"

# --- output files -----------------------------------------------------------------
bench_results_init online
jbool() { if (($1)); then echo true; else echo false; fi; }
jnum() { echo "${1:-null}"; }   # empty -> null
# fail REASON: the run's failure reason, for the table and the JSON; returns 1
FAIL_REASON=''
fail() { FAIL_REASON=$*; return 1; }

# --- clusters -------------------------------------------------------------------
WORK=$(mktemp -d "${BENCH_DIR:-/tmp}/pgshuttle-bench.XXXXXX")
# helper processes of the current run (stopped by stop_everything)
HB_PID='' SAMPLER_PID='' TOOL_PID='' TOOL_KIND='' NATIVE_STOPPED_PID='' SAMPLES=''
# shellcheck disable=SC2317  # invoked by the EXIT trap
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    stop_everything
    if ((${#BENCH_STARTED_DIRS[@]} == 0)) && [[ -n ${SRC_PORT-} ]]; then
        # reused clusters: leave no slot, subscription or copy behind
        cleanup_replication >/dev/null 2>&1 || true
        src_psql postgres -c "DROP DATABASE IF EXISTS \"$ONLINE_DB\" WITH (FORCE)" >/dev/null 2>&1 || true
        tgt_psql postgres -c "DROP DATABASE IF EXISTS \"$ONLINE_DB\" WITH (FORCE)" >/dev/null 2>&1 || true
    fi
    bench_finish online.sh
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if selected pgshuttle && [[ -z ${UNAVAILABLE[pgshuttle]-} ]]; then
    bench_private_pgshuttle
fi
PGSHUTTLE_VERIFY=0
if selected pgshuttle && [[ -z ${UNAVAILABLE[pgshuttle]-} ]] && "$PGSHUTTLE" verify --help >/dev/null 2>&1; then
    PGSHUTTLE_VERIFY=1
fi

ONLINE_SETTINGS=("wal_sender_timeout=${WAL_SENDER_TIMEOUT_S}s" "wal_receiver_timeout=${WAL_SENDER_TIMEOUT_S}s")
bench_setup_pair "$ONLINE_DB" "${ONLINE_SETTINGS[@]}"
if [[ -n $SOURCE_DIR ]]; then
    # the timeouts are reloadable: make sure a reused cluster has them
    for fn in src_psql tgt_psql; do
        t=$("$fn" postgres -c "SELECT setting::int FROM pg_settings WHERE name = 'wal_sender_timeout'")
        if ((t < WAL_SENDER_TIMEOUT_S * 1000)); then
            log "setting wal_sender_timeout / wal_receiver_timeout to ${WAL_SENDER_TIMEOUT_S}s on a reused cluster (ALTER SYSTEM)"
            "$fn" postgres -c "ALTER SYSTEM SET wal_sender_timeout = '${WAL_SENDER_TIMEOUT_S}s'" \
                -c "ALTER SYSTEM SET wal_receiver_timeout = '${WAL_SENDER_TIMEOUT_S}s'" \
                -c "SELECT pg_reload_conf()" >/dev/null
        fi
    done
fi
SRC_PM=$(postmaster_pid "$SRC_DIR") TGT_PM=$(postmaster_pid "$TGT_DIR")

# pgcopydb up to 0.12 decodes with wal2json only
if selected pgcopydb && [[ -z ${UNAVAILABLE[pgcopydb]-} ]] \
    && pgcopydb --version 2>/dev/null | grep -q 'version 0\.1[0-2]\b' \
    && [[ ! -e $(dirname "$SRC_BINDIR")/lib/wal2json.so ]]; then
    UNAVAILABLE[pgcopydb]="pgcopydb $(pgcopydb --version 2>/dev/null | sed -n 's/^pgcopydb version //p') needs the wal2json plugin (postgresql-$SRC_VERSION-wal2json; scripts/bootstrap --bench)"
fi

# --- data set -------------------------------------------------------------------
BENCH_GEN_SECONDS=
if ((REBUILD)) || ! bench_dataset_present "$SCALE"; then
    bench_build_dataset "$SCALE"
else
    log "source already holds the data set (scale $SCALE); not rebuilding"
fi
DB_BYTES=$(db_size_bytes "$BENCH_DB")
DB_MIB=$(awk -v b="$DB_BYTES" 'BEGIN { printf "%.1f", b / 1048576 }')
log "data set: database $BENCH_DB is $DB_MIB MiB; each method gets a fresh copy, $ONLINE_DB"

emit "$(printf '"kind":"setup","scale":%s,"database_bytes":%s,"database_mib":%s,"data_generation_s":%s,"runs":%s,"duration_s":%s,"backlog_duration_s":%s,"pgbench":%s,"heartbeat_ms":%s,"sample_ms":%s,"native_pause":%s,"methods":%s,"nproc":%s,"mem_kib":%s,"kernel":%s,"server":%s,"settings":%s,"pgcopydb":%s,"pgshuttle":%s,"pgshuttle_rev":%s' \
    "$SCALE" "$DB_BYTES" "$DB_MIB" "$(jnum "$BENCH_GEN_SECONDS")" "$RUNS" "$DURATION" "$BACKLOG_DURATION" \
    "$(json_str "pgbench -n -N -c $CLIENTS -j $THREADS")" "$HB_MS" "$SAMPLE_MS" "$(json_str "$NATIVE_PAUSE")" \
    "$(json_str "${METHODS[*]}")" "$(nproc)" "$(awk '/MemTotal/ { print $2 }' /proc/meminfo)" \
    "$(json_str "$(uname -r)")" "$(json_str "$(src_psql postgres -c 'SELECT version()')")" \
    "$(json_str "${BENCH_PG_SETTINGS_DEFAULT[*]} ${ONLINE_SETTINGS[*]} ${EXTRA_SETS[*]}")" \
    "$(json_str "$(pgcopydb --version 2>/dev/null | grep -m1 version || true)")" \
    "$(json_str "${PGSHUTTLE_ORIG:-$PGSHUTTLE} sha256 $(sha256sum "$PGSHUTTLE" 2>/dev/null | cut -c1-12)")" \
    "$(json_str "$(git -C "$REPO_ROOT" describe --always --dirty 2>/dev/null || echo unknown)")")"

# --- replication objects and helper processes ------------------------------------

# cleanup_replication: drop what a run (or an interrupted one) left: the
# subscription, pgshuttle's and pgcopydb's slots and origins, publications
cleanup_replication() {
    if [[ -n $(tgt_psql postgres -c "SELECT 1 FROM pg_database WHERE datname = '$ONLINE_DB'") ]]; then
        if [[ -n $(tgt_psql "$ONLINE_DB" -c "SELECT 1 FROM pg_subscription WHERE subname = '$SUB'") ]]; then
            tgt_psql "$ONLINE_DB" -c "ALTER SUBSCRIPTION $SUB DISABLE" \
                -c "ALTER SUBSCRIPTION $SUB SET (slot_name = NONE)" -c "DROP SUBSCRIPTION $SUB"
        fi
    fi
    # walsenders of this database's slots first, then the slots
    src_psql postgres -c "SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots
                          WHERE database = '$ONLINE_DB' AND active_pid IS NOT NULL" >/dev/null
    local i
    for i in 1 2 3 4 5 6 7 8 9 10; do
        [[ -n $(src_psql postgres -c "SELECT 1 FROM pg_replication_slots WHERE database = '$ONLINE_DB' AND active") ]] || break
        sleep 0.5
    done
    src_psql postgres -c "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots
                          WHERE database = '$ONLINE_DB' AND NOT active" >/dev/null
    tgt_psql postgres -c "SELECT pg_replication_origin_drop(roname) FROM pg_replication_origin
                          WHERE roname LIKE 'pgcopydb%' OR roname LIKE 'pgshuttle\\_%'" >/dev/null
}

# heartbeat_start LOG -- a DO block on the source updating the heartbeat row
# every HB_INTERVAL s (a transaction each); stopped by heartbeat_stop
heartbeat_start() {
    src_psql "dbname=$ONLINE_DB application_name=$APP_HB" -c "
        DO \$\$
        BEGIN
            LOOP
                UPDATE $HB_TABLE SET seq = seq + 1, ts = clock_timestamp(), lsn = pg_current_wal_lsn()
                WHERE id = 1;
                COMMIT;
                PERFORM pg_sleep($HB_INTERVAL);
            END LOOP;
        END
        \$\$" >>"$1" 2>&1 &
    HB_PID=$!
}

# heartbeat_stop -- sets HB_SEQ to the last heartbeat's seq
HB_SEQ=''
heartbeat_stop() {
    if [[ -n $HB_PID ]]; then
        src_psql postgres -c "SELECT pg_cancel_backend(pid) FROM pg_stat_activity
                              WHERE application_name = '$APP_HB'" >/dev/null || true
        wait "$HB_PID" 2>/dev/null || true
        HB_PID=''
    fi
    HB_SEQ=$(src_psql "$ONLINE_DB" -c "SELECT seq FROM $HB_TABLE WHERE id = 1") && [[ -n $HB_SEQ ]]
}

# sampler_start PREFIX FILE -- every SAMPLE_INTERVAL s, one line
# "NOW SEQ HEARTBEAT_TS" (epoch seconds, the server's clock) into FILE
sampler_start() {
    local prefix=$1 file=$2
    local h="${prefix}_HOST" p="${prefix}_PORT" u="${prefix}_USER" pw="${prefix}_PASSWORD"
    printf 'SELECT extract(epoch FROM clock_timestamp()), seq, extract(epoch FROM ts) FROM %s WHERE id = 1\n\\watch %s\n' \
        "$HB_TABLE" "$SAMPLE_INTERVAL" >"$file.sql"
    # a plain command, not the _pg function: $! must be psql itself
    PGPASSWORD=${!pw} PGHOST=${!h} PGPORT=${!p} PGUSER=${!u} PGOPTIONS='-c client_min_messages=warning' \
        psql -X -P pager=off -q -A -t -F ' ' -d "dbname=$ONLINE_DB application_name=$APP_SAMPLER" -f "$file.sql" \
        >"$file" 2>>"$file.err" </dev/null &
    SAMPLER_PID=$!
}
sampler_stop() {
    if [[ -n $SAMPLER_PID ]]; then
        kill -INT "$SAMPLER_PID" 2>/dev/null || true
        wait "$SAMPLER_PID" 2>/dev/null || true
        SAMPLER_PID=''
    fi
}
sampler_alive() { [[ -n $SAMPLER_PID ]] && kill -0 "$SAMPLER_PID" 2>/dev/null; }

# tool_alive: the pgshuttle / pgcopydb process (if any) still runs
tool_alive() { [[ -z $TOOL_PID ]] || kill -0 "$TOOL_PID" 2>/dev/null; }

# wait_sample AWK_COND TIMEOUT -- waits for the first sample (line "NOW SEQ
# HB" of SAMPLES) matching AWK_COND (over $1 now, $2 seq, $3 heartbeat
# time) and sets WS_T to its NOW; fails with WS_WHY on timeout or when the
# sampler or the tool died.  Runs in this shell (not in a $(...)), so that
# a signal to the script is handled within 50 ms.
WS_T='' WS_WHY=''
wait_sample() {
    local cond=$1 timeout=$2 deadline got
    deadline=$(awk -v t="$(now)" -v d="$timeout" 'BEGIN { printf "%.3f", t + d }')
    while :; do
        got=$(awk "NF == 3 && \$3 ~ /^[0-9.]+\$/ && ($cond) { print \$1; exit }" "$SAMPLES")
        if [[ -n $got ]]; then WS_T=$got; return 0; fi
        if ! sampler_alive; then WS_WHY="the sampler stopped: $(tail -n 2 "$SAMPLES.err" | tr '\n' ' ')"; return 1; fi
        if ! tool_alive; then WS_WHY="$TOOL_KIND exited"; return 1; fi
        if awk -v t="$(now)" -v d="$deadline" 'BEGIN { exit !(t > d) }'; then
            WS_WHY="not within $timeout s"; return 1
        fi
        sleep 0.05
    done
}

# lag_stats T0 T1 FILE -> "n p50 p95 p99 max" of now - heartbeat over the
# samples taken in [T0, T1]
lag_stats() {
    awk -v a="$1" -v b="$2" 'NF == 3 && $1 >= a && $1 <= b { printf "%.6f\n", $1 - $3 }' "$3" | percentiles
}

# run_load TAG DURATION -- pgbench on the source; sets L_T0 L_T1 L_TPS L_TXNS
# L_OTHER (CPU s used by other processes) L_CORES L_NOISY
run_load() {
    local tag=$1 dur=$2 out snap0 snap1 roots
    out=$RUNDIR/pgbench-$tag.log
    roots="$$ $SRC_PM $TGT_PM"
    # shellcheck disable=SC2086
    snap0=$(cpu_snapshot $roots)
    L_T0=$(now)
    src_run pgbench -n -N -c "$CLIENTS" -j "$THREADS" -T "$dur" -P 10 "$ONLINE_DB" >"$out" 2>&1 || {
        cat "$out" >>"$LOGF"; fail "pgbench failed"; return 1; }
    L_T1=$(now)
    # shellcheck disable=SC2086
    snap1=$(cpu_snapshot $roots)
    { echo "--- pgbench ($tag)"; cat "$out"; } >>"$LOGF"
    L_TPS=$(sed -n 's/^tps = \([0-9.]*\) (without initial connection time).*/\1/p' "$out")
    L_TXNS=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$out")
    [[ -n $L_TPS && -n $L_TXNS ]] || { fail "cannot read pgbench's output"; return 1; }
    L_OTHER=$(foreign_cpu "$snap0" "$snap1")
    L_CORES=$(awk -v o="$L_OTHER" -v s="$(elapsed "$L_T0" "$L_T1")" 'BEGIN { printf "%.2f", (s > 0 ? o / s : 0) }')
    L_NOISY=$(awk -v c="$L_CORES" -v l="$NOISE_LIMIT" 'BEGIN { print ((c > l) ? 1 : 0) }')
}

# source_changes -> inserted + updated + deleted rows of the pgbench tables so far
source_changes() {
    src_psql "$ONLINE_DB" -c "SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0)
                              FROM pg_stat_user_tables WHERE relname LIKE 'pgbench\\_%'"
}

checkpoint_both_quiet() { checkpoint_both >/dev/null; }

# --- methods: start, pause, resume, finish ---------------------------------------------
# Each *_start launches the copy and returns when the method says it is
# streaming (native: all tables 'r'; pgshuttle: "Waiting for cutover";
# pgcopydb: at once -- it says nothing, the common lag gate waits for it).
# They print a reason and fail on error.

native_start() {
    tgt_run createdb "$ONLINE_DB" >>"$LOGF" 2>&1 || { fail "createdb failed"; return 1; }
    # pipefail: a failing pg_dump fails the pipeline
    src_run pg_dump --schema-only -d "$ONLINE_DB" 2>>"$LOGF" \
        | tgt_psql "$ONLINE_DB" >>"$LOGF" 2>&1 || { fail "schema copy failed"; return 1; }
    src_psql "$ONLINE_DB" -c "CREATE PUBLICATION $PUB FOR ALL TABLES" >>"$LOGF" 2>&1 \
        || { fail "CREATE PUBLICATION failed"; return 1; }
    tgt_psql "$ONLINE_DB" -c "CREATE SUBSCRIPTION $SUB
        CONNECTION 'host=$SRC_HOST port=$SRC_PORT user=$SRC_USER password=$SRC_PASSWORD dbname=$ONLINE_DB'
        PUBLICATION $PUB WITH (copy_data = true)" >>"$LOGF" 2>&1 \
        || { fail "CREATE SUBSCRIPTION failed"; return 1; }
    local t0 left
    t0=$(now)
    while :; do
        left=$(tgt_psql "$ONLINE_DB" -c "SELECT count(*) FILTER (WHERE srsubstate <> 'r') || '/' || count(*)
                                         FROM pg_subscription_rel") || { fail "cannot read pg_subscription_rel"; return 1; }
        [[ $left == 0/* && $left != 0/0 ]] && break
        if awk -v a="$t0" -v b="$(now)" -v d="$COPY_TIMEOUT" 'BEGIN { exit !(b - a > d) }'; then
            fail "tables not all ready (not ready/all: $left) after $COPY_TIMEOUT s"; return 1
        fi
        sleep 0.2
    done
    echo "all ${left#0/} tables ready" >>"$LOGF"
}

native_apply_pid() {
    tgt_psql "$ONLINE_DB" -c "SELECT pid FROM pg_stat_subscription WHERE subname = '$SUB' AND relid IS NULL AND pid IS NOT NULL"
}

native_pause() {
    if [[ $NATIVE_PAUSE == sigstop ]]; then
        NATIVE_STOPPED_PID=$(native_apply_pid)
        [[ -n $NATIVE_STOPPED_PID ]] || { fail "no apply worker to stop"; return 1; }
        kill -STOP "$NATIVE_STOPPED_PID"
        return 0
    fi
    tgt_psql "$ONLINE_DB" -c "ALTER SUBSCRIPTION $SUB DISABLE" >>"$LOGF" 2>&1 || { fail "DISABLE failed"; return 1; }
    local i
    for ((i = 0; i < 100; i++)); do   # the apply worker exits at its next look at the catalog
        [[ -n $(native_apply_pid) ]] || return 0
        sleep 0.1
    done
    fail "the apply worker still runs 10 s after DISABLE"; return 1
}

native_resume() {
    if [[ $NATIVE_PAUSE == sigstop ]]; then
        kill -CONT "$NATIVE_STOPPED_PID"; NATIVE_STOPPED_PID=''
        return 0
    fi
    tgt_psql "$ONLINE_DB" -c "ALTER SUBSCRIPTION $SUB ENABLE" >>"$LOGF" 2>&1 || { fail "ENABLE failed"; return 1; }
}

native_finish() {
    tgt_psql "$ONLINE_DB" -c "DROP SUBSCRIPTION $SUB" >>"$LOGF" 2>&1 || { fail "DROP SUBSCRIPTION failed"; return 1; }
    src_psql "$ONLINE_DB" -c "DROP PUBLICATION $PUB" >>"$LOGF" 2>&1 || true
}

# pgshuttle's JSON lines, each prefixed with the arrival time (epoch s)
PGS_JSON=''
pgshuttle_start() {
    PGS_JSON=$RUNDIR/pgshuttle.jsonl
    : >"$PGS_JSON"
    # its own session: SIGSTOP/SIGCONT reach every process it has, and a
    # signal it sends its process group cannot hit this script
    setsid "$PGSHUTTLE" migrate --mode online --source "$SRC_URI" --target "$TGT_URI" \
        --databases "$ONLINE_DB" --cutover signal --output json \
        </dev/null 2>>"$LOGF" > >(while IFS= read -r l; do printf '%s %s\n' "$EPOCHREALTIME" "$l"; done >>"$PGS_JSON") &
    TOOL_PID=$! TOOL_KIND=pgshuttle
    local t0
    t0=$(now)
    while :; do
        if grep -q '"substatus": *"Waiting for cutover"' "$PGS_JSON"; then return 0; fi
        if ! kill -0 "$TOOL_PID" 2>/dev/null; then
            fail "pgshuttle exited before catching up: $(grep -m1 '"event": *"result"' "$PGS_JSON" | cut -d' ' -f2- | cut -c1-300)"
            return 1
        fi
        if awk -v a="$t0" -v b="$(now)" -v d="$COPY_TIMEOUT" 'BEGIN { exit !(b - a > d) }'; then
            fail "no \"Waiting for cutover\" after $COPY_TIMEOUT s"; return 1
        fi
        sleep 0.2
    done
}

pgcopydb_start() {
    tgt_run createdb "$ONLINE_DB" >>"$LOGF" 2>&1 || { fail "createdb failed"; return 1; }
    # pgcopydb signals its whole process group on failure: give it its own
    setsid -w pgcopydb clone --follow --table-jobs 2 --index-jobs 2 \
        --source "$SRC_DB_URI" --target "$TGT_DB_URI" --dir "$RUNDIR/pgcopydb" \
        >>"$LOGF" 2>&1 </dev/null &
    TOOL_PID=$! TOOL_KIND=pgcopydb
    # it says when its copy is done and it starts applying
    local t0
    t0=$(now)
    until grep -q 'The pgcopydb sentinel has enabled applying changes' "$LOGF"; do
        kill -0 "$TOOL_PID" 2>/dev/null || { fail "pgcopydb exited during the copy"; return 1; }
        if awk -v a="$t0" -v b="$(now)" -v d="$COPY_TIMEOUT" 'BEGIN { exit !(b - a > d) }'; then
            fail "pgcopydb did not finish its copy within $COPY_TIMEOUT s"; return 1
        fi
        sleep 0.2
    done
}

# tool_signal SIG -- to the tool's whole process group (its own session)
tool_signal() { kill "-$1" -- "-$TOOL_PID" 2>/dev/null; }

# tool_wait_exit TIMEOUT -- waits for the tool to exit, sets TOOL_RC to its
# exit status; fails when it still runs after TIMEOUT s.  Not in a $(...):
# only this shell can wait for its child.
TOOL_RC=''
tool_wait_exit() {
    local timeout=$1 t0
    t0=$(now)
    while kill -0 "$TOOL_PID" 2>/dev/null; do
        if awk -v a="$t0" -v b="$(now)" -v d="$timeout" 'BEGIN { exit !(b - a > d) }'; then
            return 1
        fi
        sleep 0.1
    done
    TOOL_RC=0
    wait "$TOOL_PID" || TOOL_RC=$?
    TOOL_PID=''
}

# stop_tool: cancel a running pgshuttle (SIGTERM: it drops its slot) or
# pgcopydb (SIGTERM to all its processes); SIGKILL to the group if it does
# not go within 30 s
stop_tool() {
    [[ -n $TOOL_PID ]] || return 0
    if kill -0 "$TOOL_PID" 2>/dev/null; then
        tool_signal CONT || true
        if [[ $TOOL_KIND == pgshuttle ]]; then
            kill -TERM "$TOOL_PID" 2>/dev/null || true
        else
            tool_signal TERM || true
        fi
        tool_wait_exit 30 || { tool_signal KILL || true; }
    fi
    wait "$TOOL_PID" 2>/dev/null || true
    TOOL_PID=''
}

# shellcheck disable=SC2317  # also invoked by the EXIT trap
stop_everything() {
    [[ -z $NATIVE_STOPPED_PID ]] || kill -CONT "$NATIVE_STOPPED_PID" 2>/dev/null || true
    NATIVE_STOPPED_PID=''
    stop_tool
    sampler_stop
    if [[ -n $HB_PID ]]; then heartbeat_stop >/dev/null 2>&1 || true; fi
}

# --- verification ---------------------------------------------------------------------
# verify_target [loose] -> fails with a reason when the target differs from
# the source.  loose (after a cutover that came too early): the heartbeat
# table, still written after it, is left out, and so is pgshuttle verify.
verify_target() {
    local s t loose=${1:-}
    if [[ $M == pgshuttle ]] && ((PGSHUTTLE_VERIFY)) && [[ -z $loose ]]; then
        echo "--- pgshuttle verify" >>"$LOGF"
        "$PGSHUTTLE" verify --source "$SRC_URI" --target "$TGT_URI" --databases "$ONLINE_DB" \
            >>"$LOGF" 2>&1 || { fail "pgshuttle verify failed"; return 1; }
    fi
    echo "--- row counts and checksums (source / target, in parallel)" >>"$LOGF"
    table_checksums SRC "$ONLINE_DB" "${VERIFY_EXCLUDE[@]}" >"$RUNDIR/sums.src" 2>>"$LOGF" &
    local p=$!
    table_checksums TGT "$ONLINE_DB" "${VERIFY_EXCLUDE[@]}" >"$RUNDIR/sums.tgt" 2>>"$LOGF" \
        || { wait "$p" || true; fail "target unreadable"; return 1; }
    wait "$p" || { fail "source unreadable"; return 1; }
    if [[ -n $loose ]]; then sed -i "/^public\.$HB_TABLE /d" "$RUNDIR/sums.src" "$RUNDIR/sums.tgt"; fi
    cat "$RUNDIR/sums.src" >>"$LOGF"
    if ! cmp -s "$RUNDIR/sums.src" "$RUNDIR/sums.tgt"; then
        diff "$RUNDIR/sums.src" "$RUNDIR/sums.tgt" >>"$LOGF" || true
        fail "tables differ: $(diff "$RUNDIR/sums.src" "$RUNDIR/sums.tgt" | sed -n 's/^[<>] \([^ ]*\).*/\1/p' | sort -u | tr '\n' ' ')"
        return 1
    fi
    if ! s=$(schema_counts SRC "$ONLINE_DB" "${VERIFY_EXCLUDE[@]}") \
        || ! t=$(schema_counts TGT "$ONLINE_DB" "${VERIFY_EXCLUDE[@]}"); then
        fail "schema counts unreadable"; return 1
    fi
    if [[ $s != "$t" ]]; then fail "schema counts differ: source $s, target $t"; return 1; fi
    echo "target equals source: $(wc -l <"$RUNDIR/sums.src") tables (rows and checksums), $t" >>"$LOGF"
}

# explain_failure -- after a failed run, add to FAIL_REASON what the tool's
# log says: pgcopydb's first ERROR; pgshuttle's result line, whether it was
# asked to cut over before this script did (a SIGUSR1 from elsewhere: on a
# shared machine with pid_max 32768 a stale pid in someone's `kill -USR1`
# can be ours), and, when it claims success, whether the target matches.
explain_failure() {
    local n first res
    case $M in
        pgcopydb)
            n=$(grep -c ' ERROR ' "$LOGF" || true)
            if ((n > 0)); then
                first=$({ grep -m1 ' ERROR  *BUG' "$LOGF" || grep -m1 ' ERROR ' "$LOGF"; } | sed 's/^[0-9:]* [0-9]* ERROR *//' | cut -c1-160)
                FAIL_REASON+="; pgcopydb logged $n ERROR lines, the first: $first"
            fi
            ;;
        pgshuttle)
            [[ -n $PGS_JSON && -f $PGS_JSON ]] || return 0
            res=$(grep '"event": *"result"' "$PGS_JSON" | tail -n1 | cut -d' ' -f2-)
            [[ -n $res ]] || return 0
            if [[ -z $R_CUTOVER_S ]] && grep -q 'cutover requested' "$LOGF"; then
                FAIL_REASON+="; pgshuttle was asked to cut over before this script sent SIGUSR1"
            fi
            FAIL_REASON+="; its result: $(jq -c '{status, substatus, error} | with_entries(select(.value != null))' <<<"$res" 2>/dev/null || echo "${res:0:200}")"
            if [[ -z $R_VERIFIED ]] && grep -q '"status": *"Succeeded"' <<<"$res"; then
                local why=$FAIL_REASON
                if verify_target loose; then
                    FAIL_REASON="$why; the target matches the source (but for $HB_TABLE)"
                else
                    FAIL_REASON="$why; and the target does NOT match the source: $FAIL_REASON"
                fi
            fi
            ;;
    esac
}

# --- one run of one method ---------------------------------------------------------------
# The R_* globals collect the run's figures (empty = not measured).
reset_run_figures() {
    R_READY_S='' R_IDLE_P50='' R_TPS='' R_TXNS='' R_OTHER='' R_CORES='' R_NOISY=0
    R_NSAMP='' R_P50='' R_P95='' R_P99='' R_MAX='' R_CATCHUP='' R_CATCHUP_SWITCH=''
    R_B_TPS='' R_B_TXNS='' R_B_CHANGES='' R_B_STAT_CHANGES='' R_B_CATCHUP='' R_B_RATE=''
    R_B_OTHER='' R_B_CORES='' R_B_NOISY=0 R_B_US_SRC='' R_B_US_TGT='' R_B_US_TOOL=''
    R_CUTOVER_S='' R_TOOL_LAG='' R_VERIFIED=''
}

# prepare: untimed, the same for every method
prepare_run() {
    {
        cleanup_replication
        src_psql postgres -c "DROP DATABASE IF EXISTS \"$ONLINE_DB\" WITH (FORCE)" \
            -c "CREATE DATABASE \"$ONLINE_DB\" TEMPLATE \"$BENCH_DB\" STRATEGY FILE_COPY"
        tgt_psql postgres -c "DROP DATABASE IF EXISTS \"$ONLINE_DB\" WITH (FORCE)"
        src_psql "$ONLINE_DB" -c "CREATE TABLE $HB_TABLE (id int PRIMARY KEY, seq bigint NOT NULL,
                                                         ts timestamptz NOT NULL, lsn pg_lsn NOT NULL)" \
            -c "INSERT INTO $HB_TABLE VALUES (1, 0, clock_timestamp(), pg_current_wal_lsn())"
    } >>"$LOGF" 2>&1
    checkpoint_both_quiet
    sync
}

# switch_wal -- pg_switch_wal() on the source for pgcopydb 0.10, which transforms and
# applies whole WAL segments only (see PGCOPYDB_WAIT).  It waits a few
# heartbeat intervals first, so that the closed segment holds a heartbeat
# written after the caller's reference time.
switch_wal() {
    sleep "$(awk -v i="$HB_INTERVAL" 'BEGIN { print 4 * i }')"
    src_psql postgres -c "SELECT pg_switch_wal()" >>"$LOGF" 2>&1
}

# catch_up T_FROM COND TIMEOUT WHAT -> sets CU_S (seconds from T_FROM until a
# sample matches COND) and CU_SWITCH_S; pgcopydb gets PGCOPYDB_WAIT s, then
# a WAL switch, then the rest (CU_S stays empty, CU_SWITCH_S is counted from
# the switch).  Fails with FAIL_REASON.
catch_up() {
    local from=$1 cond=$2 timeout=$3 what=$4 t_sw
    CU_S='' CU_SWITCH_S=''
    if [[ $M == pgcopydb ]]; then
        if wait_sample "$cond" "$PGCOPYDB_WAIT"; then CU_S=$(elapsed "$from" "$WS_T"); return 0; fi
        tool_alive || { fail "did not catch up after $what: $WS_WHY"; return 1; }
        log "  $M: not caught up $PGCOPYDB_WAIT s after $what; pg_switch_wal()"
        switch_wal
        t_sw=$(now)
        wait_sample "$cond" "$timeout" || { fail "did not catch up after $what: $WS_WHY, also after a WAL switch"; return 1; }
        CU_SWITCH_S=$(elapsed "$t_sw" "$WS_T")
        return 0
    fi
    wait_sample "$cond" "$timeout" || { fail "did not catch up after $what: $WS_WHY"; return 1; }
    CU_S=$(elapsed "$from" "$WS_T")
}

# run_body -- the measured part of one run; fails with FAIL_REASON.  Called
# in a condition, so set -e is off in here: every step checks for itself.
run_body() {
    local t_start r got sprefix=TGT t_end t_res t_pause c0 c1 busy0 snap0 snap1 roots="$$ $SRC_PM $TGT_PM"
    SAMPLES=$RUNDIR/samples.txt
    heartbeat_start "$RUNDIR/heartbeat.log"
    t_start=$(now)
    case $M in
        none) sprefix=SRC ;;
        native) native_start || return 1 ;;
        pgshuttle) pgshuttle_start || return 1 ;;
        pgcopydb) pgcopydb_start || return 1 ;;
    esac
    # the sampler needs the heartbeat table on its side
    while [[ -z $(_pg "$sprefix" psql -X -P pager=off -q -A -t -d "$ONLINE_DB" -c "SELECT to_regclass('$HB_TABLE')" 2>/dev/null) ]]; do
        tool_alive || { fail "$TOOL_KIND exited before creating $HB_TABLE on the target"; return 1; }
        if awk -v a="$t_start" -v b="$(now)" -v d="$COPY_TIMEOUT" 'BEGIN { exit !(b - a > d) }'; then
            fail "no $HB_TABLE on the target after $COPY_TIMEOUT s"; return 1
        fi
        sleep 0.5
    done
    sampler_start "$sprefix" "$SAMPLES"
    if [[ $M == pgcopydb ]]; then
        # it has copied: let it apply what it has, and wait until it did
        # (it looks for new segments every 10 s: lag below 1 s is rare)
        r=$(now)
        switch_wal
        wait_sample "\$3 >= $r" "$COPY_TIMEOUT" || { fail "did not catch up after the copy: $WS_WHY"; return 1; }
    else
        # a sample showing less than 1 s of lag
        wait_sample "\$1 - \$3 < 1" "$COPY_TIMEOUT" || { fail "did not catch up after the copy: $WS_WHY"; return 1; }
    fi
    R_READY_S=$(elapsed "$t_start" "$WS_T")
    [[ $M == none ]] || log "  $M: streaming and caught up $R_READY_S s after the start"
    checkpoint_both_quiet
    busy0=$(bench_wait_idle "$WAIT_IDLE")
    r=$(now); sleep "$SETTLE"
    read -r _ R_IDLE_P50 _ _ _ <<<"$(lag_stats "$r" "$(now)" "$SAMPLES")"

    # live: load while streaming
    log "  $M: pgbench -N -c $CLIENTS -j $THREADS -T $DURATION (CPU ${busy0}% busy before; idle lag p50 $R_IDLE_P50 s)"
    run_load live "$DURATION" || return 1
    R_TPS=$L_TPS R_TXNS=$L_TXNS R_OTHER=$L_OTHER R_CORES=$L_CORES R_NOISY=$L_NOISY
    t_end=$L_T1
    r=0
    if [[ $M != none ]]; then
        catch_up "$t_end" "\$3 >= $t_end" "$CATCHUP_TIMEOUT" "the load" || r=1
        R_CATCHUP=$CU_S R_CATCHUP_SWITCH=$CU_SWITCH_S
    fi
    read -r R_NSAMP R_P50 R_P95 R_P99 R_MAX <<<"$(lag_stats "$L_T0" "$t_end" "$SAMPLES")"
    log "  $M: $R_TPS TPS; lag p50 $R_P50 p95 $R_P95 p99 $R_P99 max $R_MAX s ($R_NSAMP samples); catch-up ${R_CATCHUP:--} s${R_CATCHUP_SWITCH:+ ($R_CATCHUP_SWITCH s after a WAL switch)}; others used $R_CORES cores"
    ((r == 0)) || return 1
    if [[ $M == pgshuttle ]] && command -v jq >/dev/null; then
        # what pgshuttle itself said about its lag during the load, for comparison
        R_TOOL_LAG=$(awk -v a="$L_T0" -v b="$t_end" '$1 >= a && $1 <= b { sub(/^[^ ]* /, ""); print }' "$PGS_JSON" \
            | jq -r 'select(.event == "streaming") | .lag_seconds // empty' 2>/dev/null | percentiles)
    fi

    # backlog: load recorded while the consumer is paused, then applied
    if [[ $M != none ]] && ((BACKLOG_DURATION > 0)); then
        checkpoint_both_quiet
        c0=$(source_changes)
        case $M in
            native) native_pause || return 1 ;;
            *) tool_signal STOP || { fail "cannot stop $M"; return 1; } ;;
        esac
        t_pause=$(now)
        log "  $M: consumer paused; pgbench -T $BACKLOG_DURATION"
        run_load backlog "$BACKLOG_DURATION" || return 1
        R_B_TPS=$L_TPS R_B_TXNS=$L_TXNS
        t_end=$L_T1
        # pgcopydb applies whole segments only: close the one holding the backlog's end
        [[ $M != pgcopydb ]] || switch_wal
        # shellcheck disable=SC2086
        snap0=$(cpu_snapshot $roots ${TOOL_PID:-})
        t_res=$(now)
        case $M in
            native) native_resume || return 1 ;;
            *) tool_signal CONT || { fail "cannot resume $M"; return 1; } ;;
        esac
        # a pause that did not pause would make a backlog out of nothing
        r=$(awk -v a="$t_pause" -v b="$t_res" 'NF == 3 && $1 >= a && $1 <= b && $3 > m { m = $3 } END { printf "%.3f", m - a }' "$SAMPLES")
        if awk -v r="$r" 'BEGIN { exit !(r > 0.5) }'; then
            fail "the target kept applying while $M was paused (a heartbeat written $r s after the pause)"; return 1
        fi
        wait_sample "\$1 >= $t_res && \$3 >= $t_end" "$CATCHUP_TIMEOUT" || { fail "did not apply the backlog: $WS_WHY"; return 1; }
        # shellcheck disable=SC2086
        snap1=$(cpu_snapshot $roots ${TOOL_PID:-})
        R_B_CATCHUP=$(elapsed "$t_res" "$WS_T")
        R_B_CHANGES=$((2 * L_TXNS))
        c1=$(source_changes)
        R_B_STAT_CHANGES=$((c1 - c0))
        R_B_RATE=$(awk -v n="$R_B_CHANGES" -v s="$R_B_CATCHUP" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }')
        R_B_OTHER=$(foreign_cpu "$snap0" "$snap1")
        R_B_CORES=$(awk -v o="$R_B_OTHER" -v s="$R_B_CATCHUP" 'BEGIN { printf "%.2f", (s > 0 ? o / s : 0) }')
        R_B_NOISY=$(awk -v c="$R_B_CORES" -v l="$NOISE_LIMIT" 'BEGIN { print ((c > l) ? 1 : 0) }')
        # where the CPU went, per change: roots are this script, source, target, tool
        R_B_US_SRC=$(tree_cpu_us "$snap0" "$snap1" 2 "$R_B_CHANGES")
        R_B_US_TGT=$(tree_cpu_us "$snap0" "$snap1" 3 "$R_B_CHANGES")
        R_B_US_TOOL=$(tree_cpu_us "$snap0" "$snap1" 4 "$R_B_CHANGES")
        log "  $M: backlog of $R_B_CHANGES changes ($R_B_STAT_CHANGES by pg_stat_user_tables; source at $R_B_TPS TPS meanwhile) applied in $R_B_CATCHUP s: $R_B_RATE changes/s; CPU per change: source ${R_B_US_SRC:--} us, target ${R_B_US_TGT:--} us, tool ${R_B_US_TOOL:--} us; others used $R_B_CORES cores"
    fi

    # the end: last heartbeat applied, then stop, cut over, verify
    heartbeat_stop || { fail "cannot read the last heartbeat"; return 1; }
    if [[ $M != none ]]; then
        [[ $M != pgcopydb ]] || switch_wal
        wait_sample "\$2 >= $HB_SEQ" "$CATCHUP_TIMEOUT" || { fail "the last heartbeat did not arrive: $WS_WHY"; return 1; }
    fi
    sampler_stop
    case $M in
        none) ;;
        native)
            verify_target || { R_VERIFIED=false; return 1; }
            R_VERIFIED=true
            native_finish || return 1
            ;;
        pgshuttle)
            t_res=$(now)
            kill -USR1 "$TOOL_PID"
            tool_wait_exit "$CATCHUP_TIMEOUT" \
                || { fail "pgshuttle still runs $CATCHUP_TIMEOUT s after SIGUSR1 (cutover)"; return 1; }
            r=$TOOL_RC
            R_CUTOVER_S=$(elapsed "$t_res")
            got=$(grep '"event": *"result"' "$PGS_JSON" | tail -n1 | cut -d' ' -f2-)
            if ((r != 0)) || ! grep -q '"status": *"Succeeded"' <<<"$got"; then
                fail "cutover failed (exit status $r): ${got:0:300}"; return 1
            fi
            log "  $M: cutover took $R_CUTOVER_S s"
            verify_target || { R_VERIFIED=false; return 1; }
            R_VERIFIED=true
            ;;
        pgcopydb)
            t_res=$(now)
            pgcopydb stream sentinel set endpos --current --source "$SRC_DB_URI" >>"$LOGF" 2>&1 \
                || { fail "pgcopydb stream sentinel set endpos failed"; return 1; }
            tool_wait_exit "$CATCHUP_TIMEOUT" \
                || { fail "pgcopydb did not stop at endpos within $CATCHUP_TIMEOUT s"; return 1; }
            r=$TOOL_RC
            R_CUTOVER_S=$(elapsed "$t_res")
            ((r == 0)) || { fail "pgcopydb exited with status $r after endpos"; return 1; }
            verify_target || { R_VERIFIED=false; return 1; }
            R_VERIFIED=true
            ;;
    esac
}

declare -A STATUSES=()   # method -> space separated run statuses
declare -A FAILS=()      # method -> failed runs
declare -A VALS=()       # "method metric" -> space separated values of every run
declare -A NOISY_LIVE=() # method -> 1 when others took the CPUs during a run's live load
declare -A NOISY_BL=()   # ... during a run's backlog catch-up
declare -A REASONS=()    # method -> "run N: why" lines of failed runs
add_val() { [[ -z $3 || $3 == null ]] || VALS["$1 $2"]="${VALS["$1 $2"]-} $3"; }

one_run() {
    M=$1
    local round=$2 status detail='' rc=0 k v n a b c d tool_lag=null
    LOGF="$LOGDIR/$M-run$round.log"
    RUNDIR=$(mktemp -d "$WORK/run.XXXXXX")
    TOOL_PID='' TOOL_KIND='' FAIL_REASON='' PGS_JSON=''
    reset_run_figures
    log "round $round: ${LABEL[$M]} ..."
    prepare_run
    run_body || rc=$?
    detail=$FAIL_REASON
    stop_everything
    if ((rc)); then explain_failure; detail=$FAIL_REASON; fi
    if ((rc == 0)); then
        status=ok
    elif [[ $R_VERIFIED == false ]]; then
        status=verify_failed
    else
        status=failed
    fi
    cleanup_replication >>"$LOGF" 2>&1 || true
    cp "$RUNDIR/samples.txt" "$LOGDIR/$M-run$round.samples" 2>/dev/null || true
    [[ -z $PGS_JSON || ! -f $PGS_JSON ]] || cp "$PGS_JSON" "$LOGDIR/$M-run$round.pgshuttle.jsonl"
    # the figures of failed runs too (e.g. a tool's TPS and lag before it
    # stalled); a method with a failed run meets no target
    for k in TPS P50 P95 P99 MAX CATCHUP CATCHUP_SWITCH B_RATE B_CATCHUP B_TPS READY_S IDLE_P50 CUTOVER_S; do
        v="R_$k"; add_val "$M" "$k" "${!v}"
    done
    ((R_NOISY == 0)) || NOISY_LIVE[$M]=1
    ((R_B_NOISY == 0)) || NOISY_BL[$M]=1
    if [[ $status == ok ]]; then
        log "round $round: ${LABEL[$M]}: ok$( [[ $M == none ]] || echo ', target verified')"
    else
        FAILS[$M]=$((${FAILS[$M]-0} + 1))
        REASONS[$M]+="run $round: $status: $detail"$'\n'
        log "round $round: ${LABEL[$M]}: $status: $detail; log $LOGF:"
        tail -n 15 "$LOGF" | sed 's/^/    /' >&2
    fi
    STATUSES[$M]="${STATUSES[$M]-} $status"
    if [[ -n $R_TOOL_LAG ]]; then
        read -r n a b c d <<<"$R_TOOL_LAG"
        tool_lag=$(printf '{"n":%s,"p50":%s,"p95":%s,"p99":%s,"max":%s}' "$n" "$a" "$b" "$c" "$d")
    fi
    emit "$(printf '"kind":"run","method":%s,"round":%s,"status":%s,"detail":%s,"ready_s":%s,"idle_lag_p50_s":%s,"tps":%s,"transactions":%s,"lag_samples":%s,"lag_p50_s":%s,"lag_p95_s":%s,"lag_p99_s":%s,"lag_max_s":%s,"catchup_s":%s,"catchup_after_wal_switch_s":%s,"tool_reported_lag_s":%s,"other_cpu_s":%s,"other_cores":%s,"noisy":%s,"backlog":{"tps":%s,"transactions":%s,"changes":%s,"changes_by_stats":%s,"catchup_s":%s,"changes_per_s":%s,"cpu_us_per_change":{"source":%s,"target":%s,"tool":%s},"other_cpu_s":%s,"other_cores":%s,"noisy":%s},"cutover_s":%s,"verified":%s,"log":%s' \
        "$(json_str "$M")" "$round" "$(json_str "$status")" "$(json_str "$detail")" \
        "$(jnum "$R_READY_S")" "$(jnum "$R_IDLE_P50")" "$(jnum "$R_TPS")" "$(jnum "$R_TXNS")" "$(jnum "$R_NSAMP")" \
        "$(jnum "$R_P50")" "$(jnum "$R_P95")" "$(jnum "$R_P99")" "$(jnum "$R_MAX")" "$(jnum "$R_CATCHUP")" "$(jnum "$R_CATCHUP_SWITCH")" "$tool_lag" \
        "$(jnum "$R_OTHER")" "$(jnum "$R_CORES")" "$(jbool "$R_NOISY")" \
        "$(jnum "$R_B_TPS")" "$(jnum "$R_B_TXNS")" "$(jnum "$R_B_CHANGES")" "$(jnum "$R_B_STAT_CHANGES")" \
        "$(jnum "$R_B_CATCHUP")" "$(jnum "$R_B_RATE")" "$(jnum "$R_B_US_SRC")" "$(jnum "$R_B_US_TGT")" "$(jnum "$R_B_US_TOOL")" "$(jnum "$R_B_OTHER")" "$(jnum "$R_B_CORES")" "$(jbool "$R_B_NOISY")" \
        "$(jnum "$R_CUTOVER_S")" "$(jnum "$R_VERIFIED")" "$(json_str "$LOGF")")"
    rm -rf "$RUNDIR"
}

# --- rounds -----------------------------------------------------------------------------
for m in "${METHODS[@]}"; do
    if [[ -n ${UNAVAILABLE[$m]-} ]]; then
        log "${LABEL[$m]}: UNAVAILABLE (${UNAVAILABLE[$m]})"
        emit "$(printf '"kind":"run","method":%s,"status":"unavailable","detail":%s' \
            "$(json_str "$m")" "$(json_str "${UNAVAILABLE[$m]}")")"
    fi
done
for ((round = 1; round <= RUNS; round++)); do
    for m in "${METHODS[@]}"; do
        [[ -z ${UNAVAILABLE[$m]-} ]] || continue
        one_run "$m" "$round"
    done
done
src_psql postgres -c "DROP DATABASE IF EXISTS \"$ONLINE_DB\" WITH (FORCE)" >/dev/null
tgt_psql postgres -c "DROP DATABASE IF EXISTS \"$ONLINE_DB\" WITH (FORCE)" >/dev/null

# --- report -------------------------------------------------------------------------------
# med METHOD METRIC -> median over the method's runs, empty when none
med() {
    local v="${VALS["$1 $2"]-}"
    [[ -n $v ]] || return 0
    # shellcheck disable=SC2086
    median $v
}
fmt() { if [[ -z $1 ]]; then echo -n "-"; else awk -v v="$1" -v f="$2" 'BEGIN { printf f, v }'; fi; }
ratio() { [[ -z $1 || -z $2 ]] || awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b }'; }
method_ok() { [[ -z ${UNAVAILABLE[$1]-} && ${FAILS[$1]-0} -eq 0 && -n ${VALS["$1 TPS"]-} ]]; }

NONE_TPS=$(med none TPS)
echo
echo "Change-streaming benchmark: database $BENCH_DB, $DB_MIB MiB (pgbench scale $SCALE + wide);" \
    "load pgbench -N -c $CLIENTS -j $THREADS -T $DURATION; backlog ${BACKLOG_DURATION} s of load;" \
    "$RUNS run(s)$( ((RUNS > 1)) && echo ', medians'); heartbeat every $HB_MS ms, sampled every $SAMPLE_MS ms"
echo
echo "| method | source TPS | TPS vs none | lag p50 / p95 / p99 / max (s) | catch-up after the load (s) | backlog apply (changes/s) | backlog catch-up (s) | copy until streaming (s) | runs (ok: target verified) |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
for m in "${METHODS[@]}"; do
    if [[ -n ${UNAVAILABLE[$m]-} ]]; then
        echo "| ${LABEL[$m]} | UNAVAILABLE: ${UNAVAILABLE[$m]} | | | | | | | |"
        emit "$(printf '"kind":"summary","method":%s,"status":"unavailable","detail":%s' "$(json_str "$m")" "$(json_str "${UNAVAILABLE[$m]}")")"
        continue
    fi
    tps=$(med "$m" TPS) p50=$(med "$m" P50) p95=$(med "$m" P95) p99=$(med "$m" P99) mx=$(med "$m" MAX)
    cu=$(med "$m" CATCHUP) rate=$(med "$m" B_RATE) bcu=$(med "$m" B_CATCHUP) ready=$(med "$m" READY_S)
    vsnone=$(ratio "$tps" "$NONE_TPS")
    nz=''; [[ -z ${NOISY_LIVE[$m]-} ]] || nz='*'
    nzb=''; [[ -z ${NOISY_BL[$m]-} ]] || nzb='*'
    st="${STATUSES[$m]# }"
    lagcol="$(fmt "$p50" %.3f) / $(fmt "$p95" %.3f) / $(fmt "$p99" %.3f) / $(fmt "$mx" %.3f)"
    [[ $m != none ]] || lagcol+=" (heartbeat floor)"
    if [[ $m == none ]]; then rate='' bcu='' cu='' ready=''; fi
    cusw=$(med "$m" CATCHUP_SWITCH) cucol=$(fmt "$cu" %.2f)
    if [[ -n $cusw ]]; then   # pgcopydb, in some run(s)
        cucol="none in $PGCOPYDB_WAIT s; $(fmt "$cusw" %.2f) after pg_switch_wal()"
        [[ -z $cu ]] || cucol="$(fmt "$cu" %.2f) (some runs: $cucol)"
    fi
    echo "| ${LABEL[$m]} | $(fmt "$tps" %.0f)$nz | $(fmt "$vsnone" %.2f) | $lagcol | $cucol | $(fmt "$rate" %.0f)${rate:+$nzb} | $(fmt "$bcu" %.2f) | $(fmt "$ready" %.1f) | ${st// /, }$( ((${FAILS[$m]-0} && RUNS > 1)) && echo " (FAILED ${FAILS[$m]}/$RUNS)") |"
    emit "$(printf '"kind":"summary","method":%s,"status":%s,"runs":%s,"failed_runs":%s,"noisy":%s,"tps":%s,"tps_vs_none":%s,"lag_p50_s":%s,"lag_p95_s":%s,"lag_p99_s":%s,"lag_max_s":%s,"catchup_s":%s,"catchup_after_wal_switch_s":%s,"backlog_changes_per_s":%s,"backlog_catchup_s":%s,"ready_s":%s' \
        "$(json_str "$m")" "$(json_str "$( ((${FAILS[$m]-0} == 0)) && echo ok || echo failed)")" "$RUNS" "${FAILS[$m]-0}" \
        "$( [[ -n ${NOISY_LIVE[$m]-}${NOISY_BL[$m]-} ]] && echo true || echo false)" "$(jnum "$tps")" "$(jnum "$vsnone")" \
        "$(jnum "$p50")" "$(jnum "$p95")" "$(jnum "$p99")" "$(jnum "$mx")" "$(jnum "$cu")" "$(jnum "$cusw")" "$(jnum "$rate")" "$(jnum "$bcu")" "$(jnum "$ready")")"
done
if ((${#REASONS[@]})); then
    echo
    for m in "${METHODS[@]}"; do
        [[ -z ${REASONS[$m]-} ]] || printf '%s' "${REASONS[$m]}" | sed "s|^|${LABEL[$m]}, |"
    done
fi
if ((${#NOISY_LIVE[@]} + ${#NOISY_BL[@]})); then
    echo
    echo "* other processes used more than $NOISE_LIMIT cores on average during a load or a backlog catch-up" \
        "of this method: suspect (other_cores in the JSON; --wait-idle PCT waits for a quiet machine)"
fi

echo
echo "pgshuttle / native: $(
    if method_ok pgshuttle && method_ok native; then
        printf 'TPS %s, lag p95 %s, catch-up %s, backlog apply rate %s' \
            "$(ratio "$(med pgshuttle TPS)" "$(med native TPS)")" "$(ratio "$(med pgshuttle P95)" "$(med native P95)")" \
            "$(ratio "$(med pgshuttle CATCHUP)" "$(med native CATCHUP)")" "$(ratio "$(med pgshuttle B_RATE)" "$(med native B_RATE)")"
    else
        echo "n/a (needs successful pgshuttle and native runs)"
    fi)"
echo
echo "Targets:"
# target NAME MET(1/0/empty) TEXT [NOISY]
target() {
    local name=$1 met=$2 text=$3 noisy=${4:-} verdict
    if [[ -z $met ]]; then verdict="n/a ($text)"
    elif ((met)); then verdict="met ($text)"
    else verdict="NOT MET ($text)"; fi
    # only a verdict from figures can be suspect
    [[ -z $noisy || -z $met || $text == *failed* ]] || verdict+=" SUSPECT: noisy runs"
    printf '  %-46s %s\n' "$name" "$verdict"
    emit "$(printf '"kind":"target","name":%s,"met":%s,"verdict":%s' "$(json_str "$name")" \
        "$(if [[ -z $met ]]; then echo null; elif ((met)); then echo true; else echo false; fi)" "$(json_str "$verdict")")"
}
why_na() {   # why_na METHOD... -> reason a comparison cannot be made, empty if it can
    local m
    for m in "$@"; do
        if ! selected "$m"; then echo "$m not run"; return; fi
        if [[ -n ${UNAVAILABLE[$m]-} ]]; then echo "$m unavailable"; return; fi
        if ! method_ok "$m"; then echo "$m failed"; return; fi
    done
}
pgshuttle_failed() { selected pgshuttle && [[ -z ${UNAVAILABLE[pgshuttle]-} ]] && ! method_ok pgshuttle; }

na=$(why_na pgshuttle)
if [[ -z $na ]]; then
    v=$(med pgshuttle P95)
    target "lag p95 <= $TARGET_LAG_P95 s under the load" "$(awk -v a="$v" -v b="$TARGET_LAG_P95" 'BEGIN { print (a <= b) ? 1 : 0 }')" \
        "pgshuttle p95 $v s" "${NOISY_LIVE[pgshuttle]-}"
elif pgshuttle_failed; then target "lag p95 <= $TARGET_LAG_P95 s under the load" 0 "pgshuttle failed"
else target "lag p95 <= $TARGET_LAG_P95 s under the load" "" "$na"; fi

na=$(why_na pgshuttle native)
if [[ -z $na ]]; then
    a=$(med pgshuttle TPS) b=$(med native TPS)
    target "source TPS >= with the native subscription" "$(awk -v a="$a" -v b="$b" 'BEGIN { print (a >= b) ? 1 : 0 }')" \
        "pgshuttle $(fmt "$a" %.0f), native $(fmt "$b" %.0f): ratio $(ratio "$a" "$b")" "${NOISY_LIVE[pgshuttle]-}${NOISY_LIVE[native]-}"
    if ((BACKLOG_DURATION > 0)); then
        a=$(med pgshuttle B_RATE) b=$(med native B_RATE)
        target "backlog apply >= $TARGET_BACKLOG_FACTOR x native" "$(awk -v a="$a" -v b="$b" -v f="$TARGET_BACKLOG_FACTOR" 'BEGIN { print (a >= f * b) ? 1 : 0 }')" \
            "pgshuttle $(fmt "$a" %.0f), native $(fmt "$b" %.0f) changes/s: ratio $(ratio "$a" "$b")" "${NOISY_BL[pgshuttle]-}${NOISY_BL[native]-}"
    else
        target "backlog apply >= $TARGET_BACKLOG_FACTOR x native" "" "no backlog phase (--backlog-duration 0)"
    fi
else
    met=''; pgshuttle_failed && met=0
    target "source TPS >= with the native subscription" "$met" "$na"
    target "backlog apply >= $TARGET_BACKLOG_FACTOR x native" "$met" "$na"
fi
echo
echo "JSON lines: $RESULTS"

rc=0
for m in "${METHODS[@]}"; do
    if [[ -n ${UNAVAILABLE[$m]-} ]] || ((${FAILS[$m]-0})); then rc=1; fi
done
exit "$rc"
