/*
** test_rng.c -- the random generator: reference outputs of splitmix64 / xoshiro256**, determinism and
** stream independence, and the moments of every distribution (fixed seeds, tolerances of ~5 standard
** errors, so the checks are exact and reproducible rather than flaky).
*/
#include "core/rng.h"
#include "test.h"

#include <stdint.h>

#define N 200000

typedef struct moments {
    double mean, var;
} moments;

static moments moments_of(const double *x, size_t n)
{
    double m = 0.0, s = 0.0;
    for (size_t i = 0; i < n; i++) m += x[i];
    m /= (double)n;
    for (size_t i = 0; i < n; i++) s += (x[i] - m) * (x[i] - m);
    return (moments){m, s / (double)(n - 1)};
}

static double buf[N];

/* Checks mean and variance of n draws against the truth: the mean within k standard errors, the variance
** within rel_var relative error (its standard error depends on the fourth moment, so a relative bound). */
static void check_moments(const char *what, double mean, double var, double rel_var)
{
    moments m = moments_of(buf, N);
    double se = sqrt(var / N);
    if (fabs(m.mean - mean) > 5.0 * se || fabs(m.var - var) > rel_var * var)
        fprintf(stderr, "%s: mean %.6g (want %.6g, se %.3g), var %.6g (want %.6g)\n", what, m.mean, mean, se,
                m.var, var);
    CHECK_NEAR(m.mean, mean, 5.0 * se);
    CHECK_REL(m.var, var, rel_var);
}

static void test_reference_values(void)
{
    uint64_t state = 0;
    CHECK(st__rng_splitmix64(&state) == 0xE220A8397B1DCDAFULL);
    st_rng g = {{1, 2, 3, 4}};
    CHECK(st__rng_next(&g) == 11520ULL);
    CHECK(st__rng_next(&g) == 0ULL);
    CHECK(st__rng_next(&g) == 1509978240ULL);
    CHECK(st__rng_next(&g) == 1215971899390074240ULL);
}

static void test_determinism_and_streams(void)
{
    st_rng a, b, c, d;
    st__rng_seed(&a, 42);
    st__rng_seed(&b, 42);
    st__rng_seed(&c, 43);
    int same_ab = 1, same_ac = 1;
    for (int i = 0; i < 1000; i++) {
        uint64_t x = st__rng_next(&a), y = st__rng_next(&b), z = st__rng_next(&c);
        same_ab &= x == y;
        same_ac &= x == z;
    }
    CHECK(same_ab);
    CHECK(!same_ac);

    /* Neighbouring streams and neighbouring seeds must not share outputs. */
    st__rng_seed_stream(&a, 42, 1);
    st__rng_seed_stream(&b, 42, 2);
    st__rng_seed_stream(&c, 43, 1);
    st__rng_seed(&d, 42);
    int collisions = 0;
    for (int i = 0; i < 1000; i++) {
        uint64_t x = st__rng_next(&a), y = st__rng_next(&b), z = st__rng_next(&c), w = st__rng_next(&d);
        collisions += (x == y) + (x == z) + (y == z) + (x == w);
    }
    CHECK_EQ_INT(collisions, 0);
    st__rng_seed_stream(&a, 42, 7);
    st__rng_seed_stream(&b, 42, 7);
    CHECK(st__rng_next(&a) == st__rng_next(&b));

    /* Correlation of uniforms across consecutive streams (the per-customer streams of the simulator). */
    double sxy = 0.0;
    for (uint64_t s = 0; s < 20000; s++) {
        st__rng_seed_stream(&a, 5, s);
        st__rng_seed_stream(&b, 5, s + 1);
        sxy += (st__rng_uniform(&a) - 0.5) * (st__rng_uniform(&b) - 0.5);
    }
    CHECK_NEAR(sxy / 20000.0 * 12.0, 0.0, 0.04);

    st__rng_seed(&a, 9);
    b = a;
    st__rng_jump(&b);
    CHECK(st__rng_next(&a) != st__rng_next(&b));
    c = a;
    st__rng_jump(&c);
    CHECK(memcmp(&b, &c, sizeof b) == 0); /* the jump is linear, so it commutes with stepping */
}

static void test_uniform_normal_exponential(void)
{
    st_rng g;
    st__rng_seed(&g, 1);
    double lo = 1.0, hi = 0.0;
    for (size_t i = 0; i < N; i++) {
        buf[i] = st__rng_uniform(&g);
        if (buf[i] < lo) lo = buf[i];
        if (buf[i] > hi) hi = buf[i];
    }
    CHECK(lo > 0.0 && hi < 1.0);
    check_moments("uniform", 0.5, 1.0 / 12.0, 0.02);

    for (size_t i = 0; i < N; i++) buf[i] = st__rng_normal(&g);
    check_moments("normal", 0.0, 1.0, 0.02);

    for (size_t i = 0; i < N; i++) buf[i] = st__rng_exponential(&g);
    check_moments("exponential", 1.0, 1.0, 0.03);

    uint64_t counts[7] = {0};
    for (size_t i = 0; i < 70000; i++) {
        uint64_t k = st__rng_below(&g, 7);
        CHECK(k < 7);
        if (k < 7) counts[k]++;
    }
    for (int k = 0; k < 7; k++) CHECK_NEAR((double)counts[k], 10000.0, 400.0);
    CHECK(st__rng_below(&g, 0) == 0);
    CHECK(st__rng_below(&g, 1) == 0);
}

static void test_gamma_beta(void)
{
    st_rng g;
    st__rng_seed(&g, 2);
    const double shapes[] = {0.05, 0.3, 0.75, 1.0, 2.5, 6.0, 40.0};
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        double k = shapes[s];
        for (size_t i = 0; i < N; i++) buf[i] = st__rng_gamma(&g, k);
        char what[32];
        snprintf(what, sizeof what, "gamma(%g)", k);
        /* The variance of a sample variance grows with the kurtosis 6/k: loosen for small shapes. */
        check_moments(what, k, k, k < 0.5 ? 0.25 : 0.05);
    }
    /* log_gamma agrees in distribution: E[log X] = digamma(k); for k = 1, -Euler's gamma. */
    for (size_t i = 0; i < N; i++) buf[i] = st__rng_log_gamma(&g, 1.0);
    check_moments("log gamma(1)", -0.57721566490153286, 1.6449340668482264, 0.03);
    /* Tiny shapes underflow as values but stay finite in logs. */
    double lg = st__rng_log_gamma(&g, 0.001);
    CHECK(isfinite(lg));

    const double ab[][2] = {{0.8, 2.5}, {2.0, 3.0}, {0.5, 0.5}, {10.0, 1.0}};
    for (size_t s = 0; s < sizeof ab / sizeof ab[0]; s++) {
        double a = ab[s][0], b = ab[s][1];
        for (size_t i = 0; i < N; i++) buf[i] = st__rng_beta(&g, a, b);
        char what[48];
        snprintf(what, sizeof what, "beta(%g, %g)", a, b);
        check_moments(what, a / (a + b), a * b / ((a + b) * (a + b) * (a + b + 1.0)), 0.03);
    }
    int ok = 1;
    for (int i = 0; i < 10000; i++) {
        double x = st__rng_beta(&g, 0.01, 0.01);
        ok &= x >= 0.0 && x <= 1.0;
    }
    CHECK(ok);
}

static void test_discrete(void)
{
    st_rng g;
    st__rng_seed(&g, 3);
    const double means[] = {0.5, 5.0, 9.99, 10.0, 50.0, 1000.0};
    for (size_t s = 0; s < sizeof means / sizeof means[0]; s++) {
        double m = means[s];
        for (size_t i = 0; i < N; i++) buf[i] = (double)st__rng_poisson(&g, m);
        char what[32];
        snprintf(what, sizeof what, "poisson(%g)", m);
        check_moments(what, m, m, 0.03);
    }
    CHECK(st__rng_poisson(&g, 0.0) == 0);
    CHECK(st__rng_poisson(&g, -1.0) == 0);
    /* P(0) of Poisson(10) is exp(-10): the PTRS branch must give the right mass at the low end too. */
    size_t zeros_or_ones = 0;
    for (size_t i = 0; i < N; i++) zeros_or_ones += st__rng_poisson(&g, 12.0) <= 4;
    CHECK_NEAR((double)zeros_or_ones / N, 0.0076004, 0.0012); /* P(X <= 4), X ~ Poisson(12) */

    const double ps[] = {0.2, 0.5, 0.9};
    for (size_t s = 0; s < sizeof ps / sizeof ps[0]; s++) {
        double p = ps[s];
        int ok = 1;
        for (size_t i = 0; i < N; i++) {
            uint64_t k = st__rng_geometric(&g, p);
            ok &= k >= 1;
            buf[i] = (double)k;
        }
        CHECK(ok);
        char what[32];
        snprintf(what, sizeof what, "geometric(%g)", p);
        check_moments(what, 1.0 / p, (1.0 - p) / (p * p), 0.04);
    }
    CHECK(st__rng_geometric(&g, 1.0) == 1);

    size_t hits = 0;
    for (size_t i = 0; i < N; i++) hits += (size_t)st__rng_bernoulli(&g, 0.3);
    CHECK_NEAR((double)hits / N, 0.3, 0.005);
    CHECK(st__rng_bernoulli(&g, 0.0) == 0);
    CHECK(st__rng_bernoulli(&g, 1.0) == 1);
}

int main(void)
{
    test_reference_values();
    test_determinism_and_streams();
    test_uniform_normal_exponential();
    test_gamma_beta();
    test_discrete();
    T_DONE();
}
