/*
 * store_seed — writes N finished migrations into a state directory's store
 * (through src/store's interface, as a worker would), so that `pgshuttle
 * serve` lists a big grid without running any worker. For the browser
 * tests' 1,000-migration grid.
 *
 *   store_seed STATE_DIR N [PREFIX]
 *
 * Migration i is PREFIX-i (default "seed"): statuses Succeeded, Failed,
 * Canceled and Validation failed in turn, Offline or Online, each of the
 * three types, one to three databases, started i hours before now (so the
 * newest is PREFIX-0), running i % 97 minutes. The state directory must be
 * one serve uses or will use (the store is made when missing).
 */
#include "model/migration.h"
#include "model/migration_json.h"
#include "model/state.h"
#include "model/state_json.h"
#include "store/store.h"
#include "util/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static char *spec_text(const char *name, int i)
{
    struct migration_spec s;
    migration_spec_init(&s);
    s.name = xstrdup(name);
    s.mode = i % 3 == 1 ? MODE_ONLINE : MODE_OFFLINE;
    s.type = (enum mig_type)(i % 3);
    s.source = xasprintf("host=src%d.example.com port=%d user=admin%d dbname=postgres", i % 7,
                         5432 + i % 3, i % 5);
    s.target = xasprintf("host=dst%d.example.com port=5432 user=admin dbname=postgres", i % 4);
    for (int d = 0; d <= i % 3; d++)
        sl_push_owned(&s.databases, xasprintf("db%d_%d", i % 11, d));
    json_t *doc = migration_spec_to_json(&s, SPEC_JSON_WITH_SECRETS, NULL);
    char *text = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    migration_spec_free(&s);
    return text;
}

static char *state_text(int i, double now, enum mig_status *status, enum mig_substatus *sub)
{
    static const enum mig_status statuses[] = {MIG_SUCCEEDED, MIG_FAILED, MIG_CANCELED,
                                               MIG_VALIDATION_FAILED};
    struct migration_state s;
    migration_state_init(&s);
    s.status = statuses[i % 4];
    s.substatus = s.status == MIG_SUCCEEDED ? SUB_COMPLETED : SUB_FAILED;
    s.started_wall = now - 3600.0 * i - 60.0;
    s.finished_wall = s.started_wall + 60.0 * (i % 97) + 5;
    if (s.status == MIG_FAILED)
        migration_state_fail(&s, NULL, NULL, "seeded: the target refused the connection");
    if (s.status == MIG_VALIDATION_FAILED)
        migration_state_fail(&s, NULL, NULL, "seeded: a validation check failed");
    *status = s.status;
    *sub = s.substatus;
    json_t *doc = migration_state_to_json(&s, SNAPSHOT_JSON_FULL);
    char *text = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    migration_state_free(&s);
    return text;
}

int main(int argc, char **argv)
{
    if (argc < 3 || argc > 4) {
        fprintf(stderr, "usage: store_seed STATE_DIR N [PREFIX]\n");
        return 2;
    }
    int n = atoi(argv[2]);
    const char *prefix = argc == 4 ? argv[3] : "seed";
    char *err = NULL;
    struct store *st = store_open(argv[1], &err);
    if (st == NULL) {
        fprintf(stderr, "store_seed: %s\n", err ? err : "cannot open the store");
        return 1;
    }
    double now = (double) time(NULL);
    for (int i = 0; i < n; i++) {
        char *name = xasprintf("%s-%d", prefix, i);
        char *spec = spec_text(name, i);
        enum mig_status status;
        enum mig_substatus sub;
        char *state = state_text(i, now, &status, &sub);
        int64_t id = 0;
        bool ok = store_migration_create(st, name, spec, 0, &id, &err) == STORE_OK &&
                  store_migration_set_state(st, id, NULL, state, mig_status_name(status),
                                            mig_substatus_name(sub), false, &err) == STORE_OK;
        free(name);
        free(spec);
        free(state);
        if (!ok) {
            fprintf(stderr, "store_seed: %s\n", err ? err : "store write failed");
            store_close(st);
            return 1;
        }
    }
    store_close(st);
    printf("store_seed: %d migrations written\n", n);
    return 0;
}
