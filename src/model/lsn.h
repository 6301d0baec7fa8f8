/*
 * lsn.h — a WAL position as PostgreSQL writes it ("16/B374D848"), for the
 * model's JSON.
 */
#ifndef PGSHUTTLE_MODEL_LSN_H
#define PGSHUTTLE_MODEL_LSN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LSN_TEXT_SIZE 24

void lsn_to_text(uint64_t lsn, char *buf, size_t buflen);
/* True when text is exactly two hex numbers of at most 8 digits around a '/'. */
bool lsn_from_text(const char *text, uint64_t *out);

#endif
