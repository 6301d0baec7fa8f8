/*
 * preflight.c — the checks the pipeline cannot start without: both servers
 * reachable, versions compatible, a pg_dump new enough for the source, the
 * source databases present, and target databases absent unless overwrite
 * was asked for. The full validation suite (a registry of instance and
 * database checks) builds on these.
 */
#include "copy/database.h"
#include "engine/internal.h"
#include "pg/conninfo.h"
#include "pg/pgconn.h"
#include "util/log.h"
#include "util/mem.h"

#include <stdlib.h>
#include <string.h>

/* 1500 for 15.x, 906 for 9.6.x: comparable major versions across the 10.0 numbering change. */
static int major_code(int version)
{
    return version >= 100000 ? version / 10000 * 100 : version / 100;
}

/* Connects to the maintenance database of a server, reporting a failure in plain words. */
static bool connect_server(struct engine_run *run, const char *conninfo, const char *role,
                           pgconn **out)
{
    char *admin = engine_admin_conninfo(conninfo);
    char *hostport = pgconninfo_hostport(conninfo);
    if (admin == NULL) {
        engine_fail(run, NULL, NULL, "the %s connection string is not valid", role);
        free(hostport);
        return false;
    }
    bool ok = pgconn_connect_quiet(out, admin, role);
    if (!ok)
        engine_fail(run, NULL, pgconn_error_sqlstate(*out), "could not connect to the %s server %s: %s",
                    role, hostport, pgconn_error_message(*out));
    free(admin);
    free(hostport);
    return ok;
}

/*
 * Chooses how the copy compresses values that need it: the asked-for method
 * when the target server has it (14+; lz4 only when built with it), else the
 * target's own default.
 */
static void choose_toast_compression(struct engine_run *run, pgconn *dst)
{
    const char *want = run->spec->toast_compression;
    if (want == NULL || strcmp(want, "server") == 0)
        return;
    char *have = NULL;
    const char *params[] = {want};
    if (pgconn_server_version(dst) >= 140000 &&
        !pgconn_query_value(dst,
                            "SELECT count(*) FROM pg_catalog.pg_settings WHERE name = "
                            "'default_toast_compression' AND $1 = ANY (enumvals)",
                            1, params, &have))
        pgconn_clear_error(dst);
    if (have && strcmp(have, "1") == 0) {
        run->toast_compression = xstrdup(want);
        log_info("values that need compressing are stored with %s compression", want);
    } else
        log_info("the target server has no %s compression: values are stored with its default",
                 want);
    free(have);
}

bool engine_preflight(struct engine_run *run, struct pg_tools *tools)
{
    const struct migration_spec *spec = run->spec;
    pgconn *src = NULL, *dst = NULL;
    bool ok = connect_server(run, spec->source, "source", &src) &&
              connect_server(run, spec->target, "target", &dst);
    if (ok && spec->type != TYPE_MIGRATE)
        engine_set_status(run, NULL, MIG_IN_PROGRESS, SUB_VALIDATING);
    if (ok)
        choose_toast_compression(run, dst);

    if (ok) {
        int sv = pgconn_server_version(src), tv = pgconn_server_version(dst);
        log_info("source: PostgreSQL %d.%d, target: PostgreSQL %d.%d", sv / 10000,
                 sv >= 100000 ? sv % 10000 : (sv / 100) % 100, tv / 10000,
                 tv >= 100000 ? tv % 10000 : (tv / 100) % 100);
        if (sv < 90500) {
            engine_fail(run, NULL, NULL,
                        "the source server runs PostgreSQL %d.%d; pgshuttle needs 9.5 or later",
                        sv / 10000, (sv / 100) % 100);
            ok = false;
        } else if (major_code(tv) < major_code(sv)) {
            engine_fail(run, NULL, NULL,
                        "the target server (PostgreSQL %d) is older than the source (PostgreSQL "
                        "%d): a migration can only go to the same or a newer major version",
                        tv / 10000, sv / 10000);
            ok = false;
        } else if (!pgtools_find(sv >= 100000 ? sv / 10000 : 9, tools)) {
            engine_fail(run, NULL, NULL,
                        "no pg_dump new enough for the source server (PostgreSQL %d) was found",
                        sv / 10000);
            ok = false;
        }
    }

    for (int i = 0; ok && i < run->ndbs; i++) {
        const char *name = run->dbs[i]->name;
        char *conninfo = engine_db_conninfo(spec->source, name);
        pgconn *probe = NULL;
        if (!pgconn_connect_quiet(&probe, conninfo, "source")) {
            char *hostport = pgconninfo_hostport(spec->source);
            engine_fail(run, name, pgconn_error_sqlstate(probe),
                        "cannot open database \"%s\" on the source server %s: %s", name, hostport,
                        pgconn_error_message(probe));
            free(hostport);
            ok = false;
        }
        pgconn_close(probe);
        free(conninfo);

        bool exists = false;
        if (ok && !copy_database_exists(dst, name, &exists)) {
            engine_fail(run, name, pgconn_error_sqlstate(dst), "checking the target failed: %s",
                        pgconn_error_message(dst));
            ok = false;
        }
        if (ok && exists && !spec->overwrite) {
            char *hostport = pgconninfo_hostport(spec->target);
            engine_fail(run, name, NULL,
                        "database \"%s\" already exists on the target server %s: drop it, or run "
                        "again with --overwrite to have pgshuttle drop it first",
                        name, hostport);
            free(hostport);
            ok = false;
        } else if (ok && exists)
            engine_warn(run, name,
                        "database \"%s\" exists on the target and will be dropped (--overwrite)",
                        name);
    }
    pgconn_close(src);
    pgconn_close(dst);
    return ok;
}
