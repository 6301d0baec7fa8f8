/*
 * connection_test.h — the connection test `pgshuttle serve` gives its API
 * (POST /api/v1/testConnection, api.h's api_connection_test_fn): the
 * instance checks of the validate module, bounded in time.
 */
#ifndef PGSHUTTLE_CLI_CONNECTION_TEST_H
#define PGSHUTTLE_CLI_CONNECTION_TEST_H

#include "model/check.h"
#include "model/migration.h"

/* Longest wait for each server to answer, in seconds (a lower connect_timeout is kept). */
#define CONNECTION_TEST_CONNECT_TIMEOUT 10

/*
 * Runs the instance checks of spec's mode (validate_run_instance) against
 * its two servers, each connection given at most
 * CONNECTION_TEST_CONNECT_TIMEOUT seconds to open, into results. Every
 * message and remediation is redacted of both connection strings'
 * passwords. Thread-safe.
 */
void connection_test_run(const struct migration_spec *spec, struct check_results *results);

#endif
