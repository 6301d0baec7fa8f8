/*
 * checks_objects.c — objects of a database that the schema restore changes
 * or cannot create: inheritance column order, tablespaces, lz4, foreign
 * servers, replication objects, event triggers, access methods,
 * server-specific values, types and operators newer servers dropped.
 *
 * The engine moves the schema with pg_dump/pg_restore --no-tablespaces,
 * the rows with COPY, large objects and sequences on its own, and creates
 * no roles; what follows is what that leaves behind, said before it moves.
 */
#include "pg/quote.h"
#include "sql_embedded.h"
#include "util/mem.h"
#include "validate/internal.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
/* ---- objects not moved faithfully --------------------------------------- */

/* What the check found, by severity, and the remediation for each, in the same order. */
struct findings {
    strbuf failed;
    strbuf warned;
    strbuf failed_fix;
    strbuf warned_fix;
};

/* Appends text to where, after sep when where already holds something. */
static void append_sep(strbuf *where, const char *sep, const char *fmt, va_list ap)
{
    char buf[8192];
    vsnprintf(buf, sizeof(buf), fmt, ap);
    if (where->len)
        sb_append(where, sep);
    sb_append(where, buf);
}

/* Adds a remediation sentence. */
static void fix(strbuf *where, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fix(strbuf *where, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    append_sep(where, " ", fmt, ap);
    va_end(ap);
}

/* Adds a finding. */
static void found(strbuf *where, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void found(strbuf *where, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    append_sep(where, "; ", fmt, ap);
    va_end(ap);
}

/* Adds a finding: text, then the objects (the first VC_LIST_MAX) joined by sep. */
static void found_list(strbuf *where, const strlist *objects, const char *sep, const char *text)
{
    char *l = vc_join(objects, sep, VC_LIST_MAX);
    found(where, "%s%s", text, l);
    free(l);
}

/* One relation of an inheritance tree: its columns now and as the restore will make them. */
struct inh_rel {
    int64_t oid;
    char *name;       /* owned: schema.table, quoted as needed */
    strlist columns;  /* in attnum order */
    int64_t *parents; /* owned, in inhseqno order */
    int nparents;
    strlist expected; /* the restore's order, once computed */
    int state;        /* 0 not computed, 1 computing, 2 done */
};

static struct inh_rel *find_rel(struct inh_rel *rels, int n, int64_t oid)
{
    for (int i = 0; i < n; i++)
        if (rels[i].oid == oid)
            return &rels[i];
    return NULL;
}

/*
 * CREATE TABLE ... INHERITS puts the parents' columns first, parent by
 * parent, each parent's in the order the restore gives it, then the
 * table's own columns that no parent has, in their order.
 */
static const strlist *expected_order(struct inh_rel *rels, int n, struct inh_rel *r)
{
    if (r->state == 2 || r->state == 1)
        return r->state == 2 ? &r->expected : &r->columns;
    r->state = 1;
    for (int p = 0; p < r->nparents; p++) {
        struct inh_rel *parent = find_rel(rels, n, r->parents[p]);
        if (parent == NULL)
            continue;
        const strlist *pcols = expected_order(rels, n, parent);
        for (size_t i = 0; i < pcols->n; i++)
            if (!sl_contains(&r->expected, pcols->items[i]))
                sl_push(&r->expected, pcols->items[i]);
    }
    for (size_t i = 0; i < r->columns.n; i++)
        if (!sl_contains(&r->expected, r->columns.items[i]))
            sl_push(&r->expected, r->columns.items[i]);
    r->state = 2;
    return &r->expected;
}

static bool same_order(const strlist *a, const strlist *b)
{
    if (a->n != b->n)
        return false;
    for (size_t i = 0; i < a->n; i++)
        if (strcmp(a->items[i], b->items[i]) != 0)
            return false;
    return true;
}

/* (1) inheritance children whose column order the restore changes. */
static bool inheritance_order(struct vctx *ctx, struct findings *f, struct check_outcome *out)
{
    pgres *r = NULL;
    if (!pgconn_query(ctx->src_db, sql_text("validate_db_inheritance"), 0, NULL, &r)) {
        vc_query_failed(out, ctx->src_db, "reading the inheritance trees");
        return false;
    }
    int rows = pgres_ntuples(r), n = 0;
    struct inh_rel *rels = xcalloc((size_t) rows + 1, sizeof(*rels));
    for (int i = 0; i < rows; i++) {
        int64_t oid = pgres_get_int64(r, i, "oid", 0);
        struct inh_rel *rel = n > 0 && rels[n - 1].oid == oid ? &rels[n - 1] : NULL;
        if (rel == NULL) {
            rel = &rels[n++];
            rel->oid = oid;
        }
        const char *item = pgres_getn(r, i, "item");
        if (pgres_getn(r, i, "kind")[0] == 'c') {
            if (rel->name == NULL)
                rel->name = xstrdup(pgres_getn(r, i, "name"));
            sl_push(&rel->columns, item);
        } else {
            rel->parents = xrealloc(rel->parents, sizeof(int64_t) * (size_t) (rel->nparents + 1));
            rel->parents[rel->nparents++] = strtoll(item, NULL, 10);
        }
    }
    pgres_free(r);
    strlist differing = STRLIST_INIT;
    for (int i = 0; i < n; i++) {
        struct inh_rel *rel = &rels[i];
        if (rel->nparents == 0 || rel->name == NULL)
            continue;
        const strlist *want = expected_order(rels, n, rel);
        if (!same_order(&rel->columns, want)) {
            char *now = sl_join(&rel->columns, ", "), *then = sl_join(want, ", ");
            sl_push_owned(&differing,
                          xasprintf("%s (source: %s; target: %s)", rel->name, now, then));
            free(now);
            free(then);
        }
    }
    if (differing.n) {
        char *l = vc_join(&differing, ", ", VC_LIST_MAX);
        found(&f->warned,
              "%zu inheritance %s will get another column order on the target, because the "
              "restore creates %s with CREATE TABLE ... INHERITS, which puts the parents' columns "
              "first (%s joined a parent with ALTER TABLE ... INHERIT, or a parent gained columns "
              "later): %s",
              differing.n, vc_plural((long long) differing.n, "child", "children"),
              vc_plural((long long) differing.n, "it", "them"),
              vc_plural((long long) differing.n, "it", "they"), l);
        free(l);
        fix(&f->warned_fix,
            "The rows land in the right columns (pgshuttle copies by column name). If "
            "something relies on column positions (SELECT *, INSERT without a column "
            "list), give those statements column lists, or re-create the tables in the "
            "source's order on the target afterwards.");
    }
    sl_free(&differing);
    for (int i = 0; i < n; i++) {
        free(rels[i].name);
        free(rels[i].parents);
        sl_free(&rels[i].columns);
        sl_free(&rels[i].expected);
    }
    free(rels);
    return true;
}

/* (2) relations outside the default tablespace: the restore runs with --no-tablespaces. */
static bool tablespaces(struct vctx *ctx, struct findings *f, struct check_outcome *out)
{
    pgres *r = NULL;
    if (!pgconn_query(ctx->src_db, sql_text("validate_db_tablespaces"), 0, NULL, &r)) {
        vc_query_failed(out, ctx->src_db, "listing the tablespaces in use");
        return false;
    }
    strlist spaces = STRLIST_INIT;
    const char *dbspace = NULL;
    for (int i = 0; i < pgres_ntuples(r); i++) {
        const char *name = pgres_get(r, i, 0);
        if (pgres_get_bool(r, i, "is_database_default")) {
            dbspace = name;
            continue;
        }
        long long t = pgres_get_int64(r, i, "tables", 0), x = pgres_get_int64(r, i, "indexes", 0);
        char *q = pgq_ident_dup(name);
        sl_push_owned(&spaces,
                      xasprintf("%s (%lld %s, %lld %s)", q, t, vc_plural(t, "table", "tables"), x,
                                vc_plural(x, "index", "indexes")));
        free(q);
    }
    if (spaces.n || dbspace) {
        char *l = vc_join(&spaces, ", ", VC_LIST_MAX);
        char *qd = dbspace ? pgq_ident_dup(dbspace) : NULL;
        found(&f->warned,
              "objects in tablespaces land in the target database's default tablespace (the "
              "restore runs with --no-tablespaces)%s%s%s%s%s",
              spaces.n ? ": " : "", l, dbspace ? (spaces.n ? "; " : ": ") : "",
              dbspace ? "the database itself is in tablespace " : "", qd ? qd : "");
        free(l);
        free(qd);
        fix(&f->warned_fix,
            "If placement matters, create the tablespaces on the target and move the "
            "objects after the migration (ALTER TABLE ... SET TABLESPACE ...; ALTER INDEX "
            "... SET TABLESPACE ...; ALTER DATABASE ... SET TABLESPACE ...).");
    }
    sl_free(&spaces);
    pgres_free(r);
    return true;
}

/* (3) lz4 asked for explicitly, on a target built without it. */
static bool lz4(struct vctx *ctx, struct findings *f, struct check_outcome *out)
{
    if (pgconn_server_version(ctx->src_db) < 140000)
        return true;
    char *has = NULL;
    if (!pgconn_query_value(ctx->dst,
                            "SELECT 'lz4' = ANY (enumvals) FROM pg_catalog.pg_settings "
                            "WHERE name = 'default_toast_compression'",
                            0, NULL, &has)) {
        vc_query_failed(out, ctx->dst, "reading the target's TOAST compression methods");
        return false;
    }
    bool target_lz4 = has && strcmp(has, "t") == 0;
    free(has);
    if (target_lz4)
        return true;
    pgres *r = NULL;
    if (!pgconn_query(ctx->src_db, sql_text("validate_db_lz4"), 0, NULL, &r)) {
        vc_query_failed(out, ctx->src_db, "looking for lz4 compression settings");
        return false;
    }
    strlist cols = STRLIST_INIT, settings = STRLIST_INIT;
    strbuf fixes = STRBUF_INIT;
    for (int i = 0; i < pgres_ntuples(r); i++) {
        const char *kind = pgres_get(r, i, 0), *name = pgres_get(r, i, 1);
        bool column = strcmp(kind, "column") == 0;
        sl_push(column ? &cols : &settings, name);
        if (!column || cols.n <= VC_FIX_MAX)
            sb_printf(&fixes, " %s", pgres_getn(r, i, "fix"));
    }
    pgres_free(r);
    if (cols.n || settings.n) {
        char *c = vc_join(&cols, ", ", VC_LIST_MAX), *s = vc_join(&settings, "; ", VC_LIST_MAX);
        found(&f->failed,
              "the target server is built without lz4, but the schema asks for it, so the "
              "restore would fail%s%s%s%s",
              cols.n ? ": columns with COMPRESSION lz4: " : "", c,
              settings.n ? (cols.n ? "; settings: " : ": settings: ") : "", s);
        free(c);
        free(s);
        fix(&f->failed_fix,
            "On the source, switch to pglz before migrating (only new values are "
            "affected there; pgshuttle's copy compresses every value anew):%s%s Or use a "
            "target built with lz4 (the PostgreSQL packages of Debian, Ubuntu and RHEL "
            "are).",
            sb_str(&fixes), cols.n > VC_FIX_MAX ? " (and the same for the other columns)." : "");
    }
    sl_free(&cols);
    sl_free(&settings);
    sb_free(&fixes);
    return true;
}

/* (4) foreign servers and user mappings. */
static bool foreign_servers(struct vctx *ctx, struct findings *f, struct check_outcome *out)
{
    pgres *r = NULL;
    if (!pgconn_query(ctx->src_db, sql_text("validate_db_foreign_servers"), 0, NULL, &r)) {
        vc_query_failed(out, ctx->src_db, "listing the foreign servers");
        return false;
    }
    strlist servers = STRLIST_INIT;
    long long tables = 0, mappings = 0;
    for (int i = 0; i < pgres_ntuples(r); i++) {
        long long m = pgres_get_int64(r, i, "mappings", 0), t = pgres_get_int64(r, i, "tables", 0);
        char *q = pgq_ident_dup(pgres_get(r, i, 0));
        sl_push_owned(&servers,
                      xasprintf("%s (%s, %lld user %s, %lld foreign %s)", q, pgres_get(r, i, 1), m,
                                vc_plural(m, "mapping", "mappings"), t,
                                vc_plural(t, "table", "tables")));
        free(q);
        tables += t;
        mappings += m;
    }
    pgres_free(r);
    if (servers.n) {
        char *l = vc_join(&servers, ", ", VC_LIST_MAX);
        found(&f->warned,
              "foreign servers are re-created as they are and the target must reach them%s%s: %s",
              tables ? "; the rows of foreign tables are not copied (they stay on the foreign "
                       "server)"
                     : "",
              mappings ? "; user mappings keep their options (passwords) only where pg_dump may "
                         "read them (a superuser, or the mapping's own user), and mappings of "
                         "roles the target lacks are left out"
                       : "",
              l);
        free(l);
        fix(&f->warned_fix,
            "After the migration, check from the target that each foreign server "
            "answers, and set the passwords of user mappings again where needed "
            "(ALTER USER MAPPING FOR role SERVER name OPTIONS (SET password '...')).");
    }
    sl_free(&servers);
    return true;
}

/* (5) publications and subscriptions (10+); (6) event triggers. */
static bool replication_and_events(struct vctx *ctx, struct findings *f, struct check_outcome *out,
                                   const char *target_role, bool target_superuser)
{
    pgres *r = NULL;
    if (pgconn_server_version(ctx->src_db) >= 100000) {
        if (!pgconn_query(ctx->src_db,
                          "SELECT 's', s.subname, s.subenabled FROM pg_catalog.pg_subscription s "
                          "JOIN pg_catalog.pg_database d ON d.oid = s.subdbid "
                          "WHERE d.datname = current_database() "
                          "UNION ALL SELECT 'p', p.pubname, true FROM pg_catalog.pg_publication p "
                          "WHERE p.pubname !~ '^pgshuttle' ORDER BY 1, 2",
                          0, NULL, &r)) {
            vc_query_failed(out, ctx->src_db, "listing publications and subscriptions");
            return false;
        }
        strlist subs = STRLIST_INIT, pubs = STRLIST_INIT;
        for (int i = 0; i < pgres_ntuples(r); i++) {
            char *q = pgq_ident_dup(pgres_get(r, i, 1));
            sl_push_owned(pgres_get(r, i, 0)[0] == 's' ? &subs : &pubs, q);
        }
        pgres_free(r);
        if (subs.n) {
            found_list(
                &f->warned, &subs, ", ",
                "subscriptions are re-created without connecting (pg_dump writes connect = "
                "false, and dumps them only for a superuser): on the target they are disabled "
                "and have no replication slot: ");
            fix(&f->warned_fix,
                "After cutover decide for each subscription: on the target point it at "
                "its publisher (ALTER SUBSCRIPTION name CONNECTION '...'), give it a slot "
                "(ALTER SUBSCRIPTION name SET (slot_name = '...')) and ALTER SUBSCRIPTION "
                "name ENABLE, or drop it; never let two servers consume the same slot.");
        }
        if (pubs.n) {
            found_list(
                &f->warned, &pubs, ", ",
                "publications are re-created on the target as they are, but their subscribers "
                "keep following the source: ");
            fix(&f->warned_fix,
                "After cutover, point the subscribers of these publications at the "
                "target (ALTER SUBSCRIPTION ... CONNECTION ...; the target needs their "
                "replication slots).");
        }
        sl_free(&subs);
        sl_free(&pubs);
    }

    if (!pgconn_query(ctx->src_db,
                      "SELECT e.evtname, e.evtenabled FROM pg_catalog.pg_event_trigger e "
                      "WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = "
                      "'pg_catalog.pg_event_trigger'::pg_catalog.regclass AND d.objid = e.oid "
                      "AND d.deptype = 'e') ORDER BY 1",
                      0, NULL, &r)) {
        vc_query_failed(out, ctx->src_db, "listing the event triggers");
        return false;
    }
    strlist evts = STRLIST_INIT;
    for (int i = 0; i < pgres_ntuples(r); i++) {
        char *q = pgq_ident_dup(pgres_get(r, i, 0));
        bool disabled = pgres_get(r, i, 1)[0] == 'D';
        sl_push_owned(&evts, xasprintf("%s%s", q, disabled ? " (disabled)" : ""));
        free(q);
    }
    pgres_free(r);
    if (evts.n) {
        char *l = vc_join(&evts, ", ", VC_LIST_MAX);
        if (!target_superuser) {
            found(&f->failed,
                  "event triggers can only be created by a superuser, and the target role %s is "
                  "not one, so the restore would fail: %s",
                  target_role, l);
            fix(&f->failed_fix,
                "Migrate with a superuser on the target, or drop the event triggers on "
                "the source and re-create them on the target afterwards.");
        } else {
            found(&f->warned,
                  "event triggers are re-created on the target (last, after the schema) and "
                  "fire there for DDL from then on: %s",
                  l);
            fix(&f->warned_fix,
                "Check that their functions work on the target, and disable the ones "
                "that should not run there (ALTER EVENT TRIGGER name DISABLE).");
        }
        free(l);
    }
    sl_free(&evts);
    return true;
}

/* (7) table access methods other than heap that the target cannot have. */
static bool table_access_methods(struct vctx *ctx, struct findings *f, struct check_outcome *out)
{
    if (pgconn_server_version(ctx->src_db) < 120000)
        return true;
    pgres *r = NULL, *t = NULL;
    if (!pgconn_query(ctx->src_db, sql_text("validate_db_table_am"), 0, NULL, &r)) {
        vc_query_failed(out, ctx->src_db, "listing table access methods");
        return false;
    }
    if (pgres_ntuples(r) == 0) {
        pgres_free(r);
        return true;
    }
    if (!pgconn_query(ctx->dst,
                      "SELECT amname, NULL FROM pg_catalog.pg_am WHERE amtype = 't' UNION ALL "
                      "SELECT NULL, name FROM pg_catalog.pg_available_extensions",
                      0, NULL, &t)) {
        pgres_free(r);
        vc_query_failed(out, ctx->dst, "listing the target's access methods");
        return false;
    }
    for (int i = 0; i < pgres_ntuples(r); i++) {
        const char *am = pgres_getn(r, i, "am"), *ext = pgres_getn(r, i, "extension");
        bool has_am = false, has_ext = false;
        for (int j = 0; j < pgres_ntuples(t); j++) {
            const char *a = pgres_get(t, j, 0), *e = pgres_get(t, j, 1);
            has_am = has_am || (a && strcmp(a, am) == 0);
            has_ext = has_ext || (e && ext && strcmp(e, ext) == 0);
        }
        long long n = pgres_get_int64(r, i, "relations", 0);
        char *names = n > 5 ? xasprintf("%s and %lld more", pgres_getn(r, i, "names"), n - 5)
                            : xstrdup(pgres_getn(r, i, "names"));
        if (has_am || (ext && has_ext)) {
            /* there, or created with its extension (see Extensions) */
        } else if (ext) {
            found(&f->failed,
                  "table access method %s comes with extension %s, which the target does not "
                  "have, so these cannot be created: %s",
                  am, ext, names);
            fix(&f->failed_fix,
                "Install the extension that provides the access method on the target "
                "(see Extensions), or convert the tables on the source (ALTER TABLE ... "
                "SET ACCESS METHOD heap, 15+).");
        } else {
            found(&f->warned,
                  "table access method %s (handler %s) is re-created by the restore, which needs "
                  "the handler's library installed on the target: %s",
                  am, pgres_getn(r, i, "handler"), names);
            fix(&f->warned_fix, "Install the library of the access method's handler on the target "
                                "server before migrating.");
        }
        free(names);
    }
    pgres_free(r);
    pgres_free(t);
    return true;
}

/* (8) values that only mean something on the source: reg* (OIDs), xid, tid, LSNs. */
static bool server_values(struct vctx *ctx, struct findings *f, struct check_outcome *out)
{
    pgres *r = NULL;
    if (!pgconn_query(ctx->src_db, sql_text("validate_db_server_values"), 0, NULL, &r)) {
        vc_query_failed(out, ctx->src_db, "looking for reg* columns");
        return false;
    }
    strlist regs = STRLIST_INIT, others = STRLIST_INIT;
    for (int i = 0; i < pgres_ntuples(r); i++)
        sl_push_owned(pgres_get_bool(r, i, "is_reg") ? &regs : &others,
                      xasprintf("%s (%s)", pgres_get(r, i, 0), pgres_get(r, i, 1)));
    pgres_free(r);
    if (regs.n) {
        found_list(
            &f->warned, &regs, ", ",
            "columns of reg* types refer to objects by OID, which differ on the target: they "
            "are copied as names and resolve to the objects of that name there, and a value "
            "naming an object the target lacks while rows are copied (a role: roles are not "
            "migrated; an index: built after the data; a dropped object, shown as a number) "
            "fails the copy or points elsewhere: ");
        fix(&f->warned_fix,
            "Create on the target the roles these values name before migrating; where "
            "you can, store names (text) instead of reg* values.");
    }
    if (others.n) {
        found_list(
            &f->warned, &others, ", ",
            "columns of transaction ids, tuple ids, LSNs or snapshots keep the source's values, "
            "which mean nothing on the target server: ");
        fix(&f->warned_fix,
            "Review what reads these columns: their values describe the source server.");
    }
    sl_free(&regs);
    sl_free(&others);
    return true;
}

/* (9) built-in column types the target no longer has; (10) WITH OIDS, postfix operators. */
static bool dropped_features(struct vctx *ctx, struct findings *f, struct check_outcome *out)
{
    pgres *r = NULL, *t = NULL;
    if (!pgconn_query(ctx->src_db, sql_text("validate_db_column_types"), 0, NULL, &r)) {
        vc_query_failed(out, ctx->src_db, "listing the column types");
        return false;
    }
    if (!pgconn_query(ctx->dst,
                      "SELECT typname FROM pg_catalog.pg_type WHERE typnamespace = "
                      "'pg_catalog'::pg_catalog.regnamespace",
                      0, NULL, &t)) {
        pgres_free(r);
        vc_query_failed(out, ctx->dst, "listing the target's types");
        return false;
    }
    strlist missing = STRLIST_INIT;
    for (int i = 0; i < pgres_ntuples(r); i++) {
        const char *type = pgres_get(r, i, 0);
        bool has = false;
        for (int j = 0; j < pgres_ntuples(t) && !has; j++)
            has = strcmp(pgres_get(t, j, 0), type) == 0;
        if (!has) {
            long long n = pgres_get_int64(r, i, "columns", 0);
            sl_push_owned(&missing, xasprintf("%s (%s%s)", type, pgres_getn(r, i, "names"),
                                              n > 5 ? ", ..." : ""));
        }
    }
    pgres_free(r);
    pgres_free(t);
    if (missing.n) {
        found_list(&f->failed, &missing, "; ",
                   "columns use built-in data types the target no longer has: ");
        fix(&f->failed_fix,
            "On the source, change these columns to a type the target has (abstime, "
            "reltime: timestamptz, interval; tinterval: tstzrange) before migrating.");
    }
    sl_free(&missing);

    int sv = pgconn_server_version(ctx->src_db), tv = pgconn_server_version(ctx->dst);
    if (!((sv < 120000 && tv >= 120000) || (sv < 140000 && tv >= 140000)))
        return true;
    if (!pgconn_query(ctx->src_db, sql_text("validate_db_legacy"), 0, NULL, &r)) {
        vc_query_failed(out, ctx->src_db, "looking for WITH OIDS tables and postfix operators");
        return false;
    }
    strlist oids = STRLIST_INIT, postfix = STRLIST_INIT;
    for (int i = 0; i < pgres_ntuples(r); i++) {
        bool is_oids = strcmp(pgres_get(r, i, 0), "with_oids") == 0;
        if (is_oids && tv >= 120000)
            sl_push(&oids, pgres_get(r, i, 1));
        else if (!is_oids && tv >= 140000)
            sl_push(&postfix, pgres_get(r, i, 1));
    }
    pgres_free(r);
    if (oids.n) {
        found_list(&f->warned, &oids, ", ",
                   "tables created WITH OIDS lose their hidden oid column (PostgreSQL 12 and later "
                   "have none): ");
        fix(&f->warned_fix,
            "If anything uses the oid values, keep them in a real column first (ALTER "
            "TABLE t ADD COLUMN old_oid oid; UPDATE t SET old_oid = oid;).");
    }
    if (postfix.n) {
        found_list(&f->failed, &postfix, ", ",
                   "postfix operators cannot be created on PostgreSQL 14 and later, so the restore "
                   "would fail: ");
        fix(&f->failed_fix, "Drop the postfix operators on the source (DROP OPERATOR ...), using "
                            "prefix operators or functions instead.");
    }
    sl_free(&oids);
    sl_free(&postfix);
    return true;
}

void check_unfaithful_objects(struct vctx *ctx, struct check_outcome *out)
{
    if (ctx->src_db == NULL || ctx->dst == NULL)
        return vc_skip(out);
    pgres *role = NULL;
    if (!pgconn_query(ctx->dst,
                      "SELECT current_user, rolsuper FROM pg_catalog.pg_roles "
                      "WHERE rolname = current_user",
                      0, NULL, &role))
        return vc_query_failed(out, ctx->dst, "reading the target role");
    bool target_superuser = pgres_ntuples(role) > 0 && pgres_get_bool(role, 0, "rolsuper");
    char *target_role = xstrdup(pgres_ntuples(role) > 0 ? pgres_get(role, 0, 0) : "?");
    pgres_free(role);

    struct findings f = {STRBUF_INIT, STRBUF_INIT, STRBUF_INIT, STRBUF_INIT};
    bool ok = inheritance_order(ctx, &f, out) && tablespaces(ctx, &f, out) && lz4(ctx, &f, out) &&
              foreign_servers(ctx, &f, out) &&
              replication_and_events(ctx, &f, out, target_role, target_superuser) &&
              table_access_methods(ctx, &f, out) && server_values(ctx, &f, out) &&
              dropped_features(ctx, &f, out);
    if (!ok) {
        /* the part that could not look set the outcome */
    } else if (f.failed.len)
        vc_fail(out, "%s%s%s", sb_str(&f.failed), f.warned.len ? "; also: " : "",
                sb_str(&f.warned));
    else if (f.warned.len)
        vc_warn(out, "%s", sb_str(&f.warned));
    else
        vc_ok(out, "every object can be moved as it is");
    if (ok && f.failed_fix.len)
        vc_fix(out, "%s", sb_str(&f.failed_fix));
    if (ok && f.warned_fix.len)
        vc_fix(out, "%s", sb_str(&f.warned_fix));
    sb_free(&f.failed);
    sb_free(&f.warned);
    sb_free(&f.failed_fix);
    sb_free(&f.warned_fix);
    free(target_role);
}
