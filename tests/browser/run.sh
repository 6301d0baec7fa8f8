#!/usr/bin/env bash
# The monitoring page in a real headless Chromium (Debian's chromium, driven
# by playwright-core from web/node_modules: tests/browser/page.mjs) against a
# real `pgshuttle serve` with real migrations between two real clusters:
#   basic    the token (no request without it, 401 screen); the grid's
#            columns, order (newest start first) and statuses; Refresh shows
#            a new migration and its status change; auto-refresh in place;
#            the details of an online migration (validation for instance and
#            database, a remediation opened, databases, tables sorted and
#            searched, events, log, chart) kept across auto-refreshes; a
#            Failed migration's error; the create form's field errors; the
#            grid's Node column; the Nodes view (a beating node and a stopped
#            one, written by tests/tools/node_seed): states, Drain and Resume
#            through the buttons, auto-refresh in place; screenshots (grid and
#            details, light and dark, desktop and phone; the nodes)
#   cutover  the online migration waits for cutover; Cutover pressed in the
#            page (the dialog shows the latency); the grid shows Succeeded;
#            Confirm overwrite pressed for a migration whose target database
#            exists: Succeeded; the data verified with `pgshuttle verify`;
#            Cancel in the page, for a chosen database, of a migration
#            waiting for its window (listed first: not started yet); Delete
#            in the page removes a finished migration
#   big      a second serve with 1,000 migrations written by store_seed: the
#            time from navigation to the grid visible; the Active filter's
#            empty state says how to create a migration
# Also measured: the page's size (every embedded file, and gzip -9'd).
# Screenshots go to ARTIFACT_DIR (build/test-artifacts) and, when set, to
# PGS_SCREENSHOT_DIR.
set -euo pipefail
TEST_NAME=browser
. "$(dirname "$0")/../integration/lib.sh"
. "$(dirname "$0")/../integration/online/lib.sh"
. "$(dirname "$0")/../integration/service/lib.sh"
online_require
WEB_DIR=$PGS_ROOT/web
ARTIFACT_DIR=${ARTIFACT_DIR:-$PGS_ROOT/build/test-artifacts}

# chromium (and web/node_modules) come from the project's own bootstrap
if [[ ! -x /usr/bin/chromium || ! -d $WEB_DIR/node_modules/playwright-core ]]; then
    "$PGS_ROOT/scripts/bootstrap" --browser >&2 || true
fi
[[ -x /usr/bin/chromium ]] || skip_test "chromium is not installed (scripts/bootstrap --browser)"
[[ -d $WEB_DIR/node_modules/playwright-core ]] || skip_test "web/node_modules has no playwright-core (scripts/bootstrap)"
command -v node >/dev/null || skip_test "node is not installed"
command -v curl >/dev/null || skip_test "curl is not installed"

section "clusters and source databases"
start_cluster src
start_cluster tgt
create_roles "$tgt_URI" pgs_owner pgs_reader pgs_only_on_source
load_fixture "$src_URI" pgs_web_off "$FIXTURE_DIR/fixture_small.sql"
online_load_db "$src_URI" pgs_web_on "$FIXTURE_DIR/fixture_small.sql"

serve_start
token=$(cat "$STATE_DIR/token")
PGS_SECRETS+=("$token")
assert_contains "$SERVE_ERR" "the page: $SERVE_URL/"
assert_not_contains "$SERVE_ERR" "$token"

# The connection strings without their passwords: the page and the API get
# the passwords in secretParameters.
conn() { printf "host=127.0.0.1 port=%s user=postgres dbname=postgres" "$1"; }
SRC=$(conn "$src_PORT")
TGT=$(conn "$tgt_PORT")
create() {   # create NAME MODE OPTION DB
    api PUT "/api/v1/migrations/$1" "$(python3 -c '
import json, sys
name, mode, opt, db, src, tgt, spw, tpw = sys.argv[1:9]
print(json.dumps({"properties": {"sourceServer": src, "targetServer": tgt, "dbsToMigrate": [db],
                                 "migrationMode": mode, "migrationOption": opt, "jobs": 2, "indexJobs": 2},
                  "secretParameters": {"adminCredentials": {"sourceServerPassword": spw,
                                                            "targetServerPassword": tpw}}}))
' "$1" "$2" "$3" "$4" "$SRC" "$TGT" "$src_PASSWORD" "$tgt_PASSWORD")"
    check "$1 created through the API: 201 (got $API_CODE)" test "$API_CODE" = 201
}

section "nodes for the page: one beating, one stopped"
"$NODE_SEED_BIN" "$STATE_DIR" web-node-a "$SERVE_URL" 4 beating &
NODE_SEED_PID=$!
node_seed_stop() {
    [[ -n ${NODE_SEED_PID:-} ]] || return 0
    kill -TERM "$NODE_SEED_PID" 2>/dev/null || true
    wait "$NODE_SEED_PID" 2>/dev/null || true
    NODE_SEED_PID=""
}
PGS_AT_EXIT+=(node_seed_stop)
assert_exit 0 "$NODE_SEED_BIN" "$STATE_DIR" web-node-b - 0 stopped

section "migrations"
workload_start w1 "$src_URI" pgs_web_on
create web-off Offline ValidateAndMigrate pgs_web_off
create web-fail Offline Migrate pgs_web_nosuch
create web-on Online ValidateAndMigrate pgs_web_on
wait_mig web-off "web-off Succeeded" "$(PRED_STATE Succeeded)" 180

export PGS_WEB_URL=$SERVE_URL PGS_WEB_TOKEN=$token PGS_WEB_DIR=$WEB_DIR PGS_WEB_ARTIFACTS=$ARTIFACT_DIR
export PGS_WEB_SRC=$SRC PGS_WEB_TGT=$TGT PGS_WEB_SRC_PW=$src_PASSWORD PGS_WEB_TGT_PW=$tgt_PASSWORD
export PGS_WEB_SECRETS="$src_PASSWORD"$'\n'"$tgt_PASSWORD"
BROWSER_SECONDS=0
# browser GROUP: run page.mjs GROUP with a fresh profile; its PASS/FAIL lines count here.
browser() {
    local out=$TEST_TMP/browser-$1.out start=$SECONDS line
    PGS_WEB_USER_DATA=$(mktemp -d "$TEST_TMP/chromium.XXXXXX") \
        timeout 600 node "$PGS_ROOT/tests/browser/page.mjs" "$1" >"$out" 2>&1 || true
    BROWSER_SECONDS=$((BROWSER_SECONDS + SECONDS - start))
    local counted=0
    while IFS= read -r line; do
        case $line in
            PASS:*) pass "browser $1: ${line#PASS: }"; counted=$((counted + 1)) ;;
            FAIL:*) fail "browser $1: ${line#FAIL: }"; counted=$((counted + 1)) ;;
            *) printf '  | %s\n' "$line" ;;
        esac
    done < <(redact <"$out")
    ((counted > 0)) || fail "browser $1: page.mjs reported nothing"
    log "browser $1: $((SECONDS - start)) s"
}

section "the page: token, grid, details, create form, screenshots"
browser basic

section "cutover from the page"
wait_mig web-on "web-on waits for cutover" "$(PRED_STATE 'Waiting for user action') and $(PRED_SUB 'Waiting for cutover')" 240
sleep 2
workload_stop w1
browser cutover
mig_get web-on
check "web-on Succeeded / Completed (got $MIG_STATE / $MIG_SUB)" test "$MIG_STATE/$MIG_SUB" = "Succeeded/Completed"
assert_exit 0 "$PGSHUTTLE_BIN" verify --source "$src_URI" --target "$tgt_URI" --databases pgs_web_on,pgs_web_off
check_no_secret_in "serve's output" "$SERVE_ERR"
node_seed_stop

section "the page's size"
total=0
gz=0
for path in / /assets/app.js /assets/app.css /assets/uPlot.iife.min.js /assets/uPlot.min.css; do
    curl -sS -o "$TEST_TMP/asset" "$SERVE_URL$path"
    n=$(stat -c %s "$TEST_TMP/asset")
    g=$(gzip -9 -c "$TEST_TMP/asset" | wc -c)
    total=$((total + n))
    gz=$((gz + g))
    log "  $path: $n bytes ($g gzip -9'd)"
done
check "every embedded file is served" test "$total" -gt 50000
log "MEASURE: the page is $total bytes in 5 files ($gz bytes gzip -9'd; served uncompressed)"
serve_stop

section "1,000 migrations"
STATE_DIR=$TEST_TMP/state-big
mkdir -p "$STATE_DIR"
chmod 700 "$STATE_DIR"
assert_exit 0 "$STORE_SEED_BIN" "$STATE_DIR" 1000
serve_start
export PGS_WEB_URL=$SERVE_URL PGS_WEB_TOKEN
PGS_WEB_TOKEN=$(cat "$STATE_DIR/token")
browser big
serve_stop
log "MEASURE: browser time: $BROWSER_SECONDS s in page.mjs"
finish
