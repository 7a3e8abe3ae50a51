/*
** cmd_abtest.c -- `strata abtest power --baseline P (--mde REL | --mde-abs D) [--alpha 0.05] [--power 0.8]
** [--ratio 1] [-o OUT.json]`: sample size per arm for two proportions (docs/abtest.md).
*/
#include "cli.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
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
    fputs("usage: strata abtest DATA.csv --arm COL [--control NAME] --metrics m1,m2,... [--alpha 0.05]\n"
          "                     [--correction holm|bonferroni|none] [--covariate COL] [--expected-shares 1,1,1]\n"
          "                     -o OUT.json\n"
          "       strata abtest power --baseline P (--mde REL | --mde-abs D) [--alpha 0.05] [--power 0.8]\n"
          "                           [--ratio 1] [-o OUT.json]\n"
          "\n"
          "A/B tests (docs/abtest.md): each treatment arm against the control per metric (binary metrics:\n"
          "z test, Wilson / Newcombe intervals, lift, P(better); continuous: Welch), sample-ratio mismatch.\n"
          "\n"
          "  --arm COL             column naming each row's arm\n"
          "  --control NAME        control arm [the first arm in the file]\n"
          "  --metrics LIST        outcome columns (all 0/1: binary; otherwise continuous)\n"
          "  --alpha A             level of the tests and 1 - coverage of the intervals [0.05]\n"
          "  --correction C        p-value adjustment across treatment arms per metric [holm]\n"
          "  --covariate COL       CUPED with this pre-period column (per arm and metric, vs the control)\n"
          "  --expected-shares L   expected share of each arm, in order of first appearance [equal]\n"
          "  -o, --output FILE     OUT.json (- = standard output)\n"
          "\n"
          "`strata abtest power --help` for the sample size options.\n",
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

static int cmd_analyze(int argc, char **argv)
{
    const char *out = NULL, *arm = NULL, *control = NULL, *metrics = NULL, *corr = "holm", *shares = NULL;
    const char *covariate = NULL;
    double alpha = 0.05;
    const cli_arg args[] = {
        {"--arm", NULL, CLI_STR, &arm, 0, 0, NULL},
        {"--control", NULL, CLI_STR, &control, 0, 0, NULL},
        {"--metrics", NULL, CLI_STR, &metrics, 0, 0, NULL},
        {"--alpha", NULL, CLI_DOUBLE, &alpha, 0, 0, NULL},
        {"--correction", NULL, CLI_STR, &corr, 0, 0, NULL},
        {"--expected-shares", NULL, CLI_STR, &shares, 0, 0, NULL},
        {"--covariate", NULL, CLI_STR, &covariate, 0, 0, NULL},
        {"--output", "-o", CLI_STR, &out, 0, 0, NULL},
    };
    const char *pos[1] = {NULL};
    int pr = cli_parse_args(CMD, argc, argv, 1, args, sizeof args / sizeof args[0], pos, 1, help, NULL);
    if (pr >= 0) return pr;
    if (!pos[0]) return cli_error(CMD, CLI_USAGE, "need DATA.csv (see --help)");
    if (!arm) return cli_error(CMD, CLI_USAGE, "need --arm COL");
    if (!metrics) return cli_error(CMD, CLI_USAGE, "need --metrics m1,m2,...");
    if (!out) return cli_error(CMD, CLI_USAGE, "need -o OUT.json");
    if (!(alpha > 0.0 && alpha < 1.0)) return cli_error(CMD, CLI_USAGE, "--alpha: must be in (0, 1)");
    st_abtest_correction c;
    if (strcmp(corr, "holm") == 0)
        c = ST_ABTEST_HOLM;
    else if (strcmp(corr, "bonferroni") == 0)
        c = ST_ABTEST_BONFERRONI;
    else if (strcmp(corr, "none") == 0)
        c = ST_ABTEST_NONE;
    else
        return cli_error(CMD, CLI_USAGE, "--correction: '%s' is not holm, bonferroni or none", corr);
    enum { MAXM = 256 };
    char *mitems[MAXM], *sitems[MAXM], *mbuf = NULL, *sbuf = NULL;
    double sh[MAXM];
    size_t nm = cli_split_commas(metrics, &mbuf, mitems, MAXM), ns = 0;
    int ret = CLI_FAIL;
    st_context *ctx = NULL;
    st_table *t = NULL;
    char *json = NULL;
    size_t len = 0;
    if (!nm) {
        ret = cli_error(CMD, CLI_USAGE, "--metrics: empty name or too many metrics");
        goto done;
    }
    if (shares) {
        ns = cli_split_commas(shares, &sbuf, sitems, MAXM);
        if (!ns) {
            ret = cli_error(CMD, CLI_USAGE, "--expected-shares: empty item");
            goto done;
        }
        for (size_t i = 0; i < ns; i++)
            if (!cli_parse_double(CMD, "--expected-shares", sitems[i], &sh[i]) || !(sh[i] > 0.0) || !isfinite(sh[i])) {
                ret = cli_error(CMD, CLI_USAGE, "--expected-shares: '%s' is not a positive number", sitems[i]);
                goto done;
            }
    }
    ctx = cli_context(CMD);
    if (!ctx) {
        ret = cli_error(CMD, CLI_FAIL, "out of memory");
        goto done;
    }
    st_status rc = st_table_read_csv(ctx, pos[0], NULL, &t);
    if (!rc)
        rc = st_abtest_analyze(ctx, t, pos[0], arm, control, (const char *const *)mitems, nm, covariate, alpha, c,
                               shares ? sh : NULL, ns, &json, &len);
    if (!rc) rc = strcmp(out, "-") == 0 ? (fwrite(json, 1, len, stdout) == len ? ST_OK : ST_EIO)
                                         : st_file_write_atomic(ctx, out, json, len);
    ret = rc ? cli_fail(CMD, ctx, rc) : CLI_OK;
done:
    if (ctx) st_free(ctx, json);
    st_table_free(t);
    st_context_free(ctx);
    free(mbuf);
    free(sbuf);
    return ret;
}

int cmd_abtest(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "power") == 0) return cmd_power(argc - 1, argv + 1);
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        help();
        return CLI_OK;
    }
    return cmd_analyze(argc, argv);
}
