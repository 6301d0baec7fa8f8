/*
 * seal.h — secrets sealed with the service's secret key (docs/NODES.md,
 * Secrets): what a shared store keeps of a connection password or the API
 * token is unreadable without the key file every node reads.
 *
 * The key is 32 random bytes, written in its file as 64 hexadecimal digits
 * (white space around them ignored). The file must be a regular file
 * readable by its owner only (mode 0600 or 0400): a key others can read is
 * refused, as ssh refuses such a private key.
 *
 * A sealed text is "pgs1:" followed by the base64 of a random 12-byte nonce,
 * the AES-256-GCM ciphertext and its 16-byte tag. The context (for example
 * "spec" or "setting:api_token") is authenticated with it: a sealed value
 * moved to another place in the store does not open there.
 */
#ifndef PGSHUTTLE_UTIL_SEAL_H
#define PGSHUTTLE_UTIL_SEAL_H

#include <stdbool.h>

#define SEAL_KEY_BYTES 32
#define SEAL_PREFIX    "pgs1:"

struct seal_key {
    unsigned char bytes[SEAL_KEY_BYTES];
};

/*
 * Reads the key in path. false with *error (caller frees) saying what to do:
 * no such file, not a regular file, readable by group or others ("chmod 600
 * PATH"), not 64 hex digits ("make one with `pgshuttle secret-key PATH`").
 */
bool seal_key_load(const char *path, struct seal_key *key, char **error);

/*
 * Writes a new random key to path (created with mode 0600; an existing file
 * is never overwritten). false with *error.
 */
bool seal_key_generate(const char *path, char **error);

/* plain sealed for context (caller frees); NULL only if the random source fails. */
char *seal_text(const struct seal_key *key, const char *plain, const char *context);

/*
 * Opens sealed (a seal_text result for the same context): *plain gets the
 * text (caller frees). false with *error if it is not a sealed text, or the
 * key or context is not the one it was sealed with ("sealed with another
 * key"), never with any part of the secret.
 */
bool seal_open(const struct seal_key *key, const char *sealed, const char *context, char **plain,
               char **error);

/* Whether text looks sealed (starts with SEAL_PREFIX). */
bool seal_is_sealed(const char *text);

#endif
