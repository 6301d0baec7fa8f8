/*
 * tablecopy.h — planning and running the COPY of one table or one part of
 * a table.
 *
 * Large tables are cut into parts copied in parallel: by block ranges
 * (ctid, which PostgreSQL 14+ scans efficiently) or, on older sources, by
 * ranges of a single integer primary key. A table copied whole is truncated
 * and filled in one transaction with COPY FREEZE, so the target needs no
 * vacuum afterwards. Binary COPY is used when every column's type allows it
 * between two servers, text COPY otherwise.
 */
#ifndef PGSHUTTLE_COPY_TABLECOPY_H
#define PGSHUTTLE_COPY_TABLECOPY_H

#include "copy/catalog.h"
#include "pg/pgconn.h"
#include "util/buf.h"

#include <stdbool.h>
#include <stdint.h>

enum part_kind { PART_WHOLE = 0, PART_CTID, PART_KEY };

struct copy_part {
    int table; /* position in the catalog's tables */
    int index; /* 0-based part number */
    int count; /* parts of this table */
    enum part_kind kind;
    int64_t lo,
        hi; /* [lo, hi): blocks or key values; lo unbounded on the first part, hi on the last */
    int64_t bytes; /* share of the table's size (the parts of a table add up to it) */
};

/*
 * Cuts the tables into parts, largest first. A table larger than split_bytes
 * is split when src (the snapshot connection) can range-scan it. Returns an
 * allocated array (caller frees) and its length in *nparts.
 */
bool copy_plan_parts(pgconn *src, const struct copy_catalog *cat, int64_t split_bytes,
                     struct copy_part **parts, int *nparts) __attribute__((warn_unused_result));

/*
 * The split size to use when the user gave none: -1 (split nothing) when
 * whole tables spread over jobs workers finish within 1.5 times the even
 * share, since a whole table is filled with COPY FREEZE and without
 * concurrent writers, which makes the copy and every later pass over the
 * table cheaper; otherwise the even share, so the tables that hold the
 * workers back are cut into parts no larger than it.
 */
int64_t copy_auto_split_bytes(const struct copy_catalog *cat, int jobs);

/* Writes the COPY TO (source) and COPY FROM (target) statements of one part. */
void copy_part_statements(const struct cat_table *t, const struct copy_part *p, strbuf *copy_out,
                          strbuf *copy_in);

/*
 * Copies one part from src (inside the snapshot) to dst, in its own target
 * transaction. Adds the COPY bytes to *live as data flows; fills *stats
 * (see pgconn_copy_pipe) and *xid, the target transaction's ID
 * (txid_current(), 0 before it is known): when dst is lost at COMMIT, the
 * caller can ask the server afterwards whether the part committed. On
 * failure src is rolled back to where it was (still inside the snapshot,
 * unless the source itself failed).
 */
bool copy_part_run(pgconn *src, pgconn *dst, const struct cat_table *t, const struct copy_part *p,
                   _Atomic int64_t *live, const _Atomic bool *cancel,
                   struct pgconn_copy_stats *stats, int64_t *xid)
    __attribute__((warn_unused_result));

#endif
