/*
 * database.h — the target database's lifecycle: does it exist, drop it,
 * create it like the source's (encoding, locale, owner, connection limit),
 * and the comment that marks it incomplete until the migration finishes.
 * All run on a connection to the target server; the drop and the create on
 * one to another database than the one they work on (pg/maintdb.h).
 */
#ifndef PGSHUTTLE_COPY_DATABASE_H
#define PGSHUTTLE_COPY_DATABASE_H

#include "copy/catalog.h"
#include "pg/pgconn.h"
#include "util/buf.h"

#include <stdbool.h>

/* The comment a database carries while pgshuttle is still filling it. */
#define COPY_INCOMPLETE_MARK "pgshuttle: INCOMPLETE migration"

bool copy_database_exists(pgconn *admin, const char *name, bool *exists)
    __attribute__((warn_unused_result));
/*
 * Drops the database, disconnecting its sessions first (13+). admin must be
 * connected to another database (pg/maintdb.h).
 */
bool copy_database_drop(pgconn *admin, const char *name) __attribute__((warn_unused_result));
/*
 * Drops a database pgshuttle created, also once copy_database_finish made it
 * a template (which DROP DATABASE refuses).
 */
bool copy_database_drop_created(pgconn *admin, const char *name)
    __attribute__((warn_unused_result));
/*
 * Creates a database like db on the target, marked incomplete. When the
 * source's owner is not a role on the target, the database is owned by the
 * connecting role and the owner's name is added to missing_roles.
 */
bool copy_database_create(pgconn *admin, const struct cat_database *db, strlist *missing_roles)
    __attribute__((warn_unused_result));
/*
 * Gives the finished database the source database's settings (ALTER
 * DATABASE/ROLE ... SET), privileges and comment, and last, when the
 * source's is one, makes it a template. Roles missing on the target are
 * added to missing_roles and their settings and grants skipped.
 */
bool copy_database_finish(pgconn *admin, const struct cat_database *db,
                          const strlist *target_roles, strlist *missing_roles)
    __attribute__((warn_unused_result));

/* Sets the database comment (NULL removes it). */
bool copy_database_comment(pgconn *admin, const char *name, const char *comment)
    __attribute__((warn_unused_result));
/*
 * Compares the column order of every table between the source database
 * (src, in the snapshot) and the restored target database (dst); adds to
 * differing "schema.table (source: a, b; target: b, a)" for each mismatch.
 */
bool copy_column_order_diff(pgconn *src, pgconn *dst, strlist *differing)
    __attribute__((warn_unused_result));

/* Roles of the target server. */
bool copy_target_roles(pgconn *admin, strlist *roles) __attribute__((warn_unused_result));

#endif
