#!/usr/bin/env bash
# Failure paths of an offline migration, PostgreSQL 15 -> 15.  Each must exit
# 1 or 2 with a clear message, must not echo a password, and must create
# nothing on the target:
#   - unreachable source (a closed port)       "connection refused"
#   - wrong source password                    "password authentication failed"
#   - wrong target password                    "password authentication failed"
#   - source database that does not exist      "does not exist"
#   - one good and one missing database        nothing created at all
#   - target database exists, no --overwrite   "already exists", left alone
#   - bad usage                                exit 64
set -euo pipefail
. "$(dirname "$0")/lib.sh"
require_pgshuttle

section "clusters"
start_cluster src
start_cluster tgt
load_fixture "$src_URI" pgs_small "$FIXTURE_DIR/fixture_small.sql"
create_roles "$tgt_URI" pgs_owner pgs_reader

WRONG_PW=wrongPW4711sentinel
MIGRATE=("$PGSHUTTLE_BIN" migrate --mode offline --type migrate --jobs 2 --index-jobs 2)

# A port on 127.0.0.1 that nothing listens on.
closed_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# with_password URI PASSWORD: the URI with another password.
with_password() {
    python3 - "$1" "$2" <<'EOF'
import re, sys, urllib.parse
uri, pw = sys.argv[1], sys.argv[2]
print(re.sub(r'^(postgresql://[^:@/]+):[^@]*@', lambda m: m.group(1) + ':' + urllib.parse.quote(pw, safe='') + '@', uri))
EOF
}

target_databases() {
    q "$tgt_URI" postgres "SELECT string_agg(datname, ',' ORDER BY datname) FROM pg_database"
}
BEFORE=$(target_databases)

nothing_created() {
    local now
    now=$(target_databases)
    if [[ $now == "$BEFORE" ]]; then
        pass "nothing was created on the target"
    else
        fail "the target's databases changed: before [$BEFORE] now [$now]"
        BEFORE=$now
    fi
}

# no_secrets: no password (right or wrong) in the last command's output.
no_secrets() {
    assert_not_contains "$LAST_OUTPUT" "$WRONG_PW" "the wrong password is not echoed"
    assert_not_contains "$LAST_OUTPUT" "$src_PASSWORD" "the source password is not echoed"
    assert_not_contains "$LAST_OUTPUT" "$tgt_PASSWORD" "the target password is not echoed"
}

section "unreachable source (closed port)"
port=$(closed_port)
assert_exit 1,2 "${MIGRATE[@]}" --source "postgresql://postgres:$WRONG_PW@127.0.0.1:$port/postgres" \
    --target "$tgt_URI" --databases pgs_small
assert_contains "$LAST_OUTPUT" "connection refused"
no_secrets
nothing_created

section "unreachable target (closed port)"
port=$(closed_port)
assert_exit 1,2 "${MIGRATE[@]}" --source "$src_URI" \
    --target "postgresql://postgres:$WRONG_PW@127.0.0.1:$port/postgres" --databases pgs_small
assert_contains "$LAST_OUTPUT" "connection refused"
no_secrets
nothing_created

section "wrong source password"
assert_exit 1,2 "${MIGRATE[@]}" --source "$(with_password "$src_URI" "$WRONG_PW")" \
    --target "$tgt_URI" --databases pgs_small
assert_contains "$LAST_OUTPUT" "password authentication failed"
no_secrets
nothing_created

section "wrong target password"
assert_exit 1,2 "${MIGRATE[@]}" --source "$src_URI" \
    --target "$(with_password "$tgt_URI" "$WRONG_PW")" --databases pgs_small
assert_contains "$LAST_OUTPUT" "password authentication failed"
no_secrets
nothing_created

section "source database does not exist"
assert_exit 1,2 "${MIGRATE[@]}" --source "$src_URI" --target "$tgt_URI" --databases pgs_no_such_db
assert_contains "$LAST_OUTPUT" "does not exist"
assert_contains "$LAST_OUTPUT" "pgs_no_such_db"
no_secrets
nothing_created

section "one existing and one missing source database (validation rejects the whole run)"
assert_exit 1,2 "${MIGRATE[@]}" --source "$src_URI" --target "$tgt_URI" --databases pgs_small,pgs_no_such_db
assert_contains "$LAST_OUTPUT" "pgs_no_such_db"
no_secrets
nothing_created

section "target database exists, no --overwrite"
create_database "$tgt_URI" pgs_small
q "$tgt_URI" pgs_small "CREATE TABLE public.pgs_marker (id int); INSERT INTO public.pgs_marker VALUES (42)"
BEFORE=$(target_databases)
assert_exit 1,2 "${MIGRATE[@]}" --source "$src_URI" --target "$tgt_URI" --databases pgs_small
assert_contains_any "$LAST_OUTPUT" "already exists" "exists"
assert_contains "$LAST_OUTPUT" "pgs_small"
no_secrets
nothing_created
if [[ $(q "$tgt_URI" pgs_small "SELECT id FROM public.pgs_marker" 2>/dev/null) == 42 ]]; then
    pass "the existing target database was left alone"
else
    fail "the existing target database was changed or dropped"
fi

section "a schema object that cannot be created (a policy for a role missing on the target)"
create_roles "$src_URI" pgs_policy_only_on_source
create_database "$src_URI" pgs_policy
q "$src_URI" pgs_policy "CREATE TABLE t (id int PRIMARY KEY); ALTER TABLE t ENABLE ROW LEVEL SECURITY;
  CREATE POLICY only_them ON t TO pgs_policy_only_on_source USING (true)" >/dev/null
assert_exit 1 "${MIGRATE[@]}" --source "$src_URI" --target "$tgt_URI" --databases pgs_policy --output json
if tail -n 1 "$LAST_STDOUT" | python3 -c 'import json,sys; r=json.loads(sys.stdin.read()); e=r.get("error",""); sys.exit(0 if r["status"]=="Failed" and "does not exist" in e and "CREATE POLICY only_them" in e else 1)'; then
    pass "the result names the server's error and the statement that failed"
else
    fail "the result does not say which statement failed: $(tail -n 1 "$LAST_STDOUT" | cut -c1-300)"
fi
if database_exists "$tgt_URI" pgs_policy; then fail "the half-restored database was left on the target"; else pass "the half-restored database was dropped"; fi
no_secrets
# With validation (the default type), the Roles check sees it coming.
assert_exit 2 "$PGSHUTTLE_BIN" migrate --source "$src_URI" --target "$tgt_URI" --databases pgs_policy
assert_contains "$LAST_OUTPUT" "policies name roles missing on the target (pgs_policy_only_on_source)"
nothing_created

section "bad usage"
assert_exit 64 "$PGSHUTTLE_BIN" migrate --target "$tgt_URI" --databases pgs_small
no_secrets
assert_exit 64 "$PGSHUTTLE_BIN" migrate --source "$src_URI" --target "$tgt_URI"
no_secrets
assert_exit 64 "$PGSHUTTLE_BIN" migrate --source "$src_URI" --target "$tgt_URI" --databases pgs_small \
    --no-such-option
assert_exit 64 "$PGSHUTTLE_BIN" migrate --source "$src_URI" --target "$tgt_URI" --databases pgs_small \
    --mode sideways
assert_exit 64 "$PGSHUTTLE_BIN" verify --source "$src_URI" --databases pgs_small
assert_exit 64 "$PGSHUTTLE_BIN" no-such-command
nothing_created

finish
