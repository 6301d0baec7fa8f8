/*
 * supervisor.c — the supervisor inside `pgshuttle serve`, one per node
 * (docs/SERVICE.md, Leases and restarts; docs/NODES.md). Once a second it
 * writes the node's heartbeat, reaps its children and looks at the store's
 * active migrations: one its own worker runs is left alone; one whose live
 * lease a worker of an earlier serve of this node holds is re-adopted; one
 * another node runs is that node's. Then it claims, up to its capacity,
 * migrations whose lease nobody holds (store_lease_claim: several nodes
 * claim at once without taking the same one) and starts a worker on each
 * with the claimed lease, counted as a restart if the last holder died
 * (its lease ran out), under the restart policy (more than restart_max
 * restarts within restart_window: Failed). A draining node claims nothing
 * and asks its workers (SIGUSR1) to hand over at a safe point. Migrations
 * that ended with a delete request are removed with their log. A stop stops
 * the workers with SIGTERM (they give their leases up: another node, or the
 * next start, resumes them), then SIGKILL after 30 seconds.
 *
 * The lease decides who runs a migration, never the supervisor's memory: a
 * worker that finds its claim taken exits, so no migration ever has two.
 */
#include "model/event_json.h"
#include "model/state_json.h"
#include "service/internal.h"
#include "service/node.h"
#include "service/service.h"
#include "util/log.h"
#include "util/statedir.h"
#include "util/mem.h"
#include "util/timeutil.h"

#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define STOP_GRACE 30.0
/* Migrations one round claims at most when the node has no capacity limit. */
#define CLAIM_BATCH 16

/* What the supervisor knows of one migration's worker. */
struct slot {
    int64_t id;
    char *name;         /* owned */
    pid_t child;        /* our running child, 0 = none */
    pid_t adopted;      /* a live worker of an earlier serve on this host, 0 = none */
    int exits;          /* children of ours that ended */
    char *last_exit;    /* owned: how the last one ended, NULL = unknown */
    bool seen;          /* in this round's list of active migrations */
    pid_t waiting;      /* a dead worker whose lease we wait out (logged once), 0 = none */
    bool watched;       /* this serve saw a worker on it (ours, adopted or a dead one's lease) */
    bool ran_out;       /* as last seen, a lease that ran out without being given up */
    char *last_node;    /* owned: the node of the last lease seen, NULL = none */
    bool handover_sent; /* our child was asked to hand over (the node drains) */
};

struct supervisor {
    const struct service_config *cfg;
    struct store *st;
    struct node_self self;
    double lease_ttl;
    double node_timeout;
    int restart_max;
    double restart_window;
    struct slot *slots; /* owned */
    size_t nslots;
    int64_t *final_seen; /* owned: ended migrations looked at for a delete request, once each */
    size_t nfinal_seen;
    int adoptions; /* re-adopted workers since serve started */
    int spawned;
};

static struct slot *slot_of(struct supervisor *sv, int64_t id, const char *name)
{
    for (size_t i = 0; i < sv->nslots; i++)
        if (sv->slots[i].id == id)
            return &sv->slots[i];
    sv->slots = xrealloc(sv->slots, (sv->nslots + 1) * sizeof(*sv->slots));
    struct slot *s = &sv->slots[sv->nslots++];
    memset(s, 0, sizeof(*s));
    s->id = id;
    s->name = xstrdup(name);
    return s;
}

static void slot_free(struct slot *s)
{
    free(s->name);
    free(s->last_exit);
    free(s->last_node);
}

/* Whether node (a lease's) is this one. */
static bool is_self(const struct supervisor *sv, const char *node)
{
    return node != NULL && strcmp(node, sv->self.name) == 0;
}

static char *describe_exit(int status)
{
    if (WIFSIGNALED(status))
        return xasprintf("killed by signal %d (%s)", WTERMSIG(status), strsignal(WTERMSIG(status)));
    if (WIFEXITED(status))
        return xasprintf("exited with code %d", WEXITSTATUS(status));
    return xasprintf("ended (wait status %d)", status);
}

/*
 * Collects the workers that ended. Only the workers' own pids are waited
 * for: serve has other children (the connection test's `pg_dump --version`,
 * started from an API thread), whose waits are their starters'.
 */
static void reap_children(struct supervisor *sv)
{
    for (size_t i = 0; i < sv->nslots; i++) {
        struct slot *s = &sv->slots[i];
        int status;
        if (s->child <= 0 || waitpid(s->child, &status, WNOHANG) != s->child)
            continue;
        char *how = describe_exit(status);
        log_info("worker pid %ld for %s %s", (long) s->child, s->name, how);
        free(s->last_exit);
        s->last_exit = xasprintf("worker pid %ld %s", (long) s->child, how);
        s->child = 0;
        s->exits++;
        free(how);
    }
}

static bool lease_live(const struct store_migration *m, double now)
{
    return m->lease_owner != NULL && m->lease_expires > now;
}

/* Appends an event the supervisor has to say about migration id (EV_WARNING or EV_ERROR). */
static void note(struct supervisor *sv, int64_t id, const char *kind_word, enum event_kind kind,
                 const char *message)
{
    double now = time_wall();
    char *text = event_message_json(kind, message, now);
    char *err = NULL;
    if (store_event_append(sv->st, id, NULL, now, kind_word, text, &err) != STORE_OK) {
        log_warn("could not record an event in the store: %s", err ? err : "no reason given");
        free(err);
    }
    free(text);
}

/* The restart policy gave up: Failed / Failed, with why, under the lease this node claimed. */
static void fail_migration(struct supervisor *sv, const struct store_migration *m,
                           const struct store_fence *fence, const char *message)
{
    struct migration_state s;
    json_error_t jerr;
    json_t *doc = m->state_json ? json_loads(m->state_json, 0, &jerr) : NULL;
    char *err = NULL;
    if (doc == NULL || !migration_state_from_json(doc, &s, &err)) {
        free(err);
        err = NULL;
        migration_state_init(&s);
    }
    json_decref(doc);
    s.status = MIG_FAILED;
    s.substatus = SUB_FAILED;
    s.finished_wall = time_wall();
    migration_state_replace_error(&s, message);
    for (size_t i = 0; i < s.ndbs; i++) /* none of its databases goes on */
        if (!mig_status_is_final(s.dbs[i].status)) {
            s.dbs[i].status = MIG_FAILED;
            s.dbs[i].substatus = SUB_FAILED;
        }
    doc = migration_state_to_json(&s, SNAPSHOT_JSON_FULL);
    char *text = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    enum store_rc rc =
        store_migration_set_state(sv->st, m->id, fence, text, mig_status_name(MIG_FAILED),
                                  mig_substatus_name(SUB_FAILED), false, &err);
    free(text);
    migration_state_free(&s);
    if (rc == STORE_CONFLICT) {
        log_notice("%s: another holder took the lease: not marking it Failed", m->name);
        return;
    }
    if (rc != STORE_OK) {
        log_error("%s: cannot mark it Failed: %s", m->name, err ? err : "no reason given");
        free(err);
        return;
    }
    note(sv, m->id, "restart", EV_ERROR, message);
    log_error("%s: %s", m->name, message);
}

/*
 * Why the last holder of m is gone, for the restart's record: how our own
 * child ended, or whose lease ran out.
 */
static char *restart_reason(const struct supervisor *sv, const struct slot *s)
{
    if (s->last_exit)
        return xasprintf("restarting the worker: %s", s->last_exit);
    if (s->last_node && !is_self(sv, s->last_node))
        return xasprintf("resuming it on node %s: the lease of node %s ran out (the node or its "
                         "worker stopped without giving it up)",
                         sv->self.name, s->last_node);
    return xstrdup("restarting the worker: no worker holds its lease (the last one stopped or "
                   "died)");
}

/*
 * The last holder of m died (its lease ran out, or our child ended without
 * finishing it): record the restart. false if the restart policy gave up on
 * it (marked Failed under fence, the lease this node claimed).
 */
static bool restart_allowed(struct supervisor *sv, const struct store_migration *m, struct slot *s,
                            const struct store_fence *fence)
{
    double now = time_wall();
    char *reason = restart_reason(sv, s);
    char *err = NULL;
    if (store_restart_record(sv->st, m->id, now, reason, &err) != STORE_OK) {
        log_warn("%s: cannot record the restart: %s", m->name, err ? err : "no reason given");
        free(err);
        err = NULL;
    }
    int count = 0;
    if (store_restart_count(sv->st, m->id, now - sv->restart_window, &count, &err) != STORE_OK) {
        log_warn("%s: cannot count its restarts: %s", m->name, err ? err : "no reason given");
        free(err);
        count = 0;
    }
    char window[32];
    time_format_duration(sv->restart_window, window, sizeof(window));
    if (count > sv->restart_max) {
        char *msg = xasprintf("the worker was restarted %d times within %s (more than %d): giving "
                              "up; last: %s",
                              count, window, sv->restart_max, reason);
        fail_migration(sv, m, fence, msg);
        free(msg);
        free(reason);
        return false;
    }
    log_notice("%s: %s (restart %d within %s)", m->name, reason, count, window);
    note(sv, m->id, "restart", EV_WARNING, reason);
    free(reason);
    return true;
}

/* Gives up a lease this node claimed but will not use. */
static void release_claim(struct supervisor *sv, const struct store_migration *m,
                          const struct store_fence *fence)
{
    char *err = NULL;
    if (store_lease_release(sv->st, m->id, fence, &err) != STORE_OK) {
        log_warn("%s: cannot give up its lease (it runs out in %.0f s): %s", m->name, sv->lease_ttl,
                 err ? err : "no reason given");
        free(err);
    }
}

/*
 * Starts a worker on m, whose lease this node just claimed (fence). A
 * migration whose last holder died is a restart, under the policy; one
 * whose last worker gave its lease up (a clean stop of a node, a drain)
 * resumes without counting, so that stopping or draining nodes never fails
 * a migration.
 */
static void start_worker(struct supervisor *sv, const struct store_migration *m, struct slot *s,
                         const struct store_fence *fence)
{
    if (s->exits > 0 || s->ran_out) {
        if (!restart_allowed(sv, m, s, fence)) {
            release_claim(sv, m, fence);
            return;
        }
    } else if (m->starts > 1) {
        log_notice("%s: resuming it (its last worker gave the lease up)", m->name);
        note(sv, m->id, "restart", EV_WARNING,
             "resuming: the last worker stopped cleanly and gave its lease up");
    }
    char *log_path = state_dir_log_path(sv->cfg->state_dir, m->name);
    struct service_spawn spawn = {
        .exe = sv->cfg->exe,
        .state_dir = sv->cfg->state_dir,
        .store = sv->cfg->store,
        .node = sv->self.name,
        .id = m->id,
        .lease_owner = fence->owner,
        .lease_epoch = fence->epoch,
        .lease_ttl = sv->cfg->lease_ttl,
        .log_path = log_path,
    };
    pid_t pid = service_spawn_worker(&spawn);
    if (pid > 0) {
        s->child = pid;
        s->watched = true;
        s->handover_sent = false;
        free(s->last_exit);
        s->last_exit = NULL;
        sv->spawned++;
        log_info("started worker pid %ld for %s, lease epoch %lld (log %s)", (long) pid, m->name,
                 (long long) fence->epoch, log_path);
    } else {
        release_claim(sv, m, fence);
    }
    free(log_path);
}

/* A live lease of this node that is not our child's: a worker of an earlier serve goes on. */
static void adopt(struct supervisor *sv, const struct store_migration *m, struct slot *s)
{
    if (s->adopted == (pid_t) m->lease_pid)
        return;
    s->adopted = (pid_t) m->lease_pid;
    s->watched = true;
    sv->adoptions++;
    log_info("re-adopted worker pid %lld for %s", (long long) m->lease_pid, m->name);
    log_info("%d worker(s) re-adopted since serve started", sv->adoptions);
}

/*
 * Whether pid runs: a zombie (a re-adopted worker that ended, whose new
 * parent has not reaped it yet) does not.
 */
static bool alive(pid_t pid)
{
    if (pid <= 0 || (kill(pid, 0) != 0 && errno != EPERM))
        return false;
    char path[64], buf[512];
    snprintf(path, sizeof(path), "/proc/%ld/stat", (long) pid);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return true; /* no /proc: kill said it exists */
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    const char *paren = strrchr(buf, ')'); /* the command name may hold anything */
    return paren == NULL || paren[1] != ' ' || paren[2] != 'Z';
}

/*
 * The lease is this node's and live but its holder is gone (kill -9, a
 * crash), or it is a claim an earlier serve of this node made and never
 * started a worker for: no worker to adopt. The store only gives the lease
 * to another owner once it runs out, so the new worker starts then.
 */
static bool dead_here(const struct store_migration *m)
{
    return m->lease_pid == 0 || !alive((pid_t) m->lease_pid);
}

static void wait_out_lease(const struct store_migration *m, struct slot *s, double now)
{
    s->adopted = 0;
    if (s->waiting == (pid_t) m->lease_pid && s->watched)
        return;
    s->waiting = (pid_t) m->lease_pid;
    s->watched = true;
    log_info("the worker (pid %lld) for %s is gone; its migration is claimed again when its "
             "lease runs out (in %.0f s)",
             (long long) m->lease_pid, m->name, m->lease_expires - now);
}

/*
 * Our child took the lease and let it run out without dying: it hangs (or
 * is stopped). The store would give the lease to a new worker; kill this
 * one first, so that the restart is counted with how it ended.
 */
static void kill_hung(const struct store_migration *m, struct slot *s)
{
    log_warn("worker pid %ld for %s let its lease run out (hung or stopped): killing it",
             (long) s->child, m->name);
    kill(s->child, SIGKILL);
}

static int running_workers(const struct supervisor *sv)
{
    int n = 0;
    for (size_t i = 0; i < sv->nslots; i++)
        n += sv->slots[i].child > 0 || sv->slots[i].adopted > 0;
    return n;
}

/* Our children's migrations, handed over at their next safe point (the node drains). */
static void ask_handover(struct supervisor *sv)
{
    for (size_t i = 0; i < sv->nslots; i++) {
        struct slot *s = &sv->slots[i];
        if (s->child <= 0 || s->handover_sent)
            continue;
        if (kill(s->child, SIGUSR1) == 0) {
            s->handover_sent = true;
            log_notice("%s: asked its worker (pid %ld) to hand it over at a safe point", s->name,
                       (long) s->child);
        }
    }
}

/* What one look at an active migration m finds; the slot remembers it. */
static void look_at(struct supervisor *sv, const struct store_migration *m, struct slot *s,
                    double now)
{
    s->seen = true;
    s->ran_out = m->lease_owner != NULL && !lease_live(m, now);
    if (m->lease_node) {
        free(s->last_node);
        s->last_node = xstrdup(m->lease_node);
    }
    if (s->child > 0) {
        /* ours, alive (reaped ones are 0): it holds or is taking the lease, unless it hangs */
        if (!lease_live(m, now) && m->lease_pid == (int64_t) s->child)
            kill_hung(m, s);
        return;
    }
    if (!lease_live(m, now)) {
        s->waiting = 0;
        s->adopted = 0;
        return;
    }
    if (!is_self(sv, m->lease_node)) {
        s->adopted = 0; /* another node's */
        s->watched = true;
        return;
    }
    if (dead_here(m))
        wait_out_lease(m, s, now);
    else
        adopt(sv, m, s);
}

/* How many migrations this round may claim: the room under the capacity. */
static size_t claim_room(const struct supervisor *sv)
{
    if (sv->self.draining)
        return 0;
    int limit = sv->cfg->max_migrations;
    if (limit <= 0)
        return CLAIM_BATCH;
    int room = limit - running_workers(sv);
    return room > 0 ? (size_t) room : 0;
}

/*
 * Nodes that stopped heartbeating (their serve gone: a crash not followed
 * by a restart, a host cut off) lose their leases, so that the claim below
 * takes their migrations even while orphaned workers still renew.
 */
static void revoke_silent_nodes(struct supervisor *sv)
{
    int revoked = 0;
    char *err = NULL;
    if (store_node_revoke_leases(sv->st, sv->self.name, time_wall() - sv->node_timeout, &revoked,
                                 &err) != STORE_OK) {
        log_warn("cannot revoke the leases of silent nodes: %s", err ? err : "no reason given");
        free(err);
        return;
    }
    if (revoked > 0)
        log_notice("revoked %d lease(s) of node(s) with no heartbeat for %.0f s: their migrations "
                   "are claimed again",
                   revoked, sv->node_timeout);
}

/* Claims what this node has room for and starts a worker on each (oldest first). */
static void claim_and_start(struct supervisor *sv)
{
    size_t room = claim_room(sv);
    if (room == 0)
        return;
    char *owner = worker_lease_owner(sv->self.name);
    struct store_migration *ms = NULL;
    size_t n = 0;
    char *err = NULL;
    if (store_lease_claim(sv->st, sv->self.name, owner, sv->lease_ttl, room, &ms, &n, &err) !=
        STORE_OK) {
        log_warn("cannot claim migrations: %s", err ? err : "no reason given");
        free(err);
        free(owner);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        struct slot *s = slot_of(sv, ms[i].id, ms[i].name);
        s->seen = true;
        struct store_fence fence = {.owner = owner, .epoch = ms[i].lease_epoch};
        start_worker(sv, &ms[i], s, &fence);
    }
    store_migration_list_free(ms, n);
    free(owner);
}

/* One look at the active migrations, then the claim. */
static void supervise_active(struct supervisor *sv)
{
    struct store_migration *ms = NULL;
    size_t n = 0;
    char *err = NULL;
    if (store_migration_list(sv->st, true, &ms, &n, &err) != STORE_OK) {
        log_warn("cannot list the migrations: %s", err ? err : "no reason given");
        free(err);
        return;
    }
    for (size_t i = 0; i < sv->nslots; i++)
        sv->slots[i].seen = false;
    double now = time_wall();
    for (size_t k = n; k-- > 0;)
        look_at(sv, &ms[k], slot_of(sv, ms[k].id, ms[k].name), now);
    store_migration_list_free(ms, n);
    if (sv->self.draining)
        ask_handover(sv);
    revoke_silent_nodes(sv);
    claim_and_start(sv);
    /* forget the migrations that ended, once no child of ours runs on them */
    size_t kept = 0;
    for (size_t i = 0; i < sv->nslots; i++) {
        if (!sv->slots[i].seen && sv->slots[i].child == 0) {
            slot_free(&sv->slots[i]);
            continue;
        }
        sv->slots[kept++] = sv->slots[i];
    }
    sv->nslots = kept;
}

/* Whether a final migration has a delete request (taken by its worker or not); -1: store error. */
static int delete_requested(struct supervisor *sv, int64_t id)
{
    struct store_request *rs = NULL;
    size_t n = 0;
    char *err = NULL;
    if (store_request_take(sv->st, id, NULL, true, &rs, &n, &err) != STORE_OK) {
        log_warn("cannot read the requests of migration %lld: %s", (long long) id,
                 err ? err : "no reason given");
        free(err);
        return -1;
    }
    int found = 0;
    for (size_t i = 0; i < n; i++)
        found = found || rs[i].kind == STORE_REQ_DELETE;
    store_request_list_free(rs, n);
    return found;
}

/*
 * Whether the ended migration id is to be looked at (the first time only:
 * a delete request comes while a migration is active; the API removes an
 * ended one itself).
 */
static bool first_look_at_final(struct supervisor *sv, int64_t id)
{
    for (size_t i = 0; i < sv->nfinal_seen; i++)
        if (sv->final_seen[i] == id)
            return false;
    sv->final_seen = xrealloc(sv->final_seen, (sv->nfinal_seen + 1) * sizeof(int64_t));
    sv->final_seen[sv->nfinal_seen++] = id;
    return true;
}

/* Looks at id again next time (the store failed this time). */
static void forget_final(struct supervisor *sv, int64_t id)
{
    for (size_t i = 0; i < sv->nfinal_seen; i++)
        if (sv->final_seen[i] == id)
            sv->final_seen[i] = 0;
}

/* Removes the final migrations the user deleted, with their logs. */
static void remove_deleted(struct supervisor *sv)
{
    struct store_migration *ms = NULL;
    size_t n = 0;
    char *err = NULL;
    if (store_migration_list(sv->st, false, &ms, &n, &err) != STORE_OK) {
        free(err);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        if (ms[i].active || !first_look_at_final(sv, ms[i].id))
            continue;
        int wanted = delete_requested(sv, ms[i].id);
        if (wanted < 0)
            forget_final(sv, ms[i].id);
        if (wanted <= 0)
            continue;
        if (store_migration_delete(sv->st, ms[i].name, &err) != STORE_OK) {
            log_warn("cannot remove the deleted migration %s: %s", ms[i].name,
                     err ? err : "no reason given");
            free(err);
            err = NULL;
            forget_final(sv, ms[i].id);
            continue;
        }
        char *log_path = state_dir_log_path(sv->cfg->state_dir, ms[i].name);
        if (unlink(log_path) != 0 && errno != ENOENT)
            log_warn("cannot remove %s: %s", log_path, strerror(errno));
        free(log_path);
        log_info("removed the deleted migration %s", ms[i].name);
    }
    store_migration_list_free(ms, n);
}

/* Sends sig to our children and to the re-adopted workers (this node's, so this host's). */
static int signal_workers(struct supervisor *sv, int sig)
{
    int sent = 0;
    for (size_t i = 0; i < sv->nslots; i++) {
        struct slot *s = &sv->slots[i];
        if (s->child > 0 && kill(s->child, sig) == 0)
            sent++;
        if (s->adopted > 0 && alive(s->adopted) && kill(s->adopted, sig) == 0)
            sent++;
    }
    return sent;
}

static bool any_worker_alive(struct supervisor *sv)
{
    reap_children(sv);
    for (size_t i = 0; i < sv->nslots; i++) {
        struct slot *s = &sv->slots[i];
        if (s->child > 0 || (s->adopted > 0 && alive(s->adopted)))
            return true;
    }
    return false;
}

static void stop_workers(struct supervisor *sv)
{
    int sent = signal_workers(sv, SIGTERM);
    if (sent == 0)
        return;
    log_info("stopping %d worker(s); they give their leases up, and their migrations resume on "
             "another node or at the next start",
             sent);
    double deadline = time_now() + STOP_GRACE;
    while (time_now() < deadline && any_worker_alive(sv))
        time_sleep(0.1);
    if (any_worker_alive(sv)) {
        log_warn("workers still running after %.0f s: killing them", STOP_GRACE);
        signal_workers(sv, SIGKILL);
        double kill_deadline = time_now() + 5.0;
        while (time_now() < kill_deadline && any_worker_alive(sv))
            time_sleep(0.1);
    }
}

int service_supervise(const struct service_config *cfg, volatile sig_atomic_t *stop)
{
    struct supervisor sv;
    memset(&sv, 0, sizeof(sv));
    sv.cfg = cfg;
    sv.restart_max = cfg->restart_max > 0 ? cfg->restart_max : SERVICE_RESTART_MAX;
    sv.restart_window = cfg->restart_window > 0 ? cfg->restart_window : SERVICE_RESTART_WINDOW;
    sv.lease_ttl = cfg->lease_ttl > 0 ? cfg->lease_ttl : SERVICE_LEASE_TTL;
    sv.node_timeout = cfg->node_timeout > 0 ? cfg->node_timeout : SERVICE_NODE_TIMEOUT;
    sv.self = (struct node_self){
        .name = cfg->node, .address = cfg->address, .capacity = cfg->max_migrations};
    if (!service_logs_dir(cfg->state_dir))
        return EXIT_FAILURE;
    char *err = NULL;
    sv.st = store_open_config(cfg->store, &err);
    if (sv.st == NULL) {
        log_error("supervisor: cannot open the store: %s", err ? err : "no reason given");
        free(err);
        return EXIT_FAILURE;
    }
    log_set_context("supervisor");
    node_register(&sv.self, sv.st);
    while (!*stop) {
        reap_children(&sv);
        node_heartbeat(&sv.self, sv.st, running_workers(&sv));
        if (!sv.self.store_down) {
            supervise_active(&sv);
            remove_deleted(&sv);
        }
        for (int i = 0; i < 10 && !*stop; i++)
            time_sleep(0.1);
    }
    stop_workers(&sv);
    node_stop(&sv.self, sv.st);
    for (size_t i = 0; i < sv.nslots; i++)
        slot_free(&sv.slots[i]);
    free(sv.slots);
    free(sv.final_seen);
    store_close(sv.st);
    log_info("supervisor stopped");
    return EXIT_SUCCESS;
}
