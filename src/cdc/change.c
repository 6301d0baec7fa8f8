/*
 * change.c — freeing, naming and LSN text for the change model (see change.h).
 *
 * Both decoders fill a struct cdc_change with owned memory; everything they
 * may allocate is released here, so a decoder and its caller only ever need
 * cdc_change_reset between two records.
 */
#include "cdc/change.h"
#include "pg/replication.h"

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
    if (buflen > 0)
        pgrepl_lsn_format(lsn, buf, (size_t) buflen);
}

/* Accepts what PostgreSQL's pg_lsn input accepts (see pgrepl_lsn_parse). */
bool cdc_lsn_parse(const char *text, cdc_lsn *out)
{
    uint64_t v;
    if (!pgrepl_lsn_parse(text, &v))
        return false;
    if (out)
        *out = v;
    return true;
}
