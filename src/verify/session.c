/*
 * session.c — the verify sessions: connecting to one side and the settings
 * every comparison relies on. Used by the driver (verify.c) and by the
 * comparisons that open sessions of their own (data_compare.c).
 */
#include "pg/pgconn.h"
#include "util/log.h"
#include "verify/internal.h"

/*
 * Pins every setting that changes the text form of a value, so the same row
 * reads the same on both servers: dates, intervals, time zone, floats (also
 * sent in binary, see checksum_sql.c), bytea, money, and names qualified
 * with their schema (empty search_path). The session is read-only.
 */
bool verify__session_setup(pgconn *c)
{
    if (!pgconn_set_session_defaults(c))
        return false;
    if (!pgconn_exec(c, "SET search_path = ''; SET DateStyle = 'ISO, YMD'; "
                        "SET TimeZone = 'UTC'; SET bytea_output = 'hex'; "
                        "SET client_encoding = 'UTF8'; SET default_transaction_read_only = on"))
        return false;
    /* Any role may set it; should it fail anyway, only money columns could compare wrongly. */
    if (!pgconn_exec_quiet(c, "SET lc_monetary = 'C'")) {
        log_debug("%s: could not set lc_monetary: %s", pgconn_label(c), pgconn_error_message(c));
        pgconn_clear_error(c);
    }
    return true;
}

bool verify__connect(pgconn **out, const char *conninfo, const char *label)
{
    if (!pgconn_connect(out, conninfo, label))
        return false;
    return verify__session_setup(*out);
}
