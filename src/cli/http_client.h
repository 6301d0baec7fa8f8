/*
 * http_client.h — the client commands' HTTP: one request with an optional
 * JSON body to `pgshuttle serve`, a bearer token, timeouts, and the status
 * and body of the answer. A small wrapper around libcurl; what the answer
 * means is the caller's (cli/client.c).
 */
#ifndef PGSHUTTLE_CLI_HTTP_CLIENT_H
#define PGSHUTTLE_CLI_HTTP_CLIENT_H

#include <stdbool.h>

/* How a request went, before looking at the answer's status. */
enum http_outcome {
    HTTP_ANSWERED = 0, /* the server answered: see status and body */
    HTTP_NO_SERVER, /* nothing answers at the URL (refused, unresolvable, unreachable, timeout) */
    HTTP_FAILED,    /* anything else (TLS, a malformed URL, ...) */
};

struct http_response {
    long status; /* the HTTP status when answered */
    char *body;  /* owned, never NULL once http_request() returned; "" when empty */
    char *error; /* owned: what went wrong when not answered (curl's words), else NULL */
};

/*
 * Sends method (GET, PUT, PATCH, DELETE) to base_url + path, with body (JSON
 * text, or NULL for none) and "Authorization: Bearer token" when token is
 * not NULL. connect_timeout and timeout are seconds. Fills *out (free with
 * http_response_free) and returns how it went.
 */
enum http_outcome http_request(const char *base_url, const char *method, const char *path,
                               const char *token, const char *body, double connect_timeout,
                               double timeout, struct http_response *out);

void http_response_free(struct http_response *r);

#endif
