/* fuzz_ingest.c — CSV → mapping → validated dataset: any bytes must import or
 * fail with a message, never crash, and rows read = accepted + rejected. The
 * first input byte picks the kind; a small HES-like mapping with codes,
 * transforms and NHS numbers is used for appointments. */
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    static const unsigned char key[32] = {1, 2, 3};
    el_error err;
    el_mapping *m;
    int k = data[0] % 4;
    if (k == 3) m = el_mapping_parse(MAP, sizeof MAP - 1, "fuzz.map", &err);
    else m = el_mapping_canonical((el_kind)k);
    if (!m) abort();
    if (k == EL_KIND_WAITING_LIST && data[0] & 0x80) el_mapping_set_constant(m, EL_F_CENSUS_DATE, "2024-03-31", &err);
    char *rej = NULL;
    size_t rejlen = 0;
    FILE *rf = open_memstream(&rej, &rejlen);
    el_ingest_opts o = {0};
    o.mapping = m;
    o.key = key;
    o.rejects = rf;
    o.max_record = 4096;
    el_ingest_stats st;
    el_dataset *d = NULL;
    el_error_clear(&err);
    el_status s = el_ingest_mem(data + 1, size - 1, "fuzz.csv", &o, &d, &st, &err);
    fclose(rf);
    free(rej);
    if (s == EL_OK) {
        if (!d || st.rows_read != st.rows_accepted + st.rows_rejected) abort();
        if (el_dataset_rows(d) != st.rows_accepted) abort();
        for (int f = 0; f < EL_F__COUNT; f++) {
            const el_field_info *fi = el_field_get((el_field)f);
            if (fi->type != EL_T_TEXT && fi->type != EL_T_CODE) continue;
            for (size_t r = 0; r < el_dataset_rows(d); r++) {
                int32_t v = el_dataset_get(d, r, (el_field)f);
                if (v != EL_NA && !el_dataset_str(d, (el_field)f, v)) abort();
            }
        }
    } else if (d || !err.msg[0]) abort();
    el_dataset_free(d);
    el_mapping_free(m);
    return 0;
}
