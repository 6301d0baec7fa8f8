/*
 * Unit tests: the rules of a migration spec (src/model/migration.c), each
 * with a good and a bad value and the exact message, for the command line's
 * names and the API's.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "model/migration.h"

#include <stdlib.h>
#include <string.h>

static const struct {
    enum spec_field field;
    enum spec_naming naming;
    const char *good, *bad, *message;
} rules[] = {
    {SPEC_F_MODE, SPEC_NAMING_OPTION, "online", "sideways", "--mode must be offline or online"},
    {SPEC_F_MODE, SPEC_NAMING_JSON, "Online", "sideways",
     "migrationMode must be Offline or Online"},
    {SPEC_F_TYPE, SPEC_NAMING_OPTION, "validate", "ValidateAndMigrate",
     "--type must be validate-and-migrate, migrate or validate"},
    {SPEC_F_TYPE, SPEC_NAMING_JSON, "ValidateAndMigrate", "validate-and-migrate",
     "migrationOption must be ValidateAndMigrate, Migrate or Validate"},
    {SPEC_F_SOURCE_TYPE, SPEC_NAMING_OPTION, "AWS RDS", "AWS_RDS",
     "unknown --source-type \"AWS_RDS\""},
    {SPEC_F_SOURCE_TYPE, SPEC_NAMING_JSON, "AWS_RDS", "AWS RDS", "unknown sourceType \"AWS RDS\""},
    {SPEC_F_JOBS, SPEC_NAMING_OPTION, "256", "257", "--jobs must be a number from 1 to 256"},
    {SPEC_F_JOBS, SPEC_NAMING_OPTION, "1", "0", "--jobs must be a number from 1 to 256"},
    {SPEC_F_JOBS, SPEC_NAMING_JSON, "8", "8x", "jobs must be a number from 1 to 256"},
    {SPEC_F_INDEX_JOBS, SPEC_NAMING_OPTION, "4", "", "--index-jobs must be a number from 1 to 256"},
    {SPEC_F_INDEX_JOBS, SPEC_NAMING_JSON, "4", "-1", "indexJobs must be a number from 1 to 256"},
    {SPEC_F_SPLIT, SPEC_NAMING_OPTION, "256MB", "256XB",
     "--split-tables-larger-than takes a size, e.g. 256MB"},
    {SPEC_F_SPLIT, SPEC_NAMING_JSON, "-1", "big", "splitTablesLargerThan takes a size, e.g. 256MB"},
    {SPEC_F_MAINTENANCE_WORK_MEM, SPEC_NAMING_OPTION, "1MB", "1023kB",
     "--maintenance-work-mem takes a size of at least 1MB"},
    {SPEC_F_MAINTENANCE_WORK_MEM, SPEC_NAMING_JSON, "2GB", "lots",
     "maintenanceWorkMem takes a size of at least 1MB"},
    {SPEC_F_TOAST_COMPRESSION, SPEC_NAMING_OPTION, "pglz", "zstd",
     "--toast-compression must be lz4, pglz or server"},
    {SPEC_F_TOAST_COMPRESSION, SPEC_NAMING_JSON, "server", "LZ4",
     "toastCompression must be lz4, pglz or server"},
    {SPEC_F_PLUGIN, SPEC_NAMING_OPTION, "test_decoding", "wal2json",
     "--plugin must be pgoutput or test_decoding"},
    {SPEC_F_PLUGIN, SPEC_NAMING_JSON, "pgoutput", "",
     "decodingPlugin must be pgoutput or test_decoding"},
    {SPEC_F_PUBLICATION, SPEC_NAMING_OPTION, "pub", "",
     "--publication takes the name of a publication (at most 63 bytes)"},
    {SPEC_F_PUBLICATION, SPEC_NAMING_JSON,
     "p23456789012345678901234567890123456789012345678901234567890123",
     "p234567890123456789012345678901234567890123456789012345678901234",
     "publication takes the name of a publication (at most 63 bytes)"},
    {SPEC_F_CUTOVER, SPEC_NAMING_OPTION, "auto", "now", "--cutover must be auto or signal"},
    {SPEC_F_RECONNECT_TIMEOUT, SPEC_NAMING_OPTION, "10min", "10 years",
     "--reconnect-timeout takes a duration, e.g. 30s, 10min, 1h, or seconds (0 = do not retry)"},
    {SPEC_F_RECONNECT_TIMEOUT, SPEC_NAMING_JSON, "0", "-5",
     "reconnectTimeout takes a duration, e.g. 30s, 10min, 1h, or seconds (0 = do not retry)"},
    {SPEC_F_OVERWRITE, SPEC_NAMING_JSON, "true", "yes",
     "overwriteDbsInTarget must be true or false"},
    {SPEC_F_KEEP_FAILED, SPEC_NAMING_JSON, "false", "1",
     "keepFailedDbsInTarget must be true or false"},
    {SPEC_F_RESUME, SPEC_NAMING_OPTION, "true", "on", "--resume must be true or false"},
    {SPEC_F_REPLICA_IDENTITY_FULL, SPEC_NAMING_JSON, "true", "TRUE",
     "replicaIdentityFull must be true or false"},
};

static void test_every_rule_good_and_bad(void **state)
{
    (void) state;
    for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
        struct migration_spec s;
        migration_spec_init(&s);
        char *err = NULL;
        assert_true(migration_spec_set(&s, rules[i].field, rules[i].good, rules[i].naming, &err));
        assert_null(err);
        assert_false(migration_spec_set(&s, rules[i].field, rules[i].bad, rules[i].naming, &err));
        assert_non_null(err);
        assert_string_equal(err, rules[i].message);
        free(err);
        migration_spec_free(&s);
    }
}

static void test_values_as_stored(void **state)
{
    (void) state;
    struct migration_spec s;
    migration_spec_init(&s);
    char *err = NULL;
    assert_string_equal(s.maintenance_work_mem, "524288kB");
    assert_true(
        migration_spec_set(&s, SPEC_F_MAINTENANCE_WORK_MEM, "2GB", SPEC_NAMING_OPTION, &err));
    assert_string_equal(s.maintenance_work_mem, "2097152kB");
    assert_true(migration_spec_set(&s, SPEC_F_SPLIT, "256MB", SPEC_NAMING_OPTION, &err));
    assert_int_equal(s.split_bytes, 256LL * 1024 * 1024);
    assert_true(migration_spec_set(&s, SPEC_F_RECONNECT_TIMEOUT, "1h", SPEC_NAMING_OPTION, &err));
    assert_true(s.reconnect_timeout == 3600.0);
    assert_true(migration_spec_set(&s, SPEC_F_SOURCE_TYPE, "GCP_AlloyDB", SPEC_NAMING_JSON, &err));
    assert_string_equal(s.source_type, "Google AlloyDB");
    assert_true(migration_spec_set(&s, SPEC_F_TYPE, "Migrate", SPEC_NAMING_JSON, &err));
    assert_int_equal(s.type, TYPE_MIGRATE);
    assert_true(
        migration_spec_set(&s, SPEC_F_TYPE, "validate-and-migrate", SPEC_NAMING_OPTION, &err));
    assert_int_equal(s.type, TYPE_VALIDATE_AND_MIGRATE);
    assert_true(migration_spec_set(&s, SPEC_F_CUTOVER, "auto", SPEC_NAMING_OPTION, &err));
    assert_true(s.cutover_auto);
    assert_true(migration_spec_set(&s, SPEC_F_CUTOVER, "signal", SPEC_NAMING_OPTION, &err));
    assert_false(s.cutover_auto);
    /* a refused value leaves the field as it was */
    assert_false(migration_spec_set(&s, SPEC_F_JOBS, "0", SPEC_NAMING_OPTION, &err));
    free(err);
    assert_true(s.jobs >= 1);
    migration_spec_free(&s);
}

/* A spec that passes migration_spec_check(). */
static void valid_spec(struct migration_spec *s)
{
    migration_spec_init(s);
    s->source = strdup("host=src password=hunter2");
    s->target = strdup("host=dst");
    sl_push(&s->databases, "sales");
}

static void expect_rule(const struct migration_spec *s, enum spec_naming naming,
                        const char *message)
{
    char *err = NULL;
    if (message == NULL) {
        assert_true(migration_spec_check(s, naming, &err));
        return;
    }
    assert_false(migration_spec_check(s, naming, &err));
    assert_string_equal(err, message);
    assert_null(strstr(err, "hunter2"));
    free(err);
}

static void test_required_fields(void **state)
{
    (void) state;
    struct migration_spec s;
    valid_spec(&s);
    expect_rule(&s, SPEC_NAMING_OPTION, NULL);
    free(s.source);
    s.source = NULL;
    expect_rule(&s, SPEC_NAMING_OPTION, "--source is required");
    expect_rule(&s, SPEC_NAMING_JSON, "sourceServer is required");
    s.source = strdup("host=src");
    free(s.target);
    s.target = NULL;
    expect_rule(&s, SPEC_NAMING_OPTION, "--target is required");
    expect_rule(&s, SPEC_NAMING_JSON, "targetServer is required");
    s.target = strdup("host=dst");
    sl_free(&s.databases);
    expect_rule(&s, SPEC_NAMING_OPTION,
                "--databases is required (one or more names, comma-separated), or --database "
                "NAME (repeatable)");
    expect_rule(&s, SPEC_NAMING_JSON, "dbsToMigrate is required (one or more names)");
    migration_spec_free(&s);
}

static void test_database_names(void **state)
{
    (void) state;
    struct migration_spec s;
    valid_spec(&s);
    sl_push(&s.databases, "template0");
    expect_rule(&s, SPEC_NAMING_OPTION,
                "database \"template0\" cannot be migrated: it is the pristine template that "
                "every server has of its own (it accepts no connections, and CREATE DATABASE "
                "copies it); leave it out");
    sl_free(&s.databases);
    sl_push(&s.databases, "a");
    sl_push(&s.databases, "b");
    sl_push(&s.databases, "a");
    expect_rule(&s, SPEC_NAMING_OPTION, "database \"a\" is named twice (--databases, --database)");
    expect_rule(&s, SPEC_NAMING_JSON, "database \"a\" is named twice (dbsToMigrate)");
    sl_free(&s.databases);
    sl_push(&s.databases, "");
    expect_rule(&s, SPEC_NAMING_JSON, "dbsToMigrate: a database name cannot be empty");
    sl_free(&s.databases);
    sl_push(&s.databases, "template1");
    expect_rule(&s, SPEC_NAMING_OPTION, NULL);
    migration_spec_free(&s);
}

static void test_online_only(void **state)
{
    (void) state;
    static const struct {
        enum spec_field field;
        const char *value, *option_message, *json_message;
    } online_only[] = {
        {SPEC_F_RESUME, "true", "--resume is for --mode online only",
         "resume is for migrationMode Online only"},
        {SPEC_F_PLUGIN, "pgoutput", "--plugin is for --mode online only",
         "decodingPlugin is for migrationMode Online only"},
        {SPEC_F_PUBLICATION, "pub", "--publication is for --mode online only",
         "publication is for migrationMode Online only"},
        {SPEC_F_REPLICA_IDENTITY_FULL, "true", "--replica-identity-full is for --mode online only",
         "replicaIdentityFull is for migrationMode Online only"},
    };
    for (size_t i = 0; i < sizeof(online_only) / sizeof(online_only[0]); i++) {
        struct migration_spec s;
        valid_spec(&s);
        char *err = NULL;
        assert_true(migration_spec_set(&s, online_only[i].field, online_only[i].value,
                                       SPEC_NAMING_OPTION, &err));
        expect_rule(&s, SPEC_NAMING_OPTION, online_only[i].option_message);
        expect_rule(&s, SPEC_NAMING_JSON, online_only[i].json_message);
        s.mode = MODE_ONLINE;
        expect_rule(&s, SPEC_NAMING_OPTION, NULL);
        migration_spec_free(&s);
    }
}

static void test_publication_with_test_decoding(void **state)
{
    (void) state;
    struct migration_spec s;
    valid_spec(&s);
    s.mode = MODE_ONLINE;
    s.publication = strdup("pub");
    expect_rule(&s, SPEC_NAMING_OPTION, NULL);
    s.plugin = strdup("test_decoding");
    expect_rule(&s, SPEC_NAMING_OPTION,
                "--publication is for pgoutput: test_decoding streams without a publication");
    expect_rule(&s, SPEC_NAMING_JSON,
                "publication is for pgoutput: test_decoding streams without a publication");
    migration_spec_free(&s);
}

static void test_resume_with_overwrite(void **state)
{
    (void) state;
    struct migration_spec s;
    valid_spec(&s);
    s.mode = MODE_ONLINE;
    s.resume = true;
    expect_rule(&s, SPEC_NAMING_OPTION, NULL);
    s.overwrite = true;
    expect_rule(&s, SPEC_NAMING_OPTION,
                "--resume continues an interrupted migration into its target databases; it "
                "cannot be combined with --overwrite");
    expect_rule(&s, SPEC_NAMING_JSON,
                "resume continues an interrupted migration into its target databases; it "
                "cannot be combined with overwriteDbsInTarget");
    migration_spec_free(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_rule_good_and_bad),
        cmocka_unit_test(test_values_as_stored),
        cmocka_unit_test(test_required_fields),
        cmocka_unit_test(test_database_names),
        cmocka_unit_test(test_online_only),
        cmocka_unit_test(test_publication_with_test_decoding),
        cmocka_unit_test(test_resume_with_overwrite),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
