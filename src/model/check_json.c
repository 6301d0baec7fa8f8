/* check_json.c — a check's result to JSON and back (see check_json.h). */
#include "model/check_json.h"
#include "model/json_read.h"
#include "util/mem.h"

#include <stdlib.h>

json_t *check_result_to_json(const struct check_result *c)
{
    json_t *o = json_object();
    json_object_set_new(o, "scope", json_string(c->scope));
    json_object_set_new(o, "name", json_string(c->name));
    json_object_set_new(o, "status", json_string(check_status_name(c->status)));
    json_object_set_new(o, "message", json_string(c->message));
    json_object_set_new(o, "remediation",
                        c->remediation ? json_string(c->remediation) : json_null());
    json_object_set_new(o, "seconds", json_real(c->seconds));
    return o;
}

json_t *check_results_to_json(const struct check_results *r)
{
    json_t *a = json_array();
    for (size_t i = 0; i < r->n; i++)
        json_array_append_new(a, check_result_to_json(&r->items[i]));
    return a;
}

bool check_result_from_json(const json_t *doc, struct check_results *out, char **error)
{
    static const char *const known[] = {"scope",       "name",    "status", "message",
                                        "remediation", "seconds", NULL};
    const char *scope = NULL, *name = NULL, *status = NULL, *message = NULL, *remediation = NULL;
    double seconds = 0;
    if (!json_read_object(doc, "a check", known, error) ||
        !json_read_string(doc, "scope", true, false, &scope, error) ||
        !json_read_string(doc, "name", true, false, &name, error) ||
        !json_read_string(doc, "status", true, false, &status, error) ||
        !json_read_string(doc, "message", true, false, &message, error) ||
        !json_read_string(doc, "remediation", false, true, &remediation, error) ||
        !json_read_number(doc, "seconds", false, &seconds, error))
        return false;
    enum check_status st;
    if (!check_status_parse(status, &st))
        return json_read_fail("status", "not a check status", error);
    check_results_add(out, scope, name, st, seconds, message, remediation);
    return true;
}

bool check_results_from_json(const json_t *doc, struct check_results *out, char **error)
{
    if (!json_is_array(doc))
        return json_read_fail("checks", "expected an array", error);
    size_t i;
    json_t *item;
    json_array_foreach(doc, i, item)
    {
        char *why = NULL;
        if (!check_result_from_json(item, out, &why)) {
            *error = xasprintf("checks[%zu]: %s", i, why);
            free(why);
            return false;
        }
    }
    return true;
}
