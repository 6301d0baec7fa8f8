/*
 * http_client.c — one HTTP request through libcurl's easy interface (see
 * http_client.h). libcurl is initialised once, on the first request; the
 * client commands make few requests and run single-threaded.
 */
#include "cli/http_client.h"
#include "util/buf.h"
#include "util/mem.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>

static size_t collect(char *data, size_t size, size_t nmemb, void *arg)
{
    sb_appendn(arg, data, size * nmemb);
    return size * nmemb;
}

static enum http_outcome outcome_of(CURLcode code)
{
    switch (code) {
    case CURLE_OK:
        return HTTP_ANSWERED;
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_GOT_NOTHING:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
        return HTTP_NO_SERVER;
    default:
        return HTTP_FAILED;
    }
}

/* Why nothing answered, in a few words; curl's own message for the rest. */
static const char *reason(CURLcode code, const char *errbuf)
{
    switch (code) {
    case CURLE_COULDNT_CONNECT:
        return "connection refused";
    case CURLE_COULDNT_RESOLVE_HOST:
        return "its host name does not resolve";
    case CURLE_OPERATION_TIMEDOUT:
        return "no answer in time";
    case CURLE_GOT_NOTHING:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
        return "the connection closed without an answer";
    default:
        return errbuf[0] ? errbuf : curl_easy_strerror(code);
    }
}

enum http_outcome http_request(const char *base_url, const char *method, const char *path,
                               const char *token, const char *body, double connect_timeout,
                               double timeout, struct http_response *out)
{
    static bool initialised;
    memset(out, 0, sizeof(*out));
    if (!initialised) {
        curl_global_init(CURL_GLOBAL_DEFAULT);
        initialised = true;
    }
    CURL *curl = curl_easy_init();
    if (curl == NULL) {
        out->body = xstrdup("");
        out->error = xstrdup("cannot start libcurl");
        return HTTP_FAILED;
    }
    size_t len = strlen(base_url);
    while (len > 0 && base_url[len - 1] == '/')
        len--;
    char *url = xasprintf("%.*s%s", (int) len, base_url, path);
    char *auth = token ? xasprintf("Authorization: Bearer %s", token) : NULL;
    struct curl_slist *headers = NULL;
    headers = curl_slist_append(headers, "Accept: application/json");
    if (body)
        headers = curl_slist_append(headers, "Content-Type: application/json");
    if (auth)
        headers = curl_slist_append(headers, auth);
    strbuf got = STRBUF_INIT;
    char errbuf[CURL_ERROR_SIZE] = "";

    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_USERAGENT, "pgshuttle/" PGSHUTTLE_VERSION);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, (long) (connect_timeout * 1000));
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, (long) (timeout * 1000));
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &got);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
    /* The token goes to this server only: never follow a redirect elsewhere. */
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    if (body) {
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long) strlen(body));
    } else if (strcmp(method, "GET") == 0) {
        curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
    }

    CURLcode code = curl_easy_perform(curl);
    enum http_outcome result = outcome_of(code);
    if (result == HTTP_ANSWERED)
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &out->status);
    else
        out->error = xstrdup(reason(code, errbuf));
    out->body = sb_steal(&got);

    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
    free(auth);
    free(url);
    return result;
}

void http_response_free(struct http_response *r)
{
    free(r->body);
    free(r->error);
    r->body = r->error = NULL;
}
