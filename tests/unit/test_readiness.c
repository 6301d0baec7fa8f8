/* Unit tests: the time until ready for cutover (src/model/readiness.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "model/readiness.h"

#include <math.h>

#define NOW 1000.0
#define MB  (1000 * 1000)

static bool near(double a, double b)
{
    return fabs(a - b) < 1e-6 * (fabs(b) + 1);
}

/* A database streaming with lag bytes left, the source writing incoming and the target applying. */
static struct db_progress_snapshot streaming_db(int64_t lag, int64_t incoming, int64_t apply)
{
    return (struct db_progress_snapshot){.status = MIG_IN_PROGRESS,
                                         .started_ms = 100000,
                                         .planned = true,
                                         .streaming = true,
                                         .lag_bytes = lag,
                                         .incoming_bps = incoming,
                                         .apply_bps = apply,
                                         .apply_peak_bps = apply};
}

/* A database 100 s into its copy of total bytes, done of them copied. */
static struct db_progress_snapshot copying_db(int64_t done, int64_t total)
{
    return (struct db_progress_snapshot){.status = MIG_IN_PROGRESS,
                                         .started_ms = (int64_t) ((NOW - 100.0) * 1000.0),
                                         .planned = true,
                                         .bytes_copied = done,
                                         .bytes_total = total};
}

static void test_streaming_shrinks(void **state)
{
    (void) state;
    struct db_progress_snapshot d = streaming_db(30 * MB, 1 * MB, 4 * MB);
    struct readiness_db r;
    double all = readiness_estimate(&d, 1, NOW, &r);
    assert_true(r.known);
    assert_true(near(r.eta_seconds, 10.0)); /* 30 MB at 3 MB/s net */
    assert_true(r.trend_known);
    assert_true(near(r.trend_bps, -3.0 * MB));
    assert_true(near(all, 10.0));
}

static void test_streaming_not_converging(void **state)
{
    (void) state;
    struct db_progress_snapshot d = streaming_db(30 * MB, 4 * MB, 3 * MB);
    struct readiness_db r;
    assert_true(readiness_estimate(&d, 1, NOW, &r) < 0);
    assert_false(r.known);
    assert_true(r.trend_known);
    assert_true(near(r.trend_bps, 1.0 * MB)); /* growing by 1 MB/s */
}

static void test_caught_up(void **state)
{
    (void) state;
    struct db_progress_snapshot d = streaming_db(2000, 1 * MB, 1 * MB);
    d.caught_up = true;
    struct readiness_db r;
    assert_true(near(readiness_estimate(&d, 1, NOW, &r), 0));
    assert_true(r.known);
    assert_true(near(r.eta_seconds, 0));
}

/* Before any stream was measured: the apply rate is a fraction of the copy's. */
static void test_copying_first_database(void **state)
{
    (void) state;
    struct db_progress_snapshot d = copying_db(500 * MB, 1000 * MB); /* 5 MB/s: 100 s left */
    d.incoming_bps = MB / 10;
    d.backlog_bytes = 10 * MB;
    struct readiness_db r;
    double all = readiness_estimate(&d, 1, NOW, &r);
    double apply = READINESS_APPLY_PER_COPY_BYTE * 5.0 * MB;
    double backlog = 10.0 * MB + 0.1 * MB * 100.0;
    double want = 100.0 + backlog / (apply - 0.1 * MB);
    assert_true(r.known);
    assert_true(near(r.eta_seconds, want));
    assert_false(r.trend_known); /* nothing applies yet */
    assert_true(near(all, want));
}

/* Indexes still to build at the average time of those built; an earlier stream's apply rate. */
static void test_copying_after_a_stream(void **state)
{
    (void) state;
    struct db_progress_snapshot d[2] = {streaming_db(0, MB, MB), copying_db(500 * MB, 1000 * MB)};
    d[0].caught_up = true;
    d[0].apply_peak_bps = 3 * MB; /* what it applied while it caught up */
    d[1].incoming_bps = MB;
    d[1].backlog_bytes = 0;
    d[1].indexes_total = 4;
    d[1].indexes_built = 2;
    d[1].index_ms = 10000; /* 5 s each: 10 s left */
    struct readiness_db r[2];
    double all = readiness_estimate(d, 2, NOW, r);
    double copy_end = 100.0 + 10.0;
    double want = copy_end + (1.0 * MB * copy_end) / (3.0 * MB - 1.0 * MB);
    assert_true(r[0].known && near(r[0].eta_seconds, 0));
    assert_true(r[1].known);
    assert_true(near(r[1].eta_seconds, want));
    assert_true(near(all, want));
}

/* Databases queued behind the copy: unknown until their size is known, then one after another. */
static void test_queued(void **state)
{
    (void) state;
    struct db_progress_snapshot d[2] = {copying_db(500 * MB, 1000 * MB),
                                        {.status = MIG_IN_PROGRESS}};
    struct readiness_db r[2];
    assert_true(readiness_estimate(d, 2, NOW, r) < 0);
    assert_true(r[0].known);
    assert_false(r[1].known);

    d[1].bytes_total = 250 * MB; /* 50 s at 5 MB/s after the 100 s left of the first */
    double all = readiness_estimate(d, 2, NOW, r);
    assert_true(r[1].known);
    assert_true(near(r[1].eta_seconds, 150.0)); /* nothing incoming: no catch-up */
    assert_true(near(all, 150.0));
}

/* Unknown: a copy not planned yet; ended databases do not count; none left, unknown. */
static void test_unknown_and_ended(void **state)
{
    (void) state;
    struct db_progress_snapshot d[2] = {copying_db(0, 0), streaming_db(0, MB, MB)};
    d[0].planned = false;
    d[1].status = MIG_SUCCEEDED;
    struct readiness_db r[2];
    assert_true(readiness_estimate(d, 2, NOW, r) < 0);
    assert_false(r[0].known);
    assert_false(r[1].known); /* cut over: no figure */
    d[0].status = MIG_CANCELED;
    assert_true(readiness_estimate(d, 2, NOW, r) < 0);
    /* A copy whose incoming rate the guessed apply rate cannot beat does not converge. */
    struct db_progress_snapshot c = copying_db(500 * MB, 1000 * MB);
    c.incoming_bps = 5 * MB;
    assert_true(readiness_estimate(&c, 1, NOW, r) < 0);
    assert_false(r[0].known);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_streaming_shrinks),
        cmocka_unit_test(test_streaming_not_converging),
        cmocka_unit_test(test_caught_up),
        cmocka_unit_test(test_copying_first_database),
        cmocka_unit_test(test_copying_after_a_stream),
        cmocka_unit_test(test_queued),
        cmocka_unit_test(test_unknown_and_ended),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
