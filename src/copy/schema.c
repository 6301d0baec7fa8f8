/* schema.c — schema dump and two-section restore (see schema.h). */
#include "copy/schema.h"
#include "pg/outage.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/proc.h"
#include "util/timeutil.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Keeps a failure as the archive's error for the caller's report (which
 * prints it); the debug log has every one.
 */
static void schema_fail(struct schema_archive *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void schema_fail(struct schema_archive *a, const char *fmt, ...)
{
    char buf[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    log_debug("%s", buf);
    if (a->error == NULL)
        a->error = xstrdup(buf);
}

bool schema_dump(const struct pg_tools *tools, const char *conninfo, const char *snapshot,
                 const char *workdir, struct schema_archive *out)
{
    memset(out, 0, sizeof(*out));
    out->tools = tools;
    out->path = xasprintf("%s/schema.dump", workdir);
    out->list_path = xasprintf("%s/restore.list", workdir);

    char *file_arg = xasprintf("--file=%s", out->path);
    char *snap_arg = xasprintf("--snapshot=%s", snapshot);
    const char *args[] = {"--schema-only", "--format=custom", "--no-sync",
                          snap_arg,        file_arg,          NULL};
    struct proc_result res;
    bool ok = pgtools_run(tools->pg_dump, args, conninfo, NULL, &res);
    if (ok) {
        if (res.exit_code != 0) {
            char *msg = str_first_lines(res.err, 6);
            schema_fail(out, "pg_dump of the schema failed (exit %d): %s", res.exit_code, msg);
            free(msg);
            ok = false;
        }
        proc_result_free(&res);
    }
    free(file_arg);
    free(snap_arg);
    return ok;
}

static bool skipped(const struct schema_object_id *skip, int nskip, uint32_t catalog, uint32_t oid)
{
    for (int i = 0; i < nskip; i++)
        if (skip[i].catalog == catalog && skip[i].oid == oid)
            return true;
    return false;
}

/* An entry line for an object in skip; *rest set to what follows the OIDs ("TYPE ..."). */
static bool skipped_entry(const char *line, const struct schema_object_id *skip, int nskip,
                          const char **rest)
{
    unsigned id, catalog, oid;
    int n = 0;
    if (line[0] == ';' || sscanf(line, "%u; %u %u %n", &id, &catalog, &oid, &n) != 3 || n == 0)
        return false;
    *rest = line + n;
    return skipped(skip, nskip, catalog, oid);
}

static bool skipped_line(const char *line, const struct schema_object_id *skip, int nskip)
{
    const char *rest;
    return skipped_entry(line, skip, nskip, &rest);
}

/*
 * For a skipped publication's entry, the start of its comment's entry:
 * "COMMENT - PUBLICATION TAG ". (Other skipped objects, the indexes and
 * constraints pgshuttle builds itself, keep their comments; those it creates
 * only at cutover list theirs in a->skip_comments.)
 */
static char *skipped_comment(const char *line, const struct schema_object_id *skip, int nskip)
{
    const char *rest;
    if (!skipped_entry(line, skip, nskip, &rest) || strncmp(rest, "PUBLICATION - ", 14) != 0)
        return NULL;
    const char *type_end = strchr(rest, ' ');
    const char *schema_end = type_end ? strchr(type_end + 1, ' ') : NULL;
    const char *tag_end = schema_end ? strrchr(schema_end + 1, ' ') : NULL; /* before OWNER */
    if (tag_end == NULL)
        return NULL;
    return xasprintf("COMMENT %.*s %.*s %.*s ", (int) (schema_end - type_end - 1), type_end + 1,
                     (int) (type_end - rest), rest, (int) (tag_end - schema_end - 1),
                     schema_end + 1);
}

static bool comment_of_skipped(const char *line, const strlist *comments)
{
    unsigned id, catalog, oid;
    int n = 0;
    if (line[0] == ';' || sscanf(line, "%u; %u %u %n", &id, &catalog, &oid, &n) != 3 || n == 0)
        return false;
    for (size_t i = 0; i < comments->n; i++)
        if (strncmp(line + n, comments->items[i], strlen(comments->items[i])) == 0)
            return true;
    return false;
}

bool schema_write_list(struct schema_archive *a, const struct schema_object_id *skip, int nskip)
{
    const char *argv[] = {a->tools->pg_restore, "--list", a->path, NULL};
    struct proc_result res;
    if (!proc_run(argv, NULL, NULL, &res))
        return false;
    if (res.exit_code != 0) {
        char *msg = str_first_lines(res.err, 4);
        schema_fail(a, "pg_restore --list failed: %s", msg);
        free(msg);
        proc_result_free(&res);
        return false;
    }
    FILE *f = fopen(a->list_path, "w");
    if (f == NULL) {
        schema_fail(a, "could not write %s", a->list_path);
        proc_result_free(&res);
        return false;
    }
    /*
     * Entry lines read "dumpId; catalogOid objectOid TYPE SCHEMA TAG OWNER".
     * A skipped publication's comment goes too: its entry ("ID; 0 0 COMMENT
     * - PUBLICATION TAG OWNER") names it but carries no OIDs.
     */
    strlist lines = STRLIST_INIT, comments = STRLIST_INIT;
    sl_split(&lines, res.out, '\n');
    proc_result_free(&res);
    for (size_t i = 0; i < lines.n; i++) {
        char *comment = skipped_comment(lines.items[i], skip, nskip);
        if (comment)
            sl_push_owned(&comments, comment);
    }
    for (size_t i = 0; i < a->skip_comments.n; i++)
        sl_push(&comments, a->skip_comments.items[i]);
    int kept = 0, dropped = 0;
    for (size_t i = 0; i < lines.n; i++) {
        const char *line = lines.items[i];
        if (skipped_line(line, skip, nskip) || comment_of_skipped(line, &comments)) {
            fprintf(f, ";pgshuttle builds this itself: %s\n", line);
            dropped++;
            continue;
        }
        fprintf(f, "%s\n", line);
        kept++;
    }
    sl_free(&lines);
    sl_free(&comments);
    bool ok = fclose(f) == 0;
    log_debug("restore list: %d entries, %d built by pgshuttle", kept, dropped);
    return ok;
}

bool schema_error_is_missing_role(const char *error, const char *command, char **role)
{
    *role = NULL;
    const char *p = strstr(error, "role \"");
    if (p == NULL || strstr(error, "\" does not exist") == NULL)
        return false;
    bool ownership_or_grant =
        (strncmp(command, "ALTER ", 6) == 0 && strstr(command, " OWNER TO ") != NULL) ||
        strncmp(command, "GRANT ", 6) == 0 || strncmp(command, "REVOKE ", 7) == 0 ||
        strncmp(command, "ALTER DEFAULT PRIVILEGES ", 25) == 0;
    if (!ownership_or_grant)
        return false;
    p += strlen("role \"");
    const char *end = strstr(p, "\" does not exist");
    if (end == NULL || end < p)
        return false;
    char *name = xmalloc((size_t) (end - p) + 1);
    memcpy(name, p, (size_t) (end - p));
    name[end - p] = '\0';
    *role = name;
    return true;
}

/*
 * Goes through pg_restore's stderr. Returns false on the first error that
 * is not a missing role (logged with its statement); records missing roles.
 */
/*
 * With --clean, an error that only says the lost run had got that far: a
 * drop that failed (an object that lost run had not restored, or one the
 * server will not drop alone, such as a partition's index or primary key
 * attached to its parent's), and then the CREATE of an object that is still
 * there. pg_restore sends an entry's definition in one query (one implicit
 * transaction), so an object the lost run left behind is whole; its owner,
 * grants and comment, separate statements, run again. Any other error
 * still fails.
 */
static bool clean_leftover(const char *cmd, const char *msg)
{
    return strncmp(cmd, "DROP ", 5) == 0 ||
           (strncmp(cmd, "ALTER ", 6) == 0 && strstr(cmd, " DROP ")) ||
           (strncmp(cmd, "CREATE ", 7) == 0 && strstr(msg, " already exists"));
}

static bool review_restore_errors(struct schema_archive *a, const char *section, char *err,
                                  bool clean)
{
    const char *marker = "could not execute query: ";
    bool ok = true;
    int ignored = 0;
    char *p = err;
    while ((p = strstr(p, marker)) != NULL) {
        p += strlen(marker);
        char *eol = strchr(p, '\n');
        char *message = eol ? strndup(p, (size_t) (eol - p)) : strdup(p);
        const char *cmd = "";
        char *cmd_copy = NULL;
        if (eol && strncmp(eol + 1, "Command was: ", 13) == 0) {
            const char *c = eol + 1 + 13;
            const char *cend = strstr(c, "\npg_restore: ");
            cmd_copy = cend ? strndup(c, (size_t) (cend - c)) : strdup(c);
            size_t n = strlen(cmd_copy);
            while (n && (cmd_copy[n - 1] == '\n' || cmd_copy[n - 1] == ' '))
                cmd_copy[--n] = '\0';
            cmd = cmd_copy;
        }
        char *role = NULL;
        const char *msg = strncmp(message, "ERROR:  ", 8) == 0 ? message + 8 : message;
        if (clean && clean_leftover(cmd, msg)) {
            log_debug("%s: left by the lost run: %s", section, msg);
        } else if (schema_error_is_missing_role(msg, cmd, &role)) {
            if (!sl_contains(&a->missing_roles, role))
                sl_push(&a->missing_roles, role);
            ignored++;
            free(role);
        } else if (ok) {
            char *short_cmd = xstrdup(cmd);
            if (strlen(short_cmd) > 300)
                strcpy(short_cmd + 297, "...");
            schema_fail(a, "restoring the schema (%s) failed: %s; statement: %s", section, msg,
                        short_cmd[0] ? short_cmd : "(unknown)");
            free(short_cmd);
            ok = false;
        }
        free(message);
        free(cmd_copy);
    }
    if (ignored)
        log_debug("%s: %d ownership/privilege statements skipped for missing roles", section,
                  ignored);
    return ok;
}

bool schema_error_is_connection_lost(const char *err)
{
    static const char *const signs[] = {
        "server closed the connection unexpectedly",
        "terminating connection due to administrator command",
        "terminating connection because of crash of another server process",
        "the database system is shutting down",
        "the database system is starting up",
        "the database system is in recovery mode",
        "the database system is not yet accepting connections",
        "no connection to the server",
        "could not send data to server",
        "could not receive data from server",
        "connection to server at",
        "connection to server on socket",
        "could not connect to",
        "SSL SYSCALL error",
    };
    for (size_t i = 0; err && i < sizeof(signs) / sizeof(signs[0]); i++)
        if (strstr(err, signs[i]))
            return true;
    return false;
}

/* Whether the target answers now (a quiet probe); *reason gets why not (caller frees). */
static bool target_reachable(const char *conninfo, char **reason)
{
    pgconn *c = NULL;
    bool ok = pgconn_connect_quiet(&c, conninfo, "target (restore probe)") &&
              pgconn_exec_quiet(c, "SELECT 1");
    if (!ok)
        *reason = xstrdup(c ? pgconn_error_message(c) : "out of memory");
    pgconn_close(c);
    return ok;
}

/*
 * One run of pg_restore (clean: --clean --if-exists). With detect_loss, a
 * failure because the target went away sets *lost and *lost_reason (caller
 * frees) instead of the archive's error.
 */
static bool restore_once(struct schema_archive *a, const char *conninfo, const char *section,
                         int jobs, bool clean, bool detect_loss, bool *lost, char **lost_reason)
{
    *lost = false;
    char *section_arg = xasprintf("--section=%s", section);
    char *list_arg = xasprintf("--use-list=%s", a->list_path);
    char *jobs_arg = xasprintf("--jobs=%d", jobs > 0 ? jobs : 1);
    const char *args[8];
    int n = 0;
    args[n++] = section_arg;
    args[n++] = list_arg;
    args[n++] = "--no-tablespaces";
    args[n++] = jobs_arg;
    if (clean) {
        args[n++] = "--clean";
        args[n++] = "--if-exists";
    }
    args[n++] = a->path;
    args[n] = NULL;
    struct proc_result res;
    bool ok = pgtools_run(a->tools->pg_restore, args, conninfo, NULL, &res);
    if (ok) {
        if (res.exit_code != 0 && detect_loss) {
            if (schema_error_is_connection_lost(res.err)) {
                *lost = true;
                *lost_reason = str_first_lines(res.err, 2);
            } else if (!target_reachable(conninfo, lost_reason))
                *lost = true;
        }
        if (*lost)
            ok = false;
        else if (res.exit_code != 0) {
            ok = review_restore_errors(a, section, res.err, clean);
            if (ok && strstr(res.err, "could not execute query") == NULL) {
                char *msg = str_first_lines(res.err, 6);
                schema_fail(a, "pg_restore (%s) failed (exit %d): %s", section, res.exit_code, msg);
                free(msg);
                ok = false;
            }
        }
        proc_result_free(&res);
    }
    free(section_arg);
    free(list_arg);
    free(jobs_arg);
    return ok;
}

bool schema_restore(struct schema_archive *a, const char *conninfo, const char *section, int jobs)
{
    char label[64];
    snprintf(label, sizeof(label), "pg_restore (%s)", section);
    struct pg_outage o;
    pg_outage_init(&o, "target", conninfo, label, a->reconnect_timeout);
    bool ok = false, clean = false;
    for (;;) {
        bool lost;
        char *reason = NULL;
        ok = restore_once(a, conninfo, section, jobs, clean, a->reconnect_timeout > 0, &lost,
                          &reason);
        if (ok || !lost) {
            free(reason);
            break;
        }
        pg_outage_begin(&o, reason);
        free(reason);
        bool back = false;
        while (!back && pg_outage_wait(&o, a->cancel)) {
            char *why = NULL;
            back = target_reachable(conninfo, &why);
            if (!back)
                pg_outage_retry(&o, why);
            free(why);
        }
        if (!back) {
            a->target_gave_up = o.gave_up_after > 0;
            char t[32];
            time_format_duration(o.gave_up_after, t, sizeof(t));
            schema_fail(a,
                        "restoring the schema (%s) failed: could not reconnect to %s for %s "
                        "(--reconnect-timeout): %s",
                        section, o.what, t, o.reason ? o.reason : "connection lost");
            break;
        }
        pg_outage_end(&o);
        log_info("restoring the schema's %s section again: what the lost run restored is dropped "
                 "first (--clean)",
                 section);
        clean = true;
    }
    pg_outage_free(&o);
    return ok;
}

void schema_archive_free(struct schema_archive *a)
{
    free(a->path);
    free(a->list_path);
    free(a->error);
    sl_free(&a->missing_roles);
    sl_free(&a->skip_comments);
    memset(a, 0, sizeof(*a));
}
