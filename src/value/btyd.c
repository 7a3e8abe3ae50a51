/*
** btyd.c -- per-customer log-likelihoods and predictions of the BTYD family (BG/NBD, MBG/NBD, Pareto/NBD,
** BG/BB, Gamma-Gamma) in overflow-free forms: note 027 for BG/NBD, the sum of two positive terms for
** Pareto/NBD, Euler-transformed series for the expectations, sums of beta ratios for BG/BB.
*/
#include "value/btyd.h"
#include "num/specfun.h"

#include <math.h>
#include <string.h>

static const char *const names_bg[] = {"r", "alpha", "a", "b"};
static const char *const names_pnbd[] = {"r", "alpha", "s", "beta"};
static const char *const names_bgbb[] = {"alpha", "beta", "gamma", "delta"};
static const char *const names_gg[] = {"p", "q", "gamma"};

size_t st__model_nparams(st_btyd_kind kind)
{
    switch (kind) {
    case ST_BTYD_BGNBD:
    case ST_BTYD_MBGNBD:
    case ST_BTYD_PNBD:
    case ST_BTYD_BGBB: return 4;
    case ST_BTYD_GG: return 3;
    }
    return 0;
}

const char *st__model_param_name(st_btyd_kind kind, size_t i)
{
    if (i >= st__model_nparams(kind)) return NULL;
    switch (kind) {
    case ST_BTYD_BGNBD:
    case ST_BTYD_MBGNBD: return names_bg[i];
    case ST_BTYD_PNBD: return names_pnbd[i];
    case ST_BTYD_BGBB: return names_bgbb[i];
    case ST_BTYD_GG: return names_gg[i];
    }
    return NULL;
}

double st__units_per_year(const char *unit)
{
    if (!unit) return 0.0;
    if (strcmp(unit, "day") == 0) return 365.25;
    if (strcmp(unit, "week") == 0) return 365.25 / 7.0;
    if (strcmp(unit, "month") == 0) return 12.0;
    if (strcmp(unit, "year") == 0) return 1.0;
    if (strcmp(unit, "hour") == 0) return 365.25 * 24.0;
    return 0.0;
}

/* ---------------------------------------------------------------------------------------------------
** BG/NBD and MBG/NBD. With bx = b+x (+1 for MBG) the likelihood is, per note 027,
**   ll = D1 + D2 + ln(C3 + C4),  C3 = ((alpha+tx)/(alpha+T))^(r+x) <= 1,  C4 = a/(bx-1)
** where C4 is present for x > 0 (BG/NBD) or always (MBG/NBD, which allows a drop-out at time 0).
** ------------------------------------------------------------------------------------------------- */

void st__bg_xterms(double r, double a, double b, double x, double sh, double *o)
{
    double m = x + sh;
    /* Few terms, or parameters so large that the lgamma differences below would cancel. */
    int big = a + b >= 1e4 || r >= 1e4;
    if (x == floor(x) && x >= 0.0 && (m <= 8.0 || (big && m <= 4097.0))) {
        /* Gamma(c + m) / Gamma(c) as a product: exact to rounding whatever the size of c, where the lgamma
        ** differences lose every digit once a and b run to 1e15 and beyond (a flat BG/NBD surface sends
        ** them there: a drop-out probability without heterogeneity). */
        double lr = 0.0, pr = 0.0, lb = 0.0, pb = 0.0, pab = 0.0;
        for (double k = 0.0; k < x; k += 1.0) {
            lr += log(r + k);
            pr += 1.0 / (r + k);
        }
        for (double k = 0.0; k < m; k += 1.0) {
            lb -= log1p(a / (b + k));
            pb += 1.0 / (b + k);
            pab += 1.0 / (a + b + k);
        }
        o[0] = lr;
        o[1] = lb;
        o[2] = pr;
        o[3] = pb;
        o[4] = pab;
        return;
    }
    double rx = r + x, bx = b + m, abx = a + bx;
    o[0] = st__lgamma(rx) - st__lgamma(r);
    o[1] = st__lgamma(a + b) + st__lgamma(bx) - st__lgamma(b) - st__lgamma(abx);
    o[2] = st__digamma(rx) - st__digamma(r);
    o[3] = st__digamma(bx) - st__digamma(b);
    o[4] = st__digamma(abx) - st__digamma(a + b);
}

void st__bg_xterms2(double r, double a, double b, double x, double sh, double *o)
{
    double m = x + sh;
    if (x == floor(x) && x >= 0.0 && m <= 4097.0) {
        double dr = 0.0, db = 0.0, dab = 0.0;
        for (double k = 0.0; k < x; k += 1.0) dr -= 1.0 / ((r + k) * (r + k));
        for (double k = 0.0; k < m; k += 1.0) {
            db -= 1.0 / ((b + k) * (b + k));
            dab -= 1.0 / ((a + b + k) * (a + b + k));
        }
        o[0] = dr;
        o[1] = db;
        o[2] = dab;
        return;
    }
    o[0] = st__trigamma(r + x) - st__trigamma(r);
    o[1] = st__trigamma(b + m) - st__trigamma(b);
    o[2] = st__trigamma(a + b + m) - st__trigamma(a + b);
}

double st__bgnbd_ll(const double *th, double x, double tx, double T, double *grad, int modified)
{
    double r = th[0], al = th[1], a = th[2], b = th[3];
    double bx = b + x + (modified ? 1.0 : 0.0);
    double rx = r + x;
    double lat = log(al + tx), laT = log(al + T);
    double xt[5];
    st__bg_xterms(r, a, b, x, modified ? 1.0 : 0.0, xt);
    double D1 = xt[0] + xt[1];
    double D2 = r * log(al) - rx * lat;
    double C3 = exp(rx * (lat - laT));
    int has4 = modified || x > 0.0;
    double C4 = has4 ? a / (bx - 1.0) : 0.0;
    double S = C3 + C4;
    if (grad) {
        double dC3r = C3 * (lat - laT);
        double dC3a = C3 * rx * (1.0 / (al + tx) - 1.0 / (al + T));
        grad[0] = xt[2] + log(al) - lat + dC3r / S;
        grad[1] = r / al - rx / (al + tx) + dC3a / S;
        grad[2] = -xt[4] + (has4 ? 1.0 / (bx - 1.0) / S : 0.0);
        grad[3] = xt[3] - xt[4] - (has4 ? a / ((bx - 1.0) * (bx - 1.0)) / S : 0.0);
    }
    return D1 + D2 + log(S);
}

double st__bgnbd_palive(const double *th, double x, double tx, double T, int modified)
{
    double r = th[0], al = th[1], a = th[2], b = th[3];
    if (!modified && x <= 0.0) return 1.0;
    double bx = b + x + (modified ? 1.0 : 0.0);
    double ld = log(a / (bx - 1.0)) + (r + x) * (log(al + T) - log(al + tx));
    if (ld > 700.0) return 0.0;
    return 1.0 / (1.0 + exp(ld));
}

double st__bgnbd_cet(const double *th, double x, double tx, double T, double t, int modified)
{
    if (t <= 0.0) return 0.0;
    double pa = st__bgnbd_palive(th, x, tx, T, modified);
    if (pa == 0.0) return 0.0;
    return st__bgnbd_cet_factor(th, x, T, t, modified) * pa;
}

double st__bgnbd_cet_factor(const double *th, double x, double T, double t, int modified)
{
    double r = th[0], al = th[1], a = th[2], b = th[3];
    double z = t / (al + T + t);
    double ln1mz = -log1p(t / (al + T));
    return st__bg_expect_factor(r, a, modified ? b + 1.0 : b, x, z, ln1mz);
}

double st__bgnbd_expected(const double *th, double t, int modified)
{
    double r = th[0], al = th[1], a = th[2], b = th[3];
    if (t <= 0.0) return 0.0;
    double z = t / (al + t), ln1mz = -log1p(t / al);
    if (!modified) return st__bg_expect_factor(r, a, b, 0.0, z, ln1mz);
    return st__bg_expect_factor(r, a, b + 1.0, 0.0, z, ln1mz) * b / (a + b);
}

/* ---------------------------------------------------------------------------------------------------
** Pareto/NBD. The likelihood as a sum of two positive terms (pymc-marketing, note 009): no A0 difference,
** so nothing cancels when tx -> T. Every 2F1 has c = a+1 (st__log_hyp2f1_a1).
** ------------------------------------------------------------------------------------------------- */

void st__pnbd_h(const double *th, double x, double t, int which, double *h)
{
    double r = th[0], al = th[1], s = th[2], be = th[3];
    int ageb = al >= be;
    double M = ageb ? al : be, rsx = r + s + x;
    double b = which == 1 ? (ageb ? s + 1.0 : r + x) : (ageb ? s : r + x + 1.0);
    h[0] = st__log_hyp2f1_a1_grad(rsx, b, fabs(al - be) / (M + t), &h[1], &h[2], &h[3]);
}

double st__pnbd_ll(const double *th, double x, double tx, double T, double *grad)
{
    double h1[4] = {0, 0, 0, 0}, h2[4] = {0, 0, 0, 0};
    if (grad) {
        st__pnbd_h(th, x, tx, 1, h1);
        st__pnbd_h(th, x, T, 2, h2);
    } else {
        /* Value only: the plain series, without the derivative sums. */
        double r = th[0], al = th[1], s = th[2], be = th[3];
        int ageb = al >= be;
        double M = ageb ? al : be, d = fabs(al - be), rsx = r + s + x;
        h1[0] = st__log_hyp2f1_a1(rsx, ageb ? s + 1.0 : r + x, d / (M + tx));
        h2[0] = st__log_hyp2f1_a1(rsx, ageb ? s : r + x + 1.0, d / (M + T));
    }
    return st__pnbd_ll_pre(th, x, tx, T, h1, h2, NULL, grad);
}

double st__pnbd_ll_pre(const double *th, double x, double tx, double T, const double *h1, const double *h2,
                       const double *xt, double *grad)
{
    double r = th[0], al = th[1], s = th[2], be = th[3];
    double rx = r + x, rsx = r + s + x;
    int ageb = al >= be;
    double M = ageb ? al : be;
    double lMt = log(M + tx), lMT = log(M + T);
    double ga1 = h1[1], gb1 = h1[2], gz1 = h1[3], ga2 = h2[1], gb2 = h2[2], gz2 = h2[3];
    double t1 = log(s) - log(rsx) + h1[0];
    double t2 = log(rx) - log(rsx) + h2[0] - rsx * (lMT - lMt);
    double lse = st__logaddexp(t1, t2);
    if (grad) {
        double w1 = exp(t1 - lse), w2 = exp(t2 - lse);
        /* d z / d(alpha, beta) and d ln(M+t) / d(alpha, beta) for both branches of M = max(alpha, beta). */
        double dz1a, dz1b, dz2a, dz2b, dL1a, dL1b, dL2a, dL2b;
        if (ageb) {
            dz1a = (be + tx) / ((al + tx) * (al + tx));
            dz1b = -1.0 / (al + tx);
            dz2a = (be + T) / ((al + T) * (al + T));
            dz2b = -1.0 / (al + T);
            dL1a = 1.0 / (al + tx);
            dL2a = 1.0 / (al + T);
            dL1b = dL2b = 0.0;
        } else {
            dz1b = (al + tx) / ((be + tx) * (be + tx));
            dz1a = -1.0 / (be + tx);
            dz2b = (al + T) / ((be + T) * (be + T));
            dz2a = -1.0 / (be + T);
            dL1b = 1.0 / (be + tx);
            dL2b = 1.0 / (be + T);
            dL1a = dL2a = 0.0;
        }
        double dbr = ageb ? 0.0 : 1.0, dbs = ageb ? 1.0 : 0.0;
        double dt1r = -1.0 / rsx + ga1 + gb1 * dbr;
        double dt1s = 1.0 / s - 1.0 / rsx + ga1 + gb1 * dbs;
        double dt1a = gz1 * dz1a, dt1b = gz1 * dz1b;
        double dt2r = 1.0 / rx - 1.0 / rsx + ga2 + gb2 * dbr - (lMT - lMt);
        double dt2s = -1.0 / rsx + ga2 + gb2 * dbs - (lMT - lMt);
        double dt2a = gz2 * dz2a - rsx * (dL2a - dL1a), dt2b = gz2 * dz2b - rsx * (dL2b - dL1b);
        grad[0] = (xt ? xt[1] : st__digamma(rx) - st__digamma(r)) + log(al) - lMt + w1 * dt1r + w2 * dt2r;
        grad[1] = r / al - rsx * dL1a + w1 * dt1a + w2 * dt2a;
        grad[2] = log(be) - lMt + w1 * dt1s + w2 * dt2s;
        grad[3] = s / be - rsx * dL1b + w1 * dt1b + w2 * dt2b;
    }
    return (xt ? xt[0] : st__lgamma(rx) - st__lgamma(r)) + r * log(al) + s * log(be) - rsx * lMt + lse;
}

double st__pnbd_palive(const double *th, double x, double tx, double T)
{
    double r = th[0], al = th[1], s = th[2], be = th[3];
    double ll = st__pnbd_ll(th, x, tx, T, NULL);
    double lc = st__lgamma(r + x) - st__lgamma(r) + r * log(al) + s * log(be);
    double v = exp(-(r + x) * log(al + T) - s * log(be + T) - (ll - lc));
    return v > 1.0 ? 1.0 : v;
}

/* (1 - e^(u))/(s-1) style factor: [1 - ((B)/(B+t))^(s-1)] / (s-1), continuous at s = 1. */
static double pnbd_g(double s, double lratio)
{
    double sm1 = s - 1.0;
    if (fabs(sm1) < 1e-300) return -lratio;
    return -expm1(sm1 * lratio) / sm1;
}

double st__pnbd_cet(const double *th, double x, double tx, double T, double t)
{
    return st__pnbd_cet_pa(th, x, T, t, t > 0.0 ? st__pnbd_palive(th, x, tx, T) : 0.0);
}

double st__pnbd_cet_pa(const double *th, double x, double T, double t, double pa)
{
    double r = th[0], al = th[1], s = th[2], be = th[3];
    if (t <= 0.0) return 0.0;
    double lratio = -log1p(t / (be + T));
    return pa * (r + x) * (be + T) / (al + T) * pnbd_g(s, lratio);
}

double st__pnbd_expected(const double *th, double t)
{
    double r = th[0], al = th[1], s = th[2], be = th[3];
    if (t <= 0.0) return 0.0;
    return r * be / al * pnbd_g(s, -log1p(t / be));
}

double st__pnbd_dert(const double *th, double x, double tx, double T, double delta)
{
    /* DERT = P(alive) (r+x)/(alpha+T) * integral_0^inf e^(-delta t) ((beta+T)/(beta+T+t))^s dt
    **      = P(alive) (r+x)/(alpha+T) * B * z^(s-1) e^z Gamma(1-s, z),  B = beta+T, z = delta B. */
    double r = th[0], al = th[1], s = th[2], be = th[3];
    double pa = st__pnbd_palive(th, x, tx, T);
    double B = be + T, z = delta * B;
    double lint = log(B) + (s - 1.0) * log(z) + z + st__log_upper_gamma(1.0 - s, z);
    return pa * (r + x) / (al + T) * exp(lint);
}

/* ---------------------------------------------------------------------------------------------------
** Gamma-Gamma spend (Fader, Hardie & Lee 2005, eq. 1a with its constants).
** ------------------------------------------------------------------------------------------------- */

double st__gg_ll(const double *th, double x, double m, double *grad)
{
    double p = th[0], q = th[1], g = th[2];
    double px = p * x, lgm = log(g + m * x);
    if (grad) {
        double ps = st__digamma(px + q);
        grad[0] = x * (ps - st__digamma(px) + log(m) + log(x) - lgm);
        grad[1] = ps - st__digamma(q) + log(g) - lgm;
        grad[2] = q / g - (px + q) / (g + m * x);
    }
    return st__lgamma(px + q) - st__lgamma(px) - st__lgamma(q) + q * log(g) + (px - 1.0) * log(m) + px * log(x) -
           (px + q) * lgm;
}

double st__gg_spend(const double *th, double x, double m)
{
    double p = th[0], q = th[1], g = th[2];
    if (!(x > 0.0)) return g * p / (q - 1.0);
    return (g + m * x) * p / (p * x + q - 1.0);
}

/* ---------------------------------------------------------------------------------------------------
** BG/BB (discrete time, Fader, Hardie & Shang 2010): L is a sum of beta-ratio terms, combined by an
** online log-sum-exp that also carries each term's gradient.
** ------------------------------------------------------------------------------------------------- */

static void dlbeta(double u, double v, double *du, double *dv)
{
    double puv = st__digamma(u + v);
    *du = st__digamma(u) - puv;
    *dv = st__digamma(v) - puv;
}

double st__bgbb_ll(const double *th, double x, double tx, double n, double *grad)
{
    double al = th[0], be = th[1], ga = th[2], de = th[3];
    double lB0 = st__lbeta(al, be), lG0 = st__lbeta(ga, de);
    double m = -HUGE_VAL, S = 0.0, G[4] = {0, 0, 0, 0};
    double d0[4] = {0, 0, 0, 0};
    if (grad) {
        double u, v;
        dlbeta(al, be, &u, &v);
        d0[0] = -u;
        d0[1] = -v;
        dlbeta(ga, de, &u, &v);
        d0[2] = -u;
        d0[3] = -v;
    }
    long nt = (long)(n - tx);
    for (long i = -1; i < nt; i++) {
        double v, gr[4] = {0, 0, 0, 0};
        double u1 = 0, v1 = 0, u2 = 0, v2 = 0;
        if (i < 0) {
            v = st__lbeta(al + x, be + n - x) + st__lbeta(ga, de + n);
            if (grad) {
                dlbeta(al + x, be + n - x, &u1, &v1);
                dlbeta(ga, de + n, &u2, &v2);
            }
        } else {
            double di = (double)i;
            v = st__lbeta(al + x, be + tx - x + di) + st__lbeta(ga + 1.0, de + tx + di);
            if (grad) {
                dlbeta(al + x, be + tx - x + di, &u1, &v1);
                dlbeta(ga + 1.0, de + tx + di, &u2, &v2);
            }
        }
        if (grad) {
            gr[0] = u1;
            gr[1] = v1;
            gr[2] = u2;
            gr[3] = v2;
        }
        if (v > m) {
            double sc = exp(m - v);
            S *= sc;
            for (int k = 0; k < 4; k++) G[k] *= sc;
            m = v;
        }
        double e = exp(v - m);
        S += e;
        if (grad)
            for (int k = 0; k < 4; k++) G[k] += e * gr[k];
    }
    if (grad)
        for (int k = 0; k < 4; k++) grad[k] = G[k] / S + d0[k];
    return m + log(S) - lB0 - lG0;
}

double st__bgbb_palive(const double *th, double x, double tx, double n)
{
    double al = th[0], be = th[1], ga = th[2], de = th[3];
    double ll = st__bgbb_ll(th, x, tx, n, NULL);
    double v = st__lbeta(al + x, be + n - x) - st__lbeta(al, be) + st__lbeta(ga, de + n + 1.0) -
               st__lbeta(ga, de) - ll;
    double p = exp(v);
    return p > 1.0 ? 1.0 : p;
}

double st__bgbb_cet(const double *th, double x, double tx, double n, double nstar)
{
    double al = th[0], be = th[1], ga = th[2], de = th[3];
    double ll = st__bgbb_ll(th, x, tx, n, NULL);
    double lG0 = st__lbeta(ga, de), sum = 0.0;
    for (double i = n + 1.0; i <= n + nstar; i += 1.0) sum += exp(st__lbeta(ga, de + i) - lG0);
    return exp(st__lbeta(al + x + 1.0, be + n - x) - st__lbeta(al, be) - ll) * sum;
}

double st__bgbb_expected(const double *th, double n)
{
    double al = th[0], be = th[1], ga = th[2], de = th[3];
    double lG0 = st__lbeta(ga, de), sum = 0.0;
    for (double i = 1.0; i <= n; i += 1.0) sum += exp(st__lbeta(ga, de + i) - lG0);
    return al / (al + be) * sum;
}

/* ---------------------------------------------------------------------------------------------------
** Probability of n purchases. Unconditional P(X(t) = k) for a new customer, and the conditional PMF over
** (T, T+t]: a customer alive at T behaves like a new customer with posterior parameters (the purchase rate
** Gamma(r+x, alpha+T); BG: p ~ Beta(a, b+x) (MBG b+x+1), the BG story with no coin at the window's start;
** Pareto/NBD mu ~ Gamma(s, beta+T); BG/BB Beta(alpha+x, beta+n-x), Beta(gamma, delta+n)), so the
** conditional PMF is (1 - P(alive)) [k = 0] + P(alive) * PMF(posterior). Every term is a product of
** gammas taken in logs; negative-binomial tails come from the incomplete beta, never from 1 - a sum.
** ------------------------------------------------------------------------------------------------- */

/* ln P(N = k) for N negative binomial with shape r and ln success / failure probabilities lp, lq. */
static double nb_lpmf(double r, double lp, double lq, double k)
{
    return st__lgamma(r + k) - st__lgamma(r) - st__lgamma(k + 1.0) + r * lp + k * lq;
}

void st__bg_pmf(const double *th, double t, int modified, size_t kmax, double *out)
{
    double r = th[0], al = th[1], a = th[2], b = th[3];
    double m = modified ? 1.0 : 0.0;
    double p = al / (al + t), q = t / (al + t);
    double lp = -log1p(t / al), lq = -log1p(al / t);
    double lbab = st__lbeta(a, b);
    for (size_t i = 0; i <= kmax; i++) {
        double k = (double)i;
        /* Alive after k purchases (k coins survived, k+1 for MBG), with exactly k of them by t ... */
        double v = exp(st__lbeta(a, b + k + m) - lbab + nb_lpmf(r, lp, lq, k));
        /* ... or dropped out at the coin after purchase k (MBG: also at time 0), which needs N(t) >= k. */
        if (k + m >= 1.0) {
            double ltail = i == 0 ? 0.0 : st__log_ibeta(k, r, q, p); /* P(N >= k) = I_q(k, r) */
            v += exp(st__lbeta(a + 1.0, b + k - 1.0 + m) - lbab + ltail);
        }
        out[i] = v;
    }
}

/* The Pareto/NBD death term: P(dead by t with k purchases) = s beta^s alpha^r Gamma(r+k) / (Gamma(r) k!)
** * J, J = int_0^t tau^k (alpha+tau)^-(r+k) (beta+tau)^-(s+1) dtau. With M = max(alpha, beta) the smaller
** base is expanded around the larger one (all coefficients positive, kappa = |alpha-beta|/M < 1), and each
** piece is an incomplete beta: J = M^-(r+s) sum_n (c0)_n/n! kappa^n B_z(k+1, r+s+n), z = t/(M+t),
** c0 = s+1 (alpha >= beta) or r+k. B_z(a, b+1) = (b B_z(a, b) + z^a (1-z)^b) / (a+b) carries the series
** with positive terms only (this is note 013 eq. 24 without its difference of two large terms). */
static double pnbd_ldeath(double r, double al, double s, double be, double t, double k)
{
    int ageb = al >= be;
    double M = ageb ? al : be;
    double lz = -log1p(M / t), ly = -log1p(t / M);
    double z = t / (M + t), y = M / (M + t);
    double kap = fabs(al - be) / M;
    double c0 = ageb ? s + 1.0 : r + k, nu = r + s, A = k + 1.0;
    double L0 = st__lbeta(A, nu) + st__log_ibeta(A, nu, z, y);
    /* Terms relative to the first; rho = z^A (1-z)^b_n / B_z(A, b_n) <= A, so the ratio B_{n+1}/B_n =
    ** (b_n + rho)/(A + b_n) needs no logs. S is rescaled before it could overflow. */
    double rho = exp(A * lz + nu * ly - L0), term = 1.0, S = 1.0, lscale = 0.0;
    for (long n = 0; n < 10000000; n++) {
        double dn = (double)n, bn = nu + dn;
        double rr = (bn + rho) / (A + bn);
        rho *= y / rr;
        double f = (c0 + dn) / (dn + 1.0) * kap * rr;
        term *= f;
        S += term;
        if (term <= 1e-17 * S && f < 1.0) break;
        if (S > 1e280) {
            S *= 1e-280;
            term *= 1e-280;
            lscale += 280.0 * 2.302585092994045684;
        }
    }
    double lsum = lscale + log(S);
    return log(s) + s * log(be) + r * log(al) + st__lgamma(r + k) - st__lgamma(r) - st__lgamma(k + 1.0) -
           nu * log(M) + L0 + lsum;
}

void st__pnbd_pmf(const double *th, double t, size_t kmax, double *out)
{
    double r = th[0], al = th[1], s = th[2], be = th[3];
    double lsurv = -s * log1p(t / be), lp = -log1p(t / al), lq = -log1p(al / t);
    for (size_t i = 0; i <= kmax; i++) {
        double k = (double)i;
        out[i] = exp(lsurv + nb_lpmf(r, lp, lq, k)) + exp(pnbd_ldeath(r, al, s, be, t, k));
    }
}

void st__bgbb_pmf(const double *th, double n, size_t kmax, double *out)
{
    double al = th[0], be = th[1], ga = th[2], de = th[3];
    double lB = st__lbeta(al, be), lG = st__lbeta(ga, de);
    double lsurv = st__lbeta(ga, de + n) - lG;
    for (size_t i = 0; i <= kmax; i++) {
        double x = (double)i;
        if (x > n) {
            out[i] = 0.0;
            continue;
        }
        /* Alive through all n opportunities with x purchases ... */
        double lchoose = st__lgamma(n + 1.0) - st__lgamma(x + 1.0) - st__lgamma(n - x + 1.0);
        double v = exp(lchoose + st__lbeta(al + x, be + n - x) - lB + lsurv);
        /* ... or dead after j = x..n-1 opportunities with x purchases among them (online log-sum-exp). */
        double lt = st__lbeta(al + x, be) - lB + st__lbeta(ga + 1.0, de + x) - lG;
        double mx = lt, S = 0.0;
        for (double j = x; j < n; j += 1.0) {
            if (lt > mx) {
                S *= exp(mx - lt);
                mx = lt;
            }
            S += exp(lt - mx);
            lt += log((j + 1.0) / (j + 1.0 - x) * (be + j - x) / (al + be + j) * (de + j) / (ga + de + j + 1.0));
        }
        if (S > 0.0) v += exp(mx + log(S));
        out[i] = v;
    }
}

/* (1 - pa) [k = 0] + pa * out[k]: the mixture of "dead at T" and "alive at T". */
static void mix_alive(double pa, size_t kmax, double *out)
{
    out[0] = 1.0 - pa * (1.0 - out[0]);
    for (size_t i = 1; i <= kmax; i++) out[i] *= pa;
}

void st__bgnbd_cond_pmf(const double *th, double x, double tx, double T, double t, int modified, size_t kmax,
                        double *out)
{
    double post[4] = {th[0] + x, th[1] + T, th[2], th[3] + x + (modified ? 1.0 : 0.0)};
    st__bg_pmf(post, t, 0, kmax, out);
    mix_alive(st__bgnbd_palive(th, x, tx, T, modified), kmax, out);
}

void st__pnbd_cond_pmf(const double *th, double x, double tx, double T, double t, size_t kmax, double *out)
{
    double post[4] = {th[0] + x, th[1] + T, th[2], th[3] + T};
    st__pnbd_pmf(post, t, kmax, out);
    mix_alive(st__pnbd_palive(th, x, tx, T), kmax, out);
}

void st__bgbb_cond_pmf(const double *th, double x, double tx, double n, double nstar, size_t kmax, double *out)
{
    double al = th[0], be = th[1], ga = th[2], de = th[3];
    /* Alive after the n-th opportunity (st__bgbb_palive is one period later). */
    double ll = st__bgbb_ll(th, x, tx, n, NULL);
    double pa = exp(st__lbeta(al + x, be + n - x) - st__lbeta(al, be) + st__lbeta(ga, de + n) - st__lbeta(ga, de) - ll);
    double post[4] = {al + x, be + n - x, ga, de + n};
    st__bgbb_pmf(post, nstar, kmax, out);
    mix_alive(pa > 1.0 ? 1.0 : pa, kmax, out);
}
