/* analysis_input.c — a CSV extract read for analyse/quality --input, with a
 * throw-away pseudonym key (owner: analysis helper). See analysis_input.h. */
#include "equitylens/analysis_input.h"
#include <sodium.h>
#include <stddef.h>

el_status el_analysis_read_input(const char *path, const el_mapping *m, el_dataset **out, el_ingest_stats *st,
                                 el_error *err)
{
    *out = NULL;
    if (sodium_init() < 0) return el_error_set(err, EL_ERR_INTERNAL, "libsodium init failed");
    unsigned char key[EL_PSEUDONYM_KEY_BYTES];
    randombytes_buf(key, sizeof key);   /* throw-away: NHS numbers are never used or kept */
    el_ingest_opts io = {0};
    io.mapping = m;
    io.key = key;
    el_status s = el_ingest_file(path, &io, out, st, err);
    sodium_memzero(key, sizeof key);
    return s;
}
