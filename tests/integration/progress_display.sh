#!/usr/bin/env bash
# The figures a migration shows, and that they agree (docs/PROGRESS.md):
# on a terminal, migrate redraws a live progress display (status, tables
# done/total, rows, bytes, rate, ETA, indexes) on stderr, sane from its first
# frame (elapsed time, no 0/0 totals before the copy is planned); without one
# it writes plain log lines and never the terminal's control sequences. In
# the JSON events and the summary, the tables' figures add up to the
# database's and the database's to the result's; the bytes are the tables'
# sizes on the source (pg_table_size), split tables included; migrate and
# verify count the same tables and rows. Online: a streaming event that shows
# bytes behind shows seconds behind too, and the migration never reports
# Waiting for cutover in the round its lag was still seconds long.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/online/lib.sh"
require_pgshuttle
command -v script >/dev/null || skip_test "script(1) from util-linux is needed for a pseudo-terminal"

start_cluster src
start_cluster tgt
create_database "$src_URI" pgs_progress
# A big table (split into parts below), a TOASTed one, a partitioned table
# (its parent holds no rows), an empty table, a materialized view and a
# large object: each figure has something to get wrong.
q "$src_URI" pgs_progress "CREATE TABLE t (id int PRIMARY KEY, pad text);
  INSERT INTO t SELECT g, repeat('x', 200) FROM generate_series(1, 1500000) g;
  CREATE TABLE toasted (id int PRIMARY KEY, doc text);
  INSERT INTO toasted SELECT g, repeat(md5(g::text), 400) FROM generate_series(1, 2000) g;
  CREATE TABLE parted (id int, v text) PARTITION BY RANGE (id);
  CREATE TABLE parted_1 PARTITION OF parted FOR VALUES FROM (0) TO (5000);
  CREATE TABLE parted_2 PARTITION OF parted FOR VALUES FROM (5000) TO (10000);
  INSERT INTO parted SELECT g, 'v' || g FROM generate_series(0, 9999) g;
  CREATE TABLE empty_one (id int);
  CREATE MATERIALIZED VIEW mv AS SELECT id FROM t WHERE id <= 417;
  SELECT lo_from_bytea(0, convert_to(repeat('large object ', 5000), 'UTF8'));
  ANALYZE" >/dev/null

section "on a terminal"
tty_out=$TEST_TMP/tty.out
# script(1) gives the command a pseudo-terminal and copies what it printed to
# its own stdout (its typescript file, which would also hold the command line,
# goes to /dev/null).
script -qefc "$(printf '%q ' "$PGSHUTTLE_BIN" migrate --source "$src_URI" --target "$tgt_URI" \
    --databases pgs_progress --type migrate --split-tables-larger-than 64MB)" /dev/null >"$tty_out" 2>&1 \
    || fail "migrate on a terminal failed"
tr -d '\r' <"$tty_out" >"$tty_out.txt"
assert_contains "$tty_out.txt" "pgshuttle offline migration: In progress / Migrating data"
assert_contains "$tty_out.txt" "Migrating data | tables"
assert_contains "$tty_out.txt" "/s | ETA"
assert_contains "$tty_out.txt" "indexes 0/2"
assert_contains "$tty_out.txt" "Succeeded in"
if grep -q $'\033\[1A' "$tty_out.txt"; then pass "the display redraws in place"; else fail "no cursor movement: the display did not redraw"; fi
assert_not_contains "$tty_out.txt" "$src_PASSWORD" "the source password is not shown"
assert_not_contains "$tty_out.txt" "tables 0/0" "no frame counts tables before the copy is planned"
assert_not_contains "$tty_out.txt" "0 B / 0 B" "no frame shows a zero total"
# The elapsed time of the first frame is that of a run that just started, and
# every frame's is below the test's own running time.
if python3 - "$tty_out.txt" <<'EOF'; then
import re, sys
text = open(sys.argv[1], encoding='utf-8', errors='replace').read()
frames = re.findall(r'\(elapsed ([^)]*)\)', text)
def secs(s):
    total = 0.0
    for n, unit in re.findall(r'([0-9.]+)\s*([dhms])', s):
        total += float(n) * {'d': 86400, 'h': 3600, 'm': 60, 's': 1}[unit]
    return total
if not frames:
    print('  no frame with an elapsed time'); sys.exit(1)
values = [secs(f) for f in frames]
print(f'  {len(frames)} frames; first elapsed {frames[0]!r}, last {frames[-1]!r}')
sys.exit(0 if values[0] < 5 and max(values) < 600 else 1)
EOF
    pass "the elapsed time is sane from the first frame"
else
    fail "the elapsed time of the frames is not sane"
fi
assert_contains "$tty_out.txt" "Succeeded: 1 database, 5 tables, 1,512,000 rows"

section "the JSON events add up"
assert_exit 0 "$PGSHUTTLE_BIN" migrate --source "$src_URI" --target "$tgt_URI" --databases pgs_progress \
    --type migrate --overwrite --output json --split-tables-larger-than 64MB
json_out=$LAST_STDOUT
assert_json_lines "$json_out"
# What the source says: the tables that store rows and their pg_table_size.
sizes=$(q "$src_URI" pgs_progress "SELECT count(*) || ' ' || sum(pg_table_size(c.oid))
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind = 'r' AND n.nspname = 'public'")
rows=$(q "$src_URI" pgs_progress "SELECT (SELECT count(*) FROM t) + (SELECT count(*) FROM toasted)
  + (SELECT count(*) FROM parted) + (SELECT count(*) FROM empty_one)")
assert_exit 0 "$PGSHUTTLE_BIN" verify --source "$src_URI" --target "$tgt_URI" --databases pgs_progress --output json
verify_json=$LAST_STDOUT
if python3 - "$json_out" "$verify_json" "$sizes" "$rows" <<'EOF'; then
import json, sys
events = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
verify = json.loads(open(sys.argv[2]).read())['databases'][0]
want_tables, want_bytes = map(int, sys.argv[3].split())
want_rows = int(sys.argv[4])
tables = [e for e in events if e['event'] == 'table']
db = [e for e in events if e['event'] == 'database'][0]
lo = [e for e in events if e['event'] == 'large_objects']
res = events[-1]['databases'][0]
problems = []
def same(what, *vals):
    if len(set(vals)) != 1:
        problems.append(f'{what} differ: {vals}')
same('tables (events, database event, result, verify, source)', len(tables), db['tables'], res['tables'], verify['tables'], want_tables)
same('rows (sum of tables, database event, result, verify, source)', sum(t['rows'] for t in tables), db['rows'], res['rows'], verify['rows'], want_rows)
same('bytes (sum of tables, database event, result, sum of pg_table_size)', sum(t['bytes'] for t in tables), db['bytes'], res['bytes'], want_bytes)
same('bytes sent (database event, result)', db['bytes_sent'], res['bytes_sent'])
same('large objects (event, result, verify)', lo[0]['count'] if lo else 0, res['large_objects'], verify['large_objects'], 1)
same('large object bytes (event, result)', lo[0]['bytes'] if lo else -1, res['large_object_bytes'], 65000)
same('materialized views in verify', verify['materialized_views'], 1)
same('materialized view rows in verify', verify['materialized_view_rows'], 417)
if any(t['object'] in ('large objects', 'public.parted', 'public.mv') for t in tables):
    problems.append('a table event for something that is not a table: ' + ', '.join(t['object'] for t in tables))
for p in problems:
    print('  ' + p)
print(f'  {len(tables)} tables, {db["rows"]} rows, {db["bytes"]} bytes ({db["bytes_sent"]} sent), verify: {verify["tables"]} tables, {verify["rows"]} rows')
sys.exit(1 if problems else 0)
EOF
    pass "tables, rows and bytes: the parts add up to the totals, and migrate, verify and the source agree"
else
    fail "the figures do not add up"
fi

section "without a terminal"
assert_exit 0 "$PGSHUTTLE_BIN" migrate --source "$src_URI" --target "$tgt_URI" --databases pgs_progress \
    --type migrate --overwrite
assert_contains "$LAST_OUTPUT" "copied public.t: 1,500,000 rows"
assert_contains "$LAST_OUTPUT" "copied 1 large object: 63.5 kB"
assert_contains "$LAST_OUTPUT" "Succeeded: 5 tables, 1,512,000 rows"
if grep -q $'\033' "$LAST_OUTPUT"; then fail "control sequences in plain output"; else pass "plain log lines, no control sequences"; fi
if grep -q 'db pgs_progress: .*\[db=pgs_progress\]\|\[db=pgs_progress[^]]*\] db pgs_progress:' "$LAST_OUTPUT"; then
    fail "a line names the database twice"
else
    pass "no line names the database twice"
fi

section "online: lag in bytes and in seconds agree, Waiting for cutover only once caught up"
create_database "$src_URI" pgs_lag
q "$src_URI" pgs_lag "CREATE TABLE w (id bigserial PRIMARY KEY, pad text);
  INSERT INTO w (pad) SELECT repeat('w', 100) FROM generate_series(1, 200000)" >/dev/null
# A second database, copied while the first one's changes already stream:
# the first one's lag is measured from then on.
create_database "$src_URI" pgs_lag2
q "$src_URI" pgs_lag2 "CREATE TABLE big (id int PRIMARY KEY, pad text);
  INSERT INTO big SELECT g, repeat('b', 200) FROM generate_series(1, 1500000) g" >/dev/null
# Writes go on during the copy, so the stream starts behind.
(for i in $(seq 1 60); do
    q "$src_URI" pgs_lag "INSERT INTO w (pad) SELECT repeat('n', 100) FROM generate_series(1, 2000)" >/dev/null 2>&1 || true
    sleep 0.1
done) &
writer=$!
online_start lag "$PGSHUTTLE_BIN" migrate --source "$src_URI" --target "$tgt_URI" --databases pgs_lag,pgs_lag2 \
    --mode online --type migrate --output json
wait "$writer" || true
wait_for_json "the migration waits for cutover" "$ONLINE_OUT" "$JSON_WAITING" 300 "$ONLINE_PID" || true
kill -USR1 "$ONLINE_PID" 2>/dev/null || true
wait_exit "$ONLINE_PID" 300
check_exit "online migration cut over with SIGUSR1" 0
if python3 - "$ONLINE_OUT" <<'EOF'; then
import json, sys
events = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
problems, last_stream = [], None
streams = 0
# The first database streams while the second copies: its lag is measured then.
second_streams = next((i for i, e in enumerate(events) if e['event'] == 'phase' and e.get('database') == 'pgs_lag2'
                       and e.get('message', '').startswith('streaming changes')), None)
early = [e for e in events[:second_streams] if e['event'] == 'streaming' and e.get('database') == 'pgs_lag']
if second_streams is None or not early:
    problems.append(f'no streaming event of pgs_lag while pgs_lag2 was copying ({second_streams})')
for e in events:
    if e['event'] == 'streaming':
        streams += 1
        last_stream = e
        if e['lag_bytes'] > 0 and e['lag_seconds'] <= 0:
            problems.append(f'bytes behind but no seconds: {e}')
    if e['event'] == 'status' and e.get('status') == 'Waiting for user action' and 'database' not in e:
        if last_stream is None:
            problems.append('Waiting for cutover before any streaming event')
        elif last_stream['lag_seconds'] > 2.0:
            problems.append(f'Waiting for cutover while the lag was {last_stream["lag_seconds"]} s')
        if not isinstance(e.get('pid'), int):
            problems.append(f'the waiting status has no pid: {e}')
for p in problems[:10]:
    print('  ' + p)
print(f'  {streams} streaming events, {len(early)} of pgs_lag while pgs_lag2 copied')
sys.exit(1 if problems or streams == 0 else 0)
EOF
    pass "lag seconds and bytes agree, from the moment each stream starts; Waiting for cutover came with a lag under 2 s"
else
    fail "the lag figures disagree"
fi
assert_exit 0 "$PGSHUTTLE_BIN" verify --source "$src_URI" --target "$tgt_URI" --databases pgs_lag,pgs_lag2
assert_contains "$LAST_OUTPUT" "all 2 databases identical"

finish
