/*
** cmd_twostage.c -- `strata twostage fit / predict / eval`: the two-stage value-proposition model
** (docs/twostage.md). A shim over st_twostage_* of strata.h.
*/
#include "cli.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const CMD = "twostage";

static void help_fit(void)
{
    fputs("usage: strata twostage fit DATA.csv --features a,b,c [--categorical c,d]\n"
          "         (--class COL --engaged V --unengaged V --inactive V | --treatment COL --control NAME --response COL)\n"
          "         [--hidden 16] [--epochs 30] [--tau 0.5] [--splc-after 5] [--class-weight balanced] [--seed S]\n"
          "         -o MODEL.json\n"
          "\n"
          "Stage 1: a network with one ReLU hidden layer and a class-weighted cross-entropy sorts customers into\n"
          "engaged, unengaged and inactive. Stage 2: a binary network trained with SPLC on the engaged (positive)\n"
          "and unengaged (negative) rows scores prompted against organic engagement (docs/twostage.md).\n"
          "\n"
          "  --features LIST       numeric feature columns (standardised; mean / sd stored)\n"
          "  --categorical LIST    categorical columns, one-hot (unseen levels: all zeros)\n"
          "  --class COL           labels from a column with the three values below\n"
          "  --engaged V, --unengaged V, --inactive V\n"
          "  --treatment COL       labels from a randomised test: the arm column ...\n"
          "  --control NAME        ... its control arm (every other arm is treated) ...\n"
          "  --response COL        ... and a 0/1 response: treated responders are engaged, control\n"
          "                        responders unengaged, non-responders inactive\n"
          "  --hidden N            hidden units of each network [16]\n"
          "  --epochs N            [30]\n"
          "  --batch N             [256]\n"
          "  --lr R                Adam's learning rate [1e-3]\n"
          "  --tau T               SPLC threshold in (0, 1) [0.5]\n"
          "  --splc-after N        epochs of plain BCE before SPLC corrects [5]\n"
          "  --class-weight W      balanced (n / (3 n_class)), none, or w_engaged,w_unengaged,w_inactive [balanced]\n"
          "  --seed S              [1]\n"
          "  --threads N           worker threads; results do not depend on it\n"
          "  -o, --output FILE     MODEL.json (- = standard output)\n",
          stdout);
}

static void help_predict(void)
{
    fputs("usage: strata twostage predict MODEL.json DATA.csv -o SCORES.csv\n"
          "\n"
          "Writes DATA.csv's columns, then p_engaged, p_unengaged, p_inactive (class weights undone),\n"
          "stage1_class, prompted_score, segment (prompted / organic / inactive) and incremental_score. An\n"
          "input column with one of these names is written with _input appended (Hillstrom's arm column\n"
          "segment becomes segment_input).\n"
          "\n"
          "  -o, --output FILE     SCORES.csv (- = standard output)\n",
          stdout);
}

static void help_eval(void)
{
    fputs("usage: strata twostage eval SCORES.csv (--truth COL | --treatment COL --control NAME --response COL)\n"
          "                           [--recency COL --frequency COL --monetary COL] [--top 0.4] -o EVAL.json\n"
          "\n"
          "With --truth (1 = prompted): precision, recall, balanced accuracy and weighted F1 of segment ==\n"
          "prompted and of the RFM baselines Champions, Loyal Customers, Potential Loyalist (when the three RFM\n"
          "columns are given), and the gain curve by prompted_score. On a randomised test: qini AUC and\n"
          "uplift@k (k = --top) of incremental_score and the targeting table (docs/twostage.md).\n"
          "\n"
          "  -o, --output FILE     EVAL.json (- = standard output)\n",
          stdout);
}

static void help(void)
{
    fputs("usage: strata twostage fit DATA.csv --features a,b (--class COL ... | --treatment COL ...) -o MODEL.json\n"
          "       strata twostage predict MODEL.json DATA.csv -o SCORES.csv\n"
          "       strata twostage eval SCORES.csv (--truth COL | --treatment COL --control NAME --response COL) -o EVAL.json\n"
          "\n"
          "The two-stage value-proposition model (docs/twostage.md). `strata twostage fit --help` for options.\n",
          stdout);
}

static int ts_fit(int argc, char **argv)
{
    const char *out = NULL, *features = NULL, *cats = NULL, *cw = "balanced";
    st_twostage_options o;
    st_twostage_options_init(&o);
    long hidden = 16, epochs = 30, batch = 256, splc_after = 5, threads = -1;
    double lr = 1e-3, tau = 0.5;
    unsigned long long seed = 1;
    const cli_arg args[] = {
        {"--features", NULL, CLI_STR, &features, 0, 0, NULL},
        {"--categorical", NULL, CLI_STR, &cats, 0, 0, NULL},
        {"--class", NULL, CLI_STR, &o.class_col, 0, 0, NULL},
        {"--engaged", NULL, CLI_STR, &o.engaged, 0, 0, NULL},
        {"--unengaged", NULL, CLI_STR, &o.unengaged, 0, 0, NULL},
        {"--inactive", NULL, CLI_STR, &o.inactive, 0, 0, NULL},
        {"--treatment", NULL, CLI_STR, &o.treatment_col, 0, 0, NULL},
        {"--control", NULL, CLI_STR, &o.control, 0, 0, NULL},
        {"--response", NULL, CLI_STR, &o.response_col, 0, 0, NULL},
        {"--hidden", NULL, CLI_INT, &hidden, 1, 65536, NULL},
        {"--epochs", NULL, CLI_INT, &epochs, 1, 1000000, NULL},
        {"--batch", NULL, CLI_INT, &batch, 1, 100000000, NULL},
        {"--lr", NULL, CLI_DOUBLE, &lr, 0, 0, NULL},
        {"--tau", NULL, CLI_DOUBLE, &tau, 0, 0, NULL},
        {"--splc-after", NULL, CLI_INT, &splc_after, 0, 1000000, NULL},
        {"--class-weight", NULL, CLI_STR, &cw, 0, 0, NULL},
        {"--seed", NULL, CLI_U64, &seed, 0, 0, NULL},
        {"--threads", NULL, CLI_INT, &threads, 0, 256, NULL},
        {"--output", "-o", CLI_STR, &out, 0, 0, NULL},
    };
    const char *pos[1] = {NULL};
    int pr = cli_parse_args("twostage fit", argc, argv, 1, args, sizeof args / sizeof args[0], pos, 1, help_fit, NULL);
    if (pr >= 0) return pr;
    if (!pos[0]) return cli_error(CMD, CLI_USAGE, "fit: need DATA.csv (see --help)");
    if (!features && !cats) return cli_error(CMD, CLI_USAGE, "fit: need --features and/or --categorical");
    if (!out) return cli_error(CMD, CLI_USAGE, "fit: need -o MODEL.json");
    bool by_class = o.class_col || o.engaged || o.unengaged || o.inactive;
    bool by_test = o.treatment_col || o.control || o.response_col;
    if (by_class == by_test)
        return cli_error(CMD, CLI_USAGE, "fit: give either --class COL --engaged V --unengaged V --inactive V or "
                                         "--treatment COL --control NAME --response COL");
    if (by_class && (!o.class_col || !o.engaged || !o.unengaged || !o.inactive))
        return cli_error(CMD, CLI_USAGE, "fit: --class needs --engaged, --unengaged and --inactive");
    if (by_test && (!o.treatment_col || !o.control || !o.response_col))
        return cli_error(CMD, CLI_USAGE, "fit: --treatment needs --control and --response");
    if (!(lr > 0.0) || !isfinite(lr)) return cli_error(CMD, CLI_USAGE, "--lr: must be a finite number > 0");
    if (!(tau > 0.0 && tau < 1.0)) return cli_error(CMD, CLI_USAGE, "--tau: must be in (0, 1)");
    double w[3];
    char *wbuf = NULL, *witems[3];
    if (strcmp(cw, "none") == 0) {
        o.class_weight_balanced = 0;
    } else if (strcmp(cw, "balanced") != 0) {
        size_t nw = cli_split_commas(cw, &wbuf, witems, 3);
        bool ok = nw == 3;
        for (size_t k = 0; k < nw && ok; k++) {
            char *end;
            w[k] = strtod(witems[k], &end);
            ok = *end == '\0' && w[k] > 0.0 && isfinite(w[k]);
        }
        free(wbuf);
        if (!ok)
            return cli_error(CMD, CLI_USAGE, "--class-weight: '%s' is not balanced, none or three weights > 0 "
                                             "(engaged,unengaged,inactive)", cw);
        o.class_weight = w;
    }
    o.hidden = (size_t)hidden;
    o.epochs = (size_t)epochs;
    o.batch = (size_t)batch;
    o.splc_after = (size_t)splc_after;
    o.lr = lr;
    o.tau = tau;
    o.seed = seed;
    enum { MAXF = 4096 };
    char **fitems = malloc(2 * MAXF * sizeof *fitems), *fbuf = NULL, *cbuf = NULL;
    char **citems = fitems ? fitems + MAXF : NULL;
    int ret = CLI_FAIL;
    st_context *ctx = NULL;
    st_table *t = NULL;
    st_twostage *m = NULL;
    if (!fitems) {
        ret = cli_error(CMD, CLI_FAIL, "out of memory");
        goto done;
    }
    if (features && !(o.nnumeric = cli_split_commas(features, &fbuf, fitems, MAXF))) {
        ret = cli_error(CMD, CLI_USAGE, "--features: an empty name or too many features");
        goto done;
    }
    if (cats && !(o.ncategorical = cli_split_commas(cats, &cbuf, citems, MAXF))) {
        ret = cli_error(CMD, CLI_USAGE, "--categorical: an empty name or too many features");
        goto done;
    }
    o.numeric = (const char *const *)fitems;
    o.categorical = (const char *const *)citems;
    ctx = cli_context(CMD);
    if (!ctx) {
        ret = cli_error(CMD, CLI_FAIL, "out of memory");
        goto done;
    }
    if (threads >= 0) st_context_set_threads(ctx, (int)threads);
    st_status rc = st_table_read_csv(ctx, pos[0], NULL, &t);
    if (!rc) rc = st_twostage_fit(ctx, t, pos[0], &o, &m);
    if (!rc) rc = st_twostage_save(ctx, m, out);
    ret = rc ? cli_fail(CMD, ctx, rc) : CLI_OK;
done:
    st_twostage_free(m);
    st_table_free(t);
    st_context_free(ctx);
    free(fbuf);
    free(cbuf);
    free(fitems);
    return ret;
}

static int ts_predict(int argc, char **argv)
{
    const char *out = NULL;
    long threads = -1;
    const cli_arg args[] = {{"--output", "-o", CLI_STR, &out, 0, 0, NULL},
                            {"--threads", NULL, CLI_INT, &threads, 0, 256, NULL}};
    const char *pos[2] = {NULL, NULL};
    int pr = cli_parse_args("twostage predict", argc, argv, 1, args, 2, pos, 2, help_predict, NULL);
    if (pr >= 0) return pr;
    if (!pos[0] || !pos[1]) return cli_error(CMD, CLI_USAGE, "predict: need MODEL.json DATA.csv (see --help)");
    if (!out) return cli_error(CMD, CLI_USAGE, "predict: need -o SCORES.csv");
    st_context *ctx = cli_context(CMD);
    if (!ctx) return cli_error(CMD, CLI_FAIL, "out of memory");
    if (threads >= 0) st_context_set_threads(ctx, (int)threads);
    st_twostage *m = NULL;
    st_status rc = st_twostage_load(ctx, pos[0], &m);
    if (!rc) rc = st_twostage_predict_csv(ctx, m, pos[1], out);
    int ret = rc ? cli_fail(CMD, ctx, rc) : CLI_OK;
    st_twostage_free(m);
    st_context_free(ctx);
    return ret;
}

static int ts_eval(int argc, char **argv)
{
    const char *out = NULL;
    st_twostage_eval_options o;
    st_twostage_eval_options_init(&o);
    const cli_arg args[] = {
        {"--truth", NULL, CLI_STR, &o.truth_col, 0, 0, NULL},
        {"--treatment", NULL, CLI_STR, &o.treatment_col, 0, 0, NULL},
        {"--control", NULL, CLI_STR, &o.control, 0, 0, NULL},
        {"--response", NULL, CLI_STR, &o.response_col, 0, 0, NULL},
        {"--recency", NULL, CLI_STR, &o.recency_col, 0, 0, NULL},
        {"--frequency", NULL, CLI_STR, &o.frequency_col, 0, 0, NULL},
        {"--monetary", NULL, CLI_STR, &o.monetary_col, 0, 0, NULL},
        {"--top", NULL, CLI_DOUBLE, &o.top, 0, 0, NULL},
        {"--output", "-o", CLI_STR, &out, 0, 0, NULL},
    };
    const char *pos[1] = {NULL};
    int pr = cli_parse_args("twostage eval", argc, argv, 1, args, sizeof args / sizeof args[0], pos, 1, help_eval, NULL);
    if (pr >= 0) return pr;
    if (!pos[0]) return cli_error(CMD, CLI_USAGE, "eval: need SCORES.csv (see --help)");
    if (!out) return cli_error(CMD, CLI_USAGE, "eval: need -o EVAL.json");
    bool test = o.treatment_col || o.control || o.response_col;
    if ((o.truth_col != NULL) == test)
        return cli_error(CMD, CLI_USAGE, "eval: give either --truth COL or --treatment COL --control NAME --response COL");
    if (test && (!o.treatment_col || !o.control || !o.response_col))
        return cli_error(CMD, CLI_USAGE, "eval: --treatment needs --control and --response");
    int nrfm = (o.recency_col != NULL) + (o.frequency_col != NULL) + (o.monetary_col != NULL);
    if (nrfm && nrfm < 3) return cli_error(CMD, CLI_USAGE, "eval: give all of --recency, --frequency and --monetary");
    if (nrfm && test) return cli_error(CMD, CLI_USAGE, "eval: the RFM baselines need --truth");
    if (!(o.top > 0.0 && o.top < 1.0)) return cli_error(CMD, CLI_USAGE, "--top: must be in (0, 1)");
    st_context *ctx = cli_context(CMD);
    if (!ctx) return cli_error(CMD, CLI_FAIL, "out of memory");
    st_status rc = st_twostage_eval_csv(ctx, pos[0], &o, out);
    int ret = rc ? cli_fail(CMD, ctx, rc) : CLI_OK;
    st_context_free(ctx);
    return ret;
}

int cmd_twostage(int argc, char **argv)
{
    static const cli_sub subs[] = {{"fit", ts_fit}, {"predict", ts_predict}, {"eval", ts_eval}};
    return cli_dispatch(CMD, argc, argv, subs, sizeof subs / sizeof subs[0], help);
}
