/*
 * test_decoding.h — parser for the text lines of PostgreSQL's test_decoding
 * output plugin: the only plugin a 9.5/9.6 source has, and selectable on any
 * version with --plugin test_decoding.
 *
 * A pure function over text: the stream reader hands over the payload of one
 * XLogData message (one line, not NUL-terminated) and gets back one struct
 * cdc_change. No connection, no state.
 *
 * What test_decoding gives, and so what the change holds (see docs/CDC.md):
 *  - names, not OIDs: INSERT/UPDATE/DELETE carry schema and table (unquoted),
 *    relid is 0, and no RELATION change ever comes; tuples carry names[]
 *    (column names, unquoted) and types[] (format_type() text exactly as
 *    printed, quoted where SQL needs it: `"Sales Data"."My Type"[]`,
 *    `character varying`; never a typmod).
 *  - values as TEXT with the literal's quoting removed: 'it''s' -> it's,
 *    B'0101' -> 0101, numbers and true/false as printed; `null` -> NULL;
 *    `unchanged-toast-datum` -> CDC_VALUE_UNCHANGED_TOAST. Values are the
 *    types' output in the walsender session's settings (DateStyle, TimeZone,
 *    IntervalStyle, extra_float_digits): timestamptz prints at its offset.
 *  - the old tuple (UPDATE old-key, DELETE) leaves out every NULL column and
 *    does not say whether it is the key or the whole row (REPLICA IDENTITY
 *    FULL): old_is_key is always false, names[] says what was sent, and a
 *    FULL table's columns that are absent were NULL.
 *  - a DELETE without replica identity arrives as `(no-tuple-data)`:
 *    has_old = false and an empty old tuple.
 *  - every column of the row, generated ones included (pgoutput leaves those
 *    out), and before PostgreSQL 12 a leading `oid[oid]` for tables WITH OIDS
 *    (in the old key too), which is no column of the target's table.
 *  - TRUNCATE: qualified[] holds each name exactly as printed (quoted where
 *    needed, e.g. `"Sales Data"."My ""Table"""`); relids is NULL;
 *    cdc_testdec_split_name gives the unquoted parts.
 *  - positions: no LSN is printed. lsn is the XLogData's dataStart for every
 *    change; for COMMIT that is the end of the commit record, so end_lsn =
 *    lsn (commit_lsn, the record's start, is unknown: 0). BEGIN has no
 *    final_lsn (0) and no timestamp; COMMIT has commit_ts when the plugin
 *    was started with include-timestamp.
 *  - the bytes are in the source database's encoding: the walsender does not
 *    convert test_decoding's output to client_encoding.
 */
#ifndef PGSHUTTLE_CDC_TEST_DECODING_H
#define PGSHUTTLE_CDC_TEST_DECODING_H

#include "cdc/change.h"

#include <stdbool.h>
#include <stddef.h>

/*
 * Parses one test_decoding line (one XLogData payload, len bytes, need not
 * be NUL-terminated) into *out, which must be empty (zeroed or
 * cdc_change_reset) and is filled with owned memory the caller frees with
 * cdc_change_reset. lsn is the XLogData's dataStart.
 *
 * Returns true with *skip = true and *out left empty for a logical decoding
 * message (`message: transactional: ...`, from pg_logical_emit_message):
 * test_decoding prints those whatever its options, and they carry nothing
 * to apply (skip must not be NULL).
 *
 * Returns false, *out left empty and the reason in err, on malformed input
 * (truncated line, unterminated quote, missing `]:`, unknown action,
 * trailing text, ...) and on lines that cannot be applied: an INSERT or an
 * UPDATE without tuple data. Never reads past len.
 */
bool cdc_testdec_decode(const char *line, size_t len, cdc_lsn lsn, struct cdc_change *out,
                        bool *skip, char *err, size_t errlen) __attribute__((warn_unused_result));

/*
 * Returns the option list of START_REPLICATION for test_decoding,
 * parentheses included (static string):
 *   include-xids '1'       BEGIN/COMMIT carry the xid (the default, made explicit);
 *   skip-empty-xacts '1'   no BEGIN/COMMIT pairs for transactions without
 *                          changes (catalog-only, other databases' xids);
 *   include-timestamp '1'  COMMIT carries the commit time, for lag in seconds.
 * All three exist since 9.4. only-local is left off: changes that reached
 * the source through replication are still the source's data.
 */
const char *cdc_testdec_start_options(void);

/*
 * Splits a qualified name as test_decoding prints it (`public.t`,
 * `"Sales Data"."My ""Table"""`) into its unquoted schema and table, which
 * the caller frees. Returns false (nothing allocated) when malformed.
 */
bool cdc_testdec_split_name(const char *qualified, char **schema, char **table)
    __attribute__((warn_unused_result));

#endif
