/* apply_sql.c — statement text for the change applier (see apply_sql.h). */
#include "cdc/apply_sql.h"
#include "pg/quote.h"

#include <string.h>

static void append_target(strbuf *out, const struct cdc_sql_table *t)
{
    if (t->relkind != 'p')
        sb_append(out, "ONLY ");
    pgq_qualified(out, t->schema, t->name);
}

/* Appends the conditions for codes (AND-joined); returns how many were written. */
static int append_conditions(strbuf *out, const struct cdc_sql_table *t, const uint8_t *codes,
                             bool text_compare, int *param, int written)
{
    for (int i = 0; i < t->ncols; i++) {
        if (codes[i] == CDC_SQL_SKIP)
            continue;
        if (written++)
            sb_append(out, " AND ");
        const struct cdc_sql_column *col = &t->cols[i];
        if (codes[i] == CDC_SQL_IS_NULL) {
            pgq_ident(out, col->name);
            sb_append(out, " IS NULL");
        } else if (text_compare && !col->has_eq) {
            /* The source's text goes through the target type's input and output, so both
               sides are printed the same way. */
            sb_appendc(out, '(');
            pgq_ident(out, col->name);
            sb_printf(out, ")::text = ($%d::%s)::text", ++*param, col->type);
        } else {
            pgq_ident(out, col->name);
            sb_printf(out, " = $%d", ++*param);
        }
    }
    return written;
}

/* WHERE ... for UPDATE/DELETE (and the row check of an UPDATE that sets nothing). */
static void append_where(strbuf *out, const struct cdc_sql_table *t, const uint8_t *shape,
                         int *param)
{
    const uint8_t *where = shape + 2 + t->ncols;
    const uint8_t *guard = shape + 2 + 2 * (size_t) t->ncols;
    bool update = shape[0] == CDC_SQL_UPDATE;
    int written = 0;
    sb_append(out, " WHERE ");
    if (shape[1] == CDC_SQL_MATCH_ROW) {
        bool parted = t->relkind == 'p';
        sb_append(out, parted ? "(tableoid, ctid) = (SELECT tableoid, ctid FROM "
                              : "ctid = (SELECT ctid FROM ");
        append_target(out, t);
        sb_append(out, " WHERE ");
        if (append_conditions(out, t, where, true, param, 0) == 0)
            sb_append(out, "FALSE");
        sb_append(out, " LIMIT 1)");
        written = 1;
    } else {
        written = append_conditions(out, t, where, false, param, 0);
        if (written == 0) {
            sb_append(out, "FALSE");
            written = 1;
        }
    }
    if (update)
        append_conditions(out, t, guard, false, param, written);
}

/* How many columns set marks PARAM. */
static int count_set(const struct cdc_sql_table *t, const uint8_t *set)
{
    int n = 0;
    for (int i = 0; i < t->ncols; i++)
        n += set[i] == CDC_SQL_PARAM;
    return n;
}

/*
 * The columns set marks PARAM, comma-separated: "a, b" when ref is NULL (an
 * INSERT's column list), else "a = REF1, b = REF2" (an UPDATE's SET list;
 * ref "$" or "v.c", numbered from *param). True when one of them is a
 * GENERATED ALWAYS identity (an INSERT needs OVERRIDING SYSTEM VALUE).
 */
static bool append_set_columns(strbuf *out, const struct cdc_sql_table *t, const uint8_t *set,
                               const char *ref, int *param)
{
    bool overriding = false;
    for (int i = 0, n = 0; i < t->ncols; i++) {
        if (set[i] != CDC_SQL_PARAM)
            continue;
        if (n++)
            sb_append(out, ", ");
        pgq_ident(out, t->cols[i].name);
        if (ref)
            sb_printf(out, " = %s%d", ref, ++*param);
        overriding |= t->cols[i].identity_always;
    }
    return overriding;
}

/* " (a, b" — the columns an INSERT sets (the caller closes the list); see append_set_columns. */
static bool insert_columns(strbuf *out, const struct cdc_sql_table *t, const uint8_t *set)
{
    sb_append(out, " (");
    return append_set_columns(out, t, set, NULL, NULL);
}

int cdc_sql_build(strbuf *out, const struct cdc_sql_table *t, const uint8_t *shape)
{
    const uint8_t *set = shape + 2;
    int param = 0;
    int nset = count_set(t, set);

    switch ((enum cdc_sql_op) shape[0]) {
    case CDC_SQL_INSERT: {
        sb_append(out, "INSERT INTO ");
        pgq_qualified(out, t->schema, t->name);
        if (nset == 0) {
            sb_append(out, " DEFAULT VALUES");
            break;
        }
        bool overriding = insert_columns(out, t, set);
        sb_append(out, overriding ? ") OVERRIDING SYSTEM VALUE VALUES (" : ") VALUES (");
        for (int i = 0; i < nset; i++)
            sb_printf(out, i ? ", $%d" : "$%d", ++param);
        sb_appendc(out, ')');
        break;
    }
    case CDC_SQL_UPDATE:
        if (nset == 0) {
            sb_append(out, "SELECT 1 FROM ");
            append_target(out, t);
        } else {
            sb_append(out, "UPDATE ");
            append_target(out, t);
            sb_append(out, " SET ");
            append_set_columns(out, t, set, "$", &param);
        }
        append_where(out, t, shape, &param);
        break;
    case CDC_SQL_DELETE:
        sb_append(out, "DELETE FROM ");
        append_target(out, t);
        append_where(out, t, shape, &param);
        break;
    }
    return param;
}

/* ROWS FROM (pg_catalog.unnest($1::type[]), ...) AS v (c1, ...) over the PARAM columns. */
static int append_rows_from(strbuf *out, const struct cdc_sql_table *t, const uint8_t *shape)
{
    int n = 0;
    sb_append(out, "ROWS FROM (");
    for (int section = 0; section < 3; section++) {
        const uint8_t *codes = shape + 2 + (size_t) section * t->ncols;
        for (int i = 0; i < t->ncols; i++) {
            if (codes[i] != CDC_SQL_PARAM || (section == 2 && shape[0] != CDC_SQL_UPDATE))
                continue;
            sb_printf(out, n ? ", pg_catalog.unnest($%d::%s)" : "pg_catalog.unnest($%d::%s)", n + 1,
                      t->cols[i].array_type ? t->cols[i].array_type : "text[]");
            n++;
        }
    }
    sb_append(out, ") AS v (");
    for (int j = 1; j <= n; j++)
        sb_printf(out, j > 1 ? ", c%d" : "c%d", j);
    sb_appendc(out, ')');
    return n;
}

/* pgshuttle_t.col = v.cN AND ... for the codes of one section (numbered from *param). */
static int append_grouped_conditions(strbuf *out, const struct cdc_sql_table *t,
                                     const uint8_t *codes, int *param, int written)
{
    for (int i = 0; i < t->ncols; i++) {
        if (codes[i] == CDC_SQL_SKIP)
            continue;
        if (written++)
            sb_append(out, " AND ");
        sb_append(out, "pgshuttle_t.");
        pgq_ident(out, t->cols[i].name);
        if (codes[i] == CDC_SQL_IS_NULL)
            sb_append(out, " IS NULL");
        else
            sb_printf(out, " = v.c%d", ++*param);
    }
    return written;
}

int cdc_sql_build_grouped(strbuf *out, const struct cdc_sql_table *t, const uint8_t *shape)
{
    const uint8_t *set = shape + 2, *where = shape + 2 + t->ncols,
                  *guard = shape + 2 + 2 * (size_t) t->ncols;
    int param = 0, n = 0;
    int nset = count_set(t, set);
    switch ((enum cdc_sql_op) shape[0]) {
    case CDC_SQL_INSERT: {
        sb_append(out, "INSERT INTO ");
        pgq_qualified(out, t->schema, t->name);
        bool overriding = insert_columns(out, t, set);
        sb_append(out, overriding ? ") OVERRIDING SYSTEM VALUE SELECT " : ") SELECT ");
        for (int j = 1; j <= nset; j++)
            sb_printf(out, j > 1 ? ", v.c%d" : "v.c%d", j);
        sb_append(out, " FROM ");
        n = append_rows_from(out, t, shape);
        return n;
    }
    case CDC_SQL_UPDATE:
        if (nset == 0) {
            sb_append(out, "SELECT 1 FROM ");
            append_target(out, t);
            sb_append(out, " AS pgshuttle_t, ");
        } else {
            sb_append(out, "UPDATE ");
            append_target(out, t);
            sb_append(out, " AS pgshuttle_t SET ");
            append_set_columns(out, t, set, "v.c", &param);
            sb_append(out, " FROM ");
        }
        break;
    case CDC_SQL_DELETE:
        sb_append(out, "DELETE FROM ");
        append_target(out, t);
        sb_append(out, " AS pgshuttle_t USING ");
        break;
    }
    n = append_rows_from(out, t, shape);
    sb_append(out, " WHERE ");
    int written = append_grouped_conditions(out, t, where, &param, 0);
    if (shape[0] == CDC_SQL_UPDATE)
        written = append_grouped_conditions(out, t, guard, &param, written);
    if (written == 0)
        sb_append(out, "FALSE");
    return n;
}

void cdc_sql_array_element(strbuf *out, const char *value)
{
    if (value == NULL) {
        sb_append(out, "NULL");
        return;
    }
    sb_appendc(out, '"');
    const char *run = value;
    for (const char *p = value; *p; p++) {
        if (*p == '"' || *p == '\\') {
            sb_appendn(out, run, (size_t) (p - run));
            sb_appendc(out, '\\');
            run = p;
        }
    }
    sb_append(out, run);
    sb_appendc(out, '"');
}

void cdc_sql_truncate(strbuf *out, const struct cdc_sql_table *const *tables, int n,
                      bool restart_identity, bool cascade)
{
    sb_append(out, "TRUNCATE ");
    for (int i = 0; i < n; i++) {
        if (i)
            sb_append(out, ", ");
        append_target(out, tables[i]);
    }
    if (restart_identity)
        sb_append(out, " RESTART IDENTITY");
    if (cascade)
        sb_append(out, " CASCADE");
}
