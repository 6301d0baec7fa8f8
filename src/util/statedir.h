/*
 * statedir.h — where the service keeps its state (docs/SERVICE.md): the
 * store, the API token and the workers' logs. `pgshuttle serve` and the
 * client commands find it the same way, through this one function.
 */
#ifndef PGSHUTTLE_UTIL_STATEDIR_H
#define PGSHUTTLE_UTIL_STATEDIR_H

/*
 * The state directory: given (from --state-dir) if not NULL, else
 * $PGSHUTTLE_STATE_DIR, else $XDG_STATE_HOME/pgshuttle, else
 * $HOME/.local/state/pgshuttle; empty variables count as unset. NULL only
 * when none of them is set (no HOME). Caller frees.
 */
char *state_dir_resolve(const char *given);

/*
 * DIR/logs/NAME.log, the log of migration NAME's worker (a '/' or a leading
 * '.' in NAME becomes '_', so the path stays in DIR/logs). Caller frees.
 */
char *state_dir_log_path(const char *state_dir, const char *name);

#endif
