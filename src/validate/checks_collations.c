/*
 * checks_collations.c — will the database's locale, encoding and collations
 * exist on the target, and sort the same way there?
 *
 * Whether a locale exists is a question for the target's operating system
 * (libc) or its ICU library, not for its catalogs: a locale installed after
 * initdb is usable but absent from pg_collation. So each locale is probed
 * the way the restore will use it: CREATE COLLATION in pg_temp inside a
 * transaction that is rolled back. The probe also tells the collation
 * version the target's library would record, compared with the source's.
 * Collations in pg_catalog are not created by the restore but referenced
 * by name, so those must also exist under their name on the target.
 */
#include "pg/quote.h"
#include "sql_embedded.h"
#include "util/mem.h"
#include "validate/internal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>


/* What a collation or a database default is, as CREATE COLLATION would take it. */
struct locale_spec {
    char provider;       /* 'c' libc, 'i' ICU, 'b' builtin */
    const char *collate; /* libc LC_COLLATE / LC_CTYPE */
    const char *ctype;
    const char *locale; /* ICU or builtin locale */
    const char *rules;  /* ICU tailoring rules (16+), NULL if none */
    bool deterministic;
};

enum probe_result {
    PROBE_OK,
    PROBE_MISSING,     /* the target's libc (or builtin provider) does not know the locale */
    PROBE_ICU_UNKNOWN, /* ICU does not know the locale: it would fall back to the root locale */
    PROBE_NO_PROVIDER, /* the target has no ICU, or no builtin provider */
    PROBE_ERROR,       /* the probe itself failed (privileges, ...): nothing known */
};

static const char *provider_name(char p)
{
    switch (p) {
    case 'i':
        return "icu";
    case 'b':
        return "builtin";
    case 'd':
        return "default";
    default:
        return "libc";
    }
}

static bool is_c_locale(const char *l)
{
    return l == NULL || strcmp(l, "C") == 0 || strcmp(l, "POSIX") == 0;
}

/* "libc, de_DE.utf8", "icu, und-u-ks-level2, nondeterministic": for messages. */
static char *describe_spec(const struct locale_spec *s)
{
    strbuf sb = STRBUF_INIT;
    sb_printf(&sb, "%s, ", provider_name(s->provider));
    if (s->provider == 'c') {
        sb_append(&sb, s->collate ? s->collate : "?");
        if (s->ctype && s->collate && strcmp(s->ctype, s->collate) != 0)
            sb_printf(&sb, " / LC_CTYPE %s", s->ctype);
    } else
        sb_append(&sb, s->locale ? s->locale : "?");
    if (!s->deterministic)
        sb_append(&sb, ", nondeterministic");
    if (s->rules && s->rules[0])
        sb_append(&sb, ", with rules");
    return sb_steal(&sb);
}

/*
 * Creates the collation in pg_temp on the target inside a transaction that
 * is rolled back, so nothing stays behind. *version gets the collation
 * version the target's library reports (NULL if none); *error the server's
 * message when the probe failed. The caller frees both.
 */
static enum probe_result probe(pgconn *dst, const struct locale_spec *s, char **version,
                               char **error)
{
    *version = *error = NULL;
    int tv = pgconn_server_version(dst);
    if ((s->provider == 'i' && tv < 100000) || (s->provider == 'b' && tv < 170000))
        return PROBE_NO_PROVIDER;

    strbuf sql = STRBUF_INIT;
    sb_append(&sql, "CREATE COLLATION pg_temp.pgshuttle_probe (");
    if (s->provider == 'c') {
        sb_append(&sql, "LC_COLLATE = ");
        pgq_literal(&sql, s->collate ? s->collate : "C");
        sb_append(&sql, ", LC_CTYPE = ");
        pgq_literal(&sql, s->ctype ? s->ctype : "C");
    } else {
        sb_printf(&sql, "PROVIDER = %s, LOCALE = ", s->provider == 'i' ? "icu" : "builtin");
        pgq_literal(&sql, s->locale ? s->locale : "");
        if (!s->deterministic)
            sb_append(&sql, ", DETERMINISTIC = false");
        if (s->rules && s->rules[0]) {
            sb_append(&sql, ", RULES = ");
            pgq_literal(&sql, s->rules);
        }
    }
    sb_append(&sql, ")");

    enum probe_result res = PROBE_ERROR;
    if (!pgconn_exec_quiet(dst, "BEGIN")) {
        *error = xstrdup(pgconn_error_message(dst));
        sb_free(&sql);
        return PROBE_ERROR;
    }
    /* 16+ only warn about locales ICU does not know; make that an answer. */
    bool ok = s->provider != 'i' || tv < 160000 ||
              pgconn_exec_quiet(dst, "SET LOCAL icu_validation_level = error");
    if (ok && pgconn_exec_quiet(dst, sb_str(&sql))) {
        res = PROBE_OK;
        if (tv >= 100000 &&
            !pgconn_query_value(dst,
                                "SELECT collversion FROM pg_catalog.pg_collation "
                                "WHERE collnamespace = pg_catalog.pg_my_temp_schema() "
                                "AND collname = 'pgshuttle_probe'",
                                0, NULL, version))
            *version = NULL;
    } else {
        const char *state = pgconn_error_sqlstate(dst);
        *error = str_first_lines(pgconn_error_message(dst), 1);
        if (strcmp(state, "0A000") == 0) /* feature_not_supported: built without ICU */
            res = PROBE_NO_PROVIDER;
        else if (strcmp(state, "22023") == 0) /* invalid_parameter_value: unknown locale */
            res = s->provider == 'i' ? PROBE_ICU_UNKNOWN : PROBE_MISSING;
        else if (strcmp(state, "42704") == 0) /* undefined_object: e.g. no such builtin locale */
            res = PROBE_MISSING;
    }
    if (!pgconn_exec_quiet(dst, "ROLLBACK"))
        pgconn_clear_error(dst);
    pgconn_clear_error(dst);
    sb_free(&sql);
    return res;
}

/* What the check found, by severity; each list item names the object. */
struct findings {
    strlist failed;
    strlist warned;
    strlist version_diffs; /* "what A -> B": reported together, as one warning */
    strlist fixes;         /* remediation sentences, each once */
};

static void add_fix(struct findings *f, const char *fix)
{
    if (!sl_contains(&f->fixes, fix))
        sl_push(&f->fixes, fix);
}

static const char *FIX_INSTALL_LOCALE =
    "Install the missing locales on the target server (Debian/Ubuntu: apt-get install "
    "locales-all, or add them to /etc/locale.gen and run locale-gen; RHEL-like: dnf install "
    "glibc-langpack-<language>); new databases see them without a restart.";
static const char *FIX_SYSTEM_COLLATION =
    "Collations in pg_catalog come from initdb, and pgshuttle creates databases from template0: "
    "install the locale before initdb of the target, or on the source switch the columns to a "
    "collation of your own (CREATE COLLATION public.name (locale = '...'); ALTER TABLE ... ALTER "
    "COLUMN ... TYPE ... COLLATE public.name), which the restore creates.";
static const char *FIX_ICU =
    "Use a target server built with ICU (--with-icu; the PostgreSQL packages of Debian, Ubuntu, "
    "RHEL and the managed services have it).";
static const char *FIX_ICU_UNKNOWN =
    "The target's ICU would create these collations but fall back to its root locale (a "
    "different order): use a target with a newer ICU, or change the collations on the source.";
static const char *FIX_SOURCE_VERSION =
    "On the source, rebuild the indexes that use these collations (REINDEX INDEX ..., or "
    "REINDEX DATABASE), then record the new version: ALTER COLLATION name REFRESH VERSION (for "
    "the database default on 15+: ALTER DATABASE name REFRESH COLLATION VERSION).";
static const char *FIX_TARGET_VERSION =
    "pgshuttle builds every index on the target with the target's library, so those are "
    "consistent; check what depends on the exact order (ORDER BY results, range partitions "
    "bounded by text, unique indexes on nondeterministic collations). Indexes moved by other "
    "means (physical copies, pg_upgrade) need REINDEX.";

/* Compares the versions a collation has: recorded and actual on the source, probed on the target.
 */
static void compare_versions(struct findings *f, const char *what, const char *recorded,
                             const char *actual, const char *target)
{
    if (recorded && recorded[0] && actual && actual[0] && strcmp(recorded, actual) != 0) {
        sl_push_owned(&f->warned,
                      xasprintf("%s: the source recorded collation version %s but its library "
                                "now provides %s, so indexes built before may be out of order "
                                "(and a unique index may fail to build on the target)",
                                what, recorded, actual));
        add_fix(f, FIX_SOURCE_VERSION);
    }
    const char *src = actual && actual[0] ? actual : recorded;
    if (src && src[0] && target && target[0] && strcmp(src, target) != 0) {
        sl_push_owned(&f->version_diffs, xasprintf("%s %s -> %s", what, src, target));
        add_fix(f, FIX_TARGET_VERSION);
    }
}

/* Probes one locale and records what is wrong with it; returns the probe's result. */
static enum probe_result check_spec(pgconn *dst, struct findings *f, const struct locale_spec *s,
                                    const char *what, const char *users, char **target_version)
{
    char *error = NULL;
    enum probe_result r = probe(dst, s, target_version, &error);
    char *desc = describe_spec(s);
    const char *used = users && users[0] ? users : NULL;
    switch (r) {
    case PROBE_OK:
        break;
    case PROBE_MISSING:
        sl_push_owned(&f->failed,
                      xasprintf("%s (%s) does not exist on the target%s%s%s", what, desc,
                                used ? " (used by " : "", used ? used : "", used ? ")" : ""));
        add_fix(f, s->provider == 'b'
                       ? "The builtin provider's locales are C, C.UTF-8 and (18+) PG_UNICODE_FAST: "
                         "use a target version that has this one."
                       : FIX_INSTALL_LOCALE);
        break;
    case PROBE_NO_PROVIDER:
        sl_push_owned(
            &f->failed,
            xasprintf("%s (%s) needs the %s provider, which the target does not have%s%s%s", what,
                      desc, provider_name(s->provider), used ? " (used by " : "", used ? used : "",
                      used ? ")" : ""));
        add_fix(f, s->provider == 'i' ? FIX_ICU
                                      : "Use a target of PostgreSQL 17 or later for the builtin "
                                        "locale provider.");
        break;
    case PROBE_ICU_UNKNOWN:
        sl_push_owned(&f->warned,
                      xasprintf("%s (%s): the target's ICU does not know this locale (%s)", what,
                                desc, error ? error : "?"));
        add_fix(f, FIX_ICU_UNKNOWN);
        break;
    case PROBE_ERROR:
        sl_push_owned(&f->warned, xasprintf("%s (%s) could not be checked on the target: %s", what,
                                            desc, error ? error : "unknown error"));
        add_fix(f, "Let the target role create temporary objects (GRANT TEMPORARY ON DATABASE "
                   "postgres TO the role) so the locales can be checked, or check them by hand.");
        break;
    }
    free(desc);
    free(error);
    return r;
}

/* The version the source's library reports now for a collation (10+), NULL if none. */
static char *source_actual_version(pgconn *src, const char *oid)
{
    if (pgconn_server_version(src) < 100000)
        return NULL;
    char *v = NULL;
    const char *params[] = {oid};
    if (!pgconn_query_value(src,
                            "SELECT pg_catalog.pg_collation_actual_version($1::pg_catalog.oid)", 1,
                            params, &v)) {
        pgconn_clear_error(src);
        return NULL;
    }
    return v;
}

/* A collation of pg_catalog is referenced by name: does the target have it, for this encoding? */
static bool target_has_system_collation(pgconn *dst, const char *name, const char *encoding,
                                        bool *has)
{
    char *n = NULL;
    const char *params[] = {name, encoding};
    if (!pgconn_query_value(dst,
                            "SELECT count(*) FROM pg_catalog.pg_collation WHERE collnamespace = "
                            "'pg_catalog'::pg_catalog.regnamespace AND collname = $1 AND "
                            "collencoding IN (-1, pg_catalog.pg_char_to_encoding($2))",
                            2, params, &n))
        return false;
    *has = n && strcmp(n, "0") != 0;
    free(n);
    return true;
}

static void database_locale(struct vctx *ctx, const pgres *db, struct findings *f, char **desc)
{
    struct locale_spec s = {
        .provider = pgres_getn(db, 0, "provider")[0],
        .collate = pgres_getn(db, 0, "collate"),
        .ctype = pgres_getn(db, 0, "ctype"),
        .locale = pgres_getn(db, 0, "locale"),
        .rules = pgres_getn(db, 0, "rules"),
        .deterministic = true,
    };
    *desc = describe_spec(&s);
    char *tver = NULL;
    /* Every database has LC_COLLATE/LC_CTYPE, also those whose default is ICU or builtin. */
    struct locale_spec libc = {
        .provider = 'c', .collate = s.collate, .ctype = s.ctype, .deterministic = true};
    if (!(is_c_locale(s.collate) && is_c_locale(s.ctype))) {
        char *what = xasprintf("the database locale LC_COLLATE %s / LC_CTYPE %s",
                               s.collate ? s.collate : "?", s.ctype ? s.ctype : "?");
        check_spec(ctx->dst, f, &libc, what, NULL, &tver);
        free(what);
    }
    if (s.provider == 'i' || s.provider == 'b') {
        /* The default's version is the ICU (or builtin) one, not libc's. */
        free(tver);
        tver = NULL;
        char *what = xasprintf("the database's default %s locale %s", provider_name(s.provider),
                               s.locale ? s.locale : "?");
        if (s.provider == 'i' && pgconn_server_version(ctx->dst) < 150000) {
            sl_push_owned(&f->failed, xasprintf("%s: the target (PostgreSQL %d) cannot have an "
                                                "ICU database default (15+)",
                                                what, pgconn_server_major(ctx->dst)));
            add_fix(f, "Use a target of PostgreSQL 15 or later.");
        } else
            check_spec(ctx->dst, f, &s, what, NULL, &tver);
        free(what);
    }
    /* The database default's versions (15+): recorded and actual on the source. */
    char *actual = NULL;
    if (pgconn_server_version(ctx->src_db) >= 150000 &&
        !pgconn_query_value(ctx->src_db,
                            "SELECT pg_catalog.pg_database_collation_actual_version(oid) FROM "
                            "pg_catalog.pg_database WHERE datname = current_database()",
                            0, NULL, &actual))
        pgconn_clear_error(ctx->src_db);
    compare_versions(f, "the database default collation", pgres_getn(db, 0, "recorded_version"),
                     actual, tver);
    free(actual);
    free(tver);
}

void check_collations(struct vctx *ctx, struct check_outcome *out)
{
    if (ctx->src_db == NULL || ctx->dst == NULL)
        return vc_skip(out);
    pgres *db = NULL, *colls = NULL;
    if (!pgconn_query(ctx->src_db, sql_text("validate_db_locale"), 0, NULL, &db))
        return vc_query_failed(out, ctx->src_db, "reading the database's locale");
    if (pgres_ntuples(db) != 1) {
        pgres_free(db);
        return vc_fail(out, "the database \"%s\" was not found in pg_database", ctx->db);
    }
    if (!pgconn_query(ctx->src_db, sql_text("validate_db_collations"), 0, NULL, &colls)) {
        pgres_free(db);
        return vc_query_failed(out, ctx->src_db, "listing the collations the database uses");
    }

    struct findings f = {STRLIST_INIT, STRLIST_INIT, STRLIST_INIT, STRLIST_INIT};
    strlist user_defined = STRLIST_INIT;
    char *dbdesc = NULL;
    database_locale(ctx, db, &f, &dbdesc);
    const char *encoding = pgres_getn(db, 0, "encoding");

    int checked = 0;
    for (int i = 0; i < pgres_ntuples(colls); i++) {
        const char *oid = pgres_getn(colls, i, "oid");
        const char *schema = pgres_getn(colls, i, "schema"), *name = pgres_getn(colls, i, "name");
        bool user = pgres_get_bool(colls, i, "user_defined");
        struct locale_spec s = {
            .provider = pgres_getn(colls, i, "provider")[0],
            .collate = pgres_getn(colls, i, "collate"),
            .ctype = pgres_getn(colls, i, "ctype"),
            .locale = pgres_getn(colls, i, "locale"),
            .rules = pgres_getn(colls, i, "rules"),
            .deterministic = pgres_get_bool(colls, i, "deterministic"),
        };
        long long nusers = pgres_get_int64(colls, i, "nusers", 0);
        const char *first = pgres_getn(colls, i, "users");
        char *users = nusers > 5 ? xasprintf("%s and %lld more", first, nusers - 5)
                                 : xstrdup(first ? first : "");
        char *qname = pgq_qualified_dup(schema, name);
        char *what = xasprintf("collation %s", qname);
        char *desc = describe_spec(&s);
        if (user)
            sl_push_owned(&user_defined, xasprintf("%s (%s)", qname, desc));
        checked++;

        /* C and POSIX exist everywhere, under every name they have in pg_catalog. */
        bool trivial = s.provider == 'c' && is_c_locale(s.collate) && is_c_locale(s.ctype);
        if (!user && strcmp(name, "default") != 0) {
            bool has = true;
            if (!target_has_system_collation(ctx->dst, name, encoding, &has)) {
                vc_query_failed(out, ctx->dst, "looking for a collation on the target");
                free(users);
                free(qname);
                free(what);
                free(desc);
                goto done;
            }
            if (!has) {
                sl_push_owned(
                    &f.failed,
                    xasprintf("%s (%s) does not exist on the target for encoding %s%s%s%s", what,
                              desc, encoding, users[0] ? " (used by " : "", users,
                              users[0] ? ")" : ""));
                add_fix(&f, s.provider == 'i' ? "The target's ICU has no such locale among the "
                                                "collations initdb created: use a target with the "
                                                "same (or a newer) ICU."
                                              : FIX_INSTALL_LOCALE);
                if (s.provider != 'i')
                    add_fix(&f, FIX_SYSTEM_COLLATION);
                trivial = true; /* reported: no second message about the same collation */
            }
        }
        if (!trivial) {
            char *tver = NULL;
            if (check_spec(ctx->dst, &f, &s, what, users, &tver) == PROBE_OK) {
                char *actual = source_actual_version(ctx->src_db, oid);
                compare_versions(&f, what, pgres_getn(colls, i, "recorded_version"), actual, tver);
                free(actual);
            }
            free(tver);
        }
        free(users);
        free(qname);
        free(what);
        free(desc);
    }

    if (f.version_diffs.n) {
        char *v = vc_join(&f.version_diffs, ", ", VC_LIST_MAX);
        sl_push_owned(&f.warned, xasprintf("collation versions differ between the source and the "
                                           "target, whose library is another version (text may "
                                           "sort differently): %s",
                                           v));
        free(v);
    }
    char *ud = vc_join(&user_defined, ", ", VC_LIST_MAX);
    strbuf extra = STRBUF_INIT;
    if (user_defined.n)
        sb_printf(&extra, "; user-defined collations, created by the schema restore: %s", ud);
    if (f.failed.n || f.warned.n) {
        strbuf msg = STRBUF_INIT;
        char *a = vc_join(&f.failed, "; ", VC_LIST_MAX), *b = vc_join(&f.warned, "; ", VC_LIST_MAX);
        sb_printf(&msg, "%s%s%s%s", a, f.failed.n && f.warned.n ? "; " : "",
                  f.warned.n ? (f.failed.n ? "also: " : "") : "", b);
        sb_append(&msg, sb_str(&extra));
        if (f.failed.n)
            vc_fail(out, "%s", sb_str(&msg));
        else
            vc_warn(out, "%s", sb_str(&msg));
        for (size_t i = 0; i < f.fixes.n; i++)
            vc_fix(out, "%s", f.fixes.items[i]);
        free(a);
        free(b);
        sb_free(&msg);
    } else if (checked == 0)
        vc_ok(out, "the database locale (%s) exists on the target; no other collation is used%s",
              dbdesc, sb_str(&extra));
    else
        vc_ok(out, "the database locale (%s) and the %d other %s it uses exist on the target%s",
              dbdesc, checked, checked == 1 ? "collation" : "collations", sb_str(&extra));
    free(ud);
    sb_free(&extra);
done:
    free(dbdesc);
    sl_free(&f.failed);
    sl_free(&f.warned);
    sl_free(&f.version_diffs);
    sl_free(&f.fixes);
    sl_free(&user_defined);
    pgres_free(db);
    pgres_free(colls);
}

/* ---- encoding ----------------------------------------------------------- */

/* glibc codeset names (lower case, punctuation dropped) and the server encoding they mean. */
static const struct {
    const char *codeset;
    const char *encoding;
} codesets[] = {
    {"utf8", "UTF8"},           {"iso88591", "LATIN1"},     {"iso88592", "LATIN2"},
    {"iso88593", "LATIN3"},     {"iso88594", "LATIN4"},     {"iso88595", "ISO_8859_5"},
    {"iso88596", "ISO_8859_6"}, {"iso88597", "ISO_8859_7"}, {"iso88598", "ISO_8859_8"},
    {"iso88599", "LATIN5"},     {"iso885910", "LATIN6"},    {"iso885913", "LATIN7"},
    {"iso885914", "LATIN8"},    {"iso885915", "LATIN9"},    {"iso885916", "LATIN10"},
    {"koi8r", "KOI8R"},         {"koi8u", "KOI8U"},         {"cp1250", "WIN1250"},
    {"cp1251", "WIN1251"},      {"cp1252", "WIN1252"},      {"cp1253", "WIN1253"},
    {"cp1254", "WIN1254"},      {"cp1255", "WIN1255"},      {"cp1256", "WIN1256"},
    {"cp1257", "WIN1257"},      {"cp1258", "WIN1258"},      {"eucjp", "EUC_JP"},
    {"euckr", "EUC_KR"},        {"euccn", "EUC_CN"},        {"euctw", "EUC_TW"},
    {"gb2312", "EUC_CN"},       {"tis620", "WIN874"},       {"ansix341968", "SQL_ASCII"},
};

/*
 * A locale name with its codeset normalised the way glibc does
 * ("de_DE.UTF-8" and "de_DE.utf8" are the same locale); *codeset gets the
 * normalised codeset ("" if none). The caller frees the result.
 */
static char *normalize_locale(const char *name, char **codeset)
{
    const char *dot = strchr(name, '.');
    strbuf cs = STRBUF_INIT, out = STRBUF_INIT;
    if (dot == NULL) {
        *codeset = xstrdup("");
        return xstrdup(name);
    }
    sb_appendn(&out, name, (size_t) (dot - name));
    const char *p = dot + 1;
    for (; *p && *p != '@'; p++)
        if (isalnum((unsigned char) *p))
            sb_appendc(&cs, (char) tolower((unsigned char) *p));
    sb_printf(&out, ".%s%s", sb_str(&cs), p);
    *codeset = sb_steal(&cs);
    return sb_steal(&out);
}

static const char *codeset_encoding(const char *codeset)
{
    for (size_t i = 0; i < sizeof(codesets) / sizeof(codesets[0]); i++)
        if (strcmp(codeset, codesets[i].codeset) == 0)
            return codesets[i].encoding;
    return NULL;
}

/*
 * Which encodings the target pairs with a libc locale: from its pg_collation
 * (initdb records each locale's encoding there; "any" for C-like ones), else from the
 * codeset in the name. Returns NULL when neither tells; the caller frees.
 */
static char *target_locale_encodings(const pgres *tcolls, const char *locale, bool *from_catalog)
{
    char *cs = NULL;
    char *want = normalize_locale(locale, &cs);
    strlist encs = STRLIST_INIT;
    for (int i = 0; i < pgres_ntuples(tcolls); i++) {
        char *tcs = NULL;
        char *have = normalize_locale(pgres_get(tcolls, i, 0), &tcs);
        const char *enc = pgres_get(tcolls, i, 1);
        if (strcmp(have, want) == 0 && !sl_contains(&encs, enc ? enc : "any"))
            sl_push(&encs, enc ? enc : "any");
        free(have);
        free(tcs);
    }
    char *res = NULL;
    *from_catalog = encs.n > 0;
    if (encs.n)
        res = sl_join(&encs, ",");
    else if (codeset_encoding(cs))
        res = xstrdup(codeset_encoding(cs));
    sl_free(&encs);
    free(want);
    free(cs);
    return res;
}

static bool encoding_listed(const char *list, const char *encoding)
{
    strlist sl = STRLIST_INIT;
    sl_split(&sl, list, ',');
    bool listed = sl_contains(&sl, encoding) || sl_contains(&sl, "any");
    sl_free(&sl);
    return listed;
}

void check_encoding(struct vctx *ctx, struct check_outcome *out)
{
    if (ctx->src_db == NULL || ctx->dst == NULL)
        return vc_skip(out);
    pgres *db = NULL, *tcolls = NULL, *role = NULL;
    if (!pgconn_query(ctx->src_db, sql_text("validate_db_locale"), 0, NULL, &db))
        return vc_query_failed(out, ctx->src_db, "reading the database's encoding");
    if (pgres_ntuples(db) != 1) {
        pgres_free(db);
        return vc_fail(out, "the database \"%s\" was not found in pg_database", ctx->db);
    }
    /* libc locales the target knows, with the encoding initdb found for each (-1: any). */
    if (!pgconn_query(ctx->dst,
                      "SELECT collcollate, CASE WHEN collencoding = -1 THEN NULL ELSE "
                      "pg_catalog.pg_encoding_to_char(collencoding) END "
                      "FROM pg_catalog.pg_collation c WHERE collcollate = collctype "
                      "AND coalesce(pg_catalog.to_jsonb(c) ->> 'collprovider', 'c') = 'c'",
                      0, NULL, &tcolls) ||
        !pgconn_query(ctx->dst,
                      "SELECT current_user, rolsuper, pg_catalog.pg_char_to_encoding($1) >= 0 "
                      "AS known FROM pg_catalog.pg_roles WHERE rolname = current_user",
                      1, (const char *[]){pgres_getn(db, 0, "encoding")}, &role)) {
        pgres_free(db);
        pgres_free(tcolls);
        return vc_query_failed(out, ctx->dst, "reading the target's locales");
    }
    const char *enc = pgres_getn(db, 0, "encoding");
    const char *collate = pgres_getn(db, 0, "collate"), *ctype = pgres_getn(db, 0, "ctype");
    char provider = pgres_getn(db, 0, "provider")[0];
    bool superuser = pgres_ntuples(role) > 0 && pgres_get_bool(role, 0, "rolsuper");
    bool known = pgres_ntuples(role) > 0 && pgres_get_bool(role, 0, "known");
    const char *rolename = pgres_ntuples(role) > 0 ? pgres_get(role, 0, 0) : "?";

    if (!known) {
        vc_fail(out, "the target server does not know the encoding %s of the database", enc);
        vc_fix(out, "Use a target server of the same or a newer PostgreSQL version.");
    } else if (strcmp(enc, "SQL_ASCII") == 0) {
        bool c_ctype = is_c_locale(ctype);
        if (!c_ctype && !superuser) {
            vc_fail(out,
                    "the database encoding is SQL_ASCII with LC_CTYPE %s: only a superuser may "
                    "create such a database, and the target role %s is not one",
                    ctype, rolename);
            vc_fix(out, "Run the migration with a superuser on the target.");
        } else {
            vc_warn(out,
                    "the database encoding is SQL_ASCII: PostgreSQL stored its text without "
                    "checking the bytes, which may be in any encoding, or a mix. pgshuttle creates "
                    "the target database as SQL_ASCII too and copies the bytes as they are; a "
                    "database in another encoding (e.g. UTF8) would reject or misread them");
            vc_fix(out, "Nothing to do to move the data as it is. To convert to UTF8 later, find "
                        "out which encoding the bytes really are in and convert them (e.g. "
                        "pg_dump --encoding=<that encoding> into a UTF8 database, fixing rows "
                        "that do not convert): a separate project.");
        }
    } else {
        /* CREATE DATABASE checks LC_CTYPE and LC_COLLATE against the encoding. */
        strbuf bad = STRBUF_INIT;
        bool unsure = false;
        const char *locales[] = {ctype, collate};
        for (int i = 0; i < 2; i++) {
            const char *l = locales[i];
            if (is_c_locale(l) || (i == 1 && strcmp(l, ctype) == 0))
                continue;
            bool from_catalog = false;
            char *encs = target_locale_encodings(tcolls, l, &from_catalog);
            if (encs == NULL)
                unsure = true;
            else if (!encoding_listed(encs, enc))
                sb_printf(&bad, "%s%s %s goes with %s on the target%s", bad.len ? "; " : "",
                          i == 0 ? "LC_CTYPE" : "LC_COLLATE", l, encs,
                          from_catalog ? "" : " (by its name)");
            free(encs);
        }
        if (bad.len) {
            vc_fail(out, "the database encoding is %s, but %s: CREATE DATABASE would fail", enc,
                    sb_str(&bad));
            vc_fix(out,
                   "Give the target a locale of that name for encoding %s (e.g. localedef "
                   "-i <language_TERRITORY> -f <charset> <name>), or change the source "
                   "database's locale.",
                   enc);
        } else
            vc_ok(out,
                  "encoding %s with LC_COLLATE %s and LC_CTYPE %s%s can be created on the "
                  "target%s; data is copied in %s on both sides, without conversion",
                  enc, collate, ctype,
                  provider == 'c'   ? ""
                  : provider == 'i' ? " (ICU default)"
                                    : " (builtin default)",
                  unsure ? " (the target does not list the locale: see Collations)" : "", enc);
        sb_free(&bad);
    }
    pgres_free(db);
    pgres_free(tcolls);
    pgres_free(role);
}
