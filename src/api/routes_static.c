/*
 * routes_static.c — the monitoring page: GET / answers index.html and
 * GET /assets/NAME the other embedded web/ files (web_embedded.c, generated
 * at build time). No token: the page holds no data, it asks the API for it
 * with the token the user gives. Each answer carries its strong ETag (a
 * matching If-None-Match is 304), "no-cache" (the browser revalidates, so a
 * new binary's page is never stale) and the page's security headers.
 */
#include "api/api_internal.h"
#include "web_embedded.h"

#include <string.h>

/* Whether the If-None-Match list holds etag (or is "*"). */
static bool etag_matches(const char *header, const char *etag)
{
    if (header == NULL)
        return false;
    if (strcmp(header, "*") == 0)
        return true;
    size_t n = strlen(etag);
    for (const char *p = strstr(header, etag); p; p = strstr(p + 1, etag)) {
        char after = p[n];
        bool starts = p == header || p[-1] == ' ' || p[-1] == ',' || p[-1] == '/';
        if (starts && (after == '\0' || after == ',' || after == ' '))
            return true;
    }
    return false;
}

static void serve_file(const struct api_request *req, struct api_answer *a, const char *name)
{
    const struct web_file *f = name ? web_file_find(name) : NULL;
    if (f == NULL) {
        api_answer_error(a, 404, "NotFound", "no such file", NULL);
        return;
    }
    a->etag = f->etag;
    a->cache_control = "no-cache";
    a->page_headers = true;
    if (etag_matches(req->if_none_match, f->etag)) {
        a->status = 304;
        a->content_type = f->content_type;
        return;
    }
    a->status = 200;
    a->content_type = f->content_type;
    a->file = f->data;
    a->file_len = f->len;
}

void api_route_page(struct api_ctx *ctx, const struct api_request *req, struct api_answer *a)
{
    serve_file(req, a, "index.html");
}

void api_route_asset(struct api_ctx *ctx, const struct api_request *req, struct api_answer *a)
{
    serve_file(req, a, req->params[0]);
}
