/* Unit tests: the database to connect through for DROP/CREATE DATABASE (src/pg/maintdb.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "pg/conninfo.h"
#include "pg/maintdb.h"

#include <stdlib.h>
#include <string.h>

static void check_through(const char *conninfo, const char *db, const char *want)
{
    char *got = pgmaint_db_for(conninfo, db);
    if (strcmp(got, want) != 0)
        fail_msg("%s, database %s: through %s, expected %s", conninfo, db, got, want);
    free(got);
}

static void test_configured_database(void **state)
{
    char *d = pgmaint_configured_db("host=h port=1");
    assert_string_equal(d, "postgres");
    free(d);
    d = pgmaint_configured_db("postgresql://u@h:5/admin%20db");
    assert_string_equal(d, "admin db");
    free(d);
}

static void test_another_database_is_dropped_through_the_configured_one(void **state)
{
    check_through("host=h", "sales", "postgres");
    check_through("host=h dbname=admin", "sales", "admin");
    check_through("host=h dbname=admin", "postgres", "admin");
    check_through("postgresql://u@h/postgres", "template1", "postgres");
}

static void test_the_configured_database_itself(void **state)
{
    check_through("host=h", "postgres", "template1");
    check_through("host=h dbname=postgres", "postgres", "template1");
    check_through("host=h dbname=sales", "sales", "postgres");
    check_through("postgresql://u@h/a%2Cb", "a,b", "postgres");
}

static void test_conninfo(void **state)
{
    char *ci = pgmaint_conninfo_for("host=h user=u dbname=postgres", "postgres");
    char *db = pgconninfo_get(ci, "dbname"), *user = pgconninfo_get(ci, "user");
    assert_string_equal(db, "template1");
    assert_string_equal(user, "u");
    free(db);
    free(user);
    free(ci);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_configured_database),
        cmocka_unit_test(test_another_database_is_dropped_through_the_configured_one),
        cmocka_unit_test(test_the_configured_database_itself),
        cmocka_unit_test(test_conninfo),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
