/*
 * Unit tests: text values into binary array parameters (src/cdc/apply_binary.c)
 * and PostgreSQL's ISO dates and timestamps (src/util/pgtime.c). The expected
 * bytes are what a PostgreSQL 15 server's date_send, timestamp_send,
 * timestamptz_send and array_send return for the same values.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "cdc/apply_binary.h"
#include "util/pgtime.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

static void check_date(const char *text, uint32_t expected)
{
    int32_t days = 0;
    assert_true(pgtime_parse_date(text, strlen(text), &days));
    assert_int_equal((uint32_t) days, expected);
}

static void check_ts(const char *text, bool tz, uint64_t expected)
{
    int64_t us = 0;
    if (!pgtime_parse_timestamp(text, strlen(text), tz, &us))
        fail_msg("refused: %s", text);
    assert_int_equal((uint64_t) us, expected);
}

static void test_dates(void **state)
{
    check_date("2000-01-01", 0);
    check_date("1999-12-31", 0xffffffff);
    check_date("4714-11-24 BC", 0xffda97a7);
    check_date("0001-01-01 BC", 0xfff4da8b);
    check_date("10000-01-01", 0x002c95d4);
}

static void test_timestamps(void **state)
{
    check_ts("2000-01-01 00:00:00", false, 0);
    check_ts("0001-02-29 00:00:00 BC", false, 0xff1fcadffc544000);
    check_ts("294276-12-31 23:59:59.999999", false, 0x7fffff5bb3b29fff);
    check_ts("1969-12-31 23:59:59.000001", false, 0xfffca2fec4b8ddc1);
    check_ts("1900-01-01 00:00:00-03:00:30", true, 0xfff4c9f101902f80);
    check_ts("2000-01-01 05:30:00+05:30", true, 0);
    check_ts("2000-01-01 00:00:00.5+00", true, 500000);
    check_ts("2000-01-01 00:00:00.000001-01", true, 3600000001);
}

static void test_refused(void **state)
{
    static const char *dates[] = {"infinity",      "-infinity",           "2000-1-01",
                                  "200-01-01",     "2001-02-29",          "0000-01-01",
                                  "4715-01-01 BC", "2000-13-01",          "2000-01-01 ",
                                  "2000-01-01 AD", "2000-01-01 00:00:00", ""};
    for (size_t i = 0; i < sizeof(dates) / sizeof(*dates); i++) {
        int32_t d;
        if (pgtime_parse_date(dates[i], strlen(dates[i]), &d))
            fail_msg("accepted date: %s", dates[i]);
    }
    static const char *stamps[] = {"infinity",
                                   "2000-01-01 24:00:00",
                                   "2000-01-01 00:60:00",
                                   "2000-01-01 00:00:60",
                                   "2000-01-01 00:00:00.",
                                   "2000-01-01 00:00:00.1234567",
                                   "2000-01-01T00:00:00",
                                   "294277-01-01 00:00:00",
                                   "2000-01-01 00:00"};
    for (size_t i = 0; i < sizeof(stamps) / sizeof(*stamps); i++) {
        int64_t us;
        if (pgtime_parse_timestamp(stamps[i], strlen(stamps[i]), false, &us))
            fail_msg("accepted timestamp: %s", stamps[i]);
    }
    int64_t us;
    /* an offset is required for timestamptz, and refused for timestamp */
    assert_false(pgtime_parse_timestamp("2000-01-01 00:00:00", 19, true, &us));
    assert_false(pgtime_parse_timestamp("2000-01-01 00:00:00+00", 22, false, &us));
    assert_false(pgtime_parse_timestamp("2000-01-01 00:00:00+0", 21, true, &us));
    assert_false(pgtime_parse_timestamp("2000-01-01 00:00:00+00:60", 25, true, &us));
    assert_false(pgtime_parse_timestamp("2000-01-01 00:00:00 BC+00", 25, true, &us));
    /* only the given length is read */
    assert_true(pgtime_parse_timestamp("2000-01-01 00:00:00+00)", 22, true, &us));
}

static void check_array(uint32_t typoid, const char *const *values, int n, const char *hex)
{
    strbuf out = STRBUF_INIT;
    sb_append(&out, "x");
    assert_true(cdc_bin_array(&out, typoid, values, n));
    char got[1024] = "";
    for (size_t i = 1; i < out.len && 2 * i < sizeof(got); i++)
        snprintf(got + 2 * (i - 1), 3, "%02x", (unsigned char) out.data[i]);
    assert_string_equal(got, hex);
    sb_free(&out);
}

static void test_arrays(void **state)
{
    check_array(23, (const char *[]){"1", NULL, "-2"}, 3,
                "00000001000000010000001700000003000000010000000400000001ffffffff00000004fffff"
                "ffe");
    check_array(1042, (const char *[]){"ab"}, 1,
                "0000000100000000000004120000000100000001000000026162");
    check_array(16, (const char *[]){"t", "f"}, 2,
                "000000010000000000000010000000020000000100000001010000000100");
    check_array(21, (const char *[]){"-32768"}, 1,
                "0000000100000000000000150000000100000001000000028000");
    check_array(20, (const char *[]){"-9223372036854775808"}, 1,
                "0000000100000000000000140000000100000001000000088000000000000000");
    check_array(26, (const char *[]){"4294967295"}, 1,
                "00000001000000000000001a000000010000000100000004ffffffff");
    check_array(1082, (const char *[]){"1999-12-31"}, 1,
                "00000001000000000000043a000000010000000100000004ffffffff");
}

static void test_arrays_refused(void **state)
{
    static const struct {
        uint32_t typoid;
        const char *value;
    } bad[] = {
        {23, "2147483648"},
        {23, "-2147483649"},
        {23, "+1"},
        {23, "01"},
        {23, "-0"},
        {23, ""},
        {23, "1 "},
        {21, "32768"},
        {20, "9223372036854775808"},
        {26, "-1"},
        {26, "4294967296"},
        {16, "true"},
        {16, ""},
        {1082, "infinity"},
        {1114, "-infinity"},
        {1184, "2000-01-01 00:00:00"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
        strbuf out = STRBUF_INIT;
        sb_append(&out, "kept");
        const char *values[] = {"1", bad[i].value};
        if (bad[i].typoid == 16)
            values[0] = "t";
        else if (bad[i].typoid >= 1082)
            values[0] = NULL;
        if (cdc_bin_array(&out, bad[i].typoid, values, 2))
            fail_msg("type %u accepted '%s'", bad[i].typoid, bad[i].value);
        assert_string_equal(out.data, "kept");
        sb_free(&out);
    }
    /* types without a binary form here */
    strbuf out = STRBUF_INIT;
    assert_false(cdc_bin_supported(1700)); /* numeric */
    assert_false(cdc_bin_array(&out, 1700, (const char *[]){"1"}, 1));
    assert_true(cdc_bin_supported(1184));
    sb_free(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dates),          cmocka_unit_test(test_timestamps),
        cmocka_unit_test(test_refused),        cmocka_unit_test(test_arrays),
        cmocka_unit_test(test_arrays_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
