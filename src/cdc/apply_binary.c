/*
 * apply_binary.c — text values into PostgreSQL's binary array format.
 *
 * The array: dimensions (1), has-nulls flag, element type OID, then per
 * dimension the element count and lower bound (1); then each element as a
 * 4-byte length (-1 for NULL) and its bytes. All integers big-endian.
 */
#include "cdc/apply_binary.h"
#include "util/bigendian.h"
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

/* v's low n bytes, most significant first. */
static void put_be(strbuf *out, uint64_t v, size_t n)
{
    unsigned char b[8];
    be_store(b, v, n);
    sb_appendn(out, (const char *) b, n);
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

/* The value s of a fixed-size type as its bytes hold it: their number, 0 when s is refused. */
static size_t fixed_value(uint32_t typoid, const char *s, uint64_t *v)
{
    int64_t i = 0;
    size_t size;
    bool ok;
    switch (typoid) {
    case OID_BOOL:
        ok = (s[0] == 't' || s[0] == 'f') && s[1] == '\0';
        i = s[0] == 't';
        size = 1;
        break;
    case OID_INT2:
        ok = parse_int(s, INT16_MIN, INT16_MAX, &i);
        size = 2;
        break;
    case OID_INT4:
        ok = parse_int(s, INT32_MIN, INT32_MAX, &i);
        size = 4;
        break;
    case OID_OID: /* unsigned */
        ok = *s != '-' && parse_int(s, 0, UINT32_MAX, &i);
        size = 4;
        break;
    case OID_INT8:
        ok = parse_int(s, INT64_MIN, INT64_MAX, &i);
        size = 8;
        break;
    case OID_DATE: {
        int32_t days = 0;
        ok = pgtime_parse_date(s, strlen(s), &days);
        i = days;
        size = 4;
        break;
    }
    case OID_TIMESTAMP:
    case OID_TIMESTAMPTZ:
        ok = pgtime_parse_timestamp(s, strlen(s), typoid == OID_TIMESTAMPTZ, &i);
        size = 8;
        break;
    default:
        return 0;
    }
    *v = (uint64_t) i; /* the low size bytes are the two's complement of i */
    return ok ? size : 0;
}

/* One element, length first. */
static bool put_element(strbuf *out, uint32_t typoid, const char *s)
{
    if (typoid == OID_TEXT || typoid == OID_VARCHAR || typoid == OID_BPCHAR) {
        size_t len = strlen(s);
        if (len > INT32_MAX)
            return false;
        put_be(out, len, 4);
        sb_appendn(out, s, len);
        return true;
    }
    uint64_t v;
    size_t size = fixed_value(typoid, s, &v);
    if (size == 0)
        return false;
    put_be(out, size, 4);
    put_be(out, v, size);
    return true;
}

bool cdc_bin_array(strbuf *out, uint32_t typoid, const char *const *values, int n)
{
    if (!cdc_bin_supported(typoid) || n < 0)
        return false;
    size_t start = out->len;
    bool nulls = false;
    for (int i = 0; i < n && !nulls; i++)
        nulls = values[i] == NULL;
    put_be(out, 1, 4); /* dimensions */
    put_be(out, nulls ? 1 : 0, 4);
    put_be(out, typoid, 4);
    put_be(out, (uint32_t) n, 4);
    put_be(out, 1, 4); /* lower bound */
    for (int i = 0; i < n; i++) {
        if (values[i] == NULL)
            put_be(out, UINT32_MAX, 4);
        else if (!put_element(out, typoid, values[i])) {
            out->len = start; /* put_be wrote, so data is allocated */
            out->data[start] = '\0';
            return false;
        }
    }
    return true;
}
