#!/usr/bin/env bash
# Online migrations with roles that are not superusers, as on a managed
# service (issue 13, least privilege), PostgreSQL 15 -> 15. The database
# (tests/sql/least_privilege/schema.sql) belongs to pgs_owner: a foreign key
# ON DELETE CASCADE, an audit trigger, a disabled trigger, a rule, comments
# on them, a sequence, a table without a key, a large object.
#   source role pgs_src: LOGIN REPLICATION, pg_read_all_data (and SELECT on
#     the large object), owns nothing
#   target role pgs_tgt: LOGIN CREATEDB, member of pgs_owner; no SET on
#     session_replication_role, no EXECUTE on the replication origin functions
# Cases:
#   a. validate --mode online (pgoutput, no --publication): Publication
#      Failed, naming the remedies (GRANT pgs_owner TO pgs_src, --publication,
#      --plugin test_decoding); migrate --mode online stops at validation
#      (exit 2) with nothing created
#   d. the same validation: Session replication role on the target Warning
#      with GRANT SET ON PARAMETER; Replication origins Succeeded (progress row)
#   b. pgs_owner creates a publication; migrate --mode online --publication
#      under write load, cutover (SIGUSR1): Succeeded, databases identical,
#      foreign key, triggers (with their enabled state), rule and comments on
#      the target, no slot left, the user's publication still there; the
#      first run is killed (-9) while streaming and a --resume run completes
#      it (it creates at cutover what the target lacks)
#   c. the same with --plugin test_decoding, no --publication (--overwrite)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/online/lib.sh"
online_require

DB=pgs_leastpriv
LP_SQL=$FIXTURE_DIR/least_privilege

section "clusters, roles and the source database"
start_cluster src
start_cluster tgt
src_pw=$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
tgt_pw=$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
PGS_SECRETS+=("$src_pw" "$tgt_pw")
q "$src_URI" postgres "CREATE ROLE pgs_owner NOLOGIN;
    CREATE ROLE pgs_src LOGIN REPLICATION PASSWORD '$src_pw';
    GRANT pg_read_all_data TO pgs_src" >/dev/null
create_database "$src_URI" "$DB"
q "$src_URI" postgres "ALTER DATABASE $DB OWNER TO pgs_owner" >/dev/null
psql_db "$src_URI" "$DB" -o /dev/null -f "$LP_SQL/schema.sql"
# pg_read_all_data does not cover large objects (checked below): grant it.
q "$src_URI" "$DB" "DO \$\$ DECLARE o oid; BEGIN
    FOR o IN SELECT oid FROM pg_largeobject_metadata LOOP
        EXECUTE format('GRANT SELECT ON LARGE OBJECT %s TO pgs_src', o);
    END LOOP; END \$\$" >/dev/null
q "$tgt_URI" postgres "CREATE ROLE pgs_owner NOLOGIN;
    CREATE ROLE pgs_src NOLOGIN;
    CREATE ROLE pgs_tgt LOGIN CREATEDB PASSWORD '$tgt_pw';
    GRANT pgs_owner TO pgs_tgt" >/dev/null
SRC="postgresql://pgs_src:$src_pw@127.0.0.1:$src_PORT/postgres"
TGT="postgresql://pgs_tgt:$tgt_pw@127.0.0.1:$tgt_PORT/postgres"
PUBS_BEFORE=$(source_publications "$src_URI" "$DB")

# check_named FILE NAME STATUS TEXT: in FILE (validate's JSON document, or
# migrate's JSON lines), the check NAME has STATUS and TEXT in its message or
# remediation.
check_named() {
    local file=$1 name=$2 status=$3 needle=$4
    if python3 - "$file" "$name" "$status" "$needle" <<'EOF'; then
import json, sys
path, name, status, needle = sys.argv[1:]
checks = []
text = open(path, encoding='utf-8').read()
try:
    checks = json.loads(text).get('checks', [])
except ValueError:
    for line in text.splitlines():
        try:
            o = json.loads(line)
        except ValueError:
            continue
        if isinstance(o, dict) and o.get('event') == 'check':
            checks.append(o)
found = [c for c in checks if c.get('name') == name]
ok = any(c.get('status') == status and needle in ((c.get('message') or '') + ' ' + (c.get('remediation') or '')) for c in found)
for c in found:
    print(f"  {c.get('name')}: {c.get('status')}: {(c.get('message') or '')[:300]} | {(c.get('remediation') or '')[:400]}")
sys.exit(0 if ok else 1)
EOF
        pass "check \"$name\" is $status and says \"$needle\""
    else
        fail "check \"$name\" is not $status saying \"$needle\""
    fi
}

section "pg_read_all_data and large objects (PostgreSQL 15)"
q "$src_URI" "$DB" "CREATE ROLE pgs_probe LOGIN; GRANT pg_read_all_data TO pgs_probe" >/dev/null
if q "$src_URI" "$DB" "SET ROLE pgs_probe; SELECT length(lo_get(oid)) FROM pg_largeobject_metadata LIMIT 1" >/dev/null 2>&1; then
    log "  pg_read_all_data reads large objects on this server"
else
    log "  pg_read_all_data alone does not read large objects (permission denied): validation's Source read privileges names them"
fi
q "$src_URI" "$DB" "DROP ROLE pgs_probe" >/dev/null

section "a/d. validate --mode online as pgs_src / pgs_tgt (pgoutput, no --publication)"
run_cmd "$PGSHUTTLE_BIN" validate --mode online --source "$SRC" --target "$TGT" --databases "$DB" --output json
if [[ $LAST_EXIT == 2 ]]; then pass "validate: exit 2 (a check failed)"; else fail "validate: exit $LAST_EXIT, expected 2"; fi
V=$TEST_TMP/validate.json
cp "$LAST_STDOUT" "$V"
check_named "$V" "Publication" Failed "does not own"
check_named "$V" "Publication" Failed "GRANT pgs_owner TO pgs_src;"
check_named "$V" "Publication" Failed "--publication"
check_named "$V" "Publication" Failed "--plugin test_decoding"
check_named "$V" "Session replication role on the target" Warning "GRANT SET ON PARAMETER session_replication_role TO pgs_tgt;"
check_named "$V" "Replication origins on the target" Succeeded "pgshuttle_cdc.applied_position"
check_named "$V" "Replication privilege" Succeeded "REPLICATION"
check_named "$V" "Target object owners" Succeeded "pgs_tgt"
no_secrets "$LAST_OUTPUT"

run_cmd "$PGSHUTTLE_BIN" validate --mode online --plugin test_decoding --source "$SRC" --target "$TGT" --databases "$DB" --output json
if [[ $LAST_EXIT == 0 ]]; then pass "validate --plugin test_decoding: exit 0"; else fail "validate --plugin test_decoding: exit $LAST_EXIT"; fi
check_named "$LAST_STDOUT" "Publication" Succeeded "test_decoding"

run_cmd "$PGSHUTTLE_BIN" migrate --mode online --source "$SRC" --target "$TGT" --databases "$DB" --output json
if [[ $LAST_EXIT == 2 ]]; then pass "migrate: exit 2, stopped at validation"; else fail "migrate: exit $LAST_EXIT, expected 2 (validation failed)"; fi
if database_exists "$tgt_URI" "$DB"; then fail "migrate created $DB on the target"; else pass "nothing created on the target"; fi
check_source_clean "after the failed validation" "$src_URI" "$DB" "$PUBS_BEFORE"
no_secrets "$LAST_OUTPUT"

# online_case LABEL ARGS...: migrate --mode online ARGS under write load, cut
# over, and check the outcome.
online_case() {
    local label=$1
    shift
    workload_loop load "$src_URI" "$DB" "$LP_SQL/step.sql"
    sleep 1
    local t0=$SECONDS
    online_start "$label" "$PGSHUTTLE_BIN" migrate --mode online --source "$SRC" --target "$TGT" \
        --databases "$DB" --jobs 2 --index-jobs 2 --output json "$@"
    if ! wait_for_json "$label: waiting for cutover" "$ONLINE_OUT" "$JSON_WAITING" 300 "$ONLINE_PID"; then
        workload_stop load 10
        return 0
    fi
    # Children inserted and cascaded away while the target has no foreign key.
    if ((SECONDS - t0 < 8)); then sleep $((8 - (SECONDS - t0))); fi
    if [[ $(q "$tgt_URI" "$DB" "SELECT count(*) FROM pg_constraint WHERE contype = 'f'") == 0 &&
          $(q "$tgt_URI" "$DB" "SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal") == 0 ]]; then
        pass "$label: while streaming the target has no foreign key and no user trigger (trigger-less apply)"
    else
        fail "$label: the target has foreign keys or user triggers while streaming"
    fi
    if [[ ${KILL_AND_RESUME:-0} == 1 ]]; then
        # A resumed run was not there for the copy: it finds at cutover what the target lacks.
        kill -KILL "$ONLINE_PID" 2>/dev/null || true
        wait "$ONLINE_PID" 2>/dev/null || true
        log "  $label: pgshuttle killed (-9) while streaming; run again with --resume"
        online_start "$label-resumed" "$PGSHUTTLE_BIN" migrate --mode online --source "$SRC" --target "$TGT" \
            --databases "$DB" --output json --resume "$@"
        if ! wait_for_json "$label: the resumed run waits for cutover" "$ONLINE_OUT" "$JSON_WAITING" 300 "$ONLINE_PID"; then
            workload_stop load 10
            return 0
        fi
    fi
    workload_stop load
    workload_check load 20
    sleep 2
    local t_cut=$SECONDS
    kill -USR1 "$ONLINE_PID" 2>/dev/null || true
    wait_exit "$ONLINE_PID" 180
    check_exit "$label: cutover" 0
    log "  $label: cutover took $((SECONDS - t_cut))s, the whole migration $((SECONDS - t0))s"
    check_result "$ONLINE_OUT" Succeeded
    assert_contains "$ONLINE_OUT" "may not SET session_replication_role" "$label: the trigger-less path is reported"
    no_secrets "$ONLINE_OUT" "$ONLINE_ERR"

    local want got
    want="child_audit:O:every change of a child is audited counters_stamp:D:"
    got=$(q "$tgt_URI" "$DB" "SELECT string_agg(tgname || ':' || tgenabled::text || ':' || coalesce(obj_description(oid, 'pg_trigger'), ''), ' ' ORDER BY tgname) FROM pg_trigger WHERE NOT tgisinternal")
    if [[ $got == "$want" ]]; then pass "$label: triggers on the target after cutover ($got)"; else fail "$label: triggers on the target: '$got', wanted '$want'"; fi
    got=$(q "$tgt_URI" "$DB" "SELECT string_agg(conname || ':' || confdeltype::text || ':' || coalesce(obj_description(oid, 'pg_constraint'), ''), ' ') FROM pg_constraint WHERE contype = 'f'")
    if [[ $got == "child_parent_id_fkey:c:children go with their parent" ]]; then pass "$label: foreign key on the target ($got)"; else fail "$label: foreign keys on the target: '$got'"; fi
    got=$(q "$tgt_URI" "$DB" "SELECT string_agg(rulename || ':' || coalesce(obj_description(oid, 'pg_rewrite'), ''), ' ') FROM pg_rewrite WHERE rulename <> '_RETURN' AND ev_class::regclass::text NOT LIKE 'pg\\_%'")
    if [[ $got == "counters_keep:counters are never deleted" ]]; then pass "$label: rule on the target ($got)"; else fail "$label: rules on the target: '$got'"; fi

    local pubs_now=$PUBS_BEFORE
    check_source_clean "$label" "$src_URI" "$DB" "$pubs_now"
    check_target_no_origin "$label" "$tgt_URI"
    if [[ $(q "$tgt_URI" "$DB" "SELECT count(*) FROM pg_namespace WHERE nspname = 'pgshuttle_cdc'") == 0 ]]; then
        pass "$label: no progress table left on the target"
    else
        fail "$label: schema pgshuttle_cdc left on the target"
    fi
    check "$label: compare_databases $DB: identical" compare_databases "$src_URI" "$tgt_URI" "$DB"
    local seq_src seq_tgt
    seq_src=$(q "$src_URI" "$DB" "SELECT last_value FROM ticket_seq")
    seq_tgt=$(q "$tgt_URI" "$DB" "SELECT last_value FROM ticket_seq")
    if [[ $seq_src == "$seq_tgt" && $seq_src -gt 42 ]]; then pass "$label: ticket_seq $seq_tgt on both"; else fail "$label: ticket_seq source $seq_src, target $seq_tgt"; fi
    # Had the trigger fired on apply, the target would hold more audit rows than the source.
    local a_src a_tgt
    a_src=$(q "$src_URI" "$DB" "SELECT count(*) FROM audit")
    a_tgt=$(q "$tgt_URI" "$DB" "SELECT count(*) FROM audit")
    if [[ $a_src == "$a_tgt" && $a_src -gt 0 ]]; then pass "$label: $a_tgt audit rows on both (the trigger did not fire on apply)"; else fail "$label: audit rows: source $a_src, target $a_tgt"; fi
}

section "b. the owner's publication: migrate --mode online --publication under load"
q "$src_URI" "$DB" "SET ROLE pgs_owner; CREATE PUBLICATION owner_pub FOR TABLE parent, child, audit, counters, notes" >/dev/null
PUBS_BEFORE=$(source_publications "$src_URI" "$DB")
run_cmd "$PGSHUTTLE_BIN" validate --mode online --publication owner_pub --source "$SRC" --target "$TGT" --databases "$DB" --output json
check_named "$LAST_STDOUT" "Publication" Warning "publishes every change"
run_cmd "$PGSHUTTLE_BIN" validate --mode online --publication no_such_pub --source "$SRC" --target "$TGT" --databases "$DB" --output json
check_named "$LAST_STDOUT" "Publication" Failed "does not exist"
KILL_AND_RESUME=1 online_case pgoutput --publication owner_pub
if [[ $(q "$src_URI" "$DB" "SELECT count(*) FROM pg_publication WHERE pubname = 'owner_pub'") == 1 ]]; then
    pass "the user's publication owner_pub is still on the source"
else
    fail "the user's publication owner_pub is gone from the source"
fi

section "c. migrate --mode online --plugin test_decoding (no publication) under load"
online_case test_decoding --plugin test_decoding --overwrite

finish
