/* publication.c — a publication given with --publication (see publication.h). */
#include "cdc/publication.h"
#include "sql_embedded.h"
#include "util/mem.h"

#include <stdlib.h>
#include <string.h>

bool cdc_publication_coverage_read(pgconn *src, const char *pub, const struct cdc_table_set *set,
                                   struct cdc_publication_coverage *out)
{
    memset(out, 0, sizeof(*out));
    strbuf oids = STRBUF_INIT;
    sb_append(&oids, "{");
    for (int i = 0; i < set->n; i++)
        if (set->tables[i].relkind == 'r')
            sb_printf(&oids, "%s%u", oids.len > 1 ? "," : "", (unsigned) set->tables[i].oid);
    sb_append(&oids, "}");
    const char *params[] = {pub, sb_str(&oids)};
    pgres *r = NULL;
    bool ok = pgconn_query(src, sql_text("cdc_publication_coverage"), 2, params, &r);
    sb_free(&oids);
    if (!ok)
        return false;
    if (pgres_ntuples(r) == 1) {
        out->exists = true;
        out->owner = xstrdup(pgres_getn(r, 0, "owner"));
        out->all_tables = pgres_get_bool(r, 0, "all_tables");
        out->ins = pgres_get_bool(r, 0, "ins");
        out->upd = pgres_get_bool(r, 0, "upd");
        out->del = pgres_get_bool(r, 0, "del");
        out->trunc = pgres_get_bool(r, 0, "trunc");
        out->uncovered_count = pgres_get_int64(r, 0, "uncovered_count", 0);
        const char *u = pgres_getn(r, 0, "uncovered");
        out->uncovered = u ? xstrdup(u) : NULL;
    }
    pgres_free(r);
    return true;
}

void cdc_publication_coverage_free(struct cdc_publication_coverage *cov)
{
    free(cov->owner);
    free(cov->uncovered);
    memset(cov, 0, sizeof(*cov));
}

void cdc_publication_problems(const char *pub, const struct cdc_publication_coverage *cov,
                              bool truncate_needed, strbuf *out)
{
    if (!cov->exists) {
        sb_printf(out, "publication \"%s\" does not exist in the source database", pub);
        return;
    }
    if (cov->uncovered_count > 0)
        sb_printf(out, "publication \"%s\" does not publish %lld of the tables to stream: %s%s",
                  pub, cov->uncovered_count, cov->uncovered ? cov->uncovered : "",
                  cov->uncovered_count > 10 ? " and more" : "");
    strbuf ops = STRBUF_INIT;
    const struct {
        bool on;
        const char *name;
    } need[] = {{cov->ins, "insert"},
                {cov->upd, "update"},
                {cov->del, "delete"},
                {cov->trunc || !truncate_needed, "truncate"}};
    for (size_t i = 0; i < sizeof(need) / sizeof(need[0]); i++)
        if (!need[i].on)
            sb_printf(&ops, "%s%s", ops.len ? ", " : "", need[i].name);
    if (ops.len)
        sb_printf(out, "%spublication \"%s\" does not publish %s (its publish option)",
                  out->len ? "; " : "", pub, sb_str(&ops));
    sb_free(&ops);
}
