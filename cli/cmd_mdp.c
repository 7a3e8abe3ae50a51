/*
** cmd_mdp.c -- `strata mdp build|solve|simulate|assign`: estimates a customer-state MDP from a panel,
** solves it (MDP.json -> POLICY.json), compares the optimal policy with simple ones by Monte-Carlo
** simulation, and assigns customers their optimal action, value and value stratum. A thin shim over the st_mdp_* functions of strata.h.
*/
#include "cli.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const CMD = "mdp";

static void help(void)
{
    fputs(
        "usage: strata mdp solve MDP.json (--horizon N | --discount G) [--method M] [options] -o POLICY.json\n"
        "       strata mdp simulate MDP.json POLICY.json --customers N --periods K [--seed S] [options]\n"
        "       strata mdp assign MDP.json POLICY.json CUSTOMERS.csv -o OUT.csv [options]\n"
        "       strata mdp build EVENTS... --actions ACTIONS.json [--period month] [options] -o MDP.json\n"
        "       strata mdp build --transitions T.csv --actions ACTIONS.json [options] -o MDP.json\n"
        "\n"
        "Dynamic-programming value stratification (docs/mdp.md). MDP.json holds the states, the actions with\n"
        "their costs, P (dense P[action][state][next] or sparse [[action, state, next, p], ...]) and\n"
        "R[state][action], the expected reward net of the action's cost. Rows of P must sum to 1 (1e-9).\n"
        "\n"
        "solve:\n"
        "  --horizon N            finite horizon: backward induction over N stages (default method backward)\n"
        "  --discount G           discount factor; (0, 1) for value/policy, (0, 1] for backward [1]\n"
        "  --method M             backward | value (default without --horizon) | policy | relative\n"
        "                         (relative = relative value iteration for the average reward; no discount)\n"
        "  --epsilon E            stopping tolerance of value / relative value iteration [0.01]\n"
        "  --max-iter N           bound on sweeps (value, relative) or rounds (policy) [solver default]\n"
        "  -o, --output FILE      POLICY.json (- = standard output)\n"
        "  Value iteration stops on the span rule and then evaluates and improves its policy exactly, so\n"
        "  the values written are V*. Ties between actions go to the lowest action index.\n"
        "\n"
        "simulate: the Monte-Carlo value of the policy against do-nothing (always action 0), always-the-same-\n"
        "action and myopic (best immediate reward) policies, with common random numbers.\n"
        "  --customers N --periods K   simulated customers and periods per customer\n"
        "  --seed S               random seed [42]\n"
        "  --discount G           discount per period, (0, 1] [the policy's, 1 for relative]\n"
        "  --start STATE          every customer starts in this state [a uniformly drawn state]\n"
        "  Output: CSV policy,mean_value,stderr,vs_optimal on standard output.\n"
        "\n"
        "assign: adds state_index, optimal_action, optimal_value, stratum (1 = highest V*) and strategy\n"
        "(retain / nurture / activate) to each customer row.\n"
        "  --key COL              customer id column [customer_id]\n"
        "  --state-col COL        the column holding each customer's state name (or index) [state]\n"
        "  --strata K             strata by quantiles of V* over customers [3]\n"
        "  --cuts v1,v2,...       strata by V* cut-offs instead (ascending; above a cut means > it)\n"
        "  -o, --output FILE      output CSV (- = standard output)\n"
        "\n"
        "build: estimates MDP.json from event logs, or from a customer-period panel (--transitions).\n"
        "  EVENTS...              event logs: CSV files, .csv.gz, or - for standard input, read with the input\n"
        "                         options of `strata summarize` (listed below)\n"
        "  --period P             week | month | quarter [month]\n"
        "  --tiers K              value tiers: quantiles of spend over active customer-periods [3]\n"
        "  --churn-after N        periods without events after which a customer is churned [3]\n"
        "  --margin M             profit per unit of spend [1]\n"
        "  --campaigns LOG.csv    campaign log (customer, time, action name); without it every period took\n"
        "                         the first action (the no-action chain)\n"
        "  States: <stage>/t<k> for stage acquisition (first active period), growth (more events than the\n"
        "  period before), maturity (events, not more), decline (no events yet, fewer than N periods), plus\n"
        "  churned; t1 is the lowest tier. Reward of a transition = margin x spend of its first period.\n"
        "  --transitions FILE     instead of events: one row per customer and period with the columns\n"
        "  --state-col, --next-col, --action-col, --reward-col COL   [state, next_state, action, reward]\n"
        "                         (no action column: every row took the first action)\n"
        "  --actions FILE         [{\"name\", \"cost\", \"reward_multiplier\", \"churn_multiplier\"}, ...] or\n"
        "                         {\"actions\": [...], \"churn_states\": [names]}; the multipliers model actions\n"
        "                         never seen in the data from the first action's chain (A/B-test effects)\n"
        "  --smoothing A          Laplace pseudo-count per cell (0 = maximum likelihood) [1]\n"
        "  P(j|s,a) = (n(s,a,j) + A) / (n(s,a) + A * states); R[s][a] = mean reward - cost.\n",
        stdout);
    fputs("\nbuild from events, ", stdout);
    fputs(cli_input_help(), stdout);
}

static int opt_double(const char *name, const char *v, double *out)
{
    if (!cli_parse_double(CMD, name, v, out)) return -1;
    if (!isfinite(*out)) return cli_error(CMD, CLI_USAGE, "%s: '%s' must be finite", name, v), -1;
    return 0;
}

static int do_solve(int argc, char **argv)
{
    const char *in = NULL, *out = NULL, *method = NULL, *v;
    double discount = NAN, epsilon = 0.0;
    long horizon = 0, max_iter = 0;
    for (int i = 0; i < argc; i++) {
        int m;
        if (cli_flag(argv, i, "--help") || cli_flag(argv, i, "-h")) {
            help();
            return CLI_OK;
        }
        if ((m = cli_opt(argc, argv, &i, "--horizon", &v)) != 0) {
            if (m < 0 || !cli_parse_int(CMD, "--horizon", v, 1, 1000000, &horizon)) return CLI_USAGE;
        } else if ((m = cli_opt(argc, argv, &i, "--discount", &v)) != 0) {
            if (m < 0 || opt_double("--discount", v, &discount)) return CLI_USAGE;
        } else if ((m = cli_opt(argc, argv, &i, "--method", &v)) != 0) {
            if (m < 0) return CLI_USAGE;
            method = v;
        } else if ((m = cli_opt(argc, argv, &i, "--epsilon", &v)) != 0) {
            if (m < 0 || opt_double("--epsilon", v, &epsilon)) return CLI_USAGE;
            if (!(epsilon > 0)) return cli_error(CMD, CLI_USAGE, "--epsilon: '%s' must be positive", v);
        } else if ((m = cli_opt(argc, argv, &i, "--max-iter", &v)) != 0) {
            if (m < 0 || !cli_parse_int(CMD, "--max-iter", v, 1, 100000000, &max_iter)) return CLI_USAGE;
        } else if ((m = cli_opt(argc, argv, &i, "--output", &v)) != 0 || (m = cli_opt(argc, argv, &i, "-o", &v)) != 0) {
            if (m < 0) return CLI_USAGE;
            out = v;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            return cli_unknown(CMD, argv[i]);
        } else if (!in) {
            in = argv[i];
        } else {
            return cli_error(CMD, CLI_USAGE, "solve: unexpected argument '%s'", argv[i]);
        }
    }
    if (!in) return cli_error(CMD, CLI_USAGE, "solve: missing MDP.json (see `strata mdp --help`)");
    if (!out) return cli_error(CMD, CLI_USAGE, "solve: missing -o POLICY.json");
    st_mdp_method kind;
    if (!method) kind = horizon ? ST_MDP_BACKWARD : ST_MDP_VALUE;
    else if (!strcmp(method, "backward")) kind = ST_MDP_BACKWARD;
    else if (!strcmp(method, "value")) kind = ST_MDP_VALUE;
    else if (!strcmp(method, "policy")) kind = ST_MDP_POLICY;
    else if (!strcmp(method, "relative")) kind = ST_MDP_RELATIVE;
    else return cli_error(CMD, CLI_USAGE, "--method: '%s' is not backward, value, policy or relative", method);
    if (kind == ST_MDP_BACKWARD && !horizon) return cli_error(CMD, CLI_USAGE, "--method backward needs --horizon N");
    if (kind != ST_MDP_BACKWARD && horizon)
        return cli_error(CMD, CLI_USAGE, "--horizon goes with --method backward only");
    if ((kind == ST_MDP_VALUE || kind == ST_MDP_POLICY) && isnan(discount))
        return cli_error(CMD, CLI_USAGE, "--method %s needs --discount G in (0, 1)", method ? method : "value");
    if ((kind == ST_MDP_VALUE || kind == ST_MDP_POLICY) && !(discount > 0 && discount < 1))
        return cli_error(CMD, CLI_USAGE, "--discount: %g must be in (0, 1) for an infinite horizon", discount);
    if (kind == ST_MDP_BACKWARD) {
        if (isnan(discount)) discount = 1.0;
        if (!(discount > 0 && discount <= 1)) return cli_error(CMD, CLI_USAGE, "--discount: %g must be in (0, 1]", discount);
    }
    if (kind == ST_MDP_RELATIVE && !isnan(discount))
        return cli_error(CMD, CLI_USAGE, "--method relative maximises the average reward and takes no --discount");

    st_context *ctx = cli_context(CMD);
    if (!ctx) return CLI_FAIL;
    st_mdp *mdp = NULL;
    st_policy *pol = NULL;
    st_status rc = st_mdp_from_json_file(ctx, in, &mdp);
    if (rc == ST_OK) {
        switch (kind) {
        case ST_MDP_BACKWARD: rc = st_mdp_solve_backward(ctx, mdp, discount, (size_t)horizon, NULL, &pol); break;
        case ST_MDP_VALUE: rc = st_mdp_solve_value(ctx, mdp, discount, epsilon, (size_t)max_iter, &pol); break;
        case ST_MDP_POLICY: rc = st_mdp_solve_policy(ctx, mdp, discount, (size_t)max_iter, &pol); break;
        default: rc = st_mdp_solve_relative(ctx, mdp, epsilon, (size_t)max_iter, &pol); break;
        }
    }
    int code = CLI_OK;
    if (rc == ST_ECONVERGE && pol) {
        fprintf(stderr, "strata %s: warning: %s (writing the last policy)\n", CMD, st_errmsg(ctx));
        rc = ST_OK;
        code = CLI_FAIL;
    }
    if (rc == ST_OK) rc = st_policy_to_json_file(ctx, pol, mdp, out);
    if (rc != ST_OK) {
        code = cli_fail(CMD, ctx, rc); /* a bad model is ST_EDATA: a failed job (1), not a usage error */
    } else {
        fprintf(stderr, "strata %s: %zu states, %zu actions, %zu transitions; %s: %zu %s", CMD,
                st_mdp_nstates(mdp), st_mdp_nactions(mdp), st_mdp_nnz(mdp),
                kind == ST_MDP_BACKWARD ? "backward induction" : kind == ST_MDP_VALUE ? "value iteration"
                : kind == ST_MDP_POLICY ? "policy iteration" : "relative value iteration",
                st_policy_iterations(pol), kind == ST_MDP_BACKWARD ? "stages" : kind == ST_MDP_POLICY ? "rounds" : "sweeps");
        if (kind == ST_MDP_RELATIVE) fprintf(stderr, ", average reward %.10g", st_policy_average_reward(pol));
        fputc('\n', stderr);
    }
    st_policy_free(pol);
    st_mdp_free(mdp);
    st_context_free(ctx);
    return code;
}

typedef struct sim_row {
    char label[160];
    double mean, se;
} sim_row;

static int do_simulate(int argc, char **argv)
{
    const char *files[2] = {NULL, NULL}, *v, *start_name = NULL;
    size_t nfiles = 0;
    unsigned long long customers = 0, seed = 42;
    long periods = 0;
    double discount = NAN;
    for (int i = 0; i < argc; i++) {
        int m;
        if (cli_flag(argv, i, "--help") || cli_flag(argv, i, "-h")) {
            help();
            return CLI_OK;
        }
        if ((m = cli_opt(argc, argv, &i, "--customers", &v)) != 0) {
            if (m < 0 || !cli_parse_u64(CMD, "--customers", v, &customers)) return CLI_USAGE;
        } else if ((m = cli_opt(argc, argv, &i, "--periods", &v)) != 0) {
            if (m < 0 || !cli_parse_int(CMD, "--periods", v, 1, 100000000, &periods)) return CLI_USAGE;
        } else if ((m = cli_opt(argc, argv, &i, "--seed", &v)) != 0) {
            if (m < 0 || !cli_parse_u64(CMD, "--seed", v, &seed)) return CLI_USAGE;
        } else if ((m = cli_opt(argc, argv, &i, "--discount", &v)) != 0) {
            if (m < 0 || opt_double("--discount", v, &discount)) return CLI_USAGE;
            if (!(discount > 0 && discount <= 1)) return cli_error(CMD, CLI_USAGE, "--discount: %g must be in (0, 1]", discount);
        } else if ((m = cli_opt(argc, argv, &i, "--start", &v)) != 0) {
            if (m < 0) return CLI_USAGE;
            start_name = v;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            return cli_unknown(CMD, argv[i]);
        } else if (nfiles < 2) {
            files[nfiles++] = argv[i];
        } else {
            return cli_error(CMD, CLI_USAGE, "simulate: unexpected argument '%s'", argv[i]);
        }
    }
    if (nfiles < 2) return cli_error(CMD, CLI_USAGE, "simulate: needs MDP.json and POLICY.json");
    if (!customers) return cli_error(CMD, CLI_USAGE, "simulate: needs --customers N (at least 1)");
    if (!periods) return cli_error(CMD, CLI_USAGE, "simulate: needs --periods K (at least 1)");

    st_context *ctx = cli_context(CMD);
    if (!ctx) return CLI_FAIL;
    st_mdp *mdp = NULL;
    st_policy *opt = NULL;
    sim_row *rows = NULL;
    long start = -1;
    st_status rc = st_mdp_from_json_file(ctx, files[0], &mdp);
    if (rc == ST_OK) rc = st_policy_from_json_file(ctx, mdp, files[1], &opt);
    if (rc == ST_OK && start_name) {
        start = st_mdp_find_state(mdp, start_name);
        if (start < 0) {
            fprintf(stderr, "strata %s: --start: no state called '%s'\n", CMD, start_name);
            st_policy_free(opt);
            st_mdp_free(mdp);
            st_context_free(ctx);
            return CLI_USAGE;
        }
    }
    if (rc == ST_OK && isnan(discount)) {
        double g = st_policy_discount(opt);
        discount = g > 0 && g <= 1 ? g : 1.0;
    }
    size_t A = mdp ? st_mdp_nactions(mdp) : 0, nrows = A + 2, n = 0;
    if (rc == ST_OK && !(rows = calloc(nrows, sizeof *rows))) {
        fprintf(stderr, "strata %s: out of memory\n", CMD);
        rc = ST_ENOMEM;
    }
    /* Row 0 the policy given, then myopic, then each constant action (action 0 is do-nothing). */
    for (size_t k = 0; rc == ST_OK && k < nrows; k++) {
        st_policy *p = NULL;
        if (k == 0) {
            snprintf(rows[n].label, sizeof rows[n].label, "optimal");
            p = opt;
        } else if (k == 1) {
            snprintf(rows[n].label, sizeof rows[n].label, "myopic");
            rc = st_policy_myopic(ctx, mdp, discount, &p);
        } else {
            snprintf(rows[n].label, sizeof rows[n].label, "%s:%s", k == 2 ? "do-nothing" : "always",
                     st_mdp_action_name(mdp, k - 2));
            rc = st_policy_constant(ctx, mdp, k - 2, discount, &p);
        }
        if (rc == ST_OK)
            rc = st_mdp_simulate(ctx, mdp, p, customers, (size_t)periods, discount, start, seed, &rows[n].mean,
                                 &rows[n].se);
        if (p != opt) st_policy_free(p);
        if (rc == ST_OK) n++;
    }
    int code = CLI_OK;
    if (rc != ST_OK) {
        code = cli_fail(CMD, ctx, rc);
    } else {
        printf("policy,mean_value,stderr,vs_optimal\n");
        for (size_t k = 0; k < n; k++)
            printf("%s,%.6f,%.6f,%.6f\n", rows[k].label, rows[k].mean, rows[k].se, rows[k].mean - rows[0].mean);
    }
    free(rows);
    st_policy_free(opt);
    st_mdp_free(mdp);
    st_context_free(ctx);
    return code;
}

static int do_assign(int argc, char **argv)
{
    const char *files[3] = {NULL, NULL, NULL}, *v, *out = NULL, *key = "customer_id", *state_col = "state";
    const char *cuts_arg = NULL;
    size_t nfiles = 0;
    long K = 3;
    for (int i = 0; i < argc; i++) {
        int m;
        if (cli_flag(argv, i, "--help") || cli_flag(argv, i, "-h")) {
            help();
            return CLI_OK;
        }
        if ((m = cli_opt(argc, argv, &i, "--key", &v)) != 0) {
            if (m < 0) return CLI_USAGE;
            key = v;
        } else if ((m = cli_opt(argc, argv, &i, "--state-col", &v)) != 0) {
            if (m < 0) return CLI_USAGE;
            state_col = v;
        } else if ((m = cli_opt(argc, argv, &i, "--strata", &v)) != 0) {
            if (m < 0 || !cli_parse_int(CMD, "--strata", v, 1, 1000, &K)) return CLI_USAGE;
        } else if ((m = cli_opt(argc, argv, &i, "--cuts", &v)) != 0) {
            if (m < 0) return CLI_USAGE;
            cuts_arg = v;
        } else if ((m = cli_opt(argc, argv, &i, "--output", &v)) != 0 || (m = cli_opt(argc, argv, &i, "-o", &v)) != 0) {
            if (m < 0) return CLI_USAGE;
            out = v;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            return cli_unknown(CMD, argv[i]);
        } else if (nfiles < 3) {
            files[nfiles++] = argv[i];
        } else {
            return cli_error(CMD, CLI_USAGE, "assign: unexpected argument '%s'", argv[i]);
        }
    }
    if (nfiles < 3) return cli_error(CMD, CLI_USAGE, "assign: needs MDP.json, POLICY.json and CUSTOMERS.csv");
    if (!out) return cli_error(CMD, CLI_USAGE, "assign: missing -o OUT.csv");
    /* User cut-offs, ascending: stratum 1 lies above the last cut. */
    double cuts[1000];
    size_t ncuts = 0;
    if (cuts_arg) {
        const char *p = cuts_arg;
        while (*p) {
            char *end;
            double x = strtod(p, &end);
            if (end == p || (*end && *end != ',') || !isfinite(x) || ncuts == 999 || (ncuts && x <= cuts[ncuts - 1]))
                return cli_error(CMD, CLI_USAGE, "--cuts: '%s' must be ascending numbers separated by commas", cuts_arg);
            cuts[ncuts++] = x;
            p = *end ? end + 1 : end;
        }
        K = (long)ncuts + 1;
    }

    st_context *ctx = cli_context(CMD);
    if (!ctx) return CLI_FAIL;
    st_mdp *mdp = NULL;
    st_policy *pol = NULL;
    st_table *t = NULL;
    double *sidx = NULL, *val = NULL, *strat = NULL;
    int32_t *stratum = NULL;
    int code = CLI_OK;
    st_status rc = st_mdp_from_json_file(ctx, files[0], &mdp);
    if (rc == ST_OK) rc = st_policy_from_json_file(ctx, mdp, files[1], &pol);
    if (rc == ST_OK) rc = st_table_read_csv(ctx, files[2], key, &t);
    if (rc != ST_OK) {
        code = cli_fail(CMD, ctx, rc);
        goto done;
    }
    long jc = st_table_find(t, state_col);
    if (jc < 0) {
        code = cli_error(CMD, CLI_FAIL, "%s: no column '%s' (choose one with --state-col)", files[2], state_col);
        goto done;
    }
    static const char *const added[] = {"state_index", "optimal_action", "optimal_value", "stratum", "strategy"};
    for (size_t k = 0; k < sizeof added / sizeof added[0]; k++)
        if (st_table_find(t, added[k]) >= 0) {
            code = cli_error(CMD, CLI_FAIL,
                             "%s already has a column '%s', which assign writes (from `strata run`? keep only the "
                             "key and state columns, e.g. with --state-col mdp_state on a trimmed copy)",
                             files[2], added[k]);
            goto done;
        }
    size_t n = st_table_nrows(t), jcol = (size_t)jc;
    sidx = malloc((n ? n : 1) * sizeof *sidx);
    val = malloc((n ? n : 1) * sizeof *val);
    stratum = malloc((n ? n : 1) * sizeof *stratum);
    strat = malloc((n ? n : 1) * sizeof *strat);
    if (!sidx || !val || !stratum || !strat) {
        code = cli_error(CMD, CLI_FAIL, "out of memory");
        goto done;
    }
    const double *num = st_table_col_type(t, jcol) == ST_COL_STR ? NULL : st_table_f64(t, jcol);
    for (size_t i = 0; i < n; i++) {
        long s;
        char buf[64];
        const char *name = buf;
        if (num) {
            /* A numeric column: a state called by that number first, else the index itself. */
            if (!(num[i] >= 0 && num[i] == floor(num[i]) && num[i] < 1e15)) {
                code = cli_error(CMD, CLI_FAIL, "%s: row %zu: state '%g' is not a state index", files[2], i + 1, num[i]);
                goto done;
            }
            snprintf(buf, sizeof buf, "%.0f", num[i]);
            s = st_mdp_find_state(mdp, buf);
            if (s < 0 && num[i] < (double)st_mdp_nstates(mdp)) s = (long)num[i];
        } else {
            name = st_table_str(t, jcol, i);
            s = st_mdp_find_state(mdp, name);
        }
        if (s < 0) {
            code = cli_error(CMD, CLI_FAIL, "%s: row %zu (%s): no state called '%s' in %s", files[2], i + 1,
                             st_table_str(t, 0, i), name, files[0]);
            goto done;
        }
        sidx[i] = (double)s;
        val[i] = st_policy_value(pol, (size_t)s, 0);
    }
    if ((rc = st_value_strata(ctx, val, n, (size_t)K, cuts_arg ? cuts : NULL, ncuts, stratum)) != ST_OK) {
        code = cli_fail(CMD, ctx, rc);
        goto done;
    }
    for (size_t i = 0; i < n; i++) strat[i] = stratum[i] > 0 ? (double)stratum[i] : (double)NAN;
    if ((rc = st_table_add_f64(t, "state_index", ST_COL_F64, sidx)) || (rc = st_table_add_str(t, "optimal_action")) ||
        (rc = st_table_add_f64(t, "optimal_value", ST_COL_F64, val)) ||
        (rc = st_table_add_f64(t, "stratum", ST_COL_F64, strat)) || (rc = st_table_add_str(t, "strategy"))) {
        code = cli_fail(CMD, ctx, rc);
        goto done;
    }
    size_t ja = st_table_ncols(t) - 4, js = st_table_ncols(t) - 1;
    for (size_t i = 0; i < n && rc == ST_OK; i++) {
        long a = st_policy_action(pol, (size_t)sidx[i], 0);
        rc = st_table_set_str(t, ja, i, st_mdp_action_name(mdp, (size_t)a));
        /* The paper's three strategies: retain the top stratum, activate the bottom, nurture the rest. */
        if (rc == ST_OK) rc = st_table_set_str(t, js, i, st_stratum_strategy(stratum[i], (size_t)K));
    }
    if (rc == ST_OK) rc = st_table_write_csv(ctx, t, out);
    if (rc != ST_OK) code = cli_fail(CMD, ctx, rc);
done:
    free(sidx);
    free(val);
    free(stratum);
    free(strat);
    st_table_free(t);
    st_policy_free(pol);
    st_mdp_free(mdp);
    st_context_free(ctx);
    return code;
}

static int do_build(int argc, char **argv)
{
    st_mdp_build_options o;
    st_mdp_build_options_init(&o);
    st_mdp_events_options e;
    st_mdp_events_options_init(&e);
    st_summarize_options in;
    st_summarize_options_init(&in);
    const char *trans = NULL, *actions = NULL, *out = NULL, *v;
    const char **paths = calloc((size_t)argc + 1, sizeof *paths);
    size_t npaths = 0;
    long num = 0;
    int code = CLI_OK;
    if (!paths) return cli_error(CMD, CLI_FAIL, "out of memory");
    for (int i = 0; i < argc && code == CLI_OK; i++) {
        int m = cli_input_option(CMD, argc, argv, &i, &in);
        if (m < 0) code = CLI_USAGE;
        if (m != 0) continue;
        if (cli_flag(argv, i, "--help") || cli_flag(argv, i, "-h")) {
            help();
            free(paths);
            return CLI_OK;
        }
        if ((m = cli_opt(argc, argv, &i, "--transitions", &v)) != 0) {
            trans = v;
        } else if ((m = cli_opt(argc, argv, &i, "--actions", &v)) != 0) {
            actions = v;
        } else if ((m = cli_opt(argc, argv, &i, "--campaigns", &v)) != 0) {
            e.campaigns = v;
        } else if ((m = cli_opt(argc, argv, &i, "--smoothing", &v)) != 0) {
            if (m > 0 && opt_double("--smoothing", v, &o.smoothing)) code = CLI_USAGE;
            else if (m > 0 && o.smoothing < 0) code = cli_error(CMD, CLI_USAGE, "--smoothing: '%s' must be >= 0", v);
            e.smoothing = o.smoothing;
        } else if ((m = cli_opt(argc, argv, &i, "--margin", &v)) != 0) {
            if (m > 0 && opt_double("--margin", v, &e.margin)) code = CLI_USAGE;
        } else if ((m = cli_opt(argc, argv, &i, "--period", &v)) != 0) {
            if (m > 0) {
                if (!strcmp(v, "week")) e.period = ST_MDP_PERIOD_WEEK;
                else if (!strcmp(v, "month")) e.period = ST_MDP_PERIOD_MONTH;
                else if (!strcmp(v, "quarter")) e.period = ST_MDP_PERIOD_QUARTER;
                else code = cli_error(CMD, CLI_USAGE, "--period: '%s' is not week, month or quarter", v);
            }
        } else if ((m = cli_opt(argc, argv, &i, "--tiers", &v)) != 0) {
            if (m > 0 && !cli_parse_int(CMD, "--tiers", v, 1, 100, &num)) code = CLI_USAGE;
            e.tiers = (int)num;
        } else if ((m = cli_opt(argc, argv, &i, "--churn-after", &v)) != 0) {
            if (m > 0 && !cli_parse_int(CMD, "--churn-after", v, 1, 100000, &num)) code = CLI_USAGE;
            e.churn_after = (int)num;
        } else if ((m = cli_opt(argc, argv, &i, "--state-col", &v)) != 0) {
            o.state_col = v;
        } else if ((m = cli_opt(argc, argv, &i, "--next-col", &v)) != 0) {
            o.next_col = v;
        } else if ((m = cli_opt(argc, argv, &i, "--action-col", &v)) != 0) {
            o.action_col = e.campaign_action_col = v;
        } else if ((m = cli_opt(argc, argv, &i, "--reward-col", &v)) != 0) {
            o.reward_col = v;
        } else if ((m = cli_opt(argc, argv, &i, "--output", &v)) != 0 || (m = cli_opt(argc, argv, &i, "-o", &v)) != 0) {
            out = v;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            code = cli_unknown(CMD, argv[i]);
        } else {
            paths[npaths++] = argv[i];
        }
        if (m < 0) code = CLI_USAGE;
    }
    if (code == CLI_OK && (!actions || !out || (!trans && !npaths) || (trans && npaths)))
        code = cli_error(CMD, CLI_USAGE, "build: needs EVENTS... (or --transitions T.csv), --actions ACTIONS.json "
                         "and -o MDP.json");
    if (code != CLI_OK) {
        free(paths);
        return code;
    }
    st_context *ctx = cli_context(CMD);
    if (!ctx) {
        free(paths);
        return CLI_FAIL;
    }
    st_mdp *mdp = NULL;
    st_status rc = trans ? st_mdp_build_from_files(ctx, trans, actions, &o, &mdp)
                         : st_mdp_build_from_events(ctx, paths, npaths, actions, &in, &e, &mdp, NULL);
    if (rc == ST_OK) rc = st_mdp_to_json_file(ctx, mdp, out);
    if (rc != ST_OK) {
        code = cli_fail(CMD, ctx, rc);
    } else {
        fprintf(stderr, "strata %s: %zu states, %zu actions, %zu transitions\n", CMD, st_mdp_nstates(mdp),
                st_mdp_nactions(mdp), st_mdp_nnz(mdp));
    }
    st_mdp_free(mdp);
    st_context_free(ctx);
    free(paths);
    return code;
}

int cmd_mdp(int argc, char **argv)
{
    if (argc < 2)
        return cli_error(CMD, CLI_USAGE, "missing subcommand (build, solve, simulate, assign; see `strata mdp --help`)");
    const char *sub = argv[1];
    if (!strcmp(sub, "--help") || !strcmp(sub, "-h") || !strcmp(sub, "help")) {
        help();
        return CLI_OK;
    }
    if (!strcmp(sub, "solve")) return do_solve(argc - 2, argv + 2);
    if (!strcmp(sub, "simulate")) return do_simulate(argc - 2, argv + 2);
    if (!strcmp(sub, "assign")) return do_assign(argc - 2, argv + 2);
    if (!strcmp(sub, "build")) return do_build(argc - 2, argv + 2);
    return cli_error(CMD, CLI_USAGE, "unknown subcommand '%s' (build, solve, simulate, assign; see `strata mdp --help`)",
                     sub);
}
