#!/usr/bin/env bash
# Instance-level validation checks against real servers: for each check a
# case where it succeeds and one where it fails or warns, read from
# `pgshuttle validate --output json` (exit 0 when nothing failed, 2 when a
# check failed):
#   - connectivity: wrong password, closed port; target older than the source
#     (PostgreSQL 15 -> 12);
#   - online prerequisites: wal_level=replica, replication slots and WAL
#     senders in use beyond the limits, a non-replication source role, an
#     idle-in-transaction session holding an xid, a prepared transaction,
#     max_slot_wal_keep_size=64MB (and "not applicable" on a 12 source);
#   - privileges: a source role that cannot read a table, a sequence, a large
#     object, a table behind row-level security; a target role without
#     CREATEDB, without membership in the databases' owner, not owning a
#     database --overwrite would drop;
#   - pg_stat_statements installed on the source while the target does not
#     preload it, and a library only the source preloads;
#   - source type detection from managed-service roles.
# Clusters are reused: the source is restarted once with bad settings and
# once to restore them.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
require_pgshuttle

PG_RECEIVEWAL=$PG_CLIENT_BINDIR/pg_receivewal
VALIDATE=("$PGSHUTTLE_BIN" validate --output json)

# ---------------------------------------------------------------------------
# Background sessions (stopped before the clusters at exit)

IDLE_FD=""
# close_idle: end the idle session's input (its psql then ends).
close_idle() {
    if [[ -n $IDLE_FD ]]; then
        exec {IDLE_FD}>&- || true
        IDLE_FD=""
    fi
}
PGS_AT_EXIT+=(close_idle)

# restart_cluster NAME [--set NAME=VALUE]...: stop and start again with more
# settings (pg-cluster keeps them), refreshing NAME_URI and NAME_PORT.
restart_cluster() {
    local name=$1 out dir
    shift
    dir=$TEST_TMP/$name
    "$PG_CLUSTER" stop "$dir" 2>>"$TEST_TMP/$name.pg-cluster.log"
    if ! out=$("$PG_CLUSTER" start "$dir" "$@" 2>>"$TEST_TMP/$name.pg-cluster.log"); then
        redact <"$TEST_TMP/$name.pg-cluster.log" >&2
        die "could not restart cluster $name ($*)"
    fi
    local PGC_DIR PGC_HOST PGC_PORT PGC_USER PGC_PASSWORD PGC_VERSION PGC_BINDIR PGC_URI
    eval "$out"
    printf -v "${name}_URI" '%s' "$PGC_URI"
    printf -v "${name}_PORT" '%s' "$PGC_PORT"
    log "cluster $name restarted with $*"
}

# with_user URI USER PASSWORD: the URI with another user and password.
with_user() {
    python3 - "$1" "$2" "$3" <<'EOF'
import re, sys, urllib.parse
uri, user, pw = sys.argv[1:]
q = lambda s: urllib.parse.quote(s, safe='')
print(re.sub(r'^postgresql://[^@/]*@', lambda m: f'postgresql://{q(user)}:{q(pw)}@', uri))
EOF
}

# A port on 127.0.0.1 that nothing listens on.
closed_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# wait_for URI SQL: until SQL (on postgres) prints something other than 0 or
# nothing; prints it. Fails after 20 s.
wait_for() {
    local v i
    for ((i = 0; i < 100; i++)); do
        v=$(q "$1" postgres "$2" 2>/dev/null || true)
        if [[ -n $v && $v != 0 ]]; then
            printf '%s\n' "$v"
            return 0
        fi
        sleep 0.2
    done
    return 1
}

# ---------------------------------------------------------------------------
# Reading the JSON report of the last command

# expect_check NAME STATUS [TEXT...]: the instance check NAME has STATUS
# ("absent": not reported at all) and its message and remediation contain
# every TEXT (case-sensitive).
expect_check() {
    local name=$1 status=$2
    shift 2
    if python3 - "$LAST_STDOUT" "$name" "$status" "$@" <<'EOF'; then
import json, sys
path, name, status, *texts = sys.argv[1:]
try:
    report = json.load(open(path))
except Exception as e:
    print(f'  the output is not one JSON document: {e}')
    sys.exit(1)
found = [c for c in report.get('checks', []) if c.get('name') == name and c.get('scope') == 'instance']
if status == 'absent':
    if found:
        print(f'  reported: {found[0]}')
    sys.exit(1 if found else 0)
if len(found) != 1:
    print(f'  {len(found)} instance checks named "{name}"')
    sys.exit(1)
c = found[0]
text = (c.get('message') or '') + ' || ' + (c.get('remediation') or '')
bad = c.get('status') != status or [t for t in texts if t not in text]
if bad:
    print(f'  status: {c.get("status")}')
    print(f'  message: {c.get("message")}')
    print(f'  remediation: {c.get("remediation")}')
    missing = [t for t in texts if t not in text]
    if missing:
        print(f'  missing: {missing}')
sys.exit(1 if bad else 0)
EOF
        pass "$name: $status${*:+ naming $*}"
    else
        fail "$name: expected $status${*:+ naming $*}"
    fi
    return 0
}

# expect_source_type TYPE: the report's source_type.
expect_source_type() {
    local got
    got=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1])).get("source_type"))' "$LAST_STDOUT" 2>/dev/null || true)
    if [[ $got == "$1" ]]; then
        pass "source type detected: $1"
    else
        fail "source type: expected '$1', got '$got'"
    fi
}

# ---------------------------------------------------------------------------
section "clusters and fixtures"
start_cluster src
start_cluster tgt
start_cluster old --version 12

APP_PW=appPW4711 TGT_PW=tgtPW4711
PGS_SECRETS+=("$APP_PW" "$TGT_PW")
q "$src_URI" postgres "CREATE ROLE pgs_owner; CREATE ROLE pgs_app LOGIN PASSWORD '$APP_PW'"
for db in a b; do
    create_database "$src_URI" "$db"
    q "$src_URI" postgres "ALTER DATABASE $db OWNER TO pgs_owner"
    psql_db "$src_URI" "$db" -o /dev/null <<'EOF'
CREATE TABLE public.t1 (id int PRIMARY KEY, v text);
INSERT INTO public.t1 SELECT g, 'row ' || g FROM generate_series(1, 100) g;
CREATE TABLE public.secret (id int PRIMARY KEY);
CREATE TABLE public.rls_t (id int PRIMARY KEY);
CREATE SEQUENCE public.seq1;
GRANT SELECT ON public.t1, public.secret, public.rls_t, public.seq1 TO pgs_app;
-- Owned by the database's owner: a target role that is its member may give them back.
ALTER TABLE public.t1 OWNER TO pgs_owner;
ALTER TABLE public.secret OWNER TO pgs_owner;
ALTER TABLE public.rls_t OWNER TO pgs_owner;
ALTER SEQUENCE public.seq1 OWNER TO pgs_owner;
EOF
done
# What pgs_app cannot read: a table in a, a sequence in b, a large object in
# a (owned by postgres, lo_compat_privileges off), and a table in a whose
# row-level security (no policy) hides every row from it.
q "$src_URI" a "REVOKE SELECT ON public.secret FROM pgs_app; ALTER TABLE public.rls_t ENABLE ROW LEVEL SECURITY"
q "$src_URI" b "REVOKE SELECT ON public.seq1 FROM pgs_app"
LO_OID=$(q "$src_URI" a "SELECT lo_from_bytea(0, 'large object')")
q "$src_URI" a "CREATE EXTENSION pg_stat_statements"
create_roles "$tgt_URI" pgs_owner pgs_app
q "$tgt_URI" postgres "CREATE ROLE pgs_tgt LOGIN PASSWORD '$TGT_PW'"
APP_URI=$(with_user "$src_URI" pgs_app "$APP_PW")
TGT_USER_URI=$(with_user "$tgt_URI" pgs_tgt "$TGT_PW")
create_database "$old_URI" a

# ---------------------------------------------------------------------------
section "everything in order (online, superusers): every instance check succeeds"
assert_exit 0 "${VALIDATE[@]}" --mode online --source "$src_URI" --target "$tgt_URI" --databases a,b
expect_source_type "On-premises"
expect_check "Source connectivity" Succeeded
expect_check "Logical replication (wal_level)" Succeeded "logical"
expect_check "Replication slots" Succeeded "20 of 20"
expect_check "WAL senders" Succeeded "20 of 20"
expect_check "Replication privilege" Succeeded "superuser"
expect_check "Long-running transactions" Succeeded
expect_check "Slot WAL retention (max_slot_wal_keep_size)" Succeeded "-1"
expect_check "Source read privileges" Succeeded "superuser"
expect_check "Target database creation" Succeeded "superuser"
expect_check "Replication origins on the target" Succeeded "may use replication origins"
expect_check "Session replication role on the target" Succeeded "a superuser"
# The target does not preload pg_stat_statements, installed in a.
expect_check "Server parameters for extensions" Warning "pg_stat_statements (in a)" \
    "ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'"

section "offline mode: no online check"
assert_exit 0 "${VALIDATE[@]}" --mode offline --source "$src_URI" --target "$tgt_URI" --databases a,b
for c in "Logical replication (wal_level)" "Replication slots" "WAL senders" "Replication privilege" \
    "Long-running transactions" "Slot WAL retention (max_slot_wal_keep_size)"; do
    expect_check "$c" absent
done
expect_check "Source read privileges" Succeeded

section "connectivity: wrong password, closed port"
assert_exit 2 "${VALIDATE[@]}" --source "$(with_user "$src_URI" postgres wrongPW4711)" \
    --target "$tgt_URI" --databases a
expect_check "Source connectivity" Failed "wrong password"
expect_check "Logical replication (wal_level)" absent
port=$(closed_port)
assert_exit 2 "${VALIDATE[@]}" --mode online --source "postgresql://postgres:x@127.0.0.1:$port/postgres" \
    --target "$tgt_URI" --databases a
expect_check "Source connectivity" Failed "connection refused"
expect_check "Replication slots" absent

section "versions: PostgreSQL 15 source, 12 target; 12 source (no max_slot_wal_keep_size)"
assert_exit 2 "${VALIDATE[@]}" --source "$src_URI" --target "$old_URI" --databases a
expect_check "Target version" Failed "older than the source"
assert_exit 0 "${VALIDATE[@]}" --mode online --source "$old_URI" --target "$tgt_URI" --databases a
expect_check "Target version" Succeeded
expect_check "Slot WAL retention (max_slot_wal_keep_size)" Succeeded "not applicable"

section "source role without REPLICATION and without some read privileges"
assert_exit 2 "${VALIDATE[@]}" --mode online --source "$APP_URI" --target "$tgt_URI" --databases a,b
expect_check "Replication privilege" Failed "pgs_app" "ALTER ROLE pgs_app WITH REPLICATION;"
expect_check "Source read privileges" Failed "a: public.secret (table: no SELECT)" \
    "b: public.seq1 (sequence: no SELECT)" "a: large object $LO_OID" "a: public.rls_t (table: row-level security" \
    "GRANT SELECT ON TABLE public.secret TO pgs_app;" "GRANT SELECT ON SEQUENCE public.seq1 TO pgs_app;" \
    "GRANT SELECT ON LARGE OBJECT $LO_OID TO pgs_app;" "ALTER ROLE pgs_app BYPASSRLS;"
expect_check "Long-running transactions" Succeeded "not visible to this role"
q "$src_URI" postgres "ALTER ROLE pgs_app REPLICATION BYPASSRLS"
q "$src_URI" a "GRANT SELECT ON public.secret TO pgs_app; GRANT SELECT ON LARGE OBJECT $LO_OID TO pgs_app"
q "$src_URI" b "GRANT SELECT ON public.seq1 TO pgs_app"
# pgs_app owns no table: pgoutput's publication would fail (database check
# Publication, online_least_privilege.sh); test_decoding needs none.
assert_exit 2 "${VALIDATE[@]}" --mode online --source "$APP_URI" --target "$tgt_URI" --databases a,b
assert_exit 0 "${VALIDATE[@]}" --mode online --plugin test_decoding --source "$APP_URI" --target "$tgt_URI" --databases a,b
expect_check "Replication privilege" Succeeded "REPLICATION attribute"
expect_check "Source read privileges" Succeeded "pgs_app"

section "target role: no CREATEDB, not a member of the owner, not the owner of a database to drop"
# Database b only: a has pg_stat_statements, which only a superuser may create.
assert_exit 2 "${VALIDATE[@]}" --source "$src_URI" --target "$TGT_USER_URI" --databases b
expect_check "Target database creation" Failed "pgs_tgt may not create databases" "ALTER ROLE pgs_tgt CREATEDB;"
q "$tgt_URI" postgres "ALTER ROLE pgs_tgt CREATEDB"
assert_exit 2 "${VALIDATE[@]}" --source "$src_URI" --target "$TGT_USER_URI" --databases b
expect_check "Target database creation" Failed "database b with its owner pgs_owner" \
    "GRANT pgs_owner TO pgs_tgt;"
q "$tgt_URI" postgres "GRANT pgs_owner TO pgs_tgt"
assert_exit 0 "${VALIDATE[@]}" --source "$src_URI" --target "$TGT_USER_URI" --databases b
expect_check "Target database creation" Warning "not a superuser" "ALTER ... OWNER TO"
create_database "$tgt_URI" b
assert_exit 2 "${VALIDATE[@]}" --overwrite --source "$src_URI" --target "$TGT_USER_URI" --databases b
expect_check "Target database creation" Failed "cannot drop the existing database b" \
    "ALTER DATABASE b OWNER TO pgs_tgt;"
q "$tgt_URI" postgres "ALTER DATABASE b OWNER TO pgs_tgt"
assert_exit 0 "${VALIDATE[@]}" --overwrite --source "$src_URI" --target "$TGT_USER_URI" --databases b
expect_check "Target database creation" Warning "not a superuser"
drop_database "$tgt_URI" b

section "the target preloads pg_stat_statements"
restart_cluster tgt --set shared_preload_libraries=pg_stat_statements
assert_exit 0 "${VALIDATE[@]}" --source "$src_URI" --target "$tgt_URI" --databases a,b
expect_check "Server parameters for extensions" Succeeded "pg_stat_statements (for pg_stat_statements)"

section "source type detection"
for pair in "rds_superuser:AWS RDS" "cloudsqlsuperuser:Google Cloud SQL" \
    "azure_pg_admin:Azure Database for PostgreSQL"; do
    role=${pair%%:*}
    q "$src_URI" postgres "CREATE ROLE $role"
    assert_exit 0 "${VALIDATE[@]}" --source "$src_URI" --target "$tgt_URI" --databases a
    expect_source_type "${pair#*:}"
    q "$src_URI" postgres "DROP ROLE $role"
done
assert_exit 0 "${VALIDATE[@]}" --source "$src_URI" --target "$tgt_URI" --databases a
expect_source_type "On-premises"

section "source with bad settings: wal_level=replica, slots and WAL senders used up, open transactions"
restart_cluster src --set wal_level=replica --set max_replication_slots=2 --set max_wal_senders=2 \
    --set max_slot_wal_keep_size=64MB --set max_prepared_transactions=5 --set shared_preload_libraries=auto_explain
# A physical slot streamed by pg_receivewal: one slot and one WAL sender in use.
q "$src_URI" postgres "SELECT pg_create_physical_replication_slot('pgs_phys_slot')" >/dev/null
mkdir -p "$TEST_TMP/wal"
PGPASSWORD=$src_PASSWORD "$PG_RECEIVEWAL" -h 127.0.0.1 -p "$src_PORT" -U postgres -S pgs_phys_slot \
    -D "$TEST_TMP/wal" >"$TEST_TMP/receivewal.log" 2>&1 &
BG_PIDS+=($!)
wait_for "$src_URI" "SELECT count(*) FROM pg_stat_replication" >/dev/null || die "pg_receivewal did not connect"
# A session idle in transaction that holds a transaction ID, only seconds old.
mkfifo "$TEST_TMP/idle.fifo"
PGAPPNAME=pgs_idle_session "$PSQL" -X -P pager=off -q -d "$(uri_db "$src_URI" a)" <"$TEST_TMP/idle.fifo" \
    >"$TEST_TMP/idle.out" 2>&1 &
BG_PIDS+=($!)
exec {IDLE_FD}>"$TEST_TMP/idle.fifo"
printf 'BEGIN;\nSELECT txid_current();\n' >&"$IDLE_FD"
IDLE_PID=$(wait_for "$src_URI" "SELECT pid FROM pg_stat_activity WHERE application_name = 'pgs_idle_session'
    AND state = 'idle in transaction' AND backend_xid IS NOT NULL") || die "the idle session did not start"
# A prepared transaction.
q "$src_URI" a "BEGIN; CREATE TABLE public.prep_t (id int); PREPARE TRANSACTION 'pgs_gid_1'"

assert_exit 2 "${VALIDATE[@]}" --mode online --source "$src_URI" --target "$tgt_URI" --databases a,b
expect_check "Logical replication (wal_level)" Failed "wal_level is replica" "ALTER SYSTEM SET wal_level = logical;"
expect_check "Replication slots" Failed "max_replication_slots is 2" "pgs_phys_slot (physical" \
    "max_replication_slots = 3"
expect_check "WAL senders" Failed "max_wal_senders is 2" "pg_receivewal" "max_wal_senders = 3"
expect_check "Long-running transactions" Warning "pid $IDLE_PID (database a" "idle in transaction" \
    "holds a transaction ID" "'pgs_gid_1' (database a" "pg_terminate_backend($IDLE_PID)" \
    "ROLLBACK PREPARED 'pgs_gid_1'"
expect_check "Slot WAL retention (max_slot_wal_keep_size)" Warning "64 MB" "invalidated" \
    "max_slot_wal_keep_size = -1"
expect_check "Server parameters for extensions" Warning "the source preloads auto_explain"
# Managed-service advice for wal_level.
q "$src_URI" postgres "CREATE ROLE rds_superuser"
assert_exit 2 "${VALIDATE[@]}" --mode online --source "$src_URI" --target "$tgt_URI" --databases a
expect_check "Logical replication (wal_level)" Failed "rds.logical_replication = 1"
q "$src_URI" postgres "DROP ROLE rds_superuser"
# Offline, none of it matters.
assert_exit 0 "${VALIDATE[@]}" --mode offline --source "$src_URI" --target "$tgt_URI" --databases a,b
expect_check "Long-running transactions" absent

section "source settings restored: wal_level=logical, max_slot_wal_keep_size=20GB"
close_idle
stop_background
q "$src_URI" a "ROLLBACK PREPARED 'pgs_gid_1'"
q "$src_URI" postgres "SELECT pg_drop_replication_slot('pgs_phys_slot')" >/dev/null
restart_cluster src --set wal_level=logical --set max_replication_slots=20 --set max_wal_senders=20 \
    --set max_slot_wal_keep_size=20GB --set shared_preload_libraries=
assert_exit 0 "${VALIDATE[@]}" --mode online --source "$src_URI" --target "$tgt_URI" --databases a,b
expect_check "Logical replication (wal_level)" Succeeded
expect_check "Replication slots" Succeeded "20 of 20"
expect_check "WAL senders" Succeeded "20 of 20"
expect_check "Long-running transactions" Succeeded
expect_check "Slot WAL retention (max_slot_wal_keep_size)" Succeeded "20 GB"

finish
