/*
 * verify.c — the verify driver: for each database, connect to both sides,
 * then compare the schema, the tables' data, sequences and large objects
 * (see verify.h). The sessions' settings are session.c's.
 */
#include "pg/conninfo.h"
#include "pg/tools.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/timeutil.h"
#include "verify/internal.h"
#include "verify/verify.h"

#include <stdlib.h>
#include <string.h>

#define DEFAULT_JOBS         2
#define DEFAULT_SCHEMA_LIMIT 50

/* Connects both sides of db; records each failure as an error naming its side. */
static bool connect_both(struct verify__db *db)
{
    char *src_label = xasprintf("source db=%s", db->name);
    char *tgt_label = xasprintf("target db=%s", db->name);
    bool ok = true;
    if (db->src_conninfo == NULL || db->tgt_conninfo == NULL) {
        verify__add_error(db->res, db->src_conninfo == NULL, "database", "connection string",
                          "does not parse");
        ok = false;
    }
    if (ok && !verify__connect(&db->src, db->src_conninfo, src_label)) {
        verify__add_error(db->res, true, "database", "could not connect",
                          db->src ? pgconn_error_message(db->src) : "out of memory");
        ok = false;
    }
    /* Try the target too, so one run reports both sides' problems. */
    if (db->tgt_conninfo && !verify__connect(&db->tgt, db->tgt_conninfo, tgt_label)) {
        verify__add_error(db->res, false, "database", "could not connect",
                          db->tgt ? pgconn_error_message(db->tgt) : "out of memory");
        ok = false;
    }
    free(src_label);
    free(tgt_label);
    return ok;
}

static void verify_database(const struct verify_options *opts, const struct pg_tools *tools,
                            const char *name, struct verify_db_result *res)
{
    double started = time_now();
    struct verify__db db = {
        .name = name,
        .src_conninfo = pgconninfo_set(opts->source, "dbname", name),
        .tgt_conninfo = pgconninfo_set(opts->target, "dbname", name),
        .jobs = opts->jobs > 0 ? opts->jobs : DEFAULT_JOBS,
        .schema_limit =
            (size_t) (opts->schema_limit > 0 ? opts->schema_limit : DEFAULT_SCHEMA_LIMIT),
        .res = res,
        .tools = tools,
        .schema_method = opts->schema_method,
    };
    char *context = xasprintf("db=%s", name);
    log_set_context(context);
    free(context);

    if (connect_both(&db)) {
        log_info("comparing PostgreSQL %d (source) with PostgreSQL %d (target)",
                 pgconn_server_major(db.src), pgconn_server_major(db.tgt));
        verify__compare_schema(&db);
        verify__compare_tables(&db);
        verify__compare_sequences(&db);
        verify__compare_large_objects(&db);
    }
    pgconn_close(db.src);
    pgconn_close(db.tgt);
    free(db.src_conninfo);
    free(db.tgt_conninfo);

    char took[32];
    time_format_duration(time_now() - started, took, sizeof(took));
    log_info("%s in %s", verify_db_identical(res) ? "identical" : "different", took);
    log_set_context(NULL);
}

void verify_run(const struct verify_options *opts, struct verify_result *out)
{
    out->ndbs = opts->databases->n;
    out->dbs = xcalloc(out->ndbs ? out->ndbs : 1, sizeof(*out->dbs));
    /* Without pg_dump the schema is still compared, through the catalog. */
    struct pg_tools tools;
    bool have_tools = pgtools_find(0, &tools);
    for (size_t i = 0; i < out->ndbs; i++) {
        out->dbs[i].name = xstrdup(opts->databases->items[i]);
        verify_database(opts, have_tools ? &tools : NULL, opts->databases->items[i], &out->dbs[i]);
    }
    if (have_tools)
        pgtools_free(&tools);
}
