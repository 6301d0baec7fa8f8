#!/usr/bin/env bash
# Every command's --help describes every option the command accepts, and
# nothing it does not (issue 12, item 8). No server is needed.
#
# The commands come from `pgshuttle --help`. The options to try are every
# --name that any command's help mentions, plus every name in the option
# tables of src/cli/*.c (when the source is there), so that an option added
# to a table without help is caught too. Whether a command accepts an option
# is asked of the binary itself: `pgshuttle CMD --name x` answers
# "unknown option" only when it does not. Then, for each command:
#   - an option it accepts has an entry of its own in its --help, with a
#     description (on the line, or the next one);
#   - an option its --help lists is accepted;
#   - -h and `pgshuttle help CMD` print the same as --help, exit 0;
# and `pgshuttle -h`, `--help` and `help` print the same list of commands.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
require_pgshuttle

SRC_DIR=${PGSHUTTLE_SOURCE_DIR:-$PGS_ROOT}

section "top level"
"$PGSHUTTLE_BIN" --help >"$TEST_TMP/top.help"
mapfile -t COMMANDS < <(sed -n '/^Commands:/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p' "$TEST_TMP/top.help")
if ((${#COMMANDS[@]} > 0)); then
    pass "pgshuttle --help lists ${#COMMANDS[@]} commands: ${COMMANDS[*]}"
else
    die "pgshuttle --help lists no commands"
fi
for form in -h help; do
    if "$PGSHUTTLE_BIN" "$form" 2>&1 | cmp -s - "$TEST_TMP/top.help"; then
        pass "pgshuttle $form prints the same as --help"
    else
        fail "pgshuttle $form does not print the same as --help"
    fi
done

section "options to try"
declare -A CANDIDATES=()
for cmd in "${COMMANDS[@]}"; do
    "$PGSHUTTLE_BIN" "$cmd" --help >"$TEST_TMP/$cmd.help" 2>&1 || true
    while read -r name; do CANDIDATES[$name]=1; done \
        < <(grep -o -- '--[a-z][a-z0-9-]*' "$TEST_TMP/$cmd.help" | sed 's/^--//' | sort -u)
done
from_help=${#CANDIDATES[@]}
if compgen -G "$SRC_DIR/src/cli/*.c" >/dev/null; then
    while read -r name; do CANDIDATES[$name]=1; done \
        < <(grep -ohE '\{"[a-z][a-z0-9-]*", *(no|required|optional)_argument' "$SRC_DIR"/src/cli/*.c \
            | sed -E 's/^\{"([^"]*)".*/\1/' | sort -u)
fi
log "${#CANDIDATES[@]} option names ($from_help from the help texts, the rest from src/cli's tables)"

# accepts CMD NAME: the binary takes --NAME for CMD (its answer is not "unknown option").
# It runs in a scratch directory with a scratch state directory; serve also
# gets an address it cannot listen on, so that it stops right after parsing.
accepts() {
    local out extra=()
    [[ $1 == serve ]] && extra=(--listen 999.0.0.1:1)
    mkdir -p "$TEST_TMP/cwd"
    out=$(cd "$TEST_TMP/cwd" && PGSHUTTLE_STATE_DIR=$TEST_TMP/state \
        timeout 10 "$PGSHUTTLE_BIN" "$1" "--$2" x "${extra[@]}" 2>&1 </dev/null) || true
    ! grep -qi 'unknown option' <<<"$out"
}

# described HELPFILE NAME: HELPFILE has an entry for --NAME with a description.
described() {
    python3 - "$1" "$2" <<'EOF'
import re, sys
lines = open(sys.argv[1]).read().split("\n")
name = sys.argv[2]
entry = re.compile(r"^\s+(-[a-zA-Z], )?--" + re.escape(name) + r"(?![a-z0-9-])(=?\s?[^\s]+)?(\s{2,}(?P<text>\S.*))?$")
for i, line in enumerate(lines):
    m = entry.match(line)
    if not m:
        continue
    text = m.group("text") or (lines[i + 1].strip() if i + 1 < len(lines) and lines[i + 1].startswith("   ") else "")
    if len(text.split()) >= 2:
        sys.exit(0)
sys.exit(1)
EOF
}

for cmd in "${COMMANDS[@]}"; do
    section "pgshuttle $cmd"
    help=$TEST_TMP/$cmd.help
    if "$PGSHUTTLE_BIN" "$cmd" --help >/dev/null 2>&1; then
        pass "$cmd --help exits 0"
    else
        fail "$cmd --help does not exit 0"
    fi
    for form in "-h" "help"; do
        if [[ $form == help ]]; then set -- help "$cmd"; else set -- "$cmd" -h; fi
        if "$PGSHUTTLE_BIN" "$@" >"$TEST_TMP/$cmd.alt" 2>&1 && cmp -s "$TEST_TMP/$cmd.alt" "$help"; then
            pass "pgshuttle $* prints the same as $cmd --help, exit 0"
        else
            fail "pgshuttle $* does not print the same as $cmd --help (or does not exit 0)"
            head -n 3 "$TEST_TMP/$cmd.alt" | sed 's/^/  | /'
        fi
    done
    accepted=() undescribed=() phantom=()
    for name in $(printf '%s\n' "${!CANDIDATES[@]}" | sort); do
        if accepts "$cmd" "$name"; then
            accepted+=("$name")
            described "$help" "$name" || undescribed+=("--$name")
        elif grep -qE -- "^\s+(-[a-z], )?--$name([^a-z0-9-]|$)" "$help"; then
            phantom+=("--$name")
        fi
    done
    log "$cmd accepts: ${accepted[*]/#/--}"
    if ((${#undescribed[@]} == 0)); then
        pass "$cmd --help describes each of its ${#accepted[@]} options"
    else
        fail "$cmd --help does not describe: ${undescribed[*]}"
    fi
    if ((${#phantom[@]} == 0)); then
        pass "$cmd accepts every option its --help lists"
    else
        fail "$cmd --help lists options it does not accept: ${phantom[*]}"
    fi
done

finish
