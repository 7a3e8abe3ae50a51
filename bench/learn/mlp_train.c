/*
** mlp_train.c -- times mini-batch training of a dense network with the learn stage's API: N rows of D
** standard-normal features, 3 classes from a planted linear rule, a D-H-H-3 ReLU network with a softmax
** output, Adam (lr 1e-3), cross-entropy, batch B, E epochs; prints the seconds per epoch (after one warm-up
** epoch) and the final training loss. The data generator matches bench/learn/mlp_torch.py's shapes.
** cc -O2 -Iinclude bench/learn/mlp_train.c build/libstrata.a -lm -lz -lpthread
** ./a.out [N] [D] [H] [E] [B]
*/
#include "strata.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static uint64_t s = 88172645463325252ull;
static double unif(void)
{
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return ((double)(s >> 11) + 0.5) * 0x1p-53;
}

int main(int argc, char **argv)
{
    size_t N = argc > 1 ? strtoul(argv[1], NULL, 10) : 100000, D = argc > 2 ? strtoul(argv[2], NULL, 10) : 32;
    size_t H = argc > 3 ? strtoul(argv[3], NULL, 10) : 64, E = argc > 4 ? strtoul(argv[4], NULL, 10) : 3;
    size_t B = argc > 5 ? strtoul(argv[5], NULL, 10) : 256;
    double *x = malloc(N * D * sizeof *x), *y = malloc(N * sizeof *y);
    if (!x || !y) return 1;
    for (size_t i = 0; i < N; i++) {
        double a = 0, b = 0;
        for (size_t k = 0; k < D; k++) {
            double v = sqrt(-2 * log(unif())) * cos(6.283185307179586 * unif());
            x[i * D + k] = v;
            a += (k % 2 ? v : -v) / (double)(k + 1);
            b += v * (k < D / 2 ? 1.0 : -1.0) / (double)D;
        }
        y[i] = a > 0.3 ? 2 : (b > 0 ? 1 : 0);
    }
    st_context *ctx;
    st_context_new(&ctx);
    size_t sizes[4] = {D, H, H, 3};
    st_activation act[2] = {ST_ACT_RELU, ST_ACT_RELU};
    st_mlp *m;
    st_mlp_optim *opt;
    st_mlp_optim_options o;
    st_mlp_optim_options_init(&o, ST_OPTIM_ADAM);
    st_mlp_loss l;
    st_mlp_loss_init(&l, ST_MLP_LOSS_CROSS_ENTROPY);
    if (st_mlp_new(ctx, sizes, 4, act, ST_MLP_OUT_SOFTMAX, ST_MLP_INIT_AUTO, 1, &m) ||
        st_mlp_optim_new(ctx, m, &o, &opt)) {
        fprintf(stderr, "%s\n", st_errmsg(ctx));
        return 1;
    }
    double loss = 0, t0 = 0;
    for (size_t e = 0; e <= E; e++) {
        if (e == 1) t0 = now();
        if (st_mlp_train_epoch(ctx, m, opt, &l, x, N, y, NULL, B, 7, e, &loss)) {
            fprintf(stderr, "%s\n", st_errmsg(ctx));
            return 1;
        }
    }
    double per = (now() - t0) / (double)E;
    printf("%.4f s/epoch, loss %.4f, %zu parameters\n", per, loss, st_mlp_nparams(m));
    st_mlp_optim_free(opt);
    st_mlp_free(m);
    st_context_free(ctx);
    free(x);
    free(y);
    return 0;
}
