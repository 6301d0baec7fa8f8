/*
 * pg_open.c — opening the PostgreSQL store: the key, the connection (libpq;
 * connect_timeout 10 unless the URI or PGCONNECT_TIMEOUT says otherwise,
 * fallback_application_name "pgshuttle store"), the search_path at the
 * store's schema, the schema upgrade and the key check; connecting again
 * after the connection broke; closing, the health probe, and the backend's
 * table of functions (store_ops) for the front.
 *
 * The store's description (store_path) is built from the connection
 * (PQuser, PQhost, PQport, PQdb), never from the URI given: that may hold
 * a password, and no error text repeats it.
 *
 * The key check: the setting "key_check" holds "pgshuttle" sealed with the
 * key of the first node that opened the store. A node with another key
 * file cannot open it, and is told so at once instead of failing at the
 * first spec it reads.
 */
#include "store/pg_internal.h"

#include "util/mem.h"

#include <stdlib.h>
#include <string.h>

#define KEY_CHECK_NAME    "key_check"
#define KEY_CHECK_PLAIN   "pgshuttle"
#define KEY_CHECK_CONTEXT "key-check"

static const struct store_ops pg_ops;

/* "postgresql://USER@HOST:PORT/DB schema NAME" (caller frees). */
static char *describe(PGconn *conn, const char *schema)
{
    const char *user = PQuser(conn), *host = PQhost(conn), *port = PQport(conn), *db = PQdb(conn);
    return xasprintf("postgresql://%s@%s:%s/%s schema %s", user ? user : "", host ? host : "",
                     port ? port : "", db ? db : "", schema);
}

/* "WHAT: " and the first line of the connection's error message (caller frees). */
static char *conn_failure(PGconn *conn, const char *what)
{
    const char *text = PQerrorMessage(conn);
    return xasprintf("%s: %.*s", what, (int) strcspn(text, "\n"), text);
}

/* The search_path: the store's schema only, so that the tables need no schema name. */
static bool set_search_path(struct store *st, char **error)
{
    struct pg_params p = {0};
    pg__param_text(&p, pg__be(st)->quoted_schema);
    return pg__run(st, "SELECT pg_catalog.set_config('search_path', $1, false)", &p,
                   "setting the search_path", NULL, error) == STORE_OK;
}

/*
 * A broken connection is made again, once per call; then the session's
 * settings again (until they are made, no call runs: its tables would be
 * looked for in another schema).
 */
static bool pg_ready(struct store *st, char **error)
{
    struct pg_store *pg = pg__be(st);
    if (PQstatus(pg->conn) != CONNECTION_OK) {
        pg->session_ready = false;
        PQreset(pg->conn);
        if (PQstatus(pg->conn) != CONNECTION_OK) {
            char *msg = conn_failure(pg->conn, "cannot connect");
            store__give_error(error, xasprintf("store: %s: %s", st->path, msg));
            free(msg);
            return false;
        }
    }
    if (!pg->session_ready)
        pg->session_ready = set_search_path(st, error);
    return pg->session_ready;
}

/* Server notices (CREATE SCHEMA IF NOT EXISTS's "skipping") are nobody's business. */
static void ignore_notice(void *arg, const char *message)
{
}

/* Opens connection info uri with the store's defaults under it (the URI's own win). */
static PGconn *connect_to(const char *uri)
{
    const char *keys[4], *values[4];
    int n = 0;
    keys[n] = "fallback_application_name";
    values[n++] = "pgshuttle store";
    const char *env_timeout = getenv("PGCONNECT_TIMEOUT");
    if (env_timeout == NULL || env_timeout[0] == '\0') {
        keys[n] = "connect_timeout";
        values[n++] = "10";
    }
    keys[n] = "dbname"; /* expanded: a URI or conninfo, its settings over those above */
    values[n++] = uri;
    keys[n] = NULL;
    values[n] = NULL;
    PGconn *conn = PQconnectdbParams(keys, values, 1);
    if (conn != NULL)
        PQsetNoticeProcessor(conn, ignore_notice, NULL);
    return conn;
}

/* The key check (see the header comment): false with *error. */
static bool check_key(struct store *st, const char *key_file, char **error)
{
    const char *doing = "checking the secret key";
    char *sealed = pg__seal(st, KEY_CHECK_PLAIN, KEY_CHECK_CONTEXT, doing, error);
    char *kept = NULL;
    if (sealed == NULL ||
        pg_setting_get_or_put(st, KEY_CHECK_NAME, sealed, false, &kept, error) != STORE_OK) {
        free(sealed);
        return false;
    }
    free(sealed);
    char *plain = NULL;
    char *why = NULL;
    bool ok = seal_open(&pg__be(st)->key, kept, KEY_CHECK_CONTEXT, &plain, &why) &&
              strcmp(plain, KEY_CHECK_PLAIN) == 0;
    if (!ok)
        store__give_error(error, xasprintf("store: %s: the secret key in %s is not the key this "
                                           "store's secrets were sealed with (every node needs "
                                           "the same key file)",
                                           st->path, key_file));
    free(why);
    free(plain);
    free(kept);
    return ok;
}

static void pg_close(struct store *st)
{
    struct pg_store *pg = st->be;
    if (pg != NULL) {
        PQfinish(pg->conn);
        free(pg->schema);
        PQfreemem(pg->quoted_schema);
        memset(&pg->key, 0, sizeof(pg->key));
        free(pg);
    }
    free(st->path);
    free(st);
}

struct store *pg_store_open(const struct store_config *cfg, char **error)
{
    if (cfg->secret_key_file == NULL || cfg->secret_key_file[0] == '\0') {
        store__give_error(error,
                          xstrdup("store: a PostgreSQL store keeps connection passwords sealed: "
                                  "give --secret-key-file FILE (64 hex digits, mode 0600; "
                                  "`pgshuttle secret-key FILE` makes one)"));
        return NULL;
    }
    struct store *st = xcalloc(1, sizeof(*st));
    struct pg_store *pg = xcalloc(1, sizeof(*pg));
    st->ops = &pg_ops;
    st->be = pg;
    pg->schema = xstrdup(cfg->schema != NULL && cfg->schema[0] != '\0' ? cfg->schema
                                                                       : STORE_PG_SCHEMA_DEFAULT);
    char *msg = NULL;
    if (!seal_key_load(cfg->secret_key_file, &pg->key, &msg)) {
        store__give_error(error, xasprintf("store: %s", msg));
        free(msg);
        pg_close(st);
        return NULL;
    }
    pg->conn = connect_to(cfg->uri);
    st->path = describe(pg->conn, pg->schema);
    if (PQstatus(pg->conn) != CONNECTION_OK)
        msg = conn_failure(pg->conn, "cannot connect");
    else if ((pg->quoted_schema = PQescapeIdentifier(pg->conn, pg->schema, strlen(pg->schema))) ==
             NULL)
        msg = conn_failure(pg->conn, "the schema's name");
    else if (pg_ready(st, error) && pg_schema_upgrade(st, &msg) &&
             check_key(st, cfg->secret_key_file, error))
        return st;
    if (msg != NULL) {
        store__give_error(error, xasprintf("store: %s: %s", st->path, msg));
        free(msg);
    }
    pg_close(st);
    return NULL;
}

static bool pg_ping(struct store *st, char **error)
{
    PGresult *r = pg__exec(st, "SELECT 1 FROM schema_version", NULL,
                           "checking that the store answers", NULL, error);
    PQclear(r);
    return r != NULL;
}

static const struct store_ops pg_ops = {
    .kind = "postgresql",
    .shared = true,
    .ready = pg_ready,
    .close = pg_close,
    .ping = pg_ping,
    .migration_create = pg_migration_create,
    .migration_get = pg_migration_get,
    .migration_get_id = pg_migration_get_id,
    .migration_list = pg_migration_list,
    .migration_delete = pg_migration_delete,
    .migration_set_state = pg_migration_set_state,
    .migration_set_spec = pg_migration_set_spec,
    .lease_acquire = pg_lease_acquire,
    .lease_claim = pg_lease_claim,
    .lease_renew = pg_lease_renew,
    .lease_release = pg_lease_release,
    .event_append = pg_event_append,
    .event_list = pg_event_list,
    .request_add = pg_request_add,
    .request_take = pg_request_take,
    .restart_record = pg_restart_record,
    .restart_count = pg_restart_count,
    .node_register = pg_node_register,
    .node_heartbeat = pg_node_heartbeat,
    .node_stop = pg_node_stop,
    .node_set_draining = pg_node_set_draining,
    .node_get = pg_node_get,
    .node_list = pg_node_list,
    .node_remove = pg_node_remove,
    .node_revoke_leases = pg_node_revoke_leases,
    .setting_get_or_put = pg_setting_get_or_put,
};
