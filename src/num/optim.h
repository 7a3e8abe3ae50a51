/*
** optim.h -- a small dense BFGS minimiser for the model fits (a handful of parameters), with a Wolfe line
** search that treats a non-finite objective as "step too long" instead of failing, and a numeric Hessian
** from central differences of the gradient for standard errors.
*/
#ifndef STRATA_NUM_OPTIM_H
#define STRATA_NUM_OPTIM_H

#include <stddef.h>

#define ST__OPT_MAXDIM 8

/* Objective: returns f(x) and, when g is not NULL, writes the gradient. A non-finite return is allowed and
** means "outside the region where the model is defined". */
typedef double (*st__objfn)(const double *x, double *g, void *ud);

typedef enum st__opt_result {
    ST__OPT_GTOL = 0,      /* gradient small enough: converged */
    ST__OPT_FTOL = 1,      /* no further decrease possible at double precision: converged */
    ST__OPT_MAXITER = 2,   /* iteration limit reached */
    ST__OPT_LINESEARCH = 3,/* the line search found no acceptable step away from a stationary point */
    ST__OPT_NONFINITE = 4  /* the objective is not finite at the start */
} st__opt_result;

typedef struct st__opt_info {
    st__opt_result result;
    int iterations;
    int evaluations;
    double f;
    double gnorm;  /* max-norm of the final gradient */
} st__opt_info;

/* Minimises fn from x (n <= ST__OPT_MAXDIM), updating x in place. Converges when the max-norm of the
** gradient is below gtol * max(1, |f|), or when no step decreases f any more while the gradient is below
** 1000 * gtol (the limit of double precision). */
void st__bfgs(st__objfn fn, void *ud, double *x, size_t n, double gtol, int max_iter, st__opt_info *info);

/* Hessian of fn at x by central differences of its gradient, symmetrised; h is n*n row-major.
** Returns 0 when every entry is finite. */
int st__num_hessian(st__objfn fn, void *ud, const double *x, size_t n, double *h);

#endif
