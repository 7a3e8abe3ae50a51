/*
** uplift.c -- uplift evaluation (`strata uplift eval`): qini and uplift curves and their normalised areas,
** uplift at k, uplift by percentile and the weighted average uplift, with scikit-uplift 0.5.1's definitions
** (docs/uplift.md), from one radix sort of the scores and one pass over the rows in that order.
*/
#include "core/arms.h"
#include "core/json.h"
#include "num/sort.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

void st_uplift_eval_options_init(st_uplift_eval_options *opts)
{
    if (!opts) return;
    memset(opts, 0, sizeof *opts);
    opts->k = 0.3;
    opts->bins = 10;
    opts->curve_points = 1000;
}

/* ---- compensated sums (Neumaier): means and areas within 1e-9 of numpy's pairwise sums on long columns ---- */

typedef struct up_sum {
    double s, c;
} up_sum;

static void up_add(up_sum *a, double x)
{
    double t = a->s + x;
    a->c += fabs(a->s) >= fabs(x) ? (a->s - t) + x : (x - t) + a->s;
    a->s = t;
}

static double up_total(const up_sum *a) { return a->s + a->c; }

/* ---- curves: points at the end of each run of equal scores; the area (trapezoids) over every point, the
** points kept evenly spaced by position ---- */

typedef struct up_curve {
    size_t total;     /* points the whole curve has, (0, 0) included */
    size_t keep;      /* points kept: min(total, curve_points) */
    size_t p;         /* points seen so far */
    size_t next;      /* index in [0, keep) of the next point to keep */
    double lx, ly;    /* the last point seen */
    up_sum area;
    double *x, *y;    /* keep points each */
    size_t n;         /* points stored */
} up_curve;

struct st_uplift_eval {
    st_context *ctx;
    st_uplift_scores s;
    st_uplift_bin *bins;
    size_t nbins;
    up_curve curve[4];
};

/* Position of the j-th kept point among total points when keep < total: round(j (total-1) / (keep-1)). */
static size_t up_pick(const up_curve *c, size_t j)
{
    if (c->keep >= c->total) return j;
    uint64_t num = (uint64_t)j * (uint64_t)(c->total - 1) * 2u + (uint64_t)(c->keep - 1);
    return (size_t)(num / (2u * (uint64_t)(c->keep - 1)));
}

static st_status up_curve_init(st_context *ctx, up_curve *c, size_t total, size_t max_points)
{
    memset(c, 0, sizeof *c);
    c->total = total;
    c->keep = max_points == 0 || total <= max_points ? total : max_points;
    c->x = st__malloc(ctx, c->keep * sizeof *c->x);
    c->y = st__malloc(ctx, c->keep * sizeof *c->y);
    if (!c->x || !c->y) return st__error(ctx, ST_ENOMEM, "uplift: out of memory for a curve of %zu points", c->keep);
    return ST_OK;
}

static void up_curve_free(st_context *ctx, up_curve *c)
{
    st__free(ctx, c->x, c->keep * sizeof *c->x);
    st__free(ctx, c->y, c->keep * sizeof *c->y);
    c->x = c->y = NULL;
}

static void up_point(up_curve *c, double x, double y)
{
    /* numpy.trapz: d * (y[1:] + y[:-1]) / 2.0 */
    if (c->p > 0) up_add(&c->area, (x - c->lx) * (y + c->ly) / 2.0);
    c->lx = x;
    c->ly = y;
    if (c->next < c->keep && up_pick(c, c->next) == c->p) {
        c->x[c->n] = x;
        c->y[c->n] = y;
        c->n++;
        c->next++;
    }
    c->p++;
}

/* The two curves' values after N rows of which nt treated, with summed outcomes yt (treated), yc (control),
** as sklift computes them (np.divide(..., where=den != 0) over zeros). */
static void up_points(up_curve *qini, up_curve *upl, double N, double nt, double yt, double yc)
{
    double nc = N - nt;
    up_point(qini, N, yt - yc * (nc != 0.0 ? nt / nc : 0.0));
    up_point(upl, N, ((nt != 0.0 ? yt / nt : 0.0) - (nc != 0.0 ? yc / nc : 0.0)) * N);
}

/* (AUC(curve) - AUC(line)) / (AUC(perfect) - AUC(line)), the line from (0, 0) to the perfect curve's end. */
static double up_score(const up_curve *actual, const up_curve *perfect)
{
    double base = (perfect->lx - 0.0) * (perfect->ly + 0.0) / 2.0;
    return (up_total(&actual->area) - base) / (up_total(&perfect->area) - base);
}

/* ---- the evaluation ---- */

typedef struct up_group {
    double nt, nc, yt, yc;
} up_group;

/* Perfect curves of a binary outcome from the counts of the four kinds of rows: the oracle scores put them in
** a few runs, so no sort is needed. qini (negative_effect): treated responders, then every non-responder,
** then control responders. uplift: treated responders, control non-responders, then control responders and
** treated non-responders, in the order sklift's 2 (y == t) + (y if CR > TN else t) gives. */
static void up_perfect_binary(up_curve *pq, up_curve *pu, double tr, double tn, double cr, double cn)
{
    up_group q[3] = {{tr, 0, tr, 0}, {tn, cn, 0, 0}, {0, cr, 0, cr}};
    up_group u[4] = {{tr, 0, tr, 0}, {0, cn, 0, 0}, {0, cr, 0, cr}, {tn, 0, 0, 0}};
    if (!(cr > tn)) {
        up_group g = u[2];
        u[2] = u[3];
        u[3] = g;
    }
    up_group cum = {0, 0, 0, 0};
    double N = 0.0;
    up_point(pq, 0.0, 0.0);
    up_point(pu, 0.0, 0.0);
    for (int g = 0; g < 3; g++) {
        if (q[g].nt + q[g].nc == 0.0) continue;
        cum.nt += q[g].nt;
        cum.yt += q[g].yt;
        cum.yc += q[g].yc;
        N += q[g].nt + q[g].nc;
        double nc = N - cum.nt;
        up_point(pq, N, cum.yt - cum.yc * (nc != 0.0 ? cum.nt / nc : 0.0));
    }
    memset(&cum, 0, sizeof cum);
    N = 0.0;
    for (int g = 0; g < 4; g++) {
        if (u[g].nt + u[g].nc == 0.0) continue;
        cum.nt += u[g].nt;
        cum.yt += u[g].yt;
        cum.yc += u[g].yc;
        N += u[g].nt + u[g].nc;
        double nc = N - cum.nt;
        up_point(pu, N, ((cum.nt != 0.0 ? cum.yt / cum.nt : 0.0) - (nc != 0.0 ? cum.yc / nc : 0.0)) * N);
    }
}

static size_t up_runs(const unsigned char *group_end, size_t n)
{
    size_t r = 0;
    for (size_t j = 0; j < n; j++) r += group_end[j];
    return r;
}

/* Python's round(b * 100 / bins): the true quotient rounded half to even (rint in the default mode). */
static long up_percentile(size_t b, size_t bins) { return (long)rint((double)(b * 100) / (double)bins); }

void st_uplift_eval_free(st_uplift_eval *e)
{
    if (!e) return;
    st_context *ctx = e->ctx;
    for (int c = 0; c < 4; c++) up_curve_free(ctx, &e->curve[c]);
    st__free(ctx, e->bins, e->nbins * sizeof *e->bins);
    st__free(ctx, e, sizeof *e);
}

static st_status up_check(st_context *ctx, const double *y, const double *t, const double *s, size_t n,
                          const st_uplift_eval_options *o, int *binary, size_t *ntreat)
{
    if (!(o->k > 0.0 && o->k < 1.0) && !(o->k >= 1.0 && o->k == floor(o->k) && o->k < 9007199254740992.0))
        return st__error(ctx, ST_EINVAL, "uplift: k %g is neither a fraction in (0, 1) nor a whole number >= 1", o->k);
    if (o->bins == 0) return st__error(ctx, ST_EINVAL, "uplift: bins must be at least 1");
    if (o->curve_points == 1) return st__error(ctx, ST_EINVAL, "uplift: curve_points must be 0 (all) or at least 2");
    if (n == 0) return st__error(ctx, ST_EDATA, "uplift: no rows");
    if (n > ST__ARGSORT_MAX) return st__error(ctx, ST_ELIMIT, "uplift: %zu rows, at most %zu", n, ST__ARGSORT_MAX);
    size_t nt = 0;
    int bin = 1;
    for (size_t i = 0; i < n; i++) {
        if (t[i] != 0.0 && t[i] != 1.0)
            return st__error(ctx, ST_EDATA, "uplift: row %zu: treatment %.17g is not 0 or 1", i + 1, t[i]);
        if (!isfinite(y[i]))
            return st__error(ctx, ST_EDATA, "uplift: row %zu: outcome is %s", i + 1,
                             isnan(y[i]) ? "missing (NaN)" : "infinite");
        if (!isfinite(s[i]))
            return st__error(ctx, ST_EDATA, "uplift: row %zu: score is %s", i + 1,
                             isnan(s[i]) ? "missing (NaN)" : "infinite");
        nt += t[i] == 1.0;
        if (y[i] != 0.0 && y[i] != 1.0) bin = 0;
    }
    if (nt == 0 || nt == n)
        return st__error(ctx, ST_EDATA, "uplift: every row is %s: the curves need treated and control rows",
                         nt == 0 ? "control" : "treated");
    if (o->bins >= n) return st__error(ctx, ST_EDATA, "uplift: %zu bins need more than %zu rows", o->bins, n);
    if (o->k >= 1.0) {
        if (o->k >= (double)n) return st__error(ctx, ST_EDATA, "uplift: k = %.17g rows, but there are %zu", o->k, n);
        if (o->k > (double)nt || o->k > (double)(n - nt))
            return st__error(ctx, ST_EDATA, "uplift: k = %.17g rows, more than the %zu %s rows (by_group)", o->k,
                             o->k > (double)nt ? nt : n - nt, o->k > (double)nt ? "treated" : "control");
    }
    *binary = bin;
    *ntreat = nt;
    return ST_OK;
}

/* Continuous outcome: both perfect curves rank by y t - y (1 - t). Within a run of equal oracle scores every
** treated row has the same outcome and so has every control row, so the order inside a run cannot change the
** sums. */
static st_status up_perfect_sorted(st_context *ctx, const double *y, const unsigned char *t, size_t n,
                                   up_curve *pq, up_curve *pu, size_t max_points)
{
    size_t ob = n * sizeof(uint32_t);
    double *key = st__malloc(ctx, n * sizeof *key);
    uint32_t *ord = st__malloc(ctx, ob);
    unsigned char *ge = st__malloc(ctx, n);
    st_status rc = key && ord && ge ? ST_OK : st__error(ctx, ST_ENOMEM, "uplift: out of memory");
    if (rc == ST_OK) {
        for (size_t i = 0; i < n; i++) key[i] = t[i] ? y[i] : -y[i]; /* y t - y (1 - t) */
        rc = st__argsort_desc(ctx, key, n, ord, ge);
    }
    if (rc == ST_OK) rc = up_curve_init(ctx, pq, up_runs(ge, n) + 1, max_points);
    if (rc == ST_OK) rc = up_curve_init(ctx, pu, pq->total, max_points);
    if (rc == ST_OK) {
        double nt = 0.0, yt = 0.0, yc = 0.0;
        up_point(pq, 0.0, 0.0);
        up_point(pu, 0.0, 0.0);
        for (size_t j = 0; j < n; j++) {
            size_t i = ord[j];
            if (t[i]) {
                nt += 1.0;
                yt += y[i];
            } else {
                yc += y[i];
            }
            if (ge[j]) up_points(pq, pu, (double)(j + 1), nt, yt, yc);
        }
    }
    st__free(ctx, key, n * sizeof *key);
    st__free(ctx, ord, ob);
    st__free(ctx, ge, n);
    return rc;
}

st_status st_uplift_eval_new(st_context *ctx, const double *y, const double *t, const double *s, size_t n,
                             const st_uplift_eval_options *opts, st_uplift_eval **out)
{
    if (out) *out = NULL;
    if (!ctx || !out || (n > 0 && (!y || !t || !s)))
        return st__error(ctx, ST_EINVAL, "st_uplift_eval_new: NULL argument");
    st_uplift_eval_options o;
    st_uplift_eval_options_init(&o);
    if (opts) o = *opts;
    int binary = 0;
    size_t ntr = 0;
    st_status rc = up_check(ctx, y, t, s, n, &o, &binary, &ntr);
    if (rc) return rc;
    st_uplift_eval *e = st__calloc(ctx, 1, sizeof *e);
    if (!e) return st__error(ctx, ST_ENOMEM, "uplift: out of memory");
    e->ctx = ctx;
    st_uplift_scores *sc = &e->s;
    sc->n = n;
    sc->n_treatment = ntr;
    sc->n_control = n - ntr;
    sc->binary_outcome = binary;
    sc->k = o.k;
    sc->bins = o.bins;
    if (o.k < 1.0) {
        sc->k_overall = (size_t)((double)n * o.k); /* int(n_samples * k) */
        sc->k_treatment = (size_t)((double)ntr * o.k);
        sc->k_control = (size_t)((double)(n - ntr) * o.k);
    } else {
        sc->k_overall = sc->k_treatment = sc->k_control = (size_t)o.k;
    }
    e->nbins = o.bins;
    e->bins = st__calloc(ctx, o.bins, sizeof *e->bins);
    size_t ob = n * sizeof(uint32_t);
    uint32_t *ord = st__malloc(ctx, ob);
    unsigned char *ge = st__malloc(ctx, n), *tb = st__malloc(ctx, n); /* treatment as bytes: a denser gather */
    if (!e->bins || !ord || !ge || !tb) rc = st__error(ctx, ST_ENOMEM, "uplift: out of memory for %zu rows", n);
    if (rc == ST_OK)
        for (size_t i = 0; i < n; i++) tb[i] = t[i] == 1.0;
    if (rc == ST_OK) rc = st__argsort_desc(ctx, s, n, ord, ge);
    up_curve *qc = &e->curve[ST_UPLIFT_QINI], *uc = &e->curve[ST_UPLIFT_UPLIFT];
    if (rc == ST_OK) rc = up_curve_init(ctx, qc, up_runs(ge, n) + 1, o.curve_points);
    if (rc == ST_OK) rc = up_curve_init(ctx, uc, qc->total, o.curve_points);
    if (rc == ST_OK) {
        sc->curve_points = qc->total;
        /* One pass in score order: cumulative sums as stable_cumsum (sequential), the curves at run ends, the
        ** top-k slices and the array_split bins. */
        double nt = 0.0, yt = 0.0, yc = 0.0;
        size_t seen_t = 0, seen_c = 0, base = n / o.bins, extra = n % o.bins, b = 0;
        size_t bin_end = base + (extra > 0);
        up_sum ko_t = {0, 0}, ko_c = {0, 0}, kg_t = {0, 0}, kg_c = {0, 0}, bt = {0, 0}, bc = {0, 0};
        size_t ko_nt = 0, ko_nc = 0;
        double tr = 0, tn = 0, cr = 0, cn = 0;
        up_point(qc, 0.0, 0.0);
        up_point(uc, 0.0, 0.0);
        for (size_t j = 0; j < n; j++) {
            size_t i = ord[j];
            double yi = y[i];
            if (tb[i]) {
                nt += 1.0;
                yt += yi;
                if (j < sc->k_overall) {
                    up_add(&ko_t, yi);
                    ko_nt++;
                }
                if (seen_t++ < sc->k_treatment) up_add(&kg_t, yi);
                up_add(&bt, yi);
                e->bins[b].n_treatment++;
                if (yi == 1.0) tr += 1.0;
                else if (yi == 0.0) tn += 1.0;
            } else {
                yc += yi;
                if (j < sc->k_overall) {
                    up_add(&ko_c, yi);
                    ko_nc++;
                }
                if (seen_c++ < sc->k_control) up_add(&kg_c, yi);
                up_add(&bc, yi);
                e->bins[b].n_control++;
                if (yi == 1.0) cr += 1.0;
                else if (yi == 0.0) cn += 1.0;
            }
            if (ge[j]) up_points(qc, uc, (double)(j + 1), nt, yt, yc);
            if (j + 1 == bin_end) {
                st_uplift_bin *B = &e->bins[b];
                B->response_rate_treatment = B->n_treatment ? up_total(&bt) / (double)B->n_treatment : (double)NAN;
                B->response_rate_control = B->n_control ? up_total(&bc) / (double)B->n_control : (double)NAN;
                B->uplift = B->response_rate_treatment - B->response_rate_control;
                B->percentile_lo = b == 0 ? 0 : up_percentile(b, o.bins);
                B->percentile_hi = up_percentile(b + 1, o.bins);
                memset(&bt, 0, sizeof bt);
                memset(&bc, 0, sizeof bc);
                b++;
                bin_end += base + (b < extra);
            }
        }
        sc->uplift_at_k_overall = (ko_nt ? up_total(&ko_t) / (double)ko_nt : (double)NAN) -
                                  (ko_nc ? up_total(&ko_c) / (double)ko_nc : (double)NAN);
        sc->uplift_at_k_by_group = (sc->k_treatment ? up_total(&kg_t) / (double)sc->k_treatment : (double)NAN) -
                                   (sc->k_control ? up_total(&kg_c) / (double)sc->k_control : (double)NAN);
        /* np.dot(n_trmnt, uplift) / sum(n_trmnt): a NaN bin makes it NaN (0 * NaN included) */
        up_sum wsum = {0, 0};
        for (size_t q = 0; q < o.bins; q++) up_add(&wsum, (double)e->bins[q].n_treatment * e->bins[q].uplift);
        sc->weighted_average_uplift = up_total(&wsum) / (double)ntr;

        up_curve *pq = &e->curve[ST_UPLIFT_QINI_PERFECT], *pu = &e->curve[ST_UPLIFT_UPLIFT_PERFECT];
        if (binary) {
            size_t runs = 1 + (tr > 0) + (tn + cn > 0) + (cr > 0);
            rc = up_curve_init(ctx, pq, runs, o.curve_points);
            if (rc == ST_OK)
                rc = up_curve_init(ctx, pu, 1 + (size_t)(tr > 0) + (cn > 0) + (cr > 0) + (tn > 0), o.curve_points);
            if (rc == ST_OK) up_perfect_binary(pq, pu, tr, tn, cr, cn);
        } else {
            st__free(ctx, ge, n);
            st__free(ctx, ord, ob);
            ge = NULL;
            ord = NULL;
            rc = up_perfect_sorted(ctx, y, tb, n, pq, pu, o.curve_points);
        }
        if (rc == ST_OK) {
            sc->qini_auc = up_score(qc, pq);
            sc->uplift_auc = up_score(uc, pu);
        }
    }
    if (ord) st__free(ctx, ord, ob);
    if (ge) st__free(ctx, ge, n);
    st__free(ctx, tb, n);
    if (rc) {
        st_uplift_eval_free(e);
        return rc;
    }
    *out = e;
    return ST_OK;
}

const st_uplift_scores *st_uplift_eval_scores(const st_uplift_eval *e) { return e ? &e->s : NULL; }

size_t st_uplift_eval_curve(const st_uplift_eval *e, st_uplift_curve which, const double **x, const double **y)
{
    if (x) *x = NULL;
    if (y) *y = NULL;
    if (!e || (int)which < 0 || (int)which > 3) return 0;
    const up_curve *c = &e->curve[which];
    if (x) *x = c->x;
    if (y) *y = c->y;
    return c->n;
}

const st_uplift_bin *st_uplift_eval_bins(const st_uplift_eval *e, size_t *nbins)
{
    if (nbins) *nbins = e ? e->nbins : 0;
    return e ? e->bins : NULL;
}

/* ---- the table front end: columns, arms, file:line errors ---- */

static st_status up_num_col(st_context *ctx, const st_table *t, const char *source, const char *what,
                            const char *name, const double **v)
{
    if (!name) return st__error(ctx, ST_EINVAL, "uplift: no %s column given", what);
    long j = st_table_find(t, name);
    if (j < 0) return st__error(ctx, ST_EINVAL, "uplift: %s: no %s column '%s'", source, what, name);
    *v = st_table_f64(t, (size_t)j);
    if (!*v) return st__error(ctx, ST_EINVAL, "uplift: %s: %s column '%s' is not numeric", source, what, name);
    return ST_OK;
}

st_status st_uplift_eval_table(st_context *ctx, const st_table *t, const char *source,
                               const st_uplift_eval_options *opts, st_uplift_eval **out)
{
    if (out) *out = NULL;
    if (!ctx || !t || !opts || !out) return st__error(ctx, ST_EINVAL, "st_uplift_eval_table: NULL argument");
    if (!source) source = "data";
    const double *y, *s;
    st_status rc = up_num_col(ctx, t, source, "outcome", opts->outcome_col, &y);
    if (!rc) rc = up_num_col(ctx, t, source, "score", opts->score_col, &s);
    if (rc) return rc;
    if (!opts->treatment_col) return st__error(ctx, ST_EINVAL, "uplift: no treatment column given");
    long jt = st_table_find(t, opts->treatment_col);
    if (jt < 0) return st__error(ctx, ST_EINVAL, "uplift: %s: no treatment column '%s'", source, opts->treatment_col);
    size_t n = st_table_nrows(t);
    const double *tv = st_table_f64(t, (size_t)jt);
    if (!tv && !opts->control)
        return st__error(ctx, ST_EINVAL,
                         "uplift: %s: treatment column '%s' holds arm names: give the control arm (--control NAME)",
                         source, opts->treatment_col);
    if (opts->arm && !opts->control)
        return st__error(ctx, ST_EINVAL, "uplift: an arm (--arm) needs the control arm (--control NAME)");
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(y[i]))
            return st__error(ctx, ST_EDATA, "%s:%zu: outcome '%s' is %s", source, i + 2, opts->outcome_col,
                             isnan(y[i]) ? "missing (NaN)" : "infinite");
        if (!isfinite(s[i]))
            return st__error(ctx, ST_EDATA, "%s:%zu: score '%s' is %s", source, i + 2, opts->score_col,
                             isnan(s[i]) ? "missing (NaN)" : "infinite");
    }
    if (!opts->control) {
        for (size_t i = 0; i < n; i++) {
            if (isnan(tv[i]))
                return st__error(ctx, ST_EDATA, "%s:%zu: missing treatment (column '%s')", source, i + 2,
                                 opts->treatment_col);
            if (tv[i] != 0.0 && tv[i] != 1.0)
                return st__error(ctx, ST_EDATA,
                                 "%s:%zu: treatment %.17g is not 0 or 1 (column '%s'; an arm column needs --control)",
                                 source, i + 2, tv[i], opts->treatment_col);
        }
        return st_uplift_eval_new(ctx, y, tv, s, n, opts, out);
    }
    st__arms arms;
    uint8_t *armof = st__malloc(ctx, n ? n : 1);
    if (!armof) return st__error(ctx, ST_ENOMEM, "uplift: out of memory");
    rc = st__arms_read(ctx, t, (size_t)jt, source, opts->treatment_col, &arms, armof);
    size_t ctl = 0, arm = 0, m = 0;
    if (rc == ST_OK && (ctl = st__arms_find(&arms, opts->control)) == arms.narms)
        rc = st__error(ctx, ST_EDATA, "uplift: %s: no row has the control arm '%s' in column '%s'", source,
                       opts->control, opts->treatment_col);
    if (rc == ST_OK && opts->arm && (arm = st__arms_find(&arms, opts->arm)) == arms.narms)
        rc = st__error(ctx, ST_EDATA, "uplift: %s: no row has the arm '%s' in column '%s'", source, opts->arm,
                       opts->treatment_col);
    if (rc == ST_OK && opts->arm && arm == ctl)
        rc = st__error(ctx, ST_EINVAL, "uplift: the arm '%s' is the control", opts->arm);
    double *buf = NULL;
    size_t bb = 0;
    if (rc == ST_OK) {
        m = opts->arm ? arms.count[ctl] + arms.count[arm] : n;
        if (!st__mul_ok(m ? m : 1, 3 * sizeof(double), &bb) || !(buf = st__malloc(ctx, bb)))
            rc = st__error(ctx, ST_ENOMEM, "uplift: out of memory");
    }
    if (rc == ST_OK) {
        double *ty = buf, *tt = buf + m, *ts = buf + 2 * m;
        size_t q = 0;
        for (size_t i = 0; i < n; i++) {
            if (opts->arm && armof[i] != ctl && armof[i] != arm) continue;
            ty[q] = y[i];
            ts[q] = s[i];
            tt[q] = armof[i] == ctl ? 0.0 : 1.0;
            q++;
        }
        rc = st_uplift_eval_new(ctx, ty, tt, ts, m, opts, out);
    }
    st__free(ctx, buf, bb);
    st__free(ctx, armof, n ? n : 1);
    return rc;
}

/* ---- EVAL.json ---- */

static void up_json_curve(st_jw *w, const char *key, const up_curve *c)
{
    st__jw_key(w, key);
    st__jw_begin_array(w);
    for (size_t p = 0; p < c->n; p++) {
        st__jw_begin_array_inline(w);
        st__jw_number(w, c->x[p]);
        st__jw_number(w, c->y[p]);
        st__jw_end_array(w);
    }
    st__jw_end_array(w);
}

st_status st_uplift_eval_json(st_context *ctx, const st_uplift_eval *e, char **out, size_t *len)
{
    if (out) *out = NULL;
    if (len) *len = 0;
    if (!ctx || !e || !out) return st__error(ctx, ST_EINVAL, "st_uplift_eval_json: NULL argument");
    const st_uplift_scores *s = &e->s;
    st_buf b;
    st__buf_init(&b, ctx);
    st_jw w;
    st__jw_init(&w, &b, 2);
    st__jw_begin_object(&w);
    st__jw_kv_int(&w, "n", (long long)s->n);
    st__jw_kv_int(&w, "n_treatment", (long long)s->n_treatment);
    st__jw_kv_int(&w, "n_control", (long long)s->n_control);
    st__jw_kv_str(&w, "outcome", s->binary_outcome ? "binary" : "continuous");
    st__jw_kv_num(&w, "k", s->k);
    st__jw_kv_int(&w, "bins", (long long)s->bins);
    st__jw_kv_num(&w, "qini_auc", s->qini_auc);
    st__jw_kv_num(&w, "uplift_auc", s->uplift_auc);
    st__jw_key(&w, "uplift_at_k");
    st__jw_begin_object_inline(&w);
    st__jw_kv_num(&w, "overall", s->uplift_at_k_overall);
    st__jw_kv_num(&w, "by_group", s->uplift_at_k_by_group);
    st__jw_kv_int(&w, "rows_overall", (long long)s->k_overall);
    st__jw_kv_int(&w, "rows_treatment", (long long)s->k_treatment);
    st__jw_kv_int(&w, "rows_control", (long long)s->k_control);
    st__jw_end_object(&w);
    st__jw_kv_num(&w, "weighted_average_uplift", s->weighted_average_uplift);
    st__jw_key(&w, "by_percentile");
    st__jw_begin_array(&w);
    for (size_t q = 0; q < e->nbins; q++) {
        const st_uplift_bin *B = &e->bins[q];
        char label[48];
        snprintf(label, sizeof label, "%ld-%ld", B->percentile_lo, B->percentile_hi);
        st__jw_begin_object_inline(&w);
        st__jw_kv_str(&w, "percentile", label);
        st__jw_kv_int(&w, "n_treatment", (long long)B->n_treatment);
        st__jw_kv_int(&w, "n_control", (long long)B->n_control);
        st__jw_kv_num(&w, "response_rate_treatment", B->response_rate_treatment);
        st__jw_kv_num(&w, "response_rate_control", B->response_rate_control);
        st__jw_kv_num(&w, "uplift", B->uplift);
        st__jw_end_object(&w);
    }
    st__jw_end_array(&w);
    st__jw_kv_int(&w, "curve_points", (long long)s->curve_points);
    up_json_curve(&w, "qini_curve", &e->curve[ST_UPLIFT_QINI]);
    up_json_curve(&w, "uplift_curve", &e->curve[ST_UPLIFT_UPLIFT]);
    up_json_curve(&w, "perfect_qini_curve", &e->curve[ST_UPLIFT_QINI_PERFECT]);
    up_json_curve(&w, "perfect_uplift_curve", &e->curve[ST_UPLIFT_UPLIFT_PERFECT]);
    st__jw_end_object(&w);
    return st__jw_finish(&w, "st_uplift_eval_json", out, len);
}
