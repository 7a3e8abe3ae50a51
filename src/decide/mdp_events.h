/*
** mdp_events.h -- the MDP of customer lifecycle states built from the customer x period panel of the event
** reader (io/events.h), for `strata run`, which reads the events once and hands the panel over.
*/
#ifndef STRATA_DECIDE_MDP_EVENTS_H
#define STRATA_DECIDE_MDP_EVENTS_H

#include "core/internal.h"
#include "io/events.h"

/* The panel period of an MDP period. */
st__period st__mdp_panel_period(st_mdp_period p);

/* st_mdp_build_from_events on a finished panel (its period must be st__mdp_panel_period(o->period)); ids
** are the reader's customer ids (for the campaign log); in gives the campaign log's customer and time
** columns and time format. final_state (pn->ncust entries, may be NULL) receives each customer's state in
** the last period of the data (-1 for a customer without events). Errors: as st_mdp_build_from_events. */
st_status st__mdp_from_panel(st_context *ctx, const st__panel *pn, const st__strmap *ids, const char *actions_json,
                             const st_summarize_options *in, const st_mdp_events_options *o, st_mdp **out,
                             int32_t *final_state);

#endif
