/*
 * buf.h — a growable, always NUL-terminated string buffer, and a list of
 * owned strings. The small string toolkit every other layer builds on.
 */
#ifndef PGSHUTTLE_UTIL_BUF_H
#define PGSHUTTLE_UTIL_BUF_H

#include <stdbool.h>
#include <stddef.h>

typedef struct strbuf {
    char *data; /* owned; NUL-terminated once anything was appended */
    size_t len;
    size_t cap;
} strbuf;

#define STRBUF_INIT {NULL, 0, 0}

void sb_init(strbuf *sb);
void sb_free(strbuf *sb);
void sb_reset(strbuf *sb);
void sb_append(strbuf *sb, const char *s);
void sb_appendn(strbuf *sb, const char *s, size_t n);
void sb_appendc(strbuf *sb, char c);
void sb_printf(strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Returns the contents ("" if empty) as a string the caller frees; the buffer is reset. */
char *sb_steal(strbuf *sb);
/* Returns the contents, never NULL; valid until the next change to sb. */
const char *sb_str(const strbuf *sb);

/* Returns the first max_lines lines of text joined with " | " (for one-line messages); caller frees. */
char *str_first_lines(const char *text, int max_lines);

typedef struct strlist {
    char **items; /* owned, each item owned */
    size_t n;
    size_t cap;
} strlist;

#define STRLIST_INIT {NULL, 0, 0}

void sl_push(strlist *sl, const char *s);
void sl_push_owned(strlist *sl, char *s);
bool sl_contains(const strlist *sl, const char *s);
void sl_free(strlist *sl);
/* Splits s on sep into sl, trimming spaces around items and dropping empty ones. */
void sl_split(strlist *sl, const char *s, char sep);
/* Returns the items joined by sep; the caller frees it. */
char *sl_join(const strlist *sl, const char *sep);

#endif
