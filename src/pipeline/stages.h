/*
** stages.h -- the stages of `strata run`. Data flows one way: events -> customer table -> models ->
** segments -> decisions -> outputs. Each stage reads columns of the customer table, adds its own columns,
** writes its files into the output directory and adds its figures to summary.json.
*/
#ifndef STRATA_STAGES_H
#define STRATA_STAGES_H

#include "core/internal.h"
#include "core/json.h"
#include "io/events.h"

/* What every stage gets: the customer table (built by the summarize stage), the MDP built from the same
** pass over the events, the output directory, the run's input options, and a JSON writer positioned inside the "stages" object of summary.json, where the
** stage writes one key (its name) with an object of its figures. */
typedef struct st_stage_env {
    st_context *ctx;
    st_table *customers;
    const char *out_dir;
    const st_run_options *opts;
    const char *const *paths;
    size_t npaths;
    st_jw *summary;
    struct st__mdp_early *mdp; /* the MDP built right after the read (see stage_mdp.h), or NULL */
} st_stage_env;

/* A stage that has nothing to do (e.g. no repeat buyers for a spend model) returns ST_OK after writing
** {"skipped": "reason"} to the summary. A stage that fails returns its status; the run stops there. */
typedef st_status (*st_stage_fn)(st_stage_env *env);

/* Writes "<stage>": {"skipped": why} into the summary, for a stage that has nothing to do on this data.
** Returns ST_OK, or ST_ENOMEM when the summary could not grow. */
st_status st__stage_skip(st_stage_env *env, const char *stage, const char *why);

/* Joins out_dir and name into a newly allocated path (free with st__free(ctx, p, 0)). */
char *st__path_join(st_context *ctx, const char *dir, const char *name);

#endif
