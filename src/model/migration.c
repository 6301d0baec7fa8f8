/* migration.c — migration properties (see migration.h). */
#include "model/migration.h"
#include "util/mem.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void migration_spec_init(struct migration_spec *s)
{
    memset(s, 0, sizeof(*s));
    s->mode = MODE_OFFLINE;
    s->type = TYPE_VALIDATE_AND_MIGRATE;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    s->jobs = cores > 0 ? (int) cores : 2;
    s->index_jobs = s->jobs;
    s->source_type = xstrdup("auto");
    s->maintenance_work_mem = xstrdup("512MB");
    s->toast_compression = xstrdup("lz4");
}

void migration_spec_free(struct migration_spec *s)
{
    free(s->name);
    free(s->source);
    free(s->target);
    free(s->source_type);
    free(s->maintenance_work_mem);
    free(s->toast_compression);
    free(s->plugin);
    sl_free(&s->databases);
    memset(s, 0, sizeof(*s));
}
