/*
 * schema_lines.c — comparing two pg_dump --schema-only outputs.
 *
 * Normalising drops what differs between two dumps of the same schema:
 * comments (with the server and pg_dump versions), blank lines, session SET
 * lines, set_config() calls and the \restrict keys of recent pg_dump, and
 * the comma that ends a line when another item follows (so adding a column
 * does not also change the line of the column before it), and the explicit
 * IN mode that PostgreSQL 14+ prints in procedure signatures (the default
 * mode, left out by older servers), and EXECUTE PROCEDURE in trigger
 * definitions, which PostgreSQL 11+ prints as EXECUTE FUNCTION (a 10 source
 * and an 11+ target dump the same trigger both ways). The rest is
 * compared as a multiset of (statement, line): each line is keyed with the
 * first line of the statement it belongs to, so a column line of one table
 * never matches the same text in another table, and the order of objects in
 * the dump (which follows OIDs for ties) does not matter.
 */
#include "util/mem.h"
#include "verify/internal.h"

#include <stdlib.h>
#include <string.h>

static bool starts_with(const char *s, size_t len, const char *prefix)
{
    size_t n = strlen(prefix);
    return len >= n && memcmp(s, prefix, n) == 0;
}

/* True for a line that two dumps of the same schema may not share. */
static bool insignificant(const char *s, size_t len)
{
    if (len == 0)
        return true;
    if (starts_with(s, len, "--"))
        return true;
    if (starts_with(s, len, "SET ") && s[len - 1] == ';')
        return true;
    if (starts_with(s, len, "SELECT pg_catalog.set_config("))
        return true;
    if (starts_with(s, len, "\\restrict") || starts_with(s, len, "\\unrestrict"))
        return true;
    return false;
}

/* Removes "IN " argument modes from a procedure signature line, in place. */
static void drop_in_modes(char *line)
{
    if (strstr(line, "PROCEDURE ") == NULL)
        return;
    static const char *const marks[] = {"(IN ", ", IN "};
    for (size_t m = 0; m < 2; m++) {
        size_t keep = strlen(marks[m]) - 3; /* "(" or ", " */
        char *at;
        while ((at = strstr(line, marks[m])) != NULL)
            memmove(at + keep, at + keep + 3, strlen(at + keep + 3) + 1);
    }
}

/*
 * "EXECUTE PROCEDURE" of a trigger as 11+ prints it, in place: on a CREATE
 * TRIGGER line, or on the continuation line of an event trigger.
 */
static void execute_function(char *line)
{
    static const char from[] = " EXECUTE PROCEDURE ", to[] = " EXECUTE FUNCTION ";
    size_t lead = strspn(line, " \t");
    bool continuation = lead > 0 && strncmp(line + lead, from + 1, sizeof(from) - 2) == 0;
    if (strstr(line, "TRIGGER ") == NULL && !continuation)
        return;
    char *at;
    while ((at = strstr(line, from)) != NULL) {
        memcpy(at, to, sizeof(to) - 1);
        memmove(at + sizeof(to) - 1, at + sizeof(from) - 1, strlen(at + sizeof(from) - 1) + 1);
    }
}

void verify__schema_normalise(const char *dump, strlist *lines)
{
    const char *p = dump ? dump : "";
    while (*p) {
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t) (eol - p) : strlen(p);
        size_t trimmed = len;
        while (trimmed > 0 &&
               (p[trimmed - 1] == ' ' || p[trimmed - 1] == '\t' || p[trimmed - 1] == '\r'))
            trimmed--;
        /* "a integer," and "a integer" are the same column whether or not one follows */
        if (trimmed > 0 && p[trimmed - 1] == ',')
            trimmed--;
        /* a line of only white space counts as blank */
        size_t lead = 0;
        while (lead < trimmed && (p[lead] == ' ' || p[lead] == '\t'))
            lead++;
        if (lead < trimmed && !insignificant(p, trimmed)) {
            char *line = xmalloc(trimmed + 1);
            memcpy(line, p, trimmed);
            line[trimmed] = '\0';
            drop_in_modes(line);
            execute_function(line);
            sl_push_owned(lines, line);
        }
        p += len;
        if (*p == '\n')
            p++;
    }
}

/* A line of one side with the statement it belongs to. */
struct keyed_line {
    const char *head; /* first line of the statement */
    const char *line;
    size_t pos; /* position in the dump */
    bool matched;
    bool reported;
};

static int cmp_keyed(const void *a, const void *b)
{
    const struct keyed_line *x = *(const struct keyed_line *const *) a;
    const struct keyed_line *y = *(const struct keyed_line *const *) b;
    int c = strcmp(x->head, y->head);
    if (c == 0)
        c = strcmp(x->line, y->line);
    if (c == 0)
        c = x->pos < y->pos ? -1 : x->pos > y->pos;
    return c;
}

/*
 * Keys every line with its statement's first line. A statement starts at a
 * line that is not indented and follows a line ending in ';' (or the start).
 * In function bodies this may start a "statement" early; both sides are cut
 * the same way, so it only changes what a difference is shown with.
 */
static struct keyed_line *key_lines(const strlist *lines)
{
    struct keyed_line *k = xcalloc(lines->n + 1, sizeof(*k));
    const char *head = "";
    bool at_start = true;
    for (size_t i = 0; i < lines->n; i++) {
        const char *l = lines->items[i];
        if (at_start && l[0] != ' ' && l[0] != '\t')
            head = l;
        k[i].head = head;
        k[i].line = l;
        k[i].pos = i;
        size_t len = strlen(l);
        at_start = len > 0 && l[len - 1] == ';';
    }
    return k;
}

static struct keyed_line **sorted_refs(struct keyed_line *k, size_t n)
{
    struct keyed_line **refs = xcalloc(n + 1, sizeof(*refs));
    for (size_t i = 0; i < n; i++)
        refs[i] = &k[i];
    qsort(refs, n, sizeof(*refs), cmp_keyed);
    return refs;
}

/* The statement a line belongs to, as shown: its first line without a trailing " (". */
static char *statement_name(const struct keyed_line *k)
{
    if (k->line == k->head || strcmp(k->line, k->head) == 0)
        return NULL;
    char *name = xstrdup(k->head);
    size_t n = strlen(name);
    if (n >= 2 && strcmp(name + n - 2, " (") == 0)
        name[n - 2] = '\0';
    return name;
}

static void report(struct verify_db_result *res, size_t limit, struct keyed_line *k, bool is_source)
{
    char *object = statement_name(k);
    verify__add_schema_diff(res, limit, object, is_source ? k->line : NULL,
                            is_source ? NULL : k->line);
    k->reported = true;
    free(object);
}

static int cmp_head_only(const void *key, const void *elem)
{
    return strcmp((const char *) key, (*(const struct keyed_line *const *) elem)->head);
}

void verify__compare_lines(const strlist *src, const strlist *tgt, struct verify_db_result *res,
                           size_t limit)
{
    struct keyed_line *ks = key_lines(src), *kt = key_lines(tgt);
    struct keyed_line **rs = sorted_refs(ks, src->n), **rt = sorted_refs(kt, tgt->n);

    /* Pair equal (statement, line) keys; what stays unpaired differs. */
    size_t i = 0, j = 0;
    while (i < src->n && j < tgt->n) {
        int c = strcmp(rs[i]->head, rt[j]->head);
        if (c == 0)
            c = strcmp(rs[i]->line, rt[j]->line);
        if (c == 0) {
            rs[i++]->matched = true;
            rt[j++]->matched = true;
        } else if (c < 0) {
            i++;
        } else {
            j++;
        }
    }

    /*
     * Report in the source dump's order; after the source lines of a
     * statement, the target lines of the same statement, so a changed line
     * shows next to its replacement. Then whatever is left on the target.
     */
    const char *group = NULL;
    for (size_t n = 0; n <= src->n; n++) {
        struct keyed_line *k = n < src->n ? &ks[n] : NULL;
        if (k && k->matched)
            continue;
        if (group && (k == NULL || strcmp(group, k->head) != 0)) {
            struct keyed_line **first = bsearch(group, rt, tgt->n, sizeof(*rt), cmp_head_only);
            if (first) {
                while (first > rt && strcmp(first[-1]->head, group) == 0)
                    first--;
                for (; first < rt + tgt->n && strcmp((*first)->head, group) == 0; first++)
                    if (!(*first)->matched && !(*first)->reported)
                        report(res, limit, *first, false);
            }
        }
        if (k == NULL)
            break;
        report(res, limit, k, true);
        group = k->head;
    }
    for (size_t n = 0; n < tgt->n; n++)
        if (!kt[n].matched && !kt[n].reported)
            report(res, limit, &kt[n], false);
    verify__finish_schema_diffs(res, limit);

    free(rs);
    free(rt);
    free(ks);
    free(kt);
}

void verify__add_schema_diff(struct verify_db_result *res, size_t limit, const char *object,
                             const char *source, const char *target)
{
    res->schema_differences++;
    if ((size_t) res->schema_differences <= limit)
        verify_db_add(res, VERIFY_DIFF_SCHEMA, object, source, target, NULL);
}

void verify__finish_schema_diffs(struct verify_db_result *res, size_t limit)
{
    if ((size_t) res->schema_differences <= limit)
        return;
    char num[48];
    progress_format_count(res->schema_differences - (int64_t) limit, num, sizeof(num));
    char *detail = xasprintf("... and %s more", num);
    verify_db_add(res, VERIFY_DIFF_SCHEMA, NULL, NULL, NULL, detail);
    free(detail);
}
