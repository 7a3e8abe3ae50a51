/* test_som.c -- SOM: determinism for a seed, planted-cluster recovery through codebook clustering (online
** and batch, rect and hex), quality measures, U-matrix and hex geometry. */
#include "strata.h"
#include "test.h"

#include <stdint.h>

static double lcg(uint64_t *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return (double)(*s >> 11) / 9007199254740992.0;
}

/* Fraction of rows whose segment agrees with the planted cluster under the best label matching (3! ways). */
static double agreement(const int32_t *seg, const int *truth, size_t n)
{
    static const int perms[6][3] = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};
    double best = 0;
    for (int p = 0; p < 6; p++) {
        size_t ok = 0;
        for (size_t i = 0; i < n; i++) ok += seg[i] == perms[p][truth[i]];
        if ((double)ok / (double)n > best) best = (double)ok / (double)n;
    }
    return best;
}

int main(void)
{
    st_context *ctx;
    if (st_context_new(&ctx)) return 1;
    size_t n = 600, d = 3;
    double *x = malloc(n * d * sizeof *x);
    int *truth = malloc(n * sizeof *truth);
    int32_t *bmu = malloc(n * sizeof *bmu), *seg = malloc(n * sizeof *seg);
    uint64_t s = 5;
    const double ctr[3][3] = {{0, 0, 0}, {5, 5, 0}, {0, 5, 5}};
    for (size_t i = 0; i < n; i++) {
        truth[i] = (int)(i % 3);
        for (size_t j = 0; j < d; j++) x[i * d + j] = ctr[truth[i]][j] + (lcg(&s) - 0.5);
    }
    for (int mode = 0; mode < 4; mode++) {
        st_som_options o;
        st_som_options_init(&o);
        o.rows = 6;
        o.cols = 5;
        o.epochs = 10;
        o.topology = mode & 1 ? ST_SOM_HEX : ST_SOM_RECT;
        o.training = mode & 2 ? ST_SOM_BATCH : ST_SOM_ONLINE;
        st_som *a = NULL, *b = NULL;
        CHECK_EQ_INT(st_som_train(ctx, x, n, d, &o, &a), ST_OK);
        CHECK_EQ_INT(st_som_train(ctx, x, n, d, &o, &b), ST_OK);
        if (!a || !b) break;
        CHECK_EQ_INT(st_som_units(a), 30);
        CHECK(memcmp(st_som_codebook(a), st_som_codebook(b), 30 * d * sizeof(double)) == 0);
        int32_t ul[30];
        CHECK_EQ_INT(st_som_cluster(ctx, a, x, n, 3, 1, ul), ST_OK);
        CHECK_EQ_INT(st_som_bmu(ctx, a, x, n, bmu), ST_OK);
        for (size_t i = 0; i < n; i++) seg[i] = ul[bmu[i]];
        double agr = agreement(seg, truth, n);
        CHECK(agr == 1.0);
        double qe, te;
        CHECK_EQ_INT(st_som_quality(ctx, a, x, n, &qe, &te), ST_OK);
        CHECK(qe > 0 && qe < 1.0);
        CHECK(te >= 0 && te <= 0.5);
        double um[30];
        CHECK_EQ_INT(st_som_umatrix(a, um), ST_OK);
        double umax = 0;
        for (int u = 0; u < 30; u++) umax = um[u] > umax ? um[u] : umax;
        CHECK(umax > 1.0); /* some units sit on the border between planted clusters */
        printf("mode %d: agreement %.3f qe %.4f te %.4f\n", mode, agr, qe, te);
        st_som_free(a);
        st_som_free(b);
    }
    /* Hex geometry: unit (1,0) is at (0.5, sqrt(3)/2), distance 1 from (0,0) and (0,1). */
    st_som_options o;
    st_som_options_init(&o);
    o.rows = 2;
    o.cols = 2;
    o.epochs = 1;
    st_som *h = NULL;
    CHECK_EQ_INT(st_som_train(ctx, x, 10, d, &o, &h), ST_OK);
    double gx = 0, gy = 0;
    st_som_unit_xy(h, 2, &gx, &gy);
    CHECK_NEAR(gx, 0.5, 0);
    CHECK_NEAR(gx * gx + gy * gy, 1.0, 1e-12);
    int32_t ul[4];
    CHECK_EQ_INT(st_som_cluster(ctx, h, x, 10, 5, 1, ul), ST_EDATA);
    st_som_free(h);
    st_som_free(NULL);
    o.rows = 0;
    CHECK_EQ_INT(st_som_train(ctx, x, n, d, &o, &h), ST_EINVAL);
    CHECK(h == NULL);
    free(x);
    free(truth);
    free(bmu);
    free(seg);
    st_context_free(ctx);
    T_DONE();
}
