/* test_kmeans.c -- k-means: planted clusters recovered, determinism for a seed and across thread counts,
** weights, empty-cluster handling, argument errors. */
#include "strata.h"
#include "test.h"

#include <stdint.h>

static double lcg(uint64_t *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return (double)(*s >> 11) / 9007199254740992.0;
}

int main(void)
{
    st_context *ctx;
    if (st_context_new(&ctx)) return 1;
    /* Four tight clusters at the corners of a square; 10000 points so the threaded path runs. */
    size_t n = 10000, d = 2, k = 4;
    double *x = malloc(n * d * sizeof *x);
    int32_t *lab = malloc(n * sizeof *lab), *lab2 = malloc(n * sizeof *lab2);
    uint64_t s = 99;
    for (size_t i = 0; i < n; i++) {
        x[i * 2] = (double)(i % 2) * 10 + lcg(&s) - 0.5;
        x[i * 2 + 1] = (double)((i / 2) % 2) * 10 + lcg(&s) - 0.5;
    }
    st_kmeans_options o;
    st_kmeans_options_init(&o);
    o.k = k;
    o.seed = 7;
    double c[8], c2[8], in, in2;
    int it;
    st_context_set_threads(ctx, 2);
    CHECK_EQ_INT(st_kmeans_fit(ctx, x, n, d, NULL, &o, c, lab, &in, &it), ST_OK);
    /* Each planted cluster maps to one label. */
    int ok = 1;
    for (size_t i = 4; i < n; i++) ok &= lab[i] == lab[i % 4];
    CHECK(ok);
    CHECK(lab[0] != lab[1] && lab[0] != lab[2] && lab[0] != lab[3] && lab[1] != lab[2] && lab[1] != lab[3] &&
          lab[2] != lab[3]);
    /* Inertia = n * 2 * var(U(-.5,.5)) = n/6 approximately. */
    CHECK_REL(in, (double)n / 6, 0.05);
    CHECK(it >= 1 && it <= 300);
    /* Same seed, one thread: bit-identical. */
    st_context_set_threads(ctx, 1);
    CHECK_EQ_INT(st_kmeans_fit(ctx, x, n, d, NULL, &o, c2, lab2, &in2, NULL), ST_OK);
    CHECK(memcmp(c, c2, sizeof c) == 0);
    CHECK(memcmp(lab, lab2, n * sizeof *lab) == 0);
    CHECK(in == in2);

    /* Weights: two points, the heavy one pulls the single centre. */
    const double xw[] = {0, 10};
    const double ww[] = {3, 1};
    o.k = 1;
    o.n_init = 1;
    CHECK_EQ_INT(st_kmeans_fit(ctx, xw, 2, 1, ww, &o, c, NULL, &in, NULL), ST_OK);
    CHECK_NEAR(c[0], 2.5, 1e-12);
    CHECK_NEAR(in, 3 * 6.25 + 56.25, 1e-9);

    /* Duplicates: k = 3 on points with two distinct values still gives 3 centres, no NaN. */
    const double xd[] = {1, 1, 1, 5, 5, 5};
    o.k = 3;
    int32_t ld[6];
    CHECK_EQ_INT(st_kmeans_fit(ctx, xd, 6, 1, NULL, &o, c, ld, &in, NULL), ST_OK);
    CHECK(!isnan(c[0]) && !isnan(c[1]) && !isnan(c[2]));
    CHECK_NEAR(in, 0.0, 1e-12);

    /* n <= k edge cases and errors. */
    o.k = 2;
    const double x2[] = {0, 4};
    int32_t l2[2];
    CHECK_EQ_INT(st_kmeans_fit(ctx, x2, 2, 1, NULL, &o, c, l2, &in, NULL), ST_OK);
    CHECK(l2[0] != l2[1]);
    CHECK_NEAR(in, 0.0, 0);
    o.k = 3;
    CHECK_EQ_INT(st_kmeans_fit(ctx, x2, 2, 1, NULL, &o, c, l2, &in, NULL), ST_EDATA);
    o.k = 0;
    CHECK_EQ_INT(st_kmeans_fit(ctx, x2, 2, 1, NULL, &o, c, l2, &in, NULL), ST_EDATA);
    free(x);
    free(lab);
    free(lab2);
    st_context_free(ctx);
    T_DONE();
}
