/*
** glm.c -- logistic and linear (ridge) regression with scikit-learn's objective, solved to its optimum by
** Newton's method. Each step is one pass over the rows that sums the loss, gradient and Hessian (the
** "glm_acc" accumulator), over fixed chunks of the table merged in chunk order, so the result does not
** depend on the thread count; the design matrix is made in blocks and never held whole.
*/
#include "learn/glm.h"

#include "core/parallel.h"
#include "core/serial.h"
#include "num/linalg.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define GLM_ACC_KIND "glm_acc"
#define GLM_ACC_VERSION 1u
#define GLM_MAX_P 10000
#define GLM_MAX_CHUNKS 64
#define GLM_MIN_CHUNK 16384

/* ---- accumulator ---- */

static size_t tri(size_t q) { return q * (q + 1) / 2; }

st_status st_glm_acc_new(st_context *ctx, st_glm_kind kind, size_t p, const double *b, st_glm_acc **out)
{
    if (out) *out = NULL;
    if (!ctx) return ST_EINVAL;
    if (!out || (kind != ST_GLM_LOGISTIC && kind != ST_GLM_LINEAR))
        return st__error(ctx, ST_EINVAL, "st_glm_acc_new: NULL argument or unknown kind");
    if (p > GLM_MAX_P) return st__error(ctx, ST_ELIMIT, "glm: %zu design columns (at most %d)", p, GLM_MAX_P);
    size_t q = p + 1;
    st_glm_acc *a = st__calloc(ctx, 1, sizeof *a);
    if (!a) return ST_ENOMEM;
    a->ctx = ctx;
    a->kind = kind;
    a->p = p;
    a->b = st__calloc(ctx, q, sizeof *a->b);
    a->g = st__calloc(ctx, q, sizeof *a->g);
    a->h = st__calloc(ctx, q * q, sizeof *a->h);
    if (!a->b || !a->g || !a->h) {
        st_glm_acc_free(a);
        return ST_ENOMEM;
    }
    if (b) memcpy(a->b, b, q * sizeof *b);
    *out = a;
    return ST_OK;
}

void st_glm_acc_free(st_glm_acc *a)
{
    if (!a) return;
    st__free(a->ctx, a->b, 0);
    st__free(a->ctx, a->g, 0);
    st__free(a->ctx, a->h, 0);
    st__free(a->ctx, a, sizeof *a);
}

void st__glm_acc_reset(st_glm_acc *a, const double *b)
{
    size_t q = a->p + 1;
    memcpy(a->b, b, q * sizeof *b);
    memset(a->g, 0, q * sizeof *a->g);
    memset(a->h, 0, q * q * sizeof *a->h);
    a->rows = 0;
    a->wsum = 0.0;
    a->loss = 0.0;
}

/* Loss, residual r = s (p - y) and Hessian weight s h of one row with linear predictor f. */
static inline double row_terms(st_glm_kind kind, double f, double y, double s, double *r, double *hw)
{
    if (kind == ST_GLM_LOGISTIC) {
        double e = exp(-fabs(f)), pr = f >= 0.0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
        *r = s * (pr - y);
        *hw = s * pr * (1.0 - pr);
        return s * ((f > 0.0 ? f : 0.0) + log1p(e) - y * f); /* log(1 + exp(f)) - y f */
    }
    double d = f - y;
    *r = s * d;
    *hw = s;
    return 0.5 * s * d * d;
}

void st__glm_acc_add_unchecked(st_glm_acc *a, const double *x, size_t nrows, size_t ldx, const double *y,
                               const double *w)
{
    size_t p = a->p, q = p + 1;
    const double *beta = a->b + 1;
    double b0 = a->b[0];
    double *g = a->g, *h = a->h;
    double loss = 0.0, wsum = 0.0, g0 = 0.0, h00 = 0.0;
    size_t rows = 0;
    /* rows of non-zero weight, four at a time: one sweep over the Hessian's triangle per four rows */
    const double *xr[4];
    double rr[4], hh[4];
    size_t m = 0;
    for (size_t i = 0; i <= nrows; i++) {
        if (i < nrows) {
            double s = w ? w[i] : 1.0;
            if (s == 0.0) continue;
            const double *xi = x + i * ldx;
            double f = b0;
            for (size_t j = 0; j < p; j++) f += xi[j] * beta[j];
            loss += row_terms(a->kind, f, y[i], s, &rr[m], &hh[m]);
            xr[m] = xi;
            rows++;
            wsum += s;
            g0 += rr[m];
            h00 += hh[m];
            if (++m < 4) continue;
        }
        if (m == 0) break;
        for (; m < 4; m++) { /* pad with a zero-weight copy */
            xr[m] = xr[0];
            rr[m] = 0.0;
            hh[m] = 0.0;
        }
        const double *x0 = xr[0], *x1 = xr[1], *x2 = xr[2], *x3 = xr[3];
        for (size_t j = 0; j < p; j++) {
            double a0 = hh[0] * x0[j], a1 = hh[1] * x1[j], a2 = hh[2] * x2[j], a3 = hh[3] * x3[j];
            g[j + 1] += (rr[0] * x0[j] + rr[1] * x1[j]) + (rr[2] * x2[j] + rr[3] * x3[j]);
            double *hr = h + (j + 1) * q + 1;
            hr[-1] += (a0 + a1) + (a2 + a3);
            for (size_t k = 0; k <= j; k++) hr[k] += (a0 * x0[k] + a1 * x1[k]) + (a2 * x2[k] + a3 * x3[k]);
        }
        m = 0;
    }
    a->loss += loss;
    a->wsum += wsum;
    a->rows += rows;
    g[0] += g0;
    h[0] += h00;
}

/* The hot loops are also built for AVX2 and picked at run time (GCC on x86-64 Linux, as in segment/som.c);
** sums run in a fixed order without fused multiply-adds, so both builds give the same bits. */
#if defined(__GNUC__) && defined(__x86_64__) && !defined(__clang__) && defined(__linux__)
#define GLM_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define GLM_CLONES
#endif

/* sum u[i] v[i] with eight running sums, so they can live in vector registers. */
static inline double dot8(const double *u, const double *v, size_t n)
{
    double s[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (int t = 0; t < 8; t++) s[t] += u[i + t] * v[i + t];
    double tail = 0.0;
    for (; i < n; i++) tail += u[i] * v[i];
    return ((s[0] + s[4]) + (s[1] + s[5])) + ((s[2] + s[6]) + (s[3] + s[7])) + tail;
}

/* h[k] += sum_i u[i] x_k[i] for k = 0..m-1 (column k at x[k]), four columns per sweep over u. */
static inline void dots_into(const double *u, const double *const *x, size_t n, size_t m, double *h)
{
    size_t k = 0;
    for (; k + 4 <= m; k += 4) {
        const double *x0 = x[k], *x1 = x[k + 1], *x2 = x[k + 2], *x3 = x[k + 3];
        double s0[4] = {0, 0, 0, 0}, s1[4] = {0, 0, 0, 0}, s2[4] = {0, 0, 0, 0}, s3[4] = {0, 0, 0, 0};
        size_t i = 0;
        for (; i + 4 <= n; i += 4)
            for (int t = 0; t < 4; t++) {
                double ui = u[i + t];
                s0[t] += ui * x0[i + t];
                s1[t] += ui * x1[i + t];
                s2[t] += ui * x2[i + t];
                s3[t] += ui * x3[i + t];
            }
        double t0 = 0, t1 = 0, t2 = 0, t3 = 0;
        for (; i < n; i++) {
            t0 += u[i] * x0[i];
            t1 += u[i] * x1[i];
            t2 += u[i] * x2[i];
            t3 += u[i] * x3[i];
        }
        h[k] += ((s0[0] + s0[2]) + (s0[1] + s0[3])) + t0;
        h[k + 1] += ((s1[0] + s1[2]) + (s1[1] + s1[3])) + t1;
        h[k + 2] += ((s2[0] + s2[2]) + (s2[1] + s2[3])) + t2;
        h[k + 3] += ((s3[0] + s3[2]) + (s3[1] + s3[3])) + t3;
    }
    for (; k < m; k++) h[k] += dot8(u, x[k], n);
}

/* The gradient and Hessian sums of one column-major block given r and hw per row; u: nrows scratch. */
GLM_CLONES static void block_sums(size_t p, const double *const *x, size_t nrows, const double *r,
                                  const double *hw, double *u, double *g, double *h)
{
    size_t q = p + 1;
    double one_r = 0.0, one_h = 0.0;
    for (size_t i = 0; i < nrows; i++) {
        one_r += r[i];
        one_h += hw[i];
    }
    g[0] += one_r;
    h[0] += one_h;
    for (size_t j = 0; j < p; j++) {
        const double *xj = x[j];
        double hs = 0.0;
        for (size_t i = 0; i < nrows; i++) {
            u[i] = hw[i] * xj[i];
            hs += u[i];
        }
        g[j + 1] += dot8(r, xj, nrows);
        double *hr = h + (j + 1) * q;
        hr[0] += hs;
        dots_into(u, x, nrows, j + 1, hr + 1);
    }
}

/* f = b0 + X beta over a column-major block. */
GLM_CLONES static void block_predictor(size_t p, const double *b, const double *const *x, size_t nrows,
                                       double *f)
{
    for (size_t i = 0; i < nrows; i++) f[i] = b[0];
    for (size_t j = 0; j < p; j++) {
        double bj = b[j + 1];
        const double *xj = x[j];
        for (size_t i = 0; i < nrows; i++) f[i] += bj * xj[i];
    }
}

void st__glm_acc_add_cols(st_glm_acc *a, const double *const *x, size_t nrows, const double *y, const double *w,
                          double *scratch)
{
    size_t p = a->p;
    double *f = scratch, *r = scratch + nrows, *hw = scratch + 2 * nrows, *u = scratch + 3 * nrows;
    block_predictor(p, a->b, x, nrows, f);
    double loss = 0.0, wsum = 0.0;
    size_t rows = 0;
    for (size_t i = 0; i < nrows; i++) {
        double s = w ? w[i] : 1.0;
        if (s == 0.0) {
            r[i] = hw[i] = 0.0;
            continue;
        }
        loss += row_terms(a->kind, f[i], y[i], s, &r[i], &hw[i]);
        rows++;
        wsum += s;
    }
    block_sums(p, x, nrows, r, hw, u, a->g, a->h);
    a->loss += loss;
    a->wsum += wsum;
    a->rows += rows;
}

st_status st_glm_acc_add(st_glm_acc *a, const double *x, size_t nrows, size_t ldx, const double *y,
                         const double *w)
{
    if (!a) return ST_EINVAL;
    if (nrows && (!x || !y)) return st__error(a->ctx, ST_EINVAL, "st_glm_acc_add: NULL argument");
    if (nrows && ldx < a->p) return st__error(a->ctx, ST_EINVAL, "st_glm_acc_add: ldx %zu < %zu", ldx, a->p);
    for (size_t i = 0; i < nrows; i++) {
        if (w && !(w[i] >= 0.0 && isfinite(w[i])))
            return st__error(a->ctx, ST_EDATA, "glm: row %zu: weight %g is not a finite number >= 0", i + 1, w[i]);
        if (!isfinite(y[i]) || (a->kind == ST_GLM_LOGISTIC && y[i] != 0.0 && y[i] != 1.0))
            return st__error(a->ctx, ST_EDATA, "glm: row %zu: label %g is not %s", i + 1, y[i],
                             a->kind == ST_GLM_LOGISTIC ? "0 or 1" : "finite");
        for (size_t j = 0; j < a->p; j++)
            if (!isfinite(x[i * ldx + j]))
                return st__error(a->ctx, ST_EDATA, "glm: row %zu: column %zu is not finite", i + 1, j + 1);
    }
    st__glm_acc_add_unchecked(a, x, nrows, ldx, y, w);
    return ST_OK;
}

st_status st_glm_acc_merge(st_glm_acc *into, const st_glm_acc *from)
{
    if (!into || !from) return into ? st__error(into->ctx, ST_EINVAL, "st_glm_acc_merge: NULL argument") : ST_EINVAL;
    size_t q = into->p + 1;
    if (into->kind != from->kind || into->p != from->p || memcmp(into->b, from->b, q * sizeof *into->b) != 0)
        return st__error(into->ctx, ST_EINVAL, "glm_acc merge: the states differ in kind, width or coefficients");
    into->rows += from->rows;
    into->wsum += from->wsum;
    into->loss += from->loss;
    for (size_t j = 0; j < q; j++) into->g[j] += from->g[j];
    for (size_t j = 0; j < q; j++)
        for (size_t k = 0; k <= j; k++) into->h[j * q + k] += from->h[j * q + k];
    return ST_OK;
}

static bool penalised(double C) { return C > 0.0 && isfinite(C); }

st_status st_glm_acc_finalize(const st_glm_acc *a, double C, double *objective, double *gradient, double *hessian,
                              double *nrows, double *wsum)
{
    if (!a) return ST_EINVAL;
    if (!(C >= 0.0)) return st__error(a->ctx, ST_EINVAL, "st_glm_acc_finalize: C %g is not >= 0", C);
    size_t q = a->p + 1;
    double lam = penalised(C) ? 1.0 / C : 0.0;
    if (objective) {
        double pen = 0.0;
        for (size_t j = 1; j < q; j++) pen += a->b[j] * a->b[j];
        *objective = a->loss + 0.5 * lam * pen;
    }
    if (gradient)
        for (size_t j = 0; j < q; j++) gradient[j] = a->g[j] + (j ? lam * a->b[j] : 0.0);
    if (hessian)
        for (size_t j = 0; j < q; j++)
            for (size_t k = 0; k <= j; k++) {
                double v = a->h[j * q + k] + (j == k && j ? lam : 0.0);
                hessian[j * q + k] = v;
                hessian[k * q + j] = v;
            }
    if (nrows) *nrows = (double)a->rows;
    if (wsum) *wsum = a->wsum;
    return ST_OK;
}

st_status st_glm_acc_serialize(st_context *ctx, const st_glm_acc *a, char **buf, size_t *len)
{
    if (!ctx) return ST_EINVAL;
    if (!a || !buf || !len) return st__error(ctx, ST_EINVAL, "st_glm_acc_serialize: NULL argument");
    *buf = NULL;
    *len = 0;
    size_t q = a->p + 1;
    st__wbuf w;
    st__wbuf_begin(&w, ctx, GLM_ACC_KIND, GLM_ACC_VERSION);
    st__wbuf_reserve(&w, 64 + 8 * (2 * q + tri(q)));
    st__wbuf_u32(&w, (uint32_t)a->kind);
    st__wbuf_u64(&w, (uint64_t)a->p);
    st__wbuf_u64(&w, a->rows);
    st__wbuf_f64(&w, a->wsum);
    st__wbuf_f64(&w, a->loss);
    for (size_t j = 0; j < q; j++) st__wbuf_f64(&w, a->b[j]);
    for (size_t j = 0; j < q; j++) st__wbuf_f64(&w, a->g[j]);
    for (size_t j = 0; j < q; j++)
        for (size_t k = 0; k <= j; k++) st__wbuf_f64(&w, a->h[j * q + k]);
    return st__wbuf_finish(&w, buf, len);
}

st_status st_glm_acc_deserialize(st_context *ctx, const char *buf, size_t len, st_glm_acc **out)
{
    if (out) *out = NULL;
    if (!ctx) return ST_EINVAL;
    if (!buf || !out) return st__error(ctx, ST_EINVAL, "st_glm_acc_deserialize: NULL argument");
    st__rbuf r;
    uint32_t version, kind;
    uint64_t p, rows;
    st_status rc = st__rbuf_begin(&r, ctx, buf, len, GLM_ACC_KIND, GLM_ACC_VERSION, &version);
    if (rc) return rc;
    if (!st__rbuf_u32(&r, "kind", &kind) || !st__rbuf_u64(&r, "width", &p) || !st__rbuf_u64(&r, "rows", &rows))
        return st__rbuf_end(&r);
    if (kind > ST_GLM_LINEAR) {
        st__rbuf_fail(&r, "kind %u is not 0 (logistic) or 1 (linear)", kind);
        return st__rbuf_end(&r);
    }
    if (p > GLM_MAX_P) {
        st__rbuf_fail(&r, "width %llu is above %d", (unsigned long long)p, GLM_MAX_P);
        return st__rbuf_end(&r);
    }
    size_t q = (size_t)p + 1;
    if (!st__rbuf_need(&r, "sums", 2 + 2 * q + tri(q), 8)) return st__rbuf_end(&r);
    st_glm_acc *a;
    rc = st_glm_acc_new(ctx, (st_glm_kind)kind, (size_t)p, NULL, &a);
    if (rc) return rc;
    a->rows = rows;
    st__rbuf_f64(&r, "weight sum", &a->wsum);
    st__rbuf_f64(&r, "loss", &a->loss);
    for (size_t j = 0; j < q; j++) st__rbuf_f64(&r, "coefficient", &a->b[j]);
    for (size_t j = 0; j < q; j++) st__rbuf_f64(&r, "gradient sum", &a->g[j]);
    for (size_t j = 0; j < q; j++)
        for (size_t k = 0; k <= j; k++) st__rbuf_f64(&r, "Hessian sum", &a->h[j * q + k]);
    rc = st__rbuf_end(&r);
    if (rc) {
        st_glm_acc_free(a);
        return rc;
    }
    *out = a;
    return ST_OK;
}

/* ---- fitting ---- */

void st_glm_options_init(st_glm_options *o)
{
    if (!o) return;
    memset(o, 0, sizeof *o);
    o->kind = ST_GLM_LOGISTIC;
    o->C = 1.0;
    o->tol = 1e-8;
    o->max_iter = 100;
}

void st_glm_free(st_glm *m)
{
    if (!m) return;
    st_context *ctx = m->ctx;
    st_design_free(m->design);
    st__free(ctx, m->label, 0);
    st__free(ctx, m->classes[0], 0);
    st__free(ctx, m->classes[1], 0);
    st__free(ctx, m->b, 0);
    st__free(ctx, m, sizeof *m);
}

/* One pass: the fixed chunks of the rows, each summed into its own state, merged in chunk order. */
typedef struct pass_job {
    const st__design_binding *bind;
    const double *y, *w;
    size_t n, chunk;
    st_glm_acc **acc; /* one per chunk */
    double **scratch; /* one block per worker */
    const double ***cols; /* per worker: the block's column pointers */
} pass_job;

static void pass_run(void *ud, size_t job, size_t worker)
{
    pass_job *pj = ud;
    size_t r0 = job * pj->chunk, r1 = r0 + pj->chunk < pj->n ? r0 + pj->chunk : pj->n;
    size_t p = pj->acc[job]->p, ld = p ? p : 1;
    double *x = pj->scratch[worker];
    (void)ld;
    size_t blk = st__design_block_rows(p);
    double *tmp = x + blk * (p ? p : 1);
    const double **cols = pj->cols[worker];
    for (size_t r = r0; r < r1; r += blk) {
        size_t nr = r1 - r < blk ? r1 - r : blk;
        st__design_cols(pj->bind, r, nr, x, nr, cols);
        st__glm_acc_add_cols(pj->acc[job], cols, nr, pj->y + r, pj->w + r, tmp);
    }
}

typedef struct fitter {
    st_context *ctx;
    pass_job pj;
    size_t nchunks, nworkers, q;
    double C;
} fitter;

/* Sums at b into acc[0]; objective, gradient and Hessian (penalised) out. */
static void fit_pass(fitter *ft, const double *b, double *obj, double *g, double *h)
{
    for (size_t c = 0; c < ft->nchunks; c++) st__glm_acc_reset(ft->pj.acc[c], b);
    st__parallel_for_n((int)ft->nworkers, ft->nchunks, pass_run, &ft->pj);
    for (size_t c = 1; c < ft->nchunks; c++) st_glm_acc_merge(ft->pj.acc[0], ft->pj.acc[c]);
    st_glm_acc_finalize(ft->pj.acc[0], ft->C, obj, g, h, NULL, NULL);
}

/* Rank deficiency that rounding hid from the factorisation: a pivot of L L^T that is a tiny fraction of its
** diagonal entry means that column is (nearly) a combination of the earlier ones (an intercept and every
** level of a categorical column, a repeated feature). */
static bool well_conditioned(const double *h, const double *l, size_t q)
{
    for (size_t j = 0; j < q; j++) {
        double piv = l[j * q + j] * l[j * q + j];
        if (!(piv > 1e-11 * h[j * q + j])) return false;
    }
    return true;
}

static double max_abs(const double *v, size_t n)
{
    double m = 0.0;
    for (size_t i = 0; i < n; i++) m = fabs(v[i]) > m ? fabs(v[i]) : m;
    return m;
}

/* The label as y in {0, 1} (logistic) or numbers (linear); classes into m. */
static st_status read_label(st_context *ctx, const st_table *t, const char *source, size_t jl,
                            const unsigned char *mask, st_glm *m, double *y)
{
    size_t n = st_table_nrows(t);
    st_coltype ty = st_table_col_type(t, jl);
    const char *src = st__src(source);
    bool numeric = ty == ST_COL_F64 || ty == ST_COL_DATE || ty == ST_COL_I32;
    const double *f = st_table_f64(t, jl);
    const int32_t *iv = f ? NULL : st_table_i32(t, jl);
    if (m->kind == ST_GLM_LINEAR) {
        if (!numeric) return st__error(ctx, ST_EINVAL, "label %s of %s is not numeric", m->label, src);
        for (size_t i = 0; i < n; i++) {
            double v = f ? f[i] : (iv[i] == INT32_MIN ? (double)NAN : (double)iv[i]);
            y[i] = (!mask || mask[i]) ? v : 0.0;
            if ((!mask || mask[i]) && !isfinite(v))
                return st__error(ctx, ST_EDATA, "%s:%zu: label %s is %s", src, i + 2, m->label,
                                 isnan(v) ? "missing" : "infinite");
        }
        return ST_OK;
    }
    if (numeric) {
        double lv[2];
        size_t nl = 0;
        for (size_t i = 0; i < n; i++) {
            if (mask && !mask[i]) continue;
            double v = f ? f[i] : (iv[i] == INT32_MIN ? (double)NAN : (double)iv[i]);
            if (!isfinite(v))
                return st__error(ctx, ST_EDATA, "%s:%zu: label %s is %s", src, i + 2, m->label,
                                 isnan(v) ? "missing" : "infinite");
            if ((nl > 0 && v == lv[0]) || (nl > 1 && v == lv[1])) continue;
            if (nl == 2)
                return st__error(ctx, ST_EDATA, "%s:%zu: label %s is not binary: a third value %.17g after %.17g and %.17g",
                                 src, i + 2, m->label, v, lv[0], lv[1]);
            lv[nl++] = v;
        }
        if (nl < 2) return st__error(ctx, ST_EDATA, "label %s of %s has a single class", m->label, src);
        if (lv[0] > lv[1]) {
            double tmp = lv[0];
            lv[0] = lv[1];
            lv[1] = tmp;
        }
        for (int k = 0; k < 2; k++) {
            st_buf b;
            st__buf_init(&b, ctx);
            if (!st__buf_put_double(&b, lv[k]) || !(m->classes[k] = st__strndup(ctx, b.data, b.len))) {
                st__buf_free(&b);
                return ST_ENOMEM;
            }
            st__buf_free(&b);
        }
        for (size_t i = 0; i < n; i++) {
            if (mask && !mask[i]) {
                y[i] = 0.0;
                continue;
            }
            double v = f ? f[i] : (double)iv[i];
            y[i] = v == lv[1] ? 1.0 : 0.0;
        }
        return ST_OK;
    }
    const char *lv[2] = {NULL, NULL};
    size_t nl = 0;
    for (size_t i = 0; i < n; i++) {
        if (mask && !mask[i]) continue;
        const char *s = st_table_str(t, jl, i);
        if (!s || !*s) return st__error(ctx, ST_EDATA, "%s:%zu: label %s is missing", src, i + 2, m->label);
        if ((nl > 0 && strcmp(s, lv[0]) == 0) || (nl > 1 && strcmp(s, lv[1]) == 0)) continue;
        if (nl == 2)
            return st__error(ctx, ST_EDATA, "%s:%zu: label %s is not binary: a third value \"%s\" after \"%s\" and \"%s\"",
                             src, i + 2, m->label, s, lv[0], lv[1]);
        lv[nl++] = s;
    }
    if (nl < 2) return st__error(ctx, ST_EDATA, "label %s of %s has a single class", m->label, src);
    if (strcmp(lv[0], lv[1]) > 0) {
        const char *tmp = lv[0];
        lv[0] = lv[1];
        lv[1] = tmp;
    }
    for (int k = 0; k < 2; k++)
        if (!(m->classes[k] = st__strdup(ctx, lv[k]))) return ST_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        if (mask && !mask[i]) {
            y[i] = 0.0;
            continue;
        }
        y[i] = strcmp(st_table_str(t, jl, i), m->classes[1]) == 0 ? 1.0 : 0.0;
    }
    return ST_OK;
}

st_status st_glm_fit(st_context *ctx, const st_table *t, const char *source, const char *label,
                     const char *const *numeric, size_t nnumeric, const char *const *categorical,
                     size_t ncategorical, const st_glm_options *o, st_glm **out)
{
    if (out) *out = NULL;
    if (!ctx) return ST_EINVAL;
    if (!t || !label || !o || !out) return st__error(ctx, ST_EINVAL, "st_glm_fit: NULL argument");
    if (o->kind != ST_GLM_LOGISTIC && o->kind != ST_GLM_LINEAR)
        return st__error(ctx, ST_EINVAL, "glm: unknown model kind %d", (int)o->kind);
    if (!(o->C >= 0.0)) return st__error(ctx, ST_EINVAL, "glm: C must be >= 0 (0 or infinity: no penalty)");
    if (!(o->tol > 0.0)) return st__error(ctx, ST_EINVAL, "glm: tol must be > 0");
    if (o->max_iter < 1) return st__error(ctx, ST_EINVAL, "glm: max_iter must be >= 1");
    const char *src = st__src(source);
    long jl = st_table_find(t, label);
    if (jl < 0) return st__error(ctx, ST_EINVAL, "no label column %s in %s", label, src);
    for (size_t i = 0; i < nnumeric + ncategorical; i++) {
        const char *nm = i < nnumeric ? (numeric ? numeric[i] : NULL) : (categorical ? categorical[i - nnumeric] : NULL);
        if (nm && strcmp(nm, label) == 0) return st__error(ctx, ST_EINVAL, "the label %s is also a feature", label);
    }
    for (size_t i = 0; i < nnumeric + ncategorical; i++) {
        const char *nm = i < nnumeric ? (numeric ? numeric[i] : NULL) : (categorical ? categorical[i - nnumeric] : NULL);
        if (nm && st_table_find(t, nm) < 0) return st__error(ctx, ST_EINVAL, "no column %s in %s", nm, src);
    }
    size_t n = st_table_nrows(t);
    const unsigned char *mask = o->row_mask;
    st_glm *m = st__calloc(ctx, 1, sizeof *m);
    if (!m) return ST_ENOMEM;
    m->ctx = ctx;
    m->kind = o->kind;
    m->C = penalised(o->C) ? o->C : (double)INFINITY;
    m->class_weight_balanced = o->kind == ST_GLM_LOGISTIC && o->class_weight_balanced;
    m->tol = o->tol;
    m->max_iter = o->max_iter;
    m->label = st__strdup(ctx, label);
    double *y = st__malloc(ctx, (n ? n : 1) * sizeof *y), *w = st__malloc(ctx, (n ? n : 1) * sizeof *w);
    st__design_binding bind = {0};
    fitter ft = {0};
    double *g = NULL, *h = NULL, *hc = NULL, *d = NULL, *bn = NULL, *gn = NULL, *hn = NULL;
    st_status rc = !m->label || !y || !w ? ST_ENOMEM : ST_OK;
    if (!rc) rc = read_label(ctx, t, source, (size_t)jl, mask, m, y);
    if (!rc) rc = st_design_new(ctx, t, source, numeric, nnumeric, categorical, ncategorical, o->standardize, mask,
                                &m->design);
    if (!rc) rc = st__design_bind(ctx, m->design, t, source, mask, &bind);
    /* weights: sample weight x class weight, 0 off the mask */
    if (!rc) {
        double cnt[2] = {0.0, 0.0};
        for (size_t i = 0; i < n; i++)
            if (!mask || mask[i]) cnt[y[i] == 1.0] += 1.0;
        double cw[2] = {1.0, 1.0};
        if (m->class_weight_balanced)
            for (int k = 0; k < 2; k++) cw[k] = (cnt[0] + cnt[1]) / (2.0 * cnt[k]);
        m->nobs = cnt[0] + cnt[1];
        for (size_t i = 0; i < n && !rc; i++) {
            double s = o->sample_weight ? o->sample_weight[i] : 1.0;
            if (mask && !mask[i]) {
                w[i] = 0.0;
                continue;
            }
            if (!(s >= 0.0 && isfinite(s)))
                rc = st__error(ctx, ST_EDATA, "%s:%zu: sample weight %g is not a finite number >= 0", src, i + 2, s);
            w[i] = s * (m->kind == ST_GLM_LOGISTIC ? cw[y[i] == 1.0] : 1.0);
        }
    }
    size_t p = m->design ? st_design_ncols(m->design) : 0, q = p + 1;
    if (!rc && p > GLM_MAX_P) rc = st__error(ctx, ST_ELIMIT, "glm: %zu design columns (at most %d)", p, GLM_MAX_P);
    /* fixed chunking: depends on n and p only */
    if (!rc) {
        size_t nch = n / GLM_MIN_CHUNK + 1;
        size_t cap = (size_t)1 << 27; /* bytes of Hessian states at most, when there is a choice */
        size_t per = q * q * sizeof(double);
        size_t lim = per ? cap / per : GLM_MAX_CHUNKS;
        if (lim < 1) lim = 1;
        if (nch > GLM_MAX_CHUNKS) nch = GLM_MAX_CHUNKS;
        if (nch > lim) nch = lim;
        ft.ctx = ctx;
        ft.q = q;
        ft.C = m->C;
        ft.nchunks = nch;
        ft.pj.chunk = (n + nch - 1) / nch;
        if (!ft.pj.chunk) ft.pj.chunk = 1;
        ft.pj.n = n;
        ft.pj.bind = &bind;
        ft.pj.y = y;
        ft.pj.w = w;
        int nt = st_context_threads(ctx);
        ft.nworkers = nt < 1 ? 1 : (size_t)nt;
        if (ft.nworkers > nch) ft.nworkers = nch;
        ft.pj.acc = st__calloc(ctx, nch, sizeof *ft.pj.acc);
        ft.pj.scratch = st__calloc(ctx, ft.nworkers, sizeof *ft.pj.scratch);
        if (!ft.pj.acc || !ft.pj.scratch) rc = ST_ENOMEM;
        for (size_t c = 0; c < nch && !rc; c++) rc = st_glm_acc_new(ctx, m->kind, p, NULL, &ft.pj.acc[c]);
        ft.pj.cols = st__calloc(ctx, ft.nworkers, sizeof *ft.pj.cols);
        if (!ft.pj.cols) rc = ST_ENOMEM;
        for (size_t k = 0; k < ft.nworkers && !rc; k++)
            if (!(ft.pj.cols[k] = st__malloc(ctx, (p ? p : 1) * sizeof **ft.pj.cols))) rc = ST_ENOMEM;
        for (size_t k = 0; k < ft.nworkers && !rc; k++)
            if (!(ft.pj.scratch[k] = st__malloc(ctx, st__design_block_rows(p) * ((p ? p : 1) + 4) * sizeof(double))))
                rc = ST_ENOMEM;
    }
    if (!rc) {
        m->b = st__calloc(ctx, q, sizeof *m->b);
        g = st__malloc(ctx, q * sizeof *g);
        gn = st__malloc(ctx, q * sizeof *gn);
        d = st__malloc(ctx, q * sizeof *d);
        bn = st__malloc(ctx, q * sizeof *bn);
        h = st__malloc(ctx, q * q * sizeof *h);
        hn = st__malloc(ctx, q * q * sizeof *hn);
        hc = st__malloc(ctx, q * q * sizeof *hc);
        if (!m->b || !g || !gn || !d || !bn || !h || !hn || !hc) rc = ST_ENOMEM;
    }
    if (!rc) {
        /* start at the intercept-only optimum of the logistic loss: log of the weighted class odds */
        if (m->kind == ST_GLM_LOGISTIC) {
            double s1 = 0.0, s0 = 0.0;
            for (size_t i = 0; i < n; i++) {
                s1 += w[i] * y[i];
                s0 += w[i] * (1.0 - y[i]);
            }
            if (s1 > 0.0 && s0 > 0.0) m->b[0] = log(s1 / s0);
        }
        double obj;
        fit_pass(&ft, m->b, &obj, g, h);
        double gmax = max_abs(g, q);
        int it = 0;
        bool conv = gmax < m->tol;
        while (!conv && it < m->max_iter && !rc) {
            memcpy(hc, h, q * q * sizeof *h);
            if (st__chol(hc, q, q) != 0 || !well_conditioned(h, hc, q)) {
                rc = st__error(ctx, ST_EDATA,
                               "glm: the Hessian is singular at step %d: %s", it + 1,
                               penalised(m->C) ? "a feature is constant zero or the weights vanish"
                               : m->kind == ST_GLM_LOGISTIC
                                   ? "without a penalty the classes are separable or features collinear, such as "
                                     "every level of a categorical column beside the intercept (give --C, or drop a "
                                     "feature)"
                                   : "without a penalty the features are collinear, such as every level of a "
                                     "categorical column beside the intercept (give --C, or drop a feature)");
                break;
            }
            for (size_t j = 0; j < q; j++) d[j] = -g[j];
            st__chol_solve(hc, q, q, d);
            double gd = 0.0;
            for (size_t j = 0; j < q; j++) gd += g[j] * d[j];
            double step = 1.0, objn = obj, gmaxn = gmax, floor_dec = 1e-12 * (fabs(obj) > 1.0 ? fabs(obj) : 1.0);
            bool ok = false;
            for (int half = 0; half < 40; half++) {
                for (size_t j = 0; j < q; j++) bn[j] = m->b[j] + step * d[j];
                fit_pass(&ft, bn, &objn, gn, hn);
                gmaxn = max_abs(gn, q);
                if (isfinite(objn) && (objn < obj + 1e-4 * step * gd ||
                                       (objn <= obj + 1e-13 * fabs(obj) && gmaxn < gmax))) {
                    ok = true;
                    break;
                }
                if (-gd <= floor_dec) break; /* below rounding: shorter steps cannot help */
                step *= 0.5;
            }
            it++;
            if (!ok) {
                /* no step decreases the objective: when Newton's predicted decrease g'H^-1 g is below the
                ** objective's rounding too, this is the optimum and rounding of the gradient's sums (features
                ** of large magnitude) keeps max |g| above tol */
                m->rounding_floor = -gd <= floor_dec;
                conv = m->rounding_floor;
                break;
            }
            memcpy(m->b, bn, q * sizeof *bn);
            memcpy(g, gn, q * sizeof *g);
            double *tmp = h;
            h = hn;
            hn = tmp;
            obj = objn;
            gmax = gmaxn;
            conv = gmax < m->tol;
            if (!rc) rc = st__progress(ctx, "classify fit", (double)it / (double)m->max_iter);
        }
        m->iterations = it;
        m->objective = obj;
        m->gradient_max = gmax;
        m->converged = conv;
        /* complete separation: without a penalty the loss can reach 0 only as the coefficients run off to
        ** infinity, and Newton's steps then shrink the gradient without bound */
        double wsum = ft.pj.acc[0]->wsum;
        if (!rc && m->kind == ST_GLM_LOGISTIC && !penalised(m->C) && ft.pj.acc[0]->loss <= 1e-6 * wsum)
            rc = st__error(ctx, ST_EDATA, "glm: the classes are separable by the features: without a penalty the "
                                          "coefficients have no finite optimum (give --C)");
        if (!rc && !conv)
            rc = st__error(ctx, ST_ECONVERGE,
                           "glm: no convergence after %d Newton steps (max |gradient| %.3g, tolerance %.3g)", it, gmax,
                           m->tol);
    }
    for (size_t c = 0; c < ft.nchunks && ft.pj.acc; c++) st_glm_acc_free(ft.pj.acc[c]);
    for (size_t k = 0; k < ft.nworkers && ft.pj.scratch; k++) st__free(ctx, ft.pj.scratch[k], 0);
    for (size_t k = 0; k < ft.nworkers && ft.pj.cols; k++) st__free(ctx, (void *)ft.pj.cols[k], 0);
    st__free(ctx, ft.pj.cols, 0);
    st__free(ctx, ft.pj.acc, 0);
    st__free(ctx, ft.pj.scratch, 0);
    st__design_unbind(ctx, &bind);
    st__free(ctx, y, 0);
    st__free(ctx, w, 0);
    st__free(ctx, g, 0);
    st__free(ctx, gn, 0);
    st__free(ctx, d, 0);
    st__free(ctx, bn, 0);
    st__free(ctx, h, 0);
    st__free(ctx, hn, 0);
    st__free(ctx, hc, 0);
    if (rc && !(rc == ST_ECONVERGE && m->b && m->design)) {
        st_glm_free(m);
        return rc;
    }
    *out = m;
    return rc;
}

/* ---- accessors and prediction ---- */

st_glm_kind st_glm_kind_of(const st_glm *m) { return m ? m->kind : ST_GLM_LOGISTIC; }
const st_design *st_glm_design(const st_glm *m) { return m ? m->design : NULL; }
const char *st_glm_label(const st_glm *m) { return m ? m->label : NULL; }
const char *st_glm_class(const st_glm *m, size_t k)
{
    return m && m->kind == ST_GLM_LOGISTIC && k < 2 ? m->classes[k] : NULL;
}
double st_glm_intercept(const st_glm *m) { return m ? m->b[0] : (double)NAN; }
double st_glm_coef(const st_glm *m, size_t k)
{
    return m && k < st_design_ncols(m->design) ? m->b[k + 1] : (double)NAN;
}
double st_glm_C(const st_glm *m) { return m ? m->C : (double)NAN; }
int st_glm_iterations(const st_glm *m) { return m ? m->iterations : 0; }
double st_glm_gradient_max(const st_glm *m) { return m ? m->gradient_max : (double)NAN; }
double st_glm_objective(const st_glm *m) { return m ? m->objective : (double)NAN; }
double st_glm_nobs(const st_glm *m) { return m ? m->nobs : 0.0; }
int st_glm_converged(const st_glm *m) { return m ? m->converged : 0; }

typedef struct pred_job {
    const st_glm *m;
    const st__design_binding *bind;
    double *score;
    size_t n;
    double **scratch;
} pred_job;

static void pred_run(void *ud, size_t job, size_t worker)
{
    pred_job *pj = ud;
    size_t p = st_design_ncols(pj->m->design), ld = p ? p : 1;
    size_t r0 = job * ST__DESIGN_BLOCK, r1 = pj->n - r0 < ST__DESIGN_BLOCK ? pj->n : r0 + ST__DESIGN_BLOCK;
    size_t blk = st__design_block_rows(p);
    double *x = pj->scratch[worker];
    const double *b = pj->m->b;
    for (size_t r = r0; r < r1; r += blk) {
        size_t nr = r1 - r < blk ? r1 - r : blk;
        st__design_fill(pj->bind, r, nr, x, ld);
        for (size_t i = 0; i < nr; i++) {
            double f = b[0];
            for (size_t j = 0; j < p; j++) f += x[i * ld + j] * b[j + 1];
            pj->score[r + i] = pj->m->kind == ST_GLM_LOGISTIC ? 1.0 / (1.0 + exp(-f)) : f;
        }
    }
}

st_status st_glm_predict(st_context *ctx, const st_glm *m, const st_table *t, const char *source, double *score)
{
    if (!ctx) return ST_EINVAL;
    if (!m || !t || !score) return st__error(ctx, ST_EINVAL, "st_glm_predict: NULL argument");
    st__design_binding bind;
    st_status rc = st__design_bind(ctx, m->design, t, source, NULL, &bind);
    if (rc) return rc;
    size_t n = st_table_nrows(t), p = st_design_ncols(m->design);
    size_t njobs = (n + ST__DESIGN_BLOCK - 1) / ST__DESIGN_BLOCK;
    int nt = st_context_threads(ctx);
    size_t nw = nt < 1 ? 1 : (size_t)nt;
    if (nw > njobs) nw = njobs ? njobs : 1;
    pred_job pj = {m, &bind, score, n, NULL};
    pj.scratch = st__calloc(ctx, nw, sizeof *pj.scratch);
    if (!pj.scratch) rc = ST_ENOMEM;
    for (size_t k = 0; k < nw && !rc; k++)
        if (!(pj.scratch[k] = st__malloc(ctx, st__design_block_rows(p) * (p ? p : 1) * sizeof(double)))) rc = ST_ENOMEM;
    if (!rc) st__parallel_for_n((int)nw, njobs, pred_run, &pj);
    for (size_t k = 0; k < nw && pj.scratch; k++) st__free(ctx, pj.scratch[k], 0);
    st__free(ctx, pj.scratch, 0);
    st__design_unbind(ctx, &bind);
    return rc;
}
