/*
 * internal.h — what the validation files share: the context a check runs
 * in, its outcome, and the check functions the registry lists. Not for
 * other layers.
 */
#ifndef PGSHUTTLE_VALIDATE_INTERNAL_H
#define PGSHUTTLE_VALIDATE_INTERNAL_H

#include "pg/pgconn.h"
#include "util/buf.h"
#include "validate/validate.h"

struct vctx {
    const struct migration_spec *spec;
    struct validate_report *rep;
    pgconn *src; /* source maintenance database, NULL when unreachable */
    pgconn *dst; /* target maintenance database, NULL when unreachable */
    /* set while database checks run: */
    const char *db;
    pgconn *src_db; /* the source database, NULL when it cannot be opened */
    pgconn *dst_db; /* the target database when it exists, else NULL */
    bool dst_db_exists;
    /* validate_run_asking: an existing target database is to be confirmed, not failed */
    bool ask_overwrite;
};

/* Existing target databases are to be dropped: --overwrite, or the user is asked to confirm. */
static inline bool vc_overwriting(const struct vctx *ctx)
{
    return ctx->spec->overwrite || ctx->ask_overwrite;
}

struct check_outcome {
    enum check_status status;
    strbuf message;
    strbuf remediation;
    bool not_applicable; /* nothing to check here: no result is recorded */
};

typedef void (*check_fn)(struct vctx *ctx, struct check_outcome *out);

enum check_scope { SCOPE_INSTANCE = 0, SCOPE_DATABASE };

#define MODES_OFFLINE (1u << MODE_OFFLINE)
#define MODES_ONLINE  (1u << MODE_ONLINE)
#define MODES_ALL     (MODES_OFFLINE | MODES_ONLINE)

struct check_def {
    const char *name;
    enum check_scope scope;
    unsigned modes;
    bool essential; /* run even with --type migrate: the pipeline needs it */
    check_fn fn;
};

extern const struct check_def validate_registry[];
extern const int validate_registry_count;

/* outcome.c: set the status and the message (printf-style). */
void vc_ok(struct check_outcome *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void vc_warn(struct check_outcome *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void vc_fail(struct check_outcome *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends to the remediation. */
void vc_fix(struct check_outcome *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void vc_skip(struct check_outcome *out);
/* A query failed: Failed with the server's message. */
void vc_query_failed(struct check_outcome *out, pgconn *c, const char *what);

/* Joins the first column of every row of r with ", ", at most max items (then "and N more"). */
char *vc_list(const pgres *r, int col, int max);
/* Joins the items of sl with sep, at most max items (then "and N more"). */
char *vc_join(const strlist *sl, const char *sep, int max);

/* At most this many objects are named in one list, and this many statements offered. */
#define VC_LIST_MAX 10
#define VC_FIX_MAX  10
/* one or many, by n */
const char *vc_plural(long long n, const char *one, const char *many);

/* Detects the source server type (AWS RDS, Google Cloud SQL, Azure, ...) from the server. */
char *validate_detect_source_type(pgconn *src);

/* ---- the checks (one file per group) ------------------------------------ */

/* checks_connect.c */
void check_source_connectivity(struct vctx *ctx, struct check_outcome *out);
void check_target_connectivity(struct vctx *ctx, struct check_outcome *out);
void check_source_version(struct vctx *ctx, struct check_outcome *out);
void check_target_version(struct vctx *ctx, struct check_outcome *out);
void check_client_tools(struct vctx *ctx, struct check_outcome *out);
void check_source_database(struct vctx *ctx, struct check_outcome *out);
void check_target_database(struct vctx *ctx, struct check_outcome *out);
void check_roles(struct vctx *ctx, struct check_outcome *out);

/* checks_online.c: online prerequisites on the source */
void check_wal_level(struct vctx *ctx, struct check_outcome *out);
void check_replication_slots(struct vctx *ctx, struct check_outcome *out);
void check_wal_senders(struct vctx *ctx, struct check_outcome *out);
void check_replication_role(struct vctx *ctx, struct check_outcome *out);
void check_long_transactions(struct vctx *ctx, struct check_outcome *out);
void check_slot_wal_keep_size(struct vctx *ctx, struct check_outcome *out);

/* checks_privileges.c */
void check_source_read_privileges(struct vctx *ctx, struct check_outcome *out);
void check_target_create_database(struct vctx *ctx, struct check_outcome *out);
void check_extension_parameters(struct vctx *ctx, struct check_outcome *out);
void check_target_object_owners(struct vctx *ctx, struct check_outcome *out);

/* checks_online_privileges.c: what an online migration asks of roles that are not superusers */
void check_publication(struct vctx *ctx, struct check_outcome *out);
void check_replica_identity_changes(struct vctx *ctx, struct check_outcome *out);
void check_target_replication_origins(struct vctx *ctx, struct check_outcome *out);
void check_target_replication_role(struct vctx *ctx, struct check_outcome *out);

/* checks_extensions.c, checks_collations.c, checks_objects.c: per database */
void check_extensions(struct vctx *ctx, struct check_outcome *out);
void check_collations(struct vctx *ctx, struct check_outcome *out);
void check_encoding(struct vctx *ctx, struct check_outcome *out);
void check_replica_identity(struct vctx *ctx, struct check_outcome *out);
void check_not_streamed(struct vctx *ctx, struct check_outcome *out);
void check_unfaithful_objects(struct vctx *ctx, struct check_outcome *out);

#endif
