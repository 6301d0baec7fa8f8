/* events.c — event delivery to a sink (see events.h). */
#include "model/events.h"

#include <stddef.h>

static const char *const kind_names[EV_KIND_COUNT] = {
    [EV_STATUS] = "status",
    [EV_PHASE] = "phase",
    [EV_TABLE_COPIED] = "table",
    [EV_INDEX_BUILT] = "index",
    [EV_WARNING] = "warning",
    [EV_ERROR] = "error",
    [EV_DATABASE_DONE] = "database",
    [EV_CHECK] = "check",
    [EV_STREAMING] = "streaming",
    [EV_LARGE_OBJECTS_COPIED] = "large_objects",
    [EV_TABLE_QUEUED] = "table_queued",
    [EV_TABLE_STARTED] = "table_started",
    [EV_TABLE_FAILED] = "table_failed",
};

void event_emit(const struct event_sink *sink, const struct event *ev)
{
    if (sink && sink->emit)
        sink->emit(sink->ctx, ev);
}

const char *event_kind_name(enum event_kind k)
{
    return (k >= 0 && k < EV_KIND_COUNT) ? kind_names[k] : "unknown";
}
