/*
** cmd_ope.c -- `strata ope`: off-policy evaluation of a target policy on a logged campaign (IPW,
** self-normalised IPW, direct method, doubly robust; docs/ope.md). When issue 13's `strata coupon` lands,
** `strata coupon ope` is to be an alias of this command.
*/
#include "cli.h"

#include <stdlib.h>
#include <string.h>

static const char *const CMD = "ope";

#define MAXF 256

static void help(void)
{
    fputs("usage: strata ope LOG.csv --action COL --propensity COL --reward COL (--policy COL | --policy-prob PREFIX)\n"
          "                  [--model PREFIX | --features a,b [--categorical c,d] [--C C]] -o OPE.json\n"
          "\n"
          "Off-policy evaluation: the mean reward per row a new policy would have earned, judged on a logged\n"
          "campaign whose logging probabilities are known. Writes the logged policy's mean and the IPW,\n"
          "self-normalised IPW and, with a reward model, direct-method and doubly robust estimates, each with a\n"
          "standard error and a 95% interval, plus weight diagnostics (docs/ope.md).\n"
          "\n"
          "  --action COL          the logged action (coupon name or number)\n"
          "  --propensity COL      the probability the logging policy gave the logged action, in (0, 1]\n"
          "  --reward COL          the reward of the row\n"
          "  --policy COL          the action the evaluated policy takes for the row (deterministic)\n"
          "  --policy-prob PREFIX  a stochastic policy instead: columns PREFIX<action> = P(action | row) for every\n"
          "                        logged action, summing to 1\n"
          "  --model PREFIX        reward model as columns PREFIX<action> of predicted rewards (e.g. q_)\n"
          "  --features LIST       or fit one: a linear regression of the reward per logged action on these\n"
          "                        numeric columns (in-sample)\n"
          "  --categorical LIST    categorical features of that regression (one-hot)\n"
          "  --C C                 its inverse L2 strength; 0 = ordinary least squares [0]\n"
          "  -o, --output FILE     OPE.json (- = standard output)\n",
          stdout);
}

int cmd_ope(int argc, char **argv)
{
    st_ope_options o;
    st_ope_options_init(&o);
    const char *out = NULL, *features = NULL, *cats = NULL;
    double C = 0.0;
    const cli_arg args[] = {
        {"--action", NULL, CLI_STR, &o.action_col, 0, 0, NULL},
        {"--propensity", NULL, CLI_STR, &o.propensity_col, 0, 0, NULL},
        {"--reward", NULL, CLI_STR, &o.reward_col, 0, 0, NULL},
        {"--policy", NULL, CLI_STR, &o.policy_col, 0, 0, NULL},
        {"--policy-prob", NULL, CLI_STR, &o.policy_prob_prefix, 0, 0, NULL},
        {"--model", NULL, CLI_STR, &o.model_prefix, 0, 0, NULL},
        {"--features", NULL, CLI_STR, &features, 0, 0, NULL},
        {"--categorical", NULL, CLI_STR, &cats, 0, 0, NULL},
        {"--C", NULL, CLI_DOUBLE, &C, 0, 0, NULL},
        {"--output", "-o", CLI_STR, &out, 0, 0, NULL},
    };
    const char *pos[1] = {NULL};
    int pr = cli_parse_args(CMD, argc, argv, 1, args, sizeof args / sizeof args[0], pos, 1, help,
                            "one log only (got '%s' and '%s')");
    if (pr >= 0) return pr;
    if (!pos[0]) return cli_error(CMD, CLI_USAGE, "need LOG.csv (see `strata ope --help`)");
    if (!o.action_col) return cli_error(CMD, CLI_USAGE, "need --action COL");
    if (!o.propensity_col) return cli_error(CMD, CLI_USAGE, "need --propensity COL");
    if (!o.reward_col) return cli_error(CMD, CLI_USAGE, "need --reward COL");
    if (!o.policy_col == !o.policy_prob_prefix)
        return cli_error(CMD, CLI_USAGE, "need one of --policy COL and --policy-prob PREFIX");
    if (o.model_prefix && (features || cats))
        return cli_error(CMD, CLI_USAGE, "--model and --features/--categorical exclude each other");
    if (!out) return cli_error(CMD, CLI_USAGE, "need -o OPE.json");
    if (!(C >= 0.0)) return cli_error(CMD, CLI_USAGE, "--C must be >= 0");
    o.ridge_C = C;
    char *fbuf = NULL, *cbuf = NULL, *fitems[MAXF], *citems[MAXF];
    int ret = CLI_OK;
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
    st_context *ctx = cli_context(CMD);
    if (!ctx) {
        ret = cli_error(CMD, CLI_FAIL, "out of memory");
        goto done;
    }
    st_table *t = NULL;
    char *text = NULL;
    size_t len = 0;
    st_status rc = st_table_read_csv(ctx, pos[0], NULL, &t);
    if (!rc) rc = st_ope_json(ctx, t, pos[0], &o, &text, &len);
    if (rc) {
        ret = cli_fail(CMD, ctx, rc);
    } else if (strcmp(out, "-") == 0) {
        if (fwrite(text, 1, len, stdout) != len) ret = cli_error(CMD, CLI_FAIL, "cannot write standard output");
    } else if ((rc = st_file_write_atomic(ctx, out, text, len))) {
        ret = cli_fail(CMD, ctx, rc);
    }
    st_free(ctx, text);
    st_table_free(t);
    st_context_free(ctx);
done:
    free(fbuf);
    free(cbuf);
    return ret;
}
