/*
** fit.c -- maximum likelihood for the BTYD family: rows compressed to unique (x, tx, T) with weights, time
** rescaled so max T = 1 (spend rescaled to mean 1 for Gamma-Gamma), BFGS in log-parameter space, then
** standard errors from the Hessian of the total log-likelihood (V = J H^-1 J) in the original units.
** Also the accumulator (add / merge / fit) that builds the compressed rows incrementally.
*/
#include "value/btyd.h"
#include "value/predict.h"
#include "num/linalg.h"
#include "num/optim.h"
#include "num/specfun.h"
#include "core/parallel.h"
#include "core/rng.h"
#include "core/serial.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef st__btyd_row row;

/* Checks one row for kind; returns 1 when usable, 0 when the kind skips it silently (gg: x = 0),
** -1 when it is invalid (message on ctx). */
static int check_row(st_context *ctx, st_btyd_kind kind, double x, double t, double T, double w, size_t i)
{
    if (!(w >= 0.0) || !isfinite(w)) {
        st__error(ctx, ST_EDATA, "row %zu: weight must be finite and >= 0", i + 1);
        return -1;
    }
    if (kind == ST_BTYD_GG) {
        if (!isfinite(x) || !isfinite(t) || x < 0.0) {
            st__error(ctx, ST_EDATA, "row %zu: frequency and monetary value must be finite, frequency >= 0",
                      i + 1);
            return -1;
        }
        return x > 0.0 && t > 0.0 ? 1 : 0;
    }
    if (!isfinite(x) || !isfinite(t) || !isfinite(T) || x < 0.0 || t < 0.0 || T < 0.0) {
        st__error(ctx, ST_EDATA, "row %zu: frequency, recency and T must be finite and >= 0", i + 1);
        return -1;
    }
    if (t > T * (1.0 + 1e-12)) {
        st__error(ctx, ST_EDATA, "row %zu: recency %g exceeds T %g", i + 1, t, T);
        return -1;
    }
    if (x == 0.0 && t != 0.0) {
        st__error(ctx, ST_EDATA, "row %zu: recency must be 0 when frequency is 0", i + 1);
        return -1;
    }
    if (kind == ST_BTYD_BGBB && (x != floor(x) || t != floor(t) || T != floor(T) || x > t)) {
        st__error(ctx, ST_EDATA, "row %zu: bgbb needs integer frequency <= recency <= periods", i + 1);
        return -1;
    }
    return 1;
}

/* ---- the objective: mean negative log-likelihood + penalizer * sum theta^2, in log parameters ---- */

typedef struct objdata {
    st_btyd_kind kind;
    const row *r;
    size_t n;
    double wsum;
    double pen;
    st_context *ctx; /* for the thread count of the fan-out */
    /* Pareto/NBD only (else NULL): rows share their 2F1 series through the unique (x, tx) pairs (id1,
    ** representative rows rep1) and unique (x, T) pairs (id2, rep2); h1 / h2 hold 4 values per pair. */
    const size_t *id1, *id2, *rep1, *rep2;
    size_t n1, n2;
    double *h1, *h2;
    /* BG/NBD and MBG/NBD (else NULL; r is NULL then): the unique rows in groups of equal x, group g holding
    ** global rows [gstart[g], gstart[g+1]) at grow[g] with x = gx[g]; each row's t and T are ids into the
    ** distinct time values vals (rescaled); lv / iv receive ln(alpha + v) and 1 / (alpha + v) per
    ** evaluation, and scratch (2 nv) the per-group exponentials of each half. */
    const st__idrow *const *grow;
    const size_t *gstart;
    const double *gx;
    double *vals;
    size_t ng, nv;
    double *lv, *iv, *scratch;
    /* Gamma-Gamma (else NULL): ln m of each row (rows sorted by x, so the gamma terms of x are taken once per
    ** distinct x) */
    double *lm;
} objdata;

static double row_ll(st_btyd_kind kind, const double *th, const row *rw, double *g)
{
    switch (kind) {
    case ST_BTYD_BGNBD: return st__bgnbd_ll(th, rw->x, rw->t, rw->T, g, 0);
    case ST_BTYD_MBGNBD: return st__bgnbd_ll(th, rw->x, rw->t, rw->T, g, 1);
    case ST_BTYD_PNBD: return st__pnbd_ll(th, rw->x, rw->t, rw->T, g);
    case ST_BTYD_BGBB: return st__bgbb_ll(th, rw->x, rw->t, rw->T, g);
    case ST_BTYD_GG: return st__gg_ll(th, rw->x, rw->t, g);
    }
    return (double)NAN;
}

/* BG/NBD and MBG/NBD over rows [i0, i1), group by group of equal x: the gamma and digamma terms of x once
** per group, the parameter-only ones once per call. With C3 = ((alpha+tx)/(alpha+T))^(r+x) and S = C3 + C4
** the per-row work is one logarithm and one division, plus one exponential -- or, when a group has more
** rows than there are distinct times, two lookups in a table of (alpha+v)^(r+x) / (alpha+vmax)^(r+x) made
** for the group (only where those stay above 1e-304, so the ratio keeps full precision). */
static double bg_range(const objdata *od, const double *th, size_t i0, size_t i1, double *gsum, int modified,
                       double *E)
{
    double rr = th[0], al = th[1], a = th[2], b = th[3], sh = modified ? 1.0 : 0.0, lal = log(al);
    const double *lv = od->lv, *iv = od->iv;
    double lmin = HUGE_VAL, lmax = -HUGE_VAL;
    for (size_t v = 0; v < od->nv; v++) {
        lmin = lv[v] < lmin ? lv[v] : lmin;
        lmax = lv[v] > lmax ? lv[v] : lmax;
    }
    double s = 0.0, g0 = 0.0, g1 = 0.0, g2 = 0.0, g3 = 0.0;
    size_t g = 0;
    while (g < od->ng && od->gstart[g + 1] <= i0) g++;
    for (; g < od->ng && od->gstart[g] < i1; g++) {
        size_t j0 = od->gstart[g] > i0 ? od->gstart[g] : i0, j1 = od->gstart[g + 1] < i1 ? od->gstart[g + 1] : i1;
        if (j1 <= j0) continue;
        double cx = od->gx[g], rx = rr + cx, bx = b + cx + sh;
        int has4 = modified || cx > 0.0;
        double C4 = has4 ? a / (bx - 1.0) : 0.0;
        /* sums over the group: weights, w (ln S - rx lat), w (C3 (lat - laT) / S - lat), w (C3 (iat - iaT) / S
        ** - iat) and w / S */
        double sw = 0.0, sl = 0.0, s0 = 0.0, s1 = 0.0, sS = 0.0;
        /* q indexed by global row numbers */
        const st__idrow *q = od->grow[g] - od->gstart[g];
        /* the table, when the group is large enough and its values stay in range (a loop-invariant test:
        ** the compiler unswitches the loop) */
        int table = j1 - j0 > od->nv && rx * (lmax - lmin) < 700.0;
        if (table)
            for (size_t v = 0; v < od->nv; v++) E[v] = exp(rx * (lv[v] - lmax));
        for (size_t j = j0; j < j1; j++) {
            double w = q[j].w, lat = lv[q[j].t], laT = lv[q[j].T];
            double C3 = table ? E[q[j].t] / E[q[j].T] : exp(rx * (lat - laT)), S = C3 + C4, is = 1.0 / S;
            sw += w;
            sl += w * (log(S) - rx * lat);
            s0 += w * (C3 * (lat - laT) * is - lat);
            s1 += w * (C3 * (iv[q[j].t] - iv[q[j].T]) * is - iv[q[j].t]);
            sS += w * is;
        }
        double xt[5];
        st__bg_xterms(rr, a, b, cx, sh, xt);
        s += sw * (xt[0] + xt[1] + rr * lal) + sl;
        if (gsum) {
            double dC4a = has4 ? 1.0 / (bx - 1.0) : 0.0, dC4b = has4 ? -a / ((bx - 1.0) * (bx - 1.0)) : 0.0;
            g0 += sw * (xt[2] + lal) + s0;
            g1 += sw * rr / al + rx * s1;
            g2 += -sw * xt[4] + dC4a * sS;
            g3 += sw * (xt[3] - xt[4]) + dC4b * sS;
        }
    }
    if (gsum) {
        gsum[0] = g0;
        gsum[1] = g1;
        gsum[2] = g2;
        gsum[3] = g3;
    }
    return s;
}

/* Gamma-Gamma over rows [i0, i1): the terms of p x (ln Gamma, digamma, ln x) once per distinct x, the
** parameter-only ones once per call; per row one logarithm (ln m is od->lm) and one division. The sums are
** those of st__gg_ll term for term. */
static double gg_range(const objdata *od, const double *th, size_t i0, size_t i1, double *gsum)
{
    double p = th[0], q = th[1], g = th[2];
    double lgq = st__lgamma(q), pq = st__digamma(q), lg = log(g);
    double cx = -1.0, px = 0.0, lga = 0.0, lgb = 0.0, psa = 0.0, psb = 0.0, lx = 0.0, s = 0.0;
    if (gsum) memset(gsum, 0, 3 * sizeof *gsum);
    for (size_t i = i0; i < i1; i++) {
        const row *rw = &od->r[i];
        double x = rw->x, m = rw->t, lm = od->lm[i];
        if (x != cx) {
            cx = x;
            px = p * x;
            lga = st__lgamma(px + q);
            lgb = st__lgamma(px);
            lx = log(x);
            if (gsum) {
                psa = st__digamma(px + q);
                psb = st__digamma(px);
            }
        }
        double lgm = log(g + m * x);
        if (gsum) {
            gsum[0] += rw->w * (x * (psa - psb + lm + lx - lgm));
            gsum[1] += rw->w * (psa - pq + lg - lgm);
            gsum[2] += rw->w * (q / g - (px + q) / (g + m * x));
        }
        s += rw->w * (lga - lgb - lgq + q * lg + (px - 1.0) * lm + px * lx - (px + q) * lgm);
    }
    return s;
}

/* part (0 or 1) picks the scratch space of the half being summed. */
static double range_ll(const objdata *od, const double *th, double *gsum, size_t i0, size_t i1, int part)
{
    if (od->grow)
        return bg_range(od, th, i0, i1, gsum, od->kind == ST_BTYD_MBGNBD, od->scratch + (size_t)part * od->nv);
    if (od->lm) return gg_range(od, th, i0, i1, gsum);
    if (od->kind == ST_BTYD_PNBD && od->h1) {
        double g[ST__MODEL_MAXP], s = 0.0, xt[2] = {0.0, 0.0}, cx = -1.0;
        double lgr = st__lgamma(th[0]), pr = st__digamma(th[0]);
        if (gsum) memset(gsum, 0, 4 * sizeof *gsum);
        for (size_t i = i0; i < i1; i++) {
            const row *rw = &od->r[i];
            if (rw->x != cx) {
                /* rows are sorted by x: the gamma terms of r+x once per distinct x */
                cx = rw->x;
                xt[0] = st__lgamma(th[0] + cx) - lgr;
                xt[1] = st__digamma(th[0] + cx) - pr;
            }
            double ll = st__pnbd_ll_pre(th, rw->x, rw->t, rw->T, od->h1 + 4 * od->id1[i], od->h2 + 4 * od->id2[i],
                                        xt, gsum ? g : NULL);
            s += rw->w * ll;
            if (gsum)
                for (size_t k = 0; k < 4; k++) gsum[k] += rw->w * g[k];
        }
        return s;
    }
    size_t np = st__model_nparams(od->kind);
    double g[ST__MODEL_MAXP], s = 0.0;
    if (gsum) memset(gsum, 0, np * sizeof *gsum);
    for (size_t i = i0; i < i1; i++) {
        const row *rw = &od->r[i];
        double ll = row_ll(od->kind, th, rw, gsum ? g : NULL);
        s += rw->w * ll;
        if (gsum)
            for (size_t k = 0; k < np; k++) gsum[k] += rw->w * g[k];
    }
    return s;
}

typedef struct chunk {
    const objdata *od;
    const double *th;
    size_t i0, i1;
    int want_grad;
    int pairs; /* 1: fill h1/h2 for pairs [i0, i1) of the combined list; 0: sum rows [i0, i1) */
    int part;  /* 0 or 1: which half */
    double ll, g[ST__MODEL_MAXP];
} chunk;

static void *chunk_run(void *p)
{
    chunk *c = p;
    if (c->pairs) {
        const objdata *od = c->od;
        for (size_t k = c->i0; k < c->i1; k++) {
            if (k < od->n1) {
                const row *rw = &od->r[od->rep1[k]];
                st__pnbd_h(c->th, rw->x, rw->t, 1, od->h1 + 4 * k);
            } else {
                const row *rw = &od->r[od->rep2[k - od->n1]];
                st__pnbd_h(c->th, rw->x, rw->T, 2, od->h2 + 4 * (k - od->n1));
            }
        }
        return NULL;
    }
    c->ll = range_ll(c->od, c->th, c->want_grad ? c->g : NULL, c->i0, c->i1, c->part);
    return NULL;
}

static void chunk_job(void *ud, size_t job, size_t worker)
{
    (void)worker;
    chunk_run((chunk *)ud + job);
}

/* Runs two chunks, the second on a thread when the context allows (else in turn). */
static void run2(const objdata *od, chunk *c) { st__parallel_for(od->ctx, 2, chunk_job, c); }

/* Rows above which the sum is split in two fixed halves (run on two threads when the context allows);
** the split does not depend on the thread count, so results are identical with 1 or 2 threads. */
#define SPLIT_ROWS 8192

/* Total log-likelihood sum w * ll at natural parameters th; gsum (may be NULL) gets d/d th. */
static double total_ll(const objdata *od, const double *th, double *gsum)
{
    size_t np = st__model_nparams(od->kind);
    if (od->grow)
        for (size_t k = 0; k < od->nv; k++) {
            double v = th[1] + od->vals[k];
            od->lv[k] = log(v);
            od->iv[k] = 1.0 / v;
        }
    if (od->h1) {
        size_t m = od->n1 + od->n2;
        chunk p[2] = {{od, th, 0, m / 2, 1, 1, 0, 0.0, {0}}, {od, th, m / 2, m, 1, 1, 1, 0.0, {0}}};
        if (m < SPLIT_ROWS / 8) chunk_run(&p[0]), chunk_run(&p[1]);
        else run2(od, p);
    }
    if (od->n < SPLIT_ROWS) return range_ll(od, th, gsum, 0, od->n, 0);
    chunk c[2] = {{od, th, 0, od->n / 2, gsum != NULL, 0, 0, 0.0, {0}},
                  {od, th, od->n / 2, od->n, gsum != NULL, 0, 1, 0.0, {0}}};
    run2(od, c);
    if (gsum)
        for (size_t k = 0; k < np; k++) gsum[k] = c[0].g[k] + c[1].g[k];
    return c[0].ll + c[1].ll;
}

/* Hessian of the total BG/NBD / MBG/NBD log-likelihood in natural parameters (4 x 4, row-major) at th, whose
** ln(alpha + v) and 1 / (alpha + v) are already in od->lv / od->iv (total_ll at th leaves them there). Per row,
** ll = D1(x) + r ln alpha - (r+x) ln(alpha+tx) + ln S with S = C3 + C4: the second derivatives of ln S are
** S_ij / S - S_i S_j / S^2, those of D1 differences of trigamma (finite sums). */
static void bg_hessian(const objdata *od, const double *th, double *H)
{
    double rr = th[0], al = th[1], a = th[2], b = th[3], sh = od->kind == ST_BTYD_MBGNBD ? 1.0 : 0.0;
    const double *lv = od->lv, *iv = od->iv;
    double h[10] = {0}; /* rr, ra, raa, rb, alal, ala, alb, aa, ab, bb (a = alpha in the first ones) */
    enum { RR, RAL, RA, RB, ALAL, ALA, ALB, AA, AB, BB };
    for (size_t g = 0; g < od->ng; g++) {
        size_t n = od->gstart[g + 1] - od->gstart[g];
        const st__idrow *q = od->grow[g];
        double cx = od->gx[g], rx = rr + cx, bx = b + cx + sh;
        int has4 = sh > 0.0 || cx > 0.0;
        double c4 = has4 ? a / (bx - 1.0) : 0.0, c4a = has4 ? 1.0 / (bx - 1.0) : 0.0;
        double c4b = -c4 * c4a, c4ab = -c4a * c4a, c4bb = 2.0 * c4 * c4a * c4a;
        double sw = 0, A1 = 0, A2 = 0, B1 = 0, B2 = 0, C1 = 0, C2 = 0, E1 = 0, E2 = 0, Q1 = 0, Q2 = 0, I1 = 0, I2 = 0;
        for (size_t j = 0; j < n; j++) {
            double w = q[j].w, lat = lv[q[j].t], laT = lv[q[j].T], iat = iv[q[j].t], iaT = iv[q[j].T];
            double u = lat - laT, d = iat - iaT, dp = iaT * iaT - iat * iat;
            double C3 = exp(rx * u), qs = 1.0 / (C3 + c4), cu = C3 * u * qs, cd = C3 * d * qs;
            sw += w;
            A1 += w * cu * u;
            A2 += w * cu * cu;
            B1 += w * cd * (rx * u + 1.0);
            B2 += w * cu * cd;
            C1 += w * C3 * (rx * rx * d * d + rx * dp) * qs;
            C2 += w * cd * cd;
            E1 += w * cu * qs;
            E2 += w * cd * qs;
            Q1 += w * qs;
            Q2 += w * qs * qs;
            I1 += w * iat;
            I2 += w * iat * iat;
        }
        double x2[3];
        st__bg_xterms2(rr, a, b, cx, sh, x2);
        h[RR] += A1 - A2 + sw * x2[0];
        h[RAL] += B1 - rx * B2 + sw / al - I1;
        h[ALAL] += C1 - rx * rx * C2 - sw * rr / (al * al) + rx * I2;
        h[RA] += -c4a * E1;
        h[RB] += -c4b * E1;
        h[ALA] += -c4a * rx * E2;
        h[ALB] += -c4b * rx * E2;
        h[AA] += -c4a * c4a * Q2 - sw * x2[2];
        h[AB] += c4ab * Q1 - c4a * c4b * Q2 - sw * x2[2];
        h[BB] += c4bb * Q1 - c4b * c4b * Q2 + sw * (x2[1] - x2[2]);
    }
    double M[16] = {h[RR], h[RAL], h[RA], h[RB], h[RAL], h[ALAL], h[ALA], h[ALB],
                    h[RA], h[ALA], h[AA], h[AB], h[RB], h[ALB], h[AB], h[BB]};
    memcpy(H, M, sizeof M);
}

#define PNBD_LOG_BOUND 18.420680743952367 /* ln 1e8 */

static double objective(const double *lx, double *grad, void *ud)
{
    const objdata *od = ud;
    size_t np = st__model_nparams(od->kind);
    double th[ST__MODEL_MAXP];
    /* Pareto/NBD: s and beta can run off together to infinity (an exponential lifetime fits best), a ridge
    ** on which the likelihood keeps creeping up; a wall at e^PNBD_LOG_BOUND (rescaled time) ends the walk. */
    double bound = od->kind == ST_BTYD_PNBD ? PNBD_LOG_BOUND : 700.0;
    for (size_t k = 0; k < np; k++) {
        if (!(fabs(lx[k]) < bound)) return HUGE_VAL;
        th[k] = exp(lx[k]);
    }
    double pen = 0.0;
    for (size_t k = 0; k < np; k++) pen += th[k] * th[k];
    double g[ST__MODEL_MAXP];
    double ll = total_ll(od, th, grad ? g : NULL);
    double f = -ll / od->wsum + od->pen * pen;
    if (grad)
        for (size_t k = 0; k < np; k++) grad[k] = -g[k] * th[k] / od->wsum + 2.0 * od->pen * th[k] * th[k];
    return isfinite(f) ? f : HUGE_VAL;
}

/* Index of the time-scaled (alpha-like) parameters: scaled by the time (or spend) factor. */
static int is_scaled(st_btyd_kind kind, size_t k)
{
    switch (kind) {
    case ST_BTYD_BGNBD:
    case ST_BTYD_MBGNBD: return k == 1;
    case ST_BTYD_PNBD: return k == 1 || k == 3;
    case ST_BTYD_GG: return k == 2;
    case ST_BTYD_BGBB: return 0;
    }
    return 0;
}

static const char *result_name(st__opt_result r)
{
    switch (r) {
    case ST__OPT_GTOL: return "converged";
    case ST__OPT_FTOL: return "converged_ftol";
    case ST__OPT_MAXITER: return "max_iterations";
    case ST__OPT_LINESEARCH: return "line_search_failed";
    case ST__OPT_NONFINITE: return "nonfinite_start";
    }
    return "unknown";
}

typedef struct pairkey {
    double x, T;
    size_t i;
} pairkey;

static int pairkey_cmp(const void *pa, const void *pb)
{
    const pairkey *a = pa, *b = pb;
    if (a->x != b->x) return a->x < b->x ? -1 : 1;
    if (a->T != b->T) return a->T < b->T ? -1 : 1;
    return a->i < b->i ? -1 : a->i > b->i;
}

/* One block holds id1, id2, rep1, rep2 (n each, 4n size_t), another the h values (8n doubles). */
static void pnbd_pairs_free(st_context *ctx, size_t n, size_t *pairbuf, double *hbuf)
{
    st__free(ctx, pairbuf, 4 * (n ? n : 1) * sizeof *pairbuf);
    st__free(ctx, hbuf, 8 * (n ? n : 1) * sizeof *hbuf);
}

/* The unique (x, tx) and (x, T) pairs of rows sorted by (x, tx, T): on real data there are far fewer of
** them than rows (1M simulated daily customers: 251,172 rows, 10,618 and 4,578 pairs), and each needs its
** 2F1 series only once per evaluation. */
static st_status pnbd_pairs(st_context *ctx, const row *r, size_t n, objdata *od, size_t **pairbuf, double **hbuf)
{
    size_t nn = n ? n : 1;
    size_t *pb = st__realloc_array(ctx, NULL, 0, 4 * nn, sizeof *pb);
    double *hb = st__realloc_array(ctx, NULL, 0, 8 * nn, sizeof *hb);
    pairkey *keys = st__realloc_array(ctx, NULL, 0, nn, sizeof *keys);
    if (!pb || !hb || !keys) {
        st__free(ctx, pb, 4 * nn * sizeof *pb);
        st__free(ctx, hb, 8 * nn * sizeof *hb);
        st__free(ctx, keys, nn * sizeof *keys);
        return ST_ENOMEM;
    }
    size_t *id1 = pb, *id2 = pb + nn, *rep1 = pb + 2 * nn, *rep2 = pb + 3 * nn;
    size_t n1 = 0, n2 = 0;
    for (size_t i = 0; i < n; i++) {
        if (i == 0 || r[i].x != r[i - 1].x || r[i].t != r[i - 1].t) rep1[n1++] = i;
        id1[i] = n1 - 1;
        keys[i].x = r[i].x;
        keys[i].T = r[i].T;
        keys[i].i = i;
    }
    qsort(keys, n, sizeof *keys, pairkey_cmp);
    for (size_t k = 0; k < n; k++) {
        if (k == 0 || keys[k].x != keys[k - 1].x || keys[k].T != keys[k - 1].T) rep2[n2++] = keys[k].i;
        id2[keys[k].i] = n2 - 1;
    }
    st__free(ctx, keys, nn * sizeof *keys);
    od->id1 = id1;
    od->id2 = id2;
    od->rep1 = rep1;
    od->rep2 = rep2;
    od->n1 = n1;
    od->n2 = n2;
    od->h1 = hb;
    od->h2 = hb + 4 * nn;
    *pairbuf = pb;
    *hbuf = hb;
    return ST_OK;
}

/* The blocks behind the BG/NBD fields of od: group pointers, offsets (ng + 1), and doubles: gx (ng), vals,
** lv, iv and scratch (5 nv). */
typedef struct bgbufs {
    const st__idrow **grow;
    size_t *gstart;
    double *dbl;
    size_t ng, nv;
} bgbufs;

static void bg_free(st_context *ctx, bgbufs *bb)
{
    st__free(ctx, bb->grow, (bb->ng ? bb->ng : 1) * sizeof *bb->grow);
    st__free(ctx, bb->gstart, (bb->ng + 1) * sizeof *bb->gstart);
    st__free(ctx, bb->dbl, (bb->ng + 5 * bb->nv ? bb->ng + 5 * bb->nv : 1) * sizeof *bb->dbl);
    memset(bb, 0, sizeof *bb);
}

/* Points od at the groups of a finished u, with the time values divided by scale. With daily or weekly
** data there are a few hundred distinct values for any number of customers, so ln(alpha + v) is computed
** a few hundred times per evaluation instead of 2n. */
static st_status bg_setup(st_context *ctx, const st__uniq *u, double scale, objdata *od, bgbufs *bb)
{
    size_t ng = 0, nv = u->vs.n;
    for (size_t k = 0; k < u->xs.n; k++) ng += u->g[k].n > 0;
    bb->ng = ng;
    bb->nv = nv;
    bb->grow = st__realloc_array(ctx, NULL, 0, ng ? ng : 1, sizeof *bb->grow);
    bb->gstart = st__realloc_array(ctx, NULL, 0, ng + 1, sizeof *bb->gstart);
    bb->dbl = st__realloc_array(ctx, NULL, 0, ng + 5 * nv ? ng + 5 * nv : 1, sizeof *bb->dbl);
    if (!bb->grow || !bb->gstart || !bb->dbl) {
        bg_free(ctx, bb);
        return ST_ENOMEM;
    }
    double *gx = bb->dbl, *vals = bb->dbl + ng;
    size_t g = 0, at = 0;
    for (size_t k = 0; k < u->xs.n; k++) {
        if (!u->g[k].n) continue;
        bb->grow[g] = u->g[k].r;
        bb->gstart[g] = at;
        gx[g] = u->xs.val[k];
        at += u->g[k].n;
        g++;
    }
    bb->gstart[ng] = at;
    for (size_t v = 0; v < nv; v++) vals[v] = u->vs.val[v] / scale;
    od->grow = bb->grow;
    od->gstart = bb->gstart;
    od->gx = gx;
    od->vals = vals;
    od->ng = ng;
    od->nv = nv;
    od->lv = vals + nv;
    od->iv = vals + 2 * nv;
    od->scratch = vals + 3 * nv;
    return ST_OK;
}

/* Fits on the finished unique rows of u (not modified). BG/NBD and MBG/NBD work on u's groups directly; the
** other kinds on a copy of the rows as (x, t, T, w). Times (spend for gg) are rescaled internally and the
** result reported in the data's units. */
static st_status fit_uniq(st_context *ctx, st_btyd_kind kind, const st__uniq *u, row *given, size_t ngiven,
                          double penalizer, uint64_t seed, st_btyd_model **out)
{
    /* u == NULL: Gamma-Gamma on the unique rows given (ngiven of them, sorted by x then m, owned and freed
    ** here), as st__uniq_rows would have made them */
    size_t np = st__model_nparams(kind), n = u ? u->n : ngiven;
    if (n == 0) {
        st__free(ctx, given, 0);
        return st__error(ctx, ST_EEMPTY, "no usable rows to fit a %s model", st_btyd_kind_name(kind));
    }
    int bgk = kind == ST_BTYD_BGNBD || kind == ST_BTYD_MBGNBD;
    double wsum = 0.0, scale = 1.0;
    if (u) {
        for (size_t k = 0; k < u->xs.n; k++)
            for (size_t i = 0; i < u->g[k].n; i++) wsum += u->g[k].r[i].w;
    } else {
        for (size_t i = 0; i < n; i++) wsum += given[i].w;
    }
    if (!(wsum > 0.0)) {
        st__free(ctx, given, n * sizeof *given);
        return st__error(ctx, ST_EEMPTY, "the weights sum to zero");
    }
    row *r = given;
    double *lm = NULL;
    if (!bgk && !r) {
        r = st__realloc_array(ctx, NULL, 0, n, sizeof *r);
        if (!r) return ST_ENOMEM;
        st__uniq_rows(u, r);
    }
    if (bgk || kind == ST_BTYD_PNBD) {
        /* t <= T on every row, so the largest time value is the largest T */
        double mx = u->vs.n ? u->vs.val[u->vs.n - 1] : 0.0;
        if (!(mx > 0.0)) {
            st__free(ctx, r, n * sizeof *r);
            return st__error(ctx, ST_EEMPTY, "every customer has T = 0");
        }
        scale = mx;
        for (size_t i = 0; r && i < n; i++) {
            r[i].t /= scale;
            r[i].T /= scale;
        }
    } else if (kind == ST_BTYD_GG) {
        double sm = 0.0;
        for (size_t i = 0; i < n; i++) sm += r[i].w * r[i].t;
        scale = sm / wsum;
        for (size_t i = 0; i < n; i++) r[i].t /= scale;
        lm = st__realloc_array(ctx, NULL, 0, n, sizeof *lm);
        if (!lm) {
            st__free(ctx, r, n * sizeof *r);
            return ST_ENOMEM;
        }
        for (size_t i = 0; i < n; i++) lm[i] = log(r[i].t);
    }
    objdata od;
    memset(&od, 0, sizeof od);
    od.kind = kind;
    od.r = r;
    od.n = n;
    od.wsum = wsum;
    od.pen = penalizer;
    od.ctx = ctx;
    od.lm = lm;
    size_t *pairbuf = NULL;
    double *hbuf = NULL;
    bgbufs bb;
    memset(&bb, 0, sizeof bb);
    st_status prc = ST_OK;
    if (kind == ST_BTYD_PNBD) prc = pnbd_pairs(ctx, r, n, &od, &pairbuf, &hbuf);
    if (bgk) prc = bg_setup(ctx, u, scale, &od, &bb);
    if (prc) {
        st__free(ctx, lm, lm ? n * sizeof *lm : 0);
        st__free(ctx, r, n * sizeof *r);
        return prc;
    }

    /* Starting points: the origin of log space (every parameter 1 in rescaled units) and, for the flat
    ** Pareto/NBD surface, seeded perturbations of it; the best end point wins. */
    int nstarts = kind == ST_BTYD_PNBD ? 4 : 1;
    st_rng g;
    st__rng_seed(&g, seed);
    double best[ST__MODEL_MAXP], bestf = HUGE_VAL;
    st__opt_info bestinfo;
    memset(&bestinfo, 0, sizeof bestinfo);
    bestinfo.result = ST__OPT_NONFINITE;
    int total_evals = 0, tried = 0, agree = 0;
    double first_f = 0.0;
    for (int s = 0; s < nstarts + 4; s++) {
        /* Extra starts only when nothing finite or converged has been found yet. For pnbd, two converged
        ** starts that agree on the optimum are taken as enough; the other two run when they disagree. */
        if (s >= nstarts && bestinfo.result <= ST__OPT_FTOL) break;
        if (s == 2 && nstarts > 2 && agree >= 2) break;
        double x0[ST__MODEL_MAXP];
        for (size_t k = 0; k < np; k++) x0[k] = s == 0 ? 0.0 : 1.0 * st__rng_normal(&g);
        if (kind == ST_BTYD_GG && s == 0) x0[1] = 1.0; /* q > 1 side, where the spend mean exists */
        st__opt_info info;
        st__bfgs(objective, &od, x0, np, 1e-9, 1000, &info);
        total_evals += info.evaluations;
        tried++;
        /* (the first finite end point is better than none, converged or not) */
        int better = isfinite(info.f) && (!isfinite(bestf) || info.f < bestf - 1e-12 * fabs(bestf) ||
                                          (info.result <= ST__OPT_FTOL && bestinfo.result > ST__OPT_FTOL &&
                                           info.f <= bestf + 1e-9 * fabs(bestf)));
        if (info.result <= ST__OPT_FTOL && isfinite(info.f)) {
            if (agree == 0 || fabs(info.f - first_f) <= 1e-10 * fabs(first_f)) agree++;
            if (agree == 1) first_f = info.f;
        }
        if (better) {
            bestf = info.f;
            memcpy(best, x0, sizeof best);
            bestinfo = info;
        }
    }
    if (!isfinite(bestf)) {
        pnbd_pairs_free(ctx, n, pairbuf, hbuf);
        bg_free(ctx, &bb);
        st__free(ctx, lm, lm ? n * sizeof *lm : 0);
        st__free(ctx, r, n * sizeof *r);
        return st__error(ctx, ST_ECONVERGE, "%s: the log-likelihood is not finite at any starting point",
                         st_btyd_kind_name(kind));
    }

    st_btyd_model *m = st__model_alloc(ctx, kind);
    if (!m) {
        pnbd_pairs_free(ctx, n, pairbuf, hbuf);
        bg_free(ctx, &bb);
        st__free(ctx, lm, lm ? n * sizeof *lm : 0);
        st__free(ctx, r, n * sizeof *r);
        return ST_ENOMEM;
    }
    m->penalizer = penalizer;
    m->nobs = wsum;
    m->rows = n;
    m->iterations = bestinfo.iterations;
    m->evaluations = total_evals;
    m->starts = tried;
    m->converged = bestinfo.result <= ST__OPT_FTOL;
    /* An ftol stop with a gradient that is not small is a stall, not a converged fit. */
    if (bestinfo.result == ST__OPT_FTOL && bestinfo.gnorm > 1e-4) m->converged = 0;
    snprintf(m->status, sizeof m->status, "%s", m->converged ? "converged" : result_name(bestinfo.result));

    double lth[ST__MODEL_MAXP];
    for (size_t k = 0; k < np; k++) {
        lth[k] = best[k] + (is_scaled(kind, k) ? log(scale) : 0.0);
        m->param[k] = exp(lth[k]);
    }
    /* Hessian of the total negative log-likelihood in log parameters; it does not depend on the time
    ** rescaling (a shift in log alpha), so the rescaled objective serves. */
    double H[ST__MODEL_MAXP * ST__MODEL_MAXP], Hi[ST__MODEL_MAXP * ST__MODEL_MAXP];
    int hrc;
    if (bgk) {
        /* analytic: H_log = -(theta_i theta_j Hnat_ij + [i = j] theta_i g_i) / wsum + the penalizer's 4 pen theta^2 */
        double th[ST__MODEL_MAXP], gn[ST__MODEL_MAXP], Hn[16];
        for (size_t k = 0; k < np; k++) th[k] = exp(best[k]);
        (void)total_ll(&od, th, gn);
        bg_hessian(&od, th, Hn);
        hrc = 0;
        for (size_t i = 0; i < np; i++)
            for (size_t j = 0; j < np; j++) {
                double v = -(th[i] * th[j] * Hn[i * np + j] + (i == j ? th[i] * gn[i] : 0.0)) / wsum;
                if (i == j) v += 4.0 * penalizer * th[i] * th[i];
                H[i * np + j] = v;
                if (!isfinite(v)) hrc = -1;
            }
    } else {
        hrc = st__num_hessian(objective, &od, best, np, H);
    }
    if (hrc == 0) {
        for (size_t k = 0; k < np * np; k++) H[k] *= wsum;
        if (st__spd_inverse(H, np, np, Hi, np) == 0) {
            for (size_t i = 0; i < np; i++)
                for (size_t j = 0; j < np; j++) m->cov[i * np + j] = m->param[i] * Hi[i * np + j] * m->param[j];
            for (size_t i = 0; i < np; i++) m->se[i] = sqrt(m->cov[i * np + i]);
        } else {
            snprintf(m->warning, sizeof m->warning, "Hessian not positive definite: no standard errors");
        }
    }
    /* Undo the rescaling and report the log-likelihood in the data's own units. */
    for (size_t i = 0; r && i < n; i++) {
        if (kind == ST_BTYD_GG) {
            r[i].t *= scale;
            lm[i] = log(r[i].t);
        } else if (kind != ST_BTYD_BGBB) {
            r[i].t *= scale;
            r[i].T *= scale;
        }
    }
    for (size_t v = 0; bgk && v < od.nv; v++) od.vals[v] = u->vs.val[v];
    m->loglik = total_ll(&od, m->param, NULL);
    pnbd_pairs_free(ctx, n, pairbuf, hbuf);
    bg_free(ctx, &bb);
    st__free(ctx, lm, lm ? n * sizeof *lm : 0);
    st__free(ctx, r, n * sizeof *r);
    if (kind == ST_BTYD_GG && !(m->param[1] > 1.0))
        snprintf(m->warning, sizeof m->warning, "q = %g <= 1: the expected spend does not exist", m->param[1]);
    *out = m;
    return ST_OK;
}

st_status st_btyd_fit(st_context *ctx, st_btyd_kind kind, const double *x, const double *tx,
                       const double *T, const double *w, size_t n, double penalizer, uint64_t seed,
                       st_btyd_model **out)
{
    if (out) *out = NULL;
    if (!out || !x || !tx || (!T && kind != ST_BTYD_GG))
        return st__error(ctx, ST_EINVAL, "st_btyd_fit: NULL argument");
    if (st__model_nparams(kind) == 0) return st__error(ctx, ST_EINVAL, "st_btyd_fit: unknown model kind");
    if (!(penalizer >= 0.0) || !isfinite(penalizer))
        return st__error(ctx, ST_EINVAL, "st_btyd_fit: the penalizer must be finite and >= 0");
    /* Rows are merged as they are read, so memory follows the unique rows, not n; they are checked and
    ** passed on in blocks (the adds prefetch a block's places at once). Two threads splitting the rows
    ** were measured no faster: the merge and the page faults of a second set of tables ate the gain. */
    st__uniq u;
    st__uniq_init(&u, ctx);
    st_status rc = ST_OK;
    enum { BLOCK = 256 };
    double bx[BLOCK], bt[BLOCK], bT[BLOCK], bw[BLOCK];
    for (size_t i0 = 0; i0 < n && !rc; i0 += BLOCK) {
        size_t m = 0, end = n - i0 < BLOCK ? n : i0 + BLOCK;
        for (size_t i = i0; i < end; i++) {
            double Ti = T ? T[i] : 0.0, wi = w ? w[i] : 1.0;
            int ok = check_row(ctx, kind, x[i], tx[i], Ti, wi, i);
            if (ok < 0) {
                rc = ST_EDATA;
                break;
            }
            if (ok == 0) continue;
            bx[m] = x[i];
            bt[m] = tx[i];
            bT[m] = kind == ST_BTYD_GG ? 0.0 : Ti;
            bw[m] = wi;
            m++;
        }
        if (!rc && st__uniq_add_many(&u, bx, bt, bT, bw, m)) rc = ST_ENOMEM;
    }
    if (!rc && st__uniq_finish(&u)) rc = ST_ENOMEM;
    if (!rc) rc = fit_uniq(ctx, kind, &u, NULL, 0, penalizer, seed, out);
    st__uniq_free(&u);
    return rc;
}

/* ---- accumulator: the unique rows so far ---- */

struct st_btyd_acc {
    st_btyd_kind kind;
    st__uniq u;
    size_t added;
};

st_status st_btyd_acc_new(st_context *ctx, st_btyd_kind kind, st_btyd_acc **out)
{
    if (!out) return st__error(ctx, ST_EINVAL, "st_btyd_acc_new: out is NULL");
    *out = NULL;
    if (st__model_nparams(kind) == 0) return st__error(ctx, ST_EINVAL, "st_btyd_acc_new: unknown model kind");
    st_btyd_acc *a = st__calloc(ctx, 1, sizeof *a);
    if (!a) return ST_ENOMEM;
    a->kind = kind;
    st__uniq_init(&a->u, ctx);
    *out = a;
    return ST_OK;
}

void st_btyd_acc_free(st_btyd_acc *acc)
{
    if (!acc) return;
    st_context *ctx = acc->u.ctx;
    st__uniq_free(&acc->u);
    st__free(ctx, acc, sizeof *acc);
}

st_status st_btyd_acc_add(st_btyd_acc *acc, double x, double tx, double T, double w)
{
    if (!acc) return ST_EINVAL;
    int ok = check_row(acc->u.ctx, acc->kind, x, tx, T, w, acc->added);
    acc->added++;
    if (ok < 0) return ST_EDATA;
    if (ok == 0) return ST_OK;
    return st__uniq_add(&acc->u, x, tx, acc->kind == ST_BTYD_GG ? 0.0 : T, w) ? ST_ENOMEM : ST_OK;
}

st_status st__btyd_acc_add_many(st_btyd_acc *acc, const double *x, const double *t, const double *T, size_t n)
{
    if (!acc || !x || !t) return ST_EINVAL;
    /* in blocks, as st_btyd_fit: the adds of a block prefetch their table places together */
    enum { BLOCK = 256 };
    double bx[BLOCK], bt[BLOCK], bT[BLOCK];
    for (size_t i0 = 0; i0 < n; i0 += BLOCK) {
        size_t m = 0, end = n - i0 < BLOCK ? n : i0 + BLOCK;
        for (size_t i = i0; i < end; i++) {
            double Ti = T ? T[i] : 0.0;
            if (isnan(x[i]) || isnan(t[i]) || isnan(Ti)) continue;
            int ok = check_row(acc->u.ctx, acc->kind, x[i], t[i], Ti, 1.0, acc->added);
            acc->added++;
            if (ok < 0) return ST_EDATA;
            if (ok == 0) continue;
            bx[m] = x[i];
            bt[m] = t[i];
            bT[m] = acc->kind == ST_BTYD_GG ? 0.0 : Ti;
            m++;
        }
        if (st__uniq_add_many(&acc->u, bx, bt, bT, NULL, m)) return ST_ENOMEM;
    }
    return ST_OK;
}

/* Stable LSD radix sort of n (x, m) pairs by (x, m), both positive and finite (so their bits order them as
** numbers): 16-bit digits, m first, then x; passes whose digit is the same for every pair are skipped. */
typedef struct xm {
    double x, m;
} xm;

static uint64_t xm_bits(const xm *p, int which)
{
    uint64_t b;
    memcpy(&b, which ? &p->x : &p->m, sizeof b);
    return b;
}

static void xm_sort(xm *a, xm *tmp, size_t n, size_t *count)
{
    for (int which = 0; which < 2; which++)
        for (int shift = 0; shift < 64; shift += 16) {
            memset(count, 0, 65537 * sizeof *count);
            for (size_t i = 0; i < n; i++) count[((xm_bits(&a[i], which) >> shift) & 0xffff) + 1]++;
            if (count[((xm_bits(&a[0], which) >> shift) & 0xffff) + 1] == n) continue;
            for (size_t d = 0; d < 65536; d++) count[d + 1] += count[d];
            for (size_t i = 0; i < n; i++) tmp[count[(xm_bits(&a[i], which) >> shift) & 0xffff]++] = a[i];
            memcpy(a, tmp, n * sizeof *a);
        }
}

st_status st__gg_fit_columns(st_context *ctx, const double *x, const double *m, const double *T, size_t n,
                             double penalizer, uint64_t seed, st_btyd_model **out)
{
    *out = NULL;
    size_t k = 0, used = 0;
    for (size_t i = 0; i < n; i++) {
        if (isnan(x[i]) || isnan(m[i]) || (T && isnan(T[i]))) continue;
        int ok = check_row(ctx, ST_BTYD_GG, x[i], m[i], 0.0, 1.0, used++);
        if (ok < 0) return ST_EDATA;
        k += ok > 0;
    }
    xm *a = st__realloc_array(ctx, NULL, 0, k ? k : 1, sizeof *a);
    xm *tmp = st__realloc_array(ctx, NULL, 0, k ? k : 1, sizeof *tmp);
    size_t *count = st__realloc_array(ctx, NULL, 0, 65537, sizeof *count);
    row *r = NULL;
    st_status rc = a && tmp && count ? ST_OK : ST_ENOMEM;
    size_t nu = 0;
    if (rc == ST_OK) {
        size_t j = 0;
        for (size_t i = 0; i < n; i++) {
            if (isnan(x[i]) || isnan(m[i]) || (T && isnan(T[i]))) continue;
            if (x[i] > 0.0 && m[i] > 0.0) a[j++] = (xm){x[i], m[i]};
        }
        if (k) xm_sort(a, tmp, k, count);
        /* equal rows merged, as the accumulator does: (x, m, 0, weight) */
        r = st__realloc_array(ctx, NULL, 0, k ? k : 1, sizeof *r);
        if (!r) rc = ST_ENOMEM;
        for (size_t i = 0; r && i < k; i++) {
            if (nu && r[nu - 1].x == a[i].x && r[nu - 1].t == a[i].m) r[nu - 1].w += 1.0;
            else r[nu++] = (row){a[i].x, a[i].m, 0.0, 1.0};
        }
    }
    st__free(ctx, a, (k ? k : 1) * sizeof *a);
    st__free(ctx, tmp, (k ? k : 1) * sizeof *tmp);
    st__free(ctx, count, 65537 * sizeof *count);
    if (rc) return rc;
    if (nu && nu < k) {
        row *s = st__realloc_array(ctx, r, k, nu, sizeof *r);
        if (s) r = s;
        else st_clear_error(ctx); /* a shrink: keep the larger block */
    }
    return fit_uniq(ctx, ST_BTYD_GG, NULL, r, nu, penalizer, seed, out);
}

st_status st_btyd_acc_merge(st_btyd_acc *dst, const st_btyd_acc *src)
{
    if (!dst || !src) return ST_EINVAL;
    if (dst->kind != src->kind)
        return st__error(dst->u.ctx, ST_EINVAL, "st_btyd_acc_merge: different model kinds");
    if (st__uniq_merge(&dst->u, &src->u)) return ST_ENOMEM;
    dst->added += src->added;
    return ST_OK;
}

size_t st_btyd_acc_rows(st_btyd_acc *acc)
{
    if (!acc) return 0;
    if (st__uniq_finish(&acc->u)) {
        /* not sorted for lack of memory: count the rows that a fit would keep */
        size_t m = 0;
        for (size_t k = 0; k < acc->u.xs.n; k++)
            for (size_t i = 0; i < acc->u.g[k].n; i++) m += acc->u.g[k].r[i].w > 0.0;
        st_clear_error(acc->u.ctx);
        return m;
    }
    return acc->u.n;
}

st_status st_btyd_acc_fit(st_btyd_acc *acc, double penalizer, uint64_t seed, st_btyd_model **out)
{
    if (!acc || !out) return ST_EINVAL;
    *out = NULL;
    st_context *ctx = acc->u.ctx;
    if (!(penalizer >= 0.0) || !isfinite(penalizer))
        return st__error(ctx, ST_EINVAL, "st_btyd_acc_fit: the penalizer must be finite and >= 0");
    if (st__uniq_finish(&acc->u)) return ST_ENOMEM;
    return fit_uniq(ctx, acc->kind, &acc->u, NULL, 0, penalizer, seed, out);
}

/* ---- accumulator state: the core/serial frame, kind "btyd_acc" ----
** Payload v1: u32 model kind, u64 rows added, u64 n, then n unique rows (f64 x, t, T, w) in the order of a
** finished set: ascending (x, t, T), weights > 0, T = 0 for Gamma-Gamma. */
#define BTYD_ACC_KIND "btyd_acc"
#define BTYD_ACC_VERSION 1

st_status st_btyd_acc_serialize(st_context *ctx, st_btyd_acc *acc, char **buf, size_t *len)
{
    if (!ctx || !acc || !buf || !len)
        return ctx ? st__error(ctx, ST_EINVAL, "st_btyd_acc_serialize: NULL argument") : ST_EINVAL;
    *buf = NULL;
    *len = 0;
    st__uniq *u = &acc->u;
    if (st__uniq_finish(u)) return ST_ENOMEM;
    st__wbuf w;
    st__wbuf_begin(&w, ctx, BTYD_ACC_KIND, BTYD_ACC_VERSION);
    if (u->n <= (SIZE_MAX - 64) / 32) st__wbuf_reserve(&w, 20 + 32 * u->n);
    st__wbuf_u32(&w, (uint32_t)acc->kind);
    st__wbuf_u64(&w, (uint64_t)acc->added);
    st__wbuf_u64(&w, (uint64_t)u->n);
    for (size_t k = 0; k < u->xs.n; k++)
        for (size_t i = 0; i < u->g[k].n; i++) {
            const st__idrow *q = &u->g[k].r[i];
            /* + 0.0: a -0 held (the sets take it as +0) is written as +0, the one form the reader takes */
            st__wbuf_f64(&w, u->xs.val[k] + 0.0);
            st__wbuf_f64(&w, u->vs.val[q->t] + 0.0);
            st__wbuf_f64(&w, u->vs.val[q->T] + 0.0);
            st__wbuf_f64(&w, q->w);
        }
    return st__wbuf_finish(&w, buf, len);
}

static bool row_less(const double *a, const double *b)
{
    for (int j = 0; j < 3; j++)
        if (a[j] != b[j]) return a[j] < b[j];
    return false;
}

static st_status btyd_acc_read(st__rbuf *r, st_btyd_acc *a)
{
    uint64_t added;
    size_t n;
    if (!st__rbuf_u64(r, "rows added", &added) || !st__rbuf_count(r, "unique rows", 32, &n)) return ST_EFORMAT;
    if (added > SIZE_MAX || added < n) {
        st__rbuf_fail(r, "%llu rows added for %zu unique rows", (unsigned long long)added, n);
        return ST_EFORMAT;
    }
    a->added = (size_t)added;
    double prev[3] = {0, 0, 0};
    for (size_t i = 0; i < n; i++) {
        double v[4];
        if (!st__rbuf_f64(r, "x", &v[0]) || !st__rbuf_f64(r, "t", &v[1]) || !st__rbuf_f64(r, "T", &v[2]) ||
            !st__rbuf_f64(r, "weight", &v[3]))
            return ST_EFORMAT;
        bool neg0 = signbit(v[0]) || signbit(v[1]) || signbit(v[2]);
        int ok = neg0 ? -1 : check_row(a->u.ctx, a->kind, v[0], v[1], v[2], v[3], i);
        if (ok <= 0 || !(v[3] > 0.0) || (a->kind == ST_BTYD_GG && v[2] != 0.0)) {
            st__rbuf_fail(r, "row %zu is not a row the accumulator keeps", i + 1);
            return ST_EFORMAT;
        }
        if (i > 0 && !row_less(prev, v)) {
            st__rbuf_fail(r, "row %zu is out of order or repeated", i + 1);
            return ST_EFORMAT;
        }
        memcpy(prev, v, sizeof prev);
        if (st__uniq_add(&a->u, v[0], v[1], v[2], v[3])) return ST_ENOMEM;
    }
    return st__rbuf_end(r);
}

st_status st_btyd_acc_deserialize(st_context *ctx, const char *buf, size_t len, st_btyd_acc **out)
{
    if (!ctx || !out || (!buf && len))
        return ctx ? st__error(ctx, ST_EINVAL, "st_btyd_acc_deserialize: NULL argument") : ST_EINVAL;
    *out = NULL;
    st__rbuf r;
    uint32_t version, kind;
    st_status rc = st__rbuf_begin(&r, ctx, buf, len, BTYD_ACC_KIND, BTYD_ACC_VERSION, &version);
    if (rc != ST_OK) return rc;
    if (!st__rbuf_u32(&r, "model kind", &kind)) return ST_EFORMAT;
    if (kind > (uint32_t)INT32_MAX || st__model_nparams((st_btyd_kind)kind) == 0) {
        st__rbuf_fail(&r, "model kind %u is not a known kind", (unsigned)kind);
        return ST_EFORMAT;
    }
    st_btyd_acc *a;
    if ((rc = st_btyd_acc_new(ctx, (st_btyd_kind)kind, &a)) != ST_OK) return rc;
    if ((rc = btyd_acc_read(&r, a)) != ST_OK) {
        st_btyd_acc_free(a);
        return rc;
    }
    *out = a;
    return ST_OK;
}
