# shellcheck shell=bash
# Helpers for the service tests (tests/integration/service_*.sh): a real
# `pgshuttle serve` on a free loopback port with its state directory in
# $TEST_TMP, driven through the client commands and the HTTP API. Source
# after lib.sh (and online/lib.sh where needed):
#
#   serve_start [OPTION...]     start serve (port 0: the kernel picks one); sets SERVE_PID,
#                               SERVE_URL, SERVE_ERR; exports PGSHUTTLE_SERVER and
#                               PGSHUTTLE_STATE_DIR for the client commands
#   serve_stop                  SIGTERM, wait (60 s at most); SERVE_STOP_RC
#   serve_kill                  SIGKILL (its workers live on)
#   api METHOD PATH [BODY [CONTENT-TYPE]]   curl with the token: API_CODE, API_BODY (a file)
#   api_noauth METHOD PATH      the same without a token
#   mig_get NAME                GET the migration: MIG (a file); MIG_STATE, MIG_SUB
#   wait_mig NAME DESC PRED SECS   poll GET until the python predicate on r (the resource) holds
#   worker_pids NAME            pids of the workers of NAME (process title "pgshuttle worker NAME")
#   workers_watch_start         sample the workers 5 times a second in the background
#   workers_watch_check         no migration ever had two workers at once (a worker
#                               ever seen stopped, SIGSTOP, is left out: a paused
#                               node's, fenced; the test checks it changes nothing)
#   check_no_secret_in DESC FILE...  neither cluster password appears
#
# PGS_API_TRANSCRIPT=FILE: every API request and answer is appended to FILE
# as a JSON line (for scripts/api-doc).
#
# Everything started here ends at exit (workers too), then lib.sh cleans up.

STATE_DIR=$TEST_TMP/state
SERVE_SEQ=0
SERVE_PID=""
WATCH_FILE=$TEST_TMP/workers.samples
WATCH_PID=""

service_on_exit() {
    [[ -n ${PGS_API_TRANSCRIPT:-} && -f $API_TRANSCRIPT ]] && cat "$API_TRANSCRIPT" >>"$PGS_API_TRANSCRIPT"
    [[ -n $WATCH_PID ]] && kill "$WATCH_PID" 2>/dev/null
    if [[ -n $SERVE_PID ]] && kill -0 "$SERVE_PID" 2>/dev/null; then
        kill -TERM "$SERVE_PID" 2>/dev/null
        local i
        for ((i = 0; i < 300; i++)); do
            kill -0 "$SERVE_PID" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$SERVE_PID" 2>/dev/null || true
    fi
    # Workers outlive a killed serve by design: none may outlive the test.
    local p
    for p in $(all_worker_pids); do kill -KILL "$p" 2>/dev/null || true; done
    return 0
}
PGS_AT_EXIT+=(service_on_exit)

# all_worker_pids: the workers whose log or store is this test's.
all_worker_pids() {
    local d p
    # one grep over every process's command line first: a loop over all of
    # /proc forking per process takes seconds on a busy machine
    for d in $(grep -las 'worker' /proc/[0-9]*/cmdline | sed 's|/cmdline$||'); do
        p=${d#/proc/}
        [[ -r $d/cmdline ]] || continue
        if tr '\0' ' ' <"$d/cmdline" 2>/dev/null | grep -q '^pgshuttle worker '; then
            # only workers started for this state directory (their cwd or fds show it)
            if ls -l "$d/fd" 2>/dev/null | grep -qF "$STATE_DIR/"; then
                printf '%s\n' "$p"
            fi
        fi
    done
}

# worker_pids NAME: the workers of migration NAME.
worker_pids() {
    local p
    for p in $(all_worker_pids); do
        if [[ $(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | sed 's/ *$//') == "pgshuttle worker $1" ]]; then
            printf '%s\n' "$p"
        fi
    done
}

serve_start() {
    SERVE_SEQ=$((SERVE_SEQ + 1))
    SERVE_ERR=$TEST_TMP/serve$SERVE_SEQ.err
    : >"$SERVE_ERR" # made here: the background job's redirection may come after the first read
    printf '$ pgshuttle serve --listen 127.0.0.1:0 --state-dir %s %s &\n' "$STATE_DIR" "$*"
    "$PGSHUTTLE_BIN" serve --listen 127.0.0.1:0 --state-dir "$STATE_DIR" "$@" </dev/null \
        >"$TEST_TMP/serve$SERVE_SEQ.out" 2>"$SERVE_ERR" &
    SERVE_PID=$!
    local i url=""
    for ((i = 0; i < 300; i++)); do
        url=$(sed -n 's|.*listening on \(http[s]*://127\.0\.0\.1:[0-9][0-9]*\).*|\1|p' "$SERVE_ERR" | head -n 1)
        [[ -n $url ]] && break
        if ! kill -0 "$SERVE_PID" 2>/dev/null; then
            redact <"$SERVE_ERR" | sed 's/^/  | /'
            die "pgshuttle serve ended at start"
        fi
        sleep 0.1
    done
    [[ -n $url ]] || die "pgshuttle serve did not say where it listens within 30 s"
    SERVE_URL=$url
    export PGSHUTTLE_SERVER=$SERVE_URL PGSHUTTLE_STATE_DIR=$STATE_DIR
    unset PGSHUTTLE_TOKEN
    log "serve $SERVE_SEQ: pid $SERVE_PID at $SERVE_URL"
}

serve_stop() {
    local i
    kill -TERM "$SERVE_PID" 2>/dev/null || true
    for ((i = 0; i < 600; i++)); do
        kill -0 "$SERVE_PID" 2>/dev/null || break
        sleep 0.1
    done
    SERVE_STOP_RC=0
    wait "$SERVE_PID" 2>/dev/null || SERVE_STOP_RC=$?
    SERVE_PID=""
}

serve_kill() {
    kill -KILL "$SERVE_PID" 2>/dev/null || true
    wait "$SERVE_PID" 2>/dev/null || true
    SERVE_PID=""
}

API_SEQ=0
# api METHOD PATH [BODY [CONTENT-TYPE]]: a request with the token of the state directory.
api() {
    api_request "Authorization: Bearer $(cat "$STATE_DIR/token")" "$@"
}
api_noauth() {
    api_request "X-No-Auth: 1" "$@"
}
api_request() {
    local auth=$1 method=$2 path=$3 body=${4-} ctype=${5:-application/json}
    API_SEQ=$((API_SEQ + 1))
    API_BODY=$TEST_TMP/api$API_SEQ.body
    local args=(-sS -o "$API_BODY" -w '%{http_code}' -X "$method" -H "$auth" --max-time 30)
    if [[ -n $body ]]; then
        if [[ $body == @* ]]; then
            args+=(-H "Content-Type: $ctype" --data-binary "$body")
        else
            args+=(-H "Content-Type: $ctype" --data-binary @-)
        fi
    fi
    API_CODE=$(printf '%s' "$body" | curl "${args[@]}" "$SERVE_URL$path" 2>"$API_BODY.err") || API_CODE=000
    api_transcript "$auth" "$method" "$path" "$body" "$ctype"
}

# api_transcript AUTH METHOD PATH BODY CTYPE: one JSON line per request in
# $API_TRANSCRIPT (passwords redacted, the token left out), from which
# scripts/api-doc writes docs/API.md's examples.
API_TRANSCRIPT=$TEST_TMP/api-transcript.jsonl
api_transcript() {
    local auth=bearer body=$4
    if [[ $1 == X-No-Auth* ]]; then
        auth=none
    elif [[ $1 != "Authorization: Bearer $(cat "$STATE_DIR/token" 2>/dev/null)" ]]; then
        auth=wrong
    fi
    [[ $body == @* ]] && body="<$(stat -c %s "${body#@}") bytes>"
    python3 - "$auth" "$2" "$3" "$body" "$5" "$API_CODE" "$API_BODY" "$SERVE_URL" <<'EOF' | redact >>"$API_TRANSCRIPT"
import json, sys
auth, method, path, body, ctype, code, answer_file, url = sys.argv[1:9]
try:
    answer = open(answer_file, encoding='utf-8', errors='replace').read(200000)
except OSError:
    answer = ''
print(json.dumps({"auth": auth, "method": method, "path": path, "body": body,
                  "content_type": ctype if body else None, "code": int(code or 0),
                  "answer": answer, "server": url}))
EOF
}

# json_eval FILE EXPR: print the python expression EXPR on the JSON document r of FILE.
json_eval() {
    python3 - "$1" "$2" <<'EOF'
import json, sys
try:
    r = json.load(open(sys.argv[1], encoding='utf-8'))
except Exception:
    print(''); sys.exit(0)
try:
    v = eval(sys.argv[2], {}, {'r': r})
except Exception:
    v = ''
print(v if not isinstance(v, (dict, list)) else json.dumps(v))
EOF
}

mig_get() {
    api GET "/api/v1/migrations/$1"
    MIG=$API_BODY
    MIG_STATE=$(json_eval "$MIG" 'r["properties"]["currentStatus"]["state"]')
    MIG_SUB=$(json_eval "$MIG" 'r["properties"]["currentStatus"]["currentSubStateDetails"]["currentSubState"]')
}

# wait_mig NAME DESC PRED SECONDS: poll until PRED (python, on the resource r) holds.
wait_mig() {
    local name=$1 desc=$2 pred=$3 limit=$4 start=$SECONDS
    while :; do
        mig_get "$name"
        if [[ $API_CODE == 200 && $(json_eval "$MIG" "bool($pred)") == True ]]; then
            WAITED_SECONDS=$((SECONDS - start))
            pass "$desc (after ${WAITED_SECONDS}s: $MIG_STATE / $MIG_SUB)"
            return 0
        fi
        if ((SECONDS - start >= limit)); then
            fail "$desc: not within ${limit}s (HTTP $API_CODE, $MIG_STATE / $MIG_SUB)"
            json_eval "$MIG" 'r["properties"]["currentStatus"].get("error")' | redact | sed 's/^/  | error: /'
            tail -n 30 "$STATE_DIR/logs/$name.log" 2>/dev/null | cut -c1-300 | redact | sed 's/^/  | /'
            return 1
        fi
        sleep 0.5
    done
}
PRED_STATE() { printf 'r["properties"]["currentStatus"]["state"] == "%s"' "$1"; }
PRED_SUB() { printf 'r["properties"]["currentStatus"]["currentSubStateDetails"]["currentSubState"] == "%s"' "$1"; }

# workers_watch_start: sample the workers of every migration 5 times a second.
workers_watch_start() {
    (
        while :; do
            for p in $(all_worker_pids); do
                st=$(sed 's/.*) \(.\).*/\1/' "/proc/$p/stat" 2>/dev/null)
                printf '%s %s\n' "$(date +%s.%N)" "$(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | sed 's/ *$//') $p ${st:-?}"
            done
            printf '%s -\n' "$(date +%s.%N)"
            sleep 0.2
        done
    ) >>"$WATCH_FILE" 2>/dev/null &
    WATCH_PID=$!
}

# workers_watch_check: in no sample did one migration have two workers.
workers_watch_check() {
    local worst
    worst=$(python3 - "$WATCH_FILE" <<'EOF'
import collections, sys
lines = open(sys.argv[1], errors='replace').read().splitlines()
# time, "pgshuttle", "worker", NAME, PID, STATE
stopped = {p[4] for p in (l.split() for l in lines) if len(p) >= 6 and p[5] == 'T'}
worst, sample = 0, collections.Counter()
for line in lines:
    parts = line.split()
    if len(parts) == 2 and parts[1] == '-':
        worst = max([worst] + list(sample.values()))
        sample = collections.Counter()
    elif len(parts) >= 5 and parts[4] not in stopped:
        sample[parts[3]] += 1
print(worst)
EOF
)
    local samples
    samples=$(grep -c ' -$' "$WATCH_FILE" || true)
    if ((worst <= 1)); then
        pass "no migration ever had two workers ($samples samples)"
    else
        fail "a migration had $worst workers at once"
    fi
}

# check_no_secret_in DESC FILE...: no cluster password in the files.
check_no_secret_in() {
    local desc=$1 f hits=""
    shift
    for f in "$@"; do
        [[ -e $f ]] || continue
        if grep -qaF -- "$src_PASSWORD" "$f" || grep -qaF -- "$tgt_PASSWORD" "$f"; then
            hits+=" $(basename "$f")"
        fi
    done
    if [[ -z $hits ]]; then
        pass "$desc: no password in $# file(s)"
    else
        fail "$desc: a password appears in$hits"
    fi
}
