/* Unit tests: conninfo parsing, rewriting and password masking (src/pg/conninfo.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "pg/conninfo.h"

#include <stdbool.h>
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

/*
 * pgconninfo_redact on libpq's own message for each string (what
 * pgconninfo_valid returns) and on the string itself: no secret may remain.
 * Each row: the conninfo, then the strings that must not show (the password,
 * its percent-decoded form, the parts libpq may quote alone).
 */
struct redact_case {
    const char *conninfo;
    const char *secrets[4];
};

static const struct redact_case redact_cases[] = {
    /* the three of issue 12 */
    {"mysql://postgres:secretpw99@127.0.0.1/postgres", {"secretpw99"}},
    {"postgresql://postgres:secretpw99@[::1/postgres", {"secretpw99"}},
    {"postgresql://postgres:secret%zzpw99@127.0.0.1/postgres", {"secret%zzpw99", "secret", "pw99"}},
    /* key=value, unquoted and quoted, with an error after the password */
    {"host=h password=kvsecret42 bogus", {"kvsecret42"}},
    {"host=h password = 'kv quoted\\'42' bogus", {"kv quoted\\'42", "kv quoted'42", "quoted"}},
    {"host=h password='kvunterminated42", {"kvunterminated42"}},
    /* an unquoted space: libpq takes "kvfirst" and quotes "kvsecond42" alone */
    {"host=h password=kvfirst kvsecond42 port=1", {"kvfirst", "kvsecond42"}},
    /* percent-encoded: invalid, valid, %00 */
    {"postgresql://u:p%40ss%zzword@h/db", {"p%40ss%zzword", "p@ss%zzword", "zzword"}},
    {"postgresql://u:p%40ssword7@[h/db", {"p%40ssword7", "p@ssword7", "ssword7"}},
    {"postgresql://u:nul%00word7@h/db", {"nul%00word7"}},
    /* a password as a URI query parameter, also percent-encoded keyword */
    {"postgresql://h/db?sslmode=require&password=qsecret%zz7", {"qsecret%zz7"}},
    {"postgresql://h/db?password=qsecret7&bogus", {"qsecret7"}},
    {"postgresql://h/db?pass%77ord=qsecret8&bogus", {"qsecret8"}},
    /* a password that is also the user name and part of the database name */
    {"postgresql://dbsecret9:dbsecret9@[::1/dbsecret9x", {"dbsecret9"}},
    /* "@" and "/" unencoded in the password */
    {"postgresql://u:at@secret77@h/db?bogus", {"at@secret77", "secret77"}},
    {"postgresql://u:sl/secret77@h/db?bogus", {"sl/secret77", "secret77"}},
};

static void test_redact_table(void **state)
{
    for (size_t i = 0; i < sizeof(redact_cases) / sizeof(redact_cases[0]); i++) {
        const struct redact_case *c = &redact_cases[i];
        char *err = NULL;
        bool valid = pgconninfo_valid(c->conninfo, &err);
        char *self = pgconninfo_redact(c->conninfo, c->conninfo);
        char *hostport = pgconninfo_hostport(c->conninfo);
        for (int k = 0; k < 4 && c->secrets[k]; k++) {
            if ((err && strstr(err, c->secrets[k])) || strstr(self, c->secrets[k]) ||
                strstr(hostport, c->secrets[k]))
                fail_msg("case %zu (%s): \"%s\" shows in [%s] [%s] [%s]", i, c->conninfo,
                         c->secrets[k], err ? err : "(parses)", self, hostport);
        }
        /* libpq's reason stays readable; the mask never gives the length away */
        if (!valid && strstr(err, "connection info string") == NULL && strstr(err, "URI") == NULL &&
            strstr(err, "percent-encoded") == NULL)
            fail_msg("case %zu: libpq's reason lost: %s", i, err);
        if (strstr(self, "*****") == NULL || strstr(self, "******") != NULL)
            fail_msg("case %zu: not masked with exactly five stars: %s", i, self);
        free(err);
        free(self);
        free(hostport);
    }
}

static void test_redact_exact_messages(void **state)
{
    static const struct {
        const char *conninfo, *want;
    } cases[] = {
        {"mysql://postgres:secretpw99@127.0.0.1/db",
         "missing \"=\" after \"mysql://postgres:*****@127.0.0.1/db\" in connection info string"},
        {"postgresql://postgres:secretpw99@[::1/postgres",
         "end of string reached when looking for matching \"]\" in IPv6 host address in URI: "
         "\"postgresql://postgres:*****@[::1/postgres\""},
        {"postgresql://u:secret%zzpw99@h/db", "invalid percent-encoded token: \"*****\""},
        /* an empty password or none: nothing to mask, the message as libpq wrote it */
        {"postgresql://u:@[::1/db", "end of string reached when looking for matching \"]\" in "
                                    "IPv6 host address in URI: \"postgresql://u:@[::1/db\""},
        {"host=h password='' bogus", "missing \"=\" after \"bogus\" in connection info string"},
        {"postgresql://u@[::1/db", "end of string reached when looking for matching \"]\" in "
                                   "IPv6 host address in URI: \"postgresql://u@[::1/db\""},
        {"host=h bogus", "missing \"=\" after \"bogus\" in connection info string"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *err = NULL;
        assert_false(pgconninfo_valid(cases[i].conninfo, &err));
        assert_string_equal(err, cases[i].want);
        free(err);
    }
}

static void test_redact_any_text(void **state)
{
    /* the same length or not, a password becomes five stars */
    char *r = pgconninfo_redact("pw=abcdefghijklmnop!", "postgresql://u:abcdefghijklmnop@h");
    assert_string_equal(r, "pw=*****!");
    free(r);
    r = pgconninfo_redact("[ab] cab", "postgresql://u:ab@h");
    assert_string_equal(r, "[*****] cab"); /* short: only where it stands alone */
    free(r);
    r = pgconninfo_redact("database \"xsecret1x\" and secret1", "host=h password=secret1");
    assert_string_equal(r, "database \"x*****x\" and *****");
    free(r);
    /* a valid percent-encoded password: both forms */
    r = pgconninfo_redact("p%40ss%2Fw0rd p@ss/w0rd", "postgresql://u:p%40ss%2Fw0rd@h/db");
    assert_string_equal(r, "***** *****");
    free(r);
    /* no password, no conninfo, no text */
    r = pgconninfo_redact("host h user u", "host=h user=u");
    assert_string_equal(r, "host h user u");
    free(r);
    r = pgconninfo_redact("text", NULL);
    assert_string_equal(r, "text");
    free(r);
    assert_null(pgconninfo_redact(NULL, "password=x"));
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
        cmocka_unit_test(test_redact_table),
        cmocka_unit_test(test_redact_exact_messages),
        cmocka_unit_test(test_redact_any_text),
        cmocka_unit_test(test_hostport),
        cmocka_unit_test(test_set_dbname_keeps_password),
        cmocka_unit_test(test_split_password),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
