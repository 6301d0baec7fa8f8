#!/usr/bin/env bash
# The replication wrapper (src/pg/replication.c) against real servers, 15
# (Debian), 12 and 17 (npm), through tests/tools/repl_probe. Per server:
#   - test_decoding slot: the exported snapshot, imported by another session
#     while the exporting connection waits, sees the rows committed before the
#     slot and not those after; the stream carries exactly the changes made
#     after the slot, in order; flush feedback moves the slot's
#     confirmed_flush_lsn to what was reported; with wal_sender_timeout=2s a
#     5 s idle stream survives because keepalives that ask for a reply get one;
#     DROP_REPLICATION_SLOT works;
#   - pgoutput slot with a publication: Begin, Relation, Insert, Commit arrive,
#     feedback is confirmed, a second START on the same connection is refused,
#     the slot drops over SQL;
#   - START_REPLICATION of a missing slot fails with the server's message.
# The probe reads the conninfo from REPL_PROBE_CONNINFO (no password on
# command lines). On 15 also the control case: a stream that never answers is cut off by the
# server after wal_sender_timeout.
set -euo pipefail
PGS_CMD_TIMEOUT=${PGS_CMD_TIMEOUT:-60}
. "$(dirname "$0")/lib.sh"

REPL_PROBE_BIN=${REPL_PROBE_BIN:-$PGS_ROOT/build/tests/repl_probe}
[[ -x $REPL_PROBE_BIN ]] || skip_test "repl_probe not found at $REPL_PROBE_BIN (set REPL_PROBE_BIN)"

TD_OPTIONS="(\"include-xids\" '0', \"skip-empty-xacts\" '1')"
PO_OPTIONS="(\"proto_version\" '1', \"publication_names\" 'pgs_pub')"

# payloads FILE: the payload of every XLogData line, in order.
payloads() { sed -n 's/^data .* payload=//p' "$1"; }
# field FILE PREFIX KEY: the value of KEY= on the first line starting with PREFIX.
field() { sed -n "/^$2 /{s/.* $3=\\([^ ]*\\).*/\\1/p;q}" "$1"; }
# lsn_num LSN: the LSN as a number.
lsn_num() { local hi=${1%/*} lo=${1#*/}; echo $(((16#$hi << 32) + 16#$lo)); }

# expect_equal DESCRIPTION GOT WANT
expect_equal() {
    if [[ $2 == "$3" ]]; then
        pass "$1"
    else
        fail "$1: got '$2', expected '$3'"
    fi
}

test_server() {
    local v=$1 name=pg$1 uri out td_first
    section "PostgreSQL $v"
    start_cluster "$name" --version "$v" --set wal_sender_timeout=2s
    uri=${name}_URI
    uri=${!uri}
    export REPL_PROBE_CONNINFO=$uri
    q "$uri" postgres "CREATE TABLE t (id int PRIMARY KEY, name text);
        INSERT INTO t VALUES (1, 'one'), (2, 'two'), (3, 'three');
        CREATE PUBLICATION pgs_pub FOR TABLE t" >/dev/null

    # --- test_decoding: snapshot, stream, feedback, keepalives, drop
    assert_exit 0 "$REPL_PROBE_BIN" identify create:pgs_td:test_decoding \
        "sql:INSERT INTO t VALUES (4, 'four'), (5, 'five')" \
        "query:SELECT count(*) FROM t" "snapshot-query:SELECT count(*) FROM t" release \
        "start:pgs_td:0/0:$TD_OPTIONS" stream:4:15 feedback confirmed:pgs_td \
        stream:0:5 "sql:INSERT INTO t VALUES (6, 'six')" stream:3:15 feedback confirmed:pgs_td \
        end drop:pgs_td
    out=$LAST_STDOUT
    ((LAST_ASSERT_OK)) || return 0
    expect_equal "$v: IDENTIFY_SYSTEM names the database" "$(field "$out" identify dbname)" postgres
    local point snapshot
    point=$(field "$out" slot consistent_point)
    snapshot=$(field "$out" slot snapshot)
    [[ $point =~ ^[0-9A-F]+/[0-9A-F]+$ && $snapshot =~ ^[0-9A-F-]+$ ]] \
        && pass "$v: slot created with consistent point $point and snapshot $snapshot" \
        || fail "$v: slot line lacks a consistent point or snapshot: $(grep '^slot ' "$out")"
    expect_equal "$v: a normal session sees all 5 rows" "$(sed -n 's/^query //p' "$out")" 5
    expect_equal "$v: the exported snapshot sees only the 3 rows from before the slot" \
        "$(sed -n 's/^snapshot-query //p' "$out")" 3
    payloads "$out" >"$TEST_TMP/td$v.payloads"
    printf '%s\n' BEGIN "table public.t: INSERT: id[integer]:4 name[text]:'four'" \
        "table public.t: INSERT: id[integer]:5 name[text]:'five'" COMMIT \
        BEGIN "table public.t: INSERT: id[integer]:6 name[text]:'six'" COMMIT >"$TEST_TMP/td.want"
    if diff "$TEST_TMP/td.want" "$TEST_TMP/td$v.payloads" >"$TEST_TMP/td$v.diff"; then
        pass "$v: test_decoding streamed exactly the changes after the slot, in order"
    else
        fail "$v: test_decoding stream differs:"
        sed 's/^/  | /' "$TEST_TMP/td$v.diff"
    fi
    assert_not_contains "$TEST_TMP/td$v.payloads" "'one'" "$v: rows from before the slot are not streamed"
    td_first=$(sed -n 's/^data start=\([^ ]*\) .*INSERT.*/\1/p' "$out" | head -n1)
    (($(lsn_num "$td_first") >= $(lsn_num "$point"))) \
        && pass "$v: first change ($td_first) is at or after the consistent point ($point)" \
        || fail "$v: first change $td_first is before the consistent point $point"
    local fed confirmed commits
    fed=$(sed -n 's/^feedback flush=//p' "$out" | paste -sd' ')
    confirmed=$(sed -n 's/^confirmed_flush //p' "$out" | paste -sd' ')
    commits=$(sed -n 's/^data start=\([^ ]*\) .*payload=COMMIT$/\1/p' "$out" | paste -sd' ')
    expect_equal "$v: feedback reported each COMMIT's position" "$fed" "$commits"
    expect_equal "$v: confirmed_flush_lsn followed the feedback ($fed)" "$confirmed" "$fed"
    local idle
    idle=$(grep '^stream done data=0 ' "$out" || true)
    if [[ $idle =~ reply_requested=([0-9]+)\ replies=([0-9]+) ]] && ((BASH_REMATCH[1] >= 1)) \
        && [[ ${BASH_REMATCH[1]} == "${BASH_REMATCH[2]}" ]]; then
        pass "$v: idle 5 s with wal_sender_timeout=2s: ${BASH_REMATCH[1]} keepalives asked for a reply, all answered"
    else
        fail "$v: keepalives during the idle stream: '$idle'"
    fi
    assert_contains "$out" "end ok"
    assert_contains "$out" "drop ok"

    # --- pgoutput with a publication; SQL drop; one stream per connection
    assert_exit 2 "$REPL_PROBE_BIN" create:pgs_po:pgoutput \
        "sql:INSERT INTO t VALUES (7, 'seven')" \
        "snapshot-query:SELECT string_agg(id::text, ',' ORDER BY id) FROM t" release \
        "start:pgs_po:0/0:$PO_OPTIONS" stream:4:15 feedback confirmed:pgs_po end \
        dropsql:pgs_po "start:pgs_po:0/0:$PO_OPTIONS"
    out=$LAST_STDOUT
    expect_equal "$v: pgoutput snapshot sees rows 1-6, not 7" \
        "$(sed -n 's/^snapshot-query //p' "$out")" "1,2,3,4,5,6"
    expect_equal "$v: pgoutput message types" "$(payloads "$out" | cut -c1 | paste -sd' ')" "B R I C"
    assert_contains "$out" 'payload=I\x00'
    assert_contains "$out" 'seven'
    fed=$(sed -n 's/^feedback flush=//p' "$out")
    commits=$(sed -n 's/^data start=\([^ ]*\) .*payload=C.*/\1/p' "$out")
    expect_equal "$v: pgoutput feedback is the Commit's position" "$fed" "$commits"
    expect_equal "$v: pgoutput confirmed_flush_lsn" "$(sed -n 's/^confirmed_flush //p' "$out")" "$fed"
    assert_contains "$out" "dropsql ok"
    assert_contains "$out" "already streamed once"

    # --- a missing slot
    assert_exit 2 "$REPL_PROBE_BIN" "start:pgs_missing:0/0:$TD_OPTIONS"
    assert_contains "$LAST_STDOUT" 'sqlstate=42704 message=replication slot "pgs_missing" does not exist'

    expect_equal "$v: no slot left behind" \
        "$(q "$uri" postgres "SELECT count(*) FROM pg_replication_slots")" 0
}

# A stream that never answers is cut off after wal_sender_timeout (2 s): the
# control that shows the answering above is what keeps a stream alive.
test_no_reply() {
    local uri=$pg15_URI out
    export REPL_PROBE_CONNINFO=$uri
    section "PostgreSQL 15: a stream that never answers"
    assert_exit 2 "$REPL_PROBE_BIN" create:pgs_nr:test_decoding release \
        "start:pgs_nr:0/0:$TD_OPTIONS" noreply:8
    out=$LAST_STDOUT
    if [[ $(sed -n 's/^lost after \([0-9]*\)\..*/\1/p' "$out") =~ ^[0-9]+$ ]] \
        && (($(sed -n 's/^lost after \([0-9]*\)\..*/\1/p' "$out") <= 4)); then
        pass "15: without replies the server ended the stream ($(grep '^lost after' "$out"))"
    else
        fail "15: the unanswered stream was not cut off within 4 s"
        show_output 10
    fi
    assert_contains "$out" "reply_requested=1"
    # the walsender has exited; the slot is free to drop
    q "$uri" postgres "SELECT pg_drop_replication_slot('pgs_nr')" >/dev/null \
        && pass "15: slot dropped after the lost stream" || fail "15: could not drop the slot"
}

test_server 15
test_no_reply
test_server 12
test_server 17
finish
