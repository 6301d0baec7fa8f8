#!/usr/bin/env bash
# No password in any output, nor in the process title (issue 12), PostgreSQL 15.
#   - migrate, validate and verify, each with --output text and json and
#     --log-level debug, given --source (text) or --target (json) strings that
#     hold a distinctive password: malformed ones that libpq quotes back in its
#     reason, and valid ones that fail (a closed loopback port, a wrong
#     password, a database name that holds a URI). Nothing they print, stdout
#     or stderr, may hold the password, its percent-decoded form, or a part of
#     it that libpq quotes alone; a malformed string still gives libpq's reason
#   - a mistyped option and a stray argument that hold a password
#   - /proc/PID/cmdline of a running `pgshuttle migrate` (its connections go
#     to a loopback port that accepts and never answers): the command line
#     with ***** for each password (URI, percent-encoded, key=value, URI query
#     parameter, a 3-character one that makes the title longer than the
#     arguments), no run of '*' as long as the password, no NUL padding that
#     would give the length away, still found by pgrep -f 'pgshuttle migrate'
#   - verify with that 3-character password still works
set -euo pipefail
. "$(dirname "$0")/lib.sh"
require_pgshuttle

section "cluster"
start_cluster src
create_database "$src_URI" pgs_masking
q "$src_URI" pgs_masking "CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t VALUES (1, 'one')"
q "$src_URI" postgres "CREATE ROLE pgs_short LOGIN SUPERUSER PASSWORD 'Zq9'" >/dev/null

# A port on 127.0.0.1 that nothing listens on.
closed_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}
CLOSED=$(closed_port)
P=$src_PORT

# no_leak FILE SECRET...: FILE holds none of the SECRETs (nor a cluster password).
no_leak() {
    local file=$1 s bad=()
    shift
    for s in "$@" "$src_PASSWORD"; do
        if grep -qF -- "$s" "$file"; then bad+=("$s"); fi
    done
    if ((${#bad[@]} == 0)); then
        pass "no password in the output"
    else
        fail "the output holds $(printf '[%s] ' "${bad[@]}")"
        grep -F -e "${bad[0]}" "$file" | head -n 5 | sed 's/^/  | /'
    fi
}

# Each case: the connection string, then what must never show (separated by
# tabs): the password as given, its percent-decoded form, the parts libpq
# quotes alone when the password holds a separator.
TAB=$'\t'
MALFORMED=(
    "mysql://postgres:PgsMysql4711@127.0.0.1:$CLOSED/postgres${TAB}PgsMysql4711"
    "postgresql://postgres:PgsIpv64711@[::1/postgres${TAB}PgsIpv64711"
    "postgresql://postgres:PgsEmptyV64711@[]/postgres${TAB}PgsEmptyV64711"
    "postgresql://postgres:PgsBadChar4711@[::1]x/postgres${TAB}PgsBadChar4711"
    "postgresql://postgres:Pgs%zzBadEnc4711@127.0.0.1:$CLOSED/postgres${TAB}Pgs%zzBadEnc4711${TAB}BadEnc4711"
    "postgresql://postgres:Pgs%41Enc%zz4711@127.0.0.1:$CLOSED/postgres${TAB}Pgs%41Enc%zz4711${TAB}PgsAEnc%zz4711"
    "postgresql://postgres:PgsNul%004711@127.0.0.1:$CLOSED/postgres${TAB}PgsNul%004711"
    "postgresql://postgres@127.0.0.1:$CLOSED/postgres?password=PgsQuery%zz4711${TAB}PgsQuery%zz4711"
    "postgresql://postgres@127.0.0.1:$CLOSED/postgres?password=PgsAmp4711&PgsAmpTail4711${TAB}PgsAmp4711${TAB}PgsAmpTail4711"
    "host=127.0.0.1 port=$CLOSED user=postgres password=PgsKvFirst4711 PgsKvSecond4711${TAB}PgsKvFirst4711${TAB}PgsKvSecond4711"
    "host=127.0.0.1 port=$CLOSED password='PgsKvUnterminated4711${TAB}PgsKvUnterminated4711"
)
VALID_FAILING=(
    "postgresql://postgres:PgsClosed4711@127.0.0.1:$CLOSED/postgres${TAB}PgsClosed4711"
    "postgresql://postgres:PgsWrong%40pw4711@127.0.0.1:$P/postgres${TAB}PgsWrong%40pw4711${TAB}PgsWrong@pw4711"
    "host=127.0.0.1 port=$P user=postgres password='PgsKvWrong 4711'${TAB}PgsKvWrong 4711"
    "host=127.0.0.1 port=$P user=postgres password=$src_PASSWORD dbname=postgresql://u:PgsInDbname4711@x/db${TAB}PgsInDbname4711"
)

# run_case CMD EXPECTED_EXITS CASE: CMD with the case's string as --source
# (--output text) and as --target (--output json); checks every output.
run_case() {
    local cmd=$1 codes=$2 ci secrets output
    IFS=$TAB read -r -a secrets <<<"$3"
    ci=${secrets[0]}
    secrets=("${secrets[@]:1}")
    for output in text json; do
        local conn=(--source "$ci" --target "$src_URI")
        [[ $output == json ]] && conn=(--source "$src_URI" --target "$ci")
        assert_exit "$codes" "$PGSHUTTLE_BIN" "$cmd" "${conn[@]}" --databases pgs_masking \
            --output "$output" --log-level debug
        no_leak "$LAST_OUTPUT" "${secrets[@]}"
        if [[ $codes == 64 ]]; then
            assert_contains "$LAST_OUTPUT" "is not a valid connection string: "
        fi
    done
}

for cmd in migrate validate verify; do
    section "$cmd: malformed connection strings (libpq quotes them in its reason)"
    for c in "${MALFORMED[@]}"; do
        run_case "$cmd" 64 "$c"
    done
    section "$cmd: valid connection strings that fail"
    # (verify connects to the databases it compares, not to the one named in
    # the string: the string that names a URI as its database works there)
    for c in "${VALID_FAILING[@]}"; do
        run_case "$cmd" "$([[ $cmd == verify ]] && echo 0,1,2 || echo 1,2)" "$c"
    done
done

section "the reason stays readable"
assert_exit 64 "$PGSHUTTLE_BIN" validate --source "postgresql://postgres:PgsIpv64711@[::1/postgres" \
    --target "$src_URI" --databases pgs_masking
assert_contains "$LAST_OUTPUT" 'IPv6 host address in URI: "postgresql://postgres:*****@[::1/postgres"'
assert_exit 64 "$PGSHUTTLE_BIN" migrate --source "postgresql://postgres:Pgs%zzBadEnc4711@127.0.0.1/postgres" \
    --target "$src_URI" --databases pgs_masking
assert_contains "$LAST_OUTPUT" 'invalid percent-encoded token: "*****"'

section "a mistyped option or a stray argument that holds a password"
assert_exit 64 "$PGSHUTTLE_BIN" migrate "--sourse=postgresql://postgres:PgsTypo4711@127.0.0.1:$CLOSED/postgres" \
    --target "$src_URI" --databases pgs_masking
no_leak "$LAST_OUTPUT" PgsTypo4711
assert_exit 64 "$PGSHUTTLE_BIN" verify --target "$src_URI" --databases pgs_masking \
    "postgresql://postgres:PgsStray4711@127.0.0.1:$CLOSED/postgres"
no_leak "$LAST_OUTPUT" PgsStray4711

section "process title of a running migrate"
# A loopback port that accepts connections and never answers: libpq waits
# (connect_timeout) and pgshuttle stays in its first connection.
python3 -c '
import socket, sys, time
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(64)
print(s.getsockname()[1], flush=True)
time.sleep(600)
' >"$TEST_TMP/silent.port" &
SILENT_PID=$!
for _ in $(seq 50); do [[ -s $TEST_TMP/silent.port ]] && break; sleep 0.1; done
SILENT=$(cat "$TEST_TMP/silent.port")
[[ -n $SILENT ]] || die "the silent listener did not start"
log "silent listener on 127.0.0.1:$SILENT"

# Each case: the --source string, then the password forms never to show.
TITLE_CASES=(
    "postgresql://postgres:PgsTitle4711x@127.0.0.1:$SILENT/postgres${TAB}PgsTitle4711x"
    "postgresql://postgres:PgsTitle%40Enc4711@127.0.0.1:$SILENT/postgres${TAB}PgsTitle%40Enc4711${TAB}PgsTitle@Enc4711"
    "host=127.0.0.1 port=$SILENT user=postgres password='PgsTitle kv4711'${TAB}PgsTitle kv4711"
    "postgresql://postgres@127.0.0.1:$SILENT/postgres?password=PgsTitleQuery4711${TAB}PgsTitleQuery4711"
    "postgresql://pgs_short:Zq9@127.0.0.1:$SILENT/postgres${TAB}Zq9"
)
for c in "${TITLE_CASES[@]}"; do
    IFS=$TAB read -r -a forms <<<"$c"
    ci=${forms[0]}
    forms=("${forms[@]:1}")
    CMD_SEQ=$((CMD_SEQ + 1))
    out=$TEST_TMP/title$CMD_SEQ
    "$PGSHUTTLE_BIN" migrate --source "$ci" --target "postgresql://postgres@127.0.0.1:$SILENT/postgres" \
        --databases pgs_masking >"$out.out" 2>"$out.err" &
    pid=$!
    # Once it logs, main() has long rewritten its title.
    for _ in $(seq 100); do
        grep -q "Validation in progress" "$out.err" 2>/dev/null && break
        sleep 0.1
    done
    if ! grep -q "Validation in progress" "$out.err"; then
        fail "migrate did not reach its first connection: $(head -c 300 "$out.err")"
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
        continue
    fi
    cat "/proc/$pid/cmdline" >"$out.cmdline"
    found=$(pgrep -f 'pgshuttle migrate' | grep -cx "$pid" || true)
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    title=$(tr '\0' '\n' <"$out.cmdline")
    log "  title: $title"
    no_leak "$out.cmdline" "${forms[@]}"
    runs=$(tr -c '*' '\n' <"$out.cmdline" | awk 'length > 0 { print length }' | sort -u | tr '\n' ' ')
    for f in "${forms[@]}"; do
        if [[ " $runs" == *" ${#f} "* ]]; then
            fail "the title has a run of ${#f} '*', the length of [$f] (runs: $runs)"
        else
            pass "no run of '*' as long as [$f] (${#f}; runs: $runs)"
        fi
    done
    if [[ $title == "$PGSHUTTLE_BIN migrate --source "*"*****"*" --target postgresql://postgres@127.0.0.1:$SILENT/postgres --databases pgs_masking" ]]; then
        pass "the title is the command line with ***** for the password"
    else
        fail "unexpected title: $title"
    fi
    nuls=$(tr -cd '\0' <"$out.cmdline" | wc -c)
    if [[ $nuls == 1 && $(tail -c 1 "$out.cmdline" | od -An -tx1 | tr -d ' ') == 00 ]]; then
        pass "/proc/PID/cmdline is one string ended by one NUL (no padding)"
    else
        fail "/proc/PID/cmdline has $nuls NULs: padding shows"
    fi
    if [[ $found == 1 ]]; then
        pass "pgrep -f 'pgshuttle migrate' finds it"
    else
        fail "pgrep -f 'pgshuttle migrate' does not find pid $pid"
    fi
    no_leak "$out.out" "${forms[@]}"
    no_leak "$out.err" "${forms[@]}"
done
kill "$SILENT_PID" 2>/dev/null || true
wait "$SILENT_PID" 2>/dev/null || true

section "a 3-character password (the title overflows into the environment strings)"
assert_exit 0 "$PGSHUTTLE_BIN" verify --source "postgresql://pgs_short:Zq9@127.0.0.1:$P/postgres" \
    --target "$src_URI" --databases pgs_masking
no_leak "$LAST_OUTPUT" Zq9

finish
