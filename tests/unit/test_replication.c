/*
 * Unit tests: the pure parts of the replication protocol (src/pg/replication.c) —
 * XLogData/keepalive parsing, the 'r' status update bytes, slot names,
 * LSN text, command and option text, the 2000-01-01 clock.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "pg/replication.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void put64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char) (v >> (56 - 8 * i));
}

/* An XLogData message as the server sends it: 'w', dataStart, walEnd, sendTime, payload. */
static size_t make_xlogdata(unsigned char *buf, uint64_t start, uint64_t end, int64_t sent,
                            const char *payload)
{
    buf[0] = 'w';
    put64(buf + 1, start);
    put64(buf + 9, end);
    put64(buf + 17, (uint64_t) sent);
    size_t n = strlen(payload);
    memcpy(buf + 25, payload, n);
    return 25 + n;
}

static void test_parse_xlogdata(void **state)
{
    unsigned char buf[128];
    size_t n = make_xlogdata(buf, UINT64_C(0x16B374D848), UINT64_C(0x16B374D900),
                             INT64_C(812345678901234), "table public.t: INSERT: id[integer]:1");
    struct pgrepl_msg m;
    char err[160] = "";
    assert_true(pgrepl_parse_message((const char *) buf, n, &m, err, sizeof(err)));
    assert_int_equal(m.kind, PGREPL_XLOGDATA);
    assert_true(m.data_start == UINT64_C(0x16B374D848));
    assert_true(m.wal_end == UINT64_C(0x16B374D900));
    assert_true(m.send_time == INT64_C(812345678901234));
    assert_false(m.reply_requested);
    assert_int_equal(m.len, strlen("table public.t: INSERT: id[integer]:1"));
    assert_memory_equal(m.data, "table public.t: INSERT: id[integer]:1", m.len);
    assert_ptr_equal(m.data, (const char *) buf + 25); /* points into the message */

    /* the largest values survive (unsigned LSNs, negative times before 2000) */
    n = make_xlogdata(buf, UINT64_MAX, UINT64_C(0x8000000000000000), -1, "");
    assert_true(pgrepl_parse_message((const char *) buf, n, &m, err, sizeof(err)));
    assert_true(m.data_start == UINT64_MAX);
    assert_true(m.wal_end == UINT64_C(0x8000000000000000));
    assert_true(m.send_time == -1);
    assert_int_equal(m.len, 0); /* an empty payload is allowed */
}

static void test_parse_keepalive(void **state)
{
    unsigned char buf[18] = {'k'};
    put64(buf + 1, UINT64_C(0x100000028));
    put64(buf + 9, (uint64_t) INT64_C(777000000000001));
    buf[17] = 1;
    struct pgrepl_msg m;
    char err[160];
    assert_true(pgrepl_parse_message((const char *) buf, sizeof(buf), &m, err, sizeof(err)));
    assert_int_equal(m.kind, PGREPL_KEEPALIVE);
    assert_true(m.wal_end == UINT64_C(0x100000028));
    assert_true(m.send_time == INT64_C(777000000000001));
    assert_true(m.reply_requested);
    assert_null(m.data);
    assert_int_equal(m.len, 0);

    buf[17] = 0;
    assert_true(pgrepl_parse_message((const char *) buf, sizeof(buf), &m, err, sizeof(err)));
    assert_false(m.reply_requested);
}

/* Every truncation of a valid message is an error with a reason, never a read past the end. */
static void test_parse_truncated(void **state)
{
    unsigned char full[64];
    size_t n = make_xlogdata(full, 1, 2, 3, "x");
    for (size_t len = 0; len < 25; len++) {
        /* a heap copy of exactly len bytes, so ASan catches any overread */
        char *copy = malloc(len ? len : 1);
        memcpy(copy, full, len);
        struct pgrepl_msg m;
        char err[160] = "";
        if (pgrepl_parse_message(copy, len, &m, err, sizeof(err)))
            fail_msg("accepted an XLogData message cut to %zu bytes", len);
        assert_true(err[0] != '\0');
        assert_int_equal(m.kind, PGREPL_NOTHING);
        free(copy);
    }
    (void) n;

    unsigned char ka[19] = {'k'};
    for (size_t len = 1; len <= sizeof(ka); len++) {
        if (len == 18)
            continue;
        char *copy = malloc(len);
        memcpy(copy, ka, len);
        struct pgrepl_msg m;
        char err[160] = "";
        if (pgrepl_parse_message(copy, len, &m, err, sizeof(err)))
            fail_msg("accepted a keepalive of %zu bytes", len);
        assert_non_null(strstr(err, "keepalive"));
        free(copy);
    }

    struct pgrepl_msg m;
    char err[160];
    assert_false(pgrepl_parse_message(NULL, 0, &m, err, sizeof(err)));
    assert_false(pgrepl_parse_message("", 0, &m, err, sizeof(err)));
}

static void test_parse_unknown_type(void **state)
{
    char buf[40] = {'d'};
    struct pgrepl_msg m;
    char err[160];
    assert_false(pgrepl_parse_message(buf, sizeof(buf), &m, err, sizeof(err)));
    assert_non_null(strstr(err, "0x64"));
    buf[0] = 'r'; /* our own message type is not one the server sends */
    assert_false(pgrepl_parse_message(buf, sizeof(buf), &m, err, sizeof(err)));
    /* a tiny error buffer is fine */
    char small[4];
    assert_false(pgrepl_parse_message(buf, sizeof(buf), &m, small, sizeof(small)));
    assert_int_equal(strlen(small), 3);
}

static void test_build_status(void **state)
{
    unsigned char out[PGREPL_STATUS_LEN];
    memset(out, 0xee, sizeof(out));
    pgrepl_build_status(out, UINT64_C(0x0102030405060708), UINT64_C(0x1112131415161718),
                        UINT64_C(0x2122232425262728), INT64_C(0x3132333435363738), true);
    static const unsigned char want[PGREPL_STATUS_LEN] = {
        'r',  0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, /* write */
        0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18,       /* flush */
        0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28,       /* apply */
        0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38,       /* client time */
        0x01,                                                 /* reply requested */
    };
    assert_memory_equal(out, want, sizeof(want));

    pgrepl_build_status(out, 0, UINT64_MAX, 1, -2, false);
    static const unsigned char want2[PGREPL_STATUS_LEN] = {
        'r',  0,    0,    0,    0,    0,    0,    0,    0, /* write */
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,    /* flush */
        0,    0,    0,    0,    0,    0,    0,    1,       /* apply */
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe,    /* client time -2 */
        0,                                                 /* no reply requested */
    };
    assert_memory_equal(out, want2, sizeof(want2));
}

static void test_slot_names(void **state)
{
    const char *good[] = {"a", "pgshuttle_0f3a", "slot_1", "_", "0"};
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
        if (!pgrepl_slot_name_valid(good[i]))
            fail_msg("rejected \"%s\"", good[i]);
    char max[64];
    memset(max, 'a', 63);
    max[63] = '\0';
    assert_true(pgrepl_slot_name_valid(max));
    char too_long[65];
    memset(too_long, 'a', 64);
    too_long[64] = '\0';
    assert_false(pgrepl_slot_name_valid(too_long));

    const char *bad[] = {"",          "Slot",   "slot-1",      "slot 1",
                         "slot;DROP", "slot\"", "sl\xc3\xa9t", "a.b"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        if (pgrepl_slot_name_valid(bad[i]))
            fail_msg("accepted \"%s\"", bad[i]);
    assert_false(pgrepl_slot_name_valid(NULL));
}

static void test_lsn_text(void **state)
{
    struct {
        uint64_t v;
        const char *text;
    } cases[] = {
        {0, "0/0"},
        {UINT64_C(0x16B374D848), "16/B374D848"},
        {UINT64_C(0x100000000), "1/0"},
        {UINT64_MAX, "FFFFFFFF/FFFFFFFF"},
        {UINT64_C(0x1A), "0/1A"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char buf[PGREPL_LSN_BUFSIZE];
        pgrepl_lsn_format(cases[i].v, buf, sizeof(buf));
        assert_string_equal(buf, cases[i].text);
        uint64_t back = 1;
        assert_true(pgrepl_lsn_parse(cases[i].text, &back));
        assert_true(back == cases[i].v);
    }
    uint64_t v = 0;
    assert_true(pgrepl_lsn_parse("0000000a/0000000B", &v)); /* lower case and leading zeros */
    assert_true(v == UINT64_C(0xA0000000B));

    const char *bad[] = {"",     "/",    "0/",   "/0",    "1/2/3", "123456789/0", "0/123456789",
                         " 0/0", "0/0 ", "-1/0", "0x1/0", "g/0",   "16B374D848"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        v = 99;
        if (pgrepl_lsn_parse(bad[i], &v))
            fail_msg("accepted \"%s\"", bad[i]);
        assert_true(v == 99);
    }
    assert_false(pgrepl_lsn_parse(NULL, &v));

    char small[5];
    pgrepl_lsn_format(UINT64_C(0x16B374D848), small, sizeof(small));
    assert_string_equal(small, "16/B");
}

static void test_create_slot_command(void **state)
{
    struct {
        int version;
        const char *want;
    } cases[] = {
        {90424, "CREATE_REPLICATION_SLOT s1 LOGICAL test_decoding"},
        {90624, "CREATE_REPLICATION_SLOT s1 LOGICAL test_decoding"},
        {100023, "CREATE_REPLICATION_SLOT s1 LOGICAL test_decoding EXPORT_SNAPSHOT"},
        {140018, "CREATE_REPLICATION_SLOT s1 LOGICAL test_decoding EXPORT_SNAPSHOT"},
        {150000, "CREATE_REPLICATION_SLOT s1 LOGICAL test_decoding (SNAPSHOT 'export')"},
        {180001, "CREATE_REPLICATION_SLOT s1 LOGICAL test_decoding (SNAPSHOT 'export')"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *cmd = pgrepl_create_slot_command("s1", "test_decoding", cases[i].version);
        assert_non_null(cmd);
        assert_string_equal(cmd, cases[i].want);
        free(cmd);
    }
    assert_null(pgrepl_create_slot_command("Bad", "pgoutput", 150000));
    assert_null(pgrepl_create_slot_command("s; DROP", "pgoutput", 150000));
    assert_null(pgrepl_create_slot_command("s1", "pg output", 150000));
    assert_null(pgrepl_create_slot_command(NULL, "pgoutput", 150000));
}

static void test_start_command(void **state)
{
    char *cmd = pgrepl_start_command("s1", UINT64_C(0x16B374D848), NULL);
    assert_string_equal(cmd, "START_REPLICATION SLOT s1 LOGICAL 16/B374D848");
    free(cmd);
    cmd = pgrepl_start_command("s1", 0, "");
    assert_string_equal(cmd, "START_REPLICATION SLOT s1 LOGICAL 0/0");
    free(cmd);
    cmd = pgrepl_start_command("s1", 0, "(\"proto_version\" '1', \"publication_names\" 'p')");
    assert_string_equal(cmd, "START_REPLICATION SLOT s1 LOGICAL 0/0 (\"proto_version\" '1', "
                             "\"publication_names\" 'p')");
    free(cmd);
    assert_null(pgrepl_start_command("S1", 0, NULL));
}

static void test_options_text(void **state)
{
    const char *names[] = {"proto_version", "publication_names", "include-xids", "we\"ird"};
    const char *values[] = {"1", "pub_a,it's", NULL, "a''b"};
    char *s = pgrepl_options_text(names, values, 4);
    assert_string_equal(s, "(\"proto_version\" '1', \"publication_names\" 'pub_a,it''s', "
                           "\"include-xids\", \"we\"\"ird\" 'a''''b')");
    free(s);
    s = pgrepl_options_text(names, values, 1);
    assert_string_equal(s, "(\"proto_version\" '1')");
    free(s);
    s = pgrepl_options_text(names, NULL, 2); /* no values at all */
    assert_string_equal(s, "(\"proto_version\", \"publication_names\")");
    free(s);
    s = pgrepl_options_text(NULL, NULL, 0);
    assert_string_equal(s, "");
    free(s);
}

static void test_time(void **state)
{
    /* 2000-01-01 00:00:00 UTC is 0; one day later is 86400 s */
    assert_true(pgrepl_time_from_unix_us(INT64_C(946684800) * 1000000) == 0);
    assert_true(pgrepl_time_to_unix_us(INT64_C(86400000000)) == INT64_C(946771200) * 1000000);
    assert_true(pgrepl_time_to_unix_us(pgrepl_time_from_unix_us(123456789)) == 123456789);
    int64_t now = pgrepl_now();
    int64_t unix_now = (int64_t) time(NULL);
    int64_t diff = pgrepl_time_to_unix_us(now) / 1000000 - unix_now;
    assert_true(diff >= -2 && diff <= 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_xlogdata),
        cmocka_unit_test(test_parse_keepalive),
        cmocka_unit_test(test_parse_truncated),
        cmocka_unit_test(test_parse_unknown_type),
        cmocka_unit_test(test_build_status),
        cmocka_unit_test(test_slot_names),
        cmocka_unit_test(test_lsn_text),
        cmocka_unit_test(test_create_slot_command),
        cmocka_unit_test(test_start_command),
        cmocka_unit_test(test_options_text),
        cmocka_unit_test(test_time),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
