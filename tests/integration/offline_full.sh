#!/usr/bin/env bash
# Offline migration of three databases, PostgreSQL 15 -> 15, end to end:
#   - source: pgs_fixture (fixture_core + fixture_modern), pgs_small
#     (fixture_small) and 'pgs "odd" db' (fixture_small, a name with a space
#     and double quotes)
#   - target: roles pgs_owner and pgs_reader exist, pgs_only_on_source does
#     not at first (it owns app.owned_by_missing_role on the source)
#   1. migrate --mode offline --type migrate --jobs 2 --index-jobs 2: exit 0,
#      a warning naming pgs_only_on_source, a warning naming the inheritance
#      children whose column order pg_restore cannot keep, no password
#   2. verify: exit 1 listing exactly the owner of the table whose role is
#      missing; compare_databases (independent of pgshuttle): identical but
#      for that owner and the known inheritance column order
#   3. migrate again without --overwrite: fails, says the database exists,
#      leaves the target databases as they were
#   4. the missing role created on the target, migrate --overwrite --output
#      json: exit 0, only JSON lines, the last one {"event":"result",...};
#      verify --output json: exit 0; compare_databases identical
set -euo pipefail
. "$(dirname "$0")/lib.sh"
require_pgshuttle

ODD_DB='pgs "odd" db'
DATABASES="pgs_fixture,pgs_small,$ODD_DB"
# On the target the table owned by the missing role gets another owner (and
# so other privileges); everything else must be identical.
MISSING_ROLE_IGNORE='owned_by_missing_role( OWNER TO | .*owner=)|ON TABLE app\.owned_by_missing_role '

section "clusters and fixtures"
start_cluster src
start_cluster tgt
load_fixture "$src_URI" pgs_fixture "$FIXTURE_DIR/fixture_core.sql" "$FIXTURE_DIR/fixture_modern.sql"
load_fixture "$src_URI" pgs_small "$FIXTURE_DIR/fixture_small.sql"
load_fixture "$src_URI" "$ODD_DB" "$FIXTURE_DIR/fixture_small.sql"
create_roles "$tgt_URI" pgs_owner pgs_reader

# no_secrets: neither cluster password appears in the last command's output.
no_secrets() {
    assert_not_contains "$LAST_OUTPUT" "$src_PASSWORD" "the source password does not appear in the output"
    assert_not_contains "$LAST_OUTPUT" "$tgt_PASSWORD" "the target password does not appear in the output"
}

# pg_dump/pg_restore give inheritance children their parents' column order
# (pgshuttle warns, see step 1): the fixture's inherit.* children differ in
# column positions only, so those are left out of the fixture's comparison.
compare_all() {
    COMPARE_IGNORE_COLUMN_ORDER=1 COMPARE_IGNORE_REGEX=${1:-} \
        check "compare_databases pgs_fixture: identical${1:+ (but for the owner of owned_by_missing_role)}" \
        compare_databases "$src_URI" "$tgt_URI" pgs_fixture
    check "compare_databases pgs_small: identical" compare_databases "$src_URI" "$tgt_URI" pgs_small
    check "compare_databases '$ODD_DB': identical" compare_databases "$src_URI" "$tgt_URI" "$ODD_DB"
}

section "1. migrate (offline, 3 databases, 2 jobs)"
assert_exit 0 "$PGSHUTTLE_BIN" migrate --source "$src_URI" --target "$tgt_URI" \
    --databases "$DATABASES" --mode offline --type migrate --jobs 2 --index-jobs 2
role_lines=$(grep -iE 'pgs_only_on_source' "$LAST_OUTPUT" || true)
if grep -iE 'warn|missing|not exist|does not' <<<"$role_lines" >/dev/null; then
    pass "a warning names the missing role pgs_only_on_source"
    head -n 3 <<<"$role_lines" | redact | sed 's/^/  | /'
else
    fail "no warning naming the missing role pgs_only_on_source"
fi
assert_contains "$LAST_OUTPUT" "different column order on the target"
assert_contains "$LAST_OUTPUT" "inherit.bike (source: extra, wheels, name, id, color"
no_secrets
for db in pgs_fixture pgs_small "$ODD_DB"; do
    check "database '$db' exists on the target" database_exists "$tgt_URI" "$db"
done

section "2. verify and compare"
assert_exit 1 "$PGSHUTTLE_BIN" verify --source "$src_URI" --target "$tgt_URI" --databases "$DATABASES"
assert_contains "$LAST_OUTPUT" "db pgs_fixture: 2 differences"
assert_contains "$LAST_OUTPUT" "ALTER TABLE app.owned_by_missing_role OWNER TO pgs_only_on_source; — role pgs_only_on_source does not exist on the target"
assert_contains "$LAST_OUTPUT" "db pgs_small: identical"
no_secrets
compare_all "$MISSING_ROLE_IGNORE"

section "3. migrate again without --overwrite"
q "$tgt_URI" pgs_small "CREATE TABLE public.pgs_marker_after_first_run (id int)"
assert_exit 1,2 "$PGSHUTTLE_BIN" migrate --source "$src_URI" --target "$tgt_URI" \
    --databases "$DATABASES" --mode offline --type migrate --jobs 2 --index-jobs 2
assert_contains_any "$LAST_OUTPUT" "already exists" "exists"
no_secrets
check "the failed run left the existing target database alone" \
    q "$tgt_URI" pgs_small "SELECT 'public.pgs_marker_after_first_run'::regclass"
q "$tgt_URI" pgs_small "DROP TABLE public.pgs_marker_after_first_run"
check "compare_databases pgs_small after the refused run: identical" compare_databases "$src_URI" "$tgt_URI" pgs_small

section "4. with the missing role created: migrate --overwrite --output json"
create_roles "$tgt_URI" pgs_only_on_source
q "$tgt_URI" pgs_small "CREATE TABLE public.pgs_marker_before_overwrite (id int)"
assert_exit 0 "$PGSHUTTLE_BIN" migrate --source "$src_URI" --target "$tgt_URI" \
    --databases "$DATABASES" --mode offline --type migrate --jobs 2 --index-jobs 2 \
    --overwrite --output json
assert_json_lines "$LAST_STDOUT"
no_secrets
if [[ $(q "$tgt_URI" pgs_small "SELECT to_regclass('public.pgs_marker_before_overwrite') IS NULL") == t ]]; then
    pass "--overwrite replaced the existing database"
else
    fail "--overwrite kept a table of the old target database"
fi
assert_exit 0 "$PGSHUTTLE_BIN" verify --source "$src_URI" --target "$tgt_URI" --databases "$DATABASES" \
    --output json
assert_json_lines "$LAST_STDOUT" any
no_secrets
compare_all

finish
