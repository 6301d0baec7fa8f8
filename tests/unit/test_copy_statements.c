/*
 * Unit tests: the SQL the copy stages generate (COPY statements of table
 * parts, index and constraint statements), what a retry after a lost
 * session skips, and pg_restore error triage.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "copy/indexbuild.h"
#include "copy/schema.h"
#include "copy/tablecopy.h"

#include <stdlib.h>
#include <string.h>

static struct cat_table table(const char *qname, const char *columns, bool binary)
{
    struct cat_table t;
    memset(&t, 0, sizeof(t));
    t.qname = (char *) qname;
    t.columns = (char *) columns;
    t.binary_ok = binary;
    t.int_key = "id";
    return t;
}

static void test_whole_table_uses_freeze(void **state)
{
    struct cat_table t = table("\"My Schema\".\"select\"", "id, \"order\"", true);
    struct copy_part p = {.kind = PART_WHOLE, .count = 1};
    strbuf out = STRBUF_INIT, in = STRBUF_INIT;
    copy_part_statements(&t, &p, &out, &in);
    assert_string_equal(sb_str(&out),
                        "COPY \"My Schema\".\"select\" (id, \"order\") TO STDOUT (FORMAT binary)");
    assert_string_equal(sb_str(&in), "COPY \"My Schema\".\"select\" (id, \"order\") FROM STDIN "
                                     "(FORMAT binary, FREEZE)");
    sb_free(&out);
    sb_free(&in);
}

static void test_zero_column_table_in_text(void **state)
{
    struct cat_table t = table("public.z", "", false);
    struct copy_part p = {.kind = PART_WHOLE, .count = 1};
    strbuf out = STRBUF_INIT, in = STRBUF_INIT;
    copy_part_statements(&t, &p, &out, &in);
    assert_string_equal(sb_str(&out), "COPY public.z TO STDOUT (FORMAT text)");
    assert_string_equal(sb_str(&in), "COPY public.z FROM STDIN (FORMAT text, FREEZE)");
    sb_free(&out);
    sb_free(&in);
}

static void test_ctid_parts_are_open_ended(void **state)
{
    struct cat_table t = table("public.big", "id, v", true);
    strbuf out = STRBUF_INIT, in = STRBUF_INIT;
    struct copy_part first = {.kind = PART_CTID, .index = 0, .count = 3, .lo = 0, .hi = 100};
    copy_part_statements(&t, &first, &out, &in);
    assert_string_equal(sb_str(&out), "COPY (SELECT id, v FROM ONLY public.big WHERE ctid < "
                                      "'(100,0)'::tid) TO STDOUT (FORMAT binary)");
    assert_string_equal(sb_str(&in), "COPY public.big (id, v) FROM STDIN (FORMAT binary)");
    struct copy_part mid = {.kind = PART_CTID, .index = 1, .count = 3, .lo = 100, .hi = 200};
    copy_part_statements(&t, &mid, &out, &in);
    assert_non_null(strstr(sb_str(&out), "ctid >= '(100,0)'::tid AND ctid < '(200,0)'::tid"));
    struct copy_part last = {.kind = PART_CTID, .index = 2, .count = 3, .lo = 200, .hi = 301};
    copy_part_statements(&t, &last, &out, &in);
    assert_non_null(strstr(sb_str(&out), "WHERE ctid >= '(200,0)'::tid)"));
    assert_null(strstr(sb_str(&out), "<"));
    sb_free(&out);
    sb_free(&in);
}

static void test_key_parts(void **state)
{
    struct cat_table t = table("public.big", "id, v", false);
    strbuf out = STRBUF_INIT, in = STRBUF_INIT;
    struct copy_part mid = {.kind = PART_KEY, .index = 1, .count = 4, .lo = -50, .hi = 7};
    copy_part_statements(&t, &mid, &out, &in);
    assert_string_equal(sb_str(&out), "COPY (SELECT id, v FROM ONLY public.big WHERE id >= -50 "
                                      "AND id < 7) TO STDOUT (FORMAT text)");
    sb_free(&out);
    sb_free(&in);
}

static void test_primary_key_built_then_attached(void **state)
{
    struct cat_table tables[1] = {table("public.t", "id", true)};
    struct cat_index x;
    memset(&x, 0, sizeof(x));
    x.schema = "public";
    x.name = "t_pkey";
    x.indexdef = "CREATE UNIQUE INDEX t_pkey ON public.t USING btree (id)";
    x.constraint_type = 'p';
    x.constraint_name = "t_pkey";
    x.constraint_def = "PRIMARY KEY (id)";
    x.simple_btree = true;
    x.is_deferrable = true;
    x.is_clustered = true;
    struct copy_catalog cat;
    memset(&cat, 0, sizeof(cat));
    cat.tables = tables;
    cat.ntables = 1;
    strlist stmts = STRLIST_INIT;
    copy_index_statements(&cat, &x, &stmts);
    assert_int_equal(stmts.n, 3);
    assert_string_equal(stmts.items[0], x.indexdef);
    assert_string_equal(stmts.items[1], "ALTER TABLE ONLY public.t ADD CONSTRAINT t_pkey PRIMARY "
                                        "KEY USING INDEX t_pkey DEFERRABLE");
    assert_string_equal(stmts.items[2], "ALTER TABLE public.t CLUSTER ON t_pkey");
    sl_free(&stmts);

    /* an exclusion constraint is added directly */
    x.constraint_type = 'x';
    x.constraint_name = "no overlap";
    x.constraint_def = "EXCLUDE USING gist (r WITH &&)";
    x.simple_btree = false;
    x.is_clustered = false;
    copy_index_statements(&cat, &x, &stmts);
    assert_int_equal(stmts.n, 1);
    assert_string_equal(stmts.items[0], "ALTER TABLE ONLY public.t ADD CONSTRAINT \"no overlap\" "
                                        "EXCLUDE USING gist (r WITH &&)");
    sl_free(&stmts);
}

static void test_auto_split(void **state)
{
    struct cat_table tables[3];
    memset(tables, 0, sizeof(tables));
    struct copy_catalog cat;
    memset(&cat, 0, sizeof(cat));
    cat.tables = tables;

    /* one table holds nearly everything: split it into even shares */
    tables[0].bytes = 900;
    tables[1].bytes = 60;
    tables[2].bytes = 40;
    cat.ntables = 3;
    cat.total_bytes = 1000;
    assert_int_equal(copy_auto_split_bytes(&cat, 2), 500);
    assert_int_equal(copy_auto_split_bytes(&cat, 4), 250);

    /* whole tables already spread well over two workers: split nothing */
    tables[0].bytes = 640;
    tables[1].bytes = 230;
    tables[2].bytes = 10;
    cat.total_bytes = 880;
    assert_int_equal(copy_auto_split_bytes(&cat, 2), -1);
    /* ... but not over four */
    assert_true(copy_auto_split_bytes(&cat, 4) == 220);

    /* one worker, or nothing to copy: never split */
    assert_int_equal(copy_auto_split_bytes(&cat, 1), -1);
    cat.ntables = 0;
    cat.total_bytes = 0;
    assert_int_equal(copy_auto_split_bytes(&cat, 2), -1);
}

static void test_restore_error_triage(void **state)
{
    char *role = NULL;
    assert_true(schema_error_is_missing_role("role \"bob\" does not exist",
                                             "ALTER TABLE public.t OWNER TO bob;", &role));
    assert_string_equal(role, "bob");
    free(role);
    assert_true(schema_error_is_missing_role("role \"we\"ird\" does not exist",
                                             "GRANT SELECT ON TABLE public.t TO \"we\"\"ird\";",
                                             &role));
    assert_string_equal(role, "we\"ird");
    free(role);
    /* a policy for a missing role would be lost: that is a real failure */
    assert_false(schema_error_is_missing_role("role \"bob\" does not exist",
                                              "CREATE POLICY p ON public.t TO bob USING (true);",
                                              &role));
    assert_null(role);
    assert_false(schema_error_is_missing_role("relation \"x\" does not exist",
                                              "ALTER TABLE x OWNER TO bob;", &role));
}

/* After a lost session: which of an index's statements the retry skips. */
static void test_index_steps_done_after_a_loss(void **state)
{
    struct cat_index plain = {.name = "i"};
    assert_int_equal(copy_index_steps_done(&plain, false, false), 0);
    assert_int_equal(copy_index_steps_done(&plain, true, false), 1);

    /* CREATE UNIQUE INDEX, then ADD CONSTRAINT ... USING INDEX (which renames the index) */
    struct cat_index pk = {.name = "t_pkey",
                           .constraint_name = "t_pkey",
                           .constraint_type = 'p',
                           .simple_btree = true};
    assert_int_equal(copy_index_steps_done(&pk, false, false), 0);
    assert_int_equal(copy_index_steps_done(&pk, true, false), 1);
    assert_int_equal(copy_index_steps_done(&pk, false, true), 2);
    assert_int_equal(copy_index_steps_done(&pk, true, true), 2);

    /* an exclusion constraint is one ADD CONSTRAINT */
    struct cat_index excl = {.name = "t_excl", .constraint_name = "t_excl", .constraint_type = 'x'};
    assert_int_equal(copy_index_steps_done(&excl, true, false), 0);
    assert_int_equal(copy_index_steps_done(&excl, true, true), 1);
}

static void test_restore_connection_lost(void **state)
{
    assert_true(schema_error_is_connection_lost(
        "pg_restore: error: could not execute query: server closed the connection unexpectedly\n"
        "\tThis probably means the server terminated abnormally"));
    assert_true(schema_error_is_connection_lost(
        "pg_restore: error: could not execute query: FATAL:  terminating connection due to "
        "administrator command"));
    assert_true(schema_error_is_connection_lost(
        "pg_restore: error: connection to server at \"127.0.0.1\", port 5432 failed: Connection "
        "refused"));
    assert_true(schema_error_is_connection_lost("FATAL:  the database system is starting up"));
    assert_false(schema_error_is_connection_lost(
        "pg_restore: error: could not execute query: ERROR:  relation \"t\" already exists"));
    assert_false(schema_error_is_connection_lost(NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_whole_table_uses_freeze),
        cmocka_unit_test(test_zero_column_table_in_text),
        cmocka_unit_test(test_ctid_parts_are_open_ended),
        cmocka_unit_test(test_key_parts),
        cmocka_unit_test(test_primary_key_built_then_attached),
        cmocka_unit_test(test_auto_split),
        cmocka_unit_test(test_restore_error_triage),
        cmocka_unit_test(test_index_steps_done_after_a_loss),
        cmocka_unit_test(test_restore_connection_lost),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
