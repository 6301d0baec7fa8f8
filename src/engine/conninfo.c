/*
 * conninfo.c — the connection strings the engine derives from the spec's:
 * a server's maintenance database, and one database on that server.
 */
#include "engine/internal.h"
#include "pg/conninfo.h"
#include "pg/maintdb.h"

#include <stdlib.h>

char *engine_admin_conninfo(const char *conninfo)
{
    char *db = pgmaint_configured_db(conninfo);
    char *out = pgconninfo_set(conninfo, "dbname", db);
    free(db);
    return out;
}

char *engine_db_conninfo(const char *conninfo, const char *db)
{
    return pgconninfo_set(conninfo, "dbname", db);
}
