/*
** mdp_solve.c -- the MDP solvers: backward induction (finite horizon), value iteration followed by exact
** evaluation, policy iteration, relative value iteration (average reward), and exact policy evaluation
** (dense LU for small models, Gauss-Seidel to a tight error bound for large ones).
*/
#include "decide/mdp.h"
#include "core/parallel.h"
#include "num/linalg.h"

#include <math.h>
#include <string.h>

#define DNAN ((double)NAN)
/* Actions whose Q value is within this of the best count as tied; the lowest index then wins. Exact
** comparison would let rounding in the evaluation pick among truly equal actions at random. */
#define TIE_REL 1e-9
/* Gauss-Seidel evaluation stops when its a-posteriori error bound is below this, relative to max |V|. */
#define EVAL_REL_TOL 1e-11
#define EVAL_MAX_SWEEPS 10000000u
#define DEFAULT_EPSILON 0.01
#define DEFAULT_VI_MAX 100000u
#define DEFAULT_PI_MAX 1000u
#define MAX_HORIZON 1000000u

static double tie_tol(double best) { return TIE_REL * (1.0 + fabs(best)); }

/* Best action of state s against V, ties within the tolerance to the lowest index; q (A values) receives
** every Q value, so callers can compare the current action without recomputing it. */
static uint32_t greedy(const st_mdp *m, size_t s, double g, const double *V, double *q)
{
    size_t A = m->A;
    double best = -INFINITY;
    for (size_t a = 0; a < A; a++) {
        q[a] = st__mdp_q(m, s, a, g, V);
        if (q[a] > best) best = q[a];
    }
    double tol = tie_tol(best);
    uint32_t arg = 0;
    while (q[arg] < best - tol) arg++;
    return arg;
}

/* Solves the dense system (I - g P_pi) V = r_pi by LU with partial pivoting. */
static st_status evaluate_dense(st_context *ctx, const st_mdp *m, const uint32_t *act, double g, double *V)
{
    size_t S = m->S;
    double *M = st__calloc(ctx, S * S, sizeof *M);
    if (!M) return ST_ENOMEM;
    for (size_t s = 0; s < S; s++) {
        size_t r = s * m->A + act[s];
        double *row = M + s * S;
        row[s] = 1.0;
        for (size_t k = m->P.rowptr[r]; k < m->P.rowptr[r + 1]; k++) row[m->P.col[k]] -= g * m->P.val[k];
        V[s] = m->R[r];
    }
    int lu = st__lu_solve(M, S, S, V);
    st__free(ctx, M, S * S * sizeof *M);
    if (lu != 0) return st__error(ctx, ST_ECONVERGE, "policy evaluation: singular system (discount %g)", g);
    return ST_OK;
}

/* Gauss-Seidel sweeps V(s) = (r + g sum_{j != s} P V(j)) / (1 - g P(s,s)). The sweep is a sup-norm
** contraction of modulus <= g, so |V - V*| <= g / (1 - g) |V_new - V_old| bounds the error. */
static st_status evaluate_iterative(st_context *ctx, const st_mdp *m, const uint32_t *act, double g, double *V)
{
    size_t S = m->S;
    for (unsigned sweep = 0; sweep < EVAL_MAX_SWEEPS; sweep++) {
        double dmax = 0.0, vmax = 0.0;
        for (size_t s = 0; s < S; s++) {
            size_t r = s * m->A + act[s];
            double acc = 0.0, diag = 0.0;
            for (size_t k = m->P.rowptr[r]; k < m->P.rowptr[r + 1]; k++) {
                uint32_t j = m->P.col[k];
                if (j == s) diag = m->P.val[k];
                else acc += m->P.val[k] * V[j];
            }
            double v = (m->R[r] + g * acc) / (1.0 - g * diag);
            double d = fabs(v - V[s]);
            if (d > dmax) dmax = d;
            if (fabs(v) > vmax) vmax = fabs(v);
            V[s] = v;
        }
        if (!isfinite(dmax)) return st__error(ctx, ST_ECONVERGE, "policy evaluation diverged");
        if (dmax * g / (1.0 - g) <= EVAL_REL_TOL * (vmax > 1.0 ? vmax : 1.0)) return ST_OK;
        if ((sweep & 63u) == 63u) {
            st_status rc = st__progress(ctx, "mdp evaluate", -1.0);
            if (rc) return rc;
        }
    }
    return st__error(ctx, ST_ECONVERGE, "policy evaluation did not converge in %u sweeps", EVAL_MAX_SWEEPS);
}

st_status st__mdp_evaluate(st_context *ctx, const st_mdp *m, const uint32_t *act, double g, double *V, bool warm)
{
    if (m->S <= ST_MDP_DENSE_EVAL_MAX) return evaluate_dense(ctx, m, act, g, V);
    if (!warm)
        for (size_t s = 0; s < m->S; s++) V[s] = 0.0;
    return evaluate_iterative(ctx, m, act, g, V);
}

static st_status check_args(st_context *ctx, const st_mdp *m, st_policy **out)
{
    if (!ctx) return ST_EINVAL;
    if (!m || !out) return st__error(ctx, ST_EINVAL, "NULL model or output argument");
    *out = NULL;
    return ST_OK;
}

/* Policy iteration from the policy in p->action (values warm in p->value when warm): evaluate, switch
** where strictly better, repeat; when nothing switches, settle ties on the lowest index (re-evaluating if
** that changed an action). q is scratch for nactions values. */
static st_status improve_until_stable(st_context *ctx, const st_mdp *m, st_policy *p, double g, bool warm,
                                      size_t max_rounds, double *q, size_t *rounds)
{
    size_t S = m->S;
    uint32_t *act = p->action;
    double *V = p->value;
    st_status rc = st__mdp_evaluate(ctx, m, act, g, V, warm);
    if (rc) return rc;
    uint32_t *low = st__realloc_array(ctx, NULL, 0, S, sizeof *low);
    if (!low) return ST_ENOMEM;
    size_t n = 0;
    for (;;) {
        size_t changed = 0;
        for (size_t s = 0; s < S; s++) {
            uint32_t a = greedy(m, s, g, V, q);
            low[s] = a;
            if (a != act[s] && q[a] > q[act[s]] + tie_tol(q[a])) {
                act[s] = a;
                changed++;
            }
        }
        if (!changed) break;
        if (++n >= max_rounds) {
            rc = st__error(ctx, ST_ECONVERGE, "policy iteration did not settle in %zu rounds", max_rounds);
            break;
        }
        if ((rc = st__mdp_evaluate(ctx, m, act, g, V, true))) break;
        if ((rc = st__progress(ctx, "mdp solve", -1.0))) break;
    }
    *rounds = n;
    if (rc == ST_OK) {
        size_t changed = 0;
        for (size_t s = 0; s < S; s++)
            if (low[s] != act[s]) {
                act[s] = low[s];
                changed++;
            }
        if (changed) rc = st__mdp_evaluate(ctx, m, act, g, V, true);
    }
    st__free(ctx, low, S * sizeof *low);
    return rc;
}

/* One Jacobi sweep W = T(V) over states [lo, hi), with the range of W - V. Independent per state, so the
** sweep splits across threads with results identical to one thread. */
typedef struct sweep_job {
    const st_mdp *m;
    double g;
    const double *V;
    double *W;
    size_t lo, hi;
    double dmin, dmax;
} sweep_job;

static void sweep_run(void *ud, size_t job, size_t worker)
{
    (void)worker;
    sweep_job *j = (sweep_job *)ud + job;
    const st_mdp *m = j->m;
    double dmin = INFINITY, dmax = -INFINITY;
    for (size_t s = j->lo; s < j->hi; s++) {
        double best = -INFINITY;
        for (size_t a = 0; a < m->A; a++) {
            double qa = st__mdp_q(m, s, a, j->g, j->V);
            if (qa > best) best = qa;
        }
        j->W[s] = best;
        double d = best - j->V[s];
        if (d < dmin) dmin = d;
        if (d > dmax) dmax = d;
    }
    j->dmin = dmin;
    j->dmax = dmax;
}

/* Below this many stored transitions a second thread costs more than it saves. */
#define PARALLEL_MIN_NNZ 2000000u

static void sweep(st_context *ctx, const st_mdp *m, double g, const double *V, double *W, double *dmin, double *dmax)
{
    sweep_job jobs[2] = {{m, g, V, W, 0, m->S, 0, 0}, {m, g, V, W, m->S, m->S, 0, 0}};
    bool two = st_context_threads(ctx) >= 2 && m->P.rowptr[m->S * m->A] >= PARALLEL_MIN_NNZ;
    if (two) {
        /* Split by transitions, not states, so both halves carry the same work. */
        size_t half = m->P.rowptr[m->S * m->A] / 2, lo = 0, hi = m->S;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (m->P.rowptr[mid * m->A] < half) lo = mid + 1;
            else hi = mid;
        }
        jobs[0].hi = jobs[1].lo = lo;
    }
    st__parallel_for(ctx, two ? 2 : 1, sweep_run, jobs);
    *dmin = jobs[0].dmin;
    *dmax = jobs[0].dmax;
    if (two) {
        if (jobs[1].lo < jobs[1].hi) {
            if (jobs[1].dmin < *dmin) *dmin = jobs[1].dmin;
            if (jobs[1].dmax > *dmax) *dmax = jobs[1].dmax;
        }
    }
}

st_status st_mdp_solve_value(st_context *ctx, const st_mdp *m, double discount, double epsilon,
                             size_t max_iter, st_policy **out)
{
    st_status rc = check_args(ctx, m, out);
    if (rc) return rc;
    if (!(discount > 0.0 && discount < 1.0))
        return st__error(ctx, ST_EINVAL, "value iteration needs a discount in (0, 1), got %g", discount);
    if (!(epsilon > 0.0)) epsilon = DEFAULT_EPSILON;
    if (!max_iter) max_iter = DEFAULT_VI_MAX;
    size_t S = m->S;
    st_policy *p;
    if ((rc = st__policy_alloc(ctx, S, m->A, 0, false, &p))) return rc;
    p->method = ST_MDP_VALUE;
    p->discount = discount;
    double *V = p->value, *W = st__calloc(ctx, S, sizeof *W), *q = st__calloc(ctx, m->A, sizeof *q);
    if (!W || !q) {
        st__free(ctx, W, 0);
        st__free(ctx, q, 0);
        st_policy_free(p);
        return ST_ENOMEM;
    }
    for (size_t s = 0; s < S; s++) V[s] = 0.0;
    const double thresh = epsilon * (1.0 - discount) / discount;
    size_t it = 0;
    double dmin = 0.0, dmax = 0.0;
    while (it < max_iter) {
        it++;
        sweep(ctx, m, discount, V, W, &dmin, &dmax);
        double *t = V;
        V = W;
        W = t;
        if (dmax - dmin < thresh) break;
        if ((it & 15u) == 0 && (rc = st__progress(ctx, "mdp solve", -1.0))) break;
    }
    if (V != p->value) {
        memcpy(p->value, V, S * sizeof *V);
        W = V;
    }
    st__free(ctx, W, S * sizeof *W);
    if (rc == ST_OK) {
        for (size_t s = 0; s < S; s++) p->action[s] = greedy(m, s, discount, p->value, q);
        /* MacQueen's bounds put V* within [V + c dmin, V + c dmax], c = g / (1 - g): starting the exact
        ** evaluation from the midpoint instead of the last iterate saves most of its sweeps. */
        double shift = discount / (1.0 - discount) * 0.5 * (dmin + dmax);
        if (isfinite(shift))
            for (size_t s = 0; s < S; s++) p->value[s] += shift;
        size_t rounds;
        rc = improve_until_stable(ctx, m, p, discount, true, DEFAULT_PI_MAX, q, &rounds);
    }
    st__free(ctx, q, m->A * sizeof *q);
    p->iterations = it;
    if (rc) {
        st_policy_free(p);
        return rc;
    }
    *out = p;
    return ST_OK;
}

st_status st_mdp_solve_policy(st_context *ctx, const st_mdp *m, double discount, size_t max_iter,
                              st_policy **out)
{
    st_status rc = check_args(ctx, m, out);
    if (rc) return rc;
    if (!(discount > 0.0 && discount < 1.0))
        return st__error(ctx, ST_EINVAL, "policy iteration needs a discount in (0, 1), got %g", discount);
    if (!max_iter) max_iter = DEFAULT_PI_MAX;
    st_policy *p;
    if ((rc = st__policy_alloc(ctx, m->S, m->A, 0, false, &p))) return rc;
    p->method = ST_MDP_POLICY;
    p->discount = discount;
    /* The starting policy is greedy on the immediate reward, as in MDPtoolbox. */
    double *q = st__calloc(ctx, m->A, sizeof *q);
    if (!q) {
        st_policy_free(p);
        return ST_ENOMEM;
    }
    for (size_t s = 0; s < m->S; s++) p->value[s] = 0.0;
    for (size_t s = 0; s < m->S; s++) p->action[s] = greedy(m, s, discount, p->value, q);
    size_t rounds = 0;
    rc = improve_until_stable(ctx, m, p, discount, false, max_iter, q, &rounds);
    st__free(ctx, q, m->A * sizeof *q);
    p->iterations = rounds + 1;
    if (rc) {
        st_policy_free(p);
        return rc;
    }
    *out = p;
    return ST_OK;
}

st_status st_mdp_solve_relative(st_context *ctx, const st_mdp *m, double epsilon, size_t max_iter,
                                st_policy **out)
{
    st_status rc = check_args(ctx, m, out);
    if (rc) return rc;
    if (!(epsilon > 0.0)) epsilon = DEFAULT_EPSILON;
    if (!max_iter) max_iter = DEFAULT_VI_MAX;
    size_t S = m->S;
    st_policy *p;
    if ((rc = st__policy_alloc(ctx, S, m->A, 0, false, &p))) return rc;
    p->method = ST_MDP_RELATIVE;
    p->discount = 1.0;
    double *V = st__calloc(ctx, S, sizeof *V), *W = st__calloc(ctx, S, sizeof *W), *q = st__calloc(ctx, m->A, sizeof *q);
    if (!V || !W || !q) {
        st__free(ctx, V, 0);
        st__free(ctx, W, 0);
        st__free(ctx, q, 0);
        st_policy_free(p);
        return ST_ENOMEM;
    }
    double gain = 0.0;
    size_t it = 0;
    bool done = false;
    while (it < max_iter) {
        it++;
        double dmin = INFINITY, dmax = -INFINITY;
        for (size_t s = 0; s < S; s++) {
            uint32_t a = greedy(m, s, 1.0, V, q);
            p->action[s] = a;
            double best = q[a];
            for (size_t b = a + 1; b < m->A; b++)
                if (q[b] > best) best = q[b];
            W[s] = best - gain;
            double d = W[s] - V[s];
            if (d < dmin) dmin = d;
            if (d > dmax) dmax = d;
        }
        if (dmax - dmin < epsilon) {
            p->average_reward = gain + dmin;
            done = true;
            break;
        }
        double *t = V;
        V = W;
        W = t;
        gain = V[S - 1];
        if ((it & 15u) == 0 && (rc = st__progress(ctx, "mdp solve", -1.0))) break;
    }
    memcpy(p->value, W, S * sizeof *W);
    st__free(ctx, V, S * sizeof *V);
    st__free(ctx, W, S * sizeof *W);
    st__free(ctx, q, m->A * sizeof *q);
    p->iterations = it;
    if (rc) {
        st_policy_free(p);
        return rc;
    }
    *out = p;
    if (!done)
        return st__error(ctx, ST_ECONVERGE, "relative value iteration: span above %g after %zu sweeps",
                         epsilon, max_iter);
    return ST_OK;
}

st_status st_mdp_solve_backward(st_context *ctx, const st_mdp *m, double discount, size_t horizon,
                                const double *terminal, st_policy **out)
{
    st_status rc = check_args(ctx, m, out);
    if (rc) return rc;
    if (!(discount > 0.0 && discount <= 1.0))
        return st__error(ctx, ST_EINVAL, "backward induction needs a discount in (0, 1], got %g", discount);
    if (horizon == 0 || horizon > MAX_HORIZON)
        return st__error(ctx, ST_EINVAL, "the horizon must be between 1 and %u, got %zu", MAX_HORIZON, horizon);
    size_t S = m->S;
    if (terminal)
        for (size_t s = 0; s < S; s++)
            if (!isfinite(terminal[s]))
                return st__error(ctx, ST_EINVAL, "terminal value of state '%s' is not finite", m->state_name[s]);
    st_policy *p;
    if ((rc = st__policy_alloc(ctx, S, m->A, horizon, true, &p))) return rc;
    p->method = ST_MDP_BACKWARD;
    p->discount = discount;
    p->iterations = horizon;
    double *q = st__calloc(ctx, m->A, sizeof *q);
    if (!q) {
        st_policy_free(p);
        return ST_ENOMEM;
    }
    double *VN = p->value + horizon * S;
    for (size_t s = 0; s < S; s++) VN[s] = terminal ? terminal[s] : 0.0;
    for (size_t k = horizon; k-- > 0;) {
        const double *next = p->value + (k + 1) * S;
        double *cur = p->value + k * S;
        uint32_t *act = p->action + k * S;
        for (size_t s = 0; s < S; s++) {
            act[s] = greedy(m, s, discount, next, q);
            cur[s] = q[act[s]];
        }
        if ((k & 15u) == 0 && (rc = st__progress(ctx, "mdp solve", 1.0 - (double)k / (double)horizon))) {
            st__free(ctx, q, m->A * sizeof *q);
            st_policy_free(p);
            return rc;
        }
    }
    st__free(ctx, q, m->A * sizeof *q);
    /* The forward trace: from each starting state, follow the optimal action to the most likely next state
    ** (ties to the lowest state index, as rows are sorted by column). */
    for (size_t s = 0; s < S; s++) p->path[s] = (uint32_t)s;
    for (size_t k = 0; k < horizon; k++)
        for (size_t s = 0; s < S; s++) {
            uint32_t at = p->path[k * S + s];
            size_t r = (size_t)at * m->A + p->action[k * S + at];
            uint32_t best = at;
            double pb = -1.0;
            for (size_t j = m->P.rowptr[r]; j < m->P.rowptr[r + 1]; j++)
                if (m->P.val[j] > pb) {
                    pb = m->P.val[j];
                    best = m->P.col[j];
                }
            p->path[(k + 1) * S + s] = best;
        }
    *out = p;
    return ST_OK;
}

static st_status fixed_policy(st_context *ctx, const st_mdp *m, double discount, long a, st_policy **out)
{
    st_status rc = check_args(ctx, m, out);
    if (rc) return rc;
    if (!(discount > 0.0 && discount <= 1.0))
        return st__error(ctx, ST_EINVAL, "policy evaluation needs a discount in (0, 1], got %g", discount);
    if (a >= 0 && (size_t)a >= m->A)
        return st__error(ctx, ST_EINVAL, "action %ld out of range (%zu actions)", a, m->A);
    st_policy *p;
    if ((rc = st__policy_alloc(ctx, m->S, m->A, 0, false, &p))) return rc;
    p->method = ST_MDP_FIXED;
    p->discount = discount;
    /* Myopic: the best immediate reward, R[s][a] (ties to the lowest index as everywhere). */
    for (size_t s = 0; s < m->S; s++) {
        uint32_t best = 0;
        for (size_t b = 1; a < 0 && b < m->A; b++)
            if (m->R[s * m->A + b] > m->R[s * m->A + best] + tie_tol(m->R[s * m->A + best])) best = (uint32_t)b;
        p->action[s] = a >= 0 ? (uint32_t)a : best;
    }
    /* Undiscounted values are infinite or undefined; the policy is still useful for simulation. */
    if (discount == 1.0)
        for (size_t s = 0; s < m->S; s++) p->value[s] = (double)NAN;
    else if ((rc = st__mdp_evaluate(ctx, m, p->action, discount, p->value, false))) {
        st_policy_free(p);
        return rc;
    }
    *out = p;
    return ST_OK;
}

st_status st_policy_constant(st_context *ctx, const st_mdp *m, size_t a, double discount, st_policy **out)
{
    if (a > (size_t)ST_MDP_MAX_ACTIONS) a = ST_MDP_MAX_ACTIONS;
    return fixed_policy(ctx, m, discount, (long)a, out);
}

st_status st_policy_myopic(st_context *ctx, const st_mdp *m, double discount, st_policy **out)
{
    return fixed_policy(ctx, m, discount, -1, out);
}
