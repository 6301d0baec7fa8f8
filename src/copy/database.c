/* database.c — creating and dropping target databases (see database.h). */
#include "copy/database.h"
#include "pg/quote.h"
#include "util/log.h"
#include "sql_embedded.h"
#include "util/mem.h"

#include <stdlib.h>
#include <string.h>

bool copy_database_exists(pgconn *admin, const char *name, bool *exists)
{
    char *v = NULL;
    const char *params[] = {name};
    if (!pgconn_query_value(admin, "SELECT count(*) FROM pg_database WHERE datname = $1", 1,
                            params, &v))
        return false;
    *exists = v && strcmp(v, "0") != 0;
    free(v);
    return true;
}

bool copy_database_drop(pgconn *admin, const char *name)
{
    strbuf sql = STRBUF_INIT;
    sb_append(&sql, "DROP DATABASE IF EXISTS ");
    pgq_ident(&sql, name);
    if (pgconn_server_version(admin) >= 130000)
        sb_append(&sql, " WITH (FORCE)");
    bool ok = pgconn_exec(admin, sb_str(&sql));
    sb_free(&sql);
    return ok;
}

/* ALTER DATABASE name IS_TEMPLATE true|false */
static bool set_template(pgconn *admin, const char *name, bool is_template, bool quiet)
{
    strbuf sql = STRBUF_INIT;
    sb_append(&sql, "ALTER DATABASE ");
    pgq_ident(&sql, name);
    sb_append(&sql, is_template ? " IS_TEMPLATE true" : " IS_TEMPLATE false");
    bool ok = quiet ? pgconn_exec_quiet(admin, sb_str(&sql)) : pgconn_exec(admin, sb_str(&sql));
    sb_free(&sql);
    return ok;
}

bool copy_database_drop_created(pgconn *admin, const char *name)
{
    /* Only copy_database_finish makes it a template; if it did not, this changes nothing. */
    if (!set_template(admin, name, false, true))
        pgconn_clear_error(admin);
    return copy_database_drop(admin, name);
}

bool copy_target_roles(pgconn *admin, strlist *roles)
{
    pgres *r;
    if (!pgconn_query(admin, "SELECT rolname FROM pg_roles", 0, NULL, &r))
        return false;
    for (int i = 0; i < pgres_ntuples(r); i++)
        sl_push(roles, pgres_get(r, i, 0));
    pgres_free(r);
    return true;
}

bool copy_database_create(pgconn *admin, const struct cat_database *db, strlist *missing_roles)
{
    strlist roles = STRLIST_INIT;
    if (!copy_target_roles(admin, &roles))
        return false;
    bool owner_exists = sl_contains(&roles, db->owner);
    sl_free(&roles);

    int tv = pgconn_server_version(admin);
    strbuf sql = STRBUF_INIT;
    sb_append(&sql, "CREATE DATABASE ");
    pgq_ident(&sql, db->name);
    sb_append(&sql, " TEMPLATE template0 ENCODING ");
    pgq_literal(&sql, db->encoding);
    sb_append(&sql, " LC_COLLATE ");
    pgq_literal(&sql, db->collate);
    sb_append(&sql, " LC_CTYPE ");
    pgq_literal(&sql, db->ctype);
    if (db->locale_provider == 'i') {
        if (tv < 150000) {
            log_error("the source database uses the ICU locale provider (%s), which the target "
                      "(version %d) does not support as a database default",
                      db->icu_locale ? db->icu_locale : "?", tv / 10000);
            sb_free(&sql);
            return false;
        }
        sb_append(&sql, " LOCALE_PROVIDER icu ICU_LOCALE ");
        pgq_literal(&sql, db->icu_locale ? db->icu_locale : "und");
        if (db->icu_rules && tv >= 160000) {
            sb_append(&sql, " ICU_RULES ");
            pgq_literal(&sql, db->icu_rules);
        }
    } else if (db->locale_provider == 'b') {
        if (tv < 170000) {
            log_error("the source database uses the builtin locale provider, which the target "
                      "(version %d) does not have",
                      tv / 10000);
            sb_free(&sql);
            return false;
        }
        sb_append(&sql, " LOCALE_PROVIDER builtin BUILTIN_LOCALE ");
        pgq_literal(&sql, db->icu_locale ? db->icu_locale : "C");
    }
    if (owner_exists) {
        sb_append(&sql, " OWNER ");
        pgq_ident(&sql, db->owner);
    } else if (!sl_contains(missing_roles, db->owner))
        sl_push(missing_roles, db->owner);
    if (db->conn_limit >= 0)
        sb_printf(&sql, " CONNECTION LIMIT %d", db->conn_limit);

    bool ok = pgconn_exec(admin, sb_str(&sql));
    sb_free(&sql);
    return ok && copy_database_comment(admin, db->name, COPY_INCOMPLETE_MARK);
}

bool copy_database_comment(pgconn *admin, const char *name, const char *comment)
{
    strbuf sql = STRBUF_INIT;
    sb_append(&sql, "COMMENT ON DATABASE ");
    pgq_ident(&sql, name);
    sb_append(&sql, " IS ");
    if (comment)
        pgq_literal(&sql, comment);
    else
        sb_append(&sql, "NULL");
    bool ok = pgconn_exec(admin, sb_str(&sql));
    sb_free(&sql);
    return ok;
}

bool copy_column_order_diff(pgconn *src, pgconn *dst, strlist *differing)
{
    pgres *rs, *rd;
    if (!pgconn_query(src, sql_text("copy_column_order"), 0, NULL, &rs))
        return false;
    if (!pgconn_query(dst, sql_text("copy_column_order"), 0, NULL, &rd)) {
        pgres_free(rs);
        return false;
    }
    /* Both are sorted by schema, name: walk them together. */
    int i = 0, j = 0, ns = pgres_ntuples(rs), nd = pgres_ntuples(rd);
    while (i < ns && j < nd) {
        int c = strcmp(pgres_get(rs, i, 0), pgres_get(rd, j, 0));
        if (c == 0)
            c = strcmp(pgres_get(rs, i, 1), pgres_get(rd, j, 1));
        if (c < 0)
            i++;
        else if (c > 0)
            j++;
        else {
            if (strcmp(pgres_get(rs, i, 2), pgres_get(rd, j, 2)) != 0) {
                char *q = pgq_qualified_dup(pgres_get(rs, i, 0), pgres_get(rs, i, 1));
                sl_push_owned(differing, xasprintf("%s (source: %s; target: %s)", q,
                                                   pgres_get(rs, i, 2), pgres_get(rd, j, 2)));
                free(q);
            }
            i++;
            j++;
        }
    }
    pgres_free(rs);
    pgres_free(rd);
    return true;
}

/* Settings whose value is a list of identifiers, stored already quoted. */
static bool is_list_setting(const char *name)
{
    static const char *const lists[] = {"search_path", "temp_tablespaces",
                                        "session_preload_libraries", "local_preload_libraries"};
    for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
        if (strcmp(name, lists[i]) == 0)
            return true;
    return false;
}

static bool valid_setting_name(const char *name, size_t len)
{
    if (len == 0)
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.'))
            return false;
    }
    return true;
}

static bool apply_setting(pgconn *admin, const char *dbname, const struct cat_db_setting *st)
{
    const char *eq = strchr(st->setting, '=');
    if (eq == NULL || !valid_setting_name(st->setting, (size_t) (eq - st->setting))) {
        log_warn("skipping database setting \"%s\": not a name=value pair", st->setting);
        return true;
    }
    char *name = strndup(st->setting, (size_t) (eq - st->setting));
    strbuf sql = STRBUF_INIT;
    if (st->role) {
        sb_append(&sql, "ALTER ROLE ");
        pgq_ident(&sql, st->role);
        sb_append(&sql, " IN DATABASE ");
    } else
        sb_append(&sql, "ALTER DATABASE ");
    pgq_ident(&sql, dbname);
    sb_printf(&sql, " SET %s TO ", name);
    if (is_list_setting(name))
        sb_append(&sql, eq + 1);
    else
        pgq_literal(&sql, eq + 1);
    bool ok = pgconn_exec(admin, sb_str(&sql));
    sb_free(&sql);
    free(name);
    return ok;
}

bool copy_database_finish(pgconn *admin, const struct cat_database *db,
                          const strlist *target_roles, strlist *missing_roles)
{
    bool ok = true;
    for (int i = 0; ok && i < db->nsettings; i++) {
        const struct cat_db_setting *st = &db->settings[i];
        if (st->role && !sl_contains(target_roles, st->role)) {
            if (!sl_contains(missing_roles, st->role))
                sl_push(missing_roles, st->role);
            continue;
        }
        ok = apply_setting(admin, db->name, st);
    }
    strbuf sql = STRBUF_INIT;
    if (ok && db->has_acl) {
        sb_append(&sql, "REVOKE ALL ON DATABASE ");
        pgq_ident(&sql, db->name);
        sb_append(&sql, " FROM PUBLIC");
        ok = pgconn_exec(admin, sb_str(&sql));
    }
    for (int i = 0; ok && i < db->ngrants; i++) {
        const struct cat_db_grant *g = &db->grants[i];
        if (g->grantee && !sl_contains(target_roles, g->grantee)) {
            if (!sl_contains(missing_roles, g->grantee))
                sl_push(missing_roles, g->grantee);
            continue;
        }
        sb_reset(&sql);
        sb_printf(&sql, "GRANT %s ON DATABASE ", g->privilege);
        pgq_ident(&sql, db->name);
        sb_append(&sql, " TO ");
        if (g->grantee)
            pgq_ident(&sql, g->grantee);
        else
            sb_append(&sql, "PUBLIC");
        if (g->grantable)
            sb_append(&sql, " WITH GRANT OPTION");
        ok = pgconn_exec(admin, sb_str(&sql));
    }
    sb_free(&sql);
    ok = ok && copy_database_comment(admin, db->name, db->comment);
    return ok && (!db->is_template || set_template(admin, db->name, true, false));
}
