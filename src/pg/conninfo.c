/* conninfo.c — connection string parsing and masking via libpq (see conninfo.h). */
#include "pg/conninfo.h"
#include "util/buf.h"
#include "util/mem.h"

#include <libpq-fe.h>
#include <stdlib.h>
#include <string.h>

#define MASK "*****"

/* Appends keyword=value to sb with the value quoted the way libpq reads it. */
static void append_pair(strbuf *sb, const char *keyword, const char *value)
{
    if (sb->len)
        sb_appendc(sb, ' ');
    sb_append(sb, keyword);
    sb_append(sb, "='");
    for (const char *p = value; *p; p++) {
        if (*p == '\'' || *p == '\\')
            sb_appendc(sb, '\\');
        sb_appendc(sb, *p);
    }
    sb_appendc(sb, '\'');
}

bool pgconninfo_valid(const char *conninfo, char **errmsg)
{
    char *err = NULL;
    PQconninfoOption *opts = PQconninfoParse(conninfo ? conninfo : "", &err);
    if (opts == NULL) {
        if (errmsg) {
            char *msg = xstrdup(err ? err : "out of memory");
            size_t n = strlen(msg);
            while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
                msg[--n] = '\0';
            *errmsg = msg;
        }
        PQfreemem(err);
        return false;
    }
    PQconninfoFree(opts);
    return true;
}

/*
 * Rebuilds conninfo as key=value pairs. mode: 0 keep password, 1 mask it,
 * 2 drop it. override_key/override_value replace (or add, or with a NULL value
 * remove) one keyword. Returns NULL when conninfo does not parse.
 */
static char *rebuild(const char *conninfo, int mode, const char *override_key,
                     const char *override_value, char **password_out)
{
    PQconninfoOption *opts = PQconninfoParse(conninfo ? conninfo : "", NULL);
    if (opts == NULL)
        return NULL;
    strbuf sb = STRBUF_INIT;
    bool overridden = false;
    for (PQconninfoOption *o = opts; o->keyword; o++) {
        const char *val = o->val;
        if (override_key && strcmp(o->keyword, override_key) == 0) {
            val = override_value;
            overridden = true;
        }
        if (val == NULL)
            continue;
        if (strcmp(o->keyword, "password") == 0) {
            if (password_out)
                *password_out = xstrdup(val);
            if (mode == 1)
                append_pair(&sb, o->keyword, MASK);
            else if (mode == 0)
                append_pair(&sb, o->keyword, val);
            continue;
        }
        append_pair(&sb, o->keyword, val);
    }
    if (override_key && !overridden && override_value)
        append_pair(&sb, override_key, override_value);
    PQconninfoFree(opts);
    return sb_steal(&sb);
}

char *pgconninfo_mask(const char *conninfo)
{
    char *s = rebuild(conninfo, 1, NULL, NULL, NULL);
    return s ? s : xstrdup("(invalid connection string)");
}

char *pgconninfo_get(const char *conninfo, const char *keyword)
{
    PQconninfoOption *opts = PQconninfoParse(conninfo ? conninfo : "", NULL);
    if (opts == NULL)
        return NULL;
    char *val = NULL;
    for (PQconninfoOption *o = opts; o->keyword; o++)
        if (strcmp(o->keyword, keyword) == 0 && o->val)
            val = xstrdup(o->val);
    PQconninfoFree(opts);
    return val;
}

char *pgconninfo_hostport(const char *conninfo)
{
    char *host = pgconninfo_get(conninfo, "host");
    if (host == NULL)
        host = pgconninfo_get(conninfo, "hostaddr");
    char *port = pgconninfo_get(conninfo, "port");
    const char *h = host ? host : (getenv("PGHOST") ? getenv("PGHOST") : "localhost");
    const char *p = port ? port : (getenv("PGPORT") ? getenv("PGPORT") : "5432");
    char *out = xasprintf("%s:%s", h, p);
    free(host);
    free(port);
    return out;
}

char *pgconninfo_set(const char *conninfo, const char *keyword, const char *value)
{
    return rebuild(conninfo, 0, keyword, value, NULL);
}

bool pgconninfo_split_password(const char *conninfo, char **without, char **password)
{
    *password = NULL;
    *without = rebuild(conninfo, 2, NULL, NULL, password);
    return *without != NULL;
}
