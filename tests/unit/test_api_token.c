/*
 * Unit tests: the API token of a state directory (src/api/token.c):
 * PGSHUTTLE_TOKEN first; else DIR/token, created at the first start as 64
 * hex digits with mode 0600 and read back unchanged; none without create.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "api/api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static char dir[] = "/tmp/pgshuttle-test-token-XXXXXX";

static void test_token_file(void **state)
{
    (void) state;
    unsetenv("PGSHUTTLE_TOKEN");
    assert_non_null(mkdtemp(dir));
    char sub[256], path[300];
    snprintf(sub, sizeof(sub), "%s/state", dir);
    snprintf(path, sizeof(path), "%s/token", sub);

    char *error = NULL;
    assert_null(api_token_load(sub, false, &error));
    assert_non_null(strstr(error, "PGSHUTTLE_TOKEN"));
    free(error);
    error = NULL;

    char *token = api_token_load(sub, true, &error);
    assert_non_null(token);
    assert_int_equal(strlen(token), 64);
    assert_int_equal(strspn(token, "0123456789abcdef"), 64);
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);

    char *again = api_token_load(sub, true, &error);
    assert_string_equal(again, token);
    free(again);
    again = api_token_load(sub, false, &error);
    assert_string_equal(again, token);
    free(again);

    setenv("PGSHUTTLE_TOKEN", "from-the-environment", 1);
    again = api_token_load(sub, true, &error);
    assert_string_equal(again, "from-the-environment");
    free(again);
    unsetenv("PGSHUTTLE_TOKEN");
    free(token);

    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_token_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
