#!/usr/bin/env bash
# The "Client tools" check: pg_dump must be at least as new as the source.
# This machine has Debian's pg_dump 15 only, so a PostgreSQL 17 source fails
# the check (essential: --type migrate stops too, before touching the
# target), while a 15 source passes it.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
require_pgshuttle

start_cluster src17 --version 17
start_cluster tgt17 --version 17
start_cluster src15
create_database "$src17_URI" pgs_tools
create_database "$src15_URI" pgs_tools

status_of() { # status_of FILE CHECK: the status of that check in validate's JSON
    python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(next((c["status"]+": "+c["message"]+" | "+str(c["remediation"]) for c in d["checks"] if c["name"]==sys.argv[2]), "absent"))' "$1" "$2"
}

section "PostgreSQL 17 source, pg_dump 15 on this machine"
assert_exit 2 "$PGSHUTTLE_BIN" validate --source "$src17_URI" --target "$tgt17_URI" --databases pgs_tools --output json
result=$(status_of "$LAST_STDOUT" "Client tools")
log "  Client tools: $result"
if [[ $result == Failed:*"version 17 or later"*"pg_dump 15"*"postgresql-client-17"* ]]; then
    pass "Client tools Failed, naming the version needed and the package"
else
    fail "Client tools did not fail as expected: $result"
fi
assert_exit 1 "$PGSHUTTLE_BIN" migrate --source "$src17_URI" --target "$tgt17_URI" --databases pgs_tools --type migrate
assert_contains "$LAST_OUTPUT" "Client tools"
if database_exists "$tgt17_URI" pgs_tools; then fail "the database was created on the target"; else pass "nothing was created on the target"; fi

section "PostgreSQL 15 source: Debian's pg_dump 15 is enough"
assert_exit 0 "$PGSHUTTLE_BIN" validate --source "$src15_URI" --target "$tgt17_URI" --databases pgs_tools --output json
result=$(status_of "$LAST_STDOUT" "Client tools")
if [[ $result == Succeeded:*"pg_dump 15"* ]]; then pass "Client tools Succeeded with pg_dump 15"; else fail "unexpected: $result"; fi

finish
