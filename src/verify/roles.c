/*
 * roles.c — explaining ownership and privilege differences: a schema
 * difference that gives something to a role that does not exist on the other
 * server (the migration skips those, with a warning) gets a detail saying so.
 * Works on pg_dump lines (ALTER ... OWNER TO, GRANT, REVOKE) and on the
 * catalog fingerprint's "owner of" and "privileges on" rows.
 */
#include "util/mem.h"
#include "verify/internal.h"

#include <stdlib.h>
#include <string.h>

/* Appends the role name between start and end (exclusive) to out, unless special. */
static void push_role(const char *start, const char *end, strlist *out)
{
    char *name = xmalloc((size_t) (end - start) + 1);
    memcpy(name, start, (size_t) (end - start));
    name[end - start] = '\0';
    if (name[0] && strcmp(name, "PUBLIC") != 0 && strcmp(name, "OWNER") != 0 &&
        !sl_contains(out, name))
        sl_push(out, name);
    free(name);
}

/* The last occurrence of needle in s, or NULL. */
static const char *last_strstr(const char *s, const char *needle)
{
    const char *last = NULL;
    for (const char *p = strstr(s, needle); p; p = strstr(p + 1, needle))
        last = p;
    return last;
}

/*
 * Appends the role a pg_dump line gives something to: "ALTER ... OWNER TO r;",
 * "GRANT ... TO r[ WITH GRANT OPTION];", "REVOKE ... FROM r;".
 */
static void roles_in_dump_line(const char *line, strlist *out)
{
    const char *role = NULL;
    if (strncmp(line, "ALTER ", 6) == 0 && (role = last_strstr(line, " OWNER TO ")) != NULL)
        role += strlen(" OWNER TO ");
    else if (strncmp(line, "GRANT ", 6) == 0 && (role = last_strstr(line, " TO ")) != NULL)
        role += strlen(" TO ");
    else if (strncmp(line, "REVOKE ", 7) == 0 && (role = last_strstr(line, " FROM ")) != NULL)
        role += strlen(" FROM ");
    if (role == NULL)
        return;
    const char *end = role;
    if (*end == '"') {
        end++;
        while (*end && !(*end == '"' && end[1] != '"'))
            end += (*end == '"' && end[1] == '"') ? 2 : 1;
        if (*end)
            end++;
    } else {
        while (*end && *end != ';' && *end != ' ')
            end++;
    }
    push_role(role, end, out);
}

/* Appends to out the role names in a difference's value on one side. */
static void roles_in_value(const char *object, const char *value, strlist *out)
{
    if (value == NULL)
        return;
    if (object == NULL ||
        (strncmp(object, "owner of ", 9) != 0 && strncmp(object, "privileges on ", 14) != 0)) {
        roles_in_dump_line(value, out);
        return;
    }
    if (strncmp(object, "owner of ", 9) == 0) {
        sl_push(out, value);
        return;
    }
    /* "grantee=PRIVILEGE[ WITH GRANT OPTION],...": grantees are quote_ident()ed */
    const char *p = value;
    while (*p) {
        const char *start = p;
        if (*p == '"') {
            p++;
            while (*p && !(*p == '"' && p[1] != '"'))
                p += (*p == '"' && p[1] == '"') ? 2 : 1;
            if (*p)
                p++;
        }
        while (*p && *p != '=' && *p != ',')
            p++;
        if (*p == '=')
            push_role(start, p, out);
        while (*p && *p != ',')
            p++;
        if (*p == ',')
            p++;
    }
}

/* Notes "role x does not exist on the target" (or source) on one difference. */
static char *missing_roles_note(const strlist *named, const strlist *other_roles,
                                const char *other_side)
{
    strlist missing = STRLIST_INIT;
    for (size_t i = 0; i < named->n; i++)
        if (!sl_contains(other_roles, named->items[i]))
            sl_push(&missing, named->items[i]);
    char *note = NULL;
    if (missing.n > 0) {
        char *names = sl_join(&missing, ", ");
        note = xasprintf("%s %s %s not exist on the %s", missing.n == 1 ? "role" : "roles", names,
                         missing.n == 1 ? "does" : "do", other_side);
        free(names);
    }
    sl_free(&missing);
    return note;
}

void verify__annotate_missing_roles(struct verify_db_result *res, size_t from,
                                    const strlist *src_roles, const strlist *tgt_roles)
{
    for (size_t i = from; i < res->ndiffs; i++) {
        struct verify_diff *d = &res->diffs[i];
        if (d->kind != VERIFY_DIFF_SCHEMA || d->detail != NULL)
            continue;
        strlist in_src = STRLIST_INIT, in_tgt = STRLIST_INIT;
        roles_in_value(d->object, d->source, &in_src);
        roles_in_value(d->object, d->target, &in_tgt);
        char *a = missing_roles_note(&in_src, tgt_roles, "target");
        char *b = missing_roles_note(&in_tgt, src_roles, "source");
        if (a && b)
            d->detail = xasprintf("%s; %s", a, b);
        else if (a || b)
            d->detail = xstrdup(a ? a : b);
        free(a);
        free(b);
        sl_free(&in_src);
        sl_free(&in_tgt);
    }
}

bool verify__read_roles(pgconn *c, strlist *out)
{
    pgres *r;
    if (!pgconn_query(c, "SELECT pg_catalog.quote_ident(rolname) FROM pg_catalog.pg_roles", 0, NULL,
                      &r))
        return false;
    for (int i = 0; i < pgres_ntuples(r); i++)
        sl_push(out, pgres_get(r, i, 0));
    pgres_free(r);
    return true;
}

void verify__annotate_roles_of(struct verify__db *db, size_t from)
{
    if (db->res->ndiffs <= from)
        return;
    strlist src_roles = STRLIST_INIT, tgt_roles = STRLIST_INIT;
    if (verify__read_roles(db->src, &src_roles) && verify__read_roles(db->tgt, &tgt_roles))
        verify__annotate_missing_roles(db->res, from, &src_roles, &tgt_roles);
    sl_free(&src_roles);
    sl_free(&tgt_roles);
}
