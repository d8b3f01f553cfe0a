/* analysis.c — the equity analysis engine: options, lenses, metric
 * accumulation, values, gaps, adjusted gaps, inequality measures, excess
 * (owner: analysis helper). Methods: docs/analysis.md. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "analysis_internal.h"
#include "equitylens/ci.h"
#include "equitylens/distrib.h"
#include "equitylens/enrich.h"
#include "equitylens/parse.h"
#include "equitylens/quality.h"

/* ------------------------------------------------------------ registries */
static const struct {
    const char *name, *label;
    el_field field;
    int ordered;
    const char *ref;
} LENSES[EL_LENS__COUNT] = {
    [EL_LENS_IMD_DECILE] = {"imd_decile", "IMD decile", EL_F_IMD_DECILE, 1, "10"},
    [EL_LENS_IMD_QUINTILE] = {"imd_quintile", "IMD quintile", EL_F_IMD_QUINTILE, 1, "5"},
    [EL_LENS_CORE20] = {"core20", "Core20 (most deprived 20%)", EL_F_CORE20, 0, "Rest"},
    [EL_LENS_ETHNIC_GROUP] = {"ethnic_group", "Ethnic group (broad)", EL_F_ETHNIC_GROUP, 0, "White"},
    [EL_LENS_ETHNIC_CATEGORY] = {"ethnic_category", "Ethnic category", EL_F_ETHNIC_CATEGORY, 0, "A"},
    [EL_LENS_SEX] = {"sex", "Sex (stated gender)", EL_F_PERSON_STATED_GENDER_CODE, 0, NULL},
    [EL_LENS_AGE_BAND] = {"age_band", "Age band", EL_F_AGE_BAND, 0, NULL},
    [EL_LENS_LEARNING_DISABILITY] = {"learning_disability", "Learning disability", EL_F_LEARNING_DISABILITY, 0, "N"},
    [EL_LENS_AUTISM] = {"autism", "Autism", EL_F_AUTISM, 0, "N"},
    [EL_LENS_SERIOUS_MENTAL_ILLNESS] = {"serious_mental_illness", "Serious mental illness",
                                        EL_F_SERIOUS_MENTAL_ILLNESS, 0, "N"},
    [EL_LENS_INCLUSION_HEALTH] = {"inclusion_health_group", "Inclusion health group",
                                  EL_F_INCLUSION_HEALTH_GROUP, 0, "N"},
    [EL_LENS_INTERPRETER] = {"interpreter_required", "Interpreter required", EL_F_INTERPRETER_REQUIRED, 0, "N"},
    [EL_LENS_REASONABLE_ADJUSTMENT] = {"reasonable_adjustment", "Reasonable adjustment",
                                       EL_F_REASONABLE_ADJUSTMENT, 0, "N"},
    [EL_LENS_LA] = {"la", "Local authority", EL_F_LA_CODE, 0, NULL},
    [EL_LENS_ICB] = {"icb", "Integrated care board", EL_F_ICB_CODE, 0, NULL},
};

const char *el_lens_name(el_lens_id l) { return (unsigned)l < EL_LENS__COUNT ? LENSES[l].name : NULL; }
const char *el_lens_label(el_lens_id l) { return (unsigned)l < EL_LENS__COUNT ? LENSES[l].label : NULL; }
el_field el_lens_field(el_lens_id l) { return LENSES[l].field; }
int el_lens_ordered(el_lens_id l) { return (unsigned)l < EL_LENS__COUNT && LENSES[l].ordered; }
const char *el_lens_default_reference(el_lens_id l) { return (unsigned)l < EL_LENS__COUNT ? LENSES[l].ref : NULL; }
int el_lens_by_name(const char *name)
{
    for (int i = 0; i < EL_LENS__COUNT; i++)
        if (!strcmp(name, LENSES[i].name)) return i;
    return -1;
}

static const struct {
    const char *name, *label;
    el_kind kind;
    int better_high, continuous;
} METRICS[EL_M__COUNT] = {
    [EL_M_WAIT] = {"wait_weeks", "Weeks waited", EL_KIND_WAITING_LIST, 0, 1},
    [EL_M_OVER18] = {"over_18_weeks", "% waiting over 18 weeks", EL_KIND_WAITING_LIST, 0, 0},
    [EL_M_OVER52] = {"over_52_weeks", "% waiting over 52 weeks", EL_KIND_WAITING_LIST, 0, 0},
    [EL_M_OVER65] = {"over_65_weeks", "% waiting over 65 weeks", EL_KIND_WAITING_LIST, 0, 0},
    [EL_M_OVER78] = {"over_78_weeks", "% waiting over 78 weeks", EL_KIND_WAITING_LIST, 0, 0},
    [EL_M_DNA] = {"dna_rate", "DNA rate", EL_KIND_APPOINTMENTS, 0, 0},
    [EL_M_DNA_FIRST] = {"dna_rate_first", "DNA rate, first appointments", EL_KIND_APPOINTMENTS, 0, 0},
    [EL_M_DNA_FOLLOWUP] = {"dna_rate_follow_up", "DNA rate, follow-up appointments", EL_KIND_APPOINTMENTS, 0, 0},
    [EL_M_PATIENT_CANCEL] = {"patient_cancellation_rate", "Patient cancellation rate", EL_KIND_APPOINTMENTS, 0, 0},
    [EL_M_PROVIDER_CANCEL] = {"provider_cancellation_rate", "Provider cancellation rate", EL_KIND_APPOINTMENTS, 0, 0},
    [EL_M_VIRTUAL] = {"virtual_share", "% of attendances virtual", EL_KIND_APPOINTMENTS, 0, 0},
    [EL_M_FDS28] = {"fds_28_days", "% told within 28 days (FDS)", EL_KIND_CANCER_PATHWAYS, 1, 0},
    [EL_M_TREATED62] = {"treated_62_days", "% treated within 62 days", EL_KIND_CANCER_PATHWAYS, 1, 0},
    [EL_M_EARLY_STAGE] = {"early_stage", "% diagnosed at stage 1 or 2", EL_KIND_CANCER_PATHWAYS, 1, 0},
};

const char *el_metric_name(el_metric_id m) { return (unsigned)m < EL_M__COUNT ? METRICS[m].name : NULL; }
const char *el_metric_label(el_metric_id m) { return (unsigned)m < EL_M__COUNT ? METRICS[m].label : NULL; }
el_kind el_metric_kind(el_metric_id m) { return METRICS[m].kind; }
int el_metric_higher_is_better(el_metric_id m) { return METRICS[m].better_high; }
int el_metric_continuous(el_metric_id m) { return METRICS[m].continuous; }
int el_metric_by_name(const char *name)
{
    for (int i = 0; i < EL_M__COUNT; i++)
        if (!strcmp(name, METRICS[i].name)) return i;
    return -1;
}

/* -------------------------------------------------------------- options */
void el_analysis_opts_default(el_analysis_opts *o)
{
    memset(o, 0, sizeof *o);
    o->confidence = 0.95;
    o->adjust = 1;
    o->by_priority = 1;
    strcpy(o->dna_codes[0], "3");
    strcpy(o->dna_codes[1], "7");
    strcpy(o->attended_codes[0], "5");
    strcpy(o->attended_codes[1], "6");
    o->census_date = EL_NA;
    o->cost_per_dna = 120.0;
    o->longest_share = 0.25;
    o->longest_weeks = 0;
    o->trends = 1;
    o->period = EL_PERIOD_MONTH;
    o->missing = 1;
    o->seed = 123456u;
    o->reps = 1000;
}

el_status el_analysis_opts_reference(el_analysis_opts *o, const char *spec, el_error *err)
{
    const char *eq = strchr(spec, '=');
    if (!eq) return el_error_set(err, EL_ERR_INVALID, "--reference '%s': expected lens=group", spec);
    char lens[64];
    size_t n = (size_t)(eq - spec);
    if (n >= sizeof lens) n = sizeof lens - 1;
    memcpy(lens, spec, n);
    lens[n] = 0;
    int l = el_lens_by_name(lens);
    if (l < 0) return el_error_set(err, EL_ERR_INVALID, "--reference: unknown lens '%s'", lens);
    if (!eq[1] || strlen(eq + 1) >= sizeof o->reference[0])
        return el_error_set(err, EL_ERR_INVALID, "--reference: bad group '%s'", eq + 1);
    strcpy(o->reference[l], eq + 1);
    return EL_OK;
}

el_status el_analysis_opts_add_lens(el_analysis_opts *o, const char *spec, el_error *err)
{
    if (o->n_lenses >= EL_AN_MAX_LENSES) return el_error_set(err, EL_ERR_INVALID, "too many lenses");
    char buf[128];
    snprintf(buf, sizeof buf, "%s", spec);
    char *sep = strchr(buf, ',');
    if (!sep) sep = strstr(buf, " x ");
    char *second = NULL;
    if (sep) {
        second = sep + (*sep == ',' ? 1 : 3);
        *sep = 0;
    }
    int a = el_lens_by_name(buf), b = -1;
    if (a < 0) return el_error_set(err, EL_ERR_INVALID, "unknown lens '%s'", buf);
    if (second) {
        b = el_lens_by_name(second);
        if (b < 0) return el_error_set(err, EL_ERR_INVALID, "unknown lens '%s'", second);
        if (b == a) return el_error_set(err, EL_ERR_INVALID, "a lens cannot be crossed with itself");
    }
    o->lenses[o->n_lenses++] = (el_lens_spec){a, b};
    return EL_OK;
}

el_status el_analysis_opts_metrics(el_analysis_opts *o, const char *list, el_error *err)
{
    char buf[512];
    snprintf(buf, sizeof buf, "%s", list);
    uint32_t m = 0;
    char *save = NULL;
    for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        if (!strcmp(t, "all")) { m = (1u << EL_M__COUNT) - 1; continue; }
        int k = el_metric_by_name(t);
        if (k < 0) return el_error_set(err, EL_ERR_INVALID, "unknown metric '%s'", t);
        m |= 1u << k;
    }
    if (!m) return el_error_set(err, EL_ERR_INVALID, "no metric given");
    o->metrics = m;
    return EL_OK;
}

el_status el_analysis_opts_codes(char codes[EL_AN_MAX_CODES][4], const char *list, el_error *err)
{
    char buf[128], tmp[EL_AN_MAX_CODES][4];
    memset(tmp, 0, sizeof tmp);
    snprintf(buf, sizeof buf, "%s", list);
    size_t n = 0;
    char *save = NULL;
    for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        if (n >= EL_AN_MAX_CODES || strlen(t) >= 4 || !*t)
            return el_error_set(err, EL_ERR_INVALID, "bad code list '%s'", list);
        strcpy(tmp[n++], t);
    }
    if (!n) return el_error_set(err, EL_ERR_INVALID, "empty code list");
    memcpy(codes, tmp, sizeof tmp);
    return EL_OK;
}

static int in_codes(const char codes[EL_AN_MAX_CODES][4], const char *s)
{
    if (!s) return 0;
    for (int i = 0; i < EL_AN_MAX_CODES && codes[i][0]; i++)
        if (!strcmp(codes[i], s)) return 1;
    return 0;
}

/* --------------------------------------------------------------- lenses */
static const char *const ETH_CAT[] = {"A", "B", "C", "D", "E", "F", "G", "H", "J", "K", "L", "M",
                                      "N", "P", "R", "S", "Z", "99"};
static const char *const ETH_CAT_LABEL[] = {
    "A White British", "B White Irish", "C Any other White background", "D White and Black Caribbean",
    "E White and Black African", "F White and Asian", "G Any other mixed background", "H Indian",
    "J Pakistani", "K Bangladeshi", "L Any other Asian background", "M Caribbean", "N African",
    "P Any other Black background", "R Chinese", "S Any other ethnic group", "Z Not stated",
    "99 Not known"};
static const char *const ETH_GRP[] = {"White", "Mixed", "Asian", "Black", "Other", "Not stated", "Not known"};
static const char *const SEX[] = {"1", "2", "9", "X"};
static const char *const SEX_LABEL[] = {"Male", "Female", "Indeterminate", "Not known"};

static int list_pos(const char *const *list, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(list[i], s)) return (int)i;
    return -1;
}
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* One single-lens grouping of the rows. */
typedef struct {
    size_t ng;
    el_an_group *g;
    int32_t *row;       /* group per row */
    int ref;
} grouping;

static void grouping_free(grouping *g)
{
    free(g->g);
    free(g->row);
    memset(g, 0, sizeof *g);
}

static int add_group(grouping *G, size_t *cap, const char *key, const char *label, int rank, int unknown)
{
    for (size_t i = 0; i < G->ng; i++)
        if (!strcmp(G->g[i].key, key)) return (int)i;
    if (G->ng == *cap) {
        size_t nc = *cap ? *cap * 2 : 16;
        el_an_group *n = realloc(G->g, nc * sizeof *n);
        if (!n) return -1;
        G->g = n;
        *cap = nc;
    }
    el_an_group *x = &G->g[G->ng];
    memset(x, 0, sizeof *x);
    snprintf(x->key, sizeof x->key, "%s", key);
    snprintf(x->label, sizeof x->label, "%s", label ? label : key);
    x->order = rank;     /* sort key for now */
    x->unknown = unknown;
    x->b = -1;
    return (int)G->ng++;
}

static int group_cmp(const void *pa, const void *pb)
{
    const el_an_group *a = pa, *b = pb;
    if (a->unknown != b->unknown) return a->unknown - b->unknown;
    if (a->order != b->order) return a->order < b->order ? -1 : 1;
    return strcmp(a->key, b->key);
}

/* Key, label and rank of one source value for lens l; rank -1 = use key order. */
static void lens_value(el_lens_id l, const char *s, char *key, size_t kcap, char *label, size_t lcap, int *rank,
                       int *unknown)
{
    *rank = 1000;
    *unknown = 0;
    /* coded lenses: rank = position in the code list, label from the
     * labels (if any); a value not in the list is unknown */
    const char *const *list = NULL, *const *labels = NULL;
    size_t n = 0;
    switch (l) {
    case EL_LENS_ETHNIC_CATEGORY: list = ETH_CAT; n = NELEM(ETH_CAT); labels = ETH_CAT_LABEL; break;
    case EL_LENS_ETHNIC_GROUP: list = ETH_GRP; n = NELEM(ETH_GRP); break;
    case EL_LENS_SEX: list = SEX; n = NELEM(SEX); labels = SEX_LABEL; break;
    default: break;
    }
    int p = list ? list_pos(list, n, s) : -1;
    snprintf(key, kcap, "%s", s);
    snprintf(label, lcap, "%s", p >= 0 && labels ? labels[p] : s);
    if (!list) return;
    if (p >= 0) *rank = p;
    else *unknown = 1;
}

static el_status build_grouping(const el_dataset *d, el_lens_id l, const char *refkey, grouping *G, el_error *err)
{
    size_t rows = el_dataset_rows(d), cap = 0;
    memset(G, 0, sizeof *G);
    G->ref = -1;
    G->row = malloc((rows ? rows : 1) * sizeof *G->row);
    if (!G->row) return el_error_set(err, EL_ERR_NOMEM, "out of memory");
    el_field f = LENSES[l].field;
    int derive_eth = 0, derive_age = 0;
    if (l == EL_LENS_ETHNIC_GROUP && !el_dataset_has(d, f) && el_dataset_has(d, EL_F_ETHNIC_CATEGORY)) {
        f = EL_F_ETHNIC_CATEGORY;
        derive_eth = 1;
    }
    if (l == EL_LENS_AGE_BAND && !el_dataset_has(d, f) && el_dataset_has(d, EL_F_AGE)) {
        f = EL_F_AGE;
        derive_age = 1;
    }
    const int32_t *col = el_dataset_col(d, f);
    el_ftype t = el_field_get(f)->type;
    char key[64], label[96];
    int rank, unk;
    int unknown_idx = -1;
#define UNKNOWN_GROUP()                                                                         \
    do {                                                                                        \
        if (unknown_idx < 0) unknown_idx = add_group(G, &cap, "unknown", "Unknown", 100000, 1); \
    } while (0)
    if (derive_age) {
        /* map age → band through a small cache */
        int32_t cache[132];
        for (int a = 0; a < 132; a++) cache[a] = -2;
        for (size_t r = 0; r < rows; r++) {
            int32_t v = col[r];
            const char *b = (v != EL_NA && v >= 0 && v <= 130) ? el_age_band(v) : NULL;
            if (!b) {
                UNKNOWN_GROUP();
                if (unknown_idx < 0) goto oom;
                G->row[r] = unknown_idx;
                continue;
            }
            if (cache[v] == -2) {
                int gi = add_group(G, &cap, b, b, 1000, 0);
                if (gi < 0) goto oom;
                cache[v] = gi;
            }
            G->row[r] = cache[v];
        }
    } else if (t == EL_T_CODE || t == EL_T_TEXT) {
        size_t nd = el_dataset_dict_size(d, f);
        int32_t *map = malloc((nd + 1) * sizeof *map);
        if (!map) goto oom;
        for (size_t i = 0; i < nd; i++) map[i] = -2;
        for (size_t r = 0; r < rows; r++) {
            int32_t v = col[r];
            if (v == EL_NA || v < 0 || (size_t)v >= nd) {
                if (derive_eth) {
                    int gi = add_group(G, &cap, "Not known", "Not known", 6, 0);
                    if (gi < 0) { free(map); goto oom; }
                    G->row[r] = gi;
                    continue;
                }
                UNKNOWN_GROUP();
                if (unknown_idx < 0) { free(map); goto oom; }
                G->row[r] = unknown_idx;
                continue;
            }
            if (map[v] == -2) {
                const char *s = el_dataset_str(d, f, v);
                if (derive_eth) s = el_ethnic_group(s);
                if (!s || !*s) {
                    UNKNOWN_GROUP();
                    map[v] = unknown_idx;
                } else {
                    lens_value(l, s, key, sizeof key, label, sizeof label, &rank, &unk);
                    if (unk) {
                        UNKNOWN_GROUP();
                        map[v] = unknown_idx;
                    } else {
                        map[v] = add_group(G, &cap, key, label, rank, 0);
                    }
                }
                if (map[v] < 0) { free(map); goto oom; }
            }
            G->row[r] = map[v];
        }
        free(map);
    } else if (t == EL_T_INT && (l == EL_LENS_IMD_DECILE || l == EL_LENS_IMD_QUINTILE)) {
        int top = l == EL_LENS_IMD_DECILE ? 10 : 5;
        int idx[11];
        for (int k = 1; k <= top; k++) {
            snprintf(key, sizeof key, "%d", k);
            if (k == 1) snprintf(label, sizeof label, "%d (most deprived)", k);
            else if (k == top) snprintf(label, sizeof label, "%d (least deprived)", k);
            else snprintf(label, sizeof label, "%d", k);
            idx[k] = add_group(G, &cap, key, label, k, 0);
            if (idx[k] < 0) goto oom;
        }
        for (size_t r = 0; r < rows; r++) {
            int32_t v = col[r];
            if (v >= 1 && v <= top) G->row[r] = idx[v];
            else {
                UNKNOWN_GROUP();
                if (unknown_idx < 0) goto oom;
                G->row[r] = unknown_idx;
            }
        }
    } else if (t == EL_T_FLAG) {
        int y, n;
        if (l == EL_LENS_CORE20) {
            y = add_group(G, &cap, "Core20", "Core20 (IMD deciles 1-2)", 1, 0);
            n = add_group(G, &cap, "Rest", "Rest (IMD deciles 3-10)", 2, 0);
        } else {
            y = add_group(G, &cap, "Y", "Yes", 1, 0);
            n = add_group(G, &cap, "N", "No", 2, 0);
        }
        if (y < 0 || n < 0) goto oom;
        for (size_t r = 0; r < rows; r++) {
            int32_t v = col[r];
            if (v == 1) G->row[r] = y;
            else if (v == 0) G->row[r] = n;
            else {
                UNKNOWN_GROUP();
                if (unknown_idx < 0) goto oom;
                G->row[r] = unknown_idx;
            }
        }
    } else {
        for (size_t r = 0; r < rows; r++) {
            int32_t v = col[r];
            if (v == EL_NA) {
                UNKNOWN_GROUP();
                if (unknown_idx < 0) goto oom;
                G->row[r] = unknown_idx;
            } else {
                snprintf(key, sizeof key, "%d", (int)v);
                int gi = add_group(G, &cap, key, key, v, 0);
                if (gi < 0) goto oom;
                G->row[r] = gi;
            }
        }
    }
#undef UNKNOWN_GROUP
    /* sort the groups and renumber rows */
    size_t ng = G->ng;
    for (size_t i = 0; i < ng; i++) G->g[i].a = (int)i;  /* old index */
    if (ng) qsort(G->g, ng, sizeof *G->g, group_cmp);
    int32_t *remap = malloc((ng ? ng : 1) * sizeof *remap);
    if (!remap) goto oom;
    for (size_t i = 0; i < ng; i++) {
        remap[G->g[i].a] = (int32_t)i;
        G->g[i].a = (int)i;
        G->g[i].order = (int)i + 1;
    }
    for (size_t r = 0; r < rows; r++) G->row[r] = remap[G->row[r]];
    free(remap);
    for (size_t r = 0; r < rows; r++) G->g[G->row[r]].n++;
    /* reference */
    const char *want = refkey && *refkey ? refkey : LENSES[l].ref;
    if (want) {
        for (size_t i = 0; i < ng; i++)
            if (!G->g[i].unknown && !strcmp(G->g[i].key, want)) G->ref = (int)i;
    } else {
        int64_t best = -1;
        for (size_t i = 0; i < ng; i++)
            if (!G->g[i].unknown && G->g[i].n > best) { best = G->g[i].n; G->ref = (int)i; }
    }
    if (refkey && *refkey && G->ref < 0)
        return el_error_set(err, EL_ERR_INVALID, "--reference: lens %s has no group '%s'", LENSES[l].name, refkey);
    return EL_OK;
oom:
    return el_error_set(err, EL_ERR_NOMEM, "out of memory");
}

/* Build lens result (single or crossed) from groupings. row_out gets the
 * group index per row (caller frees). */
static el_status build_lens(const el_dataset *d, grouping *gs, el_lens_spec sp, el_an_lens *L, int32_t **row_out,
                            el_error *err)
{
    size_t rows = el_dataset_rows(d);
    memset(L, 0, sizeof *L);
    L->fields[0] = sp.a;
    L->fields[1] = sp.b;
    grouping *A = &gs[sp.a];
    int32_t *row = malloc((rows ? rows : 1) * sizeof *row);
    if (!row) return el_error_set(err, EL_ERR_NOMEM, "out of memory");
    if (sp.b < 0) {
        snprintf(L->id, sizeof L->id, "%s", LENSES[sp.a].name);
        snprintf(L->label, sizeof L->label, "%s", LENSES[sp.a].label);
        L->ordered = LENSES[sp.a].ordered;
        L->ngroups = A->ng;
        L->groups = malloc((A->ng ? A->ng : 1) * sizeof *L->groups);
        if (!L->groups) { free(row); return el_error_set(err, EL_ERR_NOMEM, "out of memory"); }
        if (A->ng) memcpy(L->groups, A->g, A->ng * sizeof *L->groups);
        for (size_t i = 0; i < A->ng; i++) { L->groups[i].a = (int)i; L->groups[i].b = -1; }
        memcpy(row, A->row, rows * sizeof *row);
        L->ref = A->ref;
    } else {
        grouping *B = &gs[sp.b];
        snprintf(L->id, sizeof L->id, "%s x %s", LENSES[sp.a].name, LENSES[sp.b].name);
        snprintf(L->label, sizeof L->label, "%s \xc3\x97 %s", LENSES[sp.a].label, LENSES[sp.b].label);
        L->ordered = 0;
        L->ngroups = A->ng * B->ng;
        L->groups = calloc(L->ngroups ? L->ngroups : 1, sizeof *L->groups);
        if (!L->groups) { free(row); return el_error_set(err, EL_ERR_NOMEM, "out of memory"); }
        for (size_t i = 0; i < A->ng; i++)
            for (size_t j = 0; j < B->ng; j++) {
                el_an_group *g = &L->groups[i * B->ng + j];
                snprintf(g->key, sizeof g->key, "%s|%s", A->g[i].key, B->g[j].key);
                snprintf(g->label, sizeof g->label, "%s, %s", A->g[i].label, B->g[j].label);
                g->order = (int)(i * B->ng + j) + 1;
                g->unknown = A->g[i].unknown || B->g[j].unknown;
                g->a = (int)i;
                g->b = (int)j;
            }
        for (size_t r = 0; r < rows; r++) row[r] = A->row[r] * (int32_t)B->ng + B->row[r];
        for (size_t r = 0; r < rows; r++) L->groups[row[r]].n++;
        L->ref = (A->ref >= 0 && B->ref >= 0) ? A->ref * (int)B->ng + B->ref : -1;
    }
    L->total = (int64_t)rows;
    for (size_t i = 0; i < L->ngroups; i++)
        L->groups[i].share = rows ? 100.0 * (double)L->groups[i].n / (double)rows : NAN;
    *row_out = row;
    return EL_OK;
}

/* -------------------------------------------------------- row outcomes */
/* Per-dictionary-index code classes of a field: result[idx] = f(str). */
static unsigned char *code_classes(const el_dataset *d, el_field f, int (*cls)(const char *, const void *),
                                   const void *ctx, size_t *n)
{
    *n = el_dataset_dict_size(d, f);
    unsigned char *c = calloc(*n + 1, 1);
    if (!c) return NULL;
    for (size_t i = 0; i < *n; i++) c[i] = (unsigned char)cls(el_dataset_str(d, f, (int32_t)i), ctx);
    return c;
}

enum { ATT_OTHER = 0, ATT_DNA, ATT_ATTENDED, ATT_PCANCEL, ATT_HCANCEL, ATT_BOOKED_OTHER };
static int att_class(const char *s, const void *ctx)
{
    const el_analysis_opts *o = ctx;
    if (!s) return ATT_OTHER;
    if (in_codes(o->dna_codes, s)) return ATT_DNA;
    if (in_codes(o->attended_codes, s)) return ATT_ATTENDED;
    if (!strcmp(s, "2")) return ATT_PCANCEL;
    if (!strcmp(s, "4")) return ATT_HCANCEL;
    if (!strcmp(s, "3") || !strcmp(s, "5") || !strcmp(s, "6") || !strcmp(s, "7")) return ATT_BOOKED_OTHER;
    return ATT_OTHER;
}
static int first_class(const char *s, const void *ctx)
{
    (void)ctx;
    if (!s) return 0;
    if (!strcmp(s, "1") || !strcmp(s, "3")) return 1;
    if (!strcmp(s, "2") || !strcmp(s, "4")) return 2;
    return 0;
}
static int medium_class(const char *s, const void *ctx)
{
    (void)ctx;
    if (!s) return 0;
    if (!strcmp(s, "01")) return 1;   /* face to face */
    if (!strcmp(s, "02") || !strcmp(s, "03") || !strcmp(s, "04") || !strcmp(s, "05") || !strcmp(s, "06"))
        return 2;                     /* virtual */
    return 0;
}
static int stage_class(const char *s, const void *ctx)
{
    (void)ctx;
    if (!s) return 0;
    if (!strcmp(s, "1") || !strcmp(s, "2")) return 1;
    if (!strcmp(s, "3") || !strcmp(s, "4")) return 2;
    return 0;
}


static el_status compute_outcome(const el_dataset *d, const el_analysis_opts *o, el_metric_id m, an_outcome *out,
                                 el_error *err)
{
    size_t rows = el_dataset_rows(d);
    out->y = malloc(rows ? rows : 1);
    out->w = NULL;
    if (!out->y) return el_error_set(err, EL_ERR_NOMEM, "out of memory");
    memset(out->y, -1, rows);
    switch (m) {
    case EL_M_WAIT: case EL_M_OVER18: case EL_M_OVER52: case EL_M_OVER65: case EL_M_OVER78: {
        const int32_t *st = el_dataset_col(d, EL_F_RTT_START_DATE);
        const int32_t *cd = el_dataset_col(d, EL_F_CENSUS_DATE);
        int weeks = m == EL_M_OVER18 ? 18 : m == EL_M_OVER52 ? 52 : m == EL_M_OVER65 ? 65 : 78;
        if (m == EL_M_WAIT) {
            out->w = malloc((rows ? rows : 1) * sizeof *out->w);
            if (!out->w) return el_error_set(err, EL_ERR_NOMEM, "out of memory");
        }
        for (size_t r = 0; r < rows; r++) {
            int32_t c = o->census_date != EL_NA ? o->census_date : cd[r];
            /* start after the census date, implausible dates: excluded and
             * counted in the notes (count_exclusions) */
            if (c == EL_NA || st[r] == EL_NA || c < st[r] || !el_interval_plausible(st[r], c)) {
                if (out->w) out->w[r] = NAN;
                continue;
            }
            int32_t days = c - st[r];
            if (out->w) { out->w[r] = (float)(days / 7.0); out->y[r] = 0; }
            else out->y[r] = days > 7 * weeks;
        }
        return EL_OK;
    }
    case EL_M_DNA: case EL_M_DNA_FIRST: case EL_M_DNA_FOLLOWUP:
    case EL_M_PATIENT_CANCEL: case EL_M_PROVIDER_CANCEL: case EL_M_VIRTUAL: {
        size_t na, nf = 0, nm = 0;
        unsigned char *att = code_classes(d, EL_F_ATTENDED_OR_DID_NOT_ATTEND, att_class, o, &na);
        unsigned char *fst = code_classes(d, EL_F_FIRST_ATTENDANCE, first_class, NULL, &nf);
        unsigned char *med = code_classes(d, EL_F_CONSULTATION_MEDIUM, medium_class, NULL, &nm);
        if (!att || !fst || !med) {
            free(att); free(fst); free(med);
            return el_error_set(err, EL_ERR_NOMEM, "out of memory");
        }
        const int32_t *ac = el_dataset_col(d, EL_F_ATTENDED_OR_DID_NOT_ATTEND);
        const int32_t *fc = el_dataset_col(d, EL_F_FIRST_ATTENDANCE);
        const int32_t *mc = el_dataset_col(d, EL_F_CONSULTATION_MEDIUM);
        for (size_t r = 0; r < rows; r++) {
            int a = (ac[r] >= 0 && (size_t)ac[r] < na) ? att[ac[r]] : ATT_OTHER;
            int f = (fc[r] >= 0 && (size_t)fc[r] < nf) ? fst[fc[r]] : 0;
            int md = (mc[r] >= 0 && (size_t)mc[r] < nm) ? med[mc[r]] : 0;
            signed char y = -1;
            switch (m) {
            case EL_M_DNA: case EL_M_DNA_FIRST: case EL_M_DNA_FOLLOWUP:
                if (m == EL_M_DNA_FIRST && f != 1) break;
                if (m == EL_M_DNA_FOLLOWUP && f != 2) break;
                if (a == ATT_DNA) y = 1;
                else if (a == ATT_ATTENDED) y = 0;
                break;
            case EL_M_PATIENT_CANCEL: case EL_M_PROVIDER_CANCEL:
                if (a == ATT_OTHER) break;
                y = (m == EL_M_PATIENT_CANCEL) ? a == ATT_PCANCEL : a == ATT_HCANCEL;
                break;
            default: /* virtual */
                if (a == ATT_ATTENDED && md) y = md == 2;
                break;
            }
            out->y[r] = y;
        }
        free(att); free(fst); free(med);
        return EL_OK;
    }
    case EL_M_FDS28: case EL_M_TREATED62: {
        const int32_t *rd = el_dataset_col(d, EL_F_REFERRAL_DATE);
        const int32_t *ed = el_dataset_col(d, m == EL_M_FDS28 ? EL_F_DIAGNOSIS_COMMUNICATED_DATE
                                                             : EL_F_FIRST_TREATMENT_DATE);
        int lim = m == EL_M_FDS28 ? 28 : 62;
        for (size_t r = 0; r < rows; r++)
            if (rd[r] != EL_NA && ed[r] != EL_NA && ed[r] >= rd[r] && el_interval_plausible(rd[r], ed[r]))
                out->y[r] = ed[r] - rd[r] <= lim;
        return EL_OK;
    }
    case EL_M_EARLY_STAGE: {
        size_t ns;
        unsigned char *sc = code_classes(d, EL_F_STAGE, stage_class, NULL, &ns);
        if (!sc) return el_error_set(err, EL_ERR_NOMEM, "out of memory");
        const int32_t *c = el_dataset_col(d, EL_F_STAGE);
        for (size_t r = 0; r < rows; r++) {
            int k = (c[r] >= 0 && (size_t)c[r] < ns) ? sc[c[r]] : 0;
            if (k) out->y[r] = k == 1;
        }
        free(sc);
        return EL_OK;
    }
    default:
        return el_error_set(err, EL_ERR_INVALID, "unknown metric");
    }
}

/* -------------------------------------------------------- accumulation */
typedef struct {
    size_t ng, ns;
    double *n, *x, *s, *ss;       /* per group */
    double *sn, *sx, *ssum, *sss; /* per group × stratum */
    double *wn;                   /* per stratum (all groups) */
    double *cy2, *cym, *cm2, *C;  /* per group: patient-cluster sums Σy², Σy·m, Σm², clusters */
    double *deff;                 /* per group design effect (>= 1) */
    float **vals;                 /* per group values (continuous) */
    size_t *nv, *capv;
} accum;

static void accum_free(accum *A)
{
    free(A->n); free(A->x); free(A->s); free(A->ss);
    free(A->sn); free(A->sx); free(A->ssum); free(A->sss); free(A->wn);
    free(A->cy2); free(A->cym); free(A->cm2); free(A->C); free(A->deff);
    if (A->vals) for (size_t g = 0; g <= A->ng; g++) free(A->vals[g]);
    free(A->vals); free(A->nv); free(A->capv);
    memset(A, 0, sizeof *A);
}

static int accum_init(accum *A, size_t ng, size_t ns, int cont)
{
    memset(A, 0, sizeof *A);
    A->ng = ng;
    A->ns = ns;
    size_t gs = (ng ? ng : 1) * (ns ? ns : 1);
    A->n = calloc(ng + 1, sizeof(double)); A->x = calloc(ng + 1, sizeof(double));
    A->s = calloc(ng + 1, sizeof(double)); A->ss = calloc(ng + 1, sizeof(double));
    A->sn = calloc(gs, sizeof(double)); A->sx = calloc(gs, sizeof(double));
    A->ssum = calloc(gs, sizeof(double)); A->sss = calloc(gs, sizeof(double));
    A->wn = calloc(ns + 1, sizeof(double));
    A->cy2 = calloc(ng + 1, sizeof(double)); A->cym = calloc(ng + 1, sizeof(double));
    A->cm2 = calloc(ng + 1, sizeof(double)); A->C = calloc(ng + 1, sizeof(double));
    A->deff = calloc(ng + 1, sizeof(double));
    if (!A->cy2 || !A->cym || !A->cm2 || !A->C || !A->deff) return -1;
    for (size_t g = 0; g <= ng; g++) A->deff[g] = 1.0;
    if (!A->n || !A->x || !A->s || !A->ss || !A->sn || !A->sx || !A->ssum || !A->sss || !A->wn) return -1;
    if (cont) {
        A->vals = calloc(ng + 1, sizeof *A->vals);
        A->nv = calloc(ng + 1, sizeof *A->nv);
        A->capv = calloc(ng + 1, sizeof *A->capv);
        if (!A->vals || !A->nv || !A->capv) return -1;
    }
    return 0;
}

static int fcmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* ----------------------------------------------------------- the run */
typedef struct {
    const el_dataset *d;
    const el_analysis_opts *o;
    el_analysis *a;
    int32_t *stratum;             /* per row, adjustment stratum */
    size_t nstrata;
    const int32_t *patient;       /* patient_id per row (dictionary index), NULL = none */
    size_t npatients;
} runctx;

static el_status push_result(el_analysis *a, el_an_result **out, el_error *err)
{
    el_an_result *n = realloc(a->results, (a->nresults + 1) * sizeof *n);
    if (!n) return el_error_set(err, EL_ERR_NOMEM, "out of memory");
    a->results = n;
    *out = &n[a->nresults++];
    memset(*out, 0, sizeof **out);
    return EL_OK;
}

static void value_of(const accum *A, size_t g, int cont, double conf, el_an_value *v, double *buf)
{
    memset(v, 0, sizeof *v);
    v->n = (int64_t)A->n[g];
    v->x = (int64_t)A->x[g];
    v->value = v->mean = v->median = v->p92 = an_iv_na();
    v->deff = A->deff[g];
    if (!cont) {
        v->value = an_wilson_pct(A->x[g] / A->deff[g], A->n[g] / A->deff[g], conf);
        v->value.value = A->n[g] > 0 ? 100.0 * A->x[g] / A->n[g] : NAN;
        return;
    }
    size_t n = A->nv[g];
    v->x = 0;
    if (n == 0) return;
    for (size_t i = 0; i < n; i++) buf[i] = A->vals[g][i];
    qsort(buf, n, sizeof *buf, fcmp);
    v->median = an_quantile_ci(buf, n, 0.5, conf);
    v->p92 = an_quantile_ci(buf, n, 0.92, conf);
    double mean = A->s[g] / A->n[g];
    if (n >= 2) {
        double var = (A->ss[g] - A->n[g] * mean * mean) / (A->n[g] - 1);
        el_estimate e;
        if (el_mean_ci(mean, sqrt(var > 0 ? var : 0), A->n[g], conf, &e, NULL) == EL_OK)
            v->mean = an_iv(e.value, e.lower, e.upper, "t");
    } else {
        v->mean = an_iv(mean, NAN, NAN, "t");
    }
    v->value = v->median;
}

static el_status compute_one(runctx *R, el_metric_id m, size_t li, const int32_t *row_group, const an_outcome *oc,
                             const int32_t *filter, int32_t fval, const char *sfield, const char *sval,
                             el_error *err)
{
    el_analysis *a = R->a;
    const el_analysis_opts *o = R->o;
    el_an_lens *L = &a->lenses[li];
    size_t ng = L->ngroups, rows = el_dataset_rows(R->d);
    int cont = METRICS[m].continuous;
    size_t ns = R->nstrata;
    accum A;
    if (accum_init(&A, ng, ns, cont)) { accum_free(&A); return el_error_set(err, EL_ERR_NOMEM, "out of memory"); }
    for (size_t r = 0; r < rows; r++) {
        if (oc->y[r] < 0) continue;
        if (filter && filter[r] != fval) continue;
        size_t g = (size_t)row_group[r];
        size_t s = R->stratum ? (size_t)R->stratum[r] : 0;
        double y = oc->y[r];
        A.n[g] += 1; A.n[ng] += 1;
        size_t k = g * ns + s;
        A.sn[k] += 1;
        A.wn[s] += 1;
        if (cont) {
            double w = oc->w[r];
            A.s[g] += w; A.ss[g] += w * w;
            A.s[ng] += w; A.ss[ng] += w * w;
            A.ssum[k] += w; A.sss[k] += w * w;
            for (size_t gg = 0; gg < 2; gg++) {
                size_t G = gg ? ng : g;
                if (A.nv[G] == A.capv[G]) {
                    size_t nc = A.capv[G] ? A.capv[G] * 2 : 64;
                    float *nv = realloc(A.vals[G], nc * sizeof *nv);
                    if (!nv) { accum_free(&A); return el_error_set(err, EL_ERR_NOMEM, "out of memory"); }
                    A.vals[G] = nv; A.capv[G] = nc;
                }
                A.vals[G][A.nv[G]++] = (float)w;
            }
        } else {
            A.x[g] += y; A.x[ng] += y;
            A.sx[k] += y;
        }
    }
    /* design effects of clustering by patient (proportions): patients with
     * several eligible rows in a group are one cluster */
    if (!cont && R->patient && R->npatients) {
        double *py = calloc(R->npatients, sizeof *py), *pm = calloc(R->npatients, sizeof *pm);
        int32_t *pg = malloc(R->npatients * sizeof *pg);
        if (!py || !pm || !pg) {
            free(py); free(pm); free(pg); accum_free(&A);
            return el_error_set(err, EL_ERR_NOMEM, "out of memory");
        }
        for (size_t i = 0; i < R->npatients; i++) pg[i] = -1;
        for (size_t r = 0; r < rows; r++) {
            if (oc->y[r] < 0 || (filter && filter[r] != fval)) continue;
            int32_t pt = R->patient[r], g = row_group[r];
            double y = oc->y[r];
            if (pt < 0 || (size_t)pt >= R->npatients || (pg[pt] >= 0 && pg[pt] != g)) {
                /* no id, or the patient's row falls in another group: own cluster */
                A.cy2[g] += y * y; A.cym[g] += y; A.cm2[g] += 1; A.C[g] += 1;
                continue;
            }
            pg[pt] = g;
            py[pt] += y;
            pm[pt] += 1;
        }
        for (size_t i = 0; i < R->npatients; i++) {
            if (pg[i] < 0) continue;
            size_t g = (size_t)pg[i];
            A.cy2[g] += py[i] * py[i]; A.cym[g] += py[i] * pm[i]; A.cm2[g] += pm[i] * pm[i]; A.C[g] += 1;
        }
        free(py); free(pm); free(pg);
        for (size_t g = 0; g < ng; g++) {
            A.cy2[ng] += A.cy2[g]; A.cym[ng] += A.cym[g]; A.cm2[ng] += A.cm2[g]; A.C[ng] += A.C[g];
        }
        for (size_t g = 0; g <= ng; g++) {
            double n = A.n[g], p = n > 0 ? A.x[g] / n : 0, Cg = A.C[g];
            if (!(Cg >= 2) || Cg >= n || !(p > 0 && p < 1)) continue;
            double ss = A.cy2[g] - 2 * p * A.cym[g] + p * p * A.cm2[g];
            double vr = Cg / (Cg - 1) * ss / (n * n), vb = p * (1 - p) / n;
            double de = vr / vb;
            A.deff[g] = de > 1 ? de : 1;
        }
    }
    el_an_result *res = NULL;
    el_status st = push_result(a, &res, err);
    if (st) { accum_free(&A); return st; }
    res->metric = m;
    res->lens = li;
    snprintf(res->stratum_field, sizeof res->stratum_field, "%s", sfield ? sfield : "");
    snprintf(res->stratum_value, sizeof res->stratum_value, "%s", sval ? sval : "");
    res->groups = calloc(ng ? ng : 1, sizeof *res->groups);
    res->gaps = calloc(ng ? ng : 1, sizeof *res->gaps);
    double *buf = cont ? malloc((A.nv[ng] + 1) * sizeof *buf) : NULL;
    if (!res->groups || !res->gaps || (cont && !buf)) {
        free(buf); accum_free(&A);
        return el_error_set(err, EL_ERR_NOMEM, "out of memory");
    }
    double conf = o->confidence;
    value_of(&A, ng, cont, conf, &res->overall, buf);
    for (size_t g = 0; g < ng; g++) value_of(&A, g, cont, conf, &res->groups[g], buf);
    free(buf);
    /* gaps */
    int ref = L->ref;
    if (ref >= 0 && A.n[ref] > 0) {
        size_t rf = (size_t)ref;
        double mr = cont ? A.s[rf] / A.n[rf] : 0;
        double vr = cont && A.n[rf] >= 2 ? (A.ss[rf] - A.n[rf] * mr * mr) / (A.n[rf] - 1) : NAN;
        double *x1 = malloc((ns + 1) * 6 * sizeof *x1);
        if (!x1) { accum_free(&A); return el_error_set(err, EL_ERR_NOMEM, "out of memory"); }
        double *n1 = x1 + ns + 1, *x0 = n1 + ns + 1, *n0 = x0 + ns + 1, *ss1 = n0 + ns + 1, *ss0 = ss1 + ns + 1;
        for (size_t g = 0; g < ng; g++) {
            if ((int)g == ref || L->groups[g].unknown || A.n[g] == 0) continue;
            el_an_gap *gp = &res->gaps[res->ngaps++];
            memset(gp, 0, sizeof *gp);
            gp->group = (int)g;
            gp->adj_diff = gp->adj_ratio = an_iv_na();
            if (cont) {
                double mg = A.s[g] / A.n[g];
                double vg = A.n[g] >= 2 ? (A.ss[g] - A.n[g] * mg * mg) / (A.n[g] - 1) : NAN;
                gp->diff = an_welch(mg, vg, A.n[g], mr, vr, A.n[rf], conf, &gp->p_value);
                gp->ratio = an_ratio_means(mg, vg, A.n[g], mr, vr, A.n[rf], conf);
            } else {
                double dg = A.deff[g], dr = A.deff[rf];
                gp->diff = an_newcombe(A.x[g] / dg, A.n[g] / dg, A.x[rf] / dr, A.n[rf] / dr, conf);
                gp->ratio = an_katz(A.x[g] / dg, A.n[g] / dg, A.x[rf] / dr, A.n[rf] / dr, conf);
                gp->p_value = an_two_prop_p(A.x[g] / dg, A.n[g] / dg, A.x[rf] / dr, A.n[rf] / dr);
                /* point estimates from the counts themselves */
                gp->diff.value = 100.0 * (A.x[g] / A.n[g] - A.x[rf] / A.n[rf]);
                if (A.x[rf] > 0 && A.x[g] > 0) gp->ratio.value = (A.x[g] / A.n[g]) / (A.x[rf] / A.n[rf]);
            }
            gp->significant = isfinite(gp->diff.lower) && (gp->diff.lower > 0 || gp->diff.upper < 0);
            if (o->adjust && R->stratum && ns > 1) {
                for (size_t s = 0; s < ns; s++) {
                    n1[s] = A.sn[g * ns + s]; n0[s] = A.sn[rf * ns + s];
                    if (cont) {
                        x1[s] = A.ssum[g * ns + s]; x0[s] = A.ssum[rf * ns + s];
                        ss1[s] = A.sss[g * ns + s]; ss0[s] = A.sss[rf * ns + s];
                    } else {
                        /* effective counts: the group's design effect (1 without clustering) */
                        double dg = A.deff[g], dr = A.deff[rf];
                        x1[s] = A.sx[g * ns + s] / dg; x0[s] = A.sx[rf * ns + s] / dr;
                        n1[s] /= dg; n0[s] /= dr;
                    }
                }
                if (cont) {
                    double mg = A.s[g] / A.n[g];
                    double vg = A.n[g] >= 2 ? (A.ss[g] - A.n[g] * mg * mg) / (A.n[g] - 1) : 0;
                    an_direct_std(x1, ss1, n1, x0, ss0, n0, A.wn, ns, conf, vg, isfinite(vr) ? vr : 0,
                                  &gp->adj_diff, &gp->adj_ratio, &gp->strata_used);
                } else {
                    an_mantel_haenszel(x1, n1, x0, n0, ns, conf, &gp->adj_diff, &gp->adj_ratio, &gp->strata_used);
                }
                gp->has_adjusted = 1;
                gp->adj_significant = isfinite(gp->adj_diff.lower) &&
                                      (gp->adj_diff.lower > 0 || gp->adj_diff.upper < 0);
            }
        }
        free(x1);
    }
    /* summary measures (single lenses only) */
    if (L->fields[1] < 0) {
        double *est = malloc(ng * 3 * sizeof *est + 1);
        int *ord = malloc(ng * sizeof *ord + 1);
        if (est && ord) {
            double *se = est + ng, *pop = se + ng;
            double z = el_z_for_confidence(conf);
            for (size_t g = 0; g < ng; g++) {
                el_interval v = cont ? res->groups[g].mean : res->groups[g].value;
                est[g] = L->groups[g].unknown ? NAN : v.value;
                se[g] = isfinite(v.upper) && isfinite(v.lower) ? (v.upper - v.lower) / (2 * z) : NAN;
                pop[g] = (double)res->groups[g].n;
                ord[g] = L->groups[g].order;
            }
            an_inequality(est, se, pop, ord, ng, ref, L->ordered, METRICS[m].better_high, conf, o->seed, o->reps,
                          res->ineq, &res->nineq);
        }
        free(est);
        free(ord);
    }
    /* excess events (adverse proportions) */
    res->excess = an_iv_na();
    res->cost = res->cost_lower = res->cost_upper = NAN;
    if (!cont && !METRICS[m].better_high && ref >= 0 && A.n[ref] > 0) {
        size_t rf = (size_t)ref;
        double pr = A.x[rf] / A.n[rf], E = 0, V = 0, N = 0;
        for (size_t g = 0; g < ng; g++) {
            if ((int)g == ref || A.n[g] == 0) continue;
            double pg = A.x[g] / A.n[g];
            E += A.x[g] - A.n[g] * pr;
            V += A.deff[g] * A.n[g] * pg * (1 - pg);
            N += A.n[g];
        }
        V += A.deff[rf] * N * N * pr * (1 - pr) / A.n[rf];
        double z = el_z_for_confidence(conf), se = sqrt(V);
        res->has_excess = 1;
        res->excess = an_iv(E, E - z * se, E + z * se, "normal");
        if (m == EL_M_DNA || m == EL_M_DNA_FIRST || m == EL_M_DNA_FOLLOWUP) {
            res->cost = E * o->cost_per_dna;
            res->cost_lower = (E - z * se) * o->cost_per_dna;
            res->cost_upper = (E + z * se) * o->cost_per_dna;
        }
    }
    accum_free(&A);
    return EL_OK;
}

static int dataset_supports(const el_dataset *d, el_metric_id m)
{
    if (METRICS[m].kind != el_dataset_kind(d)) return 0;
    switch (m) {
    case EL_M_DNA_FIRST: case EL_M_DNA_FOLLOWUP: return el_dataset_has(d, EL_F_FIRST_ATTENDANCE);
    case EL_M_VIRTUAL: return el_dataset_has(d, EL_F_CONSULTATION_MEDIUM);
    case EL_M_FDS28: return el_dataset_has(d, EL_F_DIAGNOSIS_COMMUNICATED_DATE);
    case EL_M_TREATED62: return el_dataset_has(d, EL_F_FIRST_TREATMENT_DATE);
    case EL_M_EARLY_STAGE: return el_dataset_has(d, EL_F_STAGE);
    default: return 1;
    }
}

static int lens_supported(const el_dataset *d, el_lens_id l)
{
    el_field f = LENSES[l].field;
    if (el_dataset_has(d, f)) return 1;
    if (l == EL_LENS_ETHNIC_GROUP) return el_dataset_has(d, EL_F_ETHNIC_CATEGORY);
    if (l == EL_LENS_AGE_BAND) return el_dataset_has(d, EL_F_AGE);
    return 0;
}

void an_add_note(el_analysis *a, const char *s)
{
    if (a->nnotes < sizeof a->notes / sizeof a->notes[0])
        snprintf(a->notes[a->nnotes++], sizeof a->notes[0], "%s", s);
}

static void add_exclusion(el_analysis *a, int64_t n, const char *what)
{
    if (n <= 0 || a->nexclusions >= sizeof a->exclusions / sizeof a->exclusions[0]) return;
    el_an_exclusion *e = &a->exclusions[a->nexclusions++];
    e->n = n;
    e->st = EL_DC_SHOWN;
    snprintf(e->what, sizeof e->what, "%s", what);
}

static int metric_wanted(const el_dataset *d, const el_analysis_opts *o, el_metric_id m)
{
    return (!o->metrics || (o->metrics & (1u << m))) && dataset_supports(d, m);
}

/* Rows that compute_outcome leaves out of an interval metric for their
 * dates (not for a missing date): counted for the notes, so a change of
 * denominator is visible. Waiting list: the cross-section (only_census, or
 * every row when EL_NA). Plausibility window: quality.h. */
static void count_exclusions(const el_dataset *d, const el_analysis_opts *o, el_analysis *a, int32_t only_census)
{
    size_t rows = el_dataset_rows(d);
    int wait = 0;
    for (int m = EL_M_WAIT; m <= EL_M_OVER78; m++) wait |= metric_wanted(d, o, (el_metric_id)m);
    if (wait) {
        const int32_t *st = el_dataset_col(d, EL_F_RTT_START_DATE), *cd = el_dataset_col(d, EL_F_CENSUS_DATE);
        int64_t after = 0, implausible = 0;
        for (size_t r = 0; r < rows; r++) {
            if (only_census != EL_NA && cd[r] != only_census) continue;
            int32_t c = o->census_date != EL_NA ? o->census_date : cd[r];
            if (c == EL_NA || st[r] == EL_NA) continue;
            if (st[r] > c) after++;
            else if (!el_interval_plausible(st[r], c)) implausible++;
        }
        add_exclusion(a, after, "rows with RTT start after the census date excluded from wait metrics");
        add_exclusion(a, implausible, "rows with an implausible RTT start or census date (before 1900, after 2099, "
                                      "or a wait over 10 years) excluded from wait metrics");
    }
    static const struct { el_metric_id m; el_field f; const char *label; } cancer[] = {
        {EL_M_FDS28, EL_F_DIAGNOSIS_COMMUNICATED_DATE, "diagnosis communicated"},
        {EL_M_TREATED62, EL_F_FIRST_TREATMENT_DATE, "first treatment"}};
    for (size_t k = 0; k < sizeof cancer / sizeof cancer[0]; k++) {
        if (!metric_wanted(d, o, cancer[k].m)) continue;
        const int32_t *rd = el_dataset_col(d, EL_F_REFERRAL_DATE), *ed = el_dataset_col(d, cancer[k].f);
        int64_t before = 0, implausible = 0;
        for (size_t r = 0; r < rows; r++) {
            if (rd[r] == EL_NA || ed[r] == EL_NA) continue;
            if (ed[r] < rd[r]) before++;
            else if (!el_interval_plausible(rd[r], ed[r])) implausible++;
        }
        const char *mn = METRICS[cancer[k].m].name;
        char what[200];
        snprintf(what, sizeof what, "pathways with the %s date before the referral date excluded from %s",
                 cancer[k].label, mn);
        add_exclusion(a, before, what);
        snprintf(what, sizeof what, "pathways with an implausible referral or %s date (before 1900, after 2099, "
                 "or over 10 years apart) excluded from %s", cancer[k].label, mn);
        add_exclusion(a, implausible, what);
    }
}

/* strata for adjustment: treatment function × clinical priority (cancer:
 * cancer site). Dense ids from the dictionary indices (+1, 0 = missing). */
static el_status build_strata(runctx *R, el_error *err)
{
    const el_dataset *d = R->d;
    size_t rows = el_dataset_rows(d);
    el_field f1 = el_dataset_kind(d) == EL_KIND_CANCER_PATHWAYS ? EL_F_CANCER_SITE : EL_F_TREATMENT_FUNCTION_CODE;
    el_field f2 = EL_F_CLINICAL_PRIORITY;
    int h1 = el_dataset_has(d, f1), h2 = el_dataset_has(d, f2);
    if (!h1 && !h2) { R->stratum = NULL; R->nstrata = 1; return EL_OK; }
    size_t n1 = h1 ? el_dataset_dict_size(d, f1) + 1 : 1, n2 = h2 ? el_dataset_dict_size(d, f2) + 1 : 1;
    R->nstrata = n1 * n2;
    R->stratum = malloc((rows ? rows : 1) * sizeof *R->stratum);
    if (!R->stratum) return el_error_set(err, EL_ERR_NOMEM, "out of memory");
    const int32_t *c1 = el_dataset_col(d, f1), *c2 = el_dataset_col(d, f2);
    for (size_t r = 0; r < rows; r++) {
        size_t a = h1 && c1[r] >= 0 ? (size_t)c1[r] + 1 : 0;
        size_t b = h2 && c2[r] >= 0 ? (size_t)c2[r] + 1 : 0;
        R->stratum[r] = (int32_t)(a * n2 + b);
    }
    return EL_OK;
}

el_status el_analysis_run(const el_dataset *d, const el_refdata *ref, const el_analysis_opts *o_in,
                          el_analysis **out, el_error *err)
{
    *out = NULL;
    el_analysis_opts defaults;
    if (!o_in) { el_analysis_opts_default(&defaults); o_in = &defaults; }
    const el_analysis_opts *o = o_in;
    double lvl;
    if (el_confidence_level(o->confidence, &lvl, err) != EL_OK) return EL_ERR_INVALID;
    el_analysis *a = calloc(1, sizeof *a);
    if (!a) return el_error_set(err, EL_ERR_NOMEM, "out of memory");
    a->kind = el_dataset_kind(d);
    a->rows = el_dataset_rows(d);
    a->opts = *o;
    a->opts.n_catchment_las = o->n_catchment_las;
    for (size_t i = 0; i < 64; i++) a->opts.catchment_las[i] = NULL;
    a->census_date = o->census_date;
    a->period_from = a->period_to = EL_NA;
    el_status st = EL_OK;
    grouping gs[EL_LENS__COUNT];
    memset(gs, 0, sizeof gs);
    int32_t **rowmaps = NULL;
    an_outcome oc[EL_M__COUNT], oct[EL_M__COUNT], octr = {NULL, NULL};
    memset(oc, 0, sizeof oc);
    runctx R = {d, o, a, NULL, 1, NULL, 0};
    if (el_dataset_has(d, EL_F_PATIENT_ID)) {
        R.patient = el_dataset_col(d, EL_F_PATIENT_ID);
        R.npatients = el_dataset_dict_size(d, EL_F_PATIENT_ID);
    }

    /* lenses to use */
    el_lens_spec specs[EL_AN_MAX_LENSES];
    size_t nspec = 0;
    if (o->n_lenses == 0) {
        for (int l = 0; l < EL_LENS__COUNT; l++)
            if (lens_supported(d, (el_lens_id)l)) specs[nspec++] = (el_lens_spec){l, -1};
    } else {
        for (size_t i = 0; i < o->n_lenses; i++) {
            el_lens_spec sp = o->lenses[i];
            if (!lens_supported(d, (el_lens_id)sp.a) || (sp.b >= 0 && !lens_supported(d, (el_lens_id)sp.b))) {
                char msg[200];
                snprintf(msg, sizeof msg, "lens %s%s%s skipped: the dataset has no such column",
                         LENSES[sp.a].name, sp.b >= 0 ? " x " : "", sp.b >= 0 ? LENSES[sp.b].name : "");
                an_add_note(a, msg);
                continue;
            }
            specs[nspec++] = sp;
        }
    }
    int need[EL_LENS__COUNT] = {0};
    for (size_t i = 0; i < nspec; i++) {
        need[specs[i].a] = 1;
        if (specs[i].b >= 0) need[specs[i].b] = 1;
    }
    for (int l = 0; l < EL_LENS__COUNT; l++)
        if (need[l] && (st = build_grouping(d, (el_lens_id)l, o->reference[l], &gs[l], err)) != EL_OK) goto fail;
    a->lenses = calloc(nspec ? nspec : 1, sizeof *a->lenses);
    rowmaps = calloc(nspec ? nspec : 1, sizeof *rowmaps);
    if (!a->lenses || !rowmaps) { st = el_error_set(err, EL_ERR_NOMEM, "out of memory"); goto fail; }
    for (size_t i = 0; i < nspec; i++) {
        if ((st = build_lens(d, gs, specs[i], &a->lenses[i], &rowmaps[i], err)) != EL_OK) goto fail;
        a->nlenses++;
    }
    for (int l = 0; l < EL_LENS__COUNT; l++)
        if (need[l] && gs[l].ref < 0) {
            char msg[200];
            snprintf(msg, sizeof msg, "lens %s: no reference group in the data; gaps not computed", LENSES[l].name);
            an_add_note(a, msg);
        }

    if ((st = build_strata(&R, err)) != EL_OK) goto fail;
    if (a->kind == EL_KIND_WAITING_LIST && o->census_date == EL_NA && !el_dataset_has(d, EL_F_CENSUS_DATE)) {
        st = el_error_set(err, EL_ERR_INVALID, "waiting list: no census_date column; give --census-date");
        goto fail;
    }
    /* priority filter for waiting-list metrics within priority */
    int by_pr = a->kind == EL_KIND_WAITING_LIST && o->by_priority && el_dataset_has(d, EL_F_CLINICAL_PRIORITY);
    const int32_t *prio = el_dataset_col(d, EL_F_CLINICAL_PRIORITY);
    size_t nprio = by_pr ? el_dataset_dict_size(d, EL_F_CLINICAL_PRIORITY) : 0;
    /* priorities in sorted order */
    int32_t porder[64];
    size_t np = 0;
    for (size_t i = 0; i < nprio && np < 64; i++) porder[np++] = (int32_t)i;
    for (size_t i = 1; i < np; i++)
        for (size_t j = i; j > 0 && strcmp(el_dataset_str(d, EL_F_CLINICAL_PRIORITY, porder[j - 1]),
                                           el_dataset_str(d, EL_F_CLINICAL_PRIORITY, porder[j])) > 0; j--) {
            int32_t t = porder[j]; porder[j] = porder[j - 1]; porder[j - 1] = t;
        }

    /* several census dates (snapshots analysed together): the cross-sectional
     * results use the latest snapshot; trends use them all */
    int multi_census = 0;
    int32_t latest = EL_NA;
    if (a->kind == EL_KIND_WAITING_LIST && o->census_date == EL_NA) {
        const int32_t *cd = el_dataset_col(d, EL_F_CENSUS_DATE);
        int32_t first = EL_NA;
        for (size_t r = 0; r < a->rows; r++) {
            if (cd[r] == EL_NA) continue;
            if (first == EL_NA) first = cd[r];
            else if (cd[r] != first) multi_census = 1;
            if (latest == EL_NA || cd[r] > latest) latest = cd[r];
        }
        a->census_date = latest;
        if (multi_census) {
            char msg[200], b[16];
            el_format_date(latest, b);
            snprintf(msg, sizeof msg, "several census dates: results are for the latest (%s); trends use every census date", b);
            an_add_note(a, msg);
        }
    }
    count_exclusions(d, o, a, multi_census ? latest : EL_NA);
    for (int m = 0; m < EL_M__COUNT; m++) {
        if (o->metrics && !(o->metrics & (1u << m))) continue;
        if (!dataset_supports(d, (el_metric_id)m)) continue;
        if ((st = compute_outcome(d, o, (el_metric_id)m, &oc[m], err)) != EL_OK) goto fail;
        if (multi_census) {
            const int32_t *cd = el_dataset_col(d, EL_F_CENSUS_DATE);
            if (m == EL_M_OVER18) {
                octr.y = malloc(a->rows ? a->rows : 1);
                if (!octr.y) { st = el_error_set(err, EL_ERR_NOMEM, "out of memory"); goto fail; }
                memcpy(octr.y, oc[m].y, a->rows);
            }
            for (size_t r = 0; r < a->rows; r++)
                if (cd[r] != latest) {
                    oc[m].y[r] = -1;
                    if (oc[m].w) oc[m].w[r] = NAN;
                }
        }
        for (size_t li = 0; li < a->nlenses; li++) {
            st = compute_one(&R, (el_metric_id)m, li, rowmaps[li], &oc[m], NULL, 0, NULL, NULL, err);
            if (st) goto fail;
            if (by_pr && a->lenses[li].fields[1] < 0)
                for (size_t k = 0; k < np; k++) {
                    st = compute_one(&R, (el_metric_id)m, li, rowmaps[li], &oc[m], prio, porder[k],
                                     "clinical_priority", el_dataset_str(d, EL_F_CLINICAL_PRIORITY, porder[k]), err);
                    if (st) goto fail;
                }
        }
    }
    if (a->nresults == 0) an_add_note(a, "no metric applies to this dataset (check its kind and columns)");

    {
        memcpy(oct, oc, sizeof oct);
        if (octr.y) oct[EL_M_OVER18] = octr;   /* trends: every census date */
        an_extras_ctx X = {d, ref, o, a, rowmaps, oct};
        if ((st = an_extras(&X, err)) != EL_OK) goto fail;
    }
    st = EL_OK;
fail:
    for (int l = 0; l < EL_LENS__COUNT; l++) grouping_free(&gs[l]);
    if (rowmaps) for (size_t i = 0; i < nspec; i++) free(rowmaps[i]);
    free(rowmaps);
    for (int m = 0; m < EL_M__COUNT; m++) { free(oc[m].y); free(oc[m].w); }
    free(octr.y);
    free(R.stratum);
    if (st != EL_OK) { el_analysis_free(a); return st; }
    *out = a;
    return EL_OK;
}

void el_analysis_free(el_analysis *a)
{
    if (!a) return;
    for (size_t i = 0; i < a->nlenses; i++) free(a->lenses[i].groups);
    free(a->lenses);
    for (size_t i = 0; i < a->nresults; i++) { free(a->results[i].groups); free(a->results[i].gaps); }
    free(a->results);
    if (a->missing)
        for (size_t i = 0; i < a->missing->ntables; i++) free(a->missing->tables[i].groups);
    free(a->missing);
    if (a->longest) {
        for (size_t i = 0; i < a->longest->ntables; i++) free(a->longest->tables[i].groups);
        free(a->longest->tables);
    }
    free(a->longest);
    for (size_t i = 0; i < a->ntrends; i++) {
        for (size_t j = 0; j < a->trends[i].nseries; j++) free(a->trends[i].series[j].points);
        free(a->trends[i].series);
    }
    free(a->trends);
    free(a);
}

size_t el_analysis_top_gaps(const el_analysis *a, size_t k, size_t *ri, size_t *gi)
{
    size_t n = 0;
    double best[16];
    if (k > 16) k = 16;
    for (size_t r = 0; r < a->nresults; r++) {
        const el_an_result *res = &a->results[r];
        if (res->stratum_field[0]) continue;  /* overall results only */
        for (size_t g = 0; g < res->ngaps; g++) {
            const el_an_gap *gp = &res->gaps[g];
            if (!gp->significant || gp->st != EL_DC_SHOWN || !isfinite(gp->ratio.value) || gp->ratio.value <= 0 ||
                !(gp->ratio.lower > 0) || !isfinite(gp->ratio.upper))
                continue;
            /* the conservative size of the gap: the ratio limit nearest 1, so
             * a precise large gap ranks above a wide one from a small group */
            double sc = gp->ratio.value >= 1 ? log(gp->ratio.lower) : -log(gp->ratio.upper);
            if (!(sc > 0)) sc = 0;
            size_t pos = n;
            while (pos > 0 && best[pos - 1] < sc) pos--;
            if (pos >= k) continue;
            size_t end = n < k ? n : k - 1;
            for (size_t j = end; j > pos; j--) { best[j] = best[j - 1]; ri[j] = ri[j - 1]; gi[j] = gi[j - 1]; }
            best[pos] = sc; ri[pos] = r; gi[pos] = g;
            if (n < k) n++;
        }
    }
    return n;
}
