/*
** test_mdp.c -- the MDP model and solvers against published vectors (pymdptoolbox doctests, Puterman's
** catalog-mailing exercise) and against brute force over every policy of random small MDPs.
*/
#include "strata.h"
#include "test.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

static st_context *ctx;

/* pymdptoolbox's example.forest(S, r1, r2, p): action 0 waits, action 1 cuts. */
static st_mdp *forest(size_t S, double r1, double r2, double p)
{
    double P[2 * 10 * 10] = {0}, R[10 * 2] = {0};
    for (size_t s = 0; s < S; s++) {
        P[(0 * S + s) * S + 0] += p;
        P[(0 * S + s) * S + (s + 1 < S ? s + 1 : S - 1)] += 1.0 - p;
        P[(1 * S + s) * S + 0] = 1.0;
        R[s * 2 + 0] = s == S - 1 ? r1 : 0.0;
        R[s * 2 + 1] = s == 0 ? 0.0 : s == S - 1 ? r2 : 1.0;
    }
    st_mdp *m = NULL;
    CHECK(st_mdp_new_dense(ctx, S, 2, P, R, &m) == ST_OK);
    return m;
}

static st_mdp *two_state(void)
{
    const double P[] = {.5, .5, .8, .2, 0, 1, .1, .9};
    const double R[] = {5, 10, -1, 2};
    st_mdp *m = NULL;
    CHECK(st_mdp_new_dense(ctx, 2, 2, P, R, &m) == ST_OK);
    return m;
}

static void test_forest(void)
{
    st_mdp *m = forest(3, 4, 2, 0.1);
    if (!m) return;
    st_policy *p = NULL;
    CHECK(st_mdp_solve_value(ctx, m, 0.96, 0.01, 0, &p) == ST_OK);
    for (size_t s = 0; s < 3; s++) CHECK_EQ_INT(st_policy_action(p, s, 0), 0);
    CHECK_EQ_INT(st_policy_iterations(p), 4);
    st_policy_free(p);

    CHECK(st_mdp_solve_policy(ctx, m, 0.9, 0, &p) == ST_OK);
    const double vpi[] = {26.244, 29.484, 33.484};
    for (size_t s = 0; s < 3; s++) {
        CHECK_EQ_INT(st_policy_action(p, s, 0), 0);
        CHECK_NEAR(st_policy_value(p, s, 0), vpi[s], 1e-9);
    }
    st_policy_free(p);
    /* Value iteration reports V*, not the last iterate (5.05197, ... for pymdptoolbox). */
    CHECK(st_mdp_solve_value(ctx, m, 0.9, 0.01, 0, &p) == ST_OK);
    for (size_t s = 0; s < 3; s++) CHECK_NEAR(st_policy_value(p, s, 0), vpi[s], 1e-9);
    st_policy_free(p);

    CHECK(st_mdp_solve_backward(ctx, m, 0.9, 3, NULL, &p) == ST_OK);
    const double V[3][4] = {{2.6973, 0.81, 0, 0}, {5.9373, 3.24, 1, 0}, {9.9373, 7.24, 4, 0}};
    const int pol[3][3] = {{0, 0, 0}, {0, 0, 1}, {0, 0, 0}};
    CHECK_EQ_INT(st_policy_horizon(p), 3);
    for (size_t s = 0; s < 3; s++) {
        for (size_t k = 0; k < 4; k++) CHECK_NEAR(st_policy_value(p, s, k), V[s][k], 1e-12);
        for (size_t k = 0; k < 3; k++) CHECK_EQ_INT(st_policy_action(p, s, k), pol[s][k]);
    }
    /* Waiting moves to the next age class with probability 0.9, so that is the traced path. */
    CHECK_EQ_INT(st_policy_path(p, 0, 0), 0);
    CHECK_EQ_INT(st_policy_path(p, 0, 1), 1);
    CHECK_EQ_INT(st_policy_path(p, 0, 2), 2);
    CHECK_EQ_INT(st_policy_path(p, 0, 3), 2);
    st_policy_free(p);

    CHECK(st_mdp_solve_relative(ctx, m, 0.01, 0, &p) == ST_OK);
    CHECK_NEAR(st_policy_average_reward(p), 3.24, 1e-12);
    CHECK_EQ_INT(st_policy_iterations(p), 4);
    for (size_t s = 0; s < 3; s++) CHECK_EQ_INT(st_policy_action(p, s, 0), 0);
    st_policy_free(p);
    st_mdp_free(m);
}

static void test_two_state(void)
{
    st_mdp *m = two_state();
    if (!m) return;
    st_policy *p = NULL;
    CHECK(st_mdp_solve_value(ctx, m, 0.9, 0.01, 0, &p) == ST_OK);
    CHECK_EQ_INT(st_policy_action(p, 0, 0), 1);
    CHECK_EQ_INT(st_policy_action(p, 1, 0), 0);
    CHECK_EQ_INT(st_policy_iterations(p), 26);
    CHECK_NEAR(st_policy_value(p, 0, 0), 42.44186, 1e-5);
    CHECK_NEAR(st_policy_value(p, 1, 0), 36.04651, 1e-5);
    st_policy_free(p);
    CHECK(st_mdp_solve_policy(ctx, m, 0.9, 0, &p) == ST_OK);
    CHECK_NEAR(st_policy_value(p, 0, 0), 42.44186046511628, 1e-10);
    CHECK_NEAR(st_policy_value(p, 1, 0), 36.04651162790698, 1e-10);
    st_policy_free(p);
    CHECK(st_mdp_solve_relative(ctx, m, 0.01, 0, &p) == ST_OK);
    CHECK_NEAR(st_policy_average_reward(p), 3.8852352464118312, 1e-15);
    CHECK_EQ_INT(st_policy_iterations(p), 29);
    CHECK_EQ_INT(st_policy_action(p, 0, 0), 1);
    CHECK_EQ_INT(st_policy_action(p, 1, 0), 0);
    st_policy_free(p);
    /* With a tight epsilon the gain converges to the exact optimum 35/9 of policy (1, 0). */
    CHECK(st_mdp_solve_relative(ctx, m, 1e-12, 0, &p) == ST_OK);
    CHECK_NEAR(st_policy_average_reward(p), 35.0 / 9.0, 1e-10);
    st_policy_free(p);
    st_mdp_free(m);
}

static void test_catalog(void)
{
    /* Puterman's catalog mailing: states L, H; action 1 mails a $15 catalog; gamma 0.9. */
    const double P[] = {0.5, 0.5, 0.6, 0.4, 0.3, 0.7, 0.2, 0.8};
    const double R[] = {10, 5, 25, 35};
    st_mdp *m = NULL;
    CHECK(st_mdp_new_dense(ctx, 2, 2, P, R, &m) == ST_OK);
    if (!m) return;
    st_policy *p = NULL;
    for (int k = 0; k < 2; k++) {
        st_status rc = k == 0 ? st_mdp_solve_value(ctx, m, 0.9, 0.01, 0, &p) : st_mdp_solve_policy(ctx, m, 0.9, 0, &p);
        CHECK(rc == ST_OK);
        if (rc) continue;
        CHECK_NEAR(st_policy_value(p, 0, 0), 257.692, 5e-4);
        CHECK_NEAR(st_policy_value(p, 1, 0), 290.659, 5e-4);
        CHECK_EQ_INT(st_policy_action(p, 0, 0), 1);
        CHECK_EQ_INT(st_policy_action(p, 1, 0), 1);
        st_policy_free(p);
    }
    st_mdp_free(m);
}

static void test_validation(void)
{
    st_mdp *m = NULL;
    const double R[] = {0, 0};
    const double bad_sum[] = {0.5, 0.4, 0.5, 0.5};
    CHECK(st_mdp_new_dense(ctx, 2, 1, bad_sum, R, &m) == ST_EDATA);
    CHECK(m == NULL);
    CHECK(strstr(st_errmsg(ctx), "sums to") != NULL);
    const double neg[] = {1.5, -0.5, 0.5, 0.5};
    CHECK(st_mdp_new_dense(ctx, 2, 1, neg, R, &m) == ST_EDATA);
    CHECK(strstr(st_errmsg(ctx), "non-negative") != NULL);
    const double Rnan[] = {0, NAN};
    const double ok[] = {0.5, 0.5, 0.5, 0.5};
    CHECK(st_mdp_new_dense(ctx, 2, 1, ok, Rnan, &m) == ST_EDATA);
    /* Near-stochastic rows are accepted and normalised exactly. */
    const double near[] = {0.3333333333, 0.6666666666, 1, 0};
    CHECK(st_mdp_new_dense(ctx, 2, 1, near, R, &m) == ST_OK);
    CHECK_NEAR(st_mdp_prob(m, 0, 0, 0) + st_mdp_prob(m, 0, 0, 1), 1.0, 1e-15);
    CHECK_EQ_INT(st_mdp_nnz(m), 3);
    st_mdp_free(m);
    const uint32_t act[] = {0, 0, 0}, st[] = {0, 0, 1}, nx[] = {1, 1, 0};
    const double pr[] = {0.5, 0.5, 1};
    CHECK(st_mdp_new_sparse(ctx, 2, 1, 3, act, st, nx, pr, R, &m) == ST_EDATA);
    CHECK(strstr(st_errmsg(ctx), "twice") != NULL);
    const uint32_t nx2[] = {1, 2, 0};
    CHECK(st_mdp_new_sparse(ctx, 2, 1, 3, act, st, nx2, pr, R, &m) == ST_EINVAL);
    CHECK(strstr(st_errmsg(ctx), "out of range") != NULL);
    const uint32_t a1[] = {0}, s1[] = {0}, n1[] = {0};
    const double p1[] = {1};
    CHECK(st_mdp_new_sparse(ctx, 2, 1, 1, a1, s1, n1, p1, R, &m) == ST_EDATA); /* state 1 has no row */
    CHECK(st_mdp_solve_value(ctx, NULL, 0.9, 0, 0, NULL) == ST_EINVAL);
}

/* ---- brute force ---- */

static uint64_t rng_state = 88172645463325252ull;
static double urand(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (double)(rng_state >> 11) / 9007199254740992.0;
}

/* Solves (I - g P) x = r densely (n <= 8) by Gaussian elimination with pivoting. */
static void solve(size_t n, double *M, double *x)
{
    for (size_t c = 0; c < n; c++) {
        size_t piv = c;
        for (size_t i = c + 1; i < n; i++)
            if (fabs(M[i * n + c]) > fabs(M[piv * n + c])) piv = i;
        for (size_t j = 0; j < n; j++) {
            double t = M[c * n + j];
            M[c * n + j] = M[piv * n + j];
            M[piv * n + j] = t;
        }
        double t = x[c];
        x[c] = x[piv];
        x[piv] = t;
        for (size_t i = c + 1; i < n; i++) {
            double f = M[i * n + c] / M[c * n + c];
            for (size_t j = c; j < n; j++) M[i * n + j] -= f * M[c * n + j];
            x[i] -= f * x[c];
        }
    }
    for (size_t c = n; c-- > 0;) {
        for (size_t j = c + 1; j < n; j++) x[c] -= M[c * n + j] * x[j];
        x[c] /= M[c * n + c];
    }
}

static void test_brute_force(void)
{
    for (int trial = 0; trial < 60; trial++) {
        size_t S = 2 + (size_t)(urand() * 4), A = 1 + (size_t)(urand() * 3);
        double P[3 * 5 * 5], R[5 * 3];
        bool dense = trial % 3 == 0; /* dense rows make the chain ergodic for the average-reward check */
        for (size_t a = 0; a < A; a++)
            for (size_t s = 0; s < S; s++) {
                double *row = P + (a * S + s) * S, sum = 0;
                for (size_t j = 0; j < S; j++) {
                    row[j] = (dense || urand() < 0.5) ? urand() + 0.01 : 0.0;
                    sum += row[j];
                }
                if (sum == 0) row[s] = sum = 1;
                for (size_t j = 0; j < S; j++) row[j] /= sum;
            }
        for (size_t i = 0; i < S * A; i++) R[i] = urand() * 10 - 3;
        if (trial % 5 == 1) R[A - 1] = R[0]; /* an exact tie in state 0 */
        double g = 0.5 + 0.45 * urand();
        st_mdp *m = NULL;
        CHECK(st_mdp_new_dense(ctx, S, A, P, R, &m) == ST_OK);
        if (!m) continue;
        /* Every stationary policy, exactly. */
        double best[5], bestgain = -INFINITY;
        for (size_t s = 0; s < S; s++) best[s] = -INFINITY;
        size_t npol = 1;
        for (size_t s = 0; s < S; s++) npol *= A;
        for (size_t code = 0; code < npol; code++) {
            size_t act[5], c = code;
            for (size_t s = 0; s < S; s++) {
                act[s] = c % A;
                c /= A;
            }
            double M[25], x[5];
            for (size_t s = 0; s < S; s++) {
                for (size_t j = 0; j < S; j++)
                    M[s * S + j] = (s == j) - g * st_mdp_prob(m, s, act[s], j);
                x[s] = R[s * A + act[s]];
            }
            solve(S, M, x);
            for (size_t s = 0; s < S; s++)
                if (x[s] > best[s]) best[s] = x[s];
            if (dense) {
                /* Gain = stationary distribution . r: solve pi (I - P) = 0 with sum pi = 1. */
                double Mt[25], pi[5] = {0};
                for (size_t i = 0; i < S; i++)
                    for (size_t j = 0; j < S; j++)
                        Mt[i * S + j] = i == S - 1 ? 1.0 : (i == j) - st_mdp_prob(m, j, act[j], i);
                pi[S - 1] = 1;
                solve(S, Mt, pi);
                double gain = 0;
                for (size_t s = 0; s < S; s++) gain += pi[s] * R[s * A + act[s]];
                if (gain > bestgain) bestgain = gain;
            }
        }
        st_policy *pv = NULL, *pp = NULL;
        CHECK(st_mdp_solve_value(ctx, m, g, 0.01, 0, &pv) == ST_OK);
        CHECK(st_mdp_solve_policy(ctx, m, g, 0, &pp) == ST_OK);
        for (size_t s = 0; pv && pp && s < S; s++) {
            CHECK_REL(st_policy_value(pv, s, 0), best[s], 1e-9);
            CHECK_REL(st_policy_value(pp, s, 0), best[s], 1e-9);
            CHECK_EQ_INT(st_policy_action(pv, s, 0), st_policy_action(pp, s, 0));
        }
        st_policy_free(pv);
        st_policy_free(pp);
        if (dense) {
            st_policy *pr = NULL;
            CHECK(st_mdp_solve_relative(ctx, m, 1e-11, 0, &pr) == ST_OK);
            CHECK_NEAR(st_policy_average_reward(pr), bestgain, 1e-8);
            st_policy_free(pr);
        }
        /* Finite horizon: every Markov policy of N stages (each stage a stationary rule), values forward. */
        size_t N = 2 + (size_t)(urand() * 2);
        size_t total = 1;
        for (size_t k = 0; k < N; k++) total *= npol;
        if (total <= 4096) {
            double term[5], bestN[5];
            for (size_t s = 0; s < S; s++) {
                term[s] = urand() * 5;
                bestN[s] = -INFINITY;
            }
            for (size_t code = 0; code < total; code++) {
                double v[5];
                memcpy(v, term, sizeof v);
                size_t c = code;
                for (size_t k = N; k-- > 0;) {
                    size_t rule = c % npol;
                    c /= npol;
                    double nv[5];
                    for (size_t s = 0; s < S; s++) {
                        size_t a = rule;
                        for (size_t t = 0; t < s; t++) a /= A;
                        a %= A;
                        double acc = 0;
                        for (size_t j = 0; j < S; j++) acc += st_mdp_prob(m, s, a, j) * v[j];
                        nv[s] = R[s * A + a] + g * acc;
                    }
                    memcpy(v, nv, sizeof v);
                }
                for (size_t s = 0; s < S; s++)
                    if (v[s] > bestN[s]) bestN[s] = v[s];
            }
            st_policy *pb = NULL;
            CHECK(st_mdp_solve_backward(ctx, m, g, N, term, &pb) == ST_OK);
            for (size_t s = 0; pb && s < S; s++) {
                CHECK_REL(st_policy_value(pb, s, 0), bestN[s], 1e-12);
                CHECK_NEAR(st_policy_value(pb, s, N), term[s], 0);
            }
            st_policy_free(pb);
        }
        st_mdp_free(m);
    }
}

/* A chain too big for the dense evaluation goes through Gauss-Seidel and must agree with policy
** iteration's V* and satisfy the Bellman equation tightly. */
static void test_large(void)
{
    size_t S = 2000, A = 3, per = 5, nnz = S * A * per;
    uint32_t *act = malloc(nnz * sizeof *act), *st = malloc(nnz * sizeof *st), *nx = malloc(nnz * sizeof *nx);
    double *pr = malloc(nnz * sizeof *pr), *R = malloc(S * A * sizeof *R);
    if (!act || !st || !nx || !pr || !R) return;
    size_t k = 0;
    for (size_t s = 0; s < S; s++)
        for (size_t a = 0; a < A; a++) {
            double w[5], sum = 0;
            for (size_t j = 0; j < per; j++) sum += w[j] = urand() + 0.1;
            for (size_t j = 0; j < per; j++) {
                act[k] = (uint32_t)a;
                st[k] = (uint32_t)s;
                nx[k] = (uint32_t)((s * 7 + j * 131 + a * 17 + (size_t)(urand() * 3) * 977) % S);
                pr[k] = w[j] / sum;
                k++;
            }
            R[s * A + a] = urand() * 4 - (double)a;
        }
    /* A random next state may repeat within a row: merge such duplicates before building. */
    for (size_t r = 0; r < S * A; r++)
        for (size_t i = r * per; i < r * per + per; i++)
            for (size_t j = i + 1; j < r * per + per; j++)
                if (nx[i] == nx[j] && pr[j] > 0) {
                    pr[i] += pr[j];
                    pr[j] = 0;
                    nx[j] = (uint32_t)((nx[j] + 1) % S);
                    while (1) {
                        bool clash = false;
                        for (size_t q = r * per; q < r * per + per; q++)
                            if (q != j && nx[q] == nx[j]) clash = true;
                        if (!clash) break;
                        nx[j] = (uint32_t)((nx[j] + 1) % S);
                    }
                }
    st_mdp *m = NULL;
    CHECK(st_mdp_new_sparse(ctx, S, A, nnz, act, st, nx, pr, R, &m) == ST_OK);
    if (m) {
        st_policy *pv = NULL, *pp = NULL;
        CHECK(st_mdp_solve_value(ctx, m, 0.95, 0.01, 0, &pv) == ST_OK);
        CHECK(st_mdp_solve_policy(ctx, m, 0.95, 0, &pp) == ST_OK);
        double worst = 0;
        for (size_t s = 0; pv && pp && s < S; s++) {
            CHECK_REL(st_policy_value(pv, s, 0), st_policy_value(pp, s, 0), 1e-9);
            double best = -INFINITY;
            for (size_t a = 0; a < A; a++) {
                double q = st_mdp_reward(m, s, a);
                size_t r = s * A + a;
                for (size_t i = r * per; i < r * per + per; i++)
                    if (pr[i] > 0) q += 0.95 * st_mdp_prob(m, s, a, nx[i]) * st_policy_value(pv, nx[i], 0);
                if (q > best) best = q;
            }
            double d = fabs(best - st_policy_value(pv, s, 0));
            if (d > worst) worst = d;
        }
        CHECK(worst < 1e-8);
        st_policy_free(pv);
        st_policy_free(pp);
    }
    st_mdp_free(m);
    free(act);
    free(st);
    free(nx);
    free(pr);
    free(R);
}

static void test_json(void)
{
    const char *dense = "{\"format\": \"strata-mdp\", \"version\": 1, \"states\": [\"low\", \"high\"],"
                        " \"actions\": [{\"name\": \"none\", \"cost\": 0}, {\"name\": \"catalog\", \"cost\": 15}],"
                        " \"P\": [[[0.5, 0.5], [0.6, 0.4]], [[0.3, 0.7], [0.2, 0.8]]], \"R\": [[10, 5], [25, 35]]}";
    st_mdp *m = NULL;
    CHECK(st_mdp_from_json(ctx, dense, strlen(dense), "dense.json", &m) == ST_OK);
    if (!m) return;
    CHECK_EQ_INT(st_mdp_nstates(m), 2);
    CHECK_STR(st_mdp_state_name(m, 1), "high");
    CHECK_STR(st_mdp_action_name(m, 1), "catalog");
    CHECK_NEAR(st_mdp_action_cost(m, 1), 15, 0);
    CHECK_EQ_INT(st_mdp_find_action(m, "catalog"), 1);
    CHECK_NEAR(st_mdp_prob(m, 1, 1, 1), 0.8, 0);
    CHECK_NEAR(st_mdp_reward(m, 1, 0), 25, 0);
    /* Round trip through the sparse writer. */
    const char *tmp = "test_mdp_tmp.json";
    CHECK(st_mdp_to_json_file(ctx, m, tmp) == ST_OK);
    st_mdp *m2 = NULL;
    CHECK(st_mdp_from_json_file(ctx, tmp, &m2) == ST_OK);
    if (m2) {
        CHECK_EQ_INT(st_mdp_nnz(m2), 8);
        for (size_t s = 0; s < 2; s++)
            for (size_t a = 0; a < 2; a++) {
                CHECK_NEAR(st_mdp_reward(m2, s, a), st_mdp_reward(m, s, a), 0);
                for (size_t j = 0; j < 2; j++) CHECK_NEAR(st_mdp_prob(m2, s, a, j), st_mdp_prob(m, s, a, j), 0);
            }
        CHECK_STR(st_mdp_action_name(m2, 1), "catalog");
    }
    /* POLICY.json round trips, stationary and finite-horizon. */
    st_policy *p = NULL, *q = NULL;
    CHECK(st_mdp_solve_policy(ctx, m, 0.9, 0, &p) == ST_OK);
    CHECK(st_policy_to_json_file(ctx, p, m, tmp) == ST_OK);
    CHECK(st_policy_from_json_file(ctx, m, tmp, &q) == ST_OK);
    if (p && q) {
        CHECK_EQ_INT(st_policy_horizon(q), 0);
        CHECK_EQ_INT(st_policy_method(q), ST_MDP_POLICY);
        for (size_t s = 0; s < 2; s++) {
            CHECK_EQ_INT(st_policy_action(q, s, 0), st_policy_action(p, s, 0));
            CHECK_NEAR(st_policy_value(q, s, 0), st_policy_value(p, s, 0), 0);
        }
    }
    st_policy_free(p);
    st_policy_free(q);
    p = q = NULL;
    CHECK(st_mdp_solve_backward(ctx, m, 0.9, 4, NULL, &p) == ST_OK);
    CHECK(st_policy_to_json_file(ctx, p, m, tmp) == ST_OK);
    CHECK(st_policy_from_json_file(ctx, m, tmp, &q) == ST_OK);
    if (p && q) {
        CHECK_EQ_INT(st_policy_horizon(q), 4);
        for (size_t s = 0; s < 2; s++)
            for (size_t k = 0; k <= 4; k++) {
                if (k < 4) CHECK_EQ_INT(st_policy_action(q, s, k), st_policy_action(p, s, k));
                CHECK_NEAR(st_policy_value(q, s, k), st_policy_value(p, s, k), 0);
                CHECK_EQ_INT(st_policy_path(q, s, k), st_policy_path(p, s, k));
            }
    }
    st_policy_free(p);
    st_policy_free(q);
    /* An "iterations" count no size_t holds is ignored, not converted (undefined behaviour: found by
    ** tests/fuzz/fuzz_policy.c). */
    FILE *fp = fopen(tmp, "wb");
    CHECK(fp != NULL);
    if (fp) {
        fputs("{\"format\": \"strata-policy\", \"version\": 1, \"policy\": [0, 1], \"values\": [1, 2],"
              " \"iterations\": 1e300}", fp);
        fclose(fp);
    }
    q = NULL;
    CHECK(st_policy_from_json_file(ctx, m, tmp, &q) == ST_OK);
    CHECK_EQ_INT(st_policy_iterations(q), 0);
    CHECK_EQ_INT(st_policy_action(q, 1, 0), 1);
    st_policy_free(q);
    remove(tmp);
    st_mdp_free(m2);

    /* Hand-written sparse form with bare action names; then malformed inputs with clear messages. */
    const char *sparse = "{\"states\": [\"a\", \"b\"], \"actions\": [\"wait\"],"
                         " \"P\": [[0, 0, 1, 1], [0, 1, 0, 0.25], [0, 1, 1, 0.75]], \"R\": [[1], [2]]}";
    st_mdp *m3 = NULL;
    CHECK(st_mdp_from_json(ctx, sparse, strlen(sparse), "sparse.json", &m3) == ST_OK);
    CHECK_NEAR(st_mdp_prob(m3, 1, 0, 1), 0.75, 0);
    st_mdp_free(m3);
    struct { const char *text, *msg; st_status rc; } bad[] = {
        {"{\"states\": [\"a\"], \"actions\": [\"w\"], \"P\": [[0, 0, 0, 0.5]], \"R\": [[1]]}", "sums to", ST_EDATA},
        {"{\"states\": [\"a\"], \"actions\": [\"w\"], \"P\": [[0, 0, 1, 1]], \"R\": [[1]]}", "\"P\"[0]", ST_EFORMAT},
        {"{\"states\": [\"a\"], \"actions\": [\"w\"], \"P\": [[0, 0, 0, 1]], \"R\": [[1, 2]]}", "\"R\"[0]", ST_EFORMAT},
        {"{\"states\": [\"a\"], \"actions\": [\"w\"], \"P\": [[0, 0, 0, 1]]}", "missing \"R\"", ST_EFORMAT},
        {"{\"version\": 2, \"states\": [\"a\"], \"actions\": [\"w\"], \"P\": [[0, 0, 0, 1]], \"R\": [[1]]}",
         "version", ST_EFORMAT},
        {"{\"states\": [\"a\"], \"actions\": [\"w\"], \"P\": [[0, 0, 0, 1]], \"R\": [[1]]", "bad.json", ST_EPARSE},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        st_mdp *mb = NULL;
        st_status rc = st_mdp_from_json(ctx, bad[i].text, strlen(bad[i].text), "bad.json", &mb);
        CHECK_EQ_INT(rc, bad[i].rc);
        CHECK(mb == NULL);
        if (!strstr(st_errmsg(ctx), bad[i].msg)) fprintf(stderr, "case %zu: message '%s'\n", i, st_errmsg(ctx));
        CHECK(strstr(st_errmsg(ctx), bad[i].msg) != NULL);
    }
    st_mdp_free(m);
}

/* The sparse fast path parses numbers itself: it must agree bit for bit with the JSON reader (which reads
** dense P), and malformed sparse text must still get a file:line:column message. */
static void test_fast_path(void)
{
    const char *xs[] = {"0.1", "0.30000000000000004", "0.12345678901234567", "1e-1", "5E-1", "0.5000000000000000001",
                        "0.999999999999999999999999", "0.0001220703125", "3.0e-2", "0.7"};
    for (size_t i = 0; i < sizeof xs / sizeof xs[0]; i++) {
        char sparse[512], dense[512];
        double x = strtod(xs[i], NULL);
        char rest[64];
        snprintf(rest, sizeof rest, "%.17g", 1.0 - x);
        snprintf(sparse, sizeof sparse, "{\"states\": [\"a\", \"b\"], \"actions\": [\"w\"], \"P\": [[0, 0, 0, %s], "
                 "[0, 0, 1, %s], [0, 1, 1, 1]], \"R\": [[1], [2]]}", xs[i], rest);
        snprintf(dense, sizeof dense, "{\"states\": [\"a\", \"b\"], \"actions\": [\"w\"], \"P\": [[[%s, %s], [0, 1]]], "
                 "\"R\": [[1], [2]]}", xs[i], rest);
        st_mdp *m1 = NULL, *m2 = NULL;
        CHECK(st_mdp_from_json(ctx, sparse, strlen(sparse), "s.json", &m1) == ST_OK);
        CHECK(st_mdp_from_json(ctx, dense, strlen(dense), "d.json", &m2) == ST_OK);
        if (m1 && m2) {
            CHECK(st_mdp_prob(m1, 0, 0, 0) == st_mdp_prob(m2, 0, 0, 0));
            CHECK(st_mdp_prob(m1, 0, 0, 1) == st_mdp_prob(m2, 0, 0, 1));
        }
        st_mdp_free(m1);
        st_mdp_free(m2);
    }
    const char *bad = "{\"states\": [\"a\"], \"actions\": [\"w\"],\n \"P\": [[0, 0, 0, 1],\n [0, 0, 0, x]], \"R\": [[1]]}";
    st_mdp *m = NULL;
    CHECK_EQ_INT(st_mdp_from_json(ctx, bad, strlen(bad), "bad.json", &m), ST_EPARSE);
    CHECK(strstr(st_errmsg(ctx), "bad.json:3:") != NULL);
    /* Exponents, negative zero indices and whitespace everywhere are still the fast path's business. */
    const char *odd = "{ \"R\" : [ [ 1 ] , [ 2 ] ] , \"P\" : [ [ 0 , 0 , 1 , 1E0 ] , [ 0 , 1 , 0 , 10e-1 ] ] ,"
                      " \"actions\" : [ \"w\" ] , \"states\" : [ \"a\" , \"b\" ] }";
    CHECK(st_mdp_from_json(ctx, odd, strlen(odd), "odd.json", &m) == ST_OK);
    CHECK_NEAR(st_mdp_prob(m, 1, 0, 0), 1.0, 0);
    st_mdp_free(m);
}

static void test_simulate(void)
{
    st_mdp *m = two_state();
    if (!m) return;
    st_policy *opt = NULL, *none = NULL, *myo = NULL;
    CHECK(st_mdp_solve_value(ctx, m, 0.9, 0.01, 0, &opt) == ST_OK);
    CHECK(st_policy_constant(ctx, m, 0, 0.9, &none) == ST_OK);
    CHECK(st_policy_myopic(ctx, m, 0.9, &myo) == ST_OK);
    if (opt && none && myo) {
        double mo, so, mn, sn, mm, sm;
        CHECK(st_mdp_simulate(ctx, m, opt, 20000, 200, 0.9, 0, 7, &mo, &so) == ST_OK);
        CHECK(st_mdp_simulate(ctx, m, none, 20000, 200, 0.9, 0, 7, &mn, &sn) == ST_OK);
        CHECK(st_mdp_simulate(ctx, m, myo, 20000, 200, 0.9, 0, 7, &mm, &sm) == ST_OK);
        CHECK(fabs(mo - st_policy_value(opt, 0, 0)) < 4 * so);
        CHECK(fabs(mn - st_policy_value(none, 0, 0)) < 4 * sn);
        CHECK(fabs(mm - st_policy_value(myo, 0, 0)) < 4 * sm);
        CHECK(mo > mn);
        double again;
        CHECK(st_mdp_simulate(ctx, m, opt, 20000, 200, 0.9, 0, 7, &again, NULL) == ST_OK);
        CHECK_NEAR(again, mo, 0);
    }
    CHECK(st_mdp_simulate(ctx, m, opt, 0, 10, 0.9, 0, 7, NULL, NULL) == ST_EINVAL);
    st_policy_free(opt);
    st_policy_free(none);
    st_policy_free(myo);
    st_mdp_free(m);
}

/* Simulate a known chain, rebuild it from the simulated transitions, recover P within sampling error. */
static void test_estimate(void)
{
    const size_t S = 4, A = 2, n = 200000;
    double P[2 * 4 * 4], R[4 * 2];
    for (size_t a = 0; a < A; a++)
        for (size_t s = 0; s < S; s++) {
            double sum = 0, *row = P + (a * S + s) * S;
            for (size_t j = 0; j < S; j++) sum += row[j] = urand() + 0.1;
            for (size_t j = 0; j < S; j++) row[j] /= sum;
            R[s * A + a] = (double)(s * 3 + a);
        }
    uint32_t *st = malloc(n * sizeof *st), *ac = malloc(n * sizeof *ac), *nx = malloc(n * sizeof *nx);
    double *rw = malloc(n * sizeof *rw);
    if (!st || !ac || !nx || !rw) return;
    uint32_t s = 0;
    for (size_t k = 0; k < n; k++) {
        uint32_t a = urand() < 0.5 ? 0 : 1;
        double u = urand(), acc = 0;
        uint32_t j = (uint32_t)S - 1;
        for (uint32_t t = 0; t < S; t++) {
            acc += P[(a * S + s) * S + t];
            if (u < acc) {
                j = t;
                break;
            }
        }
        st[k] = s;
        ac[k] = a;
        nx[k] = j;
        rw[k] = R[s * A + a] + (urand() - 0.5);
        s = j;
    }
    st_mdp_estimate_options o;
    st_mdp_estimate_options_init(&o);
    o.smoothing = 0;
    const double cost[] = {0, 1.5};
    o.cost = cost;
    st_mdp *m = NULL;
    CHECK(st_mdp_estimate(ctx, S, A, n, st, ac, nx, rw, &o, &m) == ST_OK);
    for (size_t a = 0; m && a < A; a++)
        for (size_t i = 0; i < S; i++) {
            size_t ni = 0;
            for (size_t k = 0; k < n; k++) ni += st[k] == i && ac[k] == a;
            for (size_t j = 0; j < S; j++) {
                double p = P[(a * S + i) * S + j], se = sqrt(p * (1 - p) / (double)ni);
                CHECK(fabs(st_mdp_prob(m, i, a, j) - p) < 4.5 * se);
            }
            CHECK_NEAR(st_mdp_reward(m, i, a), R[i * A + a] - cost[a], 0.02);
        }
    CHECK_NEAR(st_mdp_action_cost(m, 1), 1.5, 0);
    st_mdp_free(m);
    /* Laplace smoothing on a tiny log: counts (2, 0) from state 0 give (3/4, 1/4); an unseen action 1
    ** borrows action 0's counts, churn (state 1) counts halved, reward doubled. */
    const uint32_t s2[] = {0, 0, 1}, n2[] = {0, 0, 1};
    const double r2[] = {4, 6, 1};
    st_mdp_estimate_options_init(&o);
    const double rm[] = {1, 2}, cm[] = {1, 0.5};
    const uint32_t churn[] = {1};
    o.reward_multiplier = rm;
    o.churn_multiplier = cm;
    o.churn_states = churn;
    o.nchurn = 1;
    CHECK(st_mdp_estimate(ctx, 2, 2, 3, s2, NULL, n2, r2, &o, &m) == ST_OK);
    if (m) {
        CHECK_NEAR(st_mdp_prob(m, 0, 0, 0), 0.75, 1e-15);
        CHECK_NEAR(st_mdp_prob(m, 0, 0, 1), 0.25, 1e-15);
        CHECK_NEAR(st_mdp_reward(m, 0, 0), 5, 1e-15);
        CHECK_NEAR(st_mdp_reward(m, 0, 1), 10, 1e-15);
        CHECK_NEAR(st_mdp_prob(m, 1, 1, 1), (0.5 + 1) / (0.5 + 2), 1e-15);
    }
    st_mdp_free(m);
    CHECK(st_mdp_estimate(ctx, 2, 2, 0, s2, NULL, n2, r2, &o, &m) == ST_EEMPTY);
    free(st);
    free(ac);
    free(nx);
    free(rw);
}

int main(void)
{
    if (st_context_new(&ctx) != ST_OK) return 1;
    test_forest();
    test_two_state();
    test_catalog();
    test_validation();
    test_brute_force();
    test_large();
    test_json();
    test_fast_path();
    test_simulate();
    test_estimate();
    st_context_free(ctx);
    T_DONE();
}
