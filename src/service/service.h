/*
 * service.h — the supervisor inside `pgshuttle serve` and the worker that
 * runs one migration (docs/SERVICE.md).
 *
 * The supervisor keeps one `pgshuttle worker` process on every active
 * migration that has no live lease, restarts dead ones under a restart
 * policy, and re-adopts live workers after a restart of serve (a lease, not
 * a parent pid, says who owns a migration). The worker reads its spec
 * (secrets included) from the store by id, runs the engine with a sink that
 * writes status, progress and events to the store, renews its lease and
 * polls the store for the user's requests.
 */
#ifndef PGSHUTTLE_SERVICE_SERVICE_H
#define PGSHUTTLE_SERVICE_SERVICE_H

#include "store/store.h"

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

/* A worker's lease lasts this long; it renews it every SERVICE_LEASE_RENEW seconds. */
#define SERVICE_LEASE_TTL   15.0
#define SERVICE_LEASE_RENEW 3.0
/*
 * A node whose heartbeat is older than this loses its leases (another node
 * takes its migrations, even if its workers still run: its serve is gone).
 */
#define SERVICE_NODE_TIMEOUT 60.0
/* The restart policy: more than this many restarts within the window → Failed. */
#define SERVICE_RESTART_MAX    5
#define SERVICE_RESTART_WINDOW 600.0

struct service_config {
    const char *state_dir;            /* this node's own directory: the workers' logs */
    const struct store_config *store; /* the state store (SQLite in state_dir, or PostgreSQL) */
    const char *node;                 /* this node's name (unique among the store's nodes) */
    const char *address;              /* where this node's API answers, for the nodes view */
    const char *exe;                  /* this binary, to start workers with (/proc/self/exe) */
    int max_migrations;               /* workers running at once; 0 = no limit */
    double lease_ttl;                 /* 0 = SERVICE_LEASE_TTL */
    int restart_max;                  /* 0 = SERVICE_RESTART_MAX */
    double restart_window;            /* 0 = SERVICE_RESTART_WINDOW */
    double node_timeout;              /* 0 = SERVICE_NODE_TIMEOUT */
};

/*
 * Runs the supervisor until *stop is set (by a signal handler); then stops
 * its workers cleanly (they resume at the next start). Returns an exit code.
 */
int service_supervise(const struct service_config *cfg, volatile sig_atomic_t *stop);

/* What `pgshuttle worker` is given (none of it secret: the store URI comes in the environment). */
struct service_worker_args {
    const struct store_config *store;
    int64_t id;              /* the migration */
    const char *node;        /* the node that started it (NULL: this host's name) */
    const char *lease_owner; /* the lease the node claimed for it (NULL: take one) */
    int64_t lease_epoch;     /* with lease_owner: the epoch of that claim */
};

/* `pgshuttle worker`: runs one migration of the store; returns an exit code. */
int service_worker_main(const struct service_worker_args *args);
/* This host's name (for a node's default name); caller frees. */
char *service_host_name(void);
/*
 * The lease's length for service_worker_main (serve passes its --lease-ttl
 * to its workers); it renews every fifth of it. 0 = SERVICE_LEASE_TTL.
 */
void service_worker_set_lease_ttl(double ttl);

#endif
