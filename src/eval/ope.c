/*
** ope.c -- off-policy evaluation: IPW, self-normalised IPW, direct method and doubly robust estimates of a
** target policy's mean reward per row from a logged campaign with known logging propensities, with standard
** errors (the formulas are in docs/ope.md and in include/strata.h at st_ope_estimate).
*/
#include "eval/ope.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Neumaier's compensated sum: the estimators are means over millions of rows. */
typedef struct ksum {
    double s, c;
} ksum;

static void kadd(ksum *a, double x)
{
    double t = a->s + x;
    a->c += fabs(a->s) >= fabs(x) ? (a->s - t) + x : (x - t) + a->s;
    a->s = t;
}

static double kval(const ksum *a) { return a->s + a->c; }

static const char *where(char *buf, size_t cap, const char *source, size_t i)
{
    if (source) snprintf(buf, cap, "%s:%zu", source, i + 2);
    else snprintf(buf, cap, "row %zu", i + 1);
    return buf;
}

/* z_i of estimator e for row i (IPW, DM, DR and the logged mean are means of a per-row term). */
static double term(int e, size_t i, size_t A, const uint32_t *act, const double *p, const double *r,
                   const double *pi, const double *q)
{
    size_t a = act[i];
    double w = pi[i * A + a] / p[i];
    switch (e) {
    case ST_OPE_LOGGED: return r[i];
    case ST_OPE_IPW: return w * r[i];
    default: break;
    }
    double dm = 0.0;
    for (size_t b = 0; b < A; b++)
        if (pi[i * A + b] != 0.0) dm += pi[i * A + b] * q[i * A + b];
    if (e == ST_OPE_DM) return dm;
    return w == 0.0 ? dm : dm + w * (r[i] - q[i * A + a]);
}

st_status st__ope_estimate(st_context *ctx, const char *source, size_t n, size_t A, const uint32_t *act,
                           const double *p, const double *r, const double *pi, const double *q, st_ope_result *out)
{
    if (!act || !p || !r || !pi || !out) return st__error(ctx, ST_EINVAL, "ope: NULL argument");
    if (n == 0) return st__error(ctx, ST_EEMPTY, "ope: %s: no rows", source ? source : "the log");
    if (A == 0) return st__error(ctx, ST_EINVAL, "ope: no actions");
    char at[320];
    for (size_t i = 0; i < n; i++) {
        if (act[i] >= A)
            return st__error(ctx, ST_EINVAL, "ope: %s: action index %u is not below %zu", where(at, sizeof at, source, i),
                             act[i], A);
        if (isnan(p[i]))
            return st__error(ctx, ST_EDATA, "%s: logging propensity is missing", where(at, sizeof at, source, i));
        if (!(p[i] > 0.0 && p[i] <= 1.0))
            return st__error(ctx, ST_EDATA, "%s: logging propensity %.17g is not in (0, 1]",
                             where(at, sizeof at, source, i), p[i]);
        if (!isfinite(r[i]))
            return st__error(ctx, ST_EDATA, "%s: reward is %s", where(at, sizeof at, source, i),
                             isnan(r[i]) ? "missing" : "infinite");
        double tot = 0.0;
        for (size_t a = 0; a < A; a++) {
            double v = pi[i * A + a];
            if (!(v >= 0.0 && v <= 1.0))
                return st__error(ctx, ST_EDATA, "%s: target policy probability %.17g of action %zu is not in [0, 1]",
                                 where(at, sizeof at, source, i), v, a);
            tot += v;
            if (q && !isfinite(q[i * A + a]))
                return st__error(ctx, ST_EDATA, "%s: predicted reward of action %zu is %s",
                                 where(at, sizeof at, source, i), a, isnan(q[i * A + a]) ? "missing" : "infinite");
        }
        if (!(fabs(tot - 1.0) <= 1e-6))
            return st__error(ctx, ST_EDATA, "%s: the target policy's probabilities sum to %.17g, not 1",
                             where(at, sizeof at, source, i), tot);
    }
    st_ope_result o;
    memset(&o, 0, sizeof o);
    o.n = n;
    double dn = (double)n;
    for (int e = 0; e < ST_OPE_NESTIMATORS; e++) {
        o.value[e] = o.se[e] = (double)NAN;
        if (e == ST_OPE_SNIPW || ((e == ST_OPE_DM || e == ST_OPE_DR) && !q)) continue;
        ksum s = {0, 0}, ss = {0, 0};
        for (size_t i = 0; i < n; i++) kadd(&s, term(e, i, A, act, p, r, pi, q));
        double m = kval(&s) / dn;
        for (size_t i = 0; i < n; i++) {
            double d = term(e, i, A, act, p, r, pi, q) - m;
            kadd(&ss, d * d);
        }
        o.value[e] = m;
        o.se[e] = n > 1 ? sqrt(kval(&ss) / (dn - 1.0) / dn) : (double)NAN;
    }
    /* Self-normalised IPW: sum w r / sum w, se by the delta method sqrt(sum w^2 (r - V)^2) / sum w. */
    ksum sw = {0, 0}, sw2 = {0, 0}, swr = {0, 0};
    double wmax = 0.0;
    size_t support = 0;
    for (size_t i = 0; i < n; i++) {
        double w = pi[i * A + act[i]] / p[i];
        kadd(&sw, w);
        kadd(&sw2, w * w);
        kadd(&swr, w * r[i]);
        if (w > wmax) wmax = w;
        support += w > 0.0;
    }
    double W = kval(&sw);
    if (W > 0.0) {
        double v = kval(&swr) / W;
        ksum dv = {0, 0};
        for (size_t i = 0; i < n; i++) {
            double w = pi[i * A + act[i]] / p[i], d = w * (r[i] - v);
            kadd(&dv, d * d);
        }
        o.value[ST_OPE_SNIPW] = v;
        o.se[ST_OPE_SNIPW] = sqrt(kval(&dv)) / W;
    }
    o.mean_weight = W / dn;
    o.max_weight = wmax;
    o.effective_sample_size = kval(&sw2) > 0.0 ? W * W / kval(&sw2) : 0.0;
    o.support = (double)support / dn;
    *out = o;
    return ST_OK;
}

st_status st_ope_estimate(st_context *ctx, size_t n, size_t nactions, const uint32_t *action, const double *propensity,
                          const double *reward, const double *target, const double *q, st_ope_result *out)
{
    return st__ope_estimate(ctx, NULL, n, nactions, action, propensity, reward, target, q, out);
}
