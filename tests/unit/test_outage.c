/* Unit tests: --reconnect-timeout's durations (model/migration.c) and outages (pg/outage.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "model/migration.h"
#include "pg/outage.h"

static void test_durations(void **state)
{
    (void) state;
    double s = -1;
    assert_true(migration_duration_parse("30s", &s));
    assert_true(s == 30);
    assert_true(migration_duration_parse("10min", &s));
    assert_true(s == 600);
    assert_true(migration_duration_parse("1h", &s));
    assert_true(s == 3600);
    assert_true(migration_duration_parse("2.5", &s));
    assert_true(s == 2.5);
    assert_true(migration_duration_parse("0", &s));
    assert_true(s == 0);
    assert_true(migration_duration_parse("500ms", &s));
    assert_true(s > 0.49 && s < 0.51);
    assert_false(migration_duration_parse("", &s));
    assert_false(migration_duration_parse("-1s", &s));
    assert_false(migration_duration_parse("3x", &s));
    assert_false(migration_duration_parse("min", &s));
}

static void test_connection_lost_sqlstates(void **state)
{
    (void) state;
    assert_true(pg_sqlstate_connection_lost("08006"));
    assert_true(pg_sqlstate_connection_lost("08003"));
    assert_true(pg_sqlstate_connection_lost("57P01"));
    assert_true(pg_sqlstate_connection_lost("57P02"));
    assert_true(pg_sqlstate_connection_lost("57P03"));
    assert_false(pg_sqlstate_connection_lost("57014")); /* canceled: not lost */
    assert_false(pg_sqlstate_connection_lost("23505"));
    assert_false(pg_sqlstate_connection_lost(""));
    assert_false(pg_sqlstate_connection_lost(NULL));
}

static void test_outage_gives_up_at_the_timeout(void **state)
{
    (void) state;
    struct pg_outage o;
    pg_outage_init(&o, "target", "host=127.0.0.1 port=5999 password=secret", "apply db=x", 0.3);
    assert_null(strstr(o.what, "secret"));
    assert_non_null(strstr(o.what, "127.0.0.1:5999"));
    pg_outage_begin(&o, "server closed the connection unexpectedly\n");
    assert_true(o.down);
    assert_string_equal(o.reason, "server closed the connection unexpectedly");
    pg_outage_begin(&o, "connection refused\n\tIs the server running?\n");
    assert_string_equal(o.reason, "connection refused Is the server running?");
    /* The first attempt waits for the backoff (0.5 s), past the 0.3 s timeout: it gives up. */
    assert_false(pg_outage_wait(&o, NULL));
    assert_false(o.down);
    assert_true(o.gave_up_after >= 0.3);
    pg_outage_free(&o);

    pg_outage_init(&o, "source", "host=h port=1", "source db=x", 10);
    pg_outage_begin(&o, "gone");
    assert_true(pg_outage_wait(&o, NULL));
    assert_int_equal(o.attempts, 1);
    assert_false(pg_outage_due(&o)); /* the next one is 1 s later */
    pg_outage_end(&o);
    assert_false(o.down);
    pg_outage_free(&o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_durations),
        cmocka_unit_test(test_connection_lost_sqlstates),
        cmocka_unit_test(test_outage_gives_up_at_the_timeout),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
