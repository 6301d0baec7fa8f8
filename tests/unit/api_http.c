/*
 * api_http.c — what the API's unit tests share (api_http.h): the fake
 * conninfo functions a server is started with, its start and stop, and an
 * HTTP client (libcurl) that records every answer, so that a test can check
 * that none of them ever held the password.
 */
#define _GNU_SOURCE
#include "api_http.h"

#include "util/mem.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct api_server *srv;
strbuf everything = STRBUF_INIT;

/* ---- fake conninfo functions (the real ones are the pg layer's) ---------- */

/* "password=" up to the next space becomes "*****". */
char *fake_mask(const char *conninfo)
{
    strbuf sb = STRBUF_INIT;
    const char *p = conninfo;
    const char *at;
    while ((at = strstr(p, "password=")) != NULL) {
        sb_appendn(&sb, p, (size_t) (at - p));
        sb_append(&sb, "password=*****");
        p = at + strlen("password=");
        p += strcspn(p, " ");
    }
    sb_append(&sb, p);
    return sb_steal(&sb);
}

/* Parses when it has "host=" and no quote; the message does not quote it. */
bool fake_check(const char *conninfo, char **error)
{
    if (strstr(conninfo, "host=") && !strchr(conninfo, '\'')) {
        return true;
    }
    *error = strdup("missing \"=\" after a keyword");
    return false;
}

char *fake_with_password(const char *conninfo, const char *password)
{
    char *out = NULL;
    if (asprintf(&out, "%s password=%s", conninfo, password) < 0)
        return NULL;
    return out;
}

/* ---- the server ---------------------------------------------------------- */

void api_test_start(char *dir, api_connection_test_fn connection_test)
{
    assert_non_null(mkdtemp(dir));
    curl_global_init(CURL_GLOBAL_DEFAULT);
    struct api_config cfg = {.listen = "127.0.0.1:0",
                             .state_dir = dir,
                             .token = TOKEN,
                             .conninfo = {fake_mask, fake_check, fake_with_password},
                             .connection_test = connection_test};
    char *error = NULL;
    srv = api_start(&cfg, &error);
    if (srv == NULL)
        fail_msg("api_start: %s", error);
    assert_true(api_port(srv) > 0);
}

int api_test_stop(const char *dir)
{
    api_stop(srv);
    curl_global_cleanup();
    sb_free(&everything);
    char cmd[256];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

struct store *api_test_store(const char *dir)
{
    char *error = NULL;
    struct store *st = store_open(dir, &error);
    if (st == NULL)
        fail_msg("store_open: %s", error);
    return st;
}

/* ---- an HTTP client ------------------------------------------------------ */

size_t collect(char *data, size_t size, size_t n, void *ctx)
{
    sb_appendn(ctx, data, size * n);
    return size * n;
}

/*
 * Sends method path to srv with the headers h (taken over: freed here) and
 * body (or NULL); HEAD asks for no body. Every answer is added to everything.
 */
static struct reply perform(const char *method, const char *path, struct curl_slist *h,
                            const char *body, size_t body_len)
{
    struct reply r = {0};
    CURL *c = curl_easy_init();
    assert_non_null(c);
    /* any length: a test of a very long path must send all of it */
    char *url = xasprintf("http://127.0.0.1:%d%s", api_port(srv), path);
    curl_easy_setopt(c, CURLOPT_URL, url);
    if (strcmp(method, "HEAD") == 0)
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    else
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_PATH_AS_IS, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 20L);
    if (body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t) body_len);
    }
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &r.body);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &r.headers);
    CURLcode rc = curl_easy_perform(c);
    if (rc != CURLE_OK)
        fail_msg("%s %s: %s", method, path, curl_easy_strerror(rc));
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    free(url);
    sb_append(&everything, sb_str(&r.headers));
    sb_append(&everything, sb_str(&r.body));
    return r;
}

struct reply call_n(const char *method, const char *path, const char *token, const char *type,
                    const char *body, size_t body_len)
{
    struct curl_slist *h = NULL;
    char line[256];
    if (token) {
        snprintf(line, sizeof(line), "Authorization: Bearer %s", token);
        h = curl_slist_append(h, line);
    }
    snprintf(line, sizeof(line), "Content-Type: %s", type ? type : "");
    h = curl_slist_append(h, type ? line : "Content-Type:");
    return perform(method, path, h, body, body_len);
}

struct reply call_header(const char *method, const char *path, const char *header)
{
    return perform(method, path, header ? curl_slist_append(NULL, header) : NULL, NULL, 0);
}

struct reply call(const char *method, const char *path, const char *body)
{
    return call_n(method, path, TOKEN, body ? "application/json" : NULL, body,
                  body ? strlen(body) : 0);
}

void reply_free(struct reply *r)
{
    sb_free(&r->body);
    sb_free(&r->headers);
}

/* Asserts the status, printing the body when it differs. */
void expect_status(const struct reply *r, long status)
{
    if (r->status != status)
        fail_msg("expected %ld, got %ld: %s", status, r->status, sb_str(&r->body));
}

/* The JSON body (the caller json_decref()s it). */
json_t *body_json(const struct reply *r)
{
    json_t *doc = json_loads(sb_str(&r->body), 0, NULL);
    if (doc == NULL)
        fail_msg("not JSON: %s", sb_str(&r->body));
    return doc;
}

/* The request is refused with status and an error object whose message holds needle. */
void expect_error(struct reply r, long status, const char *needle)
{
    expect_status(&r, status);
    json_t *doc = body_json(&r);
    json_t *err = json_object_get(doc, "error");
    assert_non_null(err);
    assert_non_null(json_object_get(err, "code"));
    const char *msg = json_string_value(json_object_get(err, "message"));
    assert_non_null(msg);
    if (needle && strstr(msg, needle) == NULL)
        fail_msg("\"%s\" not in \"%s\"", needle, msg);
    json_decref(doc);
    reply_free(&r);
}
