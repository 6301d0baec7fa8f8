/*
 * checks_view.h — validation results for people (a table), shared by
 * `validate` and `migrate`; their JSON is the model's (model/check_json.h).
 */
#ifndef PGSHUTTLE_CLI_CHECKS_VIEW_H
#define PGSHUTTLE_CLI_CHECKS_VIEW_H

#include "model/check.h"

#include <stdio.h>

/* A table (Scope, Check, Status, Message) with each remediation under its row. */
void cli_checks_print(const struct check_results *r, const char *source_type, FILE *out);

#endif
