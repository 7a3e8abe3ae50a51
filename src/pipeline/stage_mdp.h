/*
** stage_mdp.h -- the decision stage of `strata run`: a customer-state MDP estimated from the event log,
** solved by value iteration; each customer gets its current state, optimal action, optimal value and a
** value stratum with its strategy.
*/
#ifndef STRATA_STAGE_MDP_H
#define STRATA_STAGE_MDP_H

#include "pipeline/stages.h"

/* Builds the MDP from the run's event files (monthly periods, 3 value tiers; actions from
** opts->mdp_actions or the default set written to DIR/models/actions.json), solves it by value iteration
** at a 10% annual discount, writes DIR/models/mdp.json and DIR/models/policy.json, adds mdp_state,
** optimal_action, optimal_value, value_stratum (1 = highest V*) and strategy to the customer table, and
** writes an "mdp" object with the Monte-Carlo value of the optimal policy against doing nothing, always
** the same action and the myopic policy. Inputs the MDP builder cannot read (no header, a custom time
** format or delimiter, amounts from quantity x price) make the stage record {"skipped": reason}.
** Errors: ST_EIO, ST_ENOMEM, ST_ECANCELLED. */
st_status st__stage_mdp(st_stage_env *env);

#endif
