/*
 * preflight.c — the validation step of the pipeline: all checks for the
 * validate types, only the essential ones (reachability, versions, tools,
 * databases) for --type migrate; then the choices the copy needs from the
 * target (TOAST compression).
 */
#include "engine/internal.h"
#include "validate/validate.h"
#include "pg/pgconn.h"
#include "util/log.h"
#include "util/mem.h"

#include <stdlib.h>
#include <string.h>

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

/*
 * Target databases exist and the caller's user is asked (the overwrite
 * hook): Waiting for user action / Waiting for overwrite confirmation until
 * the answer. Yes: those databases are dropped first, as with --overwrite.
 * No: the migration is canceled, nothing dropped. Takes existing over.
 */
static bool await_overwrite(struct engine_run *run, strlist *existing)
{
    char *list = sl_join(existing, ", ");
    engine_phase(run, NULL,
                 "target database(s) %s exist: waiting for the confirmation to drop "
                 "them first (overwrite)",
                 list);
    engine_set_status(run, NULL, MIG_WAITING_FOR_USER, SUB_WAITING_FOR_OVERWRITE);
    bool yes = run->overwrite_hook.await_overwrite(run->overwrite_hook.ctx, existing);
    if (yes && !engine_canceled(run)) {
        log_info("overwrite of %s confirmed", list);
        pthread_mutex_lock(&run->lock);
        sl_free(&run->overwrite_ok);
        run->overwrite_ok = *existing;
        pthread_mutex_unlock(&run->lock);
        engine_set_status(run, NULL, MIG_IN_PROGRESS, SUB_PREREQUISITES);
    } else {
        log_warn("overwrite of %s not confirmed: the migration is canceled", list);
        sl_free(existing);
        atomic_store(&run->cancel, true); /* nothing runs yet that a cancel would stop */
    }
    free(list);
    return yes && !engine_canceled(run);
}

bool engine_preflight(struct engine_run *run, struct pg_tools *tools)
{
    const struct migration_spec *spec = run->spec;
    bool essential_only = spec->type == TYPE_MIGRATE;
    if (!essential_only)
        engine_set_status(run, NULL, MIG_IN_PROGRESS, SUB_VALIDATING);

    struct validate_report rep;
    bool ask = run->overwrite_hook.await_overwrite != NULL && spec->type != TYPE_VALIDATE;
    bool ok = validate_run_asking(spec, essential_only, ask, run->events, &rep);
    strlist existing = rep.existing;
    rep.existing = (strlist) STRLIST_INIT;
    engine_set_checks(run, rep.results, rep.source_type);
    memset(&rep.results, 0, sizeof(rep.results));
    rep.source_type = NULL;
    *tools = rep.tools;
    rep.tools.pg_dump = rep.tools.pg_restore = NULL;
    validate_report_free(&rep);

    if (!ok) {
        /* The first failed check says why (its check line was printed); the others are in
         * the state's checks, which only this thread changes. */
        const struct check_results *checks = &run->state.checks;
        size_t failed = check_results_count(checks, CHECK_FAILED);
        for (size_t i = 0; i < checks->n; i++) {
            const struct check_result *c = &checks->items[i];
            if (c->status != CHECK_FAILED)
                continue;
            engine_fail_reported(run, strcmp(c->scope, "instance") == 0 ? NULL : c->scope,
                                 "%s: %s%s%s%s", c->name, c->message, c->remediation ? " — " : "",
                                 c->remediation ? c->remediation : "",
                                 failed > 1 ? " (and other failed checks)" : "");
            break;
        }
        sl_free(&existing);
        return false;
    }
    if (spec->type == TYPE_VALIDATE) {
        sl_free(&existing);
        return true;
    }
    if (existing.n > 0 && !await_overwrite(run, &existing))
        return false;

    char *admin = engine_admin_conninfo(spec->target);
    pgconn *dst = NULL;
    if (pgconn_connect(&dst, admin, "target"))
        choose_toast_compression(run, dst);
    else
        ok = false, engine_fail(run, NULL, NULL, "could not connect to the target server: %s",
                                pgconn_error_message(dst));
    pgconn_close(dst);
    free(admin);
    return ok;
}
