/* Unit tests: the stream's pure helpers — START_REPLICATION options and lost-slot errors (src/cdc/stream.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "cdc/pgoutput.h"
#include "cdc/stream.h"
#include "cdc/test_decoding.h"

#include <stdlib.h>
#include <string.h>

static void expect_options(enum cdc_plugin plugin, const char *pubs, const char *want)
{
    char *got = cdc_stream_start_options(plugin, pubs);
    if (want == NULL) {
        if (got)
            fail_msg("options for \"%s\": got %s, expected none", pubs ? pubs : "(null)", got);
        return;
    }
    assert_non_null(got);
    assert_string_equal(got, want);
    free(got);
}

static void test_pgoutput_options(void **state)
{
    /* One name: exactly what the decoder's own helper builds. */
    char *one = cdc_pgoutput_start_options("pgs_pub");
    expect_options(CDC_PLUGIN_PGOUTPUT, "pgs_pub", one);
    expect_options(CDC_PLUGIN_PGOUTPUT, " pgs_pub ", one);
    free(one);
    expect_options(CDC_PLUGIN_PGOUTPUT, "pgs_pub",
                   "(\"proto_version\" '1', \"publication_names\" 'pgs_pub')");
    /* Several: each an identifier, joined with commas. */
    expect_options(CDC_PLUGIN_PGOUTPUT, "p1,p1_ins",
                   "(\"proto_version\" '1', \"publication_names\" 'p1,p1_ins')");
    expect_options(CDC_PLUGIN_PGOUTPUT, "Odd Pub, it's",
                   "(\"proto_version\" '1', \"publication_names\" '\"Odd Pub\",\"it''s\"')");
    expect_options(CDC_PLUGIN_PGOUTPUT, "p, ,q,", /* empty items dropped */
                   "(\"proto_version\" '1', \"publication_names\" 'p,q')");
    /* No publication: no options (the stream fails before START_REPLICATION). */
    expect_options(CDC_PLUGIN_PGOUTPUT, NULL, NULL);
    expect_options(CDC_PLUGIN_PGOUTPUT, "", NULL);
    expect_options(CDC_PLUGIN_PGOUTPUT, " , ", NULL);
}

static void test_test_decoding_options(void **state)
{
    expect_options(CDC_PLUGIN_TEST_DECODING, NULL, cdc_testdec_start_options());
    expect_options(CDC_PLUGIN_TEST_DECODING, "ignored", cdc_testdec_start_options());
}

static void test_slot_lost(void **state)
{
    static const char *const lost[] = {
        /* 13-15, START_REPLICATION of an invalidated slot */
        "cannot read from logical replication slot \"pgs\" | DETAIL: This slot has been "
        "invalidated because it exceeded the maximum reserved size.",
        /* 16+ */
        "can no longer get changes from replication slot \"pgs\" | DETAIL: This slot has been "
        "invalidated because it exceeded the maximum reserved size.",
        "requested WAL segment 000000010000000000000003 has already been removed",
    };
    static const char *const other[] = {
        "replication slot \"pgs\" does not exist",
        "replication slot \"pgs\" is active for PID 1234",
        "terminating connection due to administrator command",
        "could not receive data from server: Connection reset by peer",
        "",
    };
    for (size_t i = 0; i < sizeof(lost) / sizeof(lost[0]); i++)
        if (!cdc_stream_slot_lost(lost[i]))
            fail_msg("not seen as a lost slot: %s", lost[i]);
    for (size_t i = 0; i < sizeof(other) / sizeof(other[0]); i++)
        if (cdc_stream_slot_lost(other[i]))
            fail_msg("taken for a lost slot: %s", other[i]);
    assert_false(cdc_stream_slot_lost(NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pgoutput_options),
        cmocka_unit_test(test_test_decoding_options),
        cmocka_unit_test(test_slot_lost),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
