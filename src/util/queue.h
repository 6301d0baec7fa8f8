/*
 * queue.h — a blocking FIFO of pointers between threads.
 *
 * Producers push; consumers pop and block while it is empty. Closing wakes
 * every consumer: pop then drains what is left and returns NULL.
 */
#ifndef PGSHUTTLE_UTIL_QUEUE_H
#define PGSHUTTLE_UTIL_QUEUE_H

#include <stdbool.h>
#include <stddef.h>

typedef struct wqueue wqueue;

wqueue *wq_create(void);
/* Frees the queue (not the items still in it). */
void wq_destroy(wqueue *q);
void wq_push(wqueue *q, void *item);
/* Blocks until an item is there (returns it) or the queue is closed and empty (NULL). */
void *wq_pop(wqueue *q);
void wq_close(wqueue *q);
size_t wq_length(wqueue *q);

#endif
