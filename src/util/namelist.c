/* namelist.c — comma-separated lists of names with optional double quotes (see namelist.h). */
#include "util/namelist.h"
#include "util/mem.h"

#include <stdlib.h>
#include <string.h>

/* Reads one quoted name starting at the opening quote *p; leaves *p after the closing quote. */
static bool read_quoted(const char *list, const char **p, strbuf *name, char **err)
{
    const char *open = *p;
    const char *s = open + 1;
    for (;;) {
        if (*s == '\0') {
            *err = xasprintf("the double quote at position %zu opens a name that never closes "
                             "(write \"\" for a double quote inside a quoted name)",
                             (size_t) (open - list) + 1);
            return false;
        }
        if (*s == '"') {
            if (s[1] != '"')
                break;
            sb_appendc(name, '"');
            s += 2;
            continue;
        }
        sb_appendc(name, *s++);
    }
    *p = s + 1;
    return true;
}

bool namelist_parse(const char *list, strlist *out, char **err)
{
    strlist names = STRLIST_INIT;
    strbuf name = STRBUF_INIT;
    const char *p = list;
    bool ok = true;
    *err = NULL;
    for (;;) {
        const char *start = p;
        sb_reset(&name);
        if (*p == '"') {
            ok = read_quoted(list, &p, &name, err);
            if (ok && *p != ',' && *p != '\0') {
                *err = xasprintf("after the quoted name \"%s\" comes \"%.*s\" (position %zu) where "
                                 "a comma or the end was expected",
                                 sb_str(&name), (int) strcspn(p, ","), p, (size_t) (p - list) + 1);
                ok = false;
            }
        } else {
            size_t n = strcspn(p, ",");
            sb_appendn(&name, p, n);
            p += n;
        }
        if (ok && name.len == 0) {
            *err =
                xasprintf("empty name at position %zu (%s)", (size_t) (start - list) + 1,
                          *list == '\0'   ? "no name given"
                          : *start == '"' ? "\"\" names nothing"
                                          : "two commas in a row, or a comma at the start or end");
            ok = false;
        }
        if (!ok)
            break;
        sl_push(&names, sb_str(&name));
        if (*p == '\0')
            break;
        p++; /* the comma */
    }
    if (ok)
        for (size_t i = 0; i < names.n; i++)
            sl_push(out, names.items[i]);
    sl_free(&names);
    sb_free(&name);
    return ok;
}
