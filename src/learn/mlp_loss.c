/*
** mlp_loss.c -- the losses of the learn stage's networks: class-weighted cross-entropy, binary
** cross-entropy, SPLC (seed 003 eq. 5), MSE and Huber, as weighted means with their derivatives with
** respect to the output logits. Logs of probabilities come from the logits (log-sum-exp, softplus).
*/
#include "learn/mlp_internal.h"

#include <math.h>
#include <string.h>

#define LOSS_BLOCK 256

void st_mlp_loss_init(st_mlp_loss *l, st_mlp_loss_kind kind)
{
    if (!l) return;
    memset(l, 0, sizeof *l);
    l->kind = kind;
    l->class_weight = NULL;
    l->nclass_weight = 0;
    l->tau = 0.5;
    l->splc_warmup = 1;
    l->huber_delta = 1.0;
}

static const char *loss_name(st_mlp_loss_kind k)
{
    switch (k) {
    case ST_MLP_LOSS_CROSS_ENTROPY: return "cross-entropy";
    case ST_MLP_LOSS_BCE: return "binary cross-entropy";
    case ST_MLP_LOSS_SPLC: return "SPLC";
    case ST_MLP_LOSS_MSE: return "MSE";
    case ST_MLP_LOSS_HUBER: return "Huber";
    }
    return "?";
}

/* log(1 + e^x) without overflow. */
static inline double softplus(double x) { return (x > 0.0 ? x : 0.0) + log1p(exp(-fabs(x))); }

st_status st__loss_check(st_context *ctx, const st_mlp *m, const st_mlp_loss *loss, const double *y,
                         const double *weight, size_t n)
{
    if ((unsigned)loss->kind > ST_MLP_LOSS_HUBER) return st__error(ctx, ST_EINVAL, "mlp loss: unknown kind %d", (int)loss->kind);
    const char *name = loss_name(loss->kind);
    st_mlp_output want = loss->kind == ST_MLP_LOSS_CROSS_ENTROPY ? ST_MLP_OUT_SOFTMAX
                         : loss->kind <= ST_MLP_LOSS_SPLC        ? ST_MLP_OUT_SIGMOID
                                                                 : ST_MLP_OUT_IDENTITY;
    if (m->output != want)
        return st__error(ctx, ST_EINVAL, "mlp loss: %s needs a %s output, the network has a %s output", name,
                         st__mlp_output_name(want), st__mlp_output_name(m->output));
    size_t K = m->sizes[m->L];
    size_t ncw = loss->kind == ST_MLP_LOSS_CROSS_ENTROPY ? K : loss->kind <= ST_MLP_LOSS_SPLC ? 2 : 0;
    if (loss->class_weight) {
        if (ncw == 0) return st__error(ctx, ST_EINVAL, "mlp loss: %s takes no class weights", name);
        if (loss->nclass_weight != ncw)
            return st__error(ctx, ST_EINVAL, "mlp loss: %zu class weights for %s, %zu expected", loss->nclass_weight,
                             name, ncw);
        for (size_t c = 0; c < ncw; c++)
            if (!(isfinite(loss->class_weight[c]) && loss->class_weight[c] >= 0.0))
                return st__error(ctx, ST_EINVAL, "mlp loss: class weight %zu is %g (finite, >= 0)", c,
                                 loss->class_weight[c]);
    }
    if (loss->kind == ST_MLP_LOSS_SPLC && !(loss->tau > 0.0 && loss->tau < 1.0))
        return st__error(ctx, ST_EINVAL, "mlp loss: SPLC tau %g is not in (0, 1)", loss->tau);
    if (loss->kind == ST_MLP_LOSS_HUBER && !(loss->huber_delta > 0.0 && isfinite(loss->huber_delta)))
        return st__error(ctx, ST_EINVAL, "mlp loss: Huber delta %g is not > 0", loss->huber_delta);
    if (weight)
        for (size_t i = 0; i < n; i++)
            if (!(isfinite(weight[i]) && weight[i] >= 0.0))
                return st__error(ctx, ST_EDATA, "mlp loss: weight of row %zu is %g (finite, >= 0)", i, weight[i]);
    if (loss->kind == ST_MLP_LOSS_CROSS_ENTROPY) {
        for (size_t i = 0; i < n; i++)
            if (!(y[i] >= 0.0 && y[i] < (double)K && y[i] == floor(y[i])))
                return st__error(ctx, ST_EDATA, "mlp loss: label of row %zu is %g, not a class index 0 .. %zu", i,
                                 y[i], K - 1);
    } else if (loss->kind <= ST_MLP_LOSS_SPLC) {
        for (size_t i = 0; i < n * K; i++)
            if (!(y[i] == 0.0 || y[i] == 1.0))
                return st__error(ctx, ST_EDATA, "mlp loss: label of row %zu, output %zu is %g, not 0 or 1", i / K,
                                 i % K, y[i]);
    } else {
        for (size_t i = 0; i < n * K; i++)
            if (isinf(y[i]))
                return st__error(ctx, ST_EDATA, "mlp loss: target of row %zu, output %zu is infinite", i / K, i % K);
    }
    return ST_OK;
}

void st__loss_eval(const st_mlp *m, const st_mlp_loss *loss, bool splc_on, const double *logits,
                   const double *out, const double *y, const double *weight, size_t n, double *sum_wl,
                   double *sum_w, double *dz)
{
    size_t K = m->sizes[m->L];
    const double *cw = loss->class_weight;
    double swl = 0.0, sw = 0.0;
    switch (loss->kind) {
    case ST_MLP_LOSS_CROSS_ENTROPY:
        for (size_t i = 0; i < n; i++) {
            const double *z = logits + i * K, *p = out + i * K;
            size_t c = (size_t)y[i];
            double w = (weight ? weight[i] : 1.0) * (cw ? cw[c] : 1.0);
            double mx = z[0], s = 0.0;
            for (size_t j = 1; j < K; j++)
                if (z[j] > mx) mx = z[j];
            for (size_t j = 0; j < K; j++) s += exp(z[j] - mx);
            swl += w * (mx + log(s) - z[c]);
            sw += w;
            if (dz) {
                double *d = dz + i * K;
                for (size_t j = 0; j < K; j++) d[j] = w * p[j];
                d[c] -= w;
            }
        }
        break;
    case ST_MLP_LOSS_BCE:
    case ST_MLP_LOSS_SPLC: {
        bool corr = loss->kind == ST_MLP_LOSS_SPLC && splc_on;
        for (size_t i = 0; i < n * K; i++) {
            bool pos = y[i] == 1.0;
            double w = (weight ? weight[i / K] : 1.0) * (cw ? cw[pos] : 1.0);
            /* SPLC: a positive the network scores at p <= tau is taken for a missing negative */
            double t = pos && !(corr && out[i] <= loss->tau) ? 1.0 : 0.0;
            swl += w * (t == 1.0 ? softplus(-logits[i]) : softplus(logits[i]));
            sw += w;
            if (dz) dz[i] = w * (out[i] - t);
        }
        break;
    }
    case ST_MLP_LOSS_MSE:
    case ST_MLP_LOSS_HUBER: {
        double delta = loss->huber_delta;
        bool huber = loss->kind == ST_MLP_LOSS_HUBER;
        for (size_t i = 0; i < n * K; i++) {
            if (isnan(y[i])) {
                if (dz) dz[i] = 0.0;
                continue;
            }
            double w = weight ? weight[i / K] : 1.0, d = out[i] - y[i], l, g;
            if (!huber) {
                l = d * d;
                g = 2.0 * d;
            } else if (fabs(d) < delta) {
                l = 0.5 * d * d;
                g = d;
            } else {
                l = delta * (fabs(d) - 0.5 * delta);
                g = d > 0.0 ? delta : -delta;
            }
            swl += w * l;
            sw += w;
            if (dz) dz[i] = w * g;
        }
        break;
    }
    }
    *sum_wl = swl;
    *sum_w = sw;
}

st_status st_mlp_eval_loss(st_context *ctx, const st_mlp *m, const st_mlp_loss *loss, const double *x, size_t n,
                           const double *y, const double *weight, double *out_loss)
{
    if (!m || !loss || !x || !y || !out_loss || n == 0)
        return st__error(ctx, ST_EINVAL, "mlp loss: NULL network, loss, input, targets or result, or no rows");
    st_status rc = st__loss_check(ctx, m, loss, y, weight, n);
    if (!rc) rc = st__mlp_check_x(ctx, m, x, n);
    if (rc) return rc;
    size_t rows = n < LOSS_BLOCK ? n : LOSS_BLOCK, K = m->sizes[m->L];
    size_t ylen = loss->kind == ST_MLP_LOSS_CROSS_ENTROPY ? 1 : K;
    st__mlp_scratch s;
    if ((rc = st__mlp_scratch_new(ctx, m, rows, &s))) return rc;
    double *lg = st__calloc(ctx, 2 * rows, K * sizeof(double));
    if (!lg) {
        st__mlp_scratch_free(ctx, m, rows, &s);
        return ST_ENOMEM;
    }
    double *o = lg + rows * K, swl = 0.0, sw = 0.0;
    for (size_t r0 = 0; r0 < n; r0 += rows) {
        size_t nr = n - r0 < rows ? n - r0 : rows;
        double a, b;
        st__mlp_forward_rows(m, x + r0 * m->sizes[0], nr, &s, lg, o);
        st__loss_eval(m, loss, true, lg, o, y + r0 * ylen, weight ? weight + r0 : NULL, nr, &a, &b, NULL);
        swl += a;
        sw += b;
    }
    st__free(ctx, lg, 0);
    st__mlp_scratch_free(ctx, m, rows, &s);
    *out_loss = sw > 0.0 ? swl / sw : 0.0;
    return ST_OK;
}

st_status st_mlp_loss_grad(st_context *ctx, st_mlp *m, const st_mlp_loss *loss, const double *x, size_t n,
                           const double *y, const double *weight, double *out_loss, double *grad)
{
    if (!m || !loss || !x || !y || !grad || n == 0)
        return st__error(ctx, ST_EINVAL, "mlp loss: NULL network, loss, input, targets or gradient, or no rows");
    st_status rc = st__loss_check(ctx, m, loss, y, weight, n);
    if (!rc) rc = st__mlp_check_x(ctx, m, x, n);
    if (rc) return rc;
    m->fw_rows = 0;
    if ((rc = st__mlp_reserve(m, n))) return st__mlp_relay(ctx, m, rc);
    st__mlp_train_forward(m, x, n);
    size_t K = m->sizes[m->L];
    double swl, sw, *dz = m->ws_d1;
    const double *outp = m->ws_act + m->act_off[m->L - 1] * m->ws_rows;
    st__loss_eval(m, loss, true, m->ws_logit, outp, y, weight, n, &swl, &sw, dz);
    if (sw > 0.0) {
        double inv = 1.0 / sw;
        for (size_t i = 0; i < n * K; i++) dz[i] *= inv;
        st__mlp_train_backward(m, dz, grad);
    } else
        memset(grad, 0, m->nparams * sizeof *grad);
    if (out_loss) *out_loss = sw > 0.0 ? swl / sw : 0.0;
    return ST_OK;
}
