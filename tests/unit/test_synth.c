/* test_synth.c — unit tests for the synthetic extract generator. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <cmocka.h>
#include "equitylens/synth.h"
#include "equitylens/csv.h"

#define NAREA 200
static el_synth_area areas[NAREA];
static char codes[NAREA][12];

static int setup(void **st)
{
    (void)st;
    for (int i = 0; i < NAREA; i++) {
        snprintf(codes[i], sizeof codes[i], "E01%06d", i + 1);
        areas[i] = (el_synth_area){.lsoa11 = codes[i], .imd_decile = i % 10 + 1, .weight = 1000.0 + (i % 7) * 100.0};
    }
    return 0;
}

typedef struct { char *buf; size_t n, cap; uint64_t lines; } mem;

static int to_mem(void *ctx, const char *line, size_t len)
{
    mem *m = ctx;
    if (m->n + len + 1 > m->cap) {
        m->cap = (m->cap + len + 1) * 2;
        m->buf = realloc(m->buf, m->cap);
        if (!m->buf) return 1;
    }
    memcpy(m->buf + m->n, line, len);
    m->n += len;
    m->buf[m->n] = '\0';
    m->lines++;
    return 0;
}

static mem run(el_kind k, uint64_t rows, unsigned long seed, json_t **truth)
{
    el_synth_opts o;
    el_synth_opts_default(&o, k);
    o.rows = rows;
    o.seed = seed;
    mem m = {0};
    el_error e;
    assert_int_equal(el_synth_run(&o, areas, NAREA, to_mem, &m, truth, &e), EL_OK);
    return m;
}

static void test_determinism(void **st)
{
    (void)st;
    for (int k = 0; k < EL_KIND__COUNT; k++) {
        mem a = run((el_kind)k, 3000, 42, NULL), b = run((el_kind)k, 3000, 42, NULL), c = run((el_kind)k, 3000, 43, NULL);
        assert_int_equal(a.lines, 3001);
        assert_int_equal(a.n, b.n);
        assert_memory_equal(a.buf, b.buf, a.n);
        assert_true(a.n != c.n || memcmp(a.buf, c.buf, a.n) != 0);
        free(a.buf); free(b.buf); free(c.buf);
    }
}

static void test_layout(void **st)
{
    (void)st;
    for (int k = 0; k < EL_KIND__COUNT; k++) {
        json_t *t = NULL;
        mem a = run((el_kind)k, 2000, 5, &t);
        el_csv *c = el_csv_open_mem(a.buf, a.n, "synth", NULL);
        el_error e;
        assert_int_equal(el_csv_next(c, &e), EL_CSV_ROW);
        size_t nf = el_csv_nfields(c);
        /* every column is a canonical field of this kind, and every required field is there */
        int seen[EL_F__COUNT] = {0};
        for (size_t i = 0; i < nf; i++) {
            int f = el_field_by_name(el_csv_field(c, i));
            assert_true(f >= 0);
            assert_true(el_field_get((el_field)f)->use[k] > 0);
            seen[f] = 1;
        }
        for (int f = 0; f < EL_F__COUNT; f++)
            if (el_field_get((el_field)f)->use[k] == 2) assert_true(seen[f]);
        uint64_t rows = 0;
        el_csv_result r;
        while ((r = el_csv_next(c, &e)) == EL_CSV_ROW) {
            assert_int_equal(el_csv_nfields(c), nf);
            rows++;
        }
        assert_int_equal(r, EL_CSV_EOF);
        assert_int_equal(rows, 2000);
        assert_int_equal(json_integer_value(json_object_get(t, "rows")), 2000);
        el_csv_close(c);
        json_decref(t);
        free(a.buf);
    }
}

/* the realised rates by group agree with the model's expected rates */
static void check_rates(json_t *t, const char *group, const char *nkey, const char *evkey, const char *ekey)
{
    json_t *real = json_object_get(json_object_get(t, "realised"), group);
    json_t *exp_ = json_object_get(json_object_get(t, "expected"), group);
    const char *k;
    json_t *v;
    int checked = 0;
    json_object_foreach(real, k, v) {
        double n = (double)json_integer_value(json_object_get(v, nkey));
        double ev = (double)json_integer_value(json_object_get(v, evkey));
        double e = json_real_value(json_object_get(json_object_get(exp_, k), ekey));
        assert_true(n > 500);
        assert_true(e > 0 && e < 1);
        double z = (ev / n - e) / sqrt(e * (1 - e) / n);
        if (fabs(z) > 4.5) fprintf(stderr, "%s %s: %.4f vs %.4f (z %.2f)\n", group, k, ev / n, e, z);
        assert_true(fabs(z) < 4.5);
        checked++;
    }
    assert_true(checked >= 5);
}

static void test_rates_match_truth(void **st)
{
    (void)st;
    json_t *t = NULL;
    mem a = run(EL_KIND_APPOINTMENTS, 150000, 11, &t);
    check_rates(t, "by_imd_quintile", "attended_or_dna", "dna", "dna_rate");
    check_rates(t, "by_ethnic_group", "attended_or_dna", "dna", "dna_rate");
    check_rates(t, "by_age_group", "attended_or_dna", "dna", "dna_rate");
    /* the injected gradient is there: quintile 1 DNA rate > quintile 5 */
    json_t *q = json_object_get(json_object_get(t, "expected"), "by_imd_quintile");
    assert_true(json_real_value(json_object_get(json_object_get(q, "1"), "dna_rate")) >
                1.5 * json_real_value(json_object_get(json_object_get(q, "5"), "dna_rate")));
    json_decref(t); free(a.buf);

    a = run(EL_KIND_WAITING_LIST, 100000, 12, &t);
    check_rates(t, "by_imd_quintile", "pathways", "over_18_weeks", "pct_over_18_weeks");
    check_rates(t, "by_ethnic_group", "pathways", "over_18_weeks", "pct_over_18_weeks");
    /* within the same priority, quintile 1 waits longer than quintile 5 */
    json_t *pq = json_object_get(json_object_get(json_object_get(t, "expected"), "by_clinical_priority_and_imd_quintile"), "P3");
    assert_true(json_real_value(json_object_get(json_object_get(pq, "1"), "mean_wait_days")) >
                json_real_value(json_object_get(json_object_get(pq, "5"), "mean_wait_days")) * 1.2);
    json_decref(t); free(a.buf);

    a = run(EL_KIND_CANCER_PATHWAYS, 100000, 13, &t);
    check_rates(t, "by_imd_quintile", "diagnosed", "fds_met", "fds_rate");
    check_rates(t, "by_ethnic_group", "diagnosed", "fds_met", "fds_rate");
    json_decref(t); free(a.buf);
}

static void test_quality_injection_counts(void **st)
{
    (void)st;
    json_t *t = NULL;
    mem a = run(EL_KIND_APPOINTMENTS, 20000, 99, &t);
    /* count blank and malformed LSOAs in the output independently */
    el_csv *c = el_csv_open_mem(a.buf, a.n, "synth", NULL);
    el_error e;
    el_csv_next(c, &e);
    size_t col = 0;
    for (size_t i = 0; i < el_csv_nfields(c); i++) if (!strcmp(el_csv_field(c, i), "lsoa11")) col = i;
    long blank = 0, bad = 0;
    while (el_csv_next(c, &e) == EL_CSV_ROW) {
        const char *l = el_csv_field(c, col);
        if (!*l) blank++;
        else if (strlen(l) != 9) bad++;
    }
    el_csv_close(c);
    json_t *inj = json_object_get(t, "injected");
    assert_int_equal(json_integer_value(json_object_get(inj, "lsoa_blank")), blank);
    assert_int_equal(json_integer_value(json_object_get(inj, "lsoa_malformed")), bad);
    assert_true(blank > 100 && bad > 10);
    json_decref(t); free(a.buf);

    el_synth_opts o;
    el_synth_opts_default(&o, EL_KIND_APPOINTMENTS);
    o.rows = 5000;
    o.inject_quality = 0;
    mem m = {0};
    assert_int_equal(el_synth_run(&o, areas, NAREA, to_mem, &m, &t, &e), EL_OK);
    inj = json_object_get(t, "injected");
    assert_int_equal(json_integer_value(json_object_get(inj, "lsoa_blank")), 0);
    assert_int_equal(json_integer_value(json_object_get(inj, "duplicate_id")), 0);
    json_decref(t); free(m.buf);
}

static void test_lsoa21_split(void **st)
{
    (void)st;
    /* one LSOA 2011 split into two LSOA 2021s weighted 1:3 */
    static const char *const parts[2] = {"E01100001", "E01100002"};
    static const double w[2] = {1.0, 3.0};
    el_synth_area a[2] = {
        {.lsoa11 = "E01000001", .imd_decile = 1, .weight = 1.0, .lsoa21 = parts, .lsoa21_weight = w, .n_lsoa21 = 2},
        {.lsoa11 = "E01000002", .imd_decile = 10, .weight = 1.0}};
    el_synth_opts o;
    el_synth_opts_default(&o, EL_KIND_CANCER_PATHWAYS);
    o.rows = 20000;
    o.lsoa21 = 1;
    o.inject_quality = 0;
    mem m = {0};
    json_t *t = NULL;
    el_error e;
    assert_int_equal(el_synth_run(&o, a, 2, to_mem, &m, &t, &e), EL_OK);
    el_csv *c = el_csv_open_mem(m.buf, m.n, "synth", NULL);
    el_csv_next(c, &e);
    size_t c11 = 0, c21 = 0;
    for (size_t i = 0; i < el_csv_nfields(c); i++) {
        if (!strcmp(el_csv_field(c, i), "lsoa11")) c11 = i;
        if (!strcmp(el_csv_field(c, i), "lsoa21")) c21 = i;
    }
    assert_true(c21 == c11 + 1);
    long n1 = 0, p1 = 0, p2 = 0, unmapped = 0;
    while (el_csv_next(c, &e) == EL_CSV_ROW) {
        const char *l11 = el_csv_field(c, c11), *l21 = el_csv_field(c, c21);
        if (!strcmp(l11, "E01000001")) {
            n1++;
            if (!strcmp(l21, parts[0])) p1++;
            else if (!strcmp(l21, parts[1])) p2++;
            else fail();
        } else {
            assert_string_equal(l21, "");
            unmapped++;
        }
    }
    el_csv_close(c);
    assert_int_equal(p1 + p2, n1);
    double share = (double)p2 / (double)n1;
    assert_true(fabs(share - 0.75) < 4.5 * sqrt(0.75 * 0.25 / (double)n1));
    assert_int_equal(json_integer_value(json_object_get(json_object_get(t, "injected"), "lsoa21_unmapped")), unmapped);
    json_decref(t);
    free(m.buf);
}

static int stop_after_10(void *ctx, const char *line, size_t len)
{
    (void)line; (void)len;
    return ++*(int *)ctx > 10;
}

static void test_errors(void **st)
{
    (void)st;
    el_synth_opts o;
    el_synth_opts_default(&o, EL_KIND_WAITING_LIST);
    el_error e;
    int n = 0;
    json_t *t = NULL;
    assert_int_equal(el_synth_run(&o, areas, NAREA, stop_after_10, &n, &t, &e), EL_ERR_IO);
    assert_null(t);
    assert_int_equal(el_synth_run(&o, areas, 0, stop_after_10, &n, NULL, &e), EL_ERR_INVALID);
    el_synth_area bad[1] = {{.lsoa11 = "E01000001", .imd_decile = 11, .weight = 1.0}};
    assert_int_equal(el_synth_run(&o, bad, 1, stop_after_10, &n, NULL, &e), EL_ERR_INVALID);
    o.period_end = o.period_start - 1;
    assert_int_equal(el_synth_run(&o, areas, NAREA, stop_after_10, &n, NULL, &e), EL_ERR_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_determinism),
        cmocka_unit_test(test_layout),
        cmocka_unit_test(test_rates_match_truth),
        cmocka_unit_test(test_quality_injection_counts),
        cmocka_unit_test(test_lsoa21_split),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
