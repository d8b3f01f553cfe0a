/* fuzz_disclosure.c — the disclosure-policy parser and the analysis option
 * parsers (lens, reference, metric and code lists) on arbitrary text: they
 * must accept or reject, never crash; an accepted policy must describe
 * itself and protect a small table derived from the input so that the audit
 * finds no recoverable count. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "equitylens/analysis.h"
#include "equitylens/disclosure.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char s[300];
    size_t n = size < sizeof s - 1 ? size : sizeof s - 1;
    memcpy(s, data, n);
    s[n] = 0;
    el_error err;
    el_disclosure_policy p;
    el_disclosure_policy_default(&p);
    if (el_disclosure_policy_parse(&p, s, &err) == EL_OK) {
        char d[512];
        el_disclosure_policy_describe(&p, d, sizeof d);
        if (!strstr(d, "Disclosure control")) abort();
        if (p.suppress_max - p.suppress_min < 50 && p.round_to < 1000) {
            el_dc_table *t = el_dc_table_new(3, 2, 1, 1);
            for (size_t i = 0; i < 6; i++) el_dc_table_set(t, i / 2, i % 2, i < n ? data[i] % 24 : (int64_t)i);
            if (el_dc_table_protect(t, &p, &err) != EL_OK) abort();
            if (p.secondary && p.suppress_max > p.suppress_min && el_dc_table_audit(t, &p) != 0) abort();
            el_dc_table_free(t);
        }
    }
    el_analysis_opts o;
    el_analysis_opts_default(&o);
    (void)el_analysis_opts_add_lens(&o, s, &err);
    (void)el_analysis_opts_reference(&o, s, &err);
    (void)el_analysis_opts_metrics(&o, s, &err);
    (void)el_analysis_opts_codes(o.dna_codes, s, &err);
    return 0;
}
