/*
 * handover.c — when a draining node's worker may give its migration to
 * another node (docs/NODES.md, Drain): at a point where the new holder
 * loses nothing, which is where a restart of the worker would not start a
 * copy over: before any database's copy began, or once every database
 * still going streams changes. Never while a database cuts over.
 */
#include "service/internal.h"

#include <stdatomic.h>

bool worker_at_safe_point(struct worker *w)
{
    if (w->run == NULL)
        return true;
    struct migration_state s;
    engine_run_state(w->run, &s);
    bool completing = false;
    for (size_t i = 0; i < s.ndbs; i++)
        completing = completing || s.dbs[i].substatus == SUB_COMPLETING;
    strlist ended = STRLIST_INIT;
    enum worker_restart_mode mode = worker_restart_mode_of(w->run->spec, &s, &ended);
    sl_free(&ended);
    migration_state_free(&s);
    return !completing && !atomic_load(&w->run->cutover) && mode != RESTART_OVERWRITE;
}
