/*
** test_abtest.c -- the eval stage's A/B test statistics: scipy's brentq step for step (a loose xtol lands on
** scipy's iterate, not on the root), and the sample size per arm against statsmodels 0.13 figures
** (NormalIndPower().solve_power(effect_size=proportion_effectsize(t, p), ...), printed with repr).
*/
#include "core/internal.h"
#include "core/json.h"
#include "eval/ab.h"
#include "test.h"

static double cubic(double x, void *ud)
{
    (void)ud;
    return x * x * x - 2.0 * x - 5.0;
}

int main(void)
{
    st_context *ctx = NULL;
    CHECK(st_context_new(&ctx) == ST_OK);
    int conv = 0, serr = 0;
    /* scipy.optimize.brentq(lambda x: x**3 - 2*x - 5, 1, 3, xtol=1e-3) = 2.094586939864208 (root 2.0945514815) */
    double x = st__brentq(cubic, NULL, 1.0, 3.0, 1e-3, 4.0 * 2.220446049250313e-16, 100, &conv, &serr);
    CHECK(conv == 1 && serr == 0);
    CHECK_REL(x, 2.094586939864208, 1e-13);
    (void)st__brentq(cubic, NULL, 3.0, 4.0, 1e-3, 1e-15, 100, &conv, &serr);
    CHECK(serr == 1);

    st_abtest_power_result r;
    CHECK(st_abtest_power(ctx, 0.1, 0.11, 0.05, 0.8, 1.0, &r) == ST_OK);
    CHECK_REL(r.effect_size, 0.03262940076737697, 1e-12);
    CHECK_REL(r.nobs1_exact, 14744.104836925611, 1e-9);
    CHECK(r.nobs1 == 14745.0 && r.nobs2 == 14745.0);
    /* the power there is 0.8 up to brentq's xtol */
    CHECK_NEAR(st__ab_normal_ind_power(r.effect_size, r.nobs1_exact, 0.05, 1.0), 0.8, 1e-8);
    CHECK(st_abtest_power(ctx, 0.5, 0.475, 0.05, 0.8, 3.0, &r) == ST_OK);
    CHECK_REL(r.effect_size, -0.050020856805770064, 1e-12);
    CHECK_REL(r.nobs1_exact, 4182.568808960456, 1e-9);
    CHECK(r.nobs1 == 4183.0 && r.nobs2 == 12548.0);
    CHECK(st_abtest_power(ctx, 0.025, 0.02, 0.01, 0.9, 1.0, &r) == ST_OK);
    CHECK_REL(r.nobs1_exact, 26100.424697388517, 1e-9);

    CHECK(st_abtest_power(ctx, 0.1, 0.1, 0.05, 0.8, 1.0, &r) == ST_EINVAL);
    CHECK(st_abtest_power(ctx, 0.0, 0.1, 0.05, 0.8, 1.0, &r) == ST_EINVAL);
    CHECK(st_abtest_power(ctx, 0.1, 1.1, 0.05, 0.8, 1.0, &r) == ST_EINVAL);
    CHECK(st_abtest_power(ctx, 0.1, 0.2, 1.0, 0.8, 1.0, &r) == ST_EINVAL);
    CHECK(st_abtest_power(ctx, 0.1, 0.2, 0.05, 0.8, 0.0, &r) == ST_EINVAL);
    CHECK(st_abtest_power(ctx, 0.1, 0.2, 0.05, 0.8, 1.0, NULL) == ST_EINVAL);
    CHECK(st_abtest_power(NULL, 0.1, 0.2, 0.05, 0.8, 1.0, &r) == ST_OK);
    /* an effect so large that fewer than 2 per arm suffice: no root in statsmodels' bracket */
    CHECK(st_abtest_power(ctx, 0.001, 1.0, 0.05, 0.8, 1.0, &r) == ST_EDATA);

    /* P(p_B > p_A), p_B ~ Beta(2, 5), p_A ~ Beta(4, 2): 31/462 (scipy quad 0.06709956709956712) */
    CHECK_REL(st__ab_prob_better(2.0, 5.0, 4.0, 2.0), 31.0 / 462.0, 1e-13);
    CHECK_REL(1.0 - st__ab_prob_better(4.0, 2.0, 2.0, 5.0), 31.0 / 462.0, 1e-13);
    /* A treatment far worse than the control: the probability is tiny and must keep its relative precision
    ** (1 - a sum near 1 would give 0 or noise). Exact values from rational arithmetic (Python fractions, the
    ** same sum with B(a, b) = (a-1)! (b-1)! / (a+b-1)!), successes / n per arm: */
    static const struct { double st, nt, sc, nc, p; } pbx[] = {
        {10, 1000, 30, 100, 3.4492078442528376e-26},   /* at <= ac */
        {200, 5000, 40, 200, 1.2202224087343707e-16},  /* at > ac: the old complement gave ~1e-16 noise */
        {5, 2000, 60, 300, 2.1090690232669895e-50},
        {3, 10, 5, 12, 0.30010768609503297},
        {50, 400, 5, 400, 0.99999999998546996},
    };
    for (size_t k = 0; k < sizeof pbx / sizeof pbx[0]; k++) {
        double got = st__ab_prob_better(1 + pbx[k].st, 1 + pbx[k].nt - pbx[k].st, 1 + pbx[k].sc, 1 + pbx[k].nc - pbx[k].sc);
        CHECK_REL(got, pbx[k].p, 1e-9);
        /* and its complement, from the other arm's side */
        double q = st__ab_prob_better(1 + pbx[k].sc, 1 + pbx[k].nc - pbx[k].sc, 1 + pbx[k].st, 1 + pbx[k].nt - pbx[k].st);
        CHECK_REL(q + got, 1.0, 1e-12);
    }
    /* the tail 1 - P of the strongly better arm (50/400 vs 5/400): 1.4530011186656634e-11 exactly */
    CHECK_REL(st__ab_prob_better(6, 396, 51, 351), 1.4530011186656634e-11, 1e-9);
    double pv[3] = {0.01, 0.04, 0.03};
    size_t idx[3];
    st__ab_adjust(pv, 3, 2, idx); /* holm */
    CHECK_REL(pv[0], 0.03, 1e-15);
    CHECK_REL(pv[1], 0.06, 1e-15);
    CHECK_REL(pv[2], 0.06, 1e-15);
    double pb[3] = {0.01, 0.04, 0.5};
    st__ab_adjust(pb, 3, 1, idx); /* bonferroni */
    CHECK_REL(pb[0], 0.03, 1e-15);
    CHECK_REL(pb[1], 0.12, 1e-15);
    CHECK(pb[2] == 1.0);

    /* arm A: y = 1 1 0 1, arm B: 0 1 0 0 0. Pooled p 4/9, diff -0.55, se 1/3: z = -1.65 */
    st_table *t = NULL;
    CHECK(st_table_new(ctx, "id", 9, &t) == ST_OK);
    CHECK(st_table_add_str(t, "arm") == ST_OK);
    const double y[9] = {1, 0, 1, 1, 0, 0, 1, 0, 0};
    const char *arm[9] = {"A", "B", "A", "B", "B", "A", "A", "B", "B"};
    for (size_t i = 0; i < 9; i++) CHECK(st_table_set_str(t, 1, i, arm[i]) == ST_OK);
    CHECK(st_table_add_f64(t, "y", ST_COL_F64, y) == ST_OK);
    const char *metrics[1] = {"y"};
    char *json = NULL;
    size_t len = 0;
    CHECK(st_abtest_analyze(ctx, t, "t.csv", "arm", NULL, metrics, 1, NULL, 0.05, ST_ABTEST_HOLM, NULL, 0, &json, &len) ==
          ST_OK);
    st_json *root = NULL;
    CHECK(json && st__json_parse(ctx, json, len, "out", &root) == ST_OK);
    const st_json *c0 = st__json_at(st__json_get(root, "comparisons"), 0);
    CHECK_STR(st__json_string(st__json_get(c0, "treatment")), "B");
    CHECK_STR(st__json_string(st__json_get(c0, "control")), "A");
    CHECK_STR(st__json_string(st__json_get(c0, "kind")), "binary");
    CHECK_REL(st__json_number(st__json_get(c0, "diff")), -0.55, 1e-14);
    CHECK_REL(st__json_number(st__json_get(c0, "statistic")), -1.65, 1e-13);
    CHECK_REL(st__json_number(st__json_get(c0, "lift")), 0.2 / 0.75 - 1.0, 1e-14);
    CHECK_REL(st__json_number(st__json_get(c0, "prob_better")), 31.0 / 462.0, 1e-13);
    const st_json *srm = st__json_get(root, "srm"); /* counts 4, 5 against 4.5 each: chi2 = 2 (0.5^2 / 4.5) = 1/9 */
    CHECK_REL(st__json_number(st__json_get(srm, "chi2")), 1.0 / 9.0, 1e-14);
    CHECK(st__json_type(st__json_get(root, "cuped")) == ST_JSON_ARRAY && st__json_len(st__json_get(root, "cuped")) == 0);
    st__json_free(ctx, root);
    st_free(ctx, json);
    /* control rate 0 (binary) and control mean 0 (continuous): lift and lift_ci are null, the rest stands */
    {
        const double z0[9] = {0, 0, 0, 1, 1, 0, 0, 0, 0}; /* A all 0; B 2/5 */
        const double c0v[9] = {-1, 2, 1, 3, 5, 1, -1, 0, 4}; /* A mean 0; B mean 2.8 */
        CHECK(st_table_add_f64(t, "z0", ST_COL_F64, z0) == ST_OK);
        CHECK(st_table_add_f64(t, "c0", ST_COL_F64, c0v) == ST_OK);
        const char *m0[2] = {"z0", "c0"};
        CHECK(st_abtest_analyze(ctx, t, "t.csv", "arm", NULL, m0, 2, NULL, 0.05, ST_ABTEST_HOLM, NULL, 0, &json, &len) ==
              ST_OK);
        CHECK(json && strstr(json, "inf") == NULL && strstr(json, "nan") == NULL);
        CHECK(json && st__json_parse(ctx, json, len, "out", &root) == ST_OK);
        for (size_t k = 0; k < 2; k++) {
            const st_json *ck = st__json_at(st__json_get(root, "comparisons"), k);
            CHECK(st__json_type(st__json_get(ck, "lift")) == ST_JSON_NULL);
            CHECK(st__json_type(st__json_get(ck, "lift_ci")) == ST_JSON_NULL);
            CHECK(st__json_type(st__json_get(ck, "diff_ci")) == ST_JSON_ARRAY);
        }
        CHECK_REL(st__json_number(st__json_get(st__json_at(st__json_get(root, "comparisons"), 0), "diff")), 0.4, 1e-14);
        st__json_free(ctx, root);
        st_free(ctx, json);
    }
    /* CUPED with x = 1..9: theta = Sxy / Sxx over both arms */
    const double xc[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    CHECK(st_table_add_f64(t, "x", ST_COL_F64, xc) == ST_OK);
    CHECK(st_abtest_analyze(ctx, t, "t.csv", "arm", NULL, metrics, 1, "x", 0.05, ST_ABTEST_HOLM, NULL, 0, &json, &len) ==
          ST_OK);
    CHECK(json && st__json_parse(ctx, json, len, "out", &root) == ST_OK);
    const st_json *cu = st__json_at(st__json_get(root, "cuped"), 0);
    /* mean x 5, mean y 4/9: Sxy = sum x y - 9 * 5 * 4/9 = (1+3+4+7) - 20 = -5, Sxx = 60 */
    CHECK_REL(st__json_number(st__json_get(cu, "theta")), -5.0 / 60.0, 1e-14);
    st__json_free(ctx, root);
    st_free(ctx, json);
    CHECK(st_abtest_analyze(ctx, t, "t.csv", "arm", NULL, metrics, 1, "nox", 0.05, ST_ABTEST_HOLM, NULL, 0, &json, &len) ==
          ST_EINVAL);
    /* a NaN outcome: file:row */
    double *ym = st_table_f64_mut(t, 2);
    ym[4] = NAN;
    CHECK(st_abtest_analyze(ctx, t, "t.csv", "arm", NULL, metrics, 1, NULL, 0.05, ST_ABTEST_HOLM, NULL, 0, &json, &len) ==
          ST_EDATA);
    CHECK(json == NULL);
    CHECK(strstr(st_errmsg(ctx), "t.csv:6:") != NULL);
    CHECK(st_abtest_analyze(ctx, t, "t.csv", "arm", "Z", metrics, 1, NULL, 0.05, ST_ABTEST_HOLM, NULL, 0, &json, &len) ==
          ST_EDATA);
    CHECK(st_abtest_analyze(ctx, t, "t.csv", "nope", NULL, metrics, 1, NULL, 0.05, ST_ABTEST_HOLM, NULL, 0, &json, &len) ==
          ST_EINVAL);
    st_table_free(t);
    st_context_free(ctx);
    T_DONE();
}
