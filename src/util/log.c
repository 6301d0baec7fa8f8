/* log.c — leveled, thread-safe logging (see log.h). */
#include "util/log.h"
#include "util/buf.h"
#include "util/timeutil.h"

#include <jansson.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static enum log_level log_min = LOG_INFO;
static FILE *log_out = NULL; /* NULL = stderr */
static bool log_json = false;
static log_writer_fn log_writer = NULL;
static void *log_writer_ctx = NULL;
static _Thread_local char log_context[256];

static const char *const level_names[] = {"debug", "info", "notice", "warning", "error"};

void log_configure(enum log_level min_level, FILE *out, bool json)
{
    pthread_mutex_lock(&log_lock);
    log_min = min_level;
    log_out = out;
    log_json = json;
    pthread_mutex_unlock(&log_lock);
}

void log_set_writer(log_writer_fn fn, void *ctx)
{
    pthread_mutex_lock(&log_lock);
    log_writer = fn;
    log_writer_ctx = ctx;
    pthread_mutex_unlock(&log_lock);
}

bool log_enabled(enum log_level level)
{
    return level >= log_min;
}

bool log_level_parse(const char *s, enum log_level *out)
{
    static const struct {
        const char *name;
        enum log_level level;
    } names[] = {{"debug", LOG_DEBUG}, {"info", LOG_INFO},   {"notice", LOG_NOTICE},
                 {"warn", LOG_WARN},   {"warning", LOG_WARN}, {"error", LOG_ERROR}};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (strcmp(s, names[i].name) == 0) {
            *out = names[i].level;
            return true;
        }
    return false;
}

const char *log_level_name(enum log_level level)
{
    return level_names[level];
}

void log_set_context(const char *context)
{
    if (context == NULL)
        log_context[0] = '\0';
    else
        snprintf(log_context, sizeof(log_context), "%s", context);
}

const char *log_get_context(void)
{
    return log_context;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
    if (!log_enabled(level))
        return;

    strbuf msg = STRBUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n > 0) {
        char *tmp = malloc((size_t) n + 1);
        if (tmp) {
            va_start(ap, fmt);
            vsnprintf(tmp, (size_t) n + 1, fmt, ap);
            va_end(ap);
            sb_append(&msg, tmp);
            free(tmp);
        }
    }

    char ts[40];
    time_format_iso(time_wall(), ts, sizeof(ts));
    strbuf line = STRBUF_INIT;
    if (log_json) {
        json_t *o = json_object();
        json_object_set_new(o, "event", json_string("log"));
        json_object_set_new(o, "time", json_string(ts));
        json_object_set_new(o, "level", json_string(level_names[level]));
        if (log_context[0])
            json_object_set_new(o, "context", json_string(log_context));
        json_object_set_new(o, "message", json_string(sb_str(&msg)));
        char *s = json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII);
        sb_append(&line, s ? s : "{}");
        free(s);
        json_decref(o);
    } else {
        sb_printf(&line, "%s %-7s ", ts, level_names[level]);
        if (log_context[0])
            sb_printf(&line, "[%s] ", log_context);
        sb_append(&line, sb_str(&msg));
    }

    pthread_mutex_lock(&log_lock);
    if (log_writer)
        log_writer(level, sb_str(&line), log_writer_ctx);
    else {
        FILE *out = log_out ? log_out : stderr;
        fprintf(out, "%s\n", sb_str(&line));
        fflush(out);
    }
    pthread_mutex_unlock(&log_lock);
    sb_free(&line);
    sb_free(&msg);
}
