/* check.c — validation check results (see check.h). */
#include "model/check.h"
#include "util/mem.h"

#include <stdlib.h>
#include <string.h>

void check_results_add(struct check_results *r, const char *scope, const char *name,
                       enum check_status status, double started, double seconds,
                       const char *message, const char *remediation)
{
    if (r->n == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 16;
        r->items = xrealloc(r->items, r->cap * sizeof(struct check_result));
    }
    struct check_result *c = &r->items[r->n++];
    c->scope = xstrdup(scope ? scope : "instance");
    c->name = xstrdup(name);
    c->status = status;
    c->started = started > 0 ? started : 0;
    c->seconds = seconds;
    c->message = xstrdup(message ? message : "");
    c->remediation = remediation && remediation[0] ? xstrdup(remediation) : NULL;
}

enum check_status check_results_worst(const struct check_results *r)
{
    enum check_status worst = CHECK_SUCCEEDED;
    for (size_t i = 0; i < r->n; i++)
        if (r->items[i].status > worst)
            worst = r->items[i].status;
    return worst;
}

size_t check_results_count(const struct check_results *r, enum check_status status)
{
    size_t n = 0;
    for (size_t i = 0; i < r->n; i++)
        if (r->items[i].status == status)
            n++;
    return n;
}

void check_results_free(struct check_results *r)
{
    for (size_t i = 0; i < r->n; i++) {
        free(r->items[i].scope);
        free(r->items[i].name);
        free(r->items[i].message);
        free(r->items[i].remediation);
    }
    free(r->items);
    memset(r, 0, sizeof(*r));
}
