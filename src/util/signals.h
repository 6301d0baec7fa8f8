/*
 * signals.h — the signal dispositions the commands set: a handler for the
 * stop signals, ignored ones. Through sigaction with no flags and an empty
 * mask, so that a blocking call a handled signal interrupts fails with
 * EINTR (the callers' loops then look at the flag their handler set).
 */
#ifndef PGSHUTTLE_UTIL_SIGNALS_H
#define PGSHUTTLE_UTIL_SIGNALS_H

/* Sets sig's disposition to handler (a function, SIG_IGN or SIG_DFL). */
void signals_handle(int sig, void (*handler)(int));
/* SIGINT and SIGTERM to handler: a stop asked for by the user or by a supervisor. */
void signals_on_stop(void (*handler)(int));

#endif
