/*
 * quote.h — SQL identifiers and literals, quoted without a connection.
 *
 * Used to build DDL and COPY statements from catalog names. Identifiers are
 * left bare only when PostgreSQL would read them back unchanged (lower-case
 * letters, digits, _ and $, not starting with a digit, not a keyword);
 * everything else is double-quoted with embedded quotes doubled.
 */
#ifndef PGSHUTTLE_PG_QUOTE_H
#define PGSHUTTLE_PG_QUOTE_H

#include "util/buf.h"

#include <stdbool.h>

/* True when name must be double-quoted to survive a round trip. */
bool pgq_needs_quotes(const char *name);
/* Appends name as an identifier. */
void pgq_ident(strbuf *sb, const char *name);
/* Appends schema.name, each part quoted as needed. */
void pgq_qualified(strbuf *sb, const char *schema, const char *name);
/* Appends value as a string literal ('...' with quotes doubled; E'...' if it has backslashes). */
void pgq_literal(strbuf *sb, const char *value);
/* Returns a newly allocated quoted identifier; the caller frees it. */
char *pgq_ident_dup(const char *name);
/* Returns a newly allocated quoted schema.name; the caller frees it. */
char *pgq_qualified_dup(const char *schema, const char *name);

#endif
