#!/usr/bin/env bash
# What migrate says when nobody watches a terminal, and how often:
#   - a failure is printed once where it happens (the failed check's line,
#     or the error line) and once in the summary, never a third time; with
#     --output json a failed check is its check event and the result's error;
#   - an online migration without a terminal says once, when it starts
#     waiting for cutover, how to cut over (its PID and the signal), and that
#     command cuts over.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/online/lib.sh"
require_pgshuttle

start_cluster src
start_cluster tgt

# count_lines FILE TEXT: how many lines of FILE hold TEXT (fixed string).
count_lines() { grep -cF -- "$2" "$1" || true; }

# expect_count DESC FILE TEXT N
expect_count() {
    local n
    n=$(count_lines "$2" "$3")
    if [[ $n == "$4" ]]; then
        pass "$1: $n line(s)"
    else
        fail "$1: $n line(s) hold '$3', expected $4"
        redact <"$2" | tail -n 20 | sed 's/^/  | /'
    fi
}

section "a failed check: its line and the summary"
create_database "$src_URI" pgs_msg
q "$src_URI" pgs_msg "CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t SELECT generate_series(1, 100)" >/dev/null
create_database "$tgt_URI" pgs_msg
assert_exit 2 "$PGSHUTTLE_BIN" migrate --source "$src_URI" --target "$tgt_URI" --databases pgs_msg
expect_count "the failed check is printed twice (where, summary)" "$LAST_OUTPUT" 'already exists on the target' 2
assert_contains "$LAST_OUTPUT" 'check failed [pgs_msg] Target database'
assert_contains "$LAST_OUTPUT" 'error in database pgs_msg: Target database'
assert_exit 2 "$PGSHUTTLE_BIN" migrate --source "$src_URI" --target "$tgt_URI" --databases pgs_msg --output json
if python3 - "$LAST_STDOUT" <<'EOF'; then
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
errors = [e for e in ev if e['event'] == 'error']
failed = [e for e in ev if e['event'] == 'check' and e['status'] == 'Failed']
res = ev[-1]
print(f'  {len(errors)} error events, {len(failed)} failed checks, result error: {res.get("error", "")[:80]!r}')
sys.exit(0 if not errors and len(failed) == 1 and 'already exists' in res.get('error', '') else 1)
EOF
    pass "JSON: the failed check event and the result's error, no error event repeating them"
else
    fail "JSON: the failure is repeated or missing"
fi

section "a failure while migrating: the error line and the summary"
create_roles "$src_URI" pgs_msg_only_on_source
create_database "$src_URI" pgs_msg_policy
q "$src_URI" pgs_msg_policy "CREATE TABLE t (id int PRIMARY KEY); ALTER TABLE t ENABLE ROW LEVEL SECURITY;
  CREATE POLICY only_them ON t TO pgs_msg_only_on_source USING (true)" >/dev/null
assert_exit 1 "$PGSHUTTLE_BIN" migrate --source "$src_URI" --target "$tgt_URI" --databases pgs_msg_policy --type migrate
expect_count "the restore failure is printed twice (where, summary)" "$LAST_OUTPUT" 'CREATE POLICY only_them' 2
expect_count "the server's reason is printed twice" "$LAST_OUTPUT" 'role "pgs_msg_only_on_source" does not exist' 2
assert_contains "$LAST_OUTPUT" 'error in database pgs_msg_policy: restoring the schema (post-data) failed'

section "online without a terminal: the log says how to cut over"
drop_database "$tgt_URI" pgs_msg
online_start cutover "$PGSHUTTLE_BIN" migrate --source "$src_URI" --target "$tgt_URI" --databases pgs_msg \
    --mode online --type migrate
hint=
for _ in $(seq 1 600); do
    hint=$(grep -oE 'waiting for cutover: run `kill -USR1 [0-9]+` to cut over' "$ONLINE_ERR" || true)
    [[ -n $hint ]] && break
    kill -0 "$ONLINE_PID" 2>/dev/null || break
    sleep 0.2
done
if [[ -n $hint ]]; then
    pass "the log says: $hint"
else
    fail "no cutover hint in the log"
    show_online_output
fi
logged_pid=$(grep -oE 'kill -USR1 [0-9]+' <<<"$hint" | head -n 1 | awk '{print $3}')
if [[ $logged_pid == "$ONLINE_PID" ]]; then pass "the PID in the hint is the migration's"; else fail "the hint names PID '$logged_pid', the migration is $ONLINE_PID"; fi
q "$src_URI" pgs_msg "INSERT INTO t SELECT generate_series(101, 200)" >/dev/null
sleep 2
kill -USR1 "${logged_pid:-$ONLINE_PID}" 2>/dev/null || true
wait_exit "$ONLINE_PID" 120
check_exit "the command from the hint cut over" 0
expect_count "the hint is logged once" "$ONLINE_ERR" 'waiting for cutover: run' 1
assert_exit 0 "$PGSHUTTLE_BIN" verify --source "$src_URI" --target "$tgt_URI" --databases pgs_msg
assert_contains "$LAST_OUTPUT" "db pgs_msg: identical"

finish
