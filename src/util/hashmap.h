/*
 * hashmap.h — a hash table from byte-string keys to pointers.
 *
 * Open addressing with linear probing and backward-shift deletion (no
 * tombstones), grown at 3/4 load. Keys are copied into the table (one
 * allocation per insert, none per lookup); values are the caller's and a
 * NULL value means "absent", so it cannot be stored. Meant for caches looked
 * up on hot paths (the change applier's relations and prepared statements).
 * Not thread-safe.
 */
#ifndef PGSHUTTLE_UTIL_HASHMAP_H
#define PGSHUTTLE_UTIL_HASHMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct hmap_slot {
    uint64_t hash;
    void *key; /* owned copy; NULL when the slot is empty */
    size_t keylen;
    void *value; /* the caller's */
};

typedef struct hmap {
    struct hmap_slot *slots; /* owned; cap entries */
    size_t cap;              /* 0 or a power of two */
    size_t n;
} hmap;

#define HMAP_INIT                                                                                  \
    {                                                                                              \
        NULL, 0, 0                                                                                 \
    }

/* Frees the table and its key copies (not the values) and leaves it empty and usable. */
void hmap_free(hmap *h);
size_t hmap_count(const hmap *h);

/* The value stored under key, or NULL. */
void *hmap_get(const hmap *h, const void *key, size_t keylen);
/* Same with a hash computed by hmap_hash (saves hashing twice on a miss then put). */
void *hmap_get_hashed(const hmap *h, uint64_t hash, const void *key, size_t keylen);
/* Stores value (not NULL) under key, replacing and returning any previous value (else NULL). */
void *hmap_put(hmap *h, const void *key, size_t keylen, void *value);
void *hmap_put_hashed(hmap *h, uint64_t hash, const void *key, size_t keylen, void *value);
/* Removes key; returns its value, or NULL when it was absent. */
void *hmap_remove(hmap *h, const void *key, size_t keylen);

/*
 * Iteration: start with *pos = 0; each call gives the next entry and returns
 * false at the end. The table must not change during an iteration.
 */
bool hmap_next(const hmap *h, size_t *pos, const void **key, size_t *keylen, void **value);

/* The hash of a key (64-bit FNV-1a with a final mix). */
uint64_t hmap_hash(const void *key, size_t keylen);

#endif
