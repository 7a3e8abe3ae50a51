/*
** optim.c -- BFGS with a strong-Wolfe line search (Nocedal & Wright, algorithms 3.5 and 3.6). A non-finite
** objective at a trial point shrinks the step, which is what keeps a fit alive when the optimiser wanders
** into a region where a gamma ratio overflows.
*/
#include "num/optim.h"

#include <math.h>
#include <string.h>

typedef struct ls_ctx {
    st__objfn fn;
    void *ud;
    const double *x0, *d;
    double *xt, *gt;
    size_t n;
    int evals;
} ls_ctx;

static double ls_eval(ls_ctx *c, double t, double *dphi)
{
    for (size_t i = 0; i < c->n; i++) c->xt[i] = c->x0[i] + t * c->d[i];
    double f = c->fn(c->xt, c->gt, c->ud);
    c->evals++;
    double s = 0.0;
    for (size_t i = 0; i < c->n; i++) s += c->gt[i] * c->d[i];
    if (!isfinite(s)) f = HUGE_VAL;
    *dphi = s;
    return isfinite(f) ? f : HUGE_VAL;
}

/* Hager & Zhang's approximate Wolfe conditions: near the optimum f stops decreasing measurably at double
** precision, so a step whose slope shows progress is accepted when f has not risen beyond rounding. */
static int approx_wolfe(double f, double dphi, double f0, double dphi0)
{
    return f <= f0 + 1e-14 * fabs(f0) && dphi >= 0.9 * dphi0 && dphi <= -0.8 * dphi0;
}

/* Finds t satisfying the strong Wolfe conditions; returns the step (0 on failure) with f, gradient and
** point at the step left in c->xt / c->gt and *fout. */
static double line_search(ls_ctx *c, double f0, double dphi0, double t1, double *fout)
{
    const double c1 = 1e-4, c2 = 0.9;
    double tprev = 0.0, fprev = f0, dprev = dphi0;
    double t = t1;
    double lo = 0, hi = 0, flo = 0, dlo = 0;
    int zoom = 0;
    for (int it = 0; it < 40; it++) {
        double dphi;
        double f = ls_eval(c, t, &dphi);
        if (!isfinite(f)) {
            /* Outside the model's domain: treat as too far and zoom between the last good point and here. */
            lo = tprev; flo = fprev; dlo = dprev; hi = t;
            zoom = 1;
            break;
        }
        if (approx_wolfe(f, dphi, f0, dphi0)) {
            *fout = f;
            return t;
        }
        if (f > f0 + c1 * t * dphi0 || (it > 0 && f >= fprev)) {
            lo = tprev; flo = fprev; dlo = dprev; hi = t;
            zoom = 1;
            break;
        }
        if (fabs(dphi) <= -c2 * dphi0) {
            *fout = f;
            return t;
        }
        if (dphi >= 0) {
            lo = t; flo = f; dlo = dphi; hi = tprev;
            zoom = 1;
            break;
        }
        tprev = t; fprev = f; dprev = dphi;
        t *= 2.0;
    }
    if (!zoom) return 0.0;
    for (int it = 0; it < 30; it++) {
        /* Bisection: the objective may be infinite at hi, so interpolating through it is not safe. */
        double tj = 0.5 * (lo + hi);
        double dphi;
        double f = ls_eval(c, tj, &dphi);
        if (isfinite(f) && approx_wolfe(f, dphi, f0, dphi0)) {
            *fout = f;
            return tj;
        }
        if (!isfinite(f) || f > f0 + c1 * tj * dphi0 || f >= flo) {
            hi = tj;
        } else {
            if (fabs(dphi) <= -c2 * dphi0) {
                *fout = f;
                return tj;
            }
            if (dphi * (hi - lo) >= 0) hi = lo;
            lo = tj; flo = f; dlo = dphi;
        }
        /* Stop once the bracket moves x by less than rounding: more bisections only burn evaluations. */
        double dmax = 0.0;
        for (size_t i = 0; i < c->n; i++) dmax = fabs(c->d[i]) > dmax ? fabs(c->d[i]) : dmax;
        if (fabs(hi - lo) * dmax < 1e-14 * (1.0 + fabs(lo) * dmax)) break;
    }
    (void)dlo;
    /* Accept the best Armijo point found even without the curvature condition. */
    if (lo > 0.0) {
        double dphi;
        *fout = ls_eval(c, lo, &dphi);
        return lo;
    }
    return 0.0;
}

static double maxabs(const double *v, size_t n)
{
    double m = 0.0;
    for (size_t i = 0; i < n; i++)
        if (fabs(v[i]) > m || !isfinite(v[i])) m = isfinite(v[i]) ? fabs(v[i]) : HUGE_VAL;
    return m;
}

void st__bfgs(st__objfn fn, void *ud, double *x, size_t n, double gtol, int max_iter, st__opt_info *info)
{
    double H[ST__OPT_MAXDIM * ST__OPT_MAXDIM], g[ST__OPT_MAXDIM], d[ST__OPT_MAXDIM];
    double xt[ST__OPT_MAXDIM], gt[ST__OPT_MAXDIM], s[ST__OPT_MAXDIM], y[ST__OPT_MAXDIM], Hy[ST__OPT_MAXDIM];
    memset(info, 0, sizeof *info);
    double f = fn(x, g, ud);
    info->evaluations = 1;
    if (!isfinite(f) || !isfinite(maxabs(g, n))) {
        info->result = ST__OPT_NONFINITE;
        info->f = f;
        info->gnorm = HUGE_VAL;
        return;
    }
    memset(H, 0, sizeof H);
    for (size_t i = 0; i < n; i++) H[i * n + i] = 1.0;
    ls_ctx c = {fn, ud, x, d, xt, gt, n, 0};
    int stall = 0, fresh = 1;
    double fhist[10]; /* f after iterations it - 9 .. it */
    info->result = ST__OPT_MAXITER;
    int it;
    for (it = 0; it < max_iter; it++) {
        if (maxabs(g, n) < gtol * (fabs(f) > 1.0 ? fabs(f) : 1.0)) {
            info->result = ST__OPT_GTOL;
            break;
        }
        double dphi0 = 0.0;
        for (size_t i = 0; i < n; i++) {
            double v = 0.0;
            for (size_t j = 0; j < n; j++) v -= H[i * n + j] * g[j];
            d[i] = v;
            dphi0 += v * g[i];
        }
        if (!(dphi0 < 0.0)) {
            /* Not a descent direction: fall back to steepest descent with a fresh metric. */
            memset(H, 0, sizeof H);
            for (size_t i = 0; i < n; i++) H[i * n + i] = 1.0;
            dphi0 = 0.0;
            for (size_t i = 0; i < n; i++) {
                d[i] = -g[i];
                dphi0 -= g[i] * g[i];
            }
            fresh = 1;
        }
        double t0 = 1.0;
        if (fresh) {
            /* First step of a fresh metric: bound its length so exp(log-parameters) stays sane. */
            double dn = maxabs(d, n);
            if (dn > 1.0) t0 = 1.0 / dn;
        }
        double fnew;
        c.x0 = x;
        double t = line_search(&c, f, dphi0, t0, &fnew);
        if (t == 0.0) {
            if (!fresh) {
                memset(H, 0, sizeof H);
                for (size_t i = 0; i < n; i++) H[i * n + i] = 1.0;
                fresh = 1;
                continue;
            }
            /* No decrease even along steepest descent: at a stationary point within rounding when the
            ** gradient is already small, otherwise a genuine failure. */
            info->result = maxabs(g, n) < 1e3 * gtol ? ST__OPT_FTOL : ST__OPT_LINESEARCH;
            break;
        }
        double sy = 0.0, yy = 0.0;
        for (size_t i = 0; i < n; i++) {
            s[i] = xt[i] - x[i];
            y[i] = gt[i] - g[i];
            sy += s[i] * y[i];
            yy += y[i] * y[i];
        }
        double fold = f;
        memcpy(x, xt, n * sizeof *x);
        memcpy(g, gt, n * sizeof *g);
        f = fnew;
        if (sy > 1e-300 * yy && sy > 0.0) {
            if (fresh) {
                /* Shanno-Phua scaling of the initial metric. */
                double sc = sy / yy;
                for (size_t i = 0; i < n * n; i++) H[i] *= sc;
                fresh = 0;
            }
            double yHy = 0.0;
            for (size_t i = 0; i < n; i++) {
                double v = 0.0;
                for (size_t j = 0; j < n; j++) v += H[i * n + j] * y[j];
                Hy[i] = v;
                yHy += y[i] * v;
            }
            double rho = 1.0 / sy;
            for (size_t i = 0; i < n; i++)
                for (size_t j = 0; j < n; j++)
                    H[i * n + j] += rho * ((1.0 + rho * yHy) * s[i] * s[j] - (Hy[i] * s[j] + s[i] * Hy[j]));
        }
        /* A flat ridge (e.g. Pareto/NBD's s and beta running off to infinity together): f creeps down by
        ** less than 1e-10 relative over 10 iterations, which rounding in the objective can keep going for
        ** ever; stop there. */
        fhist[it % 10] = f;
        if (it >= 10 && fhist[(it + 1) % 10] - f <= 1e-10 * fabs(f)) {
            info->result = ST__OPT_FTOL;
            it++;
            break;
        }
        if (fabs(fold - f) <= 1e-15 * (fabs(f) + 1e-300)) {
            if (++stall >= 3) {
                info->result = ST__OPT_FTOL;
                it++;
                break;
            }
        } else {
            stall = 0;
        }
    }
    info->iterations = it;
    info->evaluations += c.evals;
    info->f = f;
    info->gnorm = maxabs(g, n);
}

int st__num_hessian(st__objfn fn, void *ud, const double *x, size_t n, double *h)
{
    double xp[ST__OPT_MAXDIM], gp[ST__OPT_MAXDIM], gm[ST__OPT_MAXDIM];
    for (size_t j = 0; j < n; j++) {
        double step = 1e-5 * (1.0 + fabs(x[j]));
        memcpy(xp, x, n * sizeof *x);
        xp[j] = x[j] + step;
        (void)fn(xp, gp, ud);
        xp[j] = x[j] - step;
        (void)fn(xp, gm, ud);
        for (size_t i = 0; i < n; i++) h[i * n + j] = (gp[i] - gm[i]) / (2.0 * step);
    }
    int ok = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++) {
            double v = 0.5 * (h[i * n + j] + h[j * n + i]);
            h[i * n + j] = h[j * n + i] = v;
        }
    for (size_t i = 0; i < n * n; i++)
        if (!isfinite(h[i])) ok = -1;
    return ok;
}
