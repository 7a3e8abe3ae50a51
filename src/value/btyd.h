/*
** btyd.h -- internals of the value stage: the model record behind st_model, the per-customer
** log-likelihoods (with gradients in natural parameters) and the per-customer predictions, shared by the
** fitter (fit.c), the public API (model.c) and the pipeline stage.
*/
#ifndef STRATA_VALUE_BTYD_H
#define STRATA_VALUE_BTYD_H

#include "core/internal.h"

#define ST__MODEL_MAXP 4
#define ST__MODEL_VERSION 1

struct st_model {
    st_context *ctx;
    st_model_kind kind;
    size_t np;
    double param[ST__MODEL_MAXP];
    double se[ST__MODEL_MAXP];
    double cov[ST__MODEL_MAXP * ST__MODEL_MAXP];
    double loglik;
    double nobs;
    double penalizer;
    int converged;
    int iterations;
    int evaluations;
    int starts;
    size_t rows;
    char status[24];
    char warning[96];
    char time_unit[32];
};

/* Number of parameters and their names for a kind (0 / NULL for an unknown kind). */
size_t st__model_nparams(st_model_kind kind);
const char *st__model_param_name(st_model_kind kind, size_t i);

/* Per-customer log-likelihood; th holds the natural parameters; grad (NULL allowed) receives d ll / d th.
** modified = 1 gives MBG/NBD. */
double st__bgnbd_ll(const double *th, double x, double tx, double T, double *grad, int modified);
double st__pnbd_ll(const double *th, double x, double tx, double T, double *grad);
/* The Pareto/NBD likelihood in two steps, so fits can share the 2F1 series between customers: h (4 values:
** ln 2F1 and its derivatives in a, b, z) depends only on (x, t) for which = 1 (t = tx) and on (x, T) for
** which = 2 (t = T); st__pnbd_ll_pre combines them. xt (NULL = computed here) holds the x-only terms
** lnGamma(r+x) - lnGamma(r) and psi(r+x) - psi(r). */
void st__pnbd_h(const double *th, double x, double t, int which, double *h);
double st__pnbd_ll_pre(const double *th, double x, double tx, double T, const double *h1, const double *h2,
                       const double *xt, double *grad);
double st__gg_ll(const double *th, double x, double m, double *grad);
double st__bgbb_ll(const double *th, double x, double tx, double n, double *grad);

/* Per-customer predictions from natural parameters. */
double st__bgnbd_palive(const double *th, double x, double tx, double T, int modified);
double st__bgnbd_cet(const double *th, double x, double tx, double T, double t, int modified);
double st__bgnbd_expected(const double *th, double t, int modified);
double st__bgnbd_pmf(const double *th, double t, double k);   /* BG/NBD only */
double st__pnbd_palive(const double *th, double x, double tx, double T);
double st__pnbd_cet(const double *th, double x, double tx, double T, double t);
double st__pnbd_cet_pa(const double *th, double x, double T, double t, double pa); /* given P(alive) */
double st__pnbd_expected(const double *th, double t);
double st__pnbd_dert(const double *th, double x, double tx, double T, double delta);
double st__bgbb_palive(const double *th, double x, double tx, double n);
double st__bgbb_cet(const double *th, double x, double tx, double n, double nstar);
double st__bgbb_expected(const double *th, double n);
double st__gg_spend(const double *th, double x, double m);

/* Units per year of a time-unit name; 0 when unknown. */
double st__units_per_year(const char *unit);

/* Allocates a model record for kind (params NaN). */
st_model *st__model_alloc(st_context *ctx, st_model_kind kind);

#endif
