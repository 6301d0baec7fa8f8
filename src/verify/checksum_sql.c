/*
 * checksum_sql.c — the query that fingerprints the rows of one table.
 *
 *   SELECT count(*), coalesce(sum(('x' || substr(md5(ROW(c1, c2, ...)::text), 1, 16))
 *                                 ::bit(64)::int8), 0)
 *     FROM ONLY schema.table
 *
 * Each row's text form is hashed and the first 64 bits of the hash are
 * added up (as numeric, so nothing overflows): the sum does not depend on
 * the order rows are read in, and a duplicated row counts twice. The text
 * form is pinned by the session settings (see verify__session_setup), except
 * for floats, whose text output changed in PostgreSQL 12 even with
 * extra_float_digits = 3: float4/float8 and the geometric types built on
 * them go through their binary send function, and arrays of them element by
 * element (with their bounds and NULL-ness, so '{}' and NULL stay apart).
 */
#include "pg/quote.h"
#include "util/buf.h"
#include "verify/internal.h"

static void append_column(strbuf *sb, const struct verify__column *col)
{
    if (col->send_fn) {
        sb_append(sb, "pg_catalog.");
        pgq_ident(sb, col->send_fn);
        sb_appendc(sb, '(');
        pgq_ident(sb, col->name);
        sb_appendc(sb, ')');
    } else if (col->elem_send_fn) {
        pgq_ident(sb, col->name);
        sb_append(sb, " IS NULL, pg_catalog.array_dims(");
        pgq_ident(sb, col->name);
        sb_append(sb, "), (SELECT pg_catalog.array_agg(pg_catalog.");
        pgq_ident(sb, col->elem_send_fn);
        sb_append(sb, "(u.e) ORDER BY u.o) FROM pg_catalog.unnest(");
        pgq_ident(sb, col->name);
        sb_append(sb, ") WITH ORDINALITY AS u(e, o))");
    } else {
        pgq_ident(sb, col->name);
    }
}

char *verify__checksum_sql(const char *qualified, const struct verify__column *cols, size_t ncols)
{
    strbuf sb = STRBUF_INIT;
    sb_append(&sb, "SELECT pg_catalog.count(*), coalesce(pg_catalog.sum(('x' || "
                   "pg_catalog.substr(pg_catalog.md5(ROW(");
    for (size_t i = 0; i < ncols; i++) {
        if (i > 0)
            sb_append(&sb, ", ");
        append_column(&sb, &cols[i]);
    }
    sb_append(&sb, ")::pg_catalog.text), 1, 16))::pg_catalog.bit(64)::pg_catalog.int8), 0) "
                   "FROM ONLY ");
    sb_append(&sb, qualified);
    return sb_steal(&sb);
}
