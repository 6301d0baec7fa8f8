/*
 * sqlite_open.c — opening the SQLite store: its directory (0700) and file
 * (0600, with its -wal and -shm), the connection's settings, the schema
 * upgrade; closing, the health probe, and the backend's table of functions
 * (store_ops) for the front.
 *
 * The SQLite store never seals secrets: its file is private to one host's
 * user (0600), the same as the key file would be.
 *
 * Settings of every connection: busy timeout 5 s (a writer waits for another
 * process's transaction instead of failing), WAL (readers never block the
 * writer), foreign keys on (deleting a migration deletes its events,
 * requests and restarts), synchronous NORMAL (durable at each checkpoint; a
 * power loss may lose the last transactions, never corrupt the file).
 */
#include "store/sqlite_internal.h"

#include "util/mem.h"
#include "util/timeutil.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#define STORE_FILE_NAME "pgshuttle.db"
#define STORE_BUSY_MS   5000

/* Held while store_open has the process's umask at 077. */
static pthread_mutex_t umask_lock = PTHREAD_MUTEX_INITIALIZER;

/* mkdir -p with mode 0700 for the directories it creates; false with *msg. */
static bool make_dirs(const char *dir, char **msg)
{
    char *path = xstrdup(dir);
    bool ok = true;
    for (char *p = path + 1; ok; p++) {
        bool end = *p == '\0';
        if (*p != '/' && !end)
            continue;
        *p = '\0';
        if (mkdir(path, 0700) != 0 && errno != EEXIST) {
            *msg = xasprintf("store: cannot create directory %s: %s", path, strerror(errno));
            ok = false;
        }
        if (end)
            break;
        *p = '/';
    }
    if (ok) {
        struct stat sb;
        if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
            *msg = xasprintf("store: opening %s: not a directory", dir);
            ok = false;
        }
    }
    free(path);
    return ok;
}

/* The message for a failure of the connection's last call, doing what. */
static char *conn_msg(sqlite3 *db, const char *doing)
{
    if (sqlite3_errcode(db) == SQLITE_NOTADB)
        return xasprintf("not a pgshuttle store: not a SQLite database (%s)", sqlite3_errmsg(db));
    return xasprintf("%s: %s", doing, sqlite3_errmsg(db));
}

/*
 * Switches the file to WAL. On a new file the switch needs the file to
 * itself, and SQLite answers SQLITE_BUSY at once (without the busy handler)
 * when another connection is opening it at the same moment: retry for as
 * long as the busy timeout.
 */
static bool set_wal(sqlite3 *db, char **msg)
{
    const char *doing = "setting the WAL journal mode";
    double deadline = time_now() + STORE_BUSY_MS / 1000.0;
    for (;;) {
        sqlite3_stmt *s = NULL;
        if (sqlite3_prepare_v2(db, "PRAGMA journal_mode = WAL", -1, &s, NULL) != SQLITE_OK) {
            *msg = conn_msg(db, doing);
            return false;
        }
        int rc = sqlite3_step(s);
        if (rc == SQLITE_ROW) {
            /* journal_mode answers a row: the mode now in force. */
            const char *mode = (const char *) sqlite3_column_text(s, 0);
            bool wal = mode != NULL && strcmp(mode, "wal") == 0;
            if (!wal)
                *msg = xasprintf("%s: the file stays in journal mode %s", doing,
                                 mode ? mode : "unknown");
            sqlite3_finalize(s);
            return wal;
        }
        sqlite3_finalize(s);
        if ((rc & 0xff) != SQLITE_BUSY && (rc & 0xff) != SQLITE_LOCKED) {
            *msg = conn_msg(db, doing);
            return false;
        }
        if (time_now() >= deadline) {
            *msg = xasprintf("%s: %s", doing, sqlite3_errstr(rc));
            return false;
        }
        time_sleep(0.01);
    }
}

/* Sets a connection's settings; false with *msg (caller frees). */
static bool configure(sqlite3 *db, char **msg)
{
    static const char *const pragmas[] = {
        "PRAGMA foreign_keys = ON",
        "PRAGMA synchronous = NORMAL",
    };
    if (sqlite3_busy_timeout(db, STORE_BUSY_MS) != SQLITE_OK) {
        *msg = conn_msg(db, "setting the busy timeout");
        return false;
    }
    if (!set_wal(db, msg))
        return false;
    for (size_t i = 0; i < sizeof(pragmas) / sizeof(pragmas[0]); i++) {
        if (sqlite3_exec(db, pragmas[i], NULL, NULL, NULL) != SQLITE_OK) {
            *msg = conn_msg(db, pragmas[i]);
            return false;
        }
    }
    return true;
}

static void sqlite_close(struct store *st)
{
    sqlite__stmt_clear(st);
    sqlite3_close(sqlite__db(st));
    free(st->be);
    free(st->path);
    free(st);
}

static const struct store_ops sqlite_ops;

struct store *sqlite_store_open(const char *dir, char **error)
{
    char *msg = NULL;
    if (dir == NULL || dir[0] == '\0') {
        store__give_error(error, xstrdup("store: no state directory given"));
        return NULL;
    }
    if (!make_dirs(dir, &msg)) {
        store__give_error(error, msg);
        return NULL;
    }

    struct store *st = xcalloc(1, sizeof(*st));
    struct sqlite_store *sq = xcalloc(1, sizeof(*sq));
    st->ops = &sqlite_ops;
    st->be = sq;
    size_t len = strlen(dir);
    st->path = xasprintf("%s%s%s", dir, dir[len - 1] == '/' ? "" : "/", STORE_FILE_NAME);

    /*
     * umask 077 while the file and its -wal and -shm come to be (SQLite also
     * gives those the main file's mode), and the file itself made 0600 in
     * case an earlier hand made it wider. The umask is the process's: the
     * threads of one process open their stores one at a time, so that each
     * sets back the mask it found.
     */
    pthread_mutex_lock(&umask_lock);
    mode_t old_mask = umask(077);
    int rc = sqlite3_open_v2(st->path, &sq->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    if (rc != SQLITE_OK) {
        msg = xasprintf("cannot open: %s", sq->db ? sqlite3_errmsg(sq->db) : sqlite3_errstr(rc));
        goto fail;
    }
    sqlite3_extended_result_codes(sq->db, 1);
    if (chmod(st->path, 0600) != 0) {
        msg = xasprintf("cannot make it mode 0600: %s", strerror(errno));
        goto fail;
    }
    /* WAL files an earlier process left (SQLite makes new ones with the file's mode). */
    for (int i = 0; i < 2; i++) {
        char *side = xasprintf("%s%s", st->path, i == 0 ? "-wal" : "-shm");
        int failed = chmod(side, 0600) != 0 && errno != ENOENT;
        if (failed)
            msg = xasprintf("cannot make %s mode 0600: %s", side, strerror(errno));
        free(side);
        if (failed)
            goto fail;
    }
    if (!configure(sq->db, &msg) || !sqlite_schema_upgrade(sq->db, &st->version, &msg))
        goto fail;
    umask(old_mask);
    pthread_mutex_unlock(&umask_lock);
    return st;

fail:
    umask(old_mask);
    pthread_mutex_unlock(&umask_lock);
    store__give_error(error, xasprintf("store: opening %s: %s", st->path, msg));
    free(msg);
    sqlite_close(st);
    return NULL;
}

static const char sql_ping[] = "SELECT count(*) FROM migrations";

static bool sqlite_ping(struct store *st, char **error)
{
    const char *doing = "checking that the store answers";
    sqlite3_stmt *s = sqlite__stmt(st, sql_ping, doing, error);
    if (s == NULL)
        return false;
    bool ok = sqlite3_step(s) == SQLITE_ROW;
    if (!ok)
        sqlite__fail(st, doing, error);
    sqlite3_reset(s);
    return ok;
}

static const struct store_ops sqlite_ops = {
    .kind = "sqlite",
    .shared = false,
    .close = sqlite_close,
    .ping = sqlite_ping,
    .migration_create = sqlite_migration_create,
    .migration_get = sqlite_migration_get,
    .migration_get_id = sqlite_migration_get_id,
    .migration_list = sqlite_migration_list,
    .migration_delete = sqlite_migration_delete,
    .migration_set_state = sqlite_migration_set_state,
    .migration_set_spec = sqlite_migration_set_spec,
    .lease_acquire = sqlite_lease_acquire,
    .lease_claim = sqlite_lease_claim,
    .lease_renew = sqlite_lease_renew,
    .lease_release = sqlite_lease_release,
    .event_append = sqlite_event_append,
    .event_list = sqlite_event_list,
    .request_add = sqlite_request_add,
    .request_take = sqlite_request_take,
    .restart_record = sqlite_restart_record,
    .restart_count = sqlite_restart_count,
    .node_register = sqlite_node_register,
    .node_heartbeat = sqlite_node_heartbeat,
    .node_stop = sqlite_node_stop,
    .node_set_draining = sqlite_node_set_draining,
    .node_get = sqlite_node_get,
    .node_list = sqlite_node_list,
    .node_remove = sqlite_node_remove,
    .node_revoke_leases = sqlite_node_revoke_leases,
    .setting_get_or_put = sqlite_setting_get_or_put,
};
