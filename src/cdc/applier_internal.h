/*
 * applier_internal.h — the parts of the change applier shared by its files
 * (src/cdc only):
 *   applier.c       the public API: sessions, batches, progress, dispatch;
 *   applier_meta.c  target tables from the catalog and pgoutput relations;
 *   applier_stmt.c  one change into one prepared statement in the pipeline.
 */
#ifndef PGSHUTTLE_CDC_APPLIER_INTERNAL_H
#define PGSHUTTLE_CDC_APPLIER_INTERNAL_H

#include "cdc/applier.h"
#include "cdc/apply_sql.h"
#include "pg/pgconn.h"
#include "pg/pipeline.h"
#include "util/hashmap.h"

#include <stdint.h>

struct apply_table;

/* A prepared statement: one (table, operation, column set). */
struct apply_stmt {
    struct apply_table *table; /* the table it belongs to (for messages) */
    uint8_t op;                /* enum cdc_sql_op */
    bool match_row;            /* the row is found by ctid (no key) */
    bool prepared;             /* PQsendPrepare queued and not known to have failed */
    int nparams;
    char name[24];
    uint8_t *key; /* owned: cache key (table id + shape) */
    size_t keylen;
    struct apply_stmt *next; /* the table's list */
};

/*
 * A target table, by (schema, name). Metadata is read from the target's
 * catalog when a change of an applied table first needs it; a table whose
 * changes are skipped is never looked up.
 */
struct apply_table {
    struct cdc_sql_table sql; /* schema, name, relkind, columns: all owned */
    char *qualified;          /* owned: schema.name quoted as needed (messages, filters) */
    char replident;
    bool included;    /* changes are applied (cfg->tables) */
    bool insert_only; /* updates and deletes are skipped (cfg->insert_only) */
    bool loaded;      /* metadata read from the target */
    bool retired;     /* replaced; freed once no result refers to it */
    uint32_t id;      /* unique per metadata version (statement cache keys) */
    int nkey;
    char *key_names;     /* owned: "a, b" for messages ("" without a key) */
    hmap colidx;         /* column name -> index + 1 */
    struct apply_stmt *stmts;   /* owned list */
    struct apply_table *next_retired;
};

/* A pgoutput relation (source OID) and how its columns map onto the target table. */
struct apply_relmap {
    struct cdc_relation *rel;  /* owned copy of the RELATION */
    struct apply_table *table; /* not owned; NULL until first used */
    int *map;                  /* owned: relation column -> target column, -1 = left out */
};

struct cdc_applier {
    struct cdc_applier_config cfg; /* strings not owned (the caller's) */
    char *label;                   /* owned */
    pgconn *conn;                  /* owned: applies, in pipeline mode during a batch */
    pgconn *catalog;               /* owned: catalog lookups and position reads */
    pgpipe *pipe;                  /* owned while a batch is open */
    bool use_origin;
    bool origin_set_up; /* pg_replication_origin_session_setup done */
    bool broken;        /* the connection failed: nothing more can be done */
    bool progress_dropped;
    bool error_locked; /* an error is recorded for the current operation: keep the first */
    strbuf error;
    char sqlstate[6];

    /* positions */
    cdc_lsn durable;
    int64_t durable_ts;
    bool caught_up; /* a transaction past the durable position was seen: no duplicates follow */

    /* the source transaction being received */
    bool in_txn;
    bool buffering; /* it may be a duplicate: kept until its COMMIT tells */
    int64_t txn_ts;
    struct cdc_change *buffer; /* owned: nbuffer deep copies */
    int nbuffer, capbuffer;

    /* the open batch (target transaction) */
    bool batch_open;
    bool batch_failed; /* a statement failed: the batch must be rolled back */
    double batch_t0;   /* time_now() when it opened */
    int batch_txns;
    int batch_changes;    /* statements queued for changes */
    cdc_lsn batch_end;    /* end_lsn of its last complete source transaction */
    int64_t batch_end_ts; /* commit time of that transaction */
    int64_t batch_first_ts;
    int64_t n_inserts, n_updates, n_deletes, n_truncates, n_skipped;
    strlist truncates; /* descriptions of the TRUNCATE statements queued (messages) */

    /* caches */
    hmap tables;  /* "schema\0name" -> struct apply_table */
    hmap relmaps; /* relid (4 bytes) -> struct apply_relmap */
    hmap stmts;   /* apply_stmt key -> struct apply_stmt */
    struct apply_table *retired;
    uint32_t next_table_id;
    uint64_t next_stmt;

    /* scratch, reused for every change */
    const struct cdc_value **newv; /* per target column */
    const struct cdc_value **oldv;
    const char **params;
    uint8_t *key;
    int scratch_cols;
    strbuf sql;

    struct cdc_applier_stats stats;
};

/* Tags of pipeline commands: a statement pointer (low bits 0 / 1) or a control code. */
#define APPLY_TAG_EXEC    0u
#define APPLY_TAG_PREPARE 1u
#define APPLY_TAG_CONTROL 2u
#define APPLY_TAG_MASK    7u
enum apply_control {
    APPLY_CTL_BEGIN = 1,
    APPLY_CTL_COMMIT,
    APPLY_CTL_ROLLBACK,
    APPLY_CTL_PROGRESS,
    APPLY_CTL_XID,
    APPLY_CTL_TRUNCATE, /* the TRUNCATE described by truncates.items[n], tag = n << 8 | ... */
};
static inline uintptr_t apply_control_tag(enum apply_control ctl, size_t arg)
{
    return (uintptr_t) arg << 8 | (uintptr_t) ctl << 3 | APPLY_TAG_CONTROL;
}

/* Records the first error of the applier (printf-style) and its SQLSTATE ("" if none). */
void apply__fail(cdc_applier *a, const char *sqlstate, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* applier_meta.c */
/* The table named (schema, name), created (not yet loaded) on first use. */
struct apply_table *apply__table(cdc_applier *a, const char *schema, const char *name);
/* Reads t's metadata from the target if not done yet; false (error recorded) if it is missing. */
bool apply__load(cdc_applier *a, struct apply_table *t) __attribute__((warn_unused_result));
/* Re-reads t's metadata (the table changed): t is retired, the new entry returned (NULL on error). */
struct apply_table *apply__reload(cdc_applier *a, struct apply_table *t);
/* Takes a RELATION: stores (or keeps, when identical) the relation's metadata. */
bool apply__relation(cdc_applier *a, const struct cdc_relation *rel)
    __attribute__((warn_unused_result));
/* The relation of a pgoutput change, mapped onto its loaded table (error recorded if not). */
struct apply_relmap *apply__relmap(cdc_applier *a, uint32_t relid, bool need_table);
/* Frees the retired tables (no result in flight refers to them). */
void apply__free_retired(cdc_applier *a);
void apply__free_caches(cdc_applier *a);
/* Column index of name in t, or -1. */
int apply__column(const struct apply_table *t, const char *name);

/* applier_stmt.c */
/* Queues one INSERT/UPDATE/DELETE/TRUNCATE of the open batch (or counts it skipped). */
bool apply__change(cdc_applier *a, const struct cdc_change *c) __attribute__((warn_unused_result));
/* The pipeline's result callback (arg is the applier). */
void apply__on_result(void *arg, const struct pgpipe_result *r);

#endif
