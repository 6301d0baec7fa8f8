/*
 * Unit tests: how a restarted worker starts a migration again from the
 * state the dead one wrote (service/restart.c, docs/SERVICE.md "Leases and
 * restarts"): from the beginning before any target database exists, over
 * again (overwrite) once one was created, continuing the streams (resume)
 * once every database of an online migration streams.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "model/state_json.h"
#include "service/internal.h"
#include "util/mem.h"

#include <stdlib.h>
#include <string.h>

/*
 * The full-form state JSON of a migration whose databases db0, db1, ... have
 * these substatuses (status In progress unless statuses is given; caller frees).
 */
static char *state_text_st(const enum mig_status *statuses, const enum mig_substatus *subs,
                           const bool *streaming, size_t n)
{
    struct migration_state s;
    migration_state_init(&s);
    s.substatus = n ? subs[0] : SUB_PREREQUISITES;
    s.dbs = xcalloc(n + 1, sizeof(*s.dbs));
    s.ndbs = n;
    for (size_t i = 0; i < n; i++) {
        s.dbs[i].name = xasprintf("db%zu", i);
        s.dbs[i].substatus = subs[i];
        s.dbs[i].status = statuses ? statuses[i] : MIG_IN_PROGRESS;
        s.dbs[i].streaming = streaming ? streaming[i] : false;
    }
    json_t *doc = migration_state_to_json(&s, SNAPSHOT_JSON_FULL);
    char *text = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    migration_state_free(&s);
    return text;
}

static char *state_text(const enum mig_substatus *subs, const bool *streaming, size_t n)
{
    return state_text_st(NULL, subs, streaming, n);
}

/* The restart mode, the ended databases dropped. */
static enum worker_restart_mode mode_of(const struct migration_spec *spec, const char *text)
{
    strlist ended = STRLIST_INIT;
    enum worker_restart_mode mode = worker_restart_mode(spec, text, &ended);
    sl_free(&ended);
    return mode;
}

static void spec_of(struct migration_spec *spec, enum mig_mode mode, enum mig_type type)
{
    migration_spec_init(spec);
    spec->mode = mode;
    spec->type = type;
}

static void test_first_start_and_nothing_created(void **state)
{
    (void) state;
    struct migration_spec spec;
    spec_of(&spec, MODE_OFFLINE, TYPE_VALIDATE_AND_MIGRATE);
    assert_int_equal(mode_of(&spec, NULL), RESTART_FRESH);
    enum mig_substatus subs[] = {SUB_VALIDATING, SUB_PREREQUISITES};
    char *text = state_text(subs, NULL, 2);
    assert_int_equal(mode_of(&spec, text), RESTART_FRESH);
    free(text);
    migration_spec_free(&spec);
}

static void test_copy_started_overwrites(void **state)
{
    (void) state;
    struct migration_spec spec;
    spec_of(&spec, MODE_OFFLINE, TYPE_VALIDATE_AND_MIGRATE);
    enum mig_substatus subs[] = {SUB_MIGRATING_DATA, SUB_PREREQUISITES};
    char *text = state_text(subs, NULL, 2);
    assert_int_equal(mode_of(&spec, text), RESTART_OVERWRITE);
    worker_restart_apply(&spec, RESTART_OVERWRITE, &(strlist) STRLIST_INIT);
    assert_true(spec.overwrite);
    assert_false(spec.resume);
    free(text);
    migration_spec_free(&spec);
}

static void test_online_streaming_resumes(void **state)
{
    (void) state;
    struct migration_spec spec;
    spec_of(&spec, MODE_ONLINE, TYPE_VALIDATE_AND_MIGRATE);
    enum mig_substatus subs[] = {SUB_WAITING_FOR_CUTOVER, SUB_WAITING_FOR_CUTOVER};
    bool streaming[] = {true, true};
    char *text = state_text(subs, streaming, 2);
    assert_int_equal(mode_of(&spec, text), RESTART_RESUME);
    spec.overwrite = true;
    worker_restart_apply(&spec, RESTART_RESUME, &(strlist) STRLIST_INIT);
    assert_true(spec.resume);
    assert_false(spec.overwrite);
    free(text);
    /* one database still copying: start over */
    enum mig_substatus mixed[] = {SUB_WAITING_FOR_CUTOVER, SUB_MIGRATING_DATA};
    bool one[] = {true, false};
    text = state_text(mixed, one, 2);
    assert_int_equal(mode_of(&spec, text), RESTART_OVERWRITE);
    free(text);
    migration_spec_free(&spec);
}

static void test_validate_only_and_unreadable(void **state)
{
    (void) state;
    struct migration_spec spec;
    spec_of(&spec, MODE_OFFLINE, TYPE_VALIDATE);
    enum mig_substatus subs[] = {SUB_MIGRATING_DATA};
    char *text = state_text(subs, NULL, 1);
    assert_int_equal(mode_of(&spec, text), RESTART_FRESH);
    free(text);
    spec.type = TYPE_MIGRATE;
    assert_int_equal(mode_of(&spec, "{\"not\": \"a state\"}"), RESTART_OVERWRITE);
    migration_spec_free(&spec);
}

/* A database cut over (or canceled) on its own is left out: the others resume without it. */
static void test_ended_databases_left_out(void **state)
{
    (void) state;
    struct migration_spec spec;
    spec_of(&spec, MODE_ONLINE, TYPE_VALIDATE_AND_MIGRATE);
    sl_push(&spec.databases, "db0");
    sl_push(&spec.databases, "db1");
    sl_push(&spec.databases, "db2");
    enum mig_status statuses[] = {MIG_SUCCEEDED, MIG_WAITING_FOR_USER, MIG_CANCELED};
    enum mig_substatus subs[] = {SUB_COMPLETED, SUB_WAITING_FOR_CUTOVER, SUB_COMPLETED};
    bool streaming[] = {false, true, false};
    char *text = state_text_st(statuses, subs, streaming, 3);
    strlist ended = STRLIST_INIT;
    assert_int_equal(worker_restart_mode(&spec, text, &ended), RESTART_RESUME);
    assert_int_equal(ended.n, 2);
    worker_restart_apply(&spec, RESTART_RESUME, &ended);
    assert_int_equal(spec.databases.n, 1);
    assert_string_equal(spec.databases.items[0], "db1");
    sl_free(&ended);
    free(text);
    migration_spec_free(&spec);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_first_start_and_nothing_created),
        cmocka_unit_test(test_copy_started_overwrites),
        cmocka_unit_test(test_online_streaming_resumes),
        cmocka_unit_test(test_validate_only_and_unreadable),
        cmocka_unit_test(test_ended_databases_left_out),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
