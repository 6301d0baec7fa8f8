/*
 * diff.c — the differences verify finds: their kinds, how one reads as a
 * line of text, and the verdict line of a database (see verify.h).
 */
#include "util/mem.h"
#include "verify/internal.h"
#include "verify/verify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    const char *name;  /* JSON "kind" */
    const char *label; /* what a text line calls the object */
    const char *what;  /* prefix of "A (source) vs B (target)", or NULL */
} kinds[VERIFY_DIFF_KIND_COUNT] = {
    [VERIFY_DIFF_SCHEMA] = {"schema", "schema", NULL},
    [VERIFY_DIFF_TABLE_MISSING] = {"table_missing", "table", NULL},
    [VERIFY_DIFF_TABLE_EXTRA] = {"table_extra", "table", NULL},
    [VERIFY_DIFF_ROW_COUNT] = {"row_count", "table", "rows"},
    [VERIFY_DIFF_CHECKSUM] = {"checksum", "table", "checksum"},
    [VERIFY_DIFF_SEQUENCE] = {"sequence", "sequence", NULL},
    [VERIFY_DIFF_LARGE_OBJECT] = {"large_object", "large object", NULL},
    [VERIFY_DIFF_ERROR] = {"error", "error", NULL},
};

static const char *const method_names[] = {
    [VERIFY_SCHEMA_NONE] = NULL,
    [VERIFY_SCHEMA_PG_DUMP] = "pg_dump",
    [VERIFY_SCHEMA_CATALOG] = "catalog",
};

const char *verify_diff_kind_name(enum verify_diff_kind kind)
{
    return ((int) kind >= 0 && kind < VERIFY_DIFF_KIND_COUNT) ? kinds[kind].name : "unknown";
}

const char *verify_schema_method_name(enum verify_schema_method method)
{
    return ((int) method >= 0 && method <= VERIFY_SCHEMA_CATALOG) ? method_names[method] : NULL;
}

void verify_db_add(struct verify_db_result *db, enum verify_diff_kind kind, const char *object,
                   const char *source, const char *target, const char *detail)
{
    if (db->ndiffs == db->cap) {
        db->cap = db->cap ? db->cap * 2 : 16;
        db->diffs = xrealloc(db->diffs, db->cap * sizeof(*db->diffs));
    }
    struct verify_diff *d = &db->diffs[db->ndiffs++];
    d->kind = kind;
    d->object = xstrdup(object);
    d->source = xstrdup(source);
    d->target = xstrdup(target);
    d->detail = xstrdup(detail);
}

void verify__add_error(struct verify_db_result *res, bool is_source, const char *object,
                       const char *what, const char *message)
{
    char *text = xasprintf("%s%s%s", what ? what : "", what && message && message[0] ? ": " : "",
                           message ? message : "");
    verify_db_add(res, VERIFY_DIFF_ERROR, object, is_source ? text : NULL, is_source ? NULL : text,
                  NULL);
    free(text);
}

/* Appends s with newlines and runs of white space folded to one space, cut at max bytes. */
static void append_oneline(strbuf *sb, const char *s, size_t max)
{
    size_t n = 0;
    bool space = false;
    for (const char *p = s; *p; p++) {
        bool ws = *p == ' ' || *p == '\n' || *p == '\t' || *p == '\r';
        if (ws) {
            space = n > 0;
            continue;
        }
        if (n >= max) {
            /* do not cut a UTF-8 sequence in half */
            if (((unsigned char) *p & 0xC0) == 0x80) {
                sb_appendc(sb, *p);
                continue;
            }
            sb_append(sb, "…");
            return;
        }
        if (space) {
            sb_appendc(sb, ' ');
            n++;
            space = false;
        }
        sb_appendc(sb, *p);
        n++;
    }
}

#define SHOW_MAX 400

char *verify_diff_format(const struct verify_diff *d)
{
    strbuf sb = STRBUF_INIT;
    const char *label = ((int) d->kind >= 0 && d->kind < VERIFY_DIFF_KIND_COUNT)
                            ? kinds[d->kind].label
                            : "difference";
    sb_printf(&sb, "DIFF %s", label);
    if (d->object && d->object[0]) {
        sb_appendc(&sb, ' ');
        append_oneline(&sb, d->object, SHOW_MAX);
    }
    sb_append(&sb, ": ");
    bool detail_shown = false;
    if (d->kind == VERIFY_DIFF_ERROR && (d->source || d->target)) {
        sb_append(&sb, d->source ? "on source: " : "on target: ");
        append_oneline(&sb, d->source ? d->source : d->target, SHOW_MAX);
    } else if (d->source && d->target) {
        const char *what =
            ((int) d->kind >= 0 && d->kind < VERIFY_DIFF_KIND_COUNT) ? kinds[d->kind].what : NULL;
        if (what)
            sb_printf(&sb, "%s ", what);
        append_oneline(&sb, d->source, SHOW_MAX);
        sb_append(&sb, " (source) vs ");
        append_oneline(&sb, d->target, SHOW_MAX);
        sb_append(&sb, " (target)");
    } else if (d->source || d->target) {
        const char *value = d->source ? d->source : d->target;
        sb_append(&sb, d->source ? "missing on target" : "only on target");
        if (value[0]) {
            sb_append(&sb, ": ");
            append_oneline(&sb, value, SHOW_MAX);
        }
    } else if (d->kind == VERIFY_DIFF_TABLE_MISSING) {
        sb_append(&sb, "missing on target");
    } else if (d->kind == VERIFY_DIFF_TABLE_EXTRA) {
        sb_append(&sb, "only on target");
    } else if (d->detail) {
        append_oneline(&sb, d->detail, SHOW_MAX);
        detail_shown = true;
    } else {
        sb_append(&sb, "differs");
    }
    if (d->detail && !detail_shown) {
        sb_append(&sb, " — ");
        append_oneline(&sb, d->detail, SHOW_MAX);
    }
    return sb_steal(&sb);
}

/* Appends "N thing(s)" with the count grouped by thousands. */
static void append_count(strbuf *sb, int64_t n, const char *one, const char *many)
{
    char num[48];
    progress_format_count(n, num, sizeof(num));
    sb_printf(sb, "%s %s", num, n == 1 ? one : many);
}

/* Differences found, counting schema differences that were not listed. */
static int64_t total_differences(const struct verify_db_result *db)
{
    int64_t n = db->schema_differences;
    for (size_t i = 0; i < db->ndiffs; i++)
        if (db->diffs[i].kind != VERIFY_DIFF_SCHEMA)
            n++;
    return n;
}

bool verify_db_identical(const struct verify_db_result *db)
{
    return db->ndiffs == 0 && db->schema_differences == 0 &&
           db->schema_method != VERIFY_SCHEMA_NONE;
}

bool verify_result_identical(const struct verify_result *r)
{
    for (size_t i = 0; i < r->ndbs; i++)
        if (!verify_db_identical(&r->dbs[i]))
            return false;
    return true;
}

char *verify_db_summary(const struct verify_db_result *db)
{
    strbuf sb = STRBUF_INIT;
    sb_printf(&sb, "db %s: ", db->name);
    if (verify_db_identical(db))
        sb_append(&sb, "identical");
    else
        append_count(&sb, total_differences(db), "difference", "differences");
    sb_append(&sb, " — schema ");
    if (db->schema_method == VERIFY_SCHEMA_NONE) {
        sb_append(&sb, "not compared");
    } else {
        sb_printf(&sb, "(%s) ", verify_schema_method_name(db->schema_method));
        if (db->schema_differences == 0)
            sb_append(&sb, "identical");
        else
            append_count(&sb, db->schema_differences, "difference", "differences");
    }
    sb_append(&sb, ", ");
    append_count(&sb, db->tables, "table", "tables");
    sb_append(&sb, ", ");
    append_count(&sb, db->rows, "row", "rows");
    if (db->matviews > 0) {
        sb_append(&sb, ", ");
        append_count(&sb, db->matviews, "materialized view", "materialized views");
        sb_append(&sb, " (");
        append_count(&sb, db->matview_rows, "row", "rows");
        sb_append(&sb, ")");
    }
    sb_append(&sb, ", ");
    append_count(&sb, db->large_objects, "large object", "large objects");
    sb_append(&sb, ", ");
    append_count(&sb, db->sequences, "sequence", "sequences");
    return sb_steal(&sb);
}

void verify_result_free(struct verify_result *r)
{
    for (size_t i = 0; i < r->ndbs; i++) {
        struct verify_db_result *db = &r->dbs[i];
        for (size_t j = 0; j < db->ndiffs; j++) {
            free(db->diffs[j].object);
            free(db->diffs[j].source);
            free(db->diffs[j].target);
            free(db->diffs[j].detail);
        }
        free(db->diffs);
        free(db->name);
    }
    free(r->dbs);
    r->dbs = NULL;
    r->ndbs = 0;
}
