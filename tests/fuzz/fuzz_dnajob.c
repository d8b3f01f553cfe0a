/* fuzz_dnajob.c — the fast DNA-job parser (src/io/dnajob.c) is a separate
 * CSV parser, so it is fuzzed on its own: any bytes must give a result or a
 * clear error, never a crash; rows read = counted + excluded + rejected; and
 * the answer must not depend on the number of threads (ranges split at
 * newlines, speculative starts inside quoted fields must be detected) nor
 * differ from the strict scalar parser (opts.scalar_only).
 * First byte: bit 0 = prepend a valid header; bits 1-2 = threads - 1 of the
 * second run; the rest is the input. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "equitylens/dnajob.h"

static void same(const el_dnajob_result *a, const el_dnajob_result *b)
{
    if (memcmp(a->appointments, b->appointments, sizeof a->appointments) ||
        memcmp(a->dna, b->dna, sizeof a->dna) || a->rows_read != b->rows_read ||
        a->rows_counted != b->rows_counted || a->rows_excluded != b->rows_excluded ||
        a->rows_rejected != b->rows_rejected || a->blank_lines != b->blank_lines ||
        a->lsoa_missing != b->lsoa_missing || a->lsoa_unmatched != b->lsoa_unmatched ||
        memcmp(a->rejected_by_reason, b->rejected_by_reason, sizeof a->rejected_by_reason) ||
        a->nsamples != b->nsamples)
        abort();
    for (size_t k = 0; k < a->nsamples; k++)
        if (a->samples[k].line != b->samples[k].line || a->samples[k].reason != b->samples[k].reason) abort();
}

static void check(const el_dnajob_result *r)
{
    if (r->rows_read != r->rows_counted + r->rows_excluded + r->rows_rejected) abort();
    uint64_t n = 0, d = 0;
    for (int q = 0; q < EL_DNAJOB_NQ; q++)
        for (int g = 0; g < EL_ETH__COUNT; g++) {
            if (r->dna[q][g] > r->appointments[q][g]) abort();
            n += r->appointments[q][g];
            d += r->dna[q][g];
        }
    if (n != r->rows_counted) abort();
    (void)d;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static el_lsoa_imd *imd;
    if (!imd) {
        static const char *const codes[] = {"E01000001", "E01000002", "E01033768", "W01001958", "QQ1234567"};
        static const int dec[] = {1, 4, 10, 6, 9};
        if (el_lsoa_imd_from_arrays(codes, dec, 5, &imd, NULL) != EL_OK) abort();
    }
    if (size < 1) return 0;
    static const char hdr[] = "appointment_id,attended_or_did_not_attend,ethnic_category,lsoa11\n";
    size_t hl = (data[0] & 1) ? sizeof hdr - 1 : 0;
    int threads = 1 + ((data[0] >> 1) & 3);
    size_t len = hl + size - 1;
    char *buf = malloc(len ? len : 1);
    if (!buf) return 0;
    memcpy(buf, hdr, hl);
    memcpy(buf + hl, data + 1, size - 1);

    el_dnajob_opts o;
    el_dnajob_opts_default(&o);
    o.threads = 1;
    el_dnajob_result *a = malloc(sizeof *a), *b = malloc(sizeof *b);
    if (!a || !b) abort();
    el_error err;
    el_status s1 = el_dnajob_run_mem(buf, len, "fuzz", imd, &o, a, &err);
    o.threads = threads;
    o.min_range_bytes = 1;
    el_status s2 = el_dnajob_run_mem(buf, len, "fuzz", imd, &o, b, &err);
    if (s1 != s2) abort();
    if (s1 == EL_OK) {
        check(a);
        same(a, b);
    }
    /* the fast path must agree with the strict scalar parser on every input */
    o.threads = 1;
    o.scalar_only = 1;
    el_status s3 = el_dnajob_run_mem(buf, len, "fuzz", imd, &o, b, &err);
    if (s3 != s1) abort();
    if (s1 == EL_OK) same(a, b);
    free(a);
    free(b);
    free(buf);
    return 0;
}
