#!/usr/bin/env bash
# The demos never stop at a pager or a prompt: scripts/demo/run (what `make
# demo-terminal` runs) and scripts/demo/run --online (`make demo-online`),
# each on a pseudo-terminal of 2 rows x 80 columns (`script`, `stty rows 2`)
# with no input at all, must finish (exit 0) with verify's "identical" and
# show no pager prompt ("(END)", less's ":", "--More--") and no password
# prompt. The product tour (scripts/demo/tour, `make demo`) runs the same
# way until it serves the page after its cutover and verify; then Ctrl-C
# (SIGINT to its process group, as a terminal sends it) must stop
# everything it started and remove its directory.
#
# On a terminal of 2 rows psql pages even a one-line result. The offline run
# has the environment of a plain terminal (no PAGER, PSQL_PAGER or LESS):
# psql's pager is the system's (less on Debian, through pg_wrapper's
# `pager`), which waits for a key that never comes. The online run has
# PAGER and PSQL_PAGER pointing at a stand-in that notes every call, so any
# pager, of any tool, on any output, is caught even where less would not wait.
# Without less installed the offline run cannot hang on it; the stand-in
# still catches a pager.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
require_pgshuttle

OFFLINE_TIMEOUT=${PGS_DEMO_TIMEOUT:-300}
ONLINE_TIMEOUT=${PGS_DEMO_ONLINE_TIMEOUT:-420}
DEMO=$PGS_ROOT/scripts/demo/run
TOUR=$PGS_ROOT/scripts/demo/tour
TOUR_TIMEOUT=${PGS_DEMO_TOUR_TIMEOUT:-420}
DEMO_TMP=$TEST_TMP/demo-tmp # the demo's TMPDIR: its servers and pgshuttle's work directory
mkdir -p "$DEMO_TMP"

# A demo killed by the timeout leaves its servers: destroy them before the clusters of lib.sh go.
stop_demo_servers() {
    local d
    for d in "$DEMO_TMP"/pgshuttle-demo.*/source "$DEMO_TMP"/pgshuttle-demo.*/target; do
        [[ -d $d ]] && "$PG_CLUSTER" destroy "$d" >/dev/null 2>&1
    done
    return 0
}
PGS_AT_EXIT+=(stop_demo_servers)

command -v script >/dev/null || die "script (util-linux) is missing"
if command -v less >/dev/null; then
    log "less: $(command -v less)"
else
    log "note: less is not installed: the offline run cannot stop at it; the stand-in pager still checks"
fi

PAGER_LOG=$TEST_TMP/pager-calls
STANDIN=$TEST_TMP/standin-pager
printf '#!/bin/sh\necho "pager called: $0 $*" >>%q\nexec cat\n' "$PAGER_LOG" >"$STANDIN"
chmod 755 "$STANDIN"

# run_demo NAME TIMEOUT ENV... -- DEMO-ARGS...: the demo under `script` on a
# 2-row terminal, stdin from /dev/null; output in $TEST_TMP/NAME.log, exit in $rc.
run_demo() {
    local name=$1 limit=$2 env=() args=() start=$SECONDS
    shift 2
    while (($#)) && [[ $1 != -- ]]; do env+=("$1"); shift; done
    shift
    args=("$@")
    local cmd
    cmd="stty rows 2 cols 80; exec $(printf '%q ' "$DEMO" "${args[@]}")"
    log "\$ script -qec \"$cmd\" /dev/null </dev/null   (${env[*]})"
    rc=0
    env -u PAGER -u PSQL_PAGER -u LESS -u MORE -u PGPASSWORD "${env[@]}" \
        PGSHUTTLE_BIN="$PGSHUTTLE_BIN" TMPDIR="$DEMO_TMP" \
        timeout --kill-after=10 "$limit" script -qec "$cmd" /dev/null </dev/null \
        >"$TEST_TMP/$name.log" 2>&1 || rc=$?
    log "  -> exit $rc after $((SECONDS - start))s"
}

# check_demo NAME [EXIT]: the checks on a finished run (EXIT: the expected one, default 0).
check_demo() {
    local name=$1 out=$TEST_TMP/$1.log want=${2:-0}
    if [[ $rc == "$want" ]]; then
        pass "$name: exit $want"
    elif [[ $rc == 124 || $rc == 137 ]]; then
        fail "$name: still running after the timeout (waiting at a pager or a prompt?)"
    else
        fail "$name: exit $rc"
    fi
    if [[ $rc != "$want" ]]; then
        log "  last lines of the terminal:"
        tail -c 1500 "$out" | tr -d '\033' | redact | tail -n 15 | sed 's/^/  | /'
    fi
    assert_contains "$out" "identical"
    assert_not_contains "$out" "(END)" "$name: no pager's (END)"
    assert_not_contains "$out" "--More--" "$name: no more's --More--"
    # less's prompt: a ':' at the start of a line, then clear to the end of it
    if grep -qaP '(^|\r):\x1b\[K' "$out"; then
        fail "$name: less's ':' prompt on the terminal"
    else
        pass "$name: no less ':' prompt"
    fi
    assert_not_contains "$out" "Password" "$name: no password prompt"
    if compgen -G "$DEMO_TMP/pgshuttle-demo.*" >/dev/null; then
        fail "$name: the demo left its directory: $(echo "$DEMO_TMP"/pgshuttle-demo.*)"
        stop_demo_servers
    else
        pass "$name: the demo removed its servers and directory"
    fi
    if compgen -G "$DEMO_TMP/pgshuttle-??????" >/dev/null; then
        fail "$name: pgshuttle left its work directory: $(echo "$DEMO_TMP"/pgshuttle-??????)"
    else
        pass "$name: pgshuttle removed its work directory"
    fi
}

section "make demo: offline, 2-row terminal, no input, the system's pager"
run_demo offline "$OFFLINE_TIMEOUT" --
check_demo offline

section "make demo-online: online, 2-row terminal, no input, a stand-in pager"
run_demo online "$ONLINE_TIMEOUT" PAGER="$STANDIN" PSQL_PAGER="$STANDIN" -- --online
check_demo online
if [[ -s $PAGER_LOG ]]; then
    fail "online: a pager was started: $(head -n 3 "$PAGER_LOG" | tr '\n' ' ')"
else
    pass "online: no pager was started"
fi

section "make demo: the product tour, 2-row terminal, no input; Ctrl-C when it serves"
out=$TEST_TMP/tour.log
start=$SECONDS
env -u PAGER -u PSQL_PAGER -u LESS -u MORE -u PGPASSWORD PAGER="$STANDIN" PSQL_PAGER="$STANDIN" \
    PGSHUTTLE_BIN="$PGSHUTTLE_BIN" TMPDIR="$DEMO_TMP" \
    timeout --kill-after=10 "$TOUR_TIMEOUT" \
    script -qec "stty rows 2 cols 80; exec $(printf '%q ' "$TOUR" --port 0 --writes-for 5 --cutover-after 2)" \
    /dev/null </dev/null >"$out" 2>&1 &
script_pid=$!
served=0
while kill -0 "$script_pid" 2>/dev/null && ((SECONDS - start < TOUR_TIMEOUT)); do
    if grep -qa 'the page stays up at' "$out"; then
        served=1
        break
    fi
    sleep 1
done
if ((served)); then
    pass "tour: it serves the page after cutover and verify ($((SECONDS - start))s)"
else
    fail "tour: it did not reach 'the page stays up' (exit or timeout after $((SECONDS - start))s)"
fi
# The address it printed, with the token as a URL fragment.
link=$(tr -d '\r' <"$out" | grep -ao 'http://127\.0\.0\.1:[0-9]*/#token=[0-9a-f]*' | head -n 1)
if [[ -n $link ]]; then
    pass "tour: it printed the page's address with the token"
    base=${link%%/#token=*}
    token=${link##*#token=}
    code=$(curl -sS -o "$TEST_TMP/tour.page" -w '%{http_code}' --max-time 10 "$base/") || code=000
    if [[ $code == 200 ]] && grep -qai '<html' "$TEST_TMP/tour.page"; then
        pass "tour: the page answers at $base/"
    else
        fail "tour: GET $base/ answered $code"
    fi
    code=$(curl -sS -o "$TEST_TMP/tour.mig" -w '%{http_code}' --max-time 10 \
        -H "Authorization: Bearer $token" "$base/api/v1/migrations/shop-online") || code=000
    if [[ $code == 200 ]] && grep -q '"state": *"Succeeded"' "$TEST_TMP/tour.mig"; then
        pass "tour: the API shows shop-online Succeeded with the printed token"
    else
        fail "tour: GET shop-online answered $code: $(head -c 300 "$TEST_TMP/tour.mig" | redact)"
    fi
else
    fail "tour: no page address with a token in its output"
fi
tour_pid=$(pgrep -f "^bash $TOUR " | head -n 1 || true)
if [[ -n $tour_pid ]]; then
    # Ctrl-C: the terminal sends SIGINT to the foreground process group.
    kill -INT -- "-$tour_pid" 2>/dev/null || kill -INT "$tour_pid" 2>/dev/null || true
fi
rc=0
wait "$script_pid" || rc=$?
log "  -> exit $rc after $((SECONDS - start))s"
check_demo tour 130
if pgrep -f "$DEMO_TMP/pgshuttle-demo" >/dev/null; then
    fail "tour: processes of the tour are still running: $(pgrep -af "$DEMO_TMP/pgshuttle-demo" | head -n 3 | redact)"
else
    pass "tour: nothing it started is still running"
fi

finish
