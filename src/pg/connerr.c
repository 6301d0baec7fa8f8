/* connerr.c — classifying libpq connection failures (see connerr.h). */
#include "pg/connerr.h"

#include <stddef.h>
#include <string.h>

/* Message fragments, most specific first; libpq and server texts of 9.5–18. */
static const struct {
    const char *fragment;
    enum pgconn_failure failure;
} patterns[] = {
    {"could not translate host name", CONNFAIL_NAME_RESOLUTION},
    {"Name or service not known", CONNFAIL_NAME_RESOLUTION},
    {"Temporary failure in name resolution", CONNFAIL_NAME_RESOLUTION},
    {"no pg_hba.conf entry", CONNFAIL_PG_HBA},
    {"password authentication failed", CONNFAIL_BAD_PASSWORD},
    {"SCRAM authentication failed", CONNFAIL_BAD_PASSWORD},
    {"no password supplied", CONNFAIL_NO_PASSWORD},
    {"password is required", CONNFAIL_NO_PASSWORD},
    {"SSL", CONNFAIL_TLS},
    {"certificate", CONNFAIL_TLS},
    {"TLS", CONNFAIL_TLS},
    {"does not exist", CONNFAIL_OTHER}, /* resolved below: database or role */
    {"Connection refused", CONNFAIL_REFUSED},
    {"timeout expired", CONNFAIL_TIMEOUT},
    {"Connection timed out", CONNFAIL_TIMEOUT},
    {"too many clients", CONNFAIL_TOO_MANY},
    {"remaining connection slots are reserved", CONNFAIL_TOO_MANY},
    {"the database system is starting up", CONNFAIL_STARTING},
    {"the database system is shutting down", CONNFAIL_STARTING},
    {"the database system is in recovery mode", CONNFAIL_STARTING},
};

static const struct {
    const char *cause;
    const char *advice;
} texts[CONNFAIL_COUNT] = {
    [CONNFAIL_OTHER] = {"connection failed", "check the connection string and that the server "
                                             "accepts connections from this machine"},
    [CONNFAIL_NAME_RESOLUTION] = {"the host name does not resolve",
                                  "check the host name (DNS) or use the server's IP address"},
    [CONNFAIL_REFUSED] = {"connection refused",
                          "check that the server runs and listens on that address and port "
                          "(listen_addresses, port) and that no firewall blocks it"},
    [CONNFAIL_TIMEOUT] = {"no answer (timeout)",
                          "check the address, the network path and firewalls; a busy server may "
                          "need a longer connect_timeout"},
    [CONNFAIL_BAD_PASSWORD] = {"wrong password",
                               "check the user name and password (PGPASSWORD, ~/.pgpass or the "
                               "connection string)"},
    [CONNFAIL_NO_PASSWORD] = {"no password given",
                              "give the password in PGPASSWORD, a password file (~/.pgpass) or "
                              "the connection string"},
    [CONNFAIL_TLS] = {"TLS/SSL negotiation failed",
                      "check sslmode and the certificates (sslrootcert, sslcert, sslkey) the "
                      "server expects"},
    [CONNFAIL_MISSING_DATABASE] = {"the database does not exist",
                                   "check the database name; create it or choose another"},
    [CONNFAIL_MISSING_ROLE] = {"the user does not exist",
                               "check the user name or create the role on that server"},
    [CONNFAIL_PG_HBA] = {"the server's pg_hba.conf does not allow this connection",
                         "add a pg_hba.conf entry for this host, user and database (with "
                         "'replication' in the database column for replication), then reload"},
    [CONNFAIL_TOO_MANY] = {"the server has no free connection slots",
                           "close idle sessions or raise max_connections"},
    [CONNFAIL_STARTING] = {"the server is starting up, shutting down or in recovery",
                           "wait until the server accepts connections and try again"},
};

enum pgconn_failure pgconn_classify_failure(const char *message)
{
    if (message == NULL)
        return CONNFAIL_OTHER;
    for (size_t i = 0; i < sizeof(patterns) / sizeof(patterns[0]); i++) {
        if (strstr(message, patterns[i].fragment) == NULL)
            continue;
        if (patterns[i].failure != CONNFAIL_OTHER)
            return patterns[i].failure;
        if (strstr(message, "database \""))
            return CONNFAIL_MISSING_DATABASE;
        if (strstr(message, "role \""))
            return CONNFAIL_MISSING_ROLE;
    }
    return CONNFAIL_OTHER;
}

const char *pgconn_failure_cause(enum pgconn_failure f)
{
    return (f >= 0 && f < CONNFAIL_COUNT) ? texts[f].cause : texts[CONNFAIL_OTHER].cause;
}

const char *pgconn_failure_advice(enum pgconn_failure f)
{
    return (f >= 0 && f < CONNFAIL_COUNT) ? texts[f].advice : texts[CONNFAIL_OTHER].advice;
}
