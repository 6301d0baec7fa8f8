/*
 * applier_result.c — the check of every pipeline result of the apply
 * session (the pipeline's callback): a control statement that failed, a
 * statement that failed or was not prepared, and an UPDATE or DELETE that
 * did not touch the rows it had to (the target has diverged).
 */
#include "cdc/applier_internal.h"

#include <inttypes.h>
#include <string.h>

static const char *control_words(enum apply_control ctl)
{
    switch (ctl) {
    case APPLY_CTL_BEGIN:
        return "could not begin the batch";
    case APPLY_CTL_COMMIT:
        return "could not commit the batch";
    case APPLY_CTL_ROLLBACK:
        return "could not roll the batch back";
    case APPLY_CTL_PROGRESS:
        return "could not record the applied position";
    case APPLY_CTL_XID:
        return "could not assign a transaction id";
    case APPLY_CTL_WAL:
        return "could not read the target's WAL position";
    default:
        return "statement failed";
    }
}

void apply__on_result(void *arg, const struct pgpipe_result *r)
{
    cdc_applier *a = arg;
    unsigned kind = (unsigned) (r->tag & APPLY_TAG_MASK);
    if (kind == APPLY_TAG_CONTROL) {
        enum apply_control ctl = (enum apply_control)((r->tag >> 3) & 31);
        size_t idx = (size_t) (r->tag >> 8);
        if (ctl == APPLY_CTL_WAL && r->status == PGPIPE_OK) {
            /* "insert flush", both LSNs as text */
            const char *sp = r->value ? strchr(r->value, ' ') : NULL;
            char ins[24];
            if (sp && (size_t) (sp - r->value) < sizeof(ins)) {
                memcpy(ins, r->value, (size_t) (sp - r->value));
                ins[sp - r->value] = '\0';
                a->wal_seen =
                    cdc_lsn_parse(ins, &a->wal_insert) && cdc_lsn_parse(sp + 1, &a->wal_flush);
            }
            return;
        }
        if (ctl == APPLY_CTL_ROLLBACK || r->status == PGPIPE_OK)
            return;
        if (r->status == PGPIPE_SKIPPED) {
            a->batch_failed = true;
            return;
        }
        if (ctl == APPLY_CTL_TRUNCATE && idx < a->truncates.n)
            apply__fail(a, r->sqlstate, "%s failed: %s", a->truncates.items[idx], r->message);
        else
            apply__fail(a, r->sqlstate, "%s: %s", control_words(ctl), r->message);
        return;
    }
    struct apply_stmt *s = (struct apply_stmt *) (r->tag & ~(uintptr_t) APPLY_TAG_MASK);
    int64_t expected = kind == APPLY_TAG_GROUP ? apply__pop_expected(a) : 1;
    if (kind == APPLY_TAG_PREPARE) {
        if (r->status != PGPIPE_OK)
            s->prepared = false;
        if (r->status == PGPIPE_ERROR)
            apply__fail(a, r->sqlstate, "%s %s: could not prepare the statement: %s",
                        apply__op_words(s->op), s->table->qualified, r->message);
        else if (r->status == PGPIPE_SKIPPED)
            a->batch_failed = true;
        return;
    }
    if (r->status == PGPIPE_ERROR) {
        apply__fail(a, r->sqlstate, "%s %s failed: %s", apply__op_words(s->op), s->table->qualified,
                    r->message);
        return;
    }
    if (r->status == PGPIPE_SKIPPED) {
        a->batch_failed = true;
        return;
    }
    if (s->op == CDC_SQL_INSERT || expected < 0 || r->rows == expected)
        return;
    /* Row values stay out of the message: they may be sensitive. */
    const char *how = s->match_row ? "the old row's values" : s->table->key_names;
    bool identity = false;
    for (int i = 0; i < s->table->sql.ncols; i++)
        identity |= s->table->sql.cols[i].identity_always;
    if (kind == APPLY_TAG_GROUP)
        apply__fail(a, "02000",
                    "%s %s found %" PRId64 " of the %" PRId64 " rows of one statement (looked up "
                    "by key %s%s): the target has diverged from the source",
                    apply__op_words(s->op), s->table->qualified, r->rows, expected, how,
                    identity && s->op == CDC_SQL_UPDATE
                        ? ", or an update changed a GENERATED ALWAYS identity column"
                        : "");
    else if (r->rows == 0)
        apply__fail(a, "02000",
                    "%s %s found no row (looked up by %s%s%s): the target has diverged from the "
                    "source",
                    apply__op_words(s->op), s->table->qualified, s->match_row ? "" : "key ", how,
                    identity && s->op == CDC_SQL_UPDATE
                        ? ", or the update changed a GENERATED ALWAYS identity column"
                        : "");
    else
        apply__fail(a, "21000", "%s %s touched %" PRId64 " rows instead of one (looked up by %s%s)",
                    apply__op_words(s->op), s->table->qualified, r->rows,
                    s->match_row ? "" : "key ", how);
}
