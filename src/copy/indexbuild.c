/* indexbuild.c — index, constraint and foreign key statements (see indexbuild.h). */
#include "copy/indexbuild.h"
#include "pg/quote.h"
#include "util/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CATALOG_PG_CLASS      1259
#define CATALOG_PG_CONSTRAINT 2606

/* The first statement adds the constraint itself (not an index built first and attached). */
static bool constraint_first(const struct cat_index *x)
{
    bool pk_or_unique = x->constraint_type == 'p' || x->constraint_type == 'u';
    return x->constraint_type && !(pk_or_unique && x->simple_btree);
}

void copy_index_statements(const struct copy_catalog *cat, const struct cat_index *x,
                           strlist *stmts)
{
    const struct cat_table *t = &cat->tables[x->table];
    char *qindex = pgq_qualified_dup(x->schema, x->name);
    bool pk_or_unique = x->constraint_type == 'p' || x->constraint_type == 'u';

    if (constraint_first(x)) {
        char *qcon = pgq_ident_dup(x->constraint_name);
        sl_push_owned(stmts, xasprintf("ALTER TABLE ONLY %s ADD CONSTRAINT %s %s", t->qname, qcon,
                                       x->constraint_def));
        free(qcon);
    } else {
        sl_push(stmts, x->indexdef);
        if (pk_or_unique) {
            char *qcon = pgq_ident_dup(x->constraint_name);
            char *qname = pgq_ident_dup(x->name);
            sl_push_owned(stmts,
                          xasprintf("ALTER TABLE ONLY %s ADD CONSTRAINT %s %s USING INDEX %s%s%s",
                                    t->qname, qcon,
                                    x->constraint_type == 'p' ? "PRIMARY KEY" : "UNIQUE", qname,
                                    x->is_deferrable ? " DEFERRABLE" : "",
                                    x->is_deferred ? " INITIALLY DEFERRED" : ""));
            free(qcon);
            free(qname);
        }
    }
    if (x->stat_targets) {
        /* "attnum=target,..." for expression columns with a statistics target */
        strlist items = STRLIST_INIT;
        sl_split(&items, x->stat_targets, ',');
        for (size_t i = 0; i < items.n; i++) {
            int attnum, target;
            if (sscanf(items.items[i], "%d=%d", &attnum, &target) == 2)
                sl_push_owned(stmts, xasprintf("ALTER INDEX %s ALTER COLUMN %d SET STATISTICS %d",
                                               qindex, attnum, target));
        }
        sl_free(&items);
    }
    if (x->is_clustered)
        sl_push_owned(stmts, xasprintf("ALTER TABLE %s CLUSTER ON %s", t->qname,
                                       strchr(qindex, '.') + 1));
    if (x->is_replident)
        sl_push_owned(stmts, xasprintf("ALTER TABLE ONLY %s REPLICA IDENTITY USING INDEX %s",
                                       t->qname, strchr(qindex, '.') + 1));
    free(qindex);
}

int copy_index_steps_done(const struct cat_index *x, bool built, bool constrained)
{
    if (constraint_first(x))
        return constrained ? 1 : 0;
    if (x->constraint_type && constrained)
        return 2;
    return built ? 1 : 0;
}

void copy_fkey_statement(const struct copy_catalog *cat, const struct cat_fkey *f, strbuf *sql)
{
    sb_reset(sql);
    sb_printf(sql, "ALTER TABLE ONLY %s ADD CONSTRAINT ", cat->tables[f->table].qname);
    pgq_ident(sql, f->name);
    sb_printf(sql, " %s", f->definition);
}

struct schema_object_id *copy_built_objects(const struct copy_catalog *cat, int *n)
{
    struct schema_object_id *ids =
        xcalloc((size_t) (2 * cat->nindexes + cat->nfkeys + 1), sizeof(*ids));
    int k = 0;
    for (int i = 0; i < cat->nindexes; i++) {
        ids[k++] = (struct schema_object_id){CATALOG_PG_CLASS, cat->indexes[i].oid};
        if (cat->indexes[i].constraint_oid)
            ids[k++] =
                (struct schema_object_id){CATALOG_PG_CONSTRAINT, cat->indexes[i].constraint_oid};
    }
    for (int i = 0; i < cat->nfkeys; i++)
        ids[k++] = (struct schema_object_id){CATALOG_PG_CONSTRAINT, cat->fkeys[i].oid};
    *n = k;
    return ids;
}
