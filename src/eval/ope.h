/*
** ope.h -- off-policy evaluation estimators of the eval stage (docs/ope.md): the value of a target policy
** from a log of (action, logging propensity, reward) rows, by IPW, self-normalised IPW, the direct method and
** doubly robust, each with its standard error. Arrays in, numbers out: the table front-end (columns, the
** per-action reward models of the learn stage, OPE.json) is src/pipeline/ope.c.
*/
#ifndef STRATA_EVAL_OPE_H
#define STRATA_EVAL_OPE_H

#include "core/internal.h"

/* st_ope_estimate with the row numbering of its messages: source NULL names rows "row i" (1-based), else
** "source:line" with line 2 the first data row of a CSV. */
st_status st__ope_estimate(st_context *ctx, const char *source, size_t n, size_t nactions, const uint32_t *action,
                           const double *propensity, const double *reward, const double *target, const double *q,
                           st_ope_result *out);

#endif
