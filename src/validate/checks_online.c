/*
 * checks_online.c — what an online migration needs from the source server
 * before it starts: logical decoding (wal_level), a free replication slot
 * and a free WAL sender for each database, a role allowed to replicate, no
 * transaction that would stall the creation of the slots, and a WAL
 * retention limit that will not invalidate a slot during a long copy.
 *
 * Each database migrated online holds one logical replication slot and one
 * replication connection (a WAL sender) on the source. The registry runs
 * these checks in online mode only; with the source unreachable they have
 * nothing to look at and record nothing.
 */
#include "pg/quote.h"
#include "sql_embedded.h"
#include "util/mem.h"
#include "validate/internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Transactions open longer than this are reported, whatever their state. */
#define LONG_XACT_MINUTES 5
/* Below this, a max_slot_wal_keep_size is worth a warning whatever the data size. */
#define KEEP_SIZE_FLOOR_MB (10 * 1024)

/*
 * Reads an integer server setting in its base unit (pg_settings.setting: MB
 * for max_slot_wal_keep_size, where current_setting() would say "20GB");
 * false (and the check failed) when it cannot.
 */
static bool setting_int(pgconn *c, const char *name, long long *value, struct check_outcome *out)
{
    char *v = NULL;
    const char *params[] = {name};
    if (!pgconn_query_value(c, "SELECT setting FROM pg_catalog.pg_settings WHERE name = $1", 1,
                            params, &v)) {
        char what[96];
        snprintf(what, sizeof(what), "reading %s", name);
        vc_query_failed(out, c, what);
        return false;
    }
    *value = v ? strtoll(v, NULL, 10) : 0;
    free(v);
    return true;
}

static const char *plural(long long n, const char *one, const char *many)
{
    return n == 1 ? one : many;
}

/* "12s", "4m 05s", "2h 03m", "3d 04h": a short age for messages. */
static void format_age(long long s, char *buf, size_t len)
{
    if (s < 60)
        snprintf(buf, len, "%llds", s);
    else if (s < 3600)
        snprintf(buf, len, "%lldm %02llds", s / 60, s % 60);
    else if (s < 86400)
        snprintf(buf, len, "%lldh %02lldm", s / 3600, (s % 3600) / 60);
    else
        snprintf(buf, len, "%lldd %02lldh", s / 86400, (s % 86400) / 3600);
}

/* "64 MB", "10 GB" (1024-based, like pg_size_pretty). */
static void format_mb(long long mb, char *buf, size_t len)
{
    if (mb >= 10 * 1024LL * 1024)
        snprintf(buf, len, "%lld TB", (mb + 512LL * 1024) / (1024LL * 1024));
    else if (mb >= 10 * 1024LL)
        snprintf(buf, len, "%lld GB", (mb + 512) / 1024);
    else
        snprintf(buf, len, "%lld MB", mb);
}

/* ---- wal_level ---------------------------------------------------------- */

/* How to turn on logical decoding on the managed services that have their own switch. */
static const struct {
    const char *source_type;
    const char *fix;
} wal_level_fixes[] = {
    {"AWS RDS", "on AWS RDS, set rds.logical_replication = 1 in the instance's DB parameter "
                "group, then reboot the instance"},
    {"AWS Aurora", "on AWS Aurora, set rds.logical_replication = 1 in the DB cluster parameter "
                   "group, then reboot the writer instance"},
    {"Google Cloud SQL",
     "on Google Cloud SQL, set the database flag cloudsql.logical_decoding = on "
     "(the instance restarts)"},
    {"Google AlloyDB", "on Google AlloyDB, set the database flag alloydb.logical_decoding = on "
                       "(the instance restarts)"},
    {"Azure Database for PostgreSQL",
     "on Azure Database for PostgreSQL, set the server parameter wal_level = logical (Single "
     "Server: azure.replication_support = logical), then restart the server"},
};

void check_wal_level(struct vctx *ctx, struct check_outcome *out)
{
    if (ctx->src == NULL)
        return vc_skip(out);
    pgres *r = NULL;
    if (!pgconn_query(ctx->src,
                      "SELECT setting, pending_restart FROM pg_catalog.pg_settings "
                      "WHERE name = 'wal_level'",
                      0, NULL, &r))
        return vc_query_failed(out, ctx->src, "reading wal_level");
    const char *level = pgres_ntuples(r) > 0 ? pgres_get(r, 0, 0) : NULL;
    bool pending = pgres_ntuples(r) > 0 && pgres_get_bool(r, 0, "pending_restart");
    if (level && strcmp(level, "logical") == 0) {
        vc_ok(out, "wal_level is logical: the source can decode its changes");
        pgres_free(r);
        return;
    }
    vc_fail(out,
            "wal_level is %s on the source: an online migration decodes the changes from the "
            "WAL, which needs wal_level = logical%s",
            level ? level : "unknown",
            pending ? " (a changed wal_level waits for a restart of the server)" : "");
    pgres_free(r);

    const char *type = ctx->rep->source_type;
    for (size_t i = 0; i < sizeof(wal_level_fixes) / sizeof(wal_level_fixes[0]); i++)
        if (type && strcmp(type, wal_level_fixes[i].source_type) == 0)
            return vc_fix(out, "%s.", wal_level_fixes[i].fix);
    vc_fix(out, "ALTER SYSTEM SET wal_level = logical; then restart the server. On a managed "
                "service use its parameters instead: rds.logical_replication = 1 (AWS RDS/Aurora "
                "parameter group), cloudsql.logical_decoding = on (Google Cloud SQL flag), "
                "azure.replication_support = logical or wal_level = logical (Azure server "
                "parameters).");
}

/* ---- replication slots and WAL senders ---------------------------------- */

void check_replication_slots(struct vctx *ctx, struct check_outcome *out)
{
    if (ctx->src == NULL)
        return vc_skip(out);
    long long max = 0;
    if (!setting_int(ctx->src, "max_replication_slots", &max, out))
        return;
    pgres *r = NULL;
    if (!pgconn_query(ctx->src, sql_text("validate_instance_slots"), 0, NULL, &r))
        return vc_query_failed(out, ctx->src, "listing the replication slots");
    long long used = pgres_ntuples(r), avail = max - used;
    long long need = (long long) ctx->spec->databases.n;
    char *existing = vc_list(r, 2, VC_LIST_MAX);

    if (avail >= need) {
        vc_ok(out,
              "%lld of %lld replication %s free; the migration needs %lld (one per database)%s%s",
              avail < 0 ? 0 : avail, max, plural(max, "slot is", "slots are"), need,
              used ? "; existing: " : "", used ? existing : "");
    } else {
        vc_fail(out,
                "not enough free replication slots: max_replication_slots is %lld and %lld %s "
                "(%s), so %lld %s free, but migrating %lld %s online needs %lld (one per database)",
                max, used, plural(used, "slot exists", "slots exist"), used ? existing : "none",
                avail < 0 ? 0 : avail, plural(avail, "is", "are"), need,
                plural(need, "database", "databases"), need);
        /* Inactive slots are the likely leftovers: offer to drop them. */
        strbuf drops = STRBUF_INIT;
        int ndrops = 0;
        for (int i = 0; i < pgres_ntuples(r) && ndrops < VC_LIST_MAX; i++) {
            if (pgres_get_bool(r, i, "active"))
                continue;
            sb_append(&drops, ndrops++ ? " " : "");
            sb_append(&drops, "SELECT pg_drop_replication_slot(");
            pgq_literal(&drops, pgres_get(r, i, 0));
            sb_append(&drops, ");");
        }
        if (ndrops)
            vc_fix(out, "drop the inactive slots that are no longer needed: %s Or", sb_str(&drops));
        vc_fix(out,
               "%s ALTER SYSTEM SET max_replication_slots = %lld; then restart the server "
               "(on a managed service, raise max_replication_slots in its server parameters).",
               ndrops ? "raise the limit:" : "Raise the limit:", used + need);
        sb_free(&drops);
    }
    free(existing);
    pgres_free(r);
}

void check_wal_senders(struct vctx *ctx, struct check_outcome *out)
{
    if (ctx->src == NULL)
        return vc_skip(out);
    long long max = 0;
    if (!setting_int(ctx->src, "max_wal_senders", &max, out))
        return;
    pgres *r = NULL;
    if (!pgconn_query(ctx->src, sql_text("validate_instance_wal_senders"), 0, NULL, &r))
        return vc_query_failed(out, ctx->src, "listing the WAL senders");
    long long used = pgres_ntuples(r), avail = max - used;
    long long need = (long long) ctx->spec->databases.n;
    char *running = vc_list(r, 0, VC_LIST_MAX);
    if (avail >= need)
        vc_ok(out,
              "%lld of %lld WAL senders are free; the migration needs %lld (one per database)%s%s",
              avail, max, need, used ? "; in use: " : "", used ? running : "");
    else {
        vc_fail(out,
                "not enough free WAL senders: max_wal_senders is %lld and %lld %s in use (%s), so "
                "%lld %s free, but migrating %lld %s online needs %lld (one replication "
                "connection per database)",
                max, used, plural(used, "is", "are"), used ? running : "none",
                avail < 0 ? 0 : avail, plural(avail, "is", "are"), need,
                plural(need, "database", "databases"), need);
        vc_fix(out,
               "stop replication connections that are no longer needed, or ALTER SYSTEM SET "
               "max_wal_senders = %lld; then restart the server (on a managed service, raise "
               "max_wal_senders in its server parameters).",
               used + need);
    }
    free(running);
    pgres_free(r);
}

/* ---- the replication privilege ------------------------------------------ */

void check_replication_role(struct vctx *ctx, struct check_outcome *out)
{
    if (ctx->src == NULL)
        return vc_skip(out);
    pgres *r = NULL;
    if (!pgconn_query(ctx->src, sql_text("validate_instance_replication_role"), 0, NULL, &r))
        return vc_query_failed(out, ctx->src, "reading the source role's attributes");
    if (pgres_ntuples(r) == 0) {
        pgres_free(r);
        return vc_fail(out, "the source role was not found in pg_roles");
    }
    const char *role = pgres_get(r, 0, 0);
    const char *rds = pgres_get(r, 0, 3); /* NULL: no rds_replication role on this server */
    if (pgres_get_bool(r, 0, "rolsuper"))
        vc_ok(out, "the source role %s is a superuser: it may replicate", role);
    else if (pgres_get_bool(r, 0, "rolreplication"))
        vc_ok(out, "the source role %s has the REPLICATION attribute", role);
    else if (rds && strcmp(rds, "t") == 0)
        vc_ok(out, "the source role %s is a member of rds_replication: it may replicate", role);
    else {
        char *ident = pgq_ident_dup(role);
        vc_fail(out,
                "the source role %s may not open replication connections: it is neither a "
                "superuser nor has the REPLICATION attribute%s, and an online migration streams "
                "changes through a replication connection",
                role, rds ? " nor is a member of rds_replication" : "");
        if (rds)
            vc_fix(out, "as the master user (AWS RDS/Aurora): GRANT rds_replication TO %s;", ident);
        else
            vc_fix(out,
                   "as a superuser (or the service's admin role): ALTER ROLE %s WITH REPLICATION;",
                   ident);
        free(ident);
    }
    if (pgconn_server_version(ctx->src) < 100000 && out->status == CHECK_SUCCEEDED)
        sb_append(&out->message, "; on 9.x, pg_hba.conf must also allow the connection with "
                                 "'replication' in its database column");
    pgres_free(r);
}

/* ---- transactions that stall slot creation ------------------------------ */

void check_long_transactions(struct vctx *ctx, struct check_outcome *out)
{
    if (ctx->src == NULL)
        return vc_skip(out);
    pgres *sessions = NULL, *prepared = NULL;
    char *sees_all = NULL;
    char interval[32];
    snprintf(interval, sizeof(interval), "%d minutes", LONG_XACT_MINUTES);
    const char *params[] = {interval};
    if (!pgconn_query(ctx->src, sql_text("validate_instance_long_xacts"), 1, params, &sessions))
        return vc_query_failed(out, ctx->src, "listing the open transactions");
    if (!pgconn_query(ctx->src, sql_text("validate_instance_prepared_xacts"), 0, NULL, &prepared)) {
        pgres_free(sessions);
        return vc_query_failed(out, ctx->src, "listing the prepared transactions");
    }
    if (!pgconn_query_value(ctx->src, sql_text("validate_instance_session_visibility"), 0, NULL,
                            &sees_all))
        pgconn_clear_error(ctx->src); /* only refines the message */
    const char *unseen = sees_all && strcmp(sees_all, "t") == 0
                             ? ""
                             : "; the transactions of other roles' sessions are not visible to "
                               "this role (grant it pg_read_all_stats, or check as a superuser)";

    int ns = pgres_ntuples(sessions), np = pgres_ntuples(prepared);
    if (ns + np == 0) {
        vc_ok(out,
              "no session is idle in a transaction holding a transaction ID, no transaction "
              "has been open longer than %d minutes and none is prepared%s",
              LONG_XACT_MINUTES, unseen);
        goto done;
    }

    strbuf list = STRBUF_INIT, fix = STRBUF_INIT;
    int shown = 0;
    for (int i = 0; i < ns; i++) {
        if (shown++ >= VC_LIST_MAX)
            break;
        char age[32];
        format_age(pgres_get_int64(sessions, i, "age_seconds", 0), age, sizeof(age));
        const char *db = pgres_get(sessions, i, 1), *user = pgres_get(sessions, i, 2),
                   *state = pgres_get(sessions, i, 3);
        sb_printf(&list, "%spid %s (database %s, user %s, %s, transaction open for %s%s)",
                  list.len ? "; " : "", pgres_get(sessions, i, 0), db ? db : "-", user ? user : "-",
                  state ? state : "state unknown", age,
                  pgres_get_bool(sessions, i, "has_xid") ? ", holds a transaction ID" : "");
        sb_printf(&fix, "%sSELECT pg_terminate_backend(%s);", fix.len ? " " : "",
                  pgres_get(sessions, i, 0));
    }
    strbuf prep_fix = STRBUF_INIT;
    for (int i = 0; i < np; i++) {
        if (shown++ >= VC_LIST_MAX)
            break;
        char age[32];
        format_age(pgres_get_int64(prepared, i, "age_seconds", 0), age, sizeof(age));
        strbuf gid = STRBUF_INIT;
        pgq_literal(&gid, pgres_get(prepared, i, 0));
        sb_printf(&list, "%sprepared transaction %s (database %s, owner %s, prepared %s ago)",
                  list.len ? "; " : "", sb_str(&gid), pgres_get(prepared, i, 1),
                  pgres_get(prepared, i, 2), age);
        sb_printf(&prep_fix, "%sin database %s: ROLLBACK PREPARED %s; (or COMMIT PREPARED %s;)",
                  prep_fix.len ? " " : "", pgres_get(prepared, i, 1), sb_str(&gid), sb_str(&gid));
        sb_free(&gid);
    }
    if (ns + np > VC_LIST_MAX)
        sb_printf(&list, "; and %d more", ns + np - VC_LIST_MAX);

    vc_warn(out,
            "%d open %s on the source may delay the start of the migration: %s. Creating a "
            "replication slot waits until every transaction that holds a transaction ID has "
            "ended (one without holds back vacuum). Reported are: sessions idle in transaction "
            "that hold a transaction ID (whatever their age: they may never end on their own), "
            "transactions open longer than %d minutes, and every prepared transaction%s",
            ns + np, plural(ns + np, "transaction", "transactions"), sb_str(&list),
            LONG_XACT_MINUTES, unseen);
    if (fix.len)
        vc_fix(out,
               "end them before starting: COMMIT or ROLLBACK in their sessions, or end the "
               "sessions: %s",
               sb_str(&fix));
    if (prep_fix.len)
        vc_fix(out, "Finish the prepared transactions: %s", sb_str(&prep_fix));
    if (ns)
        vc_fix(out, "(idle_in_transaction_session_timeout keeps idle sessions from lingering.)");
    sb_free(&list);
    sb_free(&fix);
    sb_free(&prep_fix);
done:
    free(sees_all);
    pgres_free(sessions);
    pgres_free(prepared);
}

/* ---- max_slot_wal_keep_size --------------------------------------------- */

/*
 * The size of the chosen databases in MB, or -1 when none could be sized
 * (pg_database_size needs CONNECT on the database or pg_read_all_stats).
 */
static long long databases_mb(struct vctx *ctx)
{
    long long total = 0;
    bool any = false;
    for (size_t i = 0; i < ctx->spec->databases.n; i++) {
        pgres *r = NULL;
        const char *params[] = {ctx->spec->databases.items[i]};
        if (!pgconn_query_quiet(ctx->src, "SELECT pg_catalog.pg_database_size($1::text::name)", 1,
                                params, &r)) {
            pgconn_clear_error(ctx->src); /* a missing database: Source database reports it */
            continue;
        }
        if (pgres_ntuples(r) > 0 && pgres_get(r, 0, 0)) {
            total += strtoll(pgres_get(r, 0, 0), NULL, 10);
            any = true;
        }
        pgres_free(r);
    }
    return any ? (total + (1 << 20) - 1) >> 20 : -1;
}

void check_slot_wal_keep_size(struct vctx *ctx, struct check_outcome *out)
{
    if (ctx->src == NULL)
        return vc_skip(out);
    if (pgconn_server_version(ctx->src) < 130000)
        return vc_ok(out,
                     "not applicable: PostgreSQL %d has no max_slot_wal_keep_size (new in 13); "
                     "the slot keeps WAL without limit: watch the source's disk space",
                     pgconn_server_major(ctx->src));
    long long keep = 0;
    if (!setting_int(ctx->src, "max_slot_wal_keep_size", &keep, out))
        return;
    if (keep < 0)
        return vc_ok(out, "max_slot_wal_keep_size is -1: the slot keeps all the WAL the migration "
                          "needs (watch the source's disk space during the copy)");
    long long data_mb = databases_mb(ctx);
    long long want = data_mb > KEEP_SIZE_FLOOR_MB ? data_mb : KEEP_SIZE_FLOOR_MB;
    char keep_s[32], data_s[32], floor_s[32];
    format_mb(keep, keep_s, sizeof(keep_s));
    format_mb(data_mb < 0 ? 0 : data_mb, data_s, sizeof(data_s));
    format_mb(KEEP_SIZE_FLOOR_MB, floor_s, sizeof(floor_s));
    char sized[96];
    if (data_mb >= 0)
        snprintf(sized, sizeof(sized), "the databases to copy hold %s", data_s);
    else
        snprintf(sized, sizeof(sized), "the size of the databases is unknown");
    if (keep >= want)
        return vc_ok(out,
                     "max_slot_wal_keep_size is %s, at least %s and at least the size of the "
                     "databases (%s)",
                     keep_s, floor_s, sized);
    vc_warn(out,
            "max_slot_wal_keep_size is %s (%s): while the databases are copied, the migration's "
            "replication slot keeps the WAL the source writes; once that exceeds %s the source "
            "removes it anyway, the slot is invalidated (wal_status 'lost') and the migration "
            "fails and has to start over. Warned when the limit is below %s or below the size of "
            "the databases",
            keep_s, sized, keep_s, floor_s);
    vc_fix(out,
           "ALTER SYSTEM SET max_slot_wal_keep_size = -1; SELECT pg_reload_conf(); (no restart "
           "needed; on a managed service, change it in its server parameters), or set it "
           "above the WAL the source writes during the copy, and watch the disk space.");
}
