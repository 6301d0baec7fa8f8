/*
 * Unit tests: the HTTP API (src/api) served on 127.0.0.1 with an ephemeral
 * port, a temporary state directory and a token, driven with libcurl:
 * authentication, create and read back (passwords masked), every kind of
 * refused create (and nothing written for it), the body limit and content
 * type, PATCH requests and the states that refuse them, DELETE, the views
 * (log, lag, events, tables), /metrics, 404/405, the connection test (its
 * body, its answer, at most two at once), and no answer ever holding the
 * test's password.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "api_http.h"
#include "api/api.h"
#include "model/event_json.h"
#include "model/state_json.h"
#include "store/store.h"
#include "util/buf.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static char dir[] = "/tmp/pgshuttle-test-api-XXXXXX";

/* ---- a connection test (the real one, cli/connection_test.c, runs validate) */

static pthread_mutex_t ct_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t ct_cond = PTHREAD_COND_INITIALIZER;
static bool ct_hold;    /* tests wait while it is set */
static int ct_inside;   /* tests in the function now */
static char *ct_source; /* what the last test was given */
static char *ct_target;
static enum mig_mode ct_mode;
static size_t ct_ndbs;

/* Records its spec, waits while ct_hold, and gives two results (wal_level Failed when Online). */
static void fake_connection_test(const struct migration_spec *spec, struct check_results *results)
{
    pthread_mutex_lock(&ct_lock);
    free(ct_source);
    free(ct_target);
    ct_source = strdup(spec->source);
    ct_target = strdup(spec->target);
    ct_mode = spec->mode;
    ct_ndbs = spec->databases.n;
    ct_inside++;
    pthread_cond_broadcast(&ct_cond);
    while (ct_hold)
        pthread_cond_wait(&ct_cond, &ct_lock);
    ct_inside--;
    pthread_mutex_unlock(&ct_lock);
    check_results_add(results, "instance", "Source connectivity", CHECK_SUCCEEDED, 1796634000.5,
                      0.0104, "connected to old-db:5432 as admin", NULL);
    bool online = spec->mode == MODE_ONLINE;
    check_results_add(results, "instance", "Logical replication (wal_level)",
                      online ? CHECK_FAILED : CHECK_SUCCEEDED, 1796634001.0, 0.002,
                      online ? "wal_level is replica" : "not needed offline",
                      online ? "ALTER SYSTEM SET wal_level = logical; then restart" : NULL);
}

/* ---- helpers -------------------------------------------------------------- */

static size_t migration_count(void)
{
    struct reply r = call("GET", "/api/v1/migrations?filter=All", NULL);
    expect_status(&r, 200);
    json_t *doc = body_json(&r);
    size_t n = json_array_size(json_object_get(doc, "value"));
    json_decref(doc);
    reply_free(&r);
    return n;
}

/* ---- setup --------------------------------------------------------------- */

static int start(void **state)
{
    (void) state;
    api_test_start(dir, fake_connection_test);
    return 0;
}

static int stop(void **state)
{
    (void) state;
    free(ct_source);
    free(ct_target);
    return api_test_stop(dir);
}

/* ---- tests --------------------------------------------------------------- */

static void test_auth(void **state)
{
    (void) state;
    struct reply r = call_n("GET", "/api/v1/migrations", NULL, NULL, NULL, 0);
    expect_status(&r, 401);
    assert_non_null(strcasestr(sb_str(&r.headers), "WWW-Authenticate: Bearer"));
    reply_free(&r);
    expect_error(call_n("GET", "/api/v1/migrations", "wrong-token", NULL, NULL, 0), 401, "token");
    expect_error(call_n("GET", "/api/v1/migrations", TOKEN "x", NULL, NULL, 0), 401, NULL);
    expect_error(call_n("GET", "/api/v1/nothing-here", NULL, NULL, NULL, 0), 401, NULL);

    r = call_n("GET", "/healthz", NULL, NULL, NULL, 0);
    expect_status(&r, 200);
    assert_string_equal(sb_str(&r.body), "{\"status\":\"ok\"}");
    reply_free(&r);
}

static void test_create_get_list(void **state)
{
    (void) state;
    struct reply r = call("PUT", "/api/v1/migrations/sales", CREATE_BODY(""));
    expect_status(&r, 201);
    assert_non_null(strcasestr(sb_str(&r.headers), "Location: /api/v1/migrations/sales"));
    reply_free(&r);

    r = call("GET", "/api/v1/migrations/sales", NULL);
    expect_status(&r, 200);
    json_t *doc = body_json(&r);
    json_t *p = json_object_get(doc, "properties");
    assert_string_equal(json_string_value(json_object_get(doc, "name")), "sales");
    assert_string_equal(json_string_value(json_object_get(p, "sourceServer")),
                        "host=old-db user=admin password=*****");
    assert_string_equal(json_string_value(json_object_get(p, "targetServer")),
                        "host=new-db user=admin password=*****");
    assert_string_equal(json_string_value(json_object_get(p, "migrationMode")), "Offline");
    json_t *cs = json_object_get(p, "currentStatus");
    assert_string_equal(json_string_value(json_object_get(cs, "state")), "In progress");
    assert_int_equal(json_object_size(json_object_get(json_object_get(cs, "currentSubStateDetails"),
                                                      "dbDetails")),
                     2);
    json_decref(doc);
    reply_free(&r);

    assert_int_equal(migration_count(), 1);
    r = call("GET", "/api/v1/migrations?filter=Active", NULL);
    expect_status(&r, 200);
    reply_free(&r);
    expect_error(call("GET", "/api/v1/migrations?filter=Some", NULL), 400, "filter");
    /* the grid's view: the same migrations without their per-database and validation details */
    r = call("GET", "/api/v1/migrations?filter=All&view=grid", NULL);
    expect_status(&r, 200);
    doc = body_json(&r);
    json_t *row = json_array_get(json_object_get(doc, "value"), 0);
    json_t *rcs = json_object_get(json_object_get(row, "properties"), "currentStatus");
    assert_string_equal(json_string_value(json_object_get(row, "name")), "sales");
    assert_non_null(json_object_get(rcs, "state"));
    assert_non_null(
        json_object_get(json_object_get(rcs, "currentSubStateDetails"), "currentSubState"));
    assert_null(json_object_get(json_object_get(rcs, "currentSubStateDetails"), "dbDetails"));
    assert_null(
        json_object_get(json_object_get(rcs, "currentSubStateDetails"), "validationDetails"));
    json_decref(doc);
    reply_free(&r);
    expect_error(call("GET", "/api/v1/migrations?view=everything", NULL), 400, "view");
    expect_error(call("PUT", "/api/v1/migrations/sales", CREATE_BODY("")), 409, "exists");
    expect_error(call("GET", "/api/v1/migrations/nope", NULL), 404, "nope");

    r = call("GET", "/api/v1/checkNameAvailability?name=sales", NULL);
    expect_status(&r, 200);
    assert_non_null(strstr(sb_str(&r.body), "\"nameAvailable\":false"));
    reply_free(&r);
    r = call("GET", "/api/v1/checkNameAvailability?name=other", NULL);
    assert_non_null(strstr(sb_str(&r.body), "\"nameAvailable\":true"));
    reply_free(&r);
}

static void test_refused_creates(void **state)
{
    (void) state;
    size_t before = migration_count();
    const char *path = "/api/v1/migrations/refused";
    expect_error(call("PUT", path, "{\"properties\":{"), 400, "not valid JSON");
    expect_error(call("PUT", path, CREATE_BODY(",\"colour\":\"blue\"")), 400, "colour");
    expect_error(call("PUT", path, CREATE_BODY(",\"jobs\":\"8\"")), 400, "jobs");
    expect_error(call("PUT", path, CREATE_BODY(",\"migrationMode\":\"Sideways\"")), 400,
                 "migrationMode");
    expect_error(call("PUT", path, CREATE_BODY(",\"jobs\":2,\"jobs\":3")), 400, "duplicate");
    expect_error(call("PUT", path, "{\"properties\":{},\"extra\":1}"), 400, "extra");
    expect_error(call("PUT", path, "[1,2]"), 400, "object");
    expect_error(call("PUT", path,
                      "{\"properties\":{\"sourceServer\":\"host='x password=" PASSWORD "\","
                      "\"targetServer\":\"host=b\",\"dbsToMigrate\":[\"db\"]}}"),
                 400, "sourceServer");
    static const char *const bad_names[] = {"%22quoted%22",     "..%2Fx", "caf%C3%A9",
                                            "a%3Bdrop%20table", "Upper",  "-x"};
    for (size_t i = 0; i < sizeof(bad_names) / sizeof(bad_names[0]); i++) {
        char p[256];
        snprintf(p, sizeof(p), "/api/v1/migrations/%s", bad_names[i]);
        expect_error(call("PUT", p, CREATE_BODY("")), 400, "name");
    }
    const char *body = CREATE_BODY("");
    expect_error(call_n("PUT", path, TOKEN, "text/plain", body, strlen(body)), 415, "JSON");
    expect_error(call_n("PUT", path, TOKEN, NULL, body, strlen(body)), 415, NULL);

    size_t big = 10u << 20;
    char *huge = malloc(big);
    memset(huge, ' ', big);
    huge[0] = '{';
    huge[big - 1] = '}';
    expect_error(call_n("PUT", path, TOKEN, "application/json", huge, big), 413, "larger");
    free(huge);

    assert_int_equal(migration_count(), before);
    expect_error(call("GET", path, NULL), 404, NULL);
}

/* Feeds spaces, up to 1 MiB a call, for n_left calls. */
static size_t feed_spaces(char *out, size_t size, size_t n, void *ctx)
{
    int *n_left = ctx;
    if (*n_left == 0)
        return 0;
    (*n_left)--;
    size_t len = size * n < (1u << 20) ? size * n : (1u << 20);
    memset(out, ' ', len);
    return len;
}

/* A chunked body (no Content-Length) that grows past the limit: the server stops reading. */
static void test_chunked_too_large(void **state)
{
    (void) state;
    size_t before = migration_count();
    CURL *c = curl_easy_init();
    char url[256];
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/api/v1/migrations/chunked", api_port(srv));
    struct curl_slist *h = NULL;
    h = curl_slist_append(h, "Authorization: Bearer " TOKEN);
    h = curl_slist_append(h, "Content-Type: application/json");
    h = curl_slist_append(h, "Transfer-Encoding: chunked");
    int n_left = 4096; /* calls of curl's upload buffer size (64 kB or more): 256 MiB at least */
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_READFUNCTION, feed_spaces);
    curl_easy_setopt(c, CURLOPT_READDATA, &n_left);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 20L);
    strbuf body = STRBUF_INIT;
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
    CURLcode rc = curl_easy_perform(c);
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    sb_free(&body);
    assert_true(rc != CURLE_OK || status == 413);
    assert_true(n_left > 0); /* the server stopped reading long before the end */
    assert_int_equal(migration_count(), before);
}

/*
 * Runs the N transfers of multi to their end; each must answer 200. Their
 * bodies go into all; the handles, bodies, headers h and multi are freed.
 */
static void multi_finish(CURLM *multi, CURL **easy, strbuf *bodies, int n, int running, strbuf *all,
                         struct curl_slist *h, const char *what)
{
    while (running > 0) {
        curl_multi_perform(multi, &running);
        if (running > 0)
            curl_multi_poll(multi, NULL, 0, 1000, NULL);
    }
    for (int i = 0; i < n; i++) {
        long status = 0;
        curl_easy_getinfo(easy[i], CURLINFO_RESPONSE_CODE, &status);
        if (status != 200)
            fail_msg("%s %d: %ld %s", what, i, status, sb_str(&bodies[i]));
        sb_append(all, sb_str(&bodies[i]));
        curl_multi_remove_handle(multi, easy[i]);
        curl_easy_cleanup(easy[i]);
        sb_free(&bodies[i]);
    }
    curl_slist_free_all(h);
    curl_multi_cleanup(multi);
}

/* Many requests at once: each thread takes its own store handle. */
static void test_concurrent_requests(void **state)
{
    (void) state;
    enum { N = 24 };
    CURLM *multi = curl_multi_init();
    CURL *easy[N];
    strbuf bodies[N];
    char url[256];
    struct curl_slist *h = curl_slist_append(NULL, "Authorization: Bearer " TOKEN);
    for (int i = 0; i < N; i++) {
        snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", api_port(srv),
                 i % 3 == 0   ? "/api/v1/migrations"
                 : i % 3 == 1 ? "/api/v1/migrations/sales"
                              : "/api/v1/metrics");
        sb_init(&bodies[i]);
        easy[i] = curl_easy_init();
        curl_easy_setopt(easy[i], CURLOPT_URL, url);
        curl_easy_setopt(easy[i], CURLOPT_HTTPHEADER, h);
        curl_easy_setopt(easy[i], CURLOPT_TIMEOUT, 20L);
        curl_easy_setopt(easy[i], CURLOPT_WRITEFUNCTION, collect);
        curl_easy_setopt(easy[i], CURLOPT_WRITEDATA, &bodies[i]);
        curl_multi_add_handle(multi, easy[i]);
    }
    int running = N;
    multi_finish(multi, easy, bodies, N, running, &everything, h, "request");
}

/* Opens the test's own store handle. */
static struct store *open_store(void)
{
    return api_test_store(dir);
}

static void test_patch(void **state)
{
    (void) state;
    const char *path = "/api/v1/migrations/sales";
    /* sales is offline: no cutover */
    expect_error(call("PATCH", path, "{\"properties\":{\"triggerCutover\":true}}"), 409,
                 "In progress");
    expect_error(call("PATCH", path, "{\"properties\":{\"overwriteDbsInTarget\":true}}"), 409,
                 "overwrite");
    expect_error(call("PATCH", path,
                      "{\"properties\":{\"cancel\":true,\"dbsToCancelMigrationOn\":[\"nope\"]}}"),
                 400, "nope");
    expect_error(call("PATCH", path, "{\"properties\":{\"cancel\":false}}"), 400, "cancel");
    expect_error(call("PATCH", path, "{\"properties\":{\"frobnicate\":true}}"), 400, "frobnicate");
    expect_error(call("PATCH", "/api/v1/migrations/nope", "{\"properties\":{\"cancel\":true}}"),
                 404, NULL);

    struct reply r = call(
        "PATCH", path, "{\"properties\":{\"cancel\":true,\"dbsToCancelMigrationOn\":[\"sales\"]}}");
    expect_status(&r, 202);
    reply_free(&r);

    struct store *st = open_store();
    struct store_migration m;
    char *error = NULL;
    assert_int_equal(store_migration_get(st, "sales", &m, &error), STORE_OK);
    struct store_request *reqs = NULL;
    size_t n = 0;
    assert_int_equal(store_request_take(st, m.id, NULL, false, &reqs, &n, &error), STORE_OK);
    assert_int_equal(n, 1);
    assert_int_equal(reqs[0].kind, STORE_REQ_CANCEL);
    assert_string_equal(reqs[0].databases_json, "[\"sales\"]");
    store_request_list_free(reqs, n);

    /* waiting for an overwrite confirmation: the PATCH is taken, and the spec says so */
    struct migration_state s;
    migration_state_init(&s);
    s.status = MIG_WAITING_FOR_USER;
    s.substatus = SUB_PREREQUISITES; /* any substatus but Waiting for cutover */
    json_t *doc = migration_state_to_json(&s, SNAPSHOT_JSON_FULL);
    char *text = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    assert_int_equal(store_migration_set_state(st, m.id, NULL, text, "Waiting for user action",
                                               "Waiting for overwrite confirmation", true, &error),
                     STORE_OK);
    free(text);
    migration_state_free(&s);
    r = call("PATCH", path, "{\"properties\":{\"overwriteDbsInTarget\":true}}");
    expect_status(&r, 202);
    reply_free(&r);
    assert_int_equal(store_request_take(st, m.id, NULL, false, &reqs, &n, &error), STORE_OK);
    assert_int_equal(n, 1);
    assert_int_equal(reqs[0].kind, STORE_REQ_OVERWRITE);
    store_request_list_free(reqs, n);
    store_migration_free(&m);
    assert_int_equal(store_migration_get(st, "sales", &m, &error), STORE_OK);
    assert_non_null(strstr(m.spec_json, "\"overwriteDbsInTarget\":true"));
    store_migration_free(&m);
    store_close(st);
}

static void test_delete(void **state)
{
    (void) state;
    struct reply r = call("PUT", "/api/v1/migrations/finished-one", CREATE_BODY(""));
    expect_status(&r, 201);
    reply_free(&r);
    struct store *st = open_store();
    struct store_migration m;
    char *error = NULL;
    assert_int_equal(store_migration_get(st, "finished-one", &m, &error), STORE_OK);
    struct migration_state s;
    migration_state_init(&s);
    s.status = MIG_SUCCEEDED;
    s.substatus = SUB_COMPLETED;
    json_t *doc = migration_state_to_json(&s, SNAPSHOT_JSON_FULL);
    char *text = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    assert_int_equal(
        store_migration_set_state(st, m.id, NULL, text, "Succeeded", "Completed", false, &error),
        STORE_OK);
    free(text);
    migration_state_free(&s);
    store_migration_free(&m);

    /* a finished migration allows no cutover nor cancel */
    expect_error(
        call("PATCH", "/api/v1/migrations/finished-one", "{\"properties\":{\"cancel\":true}}"), 409,
        "Succeeded");
    r = call("DELETE", "/api/v1/migrations/finished-one", NULL);
    expect_status(&r, 204);
    reply_free(&r);
    expect_error(call("GET", "/api/v1/migrations/finished-one", NULL), 404, NULL);

    /* an active one gets a delete request */
    r = call("DELETE", "/api/v1/migrations/sales", NULL);
    expect_status(&r, 202);
    reply_free(&r);
    assert_int_equal(store_migration_get(st, "sales", &m, &error), STORE_OK);
    struct store_request *reqs = NULL;
    size_t n = 0;
    assert_int_equal(store_request_take(st, m.id, NULL, false, &reqs, &n, &error), STORE_OK);
    assert_int_equal(n, 1);
    assert_int_equal(reqs[0].kind, STORE_REQ_DELETE);
    store_request_list_free(reqs, n);
    store_migration_free(&m);
    store_close(st);
}

static void test_views(void **state)
{
    (void) state;
    char path[512];
    snprintf(path, sizeof(path), "%s/logs", dir);
    mkdir(path, 0700);
    snprintf(path, sizeof(path), "%s/logs/sales.log", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("one\ntwo\nthree\n", f);
    fclose(f);
    struct reply r = call("GET", "/api/v1/migrations/sales/log?tail=2", NULL);
    expect_status(&r, 200);
    assert_string_equal(sb_str(&r.body), "two\nthree\n");
    assert_non_null(strcasestr(sb_str(&r.headers), "Content-Type: text/plain"));
    reply_free(&r);
    expect_error(call("GET", "/api/v1/migrations/sales/log?tail=x", NULL), 400, "tail");

    struct store *st = open_store();
    struct store_migration m;
    char *error = NULL;
    assert_int_equal(store_migration_get(st, "sales", &m, &error), STORE_OK);
    struct event ev = {
        .kind = EV_STREAMING, .database = "sales", .lag_bytes = 4096, .lag_seconds = 1.5};
    struct event_json_meta meta = {.time = "2026-12-07T09:00:00.000+00:00"};
    json_t *doc = event_to_json(&ev, &meta);
    char *text = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    assert_int_equal(store_event_append(st, m.id, NULL, 1796634000, "streaming", text, &error),
                     STORE_OK);
    free(text);
    struct event tev = {.kind = EV_TABLE_COPIED,
                        .database = "sales",
                        .object = "public.orders",
                        .rows = 10,
                        .bytes = 8192,
                        .seconds = 0.25};
    doc = event_to_json(&tev, &meta);
    text = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    assert_int_equal(store_event_append(st, m.id, NULL, 1796634001, "table", text, &error),
                     STORE_OK);
    free(text);
    store_migration_free(&m);
    store_close(st);

    r = call("GET", "/api/v1/migrations/sales/lag?since=2026-12-07T08:00:00Z", NULL);
    expect_status(&r, 200);
    assert_non_null(strstr(sb_str(&r.body), "\"lagBytes\":4096"));
    assert_non_null(strstr(sb_str(&r.body), "\"lagSeconds\":1.5"));
    reply_free(&r);
    r = call("GET", "/api/v1/migrations/sales/tables?db=sales", NULL);
    expect_status(&r, 200);
    assert_non_null(strstr(sb_str(&r.body), "\"table\":\"public.orders\""));
    reply_free(&r);
    expect_error(call("GET", "/api/v1/migrations/sales/tables?db=other", NULL), 400, "other");
    r = call("GET", "/api/v1/migrations/sales/events", NULL);
    expect_status(&r, 200);
    doc = body_json(&r);
    assert_true(json_array_size(json_object_get(doc, "value")) >= 2);
    json_decref(doc);
    reply_free(&r);
}

#define TEST_BODY(extra)                                                                           \
    "{\"properties\":{\"sourceServer\":\"host=old-db user=admin password=" PASSWORD "\","          \
    "\"targetServer\":\"host=new-db user=admin\"" extra "},"                                       \
    "\"secretParameters\":{\"adminCredentials\":{\"targetServerPassword\":\"" PASSWORD "\"}}}"

/* The answer of a connection test: its status, and its checks as validationDetails gives them. */
static void test_connection_test(void **state)
{
    (void) state;
    size_t before = migration_count();
    struct reply r =
        call("POST", "/api/v1/testConnection", TEST_BODY(",\"migrationMode\":\"Online\""));
    expect_status(&r, 200);
    json_t *doc = body_json(&r);
    assert_string_equal(json_string_value(json_object_get(doc, "status")), "Failed");
    json_t *checks = json_object_get(doc, "checks");
    assert_int_equal(json_array_size(checks), 2);
    json_t *c0 = json_array_get(checks, 0), *c1 = json_array_get(checks, 1);
    assert_string_equal(json_string_value(json_object_get(c0, "type")), "Source connectivity");
    assert_string_equal(json_string_value(json_object_get(c0, "state")), "Succeeded");
    assert_string_equal(json_string_value(json_object_get(c0, "startedOn")),
                        "2026-12-07T09:00:00Z");
    assert_int_equal(json_integer_value(json_object_get(c0, "durationMs")), 10);
    assert_true(json_is_null(json_object_get(c0, "remediation")));
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(c0, "messages"), 0), "message")),
                        "connected to old-db:5432 as admin");
    assert_string_equal(json_string_value(json_object_get(c1, "state")), "Failed");
    assert_non_null(strstr(json_string_value(json_object_get(c1, "remediation")), "wal_level"));
    json_decref(doc);
    reply_free(&r);
    /* the function was given both servers with their passwords, the mode, no database */
    assert_non_null(strstr(ct_source, PASSWORD));
    assert_non_null(strstr(ct_target, PASSWORD));
    assert_int_equal(ct_mode, MODE_ONLINE);
    assert_int_equal(ct_ndbs, 0);

    /* offline, with databases and the other settable fields as a create has them */
    r = call("POST", "/api/v1/testConnection",
             TEST_BODY(",\"dbsToMigrate\":[\"sales\"],\"jobs\":4"));
    expect_status(&r, 200);
    doc = body_json(&r);
    assert_string_equal(json_string_value(json_object_get(doc, "status")), "Succeeded");
    json_decref(doc);
    reply_free(&r);
    assert_int_equal(ct_mode, MODE_OFFLINE);
    assert_int_equal(ct_ndbs, 1);

    /* refused bodies, as a create's */
    expect_error(
        call("POST", "/api/v1/testConnection", "{\"properties\":{\"sourceServer\":\"host=a\"}}"),
        400, "targetServer");
    expect_error(
        call("POST", "/api/v1/testConnection", "{\"properties\":{\"targetServer\":\"host=a\"}}"),
        400, "sourceServer");
    expect_error(call("POST", "/api/v1/testConnection", TEST_BODY(",\"dropEverything\":true")), 400,
                 "dropEverything");
    expect_error(call("POST", "/api/v1/testConnection", "{\"properties\":{\"sourceServer\":"), 400,
                 NULL);
    expect_error(call("POST", "/api/v1/testConnection",
                      "{\"properties\":{\"sourceServer\":\"no-host " PASSWORD
                      "\",\"targetServer\":\"host=a\"}}"),
                 400, "sourceServer");
    expect_error(call_n("POST", "/api/v1/testConnection", TOKEN, "text/plain", "{}", 2), 415, NULL);
    expect_error(call_n("POST", "/api/v1/testConnection", NULL, "application/json", "{}", 2), 401,
                 NULL);
    r = call("GET", "/api/v1/testConnection", NULL);
    expect_status(&r, 405);
    reply_free(&r);
    assert_int_equal(migration_count(), before); /* a test creates nothing */
}

/* Two tests at once hold their threads; a third is refused with 429 until one ends. */
static void test_connection_test_limit(void **state)
{
    (void) state;
    enum { N = 2 };
    pthread_mutex_lock(&ct_lock);
    ct_hold = true;
    pthread_mutex_unlock(&ct_lock);
    CURLM *multi = curl_multi_init();
    CURL *easy[N];
    strbuf bodies[N];
    char url[256];
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/api/v1/testConnection", api_port(srv));
    struct curl_slist *h = curl_slist_append(NULL, "Authorization: Bearer " TOKEN);
    h = curl_slist_append(h, "Content-Type: application/json");
    for (int i = 0; i < N; i++) {
        sb_init(&bodies[i]);
        easy[i] = curl_easy_init();
        curl_easy_setopt(easy[i], CURLOPT_URL, url);
        curl_easy_setopt(easy[i], CURLOPT_HTTPHEADER, h);
        curl_easy_setopt(easy[i], CURLOPT_POSTFIELDS, TEST_BODY(""));
        curl_easy_setopt(easy[i], CURLOPT_TIMEOUT, 30L);
        curl_easy_setopt(easy[i], CURLOPT_WRITEFUNCTION, collect);
        curl_easy_setopt(easy[i], CURLOPT_WRITEDATA, &bodies[i]);
        curl_multi_add_handle(multi, easy[i]);
    }
    int running = N, inside = 0;
    for (int spins = 0; inside < N && spins < 200; spins++) {
        curl_multi_perform(multi, &running);
        curl_multi_poll(multi, NULL, 0, 50, NULL);
        pthread_mutex_lock(&ct_lock);
        inside = ct_inside;
        pthread_mutex_unlock(&ct_lock);
    }
    /* both wait in the function, each on its own connection's thread: a third is refused */
    struct reply third = {0};
    if (inside == N)
        third = call("POST", "/api/v1/testConnection", TEST_BODY(""));
    pthread_mutex_lock(&ct_lock);
    ct_hold = false;
    pthread_cond_broadcast(&ct_cond);
    pthread_mutex_unlock(&ct_lock);
    assert_int_equal(inside, N);
    expect_error(third, 429, "try again");
    multi_finish(multi, easy, bodies, N, running, &everything, h, "test");
    /* the slots are free again */
    struct reply r = call("POST", "/api/v1/testConnection", TEST_BODY(""));
    expect_status(&r, 200);
    reply_free(&r);
}

/* Appends an event of kind (any word: the engine's newer kinds too) with its JSON text. */
static void append_event(struct store *st, int64_t id, double at, const char *kind,
                         const char *json)
{
    char *error = NULL;
    if (store_event_append(st, id, NULL, at, kind, json, &error) != STORE_OK)
        fail_msg("store_event_append: %s", error);
}

/* The entry of table in the value array of a /tables answer, or NULL. */
static json_t *table_entry(json_t *doc, const char *database, const char *table)
{
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(doc, "value"), i, e)
    {
        if (strcmp(json_string_value(json_object_get(e, "database")), database) == 0 &&
            strcmp(json_string_value(json_object_get(e, "table")), table) == 0)
            return e;
    }
    return NULL;
}

/* Every table in its latest state, folded from the table events in order. */
static void test_tables_by_state(void **state)
{
    (void) state;
    struct store *st = open_store();
    struct store_migration m;
    char *error = NULL;
    assert_int_equal(store_migration_get(st, "sales", &m, &error), STORE_OK);
    static const struct {
        const char *kind, *json;
    } evs[] = {
        {"table_queued", "{\"event\":\"table_queued\",\"database\":\"sales\",\"object\":\"s.a\","
                         "\"bytes\":100}"},
        {"table_queued", "{\"event\":\"table_queued\",\"database\":\"sales\",\"object\":\"s.b\","
                         "\"bytes\":200}"},
        {"table_queued", "{\"event\":\"table_queued\",\"database\":\"sales\",\"object\":\"s.c\","
                         "\"bytes\":300}"},
        {"table_queued", "{\"event\":\"table_queued\",\"database\":\"sales\",\"object\":\"s.d\","
                         "\"bytes\":400}"},
        {"table_queued", "{\"event\":\"table_queued\",\"database\":\"sales\",\"object\":\"s.e\","
                         "\"bytes\":500}"},
        {"table_queued", "{\"event\":\"table_queued\",\"database\":\"inventory\",\"object\":"
                         "\"s.a\",\"bytes\":1}"},
        {"table_queued", "{\"event\":\"table_queued\",\"database\":\"sales\"}"}, /* no table */
        {"table_started", "{\"event\":\"table_started\",\"database\":\"sales\",\"object\":"
                          "\"s.a\",\"bytes\":100}"},
        {"table_started", "{\"event\":\"table_started\",\"database\":\"sales\",\"object\":"
                          "\"s.b\",\"bytes\":200}"},
        {"table_started", "{\"event\":\"table_started\",\"database\":\"sales\",\"object\":"
                          "\"s.c\",\"bytes\":300}"},
        {"table_started", "{\"event\":\"table_started\",\"database\":\"sales\",\"object\":"
                          "\"s.e\",\"bytes\":500}"},
        {"table", "{\"event\":\"table\",\"database\":\"sales\",\"object\":\"s.a\",\"rows\":10,"
                  "\"bytes\":100,\"seconds\":0.5}"},
        {"table_failed", "{\"event\":\"table_failed\",\"database\":\"sales\",\"object\":\"s.b\","
                         "\"message\":\"terminating connection\",\"sqlstate\":\"57P01\"}"},
        {"table", "{\"event\":\"table\",\"database\":\"sales\",\"object\":\"s.e\",\"rows\":50,"
                  "\"bytes\":500,\"seconds\":1.0}"},
        /* s.e's database starts its copy over: queued again, its figures forgotten */
        {"table_queued", "{\"event\":\"table_queued\",\"database\":\"sales\",\"object\":\"s.e\","
                         "\"bytes\":500}"},
        {"table_queued", "not json"},
    };
    for (size_t i = 0; i < sizeof(evs) / sizeof(evs[0]); i++)
        append_event(st, m.id, 1796634100 + (double) i, evs[i].kind, evs[i].json);
    store_migration_free(&m);
    store_close(st);

    struct reply r = call("GET", "/api/v1/migrations/sales/tables?db=sales", NULL);
    expect_status(&r, 200);
    json_t *doc = body_json(&r);
    assert_null(table_entry(doc, "inventory", "s.a")); /* ?db= keeps to one database */
    json_t *a = table_entry(doc, "sales", "s.a"), *b = table_entry(doc, "sales", "s.b"),
           *c = table_entry(doc, "sales", "s.c"), *d = table_entry(doc, "sales", "s.d"),
           *e = table_entry(doc, "sales", "s.e");
    assert_non_null(a);
    assert_non_null(b);
    assert_non_null(c);
    assert_non_null(d);
    assert_non_null(e);
    assert_string_equal(json_string_value(json_object_get(a, "state")), "copied");
    assert_int_equal(json_integer_value(json_object_get(a, "rows")), 10);
    assert_int_equal(json_integer_value(json_object_get(a, "bytes")), 100);
    assert_true(json_real_value(json_object_get(a, "seconds")) == 0.5);
    assert_string_equal(json_string_value(json_object_get(a, "startedOn")), "2026-12-07T09:01:47Z");
    assert_string_equal(json_string_value(json_object_get(a, "endedOn")), "2026-12-07T09:01:51Z");
    assert_string_equal(json_string_value(json_object_get(b, "state")), "failed");
    assert_string_equal(json_string_value(json_object_get(b, "message")), "terminating connection");
    assert_string_equal(json_string_value(json_object_get(b, "sqlstate")), "57P01");
    assert_int_equal(json_integer_value(json_object_get(b, "bytes")), 200);
    assert_true(json_is_null(json_object_get(b, "rows")));
    assert_string_equal(json_string_value(json_object_get(c, "state")), "copying");
    assert_true(json_is_null(json_object_get(c, "endedOn")));
    assert_string_equal(json_string_value(json_object_get(d, "state")), "queued");
    assert_int_equal(json_integer_value(json_object_get(d, "bytes")), 400);
    assert_true(json_is_null(json_object_get(d, "startedOn")));
    assert_string_equal(json_string_value(json_object_get(e, "state")), "queued");
    assert_true(json_is_null(json_object_get(e, "rows")));
    assert_true(json_is_null(json_object_get(e, "seconds")));
    assert_true(json_is_null(json_object_get(e, "endedOn")));
    /* the order the tables were first named in (public.orders' table event came first) */
    json_t *value = json_object_get(doc, "value");
    assert_string_equal(json_string_value(json_object_get(json_array_get(value, 1), "table")),
                        "s.a");
    assert_string_equal(json_string_value(json_object_get(json_array_get(value, 5), "table")),
                        "s.e");
    json_decref(doc);
    reply_free(&r);

    r = call("GET", "/api/v1/migrations/sales/tables", NULL);
    expect_status(&r, 200);
    doc = body_json(&r);
    assert_non_null(table_entry(doc, "inventory", "s.a"));
    json_decref(doc);
    reply_free(&r);
    expect_error(call("GET", "/api/v1/migrations/sales/tables?db=nothere", NULL), 400, "nothere");
}

/* 10,000 tables, each queued, started and copied: every one listed once, copied. */
static void test_tables_many(void **state)
{
    (void) state;
    enum { N = 10000 };
    struct reply r = call("PUT", "/api/v1/migrations/many", CREATE_BODY(""));
    expect_status(&r, 201);
    reply_free(&r);
    struct store *st = open_store();
    struct store_migration m;
    char *error = NULL;
    assert_int_equal(store_migration_get(st, "many", &m, &error), STORE_OK);
    char json[256];
    static const char *const kinds[] = {"table_queued", "table_started", "table"};
    for (int k = 0; k < 3; k++)
        for (int i = 0; i < N; i++) {
            snprintf(json, sizeof(json),
                     "{\"event\":\"%s\",\"database\":\"sales\",\"object\":\"public.t%d\","
                     "\"rows\":%d,\"bytes\":%d,\"seconds\":0.01}",
                     kinds[k], i, i, 8192 * (i + 1));
            append_event(st, m.id, 1796634200 + k, kinds[k], json);
        }
    store_migration_free(&m);
    store_close(st);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    r = call("GET", "/api/v1/migrations/many/tables", NULL);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    expect_status(&r, 200);
    /* reported, not asserted */
    print_message("GET /tables of %d tables (%d events): %zu bytes in %.3f s\n", N, 3 * N,
                  r.body.len, (double) (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
    json_t *doc = body_json(&r);
    json_t *value = json_object_get(doc, "value");
    assert_int_equal(json_array_size(value), N);
    size_t i;
    json_t *e;
    json_array_foreach(value, i, e)
    {
        assert_string_equal(json_string_value(json_object_get(e, "state")), "copied");
        assert_int_equal(json_integer_value(json_object_get(e, "rows")), (json_int_t) i);
    }
    json_decref(doc);
    reply_free(&r);
}

/* Writes a state for sales with one streaming database whose name needs escaping in labels. */
static void state_with_odd_database(void)
{
    struct store *st = open_store();
    struct store_migration m;
    char *error = NULL;
    assert_int_equal(store_migration_get(st, "sales", &m, &error), STORE_OK);
    struct migration_state s;
    migration_state_init(&s);
    s.status = MIG_WAITING_FOR_USER;
    s.substatus = SUB_WAITING_FOR_CUTOVER;
    s.ndbs = 1;
    s.dbs = calloc(1, sizeof(*s.dbs));
    s.dbs[0] = (struct db_progress_snapshot){.name = strdup("we\"ird\\db\n"),
                                             .status = MIG_WAITING_FOR_USER,
                                             .substatus = SUB_WAITING_FOR_CUTOVER,
                                             .tables_total = 3,
                                             .tables_copied = 3,
                                             .bytes_copied = 12345,
                                             .streaming = true,
                                             .lag_bytes = 77,
                                             .lag_ms = 250,
                                             .changes_applied = 60,
                                             .inserts_applied = 30,
                                             .updates_applied = 20,
                                             .deletes_applied = 10,
                                             .truncates_applied = 2};
    json_t *doc = migration_state_to_json(&s, SNAPSHOT_JSON_FULL);
    char *text = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    assert_int_equal(store_migration_set_state(st, m.id, NULL, text, "Waiting for user action",
                                               "Waiting for cutover", true, &error),
                     STORE_OK);
    free(text);
    migration_state_free(&s);
    store_migration_free(&m);
    store_close(st);
}

static void test_metrics_and_routes(void **state)
{
    (void) state;
    state_with_odd_database();
    struct reply r = call("GET", "/api/v1/metrics", NULL);
    expect_status(&r, 200);
    assert_non_null(strstr(sb_str(&r.body), "pgshuttle_migration_info{migration=\"sales\","
                                            "mode=\"Offline\",option=\"ValidateAndMigrate\","
                                            "source_type=\"auto\"} 1\n"));
    assert_non_null(strstr(sb_str(&r.body), "# TYPE pgshuttle_worker_restarts_total counter"));
    assert_null(strstr(sb_str(&r.body), "host="));
    assert_non_null(strstr(sb_str(&r.body), "pgshuttle_copy_bytes_total{migration=\"sales\","
                                            "database=\"we\\\"ird\\\\db\\n\"} 12345\n"));
    assert_non_null(strstr(sb_str(&r.body), "pgshuttle_cdc_lag_seconds{migration=\"sales\","
                                            "database=\"we\\\"ird\\\\db\\n\"} 0.25\n"));
    assert_non_null(strstr(sb_str(&r.body), "pgshuttle_migration_state{migration=\"sales\","
                                            "state=\"Waiting for user action\"} 1\n"));
    static const char *const ops[][2] = {
        {"insert", "30"}, {"update", "20"}, {"delete", "10"}, {"truncate", "2"}};
    for (size_t i = 0; i < 4; i++) {
        char want[256];
        snprintf(want, sizeof(want),
                 "pgshuttle_cdc_changes_applied_total{migration=\"sales\","
                 "database=\"we\\\"ird\\\\db\\n\",op=\"%s\"} %s\n",
                 ops[i][0], ops[i][1]);
        if (strstr(sb_str(&r.body), want) == NULL)
            fail_msg("no line %s in\n%s", want, sb_str(&r.body));
    }
    /* one HELP and one TYPE line per family, whatever the number of migrations */
    const char *type_line = "# TYPE pgshuttle_cdc_changes_applied_total counter\n";
    const char *first = strstr(sb_str(&r.body), type_line);
    assert_non_null(first);
    assert_null(strstr(first + 1, type_line));
    assert_non_null(
        strcasestr(sb_str(&r.headers), "Content-Type: text/plain; version=0.0.4; charset=utf-8"));
    reply_free(&r);

    expect_error(call("GET", "/api/v1/nowhere", NULL), 404, NULL);
    r = call("POST", "/api/v1/migrations/sales", "{}");
    expect_status(&r, 405);
    assert_non_null(strcasestr(sb_str(&r.headers), "Allow: GET, PUT, PATCH, DELETE"));
    reply_free(&r);
}

/* A store that cannot open: /healthz says 503, the other routes 500, both as error objects. */
static void test_store_unavailable(void **state)
{
    (void) state;
    char file[300];
    snprintf(file, sizeof(file), "%s/not-a-directory", dir);
    FILE *f = fopen(file, "w");
    assert_non_null(f);
    fclose(f);
    struct api_config cfg = {.listen = "127.0.0.1:0",
                             .state_dir = file,
                             .token = TOKEN,
                             .conninfo = {fake_mask, fake_check, fake_with_password}};
    char *error = NULL;
    struct api_server *main_srv = srv;
    srv = api_start(&cfg, &error);
    assert_non_null(srv);
    expect_error(call_n("GET", "/healthz", NULL, NULL, NULL, 0), 503, NULL);
    expect_error(call("GET", "/api/v1/migrations", NULL), 500, NULL);
    api_stop(srv);
    srv = main_srv;
}

/* Last: nothing any answer said holds the password. */
static void test_no_password_anywhere(void **state)
{
    (void) state;
    assert_true(everything.len > 0);
    assert_null(strstr(sb_str(&everything), PASSWORD));
}

static void test_https(void **state)
{
    (void) state;
    char cmd[1024], cert[300], key[300];
    snprintf(cert, sizeof(cert), "%s/cert.pem", dir);
    snprintf(key, sizeof(key), "%s/key.pem", dir);
    snprintf(cmd, sizeof(cmd),
             "openssl req -x509 -newkey rsa:2048 -nodes -keyout '%s' -out '%s' -days 1 "
             "-subj /CN=localhost >/dev/null 2>&1",
             key, cert);
    if (system(cmd) != 0)
        skip(); /* no openssl to make a certificate with */
    struct api_config cfg = {.listen = "127.0.0.1:0",
                             .state_dir = dir,
                             .token = TOKEN,
                             .tls_cert = cert,
                             .tls_key = key,
                             .conninfo = {fake_mask, fake_check, fake_with_password}};
    char *error = NULL;
    struct api_server *tls = api_start(&cfg, &error);
    if (tls == NULL && error && strstr(error, "no TLS support")) {
        free(error);
        skip();
    }
    if (tls == NULL)
        fail_msg("api_start with TLS: %s", error);
    CURL *c = curl_easy_init();
    char url[128];
    snprintf(url, sizeof(url), "https://127.0.0.1:%d/healthz", api_port(tls));
    strbuf body = STRBUF_INIT;
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 20L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
    CURLcode rc = curl_easy_perform(c);
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(c);
    api_stop(tls);
    if (rc != CURLE_OK)
        fail_msg("https: %s", curl_easy_strerror(rc));
    assert_int_equal(status, 200);
    assert_string_equal(sb_str(&body), "{\"status\":\"ok\"}");
    sb_free(&body);

    /* a certificate without its key is refused */
    cfg.tls_key = NULL;
    assert_null(api_start(&cfg, &error));
    assert_non_null(strstr(error, "both"));
    free(error);
}

static void test_listen_refused(void **state)
{
    (void) state;
    struct api_config cfg = {.listen = "127.0.0.1",
                             .state_dir = dir,
                             .token = TOKEN,
                             .conninfo = {fake_mask, fake_check, fake_with_password}};
    char *error = NULL;
    assert_null(api_start(&cfg, &error));
    assert_non_null(strstr(error, "HOST:PORT"));
    free(error);
    char taken[64];
    snprintf(taken, sizeof(taken), "127.0.0.1:%d", api_port(srv));
    cfg.listen = taken;
    error = NULL;
    assert_null(api_start(&cfg, &error));
    assert_non_null(strstr(error, "cannot listen"));
    free(error);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_auth),
        cmocka_unit_test(test_create_get_list),
        cmocka_unit_test(test_refused_creates),
        cmocka_unit_test(test_chunked_too_large),
        cmocka_unit_test(test_concurrent_requests),
        cmocka_unit_test(test_patch),
        cmocka_unit_test(test_delete),
        cmocka_unit_test(test_views),
        cmocka_unit_test(test_tables_by_state),
        cmocka_unit_test(test_tables_many),
        cmocka_unit_test(test_metrics_and_routes),
        cmocka_unit_test(test_connection_test),
        cmocka_unit_test(test_connection_test_limit),
        cmocka_unit_test(test_https),
        cmocka_unit_test(test_listen_refused),
        cmocka_unit_test(test_store_unavailable),
        cmocka_unit_test(test_no_password_anywhere),
    };
    return cmocka_run_group_tests(tests, start, stop);
}
