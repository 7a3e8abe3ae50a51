/* The learn stage's networks: finite-difference gradient checks for every activation and loss (SPLC on
** both sides of tau, class and sample weights, Huber in both regimes, NaN targets), XOR and a planted
** two-class problem learned, bit-identical JSON round trips, seeds and thread counts, optimiser steps by
** hand, bad arguments and allocation failures. */
#include "failalloc.h"
#include "strata.h"
#include "test.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rs = 0x9e3779b97f4a7c15ull;
static double urand(void) /* xorshift64*, uniform in [0, 1) */
{
    rs ^= rs >> 12;
    rs ^= rs << 25;
    rs ^= rs >> 27;
    return (double)((rs * 2685821657736338717ull) >> 11) * 0x1p-53;
}
static double nrand(void) { return sqrt(-2.0 * log(1.0 - urand())) * cos(6.283185307179586 * urand()); }

static st_mlp *net(st_context *ctx, const size_t *sizes, size_t ns, const st_activation *h, st_mlp_output o,
                   uint64_t seed)
{
    st_mlp *m = NULL;
    CHECK_EQ_INT(st_mlp_new(ctx, sizes, ns, h, o, ST_MLP_INIT_AUTO, seed, &m), ST_OK);
    return m;
}

/* Central differences of the loss against st_mlp_loss_grad's gradient; returns the worst relative error
** (relative to |fd| + |g| + 1e-4, so gradients near 0 are held to 1e-10 absolute: the rounding noise of
** the differences). */
static double grad_check(st_context *ctx, st_mlp *m, const st_mlp_loss *loss, const double *x, size_t n,
                         const double *y, const double *w)
{
    size_t np = st_mlp_nparams(m);
    double *g = malloc(np * sizeof *g), *p = st_mlp_params(m), L0, worst = 0.0;
    CHECK_EQ_INT(st_mlp_loss_grad(ctx, m, loss, x, n, y, w, &L0, g), ST_OK);
    double L1;
    CHECK_EQ_INT(st_mlp_eval_loss(ctx, m, loss, x, n, y, w, &L1), ST_OK);
    CHECK(L0 == L1); /* the same sums in the same order */
    for (size_t i = 0; i < np; i++) {
        double keep = p[i], h = 1e-5 * (1.0 + fabs(keep)), lp, lm;
        p[i] = keep + h;
        st_mlp_eval_loss(ctx, m, loss, x, n, y, w, &lp);
        p[i] = keep - h;
        st_mlp_eval_loss(ctx, m, loss, x, n, y, w, &lm);
        p[i] = keep;
        double fd = (lp - lm) / (2.0 * h), err = fabs(fd - g[i]) / (fabs(fd) + fabs(g[i]) + 1e-4);
        if (err > worst) worst = err;
        if (getenv("MLP_DEBUG") && err > 1e-7) fprintf(stderr, "param %zu: fd %.10g grad %.10g\n", i, fd, g[i]);
    }
    free(g);
    return worst;
}

static void test_gradients(void)
{
    st_context *ctx;
    st_context_new(&ctx);
    const size_t n = 13, d = 4;
    double x[13 * 4];
    for (size_t i = 0; i < n * d; i++) x[i] = nrand();
    double w[13];
    for (size_t i = 0; i < n; i++) w[i] = 0.25 + urand();
    double worst_all = 0.0;
    for (int a = 0; a <= ST_ACT_SIGMOID; a++) {
        st_activation h[2] = {(st_activation)a, a == ST_ACT_RELU ? ST_ACT_TANH : (st_activation)a};
        /* cross-entropy, 3 classes, class and sample weights */
        {
            size_t sz[4] = {d, 6, 5, 3};
            st_mlp *m = net(ctx, sz, 4, h, ST_MLP_OUT_SOFTMAX, 11 + (uint64_t)a);
            double y[13], cw[3] = {0.5, 2.0, 1.25};
            for (size_t i = 0; i < n; i++) y[i] = (double)(i % 3);
            st_mlp_loss l;
            st_mlp_loss_init(&l, ST_MLP_LOSS_CROSS_ENTROPY);
            l.class_weight = cw;
            l.nclass_weight = 3;
            double e = grad_check(ctx, m, &l, x, n, y, w);
            if (e > worst_all) worst_all = e;
            CHECK(e < 1e-6);
            l.class_weight = NULL;
            e = grad_check(ctx, m, &l, x, n, y, NULL);
            CHECK(e < 1e-6);
            st_mlp_free(m);
        }
        /* BCE and SPLC, 2 labels per row */
        {
            size_t sz[3] = {d, 7, 2};
            st_mlp *m = net(ctx, sz, 3, h, ST_MLP_OUT_SIGMOID, 21 + (uint64_t)a);
            double y[26], cw[2] = {0.7, 1.9}, out[26];
            for (size_t i = 0; i < 2 * n; i++) y[i] = (i * 7 % 5) < 3 ? 1.0 : 0.0;
            st_mlp_loss l;
            st_mlp_loss_init(&l, ST_MLP_LOSS_BCE);
            l.class_weight = cw;
            l.nclass_weight = 2;
            double e = grad_check(ctx, m, &l, x, n, y, w);
            if (e > worst_all) worst_all = e;
            CHECK(e < 1e-6);
            /* SPLC: tau in the widest gap between the positives' p, so positives sit on both sides and no
            ** finite-difference step crosses it */
            CHECK_EQ_INT(st_mlp_predict(ctx, m, x, n, out), ST_OK);
            double ps[26];
            size_t np = 0;
            for (size_t i = 0; i < 2 * n; i++)
                if (y[i] == 1.0) ps[np++] = out[i];
            for (size_t i = 1; i < np; i++) /* insertion sort */
                for (size_t j = i; j > 0 && ps[j - 1] > ps[j]; j--) {
                    double t = ps[j];
                    ps[j] = ps[j - 1];
                    ps[j - 1] = t;
                }
            size_t at = 1;
            for (size_t i = 1; i < np; i++)
                if (ps[i] - ps[i - 1] > ps[at] - ps[at - 1]) at = i;
            st_mlp_loss_init(&l, ST_MLP_LOSS_SPLC);
            l.class_weight = cw;
            l.nclass_weight = 2;
            l.tau = 0.5 * (ps[at - 1] + ps[at]);
            CHECK(ps[at] - ps[at - 1] > 2e-4);
            e = grad_check(ctx, m, &l, x, n, y, w);
            if (e > worst_all) worst_all = e;
            CHECK(e < 1e-6);
            /* the corrected loss differs from BCE, and equals BCE with those positives relabelled 0 */
            double ls, lb, y2[26];
            for (size_t i = 0; i < 2 * n; i++) y2[i] = y[i] == 1.0 && out[i] <= l.tau ? 0.0 : y[i];
            st_mlp_eval_loss(ctx, m, &l, x, n, y, NULL, &ls);
            st_mlp_loss lb2;
            st_mlp_loss_init(&lb2, ST_MLP_LOSS_BCE);
            st_mlp_eval_loss(ctx, m, &lb2, x, n, y2, NULL, &lb);
            l.class_weight = NULL;
            st_mlp_eval_loss(ctx, m, &l, x, n, y, NULL, &ls);
            CHECK_REL(ls, lb, 1e-14);
            st_mlp_free(m);
        }
        /* MSE and Huber (both regimes), NaN targets skipped, identity output */
        {
            size_t sz[3] = {d, 5, 3};
            st_mlp *m = net(ctx, sz, 3, h, ST_MLP_OUT_IDENTITY, 31 + (uint64_t)a);
            double y[39];
            for (size_t i = 0; i < 3 * n; i++) y[i] = i % 7 == 3 ? (double)NAN : 2.5 * nrand();
            st_mlp_loss l;
            st_mlp_loss_init(&l, ST_MLP_LOSS_MSE);
            double e = grad_check(ctx, m, &l, x, n, y, w);
            if (e > worst_all) worst_all = e;
            CHECK(e < 1e-6);
            st_mlp_loss_init(&l, ST_MLP_LOSS_HUBER);
            l.huber_delta = 0.8;
            double out[39];
            st_mlp_predict(ctx, m, x, n, out);
            size_t quad = 0, lin = 0;
            for (size_t i = 0; i < 3 * n; i++)
                if (!isnan(y[i])) {
                    if (fabs(out[i] - y[i]) < 0.8) quad++;
                    else lin++;
                }
            CHECK(quad > 0 && lin > 0);
            e = grad_check(ctx, m, &l, x, n, y, w);
            if (e > worst_all) worst_all = e;
            CHECK(e < 1e-6);
            st_mlp_free(m);
        }
    }
    /* a network without hidden layers */
    {
        size_t sz[2] = {d, 3};
        st_mlp *m = net(ctx, sz, 2, NULL, ST_MLP_OUT_SOFTMAX, 5);
        double y[13];
        for (size_t i = 0; i < n; i++) y[i] = (double)(i % 3);
        st_mlp_loss l;
        st_mlp_loss_init(&l, ST_MLP_LOSS_CROSS_ENTROPY);
        CHECK(grad_check(ctx, m, &l, x, n, y, w) < 1e-6);
        st_mlp_free(m);
    }
    printf("gradient checks: worst relative error %.2g\n", worst_all);
    st_context_free(ctx);
}

/* st_mlp_forward + st_mlp_backward with a hand-made dz give st_mlp_loss_grad's gradient. */
static void test_forward_backward(void)
{
    st_context *ctx;
    st_context_new(&ctx);
    size_t sz[3] = {3, 4, 2};
    st_activation h[1] = {ST_ACT_TANH};
    st_mlp *m = net(ctx, sz, 3, h, ST_MLP_OUT_IDENTITY, 3);
    double x[15], y[10], out[10], dz[10], g1[64], g2[64];
    for (int i = 0; i < 15; i++) x[i] = nrand();
    for (int i = 0; i < 10; i++) y[i] = nrand();
    CHECK_EQ_INT(st_mlp_nparams(m), 3 * 4 + 4 + 4 * 2 + 2);
    CHECK_EQ_INT(st_mlp_forward(ctx, m, x, 5, out), ST_OK);
    for (int i = 0; i < 10; i++) dz[i] = 2.0 * (out[i] - y[i]) / 10.0;
    CHECK_EQ_INT(st_mlp_backward(ctx, m, dz, g1), ST_OK);
    st_mlp_loss l;
    st_mlp_loss_init(&l, ST_MLP_LOSS_MSE);
    double L;
    CHECK_EQ_INT(st_mlp_loss_grad(ctx, m, &l, x, 5, y, NULL, &L, g2), ST_OK);
    double worst = 0;
    for (size_t i = 0; i < st_mlp_nparams(m); i++) worst = fmax(worst, fabs(g1[i] - g2[i]));
    CHECK(worst < 1e-15);
    double pr[10];
    CHECK_EQ_INT(st_mlp_predict(ctx, m, x, 5, pr), ST_OK);
    CHECK(memcmp(pr, out, sizeof pr) == 0);
    st_mlp_free(m);
    st_context_free(ctx);
}

static void test_xor(void)
{
    st_context *ctx;
    st_context_new(&ctx);
    size_t sz[3] = {2, 8, 1};
    st_activation h[1] = {ST_ACT_TANH};
    st_mlp *m = net(ctx, sz, 3, h, ST_MLP_OUT_SIGMOID, 2024);
    double x[8] = {0, 0, 0, 1, 1, 0, 1, 1}, y[4] = {0, 1, 1, 0}, out[4], loss = 0;
    st_mlp_optim_options o;
    st_mlp_optim_options_init(&o, ST_OPTIM_ADAM);
    o.lr = 0.05;
    st_mlp_optim *opt;
    CHECK_EQ_INT(st_mlp_optim_new(ctx, m, &o, &opt), ST_OK);
    st_mlp_loss l;
    st_mlp_loss_init(&l, ST_MLP_LOSS_BCE);
    for (size_t e = 0; e < 400; e++) CHECK_EQ_INT(st_mlp_train_epoch(ctx, m, opt, &l, x, 4, y, NULL, 4, 1, e, &loss), ST_OK);
    CHECK_EQ_INT(st_mlp_predict(ctx, m, x, 4, out), ST_OK);
    printf("xor: loss %.3g, outputs %.3f %.3f %.3f %.3f\n", loss, out[0], out[1], out[2], out[3]);
    CHECK(out[0] < 0.1 && out[1] > 0.9 && out[2] > 0.9 && out[3] < 0.1);
    CHECK(loss < 0.05);
    CHECK_EQ_INT(st_mlp_optim_steps(opt), 400);
    st_mlp_optim_free(opt);

    /* SGD with momentum and a ReLU network learns it too */
    size_t sz2[3] = {2, 16, 2};
    st_activation h2[1] = {ST_ACT_RELU};
    st_mlp *m2 = net(ctx, sz2, 3, h2, ST_MLP_OUT_SOFTMAX, 7);
    st_mlp_optim_options_init(&o, ST_OPTIM_SGD);
    o.lr = 0.1;
    o.momentum = 0.9;
    CHECK_EQ_INT(st_mlp_optim_new(ctx, m2, &o, &opt), ST_OK);
    st_mlp_loss_init(&l, ST_MLP_LOSS_CROSS_ENTROPY);
    for (size_t e = 0; e < 300; e++) st_mlp_train_epoch(ctx, m2, opt, &l, x, 4, y, NULL, 2, 5, e, &loss);
    double out2[8];
    st_mlp_predict(ctx, m2, x, 4, out2);
    for (int i = 0; i < 4; i++) CHECK(out2[2 * i + (int)y[i]] > 0.9);
    st_mlp_optim_free(opt);
    st_mlp_free(m2);
    st_mlp_free(m);
    st_context_free(ctx);
}

/* Two Gaussian classes in 6 dimensions, 1 : 4 imbalance, means 2.5 apart along one direction (Bayes
** accuracy about 0.9); a 6-16-2 ReLU network with balanced class weights. */
static void planted(size_t n, double *x, double *y)
{
    for (size_t i = 0; i < n; i++) {
        y[i] = urand() < 0.2 ? 1.0 : 0.0;
        for (size_t k = 0; k < 6; k++) x[i * 6 + k] = nrand() + (k < 2 ? (y[i] == 1.0 ? 0.9 : -0.9) : 0.0);
    }
}

static void test_planted(void)
{
    st_context *ctx;
    st_context_new(&ctx);
    size_t n = 4000, nt = 4000;
    double *x = malloc(n * 6 * sizeof *x), *y = malloc(n * sizeof *y);
    double *xt = malloc(nt * 6 * sizeof *x), *yt = malloc(nt * sizeof *y), *p = malloc(nt * 2 * sizeof *p);
    planted(n, x, y);
    planted(nt, xt, yt);
    size_t n1 = 0;
    for (size_t i = 0; i < n; i++) n1 += y[i] == 1.0;
    double cw[2] = {(double)n / (2.0 * (double)(n - n1)), (double)n / (2.0 * (double)n1)}; /* balanced */
    size_t sz[3] = {6, 16, 2};
    st_activation h[1] = {ST_ACT_RELU};
    st_mlp *m = net(ctx, sz, 3, h, ST_MLP_OUT_SOFTMAX, 99);
    st_mlp_optim_options o;
    st_mlp_optim_options_init(&o, ST_OPTIM_ADAM);
    o.lr = 1e-2;
    o.weight_decay = 1e-4;
    st_mlp_optim *opt;
    st_mlp_optim_new(ctx, m, &o, &opt);
    st_mlp_loss l;
    st_mlp_loss_init(&l, ST_MLP_LOSS_CROSS_ENTROPY);
    l.class_weight = cw;
    l.nclass_weight = 2;
    double first = 0, loss = 0;
    for (size_t e = 0; e < 15; e++) {
        CHECK_EQ_INT(st_mlp_train_epoch(ctx, m, opt, &l, x, n, y, NULL, 128, 3, e, &loss), ST_OK);
        if (e == 0) first = loss;
    }
    CHECK_EQ_INT(st_mlp_predict(ctx, m, xt, nt, p), ST_OK);
    /* balanced accuracy on fresh data, against the Bayes rule of the balanced problem (LDA direction) */
    double r[2] = {0, 0}, rb[2] = {0, 0}, c[2] = {0, 0};
    for (size_t i = 0; i < nt; i++) {
        int t = (int)yt[i];
        c[t]++;
        r[t] += (p[2 * i + 1] > 0.5) == (t == 1);
        rb[t] += (xt[6 * i] + xt[6 * i + 1] > 0) == (t == 1);
    }
    double bacc = 0.5 * (r[0] / c[0] + r[1] / c[1]), bayes = 0.5 * (rb[0] / c[0] + rb[1] / c[1]);
    printf("planted: loss %.3f -> %.3f, balanced accuracy %.3f (Bayes rule %.3f)\n", first, loss, bacc, bayes);
    CHECK(loss < first);
    CHECK(bacc > bayes - 0.03);
    st_mlp_optim_free(opt);
    st_mlp_free(m);
    free(x), free(y), free(xt), free(yt), free(p);
    st_context_free(ctx);
}

static void test_json(void)
{
    st_context *ctx;
    st_context_new(&ctx);
    size_t sz[4] = {3, 5, 4, 2};
    st_activation h[2] = {ST_ACT_RELU, ST_ACT_SIGMOID};
    st_mlp *m = net(ctx, sz, 4, h, ST_MLP_OUT_SIGMOID, 8);
    double *p = st_mlp_params(m);
    p[0] = -0.0;
    p[1] = 1e-300;
    p[2] = 0.1 + 0.2;
    p[3] = -1.7976931348623157e308;
    p[4] = 4.9e-324;
    p[5] = 1.0 / 3.0;
    const char *tr = " {\"columns\": [\"a\", \"b\", \"c\"], \"mean\": [0.5, -1e-3, 2], \"scale\": [1, 2, 3]} ";
    CHECK_EQ_INT(st_mlp_set_transform(ctx, m, tr, strlen(tr)), ST_OK);
    CHECK_STR(st_mlp_transform(m), "{\"columns\":[\"a\",\"b\",\"c\"],\"mean\":[0.5,-0.001,2],\"scale\":[1,2,3]}");
    char *j1 = NULL, *j2 = NULL;
    size_t n1, n2;
    CHECK_EQ_INT(st_mlp_to_json(ctx, m, &j1, &n1), ST_OK);
    st_mlp *r = NULL;
    CHECK_EQ_INT(st_mlp_from_json(ctx, j1, n1, "m.json", &r), ST_OK);
    CHECK(r && st_mlp_nparams(r) == st_mlp_nparams(m));
    CHECK(r && memcmp(st_mlp_params(r), p, st_mlp_nparams(m) * sizeof(double)) == 0);
    CHECK(r && signbit(st_mlp_params(r)[0]));
    CHECK_EQ_INT(st_mlp_to_json(ctx, r, &j2, &n2), ST_OK);
    CHECK(n1 == n2 && memcmp(j1, j2, n1) == 0);
    CHECK_STR(st_mlp_transform(r), st_mlp_transform(m));
    CHECK_EQ_INT(st_mlp_activation(r, 1), ST_ACT_SIGMOID);
    CHECK_EQ_INT(st_mlp_output_kind(r), ST_MLP_OUT_SIGMOID);
    CHECK(strstr(j1, "\"format\": \"strata-mlp\"") != NULL);
    /* a file round trip */
    char path[] = "/tmp/strata_mlpXXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    CHECK_EQ_INT(st_mlp_to_json_file(ctx, m, path), ST_OK);
    st_mlp *rf = NULL;
    CHECK_EQ_INT(st_mlp_from_json_file(ctx, path, &rf), ST_OK);
    CHECK(rf && memcmp(st_mlp_params(rf), p, st_mlp_nparams(m) * sizeof(double)) == 0);
    remove(path);
    st_mlp_free(rf);
    /* a copy is equal; blending with tau 1 copies, with tau 0 keeps */
    st_mlp *c = NULL, *o = net(ctx, sz, 4, h, ST_MLP_OUT_SIGMOID, 9);
    CHECK_EQ_INT(st_mlp_copy(ctx, m, &c), ST_OK);
    CHECK(memcmp(st_mlp_params(c), p, st_mlp_nparams(m) * sizeof(double)) == 0);
    CHECK_STR(st_mlp_transform(c), st_mlp_transform(m));
    double keep = st_mlp_params(o)[7];
    CHECK_EQ_INT(st_mlp_blend(ctx, o, m, 0.0), ST_OK);
    CHECK(st_mlp_params(o)[7] == keep);
    CHECK_EQ_INT(st_mlp_blend(ctx, o, m, 0.25), ST_OK);
    CHECK_REL(st_mlp_params(o)[7], 0.25 * p[7] + 0.75 * keep, 1e-15);
    CHECK_EQ_INT(st_mlp_blend(ctx, o, m, 1.0), ST_OK);
    CHECK(memcmp(st_mlp_params(o), p, st_mlp_nparams(m) * sizeof(double)) == 0);
    st_mlp_free(o);
    st_mlp_free(c);
    /* removing the transform writes null */
    CHECK_EQ_INT(st_mlp_set_transform(ctx, r, NULL, 0), ST_OK);
    CHECK(st_mlp_transform(r) == NULL);
    st_free(ctx, j2);
    CHECK_EQ_INT(st_mlp_to_json(ctx, r, &j2, &n2), ST_OK);
    CHECK(strstr(j2, "\"transform\": null") != NULL);
    st_free(ctx, j1);
    st_free(ctx, j2);
    st_mlp_free(r);
    st_mlp_free(m);
    st_context_free(ctx);
}

/* Same seed, same bytes; predictions do not depend on the thread count or on how rows are split. */
static void test_determinism(void)
{
    st_context *c1, *c2;
    st_context_new(&c1);
    st_context_new(&c2);
    st_context_set_threads(c1, 1);
    st_context_set_threads(c2, 2);
    size_t sz[4] = {7, 32, 16, 3};
    st_activation h[2] = {ST_ACT_RELU, ST_ACT_TANH};
    st_mlp *a = net(c1, sz, 4, h, ST_MLP_OUT_SOFTMAX, 42), *b = net(c2, sz, 4, h, ST_MLP_OUT_SOFTMAX, 42);
    st_mlp *d = net(c1, sz, 4, h, ST_MLP_OUT_SOFTMAX, 43);
    size_t np = st_mlp_nparams(a);
    CHECK(memcmp(st_mlp_params(a), st_mlp_params(b), np * sizeof(double)) == 0);
    CHECK(memcmp(st_mlp_params(a), st_mlp_params(d), np * sizeof(double)) != 0);
    /* He for the ReLU layer: sd sqrt(2 / 7); Xavier (uniform) for the others: |w| <= sqrt(6 / (in + out)) */
    double s2 = 0;
    for (size_t i = 0; i < 7 * 32; i++) s2 += st_mlp_params(a)[i] * st_mlp_params(a)[i];
    CHECK_REL(sqrt(s2 / (7 * 32)), sqrt(2.0 / 7.0), 0.15);
    const double *w2 = st_mlp_params(a) + 7 * 32 + 32;
    double bound = sqrt(6.0 / 48.0), mx = 0;
    for (size_t i = 0; i < 32 * 16; i++) mx = fmax(mx, fabs(w2[i]));
    CHECK(mx <= bound && mx > 0.9 * bound);
    size_t n = 5000;
    double *x = malloc(n * 7 * sizeof *x), *y = malloc(n * sizeof *y);
    for (size_t i = 0; i < n * 7; i++) x[i] = nrand();
    for (size_t i = 0; i < n; i++) y[i] = (double)(i % 3);
    double *p1 = malloc(n * 3 * sizeof *p1), *p2 = malloc(n * 3 * sizeof *p2), *p3 = malloc(n * 3 * sizeof *p3);
    CHECK_EQ_INT(st_mlp_predict(c1, a, x, n, p1), ST_OK);
    CHECK_EQ_INT(st_mlp_predict(c2, a, x, n, p2), ST_OK);
    CHECK(memcmp(p1, p2, n * 3 * sizeof *p1) == 0);
    CHECK_EQ_INT(st_mlp_predict(c1, a, x + 7 * 13, 1001, p3), ST_OK); /* a split at another row */
    CHECK(memcmp(p1 + 3 * 13, p3, 1001 * 3 * sizeof *p1) == 0);
    CHECK_EQ_INT(st_mlp_forward(c1, a, x, n, p3), ST_OK);
    CHECK(memcmp(p1, p3, n * 3 * sizeof *p1) == 0);
    /* the tiled (and AVX2) kernels give the bits of the plain loops: bias, then the products in order */
    size_t bad = 0;
    for (size_t i = 0; i < 300; i++) {
        const double *q = st_mlp_params(a);
        double h0[32], h1[16], z[3], zmax, s = 0.0;
        for (size_t j = 0; j < 32; j++) {
            double v = q[7 * 32 + j];
            for (size_t k = 0; k < 7; k++) v += x[i * 7 + k] * q[j * 7 + k];
            h0[j] = v > 0.0 ? v : 0.0;
        }
        q += 7 * 32 + 32;
        for (size_t j = 0; j < 16; j++) {
            double v = q[32 * 16 + j];
            for (size_t k = 0; k < 32; k++) v += h0[k] * q[j * 32 + k];
            h1[j] = tanh(v);
        }
        q += 32 * 16 + 16;
        for (size_t j = 0; j < 3; j++) {
            double v = q[16 * 3 + j];
            for (size_t k = 0; k < 16; k++) v += h1[k] * q[j * 16 + k];
            z[j] = v;
        }
        zmax = fmax(fmax(z[0], z[1]), z[2]);
        for (size_t j = 0; j < 3; j++) s += (z[j] = exp(z[j] - zmax));
        for (size_t j = 0; j < 3; j++) bad += z[j] / s != p1[i * 3 + j];
    }
    CHECK_EQ_INT(bad, 0);
    /* training on two contexts with different thread counts gives the same bytes */
    st_mlp_optim_options o;
    st_mlp_optim_options_init(&o, ST_OPTIM_ADAM);
    st_mlp_optim *oa, *ob;
    st_mlp_optim_new(c1, a, &o, &oa);
    st_mlp_optim_new(c2, b, &o, &ob);
    st_mlp_loss l;
    st_mlp_loss_init(&l, ST_MLP_LOSS_CROSS_ENTROPY);
    double la, lb;
    for (size_t e = 0; e < 2; e++) {
        CHECK_EQ_INT(st_mlp_train_epoch(c1, a, oa, &l, x, n, y, NULL, 256, 17, e, &la), ST_OK);
        CHECK_EQ_INT(st_mlp_train_epoch(c2, b, ob, &l, x, n, y, NULL, 256, 17, e, &lb), ST_OK);
    }
    CHECK(la == lb);
    CHECK(memcmp(st_mlp_params(a), st_mlp_params(b), np * sizeof(double)) == 0);
    /* another shuffle seed gives other weights */
    st_mlp_free(b);
    st_mlp_optim_free(ob);
    b = net(c2, sz, 4, h, ST_MLP_OUT_SOFTMAX, 42);
    st_mlp_optim_new(c2, b, &o, &ob);
    for (size_t e = 0; e < 2; e++) st_mlp_train_epoch(c2, b, ob, &l, x, n, y, NULL, 256, 18, e, &lb);
    CHECK(memcmp(st_mlp_params(a), st_mlp_params(b), np * sizeof(double)) != 0);
    st_mlp_optim_free(oa);
    st_mlp_optim_free(ob);
    free(x), free(y), free(p1), free(p2), free(p3);
    st_mlp_free(a);
    st_mlp_free(b);
    st_mlp_free(d);
    st_context_free(c1);
    st_context_free(c2);
}

/* SPLC's warm-up: epoch 0 is BCE exactly; later epochs differ. */
static void test_splc_warmup(void)
{
    st_context *ctx;
    st_context_new(&ctx);
    size_t sz[3] = {3, 6, 1};
    st_activation h[1] = {ST_ACT_TANH};
    size_t n = 200;
    double x[600], y[200];
    for (size_t i = 0; i < 3 * n; i++) x[i] = nrand();
    for (size_t i = 0; i < n; i++) y[i] = x[3 * i] + 0.5 * nrand() > 0 ? 1.0 : 0.0;
    st_mlp *ms[2];
    st_mlp_optim *os[2];
    st_mlp_optim_options o;
    st_mlp_optim_options_init(&o, ST_OPTIM_SGD);
    o.lr = 0.1;
    double L[2][3];
    for (int k = 0; k < 2; k++) {
        ms[k] = net(ctx, sz, 3, h, ST_MLP_OUT_SIGMOID, 4);
        st_mlp_optim_new(ctx, ms[k], &o, &os[k]);
        st_mlp_loss l;
        st_mlp_loss_init(&l, k ? ST_MLP_LOSS_SPLC : ST_MLP_LOSS_BCE);
        l.tau = 0.45;
        l.splc_warmup = 2;
        for (size_t e = 0; e < 3; e++) st_mlp_train_epoch(ctx, ms[k], os[k], &l, x, n, y, NULL, 50, 1, e, &L[k][e]);
    }
    CHECK(L[0][0] == L[1][0] && L[0][1] == L[1][1]);
    CHECK(L[0][2] != L[1][2]);
    for (int k = 0; k < 2; k++) {
        st_mlp_optim_free(os[k]);
        st_mlp_free(ms[k]);
    }
    st_context_free(ctx);
}

/* One step of each optimiser by hand. */
static void test_optim_by_hand(void)
{
    st_context *ctx;
    st_context_new(&ctx);
    size_t sz[2] = {2, 1};
    st_mlp *m = net(ctx, sz, 2, NULL, ST_MLP_OUT_IDENTITY, 1);
    double *w = st_mlp_params(m);
    w[0] = 1.0, w[1] = -2.0, w[2] = 0.5;
    double g[3] = {3.0, 4.0, 0.0};
    st_mlp_optim_options o;
    st_mlp_optim *opt;
    /* SGD + weight decay + clipping to norm 1: g -> g / (5 + 1e-6), then + wd w */
    st_mlp_optim_options_init(&o, ST_OPTIM_SGD);
    o.lr = 0.1;
    o.weight_decay = 0.01;
    o.clip_norm = 1.0;
    o.momentum = 0.5;
    st_mlp_optim_new(ctx, m, &o, &opt);
    CHECK_EQ_INT(st_mlp_optim_step(ctx, opt, m, g), ST_OK);
    double s = 1.0 / (5.0 + 1e-6), b0 = 3 * s + 0.01, b1 = 4 * s - 0.02, b2 = 0.005;
    CHECK_REL(w[0], 1.0 - 0.1 * b0, 1e-15);
    CHECK_REL(w[1], -2.0 - 0.1 * b1, 1e-15);
    CHECK_REL(w[2], 0.5 - 0.1 * b2, 1e-15);
    double w0 = w[0];
    CHECK_EQ_INT(st_mlp_optim_step(ctx, opt, m, g), ST_OK); /* momentum: buf = 0.5 buf + g' */
    CHECK_REL(w[0], w0 - 0.1 * (0.5 * b0 + 3 * s + 0.01 * w0), 1e-15);
    st_mlp_optim_free(opt);
    /* Adam: the first step moves each weight by lr * g / (|g| + eps) */
    w[0] = 1.0, w[1] = -2.0, w[2] = 0.5;
    st_mlp_optim_options_init(&o, ST_OPTIM_ADAM);
    o.lr = 0.01;
    st_mlp_optim_new(ctx, m, &o, &opt);
    CHECK_EQ_INT(st_mlp_optim_step(ctx, opt, m, g), ST_OK);
    CHECK_REL(w[0], 1.0 - 0.01 * 3.0 / (3.0 + 1e-8), 1e-15);
    CHECK_REL(w[1], -2.0 - 0.01 * 4.0 / (4.0 + 1e-8), 1e-15);
    CHECK(w[2] == 0.5);
    /* a non-finite gradient is refused and changes nothing */
    double bad[3] = {1.0, (double)NAN, 0.0}, keep[3] = {w[0], w[1], w[2]};
    CHECK_EQ_INT(st_mlp_optim_step(ctx, opt, m, bad), ST_EDATA);
    CHECK(memcmp(keep, w, sizeof keep) == 0);
    CHECK(strstr(st_errmsg(ctx), "gradient 1") != NULL);
    st_mlp_optim_free(opt);
    /* AdamW decays the weight before the step */
    w[0] = 1.0;
    st_mlp_optim_options_init(&o, ST_OPTIM_ADAM);
    o.lr = 0.01;
    o.weight_decay = 0.1;
    o.decoupled = 1;
    st_mlp_optim_new(ctx, m, &o, &opt);
    st_mlp_optim_step(ctx, opt, m, g);
    CHECK_REL(w[0], 1.0 * (1 - 0.001) - 0.01 * 3.0 / (3.0 + 1e-8), 1e-15);
    st_mlp_optim_free(opt);
    st_mlp_free(m);
    st_context_free(ctx);
}

static void test_bad_arguments(void)
{
    st_context *ctx;
    st_context_new(&ctx);
    st_mlp *m = (st_mlp *)1;
    size_t sz[3] = {2, 3, 2}, zero[2] = {2, 0}, one[2] = {2, 1};
    st_activation h[1] = {ST_ACT_RELU}, bad_act[1] = {(st_activation)9};
    CHECK_EQ_INT(st_mlp_new(ctx, NULL, 3, h, ST_MLP_OUT_SOFTMAX, 0, 1, &m), ST_EINVAL);
    CHECK(m == NULL);
    CHECK_EQ_INT(st_mlp_new(ctx, sz, 1, h, ST_MLP_OUT_SOFTMAX, 0, 1, &m), ST_EINVAL);
    CHECK_EQ_INT(st_mlp_new(ctx, zero, 2, NULL, ST_MLP_OUT_IDENTITY, 0, 1, &m), ST_EINVAL);
    CHECK(strstr(st_errmsg(ctx), "layer size 1 is 0") != NULL);
    CHECK_EQ_INT(st_mlp_new(ctx, one, 2, NULL, ST_MLP_OUT_SOFTMAX, 0, 1, &m), ST_EINVAL);
    CHECK_EQ_INT(st_mlp_new(ctx, sz, 3, NULL, ST_MLP_OUT_SOFTMAX, 0, 1, &m), ST_EINVAL);
    CHECK_EQ_INT(st_mlp_new(ctx, sz, 3, bad_act, ST_MLP_OUT_SOFTMAX, 0, 1, &m), ST_EINVAL);
    CHECK_EQ_INT(st_mlp_new(ctx, sz, 3, h, (st_mlp_output)7, 0, 1, &m), ST_EINVAL);
    CHECK_EQ_INT(st_mlp_new(ctx, sz, 3, h, ST_MLP_OUT_SOFTMAX, (st_mlp_init)5, 1, &m), ST_EINVAL);
    size_t huge[3] = {60000, 60000, 60000};
    CHECK_EQ_INT(st_mlp_new(ctx, huge, 3, h, ST_MLP_OUT_IDENTITY, 0, 1, &m), ST_EINVAL);
    CHECK(m == NULL);
    m = net(ctx, sz, 3, h, ST_MLP_OUT_SOFTMAX, 1);
    double x[4] = {1, 2, 3, (double)NAN}, y[2] = {0, 2}, out[4], g[32];
    CHECK_EQ_INT(st_mlp_predict(ctx, m, x, 2, out), ST_EDATA);
    CHECK(strstr(st_errmsg(ctx), "row 1, column 1") != NULL);
    CHECK_EQ_INT(st_mlp_predict(ctx, m, NULL, 2, out), ST_EINVAL);
    CHECK_EQ_INT(st_mlp_predict(ctx, m, x, 0, out), ST_OK);
    CHECK_EQ_INT(st_mlp_backward(ctx, m, out, g), ST_EINVAL); /* no forward pass yet */
    x[3] = 4;
    st_mlp_loss l;
    st_mlp_loss_init(&l, ST_MLP_LOSS_CROSS_ENTROPY);
    CHECK_EQ_INT(st_mlp_loss_grad(ctx, m, &l, x, 2, y, NULL, NULL, g), ST_EDATA); /* label 2 of 2 classes */
    CHECK(strstr(st_errmsg(ctx), "row 1") != NULL);
    y[1] = 0.5;
    CHECK_EQ_INT(st_mlp_loss_grad(ctx, m, &l, x, 2, y, NULL, NULL, g), ST_EDATA);
    y[1] = 1;
    double wbad[2] = {1, -1};
    CHECK_EQ_INT(st_mlp_loss_grad(ctx, m, &l, x, 2, y, wbad, NULL, g), ST_EDATA);
    double cw[3] = {1, 1, 1};
    l.class_weight = cw;
    l.nclass_weight = 3;
    CHECK_EQ_INT(st_mlp_loss_grad(ctx, m, &l, x, 2, y, NULL, NULL, g), ST_EINVAL);
    l.nclass_weight = 2;
    cw[0] = -1;
    CHECK_EQ_INT(st_mlp_loss_grad(ctx, m, &l, x, 2, y, NULL, NULL, g), ST_EINVAL);
    st_mlp_loss_init(&l, ST_MLP_LOSS_BCE); /* BCE needs a sigmoid output */
    CHECK_EQ_INT(st_mlp_loss_grad(ctx, m, &l, x, 2, y, NULL, NULL, g), ST_EINVAL);
    CHECK(strstr(st_errmsg(ctx), "sigmoid output") != NULL);
    st_mlp_loss_init(&l, ST_MLP_LOSS_MSE);
    CHECK_EQ_INT(st_mlp_loss_grad(ctx, m, &l, x, 2, y, NULL, NULL, g), ST_EINVAL);
    st_mlp_loss_init(&l, (st_mlp_loss_kind)17);
    CHECK_EQ_INT(st_mlp_loss_grad(ctx, m, &l, x, 2, y, NULL, NULL, g), ST_EINVAL);
    st_mlp_loss_init(&l, ST_MLP_LOSS_CROSS_ENTROPY);
    double L = -1;
    double w0[2] = {0, 0};
    CHECK_EQ_INT(st_mlp_loss_grad(ctx, m, &l, x, 2, y, w0, &L, g), ST_OK); /* weights all 0: loss 0 */
    CHECK(L == 0.0 && g[0] == 0.0);
    /* SPLC and Huber parameters */
    size_t sb[2] = {2, 1};
    st_mlp *mb = net(ctx, sb, 2, NULL, ST_MLP_OUT_SIGMOID, 1), *mr = net(ctx, sb, 2, NULL, ST_MLP_OUT_IDENTITY, 1);
    st_mlp_loss_init(&l, ST_MLP_LOSS_SPLC);
    l.tau = 1.0;
    CHECK_EQ_INT(st_mlp_eval_loss(ctx, mb, &l, x, 2, y, NULL, &L), ST_EINVAL);
    l.tau = 0.5;
    y[0] = 2;
    CHECK_EQ_INT(st_mlp_eval_loss(ctx, mb, &l, x, 2, y, NULL, &L), ST_EDATA);
    y[0] = 0;
    st_mlp_loss_init(&l, ST_MLP_LOSS_HUBER);
    l.huber_delta = 0;
    CHECK_EQ_INT(st_mlp_eval_loss(ctx, mr, &l, x, 2, y, NULL, &L), ST_EINVAL);
    l.huber_delta = 1;
    y[1] = (double)INFINITY;
    CHECK_EQ_INT(st_mlp_eval_loss(ctx, mr, &l, x, 2, y, NULL, &L), ST_EDATA);
    y[1] = 1;
    /* optimisers */
    st_mlp_optim_options o;
    st_mlp_optim *opt = (st_mlp_optim *)1;
    st_mlp_optim_options_init(&o, ST_OPTIM_SGD);
    o.lr = 0;
    CHECK_EQ_INT(st_mlp_optim_new(ctx, m, &o, &opt), ST_EINVAL);
    CHECK(opt == NULL);
    o.lr = 0.1;
    o.momentum = 1;
    CHECK_EQ_INT(st_mlp_optim_new(ctx, m, &o, &opt), ST_EINVAL);
    o.momentum = 0;
    o.decoupled = 1;
    CHECK_EQ_INT(st_mlp_optim_new(ctx, m, &o, &opt), ST_EINVAL);
    st_mlp_optim_options_init(&o, ST_OPTIM_ADAM);
    o.beta2 = 1;
    CHECK_EQ_INT(st_mlp_optim_new(ctx, m, &o, &opt), ST_EINVAL);
    o.beta2 = 0.999;
    o.clip_norm = -1;
    CHECK_EQ_INT(st_mlp_optim_new(ctx, m, &o, &opt), ST_EINVAL);
    o.clip_norm = 0;
    CHECK_EQ_INT(st_mlp_optim_new(ctx, mb, &o, &opt), ST_OK);
    CHECK_EQ_INT(st_mlp_optim_step(ctx, opt, m, g), ST_EINVAL); /* another parameter count */
    st_mlp_loss_init(&l, ST_MLP_LOSS_CROSS_ENTROPY);
    CHECK_EQ_INT(st_mlp_train_epoch(ctx, m, opt, &l, x, 2, y, NULL, 1, 0, 0, NULL), ST_EINVAL);
    st_mlp_optim_free(opt);
    st_mlp_optim_new(ctx, m, &o, &opt);
    CHECK_EQ_INT(st_mlp_train_epoch(ctx, m, opt, &l, x, 2, y, NULL, 0, 0, 0, NULL), ST_EINVAL);
    CHECK_EQ_INT(st_mlp_train_epoch(ctx, m, opt, &l, x, 2, y, NULL, 5, 0, 0, NULL), ST_OK);
    CHECK_EQ_INT(st_mlp_blend(ctx, m, mb, 0.5), ST_EINVAL);
    CHECK_EQ_INT(st_mlp_blend(ctx, m, m, 1.5), ST_EINVAL);
    st_mlp_optim_free(opt);
    /* JSON */
    struct {
        const char *text;
        st_status rc;
        const char *msg;
    } cases[] = {
        {"[1]", ST_EFORMAT, "top level"},
        {"{\"format\": \"strata-mdp\"}", ST_EFORMAT, "format"},
        {"{\"version\": 2}", ST_EFORMAT, "version"},
        {"{\"sizes\": [2]}", ST_EFORMAT, "sizes"},
        {"{\"sizes\": [2, 1.5]}", ST_EFORMAT, "sizes\"[1]"},
        {"{\"sizes\": [2, 1], \"activations\": [\"relu\"]}", ST_EFORMAT, "activations"},
        {"{\"sizes\": [2, 3, 1], \"activations\": [\"swish\"]}", ST_EFORMAT, "activations\"[0]"},
        {"{\"sizes\": [2, 1], \"activations\": [], \"output\": \"softplus\"}", ST_EFORMAT, "output"},
        {"{\"sizes\": [2, 1], \"activations\": [], \"output\": \"identity\", \"layers\": []}", ST_EFORMAT, "layers"},
        {"{\"sizes\": [2, 1], \"activations\": [], \"output\": \"softmax\", \"layers\": [{\"weights\": [[1, 2]], \"bias\": [0]}]}",
         ST_EINVAL, "softmax"},
        {"{\"sizes\": [10000, 10000], \"activations\": [], \"output\": \"identity\", \"layers\": [{}]}", ST_EFORMAT,
         "10000 rows"},
        {"{\"sizes\": [2, 0], \"activations\": [], \"output\": \"identity\", \"layers\": [{\"weights\": [], \"bias\": []}]}",
         ST_EINVAL, "layer size 1 is 0"},
        {"{\"sizes\": [2, 1], \"activations\": [], \"output\": \"identity\", \"layers\": [{\"weights\": [[1]], \"bias\": [0]}]}",
         ST_EFORMAT, "\"weights\" row 0"},
        {"{\"sizes\": [2, 1], \"activations\": [], \"output\": \"identity\", \"layers\": [{\"weights\": [[1, null]], \"bias\": [0]}]}",
         ST_EFORMAT, "entry 1"},
        {"{\"sizes\": [2, 1], \"activations\": [], \"output\": \"identity\", \"layers\": [{\"weights\": [[1, 2]]}]}",
         ST_EFORMAT, "bias"},
        {"{\"sizes\": [2, 1], \"activations\": [], \"output\": \"identity\", \"parameters\": 4, \"layers\": []}",
         ST_EFORMAT, "layers"},
        {"{\"sizes\": [2, 1], \"activations\": [], \"output\": \"identity\", \"parameters\": 4, \"layers\": [{\"weights\": [[1, 2]], \"bias\": [0]}]}",
         ST_EFORMAT, "parameters"},
        {"{\"sizes\": [2, 1], \"activations\": [], \"output\": \"identity\", \"layers\": [{\"weights\": [[1, 2]], \"bias\": [0]}]", ST_EPARSE, ":1:"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        st_mlp *r = (st_mlp *)1;
        st_status rc = st_mlp_from_json(ctx, cases[i].text, strlen(cases[i].text), "t.json", &r);
        CHECK_EQ_INT(rc, cases[i].rc);
        CHECK(r == NULL);
        if (!strstr(st_errmsg(ctx), cases[i].msg)) {
            t_failures++;
            fprintf(stderr, "JSON case %zu: message \"%s\" lacks \"%s\"\n", i, st_errmsg(ctx), cases[i].msg);
        }
    }
    const char *ok = "{\"sizes\": [2, 1], \"activations\": [], \"output\": \"identity\", \"layers\": [{\"weights\": [[1, 2]], \"bias\": [0.5]}]}";
    st_mlp *r = NULL;
    CHECK_EQ_INT(st_mlp_from_json(ctx, ok, strlen(ok), NULL, &r), ST_OK);
    double xo[2] = {3, 4}, yo;
    CHECK_EQ_INT(st_mlp_predict(ctx, r, xo, 1, &yo), ST_OK);
    CHECK(yo == 11.5);
    CHECK_EQ_INT(st_mlp_set_transform(ctx, r, "{", 1), ST_EPARSE);
    st_mlp_free(r);
    CHECK_EQ_INT(st_mlp_from_json_file(ctx, "/nonexistent/m.json", &r), ST_EIO);
    CHECK(r == NULL);
    st_mlp_free(r);
    st_mlp_free(mb);
    st_mlp_free(mr);
    st_mlp_free(m);
    st_mlp_free(NULL);
    st_mlp_optim_free(NULL);
    CHECK_EQ_INT(st_mlp_nparams(NULL), 0);
    st_context_free(ctx);
}

/* Every public path through a failing allocator. */
static st_status alloc_job(t_failer *f, void *arg)
{
    (void)arg;
    st_context *ctx = t_failing_context(f);
    if (!ctx) return ST_ENOMEM;
    st_context_set_threads(ctx, 2);
    size_t sz[3] = {3, 5, 2};
    st_activation h[1] = {ST_ACT_RELU};
    st_mlp *m = NULL, *c = NULL, *r = NULL;
    st_mlp_optim *opt = NULL;
    char *json = NULL;
    size_t len = 0, n = 700;
    static double x[2100], y[700], out[1400], g[64];
    for (size_t i = 0; i < 3 * n; i++) x[i] = sin((double)i);
    for (size_t i = 0; i < n; i++) y[i] = (double)(i % 2);
    st_mlp_loss l;
    st_mlp_loss_init(&l, ST_MLP_LOSS_CROSS_ENTROPY);
    st_mlp_optim_options o;
    st_mlp_optim_options_init(&o, ST_OPTIM_ADAM);
    double L;
    st_status rc = st_mlp_new(ctx, sz, 3, h, ST_MLP_OUT_SOFTMAX, ST_MLP_INIT_AUTO, 1, &m);
    if (!rc) rc = st_mlp_set_transform(ctx, m, "{\"a\": [1, 2]}", 13);
    if (!rc) rc = st_mlp_forward(ctx, m, x, 10, out);
    if (!rc) rc = st_mlp_loss_grad(ctx, m, &l, x, 20, y, NULL, &L, g);
    if (!rc) rc = st_mlp_eval_loss(ctx, m, &l, x, n, y, NULL, &L);
    if (!rc) rc = st_mlp_optim_new(ctx, m, &o, &opt);
    if (!rc) rc = st_mlp_train_epoch(ctx, m, opt, &l, x, n, y, y, 64, 1, 0, &L);
    if (!rc) rc = st_mlp_predict(ctx, m, x, n, out);
    if (!rc) rc = st_mlp_copy(ctx, m, &c);
    if (!rc) rc = st_mlp_to_json(ctx, m, &json, &len);
    if (!rc) rc = st_mlp_from_json(ctx, json, len, "m", &r);
    if (rc != ST_OK && st_errmsg(ctx)[0] == '\0') {
        t_failures++;
        fprintf(stderr, "failure %d without a message\n", rc);
    }
    st_free(ctx, json);
    st_mlp_optim_free(opt);
    st_mlp_free(r);
    st_mlp_free(c);
    st_mlp_free(m);
    st_context_free(ctx);
    return rc;
}

int main(void)
{
    test_gradients();
    test_forward_backward();
    test_xor();
    test_planted();
    test_json();
    test_determinism();
    test_splc_warmup();
    test_optim_by_hand();
    test_bad_arguments();
    t_alloc_torture("mlp", alloc_job, NULL);
    T_DONE();
}
