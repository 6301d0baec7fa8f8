#!/usr/bin/env bash
# Self-test of compare_databases (lib.sh), which the migration tests rely on:
# it must say "identical" for a faithful copy and must FAIL, naming the
# object, for every kind of damage.  Does not need pgshuttle.
#
#   1. PostgreSQL 15 -> 15: fixture_core + fixture_modern copied with
#      pg_dump -Fc | pg_restore --create.  pg_dump does not keep the column
#      order of inheritance children: the strict comparison must report
#      exactly that, the comparison without column order must say identical.
#   2. damage the copy in many ways (a value, -0 -> 0, one microsecond, a
#      duplicate row, an unlogged table, a leaf partition, a zero-column
#      table, an index, sequences, large objects, owners, comments,
#      privileges, default privileges, a WITH NO DATA matview, a trigger's
#      state, a NOT VALID constraint, a database setting, a new column):
#      the comparison must fail and name every one of them.
#   3. the same fixtures loaded independently on PostgreSQL 12 and 15, and on
#      15 and 17 (whose pg_dump is newer than ours: schema compare skipped),
#      compare identical: no false differences between server majors.
#      Skipped with PGS_SELFTEST_QUICK=1.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

DB=pgs_fixture

section "clusters"
start_cluster src
start_cluster tgt
create_roles "$tgt_URI" pgs_owner pgs_reader pgs_only_on_source

section "load the fixture on the source"
load_fixture "$src_URI" "$DB" "$FIXTURE_DIR/fixture_core.sql" "$FIXTURE_DIR/fixture_modern.sql"

section "copy with pg_dump | pg_restore --create"
start=$SECONDS
check "pg_dump -Fc | pg_restore --create succeeds" copy_database_with_pg_dump "$src_URI" "$tgt_URI" "$DB"
log "copy took $((SECONDS - start)) s"

# diff_lines FILE: the "source: / target:" lines of a compare_databases output.
diff_lines() { grep -E '^\s+(source|target): ' "$1" || true; }

section "strict comparison: pg_dump lost the column order of inheritance children"
# (children whose columns existed before ALTER TABLE ... INHERIT, and
# children of a parent that got a column after them: CREATE TABLE ... INHERITS
# puts the inherited columns first)
out=$TEST_TMP/colorder.out
if compare_databases "$src_URI" "$tgt_URI" "$DB" >"$out" 2>&1; then
    cat "$out"
    fail "compare_databases did not notice the column order of the inheritance children"
else
    diff_lines "$out" | cut -c1-120 | head -n 8 || true
    others=$(diff_lines "$out" | grep -vE '^\s+(source|target): column inherit\.(bike|car|boat|amphibious)\.' || true)
    if grep -qF 'column inherit.bike.extra pos=1' "$out" && [[ -z $others ]]; then
        pass "compare_databases reports the column order of inherit.* children, and nothing else"
    else
        cat "$out"
        fail "compare_databases reported other differences than the inheritance column order"
    fi
fi

section "an exact copy compares identical (column order aside)"
compare_ignoring_column_order() { COMPARE_IGNORE_COLUMN_ORDER=1 compare_databases "$@"; }
check "compare_databases: faithful copy is identical" compare_ignoring_column_order "$src_URI" "$tgt_URI" "$DB"

section "damage the copy"
# description | SQL run on the target copy | text the comparison must print
damages=(
    "one value changed|UPDATE app.child SET note = 'changed' WHERE id = 4242|table app.child rows=10000"
    "float -0 became 0|UPDATE app.all_types SET c_float8 = 0 WHERE id = 2|table app.all_types rows=2005"
    "timestamp off by one microsecond|UPDATE app.big_table SET created_at = created_at + interval '1 microsecond' WHERE id = 123456|table app.big_table rows=299700"
    "one of two duplicate rows deleted (no PK)|DELETE FROM app.no_pk_dups WHERE ctid = (SELECT min(ctid) FROM app.no_pk_dups WHERE a = 3 AND c = 3.00)|table app.no_pk_dups rows=3008"
    "a row deleted from an unlogged table|DELETE FROM app.unlogged_cache WHERE key = 'key:7'|table app.unlogged_cache rows=999"
    "a row deleted from a leaf partition|DELETE FROM sales.orders_2024_eu WHERE order_id = (SELECT min(order_id) FROM sales.orders_2024_eu)|table sales.orders_2024_eu rows=820"
    "a row moved between inheritance parent and child|WITH d AS (DELETE FROM ONLY inherit.vehicle WHERE id = 7 RETURNING *) INSERT INTO inherit.car (id, name, wheels, color) SELECT id, name, wheels, color FROM d|table inherit.car rows=201"
    "a row added to a zero-column table|INSERT INTO app.zero_cols DEFAULT VALUES|table app.zero_cols rows=5"
    "a TOAST value changed in its last byte|UPDATE app.toast_values SET random_bytes = set_byte(random_bytes, length(random_bytes) - 1, 255 - get_byte(random_bytes, length(random_bytes) - 1)) WHERE id = 1|table app.toast_values rows=4"
    "an index dropped|DROP INDEX app.documents_lower_title_idx|index app.documents_lower_title_idx"
    "a sequence advanced|SELECT nextval('app.seq_standalone')|sequence app.seq_standalone last_value=18"
    "a never-called sequence called|SELECT nextval('app.seq_never_called')|sequence app.seq_never_called last_value=1000 is_called=true"
    "an identity sequence reset|SELECT setval(pg_get_serial_sequence('app.ident_always', 'id'), 100)|sequence app.ident_always_id_seq last_value=100"
    "a large object changed|SELECT lo_put(424201, 0, '\\x48')|largeobject 424201"
    "a large object's owner changed|ALTER LARGE OBJECT 424205 OWNER TO pgs_owner|largeobject 424205 owner=pgs_owner"
    "a table's owner changed|ALTER TABLE app.reservations OWNER TO pgs_owner|ALTER TABLE app.reservations OWNER TO pgs_owner"
    "a comment changed|COMMENT ON TABLE app.zero_cols IS 'changed comment'|comment on table app.zero_cols = changed comment"
    "a column privilege revoked|REVOKE UPDATE (name) ON app.employees FROM pgs_reader|column app.employees.name"
    "a default privilege dropped|ALTER DEFAULT PRIVILEGES IN SCHEMA app REVOKE USAGE ON SEQUENCES FROM pgs_reader|default privileges role=postgres schema=app type=S"
    "a WITH NO DATA materialized view refreshed|REFRESH MATERIALIZED VIEW app.mv_no_data|table app.mv_no_data rows=99"
    "a disabled trigger enabled|ALTER TABLE app.trig_target ENABLE TRIGGER trig_target_when|trigger trig_target_when on app.trig_target enabled=O"
    "a NOT VALID constraint validated|UPDATE app.not_valid SET qty = 3 WHERE id = 2; ALTER TABLE app.not_valid VALIDATE CONSTRAINT not_valid_qty_check|constraint not_valid_qty_check on app.not_valid type=c deferrable=f deferred=f validated=t"
    "an RLS policy dropped|DROP POLICY documents_no_drafts ON app.documents|policy documents_no_drafts"
    "a database setting removed|ALTER DATABASE $DB RESET work_mem|database setting role=- config=work_mem=8MB"
    "a column added|ALTER TABLE app.parent ADD COLUMN extra_col integer|column app.parent.extra_col"
    "a check constraint dropped|ALTER TABLE app.constrained DROP CONSTRAINT constrained_lo_hi|constrained_lo_hi"
    "an enum label added|ALTER TYPE app.mood ADD VALUE 'furious'|furious"
)
for d in "${damages[@]}"; do
    IFS='|' read -r desc sql pattern <<<"$d"
    log "damage: $desc"
    psql_db "$tgt_URI" "$DB" -c "$sql" >/dev/null
done
out=$TEST_TMP/damaged.out
if COMPARE_IGNORE_COLUMN_ORDER=1 compare_databases "$src_URI" "$tgt_URI" "$DB" >"$out" 2>&1; then
    cat "$out"
    fail "compare_databases says the damaged copy is identical"
else
    pass "compare_databases fails on the damaged copy"
    diff_lines "$out" >"$out.lines"
    for d in "${damages[@]}"; do
        IFS='|' read -r desc sql pattern <<<"$d"
        if grep -qF -- "$pattern" "$out.lines"; then
            pass "reported: $desc"
        else
            fail "not reported: $desc (expected a line with '$pattern')"
        fi
    done
    if ((FAIL_COUNT > 0)); then cat "$out"; fi
fi

if [[ ${PGS_SELFTEST_QUICK:-0} != 1 ]]; then
    section "no false differences between server majors (independent loads)"
    start_cluster pg12 --version 12
    start_cluster pg17 --version 17
    for c in pg12 src pg17; do
        uri_var=${c}_URI
        load_fixture "${!uri_var}" pgs_core "$FIXTURE_DIR/fixture_core.sql"
        load_fixture "${!uri_var}" pgs_small "$FIXTURE_DIR/fixture_small.sql"
    done
    # 15 changed the owner and the privileges of schema public: a migration
    # keeps the source's, but independent loads differ there.
    compare_ignoring_public() { COMPARE_IGNORE_REGEX='SCHEMA public |^schema public ' compare_databases "$@"; }
    check "fixture_core loaded on 12 and on 15 compares identical (but for schema public)" \
        compare_ignoring_public "$pg12_URI" "$src_URI" pgs_core
    check "fixture_small loaded on 12 and on 15 compares identical (but for schema public)" \
        compare_ignoring_public "$pg12_URI" "$src_URI" pgs_small
    # app.pg17_intervals (infinite intervals) exists only on 17
    q "$pg17_URI" pgs_core "DROP TABLE app.pg17_intervals"
    check "fixture_core loaded on 15 and on 17 compares identical" \
        compare_databases "$src_URI" "$pg17_URI" pgs_core
    check "fixture_small loaded on 15 and on 17 compares identical" \
        compare_databases "$src_URI" "$pg17_URI" pgs_small
fi

finish
