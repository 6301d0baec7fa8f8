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
    assert_true(progress_eta(0, 100, 0) < 0); /* no rate yet */
    assert_true(progress_eta(10, 0, 5) < 0);  /* no total */
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
    rate_meter_sample(&m, 12.0, 400); /* 300/s over 1 s, weighted 1/4 */
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

static void test_format_count(void **state)
{
    char out[48];
    progress_format_count(0, out, sizeof(out));
    assert_string_equal(out, "0");
    progress_format_count(999, out, sizeof(out));
    assert_string_equal(out, "999");
    progress_format_count(1000, out, sizeof(out));
    assert_string_equal(out, "1,000");
    progress_format_count(1234567, out, sizeof(out));
    assert_string_equal(out, "1,234,567");
    progress_format_count(-1234, out, sizeof(out));
    assert_string_equal(out, "-1,234");
}

static void test_bytes_done(void **state)
{
    (void) state;
    struct db_progress *p = db_progress_new("db");
    atomic_store(&p->bytes_total, 1000);
    atomic_store(&p->bytes_copied, 400);
    atomic_store(&p->bytes_streaming, 100);
    assert_int_equal(db_progress_bytes_done(p), 500);
    /* COPY bytes of a part in flight can exceed its size (TOAST is sent uncompressed) */
    atomic_store(&p->bytes_streaming, 5000);
    assert_int_equal(db_progress_bytes_done(p), 1000);
    /* once nothing is in flight the figure is exactly what was copied */
    atomic_store(&p->bytes_streaming, 0);
    atomic_store(&p->bytes_copied, 1000);
    assert_int_equal(db_progress_bytes_done(p), 1000);
    db_progress_free(p);
}

static void test_lag_history(void **state)
{
    (void) state;
    struct lag_history h = {0};
    /* nothing sampled: no lag */
    assert_true(lag_history_age(&h, 0, 100.0) == 0.0);
    /* the slot at 1000 at t=100, the source at 2000 at t=110 */
    lag_history_add(&h, 1000, 100.0);
    lag_history_add(&h, 2000, 110.0);
    /* nothing applied past the slot: the oldest WAL not applied was written at t=100 */
    assert_true(fabs(lag_history_age(&h, 1000, 112.0) - 12.0) < 1e-9);
    /* half way: the source was there at t=105 */
    assert_true(fabs(lag_history_age(&h, 1500, 112.0) - 7.0) < 1e-9);
    /* everything reached: 0, and the history keeps only its newest sample */
    assert_true(lag_history_age(&h, 2000, 112.0) == 0.0);
    assert_int_equal(h.n, 1);
    /* an idle source: the same position later moves the sample's time, so the next WAL is
       not taken for an hour old */
    lag_history_add(&h, 2000, 3700.0);
    lag_history_add(&h, 2100, 3701.0);
    assert_true(lag_history_age(&h, 2000, 3701.0) <= 1.0 + 1e-9);
    /* a position going back (never happens) is ignored */
    lag_history_add(&h, 1500, 3702.0);
    assert_int_equal(h.n, 2);
}

static void test_lag_history_full(void **state)
{
    (void) state;
    struct lag_history h = {0};
    for (int i = 0; i < 3 * LAG_HISTORY_SAMPLES; i++)
        lag_history_add(&h, 1000 + (uint64_t) i * 10, (double) i);
    assert_int_equal(h.n, LAG_HISTORY_SAMPLES);
    /* the oldest sample stays: a backlog from the start keeps its age */
    assert_true(fabs(lag_history_age(&h, 1000, 200.0) - 200.0) < 1e-9);
    /* and a recent position is still interpolated exactly */
    uint64_t recent = 1000 + (uint64_t) (3 * LAG_HISTORY_SAMPLES - 3) * 10;
    assert_true(fabs(lag_history_age(&h, recent, 200.0) - (200.0 - (3 * LAG_HISTORY_SAMPLES - 3))) <
                1e-9);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fraction),           cmocka_unit_test(test_eta),
        cmocka_unit_test(test_rate_meter_smooths), cmocka_unit_test(test_queued_tables),
        cmocka_unit_test(test_formatting),         cmocka_unit_test(test_format_count),
        cmocka_unit_test(test_bytes_done),         cmocka_unit_test(test_lag_history),
        cmocka_unit_test(test_lag_history_full),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
