/*
 * store_open.c — opening the SQLite store: its directory (0700) and file
 * (0600, with its -wal and -shm), the connection's settings, the schema
 * upgrade; closing, and the health probe.
 *
 * Settings of every connection: busy timeout 5 s (a writer waits for another
 * process's transaction instead of failing), WAL (readers never block the
 * writer), foreign keys on (deleting a migration deletes its events,
 * requests and restarts), synchronous NORMAL (durable at each checkpoint; a
 * power loss may lose the last transactions, never corrupt the file).
 */
#include "store/internal.h"
#include "store/schema.h"

#include "util/mem.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#define STORE_FILE_NAME "pgshuttle.db"
#define STORE_BUSY_MS   5000

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

/* Sets a connection's pragmas; false with *msg (caller frees). */
static bool configure(sqlite3 *db, char **msg)
{
    static const char *const pragmas[] = {
        "PRAGMA foreign_keys = ON",
        "PRAGMA synchronous = NORMAL",
    };
    if (sqlite3_busy_timeout(db, STORE_BUSY_MS) != SQLITE_OK)
        goto fail;
    /* journal_mode answers a row: the mode now in force. */
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(db, "PRAGMA journal_mode = WAL", -1, &s, NULL) != SQLITE_OK)
        goto fail;
    int rc = sqlite3_step(s);
    if (rc != SQLITE_ROW) {
        sqlite3_finalize(s);
        goto fail;
    }
    const char *mode = (const char *) sqlite3_column_text(s, 0);
    if (mode == NULL || strcmp(mode, "wal") != 0) {
        *msg = xasprintf("cannot use WAL journal mode (the mode is %s)", mode ? mode : "unknown");
        sqlite3_finalize(s);
        return false;
    }
    sqlite3_finalize(s);
    for (size_t i = 0; i < sizeof(pragmas) / sizeof(pragmas[0]); i++)
        if (sqlite3_exec(db, pragmas[i], NULL, NULL, NULL) != SQLITE_OK)
            goto fail;
    return true;

fail:
    if (sqlite3_errcode(db) == SQLITE_NOTADB)
        *msg = xasprintf("not a pgshuttle store: not a SQLite database (%s)", sqlite3_errmsg(db));
    else
        *msg = xstrdup(sqlite3_errmsg(db));
    return false;
}

struct store *store_open(const char *dir, char **error)
{
    char *msg = NULL;
    if (dir == NULL || dir[0] == '\0') {
        *error = xstrdup("store: no state directory given");
        return NULL;
    }
    if (!make_dirs(dir, &msg)) {
        *error = msg;
        return NULL;
    }

    struct store *st = xcalloc(1, sizeof(*st));
    size_t len = strlen(dir);
    st->path = xasprintf("%s%s%s", dir, dir[len - 1] == '/' ? "" : "/", STORE_FILE_NAME);

    /*
     * umask 077 while the file and its -wal and -shm come to be (SQLite also
     * gives those the main file's mode), and the file itself made 0600 in
     * case an earlier hand made it wider. The umask is the process's: it is
     * set back before returning.
     */
    mode_t old_mask = umask(077);
    int rc = sqlite3_open_v2(st->path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    if (rc != SQLITE_OK) {
        msg = xasprintf("cannot open: %s", st->db ? sqlite3_errmsg(st->db) : sqlite3_errstr(rc));
        goto fail;
    }
    sqlite3_extended_result_codes(st->db, 1);
    if (chmod(st->path, 0600) != 0) {
        msg = xasprintf("cannot make it mode 0600: %s", strerror(errno));
        goto fail;
    }
    if (!configure(st->db, &msg) || !store_schema_upgrade(st->db, &st->version, &msg))
        goto fail;
    umask(old_mask);
    return st;

fail:
    umask(old_mask);
    *error = xasprintf("store: opening %s: %s", st->path, msg);
    free(msg);
    store_close(st);
    return NULL;
}

void store_close(struct store *st)
{
    if (st == NULL)
        return;
    store__stmt_clear(st);
    sqlite3_close(st->db);
    free(st->path);
    free(st);
}

int store_schema_version(struct store *st)
{
    return st->version;
}

const char *store_path(const struct store *st)
{
    return st->path;
}

static const char sql_ping[] = "SELECT count(*) FROM migrations";

bool store_ping(struct store *st, char **error)
{
    const char *doing = "checking that the store answers";
    sqlite3_stmt *s = store__stmt(st, sql_ping, doing, error);
    if (s == NULL)
        return false;
    bool ok = sqlite3_step(s) == SQLITE_ROW;
    if (!ok)
        store__fail(st, doing, error);
    sqlite3_reset(s);
    return ok;
}
