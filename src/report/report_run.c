/* report_run.c — run the analysis for a report straight from a dataset
 * (see el_report_analyse in report.h). */
#include "equitylens/report.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "equitylens/analysis_output.h"

/* Rows of d whose field f equals code, as a new dataset (same columns,
 * dictionaries carried over in the same order so indices are unchanged). */
static el_status subset(const el_dataset *d, el_field f, const char *code, el_dataset **out, size_t *kept,
                        el_error *err)
{
    *out = NULL;
    *kept = 0;
    const char *fname = el_field_get(f)->name;
    if (!el_dataset_has(d, f))
        return el_error_set(err, EL_ERR_NOTFOUND, "the dataset has no %s column to filter on", fname);
    int32_t want = el_dataset_lookup(d, f, code);
    if (want == EL_NA) return el_error_set(err, EL_ERR_NOTFOUND, "no rows with %s = %s in the dataset", fname, code);
    const int32_t *sel = el_dataset_col(d, f);
    size_t n = el_dataset_rows(d), m = 0;
    for (size_t r = 0; r < n; r++) m += sel[r] == want;
    el_dataset *nd = el_dataset_new(el_dataset_kind(d));
    if (!nd) return el_error_set(err, EL_ERR_NOMEM, "out of memory");
    if (el_dataset_reserve(nd, m) != EL_OK || (m && el_dataset_add_rows(nd, m) == (size_t)-1)) {
        el_dataset_free(nd);
        return el_error_set(err, EL_ERR_NOMEM, "out of memory");
    }
    for (int fi = 0; fi < EL_F__COUNT; fi++) {
        el_field g = (el_field)fi;
        el_dataset_set_has(nd, g, el_dataset_has(d, g));
        if (!el_dataset_has(d, g) && !el_dataset_col_exists(d, g)) continue;
        el_ftype t = el_field_get(g)->type;
        if (t == EL_T_TEXT || t == EL_T_CODE) {
            size_t nd_sz = el_dataset_dict_size(d, g);
            for (size_t i = 0; i < nd_sz; i++) {
                int32_t idx;
                if (el_dataset_intern(nd, g, el_dataset_str(d, g, (int32_t)i), &idx) != EL_OK || idx != (int32_t)i) {
                    el_dataset_free(nd);
                    return el_error_set(err, EL_ERR_INTERNAL, "dictionary copy of %s failed", el_field_get(g)->name);
                }
            }
        }
        if (!m) continue;
        int32_t *dst = el_dataset_col_mut(nd, g);
        if (!dst) { el_dataset_free(nd); return el_error_set(err, EL_ERR_NOMEM, "out of memory"); }
        const int32_t *src = el_dataset_col(d, g);
        size_t k = 0;
        for (size_t r = 0; r < n; r++) if (sel[r] == want) dst[k++] = src[r];
    }
    *out = nd;
    *kept = m;
    return EL_OK;
}

el_status el_report_analyse(const el_dataset *d, const el_refdata *ref, const el_analysis_opts *ao,
                            const el_report_opts *o, const char *source, int imd_edition, json_t **out,
                            el_error *err)
{
    *out = NULL;
    el_dataset *owned = NULL;
    const el_dataset *use = d;
    el_status s = EL_OK;
    struct { const char *code; el_field f; } flt[] = {{o ? o->provider : NULL, EL_F_PROVIDER_CODE},
                                                     {o ? o->treatment_function : NULL, EL_F_TREATMENT_FUNCTION_CODE}};
    for (size_t i = 0; i < 2 && s == EL_OK; i++) {
        if (!flt[i].code) continue;
        el_dataset *nd = NULL;
        size_t kept = 0;
        s = subset(use, flt[i].f, flt[i].code, &nd, &kept, err);
        if (s == EL_OK) {
            el_dataset_free(owned);
            owned = nd;
            use = nd;
        }
    }
    el_analysis *a = NULL;
    if (s == EL_OK) s = el_analysis_run(use, ref, ao, &a, err);
    if (s == EL_OK) s = el_analysis_disclose(a, o ? &o->policy : NULL, err);
    json_t *j = NULL;
    if (s == EL_OK) s = el_analysis_to_json(a, source, &j, err);
    if (s == EL_OK) {
        json_t *ds = json_object_get(j, "dataset");
        if (json_is_object(ds) && imd_edition && !json_object_get(ds, "imd_edition"))
            json_object_set_new(ds, "imd_edition", json_string(imd_edition == 2025 ? "IMD 2025 (2021 LSOAs)"
                                                               : imd_edition == 2019 ? "IMD 2019 (2011 LSOAs)"
                                                                                     : "not stated"));
        json_t *fl = json_object();
        if (o && o->provider) json_object_set_new(fl, "provider", json_string(o->provider));
        if (o && o->treatment_function) json_object_set_new(fl, "treatment_function", json_string(o->treatment_function));
        json_object_set_new(j, "filters", fl);
        *out = j;
    } else {
        json_decref(j);
    }
    el_analysis_free(a);
    el_dataset_free(owned);
    return s;
}
