/* json_read.c — strict reading of the model's JSON objects (see json_read.h). */
#include "model/json_read.h"
#include "model/lsn.h"
#include "util/mem.h"

#include <limits.h>
#include <string.h>

bool json_read_fail(const char *key, const char *what, char **error)
{
    *error = xasprintf("field \"%s\": %s", key, what);
    return false;
}

bool json_read_object(const json_t *doc, const char *what, const char *const *known, char **error)
{
    if (!json_is_object(doc)) {
        *error = xasprintf("%s: expected a JSON object", what);
        return false;
    }
    const char *key;
    json_t *value;
    json_object_foreach((json_t *) doc, key, value)
    {
        bool found = false;
        for (const char *const *k = known; *k && !found; k++)
            found = strcmp(*k, key) == 0;
        if (!found) {
            *error = xasprintf("field \"%s\": unknown field in %s", key, what);
            return false;
        }
    }
    return true;
}

/* The field's value, or NULL when absent (false and *error when required). */
static bool field(const json_t *obj, const char *key, bool required, json_t **value, char **error)
{
    *value = json_object_get(obj, key);
    if (*value == NULL && required)
        return json_read_fail(key, "required", error);
    return true;
}

bool json_read_string(const json_t *obj, const char *key, bool required, bool nullable,
                      const char **out, char **error)
{
    json_t *v;
    if (!field(obj, key, required, &v, error))
        return false;
    if (v == NULL)
        return true;
    if (json_is_null(v) && nullable) {
        *out = NULL;
        return true;
    }
    if (!json_is_string(v))
        return json_read_fail(key, nullable ? "expected a string or null" : "expected a string",
                              error);
    *out = json_string_value(v);
    return true;
}

bool json_read_int(const json_t *obj, const char *key, bool required, int64_t *out, char **error)
{
    json_t *v;
    if (!field(obj, key, required, &v, error))
        return false;
    if (v == NULL)
        return true;
    if (!json_is_integer(v))
        return json_read_fail(key, "expected an integer", error);
    *out = (int64_t) json_integer_value(v);
    return true;
}

bool json_read_int32(const json_t *obj, const char *key, bool required, int *out, char **error)
{
    int64_t v = *out;
    if (!json_read_int(obj, key, required, &v, error))
        return false;
    if (v < INT_MIN || v > INT_MAX)
        return json_read_fail(key, "out of range", error);
    *out = (int) v;
    return true;
}

bool json_read_number(const json_t *obj, const char *key, bool required, double *out, char **error)
{
    json_t *v;
    if (!field(obj, key, required, &v, error))
        return false;
    if (v == NULL)
        return true;
    if (!json_is_number(v))
        return json_read_fail(key, "expected a number", error);
    *out = json_number_value(v);
    return true;
}

bool json_read_bool(const json_t *obj, const char *key, bool required, bool *out, char **error)
{
    json_t *v;
    if (!field(obj, key, required, &v, error))
        return false;
    if (v == NULL)
        return true;
    if (!json_is_boolean(v))
        return json_read_fail(key, "expected true or false", error);
    *out = json_is_true(v);
    return true;
}

bool json_read_lsn(const json_t *doc, const char *key, uint64_t *out, char **error)
{
    const char *text = NULL;
    if (!json_read_string(doc, key, false, false, &text, error))
        return false;
    if (text && !lsn_from_text(text, out))
        return json_read_fail(key, "expected a WAL position such as \"16/B374D848\"", error);
    return true;
}
