/*
 * change.c — freeing, naming and LSN text for the change model (see change.h).
 *
 * Both decoders fill a struct cdc_change with owned memory; everything they
 * may allocate is released here, so a decoder and its caller only ever need
 * cdc_change_reset between two records.
 */
#include "cdc/change.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void tuple_free(struct cdc_tuple *t)
{
    for (int i = 0; i < t->ncols; i++) {
        if (t->values)
            free(t->values[i].data);
        if (t->names)
            free(t->names[i]);
        if (t->types)
            free(t->types[i]);
    }
    free(t->values);
    free(t->names);
    free(t->types);
    memset(t, 0, sizeof(*t));
}

/* Frees r's columns, names and r itself (NULL is fine). */
void cdc_relation_free(struct cdc_relation *r)
{
    if (r == NULL)
        return;
    for (int i = 0; i < r->ncols && r->columns; i++) {
        free(r->columns[i].name);
        free(r->columns[i].type_name);
    }
    free(r->columns);
    free(r->schema);
    free(r->name);
    free(r);
}

void cdc_change_reset(struct cdc_change *c)
{
    if (c == NULL)
        return;
    cdc_relation_free(c->relation);
    free(c->schema);
    free(c->table);
    tuple_free(&c->old_tuple);
    tuple_free(&c->new_tuple);
    if (c->qualified) {
        for (int i = 0; i < c->nrelids; i++)
            free(c->qualified[i]);
    }
    free(c->qualified);
    free(c->relids);
    memset(c, 0, sizeof(*c));
}

static const char *const kind_names[CDC_KIND_COUNT] = {
    [CDC_BEGIN] = "BEGIN",       [CDC_COMMIT] = "COMMIT", [CDC_RELATION] = "RELATION",
    [CDC_INSERT] = "INSERT",     [CDC_UPDATE] = "UPDATE", [CDC_DELETE] = "DELETE",
    [CDC_TRUNCATE] = "TRUNCATE",
};

const char *cdc_kind_name(enum cdc_kind k)
{
    if ((int) k < 0 || k >= CDC_KIND_COUNT || kind_names[k] == NULL)
        return "UNKNOWN";
    return kind_names[k];
}

void cdc_lsn_format(cdc_lsn lsn, char *buf, int buflen)
{
    if (buf == NULL || buflen <= 0)
        return;
    snprintf(buf, (size_t) buflen, "%" PRIX32 "/%" PRIX32, (uint32_t) (lsn >> 32), (uint32_t) lsn);
}

/* Number of leading hex digits in s. */
static size_t hex_span(const char *s)
{
    return strspn(s, "0123456789abcdefABCDEF");
}

/*
 * Accepts what PostgreSQL's pg_lsn input accepts: 1 to 8 hex digits, '/',
 * 1 to 8 hex digits, nothing else (no spaces, no sign).
 */
bool cdc_lsn_parse(const char *text, cdc_lsn *out)
{
    if (text == NULL)
        return false;
    size_t hi_len = hex_span(text);
    if (hi_len < 1 || hi_len > 8 || text[hi_len] != '/')
        return false;
    const char *lo = text + hi_len + 1;
    size_t lo_len = hex_span(lo);
    if (lo_len < 1 || lo_len > 8 || lo[lo_len] != '\0')
        return false;
    uint64_t hi = strtoull(text, NULL, 16);
    uint64_t lo_val = strtoull(lo, NULL, 16);
    if (out)
        *out = hi << 32 | lo_val;
    return true;
}
