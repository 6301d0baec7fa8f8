/*
 * checks_connect.c — can pgshuttle reach both servers and the chosen
 * databases, are the versions compatible, and is there a pg_dump that can
 * dump the source. The connectivity checks open the connections the other
 * checks use.
 */
#include "pg/conninfo.h"
#include "pg/connerr.h"
#include "pg/maintdb.h"
#include "pg/quote.h"
#include "sql_embedded.h"
#include "util/mem.h"
#include "validate/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* 1500 for 15.x, 906 for 9.6.x: comparable majors across the 10.0 numbering change. */
static int major_code(int version)
{
    return version >= 100000 ? version / 10000 * 100 : version / 100;
}

static void format_version(int v, char *buf, size_t len)
{
    if (v >= 100000)
        snprintf(buf, len, "%d.%d", v / 10000, v % 10000);
    else
        snprintf(buf, len, "%d.%d.%d", v / 10000, (v / 100) % 100, v % 100);
}

/* Connects to a server's maintenance database; on failure explains why. */
static pgconn *connect_server(const char *conninfo, const char *role, struct check_outcome *out)
{
    char *admin = pgconninfo_get(conninfo, "dbname");
    char *ci = pgconninfo_set(conninfo, "dbname", admin ? admin : "postgres");
    char *hostport = pgconninfo_hostport(conninfo);
    pgconn *c = NULL;
    if (ci == NULL) {
        vc_fail(out, "the %s connection string is not valid", role);
        vc_fix(out, "give a libpq URI (postgresql://user@host:port/db) or key=value pairs");
    } else if (!pgconn_connect_quiet(&c, ci, role)) {
        enum pgconn_failure f = pgconn_classify_failure(pgconn_error_message(c));
        char *detail = str_first_lines(pgconn_error_message(c), 4);
        vc_fail(out, "cannot connect to the %s server %s: %s (%s)", role, hostport,
                pgconn_failure_cause(f), detail);
        free(detail);
        vc_fix(out, "%s", pgconn_failure_advice(f));
        pgconn_close(c);
        c = NULL;
    } else if (!pgconn_set_session_defaults(c)) {
        vc_query_failed(out, c, "setting up the session");
        pgconn_close(c);
        c = NULL;
    } else {
        char *user = pgconninfo_get(ci, "user");
        char v[32];
        format_version(pgconn_server_version(c), v, sizeof(v));
        vc_ok(out, "connected to %s as %s (PostgreSQL %s)", hostport,
              pgconn_parameter(c, "session_authorization")
                  ? pgconn_parameter(c, "session_authorization")
                  : (user ? user : "?"),
              v);
        free(user);
    }
    free(admin);
    free(ci);
    free(hostport);
    return c;
}

void check_source_connectivity(struct vctx *ctx, struct check_outcome *out)
{
    ctx->src = connect_server(ctx->spec->source, "source", out);
    if (ctx->src)
        ctx->rep->source_version = pgconn_server_version(ctx->src);
}

void check_target_connectivity(struct vctx *ctx, struct check_outcome *out)
{
    ctx->dst = connect_server(ctx->spec->target, "target", out);
    if (ctx->dst)
        ctx->rep->target_version = pgconn_server_version(ctx->dst);
}

void check_source_version(struct vctx *ctx, struct check_outcome *out)
{
    if (ctx->src == NULL)
        return vc_skip(out);
    int v = pgconn_server_version(ctx->src);
    char vs[32];
    format_version(v, vs, sizeof(vs));
    if (v < 90500) {
        vc_fail(out, "the source runs PostgreSQL %s; pgshuttle needs 9.5 or later", vs);
        vc_fix(out, "upgrade the source to 9.5 or later, or move it with pg_dump/pg_restore");
    } else if (ctx->spec->mode == MODE_ONLINE && v < 100000)
        vc_ok(out,
              "PostgreSQL %s: online migration streams with test_decoding (no pgoutput before 10)",
              vs);
    else
        vc_ok(out, "PostgreSQL %s is supported", vs);
}

void check_target_version(struct vctx *ctx, struct check_outcome *out)
{
    if (ctx->src == NULL || ctx->dst == NULL)
        return vc_skip(out);
    int sv = pgconn_server_version(ctx->src), tv = pgconn_server_version(ctx->dst);
    char ss[32], ts[32];
    format_version(sv, ss, sizeof(ss));
    format_version(tv, ts, sizeof(ts));
    if (major_code(tv) < major_code(sv)) {
        vc_fail(out,
                "the target runs PostgreSQL %s, older than the source (%s): a migration can "
                "only go to the same or a newer major version",
                ts, ss);
        vc_fix(out, "use a target server of major version %d or later",
               sv >= 100000 ? sv / 10000 : 9);
    } else
        vc_ok(out, "target PostgreSQL %s, source PostgreSQL %s", ts, ss);
}

void check_client_tools(struct vctx *ctx, struct check_outcome *out)
{
    if (ctx->src == NULL)
        return vc_skip(out);
    int sv = pgconn_server_version(ctx->src);
    int need = sv >= 100000 ? sv / 10000 : 9;
    pgtools_free(&ctx->rep->tools);
    if (!pgtools_find(need, &ctx->rep->tools)) {
        if (ctx->rep->tools.major > 0)
            vc_fail(out,
                    "pg_dump must be version %d or later to dump the source; the newest "
                    "found is pg_dump %d (%s)",
                    need, ctx->rep->tools.major, ctx->rep->tools.pg_dump);
        else
            vc_fail(out, "pg_dump/pg_restore were not found (version %d or later is needed)", need);
        vc_fix(out,
               "install postgresql-client-%d (or newer), or point PGSHUTTLE_PG_BINDIR at its "
               "bin directory",
               need);
    } else
        vc_ok(out, "pg_dump %d (%s) can dump the source", ctx->rep->tools.major,
              ctx->rep->tools.pg_dump);
}

void check_source_database(struct vctx *ctx, struct check_outcome *out)
{
    if (ctx->src == NULL)
        return vc_skip(out);
    if (strcmp(ctx->db, "template0") == 0) {
        vc_fail(out, "database \"template0\" cannot be migrated: it is the pristine template "
                     "that every server has of its own (it accepts no connections, and CREATE "
                     "DATABASE copies it)");
        vc_fix(out, "leave template0 out of the databases to migrate");
        return;
    }
    char *ci = pgconninfo_set(ctx->spec->source, "dbname", ctx->db);
    char *hostport = pgconninfo_hostport(ctx->spec->source);
    pgconn *c = NULL;
    if (!pgconn_connect_quiet(&c, ci, "source")) {
        enum pgconn_failure f = pgconn_classify_failure(pgconn_error_message(c));
        char *detail = str_first_lines(pgconn_error_message(c), 4);
        vc_fail(out, "cannot open database \"%s\" on the source server %s: %s (%s)", ctx->db,
                hostport, pgconn_failure_cause(f), detail);
        free(detail);
        vc_fix(out, "%s",
               f == CONNFAIL_MISSING_DATABASE
                   ? "check the name in --databases (names are case-sensitive)"
                   : pgconn_failure_advice(f));
        pgconn_close(c);
    } else if (!pgconn_set_session_defaults(c) ||
               !pgconn_exec(c, "SELECT pg_catalog.set_config('search_path', '', false)")) {
        vc_query_failed(out, c, "setting up the session");
        pgconn_close(c);
    } else {
        ctx->src_db = c;
        pgres *r = NULL;
        if (!pgconn_query(c,
                          "SELECT pg_catalog.pg_size_pretty(pg_catalog.pg_database_size(d.oid)) "
                          "AS size, d.datistemplate FROM pg_catalog.pg_database d "
                          "WHERE d.datname = current_database()",
                          0, NULL, &r))
            pgconn_clear_error(c);
        const char *size = r && pgres_ntuples(r) == 1 ? pgres_getn(r, 0, "size") : NULL;
        bool is_template = r && pgres_ntuples(r) == 1 && pgres_get_bool(r, 0, "datistemplate");
        vc_ok(out, "database \"%s\" exists on the source (%s)%s", ctx->db,
              size ? size : "size unknown",
              is_template ? "; it is a template database, and so will be its copy on the target"
                          : "");
        pgres_free(r);
    }
    free(ci);
    free(hostport);
}

/*
 * With --overwrite, the database to drop must not be connected to by the
 * session that drops it: pgshuttle then goes through another database
 * (pg/maintdb.h), which must exist and accept connections. Returns false
 * after failing out; else appends to note how the drop will go.
 */
static bool check_drop_route(struct vctx *ctx, struct check_outcome *out, strbuf *note)
{
    char *configured = pgmaint_configured_db(ctx->spec->target);
    char *through = pgmaint_db_for(ctx->spec->target, ctx->db);
    bool ok = true;
    if (strcmp(configured, through) != 0) {
        char *allow = NULL;
        const char *params[] = {through};
        if (!pgconn_query_value(
                ctx->dst, "SELECT datallowconn FROM pg_catalog.pg_database WHERE datname = $1", 1,
                params, &allow)) {
            vc_query_failed(out, ctx->dst, "looking for another database to connect through");
            ok = false;
        } else if (allow == NULL || strcmp(allow, "t") != 0) {
            vc_fail(out,
                    "database \"%s\" is the one the target connection string connects to, and "
                    "a session cannot drop its own database: pgshuttle would go through \"%s\", "
                    "which %s on the target",
                    ctx->db, through,
                    allow == NULL ? "does not exist" : "does not accept connections");
            vc_fix(out, "name another database of the target in the target connection string "
                        "(dbname=...) for pgshuttle to connect through");
            ok = false;
        } else
            sb_printf(note,
                      "; pgshuttle drops and creates it through the \"%s\" database (a session "
                      "cannot drop the database it is connected to)",
                      through);
        free(allow);
    }
    free(configured);
    free(through);
    return ok;
}

void check_target_database(struct vctx *ctx, struct check_outcome *out)
{
    if (ctx->dst == NULL)
        return vc_skip(out);
    /* Read before this check opens a session on the database itself. */
    pgres *r = NULL;
    const char *params[] = {ctx->db};
    if (!pgconn_query(ctx->dst,
                      "SELECT d.datistemplate, "
                      "(SELECT count(*) FROM pg_catalog.pg_stat_activity a WHERE a.datname = "
                      "d.datname AND a.pid <> pg_catalog.pg_backend_pid()) AS sessions, "
                      "(SELECT count(*) FROM pg_catalog.pg_prepared_xacts x "
                      "WHERE x.database = d.datname) AS prepared "
                      "FROM pg_catalog.pg_database d WHERE d.datname = $1",
                      1, params, &r))
        return vc_query_failed(out, ctx->dst, "looking for the database on the target");
    bool exists = pgres_ntuples(r) == 1;
    bool is_template = exists && pgres_get_bool(r, 0, "datistemplate");
    long long sessions = exists ? pgres_get_int64(r, 0, "sessions", 0) : 0;
    long long prepared = exists ? pgres_get_int64(r, 0, "prepared", 0) : 0;
    pgres_free(r);
    ctx->dst_db_exists = exists;
    if (!exists)
        return vc_ok(out, "database \"%s\" does not exist on the target yet: it will be created",
                     ctx->db);
    char *ci = pgconninfo_set(ctx->spec->target, "dbname", ctx->db);
    pgconn *c = NULL;
    if (pgconn_connect_quiet(&c, ci, "target") && pgconn_set_session_defaults(c))
        ctx->dst_db = c;
    else
        pgconn_close(c);
    free(ci);

    char *q = pgq_ident_dup(ctx->db);
    strbuf litbuf = STRBUF_INIT, note = STRBUF_INIT;
    pgq_literal(&litbuf, ctx->db);
    const char *lit = sb_str(&litbuf);
    int tv = pgconn_server_version(ctx->dst);
    if (!vc_overwriting(ctx)) {
        vc_fail(out, "database \"%s\" already exists on the target%s", ctx->db,
                is_template ? " (a template database)" : "");
        vc_fix(out, "drop it (DROP DATABASE ...) or run again with --overwrite to have pgshuttle "
                    "drop it first");
        if (is_template)
            vc_fix(out,
                   "(a template cannot be dropped: first ALTER DATABASE %s IS_TEMPLATE false;)", q);
    } else if (is_template) {
        vc_fail(out,
                "database \"%s\" exists on the target and is a template database "
                "(pg_database.datistemplate): PostgreSQL refuses to drop a template, so "
                "--overwrite cannot replace it",
                ctx->db);
        vc_fix(out,
               "to replace it, make it an ordinary database on the target first, "
               "ALTER DATABASE %s IS_TEMPLATE false; and run again (the copy is made a template "
               "again when the source's database is one); otherwise leave it out of the "
               "databases to migrate",
               q);
    } else if (prepared > 0) {
        vc_fail(out,
                "database \"%s\" exists on the target with %lld prepared %s: DROP DATABASE "
                "(--overwrite) would fail",
                ctx->db, prepared, vc_plural(prepared, "transaction", "transactions"));
        vc_fix(out,
               "finish them on the target with COMMIT PREPARED 'gid' or ROLLBACK PREPARED 'gid' "
               "(SELECT gid FROM pg_prepared_xacts WHERE database = %s;)",
               lit);
    } else if (sessions > 0 && tv < 130000) {
        vc_fail(out,
                "database \"%s\" exists on the target and %lld other %s connected to it: "
                "PostgreSQL %d cannot drop a database in use (DROP DATABASE ... WITH (FORCE) "
                "came in 13)",
                ctx->db, sessions, vc_plural(sessions, "session is", "sessions are"), tv / 10000);
        vc_fix(out,
               "stop the applications using it, or end the sessions on the target: SELECT "
               "pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s;",
               lit);
    } else if (check_drop_route(ctx, out, &note)) {
        if (sessions > 0)
            sb_printf(&note,
                      "; its %lld other %s will be disconnected (DROP DATABASE ... WITH "
                      "(FORCE))",
                      sessions, vc_plural(sessions, "session", "sessions"));
        if (ctx->spec->overwrite)
            vc_warn(out,
                    "database \"%s\" exists on the target and will be dropped first "
                    "(--overwrite)%s",
                    ctx->db, sb_str(&note));
        else {
            vc_warn(out,
                    "database \"%s\" exists on the target: the user is asked to confirm "
                    "dropping it first (overwrite); the migration waits for the answer%s",
                    ctx->db, sb_str(&note));
            sl_push(&ctx->rep->existing, ctx->db);
        }
    }
    sb_free(&note);
    sb_free(&litbuf);
    free(q);
}

/*
 * Roles are cluster-wide: pgshuttle does not create them. Objects owned by a
 * role missing on the target end up owned by the migrating role, and grants
 * to it are skipped (the migration warns again).
 */
void check_roles(struct vctx *ctx, struct check_outcome *out)
{
    if (ctx->src_db == NULL || ctx->dst == NULL)
        return vc_skip(out);
    pgres *used = NULL, *have = NULL;
    if (!pgconn_query(ctx->src_db, sql_text("roles_used"), 0, NULL, &used))
        return vc_query_failed(out, ctx->src_db, "listing the roles the database uses");
    if (!pgconn_query(ctx->dst, "SELECT rolname FROM pg_catalog.pg_roles", 0, NULL, &have)) {
        pgres_free(used);
        return vc_query_failed(out, ctx->dst, "listing the target's roles");
    }
    strlist target = STRLIST_INIT, missing = STRLIST_INIT;
    for (int i = 0; i < pgres_ntuples(have); i++)
        sl_push(&target, pgres_get(have, i, 0));
    for (int i = 0; i < pgres_ntuples(used); i++)
        if (!sl_contains(&target, pgres_get(used, i, 0)))
            sl_push(&missing, pgres_get(used, i, 0));
    /* A policy names its roles: restoring it fails when one is missing. */
    strlist policy_missing = STRLIST_INIT;
    pgres *pol = NULL;
    if (missing.n > 0 &&
        pgconn_query(ctx->src_db,
                     "SELECT DISTINCT r.rolname FROM pg_catalog.pg_policy p, "
                     "unnest(p.polroles) AS u(oid) JOIN pg_catalog.pg_roles r ON r.oid = u.oid",
                     0, NULL, &pol)) {
        for (int i = 0; i < pgres_ntuples(pol); i++)
            if (sl_contains(&missing, pgres_get(pol, i, 0)))
                sl_push(&policy_missing, pgres_get(pol, i, 0));
        pgres_free(pol);
    }
    if (missing.n == 0)
        vc_ok(out, "the %d role(s) that own objects or hold privileges exist on the target",
              pgres_ntuples(used));
    else {
        char *list = sl_join(policy_missing.n ? &policy_missing : &missing, ", ");
        if (policy_missing.n > 0)
            vc_fail(out,
                    "row-level security policies name roles missing on the target (%s): "
                    "creating those policies would fail",
                    list);
        else
            vc_warn(out,
                    "roles missing on the target: %s; objects they own would be owned by "
                    "the migrating role and grants to them skipped",
                    list);
        free(list);
        for (size_t i = 0; i < missing.n && i < 20; i++) {
            char *q = pgq_ident_dup(missing.items[i]);
            vc_fix(out, "CREATE ROLE %s;", q);
            free(q);
        }
    }
    sl_free(&target);
    sl_free(&missing);
    sl_free(&policy_missing);
    pgres_free(used);
    pgres_free(have);
}
