/* progress_snapshot.c — plain copies of a database's progress (see progress_snapshot.h). */
#include "model/progress_snapshot.h"
#include "util/mem.h"

#include <stdlib.h>
#include <string.h>

void db_progress_snapshot_take(const struct db_progress *p, struct db_progress_snapshot *out)
{
    *out = (struct db_progress_snapshot){
        .name = xstrdup(p->name),
        .status = (enum mig_status) atomic_load(&p->status),
        .substatus = (enum mig_substatus) atomic_load(&p->substatus),
        .planned = atomic_load(&p->planned),
        .tables_total = atomic_load(&p->tables_total),
        .tables_copying = atomic_load(&p->tables_copying),
        .tables_copied = atomic_load(&p->tables_copied),
        .tables_failed = atomic_load(&p->tables_failed),
        .rows_copied = atomic_load(&p->rows_copied),
        .bytes_copied = atomic_load(&p->bytes_copied),
        .bytes_total = atomic_load(&p->bytes_total),
        .bytes_streaming = atomic_load(&p->bytes_streaming),
        .bytes_sent = atomic_load(&p->bytes_sent),
        .large_objects = atomic_load(&p->large_objects),
        .large_object_bytes = atomic_load(&p->large_object_bytes),
        .indexes_total = atomic_load(&p->indexes_total),
        .indexes_built = atomic_load(&p->indexes_built),
        .constraints_total = atomic_load(&p->constraints_total),
        .constraints_done = atomic_load(&p->constraints_done),
        .index_ms = atomic_load(&p->index_ms),
        .streaming = atomic_load(&p->streaming),
        .caught_up = atomic_load(&p->caught_up),
        .lag_bytes = atomic_load(&p->lag_bytes),
        .lag_ms = atomic_load(&p->lag_ms),
        .changes_applied = atomic_load(&p->changes_applied),
        .txns_applied = atomic_load(&p->txns_applied),
        .inserts_applied = atomic_load(&p->inserts_applied),
        .updates_applied = atomic_load(&p->updates_applied),
        .deletes_applied = atomic_load(&p->deletes_applied),
        .truncates_applied = atomic_load(&p->truncates_applied),
        .incoming_bps = atomic_load(&p->incoming_bps),
        .apply_bps = atomic_load(&p->apply_bps),
        .apply_peak_bps = atomic_load(&p->apply_peak_bps),
        .backlog_bytes = atomic_load(&p->backlog_bytes),
        .applied_lsn = atomic_load(&p->applied_lsn),
        .source_lsn = atomic_load(&p->source_lsn),
        .waiting_for = db_progress_waiting_for_word(atomic_load(&p->waiting_for)),
        .started_ms = atomic_load(&p->started_ms),
        .finished_ms = atomic_load(&p->finished_ms),
    };
}

int64_t db_progress_snapshot_bytes_done(const struct db_progress_snapshot *s)
{
    int64_t done = s->bytes_copied + s->bytes_streaming;
    return done > s->bytes_total ? s->bytes_total : done;
}

void db_progress_snapshot_free(struct db_progress_snapshot *s)
{
    free(s->name);
    *s = (struct db_progress_snapshot){0};
}

const char *db_progress_waiting_for_word(const char *text)
{
    if (text == NULL)
        return NULL;
    if (strcmp(text, "source") == 0)
        return "source";
    if (strcmp(text, "target") == 0)
        return "target";
    return NULL;
}
