/*
 * log.h — leveled, thread-safe logging with a per-thread context.
 *
 * Every line carries a timestamp, a level, and the calling thread's context
 * (e.g. `db=sales table=public.orders`), so a line from a parallel worker
 * says where it happened. Output is plain text or JSON lines. A display (the
 * terminal progress view) can take over writing with log_set_writer().
 * Never log a conninfo that was not masked by pgconninfo_mask().
 */
#ifndef PGSHUTTLE_UTIL_LOG_H
#define PGSHUTTLE_UTIL_LOG_H

#include <stdbool.h>
#include <stdio.h>

enum log_level { LOG_DEBUG = 0, LOG_INFO, LOG_NOTICE, LOG_WARN, LOG_ERROR };

/* Receives each finished line (no trailing newline). Called under the log lock. */
typedef void (*log_writer_fn)(enum log_level level, const char *line, void *ctx);

void log_configure(enum log_level min_level, FILE *out, bool json);
void log_set_writer(log_writer_fn fn, void *ctx);
bool log_enabled(enum log_level level);
/* Parses debug|info|notice|warn|error; returns false on anything else. */
bool log_level_parse(const char *s, enum log_level *out);
const char *log_level_name(enum log_level level);

/* The calling thread's context string, copied; NULL clears it. */
void log_set_context(const char *context);
const char *log_get_context(void);

void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_debug(...)                                                                             \
    do {                                                                                           \
        if (log_enabled(LOG_DEBUG))                                                                \
            log_msg(LOG_DEBUG, __VA_ARGS__);                                                       \
    } while (0)
#define log_info(...)   log_msg(LOG_INFO, __VA_ARGS__)
#define log_notice(...) log_msg(LOG_NOTICE, __VA_ARGS__)
#define log_warn(...)   log_msg(LOG_WARN, __VA_ARGS__)
#define log_error(...)  log_msg(LOG_ERROR, __VA_ARGS__)

#endif
