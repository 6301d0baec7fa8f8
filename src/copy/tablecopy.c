/* tablecopy.c — table parts and their COPY statements (see tablecopy.h). */
#include "copy/tablecopy.h"
#include "pg/outage.h"
#include "util/log.h"
#include "util/mem.h"

#include <stdlib.h>
#include <string.h>

static int cmp_parts(const void *a, const void *b)
{
    const struct copy_part *x = a, *y = b;
    if (x->bytes != y->bytes)
        return x->bytes > y->bytes ? -1 : 1;
    if (x->table != y->table)
        return x->table - y->table;
    return x->index - y->index;
}

/* Reads min and max of the table's integer key under the snapshot. */
static bool key_bounds(pgconn *src, const struct cat_table *t, int64_t *lo, int64_t *hi,
                       bool *empty)
{
    strbuf sql = STRBUF_INIT;
    sb_printf(&sql, "SELECT min(%s), max(%s) FROM ONLY %s", t->int_key, t->int_key, t->qname);
    pgres *r;
    bool ok = pgconn_query(src, sb_str(&sql), 0, NULL, &r);
    sb_free(&sql);
    if (!ok)
        return false;
    *empty = pgres_get(r, 0, 0) == NULL;
    *lo = *empty ? 0 : strtoll(pgres_get(r, 0, 0), NULL, 10);
    *hi = *empty ? 0 : strtoll(pgres_get(r, 0, 1), NULL, 10);
    pgres_free(r);
    return true;
}

bool copy_plan_parts(pgconn *src, const struct copy_catalog *cat, int64_t split_bytes,
                     struct copy_part **parts, int *nparts)
{
    int cap = cat->ntables + 16, n = 0;
    struct copy_part *out = xcalloc((size_t) cap, sizeof(*out));
    bool ctid_ranges = pgconn_server_version(src) >= 140000;

    for (int i = 0; i < cat->ntables; i++) {
        const struct cat_table *t = &cat->tables[i];
        int count = 1;
        enum part_kind kind = PART_WHOLE;
        int64_t lo = 0, hi = 0;
        if (split_bytes > 0 && t->bytes > split_bytes && t->columns[0]) {
            count = (int) ((t->bytes + split_bytes - 1) / split_bytes);
            if (count > 64)
                count = 64;
            if (ctid_ranges && t->heap_bytes > 0) {
                kind = PART_CTID;
                hi = t->heap_bytes / (t->block_size > 0 ? t->block_size : 8192) + 1;
            } else if (t->int_key) {
                bool empty;
                if (!key_bounds(src, t, &lo, &hi, &empty)) {
                    free(out);
                    return false;
                }
                kind = empty ? PART_WHOLE : PART_KEY;
                hi = hi + 1;
            } else
                kind = PART_WHOLE;
            if (kind == PART_WHOLE || hi - lo < count)
                count = 1, kind = PART_WHOLE;
        }
        for (int k = 0; k < count; k++) {
            if (n == cap) {
                cap *= 2;
                out = xrealloc(out, (size_t) cap * sizeof(*out));
            }
            struct copy_part *p = &out[n++];
            memset(p, 0, sizeof(*p));
            p->table = i;
            p->index = k;
            p->count = count;
            p->kind = kind;
            p->bytes = t->bytes / count + (k == count - 1 ? t->bytes % count : 0);
            if (kind != PART_WHOLE) {
                int64_t span = hi - lo;
                p->lo = lo + span / count * k + (span % count) * k / count;
                p->hi = lo + span / count * (k + 1) + (span % count) * (k + 1) / count;
            }
        }
    }
    qsort(out, (size_t) n, sizeof(*out), cmp_parts);
    *parts = out;
    *nparts = n;
    return true;
}

int64_t copy_auto_split_bytes(const struct copy_catalog *cat, int jobs)
{
    if (jobs < 2 || cat->ntables == 0 || cat->total_bytes <= 0)
        return -1;
    /* Largest first onto the least loaded worker (tables are sorted by size). */
    int64_t *load = xcalloc((size_t) jobs, sizeof(int64_t));
    for (int i = 0; i < cat->ntables; i++) {
        int least = 0;
        for (int w = 1; w < jobs; w++)
            if (load[w] < load[least])
                least = w;
        load[least] += cat->tables[i].bytes;
    }
    int64_t makespan = 0;
    for (int w = 0; w < jobs; w++)
        if (load[w] > makespan)
            makespan = load[w];
    free(load);
    int64_t share = cat->total_bytes / jobs;
    if (makespan * 2 <= share * 3)
        return -1;
    return share > 1 ? share : 1;
}

/* Appends the WHERE condition selecting part p (open-ended at the table's two ends). */
static void part_condition(const struct cat_table *t, const struct copy_part *p, strbuf *sb)
{
    bool first = p->index == 0, last = p->index == p->count - 1;
    const char *sep = "";
    sb_append(sb, " WHERE ");
    if (p->kind == PART_CTID) {
        if (!first) {
            sb_printf(sb, "ctid >= '(%lld,0)'::tid", (long long) p->lo);
            sep = " AND ";
        }
        if (!last)
            sb_printf(sb, "%sctid < '(%lld,0)'::tid", sep, (long long) p->hi);
    } else {
        if (!first) {
            sb_printf(sb, "%s >= %lld", t->int_key, (long long) p->lo);
            sep = " AND ";
        }
        if (!last)
            sb_printf(sb, "%s%s < %lld", sep, t->int_key, (long long) p->hi);
    }
}

void copy_part_statements(const struct cat_table *t, const struct copy_part *p, strbuf *copy_out,
                          strbuf *copy_in)
{
    const char *format = t->binary_ok ? " (FORMAT binary" : " (FORMAT text";
    bool has_columns = t->columns[0] != '\0';

    sb_reset(copy_out);
    if (p->kind == PART_WHOLE) {
        sb_printf(copy_out, "COPY %s", t->qname);
        if (has_columns)
            sb_printf(copy_out, " (%s)", t->columns);
    } else {
        sb_printf(copy_out, "COPY (SELECT %s FROM ONLY %s", t->columns, t->qname);
        part_condition(t, p, copy_out);
        sb_append(copy_out, ")");
    }
    sb_printf(copy_out, " TO STDOUT%s)", format);

    sb_reset(copy_in);
    sb_printf(copy_in, "COPY %s", t->qname);
    if (has_columns)
        sb_printf(copy_in, " (%s)", t->columns);
    sb_printf(copy_in, " FROM STDIN%s%s)", format, p->kind == PART_WHOLE ? ", FREEZE" : "");
}

bool copy_part_run(pgconn *src, pgconn *dst, const struct cat_table *t, const struct copy_part *p,
                   _Atomic int64_t *live, const _Atomic bool *cancel,
                   struct pgconn_copy_stats *stats, int64_t *xid)
{
    *stats = (struct pgconn_copy_stats){0};
    *xid = 0;
    strbuf out = STRBUF_INIT, in = STRBUF_INIT, pre = STRBUF_INIT;
    copy_part_statements(t, p, &out, &in);
    /* FREEZE needs the table truncated in the same transaction; it is empty anyway. */
    sb_append(&pre, "BEGIN");
    if (p->kind == PART_WHOLE)
        sb_printf(&pre, "; TRUNCATE ONLY %s", t->qname);
    char *xidstr = NULL;
    /*
     * The source side runs in a savepoint: a COPY TO stopped because the
     * target failed aborts it, and rolling back to the savepoint keeps the
     * snapshot's transaction usable for a retry.
     */
    bool ok = pgconn_exec(src, "SAVEPOINT pgshuttle_part") && pgconn_exec(dst, sb_str(&pre)) &&
              pgconn_query_value(dst, "SELECT pg_catalog.txid_current()", 0, NULL, &xidstr);
    if (ok && xidstr)
        *xid = strtoll(xidstr, NULL, 10);
    free(xidstr);
    ok = ok && pgconn_copy_pipe(src, sb_str(&out), dst, sb_str(&in), live, cancel, stats) &&
         pgconn_exec(dst, "COMMIT") && pgconn_exec(src, "RELEASE SAVEPOINT pgshuttle_part");
    /* A lost connection keeps its error (the reason it went) for the caller. */
    if (!ok && !pgconn_lost(dst) && !pgconn_exec_quiet(dst, "ROLLBACK"))
        log_debug("rollback after a failed copy failed too");
    if (!ok && !pgconn_lost(src) && !pgconn_exec_quiet(src, "ROLLBACK TO SAVEPOINT pgshuttle_part"))
        log_debug("rolling the source back to the part's savepoint failed");
    sb_free(&out);
    sb_free(&in);
    sb_free(&pre);
    return ok;
}
