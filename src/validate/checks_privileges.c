/*
 * checks_privileges.c — may the roles pgshuttle connects as do what a
 * migration asks of them, and does the target load the libraries the
 * source's extensions need:
 *   - the source role can read every table, materialized view, sequence and
 *     large object of the chosen databases (and no row-level security hides
 *     rows from it);
 *   - the target role can create (and with --overwrite drop) the databases,
 *     and give them their owners, and it is a member of the roles that own
 *     the objects in them (it gives them back their owners);
 *   - the extensions installed on the source whose library must be in
 *     shared_preload_libraries find it there on the target.
 * They look into each chosen source database through a connection of their
 * own, closed before they return.
 */
#include "pg/conninfo.h"
#include "pg/quote.h"
#include "sql_embedded.h"
#include "util/mem.h"
#include "validate/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* At most this many objects are named in one message (then "and N more"). */
#define LIST_MAX 20

/*
 * Opens database db on the source as the source role; NULL when it cannot
 * (the Source database check says why).
 */
static pgconn *open_source_db(struct vctx *ctx, const char *db)
{
    char *ci = pgconninfo_set(ctx->spec->source, "dbname", db);
    char label[128];
    snprintf(label, sizeof(label), "source db=%s", db);
    pgconn *c = NULL;
    if (ci == NULL || !pgconn_connect_quiet(&c, ci, label) || !pgconn_set_session_defaults(c)) {
        pgconn_close(c);
        c = NULL;
    }
    free(ci);
    return c;
}

/* ---- source read privileges --------------------------------------------- */

/* Appends why row i of the read-privileges query cannot be read, e.g. "table: no SELECT". */
static void unreadable_reason(strbuf *sb, const pgres *r, int i)
{
    const char *sep = "";
    sb_printf(sb, "%s: ", pgres_get(r, i, 1));
    if (!pgres_get_bool(r, i, "usage_ok")) {
        sb_printf(sb, "no USAGE on schema %s", pgres_get(r, i, 2));
        sep = ", ";
    }
    if (!pgres_get_bool(r, i, "select_ok")) {
        sb_printf(sb, "%sno SELECT", sep);
        sep = ", ";
    }
    if (pgres_get_bool(r, i, "rls_hides"))
        sb_printf(sb, "%srow-level security would hide rows, no BYPASSRLS", sep);
}

struct read_scan {
    char *role_ident;      /* owned: the source role, quoted */
    int problems;          /* objects that cannot be read */
    int listed;            /* of which named in list */
    bool rls;              /* some of them only because of row-level security */
    strbuf list;           /* "db: name (why)", the first LIST_MAX */
    strbuf grants;         /* GRANT statements for the listed ones */
    const char *grants_db; /* the database the last GRANTs are for */
};

/* Starts the GRANTs of database db unless the last ones were for it already. */
static void grants_in(struct read_scan *scan, const char *db)
{
    if (scan->grants_db && strcmp(scan->grants_db, db) == 0)
        return;
    sb_printf(&scan->grants, "%sin database %s:", scan->grants.len ? " " : "", db);
    scan->grants_db = db;
}

/* Adds the unreadable relations of one database to scan; false when the query failed. */
static bool scan_relations(pgconn *c, const char *db, struct read_scan *scan)
{
    pgres *r = NULL;
    if (!pgconn_query(c, sql_text("validate_instance_read_privileges"), 0, NULL, &r))
        return false;
    strlist schemas = STRLIST_INIT; /* schemas already given a GRANT USAGE */
    for (int i = 0; i < pgres_ntuples(r); i++) {
        if (pgres_get_bool(r, i, "rls_hides"))
            scan->rls = true;
        scan->problems++;
        if (scan->listed >= LIST_MAX)
            continue;
        scan->listed++;
        sb_printf(&scan->list, "%s%s: %s (", scan->list.len ? "; " : "", db, pgres_get(r, i, 0));
        unreadable_reason(&scan->list, r, i);
        sb_append(&scan->list, ")");

        const char *schema = pgres_get(r, i, 2);
        bool need_usage = !pgres_get_bool(r, i, "usage_ok") && !sl_contains(&schemas, schema);
        bool need_select = !pgres_get_bool(r, i, "select_ok");
        if (!need_usage && !need_select)
            continue;
        grants_in(scan, db);
        if (need_usage) {
            sb_printf(&scan->grants, " GRANT USAGE ON SCHEMA %s TO %s;", schema, scan->role_ident);
            sl_push(&schemas, schema);
        }
        if (need_select)
            sb_printf(&scan->grants, " GRANT SELECT ON %s %s TO %s;",
                      strcmp(pgres_get(r, i, 1), "sequence") == 0 ? "SEQUENCE" : "TABLE",
                      pgres_get(r, i, 0), scan->role_ident);
    }
    sl_free(&schemas);
    pgres_free(r);
    return true;
}

/* Adds the large objects of one database the role may not read; false when the query failed. */
static bool scan_large_objects(pgconn *c, const char *db, struct read_scan *scan)
{
    pgres *r = NULL;
    char limit[16];
    snprintf(limit, sizeof(limit), "%d", LIST_MAX);
    const char *params[] = {limit};
    if (!pgconn_query(c, sql_text("validate_instance_large_objects"), 1, params, &r))
        return false;
    int n = pgres_ntuples(r);
    scan->problems += n ? (int) pgres_get_int64(r, 0, "total", n) : 0;
    for (int i = 0; i < n && scan->listed < LIST_MAX; i++) {
        scan->listed++;
        sb_printf(&scan->list, "%s%s: large object %s (no SELECT)", scan->list.len ? "; " : "", db,
                  pgres_get(r, i, 0));
        grants_in(scan, db);
        sb_printf(&scan->grants, " GRANT SELECT ON LARGE OBJECT %s TO %s;", pgres_get(r, i, 0),
                  scan->role_ident);
    }
    pgres_free(r);
    return true;
}

void check_source_read_privileges(struct vctx *ctx, struct check_outcome *out)
{
    if (ctx->src == NULL)
        return vc_skip(out);
    pgres *r = NULL;
    if (!pgconn_query(ctx->src,
                      "SELECT current_user, rolsuper, current_setting('lo_compat_privileges') "
                      "FROM pg_catalog.pg_roles WHERE rolname = current_user",
                      0, NULL, &r))
        return vc_query_failed(out, ctx->src, "reading the source role's attributes");
    if (pgres_ntuples(r) == 0) {
        pgres_free(r);
        return vc_fail(out, "the source role was not found in pg_roles");
    }
    char *role = xstrdup(pgres_get(r, 0, 0));
    bool super = pgres_get_bool(r, 0, "rolsuper");
    bool lo_compat = strcmp(pgres_get(r, 0, 2), "on") == 0;
    pgres_free(r);
    if (super) {
        vc_ok(out, "the source role %s is a superuser: it can read everything", role);
        free(role);
        return;
    }

    struct read_scan scan = {.role_ident = pgq_ident_dup(role)};
    strlist unopened = STRLIST_INIT;
    for (size_t d = 0; d < ctx->spec->databases.n; d++) {
        const char *db = ctx->spec->databases.items[d];
        pgconn *c = open_source_db(ctx, db);
        if (c == NULL) {
            sl_push(&unopened, db);
            continue;
        }
        bool ok = scan_relations(c, db, &scan) && (lo_compat || scan_large_objects(c, db, &scan));
        if (!ok) {
            char what[160];
            snprintf(what, sizeof(what), "checking the privileges in database \"%s\"", db);
            vc_query_failed(out, c, what);
            pgconn_close(c);
            goto done;
        }
        pgconn_close(c);
    }

    char *skipped = sl_join(&unopened, ", ");
    char more[48] = "";
    if (scan.problems > scan.listed)
        snprintf(more, sizeof(more), "; and %d more", scan.problems - scan.listed);
    if (scan.problems) {
        vc_fail(out,
                "the source role %s cannot read %d %s of the chosen databases, so the copy would "
                "fail or miss rows: %s%s%s%s",
                role, scan.problems, scan.problems == 1 ? "object" : "objects", sb_str(&scan.list),
                more, unopened.n ? "; not checked (cannot be opened): " : "", skipped);
        if (scan.grants.len)
            vc_fix(out, "as the owner of the objects or a superuser, %s", sb_str(&scan.grants));
        if (scan.problems > scan.listed)
            vc_fix(out,
                   "For whole schemas: GRANT SELECT ON ALL TABLES IN SCHEMA s TO %s; GRANT "
                   "SELECT ON ALL SEQUENCES IN SCHEMA s TO %s;",
                   scan.role_ident, scan.role_ident);
        if (scan.rls)
            vc_fix(out, "Row-level security: as a superuser, ALTER ROLE %s BYPASSRLS;",
                   scan.role_ident);
        if (!lo_compat && strstr(sb_str(&scan.list), "large object"))
            vc_fix(out, "(Large objects: pg_read_all_data does not cover them; or, server-wide, "
                        "lo_compat_privileges = on.)");
    } else if (unopened.n) {
        vc_warn(out,
                "the source role %s can read every table, sequence and large object of the "
                "databases it could open; not checked (cannot be opened): %s",
                role, skipped);
    } else {
        vc_ok(out,
              "the source role %s can read every table, materialized view, sequence%s in the "
              "chosen databases",
              role, lo_compat ? "" : " and large object");
    }
    free(skipped);
done:
    sl_free(&unopened);
    sb_free(&scan.list);
    sb_free(&scan.grants);
    free(scan.role_ident);
    free(role);
}

/* ---- target database creation ------------------------------------------- */

/*
 * What would keep the (non-superuser) target role from dropping (with
 * --overwrite) and creating each chosen database with its source owner:
 * appends the problems and the statements that fix them. False when a
 * query failed (the error is in ctx->dst).
 */
static bool create_problems(struct vctx *ctx, const char *ident, strbuf *problems, strbuf *fixes)
{
    /* CREATE DATABASE ... OWNER needs SET ROLE on the owner from 16 on, membership before. */
    const char *member_priv = pgconn_server_version(ctx->dst) >= 160000 ? "SET" : "MEMBER";
    strlist owners = STRLIST_INIT, owned = STRLIST_INIT; /* source owner of each database */
    strlist owners_done = STRLIST_INIT;
    bool ok = true;
    for (size_t d = 0; ok && d < ctx->spec->databases.n; d++) {
        const char *db = ctx->spec->databases.items[d];
        const char *p1[] = {db};
        pgres *r = NULL;
        /* An existing target database is dropped first with --overwrite: only its owner may. */
        if (vc_overwriting(ctx)) {
            if (!pgconn_query(ctx->dst,
                              "SELECT pg_catalog.pg_get_userbyid(datdba), "
                              "pg_catalog.pg_has_role(datdba, 'USAGE') AS owned "
                              "FROM pg_catalog.pg_database WHERE datname = $1",
                              1, p1, &r)) {
                ok = false;
                break;
            }
            if (pgres_ntuples(r) > 0 && !pgres_get_bool(r, 0, "owned")) {
                char *dbi = pgq_ident_dup(db);
                sb_printf(problems,
                          "%scannot drop the existing database %s on the target "
                          "(--overwrite): it belongs to %s, and only its owner or a "
                          "superuser may drop it",
                          problems->len ? "; " : "", db, pgres_get(r, 0, 0));
                sb_printf(fixes, "%sALTER DATABASE %s OWNER TO %s;", fixes->len ? " " : "", dbi,
                          ident);
                free(dbi);
            }
            pgres_free(r);
        }
        /* pgshuttle creates the database with its source owner when that role exists on the target.
         */
        char *owner = NULL;
        if (ctx->src && !pgconn_query_value(ctx->src,
                                            "SELECT pg_catalog.pg_get_userbyid(datdba) "
                                            "FROM pg_catalog.pg_database WHERE datname = $1",
                                            1, p1, &owner))
            pgconn_clear_error(ctx->src); /* only refines the check */
        if (owner) {
            sl_push(&owners, owner);
            sl_push(&owned, db);
        }
        free(owner);
    }
    /* One line per owner the role cannot create databases for: "databases a, b ... owner x". */
    for (size_t i = 0; ok && i < owners.n; i++) {
        if (sl_contains(&owners_done, owners.items[i]))
            continue;
        sl_push(&owners_done, owners.items[i]);
        const char *p2[] = {owners.items[i], member_priv};
        char *can = NULL;
        if (!pgconn_query_value(ctx->dst,
                                "SELECT pg_catalog.pg_has_role(oid, $2) FROM pg_catalog.pg_roles "
                                "WHERE rolname = $1",
                                2, p2, &can))
            ok = false;
        else if (can && strcmp(can, "f") == 0) { /* NULL: no such role, created without OWNER */
            strlist dbs = STRLIST_INIT;
            for (size_t j = i; j < owners.n; j++)
                if (strcmp(owners.items[j], owners.items[i]) == 0)
                    sl_push(&dbs, owned.items[j]);
            char *names = sl_join(&dbs, ", ");
            char *oi = pgq_ident_dup(owners.items[i]);
            sb_printf(problems,
                      "%scannot create %s %s with %s owner %s (CREATE DATABASE ... OWNER "
                      "needs membership in that role)",
                      problems->len ? "; " : "", dbs.n == 1 ? "database" : "databases", names,
                      dbs.n == 1 ? "its" : "their", owners.items[i]);
            sb_printf(fixes, "%sGRANT %s TO %s;", fixes->len ? " " : "", oi, ident);
            free(oi);
            free(names);
            sl_free(&dbs);
        }
        free(can);
    }
    sl_free(&owners);
    sl_free(&owned);
    sl_free(&owners_done);
    return ok;
}

void check_target_create_database(struct vctx *ctx, struct check_outcome *out)
{
    if (ctx->dst == NULL)
        return vc_skip(out);
    pgres *r = NULL;
    if (!pgconn_query(ctx->dst,
                      "SELECT current_user, rolsuper, rolcreatedb FROM pg_catalog.pg_roles "
                      "WHERE rolname = current_user",
                      0, NULL, &r))
        return vc_query_failed(out, ctx->dst, "reading the target role's attributes");
    if (pgres_ntuples(r) == 0) {
        pgres_free(r);
        return vc_fail(out, "the target role was not found in pg_roles");
    }
    char *role = xstrdup(pgres_get(r, 0, 0));
    char *ident = pgq_ident_dup(role);
    bool super = pgres_get_bool(r, 0, "rolsuper"), createdb = pgres_get_bool(r, 0, "rolcreatedb");
    pgres_free(r);

    strbuf problems = STRBUF_INIT, fixes = STRBUF_INIT;
    if (super)
        vc_ok(out, "the target role %s is a superuser: it can create the databases%s", role,
              vc_overwriting(ctx) ? " and drop existing ones" : "");
    else {
        if (!createdb) {
            sb_printf(&problems, "the target role %s may not create databases (no CREATEDB)", role);
            sb_printf(&fixes, "ALTER ROLE %s CREATEDB;", ident);
        }
        if (!create_problems(ctx, ident, &problems, &fixes))
            vc_query_failed(out, ctx->dst, "checking the owners of the databases");
        else if (problems.len) {
            vc_fail(out, "%s", sb_str(&problems));
            vc_fix(out, "as a superuser (or the service's admin role): %s", sb_str(&fixes));
        } else {
            vc_warn(out,
                    "the target role %s can create the databases, but is not a superuser: "
                    "objects owned by other roles are given to them with ALTER ... OWNER TO, "
                    "which needs membership in those roles, and objects only a superuser may "
                    "create (C-language functions, event triggers, untrusted languages) will fail",
                    role);
            vc_fix(out,
                   "GRANT each role that owns objects in the source databases TO %s; or "
                   "migrate as a superuser.",
                   ident);
        }
    }
    sb_free(&problems);
    sb_free(&fixes);
    free(ident);
    free(role);
}

/* ---- libraries the extensions need preloaded ------------------------------ */

/*
 * Extensions whose library must be in shared_preload_libraries. required:
 * CREATE EXTENSION (or loading the library) fails without it; otherwise the
 * extension installs but does not do its work. source_preloaded_only: warn
 * only when the source preloads the library too (an optional worker).
 */
static const struct preload_ext {
    const char *extension;
    const char *library;
    bool required;
    bool source_preloaded_only;
    const char *without;
} preload_exts[] = {
    {"timescaledb", "timescaledb", true, false, "CREATE EXTENSION timescaledb fails"},
    {"citus", "citus", true, false, "CREATE EXTENSION citus fails"},
    {"pglogical", "pglogical", true, false, "pglogical cannot be created or run"},
    {"pg_cron", "pg_cron", true, false, "CREATE EXTENSION pg_cron fails"},
    {"pgaudit", "pgaudit", true, false, "CREATE EXTENSION pgaudit fails"},
    {"pg_stat_kcache", "pg_stat_kcache", true, false, "its library refuses to load"},
    {"pg_qualstats", "pg_qualstats", true, false, "its library refuses to load"},
    {"pg_stat_statements", "pg_stat_statements", false, false,
     "it installs, but collects nothing and its views raise an error"},
    {"pg_partman", "pg_partman_bgw", false, true,
     "partitions are not maintained in the background (run_maintenance() must be called)"},
    {"pg_hint_plan", "pg_hint_plan", false, false,
     "hints are ignored in sessions that do not LOAD it"},
    {"pg_squeeze", "pg_squeeze", false, false, "its background worker does not run"},
    {"pg_wait_sampling", "pg_wait_sampling", false, false, "it samples nothing"},
};
#define N_PRELOAD_EXTS (sizeof(preload_exts) / sizeof(preload_exts[0]))

/*
 * Reads a server's shared_preload_libraries into libs as bare library names
 * ("$libdir/x.so" and "x" are both "x"). False when the role may not see the
 * setting (it needs superuser or pg_read_all_settings).
 */
static bool read_preload(pgconn *c, strlist *libs, char **raw)
{
    char *v = NULL;
    *raw = NULL;
    if (!pgconn_query_value(c,
                            "SELECT setting FROM pg_catalog.pg_settings "
                            "WHERE name = 'shared_preload_libraries'",
                            0, NULL, &v) ||
        v == NULL) {
        pgconn_clear_error(c);
        free(v);
        return false;
    }
    strlist items = STRLIST_INIT;
    sl_split(&items, v, ',');
    for (size_t i = 0; i < items.n; i++) {
        char *s = items.items[i];
        size_t n = strlen(s);
        if (n >= 2 && s[0] == '"' && s[n - 1] == '"') {
            s[n - 1] = '\0';
            s++;
        }
        const char *slash = strrchr(s, '/');
        char *name = xstrdup(slash ? slash + 1 : s);
        n = strlen(name);
        if (n > 3 && strcmp(name + n - 3, ".so") == 0)
            name[n - 3] = '\0';
        if (name[0] && !sl_contains(libs, name))
            sl_push(libs, name);
        free(name);
    }
    sl_free(&items);
    *raw = v;
    return true;
}

void check_extension_parameters(struct vctx *ctx, struct check_outcome *out)
{
    if (ctx->src == NULL || ctx->dst == NULL)
        return vc_skip(out);

    /* Which of the listed extensions each chosen database has. */
    strlist in_dbs[N_PRELOAD_EXTS];
    memset(in_dbs, 0, sizeof(in_dbs));
    strlist unopened = STRLIST_INIT;
    for (size_t d = 0; d < ctx->spec->databases.n; d++) {
        const char *db = ctx->spec->databases.items[d];
        pgconn *c = open_source_db(ctx, db);
        pgres *r = NULL;
        if (c == NULL) {
            sl_push(&unopened, db);
            continue;
        }
        if (!pgconn_query(c, "SELECT extname FROM pg_catalog.pg_extension", 0, NULL, &r)) {
            char what[160];
            snprintf(what, sizeof(what), "listing the extensions of database \"%s\"", db);
            vc_query_failed(out, c, what);
            pgconn_close(c);
            goto done;
        }
        for (int i = 0; i < pgres_ntuples(r); i++)
            for (size_t e = 0; e < N_PRELOAD_EXTS; e++)
                if (strcmp(pgres_get(r, i, 0), preload_exts[e].extension) == 0)
                    sl_push(&in_dbs[e], db);
        pgres_free(r);
        pgconn_close(c);
    }

    strlist tgt_libs = STRLIST_INIT, src_libs = STRLIST_INIT;
    char *tgt_raw = NULL, *src_raw = NULL;
    bool tgt_known = read_preload(ctx->dst, &tgt_libs, &tgt_raw);
    bool src_known = read_preload(ctx->src, &src_libs, &src_raw);

    strbuf failed = STRBUF_INIT, warned = STRBUF_INIT, fine = STRBUF_INIT, unknown = STRBUF_INIT;
    strlist add = STRLIST_INIT; /* libraries the target should preload */
    for (size_t e = 0; e < N_PRELOAD_EXTS; e++) {
        const struct preload_ext *x = &preload_exts[e];
        if (in_dbs[e].n == 0)
            continue;
        char *dbs = sl_join(&in_dbs[e], ", ");
        if (tgt_known && sl_contains(&tgt_libs, x->library))
            sb_printf(&fine, "%s%s (for %s)", fine.len ? ", " : "", x->library, x->extension);
        else if (!tgt_known)
            sb_printf(&unknown, "%s%s (for %s in %s)", unknown.len ? ", " : "", x->library,
                      x->extension, dbs);
        else if (x->source_preloaded_only && !(src_known && sl_contains(&src_libs, x->library)))
            ; /* the source does without it too */
        else {
            strbuf *sb = x->required ? &failed : &warned;
            sb_printf(sb,
                      "%sextension %s (in %s) needs %s in shared_preload_libraries: without "
                      "it, %s",
                      sb->len ? "; " : "", x->extension, dbs, x->library, x->without);
            if (!sl_contains(&add, x->library))
                sl_push(&add, x->library);
        }
        free(dbs);
    }
    /* What the source preloads and the target does not, beyond the above. */
    strlist src_only = STRLIST_INIT;
    if (src_known && tgt_known)
        for (size_t i = 0; i < src_libs.n; i++)
            if (!sl_contains(&tgt_libs, src_libs.items[i]) && !sl_contains(&add, src_libs.items[i]))
                sl_push(&src_only, src_libs.items[i]);

    strbuf msg = STRBUF_INIT;
    if (failed.len)
        sb_printf(&msg, "on the target, %s", sb_str(&failed));
    if (warned.len)
        sb_printf(&msg, "%s%s", msg.len ? "; " : "on the target, ", sb_str(&warned));
    if (unknown.len)
        sb_printf(&msg,
                  "%scannot read the target's shared_preload_libraries (it needs superuser "
                  "or pg_read_all_settings) to check %s",
                  msg.len ? "; " : "", sb_str(&unknown));
    if (src_only.n) {
        char *l = sl_join(&src_only, ", ");
        sb_printf(&msg,
                  "%sthe source preloads %s, the target does not (shared_preload_libraries): "
                  "what %s on the source will not happen on the target",
                  msg.len ? "; " : "", l, src_only.n == 1 ? "it does" : "they do");
        free(l);
    }
    if (unopened.n) {
        char *l = sl_join(&unopened, ", ");
        sb_printf(&msg, "%snot checked (cannot be opened): %s", msg.len ? "; " : "", l);
        free(l);
    }

    if (msg.len == 0) {
        if (fine.len)
            vc_ok(out, "the target preloads what the source's extensions need: %s", sb_str(&fine));
        else
            vc_ok(out, "no extension in the chosen databases needs a library in "
                       "shared_preload_libraries");
    } else {
        if (failed.len)
            vc_fail(out, "%s", sb_str(&msg));
        else
            vc_warn(out, "%s", sb_str(&msg));
        if (add.n || src_only.n) {
            /* The target's list as it is, plus what is missing. */
            strbuf value = STRBUF_INIT, lit = STRBUF_INIT;
            sb_append(&value, tgt_raw ? tgt_raw : "");
            for (size_t i = 0; i < add.n; i++)
                sb_printf(&value, "%s%s", value.len ? ", " : "", add.items[i]);
            pgq_literal(&lit, sb_str(&value));
            if (add.n)
                vc_fix(out,
                       "on the target: ALTER SYSTEM SET shared_preload_libraries = %s; then "
                       "restart it (on a managed service, set shared_preload_libraries in its "
                       "server parameters).",
                       sb_str(&lit));
            if (src_only.n) {
                char *l = sl_join(&src_only, ", ");
                vc_fix(out,
                       "Add %s to the target's shared_preload_libraries too if the target "
                       "should do what the source does.",
                       l);
                free(l);
            }
            sb_free(&value);
            sb_free(&lit);
        } else if (unknown.len)
            vc_fix(out, "check shared_preload_libraries on the target yourself (SHOW "
                        "shared_preload_libraries as a superuser), or GRANT pg_read_all_settings "
                        "to the target role.");
    }
    sb_free(&msg);
    sl_free(&src_only);
    sl_free(&add);
    sb_free(&failed);
    sb_free(&warned);
    sb_free(&fine);
    sb_free(&unknown);
    sl_free(&tgt_libs);
    sl_free(&src_libs);
    free(tgt_raw);
    free(src_raw);
done:
    for (size_t e = 0; e < N_PRELOAD_EXTS; e++)
        sl_free(&in_dbs[e]);
    sl_free(&unopened);
}

/* ---- owners of the objects (target) ------------------------------------- */

/*
 * The copy gives each object its source owner on the target (pg_restore's
 * ALTER ... OWNER TO, ALTER LARGE OBJECT ... OWNER TO), and sets sequences
 * with the owner's privileges: a target role that is not a superuser needs
 * membership in every owning role that exists on the target (16+: with SET
 * for the ALTER, with INHERIT for the privileges). Owners missing on the
 * target are the Roles check's.
 */
void check_target_object_owners(struct vctx *ctx, struct check_outcome *out)
{
    if (ctx->src_db == NULL || ctx->dst == NULL)
        return vc_skip(out);
    pgres *r = NULL, *t = NULL;
    char *role = NULL;
    if (!pgconn_query_value(ctx->dst,
                            "SELECT current_user WHERE NOT (SELECT rolsuper FROM "
                            "pg_catalog.pg_roles WHERE rolname = current_user)",
                            0, NULL, &role))
        return vc_query_failed(out, ctx->dst, "reading the target role's attributes");
    if (role == NULL)
        return vc_ok(out, "the target role is a superuser: it may give every object its owner");
    if (!pgconn_query(ctx->src_db, sql_text("validate_db_owners"), 0, NULL, &r)) {
        vc_query_failed(out, ctx->src_db, "listing the owners of the objects");
        goto done;
    }
    strbuf names = STRBUF_INIT; /* one a line: a role name holds no newline in practice */
    for (int i = 0; i < pgres_ntuples(r); i++)
        sb_printf(&names, "%s%s", i ? "\n" : "", pgres_get(r, i, 0));
    const char *set_priv = pgconn_server_version(ctx->dst) >= 160000 ? "SET" : "MEMBER";
    const char *params[] = {sb_str(&names), set_priv};
    bool ok = pgconn_query(ctx->dst,
                           "SELECT rolname FROM pg_catalog.pg_roles "
                           "WHERE rolname = ANY (pg_catalog.string_to_array($1, E'\\n')) "
                           "AND rolname <> current_user "
                           "AND NOT (pg_catalog.pg_has_role(oid, 'USAGE') "
                           "AND pg_catalog.pg_has_role(oid, $2)) ORDER BY 1",
                           2, params, &t);
    sb_free(&names);
    if (!ok) {
        vc_query_failed(out, ctx->dst, "checking the target role's memberships");
        goto done;
    }
    if (pgres_ntuples(t) == 0) {
        vc_ok(out,
              "the target role %s may give the objects of %s their owners (%d owning %s, members "
              "of each or missing on the target)",
              role, ctx->db, pgres_ntuples(r), vc_plural(pgres_ntuples(r), "role", "roles"));
        goto done;
    }
    strbuf what = STRBUF_INIT, grants = STRBUF_INIT;
    char *ident = pgq_ident_dup(role);
    for (int i = 0; i < pgres_ntuples(t); i++) {
        const char *owner = pgres_get(t, i, 0);
        for (int j = 0; j < pgres_ntuples(r); j++)
            if (strcmp(pgres_get(r, j, 0), owner) == 0)
                sb_printf(&what, "%s%s (owns %s)", what.len ? ", " : "", owner, pgres_get(r, j, 1));
        char *oi = pgq_ident_dup(owner);
        sb_printf(&grants, " GRANT %s TO %s;", oi, ident);
        free(oi);
    }
    vc_fail(out,
            "the target role %s is not a member of %s: giving their objects their owner (ALTER "
            "... OWNER TO, ALTER LARGE OBJECT ... OWNER TO) and setting their sequences would "
            "fail",
            role, sb_str(&what));
    vc_fix(out, "as a superuser (or the service's admin role) on the target:%s", sb_str(&grants));
    free(ident);
    sb_free(&what);
    sb_free(&grants);
done:
    free(role);
    pgres_free(r);
    pgres_free(t);
}
