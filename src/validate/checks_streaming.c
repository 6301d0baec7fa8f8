/*
 * checks_streaming.c — online mode: tables whose updates and deletes
 * logical decoding cannot identify (no primary key or replica identity), and
 * objects whose changes it does not carry (large objects, unlogged tables,
 * materialized views, foreign tables; sequences are set at cutover).
 */
#include "pg/quote.h"
#include "sql_embedded.h"
#include "util/mem.h"
#include "validate/internal.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Adds one kind of object to the message (text, then the first VC_LIST_MAX
 * names, "; " between kinds) and what to do about it to the remediation.
 */
static void part(strbuf *msg, struct check_outcome *out, const strlist *objects, const char *text,
                 const char *remedy)
{
    char *l = vc_join(objects, ", ", VC_LIST_MAX);
    if (msg->len)
        sb_append(msg, "; ");
    sb_append(msg, text);
    sb_append(msg, l);
    free(l);
    vc_fix(out, "%s", remedy);
}

/* ---- replica identity (online) ------------------------------------------ */

void check_replica_identity(struct vctx *ctx, struct check_outcome *out)
{
    if (ctx->src_db == NULL || ctx->dst == NULL)
        return vc_skip(out);
    pgres *r = NULL;
    if (!pgconn_query(ctx->src_db, sql_text("validate_db_replica_identity"), 0, NULL, &r))
        return vc_query_failed(out, ctx->src_db, "looking for tables without a replica identity");
    int n = pgres_ntuples(r);
    if (n == 0) {
        pgres_free(r);
        return vc_ok(out, "every table has a primary key or a replica identity: its updates and "
                          "deletes can be streamed");
    }
    strlist names = STRLIST_INIT;
    strbuf fixes = STRBUF_INIT;
    for (int i = 0; i < n; i++) {
        char *q = pgq_qualified_dup(pgres_get(r, i, 0), pgres_get(r, i, 1));
        const char *ri = pgres_getn(r, i, "replident");
        const char *why = ri[0] == 'n'   ? "REPLICA IDENTITY NOTHING"
                          : ri[0] == 'i' ? "its replica identity index is gone"
                                         : "no primary key";
        sl_push_owned(&names, xasprintf("%s (%s)", q, why));
        if (i < VC_FIX_MAX) {
            const char *idx = pgres_getn(r, i, "candidate_index");
            if (idx) {
                char *qi = pgq_ident_dup(idx);
                sb_printf(&fixes, " ALTER TABLE %s REPLICA IDENTITY USING INDEX %s;", q, qi);
                free(qi);
            } else
                sb_printf(&fixes, " ALTER TABLE %s REPLICA IDENTITY FULL;", q);
        }
        free(q);
    }
    if (n > VC_FIX_MAX)
        sb_printf(&fixes, " (and the same for the %d other tables)", n - VC_FIX_MAX);
    char *list = vc_join(&names, ", ", VC_LIST_MAX);
    if (ctx->spec->replica_identity_full) {
        vc_ok(out,
              "%d %s no primary key and no usable replica identity; pgshuttle gives %s REPLICA "
              "IDENTITY FULL on the source (--replica-identity-full), so %s updates and deletes "
              "are streamed (every UPDATE and DELETE then logs the whole old row, and the "
              "setting stays after the migration, on both servers): %s",
              n, vc_plural(n, "table has", "tables have"), vc_plural(n, "it", "them"),
              vc_plural(n, "its", "their"), list);
        free(list);
        sl_free(&names);
        sb_free(&fixes);
        pgres_free(r);
        return;
    }
    vc_warn(out,
            "%d %s no primary key and no usable replica identity, so UPDATE and DELETE on %s "
            "cannot be streamed: pgshuttle publishes %s for INSERT and TRUNCATE only, and rows "
            "updated or deleted on the source during the migration keep their old contents on "
            "the target: %s",
            n, vc_plural(n, "table has", "tables have"), vc_plural(n, "it", "them"),
            vc_plural(n, "it", "them"), list);
    vc_fix(out,
           "Before starting, give each table a replica identity on the source: a primary "
           "key where the data has one (ALTER TABLE ... ADD PRIMARY KEY (...)), a unique "
           "index on NOT NULL columns, or FULL (the whole old row is logged for every "
           "UPDATE and DELETE: more WAL, and slower to apply without an index):%s. Or run the "
           "migration with --replica-identity-full to have pgshuttle set FULL on them.",
           sb_str(&fixes));
    free(list);
    sl_free(&names);
    sb_free(&fixes);
    pgres_free(r);
}

/* ---- objects not streamed (online) -------------------------------------- */

void check_not_streamed(struct vctx *ctx, struct check_outcome *out)
{
    if (ctx->src_db == NULL || ctx->dst == NULL)
        return vc_skip(out);
    pgres *r = NULL;
    char *lo = NULL;
    if (!pgconn_query(ctx->src_db, sql_text("validate_db_not_streamed"), 0, NULL, &r))
        return vc_query_failed(out, ctx->src_db, "listing the objects that are not streamed");
    if (!pgconn_query_value(ctx->src_db, "SELECT count(*) FROM pg_catalog.pg_largeobject_metadata",
                            0, NULL, &lo)) {
        pgres_free(r);
        return vc_query_failed(out, ctx->src_db, "counting the large objects");
    }
    long long nlo = lo ? strtoll(lo, NULL, 10) : 0;
    free(lo);
    strlist unlogged = STRLIST_INIT, matviews = STRLIST_INIT, foreign = STRLIST_INIT;
    long long nseq = 0;
    for (int i = 0; i < pgres_ntuples(r); i++) {
        const char *kind = pgres_get(r, i, 0), *name = pgres_get(r, i, 1);
        if (strcmp(kind, "sequence") == 0)
            nseq++;
        else if (strcmp(kind, "matview") == 0)
            sl_push(&matviews, name);
        else if (strcmp(kind, "foreign") == 0)
            sl_push(&foreign, name);
        else
            sl_push(&unlogged, name);
    }
    pgres_free(r);

    strbuf msg = STRBUF_INIT;
    if (nlo) {
        sb_printf(&msg,
                  "%lld large %s: copied with the data, but later changes to them "
                  "(lo_write, lo_unlink, new ones) are not streamed",
                  nlo, vc_plural(nlo, "object", "objects"));
        vc_fix(out, "Do not change large objects until cutover, or copy the changed ones again "
                    "afterwards (lo_export/lo_import, or store such data in bytea columns).");
    }
    if (unlogged.n) {
        part(&msg, out, &unlogged,
             "unlogged tables (not written to the WAL), copied as they are at the start; "
             "later changes are not streamed: ",
             "If their contents matter, make them logged before starting (ALTER TABLE ... "
             "SET LOGGED) or reload them on the target after cutover.");
    }
    if (matviews.n) {
        part(&msg, out, &matviews,
             "materialized views, populated on the target during the copy; REFRESHes on "
             "the source after that are not streamed: ",
             "After cutover, run REFRESH MATERIALIZED VIEW on the target for each of them.");
    }
    if (foreign.n) {
        part(&msg, out, &foreign,
             "foreign tables, whose rows stay on their foreign server (only the "
             "definitions move): ",
             "Make sure the target can reach the foreign servers (see \"Objects not moved "
             "faithfully\").");
    }
    char seqs[200] = "";
    if (nseq)
        snprintf(seqs, sizeof(seqs), "%lld %s, which pgshuttle sets from the source at cutover",
                 nseq, vc_plural(nseq, "sequence", "sequences"));
    if (msg.len)
        vc_warn(out, "%s%s%s%s", sb_str(&msg), nseq ? "; and " : "", seqs,
                nseq ? " (sequences are not streamed either)" : "");
    else
        vc_ok(out,
              "nothing found whose changes logical decoding cannot carry%s%s; schema "
              "changes (DDL) are never streamed: make none until cutover",
              nseq ? ", besides " : "", seqs);
    sb_free(&msg);
    sl_free(&unlogged);
    sl_free(&matviews);
    sl_free(&foreign);
}
