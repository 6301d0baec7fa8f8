#!/usr/bin/env bash
# Online migrations between server majors, each with fixture_core and the
# online tables (tests/sql/online/schema.sql) and a workload while streaming:
#   - 10 -> 15: pgoutput protocol 1; 10 has identity columns but no generated
#     columns, no keys on partitioned tables (the online schema puts them on
#     the leaves; the fixture's sales.orders has none), no row movement
#     between partitions and no TRUNCATE decoding (the workload leaves those
#     out there); partitioned tables are published by leaf
#   - 12 -> 15 with --replica-identity-full (updates and deletes of tables
#     without a primary key, TRUNCATE, rows moving between partitions,
#     generated columns; 12 publishes partitioned tables by leaf too)
#   - 15 -> 17: pg_dump 15 cannot dump 17, so compare_databases skips its
#     schema part there (catalog inventory, data and sequences still compared)
# Each: migrate --mode online --output json with the workload running, wait
# for cutover, 3 s more of workload, stop it, SIGUSR1: exit 0, Succeeded,
# streaming events with changes, no slot or publication left on the source,
# no origin on the target, compare_databases identical, verify exit 0.
# compare_databases cannot read a 10 server's catalogs (compare_inventory.sql
# and compare_data.sql need 12+): from 10, the data alone is compared
# (compare_data_only, floats to 15 digits) and the float columns of
# app.all_types bit for bit; the schema is left to verify.
# PGS_ONLINE_CROSS_PAIRS="10:15 12:15 15:17" chooses the pairs.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/online/lib.sh"
online_require

PAIRS=${PGS_ONLINE_CROSS_PAIRS:-10:15 12:15 15:17}
DB=pgs_cross

for pair in $PAIRS; do
    from=${pair%%:*} to=${pair##*:}
    start_pair "$from" "$to"
    online_load_db "$suri" "$DB" "$FIXTURE_DIR/fixture_core.sql"
    create_roles "$turi" pgs_owner pgs_reader pgs_only_on_source
    pubs=$(source_publications "$suri" "$DB")

    extra=() nopk=""
    if [[ $from == 12 ]]; then
        extra=(--replica-identity-full)
        nopk=nopk_updates
    fi
    online_start "online-$from-$to" "$PGSHUTTLE_BIN" migrate --mode online --source "$suri" --target "$turi" \
        --databases "$DB" --jobs 2 --index-jobs 2 --output json "${extra[@]}"
    if ! wait_for_json "$from -> $to: Waiting for cutover" "$ONLINE_OUT" "$JSON_WAITING" 300 "$ONLINE_PID"; then
        kill -TERM "$ONLINE_PID" 2>/dev/null || true
        wait_exit "$ONLINE_PID" 30
        stop_pair
        continue
    fi
    workload_start "main$from" "$suri" "$DB" $nopk
    if ((from >= 11)); then truncate_start "trunc$from" "$suri" "$DB"; fi
    sleep 6
    workload_stop "trunc$from"
    workload_stop "main$from"
    workload_check "main$from" 20
    if ((from >= 11)); then workload_check "trunc$from" 3; fi
    sleep 2

    kill -USR1 "$ONLINE_PID" 2>/dev/null || true
    wait_exit "$ONLINE_PID" 180
    check_exit "$from -> $to: cutover" 0
    assert_json_lines "$ONLINE_OUT"
    check_result "$ONLINE_OUT" Succeeded
    check_streaming_events "$ONLINE_OUT" "$DB"
    for f in "$ONLINE_OUT" "$ONLINE_ERR"; do
        assert_not_contains "$f" "$spw" "no source password in $(basename "$f")"
        assert_not_contains "$f" "$tpw" "no target password in $(basename "$f")"
    done
    check_source_clean "$from -> $to" "$suri" "$DB" "$pubs"
    check_target_no_origin "$from -> $to" "$turi"
    if ((from >= 12)); then
        COMPARE_IGNORE_COLUMN_ORDER=1 \
            check "$from -> $to: compare_databases $DB identical" compare_databases "$suri" "$turi" "$DB"
    else
        # compare_databases reads catalogs the way 12+ has them: data only
        # here (floats to 15 digits), and the float columns bit for bit.
        check "$from -> $to: data of $DB identical" compare_data_only "$suri" "$turi" "$DB"
        floats_sql="SELECT count(*) || ' rows ' || md5(string_agg(id || ':' || coalesce(float4send(c_float4)::text, '-') || ':'
            || coalesce(float8send(c_float8)::text, '-'), ',' ORDER BY id)) FROM app.all_types"
        fs=$(q "$suri" "$DB" "$floats_sql")
        ft=$(q "$turi" "$DB" "$floats_sql")
        if [[ $fs == "$ft" ]]; then
            pass "$from -> $to: app.all_types float4/float8 values identical bit for bit ($ft)"
        else
            fail "$from -> $to: app.all_types float4/float8 values differ: source $fs, target $ft"
        fi
    fi
    assert_exit 0 "$PGSHUTTLE_BIN" verify --source "$suri" --target "$turi" --databases "$DB"

    stop_pair
done

finish
