/* migration.c — migration properties (see migration.h). */
#include "model/migration.h"
#include "util/mem.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
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
    s->reconnect_timeout = MIGRATION_RECONNECT_TIMEOUT_DEFAULT;
}

bool migration_duration_parse(const char *s, double *seconds)
{
    static const struct {
        const char *unit;
        double seconds;
    } units[] = {{"", 1},     {"s", 1},  {"sec", 1},  {"ms", 0.001},
                 {"min", 60}, {"m", 60}, {"h", 3600}, {"hour", 3600}};
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || v < 0 || v != v)
        return false;
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
        if (strcasecmp(end, units[i].unit) == 0) {
            *seconds = v * units[i].seconds;
            return true;
        }
    return false;
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
    free(s->publication);
    sl_free(&s->databases);
    memset(s, 0, sizeof(*s));
}
