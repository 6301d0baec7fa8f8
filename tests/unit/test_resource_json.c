/*
 * Unit tests: the API's migration resource and error object
 * (src/model/resource_json.c): the shape of docs/API.md's example, the
 * words of status.h, figures derived from a snapshot (queued tables,
 * throughput, ETA, LSN text), validation details grouped by scope with their
 * times (and null times for checks stored without them), the
 * resource before any state, and no password anywhere.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "model/resource_json.h"

#include <stdlib.h>
#include <string.h>

static char *mask_fake(const char *conninfo)
{
    (void) conninfo;
    return strdup("host=old-db password=*****");
}

static void spec_with_password(struct migration_spec *s)
{
    char *err = NULL;
    assert_true(migration_spec_from_json_text(
        "{\"name\":\"sales2026\",\"properties\":{\"sourceServer\":\"host=old-db password=s3cret\","
        "\"targetServer\":\"host=new-db "
        "password=s3cret\",\"dbsToMigrate\":[\"sales\",\"inventory\"],"
        "\"migrationMode\":\"Online\",\"migrationWindowStartTimeInUtc\":\"2026-12-07T09:00:00Z\"}}",
        s, &err));
}

static void state_waiting_for_cutover(struct migration_state *st)
{
    migration_state_init(st);
    st->status = MIG_WAITING_FOR_USER;
    st->substatus = SUB_WAITING_FOR_CUTOVER;
    st->started_wall = 1796634000;
    st->source_type = strdup("AWS RDS");
    /* started 09:00:00, 09:00:01 and 09:00:03.2 (that one ends at 09:00:03.3) */
    check_results_add(&st->checks, "instance", "SourceVersionValidation", CHECK_SUCCEEDED,
                      1796634000.0, 0.012, "PostgreSQL 16.4", NULL);
    check_results_add(&st->checks, "sales", "TablesWithoutPrimaryKey", CHECK_WARNING, 1796634001.0,
                      0.5, "2 tables have no key", "ALTER TABLE ... REPLICA IDENTITY FULL");
    check_results_add(&st->checks, "sales", "Extensions", CHECK_SUCCEEDED, 1796634003.2, 0.1,
                      "none", NULL);
    st->ndbs = 1;
    st->dbs = calloc(1, sizeof(*st->dbs));
    st->dbs[0] = (struct db_progress_snapshot){.name = strdup("sales"),
                                               .status = MIG_WAITING_FOR_USER,
                                               .substatus = SUB_WAITING_FOR_CUTOVER,
                                               .tables_total = 42,
                                               .tables_copied = 42,
                                               .rows_copied = 51234567,
                                               .bytes_copied = 1073741824,
                                               .bytes_total = 1073741824,
                                               .indexes_total = 61,
                                               .indexes_built = 61,
                                               .streaming = true,
                                               .lag_bytes = 512,
                                               .lag_ms = 40,
                                               .changes_applied = 6617,
                                               .inserts_applied = 1200,
                                               .updates_applied = 5400,
                                               .deletes_applied = 17,
                                               .applied_lsn = 0x1A2B3C4D,
                                               .source_lsn = 0x1A2B3E00,
                                               .started_ms = 1796634000000LL};
}

static const struct resource_times times = {.created = 1796633990, .updated = 1796634754};

static void test_shape_and_words(void **state)
{
    (void) state;
    struct migration_spec spec;
    struct migration_state st;
    spec_with_password(&spec);
    state_waiting_for_cutover(&st);
    json_t *doc = migration_resource_to_json("sales2026", &spec, &st, &times, mask_fake);
    assert_string_equal(json_string_value(json_object_get(doc, "name")), "sales2026");
    json_t *p = json_object_get(doc, "properties");
    assert_string_equal(json_string_value(json_object_get(p, "migrationMode")), "Online");
    assert_string_equal(json_string_value(json_object_get(p, "migrationOption")),
                        "ValidateAndMigrate");
    assert_string_equal(json_string_value(json_object_get(p, "sourceServer")),
                        "host=old-db password=*****");
    assert_string_equal(json_string_value(json_object_get(p, "migrationWindowStartTimeInUtc")),
                        "2026-12-07T09:00:00Z");
    assert_string_equal(json_string_value(json_object_get(p, "startedOn")), "2026-12-07T09:00:00Z");
    assert_true(json_is_null(json_object_get(p, "endedOn")));
    assert_int_equal(json_integer_value(json_object_get(p, "durationSeconds")), 754);
    /* as given, and as validation found it */
    assert_string_equal(json_string_value(json_object_get(p, "sourceType")), "auto");
    assert_string_equal(json_string_value(json_object_get(p, "detectedSourceType")), "AWS_RDS");

    json_t *cs = json_object_get(p, "currentStatus");
    assert_string_equal(json_string_value(json_object_get(cs, "state")), "Waiting for user action");
    assert_true(json_is_null(json_object_get(cs, "error")));
    json_t *sub = json_object_get(cs, "currentSubStateDetails");
    assert_string_equal(json_string_value(json_object_get(sub, "currentSubState")),
                        "Waiting for cutover");
    json_t *dbs = json_object_get(sub, "dbDetails");
    assert_int_equal(json_object_size(dbs), 2);
    json_t *sales = json_object_get(dbs, "sales");
    assert_string_equal(json_string_value(json_object_get(sales, "databaseName")), "sales");
    assert_string_equal(json_string_value(json_object_get(sales, "migrationState")),
                        "Waiting for cutover");
    assert_int_equal(json_integer_value(json_object_get(sales, "fullLoadCompletedTables")), 42);
    assert_int_equal(json_integer_value(json_object_get(sales, "fullLoadQueuedTables")), 0);
    assert_int_equal(json_integer_value(json_object_get(sales, "rowsCopied")), 51234567);
    assert_int_equal(json_integer_value(json_object_get(sales, "bytesPerSecond")), 0);
    assert_int_equal(json_integer_value(json_object_get(sales, "appliedChanges")), 6617);
    assert_int_equal(json_integer_value(json_object_get(sales, "cdcInsertCounter")), 1200);
    assert_int_equal(json_integer_value(json_object_get(sales, "cdcUpdateCounter")), 5400);
    assert_int_equal(json_integer_value(json_object_get(sales, "cdcDeleteCounter")), 17);
    assert_true(json_real_value(json_object_get(sales, "latency")) == 0.04);
    assert_int_equal(json_integer_value(json_object_get(sales, "lagBytes")), 512);
    assert_string_equal(json_string_value(json_object_get(sales, "confirmedLsn")), "0/1A2B3C4D");
    assert_string_equal(json_string_value(json_object_get(sales, "sourceLsn")), "0/1A2B3E00");
    /* a database of the spec the state has no snapshot for yet */
    json_t *inv = json_object_get(dbs, "inventory");
    assert_int_equal(json_integer_value(json_object_get(inv, "rowsCopied")), 0);
    assert_true(json_is_null(json_object_get(inv, "startedOn")));

    json_t *v = json_object_get(sub, "validationDetails");
    assert_string_equal(json_string_value(json_object_get(v, "status")), "Warning");
    json_t *server = json_object_get(v, "serverLevelValidationDetails");
    assert_int_equal(json_array_size(server), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(server, 0), "type")),
                        "SourceVersionValidation");
    assert_int_equal(json_integer_value(json_object_get(json_array_get(server, 0), "durationMs")),
                     12);
    json_t *dbl = json_object_get(v, "dbLevelValidationDetails");
    assert_int_equal(json_array_size(dbl), 1);
    json_t *summary = json_object_get(json_array_get(dbl, 0), "summary");
    assert_int_equal(json_array_size(summary), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(summary, 0), "state")),
                        "Warning");
    /* the validation's times: each check's start, each database's span and the whole span */
    assert_string_equal(json_string_value(json_object_get(v, "validationStartTimeInUtc")),
                        "2026-12-07T09:00:00Z");
    assert_string_equal(json_string_value(json_object_get(v, "validationEndTimeInUtc")),
                        "2026-12-07T09:00:03Z");
    assert_string_equal(json_string_value(json_object_get(json_array_get(server, 0), "startedOn")),
                        "2026-12-07T09:00:00Z");
    assert_string_equal(json_string_value(json_object_get(json_array_get(summary, 1), "startedOn")),
                        "2026-12-07T09:00:03Z");
    assert_string_equal(json_string_value(json_object_get(json_array_get(dbl, 0), "startedOn")),
                        "2026-12-07T09:00:01Z");
    assert_string_equal(json_string_value(json_object_get(json_array_get(dbl, 0), "endedOn")),
                        "2026-12-07T09:00:03Z");

    assert_string_equal(
        json_string_value(json_object_get(json_object_get(doc, "systemData"), "createdAt")),
        "2026-12-07T08:59:50Z");
    char *text = json_dumps(doc, 0);
    assert_null(strstr(text, "s3cret"));
    free(text);
    json_decref(doc);
    migration_state_free(&st);
    migration_spec_free(&spec);
}

static void test_copy_rate_and_failure(void **state)
{
    (void) state;
    struct migration_spec spec;
    struct migration_state st;
    spec_with_password(&spec);
    state_waiting_for_cutover(&st);
    st.status = MIG_IN_PROGRESS;
    st.substatus = SUB_MIGRATING_DATA;
    st.dbs[0].substatus = SUB_MIGRATING_DATA;
    st.dbs[0].streaming = false;
    st.dbs[0].tables_copied = 30;
    st.dbs[0].tables_copying = 2;
    st.dbs[0].tables_failed = 1;
    st.dbs[0].bytes_copied = 1000000;
    st.dbs[0].bytes_total = 3000000;
    struct resource_times t = {.created = 1796634000, .updated = 1796634100};
    assert_true(migration_state_fail(&st, "sales", "53100", "could not extend file"));
    json_t *doc = migration_resource_to_json("sales2026", &spec, &st, &t, NULL);
    json_t *p = json_object_get(doc, "properties");
    assert_string_equal(json_string_value(json_object_get(p, "sourceServer")), "*****");
    json_t *cs = json_object_get(p, "currentStatus");
    assert_string_equal(json_string_value(json_object_get(cs, "error")), "could not extend file");
    json_t *sales = json_object_get(
        json_object_get(json_object_get(cs, "currentSubStateDetails"), "dbDetails"), "sales");
    assert_int_equal(json_integer_value(json_object_get(sales, "fullLoadQueuedTables")), 9);
    assert_int_equal(json_integer_value(json_object_get(sales, "fullLoadLoadingTables")), 2);
    assert_int_equal(json_integer_value(json_object_get(sales, "fullLoadErroredTables")), 1);
    assert_int_equal(json_integer_value(json_object_get(sales, "bytesPerSecond")), 10000);
    assert_int_equal(json_integer_value(json_object_get(sales, "etaSeconds")), 200);
    assert_string_equal(json_string_value(json_object_get(sales, "message")),
                        "could not extend file");
    json_decref(doc);
    migration_state_free(&st);
    migration_spec_free(&spec);
}

/* Online: the time until ready for cutover, per database and for the migration (readiness.h). */
static void test_ready_for_cutover(void **state)
{
    (void) state;
    struct migration_spec spec;
    struct migration_state st;
    spec_with_password(&spec);
    state_waiting_for_cutover(&st);
    st.status = MIG_IN_PROGRESS;
    st.dbs[0].lag_bytes = 3000000;
    st.dbs[0].incoming_bps = 1000000;
    st.dbs[0].apply_bps = 2000000;
    st.dbs[0].backlog_bytes = 3000000;
    st.dbs[0].truncates_applied = 4;
    json_t *doc = migration_resource_to_json("sales2026", &spec, &st, &times, NULL);
    json_t *cs = json_object_get(json_object_get(doc, "properties"), "currentStatus");
    json_t *dbs = json_object_get(json_object_get(cs, "currentSubStateDetails"), "dbDetails");
    json_t *sales = json_object_get(dbs, "sales");
    assert_int_equal(json_integer_value(json_object_get(sales, "readyForCutoverEtaSeconds")), 3);
    assert_int_equal(json_integer_value(json_object_get(sales, "lagTrendBytesPerSecond")),
                     -1000000);
    assert_int_equal(json_integer_value(json_object_get(sales, "incomingBytesPerSecond")), 1000000);
    assert_int_equal(json_integer_value(json_object_get(sales, "applyBytesPerSecond")), 2000000);
    assert_int_equal(json_integer_value(json_object_get(sales, "backlogBytes")), 3000000);
    assert_int_equal(json_integer_value(json_object_get(sales, "cdcTruncateCounter")), 4);
    /* inventory has no figures yet: the migration's time is unknown, and so is its own */
    assert_true(json_is_null(json_object_get(cs, "readyForCutoverEtaSeconds")));
    assert_true(json_is_null(
        json_object_get(json_object_get(dbs, "inventory"), "readyForCutoverEtaSeconds")));
    json_decref(doc);

    /* inventory caught up: the migration waits for sales alone */
    st.dbs = realloc(st.dbs, 2 * sizeof(*st.dbs));
    st.dbs[1] = (struct db_progress_snapshot){.name = strdup("inventory"),
                                              .status = MIG_WAITING_FOR_USER,
                                              .streaming = true,
                                              .caught_up = true,
                                              .started_ms = 1796634000000LL};
    st.ndbs = 2;
    doc = migration_resource_to_json("sales2026", &spec, &st, &times, NULL);
    cs = json_object_get(json_object_get(doc, "properties"), "currentStatus");
    assert_int_equal(json_integer_value(json_object_get(cs, "readyForCutoverEtaSeconds")), 3);
    json_decref(doc);

    /* the lag grows: not converging, no figure, the trend says how fast */
    st.dbs[0].apply_bps = 500000;
    doc = migration_resource_to_json("sales2026", &spec, &st, &times, NULL);
    cs = json_object_get(json_object_get(doc, "properties"), "currentStatus");
    sales = json_object_get(
        json_object_get(json_object_get(cs, "currentSubStateDetails"), "dbDetails"), "sales");
    assert_true(json_is_null(json_object_get(cs, "readyForCutoverEtaSeconds")));
    assert_true(json_is_null(json_object_get(sales, "readyForCutoverEtaSeconds")));
    assert_int_equal(json_integer_value(json_object_get(sales, "lagTrendBytesPerSecond")), 500000);
    json_decref(doc);

    /* ended, or offline: null */
    st.status = MIG_SUCCEEDED;
    doc = migration_resource_to_json("sales2026", &spec, &st, &times, NULL);
    cs = json_object_get(json_object_get(doc, "properties"), "currentStatus");
    assert_true(json_is_null(json_object_get(cs, "readyForCutoverEtaSeconds")));
    json_decref(doc);
    st.status = MIG_IN_PROGRESS;
    spec.mode = MODE_OFFLINE;
    doc = migration_resource_to_json("sales2026", &spec, &st, &times, NULL);
    cs = json_object_get(json_object_get(doc, "properties"), "currentStatus");
    sales = json_object_get(
        json_object_get(json_object_get(cs, "currentSubStateDetails"), "dbDetails"), "sales");
    assert_true(json_is_null(json_object_get(cs, "readyForCutoverEtaSeconds")));
    assert_true(json_is_null(json_object_get(sales, "incomingBytesPerSecond")));
    assert_true(json_is_null(json_object_get(sales, "lagTrendBytesPerSecond")));
    json_decref(doc);
    migration_state_free(&st);
    migration_spec_free(&spec);
}

static void test_before_any_state(void **state)
{
    (void) state;
    struct migration_spec spec;
    spec_with_password(&spec);
    json_t *doc = migration_resource_to_json("sales2026", &spec, NULL, &times, mask_fake);
    json_t *p = json_object_get(doc, "properties");
    json_t *cs = json_object_get(p, "currentStatus");
    assert_string_equal(json_string_value(json_object_get(cs, "state")), "In progress");
    json_t *sub = json_object_get(cs, "currentSubStateDetails");
    assert_string_equal(json_string_value(json_object_get(sub, "currentSubState")),
                        "Performing prerequisite steps");
    assert_int_equal(json_object_size(json_object_get(sub, "dbDetails")), 2);
    assert_true(json_is_null(json_object_get(p, "startedOn")));
    assert_true(json_is_null(json_object_get(p, "durationSeconds")));
    assert_true(json_is_null(json_object_get(p, "detectedSourceType")));
    json_t *v = json_object_get(sub, "validationDetails");
    assert_true(json_is_null(json_object_get(v, "status")));
    assert_true(json_is_null(json_object_get(v, "validationStartTimeInUtc")));
    assert_true(json_is_null(json_object_get(v, "validationEndTimeInUtc")));
    json_decref(doc);
    migration_spec_free(&spec);
}

/* Checks of a state stored before checks had start times: every time is null, nothing else changes.
 */
static void test_checks_without_times(void **state)
{
    (void) state;
    struct migration_spec spec;
    struct migration_state st;
    spec_with_password(&spec);
    migration_state_init(&st);
    check_results_add(&st.checks, "instance", "Source connectivity", CHECK_SUCCEEDED, 0, 0.01,
                      "connected", NULL);
    check_results_add(&st.checks, "sales", "Roles", CHECK_FAILED, 0, 0.02, "missing",
                      "CREATE ROLE");
    json_t *doc = migration_resource_to_json("sales2026", &spec, &st, &times, mask_fake);
    json_t *sub =
        json_object_get(json_object_get(json_object_get(doc, "properties"), "currentStatus"),
                        "currentSubStateDetails");
    json_t *v = json_object_get(sub, "validationDetails");
    assert_string_equal(json_string_value(json_object_get(v, "status")), "Failed");
    assert_true(json_is_null(json_object_get(v, "validationStartTimeInUtc")));
    assert_true(json_is_null(json_object_get(v, "validationEndTimeInUtc")));
    json_t *check = json_array_get(json_object_get(v, "serverLevelValidationDetails"), 0);
    assert_true(json_is_null(json_object_get(check, "startedOn")));
    assert_int_equal(json_integer_value(json_object_get(check, "durationMs")), 10);
    json_t *db = json_array_get(json_object_get(v, "dbLevelValidationDetails"), 0);
    assert_string_equal(json_string_value(json_object_get(db, "databaseName")), "sales");
    assert_true(json_is_null(json_object_get(db, "startedOn")));
    assert_true(json_is_null(json_object_get(db, "endedOn")));
    json_decref(doc);
    migration_state_free(&st);
    migration_spec_free(&spec);
}

static void test_error_object(void **state)
{
    (void) state;
    json_t *e = resource_error_to_json("InvalidField", "jobs must be an integer", "jobs");
    char *text = json_dumps(e, JSON_COMPACT | JSON_SORT_KEYS);
    assert_string_equal(text, "{\"error\":{\"code\":\"InvalidField\",\"message\":\"jobs must be an "
                              "integer\",\"target\":\"jobs\"}}");
    free(text);
    json_decref(e);
    e = resource_error_to_json("NotFound", "no migration named x", NULL);
    assert_true(json_is_null(json_object_get(json_object_get(e, "error"), "target")));
    json_decref(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shape_and_words),   cmocka_unit_test(test_copy_rate_and_failure),
        cmocka_unit_test(test_ready_for_cutover), cmocka_unit_test(test_before_any_state),
        cmocka_unit_test(test_checks_without_times),
        cmocka_unit_test(test_error_object),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
