/*
 * online_roles.c — the two ways an online migration works for roles that
 * are not superusers (docs/ONLINE.md, Roles without superuser): streaming
 * through a publication the tables' owner created (--publication), and
 * applying without session_replication_role (the trigger-less path).
 */
#include "cdc/publication.h"
#include "engine/online_internal.h"
#include "pg/quote.h"
#include "util/log.h"
#include "util/mem.h"

#include <stdlib.h>

/*
 * --publication: the publication the tables' owner created must publish
 * every change of every table to stream; it becomes pgoutput's
 * publication_names. False (the migration failed) when it does not.
 */
bool online_use_publication(struct online_db *od)
{
    const char *pub = od->run->spec->publication;
    struct cdc_publication_coverage cov;
    if (!cdc_publication_coverage_read(od->src, pub, &od->tables, &cov))
        return dbjob_fail_conn(&od->job, od->src,
                               "checking the publication given with --publication");
    strbuf problems = STRBUF_INIT;
    cdc_publication_problems(pub, &cov, pgconn_server_major(od->src) >= 11, &problems);
    bool ok = problems.len == 0;
    if (ok) {
        free(od->publications);
        od->publications = pgq_ident_dup(pub);
        log_info("streaming through publication %s, owned by %s (--publication)", pub, cov.owner);
    } else
        dbjob_fail(&od->job, NULL,
                   "%s: with --publication, the publication must publish insert, update, delete "
                   "and truncate of every table (FOR ALL TABLES, or every table, partitions by "
                   "their root)",
                   sb_str(&problems));
    sb_free(&problems);
    cdc_publication_coverage_free(&cov);
    return ok;
}

/*
 * Under session_replication_role = replica no user trigger, rule or
 * foreign key fires on apply. A target role that may not set it applies
 * without (the trigger-less path): the target then gets its foreign keys,
 * triggers and rules only at cutover (dbjob.h, job->deferred). Said once
 * per run (*told).
 */
bool online_choose_apply_path(struct online_db *od, bool *told)
{
    bool may = false;
    if (!pgconn_may_set_parameter(od->job.admin, "session_replication_role", &may))
        return dbjob_fail_conn(&od->job, od->job.admin,
                               "checking whether the target role may SET session_replication_role");
    od->trigger_less = !may;
    od->job.deferred = od->job.deferred || !may;
    if (!may && !*told) {
        engine_warn(od->run, NULL,
                    "the target role may not SET session_replication_role = replica: changes "
                    "are applied without it, so the target gets its foreign keys, triggers and "
                    "rules only at cutover, which then takes as long as validating the foreign "
                    "keys (see docs/ONLINE.md, Roles without superuser)");
        *told = true;
    }
    return true;
}
