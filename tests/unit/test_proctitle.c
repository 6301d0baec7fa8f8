/*
 * Unit tests: the process title (src/util/proctitle.c), on an argument area
 * of our own: the title, one NUL, NUL padding and a last byte that is not NUL
 * (so Linux shows the title alone), argv moved to copies, and a title cut to
 * the room there is.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "util/proctitle.h"

#include <stdlib.h>
#include <string.h>

static char area[] = "prog\0--source\0postgresql://u:longpassword@h/db";

static void test_title_in_argument_area(void **state)
{
    char *argv[] = {area, area + 5, area + 14, NULL};
    const size_t room = sizeof(area); /* the strings with their NULs */

    assert_false(proctitle_set("too early"));
    proctitle_init(3, argv);
    /* the arguments now live elsewhere, unchanged */
    assert_ptr_not_equal(argv[0], area);
    assert_string_equal(argv[0], "prog");
    assert_string_equal(argv[1], "--source");
    assert_string_equal(argv[2], "postgresql://u:longpassword@h/db");

    const char *title = "prog --source postgresql://u:*****@h/db";
    assert_true(proctitle_set(title));
    size_t n = strlen(title);
    assert_memory_equal(area, title, n + 1);
    for (size_t i = n + 1; i < room - 1; i++)
        assert_int_equal(area[i], '\0');
    assert_int_not_equal(area[room - 1], '\0');
    for (size_t i = 0; i + 12 <= room; i++)
        assert_memory_not_equal(area + i, "longpassword", 12);

    /* longer than the area (no environment strings follow ours): cut, still NUL-terminated */
    char longer[200];
    memset(longer, 'x', sizeof(longer) - 1);
    longer[sizeof(longer) - 1] = '\0';
    assert_true(proctitle_set(longer));
    assert_int_equal(strlen(area), room - 1);
    assert_string_equal(argv[2], "postgresql://u:longpassword@h/db");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_title_in_argument_area),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
