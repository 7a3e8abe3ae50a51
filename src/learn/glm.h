/*
** glm.h -- the layouts of the linear models and their Newton-step accumulator inside the learn stage (the
** JSON file and the fit share them).
*/
#ifndef STRATA_LEARN_GLM_H
#define STRATA_LEARN_GLM_H

#include "learn/design.h"

struct st_glm_acc {
    st_context *ctx;
    st_glm_kind kind;
    size_t p;       /* design columns; q = p + 1 coefficients, the intercept first */
    double *b;      /* q: the coefficients the sums are taken at */
    double *g;      /* q: gradient sums */
    double *h;      /* q x q: Hessian sums, lower triangle used */
    uint64_t rows;  /* rows of non-zero weight */
    double wsum, loss;
};

struct st_glm {
    st_context *ctx;
    st_glm_kind kind;
    st_design *design;
    char *label;
    char *classes[2]; /* logistic: negative, positive */
    double *b;        /* intercept, then one per design column */
    double C;         /* INFINITY = no penalty */
    bool class_weight_balanced;
    double tol;
    int max_iter;
    int iterations;
    double gradient_max, objective, nobs;
    bool converged;
    bool rounding_floor; /* converged with max |g| >= tol: no step could decrease the objective any more */
};

/* Empties a to take sums at b. */
void st__glm_acc_reset(st_glm_acc *a, const double *b);
/* st_glm_acc_add without the checks (the fit checked the data once). */
void st__glm_acc_add_unchecked(st_glm_acc *a, const double *x, size_t nrows, size_t ldx, const double *y,
                               const double *w);

/* The same over a block of nrows rows given by column: design column j at x[j] (nrows values); scratch holds
** 4 * nrows doubles. The fit's path (contiguous columns vectorise, and numeric table columns are not copied). */
void st__glm_acc_add_cols(st_glm_acc *a, const double *const *x, size_t nrows, const double *y, const double *w,
                          double *scratch);

#endif
