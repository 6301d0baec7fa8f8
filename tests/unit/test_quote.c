/* Unit tests: identifier and literal quoting (src/pg/quote.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "pg/quote.h"

#include <stdlib.h>

static void check_ident(const char *name, const char *expected)
{
    char *q = pgq_ident_dup(name);
    assert_string_equal(q, expected);
    free(q);
}

static void test_plain_names_stay_bare(void **state)
{
    check_ident("orders", "orders");
    check_ident("_x1$", "_x1$");
    check_ident("t2", "t2");
}

static void test_names_that_need_quotes(void **state)
{
    check_ident("Orders", "\"Orders\"");
    check_ident("my table", "\"my table\"");
    check_ident("we\"ird", "\"we\"\"ird\"");
    check_ident("1abc", "\"1abc\"");
    check_ident("", "\"\"");
    check_ident("Ünïcødé 表", "\"Ünïcødé 表\"");
    check_ident("ünï", "\"ünï\"");
}

static void test_keywords_are_quoted(void **state)
{
    check_ident("select", "\"select\"");
    check_ident("order", "\"order\"");
    check_ident("user", "\"user\"");
    check_ident("system_user", "\"system_user\"");
    /* unreserved keywords need no quotes */
    check_ident("name", "name");
    check_ident("value", "value");
}

static void test_qualified(void **state)
{
    char *q = pgq_qualified_dup("Sales Data", "select");
    assert_string_equal(q, "\"Sales Data\".\"select\"");
    free(q);
    q = pgq_qualified_dup("public", "t");
    assert_string_equal(q, "public.t");
    free(q);
}

static void test_literals(void **state)
{
    strbuf sb = STRBUF_INIT;
    pgq_literal(&sb, "it's");
    assert_string_equal(sb_str(&sb), "'it''s'");
    sb_reset(&sb);
    pgq_literal(&sb, "a\\b'c");
    assert_string_equal(sb_str(&sb), "E'a\\\\b''c'");
    sb_free(&sb);
}

static void test_sixty_three_characters(void **state)
{
    const char *n = "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij123";
    check_ident(n, n);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_names_stay_bare),
        cmocka_unit_test(test_names_that_need_quotes),
        cmocka_unit_test(test_keywords_are_quoted),
        cmocka_unit_test(test_qualified),
        cmocka_unit_test(test_literals),
        cmocka_unit_test(test_sixty_three_characters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
