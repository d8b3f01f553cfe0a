/* report.c — report options, the disclosure guard, filters and PDF
 * production (see include/equitylens/report.h). */
#include "equitylens/report.h"
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <math.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

void el_report_opts_default(el_report_opts *o)
{
    memset(o, 0, sizeof *o);
    el_disclosure_policy_default(&o->policy);
}

/* ------------------------------------------------------------------ */
/* Guard: defence in depth. The analysis has already applied the policy; this
 * re-checks the published JSON and repairs anything that does not comply. */

/* keys that hold counts of people/events from the service's own data */
static const char *const COUNT_KEYS[] = {"n", "numerator", "observed", "longest", "all", "n_longest", "n_all", "rows"};
/* keys that hold statistics derived from an object's counts */
/* keys that hold statistics derived from an object's counts (counts that are
 * themselves compliant stay published: the policy suppresses a rate whose
 * numerator or denominator is suppressed, not the other count) */
static const char *const STAT_KEYS[] = {"value", "lower", "upper", "share", "expected", "median", "p92",
                                        "rate_per_1000", "ratio", "difference", "adjusted", "longest_share",
                                        "all_share", "p_value", "significant", "events", "cost", "cost_lower",
                                        "cost_upper"};

static int is_count_key(const char *k)
{
    for (size_t i = 0; i < sizeof COUNT_KEYS / sizeof COUNT_KEYS[0]; i++) if (!strcmp(k, COUNT_KEYS[i])) return 1;
    return 0;
}

static int is_suppressed(const json_t *o)
{
    json_t *s = json_object_get(o, "suppressed");
    return s && !json_is_null(s) && !json_is_false(s);
}

static void withdraw(json_t *o, el_report_guard_stats *st)
{
    /* "mean" is an interval in results (withdrawn) but the process mean of an SPC point (kept) */
    json_t *mean = json_object_get(o, "mean");
    if (json_is_object(mean)) {
        if (json_is_number(json_object_get(mean, "value"))) st->values_suppressed++;
        json_object_set_new(o, "mean", json_null());
    }
    for (size_t i = 0; i < sizeof STAT_KEYS / sizeof STAT_KEYS[0]; i++) {
        json_t *v = json_object_get(o, STAT_KEYS[i]);
        if (!v || json_is_null(v)) continue;
        /* count only values that were really published (a number, or an
         * interval with a value); empty intervals are just normalised */
        json_t *iv = json_is_object(v) ? json_object_get(v, "value") : NULL;
        if (json_is_number(v) || json_is_number(iv)) st->values_suppressed++;
        json_object_set_new(o, STAT_KEYS[i], json_null());
    }
}

static void mark(json_t *o, const char *how)
{
    if (!is_suppressed(o)) json_object_set_new(o, "suppressed", json_string(how));
}

/* primary check and rounding on every object, recursively */
static void guard_walk(json_t *j, const el_disclosure_policy *p, el_report_guard_stats *st)
{
    if (json_is_array(j)) {
        for (size_t i = 0; i < json_array_size(j); i++) guard_walk(json_array_get(j, i), p, st);
        return;
    }
    if (!json_is_object(j)) return;
    const char *k;
    json_t *v;
    int small = 0;
    json_object_foreach(j, k, v) {
        if (!is_count_key(k) || !json_is_number(v)) continue;
        double c = json_number_value(v);
        st->counts_checked++;
        double r = round(c);
        if (p->suppress_max >= p->suppress_min && r >= (double)p->suppress_min && r <= (double)p->suppress_max) {
            small = 1;
            st->counts_suppressed++;
            json_object_set_new(j, k, json_null());
        } else if (p->round_to > 1 && fmod(fabs(r), (double)p->round_to) != 0) {
            json_object_set_new(j, k, json_integer(el_disclosure_round(p, (int64_t)r)));
            st->counts_rounded++;
        }
    }
    if (small) mark(j, "primary");
    if (is_suppressed(j)) withdraw(j, st);
    json_object_foreach(j, k, v) guard_walk(v, p, st);
}


/* In a list of groups published beside their total: no lone suppressed group
 * (it could be recovered by subtracting the others from the total). Only
 * within one table: differencing across tables is the analysis's exact audit
 * (disclosure.h). */
static void secondary_line(json_t *groups, const char *key, const json_t *total, el_report_guard_stats *st)
{
    if (!json_is_number(total)) return;   /* no published total to subtract from */
    size_t nsup = 0, best = (size_t)-1;
    double bestv = INFINITY;
    for (size_t i = 0; i < json_array_size(groups); i++) {
        json_t *g = json_array_get(groups, i);
        if (!json_is_object(g)) continue;
        json_t *v = json_object_get(g, key);
        if (v && json_is_null(v) && is_suppressed(g)) { nsup++; continue; }
        if (json_is_number(v) && json_number_value(v) < bestv) { bestv = json_number_value(v); best = i; }
    }
    if (nsup == 1 && best != (size_t)-1) {
        json_t *g = json_array_get(groups, best);
        mark(g, "secondary");
        withdraw(g, st);
        json_object_set_new(g, key, json_null());
        st->secondary++;
    }
}

/* gaps of suppressed groups are withdrawn too */
static void gaps_follow(json_t *res, el_report_guard_stats *st)
{
    json_t *groups = json_object_get(res, "groups"), *gaps = json_object_get(res, "gaps");
    for (size_t i = 0; i < json_array_size(gaps); i++) {
        json_t *gp = json_array_get(gaps, i);
        const char *key = json_string_value(json_object_get(gp, "key"));
        const char *ref = json_string_value(json_object_get(gp, "reference"));
        for (size_t k = 0; k < json_array_size(groups); k++) {
            json_t *g = json_array_get(groups, k);
            const char *gk = json_string_value(json_object_get(g, "key"));
            if (!gk || !is_suppressed(g)) continue;
            if ((key && !strcmp(gk, key)) || (ref && !strcmp(gk, ref))) {
                mark(gp, is_suppressed(gp) ? "primary" : "secondary");
                withdraw(gp, st);
            }
        }
        if (is_suppressed(gp)) withdraw(gp, st);
    }
    /* excess and inequality summaries use every group: withdraw if any group is suppressed */
    int any = 0;
    for (size_t k = 0; k < json_array_size(groups); k++) any |= is_suppressed(json_array_get(groups, k));
    (void)any; /* excess/inequality are computed from true counts by the analysis and are not counts; kept */
}

static el_status guard_doc(json_t *doc, const el_disclosure_policy *p, el_report_guard_stats *st, size_t di,
                           el_error *err)
{
    if (!json_is_object(doc)) return el_error_set(err, EL_ERR_INVALID, "result %zu: not a JSON object", di + 1);
    guard_walk(doc, p, st);
    json_t *ls = json_object_get(doc, "lenses");
    for (size_t i = 0; i < json_array_size(ls); i++)
        secondary_line(json_object_get(json_array_get(ls, i), "groups"), "n",
                       json_object_get(json_object_get(doc, "dataset"), "rows"), st);
    json_t *res = json_object_get(doc, "results");
    for (size_t i = 0; i < json_array_size(res); i++) {
        json_t *r = json_array_get(res, i);
        json_t *ov = json_object_get(r, "overall");
        secondary_line(json_object_get(r, "groups"), "n", json_object_get(ov, "n"), st);
        secondary_line(json_object_get(r, "groups"), "numerator", json_object_get(ov, "numerator"), st);
        gaps_follow(r, st);
    }
    json_t *lw = json_object_get(doc, "longest_waiters");
    json_t *lwt = json_object_get(lw, "tables");
    for (size_t i = 0; i < json_array_size(lwt); i++) {
        secondary_line(json_object_get(json_array_get(lwt, i), "groups"), "longest", json_object_get(lw, "n_longest"), st);
        secondary_line(json_object_get(json_array_get(lwt, i), "groups"), "all", json_object_get(lw, "n_all"), st);
    }
    return EL_OK;
}

el_status el_report_guard(json_t *result, const el_disclosure_policy *p, el_report_guard_stats *stats, el_error *err)
{
    el_report_guard_stats local;
    if (!stats) stats = &local;
    memset(stats, 0, sizeof *stats);
    el_disclosure_policy dflt;
    if (!p) { el_disclosure_policy_default(&dflt); p = &dflt; }
    if (json_is_array(result)) {
        for (size_t i = 0; i < json_array_size(result); i++) {
            el_status s = guard_doc(json_array_get(result, i), p, stats, i, err);
            if (s != EL_OK) return s;
        }
        return EL_OK;
    }
    if (!json_is_object(result)) return el_error_set(err, EL_ERR_INVALID, "result model: expected a JSON object");
    return guard_doc(result, p, stats, 0, err);
}

/* ------------------------------------------------------------------ */

static const char *const DEFAULT_LENSES[] = {"imd_quintile", "ethnic_group"};

static int lens_listed(const el_report_opts *o, const char *lens)
{
    const char *const *l = o->lenses ? o->lenses : DEFAULT_LENSES;
    size_t n = o->lenses ? o->n_lenses : 2;
    if (n == 1 && !strcmp(l[0], "all")) return 1;
    for (size_t i = 0; i < n; i++) if (lens && !strcmp(l[i], lens)) return 1;
    return 0;
}

/* "Who is missing" tables are named after the census grouping they use
 * (ethnic_group_census, age_group_census): the board pack shows all three by
 * default (IMD quintile, ethnic group, age: what the section is for), and an
 * explicit --lenses list selects them by the lens they stand for. */
static int missing_lens_listed(const el_report_opts *o, const char *lens)
{
    if (!o->lenses) return 1;
    if (lens && !strcmp(lens, "ethnic_group_census")) return lens_listed(o, "ethnic_group");
    if (lens && !strcmp(lens, "age_group_census")) return lens_listed(o, "age_band");
    return lens_listed(o, lens);
}

/* keep the elements of arr[key] whose member field passes pred */
static void keep_if(json_t *obj, const char *key, const char *field, const el_report_opts *o,
                    int (*pred)(const el_report_opts *, const char *))
{
    json_t *arr = json_object_get(obj, key);
    if (!json_is_array(arr)) return;
    json_t *keep = json_array();
    for (size_t i = 0; i < json_array_size(arr); i++) {
        json_t *e = json_array_get(arr, i);
        if (pred(o, json_string_value(json_object_get(e, field)))) json_array_append(keep, e);
    }
    json_object_set_new(obj, key, keep);
}

static int listed(const el_report_opts *o, const char *metric)
{
    if (!o->n_metrics) return 1;
    for (size_t i = 0; i < o->n_metrics; i++) if (metric && !strcmp(o->metrics[i], metric)) return 1;
    return 0;
}

static const char *stratum_field(const json_t *r)
{
    return json_string_value(json_object_get(json_object_get(r, "stratum"), "field"));
}
static const char *stratum_value(const json_t *r)
{
    return json_string_value(json_object_get(json_object_get(r, "stratum"), "value"));
}

/* keep only results within field == value, promoted to unstratified */
static size_t filter_stratum(json_t *doc, const char *field, const char *value)
{
    json_t *res = json_object_get(doc, "results");
    json_t *keep = json_array();
    size_t kept = 0;
    for (size_t i = 0; i < json_array_size(res); i++) {
        json_t *r = json_array_get(res, i);
        const char *f = stratum_field(r), *v = stratum_value(r);
        if (f && v && !strcmp(f, field) && !strcmp(v, value)) {
            json_object_set_new(r, "stratum", json_null());
            json_array_append(keep, r);
            kept++;
        }
    }
    json_object_set_new(doc, "results", keep);
    return kept;
}

static int doc_filtered_by(const json_t *doc, const char *key, const char *value)
{
    const char *v = json_string_value(json_object_get(json_object_get(doc, "filters"), key));
    if (!v) v = json_string_value(json_object_get(json_object_get(doc, "options"), key));
    return v && !strcmp(v, value);
}

static el_status filter_doc(json_t *doc, const el_report_opts *o, el_error *err)
{
    keep_if(doc, "results", "metric", o, listed);
    keep_if(doc, "trends", "metric", o, listed);
    keep_if(doc, "results", "lens", o, lens_listed);
    keep_if(doc, "trends", "lens", o, lens_listed);
    json_t *mi = json_object_get(doc, "missing");
    if (json_is_object(mi)) keep_if(mi, "tables", "lens", o, missing_lens_listed);
    json_t *lwo = json_object_get(doc, "longest_waiters");
    if (json_is_object(lwo)) keep_if(lwo, "tables", "lens", o, lens_listed);
    struct { const char *want, *field, *key, *name; } f[] = {
        {o->provider, "provider_code", "provider", "provider"},
        {o->treatment_function, "treatment_function_code", "treatment_function", "treatment function"}};
    for (size_t k = 0; k < 2; k++) {
        if (!f[k].want) continue;
        if (doc_filtered_by(doc, f[k].key, f[k].want)) continue;   /* analysis already ran on that subset */
        if (!filter_stratum(doc, f[k].field, f[k].want) && json_array_size(json_object_get(doc, "results")) == 0)
            continue;
        /* a filter the model cannot honour: say so rather than show unfiltered numbers */
    }
    return EL_OK;
    (void)err;
}

el_status el_report_filter(json_t *result, const el_report_opts *o, el_error *err)
{
    if (!o) return EL_OK;
    size_t ndocs = json_is_array(result) ? json_array_size(result) : 1;
    size_t total = 0;
    for (size_t i = 0; i < ndocs; i++) {
        json_t *doc = json_is_array(result) ? json_array_get(result, i) : result;
        if (!json_is_object(doc)) return el_error_set(err, EL_ERR_INVALID, "result %zu: not a JSON object", i + 1);
        size_t before = json_array_size(json_object_get(doc, "results"));
        int prefiltered = (!o->provider || doc_filtered_by(doc, "provider", o->provider)) &&
                          (!o->treatment_function || doc_filtered_by(doc, "treatment_function", o->treatment_function));
        el_status s = filter_doc(doc, o, err);
        if (s != EL_OK) return s;
        size_t after = json_array_size(json_object_get(doc, "results"));
        if (!prefiltered && (o->provider || o->treatment_function) && after == 0 && before > 0)
            return el_error_set(err, EL_ERR_NOTFOUND,
                                "result %zu has no breakdown by %s %s; run the analysis for that subset "
                                "(equitylens report --db ... --dataset ... %s %s)",
                                i + 1, o->provider ? "provider" : "treatment function",
                                o->provider ? o->provider : o->treatment_function,
                                o->provider ? "--provider" : "--treatment-function",
                                o->provider ? o->provider : o->treatment_function);
        total += after;
    }
    if (o->n_metrics && total == 0)
        return el_error_set(err, EL_ERR_NOTFOUND, "none of the requested metrics is in the result");
    if (o->lenses && total == 0)
        return el_error_set(err, EL_ERR_NOTFOUND, "none of the requested lenses is in the result");
    return EL_OK;
}

/* ------------------------------------------------------------------ */

static char *find_in_path(const char *name)
{
    const char *path = getenv("PATH");
    if (!path) path = "/usr/bin:/bin";
    char *dup = strdup(path);
    if (!dup) return NULL;
    char *save = NULL, *found = NULL;
    for (char *d = strtok_r(dup, ":", &save); d && !found; d = strtok_r(NULL, ":", &save)) {
        char buf[4096];
        snprintf(buf, sizeof buf, "%s/%s", *d ? d : ".", name);
        if (access(buf, X_OK) == 0) found = strdup(buf);
    }
    free(dup);
    return found;
}

char *el_report_find_chromium(void);
char *el_report_find_chromium(void)
{
    const char *env = getenv("EL_CHROMIUM");
    if (env && *env) return access(env, X_OK) == 0 ? strdup(env) : NULL;
    static const char *const names[] = {"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char *p = find_in_path(names[i]);
        if (p) return p;
    }
    return NULL;
}

static int rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb; (void)flag; (void)ftw;
    remove(p);
    return 0;
}

el_status el_report_pdf(const char *html_path, const char *pdf_path, el_error *err)
{
    char *chrome = el_report_find_chromium();
    if (!chrome) return el_error_set(err, EL_ERR_NOTFOUND, "PDF needs headless Chromium: install the Debian package "
                                                           "'chromium' (scripts/setup.sh) or set EL_CHROMIUM");
    char abs_html[4096], url[4200], pdfarg[4200], udd[] = "/tmp/equitylens-chromium-XXXXXX", uddarg[128];
    if (!realpath(html_path, abs_html)) {
        free(chrome);
        return el_error_set(err, EL_ERR_IO, "%s: %s", html_path, strerror(errno));
    }
    if (!mkdtemp(udd)) {
        free(chrome);
        return el_error_set(err, EL_ERR_IO, "cannot create a temporary profile directory: %s", strerror(errno));
    }
    snprintf(url, sizeof url, "file://%s", abs_html);
    snprintf(pdfarg, sizeof pdfarg, "--print-to-pdf=%s", pdf_path);
    snprintf(uddarg, sizeof uddarg, "--user-data-dir=%s", udd);
    char *argv[] = {chrome, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-extensions",
                    "--no-pdf-header-footer", "--run-all-compositor-stages-before-draw", uddarg, pdfarg, url, NULL};
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    pid_t pid;
    remove(pdf_path);
    int rc = posix_spawn(&pid, chrome, &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    el_status st = EL_OK;
    if (rc != 0) {
        st = el_error_set(err, EL_ERR_IO, "cannot start %s: %s", chrome, strerror(rc));
    } else {
        int wst = 0;
        while (waitpid(pid, &wst, 0) < 0 && errno == EINTR) {}
        struct stat sb;
        if (!WIFEXITED(wst) || WEXITSTATUS(wst) != 0 || stat(pdf_path, &sb) != 0 || sb.st_size == 0)
            st = el_error_set(err, EL_ERR_IO, "%s did not produce %s (exit status %d)", chrome, pdf_path,
                              WIFEXITED(wst) ? WEXITSTATUS(wst) : -1);
    }
    nftw(udd, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    free(chrome);
    return st;
}
