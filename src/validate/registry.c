/*
 * registry.c — the table of validation checks, and the runner that goes
 * through it: instance checks once, then the database checks for each
 * chosen database, recording each result with its duration.
 *
 * Adding a check is adding a row here and a function in one of the
 * checks_*.c files. Rows run in order: the connectivity checks come first
 * and open the connections the others use; a check whose server is
 * unreachable has nothing to look at and records nothing.
 */
#include "pg/conninfo.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/timeutil.h"
#include "validate/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const struct check_def validate_registry[] = {
    /* instance: reachability and versions (the pipeline needs these) */
    {"Source connectivity", SCOPE_INSTANCE, MODES_ALL, true, check_source_connectivity},
    {"Target connectivity", SCOPE_INSTANCE, MODES_ALL, true, check_target_connectivity},
    {"Source version", SCOPE_INSTANCE, MODES_ALL, true, check_source_version},
    {"Target version", SCOPE_INSTANCE, MODES_ALL, true, check_target_version},
    {"Client tools", SCOPE_INSTANCE, MODES_ALL, true, check_client_tools},
    /* instance: online prerequisites on the source */
    {"Logical replication (wal_level)", SCOPE_INSTANCE, MODES_ONLINE, true, check_wal_level},
    {"Replication slots", SCOPE_INSTANCE, MODES_ONLINE, true, check_replication_slots},
    {"WAL senders", SCOPE_INSTANCE, MODES_ONLINE, true, check_wal_senders},
    {"Replication privilege", SCOPE_INSTANCE, MODES_ONLINE, true, check_replication_role},
    {"Long-running transactions", SCOPE_INSTANCE, MODES_ONLINE, false, check_long_transactions},
    {"Slot WAL retention (max_slot_wal_keep_size)", SCOPE_INSTANCE, MODES_ONLINE, false,
     check_slot_wal_keep_size},
    /* instance: privileges and server parameters */
    {"Source read privileges", SCOPE_INSTANCE, MODES_ALL, false, check_source_read_privileges},
    {"Target database creation", SCOPE_INSTANCE, MODES_ALL, false, check_target_create_database},
    {"Server parameters for extensions", SCOPE_INSTANCE, MODES_ALL, false,
     check_extension_parameters},
    /* instance: what online apply asks of the target role */
    {"Replication origins on the target", SCOPE_INSTANCE, MODES_ONLINE, false,
     check_target_replication_origins},
    {"Session replication role on the target", SCOPE_INSTANCE, MODES_ONLINE, false,
     check_target_replication_role},
    /* database */
    {"Source database", SCOPE_DATABASE, MODES_ALL, true, check_source_database},
    {"Target database", SCOPE_DATABASE, MODES_ALL, true, check_target_database},
    {"Roles", SCOPE_DATABASE, MODES_ALL, false, check_roles},
    {"Target object owners", SCOPE_DATABASE, MODES_ALL, false, check_target_object_owners},
    {"Extensions", SCOPE_DATABASE, MODES_ALL, false, check_extensions},
    {"Collations", SCOPE_DATABASE, MODES_ALL, false, check_collations},
    {"Encoding", SCOPE_DATABASE, MODES_ALL, false, check_encoding},
    {"Replica identity", SCOPE_DATABASE, MODES_ONLINE, false, check_replica_identity},
    {"Replica identity privileges", SCOPE_DATABASE, MODES_ONLINE, false,
     check_replica_identity_changes},
    {"Publication", SCOPE_DATABASE, MODES_ONLINE, false, check_publication},
    {"Objects not streamed", SCOPE_DATABASE, MODES_ONLINE, false, check_not_streamed},
    {"Objects not moved faithfully", SCOPE_DATABASE, MODES_ALL, false, check_unfaithful_objects},
};
const int validate_registry_count =
    (int) (sizeof(validate_registry) / sizeof(validate_registry[0]));

static void record(struct vctx *ctx, const struct event_sink *events, const struct check_def *def,
                   const char *scope, struct check_outcome *out, double started, double seconds)
{
    const char *remedy = out->remediation.len ? sb_str(&out->remediation) : NULL;
    check_results_add(&ctx->rep->results, scope, def->name, out->status, started, seconds,
                      sb_str(&out->message), remedy);
    struct event ev = {.kind = EV_CHECK,
                       .database = strcmp(scope, "instance") == 0 ? NULL : scope,
                       .object = def->name,
                       .message = sb_str(&out->message),
                       .check_status = out->status,
                       .remediation = remedy,
                       .seconds = seconds};
    event_emit(events, &ev);
}

static void run_one(struct vctx *ctx, const struct event_sink *events, const struct check_def *def,
                    const char *scope)
{
    struct check_outcome out;
    memset(&out, 0, sizeof(out));
    double started = time_wall(), t0 = time_now();
    def->fn(ctx, &out);
    double secs = time_now() - t0;
    if (!out.not_applicable)
        record(ctx, events, def, scope, &out, started, secs);
    sb_free(&out.message);
    sb_free(&out.remediation);
}

static bool wanted(const struct vctx *ctx, const struct check_def *def, bool essential_only)
{
    if (!(def->modes & (1u << ctx->spec->mode)))
        return false;
    return def->essential || !essential_only;
}

bool validate_run(const struct migration_spec *spec, bool essential_only,
                  const struct event_sink *events, struct validate_report *rep)
{
    return validate_run_asking(spec, essential_only, false, events, rep);
}

/* Starts a run: rep emptied, ctx set up for spec. */
static void run_begin(struct vctx *ctx, const struct migration_spec *spec, bool ask_overwrite,
                      struct validate_report *rep)
{
    memset(rep, 0, sizeof(*rep));
    rep->tools.major = -1;
    memset(ctx, 0, sizeof(*ctx));
    ctx->spec = spec;
    ctx->rep = rep;
    ctx->ask_overwrite = ask_overwrite && !spec->overwrite;
}

/* The instance checks, leaving ctx's server connections open; the source type is noted. */
static void run_instance(struct vctx *ctx, const struct event_sink *events, bool essential_only)
{
    const struct migration_spec *spec = ctx->spec;
    struct validate_report *rep = ctx->rep;
    for (int i = 0; i < validate_registry_count; i++) {
        const struct check_def *def = &validate_registry[i];
        if (def->scope == SCOPE_INSTANCE && wanted(ctx, def, essential_only))
            run_one(ctx, events, def, "instance");
        /* The source type is known as soon as the source answers. */
        if (i == 0 && rep->source_type == NULL) {
            if (spec->source_type && strcmp(spec->source_type, "auto") != 0)
                rep->source_type = xstrdup(spec->source_type);
            else if (ctx->src)
                rep->source_type = validate_detect_source_type(ctx->src);
        }
    }
    if (rep->source_type == NULL)
        rep->source_type = xstrdup("Unknown");
}

bool validate_run_instance(const struct migration_spec *spec, const struct event_sink *events,
                           struct validate_report *rep)
{
    struct vctx ctx;
    run_begin(&ctx, spec, false, rep);
    run_instance(&ctx, events, false);
    pgconn_close(ctx.src);
    pgconn_close(ctx.dst);
    return check_results_count(&rep->results, CHECK_FAILED) == 0;
}

bool validate_run_asking(const struct migration_spec *spec, bool essential_only, bool ask_overwrite,
                         const struct event_sink *events, struct validate_report *rep)
{
    struct vctx ctx;
    run_begin(&ctx, spec, ask_overwrite, rep);
    run_instance(&ctx, events, essential_only);

    for (size_t d = 0; d < spec->databases.n; d++) {
        ctx.db = spec->databases.items[d];
        ctx.src_db = ctx.dst_db = NULL;
        ctx.dst_db_exists = false;
        char logctx[160];
        snprintf(logctx, sizeof(logctx), "db=%s", ctx.db);
        log_set_context(logctx);
        for (int i = 0; i < validate_registry_count; i++) {
            const struct check_def *def = &validate_registry[i];
            if (def->scope == SCOPE_DATABASE && wanted(&ctx, def, essential_only))
                run_one(&ctx, events, def, ctx.db);
        }
        pgconn_close(ctx.src_db);
        pgconn_close(ctx.dst_db);
        log_set_context(NULL);
    }
    pgconn_close(ctx.src);
    pgconn_close(ctx.dst);
    return check_results_count(&rep->results, CHECK_FAILED) == 0;
}

void validate_report_free(struct validate_report *rep)
{
    check_results_free(&rep->results);
    free(rep->source_type);
    pgtools_free(&rep->tools);
    sl_free(&rep->existing);
    memset(rep, 0, sizeof(*rep));
}
