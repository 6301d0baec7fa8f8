/*
 * schema.h — the store's schema upgrade (store_schema.c), used by store_open.c.
 */
#ifndef PGSHUTTLE_STORE_SCHEMA_H
#define PGSHUTTLE_STORE_SCHEMA_H

#include "store/store.h"

#include <sqlite3.h>
#include <stdbool.h>

/*
 * Brings db's schema to STORE_SCHEMA_VERSION step by step; *version gets it.
 * False with *msg (caller frees; without the file name) when the file is
 * newer than this build, someone else's database, or a step fails.
 */
bool store_schema_upgrade(sqlite3 *db, int *version, char **msg);

#endif
