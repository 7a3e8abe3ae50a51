/*
** mdp_constrained.c -- the optimum of a discounted MDP under a budget on the expected discounted cost, by
** the occupancy-measure linear program (Altman 1999): variables rho(s, a) >= 0, the discounted expected
** number of visits to (s, a) from the start distribution mu, solved by the dense simplex of num/lp.h.
*/
#include "decide/mdp.h"
#include "num/lp.h"

#include <math.h>
#include <string.h>

/* The tableau is (S + 3) x (S A + 2 S + 3) doubles at most; refuse anything past this. */
#define CMDP_MAX_TABLEAU_BYTES ((size_t)1 << 30)

/* Fills the LP of the MDP: A_eq[s'][s A + a] = [s = s'] - g P(s' | s, a), b_eq = mu. */
static void fill_flow(const st_mdp *m, double g, double *Aeq)
{
    size_t S = m->S, A = m->A, n = S * A;
    memset(Aeq, 0, S * n * sizeof *Aeq);
    for (size_t r = 0; r < n; r++) {
        size_t s = r / A;
        Aeq[s * n + r] += 1.0;
        for (size_t k = m->P.rowptr[r]; k < m->P.rowptr[r + 1]; k++) Aeq[m->P.col[k] * n + r] -= g * m->P.val[k];
    }
}

st_status st_mdp_solve_constrained(st_context *ctx, const st_mdp *m, double discount, const double *start,
                                   const double *C, double budget, double *policy, double *occupancy,
                                   double *out_value, double *out_cost, double *out_lambda)
{
    if (!m || !policy) return st__error(ctx, ST_EINVAL, "constrained MDP: NULL model or policy array");
    if (!(discount > 0.0 && discount < 1.0))
        return st__error(ctx, ST_EINVAL, "constrained MDP: the discount must be in (0, 1), got %g", discount);
    if (isnan(budget)) return st__error(ctx, ST_EINVAL, "constrained MDP: the budget is NaN");
    size_t S = m->S, A = m->A, n, cells, bytes;
    if (!st__mul_ok(S, A, &n) || !st__mul_ok(S + 3, n + 2 * S + 3, &cells) ||
        !st__mul_ok(cells, sizeof(double), &bytes) || bytes > CMDP_MAX_TABLEAU_BYTES)
        return st__error(ctx, ST_ELIMIT,
                         "constrained MDP: %zu states x %zu actions need a dense simplex tableau of more than "
                         "1 GiB (at most about %zu states at this many actions)",
                         S, A, (size_t)sqrt((double)CMDP_MAX_TABLEAU_BYTES / 8.0 / (double)(A + 2)));
    double msum = 0.0;
    if (start) {
        for (size_t s = 0; s < S; s++) {
            if (!(start[s] >= 0.0 && isfinite(start[s])))
                return st__error(ctx, ST_EDATA, "constrained MDP: start probability of state %s is %g",
                                 m->state_name[s], start[s]);
            msum += start[s];
        }
        if (!(fabs(msum - 1.0) <= 1e-9))
            return st__error(ctx, ST_EDATA, "constrained MDP: the start distribution sums to %.17g, not 1", msum);
    }
    if (C) {
        for (size_t r = 0; r < n; r++)
            if (!isfinite(C[r]))
                return st__error(ctx, ST_EDATA, "constrained MDP: cost of action %s in state %s is not finite",
                                 m->action_name[r % A], m->state_name[r / A]);
    }
    bool has_budget = budget < (double)INFINITY;

    st_status rc = ST_OK;
    size_t sn;
    double *Aeq = st__mul_ok(S, n, &sn) ? st__malloc(ctx, sn * sizeof *Aeq) : NULL;
    double *b = st__malloc(ctx, S * sizeof *b);
    double *cost = st__malloc(ctx, n * sizeof *cost);
    double *x = st__malloc(ctx, n * sizeof *x);
    double *y = st__malloc(ctx, S * sizeof *y);
    if (!Aeq || !b || !cost || !x || !y) {
        rc = st__error(ctx, ST_ENOMEM, "constrained MDP: out of memory");
        goto out;
    }
    fill_flow(m, discount, Aeq);
    for (size_t s = 0; s < S; s++) b[s] = start ? start[s] / msum : 1.0 / (double)S;
    for (size_t r = 0; r < n; r++) cost[r] = C ? C[r] : m->cost[r % A];

    double ylam = 0.0;
    st__lp lp = {n, S, has_budget ? 1u : 0u, m->R, Aeq, b, has_budget ? cost : NULL, has_budget ? &budget : NULL,
                 1, 0};
    st__lp_result res = {0};
    res.x = x;
    res.y_eq = y;
    res.y_ub = &ylam;
    if ((rc = st__lp_solve(ctx, &lp, &res))) goto out;
    if (res.status == ST__LP_INFEASIBLE) {
        /* The least expected discounted cost any policy reaches, for the message. */
        st__lp lc = {n, S, 0, cost, Aeq, b, NULL, NULL, 0, 0};
        st__lp_result rl = {0};
        rl.x = x;
        if ((rc = st__lp_solve(ctx, &lc, &rl))) goto out;
        rc = st__error(ctx, ST_EDATA,
                       "constrained MDP: the budget %g is below the least expected discounted cost of any policy "
                       "from the start distribution (%.17g)",
                       budget, rl.objective);
        goto out;
    }
    if (res.status != ST__LP_OPTIMAL) {
        rc = st__error(ctx, ST_ECONVERGE, "constrained MDP: the simplex stopped (%s) after %zu pivots",
                       res.status == ST__LP_UNBOUNDED ? "unbounded" : "iteration limit", res.iterations);
        goto out;
    }
    double value = 0.0, spent = 0.0;
    for (size_t r = 0; r < n; r++) {
        value += m->R[r] * x[r];
        spent += cost[r] * x[r];
    }
    /* pi(a | s) = rho(s, a) / sum_a rho(s, a); a state never visited from mu takes the action greedy on the
    ** Lagrangian R - lambda C against the LP's dual values (the Lagrangian optimal values V_lambda). */
    for (size_t s = 0; s < S; s++) {
        double tot = 0.0;
        for (size_t a = 0; a < A; a++) tot += x[s * A + a];
        if (tot > 0.0) {
            for (size_t a = 0; a < A; a++) policy[s * A + a] = x[s * A + a] / tot;
            continue;
        }
        double best = -INFINITY;
        size_t arg = 0;
        for (size_t a = 0; a < A; a++) {
            size_t r = s * A + a;
            double q = m->R[r] - ylam * cost[r];
            for (size_t k = m->P.rowptr[r]; k < m->P.rowptr[r + 1]; k++) q += discount * m->P.val[k] * y[m->P.col[k]];
            if (q > best + 1e-9 * (1.0 + fabs(best))) best = q, arg = a;
        }
        for (size_t a = 0; a < A; a++) policy[s * A + a] = a == arg ? 1.0 : 0.0;
    }
    if (occupancy) memcpy(occupancy, x, n * sizeof *x);
    if (out_value) *out_value = value;
    if (out_cost) *out_cost = spent;
    if (out_lambda) *out_lambda = has_budget && ylam > 0.0 ? ylam : 0.0;
out:
    st__free(ctx, Aeq, S * n * sizeof *Aeq);
    st__free(ctx, b, S * sizeof *b);
    st__free(ctx, cost, n * sizeof *cost);
    st__free(ctx, x, n * sizeof *x);
    st__free(ctx, y, S * sizeof *y);
    return rc;
}
