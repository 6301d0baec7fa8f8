/*
 * restart.c — how a worker starts a migration a dead worker left behind
 * (docs/SERVICE.md, Leases and restarts), from the last state it wrote:
 * before any target database was created, from the beginning; during the
 * copy, over again on the target databases the migration created (as
 * --overwrite: they are dropped and created again, with a new slot and
 * snapshot online); once every database of an online migration streams,
 * continuing the streams (as --resume). Databases that ended on their own
 * (cut over or canceled by a per-database request) are left out: neither
 * copied again nor resumed.
 */
#include "model/state_json.h"
#include "service/internal.h"
#include "util/log.h"
#include "util/mem.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* The target database exists by now: the migration created it (or dropped one to). */
static bool created_target(const struct db_progress_snapshot *db)
{
    switch (db->substatus) {
    case SUB_DROPPING_DATABASE:
    case SUB_MIGRATING_DATA:
    case SUB_WAITING_FOR_CUTOVER:
    case SUB_COMPLETING:
    case SUB_COMPLETED:
        return true;
    default:
        return db->streaming || db->tables_copied > 0 || db->tables_copying > 0;
    }
}

static bool streams(const struct db_progress_snapshot *db)
{
    return db->substatus == SUB_WAITING_FOR_CUTOVER ||
           (db->streaming && db->substatus != SUB_FAILED);
}

enum worker_restart_mode worker_restart_mode(const struct migration_spec *spec,
                                             const char *state_json, strlist *ended)
{
    if (state_json == NULL || spec->type == TYPE_VALIDATE)
        return RESTART_FRESH;
    json_error_t jerr;
    json_t *doc = json_loads(state_json, 0, &jerr);
    struct migration_state s;
    char *err = NULL;
    if (doc == NULL || !migration_state_from_json(doc, &s, &err)) {
        /* unreadable: starting over is the safe way (the spec's own overwrite rules apply) */
        log_warn("the stored state cannot be read (%s): treating the migration as created",
                 err ? err : jerr.text);
        free(err);
        json_decref(doc);
        return RESTART_OVERWRITE;
    }
    json_decref(doc);
    enum worker_restart_mode mode = worker_restart_mode_of(spec, &s, ended);
    migration_state_free(&s);
    return mode;
}

enum worker_restart_mode worker_restart_mode_of(const struct migration_spec *spec,
                                                const struct migration_state *s, strlist *ended)
{
    if (spec->type == TYPE_VALIDATE)
        return RESTART_FRESH;
    size_t created = 0, streaming = 0, going = 0;
    for (size_t i = 0; i < s->ndbs; i++) {
        /* cut over or canceled on its own: done, whatever happens to the others */
        if (mig_status_is_final(s->dbs[i].status) && s->dbs[i].status != MIG_FAILED) {
            sl_push(ended, s->dbs[i].name);
            continue;
        }
        going++;
        created += created_target(&s->dbs[i]);
        streaming += streams(&s->dbs[i]);
    }
    enum worker_restart_mode mode = RESTART_FRESH;
    if (spec->mode == MODE_ONLINE && going > 0 && streaming == going)
        mode = RESTART_RESUME;
    else if (created > 0)
        mode = RESTART_OVERWRITE;
    return mode;
}

size_t worker_restart_ended_snapshots(const char *state_json, const strlist *ended,
                                      struct db_progress_snapshot **out)
{
    *out = NULL;
    if (state_json == NULL || ended->n == 0)
        return 0;
    json_t *doc = json_loads(state_json, 0, NULL);
    struct migration_state s;
    char *err = NULL;
    if (doc == NULL || !migration_state_from_json(doc, &s, &err)) {
        free(err);
        json_decref(doc);
        return 0;
    }
    json_decref(doc);
    *out = xcalloc(ended->n, sizeof(**out));
    size_t n = 0;
    for (size_t i = 0; i < s.ndbs && n < ended->n; i++) {
        if (!sl_contains(ended, s.dbs[i].name))
            continue;
        (*out)[n++] = s.dbs[i]; /* taken over: name and all */
        memset(&s.dbs[i], 0, sizeof(s.dbs[i]));
    }
    migration_state_free(&s);
    return n;
}

const char *worker_restart_mode_name(enum worker_restart_mode mode)
{
    static const char *const names[] = {
        [RESTART_FRESH] = "starting from the beginning",
        [RESTART_OVERWRITE] = "starting over on the target databases it created (overwrite)",
        [RESTART_RESUME] = "continuing the streams (resume)",
    };
    return names[mode];
}

void worker_restart_apply(struct migration_spec *spec, enum worker_restart_mode mode,
                          const strlist *ended)
{
    strlist left = STRLIST_INIT;
    for (size_t i = 0; i < spec->databases.n; i++)
        if (!sl_contains(ended, spec->databases.items[i]))
            sl_push(&left, spec->databases.items[i]);
    if (left.n > 0 && left.n < spec->databases.n) {
        char *names = sl_join(ended, ", ");
        log_notice("left out: %s (cut over or canceled on their own before the restart)", names);
        free(names);
        sl_free(&spec->databases);
        spec->databases = left;
    } else {
        sl_free(&left);
    }
    if (mode == RESTART_OVERWRITE) {
        spec->overwrite = true;
        spec->resume = false;
    } else if (mode == RESTART_RESUME) {
        spec->resume = true;
        spec->overwrite = false; /* resume with overwrite is refused by the rules */
    }
}
