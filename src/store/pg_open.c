/*
 * pg_open.c — opening the PostgreSQL store (not written yet).
 */
#include "store/internal.h"

#include "util/mem.h"

struct store *pg_store_open(const struct store_config *cfg, char **error)
{
    store__give_error(error, xstrdup("store: a PostgreSQL store is not supported yet"));
    return NULL;
}
