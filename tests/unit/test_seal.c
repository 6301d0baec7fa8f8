/*
 * Unit tests: sealed secrets (src/util/seal.c) — sealing and opening, every
 * way a sealed text can fail to open (another key or context, a changed
 * byte, damage), and the key file's rules (mode, content, symlinks, never
 * overwritten) on real files in a temporary directory.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "util/mem.h"
#include "util/seal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PLAIN   "s3cret-password-of-the-source"
#define CONTEXT "spec"

/* A temporary directory for the test's files (removed by remove_tmp). */
static char *make_tmp(void)
{
    char *dir = xstrdup("/tmp/pgs-test-seal.XXXXXX");
    assert_non_null(mkdtemp(dir));
    return dir;
}

static void remove_tmp(char *dir)
{
    char *cmd = xasprintf("rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
    free(cmd);
    free(dir);
}

static char *write_file(const char *dir, const char *name, const char *text, mode_t mode)
{
    char *path = xasprintf("%s/%s", dir, name);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t) strlen(text));
    assert_int_equal(fchmod(fd, mode), 0);
    assert_int_equal(close(fd), 0);
    return path;
}

static void fixed_key(struct seal_key *key, unsigned char fill)
{
    for (size_t i = 0; i < SEAL_KEY_BYTES; i++)
        key->bytes[i] = (unsigned char) (fill + i);
}

/* Whether sealed opens with key and context; the error, if any, never quotes PLAIN. */
static bool opens(const struct seal_key *key, const char *sealed, const char *context)
{
    char *plain = NULL, *error = NULL;
    bool ok = seal_open(key, sealed, context, &plain, &error);
    if (ok) {
        assert_non_null(plain);
        assert_null(error);
    } else {
        assert_null(plain);
        assert_non_null(error);
        assert_null(strstr(error, PLAIN));
        assert_null(strstr(error, "s3cret"));
    }
    free(plain);
    free(error);
    return ok;
}

static void test_round_trip(void **state)
{
    struct seal_key key;
    fixed_key(&key, 1);
    char *sealed = seal_text(&key, PLAIN, CONTEXT);
    assert_non_null(sealed);
    assert_true(seal_is_sealed(sealed));
    assert_null(strstr(sealed, PLAIN));
    /* prefix, then base64 of 12 + 29 + 16 bytes */
    assert_int_equal(strlen(sealed), strlen(SEAL_PREFIX) + (12 + strlen(PLAIN) + 16 + 2) / 3 * 4);
    char *plain = NULL, *error = NULL;
    assert_true(seal_open(&key, sealed, CONTEXT, &plain, &error));
    assert_null(error);
    assert_string_equal(plain, PLAIN);
    free(plain);
    free(sealed);
    assert_false(seal_is_sealed(PLAIN));
    assert_false(seal_is_sealed(NULL));
    assert_false(seal_is_sealed("pgs1"));
}

static void test_fresh_nonce(void **state)
{
    struct seal_key key;
    fixed_key(&key, 7);
    char *a = seal_text(&key, PLAIN, CONTEXT), *b = seal_text(&key, PLAIN, CONTEXT);
    assert_string_not_equal(a, b);
    /* the nonce is the first 16 base64 characters (12 bytes) */
    size_t p = strlen(SEAL_PREFIX);
    assert_memory_not_equal(a + p, b + p, 16);
    assert_true(opens(&key, a, CONTEXT));
    assert_true(opens(&key, b, CONTEXT));
    free(a);
    free(b);
}

static void test_wrong_key_or_context(void **state)
{
    struct seal_key key, other;
    fixed_key(&key, 1);
    fixed_key(&other, 2);
    char *sealed = seal_text(&key, PLAIN, CONTEXT);
    char *plain = NULL, *error = NULL;
    assert_false(seal_open(&other, sealed, CONTEXT, &plain, &error));
    assert_null(plain);
    assert_non_null(strstr(error, "sealed with another key"));
    assert_null(strstr(error, PLAIN));
    free(error);
    assert_false(opens(&key, sealed, "setting:api_token"));
    assert_false(opens(&key, sealed, ""));
    assert_false(opens(&key, sealed, NULL));
    assert_true(opens(&key, sealed, CONTEXT));
    free(sealed);
}

/* Every byte of nonce, ciphertext and tag is covered: changing any one refuses the text. */
static void test_tampered(void **state)
{
    struct seal_key key;
    fixed_key(&key, 3);
    char *sealed = seal_text(&key, PLAIN, CONTEXT);
    size_t p = strlen(SEAL_PREFIX), n = strlen(sealed);
    /* the last quartet may hold padding bits that decode to nothing: change the others */
    for (size_t i = p; i < n - 4; i++) {
        char saved = sealed[i];
        sealed[i] = saved == 'A' ? 'B' : 'A';
        if (opens(&key, sealed, CONTEXT))
            fail_msg("opened with character %zu changed", i - p);
        sealed[i] = saved;
    }
    assert_true(opens(&key, sealed, CONTEXT));
    free(sealed);
}

static void test_damaged(void **state)
{
    struct seal_key key;
    fixed_key(&key, 4);
    char *sealed = seal_text(&key, PLAIN, CONTEXT);
    size_t n = strlen(sealed);

    char *cut = xstrdup(sealed);
    cut[n - 4] = '\0'; /* a whole quartet less: still base64, the tag cut short */
    assert_false(opens(&key, cut, CONTEXT));
    cut[n - 1] = '\0';
    memcpy(cut, sealed, n - 1); /* not a multiple of 4 */
    assert_false(opens(&key, cut, CONTEXT));
    free(cut);

    const char *bad[] = {
        "",
        PLAIN,
        "pgs1:",
        "pgs1:AAAA",                                     /* too short to hold nonce and tag */
        "pgs1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==", /* 28 bytes: the shortest, forged */
        "pgs1:!!!!AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "pgs1: AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "pgs1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n",
        "pgs1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=AAA",
        "pgs1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA===",
        "pgs2:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        if (opens(&key, bad[i], CONTEXT))
            fail_msg("opened \"%s\"", bad[i]);
    /* without the prefix, the rest is refused too */
    assert_false(opens(&key, sealed + strlen(SEAL_PREFIX), CONTEXT));
    free(sealed);
}

static void test_empty_and_long(void **state)
{
    struct seal_key key;
    fixed_key(&key, 5);
    char *sealed = seal_text(&key, "", CONTEXT), *plain = NULL, *error = NULL;
    assert_true(seal_open(&key, sealed, CONTEXT, &plain, &error));
    assert_string_equal(plain, "");
    free(plain);
    free(sealed);

    /* 100 kB, and 2 MB: longer than the pieces EVP is given at a time (768 kB) */
    size_t sizes[] = {100 * 1024, 2 * 1024 * 1024 + 1};
    for (size_t k = 0; k < 2; k++) {
        size_t n = sizes[k];
        char *big = xmalloc(n + 1);
        for (size_t i = 0; i < n; i++)
            big[i] = (char) ('a' + i % 26);
        big[n] = '\0';
        sealed = seal_text(&key, big, CONTEXT);
        assert_true(seal_open(&key, sealed, CONTEXT, &plain, &error));
        assert_string_equal(plain, big);
        free(plain);
        /* a change far into the text is found too */
        sealed[strlen(sealed) - 100] ^= 1;
        assert_false(opens(&key, sealed, CONTEXT));
        free(sealed);
        free(big);
    }
}

#define KEY_HEX "00112233445566778899aabbccddeeffFFEEDDCCBBAA99887766554433221100"

static void test_key_load(void **state)
{
    char *dir = make_tmp();
    struct seal_key key;
    char *error = NULL;

    char *good = write_file(dir, "good.key", "  " KEY_HEX "\n\n", 0600);
    assert_true(seal_key_load(good, &key, &error));
    assert_null(error);
    assert_int_equal(key.bytes[0], 0x00);
    assert_int_equal(key.bytes[1], 0x11);
    assert_int_equal(key.bytes[15], 0xff);
    assert_int_equal(key.bytes[16], 0xff);
    assert_int_equal(key.bytes[31], 0x00);
    char *ro = write_file(dir, "ro.key", KEY_HEX, 0400);
    assert_true(seal_key_load(ro, &key, &error));

    char *open_to_all = write_file(dir, "0644.key", KEY_HEX "\n", 0644);
    assert_false(seal_key_load(open_to_all, &key, &error));
    char *want = xasprintf("the secret key file %s is readable by others (mode 0644): chmod 600 %s",
                           open_to_all, open_to_all);
    assert_string_equal(error, want);
    free(want);
    free(error);
    char *group = write_file(dir, "0640.key", KEY_HEX "\n", 0640);
    assert_false(seal_key_load(group, &key, &error));
    assert_non_null(strstr(error, "(mode 0640): chmod 600"));
    free(error);

    const char *not_keys[] = {
        "",
        "\n",
        KEY_HEX "00",                       /* 33 bytes */
        "00112233445566778899aabbccddeeff", /* 16 bytes */
        "00112233445566778899aabbccddeeffFFEEDDCCBBAA998877665544332211zz",
        "0011223344556677 8899aabbccddeeffFFEEDDCCBBAA99887766554433221100",
        "0x112233445566778899aabbccddeeffFFEEDDCCBBAA99887766554433221100",
    };
    for (size_t i = 0; i < sizeof(not_keys) / sizeof(not_keys[0]); i++) {
        char *path = write_file(dir, "bad.key", not_keys[i], 0600);
        if (seal_key_load(path, &key, &error))
            fail_msg("took \"%s\" for a key", not_keys[i]);
        want = xasprintf("the file %s is not a secret key (64 hexadecimal digits): make one with "
                         "`pgshuttle secret-key %s`",
                         path, path);
        assert_string_equal(error, want);
        free(want);
        free(error);
        free(path);
    }
    /* a file far longer than a key is refused without reading it all */
    char *huge = xmalloc(10000);
    memset(huge, '0', 9999);
    huge[9999] = '\0';
    char *path = write_file(dir, "huge.key", huge, 0600);
    assert_false(seal_key_load(path, &key, &error));
    assert_non_null(strstr(error, "is not a secret key"));
    free(error);
    free(path);
    free(huge);

    path = xasprintf("%s/missing.key", dir);
    assert_false(seal_key_load(path, &key, &error));
    want = xasprintf("cannot read the secret key file %s: No such file or directory", path);
    assert_string_equal(error, want);
    free(want);
    free(error);
    free(path);

    /* a directory is not a key file */
    assert_false(seal_key_load(dir, &key, &error));
    assert_non_null(strstr(error, "is not a regular file"));
    free(error);

    free(good);
    free(ro);
    free(open_to_all);
    free(group);
    remove_tmp(dir);
}

/* Kubernetes mounts a Secret's keys as symlinks (..data/NAME): the target's mode counts. */
static void test_key_load_symlink(void **state)
{
    char *dir = make_tmp();
    struct seal_key key;
    char *error = NULL;
    char *target = write_file(dir, "real.key", KEY_HEX "\n", 0600);
    char *link = xasprintf("%s/link.key", dir);
    assert_int_equal(symlink("real.key", link), 0);
    assert_true(seal_key_load(link, &key, &error));
    assert_null(error);
    assert_int_equal(key.bytes[1], 0x11);

    /* a symlink's own mode (0777) does not matter, its target's does */
    assert_int_equal(chmod(target, 0644), 0);
    assert_false(seal_key_load(link, &key, &error));
    assert_non_null(strstr(error, "(mode 0644): chmod 600"));
    free(error);
    free(target);
    free(link);
    remove_tmp(dir);
}

static void test_key_generate(void **state)
{
    char *dir = make_tmp();
    char *path = xasprintf("%s/secret.key", dir), *error = NULL;
    mode_t old = umask(0);
    bool ok = seal_key_generate(path, &error);
    umask(old);
    assert_true(ok);
    assert_null(error);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0600);
    assert_int_equal(st.st_size, 65);

    struct seal_key key, again;
    assert_true(seal_key_load(path, &key, &error));
    char *sealed = seal_text(&key, PLAIN, CONTEXT);
    assert_true(opens(&key, sealed, CONTEXT));

    /* never overwritten: the key stays what it was */
    assert_false(seal_key_generate(path, &error));
    char *want = xasprintf("%s exists: pgshuttle never overwrites a key (the store's secrets were "
                           "sealed with it)",
                           path);
    assert_string_equal(error, want);
    free(want);
    free(error);
    assert_true(seal_key_load(path, &again, &error));
    assert_memory_equal(key.bytes, again.bytes, SEAL_KEY_BYTES);
    assert_true(opens(&again, sealed, CONTEXT));

    /* nor written through a symlink, even one that leads nowhere */
    char *link = xasprintf("%s/dangling.key", dir);
    assert_int_equal(symlink("nowhere.key", link), 0);
    assert_false(seal_key_generate(link, &error));
    assert_non_null(strstr(error, "exists"));
    free(error);
    char *nowhere = xasprintf("%s/nowhere.key", dir);
    assert_int_equal(access(nowhere, F_OK), -1);

    /* two keys differ */
    char *second = xasprintf("%s/second.key", dir);
    assert_true(seal_key_generate(second, &error));
    assert_true(seal_key_load(second, &again, &error));
    assert_memory_not_equal(key.bytes, again.bytes, SEAL_KEY_BYTES);
    assert_false(opens(&again, sealed, CONTEXT));

    char *nodir = xasprintf("%s/no/such/dir.key", dir);
    assert_false(seal_key_generate(nodir, &error));
    assert_non_null(strstr(error, "cannot create the secret key file"));
    free(error);

    free(sealed);
    free(nodir);
    free(second);
    free(nowhere);
    free(link);
    free(path);
    remove_tmp(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_fresh_nonce),
        cmocka_unit_test(test_wrong_key_or_context),
        cmocka_unit_test(test_tampered),
        cmocka_unit_test(test_damaged),
        cmocka_unit_test(test_empty_and_long),
        cmocka_unit_test(test_key_load),
        cmocka_unit_test(test_key_load_symlink),
        cmocka_unit_test(test_key_generate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
