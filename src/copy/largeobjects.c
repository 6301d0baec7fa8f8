/* largeobjects.c — large object copy (see largeobjects.h). */
#include "copy/largeobjects.h"
#include "pg/quote.h"
#include "util/log.h"
#include "util/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LO_CHUNK (1024 * 1024)

/* Adds the bytes written to *bytes (shared progress) and to *moved (this object's). */
static bool copy_one(pgconn *src, pgconn *dst, uint32_t oid, _Atomic int64_t *bytes, int64_t *moved)
{
    char oidstr[16];
    snprintf(oidstr, sizeof(oidstr), "%u", oid);
    const char *p1[] = {oidstr};
    pgres *r;
    if (!pgconn_query(dst, "SELECT pg_catalog.lo_create($1::oid)", 1, p1, &r))
        return false;
    pgres_free(r);
    for (int64_t offset = 0;; offset += LO_CHUNK) {
        char off[24], len[24];
        snprintf(off, sizeof(off), "%lld", (long long) offset);
        snprintf(len, sizeof(len), "%d", LO_CHUNK);
        const char *p2[] = {oidstr, off, len};
        char *chunk = NULL;
        if (!pgconn_query_value(src, "SELECT pg_catalog.lo_get($1::oid, $2::bigint, $3::int)", 3,
                                p2, &chunk))
            return false;
        /* hex text "\x..." : two characters a byte after the prefix */
        size_t nbytes = chunk && strlen(chunk) > 2 ? (strlen(chunk) - 2) / 2 : 0;
        if (nbytes > 0) {
            const char *p3[] = {oidstr, off, chunk};
            bool ok = pgconn_query(dst, "SELECT pg_catalog.lo_put($1::oid, $2::bigint, $3::bytea)",
                                   3, p3, &r);
            if (ok)
                pgres_free(r);
            atomic_fetch_add(bytes, (int64_t) nbytes);
            *moved += (int64_t) nbytes;
            if (!ok) {
                free(chunk);
                return false;
            }
        }
        free(chunk);
        if (nbytes < LO_CHUNK)
            return true;
    }
}

/* Applies "role:PRIV[*],..." grants; roles missing on the target are noted and skipped. */
static bool grant_all(pgconn *dst, uint32_t oid, const char *grants, const strlist *target_roles,
                      strlist *missing_roles)
{
    strlist items = STRLIST_INIT;
    sl_split(&items, grants, ',');
    bool ok = true;
    for (size_t i = 0; ok && i < items.n; i++) {
        char *item = items.items[i];
        char *colon = strrchr(item, ':');
        if (colon == NULL)
            continue;
        *colon = '\0';
        char *priv = colon + 1;
        size_t plen = strlen(priv);
        bool grantable = plen && priv[plen - 1] == '*';
        if (grantable)
            priv[plen - 1] = '\0';
        /* item is already a quoted identifier or PUBLIC */
        if (strcmp(item, "PUBLIC") != 0) {
            char *unquoted = item[0] == '"' ? xstrdup(item + 1) : xstrdup(item);
            size_t ul = strlen(unquoted);
            if (item[0] == '"' && ul)
                unquoted[ul - 1] = '\0';
            bool exists = sl_contains(target_roles, unquoted);
            if (!exists && !sl_contains(missing_roles, unquoted))
                sl_push(missing_roles, unquoted);
            free(unquoted);
            if (!exists)
                continue;
        }
        char *sql = xasprintf("GRANT %s ON LARGE OBJECT %u TO %s%s", priv, oid, item,
                              grantable ? " WITH GRANT OPTION" : "");
        ok = pgconn_exec(dst, sql);
        free(sql);
    }
    sl_free(&items);
    return ok;
}

bool copy_large_objects(pgconn *src, pgconn *dst, const struct copy_catalog *cat,
                        const strlist *target_roles, strlist *missing_roles, _Atomic int64_t *bytes,
                        int *next, int64_t *pending)
{
    for (; *next < cat->nlarge_objects; (*next)++) {
        const struct cat_large_object *lo = &cat->large_objects[*next];
        *pending = 0;
        int64_t moved = 0;
        bool ok = pgconn_exec(dst, "BEGIN") && copy_one(src, dst, lo->oid, bytes, &moved);
        if (ok && sl_contains(target_roles, lo->owner)) {
            char *role = pgq_ident_dup(lo->owner);
            char *sql = xasprintf("ALTER LARGE OBJECT %u OWNER TO %s", lo->oid, role);
            ok = pgconn_exec(dst, sql);
            free(sql);
            free(role);
        } else if (ok && !sl_contains(missing_roles, lo->owner))
            sl_push(missing_roles, lo->owner);
        if (ok && lo->grants)
            ok = grant_all(dst, lo->oid, lo->grants, target_roles, missing_roles);
        if (ok && lo->comment) {
            strbuf sql = STRBUF_INIT;
            sb_printf(&sql, "COMMENT ON LARGE OBJECT %u IS ", lo->oid);
            pgq_literal(&sql, lo->comment);
            ok = pgconn_exec(dst, sb_str(&sql));
            sb_free(&sql);
        }
        if (!ok || !pgconn_exec(dst, "COMMIT")) {
            *pending = moved;
            if (!pgconn_exec_quiet(dst, "ROLLBACK"))
                log_debug("rollback failed");
            return false;
        }
    }
    return true;
}
