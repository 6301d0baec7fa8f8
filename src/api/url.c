/*
 * url.c — %XX decoding. The server leaves the request's path and query
 * undecoded (its unescape callback is the identity) so that the router
 * splits the path at its real slashes first: a name such as "..%2Fx" stays
 * one segment, and is then refused by the name rule.
 */
#include "api/api_internal.h"
#include "util/mem.h"
#include "util/percent.h"

char *api_url_decode(const char *s, size_t n, bool plus_is_space)
{
    char *out = xmalloc(n + 1);
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '%') {
            int byte = percent_escape_at(s, n, i);
            if (byte < 0) {
                free(out);
                return NULL;
            }
            c = (char) byte;
            i += 2;
        } else if (c == '+' && plus_is_space)
            c = ' ';
        else if (c == '\0') {
            free(out);
            return NULL;
        }
        out[o++] = c;
    }
    out[o] = '\0';
    return out;
}
