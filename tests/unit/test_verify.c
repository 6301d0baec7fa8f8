/*
 * Unit tests: the pure parts of `pgshuttle verify` (src/verify): pg_dump
 * normalisation and line comparison, catalog row comparison, qualifier
 * stripping, the checksum query builder, difference and summary formatting,
 * and the JSON report.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "util/mem.h"
#include "verify/internal.h"
#include "verify/verify.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* --- helpers ---------------------------------------------------------------------------- */

static void free_db(struct verify_db_result *db)
{
    struct verify_result r = {.dbs = db, .ndbs = 1};
    verify_result_free(&r); /* frees db itself too: db must be heap-allocated */
}

static struct verify_db_result *new_db(const char *name)
{
    struct verify_db_result *db = xcalloc(1, sizeof(*db));
    db->name = xstrdup(name);
    db->schema_method = VERIFY_SCHEMA_PG_DUMP;
    return db;
}

static void assert_format(const struct verify_diff *d, const char *expected)
{
    char *line = verify_diff_format(d);
    assert_string_equal(line, expected);
    free(line);
}

/* --- schema normalisation -------------------------------------------------------------- */

static void test_normalise_drops_noise(void **state)
{
    const char *dump = "--\n"
                       "-- PostgreSQL database dump\n"
                       "--\n"
                       "\\restrict AbCdEf123\n"
                       "\n"
                       "-- Dumped from database version 15.18\n"
                       "SET statement_timeout = 0;\n"
                       "SET client_encoding = 'UTF8';\n"
                       "SELECT pg_catalog.set_config('search_path', '', false);\n"
                       "   \n"
                       "CREATE TABLE public.t (\n"
                       "    id integer NOT NULL,   \n"
                       "    \"order\" text\r\n"
                       ");\n"
                       "SET default_table_access_method = heap;\n"
                       "\\unrestrict AbCdEf123\n"
                       "ALTER TABLE public.t OWNER TO postgres;"; /* no final newline */
    strlist lines = STRLIST_INIT;
    verify__schema_normalise(dump, &lines);
    assert_int_equal(lines.n, 5);
    assert_string_equal(lines.items[0], "CREATE TABLE public.t (");
    assert_string_equal(lines.items[1], "    id integer NOT NULL"); /* spaces and comma gone */
    assert_string_equal(lines.items[2], "    \"order\" text");      /* CR gone */
    assert_string_equal(lines.items[3], ");");
    assert_string_equal(lines.items[4], "ALTER TABLE public.t OWNER TO postgres;");
    sl_free(&lines);
}

static void test_normalise_keeps_set_inside_statements(void **state)
{
    /* only whole "SET ...;" lines are session settings; an UPDATE ... SET line is not */
    strlist lines = STRLIST_INIT;
    verify__schema_normalise("CREATE RULE r AS ON INSERT TO t DO\n"
                             "    UPDATE t SET a = 1;\n"
                             "SET x = 1\n",
                             &lines);
    assert_int_equal(lines.n, 3);
    assert_string_equal(lines.items[1], "    UPDATE t SET a = 1;");
    assert_string_equal(lines.items[2], "SET x = 1"); /* no ';': not a setting line */
    sl_free(&lines);
    verify__schema_normalise(NULL, &lines);
    assert_int_equal(lines.n, 0);
}

static void test_normalise_trigger_execute_procedure(void **state)
{
    /* PostgreSQL 10 dumps EXECUTE PROCEDURE, 11+ EXECUTE FUNCTION: the same trigger */
    strlist lines = STRLIST_INIT;
    verify__schema_normalise(
        "CREATE TRIGGER t_audit AFTER INSERT ON app.t FOR EACH ROW EXECUTE PROCEDURE app.audit();\n"
        "CREATE EVENT TRIGGER e ON ddl_command_end\n"
        "   EXECUTE PROCEDURE app.ddl();\n"
        "COMMENT ON FUNCTION f IS 'EXECUTE PROCEDURE stays in text';\n",
        &lines);
    assert_int_equal(lines.n, 4);
    assert_string_equal(
        lines.items[0],
        "CREATE TRIGGER t_audit AFTER INSERT ON app.t FOR EACH ROW EXECUTE FUNCTION app.audit();");
    /* an event trigger's continuation line too; other lines stay */
    assert_string_equal(lines.items[2], "   EXECUTE FUNCTION app.ddl();");
    assert_string_equal(lines.items[3],
                        "COMMENT ON FUNCTION f IS 'EXECUTE PROCEDURE stays in text';");
    sl_free(&lines);
}

/* --- pg_dump line comparison ----------------------------------------------------------- */

static void compare_dumps(const char *a, const char *b, struct verify_db_result *db, size_t limit)
{
    strlist la = STRLIST_INIT, lb = STRLIST_INIT;
    verify__schema_normalise(a, &la);
    verify__schema_normalise(b, &lb);
    verify__compare_lines(&la, &lb, db, limit);
    sl_free(&la);
    sl_free(&lb);
}

static void test_lines_identical_in_other_order(void **state)
{
    struct verify_db_result *db = new_db("d");
    compare_dumps("CREATE TABLE a (\n    x int\n);\nCREATE TABLE b (\n    x int\n);\n",
                  "CREATE TABLE b (\n    x int\n);\nCREATE TABLE a (\n    x int\n);\n", db, 50);
    assert_int_equal(db->ndiffs, 0);
    assert_int_equal(db->schema_differences, 0);
    free_db(db);
}

static void test_lines_added_column(void **state)
{
    struct verify_db_result *db = new_db("d");
    compare_dumps("CREATE TABLE public.t (\n    a integer,\n    b text\n);\n",
                  "CREATE TABLE public.t (\n    a integer,\n    b text,\n    c integer\n);\n", db,
                  50);
    assert_int_equal(db->ndiffs, 1);
    assert_int_equal(db->schema_differences, 1);
    struct verify_diff *d = &db->diffs[0];
    assert_int_equal(d->kind, VERIFY_DIFF_SCHEMA);
    assert_string_equal(d->object, "CREATE TABLE public.t");
    assert_null(d->source);
    assert_string_equal(d->target, "    c integer");
    assert_format(d, "DIFF schema CREATE TABLE public.t: only on target: c integer");
    free_db(db);
}

static void test_lines_keyed_by_statement(void **state)
{
    /* the same column line moving from one table to another is two differences */
    struct verify_db_result *db = new_db("d");
    compare_dumps("CREATE TABLE a (\n    id integer\n);\nCREATE TABLE b (\n    x int\n);\n",
                  "CREATE TABLE a (\n    x int\n);\nCREATE TABLE b (\n    id integer\n);\n", db,
                  50);
    assert_int_equal(db->schema_differences, 4);
    /* grouped by statement: a's source line, then a's target line */
    assert_string_equal(db->diffs[0].object, "CREATE TABLE a");
    assert_string_equal(db->diffs[0].source, "    id integer");
    assert_string_equal(db->diffs[1].object, "CREATE TABLE a");
    assert_string_equal(db->diffs[1].target, "    x int");
    free_db(db);
}

static void test_lines_are_a_multiset(void **state)
{
    struct verify_db_result *db = new_db("d");
    compare_dumps("GRANT SELECT ON t TO r;\nGRANT SELECT ON t TO r;\n", "GRANT SELECT ON t TO r;\n",
                  db, 50);
    assert_int_equal(db->ndiffs, 1);
    assert_null(db->diffs[0].object); /* the line is its own statement */
    assert_string_equal(db->diffs[0].source, "GRANT SELECT ON t TO r;");
    assert_format(&db->diffs[0], "DIFF schema: missing on target: GRANT SELECT ON t TO r;");
    free_db(db);
}

static void test_lines_bounded(void **state)
{
    strbuf a = STRBUF_INIT;
    for (int i = 0; i < 60; i++)
        sb_printf(&a, "CREATE INDEX i%d ON t (c%d);\n", i, i);
    struct verify_db_result *db = new_db("d");
    compare_dumps(sb_str(&a), "", db, 50);
    assert_int_equal(db->schema_differences, 60);
    assert_int_equal(db->ndiffs, 51);
    struct verify_diff *last = &db->diffs[50];
    assert_int_equal(last->kind, VERIFY_DIFF_SCHEMA);
    assert_string_equal(last->detail, "... and 10 more");
    assert_format(last, "DIFF schema: ... and 10 more");
    char *summary = verify_db_summary(db);
    assert_string_equal(summary, "db d: 60 differences — schema (pg_dump) 60 differences, "
                                 "0 tables, 0 rows, 0 large objects, 0 sequences");
    free(summary);
    free_db(db);
    sb_free(&a);
}

/* --- catalog rows ---------------------------------------------------------------------- */

static struct verify__catrow row(const char *kind, const char *identity, const char *def)
{
    struct verify__catrow r = {xstrdup(kind), xstrdup(identity), xstrdup(def)};
    return r;
}

static void free_rows(struct verify__catrow *rows, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(rows[i].kind);
        free(rows[i].identity);
        free(rows[i].definition);
    }
}

static void test_catrows(void **state)
{
    struct verify__catrow s[] = {
        row("index", "public.t_a", "CREATE INDEX t_a ON public.t USING btree (a)"),
        row("column", "public.t.a", "#1 integer"),
        row("column", "public.t.b", "#2 text"),
        row("table", "public.t", ""),
    };
    struct verify__catrow t[] = {
        row("table", "public.t", ""),
        row("column", "public.t.b", "#2 character varying"),
        row("column", "public.t.a", "#1 integer"),
        row("column", "public.t.\"order\"", "#3 integer"),
    };
    struct verify_db_result *db = new_db("d");
    db->schema_method = VERIFY_SCHEMA_CATALOG;
    verify__compare_catrows(s, 4, t, 4, db, 50);
    assert_int_equal(db->schema_differences, 3);
    assert_int_equal(db->ndiffs, 3);
    /* sorted by kind and identity */
    assert_format(&db->diffs[0],
                  "DIFF schema column public.t.\"order\": only on target: #3 integer");
    assert_format(
        &db->diffs[1],
        "DIFF schema column public.t.b: #2 text (source) vs #2 character varying (target)");
    assert_format(&db->diffs[2], "DIFF schema index public.t_a: missing on target: CREATE INDEX "
                                 "t_a ON public.t USING btree (a)");
    free_rows(s, 4);
    free_rows(t, 4);
    free_db(db);
}

static void test_annotate_missing_roles(void **state)
{
    struct verify_db_result *db = new_db("d");
    verify_db_add(db, VERIFY_DIFF_SCHEMA, "column public.t.a", "#1 integer", NULL, NULL);
    verify_db_add(db, VERIFY_DIFF_SCHEMA, "owner of table public.t", "only_src", "postgres", NULL);
    verify_db_add(db, VERIFY_DIFF_SCHEMA, "privileges on table public.t",
                  "OWNER=SELECT,PUBLIC=SELECT,\"we,i=rd\"=INSERT WITH GRANT OPTION,reader=SELECT",
                  "OWNER=SELECT,PUBLIC=SELECT,\"Tgt\"=UPDATE", NULL);
    verify_db_add(db, VERIFY_DIFF_SCHEMA, "owner of schema s", "both", "postgres", NULL);
    /* pg_dump lines */
    verify_db_add(db, VERIFY_DIFF_SCHEMA, NULL, "ALTER TABLE public.t OWNER TO only_src;", NULL,
                  NULL);
    verify_db_add(db, VERIFY_DIFF_SCHEMA, NULL,
                  "GRANT SELECT ON TABLE public.\"x TO y\" TO \"we,i=rd\" WITH GRANT OPTION;", NULL,
                  NULL);
    verify_db_add(db, VERIFY_DIFF_SCHEMA, NULL, NULL, "REVOKE ALL ON SCHEMA public FROM \"Tgt\";",
                  NULL);
    verify_db_add(db, VERIFY_DIFF_SCHEMA, NULL, "GRANT SELECT ON TABLE public.t TO reader;", NULL,
                  NULL);
    verify_db_add(db, VERIFY_DIFF_SCHEMA, "CREATE TABLE public.t", "    grant text", NULL, NULL);
    strlist src_roles = STRLIST_INIT, tgt_roles = STRLIST_INIT;
    sl_push(&src_roles, "postgres");
    sl_push(&src_roles, "only_src");
    sl_push(&src_roles, "\"we,i=rd\"");
    sl_push(&src_roles, "reader");
    sl_push(&src_roles, "both");
    sl_push(&tgt_roles, "postgres");
    sl_push(&tgt_roles, "reader");
    sl_push(&tgt_roles, "\"Tgt\"");
    sl_push(&tgt_roles, "both");
    verify__annotate_missing_roles(db, 1, &src_roles, &tgt_roles);
    assert_null(db->diffs[0].detail); /* before "from" */
    assert_string_equal(db->diffs[1].detail, "role only_src does not exist on the target");
    assert_string_equal(db->diffs[2].detail, "role \"we,i=rd\" does not exist on the target; "
                                             "role \"Tgt\" does not exist on the source");
    assert_null(db->diffs[3].detail);
    assert_string_equal(db->diffs[4].detail, "role only_src does not exist on the target");
    assert_string_equal(db->diffs[5].detail, "role \"we,i=rd\" does not exist on the target");
    assert_string_equal(db->diffs[6].detail, "role \"Tgt\" does not exist on the source");
    assert_null(db->diffs[7].detail); /* reader exists on both */
    assert_null(db->diffs[8].detail);
    sl_free(&src_roles);
    sl_free(&tgt_roles);
    free_db(db);
}

static void test_strip_qualifiers(void **state)
{
    struct {
        const char *in, *out;
    } cases[] = {
        {"SELECT parent.id, parent.name FROM app.parent WHERE parent.id < 100;",
         "SELECT id, name FROM parent WHERE id < 100;"},
        {"SELECT \"ta\"\"ble\".\"col \"\"q\"\" 1\" AS x FROM \"we\"\"ird\".\"ta\"\"ble\"",
         "SELECT \"col \"\"q\"\" 1\" AS x FROM \"ta\"\"ble\""},
        {"SELECT 'a.b' || t.c, 1.5, x1.y FROM t", "SELECT 'a.b' || c, 1.5, y FROM t"},
        {"SELECT 'it''s t.x' FROM s.t", "SELECT 'it''s t.x' FROM t"},
        {"SELECT t.* FROM t", "SELECT * FROM t"},
        {"SELECT (x).f, amount::numeric(4,1) FROM t", "SELECT (x).f, amount::numeric(4,1) FROM t"},
        {"SELECT données.été FROM données", "SELECT été FROM données"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *got = verify__strip_qualifiers(cases[i].in);
        assert_string_equal(got, cases[i].out);
        free(got);
    }
}

/* --- checksum query -------------------------------------------------------------------- */

static void test_checksum_sql_zero_columns(void **state)
{
    char *sql = verify__checksum_sql("public.nocols", NULL, 0);
    assert_string_equal(sql, "SELECT pg_catalog.count(*), coalesce(pg_catalog.sum(('x' || "
                             "pg_catalog.substr(pg_catalog.md5(ROW()::pg_catalog.text), 1, 16))"
                             "::pg_catalog.bit(64)::pg_catalog.int8), 0) FROM ONLY public.nocols");
    free(sql);
}

static void test_checksum_sql_odd_names_and_floats(void **state)
{
    struct verify__column cols[] = {
        {"id", NULL, NULL},
        {"order", NULL, NULL},
        {"Größe", "float8send", NULL},
        {"we\"ird col", "float4send", NULL},
        {"farr", NULL, "float8send"},
        {"pt", "point_send", NULL},
    };
    char *sql = verify__checksum_sql("public.\"we\"\"ird Tab\"", cols, 6);
    assert_non_null(strstr(sql, "md5(ROW(id, \"order\", pg_catalog.float8send(\"Größe\"), "
                                "pg_catalog.float4send(\"we\"\"ird col\"), farr IS NULL, "
                                "pg_catalog.array_dims(farr), (SELECT pg_catalog.array_agg("
                                "pg_catalog.float8send(u.e) ORDER BY u.o) FROM "
                                "pg_catalog.unnest(farr) WITH ORDINALITY AS u(e, o)), "
                                "pg_catalog.point_send(pt))::pg_catalog.text)"));
    assert_non_null(strstr(sql, "pg_catalog.sum("));
    const char *from = " FROM ONLY public.\"we\"\"ird Tab\"";
    assert_string_equal(sql + strlen(sql) - strlen(from), from);
    free(sql);
}

/* --- formatting ------------------------------------------------------------------------ */

static void test_format_kinds(void **state)
{
    struct verify_diff rows = {VERIFY_DIFF_ROW_COUNT, "public.t", "10", "9", NULL};
    assert_format(&rows, "DIFF table public.t: rows 10 (source) vs 9 (target)");

    struct verify_diff sum = {VERIFY_DIFF_CHECKSUM, "public.\"we\"\"ird Tab\"", "123", "-45",
                              "same row count 10"};
    assert_format(&sum, "DIFF table public.\"we\"\"ird Tab\": checksum 123 (source) vs -45 "
                        "(target) — same row count 10");

    struct verify_diff missing = {VERIFY_DIFF_TABLE_MISSING, "app.x", NULL, NULL, NULL};
    assert_format(&missing, "DIFF table app.x: missing on target");
    struct verify_diff extra = {VERIFY_DIFF_TABLE_EXTRA, "app.mv", NULL, NULL, "materialized view"};
    assert_format(&extra, "DIFF table app.mv: only on target — materialized view");

    struct verify_diff seq = {VERIFY_DIFF_SEQUENCE, "public.s", "last_value 5, is_called true",
                              "last_value 9, is_called true", NULL};
    assert_format(&seq, "DIFF sequence public.s: last_value 5, is_called true (source) vs "
                        "last_value 9, is_called true (target)");

    struct verify_diff lo = {VERIFY_DIFF_LARGE_OBJECT, "16403", "5d41402abc4b2a76", NULL, NULL};
    assert_format(&lo, "DIFF large object 16403: missing on target: 5d41402abc4b2a76");

    struct verify_diff err = {VERIFY_DIFF_ERROR, "database", NULL,
                              "could not connect: FATAL:  database \"x\"\n does not exist", NULL};
    assert_format(&err, "DIFF error database: on target: could not connect: FATAL: database "
                        "\"x\" does not exist");

    assert_string_equal(verify_diff_kind_name(VERIFY_DIFF_TABLE_MISSING), "table_missing");
    assert_string_equal(verify_diff_kind_name(VERIFY_DIFF_LARGE_OBJECT), "large_object");
    assert_string_equal(verify_schema_method_name(VERIFY_SCHEMA_CATALOG), "catalog");
    assert_null(verify_schema_method_name(VERIFY_SCHEMA_NONE));
}

static void test_format_long_values_are_cut(void **state)
{
    char *big = xmalloc(2001);
    memset(big, 'a', 2000);
    big[2000] = '\0';
    struct verify_diff d = {VERIFY_DIFF_SCHEMA, "function public.f()", big, NULL, NULL};
    char *line = verify_diff_format(&d);
    assert_true(strlen(line) < 500);
    assert_non_null(strstr(line, "…"));
    free(line);
    free(big);
}

static void test_summary_identical(void **state)
{
    struct verify_db_result *db = new_db("pgs_fixture");
    db->tables = 57;
    db->rows = 1234567;
    db->large_objects = 3;
    db->sequences = 9;
    assert_true(verify_db_identical(db));
    char *s = verify_db_summary(db);
    assert_string_equal(s, "db pgs_fixture: identical — schema (pg_dump) identical, 57 tables, "
                           "1,234,567 rows, 3 large objects, 9 sequences");
    free(s);

    verify_db_add(db, VERIFY_DIFF_ROW_COUNT, "public.t", "10", "9", NULL);
    assert_false(verify_db_identical(db));
    s = verify_db_summary(db);
    assert_string_equal(s, "db pgs_fixture: 1 difference — schema (pg_dump) identical, 57 tables, "
                           "1,234,567 rows, 3 large objects, 9 sequences");
    free(s);
    free_db(db);
}

static void test_summary_not_compared(void **state)
{
    struct verify_db_result *db = new_db("x");
    db->schema_method = VERIFY_SCHEMA_NONE;
    verify__add_error(db, true, "database", "could not connect", "refused");
    assert_false(verify_db_identical(db));
    assert_format(&db->diffs[0], "DIFF error database: on source: could not connect: refused");
    char *s = verify_db_summary(db);
    assert_string_equal(s, "db x: 1 difference — schema not compared, 0 tables, 0 rows, "
                           "0 large objects, 0 sequences");
    free(s);
    free_db(db);
}

/* --- JSON ------------------------------------------------------------------------------ */

static void test_json_report(void **state)
{
    struct verify_result r = {.ndbs = 2};
    r.dbs = xcalloc(2, sizeof(*r.dbs));
    r.dbs[0].name = xstrdup("a");
    r.dbs[0].schema_method = VERIFY_SCHEMA_CATALOG;
    r.dbs[0].tables = 2;
    r.dbs[0].rows = 5000000000LL;
    r.dbs[1].name = xstrdup("b\xff"); /* not UTF-8: still valid JSON */
    r.dbs[1].schema_method = VERIFY_SCHEMA_PG_DUMP;
    verify_db_add(&r.dbs[1], VERIFY_DIFF_CHECKSUM, "public.\"t\"", "1", "2", NULL);

    char *text = verify_result_json(&r);
    json_error_t err;
    json_t *doc = json_loads(text, 0, &err);
    assert_non_null(doc);
    assert_true(json_is_false(json_object_get(doc, "identical")));
    json_t *dbs = json_object_get(doc, "databases");
    assert_int_equal(json_array_size(dbs), 2);
    json_t *a = json_array_get(dbs, 0);
    assert_true(json_is_true(json_object_get(a, "identical")));
    assert_string_equal(json_string_value(json_object_get(a, "schema_method")), "catalog");
    assert_int_equal(json_integer_value(json_object_get(a, "rows")), 5000000000LL);
    assert_int_equal(json_array_size(json_object_get(a, "differences")), 0);
    json_t *b = json_array_get(dbs, 1);
    assert_string_equal(json_string_value(json_object_get(b, "name")), "b\xEF\xBF\xBD");
    json_t *d = json_array_get(json_object_get(b, "differences"), 0);
    assert_string_equal(json_string_value(json_object_get(d, "kind")), "checksum");
    assert_string_equal(json_string_value(json_object_get(d, "object")), "public.\"t\"");
    assert_string_equal(json_string_value(json_object_get(d, "source")), "1");
    assert_string_equal(json_string_value(json_object_get(d, "target")), "2");
    assert_true(json_is_null(json_object_get(d, "detail")));
    json_decref(doc);
    free(text);

    /* identical when every database is */
    assert_false(verify_result_identical(&r));
    verify_result_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_normalise_drops_noise),
        cmocka_unit_test(test_normalise_keeps_set_inside_statements),
        cmocka_unit_test(test_normalise_trigger_execute_procedure),
        cmocka_unit_test(test_lines_identical_in_other_order),
        cmocka_unit_test(test_lines_added_column),
        cmocka_unit_test(test_lines_keyed_by_statement),
        cmocka_unit_test(test_lines_are_a_multiset),
        cmocka_unit_test(test_lines_bounded),
        cmocka_unit_test(test_catrows),
        cmocka_unit_test(test_annotate_missing_roles),
        cmocka_unit_test(test_strip_qualifiers),
        cmocka_unit_test(test_checksum_sql_zero_columns),
        cmocka_unit_test(test_checksum_sql_odd_names_and_floats),
        cmocka_unit_test(test_format_kinds),
        cmocka_unit_test(test_format_long_values_are_cut),
        cmocka_unit_test(test_summary_identical),
        cmocka_unit_test(test_summary_not_compared),
        cmocka_unit_test(test_json_report),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
