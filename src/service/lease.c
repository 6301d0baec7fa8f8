/*
 * lease.c — the worker's lease (docs/SERVICE.md, Leases and restarts): its
 * owner name, and the thread that renews it every fifth of its length
 * (SERVICE_LEASE_RENEW of SERVICE_LEASE_TTL) on a store handle of its own, so that a slow state
 * write never delays a renewal. When the store says another owner holds it, or the lease ran out
 * without a renewal getting through, the worker stops at once.
 */
#include "service/internal.h"
#include "service/service.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/timeutil.h"

#include <fcntl.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

char *worker_lease_owner(const char *node)
{
    unsigned char rnd[8] = {0};
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd < 0 || read(fd, rnd, sizeof(rnd)) != (ssize_t) sizeof(rnd)) {
        /* no /dev/urandom: the pid and the clock still tell two holders apart */
        unsigned long long t = (unsigned long long) (time_wall() * 1e6) ^ (unsigned) getpid();
        for (size_t i = 0; i < sizeof(rnd); i++)
            rnd[i] = (unsigned char) (t >> (8 * i));
    }
    if (fd >= 0)
        close(fd);
    char hex[2 * sizeof(rnd) + 1];
    for (size_t i = 0; i < sizeof(rnd); i++)
        snprintf(hex + 2 * i, 3, "%02x", rnd[i]);
    return xasprintf("%s:%ld:%s", node, (long) getpid(), hex);
}

struct lease_thread {
    struct worker *w;
    struct store *st; /* owned: this thread's handle */
};

static void *renew_loop(void *arg)
{
    struct lease_thread *lt = arg;
    struct worker *w = lt->w;
    double last_ok = time_now();
    while (!atomic_load(&w->finished)) {
        /* in short naps, so that the worker's end need not wait for a whole period */
        double due = time_now() + w->lease_ttl / 5.0;
        while (!atomic_load(&w->finished) && time_now() < due)
            time_sleep(0.1);
        if (atomic_load(&w->finished))
            break;
        char *err = NULL;
        enum store_rc rc = store_lease_renew(lt->st, w->id, &w->fence, w->lease_ttl, &err);
        if (rc == STORE_OK) {
            last_ok = time_now();
            continue;
        }
        if (rc == STORE_CONFLICT || rc == STORE_NOT_FOUND)
            worker_lease_lost(rc == STORE_CONFLICT ? "another owner holds it, or it was revoked"
                                                   : "the migration is gone");
        log_warn("could not renew the lease: %s", err ? err : "no reason given");
        free(err);
        /* a lease we could not renew in time may be someone else's by now */
        if (time_now() - last_ok >= w->lease_ttl * 0.8)
            worker_lease_lost("not renewed in time");
    }
    store_close(lt->st);
    free(lt);
    return NULL;
}

bool worker_lease_start(struct worker *w, pthread_t *thread)
{
    char *err = NULL;
    struct store *st = store_open_config(w->store_cfg, &err);
    if (st == NULL) {
        log_error("cannot open the store for the lease: %s", err ? err : "no reason given");
        free(err);
        return false;
    }
    struct lease_thread *lt = xcalloc(1, sizeof(*lt));
    lt->w = w;
    lt->st = st;
    if (pthread_create(thread, NULL, renew_loop, lt) != 0) {
        log_error("cannot start the lease thread");
        store_close(st);
        free(lt);
        return false;
    }
    return true;
}
