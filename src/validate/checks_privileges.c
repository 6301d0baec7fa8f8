/* checks_privileges.c — (being written) */
#include "validate/internal.h"

void check_source_read_privileges(struct vctx *ctx, struct check_outcome *out)
{
    vc_skip(out);
}

void check_target_create_database(struct vctx *ctx, struct check_outcome *out)
{
    vc_skip(out);
}

void check_extension_parameters(struct vctx *ctx, struct check_outcome *out)
{
    vc_skip(out);
}

