/*
 * indexbuild.h — the statements that rebuild an index, a constraint or a
 * foreign key on the target, and the list of schema-archive entries these
 * replace.
 *
 * Primary keys and unique constraints on plain b-tree indexes are built as
 * a unique index first (which only takes a SHARE lock, so several indexes of
 * one table build at once) and then attached with ADD CONSTRAINT ... USING
 * INDEX. Exclusion and other constraints use ADD CONSTRAINT directly.
 */
#ifndef PGSHUTTLE_COPY_INDEXBUILD_H
#define PGSHUTTLE_COPY_INDEXBUILD_H

#include "copy/catalog.h"
#include "copy/schema.h"
#include "util/buf.h"

/* Appends to stmts the statements, in order, that build index x of cat. */
void copy_index_statements(const struct copy_catalog *cat, const struct cat_index *x,
                           strlist *stmts);
/*
 * How many of index x's first statements (copy_index_statements) are done
 * when the target has the index, valid (built), and its constraint
 * (constrained): the statements after them, which are safe to run again,
 * still have to run.
 */
int copy_index_steps_done(const struct cat_index *x, bool built, bool constrained);
/* Writes the statement that adds foreign key f. */
void copy_fkey_statement(const struct copy_catalog *cat, const struct cat_fkey *f, strbuf *sql);
/* Returns the archive entries pgshuttle builds itself (caller frees); count in *n. */
struct schema_object_id *copy_built_objects(const struct copy_catalog *cat, int *n);

#endif
