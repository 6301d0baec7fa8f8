/*
 * spec_body.c — the body of a create (PUT /api/v1/migrations/{name}) and of
 * a connection test (POST /api/v1/testConnection) read into a migration
 * spec: {"properties": {...}, "secretParameters": {"adminCredentials":
 * {"sourceServerPassword", "targetServerPassword"}}}, strict (an unknown
 * field or a wrong type is a 400 naming it), both connection strings
 * checked through the caller's conninfo functions and given their
 * passwords. No error quotes a connection string or a password.
 */
#include "api/api_internal.h"
#include "model/migration_json.h"
#include "util/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The property a spec reading message is about (for the error's target), or NULL. */
static const char *spec_error_target(const char *msg, char *buf, size_t buflen)
{
    static const char unknown[] = "unknown field \"";
    if (strncmp(msg, unknown, sizeof(unknown) - 1) == 0) {
        const char *name = msg + sizeof(unknown) - 1;
        size_t len = strcspn(name, "\"");
        snprintf(buf, buflen, "%.*s", (int) len, name);
        return buf;
    }
    static const char *const extra[] = {"migrationWindowStartTimeInUtc", "properties"};
    const char *best = NULL, *at = NULL;
    for (int f = 0; f < SPEC_F_COUNT + 2; f++) {
        const char *name = f < SPEC_F_COUNT ? migration_spec_field_name(f, SPEC_NAMING_JSON)
                                            : extra[f - SPEC_F_COUNT];
        const char *p = strstr(msg, name);
        if (p && (at == NULL || p < at || (p == at && strlen(name) > strlen(best)))) {
            at = p;
            best = name;
        }
    }
    return best;
}

/*
 * Reads secretParameters: {"adminCredentials": {"sourceServerPassword",
 * "targetServerPassword"}} (each optional); the passwords are borrowed from sp.
 */
static bool read_secrets(const json_t *sp, const char **source_pw, const char **target_pw,
                         struct api_answer *a)
{
    static const char *const names[2] = {"sourceServerPassword", "targetServerPassword"};
    const char **out[2] = {source_pw, target_pw};
    const char *key;
    json_t *v;
    if (!json_is_object(sp)) {
        api_answer_invalid(a, "secretParameters must be an object", "secretParameters");
        return false;
    }
    json_t *creds = NULL;
    json_object_foreach((json_t *) sp, key, v)
    {
        if (strcmp(key, "adminCredentials") != 0) {
            char *msg = xasprintf("unknown field \"secretParameters.%s\"", key);
            api_answer_invalid(a, msg, "secretParameters");
            free(msg);
            return false;
        }
        creds = v;
    }
    if (creds == NULL)
        return true;
    if (!json_is_object(creds)) {
        api_answer_invalid(a, "secretParameters.adminCredentials must be an object",
                           "secretParameters.adminCredentials");
        return false;
    }
    json_object_foreach(creds, key, v)
    {
        int i = strcmp(key, names[0]) == 0 ? 0 : strcmp(key, names[1]) == 0 ? 1 : -1;
        if (i < 0) {
            char *msg = xasprintf("unknown field \"secretParameters.adminCredentials.%s\"", key);
            api_answer_invalid(a, msg, "secretParameters.adminCredentials");
            free(msg);
            return false;
        }
        if (!json_is_string(v)) {
            char *target = xasprintf("secretParameters.adminCredentials.%s", names[i]);
            char *msg = xasprintf("%s must be a string", target);
            api_answer_invalid(a, msg, target);
            free(msg);
            free(target);
            return false;
        }
        *out[i] = json_string_value(v);
    }
    return true;
}

/* Checks one connection string and adds its password; false with a 400 naming the property. */
static bool server_conninfo(struct api_ctx *ctx, char **conninfo, const char *password,
                            enum spec_field field, struct api_answer *a)
{
    const char *prop = migration_spec_field_name(field, SPEC_NAMING_JSON);
    char *why = NULL;
    if (!ctx->conninfo.check(*conninfo, &why)) {
        char *msg = xasprintf("%s is not a valid connection string: %s", prop,
                              why ? why : "it does not parse");
        free(why);
        api_answer_invalid(a, msg, prop);
        free(msg);
        return false;
    }
    if (password == NULL)
        return true;
    char *with = ctx->conninfo.with_password(*conninfo, password);
    if (with == NULL) {
        char *msg = xasprintf("%s: the password cannot be added to the connection string", prop);
        api_answer_invalid(a, msg, prop);
        free(msg);
        return false;
    }
    free(*conninfo);
    *conninfo = with;
    return true;
}

bool api_spec_body_read(struct api_ctx *ctx, const struct api_request *req, const char *name,
                        bool databases_optional, struct migration_spec *spec, struct api_answer *a)
{
    json_t *body;
    if (!api_body_json(req, &body, a))
        return false;
    const char *key;
    json_t *v, *properties = NULL, *secrets = NULL;
    bool ok = true;
    json_object_foreach(body, key, v)
    {
        if (strcmp(key, "properties") == 0)
            properties = v;
        else if (strcmp(key, "secretParameters") == 0)
            secrets = v;
        else if (strcmp(key, "name") == 0 && json_is_string(v) &&
                 (name == NULL || strcmp(json_string_value(v), name) == 0))
            continue; /* the name again, as GET gives it: allowed when it is the same */
        else {
            char *msg =
                strcmp(key, "name") == 0
                    ? xstrdup(name ? "name must be the name in the path" : "name must be a string")
                    : xasprintf("unknown field \"%s\"", key);
            api_answer_invalid(a, msg, key);
            free(msg);
            ok = false;
            break;
        }
    }
    const char *source_pw = NULL, *target_pw = NULL;
    if (ok && properties == NULL) {
        api_answer_invalid(a, "properties is required", "properties");
        ok = false;
    }
    if (ok && secrets)
        ok = read_secrets(secrets, &source_pw, &target_pw, a);
    char *error = NULL;
    if (ok) {
        json_t *doc = name ? json_pack("{s:s, s:O}", "name", name, "properties", properties)
                           : json_pack("{s:O}", "properties", properties);
        ok = databases_optional ? migration_spec_from_json_endpoints(doc, spec, &error)
                                : migration_spec_from_json(doc, spec, &error);
        json_decref(doc);
        if (!ok) {
            char target[128];
            api_answer_invalid(a, error, spec_error_target(error, target, sizeof(target)));
            free(error);
        }
    }
    if (ok && (!server_conninfo(ctx, &spec->source, source_pw, SPEC_F_SOURCE, a) ||
               !server_conninfo(ctx, &spec->target, target_pw, SPEC_F_TARGET, a))) {
        migration_spec_free(spec);
        ok = false;
    }
    json_decref(body);
    return ok;
}
