/*
 * publication.h — a publication created beforehand by the tables' owner
 * and given with --publication: pgoutput streams through it instead of
 * through publications of pgshuttle's own, which a source role that owns
 * no table could not create. pgshuttle neither creates nor drops it, and
 * checks before anything moves that it publishes every change of every
 * table the migration streams (sql/cdc_publication_coverage.sql, which
 * validation runs too).
 */
#ifndef PGSHUTTLE_CDC_PUBLICATION_H
#define PGSHUTTLE_CDC_PUBLICATION_H

#include "cdc/source.h"
#include "pg/pgconn.h"
#include "util/buf.h"

#include <stdbool.h>

struct cdc_publication_coverage {
    bool exists;
    char *owner; /* owned */
    bool all_tables;
    bool ins, upd, del, trunc; /* what it publishes */
    long long uncovered_count; /* streamed tables it does not publish */
    char *uncovered;           /* owned or NULL: the first ten of them, "s.t, s.u" */
};

/* Reads how publication pub covers the ordinary tables and partitions of set. */
bool cdc_publication_coverage_read(pgconn *src, const char *pub, const struct cdc_table_set *set,
                                   struct cdc_publication_coverage *out)
    __attribute__((warn_unused_result));
void cdc_publication_coverage_free(struct cdc_publication_coverage *cov);

/*
 * Appends to out what keeps publication pub from streaming every change of
 * every table (nothing when it does): missing, tables not published,
 * operations not published. truncate_needed: the source decodes TRUNCATE
 * (11+).
 */
void cdc_publication_problems(const char *pub, const struct cdc_publication_coverage *cov,
                              bool truncate_needed, strbuf *out);

#endif
