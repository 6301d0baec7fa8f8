/*
 * api.h — the HTTP JSON API of `pgshuttle serve` (docs/API.md): routes under
 * /api/v1, bearer-token authentication, strict JSON in, the migration
 * resource out, /healthz and /metrics. It reads the store and records
 * requests there; it never talks to a worker or a database server.
 *
 * What needs libpq (masking a connection string's password, checking its
 * syntax, adding a password from secretParameters) or the validation checks
 * (a connection test) comes in as functions from the caller, which may use
 * the pg and validate layers; the API may not.
 */
#ifndef PGSHUTTLE_API_API_H
#define PGSHUTTLE_API_API_H

#include "model/check.h"
#include "model/migration.h"
#include "store/store.h"

#include <stdbool.h>
#include <stddef.h>

/*
 * When the API calls a node of the service Down (GET /api/v1/nodes,
 * /metrics): its last heartbeat is older than 3 heartbeat periods (the
 * supervisor beats every API_NODE_HEARTBEAT_SECONDS), but never less than
 * 10 s, so that a store slow for a few seconds or a paused machine does
 * not make a live node look dead. The one place that says it (the
 * service may not include api.h: if it needs the rule, for a claim of a
 * Down node's migrations, the two constants move down to store.h).
 */
#define API_NODE_HEARTBEAT_SECONDS 1.0
#define API_NODE_DOWN_AFTER                                                                        \
    (3 * API_NODE_HEARTBEAT_SECONDS > 10.0 ? 3 * API_NODE_HEARTBEAT_SECONDS : 10.0)

struct api_conninfo_ops {
    /* A copy of conninfo with every password masked (caller frees). */
    char *(*mask)(const char *conninfo);
    /* true if conninfo parses; else false with *error (caller frees) saying why, no secret in it.
     */
    bool (*check)(const char *conninfo, char **error);
    /* A copy of conninfo with its password set to password (caller frees); NULL if it does not
     * parse. */
    char *(*with_password)(const char *conninfo, const char *password);
};

/*
 * A connection test (POST /api/v1/testConnection): runs the instance checks
 * of spec's mode against its two servers (connectivity, versions, client
 * tools, the online prerequisites, privileges...) into results (empty when
 * called), each with its start time, within a bounded time (a
 * connect_timeout of at most some seconds per server). spec has its
 * passwords; no result's text may hold one. Called from the API's threads,
 * at most API_TESTS_MAX (2) at once.
 */
typedef void (*api_connection_test_fn)(const struct migration_spec *spec,
                                       struct check_results *results);

struct api_config {
    const char *listen;    /* "HOST:PORT" (IPv4, [IPv6] or a name that resolves); */
    const char *state_dir; /* this node's directory: worker logs under logs/ */
    const char *node;      /* this node's name (a log kept by another node is named so) */
    /* the store (kept, not copied: it must outlive the server); NULL = SQLite in state_dir */
    const struct store_config *store;
    const char *token;    /* the bearer token every /api/v1 route requires */
    const char *tls_cert; /* PEM files for HTTPS, or both NULL for plain HTTP */
    const char *tls_key;
    size_t max_body; /* bytes; a bigger request body gets 413 (0 = 1 MiB) */
    struct api_conninfo_ops conninfo;
    api_connection_test_fn connection_test; /* NULL: POST /testConnection answers 501 */
};

struct api_server;

/* Starts serving in background threads; NULL with *error (caller frees) if it cannot listen. */
struct api_server *api_start(const struct api_config *cfg, char **error);
/* The port it listens on (useful with port 0). */
int api_port(const struct api_server *srv);
/* Stops serving (waits for requests in flight) and frees srv. */
void api_stop(struct api_server *srv);

/*
 * The API token of a state directory: PGSHUTTLE_TOKEN if set, else the
 * content of DIR/token, created (mode 0600, 32 random bytes in hex) at the
 * first start when create is true. NULL with *error if there is none.
 */
char *api_token_load(const char *state_dir, bool create, char **error);
/*
 * Writes token as DIR/token (mode 0600, replacing the file at once: a
 * reader sees the old token or the new, never part of one). false with
 * *error.
 */
bool api_token_save(const char *state_dir, const char *token, char **error);

#endif
