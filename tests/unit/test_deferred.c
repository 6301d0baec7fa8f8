/*
 * Unit tests: what the trigger-less apply path builds at cutover
 * (copy/deferred.h: the statements of a foreign key, trigger or rule, with
 * its enabled state and comment; the restore entries it leaves out) and
 * what --publication reports about a publication (cdc/publication.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "cdc/publication.h"
#include "copy/deferred.h"

#include <stdlib.h>
#include <string.h>

static struct copy_deferred_object object(char kind, const char *schema, const char *table,
                                          const char *name, const char *definition)
{
    struct copy_deferred_object o;
    memset(&o, 0, sizeof(o));
    o.kind = kind;
    o.schema = (char *) schema;
    o.table = (char *) table;
    o.name = (char *) name;
    o.definition = (char *) definition;
    o.enabled = 'O';
    return o;
}

static void test_foreign_key_only_unless_partitioned(void **state)
{
    struct copy_deferred_object o =
        object('f', "public", "public.child", "child_parent_fkey",
               "FOREIGN KEY (parent_id) REFERENCES public.parent(id) ON DELETE CASCADE");
    o.comment = "it's the parent";
    strlist s = STRLIST_INIT;
    copy_deferred_statements(&o, &s);
    assert_int_equal(s.n, 2);
    assert_string_equal(s.items[0], "ALTER TABLE ONLY public.child ADD CONSTRAINT "
                                    "child_parent_fkey FOREIGN KEY (parent_id) REFERENCES "
                                    "public.parent(id) ON DELETE CASCADE");
    assert_string_equal(s.items[1], "COMMENT ON CONSTRAINT child_parent_fkey ON public.child IS "
                                    "'it''s the parent'");
    sl_free(&s);
    o.partitioned = true;
    o.comment = NULL;
    copy_deferred_statements(&o, &s);
    assert_int_equal(s.n, 1);
    assert_true(strncmp(s.items[0], "ALTER TABLE public.child ADD", 28) == 0);
    sl_free(&s);
}

static void test_trigger_keeps_its_enabled_state(void **state)
{
    const char *def = "CREATE TRIGGER \"Audit\" AFTER INSERT ON \"S\".t FOR EACH ROW EXECUTE "
                      "FUNCTION \"S\".audit()";
    struct copy_deferred_object o = object('t', "S", "\"S\".t", "Audit", def);
    const struct {
        char enabled;
        const char *want;
    } cases[] = {{'A', "ALTER TABLE \"S\".t ENABLE ALWAYS TRIGGER \"Audit\""},
                 {'R', "ALTER TABLE \"S\".t ENABLE REPLICA TRIGGER \"Audit\""},
                 {'D', "ALTER TABLE \"S\".t DISABLE TRIGGER \"Audit\""}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        strlist s = STRLIST_INIT;
        o.enabled = cases[i].enabled;
        copy_deferred_statements(&o, &s);
        assert_int_equal(s.n, 2);
        assert_string_equal(s.items[0], def);
        assert_string_equal(s.items[1], cases[i].want);
        sl_free(&s);
    }
    strlist s = STRLIST_INIT;
    o.enabled = 'O';
    copy_deferred_statements(&o, &s);
    assert_int_equal(s.n, 1);
    sl_free(&s);
}

static void test_rule_and_restore_entries(void **state)
{
    struct copy_deferred_object objs[2] = {
        object('r', "public", "public.counters", "keep",
               "CREATE RULE keep AS ON DELETE TO public.counters DO INSTEAD NOTHING;"),
        object('t', "app", "app.\"Order\"", "stamp", "CREATE TRIGGER stamp ..."),
    };
    objs[0].enabled = 'D';
    objs[0].comment = "never deleted";
    objs[0].id = (struct schema_object_id){2618, 100};
    objs[1].id = (struct schema_object_id){2620, 200};
    objs[1].comment = "stamps";
    strlist s = STRLIST_INIT;
    copy_deferred_statements(&objs[0], &s);
    assert_int_equal(s.n, 3);
    assert_string_equal(s.items[1], "ALTER TABLE public.counters DISABLE RULE keep");
    assert_string_equal(s.items[2], "COMMENT ON RULE keep ON public.counters IS 'never deleted'");
    sl_free(&s);

    struct copy_deferred d = {.objects = objs, .n = 2};
    struct schema_object_id *ids = calloc(1, sizeof(*ids));
    ids[0] = (struct schema_object_id){1259, 1};
    int n = 1;
    strlist comments = STRLIST_INIT;
    copy_deferred_skip(&d, &ids, &n, &comments);
    assert_int_equal(n, 3);
    assert_int_equal(ids[1].catalog, 2618);
    assert_int_equal(ids[2].oid, 200);
    assert_int_equal(comments.n, 2);
    assert_string_equal(comments.items[0], "COMMENT public RULE keep ON counters ");
    assert_string_equal(comments.items[1], "COMMENT app TRIGGER stamp ON \"Order\" ");
    sl_free(&comments);
    free(ids);
}

static void test_publication_problems(void **state)
{
    strbuf out = STRBUF_INIT;
    struct cdc_publication_coverage cov = {0};
    cdc_publication_problems("p", &cov, true, &out);
    assert_string_equal(sb_str(&out), "publication \"p\" does not exist in the source database");

    sb_reset(&out);
    cov = (struct cdc_publication_coverage){
        .exists = true, .ins = true, .upd = true, .del = true, .trunc = true};
    cdc_publication_problems("p", &cov, true, &out);
    assert_string_equal(sb_str(&out), "");

    sb_reset(&out);
    cov.trunc = false;
    cdc_publication_problems("p", &cov, false, &out); /* a 10 source decodes no TRUNCATE */
    assert_string_equal(sb_str(&out), "");
    cov.del = false;
    cov.uncovered_count = 12;
    cov.uncovered = "public.a, public.b";
    cdc_publication_problems("p", &cov, true, &out);
    assert_string_equal(sb_str(&out),
                        "publication \"p\" does not publish 12 of the tables to stream: public.a, "
                        "public.b and more; publication \"p\" does not publish delete, truncate "
                        "(its publish option)");
    sb_free(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_foreign_key_only_unless_partitioned),
        cmocka_unit_test(test_trigger_keeps_its_enabled_state),
        cmocka_unit_test(test_rule_and_restore_entries),
        cmocka_unit_test(test_publication_problems),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
