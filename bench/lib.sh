# shellcheck shell=bash
# bench/lib.sh -- helpers shared by bench/offline.sh, bench/raw_copy.sh,
# bench/online.sh and bench/store.sh.
#
# Sourced, not executed.  Provides:
#   - logging (log, die), timing (now, elapsed)
#   - cluster handling on top of scripts/pg-cluster: bench_start_cluster,
#     bench_reuse_cluster, bench_cleanup_clusters
#   - psql wrappers for the source and target clusters (src_psql, tgt_psql)
#   - the data set builder (bench_build_dataset) and its sanity checks
#   - verification queries (row_counts, schema_counts, table_checksums)
#   - noise accounting (cpu_snapshot, foreign_cpu, bench_wait_idle) and
#     small helpers (json_str, median, percentiles)
#
# Cluster variables after setup (prefix SRC_ or TGT_):
#   *_DIR *_HOST *_PORT *_USER *_PASSWORD *_VERSION *_BINDIR *_URI
# *_URI points at the "postgres" database; use db_uri URI DB for another one.

BENCH_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$BENCH_ROOT/.." && pwd)
PG_CLUSTER=${PG_CLUSTER:-$REPO_ROOT/scripts/pg-cluster}
BENCH_DB=${BENCH_DB:-bench}
# Bump when the data set definition below changes: a reused source cluster
# whose bench database carries another marker is rebuilt.
BENCH_DATASET_VERSION=1
# Nothing may stop at a pager: every psql runs with -P pager=off, anything else gets cat.
export PAGER=cat PSQL_PAGER=cat

# Server settings used for BOTH clusters (override/extend with --set).
# Chosen so that no run is disturbed by a timed checkpoint or WAL-size
# checkpoint (every run starts with an explicit CHECKPOINT instead) and so
# index builds get a reasonable amount of memory.  fsync and
# synchronous_commit stay at their (safe) defaults.
# shellcheck disable=SC2034  # used by the scripts that source this file
BENCH_PG_SETTINGS_DEFAULT=(
    shared_buffers=1GB
    max_wal_size=8GB
    checkpoint_timeout=30min
    maintenance_work_mem=512MB
    work_mem=64MB
)

log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

now() { date +%s.%N; }
# elapsed START [END] -> seconds with 3 decimals
elapsed() { awk -v a="$1" -v b="${2:-$(now)}" 'BEGIN { printf "%.3f", b - a }'; }

# db_uri URI DB -> the same URI with its database replaced by DB
db_uri() {
    local uri=$1 db=$2 base query=
    if [[ $uri == *\?* ]]; then query="?${uri#*\?}"; uri=${uri%%\?*}; fi
    base=${uri%/*}
    # postgresql://host:port (no path at all)
    [[ $base == postgresql: || $base == postgres: ]] && base=$uri
    printf '%s/%s%s\n' "$base" "$db" "$query"
}

# Wait until PG_CLUSTER exists (a colleague may still be writing it).
bench_wait_pg_cluster() {
    local waited=0 max=${PG_CLUSTER_WAIT:-0}
    while [[ ! -x $PG_CLUSTER ]]; do
        ((waited < max)) || die "$PG_CLUSTER not found or not executable (set PG_CLUSTER=... or PG_CLUSTER_WAIT=seconds)"
        ((waited % 60 == 0)) && log "waiting for $PG_CLUSTER ..."
        sleep 5; waited=$((waited + 5))
    done
}

# _bench_import PREFIX ASSIGNMENTS -- evaluate pg-cluster's shell assignments
# in a subshell and copy PGC_* into PREFIX_*.
_bench_import() {
    local prefix=$1 assignments=$2 var line
    local vars=(DIR HOST PORT USER PASSWORD VERSION BINDIR URI)
    line=$(
        eval "$assignments"
        for var in "${vars[@]}"; do
            v="PGC_$var"
            printf '%s_%s=%q\n' "$prefix" "$var" "${!v-}"
        done
    ) || return 1
    eval "$line"
    var="${prefix}_URI"
    [[ -n ${!var} ]] || { log "pg-cluster printed no PGC_URI for $prefix"; return 1; }
}

# Clusters started by us, destroyed by bench_cleanup_clusters unless kept
# (then listed in BENCH_KEPT_DIRS).
BENCH_STARTED_DIRS=()
BENCH_KEPT_DIRS=()

# bench_start_cluster PREFIX DIR PORT [--set NAME=VALUE]...
# PORT may be empty: pg-cluster then picks a free one.
bench_start_cluster() {
    local prefix=$1 dir=$2 port=$3; shift 3
    local out portopt=()
    [[ -z $port ]] || portopt=(--port "$port")
    log "starting $prefix cluster in $dir${port:+ (port $port)}"
    BENCH_STARTED_DIRS+=("$dir")
    out=$("$PG_CLUSTER" start "$dir" --version 15 "${portopt[@]}" "$@") \
        || die "pg-cluster start $dir failed"
    _bench_import "$prefix" "$out" || die "cannot read pg-cluster output for $dir"
}

# bench_reuse_cluster PREFIX DIR -- an existing pg-cluster directory: start
# it if it is not running (pg-cluster start is idempotent) and read its
# environment.  Never destroyed by bench_cleanup_clusters.
bench_reuse_cluster() {
    local prefix=$1 dir=$2 out
    [[ -f $dir/data/PG_VERSION ]] || die "$dir holds no cluster (make one with: $PG_CLUSTER start $dir)"
    log "reusing $prefix cluster in $dir"
    out=$("$PG_CLUSTER" start "$dir") || die "pg-cluster start $dir failed"
    _bench_import "$prefix" "$out" || die "cannot read pg-cluster output for $dir"
}

# bench_setup_pair DB [SETTING...] -- the source and target clusters: the
# reused SOURCE_DIR / TARGET_DIR when set, else new ones in $WORK with
# BENCH_PG_SETTINGS_DEFAULT, the SETTINGs given and EXTRA_SETS (--set).
# Sets SRC_DB_URI / TGT_DB_URI for DB.
bench_setup_pair() {
    local db=$1 s sets=()
    shift
    PG_CLUSTER_WAIT=${PG_CLUSTER_WAIT:-0} bench_wait_pg_cluster
    for s in "${BENCH_PG_SETTINGS_DEFAULT[@]}" "$@" "${EXTRA_SETS[@]}"; do sets+=(--set "$s"); done
    if [[ -n $SOURCE_DIR ]]; then
        bench_reuse_cluster SRC "$SOURCE_DIR"
        bench_reuse_cluster TGT "$TARGET_DIR"
        ((${#EXTRA_SETS[@]} == 0)) || log "note: --set is ignored for reused clusters"
    else
        bench_start_cluster SRC "$WORK/src" "" "${sets[@]}"
        bench_start_cluster TGT "$WORK/tgt" "" "${sets[@]}"
    fi
    [[ $SRC_PORT != "$TGT_PORT" ]] || die "source and target are the same cluster"
    # shellcheck disable=SC2034  # used by the scripts that call this
    SRC_DB_URI=$(db_uri "$SRC_URI" "$db")
    # shellcheck disable=SC2034
    TGT_DB_URI=$(db_uri "$TGT_URI" "$db")
    # shellcheck disable=SC2153  # set by bench_start_cluster / bench_reuse_cluster
    log "source $SRC_HOST:$SRC_PORT (PostgreSQL $SRC_VERSION), target $TGT_HOST:$TGT_PORT (PostgreSQL $TGT_VERSION)"
}

# bench_private_pgshuttle -- runs a private copy of $PGSHUTTLE (in $WORK): a
# rebuild of build/ during the benchmark must not change (or break) the
# binary between runs. PGSHUTTLE_ORIG keeps the path given.
bench_private_pgshuttle() {
    PGSHUTTLE_ORIG=$PGSHUTTLE
    PGSHUTTLE=$WORK/pgshuttle
    cp -- "$PGSHUTTLE_ORIG" "$PGSHUTTLE"
    log "pgshuttle: $PGSHUTTLE_ORIG ($(sha256sum "$PGSHUTTLE" | cut -c1-12)), run from a copy"
}

# bench_cleanup_clusters KEEP(0|1)
bench_cleanup_clusters() {
    local keep=$1 dir
    ((${#BENCH_STARTED_DIRS[@]})) || return 0
    for dir in "${BENCH_STARTED_DIRS[@]}"; do
        if ((keep)); then
            log "keeping cluster $dir; its environment:"
            "$PG_CLUSTER" env "$dir" >&2 || true
            BENCH_KEPT_DIRS+=("$dir")
        else
            "$PG_CLUSTER" destroy "$dir" >/dev/null 2>&1 \
                || log "WARNING: pg-cluster destroy $dir failed"
        fi
    done
    BENCH_STARTED_DIRS=()
}

# --- psql wrappers ----------------------------------------------------------
# src_psql DB [psql args...]; quiet, unaligned, stop on error.
_pg() {
    local prefix=$1 tool=$2; shift 2
    local h="${prefix}_HOST" p="${prefix}_PORT" u="${prefix}_USER" pw="${prefix}_PASSWORD"
    PGPASSWORD=${!pw} PGHOST=${!h} PGPORT=${!p} PGUSER=${!u} PGAPPNAME=pgshuttle-bench PGOPTIONS='-c client_min_messages=warning' "$tool" "$@"
}
# cluster_psql PREFIX DB [psql args...]: the same for any cluster's PREFIX.
cluster_psql() { local prefix=$1 db=$2; shift 2; _pg "$prefix" psql -X -P pager=off -q -A -t -v ON_ERROR_STOP=1 -d "$db" "$@"; }
src_psql() { local db=$1; shift; cluster_psql SRC "$db" "$@"; }
tgt_psql() { local db=$1; shift; cluster_psql TGT "$db" "$@"; }
src_run() { _pg SRC "$@"; }   # src_run pg_dump ...
tgt_run() { _pg TGT "$@"; }   # tgt_run pg_restore ...

checkpoint_both() {
    src_psql postgres -c CHECKPOINT
    tgt_psql postgres -c CHECKPOINT
}

# drop_target_db DB
drop_target_db() {
    tgt_psql postgres -c "DROP DATABASE IF EXISTS \"$1\" WITH (FORCE)"
}

db_size_bytes() { src_psql postgres -c "SELECT pg_database_size('$1')"; }

# --- data set ---------------------------------------------------------------
# bench_dataset_marker SCALE -> the comment stored on the bench database
bench_dataset_marker() { printf 'pgshuttle-bench dataset v%s scale=%s\n' "$BENCH_DATASET_VERSION" "$1"; }

# bench_dataset_present SCALE -> success when the source already holds it
bench_dataset_present() {
    local got
    got=$(src_psql postgres -c "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = '$BENCH_DB'" 2>/dev/null) || return 1
    [[ $got == "$(bench_dataset_marker "$1")" ]]
}

# bench_build_dataset SCALE -- (re)creates database $BENCH_DB on the source:
# pgbench tables (with foreign keys) plus table "wide".  Sets
# BENCH_GEN_SECONDS.
bench_build_dataset() {
    local scale=$1 t0 t1 rows
    t0=$(now)
    log "building data set on source: pgbench -i -s $scale --foreign-keys + wide"
    src_psql postgres -c "DROP DATABASE IF EXISTS \"$BENCH_DB\" WITH (FORCE)"
    src_psql postgres -c "CREATE DATABASE \"$BENCH_DB\""
    src_run pgbench -i -q -s "$scale" --foreign-keys "$BENCH_DB" 2>&1 \
        | grep -v '^[0-9]* of [0-9]* tuples' >&2 || true
    src_psql "$BENCH_DB" -c "SELECT 1 FROM pgbench_accounts LIMIT 1" >/dev/null \
        || die "pgbench -i failed"
    t1=$(now)
    log "pgbench -i done in $(elapsed "$t0" "$t1") s"
    # 4000 rows per scale unit: 200k rows (~220 MiB heap+toast) at scale 50
    rows=$((scale * 4000))
    bench_build_wide "$rows"
    log "wide table done in $(elapsed "$t1") s"
    log "VACUUM ANALYZE"
    src_psql "$BENCH_DB" -c "VACUUM ANALYZE"
    src_psql postgres -c "COMMENT ON DATABASE \"$BENCH_DB\" IS '$(bench_dataset_marker "$scale")'"
    src_psql postgres -c CHECKPOINT
    BENCH_GEN_SECONDS=$(elapsed "$t0")
    log "data set built in $BENCH_GEN_SECONDS s"
}

# bench_build_wide ROWS -- the wide table: integer primary key plus text,
# jsonb and bytea columns (and a timestamptz with a second index).
# Deterministic (no random()): the same ROWS gives the same content.  Values
# are cut from 1024 pre-built chunks (hex text, word "prose", 8 KiB of
# md5-derived bytes); their sizes vary:
#   title    10-45 bytes
#   body     90% 20-320 bytes of hex text; every 10th row 2-8 KB of prose
#            (compressible: TOASTed and pglz-compressed to roughly a third)
#   attrs    jsonb object of ~250-500 bytes; every 25th row adds a history
#            array of 60-180 objects (~4-12 KB, compressed, TOASTed)
#   payload  1/3 NULL, most 16-215 bytes; every 20th row 2-8 KB of
#            incompressible bytes (stored out of line uncompressed)
# About 1150 bytes per row before compression, ~1.15 KiB heap+toast per row:
# 200k rows (scale 50) give ~220 MiB heap+toast.
bench_build_wide() {
    local rows=$1
    src_psql "$BENCH_DB" <<SQL
SET synchronous_commit = off;
DROP TABLE IF EXISTS wide;
CREATE TABLE wide (
    id       integer PRIMARY KEY,
    title    text NOT NULL,
    body     text,
    attrs    jsonb,
    payload  bytea,
    created  timestamptz NOT NULL
);
-- 1024 chunks to cut values from (a cross join against one big pool value
-- would detoast it for every row): hex text, compressible prose (~9 KB),
-- and 8 KiB of pseudo-random bytes each
CREATE TEMP TABLE chunk AS
    SELECT k,
           (SELECT string_agg(md5(k || 't' || g), '') FROM generate_series(1, 12) g) AS hex,
           (SELECT string_agg((array['lorem','ipsum','dolor','sit','amet','consectetur',
                    'adipiscing','elit','sed','do','eiusmod','tempor','incididunt','ut',
                    'labore','et','dolore','magna','aliqua','migration','postgres','table',
                    'index','replica','snapshot','cluster','target','source'])[1 + (k * 31 + g * 17 + (g * g) % 13) % 28]
                    || CASE WHEN g % 9 = 0 THEN ' ' || left(md5(k || 'p' || g), 6 + g % 10) ELSE '' END,
                    ' ') FROM generate_series(1, 1500) g) AS prose,
           (SELECT decode(string_agg(md5(k || 'b' || g), ''), 'hex') FROM generate_series(1, 512) g) AS bin
    FROM generate_series(0, 1023) k;
ALTER TABLE chunk ADD PRIMARY KEY (k);
ANALYZE chunk;
ALTER TABLE wide SET (autovacuum_enabled = off);
INSERT INTO wide (id, title, body, attrs, payload, created)
SELECT i,
       'item ' || i || ' ' || left(md5(i::text), 4 + i % 29),
       CASE WHEN i % 10 = 0 THEN substr(c.prose, 1 + i % 500, 2000 + (i * 7) % 6000)
            ELSE substr(c.hex, 1 + i % 64, 20 + (i * 13) % 300)
       END,
       jsonb_build_object(
           'id', i,
           'sku', upper(left(md5('s' || i), 10)),
           'price', ((i * 37) % 100000) / 100.0,
           'active', i % 3 <> 0,
           'tags', to_jsonb(string_to_array(substr(c.prose, 1 + i % 900, 6 + i % 60), ' ')),
           'dims', jsonb_build_object('w', i % 97, 'h', i % 89, 'd', i % 83),
           'note', substr(c.hex, 1 + i % 200, 16 + i % 120))
       || CASE WHEN i % 25 = 0 THEN
              jsonb_build_object('history',
                  (SELECT jsonb_agg(jsonb_build_object('seq', g, 'ts', 1600000000 + i + g * 60,
                                                       'v', substr(c.hex, 1 + g, 32)))
                   FROM generate_series(1, 60 + i % 120) g))
          ELSE '{}'::jsonb END,
       CASE WHEN i % 20 = 0 THEN substring(c.bin FROM 1 + i % 193 FOR 2000 + (i * 11) % 6000)
            WHEN i % 3 = 0 THEN NULL
            ELSE substring(c.bin FROM 1 + i % 7900 FOR 16 + i % 200)
       END,
       timestamptz '2020-01-01 00:00:00+00' + i * interval '73 seconds'
FROM generate_series(1, $rows) i
JOIN chunk c ON c.k = (i * 7) % 1024;
ALTER TABLE wide RESET (autovacuum_enabled);
CREATE INDEX wide_created_idx ON wide (created);
SQL
}

# --- verification -------------------------------------------------------------
# row_counts PREFIX DB -> "schema.table count" lines for every user table
# (exact count(*)), sorted.
row_counts() {
    local prefix=$1 db=$2 fn
    fn=$([[ $prefix == SRC ]] && echo src_psql || echo tgt_psql)
    "$fn" "$db" -F ' ' -c "
        SELECT format('%I.%I', n.nspname, c.relname),
               (xpath('/row/c/text()',
                      query_to_xml(format('SELECT count(*) AS c FROM %I.%I', n.nspname, c.relname),
                                   false, true, '')))[1]::text
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p')
          AND n.nspname NOT IN ('pg_catalog', 'information_schema')
          AND n.nspname NOT LIKE 'pg_toast%'
        ORDER BY 1"
}

# schema_counts PREFIX DB [SCHEMA...] -> "indexes=N constraints=N sequences=N",
# leaving out the SCHEMAs given
schema_counts() {
    local prefix=$1 db=$2 fn excl="'pg_catalog', 'information_schema'" s
    shift 2
    for s in "$@"; do excl+=", '$s'"; done
    fn=$([[ $prefix == SRC ]] && echo src_psql || echo tgt_psql)
    "$fn" "$db" -c "
        SELECT format('indexes=%s constraints=%s sequences=%s',
            (SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
               JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE n.nspname NOT IN ($excl)
                AND n.nspname NOT LIKE 'pg_toast%'),
            (SELECT count(*) FROM pg_constraint k JOIN pg_namespace n ON n.oid = k.connamespace
              WHERE n.nspname NOT IN ($excl)),
            (SELECT count(*) FROM pg_sequence q JOIN pg_class c ON c.oid = q.seqrelid
               JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE n.nspname NOT IN ($excl)))"
}

# --- noise accounting -----------------------------------------------------------
# The machine may be shared (other tests, builds): a run is only comparable
# when the benchmark had the CPUs to itself.  cpu_snapshot ROOTPID... prints
# "BUSY OURS T1 T2 ..." in clock ticks: BUSY = CPU time used by the whole
# machine so far, OURS = CPU time used by the process trees under ROOTPIDs
# (live processes' utime+stime plus cutime+cstime of reaped children) and by
# kernel threads, T1 T2 ... = the same for each ROOTPID's tree alone, in
# order.  The difference of two snapshots, BUSY - OURS, is CPU taken by
# others; tree_cpu_us tells where the rest went.
cpu_snapshot() {
    local roots="$*"
    {
        head -n1 /proc/stat
        cat /proc/[0-9]*/stat 2>/dev/null || true
    } | awk -v roots="$roots" '
        NR == 1 { for (i = 2; i <= 9; i++) busy += $i; busy -= $5 + $6; next }
        {
            pid = $1
            rest = substr($0, match($0, /\) [A-Za-z] /) + 2)   # from the state field on
            n = split(rest, f, " ")
            ppid[pid] = f[2]
            t[pid] = f[12] + f[13] + f[14] + f[15]             # utime stime cutime cstime
        }
        END {
            split(roots, r, " ")
            for (i in r) mine[r[i]] = 1
            # mark descendants (repeat until no change; trees are shallow)
            do {
                changed = 0
                for (p in ppid) if (!(p in mine) && (ppid[p] in mine)) { mine[p] = 1; changed = 1 }
            } while (changed)
            for (p in mine) if (p in t) ours += t[p]
            # kernel threads (writeback, journal, ...) mostly work for
            # whoever does the I/O, that is the benchmark: not counted as others
            for (p in ppid) if ((p == 2 || ppid[p] == 2) && !(p in mine)) ours += t[p]
            printf "%d %d", busy, ours
            n = split(roots, r, " ")
            for (i = 1; i <= n; i++) {
                delete tree
                tree[r[i]] = 1
                do {
                    changed = 0
                    for (p in ppid) if (!(p in tree) && (ppid[p] in tree)) { tree[p] = 1; changed = 1 }
                } while (changed)
                sum = 0
                for (p in tree) if (p in t) sum += t[p]
                printf " %d", sum
            }
            printf "\n"
        }'
}

# tree_cpu_us SNAP0 SNAP1 K N -> µs of CPU per item used by the K-th ROOTPID's
# tree (1-based, as given to cpu_snapshot) between the snapshots, for N items
tree_cpu_us() {
    awk -v a="$1" -v b="$2" -v k="$3" -v n="$4" -v hz="$(getconf CLK_TCK)" 'BEGIN {
        split(a, x, " "); split(b, y, " ")
        if (n > 0 && (k + 2) in y) printf "%.2f", (y[k + 2] - x[k + 2]) / hz / n * 1e6 }'
}

# tree_cpu_s SNAP0 SNAP1 K -> CPU seconds used by the K-th ROOTPID's tree
# (1-based, as given to cpu_snapshot) between the snapshots
tree_cpu_s() {
    awk -v a="$1" -v b="$2" -v k="$3" -v hz="$(getconf CLK_TCK)" 'BEGIN {
        split(a, x, " "); split(b, y, " ")
        if ((k + 2) in y) printf "%.2f", (y[k + 2] - x[k + 2]) / hz }'
}

# postmaster_pid DIR -> pid of the cluster's postmaster (pg-cluster layout)
postmaster_pid() { head -n1 "$1/data/postmaster.pid" 2>/dev/null || true; }

# foreign_cpu SNAP0 SNAP1 -> CPU seconds used by others between the snapshots
foreign_cpu() {
    awk -v a="$1" -v b="$2" -v hz="$(getconf CLK_TCK)" 'BEGIN {
        split(a, x, " "); split(b, y, " ")
        d = (y[1] - x[1]) - (y[2] - x[2]); if (d < 0) d = 0
        printf "%.2f", d / hz }'
}

# table_checksums PREFIX DB [SCHEMA...] -> "schema.table count checksum" lines
# for every user table (sorted), leaving out the SCHEMAs given.  checksum is
# the sum over the rows of the first 60 bits of md5(row::text): independent
# of row order and physical layout, cheap (one sequential scan), and a
# changed, missing or extra row changes it (or the count) but for a 2^-60
# chance.  The text form of a row depends on session settings, so they are
# pinned.  Needs the same column order on both sides (pg_dump --schema-only
# and pgshuttle keep it).
table_checksums() {
    local prefix=$1 db=$2; shift 2
    local fn excl="'pg_catalog', 'information_schema'" s
    fn=$([[ $prefix == SRC ]] && echo src_psql || echo tgt_psql)
    for s in "$@"; do excl+=", '$s'"; done
    "$fn" "$db" -F ' ' <<SQL
SET TimeZone = 'UTC';
SET DateStyle = 'ISO, YMD';
SET IntervalStyle = 'postgres';
SET extra_float_digits = 1;
SET bytea_output = 'hex';
SELECT format('SELECT %L, count(*), coalesce(sum((''x'' || left(md5(t::text), 15))::bit(60)::bigint), 0) FROM %I.%I t',
              format('%I.%I', n.nspname, c.relname), n.nspname, c.relname)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p')
  AND n.nspname NOT IN ($excl)
  AND n.nspname NOT LIKE 'pg_toast%'
  AND n.nspname NOT LIKE 'pg_temp%'
ORDER BY format('%I.%I', n.nspname, c.relname)
\gexec
SQL
}

# bench_finish SCRIPT -- the end of a run (from the EXIT trap): clusters
# stopped or kept (--keep, with how to reuse them), the work directory
# removed, where the results are
bench_finish() {
    bench_cleanup_clusters "$KEEP"
    if ((KEEP)); then
        if ((${#BENCH_KEPT_DIRS[@]} >= 2)); then
            log "reuse: bench/$1 --source-dir ${BENCH_KEPT_DIRS[0]} --target-dir ${BENCH_KEPT_DIRS[1]-}"
            log "remove: $PG_CLUSTER destroy DIR (for both), then rm -rf $WORK"
        elif ((${#BENCH_KEPT_DIRS[@]})); then
            # a bench of one cluster (store.sh): nothing to pass back to it
            log "remove: $PG_CLUSTER destroy ${BENCH_KEPT_DIRS[0]}, then rm -rf $WORK"
        fi
        rm -rf "$WORK"/run.* 2>/dev/null || true
    else
        rm -rf "$WORK"
    fi
    log "results: $RESULTS, logs: $LOGDIR"
}

# --- small shared helpers -------------------------------------------------------
# bench_results_init NAME -- this run's output: RESULTS (JSON lines; default
# bench/results/NAME-STAMP.json), LOGDIR beside it (logs), STAMP; emptied.
# emit FIELDS appends one object of FIELDS with its time.
bench_results_init() {
    STAMP=$(date +%Y%m%d-%H%M%S)
    mkdir -p "$BENCH_ROOT/results"
    RESULTS=${RESULTS:-$BENCH_ROOT/results/$1-$STAMP.json}
    LOGDIR=${RESULTS%.json}
    mkdir -p "$LOGDIR"
    : >"$RESULTS"
}
emit() { printf '{"ts":%s,%s}\n' "$(json_str "$(date -Is)")" "$1" >>"$RESULTS"; }
json_str() {   # json_str VALUE -> "escaped"
    local s=$1
    s=${s//\\/\\\\}; s=${s//\"/\\\"}; s=${s//$'\n'/\\n}; s=${s//$'\t'/\\t}
    printf '"%s"' "$s"
}

median() {   # median of the arguments (3 decimals), empty when none
    (($#)) || return 0
    printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END {
        if (NR % 2) printf "%.3f", v[(NR + 1) / 2]; else printf "%.3f", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# 1-minute load average: other work on the machine skews the timings
loadavg1() { cut -d' ' -f1 /proc/loadavg; }

# cpu_busy_pct -> percentage of all CPUs busy over the next second
cpu_busy_pct() {
    local a b
    a=$(head -n1 /proc/stat); sleep 1; b=$(head -n1 /proc/stat)
    awk -v a="$a" -v b="$b" 'BEGIN {
        n = split(a, x); split(b, y); tot = 0
        for (i = 2; i <= n; i++) tot += y[i] - x[i]
        idle = (y[5] - x[5]) + (y[6] - x[6])
        printf "%.0f", (tot > 0 ? 100 * (tot - idle) / tot : 0) }'
}

# bench_wait_idle PCT -- with PCT non-empty, wait (up to 10 minutes) until
# the machine is at most PCT % CPU busy; prints the last sample
bench_wait_idle() {
    local pct=$1 busy waited=0
    busy=$(cpu_busy_pct)
    while [[ -n $pct ]] && ((busy > pct && waited < 600)); do
        ((waited % 30)) || log "machine is ${busy}% busy; waiting for <= ${pct}%"
        sleep 2; waited=$((waited + 3))
        busy=$(cpu_busy_pct)
    done
    echo "$busy"
}

# percentiles -> "n p50 p95 p99 max" of the numbers on stdin (nearest rank;
# "0 null null null null" when there are none)
percentiles() {
    sort -g | awk '
        { v[NR] = $1 }
        function rank(p,   r) { r = int(p / 100 * NR); if (r < p / 100 * NR) r++; if (r < 1) r = 1; return v[r] }
        END {
            if (NR == 0) { print "0 null null null null"; exit }
            printf "%d %.3f %.3f %.3f %.3f\n", NR, rank(50), rank(95), rank(99), v[NR] }'
}
