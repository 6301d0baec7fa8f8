/*
 * applier_meta.c — what the applier knows of the tables it writes to.
 *
 * Target tables are cached by (schema, name) and described from the target's
 * own catalog (sql/cdc_target_table.sql), never from the source's OIDs.
 * pgoutput's RELATION messages are cached by the source's relation OID and
 * mapped onto the target table's columns by name. When a RELATION brings a
 * different definition (ALTER TABLE on both sides), the cached target table
 * is retired: it and its prepared statements stay allocated while results of
 * the open batch may still point at them, and its next use reads the catalog
 * again.
 */
#include "cdc/applier_internal.h"
#include "pg/quote.h"
#include "util/log.h"
#include "util/mem.h"

#include "sql_embedded.h"

#include <stdlib.h>
#include <string.h>

static size_t table_key(strbuf *sb, const char *schema, const char *name)
{
    sb_reset(sb);
    sb_append(sb, schema);
    sb_appendc(sb, '\0');
    sb_append(sb, name);
    return sb->len;
}

struct apply_table *apply__table(cdc_applier *a, const char *schema, const char *name)
{
    strbuf key = STRBUF_INIT;
    size_t keylen = table_key(&key, schema, name);
    struct apply_table *t = hmap_get(&a->tables, key.data, keylen);
    if (t == NULL) {
        t = xcalloc(1, sizeof(*t));
        t->sql.schema = xstrdup(schema);
        t->sql.name = xstrdup(name);
        t->qualified = pgq_qualified_dup(schema, name);
        t->key_names = xstrdup("");
        t->included = a->cfg.tables == NULL || sl_contains(a->cfg.tables, t->qualified);
        t->insert_only = a->cfg.insert_only && sl_contains(a->cfg.insert_only, t->qualified);
        hmap_put(&a->tables, key.data, keylen, t);
    }
    sb_free(&key);
    return t;
}

int apply__column(const struct apply_table *t, const char *name)
{
    void *v = hmap_get(&t->colidx, name, strlen(name));
    return v ? (int) ((intptr_t) v - 1) : -1;
}

bool apply__load(cdc_applier *a, struct apply_table *t)
{
    if (t->loaded)
        return true;
    const char *params[2] = {t->sql.schema, t->sql.name};
    pgres *r;
    if (!pgconn_query_quiet(a->catalog, sql_text("cdc_target_table"), 2, params, &r)) {
        apply__fail(a, pgconn_error_sqlstate(a->catalog), "could not read the columns of %s: %s",
                    t->qualified, pgconn_error_message(a->catalog));
        return false;
    }
    int n = pgres_ntuples(r);
    if (n == 0) {
        pgres_free(r);
        apply__fail(a, "42P01", "table %s does not exist on the target", t->qualified);
        return false;
    }
    const char *relkind = pgres_getn(r, 0, "relkind");
    const char *replident = pgres_getn(r, 0, "replident");
    t->sql.relkind = relkind ? relkind[0] : 'r';
    t->fires_in_replica = pgres_get_bool(r, 0, "fires_in_replica");
    t->replident = replident ? replident[0] : 'd';
    /* A table without columns comes back as one row with a NULL name. */
    if (n == 1 && pgres_getn(r, 0, "name") == NULL)
        n = 0;
    t->sql.cols = xcalloc(n ? (size_t) n : 1, sizeof(*t->sql.cols));
    t->sql.ncols = n;
    strbuf keys = STRBUF_INIT;
    t->nkey = 0;
    for (int i = 0; i < n; i++) {
        struct cdc_sql_column *col = &t->sql.cols[i];
        col->name = xstrdup(pgres_getn(r, i, "name"));
        col->type = xstrdup(pgres_getn(r, i, "type"));
        const char *typoid = pgres_getn(r, i, "typoid");
        col->typoid = typoid ? (uint32_t) strtoul(typoid, NULL, 10) : 0;
        col->generated = pgres_get_bool(r, i, "generated");
        col->identity_always = pgres_get_bool(r, i, "identity_always");
        col->has_eq = pgres_get_bool(r, i, "has_eq");
        col->is_key = pgres_get_bool(r, i, "is_key");
        const char *array_type = pgres_getn(r, i, "array_type");
        col->array_type = array_type ? xstrdup(array_type) : NULL;
        const char *delim = pgres_getn(r, i, "delim");
        col->delim = delim && delim[0] ? delim[0] : ',';
        if (col->is_key) {
            if (t->nkey++)
                sb_append(&keys, ", ");
            pgq_ident(&keys, col->name);
        }
        hmap_put(&t->colidx, col->name, strlen(col->name), (void *) (intptr_t) (i + 1));
    }
    pgres_free(r);
    free(t->key_names);
    t->key_names = sb_steal(&keys);
    t->id = ++a->next_table_id;
    t->loaded = true;
    log_debug("%s: target table %s: %d columns, key (%s), kind %c, replica identity %c", a->label,
              t->qualified, t->sql.ncols, t->key_names, t->sql.relkind, t->replident);
    return true;
}

static void free_table(struct apply_table *t)
{
    for (struct apply_stmt *s = t->stmts, *next; s; s = next) {
        next = s->next;
        free(s->key);
        free(s->sql);
        free(s);
    }
    for (int i = 0; i < t->sql.ncols; i++) {
        free(t->sql.cols[i].name);
        free(t->sql.cols[i].type);
        free(t->sql.cols[i].array_type);
    }
    free(t->sql.cols);
    free(t->sql.schema);
    free(t->sql.name);
    free(t->qualified);
    free(t->key_names);
    hmap_free(&t->colidx);
    apply__free_group(t->group);
    free(t);
}

/*
 * Takes t out of the caches; it is freed with the other retired tables after
 * the batch. Its waiting rows are sent first (false if that failed).
 */
static bool retire(cdc_applier *a, struct apply_table *t)
{
    bool ok = apply__flush_table(a, t);
    strbuf key = STRBUF_INIT;
    size_t keylen = table_key(&key, t->sql.schema, t->sql.name);
    if (hmap_get(&a->tables, key.data, keylen) == t)
        hmap_remove(&a->tables, key.data, keylen);
    sb_free(&key);
    for (struct apply_stmt *s = t->stmts; s; s = s->next)
        hmap_remove(&a->stmts, s->key, s->keylen);
    /* Relations mapped onto t map again on their next use. */
    size_t pos = 0;
    void *v;
    while (hmap_next(&a->relmaps, &pos, NULL, NULL, &v)) {
        struct apply_relmap *m = v;
        if (m->table == t) {
            m->table = NULL;
            free(m->map);
            m->map = NULL;
        }
    }
    t->retired = true;
    t->next_retired = a->retired;
    a->retired = t;
    return ok;
}

struct apply_table *apply__reload(cdc_applier *a, struct apply_table *t)
{
    char *schema = xstrdup(t->sql.schema), *name = xstrdup(t->sql.name);
    bool ok = retire(a, t);
    struct apply_table *fresh = apply__table(a, schema, name);
    free(schema);
    free(name);
    return ok && apply__load(a, fresh) ? fresh : NULL;
}

void apply__free_retired(cdc_applier *a)
{
    while (a->retired) {
        struct apply_table *t = a->retired;
        a->retired = t->next_retired;
        free_table(t);
    }
}

static void free_relmap(struct apply_relmap *m)
{
    cdc_relation_free(m->rel);
    free(m->map);
    free(m);
}

void apply__free_caches(cdc_applier *a)
{
    size_t pos = 0;
    void *v;
    while (hmap_next(&a->relmaps, &pos, NULL, NULL, &v))
        free_relmap(v);
    hmap_free(&a->relmaps);
    pos = 0;
    while (hmap_next(&a->tables, &pos, NULL, NULL, &v))
        free_table(v);
    hmap_free(&a->tables);
    hmap_free(&a->stmts); /* the statements belong to their tables */
    apply__free_retired(a);
}

static bool same_text(const char *x, const char *y)
{
    return (x == NULL && y == NULL) || (x && y && strcmp(x, y) == 0);
}

static bool same_relation(const struct cdc_relation *x, const struct cdc_relation *y)
{
    if (!same_text(x->schema, y->schema) || !same_text(x->name, y->name) ||
        x->replident != y->replident || x->ncols != y->ncols)
        return false;
    for (int i = 0; i < x->ncols; i++) {
        const struct cdc_column *cx = &x->columns[i], *cy = &y->columns[i];
        if (!same_text(cx->name, cy->name) || cx->type_oid != cy->type_oid ||
            cx->typmod != cy->typmod || cx->is_key != cy->is_key)
            return false;
    }
    return true;
}

static struct cdc_relation *copy_relation(const struct cdc_relation *r)
{
    struct cdc_relation *c = xcalloc(1, sizeof(*c));
    c->relid = r->relid;
    c->schema = xstrdup(r->schema ? r->schema : "");
    c->name = xstrdup(r->name ? r->name : "");
    c->replident = r->replident;
    c->ncols = r->ncols;
    c->columns = xcalloc(r->ncols ? (size_t) r->ncols : 1, sizeof(*c->columns));
    for (int i = 0; i < r->ncols; i++) {
        c->columns[i] = r->columns[i];
        c->columns[i].name = xstrdup(r->columns[i].name ? r->columns[i].name : "");
        c->columns[i].type_name = xstrdup(r->columns[i].type_name);
    }
    return c;
}

bool apply__relation(cdc_applier *a, const struct cdc_relation *rel)
{
    if (rel == NULL || rel->name == NULL) {
        apply__fail(a, "XX000", "RELATION message without a relation");
        return false;
    }
    uint32_t relid = rel->relid;
    struct apply_relmap *old = hmap_get(&a->relmaps, &relid, sizeof(relid));
    /* pgoutput sends a RELATION again after every relcache invalidation: usually unchanged. */
    if (old && same_relation(old->rel, rel))
        return true;
    struct apply_relmap *m = xcalloc(1, sizeof(*m));
    m->rel = copy_relation(rel);
    hmap_put(&a->relmaps, &relid, sizeof(relid), m);
    if (old) {
        /* The table changed (or was renamed): read the target's definition again on next use. */
        struct apply_table *t = old->table;
        free_relmap(old);
        log_debug("%s: relation %u (%s.%s) changed", a->label, relid, rel->schema, rel->name);
        if (t && !t->retired && t->loaded)
            return retire(a, t);
    }
    return true;
}

/* Maps m's columns onto its table (loaded): by name; generated target columns are left out. */
static bool map_relation(cdc_applier *a, struct apply_relmap *m)
{
    struct apply_table *t = m->table;
    m->map = xmalloc((m->rel->ncols ? (size_t) m->rel->ncols : 1) * sizeof(*m->map));
    for (int i = 0; i < m->rel->ncols; i++) {
        int idx = apply__column(t, m->rel->columns[i].name);
        if (idx < 0) {
            apply__fail(a, "42703", "column %s of table %s is not on the target",
                        m->rel->columns[i].name, t->qualified);
            free(m->map);
            m->map = NULL;
            return false;
        }
        m->map[i] = t->sql.cols[idx].generated ? -1 : idx;
    }
    return true;
}

struct apply_relmap *apply__relmap(cdc_applier *a, uint32_t relid, bool need_table)
{
    struct apply_relmap *m = hmap_get(&a->relmaps, &relid, sizeof(relid));
    if (m == NULL) {
        apply__fail(a, "XX000", "change for relation %u before its RELATION message", relid);
        return NULL;
    }
    if (m->table == NULL)
        m->table = apply__table(a, m->rel->schema, m->rel->name);
    if (!need_table || !m->table->included || m->map)
        return m;
    if (!apply__load(a, m->table) || !map_relation(a, m))
        return NULL;
    return m;
}
