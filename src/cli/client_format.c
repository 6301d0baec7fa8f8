/*
 * client_format.c — the API's migration resource and node resource as
 * text for people (see client_format.h). It reads the JSON leniently: a field the server left
 * out or set to null shows as nothing, never as an error.
 */
#include "cli/client_format.h"
#include "model/migration.h"
#include "model/progress.h"
#include "model/source_type.h"
#include "pg/conninfo.h"
#include "util/buf.h"
#include "util/mem.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char *const grid_titles[GRID_COLUMNS] = {
    [GRID_NAME] = "Name",
    [GRID_STATUS] = "Status",
    [GRID_MODE] = "Migration mode",
    [GRID_TYPE] = "Migration type",
    [GRID_SOURCE] = "Source server",
    [GRID_SOURCE_TYPE] = "Source server type",
    [GRID_DATABASES] = "Databases",
    [GRID_DURATION] = "Duration",
    [GRID_START] = "Start time",
    [GRID_NODE] = "Node",
};

static const char *const node_titles[NODE_COLUMNS] = {
    [NODE_NAME] = "Name",         [NODE_STATE] = "State",       [NODE_RUNNING] = "Running",
    [NODE_CAPACITY] = "Capacity", [NODE_AGE] = "Heartbeat age", [NODE_ADDRESS] = "Address",
    [NODE_VERSION] = "Version",
};

const char *client_grid_title(enum client_grid_column c)
{
    return c < GRID_COLUMNS ? grid_titles[c] : "";
}

/* A string member of obj, or NULL (absent, null, or not a string). */
static const char *str(const json_t *obj, const char *key)
{
    const json_t *v = json_object_get(obj, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

/* A number member of obj, or NAN. */
static double num(const json_t *obj, const char *key)
{
    const json_t *v = json_object_get(obj, key);
    return json_is_number(v) ? json_number_value(v) : NAN;
}

static const json_t *props_of(const json_t *resource)
{
    return json_object_get(resource, "properties");
}

void client_format_duration(double secs, char *out, size_t outlen)
{
    if (isnan(secs) || secs < 0) {
        snprintf(out, outlen, "-");
        return;
    }
    int64_t s = (int64_t) secs;
    if (s < 60)
        snprintf(out, outlen, "%llds", (long long) s);
    else if (s < 3600)
        snprintf(out, outlen, "%lldm %02llds", (long long) (s / 60), (long long) (s % 60));
    else if (s < 86400)
        snprintf(out, outlen, "%lldh %02lldm", (long long) (s / 3600), (long long) (s % 3600 / 60));
    else
        snprintf(out, outlen, "%lldd %02lldh", (long long) (s / 86400),
                 (long long) (s % 86400 / 3600));
}

char *client_server_hostport(const char *conninfo)
{
    if (conninfo == NULL || conninfo[0] == '\0')
        return xstrdup("");
    return pgconninfo_hostport(conninfo);
}

/* "2026-12-07T09:00:00.123Z" as "2026-12-07 09:00:00 UTC"; anything else as given. */
static char *format_time(const char *iso)
{
    if (iso == NULL)
        return xstrdup("");
    size_t len = strlen(iso);
    if (len < 19 || iso[10] != 'T')
        return xstrdup(iso);
    const char *zone = iso + 19;
    if (*zone == '.')
        zone += 1 + strspn(zone + 1, "0123456789");
    if (strcmp(zone, "Z") == 0 || strcmp(zone, "+00:00") == 0)
        zone = " UTC";
    return xasprintf("%.10s %.8s%s", iso, iso + 11, zone);
}

/* The display name of a migrationOption word ("ValidateAndMigrate" -> "Validate and migrate"). */
static const char *type_display(const char *word)
{
    if (word == NULL)
        return "";
    for (int t = 0; t < TYPE_COUNT; t++)
        if (strcmp(word, migration_type_api_word((enum mig_type) t)) == 0)
            return mig_type_name((enum mig_type) t);
    return word;
}

static const char *source_type_display(const char *word)
{
    if (word == NULL)
        return "";
    const char *name = source_type_from_api_word(word);
    return name ? name : word;
}

/* The source's type as validation found it, else as given ("auto" until then). */
static const char *detected_or_given(const json_t *p)
{
    const char *detected = str(p, "detectedSourceType");
    return detected ? detected : str(p, "sourceType");
}

/* The names of an array of strings, joined by sep. Caller frees. */
static char *join_names(const json_t *arr, const char *sep)
{
    strbuf sb = STRBUF_INIT;
    size_t i;
    const json_t *v;
    json_array_foreach(arr, i, v)
    {
        if (!json_is_string(v))
            continue;
        if (sb.len)
            sb_append(&sb, sep);
        sb_append(&sb, json_string_value(v));
    }
    return sb_steal(&sb);
}

static const json_t *current_status(const json_t *resource)
{
    return json_object_get(props_of(resource), "currentStatus");
}

void client_grid_row(const json_t *resource, char *cells[GRID_COLUMNS])
{
    const json_t *p = props_of(resource);
    const char *name = str(resource, "name");
    const char *state = str(current_status(resource), "state");
    const char *mode = str(p, "migrationMode");
    cells[GRID_NAME] = xstrdup(name ? name : "");
    cells[GRID_STATUS] = xstrdup(state ? state : "");
    cells[GRID_MODE] = xstrdup(mode ? mode : "");
    cells[GRID_TYPE] = xstrdup(type_display(str(p, "migrationOption")));
    cells[GRID_SOURCE] = client_server_hostport(str(p, "sourceServer"));
    cells[GRID_SOURCE_TYPE] = xstrdup(source_type_display(detected_or_given(p)));
    cells[GRID_DATABASES] = join_names(json_object_get(p, "dbsToMigrate"), ", ");
    char d[32] = "";
    double secs = num(p, "durationSeconds");
    if (!isnan(secs))
        client_format_duration(secs, d, sizeof(d));
    cells[GRID_DURATION] = xstrdup(d);
    cells[GRID_START] = format_time(str(p, "startedOn"));
    /* null: no node holds its lease now (not started, ended, or waiting for a claim) */
    const char *node = str(p, "node");
    cells[GRID_NODE] = xstrdup(node ? node : "");
}

void client_grid_row_free(char *cells[GRID_COLUMNS])
{
    for (int c = 0; c < GRID_COLUMNS; c++) {
        free(cells[c]);
        cells[c] = NULL;
    }
}

/* Newest start first; not started yet (no startedOn) before any started one. */
static int newest_first(const void *a, const void *b)
{
    const char *sa = str(props_of(*(const json_t *const *) a), "startedOn");
    const char *sb = str(props_of(*(const json_t *const *) b), "startedOn");
    if (sa == NULL || sb == NULL)
        return (sa != NULL) - (sb != NULL);
    return -strcmp(sa, sb);
}

/* The width of s on a terminal: its UTF-8 characters (each taken as one column). */
static size_t width_of(const char *s)
{
    size_t w = 0;
    for (; *s; s++)
        w += ((unsigned char) *s & 0xC0) != 0x80;
    return w;
}

static void append_row(strbuf *sb, const char *const *cells, const size_t *widths, size_t ncols)
{
    size_t start = sb->len;
    for (size_t c = 0; c < ncols; c++) {
        sb_append(sb, cells[c]);
        if (c + 1 < ncols)
            for (size_t pad = width_of(cells[c]); pad < widths[c] + 2; pad++)
                sb_appendc(sb, ' ');
    }
    while (sb->len > start && sb->data[sb->len - 1] == ' ')
        sb->data[--sb->len] = '\0';
    sb_appendc(sb, '\n');
}

/*
 * A table for people: the titles, then nrows rows of ncols cells each
 * (cells[row * ncols + col]), columns aligned two spaces apart, no
 * trailing blanks. Frees the cells. Caller frees the text.
 */
static char *table_format(const char *const *titles, size_t ncols, char **cells, size_t nrows)
{
    size_t *widths = xcalloc(ncols, sizeof(*widths));
    for (size_t c = 0; c < ncols; c++)
        widths[c] = width_of(titles[c]);
    for (size_t i = 0; i < nrows * ncols; i++)
        if (width_of(cells[i]) > widths[i % ncols])
            widths[i % ncols] = width_of(cells[i]);
    strbuf sb = STRBUF_INIT;
    append_row(&sb, titles, widths, ncols);
    for (size_t r = 0; r < nrows; r++)
        append_row(&sb, (const char *const *) &cells[r * ncols], widths, ncols);
    for (size_t i = 0; i < nrows * ncols; i++)
        free(cells[i]);
    free(widths);
    return sb_steal(&sb);
}

char *client_grid_format(const json_t *rows)
{
    size_t n = json_is_array(rows) ? json_array_size(rows) : 0;
    const json_t **sorted = xcalloc(n + 1, sizeof(*sorted));
    for (size_t i = 0; i < n; i++)
        sorted[i] = json_array_get(rows, i);
    qsort(sorted, n, sizeof(*sorted), newest_first);

    char **cells = xcalloc(n * GRID_COLUMNS + 1, sizeof(*cells));
    for (size_t i = 0; i < n; i++)
        client_grid_row(sorted[i], &cells[i * GRID_COLUMNS]);
    free(sorted);
    char *text = table_format(grid_titles, GRID_COLUMNS, cells, n);
    free(cells);
    return text;
}

/* An integer member of obj as text, or dflt when it is absent or null. */
static char *int_text(const json_t *obj, const char *key, const char *dflt)
{
    double v = num(obj, key);
    return isnan(v) ? xstrdup(dflt) : xasprintf("%.0f", v);
}

void client_node_row(const json_t *node, char *cells[NODE_COLUMNS])
{
    const char *name = str(node, "name"), *state = str(node, "state");
    const char *address = str(node, "address"), *version = str(node, "version");
    cells[NODE_NAME] = xstrdup(name ? name : "");
    /* a Down node still marked draining drains once it is back: say so */
    bool draining = json_is_true(json_object_get(node, "draining"));
    cells[NODE_STATE] = state && draining && strcmp(state, "Draining") != 0
                            ? xasprintf("%s (draining)", state)
                            : xstrdup(state ? state : "");
    cells[NODE_RUNNING] = int_text(node, "running", "");
    cells[NODE_CAPACITY] = int_text(node, "capacity", "no limit");
    char age[32] = "";
    double secs = num(node, "heartbeatAgeSeconds");
    if (!isnan(secs))
        client_format_duration(secs, age, sizeof(age));
    cells[NODE_AGE] = xstrdup(age);
    cells[NODE_ADDRESS] = xstrdup(address ? address : "");
    cells[NODE_VERSION] = xstrdup(version ? version : "");
}

char *client_nodes_format(const json_t *nodes)
{
    size_t n = json_is_array(nodes) ? json_array_size(nodes) : 0;
    char **cells = xcalloc(n * NODE_COLUMNS + 1, sizeof(*cells));
    for (size_t i = 0; i < n; i++)
        client_node_row(json_array_get(nodes, i), &cells[i * NODE_COLUMNS]);
    char *text = table_format(node_titles, NODE_COLUMNS, cells, n);
    free(cells);
    return text;
}

bool client_resource_status(const json_t *resource, enum mig_status *out)
{
    const char *state = str(current_status(resource), "state");
    return state && mig_status_parse(state, out);
}

int client_watch_exit(const json_t *resource)
{
    enum mig_status st;
    if (!client_resource_status(resource, &st))
        return -1;
    if (st == MIG_WAITING_FOR_USER)
        return 0;
    return mig_status_is_final(st) ? mig_status_exit_code(st) : -1;
}

/* "Label:   value" with the values in one column (a longer label pushes its value on). */
static void line(strbuf *sb, const char *label, const char *value)
{
    if (value && value[0])
        sb_printf(sb, "%-21s %s\n", label, value);
}

static void line_owned(strbuf *sb, const char *label, char *value)
{
    line(sb, label, value);
    free(value);
}

static const char *yes_no(const json_t *p, const char *key)
{
    const json_t *v = json_object_get(p, key);
    return json_is_boolean(v) ? (json_is_true(v) ? "yes" : "no") : NULL;
}

/* Appends the messages of a check ({"messages":[{"state","message"}], "remediation"}). */
static void append_check(strbuf *sb, const json_t *check, const char *indent)
{
    const char *type = str(check, "type");
    const char *state = str(check, "state");
    sb_printf(sb, "%s%-34s %s\n", indent, type ? type : "?", state ? state : "");
    size_t i;
    const json_t *m;
    json_array_foreach(json_object_get(check, "messages"), i, m)
    {
        const char *text = str(m, "message");
        if (text)
            sb_printf(sb, "%s    %s\n", indent, text);
    }
    const char *fix = str(check, "remediation");
    if (fix)
        sb_printf(sb, "%s    remediation: %s\n", indent, fix);
}

static void append_validation(strbuf *sb, const json_t *v)
{
    if (!json_is_object(v))
        return;
    const char *status = str(v, "status");
    sb_printf(sb, "\nValidation: %s\n", status ? status : "not run");
    size_t i;
    const json_t *c;
    json_array_foreach(json_object_get(v, "serverLevelValidationDetails"), i, c)
    {
        if (i == 0)
            sb_append(sb, "  Server\n");
        append_check(sb, c, "    ");
    }
    const json_t *db;
    json_array_foreach(json_object_get(v, "dbLevelValidationDetails"), i, db)
    {
        const char *name = str(db, "databaseName");
        sb_printf(sb, "  Database %s\n", name ? name : "?");
        size_t j;
        json_array_foreach(json_object_get(db, "summary"), j, c)
        {
            append_check(sb, c, "    ");
        }
    }
}

/* Adds one part of a database's figures: ", " between parts. */
static void part(strbuf *parts, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void part(strbuf *parts, const char *fmt, ...)
{
    if (parts->len)
        sb_append(parts, ", ");
    va_list ap;
    va_start(ap, fmt);
    char *text = xvasprintf(fmt, ap);
    va_end(ap);
    sb_append(parts, text);
    free(text);
}

/* A byte count as "1.2 GB". */
static const char *bytes_text(double bytes, char *out, size_t outlen)
{
    progress_format_bytes((int64_t) bytes, out, outlen);
    return out;
}

/* The figures of one database: tables, rows, bytes, rate, ETA, indexes, the stream. */
static void db_figures(strbuf *parts, const json_t *d)
{
    char text[32], more[32];
    double done = num(d, "fullLoadCompletedTables");
    double errored = num(d, "fullLoadErroredTables");
    double total =
        done + num(d, "fullLoadQueuedTables") + num(d, "fullLoadLoadingTables") + errored;
    if (!isnan(total) && total > 0)
        part(parts, "tables %.0f/%.0f", done, total);
    if (!isnan(errored) && errored > 0)
        part(parts, "%.0f failed", errored);
    double rows = num(d, "rowsCopied");
    if (!isnan(rows) && rows > 0) {
        progress_format_count((int64_t) rows, text, sizeof(text));
        part(parts, "rows %s", text);
    }
    double bytes = num(d, "bytesCopied"), rate = num(d, "bytesPerSecond");
    if (!isnan(bytes) && bytes > 0 && !isnan(rate) && rate > 0)
        part(parts, "%s at %s/s", bytes_text(bytes, text, sizeof(text)),
             bytes_text(rate, more, sizeof(more)));
    else if (!isnan(bytes) && bytes > 0)
        part(parts, "%s", bytes_text(bytes, text, sizeof(text)));
    double eta = num(d, "etaSeconds");
    if (!isnan(eta) && eta > 0) {
        client_format_duration(eta, text, sizeof(text));
        part(parts, "ETA %s", text);
    }
    double ib = num(d, "indexesBuilt"), it = num(d, "indexesTotal");
    if (!isnan(ib) && !isnan(it) && it > 0)
        part(parts, "indexes %.0f/%.0f", ib, it);
    double applied = num(d, "appliedChanges");
    if (json_is_true(json_object_get(d, "streaming")) || (!isnan(applied) && applied > 0)) {
        progress_format_count(isnan(applied) ? 0 : (int64_t) applied, text, sizeof(text));
        part(parts, "streaming: %s changes applied", text);
        double lag = num(d, "lagBytes"), latency = num(d, "latency");
        if (!isnan(lag) && !isnan(latency))
            part(parts, "lag %s, %.2fs", bytes_text(lag, more, sizeof(more)), latency);
        else if (!isnan(lag))
            part(parts, "lag %s", bytes_text(lag, more, sizeof(more)));
    }
    const char *waiting = str(d, "waitingFor");
    if (waiting)
        part(parts, "waiting for the %s to come back", waiting);
}

/* One database's progress on one line, plus its message on another. */
static void append_db(strbuf *sb, const char *name, const json_t *d)
{
    const char *state = str(d, "migrationState");
    strbuf parts = STRBUF_INIT;
    db_figures(&parts, d);
    sb_printf(sb, "  %-20s %-29s %s", name, state ? state : "", sb_str(&parts));
    sb_free(&parts);
    while (sb->len > 0 && sb->data[sb->len - 1] == ' ')
        sb->data[--sb->len] = '\0';
    sb_appendc(sb, '\n');
    const char *msg = str(d, "message");
    if (msg)
        sb_printf(sb, "  %-20s %s\n", "", msg);
}

/* Every database of dbDetails: those of dbsToMigrate in their order, then any other. */
static void append_dbs(strbuf *sb, const json_t *resource)
{
    const json_t *sub = json_object_get(current_status(resource), "currentSubStateDetails");
    const json_t *details = json_object_get(sub, "dbDetails");
    if (!json_is_object(details) || json_object_size(details) == 0)
        return;
    const json_t *order = json_object_get(props_of(resource), "dbsToMigrate");
    size_t i;
    const json_t *v;
    json_array_foreach(order, i, v)
    {
        const json_t *d = json_is_string(v) ? json_object_get(details, json_string_value(v)) : NULL;
        if (d)
            append_db(sb, json_string_value(v), d);
    }
    const char *key;
    json_object_foreach((json_t *) details, key, v)
    {
        bool listed = false;
        size_t j;
        const json_t *o;
        json_array_foreach(order, j, o)
        {
            listed = listed || (json_is_string(o) && strcmp(json_string_value(o), key) == 0);
        }
        if (!listed)
            append_db(sb, key, v);
    }
}

/* The status line: "Waiting for user action: Waiting for cutover". */
static void append_status(strbuf *sb, const json_t *resource)
{
    const json_t *cs = current_status(resource);
    const char *state = str(cs, "state");
    const char *sub = str(json_object_get(cs, "currentSubStateDetails"), "currentSubState");
    sb_printf(sb, "%-21s %s%s%s\n", "Status:", state ? state : "unknown", sub ? ": " : "",
              sub ? sub : "");
    const json_t *err = json_object_get(cs, "error");
    const char *text = json_is_string(err) ? json_string_value(err) : str(err, "message");
    const char *db = str(cs, "errorDatabase");
    if (text && db)
        line_owned(sb, "Error:", xasprintf("%s (database %s)", text, db));
    else
        line(sb, "Error:", text);
    size_t i;
    const json_t *w;
    json_array_foreach(json_object_get(cs, "warnings"), i, w)
    {
        if (json_is_string(w))
            line(sb, i == 0 ? "Warnings:" : "", json_string_value(w));
    }
}

/* The node running it; an active migration that none runs waits for one's claim. */
static void append_node(strbuf *sb, const json_t *resource)
{
    const char *node = str(props_of(resource), "node");
    enum mig_status st;
    if (node)
        line(sb, "Node:", node);
    else if (client_resource_status(resource, &st) && !mig_status_is_final(st))
        line(sb, "Node:", "none (waiting for a node to take it)");
}

/* Properties show() writes itself; any other is listed as it is. */
static const char *const shown_props[] = {
    "migrationMode",
    "migrationOption",
    "sourceType",
    "sourceServer",
    "targetServer",
    "dbsToMigrate",
    "overwriteDbsInTarget",
    "migrationWindowStartTimeInUtc",
    "startedOn",
    "endedOn",
    "durationSeconds",
    "currentStatus",
    "node",
    NULL,
};

static bool is_shown(const char *key)
{
    for (int i = 0; shown_props[i]; i++)
        if (strcmp(shown_props[i], key) == 0)
            return true;
    return false;
}

char *client_show_format(const json_t *resource)
{
    const json_t *p = props_of(resource);
    strbuf sb = STRBUF_INIT;
    line(&sb, "Name:", str(resource, "name"));
    append_status(&sb, resource);
    append_node(&sb, resource);
    line(&sb, "Migration mode:", str(p, "migrationMode"));
    line(&sb, "Migration type:", type_display(str(p, "migrationOption")));
    line_owned(&sb, "Source server:", client_server_hostport(str(p, "sourceServer")));
    line(&sb, "Source server type:", source_type_display(detected_or_given(p)));
    line_owned(&sb, "Target server:", client_server_hostport(str(p, "targetServer")));
    line_owned(&sb, "Databases:", join_names(json_object_get(p, "dbsToMigrate"), ", "));
    line(&sb, "Overwrite:", yes_no(p, "overwriteDbsInTarget"));
    line_owned(&sb, "Window start:", format_time(str(p, "migrationWindowStartTimeInUtc")));
    line_owned(&sb, "Started:", format_time(str(p, "startedOn")));
    line_owned(&sb, "Ended:", format_time(str(p, "endedOn")));
    char d[32];
    double secs = num(p, "durationSeconds");
    if (!isnan(secs)) {
        client_format_duration(secs, d, sizeof(d));
        line(&sb, "Duration:", d);
    }
    const char *key;
    const json_t *v;
    json_object_foreach((json_t *) p, key, v)
    {
        if (is_shown(key) || json_is_null(v) || json_is_object(v) || json_is_array(v))
            continue;
        char *text = json_is_string(v) ? xstrdup(json_string_value(v))
                                       : json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
        char *label = xasprintf("%s:", key);
        line(&sb, label, text);
        free(label);
        free(text);
    }
    const json_t *sub = json_object_get(current_status(resource), "currentSubStateDetails");
    append_validation(&sb, json_object_get(sub, "validationDetails"));
    size_t before = sb.len;
    sb_append(&sb, "\nDatabases\n");
    size_t header = sb.len;
    append_dbs(&sb, resource);
    if (sb.len == header) {
        sb.len = before;
        sb.data[before] = '\0';
    }
    return sb_steal(&sb);
}

char *client_progress_format(const json_t *resource)
{
    const json_t *p = props_of(resource);
    strbuf sb = STRBUF_INIT;
    const char *name = str(resource, "name");
    const json_t *cs = current_status(resource);
    const char *state = str(cs, "state");
    const char *sub = str(json_object_get(cs, "currentSubStateDetails"), "currentSubState");
    sb_printf(&sb, "%s: %s%s%s", name ? name : "?", state ? state : "unknown", sub ? ": " : "",
              sub ? sub : "");
    double secs = num(p, "durationSeconds");
    if (!isnan(secs)) {
        char d[32];
        client_format_duration(secs, d, sizeof(d));
        sb_printf(&sb, " (%s)", d);
    }
    sb_appendc(&sb, '\n');
    const json_t *err = json_object_get(cs, "error");
    const char *err_text = json_is_string(err) ? json_string_value(err) : str(err, "message");
    const char *err_db = str(cs, "errorDatabase");
    if (err_text)
        sb_printf(&sb, "  error: %s%s%s%s\n", err_text, err_db ? " (database " : "",
                  err_db ? err_db : "", err_db ? ")" : "");
    append_dbs(&sb, resource);
    return sb_steal(&sb);
}
