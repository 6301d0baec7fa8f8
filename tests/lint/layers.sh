#!/usr/bin/env bash
# Checks the layering rules of docs/ARCHITECTURE.md: a file may include
# headers of its own layer and of the layers listed for it below, nothing
# else (no upward includes, no reaching into a sibling's internals).
# The service's layers (service, api, store) are checked once their
# directories exist; a directory of src/ that is not in the table fails.
# Loops between files of one layer are tests/lint/cycles.sh's.
set -euo pipefail
cd "$(dirname "$0")/../.."

declare -A allowed=(
    [util]="util"
    [model]="model util"
    [pg]="pg util"
    # the state store: SQL (SQLite, later PostgreSQL through pg) and model; no HTTP, no engine
    [store]="store model pg util"
    [copy]="copy pg model util"
    [validate]="validate pg model util"
    [cdc]="cdc pg model util"
    [verify]="verify pg model util"
    [engine]="engine copy validate cdc pg model util"
    # supervisor and worker: run the engine, keep its state in the store
    [service]="service engine store model pg util"
    # the HTTP API reads the store and records requests: never engine, copy, cdc or pg
    [api]="api store model util"
    [cli]="cli api service engine validate verify store model pg util"
)

violations=0
for dir in src/*/; do
    layer=$(basename "$dir")
    if [[ -z ${allowed[$layer]+set} ]]; then
        echo "layering: src/$layer is not a layer of tests/lint/layers.sh (add it, with what it may use)"
        violations=$((violations + 1))
    fi
done

checked=0
for layer in "${!allowed[@]}"; do
    for f in src/"$layer"/*.[ch]; do
        [[ -e $f ]] || continue
        checked=$((checked + 1))
        while IFS= read -r inc; do
            dep=${inc%%/*}
            if [[ " ${allowed[$layer]} " != *" $dep "* ]]; then
                echo "layering: $f includes \"$inc\" ($layer may use: ${allowed[$layer]})"
                violations=$((violations + 1))
            fi
        done < <(sed -n 's/^#include "\([a-z_]*\/[^"]*\)".*/\1/p' "$f")
        # internal headers stay inside their layer
        while IFS= read -r inc; do
            if [[ ${inc%%/*} != "$layer" ]]; then
                echo "layering: $f includes another layer's internal header \"$inc\""
                violations=$((violations + 1))
            fi
        done < <(sed -n 's/^#include "\([a-z_]*\/[a-z_]*internal\.h\)".*/\1/p' "$f")
    done
done
echo "layers: $checked files checked, $violations violation(s)"
[[ $violations == 0 ]]
