/*
 * namelist.h — a comma-separated list of names as typed on a command line
 * (`--databases sales,"a,b",inventory`). A name that starts with a double
 * quote runs to the matching closing quote and may hold commas, with "" for
 * a double quote inside, the way PostgreSQL quotes identifiers; any other
 * name is taken literally up to the next comma (so `my "odd" db` still
 * names itself). Empty names are refused.
 */
#ifndef PGSHUTTLE_UTIL_NAMELIST_H
#define PGSHUTTLE_UTIL_NAMELIST_H

#include "util/buf.h"

#include <stdbool.h>

/*
 * Appends the names of list to out. On a malformed list (an unterminated
 * quote, an empty name, something other than a comma after a closing quote)
 * returns false with *err set to a sentence that says where and what (the
 * caller frees it), and out as it was.
 */
bool namelist_parse(const char *list, strlist *out, char **err) __attribute__((warn_unused_result));

#endif
