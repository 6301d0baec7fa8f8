/*
 * migration.h — the properties of one migration, as the user gave them.
 */
#ifndef PGSHUTTLE_MODEL_MIGRATION_H
#define PGSHUTTLE_MODEL_MIGRATION_H

#include "model/status.h"
#include "util/buf.h"

#include <stdbool.h>
#include <stdint.h>

struct migration_spec {
    char *name;   /* owned */
    enum mig_mode mode;
    enum mig_type type;
    char *source; /* owned: conninfo (may hold a password: never print it unmasked) */
    char *target; /* owned: conninfo */
    char *source_type; /* owned: "auto", "On-premises", ... */
    strlist databases;
    bool overwrite;
    bool keep_failed; /* keep a failed target database (marked incomplete) instead of dropping it */
    int jobs;
    int index_jobs;
    int64_t split_bytes; /* 0 = automatic, <0 = never split */
    char *maintenance_work_mem; /* owned; for index builds */
    char *toast_compression;    /* owned: "lz4", "pglz" or "server" (the target's default) */
    /* online only */
    char *plugin;               /* owned: "pgoutput" or "test_decoding"; NULL = by source version */
    bool cutover_auto;          /* cut over as soon as every database caught up */
    bool resume;                /* continue the streams of an interrupted run */
    bool replica_identity_full; /* give tables without a key REPLICA IDENTITY FULL on the source */
    /* owned or NULL: pgoutput streams through this publication, created beforehand by the
       tables' owner (--publication); NULL: through publications pgshuttle creates */
    char *publication;
    double reconnect_timeout;   /* seconds to keep reconnecting to a server that went away; 0 = no */
};

/* The default of --reconnect-timeout: 10 minutes. */
#define MIGRATION_RECONNECT_TIMEOUT_DEFAULT 600.0

/* Parses a duration: 30s, 10min, 1h, 500ms or plain seconds (2.5); false when malformed or < 0. */
bool migration_duration_parse(const char *s, double *seconds);

void migration_spec_init(struct migration_spec *s);
void migration_spec_free(struct migration_spec *s);

#endif
