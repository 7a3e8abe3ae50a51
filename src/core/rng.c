/*
** rng.c -- xoshiro256** seeded through splitmix64, and the distributions built on it (see rng.h).
** Deliberately free of libm calls that touch global state (lgamma sets signgam), so generators can run on
** several threads at once.
*/
#include "core/rng.h"

#include <math.h>

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

/* The splitmix64 output function: a bijection on 64 bits with full avalanche. */
static inline uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

uint64_t st__rng_splitmix64(uint64_t *state)
{
    *state += 0x9E3779B97F4A7C15ULL;
    return mix64(*state);
}

static void seed_from_state(st_rng *g, uint64_t state)
{
    /* Four distinct inputs to a bijection: at most one word can be 0, so the state is never all zero. */
    for (int i = 0; i < 4; i++) g->s[i] = st__rng_splitmix64(&state);
}

void st__rng_seed(st_rng *g, uint64_t seed) { seed_from_state(g, seed); }

void st__rng_seed_stream(st_rng *g, uint64_t seed, uint64_t stream)
{
    /* Starting splitmix64 from seed + k * golden for consecutive k would make neighbouring streams share
    ** three of their four state words; hashing (seed, stream) scatters the starting points instead. */
    uint64_t h = mix64(seed ^ 0x6A09E667F3BCC909ULL);
    seed_from_state(g, mix64(h + mix64(stream ^ 0xBB67AE8584CAA73BULL)));
}

uint64_t st__rng_next(st_rng *g)
{
    uint64_t *s = g->s;
    const uint64_t result = rotl(s[1] * 5, 7) * 9;
    const uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

void st__rng_jump(st_rng *g)
{
    static const uint64_t JUMP[] = {0x180ec6d33cfd0abaULL, 0xd5a61266f0c9392cULL, 0xa9582618e03fc9aaULL,
                                    0x39abdc4529b1661cULL};
    uint64_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (int i = 0; i < 4; i++)
        for (int b = 0; b < 64; b++) {
            if (JUMP[i] & ((uint64_t)1 << b)) {
                s0 ^= g->s[0];
                s1 ^= g->s[1];
                s2 ^= g->s[2];
                s3 ^= g->s[3];
            }
            st__rng_next(g);
        }
    g->s[0] = s0;
    g->s[1] = s1;
    g->s[2] = s2;
    g->s[3] = s3;
}

double st__rng_uniform(st_rng *g)
{
    /* The midpoints of 2^53 equal cells: symmetric, and never exactly 0 or 1. */
    return ((double)(st__rng_next(g) >> 11) + 0.5) * 0x1.0p-53;
}

uint64_t st__rng_below(st_rng *g, uint64_t n)
{
    if (n == 0) return 0;
    /* Reject the 2^64 mod n lowest values so every residue is equally likely (as OpenBSD's
    ** arc4random_uniform); fewer than one draw in two is rejected, whatever n is. */
    const uint64_t threshold = (0 - n) % n;
    for (;;) {
        uint64_t x = st__rng_next(g);
        if (x >= threshold) return x % n;
    }
}

double st__rng_normal(st_rng *g)
{
    for (;;) {
        double u = 2.0 * st__rng_uniform(g) - 1.0;
        double v = 2.0 * st__rng_uniform(g) - 1.0;
        double s = u * u + v * v;
        if (s < 1.0 && s > 0.0) return u * sqrt(-2.0 * log(s) / s);
    }
}

double st__rng_exponential(st_rng *g) { return -log(st__rng_uniform(g)); }

/* Marsaglia & Tsang for shape >= 1: a squeeze accepts ~98% of draws without a log. */
static double gamma_mt(st_rng *g, double shape)
{
    const double d = shape - 1.0 / 3.0;
    const double c = 1.0 / sqrt(9.0 * d);
    for (;;) {
        double x, v;
        do {
            x = st__rng_normal(g);
            v = 1.0 + c * x;
        } while (v <= 0.0);
        v = v * v * v;
        double u = st__rng_uniform(g);
        double x2 = x * x;
        if (u < 1.0 - 0.0331 * x2 * x2) return d * v;
        if (log(u) < 0.5 * x2 + d * (1.0 - v + log(v))) return d * v;
    }
}

double st__rng_log_gamma(st_rng *g, double shape)
{
    if (shape >= 1.0) return log(gamma_mt(g, shape));
    /* Boost: Gamma(shape) = Gamma(shape + 1) * U^(1/shape), added in logs so it cannot underflow. */
    double lg = log(gamma_mt(g, shape + 1.0));
    return lg + log(st__rng_uniform(g)) / shape;
}

double st__rng_gamma(st_rng *g, double shape)
{
    if (shape >= 1.0) return gamma_mt(g, shape);
    return exp(st__rng_log_gamma(g, shape));
}

double st__rng_beta(st_rng *g, double a, double b)
{
    double lx = st__rng_log_gamma(g, a);
    double ly = st__rng_log_gamma(g, b);
    /* X / (X + Y) = 1 / (1 + exp(ly - lx)): finite even when both gammas underflow. */
    return 1.0 / (1.0 + exp(ly - lx));
}

/* log(k!) without lgamma (which writes the global signgam): exact table, then Stirling's series, whose
** error at k + 1 >= 10 is below 1e-13. */
static double log_factorial(double k)
{
    static const double table[10] = {0.0,
                                     0.0,
                                     0.69314718055994531,
                                     1.7917594692280550,
                                     3.1780538303479458,
                                     4.7874917427820460,
                                     6.5792512120101010,
                                     8.5251613610654143,
                                     10.604602902745251,
                                     12.801827480081469};
    if (k < 10.0) return table[(int)k];
    double n = k + 1.0, n2 = n * n;
    return (n - 0.5) * log(n) - n + 0.91893853320467274 +
           (1.0 / 12.0 - (1.0 / 360.0 - 1.0 / (1260.0 * n2)) / n2) / n;
}

#define RNG_SATURATE ((double)(UINT64_MAX / 2))

uint64_t st__rng_poisson(st_rng *g, double mean)
{
    if (!(mean > 0.0)) return 0;
    if (mean < 10.0) {
        const double limit = exp(-mean);
        double prod = st__rng_uniform(g);
        uint64_t k = 0;
        while (prod > limit) {
            prod *= st__rng_uniform(g);
            k++;
        }
        return k;
    }
    /* PTRS: transformed rejection with squeeze (Hormann 1993), as numpy does. */
    const double slam = sqrt(mean), loglam = log(mean);
    const double b = 0.931 + 2.53 * slam;
    const double a = -0.059 + 0.02483 * b;
    const double log_invalpha = log(1.1239 + 1.1328 / (b - 3.4));
    const double vr = 0.9277 - 3.6224 / (b - 2.0);
    for (;;) {
        double u = st__rng_uniform(g) - 0.5;
        double v = st__rng_uniform(g);
        double us = 0.5 - fabs(u);
        double k = floor((2.0 * a / us + b) * u + mean + 0.43);
        if (k >= RNG_SATURATE) return UINT64_MAX / 2;
        if (us >= 0.07 && v <= vr) {
            if (k < 0.0) continue;
            return (uint64_t)k;
        }
        if (k < 0.0 || (us < 0.013 && v > us)) continue;
        if (log(v) + log_invalpha - log(a / (us * us) + b) <= -mean + k * loglam - log_factorial(k))
            return (uint64_t)k;
    }
}

uint64_t st__rng_geometric(st_rng *g, double p)
{
    if (p >= 1.0) return 1;
    if (!(p > 0.0)) return UINT64_MAX / 2;
    /* Inversion: the smallest k with 1 - (1-p)^k >= 1 - U. log(U) < 0 strictly, so k >= 1. */
    double k = ceil(log(st__rng_uniform(g)) / log1p(-p));
    if (!(k < RNG_SATURATE)) return UINT64_MAX / 2;
    return k < 1.0 ? 1 : (uint64_t)k;
}

int st__rng_bernoulli(st_rng *g, double p) { return st__rng_uniform(g) < p; }
