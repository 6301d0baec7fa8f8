/*
 * catalog.c — reading one source database's catalog for the copy (see
 * catalog.h). The queries live in sql/copy_*.sql.
 */
#include "copy/catalog.h"
#include "pg/quote.h"
#include "sql_embedded.h"
#include "util/log.h"
#include "util/mem.h"

#include <stdlib.h>
#include <string.h>

static char *dup_or_null(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

static uint32_t get_oid(const pgres *r, int row, const char *col)
{
    return (uint32_t) pgres_get_int64(r, row, col, 0);
}

static bool load_database(pgconn *src, struct copy_catalog *cat)
{
    pgres *r;
    if (!pgconn_query(src, sql_text("copy_database"), 0, NULL, &r))
        return false;
    if (pgres_ntuples(r) != 1) {
        pgres_free(r);
        log_error("%s: could not read the current database's properties", pgconn_label(src));
        return false;
    }
    struct cat_database *d = &cat->db;
    d->name = xstrdup(pgres_getn(r, 0, "name"));
    d->encoding = xstrdup(pgres_getn(r, 0, "encoding"));
    d->collate = xstrdup(pgres_getn(r, 0, "collate"));
    d->ctype = xstrdup(pgres_getn(r, 0, "ctype"));
    const char *prov = pgres_getn(r, 0, "locale_provider");
    d->locale_provider = prov ? prov[0] : 'c';
    d->icu_locale = dup_or_null(pgres_getn(r, 0, "icu_locale"));
    d->icu_rules = dup_or_null(pgres_getn(r, 0, "icu_rules"));
    d->owner = xstrdup(pgres_getn(r, 0, "owner"));
    d->conn_limit = (int) pgres_get_int64(r, 0, "conn_limit", -1);
    d->is_template = pgres_get_bool(r, 0, "is_template");
    d->comment = dup_or_null(pgres_getn(r, 0, "comment"));
    pgres_free(r);
    return true;
}

static bool load_database_extras(pgconn *src, struct cat_database *d)
{
    pgres *r;
    if (!pgconn_query(src, sql_text("copy_database_settings"), 0, NULL, &r))
        return false;
    d->nsettings = pgres_ntuples(r);
    d->settings = xcalloc((size_t) d->nsettings + 1, sizeof(struct cat_db_setting));
    for (int i = 0; i < d->nsettings; i++) {
        d->settings[i].role = dup_or_null(pgres_getn(r, i, "role"));
        d->settings[i].setting = xstrdup(pgres_getn(r, i, "setting"));
    }
    pgres_free(r);
    if (!pgconn_query(src, sql_text("copy_database_acl"), 0, NULL, &r))
        return false;
    int n = pgres_ntuples(r);
    d->grants = xcalloc((size_t) n + 1, sizeof(struct cat_db_grant));
    for (int i = 0; i < n; i++) {
        d->has_acl = d->has_acl || pgres_get_bool(r, i, "has_acl");
        const char *priv = pgres_getn(r, i, "privilege");
        if (priv == NULL)
            continue;
        struct cat_db_grant *g = &d->grants[d->ngrants++];
        g->grantee = pgres_get_bool(r, i, "is_public") ? NULL : dup_or_null(pgres_getn(r, i, "grantee"));
        g->privilege = xstrdup(priv);
        g->grantable = pgres_get_bool(r, i, "grantable");
    }
    pgres_free(r);
    return true;
}

static bool load_tables(pgconn *src, struct copy_catalog *cat)
{
    pgres *r;
    if (!pgconn_query(src, sql_text("copy_tables"), 0, NULL, &r))
        return false;
    cat->ntables = pgres_ntuples(r);
    cat->tables = xcalloc((size_t) cat->ntables + 1, sizeof(struct cat_table));
    for (int i = 0; i < cat->ntables; i++) {
        struct cat_table *t = &cat->tables[i];
        t->oid = get_oid(r, i, "oid");
        t->schema = xstrdup(pgres_getn(r, i, "schema"));
        t->name = xstrdup(pgres_getn(r, i, "name"));
        t->qname = pgq_qualified_dup(t->schema, t->name);
        const char *key = pgres_getn(r, i, "int_key");
        t->int_key = key ? pgq_ident_dup(key) : NULL;
        const char *pers = pgres_getn(r, i, "persistence");
        t->unlogged = pers && pers[0] == 'u';
        t->is_partition = pgres_get_bool(r, i, "is_partition");
        t->bytes = pgres_get_int64(r, i, "bytes", 0);
        t->heap_bytes = pgres_get_int64(r, i, "heap_bytes", 0);
        t->block_size = pgres_get_int64(r, i, "block_size", 8192);
        t->est_rows = pgres_get_int64(r, i, "est_rows", 0);
        t->binary_ok = true;
        cat->total_bytes += t->bytes;
    }
    pgres_free(r);
    return true;
}

/* Tables by oid for the joins below: the catalog is small, a linear scan is fine. */
int copy_catalog_table_index(const struct copy_catalog *cat, uint32_t oid)
{
    for (int i = 0; i < cat->ntables; i++)
        if (cat->tables[i].oid == oid)
            return i;
    return -1;
}

char *copy_catalog_table_oid_array(const struct copy_catalog *cat)
{
    strbuf sb = STRBUF_INIT;
    sb_appendc(&sb, '{');
    for (int i = 0; i < cat->ntables; i++)
        sb_printf(&sb, "%s%u", i ? "," : "", cat->tables[i].oid);
    sb_appendc(&sb, '}');
    return sb_steal(&sb);
}

static bool load_columns(pgconn *src, struct copy_catalog *cat, const char *oids)
{
    pgres *r;
    const char *params[] = {oids};
    if (!pgconn_query(src, sql_text("copy_columns"), 1, params, &r))
        return false;
    strbuf *cols = xcalloc((size_t) cat->ntables + 1, sizeof(strbuf));
    for (int i = 0; i < pgres_ntuples(r); i++) {
        int t = copy_catalog_table_index(cat, get_oid(r, i, "table_oid"));
        if (t < 0)
            continue;
        if (cols[t].len)
            sb_append(&cols[t], ", ");
        pgq_ident(&cols[t], pgres_getn(r, i, "name"));
        if (!pgres_get_bool(r, i, "binary_ok"))
            cat->tables[t].binary_ok = false;
    }
    for (int t = 0; t < cat->ntables; t++)
        cat->tables[t].columns = sb_steal(&cols[t]);
    free(cols);
    pgres_free(r);
    return true;
}

static bool load_indexes(pgconn *src, struct copy_catalog *cat, const char *oids)
{
    pgres *r;
    const char *params[] = {oids};
    if (!pgconn_query(src, sql_text("copy_indexes"), 1, params, &r))
        return false;
    int n = pgres_ntuples(r);
    cat->indexes = xcalloc((size_t) n + 1, sizeof(struct cat_index));
    for (int i = 0; i < n; i++) {
        int t = copy_catalog_table_index(cat, get_oid(r, i, "table_oid"));
        if (t < 0)
            continue;
        struct cat_index *x = &cat->indexes[cat->nindexes++];
        x->oid = get_oid(r, i, "oid");
        x->table_oid = cat->tables[t].oid;
        x->table = t;
        x->schema = xstrdup(pgres_getn(r, i, "schema"));
        x->name = xstrdup(pgres_getn(r, i, "name"));
        x->indexdef = xstrdup(pgres_getn(r, i, "indexdef"));
        x->bytes = pgres_get_int64(r, i, "bytes", 0);
        x->is_clustered = pgres_get_bool(r, i, "is_clustered");
        x->is_replident = pgres_get_bool(r, i, "is_replident");
        x->constraint_oid = get_oid(r, i, "constraint_oid");
        x->constraint_name = dup_or_null(pgres_getn(r, i, "constraint_name"));
        const char *ct = pgres_getn(r, i, "constraint_type");
        x->constraint_type = ct ? ct[0] : 0;
        x->constraint_def = dup_or_null(pgres_getn(r, i, "constraint_def"));
        x->is_deferrable = pgres_get_bool(r, i, "is_deferrable");
        x->is_deferred = pgres_get_bool(r, i, "is_deferred");
        x->simple_btree = pgres_get_bool(r, i, "simple_btree");
        x->stat_targets = dup_or_null(pgres_getn(r, i, "stat_targets"));
        cat->tables[t].nindexes++;
    }
    pgres_free(r);
    return true;
}

static bool load_fkeys(pgconn *src, struct copy_catalog *cat, const char *oids)
{
    pgres *r;
    const char *params[] = {oids};
    if (!pgconn_query(src, sql_text("copy_foreign_keys"), 1, params, &r))
        return false;
    int n = pgres_ntuples(r);
    cat->fkeys = xcalloc((size_t) n + 1, sizeof(struct cat_fkey));
    for (int i = 0; i < n; i++) {
        int t = copy_catalog_table_index(cat, get_oid(r, i, "table_oid"));
        int rt = copy_catalog_table_index(cat, get_oid(r, i, "ref_table_oid"));
        if (t < 0 || rt < 0)
            continue;
        struct cat_fkey *f = &cat->fkeys[cat->nfkeys++];
        f->oid = get_oid(r, i, "oid");
        f->table = t;
        f->ref_table = rt;
        f->name = xstrdup(pgres_getn(r, i, "name"));
        f->definition = xstrdup(pgres_getn(r, i, "definition"));
    }
    pgres_free(r);
    return true;
}

static bool load_sequences(pgconn *src, struct copy_catalog *cat)
{
    pgres *r;
    if (!pgconn_query(src, sql_text("copy_sequences"), 0, NULL, &r))
        return false;
    cat->nsequences = pgres_ntuples(r);
    cat->sequences = xcalloc((size_t) cat->nsequences + 1, sizeof(struct cat_sequence));
    for (int i = 0; i < cat->nsequences; i++)
        cat->sequences[i].qname =
            pgq_qualified_dup(pgres_getn(r, i, "schema"), pgres_getn(r, i, "name"));
    pgres_free(r);
    return true;
}

static bool load_large_objects(pgconn *src, struct copy_catalog *cat)
{
    pgres *r;
    if (!pgconn_query(src, sql_text("copy_large_objects"), 0, NULL, &r))
        return false;
    cat->nlarge_objects = pgres_ntuples(r);
    cat->large_objects = xcalloc((size_t) cat->nlarge_objects + 1, sizeof(struct cat_large_object));
    for (int i = 0; i < cat->nlarge_objects; i++) {
        struct cat_large_object *lo = &cat->large_objects[i];
        lo->oid = get_oid(r, i, "oid");
        lo->owner = xstrdup(pgres_getn(r, i, "owner"));
        lo->grants = dup_or_null(pgres_getn(r, i, "grants"));
        lo->comment = dup_or_null(pgres_getn(r, i, "comment"));
    }
    pgres_free(r);
    return true;
}

static bool load_names(pgconn *src, const char *query, strlist *into, bool qualify)
{
    pgres *r;
    if (!pgconn_query(src, sql_text(query), 0, NULL, &r))
        return false;
    for (int i = 0; i < pgres_ntuples(r); i++) {
        if (qualify)
            sl_push_owned(into, pgq_qualified_dup(pgres_get(r, i, 0), pgres_get(r, i, 1)));
        else
            sl_push(into, pgres_get(r, i, 0));
    }
    pgres_free(r);
    return true;
}

bool copy_catalog_load(pgconn *src, struct copy_catalog *cat)
{
    memset(cat, 0, sizeof(*cat));
    if (!load_database(src, cat) || !load_database_extras(src, &cat->db) || !load_tables(src, cat))
        return false;
    char *oids = copy_catalog_table_oid_array(cat);
    bool ok = load_columns(src, cat, oids) && load_indexes(src, cat, oids) &&
              load_fkeys(src, cat, oids) && load_sequences(src, cat) &&
              load_large_objects(src, cat) &&
              load_names(src, "copy_matviews", &cat->matviews, true) &&
              load_names(src, "roles_used", &cat->roles_used, false);
    free(oids);
    return ok;
}

void copy_catalog_free(struct copy_catalog *cat)
{
    struct cat_database *d = &cat->db;
    free(d->name);
    free(d->encoding);
    free(d->collate);
    free(d->ctype);
    free(d->icu_locale);
    free(d->icu_rules);
    free(d->owner);
    free(d->comment);
    for (int i = 0; i < d->nsettings; i++) {
        free(d->settings[i].role);
        free(d->settings[i].setting);
    }
    free(d->settings);
    for (int i = 0; i < d->ngrants; i++) {
        free(d->grants[i].grantee);
        free(d->grants[i].privilege);
    }
    free(d->grants);
    for (int i = 0; i < cat->ntables; i++) {
        struct cat_table *t = &cat->tables[i];
        free(t->schema);
        free(t->name);
        free(t->qname);
        free(t->columns);
        free(t->int_key);
    }
    free(cat->tables);
    for (int i = 0; i < cat->nindexes; i++) {
        struct cat_index *x = &cat->indexes[i];
        free(x->schema);
        free(x->name);
        free(x->indexdef);
        free(x->constraint_name);
        free(x->constraint_def);
        free(x->stat_targets);
    }
    free(cat->indexes);
    for (int i = 0; i < cat->nfkeys; i++) {
        free(cat->fkeys[i].name);
        free(cat->fkeys[i].definition);
    }
    free(cat->fkeys);
    for (int i = 0; i < cat->nsequences; i++)
        free(cat->sequences[i].qname);
    free(cat->sequences);
    for (int i = 0; i < cat->nlarge_objects; i++) {
        free(cat->large_objects[i].owner);
        free(cat->large_objects[i].grants);
        free(cat->large_objects[i].comment);
    }
    free(cat->large_objects);
    sl_free(&cat->matviews);
    sl_free(&cat->roles_used);
    memset(cat, 0, sizeof(*cat));
}
