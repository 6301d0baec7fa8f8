/* Unit tests: progress arithmetic (src/model/progress.c) and time formatting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "model/progress.h"
#include "util/timeutil.h"

#include <math.h>

static void test_fraction(void **state)
{
    assert_true(progress_fraction(0, 0) == 0.0);
    assert_true(progress_fraction(50, 100) == 0.5);
    assert_true(progress_fraction(150, 100) == 1.0); /* estimates can be exceeded */
    assert_true(progress_fraction(-1, 100) == 0.0);
}

static void test_eta(void **state)
{
    assert_true(progress_eta(0, 100, 0) < 0);   /* no rate yet */
    assert_true(progress_eta(10, 0, 5) < 0);    /* no total */
    assert_true(fabs(progress_eta(40, 100, 20) - 3.0) < 1e-9);
    assert_true(progress_eta(120, 100, 20) == 0.0);
}

static void test_rate_meter_smooths(void **state)
{
    struct rate_meter m = {0};
    rate_meter_sample(&m, 10.0, 0);
    assert_true(m.rate == 0);
    rate_meter_sample(&m, 11.0, 100);
    assert_true(fabs(m.rate - 100.0) < 1e-9); /* first interval sets the rate */
    rate_meter_sample(&m, 11.1, 1000);        /* too short an interval: ignored */
    assert_true(fabs(m.rate - 100.0) < 1e-9);
    rate_meter_sample(&m, 12.0, 400);          /* 300/s over 1 s, weighted 1/4 */
    assert_true(fabs(m.rate - 150.0) < 1e-9);
}

static void test_queued_tables(void **state)
{
    struct db_progress *p = db_progress_new("db");
    atomic_store(&p->tables_total, 10);
    atomic_store(&p->tables_copying, 2);
    atomic_store(&p->tables_copied, 5);
    atomic_store(&p->tables_failed, 1);
    assert_int_equal(db_progress_tables_queued(p), 2);
    assert_string_equal(p->name, "db");
    db_progress_free(p);
}

static void test_formatting(void **state)
{
    char buf[32];
    progress_format_bytes(512, buf, sizeof(buf));
    assert_string_equal(buf, "512 B");
    progress_format_bytes(1536, buf, sizeof(buf));
    assert_string_equal(buf, "1.5 kB");
    progress_format_bytes(3LL * 1024 * 1024 * 1024, buf, sizeof(buf));
    assert_string_equal(buf, "3.0 GB");
    time_format_duration(4.25, buf, sizeof(buf));
    assert_string_equal(buf, "4.2s");
    time_format_duration(245, buf, sizeof(buf));
    assert_string_equal(buf, "4m05s");
    time_format_duration(7380, buf, sizeof(buf));
    assert_string_equal(buf, "2h03m");
    time_format_duration(-1, buf, sizeof(buf));
    assert_string_equal(buf, "-");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fraction),          cmocka_unit_test(test_eta),
        cmocka_unit_test(test_rate_meter_smooths), cmocka_unit_test(test_queued_tables),
        cmocka_unit_test(test_formatting),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
