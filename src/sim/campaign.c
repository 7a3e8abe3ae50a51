/*
** campaign.c -- a synthetic randomised e-mail campaign with known truth (docs/simulate.md, "campaign"):
** Hillstrom-like covariates, a latent response type per customer (persuadable, sure thing, lost cause,
** sleeping dog) drawn from a multinomial logit of the covariates, a random arm, and the response the type
** implies. Because the type and the expected uplift given the covariates are written out, uplift and
** two-stage models can be scored against truth rather than against a proxy.
*/
#include "core/internal.h"
#include "core/rng.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Latent types, in the order of the `type` column's levels. */
enum { TY_PERSUADABLE = 0, TY_SURE_THING = 1, TY_LOST_CAUSE = 2, TY_SLEEPING_DOG = 3, TY_COUNT };
static const char *const TYPE_NAME[TY_COUNT] = {"persuadable", "sure_thing", "lost_cause", "sleeping_dog"};
static const char *const ZIP_NAME[3] = {"Rural", "Surburban", "Urban"}; /* Hillstrom's spelling */
static const char *const CHANNEL_NAME[3] = {"Multichannel", "Phone", "Web"};
static const char *const ARM_NAME[2] = {"E-Mail", "No E-Mail"};
enum { ZIP_RURAL = 0, ZIP_SUBURBAN = 1, ZIP_URBAN = 2 };
enum { CH_MULTI = 0, CH_PHONE = 1, CH_WEB = 2 };
enum { ARM_TREATED = 0, ARM_CONTROL = 1 };

void st_campaign_options_init(st_campaign_options *o)
{
    if (!o) return;
    memset(o, 0, sizeof *o);
    o->customers = 10000;
    o->seed = 42;
    o->treated_share = 0.5;
    o->respond = 0.9;
    o->background = 0.02;
}

/* The type probabilities given the covariates: a multinomial logit with lost cause as the reference. */
static void type_probs(double recency, double history, int mens, int womens, int newbie, int channel, double pr[TY_COUNT])
{
    double rec = (recency - 6.5) / 3.5, lh = log(history) - 5.0;
    double eta[TY_COUNT];
    eta[TY_SURE_THING] = -2.4 + 0.8 * lh - 0.7 * rec + 0.3 * mens;
    eta[TY_PERSUADABLE] = -3.3 - 0.5 * rec + 0.8 * (channel == CH_WEB) + 0.6 * newbie + 0.4 * womens - 0.3 * lh;
    eta[TY_SLEEPING_DOG] = -4.0 + 0.9 * rec + 0.7 * (channel == CH_PHONE);
    eta[TY_LOST_CAUSE] = 0.0;
    double m = 0.0, s = 0.0;
    for (int k = 0; k < TY_COUNT; k++)
        if (eta[k] > m) m = eta[k];
    for (int k = 0; k < TY_COUNT; k++) s += (pr[k] = exp(eta[k] - m));
    for (int k = 0; k < TY_COUNT; k++) pr[k] /= s;
}

/* P(response | type, treated). */
static double response_prob(const st_campaign_options *o, int type, int treated)
{
    switch (type) {
    case TY_SURE_THING: return o->respond;
    case TY_PERSUADABLE: return treated ? o->respond : o->background;
    case TY_SLEEPING_DOG: return treated ? o->background : o->respond;
    default: return o->background;
    }
}

static st_status check_unit(st_context *ctx, const char *name, double v, int open)
{
    if (!(v >= 0.0 && v <= 1.0) || (open && (v == 0.0 || v == 1.0)))
        return st__error(ctx, ST_EINVAL, "simulate campaign: %s %g must be in %s", name, v, open ? "(0, 1)" : "[0, 1]");
    return ST_OK;
}

st_status st_simulate_campaign(st_context *ctx, const st_campaign_options *o, st_table **out)
{
    if (out) *out = NULL;
    if (!ctx || !o || !out) return ctx ? st__error(ctx, ST_EINVAL, "simulate campaign: NULL argument") : ST_EINVAL;
    if (o->customers < 1 || o->customers > ((uint64_t)1 << 31))
        return st__error(ctx, ST_EINVAL, "simulate campaign: customers must be from 1 to 2^31");
    st_status rc;
    if ((rc = check_unit(ctx, "treated share", o->treated_share, 1)) != ST_OK) return rc;
    if ((rc = check_unit(ctx, "response probability", o->respond, 0)) != ST_OK) return rc;
    if ((rc = check_unit(ctx, "background probability", o->background, 0)) != ST_OK) return rc;

    size_t n = (size_t)o->customers;
    enum { C_RECENCY, C_HISTORY, C_MENS, C_WOMENS, C_NEWBIE, C_VISIT, C_PROMPTED, C_UPLIFT, NF };
    static const char *const FNAME[NF] = {"recency", "history", "mens", "womens", "newbie", "visit", "prompted",
                                          "true_uplift"};
    double *f[NF] = {0};
    int32_t *zip = NULL, *channel = NULL, *arm = NULL, *type = NULL;
    st_table *t = NULL;
    rc = ST_ENOMEM;
    for (int j = 0; j < NF; j++)
        if (!(f[j] = st__malloc(ctx, n * sizeof(double)))) goto done;
    if (!(zip = st__malloc(ctx, n * sizeof *zip)) || !(channel = st__malloc(ctx, n * sizeof *channel)) ||
        !(arm = st__malloc(ctx, n * sizeof *arm)) || !(type = st__malloc(ctx, n * sizeof *type)))
        goto done;

    for (size_t i = 0; i < n; i++) {
        st_rng g;
        st__rng_seed_stream(&g, o->seed, (uint64_t)i + 1);
        double recency = (double)(1 + st__rng_below(&g, 12));
        double history = floor((29.99 + exp(4.7 + 0.9 * st__rng_normal(&g))) * 100.0 + 0.5) / 100.0;
        double u = st__rng_uniform(&g);
        int mens = u < 0.55, womens = u >= 0.45; /* 45% men's only, 45% women's only, 10% both */
        int newbie = st__rng_bernoulli(&g, 0.5);
        u = st__rng_uniform(&g);
        int z = u < 0.15 ? ZIP_RURAL : u < 0.60 ? ZIP_SUBURBAN : ZIP_URBAN;
        u = st__rng_uniform(&g);
        int ch = u < 0.44 ? CH_PHONE : u < 0.88 ? CH_WEB : CH_MULTI;
        double pr[TY_COUNT];
        type_probs(recency, history, mens, womens, newbie, ch, pr);
        u = st__rng_uniform(&g);
        int ty = TY_COUNT - 1;
        double c = 0.0;
        for (int k = 0; k < TY_COUNT - 1; k++)
            if (u < (c += pr[k])) {
                ty = k;
                break;
            }
        int treated = st__rng_bernoulli(&g, o->treated_share);
        int visit = st__rng_bernoulli(&g, response_prob(o, ty, treated));
        f[C_RECENCY][i] = recency;
        f[C_HISTORY][i] = history;
        f[C_MENS][i] = mens;
        f[C_WOMENS][i] = womens;
        f[C_NEWBIE][i] = newbie;
        f[C_VISIT][i] = visit;
        f[C_PROMPTED][i] = ty == TY_PERSUADABLE;
        f[C_UPLIFT][i] = (pr[TY_PERSUADABLE] - pr[TY_SLEEPING_DOG]) * (o->respond - o->background);
        zip[i] = z;
        channel[i] = ch;
        arm[i] = treated ? ARM_TREATED : ARM_CONTROL;
        type[i] = ty;
    }

    if ((rc = st_table_new(ctx, "customer_id", n, &t)) != ST_OK) goto done;
    for (size_t i = 0; i < n; i++) {
        char id[24];
        snprintf(id, sizeof id, "%zu", i + 1);
        if ((rc = st_table_set_str(t, 0, i, id)) != ST_OK) goto done;
    }
#define ADD(expr)                                                                                                      \
    do {                                                                                                               \
        if ((rc = (expr)) != ST_OK) goto done;                                                                         \
    } while (0)
    for (int j = C_RECENCY; j <= C_NEWBIE; j++) {
        if (j == C_NEWBIE) ADD(st_table_add_cat(t, "zip_code", zip, ZIP_NAME, 3));
        ADD(st_table_add_f64(t, FNAME[j], ST_COL_F64, f[j]));
    }
    ADD(st_table_add_cat(t, "channel", channel, CHANNEL_NAME, 3));
    ADD(st_table_add_cat(t, "segment", arm, ARM_NAME, 2));
    ADD(st_table_add_f64(t, FNAME[C_VISIT], ST_COL_F64, f[C_VISIT]));
    ADD(st_table_add_cat(t, "type", type, TYPE_NAME, TY_COUNT));
    ADD(st_table_add_f64(t, FNAME[C_PROMPTED], ST_COL_F64, f[C_PROMPTED]));
    ADD(st_table_add_f64(t, FNAME[C_UPLIFT], ST_COL_F64, f[C_UPLIFT]));
#undef ADD
    *out = t;
    t = NULL;
    rc = ST_OK;
done:
    if (rc == ST_ENOMEM && ctx->errcode != ST_ENOMEM) st__error(ctx, ST_ENOMEM, "simulate campaign: out of memory");
    st_table_free(t);
    for (int j = 0; j < NF; j++) st__free(ctx, f[j], n * sizeof(double));
    st__free(ctx, zip, n * sizeof *zip);
    st__free(ctx, channel, n * sizeof *channel);
    st__free(ctx, arm, n * sizeof *arm);
    st__free(ctx, type, n * sizeof *type);
    return rc;
}
