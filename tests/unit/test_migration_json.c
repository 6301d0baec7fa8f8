/*
 * Unit tests: a spec as JSON (src/model/migration_json.c): the exact round
 * trip, strict reading (unknown field, wrong type, bad value, missing
 * required field), and no password in the masked form.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "model/migration_json.h"
#include "pg/conninfo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A spec with every field away from its default. */
static void full_spec(struct migration_spec *s)
{
    migration_spec_init(s);
    char *err = NULL;
    static const struct {
        enum spec_field field;
        const char *value;
    } values[] = {
        {SPEC_F_NAME, "sales2026"},
        {SPEC_F_SOURCE, "postgresql://admin:s3cr%40t@old-db:5432/postgres"},
        {SPEC_F_TARGET, "host=new-db user=admin password='hunter 2'"},
        {SPEC_F_MODE, "online"},
        {SPEC_F_TYPE, "migrate"},
        {SPEC_F_SOURCE_TYPE, "AWS Aurora"},
        {SPEC_F_KEEP_FAILED, "true"},
        {SPEC_F_JOBS, "7"},
        {SPEC_F_INDEX_JOBS, "3"},
        {SPEC_F_SPLIT, "-1"},
        {SPEC_F_MAINTENANCE_WORK_MEM, "3GB"},
        {SPEC_F_TOAST_COMPRESSION, "pglz"},
        {SPEC_F_PLUGIN, "pgoutput"},
        {SPEC_F_PUBLICATION, "all_tables"},
        {SPEC_F_CUTOVER, "auto"},
        {SPEC_F_RESUME, "true"},
        {SPEC_F_REPLICA_IDENTITY_FULL, "true"},
        {SPEC_F_RECONNECT_TIMEOUT, "0.1"},
    };
    for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++)
        assert_true(
            migration_spec_set(s, values[i].field, values[i].value, SPEC_NAMING_OPTION, &err));
    s->window_start = 1796634000; /* 2026-12-07T09:00:00Z */
    sl_push(&s->databases, "sales");
    sl_push(&s->databases, "in\"ventory, \u00e9t\u00e9");
}

static void assert_same_string(const char *a, const char *b)
{
    if (a == NULL || b == NULL)
        assert_ptr_equal(a, b);
    else
        assert_string_equal(a, b);
}

static void assert_same_spec(const struct migration_spec *a, const struct migration_spec *b)
{
    assert_same_string(a->name, b->name);
    assert_same_string(a->source, b->source);
    assert_same_string(a->target, b->target);
    assert_int_equal(a->databases.n, b->databases.n);
    for (size_t i = 0; i < a->databases.n; i++)
        assert_string_equal(a->databases.items[i], b->databases.items[i]);
    assert_int_equal(a->mode, b->mode);
    assert_int_equal(a->type, b->type);
    assert_same_string(a->source_type, b->source_type);
    assert_int_equal(a->overwrite, b->overwrite);
    assert_int_equal(a->keep_failed, b->keep_failed);
    assert_int_equal(a->jobs, b->jobs);
    assert_int_equal(a->index_jobs, b->index_jobs);
    assert_int_equal(a->split_bytes, b->split_bytes);
    assert_same_string(a->maintenance_work_mem, b->maintenance_work_mem);
    assert_same_string(a->toast_compression, b->toast_compression);
    assert_same_string(a->plugin, b->plugin);
    assert_same_string(a->publication, b->publication);
    assert_int_equal(a->cutover_auto, b->cutover_auto);
    assert_int_equal(a->resume, b->resume);
    assert_int_equal(a->replica_identity_full, b->replica_identity_full);
    assert_memory_equal(&a->reconnect_timeout, &b->reconnect_timeout, sizeof(double));
    assert_memory_equal(&a->window_start, &b->window_start, sizeof(double));
}

/* spec -> JSON text -> spec. */
static void round_trip(const struct migration_spec *s)
{
    json_t *doc = migration_spec_to_json(s, SPEC_JSON_WITH_SECRETS, NULL);
    char *text = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    struct migration_spec back;
    char *err = NULL;
    bool ok = migration_spec_from_json_text(text, &back, &err);
    if (!ok)
        fail_msg("%s: %s", text, err);
    assert_same_spec(s, &back);
    free(text);
    migration_spec_free(&back);
}

static void test_round_trip_every_field(void **state)
{
    (void) state;
    struct migration_spec s;
    full_spec(&s);
    round_trip(&s);
    migration_spec_free(&s);
}

static void test_round_trip_defaults(void **state)
{
    (void) state;
    struct migration_spec s;
    migration_spec_init(&s);
    s.source = strdup("host=a");
    s.target = strdup("host=b");
    sl_push(&s.databases, "db");
    round_trip(&s); /* no name, no plugin, no publication */
    migration_spec_free(&s);
}

static void test_names_and_words(void **state)
{
    (void) state;
    struct migration_spec s;
    full_spec(&s);
    json_t *doc = migration_spec_to_json(&s, SPEC_JSON_WITH_SECRETS, NULL);
    assert_string_equal(json_string_value(json_object_get(doc, "name")), "sales2026");
    json_t *p = json_object_get(doc, "properties");
    assert_string_equal(json_string_value(json_object_get(p, "migrationMode")), "Online");
    assert_string_equal(json_string_value(json_object_get(p, "migrationOption")), "Migrate");
    assert_string_equal(json_string_value(json_object_get(p, "sourceType")), "AWS_AURORA");
    assert_true(json_is_false(json_object_get(p, "overwriteDbsInTarget")));
    assert_int_equal(json_array_size(json_object_get(p, "dbsToMigrate")), 2);
    assert_true(json_is_true(json_object_get(p, "autoCutover")));
    assert_int_equal(json_integer_value(json_object_get(p, "splitTablesLargerThan")), -1);
    assert_string_equal(json_string_value(json_object_get(p, "maintenanceWorkMem")), "3145728kB");
    assert_string_equal(json_string_value(json_object_get(p, "migrationWindowStartTimeInUtc")),
                        "2026-12-07T09:00:00Z");
    assert_int_equal(json_object_size(p), 20);
    json_decref(doc);
    migration_spec_free(&s);
}

static void test_masked_has_no_password(void **state)
{
    (void) state;
    struct migration_spec s;
    full_spec(&s);
    json_t *doc = migration_spec_to_json(&s, SPEC_JSON_MASKED, pgconninfo_mask);
    char *text = json_dumps(doc, 0);
    assert_null(strstr(text, "s3cr"));
    assert_null(strstr(text, "hunter"));
    assert_non_null(strstr(text, "*****"));
    assert_non_null(strstr(text, "old-db"));
    free(text);
    json_decref(doc);
    doc = migration_spec_to_json(&s, SPEC_JSON_MASKED, NULL);
    text = json_dumps(doc, 0);
    assert_null(strstr(text, "s3cr"));
    assert_null(strstr(text, "hunter"));
    free(text);
    json_decref(doc);
    migration_spec_free(&s);
}

/* Reading text fails with exactly message. */
static void expect_refused(const char *text, const char *message)
{
    struct migration_spec s;
    char *err = NULL;
    assert_false(migration_spec_from_json_text(text, &s, &err));
    assert_non_null(err);
    assert_string_equal(err, message);
    free(err);
}

/* Reading text fails with a message that starts with prefix (jansson gives the column). */
static void expect_not_json(const char *text, const char *prefix)
{
    struct migration_spec s;
    char *err = NULL;
    assert_false(migration_spec_from_json_text(text, &s, &err));
    assert_int_equal(strncmp(err, prefix, strlen(prefix)), 0);
    assert_null(strstr(err, "pw"));
    free(err);
}

#define SERVERS "\"sourceServer\":\"host=a password=pw\",\"targetServer\":\"host=b\""
#define VALID   SERVERS ",\"dbsToMigrate\":[\"db\"]"

static void test_strict_reading(void **state)
{
    (void) state;
    struct migration_spec s;
    char *err = NULL;
    assert_true(migration_spec_from_json_text("{\"properties\":{" VALID "}}", &s, &err));
    migration_spec_free(&s);

    /* unknown fields */
    expect_refused("{\"properties\":{" VALID ",\"migrationMod\":\"Online\"}}",
                   "unknown field \"properties.migrationMod\"");
    expect_refused("{\"nom\":\"x\",\"properties\":{" VALID "}}", "unknown field \"nom\"");
    /* wrong types */
    expect_refused("{\"properties\":{" VALID ",\"jobs\":\"8\"}}", "jobs must be an integer");
    expect_refused("{\"properties\":{" VALID ",\"overwriteDbsInTarget\":1}}",
                   "overwriteDbsInTarget must be true or false");
    expect_refused("{\"properties\":{" SERVERS ",\"dbsToMigrate\":\"db\"}}",
                   "dbsToMigrate must be an array of strings");
    expect_refused("{\"properties\":{" SERVERS ",\"dbsToMigrate\":[1]}}",
                   "dbsToMigrate must be an array of strings");
    expect_refused("{\"properties\":{" VALID ",\"migrationMode\":null}}",
                   "migrationMode must be a string");
    expect_refused("{\"properties\":{" VALID ",\"publication\":7}}",
                   "publication must be a string or null");
    expect_refused("{\"properties\":{" VALID ",\"reconnectTimeout\":true}}",
                   "reconnectTimeout must be a number of seconds or a duration such as \"10min\"");
    expect_refused("{\"name\":1,\"properties\":{" VALID "}}", "name must be a string");
    expect_refused("{\"properties\":[]}", "properties must be an object");
    expect_refused("[]", "a migration must be a JSON object");
    /* bad values: the rules' messages */
    expect_refused("{\"properties\":{" VALID ",\"jobs\":0}}",
                   "jobs must be a number from 1 to 256");
    expect_refused("{\"properties\":{" VALID ",\"migrationOption\":\"validate\"}}",
                   "migrationOption must be ValidateAndMigrate, Migrate or Validate");
    expect_refused("{\"properties\":{" VALID ",\"sourceType\":\"On-premises\"}}",
                   "unknown sourceType \"On-premises\"");
    expect_refused("{\"properties\":{" VALID ",\"splitTablesLargerThan\":\"1TB\"}}",
                   "splitTablesLargerThan takes a size, e.g. 256MB");
    expect_refused("{\"properties\":{" VALID ",\"reconnectTimeout\":-1}}",
                   "reconnectTimeout takes a duration, e.g. 30s, 10min, 1h, or seconds (0 = do "
                   "not retry)");
    expect_refused("{\"properties\":{" VALID ",\"resume\":true}}",
                   "resume is for migrationMode Online only");
    expect_refused("{\"properties\":{" SERVERS ",\"dbsToMigrate\":[\"a\",\"a\"]}}",
                   "database \"a\" is named twice (dbsToMigrate)");
    /* missing required fields */
    expect_refused("{}", "properties is required");
    expect_refused("{\"properties\":{\"targetServer\":\"host=b\",\"dbsToMigrate\":[\"d\"]}}",
                   "sourceServer is required");
    expect_refused("{\"properties\":{" SERVERS "}}",
                   "dbsToMigrate is required (one or more names)");
    /* not JSON, a key twice: no quote of the text, which may hold a password */
    expect_not_json("{\"properties\":{\"sourceServer\":\"password=pw\\q\"}}",
                    "not valid JSON: invalid escape (line 1, column ");
    expect_not_json("{\"properties\":{" VALID ",\"jobs\":2,\"jobs\":3}}",
                    "not valid JSON: duplicate object key (line 1, column ");
}

static void test_json_words_accepted(void **state)
{
    (void) state;
    struct migration_spec s;
    char *err = NULL;
    assert_true(migration_spec_from_json_text(
        "{\"properties\":{" VALID ",\"migrationMode\":\"Online\",\"migrationOption\":\"Validate\","
        "\"sourceType\":\"OnPremises\",\"splitTablesLargerThan\":\"256MB\","
        "\"reconnectTimeout\":\"10min\",\"autoCutover\":true,\"decodingPlugin\":null}}",
        &s, &err));
    assert_int_equal(s.mode, MODE_ONLINE);
    assert_int_equal(s.type, TYPE_VALIDATE);
    assert_string_equal(s.source_type, "On-premises");
    assert_int_equal(s.split_bytes, 256LL * 1024 * 1024);
    assert_true(s.reconnect_timeout == 600.0);
    assert_true(s.cutover_auto);
    assert_null(s.plugin);
    migration_spec_free(&s);
}

static void test_window(void **state)
{
    (void) state;
    struct migration_spec s;
    char *err = NULL;
    assert_true(migration_spec_from_json_text(
        "{\"properties\":{" VALID ",\"migrationWindowStartTimeInUtc\":\"2026-12-07T09:00:00Z\"}}",
        &s, &err));
    assert_true(s.window_start == 1796634000.0);
    migration_spec_free(&s);
    assert_true(migration_spec_from_json_text(
        "{\"properties\":{" VALID ",\"migrationWindowStartTimeInUtc\":null}}", &s, &err));
    assert_true(s.window_start == 0);
    migration_spec_free(&s);
    static const char *const bad[] = {
        "\"2026-12-07 09:00:00Z\"",
        "\"2026-12-07T09:00:00\"",
        "\"2026-12-07T09:00:00+01:00\"",
        "\"2026-02-30T09:00:00Z\"",
        "\"tomorrow\"",
        "1796634000",
        "true",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char text[256];
        snprintf(text, sizeof(text),
                 "{\"properties\":{" VALID ",\"migrationWindowStartTimeInUtc\":%s}}", bad[i]);
        expect_refused(text, "migrationWindowStartTimeInUtc must be a UTC time such as "
                             "\"2026-12-07T09:00:00Z\", or null");
    }
}

static void test_name_rule(void **state)
{
    (void) state;
    static const char *const good[] = {
        "a", "sales2026", "sales-2026-b",
        "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabc"};
    static const char *const bad[] = {
        "",
        "2sales",
        "Sales",
        "sales_2026",
        "\"sales\"",
        "../x",
        "caf\u00e9",
        "a;drop table",
        "a b",
        "-a",
        "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcd"};
    char *err = NULL;
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
        assert_true(migration_name_check(good[i], &err));
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_false(migration_name_check(bad[i], &err));
        assert_non_null(strstr(err, "name"));
        free(err);
        err = NULL;
    }
    assert_false(migration_name_check(NULL, &err));
    free(err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip_every_field),
        cmocka_unit_test(test_round_trip_defaults),
        cmocka_unit_test(test_names_and_words),
        cmocka_unit_test(test_masked_has_no_password),
        cmocka_unit_test(test_strict_reading),
        cmocka_unit_test(test_json_words_accepted),
        cmocka_unit_test(test_window),
        cmocka_unit_test(test_name_rule),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
