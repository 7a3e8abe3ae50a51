/*
** cmd_fit.c -- `strata fit MODEL SUMMARY.csv -o MODEL.json`: fits one BTYD model (or Gamma-Gamma) to the
** columns of a customer summary and prints the estimates, standard errors, log-likelihood and status.
*/
#include "cli.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const CMD = "fit";

static void help(void)
{
    fputs("usage: strata fit MODEL SUMMARY.csv [options] -o MODEL.json\n"
          "\n"
          "Maximum-likelihood fit of a buy-till-you-die model to a customer summary (docs/value.md).\n"
          "MODEL: bgnbd | mbgnbd | pnbd | bgbb | gg\n"
          "Columns read (first name found): frequency|x, recency|t_x, T|periods|n (bgbb: periods),\n"
          "monetary_value|zbar|m (gg). Customers with an empty T (no purchase) are skipped.\n"
          "\n"
          "  --weights COL         column of row weights (counts of identical customers) [all 1]\n"
          "  --penalizer L         L2 penalty on the (time-rescaled) parameters, added to the mean NLL [0]\n"
          "  --seed S              seed of the extra starting points (pnbd) [42]\n"
          "  --unit U              time unit of recency and T: day | week | month | year [day]\n"
          "  --frequency COL, --recency COL, --T COL, --monetary COL   explicit column names\n"
          "  --timing              print the seconds spent fitting (reading excluded) to standard error\n"
          "  -o, --output FILE     MODEL.json (- = standard output)\n"
          "\n"
          "Exit status: 0 fitted and converged, 1 failed or did not converge (MODEL.json is still written).\n",
          stdout);
}

int cmd_fit(int argc, char **argv)
{
    const char *model_name = NULL, *in = NULL, *out = NULL, *wcol = NULL, *unit = "day";
    const char *fcol = NULL, *rcol = NULL, *tcol = NULL, *mcol = NULL;
    double penalizer = 0.0;
    unsigned long long seed = 42;
    int timing = 0;
    const cli_arg args[] = {
        {"--timing", NULL, CLI_FLAG, &timing, 0, 0, NULL},
        {"--weights", NULL, CLI_STR, &wcol, 0, 0, NULL},
        {"--penalizer", NULL, CLI_DOUBLE, &penalizer, 0, 0, NULL},
        {"--seed", NULL, CLI_U64, &seed, 0, 0, NULL},
        {"--unit", NULL, CLI_STR, &unit, 0, 0, NULL},
        {"--frequency", NULL, CLI_STR, &fcol, 0, 0, NULL},
        {"--recency", NULL, CLI_STR, &rcol, 0, 0, NULL},
        {"--T", NULL, CLI_STR, &tcol, 0, 0, NULL},
        {"--monetary", NULL, CLI_STR, &mcol, 0, 0, NULL},
        {"--output", "-o", CLI_STR, &out, 0, 0, NULL},
    };
    const char *pos[2] = {NULL, NULL};
    int pr = cli_parse_args(CMD, argc, argv, 1, args, sizeof args / sizeof args[0], pos, 2, help, NULL);
    if (pr >= 0) return pr;
    model_name = pos[0];
    in = pos[1];
    if (!(penalizer >= 0.0) || !isfinite(penalizer))
        return cli_error(CMD, CLI_USAGE, "--penalizer: must be finite and >= 0");
    if (!model_name || !in) return cli_error(CMD, CLI_USAGE, "need MODEL and SUMMARY.csv (see --help)");
    if (!out) return cli_error(CMD, CLI_USAGE, "need -o MODEL.json");
    st_btyd_kind kind;
    if (st_btyd_kind_parse(model_name, &kind) != ST_OK)
        return cli_error(CMD, CLI_USAGE, "unknown model '%s' (bgnbd, mbgnbd, pnbd, bgbb, gg)", model_name);
    st_unit unit_value;
    if (st_unit_parse(unit, &unit_value) != ST_OK)
        return cli_error(CMD, CLI_USAGE, "--unit: '%s' is not day, week, month or year", unit);

    st_context *ctx = cli_context(CMD);
    if (!ctx) return cli_error(CMD, CLI_FAIL, "out of memory");
    st_table *t = NULL;
    st_btyd_model *model = NULL;
    int ret = CLI_FAIL;
    st_status rc = st_table_read_csv(ctx, in, NULL, &t);
    if (rc) {
        ret = cli_fail(CMD, ctx, rc);
        goto done;
    }
    static const char *const fnames[] = {"frequency", "x", NULL};
    static const char *const rnames[] = {"recency", "t_x", NULL};
    static const char *const tnames[] = {"T", "periods", "n", NULL};
    static const char *const bbnames[] = {"periods", "n", "T", NULL};
    static const char *const mnames[] = {"monetary_value", "zbar", "m", NULL};
    long jf = cli_find_col(t, fcol, fnames);
    long jr = kind == ST_BTYD_GG ? cli_find_col(t, mcol, mnames) : cli_find_col(t, rcol, rnames);
    long jt = kind == ST_BTYD_GG ? -1 : cli_find_col(t, tcol, kind == ST_BTYD_BGBB ? bbnames : tnames);
    long jw = wcol ? st_table_find(t, wcol) : -1;
    const double *x = cli_f64_col(t, jf), *r = cli_f64_col(t, jr), *T = cli_f64_col(t, jt), *w = cli_f64_col(t, jw);
    if (!x || !r || (kind != ST_BTYD_GG && !T) || (wcol && !w)) {
        ret = cli_error(CMD, CLI_FAIL, "%s: missing or non-numeric %s column", in,
                        !x ? "frequency" : !r ? (kind == ST_BTYD_GG ? "monetary value" : "recency")
                                              : (wcol && !w) ? "weights" : "T");
        goto done;
    }
    size_t n = st_table_nrows(t), k = 0;
    /* Customers without a purchase have an empty T in `strata summarize` output: not part of the fit. */
    double *buf = malloc(4 * (n ? n : 1) * sizeof *buf);
    if (!buf) {
        ret = cli_error(CMD, CLI_FAIL, "out of memory");
        goto done;
    }
    double *bx = buf, *br = buf + n, *bT = buf + 2 * n, *bw = buf + 3 * n;
    for (size_t i = 0; i < n; i++) {
        if (isnan(x[i]) || (T && isnan(T[i]))) continue;
        if (kind == ST_BTYD_GG && isnan(r[i])) continue;
        bx[k] = x[i];
        br[k] = r[i];
        bT[k] = T ? T[i] : 0.0;
        bw[k] = w ? w[i] : 1.0;
        k++;
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    rc = st_btyd_fit(ctx, kind, bx, br, bT, bw, k, penalizer, (uint64_t)seed, &model);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (timing)
        fprintf(stderr, "strata %s: fit time %.3f s\n", CMD,
                (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9);
    free(buf);
    if (rc) {
        ret = cli_fail(CMD, ctx, rc);
        goto done;
    }
    st_btyd_set_time_unit(model, kind == ST_BTYD_GG ? "" : kind == ST_BTYD_BGBB ? "period" : unit);
    printf("model: %s (%.15g customers%s)\n", model_name, st_btyd_nobs(model), w ? ", weighted" : "");
    printf("%-8s %14s %14s %14s %14s\n", "param", "estimate", "std_error", "ci95_low", "ci95_high");
    for (size_t p = 0; p < st_btyd_nparams(model); p++) {
        double lo, hi;
        st_btyd_ci95(model, p, &lo, &hi);
        printf("%-8s %14.6f %14.6f %14.6f %14.6f\n", st_btyd_param_name(model, p), st_btyd_param(model, p),
               st_btyd_stderr(model, p), lo, hi);
    }
    printf("log_likelihood: %.4f\n", st_btyd_loglik(model));
    printf("iterations: %d\n", st_btyd_iterations(model));
    printf("status: %s\n", st_btyd_status(model));
    if (st_btyd_warning(model)[0]) fprintf(stderr, "strata %s: warning: %s\n", CMD, st_btyd_warning(model));
    rc = st_btyd_save(ctx, model, out);
    if (rc) {
        ret = cli_fail(CMD, ctx, rc);
        goto done;
    }
    ret = st_btyd_converged(model) ? CLI_OK : CLI_FAIL;
    if (ret) fprintf(stderr, "strata %s: the fit did not converge (%s)\n", CMD, st_btyd_status(model));
done:
    st_btyd_free(model);
    st_table_free(t);
    st_context_free(ctx);
    return ret;
}
