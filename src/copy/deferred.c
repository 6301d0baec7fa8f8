/* deferred.c — foreign keys, triggers and rules created at cutover (see deferred.h). */
#include "copy/deferred.h"
#include "pg/quote.h"
#include "sql_embedded.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/timeutil.h"

#include <stdlib.h>
#include <string.h>

static char *dup_or_null(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

bool copy_deferred_load(pgconn *src, struct copy_deferred *out)
{
    memset(out, 0, sizeof(*out));
    pgres *r = NULL;
    if (!pgconn_exec(src, "SELECT pg_catalog.set_config('search_path', '', false)") ||
        !pgconn_query(src, sql_text("copy_deferred"), 0, NULL, &r))
        return false;
    int n = pgres_ntuples(r);
    out->objects = xcalloc((size_t) n + 1, sizeof(*out->objects));
    for (int i = 0; i < n; i++) {
        struct copy_deferred_object *o = &out->objects[i];
        o->kind = pgres_getn(r, i, "kind")[0];
        o->id.catalog = (uint32_t) pgres_get_int64(r, i, "catalog", 0);
        o->id.oid = (uint32_t) pgres_get_int64(r, i, "oid", 0);
        o->schema = xstrdup(pgres_getn(r, i, "schema"));
        o->table = xstrdup(pgres_getn(r, i, "tbl"));
        o->partitioned = pgres_get_bool(r, i, "partitioned");
        o->name = xstrdup(pgres_getn(r, i, "name"));
        o->definition = xstrdup(pgres_getn(r, i, "definition"));
        o->enabled = pgres_getn(r, i, "enabled")[0];
        o->comment = dup_or_null(pgres_getn(r, i, "comment"));
        if (o->kind == 'f')
            out->nfkeys++;
    }
    out->n = n;
    pgres_free(r);
    return true;
}

void copy_deferred_free(struct copy_deferred *d)
{
    for (int i = 0; i < d->n; i++) {
        struct copy_deferred_object *o = &d->objects[i];
        free(o->schema);
        free(o->table);
        free(o->name);
        free(o->definition);
        free(o->comment);
    }
    free(d->objects);
    memset(d, 0, sizeof(*d));
}

/* CONSTRAINT, TRIGGER or RULE: how COMMENT ON and pg_dump's comment entries name the kind. */
static const char *kind_word(char kind)
{
    return kind == 'f' ? "CONSTRAINT" : kind == 't' ? "TRIGGER" : "RULE";
}

/* "foreign key", "trigger" or "rule", for log lines. */
static const char *kind_noun(char kind)
{
    return kind == 'f' ? "foreign key" : kind == 't' ? "trigger" : "rule";
}

/* The table's name without its schema, as pg_dump's comment tags spell it (quoted if needed). */
static const char *unqualified(const struct copy_deferred_object *o)
{
    /* table is "schema.name" with both parts quoted as needed: skip the schema part. */
    char *qschema = pgq_ident_dup(o->schema);
    size_t skip = strlen(qschema) + 1;
    free(qschema);
    return strlen(o->table) > skip ? o->table + skip : o->table;
}

void copy_deferred_skip(const struct copy_deferred *d, struct schema_object_id **ids, int *n,
                        strlist *comments)
{
    *ids = xrealloc(*ids, (size_t) (*n + d->n + 1) * sizeof(**ids));
    for (int i = 0; i < d->n; i++) {
        const struct copy_deferred_object *o = &d->objects[i];
        (*ids)[(*n)++] = o->id;
        if (o->comment == NULL)
            continue;
        /* pg_restore --list: "ID; 0 0 COMMENT schema CONSTRAINT name ON table owner" */
        char *qname = pgq_ident_dup(o->name);
        sl_push_owned(comments, xasprintf("COMMENT %s %s %s ON %s ", o->schema, kind_word(o->kind),
                                          qname, unqualified(o)));
        free(qname);
    }
}

/* ALTER TABLE ... ENABLE ALWAYS / ENABLE REPLICA / DISABLE TRIGGER|RULE, per its state. */
static char *enable_statement(const struct copy_deferred_object *o, const char *qname)
{
    const char *how = o->enabled == 'A'   ? "ENABLE ALWAYS"
                      : o->enabled == 'R' ? "ENABLE REPLICA"
                      : o->enabled == 'D' ? "DISABLE"
                                          : NULL;
    if (how == NULL || o->kind == 'f')
        return NULL;
    return xasprintf("ALTER TABLE %s %s %s %s", o->table, how, kind_word(o->kind), qname);
}

void copy_deferred_statements(const struct copy_deferred_object *o, strlist *out)
{
    char *qname = pgq_ident_dup(o->name);
    if (o->kind == 'f')
        sl_push_owned(out,
                      xasprintf("ALTER TABLE %s%s ADD CONSTRAINT %s %s",
                                o->partitioned ? "" : "ONLY ", o->table, qname, o->definition));
    else
        sl_push(out, o->definition); /* CREATE TRIGGER / CREATE RULE */
    char *enable = enable_statement(o, qname);
    if (enable)
        sl_push_owned(out, enable);
    if (o->comment) {
        strbuf sql = STRBUF_INIT;
        sb_printf(&sql, "COMMENT ON %s %s ON %s IS ", kind_word(o->kind), qname, o->table);
        pgq_literal(&sql, o->comment);
        sl_push_owned(out, sb_steal(&sql));
    }
    free(qname);
}

/* Does have hold an object of o's kind, table and name? */
static bool present(const struct copy_deferred *have, const struct copy_deferred_object *o)
{
    for (int i = 0; i < have->n; i++) {
        const struct copy_deferred_object *h = &have->objects[i];
        if (h->kind == o->kind && strcmp(h->table, o->table) == 0 && strcmp(h->name, o->name) == 0)
            return true;
    }
    return false;
}

bool copy_deferred_create(pgconn *dst, const struct copy_deferred *d, _Atomic int *fkeys_done)
{
    struct copy_deferred have;
    if (!copy_deferred_load(dst, &have))
        return false;
    bool ok = true;
    for (int i = 0; ok && i < d->n; i++) {
        const struct copy_deferred_object *o = &d->objects[i];
        if (present(&have, o)) {
            if (o->kind == 'f' && fkeys_done)
                atomic_fetch_add(fkeys_done, 1);
            continue;
        }
        strlist stmts = STRLIST_INIT;
        copy_deferred_statements(o, &stmts);
        double t0 = time_now();
        ok = pgconn_exec(dst, "BEGIN");
        for (size_t s = 0; ok && s < stmts.n; s++)
            ok = pgconn_exec(dst, stmts.items[s]);
        ok = ok && pgconn_exec(dst, "COMMIT");
        if (!ok) {
            log_error("could not create %s %s on %s", kind_noun(o->kind), o->name, o->table);
            /* The error of the statement that failed stays on dst for the caller. */
            if (!pgconn_exec_quiet(dst, "ROLLBACK"))
                log_debug("could not roll back on the target either");
        } else {
            if (o->kind == 'f' && fkeys_done)
                atomic_fetch_add(fkeys_done, 1);
            log_info("created %s %s on %s (%.1fs)", kind_noun(o->kind), o->name, o->table,
                     time_now() - t0);
        }
        sl_free(&stmts);
    }
    copy_deferred_free(&have);
    return ok;
}
