/*
 * client_format.h — how the client commands show the API's migration
 * resource (docs/API.md) as text: the grid of `pgshuttle list`, the report
 * of `show`, the progress of `watch`; and its nodes (`pgshuttle nodes`). Pure functions of the
 * JSON, so the unit tests check them without a server.
 */
#ifndef PGSHUTTLE_CLI_CLIENT_FORMAT_H
#define PGSHUTTLE_CLI_CLIENT_FORMAT_H

#include "model/status.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* The grid's columns, in their order. */
enum client_grid_column {
    GRID_NAME = 0,
    GRID_STATUS,
    GRID_MODE,
    GRID_TYPE,
    GRID_SOURCE,
    GRID_SOURCE_TYPE,
    GRID_DATABASES,
    GRID_DURATION,
    GRID_START,
    GRID_NODE, /* the node running it (issue 16): last, so the others keep their place */
    GRID_COLUMNS
};

/* The columns of `pgshuttle nodes`, in their order. */
enum client_node_column {
    NODE_NAME = 0,
    NODE_STATE,
    NODE_RUNNING,
    NODE_CAPACITY,
    NODE_AGE,
    NODE_ADDRESS,
    NODE_VERSION,
    NODE_COLUMNS
};

/* A column's title ("Migration mode"). Static. */
const char *client_grid_title(enum client_grid_column c);

/* A duration for people: "12s", "4m 05s", "2h 03m", "3d 04h"; negative or NaN as "-". */
void client_format_duration(double secs, char *out, size_t outlen);

/*
 * "host:port" of a connection string as the API shows it (password masked
 * or not): never the password, nor anything else of the string. Caller frees.
 */
char *client_server_hostport(const char *conninfo);

/*
 * The grid row of one resource (borrowed): cells[c] for each column, each
 * a new string (free with client_grid_row_free); "" for what it lacks.
 */
void client_grid_row(const json_t *resource, char *cells[GRID_COLUMNS]);
void client_grid_row_free(char *cells[GRID_COLUMNS]);

/*
 * The whole grid for the resources of array rows (borrowed): a title line,
 * then one line per migration, newest start first (not started yet on top),
 * columns aligned and two spaces apart, no trailing blanks. Caller frees.
 */
char *client_grid_format(const json_t *rows);

/*
 * The row of one node resource (GET /api/v1/nodes; borrowed): cells[c] for
 * each column, each a new string (free each); "" for what it lacks,
 * "no limit" for a null capacity, the heartbeat's age as a duration.
 */
void client_node_row(const json_t *node, char *cells[NODE_COLUMNS]);
/* The table of `pgshuttle nodes` for the node resources of array nodes, in their order. */
char *client_nodes_format(const json_t *nodes);

/* The migration's status (currentStatus.state); false if absent or unknown. */
bool client_resource_status(const json_t *resource, enum mig_status *out);

/*
 * Where `watch` stops: the exit code once the resource's status is final
 * (0 Succeeded, 1 Failed, 2 Validation failed, 3 Canceled) or waits for the
 * user (0), else -1 (go on watching; also when the status is unknown).
 */
int client_watch_exit(const json_t *resource);

/* `show`: properties, status, error, validation details, per-database details. Caller frees. */
char *client_show_format(const json_t *resource);

/*
 * `watch`: a few lines on where the migration stands: status and
 * substatus, duration, then one line per database (state, tables, rows,
 * bytes, rate, ETA, changes, lag). Caller frees.
 */
char *client_progress_format(const json_t *resource);

#endif
