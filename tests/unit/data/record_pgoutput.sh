#!/usr/bin/env bash
# record_pgoutput.sh — records real pgoutput messages for tests/unit/test_pgoutput.c.
#
#   tests/unit/data/record_pgoutput.sh [DIR] > /tmp/recorded.c
#
# Starts a throwaway cluster in DIR (default /tmp/pgo-rec) with
# track_commit_timestamp=on, creates a publication and a pgoutput slot, runs a
# fixed workload, then reads every message back with
# pg_logical_slot_peek_binary_changes('s', NULL, NULL, 'proto_version', '1',
# 'publication_names', 'p') — one bytea per message, exactly the payload of one
# XLogData — and prints them as C arrays, followed by the facts the server
# reports independently of the decoder (xids, commit timestamps, OIDs). Two
# more peeks capture a logical message ('messages' 'true') and binary tuple
# data ('binary' 'true'); pg_waldump gives the LSN of each commit record.
# The cluster is destroyed at the end.
#
# The printed block replaces the "recorded" section of test_pgoutput.c; the
# assertions there name the workload steps below (W1..W13).
set -euo pipefail
# Nothing may stop at a pager: psql runs with -P pager=off, anything else gets cat.
export PAGER=cat PSQL_PAGER=cat

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
dir=${1:-/tmp/pgo-rec}

eval "$("$root/scripts/pg-cluster" start "$dir" --set track_commit_timestamp=on)"
trap '"$root/scripts/pg-cluster" destroy "$dir" >&2' EXIT

q() { psql "$PGC_URI" -X -P pager=off -q -v ON_ERROR_STOP=1 -At "$@"; }

q <<'SQL' >/dev/null
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE TABLE t_basic (
    id int PRIMARY KEY,
    name varchar(20),
    note text,
    amount numeric(10,2),
    flag bool,
    dropme int,
    feeling mood,
    doubled int GENERATED ALWAYS AS (id * 2) STORED
);
ALTER TABLE t_basic DROP COLUMN dropme;
CREATE TABLE t_toast (id int PRIMARY KEY, big text, small int);
ALTER TABLE t_toast ALTER COLUMN big SET STORAGE EXTERNAL;
CREATE TABLE t_full (a int, b text);
ALTER TABLE t_full REPLICA IDENTITY FULL;
CREATE TABLE t_parent (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, v text);
CREATE TABLE t_child (id serial PRIMARY KEY, parent_id int REFERENCES t_parent (id));
CREATE TABLE t_unpub (x int);
-- before the slot: not in the stream
INSERT INTO t_toast VALUES (1, repeat(md5('x'), 100), 1);   -- 3200 bytes, stored out of line
INSERT INTO t_full VALUES (1, 'one'), (2, 'two');
INSERT INTO t_parent (v) VALUES ('p1');
INSERT INTO t_child (parent_id) VALUES (1);
CREATE PUBLICATION p FOR TABLE t_basic, t_toast, t_full, t_parent, t_child;
SELECT pg_create_logical_replication_slot('s', 'pgoutput');
SQL

# The workload. Each step records its xid (when it has one) as a fact.
facts=$(q <<'SQL'
-- W1: insert with NULLs, quotes, newlines, a tab, a backslash, unicode, an empty string
BEGIN;
INSERT INTO t_basic (id, name, note, amount, flag, feeling) VALUES
    (1, 'plain', NULL, 12.50, true, 'happy'),
    (2, NULL, E'it''s "quoted"\nline 2\ttab \\ back', NULL, NULL, NULL),
    (3, 'héllo 日本 🐘', '', -0.01, false, 'sad');
SELECT 'W1 ' || pg_current_xact_id();
COMMIT;
-- W2: update leaving the TOASTed column unchanged ('u')
BEGIN; UPDATE t_toast SET small = 2 WHERE id = 1; SELECT 'W2 ' || pg_current_xact_id(); COMMIT;
-- W3: update changing the primary key (old key 'K')
BEGIN; UPDATE t_basic SET id = 10 WHERE id = 1; SELECT 'W3 ' || pg_current_xact_id(); COMMIT;
-- W4: update not changing the key (no old tuple)
BEGIN; UPDATE t_basic SET note = 'changed' WHERE id = 2; SELECT 'W4 ' || pg_current_xact_id(); COMMIT;
-- W5: REPLICA IDENTITY FULL update (old 'O')
BEGIN; UPDATE t_full SET b = 'uno' WHERE a = 1; SELECT 'W5 ' || pg_current_xact_id(); COMMIT;
-- W6: REPLICA IDENTITY FULL delete (old 'O')
BEGIN; DELETE FROM t_full WHERE a = 2; SELECT 'W6 ' || pg_current_xact_id(); COMMIT;
-- W7: delete by key ('K')
BEGIN; DELETE FROM t_basic WHERE id = 3; SELECT 'W7 ' || pg_current_xact_id(); COMMIT;
-- W8: rolled back: absent from the stream
BEGIN; INSERT INTO t_basic (id) VALUES (99); SELECT 'W8 ' || pg_current_xact_id(); ROLLBACK;
-- W9: touches only an unpublished table: an empty transaction, which 15 skips
BEGIN; INSERT INTO t_unpub VALUES (1); SELECT 'W9 ' || pg_current_xact_id(); COMMIT;
-- W10: ALTER TABLE ADD COLUMN mid-stream, then an insert (a new Relation message)
ALTER TABLE t_basic ADD COLUMN extra int DEFAULT 7;
BEGIN; INSERT INTO t_basic (id, name) VALUES (4, 'after alter'); SELECT 'W10 ' || pg_current_xact_id(); COMMIT;
-- W11: multi-statement transaction
BEGIN;
INSERT INTO t_full VALUES (3, 'three');
UPDATE t_basic SET name = 'multi' WHERE id = 4;
DELETE FROM t_basic WHERE id = 2;
INSERT INTO t_parent (v) VALUES ('p2');
SELECT 'W11 ' || pg_current_xact_id();
COMMIT;
-- W12: truncate of two tables, RESTART IDENTITY CASCADE
BEGIN; TRUNCATE t_parent, t_child RESTART IDENTITY CASCADE; SELECT 'W12 ' || pg_current_xact_id(); COMMIT;
-- W13: a transaction replayed from a replication origin (Origin message)
SELECT pg_replication_origin_create('pgo_origin') \g /dev/null
SELECT pg_replication_origin_session_setup('pgo_origin') \g /dev/null
BEGIN;
SELECT pg_replication_origin_xact_setup('0/12345678', '2024-01-02 03:04:05+00') \g /dev/null
INSERT INTO t_full VALUES (4, 'from origin');
SELECT 'W13 ' || pg_current_xact_id();
COMMIT;
SELECT pg_replication_origin_session_reset() \g /dev/null
-- W14: logical messages, transactional and not (seen only with 'messages' 'true')
BEGIN; SELECT pg_logical_emit_message(true, 'pgshuttle', 'hello') \g /dev/null
SELECT 'W14 ' || pg_current_xact_id(); COMMIT;
SELECT pg_logical_emit_message(false, 'pgshuttle', E'\\x00ff'::bytea) \g /dev/null
SQL
)

peek() {
    q -c "SELECT lsn, xid, encode(data, 'hex')
          FROM pg_logical_slot_peek_binary_changes('s', NULL, NULL, 'proto_version', '1',
                                                   'publication_names', 'p' $1)"
}

# Prints one C array per message and a table of them.
emit() {
    local prefix=$1 rows=$2 i=0 lsn xid hex
    while IFS='|' read -r lsn xid hex; do
        printf '/* %s: %c  lsn %s  xid %s */\nstatic const uint8_t %s_%02d[] = {\n' \
            "$prefix" "$(printf '%b' "\\x${hex:0:2}")" "$lsn" "$xid" "$prefix" "$i"
        printf '%s\n' "$hex" | fold -w 32 | sed 's/\(..\)/0x\1, /g; s/ $//; s/^/    /'
        printf '};\n'
        i=$((i + 1))
    done <<<"$rows"
    printf 'static const struct recorded %s[] = {\n' "$prefix"
    i=0
    while IFS='|' read -r lsn xid hex; do
        printf '    {%s_%02d, sizeof(%s_%02d), "%s", %s},\n' "$prefix" "$i" "$prefix" "$i" "$lsn" "$xid"
        i=$((i + 1))
    done <<<"$rows"
    printf '};\n\n'
}

echo "/* ---- recorded by tests/unit/data/record_pgoutput.sh, $(q -c 'SELECT version()' | cut -d' ' -f1-2) ---- */"
echo "/* clang-format off */"
echo
emit rec "$(peek '')"
emit rec_msg "$(peek ", 'messages', 'true'" | grep -E '\|4d')"
emit rec_bin "$(peek ", 'binary', 'true'" | grep -E '\|49' | head -1)"

# Commit records as pg_waldump shows them (their LSN is Begin's final_lsn).
q -c "CHECKPOINT" >/dev/null
firstseg=$(ls "$PGC_DIR/data/pg_wal" | grep -E '^[0-9A-F]{24}$' | head -1)
wal=$("$PGC_BINDIR/pg_waldump" -p "$PGC_DIR/data/pg_wal" -r Transaction "$firstseg" 2>/dev/null || true)

echo "/* Facts from the server, independent of the decoder. */"
while read -r step xid; do
    ts=$(q -c "SELECT (extract(epoch FROM pg_xact_commit_timestamp('$xid'::xid)) * 1000000)::bigint
                      - 946684800000000")
    clsn=$(sed -n "s|.* tx: *$xid, lsn: \([0-9A-F/]*\), .*desc: COMMIT .*|\1|p" <<<"$wal")
    printf '#define %s_XID %s\n#define %s_COMMIT_TS INT64_C(%s)\n#define %s_COMMIT_LSN "%s"\n' \
        "$step" "$xid" "$step" "${ts:-0}" "$step" "${clsn:-none}"
done <<<"$facts"
for t in t_basic t_toast t_full t_parent t_child; do
    printf '#define OID_%s %s\n' "${t^^}" "$(q -c "SELECT '$t'::regclass::oid")"
done
printf '#define OID_MOOD %s\n' "$(q -c "SELECT 'mood'::regtype::oid")"
echo "/* clang-format on */"
