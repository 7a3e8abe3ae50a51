/*
** ab_analyze.c -- `strata abtest DATA.csv`: per arm and metric the mean and its interval, the sample-ratio
** mismatch test, and each treatment arm against the control (docs/abtest.md), as statsmodels 0.13 computes
** them; written as JSON.
*/
#include "core/json.h"
#include "eval/ab.h"
#include "num/specfun.h"
#include "num/stats.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

typedef struct arm_stat {
    double n, sum, mean, ss; /* ss: sum of squared deviations from the mean */
} arm_stat;

static void wilson(double s, double n, double crit, double *lo, double *hi)
{
    double q = s / n, crit2 = crit * crit, denom = 1.0 + crit2 / n;
    double center = (q + crit2 / (2.0 * n)) / denom;
    double dist = crit * sqrt(q * (1.0 - q) / n + crit2 / (4.0 * n * n));
    dist /= denom;
    *lo = center - dist;
    *hi = center + dist;
}

typedef struct cmp_out {
    double diff, dlo, dhi, lift, llo, lhi, stat, p, padj, pb;
} cmp_out;

static void cmp_binary(const arm_stat *t, const arm_stat *c, double alpha, cmp_out *o)
{
    double crit = st__norm_isf(alpha / 2.0);
    double p1 = t->sum / t->n, p2 = c->sum / c->n;
    o->diff = p1 - p2;
    double l1, u1, l2, u2;
    wilson(t->sum, t->n, crit, &l1, &u1);
    wilson(c->sum, c->n, crit, &l2, &u2);
    o->dlo = o->diff - sqrt((p1 - l1) * (p1 - l1) + (u2 - p2) * (u2 - p2));
    o->dhi = o->diff + sqrt((p2 - l2) * (p2 - l2) + (u1 - p1) * (u1 - p1));
    o->lift = p1 / p2 - 1.0;
    double x1 = t->sum + 0.5, n1 = t->n + 0.5, x2 = c->sum + 0.5, n2 = c->n + 0.5;
    double ratio = (x1 / n1) / (x2 / n2);
    double d = crit * sqrt(1.0 / x1 - 1.0 / n1 + 1.0 / x2 - 1.0 / n2);
    o->llo = exp(log(ratio) - d) - 1.0;
    o->lhi = exp(log(ratio) + d) - 1.0;
    double pp = (t->sum + c->sum) / (t->n + c->n);
    double sd = sqrt(pp * (1.0 - pp) * (1.0 / t->n + 1.0 / c->n));
    o->stat = o->diff / sd;
    o->p = st__norm_sf(fabs(o->stat)) * 2.0;
    /* P(p_t > p_c) under Beta(1 + s, 1 + n - s) posteriors */
    o->pb = st__ab_prob_better(1.0 + t->sum, 1.0 + t->n - t->sum, 1.0 + c->sum, 1.0 + c->n - c->sum);
}

static void cmp_continuous(const arm_stat *t, const arm_stat *c, double alpha, cmp_out *o)
{
    double vt = t->ss / (t->n - 1.0), vc = c->ss / (c->n - 1.0);
    double st = vt / t->n, sc = vc / c->n;
    double se = sqrt(st + sc);
    double df = (st + sc) * (st + sc) / (st * st / (t->n - 1.0) + sc * sc / (c->n - 1.0));
    o->diff = t->mean - c->mean;
    o->stat = o->diff / se;
    o->p = st__t_sf(fabs(o->stat), df) * 2.0;
    double q = st__t_ppf(1.0 - alpha / 2.0, df);
    o->dlo = o->diff - q * se;
    o->dhi = o->diff + q * se;
    /* delta method on mean_t / mean_c */
    double r = t->mean / c->mean;
    o->lift = r - 1.0;
    double lse = sqrt(st / (c->mean * c->mean) + r * r * sc / (c->mean * c->mean));
    double z = st__norm_isf(alpha / 2.0);
    o->llo = o->lift - z * lse;
    o->lhi = o->lift + z * lse;
    o->pb = NAN;
}

/* CUPED for treatment arm a against control c: theta = Sxy / Sxx over the rows of both arms (pooled means),
** y' = y - theta (x - mean x), Welch on y'; variance_reduction = 1 - var(y') / var(y) over those rows, which is
** corr(x, y)^2, computed as such. */
static void cuped_write(st_jw *w, const double *x, const double *y, const uint8_t *armof, size_t n, size_t a, size_t c,
                        const arm_stat *ya, const arm_stat *yc, double alpha, const char *name, const char *metric)
{
    double na = 0.0, nc = 0.0, sxa = 0.0, sxc = 0.0;
    for (size_t i = 0; i < n; i++) {
        if (armof[i] == a) {
            na += 1.0;
            sxa += x[i];
        } else if (armof[i] == c) {
            nc += 1.0;
            sxc += x[i];
        }
    }
    double nt = na + nc, mx = (sxa + sxc) / nt, my = (ya->sum + yc->sum) / nt;
    double sxx = 0.0, sxy = 0.0, syy = 0.0;
    for (size_t i = 0; i < n; i++)
        if (armof[i] == a || armof[i] == c) {
            double dx = x[i] - mx, dy = y[i] - my;
            sxx += dx * dx;
            sxy += dx * dy;
            syy += dy * dy;
        }
    double theta = sxy / sxx;
    arm_stat pa = {0}, pc = {0};
    for (size_t i = 0; i < n; i++) {
        arm_stat *s = armof[i] == a ? &pa : armof[i] == c ? &pc : NULL;
        if (!s) continue;
        s->n += 1.0;
        s->sum += y[i] - theta * (x[i] - mx);
    }
    pa.mean = pa.sum / pa.n;
    pc.mean = pc.sum / pc.n;
    for (size_t i = 0; i < n; i++) {
        arm_stat *s = armof[i] == a ? &pa : armof[i] == c ? &pc : NULL;
        if (!s) continue;
        double v = y[i] - theta * (x[i] - mx), d = v - s->mean;
        s->ss += d * d;
    }
    cmp_out o;
    cmp_continuous(&pa, &pc, alpha, &o);
    st__jw_begin_object(w);
    st__jw_kv_str(w, "treatment", name);
    st__jw_kv_str(w, "metric", metric);
    st__jw_kv_num(w, "theta", theta);
    st__jw_kv_num(w, "diff", o.diff);
    st__jw_key(w, "diff_ci");
    st__jw_begin_array_inline(w);
    st__jw_number(w, o.dlo);
    st__jw_number(w, o.dhi);
    st__jw_end_array(w);
    st__jw_kv_num(w, "p_value", o.p);
    /* 1 - var(y') / var(y) = Sxy^2 / (Sxx Syy): the squared correlation, without the cancellation */
    st__jw_kv_num(w, "variance_reduction", sxy / sxx * (sxy / syy));
    st__jw_end_object(w);
}

st_status st_abtest_analyze(st_context *ctx, const st_table *t, const char *source, const char *arm_col,
                            const char *control, const char *const *metrics, size_t nmetrics, const char *covariate,
                            double alpha,
                            st_abtest_correction correction, const double *shares, size_t nshares, char **json,
                            size_t *len)
{
    if (json) *json = NULL;
    if (len) *len = 0;
    if (!t || !arm_col || !metrics || nmetrics == 0 || !json)
        return st__error(ctx, ST_EINVAL, "abtest: NULL table, arm column, metrics or output");
    if (!(alpha > 0.0 && alpha < 1.0)) return st__error(ctx, ST_EINVAL, "abtest: alpha %g is not in (0, 1)", alpha);
    if ((int)correction < 0 || (int)correction > 2) return st__error(ctx, ST_EINVAL, "abtest: bad correction");
    if (!source) source = "data";
    long ja = st_table_find(t, arm_col);
    if (ja < 0) return st__error(ctx, ST_EINVAL, "abtest: %s: no arm column '%s'", source, arm_col);
    size_t n = st_table_nrows(t), nm = nmetrics;
    const double **mv = st__calloc(ctx, nm, sizeof *mv);
    if (!mv) return ST_ENOMEM;
    st_status rc = ST_OK;
    for (size_t k = 0; k < nm; k++) {
        long j = metrics[k] ? st_table_find(t, metrics[k]) : -1;
        mv[k] = j >= 0 ? st_table_f64(t, (size_t)j) : NULL;
        if (!mv[k]) {
            st__free(ctx, mv, nm * sizeof *mv);
            return st__error(ctx, ST_EINVAL, "abtest: %s: no numeric metric column '%s'", source,
                             metrics[k] ? metrics[k] : "(null)");
        }
    }
    const double *xv = NULL;
    if (covariate) {
        long jx = st_table_find(t, covariate);
        xv = jx >= 0 ? st_table_f64(t, (size_t)jx) : NULL;
        if (!xv) {
            st__free(ctx, mv, nm * sizeof *mv);
            return st__error(ctx, ST_EINVAL, "abtest: %s: no numeric covariate column '%s'", source, covariate);
        }
        for (size_t i = 0; i < n; i++)
            if (!isfinite(xv[i])) {
                st__free(ctx, mv, nm * sizeof *mv);
                return st__error(ctx, ST_EDATA, "%s:%zu: covariate '%s' is %s", source, i + 2, covariate,
                                 isnan(xv[i]) ? "missing (NaN)" : "infinite");
            }
    }
    /* arms in order of first appearance */
    enum { MAXARMS = 64 };
    const char *names[MAXARMS];
    char numname[MAXARMS][32];
    size_t narms = 0;
    uint8_t *armof = st__malloc(ctx, (n ? n : 1) * sizeof *armof); /* arm index per row (at most 64 arms) */
    arm_stat *as = NULL;
    cmp_out *co = NULL;
    double *pv = NULL;
    size_t *idx = NULL;
    unsigned char *bin = NULL;
    if (!armof) {
        st__free(ctx, mv, nm * sizeof *mv);
        return ST_ENOMEM;
    }
    const double *anum = st_table_f64(t, (size_t)ja);
    size_t last = 0;
    /* a categorical arm column: each level gets its arm once, rows go by their codes */
    const int32_t *codes = st_table_col_type(t, (size_t)ja) == ST_COL_CAT ? st_table_i32(t, (size_t)ja) : NULL;
    size_t nlev = codes ? st_table_cat_nlevels(t, (size_t)ja) : 0;
    size_t *armof_level = NULL;
    if (codes) {
        if (!(armof_level = st__malloc(ctx, (nlev ? nlev : 1) * sizeof *armof_level))) {
            rc = ST_ENOMEM;
            goto done;
        }
        for (size_t l = 0; l < nlev; l++) armof_level[l] = SIZE_MAX;
    }
    for (size_t i = 0; codes && i < n; i++) {
        int32_t c = codes[i];
        if (c < 0 || !st_table_cat_level(t, (size_t)ja, (size_t)c)[0]) {
            rc = st__error(ctx, ST_EDATA, "%s:%zu: missing arm (column '%s')", source, i + 2, arm_col);
            break;
        }
        if (armof_level[c] == SIZE_MAX) {
            if (narms == MAXARMS) {
                rc = st__error(ctx, ST_ELIMIT, "%s:%zu: more than %d arms", source, i + 2, MAXARMS);
                break;
            }
            names[narms] = st_table_cat_level(t, (size_t)ja, (size_t)c); /* owned by the table */
            armof_level[c] = narms++;
        }
        armof[i] = (uint8_t)armof_level[c];
    }
    if (codes) {
        st__free(ctx, armof_level, (nlev ? nlev : 1) * sizeof *armof_level);
        if (rc) goto done;
    }
    for (size_t i = 0; !codes && i < n; i++) {
        char tmp[32];
        const char *a;
        if (anum) {
            if (isnan(anum[i])) {
                rc = st__error(ctx, ST_EDATA, "%s:%zu: missing arm (column '%s')", source, i + 2, arm_col);
                goto done;
            }
            snprintf(tmp, sizeof tmp, "%.17g", anum[i]);
            a = tmp;
        } else {
            a = st_table_str(t, (size_t)ja, i);
            if (!a || !a[0]) {
                rc = st__error(ctx, ST_EDATA, "%s:%zu: missing arm (column '%s')", source, i + 2, arm_col);
                goto done;
            }
        }
        size_t k = narms;
        if (narms && strcmp(names[last], a) == 0)
            k = last;
        else
            for (size_t q = 0; q < narms; q++)
                if (strcmp(names[q], a) == 0) {
                    k = q;
                    break;
                }
        if (k == narms) {
            if (narms == MAXARMS) {
                rc = st__error(ctx, ST_ELIMIT, "%s:%zu: more than %d arms", source, i + 2, MAXARMS);
                goto done;
            }
            if (anum) {
                memcpy(numname[narms], tmp, sizeof tmp);
                names[narms] = numname[narms];
            } else {
                names[narms] = a; /* owned by the table */
            }
            narms++;
        }
        armof[i] = (uint8_t)(last = k);
    }
    size_t ctl = 0;
    if (control) {
        ctl = narms;
        for (size_t q = 0; q < narms; q++)
            if (strcmp(names[q], control) == 0) ctl = q;
        if (ctl == narms) {
            rc = st__error(ctx, ST_EDATA, "abtest: %s: no row has the control arm '%s' in column '%s'", source, control,
                           arm_col);
            goto done;
        }
    }
    if (narms < 2) {
        rc = st__error(ctx, ST_EDATA, "abtest: %s: column '%s' has %zu arm(s), need at least 2", source, arm_col, narms);
        goto done;
    }
    if (shares && nshares != narms) {
        rc = st__error(ctx, ST_EINVAL, "abtest: %zu expected shares for %zu arms", nshares, narms);
        goto done;
    }
    bin = st__calloc(ctx, nm, sizeof *bin);
    as = st__calloc(ctx, narms * nm, sizeof *as);
    co = st__calloc(ctx, narms * nm, sizeof *co);
    pv = st__calloc(ctx, narms, sizeof *pv);
    idx = st__calloc(ctx, narms, sizeof *idx);
    if (!bin || !as || !co || !pv || !idx) {
        rc = ST_ENOMEM;
        goto done;
    }
    for (size_t k = 0; k < nm; k++) {
        const double *v = mv[k];
        bin[k] = 1;
        for (size_t i = 0; i < n; i++) {
            if (!isfinite(v[i])) {
                rc = st__error(ctx, ST_EDATA, "%s:%zu: metric '%s' is %s", source, i + 2, metrics[k],
                               isnan(v[i]) ? "missing (NaN)" : "infinite");
                goto done;
            }
            if (v[i] != 0.0 && v[i] != 1.0) bin[k] = 0;
            arm_stat *s = &as[armof[i] * nm + k];
            s->n += 1.0;
            s->sum += v[i];
        }
        for (size_t a = 0; a < narms; a++) as[a * nm + k].mean = as[a * nm + k].sum / as[a * nm + k].n;
        for (size_t i = 0; i < n; i++) {
            arm_stat *s = &as[armof[i] * nm + k];
            double d = v[i] - s->mean;
            s->ss += d * d;
        }
    }
    for (size_t k = 0; k < nm; k++)
        for (size_t a = 0; a < narms && !bin[k]; a++)
            if (as[a * nm + k].n < 2.0) {
                rc = st__error(ctx, ST_EDATA, "abtest: %s: arm '%s' has %g row(s): continuous metric '%s' needs 2",
                               source, names[a], as[a * nm + k].n, metrics[k]);
                goto done;
            }
    st_buf b;
    st__buf_init(&b, ctx);
    st_jw w;
    st__jw_init(&w, &b, 2);
    double crit = st__norm_isf(alpha / 2.0);
    st__jw_begin_object(&w);
    st__jw_key(&w, "arms");
    st__jw_begin_array(&w);
    for (size_t a = 0; a < narms; a++) {
        st__jw_begin_object(&w);
        st__jw_kv_str(&w, "name", names[a]);
        st__jw_kv_num(&w, "n", as[a * nm].n);
        st__jw_key(&w, "metrics");
        st__jw_begin_object(&w);
        for (size_t k = 0; k < nm; k++) {
            const arm_stat *s = &as[a * nm + k];
            double lo, hi;
            if (bin[k]) {
                wilson(s->sum, s->n, crit, &lo, &hi);
            } else {
                double se = sqrt(s->ss / (s->n - 1.0) / s->n), q = st__t_ppf(1.0 - alpha / 2.0, s->n - 1.0);
                lo = s->mean - q * se;
                hi = s->mean + q * se;
            }
            st__jw_key(&w, metrics[k]);
            st__jw_begin_object_inline(&w);
            st__jw_kv_num(&w, "mean", s->mean);
            st__jw_key(&w, "ci");
            st__jw_begin_array_inline(&w);
            st__jw_number(&w, lo);
            st__jw_number(&w, hi);
            st__jw_end_array(&w);
            st__jw_end_object(&w);
        }
        st__jw_end_object(&w);
        st__jw_end_object(&w);
    }
    st__jw_end_array(&w);
    /* sample-ratio mismatch: scipy.stats.chisquare(counts, f_exp = N share / sum(shares)) */
    double tot = 0.0, wsum = 0.0, chi2 = 0.0;
    for (size_t a = 0; a < narms; a++) {
        tot += as[a * nm].n;
        wsum += shares ? shares[a] : 1.0;
    }
    for (size_t a = 0; a < narms; a++) {
        double e = tot * (shares ? shares[a] : 1.0) / wsum, d = as[a * nm].n - e;
        chi2 += d * d / e;
    }
    st__jw_key(&w, "srm");
    st__jw_begin_object_inline(&w);
    st__jw_kv_num(&w, "chi2", chi2);
    st__jw_kv_num(&w, "p_value", st__chi2_sf(chi2, (double)(narms - 1)));
    st__jw_end_object(&w);
    st__jw_key(&w, "comparisons");
    st__jw_begin_array(&w);
    for (size_t k = 0; k < nm; k++) {
        size_t m = 0;
        for (size_t a = 0; a < narms; a++) {
            if (a == ctl) continue;
            cmp_out *o = &co[a * nm + k];
            if (bin[k])
                cmp_binary(&as[a * nm + k], &as[ctl * nm + k], alpha, o);
            else
                cmp_continuous(&as[a * nm + k], &as[ctl * nm + k], alpha, o);
            pv[m++] = o->p;
        }
        st__ab_adjust(pv, m, (int)correction, idx);
        m = 0;
        for (size_t a = 0; a < narms; a++) {
            if (a == ctl) continue;
            cmp_out *o = &co[a * nm + k];
            o->padj = pv[m++];
            st__jw_begin_object(&w);
            st__jw_kv_str(&w, "treatment", names[a]);
            st__jw_kv_str(&w, "control", names[ctl]);
            st__jw_kv_str(&w, "metric", metrics[k]);
            st__jw_kv_str(&w, "kind", bin[k] ? "binary" : "continuous");
            st__jw_kv_num(&w, "diff", o->diff);
            st__jw_key(&w, "diff_ci");
            st__jw_begin_array_inline(&w);
            st__jw_number(&w, o->dlo);
            st__jw_number(&w, o->dhi);
            st__jw_end_array(&w);
            /* a control rate (mean) of 0 leaves the lift undefined: lift and lift_ci are null, not an interval
            ** around an infinite ratio */
            bool no_lift = !isfinite(o->lift);
            st__jw_kv_num(&w, "lift", no_lift ? (double)NAN : o->lift);
            st__jw_key(&w, "lift_ci");
            if (no_lift) {
                st__jw_null(&w);
            } else {
                st__jw_begin_array_inline(&w);
                st__jw_number(&w, o->llo);
                st__jw_number(&w, o->lhi);
                st__jw_end_array(&w);
            }
            st__jw_kv_num(&w, "statistic", o->stat);
            st__jw_kv_num(&w, "p_value", o->p);
            st__jw_kv_num(&w, "p_adjusted", o->padj);
            st__jw_kv_num(&w, "prob_better", o->pb);
            st__jw_end_object(&w);
        }
    }
    st__jw_end_array(&w);
    st__jw_key(&w, "cuped");
    st__jw_begin_array(&w);
    for (size_t k = 0; k < nm && xv; k++)
        for (size_t a = 0; a < narms; a++) {
            if (a == ctl) continue;
            cuped_write(&w, xv, mv[k], armof, n, a, ctl, &as[a * nm + k], &as[ctl * nm + k], alpha, names[a],
                        metrics[k]);
        }
    st__jw_end_array(&w);
    st__jw_end_object(&w);
    rc = st__jw_finish(&w, "st_abtest_analyze", json, len);
done:
    st__free(ctx, bin, nm * sizeof *bin);
    st__free(ctx, idx, narms * sizeof *idx);
    st__free(ctx, pv, narms * sizeof *pv);
    st__free(ctx, co, narms * nm * sizeof *co);
    st__free(ctx, as, narms * nm * sizeof *as);
    st__free(ctx, armof, (n ? n : 1) * sizeof *armof);
    st__free(ctx, mv, nm * sizeof *mv);
    return rc;
}
