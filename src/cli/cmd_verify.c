/*
 * cmd_verify.c — `pgshuttle verify`: compare databases on two servers and
 * print every difference (see docs: CLI contract). Exit 0 when every
 * database is identical, 1 on any difference or error, 64 on bad usage.
 */
#include "cli/cli.h"
#include "pg/conninfo.h"
#include "util/log.h"
#include "util/mem.h"
#include "verify/verify.h"

#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CMD      "verify"
#define MAX_JOBS 64

enum { OPT_JOBS = OPT_COMMON_LAST, OPT_SCHEMA_METHOD };

#define STR_(x) #x
#define STR(x)  STR_(x)

static const struct cli_option verify_options[] = {
    {"jobs", required_argument, OPT_JOBS, "N",
     "tables compared at a time, 1-" STR(MAX_JOBS) " (default 2)"},
    {"schema-method", required_argument, OPT_SCHEMA_METHOD, "auto|pg_dump|catalog",
     "auto (default): pg_dump when it can dump both servers, else catalog;\n"
     "or force pg_dump or catalog"},
    {NULL, 0, 0, NULL, NULL},
};

static const struct cli_help verify_help = {
    .cmd = CMD,
    .synopsis = "--source CONNINFO --target CONNINFO --databases DB[,DB...] [OPTIONS]",
    .about = "Compares the schema and the data of each database on the source and the target\n"
             "and lists every difference. Nothing is written on either server.",
    .options = verify_options,
    .notes = "Schema: pg_dump --schema-only of both sides when the installed pg_dump can dump\n"
             "both servers, else a comparison of catalog definitions. Data: per table its row\n"
             "count and an order-independent checksum; sequence positions; large objects.\n"
             "Exit status: 0 identical, 1 differences or errors, 64 bad usage.",
};

/* Lookup table: --schema-method values. */
static const struct {
    const char *name;
    enum verify_schema_method method;
} schema_methods[] = {
    {"auto", VERIFY_SCHEMA_NONE},
    {"pg_dump", VERIFY_SCHEMA_PG_DUMP},
    {"catalog", VERIFY_SCHEMA_CATALOG},
};

static bool parse_schema_method(const char *arg, enum verify_schema_method *out)
{
    for (size_t i = 0; i < sizeof(schema_methods) / sizeof(schema_methods[0]); i++)
        if (strcmp(arg, schema_methods[i].name) == 0) {
            *out = schema_methods[i].method;
            return true;
        }
    return false;
}

static bool parse_jobs(const char *arg, int *jobs)
{
    char *end;
    long v = strtol(arg, &end, 10);
    if (end == arg || *end != '\0' || v < 1 || v > MAX_JOBS)
        return false;
    *jobs = (int) v;
    return true;
}

int cmd_verify(int argc, char **argv)
{
    struct cli_conn_opts conn = {0};
    int jobs = 2;
    enum verify_schema_method schema_method = VERIFY_SCHEMA_NONE;
    struct option *options = cli_options_merge(verify_options);
    int rc = EXIT_OK;
    bool done = false;

    opterr = 0;
    optind = 1;
    int opt;
    while (!done && (opt = getopt_long(argc, argv, CLI_SHORT_OPTIONS, options, NULL)) != -1) {
        int used = cli_conn_opt(CMD, opt, optarg, &conn);
        if (used < 0) {
            rc = EXIT_USAGE;
            done = true;
        } else if (used == 0) {
            switch (opt) {
            case OPT_JOBS:
                if (!parse_jobs(optarg, &jobs)) {
                    rc = cli_usage_error(CMD, "--jobs must be a number from 1 to %d, not \"%s\"",
                                         MAX_JOBS, optarg);
                    done = true;
                }
                break;
            case OPT_SCHEMA_METHOD:
                if (!parse_schema_method(optarg, &schema_method)) {
                    rc = cli_usage_error(CMD,
                                         "--schema-method must be auto, pg_dump or catalog, "
                                         "not \"%s\"",
                                         optarg);
                    done = true;
                }
                break;
            case OPT_HELP:
            case 'h':
                cli_help_print(stdout, &verify_help);
                done = true;
                break;
            default:
                rc = cli_option_error(CMD, opt, argv);
                done = true;
                break;
            }
        }
    }
    if (!done && optind < argc) {
        rc = cli_usage_error(CMD, "unexpected argument \"%s\"", argv[optind]);
        done = true;
    }
    if (!done && !cli_conn_check(CMD, &conn)) {
        rc = EXIT_USAGE;
        done = true;
    }

    if (!done) {
        char *src = pgconninfo_hostport(conn.source);
        char *tgt = pgconninfo_hostport(conn.target);
        log_info("verifying %zu database%s: source %s, target %s", conn.databases.n,
                 conn.databases.n == 1 ? "" : "s", src, tgt);
        free(src);
        free(tgt);

        struct verify_options vopts = {
            .source = conn.source,
            .target = conn.target,
            .databases = &conn.databases,
            .jobs = jobs,
            .schema_method = schema_method,
        };
        struct verify_result result;
        verify_run(&vopts, &result);
        if (conn.json) {
            char *doc = verify_result_json(&result);
            printf("%s\n", doc);
            free(doc);
        } else {
            verify_print_text(&result, stdout);
        }
        fflush(stdout);
        rc = verify_result_identical(&result) ? EXIT_OK : EXIT_FAILED;
        verify_result_free(&result);
    }
    free(options);
    cli_conn_free(&conn);
    return rc;
}
