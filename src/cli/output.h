/*
 * output.h — how a foreground migration talks to the person or script that
 * started it: JSON lines on stdout (--output json), or log lines on stderr
 * plus, on a terminal, a live progress display redrawn in place.
 */
#ifndef PGSHUTTLE_CLI_OUTPUT_H
#define PGSHUTTLE_CLI_OUTPUT_H

#include "engine/engine.h"
#include "model/events.h"

#include <stdbool.h>

struct cli_output;

/*
 * json: JSON lines on stdout; live: redraw a progress display on stderr (a
 * terminal); reads_terminal: `cutover` typed on the terminal is read (the
 * cutover hint says so).
 */
struct cli_output *cli_output_new(bool json, bool live, bool reads_terminal);
void cli_output_free(struct cli_output *out);
const struct event_sink *cli_output_sink(struct cli_output *out);
/* Starts (and stops) the live display of run's progress; no-op unless live. */
void cli_output_attach(struct cli_output *out, struct engine_run *run);
void cli_output_detach(struct cli_output *out);
/* Prints the final result of run (summary text, or the "result" JSON line). */
void cli_output_result(struct cli_output *out, struct engine_run *run);

#endif
