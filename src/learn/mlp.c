/*
** mlp.c -- dense feed-forward networks: architecture and initialisation, the forward pass (prediction and
** training) and the backward pass. Matrix products are written in axpy form (a row of the output gains a
** multiple of a row of weights), which vectorises without reassociating sums: every value is summed in
** the same order whatever the batch split, so results do not depend on batch sizes or thread counts.
*/
#include "learn/mlp_internal.h"
#include "core/parallel.h"
#include "core/rng.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define PREDICT_BLOCK 256
#define PREDICT_PARALLEL_WORK 2000000.0 /* rows x parameters below which one thread predicts */

const char *st__mlp_act_name(st_activation a)
{
    switch (a) {
    case ST_ACT_IDENTITY: return "identity";
    case ST_ACT_RELU: return "relu";
    case ST_ACT_TANH: return "tanh";
    case ST_ACT_SIGMOID: return "sigmoid";
    }
    return "?";
}

const char *st__mlp_output_name(st_mlp_output o)
{
    switch (o) {
    case ST_MLP_OUT_IDENTITY: return "identity";
    case ST_MLP_OUT_SIGMOID: return "sigmoid";
    case ST_MLP_OUT_SOFTMAX: return "softmax";
    }
    return "?";
}

static void ws_free(st_mlp *m)
{
    st_context *ctx = m->ctx;
    st__free(ctx, m->ws_x, 0);
    st__free(ctx, m->ws_act, 0);
    st__free(ctx, m->ws_logit, 0);
    st__free(ctx, m->ws_d1, 0);
    st__free(ctx, m->ws_d2, 0);
    m->ws_x = m->ws_act = m->ws_logit = m->ws_d1 = m->ws_d2 = NULL;
    m->ws_rows = m->fw_rows = 0;
}

void st_mlp_free(st_mlp *m)
{
    if (!m) return;
    st_context *ctx = m->ctx;
    ws_free(m);
    st__free(ctx, m->ws_wt, 0);
    st__free(ctx, m->sizes, 0);
    st__free(ctx, m->act, 0);
    st__free(ctx, m->woff, 0);
    st__free(ctx, m->boff, 0);
    st__free(ctx, m->act_off, 0);
    st__free(ctx, m->params, 0);
    st__free(ctx, m->transform, 0);
    st__free(ctx, m, sizeof *m);
}

st_status st__mlp_alloc(st_context *ctx, const size_t *sizes, size_t nsizes, const st_activation *hidden,
                        st_mlp_output output, st_mlp **out)
{
    if (!sizes || !out) return st__error(ctx, ST_EINVAL, "mlp: NULL sizes or out");
    if (nsizes < 2 || nsizes > ST_MLP_MAX_LAYERS + 1)
        return st__error(ctx, ST_EINVAL, "mlp: %zu layer sizes (2 .. %u: inputs, hidden ..., outputs)", nsizes,
                         ST_MLP_MAX_LAYERS + 1);
    size_t L = nsizes - 1;
    if (L > 1 && !hidden) return st__error(ctx, ST_EINVAL, "mlp: %zu hidden layers and no activations", L - 1);
    if ((unsigned)output > ST_MLP_OUT_SOFTMAX) return st__error(ctx, ST_EINVAL, "mlp: unknown output kind %d", (int)output);
    size_t np = 0, wmax = 0, wt = 0;
    for (size_t i = 0; i < nsizes; i++) {
        if (sizes[i] == 0 || sizes[i] > ST_MLP_MAX_WIDTH)
            return st__error(ctx, ST_EINVAL, "mlp: layer size %zu is %zu (1 .. %u)", i, sizes[i], ST_MLP_MAX_WIDTH);
        if (sizes[i] > wmax) wmax = sizes[i];
    }
    for (size_t l = 0; l < L; l++) {
        if (l + 1 < L && (unsigned)hidden[l] > ST_ACT_SIGMOID)
            return st__error(ctx, ST_EINVAL, "mlp: unknown activation %d for hidden layer %zu", (int)hidden[l], l);
        size_t w = sizes[l] * sizes[l + 1]; /* both <= 65536: no overflow */
        if (w > wt) wt = w;
        np += w + sizes[l + 1];
        if (np > ST_MLP_MAX_PARAMS)
            return st__error(ctx, ST_EINVAL, "mlp: more than %u parameters", ST_MLP_MAX_PARAMS);
    }
    if (output == ST_MLP_OUT_SOFTMAX && sizes[L] < 2)
        return st__error(ctx, ST_EINVAL, "mlp: a softmax output needs at least 2 outputs, not %zu", sizes[L]);

    st_mlp *m = st__calloc(ctx, 1, sizeof *m);
    if (!m) return ST_ENOMEM;
    m->ctx = ctx;
    m->L = L;
    m->output = output;
    m->nparams = np;
    m->maxwidth = wmax;
    m->ws_wt_len = wt;
    m->sizes = st__calloc(ctx, nsizes, sizeof *m->sizes);
    m->act = st__calloc(ctx, L, sizeof *m->act);
    m->woff = st__calloc(ctx, L, sizeof *m->woff);
    m->boff = st__calloc(ctx, L, sizeof *m->boff);
    m->act_off = st__calloc(ctx, L, sizeof *m->act_off);
    m->params = st__calloc(ctx, np, sizeof *m->params);
    m->ws_wt = st__calloc(ctx, wt, sizeof *m->ws_wt);
    if (!m->sizes || !m->act || !m->woff || !m->boff || !m->act_off || !m->params || !m->ws_wt) {
        st_mlp_free(m);
        return ST_ENOMEM;
    }
    memcpy(m->sizes, sizes, nsizes * sizeof *sizes);
    size_t off = 0, aoff = 0;
    for (size_t l = 0; l < L; l++) {
        m->act[l] = l + 1 < L ? hidden[l] : ST_ACT_IDENTITY;
        m->woff[l] = off;
        off += sizes[l] * sizes[l + 1];
        m->boff[l] = off;
        off += sizes[l + 1];
        m->act_off[l] = aoff;
        aoff += sizes[l + 1];
    }
    *out = m;
    return ST_OK;
}

st_status st_mlp_new(st_context *ctx, const size_t *sizes, size_t nsizes, const st_activation *hidden,
                     st_mlp_output output, st_mlp_init init, uint64_t seed, st_mlp **out)
{
    if (out) *out = NULL;
    if ((unsigned)init > ST_MLP_INIT_XAVIER) return st__error(ctx, ST_EINVAL, "mlp: unknown init %d", (int)init);
    st_mlp *m;
    st_status rc = st__mlp_alloc(ctx, sizes, nsizes, hidden, output, &m);
    if (rc) return rc;
    st_rng g;
    st__rng_seed(&g, seed);
    for (size_t l = 0; l < m->L; l++) {
        size_t in = m->sizes[l], nout = m->sizes[l + 1];
        bool he = init == ST_MLP_INIT_HE || (init == ST_MLP_INIT_AUTO && l + 1 < m->L && m->act[l] == ST_ACT_RELU);
        double *W = m->params + m->woff[l];
        if (he) {
            double sd = sqrt(2.0 / (double)in);
            for (size_t k = 0; k < in * nout; k++) W[k] = sd * st__rng_normal(&g);
        } else {
            double bound = sqrt(6.0 / (double)(in + nout));
            for (size_t k = 0; k < in * nout; k++) W[k] = bound * (2.0 * st__rng_uniform(&g) - 1.0);
        }
    }
    *out = m;
    return ST_OK;
}

st_status st_mlp_copy(st_context *ctx, const st_mlp *m, st_mlp **out)
{
    if (out) *out = NULL;
    if (!m || !out) return st__error(ctx, ST_EINVAL, "mlp copy: NULL network or out");
    st_mlp *c;
    st_status rc = st__mlp_alloc(ctx, m->sizes, m->L + 1, m->act, m->output, &c);
    if (rc) return rc;
    memcpy(c->params, m->params, m->nparams * sizeof *m->params);
    if (m->transform) {
        c->transform = st__strndup(ctx, m->transform, m->transform_len);
        if (!c->transform) {
            st_mlp_free(c);
            return ST_ENOMEM;
        }
        c->transform_len = m->transform_len;
    }
    *out = c;
    return ST_OK;
}

static bool same_shape(const st_mlp *a, const st_mlp *b)
{
    if (a->L != b->L || a->output != b->output) return false;
    for (size_t i = 0; i <= a->L; i++)
        if (a->sizes[i] != b->sizes[i]) return false;
    for (size_t l = 0; l + 1 < a->L; l++)
        if (a->act[l] != b->act[l]) return false;
    return true;
}

st_status st_mlp_blend(st_context *ctx, st_mlp *dst, const st_mlp *src, double tau)
{
    if (!dst || !src) return st__error(ctx, ST_EINVAL, "mlp blend: NULL network");
    if (!(tau >= 0.0 && tau <= 1.0)) return st__error(ctx, ST_EINVAL, "mlp blend: tau %g is not in [0, 1]", tau);
    if (!same_shape(dst, src)) return st__error(ctx, ST_EINVAL, "mlp blend: the two networks differ in architecture");
    double *d = dst->params;
    const double *s = src->params;
    if (tau == 1.0) memcpy(d, s, dst->nparams * sizeof *d);
    else
        for (size_t i = 0; i < dst->nparams; i++) d[i] = tau * s[i] + (1.0 - tau) * d[i];
    return ST_OK;
}

size_t st_mlp_nlayers(const st_mlp *m) { return m ? m->L : 0; }
size_t st_mlp_size(const st_mlp *m, size_t i) { return m && i <= m->L ? m->sizes[i] : 0; }
size_t st_mlp_ninputs(const st_mlp *m) { return m ? m->sizes[0] : 0; }
size_t st_mlp_noutputs(const st_mlp *m) { return m ? m->sizes[m->L] : 0; }
size_t st_mlp_nparams(const st_mlp *m) { return m ? m->nparams : 0; }
st_activation st_mlp_activation(const st_mlp *m, size_t l) { return m && l + 1 < m->L ? m->act[l] : ST_ACT_IDENTITY; }
st_mlp_output st_mlp_output_kind(const st_mlp *m) { return m ? m->output : ST_MLP_OUT_IDENTITY; }
double *st_mlp_params(st_mlp *m) { return m ? m->params : NULL; }

/* ---- kernels ---- */

static void transpose(const double *W, size_t nout, size_t in, double *Wt)
{
    for (size_t j = 0; j < nout; j++)
        for (size_t k = 0; k < in; k++) Wt[k * nout + j] = W[j * in + k];
}

/* The one matrix product of the network: C (m x n, row stride ldc) = init + sum over p = 0 .. k-1, in that
** order, of A(r, p) B(p, c), with A(r, p) = A[r * ars + p * aps] (so A may be read transposed), B(p, c) =
** B[p * ldb + c] and init = bias[c] (bias not NULL) or 0. Tiles of 4 x 4 results stay in registers while p
** runs; edge rows and columns take the same sum in the same order, so every entry is bit-identical
** whatever the tile it falls in (and so whatever the batch split). */
#if defined(__GNUC__) || defined(__clang__)
/* Four doubles side by side: a row of a tile. Lane-wise mul and add round exactly as the scalar code does
** (ISO C mode: no contraction into fused multiply-adds), so the vector, scalar and AVX2 builds give the same
** bits; without AVX the compiler splits each operation into two SSE2 ones. */
typedef double st__v4d __attribute__((vector_size(32)));
/* unaligned loads and stores; macros, since passing an AVX vector by value changes the ABI */
#define V4_LOAD(v, p) __builtin_memcpy(&(v), (p), sizeof(st__v4d))
#define V4_STORE(p, v) __builtin_memcpy((p), &(v), sizeof(st__v4d))
#define ST__HAVE_V4D 1
#endif

/* The product is also built for AVX2 and picked at run time (GCC on x86-64 Linux), with the same bits. */
#if defined(__GNUC__) && defined(__x86_64__) && !defined(__clang__) && defined(__linux__)
#define ST__MLP_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define ST__MLP_CLONES
#endif

ST__MLP_CLONES
static void gemm_acc(size_t m, size_t n, size_t k, const double *A, size_t ars, size_t aps, const double *B,
                     size_t ldb, const double *bias, double *C, size_t ldc)
{
    size_t r = 0;
    for (; r + 4 <= m; r += 4) {
        const double *a0 = A + r * ars, *a1 = a0 + ars, *a2 = a1 + ars, *a3 = a2 + ars;
        size_t c = 0;
#ifdef ST__HAVE_V4D
        for (; c + 4 <= n; c += 4) {
            st__v4d x0 = {0.0, 0.0, 0.0, 0.0}, b;
            if (bias) V4_LOAD(x0, bias + c);
            st__v4d x1 = x0, x2 = x0, x3 = x0;
            for (size_t p = 0; p < k; p++) {
                V4_LOAD(b, B + p * ldb + c);
                double e0 = a0[p * aps], e1 = a1[p * aps], e2 = a2[p * aps], e3 = a3[p * aps];
                st__v4d f0 = {e0, e0, e0, e0}, f1 = {e1, e1, e1, e1}, f2 = {e2, e2, e2, e2}, f3 = {e3, e3, e3, e3};
                x0 += f0 * b;
                x1 += f1 * b;
                x2 += f2 * b;
                x3 += f3 * b;
            }
            V4_STORE(C + r * ldc + c, x0);
            V4_STORE(C + (r + 1) * ldc + c, x1);
            V4_STORE(C + (r + 2) * ldc + c, x2);
            V4_STORE(C + (r + 3) * ldc + c, x3);
        }
#endif
        for (; c < n; c++) {
            double x0 = bias ? bias[c] : 0.0, x1 = x0, x2 = x0, x3 = x0;
            for (size_t p = 0; p < k; p++) {
                double b = B[p * ldb + c];
                x0 += a0[p * aps] * b;
                x1 += a1[p * aps] * b;
                x2 += a2[p * aps] * b;
                x3 += a3[p * aps] * b;
            }
            C[r * ldc + c] = x0;
            C[(r + 1) * ldc + c] = x1;
            C[(r + 2) * ldc + c] = x2;
            C[(r + 3) * ldc + c] = x3;
        }
    }
    for (; r < m; r++) {
        const double *a0 = A + r * ars;
        size_t c = 0;
#ifdef ST__HAVE_V4D
        for (; c + 4 <= n; c += 4) {
            st__v4d x0 = {0.0, 0.0, 0.0, 0.0}, b;
            if (bias) V4_LOAD(x0, bias + c);
            for (size_t p = 0; p < k; p++) {
                double e0 = a0[p * aps];
                st__v4d f0 = {e0, e0, e0, e0};
                V4_LOAD(b, B + p * ldb + c);
                x0 += f0 * b;
            }
            V4_STORE(C + r * ldc + c, x0);
        }
#endif
        for (; c < n; c++) {
            double x0 = bias ? bias[c] : 0.0;
            for (size_t p = 0; p < k; p++) x0 += a0[p * aps] * B[p * ldb + c];
            C[r * ldc + c] = x0;
        }
    }
}

/* z (n x nout) = a (n x in) W^T + b, from Wt = W^T (in x nout). */
static void dense_forward(const double *a, size_t n, size_t in, size_t nout, const double *Wt, const double *b,
                          double *z)
{
    gemm_acc(n, nout, in, a, in, 1, Wt, nout, b, z, nout);
}

static inline double sigmoid(double z)
{
    if (z >= 0.0) return 1.0 / (1.0 + exp(-z));
    double e = exp(z);
    return e / (1.0 + e);
}

static void activate(st_activation act, double *z, size_t len)
{
    switch (act) {
    case ST_ACT_IDENTITY: break;
    case ST_ACT_RELU:
        for (size_t i = 0; i < len; i++) z[i] = z[i] > 0.0 ? z[i] : 0.0;
        break;
    case ST_ACT_TANH:
        for (size_t i = 0; i < len; i++) z[i] = tanh(z[i]);
        break;
    case ST_ACT_SIGMOID:
        for (size_t i = 0; i < len; i++) z[i] = sigmoid(z[i]);
        break;
    }
}

/* The output function of n rows of logits into out. */
static void output_fn(st_mlp_output o, const double *z, size_t n, size_t k, double *out)
{
    switch (o) {
    case ST_MLP_OUT_IDENTITY:
        if (out != z) memcpy(out, z, n * k * sizeof *z);
        break;
    case ST_MLP_OUT_SIGMOID:
        for (size_t i = 0; i < n * k; i++) out[i] = sigmoid(z[i]);
        break;
    case ST_MLP_OUT_SOFTMAX:
        for (size_t i = 0; i < n; i++) {
            const double *zi = z + i * k;
            double *oi = out + i * k, mx = zi[0], s = 0.0;
            for (size_t j = 1; j < k; j++)
                if (zi[j] > mx) mx = zi[j];
            for (size_t j = 0; j < k; j++) s += (oi[j] = exp(zi[j] - mx));
            for (size_t j = 0; j < k; j++) oi[j] /= s;
        }
        break;
    }
}

st_status st__mlp_scratch_new(st_context *ctx, const st_mlp *m, size_t rows, st__mlp_scratch *s)
{
    s->a = st__calloc(ctx, rows, m->maxwidth * sizeof(double)); /* maxwidth <= 65536: no overflow */
    s->b = st__calloc(ctx, rows, m->maxwidth * sizeof(double));
    s->wt = st__calloc(ctx, m->ws_wt_len, sizeof(double));
    if (!s->a || !s->b || !s->wt) {
        st__mlp_scratch_free(ctx, m, rows, s);
        return ST_ENOMEM;
    }
    return ST_OK;
}

void st__mlp_scratch_free(st_context *ctx, const st_mlp *m, size_t rows, st__mlp_scratch *s)
{
    (void)m;
    (void)rows;
    st__free(ctx, s->a, 0);
    st__free(ctx, s->b, 0);
    st__free(ctx, s->wt, 0);
    s->a = s->b = s->wt = NULL;
}

void st__mlp_forward_rows(const st_mlp *m, const double *x, size_t n, st__mlp_scratch *s, double *logits,
                          double *out)
{
    const double *in = x;
    for (size_t l = 0; l < m->L; l++) {
        size_t ni = m->sizes[l], no = m->sizes[l + 1];
        double *z = l + 1 == m->L ? logits : (l % 2 == 0 ? s->a : s->b);
        transpose(m->params + m->woff[l], no, ni, s->wt);
        dense_forward(in, n, ni, no, s->wt, m->params + m->boff[l], z);
        if (l + 1 < m->L) activate(m->act[l], z, n * no);
        in = z;
    }
    if (out) output_fn(m->output, logits, n, m->sizes[m->L], out);
}

st_status st__mlp_check_x(st_context *ctx, const st_mlp *m, const double *x, size_t n)
{
    size_t d = m->sizes[0], nx = n * d, j = 0;
    /* x * 0 is 0 for a finite x and NaN otherwise: four independent sums, so the scan vectorises; the
    ** loop below finds the row only when one is not finite */
    double a0 = 0.0, a1 = 0.0, a2 = 0.0, a3 = 0.0;
    for (; j + 4 <= nx; j += 4) {
        a0 += x[j] * 0.0;
        a1 += x[j + 1] * 0.0;
        a2 += x[j + 2] * 0.0;
        a3 += x[j + 3] * 0.0;
    }
    for (; j < nx; j++) a0 += x[j] * 0.0;
    if (a0 + a1 + a2 + a3 == 0.0) return ST_OK;
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < d; k++)
            if (!isfinite(x[i * d + k]))
                return st__error(ctx, ST_EDATA, "mlp: input row %zu, column %zu is %g (inputs must be finite)", i,
                                 k, x[i * d + k]);
    return ST_OK;
}

/* ---- prediction ---- */

typedef struct predict_job {
    const st_mlp *m;
    const double *x;
    size_t n;
    double *out;
    st__mlp_scratch *scratch; /* one per worker */
    double **logits;          /* one per worker */
} predict_job;

static void predict_block(void *ud, size_t job, size_t worker)
{
    predict_job *p = ud;
    size_t r0 = job * PREDICT_BLOCK, nr = p->n - r0 < PREDICT_BLOCK ? p->n - r0 : PREDICT_BLOCK;
    size_t k = p->m->sizes[p->m->L];
    st__mlp_forward_rows(p->m, p->x + r0 * p->m->sizes[0], nr, &p->scratch[worker], p->logits[worker],
                         p->out + r0 * k);
}

st_status st_mlp_predict(st_context *ctx, const st_mlp *m, const double *x, size_t n, double *out)
{
    if (n == 0) return ST_OK;
    if (!m || !x || !out) return st__error(ctx, ST_EINVAL, "mlp predict: NULL network, input or output");
    st_status rc = st__mlp_check_x(ctx, m, x, n);
    if (rc) return rc;
    size_t njobs = (n + PREDICT_BLOCK - 1) / PREDICT_BLOCK;
    int nw = st_context_threads(ctx);
    if ((double)n * (double)m->nparams < PREDICT_PARALLEL_WORK) nw = 1;
    if ((size_t)nw > njobs) nw = (int)njobs;
    if (nw > ST__PARALLEL_MAX_WORKERS) nw = ST__PARALLEL_MAX_WORKERS;
    size_t rows = n < PREDICT_BLOCK ? n : PREDICT_BLOCK;
    st__mlp_scratch sc[ST__PARALLEL_MAX_WORKERS];
    double *lg[ST__PARALLEL_MAX_WORKERS];
    int made = 0;
    for (; made < nw; made++) {
        lg[made] = st__calloc(ctx, rows, m->sizes[m->L] * sizeof(double));
        if (!lg[made]) break;
        if (st__mlp_scratch_new(ctx, m, rows, &sc[made])) {
            st__free(ctx, lg[made], 0);
            break;
        }
    }
    if (made == nw) {
        predict_job p = {m, x, n, out, sc, lg};
        st__parallel_for_n(nw, njobs, predict_block, &p);
    } else
        rc = ST_ENOMEM;
    for (int w = 0; w < made; w++) {
        st__mlp_scratch_free(ctx, m, rows, &sc[w]);
        st__free(ctx, lg[w], 0);
    }
    return rc;
}

/* ---- training passes ---- */

st_status st__mlp_relay(st_context *ctx, const st_mlp *m, st_status rc)
{
    if (ctx != m->ctx) {
        char msg[ST_ERRMSG_CAP];
        snprintf(msg, sizeof msg, "%s", st_errmsg(m->ctx));
        st__error(ctx, rc, "%s", msg);
    }
    return rc;
}

st_status st__mlp_reserve(st_mlp *m, size_t rows)
{
    if (rows <= m->ws_rows) return ST_OK;
    st_context *ctx = m->ctx;
    size_t sum = 0;
    for (size_t l = 0; l < m->L; l++) sum += m->sizes[l + 1]; /* <= 64 * 65536 */
    ws_free(m);
    m->ws_x = st__calloc(ctx, rows, m->sizes[0] * sizeof(double));
    m->ws_act = st__calloc(ctx, rows, sum * sizeof(double));
    m->ws_logit = st__calloc(ctx, rows, m->sizes[m->L] * sizeof(double));
    m->ws_d1 = st__calloc(ctx, rows, m->maxwidth * sizeof(double));
    m->ws_d2 = st__calloc(ctx, rows, m->maxwidth * sizeof(double));
    if (!m->ws_x || !m->ws_act || !m->ws_logit || !m->ws_d1 || !m->ws_d2) {
        ws_free(m);
        return ST_ENOMEM;
    }
    m->ws_rows = rows;
    return ST_OK;
}

static double *layer_act(const st_mlp *m, size_t l) { return m->ws_act + m->act_off[l] * m->ws_rows; }

void st__mlp_train_forward(st_mlp *m, const double *x, size_t n)
{
    if (x != m->ws_x) memcpy(m->ws_x, x, n * m->sizes[0] * sizeof *x);
    const double *in = m->ws_x;
    for (size_t l = 0; l < m->L; l++) {
        size_t ni = m->sizes[l], no = m->sizes[l + 1];
        double *z = l + 1 == m->L ? m->ws_logit : layer_act(m, l);
        transpose(m->params + m->woff[l], no, ni, m->ws_wt);
        dense_forward(in, n, ni, no, m->ws_wt, m->params + m->boff[l], z);
        if (l + 1 < m->L) activate(m->act[l], z, n * no);
        in = z;
    }
    output_fn(m->output, m->ws_logit, n, m->sizes[m->L], layer_act(m, m->L - 1));
    m->fw_rows = n;
}

/* dW (nout x in) = dz^T a and db = column sums of dz, each summed over the rows in order. */
static void dense_grad(const double *a, const double *dz, size_t n, size_t in, size_t nout, double *dW, double *db)
{
    gemm_acc(nout, in, n, dz, 1, nout, a, in, NULL, dW, in);
    for (size_t j = 0; j < nout; j++) db[j] = 0.0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < nout; j++) db[j] += dz[i * nout + j];
}

/* da (n x in) = dz W, W nout x in. */
static void dense_back(const double *dz, const double *W, size_t n, size_t in, size_t nout, double *da)
{
    gemm_acc(n, in, nout, dz, nout, 1, W, in, NULL, da, in);
}

/* Multiplies da by the derivative of the activation, given its output h. */
static void act_back(st_activation act, const double *h, double *da, size_t len)
{
    switch (act) {
    case ST_ACT_IDENTITY: break;
    case ST_ACT_RELU:
        for (size_t i = 0; i < len; i++) da[i] = h[i] > 0.0 ? da[i] : 0.0;
        break;
    case ST_ACT_TANH:
        for (size_t i = 0; i < len; i++) da[i] *= 1.0 - h[i] * h[i];
        break;
    case ST_ACT_SIGMOID:
        for (size_t i = 0; i < len; i++) da[i] *= h[i] * (1.0 - h[i]);
        break;
    }
}

void st__mlp_train_backward(st_mlp *m, const double *dz, double *grad)
{
    size_t n = m->fw_rows;
    const double *d = dz;
    for (size_t l = m->L; l-- > 0;) {
        size_t ni = m->sizes[l], no = m->sizes[l + 1];
        const double *a = l == 0 ? m->ws_x : layer_act(m, l - 1);
        dense_grad(a, d, n, ni, no, grad + m->woff[l], grad + m->boff[l]);
        if (l == 0) break;
        double *da = d == m->ws_d1 ? m->ws_d2 : m->ws_d1;
        dense_back(d, m->params + m->woff[l], n, ni, no, da);
        act_back(m->act[l - 1], a, da, n * ni);
        d = da;
    }
}

st_status st_mlp_forward(st_context *ctx, st_mlp *m, const double *x, size_t n, double *out)
{
    if (!m || !x || n == 0) return st__error(ctx, ST_EINVAL, "mlp forward: NULL network or input, or no rows");
    st_status rc = st__mlp_check_x(ctx, m, x, n);
    if (rc) return rc;
    m->fw_rows = 0;
    if ((rc = st__mlp_reserve(m, n))) return st__mlp_relay(ctx, m, rc);
    st__mlp_train_forward(m, x, n);
    if (out) memcpy(out, layer_act(m, m->L - 1), n * m->sizes[m->L] * sizeof *out);
    return ST_OK;
}

st_status st_mlp_backward(st_context *ctx, st_mlp *m, const double *dz, double *grad)
{
    if (!m || !dz || !grad) return st__error(ctx, ST_EINVAL, "mlp backward: NULL network, dz or grad");
    if (m->fw_rows == 0) return st__error(ctx, ST_EINVAL, "mlp backward: no forward pass to go back through");
    st__mlp_train_backward(m, dz, grad);
    return ST_OK;
}
