/* signals.c — signal dispositions (see signals.h). */
#include "util/signals.h"

#include <signal.h>
#include <string.h>

void signals_handle(int sig, void (*handler)(int))
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = handler;
    sigaction(sig, &sa, NULL);
}

void signals_on_stop(void (*handler)(int))
{
    signals_handle(SIGTERM, handler);
    signals_handle(SIGINT, handler);
}
