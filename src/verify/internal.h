/*
 * internal.h — what the files of src/verify share (verify__ prefix). Not for
 * use outside src/verify; the unit tests include it for the pure parts:
 * schema normalisation, line and row comparison, the checksum query builder.
 */
#ifndef PGSHUTTLE_VERIFY_INTERNAL_H
#define PGSHUTTLE_VERIFY_INTERNAL_H

#include "pg/pgconn.h"
#include "pg/tools.h"
#include "util/buf.h"
#include "model/progress.h"
#include "verify/verify.h"

#include <stdbool.h>
#include <stddef.h>

/* One database being compared: what every comparison step needs. */
struct verify__db {
    const char *name;
    char *src_conninfo; /* owned: the source conninfo naming this database; never print it */
    char *tgt_conninfo; /* owned: the same for the target */
    pgconn *src;        /* owned: the main source connection, session prepared */
    pgconn *tgt;        /* owned: the main target connection, session prepared */
    const struct pg_tools *tools;            /* the newest pg_dump, or NULL if none was found */
    enum verify_schema_method schema_method; /* asked for; VERIFY_SCHEMA_NONE: automatic */
    int jobs;
    size_t schema_limit;
    struct verify_db_result *res; /* where differences go (not owned) */
};

/*
 * Opens a connection to conninfo for one side (label e.g. "source db=x"),
 * and prepares the session for stable text output. On failure returns false
 * with *out set to the failed connection (or NULL) for its message.
 */
bool verify__connect(pgconn **out, const char *conninfo, const char *label) PG_WUR;
/* Sets the session settings every comparison query relies on (see session.c). */
bool verify__session_setup(pgconn *c) PG_WUR;

/* Records a failure on one side as an "error" difference with the connection's message. */
void verify__add_error(struct verify_db_result *res, bool is_source, const char *object,
                       const char *what, const char *message);

/* --- schema ---------------------------------------------------------------------------- */

/*
 * Splits pg_dump output into its significant lines: drops comment (--) and
 * blank lines, SET lines, SELECT pg_catalog.set_config(...) lines and
 * \restrict / \unrestrict lines. Appends them to lines without trailing
 * spaces and without one trailing comma.
 */
void verify__schema_normalise(const char *dump, strlist *lines);

/*
 * Compares two normalised dumps as multisets of (statement, line) and adds a
 * schema difference for each line found on one side only: in the source
 * dump's order, the target's lines of a statement after the source's, then
 * the target's other lines. The first limit are listed, the rest counted.
 */
void verify__compare_lines(const strlist *src, const strlist *tgt, struct verify_db_result *res,
                           size_t limit);

/* One catalog fingerprint row: what kind of object, which one, and its definition. */
struct verify__catrow {
    char *kind;       /* owned */
    char *identity;   /* owned */
    char *definition; /* owned; "" when NULL */
};

/*
 * Compares two sets of catalog rows (in any order): an object present on
 * both sides with different definitions is one difference, one present on
 * one side only is another. The first limit are listed, the rest counted.
 * Sorts both arrays.
 */
void verify__compare_catrows(struct verify__catrow *src, size_t nsrc, struct verify__catrow *tgt,
                             size_t ntgt, struct verify_db_result *res, size_t limit);

/*
 * Removes the "name." prefixes of qualified names outside string literals
 * ("app.t.col" becomes "col"): how definitions deparsed by PostgreSQL < 16
 * and >= 16 are compared. Caller frees.
 */
char *verify__strip_qualifiers(const char *definition);

/*
 * Gives each schema difference from index from on that gives something to a
 * role ("owner of" / "privileges on" catalog rows; pg_dump's ALTER ... OWNER
 * TO, GRANT, REVOKE lines) a detail naming the roles it mentions that do not
 * exist on the other server. Role lists are written as quote_ident() does.
 */
void verify__annotate_missing_roles(struct verify_db_result *res, size_t from,
                                    const strlist *src_roles, const strlist *tgt_roles);
/* Appends the role names of c's server, quote_ident()ed, to out. */
bool verify__read_roles(pgconn *c, strlist *out) PG_WUR;
/* Reads both servers' roles and annotates the schema differences from index from on. */
void verify__annotate_roles_of(struct verify__db *db, size_t from);

/* Adds a schema difference, listed while fewer than limit are, counted always. */
void verify__add_schema_diff(struct verify_db_result *res, size_t limit, const char *object,
                             const char *source, const char *target);
/* Adds the "... and N more" entry when schema differences went past limit. */
void verify__finish_schema_diffs(struct verify_db_result *res, size_t limit);

/*
 * Compares the schema with the method asked for or, by default, with pg_dump
 * when it can dump both servers, else through the catalog.
 */
void verify__compare_schema(struct verify__db *db);
/* The two methods; false when the comparison could not be made (an error difference says why). */
bool verify__schema_pg_dump(struct verify__db *db, const char *pg_dump) PG_WUR;
bool verify__schema_catalog(struct verify__db *db) PG_WUR;

/* --- data ------------------------------------------------------------------------------ */

/* A column as the checksum reads it. */
struct verify__column {
    char *name;         /* owned */
    char *send_fn;      /* owned or NULL: binary send function for float-based types */
    char *elem_send_fn; /* owned or NULL: the same for the elements of an array column */
};

/*
 * Builds the checksum query of one table: "SELECT count(*), <sum> FROM ONLY
 * qualified" where sum adds the first 64 bits of md5(ROW(columns)::text) of
 * every row (so duplicated rows count and order does not). Float-based
 * columns go through their send function, whose output does not depend on
 * the server version. Caller frees.
 */
char *verify__checksum_sql(const char *qualified, const struct verify__column *cols, size_t ncols);

/* Compares the tables' lists, row counts and checksums, running db->jobs tables at a time. */
void verify__compare_tables(struct verify__db *db);
/* Compares last_value and is_called of every sequence. */
void verify__compare_sequences(struct verify__db *db);
/* Compares the set of large objects and the md5 of each one's contents. */
void verify__compare_large_objects(struct verify__db *db);

/* --- text helpers ---------------------------------------------------------------------- */

#endif
