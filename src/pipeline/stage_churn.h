/*
** stage_churn.h -- the churn evaluation of `strata run --calibration-end`: how well three scores computed
** from the calibration period rank the customers who make no purchase in the holdout.
*/
#ifndef STRATA_STAGE_CHURN_H
#define STRATA_STAGE_CHURN_H

#include "pipeline/stages.h"

/* Runs only when the table has holdout columns (frequency_holdout, duration_holdout); otherwise it writes
** nothing. Customers with a purchase in the calibration period (T not NaN) are evaluated; the label is 1
** when frequency_holdout is 0 (no purchase in the holdout). Scores: p_no_purchase (added by the value
** stage: BG/NBD P(no purchase in (T, T + holdout])), the hiatus T - recency (a score, no Brier), and a
** logistic regression on calibration features trained on one half of the customers and scored on the other
** (st__churn_train_row). Writes "churn" into the summary (docs/run.md); a label with one class only is
** recorded as skipped. Errors: ST_ENOMEM, and those of the evaluation other than ST_EDATA. */
st_status st__stage_churn(st_stage_env *env);

/* The train/test split of the logistic model: when every id is a decimal integer, odd ids train and even
** ids test; otherwise a customer trains when the top bit of splitmix64(st__hash_bytes(id)) is set. */
int st__churn_train_row(const char *id, int integer_ids);

#endif
