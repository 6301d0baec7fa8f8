/* hashmap.c — open-addressing hash table of byte-string keys (see hashmap.h). */
#include "util/hashmap.h"
#include "util/mem.h"

#include <stdlib.h>
#include <string.h>

#define HMAP_MIN_CAP 16

uint64_t hmap_hash(const void *key, size_t keylen)
{
    const unsigned char *p = key;
    uint64_t h = UINT64_C(0xcbf29ce484222325);
    for (size_t i = 0; i < keylen; i++) {
        h ^= p[i];
        h *= UINT64_C(0x100000001b3);
    }
    /* FNV's low bits are weak for short keys; a final avalanche spreads them over the mask. */
    h ^= h >> 33;
    h *= UINT64_C(0xff51afd7ed558ccd);
    h ^= h >> 33;
    h *= UINT64_C(0xc4ceb9fe1a85ec53);
    h ^= h >> 33;
    return h;
}

void hmap_free(hmap *h)
{
    for (size_t i = 0; i < h->cap; i++)
        free(h->slots[i].key);
    free(h->slots);
    h->slots = NULL;
    h->cap = h->n = 0;
}

size_t hmap_count(const hmap *h)
{
    return h->n;
}

static bool slot_matches(const struct hmap_slot *s, uint64_t hash, const void *key, size_t keylen)
{
    return s->hash == hash && s->keylen == keylen && memcmp(s->key, key, keylen) == 0;
}

/* Index of key's slot, or of the empty slot where it would go. */
static size_t find_slot(const hmap *h, uint64_t hash, const void *key, size_t keylen)
{
    size_t mask = h->cap - 1;
    size_t i = (size_t) hash & mask;
    while (h->slots[i].key != NULL && !slot_matches(&h->slots[i], hash, key, keylen))
        i = (i + 1) & mask;
    return i;
}

void *hmap_get_hashed(const hmap *h, uint64_t hash, const void *key, size_t keylen)
{
    if (h->n == 0)
        return NULL;
    const struct hmap_slot *s = &h->slots[find_slot(h, hash, key, keylen)];
    return s->key ? s->value : NULL;
}

void *hmap_get(const hmap *h, const void *key, size_t keylen)
{
    if (h->n == 0)
        return NULL;
    return hmap_get_hashed(h, hmap_hash(key, keylen), key, keylen);
}

static void grow(hmap *h)
{
    size_t old_cap = h->cap;
    struct hmap_slot *old = h->slots;
    h->cap = old_cap ? old_cap * 2 : HMAP_MIN_CAP;
    h->slots = xcalloc(h->cap, sizeof(*h->slots));
    for (size_t i = 0; i < old_cap; i++) {
        if (old[i].key == NULL)
            continue;
        size_t j = (size_t) old[i].hash & (h->cap - 1);
        while (h->slots[j].key != NULL)
            j = (j + 1) & (h->cap - 1);
        h->slots[j] = old[i];
    }
    free(old);
}

void *hmap_put_hashed(hmap *h, uint64_t hash, const void *key, size_t keylen, void *value)
{
    if ((h->n + 1) * 4 > h->cap * 3)
        grow(h);
    struct hmap_slot *s = &h->slots[find_slot(h, hash, key, keylen)];
    if (s->key) {
        void *previous = s->value;
        s->value = value;
        return previous;
    }
    /* One byte more so that an empty key still gets a non-NULL copy. */
    s->key = xmalloc(keylen + 1);
    memcpy(s->key, key, keylen);
    s->keylen = keylen;
    s->hash = hash;
    s->value = value;
    h->n++;
    return NULL;
}

void *hmap_put(hmap *h, const void *key, size_t keylen, void *value)
{
    return hmap_put_hashed(h, hmap_hash(key, keylen), key, keylen, value);
}

void *hmap_remove(hmap *h, const void *key, size_t keylen)
{
    if (h->n == 0)
        return NULL;
    size_t mask = h->cap - 1;
    size_t i = find_slot(h, hmap_hash(key, keylen), key, keylen);
    if (h->slots[i].key == NULL)
        return NULL;
    void *value = h->slots[i].value;
    free(h->slots[i].key);
    h->n--;
    /* Backward shift: move later entries of the probe run into the hole when that brings them
       no further from their home slot than they were. */
    size_t hole = i;
    for (size_t j = (i + 1) & mask; h->slots[j].key != NULL; j = (j + 1) & mask) {
        size_t home = (size_t) h->slots[j].hash & mask;
        /* j may move to hole unless its home lies cyclically in (hole, j]. */
        bool home_after_hole = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
        if (!home_after_hole) {
            h->slots[hole] = h->slots[j];
            hole = j;
        }
    }
    memset(&h->slots[hole], 0, sizeof(h->slots[hole]));
    return value;
}

bool hmap_next(const hmap *h, size_t *pos, const void **key, size_t *keylen, void **value)
{
    for (; *pos < h->cap; (*pos)++) {
        const struct hmap_slot *s = &h->slots[*pos];
        if (s->key == NULL)
            continue;
        if (key)
            *key = s->key;
        if (keylen)
            *keylen = s->keylen;
        if (value)
            *value = s->value;
        (*pos)++;
        return true;
    }
    return false;
}
