/*
** stage_mdp.h -- the decision stage of `strata run`: a customer-state MDP estimated from the event log,
** solved by value iteration; each customer gets its current state, optimal action, optimal value and a
** value stratum with its strategy.
*/
#ifndef STRATA_STAGE_MDP_H
#define STRATA_STAGE_MDP_H

#include "pipeline/stages.h"

/* The MDP stage in two steps, so that nothing event-level outlives the read: right after it, st__stage_mdp_build
** estimates the MDP from the customer x month panel (monthly periods, 3 value tiers; actions from
** opts->mdp_actions or the default set written to DIR/models/actions.json) and each customer's current
** state; the run then frees the panel and the customer ids. Data that does not suit the builder (a single
** period, ...) leaves a skip reason instead. Errors: ST_EIO, ST_EFORMAT (a bad --actions file), ST_ENOMEM. */
typedef struct st__mdp_early {
    st_mdp *m;           /* NULL when skipped */
    int32_t *row_state;  /* per customer-table row: its state, -1 when none */
    char *skip;          /* why there is no MDP (owned), or NULL */
} st__mdp_early;

st_status st__stage_mdp_build(st_context *ctx, const char *out_dir, const st_run_options *opts, const st_table *t,
                              const st__panel *panel, const st__strmap *ids, st__mdp_early *out);
void st__mdp_early_free(st_context *ctx, st__mdp_early *e);

/* Then, in its place in the chain: solves the MDP by value iteration at a 10% annual discount, writes
** DIR/models/mdp.json and DIR/models/policy.json, adds mdp_state, optimal_action, optimal_value,
** value_stratum (1 = highest V*) and strategy to the customer table, and writes an "mdp" object with the
** Monte-Carlo value of the optimal policy against doing nothing, always the same action and the myopic
** policy (or {"skipped": reason}). Errors: ST_EIO, ST_ENOMEM, ST_ECANCELLED. */
st_status st__stage_mdp(st_stage_env *env);

#endif
