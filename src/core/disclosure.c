/* disclosure.c — statistical disclosure control (see disclosure.h).
 *
 * Attacker model used by the audit (docs/analysis.md, "Disclosure control"):
 * the attacker sees every published cell and margin, knows the policy, knows
 * which "*" cells are primary (true value in [suppress_min, suppress_max])
 * and that secondary cells are non-zero counts above suppress_max (the
 * heuristic never picks a zero or a small cell). A shown cell r stands for
 * every v that rounds to r and is not itself suppressible (convex hull).
 * Unpublished margins are free (>= 0). The consistent tables are the integer
 * points of a transportation polytope with bounds, whose constraint matrix is
 * totally unimodular, so integer feasibility = feasibility of a circulation
 * with lower bounds, decided exactly by a max-flow. A primary cell is
 * "recovered" iff neither v-1 nor v+1 is feasible (the feasible values of one
 * coordinate form an integer interval). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include "equitylens/disclosure.h"

#define DC_BIG ((int64_t)1 << 50)

void el_disclosure_policy_default(el_disclosure_policy *p)
{
    memset(p, 0, sizeof *p);
    p->suppress_min = 1;
    p->suppress_max = 7;
    p->round_to = 5;
    p->secondary = 1;
    p->value_decimals = 1;
    strcpy(p->mask, "*");
}

static int suppress_on(const el_disclosure_policy *p) { return p->suppress_max >= p->suppress_min; }

static int is_small(const el_disclosure_policy *p, int64_t v)
{
    return suppress_on(p) && v >= p->suppress_min && v <= p->suppress_max;
}

el_status el_disclosure_policy_parse(el_disclosure_policy *p, const char *spec, el_error *err)
{
    if (!spec) return el_error_set(err, EL_ERR_INVALID, "disclosure policy: empty");
    el_disclosure_policy q = *p;
    char buf[256];
    if (strlen(spec) >= sizeof buf)
        return el_error_set(err, EL_ERR_INVALID, "disclosure policy: too long");
    strcpy(buf, spec);
    char *save = NULL;
    for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(tok, '=');
        if (!eq) return el_error_set(err, EL_ERR_INVALID, "disclosure policy: '%s' is not key=value", tok);
        *eq = 0;
        const char *k = tok, *v = eq + 1;
        char *end;
        if (!strcmp(k, "suppress")) {
            if (!strcmp(v, "off")) { q.suppress_min = 1; q.suppress_max = 0; continue; }
            long a = strtol(v, &end, 10);
            if (end == v || *end != '-') goto bad;
            const char *v2 = end + 1;
            long b = strtol(v2, &end, 10);
            if (end == v2 || *end || a < 1 || b < a || b > 1000000) goto bad;
            q.suppress_min = a; q.suppress_max = b;
        } else if (!strcmp(k, "round")) {
            long a = strtol(v, &end, 10);
            if (end == v || *end || a < 1 || a > 1000000) goto bad;
            q.round_to = a;
        } else if (!strcmp(k, "secondary")) {
            if (!strcmp(v, "on")) q.secondary = 1;
            else if (!strcmp(v, "off")) q.secondary = 0;
            else goto bad;
        } else if (!strcmp(k, "decimals")) {
            long a = strtol(v, &end, 10);
            if (end == v || *end || a < 0 || a > 6) goto bad;
            q.value_decimals = (int)a;
        } else if (!strcmp(k, "mask")) {
            size_t n = strlen(v);
            if (n < 1 || n >= sizeof q.mask) goto bad;
            strcpy(q.mask, v);
        } else {
            return el_error_set(err, EL_ERR_INVALID,
                                "disclosure policy: unknown key '%s' (suppress, round, secondary, decimals, mask)", k);
        }
        continue;
bad:
        return el_error_set(err, EL_ERR_INVALID, "disclosure policy: bad value '%s' for '%s'", v, k);
    }
    *p = q;
    return EL_OK;
}

void el_disclosure_policy_describe(const el_disclosure_policy *p, char *buf, size_t cap)
{
    if (!cap) return;
    char a[128], b[96];
    if (suppress_on(p))
        snprintf(a, sizeof a, "counts %lld\xe2\x80\x93%lld shown as %s", (long long)p->suppress_min,
                 (long long)p->suppress_max, p->mask);
    else
        snprintf(a, sizeof a, "no small-count suppression");
    if (p->round_to > 1)
        snprintf(b, sizeof b, "other counts rounded to the nearest %lld", (long long)p->round_to);
    else
        snprintf(b, sizeof b, "other counts not rounded");
    snprintf(buf, cap,
             "Disclosure control: %s; %s; rates and statistics with a suppressed numerator or "
             "denominator suppressed; %s; values to %d decimal place%s.",
             a, b,
             p->secondary ? "secondary suppression protects totals (audited)" : "no secondary suppression",
             p->value_decimals, p->value_decimals == 1 ? "" : "s");
}

int64_t el_disclosure_round(const el_disclosure_policy *p, int64_t count)
{
    int64_t k = p->round_to;
    if (k <= 1) return count;
    if (count >= 0) return (count + k / 2) / k * k;
    return -((-count + k / 2) / k * k);
}

el_dc_state el_disclosure_count(const el_disclosure_policy *p, int64_t count, int64_t *published)
{
    if (is_small(p, count)) {
        if (published) *published = -1;
        return EL_DC_PRIMARY;
    }
    if (published) *published = el_disclosure_round(p, count);
    return EL_DC_SHOWN;
}

int el_dc_publishable(el_dc_state numerator, el_dc_state denominator)
{
    return numerator == EL_DC_SHOWN && denominator == EL_DC_SHOWN;
}

double el_disclosure_round_value(const el_disclosure_policy *p, double v)
{
    if (!isfinite(v)) return v;
    double m = pow(10.0, p->value_decimals);
    double r = round(v * m) / m;
    return r == 0 ? 0.0 : r;  /* no "-0" */
}

/* ---------------------------------------------------------------- tables */

struct el_dc_table {
    size_t R, C;          /* inner size; grid is (R+1) x (C+1) */
    int row_totals, col_totals;
    int64_t *v;           /* true values, grid */
    unsigned char *st;    /* el_dc_state per grid cell */
    unsigned char *keep;  /* 1 = avoid as a secondary cell */
    int protected_;
    el_disclosure_policy pol;  /* the policy protect() applied */
    int fallback;         /* 1 if a zero cell had to be suppressed */
};

#define AT(t, i, j) ((i) * ((t)->C + 1) + (j))

el_dc_table *el_dc_table_new(size_t rows, size_t cols, int row_totals, int col_totals)
{
    if (!rows || !cols || rows > 100000 || cols > 100000) return NULL;
    el_dc_table *t = calloc(1, sizeof *t);
    if (!t) return NULL;
    t->R = rows; t->C = cols;
    t->row_totals = row_totals; t->col_totals = col_totals;
    size_t n = (rows + 1) * (cols + 1);
    t->v = calloc(n, sizeof *t->v);
    t->st = calloc(n, 1);
    t->keep = calloc(n, 1);
    if (!t->v || !t->st || !t->keep) { el_dc_table_free(t); return NULL; }
    return t;
}

void el_dc_table_free(el_dc_table *t)
{
    if (!t) return;
    free(t->v);
    free(t->st);
    free(t->keep);
    free(t);
}

void el_dc_table_prefer_keep(el_dc_table *t, size_t row, size_t col)
{
    if (row <= t->R && col <= t->C && t->keep[AT(t, row, col)] < 255) t->keep[AT(t, row, col)]++;
}

size_t el_dc_table_rows(const el_dc_table *t) { return t->R; }
size_t el_dc_table_cols(const el_dc_table *t) { return t->C; }

void el_dc_table_set(el_dc_table *t, size_t row, size_t col, int64_t count)
{
    if (row >= t->R || col >= t->C) return;
    t->v[AT(t, row, col)] = count;
    t->protected_ = 0;
}

static int published_cell(const el_dc_table *t, size_t i, size_t j)
{
    if (i < t->R && j < t->C) return 1;
    if (i == t->R && j == t->C) return 1;
    if (j == t->C) return t->row_totals;
    return t->col_totals;
}

int64_t el_dc_table_true(const el_dc_table *t, size_t row, size_t col)
{
    if (row > t->R || col > t->C) return 0;
    return t->v[AT(t, row, col)];
}

el_dc_state el_dc_table_state(const el_dc_table *t, size_t row, size_t col)
{
    if (row > t->R || col > t->C) return EL_DC_PRIMARY;
    return (el_dc_state)t->st[AT(t, row, col)];
}

int64_t el_dc_table_published(const el_dc_table *t, size_t row, size_t col)
{
    if (!t->protected_ || row > t->R || col > t->C || t->st[AT(t, row, col)] != EL_DC_SHOWN) return -1;
    return el_disclosure_round(&t->pol, t->v[AT(t, row, col)]);
}

/* ---- max-flow (Edmonds–Karp on an adjacency list) ---- */
typedef struct { int to; int64_t cap; } fedge;
typedef struct {
    int n;
    fedge *e; size_t ne, cap_e;
    int **adj; int *deg, *adjcap;
} fgraph;

static int fg_init(fgraph *g, int n)
{
    memset(g, 0, sizeof *g);
    g->n = n;
    g->adj = calloc((size_t)n, sizeof *g->adj);
    g->deg = calloc((size_t)n, sizeof *g->deg);
    g->adjcap = calloc((size_t)n, sizeof *g->adjcap);
    return g->adj && g->deg && g->adjcap ? 0 : -1;
}

static void fg_free(fgraph *g)
{
    if (g->adj) for (int i = 0; i < g->n; i++) free(g->adj[i]);
    free(g->adj); free(g->deg); free(g->adjcap); free(g->e);
}

static int fg_adj(fgraph *g, int u, int ei)
{
    if (g->deg[u] == g->adjcap[u]) {
        int nc = g->adjcap[u] ? 2 * g->adjcap[u] : 4;
        int *na = realloc(g->adj[u], (size_t)nc * sizeof *na);
        if (!na) return -1;
        g->adj[u] = na; g->adjcap[u] = nc;
    }
    g->adj[u][g->deg[u]++] = ei;
    return 0;
}

static int fg_edge(fgraph *g, int u, int v, int64_t cap)
{
    if (g->ne + 2 > g->cap_e) {
        size_t nc = g->cap_e ? 2 * g->cap_e : 64;
        fedge *ne = realloc(g->e, nc * sizeof *ne);
        if (!ne) return -1;
        g->e = ne; g->cap_e = nc;
    }
    g->e[g->ne] = (fedge){v, cap};
    g->e[g->ne + 1] = (fedge){u, 0};
    if (fg_adj(g, u, (int)g->ne) || fg_adj(g, v, (int)g->ne + 1)) return -1;
    g->ne += 2;
    return 0;
}

static int64_t fg_maxflow(fgraph *g, int s, int t)
{
    int64_t flow = 0;
    int *prev = malloc((size_t)g->n * sizeof *prev);
    int *q = malloc((size_t)g->n * sizeof *q);
    if (!prev || !q) { free(prev); free(q); return -1; }
    for (;;) {
        for (int i = 0; i < g->n; i++) prev[i] = -1;
        int qh = 0, qt = 0;
        q[qt++] = s;
        prev[s] = -2;
        while (qh < qt && prev[t] == -1) {
            int u = q[qh++];
            for (int k = 0; k < g->deg[u]; k++) {
                int ei = g->adj[u][k];
                int v = g->e[ei].to;
                if (g->e[ei].cap > 0 && prev[v] == -1) { prev[v] = ei; q[qt++] = v; }
            }
        }
        if (prev[t] == -1) break;
        int64_t aug = DC_BIG * 4;
        for (int v = t; v != s; v = g->e[prev[v] ^ 1].to)
            if (g->e[prev[v]].cap < aug) aug = g->e[prev[v]].cap;
        for (int v = t; v != s; v = g->e[prev[v] ^ 1].to) {
            g->e[prev[v]].cap -= aug;
            g->e[prev[v] ^ 1].cap += aug;
        }
        flow += aug;
    }
    free(prev); free(q);
    return flow;
}

/* Attacker bounds of grid cell k given the current states. */
static void cell_bounds(const el_dc_table *t, const el_disclosure_policy *p, size_t i, size_t j,
                        int64_t *lo, int64_t *hi)
{
    size_t k = AT(t, i, j);
    if (!published_cell(t, i, j)) { *lo = 0; *hi = DC_BIG; return; }
    switch ((el_dc_state)t->st[k]) {
    case EL_DC_PRIMARY: *lo = p->suppress_min; *hi = p->suppress_max; return;
    case EL_DC_SECONDARY:
        /* the heuristic only hides shown non-zero counts */
        *lo = t->fallback ? 0 : (suppress_on(p) && p->suppress_min <= 1 ? p->suppress_max + 1 : 1);
        *hi = DC_BIG;
        return;
    case EL_DC_SHOWN: break;
    }
    int64_t r = el_disclosure_round(p, t->v[k]);
    int64_t kk = p->round_to > 1 ? p->round_to : 1;
    int64_t a = kk > 1 ? r - kk / 2 : r, b = kk > 1 ? r - kk / 2 + kk - 1 : r;
    if (a < 0) a = 0;
    if (suppress_on(p)) {
        /* remove the suppressible range; keep the convex hull of what is left */
        if (a >= p->suppress_min && a <= p->suppress_max) a = p->suppress_max + 1;
        if (b >= p->suppress_min && b <= p->suppress_max) b = p->suppress_min - 1;
        if (a > b) { a = b = t->v[k]; }  /* cannot happen for a shown value; be safe */
    }
    *lo = a; *hi = b;
}

/* Is there an integer table consistent with the published view in which
 * cell (fi, fj) equals val? (fi = SIZE_MAX: no fixing.) -1 on OOM. */
static int feasible(const el_dc_table *t, const el_disclosure_policy *p, size_t fi, size_t fj, int64_t val)
{
    int R = (int)t->R, C = (int)t->C;
    int S = 0, T = R + C + 1, SS = R + C + 2, TT = R + C + 3, n = R + C + 4;
    fgraph g;
    int64_t *excess = calloc((size_t)n, sizeof *excess);
    if (!excess || fg_init(&g, n)) { free(excess); fg_free(&g); return -1; }
    int rc = 0;
    for (size_t i = 0; i <= t->R && !rc; i++)
        for (size_t j = 0; j <= t->C && !rc; j++) {
            int64_t lo, hi;
            cell_bounds(t, p, i, j, &lo, &hi);
            if (i == fi && j == fj) {
                if (val < lo || val > hi) { rc = 1; break; }
                lo = hi = val;
            }
            int u, v;
            if (i < t->R && j < t->C) { u = 1 + (int)i; v = 1 + R + (int)j; }
            else if (i < t->R) { u = S; v = 1 + (int)i; }           /* row total */
            else if (j < t->C) { u = 1 + R + (int)j; v = T; }       /* column total */
            else { u = T; v = S; }                                   /* grand total */
            if (fg_edge(&g, u, v, hi - lo)) rc = -1;
            excess[v] += lo;
            excess[u] -= lo;
        }
    int64_t need = 0;
    if (!rc) {
        for (int x = 0; x < SS && !rc; x++) {
            if (excess[x] > 0) { if (fg_edge(&g, SS, x, excess[x])) rc = -1; need += excess[x]; }
            else if (excess[x] < 0) { if (fg_edge(&g, x, TT, -excess[x])) rc = -1; }
        }
    }
    int result;
    if (rc == 1) result = 0;           /* val outside the cell's own bounds */
    else if (rc < 0) result = -1;
    else {
        int64_t f = fg_maxflow(&g, SS, TT);
        result = f < 0 ? -1 : f == need;
    }
    free(excess);
    fg_free(&g);
    return result;
}

el_status el_dc_table_feasible_range(const el_dc_table *t, const el_disclosure_policy *p,
                                     size_t row, size_t col, int64_t *lo, int64_t *hi)
{
    if (!t->protected_ || row > t->R || col > t->C) return EL_ERR_INVALID;
    int64_t v = t->v[AT(t, row, col)];
    int f = feasible(t, p, row, col, v);
    if (f < 0) return EL_ERR_NOMEM;
    if (!f) return EL_ERR_INTERNAL;  /* the truth must be consistent */
    /* exponential then binary search each side; the feasible set is an interval */
    int64_t a = v, step = 1;
    for (;;) {
        int64_t c = a - step;
        if (c < 0) c = 0;
        if (c == a) break;
        int r = feasible(t, p, row, col, c);
        if (r < 0) return EL_ERR_NOMEM;
        if (!r) break;
        a = c; step *= 2;
    }
    int64_t lb = a - step < 0 ? 0 : a - step;  /* infeasible or 0-bound */
    while (lb < a - 1) {
        int64_t m = lb + (a - lb) / 2;
        int r = feasible(t, p, row, col, m);
        if (r < 0) return EL_ERR_NOMEM;
        if (r) a = m; else lb = m;
    }
    if (a - 1 >= 0 && a - 1 == lb && lb >= 0) {
        int r = feasible(t, p, row, col, lb);
        if (r < 0) return EL_ERR_NOMEM;
        if (r) a = lb;
    }
    int64_t b = v;
    step = 1;
    for (;;) {
        int64_t c = b + step;
        if (c > DC_BIG) break;
        int r = feasible(t, p, row, col, c);
        if (r < 0) return EL_ERR_NOMEM;
        if (!r) break;
        b = c; step *= 2;
    }
    int64_t ub = b + step;
    while (ub > b + 1) {
        int64_t m = b + (ub - b) / 2;
        int r = feasible(t, p, row, col, m);
        if (r < 0) return EL_ERR_NOMEM;
        if (r) b = m; else ub = m;
    }
    *lo = a; *hi = b;
    return EL_OK;
}

/* 1 if primary cell (i,j) is pinned to one value; -1 on OOM. Reference
 * implementation (two max-flows); the audit uses pinned_fast() below and
 * falls back to this only if the truth is outside the attacker's bounds. */
static int pinned_flow(const el_dc_table *t, const el_disclosure_policy *p, size_t i, size_t j)
{
    int64_t v = t->v[AT(t, i, j)];
    int a = feasible(t, p, i, j, v - 1);
    if (a < 0) return -1;
    if (a) return 0;
    int b = feasible(t, p, i, j, v + 1);
    if (b < 0) return -1;
    return !b;
}

/* ---- fast exact pinned test: reachability in the residual graph of the truth ----
 *
 * The consistent tables are the integer circulations x of the network used by
 * feasible() (nodes S, rows, columns, T; one arc per grid cell k with bounds
 * [lo_k, hi_k]). The true table x* is one of them whenever lo_k <= x*_k <= hi_k
 * for every k (checked; otherwise we fall back to max-flow). Claim: for a cell
 * e = (u -> w) with x*_e = v, a consistent table with x_e = v - 1 exists iff
 * v - 1 >= lo_e and w is reachable from u in the residual graph of x* with
 * e's own arcs removed (residual arcs: a -> b for a cell with x*_k < hi_k,
 * b -> a for one with x*_k > lo_k).
 *  (if) push one unit along the path and take one unit off e: conservation
 *      holds, every cell stays within its bounds, values stay integer.
 *  (only if) d = x - x* is an integer circulation with d_e = -1. By conformal
 *      decomposition (Ahuja, Magnanti & Orlin, Network Flows, 1993, Thm 3.5
 *      applied to circulations) d is a sum of integer simple cycles, each
 *      using cell k only in the direction of sign(d_k); one of them uses e
 *      backwards, and the rest of that simple cycle is a u -> w path that does
 *      not use e, whose arcs have x*_k < hi_k (d_k > 0) or x*_k > lo_k
 *      (d_k < 0), i.e. are residual arcs.
 * Symmetrically v + 1 is feasible iff v + 1 <= hi_e and u is reachable from w.
 * So the answer is exactly that of the two max-flows in pinned_flow() at the
 * cost of two breadth-first searches, with no allocation per query. */
typedef struct {
    int n;                 /* nodes: S = 0, rows 1..R, columns R+1..R+C, T = R+C+1 */
    size_t ncell;          /* (R+1)(C+1) grid cells = arcs */
    int *tail, *head;      /* per cell */
    int64_t *lo, *hi;      /* per cell, attacker bounds for the current states */
    int *start, *inc;      /* CSR: cells incident to each node, as 2*cell + (node is head) */
    unsigned *mark; unsigned stamp;
    int *q;
    int truth_ok;          /* 1 if the truth lies within every cell's bounds */
} dc_work;

static void dcw_free(dc_work *w)
{
    free(w->tail); free(w->head); free(w->lo); free(w->hi);
    free(w->start); free(w->inc); free(w->mark); free(w->q);
}

static int dcw_init(dc_work *w, const el_dc_table *t)
{
    memset(w, 0, sizeof *w);
    size_t R = t->R, C = t->C;
    w->n = (int)(R + C + 2);
    w->ncell = (R + 1) * (C + 1);
    size_t n = (size_t)w->n, m = w->ncell;
    w->tail = malloc(m * sizeof *w->tail);
    w->head = malloc(m * sizeof *w->head);
    w->lo = malloc(m * sizeof *w->lo);
    w->hi = malloc(m * sizeof *w->hi);
    w->start = calloc(n + 1, sizeof *w->start);
    w->inc = malloc(2 * m * sizeof *w->inc);
    w->mark = calloc(n, sizeof *w->mark);
    w->q = malloc(n * sizeof *w->q);
    if (!w->tail || !w->head || !w->lo || !w->hi || !w->start || !w->inc || !w->mark || !w->q) {
        dcw_free(w);
        return -1;
    }
    int S = 0, T = (int)(R + C + 1);
    for (size_t i = 0; i <= R; i++)
        for (size_t j = 0; j <= C; j++) {
            size_t k = AT(t, i, j);
            int u, v;
            if (i < R && j < C) { u = 1 + (int)i; v = 1 + (int)R + (int)j; }
            else if (i < R) { u = S; v = 1 + (int)i; }            /* row total */
            else if (j < C) { u = 1 + (int)R + (int)j; v = T; }   /* column total */
            else { u = T; v = S; }                                  /* grand total */
            w->tail[k] = u; w->head[k] = v;
            w->start[u + 1]++; w->start[v + 1]++;
        }
    for (size_t x = 0; x < n; x++) w->start[x + 1] += w->start[x];
    int *fill = w->q;  /* scratch: next free slot per node */
    for (size_t x = 0; x < n; x++) fill[x] = w->start[x];
    for (size_t k = 0; k < m; k++) {
        w->inc[fill[w->tail[k]]++] = (int)(2 * k);
        w->inc[fill[w->head[k]]++] = (int)(2 * k + 1);
    }
    return 0;
}

/* Recompute every cell's bounds from the current states. */
static void dcw_bounds(dc_work *w, const el_dc_table *t, const el_disclosure_policy *p)
{
    w->truth_ok = 1;
    for (size_t i = 0; i <= t->R; i++)
        for (size_t j = 0; j <= t->C; j++) {
            size_t k = AT(t, i, j);
            cell_bounds(t, p, i, j, &w->lo[k], &w->hi[k]);
            if (t->v[k] < w->lo[k] || t->v[k] > w->hi[k]) w->truth_ok = 0;
        }
}

/* Is node dst reachable from src by residual arcs of the truth, not using cell skip? */
static int dcw_reach(dc_work *w, const el_dc_table *t, int src, int dst, size_t skip)
{
    if (++w->stamp == 0) {  /* wrapped: reset marks */
        memset(w->mark, 0, (size_t)w->n * sizeof *w->mark);
        w->stamp = 1;
    }
    unsigned s = w->stamp;
    int qh = 0, qt = 0;
    w->q[qt++] = src;
    w->mark[src] = s;
    while (qh < qt) {
        int x = w->q[qh++];
        for (int a = w->start[x]; a < w->start[x + 1]; a++) {
            size_t k = (size_t)(w->inc[a] >> 1);
            if (k == skip) continue;
            int y;
            if (w->inc[a] & 1) {  /* x is the head: backward arc, needs room below */
                if (t->v[k] <= w->lo[k]) continue;
                y = w->tail[k];
            } else {              /* x is the tail: forward arc, needs room above */
                if (t->v[k] >= w->hi[k]) continue;
                y = w->head[k];
            }
            if (w->mark[y] == s) continue;
            if (y == dst) return 1;
            w->mark[y] = s;
            w->q[qt++] = y;
        }
    }
    return 0;
}

/* Same answer as pinned_flow() (see the proof above); w's bounds must be current. */
static int pinned_fast(dc_work *w, const el_dc_table *t, const el_disclosure_policy *p, size_t i, size_t j)
{
    if (!w->truth_ok) return pinned_flow(t, p, i, j);
    size_t k = AT(t, i, j);
    int64_t v = t->v[k];
    if (v - 1 >= w->lo[k] && dcw_reach(w, t, w->tail[k], w->head[k], k)) return 0;
    if (v + 1 <= w->hi[k] && dcw_reach(w, t, w->head[k], w->tail[k], k)) return 0;
    return 1;
}

size_t el_dc_table_audit(const el_dc_table *t, const el_disclosure_policy *p)
{
    size_t n = 0;
    if (!t->protected_) return 0;
    dc_work w;
    int fast = dcw_init(&w, t) == 0;
    if (fast) dcw_bounds(&w, t, p);
    for (size_t i = 0; i <= t->R; i++)
        for (size_t j = 0; j <= t->C; j++)
            if (published_cell(t, i, j) && t->st[AT(t, i, j)] == EL_DC_PRIMARY &&
                (fast ? pinned_fast(&w, t, p, i, j) : pinned_flow(t, p, i, j)) != 0)
                n++;
    if (fast) dcw_free(&w);
    return n;
}

/* Suppress the smallest eligible (shown, published, > suppress_max or
 * allow_zero) cell among the line through (i,j): dir 0 = its row, 1 = its
 * column, 2 = either. Returns 1 if a cell was suppressed. */
static int suppress_partner(el_dc_table *t, const el_disclosure_policy *p, size_t i, size_t j, int dir,
                            int allow_zero)
{
    size_t best = SIZE_MAX;
    int64_t bestv = 0;
    int best_margin = 1, best_keep = 1;
    for (int d = 0; d < 2; d++) {
        if (dir != 2 && dir != d) continue;
        size_t len = d == 0 ? t->C + 1 : t->R + 1;
        for (size_t x = 0; x < len; x++) {
            size_t ci = d == 0 ? i : x, cj = d == 0 ? x : j;
            if (ci == i && cj == j) continue;
            size_t k = AT(t, ci, cj);
            if (!published_cell(t, ci, cj) || t->st[k] != EL_DC_SHOWN) continue;
            if (!allow_zero && t->v[k] == 0) continue;
            int margin = ci == t->R || cj == t->C, kp = t->keep[k];
            /* prefer cells not marked keep, then inner cells, then the smallest value */
            if (best == SIZE_MAX || kp < best_keep || (kp == best_keep && margin < best_margin) ||
                (kp == best_keep && margin == best_margin && t->v[k] < bestv)) {
                best = k; bestv = t->v[k]; best_margin = margin; best_keep = kp;
            }
        }
    }
    if (best == SIZE_MAX) return 0;
    t->st[best] = EL_DC_SECONDARY;
    return 1;
}

el_status el_dc_table_protect(el_dc_table *t, const el_disclosure_policy *p, el_error *err)
{
    size_t R = t->R, C = t->C;
    for (size_t i = 0; i < R; i++)
        for (size_t j = 0; j < C; j++)
            if (t->v[AT(t, i, j)] < 0)
                return el_error_set(err, EL_ERR_INVALID, "disclosure: negative count in cell (%zu, %zu)", i, j);
    /* margins */
    for (size_t i = 0; i <= R; i++) t->v[AT(t, i, C)] = 0;
    for (size_t j = 0; j <= C; j++) t->v[AT(t, R, j)] = 0;
    for (size_t i = 0; i < R; i++)
        for (size_t j = 0; j < C; j++) {
            int64_t x = t->v[AT(t, i, j)];
            t->v[AT(t, i, C)] += x;
            t->v[AT(t, R, j)] += x;
            t->v[AT(t, R, C)] += x;
        }
    t->fallback = 0;
    t->pol = *p;
    /* primary */
    for (size_t i = 0; i <= R; i++)
        for (size_t j = 0; j <= C; j++)
            t->st[AT(t, i, j)] = published_cell(t, i, j) && is_small(p, t->v[AT(t, i, j)])
                                     ? EL_DC_PRIMARY : EL_DC_SHOWN;
    t->protected_ = 1;
    if (!p->secondary || !suppress_on(p)) return EL_OK;
    /* heuristic: no line with a published total holds exactly one suppressed cell */
    for (int changed = 1; changed;) {
        changed = 0;
        for (int d = 0; d < 2; d++) {
            size_t nlines = d == 0 ? R + 1 : C + 1;
            for (size_t L = 0; L < nlines; L++) {
                size_t ti = d == 0 ? L : R, tj = d == 0 ? C : L;  /* the line's total */
                if (!published_cell(t, ti, tj)) continue;
                size_t len = d == 0 ? C + 1 : R + 1, nsup = 0, where = 0;
                for (size_t x = 0; x < len; x++) {
                    size_t ci = d == 0 ? L : x, cj = d == 0 ? x : L;
                    if (published_cell(t, ci, cj) && t->st[AT(t, ci, cj)] != EL_DC_SHOWN) { nsup++; where = x; }
                }
                if (nsup != 1) continue;
                size_t ci = d == 0 ? L : where, cj = d == 0 ? where : L;
                if (suppress_partner(t, p, ci, cj, d, 0)) changed = 1;
            }
        }
    }
    /* exact audit loop (meaningless when the suppressed range is one value:
     * then "*" itself says what the count is) */
    if (p->suppress_max == p->suppress_min) return EL_OK;
    dc_work w;
    if (dcw_init(&w, t)) return el_error_set(err, EL_ERR_NOMEM, "disclosure: out of memory");
    for (;;) {
        int fixed_any = 0, exposed = 0;
        dcw_bounds(&w, t, p);  /* states changed since the last pass */
        for (size_t i = 0; i <= R; i++)
            for (size_t j = 0; j <= C; j++) {
                if (!published_cell(t, i, j) || t->st[AT(t, i, j)] != EL_DC_PRIMARY) continue;
                int r = pinned_fast(&w, t, p, i, j);
                if (r < 0) { dcw_free(&w); return el_error_set(err, EL_ERR_NOMEM, "disclosure: out of memory"); }
                if (!r) continue;
                exposed = 1;
                if (suppress_partner(t, p, i, j, 2, 0)) { fixed_any = 1; goto again; }
            }
        if (!exposed) { dcw_free(&w); return EL_OK; }
        if (!fixed_any) {
            /* nothing left to hide in the exposed cells' lines: suppress the
             * smallest shown non-zero cell anywhere, else everything */
            size_t best = SIZE_MAX;
            for (size_t k = 0; k < (R + 1) * (C + 1); k++) {
                size_t i = k / (C + 1), j = k % (C + 1);
                if (published_cell(t, i, j) && t->st[k] == EL_DC_SHOWN && t->v[k] > 0 &&
                    (best == SIZE_MAX || t->keep[k] < t->keep[best] ||
                     (t->keep[k] == t->keep[best] && t->v[k] < t->v[best])))
                    best = k;
            }
            if (best != SIZE_MAX) { t->st[best] = EL_DC_SECONDARY; continue; }
            for (size_t k = 0; k < (R + 1) * (C + 1); k++)
                if (t->st[k] == EL_DC_SHOWN) t->st[k] = EL_DC_SECONDARY;
            t->fallback = 1;
            dcw_free(&w);
            return EL_OK;
        }
again:;
    }
}
