/*
** cmd_abtest.c -- `strata abtest power --baseline P (--mde REL | --mde-abs D) [--alpha 0.05] [--power 0.8]
** [--ratio 1] [-o OUT.json]`: sample size per arm for two proportions (docs/abtest.md).
*/
#include "cli.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const char *const CMD = "abtest";

static void help_power(void)
{
    fputs("usage: strata abtest power --baseline P (--mde REL | --mde-abs D) [options] [-o OUT.json]\n"
          "\n"
          "Sample size per arm to detect a change of a proportion with a two-sided test, as statsmodels\n"
          "NormalIndPower.solve_power with Cohen's h (docs/abtest.md). Prints JSON.\n"
          "\n"
          "  --baseline P          control proportion, in (0, 1)\n"
          "  --mde REL             relative minimum detectable effect: treatment = P (1 + REL)\n"
          "  --mde-abs D           absolute minimum detectable effect: treatment = P + D\n"
          "  --alpha A             significance level [0.05]\n"
          "  --power W             power [0.8]\n"
          "  --ratio R             treatment arm size / control arm size [1]\n"
          "  -o, --output FILE     write the JSON there instead of standard output\n",
          stdout);
}

static void help(void)
{
    fputs("usage: strata abtest power --baseline P (--mde REL | --mde-abs D) [--alpha 0.05] [--power 0.8]\n"
          "                           [--ratio 1] [-o OUT.json]\n"
          "\n"
          "A/B tests (docs/abtest.md). `strata abtest power --help` for the sample size options.\n",
          stdout);
}

static int cmd_power(int argc, char **argv)
{
    const char *out = NULL;
    double baseline = NAN, mde = NAN, mde_abs = NAN, alpha = 0.05, power = 0.8, ratio = 1.0;
    const cli_arg args[] = {
        {"--baseline", NULL, CLI_DOUBLE, &baseline, 0, 0, NULL},
        {"--mde", NULL, CLI_DOUBLE, &mde, 0, 0, NULL},
        {"--mde-abs", NULL, CLI_DOUBLE, &mde_abs, 0, 0, NULL},
        {"--alpha", NULL, CLI_DOUBLE, &alpha, 0, 0, NULL},
        {"--power", NULL, CLI_DOUBLE, &power, 0, 0, NULL},
        {"--ratio", NULL, CLI_DOUBLE, &ratio, 0, 0, NULL},
        {"--output", "-o", CLI_STR, &out, 0, 0, NULL},
    };
    int pr = cli_parse_args("abtest power", argc, argv, 1, args, sizeof args / sizeof args[0], NULL, 0, help_power,
                            NULL);
    if (pr >= 0) return pr;
    if (isnan(baseline)) return cli_error(CMD, CLI_USAGE, "power: need --baseline P");
    if (isnan(mde) == isnan(mde_abs)) return cli_error(CMD, CLI_USAGE, "power: need exactly one of --mde, --mde-abs");
    double treatment = isnan(mde) ? baseline + mde_abs : baseline * (1.0 + mde);
    st_context *ctx = cli_context(CMD);
    if (!ctx) return cli_error(CMD, CLI_FAIL, "out of memory");
    st_abtest_power_result r;
    st_status rc = st_abtest_power(ctx, baseline, treatment, alpha, power, ratio, &r);
    int ret = CLI_OK;
    if (rc) {
        ret = rc == ST_EINVAL ? cli_error(CMD, CLI_USAGE, "%s", st_errmsg(ctx)) : cli_fail(CMD, ctx, rc);
        st_context_free(ctx);
        return ret;
    }
    char buf[1024];
    int len = snprintf(buf, sizeof buf,
                       "{\"baseline\": %.17g, \"treatment\": %.17g, \"effect_size\": %.17g, \"alpha\": %.17g, "
                       "\"power\": %.17g, \"ratio\": %.17g, \"nobs1_exact\": %.17g, \"nobs1\": %.17g, "
                       "\"nobs2\": %.17g, \"total\": %.17g}\n",
                       baseline, treatment, r.effect_size, alpha, power, ratio, r.nobs1_exact, r.nobs1, r.nobs2,
                       r.nobs1 + r.nobs2);
    if (len < 0 || (size_t)len >= sizeof buf) {
        st_context_free(ctx);
        return cli_error(CMD, CLI_FAIL, "output too long");
    }
    if (!out || strcmp(out, "-") == 0) {
        fputs(buf, stdout);
    } else {
        rc = st_file_write_atomic(ctx, out, buf, (size_t)len);
        if (rc) ret = cli_fail(CMD, ctx, rc);
    }
    st_context_free(ctx);
    return ret;
}

int cmd_abtest(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "power") == 0) return cmd_power(argc - 1, argv + 1);
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        help();
        return CLI_OK;
    }
    return cli_error(CMD, CLI_USAGE, "only `strata abtest power` is available so far");
}
