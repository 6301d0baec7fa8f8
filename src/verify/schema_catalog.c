/*
 * schema_catalog.c — comparing the schema through a catalog fingerprint,
 * for when pg_dump is too old for one of the servers.
 *
 * sql/verify_schema.sql (and verify_schema_10.sql when both servers are 10
 * or later) return rows (kind, identity, definition) on each side; rows are
 * matched by kind and identity, and each object whose definition differs, or
 * that exists on one side only, is a difference. PostgreSQL 16 prints
 * queries (views, rules, SQL-standard function bodies) without the relation
 * prefix of single-table column references; when exactly one server is 16 or
 * later, name prefixes are removed from those definitions on both sides
 * before they are compared. Owner and privilege differences that name a role
 * missing on the other server say so in their detail (roles.c).
 */
#include "sql_embedded.h"
#include "util/log.h"
#include "util/mem.h"
#include "verify/internal.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static int cmp_catrow(const void *a, const void *b)
{
    const struct verify__catrow *x = a, *y = b;
    int c = strcmp(x->kind, y->kind);
    if (c == 0)
        c = strcmp(x->identity, y->identity);
    if (c == 0)
        c = strcmp(x->definition, y->definition);
    return c;
}

static int cmp_catrow_key(const struct verify__catrow *x, const struct verify__catrow *y)
{
    int c = strcmp(x->kind, y->kind);
    return c ? c : strcmp(x->identity, y->identity);
}

static void add_row_diff(struct verify_db_result *res, size_t limit, const struct verify__catrow *s,
                         const struct verify__catrow *t)
{
    const struct verify__catrow *any = s ? s : t;
    char *object = xasprintf("%s %s", any->kind, any->identity);
    verify__add_schema_diff(res, limit, object, s ? s->definition : NULL, t ? t->definition : NULL);
    free(object);
}

void verify__compare_catrows(struct verify__catrow *src, size_t nsrc, struct verify__catrow *tgt,
                             size_t ntgt, struct verify_db_result *res, size_t limit)
{
    qsort(src, nsrc, sizeof(*src), cmp_catrow);
    qsort(tgt, ntgt, sizeof(*tgt), cmp_catrow);
    bool *src_matched = xcalloc(nsrc + 1, sizeof(bool));
    bool *tgt_matched = xcalloc(ntgt + 1, sizeof(bool));
    /* First pair identical rows... */
    for (size_t i = 0, j = 0; i < nsrc && j < ntgt;) {
        int c = cmp_catrow(&src[i], &tgt[j]);
        if (c == 0) {
            src_matched[i++] = true;
            tgt_matched[j++] = true;
        } else if (c < 0) {
            i++;
        } else {
            j++;
        }
    }
    /* ...then the rest by object: same object on both sides = changed definition. */
    size_t i = 0, j = 0;
    for (;;) {
        while (i < nsrc && src_matched[i])
            i++;
        while (j < ntgt && tgt_matched[j])
            j++;
        if (i >= nsrc && j >= ntgt)
            break;
        int c = i >= nsrc ? 1 : j >= ntgt ? -1 : cmp_catrow_key(&src[i], &tgt[j]);
        if (c == 0) {
            add_row_diff(res, limit, &src[i++], &tgt[j++]);
        } else if (c < 0) {
            add_row_diff(res, limit, &src[i++], NULL);
        } else {
            add_row_diff(res, limit, NULL, &tgt[j++]);
        }
    }
    verify__finish_schema_diffs(res, limit);
    free(src_matched);
    free(tgt_matched);
}

static bool ident_start(unsigned char c)
{
    return isalpha(c) || c == '_' || c >= 0x80;
}

static bool ident_char(unsigned char c)
{
    return isalnum(c) || c == '_' || c == '$' || c >= 0x80;
}

char *verify__strip_qualifiers(const char *def)
{
    strbuf sb = STRBUF_INIT;
    const char *p = def;
    while (*p) {
        unsigned char c = (unsigned char) *p;
        if (c == '\'') {
            /* a string literal stays as it is */
            const char *q = p + 1;
            while (*q && !(*q == '\'' && q[1] != '\''))
                q += (*q == '\'' && q[1] == '\'') ? 2 : 1;
            if (*q)
                q++;
            sb_appendn(&sb, p, (size_t) (q - p));
            p = q;
            continue;
        }
        if (c == '"' || ident_start(c)) {
            const char *q = p;
            if (c == '"') {
                q++;
                while (*q && !(*q == '"' && q[1] != '"'))
                    q += (*q == '"' && q[1] == '"') ? 2 : 1;
                if (*q)
                    q++;
            } else {
                /* a name glued to something before it (1e5, $1) is not one */
                bool glued = p > def && ident_char((unsigned char) p[-1]);
                while (*q && ident_char((unsigned char) *q))
                    q++;
                if (glued) {
                    sb_appendn(&sb, p, (size_t) (q - p));
                    p = q;
                    continue;
                }
            }
            if (*q == '.' && (q[1] == '"' || q[1] == '*' || ident_start((unsigned char) q[1]))) {
                p = q + 1; /* drop "name." */
                continue;
            }
            sb_appendn(&sb, p, (size_t) (q - p));
            p = q;
            continue;
        }
        sb_appendc(&sb, *p++);
    }
    return sb_steal(&sb);
}

/* The kinds whose definitions PostgreSQL 16 deparses differently from 15 (see top). */
static bool deparsed_query(const char *kind)
{
    static const char *const kinds[] = {"view definition", "rule", "function", "procedure"};
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
        if (strcmp(kind, kinds[i]) == 0)
            return true;
    return false;
}

struct catrows {
    struct verify__catrow *rows; /* owned */
    size_t n, cap;
};

static void catrows_free(struct catrows *r)
{
    for (size_t i = 0; i < r->n; i++) {
        free(r->rows[i].kind);
        free(r->rows[i].identity);
        free(r->rows[i].definition);
    }
    free(r->rows);
    memset(r, 0, sizeof(*r));
}

/* Runs one fingerprint query on c and appends its rows to out. */
static bool read_rows(pgconn *c, const char *sql_name, bool strip, struct catrows *out)
{
    pgres *r;
    if (!pgconn_query(c, sql_text(sql_name), 0, NULL, &r))
        return false;
    int n = pgres_ntuples(r);
    for (int i = 0; i < n; i++) {
        if (out->n == out->cap) {
            out->cap = out->cap ? out->cap * 2 : 256;
            out->rows = xrealloc(out->rows, out->cap * sizeof(*out->rows));
        }
        const char *kind = pgres_get(r, i, 0), *identity = pgres_get(r, i, 1);
        const char *def = pgres_get(r, i, 2);
        struct verify__catrow *row = &out->rows[out->n++];
        row->kind = xstrdup(kind ? kind : "?");
        row->identity = xstrdup(identity ? identity : "?");
        row->definition = (strip && deparsed_query(row->kind) && def)
                              ? verify__strip_qualifiers(def)
                              : xstrdup(def ? def : "");
    }
    pgres_free(r);
    return true;
}

static bool read_side(pgconn *c, bool is_source, bool with_10, bool strip,
                      struct verify_db_result *res, struct catrows *out)
{
    bool ok = read_rows(c, "verify_schema", strip, out);
    if (ok && with_10)
        ok = read_rows(c, "verify_schema_10", strip, out);
    if (!ok)
        verify__add_error(res, is_source, "schema", "reading the catalog failed",
                          pgconn_error_message(c));
    return ok;
}

bool verify__schema_catalog(struct verify__db *db)
{
    int src_major = pgconn_server_major(db->src), tgt_major = pgconn_server_major(db->tgt);
    bool with_10 = src_major >= 10 && tgt_major >= 10;
    bool strip = (src_major >= 16) != (tgt_major >= 16);
    if (!with_10)
        log_notice("a server is older than PostgreSQL 10: partitioning, sequence parameters, "
                   "publications and collations are left out of the schema comparison");
    if (strip)
        log_info("PostgreSQL %d and %d print view queries differently: comparing them "
                 "without name qualifiers",
                 src_major, tgt_major);
    struct catrows s = {0}, t = {0};
    bool ok = read_side(db->src, true, with_10, strip, db->res, &s);
    ok = read_side(db->tgt, false, with_10, strip, db->res, &t) && ok;
    if (ok) {
        log_debug("catalog: %zu facts (source), %zu facts (target)", s.n, t.n);
        size_t first = db->res->ndiffs;
        verify__compare_catrows(s.rows, s.n, t.rows, t.n, db->res, db->schema_limit);
        /* Ownership and grants of roles missing on the other server cannot match: say so. */
        verify__annotate_roles_of(db, first);
    }
    catrows_free(&s);
    catrows_free(&t);
    return ok;
}
