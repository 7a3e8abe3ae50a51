/*
** scale_mdp.c -- builds a random sparse MDP in memory (default 1,000,000 states x 8 actions x 10
** non-zeros per row) and times value iteration + exact evaluation, to show the solvers scale.
** cc -O2 -Iinclude bench/mdp/scale_mdp.c build/libstrata.a -lm -lz -lpthread; ./a.out [S] [A] [K] [GAMMA] [THREADS]
*/
#include "strata.h"

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
static uint64_t next(void)
{
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return x;
}

int main(int argc, char **argv)
{
    size_t S = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000000, A = argc > 2 ? strtoul(argv[2], NULL, 10) : 8;
    size_t K = argc > 3 ? strtoul(argv[3], NULL, 10) : 10;
    double g = argc > 4 ? strtod(argv[4], NULL) : 0.95;
    size_t nnz = S * A * K;
    uint32_t *act = malloc(nnz * sizeof *act), *st = malloc(nnz * sizeof *st), *nx = malloc(nnz * sizeof *nx);
    double *pr = malloc(nnz * sizeof *pr), *R = malloc(S * A * sizeof *R);
    if (!act || !st || !nx || !pr || !R) return 1;
    size_t k = 0;
    for (size_t s = 0; s < S; s++)
        for (size_t a = 0; a < A; a++) {
            double w[64], sum = 0;
            /* K distinct next states: a random start and a random odd stride. */
            size_t base = next() % S, stride = 1 + 2 * (next() % (S / (2 * K) + 1));
            for (size_t j = 0; j < K; j++) sum += w[j] = (double)(next() >> 11) / 9007199254740992.0 + 0.05;
            for (size_t j = 0; j < K; j++, k++) {
                act[k] = (uint32_t)a;
                st[k] = (uint32_t)s;
                nx[k] = (uint32_t)((base + j * stride) % S);
                pr[k] = w[j] / sum;
            }
            R[s * A + a] = (double)(next() % 1200) / 100.0 - 2.0 - (double)a;
        }
    st_context *ctx;
    st_context_new(&ctx);
    if (argc > 5) st_context_set_threads(ctx, (int)strtol(argv[5], NULL, 10));
    double t0 = now();
    st_mdp *m = NULL;
    st_status rc = st_mdp_new_sparse(ctx, S, A, nnz, act, st, nx, pr, R, &m);
    free(act);
    free(st);
    free(nx);
    free(pr);
    free(R);
    double t1 = now();
    if (rc) {
        fprintf(stderr, "build: %s\n", st_errmsg(ctx));
        return 1;
    }
    st_policy *p = NULL;
    rc = st_mdp_solve_value(ctx, m, g, 0.01, 0, &p);
    double t2 = now();
    if (rc) {
        fprintf(stderr, "solve: %s\n", st_errmsg(ctx));
        return 1;
    }
    printf("states %zu actions %zu nnz %zu: build %.2f s, value iteration (%zu sweeps) + exact evaluation %.2f s, "
           "V[0] = %.17g\n", S, A, st_mdp_nnz(m), t1 - t0, st_policy_iterations(p), t2 - t1, st_policy_value(p, 0, 0));
    st_policy_free(p);
    st_mdp_free(m);
    st_context_free(ctx);
    return 0;
}
