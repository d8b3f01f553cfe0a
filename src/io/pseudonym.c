/* pseudonym.c — keyed hashing of NHS numbers and the key file (owner: import). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sodium.h>
#include "equitylens/pseudonym.h"

el_status el_pseudonym_default_path(char *buf, size_t cap, el_error *err)
{
    const char *env = getenv("EQUITYLENS_KEY_FILE");
    if (env && *env) { snprintf(buf, cap, "%s", env); return EL_OK; }
    const char *home = getenv("HOME");
    if (!home || !*home)
        return el_error_set(err, EL_ERR_NOTFOUND, "no key file: give --key-file or set EQUITYLENS_KEY_FILE (HOME is not set)");
    snprintf(buf, cap, "%s/.config/equitylens/pseudonym.key", home);
    return EL_OK;
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Only the default key location (~/.config/equitylens/) gets its missing
 * directories created (mode 0700); a --key-file or $EQUITYLENS_KEY_FILE path
 * under a missing directory is an error, never a new directory tree. */
static void mkdir_default_dirs(const char *path)
{
    const char *home = getenv("HOME");
    const char *env = getenv("EQUITYLENS_KEY_FILE");
    if (!home || !*home || (env && *env)) return;
    char dir[4096], def[4096];
    snprintf(def, sizeof def, "%s/.config/equitylens/pseudonym.key", home);
    if (strcmp(path, def)) return;
    snprintf(dir, sizeof dir, "%s/.config", home);
    mkdir(dir, 0700);
    snprintf(dir, sizeof dir, "%s/.config/equitylens", home);
    mkdir(dir, 0700);
}

static el_status create_key(const char *path, unsigned char key[EL_PSEUDONYM_KEY_BYTES], el_error *err)
{
    mkdir_default_dirs(path);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0) return el_error_at(err, EL_ERR_IO, path, 0, 0, NULL, "cannot create key file: %s", strerror(errno));
    randombytes_buf(key, EL_PSEUDONYM_KEY_BYTES);
    char hex[2 * EL_PSEUDONYM_KEY_BYTES + 2];
    sodium_bin2hex(hex, sizeof hex, key, EL_PSEUDONYM_KEY_BYTES);
    size_t n = strlen(hex);
    hex[n++] = '\n';
    ssize_t w = write(fd, hex, n);
    int bad = (w != (ssize_t)n) | (fsync(fd) != 0);
    bad |= close(fd) != 0;
    sodium_memzero(hex, sizeof hex);
    if (bad) { unlink(path); return el_error_at(err, EL_ERR_IO, path, 0, 0, NULL, "cannot write key file"); }
    return EL_OK;
}

el_status el_pseudonym_key_load(const char *path, int create, unsigned char key[EL_PSEUDONYM_KEY_BYTES],
                                int *created, el_error *err)
{
    char def[4096];
    if (created) *created = 0;
    if (sodium_init() < 0) return el_error_set(err, EL_ERR_INTERNAL, "libsodium failed to initialise");
    if (!path) {
        el_status st = el_pseudonym_default_path(def, sizeof def, err);
        if (st != EL_OK) return st;
        path = def;
    }
    int fd = open(path, O_RDONLY);
    if (fd < 0 && errno == ENOENT && create) {
        el_status st = create_key(path, key, err);
        if (st == EL_OK && created) *created = 1;
        return st;
    }
    if (fd < 0) return el_error_at(err, EL_ERR_IO, path, 0, 0, NULL, "cannot open key file: %s", strerror(errno));
    struct stat sb;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        close(fd);
        return el_error_at(err, EL_ERR_IO, path, 0, 0, NULL, "key file is not a regular file");
    }
    if (sb.st_mode & 077) {
        close(fd);
        return el_error_at(err, EL_ERR_PERM, path, 0, 0, NULL,
                           "key file is readable by others (mode %04o); run: chmod 600 %s",
                           (unsigned)(sb.st_mode & 07777), path);
    }
    char buf[256];
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n < 0) return el_error_at(err, EL_ERR_IO, path, 0, 0, NULL, "cannot read key file");
    buf[n] = 0;
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' ')) buf[--n] = 0;
    if (n != 2 * EL_PSEUDONYM_KEY_BYTES) {
        sodium_memzero(buf, sizeof buf);
        return el_error_at(err, EL_ERR_PARSE, path, 1, 0, NULL, "key file must hold 64 hex digits (a 32-byte key)");
    }
    for (int i = 0; i < EL_PSEUDONYM_KEY_BYTES; i++) {
        int h = hexval(buf[2 * i]), l = hexval(buf[2 * i + 1]);
        if (h < 0 || l < 0) {
            sodium_memzero(buf, sizeof buf);
            return el_error_at(err, EL_ERR_PARSE, path, 1, 2 * i + 1, NULL, "key file holds a non-hex character");
        }
        key[i] = (unsigned char)(h * 16 + l);
    }
    sodium_memzero(buf, sizeof buf);
    return EL_OK;
}

int el_nhs_number_valid(const char *s, char out[11])
{
    int n = 0;
    out[0] = 0;
    for (; *s; s++) {
        if (*s == ' ' || *s == '-') continue;
        if (*s < '0' || *s > '9' || n == 10) { out[0] = 0; return 0; }
        out[n++] = *s;
    }
    out[n] = 0;
    if (n != 10) { out[0] = 0; return 0; }
    int sum = 0;
    for (int i = 0; i < 9; i++) sum += (out[i] - '0') * (10 - i);
    int check = 11 - sum % 11;
    if (check == 11) check = 0;
    if (check == 10 || check != out[9] - '0') { out[0] = 0; return 0; }
    return 1;
}

void el_nhs_number_hash(const unsigned char key[EL_PSEUDONYM_KEY_BYTES], const char digits[11],
                        char out[EL_PSEUDONYM_HEX])
{
    unsigned char h[32];
    crypto_generichash(h, sizeof h, (const unsigned char *)digits, strlen(digits), key, EL_PSEUDONYM_KEY_BYTES);
    sodium_bin2hex(out, EL_PSEUDONYM_HEX, h, sizeof h);
}

void el_pseudonym_key_fingerprint(const unsigned char key[EL_PSEUDONYM_KEY_BYTES], char out[EL_PSEUDONYM_HEX])
{
    static const char label[] = "equitylens pseudonym key fingerprint v1";
    unsigned char h[32];
    crypto_generichash(h, sizeof h, (const unsigned char *)label, sizeof label - 1, key, EL_PSEUDONYM_KEY_BYTES);
    sodium_bin2hex(out, EL_PSEUDONYM_HEX, h, sizeof h);
}
