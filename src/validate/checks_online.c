/* checks_online.c — (being written) */
#include "validate/internal.h"

void check_wal_level(struct vctx *ctx, struct check_outcome *out)
{
    vc_skip(out);
}

void check_replication_slots(struct vctx *ctx, struct check_outcome *out)
{
    vc_skip(out);
}

void check_wal_senders(struct vctx *ctx, struct check_outcome *out)
{
    vc_skip(out);
}

void check_replication_role(struct vctx *ctx, struct check_outcome *out)
{
    vc_skip(out);
}

void check_long_transactions(struct vctx *ctx, struct check_outcome *out)
{
    vc_skip(out);
}

void check_slot_wal_keep_size(struct vctx *ctx, struct check_outcome *out)
{
    vc_skip(out);
}

