/*
 * node.c — this node in the store (docs/NODES.md, Nodes): its row
 * (name, address, capacity, pid, version), registered at start, its
 * heartbeat each round of the supervisor with the number of workers it
 * runs, whether someone asked it to drain, and its clean stop. A store that
 * does not answer is logged once per outage and tried again next round:
 * the node waits for it, its workers go on while their leases hold.
 */
#include "service/node.h"
#include "util/log.h"
#include "util/mem.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef PGSHUTTLE_VERSION
#define PGSHUTTLE_VERSION "unknown"
#endif

char *service_host_name(void)
{
    char host[HOST_NAME_MAX + 1];
    if (gethostname(host, sizeof(host)) != 0 || host[0] == '\0')
        snprintf(host, sizeof(host), "localhost");
    host[HOST_NAME_MAX] = '\0';
    return xstrdup(host);
}

/* Logs a store failure once until the store answers again. */
static void store_down(struct node_self *self, const char *doing, char *err)
{
    if (!self->store_down)
        log_warn("%s: %s (the node goes on and tries again)", doing, err ? err : "no reason given");
    self->store_down = true;
    free(err);
}

static void store_up(struct node_self *self)
{
    if (self->store_down)
        log_notice("the store answers again");
    self->store_down = false;
}

bool node_register(struct node_self *self, struct store *st)
{
    struct store_node row = {
        .name = (char *) self->name,
        .address = (char *) self->address,
        .capacity = self->capacity,
        .pid = (int64_t) getpid(),
        .version = PGSHUTTLE_VERSION,
    };
    char *err = NULL;
    if (store_node_register(st, &row, &err) != STORE_OK) {
        store_down(self, "cannot register this node in the store", err);
        self->registered = false;
        return false;
    }
    store_up(self);
    if (!self->registered)
        log_info("node %s registered (capacity %d%s)", self->name, self->capacity,
                 self->capacity == 0 ? ": no limit" : "");
    self->registered = true;
    return true;
}

void node_heartbeat(struct node_self *self, struct store *st, int running)
{
    if (!self->registered && !node_register(self, st))
        return;
    char *err = NULL;
    enum store_rc rc = store_node_heartbeat(st, self->name, running, &err);
    if (rc == STORE_NOT_FOUND) {
        /* our row is gone (removed from the store by hand): register again */
        free(err);
        self->registered = false;
        node_register(self, st);
        return;
    }
    if (rc != STORE_OK) {
        store_down(self, "cannot write this node's heartbeat", err);
        return;
    }
    store_up(self);
    struct store_node me;
    memset(&me, 0, sizeof(me));
    if (store_node_get(st, self->name, &me, &err) != STORE_OK) {
        free(err);
        return;
    }
    if (me.draining != self->draining)
        log_notice(me.draining ? "node %s drains: it takes no new migration and hands its "
                                 "running ones over at a safe point"
                               : "node %s takes migrations again",
                   self->name);
    self->draining = me.draining;
    store_node_free(&me);
}

void node_stop(struct node_self *self, struct store *st)
{
    char *err = NULL;
    if (store_node_stop(st, self->name, &err) != STORE_OK) {
        log_warn("cannot record this node's stop in the store: %s", err ? err : "no reason given");
        free(err);
    }
}
