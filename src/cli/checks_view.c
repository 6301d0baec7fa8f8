/* checks_view.c — printing validation results (see checks_view.h). */
#include "cli/checks_view.h"
#include "util/buf.h"

#include <string.h>

/* Display width of a UTF-8 string, counting code points. */
static int width(const char *s)
{
    int w = 0;
    for (; *s; s++)
        if (((unsigned char) *s & 0xC0) != 0x80)
            w++;
    return w;
}

static void pad(FILE *out, const char *s, int to)
{
    fputs(s, out);
    for (int i = width(s); i < to; i++)
        fputc(' ', out);
}

void cli_checks_print(const struct check_results *r, const char *source_type, FILE *out)
{
    int ws = 5, wn = 5, wst = 6;
    for (size_t i = 0; i < r->n; i++) {
        const struct check_result *c = &r->items[i];
        if (width(c->scope) > ws)
            ws = width(c->scope);
        if (width(c->name) > wn)
            wn = width(c->name);
        if (width(check_status_name(c->status)) > wst)
            wst = width(check_status_name(c->status));
    }
    if (ws > 30)
        ws = 30;
    if (source_type)
        fprintf(out, "Source server type: %s\n\n", source_type);
    pad(out, "Scope", ws + 2);
    pad(out, "Check", wn + 2);
    pad(out, "Status", wst + 2);
    fputs("Message\n", out);
    for (size_t i = 0; i < r->n; i++) {
        const struct check_result *c = &r->items[i];
        pad(out, c->scope, ws + 2);
        pad(out, c->name, wn + 2);
        pad(out, check_status_name(c->status), wst + 2);
        fprintf(out, "%s\n", c->message);
        if (c->remediation) {
            for (int k = 0; k < ws + wn + wst + 6; k++)
                fputc(' ', out);
            fprintf(out, "to fix: %s\n", c->remediation);
        }
    }
    size_t failed = check_results_count(r, CHECK_FAILED),
           warned = check_results_count(r, CHECK_WARNING);
    fprintf(out, "\n%zu checks: %zu succeeded, %zu warning(s), %zu failed\n", r->n,
            r->n - failed - warned, warned, failed);
}
