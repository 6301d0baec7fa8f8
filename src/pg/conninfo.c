/*
 * conninfo.c — connection string parsing and masking via libpq, and the
 * redaction of passwords from any text that may quote a connection string,
 * valid or not (see conninfo.h).
 */
#include "pg/conninfo.h"
#include "util/buf.h"
#include "util/mem.h"
#include "util/percent.h"

#include <ctype.h>
#include <libpq-fe.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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

/* ---------------------------------------------------------------- redaction */

/*
 * pgconninfo_redact() does not trust libpq to parse the string: a malformed
 * one is exactly when libpq quotes it back. It reads the string lexically,
 * the way libpq would and a little more generously, collects every string
 * that is or may be a password (the "secrets"), and masks them in the text.
 *
 * A secret shorter than SECRET_ANYWHERE_MIN is masked only where it stands
 * alone (not inside a word), so that a password "a" does not blank every "a"
 * of a message; longer ones are masked wherever they appear.
 */
#define SECRET_ANYWHERE_MIN 4

/* Characters at which libpq splits a connection string into its parts. */
static bool is_part_separator(char c)
{
    return c != '\0' && (isspace((unsigned char) c) || strchr("@/:?&=,", c) != NULL);
}

/*
 * Returns s[0..n) with its %XX escapes decoded, as libpq decodes a URI; a bad
 * escape or %00 (which libpq rejects) stays as it is. Caller frees.
 */
static char *percent_decoded(const char *s, size_t n)
{
    char *out = xmalloc(n + 1);
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        int byte = s[i] == '%' ? percent_escape_at(s, n, i) : -1;
        if (byte >= 0) {
            out[o++] = (char) byte;
            i += 2;
            continue;
        }
        out[o++] = s[i];
    }
    out[o] = '\0';
    return out;
}

/* Returns s[0..n) with libpq's backslash escapes of key=value values removed. Caller frees. */
static char *unescaped(const char *s, size_t n)
{
    char *out = xmalloc(n + 1);
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\\' && i + 1 < n)
            i++;
        out[o++] = s[i];
    }
    out[o] = '\0';
    return out;
}

static void push_secret(strlist *secrets, const char *s, size_t n)
{
    if (n == 0)
        return;
    char *t = xmalloc(n + 1);
    memcpy(t, s, n);
    t[n] = '\0';
    if (sl_contains(secrets, t))
        free(t);
    else
        sl_push_owned(secrets, t);
}

/*
 * Adds s[0..n) as a secret, with its parts between separators (a password
 * holding an unencoded "@", "/" or space is split by libpq, which may then
 * quote one part alone) and the same again percent-decoded.
 */
static void add_secret(strlist *secrets, const char *s, size_t n)
{
    if (n == 0)
        return;
    for (int pass = 0; pass < 2; pass++) {
        char *d = pass ? percent_decoded(s, n) : NULL;
        const char *v = d ? d : s;
        size_t len = d ? strlen(d) : n;
        if (d && len == n && memcmp(d, s, n) == 0) {
            free(d);
            break;
        }
        push_secret(secrets, v, len);
        for (size_t i = 0; i < len;) {
            while (i < len && is_part_separator(v[i]))
                i++;
            size_t j = i;
            while (j < len && !is_part_separator(v[j]))
                j++;
            if (j - i < len)
                push_secret(secrets, v + i, j - i);
            i = j;
        }
        free(d);
    }
}

/* Adds s[0..n) and its backslash-unescaped form. */
static void add_secret_escaped(strlist *secrets, const char *s, size_t n)
{
    add_secret(secrets, s, n);
    char *u = unescaped(s, n);
    add_secret(secrets, u, strlen(u));
    free(u);
}

/*
 * URI userinfo: "scheme://user:PASSWORD@host". libpq ends the userinfo at the
 * first "@" before any "/" (and only knows the postgresql:// and postgres://
 * schemes); here any scheme counts, anywhere in the string, and the password
 * also runs to the last "@" before the "/" (a password with an unencoded "@")
 * or, with no "@" before the "/", to an "@" after it (one with a "/").
 */
static void scan_uri_userinfo(strlist *secrets, const char *s)
{
    for (const char *p = strstr(s, "://"); p; p = strstr(p + 3, "://")) {
        const char *start = p + 3;
        const char *slash = start + strcspn(start, "/");
        const char *first_at = start + strcspn(start, "@/");
        const char *last_at = NULL;
        if (*first_at == '@') {
            for (const char *q = first_at; q < slash; q++)
                if (*q == '@')
                    last_at = q;
        } else {
            first_at = NULL;
            const char *end = slash + strcspn(slash, "? \t\r\n\f\v");
            for (const char *q = slash; q < end; q++)
                if (*q == '@')
                    last_at = q;
        }
        if (last_at == NULL)
            continue;
        const char *colon = memchr(start, ':', (size_t) (last_at - start));
        if (colon == NULL)
            continue;
        if (first_at && colon < first_at)
            add_secret(secrets, colon + 1, (size_t) (first_at - colon - 1));
        add_secret(secrets, colon + 1, (size_t) (last_at - colon - 1));
    }
}

/* Length of the word at s: up to whitespace or "&" (libpq's backslash escapes skipped). */
static size_t word_len(const char *s, bool *has_equals)
{
    size_t i = 0;
    while (s[i] && !isspace((unsigned char) s[i]) && s[i] != '&') {
        if (s[i] == '=')
            *has_equals = true;
        if (s[i] == '\\' && s[i + 1])
            i++;
        i++;
    }
    return i;
}

/*
 * "password = value" in key=value form and "password=value" in a URI query,
 * the keyword in any case. A quoted value runs to its closing quote (or the
 * end); an unquoted one to whitespace (key=value), to "&" (URI query), and,
 * generously, over the following words that hold no "=" (a password with an
 * unquoted space or an unencoded "&").
 */
static void scan_password_keyword(strlist *secrets, const char *s)
{
    for (const char *p = s; *p; p++) {
        if (strncasecmp(p, "password", 8) != 0)
            continue;
        const char *v = p + 8;
        while (isspace((unsigned char) *v))
            v++;
        if (*v != '=')
            continue;
        v++;
        while (isspace((unsigned char) *v))
            v++;
        if (*v == '\'') {
            const char *e = ++v;
            while (*e && *e != '\'') {
                if (*e == '\\' && e[1])
                    e++;
                e++;
            }
            add_secret_escaped(secrets, v, (size_t) (e - v));
            continue;
        }
        bool eq = false;
        size_t first = word_len(v, &eq);
        size_t to_space = first;
        while (v[to_space] && !isspace((unsigned char) v[to_space])) {
            if (v[to_space] == '\\' && v[to_space + 1])
                to_space++;
            to_space++;
        }
        size_t generous = first;
        for (;;) {
            size_t w = generous;
            while (v[w] && (isspace((unsigned char) v[w]) || v[w] == '&'))
                w++;
            eq = false;
            size_t n = word_len(v + w, &eq);
            if (n == 0 || eq)
                break;
            generous = w + n;
        }
        add_secret_escaped(secrets, v, first);
        add_secret_escaped(secrets, v, to_space);
        add_secret_escaped(secrets, v, generous);
    }
}

/* Every string that is or may be a password of conninfo (which need not parse). */
static void collect_secrets(strlist *secrets, const char *conninfo)
{
    char *decoded = percent_decoded(conninfo, strlen(conninfo));
    scan_uri_userinfo(secrets, conninfo);
    scan_password_keyword(secrets, conninfo);
    if (strcmp(decoded, conninfo) != 0) {
        /* an encoded keyword ("pass%77ord=") or separator */
        scan_uri_userinfo(secrets, decoded);
        scan_password_keyword(secrets, decoded);
    }
    free(decoded);
    PQconninfoOption *opts = PQconninfoParse(conninfo, NULL);
    for (PQconninfoOption *o = opts; o && o->keyword; o++)
        if (strcmp(o->keyword, "password") == 0 && o->val)
            add_secret(secrets, o->val, strlen(o->val));
    PQconninfoFree(opts);
}

static bool stands_alone(const char *text, size_t at, size_t n)
{
    return (at == 0 || !isalnum((unsigned char) text[at - 1])) &&
           !isalnum((unsigned char) text[at + n]);
}

char *pgconninfo_redact(const char *text, const char *conninfo)
{
    if (text == NULL)
        return NULL;
    strlist secrets = STRLIST_INIT;
    if (conninfo)
        collect_secrets(&secrets, conninfo);
    size_t len = strlen(text);
    bool *hide = xcalloc(len + 1, sizeof(bool));
    for (size_t i = 0; i < secrets.n; i++) {
        const char *secret = secrets.items[i];
        size_t n = strlen(secret);
        for (const char *at = strstr(text, secret); at; at = strstr(at + 1, secret))
            if (n >= SECRET_ANYWHERE_MIN || stands_alone(text, (size_t) (at - text), n))
                memset(hide + (at - text), true, n);
    }
    strbuf sb = STRBUF_INIT;
    for (size_t i = 0; i < len; i++) {
        if (!hide[i])
            sb_appendc(&sb, text[i]);
        else if (i == 0 || !hide[i - 1])
            sb_append(&sb, MASK);
    }
    free(hide);
    for (size_t i = 0; i < secrets.n; i++)
        memset(secrets.items[i], 0, strlen(secrets.items[i]));
    sl_free(&secrets);
    return sb_steal(&sb);
}

bool pgconninfo_valid(const char *conninfo, char **errmsg)
{
    char *err = NULL;
    PQconninfoOption *opts = PQconninfoParse(conninfo ? conninfo : "", &err);
    if (opts == NULL) {
        if (errmsg) {
            /* libpq quotes the part it could not read, password included. */
            char *msg = pgconninfo_redact(err ? err : "out of memory", conninfo);
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
    char *shown = xasprintf("%s:%s", h, p);
    /* A password with an unencoded "@" or "/" ends up in host or port. */
    char *out = pgconninfo_redact(shown, conninfo);
    free(shown);
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
