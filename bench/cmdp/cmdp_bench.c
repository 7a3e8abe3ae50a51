/*
** cmdp_bench.c -- times st_mdp_solve_constrained (the occupancy-measure LP, dense simplex) on a seeded random
** MDP of S states x A actions x K successors per row with a binding budget (half the unconstrained optimum's
** spend), median of RUNS solves in one process, and writes the model for the scipy peer (cmdp_highs.py).
** cc -O2 -Iinclude bench/cmdp/cmdp_bench.c build/libstrata.a -lm -lz -lpthread
** ./a.out S A K RUNS MODEL.txt    prints "seconds value lambda"
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

static uint64_t x = 88172645463325252ull;
static double unif(void)
{
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return (double)(x >> 11) * 0x1.0p-53;
}

static int cmp(const void *a, const void *b)
{
    double u = *(const double *)a, v = *(const double *)b;
    return u < v ? -1 : u > v;
}

int main(int argc, char **argv)
{
    if (argc < 6) return 2;
    size_t S = strtoul(argv[1], NULL, 10), A = strtoul(argv[2], NULL, 10), K = strtoul(argv[3], NULL, 10);
    int runs = atoi(argv[4]);
    double *P = calloc(A * S * S, sizeof *P), *R = malloc(S * A * sizeof *R), *C = malloc(S * A * sizeof *C);
    double *pi = malloc(S * A * sizeof *pi), *t = malloc((size_t)runs * sizeof *t);
    if (!P || !R || !C || !pi || !t || runs < 1) return 1;
    for (size_t a = 0; a < A; a++)
        for (size_t s = 0; s < S; s++) {
            double tot = 0;
            for (size_t e = 0; e < K; e++) {
                double w = unif();
                P[(a * S + s) * S + (size_t)(unif() * (double)S)] += w;
                tot += w;
            }
            for (size_t j = 0; j < S; j++) P[(a * S + s) * S + j] /= tot;
        }
    for (size_t r = 0; r < S * A; r++) {
        double a = (double)(r % A);
        C[r] = a * unif();
        R[r] = unif() + a * unif();
    }
    st_context *ctx;
    st_mdp *m;
    if (st_context_new(&ctx) || st_mdp_new_dense(ctx, S, A, P, R, &m)) return 1;
    double v, c, lam;
    if (st_mdp_solve_constrained(ctx, m, 0.95, NULL, C, INFINITY, pi, NULL, &v, &c, &lam)) return 1;
    double B = 0.5 * c;
    for (int k = 0; k < runs; k++) {
        double t0 = now();
        if (st_mdp_solve_constrained(ctx, m, 0.95, NULL, C, B, pi, NULL, &v, &c, &lam)) {
            fprintf(stderr, "%s\n", st_errmsg(ctx));
            return 1;
        }
        t[k] = now() - t0;
    }
    qsort(t, (size_t)runs, sizeof *t, cmp);
    FILE *f = fopen(argv[5], "w");
    if (!f) return 1;
    fprintf(f, "%zu %zu %.17g 0.95\n", S, A, B);
    for (size_t i = 0; i < A * S * S; i++)
        if (P[i] != 0) fprintf(f, "P %zu %zu %zu %.17g\n", i / (S * S), i / S % S, i % S, P[i]);
    for (size_t r = 0; r < S * A; r++) fprintf(f, "RC %.17g %.17g\n", R[r], C[r]);
    fclose(f);
    printf("%.6f %.17g %.17g\n", t[runs / 2], v, lam);
    st_mdp_free(m);
    st_context_free(ctx);
    return 0;
}
