/*
 * routes_connection_test.c — POST /api/v1/testConnection: the create
 * form's "test connection". The body is a create's (properties with
 * sourceServer and targetServer, dbsToMigrate optional; secretParameters
 * optional); the answer is the instance checks of the migration mode run
 * against the two servers by the caller's function (api.h), each as
 * validationDetails gives it:
 *
 *   200 {"status": "Succeeded|Warning|Failed", "checks": [check, ...]}
 *
 * A test holds a server thread for up to its servers' connect_timeout, so
 * at most API_TESTS_MAX run at once; one more gets 429. Nothing is written
 * to the store, and neither the answer nor the log holds a connection
 * string or a password.
 */
#include "api/api_internal.h"
#include "model/resource_json.h"
#include "util/log.h"
#include "util/timeutil.h"

#include <stdio.h>

/* Takes a test slot; false when API_TESTS_MAX tests run already. */
static bool slot_take(struct api_ctx *ctx)
{
    pthread_mutex_lock(&ctx->pool_lock);
    bool ok = ctx->tests_running < API_TESTS_MAX;
    if (ok)
        ctx->tests_running++;
    pthread_mutex_unlock(&ctx->pool_lock);
    return ok;
}

static void slot_give(struct api_ctx *ctx)
{
    pthread_mutex_lock(&ctx->pool_lock);
    ctx->tests_running--;
    pthread_mutex_unlock(&ctx->pool_lock);
}

void api_route_test_connection(struct api_ctx *ctx, const struct api_request *req,
                               struct api_answer *a)
{
    if (ctx->connection_test == NULL) {
        api_answer_error(a, 501, "NotImplemented", "this server cannot test connections", NULL);
        return;
    }
    struct migration_spec spec;
    if (!api_spec_body_read(ctx, req, NULL, true, &spec, a))
        return;
    if (!slot_take(ctx)) {
        migration_spec_free(&spec);
        char msg[160];
        snprintf(msg, sizeof(msg),
                 "%d connection tests are running already: try again when one has ended",
                 API_TESTS_MAX);
        api_answer_error(a, 429, "TooManyRequests", msg, NULL);
        return;
    }
    double t0 = time_now();
    struct check_results results = CHECK_RESULTS_INIT;
    ctx->connection_test(&spec, &results);
    slot_give(ctx);
    enum check_status worst = results.n ? check_results_worst(&results) : CHECK_FAILED;
    json_t *checks = json_array();
    for (size_t i = 0; i < results.n; i++)
        json_array_append_new(checks, resource_check_to_json(&results.items[i]));
    log_msg(LOG_INFO, "api: connection test (%s): %s, %zu checks in %.1f s",
            mig_mode_name(spec.mode), check_status_name(worst), results.n, time_now() - t0);
    check_results_free(&results);
    migration_spec_free(&spec);
    api_answer_json(a, 200,
                    json_pack("{s:s, s:o}", "status", check_status_name(worst), "checks", checks));
}
