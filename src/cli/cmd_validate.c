/*
 * cmd_validate.c — `pgshuttle validate`: runs every check that applies to
 * the chosen mode against the source, the target and each database, and
 * prints the results (a table, or one JSON document). Exit 0 when no check
 * failed (warnings pass), 2 when one did.
 */
#include "cli/checks_view.h"
#include "cli/cli.h"
#include "model/check_json.h"
#include "model/migration.h"
#include "validate/validate.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CMD "validate"

enum {
    OPT_MODE = OPT_COMMON_LAST,
    OPT_OVERWRITE,
    OPT_SOURCE_TYPE,
    OPT_PLUGIN,
    OPT_PUBLICATION,
    OPT_RI_FULL
};

static const struct cli_option validate_options[] = {
    {"mode", required_argument, OPT_MODE, "offline|online",
     "the checks of that mode (default offline)"},
    {"overwrite", no_argument, OPT_OVERWRITE, NULL,
     "target databases that exist will be dropped: a Warning, not a\n"
     "failure (a template database still fails)"},
    {"source-type", required_argument, OPT_SOURCE_TYPE, "TYPE|auto",
     "what the source is (default auto: detected from the server)"},
    {"plugin", required_argument, OPT_PLUGIN, "pgoutput|test_decoding",
     "online: the privileges that plugin needs (default pgoutput)"},
    {"publication", required_argument, OPT_PUBLICATION, "NAME",
     "online, pgoutput: the publication migrate will be given (it\n"
     "must exist and publish every table)"},
    {"replica-identity-full", no_argument, OPT_RI_FULL, NULL,
     "online: migrate will be given it (it needs ownership of the\n"
     "tables without a key)"},
    {NULL, 0, 0, NULL, NULL},
};

static const struct cli_help validate_help = {
    .cmd = CMD,
    .synopsis = "--source CONNINFO --target CONNINFO --databases DB[,DB...] [OPTIONS]",
    .about = "Checks, before anything moves, what would make the migration fail or lose data,\n"
             "and says what to do about it. Nothing is written on either server.",
    .options = validate_options,
    .notes = "With --output json: one document, {\"checks\":[...],\"status\":...}.\n"
             "Exit codes: 0 no check failed, 2 a check failed, 64 bad usage.",
};

int cmd_validate(int argc, char **argv)
{
    struct cli_conn_opts conn = {0};
    struct migration_spec spec;
    migration_spec_init(&spec);
    struct option *opts = cli_options_merge(validate_options);
    int rc = EXIT_OK, opt;
    optind = 1;
    opterr = 0;
    while (rc == EXIT_OK && (opt = getopt_long(argc, argv, CLI_SHORT_OPTIONS, opts, NULL)) != -1) {
        int common = cli_conn_opt(CMD, opt, optarg, &conn);
        if (common < 0)
            rc = EXIT_USAGE;
        if (common != 0)
            continue;
        switch (opt) {
        case OPT_MODE:
            rc = cli_spec_opt(CMD, &spec, SPEC_F_MODE, optarg);
            break;
        case OPT_OVERWRITE:
            rc = cli_spec_opt(CMD, &spec, SPEC_F_OVERWRITE, "true");
            break;
        case OPT_SOURCE_TYPE:
            rc = cli_spec_opt(CMD, &spec, SPEC_F_SOURCE_TYPE, optarg);
            break;
        case OPT_PLUGIN:
            rc = cli_spec_opt(CMD, &spec, SPEC_F_PLUGIN, optarg);
            break;
        case OPT_PUBLICATION:
            rc = cli_spec_opt(CMD, &spec, SPEC_F_PUBLICATION, optarg);
            break;
        case OPT_RI_FULL:
            rc = cli_spec_opt(CMD, &spec, SPEC_F_REPLICA_IDENTITY_FULL, "true");
            break;
        case OPT_HELP:
        case 'h':
            cli_help_print(stdout, &validate_help);
            rc = -1;
            break;
        default:
            rc = cli_option_error(CMD, opt, argv);
            break;
        }
    }
    free(opts);
    if (rc == EXIT_OK && optind < argc)
        rc = cli_usage_error(CMD, "unexpected argument \"%s\"", argv[optind]);
    if (rc == EXIT_OK) {
        cli_conn_move_to_spec(&conn, &spec);
        rc = cli_spec_check(CMD, &spec);
    }
    if (rc != EXIT_OK) {
        cli_conn_free(&conn);
        migration_spec_free(&spec);
        return rc < 0 ? EXIT_OK : rc;
    }
    spec.type = TYPE_VALIDATE;

    struct validate_report rep;
    bool ok = validate_run(&spec, false, NULL, &rep);
    if (conn.json) {
        json_t *o = json_object();
        json_object_set_new(o, "checks", check_results_to_json(&rep.results));
        json_object_set_new(o, "status", json_string(ok ? "Succeeded" : "Validation failed"));
        json_object_set_new(o, "source_type", json_string(rep.source_type));
        json_object_set_new(o, "mode", json_string(mig_mode_word(spec.mode)));
        char *s = json_dumps(o, JSON_INDENT(2));
        printf("%s\n", s);
        free(s);
        json_decref(o);
    } else {
        cli_checks_print(&rep.results, rep.source_type, stdout);
        printf("Status: %s\n", ok ? "Succeeded" : "Validation failed");
    }
    validate_report_free(&rep);
    cli_conn_free(&conn);
    migration_spec_free(&spec);
    return ok ? EXIT_OK : EXIT_VALIDATION;
}
