/* analysis_stats.c — interval and adjustment helpers for the analysis engine
 * (owner: analysis helper). References in docs/analysis.md. */
#include <math.h>
#include <gsl/gsl_cdf.h>
#include "analysis_internal.h"
#include "equitylens/ci.h"
#include "equitylens/distrib.h"

el_interval an_iv_na(void) { return (el_interval){NAN, NAN, NAN, ""}; }
el_interval an_iv(double v, double lo, double hi, const char *method)
{
    return (el_interval){v, lo, hi, method};
}

static double zq(double conf) { return el_z_for_confidence(conf); }

el_interval an_wilson_pct(double x, double n, double conf)
{
    if (!(n > 0)) return an_iv_na();
    el_estimate e;
    if (el_proportion_ci(x, n, conf, 100.0, &e, NULL) != EL_OK) return an_iv_na();
    return an_iv(e.value, e.lower, e.upper, "wilson");
}

el_interval an_newcombe(double x1, double n1, double x2, double n2, double conf)
{
    if (!(n1 > 0) || !(n2 > 0)) return an_iv_na();
    double l1, u1, l2, u2;
    if (el_wilson(x1, n1, conf, &l1, &u1, NULL) || el_wilson(x2, n2, conf, &l2, &u2, NULL)) return an_iv_na();
    double p1 = x1 / n1, p2 = x2 / n2, d = p1 - p2;
    double lo = d - sqrt((p1 - l1) * (p1 - l1) + (u2 - p2) * (u2 - p2));
    double hi = d + sqrt((u1 - p1) * (u1 - p1) + (p2 - l2) * (p2 - l2));
    return an_iv(100 * d, 100 * lo, 100 * hi, "newcombe");
}

el_interval an_katz(double x1, double n1, double x2, double n2, double conf)
{
    if (!(n1 > 0) || !(n2 > 0)) return an_iv_na();
    if (x1 == 0 || x2 == 0) { x1 += 0.5; x2 += 0.5; n1 += 0.5; n2 += 0.5; }
    double r = (x1 / n1) / (x2 / n2);
    double se = sqrt(1 / x1 - 1 / n1 + 1 / x2 - 1 / n2);
    double z = zq(conf);
    return an_iv(r, r * exp(-z * se), r * exp(z * se), "katz-log");
}

double an_two_prop_p(double x1, double n1, double x2, double n2)
{
    if (!(n1 > 0) || !(n2 > 0)) return NAN;
    double p = (x1 + x2) / (n1 + n2);
    double se = sqrt(p * (1 - p) * (1 / n1 + 1 / n2));
    if (!(se > 0)) return 1.0;
    double z = fabs(x1 / n1 - x2 / n2) / se;
    return 2 * (1 - el_norm_cdf(z));
}

el_interval an_welch(double m1, double v1, double n1, double m2, double v2, double n2, double conf, double *p)
{
    if (p) *p = NAN;
    if (!(n1 >= 2) || !(n2 >= 2)) return an_iv_na();
    double a = v1 / n1, b = v2 / n2, se = sqrt(a + b);
    double d = m1 - m2;
    if (!(se > 0)) {
        if (p) *p = d == 0 ? 1.0 : 0.0;
        return an_iv(d, d, d, "welch");
    }
    double df = (a + b) * (a + b) / (a * a / (n1 - 1) + b * b / (n2 - 1));
    double t = el_t_quantile(1 - (1 - (conf > 1 ? conf / 100 : conf)) / 2, df);
    if (p) *p = 2 * (1 - el_t_cdf(fabs(d) / se, df));
    return an_iv(d, d - t * se, d + t * se, "welch");
}

el_interval an_ratio_means(double m1, double v1, double n1, double m2, double v2, double n2, double conf)
{
    if (!(n1 >= 2) || !(n2 >= 2) || !(m1 > 0) || !(m2 > 0)) return an_iv_na();
    double r = m1 / m2;
    double se = sqrt(v1 / (n1 * m1 * m1) + v2 / (n2 * m2 * m2));
    double z = zq(conf);
    return an_iv(r, r * exp(-z * se), r * exp(z * se), "delta-log");
}

static double q7(const double *x, size_t n, double q)
{
    double h = (double)(n - 1) * q;
    size_t lo = (size_t)floor(h);
    if (lo + 1 >= n) return x[n - 1];
    return x[lo] + (h - (double)lo) * (x[lo + 1] - x[lo]);
}

/* smallest k in [0, n] with P(Bin(n, q) <= k) >= target */
static size_t binom_quantile(size_t n, double q, double target)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (gsl_cdf_binomial_P((unsigned)mid, q, (unsigned)n) >= target) hi = mid;
        else lo = mid + 1;
    }
    return lo;
}

el_interval an_quantile_ci(const double *x, size_t n, double q, double conf)
{
    if (n == 0) return an_iv_na();
    double v = q7(x, n, q);
    double alpha = 1 - (conf > 1 ? conf / 100 : conf);
    /* ranks (1-based): lower = the largest r with P(B <= r-1) <= alpha/2,
     * upper = the smallest r with P(B <= r-1) >= 1 - alpha/2 */
    size_t kl = binom_quantile(n, q, alpha / 2);      /* P(B <= kl) >= a/2 */
    size_t rl = kl;                                   /* P(B <= rl-1) < a/2 */
    size_t ku = binom_quantile(n, q, 1 - alpha / 2);
    size_t ru = ku + 1;
    double lo = rl >= 1 ? x[rl - 1] : NAN;
    double hi = ru <= n ? x[ru - 1] : NAN;
    return an_iv(v, lo, hi, "order-statistic");
}

void an_mantel_haenszel(const double *x1, const double *n1, const double *x0, const double *n0, size_t k,
                        double conf, el_interval *rd, el_interval *rr, int *used)
{
    double W = 0, num = 0, P = 0, Q = 0, R = 0, S = 0, GR = 0;
    int u = 0;
    for (size_t s = 0; s < k; s++) {
        double a = n1[s], b = n0[s];
        if (!(a > 0) || !(b > 0)) continue;
        u++;
        double N = a + b, w = a * b / N;
        W += w;
        num += (x1[s] * b - x0[s] * a) / N;
        P += (a * a * x0[s] - b * b * x1[s] + a * b * (b - a) / 2) / (N * N);
        Q += (x1[s] * (b - x0[s]) + x0[s] * (a - x1[s])) / (2 * N);
        R += x1[s] * b / N;
        S += x0[s] * a / N;
        GR += (a * b * (x1[s] + x0[s]) - x1[s] * x0[s] * N) / (N * N);
    }
    *used = u;
    double z = zq(conf);
    if (u == 0 || !(W > 0)) { *rd = an_iv_na(); *rr = an_iv_na(); return; }
    double d = num / W;
    double var = (d * P + Q) / (W * W);
    double se = var > 0 ? sqrt(var) : 0;
    *rd = an_iv(100 * d, 100 * (d - z * se), 100 * (d + z * se), "mantel-haenszel-sato");
    if (R > 0 && S > 0) {
        double r = R / S;
        double sl = sqrt(GR / (R * S));
        *rr = an_iv(r, r * exp(-z * sl), r * exp(z * sl), "mantel-haenszel-greenland-robins");
    } else {
        *rr = an_iv_na();
    }
}

void an_direct_std(const double *s1, const double *ss1, const double *n1, const double *s0,
                   const double *ss0, const double *n0, const double *w, size_t k, double conf,
                   double var1_fallback, double var0_fallback, el_interval *diff, el_interval *ratio,
                   int *used)
{
    double W = 0, m1 = 0, m0 = 0, v1 = 0, v0 = 0;
    int u = 0;
    for (size_t s = 0; s < k; s++) {
        if (!(n1[s] > 0) || !(n0[s] > 0) || !(w[s] > 0)) continue;
        u++;
        double a = s1[s] / n1[s], b = s0[s] / n0[s];
        double va = n1[s] >= 2 ? (ss1[s] - n1[s] * a * a) / (n1[s] - 1) : var1_fallback;
        double vb = n0[s] >= 2 ? (ss0[s] - n0[s] * b * b) / (n0[s] - 1) : var0_fallback;
        if (va < 0) va = 0;
        if (vb < 0) vb = 0;
        W += w[s];
        m1 += w[s] * a; m0 += w[s] * b;
        v1 += w[s] * w[s] * va / n1[s];
        v0 += w[s] * w[s] * vb / n0[s];
    }
    *used = u;
    if (u == 0) { *diff = an_iv_na(); *ratio = an_iv_na(); return; }
    m1 /= W; m0 /= W; v1 /= W * W; v0 /= W * W;
    double z = zq(conf), d = m1 - m0, se = sqrt(v1 + v0);
    *diff = an_iv(d, d - z * se, d + z * se, "direct-standardisation");
    if (m1 > 0 && m0 > 0) {
        double r = m1 / m0, sl = sqrt(v1 / (m1 * m1) + v0 / (m0 * m0));
        *ratio = an_iv(r, r * exp(-z * sl), r * exp(z * sl), "direct-standardisation");
    } else {
        *ratio = an_iv_na();
    }
}
