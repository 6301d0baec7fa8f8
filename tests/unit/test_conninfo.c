/* Unit tests: conninfo parsing, rewriting and password masking (src/pg/conninfo.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "pg/conninfo.h"

#include <stdlib.h>
#include <string.h>

static void test_mask_uri_password(void **state)
{
    char *m = pgconninfo_mask("postgresql://alice:s3cr3t@db.example:6543/sales?sslmode=require");
    assert_non_null(m);
    assert_null(strstr(m, "s3cr3t"));
    assert_non_null(strstr(m, "password='*****'"));
    assert_non_null(strstr(m, "user='alice'"));
    assert_non_null(strstr(m, "host='db.example'"));
    assert_non_null(strstr(m, "port='6543'"));
    assert_non_null(strstr(m, "sslmode='require'"));
    free(m);
}

static void test_mask_keyword_password_with_quotes(void **state)
{
    char *m = pgconninfo_mask("host=h user=bob password='it''s \\'odd\\' pw' dbname=x");
    assert_non_null(m);
    assert_null(strstr(m, "odd"));
    assert_null(strstr(m, "it"));
    free(m);
}

static void test_mask_invalid_never_echoes(void **state)
{
    char *m = pgconninfo_mask("host=h password=topsecret bogus");
    assert_string_equal(m, "(invalid connection string)");
    free(m);
}

static void test_valid_reports_reason_without_password(void **state)
{
    char *err = NULL;
    assert_false(pgconninfo_valid("postgresql://u:hunter2@h/db?bogus=1", &err));
    assert_non_null(err);
    assert_null(strstr(err, "hunter2"));
    free(err);
    assert_true(pgconninfo_valid("host=127.0.0.1 port=5432", NULL));
}

static void test_hostport(void **state)
{
    char *hp = pgconninfo_hostport("postgresql://u@10.1.2.3:5433/db");
    assert_string_equal(hp, "10.1.2.3:5433");
    free(hp);
    unsetenv("PGHOST");
    unsetenv("PGPORT");
    hp = pgconninfo_hostport("dbname=x");
    assert_string_equal(hp, "localhost:5432");
    free(hp);
}

static void test_set_dbname_keeps_password(void **state)
{
    char *c = pgconninfo_set("postgresql://u:pw@h:1/postgres", "dbname", "my db's");
    assert_non_null(c);
    char *db = pgconninfo_get(c, "dbname");
    assert_string_equal(db, "my db's");
    char *pw = pgconninfo_get(c, "password");
    assert_string_equal(pw, "pw");
    free(db);
    free(pw);
    free(c);
}

static void test_split_password(void **state)
{
    char *without = NULL, *pw = NULL;
    assert_true(pgconninfo_split_password("host=h user=u password=abc dbname=d", &without, &pw));
    assert_string_equal(pw, "abc");
    assert_null(strstr(without, "abc"));
    assert_null(strstr(without, "password"));
    free(without);
    free(pw);
    assert_true(pgconninfo_split_password("host=h", &without, &pw));
    assert_null(pw);
    free(without);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mask_uri_password),
        cmocka_unit_test(test_mask_keyword_password_with_quotes),
        cmocka_unit_test(test_mask_invalid_never_echoes),
        cmocka_unit_test(test_valid_reports_reason_without_password),
        cmocka_unit_test(test_hostport),
        cmocka_unit_test(test_set_dbname_keeps_password),
        cmocka_unit_test(test_split_password),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
