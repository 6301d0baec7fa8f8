/*
 * auth.c — the bearer token check. The comparison takes the same time
 * whatever the first differing byte is, so the token cannot be guessed
 * byte by byte from answer times; only its length is compared openly.
 */
#include "api/api_internal.h"

#include <string.h>
#include <strings.h>

bool api_auth_ok(const char *header, const char *token)
{
    static const char scheme[] = "Bearer ";
    if (header == NULL || token == NULL || token[0] == '\0' ||
        strncasecmp(header, scheme, sizeof(scheme) - 1) != 0)
        return false;
    const char *given = header + sizeof(scheme) - 1;
    size_t n = strlen(token), m = strlen(given);
    unsigned char diff = n != m;
    for (size_t i = 0; i < n; i++)
        diff |= (unsigned char) token[i] ^ (unsigned char) given[i < m ? i : 0];
    return diff == 0;
}
