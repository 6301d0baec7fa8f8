/*
 * resource_json.c — the API's migration resource and error object (see
 * resource_json.h). Names follow Azure's migration resource where it has
 * the idea (dbDetails, fullLoad*Tables, validationDetails...); the figures
 * it lacks (bytes, throughput, ETA, LSNs, lag in bytes) are pgshuttle's.
 *
 * Rates and durations are measured up to the last state write
 * (times->updated), not to the moment of the request, so one stored state
 * always gives the same resource.
 */
#include "model/resource_json.h"
#include "model/lsn.h"
#include "model/source_type.h"
#include "model/readiness.h"
#include "model/utc_time.h"
#include "util/mem.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static json_t *time_or_null(double wall)
{
    if (wall <= 0)
        return json_null();
    char text[UTC_TIME_SIZE];
    utc_time_format(wall, text, sizeof(text));
    return json_string(text);
}

static json_t *string_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *lsn_or_null(uint64_t lsn)
{
    if (lsn == 0)
        return json_null();
    char text[LSN_TEXT_SIZE];
    lsn_to_text(lsn, text, sizeof(text));
    return json_string(text);
}

static json_t *seconds_or_null(bool known, double seconds)
{
    return known ? json_integer((json_int_t) llround(seconds)) : json_null();
}

/*
 * The online figures behind readyForCutoverEtaSeconds (model/readiness.h):
 * r is the database's prediction, NULL when the migration is offline (then
 * every one is null).
 */
static void put_readiness(json_t *o, const struct db_progress_snapshot *d,
                          const struct readiness_db *r)
{
    bool online = r != NULL;
    json_object_set_new(o, "readyForCutoverEtaSeconds",
                        seconds_or_null(online && r->known, online ? r->eta_seconds : 0));
    json_object_set_new(o, "incomingBytesPerSecond",
                        online ? json_integer(d->incoming_bps) : json_null());
    json_object_set_new(o, "applyBytesPerSecond",
                        online ? json_integer(d->apply_bps) : json_null());
    json_object_set_new(o, "lagTrendBytesPerSecond",
                        online && r->trend_known ? json_integer((json_int_t) llround(r->trend_bps))
                                                 : json_null());
    json_object_set_new(o, "backlogBytes", online ? json_integer(d->backlog_bytes) : json_null());
}

/*
 * One database's dbDetails entry from its snapshot (NULL: a database with no
 * figures yet) and its readiness (NULL: offline).
 */
static json_t *db_details(const char *name, const struct db_progress_snapshot *d,
                          const struct readiness_db *ready, const struct migration_state *state,
                          const struct resource_times *times)
{
    static const struct db_progress_snapshot none = {0};
    if (d == NULL)
        d = &none;
    double started = d->started_ms / 1000.0, finished = d->finished_ms / 1000.0;
    double until = finished > 0 ? finished : times->updated;
    double bytes_per_second = 0, eta = 0;
    bool copying = started > 0 && finished <= 0 && !d->streaming;
    if (copying && until > started) {
        bytes_per_second = d->bytes_copied / (until - started);
        if (bytes_per_second > 0 && d->bytes_total > d->bytes_copied)
            eta = (d->bytes_total - d->bytes_copied) / bytes_per_second;
    }
    int queued = d->tables_total - d->tables_copying - d->tables_copied - d->tables_failed;
    const char *message = NULL;
    if (state && state->error && state->error_database && strcmp(state->error_database, name) == 0)
        message = state->error;
    enum mig_substatus sub = d == &none && state ? state->substatus : d->substatus;
    if (d == &none && state == NULL)
        sub = SUB_PREREQUISITES;

    json_t *o = json_object();
    json_object_set_new(o, "databaseName", json_string(name));
    json_object_set_new(o, "migrationState", json_string(mig_substatus_name(sub)));
    json_object_set_new(
        o, "status", json_string(mig_status_name(d == &none && state ? state->status : d->status)));
    json_object_set_new(o, "startedOn", time_or_null(started));
    json_object_set_new(o, "endedOn", time_or_null(finished));
    json_object_set_new(o, "message", string_or_null(message));
    json_object_set_new(o, "fullLoadQueuedTables", json_integer(queued > 0 ? queued : 0));
    json_object_set_new(o, "fullLoadLoadingTables", json_integer(d->tables_copying));
    json_object_set_new(o, "fullLoadCompletedTables", json_integer(d->tables_copied));
    json_object_set_new(o, "fullLoadErroredTables", json_integer(d->tables_failed));
    json_object_set_new(o, "rowsCopied", json_integer(d->rows_copied));
    json_object_set_new(o, "bytesCopied", json_integer(d->bytes_copied));
    json_object_set_new(o, "bytesTotal", json_integer(d->bytes_total));
    json_object_set_new(o, "bytesSent", json_integer(d->bytes_sent));
    json_object_set_new(o, "bytesPerSecond", json_integer((json_int_t) llround(bytes_per_second)));
    json_object_set_new(o, "etaSeconds", json_integer((json_int_t) llround(eta)));
    json_object_set_new(o, "largeObjects", json_integer(d->large_objects));
    json_object_set_new(o, "largeObjectBytes", json_integer(d->large_object_bytes));
    json_object_set_new(o, "indexesBuilt", json_integer(d->indexes_built));
    json_object_set_new(o, "indexesTotal", json_integer(d->indexes_total));
    json_object_set_new(o, "constraintsBuilt", json_integer(d->constraints_done));
    json_object_set_new(o, "constraintsTotal", json_integer(d->constraints_total));
    json_object_set_new(o, "streaming", json_boolean(d->streaming));
    json_object_set_new(o, "caughtUp", json_boolean(d->caught_up));
    json_object_set_new(o, "cdcInsertCounter", json_integer(d->inserts_applied));
    json_object_set_new(o, "cdcUpdateCounter", json_integer(d->updates_applied));
    json_object_set_new(o, "cdcDeleteCounter", json_integer(d->deletes_applied));
    json_object_set_new(o, "cdcTruncateCounter", json_integer(d->truncates_applied));
    json_object_set_new(o, "appliedChanges", json_integer(d->changes_applied));
    json_object_set_new(o, "appliedTransactions", json_integer(d->txns_applied));
    json_object_set_new(o, "latency", json_real(d->lag_ms / 1000.0));
    json_object_set_new(o, "lagBytes", json_integer(d->lag_bytes));
    json_object_set_new(o, "confirmedLsn", lsn_or_null(d->applied_lsn));
    json_object_set_new(o, "sourceLsn", lsn_or_null(d->source_lsn));
    json_object_set_new(o, "waitingFor", string_or_null(d->waiting_for));
    put_readiness(o, d, ready);
    return o;
}

json_t *resource_check_to_json(const struct check_result *c)
{
    const char *state = check_status_name(c->status);
    json_t *messages = json_array();
    json_array_append_new(
        messages, json_pack("{s:s, s:s}", "state", state, "message", c->message ? c->message : ""));
    return json_pack("{s:s, s:s, s:o, s:I, s:o, s:o}", "type", c->name ? c->name : "", "state",
                     state, "startedOn", time_or_null(c->started), "durationMs",
                     (json_int_t) llround(c->seconds * 1000.0), "messages", messages, "remediation",
                     string_or_null(c->remediation));
}

/* The span of some checks: the first start and the last end (start + duration); 0 when unknown. */
struct check_span {
    double start, end;
};

static void span_add(struct check_span *sp, const struct check_result *c)
{
    if (c->started <= 0) /* a state stored before checks had times */
        return;
    if (sp->start <= 0 || c->started < sp->start)
        sp->start = c->started;
    if (c->started + c->seconds > sp->end)
        sp->end = c->started + c->seconds;
}

/* One database's checks in validationDetails: its scope, their objects and their span. */
struct db_checks {
    const char *scope;
    json_t *summary;
    struct check_span span;
};

/*
 * validationDetails: the instance checks, then each database's in the order
 * they first appear, each database's entry with its own span, and the span
 * of them all.
 */
static json_t *validation_details(const struct migration_state *state)
{
    json_t *server = json_array(), *dbs = json_array();
    const struct check_results *r = state ? &state->checks : NULL;
    size_t n = r ? r->n : 0, ndbs = 0;
    struct check_span all = {0, 0};
    struct db_checks *db = NULL; /* per database, in the order they first appear */
    for (size_t i = 0; i < n; i++) {
        const struct check_result *c = &r->items[i];
        const char *scope = c->scope ? c->scope : "instance";
        span_add(&all, c);
        if (strcmp(scope, "instance") == 0) {
            json_array_append_new(server, resource_check_to_json(c));
            continue;
        }
        size_t j = 0;
        while (j < ndbs && strcmp(db[j].scope, scope) != 0)
            j++;
        if (j == ndbs) {
            db = xrealloc(db, (ndbs + 1) * sizeof(*db));
            db[ndbs++] = (struct db_checks){scope, json_array(), {0, 0}};
        }
        span_add(&db[j].span, c);
        json_array_append_new(db[j].summary, resource_check_to_json(c));
    }
    for (size_t j = 0; j < ndbs; j++)
        json_array_append_new(dbs,
                              json_pack("{s:s, s:o, s:o, s:o}", "databaseName", db[j].scope,
                                        "startedOn", time_or_null(db[j].span.start), "endedOn",
                                        time_or_null(db[j].span.end), "summary", db[j].summary));
    free(db);
    json_t *status = n ? json_string(check_status_name(check_results_worst(r))) : json_null();
    return json_pack("{s:o, s:o, s:o, s:o, s:o}", "status", status, "validationStartTimeInUtc",
                     time_or_null(all.start), "validationEndTimeInUtc", time_or_null(all.end),
                     "serverLevelValidationDetails", server, "dbLevelValidationDetails", dbs);
}

static json_t *current_status(const struct migration_spec *spec,
                              const struct migration_state *state,
                              const struct resource_times *times)
{
    /* Online: the time until ready for cutover, as of the last state write. */
    bool online = spec->mode == MODE_ONLINE;
    size_t ndbs = state ? state->ndbs : 0;
    struct readiness_db *ready = xcalloc(ndbs + 1, sizeof(*ready));
    double eta =
        online && ndbs ? readiness_estimate(state->dbs, ndbs, times->updated, ready) : -1.0;
    json_t *details = json_object();
    for (size_t i = 0; i < spec->databases.n; i++) {
        const char *db = spec->databases.items[i];
        const struct db_progress_snapshot *d = NULL;
        const struct readiness_db *r = NULL;
        for (size_t j = 0; state && j < state->ndbs; j++)
            if (state->dbs[j].name && strcmp(state->dbs[j].name, db) == 0) {
                d = &state->dbs[j];
                r = &ready[j];
            }
        json_object_set_new(details, db, db_details(db, d, online ? r : NULL, state, times));
        if (d == NULL)
            eta = -1.0; /* a database with no figures yet: its time is unknown */
    }
    free(ready);
    enum mig_status status = state ? state->status : MIG_IN_PROGRESS;
    bool ended = mig_status_is_final(status);
    enum mig_substatus sub = state ? state->substatus : SUB_PREREQUISITES;
    json_t *warnings = json_array();
    for (size_t i = 0; state && i < state->warnings.n; i++)
        json_array_append_new(warnings, json_string(state->warnings.items[i]));
    json_t *sub_details =
        json_pack("{s:s, s:o, s:o}", "currentSubState", mig_substatus_name(sub), "dbDetails",
                  details, "validationDetails", validation_details(state));
    return json_pack("{s:s, s:o, s:o, s:o, s:o, s:o}", "state", mig_status_name(status), "error",
                     string_or_null(state ? state->error : NULL), "errorDatabase",
                     string_or_null(state ? state->error_database : NULL), "warnings", warnings,
                     "readyForCutoverEtaSeconds", seconds_or_null(!ended && eta >= 0, eta),
                     "currentSubStateDetails", sub_details);
}

json_t *migration_resource_to_json(const char *name, const struct migration_spec *spec,
                                   const struct migration_state *state,
                                   const struct resource_times *times, spec_conninfo_masker mask)
{
    json_t *doc = migration_spec_to_json(spec, SPEC_JSON_MASKED, mask);
    json_t *p = json_object_get(doc, "properties"); /* borrowed */
    double started = state ? state->started_wall : 0, ended = state ? state->finished_wall : 0;
    json_object_set_new(p, "startedOn", time_or_null(started));
    json_object_set_new(p, "endedOn", time_or_null(ended));
    if (started > 0) {
        double until = ended > 0 ? ended : times->updated;
        json_object_set_new(
            p, "durationSeconds",
            json_integer((json_int_t) llround(until > started ? until - started : 0)));
    } else
        json_object_set_new(p, "durationSeconds", json_null());
    json_object_set_new(p, "currentStatus", current_status(spec, state, times));
    /* what the source is, as validation found it (or as given); null before validation */
    const char *detected =
        state && state->source_type ? source_type_api_word(state->source_type) : NULL;
    json_object_set_new(p, "detectedSourceType", string_or_null(detected));

    json_object_set_new(doc, "name", json_string(name));
    json_object_set_new(doc, "systemData",
                        json_pack("{s:o, s:o}", "createdAt", time_or_null(times->created),
                                  "lastModifiedAt", time_or_null(times->updated)));
    return doc;
}

void migration_resource_trim_for_grid(json_t *doc)
{
    json_t *status = json_object_get(json_object_get(doc, "properties"), "currentStatus");
    json_t *sub = json_object_get(status, "currentSubStateDetails");
    json_object_del(sub, "dbDetails");
    json_object_del(sub, "validationDetails");
}

json_t *resource_error_to_json(const char *code, const char *message, const char *target)
{
    return json_pack("{s:{s:s, s:s, s:o}}", "error", "code", code, "message",
                     message ? message : "", "target", string_or_null(target));
}
