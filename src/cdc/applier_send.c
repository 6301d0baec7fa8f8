/*
 * applier_send.c — the applier's statements: one per (table, operation,
 * column set), cached by key, and sent into the pipeline, prepared on the
 * target first unless the table has too many shapes (APPLY_MAX_PREPARED).
 * Used by applier_stmt.c for one change and applier_group.c for a group.
 */
#include "cdc/applier_internal.h"
#include "util/mem.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

const char *apply__op_words(int op)
{
    switch (op) {
    case CDC_SQL_INSERT:
        return "INSERT into";
    case CDC_SQL_UPDATE:
        return "UPDATE of";
    default:
        return "DELETE from";
    }
}

struct apply_stmt *apply__stmt(cdc_applier *a, struct apply_table *t, const uint8_t *key,
                               size_t keylen)
{
    uint64_t hash = hmap_hash(key, keylen);
    struct apply_stmt *s = hmap_get_hashed(&a->stmts, hash, key, keylen);
    if (s)
        return s;
    s = xcalloc(1, sizeof(*s));
    s->table = t;
    s->grouped = key[sizeof(uint32_t)] != 0;
    s->op = key[APPLY_KEY_PREFIX];
    s->match_row = key[APPLY_KEY_PREFIX + 1] == CDC_SQL_MATCH_ROW;
    snprintf(s->name, sizeof(s->name), "pgshuttle_%" PRIu64, ++a->next_stmt);
    s->key = xmalloc(keylen);
    memcpy(s->key, key, keylen);
    s->keylen = keylen;
    s->next = t->stmts;
    t->stmts = s;
    hmap_put_hashed(&a->stmts, hash, s->key, keylen, s);
    strbuf sql = STRBUF_INIT;
    s->nparams = s->grouped ? cdc_sql_build_grouped(&sql, &t->sql, s->key + APPLY_KEY_PREFIX)
                            : cdc_sql_build(&sql, &t->sql, s->key + APPLY_KEY_PREFIX);
    /* Past the cap, the text is kept and sent each time instead of prepared. */
    if (++t->nstmts > APPLY_MAX_PREPARED)
        s->sql = sb_steal(&sql);
    sb_free(&sql);
    return s;
}

bool apply__send(cdc_applier *a, struct apply_stmt *s, int nparams, const char *const *params,
                 const int *lengths, const int *formats, unsigned tagkind)
{
    const char *qualified = s->table->qualified;
    bool ok;
    if (s->sql) {
        ok = pgpipe_send_formats(a->pipe, s->sql, NULL, nparams, params, lengths, formats,
                                 (uintptr_t) s | tagkind);
    } else {
        if (!s->prepared) {
            /* New, or its PREPARE was lost with a rolled-back batch. */
            sb_reset(&a->sql);
            if (s->grouped)
                cdc_sql_build_grouped(&a->sql, &s->table->sql, s->key + APPLY_KEY_PREFIX);
            else
                cdc_sql_build(&a->sql, &s->table->sql, s->key + APPLY_KEY_PREFIX);
            if (!pgpipe_prepare(a->pipe, s->name, sb_str(&a->sql),
                                (uintptr_t) s | APPLY_TAG_PREPARE))
                goto failed;
            s->prepared = true;
        }
        ok = pgpipe_send_formats(a->pipe, NULL, s->name, nparams, params, lengths, formats,
                                 (uintptr_t) s | tagkind);
    }
    if (ok)
        return true;
failed:
    a->broken = true;
    apply__fail(a, pgconn_error_sqlstate(a->conn), "%s %s: %s", apply__op_words(s->op), qualified,
                pgconn_error_message(a->conn));
    return false;
}
