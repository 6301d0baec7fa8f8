# shellcheck shell=bash
# What the demos share (scripts/demo/run, scripts/demo/tour): a temporary
# directory that goes away at exit with everything started in it, two
# throwaway PostgreSQL servers on 127.0.0.1 with the sample database 'shop'
# on the first, and a password file so no password is ever on a command
# line. Source it after setting top (the checkout) and, optionally, adding
# to DEMO_AT_EXIT (commands run at exit, before the servers go).
#
# Nothing here waits for input or pages: psql runs with -X -w -P pager=off.

export PAGER=cat PSQL_PAGER=cat
bin=${PGSHUTTLE_BIN:-$top/build/pgshuttle}
work=$(mktemp -d "${TMPDIR:-/tmp}/pgshuttle-demo.XXXXXX")
chmod 755 "$work"
DEMO_AT_EXIT=()

demo_cleanup() {
    local f
    for f in "${DEMO_AT_EXIT[@]}"; do "$f" || true; done
    if [[ ${PGSHUTTLE_DEMO_KEEP:-0} == 1 ]]; then
        echo "servers kept: scripts/pg-cluster env $work/source | env $work/target; destroy both when done"
        return
    fi
    "$top/scripts/pg-cluster" destroy "$work/source" >/dev/null 2>&1 || true
    "$top/scripts/pg-cluster" destroy "$work/target" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap demo_cleanup EXIT
trap 'exit 129' HUP # a closed terminal or a timeout removes the servers too
trap 'exit 130' INT
trap 'exit 143' TERM

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

# psql_src DB ARGS...: psql on the source as postgres, quiet, no pager, no prompt.
psql_src() {
    local db=$1
    shift
    PGPASSWORD=$SRC_PASSWORD psql -X -w -P pager=off -q -v ON_ERROR_STOP=1 \
        -h 127.0.0.1 -p "$SRC_PORT" -U postgres -d "$db" "$@"
}

# demo_servers: both servers, the sample database, src/tgt connection
# strings (no password) and PGPASSFILE with both passwords.
demo_servers() {
    say "starting two throwaway PostgreSQL servers on 127.0.0.1"
    eval "$("$top/scripts/pg-cluster" start "$work/source" | sed 's/^PGC_/SRC_/')"
    eval "$("$top/scripts/pg-cluster" start "$work/target" | sed 's/^PGC_/TGT_/')"
    echo "source: 127.0.0.1:$SRC_PORT   target: 127.0.0.1:$TGT_PORT"

    say "generating the sample database 'shop' on the source"
    psql_src postgres -c "CREATE DATABASE shop"
    psql_src shop -f "$top/scripts/demo/sample_db.sql" >/dev/null
    # The sizes as pgshuttle counts them (docs/PROGRESS.md): its tables' sizes on
    # the source (what migrate reports as copied), then what else is on disk.
    psql_src shop -At -c "
      SELECT format('%s tables: %s of rows (what migrate copies), %s of indexes (built on the target); %s on disk in all',
                    count(*), pg_size_pretty(sum(pg_table_size(c.oid))), pg_size_pretty(sum(pg_indexes_size(c.oid))),
                    pg_size_pretty(pg_database_size(current_database())))
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema')"

    # Passwords travel in a password file, never on the command line.
    src="host=127.0.0.1 port=$SRC_PORT user=postgres dbname=postgres"
    tgt="host=127.0.0.1 port=$TGT_PORT user=postgres dbname=postgres"
    printf '%s\n' "127.0.0.1:$SRC_PORT:*:postgres:$SRC_PASSWORD" \
        "127.0.0.1:$TGT_PORT:*:postgres:$TGT_PASSWORD" >"$work/pgpass"
    chmod 600 "$work/pgpass"
    export PGPASSFILE=$work/pgpass
}

# demo_writes SECONDS [RATE]: the sample application's writes on the source
# (pgbench with scripts/demo/writes.sql) in the background; sets WRITES_PID.
# RATE limits the transactions per second (0: as fast as it goes).
demo_writes() {
    local rate=()
    [[ ${2:-0} != 0 ]] && rate=(-R "$2")
    PGPASSWORD=$SRC_PASSWORD pgbench -n -c 2 -T "$1" "${rate[@]}" -f "$top/scripts/demo/writes.sql" \
        -h 127.0.0.1 -p "$SRC_PORT" -U postgres shop >"$work/pgbench.log" 2>&1 &
    WRITES_PID=$!
}

# demo_refresh_matview: materialized views are not streamed; the target
# refreshed its own at cutover from the data as it was then. The source's
# still hold what they held at their last REFRESH: refresh those too before
# comparing.
demo_refresh_matview() {
    say "refreshing the source's materialized view, as the target's was at cutover"
    psql_src shop -c "REFRESH MATERIALIZED VIEW sales.daily_orders"
}
