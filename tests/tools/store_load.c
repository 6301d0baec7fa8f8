/*
 * store_load — a load generator for the state store (bench/store.sh; issue
 * 16, "200 migrations' progress updates per second across three nodes").
 * It writes through src/store's interface what the workers of several
 * nodes write while their online migrations stream, and measures how the
 * store keeps up:
 *
 *   store_load [--uri URI] --key FILE [--schema NAME] [--migrations N] [--nodes K]
 *              [--threads T] [--seconds S] [--rate R] [--prefix P] [--json FILE] [--keep]
 *   store_load [--uri URI] --key FILE [--schema NAME] [--migrations N] [--nodes K] [--prefix P]
 *              --setup | --cleanup
 *
 * Setup: N migrations P-0 … P-(N-1) (an online spec with fake hosts and a
 * fake password, sealed by the store as any spec), each one's lease taken
 * for owner "load-nK-I" on node "nK" (K = I mod nodes) with a long TTL, so
 * that real `serve` nodes sharing the store see live leases of another
 * node and neither claim nor run them. A migration is created without a
 * lease, and a node claims such one within a second: with nodes running,
 * make them first with --setup (nothing else; they keep their leases for
 * LOAD_LEASE_TTL), start the nodes, then run: the run takes the ones whose
 * lease is still its own as they are.
 *
 * Run, for S seconds, on T threads per node (each with a store handle of
 * its own, as each worker has; a real worker holds two, its main one and
 * its lease thread's, so N real workers hold 2N connections where this
 * tool holds K×T), per migration, as worker_sink.c, lease.c and
 * requests.c do:
 *   - state  its full state JSON (store_migration_set_state with its
 *            fence), R times a second (a worker: at least once a second);
 *   - renew  its lease, every 3 s (a worker: every TTL/5, 15 s / 5);
 *   - event  a streaming event, every 5 s (a worker: one per database
 *            every 5 s at most);
 *   - poll   its requests (store_request_take with its fence), every 0.5 s.
 * Each kind's slots are spread evenly over its period across the
 * migrations. A slot whose time came while its thread was still busy runs
 * late (counted when more than LATE_LIMIT late); one a whole period late
 * is skipped (missed), as a worker writes its newest state, not every one
 * it missed.
 *
 * Prints the sizes of what it writes, a line every 10 s, then a table per
 * kind (wanted and done per second, latency p50/p95/p99/max of the store
 * call alone, errors, missed slots) and, with --json, one JSON line with the same figures.
 * Its own CPU time over the run (getrusage, every thread) is in the
 * figures: on a small machine it competes with the store.
 *
 * Deletes its migrations at the end unless --keep; --cleanup deletes those
 * an earlier --keep run left (P-0 … P-(N-1)) and does nothing else, so that
 * a bench can end its measurement when this program exits, before the
 * deletes. The URI (--uri or PGSHUTTLE_STATE) may hold a password: it is
 * never printed.
 *
 * Exit status: 0 when the run happened (errors are in the figures), 1 when
 * the setup failed or a lease was lost (a node took a migration: the
 * bench's premise is broken), 2 on a usage error.
 */
#include "model/event_json.h"
#include "model/events.h"
#include "model/migration.h"
#include "model/migration_json.h"
#include "model/state.h"
#include "model/state_json.h"
#include "store/store.h"
#include "util/mem.h"
#include "util/timeutil.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

/* Long enough that no node claims a migration even if this tool stalls for minutes. */
#define LOAD_LEASE_TTL 300.0
/* A state write that starts later than this after its slot counts as late (s). */
#define LATE_LIMIT      0.1
#define PROGRESS_PERIOD 10.0

enum op_kind { OP_STATE = 0, OP_RENEW, OP_EVENT, OP_POLL, OP_COUNT };
static const char *const op_names[OP_COUNT] = {"state", "renew", "event", "poll"};

struct options {
    const char *uri;
    const char *key;
    const char *schema;
    const char *prefix;
    const char *json_path;
    int migrations;
    int nodes;
    int threads; /* per node */
    double seconds;
    double rate; /* state writes per migration per second */
    bool keep;
    bool cleanup_only;
    bool setup_only; /* implies keep */
};

/* One fake migration: what its worker knows. */
struct mig {
    int index;
    int64_t id;
    char *name;
    char *owner;
    char *node;
    int64_t epoch;
    double due[OP_COUNT]; /* the next slot of each kind (time_now() clock) */
    int64_t writes;       /* state writes so far: the progress figures grow with them */
};

struct samples {
    double *v;
    size_t n, cap;
};

struct stats {
    struct samples latency[OP_COUNT]; /* seconds */
    struct samples state_lateness;    /* how late each state write started (s) */
    int64_t errors[OP_COUNT];
    int64_t conflicts[OP_COUNT]; /* refused: the fence no longer holds the lease */
    int64_t missed[OP_COUNT];    /* slots skipped, a whole period behind */
    int64_t late;                /* state writes started more than LATE_LIMIT late */
    char *first_error[OP_COUNT];
};

struct load_thread {
    const struct options *o;
    struct store *st; /* owned: this thread's handle */
    struct mig **migs;
    size_t n;
    double end;
    struct stats stats;
    pthread_t thread;
};

static double periods[OP_COUNT];
static volatile sig_atomic_t stop_requested = 0;
static atomic_llong ops_done[OP_COUNT];

static void on_signal(int sig)
{
    (void) sig;
    stop_requested = 1;
}

static void usage(void)
{
    fprintf(stderr,
            "usage: store_load [--uri URI] --key FILE [--schema NAME] [--migrations N] [--nodes "
            "K]\n"
            "                  [--threads T] [--seconds S] [--rate R] [--prefix P] [--json FILE] "
            "[--keep]\n"
            "       store_load [--uri URI] --key FILE [--schema NAME] [--migrations N] [--nodes "
            "K]\n"
            "                  [--prefix P] --setup | --cleanup\n"
            "  --uri URI        the PostgreSQL store (default: $PGSHUTTLE_STATE)\n"
            "  --key FILE       the nodes' secret key file (pgshuttle secret-key FILE)\n"
            "  --schema NAME    the store's schema (default %s)\n"
            "  --migrations N   migrations written (default 200)\n"
            "  --nodes K        nodes their workers are spread over (default 3)\n"
            "  --threads T      threads per node, each with its own store handle (default 8)\n"
            "  --seconds S      how long the load runs (default 60)\n"
            "  --rate R         state writes per migration per second (default 1)\n"
            "  --prefix P       the migrations' names: P-0, P-1, ... (default load)\n"
            "  --json FILE      append the figures as one JSON line to FILE\n"
            "  --keep           leave the migrations (and their live leases) in the store\n"
            "  --cleanup        only delete P-0 ... P-(N-1), left by a run with --keep\n"
            "  --setup          only create them with their leases (a run then takes them as they "
            "are)\n",
            STORE_PG_SCHEMA_DEFAULT);
}

static bool parse_int(const char *s, int min, int *out)
{
    char *end = NULL;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v < min || v > 1000000)
        return false;
    *out = (int) v;
    return true;
}

static bool parse_positive(const char *s, double *out)
{
    char *end = NULL;
    errno = 0;
    double v = strtod(s, &end);
    if (errno != 0 || end == s || *end != '\0' || !(v > 0) || !isfinite(v))
        return false;
    *out = v;
    return true;
}

/* false (usage printed) on a bad command line. */
static bool parse_options(int argc, char **argv, struct options *o)
{
    *o = (struct options){.uri = getenv("PGSHUTTLE_STATE"),
                          .schema = STORE_PG_SCHEMA_DEFAULT,
                          .prefix = "load",
                          .migrations = 200,
                          .nodes = 3,
                          .threads = 8,
                          .seconds = 60,
                          .rate = 1};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--keep") == 0 || strcmp(a, "--cleanup") == 0 || strcmp(a, "--setup") == 0) {
            *(a[2] == 'k' ? &o->keep : a[2] == 'c' ? &o->cleanup_only : &o->setup_only) = true;
            continue;
        }
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage();
            exit(0);
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "store_load: %s: unknown option or missing value\n", a);
            usage();
            return false;
        }
        const char *v = argv[++i];
        bool ok = true;
        if (strcmp(a, "--uri") == 0)
            o->uri = v;
        else if (strcmp(a, "--key") == 0)
            o->key = v;
        else if (strcmp(a, "--schema") == 0)
            o->schema = v;
        else if (strcmp(a, "--prefix") == 0)
            o->prefix = v;
        else if (strcmp(a, "--json") == 0)
            o->json_path = v;
        else if (strcmp(a, "--migrations") == 0)
            ok = parse_int(v, 1, &o->migrations);
        else if (strcmp(a, "--nodes") == 0)
            ok = parse_int(v, 1, &o->nodes);
        else if (strcmp(a, "--threads") == 0)
            ok = parse_int(v, 1, &o->threads);
        else if (strcmp(a, "--seconds") == 0)
            ok = parse_positive(v, &o->seconds);
        else if (strcmp(a, "--rate") == 0)
            ok = parse_positive(v, &o->rate);
        else {
            fprintf(stderr, "store_load: unknown option %s\n", a);
            usage();
            return false;
        }
        if (!ok) {
            fprintf(stderr, "store_load: %s wants a positive number, got \"%s\"\n", a, v);
            return false;
        }
    }
    if (o->uri == NULL || o->uri[0] == '\0' || o->key == NULL) {
        fprintf(stderr, "store_load: the store (--uri or PGSHUTTLE_STATE) and --key are needed\n");
        usage();
        return false;
    }
    return true;
}

/* ---- what a worker writes ------------------------------------------------ */

/* The spec as the API stores it: an online migration of two databases, a password in it. */
static char *spec_text(const char *name, int i)
{
    struct migration_spec s;
    migration_spec_init(&s);
    s.name = xstrdup(name);
    s.mode = MODE_ONLINE;
    s.type = TYPE_VALIDATE_AND_MIGRATE;
    s.source = xasprintf("host=pg-src-%02d.load.example.internal port=5432 user=migrator "
                         "password=not-a-real-password-%d dbname=postgres sslmode=require",
                         i % 50, i);
    s.target = xasprintf("host=pg-dst-%02d.load.example.internal port=5432 user=migrator "
                         "password=not-a-real-password-%d dbname=postgres sslmode=require",
                         i % 20, i);
    sl_push_owned(&s.databases, xasprintf("app_%d", i));
    if (i % 2 == 0)
        sl_push_owned(&s.databases, xasprintf("app_%d_audit", i));
    json_t *doc = migration_spec_to_json(&s, SPEC_JSON_WITH_SECRETS, NULL);
    char *text = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    migration_spec_free(&s);
    return text;
}

/* The validation checks of an online migration, as the registry names them. */
static const char *const instance_checks[] = {
    "Source connectivity",
    "Target connectivity",
    "Source version",
    "Target version",
    "Client tools",
    "Logical replication (wal_level)",
    "Replication slots",
    "WAL senders",
    "Replication privilege",
    "Long-running transactions",
    "Slot WAL retention (max_slot_wal_keep_size)",
    "Source read privileges",
    "Target database creation",
    "Server parameters for extensions",
    "Replication origins on the target",
    "Session replication role on the target",
};
static const char *const database_checks[] = {
    "Source database",
    "Target database",
    "Roles",
    "Target object owners",
    "Extensions",
    "Collations",
    "Encoding",
    "Replica identity",
    "Replica identity privileges",
    "Publication",
    "Objects not streamed",
    "Objects not moved faithfully",
};
#define NCHECKS(a) (sizeof(a) / sizeof((a)[0]))

static void add_checks(struct migration_state *s, const char *scope, const char *const *names,
                       size_t n, double started)
{
    for (size_t c = 0; c < n; c++)
        check_results_add(&s->checks, scope, names[c], CHECK_SUCCEEDED, started + 0.05 * (double) c,
                          0.012 + 0.001 * (double) c, "no problem found", NULL);
}

/*
 * The state of migration m streaming, waiting for its cutover, after its
 * writes-th write: one or two databases copied and streaming, with the
 * figures a real one carries (they grow with every write).
 */
static char *state_text(const struct mig *m, double started)
{
    struct migration_state s;
    migration_state_init(&s);
    s.status = MIG_WAITING_FOR_USER;
    s.substatus = SUB_WAITING_FOR_CUTOVER;
    s.source_type = xstrdup("On-premises");
    s.started_wall = started;
    add_checks(&s, "instance", instance_checks, NCHECKS(instance_checks), started);
    s.ndbs = m->index % 2 == 0 ? 2 : 1;
    s.dbs = xcalloc(s.ndbs, sizeof(*s.dbs));
    int64_t w = m->writes;
    for (size_t d = 0; d < s.ndbs; d++) {
        char *db = d == 0 ? xasprintf("app_%d", m->index) : xasprintf("app_%d_audit", m->index);
        add_checks(&s, db, database_checks, NCHECKS(database_checks), started + 1);
        int64_t bytes = (int64_t) (1 + m->index % 7) * 1536 * 1024 * 1024 / (int64_t) (d + 1);
        s.dbs[d] = (struct db_progress_snapshot){
            .name = db,
            .status = MIG_WAITING_FOR_USER,
            .substatus = SUB_WAITING_FOR_CUTOVER,
            .planned = true,
            .tables_total = 40 + m->index % 30,
            .tables_copied = 40 + m->index % 30,
            .rows_copied = bytes / 180,
            .bytes_copied = bytes,
            .bytes_total = bytes,
            .bytes_sent = bytes + bytes / 9,
            .indexes_total = 85 + m->index % 30,
            .indexes_built = 85 + m->index % 30,
            .constraints_total = 60,
            .constraints_done = 60,
            .index_ms = 93000 + m->index,
            .streaming = true,
            .caught_up = true,
            .lag_bytes = 1024 + (w * 37) % 8192,
            .lag_ms = 40 + (w * 13) % 300,
            .changes_applied = 1000 * w + m->index,
            .txns_applied = 250 * w,
            .inserts_applied = 600 * w,
            .updates_applied = 350 * w,
            .deletes_applied = 50 * w,
            .incoming_bps = 180000 + (w * 7919) % 50000,
            .apply_bps = 175000 + (w * 7919) % 50000,
            .apply_peak_bps = 2400000,
            .backlog_bytes = (w * 37) % 8192,
            .applied_lsn = 0x3000000000ULL + (uint64_t) w * 200000,
            .source_lsn = 0x3000000000ULL + (uint64_t) w * 200000 + 4096,
            .started_ms = (int64_t) (started * 1000) + 2000,
        };
    }
    json_t *doc = migration_state_to_json(&s, SNAPSHOT_JSON_FULL);
    char *text = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    migration_state_free(&s);
    return text;
}

/* The streaming event a worker appends every 5 s, as worker_sink.c makes it. */
static char *event_text(const struct mig *m, double now)
{
    char when[64];
    time_format_iso(now, when, sizeof(when));
    char *db = xasprintf("app_%d", m->index);
    struct event ev = {
        .kind = EV_STREAMING,
        .database = db,
        .lag_bytes = 1024 + (m->writes * 37) % 8192,
        .lag_seconds = 0.05,
        .changes = 1000 * m->writes,
        .transactions = 250 * m->writes,
        .applied_lsn = 0x3000000000ULL + (uint64_t) m->writes * 200000,
        .source_lsn = 0x3000000000ULL + (uint64_t) m->writes * 200000 + 4096,
    };
    struct event_json_meta meta = {.time = when};
    json_t *doc = event_to_json(&ev, &meta);
    char *text = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    free(db);
    return text;
}

/* ---- the run ------------------------------------------------------------- */

static void samples_add(struct samples *s, double v)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 1024;
        s->v = xrealloc(s->v, s->cap * sizeof(double));
    }
    s->v[s->n++] = v;
}

static void samples_merge(struct samples *into, const struct samples *from)
{
    for (size_t i = 0; i < from->n; i++)
        samples_add(into, from->v[i]);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *) a, y = *(const double *) b;
    return (x > y) - (x < y);
}

/* The p-th percentile (nearest rank) of sorted s, NAN when empty. */
static double percentile(const struct samples *s, double p)
{
    if (s->n == 0)
        return NAN;
    size_t rank = (size_t) ceil(p / 100.0 * (double) s->n);
    return s->v[rank < 1 ? 0 : rank - 1];
}

/*
 * Runs one operation of kind k for m: STORE_OK, or why not (*error set).
 * *took gets the store call's time alone: the JSON text is made before it.
 */
static enum store_rc run_op(struct load_thread *t, struct mig *m, enum op_kind k, double started,
                            double *took, char **error)
{
    struct store_fence fence = {.owner = m->owner, .epoch = m->epoch};
    enum store_rc rc = STORE_ERROR;
    double now = time_wall();
    if (k == OP_STATE)
        m->writes++;
    char *text = k == OP_STATE ? state_text(m, started) : k == OP_EVENT ? event_text(m, now) : NULL;
    struct store_request *rs = NULL;
    size_t n = 0;
    double t0 = time_now();
    switch (k) {
    case OP_STATE:
        rc = store_migration_set_state(t->st, m->id, &fence, text,
                                       mig_status_name(MIG_WAITING_FOR_USER),
                                       mig_substatus_name(SUB_WAITING_FOR_CUTOVER), true, error);
        break;
    case OP_RENEW:
        rc = store_lease_renew(t->st, m->id, &fence, LOAD_LEASE_TTL, error);
        break;
    case OP_EVENT:
        rc = store_event_append(t->st, m->id, &fence, now, event_kind_name(EV_STREAMING), text,
                                error);
        break;
    case OP_POLL:
        rc = store_request_take(t->st, m->id, &fence, false, &rs, &n, error);
        break;
    default:
        break;
    }
    *took = time_now() - t0;
    store_request_list_free(rs, n);
    free(text);
    return rc;
}

/* The next slot of any kind among t's migrations. */
static void next_slot(const struct load_thread *t, struct mig **which, enum op_kind *kind)
{
    double best = INFINITY;
    for (size_t i = 0; i < t->n; i++)
        for (int k = 0; k < OP_COUNT; k++)
            if (t->migs[i]->due[k] < best) {
                best = t->migs[i]->due[k];
                *which = t->migs[i];
                *kind = (enum op_kind) k;
            }
}

static void *load_loop(void *arg)
{
    struct load_thread *t = arg;
    double started_wall = time_wall() - 3600; /* the migrations started an hour ago */
    while (!stop_requested) {
        struct mig *m = NULL;
        enum op_kind k = OP_STATE;
        next_slot(t, &m, &k);
        if (m == NULL || m->due[k] >= t->end)
            break;
        double wait = m->due[k] - time_now();
        if (wait > 0) {
            /* in short naps, so that a signal ends the run at once */
            time_sleep(wait < 0.2 ? wait : 0.2);
            continue;
        }
        double t0 = time_now();
        if (k == OP_STATE) {
            samples_add(&t->stats.state_lateness, t0 - m->due[k]);
            t->stats.late += t0 - m->due[k] > LATE_LIMIT;
        }
        char *err = NULL;
        double took = 0;
        enum store_rc rc = run_op(t, m, k, started_wall, &took, &err);
        double t1 = time_now();
        samples_add(&t->stats.latency[k], took);
        atomic_fetch_add(&ops_done[k], 1);
        if (rc != STORE_OK) {
            if (rc == STORE_CONFLICT)
                t->stats.conflicts[k]++;
            else
                t->stats.errors[k]++;
            if (t->stats.first_error[k] == NULL)
                t->stats.first_error[k] =
                    rc == STORE_CONFLICT
                        ? xasprintf("%s: the lease is another owner's (a node claimed it?)",
                                    m->name)
                        : xasprintf("%s: %s", m->name, err ? err : "no reason given");
        }
        free(err);
        /* the fixed schedule, not "a period after this one": slots do not drift */
        m->due[k] += periods[k];
        while (m->due[k] + periods[k] <= t1) {
            m->due[k] += periods[k];
            t->stats.missed[k]++;
        }
    }
    return NULL;
}

/* ---- setup and cleanup ---------------------------------------------------- */

/* CPU seconds (user + system) this process used so far, every thread. */
static double cpu_seconds(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0)
        return 0;
    return (double) (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           (double) (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static struct store *open_store(const struct options *o)
{
    struct store_config cfg = {.uri = o->uri, .schema = o->schema, .secret_key_file = o->key};
    char *err = NULL;
    struct store *st = store_open_config(&cfg, &err);
    if (st == NULL) {
        fprintf(stderr, "store_load: cannot open the store: %s\n", err ? err : "no reason given");
        free(err);
    }
    return st;
}

/* Creates m (again, if an earlier run left it), takes its lease and writes its first state. */
/*
 * A migration --setup made (its lease still ours: live, same owner) is
 * taken as it is, so that nodes started after --setup never see one
 * without a lease; any other of that name (an earlier run's, of other
 * options) is replaced. *id gets its id, 0 when it must be made.
 */
static enum store_rc reuse_or_drop(struct store *st, const struct mig *m, int64_t *id,
                                   bool *replaced, char **err)
{
    struct store_migration got;
    *id = 0;
    enum store_rc rc = store_migration_get(st, m->name, &got, err);
    if (rc == STORE_NOT_FOUND)
        return STORE_OK;
    if (rc != STORE_OK)
        return rc;
    if (got.lease_owner && strcmp(got.lease_owner, m->owner) == 0 &&
        got.lease_expires > time_wall())
        *id = got.id;
    store_migration_free(&got);
    if (*id != 0)
        return STORE_OK;
    *replaced = true;
    return store_migration_delete(st, m->name, err);
}

static bool setup_one(struct store *st, struct mig *m, bool *replaced)
{
    char *err = NULL;
    enum store_rc rc = reuse_or_drop(st, m, &m->id, replaced, &err);
    if (rc == STORE_OK && m->id == 0) {
        /* from here to the lease below, a node's supervisor may claim it: see --setup */
        char *spec = spec_text(m->name, m->index);
        rc = store_migration_create(st, m->name, spec, 0, &m->id, &err);
        free(spec);
    }
    if (rc == STORE_OK)
        rc = store_lease_acquire(st, m->id, m->owner, (int64_t) getpid(), m->node, LOAD_LEASE_TTL,
                                 &m->epoch, &err);
    if (rc == STORE_OK) {
        char *state = state_text(m, time_wall() - 3600);
        struct store_fence fence = {.owner = m->owner, .epoch = m->epoch};
        rc = store_migration_set_state(st, m->id, &fence, state,
                                       mig_status_name(MIG_WAITING_FOR_USER),
                                       mig_substatus_name(SUB_WAITING_FOR_CUTOVER), true, &err);
        free(state);
    }
    if (rc != STORE_OK) {
        fprintf(stderr, "store_load: setting up %s: %s\n", m->name,
                rc == STORE_CONFLICT ? "its lease is another owner's"
                : err                ? err
                                     : "store error");
        free(err);
        return false;
    }
    return true;
}

static void mig_free(struct mig *m)
{
    free(m->name);
    free(m->owner);
    free(m->node);
}

/* Deletes migrations migs[0..n) by name (gone already is fine); false if some could not be. */
static bool cleanup(struct store *st, struct mig *migs, int n)
{
    bool ok = true;
    for (int i = 0; i < n; i++) {
        char *err = NULL;
        enum store_rc rc = store_migration_delete(st, migs[i].name, &err);
        if (rc != STORE_OK && rc != STORE_NOT_FOUND) {
            fprintf(stderr, "store_load: cannot delete %s: %s\n", migs[i].name,
                    err ? err : "no reason given");
            ok = false;
        }
        free(err);
    }
    return ok;
}

/* ---- report ---------------------------------------------------------------- */

/* Milliseconds for the table: "-" when there is no figure. */
static void fmt_ms(char *out, size_t len, double seconds)
{
    if (isnan(seconds))
        snprintf(out, len, "-");
    else
        snprintf(out, len, "%.1f", seconds * 1000);
}

static json_t *json_ms(double seconds)
{
    return isnan(seconds) ? json_null() : json_real(round(seconds * 1e6) / 1e3);
}

/* What a run measured besides the operations. */
struct run_info {
    size_t spec_bytes, state_bytes, event_bytes;
    double setup_seconds;
    double elapsed;
    double cpu_seconds; /* this process's, over the run */
};

/* Prints the table; returns the JSON line's object (the caller decrefs it). */
static json_t *report(const struct options *o, struct stats *all, const struct run_info *ri)
{
    double elapsed = ri->elapsed;
    json_t *ops = json_object();
    printf("\nstore_load: %d migrations, %d nodes x %d threads, %.1f s, state %zu bytes, "
           "CPU %.1f s (%.0f %% of one core)\n",
           o->migrations, o->nodes, o->threads, elapsed, ri->state_bytes, ri->cpu_seconds,
           100 * ri->cpu_seconds / elapsed);
    printf("%-6s %9s %9s %8s %8s %8s %8s %7s %9s %7s\n", "kind", "wanted/s", "done/s", "p50 ms",
           "p95 ms", "p99 ms", "max ms", "errors", "conflicts", "missed");
    for (int k = 0; k < OP_COUNT; k++) {
        struct samples *s = &all->latency[k];
        qsort(s->v, s->n, sizeof(double), cmp_double);
        double wanted = o->migrations / periods[k];
        double done = elapsed > 0 ? (double) s->n / elapsed : 0;
        double p[4] = {percentile(s, 50), percentile(s, 95), percentile(s, 99),
                       s->n ? s->v[s->n - 1] : NAN};
        char f[4][32];
        for (int i = 0; i < 4; i++)
            fmt_ms(f[i], sizeof(f[i]), p[i]);
        printf("%-6s %9.1f %9.1f %8s %8s %8s %8s %7lld %9lld %7lld\n", op_names[k], wanted, done,
               f[0], f[1], f[2], f[3], (long long) all->errors[k], (long long) all->conflicts[k],
               (long long) all->missed[k]);
        json_object_set_new(
            ops, op_names[k],
            json_pack("{s:f, s:f, s:I, s:o, s:o, s:o, s:o, s:I, s:I, s:I, s:s?}", "wanted_per_s",
                      wanted, "done_per_s", round(done * 100) / 100, "n", (json_int_t) s->n,
                      "p50_ms", json_ms(p[0]), "p95_ms", json_ms(p[1]), "p99_ms", json_ms(p[2]),
                      "max_ms", json_ms(p[3]), "errors", (json_int_t) all->errors[k], "conflicts",
                      (json_int_t) all->conflicts[k], "missed", (json_int_t) all->missed[k],
                      "first_error", all->first_error[k]));
    }
    struct samples *late = &all->state_lateness;
    qsort(late->v, late->n, sizeof(double), cmp_double);
    double late_p99 = percentile(late, 99), late_max = late->n ? late->v[late->n - 1] : NAN;
    printf("state writes started more than %.0f ms late: %lld of %zu (%.2f %%); lateness p99 "
           "%.1f ms, max %.1f ms\n",
           LATE_LIMIT * 1000, (long long) all->late, late->n,
           late->n ? 100.0 * (double) all->late / (double) late->n : 0.0,
           isnan(late_p99) ? 0 : late_p99 * 1000, isnan(late_max) ? 0 : late_max * 1000);
    for (int k = 0; k < OP_COUNT; k++)
        if (all->first_error[k])
            printf("first %s error: %s\n", op_names[k], all->first_error[k]);
    fflush(stdout);
    return json_pack(
        "{s:s, s:i, s:i, s:i, s:i, s:f, s:f, s:f, s:f, s:I, s:I, s:I, s:f, s:o, "
        "s:I, s:I, s:o, s:o}",
        "kind", "store_load", "migrations", o->migrations, "nodes", o->nodes, "threads_per_node",
        o->threads, "connections", o->nodes * o->threads, "rate", o->rate, "seconds", elapsed,
        "setup_s", ri->setup_seconds, "cpu_s", ri->cpu_seconds, "state_bytes",
        (json_int_t) ri->state_bytes, "spec_bytes", (json_int_t) ri->spec_bytes, "event_bytes",
        (json_int_t) ri->event_bytes, "late_limit_ms", LATE_LIMIT * 1000, "ops", ops, "state_late",
        (json_int_t) all->late, "state_writes", (json_int_t) late->n, "state_lateness_p99_ms",
        json_ms(late_p99), "state_lateness_max_ms", json_ms(late_max));
}

static bool write_json(const char *path, json_t *doc)
{
    FILE *f = fopen(path, "a");
    /* 6 significant digits: milliseconds to the microsecond, without binary noise */
    char *text = json_dumps(doc, JSON_COMPACT | JSON_REAL_PRECISION(6));
    bool ok = f != NULL && text != NULL && fprintf(f, "%s\n", text) > 0;
    if (f != NULL && fclose(f) != 0)
        ok = false;
    if (!ok)
        fprintf(stderr, "store_load: cannot write %s: %s\n", path, strerror(errno));
    free(text);
    return ok;
}

/* One line every PROGRESS_PERIOD s while the threads run: the rates of the last period. */
static void watch(double start, double end)
{
    long long last[OP_COUNT] = {0};
    double last_t = start, next = start + PROGRESS_PERIOD;
    while (!stop_requested && time_now() < end) {
        time_sleep(0.2);
        if (time_now() < next)
            continue;
        double now = time_now();
        fprintf(stderr, "store_load: %3.0f s", now - start);
        for (int k = 0; k < OP_COUNT; k++) {
            long long v = atomic_load(&ops_done[k]);
            fprintf(stderr, "  %s %.1f/s", op_names[k], (double) (v - last[k]) / (now - last_t));
            last[k] = v;
        }
        fprintf(stderr, "\n");
        last_t = now;
        next += PROGRESS_PERIOD;
    }
}

/* The migrations' names, owners and nodes (nothing in the store yet). */
static struct mig *migs_new(const struct options *o)
{
    struct mig *migs = xcalloc((size_t) o->migrations, sizeof(*migs));
    for (int i = 0; i < o->migrations; i++) {
        migs[i].index = i;
        migs[i].name = xasprintf("%s-%d", o->prefix, i);
        migs[i].node = xasprintf("n%d", i % o->nodes);
        migs[i].owner = xasprintf("load-n%d-%d", i % o->nodes, i);
    }
    return migs;
}

/* Sets up the migrations; *set_up gets how many were touched (to delete at the end). */
static bool setup_all(const struct options *o, struct store *st, struct mig *migs,
                      struct run_info *ri, int *set_up)
{
    char *spec = spec_text(migs[0].name, 0);
    char *state = state_text(&migs[0], time_wall());
    char *event = event_text(&migs[0], time_wall());
    ri->spec_bytes = strlen(spec);
    ri->state_bytes = strlen(state);
    ri->event_bytes = strlen(event);
    free(spec);
    free(state);
    free(event);
    printf("store_load: a spec is %zu bytes, a state %zu bytes, a streaming event %zu bytes\n",
           ri->spec_bytes, ri->state_bytes, ri->event_bytes);
    double t0 = time_now();
    int replaced = 0;
    bool ok = true;
    for (*set_up = 0; *set_up < o->migrations && ok && !stop_requested; ++*set_up) {
        bool was = false;
        ok = setup_one(st, &migs[*set_up], &was);
        replaced += was;
    }
    ri->setup_seconds = time_now() - t0;
    printf("store_load: %d migrations set up with their leases in %.1f s%s\n", *set_up,
           ri->setup_seconds, replaced ? " (some replaced ones an earlier run left)" : "");
    return ok && !stop_requested;
}

/* Adds a thread's figures s to all and frees them. */
static void stats_merge(struct stats *all, struct stats *s)
{
    for (int k = 0; k < OP_COUNT; k++) {
        samples_merge(&all->latency[k], &s->latency[k]);
        all->errors[k] += s->errors[k];
        all->conflicts[k] += s->conflicts[k];
        all->missed[k] += s->missed[k];
        if (all->first_error[k] == NULL && s->first_error[k])
            all->first_error[k] = xstrdup(s->first_error[k]);
        free(s->latency[k].v);
        free(s->first_error[k]);
    }
    samples_merge(&all->state_lateness, &s->state_lateness);
    all->late += s->late;
    free(s->state_lateness.v);
}

/*
 * The run: K×T threads, each with a handle opened before the clock starts,
 * migration i on node i mod K and thread (i / K) mod T of that node. Their
 * figures are merged into all. false if a handle or a thread could not start.
 */
static bool run_all(const struct options *o, struct mig *migs, struct stats *all,
                    struct run_info *ri)
{
    int nthreads = o->nodes * o->threads, started = 0;
    struct load_thread *threads = xcalloc((size_t) nthreads, sizeof(*threads));
    bool ok = true;
    for (int i = 0; ok && i < nthreads; i++) {
        threads[i].o = o;
        threads[i].st = open_store(o);
        ok = threads[i].st != NULL;
    }
    for (int i = 0; ok && i < o->migrations; i++) {
        struct load_thread *t = &threads[(i % o->nodes) * o->threads + (i / o->nodes) % o->threads];
        t->migs = xrealloc(t->migs, (t->n + 1) * sizeof(*t->migs));
        t->migs[t->n++] = &migs[i];
    }
    double start = time_now() + 0.5, end = start + o->seconds, cpu0 = cpu_seconds();
    for (int i = 0; i < o->migrations; i++)
        for (int k = 0; k < OP_COUNT; k++)
            /* spread evenly over the period, each kind shifted a little from the others */
            migs[i].due[k] = start + periods[k] * fmod((i + k / 4.0) / o->migrations, 1.0);
    for (; ok && started < nthreads; started++) {
        threads[started].end = end;
        if (threads[started].n > 0 &&
            pthread_create(&threads[started].thread, NULL, load_loop, &threads[started]) != 0) {
            fprintf(stderr, "store_load: cannot start a thread\n");
            stop_requested = 1;
            ok = false;
            break;
        }
    }
    if (ok) {
        printf("store_load: running for %.0f s on %d threads (%d store connections)\n", o->seconds,
               nthreads, nthreads);
        fflush(stdout);
        watch(start, end);
    }
    for (int i = 0; i < started; i++)
        if (threads[i].n > 0)
            pthread_join(threads[i].thread, NULL);
    ri->elapsed = (stop_requested ? time_now() : end) - start;
    ri->cpu_seconds = cpu_seconds() - cpu0;
    for (int i = 0; i < nthreads; i++) {
        stats_merge(all, &threads[i].stats);
        free(threads[i].migs);
        if (threads[i].st)
            store_close(threads[i].st);
    }
    free(threads);
    return ok;
}

/* The table and the JSON line; false if the JSON could not be written or a lease was lost. */
static bool report_all(const struct options *o, struct stats *all, const struct run_info *ri)
{
    json_t *doc = report(o, all, ri);
    bool ok = o->json_path == NULL || write_json(o->json_path, doc);
    json_decref(doc);
    int64_t conflicts = 0;
    for (int k = 0; k < OP_COUNT; k++)
        conflicts += all->conflicts[k];
    if (conflicts > 0)
        fprintf(stderr, "store_load: %lld writes were refused: a lease was lost\n",
                (long long) conflicts);
    return ok && conflicts == 0;
}

int main(int argc, char **argv)
{
    struct options o;
    if (!parse_options(argc, argv, &o))
        return 2;
    periods[OP_STATE] = 1.0 / o.rate;
    periods[OP_RENEW] = 3.0;
    periods[OP_EVENT] = 5.0;
    periods[OP_POLL] = 0.5;
    struct sigaction sa = {.sa_handler = on_signal};
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    struct store *st = open_store(&o);
    if (st == NULL)
        return 1;
    printf("store_load: store %s\n", store_path(st)); /* never the password */
    struct mig *migs = migs_new(&o);
    int set_up = o.migrations;
    bool ok = true;
    if (o.setup_only) {
        struct run_info ri = {0};
        ok = setup_all(&o, st, migs, &ri, &set_up);
        o.keep = true;
    } else if (!o.cleanup_only) {
        struct run_info ri = {0};
        struct stats all = {0};
        ok = setup_all(&o, st, migs, &ri, &set_up) && run_all(&o, migs, &all, &ri);
        if (ok && ri.elapsed > 0)
            ok = report_all(&o, &all, &ri);
        for (int k = 0; k < OP_COUNT; k++) {
            free(all.latency[k].v);
            free(all.first_error[k]);
        }
        free(all.state_lateness.v);
    }
    if (o.keep)
        printf("store_load: --keep: %d migrations left in the store, their leases live for %.0f s "
               "more\n",
               set_up, LOAD_LEASE_TTL);
    else if (!cleanup(st, migs, set_up))
        ok = false;
    else
        printf("store_load: %d migrations deleted\n", set_up);
    for (int i = 0; i < o.migrations; i++)
        mig_free(&migs[i]);
    free(migs);
    store_close(st);
    return ok ? 0 : 1;
}
