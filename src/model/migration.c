/* migration.c — migration properties and their rules (see migration.h). */
#include "model/migration.h"
#include "model/source_type.h"
#include "util/mem.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

void migration_spec_init(struct migration_spec *s)
{
    memset(s, 0, sizeof(*s));
    s->mode = MODE_OFFLINE;
    s->type = TYPE_VALIDATE_AND_MIGRATE;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    s->jobs = cores > 0 ? (int) cores : 2;
    s->index_jobs = s->jobs;
    s->source_type = xstrdup("auto");
    s->maintenance_work_mem = xstrdup("524288kB") /* 512MB, as --maintenance-work-mem stores it */;
    s->toast_compression = xstrdup("lz4");
    s->reconnect_timeout = MIGRATION_RECONNECT_TIMEOUT_DEFAULT;
}

bool migration_duration_parse(const char *s, double *seconds)
{
    static const struct {
        const char *unit;
        double seconds;
    } units[] = {{"", 1},     {"s", 1},  {"sec", 1},  {"ms", 0.001},
                 {"min", 60}, {"m", 60}, {"h", 3600}, {"hour", 3600}};
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || v < 0 || v != v)
        return false;
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
        if (strcasecmp(end, units[i].unit) == 0) {
            *seconds = v * units[i].seconds;
            return true;
        }
    return false;
}

bool migration_name_check(const char *name, char **error)
{
    static const char rule[] = "a name starts with a lowercase letter, followed by at most 62 "
                               "lowercase letters, digits or hyphens";
    size_t n = name ? strlen(name) : 0;
    bool ok = n >= 1 && n <= 63 && name[0] >= 'a' && name[0] <= 'z';
    for (size_t i = 1; ok && i < n; i++) {
        char c = name[i];
        ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    }
    if (!ok)
        *error = xasprintf("name: %s", rule);
    return ok;
}

void migration_spec_free(struct migration_spec *s)
{
    free(s->name);
    free(s->source);
    free(s->target);
    free(s->source_type);
    free(s->maintenance_work_mem);
    free(s->toast_compression);
    free(s->plugin);
    free(s->publication);
    sl_free(&s->databases);
    memset(s, 0, sizeof(*s));
}

/* Each field's option and JSON property (the JSON side is mapped in migration_json.c). */
static const char *const field_names[SPEC_F_COUNT][2] = {
    [SPEC_F_NAME] = {"--name", "name"},
    [SPEC_F_SOURCE] = {"--source", "sourceServer"},
    [SPEC_F_TARGET] = {"--target", "targetServer"},
    [SPEC_F_MODE] = {"--mode", "migrationMode"},
    [SPEC_F_TYPE] = {"--type", "migrationOption"},
    [SPEC_F_SOURCE_TYPE] = {"--source-type", "sourceType"},
    [SPEC_F_OVERWRITE] = {"--overwrite", "overwriteDbsInTarget"},
    [SPEC_F_KEEP_FAILED] = {"--keep-failed", "keepFailedDbsInTarget"},
    [SPEC_F_JOBS] = {"--jobs", "jobs"},
    [SPEC_F_INDEX_JOBS] = {"--index-jobs", "indexJobs"},
    [SPEC_F_SPLIT] = {"--split-tables-larger-than", "splitTablesLargerThan"},
    [SPEC_F_MAINTENANCE_WORK_MEM] = {"--maintenance-work-mem", "maintenanceWorkMem"},
    [SPEC_F_TOAST_COMPRESSION] = {"--toast-compression", "toastCompression"},
    [SPEC_F_PLUGIN] = {"--plugin", "decodingPlugin"},
    [SPEC_F_PUBLICATION] = {"--publication", "publication"},
    [SPEC_F_CUTOVER] = {"--cutover", "autoCutover"},
    [SPEC_F_RESUME] = {"--resume", "resume"},
    [SPEC_F_REPLICA_IDENTITY_FULL] = {"--replica-identity-full", "replicaIdentityFull"},
    [SPEC_F_RECONNECT_TIMEOUT] = {"--reconnect-timeout", "reconnectTimeout"},
    [SPEC_F_DATABASES] = {"--databases", "dbsToMigrate"},
};

/* migrationOption's words, Azure's spelling, by enum mig_type. */
static const char *const type_api_words[TYPE_COUNT] = {
    [TYPE_VALIDATE_AND_MIGRATE] = "ValidateAndMigrate",
    [TYPE_MIGRATE] = "Migrate",
    [TYPE_VALIDATE] = "Validate",
};

const char *migration_spec_field_name(enum spec_field f, enum spec_naming naming)
{
    if ((int) f < 0 || f >= SPEC_F_COUNT)
        return "?";
    return field_names[f][naming == SPEC_NAMING_JSON ? 1 : 0];
}

const char *migration_type_api_word(enum mig_type t)
{
    return ((int) t >= 0 && t < TYPE_COUNT) ? type_api_words[t] : "?";
}

/* Sets *error to the message (printf-style); returns false. */
static bool __attribute__((format(printf, 2, 3))) fail(char **error, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    *error = xvasprintf(fmt, ap);
    va_end(ap);
    return false;
}

/* Parses 512MB, 2GB, 100kB or a plain byte count; -1 and 0 pass through. */
static bool parse_size(const char *s, int64_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s)
        return false;
    int64_t mult = 1;
    if (strcasecmp(end, "kb") == 0 || strcasecmp(end, "k") == 0)
        mult = 1024;
    else if (strcasecmp(end, "mb") == 0 || strcasecmp(end, "m") == 0)
        mult = 1024 * 1024;
    else if (strcasecmp(end, "gb") == 0 || strcasecmp(end, "g") == 0)
        mult = 1024LL * 1024 * 1024;
    else if (*end)
        return false;
    *out = (int64_t) v * mult;
    return true;
}

static bool parse_jobs(const char *s, int *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (end == s || *end || v < 1 || v > 256)
        return false;
    *out = (int) v;
    return true;
}

static bool parse_bool(const char *s, bool *out)
{
    if (strcmp(s, "true") == 0 || strcmp(s, "false") == 0) {
        *out = s[0] == 't';
        return true;
    }
    return false;
}

static bool parse_type(const char *s, enum spec_naming naming, enum mig_type *out)
{
    if (naming == SPEC_NAMING_OPTION)
        return mig_type_parse(s, out);
    for (int t = 0; t < TYPE_COUNT; t++)
        if (strcmp(s, type_api_words[t]) == 0) {
            *out = (enum mig_type) t;
            return true;
        }
    return false;
}

/* The value of sourceType or --source-type as the spec keeps it (a name), or NULL. */
static const char *source_type_name(const char *s, enum spec_naming naming)
{
    if (naming == SPEC_NAMING_JSON)
        return source_type_from_api_word(s);
    return source_type_known(s) ? s : NULL;
}

static void replace(char **field, const char *value)
{
    free(*field);
    *field = value ? xstrdup(value) : NULL;
}

static bool set_bool(bool *field, const char *value, const char *name, char **error)
{
    if (!parse_bool(value, field))
        return fail(error, "%s must be true or false", name);
    return true;
}

/* The fields that are words from a fixed set (not an enum): their words, and the message's list. */
static bool set_word(char **field, const char *value, const char *const *words, const char *name,
                     const char *list, char **error)
{
    for (const char *const *w = words; *w; w++)
        if (strcmp(value, *w) == 0) {
            replace(field, value);
            return true;
        }
    return fail(error, "%s must be %s", name, list);
}

bool migration_spec_set(struct migration_spec *s, enum spec_field f, const char *value,
                        enum spec_naming naming, char **error)
{
    static const char *const toast_words[] = {"lz4", "pglz", "server", NULL};
    static const char *const plugin_words[] = {"pgoutput", "test_decoding", NULL};
    const char *name = migration_spec_field_name(f, naming);
    bool json = naming == SPEC_NAMING_JSON;
    int64_t bytes;
    if (value == NULL)
        return fail(error, "%s needs a value", name);
    switch (f) {
    case SPEC_F_NAME:
        replace(&s->name, value);
        return true;
    case SPEC_F_SOURCE:
        replace(&s->source, value);
        return true;
    case SPEC_F_TARGET:
        replace(&s->target, value);
        return true;
    case SPEC_F_MODE:
        if (!mig_mode_parse(value, &s->mode))
            return fail(error, "%s must be %s", name,
                        json ? "Offline or Online" : "offline or online");
        return true;
    case SPEC_F_TYPE:
        if (!parse_type(value, naming, &s->type))
            return fail(error, "%s must be %s", name,
                        json ? "ValidateAndMigrate, Migrate or Validate"
                             : "validate-and-migrate, migrate or validate");
        return true;
    case SPEC_F_SOURCE_TYPE: {
        const char *type = source_type_name(value, naming);
        if (type == NULL)
            return fail(error, "unknown %s \"%s\"", name, value);
        replace(&s->source_type, type);
        return true;
    }
    case SPEC_F_OVERWRITE:
        return set_bool(&s->overwrite, value, name, error);
    case SPEC_F_KEEP_FAILED:
        return set_bool(&s->keep_failed, value, name, error);
    case SPEC_F_RESUME:
        return set_bool(&s->resume, value, name, error);
    case SPEC_F_REPLICA_IDENTITY_FULL:
        return set_bool(&s->replica_identity_full, value, name, error);
    case SPEC_F_JOBS:
        if (!parse_jobs(value, &s->jobs))
            return fail(error, "%s must be a number from 1 to 256", name);
        return true;
    case SPEC_F_INDEX_JOBS:
        if (!parse_jobs(value, &s->index_jobs))
            return fail(error, "%s must be a number from 1 to 256", name);
        return true;
    case SPEC_F_SPLIT:
        if (!parse_size(value, &s->split_bytes))
            return fail(error, "%s takes a size, e.g. 256MB", name);
        return true;
    case SPEC_F_MAINTENANCE_WORK_MEM:
        if (!parse_size(value, &bytes) || bytes < 1024 * 1024)
            return fail(error, "%s takes a size of at least 1MB", name);
        free(s->maintenance_work_mem);
        s->maintenance_work_mem = xasprintf("%lldkB", (long long) (bytes / 1024));
        return true;
    case SPEC_F_TOAST_COMPRESSION:
        return set_word(&s->toast_compression, value, toast_words, name, "lz4, pglz or server",
                        error);
    case SPEC_F_PLUGIN:
        return set_word(&s->plugin, value, plugin_words, name, "pgoutput or test_decoding", error);
    case SPEC_F_PUBLICATION:
        if (value[0] == '\0' || strlen(value) >= 64)
            return fail(error, "%s takes the name of a publication (at most 63 bytes)", name);
        replace(&s->publication, value);
        return true;
    case SPEC_F_CUTOVER:
        if (strcmp(value, "auto") != 0 && strcmp(value, "signal") != 0)
            return fail(error, "%s must be auto or signal", name);
        s->cutover_auto = strcmp(value, "auto") == 0;
        return true;
    case SPEC_F_RECONNECT_TIMEOUT:
        if (!migration_duration_parse(value, &s->reconnect_timeout))
            return fail(error,
                        "%s takes a duration, e.g. 30s, 10min, 1h, or seconds (0 = do not retry)",
                        name);
        return true;
    case SPEC_F_DATABASES:
    case SPEC_F_COUNT:
        break;
    }
    return fail(error, "%s cannot be set from one value", name);
}

bool migration_endpoints_check(const char *source, const char *target, const strlist *databases,
                               enum spec_naming naming, char **error)
{
    bool json = naming == SPEC_NAMING_JSON;
    const char *dbs = migration_spec_field_name(SPEC_F_DATABASES, naming);
    if (source == NULL)
        return fail(error, "%s is required", migration_spec_field_name(SPEC_F_SOURCE, naming));
    if (target == NULL)
        return fail(error, "%s is required", migration_spec_field_name(SPEC_F_TARGET, naming));
    if (databases->n == 0)
        return fail(error, "%s is required (one or more names%s)", dbs,
                    json ? "" : ", comma-separated), or --database NAME (repeatable");
    for (size_t i = 0; i < databases->n; i++) {
        const char *db = databases->items[i];
        if (db[0] == '\0')
            return fail(error, "%s: a database name cannot be empty", dbs);
        /* Every server has its own; it accepts no connections, so nothing could read it. */
        if (strcmp(db, "template0") == 0)
            return fail(error, "database \"template0\" cannot be migrated: it is the pristine "
                               "template that every server has of its own (it accepts no "
                               "connections, and CREATE DATABASE copies it); leave it out");
        for (size_t j = 0; j < i; j++)
            if (strcmp(db, databases->items[j]) == 0)
                return fail(error, "database \"%s\" is named twice (%s)", db,
                            json ? dbs : "--databases, --database");
    }
    return true;
}

bool migration_spec_check(const struct migration_spec *s, enum spec_naming naming, char **error)
{
    if (!migration_endpoints_check(s->source, s->target, &s->databases, naming, error))
        return false;
    bool json = naming == SPEC_NAMING_JSON;
    if (s->mode != MODE_ONLINE) {
        enum spec_field given = s->resume                  ? SPEC_F_RESUME
                                : s->plugin                ? SPEC_F_PLUGIN
                                : s->publication           ? SPEC_F_PUBLICATION
                                : s->replica_identity_full ? SPEC_F_REPLICA_IDENTITY_FULL
                                                           : SPEC_F_COUNT;
        if (given != SPEC_F_COUNT)
            return fail(error, "%s is for %s only", migration_spec_field_name(given, naming),
                        json ? "migrationMode Online" : "--mode online");
    }
    if (s->publication && s->plugin && strcmp(s->plugin, "test_decoding") == 0)
        return fail(error, "%s is for pgoutput: test_decoding streams without a publication",
                    migration_spec_field_name(SPEC_F_PUBLICATION, naming));
    if (s->resume && s->overwrite)
        return fail(error,
                    "%s continues an interrupted migration into its target databases; it cannot "
                    "be combined with %s",
                    migration_spec_field_name(SPEC_F_RESUME, naming),
                    migration_spec_field_name(SPEC_F_OVERWRITE, naming));
    return true;
}
