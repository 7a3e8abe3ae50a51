/*
** cmd_uplift.c -- `strata uplift eval|policy`: uplift metrics of a scored table (scikit-uplift's definitions)
** and the value of a treatment policy from randomised data (docs/uplift.md).
*/
#include "cli.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const CMD = "uplift";

static void help(void)
{
    fputs("usage: strata uplift eval SCORES.csv --treatment COL [--control NAME [--arm NAME]] --outcome COL\n"
          "                          --score COL [--k 0.3] [--bins 10] [--curve-points 1000] -o EVAL.json\n"
          "       strata uplift policy SCORES.csv --treatment COL [--control NAME] --outcome COL --policy COL\n"
          "                            -o OUT.json\n"
          "\n"
          "Uplift modelling on randomised data (docs/uplift.md). `strata uplift eval --help` and\n"
          "`strata uplift policy --help` describe each command.\n",
          stdout);
}

static void help_eval(void)
{
    fputs("usage: strata uplift eval SCORES.csv --treatment COL [--control NAME [--arm NAME]] --outcome COL\n"
          "                          --score COL [--k 0.3] [--bins 10] [--curve-points 1000] -o EVAL.json\n"
          "\n"
          "How well a score ranks customers by treatment effect, with scikit-uplift 0.5.1's definitions: qini_auc\n"
          "(qini_auc_score, negative_effect=True), uplift_auc, uplift_at_k (overall and by_group), uplift by\n"
          "percentile, weighted average uplift, and the qini and uplift curves. Outcomes may be 0/1 or continuous.\n"
          "\n"
          "  --treatment COL       0/1 treatment column, or arm names with --control\n"
          "  --control NAME        the control arm: every other arm counts as treated\n"
          "  --arm NAME            with --control: compare only this arm with the control\n"
          "  --outcome COL         outcome column (0/1 or a number such as revenue)\n"
          "  --score COL           predicted uplift column\n"
          "  --k K                 uplift_at_k: a fraction in (0, 1), or a number of rows (whole, >= 1) [0.3]\n"
          "  --bins B              bins of by_percentile and weighted_average_uplift [10]\n"
          "  --curve-points M      most points written per curve, evenly spaced; 0 = all [1000]\n"
          "  -o, --output FILE     EVAL.json (- = standard output)\n",
          stdout);
}

static void help_policy(void)
{
    fputs("usage: strata uplift policy SCORES.csv --treatment COL [--control NAME] --outcome COL --policy COL\n"
          "                            -o OUT.json\n"
          "\n"
          "Expected outcome per customer if each got the arm in column --policy (e.g. best_arm), estimated from\n"
          "randomised data by inverse propensity weighting (propensity = the arm's share), with its standard\n"
          "error; also every single-arm policy, and the policy against all-control and each arm.\n"
          "\n"
          "  --treatment COL       arm column (0/1 without --control)\n"
          "  --control NAME        the control arm [0 for a 0/1 column]\n"
          "  --outcome COL         outcome column\n"
          "  --policy COL          column naming the arm each customer would get\n"
          "  -o, --output FILE     OUT.json (- = standard output)\n",
          stdout);
}

static int write_out(st_context *ctx, const char *out, const char *text, size_t len)
{
    if (strcmp(out, "-") == 0)
        return fwrite(text, 1, len, stdout) == len ? CLI_OK : cli_error(CMD, CLI_FAIL, "cannot write standard output");
    st_status rc = st_file_write_atomic(ctx, out, text, len);
    return rc ? cli_fail(CMD, ctx, rc) : CLI_OK;
}

static int cmd_eval(int argc, char **argv)
{
    st_uplift_eval_options o;
    st_uplift_eval_options_init(&o);
    const char *out = NULL;
    long bins = 10, points = 1000;
    double k = 0.3;
    const cli_arg args[] = {
        {"--treatment", NULL, CLI_STR, &o.treatment_col, 0, 0, NULL},
        {"--control", NULL, CLI_STR, &o.control, 0, 0, NULL},
        {"--arm", NULL, CLI_STR, &o.arm, 0, 0, NULL},
        {"--outcome", NULL, CLI_STR, &o.outcome_col, 0, 0, NULL},
        {"--score", NULL, CLI_STR, &o.score_col, 0, 0, NULL},
        {"--k", NULL, CLI_DOUBLE, &k, 0, 0, NULL},
        {"--bins", NULL, CLI_INT, &bins, 1, 1000000, NULL},
        {"--curve-points", NULL, CLI_INT, &points, 0, 1000000000, NULL},
        {"--output", "-o", CLI_STR, &out, 0, 0, NULL},
    };
    const char *pos[1] = {NULL};
    int pr = cli_parse_args("uplift eval", argc, argv, 1, args, sizeof args / sizeof args[0], pos, 1, help_eval,
                            "one table only (got '%s' and '%s')");
    if (pr >= 0) return pr;
    if (!pos[0]) return cli_error(CMD, CLI_USAGE, "eval: need SCORES.csv (see `strata uplift eval --help`)");
    if (!o.treatment_col) return cli_error(CMD, CLI_USAGE, "eval: need --treatment COL");
    if (!o.outcome_col) return cli_error(CMD, CLI_USAGE, "eval: need --outcome COL");
    if (!o.score_col) return cli_error(CMD, CLI_USAGE, "eval: need --score COL");
    if (!out) return cli_error(CMD, CLI_USAGE, "eval: need -o EVAL.json");
    if (o.arm && !o.control) return cli_error(CMD, CLI_USAGE, "eval: --arm needs --control NAME");
    if (points == 1) return cli_error(CMD, CLI_USAGE, "--curve-points: 0 (all) or at least 2");
    o.k = k;
    o.bins = (size_t)bins;
    o.curve_points = (size_t)points;
    st_context *ctx = cli_context(CMD);
    if (!ctx) return cli_error(CMD, CLI_FAIL, "out of memory");
    st_table *t = NULL;
    st_uplift_eval *e = NULL;
    char *text = NULL;
    size_t len = 0;
    st_status rc = st_table_read_csv(ctx, pos[0], NULL, &t);
    if (!rc) rc = st_uplift_eval_table(ctx, t, pos[0], &o, &e);
    if (!rc) rc = st_uplift_eval_json(ctx, e, &text, &len);
    int code = rc ? cli_fail(CMD, ctx, rc) : write_out(ctx, out, text, len);
    st_free(ctx, text);
    st_uplift_eval_free(e);
    st_table_free(t);
    st_context_free(ctx);
    return code;
}

static int cmd_policy(int argc, char **argv)
{
    const char *out = NULL, *treat = NULL, *control = NULL, *outcome = NULL, *policy = NULL;
    const cli_arg args[] = {
        {"--treatment", NULL, CLI_STR, &treat, 0, 0, NULL},
        {"--control", NULL, CLI_STR, &control, 0, 0, NULL},
        {"--outcome", NULL, CLI_STR, &outcome, 0, 0, NULL},
        {"--policy", NULL, CLI_STR, &policy, 0, 0, NULL},
        {"--output", "-o", CLI_STR, &out, 0, 0, NULL},
    };
    const char *pos[1] = {NULL};
    int pr = cli_parse_args("uplift policy", argc, argv, 1, args, sizeof args / sizeof args[0], pos, 1, help_policy,
                            "one table only (got '%s' and '%s')");
    if (pr >= 0) return pr;
    if (!pos[0]) return cli_error(CMD, CLI_USAGE, "policy: need SCORES.csv (see `strata uplift policy --help`)");
    if (!treat) return cli_error(CMD, CLI_USAGE, "policy: need --treatment COL");
    if (!outcome) return cli_error(CMD, CLI_USAGE, "policy: need --outcome COL");
    if (!policy) return cli_error(CMD, CLI_USAGE, "policy: need --policy COL");
    if (!out) return cli_error(CMD, CLI_USAGE, "policy: need -o OUT.json");
    st_context *ctx = cli_context(CMD);
    if (!ctx) return cli_error(CMD, CLI_FAIL, "out of memory");
    st_table *t = NULL;
    char *text = NULL;
    size_t len = 0;
    st_status rc = st_table_read_csv(ctx, pos[0], NULL, &t);
    if (!rc) rc = st_uplift_policy_json(ctx, t, pos[0], treat, control, outcome, policy, &text, &len);
    int code = rc ? cli_fail(CMD, ctx, rc) : write_out(ctx, out, text, len);
    st_free(ctx, text);
    st_table_free(t);
    st_context_free(ctx);
    return code;
}

int cmd_uplift(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "eval") == 0) return cmd_eval(argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "policy") == 0) return cmd_policy(argc - 1, argv + 1);
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        help();
        return CLI_OK;
    }
    if (argc < 2) {
        help();
        return CLI_USAGE;
    }
    return cli_error(CMD, CLI_USAGE, "unknown subcommand '%s' (eval, policy; see `strata uplift --help`)", argv[1]);
}
