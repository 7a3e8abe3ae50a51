/*
** test_predict.c -- the batch predictions (st_btyd_predict, st_btyd_clv) against one-row calls: the same
** bits for every row with 1 and 3 threads, with the BG/NBD factor table (pairs repeat) and without it
** (every (x, T) distinct), for bgnbd, mbgnbd and pnbd; the first failing row named in errors.
*/
#include "failalloc.h"
#include "strata.h"
#include "test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N 20000

static double X[N], TX[N], TT[N], MB[N];
static double pa1[N], ex1[N], clv1[N], pa2[N], ex2[N], clv2[N];

static st_btyd_model *model(st_context *ctx, const char *kind, const char *const names[4], const double p[4])
{
    char js[512];
    snprintf(js, sizeof js,
             "{\"format\": \"strata-model\", \"version\": 1, \"model\": \"%s\", \"params\": {\"%s\": %.17g, "
             "\"%s\": %.17g, \"%s\": %.17g, \"%s\": %.17g}, \"time_unit\": \"day\"}",
             kind, names[0], p[0], names[1], p[1], names[2], p[2], names[3], p[3]);
    st_btyd_model *m = NULL;
    CHECK(st_btyd_from_json(ctx, js, strlen(js), &m) == ST_OK && m != NULL);
    return m;
}

static st_btyd_model *gg_model(st_context *ctx)
{
    const char *js = "{\"format\": \"strata-model\", \"version\": 1, \"model\": \"gg\", \"params\": {\"p\": 6.25, "
                     "\"q\": 3.74, \"gamma\": 15.4}}";
    st_btyd_model *m = NULL;
    CHECK(st_btyd_from_json(ctx, js, strlen(js), &m) == ST_OK && m != NULL);
    return m;
}

/* distinct = 0: few (x, T) pairs (whole days); 1: every T distinct (no table) */
static void make_rows(int distinct)
{
    unsigned s = 12345u;
    for (size_t i = 0; i < N; i++) {
        s = s * 1103515245u + 12345u;
        double x = (double)((s >> 16) % 12);
        s = s * 1103515245u + 12345u;
        double T = 30.0 + (double)((s >> 16) % 60) + (distinct ? (double)i * 1e-6 : 0.0);
        s = s * 1103515245u + 12345u;
        double tx = x > 0.0 ? floor(T * (double)((s >> 16) % 1000) / 1000.0) : 0.0;
        X[i] = x;
        TX[i] = tx;
        TT[i] = T;
        MB[i] = x > 0.0 ? 5.0 + (double)(i % 17) : 0.0;
    }
}

static void same_as_one_row_calls(st_context *ctx, const st_btyd_model *m, const st_btyd_model *gg)
{
    for (int threads = 1; threads <= 3; threads += 2) {
        st_context_set_threads(ctx, threads);
        CHECK(st_btyd_predict(ctx, m, X, TX, TT, N, 52.0, pa1, ex1) == ST_OK);
        CHECK(st_btyd_clv(ctx, m, gg, X, TX, TT, MB, N, 52.0, 0.0, 0.1, 1.0, clv1) == ST_OK);
        int diff = 0;
        for (size_t i = 0; i < N; i += 7) {
            CHECK(st_btyd_predict(ctx, m, &X[i], &TX[i], &TT[i], 1, 52.0, &pa2[i], &ex2[i]) == ST_OK);
            CHECK(st_btyd_clv(ctx, m, gg, &X[i], &TX[i], &TT[i], &MB[i], 1, 52.0, 0.0, 0.1, 1.0, &clv2[i]) == ST_OK);
            diff += memcmp(&pa1[i], &pa2[i], sizeof pa1[i]) != 0 || memcmp(&ex1[i], &ex2[i], sizeof ex1[i]) != 0 ||
                    memcmp(&clv1[i], &clv2[i], sizeof clv1[i]) != 0;
        }
        CHECK(diff == 0);
        CHECK(clv1[0] >= 0.0 && isfinite(clv1[N - 1]));
    }
}

static void errors(st_context *ctx, const st_btyd_model *m)
{
    st_context_set_threads(ctx, 2);
    double keep = TX[15000];
    TX[15000] = TT[15000] + 5.0; /* tx > T */
    CHECK(st_btyd_clv(ctx, m, NULL, X, TX, TT, MB, N, 52.0, 0.0, 0.1, 1.0, clv1) == ST_EDATA);
    CHECK(strstr(st_errmsg(ctx), "row 15001") != NULL);
    CHECK(st_btyd_predict(ctx, m, X, TX, TT, N, 52.0, pa1, ex1) == ST_EDATA);
    CHECK(strstr(st_errmsg(ctx), "row 15001") != NULL);
    TX[15000] = keep;
    double km = MB[9000];
    MB[9000] = NAN; /* spend taken as given without a gg model: CLV not finite */
    CHECK(st_btyd_clv(ctx, m, NULL, X, TX, TT, MB, N, 52.0, 0.0, 0.1, 1.0, clv1) == ST_ERANGE);
    CHECK(strstr(st_errmsg(ctx), "row 9001") != NULL);
    MB[9000] = km;
    CHECK(st_btyd_clv(ctx, m, NULL, X, TX, TT, MB, N, 1e7, 1.0, 0.1, 1.0, clv1) == ST_EINVAL); /* steps */
}

/* Every allocation of a prediction and a CLV run (two threads, with the factor table) made to fail once. */
static st_status torture_job(t_failer *f, void *arg)
{
    (void)arg;
    st_context *ctx = t_failing_context(f);
    if (!ctx) return ST_ENOMEM;
    st_context_set_threads(ctx, 2);
    static const char *const BG[4] = {"r", "alpha", "a", "b"};
    static const double P_BG[4] = {0.243, 4.414, 0.793, 2.426};
    char js[512];
    snprintf(js, sizeof js,
             "{\"format\": \"strata-model\", \"version\": 1, \"model\": \"bgnbd\", \"params\": {\"%s\": %.17g, "
             "\"%s\": %.17g, \"%s\": %.17g, \"%s\": %.17g}, \"time_unit\": \"day\"}",
             BG[0], P_BG[0], BG[1], P_BG[1], BG[2], P_BG[2], BG[3], P_BG[3]);
    st_btyd_model *m = NULL;
    st_status rc = st_btyd_from_json(ctx, js, strlen(js), &m);
    if (rc == ST_OK) rc = st_btyd_predict(ctx, m, X, TX, TT, 9000, 52.0, pa1, ex1);
    if (rc == ST_OK) rc = st_btyd_clv(ctx, m, NULL, X, TX, TT, MB, 9000, 52.0, 0.0, 0.1, 1.0, clv1);
    if (rc != ST_OK && st_errmsg(ctx)[0] == '\0') {
        t_failures++;
        fprintf(stderr, "failure %d without a message\n", rc);
    }
    st_btyd_free(m);
    st_context_free(ctx);
    return rc;
}

int main(void)
{
    st_context *ctx = NULL;
    if (st_context_new(&ctx) != ST_OK) return 1;
    static const char *const BG[4] = {"r", "alpha", "a", "b"};
    static const char *const PN[4] = {"r", "alpha", "s", "beta"};
    static const double P_BG[4] = {0.243, 4.414, 0.793, 2.426}, P_PN[4] = {0.5534, 10.5802, 0.6061, 11.6562};
    st_btyd_model *bg = model(ctx, "bgnbd", BG, P_BG), *mbg = model(ctx, "mbgnbd", BG, P_BG);
    st_btyd_model *pn = model(ctx, "pnbd", PN, P_PN), *gg = gg_model(ctx);
    for (int distinct = 0; distinct <= 1; distinct++) {
        make_rows(distinct);
        same_as_one_row_calls(ctx, bg, gg);
        same_as_one_row_calls(ctx, mbg, gg);
    }
    make_rows(0);
    same_as_one_row_calls(ctx, pn, NULL);
    errors(ctx, bg);
    make_rows(0);
    t_alloc_torture("predictions", torture_job, NULL);
    st_btyd_free(bg);
    st_btyd_free(mbg);
    st_btyd_free(pn);
    st_btyd_free(gg);
    st_context_free(ctx);
    T_DONE();
}
