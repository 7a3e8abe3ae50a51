/*
** fit.c -- maximum likelihood for the BTYD family: rows compressed to unique (x, tx, T) with weights, time
** rescaled so max T = 1 (spend rescaled to mean 1 for Gamma-Gamma), BFGS in log-parameter space, then
** standard errors from the Hessian of the total log-likelihood (V = J H^-1 J) in the original units.
** Also the accumulator (add / merge / fit) that builds the compressed rows incrementally.
*/
#include "value/btyd.h"
#include "value/optim.h"
#include "value/specfun.h"
#include "core/rng.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct row {
    double x, t, T, w;
} row;

static int row_cmp(const void *pa, const void *pb)
{
    const row *a = pa, *b = pb;
    if (a->x != b->x) return a->x < b->x ? -1 : 1;
    if (a->t != b->t) return a->t < b->t ? -1 : 1;
    if (a->T != b->T) return a->T < b->T ? -1 : 1;
    return 0;
}

static uint64_t row_hash(const row *r)
{
    /* + 0.0 turns -0 into +0, which row_cmp treats as equal */
    double v[3] = {r->x + 0.0, r->t + 0.0, r->T + 0.0};
    uint64_t h = 0x9E3779B97F4A7C15ULL;
    for (int k = 0; k < 3; k++) {
        uint64_t b;
        memcpy(&b, &v[k], sizeof b);
        h = (h ^ b) * 0xbf58476d1ce4e5b9ULL;
        h ^= h >> 31;
    }
    return h;
}

/* Merges equal (x, t, T) by hashing, in one pass, keeping first appearances in place; the caller sorts the
** few unique rows. Returns the unique count, or 0 when the table cannot be allocated (then nothing moved). */
static size_t dedupe_hashed(st_context *ctx, row *r, size_t n)
{
    size_t cap = 16;
    while (cap < 2 * n) cap *= 2;
    uint32_t *slot = ctx ? st__calloc(ctx, cap, sizeof *slot) : NULL;
    if (!slot) {
        if (ctx) st_clear_error(ctx);
        return 0;
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        size_t s = (size_t)row_hash(&r[i]) & (cap - 1);
        for (;;) {
            if (!slot[s]) {
                r[k] = r[i];
                slot[s] = (uint32_t)++k;
                break;
            }
            row *u = &r[slot[s] - 1];
            if (row_cmp(u, &r[i]) == 0) {
                u->w += r[i].w;
                break;
            }
            s = (s + 1) & (cap - 1);
        }
    }
    st__free(ctx, slot, cap * sizeof *slot);
    return k;
}

/* Sorts rows and merges equal (x, t, T), summing weights; drops zero-weight rows. Returns the new count.
** Large inputs are deduplicated by hashing first, so only the unique rows are sorted (a summary of a
** million customers has about a quarter as many unique rows). */
static size_t compress_rows(st_context *ctx, row *r, size_t n)
{
    if (n == 0) return 0;
    if (n > 4096 && n < UINT32_MAX) {
        size_t u = dedupe_hashed(ctx, r, n);
        if (u) n = u;
    }
    qsort(r, n, sizeof *r, row_cmp);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (k > 0 && row_cmp(&r[k - 1], &r[i]) == 0) r[k - 1].w += r[i].w;
        else r[k++] = r[i];
    }
    size_t m = 0;
    for (size_t i = 0; i < k; i++)
        if (r[i].w > 0.0) r[m++] = r[i];
    return m;
}

/* Checks one row for kind; returns 1 when usable, 0 when the kind skips it silently (gg: x = 0),
** -1 when it is invalid (message on ctx). */
static int check_row(st_context *ctx, st_model_kind kind, double x, double t, double T, double w, size_t i)
{
    if (!(w >= 0.0) || !isfinite(w)) {
        st__error(ctx, ST_EINVAL, "row %zu: weight must be finite and >= 0", i + 1);
        return -1;
    }
    if (kind == ST_MODEL_GG) {
        if (!isfinite(x) || !isfinite(t) || x < 0.0) {
            st__error(ctx, ST_EINVAL, "row %zu: frequency and monetary value must be finite, frequency >= 0",
                      i + 1);
            return -1;
        }
        return x > 0.0 && t > 0.0 ? 1 : 0;
    }
    if (!isfinite(x) || !isfinite(t) || !isfinite(T) || x < 0.0 || t < 0.0 || T < 0.0) {
        st__error(ctx, ST_EINVAL, "row %zu: frequency, recency and T must be finite and >= 0", i + 1);
        return -1;
    }
    if (t > T * (1.0 + 1e-12)) {
        st__error(ctx, ST_EINVAL, "row %zu: recency %g exceeds T %g", i + 1, t, T);
        return -1;
    }
    if (x == 0.0 && t != 0.0) {
        st__error(ctx, ST_EINVAL, "row %zu: recency must be 0 when frequency is 0", i + 1);
        return -1;
    }
    if (kind == ST_MODEL_BGBB && (x != floor(x) || t != floor(t) || T != floor(T) || x > t)) {
        st__error(ctx, ST_EINVAL, "row %zu: bgbb needs integer frequency <= recency <= periods", i + 1);
        return -1;
    }
    return 1;
}

/* ---- the objective: mean negative log-likelihood + penalizer * sum theta^2, in log parameters ---- */

typedef struct objdata {
    st_model_kind kind;
    const row *r;
    size_t n;
    double wsum;
    double pen;
    int nthreads;
    /* Pareto/NBD only (else NULL): rows share their 2F1 series through the unique (x, tx) pairs (id1,
    ** representative rows rep1) and unique (x, T) pairs (id2, rep2); h1 / h2 hold 4 values per pair. */
    const size_t *id1, *id2, *rep1, *rep2;
    size_t n1, n2;
    double *h1, *h2;
    /* BG/NBD and MBG/NBD (else NULL): ids of the unique values among all tx and T (itx, iT; repv[k] =
    ** 2 * row + (0 for tx, 1 for T)); lv / iv receive ln(alpha + v) and 1 / (alpha + v) per evaluation. */
    const size_t *itx, *iT, *repv;
    size_t nv;
    double *lv, *iv;
} objdata;

static double row_ll(st_model_kind kind, const double *th, const row *rw, double *g)
{
    switch (kind) {
    case ST_MODEL_BGNBD: return st__bgnbd_ll(th, rw->x, rw->t, rw->T, g, 0);
    case ST_MODEL_MBGNBD: return st__bgnbd_ll(th, rw->x, rw->t, rw->T, g, 1);
    case ST_MODEL_PNBD: return st__pnbd_ll(th, rw->x, rw->t, rw->T, g);
    case ST_MODEL_BGBB: return st__bgbb_ll(th, rw->x, rw->t, rw->T, g);
    case ST_MODEL_GG: return st__gg_ll(th, rw->x, rw->t, g);
    }
    return (double)NAN;
}

/* BG/NBD and MBG/NBD over rows [i0, i1): the rows are sorted by x, so the gamma and digamma terms that
** depend on x are computed once per distinct x, and the parameter-only ones once per call. */
static double bg_range(const objdata *od, const double *th, const row *r, size_t i0, size_t i1, double *gsum,
                       int modified)
{
    double rr = th[0], al = th[1], a = th[2], b = th[3], sh = modified ? 1.0 : 0.0;
    double lgr = st__lgamma(rr), lgab = st__lgamma(a + b), lgb = st__lgamma(b), lal = log(al);
    double pr = 0.0, pab = 0.0, pb = 0.0;
    if (gsum) {
        pr = st__digamma(rr);
        pab = st__digamma(a + b);
        pb = st__digamma(b);
    }
    double cx = -1.0, D1 = 0.0, rx = 0.0, C4 = 0.0, dC4a = 0.0, dC4b = 0.0, prx = 0.0, pbx = 0.0, pabx = 0.0;
    double s = 0.0, g0 = 0.0, g1 = 0.0, g2 = 0.0, g3 = 0.0;
    for (size_t i = i0; i < i1; i++) {
        const row *rw = &r[i];
        if (rw->x != cx) {
            cx = rw->x;
            rx = rr + cx;
            double bx = b + cx + sh, abx = a + bx;
            D1 = st__lgamma(rx) - lgr + lgab + st__lgamma(bx) - lgb - st__lgamma(abx);
            int has4 = modified || cx > 0.0;
            C4 = has4 ? a / (bx - 1.0) : 0.0;
            dC4a = has4 ? 1.0 / (bx - 1.0) : 0.0;
            dC4b = has4 ? -a / ((bx - 1.0) * (bx - 1.0)) : 0.0;
            if (gsum) {
                prx = st__digamma(rx) - pr;
                pbx = st__digamma(bx);
                pabx = st__digamma(abx);
            }
        }
        double lat, laT, iat, iaT;
        if (od->lv) {
            lat = od->lv[od->itx[i]];
            laT = od->lv[od->iT[i]];
            iat = od->iv[od->itx[i]];
            iaT = od->iv[od->iT[i]];
        } else {
            lat = log(al + rw->t);
            laT = log(al + rw->T);
            iat = 1.0 / (al + rw->t);
            iaT = 1.0 / (al + rw->T);
        }
        double C3 = exp(rx * (lat - laT)), S = C3 + C4;
        s += rw->w * (D1 + rr * lal - rx * lat + log(S));
        if (gsum) {
            double w = rw->w;
            g0 += w * (prx + lal - lat + C3 * (lat - laT) / S);
            g1 += w * (rr / al - rx * iat + C3 * rx * (iat - iaT) / S);
            g2 += w * (pab - pabx + dC4a / S);
            g3 += w * (pab + pbx - pb - pabx + dC4b / S);
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

static double range_ll(const objdata *od, const double *th, double *gsum, size_t i0, size_t i1)
{
    if (od->kind == ST_MODEL_BGNBD || od->kind == ST_MODEL_MBGNBD)
        return bg_range(od, th, od->r, i0, i1, gsum, od->kind == ST_MODEL_MBGNBD);
    if (od->kind == ST_MODEL_PNBD && od->h1) {
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
    c->ll = range_ll(c->od, c->th, c->want_grad ? c->g : NULL, c->i0, c->i1);
    return NULL;
}

/* Runs two chunks, the second on a thread when the context allows (else in turn). */
static void run2(const objdata *od, chunk *c)
{
    pthread_t tid;
    int threaded = od->nthreads >= 2 && pthread_create(&tid, NULL, chunk_run, &c[1]) == 0;
    chunk_run(&c[0]);
    if (threaded) pthread_join(tid, NULL);
    else chunk_run(&c[1]);
}

/* Rows above which the sum is split in two fixed halves (run on two threads when the context allows);
** the split does not depend on the thread count, so results are identical with 1 or 2 threads. */
#define SPLIT_ROWS 8192

/* Total log-likelihood sum w * ll at natural parameters th; gsum (may be NULL) gets d/d th. */
static double total_ll(const objdata *od, const double *th, double *gsum)
{
    size_t np = st__model_nparams(od->kind);
    if (od->lv)
        for (size_t k = 0; k < od->nv; k++) {
            const row *rw = &od->r[od->repv[k] / 2];
            double v = th[1] + ((od->repv[k] & 1) ? rw->T : rw->t);
            od->lv[k] = log(v);
            od->iv[k] = 1.0 / v;
        }
    if (od->h1) {
        size_t m = od->n1 + od->n2;
        chunk p[2] = {{od, th, 0, m / 2, 1, 1, 0.0, {0}}, {od, th, m / 2, m, 1, 1, 0.0, {0}}};
        if (m < SPLIT_ROWS / 8) chunk_run(&p[0]), chunk_run(&p[1]);
        else run2(od, p);
    }
    if (od->n < SPLIT_ROWS) return range_ll(od, th, gsum, 0, od->n);
    chunk c[2] = {{od, th, 0, od->n / 2, gsum != NULL, 0, 0.0, {0}}, {od, th, od->n / 2, od->n, gsum != NULL, 0, 0.0, {0}}};
    run2(od, c);
    if (gsum)
        for (size_t k = 0; k < np; k++) gsum[k] = c[0].g[k] + c[1].g[k];
    return c[0].ll + c[1].ll;
}

static double objective(const double *lx, double *grad, void *ud)
{
    const objdata *od = ud;
    size_t np = st__model_nparams(od->kind);
    double th[ST__MODEL_MAXP];
    for (size_t k = 0; k < np; k++) {
        if (!(fabs(lx[k]) < 700.0)) return HUGE_VAL;
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
static int is_scaled(st_model_kind kind, size_t k)
{
    switch (kind) {
    case ST_MODEL_BGNBD:
    case ST_MODEL_MBGNBD: return k == 1;
    case ST_MODEL_PNBD: return k == 1 || k == 3;
    case ST_MODEL_GG: return k == 2;
    case ST_MODEL_BGBB: return 0;
    }
    return 0;
}

st_model *st__model_alloc(st_context *ctx, st_model_kind kind)
{
    st_model *m = st__calloc(ctx, 1, sizeof *m);
    if (!m) return NULL;
    m->ctx = ctx;
    m->kind = kind;
    m->np = st__model_nparams(kind);
    for (size_t k = 0; k < ST__MODEL_MAXP; k++) m->param[k] = m->se[k] = (double)NAN;
    for (size_t k = 0; k < ST__MODEL_MAXP * ST__MODEL_MAXP; k++) m->cov[k] = (double)NAN;
    m->loglik = (double)NAN;
    strcpy(m->status, "not_fitted");
    return m;
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

typedef struct valkey {
    double v;
    size_t slot; /* 2 * row + (0 tx, 1 T) */
} valkey;

static int valkey_cmp(const void *pa, const void *pb)
{
    const valkey *a = pa, *b = pb;
    if (a->v != b->v) return a->v < b->v ? -1 : 1;
    return a->slot < b->slot ? -1 : a->slot > b->slot;
}

/* One block of 3 * 2n size_t (itx, iT, repv) and one of 2 * 2n doubles (lv, iv). */
static void bg_values_free(st_context *ctx, size_t n, size_t *ib, double *db)
{
    size_t m = 2 * (n ? n : 1);
    st__free(ctx, ib, 3 * m * sizeof *ib);
    st__free(ctx, db, 2 * m * sizeof *db);
}

/* The unique values among all tx and T: with daily or weekly data there are a few hundred of them for any
** number of customers, so ln(alpha + v) is computed a few hundred times per evaluation instead of 2n. */
static st_status bg_values(st_context *ctx, const row *r, size_t n, objdata *od, size_t **ibuf, double **dbuf)
{
    size_t m = 2 * (n ? n : 1);
    size_t *ib = st__realloc_array(ctx, NULL, 0, 3 * m, sizeof *ib);
    double *db = st__realloc_array(ctx, NULL, 0, 2 * m, sizeof *db);
    valkey *keys = st__realloc_array(ctx, NULL, 0, m, sizeof *keys);
    if (!ib || !db || !keys) {
        st__free(ctx, ib, 3 * m * sizeof *ib);
        st__free(ctx, db, 2 * m * sizeof *db);
        st__free(ctx, keys, m * sizeof *keys);
        return ST_ENOMEM;
    }
    size_t *itx = ib, *iT = ib + m, *repv = ib + 2 * m, nv = 0;
    for (size_t i = 0; i < n; i++) {
        keys[2 * i].v = r[i].t;
        keys[2 * i].slot = 2 * i;
        keys[2 * i + 1].v = r[i].T;
        keys[2 * i + 1].slot = 2 * i + 1;
    }
    qsort(keys, 2 * n, sizeof *keys, valkey_cmp);
    for (size_t k = 0; k < 2 * n; k++) {
        if (k == 0 || keys[k].v != keys[k - 1].v) repv[nv++] = keys[k].slot;
        size_t row_i = keys[k].slot / 2;
        if (keys[k].slot & 1) iT[row_i] = nv - 1;
        else itx[row_i] = nv - 1;
    }
    st__free(ctx, keys, m * sizeof *keys);
    od->itx = itx;
    od->iT = iT;
    od->repv = repv;
    od->nv = nv;
    od->lv = db;
    od->iv = db + m;
    *ibuf = ib;
    *dbuf = db;
    return ST_OK;
}

/* Fits on compressed rows r[0..n) (modified in place by the rescaling, which is undone on the result). */
static st_status fit_rows(st_context *ctx, st_model_kind kind, row *r, size_t n, double penalizer, uint64_t seed,
                          st_model **out)
{
    size_t np = st__model_nparams(kind);
    if (n == 0) return st__error(ctx, ST_EEMPTY, "no usable rows to fit a %s model", st_model_kind_name(kind));
    double wsum = 0.0, scale = 1.0;
    for (size_t i = 0; i < n; i++) wsum += r[i].w;
    if (!(wsum > 0.0)) return st__error(ctx, ST_EEMPTY, "the weights sum to zero");
    if (kind == ST_MODEL_BGNBD || kind == ST_MODEL_MBGNBD || kind == ST_MODEL_PNBD) {
        double mx = 0.0;
        for (size_t i = 0; i < n; i++)
            if (r[i].T > mx) mx = r[i].T;
        if (!(mx > 0.0)) return st__error(ctx, ST_EEMPTY, "every customer has T = 0");
        scale = mx;
        for (size_t i = 0; i < n; i++) {
            r[i].t /= scale;
            r[i].T /= scale;
        }
    } else if (kind == ST_MODEL_GG) {
        double s = 0.0;
        for (size_t i = 0; i < n; i++) s += r[i].w * r[i].t;
        scale = s / wsum;
        for (size_t i = 0; i < n; i++) r[i].t /= scale;
    }
    objdata od = {kind, r, n, wsum, penalizer, st_context_threads(ctx), NULL, NULL, NULL, NULL, 0, 0, NULL, NULL,
                  NULL, NULL, NULL, 0, NULL, NULL};
    size_t *pairbuf = NULL, *vbuf = NULL;
    double *hbuf = NULL, *vdbuf = NULL;
    if (kind == ST_MODEL_PNBD) {
        st_status prc = pnbd_pairs(ctx, r, n, &od, &pairbuf, &hbuf);
        if (prc) return prc;
    }
    if (kind == ST_MODEL_BGNBD || kind == ST_MODEL_MBGNBD) {
        st_status prc = bg_values(ctx, r, n, &od, &vbuf, &vdbuf);
        if (prc) return prc;
    }

    /* Starting points: the origin of log space (every parameter 1 in rescaled units) and, for the flat
    ** Pareto/NBD surface, seeded perturbations of it; the best end point wins. */
    int nstarts = kind == ST_MODEL_PNBD ? 4 : 1;
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
        if (kind == ST_MODEL_GG && s == 0) x0[1] = 1.0; /* q > 1 side, where the spend mean exists */
        st__opt_info info;
        st__bfgs(objective, &od, x0, np, 1e-9, 1000, &info);
        total_evals += info.evaluations;
        tried++;
        int better = isfinite(info.f) && (info.f < bestf - 1e-12 * fabs(bestf) ||
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
        bg_values_free(ctx, n, vbuf, vdbuf);
        return st__error(ctx, ST_ECONVERGE, "%s: the log-likelihood is not finite at any starting point",
                         st_model_kind_name(kind));
    }

    st_model *m = st__model_alloc(ctx, kind);
    if (!m) {
        pnbd_pairs_free(ctx, n, pairbuf, hbuf);
        bg_values_free(ctx, n, vbuf, vdbuf);
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
    if (st__num_hessian(objective, &od, best, np, H) == 0) {
        for (size_t k = 0; k < np * np; k++) H[k] *= wsum;
        if (st__spd_inverse(H, np, Hi) == 0) {
            for (size_t i = 0; i < np; i++)
                for (size_t j = 0; j < np; j++) m->cov[i * np + j] = m->param[i] * Hi[i * np + j] * m->param[j];
            for (size_t i = 0; i < np; i++) m->se[i] = sqrt(m->cov[i * np + i]);
        } else {
            snprintf(m->warning, sizeof m->warning, "Hessian not positive definite: no standard errors");
        }
    }
    /* Undo the rescaling and report the log-likelihood in the data's own units. */
    for (size_t i = 0; i < n; i++) {
        if (kind == ST_MODEL_GG) {
            r[i].t *= scale;
        } else if (kind != ST_MODEL_BGBB) {
            r[i].t *= scale;
            r[i].T *= scale;
        }
    }
    m->loglik = total_ll(&od, m->param, NULL);
    pnbd_pairs_free(ctx, n, pairbuf, hbuf);
    bg_values_free(ctx, n, vbuf, vdbuf);
    if (kind == ST_MODEL_GG && !(m->param[1] > 1.0))
        snprintf(m->warning, sizeof m->warning, "q = %g <= 1: the expected spend does not exist", m->param[1]);
    *out = m;
    return ST_OK;
}

st_status st_model_fit(st_context *ctx, st_model_kind kind, const double *x, const double *tx,
                       const double *T, const double *w, size_t n, double penalizer, uint64_t seed,
                       st_model **out)
{
    if (out) *out = NULL;
    if (!out || !x || !tx || (!T && kind != ST_MODEL_GG))
        return st__error(ctx, ST_EINVAL, "st_model_fit: NULL argument");
    if (st__model_nparams(kind) == 0) return st__error(ctx, ST_EINVAL, "st_model_fit: unknown model kind");
    if (!(penalizer >= 0.0) || !isfinite(penalizer))
        return st__error(ctx, ST_EINVAL, "st_model_fit: the penalizer must be finite and >= 0");
    row *r = st__realloc_array(ctx, NULL, 0, n ? n : 1, sizeof *r);
    if (!r) return ST_ENOMEM;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        double Ti = T ? T[i] : 0.0, wi = w ? w[i] : 1.0;
        int ok = check_row(ctx, kind, x[i], tx[i], Ti, wi, i);
        if (ok < 0) {
            st__free(ctx, r, n * sizeof *r);
            return ST_EINVAL;
        }
        if (ok == 0) continue;
        r[k].x = x[i];
        r[k].t = tx[i];
        r[k].T = kind == ST_MODEL_GG ? 0.0 : Ti;
        r[k].w = wi;
        k++;
    }
    k = compress_rows(ctx, r, k);
    st_status rc = fit_rows(ctx, kind, r, k, penalizer, seed, out);
    st__free(ctx, r, (n ? n : 1) * sizeof *r);
    return rc;
}

/* ---- accumulator ---- */

struct st_btyd_acc {
    st_context *ctx;
    st_model_kind kind;
    row *r;
    size_t n, cap, compressed; /* rows [0, compressed) are sorted and unique */
    size_t added;
};

st_status st_btyd_acc_new(st_context *ctx, st_model_kind kind, st_btyd_acc **out)
{
    if (!out) return st__error(ctx, ST_EINVAL, "st_btyd_acc_new: out is NULL");
    *out = NULL;
    if (st__model_nparams(kind) == 0) return st__error(ctx, ST_EINVAL, "st_btyd_acc_new: unknown model kind");
    st_btyd_acc *a = st__calloc(ctx, 1, sizeof *a);
    if (!a) return ST_ENOMEM;
    a->ctx = ctx;
    a->kind = kind;
    *out = a;
    return ST_OK;
}

void st_btyd_acc_free(st_btyd_acc *acc)
{
    if (!acc) return;
    st__free(acc->ctx, acc->r, acc->cap * sizeof *acc->r);
    st__free(acc->ctx, acc, sizeof *acc);
}

static void acc_compress(st_btyd_acc *a)
{
    a->n = compress_rows(a->ctx, a->r, a->n);
    a->compressed = a->n;
}

static st_status acc_push(st_btyd_acc *a, const row *rw)
{
    if (a->n == a->cap) {
        /* Compress before growing: on real data most rows repeat, so memory follows the unique rows. */
        if (a->n - a->compressed > 4096 && a->n - a->compressed >= a->compressed) acc_compress(a);
        if (a->n == a->cap) {
            size_t nc = a->cap ? a->cap * 2 : 256;
            row *nr = st__realloc_array(a->ctx, a->r, a->cap, nc, sizeof *nr);
            if (!nr) return ST_ENOMEM;
            a->r = nr;
            a->cap = nc;
        }
    }
    a->r[a->n++] = *rw;
    return ST_OK;
}

st_status st_btyd_acc_add(st_btyd_acc *acc, double x, double tx, double T, double w)
{
    if (!acc) return ST_EINVAL;
    int ok = check_row(acc->ctx, acc->kind, x, tx, T, w, acc->added);
    acc->added++;
    if (ok < 0) return ST_EINVAL;
    if (ok == 0) return ST_OK;
    row rw = {x, tx, acc->kind == ST_MODEL_GG ? 0.0 : T, w};
    return acc_push(acc, &rw);
}

st_status st_btyd_acc_merge(st_btyd_acc *dst, const st_btyd_acc *src)
{
    if (!dst || !src) return ST_EINVAL;
    if (dst->kind != src->kind) return st__error(dst->ctx, ST_EINVAL, "st_btyd_acc_merge: different model kinds");
    /* n0 and re-reading src->r each time keep dst == src (doubling its rows) well defined. */
    size_t n0 = src->n;
    for (size_t i = 0; i < n0; i++) {
        st_status rc = acc_push(dst, &src->r[i]);
        if (rc) return rc;
    }
    dst->added += src->added;
    return ST_OK;
}

size_t st_btyd_acc_rows(st_btyd_acc *acc)
{
    if (!acc) return 0;
    acc_compress(acc);
    return acc->n;
}

st_status st_btyd_acc_fit(st_btyd_acc *acc, double penalizer, uint64_t seed, st_model **out)
{
    if (!acc || !out) return ST_EINVAL;
    *out = NULL;
    if (!(penalizer >= 0.0) || !isfinite(penalizer))
        return st__error(acc->ctx, ST_EINVAL, "st_btyd_acc_fit: the penalizer must be finite and >= 0");
    acc_compress(acc);
    row *r = st__realloc_array(acc->ctx, NULL, 0, acc->n ? acc->n : 1, sizeof *r);
    if (!r) return ST_ENOMEM;
    if (acc->n) memcpy(r, acc->r, acc->n * sizeof *r);
    st_status rc = fit_rows(acc->ctx, acc->kind, r, acc->n, penalizer, seed, out);
    st__free(acc->ctx, r, (acc->n ? acc->n : 1) * sizeof *r);
    return rc;
}
