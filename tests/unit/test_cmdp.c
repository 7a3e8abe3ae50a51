/*
** test_cmdp.c -- st_mdp_solve_constrained on 40 seeded random MDPs (2-12 states, 2-4 actions, costs per
** state and action): without a budget (and with one that does not bind) it equals the unconstrained optimum
** of st_mdp_solve_value; with a binding budget the cost equals the budget, the exact value and cost of the
** returned randomised policy equal the LP's, at most one state randomises, and the value equals the
** Lagrangian dual sum mu V_lambda + lambda B of the MDP with rewards R - lambda C (strong duality).
** Plus the infeasible budget message and the argument errors.
*/
#include "strata.h"
#include "core/rng.h"
#include "num/linalg.h"
#include "failalloc.h"
#include "test.h"

#include <stdint.h>

#define MAXS 12
#define MAXA 4

/* Exact discounted reward and cost from mu of the randomised policy pi. */
static void evaluate(const st_mdp *m, double g, const double *mu, const double *C, const double *pi, double *val,
                     double *cost)
{
    size_t S = st_mdp_nstates(m), A = st_mdp_nactions(m);
    double M[MAXS * MAXS], M2[MAXS * MAXS], r[MAXS], c[MAXS];
    for (size_t s = 0; s < S; s++) {
        r[s] = c[s] = 0.0;
        for (size_t j = 0; j < S; j++) M[s * S + j] = s == j ? 1.0 : 0.0;
        for (size_t a = 0; a < A; a++) {
            double p = pi[s * A + a];
            r[s] += p * st_mdp_reward(m, s, a);
            c[s] += p * C[s * A + a];
            for (size_t j = 0; j < S; j++) M[s * S + j] -= g * p * st_mdp_prob(m, s, a, j);
        }
    }
    memcpy(M2, M, sizeof M);
    CHECK_EQ_INT(st__lu_solve(M, S, S, r), 0);
    CHECK_EQ_INT(st__lu_solve(M2, S, S, c), 0);
    *val = *cost = 0.0;
    for (size_t s = 0; s < S; s++) *val += mu[s] * r[s], *cost += mu[s] * c[s];
}

static st_mdp *random_mdp(st_context *ctx, st_rng *g, size_t S, size_t A, double *C)
{
    double P[MAXA * MAXS * MAXS], R[MAXS * MAXA];
    for (size_t a = 0; a < A; a++)
        for (size_t s = 0; s < S; s++) {
            double tot = 0.0, *row = P + (a * S + s) * S;
            for (size_t j = 0; j < S; j++) tot += row[j] = st__rng_below(g, 3) ? st__rng_uniform(g) : 0.0;
            if (tot == 0.0) row[s] = tot = 1.0;
            for (size_t j = 0; j < S; j++) row[j] /= tot;
        }
    /* action 0 is "none" (free, lowest reward), costlier actions earn more */
    for (size_t s = 0; s < S; s++)
        for (size_t a = 0; a < A; a++) {
            C[s * A + a] = a == 0 ? 0.0 : (double)a * (0.5 + st__rng_uniform(g));
            R[s * A + a] = 3.0 * st__rng_uniform(g) + 2.0 * (double)a * st__rng_uniform(g);
        }
    st_mdp *m = NULL;
    CHECK_EQ_INT(st_mdp_new_dense(ctx, S, A, P, R, &m), ST_OK);
    return m;
}

/* The constrained solve with a binding budget through a failing allocator. */
static st_status cmdp_job(t_failer *f, void *arg)
{
    (void)arg;
    st_context *ctx = t_failing_context(f);
    if (!ctx) return ST_ENOMEM;
    double P[] = {0.5, 0.5, 0.8, 0.2, 0, 1, 0.1, 0.9}, R[] = {5, 10, -1, 2}, C[] = {0, 1, 0, 1}, pi[4], v;
    st_mdp *m = NULL;
    st_status rc = st_mdp_new_dense(ctx, 2, 2, P, R, &m);
    if (!rc) rc = st_mdp_solve_constrained(ctx, m, 0.9, NULL, C, 2.0, pi, NULL, &v, NULL, NULL);
    if (rc == ST_ENOMEM) CHECK(st_errmsg(ctx)[0] != 0);
    st_mdp_free(m);
    st_context_free(ctx);
    return rc;
}

int main(void)
{
    t_alloc_torture("st_mdp_solve_constrained", cmdp_job, NULL);
    st_context *ctx;
    if (st_context_new(&ctx) != ST_OK) return 1;
    double worst_free = 0, worst_eval = 0, worst_dual = 0, worst_budget = 0;
    int binding = 0;
    for (uint64_t k = 0; k < 40; k++) {
        st_rng g;
        st__rng_seed_stream(&g, 13, k);
        size_t S = 2 + st__rng_below(&g, MAXS - 1), A = 2 + st__rng_below(&g, MAXA - 1);
        double C[MAXS * MAXA], mu[MAXS], pi[MAXS * MAXA], rho[MAXS * MAXA];
        st_mdp *m = random_mdp(ctx, &g, S, A, C);
        if (!m) break;
        double gamma = k % 2 ? 0.95 : 0.8, tot = 0;
        for (size_t s = 0; s < S; s++) tot += mu[s] = k % 3 == 0 && s > 0 ? 0.0 : st__rng_uniform(&g);
        for (size_t s = 0; s < S; s++) mu[s] /= tot;

        /* no budget: the unconstrained optimum, deterministic */
        double v, c, lam = -1;
        CHECK_EQ_INT(st_mdp_solve_constrained(ctx, m, gamma, mu, C, (double)INFINITY, pi, rho, &v, &c, &lam), ST_OK);
        st_policy *opt = NULL;
        CHECK_EQ_INT(st_mdp_solve_value(ctx, m, gamma, 0, 0, &opt), ST_OK);
        double vstar = 0;
        for (size_t s = 0; s < S; s++) vstar += mu[s] * st_policy_value(opt, s, 0);
        worst_free = fmax(worst_free, fabs(v - vstar) / fmax(1, fabs(vstar)));
        CHECK_NEAR(lam, 0, 0);
        double ve, ce;
        evaluate(m, gamma, mu, C, pi, &ve, &ce);
        worst_eval = fmax(worst_eval, fmax(fabs(ve - v), fabs(ce - c)) / fmax(1, fabs(v)));
        double free_cost = c;
        /* a budget above the free optimum's cost does not bind */
        CHECK_EQ_INT(st_mdp_solve_constrained(ctx, m, gamma, mu, C, free_cost + 1, pi, NULL, &v, &c, &lam), ST_OK);
        CHECK_REL(v, vstar, 1e-9);
        CHECK_NEAR(lam, 0, 1e-9);

        /* the least cost: action 0 everywhere costs 0, so a budget of half the free cost binds when > 0 */
        if (free_cost > 1e-6) {
            double B = 0.5 * free_cost;
            CHECK_EQ_INT(st_mdp_solve_constrained(ctx, m, gamma, mu, C, B, pi, rho, &v, &c, &lam), ST_OK);
            binding++;
            worst_budget = fmax(worst_budget, fabs(c - B) / fmax(1, B));
            CHECK(v < vstar);
            CHECK(lam > 0);
            evaluate(m, gamma, mu, C, pi, &ve, &ce);
            worst_eval = fmax(worst_eval, fmax(fabs(ve - v), fabs(ce - c)) / fmax(1, fabs(v)));
            int randomised = 0;
            for (size_t s = 0; s < S; s++) {
                double rs = 0;
                int pos = 0;
                for (size_t a = 0; a < A; a++) {
                    CHECK(pi[s * A + a] >= 0);
                    rs += pi[s * A + a];
                    pos += pi[s * A + a] > 1e-12;
                }
                CHECK_NEAR(rs, 1, 1e-12);
                randomised += pos > 1;
            }
            CHECK(randomised <= 1);
            /* Lagrangian: max over policies of (R - lambda C) from mu, plus lambda B, equals the value */
            double Rl[MAXS * MAXA], P[MAXA * MAXS * MAXS];
            for (size_t s = 0; s < S; s++)
                for (size_t a = 0; a < A; a++) {
                    Rl[s * A + a] = st_mdp_reward(m, s, a) - lam * C[s * A + a];
                    for (size_t j = 0; j < S; j++) P[(a * S + s) * S + j] = st_mdp_prob(m, s, a, j);
                }
            st_mdp *ml = NULL;
            st_policy *pl = NULL;
            CHECK_EQ_INT(st_mdp_new_dense(ctx, S, A, P, Rl, &ml), ST_OK);
            CHECK_EQ_INT(st_mdp_solve_value(ctx, ml, gamma, 0, 0, &pl), ST_OK);
            double dual = lam * B;
            for (size_t s = 0; s < S; s++) dual += mu[s] * st_policy_value(pl, s, 0);
            worst_dual = fmax(worst_dual, fabs(dual - v) / fmax(1, fabs(v)));
            st_policy_free(pl);
            st_mdp_free(ml);
            /* below the least cost (0 here): infeasible, and the message says so */
            CHECK_EQ_INT(st_mdp_solve_constrained(ctx, m, gamma, mu, C, -0.1, pi, NULL, &v, NULL, NULL), ST_EDATA);
            CHECK(strstr(st_errmsg(ctx), "below the least expected discounted cost") != NULL);
        }
        st_policy_free(opt);
        st_mdp_free(m);
    }
    printf("40 MDPs (%d with a binding budget): |LP - value iteration| %.3g, |LP - exact evaluation of the "
           "policy| %.3g, |cost - budget| %.3g, |primal - Lagrangian dual| %.3g (relative)\n",
           binding, worst_free, worst_eval, worst_budget, worst_dual);
    CHECK(binding >= 30);
    CHECK(worst_free <= 1e-9);
    CHECK(worst_eval <= 1e-9);
    CHECK(worst_budget <= 1e-9);
    CHECK(worst_dual <= 1e-9);

    /* Defaults (uniform start, action costs) and argument errors. */
    {
        double P[] = {0.5, 0.5, 0.8, 0.2, 0, 1, 0.1, 0.9}, R[] = {5, 10, -1, 2}, pi[4], v, c, lam;
        st_mdp *m = NULL;
        CHECK_EQ_INT(st_mdp_new_dense(ctx, 2, 2, P, R, &m), ST_OK);
        CHECK_EQ_INT(st_mdp_set_action(m, 1, "mail", 1.0), ST_OK);
        /* V* = (42.44186, 36.04651) at 0.9 with policy (1, 0) */
        CHECK_EQ_INT(st_mdp_solve_constrained(ctx, m, 0.9, NULL, NULL, (double)INFINITY, pi, NULL, &v, &c, &lam), ST_OK);
        CHECK_REL(v, 0.5 * (42.44186046511632 + 36.04651162790702), 1e-12);
        CHECK_NEAR(pi[1], 1, 0);
        CHECK_NEAR(pi[2], 1, 0);
        CHECK_EQ_INT(st_mdp_solve_constrained(ctx, m, 0.9, NULL, NULL, c / 2, pi, NULL, &v, &c, &lam), ST_OK);
        CHECK(lam > 0);
        double bad_mu[] = {0.5, 0.6}, nan_c[] = {0, 1, (double)NAN, 0};
        CHECK_EQ_INT(st_mdp_solve_constrained(ctx, m, 0.9, bad_mu, NULL, 1, pi, NULL, &v, &c, &lam), ST_EDATA);
        CHECK_EQ_INT(st_mdp_solve_constrained(ctx, m, 0.9, NULL, nan_c, 1, pi, NULL, &v, &c, &lam), ST_EDATA);
        CHECK_EQ_INT(st_mdp_solve_constrained(ctx, m, 1.0, NULL, NULL, 1, pi, NULL, &v, &c, &lam), ST_EINVAL);
        CHECK_EQ_INT(st_mdp_solve_constrained(ctx, m, 0.9, NULL, NULL, (double)NAN, pi, NULL, &v, &c, &lam), ST_EINVAL);
        CHECK_EQ_INT(st_mdp_solve_constrained(ctx, m, 0.9, NULL, NULL, 1, NULL, NULL, &v, &c, &lam), ST_EINVAL);
        CHECK_EQ_INT(st_mdp_solve_constrained(ctx, NULL, 0.9, NULL, NULL, 1, pi, NULL, &v, &c, &lam), ST_EINVAL);
        st_mdp_free(m);
    }
    st_context_free(ctx);
    T_DONE();
}
