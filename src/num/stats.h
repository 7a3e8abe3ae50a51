/*
** stats.h -- the statistics floor for evaluation (A/B tests, uplift, bootstrap): selection and quantiles,
** average ranks, and the normal, Student t and chi-square distributions, accurate to ~1e-14 relative in
** the tails so p-values match scipy/statsmodels far below the 1e-9 those comparisons need.
*/
#ifndef STRATA_NUM_STATS_H
#define STRATA_NUM_STATS_H

#include "core/internal.h"

#include <stddef.h>

/* Reorders x[0..n) so that x[k] is the value of rank k (0-based) in ascending order, everything before it
** <= x[k] and everything after it >= x[k], and returns x[k] (quickselect with a median-of-three pivot and
** a three-way partition, so runs of equal values end it at once; expected O(n)). NaN when k >= n. Needs no
** NaN in x. The one selection of the library. */
double st__select_kth(double *x, size_t n, size_t k);

/* The p-quantile (0 <= p <= 1) of n values, defined as numpy.quantile's default ("linear", Hyndman & Fan
** type 7): with h = (n - 1) p, i = floor(h) and g = h - i, the result is x(i) + g (x(i+1) - x(i)) over the
** sorted values x(0) <= ... <= x(n-1), written as numpy writes it (x(i+1) - (x(i+1) - x(i)) (1 - g) when
** g >= 0.5) so the results agree to the last bit. NaN when n = 0, p is outside [0, 1] or x holds a NaN.
** st__quantile reorders x (by selection, O(n)); st__quantile_sorted reads already sorted values. */
double st__quantile(double *x, size_t n, double p);
double st__quantile_sorted(const double *x, size_t n, double p);

/* Ranks 1..n of x into rank, ties sharing the average of their ranks (scipy.stats.rankdata's "average").
** ST_EINVAL when x holds a NaN, ST_ENOMEM when the n-entry scratch cannot be allocated. */
st_status st__rank_average(st_context *ctx, const double *x, size_t n, double *rank);

/* The standard normal: density, P(Z <= x), P(Z > x) (computed directly, not as 1 - cdf), and the
** quantiles: st__norm_ppf(p) solves cdf(x) = p, st__norm_isf(q) solves sf(x) = q (Wichura's AS241, about
** 1e-16 relative). ppf(0) = -inf, ppf(1) = +inf, NaN outside [0, 1]. */
double st__norm_pdf(double x);
double st__norm_cdf(double x);
double st__norm_sf(double x);
double st__norm_ppf(double p);
double st__norm_isf(double q);

/* Student's t with df > 0 degrees of freedom (not necessarily an integer, as Welch's test needs): cdf, sf
** (through the regularized incomplete beta, each tail computed directly), and the quantiles ppf / isf
** (Newton steps on ln sf in ln t from a Cornish-Fisher or tail-asymptote start, bracketed; closed forms for
** df = 1 and 2). df = +inf is the normal; df > 1e12 is treated as it (the difference is below 1e-12). */
double st__t_pdf(double t, double df);
double st__t_cdf(double t, double df);
double st__t_sf(double t, double df);
double st__t_ppf(double p, double df);
double st__t_isf(double q, double df);

/* Chi-square with df > 0 degrees of freedom: P(X <= x) and P(X > x) through the regularized incomplete
** gamma, each computed directly. */
double st__chi2_cdf(double x, double df);
double st__chi2_sf(double x, double df);

#endif
