/* fuzz_mapping.c — mapping-file parser: any bytes must parse or give an error
 * with a message, never crash; a parsed mapping must map values safely. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "equitylens/mapping.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    el_error err;
    el_error_clear(&err);
    el_mapping *m = el_mapping_parse((const char *)data, size, "fuzz.map", &err);
    if (!m) {
        if (!err.msg[0]) abort();          /* every failure says why */
        return 0;
    }
    static const char *vals[] = {"", " ", "A", " White British ", "54.0", "7001.0", "1800-01-01", "&", "x.", ".0"};
    char buf[32];
    for (int f = 0; f < EL_F__COUNT; f++) {
        (void)el_mapping_column(m, (el_field)f);
        (void)el_mapping_date_format(m, (el_field)f);
        for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
            const char *v = el_mapping_map_value(m, (el_field)f, vals[i], buf, sizeof buf);
            if (!v) abort();
            (void)strlen(v);
        }
    }
    el_mapping_free(m);
    return 0;
}
