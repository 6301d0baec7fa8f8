/*
 * node.h — this node's row in the store, for the supervisor (node.c).
 */
#ifndef PGSHUTTLE_SERVICE_NODE_H
#define PGSHUTTLE_SERVICE_NODE_H

#include "store/store.h"

#include <stdbool.h>

struct node_self {
    const char *name;    /* the caller's */
    const char *address; /* the caller's; NULL = unknown */
    int capacity;        /* 0 = no limit */
    bool registered;
    bool draining;   /* as of the last heartbeat */
    bool store_down; /* the last call failed (logged once) */
};

/* Registers the node (a restart takes its earlier row's place); false if the store failed. */
bool node_register(struct node_self *self, struct store *st);
/* The heartbeat with the workers it runs; reads whether it drains into self->draining. */
void node_heartbeat(struct node_self *self, struct store *st, int running);
/* A clean stop, recorded (logged if the store fails). */
void node_stop(struct node_self *self, struct store *st);

#endif
