/*
 * api_http.h — what the API's unit tests (test_api.c, test_api_nodes.c)
 * share: the token and password they use, the fake conninfo functions their
 * servers start with, a create's body, and an HTTP client on libcurl whose
 * answers are all kept in `everything` (a test then checks that none held
 * the password). The calls go to `srv`, which each test program starts.
 */
#ifndef PGSHUTTLE_TESTS_UNIT_API_HTTP_H
#define PGSHUTTLE_TESTS_UNIT_API_HTTP_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "api/api.h"
#include "store/store.h"
#include "util/buf.h"

#include <jansson.h>
#include <stdbool.h>

#define TOKEN    "test-token-0123456789"
#define PASSWORD "Pa55-w0rd-zebra"

/* A create's body (PUT /api/v1/migrations/NAME) with extra properties (",\"k\":v" or ""). */
#define CREATE_BODY(extra)                                                                         \
    "{\"properties\":{\"sourceServer\":\"host=old-db user=admin password=" PASSWORD "\","          \
    "\"targetServer\":\"host=new-db user=admin\",\"dbsToMigrate\":[\"sales\",\"inventory\"]" extra \
    "},\"secretParameters\":{\"adminCredentials\":{\"targetServerPassword\":\"" PASSWORD "\"}}}"

extern struct api_server *srv; /* where the calls go */
extern strbuf everything;      /* every answer's headers and body */

/*
 * Makes the directory dir (a mkdtemp template, filled in) and starts srv
 * there on 127.0.0.1 (an ephemeral port) with TOKEN, the fake conninfo ops
 * and connection_test (NULL: none). Fails the test when it cannot.
 */
void api_test_start(char *dir, api_connection_test_fn connection_test);
/* Stops srv and removes dir; 0, or -1 when dir could not be removed. */
int api_test_stop(const char *dir);
/* A store handle of its own on dir (the test closes it). */
struct store *api_test_store(const char *dir);

/* The conninfo ops of a test server (the real ones are the pg layer's). */
char *fake_mask(const char *conninfo);
bool fake_check(const char *conninfo, char **error);
char *fake_with_password(const char *conninfo, const char *password);

struct reply {
    long status;
    strbuf body;
    strbuf headers;
};

/* A libcurl write function appending to the strbuf ctx. */
size_t collect(char *data, size_t size, size_t n, void *ctx);
/* Sends a request to srv; token NULL sends none, type NULL no Content-Type. */
struct reply call_n(const char *method, const char *path, const char *token, const char *type,
                    const char *body, size_t body_len);
/* A request with no token and no body, with header ("Name: value", or NULL) as it is. */
struct reply call_header(const char *method, const char *path, const char *header);
/* The same with TOKEN, and a JSON body when body is not NULL. */
struct reply call(const char *method, const char *path, const char *body);
void reply_free(struct reply *r);
/* Asserts the status, printing the body when it differs. */
void expect_status(const struct reply *r, long status);
/* The JSON body (the caller json_decref()s it). */
json_t *body_json(const struct reply *r);
/* The request is refused with status and an error object whose message holds needle. */
void expect_error(struct reply r, long status, const char *needle);

#endif
