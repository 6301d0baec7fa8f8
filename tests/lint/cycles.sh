#!/usr/bin/env bash
# Checks that no two source files depend on each other (docs/ARCHITECTURE.md,
# "Layers"): file A depends on file B when A's object file uses a function
# or variable that B's defines. The dependencies between files must form no
# loop, whether A <-> B or longer (A -> B -> C -> A); shared pieces go down
# into a file of their own that both sides use.
#
# Reads the object files of a build (nm), so it runs after one:
#   tests/lint/cycles.sh [BUILD_DIR]     (default: build)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# One line per (file, symbol): "D src/x/y.c sym" defined, "U src/x/y.c sym" used.
# Object files whose source is gone (a removed or renamed file) are left out.
objs=()
while IFS= read -r obj; do
    src=src/${obj##*/src/}
    if [[ -e $root/${src%.o} ]]; then
        objs+=("$obj")
    fi
done < <(find "$build" -path '*.dir/src/*' -name '*.c.o' | sort)
files=${#objs[@]}
if [[ $files -gt 0 ]]; then
    # nm -A: "OBJECT:[ADDRESS] TYPE SYMBOL"; OBJECT .../src/x/y.c.o becomes src/x/y.c
    # shellcheck disable=SC2016 # an awk program
    to_src='{ f = $1; sub(/\.o:.*/, "", f); sub(/.*\/src\//, "src/", f); print kind, f, $NF }'
    {
        nm -A -g --defined-only "${objs[@]}" | awk -v kind=D "$to_src"
        nm -A -u "${objs[@]}" | awk -v kind=U "$to_src"
    } > "$tmp/syms"
fi

if [[ $files == 0 ]]; then
    echo "cycles: no object files under $build/*.dir/src (build first)"
    exit 1
fi

# Edges "user definer symbol", one per symbol.
awk '$1 == "D" { def[$3] = $2; next }
     $1 == "U" && ($3 in def) && def[$3] != $2 { print $2, def[$3], $3 }' \
    "$tmp/syms" "$tmp/syms" | sort -u > "$tmp/uses"

# Two files that use each other: name both directions' symbols.
awk '{ key = $1 " " $2; syms[key] = syms[key] (seen[key]++ ? ", " : "") $3 }
     END {
         for (k in syms) {
             split(k, p, " ")
             back = p[2] " " p[1]
             if ((back in syms) && p[1] < p[2])
                 printf "cycles: %s <-> %s: %s uses %s; %s uses %s\n",
                        p[1], p[2], p[1], syms[k], p[2], syms[back]
         }
     }' "$tmp/uses" | sort > "$tmp/pairs"
cat "$tmp/pairs"
pairs=$(grep -c '<->' "$tmp/pairs" || true)

# Loops, longer ones too: tsort names the files of each loop it finds.
loops=0
awk '{ print $1, $2 }' "$tmp/uses" | sort -u > "$tmp/edges"
if ! tsort "$tmp/edges" > /dev/null 2> "$tmp/tsort"; then
    loops=$(grep -c 'input contains a loop' "$tmp/tsort" || true)
    sed 's/^tsort: [^:]*: /cycles: /; s/^tsort: /    /' "$tmp/tsort"
fi

echo "cycles: $files files checked, $(wc -l < "$tmp/edges") file dependencies," \
    "$pairs pair(s) using each other, $loops loop(s)"
[[ $pairs == 0 && $loops == 0 ]]
