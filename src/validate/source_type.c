/*
 * source_type.c — what kind of server the source is, read from the server
 * itself: managed services leave marks in roles, settings, extensions and
 * the version string. Anything without such marks is reported On-premises
 * (a VM in a cloud looks the same as a server in a data center).
 */
#include "util/mem.h"
#include "validate/internal.h"

#include <stdlib.h>
#include <string.h>

/* Marks, most specific first: a role, a setting prefix, or a version-string fragment. */
static const struct {
    const char *type;
    const char *role;
    const char *setting_prefix;
    const char *version_fragment;
} marks[] = {
    {"AWS Aurora", NULL, "apg_", NULL},
    {"AWS Aurora", NULL, "aurora.", NULL},
    {"AWS RDS", "rds_superuser", NULL, NULL},
    {"AWS RDS", NULL, "rds.", NULL},
    {"Google AlloyDB", "alloydbsuperuser", NULL, NULL},
    {"Google AlloyDB", NULL, "alloydb.", NULL},
    {"Google Cloud SQL", "cloudsqlsuperuser", NULL, NULL},
    {"Google Cloud SQL", NULL, "cloudsql.", NULL},
    {"Azure Database for PostgreSQL", "azure_pg_admin", NULL, NULL},
    {"Azure Database for PostgreSQL", NULL, "azure.", NULL},
    {"EDB", NULL, NULL, "EnterpriseDB"},
    {"EDB", NULL, "edb_", NULL},
};

char *validate_detect_source_type(pgconn *src)
{
    pgres *r = NULL;
    const char *sql =
        "SELECT (SELECT array_agg(rolname::text) FROM pg_catalog.pg_roles),"
        "       (SELECT array_agg(name) FROM pg_catalog.pg_settings),"
        "       pg_catalog.version()";
    if (!pgconn_query_quiet(src, sql, 0, NULL, &r)) {
        pgconn_clear_error(src);
        return xstrdup("On-premises");
    }
    const char *roles = pgres_get(r, 0, 0), *settings = pgres_get(r, 0, 1),
               *version = pgres_get(r, 0, 2);
    const char *found = NULL;
    for (size_t i = 0; found == NULL && i < sizeof(marks) / sizeof(marks[0]); i++) {
        if (marks[i].role && roles) {
            /* array text: {a,b,"c d"} — match whole elements */
            size_t n = strlen(marks[i].role);
            for (const char *p = strstr(roles, marks[i].role); p; p = strstr(p + 1, marks[i].role))
                if ((p[-1] == '{' || p[-1] == ',') && (p[n] == ',' || p[n] == '}'))
                    found = marks[i].type;
        }
        if (marks[i].setting_prefix && settings) {
            size_t n = strlen(marks[i].setting_prefix);
            for (const char *p = strstr(settings, marks[i].setting_prefix); p && !found;
                 p = strstr(p + 1, marks[i].setting_prefix))
                if (p[-1] == '{' || p[-1] == ',')
                    found = marks[i].type;
            (void) n;
        }
        if (marks[i].version_fragment && version && strstr(version, marks[i].version_fragment))
            found = marks[i].type;
    }
    pgres_free(r);
    return xstrdup(found ? found : "On-premises");
}
