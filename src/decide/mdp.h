/*
** mdp.h -- the layout of an MDP and of a solved policy, shared by the model, solver, JSON and simulation
** files of the decide stage. Transitions are one CSR matrix over (state, action) rows: row s * A + a holds
** P(. | s, a), so a Bellman update of state s reads its A rows from one contiguous stretch of memory.
*/
#ifndef STRATA_DECIDE_MDP_H
#define STRATA_DECIDE_MDP_H

#include "core/internal.h"
#include "num/csr.h"

struct st_mdp {
    st_context *ctx;
    size_t S, A;
    st__csr P;         /* transitions: row s * A + a, column = next state (num/csr.h) */
    double *R;         /* S * A, R[s * A + a], net of the action's cost */
    char **state_name; /* S strings */
    char **action_name;
    double *cost;      /* A */
};

struct st_policy {
    st_context *ctx;
    st_mdp_method method;
    size_t S, A;
    size_t horizon;    /* 0 = stationary */
    double discount;
    double average_reward;
    size_t iterations;
    uint32_t *action;  /* (horizon ? horizon : 1) * S, stage-major */
    double *value;     /* (horizon + 1) * S for a finite horizon, else S */
    uint32_t *path;    /* (horizon + 1) * S, stage-major, or NULL */
};

/* Building a model in three steps without a triplet copy: st__mdp_alloc, then count entries per row
** into rowptr[r + 1], st__mdp_alloc_entries, st__mdp_put for every entry, st__mdp_finish (sorts each
** row, rejects duplicates, checks and normalises row sums). Names default to s<i> / a<j>. */
st_status st__mdp_alloc(st_context *ctx, size_t S, size_t A, st_mdp **out);
st_status st__mdp_alloc_entries(st_mdp *m, size_t **cursor);
st_status st__mdp_finish(st_mdp *m, size_t *cursor, const char *where);
/* Row r = s * A + a. Returns false when the row is full (more entries than counted). */
static inline bool st__mdp_put(st_mdp *m, size_t *cursor, size_t r, uint32_t next, double p)
{
    size_t k = cursor[r];
    if (k >= m->P.rowptr[r + 1]) return false;
    m->P.col[k] = next;
    m->P.val[k] = p;
    cursor[r] = k + 1;
    return true;
}

/* A policy shell with its arrays allocated (horizon 0 = stationary; with_path for finite horizons). */
st_status st__policy_alloc(st_context *ctx, size_t S, size_t A, size_t horizon, bool with_path,
                           st_policy **out);

/* Exact value of the stationary policy act[] at discount g into V (V may hold a warm start when
** warm is true). */
st_status st__mdp_evaluate(st_context *ctx, const st_mdp *m, const uint32_t *act, double g, double *V,
                           bool warm);

/* Q value of action a in state s against V. */
static inline double st__mdp_q(const st_mdp *m, size_t s, size_t a, double g, const double *V)
{
    size_t r = s * m->A + a;
    return m->R[r] + g * st__csr_row_dot(&m->P, r, V);
}

#endif
