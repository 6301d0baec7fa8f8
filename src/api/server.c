/*
 * server.c — the HTTP server of the API (api.h) on libmicrohttpd: one
 * thread per connection (a handler that waits, such as a connection test
 * on a server that does not answer, holds up its own connection only),
 * listening on the configured HOST:PORT (IPv4, [IPv6] or a name), HTTPS
 * when PEM files are given, connections timed out after 30 s idle, at most
 * API_CONNECTION_LIMIT at once.
 *
 * A request's body is accumulated per connection up to max_body: a
 * Content-Length above it gets 413 before any of the body is read; a
 * chunked body that grows past it closes the connection (nothing more is
 * read, and no answer can be sent in the middle of an upload). The
 * complete request goes to the router; its answer is sent by one function
 * that sets the status, the content type and the headers.
 */
#include "api/api_internal.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/mem.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define API_CONNECTION_TIMEOUT 30 /* seconds */
#define API_CONNECTION_LIMIT   256
#define API_DEFAULT_MAX_BODY   (1u << 20)

struct api_server {
    struct MHD_Daemon *daemon;
    struct api_ctx ctx;
    int port;
    char *cert_pem; /* owned: the PEM files' contents */
    char *key_pem;
};

/* One request's state across the access handler's calls. */
struct conn_state {
    struct MHD_Connection *conn;
    strbuf body;
    strlist decoded; /* query values decoded for the handlers; freed with the state */
};

static const char *query_value(const struct api_request *req, const char *key)
{
    struct conn_state *cs = req->conn;
    const char *raw = MHD_lookup_connection_value(cs->conn, MHD_GET_ARGUMENT_KIND, key);
    if (raw == NULL)
        return NULL;
    char *value = api_url_decode(raw, strlen(raw), true);
    if (value == NULL)
        value = xstrdup(""); /* a malformed escape: an empty value the handler refuses */
    sl_push_owned(&cs->decoded, value);
    return value;
}

/*
 * The monitoring page's headers: no inline script or style, nothing from
 * elsewhere (the page makes requests to this server only), no framing, no
 * sniffing, no Referer.
 */
static void add_page_headers(struct MHD_Response *resp)
{
    MHD_add_response_header(resp, "Content-Security-Policy",
                            "default-src 'self'; script-src 'self'; style-src 'self'; "
                            "img-src 'self' data:; connect-src 'self'; object-src 'none'; "
                            "base-uri 'none'; form-action 'self'; frame-ancestors 'none'");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(resp, "X-Frame-Options", "DENY");
}

static enum MHD_Result send_answer(struct MHD_Connection *conn, const struct api_answer *a)
{
    const char *body = a->body ? a->body : "";
    struct MHD_Response *resp =
        a->file
            ? MHD_create_response_from_buffer(a->file_len, (void *) a->file, MHD_RESPMEM_PERSISTENT)
            : MHD_create_response_from_buffer(strlen(body), (void *) body, MHD_RESPMEM_MUST_COPY);
    if (resp == NULL)
        return MHD_NO;
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
                            a->content_type ? a->content_type : "application/json");
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL,
                            a->cache_control ? a->cache_control : "no-store");
    if (a->etag)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, a->etag);
    if (a->page_headers)
        add_page_headers(resp);
    if (a->allow)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, a->allow);
    if (a->location)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_LOCATION, a->location);
    if (a->www_authenticate)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
                                "Bearer realm=\"pgshuttle\"");
    enum MHD_Result r = MHD_queue_response(conn, a->status ? a->status : 500, resp);
    MHD_destroy_response(resp);
    return r;
}

static enum MHD_Result too_large(struct MHD_Connection *conn, size_t max)
{
    struct api_answer a = {0};
    char *msg = xasprintf("the request body is larger than %zu bytes", max);
    api_answer_error(&a, 413, "PayloadTooLarge", msg, NULL);
    free(msg);
    enum MHD_Result r = send_answer(conn, &a);
    api_answer_free(&a);
    return r;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    struct api_server *srv = cls;
    struct conn_state *cs = *con_cls;
    if (cs == NULL) {
        /* first call: headers only; refuse a declared body too large before reading it */
        cs = xcalloc(1, sizeof(*cs));
        cs->conn = conn;
        *con_cls = cs;
        const char *length =
            MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (length && strtoull(length, NULL, 10) > srv->ctx.max_body)
            return too_large(conn, srv->ctx.max_body);
        return MHD_YES;
    }
    if (*upload_data_size > 0) {
        if (cs->body.len + *upload_data_size > srv->ctx.max_body) {
            /* chunked and too large: close, read no more (no answer fits mid-upload) */
            log_msg(LOG_NOTICE, "api: %s %s: body over %zu bytes, connection closed", method, url,
                    srv->ctx.max_body);
            return MHD_NO;
        }
        sb_appendn(&cs->body, upload_data, *upload_data_size);
        *upload_data_size = 0;
        return MHD_YES;
    }
    struct api_request req = {
        .method = method,
        .path = url,
        .content_type =
            MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE),
        .authorization =
            MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION),
        .if_none_match =
            MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_NONE_MATCH),
        .body = sb_str(&cs->body),
        .body_len = cs->body.len,
        .query = query_value,
        .conn = cs,
    };
    struct api_answer a = {0};
    api_dispatch(&srv->ctx, &req, &a);
    for (size_t i = 0; i < API_MAX_PARAMS; i++)
        free(req.params[i]);
    if (log_enabled(LOG_DEBUG)) /* the path and query hold no secret: names and figures */
        log_msg(LOG_DEBUG, "api: %s %s -> %u", method, url, a.status);
    enum MHD_Result r = send_answer(conn, &a);
    api_answer_free(&a);
    return r;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct conn_state *cs = *con_cls;
    if (cs == NULL)
        return;
    sb_free(&cs->body);
    sl_free(&cs->decoded);
    free(cs);
    *con_cls = NULL;
}

/* The identity: the router decodes the path per segment, query_value the values. */
static size_t keep_escapes(void *cls, struct MHD_Connection *conn, char *s)
{
    return strlen(s);
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    char *line = xvasprintf(fmt, ap);
    size_t n = strlen(line);
    while (n > 0 && line[n - 1] == '\n')
        line[--n] = '\0';
    log_msg(LOG_WARN, "api: %s", line);
    free(line);
}

/* Resolves "HOST:PORT" / "[V6]:PORT" into *addr; false with *error. */
static bool resolve(const char *listen, struct sockaddr_storage *addr, char **error)
{
    const char *colon = listen ? strrchr(listen, ':') : NULL;
    if (colon == NULL || colon[1] == '\0') {
        *error = xasprintf("listen address \"%s\" is not HOST:PORT", listen ? listen : "");
        return false;
    }
    char *host = xasprintf("%.*s", (int) (colon - listen), listen);
    size_t hl = strlen(host);
    if (hl >= 2 && host[0] == '[' && host[hl - 1] == ']') {
        memmove(host, host + 1, hl - 2);
        host[hl - 2] = '\0';
    }
    struct addrinfo hints = {.ai_family = AF_UNSPEC,
                             .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
    struct addrinfo *res = NULL;
    int rc = getaddrinfo(host[0] ? host : NULL, colon + 1, &hints, &res);
    free(host);
    if (rc != 0 || res == NULL) {
        *error = xasprintf("cannot resolve listen address \"%s\": %s", listen, gai_strerror(rc));
        return false;
    }
    memset(addr, 0, sizeof(*addr));
    memcpy(addr, res->ai_addr, res->ai_addrlen);
    freeaddrinfo(res);
    return true;
}

static char *read_pem(const char *path, char **error)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        *error = xasprintf("cannot read %s: %s", path, strerror(errno));
        return NULL;
    }
    strbuf sb = STRBUF_INIT;
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
        sb_appendn(&sb, buf, n);
    fclose(f);
    return sb_steal(&sb);
}

static int listen_port(struct MHD_Daemon *d)
{
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_LISTEN_FD);
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    if (info == NULL || getsockname(info->listen_fd, (struct sockaddr *) &ss, &len) != 0)
        return -1;
    if (ss.ss_family == AF_INET6)
        return ntohs(((struct sockaddr_in6 *) &ss)->sin6_port);
    return ntohs(((struct sockaddr_in *) &ss)->sin_port);
}

struct api_server *api_start(const struct api_config *cfg, char **error)
{
    if (cfg->token == NULL || cfg->token[0] == '\0' || cfg->state_dir == NULL ||
        cfg->conninfo.mask == NULL || cfg->conninfo.check == NULL ||
        cfg->conninfo.with_password == NULL) {
        *error = xstrdup("the API needs a state directory, a token and the conninfo functions");
        return NULL;
    }
    if ((cfg->tls_cert == NULL) != (cfg->tls_key == NULL)) {
        *error = xstrdup("HTTPS needs both a certificate and a key");
        return NULL;
    }
    struct sockaddr_storage addr;
    if (!resolve(cfg->listen, &addr, error))
        return NULL;
    struct api_server *srv = xcalloc(1, sizeof(*srv));
    srv->ctx.state_dir = xstrdup(cfg->state_dir);
    srv->ctx.node = cfg->node ? xstrdup(cfg->node) : NULL;
    if (cfg->store)
        srv->ctx.store = *cfg->store;
    srv->ctx.store.dir = srv->ctx.state_dir;
    srv->ctx.token = xstrdup(cfg->token);
    srv->ctx.max_body = cfg->max_body ? cfg->max_body : API_DEFAULT_MAX_BODY;
    srv->ctx.conninfo = cfg->conninfo;
    srv->ctx.connection_test = cfg->connection_test;
    pthread_mutex_init(&srv->ctx.pool_lock, NULL);

    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
                     MHD_USE_AUTO | MHD_USE_ERROR_LOG;
    if (addr.ss_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    if (cfg->tls_cert) {
        if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
            *error = xstrdup("this libmicrohttpd has no TLS support");
            api_stop(srv);
            return NULL;
        }
        srv->cert_pem = read_pem(cfg->tls_cert, error);
        srv->key_pem = srv->cert_pem ? read_pem(cfg->tls_key, error) : NULL;
        if (srv->key_pem == NULL) {
            api_stop(srv);
            return NULL;
        }
        flags |= MHD_USE_TLS;
    }
    struct MHD_OptionItem tls[] = {
        {cfg->tls_cert ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, 0, srv->cert_pem},
        {MHD_OPTION_HTTPS_MEM_KEY, 0, srv->key_pem},
        {MHD_OPTION_END, 0, NULL},
    };
    srv->daemon = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, srv, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, srv,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *) &addr, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned) API_CONNECTION_TIMEOUT, MHD_OPTION_CONNECTION_LIMIT,
        (unsigned) API_CONNECTION_LIMIT, MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
        MHD_OPTION_UNESCAPE_CALLBACK, keep_escapes, srv, MHD_OPTION_ARRAY, tls, MHD_OPTION_END);
    if (srv->daemon == NULL) {
        *error =
            xasprintf("cannot listen on %s (in use, or not an address of this host)", cfg->listen);
        api_stop(srv);
        return NULL;
    }
    srv->port = listen_port(srv->daemon);
    log_msg(LOG_INFO, "api: listening on %s (port %d, %s)", cfg->listen, srv->port,
            cfg->tls_cert ? "HTTPS" : "HTTP");
    return srv;
}

int api_port(const struct api_server *srv)
{
    return srv->port;
}

void api_stop(struct api_server *srv)
{
    if (srv == NULL)
        return;
    if (srv->daemon)
        MHD_stop_daemon(srv->daemon);
    api_store_pool_close(&srv->ctx);
    pthread_mutex_destroy(&srv->ctx.pool_lock);
    free(srv->ctx.state_dir);
    free(srv->ctx.node);
    free(srv->ctx.token);
    free(srv->cert_pem);
    free(srv->key_pem);
    free(srv);
}
