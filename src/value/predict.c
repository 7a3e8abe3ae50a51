/*
** predict.c -- per-customer predictions in one pass: P(alive), expected purchases, expected spend and
** discounted CLV. BG/NBD's expectation factor depends on (x, T, t) but not on tx, and customers share few
** (x, T) pairs (200,000 simulated customers: 3,436), so the factor is computed once per pair and CLV time
** point; what is left per customer is P(alive) and a few products. Rows are split into fixed chunks run
** over threads, so each value is the same as a one-row call with any number of threads.
*/
#include "value/predict.h"
#include "value/btyd.h"
#include "core/parallel.h"

#include <math.h>
#include <string.h>

#define CHUNK_ROWS 8192
#define CHUNK_GROUPS 32
#define MAX_STEPS 1000000

/* ---- (x, T) groups ---- */

typedef struct groups {
    st_context *ctx;
    uint32_t *slot; /* cap places, UINT32_MAX = empty */
    size_t cap;
    double *gx, *gT;
    size_t n, gcap;
} groups;

static uint64_t dbits(double v)
{
    uint64_t u;
    v += 0.0; /* -0 -> +0 */
    memcpy(&u, &v, sizeof u);
    return u;
}

static size_t pair_hash(double x, double T)
{
    /* whole numbers as doubles have all-zero low bits: mix every bit into the low ones (splitmix64) */
    uint64_t h = dbits(x) ^ (dbits(T) * 0x9E3779B97F4A7C15u);
    h = (h ^ (h >> 30)) * 0xBF58476D1CE4E5B9u;
    h = (h ^ (h >> 27)) * 0x94D049BB133111EBu;
    return (size_t)(h ^ (h >> 31));
}

static int groups_grow(groups *g)
{
    size_t ncap = g->cap ? 2 * g->cap : 1024;
    uint32_t *s = st__realloc_array(g->ctx, NULL, 0, ncap, sizeof *s);
    if (!s) return -1;
    memset(s, 0xff, ncap * sizeof *s);
    for (size_t k = 0; k < g->n; k++) {
        size_t h = pair_hash(g->gx[k], g->gT[k]) & (ncap - 1);
        while (s[h] != UINT32_MAX) h = (h + 1) & (ncap - 1);
        s[h] = (uint32_t)k;
    }
    st__free(g->ctx, g->slot, g->cap * sizeof *g->slot);
    g->slot = s;
    g->cap = ncap;
    return 0;
}

/* The group of (x, T), added when new; -1 when memory runs out. */
static long groups_id(groups *g, double x, double T)
{
    if (2 * (g->n + 1) > g->cap && groups_grow(g)) return -1;
    size_t h = pair_hash(x, T) & (g->cap - 1);
    for (;;) {
        uint32_t k = g->slot[h];
        if (k == UINT32_MAX) break;
        if (g->gx[k] == x && g->gT[k] == T) return (long)k;
        h = (h + 1) & (g->cap - 1);
    }
    if (g->n == g->gcap) {
        size_t nc = g->gcap ? 2 * g->gcap : 256;
        double *a = st__realloc_array(g->ctx, g->gx, g->gcap, nc, sizeof *a);
        if (!a) return -1;
        g->gx = a;
        a = st__realloc_array(g->ctx, g->gT, g->gcap, nc, sizeof *a);
        if (!a) return -1;
        g->gT = a;
        g->gcap = nc;
    }
    g->gx[g->n] = x;
    g->gT[g->n] = T;
    g->slot[h] = (uint32_t)g->n;
    return (long)g->n++;
}

static void groups_free(groups *g)
{
    st__free(g->ctx, g->slot, g->cap * sizeof *g->slot);
    st__free(g->ctx, g->gx, g->gcap * sizeof *g->gx);
    st__free(g->ctx, g->gT, g->gcap * sizeof *g->gT);
}

/* ---- the work ---- */

typedef struct run {
    const st__predict_job *q;
    int bg, modified;           /* BG/NBD family: the factor table is used */
    const double *ts, *disc;    /* CLV time points (K of them, the last = horizon) and their discounts */
    size_t K;
    const uint32_t *gid;        /* per row (NULL: no table) */
    const groups *g;
    double *tab;                /* K factors per group */
    size_t nrows;               /* rows [0, nrows) are computed */
    size_t *bad;                /* per chunk: the first row with a non-finite result, or SIZE_MAX */
} run;

static void fill_groups(void *ud, size_t job, size_t wid)
{
    (void)wid;
    run *R = ud;
    const double *th = R->q->m->param;
    size_t k0 = job * CHUNK_GROUPS, k1 = k0 + CHUNK_GROUPS < R->g->n ? k0 + CHUNK_GROUPS : R->g->n;
    for (size_t k = k0; k < k1; k++)
        for (size_t s = 0; s < R->K; s++)
            R->tab[k * R->K + s] = st__bgnbd_cet_factor(th, R->g->gx[k], R->g->gT[k], R->ts[s], R->modified);
}

static double palive_one(const st_btyd_model *m, double x, double tx, double T)
{
    switch (m->kind) {
    case ST_BTYD_BGNBD: return st__bgnbd_palive(m->param, x, tx, T, 0);
    case ST_BTYD_MBGNBD: return st__bgnbd_palive(m->param, x, tx, T, 1);
    case ST_BTYD_PNBD: return st__pnbd_palive(m->param, x, tx, T);
    case ST_BTYD_BGBB: return st__bgbb_palive(m->param, x, tx, T);
    case ST_BTYD_GG: break;
    }
    return (double)NAN;
}

/* Expected purchases in (T, T+t] of one row whose P(alive) is pa; N (NULL = none) the BG/NBD factor. */
static double cet_row(const st_btyd_model *m, const double *N, double x, double tx, double T, double t, double pa)
{
    switch (m->kind) {
    case ST_BTYD_BGNBD:
    case ST_BTYD_MBGNBD:
        if (t <= 0.0 || pa == 0.0) return 0.0;
        return (N ? *N : st__bgnbd_cet_factor(m->param, x, T, t, m->kind == ST_BTYD_MBGNBD)) * pa;
    case ST_BTYD_PNBD: return st__pnbd_cet_pa(m->param, x, T, t, pa);
    case ST_BTYD_BGBB: return st__bgbb_cet(m->param, x, tx, T, floor(t));
    case ST_BTYD_GG: break;
    }
    return (double)NAN;
}

static void predict_chunk(void *ud, size_t job, size_t wid)
{
    (void)wid;
    run *R = ud;
    const st__predict_job *q = R->q;
    const st_btyd_model *m = q->m;
    size_t i0 = job * CHUNK_ROWS, i1 = i0 + CHUNK_ROWS < R->nrows ? i0 + CHUNK_ROWS : R->nrows;
    size_t bad = SIZE_MAX;
    int need_cet = q->expected || q->clv;
    for (size_t i = i0; i < i1 && bad == SIZE_MAX; i++) {
        double x = q->x[i], tx = q->tx[i], T = q->T[i];
        if (q->skip_missing && (isnan(x) || isnan(tx) || isnan(T))) {
            if (q->p_alive) q->p_alive[i] = (double)NAN;
            if (q->expected) q->expected[i] = (double)NAN;
            if (q->spend_out) q->spend_out[i] = (double)NAN;
            if (q->clv) q->clv[i] = (double)NAN;
            continue;
        }
        double pa = q->p_alive || need_cet ? palive_one(m, x, tx, T) : 0.0;
        const double *N = R->gid ? R->tab + (size_t)R->gid[i] * R->K : NULL;
        int ok = 1;
        if (q->p_alive) {
            q->p_alive[i] = pa;
            ok = isfinite(pa);
        }
        double value = 0.0;
        if (q->spend_out || q->clv) {
            double mb = q->mbar ? q->mbar[i] : 0.0;
            if (q->spend) {
                double mi = x > 0.0 && mb > 0.0 ? mb : 0.0;
                value = st__gg_spend(q->spend->param, mi > 0.0 ? x : 0.0, mi);
            } else {
                value = mb;
            }
            if (q->spend_out) q->spend_out[i] = value;
        }
        if (q->clv) {
            double prev = 0.0, acc = 0.0, c = 0.0;
            if (N) {
                /* the BG/NBD family from the table: cet = factor * P(alive), every time point > 0 */
                for (size_t s = 0; pa != 0.0 && s < R->K; s++) {
                    c = N[s] * pa;
                    acc += (c - prev) * R->disc[s];
                    prev = c;
                }
            } else {
                for (size_t s = 0; s < R->K; s++) {
                    c = cet_row(m, NULL, x, tx, T, R->ts[s], pa);
                    acc += (c - prev) * R->disc[s];
                    prev = c;
                }
            }
            if (q->expected) {
                q->expected[i] = c;
                ok = ok && isfinite(c);
            }
            q->clv[i] = q->margin * value * acc;
            ok = ok && isfinite(q->clv[i]);
        } else if (q->expected) {
            double c = cet_row(m, N, x, tx, T, q->horizon, pa);
            q->expected[i] = c;
            ok = ok && isfinite(c);
        }
        if (!ok) bad = i;
    }
    R->bad[job] = bad;
}

static int row_valid(const st__predict_job *q, size_t i)
{
    const double *x = q->x, *tx = q->tx, *T = q->T;
    return x[i] >= 0.0 && tx[i] >= 0.0 && T[i] >= tx[i] * (1.0 - 1e-12) && isfinite(T[i]);
}

st_status st__predict_run(st_context *ctx, const char *fn, const st__predict_job *q)
{
    const st_btyd_model *m = q->m;
    size_t n = q->n, K = 1;
    double *ts = NULL, *disc = NULL, one_t = q->horizon, one_d = 1.0;
    uint32_t *gid = NULL;
    groups g;
    memset(&g, 0, sizeof g);
    g.ctx = ctx;
    double *tab = NULL;
    size_t *bad = NULL, ntab = 0, nchunks = 0;
    st_status rc = ST_OK;

    /* The first invalid row ends the work there: rows before it are computed, and a non-finite result
    ** before it is the error reported, as a row-by-row loop would. */
    size_t nrows = n;
    for (size_t i = 0; i < n; i++) {
        if (q->skip_missing && (isnan(q->x[i]) || isnan(q->tx[i]) || isnan(q->T[i]))) continue;
        if (!row_valid(q, i)) {
            nrows = i;
            break;
        }
    }
    if (q->clv) {
        /* the time points of a step-by-step loop: t = step, 2 step, ..., the last one clamped to the horizon
        ** (counted first, then stored) */
        K = 0;
        for (double t = q->step;; t += q->step) {
            if (t > q->horizon - 1e-9 * q->horizon) t = q->horizon;
            if (++K > MAX_STEPS)
                return st__error(ctx, ST_EINVAL, "%s: at most %d time steps (horizon / step)", fn, MAX_STEPS);
            if (t >= q->horizon) break;
        }
        ts = st__realloc_array(ctx, NULL, 0, 2 * K, sizeof *ts);
        if (!ts) return ST_ENOMEM;
        disc = ts + K;
        size_t s = 0;
        for (double t = q->step;; t += q->step) {
            if (t > q->horizon - 1e-9 * q->horizon) t = q->horizon;
            ts[s] = t;
            disc[s] = exp(-q->lrate * t);
            s++;
            if (t >= q->horizon) break;
        }
    } else {
        ts = &one_t;
        disc = &one_d;
    }

    run R;
    memset(&R, 0, sizeof R);
    R.q = q;
    R.bg = (m->kind == ST_BTYD_BGNBD || m->kind == ST_BTYD_MBGNBD) && (q->expected || q->clv);
    R.modified = m->kind == ST_BTYD_MBGNBD;
    R.ts = ts;
    R.disc = disc;
    R.K = K;
    R.nrows = nrows;
    if (R.bg && nrows > 0) {
        /* The factor table pays when pairs repeat; it is given up when it would hold more than about two
        ** doubles per row (then every row computes its own factors). */
        size_t limit = 2 * nrows + 65536;
        gid = st__realloc_array(ctx, NULL, 0, nrows, sizeof *gid);
        if (!gid) {
            rc = ST_ENOMEM;
            goto done;
        }
        int give_up = 0;
        for (size_t i = 0; i < nrows && !give_up; i++) {
            if (isnan(q->x[i]) || isnan(q->tx[i]) || isnan(q->T[i])) {
                gid[i] = UINT32_MAX;
                continue;
            }
            long k = groups_id(&g, q->x[i], q->T[i]);
            if (k < 0) {
                rc = ST_ENOMEM;
                goto done;
            }
            gid[i] = (uint32_t)k;
            if (g.n > limit / K) give_up = 1;
        }
        if (!give_up) {
            ntab = g.n * K;
            tab = st__realloc_array(ctx, NULL, 0, ntab ? ntab : 1, sizeof *tab);
            if (!tab) {
                rc = ST_ENOMEM;
                goto done;
            }
            R.g = &g;
            R.tab = tab;
            st__parallel_for(ctx, (g.n + CHUNK_GROUPS - 1) / CHUNK_GROUPS, fill_groups, &R);
            R.gid = gid;
        }
    }
    nchunks = (nrows + CHUNK_ROWS - 1) / CHUNK_ROWS;
    bad = st__realloc_array(ctx, NULL, 0, nchunks ? nchunks : 1, sizeof *bad);
    if (!bad) {
        rc = ST_ENOMEM;
        goto done;
    }
    R.bad = bad;
    st__parallel_for(ctx, nchunks, predict_chunk, &R);
    for (size_t c = 0; c < nchunks; c++)
        if (bad[c] != SIZE_MAX) {
            rc = st__error(ctx, ST_ERANGE, "%s: row %zu: %s is not finite", fn, bad[c] + 1,
                           q->clv ? "CLV" : "prediction");
            goto done;
        }
    if (nrows < n)
        rc = st__error(ctx, ST_EDATA, "%s: row %zu: need 0 <= recency <= T and frequency >= 0", fn, nrows + 1);
done:
    if (bad) st__free(ctx, bad, (nchunks ? nchunks : 1) * sizeof *bad);
    if (tab) st__free(ctx, tab, (ntab ? ntab : 1) * sizeof *tab);
    if (gid) st__free(ctx, gid, nrows * sizeof *gid);
    groups_free(&g);
    if (q->clv) st__free(ctx, ts, 2 * K * sizeof *ts);
    return rc;
}
