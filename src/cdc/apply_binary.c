/*
 * apply_binary.c — text values into PostgreSQL's binary array format.
 *
 * The array: dimensions (1), has-nulls flag, element type OID, then per
 * dimension the element count and lower bound (1); then each element as a
 * 4-byte length (-1 for NULL) and its bytes. All integers big-endian.
 */
#include "cdc/apply_binary.h"
#include "util/pgtime.h"

#include <string.h>

enum {
    OID_BOOL = 16,
    OID_INT8 = 20,
    OID_INT2 = 21,
    OID_INT4 = 23,
    OID_TEXT = 25,
    OID_OID = 26,
    OID_BPCHAR = 1042,
    OID_VARCHAR = 1043,
    OID_DATE = 1082,
    OID_TIMESTAMP = 1114,
    OID_TIMESTAMPTZ = 1184,
};

bool cdc_bin_supported(uint32_t typoid)
{
    switch (typoid) {
    case OID_BOOL:
    case OID_INT8:
    case OID_INT2:
    case OID_INT4:
    case OID_TEXT:
    case OID_OID:
    case OID_BPCHAR:
    case OID_VARCHAR:
    case OID_DATE:
    case OID_TIMESTAMP:
    case OID_TIMESTAMPTZ:
        return true;
    default:
        return false;
    }
}

static void put_u32(strbuf *out, uint32_t v)
{
    char b[4] = {(char) (v >> 24), (char) (v >> 16), (char) (v >> 8), (char) v};
    sb_appendn(out, b, 4);
}

static void put_u64(strbuf *out, uint64_t v)
{
    put_u32(out, (uint32_t) (v >> 32));
    put_u32(out, (uint32_t) v);
}

/* An integer as int*out prints it: [-]digits, no leading zeros but "0", within [min, max]. */
static bool parse_int(const char *s, int64_t min, uint64_t max, int64_t *v)
{
    bool neg = *s == '-';
    if (neg)
        s++;
    if (*s < '0' || *s > '9' || (*s == '0' && s[1] != '\0'))
        return false;
    uint64_t limit = neg ? (uint64_t) - (min + 1) + 1 : max, u = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || u > (limit - (uint64_t) (*s - '0')) / 10)
            return false;
        u = u * 10 + (uint64_t) (*s - '0');
    }
    if (neg && u == 0)
        return false; /* "-0" is not printed */
    *v = neg ? (int64_t) (0 - u) : (int64_t) u;
    return true;
}

/* One element, length first. */
static bool put_element(strbuf *out, uint32_t typoid, const char *s)
{
    int64_t i;
    switch (typoid) {
    case OID_BOOL:
        if ((s[0] != 't' && s[0] != 'f') || s[1] != '\0')
            return false;
        put_u32(out, 1);
        sb_appendc(out, s[0] == 't' ? 1 : 0);
        return true;
    case OID_INT2:
        if (!parse_int(s, INT16_MIN, INT16_MAX, &i))
            return false;
        put_u32(out, 2);
        sb_appendc(out, (char) ((uint16_t) i >> 8));
        sb_appendc(out, (char) (uint16_t) i);
        return true;
    case OID_INT4:
    case OID_OID: {
        bool is_oid = typoid == OID_OID; /* unsigned */
        if ((is_oid && *s == '-') ||
            !parse_int(s, is_oid ? 0 : INT32_MIN, is_oid ? UINT32_MAX : INT32_MAX, &i))
            return false;
        put_u32(out, 4);
        put_u32(out, (uint32_t) i);
        return true;
    }
    case OID_INT8:
        if (!parse_int(s, INT64_MIN, INT64_MAX, &i))
            return false;
        put_u32(out, 8);
        put_u64(out, (uint64_t) i);
        return true;
    case OID_DATE: {
        int32_t days;
        if (!pgtime_parse_date(s, strlen(s), &days))
            return false;
        put_u32(out, 4);
        put_u32(out, (uint32_t) days);
        return true;
    }
    case OID_TIMESTAMP:
    case OID_TIMESTAMPTZ:
        if (!pgtime_parse_timestamp(s, strlen(s), typoid == OID_TIMESTAMPTZ, &i))
            return false;
        put_u32(out, 8);
        put_u64(out, (uint64_t) i);
        return true;
    case OID_TEXT:
    case OID_VARCHAR:
    case OID_BPCHAR: {
        size_t len = strlen(s);
        if (len > INT32_MAX)
            return false;
        put_u32(out, (uint32_t) len);
        sb_appendn(out, s, len);
        return true;
    }
    default:
        return false;
    }
}

bool cdc_bin_array(strbuf *out, uint32_t typoid, const char *const *values, int n)
{
    if (!cdc_bin_supported(typoid) || n < 0)
        return false;
    size_t start = out->len;
    bool nulls = false;
    for (int i = 0; i < n && !nulls; i++)
        nulls = values[i] == NULL;
    put_u32(out, 1);
    put_u32(out, nulls ? 1 : 0);
    put_u32(out, typoid);
    put_u32(out, (uint32_t) n);
    put_u32(out, 1);
    for (int i = 0; i < n; i++) {
        if (values[i] == NULL)
            put_u32(out, UINT32_MAX);
        else if (!put_element(out, typoid, values[i])) {
            out->len = start;
            if (out->data)
                out->data[start] = '\0';
            return false;
        }
    }
    return true;
}
