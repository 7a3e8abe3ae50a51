/*
** ab.c -- `strata abtest power`: sample size per arm for two proportions, the number statsmodels 0.13
** gives (Cohen's h from proportion_effectsize; NormalIndPower.solve_power, which brackets the root with
** statsmodels' brentq_expanding from [2, 50] and solves it with scipy's brentq at xtol 1e-5).
*/
#include "eval/ab.h"
#include "num/specfun.h"
#include "num/stats.h"

#include <math.h>

double st__brentq(double (*f)(double, void *), void *ud, double xa, double xb, double xtol, double rtol,
                  int maxiter, int *converged, int *sign_error)
{
    double xpre = xa, xcur = xb, xblk = 0.0, fblk = 0.0, spre = 0.0, scur = 0.0;
    *converged = 0;
    *sign_error = 0;
    double fpre = f(xpre, ud), fcur = f(xcur, ud);
    if (fpre == 0.0) {
        *converged = 1;
        return xpre;
    }
    if (fcur == 0.0) {
        *converged = 1;
        return xcur;
    }
    if (signbit(fpre) == signbit(fcur)) {
        *sign_error = 1;
        return NAN;
    }
    for (int i = 0; i < maxiter; i++) {
        if (fpre != 0.0 && fcur != 0.0 && signbit(fpre) != signbit(fcur)) {
            xblk = xpre;
            fblk = fpre;
            spre = scur = xcur - xpre;
        }
        if (fabs(fblk) < fabs(fcur)) {
            xpre = xcur;
            xcur = xblk;
            xblk = xpre;
            fpre = fcur;
            fcur = fblk;
            fblk = fpre;
        }
        double delta = (xtol + rtol * fabs(xcur)) / 2.0;
        double sbis = (xblk - xcur) / 2.0;
        if (fcur == 0.0 || fabs(sbis) < delta) {
            *converged = 1;
            return xcur;
        }
        if (fabs(spre) > delta && fabs(fcur) < fabs(fpre)) {
            double stry;
            if (xpre == xblk) {
                stry = -fcur * (xcur - xpre) / (fcur - fpre); /* interpolate */
            } else {                                          /* extrapolate */
                double dpre = (fpre - fcur) / (xpre - xcur);
                double dblk = (fblk - fcur) / (xblk - xcur);
                stry = -fcur * (fblk * dblk - fpre * dpre) / (dblk * dpre * (fblk - fpre));
            }
            double lim = fmin(fabs(spre), 3.0 * fabs(sbis) - delta);
            if (2.0 * fabs(stry) < lim) { /* good short step */
                spre = scur;
                scur = stry;
            } else {
                spre = sbis;
                scur = sbis;
            }
        } else {
            spre = sbis;
            scur = sbis;
        }
        xpre = xcur;
        fpre = fcur;
        if (fabs(scur) > delta)
            xcur += scur;
        else
            xcur += (sbis > 0.0 ? delta : -delta);
        fcur = f(xcur, ud);
    }
    return xcur;
}

double st__ab_normal_ind_power(double h, double nobs1, double alpha, double ratio)
{
    double nobs2 = nobs1 * ratio;
    double nobs = 1.0 / (1.0 / nobs1 + 1.0 / nobs2);
    double s = h * sqrt(nobs);
    double pw = st__norm_sf(st__norm_isf(alpha / 2.0) - s);
    pw += st__norm_cdf(st__norm_ppf(alpha / 2.0) - s);
    return pw;
}

typedef struct power_eq {
    double h, alpha, ratio, power;
} power_eq;

static double power_identity(double nobs1, void *ud)
{
    const power_eq *e = ud;
    double v = st__ab_normal_ind_power(e->h, nobs1, e->alpha, e->ratio) - e->power;
    return isnan(v) ? (double)INFINITY : v;
}

st_status st_abtest_power(st_context *ctx, double baseline, double treatment, double alpha, double power,
                          double ratio, st_abtest_power_result *out)
{
    if (!out) return st__error(ctx, ST_EINVAL, "abtest power: NULL result");
    if (!(baseline > 0.0 && baseline < 1.0))
        return st__error(ctx, ST_EINVAL, "abtest power: baseline %g is not in (0, 1)", baseline);
    if (!(treatment >= 0.0 && treatment <= 1.0))
        return st__error(ctx, ST_EINVAL, "abtest power: treatment rate %g (baseline with the effect) is not in [0, 1]",
                         treatment);
    if (treatment == baseline) return st__error(ctx, ST_EINVAL, "abtest power: the effect is zero");
    if (!(alpha > 0.0 && alpha < 1.0)) return st__error(ctx, ST_EINVAL, "abtest power: alpha %g is not in (0, 1)", alpha);
    if (!(power > 0.0 && power < 1.0)) return st__error(ctx, ST_EINVAL, "abtest power: power %g is not in (0, 1)", power);
    if (!(ratio > 0.0) || !isfinite(ratio)) return st__error(ctx, ST_EINVAL, "abtest power: ratio %g is not > 0", ratio);
    /* statsmodels proportion_effectsize(treatment, baseline) */
    power_eq e = {2.0 * asin(sqrt(treatment)) - 2.0 * asin(sqrt(baseline)), alpha, ratio, power};
    /* statsmodels brentq_expanding(low=2, start_upp=50, xtol=1e-5, factor=10, max_it=100) */
    double sl = 2.0, su = 50.0, left, right = NAN;
    double flow = power_identity(sl, &e), fupp = power_identity(su, &e);
    if (!(flow < fupp)) return st__error(ctx, ST_EDATA, "abtest power: the power does not grow with the sample size");
    int nit = 0;
    left = sl;
    while (power_identity(left, &e) > 0.0) {
        right = left;
        left *= 10.0;
        if (nit >= 100) break;
        nit++;
    }
    if (isnan(right)) {
        right = su;
        while (power_identity(right, &e) < 0.0) {
            left = right;
            right *= 10.0;
            if (nit >= 100) break;
            nit++;
        }
    }
    int conv = 0, serr = 0;
    double x = st__brentq(power_identity, &e, left, right, 1e-5, 4.0 * 2.220446049250313e-16, 100, &conv, &serr);
    if (serr || !conv || !isfinite(x))
        return st__error(ctx, ST_EDATA, "abtest power: the sample size equation has no root (effect %g)", e.h);
    out->effect_size = e.h;
    out->nobs1_exact = x;
    out->nobs1 = ceil(x);
    out->nobs2 = ceil(x * ratio);
    return ST_OK;
}

/* P(X > Y), X ~ Beta(at, bt), Y ~ Beta(ac, bc), at whole: Evan Miller's sum of at positive terms. */
static double prob_better_sum(double at, double bt, double ac, double bc)
{
    double base = st__lbeta(ac, bc), s = 0.0;
    for (double i = 0.0; i < at; i += 1.0) s += exp(st__lbeta(ac + i, bc + bt) - log(bt + i) - st__lbeta(1.0 + i, bt) - base);
    return s;
}

double st__ab_prob_better(double at, double bt, double ac, double bc)
{
    /* The smaller tail is summed directly (positive terms: full relative precision however tiny it is) and the
    ** larger one is its complement; 1 - (a sum near 1) would lose every digit of a tiny probability. Each
    ** tail has two sums: P(X > Y) = P(1 - Y > 1 - X) over at or bc terms, P(Y > X) over ac or bt terms; the
    ** shorter is taken. The tail with the lower posterior mean is the smaller one (near 1/2 either serves). */
    if (at * (ac + bc) < ac * (at + bt)) return at <= bc ? prob_better_sum(at, bt, ac, bc) : prob_better_sum(bc, ac, bt, at);
    double q = ac <= bt ? prob_better_sum(ac, bc, at, bt) : prob_better_sum(bt, at, bc, ac);
    return 1.0 - q;
}

void st__ab_adjust(double *p, size_t m, int method, size_t *idx)
{
    if (method == 0 || m == 0) return;
    if (method == 1) {
        for (size_t i = 0; i < m; i++) p[i] = fmin(1.0, p[i] * (double)m);
        return;
    }
    for (size_t i = 0; i < m; i++) idx[i] = i;
    for (size_t i = 1; i < m; i++) /* insertion sort by p (a handful of arms) */
        for (size_t j = i; j > 0 && p[idx[j]] < p[idx[j - 1]]; j--) {
            size_t t = idx[j];
            idx[j] = idx[j - 1];
            idx[j - 1] = t;
        }
    double run = 0.0;
    for (size_t k = 0; k < m; k++) {
        double v = p[idx[k]] * (double)(m - k);
        run = fmax(run, v);
        p[idx[k]] = fmin(1.0, run);
    }
}
