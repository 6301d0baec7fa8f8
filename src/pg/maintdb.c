/* maintdb.c — the database to connect through for DROP/CREATE DATABASE (see maintdb.h). */
#include "pg/maintdb.h"
#include "pg/conninfo.h"
#include "util/mem.h"

#include <stdlib.h>
#include <string.h>

char *pgmaint_configured_db(const char *conninfo)
{
    char *db = pgconninfo_get(conninfo, "dbname");
    if (db != NULL && db[0] != '\0')
        return db;
    free(db);
    return xstrdup("postgres");
}

char *pgmaint_db_for(const char *conninfo, const char *db)
{
    char *configured = pgmaint_configured_db(conninfo);
    if (strcmp(configured, db) != 0)
        return configured;
    free(configured);
    return xstrdup(strcmp(db, "postgres") == 0 ? "template1" : "postgres");
}

char *pgmaint_conninfo_for(const char *conninfo, const char *db)
{
    char *through = pgmaint_db_for(conninfo, db);
    char *out = pgconninfo_set(conninfo, "dbname", through);
    free(through);
    return out;
}
