/*
 * Unit tests: the model's JSON for a check (check_json.c), a database's
 * progress snapshot (progress_json.c), an event (event_json.c) and a
 * migration's state (state_json.c): exact round trips, the `--output json`
 * lines' field names and order, and strict reading (unknown field, wrong
 * type, bad value), each message naming the field.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "model/check_json.h"
#include "model/event_json.h"
#include "model/state_json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The compact text of o, which it releases; the caller frees the text. */
static char *dump(json_t *o)
{
    char *s = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    assert_non_null(s);
    return s;
}

static json_t *load(const char *text)
{
    json_t *doc = json_loads(text, 0, NULL);
    assert_non_null(doc);
    return doc;
}

/* Asserts that the reader's error names field, and frees it. */
static void assert_names(char *err, const char *field)
{
    assert_non_null(err);
    assert_non_null(strstr(err, field));
    free(err);
}

static void snapshot_with_every_figure(struct db_progress_snapshot *s)
{
    *s = (struct db_progress_snapshot){.name = strdup("sales"),
                                       .status = MIG_WAITING_FOR_USER,
                                       .substatus = SUB_WAITING_FOR_CUTOVER,
                                       .planned = true,
                                       .tables_total = 12,
                                       .tables_copying = 1,
                                       .tables_copied = 10,
                                       .tables_failed = 1,
                                       .rows_copied = 2220000,
                                       .bytes_copied = 1 << 30,
                                       .bytes_total = 3LL << 30,
                                       .bytes_streaming = 4096,
                                       .bytes_sent = 5000000000LL,
                                       .large_objects = 3,
                                       .large_object_bytes = 777,
                                       .indexes_total = 9,
                                       .indexes_built = 8,
                                       .constraints_total = 4,
                                       .constraints_done = 2,
                                       .streaming = true,
                                       .caught_up = true,
                                       .lag_bytes = 123,
                                       .lag_ms = 1250,
                                       .changes_applied = 42,
                                       .txns_applied = 7,
                                       .inserts_applied = 20,
                                       .updates_applied = 15,
                                       .deletes_applied = 5,
                                       .truncates_applied = 2,
                                       .index_ms = 4321,
                                       .incoming_bps = 150000,
                                       .apply_bps = 900000,
                                       .apply_peak_bps = 1200000,
                                       .backlog_bytes = 777777,
                                       .applied_lsn = 0x16B374D848ULL,
                                       .source_lsn = 0x16B374D900ULL,
                                       .waiting_for = "target",
                                       .started_ms = 1796000000000LL,
                                       .finished_ms = 1796000360000LL};
}

static void test_check_round_trip(void **state)
{
    (void) state;
    struct check_results r = CHECK_RESULTS_INIT;
    check_results_add(&r, "sales", "extensions", CHECK_FAILED, 1796634000.25, 0.25,
                      "postgis is missing", "CREATE EXTENSION postgis;");
    check_results_add(&r, NULL, "connect", CHECK_SUCCEEDED, 0, 0, "ok", NULL);
    char *text = dump(check_results_to_json(&r));
    assert_string_equal(text, "[{\"scope\":\"sales\",\"name\":\"extensions\",\"status\":\"Failed\","
                              "\"started_at\":\"2026-12-07T09:00:00.250Z\","
                              "\"message\":\"postgis is missing\",\"remediation\":\"CREATE "
                              "EXTENSION postgis;\",\"seconds\":0.25},{\"scope\":\"instance\","
                              "\"name\":\"connect\",\"status\":\"Succeeded\",\"started_at\":null,"
                              "\"message\":\"ok\",\"remediation\":null,\"seconds\":0.0}]");
    struct check_results back = CHECK_RESULTS_INIT;
    char *err = NULL;
    json_t *doc = load(text);
    assert_true(check_results_from_json(doc, &back, &err));
    json_decref(doc);
    char *again = dump(check_results_to_json(&back));
    assert_string_equal(again, text);
    free(again);
    free(text);
    check_results_free(&back);
    check_results_free(&r);
}

static void test_check_strict(void **state)
{
    (void) state;
    static const struct {
        const char *text, *field;
    } bad[] = {
        {"{\"scope\":\"x\",\"name\":\"n\",\"status\":\"Failed\",\"message\":\"m\",\"extra\":1}",
         "extra"},
        {"{\"scope\":1,\"name\":\"n\",\"status\":\"Failed\",\"message\":\"m\"}", "scope"},
        {"{\"scope\":\"x\",\"name\":\"n\",\"status\":\"Broken\",\"message\":\"m\"}", "status"},
        {"{\"scope\":\"x\",\"name\":\"n\",\"status\":\"Failed\",\"message\":\"m\","
         "\"seconds\":\"1\"}",
         "seconds"},
        {"{\"scope\":\"x\",\"status\":\"Failed\",\"message\":\"m\"}", "name"},
        {"{\"scope\":\"x\",\"name\":\"n\",\"status\":\"Failed\",\"message\":\"m\","
         "\"started_at\":\"yesterday\"}",
         "started_at"},
        {"{\"scope\":\"x\",\"name\":\"n\",\"status\":\"Failed\",\"message\":\"m\","
         "\"started_at\":1796634000}",
         "started_at"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct check_results r = CHECK_RESULTS_INIT;
        char *err = NULL;
        json_t *doc = load(bad[i].text);
        assert_false(check_result_from_json(doc, &r, &err));
        assert_names(err, bad[i].field);
        assert_int_equal(r.n, 0);
        json_decref(doc);
    }
    /* a check stored before checks had a start time reads with started 0 */
    struct check_results r = CHECK_RESULTS_INIT;
    char *err = NULL;
    json_t *doc = load("{\"scope\":\"x\",\"name\":\"n\",\"status\":\"Failed\",\"message\":\"m\","
                       "\"remediation\":null,\"seconds\":1.5}");
    if (!check_result_from_json(doc, &r, &err))
        fail_msg("%s", err);
    assert_int_equal(r.n, 1);
    assert_true(r.items[0].started == 0);
    assert_true(r.items[0].seconds == 1.5);
    json_decref(doc);
    check_results_free(&r);
}

static void test_snapshot_round_trip(void **state)
{
    (void) state;
    struct db_progress_snapshot s, back;
    snapshot_with_every_figure(&s);
    char *text = dump(db_progress_snapshot_to_json(&s, SNAPSHOT_JSON_FULL));
    char *err = NULL;
    json_t *doc = load(text);
    assert_true(db_progress_snapshot_from_json(doc, &back, &err));
    json_decref(doc);
    assert_string_equal(back.name, "sales");
    assert_int_equal(back.lag_ms, 1250);
    assert_int_equal(back.applied_lsn, 0x16B374D848ULL);
    assert_string_equal(back.waiting_for, "target");
    assert_int_equal(back.bytes_sent, 5000000000LL);
    assert_int_equal(back.truncates_applied, 2);
    assert_int_equal(back.index_ms, 4321);
    assert_int_equal(back.incoming_bps, 150000);
    assert_int_equal(back.apply_bps, 900000);
    assert_int_equal(back.apply_peak_bps, 1200000);
    assert_int_equal(back.backlog_bytes, 777777);
    char *again = dump(db_progress_snapshot_to_json(&back, SNAPSHOT_JSON_FULL));
    assert_string_equal(again, text);
    assert_non_null(strstr(text, "\"lag_seconds\":1.25"));
    assert_non_null(strstr(text, "\"applied_lsn\":\"16/B374D848\""));
    free(again);
    free(text);
    db_progress_snapshot_free(&back);
    db_progress_snapshot_free(&s);
}

/* The result line's databases: today's fields in today's order, and no more. */
static void test_snapshot_result_forms(void **state)
{
    (void) state;
    struct db_progress_snapshot s;
    snapshot_with_every_figure(&s);
    char *offline = dump(db_progress_snapshot_to_json(&s, SNAPSHOT_JSON_RESULT));
    assert_string_equal(offline,
                        "{\"name\":\"sales\",\"status\":\"Waiting for user action\",\"tables\":10,"
                        "\"rows\":2220000,\"bytes\":1073741824,\"bytes_sent\":5000000000,"
                        "\"large_objects\":3,\"large_object_bytes\":777,\"indexes\":8}");
    char *online = dump(db_progress_snapshot_to_json(&s, SNAPSHOT_JSON_RESULT_ONLINE));
    offline[strlen(offline) - 1] = '\0';
    char want[512];
    snprintf(want, sizeof(want), "%s,\"changes\":42,\"transactions\":7}", offline);
    assert_string_equal(online, want);
    free(online);
    free(offline);
    db_progress_snapshot_free(&s);
}

/* A state written before the rates and truncates were kept reads with them at 0. */
static void test_snapshot_before_rates(void **state)
{
    (void) state;
    struct db_progress_snapshot s;
    char *err = NULL;
    json_t *doc = load("{\"name\":\"a\",\"status\":\"In progress\",\"streaming\":true,"
                       "\"lag_bytes\":5,\"inserts\":3}");
    assert_true(db_progress_snapshot_from_json(doc, &s, &err));
    assert_int_equal(s.inserts_applied, 3);
    assert_int_equal(s.truncates_applied, 0);
    assert_int_equal(s.incoming_bps, 0);
    assert_int_equal(s.apply_peak_bps, 0);
    assert_int_equal(s.backlog_bytes, 0);
    json_decref(doc);
    db_progress_snapshot_free(&s);
}

static void test_snapshot_strict(void **state)
{
    (void) state;
    static const struct {
        const char *text, *field;
    } bad[] = {
        {"{\"name\":\"a\",\"status\":\"Succeeded\",\"rows_copied\":1}", "rows_copied"},
        {"{\"name\":\"a\",\"status\":\"Succeeded\",\"rows\":1.5}", "rows"},
        {"{\"name\":\"a\",\"status\":\"Succeeded\",\"tables\":9999999999}", "tables"},
        {"{\"name\":\"a\",\"status\":\"Succeeded\",\"streaming\":1}", "streaming"},
        {"{\"name\":\"a\",\"status\":\"Succeeded\",\"applied_lsn\":\"16-B3\"}", "applied_lsn"},
        {"{\"name\":\"a\",\"status\":\"Succeeded\",\"waiting_for\":\"moon\"}", "waiting_for"},
        {"{\"name\":\"a\",\"status\":\"Done\"}", "status"},
        {"{\"status\":\"Succeeded\"}", "name"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct db_progress_snapshot s;
        char *err = NULL;
        json_t *doc = load(bad[i].text);
        assert_false(db_progress_snapshot_from_json(doc, &s, &err));
        assert_names(err, bad[i].field);
        assert_null(s.name);
        json_decref(doc);
    }
}

/* Each event's text, read back and written again, is the same text. */
static void test_event_round_trip(void **state)
{
    (void) state;
    static const char *const lines[] = {
        "{\"event\":\"status\",\"time\":\"2026-12-07T05:00:00Z\",\"status\":\"Waiting for user "
        "action\",\"substatus\":\"Waiting for cutover\",\"pid\":4242}",
        "{\"event\":\"status\",\"time\":\"T\",\"database\":\"sales\",\"status\":\"In "
        "progress\",\"substatus\":\"Migrating data\"}",
        "{\"event\":\"table\",\"time\":\"T\",\"database\":\"sales\",\"object\":\"public.orders\","
        "\"rows\":10,\"bytes\":8192,\"seconds\":1.5}",
        "{\"event\":\"large_objects\",\"time\":\"T\",\"database\":\"sales\",\"count\":3,"
        "\"bytes\":99,\"seconds\":0.0}",
        "{\"event\":\"database\",\"time\":\"T\",\"database\":\"sales\",\"status\":\"Succeeded\","
        "\"rows\":10,\"bytes\":8192,\"tables\":1,\"bytes_sent\":9000,\"seconds\":2.0}",
        "{\"event\":\"check\",\"time\":\"T\",\"message\":\"too old\",\"scope\":\"instance\","
        "\"name\":\"version\",\"status\":\"Warning\",\"remediation\":null,\"seconds\":0.5}",
        "{\"event\":\"check\",\"time\":\"T\",\"message\":\"m\",\"scope\":\"sales\",\"name\":"
        "\"extensions\",\"status\":\"Failed\",\"remediation\":\"CREATE EXTENSION x;\","
        "\"seconds\":0.5}",
        "{\"event\":\"error\",\"time\":\"T\",\"database\":\"sales\",\"message\":\"boom\","
        "\"sqlstate\":\"42P01\"}",
        "{\"event\":\"streaming\",\"time\":\"T\",\"database\":\"sales\",\"lag_bytes\":5,"
        "\"lag_seconds\":0.25,\"changes\":6,\"transactions\":2,\"applied_lsn\":\"0/16B3748\","
        "\"source_lsn\":\"1/0\",\"waiting_for\":\"source\"}",
        "{\"event\":\"phase\",\"time\":\"T\",\"database\":\"sales\",\"message\":\"copying\"}",
        "{\"event\":\"table_queued\",\"time\":\"T\",\"database\":\"sales\",\"object\":"
        "\"public.orders\",\"bytes\":8192}",
        "{\"event\":\"table_started\",\"time\":\"T\",\"database\":\"sales\",\"object\":"
        "\"public.orders\",\"bytes\":8192}",
        "{\"event\":\"table_failed\",\"time\":\"T\",\"database\":\"sales\",\"object\":"
        "\"public.orders\",\"message\":\"disk full\",\"sqlstate\":\"53100\"}",
    };
    for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
        json_t *doc = load(lines[i]);
        struct event ev;
        struct event_json_meta meta;
        char *err = NULL;
        if (!event_from_json(doc, &ev, &meta, &err))
            fail_msg("line %zu: %s", i, err);
        char *again = dump(event_to_json(&ev, &meta));
        assert_string_equal(again, lines[i]);
        free(again);
        json_decref(doc);
    }
}

/* What the engine emits comes out with the names and order scripts read. */
static void test_event_fields(void **state)
{
    (void) state;
    struct event_json_meta meta = {.time = "T", .pid = 77};
    struct event ev = {.kind = EV_CHECK,
                       .database = "sales",
                       .object = "extensions",
                       .message = "m",
                       .check_status = CHECK_FAILED,
                       .seconds = 1};
    char *text = dump(event_to_json(&ev, &meta));
    assert_string_equal(text, "{\"event\":\"check\",\"time\":\"T\",\"message\":\"m\",\"scope\":"
                              "\"sales\",\"name\":\"extensions\",\"status\":\"Failed\","
                              "\"remediation\":null,\"seconds\":1.0}");
    free(text);
    ev = (struct event){.kind = EV_STATUS, .status = MIG_IN_PROGRESS, .substatus = SUB_VALIDATING};
    text = dump(event_to_json(&ev, &meta));
    assert_string_equal(text, "{\"event\":\"status\",\"time\":\"T\",\"status\":\"In progress\","
                              "\"substatus\":\"Validation in progress\"}");
    free(text);
    ev = (struct event){.kind = EV_ERROR, .message = "x", .sqlstate = ""};
    text = dump(event_to_json(&ev, &meta));
    assert_string_equal(text, "{\"event\":\"error\",\"time\":\"T\",\"message\":\"x\"}");
    free(text);
}

static void test_event_strict(void **state)
{
    (void) state;
    static const struct {
        const char *text, *field;
    } bad[] = {
        {"{\"event\":\"phase\",\"time\":\"T\",\"rows\":1}", "rows"},
        {"{\"event\":\"table\",\"time\":\"T\",\"count\":1}", "count"},
        {"{\"event\":\"table_queued\",\"time\":\"T\",\"rows\":1}", "rows"},
        {"{\"event\":\"status\",\"time\":\"T\",\"status\":\"Sleeping\"}", "status"},
        {"{\"event\":\"check\",\"time\":\"T\",\"status\":\"Succeeded\",\"database\":\"x\"}",
         "database"},
        {"{\"event\":\"table\",\"time\":\"T\",\"rows\":\"10\"}", "rows"},
        {"{\"event\":\"streaming\",\"time\":\"T\",\"source_lsn\":\"G/0\"}", "source_lsn"},
        {"{\"event\":\"teleport\",\"time\":\"T\"}", "event"},
        {"{\"event\":\"phase\"}", "time"},
        {"{\"event\":\"phase\",\"time\":\"T\",\"message\":null}", "message"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        json_t *doc = load(bad[i].text);
        struct event ev;
        struct event_json_meta meta;
        char *err = NULL;
        assert_false(event_from_json(doc, &ev, &meta, &err));
        assert_names(err, bad[i].field);
        json_decref(doc);
    }
}

static void state_with_everything(struct migration_state *s)
{
    migration_state_init(s);
    s->status = MIG_FAILED;
    s->substatus = SUB_FAILED;
    s->started_wall = 1796000000.25;
    s->finished_wall = 1796000360.75;
    migration_state_fail(s, "sales", "42P01", "relation missing");
    assert_false(migration_state_fail(s, "hr", NULL, "later"));
    assert_true(migration_state_warn(s, "slow disk"));
    assert_false(migration_state_warn(s, "slow disk"));
    struct check_results checks = CHECK_RESULTS_INIT;
    check_results_add(&checks, NULL, "connect", CHECK_SUCCEEDED, 1796000000.5, 0.5, "ok", NULL);
    migration_state_set_checks(s, checks, strdup("On-premises"));
    s->dbs = calloc(2, sizeof(*s->dbs));
    snapshot_with_every_figure(&s->dbs[0]);
    s->ndbs = 1;
}

static void test_state_round_trip(void **state)
{
    (void) state;
    struct migration_state s, back;
    state_with_everything(&s);
    char *text = dump(migration_state_to_json(&s, SNAPSHOT_JSON_FULL));
    char *err = NULL;
    json_t *doc = load(text);
    if (!migration_state_from_json(doc, &back, &err))
        fail_msg("%s", err);
    json_decref(doc);
    assert_string_equal(back.error_database, "sales");
    assert_string_equal(back.error_sqlstate, "42P01");
    assert_int_equal(back.warnings.n, 1);
    assert_int_equal(back.checks.n, 1);
    assert_int_equal(back.ndbs, 1);
    char *again = dump(migration_state_to_json(&back, SNAPSHOT_JSON_FULL));
    assert_string_equal(again, text);
    free(again);
    free(text);
    migration_state_free(&back);
    migration_state_free(&s);
}

/* The "result" line's fields after "event", in today's order. */
static void test_state_result_form(void **state)
{
    (void) state;
    struct migration_state s;
    state_with_everything(&s);
    char *text = dump(migration_state_to_json(&s, SNAPSHOT_JSON_RESULT));
    assert_string_equal(
        text, "{\"status\":\"Failed\",\"substatus\":\"Failed\",\"seconds\":360.5,\"databases\":"
              "[{\"name\":\"sales\",\"status\":\"Waiting for user action\",\"tables\":10,"
              "\"rows\":2220000,\"bytes\":1073741824,\"bytes_sent\":5000000000,"
              "\"large_objects\":3,\"large_object_bytes\":777,\"indexes\":8}],"
              "\"source_type\":\"On-premises\",\"checks\":[{\"scope\":\"instance\",\"name\":"
              "\"connect\",\"status\":\"Succeeded\",\"started_at\":\"2026-11-30T00:53:20.500Z\","
              "\"message\":\"ok\",\"remediation\":null,"
              "\"seconds\":0.5}],\"warnings\":[\"slow disk\"],\"error\":\"relation missing\","
              "\"error_database\":\"sales\",\"sqlstate\":\"42P01\"}");
    free(text);
    migration_state_free(&s);
}

static void test_state_strict(void **state)
{
    (void) state;
    static const struct {
        const char *text, *field;
    } bad[] = {
        {"{\"status\":\"Failed\",\"substatus\":\"Failed\",\"event\":\"result\"}", "event"},
        {"{\"status\":\"Failed\"}", "substatus"},
        {"{\"status\":\"Failed\",\"substatus\":\"Failed\",\"warnings\":[1]}", "warnings"},
        {"{\"status\":\"Failed\",\"substatus\":\"Failed\",\"started\":\"now\"}", "started"},
        {"{\"status\":\"Failed\",\"substatus\":\"Failed\",\"sqlstate\":\"42P01\"}", "sqlstate"},
        {"{\"status\":\"Failed\",\"substatus\":\"Failed\",\"databases\":[{\"name\":\"a\","
         "\"status\":\"Failed\",\"lag\":1}]}",
         "lag"},
        {"{\"status\":\"Failed\",\"substatus\":\"Failed\",\"checks\":[{\"scope\":\"i\","
         "\"name\":\"n\",\"status\":\"Failed\",\"message\":7}]}",
         "message"},
        {"[]", "object"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        json_t *doc = load(bad[i].text);
        struct migration_state s;
        char *err = NULL;
        assert_false(migration_state_from_json(doc, &s, &err));
        assert_names(err, bad[i].field);
        assert_null(s.dbs);
        json_decref(doc);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_check_round_trip),      cmocka_unit_test(test_check_strict),
        cmocka_unit_test(test_snapshot_round_trip),   cmocka_unit_test(test_snapshot_result_forms),
        cmocka_unit_test(test_snapshot_before_rates), cmocka_unit_test(test_snapshot_strict),
        cmocka_unit_test(test_event_round_trip),      cmocka_unit_test(test_event_fields),
        cmocka_unit_test(test_event_strict),          cmocka_unit_test(test_state_round_trip),
        cmocka_unit_test(test_state_result_form),     cmocka_unit_test(test_state_strict),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
