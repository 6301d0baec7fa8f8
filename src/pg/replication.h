/*
 * replication.h — logical replication connections: slots and the CopyBoth
 * stream of START_REPLICATION.
 *
 * A pgrepl is a walsender connection (replication=database) kept in a pgconn,
 * so errors (server message and SQLSTATE), the label in log lines and the
 * cancel registry work as for every other connection. Functions that can
 * fail return false after recording the error and logging it once; callers
 * read pgrepl_error_message()/pgrepl_error_sqlstate() and do not log again.
 *
 * Life of a connection:
 *
 *   pgrepl_connect → [pgrepl_identify_system] → pgrepl_create_slot (the
 *   exported snapshot is now held: the connection refuses other commands)
 *   → the copy imports it elsewhere → pgrepl_release_snapshot →
 *   pgrepl_start → loop { pgrepl_receive / pgrepl_wait / pgrepl_send_status }
 *   → pgrepl_end_stream → [pgrepl_drop_slot] → pgrepl_close
 *
 * Positions are WAL LSNs as uint64_t; times are microseconds since
 * 2000-01-01 00:00 UTC (PostgreSQL's epoch) unless a name says unix.
 * The pure helpers (message parsing and building, command text, LSN text)
 * do no I/O and are what the unit tests check byte for byte.
 */
#ifndef PGSHUTTLE_PG_REPLICATION_H
#define PGSHUTTLE_PG_REPLICATION_H

#include "pg/pgconn.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct pgrepl pgrepl;

/* "FFFFFFFF/FFFFFFFF" and the NUL. */
#define PGREPL_LSN_BUFSIZE 18
/* Slot and plugin names: at most NAMEDATALEN - 1 bytes. */
#define PGREPL_NAME_MAX 63
/* A standby status update ('r') is always this long. */
#define PGREPL_STATUS_LEN 34
/* Seconds from 1970-01-01 to 2000-01-01 (UTC). */
#define PGREPL_EPOCH_OFFSET_SECS INT64_C(946684800)

struct pgrepl_system {
    uint64_t systemid;
    uint32_t timeline;
    uint64_t xlogpos; /* the server's current WAL flush position */
    char dbname[PGREPL_NAME_MAX + 1];
};

struct pgrepl_slot {
    char name[PGREPL_NAME_MAX + 1];
    char plugin[PGREPL_NAME_MAX + 1];
    /* The snapshot sees what committed before this point; the slot streams the rest. */
    uint64_t consistent_point;
    char snapshot[PGREPL_NAME_MAX + 1]; /* exported snapshot name, "" if none */
};

enum pgrepl_kind {
    PGREPL_NOTHING = 0, /* nothing complete yet: pgrepl_wait() (or poll pgrepl_socket()) */
    PGREPL_XLOGDATA,    /* one output-plugin message */
    PGREPL_KEEPALIVE,
    PGREPL_END,   /* the server ended the stream cleanly; the connection is idle again */
    PGREPL_ERROR, /* recorded and logged: pgrepl_error_message/sqlstate */
};

struct pgrepl_msg {
    enum pgrepl_kind kind;
    uint64_t data_start;  /* XLogData: LSN of the message (0 for some, e.g. pgoutput Relation) */
    uint64_t wal_end;     /* XLogData and keepalive: the server's position */
    int64_t send_time;    /* XLogData and keepalive: server clock, µs since 2000-01-01 */
    bool reply_requested; /* keepalive: answer with pgrepl_send_status at once */
    /* XLogData payload, not NUL-terminated; not owned: valid until the next pgrepl call. */
    const char *data;
    size_t len;
};

/*
 * Opens a logical replication connection: conninfo (a normal one) plus
 * replication=database and options "-c datestyle=ISO -c intervalstyle=postgres
 * -c extra_float_digits=3" (after any options the conninfo or PGOPTIONS has).
 * Needs a server of 9.4 or newer and a role with REPLICATION. As with
 * pgconn_connect, *out is set even on failure (for the error); close it.
 */
bool pgrepl_connect(pgrepl **out, const char *conninfo, const char *label) PG_WUR;
/* Same, without logging a failure (the caller retries and reports). */
bool pgrepl_connect_quiet(pgrepl **out, const char *conninfo, const char *label) PG_WUR;
/* Closes the connection, streaming or not (see pgrepl_end_stream for a clean end). */
void pgrepl_close(pgrepl *r);

const char *pgrepl_label(const pgrepl *r);
int pgrepl_server_version(const pgrepl *r);
const char *pgrepl_error_message(const pgrepl *r);
const char *pgrepl_error_sqlstate(const pgrepl *r);

/* IDENTIFY_SYSTEM. */
bool pgrepl_identify_system(pgrepl *r, struct pgrepl_system *out) PG_WUR;

/*
 * Creates a logical slot that exports a snapshot (the command text depends on
 * the server version: pgrepl_create_slot_command). It waits until every
 * transaction that had an xid when it started has ended; after 10 s of that a
 * notice says so. On success the snapshot is held: the connection stays idle
 * and refuses other commands (but pgrepl_drop_slot) until
 * pgrepl_release_snapshot().
 */
bool pgrepl_create_slot(pgrepl *r, const char *slot, const char *plugin,
                        struct pgrepl_slot *out) PG_WUR;
/* Ends the exported snapshot (no-op when none is held). Transactions that imported it keep it. */
bool pgrepl_release_snapshot(pgrepl *r) PG_WUR;

/*
 * DROP_REPLICATION_SLOT on this connection (not while streaming; it ends a
 * held snapshot). wait: if the slot is active, wait for it to be released
 * (10+) instead of failing.
 */
bool pgrepl_drop_slot(pgrepl *r, const char *slot, bool wait) PG_WUR;
/*
 * Drops a slot over a normal connection to the slot's database
 * (pg_drop_replication_slot, 9.4+). missing_ok: a missing slot is success.
 * An active slot fails (SQLSTATE 55006).
 */
bool pgrepl_drop_slot_sql(pgconn *c, const char *slot, bool missing_ok) PG_WUR;

/*
 * START_REPLICATION SLOT slot LOGICAL start_lsn options. options is the
 * plugin option list as the server reads it, e.g. ("proto_version" '1',
 * "publication_names" 'p') (see pgrepl_options_text), or NULL/"" for none.
 * The server starts at max(start_lsn, the slot's confirmed_flush_lsn).
 * Once per connection: after a stream ended, the walsender would end the
 * next logical stream at once (it keeps its end-of-stream state), so a
 * second pgrepl_start fails (55000); open a new connection instead.
 */
bool pgrepl_start(pgrepl *r, const char *slot, uint64_t start_lsn, const char *options) PG_WUR;

/*
 * Reads one message without blocking; see enum pgrepl_kind. The previous
 * message's payload is freed here.
 */
enum pgrepl_kind pgrepl_receive(pgrepl *r, struct pgrepl_msg *msg) PG_WUR;
/* The socket to wait on for input (-1 if none). */
int pgrepl_socket(const pgrepl *r);
/*
 * Waits until the socket is readable or timeout_ms passed (-1: no limit). An
 * interrupting signal returns true early. False only if poll() fails.
 */
bool pgrepl_wait(pgrepl *r, int timeout_ms) PG_WUR;

/*
 * Sends a standby status update and flushes it: write (received), flush
 * (durable on the target: the slot's confirmed_flush_lsn follows it) and
 * apply positions, with the client time now. reply_requested asks the server
 * for a keepalive back.
 */
bool pgrepl_send_status(pgrepl *r, uint64_t write, uint64_t flush, uint64_t apply,
                        bool reply_requested) PG_WUR;

/*
 * Ends the stream: a final status update (write/flush/apply), CopyDone, then
 * reads and discards what the server still sends until its own CopyDone and
 * the command's result. The connection is idle again (e.g. for
 * pgrepl_drop_slot). A no-op if the stream already ended.
 */
bool pgrepl_end_stream(pgrepl *r, uint64_t write, uint64_t flush, uint64_t apply) PG_WUR;

/* ---- pure helpers ---- */

/* Formats an LSN as PostgreSQL does ("16/B374D848"); buf holds PGREPL_LSN_BUFSIZE bytes. */
void pgrepl_lsn_format(uint64_t lsn, char *buf, size_t buflen);
/* Parses what pg_lsn accepts: 1-8 hex digits, '/', 1-8 hex digits. *out untouched on failure. */
bool pgrepl_lsn_parse(const char *text, uint64_t *out);

/* Now, in µs since 2000-01-01. */
int64_t pgrepl_now(void);
int64_t pgrepl_time_from_unix_us(int64_t unix_us);
int64_t pgrepl_time_to_unix_us(int64_t pg_us);

/* Slot (and plugin) names: 1-63 of a-z, 0-9, _. */
bool pgrepl_slot_name_valid(const char *name);

/*
 * The CREATE_REPLICATION_SLOT command that exports a snapshot on a server of
 * server_version (e.g. 150004): 9.x none (it exports by default), 10-14
 * EXPORT_SNAPSHOT, 15+ (SNAPSHOT 'export'). NULL if a name is invalid. Caller frees.
 */
char *pgrepl_create_slot_command(const char *slot, const char *plugin, int server_version);
/* START_REPLICATION SLOT slot LOGICAL X/Y [options]. NULL if slot is invalid. Caller frees. */
char *pgrepl_start_command(const char *slot, uint64_t start_lsn, const char *options);
/*
 * A plugin option list: ("name" 'value', "flag") with names quoted as
 * identifiers and values as string literals ('' doubled; a NULL value leaves
 * the option without one). "" when n is 0. Caller frees.
 */
char *pgrepl_options_text(const char *const *names, const char *const *values, int n);

/*
 * Parses one CopyData message of the stream ('w' XLogData or 'k' keepalive)
 * into out (out->data points into buf). A message that is truncated, too
 * long or of another type returns false with the reason in err.
 */
bool pgrepl_parse_message(const char *buf, size_t len, struct pgrepl_msg *out, char *err,
                          size_t errlen) PG_WUR;
/* Builds a standby status update ('r'). */
void pgrepl_build_status(unsigned char out[PGREPL_STATUS_LEN], uint64_t write, uint64_t flush,
                         uint64_t apply, int64_t client_time, bool reply_requested);

#endif
