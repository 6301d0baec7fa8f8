/*
 * apply_sql.h — the text of the statements the change applier prepares:
 * pure functions from a target table's description and a statement shape.
 *
 * A shape says which columns a statement names and how, so that one
 * prepared statement serves every change of the same (table, operation,
 * column set). It is a byte string, which the applier also uses as its
 * statement cache key:
 *
 *   shape[0]                 operation (enum cdc_sql_op)
 *   shape[1]                 how the row is found (enum cdc_sql_match)
 *   shape[2 .. 2+n)          "set": INSERT column list / UPDATE SET (PARAM or SKIP)
 *   shape[2+n .. 2+2n)       "where": the row's identification (PARAM, IS_NULL or SKIP)
 *   shape[2+2n .. 2+3n)      "guard": UPDATE only, PARAM = the row must already hold
 *                            the new value (GENERATED ALWAYS identity columns,
 *                            which an UPDATE may not set)
 *
 * for a table of n columns. Parameters are numbered in that order: set,
 * where, guard, each in column order. They are sent with type 0, so each
 * takes the type of the column it is compared with or assigned to (the
 * grouped form's arrays, the array type named in their cast); only where a
 * value is compared as text (types without an equality operator) is it cast
 * to the column's type by name first. The applier sends them as text, but
 * for the grouped arrays of a few types (apply_binary.h).
 *
 * Identifiers are quoted with pgq_ident; type names are format_type() text
 * from the target, used as is.
 */
#ifndef PGSHUTTLE_CDC_APPLY_SQL_H
#define PGSHUTTLE_CDC_APPLY_SQL_H

#include "util/buf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One column of a target table (strings owned by whoever built the table). */
struct cdc_sql_column {
    char *name;
    char *type;           /* format_type(atttypid, atttypmod) on the target */
    uint32_t typoid;      /* atttypid on the target */
    bool generated;       /* GENERATED ... STORED: never written */
    bool identity_always; /* GENERATED ALWAYS AS IDENTITY */
    bool has_eq;          /* the type has an equality operator (else compared as text) */
    bool is_key;          /* in the primary key / replica identity index */
    /* format_type of the column's array type (without typmod: bpchar[], not character(84)[]),
       or NULL when its values cannot travel as array elements (arrays, composites, domains
       over those) */
    char *array_type;
    char delim; /* the array element delimiter of the type (',' but for box: ';') */
};

struct cdc_sql_table {
    char *schema;
    char *name;
    char relkind; /* 'r' (and others): ONLY; 'p' partitioned: the root with its partitions */
    int ncols;
    struct cdc_sql_column *cols;
};

enum cdc_sql_op { CDC_SQL_INSERT = 0, CDC_SQL_UPDATE, CDC_SQL_DELETE };

enum cdc_sql_match {
    /* WHERE col = $n ...: the columns identify one row (a key) */
    CDC_SQL_MATCH_KEY = 0,
    /* WHERE ctid = (SELECT ctid ... LIMIT 1): the row may have duplicates; touch exactly one */
    CDC_SQL_MATCH_ROW,
};

enum cdc_sql_code { CDC_SQL_SKIP = 0, CDC_SQL_PARAM = 1, CDC_SQL_IS_NULL = 2 };

#define CDC_SQL_SHAPE_LEN(ncols) (2 + 3 * (size_t) (ncols))

static inline uint8_t *cdc_sql_set(uint8_t *shape)
{
    return shape + 2;
}
static inline uint8_t *cdc_sql_where(uint8_t *shape, int ncols)
{
    return shape + 2 + ncols;
}
static inline uint8_t *cdc_sql_guard(uint8_t *shape, int ncols)
{
    return shape + 2 + 2 * (size_t) ncols;
}

/*
 * Appends the statement for shape to out and returns its number of
 * parameters.
 *   INSERT INTO t (a, b) [OVERRIDING SYSTEM VALUE] VALUES ($1, $2)
 *       (DEFAULT VALUES without columns; OVERRIDING when a GENERATED ALWAYS
 *       identity column is listed)
 *   UPDATE [ONLY] t SET a = $1 WHERE k = $2 [AND g = $3]
 *   UPDATE [ONLY] t SET a = $1 WHERE ctid = (SELECT ctid FROM [ONLY] t
 *       WHERE b = $2 AND c IS NULL AND d::text = ($3::type)::text LIMIT 1)
 *       (partitioned: (tableoid, ctid) = (SELECT tableoid, ctid ...))
 *   DELETE FROM [ONLY] t WHERE ...
 * An UPDATE that sets no column becomes SELECT 1 FROM [ONLY] t WHERE ...:
 * the row must still exist, and is counted like an updated row. Where no
 * column identifies the row the condition is FALSE (the caller is meant to
 * refuse such a change before; this keeps a mistake from touching any row).
 */
int cdc_sql_build(strbuf *out, const struct cdc_sql_table *t, const uint8_t *shape);

/*
 * The grouped form of a shape: one statement for many changes, each
 * parameter an array holding one column's values for every row (in the
 * same order as cdc_sql_build's parameters); every column with a PARAM code
 * must have an array_type. Only for INSERT (with at least one column) and
 * for UPDATE/DELETE found by key:
 *   INSERT INTO t (a, b) SELECT v.c1, v.c2 FROM ROWS FROM
 *       (pg_catalog.unnest($1::integer[]), pg_catalog.unnest($2::text[])) AS v (c1, c2)
 *   UPDATE [ONLY] t AS pgshuttle_t SET a = v.c1 FROM ROWS FROM (...) AS v (c1, c2)
 *       WHERE pgshuttle_t.k = v.c2
 *   DELETE FROM [ONLY] t AS pgshuttle_t USING ROWS FROM (...) AS v (c1) WHERE ...
 * The keys of one statement's rows must be distinct (a row updated twice by
 * one UPDATE is updated once). Returns the number of parameters.
 */
int cdc_sql_build_grouped(strbuf *out, const struct cdc_sql_table *t, const uint8_t *shape);

/* Appends value as one element of an array literal: double-quoted with " and \ escaped, or NULL. */
void cdc_sql_array_element(strbuf *out, const char *value);

/* TRUNCATE [ONLY] a, [ONLY] b [RESTART IDENTITY] [CASCADE] (ONLY for all but partitioned). */
void cdc_sql_truncate(strbuf *out, const struct cdc_sql_table *const *tables, int n,
                      bool restart_identity, bool cascade);

#endif
