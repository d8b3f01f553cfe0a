/* fuzz_parse.c — number and date parsers: any text must parse or fail cleanly,
 * and a parsed date must format back to a date that parses to the same day. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "equitylens/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char buf[256];
    size_t n = size < sizeof buf - 1 ? size : sizeof buf - 1;
    memcpy(buf, data, n);
    buf[n] = 0;
    int64_t i; double d; int32_t days, again; char out[11];
    (void)el_parse_i64(buf, 1, &i);
    (void)el_parse_i64(buf, 0, &i);
    (void)el_parse_double(buf, 1, &d);
    static const char *const fmts[] = {"YYYY-MM-DD", "DD/MM/YYYY", "DD-MM-YYYY", "YYYYMMDD", "bogus"};
    for (size_t k = 0; k < sizeof fmts / sizeof *fmts; k++)
        if (el_parse_date(buf, fmts[k], &days) == 0) {
            el_format_date(days, out);
            if (el_parse_date(out, "YYYY-MM-DD", &again) || again != days) abort();
        }
    return 0;
}
