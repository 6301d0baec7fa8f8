/*
 * engine_driver — runs the engine (src/engine/engine.h) on a migration and
 * makes the requests a service would make while it runs, for
 * tests/integration/engine_per_database.sh.
 *
 *   ENGINE_DRIVER_SOURCE=CONNINFO ENGINE_DRIVER_TARGET=CONNINFO \
 *       engine_driver --databases A,B [--mode online|offline] [--overwrite]
 *                     [--ask-overwrite] [--commands FILE] [--max-seconds N]
 *
 * Conninfos come from the environment so that passwords stay off command
 * lines. The requests are lines appended to FILE (read as they come), one a
 * line:
 *   cutover [DB]      engine_run_request_cutover(_db)
 *   cancel [DB]       engine_run_cancel(_db)
 *   overwrite yes|no  the answer to the overwrite hook (--ask-overwrite sets it)
 * Prints each event as a JSON line (as `migrate --output json`), "request"
 * lines ({"request": LINE, "accepted": BOOL}), an {"event":"hook"} line when
 * the hook is called, and at the end {"event":"driver_result","status":S,
 * "databases":{NAME:STATUS,...}}. Exit: the final status's exit code
 * (0 Succeeded, 1 Failed, 3 Canceled), 64 usage.
 */
#include "engine/engine.h"
#include "model/event_json.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/timeutil.h"

#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;

static void print_json(json_t *o)
{
    char *s = json_dumps(o, JSON_COMPACT);
    pthread_mutex_lock(&out_lock);
    printf("%s\n", s);
    fflush(stdout);
    pthread_mutex_unlock(&out_lock);
    free(s);
    json_decref(o);
}

static void emit(void *ctx, const struct event *ev)
{
    (void) ctx;
    char ts[32];
    time_t now = time(NULL);
    struct tm tm;
    strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&now, &tm));
    struct event_json_meta meta = {.time = ts};
    print_json(event_to_json(ev, &meta));
}

struct driver {
    struct engine_run *run;
    const char *commands;
    _Atomic bool done;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int answer; /* the overwrite answer: -1 none yet, 0 no, 1 yes */
};

static bool await_overwrite(void *ctx, const strlist *existing)
{
    struct driver *d = ctx;
    json_t *names = json_array();
    for (size_t i = 0; i < existing->n; i++)
        json_array_append_new(names, json_string(existing->items[i]));
    print_json(json_pack("{s:s,s:o}", "event", "hook", "existing", names));
    pthread_mutex_lock(&d->lock);
    while (d->answer < 0 && !atomic_load(&d->run->cancel))
        pthread_cond_wait(&d->cond, &d->lock);
    bool yes = d->answer == 1;
    pthread_mutex_unlock(&d->lock);
    return yes;
}

static bool apply(struct driver *d, char *line)
{
    char *arg = strchr(line, ' ');
    if (arg)
        *arg++ = '\0';
    if (strcmp(line, "cutover") == 0) {
        if (arg == NULL) {
            engine_run_request_cutover(d->run);
            return true;
        }
        return engine_run_request_cutover_db(d->run, arg);
    }
    if (strcmp(line, "cancel") == 0) {
        if (arg == NULL) {
            engine_run_cancel(d->run);
            pthread_mutex_lock(&d->lock);
            pthread_cond_broadcast(&d->cond);
            pthread_mutex_unlock(&d->lock);
            return true;
        }
        return engine_run_cancel_db(d->run, arg);
    }
    if (strcmp(line, "overwrite") == 0 && arg) {
        pthread_mutex_lock(&d->lock);
        d->answer = strcmp(arg, "yes") == 0;
        pthread_cond_broadcast(&d->cond);
        pthread_mutex_unlock(&d->lock);
        return true;
    }
    return false;
}

/* Reads the lines appended to the commands file and applies each. */
static void *reader_main(void *arg)
{
    struct driver *d = arg;
    long offset = 0;
    while (!atomic_load(&d->done)) {
        FILE *f = fopen(d->commands, "r");
        if (f && fseek(f, offset, SEEK_SET) == 0) {
            char line[512];
            while (fgets(line, sizeof(line), f)) {
                size_t len = strlen(line);
                if (len == 0 || line[len - 1] != '\n')
                    break; /* not complete yet: again at the next look */
                offset += (long) len;
                line[len - 1] = '\0';
                if (line[0] == '\0')
                    continue;
                char copy[512];
                snprintf(copy, sizeof(copy), "%s", line);
                bool ok = apply(d, line);
                print_json(json_pack("{s:s,s:s,s:b}", "event", "request", "request", copy,
                                     "accepted", ok));
            }
        }
        if (f)
            fclose(f);
        time_sleep(0.1);
    }
    return NULL;
}

static int usage(void)
{
    fprintf(stderr, "usage: engine_driver --databases A,B [--mode online|offline] [--overwrite] "
                    "[--ask-overwrite] [--commands FILE] [--max-seconds N]\n");
    return 64;
}

int main(int argc, char **argv)
{
    log_configure(LOG_INFO, stderr, false);
    struct migration_spec spec;
    migration_spec_init(&spec);
    spec.source = xstrdup(getenv("ENGINE_DRIVER_SOURCE") ? getenv("ENGINE_DRIVER_SOURCE") : "");
    spec.target = xstrdup(getenv("ENGINE_DRIVER_TARGET") ? getenv("ENGINE_DRIVER_TARGET") : "");
    spec.mode = MODE_ONLINE;
    spec.type = TYPE_MIGRATE;
    spec.jobs = 2;
    spec.index_jobs = 2;
    bool ask = false;
    const char *commands = NULL;
    double max_seconds = 600;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--databases") == 0 && v) {
            char *list = xstrdup(v), *save = NULL;
            for (char *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save))
                sl_push(&spec.databases, t);
            free(list);
            i++;
        } else if (strcmp(a, "--mode") == 0 && v) {
            if (!mig_mode_parse(v, &spec.mode))
                return usage();
            i++;
        } else if (strcmp(a, "--commands") == 0 && v) {
            commands = v;
            i++;
        } else if (strcmp(a, "--max-seconds") == 0 && v) {
            max_seconds = atof(v);
            i++;
        } else if (strcmp(a, "--overwrite") == 0)
            spec.overwrite = true;
        else if (strcmp(a, "--ask-overwrite") == 0)
            ask = true;
        else
            return usage();
    }
    char *error = NULL;
    if (spec.databases.n == 0 || !migration_spec_check(&spec, SPEC_NAMING_OPTION, &error)) {
        fprintf(stderr, "engine_driver: %s\n", error ? error : "no databases");
        free(error);
        return 64;
    }

    struct event_sink sink = {.emit = emit};
    struct driver d = {.commands = commands, .answer = -1};
    pthread_mutex_init(&d.lock, NULL);
    pthread_cond_init(&d.cond, NULL);
    d.run = engine_run_new(&spec, &sink);
    if (ask) {
        struct engine_overwrite_hook hook = {.await_overwrite = await_overwrite, .ctx = &d};
        engine_run_set_overwrite_hook(d.run, &hook);
    }
    pthread_t reader;
    bool reading = commands && pthread_create(&reader, NULL, reader_main, &d) == 0;
    (void) max_seconds; /* the test's own timeouts end a run that hangs */

    enum mig_status final = engine_run_execute(d.run);
    atomic_store(&d.done, true);
    if (reading)
        pthread_join(reader, NULL);

    json_t *dbs = json_object();
    for (int i = 0; i < d.run->ndbs; i++)
        json_object_set_new(
            dbs, d.run->dbs[i]->name,
            json_string(mig_status_name((enum mig_status) atomic_load(&d.run->dbs[i]->status))));
    print_json(json_pack("{s:s,s:s,s:o}", "event", "driver_result", "status",
                         mig_status_name(final), "databases", dbs));
    engine_run_free(d.run);
    migration_spec_free(&spec);
    pthread_cond_destroy(&d.cond);
    pthread_mutex_destroy(&d.lock);
    return mig_status_exit_code(final);
}
