#!/usr/bin/env bash
# bench/store.sh -- the state store under load (issue 16: "200 migrations'
# progress updates per second across three nodes, with the store's CPU and
# the API's list latency reported").
#
# One throwaway PostgreSQL 15 cluster as the store (scripts/pg-cluster), a
# secret key, K real `pgshuttle serve` nodes sharing it (their supervisors
# list the active migrations and try to claim some every second: part of
# the load), and tests/tools/store_load writing, for S seconds, what the
# workers of N streaming online migrations spread over K nodes write:
# their state R times a second, lease renewals, streaming events, request
# polls.  store_load's migrations hold live leases of other owners (nodes
# n0, n1, ...), so the serve nodes neither claim nor run them: checked (no
# worker started, no write refused).  Meanwhile:
#
#   store CPU   utime+stime of every process of the store cluster (the
#               postmaster's tree, exited backends included) over the run,
#               as % of one core and of the machine
#   API         GET /api/v1/migrations and /api/v1/migrations?view=grid on
#               every node every 0.5 s with the token: latency p50/p95/max
#               and answer size
#   serve CPU   each node's process, as % of one core
#   store_load  its own figures: operations per second by kind against
#               the rate wanted, latency p50/p95/p99/max, errors, late and
#               missed slots
#
# Then, --rest seconds at rest: the same migrations in the store, nobody
# writing: what the nodes' own reads and the API cost alone (the CPU and
# API figures again).
#
# Prints a table; JSON lines go to bench/results/store-STAMP.json, logs to
# bench/results/store-STAMP/.  See bench/README.md.
set -euo pipefail

# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
    cat <<EOF
Usage: bench/store.sh [OPTIONS]

  --migrations N    migrations store_load writes for (default 200)
  --nodes K         serve nodes, and nodes store_load spreads its workers over (default 3)
  --seconds S       how long the load runs (default 60)
  --threads T       store_load's threads per node, a store connection each (default 8)
  --rate R          state writes per migration per second (default 1)
  --api-period S    seconds between two looks at one node's API (default 0.5)
  --rest S          then S seconds at rest: the migrations stay, nobody writes (default 15; 0: none)
  --pgshuttle PATH  pgshuttle binary (default build/pgshuttle)
  --store-load PATH the load generator (default build/tests/store_load)
  --results FILE    JSON lines output (default bench/results/store-STAMP.json)
  --wait-idle PCT   before the load, wait (up to 10 min) until the machine's CPUs are at most PCT % busy
  --keep            keep the store cluster and store_load's migrations; print how to reach them
  -h, --help        this help

Environment: BENCH_DIR (parent of the temporary directory, default /tmp),
PG_CLUSTER (default scripts/pg-cluster), PG_CLUSTER_WAIT (seconds to wait for it).
EOF
}

MIGRATIONS=200 NODES=3 SECONDS_RUN=60 THREADS=8 RATE=1 REST=15 KEEP=0 RESULTS='' WAIT_IDLE='' API_PERIOD=0.5
PGSHUTTLE=$REPO_ROOT/build/pgshuttle
STORE_LOAD=$REPO_ROOT/build/tests/store_load
while [[ $# -gt 0 ]]; do
    case $1 in
        --migrations) MIGRATIONS=$2; shift 2 ;;
        --nodes) NODES=$2; shift 2 ;;
        --seconds) SECONDS_RUN=$2; shift 2 ;;
        --threads) THREADS=$2; shift 2 ;;
        --rate) RATE=$2; shift 2 ;;
        --rest) REST=$2; shift 2 ;;
        --api-period) API_PERIOD=$2; shift 2 ;;
        --pgshuttle) PGSHUTTLE=$2; shift 2 ;;
        --store-load) STORE_LOAD=$2; shift 2 ;;
        --results) RESULTS=$2; shift 2 ;;
        --wait-idle) WAIT_IDLE=$2; shift 2 ;;
        --keep) KEEP=1; shift ;;
        -h|--help) usage; exit 0 ;;
        *) usage >&2; die "unknown option: $1" ;;
    esac
done
for v in MIGRATIONS NODES SECONDS_RUN THREADS; do
    [[ ${!v} =~ ^[1-9][0-9]*$ ]] || { v=${v%_RUN}; die "--${v,,} wants a positive number"; }
done
[[ $RATE =~ ^[0-9]*\.?[0-9]+$ ]] || die "--rate wants a positive number"
# store_load's leases live 300 s after its last renewal: the nodes must not claim them at rest
[[ -z $WAIT_IDLE || $WAIT_IDLE =~ ^[0-9]+$ ]] || die "--wait-idle wants a percentage"
[[ $REST =~ ^[0-9]+$ && $REST -le 240 ]] || die "--rest wants a number of seconds up to 240"
[[ $PGSHUTTLE == /* ]] || PGSHUTTLE=$(realpath -m -- "$PGSHUTTLE")
[[ -x $PGSHUTTLE ]] || die "no executable $PGSHUTTLE (build it: cmake --build build)"
[[ -x $STORE_LOAD ]] || die "no executable $STORE_LOAD (build it: cmake --build build --target store_load)"
[[ $("$PGSHUTTLE" serve --help 2>&1 || true) == *--secret-key-file* ]] || die "$PGSHUTTLE serve has no shared store (--state)"
for tool in curl jq psql; do
    command -v "$tool" >/dev/null || die "$tool is not installed"
done

[[ $API_PERIOD =~ ^[0-9]*\.?[0-9]+$ ]] || die "--api-period wants a number of seconds"
API_PERIOD_US=$(awk -v s="$API_PERIOD" 'BEGIN { printf "%d", s * 1e6 }')
((API_PERIOD_US >= 100000)) || die "--api-period: 0.1 s at least"
NODE_NAME_PREFIX=bench # serve nodes bench-1 ...: never store_load's n0, n1, ... (whose leases they would adopt)
STORE_DB=pgshuttle_state
# the tool's connections, and per node the supervisor's and a full API pool, and psql
MAX_CONNECTIONS=$((NODES * THREADS + NODES * 12 + 20))
((MAX_CONNECTIONS >= 100)) || MAX_CONNECTIONS=100

# --- output files -----------------------------------------------------------------
bench_results_init store

# --- cleanup ----------------------------------------------------------------------
WORK=$(mktemp -d "${BENCH_DIR:-/tmp}/pgshuttle-bench.XXXXXX")
NODE_PIDS=() NODE_URLS=() SAMPLER_PIDS=() LOAD_PID='' LOAD_CLEANUP=0

# stop_nodes: SIGTERM to every serve node, SIGKILL to those still there after 60 s
stop_nodes() {
    local pid i
    for pid in "${NODE_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${NODE_PIDS[@]}"; do
        for ((i = 0; i < 600; i++)); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL -- "-$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    NODE_PIDS=()
}

stop_samplers() {
    local pid
    for pid in "${SAMPLER_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${SAMPLER_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    SAMPLER_PIDS=()
}

# shellcheck disable=SC2317  # invoked by the EXIT trap
cleanup() {
    local rc=$? i
    trap - EXIT INT TERM
    stop_samplers
    if [[ -n $LOAD_PID ]]; then
        kill -TERM "$LOAD_PID" 2>/dev/null || true
        wait "$LOAD_PID" 2>/dev/null || true
    fi
    if ((LOAD_CLEANUP && !KEEP)); then
        PGSHUTTLE_STATE=$STORE_DB_URI "$STORE_LOAD" "${LOAD_COMMON[@]}" --cleanup \
            >>"$LOAD_OUT" 2>>"$LOGDIR/store_load.err" || log "WARNING: store_load --cleanup failed"
    fi
    stop_nodes
    for ((i = 1; i <= NODES; i++)); do
        [[ -f $WORK/node-$i/serve.err ]] && cp "$WORK/node-$i/serve.err" "$LOGDIR/serve-$NODE_NAME_PREFIX-$i.log"
    done
    if ((KEEP)) && [[ -n ${STORE_PORT-} ]]; then
        # shellcheck disable=SC2153  # STORE_* are set by bench_start_cluster
        log "the store: database $STORE_DB on $STORE_HOST:$STORE_PORT, user $STORE_USER, password in ${STORE_DIR}/password; key $WORK/secret.key"
    fi
    bench_finish store.sh
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

bench_private_pgshuttle
# the same for the load generator
cp -- "$STORE_LOAD" "$WORK/store_load"
STORE_LOAD=$WORK/store_load

# --- the store, the key, the token ------------------------------------------------
PG_CLUSTER_WAIT=${PG_CLUSTER_WAIT:-0} bench_wait_pg_cluster
bench_start_cluster STORE "$WORK/store" "" --set "max_connections=$MAX_CONNECTIONS"
# shellcheck disable=SC2153  # STORE_* are set by bench_start_cluster
STORE_PM=$(postmaster_pid "$STORE_DIR")
cluster_psql STORE postgres -c "CREATE DATABASE $STORE_DB"
# the URI holds the password: it goes to the nodes and store_load in their environment only
STORE_DB_URI=$(db_uri "$STORE_URI" "$STORE_DB")
KEY_FILE=$WORK/secret.key
"$PGSHUTTLE" secret-key "$KEY_FILE" >/dev/null
TOKEN=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
# curl reads the header from a file: the token stays out of every process's argv
AUTH_HEADER=$WORK/auth-header
(umask 077 && printf 'Authorization: Bearer %s\n' "$TOKEN" >"$AUTH_HEADER")

# --- the migrations, before the nodes ------------------------------------------------
# A migration is created without a lease, and a node's supervisor claims such one
# within a second: store_load makes them with their leases before any node runs.
LOAD_OUT=$LOGDIR/store_load.out
LOAD_JSON=$LOGDIR/store_load.json
API_SAMPLES=$LOGDIR/api-samples.txt
: >"$API_SAMPLES"
LOAD_COMMON=(--key "$KEY_FILE" --migrations "$MIGRATIONS" --nodes "$NODES")
# the machine's CPU use just before (others' work skews every figure on 2 cores)
BUSY_BEFORE=$(bench_wait_idle "$WAIT_IDLE")
log "the machine is ${BUSY_BEFORE}% busy, load average $(loadavg1)"
emit "$(printf '"kind":"before","busy_pct":%s,"loadavg1":%s' "$BUSY_BEFORE" "$(loadavg1)")"
LOAD_CLEANUP=1
PGSHUTTLE_STATE=$STORE_DB_URI "$STORE_LOAD" "${LOAD_COMMON[@]}" --setup >"$LOAD_OUT" 2>"$LOGDIR/store_load.err" \
    || { cat "$LOAD_OUT" "$LOGDIR/store_load.err" >&2; die "store_load --setup failed"; }

# --- the nodes -----------------------------------------------------------------------
# start_node I: serve node bench-I in a process group of its own, its share of the
# migrations as its capacity (it has room, so its supervisor tries to claim every second)
start_node() {
    local i=$1 dir=$WORK/node-$1
    mkdir -p "$dir"
    PGSHUTTLE_STATE=$STORE_DB_URI PGSHUTTLE_TOKEN=$TOKEN setsid "$PGSHUTTLE" serve \
        --node-name "$NODE_NAME_PREFIX-$i" --listen 127.0.0.1:0 --state-dir "$dir" \
        --secret-key-file "$KEY_FILE" --max-migrations $(((MIGRATIONS + NODES - 1) / NODES)) \
        </dev/null >"$dir/serve.out" 2>"$dir/serve.err" &
    NODE_PIDS+=("$!")
}

# node_url I -> where node I says it listens (waits up to 30 s)
node_url() {
    local i=$1 url='' n
    for ((n = 0; n < 300; n++)); do
        url=$(sed -n 's|.*listening on \(http://127\.0\.0\.1:[0-9][0-9]*\).*|\1|p' "$WORK/node-$i/serve.err" | head -n 1)
        [[ -n $url ]] && break
        kill -0 "${NODE_PIDS[i - 1]}" 2>/dev/null || { tail -n 20 "$WORK/node-$i/serve.err" >&2; die "node $NODE_NAME_PREFIX-$i ended at start"; }
        sleep 0.1
    done
    [[ -n $url ]] || die "node $NODE_NAME_PREFIX-$i did not say where it listens within 30 s"
    printf '%s\n' "$url"
}

for ((i = 1; i <= NODES; i++)); do start_node "$i"; done
for ((i = 1; i <= NODES; i++)); do
    NODE_URLS+=("$(node_url "$i")")
    log "node $NODE_NAME_PREFIX-$i: pid ${NODE_PIDS[i - 1]} at ${NODE_URLS[i - 1]}"
done
[[ $(curl -sS -o /dev/null -w '%{http_code}' -H @"$AUTH_HEADER" "${NODE_URLS[0]}/api/v1/migrations") == 200 ]] \
    || die "GET /api/v1/migrations on node $NODE_NAME_PREFIX-1 does not answer 200 with the token"

emit "$(printf '"kind":"setup","migrations":%s,"nodes":%s,"seconds":%s,"rest_s":%s,"threads_per_node":%s,"rate":%s,"api_period_s":%s,"nproc":%s,"mem_kib":%s,"kernel":%s,"server":%s,"max_connections":%s,"pgshuttle":%s,"pgshuttle_rev":%s' \
    "$MIGRATIONS" "$NODES" "$SECONDS_RUN" "$REST" "$THREADS" "$RATE" "$API_PERIOD" "$(nproc)" \
    "$(awk '/MemTotal/ { print $2 }' /proc/meminfo)" "$(json_str "$(uname -r)")" \
    "$(json_str "$(cluster_psql STORE postgres -c 'SELECT version()')")" "$MAX_CONNECTIONS" \
    "$(json_str "$PGSHUTTLE_ORIG sha256 $(sha256sum "$PGSHUTTLE" | cut -c1-12)")" \
    "$(json_str "$(git -C "$REPO_ROOT" describe --always --dirty 2>/dev/null || echo unknown)")")"

# --- the API samplers --------------------------------------------------------------
# api_sampler NODE URL FILE: every API_PERIOD s, GET the list, full then grid view
# (one curl for both: a process per request would cost more CPU than the requests);
# one line per request: "TICK_EPOCH NODE VIEW SECONDS BYTES HTTP_CODE"
api_sampler() {
    local node=$1 url=$2 file=$3 out t0 next_us now_us wait_us line i views=(full grid)
    next_us=${EPOCHREALTIME/./}
    while :; do
        t0=$EPOCHREALTIME
        out=$(curl -sS -H @"$AUTH_HEADER" -w '%{time_total} %{size_download} %{http_code}\n' \
            -o /dev/null "$url/api/v1/migrations" -o /dev/null "$url/api/v1/migrations?view=grid" \
            2>/dev/null) || true
        # curl writes a line per request, a failed one too (code 000); none if it could not run
        [[ -n $out ]] || out=$'0 0 000\n0 0 000'
        i=0
        while IFS= read -r line && ((i < 2)); do
            printf '%s %s %s %s\n' "$t0" "$node" "${views[i]}" "$line"
            i=$((i + 1))
        done <<<"$out" >>"$file"
        # the fixed period, whatever the requests took (bash arithmetic: no process per tick)
        next_us=$((next_us + API_PERIOD_US))
        now_us=${EPOCHREALTIME/./}
        wait_us=$((next_us - now_us))
        if ((wait_us > 0)); then
            sleep "$(printf '%d.%06d' $((wait_us / 1000000)) $((wait_us % 1000000)))"
        else
            next_us=$now_us
        fi
    done
}

# --- the run ------------------------------------------------------------------------
# --keep: its migrations are deleted after the window (--cleanup at exit), which
# ends when it exits: once reaped, its CPU time is in this script's tree
load_args=("${LOAD_COMMON[@]}" --threads "$THREADS" --seconds "$SECONDS_RUN" --rate "$RATE"
    --json "$LOAD_JSON" --keep)
log "store_load ${load_args[*]}"
PGSHUTTLE_STATE=$STORE_DB_URI "$STORE_LOAD" "${load_args[@]}" >>"$LOAD_OUT" 2>>"$LOGDIR/store_load.err" &
LOAD_PID=$!
# the window starts once its threads run
until grep -q '^store_load: running for' "$LOAD_OUT"; do
    kill -0 "$LOAD_PID" 2>/dev/null || { cat "$LOAD_OUT" "$LOGDIR/store_load.err" >&2; die "store_load ended before its run"; }
    sleep 0.1
done
grep -v '^store_load: store ' "$LOAD_OUT" | sed 's/^/  /' >&2
# roots: 1 this script (the nodes, store_load, curl), 2 the store, 3.. the nodes
roots=("$$" "$STORE_PM" "${NODE_PIDS[@]}")
NPROC=$(nproc)

# phase_begin / phase_end: a measured window (CPU snapshots, the API samplers
# running): P_SNAP0 P_T0, P_SNAP1 P_T1
# store_counters -> "COMMITS WAL_RECORDS WAL_BYTES WAL_SYNCS" of the store so far
# (its database's commits; pg_stat_wal: what the writes cost it in WAL and fsyncs)
store_counters() {
    cluster_psql STORE postgres -F ' ' -c "SELECT (SELECT xact_commit FROM pg_stat_database
        WHERE datname = '$STORE_DB'), wal_records, wal_bytes, wal_sync FROM pg_stat_wal"
}

phase_begin() {
    local i
    P_STORE0=$(store_counters)
    P_SNAP0=$(cpu_snapshot "${roots[@]}")
    P_T0=$EPOCHREALTIME
    for ((i = 1; i <= NODES; i++)); do
        api_sampler "$NODE_NAME_PREFIX-$i" "${NODE_URLS[i - 1]}" "$API_SAMPLES" &
        SAMPLER_PIDS+=("$!")
    done
}
phase_end() {
    P_SNAP1=$(cpu_snapshot "${roots[@]}")
    P_T1=$EPOCHREALTIME
    stop_samplers
    # the backends report their counters at most once a second
    sleep 1.1
    P_STORE1=$(store_counters)
    printf 'roots %s\nsnap0 %s\nsnap1 %s\n' "${roots[*]}" "$P_SNAP0" "$P_SNAP1" >>"$LOGDIR/cpu-snapshots.txt"
}

# api_stats NODE VIEW -> "n p50 p95 p99 max" in ms, then errors and the median answer
# size, over the samples of the window (NODE "all": every node)
api_stats() {
    local node=$1 view=$2 sel
    sel=$(awk -v a="$P_T0" -v b="$P_T1" -v n="$node" -v v="$view" \
        '$1 >= a && $1 <= b && (n == "all" || $2 == n) && $3 == v' "$API_SAMPLES")
    printf '%s %s %s\n' \
        "$(awk '$6 == 200 { printf "%.3f\n", $4 * 1000 }' <<<"$sel" | percentiles)" \
        "$(awk '$6 != 200 { e++ } END { print e + 0 }' <<<"$sel")" \
        "$(awk '$6 == 200 { print $5 }' <<<"$sel" | sort -n | awk '{ v[NR] = $1 } END { print NR ? v[int((NR + 1) / 2)] : 0 }')"
}

# phase_figures PHASE TITLE [STORE_LOAD_CPU_S]: the window's CPU and API figures as
# JSON lines, and their table appended to REPORT
REPORT=''
phase_figures() {
    local phase=$1 title=$2 load_cpu=${3:-0} window store_cpu other_cpu own_cpu serve_total=0
    local i c node view n p50 p95 p99 max errors bytes serve_json='' rows='' commits_s records_s walkib_s syncs_s
    window=$(awk -v a="$P_T0" -v b="$P_T1" 'BEGIN { printf "%.2f", b - a }')
    pct() { awk -v s="$1" -v w="$window" -v n="${2:-1}" 'BEGIN { printf "%.1f", 100 * s / w / n }'; }
    row() { rows+=$(printf '  %-22s %7.2f s  %6s %% of one core%s' "$1" "$2" "$(pct "$2")" "${3-}")$'\n'; }
    store_cpu=$(tree_cpu_s "$P_SNAP0" "$P_SNAP1" 2)
    other_cpu=$(foreign_cpu "$P_SNAP0" "$P_SNAP1")
    row "store (postgres)" "$store_cpu" ", $(pct "$store_cpu" "$NPROC") % of the machine"
    # per second: commits, WAL records, WAL KiB, WAL fsyncs
    read -r commits_s records_s walkib_s syncs_s <<<"$(awk -v a="$P_STORE0" -v b="$P_STORE1" -v w="$window" 'BEGIN {
        split(a, x, " "); split(b, y, " ")
        printf "%.0f %.0f %.0f %.0f", (y[1] - x[1]) / w, (y[2] - x[2]) / w, (y[3] - x[3]) / 1024 / w, (y[4] - x[4]) / w }')"
    rows+="  store: $commits_s commits/s, WAL $records_s records/s, $walkib_s KiB/s, $syncs_s fsyncs/s"$'\n'
    for ((i = 1; i <= NODES; i++)); do
        c=$(tree_cpu_s "$P_SNAP0" "$P_SNAP1" $((i + 2)))
        serve_total=$(awk -v a="$serve_total" -v b="$c" 'BEGIN { printf "%.2f", a + b }')
        row "serve $NODE_NAME_PREFIX-$i" "$c"
        serve_json+="${serve_json:+,}$(json_str "$NODE_NAME_PREFIX-$i"):$c"
    done
    row "serve, all nodes" "$serve_total"
    # this script's own tree minus the nodes and store_load: the samplers' curl and the polling
    own_cpu=$(awk -v t="$(tree_cpu_s "$P_SNAP0" "$P_SNAP1" 1)" -v s="$serve_total" -v l="$load_cpu" \
        'BEGIN { v = t - s - l; printf "%.2f", v < 0 ? 0 : v }')
    [[ $phase != load ]] || row store_load "$load_cpu"
    row "bench (curl, sampling)" "$own_cpu"
    row "other processes" "$other_cpu"
    emit "$(printf '"kind":"cpu","phase":%s,"window_s":%s,"nproc":%s,"store_cpu_s":%s,"store_pct_core":%s,"store_pct_machine":%s,"serve_cpu_s":{%s},"serve_cpu_total_s":%s,"serve_pct_core":%s,"store_load_cpu_s":%s,"store_load_pct_core":%s,"bench_own_cpu_s":%s,"other_cpu_s":%s,"other_cores":%s,"store_commits_per_s":%s,"store_wal_records_per_s":%s,"store_wal_kib_per_s":%s,"store_wal_syncs_per_s":%s' \
        "$(json_str "$phase")" "$window" "$NPROC" "$store_cpu" "$(pct "$store_cpu")" "$(pct "$store_cpu" "$NPROC")" \
        "$serve_json" "$serve_total" "$(pct "$serve_total")" "$load_cpu" "$(pct "$load_cpu")" "$own_cpu" \
        "$other_cpu" "$(awk -v s="$other_cpu" -v w="$window" 'BEGIN { printf "%.2f", s / w }')" \
        "$commits_s" "$records_s" "$walkib_s" "$syncs_s")"
    REPORT+="$title, CPU over $window s:"$'\n'"$rows"
    REPORT+="  API list latency (ms), GET /api/v1/migrations (full) and ?view=grid, every ${API_PERIOD} s per node:"$'\n'
    REPORT+=$(printf '  %-9s %-5s %5s %8s %8s %8s %8s %9s %6s' node view n p50 p95 p99 max bytes errors)$'\n'
    for node in $(seq -f "$NODE_NAME_PREFIX-%g" 1 "$NODES") all; do
        for view in full grid; do
            read -r n p50 p95 p99 max errors bytes <<<"$(api_stats "$node" "$view")"
            REPORT+=$(printf '  %-9s %-5s %5s %8s %8s %8s %8s %9s %6s' "$node" "$view" "$n" "$p50" "$p95" "$p99" "$max" "$bytes" "$errors")$'\n'
            emit "$(printf '"kind":"api","phase":%s,"node":%s,"view":%s,"n":%s,"p50_ms":%s,"p95_ms":%s,"p99_ms":%s,"max_ms":%s,"errors":%s,"bytes":%s' \
                "$(json_str "$phase")" "$(json_str "$node")" "$(json_str "$view")" "$n" "$p50" "$p95" "$p99" "$max" "$errors" "$bytes")"
        done
    done
}

# the load: from its threads' start to its exit (reaped: its CPU time is in this script's tree)
phase_begin
log "load running for $SECONDS_RUN s; sampling the API of $NODES nodes every $API_PERIOD s"
LOAD_RC=0
wait "$LOAD_PID" || LOAD_RC=$?
LOAD_PID=''
phase_end
sed -n '/^store_load: [0-9]* migrations, /,$p' "$LOAD_OUT" >&2
((LOAD_RC == 0)) || log "WARNING: store_load exited with $LOAD_RC (see $LOAD_OUT, $LOGDIR/store_load.err)"
[[ -s $LOAD_JSON ]] || die "store_load wrote no figures"
# its object (it starts with "kind":"store_load") inside ours
emit "$(jq -c . "$LOAD_JSON" | tail -n 1 | sed 's/^{//; s/}$//')"
phase_figures load "the load ($MIGRATIONS migrations' workers writing)" "$(jq '.cpu_s * 100 | round / 100' "$LOAD_JSON")"

# at rest: the same migrations (their leases still live), nobody writing; the
# nodes' own reads of the store and the API alone
if ((REST > 0)); then
    log "at rest for $REST s: the migrations stay, nobody writes; sampling the API"
    phase_begin
    sleep "$REST"
    phase_end
    phase_figures rest "at rest ($MIGRATIONS migrations, no writes)"
fi

# --- did the nodes stay out of it? ----------------------------------------------------
WORKERS_STARTED=0 NODES_RUNNING=0
for ((i = 1; i <= NODES; i++)); do
    n=$(grep -c 'started worker' "$WORK/node-$i/serve.err" || true)
    WORKERS_STARTED=$((WORKERS_STARTED + n))
    n=$(pgrep -c -P "${NODE_PIDS[i - 1]}" || true)
    NODES_RUNNING=$((NODES_RUNNING + n))
done
CONFLICTS=$(jq '[.ops[].conflicts] | add' "$LOAD_JSON")
emit "$(printf '"kind":"check","workers_started":%s,"node_children":%s,"lease_conflicts":%s,"store_load_rc":%s' \
    "$WORKERS_STARTED" "$NODES_RUNNING" "$CONFLICTS" "$LOAD_RC")"

# --- report -----------------------------------------------------------------------------
{
    echo
    echo "== store bench: $MIGRATIONS migrations, $NODES nodes, ${SECONDS_RUN} s, $NPROC cores ($(date -u '+%Y-%m-%d %H:%M UTC'))"
    jq -r '"state writes: \(.ops.state.done_per_s)/s done of \(.ops.state.wanted_per_s) wanted; latency p50 \(.ops.state.p50_ms) ms, p99 \(.ops.state.p99_ms) ms; \(.state_late) of \(.state_writes) started > \(.late_limit_ms) ms late, \(.ops.state.missed) slots missed"' "$LOAD_JSON"
    printf '%s' "$REPORT"
    echo "nodes kept out: $WORKERS_STARTED workers started, $NODES_RUNNING children of serve at the end, $CONFLICTS writes refused (all should be 0)"
} | tee "$LOGDIR/summary.txt" >&2
((WORKERS_STARTED == 0 && NODES_RUNNING == 0 && CONFLICTS == 0 && LOAD_RC == 0))
