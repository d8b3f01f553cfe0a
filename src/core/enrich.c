/* enrich.c — IMD, area, ethnic group and age band for every row (owner: refdata).
 * See include/equitylens/enrich.h and docs/reference-data.md. */
#include "equitylens/enrich.h"
#include <stdlib.h>
#include <string.h>
#include "equitylens/parse.h"

void el_enrich_opts_default(el_enrich_opts *o)
{
    o->imd_edition = 0;
    o->convert = 0;
    o->reference_date = EL_NA;
}

const char *el_ethnic_group(const char *code)
{
    if (!code || !*code) return "Not known";
    if (!strcmp(code, "99")) return "Not known";
    if (code[1] != '\0') return NULL;
    switch (code[0]) {
    case 'A': case 'B': case 'C': return "White";
    case 'D': case 'E': case 'F': case 'G': return "Mixed";
    case 'H': case 'J': case 'K': case 'L': return "Asian";
    case 'M': case 'N': case 'P': return "Black";
    case 'R': case 'S': return "Other";
    case 'Z': return "Not stated";
    default: return NULL;
    }
}

static const char *const bands[19] = {
    "00-04", "05-09", "10-14", "15-19", "20-24", "25-29", "30-34", "35-39", "40-44", "45-49",
    "50-54", "55-59", "60-64", "65-69", "70-74", "75-79", "80-84", "85-89", "90+"};

const char *el_age_band(int age)
{
    if (age < 0 || age > 130) return NULL;
    return bands[age >= 90 ? 18 : age / 5];
}

int el_age_at(int32_t birth, int32_t date)
{
    if (date < birth) return -1;
    int by, dy;
    unsigned bm, bd, dm, dd;
    el_civil_from_days(birth, &by, &bm, &bd);
    el_civil_from_days(date, &dy, &dm, &dd);
    int age = dy - by;
    if (dm < bm || (dm == bm && dd < bd)) age--;
    return age;
}

/* Outcome of one distinct LSOA value. */
enum { LS_OK, LS_BLANK, LS_MALFORMED, LS_WALES, LS_NOTFOUND, LS_AMBIGUOUS, LS_NOCONVERT };

typedef struct {
    int status;
    int converted;
    int decile;
    int32_t la, icb;   /* dictionary indices in la_code / icb_code, EL_NA if none */
} lsoa_out;

static void normalise(const char *s, char *buf, size_t cap)
{
    while (*s == ' ' || *s == '\t') s++;
    size_t n = 0;
    for (; *s && n + 1 < cap; s++) buf[n++] = (*s >= 'a' && *s <= 'z') ? (char)(*s - 32) : *s;
    while (n && (buf[n - 1] == ' ' || buf[n - 1] == '\t')) n--;
    buf[n] = '\0';
}

/* Decile through the lookup: every linked LSOA must agree. 0 = not found, -1 = ambiguous. */
static int convert_decile(const el_refdata *r, el_lsoa_vintage from, const char *code, int edition,
                          const char **links, size_t cap)
{
    size_t n = el_refdata_lsoa_convert(r, from, code, links, cap, NULL);
    if (n == 0) return 0;
    if (n > cap) return -1;
    int dec = 0;
    for (size_t i = 0; i < n; i++) {
        el_imd m;
        if (!el_refdata_imd(r, edition, links[i], &m)) return 0;
        if (dec && m.decile != dec) return -1;
        dec = m.decile;
    }
    return dec;
}

static el_status area_codes(el_dataset *d, const el_refdata *r, el_lsoa_vintage v, const char *code,
                            lsoa_out *o)
{
    el_area la, icb;
    if (el_refdata_area(r, v, code, EL_AREA_LA, &la) && el_refdata_area(r, v, code, EL_AREA_ICB, &icb)) {
        el_status s = el_dataset_intern(d, EL_F_LA_CODE, la.code, &o->la);
        if (!s) s = el_dataset_intern(d, EL_F_ICB_CODE, icb.code, &o->icb);
        return s;
    }
    return EL_OK;
}

/* Resolve one distinct value (of column `col`, vintage v) for `edition`. */
static el_status resolve(el_dataset *d, const el_refdata *r, const char *raw, el_lsoa_vintage v,
                         int edition, int convert, lsoa_out *o)
{
    char code[32];
    const char *links[64];
    o->status = LS_OK; o->converted = 0; o->decile = 0; o->la = o->icb = EL_NA;
    normalise(raw ? raw : "", code, sizeof code);
    if (!code[0]) { o->status = LS_BLANK; return EL_OK; }
    if (!el_lsoa_code_valid(code)) { o->status = LS_MALFORMED; return EL_OK; }
    el_status s = area_codes(d, r, v, code, o);
    if (s) return s;
    if (code[0] == 'W') { o->status = LS_WALES; return EL_OK; }
    el_lsoa_vintage native = edition == 2025 ? EL_LSOA21 : EL_LSOA11;
    if (v == native) {
        el_imd m;
        if (el_refdata_imd(r, edition, code, &m)) o->decile = m.decile;
        else o->status = LS_NOTFOUND;
        return EL_OK;
    }
    if (!convert) { o->status = LS_NOCONVERT; return EL_OK; }
    int dec = convert_decile(r, v, code, edition, links, sizeof links / sizeof links[0]);
    if (dec > 0) { o->decile = dec; o->converted = 1; }
    else o->status = dec < 0 ? LS_AMBIGUOUS : LS_NOTFOUND;
    return EL_OK;
}

static void add_example(el_enrich_stats *st, const char *v)
{
    if (!v || !*v || st->n_examples >= EL_ENRICH_EXAMPLES) return;
    for (size_t i = 0; i < st->n_examples; i++)
        if (!strncmp(st->examples[i], v, sizeof st->examples[i] - 1)) return;
    size_t n = strlen(v);
    if (n > sizeof st->examples[0] - 1) n = sizeof st->examples[0] - 1;
    memcpy(st->examples[st->n_examples], v, n);
    st->examples[st->n_examples][n] = '\0';
    st->n_examples++;
}

static el_status enrich_imd(el_dataset *d, const el_refdata *r, const el_enrich_opts *o,
                            el_enrich_stats *st, el_error *err)
{
    int has11 = el_dataset_has(d, EL_F_LSOA11), has21 = el_dataset_has(d, EL_F_LSOA21);
    if (!has11 && !has21) return EL_OK;
    int edition = o->imd_edition ? o->imd_edition : (has21 ? 2025 : 2019);
    if (edition != 2019 && edition != 2025)
        return el_error_set(err, EL_ERR_INVALID, "IMD edition must be 2019 or 2025, not %d", edition);
    unsigned need = (edition == 2019 ? EL_REF_IMD2019 : EL_REF_IMD2025) | EL_REF_GEO11 | EL_REF_GEO21 |
                    (o->convert ? EL_REF_LSOA_MAP : 0);
    if ((el_refdata_loaded(r) & need) != need)
        return el_error_set(err, EL_ERR_INVALID, "enrichment needs reference data that was not loaded");
    int native_has = edition == 2025 ? has21 : has11;
    if (!native_has && !o->convert)
        return el_error_set(err, EL_ERR_INVALID,
                            "IMD %d is on LSOA %s codes but the dataset has only LSOA %s: ask for conversion "
                            "through the ONS lookup, or the other edition", edition,
                            edition == 2025 ? "2021" : "2011", edition == 2025 ? "2011" : "2021");
    el_field prim = native_has ? (edition == 2025 ? EL_F_LSOA21 : EL_F_LSOA11)
                               : (edition == 2025 ? EL_F_LSOA11 : EL_F_LSOA21);
    el_field sec = prim == EL_F_LSOA11 ? EL_F_LSOA21 : EL_F_LSOA11;
    int use_sec = el_dataset_has(d, sec) && o->convert;
    st->imd_edition = edition;
    st->lsoa_vintage = prim == EL_F_LSOA11 ? 2011 : 2021;

    size_t n = el_dataset_rows(d);
    size_t np = el_dataset_dict_size(d, prim), ns = use_sec ? el_dataset_dict_size(d, sec) : 0;
    lsoa_out *rp = calloc(np ? np : 1, sizeof *rp), *rs = calloc(ns ? ns : 1, sizeof *rs);
    if (!rp || !rs) { free(rp); free(rs); return el_error_set(err, EL_ERR_NOMEM, "out of memory"); }
    el_status s = EL_OK;
    for (size_t i = 0; i < np && !s; i++)
        s = resolve(d, r, el_dataset_str(d, prim, (int32_t)i), prim == EL_F_LSOA11 ? EL_LSOA11 : EL_LSOA21,
                    edition, o->convert, &rp[i]);
    for (size_t i = 0; i < ns && !s; i++)
        s = resolve(d, r, el_dataset_str(d, sec, (int32_t)i), sec == EL_F_LSOA11 ? EL_LSOA11 : EL_LSOA21,
                    edition, 1, &rs[i]);
    if (s) { free(rp); free(rs); return el_error_set(err, s, "out of memory"); }

    int32_t *dec = el_dataset_col_mut(d, EL_F_IMD_DECILE), *qu = el_dataset_col_mut(d, EL_F_IMD_QUINTILE);
    int32_t *c20 = el_dataset_col_mut(d, EL_F_CORE20), *ed = el_dataset_col_mut(d, EL_F_IMD_EDITION);
    int32_t *la = el_dataset_col_mut(d, EL_F_LA_CODE), *icb = el_dataset_col_mut(d, EL_F_ICB_CODE);
    if (!dec || !qu || !c20 || !ed || !la || !icb) {
        free(rp); free(rs);
        return el_error_set(err, EL_ERR_NOMEM, "out of memory");
    }
    const int32_t *cp = el_dataset_col(d, prim), *cs = use_sec ? el_dataset_col(d, sec) : NULL;
    for (size_t i = 0; i < n; i++) {
        const lsoa_out *x = NULL;
        const char *shown = NULL;
        int32_t vp = cp[i];
        if (vp != EL_NA && vp >= 0 && (size_t)vp < np && rp[vp].status != LS_BLANK) {
            x = &rp[vp];
            shown = el_dataset_str(d, prim, vp);
        }
        /* native blank, or found nothing: try the other column when converting */
        if (cs && (!x || x->status != LS_OK)) {
            int32_t vs = cs[i];
            if (vs != EL_NA && vs >= 0 && (size_t)vs < ns && rs[vs].status != LS_BLANK &&
                (!x || rs[vs].status == LS_OK)) {
                x = &rs[vs];
                shown = el_dataset_str(d, sec, vs);
            }
        }
        dec[i] = qu[i] = c20[i] = ed[i] = la[i] = icb[i] = EL_NA;
        if (!x) { st->lsoa_blank++; continue; }
        if (x->la != EL_NA && x->icb != EL_NA) { la[i] = x->la; icb[i] = x->icb; st->area_matched++; }
        switch (x->status) {
        case LS_OK:
            dec[i] = x->decile;
            qu[i] = (x->decile + 1) / 2;
            c20[i] = x->decile <= 2;
            ed[i] = edition;
            st->imd_matched++;
            if (x->converted) st->lsoa_converted++;
            continue;
        case LS_MALFORMED: st->lsoa_malformed++; break;
        case LS_WALES: st->lsoa_outside_england++; break;
        case LS_AMBIGUOUS: st->lsoa_ambiguous++; break;
        case LS_NOCONVERT: st->lsoa_not_converted++; break;
        default: st->lsoa_not_found++; break;
        }
        add_example(st, shown);
    }
    free(rp); free(rs);
    el_field outs[] = {EL_F_IMD_DECILE, EL_F_IMD_QUINTILE, EL_F_CORE20, EL_F_IMD_EDITION, EL_F_LA_CODE, EL_F_ICB_CODE};
    for (size_t k = 0; k < sizeof outs / sizeof outs[0]; k++) el_dataset_set_has(d, outs[k], 1);
    return EL_OK;
}

static el_status enrich_ethnic(el_dataset *d, el_enrich_stats *st, el_error *err)
{
    if (!el_dataset_has(d, EL_F_ETHNIC_CATEGORY)) return EL_OK;
    size_t nd = el_dataset_dict_size(d, EL_F_ETHNIC_CATEGORY);
    int32_t *map = malloc((nd ? nd : 1) * sizeof *map);
    if (!map) return el_error_set(err, EL_ERR_NOMEM, "out of memory");
    int32_t not_known, not_stated;
    el_status s = el_dataset_intern(d, EL_F_ETHNIC_GROUP, "Not known", &not_known);
    if (!s) s = el_dataset_intern(d, EL_F_ETHNIC_GROUP, "Not stated", &not_stated);
    for (size_t i = 0; i < nd && !s; i++) {
        const char *g = el_ethnic_group(el_dataset_str(d, EL_F_ETHNIC_CATEGORY, (int32_t)i));
        map[i] = EL_NA;
        if (g) s = el_dataset_intern(d, EL_F_ETHNIC_GROUP, g, &map[i]);
    }
    int32_t *out = s ? NULL : el_dataset_col_mut(d, EL_F_ETHNIC_GROUP);
    if (!out) { free(map); return el_error_set(err, EL_ERR_NOMEM, "out of memory"); }
    const int32_t *in = el_dataset_col(d, EL_F_ETHNIC_CATEGORY);
    size_t n = el_dataset_rows(d);
    for (size_t i = 0; i < n; i++) {
        int32_t v = in[i];
        out[i] = (v == EL_NA || v < 0 || (size_t)v >= nd) ? not_known : map[v];
        if (out[i] == EL_NA) st->ethnic_invalid++;
        else if (out[i] == not_known) st->ethnic_not_known++;
        else if (out[i] == not_stated) st->ethnic_not_stated++;
    }
    free(map);
    el_dataset_set_has(d, EL_F_ETHNIC_GROUP, 1);
    return EL_OK;
}

static el_status enrich_age(el_dataset *d, const el_enrich_opts *o, el_enrich_stats *st, el_error *err)
{
    int has_age = el_dataset_has(d, EL_F_AGE), has_dob = el_dataset_has(d, EL_F_BIRTH_DATE);
    if (!has_age && !has_dob) return EL_OK;
    int32_t idx[19];
    for (int i = 0; i < 19; i++)
        if (el_dataset_intern(d, EL_F_AGE_BAND, bands[i], &idx[i]))
            return el_error_set(err, EL_ERR_NOMEM, "out of memory");
    el_field act = EL_F__COUNT;
    switch (el_dataset_kind(d)) {
    case EL_KIND_APPOINTMENTS: act = EL_F_APPOINTMENT_DATE; break;
    case EL_KIND_WAITING_LIST: act = EL_F_CENSUS_DATE; break;
    case EL_KIND_CANCER_PATHWAYS: act = EL_F_REFERRAL_DATE; break;
    default: break;
    }
    int32_t *out = el_dataset_col_mut(d, EL_F_AGE_BAND);
    if (!out) return el_error_set(err, EL_ERR_NOMEM, "out of memory");
    const int32_t *age = has_age ? el_dataset_col(d, EL_F_AGE) : NULL;
    const int32_t *dob = has_dob ? el_dataset_col(d, EL_F_BIRTH_DATE) : NULL;
    const int32_t *ad = (act != EL_F__COUNT && el_dataset_has(d, act)) ? el_dataset_col(d, act) : NULL;
    size_t n = el_dataset_rows(d);
    for (size_t i = 0; i < n; i++) {
        out[i] = EL_NA;
        int a;
        if (age && age[i] != EL_NA) {
            a = age[i];
            st->age_from_age++;
        } else if (dob && dob[i] != EL_NA) {
            int32_t when = ad && ad[i] != EL_NA ? ad[i] : o->reference_date;
            if (when == EL_NA) { st->age_missing++; continue; }
            a = el_age_at(dob[i], when);
            st->age_from_birth_date++;
        } else {
            st->age_missing++;
            continue;
        }
        if (a < 0 || a > 130) { st->age_invalid++; continue; }
        out[i] = idx[a >= 90 ? 18 : a / 5];
    }
    el_dataset_set_has(d, EL_F_AGE_BAND, 1);
    return EL_OK;
}

el_status el_enrich_dataset(el_dataset *d, const el_refdata *r, const el_enrich_opts *o,
                            el_enrich_stats *st, el_error *err)
{
    el_enrich_opts def;
    el_enrich_stats local;
    if (!o) { el_enrich_opts_default(&def); o = &def; }
    if (!st) st = &local;
    memset(st, 0, sizeof *st);
    if (!d) return el_error_set(err, EL_ERR_INVALID, "no dataset");
    st->rows = el_dataset_rows(d);
    el_status s = enrich_imd(d, r, o, st, err);
    if (!s) s = enrich_ethnic(d, st, err);
    if (!s) s = enrich_age(d, o, st, err);
    return s;
}
