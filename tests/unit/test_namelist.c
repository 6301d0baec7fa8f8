/* Unit tests: comma-separated name lists with double quotes (src/util/namelist.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "util/namelist.h"

#include <stdlib.h>
#include <string.h>

/* Parses list and checks it gives exactly the n names of want. */
static void check_names(const char *list, size_t n, const char *const *want)
{
    strlist out = STRLIST_INIT;
    char *err = NULL;
    bool ok = namelist_parse(list, &out, &err);
    if (!ok)
        fail_msg("\"%s\" was refused: %s", list, err);
    assert_null(err);
    assert_int_equal(out.n, n);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(out.items[i], want[i]);
    sl_free(&out);
}

/* Parses list, expects a refusal whose message contains each of the words; out unchanged. */
static void check_refused(const char *list, const char *word1, const char *word2)
{
    strlist out = STRLIST_INIT;
    sl_push(&out, "already there");
    char *err = NULL;
    if (namelist_parse(list, &out, &err))
        fail_msg("\"%s\" was accepted", list);
    assert_non_null(err);
    if (strstr(err, word1) == NULL || (word2 && strstr(err, word2) == NULL))
        fail_msg("\"%s\": message \"%s\" lacks \"%s\"/\"%s\"", list, err, word1,
                 word2 ? word2 : "");
    assert_int_equal(out.n, 1);
    free(err);
    sl_free(&out);
}

static void test_plain_lists(void **state)
{
    check_names("sales", 1, (const char *const[]){"sales"});
    check_names("sales,inventory,x", 3, (const char *const[]){"sales", "inventory", "x"});
    /* unquoted names are literal: spaces, inner quotes, anything but a comma */
    check_names("my \"odd\" db, b", 2, (const char *const[]){"my \"odd\" db", " b"});
    check_names("Ünïcødé 表", 1, (const char *const[]){"Ünïcødé 表"});
}

static void test_quoted_names(void **state)
{
    check_names("\"a,b\"", 1, (const char *const[]){"a,b"});
    check_names("\"a,b\",c", 2, (const char *const[]){"a,b", "c"});
    check_names("c,\"a,b\"", 2, (const char *const[]){"c", "a,b"});
    check_names("\"x\"\"y\"", 1, (const char *const[]){"x\"y"});
    check_names("\"\"\"\"", 1, (const char *const[]){"\""});
    check_names("\"a,\"\",b\",\",\"", 2, (const char *const[]){"a,\",b", ","});
    check_names("\"  spaced \"", 1, (const char *const[]){"  spaced "});
}

static void test_appends(void **state)
{
    strlist out = STRLIST_INIT;
    char *err = NULL;
    assert_true(namelist_parse("a", &out, &err));
    assert_true(namelist_parse("\"b,c\",d", &out, &err));
    assert_int_equal(out.n, 3);
    assert_string_equal(out.items[0], "a");
    assert_string_equal(out.items[1], "b,c");
    assert_string_equal(out.items[2], "d");
    sl_free(&out);
}

static void test_unterminated_quote(void **state)
{
    check_refused("\"a,b", "position 1", "never closes");
    check_refused("x,\"a\"\"", "position 3", "never closes");
    check_refused("\"", "position 1", "never closes");
}

static void test_empty_names(void **state)
{
    check_refused("", "empty name", "no name given");
    check_refused("a,,b", "empty name at position 3", "two commas");
    check_refused(",a", "empty name at position 1", NULL);
    check_refused("a,", "empty name at position 3", NULL);
    check_refused("a,\"\"", "empty name at position 3", "\"\" names nothing");
}

static void test_garbage_after_quote(void **state)
{
    check_refused("\"a,b\"c", "after the quoted name \"a,b\" comes \"c\" (position 6)", NULL);
    check_refused("\"a\" ,b", "comes \" \"", "a comma or the end");
    check_refused("x,\"a\"bc,d", "comes \"bc\" (position 6)", NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_lists), cmocka_unit_test(test_quoted_names),
        cmocka_unit_test(test_appends),     cmocka_unit_test(test_unterminated_quote),
        cmocka_unit_test(test_empty_names), cmocka_unit_test(test_garbage_after_quote),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
