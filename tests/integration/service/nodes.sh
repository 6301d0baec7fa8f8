# shellcheck shell=bash
# Helpers for the tests of several nodes (tests/integration/service_nodes.sh):
# real `pgshuttle serve` processes sharing one PostgreSQL store, each in a
# process group of its own (setsid), with its own directory under
# $STATE_DIR (= $TEST_TMP/state, so that service/lib.sh's worker helpers see
# every node's workers). Source after service/lib.sh; needs the cluster
# "store" (start_cluster store) and a key file in $KEY_FILE.
#
#   node_start NAME [OPTION...]   start node NAME (--state from PGSHUTTLE_STATE, never argv);
#                                 NODE_PID_NAME, NODE_URL_NAME
#   node_wait_up NAME             wait until NAME says where it listens
#   node_use NAME                 the api/client helpers talk to NAME (SERVE_URL)
#   node_workers NAME             pids of NAME's workers (they hold files in its directory)
#   node_kill NAME                kill -9 of NAME's process group and of its workers: the host died
#   node_signal NAME SIG          SIG to NAME's process group and its workers (STOP, CONT)
#   node_stop NAME                SIGTERM, wait (60 s at most)
#   mig_node NAME                 the node the resource of NAME names (via the current node)
#   store_q SQL                   a query on the store's database
#
# Every node started here ends at exit (its workers too).

NODES_DIR=$STATE_DIR
NODE_NAMES=()
NODE_LEASE_TTL=${NODE_LEASE_TTL:-6}
NODE_TIMEOUT=${NODE_TIMEOUT:-10}

nodes_on_exit() {
    local n pid
    for n in "${NODE_NAMES[@]}"; do
        pid=$(node_pid "$n")
        [[ -n $pid ]] || continue
        kill -CONT -- "-$pid" 2>/dev/null || true
        kill -KILL -- "-$pid" 2>/dev/null || true
    done
    for pid in $(all_worker_pids); do
        kill -CONT "$pid" 2>/dev/null || true
        kill -KILL "$pid" 2>/dev/null || true
    done
    return 0
}
PGS_AT_EXIT=(nodes_on_exit "${PGS_AT_EXIT[@]}")

node_pid() { local v="NODE_PID_$1"; printf '%s' "${!v:-}"; }
node_url() { local v="NODE_URL_$1"; printf '%s' "${!v:-}"; }

# node_start NAME [OPTION...]: starts node NAME in the background (see node_wait_up).
node_start() {
    local name=$1 dir=$NODES_DIR/$1
    shift
    mkdir -p "$dir"
    touch "$dir/serve.err"
    # node_wait_up reads what this start writes, not an earlier start's lines
    printf -v "NODE_ERR_LINES_$name" '%s' "$(wc -l <"$dir/serve.err")"
    printf '$ PGSHUTTLE_STATE=… pgshuttle serve --node-name %s --listen 127.0.0.1:0 --state-dir %s %s &\n' \
        "$name" "$dir" "$*"
    PGSHUTTLE_STATE=$store_URI setsid "$PGSHUTTLE_BIN" serve --node-name "$name" --listen 127.0.0.1:0 \
        --state-dir "$dir" --secret-key-file "$KEY_FILE" --lease-ttl "${NODE_LEASE_TTL}s" \
        --node-timeout "${NODE_TIMEOUT}s" \
        ${NODE_LOG_LEVEL:+--log-level "$NODE_LOG_LEVEL"} "$@" \
        </dev/null >>"$dir/serve.out" 2>>"$dir/serve.err" &
    printf -v "NODE_PID_$name" '%s' "$!"
    printf -v "NODE_URL_$name" '%s' ""
    [[ " ${NODE_NAMES[*]} " == *" $name "* ]] || NODE_NAMES+=("$name")
}

node_wait_up() {
    local name=$1 dir=$NODES_DIR/$1 i url="" pid skip="NODE_ERR_LINES_$1"
    pid=$(node_pid "$name")
    for ((i = 0; i < 300; i++)); do
        url=$(tail -n "+$((${!skip} + 1))" "$dir/serve.err" |
            sed -n 's|.*listening on \(http://127\.0\.0\.1:[0-9][0-9]*\).*|\1|p' | head -n 1)
        [[ -n $url ]] && break
        if ! kill -0 "$pid" 2>/dev/null; then
            redact <"$dir/serve.err" | tail -n 20 | sed 's/^/  | /'
            fail "node $name ended at start"
            return 1
        fi
        sleep 0.1
    done
    [[ -n $url ]] || { fail "node $name did not say where it listens within 30 s"; return 1; }
    printf -v "NODE_URL_$name" '%s' "$url"
    log "node $name: pid $pid at $url"
}

node_use() {
    SERVE_URL=$(node_url "$1")
    export PGSHUTTLE_SERVER=$SERVE_URL
}

node_workers() {
    local p
    for p in $(all_worker_pids); do
        if ls -l "/proc/$p/fd" 2>/dev/null | grep -qF "$NODES_DIR/$1/"; then
            printf '%s\n' "$p"
        fi
    done
}

node_kill() {
    local pid workers
    pid=$(node_pid "$1")
    workers=$(node_workers "$1")
    kill -KILL -- "-$pid" 2>/dev/null || true
    # shellcheck disable=SC2086
    [[ -z $workers ]] || kill -KILL $workers 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    log "node $1 killed at $(date +%T.%3N): serve pid $pid and workers ${workers//$'\n'/ }"
}

node_signal() {
    local pid workers
    pid=$(node_pid "$1")
    workers=$(node_workers "$1")
    kill "-$2" -- "-$pid" 2>/dev/null || true
    # shellcheck disable=SC2086
    [[ -z $workers ]] || kill "-$2" $workers 2>/dev/null || true
    log "node $1: SIG$2 to serve pid $pid and workers ${workers//$'\n'/ }"
}

node_stop() {
    local pid i
    pid=$(node_pid "$1")
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 600; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    wait "$pid" 2>/dev/null || true
}

mig_node() {
    mig_get "$1"
    json_eval "$MIG" 'r["properties"].get("node") or ""'
}

store_q() {
    q "$store_URI" postgres "$1"
}
