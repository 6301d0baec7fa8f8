/* sequences.c — sequence positions (see sequences.h). */
#include "copy/sequences.h"
#include "util/buf.h"
#include "util/log.h"

bool copy_sequences(pgconn *src, pgconn *dst, const struct copy_catalog *cat)
{
    strbuf sql = STRBUF_INIT;
    bool ok = true;
    for (int i = 0; ok && i < cat->nsequences; i++) {
        const char *qname = cat->sequences[i].qname;
        sb_reset(&sql);
        sb_printf(&sql, "SELECT last_value, is_called FROM %s", qname);
        pgres *r;
        if (!pgconn_query(src, sb_str(&sql), 0, NULL, &r)) {
            ok = false;
            break;
        }
        const char *params[] = {qname, pgres_get(r, 0, 0), pgres_get(r, 0, 1)};
        pgres *w;
        ok = pgconn_query(dst, "SELECT pg_catalog.setval($1::regclass, $2::bigint, $3::boolean)",
                          3, params, &w);
        if (ok)
            pgres_free(w);
        else
            log_error("could not set sequence %s", qname);
        pgres_free(r);
    }
    sb_free(&sql);
    return ok;
}
