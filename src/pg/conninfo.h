/*
 * conninfo.h — connection strings: parsing, rewriting and password masking.
 *
 * A conninfo is whatever libpq accepts (a postgresql:// URI or key=value
 * pairs). Everything that prints, logs or returns a conninfo goes through
 * pgconninfo_mask(), any other text that may quote one (libpq's messages,
 * the process title) through pgconninfo_redact(), and child programs get the
 * password through the environment (see pgconninfo_split_password), never on
 * their command line.
 */
#ifndef PGSHUTTLE_PG_CONNINFO_H
#define PGSHUTTLE_PG_CONNINFO_H

#include <stdbool.h>

/*
 * Checks that conninfo parses. On failure returns false and, if errmsg is not
 * NULL, sets *errmsg to libpq's reason, passed through pgconninfo_redact()
 * (libpq quotes the input); the caller frees it.
 */
bool pgconninfo_valid(const char *conninfo, char **errmsg);

/*
 * Returns a copy of text with every password of conninfo replaced by *****
 * (always five, whatever the password's length). conninfo need not parse: its
 * passwords are found lexically, generously (URI userinfo of any scheme://,
 * "password=" in key=value form or a URI query, quoted or not), raw and
 * percent-decoded, also the parts of one that holds a separator libpq splits
 * at. Use it on any text that may quote conninfo, such as libpq's messages.
 * NULL text gives NULL, NULL conninfo an unchanged copy. Caller frees.
 */
char *pgconninfo_redact(const char *text, const char *conninfo);

/*
 * Returns conninfo as key=value pairs with any password replaced by *****;
 * an unparsable string becomes "(invalid connection string)". Caller frees.
 */
char *pgconninfo_mask(const char *conninfo);

/*
 * Returns "host:port" for display (defaults: PGHOST/PGPORT, else localhost:5432),
 * redacted like pgconninfo_redact(). Caller frees.
 */
char *pgconninfo_hostport(const char *conninfo);

/* Returns the value of keyword in conninfo, or NULL if absent/unparsable. Caller frees. */
char *pgconninfo_get(const char *conninfo, const char *keyword);

/*
 * Returns conninfo as key=value pairs with keyword set to value (added or
 * replaced; value NULL removes it). NULL if conninfo does not parse. Caller frees.
 */
char *pgconninfo_set(const char *conninfo, const char *keyword, const char *value);

/*
 * Splits conninfo into key=value pairs without the password (*without) and
 * the password itself (*password, NULL if none). Both are allocated; the
 * caller frees them. Returns false if conninfo does not parse.
 */
bool pgconninfo_split_password(const char *conninfo, char **without, char **password);

#endif
