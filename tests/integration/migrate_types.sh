#!/usr/bin/env bash
# The migration types and validation inside migrate:
#   --type validate               checks only: Succeeded (exit 0) or Validation
#                                 failed (exit 2); nothing is created
#   --type validate-and-migrate   (the default) a Failed check stops before
#                                 anything moves: Validation failed, exit 2;
#                                 warnings pass and the migration runs
#   --type migrate                no validation, only the essential checks: a
#                                 failing one ends Failed, exit 1
set -euo pipefail
. "$(dirname "$0")/lib.sh"
require_pgshuttle

section "clusters"
start_cluster src
start_cluster tgt
load_fixture "$src_URI" pgs_small "$FIXTURE_DIR/fixture_small.sql"
create_roles "$tgt_URI" pgs_owner pgs_reader

json_field() { # json_field FILE EXPR: evaluates EXPR on the last JSON line (variable r)
    python3 -c 'import json,sys; r=json.loads(open(sys.argv[1]).read().splitlines()[-1]); print(eval(sys.argv[2]))' "$1" "$2"
}
has_event() { # has_event FILE PYTHON-CONDITION on each line (variable e)
    python3 -c 'import json,sys; sys.exit(0 if any(eval(sys.argv[2]) for e in map(json.loads, open(sys.argv[1]))) else 1)' "$1" "$2"
}

section "--type validate"
assert_exit 0 "$PGSHUTTLE_BIN" migrate --source "$src_URI" --target "$tgt_URI" --databases pgs_small \
    --type validate --output json
assert_json_lines "$LAST_STDOUT"
check "result status Succeeded" test "$(json_field "$LAST_STDOUT" 'r["status"]')" = Succeeded
check "a status event with substatus 'Validation in progress'" \
    has_event "$LAST_STDOUT" 'e.get("substatus") == "Validation in progress"'
check "check events were reported" has_event "$LAST_STDOUT" 'e["event"] == "check" and e["name"] == "Source database"'
check "the result lists the checks" test "$(json_field "$LAST_STDOUT" 'len(r["checks"]) > 5')" = True
if database_exists "$tgt_URI" pgs_small; then fail "--type validate created the database"; else pass "--type validate created nothing"; fi

section "default type with a check that fails: nothing moves"
create_database "$tgt_URI" pgs_small
q "$tgt_URI" pgs_small "CREATE TABLE keep_me (id int)"
assert_exit 2 "$PGSHUTTLE_BIN" migrate --source "$src_URI" --target "$tgt_URI" --databases pgs_small \
    --output json
check "result status Validation failed" test "$(json_field "$LAST_STDOUT" 'r["status"]')" = "Validation failed"
check "the failed check is named in the result" \
    test "$(json_field "$LAST_STDOUT" '[c["name"] for c in r["checks"] if c["status"] == "Failed"]')" = "['Target database']"
check "the existing target database was left alone" q "$tgt_URI" pgs_small "SELECT 'keep_me'::regclass"

section "--type migrate: no validation, the essential check still stops it"
assert_exit 1 "$PGSHUTTLE_BIN" migrate --source "$src_URI" --target "$tgt_URI" --databases pgs_small \
    --type migrate --output json
check "result status Failed" test "$(json_field "$LAST_STDOUT" 'r["status"]')" = Failed
if has_event "$LAST_STDOUT" 'e.get("substatus") == "Validation in progress"'; then
    fail "--type migrate ran the validation step"
else
    pass "--type migrate did not enter 'Validation in progress'"
fi
check "the existing target database was left alone" q "$tgt_URI" pgs_small "SELECT 'keep_me'::regclass"

section "warnings pass: --overwrite makes the existing database a Warning"
assert_exit 0 "$PGSHUTTLE_BIN" migrate --source "$src_URI" --target "$tgt_URI" --databases pgs_small \
    --overwrite --output json
check "result status Succeeded" test "$(json_field "$LAST_STDOUT" 'r["status"]')" = Succeeded
check "the Target database check warned" \
    has_event "$LAST_STDOUT" 'e["event"] == "check" and e["name"] == "Target database" and e["status"] == "Warning"'
assert_exit 0 "$PGSHUTTLE_BIN" verify --source "$src_URI" --target "$tgt_URI" --databases pgs_small
check "compare_databases pgs_small identical" compare_databases "$src_URI" "$tgt_URI" pgs_small

section "pgshuttle validate"
assert_exit 0 "$PGSHUTTLE_BIN" validate --source "$src_URI" --target "$tgt_URI" --databases pgs_small \
    --overwrite --output json
check "validate: status Succeeded" python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if d["status"]=="Succeeded" and d["checks"] else 1)' "$LAST_STDOUT"
assert_exit 2 "$PGSHUTTLE_BIN" validate --source "$src_URI" --target "$tgt_URI" --databases pgs_small,nosuch_db
assert_contains "$LAST_OUTPUT" "Validation failed"
assert_contains "$LAST_OUTPUT" 'database "nosuch_db" on the source server'
assert_exit 64 "$PGSHUTTLE_BIN" validate --source "$src_URI" --databases pgs_small
assert_exit 64 "$PGSHUTTLE_BIN" validate --source "$src_URI" --target "$tgt_URI" --databases x --mode sideways

finish
