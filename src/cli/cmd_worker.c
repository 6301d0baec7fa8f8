/*
 * cmd_worker.c — `pgshuttle worker --state-dir DIR --id N …`: runs one
 * migration of the service's store (docs/SERVICE.md). Internal: a node's
 * supervisor starts it; the spec, passwords included, comes from the store
 * by id, never from the command line or the environment. A PostgreSQL
 * store's URI (which may hold the store's password) comes in
 * PGSHUTTLE_STATE, never in argv.
 */
#include "cli/cli.h"
#include "service/service.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>

enum {
    OPT_W_STATE_DIR = 2000,
    OPT_W_ID,
    OPT_W_LEASE_TTL,
    OPT_W_LOG_LEVEL,
    OPT_W_NODE,
    OPT_W_LEASE,
    OPT_W_EPOCH,
    OPT_W_STATE_SCHEMA,
    OPT_W_SECRET_KEY_FILE,
};

static const struct cli_option worker_options[] = {
    {"state-dir", required_argument, OPT_W_STATE_DIR, "DIR", "the service's state directory"},
    {"id", required_argument, OPT_W_ID, "N", "the migration's id in the store"},
    {"lease-ttl", required_argument, OPT_W_LEASE_TTL, "DURATION",
     "how long its lease lasts (default 15s), renewed every fifth of it"},
    {"log-level", required_argument, OPT_W_LOG_LEVEL, "LEVEL",
     "debug, info (default), notice, warn or error"},
    {"node-name", required_argument, OPT_W_NODE, "NAME",
     "the node that runs it (default: the host name)"},
    {"lease-owner", required_argument, OPT_W_LEASE, "OWNER",
     "the lease its node claimed for it (with --lease-epoch)"},
    {"lease-epoch", required_argument, OPT_W_EPOCH, "N", "the claimed lease's epoch"},
    {"state-schema", required_argument, OPT_W_STATE_SCHEMA, "NAME",
     "a PostgreSQL store's schema (PGSHUTTLE_STATE names the store)"},
    {"secret-key-file", required_argument, OPT_W_SECRET_KEY_FILE, "FILE",
     "a PostgreSQL store's secret key"},
    {"help", no_argument, OPT_HELP, NULL, "print this help and exit"},
    {NULL, 0, 0, NULL, NULL},
};

static const struct cli_help worker_help = {
    .cmd = "worker",
    .synopsis = "--state-dir DIR --id N",
    .about = "Runs one migration of the service's state store: takes its lease, runs it, writes\n"
             "its state and events to the store and takes the users' requests from it.\n"
             "Internal: `pgshuttle serve` starts one per migration, with its log in\n"
             "DIR/logs/NAME.log; there is no need to run it by hand.",
    .options = worker_options,
    .notes = "Exit codes: 0 succeeded (or another worker runs the migration), 1 failed,\n"
             "2 validation failed, 3 canceled, 64 bad usage.",
};

/* A positive whole number into *out; false if arg is not one. */
static bool positive_arg(const char *arg, int64_t *out)
{
    char *end = NULL;
    errno = 0;
    long long v = strtoll(arg, &end, 10);
    if (errno != 0 || end == arg || *end != '\0' || v <= 0)
        return false;
    *out = (int64_t) v;
    return true;
}

int cmd_worker(int argc, char **argv)
{
    const char *state_dir = NULL;
    struct store_config store = {0};
    struct service_worker_args args = {.store = &store};
    struct option opts[sizeof(worker_options) / sizeof(worker_options[0])];
    cli_options_own(worker_options, opts);
    optind = 1;
    opterr = 0;
    int opt;
    while ((opt = getopt_long(argc, argv, CLI_SHORT_OPTIONS, opts, NULL)) != -1) {
        switch (opt) {
        case OPT_W_STATE_DIR:
            state_dir = optarg;
            break;
        case OPT_W_ID:
            if (!positive_arg(optarg, &args.id))
                return cli_usage_error("worker", "--id must be a migration id (a positive number)");
            break;
        case OPT_W_EPOCH:
            if (!positive_arg(optarg, &args.lease_epoch))
                return cli_usage_error("worker", "--lease-epoch must be a positive number");
            break;
        case OPT_W_NODE:
            args.node = optarg;
            break;
        case OPT_W_LEASE:
            args.lease_owner = optarg;
            break;
        case OPT_W_STATE_SCHEMA:
            store.schema = optarg;
            break;
        case OPT_W_SECRET_KEY_FILE:
            store.secret_key_file = optarg;
            break;
        case OPT_W_LEASE_TTL: {
            double ttl = 0;
            if (!cli_lease_ttl_opt("worker", optarg, &ttl))
                return EXIT_USAGE;
            service_worker_set_lease_ttl(ttl);
            break;
        }
        case OPT_W_LOG_LEVEL:
            if (!cli_log_level_opt("worker", optarg))
                return EXIT_USAGE;
            break;
        case OPT_HELP:
        case 'h':
            cli_help_print_own(stdout, &worker_help);
            return EXIT_OK;
        default:
            return cli_option_error("worker", opt, argv);
        }
    }
    if (optind < argc)
        return cli_usage_error("worker", "unexpected argument \"%s\"", argv[optind]);
    if (state_dir == NULL || args.id == 0)
        return cli_usage_error("worker", "--state-dir and --id are required");
    if ((args.lease_owner == NULL) != (args.lease_epoch == 0))
        return cli_usage_error("worker", "--lease-owner and --lease-epoch go together");
    store.dir = state_dir;
    const char *uri = getenv("PGSHUTTLE_STATE");
    store.uri = uri && uri[0] ? uri : NULL;
    return service_worker_main(&args);
}
