/* test_svg.c — unit tests for the SVG charts and the text buffer. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "equitylens/strbuf.h"
#include "equitylens/svg.h"

static size_t count(const char *s, const char *needle)
{
    size_t n = 0;
    for (const char *p = strstr(s, needle); p; p = strstr(p + 1, needle)) n++;
    return n;
}

static void no_bad_numbers(const char *s)
{
    assert_null(strstr(s, "nan"));
    assert_null(strstr(s, "inf"));
    assert_int_equal(count(s, "<svg"), count(s, "</svg>"));
}

static void test_strbuf(void **st)
{
    (void)st;
    el_strbuf b;
    el_strbuf_init(&b);
    assert_string_equal(el_strbuf_str(&b), "");
    el_strbuf_esc(&b, "a<b & \"c\" 'd'>");
    assert_string_equal(el_strbuf_str(&b), "a&lt;b &amp; &quot;c&quot; &#39;d&#39;&gt;");
    char big[2000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    el_strbuf_printf(&b, "[%s]", big);
    assert_int_equal(b.len, strlen("a&lt;b &amp; &quot;c&quot; &#39;d&#39;&gt;") + 2 + 1999);
    char *t = el_strbuf_take(&b);
    assert_non_null(t);
    assert_int_equal(t[strlen(t) - 1], ']');
    free(t);
    assert_int_equal(b.len, 0);
    el_strbuf_release(&b);
    el_strbuf_release(&b); /* twice is safe */
}

static void test_dot_whisker(void **st)
{
    (void)st;
    el_svg_group g[] = {
        {"1 (most deprived)", 31.2, 29.0, 33.5, 0, EL_SVG_SIG_HIGHER},
        {"2 & <3>", 27.0, 25.1, 29.0, 0, EL_SVG_NOT_SIG},
        {"4", NAN, NAN, NAN, 1, EL_SVG_NOT_SIG},
        {"5", 25.5, 24.0, 27.1, 0, EL_SVG_REFERENCE},
    };
    el_svg_opts o = {"Over 18 weeks & more", "desc", "% waiting", 1, 25.5, "reference: 5"};
    el_strbuf a, b;
    el_strbuf_init(&a);
    el_strbuf_init(&b);
    assert_int_equal(el_svg_dot_whisker(&a, &o, g, 4), EL_OK);
    assert_int_equal(el_svg_dot_whisker(&b, &o, g, 4), EL_OK);
    const char *s = el_strbuf_str(&a);
    assert_string_equal(s, el_strbuf_str(&b));          /* deterministic */
    assert_non_null(strstr(s, "role=\"img\""));
    assert_non_null(strstr(s, "<title>Over 18 weeks &amp; more</title>"));
    assert_non_null(strstr(s, "<desc>desc</desc>"));
    assert_non_null(strstr(s, "2 &amp; &lt;3&gt;"));
    assert_non_null(strstr(s, "* suppressed"));
    assert_non_null(strstr(s, "31.2 (29.0\xE2\x80\x93" "33.5) \xE2\x96\xB2"));  /* value, CI and the shape in text */
    assert_non_null(strstr(s, "stroke-dasharray=\"6 3\""));                   /* reference line */
    assert_non_null(strstr(s, "significantly higher"));                       /* legend */
    no_bad_numbers(s);
    el_strbuf_release(&a);
    el_strbuf_release(&b);
}

static void test_icons(void **st)
{
    (void)st;
    const char *v[] = {"common_cause", "improvement_high", "improvement_low", "concern_high", "concern_low",
                       "neutral_high", "neutral_low"};
    el_strbuf b;
    el_strbuf_init(&b);
    for (size_t i = 0; i < 7; i++) assert_int_equal(el_svg_variation_icon(&b, v[i], 40), EL_OK);
    assert_int_equal(el_svg_assurance_icon(&b, "consistent_pass", 40), EL_OK);
    assert_int_equal(el_svg_assurance_icon(&b, "consistent_fail", 40), EL_OK);
    assert_int_equal(el_svg_assurance_icon(&b, "inconsistent", 40), EL_OK);
    size_t len = b.len;
    assert_int_equal(el_svg_variation_icon(&b, "bogus", 40), EL_ERR_INVALID);
    assert_int_equal(el_svg_assurance_icon(&b, NULL, 40), EL_ERR_INVALID);
    assert_int_equal(b.len, len);                                  /* nothing appended */
    assert_int_equal(count(el_strbuf_str(&b), "<svg"), 10);
    assert_int_equal(count(el_strbuf_str(&b), "<title>"), 10);   /* each icon says what it means */
    assert_non_null(strstr(el_strbuf_str(&b), ">H</text>"));
    assert_non_null(strstr(el_strbuf_str(&b), ">L</text>"));
    assert_string_equal(el_svg_assurance_text("consistent_fail"), "Assurance: the target will consistently be missed");
    assert_non_null(el_svg_variation_text(NULL));
    el_strbuf_release(&b);
}

static void test_spc(void **st)
{
    (void)st;
    assert_int_equal(el_svg_point_type_from_name("special_cause_concern"), EL_SVG_PT_CONCERN);
    assert_int_equal(el_svg_point_type_from_name("special_cause_improvement"), EL_SVG_PT_IMPROVEMENT);
    assert_int_equal(el_svg_point_type_from_name("special_cause_neutral_low"), EL_SVG_PT_NEUTRAL_LOW);
    assert_int_equal(el_svg_point_type_from_name(NULL), EL_SVG_PT_COMMON);
    el_svg_spc_point p[12];
    char lab[12][8];
    for (int i = 0; i < 12; i++) {
        snprintf(lab[i], sizeof lab[i], "P%02d", i);
        p[i] = (el_svg_spc_point){lab[i], 5.0 + (i % 3), 6.0, 3.0, 9.0, i == 11 ? EL_SVG_PT_CONCERN : EL_SVG_PT_COMMON};
    }
    p[4].value = NAN;   /* a suppressed period leaves a gap, never "nan" */
    el_svg_opts o = {"Gap trend", "d", "gap", 1, NAN, NULL};
    el_strbuf b;
    el_strbuf_init(&b);
    assert_int_equal(el_svg_spc(&b, &o, p, 12, 4.0, "concern_high", "consistent_fail"), EL_OK);
    const char *s = el_strbuf_str(&b);
    assert_non_null(strstr(s, "special cause: concern"));   /* legend only lists what is drawn */
    assert_null(strstr(s, "special cause: improvement"));
    assert_non_null(strstr(s, "target 4.0"));
    assert_non_null(strstr(s, "mean 6.0"));
    assert_non_null(strstr(s, "class=\"icon variation\""));
    assert_non_null(strstr(s, "class=\"icon assurance\""));
    no_bad_numbers(s);
    el_strbuf_release(&b);
    /* empty series is drawable */
    el_strbuf_init(&b);
    assert_int_equal(el_svg_spc(&b, &o, NULL, 0, NAN, NULL, NULL), EL_OK);
    no_bad_numbers(el_strbuf_str(&b));
    el_strbuf_release(&b);
}

static void test_funnel_and_missing(void **st)
{
    (void)st;
    el_svg_funnel_point fp[] = {{"Q1", 5000, 31.0, 0}, {"Q2", 4000, 26.0, 0}, {"Q3", 0, NAN, 1}};
    el_svg_funnel_limit fl[3] = {{100, 20, 32, 17, 35}, {2500, 24, 28, 23, 29}, {6000, 25, 27, 24.5, 27.5}};
    el_svg_opts o = {"Funnel", "d", "DNA rate (%)", 1, 26.0, "overall"};
    el_strbuf b;
    el_strbuf_init(&b);
    assert_int_equal(el_svg_funnel(&b, &o, fp, 3, fl, 3), EL_OK);
    const char *s = el_strbuf_str(&b);
    assert_non_null(strstr(s, ">Q1</text>"));   /* outside 99.8%: labelled and drawn as a triangle */
    assert_null(strstr(s, ">Q3</text>"));       /* suppressed: not drawn */
    no_bad_numbers(s);
    el_strbuf_release(&b);
    el_svg_obs_exp r[] = {{"Q1", 800, 1000, 0.75, 0.86, 0}, {"Asian", NAN, NAN, NAN, NAN, 1}, {"White", 1300, 1100, 1.12, 1.25, 0}};
    el_strbuf_init(&b);
    assert_int_equal(el_svg_observed_expected(&b, &o, r, 3), EL_OK);
    s = el_strbuf_str(&b);
    assert_non_null(strstr(s, "0.80 (0.75\xE2\x80\x93" "0.86) \xE2\x96\xBC under"));
    assert_non_null(strstr(s, "1.18 (1.12\xE2\x80\x93" "1.25) \xE2\x96\xB2 over"));
    assert_non_null(strstr(s, "* suppressed"));
    no_bad_numbers(s);
    el_strbuf_release(&b);
    assert_int_equal(el_svg_observed_expected(NULL, &o, r, 3), EL_ERR_INVALID);
}

/* QA: values near the double limit made the axis range overflow (hi - lo =
 * inf) and the SVG said y1="-nan"; now a fallback axis and clamped points */
static void test_extreme_values(void **st)
{
    (void)st;
    el_svg_group g[] = {
        {"a", 1e308, -1e308, 1e308, 0, EL_SVG_SIG_HIGHER},
        {"b", -1e308, -1e308, 1e308, 0, EL_SVG_NOT_SIG},
        {"c", 1e17, 1e17, 1e17 + 64, 0, EL_SVG_REFERENCE},
    };
    el_svg_opts o = {"extreme", "d", "x", 1, 1e308, "reference"};
    el_strbuf b;
    el_strbuf_init(&b);
    assert_int_equal(el_svg_dot_whisker(&b, &o, g, 3), EL_OK);
    const char *s = el_strbuf_str(&b);
    assert_null(strstr(s, "nan"));
    assert_null(strstr(s, "\"inf"));
    assert_null(strstr(s, "\"-inf"));
    assert_int_equal(count(s, "<svg"), count(s, "</svg>"));
    el_strbuf_release(&b);
    /* a range far too narrow for its magnitude: the tick loop must end */
    el_svg_group h[] = {{"a", 1e17, 1e17, 1e17, 0, EL_SVG_NOT_SIG}, {"b", 1e17 + 16, 1e17 + 16, 1e17 + 16, 0, EL_SVG_NOT_SIG}};
    o.ref_value = NAN;
    el_strbuf_init(&b);
    assert_int_equal(el_svg_dot_whisker(&b, &o, h, 2), EL_OK);
    assert_null(strstr(el_strbuf_str(&b), "nan"));
    el_strbuf_release(&b);
    el_svg_spc_point p[3] = {{"P1", 1e308, 0, -1e308, 1e308, EL_SVG_PT_COMMON},
                             {"P2", -1e308, 0, -1e308, 1e308, EL_SVG_PT_COMMON},
                             {"P3", 0, 0, -1e308, 1e308, EL_SVG_PT_COMMON}};
    o.ref_value = NAN;
    el_strbuf_init(&b);
    assert_int_equal(el_svg_spc(&b, &o, p, 3, 1e308, NULL, NULL), EL_OK);
    s = el_strbuf_str(&b);
    assert_null(strstr(s, "nan"));
    assert_null(strstr(s, "=\"inf"));
    assert_null(strstr(s, "=\"-inf"));
    el_strbuf_release(&b);
}

/* WCAG 2.1 relative luminance and contrast ratio of "#RRGGBB" against white */
static double lum(const char *hex)
{
    double c[3];
    for (int i = 0; i < 3; i++) {
        unsigned v;
        sscanf(hex + 1 + 2 * i, "%2x", &v);
        double x = v / 255.0;
        c[i] = x <= 0.03928 ? x / 12.92 : pow((x + 0.055) / 1.055, 2.4);
    }
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
}
static double contrast_on_white(const char *hex) { return 1.05 / (lum(hex) + 0.05); }

static void test_palette_contrast(void **st)
{
    (void)st;
    /* marks: non-text contrast >= 3:1 (WCAG 1.4.11); chart text: >= 4.5:1 (1.4.3) */
    const char *marks[] = {EL_SVG_BLUE, EL_SVG_VERMILLION, EL_SVG_GREEN, EL_SVG_PURPLE, EL_SVG_GREY, EL_SVG_INK};
    for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++) assert_true(contrast_on_white(marks[i]) >= 3.0);
    assert_true(contrast_on_white(EL_SVG_INK) >= 4.5);
    assert_true(contrast_on_white(EL_SVG_GREY) >= 4.5);
    assert_true(contrast_on_white(EL_SVG_BLUE) >= 4.5);
    /* the page colours of html.c: secondary text #4c6272, links #005eb8 */
    assert_true(contrast_on_white("#4c6272") >= 4.5);
    assert_true(contrast_on_white("#005eb8") >= 4.5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_strbuf),
        cmocka_unit_test(test_dot_whisker),
        cmocka_unit_test(test_icons),
        cmocka_unit_test(test_spc),
        cmocka_unit_test(test_funnel_and_missing),
        cmocka_unit_test(test_palette_contrast),
        cmocka_unit_test(test_extreme_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
