/*
 * test_decoding.c — parses test_decoding's text lines into cdc_change
 * records (see test_decoding.h).
 *
 * The lines, one per XLogData (docs/CDC.md):
 *   BEGIN 1234
 *   COMMIT 1234 (at 2024-01-01 15:30:00.123456+05:30)
 *   table public.t: INSERT: id[integer]:1 name[text]:'x'
 *   table public.t: UPDATE: old-key: id[integer]:1 new-tuple: id[integer]:2 ...
 *   table public.t: DELETE: id[integer]:1          (or: DELETE: (no-tuple-data))
 *   table public.a, public.b: TRUNCATE: restart_seqs cascade   (or: (no-flags))
 *   message: transactional: 1 prefix: p, sz: 3 content:...     (skipped)
 * A column is ` name[type]:value`: the name is an identifier (double-quoted
 * when needed, `"` doubled); the type is format_type() text, which may hold
 * spaces, quoted names and `[]`, so it ends at the first `]` outside quotes
 * and outside its own brackets; the value is `null`, `unchanged-toast-datum`,
 * a bare number or boolean, `B'0101'`, or a single-quoted literal with `'`
 * doubled and nothing else escaped (so it may hold newlines, `]:`, and text
 * that looks like more columns). Everything goes through one bounds-checked
 * cursor: nothing is split on whitespace and nothing reads past len.
 */
#include "cdc/test_decoding.h"

#include "util/buf.h"
#include "util/mem.h"
#include "util/pgtime.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A bounds-checked read cursor over one line. */
struct cursor {
    const char *start;
    const char *p;
    const char *end;
    char *err;
    size_t errlen;
};

static size_t left(const struct cursor *c)
{
    return (size_t) (c->end - c->p);
}

static bool at_end(const struct cursor *c)
{
    return c->p >= c->end;
}

/* Writes "test_decoding line (N bytes), byte M: <reason>" into err; returns false. */
__attribute__((format(printf, 2, 3))) static bool fail(struct cursor *c, const char *fmt, ...)
{
    if (c->err == NULL || c->errlen == 0)
        return false;
    int n = snprintf(c->err, c->errlen,
                     "test_decoding line (%zu bytes), byte %zu: ", (size_t) (c->end - c->start),
                     (size_t) (c->p - c->start));
    if (n >= 0 && (size_t) n < c->errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(c->err + n, c->errlen - (size_t) n, fmt, ap);
        va_end(ap);
    }
    return false;
}

static bool starts_with(const struct cursor *c, const char *lit)
{
    size_t n = strlen(lit);
    return left(c) >= n && memcmp(c->p, lit, n) == 0;
}

/* Consumes lit if the line continues with it. */
static bool accept(struct cursor *c, const char *lit)
{
    if (!starts_with(c, lit))
        return false;
    c->p += strlen(lit);
    return true;
}

static bool expect(struct cursor *c, const char *lit, const char *context)
{
    if (accept(c, lit))
        return true;
    if (at_end(c))
        return fail(c, "line ends where \"%s\" should follow %s", lit, context);
    return fail(c, "expected \"%s\" after %s", lit, context);
}

static bool expect_end(struct cursor *c, const char *context)
{
    if (at_end(c))
        return true;
    return fail(c, "unexpected text after %s", context);
}

static char *dup_range(const char *s, size_t n)
{
    char *d = xmalloc(n + 1);
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

/*
 * Reads a quoted token whose opening quote q is at the cursor, the quote
 * doubled inside (SQL's rule for both "identifiers" and 'literals'). The
 * content goes into *out (owned, NUL-terminated), its length into *outlen.
 */
static bool read_quoted(struct cursor *c, char q, const char *what, char **out, size_t *outlen)
{
    strbuf sb = STRBUF_INIT;
    c->p++; /* the opening quote */
    for (;;) {
        const char *close = memchr(c->p, q, left(c));
        if (close == NULL) {
            sb_free(&sb);
            c->p = c->end;
            return fail(c, "unterminated quote in %s", what);
        }
        if (memchr(c->p, '\0', (size_t) (close - c->p)) != NULL) {
            sb_free(&sb);
            return fail(c, "NUL byte in %s", what);
        }
        sb_appendn(&sb, c->p, (size_t) (close - c->p));
        c->p = close + 1;
        if (at_end(c) || *c->p != q)
            break;
        sb_appendc(&sb, q); /* a doubled quote */
        c->p++;
    }
    *outlen = sb.len;
    *out = sb_steal(&sb);
    return true;
}

/* The characters of an unquoted SQL identifier (the lexer's ident_cont). */
static bool is_bare_ident_char(unsigned char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == '_' || ch == '$' || ch >= 0x80;
}

/* Reads one identifier, quoted or bare, into *out (owned, unquoted). */
static bool read_ident(struct cursor *c, const char *what, char **out)
{
    if (!at_end(c) && *c->p == '"') {
        size_t n;
        if (!read_quoted(c, '"', what, out, &n))
            return false;
        if (n == 0) {
            free(*out);
            *out = NULL;
            return fail(c, "empty quoted %s", what);
        }
        return true;
    }
    const char *s = c->p;
    while (!at_end(c) && is_bare_ident_char((unsigned char) *c->p))
        c->p++;
    if (c->p == s)
        return at_end(c) ? fail(c, "line ends where a %s should be", what)
                         : fail(c, "expected a %s", what);
    *out = dup_range(s, (size_t) (c->p - s));
    return true;
}

/* Reads schema.table; *text gets the name exactly as printed (may be NULL). */
static bool read_qualified(struct cursor *c, char **schema, char **table, char **text)
{
    const char *s = c->p;
    *schema = *table = NULL;
    if (!read_ident(c, "schema name", schema))
        return false;
    if (!expect(c, ".", "a schema name") || !read_ident(c, "table name", table)) {
        free(*schema);
        free(*table);
        *schema = *table = NULL;
        return false;
    }
    if (text)
        *text = dup_range(s, (size_t) (c->p - s));
    return true;
}

/*
 * Reads a column's type, the cursor just past its '['; consumes the closing
 * "]:". The type ends at the first ']' outside double quotes that closes no
 * '[' of its own: `integer[]]:`, `"a]:b"]:`.
 */
static bool read_type(struct cursor *c, const char *column, char **out)
{
    const char *s = c->p;
    int depth = 0;
    bool quoted = false;
    for (; !at_end(c); c->p++) {
        char ch = *c->p;
        if (ch == '\0')
            return fail(c, "NUL byte in the type of column \"%s\"", column);
        if (ch == '"')
            quoted = !quoted; /* a doubled "" toggles twice */
        else if (quoted)
            continue;
        else if (ch == '[')
            depth++;
        else if (ch == ']' && depth-- == 0)
            break;
    }
    if (at_end(c) && quoted)
        return fail(c, "unterminated quote in the type of column \"%s\"", column);
    if (at_end(c))
        return fail(c, "no closing \"]:\" after the type of column \"%s\"", column);
    if (c->p == s)
        return fail(c, "empty type for column \"%s\"", column);
    size_t n = (size_t) (c->p - s);
    c->p++; /* ']' */
    if (!expect(c, ":", "the type of a column"))
        return false;
    *out = dup_range(s, n);
    return true;
}

static size_t digit_run(const char *s, size_t i, size_t n)
{
    size_t j = i;
    while (j < n && s[j] >= '0' && s[j] <= '9')
        j++;
    return j - i;
}

/*
 * The values test_decoding prints unquoted: integers, oids, numeric and
 * float output (-12.50, 1.5e-05, 1e+308, NaN, Infinity, -Infinity), and
 * true/false. Anything else is malformed.
 */
static bool is_bare_value(const char *s, size_t n)
{
    static const char *const words[] = {"true", "false", "NaN", "Infinity", "-Infinity"};
    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
        if (strlen(words[i]) == n && memcmp(words[i], s, n) == 0)
            return true;
    }
    size_t i = 0, d;
    if (i < n && s[i] == '-')
        i++;
    if ((d = digit_run(s, i, n)) == 0)
        return false;
    i += d;
    if (i < n && s[i] == '.') {
        if ((d = digit_run(s, ++i, n)) == 0)
            return false;
        i += d;
    }
    if (i < n && s[i] == 'e') {
        if (++i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        if ((d = digit_run(s, i, n)) == 0)
            return false;
        i += d;
    }
    return i == n;
}

static bool set_text(struct cursor *c, struct cdc_value *v, char *data, size_t n, const char *col)
{
    if (n > INT_MAX) {
        free(data);
        return fail(c, "value of column \"%s\" is too long (%zu bytes)", col, n);
    }
    v->kind = CDC_VALUE_TEXT;
    v->data = data;
    v->len = (int) n;
    return true;
}

/* Reads one value (after "]:"); toast_ok: `unchanged-toast-datum` may appear. */
static bool read_value(struct cursor *c, const char *col, bool toast_ok, struct cdc_value *v)
{
    char *data;
    size_t n;

    if (at_end(c))
        return fail(c, "line ends where the value of column \"%s\" should be", col);
    if (*c->p == '\'') {
        if (!read_quoted(c, '\'', "a quoted value", &data, &n))
            return false;
        return set_text(c, v, data, n, col);
    }
    if (accept(c, "B'")) { /* bit and bit varying: B'0101', digits only */
        const char *s = c->p;
        while (!at_end(c) && (*c->p == '0' || *c->p == '1'))
            c->p++;
        if (!expect(c, "'", "the bits of a bit string"))
            return false;
        n = (size_t) (c->p - 1 - s);
        return set_text(c, v, dup_range(s, n), n, col);
    }
    const char *s = c->p;
    while (!at_end(c) && *c->p != ' ')
        c->p++;
    n = (size_t) (c->p - s);
    if (n == 4 && memcmp(s, "null", 4) == 0) {
        v->kind = CDC_VALUE_NULL;
        return true;
    }
    if (n == 21 && memcmp(s, "unchanged-toast-datum", 21) == 0) {
        if (!toast_ok)
            return fail(c, "column \"%s\": unchanged-toast-datum outside an UPDATE's new tuple",
                        col);
        v->kind = CDC_VALUE_UNCHANGED_TOAST;
        return true;
    }
    if (n == 0)
        return fail(c, "column \"%s\" has no value", col);
    if (!is_bare_value(s, n)) {
        c->p = s;
        return fail(c, "column \"%s\": malformed unquoted value (not a number or boolean)", col);
    }
    return set_text(c, v, dup_range(s, n), n, col);
}

enum tuple_role {
    TUPLE_INSERT,  /* to the end of the line */
    TUPLE_OLD_KEY, /* up to " new-tuple:" */
    TUPLE_UPDATE,  /* to the end; unchanged TOAST allowed */
    TUPLE_DELETE,  /* to the end */
};

/* PostgreSQL allows 1600 columns per table; this only bounds what a bad line can ask for. */
#define MAX_COLUMNS 10000

/* Adds an empty column to t, keeping ncols exact so cdc_change_reset frees what was filled. */
static int tuple_add(struct cdc_tuple *t, int *cap)
{
    if (t->ncols == *cap) {
        int ncap = *cap ? *cap * 2 : 8;
        t->values = xrealloc(t->values, (size_t) ncap * sizeof(*t->values));
        t->names = xrealloc(t->names, (size_t) ncap * sizeof(*t->names));
        t->types = xrealloc(t->types, (size_t) ncap * sizeof(*t->types));
        *cap = ncap;
    }
    int i = t->ncols++;
    memset(&t->values[i], 0, sizeof(t->values[i]));
    t->names[i] = NULL;
    t->types[i] = NULL;
    return i;
}

/* Reads the columns ` name[type]:value` of one tuple. */
static bool read_tuple(struct cursor *c, struct cdc_tuple *t, enum tuple_role role)
{
    int cap = 0;
    for (;;) {
        if (role == TUPLE_OLD_KEY && accept(c, " new-tuple:"))
            return true;
        if (at_end(c)) {
            if (role == TUPLE_OLD_KEY)
                return fail(c, "line ends before \"new-tuple:\"");
            return true;
        }
        if (!expect(c, " ", "a column"))
            return false;
        if (t->ncols >= MAX_COLUMNS)
            return fail(c, "more than %d columns", MAX_COLUMNS);
        int i = tuple_add(t, &cap);
        if (!read_ident(c, "column name", &t->names[i]))
            return false;
        if (!expect(c, "[", "a column name"))
            return false;
        if (!read_type(c, t->names[i], &t->types[i]))
            return false;
        if (!read_value(c, t->names[i], role == TUPLE_UPDATE, &t->values[i]))
            return false;
    }
}

/* No tuple data: a DELETE from a table without replica identity (and what cannot be applied). */
static bool no_tuple_data(struct cursor *c)
{
    return accept(c, " (no-tuple-data)");
}

static bool parse_insert(struct cursor *c, struct cdc_change *out)
{
    if (no_tuple_data(c))
        return fail(c, "INSERT into %s.%s without tuple data: nothing to apply", out->schema,
                    out->table);
    return read_tuple(c, &out->new_tuple, TUPLE_INSERT);
}

static bool parse_update(struct cursor *c, struct cdc_change *out)
{
    if (accept(c, " old-key:")) {
        out->has_old = true;
        if (!read_tuple(c, &out->old_tuple, TUPLE_OLD_KEY))
            return false;
    }
    if (no_tuple_data(c))
        return fail(c, "UPDATE of %s.%s without a new tuple: nothing to apply", out->schema,
                    out->table);
    return read_tuple(c, &out->new_tuple, TUPLE_UPDATE);
}

static bool parse_delete(struct cursor *c, struct cdc_change *out)
{
    if (no_tuple_data(c))
        return expect_end(c, "(no-tuple-data)");
    out->has_old = true;
    return read_tuple(c, &out->old_tuple, TUPLE_DELETE);
}

static bool parse_truncate(struct cursor *c, struct cdc_change *out)
{
    if (accept(c, " (no-flags)"))
        return expect_end(c, "(no-flags)");
    if (accept(c, " restart_seqs"))
        out->restart_identity = true;
    if (accept(c, " cascade"))
        out->cascade = true;
    if (!out->restart_identity && !out->cascade)
        return at_end(c) ? fail(c, "TRUNCATE without flags or (no-flags)")
                         : fail(c, "unknown TRUNCATE flag");
    return expect_end(c, "the TRUNCATE flags");
}

static const struct action {
    const char *name;
    enum cdc_kind kind;
    bool (*parse)(struct cursor *c, struct cdc_change *out);
} actions[] = {
    {"INSERT", CDC_INSERT, parse_insert},
    {"UPDATE", CDC_UPDATE, parse_update},
    {"DELETE", CDC_DELETE, parse_delete},
    {"TRUNCATE", CDC_TRUNCATE, parse_truncate},
};

/* "table <names>: <ACTION>:<rest>"; the cursor is past "table ". */
static bool parse_table(struct cursor *c, struct cdc_change *out)
{
    strlist schemas = STRLIST_INIT, tables = STRLIST_INIT, texts = STRLIST_INIT;
    bool ok = false;

    do {
        char *schema, *table, *text;
        if (!read_qualified(c, &schema, &table, &text))
            goto done;
        sl_push_owned(&schemas, schema);
        sl_push_owned(&tables, table);
        sl_push_owned(&texts, text);
    } while (accept(c, ", "));
    if (!expect(c, ": ", "the table name"))
        goto done;

    const char *word = c->p;
    while (!at_end(c) && *c->p >= 'A' && *c->p <= 'Z')
        c->p++;
    size_t wlen = (size_t) (c->p - word);
    const struct action *act = NULL;
    for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++) {
        if (strlen(actions[i].name) == wlen && memcmp(actions[i].name, word, wlen) == 0)
            act = &actions[i];
    }
    if (act == NULL) {
        c->p = word;
        fail(c, "unknown action (expected INSERT, UPDATE, DELETE or TRUNCATE)");
        goto done;
    }
    if (!expect(c, ":", "the action"))
        goto done;
    out->kind = act->kind;

    if (act->kind == CDC_TRUNCATE) {
        if (texts.n > INT_MAX) {
            fail(c, "TRUNCATE names too many tables");
            goto done;
        }
        out->nrelids = (int) texts.n;
        out->qualified = texts.items;
        texts.items = NULL;
        texts.n = texts.cap = 0;
    } else {
        if (schemas.n != 1) {
            fail(c, "%s names %zu tables", act->name, schemas.n);
            goto done;
        }
        out->schema = schemas.items[0];
        out->table = tables.items[0];
        schemas.n = tables.n = 0;
    }
    ok = act->parse(c, out);
done:
    sl_free(&schemas);
    sl_free(&tables);
    sl_free(&texts);
    return ok;
}

/* A transaction id: 1 to 10 decimal digits, at most 2^32-1. */
static bool read_xid(struct cursor *c, uint32_t *xid)
{
    uint64_t v = 0;
    const char *s = c->p;
    while (!at_end(c) && *c->p >= '0' && *c->p <= '9' && c->p - s < 10)
        v = v * 10 + (uint64_t) (*c->p++ - '0');
    if (c->p == s || v > UINT32_MAX || (!at_end(c) && *c->p >= '0' && *c->p <= '9'))
        return fail(c, "expected a transaction id");
    *xid = (uint32_t) v;
    return true;
}

static bool parse_begin(struct cursor *c, struct cdc_change *out)
{
    out->kind = CDC_BEGIN;
    if (at_end(c))
        return true; /* include-xids off */
    if (!expect(c, " ", "BEGIN") || !read_xid(c, &out->xid))
        return false;
    return expect_end(c, "the transaction id");
}

static bool parse_commit(struct cursor *c, struct cdc_change *out)
{
    out->kind = CDC_COMMIT;
    out->end_lsn = out->lsn; /* a COMMIT's dataStart is the end of its commit record */
    if (!starts_with(c, " (at ") && accept(c, " ") && !read_xid(c, &out->xid))
        return false;
    if (accept(c, " (at ")) {
        const char *close = memchr(c->p, ')', left(c));
        if (close == NULL)
            return fail(c, "commit time has no closing ')'");
        size_t len = (size_t) (close - c->p);
        bool bc = len >= 3 && memcmp(close - 3, " BC", 3) == 0; /* no commit is that old */
        if (bc || !pgtime_parse_timestamp(c->p, len, true, &out->commit_ts))
            return fail(c, "malformed commit time \"%.*s\"",
                        (int) (close - c->p < 64 ? close - c->p : 64), c->p);
        c->p = close + 1;
    }
    return expect_end(c, "COMMIT");
}

static const struct line_kind {
    const char *prefix;
    bool skip; /* a line that carries no change */
    bool (*parse)(struct cursor *c, struct cdc_change *out);
} line_kinds[] = {
    {"BEGIN", false, parse_begin},
    {"COMMIT", false, parse_commit},
    {"table ", false, parse_table},
    {"message: transactional: ", true, NULL}, /* pg_logical_emit_message() */
};

bool cdc_testdec_decode(const char *line, size_t len, cdc_lsn lsn, struct cdc_change *out,
                        bool *skip, char *err, size_t errlen)
{
    if (line == NULL)
        len = 0;
    struct cursor c = {line ? line : "", line ? line : "", line ? line + len : "", err, errlen};
    if (err && errlen)
        err[0] = '\0';
    if (skip)
        *skip = false;

    const struct line_kind *kind = NULL;
    for (size_t i = 0; i < sizeof(line_kinds) / sizeof(line_kinds[0]); i++) {
        if (accept(&c, line_kinds[i].prefix)) {
            kind = &line_kinds[i];
            break;
        }
    }
    if (kind == NULL)
        return fail(&c, "not a test_decoding line (expected BEGIN, COMMIT, table or message)");
    if (kind->skip) {
        if (skip == NULL) /* an empty *out must not pass for a BEGIN */
            return fail(&c, "a logical decoding message, and no skip flag to report it");
        *skip = true;
        return true;
    }
    out->lsn = lsn;
    if (!kind->parse(&c, out)) {
        cdc_change_reset(out);
        return false;
    }
    return true;
}

const char *cdc_testdec_start_options(void)
{
    return "(\"include-xids\" '1', \"skip-empty-xacts\" '1', \"include-timestamp\" '1')";
}

bool cdc_testdec_split_name(const char *qualified, char **schema, char **table)
{
    if (qualified == NULL)
        return false;
    struct cursor c = {qualified, qualified, qualified + strlen(qualified), NULL, 0};
    if (!read_qualified(&c, schema, table, NULL))
        return false;
    if (!at_end(&c)) {
        free(*schema);
        free(*table);
        *schema = *table = NULL;
        return false;
    }
    return true;
}
