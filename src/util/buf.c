/* buf.c — growable string buffer and string list (see buf.h). */
#include "util/buf.h"
#include "util/mem.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sb_init(strbuf *sb)
{
    sb->data = NULL;
    sb->len = sb->cap = 0;
}

void sb_free(strbuf *sb)
{
    free(sb->data);
    sb_init(sb);
}

void sb_reset(strbuf *sb)
{
    sb->len = 0;
    if (sb->data)
        sb->data[0] = '\0';
}

static void sb_grow(strbuf *sb, size_t extra)
{
    if (sb->len + extra + 1 <= sb->cap)
        return;
    size_t cap = sb->cap ? sb->cap : 64;
    while (cap < sb->len + extra + 1)
        cap *= 2;
    sb->data = xrealloc(sb->data, cap);
    sb->cap = cap;
}

void sb_appendn(strbuf *sb, const char *s, size_t n)
{
    sb_grow(sb, n);
    memcpy(sb->data + sb->len, s, n);
    sb->len += n;
    sb->data[sb->len] = '\0';
}

void sb_append(strbuf *sb, const char *s)
{
    sb_appendn(sb, s, strlen(s));
}

void sb_appendc(strbuf *sb, char c)
{
    sb_appendn(sb, &c, 1);
}

void sb_printf(strbuf *sb, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n <= 0)
        return;
    sb_grow(sb, (size_t) n);
    va_start(ap, fmt);
    vsnprintf(sb->data + sb->len, (size_t) n + 1, fmt, ap);
    va_end(ap);
    sb->len += (size_t) n;
}

char *sb_steal(strbuf *sb)
{
    char *s = sb->data ? sb->data : xstrdup("");
    sb_init(sb);
    return s;
}

const char *sb_str(const strbuf *sb)
{
    return sb->data ? sb->data : "";
}

char *str_first_lines(const char *text, int max_lines)
{
    strbuf sb = STRBUF_INIT;
    int lines = 0;
    for (const char *p = text ? text : ""; *p && lines < max_lines; p++) {
        if (*p == '\n') {
            lines++;
            if (lines < max_lines && p[1])
                sb_append(&sb, " | ");
            continue;
        }
        sb_appendc(&sb, *p);
    }
    return sb_steal(&sb);
}

void sl_push_owned(strlist *sl, char *s)
{
    if (sl->n == sl->cap) {
        sl->cap = sl->cap ? sl->cap * 2 : 8;
        sl->items = xrealloc(sl->items, sl->cap * sizeof(char *));
    }
    sl->items[sl->n++] = s;
}

void sl_push(strlist *sl, const char *s)
{
    sl_push_owned(sl, xstrdup(s));
}

bool sl_contains(const strlist *sl, const char *s)
{
    for (size_t i = 0; i < sl->n; i++)
        if (strcmp(sl->items[i], s) == 0)
            return true;
    return false;
}

void sl_free(strlist *sl)
{
    for (size_t i = 0; i < sl->n; i++)
        free(sl->items[i]);
    free(sl->items);
    sl->items = NULL;
    sl->n = sl->cap = 0;
}

void sl_split(strlist *sl, const char *s, char sep)
{
    const char *p = s;
    while (p && *p) {
        const char *end = strchr(p, sep);
        size_t n = end ? (size_t) (end - p) : strlen(p);
        const char *a = p, *b = p + n;
        while (a < b && isspace((unsigned char) *a))
            a++;
        while (b > a && isspace((unsigned char) b[-1]))
            b--;
        if (b > a) {
            char *item = xmalloc((size_t) (b - a) + 1);
            memcpy(item, a, (size_t) (b - a));
            item[b - a] = '\0';
            sl_push_owned(sl, item);
        }
        p = end ? end + 1 : NULL;
    }
}

char *sl_join(const strlist *sl, const char *sep)
{
    strbuf sb = STRBUF_INIT;
    for (size_t i = 0; i < sl->n; i++) {
        if (i)
            sb_append(&sb, sep);
        sb_append(&sb, sl->items[i]);
    }
    return sb_steal(&sb);
}
