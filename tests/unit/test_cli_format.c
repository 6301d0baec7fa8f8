/*
 * Unit tests: how the client commands show the API's migration resource
 * (src/cli/client_format.c: durations, host:port, the grid, watch's exit
 * codes) and where they look for the state directory (src/util/statedir.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "cli/client_format.h"
#include "util/statedir.h"

#include <stdlib.h>
#include <string.h>

static void test_durations(void **state)
{
    char out[32];
    struct {
        double secs;
        const char *want;
    } cases[] = {
        {0, "0s"},        {12, "12s"},        {12.9, "12s"},     {59, "59s"},
        {60, "1m 00s"},   {245, "4m 05s"},    {3599, "59m 59s"}, {3600, "1h 00m"},
        {7380, "2h 03m"}, {86399, "23h 59m"}, {86400, "1d 00h"}, {273600, "3d 04h"},
        {-1, "-"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        client_format_duration(cases[i].secs, out, sizeof(out));
        assert_string_equal(out, cases[i].want);
    }
}

static void test_hostport_never_shows_the_password(void **state)
{
    const char *in[] = {
        "postgresql://admin:secretpw@old-db:5433/postgres",
        "postgresql://admin:*****@old-db:5433/postgres",
        "host=old-db port=5433 user=admin password=secretpw dbname=postgres",
    };
    for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
        char *hp = client_server_hostport(in[i]);
        assert_string_equal(hp, "old-db:5433");
        free(hp);
    }
    char *empty = client_server_hostport(NULL);
    assert_string_equal(empty, "");
    free(empty);
}

static json_t *resource(const char *name, const char *started, double duration, const char *state)
{
    json_t *r = json_pack(
        "{s:s, s:{s:s, s:s, s:s, s:s, s:[s,s], s:f, s:{s:s}}}", "name", name, "properties",
        "migrationMode", "Online", "migrationOption", "ValidateAndMigrate", "sourceType", "AWS_RDS",
        "sourceServer", "postgresql://admin:topsecret@old-db:5432/postgres", "dbsToMigrate",
        "sales", "inventory", "durationSeconds", duration, "currentStatus", "state", state);
    if (started)
        json_object_set_new(json_object_get(r, "properties"), "startedOn", json_string(started));
    return r;
}

static void test_grid_row(void **state)
{
    json_t *r = resource("sales2026", "2026-12-07T09:00:00Z", 754, "In progress");
    char *cells[GRID_COLUMNS];
    client_grid_row(r, cells);
    assert_string_equal(cells[GRID_NAME], "sales2026");
    assert_string_equal(cells[GRID_STATUS], "In progress");
    assert_string_equal(cells[GRID_MODE], "Online");
    assert_string_equal(cells[GRID_TYPE], "Validate and migrate");
    assert_string_equal(cells[GRID_SOURCE], "old-db:5432");
    assert_string_equal(cells[GRID_SOURCE_TYPE], "AWS RDS");
    assert_string_equal(cells[GRID_DATABASES], "sales, inventory");
    client_grid_row_free(cells);
    /* "auto" as given, then what validation found */
    json_t *p = json_object_get(r, "properties");
    json_object_set_new(p, "sourceType", json_string("auto"));
    client_grid_row(r, cells);
    assert_string_equal(cells[GRID_SOURCE_TYPE], "auto");
    client_grid_row_free(cells);
    json_object_set_new(p, "detectedSourceType", json_string("OnPremises"));
    client_grid_row(r, cells);
    assert_string_equal(cells[GRID_SOURCE_TYPE], "On-premises");
    assert_string_equal(cells[GRID_DURATION], "12m 34s");
    assert_string_equal(cells[GRID_START], "2026-12-07 09:00:00 UTC");
    client_grid_row_free(cells);
    json_decref(r);

    /* Fields the server left out are blank, not an error. */
    json_t *bare = json_pack("{s:s}", "name", "bare");
    client_grid_row(bare, cells);
    assert_string_equal(cells[GRID_NAME], "bare");
    assert_string_equal(cells[GRID_SOURCE], "");
    assert_string_equal(cells[GRID_DURATION], "");
    assert_string_equal(cells[GRID_START], "");
    assert_string_equal(cells[GRID_NODE], "");
    client_grid_row_free(cells);
    json_decref(bare);
}

static void test_grid_is_aligned_and_newest_first(void **state)
{
    json_t *rows = json_array();
    json_array_append_new(rows, resource("old", "2026-12-01T09:00:00Z", 90061, "Succeeded"));
    json_t *newer = resource("newer", "2026-12-07T09:00:00Z", 12, "In progress");
    json_object_set_new(json_object_get(newer, "properties"), "node", json_string("node-a"));
    json_array_append_new(rows, newer);
    json_array_append_new(rows, resource("waiting", NULL, -1, "In progress"));
    char *grid = client_grid_format(rows);
    const char *want_titles = "Name     Status       Migration mode  Migration type        "
                              "Source server  Source server type  Databases         Duration  "
                              "Start time               Node\n";
    assert_memory_equal(grid, want_titles, strlen(want_titles));
    const char *l1 = strchr(grid, '\n') + 1;
    const char *l2 = strchr(l1, '\n') + 1;
    const char *l3 = strchr(l2, '\n') + 1;
    assert_memory_equal(l1, "waiting  ", 9);
    assert_memory_equal(l2, "newer    ", 9);
    assert_memory_equal(l3, "old      ", 9);
    assert_non_null(strstr(l3, "1d 01h    2026-12-01 09:00:00 UTC\n"));
    /* the node, last; none for a migration no node runs */
    assert_non_null(strstr(l2, "2026-12-07 09:00:00 UTC  node-a\n"));
    /* columns line up: "Status" starts where each status does */
    size_t col = (size_t) (strstr(grid, "Status") - grid);
    assert_memory_equal(l1 + col, "In progress", 11);
    assert_memory_equal(l3 + col, "Succeeded", 9);
    assert_null(strstr(grid, "topsecret"));
    assert_null(strstr(grid, " \n"));
    free(grid);
    json_decref(rows);
}

static void test_nodes_table(void **state)
{
    json_t *nodes = json_pack(
        "[{s:s, s:s, s:i, s:i, s:f, s:s, s:s, s:b}, {s:s, s:s, s:n, s:i, s:f, s:n, s:s, s:b}]",
        "name", "node-a", "state", "Up", "capacity", 4, "running", 2, "heartbeatAgeSeconds", 0.4,
        "address", "http://10.0.0.1:8432", "version", "0.2.0", "draining", 0, "name", "node-bb",
        "state", "Down", "capacity", "running", 1, "heartbeatAgeSeconds", 75.2, "address",
        "version", "0.2.0", "draining", 1);
    char *text = client_nodes_format(nodes);
    const char *want =
        "Name     State            Running  Capacity  Heartbeat age  Address               "
        "Version\n"
        "node-a   Up               2        4         0s             http://10.0.0.1:8432  "
        "0.2.0\n"
        "node-bb  Down (draining)  1        no limit  1m 15s                               "
        "0.2.0\n";
    assert_string_equal(text, want);
    free(text);
    json_decref(nodes);
    /* no node: the titles alone */
    text = client_nodes_format(NULL);
    assert_string_equal(text, "Name  State  Running  Capacity  Heartbeat age  Address  Version\n");
    free(text);
}

static void test_watch_exit_codes(void **state)
{
    struct {
        const char *state;
        int want;
    } cases[] = {
        {"In progress", -1},      {"Succeeded", 0}, {"Waiting for user action", 0}, {"Failed", 1},
        {"Validation failed", 2}, {"Canceled", 3},  {"Something new", -1},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        json_t *r = resource("m", NULL, 1, cases[i].state);
        assert_int_equal(client_watch_exit(r), cases[i].want);
        json_decref(r);
    }
}

static void test_show_masks_and_lists_databases(void **state)
{
    json_t *r = resource("sales2026", "2026-12-07T09:00:00Z", 754, "Waiting for user action");
    json_t *cs = json_object_get(json_object_get(r, "properties"), "currentStatus");
    json_object_set_new(cs, "currentSubStateDetails",
                        json_pack("{s:s, s:{s:{s:s, s:i, s:i}}}", "currentSubState",
                                  "Waiting for cutover", "dbDetails", "sales", "migrationState",
                                  "Waiting for cutover", "fullLoadCompletedTables", 42,
                                  "fullLoadQueuedTables", 0));
    char *text = client_show_format(r);
    assert_non_null(strstr(text, "Waiting for user action: Waiting for cutover"));
    assert_non_null(strstr(text, "Source server:        old-db:5432\n"));
    /* active and no node runs it: it waits for one; the node's own line, not a property's */
    assert_non_null(strstr(text, "Node:                 none (waiting for a node to take it)\n"));
    free(text);
    json_object_set_new(json_object_get(r, "properties"), "node", json_string("node-a"));
    text = client_show_format(r);
    assert_non_null(strstr(text, "Node:                 node-a\n"));
    assert_null(strstr(text, "node:"));
    assert_non_null(strstr(text, "Waiting for cutover"));
    assert_non_null(strstr(text, "sales"));
    assert_null(strstr(text, "topsecret"));
    free(text);
    json_decref(r);
}

static void test_progress_lines(void **state)
{
    json_t *r = resource("sales2026", "2026-12-07T09:00:00Z", 754, "Failed");
    json_t *cs = json_object_get(json_object_get(r, "properties"), "currentStatus");
    json_object_set_new(cs, "error", json_string("COPY failed: disk full"));
    json_object_set_new(cs, "errorDatabase", json_string("sales"));
    json_object_set_new(
        cs, "currentSubStateDetails",
        json_pack("{s:s, s:{s:{s:s, s:i, s:i, s:i, s:i, s:I, s:I, s:b, s:i, s:i, s:f}, "
                  "s:{s:s, s:i, s:i, s:i, s:i}}}",
                  "currentSubState", "Failed", "dbDetails", "inventory", "migrationState",
                  "Waiting for cutover", "fullLoadCompletedTables", 42, "fullLoadQueuedTables", 0,
                  "fullLoadLoadingTables", 0, "fullLoadErroredTables", 0, "rowsCopied",
                  (json_int_t) 51234567, "bytesCopied", (json_int_t) 1073741824, "streaming", 1,
                  "appliedChanges", 6617, "lagBytes", 512, "latency", 0.04, "sales",
                  "migrationState", "Failed", "fullLoadCompletedTables", 3, "fullLoadQueuedTables",
                  0, "fullLoadLoadingTables", 0, "fullLoadErroredTables", 1));
    char *text = client_progress_format(r);
    const char *want = "sales2026: Failed: Failed (12m 34s)\n"
                       "  error: COPY failed: disk full (database sales)\n"
                       "  sales                Failed                        tables 3/4, 1 failed\n"
                       "  inventory            Waiting for cutover           tables 42/42, rows "
                       "51,234,567, 1.0 GB, streaming: 6,617 changes applied, lag 512 B, 0.04s\n";
    assert_string_equal(text, want);
    free(text);
    json_decref(r);
}

static void test_state_dir_default(void **state)
{
    unsetenv("PGSHUTTLE_STATE_DIR");
    unsetenv("XDG_STATE_HOME");
    setenv("HOME", "/home/u", 1);
    char *d = state_dir_resolve(NULL);
    assert_string_equal(d, "/home/u/.local/state/pgshuttle");
    free(d);
    setenv("XDG_STATE_HOME", "/xdg", 1);
    d = state_dir_resolve(NULL);
    assert_string_equal(d, "/xdg/pgshuttle");
    free(d);
    setenv("PGSHUTTLE_STATE_DIR", "/srv/shuttle", 1);
    d = state_dir_resolve(NULL);
    assert_string_equal(d, "/srv/shuttle");
    free(d);
    d = state_dir_resolve("/given");
    assert_string_equal(d, "/given");
    free(d);
    setenv("PGSHUTTLE_STATE_DIR", "", 1); /* empty counts as unset */
    d = state_dir_resolve(NULL);
    assert_string_equal(d, "/xdg/pgshuttle");
    free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_durations),
        cmocka_unit_test(test_hostport_never_shows_the_password),
        cmocka_unit_test(test_grid_row),
        cmocka_unit_test(test_grid_is_aligned_and_newest_first),
        cmocka_unit_test(test_nodes_table),
        cmocka_unit_test(test_watch_exit_codes),
        cmocka_unit_test(test_show_masks_and_lists_databases),
        cmocka_unit_test(test_progress_lines),
        cmocka_unit_test(test_state_dir_default),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
