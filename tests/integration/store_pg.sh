#!/usr/bin/env bash
# The state store's test suite (tests/unit/test_store.c) against a real
# PostgreSQL: a throwaway cluster, a key file (0600), and test_store run
# with PGSHUTTLE_TEST_STORE_URI and PGSHUTTLE_TEST_STORE_KEY_FILE, so that
# every backend-neutral test runs on both backends and the PostgreSQL-only
# ones (sealed rows, the key, refusals, an odd schema name, a killed
# connection) run too. Each test makes and drops its own schema.
#
# Environment: TEST_STORE_BIN, the test_store program (CMake sets it;
# default: tests/test_store next to PGSHUTTLE_BIN).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

TEST_STORE_BIN=${TEST_STORE_BIN:-$(dirname "$PGSHUTTLE_BIN")/tests/test_store}
[[ -x $TEST_STORE_BIN ]] || skip_test "test_store not built ($TEST_STORE_BIN)"

start_cluster store

section "key file"
key="$TEST_TMP/store.key"
(umask 077 && od -An -tx1 -N32 /dev/urandom | tr -d ' \n' >"$key" && echo >>"$key")
check "the key file is 64 hex digits, mode 0600" \
    bash -c '[[ $(tr -d "\n" <"$1") =~ ^[0-9a-f]{64}$ && $(stat -c %a "$1") == 600 ]]' _ "$key"

section "test_store on SQLite and PostgreSQL"
export PGSHUTTLE_TEST_STORE_URI=$store_URI
export PGSHUTTLE_TEST_STORE_KEY_FILE=$key
assert_exit 0 "$TEST_STORE_BIN"
check "the PostgreSQL-only tests ran" grep -q "test_pg_reconnect" "$LAST_OUTPUT"
check "no schema is left behind" test "$("$PSQL" -X -A -t -P pager=off -d "$store_URI" \
    -c "SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'pgs_test_%' OR nspname LIKE 'My %'")" = 0

finish
