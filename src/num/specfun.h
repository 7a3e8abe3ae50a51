/*
** specfun.h -- the special functions the BTYD models need, all in log space where products of gammas
** appear: log-beta, log-sum-exp, digamma, the Pareto/NBD 2F1 with c = a+1 and the BG/NBD expectation series;
** and the regularized incomplete beta and gamma functions behind the t and chi-square distributions.
*/
#ifndef STRATA_NUM_SPECFUN_H
#define STRATA_NUM_SPECFUN_H

#include <stddef.h>

/* ln Gamma(x) for x > 0 (Stirling series above 10, upward recurrence below; ~1e-15). Unlike the C
** library's lgamma it writes no global signgam, so the likelihood sums can run on several threads. */
double st__lgamma(double x);

/* ln B(a, b) for a, b > 0. */
double st__lbeta(double a, double b);

/* ln(e^a + e^b) without overflow; -inf + -inf gives -inf. */
double st__logaddexp(double a, double b);

/* ln sum exp(v[i]) over n values (n >= 1). */
double st__logsumexp(const double *v, size_t n);

/* Digamma psi(x) for x > 0 (recurrence to x >= 10, then the asymptotic series; about 1e-15 relative). */
double st__digamma(double x);

/* Trigamma psi'(x) for x > 0 (recurrence to x >= 10, then the asymptotic series; about 1e-15 relative). */
double st__trigamma(double x);

/* ln 2F1(a, b; a+1; z) for a > 0, a+1-b > 0 and 0 <= z < 1, through the Euler transform
** (1-z)^(1-b) sum (a+1-b)_k / (a+1)_k z^k, whose terms are all positive (no cancellation, no overflow).
** Returns NaN when the arguments are outside that domain. */
double st__log_hyp2f1_a1(double a, double b, double z);

/* The same with its partial derivatives d/da (b fixed), d/db and d/dz (any of them NULL allowed); the
** derivative series ride along the value series (the Pareto/NBD analytic gradient). */
double st__log_hyp2f1_a1_grad(double a, double b, double z, double *da, double *db, double *dz);

/* The factor shared by every BG/NBD-family expectation:
**   N = c/(a-1) * [1 - (1-z)^(r+x) 2F1(r+x, b+x; c; z)],   c = a+b+x-1,
** evaluated after the Euler transform as c*G - (1-z)^(a-1) * sum_{k>=1} (a+b-1-r)_k (a)_{k-1} /
** ((c+1)_{k-1} k!) z^k with G = (1-(1-z)^(a-1))/(a-1), which has no singularity at a = 1, no overflow for
** large x and stays defined when c <= 0. ln1mz = ln(1-z) (pass it directly to keep precision). */
double st__bg_expect_factor(double r, double a, double b, double x, double z, double ln1mz);

/* ln I_x(a, b), the regularized incomplete beta function, for a, b > 0 and 0 <= x <= 1, y = 1 - x (passed
** separately to keep its precision when x is near 1), by the continued fraction on the side where it
** converges fast (x < (a+1)/(a+b+2), else 1 - I_y(b, a)); a small value keeps its relative precision on the
** direct side. Gives -inf at x = 0 and NaN outside the domain. */
double st__log_ibeta(double a, double b, double x, double y);

/* Upper incomplete gamma ln Gamma(s, z) for real s (any sign, not a non-positive integer when z = 0) and
** z > 0. */
double st__log_upper_gamma(double s, double z);

/* The regularized incomplete beta I_x(a, b) and its complement 1 - I_x(a, b), for a, b > 0 and 0 <= x <= 1
** with y = 1 - x passed separately (|x + y - 1| <= 1e-12, else NaN). The smaller of the two comes from the
** continued fraction with a Stirling-form prefactor, so it keeps ~1e-14 relative precision in the tails and
** for large a or b (Student t with many degrees of freedom); the other is 1 minus it. */
double st__ibeta(double a, double b, double x, double y);
double st__ibetac(double a, double b, double x, double y);

/* Both at once, I_x(a, b) into *p and 1 - I_x(a, b) into *q, with lnx = ln x and lny = ln y supplied by a
** caller that knows them better than the logarithm of the rounded x (the t distribution: ln x =
** -log1p(t^2/df)). That removes the error of about a * 1e-16 that x^a takes from a rounded x near 1. */
void st__ibeta_pair_ln(double a, double b, double x, double y, double lnx, double lny, double *p, double *q);

/* The regularized incomplete gamma functions P(s, z) = gamma(s, z) / Gamma(s) and Q(s, z) = 1 - P(s, z) for
** s > 0, z >= 0 (the series of P below z = s + 1, the continued fraction of Q above; ~1e-14 relative on the
** computed side). NaN outside the domain. */
double st__gamma_p(double s, double z);
double st__gamma_q(double s, double z);

#endif
