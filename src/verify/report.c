/*
 * report.c — the verify report as text (a verdict line per database, then
 * its DIFF lines) or as one JSON document (see verify.h for both shapes).
 */
#include "util/buf.h"
#include "util/mem.h"
#include "verify/internal.h"
#include "verify/verify.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

void verify_print_text(const struct verify_result *r, FILE *out)
{
    size_t different = 0;
    for (size_t i = 0; i < r->ndbs; i++) {
        const struct verify_db_result *db = &r->dbs[i];
        char *summary = verify_db_summary(db);
        fprintf(out, "%s\n", summary);
        free(summary);
        for (size_t j = 0; j < db->ndiffs; j++) {
            char *line = verify_diff_format(&db->diffs[j]);
            fprintf(out, "  %s\n", line);
            free(line);
        }
        if (!verify_db_identical(db))
            different++;
    }
    if (r->ndbs > 1) {
        if (different == 0)
            fprintf(out, "all %zu databases identical\n", r->ndbs);
        else
            fprintf(out, "%zu of %zu databases differ\n", different, r->ndbs);
    }
}

/*
 * A JSON string for text that may not be valid UTF-8 (names from a
 * SQL_ASCII database): invalid bytes become U+FFFD. NULL becomes null.
 */
static json_t *jstr(const char *s)
{
    if (s == NULL)
        return json_null();
    json_t *j = json_string(s);
    if (j)
        return j;
    strbuf sb = STRBUF_INIT;
    const unsigned char *p = (const unsigned char *) s;
    while (*p) {
        size_t len = *p < 0x80             ? 1
                     : (*p & 0xE0) == 0xC0 ? 2
                     : (*p & 0xF0) == 0xE0 ? 3
                     : (*p & 0xF8) == 0xF0 ? 4
                                           : 0;
        bool ok = len > 0;
        for (size_t k = 1; ok && k < len; k++)
            ok = (p[k] & 0xC0) == 0x80;
        if (ok && len > 1) {
            /* the sequence is well formed; let jansson judge overlongs by trying it */
            char one[5] = {0};
            memcpy(one, p, len);
            json_t *probe = json_string(one);
            ok = probe != NULL;
            json_decref(probe);
        }
        if (ok) {
            sb_appendn(&sb, (const char *) p, len);
            p += len;
        } else {
            sb_append(&sb, "\xEF\xBF\xBD");
            p++;
        }
    }
    j = json_string(sb_str(&sb));
    sb_free(&sb);
    return j ? j : json_string("");
}

static json_t *diff_json(const struct verify_diff *d)
{
    json_t *o = json_object();
    json_object_set_new(o, "kind", json_string(verify_diff_kind_name(d->kind)));
    json_object_set_new(o, "object", jstr(d->object));
    json_object_set_new(o, "source", jstr(d->source));
    json_object_set_new(o, "target", jstr(d->target));
    json_object_set_new(o, "detail", jstr(d->detail));
    return o;
}

static json_t *db_json(const struct verify_db_result *db)
{
    json_t *o = json_object();
    json_object_set_new(o, "name", jstr(db->name));
    json_object_set_new(o, "identical", json_boolean(verify_db_identical(db)));
    json_object_set_new(o, "schema_method", jstr(verify_schema_method_name(db->schema_method)));
    json_object_set_new(o, "schema_differences", json_integer(db->schema_differences));
    json_object_set_new(o, "tables", json_integer(db->tables));
    json_object_set_new(o, "rows", json_integer(db->rows));
    json_object_set_new(o, "materialized_views", json_integer(db->matviews));
    json_object_set_new(o, "materialized_view_rows", json_integer(db->matview_rows));
    json_object_set_new(o, "large_objects", json_integer(db->large_objects));
    json_object_set_new(o, "sequences", json_integer(db->sequences));
    json_t *diffs = json_array();
    for (size_t i = 0; i < db->ndiffs; i++)
        json_array_append_new(diffs, diff_json(&db->diffs[i]));
    json_object_set_new(o, "differences", diffs);
    return o;
}

char *verify_result_json(const struct verify_result *r)
{
    json_t *root = json_object();
    json_t *dbs = json_array();
    for (size_t i = 0; i < r->ndbs; i++)
        json_array_append_new(dbs, db_json(&r->dbs[i]));
    json_object_set_new(root, "databases", dbs);
    json_object_set_new(root, "identical", json_boolean(verify_result_identical(r)));
    char *text = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(root);
    /* json_dumps allocates with malloc (jansson's default allocator); hand over a copy we own */
    char *copy = xstrdup(text ? text : "{}");
    free(text);
    return copy;
}
