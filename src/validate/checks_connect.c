/*
 * checks_connect.c — can pgshuttle reach both servers and the chosen
 * databases, are the versions compatible, and is there a pg_dump that can
 * dump the source. The connectivity checks open the connections the other
 * checks use.
 */
#include "pg/conninfo.h"
#include "pg/connerr.h"
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
        char *size = NULL;
        if (!pgconn_query_value(
                c,
                "SELECT pg_catalog.pg_size_pretty(pg_catalog.pg_database_size(current_database()))",
                0, NULL, &size))
            pgconn_clear_error(c);
        vc_ok(out, "database \"%s\" exists on the source (%s)", ctx->db,
              size ? size : "size unknown");
        free(size);
    }
    free(ci);
    free(hostport);
}

void check_target_database(struct vctx *ctx, struct check_outcome *out)
{
    if (ctx->dst == NULL)
        return vc_skip(out);
    char *n = NULL;
    const char *params[] = {ctx->db};
    if (!pgconn_query_value(ctx->dst,
                            "SELECT count(*) FROM pg_catalog.pg_database WHERE datname = $1", 1,
                            params, &n))
        return vc_query_failed(out, ctx->dst, "looking for the database on the target");
    bool exists = n && strcmp(n, "0") != 0;
    free(n);
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
    if (ctx->spec->overwrite)
        vc_warn(out, "database \"%s\" exists on the target and will be dropped first (--overwrite)",
                ctx->db);
    else {
        vc_fail(out, "database \"%s\" already exists on the target", ctx->db);
        vc_fix(out, "drop it (DROP DATABASE ...) or run again with --overwrite to have pgshuttle "
                    "drop it first");
    }
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
