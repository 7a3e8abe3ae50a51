/*
** btyd.h -- internals of the value stage: the model record behind st_btyd_model, the per-customer
** log-likelihoods (with gradients in natural parameters) and the per-customer predictions, shared by the
** fitter (fit.c), the public API (model.c) and the pipeline stage.
*/
#ifndef STRATA_VALUE_BTYD_H
#define STRATA_VALUE_BTYD_H

#include "core/internal.h"

#define ST__MODEL_MAXP 4
#define ST__MODEL_VERSION 1

struct st_btyd_model {
    st_context *ctx;
    st_btyd_kind kind;
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
size_t st__model_nparams(st_btyd_kind kind);
const char *st__model_param_name(st_btyd_kind kind, size_t i);

/* Per-customer log-likelihood; th holds the natural parameters; grad (NULL allowed) receives d ll / d th.
** modified = 1 gives MBG/NBD. */
double st__bgnbd_ll(const double *th, double x, double tx, double T, double *grad, int modified);
double st__pnbd_ll(const double *th, double x, double tx, double T, double *grad);
/* The x-only terms of the BG/NBD likelihood (sh = 1 for MBG/NBD): o[0] = ln Gamma(r+x) - ln Gamma(r),
** o[1] = ln B(a, b+x+sh) - ln B(a, b), o[2] = psi(r+x) - psi(r), o[3] = psi(b+x+sh) - psi(b),
** o[4] = psi(a+b+x+sh) - psi(a+b); as finite sums for whole x up to 4096 (no cancellation for huge a, b). */
void st__bg_xterms(double r, double a, double b, double x, double sh, double *o);
/* Their second derivatives: o[0] = psi'(r+x) - psi'(r), o[1] = psi'(b+x+sh) - psi'(b),
** o[2] = psi'(a+b+x+sh) - psi'(a+b) (finite sums for whole x up to 4096). */
void st__bg_xterms2(double r, double a, double b, double x, double sh, double *o);
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
/* The part of st__bgnbd_cet that does not depend on tx: cet = P(alive) * factor (t > 0, P(alive) > 0). */
double st__bgnbd_cet_factor(const double *th, double x, double T, double t, int modified);
double st__pnbd_palive(const double *th, double x, double tx, double T);
double st__pnbd_cet(const double *th, double x, double tx, double T, double t);
double st__pnbd_cet_pa(const double *th, double x, double T, double t, double pa); /* given P(alive) */
double st__pnbd_expected(const double *th, double t);
double st__pnbd_dert(const double *th, double x, double tx, double T, double delta);
double st__bgbb_palive(const double *th, double x, double tx, double n);
double st__bgbb_cet(const double *th, double x, double tx, double n, double nstar);
double st__bgbb_expected(const double *th, double n);
double st__gg_spend(const double *th, double x, double m);
/* Probability of n purchases, k = 0..kmax into out (kmax + 1 values). Unconditional P(X(t) = k) for a new
** customer: BG/NBD (modified = 1: MBG/NBD, drop-out possible at time 0), Pareto/NBD, BG/BB in n whole
** periods. Conditional P(X(T, T+t) = k | x, tx, T) (BG/BB: the next nstar periods). t > 0 and valid
** (x, tx, T) are the caller's to check. */
void st__bg_pmf(const double *th, double t, int modified, size_t kmax, double *out);
void st__pnbd_pmf(const double *th, double t, size_t kmax, double *out);
void st__bgbb_pmf(const double *th, double n, size_t kmax, double *out);
void st__bgnbd_cond_pmf(const double *th, double x, double tx, double T, double t, int modified, size_t kmax,
                        double *out);
void st__pnbd_cond_pmf(const double *th, double x, double tx, double T, double t, size_t kmax, double *out);
void st__bgbb_cond_pmf(const double *th, double x, double tx, double n, double nstar, size_t kmax, double *out);

/* ---- compressed rows (compress.c) ---- */

/* One row of a fit: frequency x, recency t (Gamma-Gamma: the mean spend), age T (0 for Gamma-Gamma), weight. */
typedef struct st__btyd_row {
    double x, t, T, w;
} st__btyd_row;

/* A set of doubles keyed by their bits (-0 taken as +0): ids 0, 1, ... in order of first appearance, the
** values in val[id]. Zero-initialise with ctx set; intern returns the id or -1 when memory runs out. */
typedef struct st__dset {
    st_context *ctx;
    uint32_t *slot;
    double *val;
    size_t cap, vcap, n;
} st__dset;
long st__dset_intern(st__dset *s, double v);
void st__dset_free(st__dset *s);

/* One unique row inside its group of equal x: weight and the ids of t and T among the time values. */
typedef struct st__idrow {
    double w;
    uint32_t t, T;
} st__idrow;

/* The rows of one x: while rows are added, r is an open-addressing table of cap places keyed by (t, T)
** (hashed = 1, empty places have t = UINT32_MAX); after st__uniq_finish, a plain array of n rows. */
typedef struct st__uqgroup {
    st__idrow *r;
    size_t n, cap;
    int hashed;
} st__uqgroup;

/* Unique rows, merged as they are added (weights summed in the order added), grouped by x: group k holds
** the rows whose x is xs.val[k]; a row's t and T are vs.val[row.t] and vs.val[row.T]. Initialise with
** st__uniq_init; st__uniq_add returns 0, or -1 when memory runs out (error on ctx; what was held stays
** valid). st__uniq_finish (0, or -1 when memory runs out: then nothing changed) makes ids ranks -- xs and
** vs sorted ascending, groups in x order -- sorts each group by (t, T) and drops zero weights; n counts the
** rows. Adding afterwards is allowed (it clears `sorted`). st__uniq_rows writes the rows of a finished
** set as (x, t, T, w) in that order to out (room for n) and returns n. */
typedef struct st__uniq {
    st_context *ctx;
    st__dset xs, vs;
    st__uqgroup *g;
    size_t gcap;
    size_t n;
    int sorted;
} st__uniq;
void st__uniq_init(st__uniq *u, st_context *ctx);
int st__uniq_add(st__uniq *u, double x, double t, double T, double w);
/* st__uniq_add for n rows (T NULL: all 0; w NULL: all 1); 0 or -1 (rows before the failure are held). */
int st__uniq_add_many(st__uniq *u, const double *x, const double *t, const double *T, const double *w, size_t n);
int st__uniq_finish(st__uniq *u);
/* Adds every row of src to dst (dst == src doubles the weights); 0, or -1 when memory runs out (dst then
** holds part of src). */
int st__uniq_merge(st__uniq *dst, const st__uniq *src);
size_t st__uniq_rows(const st__uniq *u, st__btyd_row *out);
void st__uniq_free(st__uniq *u);

/* Units per year of a time-unit name; 0 when unknown. */
double st__units_per_year(const char *unit);

/* Allocates a model record for kind (params NaN). */
st_btyd_model *st__model_alloc(st_context *ctx, st_btyd_kind kind);

#endif
