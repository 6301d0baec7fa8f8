/* state.c — a copy of a run's state for other layers and threads (see engine.h). */
#include "engine/engine.h"
#include "util/mem.h"

void engine_run_state(struct engine_run *run, struct migration_state *out)
{
    pthread_mutex_lock(&run->lock);
    migration_state_copy(out, &run->state);
    pthread_mutex_unlock(&run->lock);
    out->dbs = xcalloc((size_t) run->ndbs + 1, sizeof(*out->dbs));
    for (int i = 0; i < run->ndbs; i++)
        db_progress_snapshot_take(run->dbs[i], &out->dbs[i]);
    out->ndbs = (size_t) run->ndbs;
}
