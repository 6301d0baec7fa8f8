/* lsn.c — WAL positions as text (see lsn.h). */
#include "model/lsn.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void lsn_to_text(uint64_t lsn, char *buf, size_t buflen)
{
    snprintf(buf, buflen, "%" PRIX32 "/%" PRIX32, (uint32_t) (lsn >> 32), (uint32_t) lsn);
}

/* Reads 1 to 8 hex digits at *s; advances *s past them. */
static bool hex32(const char **s, uint32_t *out)
{
    size_t n = strspn(*s, "0123456789abcdefABCDEF");
    if (n == 0 || n > 8)
        return false;
    *out = (uint32_t) strtoul(*s, NULL, 16);
    *s += n;
    return true;
}

bool lsn_from_text(const char *text, uint64_t *out)
{
    uint32_t hi, lo;
    const char *s = text;
    if (!hex32(&s, &hi) || *s++ != '/' || !hex32(&s, &lo) || *s != '\0')
        return false;
    *out = ((uint64_t) hi << 32) | lo;
    return true;
}
