/*
 * outcome.c — the helpers the checks_*.c files fill a check's outcome with
 * (status and message, remediation, not applicable) and build its lists of
 * names with. They call no check and no runner, so registry.c and the checks
 * both sit above them.
 */
#include "pg/pgconn.h"
#include "util/buf.h"
#include "validate/internal.h"

#include <stdarg.h>
#include <stdio.h>

static void vc_set(struct check_outcome *out, enum check_status st, const char *fmt, va_list ap)
{
    char buf[8192];
    vsnprintf(buf, sizeof(buf), fmt, ap);
    out->status = st;
    sb_reset(&out->message);
    sb_append(&out->message, buf);
}

void vc_ok(struct check_outcome *out, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vc_set(out, CHECK_SUCCEEDED, fmt, ap);
    va_end(ap);
}

void vc_warn(struct check_outcome *out, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vc_set(out, CHECK_WARNING, fmt, ap);
    va_end(ap);
}

void vc_fail(struct check_outcome *out, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vc_set(out, CHECK_FAILED, fmt, ap);
    va_end(ap);
}

void vc_fix(struct check_outcome *out, const char *fmt, ...)
{
    char buf[8192];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (out->remediation.len)
        sb_append(&out->remediation, " ");
    sb_append(&out->remediation, buf);
}

const char *vc_plural(long long n, const char *one, const char *many)
{
    return n == 1 ? one : many;
}

void vc_skip(struct check_outcome *out)
{
    out->not_applicable = true;
}

void vc_query_failed(struct check_outcome *out, pgconn *c, const char *what)
{
    vc_fail(out, "%s failed: %s%s%s%s", what, pgconn_error_message(c),
            pgconn_error_sqlstate(c)[0] ? " (SQLSTATE " : "", pgconn_error_sqlstate(c),
            pgconn_error_sqlstate(c)[0] ? ")" : "");
}

char *vc_list(const pgres *r, int col, int max)
{
    strbuf sb = STRBUF_INIT;
    int n = pgres_ntuples(r);
    for (int i = 0; i < n && i < max; i++) {
        if (i)
            sb_append(&sb, ", ");
        const char *v = pgres_get(r, i, col);
        sb_append(&sb, v ? v : "NULL");
    }
    if (n > max)
        sb_printf(&sb, " and %d more", n - max);
    return sb_steal(&sb);
}

char *vc_join(const strlist *sl, const char *sep, int max)
{
    strbuf sb = STRBUF_INIT;
    for (size_t i = 0; i < sl->n && i < (size_t) max; i++) {
        if (i)
            sb_append(&sb, sep);
        sb_append(&sb, sl->items[i]);
    }
    if (sl->n > (size_t) max)
        sb_printf(&sb, " and %zu more", sl->n - (size_t) max);
    return sb_steal(&sb);
}
