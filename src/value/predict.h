/*
** predict.h -- what the `strata run` value stage needs from src/value beyond the public API: per-customer
** predictions in one threaded pass (P(alive), expected purchases, expected spend, discounted CLV; also
** behind st_btyd_predict / st_btyd_clv), and the fits filled straight from table columns.
*/
#ifndef STRATA_VALUE_PREDICT_H
#define STRATA_VALUE_PREDICT_H

#include "core/internal.h"

/* What to compute for rows 0..n-1. m is a purchase model (not gg); spend a gg model with q > 1 or NULL.
** mbar is the mean repeat spend (NULL reads as 0; with no spend model it is the spend itself). horizon >= 0
** (> 0 with clv); with clv, step > 0 and lrate = ln(1 + annual discount) / units per year (st__clv_job
** fills them). Any output may be NULL. With skip_missing, rows whose x, tx or T is NaN get NaN outputs;
** otherwise they are invalid rows. */
typedef struct st__predict_job {
    const st_btyd_model *m, *spend;
    const double *x, *tx, *T, *mbar;
    size_t n;
    double horizon, step, lrate, margin;
    int skip_missing;
    double *p_alive, *expected, *spend_out, *clv;
} st__predict_job;

/* Runs job on up to st_context_threads threads; every row's values are those of a one-row call, whatever
** the thread count. Errors name the first failing row as "fn: row %zu: ...": ST_EDATA (a row outside
** 0 <= tx <= T, x >= 0; more than 1000000 CLV steps), ST_ERANGE (a non-finite result), ST_ENOMEM. */
st_status st__predict_run(st_context *ctx, const char *fn, const st__predict_job *job);

/* Checks the models and options of st_btyd_clv (m a purchase model, spend NULL or a gg with q > 1,
** horizon > 0, annual_discount > -1 and a known time unit when it is not 0) and fills *q with them, the
** default step and the per-unit log discount rate; rows and outputs are left empty (NULL). Errors:
** ST_EINVAL, ST_ERANGE (gg q <= 1), each with a message. */
st_status st__clv_job(st_context *ctx, const st_btyd_model *m, const st_btyd_model *spend, double horizon, double step,
                      double annual_discount, double margin, st__predict_job *q);

/* st_btyd_acc_add for rows 0..n-1 with weight 1 (fit.c), skipping the rows where x, t or T is NaN (T NULL:
** none; gg ignores T otherwise). Errors as st_btyd_acc_add: ST_EDATA (an invalid row), ST_ENOMEM. */
st_status st__btyd_acc_add_many(st_btyd_acc *acc, const double *x, const double *t, const double *T, size_t n);

/* Gamma-Gamma fitted straight from columns (fit.c): the rows where x, m and T (T NULL: not looked at) are
** not NaN are checked as st_btyd_acc_add checks them, those with x > 0 and m > 0 are sorted by (x, m) with
** a radix sort and merged -- the unique rows an accumulator would hold, without its hash tables, which a
** spend column of nearly all distinct values fills for nothing. Same model as st_btyd_acc_fit on them.
** Errors: as st_btyd_acc_add and st_btyd_acc_fit. */
st_status st__gg_fit_columns(st_context *ctx, const double *x, const double *m, const double *T, size_t n,
                             double penalizer, uint64_t seed, st_btyd_model **out);

#endif
