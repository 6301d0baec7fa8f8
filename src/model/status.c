/* status.c — the one table of user-facing status strings (see status.h). */
#include "model/status.h"

#include <stddef.h>
#include <strings.h>

static const char *const status_names[MIG_STATUS_COUNT] = {
    [MIG_IN_PROGRESS] = "In progress", [MIG_CANCELED] = "Canceled",
    [MIG_FAILED] = "Failed",           [MIG_VALIDATION_FAILED] = "Validation failed",
    [MIG_SUCCEEDED] = "Succeeded",     [MIG_WAITING_FOR_USER] = "Waiting for user action",
};

static const char *const substatus_names[SUB_COUNT] = {
    [SUB_PREREQUISITES] = "Performing prerequisite steps",
    [SUB_VALIDATING] = "Validation in progress",
    [SUB_DROPPING_DATABASE] = "Dropping database on target",
    [SUB_MIGRATING_DATA] = "Migrating data",
    [SUB_WAITING_FOR_CUTOVER] = "Waiting for cutover",
    [SUB_COMPLETING] = "Completing migration",
    [SUB_COMPLETED] = "Completed",
    [SUB_FAILED] = "Failed",
    [SUB_WAITING_FOR_WINDOW] = "Waiting for the migration window",
    [SUB_WAITING_FOR_OVERWRITE] = "Waiting for overwrite confirmation",
};

static const char *const check_names[CHECK_STATUS_COUNT] = {
    [CHECK_SUCCEEDED] = "Succeeded",
    [CHECK_WARNING] = "Warning",
    [CHECK_FAILED] = "Failed",
};

static const char *const mode_names[MODE_COUNT] = {
    [MODE_OFFLINE] = "Offline", [MODE_ONLINE] = "Online"};
static const char *const mode_words[MODE_COUNT] = {
    [MODE_OFFLINE] = "offline", [MODE_ONLINE] = "online"};

static const char *const type_names[TYPE_COUNT] = {
    [TYPE_VALIDATE_AND_MIGRATE] = "Validate and migrate",
    [TYPE_MIGRATE] = "Migrate",
    [TYPE_VALIDATE] = "Validate",
};
static const char *const type_words[TYPE_COUNT] = {
    [TYPE_VALIDATE_AND_MIGRATE] = "validate-and-migrate",
    [TYPE_MIGRATE] = "migrate",
    [TYPE_VALIDATE] = "validate",
};

static const char *name_at(const char *const *names, int count, int i)
{
    return (i >= 0 && i < count) ? names[i] : "Unknown";
}

static bool parse_in(const char *const *a, const char *const *b, int count, const char *s, int *out)
{
    if (s == NULL)
        return false;
    for (int i = 0; i < count; i++)
        if ((a && strcasecmp(s, a[i]) == 0) || (b && strcasecmp(s, b[i]) == 0)) {
            *out = i;
            return true;
        }
    return false;
}

const char *mig_status_name(enum mig_status s)
{
    return name_at(status_names, MIG_STATUS_COUNT, (int) s);
}

const char *mig_substatus_name(enum mig_substatus s)
{
    return name_at(substatus_names, SUB_COUNT, (int) s);
}

const char *check_status_name(enum check_status s)
{
    return name_at(check_names, CHECK_STATUS_COUNT, (int) s);
}

const char *mig_mode_name(enum mig_mode m)
{
    return name_at(mode_names, MODE_COUNT, (int) m);
}

const char *mig_mode_word(enum mig_mode m)
{
    return name_at(mode_words, MODE_COUNT, (int) m);
}

const char *mig_type_name(enum mig_type t)
{
    return name_at(type_names, TYPE_COUNT, (int) t);
}

const char *mig_type_word(enum mig_type t)
{
    return name_at(type_words, TYPE_COUNT, (int) t);
}

#define PARSER(fn, type, a, b, count)                                                              \
    bool fn(const char *s, type *out)                                                              \
    {                                                                                              \
        int i;                                                                                     \
        if (!parse_in(a, b, count, s, &i))                                                         \
            return false;                                                                          \
        *out = (type) i;                                                                           \
        return true;                                                                               \
    }

PARSER(mig_status_parse, enum mig_status, status_names, NULL, MIG_STATUS_COUNT)
PARSER(mig_substatus_parse, enum mig_substatus, substatus_names, NULL, SUB_COUNT)
PARSER(check_status_parse, enum check_status, check_names, NULL, CHECK_STATUS_COUNT)
PARSER(mig_mode_parse, enum mig_mode, mode_names, mode_words, MODE_COUNT)
PARSER(mig_type_parse, enum mig_type, type_names, type_words, TYPE_COUNT)

bool mig_status_is_final(enum mig_status s)
{
    return s == MIG_CANCELED || s == MIG_FAILED || s == MIG_VALIDATION_FAILED || s == MIG_SUCCEEDED;
}

int mig_status_exit_code(enum mig_status s)
{
    switch (s) {
    case MIG_SUCCEEDED:
        return 0;
    case MIG_VALIDATION_FAILED:
        return 2;
    case MIG_CANCELED:
        return 3;
    default:
        return 1;
    }
}
