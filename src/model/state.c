/* state.c — a migration's state as plain data (see state.h). */
#include "model/state.h"
#include "util/mem.h"

#include <stdlib.h>

void migration_state_init(struct migration_state *s)
{
    *s = (struct migration_state){.status = MIG_IN_PROGRESS, .substatus = SUB_PREREQUISITES};
}

void migration_state_free(struct migration_state *s)
{
    free(s->error);
    free(s->error_database);
    free(s->error_sqlstate);
    sl_free(&s->warnings);
    check_results_free(&s->checks);
    free(s->source_type);
    for (size_t i = 0; i < s->ndbs; i++)
        db_progress_snapshot_free(&s->dbs[i]);
    free(s->dbs);
    migration_state_init(s);
}

bool migration_state_fail(struct migration_state *s, const char *database, const char *sqlstate,
                          const char *message)
{
    if (s->error != NULL)
        return false;
    s->error = xstrdup(message);
    s->error_database = xstrdup(database);
    s->error_sqlstate = sqlstate && sqlstate[0] ? xstrdup(sqlstate) : NULL;
    return true;
}

void migration_state_replace_error(struct migration_state *s, const char *message)
{
    free(s->error);
    free(s->error_sqlstate);
    s->error = xstrdup(message);
    s->error_sqlstate = NULL;
}

bool migration_state_warn(struct migration_state *s, const char *message)
{
    if (sl_contains(&s->warnings, message))
        return false;
    sl_push(&s->warnings, message);
    return true;
}

void migration_state_set_checks(struct migration_state *s, struct check_results checks,
                                char *source_type)
{
    check_results_free(&s->checks);
    s->checks = checks;
    free(s->source_type);
    s->source_type = source_type;
}

void migration_state_copy(struct migration_state *dst, const struct migration_state *src)
{
    migration_state_init(dst);
    dst->status = src->status;
    dst->substatus = src->substatus;
    dst->error = xstrdup(src->error);
    dst->error_database = xstrdup(src->error_database);
    dst->error_sqlstate = xstrdup(src->error_sqlstate);
    for (size_t i = 0; i < src->warnings.n; i++)
        sl_push(&dst->warnings, src->warnings.items[i]);
    for (size_t i = 0; i < src->checks.n; i++) {
        const struct check_result *c = &src->checks.items[i];
        check_results_add(&dst->checks, c->scope, c->name, c->status, c->started, c->seconds,
                          c->message, c->remediation);
    }
    dst->source_type = xstrdup(src->source_type);
    dst->started_wall = src->started_wall;
    dst->finished_wall = src->finished_wall;
}
