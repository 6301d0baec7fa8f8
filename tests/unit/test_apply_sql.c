/* Unit tests: the change applier's statement text (src/cdc/apply_sql.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "cdc/apply_sql.h"

#include <stdlib.h>
#include <string.h>

/* t(id int key, "Name" text, doc json, g int generated, ident bigint identity always) */
static struct cdc_sql_column cols[] = {
    {.name = "id", .type = "integer", .has_eq = true, .is_key = true, .array_type = "integer[]"},
    {.name = "Name", .type = "text", .has_eq = true, .array_type = "text[]"},
    {.name = "doc", .type = "json", .has_eq = false, .array_type = "json[]"},
    {.name = "g", .type = "integer", .has_eq = true, .generated = true, .array_type = "integer[]"},
    {.name = "ident",
     .type = "bigint",
     .has_eq = true,
     .identity_always = true,
     .array_type = "bigint[]"},
};
static struct cdc_sql_table table = {
    .schema = "public", .name = "t", .relkind = 'r', .ncols = 5, .cols = cols};

#define NCOLS 5

static uint8_t *shape(int op, int match)
{
    static uint8_t s[CDC_SQL_SHAPE_LEN(NCOLS)];
    memset(s, 0, sizeof(s));
    s[0] = (uint8_t) op;
    s[1] = (uint8_t) match;
    return s;
}

static void check(const uint8_t *s, const char *expected, int expected_params)
{
    strbuf sb = STRBUF_INIT;
    int n = cdc_sql_build(&sb, &table, s);
    assert_string_equal(sb_str(&sb), expected);
    assert_int_equal(n, expected_params);
    sb_free(&sb);
}

static void test_insert(void **state)
{
    uint8_t *s = shape(CDC_SQL_INSERT, 0);
    cdc_sql_set(s)[0] = cdc_sql_set(s)[1] = cdc_sql_set(s)[2] = CDC_SQL_PARAM;
    check(s, "INSERT INTO public.t (id, \"Name\", doc) VALUES ($1, $2, $3)", 3);
    cdc_sql_set(s)[4] = CDC_SQL_PARAM;
    check(s,
          "INSERT INTO public.t (id, \"Name\", doc, ident) OVERRIDING SYSTEM VALUE VALUES ($1, $2, "
          "$3, $4)",
          4);
    s = shape(CDC_SQL_INSERT, 0);
    check(s, "INSERT INTO public.t DEFAULT VALUES", 0);
}

static void test_update_by_key(void **state)
{
    uint8_t *s = shape(CDC_SQL_UPDATE, CDC_SQL_MATCH_KEY);
    cdc_sql_set(s)[1] = CDC_SQL_PARAM;
    cdc_sql_set(s)[2] = CDC_SQL_PARAM;
    cdc_sql_where(s, NCOLS)[0] = CDC_SQL_PARAM;
    check(s, "UPDATE ONLY public.t SET \"Name\" = $1, doc = $2 WHERE id = $3", 3);
    /* the identity column: required to hold the new value */
    cdc_sql_guard(s, NCOLS)[4] = CDC_SQL_PARAM;
    check(s, "UPDATE ONLY public.t SET \"Name\" = $1, doc = $2 WHERE id = $3 AND ident = $4", 4);
}

static void test_update_by_row(void **state)
{
    uint8_t *s = shape(CDC_SQL_UPDATE, CDC_SQL_MATCH_ROW);
    cdc_sql_set(s)[1] = CDC_SQL_PARAM;
    cdc_sql_where(s, NCOLS)[0] = CDC_SQL_PARAM;
    cdc_sql_where(s, NCOLS)[1] = CDC_SQL_IS_NULL;
    cdc_sql_where(s, NCOLS)[2] = CDC_SQL_PARAM;
    check(s,
          "UPDATE ONLY public.t SET \"Name\" = $1 WHERE ctid = (SELECT ctid FROM ONLY public.t "
          "WHERE id = $2 AND \"Name\" IS NULL AND (doc)::text = ($3::json)::text LIMIT 1)",
          3);
}

static void test_update_setting_nothing_checks_the_row(void **state)
{
    uint8_t *s = shape(CDC_SQL_UPDATE, CDC_SQL_MATCH_KEY);
    cdc_sql_where(s, NCOLS)[0] = CDC_SQL_PARAM;
    check(s, "SELECT 1 FROM ONLY public.t WHERE id = $1", 1);
}

static void test_delete(void **state)
{
    uint8_t *s = shape(CDC_SQL_DELETE, CDC_SQL_MATCH_KEY);
    cdc_sql_where(s, NCOLS)[0] = CDC_SQL_PARAM;
    check(s, "DELETE FROM ONLY public.t WHERE id = $1", 1);
    /* guard codes only count for UPDATE */
    cdc_sql_guard(s, NCOLS)[4] = CDC_SQL_PARAM;
    check(s, "DELETE FROM ONLY public.t WHERE id = $1", 1);
    s = shape(CDC_SQL_DELETE, CDC_SQL_MATCH_KEY);
    check(s, "DELETE FROM ONLY public.t WHERE FALSE", 0);
    s = shape(CDC_SQL_DELETE, CDC_SQL_MATCH_ROW);
    check(s,
          "DELETE FROM ONLY public.t WHERE ctid = (SELECT ctid FROM ONLY public.t WHERE FALSE "
          "LIMIT 1)",
          0);
}

static void test_partitioned_and_odd_names(void **state)
{
    struct cdc_sql_column pc[] = {
        {.name = "select", .type = "integer", .has_eq = true},
        {.name = "a \"b\"", .type = "point", .has_eq = false},
    };
    struct cdc_sql_table pt = {
        .schema = "Odd Schema", .name = "tåble", .relkind = 'p', .ncols = 2, .cols = pc};
    uint8_t s[CDC_SQL_SHAPE_LEN(2)];
    memset(s, 0, sizeof(s));
    s[0] = CDC_SQL_DELETE;
    s[1] = CDC_SQL_MATCH_ROW;
    cdc_sql_where(s, 2)[0] = CDC_SQL_PARAM;
    cdc_sql_where(s, 2)[1] = CDC_SQL_PARAM;
    strbuf sb = STRBUF_INIT;
    assert_int_equal(cdc_sql_build(&sb, &pt, s), 2);
    assert_string_equal(sb_str(&sb),
                        "DELETE FROM \"Odd Schema\".\"tåble\" WHERE (tableoid, ctid) = (SELECT "
                        "tableoid, ctid FROM \"Odd Schema\".\"tåble\" WHERE \"select\" = $1 AND "
                        "(\"a \"\"b\"\"\")::text = ($2::point)::text LIMIT 1)");
    sb_free(&sb);
}

static void check_grouped(const uint8_t *s, const char *expected, int expected_params)
{
    strbuf sb = STRBUF_INIT;
    int n = cdc_sql_build_grouped(&sb, &table, s);
    assert_string_equal(sb_str(&sb), expected);
    assert_int_equal(n, expected_params);
    sb_free(&sb);
}

static void test_grouped(void **state)
{
    uint8_t *s = shape(CDC_SQL_INSERT, 0);
    cdc_sql_set(s)[0] = cdc_sql_set(s)[1] = cdc_sql_set(s)[4] = CDC_SQL_PARAM;
    check_grouped(
        s,
        "INSERT INTO public.t (id, \"Name\", ident) OVERRIDING SYSTEM VALUE SELECT v.c1, "
        "v.c2, v.c3 FROM ROWS FROM (pg_catalog.unnest($1::integer[]), "
        "pg_catalog.unnest($2::text[]), pg_catalog.unnest($3::bigint[])) AS v (c1, c2, c3)",
        3);
    s = shape(CDC_SQL_UPDATE, CDC_SQL_MATCH_KEY);
    cdc_sql_set(s)[1] = cdc_sql_set(s)[2] = CDC_SQL_PARAM;
    cdc_sql_where(s, NCOLS)[0] = CDC_SQL_PARAM;
    cdc_sql_guard(s, NCOLS)[4] = CDC_SQL_PARAM;
    check_grouped(
        s,
        "UPDATE ONLY public.t AS pgshuttle_t SET \"Name\" = v.c1, doc = v.c2 FROM ROWS "
        "FROM (pg_catalog.unnest($1::text[]), pg_catalog.unnest($2::json[]), "
        "pg_catalog.unnest($3::integer[]), pg_catalog.unnest($4::bigint[])) AS v (c1, c2, "
        "c3, c4) WHERE pgshuttle_t.id = v.c3 AND pgshuttle_t.ident = v.c4",
        4);
    /* setting nothing: the rows must exist */
    s = shape(CDC_SQL_UPDATE, CDC_SQL_MATCH_KEY);
    cdc_sql_where(s, NCOLS)[0] = CDC_SQL_PARAM;
    check_grouped(s,
                  "SELECT 1 FROM ONLY public.t AS pgshuttle_t, ROWS FROM "
                  "(pg_catalog.unnest($1::integer[])) AS v (c1) WHERE pgshuttle_t.id = v.c1",
                  1);
    s = shape(CDC_SQL_DELETE, CDC_SQL_MATCH_KEY);
    cdc_sql_where(s, NCOLS)[0] = CDC_SQL_PARAM;
    /* guard codes only count for UPDATE */
    cdc_sql_guard(s, NCOLS)[4] = CDC_SQL_PARAM;
    check_grouped(s,
                  "DELETE FROM ONLY public.t AS pgshuttle_t USING ROWS FROM "
                  "(pg_catalog.unnest($1::integer[])) AS v (c1) WHERE pgshuttle_t.id = v.c1",
                  1);
}

static void test_array_elements(void **state)
{
    strbuf sb = STRBUF_INIT;
    cdc_sql_array_element(&sb, "plain");
    sb_appendc(&sb, ',');
    cdc_sql_array_element(&sb, NULL);
    sb_appendc(&sb, ',');
    cdc_sql_array_element(&sb, "NULL");
    sb_appendc(&sb, ',');
    cdc_sql_array_element(&sb, "");
    sb_appendc(&sb, ',');
    cdc_sql_array_element(&sb, "{a,b} \"q\" back\\slash\\");
    assert_string_equal(sb_str(&sb),
                        "\"plain\",NULL,\"NULL\",\"\",\"{a,b} \\\"q\\\" back\\\\slash\\\\\"");
    sb_free(&sb);
}

static void test_truncate(void **state)
{
    struct cdc_sql_table p = {.schema = "s", .name = "parted", .relkind = 'p'};
    const struct cdc_sql_table *list[] = {&table, &p};
    strbuf sb = STRBUF_INIT;
    cdc_sql_truncate(&sb, list, 2, true, true);
    assert_string_equal(sb_str(&sb), "TRUNCATE ONLY public.t, s.parted RESTART IDENTITY CASCADE");
    sb_reset(&sb);
    cdc_sql_truncate(&sb, list, 1, false, false);
    assert_string_equal(sb_str(&sb), "TRUNCATE ONLY public.t");
    sb_free(&sb);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_insert),
        cmocka_unit_test(test_update_by_key),
        cmocka_unit_test(test_update_by_row),
        cmocka_unit_test(test_update_setting_nothing_checks_the_row),
        cmocka_unit_test(test_delete),
        cmocka_unit_test(test_partitioned_and_odd_names),
        cmocka_unit_test(test_grouped),
        cmocka_unit_test(test_array_elements),
        cmocka_unit_test(test_truncate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
