/*
 * applier_stmt.c — one change into one statement in the pipeline (its
 * result is checked by applier_result.c).
 *
 * The hot path: the change's tuples are viewed by target column (pointers,
 * no copies), the statement's shape is computed into a reused buffer and
 * looked up in the statement cache by hash (applier_send.c); a new shape is
 * prepared once (queued in the same pipeline, ahead of its first execution). Parameters
 * are pointers into the change: libpq copies them into its send buffer, or
 * applier_group.c into the table's group when the change can wait to go
 * with others of its shape.
 *
 * How a row is found, for UPDATE and DELETE:
 *   1. by the target's key (replica identity index, else primary key) when
 *      the old tuple (or, when none was sent, the new tuple) holds every key
 *      column;
 *   2. else by the whole old row when one was sent (REPLICA IDENTITY FULL),
 *      exactly one row: test_decoding leaves NULL columns out of old rows,
 *      so there an absent column means IS NULL;
 *   3. else by the source's key columns (pgoutput flags them), one row;
 *   4. else it cannot be found: an error.
 * A GENERATED ALWAYS identity column cannot be assigned by an UPDATE: it is
 * left out of SET and its new value is required of the row instead, so an
 * update that changed it fails loudly rather than diverging silently.
 */
#include "cdc/applier_internal.h"
#include "cdc/test_decoding.h"
#include "util/mem.h"

#include <stdlib.h>
#include <string.h>

static void ensure_scratch(cdc_applier *a, int ncols)
{
    if (ncols <= a->scratch_cols && a->key)
        return;
    int n = ncols > 16 ? ncols : 16;
    a->newv = xrealloc(a->newv, (size_t) n * sizeof(*a->newv));
    a->oldv = xrealloc(a->oldv, (size_t) n * sizeof(*a->oldv));
    a->params = xrealloc(a->params, (size_t) 3 * n * sizeof(*a->params));
    a->key = xrealloc(a->key, APPLY_KEY_PREFIX + CDC_SQL_SHAPE_LEN(n));
    a->scratch_cols = n;
}

/*
 * Points out[target column] at the tuple's values (NULL: not sent). Returns
 * the name of a column the target table does not have, or NULL.
 */
static const char *view_tuple(const struct apply_table *t, const struct apply_relmap *m,
                              const struct cdc_tuple *tup, const struct cdc_value **out)
{
    for (int i = 0; i < t->sql.ncols; i++)
        out[i] = NULL;
    if (m) {
        for (int i = 0; i < tup->ncols; i++)
            if (m->map[i] >= 0)
                out[m->map[i]] = &tup->values[i];
        return NULL;
    }
    for (int i = 0; i < tup->ncols; i++) {
        const char *name = tup->names[i];
        int idx = apply__column(t, name);
        if (idx < 0) {
            /* Before 12, tables WITH OIDS print a leading oid[oid]: no column of the target. */
            if (i == 0 && strcmp(name, "oid") == 0 && tup->types && tup->types[0] &&
                strcmp(tup->types[0], "oid") == 0)
                continue;
            return name;
        }
        if (!t->sql.cols[idx].generated)
            out[idx] = &tup->values[i];
    }
    return NULL;
}

static bool is_text(const struct cdc_value *v)
{
    return v && v->kind == CDC_VALUE_TEXT;
}

/* Fills shape[1] and the where codes from src (see the file comment); false when impossible. */
static bool choose_match(cdc_applier *a, const struct apply_table *t, const struct apply_relmap *m,
                         const struct cdc_change *c, const struct cdc_value **src, uint8_t *shape)
{
    int n = t->sql.ncols;
    uint8_t *where = cdc_sql_where(shape, n);
    bool key_ok = t->nkey > 0;
    for (int i = 0; i < n && key_ok; i++)
        if (t->sql.cols[i].is_key && !is_text(src[i]))
            key_ok = false;
    if (key_ok) {
        shape[1] = CDC_SQL_MATCH_KEY;
        for (int i = 0; i < n; i++)
            if (t->sql.cols[i].is_key)
                where[i] = CDC_SQL_PARAM;
        return true;
    }
    shape[1] = CDC_SQL_MATCH_ROW;
    int used = 0;
    if (c->has_old && !c->old_is_key) {
        for (int i = 0; i < n; i++) {
            const struct cdc_value *v = src[i];
            if (t->sql.cols[i].generated)
                continue;
            if (v == NULL) {
                /* pgoutput: not in the relation; test_decoding: a NULL left out of the old row */
                if (m == NULL) {
                    where[i] = CDC_SQL_IS_NULL;
                    used++;
                }
            } else if (v->kind != CDC_VALUE_UNCHANGED_TOAST) {
                where[i] = v->kind == CDC_VALUE_TEXT ? CDC_SQL_PARAM : CDC_SQL_IS_NULL;
                used++;
            }
        }
    } else if (m) {
        for (int j = 0; j < m->rel->ncols; j++) {
            int i = m->map[j];
            if (!m->rel->columns[j].is_key || i < 0 || src[i] == NULL ||
                src[i]->kind == CDC_VALUE_UNCHANGED_TOAST)
                continue;
            where[i] = src[i]->kind == CDC_VALUE_TEXT ? CDC_SQL_PARAM : CDC_SQL_IS_NULL;
            used++;
        }
    }
    if (used == 0) {
        apply__fail(a, "55000",
                    "%s %s: cannot find the row: the change carries no key (the table needs a "
                    "primary key or REPLICA IDENTITY FULL on the source)",
                    apply__op_words(c->kind == CDC_UPDATE ? CDC_SQL_UPDATE : CDC_SQL_DELETE),
                    t->qualified);
        return false;
    }
    return true;
}

/* The table a change names, loaded; *m set for pgoutput. NULL with *skip when not applied. */
static struct apply_table *change_table(cdc_applier *a, const struct cdc_change *c,
                                        struct apply_relmap **m, bool *skip)
{
    *m = NULL;
    *skip = false;
    struct apply_table *t;
    if (c->table) {
        t = apply__table(a, c->schema ? c->schema : "", c->table);
    } else {
        if ((*m = apply__relmap(a, c->relid, false)) == NULL)
            return NULL;
        t = (*m)->table;
    }
    if (!t->included || (t->insert_only && c->kind != CDC_INSERT)) {
        *skip = true;
        return NULL;
    }
    if (*m) {
        if ((*m = apply__relmap(a, c->relid, true)) == NULL)
            return NULL;
        return (*m)->table;
    }
    return apply__load(a, t) ? t : NULL;
}

static bool apply_dml(cdc_applier *a, const struct cdc_change *c)
{
    struct apply_relmap *m;
    bool skip;
    struct apply_table *t = change_table(a, c, &m, &skip);
    if (skip) {
        a->n_skipped++;
        return true;
    }
    if (t == NULL)
        return false;
    if (m && (c->new_tuple.ncols > m->rel->ncols || c->old_tuple.ncols > m->rel->ncols)) {
        apply__fail(a, "XX000", "%s %s: the change has more columns than its RELATION",
                    cdc_kind_name(c->kind), t->qualified);
        return false;
    }
    if (m == NULL && ((c->new_tuple.ncols && !c->new_tuple.names) ||
                      (c->old_tuple.ncols && !c->old_tuple.names))) {
        apply__fail(a, "XX000", "%s %s: a tuple without column names", cdc_kind_name(c->kind),
                    t->qualified);
        return false;
    }
    /* Columns the cached definition lacks: the table may have changed; read it once more. */
    for (int attempt = 0;; attempt++) {
        ensure_scratch(a, t->sql.ncols);
        const char *missing = view_tuple(t, m, &c->new_tuple, a->newv);
        if (missing == NULL && c->has_old)
            missing = view_tuple(t, m, &c->old_tuple, a->oldv);
        if (missing == NULL)
            break;
        if (attempt > 0 || m) {
            apply__fail(a, "42703", "column %s of table %s is not on the target", missing,
                        t->qualified);
            return false;
        }
        if ((t = apply__reload(a, t)) == NULL)
            return false;
    }

    int n = t->sql.ncols;
    size_t keylen = APPLY_KEY_PREFIX + CDC_SQL_SHAPE_LEN(n);
    memcpy(a->key, &t->id, sizeof(uint32_t));
    a->key[sizeof(uint32_t)] = 0; /* the one-row form */
    uint8_t *shape = a->key + APPLY_KEY_PREFIX;
    memset(shape, 0, CDC_SQL_SHAPE_LEN(n));
    uint8_t *set = cdc_sql_set(shape), *where = cdc_sql_where(shape, n),
            *guard = cdc_sql_guard(shape, n);
    const struct cdc_value **newv = a->newv;
    const struct cdc_value **src = c->has_old ? a->oldv : a->newv;

    switch (c->kind) {
    case CDC_INSERT:
        shape[0] = CDC_SQL_INSERT;
        for (int i = 0; i < n; i++)
            if (newv[i] && newv[i]->kind != CDC_VALUE_UNCHANGED_TOAST)
                set[i] = CDC_SQL_PARAM;
        break;
    case CDC_UPDATE:
        shape[0] = CDC_SQL_UPDATE;
        if (!choose_match(a, t, m, c, src, shape))
            return false;
        for (int i = 0; i < n; i++) {
            const struct cdc_sql_column *col = &t->sql.cols[i];
            const struct cdc_value *v = newv[i];
            if (v == NULL || v->kind == CDC_VALUE_UNCHANGED_TOAST || col->generated)
                continue;
            if (col->identity_always) {
                if (v->kind == CDC_VALUE_TEXT && !(src == newv && where[i] == CDC_SQL_PARAM))
                    guard[i] = CDC_SQL_PARAM;
                continue;
            }
            /* Without an old tuple the key did not change: no need to set it. */
            if (!c->has_old && shape[1] == CDC_SQL_MATCH_KEY && col->is_key)
                continue;
            set[i] = CDC_SQL_PARAM;
        }
        break;
    case CDC_DELETE:
        shape[0] = CDC_SQL_DELETE;
        if (!c->has_old) {
            apply__fail(a, "55000",
                        "DELETE from %s without the old row: the table has no replica identity "
                        "on the source",
                        t->qualified);
            return false;
        }
        if (!choose_match(a, t, m, c, src, shape))
            return false;
        break;
    default:
        break;
    }

    int np = 0, nset = 0, nkeys = 0;
    bool arrays_ok = true;
    for (int i = 0; i < n; i++)
        if (set[i] == CDC_SQL_PARAM) {
            a->params[np++] = newv[i]->kind == CDC_VALUE_TEXT ? newv[i]->data : NULL;
            arrays_ok &= t->sql.cols[i].array_type != NULL;
        }
    nset = np;
    for (int i = 0; i < n; i++)
        if (where[i] == CDC_SQL_PARAM) {
            a->params[np++] = src[i]->data;
            arrays_ok &= t->sql.cols[i].array_type != NULL;
        }
    nkeys = np - nset;
    for (int i = 0; i < n; i++)
        if (guard[i] == CDC_SQL_PARAM) {
            a->params[np++] = newv[i]->data;
            arrays_ok &= t->sql.cols[i].array_type != NULL;
        }

    struct apply_stmt *s = apply__stmt(a, t, a->key, keylen);
    /* Grouped: inserts with columns, and updates (key unchanged) and deletes found by key. */
    bool groupable = arrays_ok && !t->fires_in_replica &&
                     (c->kind == CDC_INSERT ? nset > 0
                                            : shape[1] == CDC_SQL_MATCH_KEY &&
                                                  (c->kind == CDC_DELETE || !c->has_old));
    if (groupable) {
        if (!apply__group_add(a, t, s, nset, nkeys, np, a->params))
            return false;
    } else {
        /* Keep stream order: with the table's own waiting rows, or with everything when the
           table's triggers fire on a replica. */
        bool flushed = t->fires_in_replica ? apply__flush_groups(a) : apply__flush_table(a, t);
        if (!flushed || !apply__send(a, s, np, a->params, NULL, NULL, APPLY_TAG_EXEC))
            return false;
    }
    a->batch_changes++;
    if (c->kind == CDC_INSERT)
        a->n_inserts++;
    else if (c->kind == CDC_UPDATE)
        a->n_updates++;
    else
        a->n_deletes++;
    return true;
}

static bool apply_truncate(cdc_applier *a, const struct cdc_change *c)
{
    const struct cdc_sql_table **tables =
        xcalloc(c->nrelids ? (size_t) c->nrelids : 1, sizeof(*tables));
    strbuf names = STRBUF_INIT;
    int n = 0;
    bool ok = true;
    for (int i = 0; i < c->nrelids && ok; i++) {
        struct apply_table *t = NULL;
        if (c->relids) {
            struct apply_relmap *m = apply__relmap(a, c->relids[i], false);
            ok = m != NULL;
            t = ok ? m->table : NULL;
        } else {
            char *schema, *name;
            if (c->qualified == NULL || !cdc_testdec_split_name(c->qualified[i], &schema, &name)) {
                apply__fail(a, "XX000", "TRUNCATE of a table with a malformed name");
                ok = false;
                break;
            }
            t = apply__table(a, schema, name);
            free(schema);
            free(name);
        }
        if (!ok || !t->included)
            continue;
        if (!apply__load(a, t)) {
            ok = false;
            break;
        }
        if (n++)
            sb_append(&names, ", ");
        sb_append(&names, t->qualified);
        tables[n - 1] = &t->sql;
    }
    if (ok && n == 0)
        a->n_skipped++;
    /* Every waiting row goes first (TRUNCATE ... CASCADE may reach any table). */
    if (ok && n > 0 && !apply__flush_groups(a))
        ok = false;
    if (ok && n > 0) {
        sb_reset(&a->sql);
        cdc_sql_truncate(&a->sql, tables, n, c->restart_identity, c->cascade);
        sl_push_owned(&a->truncates, xasprintf("TRUNCATE of %s", sb_str(&names)));
        if (!pgpipe_send(a->pipe, sb_str(&a->sql), 0, NULL,
                         apply_control_tag(APPLY_CTL_TRUNCATE, a->truncates.n - 1))) {
            a->broken = true;
            apply__fail(a, pgconn_error_sqlstate(a->conn), "TRUNCATE of %s: %s", sb_str(&names),
                        pgconn_error_message(a->conn));
            ok = false;
        } else {
            a->batch_changes++;
            a->n_truncates++;
        }
    }
    sb_free(&names);
    free(tables);
    return ok;
}

bool apply__change(cdc_applier *a, const struct cdc_change *c)
{
    if (c->kind == CDC_TRUNCATE)
        return apply_truncate(a, c);
    return apply_dml(a, c);
}
