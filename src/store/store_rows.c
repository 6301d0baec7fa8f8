/*
 * store_rows.c — what both backends and the front share about the rows the
 * store hands out: freeing them, and the words stored for request kinds.
 */
#include "store/internal.h"

#include <stdlib.h>
#include <string.h>

void store_migration_free(struct store_migration *m)
{
    if (m == NULL)
        return;
    free(m->name);
    free(m->spec_json);
    free(m->state_json);
    free(m->status);
    free(m->substatus);
    free(m->lease_owner);
    free(m->lease_node);
    *m = (struct store_migration){0};
}

void store_migration_list_free(struct store_migration *ms, size_t n)
{
    for (size_t i = 0; i < n; i++)
        store_migration_free(&ms[i]);
    free(ms);
}

void store_event_list_free(struct store_event *evs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(evs[i].kind);
        free(evs[i].json);
    }
    free(evs);
}

void store_request_list_free(struct store_request *rs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(rs[i].databases_json);
    free(rs);
}

void store_node_free(struct store_node *n)
{
    if (n == NULL)
        return;
    free(n->name);
    free(n->address);
    free(n->version);
    *n = (struct store_node){0};
}

void store_node_list_free(struct store_node *ns, size_t n)
{
    for (size_t i = 0; i < n; i++)
        store_node_free(&ns[i]);
    free(ns);
}

/* The words stored in requests.kind, by enum store_request_kind. */
static const char *const request_kinds[STORE_REQ_COUNT] = {
    [STORE_REQ_CUTOVER] = "cutover",
    [STORE_REQ_CANCEL] = "cancel",
    [STORE_REQ_OVERWRITE] = "overwrite",
    [STORE_REQ_DELETE] = "delete",
};

const char *store__request_word(enum store_request_kind k)
{
    return ((int) k >= 0 && k < STORE_REQ_COUNT) ? request_kinds[k] : NULL;
}

bool store__request_kind_parse(const char *word, enum store_request_kind *out)
{
    for (int k = 0; word != NULL && k < STORE_REQ_COUNT; k++) {
        if (strcmp(word, request_kinds[k]) == 0) {
            *out = (enum store_request_kind) k;
            return true;
        }
    }
    return false;
}

void store__give_error(char **error, char *text)
{
    if (error != NULL) {
        free(*error);
        *error = text;
    } else {
        free(text);
    }
}
