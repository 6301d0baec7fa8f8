/*
 * change.h — one model of a logical change, whatever decoded it.
 *
 * Both decoders (pgoutput for PostgreSQL 10+, test_decoding for 9.5/9.6 or
 * on request) turn the replication stream into these records; the applier
 * only ever sees these. Positions are WAL LSNs as 64-bit integers;
 * timestamps are microseconds since 2000-01-01 (PostgreSQL's epoch).
 *
 * Column values are kept as the server sent them: text (pgoutput 't',
 * test_decoding literals unquoted), or NULL, or "unchanged TOAST" (the
 * value did not change and was not sent: an UPDATE must leave it alone).
 */
#ifndef PGSHUTTLE_CDC_CHANGE_H
#define PGSHUTTLE_CDC_CHANGE_H

#include <stdbool.h>
#include <stdint.h>

typedef uint64_t cdc_lsn;

enum cdc_kind {
    CDC_BEGIN = 0,
    CDC_COMMIT,
    CDC_RELATION, /* table metadata: replaces what was cached for that relation */
    CDC_INSERT,
    CDC_UPDATE,
    CDC_DELETE,
    CDC_TRUNCATE,
    CDC_KIND_COUNT
};

enum cdc_value_kind {
    CDC_VALUE_NULL = 0,
    CDC_VALUE_TEXT,
    CDC_VALUE_UNCHANGED_TOAST, /* only in the new tuple of an UPDATE */
};

struct cdc_value {
    enum cdc_value_kind kind;
    char *data; /* owned, NUL-terminated text when kind is TEXT, else NULL */
    int len;    /* bytes of data (text may hold no NUL, but length is kept) */
};

struct cdc_tuple {
    int ncols;
    struct cdc_value *values; /* owned array of ncols */
    char **names;             /* owned or NULL: column names (test_decoding sends them) */
    char **types;             /* owned or NULL: format_type() names (test_decoding) */
};

struct cdc_column {
    char *name;      /* owned */
    uint32_t type_oid; /* the source's type OID (0 when unknown, e.g. test_decoding) */
    char *type_name; /* owned or NULL: test_decoding gives format_type() */
    int32_t typmod;
    bool is_key;     /* part of the replica identity */
};

struct cdc_relation {
    uint32_t relid; /* the source's OID; map to the target by (schema, name), never by OID */
    char *schema;   /* owned; "public" for pgoutput's "" (pg_catalog) is not used: kept as sent */
    char *name;     /* owned */
    char replident; /* 'd' default, 'n' nothing, 'f' full, 'i' index; 0 if unknown */
    int ncols;
    struct cdc_column *columns; /* owned array */
};

struct cdc_change {
    enum cdc_kind kind;
    cdc_lsn lsn;        /* WAL position of the message (XLogData start), 0 if none */
    /* BEGIN */
    cdc_lsn final_lsn;  /* BEGIN: LSN of the commit record */
    int64_t commit_ts;  /* BEGIN/COMMIT: commit time (µs since 2000-01-01), 0 if unknown */
    uint32_t xid;       /* BEGIN/COMMIT: transaction id, 0 if unknown */
    /* COMMIT */
    cdc_lsn commit_lsn; /* COMMIT: LSN of the commit record */
    cdc_lsn end_lsn;    /* COMMIT: end of the commit record: the position to confirm */
    /* RELATION: the new metadata (owned) */
    struct cdc_relation *relation;
    /* INSERT / UPDATE / DELETE */
    uint32_t relid;
    char *schema; /* owned or NULL: test_decoding names tables, pgoutput sends relid */
    char *table;  /* owned or NULL */
    bool has_old;          /* UPDATE/DELETE: old tuple present */
    bool old_is_key;       /* old tuple holds only key columns ('K'); else the whole row ('O') */
    struct cdc_tuple old_tuple;
    struct cdc_tuple new_tuple; /* INSERT/UPDATE */
    /* TRUNCATE */
    int nrelids;
    uint32_t *relids;  /* owned (pgoutput) */
    char **qualified;  /* owned (test_decoding): "schema.table" each, nrelids long */
    bool cascade;
    bool restart_identity;
};

/* Frees everything a change owns and zeroes it. */
void cdc_change_reset(struct cdc_change *c);
void cdc_relation_free(struct cdc_relation *r);
const char *cdc_kind_name(enum cdc_kind k);

/* Formats an LSN as PostgreSQL does ("16/B374D848") into buf (at least 20 bytes). */
void cdc_lsn_format(cdc_lsn lsn, char *buf, int buflen);
/* Parses "16/B374D848"; false when malformed. */
bool cdc_lsn_parse(const char *text, cdc_lsn *out);

#endif
