/*
 * source_type.h — the kinds of source server pgshuttle knows: the names it
 * shows and takes on the command line ("AWS RDS") and the words of the HTTP
 * API, which are Azure's where Azure has one ("AWS_RDS"). "auto" (detect it
 * from the server) is both a name and a word.
 */
#ifndef PGSHUTTLE_MODEL_SOURCE_TYPE_H
#define PGSHUTTLE_MODEL_SOURCE_TYPE_H

#include <stdbool.h>

/* True for "auto" and each known name, exactly as spelt. */
bool source_type_known(const char *name);
/* The API word for a known name ("AWS RDS" -> "AWS_RDS"); NULL if unknown. Static. */
const char *source_type_api_word(const char *name);
/* The name for an API word ("AWS_RDS" -> "AWS RDS"); NULL if unknown. Static. */
const char *source_type_from_api_word(const char *word);

#endif
