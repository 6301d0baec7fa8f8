/*
 * api_internal.h — what the API's files share (not for other layers).
 *
 * The files use each other one way only, top to bottom:
 *
 *   server.c            libmicrohttpd: listening, TLS, body accumulation, answers sent
 *   router.c            the route table: path patterns, methods (405 with Allow), auth
 *   routes_*.c          the handlers: migrations, their views (events, log, lag,
 *                       tables), the service's own (healthz, metrics, names), the
 *                       nodes (list, drain, resume), the connection test
 *   spec_body.c         a create's (or a connection test's) body read into a spec
 *   table_fold.c        the tables' copy states folded from a migration's events
 *   routes_static.c     the monitoring page and its assets (embedded web/ files)
 *   routes_common.c     loading a migration for a handler (404), reading a JSON body
 *   node_view.c         a node's state (Up, Draining, Down, Stopped) and JSON; the
 *                       node running a migration
 *   auth.c, pool.c, answer.c, url.c, token.c   bearer check, store handles,
 *                       answers, %XX decoding, the token file
 */
#ifndef PGSHUTTLE_API_API_INTERNAL_H
#define PGSHUTTLE_API_API_INTERNAL_H

#include "api/api.h"
#include "model/migration.h"
#include "model/state.h"
#include "store/store.h"

#include <jansson.h>
#include <pthread.h>

/* ---- the server's shared context (pool.c) ----------------------------- */

#define API_POOL_MAX 8

struct api_ctx {
    char *state_dir;           /* owned */
    char *node;                /* owned: this node's name, NULL = unknown */
    struct store_config store; /* the config's (its strings the caller's); dir = state_dir */
    char *token;               /* owned */
    size_t max_body;
    struct api_conninfo_ops conninfo;
    api_connection_test_fn connection_test; /* NULL: POST /testConnection answers 501 */
    pthread_mutex_t pool_lock;              /* guards idle, nidle and tests_running */
    struct store *idle[API_POOL_MAX];
    size_t nidle;
    int tests_running; /* connection tests in flight (at most API_TESTS_MAX) */
};

/* Connection tests at once: each holds a server thread for up to its servers' connect_timeout. */
#define API_TESTS_MAX 2

/* An open store handle for this thread's request (from the pool or new); NULL with *error. */
struct store *api_store_take(struct api_ctx *ctx, char **error);
/* Gives st back to the pool (or closes it when the pool is full). NULL is ignored. */
void api_store_give(struct api_ctx *ctx, struct store *st);
/* Closes every idle handle. */
void api_store_pool_close(struct api_ctx *ctx);

/* ---- a request and its answer (answer.c) ------------------------------ */

#define API_MAX_PARAMS 2

struct api_request {
    const char *method;
    const char *path; /* decoded, without the query */
    const char *content_type;
    const char *authorization;
    const char *if_none_match; /* the If-None-Match header, or NULL */
    const char *body;          /* NUL-terminated; may hold NULs before body_len */
    size_t body_len;
    /* the query's value for key, or NULL */
    const char *(*query)(const struct api_request *req, const char *key);
    void *conn;                   /* the server's connection, for query */
    char *params[API_MAX_PARAMS]; /* owned: the path's {captures} */
};

struct api_answer {
    unsigned status;
    char *body;               /* owned */
    const char *content_type; /* static */
    char *allow;              /* owned or NULL: the Allow header of a 405 */
    char *location;           /* owned or NULL: the Location header of a 201 */
    bool www_authenticate;    /* 401: WWW-Authenticate: Bearer */
    /* a static file (routes_static.c): served instead of body, not freed */
    const unsigned char *file;
    size_t file_len;
    const char *etag;          /* static or NULL: the ETag header */
    const char *cache_control; /* static or NULL: instead of no-store */
    bool page_headers;         /* the page's security headers (CSP and others) */
};

void api_answer_free(struct api_answer *a);
/* Sets the answer to doc's text (doc released). */
void api_answer_json(struct api_answer *a, unsigned status, json_t *doc);
/* Sets the answer to {"error":{code, message, target}}; message must hold no secret. */
void api_answer_error(struct api_answer *a, unsigned status, const char *code, const char *message,
                      const char *target);
/* A 400 InvalidField naming target (the message must hold no secret). */
void api_answer_invalid(struct api_answer *a, const char *message, const char *target);
/* wall (seconds since the epoch) as "2026-12-07T09:00:00Z", or null when 0 (a new value). */
json_t *api_time_json(double wall);
/* Sets a text/plain answer (text owned by a afterwards). */
void api_answer_text(struct api_answer *a, unsigned status, char *text, const char *content_type);

/* ---- url.c ------------------------------------------------------------ */

/*
 * The text s[0..n) with %XX escapes decoded (and '+' as a space when
 * plus_is_space, for query values), or NULL when an escape is malformed or
 * decodes to NUL. Caller frees.
 */
char *api_url_decode(const char *s, size_t n, bool plus_is_space);

/* ---- auth.c ----------------------------------------------------------- */

/* true if header is "Bearer TOKEN" with TOKEN equal to token (constant time in the token). */
bool api_auth_ok(const char *header, const char *token);

/* ---- routes_common.c -------------------------------------------------- */

/* A migration as the handlers see it: the store's row with its spec and state read. */
struct api_migration {
    struct store_migration row;
    struct migration_spec spec;   /* with secrets: never serve it unmasked */
    struct migration_state state; /* meaningful when has_state */
    bool has_state;
};

/*
 * Loads migration name into m. false with the answer set (404 when there is
 * none, 500 when the store or the stored JSON fails).
 */
bool api_migration_load(struct store *st, const char *name, struct api_migration *m,
                        struct api_answer *a);
/*
 * Takes a store handle and loads into m the migration the path names
 * (req->params[0]): the handle, which the caller gives back, or NULL with
 * the answer set (nothing to free).
 */
struct store *api_migration_open(struct api_ctx *ctx, const struct api_request *req,
                                 struct api_migration *m, struct api_answer *a);
/* The same from a row already read, which m takes over (row is zeroed). */
bool api_migration_read(struct store_migration *row, struct api_migration *m, struct api_answer *a);
void api_migration_free(struct api_migration *m);
/*
 * The resource of m (masked through ctx's conninfo ops), a new object, with
 * properties.node: the node running it now (api_migration_node), or null.
 */
json_t *api_migration_resource(struct api_ctx *ctx, const struct api_migration *m);
/* A 500 for a failed store call (the store's message; it holds no secret). */
void api_answer_store_error(struct api_answer *a, char *error);
/*
 * The body as a JSON object (duplicate keys refused). false with the answer
 * set: 415 unless Content-Type is application/json, 400 for bad JSON (without
 * jansson's quote of the text, which may hold a password).
 */
bool api_body_json(const struct api_request *req, json_t **doc, struct api_answer *a);

/* ---- node_view.c ------------------------------------------------------ */

enum api_node_state { API_NODE_UP, API_NODE_DRAINING, API_NODE_DOWN, API_NODE_STOPPED };

/* "Up", "Draining", "Down", "Stopped" (docs/API.md). */
const char *api_node_state_name(enum api_node_state s);
/*
 * n's state at now (wall clock): Stopped after a clean stop, else Down when
 * its heartbeat is older than API_NODE_DOWN_AFTER, else Draining or Up.
 */
enum api_node_state api_node_state(const struct store_node *n, double now);
/* Seconds since n's last heartbeat at now (0 when the heartbeat is ahead of now). */
double api_node_heartbeat_age(const struct store_node *n, double now);
/*
 * The node running m at now: its lease's node while the lease is live, else
 * NULL (no lease, or it ran out: the migration waits for a node's claim).
 * Borrowed from m.
 */
const char *api_migration_node(const struct store_migration *m, double now);
/*
 * The node resource (docs/API.md) as a new object; its "migrations" are the
 * names of those of ms[0..n) it runs at now.
 */
json_t *api_node_to_json(const struct store_node *node, const struct store_migration *ms, size_t n,
                         double now);

/* ---- spec_body.c ------------------------------------------------------ */

/*
 * Reads the body of a create into spec (the caller frees it): properties
 * and secretParameters, strict, the passwords added to the connection
 * strings, which must parse. name is the path's (the body may repeat it),
 * or NULL for a connection test, which also may name no database
 * (databases_optional). false with a 400, 413 or 415 answer set and spec
 * untouched.
 */
bool api_spec_body_read(struct api_ctx *ctx, const struct api_request *req, const char *name,
                        bool databases_optional, struct migration_spec *spec, struct api_answer *a);

/* ---- table_fold.c ----------------------------------------------------- */

/*
 * Every table the events evs[0..n) (oldest first) name, in its latest copy
 * state, as a new JSON array of {"database", "table", "state" (queued,
 * copying, copied or failed), "rows", "bytes", "seconds", "startedOn",
 * "endedOn", "message", "sqlstate"} (null where not known); only_db: that
 * database's tables only (NULL: all).
 */
json_t *api_table_states(const struct store_event *evs, size_t n, const char *only_db);

/* ---- the handlers (routes_migrations.c, routes_views.c, routes_service.c,
 *      routes_nodes.c, routes_connection_test.c) */

typedef void (*api_handler)(struct api_ctx *ctx, const struct api_request *req,
                            struct api_answer *a);

void api_route_list(struct api_ctx *ctx, const struct api_request *req, struct api_answer *a);
void api_route_create(struct api_ctx *ctx, const struct api_request *req, struct api_answer *a);
void api_route_get(struct api_ctx *ctx, const struct api_request *req, struct api_answer *a);
void api_route_patch(struct api_ctx *ctx, const struct api_request *req, struct api_answer *a);
void api_route_delete(struct api_ctx *ctx, const struct api_request *req, struct api_answer *a);
void api_route_events(struct api_ctx *ctx, const struct api_request *req, struct api_answer *a);
void api_route_log(struct api_ctx *ctx, const struct api_request *req, struct api_answer *a);
void api_route_lag(struct api_ctx *ctx, const struct api_request *req, struct api_answer *a);
void api_route_tables(struct api_ctx *ctx, const struct api_request *req, struct api_answer *a);
void api_route_name_check(struct api_ctx *ctx, const struct api_request *req, struct api_answer *a);
void api_route_healthz(struct api_ctx *ctx, const struct api_request *req, struct api_answer *a);
void api_route_metrics(struct api_ctx *ctx, const struct api_request *req, struct api_answer *a);
void api_route_nodes(struct api_ctx *ctx, const struct api_request *req, struct api_answer *a);
void api_route_node(struct api_ctx *ctx, const struct api_request *req, struct api_answer *a);
void api_route_node_drain(struct api_ctx *ctx, const struct api_request *req, struct api_answer *a);
void api_route_node_resume(struct api_ctx *ctx, const struct api_request *req,
                           struct api_answer *a);
void api_route_test_connection(struct api_ctx *ctx, const struct api_request *req,
                               struct api_answer *a);
void api_route_page(struct api_ctx *ctx, const struct api_request *req, struct api_answer *a);
void api_route_asset(struct api_ctx *ctx, const struct api_request *req, struct api_answer *a);

/* ---- router.c --------------------------------------------------------- */

/* Answers req (routing, auth, 404, 405); req->params are filled and freed by the caller. */
void api_dispatch(struct api_ctx *ctx, struct api_request *req, struct api_answer *a);

#endif
