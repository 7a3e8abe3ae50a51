/*
** mdp_estimate.c -- an MDP from observed transitions: counts of (state, action, next) with Laplace
** (Dirichlet) smoothing and exact row normalisation, rewards as the mean observed period reward minus the
** action's cost; actions never observed borrow the no-action chain (action 0) through documented multipliers.
*/
#include "decide/mdp.h"
#include "core/json.h"
#include "io/csv.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

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
        m->rowptr[r + 1] = nz;
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
                rc = st__error(ctx, ST_EINVAL, "%s: row %zu: action '%s' is not in %s", transitions_csv, i + 1, an,
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
            rc = st__error(ctx, ST_EINVAL, "%s: churn state '%s' never occurs in %s", actions_json, nm ? nm : "?",
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
** Events are reduced to (customer id, period, amount) as they are read: plain files are memory-mapped and
** scanned record by record, customer ids interned in a hash table; other inputs (.gz, standard input) go
** through st_table_read_csv. Transitions are counted straight into the estimation table. */

void st_mdp_events_options_init(st_mdp_events_options *o)
{
    if (!o) return;
    memset(o, 0, sizeof *o);
    o->customer_col = "customer_id";
    o->time_col = "date";
    o->amount_col = "amount";
    o->period = ST_MDP_PERIOD_MONTH;
    o->tiers = 3;
    o->churn_after = 3;
    o->margin = 1.0;
    o->smoothing = 1.0;
    o->campaign_action_col = "action";
}

static int64_t floor_div(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

static int64_t period_of(int64_t secs, st_mdp_period per)
{
    int64_t day = floor_div(secs, 86400);
    if (per == ST_MDP_PERIOD_WEEK) return floor_div(day + 3, 7); /* weeks start on Monday */
    int64_t y;
    int m, d;
    st_civil_from_days(day, &y, &m, &d);
    return per == ST_MDP_PERIOD_QUARTER ? y * 4 + (m - 1) / 3 : y * 12 + (m - 1);
}

/* Customer ids as text -> dense ids, by open addressing (FNV-1a). */
typedef struct keymap {
    st_buf pool;   /* the key bytes, back to back */
    size_t *off;   /* id -> offset in pool; off[id + 1] - off[id] is its length */
    size_t n, cap;
    uint32_t *slot; /* id + 1, 0 = empty */
    size_t nslot;   /* a power of two */
} keymap;

static uint64_t fnv1a(const char *p, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)p[i]) * 1099511628211ull;
    return h;
}

static bool key_is(const keymap *km, uint32_t id, const char *p, size_t n)
{
    return km->off[id + 1] - km->off[id] == n && memcmp(km->pool.data + km->off[id], p, n) == 0;
}

/* Id of the key, or -1 when absent (add false) or out of memory (-2). */
static long keymap_get(st_context *ctx, keymap *km, const char *p, size_t n, bool add)
{
    if (km->nslot && km->n * 2 < km->nslot) {
        size_t mask = km->nslot - 1, i = (size_t)fnv1a(p, n) & mask;
        for (; km->slot[i]; i = (i + 1) & mask)
            if (key_is(km, km->slot[i] - 1, p, n)) return (long)(km->slot[i] - 1);
        if (!add) return -1;
        if (km->n + 2 > km->cap) {
            size_t nc = km->cap ? km->cap * 2 : 1024;
            size_t *no = st__realloc_array(ctx, km->off, km->cap, nc, sizeof *no);
            if (!no) return -2;
            km->off = no;
            km->cap = nc;
        }
        if (km->n >= UINT32_MAX - 1 || !st__buf_append(&km->pool, p, n)) return -2;
        if (km->n == 0) km->off[0] = 0;
        km->off[km->n + 1] = km->pool.len;
        km->slot[i] = (uint32_t)++km->n;
        return (long)(km->n - 1);
    }
    if (!add && km->nslot) return keymap_get(ctx, km, p, n, false);
    /* Grow the table (also the first time) and re-insert every id. */
    size_t ns = km->nslot ? km->nslot * 2 : 4096;
    uint32_t *sl = st__calloc(ctx, ns, sizeof *sl);
    if (!sl) return -2;
    for (uint32_t id = 0; id < km->n; id++) {
        size_t i = (size_t)fnv1a(km->pool.data + km->off[id], km->off[id + 1] - km->off[id]) & (ns - 1);
        while (sl[i]) i = (i + 1) & (ns - 1);
        sl[i] = id + 1;
    }
    st__free(ctx, km->slot, km->nslot * sizeof *km->slot);
    km->slot = sl;
    km->nslot = ns;
    return keymap_get(ctx, km, p, n, add);
}

static void keymap_free(st_context *ctx, keymap *km)
{
    st__buf_free(&km->pool);
    st__free(ctx, km->off, km->cap * sizeof *km->off);
    st__free(ctx, km->slot, km->nslot * sizeof *km->slot);
}

typedef struct evrec {
    uint32_t cust;
    int32_t period;   /* relative to the first period seen (periods are small integers) */
    double amount;
} evrec;

typedef struct evlist {
    evrec *e;
    size_t n, cap;
} evlist;

static bool ev_push(st_context *ctx, evlist *L, uint32_t cust, int64_t period, double amount)
{
    if (L->n == L->cap) {
        size_t nc = L->cap ? L->cap * 2 : 65536;
        evrec *ne = st__realloc_array(ctx, L->e, L->cap, nc, sizeof *ne);
        if (!ne) return false;
        L->e = ne;
        L->cap = nc;
    }
    L->e[L->n++] = (evrec){cust, (int32_t)period, amount};
    return true;
}

/* Periods are stored as int32 offsets from 1970 (months and weeks fit for millennia). */
static bool period_ok(int64_t p) { return p > INT32_MIN / 2 && p < INT32_MAX / 2; }

static bool parse_amount(const char *p, size_t n, double *out)
{
    if (n == 0) {
        *out = 0.0;
        return true;
    }
    char tmp[64], *end;
    if (n >= sizeof tmp) return false;
    memcpy(tmp, p, n);
    tmp[n] = '\0';
    *out = strtod(tmp, &end);
    return end == tmp + n && isfinite(*out);
}

/* Scans a plain CSV file in place. *handled is false when the file cannot be mapped (the caller then
** reads it through st_table_read_csv). */
static st_status scan_events(st_context *ctx, const char *path, const st_mdp_events_options *o, keymap *km,
                             evlist *L, bool *handled)
{
    *handled = false;
    size_t plen = strlen(path);
    if (strcmp(path, "-") == 0 || (plen > 3 && strcmp(path + plen - 3, ".gz") == 0)) return ST_OK;
    int fd = open(path, O_RDONLY);
    if (fd < 0) return ST_OK;
    struct stat sb;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) || sb.st_size <= 0) {
        close(fd);
        return ST_OK;
    }
    size_t len = (size_t)sb.st_size;
    void *map = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (map == MAP_FAILED) return ST_OK;
    *handled = true;
    const char *p = map, *end = p + len, *next;
    if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0) p += 3;
    st_csv_scanner sc;
    st_status rc = st__csv_scanner_init(ctx, &sc, ',', (size_t)1 << 20, 4096);
    if (rc) {
        munmap(map, len);
        return rc;
    }
    long col[3] = {-1, -1, -1};
    const char *want[3] = {o->customer_col, o->time_col, o->amount_col};
    if (st__csv_scan(&sc, p, end, true, &next) != ST_CSV_RECORD) {
        rc = st__error(ctx, ST_EPARSE, "%s:1: cannot read the header", path);
        goto done;
    }
    for (size_t f = 0; f < sc.nfields; f++)
        for (int k = 0; k < 3; k++)
            if (col[k] < 0 && sc.fields[f].len == strlen(want[k]) && memcmp(sc.fields[f].p, want[k], sc.fields[f].len) == 0)
                col[k] = (long)f;
    if (col[0] < 0 || col[1] < 0 || col[2] < 0) {
        rc = st__error(ctx, ST_ENOTFOUND, "%s: needs columns '%s', '%s' and '%s'", path, want[0], want[1], want[2]);
        goto done;
    }
    size_t need = (size_t)(col[0] > col[1] ? (col[0] > col[2] ? col[0] : col[2]) : (col[1] > col[2] ? col[1] : col[2]));
    size_t consumed = sc.newlines ? sc.newlines : 1; /* lines read so far */
    for (p = next; p < end; p = next) {
        st_csv_result res = st__csv_scan(&sc, p, end, true, &next);
        size_t line = consumed + 1; /* where this record starts */
        if (res == ST_CSV_END) break;
        if (res != ST_CSV_RECORD) {
            rc = st__error(ctx, ST_EPARSE, "%s:%zu: malformed CSV record", path, line);
            goto done;
        }
        consumed += sc.newlines ? sc.newlines : 1;
        if (sc.nfields == 1 && sc.fields[0].len == 0) continue; /* a blank line */
        if (sc.nfields <= need) {
            rc = st__error(ctx, ST_EPARSE, "%s:%zu: %zu fields, expected at least %zu", path, line, sc.nfields, need + 1);
            goto done;
        }
        const st_csv_field *fc = &sc.fields[col[0]], *ft = &sc.fields[col[1]], *fa = &sc.fields[col[2]];
        if (fc->has_escape || ft->has_escape || fa->has_escape) {
            rc = st__error(ctx, ST_EPARSE, "%s:%zu: doubled quotes inside the customer, time or amount field", path, line);
            goto done;
        }
        int64_t secs;
        double amount;
        if (st_time_parse_iso(ft->p, ft->len, &secs) != ST_OK) {
            rc = st__error(ctx, ST_EPARSE, "%s:%zu: '%.*s' is not a date", path, line, (int)(ft->len > 40 ? 40 : ft->len), ft->p);
            goto done;
        }
        if (!parse_amount(fa->p, fa->len, &amount)) {
            rc = st__error(ctx, ST_EPARSE, "%s:%zu: '%.*s' is not a number", path, line, (int)(fa->len > 40 ? 40 : fa->len), fa->p);
            goto done;
        }
        int64_t per = period_of(secs, o->period);
        long id = keymap_get(ctx, km, fc->p, fc->len, true);
        if (id < 0 || !period_ok(per) || !ev_push(ctx, L, (uint32_t)id, per, amount)) {
            rc = id < 0 || st_errcode(ctx) == ST_ENOMEM ? ST_ENOMEM : st__error(ctx, ST_ERANGE, "%s:%zu: date out of range", path, line);
            goto done;
        }
    }
done:
    st__csv_scanner_free(ctx, &sc);
    munmap(map, len);
    return rc;
}

/* The general reader (st_table_read_csv: .gz, standard input). */
static st_status table_events(st_context *ctx, const char *path, const st_mdp_events_options *o, keymap *km, evlist *L)
{
    st_table *t;
    st_status rc = st_table_read_csv(ctx, path, NULL, &t);
    if (rc) return rc;
    long jc = st_table_find(t, o->customer_col), jt = st_table_find(t, o->time_col), ja = st_table_find(t, o->amount_col);
    if (jc < 0 || jt < 0 || ja < 0)
        rc = st__error(ctx, ST_ENOTFOUND, "%s: needs columns '%s', '%s' and '%s'", path, o->customer_col, o->time_col,
                       o->amount_col);
    else if (st_table_col_type(t, (size_t)jt) != ST_COL_STR || st_table_col_type(t, (size_t)ja) == ST_COL_STR)
        rc = st__error(ctx, ST_EPARSE, "%s: '%s' must hold ISO dates and '%s' numbers", path, o->time_col, o->amount_col);
    for (size_t i = 0; rc == ST_OK && i < st_table_nrows(t); i++) {
        char buf[64];
        const char *key = cell(t, (size_t)jc, i, buf, sizeof buf), *ts = st_table_str(t, (size_t)jt, i);
        int64_t secs;
        if (st_time_parse_iso(ts, strlen(ts), &secs) != ST_OK) {
            rc = st__error(ctx, ST_EPARSE, "%s: row %zu: '%s' is not a date", path, i + 1, ts);
            break;
        }
        double amount = st_table_f64(t, (size_t)ja)[i];
        int64_t per = period_of(secs, o->period);
        long id = keymap_get(ctx, km, key, strlen(key), true);
        if (!period_ok(per)) rc = st__error(ctx, ST_ERANGE, "%s: row %zu: date out of range", path, i + 1);
        else if (id < 0 || !ev_push(ctx, L, (uint32_t)id, per, isfinite(amount) ? amount : 0.0)) rc = ST_ENOMEM;
    }
    st_table_free(t);
    return rc;
}

typedef struct camp {
    uint32_t cust;
    int64_t period, secs;
    uint32_t action;
} camp;

static int cmp_camp(const void *a, const void *b)
{
    const camp *x = a, *y = b;
    if (x->cust != y->cust) return (x->cust > y->cust) - (x->cust < y->cust);
    if (x->period != y->period) return (x->period > y->period) - (x->period < y->period);
    return (x->secs > y->secs) - (x->secs < y->secs);
}

/* The campaign log: (customer, period) -> action; customers without events are ignored. */
static st_status read_campaigns(st_context *ctx, const st_mdp_events_options *o, const action_spec *as, keymap *km,
                                camp **out, size_t *nout)
{
    st_table *t;
    *out = NULL;
    *nout = 0;
    st_status rc = st_table_read_csv(ctx, o->campaigns, NULL, &t);
    if (rc) return rc;
    long jc = st_table_find(t, o->customer_col), jt = st_table_find(t, o->time_col);
    long ja = st_table_find(t, o->campaign_action_col);
    size_t n = st_table_nrows(t), k = 0;
    camp *c = NULL;
    if (jc < 0 || jt < 0 || ja < 0)
        rc = st__error(ctx, ST_ENOTFOUND, "%s: needs columns '%s', '%s' and '%s'", o->campaigns, o->customer_col,
                       o->time_col, o->campaign_action_col);
    else if (st_table_col_type(t, (size_t)jt) != ST_COL_STR)
        rc = st__error(ctx, ST_EPARSE, "%s: column '%s' must hold ISO dates", o->campaigns, o->time_col);
    else if (!(c = st__calloc(ctx, n ? n : 1, sizeof *c)))
        rc = ST_ENOMEM;
    for (size_t i = 0; rc == ST_OK && i < n; i++) {
        char b1[64], b2[64];
        const char *key = cell(t, (size_t)jc, i, b1, sizeof b1), *ts = st_table_str(t, (size_t)jt, i);
        const char *an = cell(t, (size_t)ja, i, b2, sizeof b2);
        int64_t secs;
        long a = find_action(as, an);
        if (st_time_parse_iso(ts, strlen(ts), &secs) != ST_OK)
            rc = st__error(ctx, ST_EPARSE, "%s: row %zu: '%s' is not a date", o->campaigns, i + 1, ts);
        else if (a < 0)
            rc = st__error(ctx, ST_EINVAL, "%s: row %zu: action '%s' is not in the actions file", o->campaigns, i + 1, an);
        if (rc) break;
        long id = keymap_get(ctx, km, key, strlen(key), false);
        if (id == -2) rc = ST_ENOMEM;
        if (id < 0) continue;
        c[k++] = (camp){(uint32_t)id, period_of(secs, o->period), secs, (uint32_t)a};
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

static int cmp_evrec(const void *a, const void *b)
{
    const evrec *x = a, *y = b;
    return (x->period > y->period) - (x->period < y->period);
}

/* The k-th smallest of x[0..n) (x is reordered): Wirth's selection, O(n) on average. */
static double select_kth(double *x, size_t n, size_t k)
{
    long l = 0, m = (long)n - 1, kk = (long)k;
    while (l < m) {
        double pivot = x[kk];
        long i = l, j = m;
        do {
            while (x[i] < pivot) i++;
            while (pivot < x[j]) j--;
            if (i <= j) {
                double t = x[i];
                x[i] = x[j];
                x[j] = t;
                i++;
                j--;
            }
        } while (i <= j);
        if (j < kk) l = i;
        if (kk < i) m = j;
    }
    return x[kk];
}

st_status st_mdp_build_from_events(st_context *ctx, const char *const *paths, size_t npaths, const char *actions_json,
                                   const st_mdp_events_options *o, st_mdp **out)
{
    return st_mdp_build_from_events_ex(ctx, paths, npaths, actions_json, o, out, NULL);
}

/* The customers' states in the last period of the data, as a table (key customer_id, column "state"). */
static st_status final_states_table(st_context *ctx, const keymap *km, const long *final_state, char *const *names,
                                    const char *key, st_table **out)
{
    st_status rc = st_table_new(ctx, key, km->n, out);
    if (rc == ST_OK) rc = st_table_add_str(*out, "state");
    char small[256];
    for (size_t c = 0; c < km->n && rc == ST_OK; c++) {
        size_t len = km->off[c + 1] - km->off[c];
        char *k = len < sizeof small ? small : st__malloc(ctx, len + 1);
        if (!k) {
            rc = ST_ENOMEM;
            break;
        }
        memcpy(k, km->pool.data + km->off[c], len);
        k[len] = '\0';
        rc = st_table_set_str(*out, 0, c, k);
        if (k != small) st__free(ctx, k, len + 1);
        if (rc == ST_OK) rc = st_table_set_str(*out, 1, c, names[final_state[c]]);
    }
    if (rc != ST_OK) {
        st_table_free(*out);
        *out = NULL;
    }
    return rc;
}

st_status st_mdp_build_from_events_ex(st_context *ctx, const char *const *paths, size_t npaths,
                                      const char *actions_json, const st_mdp_events_options *o, st_mdp **out,
                                      st_table **customer_states)
{
    if (!ctx) return ST_EINVAL;
    if (customer_states) *customer_states = NULL;
    long *final_state = NULL;
    if (!paths || !npaths || !actions_json || !o || !out)
        return st__error(ctx, ST_EINVAL, "st_mdp_build_from_events: NULL argument");
    *out = NULL;
    if (o->tiers < 1 || o->tiers > 100 || o->churn_after < 1 || !isfinite(o->margin))
        return st__error(ctx, ST_EINVAL, "tiers must be 1..100, churn_after >= 1 and margin finite");
    action_spec as;
    st_status rc = read_actions(ctx, actions_json, &as);
    if (rc) return rc;
    keymap km;
    memset(&km, 0, sizeof km);
    st__buf_init(&km.pool, ctx);
    evlist L = {0};
    camp *cp = NULL;
    size_t ncamp = 0, *start = NULL, nact = 0;
    evrec *sorted = NULL;
    double *spend = NULL, *cuts = NULL, *cnt = NULL, *rsum = NULL, *rn = NULL;
    char **names = NULL;
    size_t T = (size_t)o->tiers, S = 4 * T + 1, A = as.A, C = 0;
    for (size_t f = 0; f < npaths && rc == ST_OK; f++) {
        bool handled;
        rc = scan_events(ctx, paths[f], o, &km, &L, &handled);
        if (rc == ST_OK && !handled) rc = table_events(ctx, paths[f], o, &km, &L);
    }
    if (rc == ST_OK && o->campaigns) rc = read_campaigns(ctx, o, &as, &km, &cp, &ncamp);
    if (rc) goto done;
    if (L.n == 0) {
        rc = st__error(ctx, ST_EEMPTY, "no events to build an MDP from");
        goto done;
    }
    /* Group by customer (counting sort on the dense ids), then each customer's events by period. */
    C = km.n;
    start = st__calloc(ctx, C + 1, sizeof *start);
    sorted = st__realloc_array(ctx, NULL, 0, L.n, sizeof *sorted);
    if (!start || !sorted) {
        rc = ST_ENOMEM;
        goto done;
    }
    for (size_t i = 0; i < L.n; i++) start[L.e[i].cust + 1]++;
    for (size_t c = 0; c < C; c++) start[c + 1] += start[c];
    for (size_t i = 0; i < L.n; i++) sorted[start[L.e[i].cust]++] = L.e[i];
    for (size_t c = C; c > 0; c--) start[c] = start[c - 1];
    start[0] = 0;
    int32_t pmax = INT32_MIN;
    for (size_t c = 0; c < C; c++) {
        evrec *seg = sorted + start[c];
        size_t len = start[c + 1] - start[c];
        if (len > 24) qsort(seg, len, sizeof *seg, cmp_evrec);
        else
            for (size_t i = 1; i < len; i++)
                for (size_t j = i; j > 0 && seg[j - 1].period > seg[j].period; j--) {
                    evrec t = seg[j];
                    seg[j] = seg[j - 1];
                    seg[j - 1] = t;
                }
        if (len && seg[len - 1].period > pmax) pmax = seg[len - 1].period;
    }
    st__free(ctx, L.e, L.cap * sizeof *L.e);
    L.e = NULL;
    L.cap = L.n = 0;
    /* Tier cut-offs: quantiles of spend over the active customer-periods. */
    size_t nsorted = start[C];
    spend = st__realloc_array(ctx, NULL, 0, nsorted, sizeof *spend);
    cuts = st__calloc(ctx, T, sizeof *cuts);
    if (!spend || !cuts) {
        rc = ST_ENOMEM;
        goto done;
    }
    for (size_t i = 0; i < nsorted;) {
        size_t j = i;
        double sum = 0;
        while (j < nsorted && sorted[j].cust == sorted[i].cust && sorted[j].period == sorted[i].period) sum += sorted[j++].amount;
        spend[nact++] = sum;
        i = j;
    }
    for (size_t k = 1; k < T; k++) cuts[k - 1] = select_kth(spend, nact, k * nact / T);
    if ((rc = alloc_counts(ctx, S, A, &cnt, &rsum, &rn))) goto done;
    if (customer_states && !(final_state = st__calloc(ctx, C ? C : 1, sizeof *final_state))) {
        rc = ST_ENOMEM;
        goto done;
    }
    /* Walk each customer from its first period to the last period of the data, counting transitions. */
    size_t ntrans = 0;
    for (size_t c = 0; c < C; c++) {
        const evrec *seg = sorted + start[c];
        size_t len = start[c + 1] - start[c], k = 0, tier = 0;
        int32_t first = seg[0].period, last_active = first;
        double prev_orders = 0, prev_spend = 0;
        long prev_state = -1;
        const camp *cc = NULL, *cend = NULL;
        if (ncamp) {
            camp probe = {(uint32_t)c, INT64_MIN, INT64_MIN, 0};
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
            while (k < len && seg[k].period == p) {
                orders += 1;
                sp += seg[k].amount;
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
        if (final_state) final_state[c] = prev_state;
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
    if (rc == ST_OK && customer_states)
        rc = final_states_table(ctx, &km, final_state, names, o->customer_col, customer_states);
    if (rc && *out) {
        st_mdp_free(*out);
        *out = NULL;
    }
done:
    st__free(ctx, final_state, 0);
    for (size_t s2 = 0; names && s2 < S; s2++) st__free(ctx, names[s2], 0);
    st__free(ctx, names, 0);
    st__free(ctx, L.e, 0);
    st__free(ctx, cp, 0);
    st__free(ctx, start, 0);
    st__free(ctx, sorted, 0);
    st__free(ctx, spend, 0);
    st__free(ctx, cuts, 0);
    st__free(ctx, cnt, 0);
    st__free(ctx, rsum, 0);
    st__free(ctx, rn, 0);
    keymap_free(ctx, &km);
    free_actions(ctx, &as);
    return rc;
}
