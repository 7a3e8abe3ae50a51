/*
** test_stats.c -- num/stats and the incomplete beta / gamma in num/specfun: selection and quantiles against
** numpy, ranks against scipy, and the normal, t and chi-square distributions against scipy 1.10 values
** (generated with /usr/bin/python3; each table names the call that produced it).
*/
#include "num/specfun.h"
#include "num/stats.h"
#include "test.h"

#include <stdint.h>

typedef struct xy {
    double x, y;
} xy;
typedef struct xdy {
    double x, df, y;
} xdy;

/* scipy.stats.norm.cdf(x) */
static const xy norm_cdf_ref[] = {
    {-40.0, 0.0},
    {-37.5, 4.605353009581954e-308},
    {-10.0, 7.61985302416047e-24},
    {-5.0, 2.866515718791933e-07},
    {-1.5, 0.06680720126885807},
    {-0.3, 0.3820885778110474},
    {0.0, 0.5},
    {0.5, 0.6914624612740131},
    {2.0, 0.9772498680518208},
    {8.0, 0.9999999999999993},
};
/* scipy.stats.norm.sf(x) */
static const xy norm_sf_ref[] = {
    {1.5, 0.06680720126885807},
    {5.0, 2.866515718791933e-07},
    {10.0, 7.61985302416047e-24},
    {30.0, 4.906713927147908e-198},
    {-2.0, 0.9772498680518208},
};
/* scipy.stats.norm.ppf(p) (scipy's ndtri) */
static const xy norm_ppf_ref[] = {
    {1e-300, -37.0470962993612},
    {1e-20, -9.262340089798409},
    {1e-10, -6.361340902404056},
    {0.001, -3.090232306167813},
    {0.025, -1.9599639845400545},
    {0.3, -0.5244005127080409},
    {0.5, 0.0},
    {0.8, 0.8416212335729143},
    {0.975, 1.959963984540054},
    {0.999999, 4.753424308817087},
};
/* scipy.stats.t.sf(t, df) */
static const xdy t_sf_ref[] = {
    {2.1, 10.0, 0.031038622101109265},
    {-3.5, 4.5, 0.9897291550153072},
    {0.3, 1.0, 0.4072264209222577},
    {1.2, 2.0, 0.17650168038968478},
    {25.0, 3.0, 7.01656949787743e-05},
    {60.0, 7.25, 2.3994715364747033e-11},
    {4.0, 1000.0, 3.4004959604390776e-05},
    {2.5, 1000000.0, 0.006209744751081614},
    {0.5, 30.0, 0.31036150244256366},
    {10.0, 12.5, 1.2637519317337587e-07},
    {0.001, 5.0, 0.4996203933860988},
    {40.0, 150.5, 2.1996139105745837e-82},
    {4.0, 10000000.0, 3.1671469345084386e-05},
    {1.7, 1000000000.0, 0.04456546291402977},
};
/* scipy.stats.t.cdf(t, df) */
static const xdy t_cdf_ref[] = {
    {-2.1, 10.0, 0.031038622101109265},
    {3.5, 4.5, 0.9897291550153072},
    {-25.0, 3.0, 7.01656949787743e-05},
    {-8.0, 2.5, 0.0038283220655217225},
};
/* The root of scipy.stats.t.sf(t, df) = q, by
**   scipy.optimize.brentq(lambda t: t.sf(t, df) / q - 1, t0 * (1 - 1e-6), t0 * (1 + 1e-6), xtol=1e-300, rtol=8.9e-16)
** with t0 = scipy.stats.t.isf(q, df): scipy 1.10's own t.isf (CDFLIB's cdft search) is only good to ~1e-9,
** which the comments show. */
static const xdy t_isf_ref[] = {
    {0.025, 10.0, 2.228138851986274}, /* t.isf gives 2.2281388519649385 */
    {0.05, 4.5, 2.065575888878524}, /* t.isf gives 2.0655758871440955 */
    {1e-06, 3.0, 103.29946778041928}, /* t.isf gives 103.29946802190557 */
    {1e-12, 7.5, 83.91697345403483}, /* t.isf gives 83.91697345403442 */
    {0.4, 20.0, 0.2567427538545019}, /* t.isf gives 0.25674275429236676 */
    {0.001, 1000.0, 3.0984021639129224}, /* t.isf gives 3.098402163912876 */
    {0.01, 1.0, 31.820515953773956}, /* t.isf gives 31.820515953757607 */
    {0.2, 2.0, 1.060660171779821}, /* t.isf gives 1.060660171779822 */
    {1e-30, 2.5, 876543788227.9967}, /* t.isf gives 876543790316.3363 */
    {0.025, 1000000.0, 1.9599663568141064}, /* t.isf gives 1.959966356814107 */
};
/* scipy.stats.chi2.sf(x, df) */
static const xdy chi2_sf_ref[] = {
    {3.84, 1.0, 0.05004352124870519},
    {100.0, 10.0, 5.4497019829205215e-17},
    {0.5, 3.0, 0.9188914116546758},
    {500.0, 400.0, 0.00048221275959343273},
    {0.001, 2.5, 0.999934027829081},
    {2000.0, 1500.0, 5.809910989761926e-17},
    {30.0, 1.0, 4.3204630578274955e-08},
    {10000.0, 9000.0, 3.031801838549065e-13},
};
/* scipy.stats.chi2.cdf(x, df) */
static const xdy chi2_cdf_ref[] = {
    {3.84, 1.0, 0.9499564787512949},
    {0.5, 3.0, 0.08110858834532418},
    {0.001, 2.5, 6.597217091898461e-05},
    {450.0, 500.0, 0.05305968722805805},
};

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* Relative agreement, with exact zeros compared exactly. */
static void check_rel_tab(double got, double want, double rel)
{
    if (want == 0.0) CHECK(got == 0.0);
    else CHECK_REL(got, want, rel);
}

static void test_normal(void)
{
    /* scipy's ndtr rounds x / sqrt 2 and so loses about x^2 * 1e-16 in the tails (its Phi(-5) and Phi(-10)
    ** are 2e-15 and 7e-15 below the true 2.86651571879193911674e-07 and 7.61985302416052606597e-24, which
    ** st__norm_cdf matches to 1e-16); the tolerance follows that. */
    for (size_t i = 0; i < N_OF(norm_cdf_ref); i++) {
        double x = norm_cdf_ref[i].x;
        check_rel_tab(st__norm_cdf(x), norm_cdf_ref[i].y, 1e-15 * (1.0 + 0.5 * x * x));
    }
    for (size_t i = 0; i < N_OF(norm_sf_ref); i++) {
        double x = norm_sf_ref[i].x;
        check_rel_tab(st__norm_sf(x), norm_sf_ref[i].y, 1e-15 * (1.0 + 0.5 * x * x));
    }
    CHECK_REL(st__norm_cdf(-5.0), 2.86651571879193911674e-07, 2e-16);
    CHECK_REL(st__norm_cdf(-10.0), 7.61985302416052606597e-24, 2e-16);
    for (size_t i = 0; i < N_OF(norm_ppf_ref); i++) {
        check_rel_tab(st__norm_ppf(norm_ppf_ref[i].x), norm_ppf_ref[i].y, 1e-15);
        check_rel_tab(st__norm_isf(norm_ppf_ref[i].x), -norm_ppf_ref[i].y, 1e-15);
    }
    CHECK(st__norm_ppf(0.0) == -HUGE_VAL);
    CHECK(st__norm_ppf(1.0) == HUGE_VAL);
    CHECK(isnan(st__norm_ppf(1.5)));
    CHECK(isnan(st__norm_cdf((double)NAN)));
    /* round trip through the quantile in the lower tail */
    /* round trip through the quantile: a relative error e in x moves the cdf by about x^2 e */
    for (double p = 1e-300; p < 0.5; p *= 7.3) {
        double x = st__norm_ppf(p);
        CHECK_REL(st__norm_cdf(x), p, 1e-15 * (1.0 + x * x));
    }
    CHECK_REL(st__norm_pdf(1.0), 0.24197072451914337, 1e-15); /* scipy.stats.norm.pdf(1.0) */
}

static void test_student_t(void)
{
    for (size_t i = 0; i < N_OF(t_sf_ref); i++) CHECK_REL(st__t_sf(t_sf_ref[i].x, t_sf_ref[i].df), t_sf_ref[i].y, 1e-13);
    /* Many degrees of freedom (x = df / (df + t^2) next to 1): scipy agrees with a quadrature of the density,
    ** scipy.integrate.quad(pdf, t, inf, epsrel=1.2e-14) with ln Gamma((df+1)/2) - ln Gamma(df/2) from its
    ** asymptotic series, which gives 0.006209744751081623 and 0.044565462914029665 for these two. */
    CHECK_REL(st__t_sf(2.5, 1e6), 0.006209744751081623, 1e-14);
    CHECK_REL(st__t_sf(1.7, 1e9), 0.044565462914029665, 1e-14);
    for (size_t i = 0; i < N_OF(t_cdf_ref); i++)
        CHECK_REL(st__t_cdf(t_cdf_ref[i].x, t_cdf_ref[i].df), t_cdf_ref[i].y, 1e-13);
    for (size_t i = 0; i < N_OF(t_isf_ref); i++) {
        double q = t_isf_ref[i].x, df = t_isf_ref[i].df, t = t_isf_ref[i].y;
        CHECK_REL(st__t_isf(q, df), t, 1e-13);
        CHECK_REL(st__t_ppf(q, df), -t, 1e-13);
        CHECK_REL(st__t_sf(st__t_isf(q, df), df), q, 1e-13);
    }
    CHECK(st__t_sf(0.0, 3.0) == 0.5);
    CHECK(st__t_sf(HUGE_VAL, 3.0) == 0.0);
    CHECK(st__t_cdf(HUGE_VAL, 3.0) == 1.0);
    CHECK(st__t_isf(0.5, 7.0) == 0.0);
    CHECK(st__t_ppf(0.0, 7.0) == -HUGE_VAL);
    CHECK(isnan(st__t_sf(1.0, 0.0)));
    CHECK(isnan(st__t_isf(-0.1, 3.0)));
    /* df beyond 1e12 is the normal; large finite df approaches it */
    CHECK(st__t_sf(1.7, 1e13) == st__norm_sf(1.7));
    CHECK_REL(st__t_sf(1.7, 1e11), st__norm_sf(1.7), 1e-10);
    /* round trips over a grid of df and tails, including fractional df (Welch) */
    const double dfs[] = {0.7, 1.0, 1.5, 2.0, 3.3, 9.0, 47.5, 1234.0, 2e5, 3e7};
    for (size_t d = 0; d < N_OF(dfs); d++)
        for (double q = 1e-40; q < 0.5; q *= 11.0) {
            double t = st__t_isf(q, dfs[d]);
            CHECK_REL(st__t_sf(t, dfs[d]), q, 3e-13);
        }
    CHECK_REL(st__t_pdf(0.7, 5.0), 0.28676545757669786, 1e-14); /* scipy.stats.t.pdf(0.7, 5) */
}

static void test_chi2(void)
{
    for (size_t i = 0; i < N_OF(chi2_sf_ref); i++)
        CHECK_REL(st__chi2_sf(chi2_sf_ref[i].x, chi2_sf_ref[i].df), chi2_sf_ref[i].y, 1e-13);
    for (size_t i = 0; i < N_OF(chi2_cdf_ref); i++)
        CHECK_REL(st__chi2_cdf(chi2_cdf_ref[i].x, chi2_cdf_ref[i].df), chi2_cdf_ref[i].y, 1e-13);
    CHECK(st__chi2_sf(0.0, 4.0) == 1.0);
    CHECK(st__chi2_cdf(-1.0, 4.0) == 0.0);
    CHECK(isnan(st__chi2_sf(1.0, -1.0)));
    /* chi-square with 2 df is exponential: sf(x) = exp(-x/2) */
    CHECK_REL(st__chi2_sf(37.0, 2.0), exp(-18.5), 1e-14);
    /* incomplete beta identities: I_x(1, b) = 1 - (1-x)^b, I_x(a, 1) = x^a */
    CHECK_REL(st__ibeta(1.0, 3.5, 0.2, 0.8), 1.0 - pow(0.8, 3.5), 1e-14);
    CHECK_REL(st__ibeta(2.5, 1.0, 0.3, 0.7), pow(0.3, 2.5), 1e-14);
    CHECK_REL(st__ibetac(2.5, 1.0, 0.3, 0.7), 1.0 - pow(0.3, 2.5), 1e-14);
}

/* numpy.quantile(x, p) with x below */
static const double qx[] = {3.5, -1.0, 2.0, 2.0, 7.25, 0.0, 2.0, 11.0, -4.5, 3.5};
static const xy quantile_ref[] = {
    {0.0, -4.5},
    {0.1, -1.3499999999999999},
    {0.25, 0.5},
    {0.5, 2.0},
    {0.77, 3.5},
    {0.9, 7.624999999999998},
    {1.0, 11.0},
};

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void test_select_quantile_rank(void)
{
    enum { NX = sizeof qx / sizeof qx[0] };
    double sorted[NX], w[NX];
    memcpy(sorted, qx, sizeof qx);
    qsort(sorted, NX, sizeof sorted[0], cmp_double);
    for (size_t k = 0; k < NX; k++) {
        memcpy(w, qx, sizeof qx);
        CHECK(st__select_kth(w, NX, k) == sorted[k]);
        for (size_t i = 0; i < k; i++) CHECK(w[i] <= w[k]);
        for (size_t i = k + 1; i < NX; i++) CHECK(w[i] >= w[k]);
    }
    for (size_t i = 0; i < N_OF(quantile_ref); i++) {
        memcpy(w, qx, sizeof qx);
        CHECK(st__quantile(w, NX, quantile_ref[i].x) == quantile_ref[i].y);
        CHECK(st__quantile_sorted(sorted, NX, quantile_ref[i].x) == quantile_ref[i].y);
    }
    memcpy(w, qx, sizeof qx);
    CHECK(isnan(st__quantile(w, NX, 1.5)));
    CHECK(isnan(st__quantile(w, 0, 0.5)));
    w[3] = (double)NAN;
    CHECK(isnan(st__quantile(w, NX, 0.5)));

    /* a larger selection with many ties and an adversarial (sorted, reversed) order */
    enum { NB = 5001 };
    static double big[NB], bs[NB];
    uint64_t s = 12345;
    for (size_t i = 0; i < NB; i++) {
        s = s * 6364136223846793005u + 1442695040888963407u;
        big[i] = (double)(s >> 54); /* 1024 distinct values */
    }
    memcpy(bs, big, sizeof big);
    qsort(bs, NB, sizeof bs[0], cmp_double);
    const size_t ks[] = {0, 1, 2500, 4999, 5000};
    for (size_t j = 0; j < N_OF(ks); j++) {
        double tmp[NB];
        memcpy(tmp, big, sizeof big);
        CHECK(st__select_kth(tmp, NB, ks[j]) == bs[ks[j]]);
        memcpy(tmp, bs, sizeof bs);
        CHECK(st__select_kth(tmp, NB, ks[j]) == bs[ks[j]]);
        for (size_t i = 0; i < NB; i++) tmp[i] = bs[NB - 1 - i];
        CHECK(st__select_kth(tmp, NB, ks[j]) == bs[ks[j]]);
    }

    /* scipy.stats.rankdata(x) */
    const double rank_ref[NX] = {7.5, 2.0, 5.0, 5.0, 9.0, 3.0, 5.0, 10.0, 1.0, 7.5};
    double rk[NX];
    st_context *ctx = NULL;
    CHECK(st_context_new(&ctx) == ST_OK);
    CHECK(st__rank_average(ctx, qx, NX, rk) == ST_OK);
    for (size_t i = 0; i < NX; i++) CHECK(rk[i] == rank_ref[i]);
    memcpy(w, qx, sizeof qx);
    w[0] = (double)NAN;
    CHECK(st__rank_average(ctx, w, NX, rk) == ST_EINVAL);
    CHECK(st__rank_average(ctx, qx, 0, rk) == ST_OK);
    st_context_free(ctx);
}

int main(void)
{
    test_normal();
    test_student_t();
    test_chi2();
    test_select_quantile_rank();
    T_DONE();
}
