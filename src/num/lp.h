/*
** lp.h -- a dense linear-program solver for the small LPs of the decide stage (the occupancy-measure LP of a
** constrained MDP, budget allocations): minimise or maximise c'x subject to A_eq x = b_eq, A_ub x <= b_ub,
** x >= 0, by the two-phase tableau simplex with Dantzig pricing and Bland's rule against cycling.
*/
#ifndef STRATA_NUM_LP_H
#define STRATA_NUM_LP_H

#include "core/internal.h"

typedef enum st__lp_status {
    ST__LP_OPTIMAL = 0,
    ST__LP_INFEASIBLE = 1,  /* phase 1 ends with a positive sum of artificials: no x satisfies the constraints */
    ST__LP_UNBOUNDED = 2,   /* the objective improves without limit along a feasible ray */
    ST__LP_ITERATION_LIMIT = 3
} st__lp_status;

/* The problem. Matrices are dense and row-major with n columns (row i of A_eq at A_eq + i * n); a block
** with zero rows may pass NULL for its matrix and right-hand side. Everything is borrowed for the call. */
typedef struct st__lp {
    size_t n;                  /* variables, all >= 0 */
    size_t m_eq, m_ub;         /* equality and <= rows */
    const double *c;           /* n objective coefficients */
    const double *A_eq, *b_eq; /* m_eq x n, m_eq */
    const double *A_ub, *b_ub; /* m_ub x n, m_ub */
    int maximize;              /* 0: minimise c'x; 1: maximise */
    size_t max_iter;           /* pivots over both phases; 0: 50 (rows + columns) + 10000 */
} st__lp;

/* The answer. The caller provides x (n values); y_eq (m_eq) and y_ub (m_ub) may be NULL. */
typedef struct st__lp_result {
    st__lp_status status;
    double objective;  /* c'x at the optimum (NaN unless optimal) */
    double *x;         /* the optimal vertex (written only when optimal) */
    double *y_eq;      /* marginals d objective / d b_eq, as scipy's eqlin.marginals (optimal only) */
    double *y_ub;      /* marginals d objective / d b_ub (<= 0 when minimising, >= 0 when maximising) */
    size_t iterations; /* pivots of both phases */
} st__lp_result;

/* Solves lp. The status of the LP (optimal, infeasible, unbounded, iteration limit) is res->status: these
** are answers, not errors, so the return is ST_OK for all four. The basis found by the tableau is refined at
** the end: x_B and the marginals are recomputed from the original data by an LU solve of the basis, so the
** tableau's accumulated rounding does not reach the answer. Cost: a tableau of (rows + 2) x (n + m_ub +
** artificials + 1) doubles through the context's allocator and O(rows x columns) per pivot.
** Errors: ST_EINVAL (NULL arguments, n = 0, a non-finite coefficient), ST_ENOMEM. Never prints. */
st_status st__lp_solve(st_context *ctx, const st__lp *lp, st__lp_result *res);

#endif
