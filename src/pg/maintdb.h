/*
 * maintdb.h — which database to connect through for work on a whole
 * database of a server (DROP DATABASE, CREATE DATABASE, ALTER DATABASE).
 *
 * That is the database the connection string names (default postgres),
 * except when it is the very database to drop: PostgreSQL cannot drop the
 * database a session is connected to. Then pgshuttle goes through postgres,
 * or through template1 when the database to drop is postgres itself (the
 * way pg_restore --create and dropdb's --maintenance-db are used).
 */
#ifndef PGSHUTTLE_PG_MAINTDB_H
#define PGSHUTTLE_PG_MAINTDB_H

/* The database conninfo names, or postgres when it names none. Caller frees. */
char *pgmaint_configured_db(const char *conninfo);

/* The database to connect through for dropping and creating db. Caller frees. */
char *pgmaint_db_for(const char *conninfo, const char *db);

/* conninfo pointed at pgmaint_db_for(conninfo, db); NULL if it does not parse. Caller frees. */
char *pgmaint_conninfo_for(const char *conninfo, const char *db);

#endif
