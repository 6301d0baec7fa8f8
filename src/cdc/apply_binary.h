/*
 * apply_binary.h — the binary array parameters of the applier's grouped
 * statements (apply_sql.h), for column types whose text is cheap to read
 * here and costly for the server to parse.
 *
 * The source's walsender prints every value as text (DateStyle ISO, see
 * pg/replication.h). Sent as a text array literal, the target parses each
 * value again with its type's input function: for timestamps that is a
 * third of what a grouped INSERT of pgbench_history costs the target. The
 * binary array format carries the values ready to store. Only built-in
 * types whose OIDs every server shares are encoded, each value from the one
 * text form its output function writes; any other value (say 'infinity')
 * makes its whole array go as text, so nothing changes meaning on the way.
 *
 *   bool  int2  int4  int8  oid           from t/f and decimal digits
 *   text  varchar  bpchar                 the bytes as they are
 *   date  timestamp  timestamptz          util/pgtime.h
 */
#ifndef PGSHUTTLE_CDC_APPLY_BINARY_H
#define PGSHUTTLE_CDC_APPLY_BINARY_H

#include "util/buf.h"

#include <stdbool.h>
#include <stdint.h>

/* True when arrays of values of type typoid (a column's pg_attribute.atttypid) can go binary. */
bool cdc_bin_supported(uint32_t typoid);

/*
 * Appends the one-dimensional binary array of type typoid[] holding
 * values[0 .. n) (NULL entries are SQL NULLs). False, with out as it was,
 * when a value is not in the form its type prints.
 */
bool cdc_bin_array(strbuf *out, uint32_t typoid, const char *const *values, int n);

#endif
