/*
** mdp.c -- the MDP model: construction from sparse or dense transitions, validation (indices, signs, row
** sums within 1e-9, then exact normalisation), names, costs and accessors, plus the policy handle.
*/
#include "decide/mdp.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ROW_SUM_TOL 1e-9
#define DNAN ((double)NAN)

static void free_names(st_context *ctx, char **names, size_t n)
{
    if (!names) return;
    for (size_t i = 0; i < n; i++) st__free(ctx, names[i], 0);
    st__free(ctx, names, n * sizeof *names);
}

void st_mdp_free(st_mdp *m)
{
    if (!m) return;
    st_context *ctx = m->ctx;
    size_t rows = m->S * m->A;
    st__csr_free(ctx, &m->P);
    st__free(ctx, m->R, rows * sizeof *m->R);
    free_names(ctx, m->state_name, m->S);
    free_names(ctx, m->action_name, m->A);
    st__free(ctx, m->cost, m->A * sizeof *m->cost);
    st__free(ctx, m, sizeof *m);
}

static char **default_names(st_context *ctx, size_t n, char prefix)
{
    char **names = st__calloc(ctx, n, sizeof *names);
    if (!names) return NULL;
    for (size_t i = 0; i < n; i++) {
        char tmp[32];
        snprintf(tmp, sizeof tmp, "%c%zu", prefix, i);
        names[i] = st__strdup(ctx, tmp);
        if (!names[i]) {
            free_names(ctx, names, n);
            return NULL;
        }
    }
    return names;
}

st_status st__mdp_alloc(st_context *ctx, size_t S, size_t A, st_mdp **out)
{
    *out = NULL;
    if (S == 0 || A == 0) return st__error(ctx, ST_EINVAL, "an MDP needs at least one state and one action");
    if (S > ST_MDP_MAX_STATES || A > ST_MDP_MAX_ACTIONS)
        return st__error(ctx, ST_EINVAL, "an MDP holds at most %u states and %u actions (got %zu and %zu)",
                         ST_MDP_MAX_STATES, ST_MDP_MAX_ACTIONS, S, A);
    size_t rows;
    if (!st__mul_ok(S, A, &rows) || rows == SIZE_MAX)
        return st__error(ctx, ST_ENOMEM, "size overflow (%zu states x %zu actions)", S, A);
    st_mdp *m = st__calloc(ctx, 1, sizeof *m);
    if (!m) return ST_ENOMEM;
    m->ctx = ctx;
    m->S = S;
    m->A = A;
    m->P.nrows = rows;
    m->P.rowptr = st__calloc(ctx, rows + 1, sizeof *m->P.rowptr);
    m->R = st__calloc(ctx, rows, sizeof *m->R);
    m->cost = st__calloc(ctx, A, sizeof *m->cost);
    if (m->P.rowptr && m->R && m->cost) {
        m->state_name = default_names(ctx, S, 's');
        if (m->state_name) m->action_name = default_names(ctx, A, 'a');
    }
    if (!m->action_name) {
        st_mdp_free(m);
        return ST_ENOMEM;
    }
    *out = m;
    return ST_OK;
}

st_status st__mdp_alloc_entries(st_mdp *m, size_t **cursor)
{
    size_t rows = m->S * m->A;
    for (size_t r = 0; r < rows; r++) m->P.rowptr[r + 1] += m->P.rowptr[r];
    size_t nnz = m->P.rowptr[rows];
    m->P.col = st__realloc_array(m->ctx, NULL, 0, nnz, sizeof *m->P.col);
    m->P.val = st__realloc_array(m->ctx, NULL, 0, nnz, sizeof *m->P.val);
    *cursor = st__realloc_array(m->ctx, NULL, 0, rows, sizeof **cursor);
    if (!m->P.col || !m->P.val || !*cursor) {
        st__free(m->ctx, *cursor, 0);
        *cursor = NULL;
        return ST_ENOMEM;
    }
    memcpy(*cursor, m->P.rowptr, rows * sizeof **cursor);
    return ST_OK;
}

typedef struct entry {
    uint32_t col;
    double p;
} entry;

static int cmp_entry(const void *a, const void *b)
{
    uint32_t x = ((const entry *)a)->col, y = ((const entry *)b)->col;
    return (x > y) - (x < y);
}

/* Sorts row [lo, hi) by column; small rows by insertion, long ones through a scratch array. */
static st_status sort_row(st_mdp *m, size_t lo, size_t hi, entry **scratch, size_t *scap)
{
    bool sorted = true;
    for (size_t k = lo + 1; k < hi && sorted; k++) sorted = m->P.col[k - 1] <= m->P.col[k];
    if (sorted) return ST_OK;
    size_t n = hi - lo;
    if (n <= 32) {
        for (size_t k = lo + 1; k < hi; k++) {
            uint32_t c = m->P.col[k];
            double p = m->P.val[k];
            size_t j = k;
            while (j > lo && m->P.col[j - 1] > c) {
                m->P.col[j] = m->P.col[j - 1];
                m->P.val[j] = m->P.val[j - 1];
                j--;
            }
            m->P.col[j] = c;
            m->P.val[j] = p;
        }
        return ST_OK;
    }
    if (n > *scap) {
        entry *e = st__realloc_array(m->ctx, *scratch, *scap, n, sizeof *e);
        if (!e) return ST_ENOMEM;
        *scratch = e;
        *scap = n;
    }
    entry *e = *scratch;
    for (size_t k = 0; k < n; k++) e[k] = (entry){m->P.col[lo + k], m->P.val[lo + k]};
    qsort(e, n, sizeof *e, cmp_entry);
    for (size_t k = 0; k < n; k++) {
        m->P.col[lo + k] = e[k].col;
        m->P.val[lo + k] = e[k].p;
    }
    return ST_OK;
}

st_status st__mdp_finish(st_mdp *m, size_t *cursor, const char *where)
{
    st_context *ctx = m->ctx;
    size_t rows = m->S * m->A;
    const char *w = where ? where : "";
    const char *sep = where ? ": " : "";
    for (size_t r = 0; r < rows; r++)
        if (cursor[r] != m->P.rowptr[r + 1])
            return st__error(ctx, ST_EINVAL, "%s%sinternal: row %zu not filled", w, sep, r);
    for (size_t r = 0; r < rows; r++) {
        double x = m->R[r];
        if (!isfinite(x))
            return st__error(ctx, ST_EDATA, "%s%sR[%zu][%zu] (state '%s', action '%s') is not finite", w, sep,
                             r / m->A, r % m->A, m->state_name[r / m->A], m->action_name[r % m->A]);
    }
    entry *scratch = NULL;
    size_t scap = 0;
    size_t wpos = 0, lo = 0;
    st_status rc = ST_OK;
    for (size_t r = 0; r < rows && rc == ST_OK; r++) {
        size_t hi = m->P.rowptr[r + 1];
        size_t s = r / m->A, a = r % m->A;
        rc = sort_row(m, lo, hi, &scratch, &scap);
        if (rc != ST_OK) break;
        size_t start = wpos;
        double sum = 0.0;
        for (size_t k = lo; k < hi; k++) {
            double p = m->P.val[k];
            if (!(p >= 0.0) || !isfinite(p)) {
                rc = st__error(ctx, ST_EDATA, "%s%sP[%zu][%zu][%u] (action '%s', state '%s') = %.17g: "
                               "probabilities must be finite and non-negative", w, sep, a, s, m->P.col[k],
                               m->action_name[a], m->state_name[s], p);
                break;
            }
            if (k > lo && m->P.col[k] == m->P.col[k - 1]) {
                rc = st__error(ctx, ST_EDATA, "%s%sP[%zu][%zu][%u] (action '%s', state '%s') is given twice",
                               w, sep, a, s, m->P.col[k], m->action_name[a], m->state_name[s]);
                break;
            }
            if (p == 0.0) continue;
            sum += p;
            m->P.col[wpos] = m->P.col[k];
            m->P.val[wpos] = p;
            wpos++;
        }
        if (rc != ST_OK) break;
        if (!(fabs(sum - 1.0) <= ROW_SUM_TOL)) {
            rc = st__error(ctx, ST_EDATA, "%s%sP[%zu][%zu] (action '%s', state '%s') sums to %.17g, not 1 "
                           "(tolerance 1e-9)", w, sep, a, s, m->action_name[a], m->state_name[s], sum);
            break;
        }
        /* Exact normalisation: estimated rows are off by rounding, and solvers assume stochastic rows. */
        for (size_t k = start; k < wpos; k++) m->P.val[k] /= sum;
        lo = hi;
        m->P.rowptr[r + 1] = wpos;
    }
    st__free(ctx, scratch, scap * sizeof *scratch);
    if (rc != ST_OK) return rc;
    size_t nnz_old = lo;
    if (wpos < nnz_old && wpos > 0) {
        uint32_t *c = st__realloc_array(ctx, m->P.col, nnz_old, wpos, sizeof *c);
        if (c) m->P.col = c;
        double *p = st__realloc_array(ctx, m->P.val, nnz_old, wpos, sizeof *p);
        if (p) m->P.val = p;
        st_clear_error(ctx); /* shrinking failures are harmless */
    }
    return ST_OK;
}

static st_status check_out(st_context *ctx, void *out)
{
    if (!ctx) return ST_EINVAL;
    if (!out) return st__error(ctx, ST_EINVAL, "NULL output argument");
    return ST_OK;
}

st_status st_mdp_new_sparse(st_context *ctx, size_t nstates, size_t nactions, size_t nnz,
                            const uint32_t *action, const uint32_t *state, const uint32_t *next,
                            const double *prob, const double *R, st_mdp **out)
{
    st_status rc = check_out(ctx, out);
    if (rc) return rc;
    *out = NULL;
    if ((nnz && (!action || !state || !next || !prob)) || !R)
        return st__error(ctx, ST_EINVAL, "st_mdp_new_sparse: NULL array");
    st_mdp *m;
    if ((rc = st__mdp_alloc(ctx, nstates, nactions, &m))) return rc;
    for (size_t k = 0; k < nnz; k++) {
        if (action[k] >= nactions || state[k] >= nstates || next[k] >= nstates) {
            st_mdp_free(m);
            return st__error(ctx, ST_EINVAL, "entry %zu: (action %u, state %u, next %u) out of range "
                             "(%zu actions, %zu states)", k, action[k], state[k], next[k], nactions, nstates);
        }
        m->P.rowptr[(size_t)state[k] * nactions + action[k] + 1]++;
    }
    size_t *cur;
    if ((rc = st__mdp_alloc_entries(m, &cur))) {
        st_mdp_free(m);
        return rc;
    }
    for (size_t k = 0; k < nnz; k++)
        st__mdp_put(m, cur, (size_t)state[k] * nactions + action[k], next[k], prob[k]);
    memcpy(m->R, R, nstates * nactions * sizeof *R);
    rc = st__mdp_finish(m, cur, NULL);
    st__free(ctx, cur, 0);
    if (rc) {
        st_mdp_free(m);
        return rc;
    }
    *out = m;
    return ST_OK;
}

st_status st_mdp_new_dense(st_context *ctx, size_t nstates, size_t nactions, const double *P,
                           const double *R, st_mdp **out)
{
    st_status rc = check_out(ctx, out);
    if (rc) return rc;
    *out = NULL;
    if (!P || !R) return st__error(ctx, ST_EINVAL, "st_mdp_new_dense: NULL array");
    st_mdp *m;
    if ((rc = st__mdp_alloc(ctx, nstates, nactions, &m))) return rc;
    size_t S = nstates, A = nactions;
    for (size_t a = 0; a < A; a++)
        for (size_t s = 0; s < S; s++) {
            const double *row = P + (a * S + s) * S;
            size_t c = 0;
            for (size_t j = 0; j < S; j++) c += row[j] != 0.0;
            m->P.rowptr[s * A + a + 1] = c;
        }
    size_t *cur;
    if ((rc = st__mdp_alloc_entries(m, &cur))) {
        st_mdp_free(m);
        return rc;
    }
    for (size_t a = 0; a < A; a++)
        for (size_t s = 0; s < S; s++) {
            const double *row = P + (a * S + s) * S;
            for (size_t j = 0; j < S; j++)
                if (row[j] != 0.0) st__mdp_put(m, cur, s * A + a, (uint32_t)j, row[j]);
        }
    memcpy(m->R, R, S * A * sizeof *R);
    rc = st__mdp_finish(m, cur, NULL);
    st__free(ctx, cur, 0);
    if (rc) {
        st_mdp_free(m);
        return rc;
    }
    *out = m;
    return ST_OK;
}

size_t st_mdp_nstates(const st_mdp *m) { return m ? m->S : 0; }
size_t st_mdp_nactions(const st_mdp *m) { return m ? m->A : 0; }
size_t st_mdp_nnz(const st_mdp *m) { return m ? m->P.rowptr[m->S * m->A] : 0; }

const char *st_mdp_state_name(const st_mdp *m, size_t s) { return m && s < m->S ? m->state_name[s] : NULL; }
const char *st_mdp_action_name(const st_mdp *m, size_t a) { return m && a < m->A ? m->action_name[a] : NULL; }
double st_mdp_action_cost(const st_mdp *m, size_t a) { return m && a < m->A ? m->cost[a] : DNAN; }

static long find_name(char *const *names, size_t n, const char *name)
{
    if (!names || !name) return -1;
    for (size_t i = 0; i < n; i++)
        if (strcmp(names[i], name) == 0) return (long)i;
    return -1;
}

long st_mdp_find_state(const st_mdp *m, const char *name) { return m ? find_name(m->state_name, m->S, name) : -1; }
long st_mdp_find_action(const st_mdp *m, const char *name)
{
    return m ? find_name(m->action_name, m->A, name) : -1;
}

double st_mdp_reward(const st_mdp *m, size_t s, size_t a)
{
    return m && s < m->S && a < m->A ? m->R[s * m->A + a] : DNAN;
}

double st_mdp_prob(const st_mdp *m, size_t s, size_t a, size_t next)
{
    if (!m || s >= m->S || a >= m->A || next >= m->S) return 0.0;
    return st__csr_get(&m->P, s * m->A + a, (uint32_t)next);
}

static st_status set_name(st_mdp *m, char **slot, const char *name)
{
    if (!name || !*name) return st__error(m->ctx, ST_EINVAL, "a state or action name must not be empty");
    char *c = st__strdup(m->ctx, name);
    if (!c) return ST_ENOMEM;
    st__free(m->ctx, *slot, 0);
    *slot = c;
    return ST_OK;
}

st_status st_mdp_set_state_name(st_mdp *m, size_t s, const char *name)
{
    if (!m) return ST_EINVAL;
    if (s >= m->S) return st__error(m->ctx, ST_EINVAL, "state %zu out of range (%zu states)", s, m->S);
    return set_name(m, &m->state_name[s], name);
}

st_status st_mdp_set_action(st_mdp *m, size_t a, const char *name, double cost)
{
    if (!m) return ST_EINVAL;
    if (a >= m->A) return st__error(m->ctx, ST_EINVAL, "action %zu out of range (%zu actions)", a, m->A);
    if (!isfinite(cost)) return st__error(m->ctx, ST_EINVAL, "action '%s': cost is not finite", name ? name : "");
    st_status rc = set_name(m, &m->action_name[a], name);
    if (rc == ST_OK) m->cost[a] = cost;
    return rc;
}

/* ---- policies ---- */

void st_policy_free(st_policy *p)
{
    if (!p) return;
    st_context *ctx = p->ctx;
    size_t stages = p->horizon ? p->horizon : 1;
    st__free(ctx, p->action, stages * p->S * sizeof *p->action);
    st__free(ctx, p->value, (p->horizon + 1) * p->S * sizeof *p->value);
    st__free(ctx, p->path, (p->horizon + 1) * p->S * sizeof *p->path);
    st__free(ctx, p, sizeof *p);
}

st_status st__policy_alloc(st_context *ctx, size_t S, size_t A, size_t horizon, bool with_path,
                           st_policy **out)
{
    *out = NULL;
    size_t na, nv;
    if (!st__mul_ok(horizon ? horizon : 1, S, &na) || !st__mul_ok(horizon + 1, S, &nv))
        return st__error(ctx, ST_ENOMEM, "size overflow (%zu states x %zu stages)", S, horizon);
    if (!horizon) nv = S;
    st_policy *p = st__calloc(ctx, 1, sizeof *p);
    if (!p) return ST_ENOMEM;
    p->ctx = ctx;
    p->S = S;
    p->A = A;
    p->horizon = horizon;
    p->discount = DNAN;
    p->average_reward = DNAN;
    p->action = st__realloc_array(ctx, NULL, 0, na, sizeof *p->action);
    p->value = st__realloc_array(ctx, NULL, 0, nv, sizeof *p->value);
    if (with_path && horizon) p->path = st__realloc_array(ctx, NULL, 0, nv, sizeof *p->path);
    if (!p->action || !p->value || (with_path && horizon && !p->path)) {
        st_policy_free(p);
        return ST_ENOMEM;
    }
    *out = p;
    return ST_OK;
}

st_mdp_method st_policy_method(const st_policy *p) { return p ? p->method : ST_MDP_FIXED; }
size_t st_policy_nstates(const st_policy *p) { return p ? p->S : 0; }
size_t st_policy_horizon(const st_policy *p) { return p ? p->horizon : 0; }
double st_policy_discount(const st_policy *p) { return p ? p->discount : DNAN; }
double st_policy_average_reward(const st_policy *p) { return p ? p->average_reward : DNAN; }
size_t st_policy_iterations(const st_policy *p) { return p ? p->iterations : 0; }

long st_policy_action(const st_policy *p, size_t s, size_t k)
{
    if (!p || s >= p->S) return -1;
    if (!p->horizon) return p->action[s];
    if (k >= p->horizon) return -1;
    return p->action[k * p->S + s];
}

double st_policy_value(const st_policy *p, size_t s, size_t k)
{
    if (!p || s >= p->S) return DNAN;
    if (!p->horizon) return p->value[s];
    if (k > p->horizon) return DNAN;
    return p->value[k * p->S + s];
}

long st_policy_path(const st_policy *p, size_t s, size_t k)
{
    if (!p || !p->path || s >= p->S || k > p->horizon) return -1;
    return p->path[k * p->S + s];
}
