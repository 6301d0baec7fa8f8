/* percent.c — %XX escapes (see percent.h). */
#include "util/percent.h"

int percent_hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int percent_escape_at(const char *s, size_t n, size_t i)
{
    if (i + 2 >= n)
        return -1;
    int hi = percent_hex_value(s[i + 1]), lo = percent_hex_value(s[i + 2]);
    if (hi < 0 || lo < 0 || (hi | lo) == 0)
        return -1;
    return hi * 16 + lo;
}
