/* Unit tests: the change model's helpers — freeing, kind names, LSN text (src/cdc/change.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "cdc/change.h"
#include "util/mem.h"

#include <stdint.h>
#include <string.h>

static bool is_zero(const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i])
            return false;
    return true;
}

static void fill_tuple(struct cdc_tuple *t, int n, bool names)
{
    t->ncols = n;
    t->values = xcalloc((size_t) n, sizeof(*t->values));
    if (names) {
        t->names = xcalloc((size_t) n, sizeof(char *));
        t->types = xcalloc((size_t) n, sizeof(char *));
    }
    for (int i = 0; i < n; i++) {
        if (i % 3 == 0) {
            t->values[i].kind = CDC_VALUE_TEXT;
            t->values[i].data = xstrdup("value");
            t->values[i].len = 5;
        } else {
            t->values[i].kind = i % 3 == 1 ? CDC_VALUE_NULL : CDC_VALUE_UNCHANGED_TOAST;
        }
        if (names) {
            t->names[i] = xasprintf("col%d", i);
            t->types[i] = i % 2 ? xstrdup("integer") : NULL; /* a NULL entry is allowed */
        }
    }
}

/* Everything a decoder may hang on a change is freed (ASan's leak check proves it). */
static void test_reset_frees_everything(void **state)
{
    struct cdc_change c = {0};
    c.kind = CDC_UPDATE;
    c.lsn = 42;
    c.schema = xstrdup("public");
    c.table = xstrdup("t");
    c.has_old = true;
    fill_tuple(&c.old_tuple, 4, true);  /* test_decoding: names and types */
    fill_tuple(&c.new_tuple, 5, false); /* pgoutput: values only */
    c.relation = xcalloc(1, sizeof(*c.relation));
    c.relation->schema = xstrdup("public");
    c.relation->name = xstrdup("t");
    c.relation->ncols = 2;
    c.relation->columns = xcalloc(2, sizeof(struct cdc_column));
    c.relation->columns[0].name = xstrdup("id");
    c.relation->columns[0].type_name = xstrdup("integer");
    c.relation->columns[1].name = xstrdup("v");
    c.nrelids = 3;
    c.relids = xcalloc(3, sizeof(uint32_t));
    c.qualified = xcalloc(3, sizeof(char *));
    c.qualified[0] = xstrdup("public.a");
    c.qualified[2] = xstrdup("public.c");

    cdc_change_reset(&c);
    assert_true(is_zero(&c, sizeof(c)));
    cdc_change_reset(&c); /* idempotent */
    assert_true(is_zero(&c, sizeof(c)));
    cdc_change_reset(NULL);
}

static void test_reset_partial(void **state)
{
    /* ncols set, arrays missing (a decoder that failed half way) */
    struct cdc_change c = {0};
    c.new_tuple.ncols = 3;
    c.nrelids = 2;
    c.relids = xcalloc(2, sizeof(uint32_t));
    cdc_change_reset(&c);
    assert_true(is_zero(&c, sizeof(c)));
}

static void test_relation_free(void **state)
{
    cdc_relation_free(NULL);
    struct cdc_relation *r = xcalloc(1, sizeof(*r));
    r->schema = xstrdup("");
    r->name = xstrdup("pg_class");
    r->ncols = 1;
    r->columns = xcalloc(1, sizeof(struct cdc_column));
    r->columns[0].name = xstrdup("oid");
    cdc_relation_free(r);
}

static void test_kind_names(void **state)
{
    static const char *const expected[CDC_KIND_COUNT] = {
        "BEGIN", "COMMIT", "RELATION", "INSERT", "UPDATE", "DELETE", "TRUNCATE",
    };
    for (int k = 0; k < CDC_KIND_COUNT; k++)
        assert_string_equal(cdc_kind_name((enum cdc_kind) k), expected[k]);
    assert_string_equal(cdc_kind_name(CDC_KIND_COUNT), "UNKNOWN");
    int negative = -1;
    assert_string_equal(cdc_kind_name((enum cdc_kind) negative), "UNKNOWN");
}

static void round_trip(const char *text, cdc_lsn value)
{
    char buf[32];
    cdc_lsn parsed = 1;
    cdc_lsn_format(value, buf, sizeof(buf));
    assert_string_equal(buf, text);
    assert_true(cdc_lsn_parse(text, &parsed));
    assert_true(parsed == value);
}

static void test_lsn_round_trips(void **state)
{
    round_trip("0/0", 0);
    round_trip("16/B374D848", UINT64_C(0x16B374D848));
    round_trip("FFFFFFFF/FFFFFFFF", UINT64_MAX);
    round_trip("0/1549CC0", UINT64_C(0x1549CC0));
    round_trip("1/0", UINT64_C(0x100000000));

    cdc_lsn v;
    assert_true(cdc_lsn_parse("16/b374d848", &v)); /* PostgreSQL accepts lower case */
    assert_true(v == UINT64_C(0x16B374D848));
    assert_true(cdc_lsn_parse("00000000/00000001", &v));
    assert_true(v == 1);
}

static void test_lsn_malformed(void **state)
{
    static const char *const bad[] = {
        "12",    "x/y",         "1/2/3",       "",      "/",    "/1",    "1/",
        " 1/2",  "1/2 ",        "-1/2",        "+1/2",  "1/-2", "1 /2",  "0x1/2",
        "1/0x2", "123456789/0", "0/123456789", "1\n/2", "g/1",  "1/2\n",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        cdc_lsn v = 77;
        if (cdc_lsn_parse(bad[i], &v))
            fail_msg("accepted malformed LSN \"%s\"", bad[i]);
        assert_true(v == 77); /* untouched */
    }
    assert_false(cdc_lsn_parse(NULL, NULL));
}

static void test_lsn_format_small_buffer(void **state)
{
    char buf[6];
    memset(buf, 'x', sizeof(buf));
    cdc_lsn_format(UINT64_C(0x16B374D848), buf, sizeof(buf));
    assert_string_equal(buf, "16/B3"); /* truncated, still terminated */
    cdc_lsn_format(1, buf, 0);         /* nothing written */
    cdc_lsn_format(1, NULL, 10);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reset_frees_everything),  cmocka_unit_test(test_reset_partial),
        cmocka_unit_test(test_relation_free),           cmocka_unit_test(test_kind_names),
        cmocka_unit_test(test_lsn_round_trips),         cmocka_unit_test(test_lsn_malformed),
        cmocka_unit_test(test_lsn_format_small_buffer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
