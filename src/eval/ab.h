/*
** ab.h -- A/B test statistics (the eval stage): sample size for two proportions as statsmodels 0.13
** computes it (NormalIndPower.solve_power with proportion_effectsize). Internal helpers shared by ab.c.
*/
#ifndef STRATA_EVAL_AB_H
#define STRATA_EVAL_AB_H

#include "core/internal.h"

/* scipy.optimize.brentq (scipy/optimize/Zeros/brentq.c) step for step, so a root found with a loose xtol
** lands on the same iterate as scipy's. f(x, ud). Returns the root; *converged is set to 1 when the
** bracket shrank below xtol + rtol |x| within maxiter iterations, 0 otherwise; *sign_error is set to 1 when
** f(xa) and f(xb) have the same sign (then the return value is NaN). */
double st__brentq(double (*f)(double, void *), void *ud, double xa, double xb, double xtol, double rtol,
                  int maxiter, int *converged, int *sign_error);

/* statsmodels NormalIndPower.power (ddof 0), two-sided: the power of the two-sample z test with effect size
** h, nobs1 in arm 1 and ratio * nobs1 in arm 2. */
double st__ab_normal_ind_power(double h, double nobs1, double alpha, double ratio);

/* P(X > Y) for X ~ Beta(at, bt), Y ~ Beta(ac, bc), all four whole numbers >= 1 (Evan Miller's closed-form sum
** over min(at, bc) or min(ac, bt) terms: the smaller tail is summed, so a tiny probability keeps its relative
** precision). */
double st__ab_prob_better(double at, double bt, double ac, double bc);

/* statsmodels multipletests: adjusted p-values of p[0..m) in place; method 0 none, 1 bonferroni, 2 holm.
** idx is scratch space for m indices. */
void st__ab_adjust(double *p, size_t m, int method, size_t *idx);

#endif
