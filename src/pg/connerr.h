/*
 * connerr.h — why a connection attempt failed, in plain words.
 *
 * libpq reports connection failures as text only (there is no SQLSTATE
 * before a session exists); this reads that text and names the cause, with
 * what the user can do about it.
 */
#ifndef PGSHUTTLE_PG_CONNERR_H
#define PGSHUTTLE_PG_CONNERR_H

enum pgconn_failure {
    CONNFAIL_OTHER = 0,
    CONNFAIL_NAME_RESOLUTION, /* the host name does not resolve */
    CONNFAIL_REFUSED,         /* nothing listens on that host and port */
    CONNFAIL_TIMEOUT,         /* no answer within connect_timeout */
    CONNFAIL_BAD_PASSWORD,    /* password (or SCRAM/MD5) authentication failed */
    CONNFAIL_NO_PASSWORD,     /* the server wants a password and none was given */
    CONNFAIL_TLS,             /* SSL/TLS negotiation or certificate trouble */
    CONNFAIL_MISSING_DATABASE,
    CONNFAIL_MISSING_ROLE,
    CONNFAIL_PG_HBA,          /* no pg_hba.conf entry allows the connection */
    CONNFAIL_TOO_MANY,        /* connection slots exhausted */
    CONNFAIL_STARTING,        /* the server is starting up or shutting down */
    CONNFAIL_COUNT
};

/* Classifies a libpq connection error message. */
enum pgconn_failure pgconn_classify_failure(const char *message);
/* A short plain-words cause, e.g. "connection refused". */
const char *pgconn_failure_cause(enum pgconn_failure f);
/* What to do about it, e.g. "check that the server runs and listens on ...". */
const char *pgconn_failure_advice(enum pgconn_failure f);

#endif
