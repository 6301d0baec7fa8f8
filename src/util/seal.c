/*
 * seal.c — secrets sealed with the service's secret key (see seal.h).
 *
 * The cryptography is OpenSSL's libcrypto (EVP, AES-256-GCM, RAND_bytes);
 * this file frames it: the key file's rules, the "pgs1:" text, and strict
 * base64, so that a value that is not exactly what seal_text wrote is
 * refused before any decryption is tried. Every buffer that held key
 * material is wiped (OPENSSL_cleanse) before it is freed or goes out of
 * scope, and no error text quotes a key, a plain text or a sealed value.
 */
#include "util/seal.h"
#include "util/mem.h"
#include "util/percent.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#define NONCE_BYTES 12
#define TAG_BYTES   16
#define KEY_HEX     (2 * SEAL_KEY_BYTES)
/* A key file is 64 digits and some white space: more than this is not one. */
#define KEY_FILE_MAX 256
/* EVP takes int lengths: longer texts go through it in pieces of this size (a multiple of 3 and 4).
 */
#define CHUNK (3 * 4 * 65536)

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* ---- the key file ---- */

/* Reads all of fd (at most size-1 bytes) into buf; -1 if it is longer, or on a read error. */
static ssize_t read_all(int fd, char *buf, size_t size)
{
    size_t len = 0;
    for (;;) {
        ssize_t n = read(fd, buf + len, size - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        if (n == 0)
            return (ssize_t) len;
        len += (size_t) n;
        if (len == size) {
            errno = EFBIG;
            return -1;
        }
    }
}

/* 64 hex digits with only white space around them into key; false otherwise. */
static bool parse_key(const char *text, size_t len, struct seal_key *key)
{
    while (len > 0 && isspace((unsigned char) text[0])) {
        text++;
        len--;
    }
    while (len > 0 && isspace((unsigned char) text[len - 1]))
        len--;
    if (len != KEY_HEX)
        return false;
    for (size_t i = 0; i < SEAL_KEY_BYTES; i++) {
        int hi = percent_hex_value(text[2 * i]), lo = percent_hex_value(text[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            OPENSSL_cleanse(key, sizeof(*key));
            return false;
        }
        key->bytes[i] = (unsigned char) (hi << 4 | lo);
    }
    return true;
}

/* The checks on the opened file (symlinks followed: Kubernetes mounts secrets as symlinks). */
static bool check_key_file(int fd, const char *path, char **error)
{
    struct stat st;
    if (fstat(fd, &st) != 0) {
        *error = xasprintf("cannot read the secret key file %s: %s", path, strerror(errno));
        return false;
    }
    if (!S_ISREG(st.st_mode)) {
        *error = xasprintf("the secret key file %s is not a regular file: give the file "
                           "`pgshuttle secret-key` wrote",
                           path);
        return false;
    }
    if ((st.st_mode & 077) != 0) {
        *error = xasprintf("the secret key file %s is readable by others (mode %04o): chmod 600 %s",
                           path, (unsigned) (st.st_mode & 07777), path);
        return false;
    }
    return true;
}

bool seal_key_load(const char *path, struct seal_key *key, char **error)
{
    *error = NULL;
    /* O_NONBLOCK: a FIFO put there must not hang the start; fstat refuses it next */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) {
        *error = xasprintf("cannot read the secret key file %s: %s", path, strerror(errno));
        return false;
    }
    if (!check_key_file(fd, path, error)) {
        close(fd);
        return false;
    }
    char text[KEY_FILE_MAX];
    ssize_t len = read_all(fd, text, sizeof(text));
    int read_errno = errno;
    close(fd);
    bool ok = false;
    if (len < 0 && read_errno != EFBIG)
        *error = xasprintf("cannot read the secret key file %s: %s", path, strerror(read_errno));
    else if (len < 0 || !parse_key(text, (size_t) len, key))
        *error = xasprintf("the file %s is not a secret key (64 hexadecimal digits): make one with "
                           "`pgshuttle secret-key %s`",
                           path, path);
    else
        ok = true;
    OPENSSL_cleanse(text, sizeof(text));
    return ok;
}

static bool write_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, buf, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return false;
        buf += n;
        len -= (size_t) n;
    }
    return true;
}

/* 32 random bytes as 64 hex digits and a newline into fd. */
static bool write_new_key(int fd)
{
    unsigned char bytes[SEAL_KEY_BYTES];
    char hex[KEY_HEX + 1];
    bool ok = RAND_bytes(bytes, sizeof(bytes)) == 1;
    if (ok) {
        for (size_t i = 0; i < sizeof(bytes); i++) {
            hex[2 * i] = "0123456789abcdef"[bytes[i] >> 4];
            hex[2 * i + 1] = "0123456789abcdef"[bytes[i] & 15];
        }
        hex[KEY_HEX] = '\n';
        ok = write_all(fd, hex, sizeof(hex)) && fsync(fd) == 0;
    } else
        errno = EIO;
    OPENSSL_cleanse(bytes, sizeof(bytes));
    OPENSSL_cleanse(hex, sizeof(hex));
    return ok;
}

bool seal_key_generate(const char *path, char **error)
{
    *error = NULL;
    /* O_EXCL also refuses a symlink, even a dangling one: nothing is written through it */
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY, 0600);
    if (fd < 0 && errno == EEXIST) {
        *error = xasprintf("%s exists: pgshuttle never overwrites a key (the store's secrets were "
                           "sealed with it)",
                           path);
        return false;
    }
    if (fd < 0) {
        *error = xasprintf("cannot create the secret key file %s: %s", path, strerror(errno));
        return false;
    }
    /* the mode is 0600 whatever the umask (a umask can only narrow it, but be exact) */
    bool ok = fchmod(fd, 0600) == 0 && write_new_key(fd);
    int write_errno = errno;
    ok = close(fd) == 0 && ok;
    if (!ok) {
        *error = xasprintf("cannot write the secret key file %s: %s", path, strerror(write_errno));
        unlink(path); /* a partial key must not be taken for one later */
    }
    return ok;
}

/* ---- base64 ---- */

static size_t b64_encoded_len(size_t n)
{
    return (n + 2) / 3 * 4;
}

/* Writes the base64 of in[0..n) at out (b64_encoded_len(n) + 1 bytes, NUL-terminated). */
static void b64_encode(const unsigned char *in, size_t n, char *out)
{
    out[0] = '\0';
    while (n > 0) {
        int piece = n > CHUNK ? CHUNK : (int) n;
        int len = EVP_EncodeBlock((unsigned char *) out, in, piece);
        in += piece;
        n -= (size_t) piece;
        out += len;
    }
}

/*
 * How many bytes the base64 text s of length n holds, or -1 if it is not
 * strict base64 (a multiple of 4 characters of the alphabet, with at most
 * two '=' only at the end). EVP_DecodeBlock is laxer (it trims white space)
 * and counts the padding as zero bytes: the true length comes from here.
 */
static ssize_t b64_decoded_len(const char *s, size_t n)
{
    if (n % 4 != 0)
        return -1;
    size_t pad = 0;
    while (pad < 2 && pad < n && s[n - 1 - pad] == '=')
        pad++;
    for (size_t i = 0; i < n - pad; i++)
        if (s[i] == '\0' || strchr(b64_alphabet, s[i]) == NULL)
            return -1;
    return (ssize_t) (n / 4 * 3 - pad);
}

/* Decodes the strict base64 s (n characters) into out: b64_decoded_len + 2 bytes, for the
 * zero bytes DecodeBlock writes for the padding. */
static bool b64_decode(const char *s, size_t n, unsigned char *out)
{
    while (n > 0) {
        int piece = n > CHUNK ? CHUNK : (int) n;
        int len = EVP_DecodeBlock(out, (const unsigned char *) s, piece);
        if (len < 0)
            return false;
        s += piece;
        n -= (size_t) piece;
        out += len;
    }
    return true;
}

/* ---- AES-256-GCM ---- */

/* Runs EVP_CipherUpdate over n bytes in pieces; out may be NULL for the AAD. */
static bool cipher_update(EVP_CIPHER_CTX *ctx, unsigned char *out, const unsigned char *in,
                          size_t n)
{
    while (n > 0) {
        int piece = n > CHUNK ? CHUNK : (int) n, len = 0;
        if (EVP_CipherUpdate(ctx, out, &len, in, piece) != 1)
            return false;
        in += piece;
        n -= (size_t) piece;
        if (out)
            out += len;
    }
    return true;
}

/* A GCM context for key, nonce and the context's text as AAD; NULL on failure. */
static EVP_CIPHER_CTX *gcm_start(const struct seal_key *key, const unsigned char *nonce,
                                 const char *context, int encrypt)
{
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    if (ctx == NULL)
        return NULL;
    const char *aad = context ? context : "";
    bool ok = EVP_CipherInit_ex(ctx, EVP_aes_256_gcm(), NULL, NULL, NULL, encrypt) == 1 &&
              EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, NONCE_BYTES, NULL) == 1 &&
              EVP_CipherInit_ex(ctx, NULL, NULL, key->bytes, nonce, encrypt) == 1 &&
              cipher_update(ctx, NULL, (const unsigned char *) aad, strlen(aad));
    if (!ok) {
        EVP_CIPHER_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

/* nonce | ciphertext | tag of plain (n bytes) into out (NONCE_BYTES + n + TAG_BYTES bytes). */
static bool gcm_seal(const struct seal_key *key, const unsigned char *plain, size_t n,
                     const char *context, unsigned char *out)
{
    if (RAND_bytes(out, NONCE_BYTES) != 1)
        return false;
    EVP_CIPHER_CTX *ctx = gcm_start(key, out, context, 1);
    if (ctx == NULL)
        return false;
    int len = 0;
    bool ok = cipher_update(ctx, out + NONCE_BYTES, plain, n) &&
              EVP_CipherFinal_ex(ctx, out + NONCE_BYTES + n, &len) == 1 &&
              EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, TAG_BYTES, out + NONCE_BYTES + n) == 1;
    EVP_CIPHER_CTX_free(ctx);
    return ok;
}

/* Opens nonce | ciphertext | tag (n bytes, n >= NONCE_BYTES + TAG_BYTES) into plain. */
static bool gcm_open(const struct seal_key *key, unsigned char *in, size_t n, const char *context,
                     unsigned char *plain)
{
    size_t ct_len = n - NONCE_BYTES - TAG_BYTES;
    EVP_CIPHER_CTX *ctx = gcm_start(key, in, context, 0);
    if (ctx == NULL)
        return false;
    int len = 0;
    bool ok =
        cipher_update(ctx, plain, in + NONCE_BYTES, ct_len) &&
        EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, TAG_BYTES, in + NONCE_BYTES + ct_len) == 1 &&
        EVP_CipherFinal_ex(ctx, plain + ct_len, &len) == 1;
    EVP_CIPHER_CTX_free(ctx);
    return ok;
}

/* ---- the interface ---- */

char *seal_text(const struct seal_key *key, const char *plain, const char *context)
{
    size_t n = strlen(plain), raw_len = NONCE_BYTES + n + TAG_BYTES;
    unsigned char *raw = xmalloc(raw_len);
    char *out = NULL;
    if (gcm_seal(key, (const unsigned char *) plain, n, context, raw)) {
        size_t prefix = strlen(SEAL_PREFIX);
        out = xmalloc(prefix + b64_encoded_len(raw_len) + 1);
        memcpy(out, SEAL_PREFIX, prefix);
        b64_encode(raw, raw_len, out + prefix);
    }
    free(raw);
    return out;
}

bool seal_is_sealed(const char *text)
{
    return text && strncmp(text, SEAL_PREFIX, strlen(SEAL_PREFIX)) == 0;
}

/* sealed's nonce | ciphertext | tag into *raw (caller frees), its length into *n; else *error. */
static bool unwrap(const char *sealed, unsigned char **raw, size_t *n, char **error)
{
    if (!seal_is_sealed(sealed)) {
        *error = xstrdup("the value is not a sealed secret (it does not start with \"" SEAL_PREFIX
                         "\"): it was not written by pgshuttle, or was changed; set it again");
        return false;
    }
    const char *b64 = sealed + strlen(SEAL_PREFIX);
    size_t b64_len = strlen(b64);
    ssize_t len = b64_decoded_len(b64, b64_len);
    if (len < NONCE_BYTES + TAG_BYTES) {
        *error = xstrdup("the sealed secret is damaged (not the base64 of a nonce, a ciphertext "
                         "and a tag): set it again");
        return false;
    }
    *raw = xmalloc((size_t) len + 3); /* DecodeBlock also writes the padding's zero bytes */
    if (!b64_decode(b64, b64_len, *raw)) {
        free(*raw);
        *raw = NULL;
        *error = xstrdup("the sealed secret is damaged (not base64): set it again");
        return false;
    }
    *n = (size_t) len;
    return true;
}

bool seal_open(const struct seal_key *key, const char *sealed, const char *context, char **plain,
               char **error)
{
    *plain = NULL;
    *error = NULL;
    unsigned char *raw = NULL;
    size_t n = 0;
    if (!unwrap(sealed, &raw, &n, error))
        return false;
    size_t plain_len = n - NONCE_BYTES - TAG_BYTES;
    unsigned char *out = xmalloc(plain_len + 1);
    bool ok = gcm_open(key, raw, n, context, out);
    free(raw);
    /* a GCM plain text is only authentic once the tag matched; a NUL inside was never sealed */
    if (!ok || memchr(out, '\0', plain_len) != NULL) {
        OPENSSL_cleanse(out, plain_len + 1);
        free(out);
        *error = xstrdup("the secret was sealed with another key (or for another place in the "
                         "store): give every node the same --secret-key-file");
        return false;
    }
    out[plain_len] = '\0';
    *plain = (char *) out;
    return true;
}
