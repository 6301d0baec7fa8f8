#!/usr/bin/env bash
# Databases with special names or roles, PostgreSQL 15 -> 15 (issue 12,
# items 4 and 5):
#   1. names with a comma and a double quote: `a,b` and `q"uote,x`, named
#      with the quoted form of --databases ('"a,b"'), with --database (taken
#      literally) and with both; validate, migrate, verify and
#      compare_databases; malformed lists and duplicates are usage errors
#   2. template0 is refused by name (exit 64, says why), by every command
#   3. a target template1 with --overwrite: the Target database check fails
#      before anything moves (validate, the default type and --type migrate)
#      saying to run ALTER DATABASE ... IS_TEMPLATE false, and the target's
#      template1 is left alone; once the DBA has done that, template1 migrates
#      and is a template again on the target, identical to the source's
#   4. postgres --overwrite while the target connection string connects to
#      postgres: pgshuttle drops and recreates it through template1 (the
#      Warning says so, and that an open session will be disconnected), then
#      verify and compare_databases; and `a,b` --overwrite with the target
#      connection string naming `a,b` itself goes through postgres; a failure
#      after postgres was recreated drops the incomplete postgres (the session
#      that drops it moves out of it first)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
require_pgshuttle

COMMA_DB='a,b'
QUOTE_DB='q"uote,x'

section "clusters and fixtures"
start_cluster src
start_cluster tgt
load_fixture "$src_URI" "$COMMA_DB" "$FIXTURE_DIR/fixture_small.sql"
load_fixture "$src_URI" "$QUOTE_DB" "$FIXTURE_DIR/fixture_small.sql"
q "$src_URI" "$QUOTE_DB" "CREATE TABLE inventory.only_in_quote (id int PRIMARY KEY); INSERT INTO inventory.only_in_quote SELECT generate_series(1, 50)"
psql_db "$src_URI" postgres -o /dev/null -f "$FIXTURE_DIR/fixture_small.sql"
q "$src_URI" postgres "CREATE TABLE public.maintenance_data (id int PRIMARY KEY, v text); INSERT INTO public.maintenance_data SELECT g, md5(g::text) FROM generate_series(1, 1000) g"
# After the fixtures: CREATE DATABASE copies template1.
q "$src_URI" template1 "CREATE TABLE public.template_marker (id int PRIMARY KEY, note text); INSERT INTO public.template_marker VALUES (1, 'from the source template1')"
create_roles "$tgt_URI" pgs_owner pgs_reader
q "$tgt_URI" template1 "CREATE TABLE public.target_only (id int)"

# check_json FILE SCOPE NAME STATUS: validate's JSON has that check with that status.
check_json() {
    python3 - "$@" <<'EOF'
import json, sys
path, scope, name, status = sys.argv[1:5]
doc = json.load(open(path))
found = [c for c in doc["checks"] if c["scope"] == scope and c["name"] == name]
if not found or found[0]["status"] != status:
    print(f"  {scope} / {name}: {found[0]['status'] if found else 'missing'}, expected {status}")
    sys.exit(1)
c = found[0]
print(f"  {scope} / {name}: {c['status']}: {c['message']}" + (f" — {c['remediation']}" if c.get("remediation") else ""))
EOF
}

section "1. names with a comma and a double quote"
assert_exit 0 "$PGSHUTTLE_BIN" validate --source "$src_URI" --target "$tgt_URI" \
    --databases '"a,b","q""uote,x"' --output json
check "validate: Source database check of 'a,b' Succeeded" check_json "$LAST_STDOUT" "$COMMA_DB" "Source database" Succeeded
check "validate: Source database check of '$QUOTE_DB' Succeeded" check_json "$LAST_STDOUT" "$QUOTE_DB" "Source database" Succeeded
assert_exit 0 "$PGSHUTTLE_BIN" migrate --source "$src_URI" --target "$tgt_URI" \
    --databases '"a,b"' --database "$QUOTE_DB" --jobs 2 --index-jobs 2
for db in "$COMMA_DB" "$QUOTE_DB"; do
    check "database '$db' exists on the target" database_exists "$tgt_URI" "$db"
done
check "no database 'a' or 'b' was made on the target" \
    test "$(q "$tgt_URI" postgres "SELECT count(*) FROM pg_database WHERE datname IN ('a', 'b', 'q\"uote', 'x')")" = 0
assert_exit 0 "$PGSHUTTLE_BIN" verify --source "$src_URI" --target "$tgt_URI" \
    --database "$COMMA_DB" --databases '"q""uote,x"'
assert_contains "$LAST_OUTPUT" "db a,b: identical"
check "compare_databases 'a,b': identical" compare_databases "$src_URI" "$tgt_URI" "$COMMA_DB"
check "compare_databases '$QUOTE_DB': identical" compare_databases "$src_URI" "$tgt_URI" "$QUOTE_DB"

section "1b. malformed lists and duplicates are usage errors"
assert_exit 64 "$PGSHUTTLE_BIN" migrate --source "$src_URI" --target "$tgt_URI" --databases '"a,b'
assert_contains "$LAST_STDERR" "never closes"
assert_exit 64 "$PGSHUTTLE_BIN" validate --source "$src_URI" --target "$tgt_URI" --databases 'x,,y'
assert_contains "$LAST_STDERR" "empty name at position 3"
assert_exit 64 "$PGSHUTTLE_BIN" verify --source "$src_URI" --target "$tgt_URI" --databases '"a,b"c'
assert_contains "$LAST_STDERR" "after the quoted name \"a,b\" comes \"c\""
assert_exit 64 "$PGSHUTTLE_BIN" migrate --source "$src_URI" --target "$tgt_URI" \
    --databases '"a,b"' --database "$COMMA_DB"
assert_contains "$LAST_STDERR" 'database "a,b" is named twice'

section "2. template0 is refused by name"
for cmd in migrate validate verify; do
    assert_exit 64 "$PGSHUTTLE_BIN" "$cmd" --source "$src_URI" --target "$tgt_URI" --databases x,template0
    assert_contains "$LAST_STDERR" 'database "template0" cannot be migrated'
done
assert_exit 64 "$PGSHUTTLE_BIN" migrate --source "$src_URI" --target "$tgt_URI" --database template0
assert_contains "$LAST_STDERR" "accepts no connections"

section "3. a target template1 with --overwrite fails validation and changes nothing"
assert_exit 2 "$PGSHUTTLE_BIN" validate --source "$src_URI" --target "$tgt_URI" --databases template1 \
    --overwrite --output json
check "validate: Target database of template1 Failed" check_json "$LAST_STDOUT" template1 "Target database" Failed
assert_contains "$LAST_STDOUT" "is a template database"
assert_contains "$LAST_STDOUT" "ALTER DATABASE template1 IS_TEMPLATE false;"
check "validate: the source template1 is said to be a template" \
    grep -qF 'it is a template database, and so will be its copy' "$LAST_STDOUT"
assert_exit 2 "$PGSHUTTLE_BIN" migrate --source "$src_URI" --target "$tgt_URI" --databases template1 --overwrite
assert_contains "$LAST_OUTPUT" "Validation failed"
assert_contains "$LAST_OUTPUT" "IS_TEMPLATE false"
assert_not_contains "$LAST_OUTPUT" "cannot drop a template database" "the server's refusal is never reached"
assert_exit 1 "$PGSHUTTLE_BIN" migrate --source "$src_URI" --target "$tgt_URI" --databases template1 \
    --overwrite --type migrate
assert_contains "$LAST_OUTPUT" "is a template database"
check "the target's template1 was left alone" q "$tgt_URI" template1 "SELECT 1 FROM public.target_only LIMIT 0"
check "the target's template1 is still a template" \
    test "$(q "$tgt_URI" postgres "SELECT datistemplate FROM pg_database WHERE datname = 'template1'")" = t
assert_exit 2 "$PGSHUTTLE_BIN" validate --source "$src_URI" --target "$tgt_URI" --databases template1
assert_contains "$LAST_OUTPUT" "(a template cannot be dropped: first ALTER DATABASE template1 IS_TEMPLATE false;)"

section "3b. after ALTER DATABASE template1 IS_TEMPLATE false on the target, template1 migrates"
q "$tgt_URI" postgres "ALTER DATABASE template1 IS_TEMPLATE false"
assert_exit 0 "$PGSHUTTLE_BIN" migrate --source "$src_URI" --target "$tgt_URI" --databases template1 --overwrite
check "template1 is a template again on the target" \
    test "$(q "$tgt_URI" postgres "SELECT datistemplate FROM pg_database WHERE datname = 'template1'")" = t
check "the target's own table went with the old template1" \
    test "$(q "$tgt_URI" template1 "SELECT to_regclass('public.target_only') IS NULL")" = t
assert_exit 0 "$PGSHUTTLE_BIN" verify --source "$src_URI" --target "$tgt_URI" --databases template1
check "compare_databases template1: identical" compare_databases "$src_URI" "$tgt_URI" template1

section "4. postgres --overwrite, connected through postgres: done through template1"
q "$tgt_URI" postgres "CREATE TABLE public.old_target_table (id int)"
# An application session on the target's postgres database.
"$PSQL" -X -q -d "$tgt_URI" -c "SELECT pg_sleep(600)" >/dev/null 2>&1 &
sleeper=$!
for _ in $(seq 50); do
    [[ $(q "$tgt_URI" postgres "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep(600)%'") == 1 ]] && break
    sleep 0.1
done
assert_exit 0 "$PGSHUTTLE_BIN" validate --source "$src_URI" --target "$tgt_URI" --databases postgres \
    --overwrite --output json
check "validate: Target database of postgres is a Warning" check_json "$LAST_STDOUT" postgres "Target database" Warning
assert_contains "$LAST_STDOUT" 'through the \"template1\" database'
assert_contains "$LAST_STDOUT" "its 1 other session will be disconnected"
assert_exit 0 "$PGSHUTTLE_BIN" migrate --source "$src_URI" --target "$tgt_URI" --databases postgres --overwrite
assert_not_contains "$LAST_OUTPUT" "cannot drop the currently open database" "no attempt to drop the open database"
for _ in $(seq 50); do kill -0 "$sleeper" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$sleeper" 2>/dev/null; then
    fail "the session on the target's postgres database is still there"
    kill "$sleeper" 2>/dev/null || true
else
    pass "the session on the target's postgres database was disconnected"
fi
wait "$sleeper" 2>/dev/null || true
check "the old target table is gone" \
    test "$(q "$tgt_URI" postgres "SELECT to_regclass('public.old_target_table') IS NULL")" = t
check "the source's table is there" \
    test "$(q "$tgt_URI" postgres "SELECT count(*) FROM public.maintenance_data")" = 1000
assert_exit 0 "$PGSHUTTLE_BIN" verify --source "$src_URI" --target "$tgt_URI" --databases postgres
assert_contains "$LAST_OUTPUT" "db postgres: identical"
check "compare_databases postgres: identical" compare_databases "$src_URI" "$tgt_URI" postgres

section "4b. 'a,b' --overwrite with the target connection string naming 'a,b': done through postgres"
comma_tgt=$(uri_db "$tgt_URI" "$COMMA_DB")
q "$tgt_URI" "$COMMA_DB" "CREATE TABLE public.old_target_table (id int)"
assert_exit 0 "$PGSHUTTLE_BIN" migrate --source "$src_URI" --target "$comma_tgt" --database "$COMMA_DB" \
    --overwrite --output json
check "the Target database Warning says it goes through postgres" \
    grep -qF 'through the \"postgres\" database' "$LAST_STDOUT"
check "the old target table is gone" \
    test "$(q "$tgt_URI" "$COMMA_DB" "SELECT to_regclass('public.old_target_table') IS NULL")" = t
check "compare_databases 'a,b': identical" compare_databases "$src_URI" "$tgt_URI" "$COMMA_DB"

section "4c. a failure after postgres was recreated: the incomplete postgres is dropped"
# A policy naming a role the target lacks fails the schema restore (--type
# migrate skips the Roles check that would say so).
create_roles "$src_URI" pgs_policy_role
q "$src_URI" postgres "CREATE POLICY only_some ON public.maintenance_data TO pgs_policy_role USING (id < 10)"
assert_exit 1 "$PGSHUTTLE_BIN" migrate --source "$src_URI" --target "$tgt_URI" --databases postgres \
    --overwrite --type migrate
assert_contains "$LAST_OUTPUT" "pgs_policy_role"
assert_contains "$LAST_OUTPUT" "dropped the incomplete target database"
assert_not_contains "$LAST_OUTPUT" "could not drop the incomplete target database" "no failure to drop it"
check "the incomplete postgres is gone from the target" \
    test "$(q "$tgt_URI" template1 "SELECT count(*) FROM pg_database WHERE datname = 'postgres'")" = 0
q "$tgt_URI" template1 "CREATE ROLE pgs_policy_role NOLOGIN"
assert_exit 0 "$PGSHUTTLE_BIN" migrate --source "$src_URI" --target "$(uri_db "$tgt_URI" template1)" \
    --databases postgres
check "compare_databases postgres: identical" compare_databases "$src_URI" "$tgt_URI" postgres

finish
