/*
 * deferred.h — the foreign keys, user triggers and rules a database gets
 * only at the end of an online migration, on the trigger-less apply path:
 * a target role that may not SET session_replication_role = replica
 * applies changes with triggers, rules and foreign keys live, where they
 * would fire twice (a cascade or an audit trigger already ran on the
 * source and its effects stream too) or fail (the applier groups rows per
 * table, not in the source's order). So the copy leaves them out (the
 * restore list skips their archive entries and comments, the data phase
 * builds no foreign key) and they are created at cutover, from the
 * source's catalog, those the target does not have yet (by kind, table and
 * name: a resumed run finds what is missing the same way).
 */
#ifndef PGSHUTTLE_COPY_DEFERRED_H
#define PGSHUTTLE_COPY_DEFERRED_H

#include "copy/schema.h"
#include "pg/pgconn.h"
#include "util/buf.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

struct copy_deferred_object {
    char kind; /* 'f' foreign key, 't' trigger, 'r' rule */
    struct schema_object_id id;
    char *schema;     /* owned: the table's schema, unquoted */
    char *table;      /* owned: the table, quoted and qualified */
    bool partitioned; /* the table is partitioned: a foreign key goes on it without ONLY */
    char *name;       /* owned: unquoted */
    char *definition; /* owned: pg_get_constraintdef / pg_get_triggerdef / pg_get_ruledef */
    char enabled;     /* tgenabled / ev_enabled: 'O', 'D', 'R' or 'A' */
    char *comment;    /* owned or NULL */
};

struct copy_deferred {
    struct copy_deferred_object *objects; /* owned array */
    int n;
    int nfkeys;
};

/* Reads the objects of the database src is connected to (sets its search_path to ''). */
bool copy_deferred_load(pgconn *src, struct copy_deferred *out) __attribute__((warn_unused_result));
void copy_deferred_free(struct copy_deferred *d);

/*
 * What the schema restore leaves out: each object's archive entry (appended
 * to *ids, *n grown; the array is reallocated) and the comment entries of
 * those with a comment (pushed onto comments, as schema_write_list takes them).
 */
void copy_deferred_skip(const struct copy_deferred *d, struct schema_object_id **ids, int *n,
                        strlist *comments);

/* The statements that create o as the source has it, in order (pushed onto out). */
void copy_deferred_statements(const struct copy_deferred_object *o, strlist *out);

/*
 * Creates on dst the objects of d that dst does not have (by kind, table
 * and name), foreign keys first. *fkeys_done counts the foreign keys
 * present at the end (NULL: not counted). False at the first failure (the
 * error is on dst).
 */
bool copy_deferred_create(pgconn *dst, const struct copy_deferred *d, _Atomic int *fkeys_done)
    __attribute__((warn_unused_result));

#endif
