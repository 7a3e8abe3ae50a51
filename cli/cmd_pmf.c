/*
** cmd_pmf.c -- `strata pmf MODEL.json --time T [--kmax K] [-o OUT.csv]`: the probability that a new customer
** makes k = 0..K repeat purchases in (0, T] under a fitted model, as a k,probability table.
*/
#include "cli.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static const char *const CMD = "pmf";

#define PMF_KMAX_LIMIT 100000

static void help(void)
{
    fputs("usage: strata pmf MODEL.json --time T [--kmax K] [-o OUT.csv]\n"
          "\n"
          "P(X(T) = k), the probability that a new customer makes k repeat purchases in (0, T], for\n"
          "k = 0..K, from a `strata fit` model: bgnbd, mbgnbd, pnbd, or bgbb (T in whole periods, at most\n"
          "100000). Output columns: k, probability (docs/value.md, \"Probability of n purchases\"). For one\n"
          "customer's purchases after the end of calibration use `strata predict --pmf K`.\n"
          "\n"
          "  --time T              length of the window, in the model's time unit (> 0)\n"
          "  --kmax K              largest k, 0..100000 [10]\n"
          "  -o, --output FILE     output CSV [- = standard output]\n",
          stdout);
}

int cmd_pmf(int argc, char **argv)
{
    const char *mpath = NULL, *out = "-";
    double t = NAN;
    long kmax = 10;
    const cli_arg args[] = {
        {"--time", NULL, CLI_DOUBLE, &t, 0, 0, NULL},
        {"--kmax", NULL, CLI_INT, &kmax, 0, PMF_KMAX_LIMIT, NULL},
        {"--output", "-o", CLI_STR, &out, 0, 0, NULL},
    };
    const char *pos[1] = {NULL};
    int pr = cli_parse_args(CMD, argc, argv, 1, args, sizeof args / sizeof args[0], pos, 1, help, NULL);
    if (pr >= 0) return pr;
    mpath = pos[0];
    if (!mpath) return cli_error(CMD, CLI_USAGE, "need MODEL.json (see --help)");
    if (isnan(t)) return cli_error(CMD, CLI_USAGE, "need --time T");
    if (!(t > 0.0) || !isfinite(t)) return cli_error(CMD, CLI_USAGE, "--time: must be finite and > 0");

    st_context *ctx = cli_context(CMD);
    if (!ctx) return cli_error(CMD, CLI_FAIL, "out of memory");
    st_btyd_model *model = NULL;
    st_table *o = NULL;
    size_t n = (size_t)kmax + 1;
    double *p = malloc(n * sizeof *p);
    int ret = CLI_FAIL;
    if (!p) {
        ret = cli_error(CMD, CLI_FAIL, "out of memory");
        goto done;
    }
    st_status rc = st_btyd_load(ctx, mpath, &model);
    if (rc) {
        ret = cli_fail(CMD, ctx, rc);
        goto done;
    }
    if (st_btyd_kind_of(model) == ST_BTYD_GG) {
        ret = cli_error(CMD, CLI_USAGE, "%s is a gg (spend) model: it has no purchase counts", mpath);
        goto done;
    }
    rc = st_btyd_pmf(ctx, model, t, (size_t)kmax, p);
    if (!rc) rc = st_table_new(ctx, "k", n, &o);
    for (size_t k = 0; !rc && k < n; k++) {
        char kb[32];
        snprintf(kb, sizeof kb, "%zu", k);
        rc = st_table_set_str(o, 0, k, kb);
    }
    if (!rc) rc = st_table_add_f64(o, "probability", ST_COL_F64, p);
    if (!rc) rc = st_table_write_csv(ctx, o, out);
    ret = rc ? cli_fail(CMD, ctx, rc) : CLI_OK;
done:
    free(p);
    st_table_free(o);
    st_btyd_free(model);
    st_context_free(ctx);
    return ret;
}
