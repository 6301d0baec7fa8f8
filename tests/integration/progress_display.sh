#!/usr/bin/env bash
# On a terminal, migrate redraws a live progress display (status, tables
# done/total, bytes, rate, ETA, indexes) on stderr; without one it writes
# plain log lines and never the terminal's control sequences.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
require_pgshuttle
command -v script >/dev/null || skip_test "script(1) from util-linux is needed for a pseudo-terminal"

start_cluster src
start_cluster tgt
create_database "$src_URI" pgs_progress
q "$src_URI" pgs_progress "CREATE TABLE t (id int PRIMARY KEY, pad text);
  INSERT INTO t SELECT g, repeat('x', 200) FROM generate_series(1, 1500000) g" >/dev/null

section "on a terminal"
tty_out=$TEST_TMP/tty.out
# script(1) gives the command a pseudo-terminal and copies what it printed to
# its own stdout (its typescript file, which would also hold the command line,
# goes to /dev/null).
script -qefc "$(printf '%q ' "$PGSHUTTLE_BIN" migrate --source "$src_URI" --target "$tgt_URI" \
    --databases pgs_progress --type migrate)" /dev/null >"$tty_out" 2>&1 || fail "migrate on a terminal failed"
tr -d '\r' <"$tty_out" >"$tty_out.txt"
assert_contains "$tty_out.txt" "pgshuttle offline migration: In progress / Migrating data"
assert_contains "$tty_out.txt" "Migrating data | tables"
assert_contains "$tty_out.txt" "/s | ETA"
assert_contains "$tty_out.txt" "indexes 0/1"
assert_contains "$tty_out.txt" "Succeeded in"
if grep -q $'\033\[1A' "$tty_out.txt"; then pass "the display redraws in place"; else fail "no cursor movement: the display did not redraw"; fi
assert_not_contains "$tty_out.txt" "$src_PASSWORD" "the source password is not shown"

section "without a terminal"
assert_exit 0 "$PGSHUTTLE_BIN" migrate --source "$src_URI" --target "$tgt_URI" --databases pgs_progress \
    --type migrate --overwrite
assert_contains "$LAST_OUTPUT" "copied public.t: 1500000 rows"
if grep -q $'\033' "$LAST_OUTPUT"; then fail "control sequences in plain output"; else pass "plain log lines, no control sequences"; fi

finish
