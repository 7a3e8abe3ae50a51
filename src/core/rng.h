/*
** rng.h -- the library's one pseudo-random generator: xoshiro256** (Blackman & Vigna) seeded through
** splitmix64, with the distributions the stages need (simulation, k-means, SOM, DQN, Monte-Carlo).
** Every random choice in Strata takes an explicit seed; there is no global generator.
**
** Streams. Results must not depend on the number of threads, so work that runs in parallel draws from
** independent streams keyed by what it works on, never by which thread runs it:
**   st__rng_seed_stream(&g, seed, i)   a generator for item i (customer, restart, episode ...) of a run
**   st__rng_jump(&g)                   advances g by 2^128 draws: 2^128 non-overlapping subsequences
** Both give statistically independent sequences; seed_stream is the one to use when items are numbered.
**
** Thread-safety: an st_rng is a plain value; use one per thread (or per item). Functions never fail and
** never allocate. All doubles come out finite unless a parameter is infinite or NaN (which callers must
** have rejected: the parameters below are documented as preconditions, not checked).
*/
#ifndef STRATA_RNG_H
#define STRATA_RNG_H

#include <stdint.h>

typedef struct st_rng {
    uint64_t s[4];
} st_rng;

/* One step of splitmix64 on *state (which it advances); also a good 64-bit mixer for hashing keys. */
uint64_t st__rng_splitmix64(uint64_t *state);

/* Seeds g from a 64-bit seed (any value, 0 included): the four words come from splitmix64. */
void st__rng_seed(st_rng *g, uint64_t seed);

/* Seeds g for sub-stream `stream` of run `seed`: (seed, stream) pairs give unrelated sequences, and
** stream 0 differs from st__rng_seed(seed). Use it to give item i of a parallel job its own generator. */
void st__rng_seed_stream(st_rng *g, uint64_t seed, uint64_t stream);

/* Advances g by 2^128 draws (the xoshiro256 jump polynomial). */
void st__rng_jump(st_rng *g);

/* The next 64 random bits. */
uint64_t st__rng_next(st_rng *g);

/* Uniform on the open interval (0, 1): never 0 or 1, so log(u) and 1/u are safe. 53 random bits. */
double st__rng_uniform(st_rng *g);

/* Uniform integer in [0, n) without modulo bias (rejection sampling, as OpenBSD's arc4random_uniform);
** n == 0 gives 0. */
uint64_t st__rng_below(st_rng *g, uint64_t n);

/* Standard normal N(0, 1) (Marsaglia polar method; the spare value is dropped so the generator state is
** the only state). */
double st__rng_normal(st_rng *g);

/* Exponential with rate 1 (mean 1); divide by a rate for other rates. */
double st__rng_exponential(st_rng *g);

/* log of a Gamma(shape, rate 1) draw, shape > 0. For shape < 1 the draw itself can underflow to 0
** (shape 0.01 gives values like 1e-300), so products and ratios of gammas are best formed from logs. */
double st__rng_log_gamma(st_rng *g, double shape);

/* Gamma(shape, rate 1), shape > 0: Marsaglia & Tsang (2000), with the shape < 1 boost
** Gamma(shape) = Gamma(shape + 1) * U^(1/shape). Mean shape, variance shape. Divide by a rate (or
** multiply by a scale) for other rates. May return 0 for tiny shapes (see st__rng_log_gamma). */
double st__rng_gamma(st_rng *g, double shape);

/* Beta(a, b), a > 0, b > 0, as X / (X + Y) with X ~ Gamma(a), Y ~ Gamma(b), formed from logs so tiny
** shapes give values in [0, 1] rather than NaN. Mean a / (a + b). */
double st__rng_beta(st_rng *g, double a, double b);

/* Poisson(mean), mean >= 0: Knuth's product of uniforms below mean 10, Hormann's PTRS (transformed
** rejection with squeeze, 1993) above. Returns 0 for mean <= 0. Results saturate at UINT64_MAX / 2. */
uint64_t st__rng_poisson(st_rng *g, double mean);

/* Geometric: the number of Bernoulli(p) trials up to and including the first success, so the support is
** 1, 2, 3 ... and the mean 1 / p (numpy's convention). 0 < p <= 1; p >= 1 gives 1. Saturates at
** UINT64_MAX / 2 for tiny p. */
uint64_t st__rng_geometric(st_rng *g, double p);

/* Bernoulli: 1 with probability p (p <= 0 never, p >= 1 always). */
int st__rng_bernoulli(st_rng *g, double p);

#endif
