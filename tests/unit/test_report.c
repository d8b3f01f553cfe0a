/* test_report.c — unit tests for the report: the disclosure guard, filters,
 * the result-model reader and the HTML renderer. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>
#include "equitylens/report.h"
#include "equitylens/report_model.h"

/* A minimal result: DNA rate by IMD quintile, three groups + unknown. */
static const char DOC[] =
    "{\"schema\": \"equitylens.analysis/1\", \"generator\": \"test\","
    " \"dataset\": {\"kind\": \"appointments\", \"rows\": 1000, \"source\": \"t.csv\","
    "   \"period\": {\"from\": \"2024-01-01\", \"to\": \"2024-12-31\"}},"
    " \"options\": {\"confidence\": 0.95, \"dna_codes\": [\"3\", \"7\"], \"attended_codes\": [\"5\", \"6\"]},"
    " \"lenses\": [{\"lens\": \"imd_quintile\", \"label\": \"IMD quintile\", \"fields\": [\"imd_quintile\"],"
    "   \"ordered\": true, \"reference\": \"5\", \"groups\": ["
    "   {\"key\": \"1\", \"label\": \"1 (most deprived)\", \"n\": 400, \"share\": 40.0, \"unknown\": false, \"suppressed\": null},"
    "   {\"key\": \"3\", \"label\": \"3\", \"n\": 300, \"share\": 30.0, \"unknown\": false, \"suppressed\": null},"
    "   {\"key\": \"5\", \"label\": \"5 (least deprived)\", \"n\": 295, \"share\": 29.5, \"unknown\": false, \"suppressed\": null},"
    "   {\"key\": \"unknown\", \"label\": \"Unknown\", \"n\": 5, \"share\": 0.5, \"unknown\": true, \"suppressed\": null}]}],"
    " \"results\": [{\"metric\": \"dna_rate\", \"label\": \"DNA rate\", \"unit\": \"%\", \"kind\": \"proportion\","
    "   \"higher_is_better\": false, \"lens\": \"imd_quintile\", \"stratum\": null,"
    "   \"overall\": {\"key\": \"overall\", \"n\": 1000, \"numerator\": 100, \"value\": 10.0, \"lower\": 8.3, \"upper\": 12.0, \"suppressed\": null},"
    "   \"groups\": ["
    "     {\"key\": \"1\", \"n\": 400, \"numerator\": 60, \"value\": 15.0, \"lower\": 11.8, \"upper\": 18.8, \"suppressed\": null},"
    "     {\"key\": \"3\", \"n\": 302, \"numerator\": 25, \"value\": 8.3, \"lower\": 5.7, \"upper\": 12.0, \"suppressed\": null},"
    "     {\"key\": \"5\", \"n\": 293, \"numerator\": 12, \"value\": 4.1, \"lower\": 2.4, \"upper\": 7.0, \"suppressed\": null},"
    "     {\"key\": \"unknown\", \"n\": 7, \"numerator\": 3, \"value\": 42.9, \"lower\": 15.8, \"upper\": 75.0, \"suppressed\": null}],"
    "   \"gaps\": ["
    "     {\"key\": \"1\", \"reference\": \"5\", \"difference\": {\"value\": 10.9, \"lower\": 6.8, \"upper\": 14.9},"
    "      \"ratio\": {\"value\": 3.66, \"lower\": 2.0, \"upper\": 6.7}, \"significant\": true, \"adjusted\": null, \"suppressed\": null},"
    "     {\"key\": \"3\", \"reference\": \"5\", \"difference\": {\"value\": 4.2, \"lower\": 0.4, \"upper\": 8.1},"
    "      \"ratio\": {\"value\": 2.02, \"lower\": 1.0, \"upper\": 4.0}, \"significant\": true, \"adjusted\": null, \"suppressed\": null}],"
    "   \"inequality\": null, \"excess\": null}],"
    " \"missing\": null, \"trends\": [{\"metric\": \"dna_rate\", \"lens\": \"imd_quintile\", \"series\": [], \"gap_series\": ["
    "   {\"key\": \"1\", \"reference\": \"5\", \"variation\": null, \"assurance\": \"none\", \"points\": ["
    "     {\"period\": \"2024-01\", \"value\": 10.0}, {\"period\": \"2024-02\", \"value\": 11.0},"
    "     {\"period\": \"2024-03\", \"value\": 10.5}, {\"period\": \"2024-04\", \"value\": 9.5},"
    "     {\"period\": \"2024-05\", \"value\": 10.2}]}]}],"
    " \"notes\": [\"Ethnicity is not recorded in this extract.\"]}";

static json_t *load(void)
{
    json_error_t je;
    json_t *j = json_loads(DOC, 0, &je);
    if (!j) fprintf(stderr, "fixture: %s at %d:%d\n", je.text, je.line, je.column);
    assert_non_null(j);
    return j;
}

static json_t *group(json_t *doc, const char *key)
{
    json_t *gs = json_object_get(json_array_get(json_object_get(doc, "results"), 0), "groups");
    for (size_t i = 0; i < json_array_size(gs); i++)
        if (!strcmp(json_string_value(json_object_get(json_array_get(gs, i), "key")), key)) return json_array_get(gs, i);
    return NULL;
}

static void test_guard_fixes_noncompliant(void **st)
{
    (void)st;
    json_t *d = load();
    el_disclosure_policy p;
    el_disclosure_policy_default(&p);
    el_report_guard_stats gs;
    assert_int_equal(el_report_guard(d, &p, &gs, NULL), EL_OK);
    /* the unknown group's n = 7, numerator 3 and the lens n = 5: primary */
    json_t *u = group(d, "unknown");
    assert_true(json_is_null(json_object_get(u, "n")));
    assert_true(json_is_null(json_object_get(u, "value")));
    assert_string_equal(json_string_value(json_object_get(u, "suppressed")), "primary");
    assert_true(gs.counts_suppressed >= 3);
    /* 302 is not a multiple of 5: rounded to 300 */
    assert_int_equal(json_integer_value(json_object_get(group(d, "3"), "n")), 300);
    assert_true(gs.counts_rounded >= 1);
    /* a lone suppressed group beside the total: the smallest other group goes too */
    json_t *g5 = group(d, "5");
    assert_string_equal(json_string_value(json_object_get(g5, "suppressed")), "secondary");
    assert_true(json_is_null(json_object_get(g5, "numerator")));
    assert_true(gs.secondary >= 1);
    /* the gaps against the (now suppressed) reference are withdrawn */
    json_t *gap = json_array_get(json_object_get(json_array_get(json_object_get(d, "results"), 0), "gaps"), 0);
    assert_true(json_is_null(json_object_get(gap, "difference")));
    /* a second pass finds nothing more to do */
    assert_int_equal(el_report_guard(d, &p, &gs, NULL), EL_OK);
    assert_int_equal(gs.counts_suppressed + gs.counts_rounded + gs.secondary, 0);
    json_decref(d);
}

static void test_guard_rejects_non_object(void **st)
{
    (void)st;
    json_t *s = json_string("x");
    el_error e;
    assert_int_equal(el_report_guard(s, NULL, NULL, &e), EL_ERR_INVALID);
    json_decref(s);
}

static void test_model_and_html(void **st)
{
    (void)st;
    json_t *d = load();
    el_report_opts o;
    el_report_opts_default(&o);
    assert_int_equal(el_report_guard(d, &o.policy, NULL, NULL), EL_OK);
    el_rm *m = NULL;
    assert_int_equal(el_rm_load(d, &o.policy, NULL, &m, NULL), EL_OK);
    assert_int_equal(m->n_metrics, 1);
    assert_string_equal(m->metrics[0].domain, "appointments");
    assert_int_equal(m->metrics[0].lenses[0].n_groups, 4);
    /* limits computed for a trend that arrived without them */
    assert_int_equal(m->n_trends, 1);
    assert_false(isnan(m->trends[0].points[0].mean));
    assert_string_equal(m->trends[0].trend, "unchanged");
    assert_non_null(strstr(m->policy_text, "Disclosure control"));
    el_rm_free(m);
    el_strbuf b;
    el_strbuf_init(&b);
    assert_int_equal(el_report_html(d, &o, &b, NULL), EL_OK);
    const char *s = el_strbuf_str(&b);
    assert_non_null(strstr(s, "<!DOCTYPE html>"));
    assert_non_null(strstr(s, "Disclosure control: counts 1"));
    assert_non_null(strstr(s, "Ethnicity is not recorded in this extract."));
    assert_non_null(strstr(s, "DNA rate by IMD quintile"));
    assert_null(strstr(s, "nan"));
    assert_null(strstr(s, "class=\"n c\">7<"));
    assert_null(strstr(s, "class=\"n c\">3<"));
    assert_non_null(strstr(s, "class=\"n c\">*<"));
    el_strbuf_release(&b);
    json_decref(d);
}

static void test_bad_model(void **st)
{
    (void)st;
    json_t *d = json_pack("{s:s}", "schema", "something/else");
    el_rm *m = NULL;
    el_error e;
    assert_int_equal(el_rm_load(d, NULL, NULL, &m, &e), EL_ERR_INVALID);
    assert_null(m);
    assert_non_null(strstr(e.msg, "not an equitylens analysis result"));
    json_decref(d);
}

/* fuzz_report crash (QA): lenses without a "lens" id are refused, not
 * compared with strcmp(NULL) */
static void test_lens_without_id(void **st)
{
    (void)st;
    const char crash[] = "{\"schema\":\"equitylens.analysis/\",\"lenses\":[{\"reference\":\"\"},{\"reference\":\"\"}]}";
    json_t *d = json_loads(crash, 0, NULL);
    assert_non_null(d);
    el_error e;
    assert_int_equal(el_rm_check(d, &e), EL_ERR_INVALID);
    assert_string_equal(e.msg, "lenses[0]: no 'lens' id");
    el_rm *m = NULL;
    assert_int_equal(el_rm_load(d, NULL, NULL, &m, &e), EL_ERR_INVALID);
    assert_null(m);
    assert_non_null(strstr(e.msg, "result 1: lenses[0]: no 'lens' id"));
    el_strbuf b;
    el_strbuf_init(&b);
    assert_int_equal(el_report_html(d, NULL, &b, NULL), EL_ERR_INVALID);
    el_strbuf_release(&b);
    json_decref(d);
}

/* set one number of the fixture (path of keys and array indices) and check */
static void expect_refused(const char *what, const char *key, double v, const char *msg)
{
    json_t *d = load();
    json_t *o = d;
    char buf[256];
    snprintf(buf, sizeof buf, "%s", what);
    for (char *save = NULL, *t = strtok_r(buf, ".", &save); t; t = strtok_r(NULL, ".", &save))
        o = (t[0] >= '0' && t[0] <= '9') ? json_array_get(o, (size_t)atoi(t)) : json_object_get(o, t);
    assert_non_null(o);
    json_object_set_new(o, key, json_real(v));
    el_error e;
    if (!msg) {
        assert_int_equal(el_rm_check(d, &e), EL_OK);
    } else {
        assert_int_equal(el_rm_check(d, &e), EL_ERR_INVALID);
        if (!strstr(e.msg, msg)) fail_msg("%s=%g: got \"%s\", want \"%s\"", key, v, e.msg, msg);
        el_rm *m = NULL;
        assert_int_equal(el_rm_load(d, NULL, NULL, &m, NULL), EL_ERR_INVALID);
        assert_null(m);
    }
    json_decref(d);
}

static void test_check_ranges(void **st)
{
    (void)st;
    json_t *d = load();
    assert_int_equal(el_rm_check(d, NULL), EL_OK);
    json_decref(d);
    expect_refused("results.0.groups.0", "n", -400, "results[0].groups[0].n: must be a whole number from 0 to 1e15");
    expect_refused("results.0.groups.1", "numerator", 2.5, "results[0].groups[1].numerator: must be a whole number");
    expect_refused("results.0.overall", "n", 1e308, "results[0].overall.n: must be a whole number");
    expect_refused("dataset", "rows", -1, "dataset.rows: must be a whole number");
    expect_refused("lenses.0.groups.0", "share", -40, "lenses[0].groups[0].share: must be between 0 and 100");
    expect_refused("results.0.groups.0", "value", -15, "results[0].groups[0].value: must be between 0 and 100");
    expect_refused("results.0.overall", "upper", 1e308, "results[0].overall.upper: must be between 0 and 100");
    expect_refused("options", "confidence", 1e308, "options.confidence: must be between 0 and 1");
    expect_refused("options", "confidence", 1, "options.confidence: must be between 0 and 1");
    expect_refused("results.0.gaps.0.ratio", "lower", -2, "results[0].gaps[0].ratio.lower: must be >= 0");
    /* allowed: a negative gap, a very wide ratio limit, a 99% level */
    expect_refused("results.0.gaps.0.difference", "lower", -6.8, NULL);
    expect_refused("results.0.gaps.0.ratio", "upper", 8.3e43, NULL);
    expect_refused("options", "confidence", 0.99, NULL);
}

static void test_filter(void **st)
{
    (void)st;
    json_t *d = load();
    el_report_opts o;
    el_report_opts_default(&o);
    const char *keep[] = {"over_18_weeks"};
    o.metrics = keep;
    o.n_metrics = 1;
    el_error e;
    assert_int_equal(el_report_filter(d, &o, &e), EL_ERR_NOTFOUND);
    json_decref(d);
    d = load();
    const char *keep2[] = {"dna_rate"};
    o.metrics = keep2;
    assert_int_equal(el_report_filter(d, &o, &e), EL_OK);
    assert_int_equal(json_array_size(json_object_get(d, "results")), 1);
    o.n_metrics = 0;
    o.provider = "RXX";
    assert_int_equal(el_report_filter(d, &o, &e), EL_ERR_NOTFOUND);
    json_decref(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_guard_fixes_noncompliant),
        cmocka_unit_test(test_guard_rejects_non_object),
        cmocka_unit_test(test_model_and_html),
        cmocka_unit_test(test_bad_model),
        cmocka_unit_test(test_filter),
        cmocka_unit_test(test_lens_without_id),
        cmocka_unit_test(test_check_ranges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
