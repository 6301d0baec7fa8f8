/*
 * checks_online_privileges.c — beyond REPLICATION, what an online
 * migration asks of roles that are not superusers, as the chosen plugin
 * and options will ask it:
 *   - source, pgoutput: creating pgshuttle's publication needs ownership of
 *     every table it lists; with --publication, the given publication must
 *     exist and publish every change of every table (the same SQL the
 *     engine runs before it starts: sql/cdc_publication_coverage.sql);
 *     test_decoding needs no publication;
 *   - source, --replica-identity-full: ownership of the tables without a key;
 *   - target: replication origins (else the applier keeps its position in a
 *     progress row: it works, and says so), and SET session_replication_role
 *     (else the trigger-less apply path: foreign keys, triggers and rules
 *     only at cutover).
 * Each says the GRANT, ALTER or option that lifts the need.
 */
#include "pg/quote.h"
#include "sql_embedded.h"
#include "util/mem.h"
#include "validate/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* More tables than this: a CREATE PUBLICATION offered names FOR ALL TABLES instead. */
#define PUBLICATION_LIST_MAX 50

static bool test_decoding(const struct vctx *ctx)
{
    return ctx->spec->plugin && strcmp(ctx->spec->plugin, "test_decoding") == 0;
}

/* The connected role, and whether it is a superuser; false when the query failed. */
static bool role_of(pgconn *c, char **role, bool *super)
{
    pgres *r = NULL;
    if (!pgconn_query(c,
                      "SELECT current_user, rolsuper FROM pg_catalog.pg_roles "
                      "WHERE rolname = current_user",
                      0, NULL, &r))
        return false;
    *role = xstrdup(pgres_ntuples(r) ? pgres_get(r, 0, 0) : "?");
    *super = pgres_ntuples(r) && pgres_get_bool(r, 0, "rolsuper");
    pgres_free(r);
    return true;
}

/*
 * The tables an online migration streams (sql/cdc_tables.sql). Which of
 * them a publication lists: on 13+ the roots (partitions by their root),
 * before, the ordinary tables and partitions.
 */
static bool listed(const pgres *t, int i, bool by_root)
{
    if (by_root)
        return !pgres_get_bool(t, i, "is_partition");
    return pgres_getn(t, i, "relkind")[0] == 'r';
}

/* "{oid,oid}" of the rows of t that pass keep (NULL: every row). */
static char *oid_array(const pgres *t, bool (*keep)(const pgres *, int, bool), bool arg)
{
    strbuf sb = STRBUF_INIT;
    sb_append(&sb, "{");
    for (int i = 0; i < pgres_ntuples(t); i++)
        if (keep == NULL || keep(t, i, arg))
            sb_printf(&sb, "%s%s", sb.len > 1 ? "," : "", pgres_getn(t, i, "oid"));
    sb_append(&sb, "}");
    return sb_steal(&sb);
}

static bool ordinary(const pgres *t, int i, bool unused)
{
    (void) unused;
    return pgres_getn(t, i, "relkind")[0] == 'r';
}

static bool without_key(const pgres *t, int i, bool unused)
{
    (void) unused;
    return !pgres_get_bool(t, i, "identified");
}

/*
 * The tables among oids (an array literal) the connected role does not own
 * (nor is a member of their owner): rows of (name, owner), by name.
 */
static bool unowned(pgconn *c, const char *oids, pgres **r)
{
    const char *params[] = {oids};
    return pgconn_query(c,
                        "SELECT pg_catalog.format('%I.%I', n.nspname, c.relname) AS name, "
                        "pg_catalog.pg_get_userbyid(c.relowner) AS owner "
                        "FROM pg_catalog.pg_class c "
                        "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
                        "WHERE c.oid = ANY ($1::pg_catalog.oid[]) "
                        "AND NOT pg_catalog.pg_has_role(c.relowner, 'USAGE') ORDER BY 1",
                        1, params, r);
}

/* "GRANT a, b TO role;": the distinct owners (column 1 of r) the role needs. */
static char *grant_owners(const pgres *r, const char *role_ident)
{
    strlist owners = STRLIST_INIT;
    for (int i = 0; i < pgres_ntuples(r); i++) {
        char *o = pgq_ident_dup(pgres_get(r, i, 1));
        if (!sl_contains(&owners, o))
            sl_push(&owners, o);
        free(o);
    }
    char *list = sl_join(&owners, ", ");
    char *sql = xasprintf("GRANT %s TO %s;", list, role_ident);
    free(list);
    sl_free(&owners);
    return sql;
}

/* The CREATE PUBLICATION the owner could run for the tables of t (by_root: 13+). */
static char *create_publication(const pgres *t, bool by_root)
{
    strbuf sb = STRBUF_INIT;
    int n = 0;
    for (int i = 0; i < pgres_ntuples(t); i++)
        n += listed(t, i, by_root);
    sb_append(&sb, "CREATE PUBLICATION pgshuttle_pub ");
    if (n > PUBLICATION_LIST_MAX)
        sb_append(&sb, "FOR ALL TABLES"); /* needs a superuser */
    else {
        int k = 0;
        for (int i = 0; i < pgres_ntuples(t); i++) {
            if (!listed(t, i, by_root))
                continue;
            char *q = pgq_qualified_dup(pgres_getn(t, i, "schema"), pgres_getn(t, i, "name"));
            sb_printf(&sb, "%s%s", k++ ? ", " : "FOR TABLE ", q);
            free(q);
        }
    }
    if (by_root)
        sb_append(&sb, " WITH (publish_via_partition_root = true)");
    sb_append(&sb, ";");
    return sb_steal(&sb);
}

/* ---- publication (source, pgoutput) ------------------------------------- */

/* --publication NAME: it exists and publishes every change of every table. */
static void publication_given(struct vctx *ctx, struct check_outcome *out, const pgres *t)
{
    const char *pub = ctx->spec->publication;
    char *oids = oid_array(t, ordinary, false);
    const char *params[] = {pub, oids};
    pgres *r = NULL;
    bool ok = pgconn_query(ctx->src_db, sql_text("cdc_publication_coverage"), 2, params, &r);
    free(oids);
    if (!ok)
        return vc_query_failed(out, ctx->src_db, "reading the publication");
    char *pub_ident = pgq_ident_dup(pub);
    bool by_root = pgconn_server_major(ctx->src_db) >= 13;
    if (pgres_ntuples(r) == 0) {
        char *create = create_publication(t, by_root);
        vc_fail(out,
                "publication %s (--publication) does not exist in database %s: pgoutput "
                "would have nothing to stream through",
                pub, ctx->db);
        vc_fix(out,
               "as the owner of the tables (or a superuser), in database %s: %s then pass "
               "--publication pgshuttle_pub.",
               ctx->db, create);
        free(create);
        goto done;
    }
    strbuf problems = STRBUF_INIT;
    long long missing = pgres_get_int64(r, 0, "uncovered_count", 0);
    if (missing > 0) {
        sb_printf(&problems, "it does not publish %lld of the %d tables to stream: %s%s", missing,
                  pgres_ntuples(t), pgres_getn(r, 0, "uncovered"), missing > 10 ? " and more" : "");
        vc_fix(out, "as its owner %s: ALTER PUBLICATION %s ADD TABLE %s%s;",
               pgres_getn(r, 0, "owner"), pub_ident, pgres_getn(r, 0, "uncovered"),
               missing > 10 ? ", ..." : "");
    }
    bool need_trunc = pgconn_server_major(ctx->src_db) >= 11;
    if (!pgres_get_bool(r, 0, "ins") || !pgres_get_bool(r, 0, "upd") ||
        !pgres_get_bool(r, 0, "del") || (need_trunc && !pgres_get_bool(r, 0, "trunc"))) {
        sb_printf(&problems, "%sit does not publish every operation (insert, update, delete%s)",
                  problems.len ? "; " : "", need_trunc ? ", truncate" : "");
        vc_fix(out, "ALTER PUBLICATION %s SET (publish = 'insert, update, delete%s');", pub_ident,
               need_trunc ? ", truncate" : "");
    }
    if (problems.len)
        vc_fail(out, "publication %s (--publication, owned by %s): %s, so changes would be lost",
                pub, pgres_getn(r, 0, "owner"), sb_str(&problems));
    else {
        char *keyless = oid_array(t, without_key, false);
        bool any_keyless = strcmp(keyless, "{}") != 0;
        free(keyless);
        if (any_keyless)
            vc_warn(out,
                    "publication %s (--publication, owned by %s) publishes every change of the "
                    "%d tables to stream; but it publishes updates and deletes of tables without "
                    "a primary key or replica identity (see Replica identity), and the source "
                    "then refuses UPDATE and DELETE on them",
                    pub, pgres_getn(r, 0, "owner"), pgres_ntuples(t));
        else
            vc_ok(out,
                  "publication %s (--publication, owned by %s) publishes every change of the %d "
                  "tables to stream; pgshuttle creates no publication and leaves this one in place",
                  pub, pgres_getn(r, 0, "owner"), pgres_ntuples(t));
        if (any_keyless)
            vc_fix(out, "as their owner, give those tables a primary key or REPLICA IDENTITY "
                        "FULL before the migration.");
    }
    sb_free(&problems);
done:
    free(pub_ident);
    pgres_free(r);
}

void check_publication(struct vctx *ctx, struct check_outcome *out)
{
    if (ctx->src_db == NULL)
        return vc_skip(out);
    if (test_decoding(ctx))
        return vc_ok(out, "test_decoding streams without a publication: none is needed");
    pgres *t = NULL;
    if (!pgconn_query(ctx->src_db, sql_text("cdc_tables"), 0, NULL, &t))
        return vc_query_failed(out, ctx->src_db, "listing the tables to stream");
    if (ctx->spec->publication) {
        publication_given(ctx, out, t);
        pgres_free(t);
        return;
    }
    char *role = NULL;
    bool super = false;
    pgres *r = NULL;
    bool by_root = pgconn_server_major(ctx->src_db) >= 13;
    char *oids = oid_array(t, listed, by_root);
    if (!role_of(ctx->src_db, &role, &super) || (!super && !unowned(ctx->src_db, oids, &r))) {
        vc_query_failed(out, ctx->src_db, "checking who owns the tables to stream");
        goto done;
    }
    if (super) {
        vc_ok(out, "the source role %s is a superuser: it may create pgshuttle's publication",
              role);
        goto done;
    }
    int n = pgres_ntuples(r);
    if (n == 0) {
        vc_ok(out,
              "the source role %s owns (or is a member of the owner of) the %d tables to stream: "
              "it may create pgshuttle's publication",
              role, pgres_ntuples(t));
        goto done;
    }
    char *list = vc_list(r, 0, VC_LIST_MAX);
    char *ident = pgq_ident_dup(role);
    char *grant = grant_owners(r, ident);
    char *create = create_publication(t, by_root);
    vc_fail(out,
            "with pgoutput pgshuttle creates a publication of the tables to stream, which needs "
            "ownership of every one of them (or a superuser); the source role %s does not own %d "
            "of the %d tables: %s",
            role, n, pgres_ntuples(t), list);
    vc_fix(out,
           "either, as a superuser (or the service's admin role): %s (membership in the owner "
           "gives ownership); or have the owner create the publication in database %s: %s and "
           "pass --publication pgshuttle_pub; or use --plugin test_decoding, which needs no "
           "publication.",
           grant, ctx->db, create);
    free(create);
    free(grant);
    free(ident);
    free(list);
done:
    free(oids);
    free(role);
    pgres_free(r);
    pgres_free(t);
}

/* ---- replica identity changes (source, --replica-identity-full) --------- */

void check_replica_identity_changes(struct vctx *ctx, struct check_outcome *out)
{
    if (ctx->src_db == NULL || !ctx->spec->replica_identity_full)
        return vc_skip(out);
    pgres *t = NULL, *r = NULL;
    char *role = NULL;
    bool super = false;
    if (!pgconn_query(ctx->src_db, sql_text("cdc_tables"), 0, NULL, &t))
        return vc_query_failed(out, ctx->src_db, "listing the tables to stream");
    char *oids = oid_array(t, without_key, false);
    if (!role_of(ctx->src_db, &role, &super) || (!super && !unowned(ctx->src_db, oids, &r)))
        vc_query_failed(out, ctx->src_db, "checking who owns the tables without a key");
    else if (super || pgres_ntuples(r) == 0)
        vc_ok(out,
              "--replica-identity-full: the source role %s may set REPLICA IDENTITY FULL on the "
              "tables without a key (%s)",
              role, super ? "a superuser" : "it owns them");
    else {
        char *list = vc_list(r, 0, VC_LIST_MAX);
        char *ident = pgq_ident_dup(role);
        char *grant = grant_owners(r, ident);
        vc_fail(out,
                "--replica-identity-full sets REPLICA IDENTITY FULL on the tables without a key, "
                "which needs their ownership; the source role %s does not own %d of them: %s",
                role, pgres_ntuples(r), list);
        vc_fix(out,
               "as a superuser: %s or, as their owner, run ALTER TABLE ... REPLICA IDENTITY FULL "
               "yourself and migrate without --replica-identity-full.",
               grant);
        free(grant);
        free(ident);
        free(list);
    }
    free(oids);
    free(role);
    pgres_free(r);
    pgres_free(t);
}

/* ---- replication origins (target) --------------------------------------- */

void check_target_replication_origins(struct vctx *ctx, struct check_outcome *out)
{
    if (ctx->dst == NULL)
        return vc_skip(out);
    char *role = NULL;
    bool super = false;
    if (!role_of(ctx->dst, &role, &super))
        return vc_query_failed(out, ctx->dst, "reading the target role's attributes");
    char *allowed = NULL;
    if (!super && pgconn_server_major(ctx->dst) >= 14 &&
        !pgconn_query_value(ctx->dst, sql_text("cdc_origin_allowed"), 0, NULL, &allowed)) {
        vc_query_failed(out, ctx->dst, "checking the privileges on replication origins");
        free(role);
        return;
    }
    if (super || (allowed && strcmp(allowed, "t") == 0))
        vc_ok(out,
              "the target role %s may use replication origins: the applied position is kept in "
              "one per database",
              role);
    else {
        vc_ok(out,
              "the target role %s may not use replication origins (%s), so the applier keeps the "
              "applied position in a row of pgshuttle_cdc.applied_position in each target "
              "database instead, written with every applied transaction and dropped at cutover: "
              "it works the same",
              role,
              pgconn_server_major(ctx->dst) >= 14
                  ? "no EXECUTE on the pg_replication_origin_* functions"
                  : "before PostgreSQL 14 they need a superuser");
        if (pgconn_server_major(ctx->dst) >= 14) {
            char *ident = pgq_ident_dup(role);
            vc_fix(out,
                   "to use origins instead, as a superuser: GRANT EXECUTE ON FUNCTION "
                   "pg_replication_origin_create(text), pg_replication_origin_session_setup(text), "
                   "pg_replication_origin_xact_setup(pg_lsn, timestamptz), "
                   "pg_replication_origin_progress(text, boolean), "
                   "pg_replication_origin_drop(text), pg_replication_origin_session_reset() TO %s;",
                   ident);
            free(ident);
        }
    }
    free(allowed);
    free(role);
}

/* ---- session_replication_role (target) ---------------------------------- */

void check_target_replication_role(struct vctx *ctx, struct check_outcome *out)
{
    if (ctx->dst == NULL)
        return vc_skip(out);
    char *role = NULL;
    bool super = false, may = false;
    if (!role_of(ctx->dst, &role, &super) ||
        !pgconn_may_set_parameter(ctx->dst, "session_replication_role", &may)) {
        vc_query_failed(out, ctx->dst, "checking SET on session_replication_role");
        free(role);
        return;
    }
    if (may)
        vc_ok(out,
              "the target role %s may SET session_replication_role = replica (%s): changes are "
              "applied with no trigger, rule or foreign key firing",
              role, super ? "a superuser" : "granted SET on the parameter");
    else {
        vc_warn(out,
                "the target role %s may not SET session_replication_role = replica, under which "
                "changes are applied without firing triggers, rules or foreign keys; pgshuttle "
                "takes the trigger-less path instead: the copy leaves out the foreign keys, user "
                "triggers and rules, and the cutover creates them, so the target has none while "
                "changes stream and the cutover takes as long as validating every foreign key "
                "(one scan of each referencing table)",
                role);
        char *ident = pgq_ident_dup(role);
        if (pgconn_server_major(ctx->dst) >= 15)
            vc_fix(out, "as a superuser: GRANT SET ON PARAMETER session_replication_role TO %s;",
                   ident);
        else
            vc_fix(out, "before PostgreSQL 15 only a superuser may set it: migrate as a superuser "
                        "to avoid the trigger-less path.");
        free(ident);
    }
    free(role);
}
