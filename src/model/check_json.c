/* check_json.c — a check's result to JSON and back (see check_json.h). */
#include "model/check_json.h"
#include "model/json_read.h"
#include "model/utc_time.h"
#include "util/mem.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* wall as "YYYY-MM-DDTHH:MM:SS.mmmZ" (ISO 8601 UTC with milliseconds), or null when 0. */
static json_t *started_json(double wall)
{
    if (wall <= 0)
        return json_null();
    char whole[UTC_TIME_SIZE], text[UTC_TIME_SIZE + 16];
    utc_time_format(wall, whole, sizeof(whole));
    size_t len = strlen(whole);
    unsigned ms = (unsigned) ((wall - floor(wall)) * 1000.0) % 1000u;
    if (len > 0 && whole[len - 1] == 'Z')
        whole[len - 1] = '\0';
    snprintf(text, sizeof(text), "%s.%03uZ", whole, ms);
    return json_string(text);
}

json_t *check_result_to_json(const struct check_result *c)
{
    json_t *o = json_object();
    json_object_set_new(o, "scope", json_string(c->scope));
    json_object_set_new(o, "name", json_string(c->name));
    json_object_set_new(o, "status", json_string(check_status_name(c->status)));
    json_object_set_new(o, "started_at", started_json(c->started));
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
    static const char *const known[] = {"scope",   "name",        "status",  "started_at",
                                        "message", "remediation", "seconds", NULL};
    const char *scope = NULL, *name = NULL, *status = NULL, *message = NULL, *remediation = NULL,
               *started_at = NULL;
    double seconds = 0, started = 0;
    if (!json_read_object(doc, "a check", known, error) ||
        !json_read_string(doc, "scope", true, false, &scope, error) ||
        !json_read_string(doc, "name", true, false, &name, error) ||
        !json_read_string(doc, "status", true, false, &status, error) ||
        !json_read_string(doc, "started_at", false, true, &started_at, error) ||
        !json_read_string(doc, "message", true, false, &message, error) ||
        !json_read_string(doc, "remediation", false, true, &remediation, error) ||
        !json_read_number(doc, "seconds", false, &seconds, error))
        return false;
    enum check_status st;
    if (!check_status_parse(status, &st))
        return json_read_fail("status", "not a check status", error);
    /* absent or null in what was stored before checks had start times */
    if (started_at && !utc_time_parse(started_at, &started))
        return json_read_fail("started_at", "not a UTC time such as 2026-12-07T09:00:00.000Z",
                              error);
    check_results_add(out, scope, name, st, started, seconds, message, remediation);
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
