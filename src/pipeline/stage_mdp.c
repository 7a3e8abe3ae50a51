/*
** stage_mdp.c -- `strata run`'s decision stage (seed paper 000): customers stratified by the optimal
** future value of their lifecycle state rather than by their past. Builds the MDP from the customer x month
** panel that the run's single pass over the events filled beside the customer table.
*/
#include "pipeline/stage_mdp.h"
#include "decide/mdp_events.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Illustrative defaults: the effects of actions never observed in the data are multipliers on the
** no-action chain (reward, and the chance of churning). Replace them with A/B-test results via --actions. */
static const char default_actions[] =
    "{\n"
    "  \"actions\": [\n"
    "    {\"name\": \"none\", \"cost\": 0},\n"
    "    {\"name\": \"email\", \"cost\": 0.1, \"reward_multiplier\": 1.03, \"churn_multiplier\": 0.95},\n"
    "    {\"name\": \"coupon_5\", \"cost\": 5, \"reward_multiplier\": 1.15, \"churn_multiplier\": 0.85},\n"
    "    {\"name\": \"coupon_10\", \"cost\": 10, \"reward_multiplier\": 1.25, \"churn_multiplier\": 0.75},\n"
    "    {\"name\": \"vip_call\", \"cost\": 25, \"reward_multiplier\": 1.35, \"churn_multiplier\": 0.6}\n"
    "  ],\n"
    "  \"churn_states\": [\"churned\"]\n"
    "}\n";

#define MDP_ANNUAL_DISCOUNT 0.10
#define MDP_SIM_CUSTOMERS 20000
#define MDP_SIM_PERIODS 24
#define MDP_SIM_SEED 20240101

static st_status write_text(st_context *ctx, const char *dir, const char *name, const char *text)
{
    char *p = st__path_join(ctx, dir, name);
    if (!p) return ST_ENOMEM;
    st_status rc = st__write_file_atomic(ctx, p, text, strlen(text));
    st__free(ctx, p, 0);
    return rc;
}

/* Monte-Carlo value of a policy from a uniformly drawn start state; NaN when it could not be computed. */
static double simulate(st_context *ctx, const st_mdp *m, const st_policy *p, double gamma)
{
    double mean = NAN;
    if (st_mdp_simulate(ctx, m, p, MDP_SIM_CUSTOMERS, MDP_SIM_PERIODS, gamma, -1, MDP_SIM_SEED, &mean, NULL) != ST_OK)
        return NAN;
    return mean;
}

st_status st__stage_mdp_build(st_context *ctx, const char *out_dir, const st_run_options *opts, const st_table *t,
                              const st__panel *panel, const st__strmap *ids, st__mdp_early *out)
{
    memset(out, 0, sizeof *out);
    char *models = st__path_join(ctx, out_dir, "models");
    if (!models) return ST_ENOMEM;
    st_status rc = st__mkdir(ctx, models);
    char *actions = NULL;
    if (opts->mdp_actions) {
        actions = st__strdup(ctx, opts->mdp_actions);
        if (!actions) rc = ST_ENOMEM;
    } else {
        rc = write_text(ctx, models, "actions.json", default_actions);
        if (rc == ST_OK && !(actions = st__path_join(ctx, models, "actions.json"))) rc = ST_ENOMEM;
    }
    st_mdp_events_options eo;
    st_mdp_events_options_init(&eo); /* eo.period is a month, as the run's panel */
    int32_t *fstate = NULL;
    size_t n = st_table_nrows(t);
    if (rc == ST_OK && !(fstate = st__malloc(ctx, (panel->ncust ? panel->ncust : 1) * sizeof *fstate))) rc = ST_ENOMEM;
    if (rc == ST_OK) {
        rc = st__mdp_from_panel(ctx, panel, ids, actions, &opts->summarize, &eo, &out->m, fstate);
        if (rc == ST_EEMPTY || rc == ST_ENOTFOUND || rc == ST_EPARSE || rc == ST_ERANGE) {
            /* The event data does not suit the builder: the run's other stages stand; say why there is no
            ** MDP. Not ST_EFORMAT: only a bad --actions file gives it, a user error that fails the run. */
            rc = (out->skip = st__strdup(ctx, st_errmsg(ctx))) ? ST_OK : ST_ENOMEM;
            st_clear_error(ctx);
        } else if (rc == ST_OK) {
            /* the table's keys are a subset of the reader's ids: look each row's up */
            if (!(out->row_state = st__malloc(ctx, (n ? n : 1) * sizeof *out->row_state))) rc = ST_ENOMEM;
            for (size_t i = 0; rc == ST_OK && i < n; i++) {
                const char *key = st_table_str(t, 0, i);
                long id = st__strmap_find(ids, key, strlen(key));
                out->row_state[i] = id >= 0 && (size_t)id < panel->ncust ? fstate[id] : -1;
            }
        }
    }
    st__free(ctx, fstate, 0);
    st__free(ctx, actions, 0);
    st__free(ctx, models, 0);
    if (rc != ST_OK) st__mdp_early_free(ctx, out);
    return rc;
}

void st__mdp_early_free(st_context *ctx, st__mdp_early *e)
{
    st_mdp_free(e->m);
    st__free(ctx, e->row_state, 0);
    st__free(ctx, e->skip, 0);
    memset(e, 0, sizeof *e);
}

st_status st__stage_mdp(st_stage_env *env)
{
    st_context *ctx = env->ctx;
    st__mdp_early *early = env->mdp;
    if (!early) return st__stage_skip(env, "mdp", "no event panel");
    if (early->skip) return st__stage_skip(env, "mdp", early->skip);
    const st_mdp *m = early->m;
    char *models = st__path_join(ctx, env->out_dir, "models");
    if (!models) return ST_ENOMEM;
    st_status rc = ST_OK;
    st_policy *opt = NULL, *none = NULL, *myopic = NULL;
    /* eo.period is a month: a 10% annual rate becomes a monthly discount factor */
    double gamma = pow(1.0 + MDP_ANNUAL_DISCOUNT, -1.0 / 12.0);
    if (rc == ST_OK) rc = st_mdp_solve_value(ctx, m, gamma, 1e-6, 0, &opt);
    if (rc == ST_OK) rc = st_policy_constant(ctx, m, 0, gamma, &none);
    if (rc == ST_OK) rc = st_policy_myopic(ctx, m, gamma, &myopic);
    if (rc == ST_OK) {
        char *p = st__path_join(ctx, models, "mdp.json");
        rc = p ? st_mdp_to_json_file(ctx, m, p) : ST_ENOMEM;
        st__free(ctx, p, 0);
    }
    if (rc == ST_OK) {
        char *p = st__path_join(ctx, models, "policy.json");
        rc = p ? st_policy_to_json_file(ctx, opt, m, p) : ST_ENOMEM;
        st__free(ctx, p, 0);
    }
    /* Per customer: state, optimal action and value; strata by terciles of V* over the customers. */
    st_table *t = env->customers;
    size_t n = st_table_nrows(t), nS = st_mdp_nstates(m ? m : NULL);
    size_t nA = st_mdp_nactions(m ? m : NULL);
    double *value = NULL, *stratum = NULL;
    int32_t *s32 = NULL, *acode = NULL;
    const char **names = NULL;
    if (rc == ST_OK) {
        value = st__malloc(ctx, (n ? n : 1) * sizeof *value);
        stratum = st__malloc(ctx, (n ? n : 1) * sizeof *stratum);
        s32 = st__malloc(ctx, (n ? n : 1) * sizeof *s32);
        acode = st__malloc(ctx, (n ? n : 1) * sizeof *acode);
        size_t nl = nS > nA ? nS : nA;
        names = st__malloc(ctx, (nl > 3 ? nl : 3) * sizeof *names);
        if (!value || !stratum || !s32 || !acode || !names) rc = ST_ENOMEM;
    }
    /* mdp_state and optimal_action are categorical columns: a 4-byte code a customer, each name once */
    for (size_t i = 0; i < n && rc == ST_OK; i++) {
        value[i] = NAN;
        acode[i] = -1;
        if (early->row_state[i] < 0) continue;
        size_t s = (size_t)early->row_state[i];
        long a = st_policy_action(opt, s, 0);
        acode[i] = a >= 0 ? (int32_t)a : -1;
        value[i] = st_policy_value(opt, s, 0);
    }
    for (size_t s = 0; rc == ST_OK && s < nS; s++) names[s] = st_mdp_state_name(m, s);
    if (rc == ST_OK) rc = st_table_add_cat(t, "mdp_state", early->row_state, names, nS);
    for (size_t a = 0; rc == ST_OK && a < nA; a++) names[a] = st_mdp_action_name(m, a);
    if (rc == ST_OK) rc = st_table_add_cat(t, "optimal_action", acode, names, nA);
    /* terciles of V* over the customers (st_value_strata: above a cut only when V* exceeds it, so customers
    ** tied at a quantile fall to the lower stratum; no state = stratum 0) */
    if (rc == ST_OK) rc = st_value_strata(ctx, value, n, 3, NULL, 0, s32);
    size_t counts[3] = {0, 0, 0};
    for (size_t i = 0; i < n && rc == ST_OK; i++) {
        if (s32[i] < 1) {
            stratum[i] = NAN;
            acode[i] = -1;
            continue;
        }
        stratum[i] = s32[i];
        counts[s32[i] - 1]++;
        acode[i] = s32[i] - 1; /* the strategy's code: stratum 1, 2, 3 -> level 0, 1, 2 */
    }
    for (long s = 1; rc == ST_OK && s <= 3; s++) names[s - 1] = st_stratum_strategy(s, 3);
    if (rc == ST_OK) rc = st_table_add_cat(t, "strategy", acode, names, 3);
    if (rc == ST_OK) rc = st_table_add_f64(t, "optimal_value", ST_COL_F64, value);
    if (rc == ST_OK) rc = st_table_add_f64(t, "value_stratum", ST_COL_F64, stratum);
    if (rc == ST_OK) {
        double v_opt = simulate(ctx, m, opt, gamma), v_none = simulate(ctx, m, none, gamma),
               v_myopic = simulate(ctx, m, myopic, gamma);
        st_jw *w = env->summary;
        st__jw_key(w, "mdp");
        st__jw_begin_object(w);
        st__jw_kv_str(w, "period", "month");
        st__jw_kv_num(w, "discount_per_period", gamma);
        st__jw_kv_int(w, "states", (long long)nS);
        st__jw_key(w, "actions");
        st__jw_begin_array(w);
        for (size_t a = 0; a < st_mdp_nactions(m); a++) st__jw_string(w, st_mdp_action_name(m, a));
        st__jw_end_array(w);
        st__jw_key(w, "policy");
        st__jw_begin_object(w);
        for (size_t s = 0; s < nS; s++) {
            long a = st_policy_action(opt, s, 0);
            st__jw_kv_str(w, st_mdp_state_name(m, s), a >= 0 ? st_mdp_action_name(m, (size_t)a) : "");
        }
        st__jw_end_object(w);
        st__jw_key(w, "strata_customers");
        st__jw_begin_object(w);
        st__jw_kv_int(w, "retain", (long long)counts[0]);
        st__jw_kv_int(w, "nurture", (long long)counts[1]);
        st__jw_kv_int(w, "activate", (long long)counts[2]);
        st__jw_end_object(w);
        st__jw_key(w, "simulated_value_per_customer");
        st__jw_begin_object(w);
        st__jw_kv_int(w, "customers", MDP_SIM_CUSTOMERS);
        st__jw_kv_int(w, "periods", MDP_SIM_PERIODS);
        st__jw_kv_num(w, "optimal", v_opt);
        st__jw_kv_num(w, "do_nothing", v_none);
        st__jw_kv_num(w, "myopic", v_myopic);
        st__jw_key(w, "always_same_action");
        st__jw_begin_object(w);
        for (size_t a = 1; a < st_mdp_nactions(m); a++) {
            st_policy *pa = NULL;
            double v = NAN;
            if (st_policy_constant(ctx, m, a, gamma, &pa) == ST_OK) v = simulate(ctx, m, pa, gamma);
            st_policy_free(pa);
            st__jw_kv_num(w, st_mdp_action_name(m, a), v);
        }
        st__jw_end_object(w);
        st__jw_end_object(w);
        st__jw_end_object(w);
        bool ok = st__jw_ok(w);
        if (!ok) rc = ST_ENOMEM;
    }
    st__free(ctx, value, 0);
    st__free(ctx, stratum, 0);
    st__free(ctx, s32, 0);
    st__free(ctx, acode, 0);
    st__free(ctx, names, 0);
    st_policy_free(opt);
    st_policy_free(none);
    st_policy_free(myopic);
    st__free(ctx, models, 0);
    return rc;
}
