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
    const char *mpath = NULL, *out = "-", *v;
    double t = NAN;
    long kmax = 10;
    for (int i = 1; i < argc; i++) {
        int m;
        if (cli_flag(argv, i, "--help") || cli_flag(argv, i, "-h")) {
            help();
            return CLI_OK;
        }
        if ((m = cli_opt(argc, argv, &i, "--time", &v)) != 0) {
            if (m < 0 || !cli_parse_double(CMD, "--time", v, &t)) return CLI_USAGE;
        } else if ((m = cli_opt(argc, argv, &i, "--kmax", &v)) != 0) {
            if (m < 0 || !cli_parse_int(CMD, "--kmax", v, 0, PMF_KMAX_LIMIT, &kmax)) return CLI_USAGE;
        } else if ((m = cli_opt(argc, argv, &i, "--output", &v)) != 0 ||
                   (m = cli_opt(argc, argv, &i, "-o", &v)) != 0) {
            if (m < 0) return CLI_USAGE;
            out = v;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            return cli_unknown(CMD, argv[i]);
        } else if (!mpath) {
            mpath = argv[i];
        } else {
            return cli_error(CMD, CLI_USAGE, "unexpected argument '%s'", argv[i]);
        }
    }
    if (!mpath) return cli_error(CMD, CLI_USAGE, "need MODEL.json (see --help)");
    if (isnan(t)) return cli_error(CMD, CLI_USAGE, "need --time T");
    if (!(t > 0.0) || !isfinite(t)) return cli_error(CMD, CLI_USAGE, "--time: must be finite and > 0");

    st_context *ctx = cli_context(CMD);
    if (!ctx) return cli_error(CMD, CLI_FAIL, "out of memory");
    st_model *model = NULL;
    st_table *o = NULL;
    size_t n = (size_t)kmax + 1;
    double *p = malloc(n * sizeof *p);
    int ret = CLI_FAIL;
    if (!p) {
        ret = cli_error(CMD, CLI_FAIL, "out of memory");
        goto done;
    }
    st_status rc = st_model_load(ctx, mpath, &model);
    if (rc) {
        ret = cli_fail(CMD, ctx, rc);
        goto done;
    }
    if (st_model_kind_of(model) == ST_MODEL_GG) {
        ret = cli_error(CMD, CLI_USAGE, "%s is a gg (spend) model: it has no purchase counts", mpath);
        goto done;
    }
    rc = st_model_pmf(ctx, model, t, (size_t)kmax, p);
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
    st_model_free(model);
    st_context_free(ctx);
    return ret;
}
