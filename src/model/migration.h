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
    char *name; /* owned */
    enum mig_mode mode;
    enum mig_type type;
    char *source;      /* owned: conninfo (may hold a password: never print it unmasked) */
    char *target;      /* owned: conninfo */
    char *source_type; /* owned: "auto", "On-premises", ... */
    strlist databases;
    bool overwrite;
    bool keep_failed; /* keep a failed target database (marked incomplete) instead of dropping it */
    int jobs;
    int index_jobs;
    int64_t split_bytes;        /* 0 = automatic, <0 = never split */
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
    double reconnect_timeout; /* seconds to keep reconnecting to a server that went away; 0 = no */
    /* the service's migration window: start no earlier (wall clock, UTC seconds); 0 = none */
    double window_start;
};

/* The default of --reconnect-timeout: 10 minutes. */
#define MIGRATION_RECONNECT_TIMEOUT_DEFAULT 600.0

/* Parses a duration: 30s, 10min, 1h, 500ms or plain seconds (2.5); false when malformed or < 0. */
bool migration_duration_parse(const char *s, double *seconds);

void migration_spec_init(struct migration_spec *s);

/*
 * The rule of a migration's name in the service (API, store, log file
 * name): ^[a-z][a-z0-9-]{0,62}$. false with *error set (caller frees),
 * which does not quote the name.
 */
bool migration_name_check(const char *name, char **error) __attribute__((warn_unused_result));
void migration_spec_free(struct migration_spec *s);

/*
 * The rules of a spec, in one place for the command line and the API: each
 * field a user sets goes through migration_spec_set(), and the whole spec
 * through migration_spec_check(), so that both reject the same input with
 * the same message. Messages name the field the way the caller's user knows
 * it: the option (--jobs) or the JSON property (jobs); see
 * migration_spec_field_name(). They never quote a connection string.
 */
enum spec_field {
    SPEC_F_NAME = 0,
    SPEC_F_SOURCE,
    SPEC_F_TARGET,
    SPEC_F_MODE,
    SPEC_F_TYPE,
    SPEC_F_SOURCE_TYPE,
    SPEC_F_OVERWRITE,
    SPEC_F_KEEP_FAILED,
    SPEC_F_JOBS,
    SPEC_F_INDEX_JOBS,
    SPEC_F_SPLIT,
    SPEC_F_MAINTENANCE_WORK_MEM,
    SPEC_F_TOAST_COMPRESSION,
    SPEC_F_PLUGIN,
    SPEC_F_PUBLICATION,
    SPEC_F_CUTOVER,
    SPEC_F_RESUME,
    SPEC_F_REPLICA_IDENTITY_FULL,
    SPEC_F_RECONNECT_TIMEOUT,
    SPEC_F_DATABASES, /* a list: set by its callers (sl_push), checked by migration_spec_check() */
    SPEC_F_COUNT
};

/* Whose names messages use: the command line's options or the API's JSON properties. */
enum spec_naming { SPEC_NAMING_OPTION = 0, SPEC_NAMING_JSON };

/* "--jobs" or "jobs": the field's name for that naming. Static. */
const char *migration_spec_field_name(enum spec_field f, enum spec_naming naming);

/* migrationOption's word for a type, Azure's spelling ("ValidateAndMigrate"). Static. */
const char *migration_type_api_word(enum mig_type t);

/*
 * Sets field f from its text form, as the option takes it (words such as
 * "online", sizes such as "256MB", durations such as "10min", "true" or
 * "false" for a flag; with SPEC_NAMING_JSON, the API's words for
 * migrationOption and sourceType). On a bad value returns false, leaves s as
 * it was and sets *error to the message (caller frees).
 */
bool migration_spec_set(struct migration_spec *s, enum spec_field f, const char *value,
                        enum spec_naming naming, char **error) __attribute__((warn_unused_result));

/*
 * The rules on the servers and databases alone (also for verify, which has
 * no spec): source, target and at least one database given, no empty name,
 * not template0, none named twice. false with *error set (caller frees).
 */
bool migration_endpoints_check(const char *source, const char *target, const strlist *databases,
                               enum spec_naming naming, char **error)
    __attribute__((warn_unused_result));

/*
 * Every rule across fields, in the order the command line reports them:
 * migration_endpoints_check(), the online-only fields with an offline mode,
 * a publication with test_decoding, resume with overwrite. false with
 * *error set (caller frees).
 */
bool migration_spec_check(const struct migration_spec *s, enum spec_naming naming, char **error)
    __attribute__((warn_unused_result));

#endif
