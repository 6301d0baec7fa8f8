/*
 * pgoutput.h — decoder for PostgreSQL's built-in logical replication output
 * plugin, pgoutput, protocol version 1 (PostgreSQL 10+).
 *
 * A pure function over bytes: the stream reader hands over the payload of
 * one XLogData message at a time and gets back one struct cdc_change (or a
 * "skip" for messages the applier has no use for). No connection, no state:
 * the applier keeps the relation metadata that RELATION changes carry.
 */
#ifndef PGSHUTTLE_CDC_PGOUTPUT_H
#define PGSHUTTLE_CDC_PGOUTPUT_H

#include "cdc/change.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Decodes one pgoutput message: data/len is the payload of one XLogData
 * (after its 25-byte header); lsn is that XLogData's dataStart (0 for the
 * messages the server sends without a position). *out must be empty (zeroed
 * or cdc_change_reset) and is filled with owned memory that the caller frees
 * with cdc_change_reset.
 *
 * Returns true with *skip = true, *out left empty, for messages that carry
 * nothing for the applier: Origin 'O', Type 'Y', logical message 'M'.
 * Returns false on malformed or unsupported input (truncated message,
 * trailing bytes, unknown message type, bad tuple kind, binary tuple data,
 * counts that overrun the buffer, ...) with the reason in err; *out is then
 * left empty. Never reads past len.
 */
bool cdc_pgoutput_decode(const uint8_t *data, size_t len, cdc_lsn lsn, struct cdc_change *out,
                         bool *skip, char *err, size_t errlen) __attribute__((warn_unused_result));

/*
 * Returns the option list of START_REPLICATION for pgoutput, parentheses
 * included: ("proto_version" '1', "publication_names" '<publication>'), the
 * name quoted as an identifier inside the literal when pgoutput would
 * otherwise fold or split it. Version 1 is understood by every server from
 * 10 on. The caller frees the result.
 */
char *cdc_pgoutput_start_options(const char *publication);

#endif
