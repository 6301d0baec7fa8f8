/*
 * verify.h — `pgshuttle verify`: compare databases on two servers and list
 * every difference.
 *
 * For each database the comparison has three parts:
 *   schema  pg_dump --schema-only of both sides, normalised and compared line
 *           by line, when the newest pg_dump can dump both servers; otherwise
 *           a catalog fingerprint (sql/verify_schema*.sql) read on both sides;
 *   data    the list of tables that store rows, and per table its row count
 *           and an order-independent checksum, compared in parallel;
 *   others  sequence positions and large object contents.
 * Nothing is written on either server. Failures (cannot connect, a query
 * fails) become differences of kind "error" that name the side, so a run
 * always produces a complete report; the caller decides the exit code.
 */
#ifndef PGSHUTTLE_VERIFY_VERIFY_H
#define PGSHUTTLE_VERIFY_VERIFY_H

#include "util/buf.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

enum verify_schema_method {
    VERIFY_SCHEMA_NONE = 0, /* the schema was not compared (an error prevented it) */
    VERIFY_SCHEMA_PG_DUMP,
    VERIFY_SCHEMA_CATALOG
};

struct verify_options {
    const char *source;       /* conninfo of the source server (may hold a password) */
    const char *target;       /* conninfo of the target server (may hold a password) */
    const strlist *databases; /* names of the databases to compare */
    int jobs;                 /* tables compared at a time (each: 2 connections); < 1 means 2 */
    int schema_limit;         /* schema differences listed per database; < 1 means 50 */
    /* the schema comparison to use; VERIFY_SCHEMA_NONE (the default) means
     * pg_dump when it can dump both servers, else the catalog */
    enum verify_schema_method schema_method;
};

enum verify_diff_kind {
    VERIFY_DIFF_SCHEMA = 0,
    VERIFY_DIFF_TABLE_MISSING, /* on the source, not on the target */
    VERIFY_DIFF_TABLE_EXTRA,   /* on the target, not on the source */
    VERIFY_DIFF_ROW_COUNT,
    VERIFY_DIFF_CHECKSUM,
    VERIFY_DIFF_SEQUENCE,
    VERIFY_DIFF_LARGE_OBJECT,
    VERIFY_DIFF_ERROR,
    VERIFY_DIFF_KIND_COUNT
};

/*
 * One difference. Each text field is owned and may be NULL: object names
 * what differs ("public.t", "index public.t_a_idx"), source and target the
 * value on each side (NULL: absent on that side), detail anything else.
 */
struct verify_diff {
    enum verify_diff_kind kind;
    char *object;
    char *source;
    char *target;
    char *detail;
};

struct verify_db_result {
    char *name; /* owned */
    enum verify_schema_method schema_method;
    int64_t schema_differences; /* all of them, also those past schema_limit */
    int64_t tables;             /* tables that store rows, on the source (as migrate counts them) */
    int64_t rows;               /* rows of those tables compared, on the source */
    int64_t matviews;           /* populated materialized views on the source */
    int64_t matview_rows;       /* their rows compared, on the source */
    int64_t large_objects;      /* on the source */
    int64_t sequences;          /* on the source */
    struct verify_diff *diffs;  /* owned array, in the order found */
    size_t ndiffs;
    size_t cap; /* allocated entries of diffs */
};

struct verify_result {
    struct verify_db_result *dbs; /* owned array, one per database, in the order given */
    size_t ndbs;
};

/* Compares every database of opts; fills *out (free with verify_result_free). */
void verify_run(const struct verify_options *opts, struct verify_result *out);
void verify_result_free(struct verify_result *r);

bool verify_db_identical(const struct verify_db_result *db);
bool verify_result_identical(const struct verify_result *r);

/* Adds a difference to db (every string is copied; any may be NULL). */
void verify_db_add(struct verify_db_result *db, enum verify_diff_kind kind, const char *object,
                   const char *source, const char *target, const char *detail);

/* "schema", "table_missing", ... as in the JSON output. */
const char *verify_diff_kind_name(enum verify_diff_kind kind);
/* "pg_dump", "catalog", or NULL for VERIFY_SCHEMA_NONE. */
const char *verify_schema_method_name(enum verify_schema_method method);

/* One difference as a text line without indentation, e.g.
 * "DIFF table public.t: rows 10 (source) vs 9 (target)". Caller frees. */
char *verify_diff_format(const struct verify_diff *d);
/* The verdict line of a database, e.g. "db sales: identical — schema (pg_dump) identical,
 * 57 tables, 1,234,567 rows, 3 large objects, 9 sequences". Caller frees. */
char *verify_db_summary(const struct verify_db_result *db);

/* Writes the text report: per database its verdict line, then "  DIFF ..." lines. */
void verify_print_text(const struct verify_result *r, FILE *out);
/* The JSON report as one document (no trailing newline). Caller frees. */
char *verify_result_json(const struct verify_result *r);

#endif
