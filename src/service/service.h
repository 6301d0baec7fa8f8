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

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

/* A worker's lease lasts this long; it renews it every SERVICE_LEASE_RENEW seconds. */
#define SERVICE_LEASE_TTL   15.0
#define SERVICE_LEASE_RENEW 3.0
/* The restart policy: more than this many restarts within the window → Failed. */
#define SERVICE_RESTART_MAX    5
#define SERVICE_RESTART_WINDOW 600.0

struct service_config {
    const char *state_dir;
    const char *exe;       /* this binary, to start workers with (/proc/self/exe) */
    int max_migrations;    /* workers running at once; 0 = no limit */
    double lease_ttl;      /* 0 = SERVICE_LEASE_TTL */
    int restart_max;       /* 0 = SERVICE_RESTART_MAX */
    double restart_window; /* 0 = SERVICE_RESTART_WINDOW */
};

/*
 * Runs the supervisor until *stop is set (by a signal handler); then stops
 * its workers cleanly (they resume at the next start). Returns an exit code.
 */
int service_supervise(const struct service_config *cfg, volatile sig_atomic_t *stop);

/* `pgshuttle worker`: runs migration id of the store in state_dir; returns an exit code. */
int service_worker_main(const char *state_dir, int64_t id);
/*
 * The lease's length for service_worker_main (serve passes its --lease-ttl
 * to its workers); it renews every fifth of it. 0 = SERVICE_LEASE_TTL.
 */
void service_worker_set_lease_ttl(double ttl);

#endif
