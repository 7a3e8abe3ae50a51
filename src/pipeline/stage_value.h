/*
** stage_value.h -- the value stage of `strata run`: BG/NBD (+ Gamma-Gamma) on the customer table, models
** written to DIR/models/, p_alive / expected_purchases / expected_spend / clv columns added.
*/
#ifndef STRATA_STAGE_VALUE_H
#define STRATA_STAGE_VALUE_H

#include "pipeline/stages.h"

/* Fits BG/NBD on the customers with a first purchase (T not NaN) and Gamma-Gamma on the repeat buyers
** (frequency > 0, monetary_value > 0) when there are at least 10 of them; writes DIR/models/bgnbd.json
** (+ gg.json); adds p_alive, expected_purchases over the default horizon (52 weeks in the table's unit:
** 364 days, 52 weeks or 12 months) and, with a usable gg model, expected_spend and clv (10% a year,
** margin 1, i.e. revenue); with holdout columns (--calibration-end) p_no_purchase, the BG/NBD probability
** of no purchase in (T, T + duration_holdout] (the churn stage's score); writes "value" into the summary. With env->opts->pareto_nbd it also fits the
** Pareto/NBD: writes DIR/models/pnbd.json, adds p_alive_pnbd and expected_purchases_pnbd, and a "pnbd"
** object in "value". A fit that does not converge is reported in the summary ("converged": false) but does
** not stop the run. Errors: ST_EIO, ST_ENOMEM. */
st_status st__stage_value(st_stage_env *env);

#endif
