/*
 * checks_extensions.c — can the target create every extension of the
 * database?
 *
 * The schema restore runs pg_dump's `CREATE EXTENSION IF NOT EXISTS x WITH
 * SCHEMA s`, with no version: the target creates its own default version.
 * So an extension must be available on the target (its control file is
 * there), the migrating role must be allowed to create it (a superuser, a
 * trusted extension on 13+, or a managed service's allow-list), and the
 * target's default version should not be older than the source's.
 */
#include "sql_embedded.h"
#include "util/mem.h"
#include "validate/internal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>


/* Contrib modules that left PostgreSQL: from this major on, no package brings them back. */
static const struct {
    const char *name;
    int removed_in;
} removed_extensions[] = {
    {"tsearch2", 10}, {"chkpass", 11}, {"timetravel", 12}, {"adminpack", 17}, {"old_snapshot", 17},
};

/* Extensions that ship with PostgreSQL itself (contrib), as opposed to separate packages. */
static const char *const contrib_extensions[] = {
    "adminpack",
    "amcheck",
    "autoinc",
    "bloom",
    "btree_gin",
    "btree_gist",
    "citext",
    "cube",
    "dblink",
    "dict_int",
    "dict_xsyn",
    "earthdistance",
    "file_fdw",
    "fuzzystrmatch",
    "hstore",
    "insert_username",
    "intagg",
    "intarray",
    "isn",
    "lo",
    "ltree",
    "moddatetime",
    "old_snapshot",
    "pageinspect",
    "pg_buffercache",
    "pg_freespacemap",
    "pg_logicalinspect",
    "pg_prewarm",
    "pg_stat_statements",
    "pg_surgery",
    "pg_trgm",
    "pg_visibility",
    "pg_walinspect",
    "pgcrypto",
    "pgrowlocks",
    "pgstattuple",
    "postgres_fdw",
    "refint",
    "seg",
    "sslinfo",
    "tablefunc",
    "tcn",
    "tsm_system_rows",
    "tsm_system_time",
    "unaccent",
    "uuid-ossp",
    "xml2",
};

static bool is_contrib(const char *name)
{
    for (size_t i = 0; i < sizeof(contrib_extensions) / sizeof(contrib_extensions[0]); i++)
        if (strcmp(name, contrib_extensions[i]) == 0)
            return true;
    return false;
}

static int removed_in(const char *name)
{
    for (size_t i = 0; i < sizeof(removed_extensions) / sizeof(removed_extensions[0]); i++)
        if (strcmp(name, removed_extensions[i].name) == 0)
            return removed_extensions[i].removed_in;
    return 0;
}

/*
 * Compares extension versions ("1.10" > "1.9", "2.0.1" > "2.0"): runs of
 * digits as numbers, runs of letters as text, '.', '-' and '_' separate.
 */
static int version_cmp(const char *a, const char *b)
{
    for (;;) {
        while (*a == '.' || *a == '-' || *a == '_')
            a++;
        while (*b == '.' || *b == '-' || *b == '_')
            b++;
        if (*a == '\0' || *b == '\0')
            return (*a != '\0') - (*b != '\0');
        bool da = isdigit((unsigned char) *a), db = isdigit((unsigned char) *b);
        if (da != db)
            return da ? 1 : -1; /* 1.0.1 is newer than 1.0beta */
        if (da) {
            while (*a == '0' && isdigit((unsigned char) a[1]))
                a++;
            while (*b == '0' && isdigit((unsigned char) b[1]))
                b++;
            size_t la = 0, lb = 0;
            while (isdigit((unsigned char) a[la]))
                la++;
            while (isdigit((unsigned char) b[lb]))
                lb++;
            if (la != lb)
                return la < lb ? -1 : 1;
            int c = strncmp(a, b, la);
            if (c)
                return c < 0 ? -1 : 1;
            a += la;
            b += lb;
        } else {
            size_t la = 0, lb = 0;
            while (a[la] && !isdigit((unsigned char) a[la]) && !strchr(".-_", a[la]))
                la++;
            while (b[lb] && !isdigit((unsigned char) b[lb]) && !strchr(".-_", b[lb]))
                lb++;
            int c = strncmp(a, b, la < lb ? la : lb);
            if (c == 0 && la != lb)
                c = la < lb ? -1 : 1;
            if (c)
                return c < 0 ? -1 : 1;
            a += la;
            b += lb;
        }
    }
}

/* True when name is in a comma-separated allow-list such as azure.extensions. */
static bool in_list(const char *list, const char *name)
{
    size_t n = strlen(name);
    const char *p = list;
    while (*p) {
        while (*p == ' ' || *p == ',')
            p++;
        const char *end = p;
        while (*end && *end != ',')
            end++;
        const char *last = end;
        while (last > p && last[-1] == ' ')
            last--;
        if ((size_t) (last - p) == n && strncasecmp(p, name, n) == 0)
            return true;
        if ((size_t) (last - p) == 1 && *p == '*')
            return true;
        p = end;
    }
    return false;
}

/* What the target allows beyond its files: the migrating role and managed-service allow-lists. */
struct target_rules {
    char *role; /* owned: current_user on the target */
    bool superuser;
    bool managed;      /* a managed service decides who may create what */
    char *azure_list;  /* owned: azure.extensions, NULL when not set */
    char *rds_allowed; /* owned: rds.allowed_extensions, NULL when not set */
};

static bool read_target_rules(pgconn *dst, struct target_rules *t)
{
    memset(t, 0, sizeof(*t));
    pgres *r = NULL;
    if (!pgconn_query(dst,
                      "SELECT current_user, r.rolsuper FROM pg_catalog.pg_roles r "
                      "WHERE r.rolname = current_user",
                      0, NULL, &r))
        return false;
    if (pgres_ntuples(r) > 0) {
        t->role = xstrdup(pgres_get(r, 0, 0));
        t->superuser = pgres_get_bool(r, 0, "rolsuper");
    }
    pgres_free(r);
    if (!pgconn_query(dst,
                      "SELECT name, setting FROM pg_catalog.pg_settings "
                      "WHERE name IN ('azure.extensions', 'rds.allowed_extensions') "
                      "OR name ~ '^(azure|rds|cloudsql|alloydb)\\.'",
                      0, NULL, &r))
        return false;
    for (int i = 0; i < pgres_ntuples(r); i++) {
        const char *name = pgres_get(r, i, 0), *value = pgres_get(r, i, 1);
        t->managed = true;
        if (strcmp(name, "azure.extensions") == 0 && value)
            t->azure_list = xstrdup(value);
        else if (strcmp(name, "rds.allowed_extensions") == 0 && value && value[0])
            t->rds_allowed = xstrdup(value);
    }
    pgres_free(r);
    return true;
}

/* The target's rows for one extension: its default version and whether version v exists. */
struct target_ext {
    const char *default_version; /* NULL: not available at all */
    bool default_needs_superuser;
    bool has_source_version;
};

static struct target_ext find_target(const pgres *avail, const char *name, const char *version)
{
    struct target_ext t = {0};
    for (int i = 0; i < pgres_ntuples(avail); i++) {
        if (strcmp(pgres_get(avail, i, 0), name) != 0)
            continue;
        if (strcmp(pgres_get(avail, i, 1), version) == 0)
            t.has_source_version = true;
        if (pgres_get_bool(avail, i, "is_default")) {
            t.default_version = pgres_getn(avail, i, "default_version");
            t.default_needs_superuser =
                pgres_get_bool(avail, i, "superuser") && !pgres_get_bool(avail, i, "trusted");
        }
        /* A default version without its own row (no script yet) still names the extension. */
        if (t.default_version == NULL)
            t.default_version = pgres_getn(avail, i, "default_version");
    }
    return t;
}

void check_extensions(struct vctx *ctx, struct check_outcome *out)
{
    if (ctx->src_db == NULL || ctx->dst == NULL)
        return vc_skip(out);
    pgres *src = NULL, *avail = NULL;
    if (!pgconn_query(ctx->src_db, sql_text("validate_db_extensions"), 0, NULL, &src))
        return vc_query_failed(out, ctx->src_db, "listing the extensions of the source database");
    if (!pgconn_query_quiet(ctx->dst, sql_text("validate_db_target_extensions"), 0, NULL, &avail)) {
        /* A control file the server cannot parse breaks the whole view, not CREATE EXTENSION. */
        char *err = str_first_lines(pgconn_error_message(ctx->dst), 1);
        pgconn_clear_error(ctx->dst);
        if (pgres_ntuples(src) == 0)
            vc_ok(out, "the database uses no extension besides plpgsql");
        else {
            char *l = vc_list(src, 0, VC_LIST_MAX);
            vc_warn(out,
                    "the target could not list its available extensions (%s), so these "
                    "could not be checked: %s",
                    err, l);
            vc_fix(out, "Fix or remove the control file the target server complains about, or "
                        "check by hand that it can create these extensions.");
            free(l);
        }
        free(err);
        pgres_free(src);
        return;
    }
    struct target_rules rules;
    if (!read_target_rules(ctx->dst, &rules)) {
        pgres_free(src);
        pgres_free(avail);
        return vc_query_failed(out, ctx->dst, "reading the target role and extension settings");
    }

    int tmajor = pgconn_server_major(ctx->dst);
    strlist all = STRLIST_INIT, missing = STRLIST_INIT, need_super = STRLIST_INIT,
            not_allowed = STRLIST_INIT, older = STRLIST_INIT, newer = STRLIST_INIT;
    bool missing_contrib = false, missing_other = false, missing_removed = false;
    for (int i = 0; i < pgres_ntuples(src); i++) {
        const char *name = pgres_get(src, i, 0), *version = pgres_get(src, i, 1);
        sl_push_owned(&all, xasprintf("%s %s", name, version));
        struct target_ext t = find_target(avail, name, version);
        if (t.default_version == NULL) {
            int gone = removed_in(name);
            if (gone && tmajor >= gone) {
                sl_push_owned(&missing,
                              xasprintf("%s %s (removed from PostgreSQL %d)", name, version, gone));
                missing_removed = true;
            } else {
                sl_push_owned(&missing, xasprintf("%s %s", name, version));
                if (is_contrib(name))
                    missing_contrib = true;
                else
                    missing_other = true;
            }
            continue;
        }
        int c = version_cmp(t.default_version, version);
        if (c > 0)
            sl_push_owned(&newer, xasprintf("%s %s -> %s", name, version, t.default_version));
        else if (c < 0)
            sl_push_owned(&older,
                          xasprintf("%s %s (the target has %s%s)", name, version, t.default_version,
                                    t.has_source_version ? " by default" : " at most"));
        if (rules.azure_list && !in_list(rules.azure_list, name))
            sl_push_owned(&not_allowed, xasprintf("%s (azure.extensions)", name));
        else if (rules.rds_allowed && !in_list(rules.rds_allowed, name))
            sl_push_owned(&not_allowed, xasprintf("%s (rds.allowed_extensions)", name));
        else if (!rules.superuser && !rules.managed && t.default_needs_superuser)
            sl_push(&need_super, name);
    }

    strbuf msg = STRBUF_INIT;
    if (missing.n) {
        char *a = vc_join(&missing, ", ", VC_LIST_MAX);
        sb_printf(&msg, "%zu %s of the database %s not available on the target (PostgreSQL %d): %s",
                  missing.n, missing.n == 1 ? "extension" : "extensions",
                  missing.n == 1 ? "is" : "are", tmajor, a);
        free(a);
    }
    if (not_allowed.n) {
        char *a = vc_join(&not_allowed, ", ", VC_LIST_MAX);
        sb_printf(&msg, "%snot allowed by the target's allow-list: %s", msg.len ? "; " : "", a);
        free(a);
    }
    if (need_super.n) {
        char *a = vc_join(&need_super, ", ", VC_LIST_MAX);
        sb_printf(&msg,
                  "%sonly a superuser can create %s on the target (not trusted), and the target "
                  "role %s is not one",
                  msg.len ? "; " : "", a, rules.role ? rules.role : "?");
        free(a);
    }
    bool failed = msg.len > 0;
    if (older.n) {
        char *a = vc_join(&older, ", ", VC_LIST_MAX);
        sb_printf(&msg,
                  "%solder on the target, which creates its default version (objects of the "
                  "newer version that the schema uses may be missing): %s",
                  msg.len ? "; " : "", a);
        free(a);
    }
    bool warned = !failed && older.n > 0;

    if (failed || warned) {
        if (failed)
            vc_fail(out, "%s", sb_str(&msg));
        else
            vc_warn(out, "%s", sb_str(&msg));
        if (missing_contrib || missing_other) {
            if (missing_contrib)
                vc_fix(out,
                       "Install PostgreSQL's contrib modules on the target server "
                       "(postgresql%d-contrib on RHEL-like systems; part of postgresql-%d "
                       "on Debian/Ubuntu).",
                       tmajor, tmajor);
            if (missing_other)
                vc_fix(out,
                       "Install the package that provides each missing extension on the "
                       "target server (on Debian/Ubuntu from apt.postgresql.org: "
                       "postgresql-%d-<name>, e.g. postgresql-%d-postgis-3), for "
                       "PostgreSQL %d.",
                       tmajor, tmajor, tmajor);
            vc_fix(out, "On a managed service, use an extension it supports and allow-list it "
                        "(Azure: server parameter azure.extensions; AWS RDS: "
                        "rds.allowed_extensions, see rds.extensions; Google Cloud SQL: the "
                        "supported extensions list).");
        }
        if (missing_removed)
            vc_fix(out, "Extensions removed from PostgreSQL cannot be created on the target: "
                        "drop them on the source if nothing uses them (DROP EXTENSION name;), "
                        "or replace what uses them.");
        if (not_allowed.n)
            vc_fix(out, "Add the extensions to the target's allow-list parameter (Azure: "
                        "azure.extensions; AWS RDS: rds.allowed_extensions) and try again.");
        if (need_super.n)
            vc_fix(out, "Run the migration with a superuser on the target, or have a superuser "
                        "mark the extensions trusted (trusted = true in their control file, 13+; "
                        "only for extensions that are safe for it).");
        if (older.n)
            vc_fix(out, "Upgrade the extension packages on the target so their default version "
                        "is at least the source's.");
    } else if (all.n == 0)
        vc_ok(out, "the database uses no extension besides plpgsql");
    else {
        char *a = vc_join(&all, ", ", VC_LIST_MAX);
        sb_reset(&msg);
        sb_printf(&msg, "the %zu %s of the database %s available on the target: %s", all.n,
                  all.n == 1 ? "extension" : "extensions", all.n == 1 ? "is" : "are", a);
        free(a);
        if (newer.n) {
            a = vc_join(&newer, ", ", VC_LIST_MAX);
            sb_printf(&msg,
                      "; the target creates a newer default version (pg_dump's CREATE EXTENSION "
                      "names none): %s",
                      a);
            free(a);
        }
        vc_ok(out, "%s", sb_str(&msg));
    }

    sb_free(&msg);
    sl_free(&all);
    sl_free(&missing);
    sl_free(&need_super);
    sl_free(&not_allowed);
    sl_free(&older);
    sl_free(&newer);
    free(rules.role);
    free(rules.azure_list);
    free(rules.rds_allowed);
    pgres_free(src);
    pgres_free(avail);
}
