/*
 * status.h — the user-facing vocabulary of a migration: status, substatus,
 * check status, mode and type, and their exact strings.
 *
 * These strings appear in the CLI, the API and the web page, and must match
 * the product definition word for word; this file's table is the only place
 * that spells them.
 */
#ifndef PGSHUTTLE_MODEL_STATUS_H
#define PGSHUTTLE_MODEL_STATUS_H

#include <stdbool.h>

enum mig_status {
    MIG_IN_PROGRESS = 0,
    MIG_CANCELED,
    MIG_FAILED,
    MIG_VALIDATION_FAILED,
    MIG_SUCCEEDED,
    MIG_WAITING_FOR_USER,
    MIG_STATUS_COUNT
};

enum mig_substatus {
    SUB_PREREQUISITES = 0,
    SUB_VALIDATING,
    SUB_DROPPING_DATABASE,
    SUB_MIGRATING_DATA,
    SUB_WAITING_FOR_CUTOVER,
    SUB_COMPLETING,
    SUB_COMPLETED,
    SUB_FAILED,
    SUB_WAITING_FOR_WINDOW,    /* the service: In progress until the migration window opens */
    SUB_WAITING_FOR_OVERWRITE, /* Waiting for user action: target databases exist */
    SUB_COUNT
};

enum check_status { CHECK_SUCCEEDED = 0, CHECK_WARNING, CHECK_FAILED, CHECK_STATUS_COUNT };

enum mig_mode { MODE_OFFLINE = 0, MODE_ONLINE, MODE_COUNT };

enum mig_type { TYPE_VALIDATE_AND_MIGRATE = 0, TYPE_MIGRATE, TYPE_VALIDATE, TYPE_COUNT };

const char *mig_status_name(enum mig_status s);
const char *mig_substatus_name(enum mig_substatus s);
const char *check_status_name(enum check_status s);
/* Display names ("Online", "Validate and migrate") and option words ("online",
 * "validate-and-migrate"). */
const char *mig_mode_name(enum mig_mode m);
const char *mig_mode_word(enum mig_mode m);
const char *mig_type_name(enum mig_type t);
const char *mig_type_word(enum mig_type t);

/* Each parser accepts the display name or the option word, case-insensitively. */
bool mig_status_parse(const char *s, enum mig_status *out);
bool mig_substatus_parse(const char *s, enum mig_substatus *out);
bool check_status_parse(const char *s, enum check_status *out);
bool mig_mode_parse(const char *s, enum mig_mode *out);
bool mig_type_parse(const char *s, enum mig_type *out);

/* True for the statuses a migration never leaves. */
bool mig_status_is_final(enum mig_status s);
/* The process exit code for a final status (CLI contract: 0, 1, 2, 3). */
int mig_status_exit_code(enum mig_status s);

#endif
