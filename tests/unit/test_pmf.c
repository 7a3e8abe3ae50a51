/*
** test_pmf.c -- probability of n purchases: st_btyd_pmf (new customer) and st_btyd_conditional_pmf (one
** customer over (T, T+t]) for bgnbd, mbgnbd, pnbd and bgbb. Laws checked: the PMFs sum to 1, their means
** are E[X(t)] and the conditional expectation of st_btyd_predict, the BG/NBD P(X = 0) equals the
** pymc-marketing closed form, the published BG/NBD values hold, nothing is NaN in extreme cases.
*/
#include "strata.h"
#include "test.h"

#include <stdio.h>

#define KBIG 3000

static double pbuf[KBIG + 1];

/* A model with given parameters through the public MODEL.json reader. */
static st_btyd_model *model(st_context *ctx, const char *kind, const char *const names[4], const double p[4])
{
    char js[512];
    snprintf(js, sizeof js,
             "{\"format\": \"strata-model\", \"version\": 1, \"model\": \"%s\", \"params\": {\"%s\": %.17g, "
             "\"%s\": %.17g, \"%s\": %.17g, \"%s\": %.17g}}",
             kind, names[0], p[0], names[1], p[1], names[2], p[2], names[3], p[3]);
    st_btyd_model *m = NULL;
    st_status rc = st_btyd_from_json(ctx, js, strlen(js), &m);
    CHECK(rc == ST_OK && m != NULL);
    return m;
}

static const char *const BG[4] = {"r", "alpha", "a", "b"};
static const char *const PN[4] = {"r", "alpha", "s", "beta"};
static const char *const BB[4] = {"alpha", "beta", "gamma", "delta"};

/* CDNOW paper values (clv_anchors 2.2, 2.3, 2.5), the donations BG/BB, and a pnbd with alpha > beta (the
** other branch of the death-term series). */
static const double P_BG[4] = {0.243, 4.414, 0.793, 2.426};
static const double P_MBG[4] = {0.525, 6.183, 0.891, 1.614};
static const double P_PN[4] = {0.5534, 10.5802, 0.6061, 11.6562};
static const double P_PN2[4] = {0.8, 14.0, 0.45, 6.0};
static const double P_PN3[4] = {0.8, 9.0, 0.45, 9.0}; /* alpha = beta */
static const double P_BB[4] = {1.204, 0.750, 0.657, 2.783};

static double sum(const double *p, size_t n)
{
    double s = 0.0;
    for (size_t k = 0; k < n; k++) s += p[k];
    return s;
}

static double mean(const double *p, size_t n)
{
    double s = 0.0;
    for (size_t k = 0; k < n; k++) s += (double)k * p[k];
    return s;
}

static int all_prob(const double *p, size_t n)
{
    for (size_t k = 0; k < n; k++)
        if (!(p[k] >= 0.0 && p[k] <= 1.0 + 1e-12)) return 0;
    return 1;
}

/* The published BG/NBD values (lifetimes vs R BTYD; clv_anchors 2.8). */
static void bgnbd_anchors(st_context *ctx)
{
    st_btyd_model *m = model(ctx, "bgnbd", BG, P_BG);
    static const double p30[10] = {0.0019995214, 0.0015170236, 0.0011633150, 0.0009003148, 0.0007023638,
                                   0.0005517902, 0.0004361913, 0.0003467171, 0.0002769613, 0.0002222260};
    CHECK(st_btyd_pmf(ctx, m, 2.0, 10, pbuf) == ST_OK);
    CHECK_REL(pbuf[10], 1.07869e-07, 1e-4);
    CHECK(st_btyd_pmf(ctx, m, 39.0, 0, pbuf) == ST_OK);
    CHECK_NEAR(pbuf[0], 0.5737864, 1e-6);
    CHECK(st_btyd_pmf(ctx, m, 30.0, 20, pbuf) == ST_OK);
    for (int k = 0; k < 10; k++) CHECK_NEAR(pbuf[11 + k], p30[k], 1e-9);
    st_btyd_free(m);
}

/* BG/BB on the donations data (Fader, Hardie & Shang 2010; lifetimes checks it to 0 decimals): expected
** number of the 11,104 donors with 0 and 6 repeat donations in 6 periods, 3454.9 and 1253.1. */
static void bgbb_anchor(st_context *ctx)
{
    static const double mle[4] = {1.203507, 0.7497667, 0.6567568, 2.783887};
    st_btyd_model *m = model(ctx, "bgbb", BB, mle);
    CHECK(st_btyd_pmf(ctx, m, 6.0, 6, pbuf) == ST_OK);
    CHECK_NEAR(11104.0 * pbuf[0], 3454.9, 0.5);
    CHECK_NEAR(11104.0 * pbuf[6], 1253.1, 0.5);
    st_btyd_free(m);
}

/* Unconditional: sums to 1 and mean = E[X(t)] for each model. */
static void unconditional_laws(st_context *ctx)
{
    struct {
        const char *kind;
        const char *const *names;
        const double *p;
        double t;
    } cases[] = {
        {"bgnbd", BG, P_BG, 39.0},   {"bgnbd", BG, P_BG, 1.0},    {"mbgnbd", BG, P_MBG, 39.0},
        {"mbgnbd", BG, P_MBG, 0.5},  {"pnbd", PN, P_PN, 39.0},    {"pnbd", PN, P_PN, 3.0},
        {"pnbd", PN, P_PN2, 39.0},   {"pnbd", PN, P_PN3, 20.0},   {"bgbb", BB, P_BB, 6.0},
        {"bgbb", BB, P_BB, 10.0},    {"bgbb", BB, P_BB, 25.0},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        st_btyd_model *m = model(ctx, cases[c].kind, cases[c].names, cases[c].p);
        double e = NAN;
        CHECK(st_btyd_pmf(ctx, m, cases[c].t, KBIG, pbuf) == ST_OK);
        CHECK(st_btyd_expected_population(ctx, m, &cases[c].t, 1, &e) == ST_OK);
        CHECK(all_prob(pbuf, KBIG + 1));
        CHECK_NEAR(sum(pbuf, KBIG + 1), 1.0, 1e-9);
        CHECK_REL(mean(pbuf, KBIG + 1), e, 1e-8);
        if (strcmp(cases[c].kind, "bgbb") == 0) CHECK(pbuf[(size_t)cases[c].t + 1] == 0.0);
        st_btyd_free(m);
    }
    /* MBG/NBD puts more mass on 0 than BG/NBD with the same parameters (drop-out at time 0). */
    st_btyd_model *bg = model(ctx, "bgnbd", BG, P_MBG), *mbg = model(ctx, "mbgnbd", BG, P_MBG);
    double p0bg, p0mbg;
    CHECK(st_btyd_pmf(ctx, bg, 10.0, 0, &p0bg) == ST_OK);
    CHECK(st_btyd_pmf(ctx, mbg, 10.0, 0, &p0mbg) == ST_OK);
    CHECK(p0mbg > p0bg);
    st_btyd_free(bg);
    st_btyd_free(mbg);
}

/* Conditional: sums to 1, mean = st_btyd_predict's expected purchases, P(X = 0) >= 1 - P(alive). */
static void conditional_laws(st_context *ctx)
{
    struct {
        const char *kind;
        const char *const *names;
        const double *p;
    } models[] = {{"bgnbd", BG, P_BG}, {"mbgnbd", BG, P_MBG}, {"pnbd", PN, P_PN}, {"pnbd", PN, P_PN2}};
    static const double cust[][3] = {{0, 0, 38.86}, {2, 30.43, 38.86}, {26, 30.857143, 31}, {1, 2, 30},
                                     {10, 20, 39},  {5, 38.9, 39}};
    static const double hor[] = {1.0, 39.0, 52.0};
    for (size_t j = 0; j < sizeof models / sizeof models[0]; j++) {
        st_btyd_model *m = model(ctx, models[j].kind, models[j].names, models[j].p);
        for (size_t i = 0; i < sizeof cust / sizeof cust[0]; i++)
            for (size_t h = 0; h < sizeof hor / sizeof hor[0]; h++) {
                double x = cust[i][0], tx = cust[i][1], T = cust[i][2], pa, ex;
                CHECK(st_btyd_conditional_pmf(ctx, m, x, tx, T, hor[h], KBIG, pbuf) == ST_OK);
                CHECK(st_btyd_predict(ctx, m, &x, &tx, &T, 1, hor[h], &pa, &ex) == ST_OK);
                CHECK(all_prob(pbuf, KBIG + 1));
                CHECK_NEAR(sum(pbuf, KBIG + 1), 1.0, 1e-9);
                CHECK_REL(mean(pbuf, KBIG + 1), ex, 1e-6);
                if (strcmp(models[j].kind, "pnbd") != 0) CHECK(pbuf[0] >= 1.0 - pa - 1e-12);
            }
        st_btyd_free(m);
    }
    /* BG/BB on the donations data: 6 calibration periods, the next 5 and 10. */
    st_btyd_model *bb = model(ctx, "bgbb", BB, P_BB);
    static const double bbc[][2] = {{0, 0}, {2, 4}, {4, 5}, {6, 6}, {1, 1}};
    for (size_t i = 0; i < sizeof bbc / sizeof bbc[0]; i++)
        for (double h = 5.0; h <= 10.0; h += 5.0) {
            double x = bbc[i][0], tx = bbc[i][1], n = 6.0, pa, ex;
            CHECK(st_btyd_conditional_pmf(ctx, bb, x, tx, n, h, 20, pbuf) == ST_OK);
            CHECK(st_btyd_predict(ctx, bb, &x, &tx, &n, 1, h, &pa, &ex) == ST_OK);
            CHECK(all_prob(pbuf, 21));
            CHECK_NEAR(sum(pbuf, 21), 1.0, 1e-9);
            CHECK_REL(mean(pbuf, 21), ex, 1e-6);
            CHECK(pbuf[(size_t)h + 1] == 0.0);
        }
    /* Less than one period ahead: no purchase for sure. */
    CHECK(st_btyd_conditional_pmf(ctx, bb, 2, 4, 6, 0.5, 3, pbuf) == ST_OK);
    CHECK_NEAR(pbuf[0], 1.0, 1e-14);
    CHECK(pbuf[1] == 0.0);
    st_btyd_free(bb);
}

static double lbeta(double a, double b) { return lgamma(a) + lgamma(b) - lgamma(a + b); }

/* BG/NBD P(X(T, T+t) = 0): for x > 0 the pymc-marketing `expected_probability_no_purchase` form (Hardie,
** "A step-by-step derivation of the BG/NBD model", eq. 34), for x = 0 (alive for sure) ((a+T)/(a+T+t))^r. */
static void bgnbd_no_purchase(st_context *ctx)
{
    st_btyd_model *m = model(ctx, "bgnbd", BG, P_BG);
    double r = P_BG[0], al = P_BG[1], a = P_BG[2], b = P_BG[3];
    static const double cust[][3] = {{2, 30.43, 38.86}, {26, 30.857143, 31}, {1, 2, 30}, {10, 20, 39},
                                     {5, 38.9, 39},     {200, 38, 40}};
    for (size_t i = 0; i < sizeof cust / sizeof cust[0]; i++)
        for (double t = 1.0; t <= 100.0; t *= 10.0) {
            double x = cust[i][0], tx = cust[i][1], T = cust[i][2];
            double E = al + tx, F = al + T + t, M = al + T;
            double KE = lbeta(a + 1.0, b + x - 1.0) - (r + x) * log(E);
            double KF = lbeta(a, b + x) - (r + x) * log(F);
            double KM = lbeta(a, b + x) - (r + x) * log(M);
            double K1 = fmax(KE, KF), K2 = fmax(KE, KM);
            double want = exp(K1 - K2) * (exp(KE - K1) + exp(KF - K1)) / (exp(KE - K2) + exp(KM - K2));
            CHECK(st_btyd_conditional_pmf(ctx, m, x, tx, T, t, 0, pbuf) == ST_OK);
            CHECK_REL(pbuf[0], want, 1e-12);
        }
    CHECK(st_btyd_conditional_pmf(ctx, m, 0, 0, 38.86, 52, 0, pbuf) == ST_OK);
    CHECK_REL(pbuf[0], pow((al + 38.86) / (al + 38.86 + 52), r), 1e-12);
    /* the batch churn score: (1 - P(alive)) + P(alive) ((alpha + T) / (alpha + T + H))^(r + x) */
    double xs[4] = {2, 0, 10, NAN}, txs[4] = {30.43, 0, 20, 1}, Ts[4] = {38.86, 38.86, 39, 2}, pn[4];
    CHECK(st_btyd_p_no_purchase(ctx, m, xs, txs, Ts, 4, 52.0, pn) == ST_OK);
    for (size_t i = 0; i < 3; i++) {
        double x = xs[i], tx = txs[i], T = Ts[i];
        double pa = x == 0 ? 1.0 : 1.0 / (1.0 + a / (b + x - 1.0) * pow((al + T) / (al + tx), r + x));
        CHECK_REL(pn[i], (1.0 - pa) + pa * pow((al + T) / (al + T + 52.0), r + x), 1e-12);
    }
    CHECK(isnan(pn[3]));
    CHECK(st_btyd_p_no_purchase(ctx, m, xs, txs, Ts, 3, 0.0, pn) == ST_OK);
    CHECK(pn[0] == 1.0 && pn[1] == 1.0 && pn[2] == 1.0);
    double bad_tx = 50;
    CHECK(st_btyd_p_no_purchase(ctx, m, xs, &bad_tx, Ts, 1, 52.0, pn) == ST_EDATA);
    CHECK(strstr(st_errmsg(ctx), "row 1") != NULL);
    CHECK(st_btyd_p_no_purchase(ctx, m, xs, txs, Ts, 1, -1.0, pn) == ST_EINVAL);
    st_btyd_free(m);
}

/* A conditional customer with x = 0 and T = 0 is a new customer (BG/NBD: alive; Pareto/NBD: alive at 0). */
static void conditional_is_new_customer(st_context *ctx)
{
    static double a[51], b[51];
    st_btyd_model *bg = model(ctx, "bgnbd", BG, P_BG), *pn = model(ctx, "pnbd", PN, P_PN);
    CHECK(st_btyd_pmf(ctx, bg, 20.0, 50, a) == ST_OK);
    CHECK(st_btyd_conditional_pmf(ctx, bg, 0, 0, 0, 20.0, 50, b) == ST_OK);
    for (int k = 0; k <= 50; k++) CHECK_REL(a[k], b[k], 1e-12);
    CHECK(st_btyd_pmf(ctx, pn, 20.0, 50, a) == ST_OK);
    CHECK(st_btyd_conditional_pmf(ctx, pn, 0, 0, 0, 20.0, 50, b) == ST_OK);
    for (int k = 0; k <= 50; k++) CHECK_REL(a[k], b[k], 1e-10);
    st_btyd_free(bg);
    st_btyd_free(pn);
}

/* Extreme inputs: x = 500 with tx close to T, very long windows, the overflow parameters of lifetimes'
** tests, k up to 500 -- every value a finite probability. */
static void extremes(st_context *ctx)
{
    static const double ovf[4] = {10.465, 0.00798565, 3.0516, 2.820};
    struct {
        const char *kind;
        const char *const *names;
        const double *p;
    } models[] = {{"bgnbd", BG, P_BG}, {"mbgnbd", BG, P_MBG}, {"pnbd", PN, P_PN}, {"pnbd", PN, ovf},
                  {"pnbd", PN, P_PN2}};
    static const double cust[][3] = {{500, 99.999, 100}, {500, 100, 100}, {500, 10, 100}, {0, 0, 1e-9},
                                     {1000, 10, 100}};
    static const double hor[] = {1e-6, 52.0, 1e6};
    for (size_t j = 0; j < sizeof models / sizeof models[0]; j++) {
        st_btyd_model *m = model(ctx, models[j].kind, models[j].names, models[j].p);
        for (size_t h = 0; h < sizeof hor / sizeof hor[0]; h++) {
            CHECK(st_btyd_pmf(ctx, m, hor[h], 500, pbuf) == ST_OK);
            CHECK(all_prob(pbuf, 501));
            CHECK(sum(pbuf, 501) <= 1.0 + 1e-9);
            for (size_t i = 0; i < sizeof cust / sizeof cust[0]; i++) {
                st_status rc = st_btyd_conditional_pmf(ctx, m, cust[i][0], cust[i][1], cust[i][2], hor[h], 500, pbuf);
                CHECK(rc == ST_OK);
                if (rc) fprintf(stderr, "  %s: %s\n", models[j].kind, st_errmsg(ctx));
                CHECK(all_prob(pbuf, 501));
                CHECK(sum(pbuf, 501) <= 1.0 + 1e-9);
            }
        }
        st_btyd_free(m);
    }
    /* A tiny window: almost surely no purchase. */
    st_btyd_model *pn = model(ctx, "pnbd", PN, P_PN);
    CHECK(st_btyd_pmf(ctx, pn, 1e-6, 2, pbuf) == ST_OK);
    CHECK_NEAR(pbuf[0], 1.0, 1e-6);
    CHECK(pbuf[2] < 1e-12);
    st_btyd_free(pn);
    /* BG/BB: 500 purchases in 500 periods, and a long window. */
    st_btyd_model *bb = model(ctx, "bgbb", BB, P_BB);
    CHECK(st_btyd_conditional_pmf(ctx, bb, 500, 500, 500, 1000, 500, pbuf) == ST_OK);
    CHECK(all_prob(pbuf, 501));
    CHECK(st_btyd_pmf(ctx, bb, 20000, 500, pbuf) == ST_OK);
    CHECK(all_prob(pbuf, 501));
    st_btyd_free(bb);
}

static void errors(st_context *ctx)
{
    st_btyd_model *bg = model(ctx, "bgnbd", BG, P_BG), *bb = model(ctx, "bgbb", BB, P_BB);
    static const char *const GG[4] = {"p", "q", "gamma", "unused"};
    static const double pg[4] = {6.25, 3.74, 15.44, 1.0};
    st_btyd_model *gg = model(ctx, "gg", GG, pg);
    CHECK(st_btyd_pmf(ctx, gg, 5.0, 3, pbuf) == ST_EINVAL);
    CHECK(st_btyd_conditional_pmf(ctx, gg, 1, 1, 2, 5.0, 3, pbuf) == ST_EINVAL);
    CHECK(strstr(st_errmsg(ctx), "gg") != NULL);
    CHECK(st_btyd_pmf(ctx, bg, 0.0, 3, pbuf) == ST_EINVAL);
    CHECK(st_btyd_pmf(ctx, bg, -1.0, 3, pbuf) == ST_EINVAL);
    CHECK(st_btyd_pmf(ctx, bg, NAN, 3, pbuf) == ST_EINVAL);
    CHECK(st_btyd_pmf(ctx, bg, INFINITY, 3, pbuf) == ST_EINVAL);
    CHECK(st_btyd_pmf(ctx, bg, 1.0, 3, NULL) == ST_EINVAL);
    CHECK(st_btyd_pmf(ctx, NULL, 1.0, 3, pbuf) == ST_EINVAL);
    CHECK(st_btyd_conditional_pmf(ctx, bg, 1, 1, 2, 0.0, 3, pbuf) == ST_EINVAL);
    CHECK(st_btyd_conditional_pmf(ctx, bg, 1, 3, 2, 1.0, 3, pbuf) == ST_EDATA);  /* tx > T */
    CHECK(st_btyd_conditional_pmf(ctx, bg, -1, 0, 2, 1.0, 3, pbuf) == ST_EDATA); /* x < 0 */
    CHECK(st_btyd_conditional_pmf(ctx, bg, 1, 1, 2, 1.0, 3, NULL) == ST_EINVAL);
    CHECK(st_btyd_conditional_pmf(ctx, bb, 7, 6, 6, 1.0, 3, pbuf) == ST_EDATA); /* x > n */
    CHECK(st_btyd_pmf(ctx, bb, 200001.0, 3, pbuf) == ST_EINVAL);
    st_btyd_free(gg);
    st_btyd_free(bb);
    st_btyd_free(bg);
}

int main(void)
{
    st_context *ctx = NULL;
    if (st_context_new(&ctx) != ST_OK) return 1;
    bgnbd_anchors(ctx);
    bgbb_anchor(ctx);
    unconditional_laws(ctx);
    conditional_laws(ctx);
    bgnbd_no_purchase(ctx);
    conditional_is_new_customer(ctx);
    extremes(ctx);
    errors(ctx);
    st_context_free(ctx);
    T_DONE();
}
