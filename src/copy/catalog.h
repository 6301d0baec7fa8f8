/*
 * catalog.h — what the copy stages need to know about one source database,
 * read once under the migration's snapshot: the tables to copy with their
 * columns, the indexes and constraints to build, the foreign keys, the
 * sequences, the large objects and the database's own properties.
 */
#ifndef PGSHUTTLE_COPY_CATALOG_H
#define PGSHUTTLE_COPY_CATALOG_H

#include "pg/pgconn.h"
#include "util/buf.h"

#include <stdbool.h>
#include <stdint.h>

struct cat_table {
    uint32_t oid;
    char *schema;    /* owned */
    char *name;      /* owned */
    char *qname;     /* owned: quoted schema.name */
    char *columns;   /* owned: quoted column list "a, b" ("" for a zero-column table) */
    char *int_key;   /* owned or NULL: single integer primary key column, quoted */
    bool binary_ok;  /* every column can use binary COPY */
    bool unlogged;
    bool is_partition;
    int64_t bytes;      /* heap + TOAST on disk */
    int64_t heap_bytes; /* main fork only */
    int64_t block_size;
    int64_t est_rows;
    int nindexes; /* indexes of this table we build */
};

struct cat_index {
    uint32_t oid;
    uint32_t table_oid;
    int table; /* position in catalog tables */
    char *schema;     /* owned */
    char *name;       /* owned */
    char *indexdef;   /* owned: CREATE [UNIQUE] INDEX ... */
    int64_t bytes;
    bool is_clustered;
    bool is_replident;
    uint32_t constraint_oid; /* 0 if not constraint-backed */
    char *constraint_name;   /* owned or NULL */
    char constraint_type;    /* 'p', 'u', 'x' or 0 */
    char *constraint_def;    /* owned or NULL */
    bool is_deferrable;
    bool is_deferred;
    bool simple_btree; /* can be built first and attached with ADD CONSTRAINT ... USING INDEX */
    char *stat_targets; /* owned or NULL: "attnum=target,..." for index columns */
};

struct cat_fkey {
    uint32_t oid;
    int table;
    int ref_table;
    char *name;       /* owned */
    char *definition; /* owned */
};

struct cat_sequence {
    char *qname; /* owned */
};

struct cat_large_object {
    uint32_t oid;
    char *owner;  /* owned */
    char *grants;  /* owned or NULL: "role:PRIV[*],..." */
    char *comment; /* owned or NULL */
};

struct cat_db_setting {
    char *role;    /* owned, or NULL for the database's own setting */
    char *setting; /* owned: "name=value" */
};

struct cat_db_grant {
    char *grantee;   /* owned, or NULL for PUBLIC */
    char *privilege; /* owned: CONNECT, CREATE, TEMPORARY */
    bool grantable;
};

struct cat_database {
    char *name, *encoding, *collate, *ctype; /* owned */
    char locale_provider;                    /* 'c' libc, 'i' icu, 'b' builtin */
    char *icu_locale;                        /* owned or NULL */
    char *icu_rules;                         /* owned or NULL */
    char *owner;                             /* owned */
    int conn_limit;
    bool is_template; /* datistemplate: made a template again once complete */
    char *comment;    /* owned or NULL */
    struct cat_db_setting *settings; /* owned array */
    int nsettings;
    bool has_acl; /* false: default privileges */
    struct cat_db_grant *grants; /* owned array */
    int ngrants;
};

struct copy_catalog {
    struct cat_database db;
    struct cat_table *tables; /* owned array, largest first */
    int ntables;
    struct cat_index *indexes; /* owned array */
    int nindexes;
    struct cat_fkey *fkeys; /* owned array */
    int nfkeys;
    struct cat_sequence *sequences; /* owned array */
    int nsequences;
    struct cat_large_object *large_objects; /* owned array */
    int nlarge_objects;
    strlist matviews;   /* quoted names of populated materialized views */
    strlist roles_used; /* roles that own or are granted things */
    int64_t total_bytes;
};

/* Reads the catalog through src, which must already be inside the snapshot. */
bool copy_catalog_load(pgconn *src, struct copy_catalog *cat) __attribute__((warn_unused_result));
void copy_catalog_free(struct copy_catalog *cat);
/* Position of the table with oid, or -1. */
int copy_catalog_table_index(const struct copy_catalog *cat, uint32_t oid);
/* The table oids as a PostgreSQL array literal "{1,2,3}"; caller frees. */
char *copy_catalog_table_oid_array(const struct copy_catalog *cat);

#endif
