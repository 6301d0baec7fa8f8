/*
 * node_seed — registers a node of the service in a state directory's store
 * (through src/store's interface, as serve's supervisor will), so that the
 * browser tests' page has nodes to list, drain and resume while a single
 * serve runs.
 *
 *   node_seed STATE_DIR NAME ADDRESS CAPACITY up|stopped|beating
 *
 * up: registered, beating once (Down 10 s later); stopped: registered then
 * stopped cleanly; beating: registered, then a heartbeat every second until
 * killed (SIGTERM), as a live node (ADDRESS "-" for none).
 */
#include "store/store.h"
#include "util/timeutil.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
    stop = sig;
}

static int failed(const char *what, char *error)
{
    fprintf(stderr, "node_seed: %s: %s\n", what, error ? error : "?");
    free(error);
    return 1;
}

/* A heartbeat every second until SIGTERM or SIGINT. */
static int beat(struct store *st, const char *name)
{
    signal(SIGTERM, on_term);
    signal(SIGINT, on_term);
    while (!stop) {
        char *error = NULL;
        if (store_node_heartbeat(st, name, 0, &error) != STORE_OK)
            return failed("heartbeat", error);
        time_sleep(1.0);
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 6 || (strcmp(argv[5], "up") != 0 && strcmp(argv[5], "stopped") != 0 &&
                      strcmp(argv[5], "beating") != 0)) {
        fprintf(stderr, "usage: node_seed STATE_DIR NAME ADDRESS CAPACITY up|stopped|beating\n");
        return 64;
    }
    char *error = NULL;
    struct store *st = store_open(argv[1], &error);
    if (st == NULL)
        return failed("store_open", error);
    struct store_node n = {.name = argv[2],
                           .address = strcmp(argv[3], "-") == 0 ? NULL : argv[3],
                           .capacity = atoi(argv[4]),
                           .pid = getpid(),
                           .version = PGSHUTTLE_VERSION};
    int rc = 0;
    if (store_node_register(st, &n, &error) != STORE_OK)
        rc = failed("register", error);
    else if (strcmp(argv[5], "stopped") == 0 && store_node_stop(st, n.name, &error) != STORE_OK)
        rc = failed("stop", error);
    else if (strcmp(argv[5], "beating") == 0)
        rc = beat(st, n.name);
    store_close(st);
    return rc;
}
