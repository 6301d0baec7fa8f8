/*
 * objects_compare.c — comparing what the table checksums do not cover:
 * sequence positions (last_value, is_called of each sequence, matched by
 * name; sql/verify_sequences.sql) and large objects (matched by OID, which a
 * migration keeps, and compared by the md5 of their contents;
 * sql/verify_large_objects.sql).
 */
#include "pg/quote.h"
#include "sql_embedded.h"
#include "util/mem.h"
#include "verify/internal.h"

#include <stdlib.h>
#include <string.h>

struct named_value {
    char *name;  /* owned: quoted schema.name (sequences) or the OID (large objects) */
    int64_t key; /* large objects: the OID */
    char *value; /* owned: "last_value 42, is_called true" or an md5; NULL if unreadable */
    char *error; /* owned: why value is NULL */
};

struct named_values {
    struct named_value *items; /* owned array */
    size_t n;
};

static void named_values_free(struct named_values *v)
{
    for (size_t i = 0; i < v->n; i++) {
        free(v->items[i].name);
        free(v->items[i].value);
        free(v->items[i].error);
    }
    free(v->items);
    memset(v, 0, sizeof(*v));
}

static int cmp_by_name(const void *a, const void *b)
{
    return strcmp(((const struct named_value *) a)->name, ((const struct named_value *) b)->name);
}

static int cmp_by_key(const void *a, const void *b)
{
    int64_t x = ((const struct named_value *) a)->key, y = ((const struct named_value *) b)->key;
    return x < y ? -1 : x > y;
}

/* Lists the sequences of one side with their positions. */
static bool load_sequences(pgconn *c, struct named_values *out)
{
    pgres *r;
    if (!pgconn_query(c, sql_text("verify_sequences"), 0, NULL, &r))
        return false;
    out->n = (size_t) pgres_ntuples(r);
    out->items = xcalloc(out->n + 1, sizeof(*out->items));
    strbuf sql = STRBUF_INIT;
    for (size_t i = 0; i < out->n; i++) {
        struct named_value *v = &out->items[i];
        v->name =
            pgq_qualified_dup(pgres_getn(r, (int) i, "schema"), pgres_getn(r, (int) i, "name"));
        sb_reset(&sql);
        sb_printf(&sql, "SELECT last_value, is_called FROM %s", v->name);
        pgres *s;
        if (pgconn_query_quiet(c, sb_str(&sql), 0, NULL, &s)) {
            const char *called = pgres_get(s, 0, 1);
            v->value = xasprintf("last_value %s, is_called %s",
                                 pgres_get(s, 0, 0) ? pgres_get(s, 0, 0) : "NULL",
                                 called && called[0] == 't' ? "true" : "false");
            pgres_free(s);
        } else {
            v->error = xstrdup(pgconn_error_message(c));
            pgconn_clear_error(c);
        }
    }
    sb_free(&sql);
    pgres_free(r);
    qsort(out->items, out->n, sizeof(*out->items), cmp_by_name);
    return true;
}

static bool load_large_objects(pgconn *c, struct named_values *out)
{
    pgres *r;
    if (!pgconn_query(c, sql_text("verify_large_objects"), 0, NULL, &r))
        return false;
    out->n = (size_t) pgres_ntuples(r);
    out->items = xcalloc(out->n + 1, sizeof(*out->items));
    for (size_t i = 0; i < out->n; i++) {
        struct named_value *v = &out->items[i];
        const char *oid = pgres_get(r, (int) i, 0);
        v->name = xstrdup(oid);
        v->key = strtoll(oid, NULL, 10);
        v->value = xstrdup(pgres_get(r, (int) i, 1));
    }
    pgres_free(r);
    qsort(out->items, out->n, sizeof(*out->items), cmp_by_key);
    return true;
}

/*
 * Compares two sorted lists: an entry on one side only, an unreadable entry
 * and an entry whose values differ are each a difference of kind.
 */
static void compare_lists(struct verify_db_result *res, enum verify_diff_kind kind,
                          const struct named_values *s, const struct named_values *t,
                          int (*cmp)(const void *, const void *))
{
    size_t i = 0, j = 0;
    while (i < s->n || j < t->n) {
        int c = i >= s->n ? 1 : j >= t->n ? -1 : cmp(&s->items[i], &t->items[j]);
        const struct named_value *a = c <= 0 ? &s->items[i] : NULL;
        const struct named_value *b = c >= 0 ? &t->items[j] : NULL;
        if (a)
            i++;
        if (b)
            j++;
        if (a && a->error)
            verify__add_error(res, true, a->name, "could not read", a->error);
        if (b && b->error)
            verify__add_error(res, false, b->name, "could not read", b->error);
        if ((a && a->error) || (b && b->error))
            continue;
        if (a && b) {
            if (strcmp(a->value ? a->value : "", b->value ? b->value : "") != 0)
                verify_db_add(res, kind, a->name, a->value, b->value, NULL);
        } else {
            const struct named_value *only = a ? a : b;
            const char *value = only->value ? only->value : "";
            verify_db_add(res, kind, only->name, a ? value : NULL, b ? value : NULL, NULL);
        }
    }
}

void verify__compare_sequences(struct verify__db *db)
{
    struct named_values s = {0}, t = {0};
    bool ok = true;
    if (!load_sequences(db->src, &s)) {
        verify__add_error(db->res, true, "sequences", "listing sequences failed",
                          pgconn_error_message(db->src));
        ok = false;
    }
    if (!load_sequences(db->tgt, &t)) {
        verify__add_error(db->res, false, "sequences", "listing sequences failed",
                          pgconn_error_message(db->tgt));
        ok = false;
    }
    if (ok) {
        db->res->sequences = (int64_t) s.n;
        compare_lists(db->res, VERIFY_DIFF_SEQUENCE, &s, &t, cmp_by_name);
    }
    named_values_free(&s);
    named_values_free(&t);
}

void verify__compare_large_objects(struct verify__db *db)
{
    struct named_values s = {0}, t = {0};
    bool ok = true;
    if (!load_large_objects(db->src, &s)) {
        verify__add_error(db->res, true, "large objects", "reading large objects failed",
                          pgconn_error_message(db->src));
        ok = false;
    }
    if (!load_large_objects(db->tgt, &t)) {
        verify__add_error(db->res, false, "large objects", "reading large objects failed",
                          pgconn_error_message(db->tgt));
        ok = false;
    }
    if (ok) {
        db->res->large_objects = (int64_t) s.n;
        compare_lists(db->res, VERIFY_DIFF_LARGE_OBJECT, &s, &t, cmp_by_key);
    }
    named_values_free(&s);
    named_values_free(&t);
}
