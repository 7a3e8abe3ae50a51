/*
** mlp_optim.c -- optimisers for the learn stage's networks (SGD with momentum, Adam / AdamW, with
** PyTorch's update rules, L2 weight decay and clipping by global norm) and the mini-batch training epoch.
*/
#include "learn/mlp_internal.h"
#include "core/rng.h"

#include <math.h>
#include <string.h>

struct st_mlp_optim {
    st_context *ctx;
    st_mlp_optim_options o;
    size_t n;
    uint64_t t;
    double *m1, *m2; /* SGD: momentum buffer (m1); Adam: first and second moments */
};

void st_mlp_optim_options_init(st_mlp_optim_options *o, st_optim_kind kind)
{
    if (!o) return;
    memset(o, 0, sizeof *o);
    o->kind = kind;
    o->lr = 1e-3;
    o->momentum = 0.0;
    o->beta1 = 0.9;
    o->beta2 = 0.999;
    o->eps = 1e-8;
    o->weight_decay = 0.0;
    o->decoupled = 0;
    o->clip_norm = 0.0;
}

st_status st_mlp_optim_new(st_context *ctx, const st_mlp *m, const st_mlp_optim_options *o, st_mlp_optim **out)
{
    if (out) *out = NULL;
    if (!m || !o || !out) return st__error(ctx, ST_EINVAL, "mlp optimiser: NULL network, options or out");
    if ((unsigned)o->kind > ST_OPTIM_ADAM) return st__error(ctx, ST_EINVAL, "mlp optimiser: unknown kind %d", (int)o->kind);
    if (!(o->lr > 0.0 && isfinite(o->lr))) return st__error(ctx, ST_EINVAL, "mlp optimiser: learning rate %g is not > 0", o->lr);
    if (!(o->weight_decay >= 0.0 && isfinite(o->weight_decay)))
        return st__error(ctx, ST_EINVAL, "mlp optimiser: weight decay %g is not >= 0", o->weight_decay);
    if (!(o->clip_norm >= 0.0 && isfinite(o->clip_norm)))
        return st__error(ctx, ST_EINVAL, "mlp optimiser: clip norm %g is not >= 0", o->clip_norm);
    if (o->kind == ST_OPTIM_SGD && !(o->momentum >= 0.0 && o->momentum < 1.0))
        return st__error(ctx, ST_EINVAL, "mlp optimiser: momentum %g is not in [0, 1)", o->momentum);
    if (o->kind == ST_OPTIM_ADAM) {
        if (!(o->beta1 >= 0.0 && o->beta1 < 1.0) || !(o->beta2 >= 0.0 && o->beta2 < 1.0))
            return st__error(ctx, ST_EINVAL, "mlp optimiser: Adam betas %g, %g are not in [0, 1)", o->beta1, o->beta2);
        if (!(o->eps > 0.0 && isfinite(o->eps))) return st__error(ctx, ST_EINVAL, "mlp optimiser: eps %g is not > 0", o->eps);
    }
    if (o->decoupled && o->kind != ST_OPTIM_ADAM)
        return st__error(ctx, ST_EINVAL, "mlp optimiser: decoupled weight decay is for Adam (AdamW) only");
    st_mlp_optim *p = st__calloc(ctx, 1, sizeof *p);
    if (!p) return ST_ENOMEM;
    p->ctx = ctx;
    p->o = *o;
    p->n = m->nparams;
    p->m1 = st__calloc(ctx, p->n, sizeof(double));
    if (p->m1 && o->kind == ST_OPTIM_ADAM) p->m2 = st__calloc(ctx, p->n, sizeof(double));
    if (!p->m1 || (o->kind == ST_OPTIM_ADAM && !p->m2)) {
        st_mlp_optim_free(p);
        return ST_ENOMEM;
    }
    *out = p;
    return ST_OK;
}

void st_mlp_optim_free(st_mlp_optim *opt)
{
    if (!opt) return;
    st__free(opt->ctx, opt->m1, 0);
    st__free(opt->ctx, opt->m2, 0);
    st__free(opt->ctx, opt, sizeof *opt);
}

uint64_t st_mlp_optim_steps(const st_mlp_optim *opt) { return opt ? opt->t : 0; }

st_status st_mlp_optim_step(st_context *ctx, st_mlp_optim *opt, st_mlp *m, const double *grad)
{
    if (!opt || !m || !grad) return st__error(ctx, ST_EINVAL, "mlp optimiser step: NULL optimiser, network or gradient");
    if (m->nparams != opt->n)
        return st__error(ctx, ST_EINVAL, "mlp optimiser step: the network has %zu parameters, the optimiser %zu",
                         m->nparams, opt->n);
    const st_mlp_optim_options *o = &opt->o;
    size_t n = opt->n;
    double ss = 0.0;
    for (size_t i = 0; i < n; i++) ss += grad[i] * grad[i];
    if (!isfinite(ss)) {
        for (size_t i = 0; i < n; i++)
            if (!isfinite(grad[i]))
                return st__error(ctx, ST_EDATA, "mlp optimiser step: gradient %zu is %g; the parameters are unchanged",
                                 i, grad[i]);
        return st__error(ctx, ST_EDATA, "mlp optimiser step: the gradient's norm overflows; the parameters are unchanged");
    }
    double scale = 1.0;
    if (o->clip_norm > 0.0) {
        double c = o->clip_norm / (sqrt(ss) + 1e-6);
        if (c < 1.0) scale = c;
    }
    double *w = m->params, lr = o->lr, wd = o->weight_decay;
    opt->t++;
    if (o->kind == ST_OPTIM_SGD) {
        double mu = o->momentum, *buf = opt->m1;
        bool first = opt->t == 1;
        for (size_t i = 0; i < n; i++) {
            double g = grad[i] * scale + wd * w[i];
            if (mu > 0.0) g = buf[i] = first ? g : mu * buf[i] + g;
            w[i] -= lr * g;
        }
    } else {
        double b1 = o->beta1, b2 = o->beta2, eps = o->eps;
        double bc1 = 1.0 - pow(b1, (double)opt->t), bc2 = 1.0 - pow(b2, (double)opt->t);
        double step = lr / bc1, bc2s = sqrt(bc2);
        double *m1 = opt->m1, *m2 = opt->m2;
        bool dec = o->decoupled != 0;
        for (size_t i = 0; i < n; i++) {
            double g = grad[i] * scale;
            if (dec) w[i] *= 1.0 - lr * wd;
            else g += wd * w[i];
            m1[i] = b1 * m1[i] + (1.0 - b1) * g;
            m2[i] = b2 * m2[i] + (1.0 - b2) * g * g;
            w[i] -= step * m1[i] / (sqrt(m2[i]) / bc2s + eps);
        }
    }
    return ST_OK;
}

st_status st_mlp_train_epoch(st_context *ctx, st_mlp *m, st_mlp_optim *opt, const st_mlp_loss *loss,
                             const double *x, size_t n, const double *y, const double *weight, size_t batch,
                             uint64_t seed, size_t epoch, double *out_loss)
{
    if (!m || !opt || !loss || !x || !y || n == 0)
        return st__error(ctx, ST_EINVAL, "mlp train: NULL network, optimiser, loss, input or targets, or no rows");
    if (batch == 0) return st__error(ctx, ST_EINVAL, "mlp train: batch size 0");
    if (m->nparams != opt->n)
        return st__error(ctx, ST_EINVAL, "mlp train: the network has %zu parameters, the optimiser %zu", m->nparams,
                         opt->n);
    st_status rc = st__loss_check(ctx, m, loss, y, weight, n);
    if (!rc) rc = st__mlp_check_x(ctx, m, x, n);
    if (rc) return rc;
    if (batch > n) batch = n;
    m->fw_rows = 0;
    if ((rc = st__mlp_reserve(m, batch))) return st__mlp_relay(ctx, m, rc);
    size_t K = m->sizes[m->L], d = m->sizes[0];
    size_t ylen = loss->kind == ST_MLP_LOSS_CROSS_ENTROPY ? 1 : K;
    size_t *perm = st__calloc(ctx, n, sizeof *perm);
    double *grad = st__calloc(ctx, m->nparams, sizeof *grad);
    double *by = st__calloc(ctx, batch, ylen * sizeof(double)); /* ylen <= 65536 */
    double *bw = weight ? st__calloc(ctx, batch, sizeof(double)) : NULL;
    if (!perm || !grad || !by || (weight && !bw)) {
        rc = ST_ENOMEM;
        goto done;
    }
    st_rng g;
    st__rng_seed_stream(&g, seed, (uint64_t)epoch);
    for (size_t i = 0; i < n; i++) perm[i] = i;
    for (size_t i = n - 1; i > 0; i--) {
        size_t j = (size_t)st__rng_below(&g, (uint64_t)i + 1);
        size_t t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
    }
    bool splc_on = epoch >= loss->splc_warmup;
    double swl_all = 0.0, sw_all = 0.0;
    const double *outp = m->ws_act + m->act_off[m->L - 1] * m->ws_rows;
    for (size_t b0 = 0; b0 < n; b0 += batch) {
        size_t nb = n - b0 < batch ? n - b0 : batch;
        for (size_t r = 0; r < nb; r++) {
            size_t src = perm[b0 + r];
            const double *xr = x + src * d;
            double *dst = m->ws_x + r * d;
            for (size_t k = 0; k < d; k++) dst[k] = xr[k];
            if (ylen == 1)
                by[r] = y[src];
            else
                memcpy(by + r * ylen, y + src * ylen, ylen * sizeof *y);
            if (bw) bw[r] = weight[src];
        }
        /* the next batch's rows are random: ask for them while this batch computes */
        for (size_t r = b0 + nb; r < b0 + 2 * nb && r < n; r++) {
            const char *xr = (const char *)(x + perm[r] * d);
            for (size_t o = 0; o < d * sizeof *x; o += 64) __builtin_prefetch(xr + o);
            __builtin_prefetch(y + perm[r] * ylen);
        }
        st__mlp_train_forward(m, m->ws_x, nb);
        double swl, sw, *dz = m->ws_d1;
        st__loss_eval(m, loss, splc_on, m->ws_logit, outp, by, bw, nb, &swl, &sw, dz);
        swl_all += swl;
        sw_all += sw;
        if (!(sw > 0.0)) continue; /* nothing weighs in this batch: no step */
        double inv = 1.0 / sw;
        for (size_t i = 0; i < nb * K; i++) dz[i] *= inv;
        st__mlp_train_backward(m, dz, grad);
        if ((rc = st_mlp_optim_step(ctx, opt, m, grad))) goto done;
    }
    if (out_loss) *out_loss = sw_all > 0.0 ? swl_all / sw_all : 0.0;
done:
    st__free(ctx, perm, 0);
    st__free(ctx, grad, 0);
    st__free(ctx, by, 0);
    st__free(ctx, bw, 0);
    return rc;
}
