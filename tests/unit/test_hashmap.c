/* Unit tests: the hash table (src/util/hashmap.c), checked against a plain array. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "util/hashmap.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void test_empty(void **state)
{
    hmap h = HMAP_INIT;
    assert_null(hmap_get(&h, "a", 1));
    assert_null(hmap_remove(&h, "a", 1));
    size_t pos = 0;
    assert_false(hmap_next(&h, &pos, NULL, NULL, NULL));
    assert_int_equal(hmap_count(&h), 0);
    hmap_free(&h);
}

static void test_put_get_replace(void **state)
{
    hmap h = HMAP_INIT;
    int a = 1, b = 2, c = 3;
    assert_null(hmap_put(&h, "alpha", 5, &a));
    assert_null(hmap_put(&h, "beta", 4, &b));
    assert_ptr_equal(hmap_get(&h, "alpha", 5), &a);
    assert_ptr_equal(hmap_get(&h, "beta", 4), &b);
    /* a prefix or a longer key is another key */
    assert_null(hmap_get(&h, "alph", 4));
    assert_null(hmap_get(&h, "alphaa", 6));
    assert_ptr_equal(hmap_put(&h, "alpha", 5, &c), &a);
    assert_ptr_equal(hmap_get(&h, "alpha", 5), &c);
    assert_int_equal(hmap_count(&h), 2);
    /* the empty key and keys with NUL bytes are keys like any other */
    assert_null(hmap_put(&h, "", 0, &a));
    assert_null(hmap_put(&h, "x\0y", 3, &b));
    assert_ptr_equal(hmap_get(&h, "", 0), &a);
    assert_ptr_equal(hmap_get(&h, "x\0y", 3), &b);
    assert_null(hmap_get(&h, "x\0z", 3));
    assert_int_equal(hmap_count(&h), 4);
    hmap_free(&h);
    assert_int_equal(hmap_count(&h), 0);
    assert_null(hmap_get(&h, "alpha", 5));
    /* usable again after free */
    assert_null(hmap_put(&h, "alpha", 5, &a));
    assert_ptr_equal(hmap_get(&h, "alpha", 5), &a);
    hmap_free(&h);
}

#define N_KEYS 5000

/* Random puts and removes against a reference array; every key checked after each phase. */
static void test_against_reference(void **state)
{
    hmap h = HMAP_INIT;
    static int present[N_KEYS];
    static int values[N_KEYS];
    memset(present, 0, sizeof(present));
    srand(12345);
    for (int round = 0; round < 60000; round++) {
        int k = rand() % N_KEYS;
        char key[32];
        int len = snprintf(key, sizeof(key), "key-%d", k);
        if (rand() % 3 == 0) {
            void *old = hmap_remove(&h, key, (size_t) len);
            assert_ptr_equal(old, present[k] ? &values[k] : NULL);
            present[k] = 0;
        } else {
            void *old = hmap_put(&h, key, (size_t) len, &values[k]);
            assert_ptr_equal(old, present[k] ? &values[k] : NULL);
            present[k] = 1;
        }
        if (round % 5000 == 0 || round == 59999) {
            size_t expected = 0;
            for (int i = 0; i < N_KEYS; i++) {
                len = snprintf(key, sizeof(key), "key-%d", i);
                assert_ptr_equal(hmap_get(&h, key, (size_t) len), present[i] ? &values[i] : NULL);
                expected += (size_t) present[i];
            }
            assert_int_equal(hmap_count(&h), expected);
            /* iteration visits each entry once */
            size_t pos = 0, seen = 0;
            const void *ik;
            size_t ilen;
            void *iv;
            while (hmap_next(&h, &pos, &ik, &ilen, &iv)) {
                int i = (int) ((int *) iv - values);
                assert_true(i >= 0 && i < N_KEYS && present[i]);
                len = snprintf(key, sizeof(key), "key-%d", i);
                assert_int_equal(ilen, (size_t) len);
                assert_memory_equal(ik, key, ilen);
                seen++;
            }
            assert_int_equal(seen, expected);
        }
    }
    hmap_free(&h);
}

/* Binary keys that differ in one byte (the applier's statement shapes) all stay distinct. */
static void test_binary_keys(void **state)
{
    hmap h = HMAP_INIT;
    static uint8_t keys[256][8];
    for (int i = 0; i < 256; i++) {
        memset(keys[i], 0, 8);
        keys[i][5] = (uint8_t) i;
        assert_null(hmap_put(&h, keys[i], 8, keys[i]));
    }
    for (int i = 0; i < 256; i++)
        assert_ptr_equal(hmap_get(&h, keys[i], 8), keys[i]);
    /* remove every other one: the rest stay reachable across the shifted probe runs */
    for (int i = 0; i < 256; i += 2)
        assert_ptr_equal(hmap_remove(&h, keys[i], 8), keys[i]);
    for (int i = 0; i < 256; i++)
        assert_ptr_equal(hmap_get(&h, keys[i], 8), i % 2 ? keys[i] : NULL);
    assert_int_equal(hmap_count(&h), 128);
    uint64_t hash = hmap_hash(keys[3], 8);
    assert_ptr_equal(hmap_get_hashed(&h, hash, keys[3], 8), keys[3]);
    hmap_free(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_put_get_replace),
        cmocka_unit_test(test_against_reference),
        cmocka_unit_test(test_binary_keys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
