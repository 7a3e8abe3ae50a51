/*
** cmd_uplift.c -- `strata uplift fit|predict|eval|policy`: uplift models on the linear models of the learn
** stage, uplift metrics of a scored table (scikit-uplift's definitions) and the value of a treatment policy
** from randomised data (docs/uplift.md).
*/
#include "cli.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const CMD = "uplift";

static void help(void)
{
    fputs("usage: strata uplift fit DATA.csv --treatment COL [--control NAME] --outcome COL --features a,b,c\n"
          "                         [--categorical c,d] [--method tlearner|slearner|class-transform|xlearner]\n"
          "                         [--seed S] [--C 1] [--raw] -o MODEL.json\n"
          "       strata uplift predict MODEL.json DATA.csv -o SCORES.csv\n"
          "       strata uplift eval SCORES.csv --treatment COL [--control NAME [--arm NAME]] --outcome COL\n"
          "                          --score COL [--k 0.3] [--bins 10] [--curve-points 1000] -o EVAL.json\n"
          "       strata uplift policy SCORES.csv --treatment COL [--control NAME] --outcome COL --policy COL\n"
          "                            -o OUT.json\n"
          "\n"
          "Uplift modelling on randomised data (docs/uplift.md). `strata uplift CMD --help` describes each\n"
          "command.\n",
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

static void help_fit(void)
{
    fputs("usage: strata uplift fit DATA.csv --treatment COL [--control NAME] --outcome COL --features a,b,c\n"
          "                         [--categorical c,d] [--method tlearner|slearner|class-transform|xlearner]\n"
          "                         [--seed S] [--C 1] [--raw] -o MODEL.json\n"
          "\n"
          "Fits an uplift model on randomised data: logistic regressions for a 0/1 outcome, linear (ridge) ones\n"
          "otherwise, categorical features one-hot; with several arms, one model set per arm against the control.\n"
          "\n"
          "  --treatment COL       arm column (0/1 without --control)\n"
          "  --control NAME        the control arm\n"
          "  --outcome COL         outcome column\n"
          "  --features LIST       numeric features\n"
          "  --categorical LIST    categorical features (one-hot)\n"
          "  --method M            tlearner, slearner, class-transform (0/1 outcome) or xlearner [tlearner]\n"
          "  --seed S              recorded in the model (the methods are deterministic) [0]\n"
          "  --C C                 inverse L2 strength of every model; 0 = none [1]\n"
          "  --raw                 numeric features as they are (default: standardised)\n"
          "  -o, --output FILE     MODEL.json\n",
          stdout);
}

static void help_predict(void)
{
    fputs("usage: strata uplift predict MODEL.json DATA.csv -o SCORES.csv\n"
          "\n"
          "Writes DATA.csv's columns, then uplift_<arm> per treatment arm, best_arm (the arm of largest positive\n"
          "uplift, else the control) and uplift (that arm's, 0 when none is positive).\n",
          stdout);
}

static int uplift_fit(int argc, char **argv)
{
    st_uplift_fit_options o;
    st_uplift_fit_options_init(&o);
    const char *out = NULL, *features = NULL, *cats = NULL, *method = "tlearner";
    unsigned long long seed = 0;
    int raw = 0;
    const cli_arg args[] = {
        {"--treatment", NULL, CLI_STR, &o.treatment_col, 0, 0, NULL},
        {"--control", NULL, CLI_STR, &o.control, 0, 0, NULL},
        {"--outcome", NULL, CLI_STR, &o.outcome_col, 0, 0, NULL},
        {"--features", NULL, CLI_STR, &features, 0, 0, NULL},
        {"--categorical", NULL, CLI_STR, &cats, 0, 0, NULL},
        {"--method", NULL, CLI_STR, &method, 0, 0, NULL},
        {"--seed", NULL, CLI_U64, &seed, 0, 0, NULL},
        {"--C", NULL, CLI_DOUBLE, &o.C, 0, 0, NULL},
        {"--raw", NULL, CLI_FLAG, &raw, 0, 0, NULL},
        {"--output", "-o", CLI_STR, &out, 0, 0, NULL},
    };
    const char *pos[1] = {NULL};
    int pr = cli_parse_args("uplift fit", argc, argv, 1, args, sizeof args / sizeof args[0], pos, 1, help_fit,
                            "one table only (got '%s' and '%s')");
    if (pr >= 0) return pr;
    if (!pos[0]) return cli_error(CMD, CLI_USAGE, "fit: need DATA.csv (see `strata uplift fit --help`)");
    if (!o.treatment_col) return cli_error(CMD, CLI_USAGE, "fit: need --treatment COL");
    if (!o.outcome_col) return cli_error(CMD, CLI_USAGE, "fit: need --outcome COL");
    if (!features && !cats) return cli_error(CMD, CLI_USAGE, "fit: need --features and/or --categorical");
    if (!out) return cli_error(CMD, CLI_USAGE, "fit: need -o MODEL.json");
    if (st_uplift_method_parse(method, &o.method))
        return cli_error(CMD, CLI_USAGE, "--method: '%s' is not tlearner, slearner, class-transform or xlearner",
                         method);
    if (!(o.C >= 0.0)) return cli_error(CMD, CLI_USAGE, "--C: must be >= 0");
    o.seed = seed;
    o.standardize = !raw;
    enum { MAXF = 1024 };
    char *fitems[MAXF], *citems[MAXF], *fbuf = NULL, *cbuf = NULL;
    int ret = CLI_FAIL;
    st_context *ctx = NULL;
    st_table *t = NULL;
    st_uplift_model *m = NULL;
    if (features && !(o.nfeatures = cli_split_commas(features, &fbuf, fitems, MAXF))) {
        ret = cli_error(CMD, CLI_USAGE, "--features: an empty name or too many features");
        goto done;
    }
    if (cats && !(o.ncategorical = cli_split_commas(cats, &cbuf, citems, MAXF))) {
        ret = cli_error(CMD, CLI_USAGE, "--categorical: an empty name or too many features");
        goto done;
    }
    o.features = (const char *const *)fitems;
    o.categorical = (const char *const *)citems;
    if (!(ctx = cli_context(CMD))) {
        ret = cli_error(CMD, CLI_FAIL, "out of memory");
        goto done;
    }
    st_status rc = st_table_read_csv(ctx, pos[0], NULL, &t);
    if (!rc) rc = st_uplift_fit(ctx, t, pos[0], &o, &m);
    if (!rc) rc = st_uplift_model_save(ctx, m, out);
    ret = rc ? cli_fail(CMD, ctx, rc) : CLI_OK;
done:
    st_uplift_model_free(m);
    st_table_free(t);
    st_context_free(ctx);
    free(fbuf);
    free(cbuf);
    return ret;
}

static int uplift_predict(int argc, char **argv)
{
    const char *out = NULL;
    const cli_arg args[] = {{"--output", "-o", CLI_STR, &out, 0, 0, NULL}};
    const char *pos[2] = {NULL, NULL};
    int pr = cli_parse_args("uplift predict", argc, argv, 1, args, 1, pos, 2, help_predict, NULL);
    if (pr >= 0) return pr;
    if (!pos[1]) return cli_error(CMD, CLI_USAGE, "predict: need MODEL.json DATA.csv (see `strata uplift predict --help`)");
    if (!out) return cli_error(CMD, CLI_USAGE, "predict: need -o SCORES.csv");
    st_context *ctx = cli_context(CMD);
    if (!ctx) return cli_error(CMD, CLI_FAIL, "out of memory");
    st_uplift_model *m = NULL;
    st_status rc = st_uplift_model_load(ctx, pos[0], &m);
    if (!rc) rc = st_uplift_predict_csv(ctx, m, pos[1], out);
    int code = rc ? cli_fail(CMD, ctx, rc) : CLI_OK;
    st_uplift_model_free(m);
    st_context_free(ctx);
    return code;
}

int cmd_uplift(int argc, char **argv)
{
    static const cli_sub subs[] = {{"fit", uplift_fit}, {"predict", uplift_predict}, {"eval", cmd_eval}, {"policy", cmd_policy}};
    return cli_dispatch(CMD, argc, argv, subs, sizeof subs / sizeof subs[0], help);
}
