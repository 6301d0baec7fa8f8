#!/usr/bin/env bash
# Offline migration, PostgreSQL 15 -> 15: riding through target restarts and
# terminated sessions during the copy phase (issue 13, item 3).
#   pgs_copyr: big (2.5M rows, split into ctid parts by
#   --split-tables-larger-than 16MB, 5 indexes), whole (copied whole, with
#   COPY FREEZE), child (foreign keys to both). Each case migrates it afresh
#   with --output json (first undisturbed, to compare the durations) and,
#   once the disruption is over, must end Succeeded with verify identical;
#   it prints how long the outage lasted and what was done again (parts,
#   indexes, restores retried or found committed). In this order:
#     a. a fast restart of the target while big's parts are copied
#     b. pg_terminate_backend of the target's COPY sessions mid-part
#     h. target sessions lost after their COMMIT was written and before its
#        reply (a synchronous standby that never answers, then
#        pg_terminate_backend): the parts are found committed, not copied again
#     c. a fast restart of the target while the indexes are built
#     d. pgs_postdata (2000 triggers, policies, rules, comments, a
#        publication): a fast restart of the target during the post-data
#        restore, which runs again with --clean
#     f. pgs_lobs (6000 large objects, some with comments): a fast restart of
#        the target while they are copied
#     e. the target stopped for longer than --reconnect-timeout 3s during the
#        copy: exit 1, the error names the timeout; once the target is back
#        the incomplete database is gone or marked incomplete
#     g. a fast restart of the source during the copy: the snapshot is lost;
#        the copy starts over and verifies, or fails at once saying so
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/online/lib.sh"
require_pgshuttle

section "clusters and source databases"
start_cluster src
start_cluster tgt
DB=pgs_copyr
create_database "$src_URI" "$DB"
psql_db "$src_URI" "$DB" <<'SQL'
CREATE TABLE big (id bigint PRIMARY KEY, a int NOT NULL, b text, c timestamptz, d numeric);
INSERT INTO big SELECT i, i % 1000, md5(i::text), '2024-01-01'::timestamptz + i * interval '1 second', i / 7.0
  FROM generate_series(1, 2500000) i;
CREATE INDEX big_a ON big (a);
CREATE INDEX big_b ON big (b);
CREATE INDEX big_c ON big (c);
CREATE INDEX big_ac ON big (a, c);
CREATE TABLE whole (id int PRIMARY KEY, v text UNIQUE);
INSERT INTO whole SELECT i, 'w' || i FROM generate_series(1, 150000) i;
CREATE TABLE child (id int PRIMARY KEY, big_id bigint REFERENCES big, whole_id int REFERENCES whole);
INSERT INTO child SELECT i, i * 3, i FROM generate_series(1, 100000) i;
ANALYZE;
SQL
log "big: $(q "$src_URI" "$DB" "SELECT pg_size_pretty(pg_table_size('big'))")"

create_database "$src_URI" pgs_postdata
psql_db "$src_URI" pgs_postdata <<'SQL'
CREATE TABLE t (id int PRIMARY KEY, owner_name text, v int);
INSERT INTO t SELECT i, 'u' || (i % 5), i FROM generate_series(1, 1000) i;
CREATE FUNCTION noop() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END';
DO $$ BEGIN
  FOR i IN 1..2000 LOOP
    EXECUTE format('CREATE TRIGGER trg_%s BEFORE UPDATE ON t FOR EACH ROW WHEN (OLD.v = %s) EXECUTE FUNCTION noop()', i, i);
    EXECUTE format('COMMENT ON TRIGGER trg_%s ON t IS %L', i, 'trigger ' || i);
  END LOOP;
  FOR i IN 1..50 LOOP
    EXECUTE format('CREATE POLICY pol_%s ON t USING (v <> %s)', i, i);
  END LOOP;
END $$;
ALTER TABLE t ENABLE ROW LEVEL SECURITY;
CREATE VIEW tv AS SELECT * FROM t;
CREATE RULE tv_ins AS ON INSERT TO tv DO INSTEAD INSERT INTO t VALUES (NEW.id, NEW.owner_name, NEW.v);
COMMENT ON RULE tv_ins ON tv IS 'a rule';
CREATE PUBLICATION pgs_pub FOR TABLE t;
COMMENT ON PUBLICATION pgs_pub IS 'a publication';
SQL

create_database "$src_URI" pgs_lobs
psql_db "$src_URI" pgs_lobs <<'SQL'
CREATE TABLE doc (id int PRIMARY KEY, blob oid);
INSERT INTO doc SELECT i, lo_from_bytea(0, convert_to(repeat(md5(i::text), 64), 'UTF8'))
  FROM generate_series(1, 6000) i;
DO $$ DECLARE o oid; BEGIN
  FOR o IN SELECT blob FROM doc WHERE id % 50 = 0 LOOP
    EXECUTE format('COMMENT ON LARGE OBJECT %s IS %L', o, 'doc ' || o);
  END LOOP;
END $$;
SQL
LO_SUM="SELECT count(*) || ' ' || md5(string_agg(md5(lo_get(oid)) || coalesce(obj_description(oid, 'pg_largeobject'), ''), ',' ORDER BY oid)) FROM pg_largeobject_metadata"

restart_target() {   # a fast shutdown of the target, then start again (same port)
    "$PG_CLUSTER" stop "$TEST_TMP/tgt" >/dev/null && "$PG_CLUSTER" start "$TEST_TMP/tgt" >/dev/null
}
terminate_copies() {   # pg_terminate_backend of the target's COPY sessions
    local n
    n=$(q "$tgt_URI" postgres "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
        WHERE datname = '$DB' AND query LIKE 'COPY %FROM STDIN%' AND state = 'active'")
    log "  terminated $n COPY session(s)"
    ((n > 0))
}
# wait_target_activity DESC SQL-CONDITION: until the target has such a session (60 s).
wait_target_activity() {
    local desc=$1 cond=$2 i n
    for ((i = 0; i < 600; i++)); do
        n=$(q "$tgt_URI" postgres "SELECT count(*) FROM pg_stat_activity WHERE $cond" 2>/dev/null || echo 0)
        if ((n > 0)); then
            pass "$desc (after $((i / 10)).$((i % 10))s)"
            return 0
        fi
        kill -0 "$ONLINE_PID" 2>/dev/null || break
        sleep 0.1
    done
    fail "$desc: not seen"
    show_online_output 20
    return 1
}

SUMMARY=()
# report LABEL: the outage lines and the work done again, from the log.
report() {
    local label=$1 err=$ONLINE_ERR back retried committed built restore secs rebuilt
    back=$(grep -o 'is back after [^ ]*' "$err" | awk '{print $4}' | sort -u | paste -sd, - || true)
    retried=$(grep -c 'retrying the copy of \(table\|large object\)' "$err" || true)
    committed=$(grep -c 'was committed before the connection was lost' "$err" || true)
    built=$(grep -c 'already built before the connection was lost\|already added before the connection was lost' "$err" || true)
    restore=$(grep -c "section again" "$err" || true)
    rebuilt=$(grep -c 'retrying the build of index\|retrying foreign key\|retrying ANALYZE' "$err" || true)
    grep -E 'lost the target|is back after|retrying|before the connection was lost|section again|gave up|invalid index' "$err" |
        sed 's/^/  | /' | cut -c1-220 | redact || true
    secs=$(python3 -c 'import json, sys
s = "?"
for line in open(sys.argv[1], encoding="utf-8", errors="replace"):
    try:
        o = json.loads(line)
    except ValueError:
        continue
    if isinstance(o, dict) and o.get("event") == "result":
        s = "%.1f" % o.get("seconds", 0)
print(s)' "$ONLINE_OUT")
    log "  $label: migration took ${secs}s; outage(s) lasted ${back:-none}; parts copied again: $retried; found committed: $committed; indexes/constraints found built: $built; index items run again: $rebuilt; restores run again: $restore"
    SUMMARY+=("$label: ${secs}s in all, outage ${back:-none}, parts copied again $retried, found committed $committed, found built $built, index items again $rebuilt, restores again $restore")
}

migrate_start() {   # migrate_start NAME DB [OPTION...]
    drop_database "$tgt_URI" "$2" 2>/dev/null
    online_start "$1" "$PGSHUTTLE_BIN" migrate --source "$src_URI" --target "$tgt_URI" --databases "$2" \
        --jobs 2 --index-jobs 2 --split-tables-larger-than 16MB --output json "${@:3}"
}
check_success() {   # check_success LABEL DB
    wait_exit "$ONLINE_PID" 600
    check_exit "$1" 0
    check_result "$ONLINE_OUT" Succeeded
    assert_not_contains "$ONLINE_ERR" "ERROR" "$1: no error logged"
    report "$1"
    assert_exit 0 "$PGSHUTTLE_BIN" verify --source "$src_URI" --target "$tgt_URI" --databases "$2"
    no_secrets "$ONLINE_OUT" "$ONLINE_ERR"
}

# ---------------------------------------------------------------------------
section "0. undisturbed, for comparison"
migrate_start base "$DB"
check_success "0. undisturbed" "$DB"

# ---------------------------------------------------------------------------
section "a. target fast restart while big's parts are copied"
migrate_start a "$DB" --reconnect-timeout 2min
if wait_target_activity "a: COPY of big running" "state = 'active' AND datname = '$DB' AND query LIKE 'COPY public.big%FROM STDIN%'"; then
    sleep 1
    restart_target
    log "  target restarted"
fi
check_success "a. target restart during the copy" "$DB"
assert_contains "$ONLINE_ERR" "retrying the copy of table" "a: the lost parts were copied again"

# ---------------------------------------------------------------------------
section "b. pg_terminate_backend of the target's COPY sessions"
migrate_start b "$DB" --reconnect-timeout 2min
if wait_target_activity "b: COPY of big running" "state = 'active' AND datname = '$DB' AND query LIKE 'COPY public.big%FROM STDIN%'"; then
    sleep 1
    terminate_copies || fail "b: no COPY session to terminate"
fi
check_success "b. COPY sessions terminated" "$DB"
assert_contains "$ONLINE_ERR" "retrying the copy of table" "b: the lost parts were copied again"

# ---------------------------------------------------------------------------
section "h. sessions lost after their COMMIT was written, before the reply"
# synchronous_standby_names naming a standby that never comes makes every
# COMMIT wait after its commit record is written; terminating the waiting
# sessions loses them exactly there: the parts are in, and must be found
# committed (txid_status), not copied twice (verify would see the duplicates).
migrate_start h "$DB" --reconnect-timeout 2min
if wait_target_activity "h: COPY of big running" "state = 'active' AND datname = '$DB' AND query LIKE 'COPY public.big%FROM STDIN%'"; then
    q "$tgt_URI" postgres "ALTER SYSTEM SET synchronous_standby_names = 'pgs_nobody'" >/dev/null
    q "$tgt_URI" postgres "SELECT pg_reload_conf()" >/dev/null
    if wait_target_activity "h: a COMMIT waits for the missing standby" "datname = '$DB' AND wait_event = 'SyncRep'"; then
        sleep 1
        n=$(q "$tgt_URI" postgres "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = '$DB' AND wait_event = 'SyncRep'")
        log "  terminated $n session(s) waiting after their COMMIT"
    fi
    q "$tgt_URI" postgres "ALTER SYSTEM RESET synchronous_standby_names" >/dev/null
    q "$tgt_URI" postgres "SELECT pg_reload_conf()" >/dev/null
fi
check_success "h. sessions lost after COMMIT" "$DB"
assert_contains "$ONLINE_ERR" "was committed before the connection was lost" "h: the committed parts were not copied again"

# ---------------------------------------------------------------------------
section "c. target fast restart while the indexes are built"
migrate_start c "$DB" --reconnect-timeout 2min
if wait_target_activity "c: CREATE INDEX on big running" "state = 'active' AND datname = '$DB' AND query LIKE 'CREATE INDEX big_%'"; then
    sleep 0.5
    restart_target
    log "  target restarted"
fi
check_success "c. target restart during index builds" "$DB"
assert_contains "$ONLINE_ERR" "retrying the build of index" "c: the lost index builds ran again"

# ---------------------------------------------------------------------------
section "d. target fast restart during the post-data restore"
migrate_start d pgs_postdata --reconnect-timeout 2min
if wait_target_activity "d: post-data restore running" "state = 'active' AND datname = 'pgs_postdata' AND query LIKE 'CREATE TRIGGER trg_%'"; then
    sleep 0.5
    restart_target
    log "  target restarted"
fi
check_success "d. target restart during the post-data restore" pgs_postdata
assert_contains "$ONLINE_ERR" "section again" "d: the post-data section ran again"
n=$(q "$tgt_URI" pgs_postdata "SELECT count(*) FROM pg_trigger WHERE tgrelid = 't'::regclass")
[[ $n == 2000 ]] && pass "d: 2000 triggers on the target" || fail "d: $n triggers on the target, expected 2000"

# ---------------------------------------------------------------------------
section "f. target fast restart during the copy of large objects"
migrate_start f pgs_lobs --reconnect-timeout 2min
if wait_target_activity "f: large objects copied" "datname = 'pgs_lobs' AND query LIKE '%lo_put%'"; then
    sleep 1
    restart_target
    log "  target restarted"
fi
check_success "f. target restart during the large objects" pgs_lobs
assert_contains "$ONLINE_ERR" "large object" "f: the lost large object was retried or found committed"
src_lo=$(q "$src_URI" pgs_lobs "$LO_SUM")
tgt_lo=$(q "$tgt_URI" pgs_lobs "$LO_SUM")
[[ $src_lo == "$tgt_lo" ]] && pass "f: large objects identical ($src_lo)" || fail "f: large objects differ: $src_lo vs $tgt_lo"

# ---------------------------------------------------------------------------
section "e. the target away for longer than --reconnect-timeout 3s"
migrate_start e "$DB" --reconnect-timeout 3s
if wait_target_activity "e: COPY of big running" "state = 'active' AND datname = '$DB' AND query LIKE 'COPY public.big%FROM STDIN%'"; then
    "$PG_CLUSTER" stop "$TEST_TMP/tgt" >/dev/null
    log "  target stopped"
    wait_exit "$ONLINE_PID" 120
    check_exit "e. the target stayed away longer than the timeout" 1
    log "  it ended ${EXIT_SECONDS}s after the target stopped"
    "$PG_CLUSTER" start "$TEST_TMP/tgt" >/dev/null
    log "  target started again"
    check_result "$ONLINE_OUT" Failed
    assert_contains "$ONLINE_OUT" "(--reconnect-timeout 3.0s)" "e: the error event names --reconnect-timeout"
    { grep -E 'gave up|could not reconnect|incomplete' "$ONLINE_ERR" || true; } | head -n 6 | cut -c1-300 | redact | sed 's/^/  | /'
    if ! database_exists "$tgt_URI" "$DB"; then
        pass "e: no incomplete target database left"
    else
        comment=$(q "$tgt_URI" postgres "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = '$DB'")
        if [[ $comment == *INCOMPLETE* ]]; then
            pass "e: the incomplete target database is marked: $comment"
        else
            fail "e: the incomplete target database is left unmarked"
        fi
    fi
    no_secrets "$ONLINE_OUT" "$ONLINE_ERR"
fi

# ---------------------------------------------------------------------------
section "g. source fast restart during the copy"
# The copy snapshot dies with the source's sessions: the data phase stops at
# once and says so (datacopy_result.source_lost), and the database's copy
# either starts over with a new snapshot (then it must verify) or fails
# with that reason.
migrate_start g "$DB" --reconnect-timeout 2min
if wait_target_activity "g: COPY of big running" "state = 'active' AND datname = '$DB' AND query LIKE 'COPY public.big%FROM STDIN%'"; then
    sleep 1
    "$PG_CLUSTER" stop "$TEST_TMP/src" >/dev/null && "$PG_CLUSTER" start "$TEST_TMP/src" >/dev/null
    log "  source restarted"
    wait_exit "$ONLINE_PID" 600
    if [[ $EXIT_RC == 0 ]]; then
        pass "g: the copy started over and succeeded (${EXIT_SECONDS}s after the restart)"
        assert_exit 0 "$PGSHUTTLE_BIN" verify --source "$src_URI" --target "$tgt_URI" --databases "$DB"
    else
        check_exit "g. source restart during the copy" 1
        assert_contains "$ONLINE_OUT" "the snapshot are lost" "g: the error says the source session and its snapshot are lost"
        ((EXIT_SECONDS <= 30)) && pass "g: it stopped ${EXIT_SECONDS}s after the restart" ||
            fail "g: it took ${EXIT_SECONDS}s to stop after the restart"
    fi
    { grep -E 'snapshot|source' "$ONLINE_ERR" | grep -E 'error|warning' || true; } | head -n 4 | cut -c1-250 | redact | sed 's/^/  | /'
fi

section "summary"
printf '  %s\n' "${SUMMARY[@]}"
finish
