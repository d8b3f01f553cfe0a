/* fuzz_report.c — the report reads result documents it did not write: any
 * bytes must either be rejected or go through the disclosure guard and the
 * HTML renderer without crashing; after the guard no published count is in
 * the suppressed range (checked on the JSON). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "equitylens/report.h"

static const char *const COUNTS[] = {"n", "numerator", "observed", "longest", "all", "rows"};

static void check(const json_t *j)
{
    if (json_is_array(j)) {
        for (size_t i = 0; i < json_array_size(j); i++) check(json_array_get(j, i));
        return;
    }
    if (!json_is_object(j)) return;
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)j, k, v) {
        for (size_t i = 0; i < sizeof COUNTS / sizeof COUNTS[0]; i++)
            if (!strcmp(k, COUNTS[i]) && json_is_number(v)) {
                double c = json_number_value(v);
                if (c >= 0.5 && c < 7.5) abort();   /* a count 1-7 survived the guard */
            }
        check(v);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_error_t je;
    json_t *j = json_loadb((const char *)data, size, JSON_DECODE_ANY, &je);
    if (!j) return 0;
    el_report_opts o;
    el_report_opts_default(&o);
    el_error err;
    if (el_report_guard(j, &o.policy, NULL, &err) == EL_OK) {
        check(j);
        if (el_report_filter(j, &o, &err) == EL_OK) {
            el_strbuf b;
            el_strbuf_init(&b);
            (void)el_report_html(j, &o, &b, &err);
            el_strbuf_release(&b);
        }
    }
    json_decref(j);
    return 0;
}
