/*
 * applier_probe — feeds scripted change sequences (built here, in C) to the
 * change applier (src/cdc/applier.c) against a real target, one step per
 * argument, for tests/integration/cdc_applier.sh.
 *
 *   APPLIER_PROBE_CONNINFO=CONNINFO applier_probe STEP...
 *
 * The conninfo comes from the environment so that its password stays off
 * command lines. Steps (fields separated by ':'; the last field of sql and
 * config may itself contain ':'):
 *   config:KEY=VALUE   for the next open: origin, progress (auto|origin|row),
 *                      tables / insert_only (comma-separated qualified names),
 *                      batch_txns, batch_changes, batch_ms
 *   open / close / reopen
 *   run:SCENARIO       feed a scenario (see the table at the end); fails the probe on error
 *   fail:SCENARIO      feed a scenario that must fail; prints the error and goes on
 *   again[:fail]       feed the previous scenario again, with the same positions, as a
 *                      restarted stream would (cdc_applier_discard first); with fail, it
 *                      must fail
 *   flush              commit the open batch
 *   sync               make everything committed durable (cdc_applier_sync)
 *   record:LSN         cdc_applier_record_position
 *   read               print the recorded position
 *   drop               cdc_applier_drop_progress
 *   state              print positions and counters
 *   sql:SQL            run SQL on a side connection
 *   many:N             N pgbench-like transactions (UPDATE pgbench_accounts, INSERT
 *                      pgbench_history) then flush; prints the position and balances
 *   bench:N            the same, timed, with the configured batch limits
 *
 * Prints one line per event. A failing step prints "error step=... sqlstate=...
 * message=..." and exits 2; usage errors exit 64.
 */
#include "cdc/applier.h"
#include "pg/pgconn.h"
#include "pg/replication.h"
#include "probe_common.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/timeutil.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct probe;
typedef bool (*scenario_fn)(struct probe *p);

struct probe {
    const char *conninfo;
    char *origin;
    enum cdc_progress_kind progress;
    strlist tables, insert_only;
    bool has_tables, has_insert_only;
    int batch_txns, batch_changes, batch_ms;
    cdc_applier *a; /* owned */
    pgconn *side;   /* owned; opened on first use */
    cdc_lsn next;   /* commit position of the next transaction */
    bool failed;    /* a change was refused: the scenario stops */
    scenario_fn last;
    cdc_lsn last_start;
    cdc_lsn last_end;
    int64_t *balances; /* many/bench: pgbench_accounts.abalance by aid */
};

/* A value that stands for unchanged TOAST in the tables below. */
static const char U[] = "<unchanged toast>";

#define V(...)                                                                                     \
    (const char *[]){__VA_ARGS__},                                                                 \
        (int) (sizeof((const char *[]){__VA_ARGS__}) / sizeof(const char *))

/* ------------------------------------------------------------------ building changes */

static void set_tuple(struct cdc_tuple *t, const char *const *vals, int n, const char *const *names)
{
    t->ncols = n;
    t->values = xcalloc(n ? (size_t) n : 1, sizeof(*t->values));
    for (int i = 0; i < n; i++) {
        if (vals[i] == NULL) {
            t->values[i].kind = CDC_VALUE_NULL;
        } else if (vals[i] == U) {
            t->values[i].kind = CDC_VALUE_UNCHANGED_TOAST;
        } else {
            t->values[i].kind = CDC_VALUE_TEXT;
            t->values[i].data = xstrdup(vals[i]);
            t->values[i].len = (int) strlen(vals[i]);
        }
    }
    if (names) {
        t->names = xcalloc(n ? (size_t) n : 1, sizeof(*t->names));
        t->types = xcalloc(n ? (size_t) n : 1, sizeof(*t->types));
        for (int i = 0; i < n; i++) {
            t->names[i] = xstrdup(names[i]);
            t->types[i] = xstrdup(strcmp(names[i], "oid") == 0 ? "oid" : "text");
        }
    }
}

/* Applies c and frees what it owns; false (and p->failed) when the applier refused it. */
static bool feed(struct probe *p, struct cdc_change *c)
{
    bool ok = p->failed ? false : cdc_applier_apply(p->a, c);
    cdc_change_reset(c);
    if (!ok)
        p->failed = true;
    return ok;
}

/* BEGIN; with_final: pgoutput's commit position, else test_decoding's none. */
static bool begin(struct probe *p, bool with_final)
{
    struct cdc_change c = {.kind = CDC_BEGIN,
                           .final_lsn = with_final ? p->next : 0,
                           .commit_ts = with_final ? pgrepl_now() : 0,
                           .xid = 1000};
    return feed(p, &c);
}

static bool commit(struct probe *p)
{
    struct cdc_change c = {.kind = CDC_COMMIT,
                           .commit_lsn = p->next,
                           .end_lsn = p->next + 0x30,
                           .commit_ts = pgrepl_now(),
                           .xid = 1000};
    p->last_end = c.end_lsn;
    p->next += 0x100;
    return feed(p, &c);
}

/* RELATION: keys is a string of '1'/'0' per column. */
static bool relation(struct probe *p, uint32_t relid, const char *schema, const char *name,
                     char replident, const char *keys, const char *const *cols, int n)
{
    struct cdc_relation *r = xcalloc(1, sizeof(*r));
    r->relid = relid;
    r->schema = xstrdup(schema);
    r->name = xstrdup(name);
    r->replident = replident;
    r->ncols = n;
    r->columns = xcalloc((size_t) n, sizeof(*r->columns));
    for (int i = 0; i < n; i++) {
        r->columns[i].name = xstrdup(cols[i]);
        r->columns[i].type_oid = 25;
        r->columns[i].typmod = -1;
        r->columns[i].is_key = keys[i] == '1';
    }
    struct cdc_change c = {.kind = CDC_RELATION, .relation = r};
    return feed(p, &c);
}

static bool po_insert(struct probe *p, uint32_t relid, const char *const *vals, int n)
{
    struct cdc_change c = {.kind = CDC_INSERT, .relid = relid};
    set_tuple(&c.new_tuple, vals, n, NULL);
    return feed(p, &c);
}

/* old_kind: 0 (no old tuple), 'K' (key columns, others NULL), 'O' (the whole old row). */
static bool po_update(struct probe *p, uint32_t relid, char old_kind, const char *const *oldv,
                      int nold, const char *const *newv, int n)
{
    struct cdc_change c = {.kind = CDC_UPDATE, .relid = relid};
    if (old_kind) {
        c.has_old = true;
        c.old_is_key = old_kind == 'K';
        set_tuple(&c.old_tuple, oldv, nold, NULL);
    }
    set_tuple(&c.new_tuple, newv, n, NULL);
    return feed(p, &c);
}

static bool po_delete(struct probe *p, uint32_t relid, char old_kind, const char *const *oldv,
                      int n)
{
    struct cdc_change c = {
        .kind = CDC_DELETE, .relid = relid, .has_old = true, .old_is_key = old_kind == 'K'};
    set_tuple(&c.old_tuple, oldv, n, NULL);
    return feed(p, &c);
}

/* test_decoding style: names travel with every tuple. */
static bool td_insert(struct probe *p, const char *schema, const char *table,
                      const char *const *names, int nn, const char *const *vals, int n)
{
    struct cdc_change c = {.kind = CDC_INSERT, .schema = xstrdup(schema), .table = xstrdup(table)};
    set_tuple(&c.new_tuple, vals, n < nn ? n : nn, names);
    return feed(p, &c);
}

/* oldnames NULL: no old key (the key did not change). */
static bool td_update(struct probe *p, const char *schema, const char *table,
                      const char *const *oldnames, int nold, const char *const *oldv, int noldv,
                      const char *const *names, int nn, const char *const *vals, int nv)
{
    struct cdc_change c = {.kind = CDC_UPDATE, .schema = xstrdup(schema), .table = xstrdup(table)};
    if (oldnames) {
        c.has_old = true;
        set_tuple(&c.old_tuple, oldv, nold < noldv ? nold : noldv, oldnames);
    }
    set_tuple(&c.new_tuple, vals, nn < nv ? nn : nv, names);
    return feed(p, &c);
}

static bool td_delete(struct probe *p, const char *schema, const char *table,
                      const char *const *names, int nn, const char *const *vals, int nv)
{
    struct cdc_change c = {
        .kind = CDC_DELETE, .schema = xstrdup(schema), .table = xstrdup(table), .has_old = true};
    set_tuple(&c.old_tuple, vals, nn < nv ? nn : nv, names);
    return feed(p, &c);
}

static bool truncate_relids(struct probe *p, const uint32_t *relids, int n, bool restart,
                            bool cascade)
{
    struct cdc_change c = {
        .kind = CDC_TRUNCATE, .nrelids = n, .restart_identity = restart, .cascade = cascade};
    c.relids = xcalloc((size_t) n, sizeof(*c.relids));
    memcpy(c.relids, relids, (size_t) n * sizeof(*relids));
    return feed(p, &c);
}

static bool truncate_names(struct probe *p, const char *const *names, int n, bool restart)
{
    struct cdc_change c = {.kind = CDC_TRUNCATE, .nrelids = n, .restart_identity = restart};
    c.qualified = xcalloc((size_t) n, sizeof(*c.qualified));
    for (int i = 0; i < n; i++)
        c.qualified[i] = xstrdup(names[i]);
    return feed(p, &c);
}

/* ------------------------------------------------------------------ scenarios */

/* Quotes, newlines, unicode, backslashes, NULL and empty text, by pgoutput and test_decoding. */
static const char *const odd_values[] = {
    "it's \"quoted\"",
    "line1\nline2\r\n\ttab",
    "ünïcødé 表 😀",
    "back\\slash \\x41 \\\\",
    NULL,
    "",
    "semi; DROP TABLE texts; --",
    "$1 $$ dollar",
};

static bool sc_odd_text(struct probe *p)
{
    begin(p, true);
    relation(p, 101, "public", "texts", 'd', "10", V("id", "t"));
    for (int i = 0; i < 8; i++) {
        char id[8];
        snprintf(id, sizeof(id), "%d", i + 1);
        po_insert(p, 101, V(id, odd_values[i]));
    }
    commit(p);
    begin(p, false);
    for (int i = 0; i < 8; i++) {
        char id[8];
        snprintf(id, sizeof(id), "%d", i + 11);
        td_insert(p, "public", "texts", V("id", "t"), V(id, odd_values[i]));
    }
    return commit(p);
}

/* GENERATED ALWAYS identity and a generated column: inserts keep the ids, updates leave them. */
static bool sc_identity(struct probe *p)
{
    begin(p, false);
    td_insert(p, "public", "ident", V("id", "v", "g"), V("100", "hello", "5"));
    td_insert(p, "public", "ident", V("id", "v", "g"), V("101", "gone", "4"));
    commit(p);
    begin(p, false);
    td_update(p, "public", "ident", NULL, 0, NULL, 0, V("id", "v", "g"),
              V("100", "hello world", "11"));
    td_delete(p, "public", "ident", V("id"), V("101"));
    commit(p);
    begin(p, true);
    relation(p, 102, "public", "ident", 'd', "10", V("id", "v"));
    po_insert(p, 102, V("200", "po"));
    po_update(p, 102, 0, NULL, 0, V("200", "po2"));
    return commit(p);
}

static char *big_value(void)
{
    strbuf sb = STRBUF_INIT;
    for (int i = 0; i < 10000; i++)
        sb_append(&sb, "0123456789abcdefghij");
    return sb_steal(&sb);
}

/* An UPDATE whose big value is unchanged TOAST keeps it. */
static bool sc_toast(struct probe *p)
{
    char *big = big_value();
    begin(p, true);
    relation(p, 103, "public", "big", 'd', "100", V("id", "small", "blob"));
    po_insert(p, 103, V("1", "before", big));
    commit(p);
    begin(p, true);
    po_update(p, 103, 0, NULL, 0, V("1", "after", U));
    free(big);
    return commit(p);
}

/* Updates that change the primary key (pgoutput old key 'K', test_decoding old-key). */
static bool sc_pk_change(struct probe *p)
{
    begin(p, true);
    relation(p, 104, "public", "pkc", 'd', "10", V("id", "v"));
    po_insert(p, 104, V("1", "a"));
    po_insert(p, 104, V("2", "b"));
    commit(p);
    begin(p, true);
    po_update(p, 104, 'K', V("1", NULL), V("10", "a2"));
    commit(p);
    begin(p, false);
    td_update(p, "public", "pkc", V("id"), V("2"), V("id", "v"), V("20", "b2"));
    return commit(p);
}

/* REPLICA IDENTITY FULL without a key: duplicates, NULLs, json and point compared as text. */
static bool sc_full_dups(struct probe *p)
{
    begin(p, true);
    relation(p, 105, "public", "fulldup", 'f', "1111", V("a", "b", "j", "p"));
    po_update(p, 105, 'O', V("1", "x", "{\"k\": 1}", "(1,2)"), V("1", "y", "{\"k\": 1}", "(1,2)"));
    /* the point as another server may print it: compared after the target's own input */
    po_delete(p, 105, 'O', V("2", NULL, "[1, 2]", "(0.5,1e-3)"));
    commit(p);
    begin(p, false);
    /* test_decoding leaves the NULL column b out of the old row */
    td_delete(p, "public", "fulldup", V("a", "j", "p"), V("2", "[1, 2]", "(0.5,0.001)"));
    return commit(p);
}

/* A partitioned root: a key update moves the row; a FULL delete touches one partition's row. */
static bool sc_partition(struct probe *p)
{
    begin(p, true);
    relation(p, 106, "public", "parted", 'd', "110", V("id", "region", "v"));
    po_insert(p, 106, V("1", "eu", "a"));
    commit(p);
    begin(p, true);
    po_update(p, 106, 'K', V("1", "eu", NULL), V("1", "us", "b"));
    relation(p, 111, "public", "parted_full", 'f', "11", V("id", "region"));
    po_delete(p, 111, 'O', V("1", "eu"));
    return commit(p);
}

/* TRUNCATE of two tables with RESTART IDENTITY (pgoutput), and one by name without (test_decoding).
 */
static bool sc_truncate(struct probe *p)
{
    begin(p, true);
    relation(p, 107, "public", "trunc_a", 'd', "10", V("id", "v"));
    relation(p, 108, "public", "trunc_b", 'd', "10", V("id", "v"));
    truncate_relids(p, (const uint32_t[]){107, 108}, 2, true, false);
    commit(p);
    begin(p, false);
    truncate_names(p, V("public.trunc_c"), false);
    return commit(p);
}

/* Before ALTER TABLE ... ADD COLUMN on the target. */
static bool sc_evolve1(struct probe *p)
{
    begin(p, true);
    relation(p, 109, "public", "evolve", 'd', "10", V("id", "a"));
    po_insert(p, 109, V("1", "x"));
    td_insert(p, "public", "evolve_td", V("id", "a"), V("1", "x"));
    return commit(p);
}

/* After it: a new RELATION (pgoutput) or just a new column name (test_decoding). */
static bool sc_evolve2(struct probe *p)
{
    begin(p, true);
    relation(p, 109, "public", "evolve", 'd', "100", V("id", "a", "b"));
    po_insert(p, 109, V("2", "y", "bee"));
    td_insert(p, "public", "evolve_td", V("id", "a", "c"), V("2", "y", "cee"));
    return commit(p);
}

#define ODD_SCHEMA "Odd \"Schema\" ü"
#define ODD_TABLE  "select table"

static bool sc_odd_names(struct probe *p)
{
    begin(p, true);
    relation(p, 110, ODD_SCHEMA, ODD_TABLE, 'd', "1000", V("Id", "with space", "order", "ünï\"q"));
    po_insert(p, 110, V("1", "a", "b", "c"));
    po_insert(p, 110, V("3", "x", "y", "z"));
    po_update(p, 110, 0, NULL, 0, V("1", "a", "B2", U));
    po_delete(p, 110, 'K', V("3", NULL, NULL, NULL));
    commit(p);
    begin(p, false);
    td_insert(p, ODD_SCHEMA, ODD_TABLE, V("Id", "with space", "order", "ünï\"q"),
              V("2", "d", "e", "f"));
    td_update(p, ODD_SCHEMA, ODD_TABLE, NULL, 0, NULL, 0, V("Id", "with space", "order", "ünï\"q"),
              V("2", "d2", "e", "f"));
    return commit(p);
}

/* Inserts of both kinds (duplicates would fail on the key: `again` must skip them). */
static bool sc_dedupe(struct probe *p)
{
    begin(p, true);
    relation(p, 112, "public", "dd", 'd', "10", V("id", "v"));
    po_insert(p, 112, V("1", "po"));
    commit(p);
    begin(p, false);
    td_insert(p, "public", "dd", V("id", "v"), V("2", "td"));
    return commit(p);
}

/* A batch whose second transaction updates a missing row: all of it is rolled back. */
static bool sc_missing_row(struct probe *p)
{
    begin(p, true);
    relation(p, 113, "public", "fm", 'd', "10", V("id", "v"));
    po_insert(p, 113, V("1", "kept?"));
    commit(p);
    begin(p, true);
    po_update(p, 113, 0, NULL, 0, V("999", "secret-value"));
    commit(p);
    if (p->failed)
        return false;
    return cdc_applier_flush(p->a) || (p->failed = true, false);
}

/* A DELETE of a missing row in a FULL table. */
static bool sc_missing_full(struct probe *p)
{
    begin(p, true);
    relation(p, 105, "public", "fulldup", 'f', "1111", V("a", "b", "j", "p"));
    po_delete(p, 105, 'O', V("7", "nope", "{}", "(9,9)"));
    commit(p);
    if (p->failed)
        return false;
    return cdc_applier_flush(p->a) || (p->failed = true, false);
}

/* Under config tables=public.flt_in,public.flt_io insert_only=public.flt_io. */
static bool sc_filtered(struct probe *p)
{
    begin(p, true);
    relation(p, 114, "public", "flt_in", 'd', "10", V("id", "v"));
    relation(p, 115, "public", "flt_out", 'd', "10", V("id", "v"));
    relation(p, 116, "public", "flt_io", 'd', "00", V("id", "v"));
    po_insert(p, 114, V("1", "in"));
    po_insert(p, 115, V("1", "out: no such table on the target"));
    po_insert(p, 116, V("1", "io"));
    commit(p);
    begin(p, false);
    td_update(p, "public", "flt_io", V("id", "v"), V("1", "io"), V("id", "v"), V("1", "changed"));
    td_delete(p, "public", "flt_io", V("id", "v"), V("1", "io"));
    td_insert(p, "public", "flt_out", V("id"), V("2"));
    return commit(p);
}

/* One row keyed by the origin and the transaction's position: a new row each time, a duplicate key
 * if replayed. */
static bool sc_tick(struct probe *p)
{
    char lsn[20];
    cdc_lsn_format(p->next, lsn, sizeof(lsn));
    char *key = xasprintf("%s:%s", p->origin ? p->origin : "", lsn);
    begin(p, false);
    td_insert(p, "public", "ticks", V("lsn"), V(key));
    free(key);
    return commit(p);
}

/*
 * 300 rows of a 9-column FULL table, inserted, then deleted by old rows with
 * 300 different NULL patterns: more statement shapes than a table may keep
 * prepared (the rest go unprepared).
 */
static bool sc_shapes(struct probe *p)
{
    const char *names[] = {"c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8", "c9"};
    begin(p, true);
    relation(p, 117, "public", "wide_full", 'f', "111111111", names, 9);
    for (int pass = 0; pass < 2; pass++) {
        for (int i = 1; i <= 300; i++) {
            char buf[9][16];
            const char *vals[9];
            /* the bits of i say which columns are NULL: 300 patterns, never all NULL */
            for (int k = 0; k < 9; k++) {
                snprintf(buf[k], sizeof(buf[k]), "%d", i * 10 + k);
                vals[k] = (i >> k) & 1 ? buf[k] : NULL;
            }
            if (pass == 0)
                po_insert(p, 117, vals, 9);
            else
                po_delete(p, 117, 'O', vals, 9);
        }
    }
    return commit(p);
}

/*
 * Runs of same-shape changes go as one statement with array parameters:
 * values that need quoting in an array literal (commas, braces, quotes,
 * backslashes, the word NULL, empty text), a type whose array delimiter is
 * ';' (box), a generated column; a change of another shape or a repeated
 * key sends the group first, so the table's order holds.
 */
static bool sc_groups(struct probe *p)
{
    begin(p, true);
    relation(p, 130, "public", "grp", 'd', "1000", V("id", "t", "b", "n"));
    po_insert(p, 130, V("1", "a,b", "(1,1),(0,0)", "1.50"));
    po_insert(p, 130, V("2", "NULL", NULL, NULL));
    po_insert(p, 130, V("3", "{x}\"q\"\\", "(2,2),(1,1)", "2"));
    po_insert(p, 130, V("4", "", "(3,3),(2,2)", "3.25"));
    po_insert(p, 130, V("5", "ünï 😀", NULL, "-1"));
    po_update(p, 130, 0, NULL, 0, V("3", "three", "(9,9),(8,8)", "3"));
    po_update(p, 130, 0, NULL, 0, V("4", "four", "(4,4),(3,3)", "4"));
    po_update(p, 130, 0, NULL, 0, V("3", "three again", "(9,9),(8,8)", "3.5"));
    po_delete(p, 130, 'K', V("5", NULL, NULL, NULL));
    po_insert(p, 130, V("6", "six", NULL, NULL));
    po_insert(p, 130, V("7", "gone", NULL, NULL));
    po_insert(p, 130, V("8", "{x}\"q\"\\", NULL, NULL));
    /* a GENERATED ALWAYS identity column that is not the key: required to hold its value */
    relation(p, 131, "public", "idg", 'd', "100", V("k", "seq", "v"));
    po_update(p, 131, 0, NULL, 0, V("1", "1", "one"));
    po_update(p, 131, 0, NULL, 0, V("2", "2", "two"));
    commit(p);
    begin(p, false);
    td_update(p, "public", "grp", NULL, 0, NULL, 0, V("id", "t", "b", "g", "n"),
              V("6", "six!", NULL, "12", NULL));
    td_delete(p, "public", "grp", V("id"), V("7"));
    td_update(p, "public", "idg", NULL, 0, NULL, 0, V("k", "seq", "v"), V("3", "3", "three"));
    return commit(p);
}

/*
 * Every type grouped statements send as binary arrays (apply_binary.h), in
 * the text the walsender prints (DateStyle ISO, offsets of any zone): the
 * extremes of each range, BC and five-digit years, a leap day of 1 BC, an
 * offset with seconds, NULLs. Rows 1-5 are inserted, 101-105 inserted empty
 * and updated to the same values; then rows 6 and 7, whose 'infinity' sends
 * the arrays of date, timestamp and timestamptz as text.
 */
static bool sc_binary(struct probe *p)
{
    static const char *const names[] = {"id", "b", "s", "i",  "l",  "o",  "t",
                                        "vc", "c", "d", "ts", "tz", "ts3"};
    static const char *const rows[7][12] = {
        {"t", "-32768", "-2147483648", "-9223372036854775808", "0", "", "", "a    ",
         "4714-11-24 BC", "4714-11-24 00:00:00 BC", "4714-11-24 00:00:00+00 BC",
         "2000-01-01 00:00:00"},
        {"f", "32767", "2147483647", "9223372036854775807", "4294967295",
         "q\" b\\ \xc3\xbcn\xc3\xaf \xf0\x9f\x98\x80", "ten chars!", "abcde", "10000-01-01",
         "294276-12-31 23:59:59.999999", "294276-12-31 23:59:59.999999+00",
         "1999-12-31 23:59:59.999"},
        {NULL},
        {"t", "0", "0", "0", "1", "NULL", "{,}", "     ", "2000-01-01", "2000-01-01 00:00:00",
         "2000-01-01 05:30:00+05:30", "2024-02-29 12:34:56.789"},
        {"f", "-1", "-1", "-1", "2", "line\nbreak", "x", " x   ", "0001-01-01 BC",
         "0001-02-29 00:00:00 BC", "1900-01-01 00:00:00-03:00:30", "1969-12-31 23:59:59.000001"},
        {"t", "7", "7", "7", "7", "inf", "inf", "inf  ", "infinity", "-infinity", "infinity",
         "2000-02-29 00:00:00.5"},
        {"f", "8", "8", "8", "8", "-inf", "-inf", "-inf ", "-infinity", "infinity", "-infinity",
         "2001-02-28 00:00:00.25"},
    };
    begin(p, true);
    relation(p, 134, "public", "bin_types", 'd', "1000000000000", names, 13);
    /* pass 0: rows 1-5; 1: 101-105 empty (the same shape, so one group); 2: their update;
       3: rows 6-7 */
    for (int pass = 0; pass < 4; pass++)
        for (int r = pass == 3 ? 5 : 0; r < (pass == 3 ? 7 : 5); r++) {
            char id[16];
            const char *vals[13] = {id};
            snprintf(id, sizeof(id), "%d", pass == 1 || pass == 2 ? r + 101 : r + 1);
            for (int k = 0; k < 12 && pass != 1; k++)
                vals[k + 1] = rows[r][k];
            if (pass == 2)
                po_update(p, 134, 0, NULL, 0, vals, 13);
            else
                po_insert(p, 134, vals, 13);
        }
    return commit(p);
}

/* An identity column an update changed: the row is not found with its new value. */
static bool sc_identity_changed(struct probe *p)
{
    begin(p, true);
    relation(p, 131, "public", "idg", 'd', "100", V("k", "seq", "v"));
    po_update(p, 131, 0, NULL, 0, V("1", "99", "changed"));
    commit(p);
    if (p->failed)
        return false;
    return cdc_applier_flush(p->a) || (p->failed = true, false);
}

/*
 * A table whose ALWAYS trigger counts the rows of another table: its changes
 * must see every change before them in the stream, grouped or not.
 */
static bool sc_trigger(struct probe *p)
{
    begin(p, true);
    relation(p, 132, "public", "trig_src", 'd', "1", V("id"));
    relation(p, 133, "public", "trig_t", 'd', "1", V("id"));
    po_insert(p, 132, V("1"));
    po_insert(p, 132, V("2"));
    po_insert(p, 132, V("3"));
    po_insert(p, 133, V("1"));
    po_insert(p, 132, V("4"));
    po_insert(p, 132, V("5"));
    po_insert(p, 133, V("2"));
    return commit(p);
}

/*
 * A test_decoding transaction too big to keep until its COMMIT (12,000 rows
 * into a table without a key): applied as it comes; fed again, its COMMIT
 * shows it was a duplicate and the batch is rolled back.
 */
static bool sc_spill(struct probe *p)
{
    begin(p, false);
    for (int i = 0; i < 12000 && !p->failed; i++) {
        char v[16];
        snprintf(v, sizeof(v), "%d", i);
        td_insert(p, "public", "spill", V("v"), V(v));
    }
    commit(p);
    if (p->failed)
        return false;
    return cdc_applier_flush(p->a) || (p->failed = true, false);
}

/* A source transaction without any change still moves the position. */
static bool sc_empty(struct probe *p)
{
    begin(p, true);
    return commit(p);
}

static const struct {
    const char *name;
    scenario_fn fn;
} scenarios[] = {
    {"odd_text", sc_odd_text},
    {"identity", sc_identity},
    {"toast", sc_toast},
    {"pk_change", sc_pk_change},
    {"full_dups", sc_full_dups},
    {"partition", sc_partition},
    {"truncate", sc_truncate},
    {"evolve1", sc_evolve1},
    {"evolve2", sc_evolve2},
    {"odd_names", sc_odd_names},
    {"dedupe", sc_dedupe},
    {"missing_row", sc_missing_row},
    {"missing_full", sc_missing_full},
    {"filtered", sc_filtered},
    {"empty", sc_empty},
    {"tick", sc_tick},
    {"shapes", sc_shapes},
    {"groups", sc_groups},
    {"binary", sc_binary},
    {"identity_changed", sc_identity_changed},
    {"trigger", sc_trigger},
    {"spill", sc_spill},
};

/* ------------------------------------------------------------------ steps */

static bool applier_failed(struct probe *p, const char *step)
{
    printf("error step=%s sqlstate=%s message=%s\n", step, cdc_applier_sqlstate(p->a),
           cdc_applier_error(p->a));
    return false;
}

static bool st_config(struct probe *p, char **f, int nf)
{
    if (nf < 2)
        return false;
    char *eq = strchr(f[1], '=');
    if (eq == NULL)
        return false;
    *eq = '\0';
    const char *key = f[1], *val = eq + 1;
    if (strcmp(key, "origin") == 0) {
        free(p->origin);
        p->origin = xstrdup(val);
    } else if (strcmp(key, "progress") == 0) {
        p->progress = strcmp(val, "origin") == 0 ? CDC_PROGRESS_ORIGIN
                      : strcmp(val, "row") == 0  ? CDC_PROGRESS_TABLE_ROW
                                                 : CDC_PROGRESS_AUTO;
    } else if (strcmp(key, "tables") == 0) {
        sl_free(&p->tables);
        sl_split(&p->tables, val, ',');
        p->has_tables = true;
    } else if (strcmp(key, "insert_only") == 0) {
        sl_free(&p->insert_only);
        sl_split(&p->insert_only, val, ',');
        p->has_insert_only = true;
    } else if (strcmp(key, "batch_txns") == 0) {
        p->batch_txns = atoi(val);
    } else if (strcmp(key, "batch_changes") == 0) {
        p->batch_changes = atoi(val);
    } else if (strcmp(key, "batch_ms") == 0) {
        p->batch_ms = atoi(val);
    } else {
        return false;
    }
    return true;
}

static bool st_open(struct probe *p, char **f, int nf)
{
    struct cdc_applier_config cfg = {
        .conninfo = p->conninfo,
        .label = "apply probe",
        .origin = p->origin ? p->origin : "pgshuttle_probe",
        .progress = p->progress,
        .tables = p->has_tables ? &p->tables : NULL,
        .insert_only = p->has_insert_only ? &p->insert_only : NULL,
        .batch_max_txns = p->batch_txns,
        .batch_max_changes = p->batch_changes,
        .batch_max_ms = p->batch_ms,
    };
    if (!cdc_applier_open(&p->a, &cfg))
        return applier_failed(p, "open");
    cdc_lsn durable = cdc_applier_durable(p->a);
    /* Synthetic positions start past anything recorded before. */
    if (p->next <= durable)
        p->next = (durable & ~(cdc_lsn) 0xff) + 0x1000;
    printf("open uses_origin=%d wal_lz4=%d", cdc_applier_uses_origin(p->a) ? 1 : 0,
           cdc_applier_compresses_wal(p->a) ? 1 : 0);
    probe_print_lsn(" durable=", durable);
    printf("\n");
    return true;
}

static bool st_close(struct probe *p, char **f, int nf)
{
    cdc_applier_close(p->a);
    p->a = NULL;
    printf("closed\n");
    return true;
}

static bool st_reopen(struct probe *p, char **f, int nf)
{
    return st_close(p, f, nf) && st_open(p, f, nf);
}

static bool run_scenario(struct probe *p, scenario_fn fn, const char *name, bool expect_fail)
{
    p->failed = false;
    p->last = fn;
    p->last_start = p->next;
    bool ok = fn(p) && !p->failed;
    if (expect_fail) {
        if (ok) {
            printf("error step=fail:%s message=the scenario did not fail\n", name);
            return false;
        }
        printf("failed %s sqlstate=%s message=%s\n", name, cdc_applier_sqlstate(p->a),
               cdc_applier_error(p->a));
        return true;
    }
    if (!ok)
        return applier_failed(p, name);
    printf("ran %s", name);
    probe_print_lsn(" last_end=", p->last_end);
    printf("\n");
    return true;
}

static scenario_fn find_scenario(const char *name)
{
    for (size_t i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++)
        if (strcmp(scenarios[i].name, name) == 0)
            return scenarios[i].fn;
    return NULL;
}

static bool st_run(struct probe *p, char **f, int nf)
{
    scenario_fn fn = nf > 1 ? find_scenario(f[1]) : NULL;
    if (fn == NULL) {
        printf("error step=run message=unknown scenario\n");
        return false;
    }
    return run_scenario(p, fn, f[1], false);
}

static bool st_fail(struct probe *p, char **f, int nf)
{
    scenario_fn fn = nf > 1 ? find_scenario(f[1]) : NULL;
    if (fn == NULL) {
        printf("error step=fail message=unknown scenario\n");
        return false;
    }
    return run_scenario(p, fn, f[1], true);
}

static bool st_again(struct probe *p, char **f, int nf)
{
    if (p->last == NULL)
        return false;
    cdc_lsn resume = p->next;
    p->next = p->last_start;
    cdc_applier_discard(p->a);
    bool ok = run_scenario(p, p->last, "again", nf > 1 && strcmp(f[1], "fail") == 0);
    p->next = resume;
    return ok;
}

/* "WHAT committed=LSN durable=LSN" */
#define print_positions(what)                                                                      \
    do {                                                                                           \
        probe_print_lsn(what " committed=", cdc_applier_committed(p->a));                          \
        probe_print_lsn(" durable=", cdc_applier_durable(p->a));                                   \
        printf("\n");                                                                              \
    } while (0)

static bool st_flush(struct probe *p, char **f, int nf)
{
    if (!cdc_applier_flush(p->a))
        return applier_failed(p, "flush");
    print_positions("flushed");
    return true;
}

static bool st_sync(struct probe *p, char **f, int nf)
{
    (void) f;
    (void) nf;
    if (!cdc_applier_sync(p->a))
        return applier_failed(p, "sync");
    print_positions("synced");
    return true;
}

static bool st_record(struct probe *p, char **f, int nf)
{
    cdc_lsn lsn;
    if (nf < 2 || !cdc_lsn_parse(f[1], &lsn))
        return false;
    if (!cdc_applier_record_position(p->a, lsn))
        return applier_failed(p, "record");
    print_positions("recorded");
    if (p->next <= lsn)
        p->next = (lsn & ~(cdc_lsn) 0xff) + 0x1000;
    return true;
}

static bool st_read(struct probe *p, char **f, int nf)
{
    cdc_lsn pos;
    bool exists;
    if (!cdc_applier_read_position(p->a, &pos, &exists))
        return applier_failed(p, "read");
    printf("position exists=%d", exists ? 1 : 0);
    probe_print_lsn(" lsn=", pos);
    printf("\n");
    return true;
}

static bool st_drop(struct probe *p, char **f, int nf)
{
    if (!cdc_applier_drop_progress(p->a))
        return applier_failed(p, "drop");
    printf("dropped\n");
    return true;
}

static bool st_state(struct probe *p, char **f, int nf)
{
    const struct cdc_applier_stats *s = cdc_applier_stats(p->a);
    probe_print_lsn("state committed=", cdc_applier_committed(p->a));
    probe_print_lsn(" durable=", cdc_applier_durable(p->a));
    printf(" origin=%d idle=%d txns=%" PRId64 " changes=%" PRId64 " inserts=%" PRId64
           " updates=%" PRId64 " deletes=%" PRId64 " truncates=%" PRId64 " skipped=%" PRId64
           " batches=%" PRId64 " arrays=%" PRId64 " binary_arrays=%" PRId64 "\n",
           cdc_applier_uses_origin(p->a) ? 1 : 0, cdc_applier_idle(p->a) ? 1 : 0,
           atomic_load(&s->txns), atomic_load(&s->changes), atomic_load(&s->inserts),
           atomic_load(&s->updates), atomic_load(&s->deletes), atomic_load(&s->truncates),
           atomic_load(&s->skipped), atomic_load(&s->batches), atomic_load(&s->arrays),
           atomic_load(&s->binary_arrays));
    return true;
}

static bool st_sql(struct probe *p, char **f, int nf)
{
    if (nf < 2)
        return false;
    if (p->side == NULL && !pgconn_connect(&p->side, p->conninfo, "probe side"))
        return false;
    if (!pgconn_exec(p->side, f[1]))
        return false;
    printf("sql ok\n");
    return true;
}

#define ACCOUNTS 100000

/*
 * n pgbench -N transactions: UPDATE pgbench_accounts (the whole new row, no
 * old key) and INSERT pgbench_history, by pgoutput. The balances are
 * tracked here so the test can check the target's sum.
 */
static bool pgbench_txns(struct probe *p, int n, int64_t *changes)
{
    if (p->balances == NULL)
        p->balances = xcalloc(ACCOUNTS + 1, sizeof(*p->balances));
    static const char filler84[] =
        "                                                                                    ";
    begin(p, true);
    relation(p, 120, "public", "pgbench_accounts", 'd', "1000",
             V("aid", "bid", "abalance", "filler"));
    relation(p, 121, "public", "pgbench_history", 'd', "000000",
             V("tid", "bid", "aid", "delta", "mtime", "filler"));
    commit(p);
    uint64_t x = 88172645463325252u;
    for (int i = 0; i < n && !p->failed; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        int aid = (int) (x % ACCOUNTS) + 1;
        int delta = (int) ((x >> 20) % 10001) - 5000;
        p->balances[aid] += delta;
        char s_aid[16], s_bid[16], s_bal[24], s_delta[16], s_tid[16];
        snprintf(s_aid, sizeof(s_aid), "%d", aid);
        snprintf(s_bid, sizeof(s_bid), "%d", (aid - 1) / 100000 + 1);
        snprintf(s_bal, sizeof(s_bal), "%" PRId64, p->balances[aid]);
        snprintf(s_delta, sizeof(s_delta), "%d", delta);
        snprintf(s_tid, sizeof(s_tid), "%d", (int) ((x >> 40) % 10) + 1);
        begin(p, true);
        po_update(p, 120, 0, NULL, 0, V(s_aid, s_bid, s_bal, filler84));
        po_insert(p, 121, V(s_tid, s_bid, s_aid, s_delta, "2024-05-01 12:00:00.123456", NULL));
        commit(p);
        if (cdc_applier_due(p->a) && !cdc_applier_flush(p->a))
            p->failed = true;
    }
    *changes = 2 * (int64_t) n;
    return !p->failed && (cdc_applier_flush(p->a) || (p->failed = true, false));
}

static bool st_many(struct probe *p, char **f, int nf)
{
    int n = nf > 1 ? atoi(f[1]) : 100;
    int64_t changes;
    p->failed = false;
    if (!pgbench_txns(p, n, &changes))
        return applier_failed(p, "many");
    int64_t sum = 0;
    for (int i = 1; i <= ACCOUNTS; i++)
        sum += p->balances[i];
    printf("many txns=%d", n);
    probe_print_lsn(" last_end=", p->last_end);
    printf(" balance_sum=%" PRId64 "\n", sum);
    return true;
}

static bool st_bench(struct probe *p, char **f, int nf)
{
    int n = nf > 1 ? atoi(f[1]) : 10000;
    int64_t changes;
    p->failed = false;
    const struct cdc_applier_stats *s = cdc_applier_stats(p->a);
    int64_t batches0 = atomic_load(&s->batches);
    double t0 = time_now();
    if (!pgbench_txns(p, n, &changes))
        return applier_failed(p, "bench");
    double secs = time_now() - t0;
    printf("bench txns=%d changes=%" PRId64 " seconds=%.3f txns_per_s=%.0f changes_per_s=%.0f "
           "batches=%" PRId64 "\n",
           n, changes, secs, n / secs, changes / secs, atomic_load(&s->batches) - batches0);
    return true;
}

static const struct probe_step steps[] = {
    {"config", 2, st_config, false}, {"open", 1, st_open, false},  {"close", 1, st_close, true},
    {"reopen", 1, st_reopen, true},  {"run", 2, st_run, true},     {"fail", 2, st_fail, true},
    {"again", 2, st_again, true},    {"flush", 1, st_flush, true}, {"sync", 1, st_sync, true},
    {"record", 2, st_record, true},  {"read", 1, st_read, true},   {"drop", 1, st_drop, true},
    {"state", 1, st_state, true},    {"sql", 2, st_sql, false},    {"many", 2, st_many, true},
    {"bench", 2, st_bench, true},
};

static bool applier_open(const struct probe *p)
{
    return p->a != NULL;
}

int main(int argc, char **argv)
{
    const char *conninfo = probe_start("applier_probe", "APPLIER_PROBE", argc, LOG_WARN);
    if (conninfo == NULL)
        return 64;
    struct probe p = {.conninfo = conninfo};
    int rc = probe_run_steps("applier_probe", argc, argv, &p, steps,
                             sizeof(steps) / sizeof(steps[0]), applier_open);
    cdc_applier_close(p.a);
    pgconn_close(p.side);
    sl_free(&p.tables);
    sl_free(&p.insert_only);
    free(p.origin);
    free(p.balances);
    return rc;
}
