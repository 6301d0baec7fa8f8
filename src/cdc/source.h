/*
 * source.h — what an online migration sets up and tears down on the source
 * database: the tables it streams, their replica identity, the
 * publications (pgoutput), the slot's state, the source's WAL position.
 *
 * Names: one stream per (source database, target) pair is named
 * cdc_stream_name(): the slot, the publications (that name, and that name
 * with CDC_INSERT_ONLY_SUFFIX for tables published for inserts only) and
 * the target's replication origin all carry it, so a restarted process
 * (--resume) finds them again, and a new run finds what an interrupted one
 * left behind.
 */
#ifndef PGSHUTTLE_CDC_SOURCE_H
#define PGSHUTTLE_CDC_SOURCE_H

#include "pg/pgconn.h"
#include "util/buf.h"

#include <stdbool.h>
#include <stdint.h>

#define CDC_INSERT_ONLY_SUFFIX "_ins"

struct cdc_table {
    uint32_t oid;
    char *schema; /* owned */
    char *name;   /* owned */
    char *qname;  /* owned: quoted schema.name */
    char relkind; /* 'r' or 'p' (partitioned) */
    char replident;
    bool is_partition;
    bool identified; /* UPDATE/DELETE can be identified: PK, identity index or FULL */
};

struct cdc_table_set {
    struct cdc_table *tables; /* owned array */
    int n;
};

/* Lists the permanent tables of the connected database (see sql/cdc_tables.sql). */
bool cdc_tables_load(pgconn *src, struct cdc_table_set *out) __attribute__((warn_unused_result));
void cdc_tables_free(struct cdc_table_set *set);

/*
 * The stream's name for database db migrated to target_key (e.g. the
 * target's host:port): "pgshuttle_" and 16 hex digits of a hash, a valid
 * slot name. Caller frees.
 */
char *cdc_stream_name(const char *db, const char *target_key);

/*
 * Gives every table that cannot identify its rows REPLICA IDENTITY FULL
 * (--replica-identity-full) and marks it identified. For each table changed,
 * pushes onto *undo what restores it: "OID=d" or "OID=n" (its identity was
 * DEFAULT or NOTHING).
 */
bool cdc_set_replica_identity_full(pgconn *src, struct cdc_table_set *set, strlist *undo)
    __attribute__((warn_unused_result));
/*
 * Gives the tables in undo their identity back (best effort: failures are
 * logged). A table dropped since, or whose identity is no longer FULL
 * (someone changed it), is left alone; one renamed is found by its OID.
 * Pushes each statement that ran onto *done (if not NULL): the same, by
 * name, makes a copy of the tables match.
 */
void cdc_identities_restore(pgconn *src, const strlist *undo, strlist *done);
/*
 * Keeps undo on the source with the stream, as the comment of its
 * publication (so that a --resume after a crash, or a fresh start, can
 * restore the identities); and reads it back (nothing pushed when the
 * publication or its comment is missing; entries not of our form are skipped).
 */
bool cdc_identities_record(pgconn *src, const char *publication, const strlist *undo)
    __attribute__((warn_unused_result));
bool cdc_identities_recorded(pgconn *src, const char *publication, strlist *undo)
    __attribute__((warn_unused_result));
/* Parses the comment cdc_identities_record wrote into undo entries; false if it is not ours. */
bool cdc_identities_parse(const char *comment, strlist *undo);

/*
 * Creates the publications for the stream called name: name for the
 * identified tables (every operation) and name CDC_INSERT_ONLY_SUFFIX for the
 * others (publish = 'insert'), the latter only when there are such tables.
 * On 13+ partitioned tables are published by their root (with
 * publish_via_partition_root), before 13 by their leaves. Sets
 * *publication_names to the value of pgoutput's publication_names option
 * (caller frees). Needs ownership of every table (or superuser).
 */
bool cdc_publications_create(pgconn *src, const char *name, const struct cdc_table_set *set,
                             char **publication_names) __attribute__((warn_unused_result));
/*
 * The publication_names value of an existing stream (after a restart): the
 * stream's publications that exist on the source; *publication_names is NULL
 * when there is none. Caller frees.
 */
bool cdc_publications_existing(pgconn *src, const char *name, char **publication_names)
    __attribute__((warn_unused_result));
/*
 * The catalog identities of the stream's publications and their table
 * memberships, as pg_dump's archive lists them: *pairs holds n (catalog
 * OID, object OID) pairs, 2n numbers (caller frees). The schema copied to the
 * target leaves them out: they belong to the migration, not the database.
 */
bool cdc_publication_object_ids(pgconn *src, const char *name, uint32_t **pairs, int *n)
    __attribute__((warn_unused_result));
/* Drops both publications of the stream, if they exist. */
bool cdc_publications_drop(pgconn *src, const char *name) __attribute__((warn_unused_result));

/* The state of a logical slot on the source (pg_replication_slots). */
struct cdc_slot_state {
    bool exists;
    bool active;
    char plugin[64];
    char database[128];
    uint64_t confirmed_flush; /* 0 before 9.6 (not tracked) */
    uint64_t restart_lsn;
    char wal_status[16]; /* 13+: reserved/extended/unreserved/lost; "" before */
};
bool cdc_slot_state_read(pgconn *src, const char *slot, struct cdc_slot_state *out)
    __attribute__((warn_unused_result));

/* The source's current WAL flush position (pg_current_wal_flush_lsn() on 10+, 9.x names before). */
bool cdc_source_position(pgconn *src, uint64_t *lsn) __attribute__((warn_unused_result));

#endif
