#!/usr/bin/env bash
# pgshuttle verify must notice damage on the target.  PostgreSQL 15 -> 15,
# pgs_fixture (fixture_core) and pgs_small (fixture_small):
#   1. migrate, then verify: exit 0 (identical)
#   2. damage the target: update a row, delete a row, drop an index, add a
#      column, advance a sequence (pgs_fixture); delete a row (pgs_small)
#   3. verify: exit 1 and every damaged object is named in the output;
#      the same with --output json (only JSON lines, final result event)
#   4. compare_databases agrees that the databases differ
set -euo pipefail
. "$(dirname "$0")/lib.sh"
require_pgshuttle

section "clusters, fixtures, migration"
start_cluster src
start_cluster tgt
load_fixture "$src_URI" pgs_fixture "$FIXTURE_DIR/fixture_core.sql"
load_fixture "$src_URI" pgs_small "$FIXTURE_DIR/fixture_small.sql"
create_roles "$tgt_URI" pgs_owner pgs_reader pgs_only_on_source
assert_exit 0 "$PGSHUTTLE_BIN" migrate --source "$src_URI" --target "$tgt_URI" \
    --databases pgs_fixture,pgs_small --mode offline --type migrate --jobs 2 --index-jobs 2
((LAST_ASSERT_OK)) || die "migration failed, cannot test verify"
assert_exit 0 "$PGSHUTTLE_BIN" verify --source "$src_URI" --target "$tgt_URI" \
    --databases pgs_fixture,pgs_small

section "damage the target"
# description | database | SQL | text verify must print (alternatives separated by ;)
damages=(
    "a row updated|pgs_fixture|UPDATE app.child SET note = 'changed by the test' WHERE id = 4242|app.child"
    "a row deleted|pgs_fixture|DELETE FROM app.mc_child WHERE id = 7|app.mc_child"
    "an index dropped|pgs_fixture|DROP INDEX app.documents_lower_title_idx|documents_lower_title_idx"
    "a column added|pgs_fixture|ALTER TABLE app.serials ADD COLUMN added_by_test integer|added_by_test"
    "a sequence advanced|pgs_fixture|SELECT setval('app.seq_standalone', 9999)|seq_standalone"
    "a row deleted in the second database|pgs_small|DELETE FROM inventory.stock WHERE warehouse_id = 2 AND product_id = 17|inventory.stock"
)
for d in "${damages[@]}"; do
    IFS='|' read -r desc db sql pattern <<<"$d"
    log "damage in $db: $desc"
    psql_db "$tgt_URI" "$db" -c "$sql" >/dev/null
done

# expect_named FILE: every damage's pattern appears in FILE.
expect_named() {
    local file=$1 d desc db sql pattern alt found
    for d in "${damages[@]}"; do
        IFS='|' read -r desc db sql pattern <<<"$d"
        found=0
        IFS=';' read -ra alts <<<"$pattern"
        for alt in "${alts[@]}"; do
            grep -qF -- "$alt" "$file" && found=1
        done
        if ((found)); then
            pass "verify names the damage: $desc ($pattern)"
        else
            fail "verify does not name the damage: $desc (expected '$pattern')"
        fi
    done
}

section "verify (text)"
assert_exit 1 "$PGSHUTTLE_BIN" verify --source "$src_URI" --target "$tgt_URI" \
    --databases pgs_fixture,pgs_small
show_output 60
expect_named "$LAST_OUTPUT"

section "verify (json)"
assert_exit 1 "$PGSHUTTLE_BIN" verify --source "$src_URI" --target "$tgt_URI" \
    --databases pgs_fixture,pgs_small --output json
assert_json_lines "$LAST_STDOUT" any
expect_named "$LAST_STDOUT"

section "verify of the undamaged database alone"
# pgs_small was damaged too; recreate the row and check verify is clean again
psql_db "$tgt_URI" pgs_small -c "INSERT INTO inventory.stock VALUES (2, 17, (2 * 17) % 37)" >/dev/null
assert_exit 0 "$PGSHUTTLE_BIN" verify --source "$src_URI" --target "$tgt_URI" --databases pgs_small

section "the independent comparison agrees"
if compare_databases "$src_URI" "$tgt_URI" pgs_fixture >"$TEST_TMP/cmp.out" 2>&1; then
    cat "$TEST_TMP/cmp.out"
    fail "compare_databases says the damaged pgs_fixture is identical"
else
    pass "compare_databases reports the damaged pgs_fixture as different"
fi

finish
