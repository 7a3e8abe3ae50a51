/*
** test_abtest.c -- the eval stage's A/B test statistics: scipy's brentq step for step (a loose xtol lands on
** scipy's iterate, not on the root), and the sample size per arm against statsmodels 0.13 figures
** (NormalIndPower().solve_power(effect_size=proportion_effectsize(t, p), ...), printed with repr).
*/
#include "core/internal.h"
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
    st_context_free(ctx);
    T_DONE();
}
