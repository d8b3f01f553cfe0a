/* pseudonym.h — keyed pseudonymisation of NHS numbers (owner: import).
 *
 * NHS numbers are never stored in clear (DESIGN.md). At import a valid NHS
 * number (10 digits, spaces/hyphens ignored, Modulus 11 check digit) is
 * replaced by BLAKE2b-256 keyed with a 32-byte secret (libsodium
 * crypto_generichash), written as 64 lower-case hex digits. The key lives in
 * a file outside the database: --key-file, else $EQUITYLENS_KEY_FILE, else
 * ~/.config/equitylens/pseudonym.key, created (mode 0600, 64 hex digits and a
 * newline) on first use; only for that default location are missing parent
 * directories created (mode 0700). A store remembers the fingerprint of the
 * key its pseudonyms were made with (el_pseudonym_key_fingerprint, a keyed
 * hash of a fixed label: it does not reveal the key), so a different key is
 * refused instead of silently breaking linkage (import.h). The same key gives the same hash, so patients can be
 * linked across imports without the number itself.
 *
 * Ownership: plain buffers supplied by the caller; nothing allocated. */
#ifndef EQUITYLENS_PSEUDONYM_H
#define EQUITYLENS_PSEUDONYM_H
#include <stddef.h>
#include "equitylens/error.h"

#define EL_PSEUDONYM_KEY_BYTES 32
#define EL_PSEUDONYM_HEX 65   /* 64 hex digits + NUL */

/* Default key file path (see above) into buf. EL_ERR_NOTFOUND if neither
 * $EQUITYLENS_KEY_FILE nor $HOME is set. */
el_status el_pseudonym_default_path(char *buf, size_t cap, el_error *err);
/* Read the key from path (NULL = default path). With create = 1 a missing file
 * is created with a fresh random key (mode 0600; parent directories 0700, only
 * for the default location).
 * A key file readable by group or others is refused. *created (may be NULL)
 * is set to 1 when a new key was written. */
el_status el_pseudonym_key_load(const char *path, int create, unsigned char key[EL_PSEUDONYM_KEY_BYTES],
                                int *created, el_error *err);

/* Normalise s to 10 digits (dropping spaces and hyphens) in out[11] and check
 * the Modulus 11 check digit. Returns 1 if valid, 0 if not. */
int el_nhs_number_valid(const char *s, char out[11]);
/* Keyed hash of a normalised NHS number as hex (out: EL_PSEUDONYM_HEX bytes). */
void el_nhs_number_hash(const unsigned char key[EL_PSEUDONYM_KEY_BYTES], const char digits[11],
                        char out[EL_PSEUDONYM_HEX]);

/* Fingerprint of a key (64 hex digits): BLAKE2b-256 keyed with the key over a
 * fixed label. Safe to store; identifies the key without revealing it. */
void el_pseudonym_key_fingerprint(const unsigned char key[EL_PSEUDONYM_KEY_BYTES], char out[EL_PSEUDONYM_HEX]);
/* The el_meta key under which the store keeps it. */
#define EL_PSEUDONYM_FINGERPRINT_SETTING "pseudonym_key_fingerprint"

#endif
