/*
 * internal.h — the store's front and its backends: the handle every public
 * function takes, and the table of a backend's functions it dispatches to.
 *
 * The public functions of store.h are the front's (store_front.c): each
 * passes its arguments to the handle's backend, SQLite (sqlite_*.c,
 * sqlite_internal.h) or PostgreSQL (pg_*.c, pg_internal.h). A backend
 * implements every function of struct store_ops with the meaning store.h
 * gives the public function of the same name.
 *
 * Order of the files (each uses only those below it, never the other way):
 * store_front.c (dispatch, open by config) uses sqlite_open.c and
 * pg_open.c (each a backend's open and its table of functions), which use
 * the rest of their backend; every file may use store_rows.c (freeing the
 * rows handed out, request kind words), which uses nothing of the store.
 */
#ifndef PGSHUTTLE_STORE_INTERNAL_H
#define PGSHUTTLE_STORE_INTERNAL_H

#include "store/store.h"

#include <stdbool.h>

/* A backend's functions: the public ones of store.h, by the same names. */
struct store_ops {
    const char *kind; /* store_kind() */
    bool shared;      /* store_is_shared() */
    /*
     * Called by the front before each call (NULL: nothing to do): a
     * backend whose connection broke connects again here, once per call;
     * false with *error when it cannot.
     */
    bool (*ready)(struct store *st, char **error);
    void (*close)(struct store *st);
    bool (*ping)(struct store *st, char **error);

    enum store_rc (*migration_create)(struct store *st, const char *name, const char *spec_json,
                                      double window_start, int64_t *id, char **error);
    enum store_rc (*migration_get)(struct store *st, const char *name, struct store_migration *out,
                                   char **error);
    enum store_rc (*migration_get_id)(struct store *st, int64_t id, struct store_migration *out,
                                      char **error);
    enum store_rc (*migration_list)(struct store *st, bool active_only,
                                    struct store_migration **out, size_t *n, char **error);
    enum store_rc (*migration_delete)(struct store *st, const char *name, char **error);
    enum store_rc (*migration_set_state)(struct store *st, int64_t id,
                                         const struct store_fence *fence, const char *state_json,
                                         const char *status, const char *substatus, bool active,
                                         char **error);
    enum store_rc (*migration_set_spec)(struct store *st, int64_t id, const char *spec_json,
                                        char **error);

    enum store_rc (*lease_acquire)(struct store *st, int64_t id, const char *owner, int64_t pid,
                                   const char *node, double ttl, int64_t *epoch, char **error);
    enum store_rc (*lease_claim)(struct store *st, const char *node, const char *owner, double ttl,
                                 size_t max, struct store_migration **out, size_t *n, char **error);
    enum store_rc (*lease_renew)(struct store *st, int64_t id, const struct store_fence *fence,
                                 double ttl, char **error);
    enum store_rc (*lease_release)(struct store *st, int64_t id, const struct store_fence *fence,
                                   char **error);

    enum store_rc (*event_append)(struct store *st, int64_t id, const struct store_fence *fence,
                                  double at, const char *kind, const char *json, char **error);
    enum store_rc (*event_list)(struct store *st, int64_t id, int64_t after_seq, size_t limit,
                                struct store_event **out, size_t *n, char **error);
    enum store_rc (*request_add)(struct store *st, int64_t id, enum store_request_kind kind,
                                 const char *databases_json, char **error);
    enum store_rc (*request_take)(struct store *st, int64_t id, const struct store_fence *fence,
                                  bool all, struct store_request **out, size_t *n, char **error);
    enum store_rc (*restart_record)(struct store *st, int64_t id, double at, const char *reason,
                                    char **error);
    enum store_rc (*restart_count)(struct store *st, int64_t id, double since, int *count,
                                   char **error);

    enum store_rc (*node_register)(struct store *st, const struct store_node *node, char **error);
    enum store_rc (*node_heartbeat)(struct store *st, const char *name, int running, char **error);
    enum store_rc (*node_stop)(struct store *st, const char *name, char **error);
    enum store_rc (*node_set_draining)(struct store *st, const char *name, bool draining,
                                       char **error);
    enum store_rc (*node_get)(struct store *st, const char *name, struct store_node *out,
                              char **error);
    enum store_rc (*node_list)(struct store *st, struct store_node **out, size_t *n, char **error);
    enum store_rc (*node_remove)(struct store *st, const char *name, char **error);
    enum store_rc (*node_revoke_leases)(struct store *st, const char *self, double before,
                                        int *revoked, char **error);

    enum store_rc (*setting_get_or_put)(struct store *st, const char *key, const char *value,
                                        bool secret, char **out, char **error);
};

struct store {
    const struct store_ops *ops;
    char *path;  /* owned: store_path() (never a password) */
    int version; /* the schema version once open */
    void *be;    /* owned by the backend: its connection and caches */
};

/* The word stored for each request kind, and back: false if word is none of them. */
const char *store__request_word(enum store_request_kind k);
bool store__request_kind_parse(const char *word, enum store_request_kind *out);

/* Hands text (owned) to the caller's *error (freeing what it held), or frees it if there is none.
 */
void store__give_error(char **error, char *text);

/* The backends' opens (sqlite_open.c, pg_open.c): NULL with *error set. */
struct store *sqlite_store_open(const char *dir, char **error);
struct store *pg_store_open(const struct store_config *cfg, char **error);

#endif
