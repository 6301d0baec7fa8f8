/*
 * applier_internal.h — the parts of the change applier shared by its files
 * (src/cdc only):
 *   applier.c       the public API: connections, batches, positions, dispatch;
 *   applier_stmt.c  one change into one statement in the pipeline;
 *   applier_result.c   the check of every pipeline result;
 *   applier_meta.c  target tables from the catalog and pgoutput relations;
 *   applier_group.c runs of same-shape changes of a table sent as one statement;
 *   applier_send.c  the statement cache, and sending a statement (prepared);
 *   applier_session.c  the target sessions' settings, waiting for the WAL flush;
 *   applier_progress.c the applied position: origin or progress row;
 *   applier_state.c the recorded error, and what the state tells the caller.
 * Each file uses only files listed after it (tests/lint/cycles.sh).
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
    bool grouped;              /* the many-rows form (array parameters) */
    bool prepared;             /* PQsendPrepare queued and not known to have failed */
    int nparams;
    /* owned: the text, kept for statements sent unprepared (a table past
       APPLY_MAX_PREPARED shapes); NULL for prepared ones */
    char *sql;
    char name[24];
    uint8_t *key; /* owned: cache key (table id, grouped, shape) */
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
    char *key_names;          /* owned: "a, b" for messages ("" without a key) */
    int nstmts;               /* statements in the list */
    hmap colidx;              /* column name -> index + 1 */
    struct apply_stmt *stmts; /* owned list */
    struct apply_table *next_retired;
    /* A trigger or rule fires under session_replication_role = replica: the table's changes
       are never grouped and every group is sent before one of them. */
    bool fires_in_replica;
    struct apply_group *group; /* owned: changes waiting to go as one statement, or NULL */
};

/*
 * Consecutive changes of one table with the same shape, not sent yet: they
 * go as one statement with array parameters (one array per parameter) when
 * the table's next change has another shape or would touch a row already in
 * the group, before a TRUNCATE or a change of a table with replica-firing
 * triggers, when the group is full, and before the batch commits. The order
 * of changes within a table is kept; between tables it does not matter under
 * session_replication_role = replica (no foreign key or user trigger fires).
 */
struct apply_group {
    struct apply_stmt *single; /* the one-row statement of the shape (not owned) */
    int nparams, nkeys;        /* parameters per row; the "where" ones among them (a key) */
    int nset;                  /* the "set" parameters come first, then the key ones */
    int nrows;
    bool listed; /* in the applier's list of open groups */
    strbuf data; /* the rows' values, each NUL-terminated */
    int *off;    /* nrows * nparams offsets into data, -1 = NULL */
    int capoff;
    char *delims;      /* owned: nparams array delimiters */
    uint32_t *typoids; /* owned: nparams column types (apply_binary.h) */
    const char **pv;   /* owned: nparams parameter pointers while sending */
    uint64_t *rowhash; /* owned: per row, the hash of its key values */
    int *slots;        /* owned: open addressing over rows by key hash, -1 = empty */
    int nslots;
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
    struct pgpipe_waiter waiter;   /* called while the pipe waits (tick NULL: none) */
    bool use_origin;
    bool wal_lz4;       /* the apply session set wal_compression = lz4 */
    bool origin_set_up; /* pg_replication_origin_session_setup done */
    bool broken;        /* the connection failed: nothing more can be done */
    bool progress_dropped;
    bool progress_set_up; /* apply__setup_progress succeeded once */
    bool error_locked;    /* an error is recorded for the current operation: keep the first */
    strbuf error;
    char sqlstate[6];

    /* positions: committed on the target (synchronous_commit = off), and durable there */
    cdc_lsn committed;
    cdc_lsn durable;
    /* committed batches not known to be flushed: the target's WAL position after each COMMIT
       and the source position it holds, oldest first */
    struct apply_pending {
        uint64_t target_lsn;
        cdc_lsn source_lsn;
    } * pending;
    int npending, cappending;
    uint64_t wal_insert, wal_flush; /* the target's, read right after a COMMIT */
    bool wal_seen;
    bool caught_up; /* a transaction past the durable position was seen: no duplicates follow */

    /* the source transaction being received */
    bool in_txn;
    enum apply_txn_mode {
        APPLY_TXN_APPLY = 0, /* applied as it comes */
        APPLY_TXN_SKIP,      /* pgoutput: it commits before the position reached: a duplicate */
        APPLY_TXN_BUFFER,    /* test_decoding, not caught up: kept until its COMMIT tells */
    } txn_mode;
    /* Applied before its COMMIT told (too big to keep): its COMMIT must be past the position. */
    bool txn_unverified;
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
    struct apply_table **open_groups; /* owned array: tables with rows waiting in a group */
    int nopen, capopen;
    /* rows each grouped UPDATE/DELETE in flight must touch, in queue order (ring) */
    int64_t *expect;
    int expect_head, nexpect, capexpect;

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
    strbuf arrays; /* grouped parameters being built */
    int *array_off;
    int *array_len;           /* per parameter: its length when binary */
    int *array_fmt;           /* per parameter: 1 binary, 0 text */
    const char **column_vals; /* one parameter's values for every row of a group */
    int scratch_cols;
    strbuf sql;

    struct cdc_applier_stats stats;
};

/*
 * Statements prepared per table at most. Beyond that (a wide REPLICA IDENTITY
 * FULL table whose old rows have NULLs in many combinations of columns, or
 * many TOAST columns left unchanged in many combinations), new shapes are
 * sent with their text every time rather than prepared on the server.
 */
#define APPLY_MAX_PREPARED 256

/* Tags of pipeline commands: a statement pointer (low bits 0 / 1) or a control code. */
#define APPLY_TAG_EXEC    0u
#define APPLY_TAG_PREPARE 1u
#define APPLY_TAG_CONTROL 2u
#define APPLY_TAG_GROUP   3u /* a grouped statement (pops the expected row count) */
#define APPLY_TAG_MASK    7u
enum apply_control {
    APPLY_CTL_BEGIN = 1,
    APPLY_CTL_COMMIT,
    APPLY_CTL_ROLLBACK,
    APPLY_CTL_PROGRESS,
    APPLY_CTL_XID,
    APPLY_CTL_TRUNCATE, /* the TRUNCATE described by truncates.items[n], tag = n << 8 | ... */
    APPLY_CTL_WAL,      /* the target's WAL insert and flush positions after a COMMIT */
};
static inline uintptr_t apply_control_tag(enum apply_control ctl, size_t arg)
{
    return (uintptr_t) arg << 8 | (uintptr_t) ctl << 3 | APPLY_TAG_CONTROL;
}

/* applier_state.c */
/* Records the first error of the applier (printf-style) and its SQLSTATE ("" if none). */
void apply__fail(cdc_applier *a, const char *sqlstate, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A failed call on connection c while doing what (recorded, logged); false. */
bool apply__conn_fail(cdc_applier *a, pgconn *c, const char *what);
/* A public call starts: earlier errors no longer stick. */
void apply__start_operation(cdc_applier *a);

/* applier_meta.c */
/* The table named (schema, name), created (not yet loaded) on first use. */
struct apply_table *apply__table(cdc_applier *a, const char *schema, const char *name);
/* Reads t's metadata from the target if not done yet; false (error recorded) if it is missing. */
bool apply__load(cdc_applier *a, struct apply_table *t) __attribute__((warn_unused_result));
/* Re-reads t's metadata (the table changed): t is retired, the new entry returned (NULL on error).
 */
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

/* Bytes before the shape in a statement key: the table id and the grouped flag. */
#define APPLY_KEY_PREFIX (sizeof(uint32_t) + 1)

/* applier_send.c */
/* The cached statement for key (created, not yet prepared, if new). */
struct apply_stmt *apply__stmt(cdc_applier *a, struct apply_table *t, const uint8_t *key,
                               size_t keylen);
/*
 * Queues s's execution with params, preparing it first if needed (tag:
 * APPLY_TAG_EXEC or GROUP); formats and lengths as pgpipe_send_formats
 * (NULL: all text).
 */
bool apply__send(cdc_applier *a, struct apply_stmt *s, int nparams, const char *const *params,
                 const int *lengths, const int *formats, unsigned tagkind)
    __attribute__((warn_unused_result));
const char *apply__op_words(int op);

/* applier_group.c */
/* Adds the change whose statement is single (params as in its text) to t's group. */
bool apply__group_add(cdc_applier *a, struct apply_table *t, struct apply_stmt *single, int nset,
                      int nkeys, int nparams, const char *const *params)
    __attribute__((warn_unused_result));
/* Sends t's group, if it holds rows. */
bool apply__flush_table(cdc_applier *a, struct apply_table *t) __attribute__((warn_unused_result));
/* Sends every open group. */
bool apply__flush_groups(cdc_applier *a) __attribute__((warn_unused_result));
/* Forgets every open group (the batch is rolled back) and the expected row counts. */
void apply__discard_groups(cdc_applier *a);
void apply__free_group(struct apply_group *g);
/* The rows the oldest grouped statement in flight must touch (-1: any). */
int64_t apply__pop_expected(cdc_applier *a);

/* applier_stmt.c */
/* Queues one INSERT/UPDATE/DELETE/TRUNCATE of the open batch (or counts it skipped). */
bool apply__change(cdc_applier *a, const struct cdc_change *c) __attribute__((warn_unused_result));

/* applier_result.c */
/* The pipeline's result callback (arg is the applier). */
void apply__on_result(void *arg, const struct pgpipe_result *r);

/* applier_session.c: sets the apply session (apply_session) or the catalog session up. */
bool apply__setup_session(cdc_applier *a, pgconn *c, bool apply_session);
/* applier.c: after a lost connection, forgets what is not durable and closes both sessions. */
void apply__forget_unflushed(cdc_applier *a);

/* applier_progress.c */
/* The first value of sql's result (NULL if none or NULL) into *out, which the caller frees. */
bool apply__query_value(pgconn *c, const char *sql, int nparams, const char *const *params,
                        char **out);
bool apply__query_bool(cdc_applier *a, pgconn *c, const char *sql, int nparams,
                       const char *const *params, bool *out, const char *what);
bool apply__setup_progress(cdc_applier *a);

#endif
