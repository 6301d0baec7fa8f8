/*
 * migration_json.c — a spec to JSON and back (see migration_json.h).
 *
 * The properties, and the spec field each stands for (names as API.md and
 * Azure's migration resource spell them where they exist; the others are
 * pgshuttle's own, after the command-line option):
 *
 *   name (top level)       --name                      string
 *   sourceServer           --source                    string (conninfo)
 *   targetServer           --target                    string (conninfo)
 *   dbsToMigrate           --databases, --database     array of strings
 *   migrationMode          --mode                      "Offline" | "Online"
 *   migrationOption        --type                      "ValidateAndMigrate" | "Migrate" |
 *                                                      "Validate"
 *   sourceType             --source-type               "auto" | Azure's word ("AWS_RDS", ...)
 *   overwriteDbsInTarget   --overwrite                 boolean
 *   keepFailedDbsInTarget  --keep-failed               boolean
 *   jobs                   --jobs                      integer 1-256
 *   indexJobs              --index-jobs                integer 1-256
 *   splitTablesLargerThan  --split-tables-larger-than  bytes, or a size string ("256MB")
 *   maintenanceWorkMem     --maintenance-work-mem      size string ("512MB")
 *   toastCompression       --toast-compression         "lz4" | "pglz" | "server"
 *   decodingPlugin         --plugin                    "pgoutput" | "test_decoding" | null
 *   publication            --publication               string | null
 *   autoCutover            --cutover auto|signal       boolean
 *   resume                 --resume                    boolean
 *   replicaIdentityFull    --replica-identity-full     boolean
 *   reconnectTimeout       --reconnect-timeout         seconds, or a duration string ("10min")
 *
 * And the service's own, which has no option:
 *
 *   migrationWindowStartTimeInUtc   "2026-12-07T09:00:00Z" (ISO 8601, UTC) | null
 *
 * The names themselves are in migration.c's table (migration_spec_field_name),
 * which the rules' messages use too.
 */
#include "model/migration_json.h"
#include "model/source_type.h"
#include "model/utc_time.h"
#include "util/mem.h"

#include <stdlib.h>
#include <string.h>

/* How a property's JSON value becomes the text migration_spec_set() takes. */
enum json_kind {
    JK_STRING,     /* a string */
    JK_OPT_STRING, /* a string, or null for none */
    JK_BOOL,       /* true or false: if_true / if_false */
    JK_INT,        /* an integer */
    JK_SIZE,       /* an integer (bytes) or a size string */
    JK_SECONDS,    /* a number (seconds) or a duration string */
    JK_NAMES,      /* an array of strings (dbsToMigrate) */
};

static const struct {
    enum spec_field field;
    enum json_kind kind;
    const char *if_true, *if_false;
} props[] = {
    {SPEC_F_SOURCE, JK_STRING, NULL, NULL},
    {SPEC_F_TARGET, JK_STRING, NULL, NULL},
    {SPEC_F_DATABASES, JK_NAMES, NULL, NULL},
    {SPEC_F_MODE, JK_STRING, NULL, NULL},
    {SPEC_F_TYPE, JK_STRING, NULL, NULL},
    {SPEC_F_SOURCE_TYPE, JK_STRING, NULL, NULL},
    {SPEC_F_OVERWRITE, JK_BOOL, "true", "false"},
    {SPEC_F_KEEP_FAILED, JK_BOOL, "true", "false"},
    {SPEC_F_JOBS, JK_INT, NULL, NULL},
    {SPEC_F_INDEX_JOBS, JK_INT, NULL, NULL},
    {SPEC_F_SPLIT, JK_SIZE, NULL, NULL},
    {SPEC_F_MAINTENANCE_WORK_MEM, JK_STRING, NULL, NULL},
    {SPEC_F_TOAST_COMPRESSION, JK_STRING, NULL, NULL},
    {SPEC_F_PLUGIN, JK_OPT_STRING, NULL, NULL},
    {SPEC_F_PUBLICATION, JK_OPT_STRING, NULL, NULL},
    {SPEC_F_CUTOVER, JK_BOOL, "auto", "signal"},
    {SPEC_F_RESUME, JK_BOOL, "true", "false"},
    {SPEC_F_REPLICA_IDENTITY_FULL, JK_BOOL, "true", "false"},
    {SPEC_F_RECONNECT_TIMEOUT, JK_SECONDS, NULL, NULL},
};

#define N_PROPS (sizeof(props) / sizeof(props[0]))

/* The migration window's property: the service's own, no option, so not in migration.c's table. */
#define WINDOW_PROPERTY "migrationWindowStartTimeInUtc"

static const char *json_name(enum spec_field f)
{
    return migration_spec_field_name(f, SPEC_NAMING_JSON);
}

static void put(json_t *o, enum spec_field f, json_t *value)
{
    json_object_set_new(o, json_name(f), value ? value : json_null());
}

static json_t *string_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *server(const char *conninfo, enum spec_json_secrets secrets,
                      spec_conninfo_masker mask)
{
    if (conninfo == NULL)
        return json_null();
    if (secrets == SPEC_JSON_WITH_SECRETS)
        return json_string(conninfo);
    if (mask == NULL)
        return json_string("*****");
    char *masked = mask(conninfo);
    json_t *v = json_string(masked ? masked : "*****");
    free(masked);
    return v;
}

json_t *migration_spec_to_json(const struct migration_spec *s, enum spec_json_secrets secrets,
                               spec_conninfo_masker mask)
{
    json_t *p = json_object();
    put(p, SPEC_F_SOURCE, server(s->source, secrets, mask));
    put(p, SPEC_F_TARGET, server(s->target, secrets, mask));
    json_t *dbs = json_array();
    for (size_t i = 0; i < s->databases.n; i++)
        json_array_append_new(dbs, json_string(s->databases.items[i]));
    put(p, SPEC_F_DATABASES, dbs);
    put(p, SPEC_F_MODE, json_string(mig_mode_name(s->mode)));
    put(p, SPEC_F_TYPE, json_string(migration_type_api_word(s->type)));
    put(p, SPEC_F_SOURCE_TYPE, string_or_null(source_type_api_word(s->source_type)));
    put(p, SPEC_F_OVERWRITE, json_boolean(s->overwrite));
    put(p, SPEC_F_KEEP_FAILED, json_boolean(s->keep_failed));
    put(p, SPEC_F_JOBS, json_integer(s->jobs));
    put(p, SPEC_F_INDEX_JOBS, json_integer(s->index_jobs));
    put(p, SPEC_F_SPLIT, json_integer(s->split_bytes));
    put(p, SPEC_F_MAINTENANCE_WORK_MEM, string_or_null(s->maintenance_work_mem));
    put(p, SPEC_F_TOAST_COMPRESSION, string_or_null(s->toast_compression));
    put(p, SPEC_F_PLUGIN, string_or_null(s->plugin));
    put(p, SPEC_F_PUBLICATION, string_or_null(s->publication));
    put(p, SPEC_F_CUTOVER, json_boolean(s->cutover_auto));
    put(p, SPEC_F_RESUME, json_boolean(s->resume));
    put(p, SPEC_F_REPLICA_IDENTITY_FULL, json_boolean(s->replica_identity_full));
    put(p, SPEC_F_RECONNECT_TIMEOUT, json_real(s->reconnect_timeout));
    if (s->window_start > 0) {
        char when[UTC_TIME_SIZE];
        utc_time_format(s->window_start, when, sizeof(when));
        json_object_set_new(p, WINDOW_PROPERTY, json_string(when));
    } else
        json_object_set_new(p, WINDOW_PROPERTY, json_null());

    json_t *o = json_object();
    if (s->name)
        json_object_set_new(o, json_name(SPEC_F_NAME), json_string(s->name));
    json_object_set_new(o, "properties", p);
    return o;
}

/* Sets *error; returns false. */
static bool type_error(const char *name, const char *expected, char **error)
{
    *error = xasprintf("%s must be %s", name, expected);
    return false;
}

static bool read_names(struct migration_spec *s, const char *name, const json_t *v, char **error)
{
    if (!json_is_array(v))
        return type_error(name, "an array of strings", error);
    sl_free(&s->databases);
    for (size_t i = 0; i < json_array_size(v); i++) {
        const json_t *item = json_array_get(v, i);
        if (!json_is_string(item))
            return type_error(name, "an array of strings", error);
        sl_push(&s->databases, json_string_value(item));
    }
    return true;
}

/* The text form of v for a property of that kind into *text (caller frees), or a type error. */
static bool text_of(enum json_kind kind, size_t i, const char *name, const json_t *v, char **text,
                    char **error)
{
    switch (kind) {
    case JK_STRING:
    case JK_OPT_STRING:
        if (!json_is_string(v))
            return type_error(name, kind == JK_STRING ? "a string" : "a string or null", error);
        break;
    case JK_BOOL:
        if (!json_is_boolean(v))
            return type_error(name, "true or false", error);
        *text = xstrdup(json_is_true(v) ? props[i].if_true : props[i].if_false);
        return true;
    case JK_INT:
        if (!json_is_integer(v))
            return type_error(name, "an integer", error);
        break;
    case JK_SIZE:
        if (!json_is_integer(v) && !json_is_string(v))
            return type_error(name, "a number of bytes or a size such as \"256MB\"", error);
        break;
    case JK_SECONDS:
        if (!json_is_number(v) && !json_is_string(v))
            return type_error(name, "a number of seconds or a duration such as \"10min\"", error);
        break;
    case JK_NAMES:
        return type_error(name, "an array of strings", error);
    }
    if (json_is_string(v))
        *text = xstrdup(json_string_value(v));
    else if (json_is_integer(v))
        *text = xasprintf("%lld", (long long) json_integer_value(v));
    else
        *text = xasprintf("%.17g", json_real_value(v));
    return true;
}

static bool read_window(struct migration_spec *s, const json_t *v, char **error)
{
    double when = 0;
    if (json_is_null(v)) {
        s->window_start = 0;
        return true;
    }
    if (!json_is_string(v) || !utc_time_parse(json_string_value(v), &when) || when <= 0)
        return type_error(WINDOW_PROPERTY, "a UTC time such as \"2026-12-07T09:00:00Z\", or null",
                          error);
    s->window_start = when;
    return true;
}

static bool read_property(struct migration_spec *s, const char *key, const json_t *v, char **error)
{
    if (strcmp(key, WINDOW_PROPERTY) == 0)
        return read_window(s, v, error);
    for (size_t i = 0; i < N_PROPS; i++) {
        const char *name = json_name(props[i].field);
        if (strcmp(key, name) != 0)
            continue;
        if (props[i].kind == JK_NAMES)
            return read_names(s, name, v, error);
        if (props[i].kind == JK_OPT_STRING && json_is_null(v)) {
            char **field = props[i].field == SPEC_F_PLUGIN ? &s->plugin : &s->publication;
            free(*field);
            *field = NULL;
            return true;
        }
        char *text = NULL;
        if (!text_of(props[i].kind, i, name, v, &text, error))
            return false;
        bool ok = migration_spec_set(s, props[i].field, text, SPEC_NAMING_JSON, error);
        free(text);
        return ok;
    }
    *error = xasprintf("unknown field \"properties.%s\"", key);
    return false;
}

/*
 * The rules of migration_spec_check; with databases_optional, a spec naming
 * no database is checked as if it named one (every other rule holds).
 */
static bool check_spec(const struct migration_spec *s, bool databases_optional, char **error)
{
    if (!databases_optional || s->databases.n > 0)
        return migration_spec_check(s, SPEC_NAMING_JSON, error);
    struct migration_spec probe = *s; /* a shallow copy, read only */
    strlist one = STRLIST_INIT;
    sl_push(&one, "postgres");
    probe.databases = one;
    bool ok = migration_spec_check(&probe, SPEC_NAMING_JSON, error);
    sl_free(&one);
    return ok;
}

static bool read_spec(const json_t *doc, bool databases_optional, struct migration_spec *out,
                      char **error)
{
    if (!json_is_object(doc))
        return type_error("a migration", "a JSON object", error);
    const char *key;
    const json_t *v;
    const json_t *properties = NULL;
    json_object_foreach((json_t *) doc, key, v)
    {
        if (strcmp(key, "properties") == 0)
            properties = v;
        else if (strcmp(key, json_name(SPEC_F_NAME)) == 0) {
            if (!json_is_string(v))
                return type_error(key, "a string", error);
            if (!migration_spec_set(out, SPEC_F_NAME, json_string_value(v), SPEC_NAMING_JSON,
                                    error))
                return false;
        } else {
            *error = xasprintf("unknown field \"%s\"", key);
            return false;
        }
    }
    if (properties == NULL) {
        *error = xstrdup("properties is required");
        return false;
    }
    if (!json_is_object(properties))
        return type_error("properties", "an object", error);
    json_object_foreach((json_t *) properties, key, v)
    {
        if (!read_property(out, key, v, error))
            return false;
    }
    return check_spec(out, databases_optional, error);
}

bool migration_spec_from_json(const json_t *doc, struct migration_spec *out, char **error)
{
    migration_spec_init(out);
    if (read_spec(doc, false, out, error))
        return true;
    migration_spec_free(out);
    return false;
}

bool migration_spec_from_json_endpoints(const json_t *doc, struct migration_spec *out, char **error)
{
    migration_spec_init(out);
    if (read_spec(doc, true, out, error))
        return true;
    migration_spec_free(out);
    return false;
}

bool migration_spec_from_json_text(const char *text, struct migration_spec *out, char **error)
{
    json_error_t jerr;
    json_t *doc = json_loads(text ? text : "", JSON_REJECT_DUPLICATES, &jerr);
    if (doc == NULL) {
        memset(out, 0, sizeof(*out));
        /* jansson quotes the text "near" the fault, which may be part of a password: cut it. */
        char *near = strstr(jerr.text, " near '");
        if (near)
            *near = '\0';
        *error =
            xasprintf("not valid JSON: %s (line %d, column %d)", jerr.text, jerr.line, jerr.column);
        return false;
    }
    bool ok = migration_spec_from_json(doc, out, error);
    json_decref(doc);
    return ok;
}
