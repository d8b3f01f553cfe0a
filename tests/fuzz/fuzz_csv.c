/* fuzz_csv.c — CSV reader: any bytes must parse or be rejected, never crash,
 * and every record must be accounted for (ROW or BAD). */
#include <stdint.h>
#include <stdlib.h>
#include "equitylens/csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    el_csv_opts o;
    el_csv_opts_default(&o);
    o.max_record = 4096;  /* exercise the oversize path */
    el_csv *c = el_csv_open_mem(data, size, "fuzz", &o);
    if (!c) return 0;
    el_error err;
    uint64_t n = 0;
    el_csv_result r;
    while ((r = el_csv_next(c, &err)) == EL_CSV_ROW || r == EL_CSV_BAD) {
        n++;
        for (size_t i = 0; i < el_csv_nfields(c); i++) (void)el_csv_field_len(c, i);
    }
    if (n != el_csv_records(c)) abort();
    el_csv_close(c);
    return 0;
}
