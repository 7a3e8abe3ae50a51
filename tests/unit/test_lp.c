/*
** test_lp.c -- the dense simplex of num/lp.h on hand-made LPs with known answers: a textbook maximum with
** its marginals, Beale's example (cycles under Dantzig's rule without an anti-cycling rule), redundant and
** negated equalities, degenerate vertices, infeasible, unbounded, the iteration limit and bad arguments.
** Random LPs against scipy's HiGHS are in test_lp_scipy.c.
*/
#include "num/lp.h"
#include "test.h"

static st_context *ctx;

static st__lp_status solve(size_t n, const double *c, int maximize, size_t m_eq, const double *A_eq,
                           const double *b_eq, size_t m_ub, const double *A_ub, const double *b_ub, double *x,
                           double *y_eq, double *y_ub, double *obj)
{
    st__lp lp = {n, m_eq, m_ub, c, A_eq, b_eq, A_ub, b_ub, maximize, 0};
    st__lp_result r = {0};
    r.x = x;
    r.y_eq = y_eq;
    r.y_ub = y_ub;
    CHECK_EQ_INT(st__lp_solve(ctx, &lp, &r), ST_OK);
    *obj = r.objective;
    return r.status;
}

int main(void)
{
    if (st_context_new(&ctx) != ST_OK) return 1;
    double x[8], y[8], ye[8], obj;

    /* Hillier & Lieberman's Wyndor: max 3x + 5y, x <= 4, 2y <= 12, 3x + 2y <= 18 -> 36 at (2, 6), marginals
    ** (0, 1.5, 1). */
    {
        double c[] = {3, 5}, A[] = {1, 0, 0, 2, 3, 2}, b[] = {4, 12, 18};
        CHECK_EQ_INT(solve(2, c, 1, 0, NULL, NULL, 3, A, b, x, NULL, y, &obj), ST__LP_OPTIMAL);
        CHECK_NEAR(obj, 36, 1e-12);
        CHECK_NEAR(x[0], 2, 1e-12);
        CHECK_NEAR(x[1], 6, 1e-12);
        CHECK_NEAR(y[0], 0, 1e-12);
        CHECK_NEAR(y[1], 1.5, 1e-12);
        CHECK_NEAR(y[2], 1, 1e-12);
        /* the same as a minimisation of -c: marginals change sign */
        double cn[] = {-3, -5};
        CHECK_EQ_INT(solve(2, cn, 0, 0, NULL, NULL, 3, A, b, x, NULL, y, &obj), ST__LP_OPTIMAL);
        CHECK_NEAR(obj, -36, 1e-12);
        CHECK_NEAR(y[1], -1.5, 1e-12);
    }
    /* Beale (1955): min -3/4 x1 + 20 x2 - 1/2 x3 + 6 x4 with three <= rows; optimum -5/4 at (1, 0, 1, 0). */
    {
        double c[] = {-0.75, 20, -0.5, 6};
        double A[] = {0.25, -8, -1, 9, 0.5, -12, -0.5, 3, 0, 0, 1, 0}, b[] = {0, 0, 1};
        CHECK_EQ_INT(solve(4, c, 0, 0, NULL, NULL, 3, A, b, x, NULL, y, &obj), ST__LP_OPTIMAL);
        CHECK_NEAR(obj, -1.25, 1e-12);
        CHECK_NEAR(x[0], 1, 1e-12);
        CHECK_NEAR(x[2], 1, 1e-12);
    }
    /* Redundant and negated equalities: x + y = 1, 2x + 2y = 2, -y - z = -0.5; min x + 2y + 3z -> y = 0.5. */
    {
        double c[] = {1, 2, 3}, A[] = {1, 1, 0, 2, 2, 0, 0, -1, -1}, b[] = {1, 2, -0.5};
        CHECK_EQ_INT(solve(3, c, 0, 3, A, b, 0, NULL, NULL, x, ye, NULL, &obj), ST__LP_OPTIMAL);
        CHECK_NEAR(obj, 1.5, 1e-12);
        CHECK_NEAR(x[0], 0.5, 1e-12);
        CHECK_NEAR(x[1], 0.5, 1e-12);
        CHECK_NEAR(x[2], 0, 1e-12);
    }
    /* Degenerate vertex: all six rows pass through the optimum (1, 1) of max x + y. */
    {
        double c[] = {1, 1};
        double A[] = {1, 0, 0, 1, 1, 1, 2, 1, 1, 2, 3, 3}, b[] = {1, 1, 2, 3, 3, 6};
        CHECK_EQ_INT(solve(2, c, 1, 0, NULL, NULL, 6, A, b, x, NULL, y, &obj), ST__LP_OPTIMAL);
        CHECK_NEAR(obj, 2, 1e-12);
        double dual = 0;
        for (int i = 0; i < 6; i++) {
            CHECK(y[i] >= -1e-12);
            dual += y[i] * b[i];
        }
        CHECK_NEAR(dual, 2, 1e-12); /* strong duality */
    }
    /* A <= row with a negative right-hand side: x >= 2 written as -x <= -2; min x + y. */
    {
        double c[] = {1, 1}, A[] = {-1, 0}, b[] = {-2};
        CHECK_EQ_INT(solve(2, c, 0, 0, NULL, NULL, 1, A, b, x, NULL, y, &obj), ST__LP_OPTIMAL);
        CHECK_NEAR(obj, 2, 1e-12);
        CHECK_NEAR(y[0], -1, 1e-12);
    }
    /* Infeasible: x >= 2 and x <= 1; x + y = -1 with x, y >= 0. */
    {
        double c[] = {1, 1}, A[] = {-1, 0, 1, 0}, b[] = {-2, 1};
        CHECK_EQ_INT(solve(2, c, 0, 0, NULL, NULL, 2, A, b, x, NULL, y, &obj), ST__LP_INFEASIBLE);
        CHECK(isnan(obj));
        double Ae[] = {1, 1}, be[] = {-1};
        CHECK_EQ_INT(solve(2, c, 0, 1, Ae, be, 0, NULL, NULL, x, NULL, NULL, &obj), ST__LP_INFEASIBLE);
    }
    /* Unbounded: min -x with x - y <= 1; and no constraints at all. */
    {
        double c[] = {-1, 0}, A[] = {1, -1}, b[] = {1};
        CHECK_EQ_INT(solve(2, c, 0, 0, NULL, NULL, 1, A, b, x, NULL, y, &obj), ST__LP_UNBOUNDED);
        CHECK_EQ_INT(solve(2, c, 0, 0, NULL, NULL, 0, NULL, NULL, x, NULL, NULL, &obj), ST__LP_UNBOUNDED);
        double cp[] = {1, 2};
        CHECK_EQ_INT(solve(2, cp, 0, 0, NULL, NULL, 0, NULL, NULL, x, NULL, NULL, &obj), ST__LP_OPTIMAL);
        CHECK_NEAR(obj, 0, 0);
    }
    /* Iteration limit: Wyndor needs two pivots. */
    {
        double c[] = {3, 5}, A[] = {1, 0, 0, 2, 3, 2}, b[] = {4, 12, 18};
        st__lp lp = {2, 0, 3, c, NULL, NULL, A, b, 1, 1};
        st__lp_result r = {0};
        r.x = x;
        CHECK_EQ_INT(st__lp_solve(ctx, &lp, &r), ST_OK);
        CHECK_EQ_INT(r.status, ST__LP_ITERATION_LIMIT);
        CHECK_EQ_INT(r.iterations, 1);
    }
    /* Bad arguments. */
    {
        double c[] = {1, NAN}, A[] = {1, 1}, b[] = {1};
        st__lp lp = {2, 0, 1, c, NULL, NULL, A, b, 0, 0};
        st__lp_result r = {0};
        r.x = x;
        CHECK_EQ_INT(st__lp_solve(ctx, &lp, &r), ST_EINVAL);
        lp.c = A;
        lp.A_ub = NULL;
        CHECK_EQ_INT(st__lp_solve(ctx, &lp, &r), ST_EINVAL);
        lp.n = 0;
        CHECK_EQ_INT(st__lp_solve(ctx, &lp, &r), ST_EINVAL);
    }
    st_context_free(ctx);
    T_DONE();
}
