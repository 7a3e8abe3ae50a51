/*
** mdp_estimate.c -- an MDP from observed transitions: counts of (state, action, next) with Laplace
** (Dirichlet) smoothing and exact row normalisation, rewards as the mean observed period reward minus the
** action's cost; actions never observed borrow the no-action chain (action 0) through documented multipliers.
*/
#include "decide/mdp.h"
#include "core/json.h"
#include "decide/mdp_events.h"
#include "num/stats.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void st_mdp_estimate_options_init(st_mdp_estimate_options *o)
{
    if (!o) return;
    memset(o, 0, sizeof *o);
    o->smoothing = 1.0;
}

static bool in_set(const uint32_t *set, size_t n, size_t s)
{
    for (size_t i = 0; i < n; i++)
        if (set[i] == s) return true;
    return false;
}

/* The estimate from accumulated counts: cnt[(s * A + a) * S + j] transitions, rsum / rn the reward sum and
** count of each (s, a) row. The arrays are modified (unseen actions borrow, then counts become
** probabilities). */
static st_status estimate_counts(st_context *ctx, size_t S, size_t A, double *cnt, double *rsum, double *rn,
                                 const st_mdp_estimate_options *opts, st_mdp **out)
{
    double alpha = opts->smoothing;
    if (!(alpha >= 0.0) || !isfinite(alpha))
        return st__error(ctx, ST_EINVAL, "smoothing must be finite and >= 0, got %g", alpha);
    for (size_t i = 0; i < opts->nchurn; i++)
        if (!opts->churn_states || opts->churn_states[i] >= S)
            return st__error(ctx, ST_EINVAL, "churn state %zu out of range", i);
    size_t rows = S * A;
    st_mdp *m;
    st_status rc = st__mdp_alloc(ctx, S, A, &m);
    if (rc) return rc;
    size_t *cur = NULL;
    /* Which actions were seen at all: an unseen action is modelled from the no-action chain. */
    for (size_t a = 1; a < A; a++) {
        bool seen = false;
        for (size_t s = 0; s < S && !seen; s++) seen = rn[s * A + a] > 0;
        if (seen) continue;
        double rm = opts->reward_multiplier ? opts->reward_multiplier[a] : 1.0;
        double cm = opts->churn_multiplier ? opts->churn_multiplier[a] : 1.0;
        if (!(rm >= 0 && isfinite(rm) && cm >= 0 && isfinite(cm))) {
            rc = st__error(ctx, ST_EINVAL, "action %zu: multipliers must be finite and >= 0", a);
            goto done;
        }
        for (size_t s = 0; s < S; s++) {
            size_t r = s * A + a, r0 = s * A;
            for (size_t j = 0; j < S; j++)
                cnt[r * S + j] = cnt[r0 * S + j] * (in_set(opts->churn_states, opts->nchurn, j) ? cm : 1.0);
            rsum[r] = rsum[r0] * rm;
            rn[r] = rn[r0];
        }
    }
    /* Rows: (count + alpha) / (total + alpha S); an empty row without smoothing stays where it is
    ** (markovchain's "sanitize"). Counts of a borrowed row were scaled, so its total is recomputed. */
    for (size_t r = 0; r < rows; r++) {
        double tot = 0.0;
        for (size_t j = 0; j < S; j++) tot += cnt[r * S + j];
        size_t nz = 0;
        for (size_t j = 0; j < S; j++) {
            double p = tot + alpha * (double)S > 0 ? (cnt[r * S + j] + alpha) / (tot + alpha * (double)S)
                                                   : (j == r / A ? 1.0 : 0.0);
            cnt[r * S + j] = p;
            nz += p > 0;
        }
        m->P.rowptr[r + 1] = nz;
        double c = opts->cost ? opts->cost[r % A] : 0.0;
        m->R[r] = (rn[r] > 0 ? rsum[r] / rn[r] : 0.0) - c;
    }
    if ((rc = st__mdp_alloc_entries(m, &cur))) goto done;
    for (size_t r = 0; r < rows; r++)
        for (size_t j = 0; j < S; j++)
            if (cnt[r * S + j] > 0) st__mdp_put(m, cur, r, (uint32_t)j, cnt[r * S + j]);
    rc = st__mdp_finish(m, cur, "estimate");
    for (size_t a = 0; rc == ST_OK && opts->cost && a < A; a++) {
        if (!isfinite(opts->cost[a])) rc = st__error(ctx, ST_EINVAL, "action %zu: cost is not finite", a);
        else m->cost[a] = opts->cost[a];
    }
done:
    st__free(ctx, cur, 0);
    if (rc) {
        st_mdp_free(m);
        return rc;
    }
    *out = m;
    return ST_OK;
}

/* The dense count table of S states and A actions: S * A * S cells. */
static st_status alloc_counts(st_context *ctx, size_t S, size_t A, double **cnt, double **rsum, double **rn)
{
    size_t rows, cells;
    if (S == 0 || A == 0) return st__error(ctx, ST_EINVAL, "an MDP needs at least one state and one action");
    if (!st__mul_ok(S, A, &rows) || !st__mul_ok(rows, S, &cells) || S > 20000)
        return st__error(ctx, ST_ELIMIT, "estimation counts a dense state x action x state table: at most "
                         "20000 states (got %zu)", S);
    *cnt = st__calloc(ctx, cells, sizeof **cnt);
    *rsum = st__calloc(ctx, rows, sizeof **rsum);
    *rn = st__calloc(ctx, rows, sizeof **rn);
    if (*cnt && *rsum && *rn) return ST_OK;
    st__free(ctx, *cnt, 0);
    st__free(ctx, *rsum, 0);
    st__free(ctx, *rn, 0);
    *cnt = *rsum = *rn = NULL;
    return ST_ENOMEM;
}

st_status st_mdp_estimate(st_context *ctx, size_t nstates, size_t nactions, size_t n, const uint32_t *state,
                          const uint32_t *action, const uint32_t *next, const double *reward,
                          const st_mdp_estimate_options *opts, st_mdp **out)
{
    if (!ctx) return ST_EINVAL;
    if (!out || !state || !next || !reward || !opts)
        return st__error(ctx, ST_EINVAL, "st_mdp_estimate: NULL argument");
    *out = NULL;
    if (n == 0) return st__error(ctx, ST_EEMPTY, "no transitions to estimate from");
    size_t S = nstates, A = nactions;
    for (size_t k = 0; k < n; k++) {
        if (state[k] >= S || next[k] >= S || (action && action[k] >= A))
            return st__error(ctx, ST_EINVAL, "transition %zu: state, next or action out of range", k);
        if (!isfinite(reward[k])) return st__error(ctx, ST_EINVAL, "transition %zu: reward is not finite", k);
    }
    double *cnt = NULL, *rsum = NULL, *rn = NULL;
    st_status rc = alloc_counts(ctx, S, A, &cnt, &rsum, &rn);
    if (rc) return rc;
    for (size_t k = 0; k < n; k++) {
        size_t r = (size_t)state[k] * A + (action ? action[k] : 0);
        cnt[r * S + next[k]] += 1.0;
        rsum[r] += reward[k];
        rn[r] += 1.0;
    }
    rc = estimate_counts(ctx, S, A, cnt, rsum, rn, opts, out);
    st__free(ctx, cnt, 0);
    st__free(ctx, rsum, 0);
    st__free(ctx, rn, 0);
    return rc;
}

/* ---- from files: a transitions CSV and ACTIONS.json ---- */

void st_mdp_build_options_init(st_mdp_build_options *o)
{
    if (!o) return;
    memset(o, 0, sizeof *o);
    o->state_col = "state";
    o->next_col = "next_state";
    o->action_col = "action";
    o->reward_col = "reward";
    o->smoothing = 1.0;
}

/* x as text: whole numbers (ids) by hand, as printf's float formatting dominates the time otherwise. */
static void format_number(double x, char *buf, size_t cap)
{
    if (x >= 0 && x < 1e15 && x == floor(x) && cap >= 17) {
        char tmp[20];
        size_t n = 0;
        uint64_t v = (uint64_t)x;
        do {
            tmp[n++] = (char)('0' + v % 10);
            v /= 10;
        } while (v);
        for (size_t k = 0; k < n; k++) buf[k] = tmp[n - 1 - k];
        buf[n] = '\0';
        return;
    }
    snprintf(buf, cap, "%.17g", x);
}

/* The text of row i of column j: strings as they are, numbers formatted. */
static const char *cell(const st_table *t, size_t j, size_t i, char *buf, size_t cap)
{
    if (st_table_col_type(t, j) == ST_COL_STR) return st_table_str(t, j, i);
    format_number(st_table_f64(t, j)[i], buf, cap);
    return buf;
}

typedef struct name_set {
    char **names;
    size_t n, cap;
} name_set;

/* Index of name in the set, adding it when new (linear: state spaces here are small, <= 20000). */
static long intern(st_context *ctx, name_set *ns, const char *name)
{
    for (size_t i = 0; i < ns->n; i++)
        if (strcmp(ns->names[i], name) == 0) return (long)i;
    if (ns->n == ns->cap) {
        size_t nc = ns->cap ? ns->cap * 2 : 16;
        char **nn = st__realloc_array(ctx, ns->names, ns->cap, nc, sizeof *nn);
        if (!nn) return -1;
        ns->names = nn;
        ns->cap = nc;
    }
    if (!(ns->names[ns->n] = st__strdup(ctx, name))) return -1;
    return (long)ns->n++;
}

/* ACTIONS.json: a list of actions, or {"actions": [...], "churn_states": [...]}. */
typedef struct action_spec {
    st_json *doc;
    const st_json *list;
    size_t A;
    double *cost, *rmul, *cmul;
} action_spec;

static const char *action_name(const action_spec *as, size_t a)
{
    const st_json *e = st__json_at(as->list, a);
    return st__json_string(st__json_type(e) == ST_JSON_OBJECT ? st__json_get(e, "name") : e);
}

static void free_actions(st_context *ctx, action_spec *as)
{
    st__free(ctx, as->cost, 0);
    st__free(ctx, as->rmul, 0);
    st__free(ctx, as->cmul, 0);
    st__json_free(ctx, as->doc);
    memset(as, 0, sizeof *as);
}

static st_status read_actions(st_context *ctx, const char *path, action_spec *as)
{
    memset(as, 0, sizeof *as);
    st_status rc = st__json_parse_file(ctx, path, &as->doc);
    if (rc) return rc;
    as->list = st__json_type(as->doc) == ST_JSON_ARRAY ? as->doc : st__json_get(as->doc, "actions");
    size_t A = st__json_len(as->list);
    if (st__json_type(as->list) != ST_JSON_ARRAY || A == 0) {
        free_actions(ctx, as);
        return st__error(ctx, ST_EFORMAT, "%s: expected a list of actions, or an object with \"actions\"", path);
    }
    as->A = A;
    as->cost = st__calloc(ctx, A, sizeof *as->cost);
    as->rmul = st__calloc(ctx, A, sizeof *as->rmul);
    as->cmul = st__calloc(ctx, A, sizeof *as->cmul);
    if (!as->cost || !as->rmul || !as->cmul) {
        free_actions(ctx, as);
        return ST_ENOMEM;
    }
    for (size_t a = 0; a < A; a++) {
        const st_json *e = st__json_at(as->list, a);
        const char *keys[] = {"cost", "reward_multiplier", "churn_multiplier"};
        double *dst[] = {&as->cost[a], &as->rmul[a], &as->cmul[a]}, dflt[] = {0, 1, 1};
        const char *nm = action_name(as, a);
        if (!nm || !*nm) {
            free_actions(ctx, as);
            return st__error(ctx, ST_EFORMAT, "%s: action %zu needs a \"name\"", path, a);
        }
        for (int k = 0; k < 3; k++) {
            const st_json *v = st__json_type(e) == ST_JSON_OBJECT ? st__json_get(e, keys[k]) : NULL;
            *dst[k] = v ? st__json_number(v) : dflt[k];
            if (!isfinite(*dst[k]) || (k > 0 && *dst[k] < 0)) {
                rc = st__error(ctx, ST_EFORMAT, "%s: action '%s': \"%s\" must be a %snumber", path, nm, keys[k],
                               k ? "non-negative " : "");
                free_actions(ctx, as);
                return rc;
            }
        }
    }
    return ST_OK;
}

static long find_action(const action_spec *as, const char *name)
{
    for (size_t a = 0; a < as->A; a++)
        if (strcmp(action_name(as, a), name) == 0) return (long)a;
    return -1;
}

/* Estimates, then names the states and actions. */
static st_status estimate_named(st_context *ctx, char *const *names, size_t S, const action_spec *as, size_t n,
                                const uint32_t *sv, const uint32_t *av, const uint32_t *nv, const double *rw,
                                const uint32_t *churn, size_t nchurn, double smoothing, st_mdp **out)
{
    st_mdp_estimate_options eo;
    st_mdp_estimate_options_init(&eo);
    eo.smoothing = smoothing;
    eo.cost = as->cost;
    eo.reward_multiplier = as->rmul;
    eo.churn_multiplier = as->cmul;
    eo.churn_states = churn;
    eo.nchurn = nchurn;
    st_status rc = st_mdp_estimate(ctx, S, as->A, n, sv, av, nv, rw, &eo, out);
    for (size_t s = 0; rc == ST_OK && s < S; s++) rc = st_mdp_set_state_name(*out, s, names[s]);
    for (size_t a = 0; rc == ST_OK && a < as->A; a++) rc = st_mdp_set_action(*out, a, action_name(as, a), as->cost[a]);
    if (rc && *out) {
        st_mdp_free(*out);
        *out = NULL;
    }
    return rc;
}

st_status st_mdp_build_from_files(st_context *ctx, const char *transitions_csv, const char *actions_json,
                                  const st_mdp_build_options *opts, st_mdp **out)
{
    if (!ctx) return ST_EINVAL;
    if (!transitions_csv || !actions_json || !opts || !out)
        return st__error(ctx, ST_EINVAL, "st_mdp_build_from_files: NULL argument");
    *out = NULL;
    action_spec as;
    st_table *t = NULL;
    name_set states = {0};
    uint32_t *sv = NULL, *av = NULL, *nv = NULL, *churn = NULL;
    double *rw = NULL;
    size_t n = 0, nchurn = 0;
    st_status rc = read_actions(ctx, actions_json, &as);
    if (rc) return rc;
    if ((rc = st_table_read_csv(ctx, transitions_csv, NULL, &t))) goto done;
    n = st_table_nrows(t);
    long js = st_table_find(t, opts->state_col), jn = st_table_find(t, opts->next_col);
    long jr = st_table_find(t, opts->reward_col), ja = opts->action_col ? st_table_find(t, opts->action_col) : -1;
    if (js < 0 || jn < 0 || jr < 0) {
        rc = st__error(ctx, ST_ENOTFOUND, "%s: needs columns '%s', '%s' and '%s'", transitions_csv, opts->state_col,
                       opts->next_col, opts->reward_col);
        goto done;
    }
    if (st_table_col_type(t, (size_t)jr) == ST_COL_STR) {
        rc = st__error(ctx, ST_EPARSE, "%s: column '%s' must be numeric", transitions_csv, opts->reward_col);
        goto done;
    }
    sv = st__realloc_array(ctx, NULL, 0, n ? n : 1, sizeof *sv);
    nv = st__realloc_array(ctx, NULL, 0, n ? n : 1, sizeof *nv);
    av = st__calloc(ctx, n ? n : 1, sizeof *av);
    rw = st__realloc_array(ctx, NULL, 0, n ? n : 1, sizeof *rw);
    if (!sv || !nv || !av || !rw) {
        rc = ST_ENOMEM;
        goto done;
    }
    const double *rcol = st_table_f64(t, (size_t)jr);
    for (size_t i = 0; i < n; i++) {
        char b1[64], b2[64];
        long s = intern(ctx, &states, cell(t, (size_t)js, i, b1, sizeof b1));
        long j = s >= 0 ? intern(ctx, &states, cell(t, (size_t)jn, i, b2, sizeof b2)) : -1;
        if (s < 0 || j < 0) {
            rc = ST_ENOMEM;
            goto done;
        }
        sv[i] = (uint32_t)s;
        nv[i] = (uint32_t)j;
        rw[i] = rcol[i];
        if (!isfinite(rw[i])) {
            rc = st__error(ctx, ST_EPARSE, "%s: row %zu: '%s' is missing", transitions_csv, i + 1, opts->reward_col);
            goto done;
        }
        if (ja >= 0) {
            const char *an = cell(t, (size_t)ja, i, b1, sizeof b1);
            long a = find_action(&as, an);
            if (a < 0) {
                rc = st__error(ctx, ST_EDATA, "%s: row %zu: action '%s' is not in %s", transitions_csv, i + 1, an,
                               actions_json);
                goto done;
            }
            av[i] = (uint32_t)a;
        }
    }
    const st_json *cs = st__json_type(as.doc) == ST_JSON_OBJECT ? st__json_get(as.doc, "churn_states") : NULL;
    nchurn = st__json_len(cs);
    churn = st__calloc(ctx, nchurn ? nchurn : 1, sizeof *churn);
    if (!churn) {
        rc = ST_ENOMEM;
        goto done;
    }
    for (size_t i = 0; i < nchurn; i++) {
        const char *nm = st__json_string(st__json_at(cs, i));
        size_t k = 0;
        while (nm && k < states.n && strcmp(states.names[k], nm) != 0) k++;
        if (!nm || k == states.n) {
            rc = st__error(ctx, ST_EDATA, "%s: churn state '%s' never occurs in %s", actions_json, nm ? nm : "?",
                           transitions_csv);
            goto done;
        }
        churn[i] = (uint32_t)k;
    }
    rc = estimate_named(ctx, states.names, states.n, &as, n, sv, ja >= 0 ? av : NULL, nv, rw, churn, nchurn,
                        opts->smoothing, out);
done:
    for (size_t i = 0; i < states.n; i++) st__free(ctx, states.names[i], 0);
    st__free(ctx, states.names, states.cap * sizeof *states.names);
    st__free(ctx, sv, 0);
    st__free(ctx, nv, 0);
    st__free(ctx, av, 0);
    st__free(ctx, rw, 0);
    st__free(ctx, churn, 0);
    st_table_free(t);
    free_actions(ctx, &as);
    return rc;
}

/* ---- from event logs: periods, lifecycle stages x value tiers ----
** The events are read once by the event reader (io/events.h) into the customer x period panel; the
** lifecycle walk below reads each customer's active periods from it. `strata run` hands over the panel of
** its single pass (st__mdp_from_panel), so the MDP stage reads nothing again. */

void st_mdp_events_options_init(st_mdp_events_options *o)
{
    if (!o) return;
    memset(o, 0, sizeof *o);
    o->period = ST_MDP_PERIOD_MONTH;
    o->tiers = 3;
    o->churn_after = 3;
    o->margin = 1.0;
    o->smoothing = 1.0;
    o->campaign_action_col = "action";
}

st__period st__mdp_panel_period(st_mdp_period p)
{
    return p == ST_MDP_PERIOD_WEEK ? ST__PERIOD_WEEK : p == ST_MDP_PERIOD_QUARTER ? ST__PERIOD_QUARTER : ST__PERIOD_MONTH;
}

typedef struct camp {
    uint32_t cust;
    int32_t period;
    int64_t secs;
    uint32_t action;
} camp;

static int cmp_camp(const void *a, const void *b)
{
    const camp *x = a, *y = b;
    if (x->cust != y->cust) return (x->cust > y->cust) - (x->cust < y->cust);
    if (x->period != y->period) return (x->period > y->period) - (x->period < y->period);
    return (x->secs > y->secs) - (x->secs < y->secs);
}

/* The campaign log: (customer, period) -> action; customers without events are ignored. Its customer and
** time columns are named as in the event log, and its times read with the event log's time format. */
static st_status read_campaigns(st_context *ctx, const st_summarize_options *in, const st_mdp_events_options *o,
                                const action_spec *as, const st__strmap *ids, camp **out, size_t *nout)
{
    st_table *t;
    *out = NULL;
    *nout = 0;
    st_status rc = st_table_read_csv(ctx, o->campaigns, NULL, &t);
    if (rc) return rc;
    long jc = st_table_find(t, in->customer_col), jt = st_table_find(t, in->time_col);
    long ja = st_table_find(t, o->campaign_action_col);
    size_t n = st_table_nrows(t), k = 0;
    camp *c = NULL;
    st__period per = st__mdp_panel_period(o->period);
    if (jc < 0 || jt < 0 || ja < 0)
        rc = st__error(ctx, ST_ENOTFOUND, "%s: needs columns '%s', '%s' and '%s'", o->campaigns, in->customer_col,
                       in->time_col, o->campaign_action_col);
    else if (!(c = st__calloc(ctx, n ? n : 1, sizeof *c)))
        rc = ST_ENOMEM;
    for (size_t i = 0; rc == ST_OK && i < n; i++) {
        char b1[64], b2[64], b3[64];
        const char *key = cell(t, (size_t)jc, i, b1, sizeof b1), *ts = cell(t, (size_t)jt, i, b3, sizeof b3);
        const char *an = cell(t, (size_t)ja, i, b2, sizeof b2);
        int64_t secs;
        long a = find_action(as, an);
        if (st_time_parse(in->time_format, ts, strlen(ts), &secs) != ST_OK || secs / 86400 > INT32_MAX / 2 ||
            secs / 86400 < INT32_MIN / 2)
            rc = st__error(ctx, ST_EPARSE, "%s: row %zu: cannot parse time '%s' (%s%s)", o->campaigns, i + 1, ts,
                           in->time_format ? "expected format " : "expected ISO 8601 date or date-time",
                           in->time_format ? in->time_format : "");
        else if (a < 0)
            rc = st__error(ctx, ST_EDATA, "%s: row %zu: action '%s' is not in the actions file", o->campaigns, i + 1, an);
        if (rc) break;
        long id = st__strmap_find(ids, key, strlen(key));
        if (id < 0) continue;
        int32_t day = (int32_t)st__day_of_seconds(secs);
        c[k++] = (camp){(uint32_t)id, st__period_of_day(day, per), secs, (uint32_t)a};
    }
    st_table_free(t);
    if (rc) {
        st__free(ctx, c, 0);
        return rc;
    }
    qsort(c, k, sizeof *c, cmp_camp);
    *out = c;
    *nout = k;
    return ST_OK;
}

/* The options of st_mdp_build_from_events, checked before the log is read and again for a panel. */
static st_status check_events_options(st_context *ctx, const st_mdp_events_options *o)
{
    if (o->tiers < 1 || o->tiers > 100 || o->churn_after < 1 || !isfinite(o->margin))
        return st__error(ctx, ST_EINVAL, "tiers must be 1..100, churn_after >= 1 and margin finite");
    return ST_OK;
}

st_status st__mdp_from_panel(st_context *ctx, const st__panel *pn, const st__strmap *ids, const char *actions_json,
                             const st_summarize_options *in, const st_mdp_events_options *o, st_mdp **out,
                             int32_t *final_state)
{
    if (!pn || !ids || !actions_json || !in || !o || !out)
        return st__error(ctx, ST_EINVAL, "st_mdp_build_from_events: NULL argument");
    *out = NULL;
    st_status rc = check_events_options(ctx, o);
    if (rc) return rc;
    action_spec as;
    rc = read_actions(ctx, actions_json, &as);
    if (rc) return rc;
    camp *cp = NULL;
    size_t ncamp = 0, nact = pn->n;
    double *spend = NULL, *cuts = NULL, *cnt = NULL, *rsum = NULL, *rn = NULL;
    char **names = NULL;
    size_t T = (size_t)o->tiers, S = 4 * T + 1, A = as.A, C = pn->ncust;
    if (o->campaigns) rc = read_campaigns(ctx, in, o, &as, ids, &cp, &ncamp);
    if (rc) goto done;
    if (nact == 0) {
        rc = st__error(ctx, ST_EEMPTY, "no events to build an MDP from");
        goto done;
    }
    int32_t pmax = INT32_MIN;
    for (size_t c = 0; c < C; c++)
        if (pn->start[c + 1] > pn->start[c] && pn->per[pn->start[c + 1] - 1] > pmax) pmax = pn->per[pn->start[c + 1] - 1];
    /* Tier cut-offs: quantiles of spend over the active customer-periods. */
    spend = st__realloc_array(ctx, NULL, 0, nact, sizeof *spend);
    cuts = st__calloc(ctx, T, sizeof *cuts);
    if (!spend || !cuts) {
        rc = ST_ENOMEM;
        goto done;
    }
    memcpy(spend, pn->spend, nact * sizeof *spend);
    for (size_t k = 1; k < T; k++) cuts[k - 1] = st__select_kth(spend, nact, k * nact / T);
    st__free(ctx, spend, 0);
    spend = NULL;
    if ((rc = alloc_counts(ctx, S, A, &cnt, &rsum, &rn))) goto done;
    /* Walk each customer from its first period to the last period of the data, counting transitions. */
    size_t ntrans = 0;
    for (size_t c = 0; c < C; c++) {
        size_t b0 = pn->start[c], len = pn->start[c + 1] - b0, k = 0, tier = 0;
        if (final_state) final_state[c] = -1;
        if (len == 0) continue;
        const int32_t *per = pn->per + b0;
        int32_t first = per[0], last_active = first;
        double prev_orders = 0, prev_spend = 0;
        long prev_state = -1;
        const camp *cc = NULL, *cend = NULL;
        if (ncamp) {
            camp probe = {(uint32_t)c, INT32_MIN, INT64_MIN, 0};
            size_t lo = 0, hi = ncamp;
            while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (cmp_camp(&cp[mid], &probe) < 0) lo = mid + 1;
                else hi = mid;
            }
            cc = cp + lo;
            cend = cc;
            while (cend < cp + ncamp && cend->cust == c) cend++;
        }
        for (int32_t p = first; p <= pmax; p++) {
            double orders = 0, sp = 0;
            if (k < len && per[k] == p) {
                orders = pn->events[b0 + k];
                sp = pn->spend[b0 + k];
                k++;
            }
            size_t stage;
            if (orders > 0) {
                tier = 0;
                while (tier + 1 < T && sp >= cuts[tier]) tier++;
                stage = p == first ? 0 : orders > prev_orders ? 1 : 2;
                last_active = p;
            } else {
                stage = (int64_t)p - last_active >= o->churn_after ? 4 : 3;
            }
            long state = stage == 4 ? (long)(4 * T) : (long)(stage * T + tier);
            if (prev_state >= 0) {
                /* The action of period p - 1: the latest campaign in it. */
                uint32_t a = 0;
                while (cc && cc < cend && cc->period < p - 1) cc++;
                for (const camp *q = cc; q && q < cend && q->period == p - 1; q++) a = q->action;
                size_t r = (size_t)prev_state * A + a;
                cnt[r * S + (size_t)state] += 1.0;
                rsum[r] += o->margin * prev_spend;
                rn[r] += 1.0;
                ntrans++;
            }
            prev_state = state;
            prev_spend = sp;
            prev_orders = orders;
        }
        if (final_state) final_state[c] = (int32_t)prev_state;
    }
    if (ntrans == 0) {
        rc = st__error(ctx, ST_EEMPTY, "the events span a single period: no transitions to estimate from");
        goto done;
    }
    names = st__calloc(ctx, S, sizeof *names);
    if (!names) {
        rc = ST_ENOMEM;
        goto done;
    }
    static const char *const stages[] = {"acquisition", "growth", "maturity", "decline"};
    for (size_t s2 = 0; s2 < S && rc == ST_OK; s2++) {
        char buf[64];
        if (s2 == 4 * T) snprintf(buf, sizeof buf, "churned");
        else snprintf(buf, sizeof buf, "%s/t%zu", stages[s2 / T], s2 % T + 1);
        if (!(names[s2] = st__strdup(ctx, buf))) rc = ST_ENOMEM;
    }
    if (rc) goto done;
    uint32_t churn = (uint32_t)(4 * T);
    st_mdp_estimate_options eo;
    st_mdp_estimate_options_init(&eo);
    eo.smoothing = o->smoothing;
    eo.cost = as.cost;
    eo.reward_multiplier = as.rmul;
    eo.churn_multiplier = as.cmul;
    eo.churn_states = &churn;
    eo.nchurn = 1;
    rc = estimate_counts(ctx, S, A, cnt, rsum, rn, &eo, out);
    for (size_t s2 = 0; rc == ST_OK && s2 < S; s2++) rc = st_mdp_set_state_name(*out, s2, names[s2]);
    for (size_t a = 0; rc == ST_OK && a < A; a++) rc = st_mdp_set_action(*out, a, action_name(&as, a), as.cost[a]);
    if (rc && *out) {
        st_mdp_free(*out);
        *out = NULL;
    }
done:
    for (size_t s2 = 0; names && s2 < S; s2++) st__free(ctx, names[s2], 0);
    st__free(ctx, names, 0);
    st__free(ctx, cp, 0);
    st__free(ctx, spend, 0);
    st__free(ctx, cuts, 0);
    st__free(ctx, cnt, 0);
    st__free(ctx, rsum, 0);
    st__free(ctx, rn, 0);
    free_actions(ctx, &as);
    return rc;
}

/* The customers' states in the last period of the data, as a table (key named after the customer column,
** column "state"), customers in order of first appearance. */
static st_status final_states_table(st_context *ctx, const st__strmap *ids, const int32_t *final_state,
                                    const st_mdp *m, const char *key, st_table **out)
{
    st_status rc = st_table_new(ctx, key, ids->n, out);
    if (rc == ST_OK) rc = st_table_add_str(*out, "state");
    for (size_t c = 0; c < ids->n && rc == ST_OK; c++) {
        rc = st_table_set_str(*out, 0, c, st__strmap_key(ids, (uint32_t)c));
        if (rc == ST_OK && final_state[c] >= 0)
            rc = st_table_set_str(*out, 1, c, st_mdp_state_name(m, (size_t)final_state[c]));
    }
    if (rc != ST_OK) {
        st_table_free(*out);
        *out = NULL;
    }
    return rc;
}

st_status st_mdp_build_from_events(st_context *ctx, const char *const *paths, size_t npaths, const char *actions_json,
                                   const st_summarize_options *in, const st_mdp_events_options *o, st_mdp **out,
                                   st_table **customer_states)
{
    if (!ctx) return ST_EINVAL;
    if (customer_states) *customer_states = NULL;
    if (!paths || !npaths || !actions_json || !in || !o || !out)
        return st__error(ctx, ST_EINVAL, "st_mdp_build_from_events: NULL argument");
    *out = NULL;
    if (check_events_options(ctx, o) != ST_OK) return ST_EINVAL;
    st__period per = st__mdp_panel_period(o->period);
    st__event_sink sink = st__panel_sink_vt;
    sink.ud = &per;
    st__events_result res;
    st_status rc = st__events_read(ctx, paths, npaths, in, &sink, 1, &res);
    if (rc) return rc;
    st__panel pn;
    rc = st__panel_finish(ctx, res.parts[0], res.ids.n, &pn);
    res.parts[0] = NULL;
    int32_t *final_state = NULL;
    if (rc == ST_OK && customer_states && !(final_state = st__malloc(ctx, (pn.ncust ? pn.ncust : 1) * sizeof *final_state)))
        rc = ST_ENOMEM;
    if (rc == ST_OK) rc = st__mdp_from_panel(ctx, &pn, &res.ids, actions_json, in, o, out, final_state);
    if (rc == ST_OK && customer_states) rc = final_states_table(ctx, &res.ids, final_state, *out, in->customer_col, customer_states);
    if (rc != ST_OK) {
        st_mdp_free(*out);
        *out = NULL;
    }
    st__free(ctx, final_state, 0);
    st__panel_free(&pn);
    st__events_result_free(ctx, &sink, 1, &res);
    return rc;
}
