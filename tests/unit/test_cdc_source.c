/*
 * Unit tests (src/cdc/source.c): the stream's name (stable, distinct, a valid
 * slot name); the replica identities to restore, as kept in a comment.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "cdc/source.h"
#include "pg/replication.h"
#include "util/buf.h"

#include <stdlib.h>
#include <string.h>

static void test_name_is_a_valid_slot_name(void **state)
{
    (void) state;
    const char *dbs[] = {"postgres", "pgs \"odd\" db", "Ünïcødé", "", "select"};
    for (size_t i = 0; i < sizeof(dbs) / sizeof(dbs[0]); i++) {
        char *n = cdc_stream_name(dbs[i], "127.0.0.1:5432");
        assert_true(pgrepl_slot_name_valid(n));
        assert_int_equal(strlen(n), strlen("pgshuttle_") + 16);
        assert_memory_equal(n, "pgshuttle_", 10);
        /* the insert-only publication's name fits NAMEDATALEN too */
        assert_true(strlen(n) + strlen(CDC_INSERT_ONLY_SUFFIX) <= PGREPL_NAME_MAX);
        free(n);
    }
}

static void test_name_is_stable_and_distinct(void **state)
{
    (void) state;
    char *a = cdc_stream_name("sales", "127.0.0.1:5432");
    char *b = cdc_stream_name("sales", "127.0.0.1:5432");
    char *c = cdc_stream_name("sales", "127.0.0.1:5433");
    char *d = cdc_stream_name("sale", "s127.0.0.1:5432"); /* same bytes, other split */
    char *e = cdc_stream_name("sales", NULL);
    assert_string_equal(a, b);
    assert_string_not_equal(a, c);
    assert_string_not_equal(a, d);
    assert_string_not_equal(a, e);
    /* the same input gives the same name on every machine: a resumed run finds its slot */
    assert_string_equal(a, "pgshuttle_"
                           "7c7a5e4e1127fc46");
    free(a);
    free(b);
    free(c);
    free(d);
    free(e);
}

static void test_identities_comment(void **state)
{
    (void) state;
    strlist undo = STRLIST_INIT;
    /* Ours: every well-formed entry, in order. */
    assert_true(cdc_identities_parse(
        "pgshuttle: replica identities to restore: 16384=d 4294967295=n", &undo));
    assert_int_equal(undo.n, 2);
    assert_string_equal(undo.items[0], "16384=d");
    assert_string_equal(undo.items[1], "4294967295=n");
    sl_free(&undo);
    /* Ours, with entries that are not: skipped, never run. */
    assert_true(cdc_identities_parse("pgshuttle: replica identities to restore: 0=d 12=f x=d "
                                     "-5=d 4294967296=n 7=dd =n 99= 42=n",
                                     &undo));
    assert_int_equal(undo.n, 1);
    assert_string_equal(undo.items[0], "42=n");
    sl_free(&undo);
    /* Ours with nothing to restore. */
    assert_true(cdc_identities_parse("pgshuttle: replica identities to restore:", &undo));
    assert_int_equal(undo.n, 0);
    /* Somebody else's comment, or none. */
    assert_false(cdc_identities_parse("my publication; 16384=d", &undo));
    assert_false(cdc_identities_parse(NULL, &undo));
    assert_false(cdc_identities_parse("", &undo));
    assert_int_equal(undo.n, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_name_is_a_valid_slot_name),
        cmocka_unit_test(test_name_is_stable_and_distinct),
        cmocka_unit_test(test_identities_comment),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
