/* quote.c — identifier and literal quoting (see quote.h). */
#include "pg/quote.h"

#include <stdlib.h>
#include <string.h>

/*
 * Keywords that are not "unreserved" in PostgreSQL (reserved, type/function
 * names, column names), up to version 18, sorted for bsearch. Quoting a word
 * that a given server version does not reserve is harmless.
 */
static const char *const keywords[] = {
    "all", "analyse", "analyze", "and", "any", "array", "as", "asc", "asymmetric",
    "authorization", "between", "bigint", "binary", "bit", "boolean", "both", "case", "cast",
    "char", "character", "check", "coalesce", "collate", "collation", "column", "concurrently",
    "constraint", "create", "cross", "current_catalog", "current_date", "current_role",
    "current_schema", "current_time", "current_timestamp", "current_user", "dec", "decimal",
    "default", "deferrable", "desc", "distinct", "do", "else", "end", "except", "exists",
    "extract", "false", "fetch", "float", "for", "foreign", "freeze", "from", "full", "grant",
    "greatest", "group", "grouping", "having", "ilike", "in", "initially", "inner", "inout",
    "int", "integer", "intersect", "interval", "into", "is", "isnull", "join", "json",
    "json_array", "json_arrayagg", "json_exists", "json_object", "json_objectagg", "json_query",
    "json_scalar", "json_serialize", "json_table", "json_value", "lateral", "leading", "least",
    "left", "like", "limit", "localtime", "localtimestamp", "merge_action", "national", "natural",
    "nchar", "none", "normalize", "not", "notnull", "null", "nullif", "numeric", "offset", "on",
    "only", "or", "order", "out", "outer", "overlaps", "overlay", "placing", "position",
    "precision", "primary", "real", "references", "returning", "right", "row", "select",
    "session_user", "setof", "similar", "smallint", "some", "substring", "symmetric",
    "system_user", "table", "tablesample", "then", "time", "timestamp", "to", "trailing", "treat",
    "trim", "true", "union", "unique", "user", "using", "values", "varchar", "variadic",
    "verbose", "when", "where", "window", "with", "xmlattributes", "xmlconcat", "xmlelement",
    "xmlexists", "xmlforest", "xmlnamespaces", "xmlparse", "xmlpi", "xmlroot", "xmlserialize",
    "xmltable",
};

static int cmp_keyword(const void *a, const void *b)
{
    return strcmp(*(const char *const *) a, *(const char *const *) b);
}

bool pgq_needs_quotes(const char *name)
{
    if (name == NULL || name[0] == '\0')
        return true;
    if (!((name[0] >= 'a' && name[0] <= 'z') || name[0] == '_'))
        return true;
    for (const char *p = name; *p; p++) {
        char c = *p;
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '$'))
            return true;
    }
    return bsearch(&name, keywords, sizeof(keywords) / sizeof(keywords[0]), sizeof(keywords[0]),
                   cmp_keyword) != NULL;
}

void pgq_ident(strbuf *sb, const char *name)
{
    if (!pgq_needs_quotes(name)) {
        sb_append(sb, name);
        return;
    }
    sb_appendc(sb, '"');
    for (const char *p = name ? name : ""; *p; p++) {
        if (*p == '"')
            sb_appendc(sb, '"');
        sb_appendc(sb, *p);
    }
    sb_appendc(sb, '"');
}

void pgq_qualified(strbuf *sb, const char *schema, const char *name)
{
    if (schema && schema[0]) {
        pgq_ident(sb, schema);
        sb_appendc(sb, '.');
    }
    pgq_ident(sb, name);
}

void pgq_literal(strbuf *sb, const char *value)
{
    bool backslash = strchr(value, '\\') != NULL;
    if (backslash)
        sb_appendc(sb, 'E');
    sb_appendc(sb, '\'');
    for (const char *p = value; *p; p++) {
        if (*p == '\'' || (backslash && *p == '\\'))
            sb_appendc(sb, *p);
        sb_appendc(sb, *p);
    }
    sb_appendc(sb, '\'');
}

char *pgq_ident_dup(const char *name)
{
    strbuf sb = STRBUF_INIT;
    pgq_ident(&sb, name);
    return sb_steal(&sb);
}

char *pgq_qualified_dup(const char *schema, const char *name)
{
    strbuf sb = STRBUF_INIT;
    pgq_qualified(&sb, schema, name);
    return sb_steal(&sb);
}
