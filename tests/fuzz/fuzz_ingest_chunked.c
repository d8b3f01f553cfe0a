/* fuzz_ingest_chunked.c — the streaming ingest against the whole-file ingest
 * (owner: import): for any bytes, el_ingest_mem_chunked with chunks of 1–8
 * rows must give the same status, error, counts, content hash and rejects
 * file as el_ingest_mem, and its chunks, concatenated, the same rows (same
 * text, dates, numbers and flags in every field) — chunking never changes
 * what is imported. The first byte picks the kind (as fuzz_ingest) and the
 * chunk size. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "equitylens/ingest.h"

static const char MAP[] =
    "kind = appointments\ninvalid = blank\n[columns]\nappointment_id = id\npatient_id = pid\n"
    "appointment_date = d\nattended_or_did_not_attend = a\nage = age\nnhs_number = nhs\n"
    "ethnic_category = e\nautism = au\n[dates]\nappointment_date = DD/MM/YYYY\n"
    "[transforms]\nage = integer\nethnic_category = upper\n[codes.ethnic_category]\nX = 99\n* = 99\n"
    "[codes.autism]\nyes = Y\nno = N\n";

typedef struct { const el_dataset *whole; size_t at, chunk_rows; } cmp;

static el_status same_rows(el_dataset **chunkp, const el_ingest_stats *so_far, void *ud, el_error *err)
{
    (void)err;
    cmp *c = ud;
    const el_dataset *d = *chunkp, *w = c->whole;
    size_t n = el_dataset_rows(d);
    if (n > c->chunk_rows || c->at + n > el_dataset_rows(w) || so_far->rows_accepted != c->at + n) abort();
    for (int f = 0; f < EL_F__COUNT; f++) {
        el_field fl = (el_field)f;
        if (el_dataset_has(d, fl) != el_dataset_has(w, fl)) abort();
        const el_field_info *fi = el_field_get(fl);
        int text = fi->type == EL_T_TEXT || fi->type == EL_T_CODE;
        for (size_t r = 0; r < n; r++) {
            int32_t a = el_dataset_get(d, r, fl), b = el_dataset_get(w, c->at + r, fl);
            if ((a == EL_NA) != (b == EL_NA)) abort();
            if (a == EL_NA) continue;
            if (text ? strcmp(el_dataset_str(d, fl, a), el_dataset_str(w, fl, b)) != 0 : a != b) abort();
        }
    }
    c->at += n;
    return EL_OK;
}

/* When the whole-file ingest fails, the chunks delivered before the failure
 * are not compared (nothing would be stored); only their size is checked. */
static el_status any_rows(el_dataset **chunkp, const el_ingest_stats *so_far, void *ud, el_error *err)
{
    (void)so_far; (void)err;
    const cmp *c = ud;
    if (el_dataset_rows(*chunkp) > c->chunk_rows) abort();
    return EL_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    static const unsigned char key[32] = {1, 2, 3};
    el_error e1, e2;
    el_mapping *m;
    int k = data[0] % 4;
    if (k == 3) m = el_mapping_parse(MAP, sizeof MAP - 1, "fuzz.map", &e1);
    else m = el_mapping_canonical((el_kind)k);
    if (!m) abort();
    if (k == EL_KIND_WAITING_LIST && data[0] & 0x80) el_mapping_set_constant(m, EL_F_CENSUS_DATE, "2024-03-31", &e1);
    size_t chunk_rows = 1 + ((data[0] >> 2) & 7);
    char *rej1 = NULL, *rej2 = NULL;
    size_t len1 = 0, len2 = 0;
    FILE *rf1 = open_memstream(&rej1, &len1), *rf2 = open_memstream(&rej2, &len2);
    el_ingest_opts o = {0};
    o.mapping = m;
    o.key = key;
    o.max_record = 4096;
    el_ingest_stats s1, s2;
    el_dataset *whole = NULL;
    el_error_clear(&e1);
    el_error_clear(&e2);
    o.rejects = rf1;
    el_status st1 = el_ingest_mem(data + 1, size - 1, "fuzz.csv", &o, &whole, &s1, &e1);
    cmp c = {whole, 0, chunk_rows};
    o.rejects = rf2;
    el_status st2 = el_ingest_mem_chunked(data + 1, size - 1, "fuzz.csv", &o, chunk_rows,
                                          st1 == EL_OK ? same_rows : any_rows, &c, &s2, &e2);
    fclose(rf1);
    fclose(rf2);
    if (st1 != st2) abort();
    if (st1 == EL_OK) {
        if (c.at != el_dataset_rows(whole)) abort();
        if (s1.rows_read != s2.rows_read || s1.rows_accepted != s2.rows_accepted || s1.rows_rejected != s2.rows_rejected ||
            s1.nhs_hashed != s2.nhs_hashed || s1.nhs_invalid != s2.nhs_invalid || strcmp(s1.sha256, s2.sha256) != 0)
            abort();
        if (len1 != len2 || (len1 && memcmp(rej1, rej2, len1) != 0)) abort();
    } else if (strcmp(e1.msg, e2.msg) != 0) abort();
    free(rej1);
    free(rej2);
    el_dataset_free(whole);
    el_mapping_free(m);
    return 0;
}
