/*
 * checks_view.h — validation results for people (a table) and for scripts
 * (JSON), shared by `validate` and `migrate`.
 */
#ifndef PGSHUTTLE_CLI_CHECKS_VIEW_H
#define PGSHUTTLE_CLI_CHECKS_VIEW_H

#include "model/check.h"

#include <jansson.h>
#include <stdio.h>

/* A JSON array of {"scope","name","status","message","remediation","seconds"}; new reference. */
json_t *cli_checks_json(const struct check_results *r);
/* A table (Scope, Check, Status, Message) with each remediation under its row. */
void cli_checks_print(const struct check_results *r, const char *source_type, FILE *out);

#endif
