/* queue.c — blocking FIFO between threads (see queue.h). */
#include "util/queue.h"
#include "util/mem.h"

#include <pthread.h>
#include <stdlib.h>

struct wq_node {
    void *item;
    struct wq_node *next;
};

struct wqueue {
    pthread_mutex_t lock;
    pthread_cond_t nonempty;
    struct wq_node *head, *tail;
    size_t length;
    bool closed;
};

wqueue *wq_create(void)
{
    wqueue *q = xcalloc(1, sizeof(*q));
    pthread_mutex_init(&q->lock, NULL);
    pthread_cond_init(&q->nonempty, NULL);
    return q;
}

void wq_destroy(wqueue *q)
{
    if (q == NULL)
        return;
    struct wq_node *n = q->head;
    while (n) {
        struct wq_node *next = n->next;
        free(n);
        n = next;
    }
    pthread_mutex_destroy(&q->lock);
    pthread_cond_destroy(&q->nonempty);
    free(q);
}

void wq_push(wqueue *q, void *item)
{
    struct wq_node *n = xmalloc(sizeof(*n));
    n->item = item;
    n->next = NULL;
    pthread_mutex_lock(&q->lock);
    if (q->tail)
        q->tail->next = n;
    else
        q->head = n;
    q->tail = n;
    q->length++;
    pthread_cond_signal(&q->nonempty);
    pthread_mutex_unlock(&q->lock);
}

void *wq_pop(wqueue *q)
{
    pthread_mutex_lock(&q->lock);
    while (q->head == NULL && !q->closed)
        pthread_cond_wait(&q->nonempty, &q->lock);
    void *item = NULL;
    struct wq_node *n = q->head;
    if (n) {
        q->head = n->next;
        if (q->head == NULL)
            q->tail = NULL;
        q->length--;
        item = n->item;
    }
    pthread_mutex_unlock(&q->lock);
    free(n);
    return item;
}

void wq_close(wqueue *q)
{
    pthread_mutex_lock(&q->lock);
    q->closed = true;
    pthread_cond_broadcast(&q->nonempty);
    pthread_mutex_unlock(&q->lock);
}

size_t wq_length(wqueue *q)
{
    pthread_mutex_lock(&q->lock);
    size_t n = q->length;
    pthread_mutex_unlock(&q->lock);
    return n;
}
