/*
 * pgoutput.c — decodes pgoutput protocol version 1 messages into cdc_change
 * records (see pgoutput.h).
 *
 * Wire format (docs/CDC.md): one message per XLogData, a type byte then
 * big-endian integers and NUL-terminated strings; rows travel as TupleData
 * (Int16 ncols, then per column 'n' null, 'u' unchanged TOAST, 't' Int32
 * length + text). Every read goes through a bounds-checked cursor, every
 * count is checked against the bytes left before anything is allocated, and
 * a message must be consumed exactly: a short or long message is malformed.
 */
#include "cdc/pgoutput.h"

#include "pg/quote.h"
#include "util/bigendian.h"
#include "util/buf.h"
#include "util/mem.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A bounds-checked read cursor over one message. */
struct reader {
    const uint8_t *data;
    size_t len;
    size_t pos;
    const char *msg; /* message name, for errors */
    char *err;
    size_t errlen;
};

static size_t left(const struct reader *r)
{
    return r->len - r->pos;
}

__attribute__((format(printf, 2, 3))) static bool fail(struct reader *r, const char *fmt, ...)
{
    if (r->err == NULL || r->errlen == 0)
        return false;
    int n = snprintf(r->err, r->errlen, "pgoutput %s message (%zu bytes): ", r->msg, r->len);
    if (n >= 0 && (size_t) n < r->errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(r->err + n, r->errlen - (size_t) n, fmt, ap);
        va_end(ap);
    }
    return false;
}

static bool need(struct reader *r, size_t n, const char *field)
{
    if (left(r) < n)
        return fail(r, "truncated: %s needs %zu byte%s at offset %zu, %zu left", field, n,
                    n == 1 ? "" : "s", r->pos, left(r));
    return true;
}

static uint64_t take_be(struct reader *r, size_t n)
{
    uint64_t v = be_load(r->data + r->pos, n);
    r->pos += n;
    return v;
}

static bool get_u8(struct reader *r, const char *field, uint8_t *v)
{
    if (!need(r, 1, field))
        return false;
    *v = (uint8_t) take_be(r, 1);
    return true;
}

static bool get_u16(struct reader *r, const char *field, uint16_t *v)
{
    if (!need(r, 2, field))
        return false;
    *v = (uint16_t) take_be(r, 2);
    return true;
}

static bool get_u32(struct reader *r, const char *field, uint32_t *v)
{
    if (!need(r, 4, field))
        return false;
    *v = (uint32_t) take_be(r, 4);
    return true;
}

static bool get_i32(struct reader *r, const char *field, int32_t *v)
{
    uint32_t u;
    if (!get_u32(r, field, &u))
        return false;
    *v = (int32_t) u;
    return true;
}

static bool get_u64(struct reader *r, const char *field, uint64_t *v)
{
    if (!need(r, 8, field))
        return false;
    *v = take_be(r, 8);
    return true;
}

static bool get_i64(struct reader *r, const char *field, int64_t *v)
{
    uint64_t u;
    if (!get_u64(r, field, &u))
        return false;
    *v = (int64_t) u;
    return true;
}

/* A NUL-terminated String; *v (if not NULL) gets an owned copy. */
static bool get_string(struct reader *r, const char *field, char **v)
{
    const uint8_t *start = r->data + r->pos;
    const uint8_t *nul = left(r) ? memchr(start, '\0', left(r)) : NULL;
    if (nul == NULL)
        return fail(r, "truncated: %s at offset %zu has no terminating NUL", field, r->pos);
    if (v)
        *v = xstrdup((const char *) start);
    r->pos += (size_t) (nul - start) + 1;
    return true;
}

/* ------------------------------------------------------------------------
 * TupleData
 */

static bool get_tuple(struct reader *r, const char *which, bool allow_unchanged,
                      struct cdc_tuple *t)
{
    uint16_t ncols;
    if (!get_u16(r, "the column count", &ncols))
        return false;
    /* every column takes at least its kind byte */
    if (ncols > left(r))
        return fail(
            r, "truncated or corrupt: the %s tuple claims %u columns but only %zu bytes follow",
            which, ncols, left(r));
    t->ncols = ncols;
    t->values = xcalloc(ncols ? ncols : 1, sizeof(*t->values));
    for (int i = 0; i < ncols; i++) {
        struct cdc_value *v = &t->values[i];
        uint8_t kind;
        if (!get_u8(r, "a column kind", &kind))
            return false;
        switch (kind) {
        case 'n':
            v->kind = CDC_VALUE_NULL;
            break;
        case 'u':
            if (!allow_unchanged)
                return fail(r,
                            "column %d of the %s tuple is an unchanged TOAST value ('u'), "
                            "which only an update may send",
                            i + 1, which);
            v->kind = CDC_VALUE_UNCHANGED_TOAST;
            break;
        case 't': {
            int32_t len;
            if (!get_i32(r, "a text length", &len))
                return false;
            if (len < 0)
                return fail(r, "column %d of the %s tuple has a negative length %d", i + 1, which,
                            (int) len);
            if (!need(r, (size_t) len, "a text value"))
                return false;
            v->kind = CDC_VALUE_TEXT;
            v->data = xmalloc((size_t) len + 1);
            memcpy(v->data, r->data + r->pos, (size_t) len);
            v->data[len] = '\0';
            v->len = len;
            r->pos += (size_t) len;
            break;
        }
        case 'b':
            return fail(r,
                        "binary tuple data not supported (column %d of the %s tuple); "
                        "pgshuttle streams text and never sets the binary option",
                        i + 1, which);
        default:
            return fail(r,
                        "unknown tuple data kind 0x%02x at offset %zu (column %d of the %s "
                        "tuple)",
                        kind, r->pos - 1, i + 1, which);
        }
    }
    return true;
}

/* An old tuple marker 'K' (key columns) or 'O' (whole row), then its TupleData. */
static bool get_old_tuple(struct reader *r, uint8_t marker, struct cdc_change *out)
{
    out->has_old = true;
    out->old_is_key = marker == 'K';
    return get_tuple(r, marker == 'K' ? "old key" : "old row", true, &out->old_tuple);
}

/* ------------------------------------------------------------------------
 * Messages
 */

static bool decode_begin(struct reader *r, struct cdc_change *out, bool *skip)
{
    out->kind = CDC_BEGIN;
    return get_u64(r, "final_lsn", &out->final_lsn) && get_i64(r, "commit_ts", &out->commit_ts) &&
           get_u32(r, "xid", &out->xid);
}

static bool decode_commit(struct reader *r, struct cdc_change *out, bool *skip)
{
    uint8_t flags;
    out->kind = CDC_COMMIT;
    if (!get_u8(r, "flags", &flags))
        return false;
    if (flags != 0)
        return fail(r, "unknown commit flags 0x%02x", flags);
    return get_u64(r, "commit_lsn", &out->commit_lsn) && get_u64(r, "end_lsn", &out->end_lsn) &&
           get_i64(r, "commit_ts", &out->commit_ts);
}

/* Origin: the transaction was replayed from another node. Nothing to apply. */
static bool decode_origin(struct reader *r, struct cdc_change *out, bool *skip)
{
    uint64_t origin_lsn;
    *skip = true;
    return get_u64(r, "origin_lsn", &origin_lsn) && get_string(r, "origin name", NULL);
}

/* Type: names a non-built-in type used by a following Relation; we map by name elsewhere. */
static bool decode_type(struct reader *r, struct cdc_change *out, bool *skip)
{
    uint32_t oid;
    *skip = true;
    return get_u32(r, "type oid", &oid) && get_string(r, "type schema", NULL) &&
           get_string(r, "type name", NULL);
}

/* Logical message (pg_logical_emit_message; sent only with messages=true). */
static bool decode_message(struct reader *r, struct cdc_change *out, bool *skip)
{
    uint8_t flags;
    uint64_t lsn;
    int32_t len;
    *skip = true;
    if (!get_u8(r, "flags", &flags) || !get_u64(r, "lsn", &lsn) || !get_string(r, "prefix", NULL) ||
        !get_i32(r, "content length", &len))
        return false;
    if (len < 0)
        return fail(r, "negative content length %d", (int) len);
    if (!need(r, (size_t) len, "the content"))
        return false;
    r->pos += (size_t) len;
    return true;
}

static bool decode_relation(struct reader *r, struct cdc_change *out, bool *skip)
{
    struct cdc_relation *rel = xcalloc(1, sizeof(*rel));
    uint8_t replident;
    uint16_t ncols;

    out->kind = CDC_RELATION;
    out->relation = rel;
    if (!get_u32(r, "relid", &rel->relid) || !get_string(r, "schema", &rel->schema) ||
        !get_string(r, "table name", &rel->name) || !get_u8(r, "replica identity", &replident) ||
        !get_u16(r, "the column count", &ncols))
        return false;
    if (strchr("dnfi", replident) == NULL || replident == '\0')
        return fail(r, "unknown replica identity 0x%02x", replident);
    rel->replident = (char) replident;
    out->relid = rel->relid;
    /* a column takes at least flags, an empty name, type oid and typmod: 10 bytes */
    if ((size_t) ncols * 10 > left(r))
        return fail(r, "truncated or corrupt: claims %u columns but only %zu bytes follow", ncols,
                    left(r));
    rel->columns = xcalloc(ncols ? ncols : 1, sizeof(*rel->columns));
    for (int i = 0; i < ncols; i++) {
        struct cdc_column *col = &rel->columns[i];
        uint8_t flags;
        /* count the column before filling it, so a failure frees what was read */
        rel->ncols = i + 1;
        if (!get_u8(r, "column flags", &flags) || !get_string(r, "column name", &col->name) ||
            !get_u32(r, "column type oid", &col->type_oid) ||
            !get_i32(r, "column typmod", &col->typmod))
            return false;
        col->is_key = (flags & 1) != 0;
    }
    rel->ncols = ncols;
    return true;
}

static bool decode_insert(struct reader *r, struct cdc_change *out, bool *skip)
{
    uint8_t marker;
    out->kind = CDC_INSERT;
    if (!get_u32(r, "relid", &out->relid) || !get_u8(r, "tuple marker", &marker))
        return false;
    if (marker != 'N')
        return fail(r, "expected new tuple marker 'N', got 0x%02x", marker);
    return get_tuple(r, "new", false, &out->new_tuple);
}

static bool decode_update(struct reader *r, struct cdc_change *out, bool *skip)
{
    uint8_t marker;
    out->kind = CDC_UPDATE;
    if (!get_u32(r, "relid", &out->relid) || !get_u8(r, "tuple marker", &marker))
        return false;
    if (marker == 'K' || marker == 'O') {
        if (!get_old_tuple(r, marker, out) || !get_u8(r, "new tuple marker", &marker))
            return false;
    }
    if (marker != 'N')
        return fail(r, "expected tuple marker 'K', 'O' or 'N', got 0x%02x", marker);
    return get_tuple(r, "new", true, &out->new_tuple);
}

static bool decode_delete(struct reader *r, struct cdc_change *out, bool *skip)
{
    uint8_t marker;
    out->kind = CDC_DELETE;
    if (!get_u32(r, "relid", &out->relid) || !get_u8(r, "tuple marker", &marker))
        return false;
    if (marker != 'K' && marker != 'O')
        return fail(r, "expected old tuple marker 'K' or 'O', got 0x%02x", marker);
    return get_old_tuple(r, marker, out);
}

static bool decode_truncate(struct reader *r, struct cdc_change *out, bool *skip)
{
    int32_t nrels;
    uint8_t flags;
    out->kind = CDC_TRUNCATE;
    if (!get_i32(r, "relation count", &nrels) || !get_u8(r, "flags", &flags))
        return false;
    if (nrels < 0)
        return fail(r, "negative relation count %d", (int) nrels);
    if ((size_t) nrels > left(r) / 4)
        return fail(r, "truncated or corrupt: claims %d relations but only %zu bytes follow",
                    (int) nrels, left(r));
    out->cascade = (flags & 1) != 0;
    out->restart_identity = (flags & 2) != 0;
    out->relids = xcalloc(nrels ? (size_t) nrels : 1, sizeof(*out->relids));
    out->nrelids = nrels;
    for (int i = 0; i < nrels; i++) {
        if (!get_u32(r, "relid", &out->relids[i]))
            return false;
    }
    return true;
}

typedef bool (*message_decoder)(struct reader *r, struct cdc_change *out, bool *skip);

/* The message types of pgoutput. Those without a decoder come only with protocol
 * options pgshuttle never sets (streaming, two_phase): receiving one is an error. */
static const struct {
    uint8_t type;
    const char *name;
    message_decoder decode;
} messages[] = {
    {'B', "Begin", decode_begin},       {'C', "Commit", decode_commit},
    {'O', "Origin", decode_origin},     {'R', "Relation", decode_relation},
    {'Y', "Type", decode_type},         {'I', "Insert", decode_insert},
    {'U', "Update", decode_update},     {'D', "Delete", decode_delete},
    {'T', "Truncate", decode_truncate}, {'M', "Message", decode_message},
    {'S', "Stream Start", NULL},        {'E', "Stream Stop", NULL},
    {'c', "Stream Commit", NULL},       {'A', "Stream Abort", NULL},
    {'b', "Begin Prepare", NULL},       {'P', "Prepare", NULL},
    {'K', "Commit Prepared", NULL},     {'r', "Rollback Prepared", NULL},
    {'p', "Stream Prepare", NULL},
};

bool cdc_pgoutput_decode(const uint8_t *data, size_t len, cdc_lsn lsn, struct cdc_change *out,
                         bool *skip, char *err, size_t errlen)
{
    struct reader r = {data, len, 0, "", err, errlen};
    bool dummy_skip;

    if (skip == NULL)
        skip = &dummy_skip;
    *skip = false;
    if (err && errlen)
        err[0] = '\0';
    if (data == NULL || len == 0) {
        r.msg = "empty";
        return fail(&r, "no message type byte");
    }

    uint8_t type = data[0];
    size_t i = 0;
    size_t n = sizeof(messages) / sizeof(messages[0]);
    while (i < n && messages[i].type != type)
        i++;
    if (i == n) {
        r.msg = "unknown";
        if (type >= 0x20 && type < 0x7f)
            return fail(&r, "unknown message type '%c' (0x%02x)", type, type);
        return fail(&r, "unknown message type 0x%02x", type);
    }
    r.msg = messages[i].name;
    if (messages[i].decode == NULL)
        return fail(&r,
                    "type '%c' belongs to protocol options pgshuttle does not request "
                    "(streaming or two-phase)",
                    type);

    r.pos = 1;
    out->lsn = lsn;
    bool ok = messages[i].decode(&r, out, skip);
    if (ok && r.pos != r.len)
        ok = fail(&r, "%zu unexpected bytes after the end of the message (offset %zu)", left(&r),
                  r.pos);
    if (!ok) {
        cdc_change_reset(out);
        *skip = false;
        return false;
    }
    if (*skip)
        cdc_change_reset(out);
    return true;
}

char *cdc_pgoutput_start_options(const char *publication)
{
    /* pgoutput splits publication_names on commas and folds unquoted names to
     * lower case, so the name goes in as a (quoted if needed) identifier; the
     * replication command scanner takes '' for a quote and nothing else. */
    char *ident = pgq_ident_dup(publication ? publication : "");
    strbuf sb = STRBUF_INIT;
    sb_append(&sb, "(\"proto_version\" '1', \"publication_names\" '");
    for (const char *p = ident; *p; p++) {
        if (*p == '\'')
            sb_appendc(&sb, '\'');
        sb_appendc(&sb, *p);
    }
    sb_append(&sb, "')");
    free(ident);
    return sb_steal(&sb);
}
