/*
 * Unit tests: the monitoring page's routes (src/api/routes_static.c) on a
 * real API server (127.0.0.1, ephemeral port): / and /assets/NAME answer
 * the embedded files byte for byte without a token, with their content type,
 * ETag (304 for a matching If-None-Match, 200 for another), Cache-Control
 * and security headers; HEAD; an unknown asset is 404; the API's routes
 * still want the token.
 */
#define _GNU_SOURCE
#include "api_http.h"
#include "web_embedded.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static char dir[] = "/tmp/pgshuttle-test-static-XXXXXX";

/* The value of header name in r (a static copy), or "" when absent. */
static const char *header(const struct reply *r, const char *name)
{
    static char value[1024];
    value[0] = '\0';
    size_t n = strlen(name);
    for (const char *line = sb_str(&r->headers); line && *line;) {
        const char *end = strstr(line, "\r\n");
        size_t len = end ? (size_t) (end - line) : strlen(line);
        if (len > n + 1 && strncasecmp(line, name, n) == 0 && line[n] == ':') {
            const char *v = line + n + 1;
            while (*v == ' ')
                v++;
            snprintf(value, sizeof(value), "%.*s", (int) (len - (size_t) (v - line)), v);
            break;
        }
        line = end ? end + 2 : NULL;
    }
    return value;
}

static int start(void **state)
{
    api_test_start(dir, NULL);
    return 0;
}

static int stop(void **state)
{
    return api_test_stop(dir);
}

/* Every embedded file, byte for byte, with its headers; the page's address is index.html. */
static void test_files(void **state)
{
    assert_true(web_files_count >= 5);
    for (size_t i = 0; i < web_files_count; i++) {
        const struct web_file *f = &web_files[i];
        char path[256];
        snprintf(path, sizeof(path), "/assets/%s", f->name);
        struct reply r = call_header("GET", path, NULL);
        assert_int_equal(r.status, 200);
        assert_int_equal(r.body.len, f->len);
        assert_memory_equal(sb_str(&r.body), f->data, f->len);
        assert_string_equal(header(&r, "Content-Type"), f->content_type);
        assert_string_equal(header(&r, "ETag"), f->etag);
        assert_string_equal(header(&r, "Cache-Control"), "no-cache");
        assert_non_null(strstr(header(&r, "Content-Security-Policy"), "default-src 'self'"));
        assert_null(strstr(header(&r, "Content-Security-Policy"), "unsafe-inline"));
        assert_string_equal(header(&r, "X-Content-Type-Options"), "nosniff");
        assert_string_equal(header(&r, "Referrer-Policy"), "no-referrer");
        assert_string_equal(header(&r, "X-Frame-Options"), "DENY");
        reply_free(&r);
    }
    const struct web_file *index = web_file_find("index.html");
    assert_non_null(index);
    struct reply r = call_header("GET", "/", NULL);
    assert_int_equal(r.status, 200);
    assert_int_equal(r.body.len, index->len);
    assert_non_null(strstr(sb_str(&r.body), "assets/app.js"));
    assert_string_equal(header(&r, "Content-Type"), "text/html; charset=utf-8");
    reply_free(&r);
    /* the JavaScript and the CSS are text of their kind */
    assert_string_equal(web_file_find("app.js")->content_type, "text/javascript; charset=utf-8");
    assert_string_equal(web_file_find("uPlot.min.css")->content_type, "text/css; charset=utf-8");
}

/* ETag: 304 without a body for a matching If-None-Match (alone or in a list), 200 otherwise. */
static void test_etag(void **state)
{
    const struct web_file *js = web_file_find("app.js");
    char line[256];
    snprintf(line, sizeof(line), "If-None-Match: %s", js->etag);
    struct reply r = call_header("GET", "/assets/app.js", line);
    assert_int_equal(r.status, 304);
    assert_int_equal(r.body.len, 0);
    assert_string_equal(header(&r, "ETag"), js->etag);
    reply_free(&r);
    snprintf(line, sizeof(line), "If-None-Match: \"other\", %s", js->etag);
    r = call_header("GET", "/assets/app.js", line);
    assert_int_equal(r.status, 304);
    reply_free(&r);
    r = call_header("GET", "/assets/app.js", "If-None-Match: \"not-it\"");
    assert_int_equal(r.status, 200);
    assert_int_equal(r.body.len, js->len);
    reply_free(&r);
    /* another file's tag does not match this one */
    snprintf(line, sizeof(line), "If-None-Match: %s", web_file_find("app.css")->etag);
    r = call_header("GET", "/", line);
    assert_int_equal(r.status, 200);
    reply_free(&r);
    /* the tags differ between files */
    assert_string_not_equal(js->etag, web_file_find("app.css")->etag);
}

/* HEAD: the headers without the body; 404 for unknown names; the API still wants its token. */
static void test_head_404_and_token(void **state)
{
    struct reply r = call_header("HEAD", "/", NULL);
    assert_int_equal(r.status, 200);
    assert_int_equal(r.body.len, 0);
    assert_string_equal(header(&r, "ETag"), web_file_find("index.html")->etag);
    reply_free(&r);
    const char *missing[] = {"/assets/nope.js", "/assets/..%2Fpgshuttle.db", "/assets/.."};
    for (size_t i = 0; i < sizeof(missing) / sizeof(missing[0]); i++) {
        r = call_header("GET", missing[i], NULL);
        if (r.status != 404)
            fail_msg("GET %s: %ld, not 404", missing[i], r.status);
        reply_free(&r);
    }
    /* other paths keep wanting the token, so that without it nothing tells which exist */
    const char *closed[] = {"/api/v1/migrations", "/index.html", "/assets/", "/assets/app.js/x"};
    for (size_t i = 0; i < sizeof(closed) / sizeof(closed[0]); i++) {
        r = call_header("GET", closed[i], NULL);
        if (r.status != 401)
            fail_msg("GET %s: %ld, not 401", closed[i], r.status);
        reply_free(&r);
    }
    r = call_header("GET", "/api/v1/migrations", NULL);
    assert_int_equal(r.status, 401);
    reply_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_files),
        cmocka_unit_test(test_etag),
        cmocka_unit_test(test_head_404_and_token),
    };
    return cmocka_run_group_tests(tests, start, stop);
}
