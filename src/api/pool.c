/*
 * pool.c — store handles for the request threads. A handle is used by one
 * thread at a time (store.h): a request takes one from the idle list (or
 * opens one) and gives it back when it answered; the list is guarded by a
 * mutex and holds at most API_POOL_MAX handles.
 */
#include "api/api_internal.h"

struct store *api_store_take(struct api_ctx *ctx, char **error)
{
    struct store *st = NULL;
    pthread_mutex_lock(&ctx->pool_lock);
    if (ctx->nidle > 0)
        st = ctx->idle[--ctx->nidle];
    pthread_mutex_unlock(&ctx->pool_lock);
    return st ? st : store_open_config(&ctx->store, error);
}

void api_store_give(struct api_ctx *ctx, struct store *st)
{
    if (st == NULL)
        return;
    pthread_mutex_lock(&ctx->pool_lock);
    if (ctx->nidle < API_POOL_MAX) {
        ctx->idle[ctx->nidle++] = st;
        st = NULL;
    }
    pthread_mutex_unlock(&ctx->pool_lock);
    if (st)
        store_close(st);
}

void api_store_pool_close(struct api_ctx *ctx)
{
    pthread_mutex_lock(&ctx->pool_lock);
    while (ctx->nidle > 0)
        store_close(ctx->idle[--ctx->nidle]);
    pthread_mutex_unlock(&ctx->pool_lock);
}
