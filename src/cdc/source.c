/* source.c — the stream's objects on the source database (see source.h). */
#include "cdc/source.h"
#include "pg/quote.h"
#include "pg/replication.h"
#include "sql_embedded.h"
#include "util/log.h"
#include "util/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool cdc_tables_load(pgconn *src, struct cdc_table_set *out)
{
    memset(out, 0, sizeof(*out));
    pgres *r = NULL;
    if (!pgconn_query(src, sql_text("cdc_tables"), 0, NULL, &r))
        return false;
    int n = pgres_ntuples(r);
    out->tables = xcalloc((size_t) n + 1, sizeof(struct cdc_table));
    for (int i = 0; i < n; i++) {
        struct cdc_table *t = &out->tables[i];
        t->oid = (uint32_t) pgres_get_int64(r, i, "oid", 0);
        t->schema = xstrdup(pgres_getn(r, i, "schema"));
        t->name = xstrdup(pgres_getn(r, i, "name"));
        t->qname = pgq_qualified_dup(t->schema, t->name);
        t->relkind = pgres_getn(r, i, "relkind")[0];
        t->replident = pgres_getn(r, i, "replident")[0];
        t->is_partition = pgres_get_bool(r, i, "is_partition");
        t->identified = pgres_get_bool(r, i, "identified");
    }
    out->n = n;
    pgres_free(r);
    return true;
}

void cdc_tables_free(struct cdc_table_set *set)
{
    for (int i = 0; i < set->n; i++) {
        free(set->tables[i].schema);
        free(set->tables[i].name);
        free(set->tables[i].qname);
    }
    free(set->tables);
    memset(set, 0, sizeof(*set));
}

/* FNV-1a, 64 bits: stable across runs and machines, which is all a name needs. */
static uint64_t fnv1a(uint64_t h, const char *s)
{
    for (const unsigned char *p = (const unsigned char *) s; *p; p++) {
        h ^= *p;
        h *= UINT64_C(1099511628211);
    }
    h ^= 0xff; /* separator: ("ab","c") and ("a","bc") differ */
    h *= UINT64_C(1099511628211);
    return h;
}

char *cdc_stream_name(const char *db, const char *target_key)
{
    uint64_t h = fnv1a(fnv1a(UINT64_C(14695981039346656037), db), target_key ? target_key : "");
    return xasprintf("pgshuttle_%016llx", (unsigned long long) h);
}

bool cdc_set_replica_identity_full(pgconn *src, struct cdc_table_set *set, strlist *undo)
{
    for (int i = 0; i < set->n; i++) {
        struct cdc_table *t = &set->tables[i];
        /* A partition follows its own setting; a partitioned root's is what 13+ publishes. */
        if (t->identified)
            continue;
        char *sql = xasprintf("ALTER TABLE %s REPLICA IDENTITY FULL", t->qname);
        bool ok = pgconn_exec(src, sql);
        free(sql);
        if (!ok)
            return false;
        sl_push_owned(undo, xasprintf("%u=%c", (unsigned) t->oid, t->replident == 'n' ? 'n' : 'd'));
        log_info("set REPLICA IDENTITY FULL on %s (--replica-identity-full)", t->qname);
        t->identified = true;
        t->replident = 'f';
    }
    return true;
}

/* An undo entry: "OID=d" or "OID=n". */
static bool parse_entry(const char *e, uint32_t *oid, char *ident)
{
    char *end;
    unsigned long v = strtoul(e, &end, 10);
    if (end == e || v == 0 || v > UINT32_MAX || end[0] != '=' || (end[1] != 'd' && end[1] != 'n') ||
        end[2] != '\0' || e[0] < '0' || e[0] > '9')
        return false;
    *oid = (uint32_t) v;
    *ident = end[1];
    return true;
}

static void restore_one(pgconn *src, uint32_t oid, char ident, strlist *done)
{
    char oidtext[16];
    snprintf(oidtext, sizeof(oidtext), "%u", (unsigned) oid);
    const char *params[] = {oidtext};
    pgres *r = NULL;
    if (!pgconn_query(src,
                      "SELECT n.nspname, c.relname, c.relreplident FROM pg_catalog.pg_class c "
                      "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
                      "WHERE c.oid = $1::pg_catalog.oid",
                      1, params, &r)) {
        log_warn("could not restore the replica identity of the table with OID %s", oidtext);
        return;
    }
    if (pgres_ntuples(r) == 1 && strcmp(pgres_get(r, 0, 2), "f") == 0) {
        char *qname = pgq_qualified_dup(pgres_get(r, 0, 0), pgres_get(r, 0, 1));
        const char *what = ident == 'n' ? "NOTHING" : "DEFAULT";
        char *sql = xasprintf("ALTER TABLE %s REPLICA IDENTITY %s", qname, what);
        if (pgconn_exec(src, sql)) {
            log_info("restored REPLICA IDENTITY %s on %s", what, qname);
            if (done)
                sl_push(done, sql);
        } else {
            log_warn("could not restore REPLICA IDENTITY %s on %s", what, qname);
        }
        free(sql);
        free(qname);
    }
    pgres_free(r);
}

void cdc_identities_restore(pgconn *src, const strlist *undo, strlist *done)
{
    for (size_t i = 0; i < undo->n; i++) {
        uint32_t oid;
        char ident;
        if (parse_entry(undo->items[i], &oid, &ident))
            restore_one(src, oid, ident, done);
    }
}

#define IDENTITIES_COMMENT "pgshuttle: replica identities to restore:"

bool cdc_identities_record(pgconn *src, const char *publication, const strlist *undo)
{
    strbuf text = STRBUF_INIT, sql = STRBUF_INIT;
    sb_append(&text, IDENTITIES_COMMENT);
    for (size_t i = 0; i < undo->n; i++)
        sb_printf(&text, " %s", undo->items[i]);
    sb_append(&sql, "COMMENT ON PUBLICATION ");
    pgq_ident(&sql, publication);
    sb_append(&sql, " IS ");
    pgq_literal(&sql, sb_str(&text));
    bool ok = pgconn_exec(src, sb_str(&sql));
    sb_free(&text);
    sb_free(&sql);
    return ok;
}

bool cdc_identities_parse(const char *comment, strlist *undo)
{
    size_t plen = strlen(IDENTITIES_COMMENT);
    if (comment == NULL || strncmp(comment, IDENTITIES_COMMENT, plen) != 0)
        return false;
    strlist words = STRLIST_INIT;
    sl_split(&words, comment + plen, ' ');
    for (size_t i = 0; i < words.n; i++) {
        uint32_t oid;
        char ident;
        if (parse_entry(words.items[i], &oid, &ident))
            sl_push(undo, words.items[i]);
    }
    sl_free(&words);
    return true;
}

bool cdc_identities_recorded(pgconn *src, const char *publication, strlist *undo)
{
    const char *params[] = {publication};
    char *comment = NULL;
    if (!pgconn_query_value(src,
                            "SELECT pg_catalog.obj_description(p.oid, 'pg_publication') "
                            "FROM pg_catalog.pg_publication p WHERE p.pubname = $1",
                            1, params, &comment))
        return false;
    (void) cdc_identities_parse(comment, undo);
    free(comment);
    return true;
}

/* Is t one of the tables a publication lists (by root on 13+, by leaf before)? */
static bool listed(const struct cdc_table *t, bool by_root)
{
    if (by_root)
        return !t->is_partition;
    return t->relkind == 'r';
}

/* A partition's rows are published through its root on 13+: the root's identity decides. */
static bool create_one(pgconn *src, const char *name, const struct cdc_table_set *set,
                       bool identified, bool by_root)
{
    strbuf sql = STRBUF_INIT;
    sb_append(&sql, "CREATE PUBLICATION ");
    pgq_ident(&sql, name);
    int n = 0;
    for (int i = 0; i < set->n; i++) {
        const struct cdc_table *t = &set->tables[i];
        if (!listed(t, by_root) || t->identified != identified)
            continue;
        sb_append(&sql, n == 0 ? " FOR TABLE " : ", ");
        sb_append(&sql, "ONLY ");
        sb_append(&sql, t->qname);
        n++;
    }
    if (!identified && by_root)
        sb_append(&sql, " WITH (publish = 'insert, truncate', publish_via_partition_root = true)");
    else if (!identified)
        sb_append(&sql, pgconn_server_major(src) >= 11 ? " WITH (publish = 'insert, truncate')"
                                                       : " WITH (publish = 'insert')");
    else if (by_root)
        sb_append(&sql, " WITH (publish_via_partition_root = true)");
    bool ok = pgconn_exec(src, sql.data);
    sb_free(&sql);
    return ok;
}

static int count_unidentified(const struct cdc_table_set *set, bool by_root)
{
    int n = 0;
    for (int i = 0; i < set->n; i++)
        if (listed(&set->tables[i], by_root) && !set->tables[i].identified)
            n++;
    return n;
}

bool cdc_publications_create(pgconn *src, const char *name, const struct cdc_table_set *set,
                             char **publication_names)
{
    *publication_names = NULL;
    bool by_root = pgconn_server_major(src) >= 13;
    if (!create_one(src, name, set, true, by_root))
        return false;
    if (count_unidentified(set, by_root) == 0) {
        *publication_names = xstrdup(name);
        return true;
    }
    char *ins = xasprintf("%s%s", name, CDC_INSERT_ONLY_SUFFIX);
    bool ok = create_one(src, ins, set, false, by_root);
    if (ok)
        *publication_names = xasprintf("%s,%s", name, ins);
    free(ins);
    return ok;
}

bool cdc_publications_existing(pgconn *src, const char *name, char **publication_names)
{
    *publication_names = NULL;
    char *ins = xasprintf("%s%s", name, CDC_INSERT_ONLY_SUFFIX);
    const char *params[] = {name, ins};
    char *value = NULL;
    bool ok = pgconn_query_value(src,
                                 "SELECT string_agg(pubname, ',' ORDER BY pubname) FROM "
                                 "pg_catalog.pg_publication WHERE pubname IN ($1, $2)",
                                 2, params, &value);
    free(ins);
    if (ok)
        *publication_names = value;
    return ok;
}

bool cdc_publication_object_ids(pgconn *src, const char *name, uint32_t **pairs, int *n)
{
    *pairs = NULL;
    *n = 0;
    char *ins = xasprintf("%s%s", name, CDC_INSERT_ONLY_SUFFIX);
    const char *params[] = {name, ins};
    pgres *r = NULL;
    bool ok = pgconn_query(src,
                           "SELECT 'pg_catalog.pg_publication'::regclass::oid, p.oid "
                           "  FROM pg_catalog.pg_publication p WHERE p.pubname IN ($1, $2) "
                           "UNION ALL "
                           "SELECT 'pg_catalog.pg_publication_rel'::regclass::oid, pr.oid "
                           "  FROM pg_catalog.pg_publication_rel pr "
                           "  JOIN pg_catalog.pg_publication p ON p.oid = pr.prpubid "
                           " WHERE p.pubname IN ($1, $2)",
                           2, params, &r);
    free(ins);
    if (!ok)
        return false;
    int rows = pgres_ntuples(r);
    *pairs = xcalloc((size_t) rows * 2 + 1, sizeof(uint32_t));
    for (int i = 0; i < rows; i++) {
        (*pairs)[2 * i] = (uint32_t) strtoul(pgres_get(r, i, 0), NULL, 10);
        (*pairs)[2 * i + 1] = (uint32_t) strtoul(pgres_get(r, i, 1), NULL, 10);
    }
    *n = rows;
    pgres_free(r);
    return true;
}

bool cdc_publications_drop(pgconn *src, const char *name)
{
    char *ins = xasprintf("%s%s", name, CDC_INSERT_ONLY_SUFFIX);
    strbuf sql = STRBUF_INIT;
    sb_append(&sql, "DROP PUBLICATION IF EXISTS ");
    pgq_ident(&sql, name);
    sb_append(&sql, "; DROP PUBLICATION IF EXISTS ");
    pgq_ident(&sql, ins);
    bool ok = pgconn_exec(src, sql.data);
    sb_free(&sql);
    free(ins);
    return ok;
}

bool cdc_slot_state_read(pgconn *src, const char *slot, struct cdc_slot_state *out)
{
    memset(out, 0, sizeof(*out));
    /* to_jsonb: confirmed_flush_lsn (9.6+) and wal_status (13+) may not exist. */
    const char *sql = "SELECT s.plugin, s.database, s.active, s.restart_lsn::text AS restart_lsn, "
                      "to_jsonb(s) ->> 'confirmed_flush_lsn' AS confirmed_flush, "
                      "to_jsonb(s) ->> 'wal_status' AS wal_status "
                      "FROM pg_catalog.pg_replication_slots s WHERE s.slot_name = $1";
    const char *params[] = {slot};
    pgres *r = NULL;
    if (!pgconn_query(src, sql, 1, params, &r))
        return false;
    if (pgres_ntuples(r) == 1) {
        out->exists = true;
        out->active = pgres_get_bool(r, 0, "active");
        const char *v;
        if ((v = pgres_getn(r, 0, "plugin")) != NULL)
            snprintf(out->plugin, sizeof(out->plugin), "%s", v);
        if ((v = pgres_getn(r, 0, "database")) != NULL)
            snprintf(out->database, sizeof(out->database), "%s", v);
        if ((v = pgres_getn(r, 0, "wal_status")) != NULL)
            snprintf(out->wal_status, sizeof(out->wal_status), "%s", v);
        if ((v = pgres_getn(r, 0, "confirmed_flush")) != NULL &&
            !pgrepl_lsn_parse(v, &out->confirmed_flush))
            out->confirmed_flush = 0;
        if ((v = pgres_getn(r, 0, "restart_lsn")) != NULL &&
            !pgrepl_lsn_parse(v, &out->restart_lsn))
            out->restart_lsn = 0;
    }
    pgres_free(r);
    return true;
}

bool cdc_source_position(pgconn *src, uint64_t *lsn)
{
    int v = pgconn_server_version(src);
    const char *sql = v >= 100000  ? "SELECT pg_catalog.pg_current_wal_flush_lsn()::text"
                      : v >= 90600 ? "SELECT pg_catalog.pg_current_xlog_flush_location()::text"
                                   : "SELECT pg_catalog.pg_current_xlog_location()::text";
    char *text = NULL;
    if (!pgconn_query_value(src, sql, 0, NULL, &text))
        return false;
    bool ok = text && pgrepl_lsn_parse(text, lsn);
    free(text);
    if (!ok)
        log_error("%s: the source's WAL position could not be read", pgconn_label(src));
    return ok;
}
