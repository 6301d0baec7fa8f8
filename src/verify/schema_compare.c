/*
 * schema_compare.c — comparing the schema of one database on both sides.
 *
 * pg_dump is the reference: when the newest installed pg_dump can dump both
 * servers (its major is at least theirs), both sides are dumped at once with
 * --schema-only, normalised and compared line by line (schema_lines.c).
 * Otherwise (e.g. a PostgreSQL 17 server and pg_dump 15) the comparison reads
 * a catalog fingerprint on both sides instead (schema_catalog.c). The report
 * names the method used.
 */
#include "pg/tools.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/proc.h"
#include "verify/internal.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* One pg_dump run, possibly in its own thread. */
struct dump_call {
    const char *pg_dump;
    const char *conninfo; /* may hold a password: it goes to the child's environment only */
    bool started;
    char *error; /* owned: why it failed, or NULL */
    char *out;   /* owned: the dump */
};

static void *dump_main(void *arg)
{
    struct dump_call *call = arg;
    const char *args[] = {"--schema-only", "--no-sync", NULL};
    struct proc_result res;
    if (pgtools_run(call->pg_dump, args, call->conninfo, NULL, &res)) {
        call->started = true;
        if (res.exit_code == 0) {
            call->out = res.out;
            res.out = NULL;
        } else {
            char *msg = str_first_lines(res.err, 6);
            call->error = xasprintf("pg_dump failed (exit %d): %s", res.exit_code, msg);
            free(msg);
        }
        proc_result_free(&res);
    } else {
        call->error = xasprintf("could not run %s", call->pg_dump);
    }
    return NULL;
}

bool verify__schema_pg_dump(struct verify__db *db, const char *pg_dump)
{
    struct dump_call src = {.pg_dump = pg_dump, .conninfo = db->src_conninfo};
    struct dump_call tgt = {.pg_dump = pg_dump, .conninfo = db->tgt_conninfo};
    /* Dump the target alongside the source; in this thread if no thread can start. */
    pthread_t th;
    bool threaded = pthread_create(&th, NULL, dump_main, &tgt) == 0;
    dump_main(&src);
    if (threaded)
        pthread_join(th, NULL);
    else
        dump_main(&tgt);

    bool ok = src.error == NULL && tgt.error == NULL;
    if (src.error) {
        log_error("source: %s", src.error);
        verify__add_error(db->res, true, "schema", NULL, src.error);
    }
    if (tgt.error) {
        log_error("target: %s", tgt.error);
        verify__add_error(db->res, false, "schema", NULL, tgt.error);
    }
    if (ok) {
        strlist src_lines = STRLIST_INIT, tgt_lines = STRLIST_INIT;
        verify__schema_normalise(src.out, &src_lines);
        verify__schema_normalise(tgt.out, &tgt_lines);
        log_debug("pg_dump: %zu lines (source), %zu lines (target)", src_lines.n, tgt_lines.n);
        size_t first = db->res->ndiffs;
        verify__compare_lines(&src_lines, &tgt_lines, db->res, db->schema_limit);
        verify__annotate_roles_of(db, first);
        sl_free(&src_lines);
        sl_free(&tgt_lines);
    }
    free(src.error);
    free(tgt.error);
    free(src.out);
    free(tgt.out);
    return ok;
}

void verify__compare_schema(struct verify__db *db)
{
    int src_major = pgconn_server_major(db->src);
    int tgt_major = pgconn_server_major(db->tgt);
    int needed = src_major > tgt_major ? src_major : tgt_major;
    bool dump_can = db->tools && db->tools->major >= needed;
    enum verify_schema_method method = db->schema_method;
    if (method == VERIFY_SCHEMA_NONE) {
        method = dump_can ? VERIFY_SCHEMA_PG_DUMP : VERIFY_SCHEMA_CATALOG;
        if (!dump_can && db->tools)
            log_notice("pg_dump %d cannot dump PostgreSQL %d: comparing the schema through the "
                       "catalog instead",
                       db->tools->major, needed);
        else if (!dump_can)
            log_notice("no pg_dump found: comparing the schema through the catalog");
    }
    bool ok;
    if (method == VERIFY_SCHEMA_PG_DUMP) {
        db->res->schema_method = VERIFY_SCHEMA_PG_DUMP;
        if (dump_can) {
            log_info("comparing the schema with pg_dump %d", db->tools->major);
            ok = verify__schema_pg_dump(db, db->tools->pg_dump);
        } else {
            char *msg = db->tools ? xasprintf("pg_dump %d cannot dump PostgreSQL %d",
                                              db->tools->major, needed)
                                  : xstrdup("pg_dump was not found");
            log_error("%s", msg);
            verify__add_error(db->res, src_major >= tgt_major, "schema", NULL, msg);
            free(msg);
            ok = false;
        }
    } else {
        log_info("comparing the schema through the catalog");
        db->res->schema_method = VERIFY_SCHEMA_CATALOG;
        ok = verify__schema_catalog(db);
    }
    if (!ok)
        db->res->schema_method = VERIFY_SCHEMA_NONE;
}
