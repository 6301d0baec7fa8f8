#!/usr/bin/env bash
# Several nodes sharing one PostgreSQL store (issue 16, docs/NODES.md): real
# `pgshuttle serve` nodes in process groups of their own, three clusters
# (source, target, store), the DML workload writing to the sources.
#   1. two nodes starting at once on an empty store: one schema, both up;
#      the token kept in the store is every node's; a node without the key,
#      or with another key, refuses to start
#   2. six migrations (three offline, three online) spread across three
#      nodes; any node answers for every migration; the offline ones end
#      identical
#   3. kill -9 of a node (its process group and its workers) while two of
#      its migrations stream under write load: the other nodes resume them
#      once the lease runs out (failover times printed)
#   3b. kill -9 of a node's serve alone (its workers go on): once it has
#      not beaten for --node-timeout, the other nodes revoke its leases and
#      take its migrations; its orphaned workers are refused and stop
#   4. a paused node (SIGSTOP) whose lease ran out: another node resumes its
#      migration and ends the stale worker's sessions; SIGCONT: the stale
#      worker's writes are refused and it stops, changing nothing
#   5. a drain hands the running migrations over at a safe point; resume
#   6. the store's database restarted mid-run: the nodes wait and reconnect,
#      no migration lost
#   7. cutover of every online migration: Succeeded, identical (verify and
#      compare_databases), no slot left; no migration ever had two running
#      workers; no password in logs, the store or API answers
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/online/lib.sh"
. "$(dirname "$0")/service/lib.sh"
. "$(dirname "$0")/service/nodes.sh"
online_require
command -v curl >/dev/null || skip_test "curl is not installed"
"$PGSHUTTLE_BIN" serve --help 2>&1 | grep -q -- '--secret-key-file' || skip_test "serve has no --state yet"

WAITING="$(PRED_STATE 'Waiting for user action') and $(PRED_SUB 'Waiting for cutover')"
DBD() { printf 'r["properties"]["currentStatus"]["currentSubStateDetails"]["dbDetails"]["%s"]' "$1"; }

# lsn_of NAME DB: the confirmed LSN of DB in migration NAME's resource, as a number (0 if none).
lsn_of() {
    mig_get "$1"
    json_eval "$MIG" "(lambda v: int(v.split('/')[0], 16) << 32 | int(v.split('/')[1], 16) if v else 0)($(DBD "$2").get('confirmedLsn'))"
}

# wait_resumed OLD_NODE SINCE LIMIT NAME:DB:LSN...: each NAME runs on a node other than OLD_NODE
# and its DB's confirmed LSN went past LSN (the new worker streams and caught up with where the
# old one was), all watched at once by one poller (10 looks a second: a shell loop forking
# curl and python would measure itself). Sets CLAIMED[NAME] (seconds from SINCE until another
# node held it) and RESUMED[NAME]; false if one did not within LIMIT seconds.
declare -A CLAIMED=() RESUMED=()
wait_resumed() {
    local old=$1 since=$2 limit=$3 name claimed resumed node rc=0
    shift 3
    while read -r name claimed resumed node; do
        CLAIMED[$name]=$claimed RESUMED[$name]=$resumed
        if [[ $resumed == none ]]; then
            fail "$name did not stream again on another node within ${limit}s (node '${node}')"
            rc=1
        else
            pass "$name: node $node held it ${claimed}s after node $old went away; it streamed past the old position after ${resumed}s"
        fi
    done < <(python3 - "$SERVE_URL" "$(cat "$STATE_DIR/token")" "$old" "$since" "$limit" "$@" <<'PY'
import json, sys, time, urllib.request
url, token, old, since, limit = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4]), float(sys.argv[5])
todo = {}
for spec in sys.argv[6:]:
    name, db, lsn = spec.split(':')
    todo[name] = {'db': db, 'lsn': int(lsn), 'claimed': None, 'resumed': None, 'node': ''}
def lsn(v):
    return int(v.split('/')[0], 16) << 32 | int(v.split('/')[1], 16) if v else 0
while time.time() - since < limit and any(t['resumed'] is None for t in todo.values()):
    for name, t in todo.items():
        if t['resumed'] is not None:
            continue
        req = urllib.request.Request(f"{url}/api/v1/migrations/{name}", headers={'Authorization': f'Bearer {token}'})
        try:
            r = json.load(urllib.request.urlopen(req, timeout=10))
        except Exception:
            continue
        node = r['properties'].get('node') or ''
        t['node'] = node
        if not node or node == old:
            continue
        now = time.time() - since
        if t['claimed'] is None:
            t['claimed'] = now
        db = r['properties']['currentStatus']['currentSubStateDetails']['dbDetails'].get(t['db'], {})
        if lsn(db.get('confirmedLsn')) > t['lsn']:
            t['resumed'] = now
    time.sleep(0.1)
for name, t in todo.items():
    f = lambda v: 'none' if v is None else f'{v:.1f}'
    print(name, f(t['claimed']), f(t['resumed']), t['node'] or '-')
PY
)
    return $rc
}

# nodes_json: GET /api/v1/nodes into NODES (a file).
nodes_json() {
    api GET /api/v1/nodes
    NODES=$API_BODY
}
node_field() {   # node_field NAME FIELD: from the last nodes_json
    json_eval "$NODES" "[n.get('$2') for n in r['value'] if n['name'] == '$1'][0]"
}

# ---------------------------------------------------------------------------
section "clusters, databases and the key"
start_cluster src
start_cluster tgt
start_cluster store
create_roles "$tgt_URI" pgs_owner pgs_reader pgs_only_on_source
for i in 1 2 3; do
    load_fixture "$src_URI" "pgs_off$i" "$FIXTURE_DIR/fixture_small.sql"
    online_load_db "$src_URI" "pgs_on$i" "$FIXTURE_DIR/fixture_small.sql"
done
PGS_SECRETS+=("$store_PASSWORD")
KEY_FILE=$TEST_TMP/secret.key
assert_exit 0 "$PGSHUTTLE_BIN" secret-key "$KEY_FILE"
check "the key file is mode 0600" test "$(stat -c %a "$KEY_FILE")" = 600

# ---------------------------------------------------------------------------
section "1. two nodes start at once on an empty store"
node_start n1 --max-migrations 2
node_start n2 --max-migrations 2
node_wait_up n1
node_wait_up n2
check "the store has one schema version row" test "$(store_q 'SELECT count(*) FROM pgshuttle_state.schema_version')" = 1
check "both nodes registered" test "$(store_q 'SELECT count(*) FROM pgshuttle_state.nodes')" = 2
check "both nodes have the same token (kept in the store)" cmp -s "$NODES_DIR/n1/token" "$NODES_DIR/n2/token"
cp "$NODES_DIR/n1/token" "$STATE_DIR/token"
export PGSHUTTLE_TOKEN
PGSHUTTLE_TOKEN=$(cat "$STATE_DIR/token")
node_use n2
nodes_json
check "GET /nodes from n2: 200" test "$API_CODE" = 200
check "n1 is Up" test "$(node_field n1 state)" = Up
check "n2 is Up" test "$(node_field n2 state)" = Up

mkdir -p "$NODES_DIR/nokey"
# the store's URI (its password) only ever in the environment
PGSHUTTLE_STATE=$store_URI assert_exit 1 "$PGSHUTTLE_BIN" serve --node-name nokey --listen 127.0.0.1:0 \
    --state-dir "$NODES_DIR/nokey"
assert_contains "$LAST_OUTPUT" "--secret-key-file"
OTHER_KEY=$TEST_TMP/other.key
assert_exit 0 "$PGSHUTTLE_BIN" secret-key "$OTHER_KEY"
PGSHUTTLE_STATE=$store_URI assert_exit 1 "$PGSHUTTLE_BIN" serve --node-name otherkey --listen 127.0.0.1:0 \
    --state-dir "$NODES_DIR/nokey" --secret-key-file "$OTHER_KEY"
assert_contains "$LAST_OUTPUT" "not the key"
chmod 644 "$OTHER_KEY"
PGSHUTTLE_STATE=$store_URI assert_exit 1 "$PGSHUTTLE_BIN" serve --node-name otherkey --listen 127.0.0.1:0 \
    --state-dir "$NODES_DIR/nokey" --secret-key-file "$OTHER_KEY"
assert_contains "$LAST_OUTPUT" "chmod 600"

node_stop n2
node_use n1
nodes_json
check "n2 stopped cleanly shows Stopped" test "$(node_field n2 state)" = Stopped

# ---------------------------------------------------------------------------
section "2. six migrations across three nodes"
node_use n1
workers_watch_start
for i in 1 2 3; do workload_start "w$i" "$src_URI" "pgs_on$i"; done
create_mig() {   # create_mig NAME DB MODE
    assert_exit 0 "$PGSHUTTLE_BIN" create "$1" --source "$src_URI" --target "$tgt_URI" --databases "$2" \
        --mode "$3" --jobs 2 --index-jobs 1
}
create_mig on1 pgs_on1 online
create_mig on2 pgs_on2 online
wait_mig on1 "on1 runs on n1 (the only node up)" 'r["properties"].get("node") == "n1"' 60
wait_mig on2 "on2 runs on n1" 'r["properties"].get("node") == "n1"' 60
node_start n2 --max-migrations 2
node_start n3 --max-migrations 2
node_wait_up n2
node_wait_up n3
create_mig off1 pgs_off1 offline
create_mig off2 pgs_off2 offline
create_mig off3 pgs_off3 offline
create_mig on3 pgs_on3 online
for m in on1 on2 on3 off1 off2 off3; do
    wait_mig "$m" "$m runs on a node" 'r["properties"].get("node") or r["properties"]["currentStatus"]["state"] == "Succeeded"' 60
done
# where each ran: its worker's log is in that node's directory
placement=$(cd "$NODES_DIR" && ls -- */logs/*.log | sed 's|^\([^/]*\)/logs/\(.*\)\.log$|\2→\1|' | sort | tr '\n' ' ')
log "placement: $placement"
check "the six migrations ran on three nodes" test "$(cd "$NODES_DIR" && ls -d -- */logs/*.log | cut -d/ -f1 | sort -u | wc -l)" = 3

for n in n1 n2 n3; do
    node_use "$n"
    answered=0
    for m in on1 on2 on3 off1 off2 off3; do
        api GET "/api/v1/migrations/$m"
        [[ $API_CODE == 200 ]] && answered=$((answered + 1))
    done
    check "node $n answers for all six migrations" test "$answered" = 6
done
node_use n3
assert_exit 0 "$PGSHUTTLE_BIN" list
assert_contains "$LAST_OUTPUT" "n1"

for i in 1 2 3; do
    wait_mig "off$i" "off$i Succeeded" "$(PRED_STATE Succeeded)" 300
    check "pgs_off$i: source and target identical" compare_databases "$src_URI" "$tgt_URI" "pgs_off$i"
done
for m in on1 on2 on3; do
    wait_mig "$m" "$m waits for cutover" "$WAITING" 300
done

# ---------------------------------------------------------------------------
section "3. kill -9 of node n1 while on1 and on2 stream under write load"
node_use n2
sleep 2
T_KILL=$(date +%s.%N)
node_kill n1
# the positions the dead workers reached (nothing writes their states until a new worker does)
L1=$(lsn_of on1 pgs_on1)
L2=$(lsn_of on2 pgs_on2)
wait_resumed n1 "$T_KILL" $((NODE_LEASE_TTL + 60)) "on1:pgs_on1:$L1" "on2:pgs_on2:$L2" || true
FAILOVER1="${CLAIMED[on1]}s/${RESUMED[on1]}s"
FAILOVER2="${CLAIMED[on2]}s/${RESUMED[on2]}s"
log "failover (node killed → held by another node / streamed past the old position): on1 $FAILOVER1, on2 $FAILOVER2, lease ttl ${NODE_LEASE_TTL}s"
sleep 8
nodes_json
check "n1 shows Down after its heartbeat stopped" test "$(node_field n1 state)" = Down
check "the restart was recorded with why" \
    test "$(store_q "SELECT count(*) FROM pgshuttle_state.restarts r JOIN pgshuttle_state.migrations m ON m.id = r.migration_id WHERE m.name = 'on1' AND r.reason LIKE '%lease of node n1 ran out%'")" -ge 1
node_start n1 --max-migrations 2
node_wait_up n1
log "node n1 started again"
node_use n1
RUNNER=$(mig_node on1)
api GET /api/v1/migrations/on1/log
check "n1's log route says that node $RUNNER keeps on1's log now" grep -q "node $RUNNER runs on1 now" "$API_BODY"

# ---------------------------------------------------------------------------
section "3b. kill -9 of a node's serve alone: its workers go on, the node's leases are revoked"
X=$(mig_node on1)
ORPHANS=$(node_workers "$X")
MOVED=()
for m in on1 on2 on3; do
    [[ $(mig_node "$m") == "$X" ]] && MOVED+=("$m:pgs_$m:$(lsn_of "$m" "pgs_$m")")
done
T_SERVE=$(date +%s.%N)
kill -KILL "$(node_pid "$X")"
wait "$(node_pid "$X")" 2>/dev/null || true
log "serve of node $X killed at $(date +%T.%3N); its workers ${ORPHANS//$'\n'/ } go on"
node_use n1
[[ $X != n1 ]] || node_use n3
wait_resumed "$X" "$T_SERVE" $((NODE_TIMEOUT + NODE_LEASE_TTL + 60)) "${MOVED[@]}" || true
# the node's last heartbeat came up to a second (its period) before its serve died
check "the first move came no sooner than the node timeout allows (${CLAIMED[${MOVED[0]%%:*}]}s, timeout ${NODE_TIMEOUT}s)" \
    python3 -c "import sys; sys.exit(0 if float('${CLAIMED[${MOVED[0]%%:*}]}'.replace('none', '0')) >= $NODE_TIMEOUT - 2 else 1)"
FAILOVER_SERVE="${CLAIMED[${MOVED[0]%%:*}]}s/${RESUMED[${MOVED[0]%%:*}]}s"
for p in $ORPHANS; do
    for ((i = 0; i < 100; i++)); do
        kill -0 "$p" 2>/dev/null || break
        sleep 0.1
    done
    check "orphaned worker $p stopped once its lease was revoked" bash -c "! kill -0 $p 2>/dev/null"
done
check "the revocation is logged" grep -rq "revoked .* lease(s) of node(s) with no heartbeat" "$NODES_DIR"/*/serve.err
node_start "$X" --max-migrations 2
node_wait_up "$X"

# ---------------------------------------------------------------------------
section "4. a paused node: SIGSTOP until its lease is taken, then SIGCONT"
P=$(mig_node on3)
STALE=$(worker_pids on3 | head -n 1)
check "on3 runs on $P with worker $STALE" test -n "$STALE"
STALE_BEFORE=$(store_q "SELECT coalesce(sum(stale_writes), 0) FROM pgshuttle_state.migrations")
other=n1
[[ $P == n1 ]] && other=n2
node_use "$other"
T_STOP=$(date +%s.%N)
node_signal "$P" STOP
L3=$(lsn_of on3 pgs_on3)
wait_resumed "$P" "$T_STOP" $((NODE_LEASE_TTL + 60)) "on3:pgs_on3:$L3" || true
FAILOVER3="${CLAIMED[on3]}s/${RESUMED[on3]}s"
NEWP=$(mig_node on3)
node_signal "$P" CONT
for ((i = 0; i < 100; i++)); do
    kill -0 "$STALE" 2>/dev/null || break
    sleep 0.1
done
check "the stale worker $STALE stopped once it ran again" bash -c "! kill -0 $STALE 2>/dev/null"
STALE_AFTER=$(store_q "SELECT coalesce(sum(stale_writes), 0) FROM pgshuttle_state.migrations")
STALE_REJECTED=$((STALE_AFTER - STALE_BEFORE))
check "the store refused the stale worker's writes ($STALE_REJECTED)" test "$STALE_REJECTED" -ge 1
check "its log says it lost the lease" grep -q "lost the lease" "$NODES_DIR/$P/logs/on3.log"
check "the new holder ended the stale worker's sessions" grep -q "fencing: ended session" "$NODES_DIR/$NEWP/logs/on3.log"
sleep 3
check "on3 stays on $NEWP" test "$(mig_node on3)" = "$NEWP"
wait_mig on3 "on3 streams on (waits for cutover)" "$WAITING" 120

# ---------------------------------------------------------------------------
section "5. drain"
node_use n3
D=$(mig_node on1)
assert_exit 0 "$PGSHUTTLE_BIN" node drain "$D"
T_DRAIN=$(date +%s.%N)
for m in on1 on2 on3; do
    [[ $(mig_node "$m") == "$D" ]] || continue
    wait_mig "$m" "$m handed over from the draining $D" "r['properties'].get('node') not in (None, '$D')" 60
done
nodes_json
check "$D shows Draining" test "$(node_field "$D" state)" = Draining
sleep 2
nodes_json
check "$D runs nothing" test "$(node_field "$D" running)" = 0
check "the handover is in the worker's log" grep -rq "handed over" "$NODES_DIR/$D/logs/"
assert_exit 0 "$PGSHUTTLE_BIN" node resume "$D"
nodes_json
check "$D is Up again" test "$(node_field "$D" state)" = Up
for m in on1 on2 on3; do
    wait_mig "$m" "$m streams after the drain" "$WAITING" 120
done

# ---------------------------------------------------------------------------
section "6. the store's database restarted mid-run"
RESTARTS_BEFORE=$(store_q "SELECT count(*) FROM pgshuttle_state.restarts")
L1=$(lsn_of on1 pgs_on1)
restart_cluster store
log "store restarted"
sleep 5
nodes_json
check "GET /nodes answers after the store restart" test "$API_CODE" = 200
for n in n1 n2 n3; do
    check "$n is Up" test "$(node_field "$n" state)" = Up
done
for ((i = 0; i < 60; i++)); do
    (($(lsn_of on1 pgs_on1) > L1)) && break
    sleep 0.5
done
check "on1 streams on after the store restart" test "$(lsn_of on1 pgs_on1)" -gt "$L1"
RESTARTS_AFTER=$(store_q "SELECT count(*) FROM pgshuttle_state.restarts")
check "no worker was restarted for it ($RESTARTS_BEFORE → $RESTARTS_AFTER)" test "$RESTARTS_AFTER" = "$RESTARTS_BEFORE"

# ---------------------------------------------------------------------------
section "7. cutover and proof"
for i in 1 2 3; do workload_stop "w$i"; done
for i in 1 2 3; do workload_check "w$i" 20; done
for m in on1 on2 on3; do
    assert_exit 0 "$PGSHUTTLE_BIN" cutover "$m"
done
for i in 1 2 3; do
    wait_mig "on$i" "on$i Succeeded" "$(PRED_STATE Succeeded)" 300
    check "pgs_on$i: source and target identical" compare_databases "$src_URI" "$tgt_URI" "pgs_on$i"
done
assert_exit 0 "$PGSHUTTLE_BIN" verify --source "$src_URI" --target "$tgt_URI" \
    --databases pgs_on1,pgs_on2,pgs_on3,pgs_off1,pgs_off2,pgs_off3
check "no replication slot left on the source" test "$(q "$src_URI" postgres "SELECT count(*) FROM pg_replication_slots")" = 0
workers_watch_check
check "the specs in the store are sealed" test "$(store_q "SELECT count(*) FROM pgshuttle_state.migrations WHERE spec_json NOT LIKE 'pgs1:%'")" = 0
store_q "SELECT spec_json FROM pgshuttle_state.migrations" >"$TEST_TMP/store-specs.txt"
check_no_secret_in "the store's specs" "$TEST_TMP/store-specs.txt"
check_no_secret_in "node logs and outputs" "$NODES_DIR"/*/serve.err "$NODES_DIR"/*/serve.out "$NODES_DIR"/*/logs/*.log
hits=""
for f in "$NODES_DIR"/*/serve.err "$NODES_DIR"/*/logs/*.log; do
    grep -qaF -- "$store_PASSWORD" "$f" && hits+=" $f"
done
check "the store's password appears in no log${hits:+ (in$hits)}" test -z "$hits"
for n in n1 n2 n3; do
    check "no password in node $n's process title" bash -c "! tr '\\0' ' ' </proc/$(node_pid "$n")/cmdline | grep -qF -- '$store_PASSWORD'"
done
node_use n1
api GET /metrics
check "/metrics has the nodes' gauges" grep -q '^pgshuttle_node_up{node="n2"} 1' "$API_BODY"

log "figures (held by another node / streamed past the old position): on1 $FAILOVER1, on2 $FAILOVER2 (kill -9 of the node), on3 $FAILOVER3 (SIGSTOP), $FAILOVER_SERVE (kill -9 of serve alone, node timeout ${NODE_TIMEOUT}s); stale writes refused $STALE_REJECTED; lease ttl ${NODE_LEASE_TTL}s"
for n in n1 n2 n3; do node_stop "$n"; done
finish
