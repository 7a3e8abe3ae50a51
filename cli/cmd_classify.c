/*
** cmd_classify.c -- `strata classify fit DATA.csv --label COL --features a,b [--categorical c] [--C 1 |
** --penalty none] [--class-weight none|balanced] -o MODEL.json` and `strata classify predict MODEL.json
** DATA.csv -o OUT.csv`: logistic (and linear) regression (docs/classify.md).
*/
#include "cli.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const CMD = "classify";

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void help_fit(void)
{
    fputs("usage: strata classify fit DATA.csv --label COL --features a,b,... [--categorical c,d,...]\n"
          "                           [--C 1.0 | --penalty none] [--class-weight none|balanced] -o MODEL.json\n"
          "\n"
          "Logistic regression with scikit-learn's objective (L2 on the coefficients, not the intercept, scaled\n"
          "by C; raw features), solved by Newton's method to max |gradient| < 1e-8 (docs/classify.md).\n"
          "\n"
          "  --label COL           binary label: 0/1 (or two numbers), or two text values (positive: the\n"
          "                        second in sorted order)\n"
          "  --features LIST       numeric feature columns, used as they are\n"
          "  --categorical LIST    categorical columns, one-hot over their sorted levels (\"col=level\")\n"
          "  --C C                 inverse L2 strength [1]\n"
          "  --penalty P           l2 or none [l2]\n"
          "  --class-weight W      none or balanced (n / (2 n_class)) [none]\n"
          "  --sample-weight COL   a column of row weights >= 0\n"
          "  --kind K              logistic or linear (ridge: sum of squares / 2 + ||b||^2 / (2 C)) [logistic]\n"
          "  --standardize         standardise numeric features (mean / sd stored in the model)\n"
          "  --max-iter N          Newton steps [100]\n"
          "  --tol T               max |gradient| at convergence [1e-8]\n"
          "  --threads N           worker threads [the context's default]; results do not depend on it\n"
          "  --timing              print the seconds spent reading and fitting to standard error\n"
          "  -o, --output FILE     MODEL.json (- = standard output)\n"
          "\n"
          "  --model M             logistic or mlp [logistic]. mlp: a ReLU network with a softmax output over\n"
          "                        any number of text classes, standardised features, Adam (docs/classify.md):\n"
          "  --hidden LIST         hidden layer sizes [16]\n"
          "  --epochs N            [30]\n"
          "  --batch N             [256]\n"
          "  --lr R                Adam's learning rate [1e-3]\n"
          "  --class-weight W      none, balanced (n / (K n_class)) or w1,w2,... in sorted class order [none]\n"
          "  --seed S              initial weights and row order [1]\n",
          stdout);
}

static void help_predict(void)
{
    fputs("usage: strata classify predict MODEL.json DATA.csv -o OUT.csv\n"
          "\n"
          "Writes DATA.csv's columns then `score`: P(positive class) of a logistic model (the prediction of a\n"
          "linear one); for a network (--model mlp): p_<class> per class, `pred` and, for two classes, `score`.\n"
          "Unseen categories and missing categorical values count as all zeros (docs/classify.md).\n"
          "\n"
          "  -o, --output FILE     OUT.csv (- = standard output)\n",
          stdout);
}

static void help(void)
{
    fputs("usage: strata classify fit DATA.csv --label COL --features a,b [--categorical c] [--C 1.0 | --penalty none]\n"
          "                           [--class-weight none|balanced] -o MODEL.json\n"
          "       strata classify predict MODEL.json DATA.csv -o OUT.csv\n"
          "\n"
          "Logistic regression equal to scikit-learn's LogisticRegression at its exact optimum\n"
          "(docs/classify.md). `strata classify fit --help` for every option.\n",
          stdout);
}

static int fit_mlp(int argc, char **argv);

static int cmd_fit_model(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if ((strcmp(argv[i], "--model") == 0 && i + 1 < argc && strcmp(argv[i + 1], "mlp") == 0) ||
            strcmp(argv[i], "--model=mlp") == 0)
            return fit_mlp(argc, argv);
    const char *out = NULL, *label = NULL, *features = NULL, *cats = NULL, *penalty = "l2", *cw = "none";
    const char *sw = NULL, *kind = "logistic", *model = "logistic";
    double C = 1.0, tol = 1e-8;
    long max_iter = 100, threads = -1;
    int standardize = 0, c_seen = 0, timing = 0;
    const cli_arg args[] = {
        {"--label", NULL, CLI_STR, &label, 0, 0, NULL},
        {"--features", NULL, CLI_STR, &features, 0, 0, NULL},
        {"--categorical", NULL, CLI_STR, &cats, 0, 0, NULL},
        {"--C", NULL, CLI_DOUBLE, &C, 0, 0, &c_seen},
        {"--penalty", NULL, CLI_STR, &penalty, 0, 0, NULL},
        {"--class-weight", NULL, CLI_STR, &cw, 0, 0, NULL},
        {"--sample-weight", NULL, CLI_STR, &sw, 0, 0, NULL},
        {"--kind", NULL, CLI_STR, &kind, 0, 0, NULL},
        {"--standardize", NULL, CLI_FLAG, &standardize, 0, 0, NULL},
        {"--max-iter", NULL, CLI_INT, &max_iter, 1, 100000, NULL},
        {"--tol", NULL, CLI_DOUBLE, &tol, 0, 0, NULL},
        {"--threads", NULL, CLI_INT, &threads, 0, 256, NULL},
        {"--timing", NULL, CLI_FLAG, &timing, 0, 0, NULL},
        {"--output", "-o", CLI_STR, &out, 0, 0, NULL},
        {"--model", NULL, CLI_STR, &model, 0, 0, NULL},
    };
    const char *pos[1] = {NULL};
    int pr = cli_parse_args("classify fit", argc, argv, 1, args, sizeof args / sizeof args[0], pos, 1, help_fit, NULL);
    if (pr < 0 && strcmp(model, "logistic") != 0)
        return cli_error(CMD, CLI_USAGE, "--model: '%s' is not logistic or mlp", model);
    if (pr >= 0) return pr;
    if (!pos[0]) return cli_error(CMD, CLI_USAGE, "fit: need DATA.csv (see --help)");
    if (!label) return cli_error(CMD, CLI_USAGE, "fit: need --label COL");
    if (!features && !cats) return cli_error(CMD, CLI_USAGE, "fit: need --features and/or --categorical");
    if (!out) return cli_error(CMD, CLI_USAGE, "fit: need -o MODEL.json");
    st_glm_options o;
    st_glm_options_init(&o);
    if (strcmp(kind, "logistic") == 0)
        o.kind = ST_GLM_LOGISTIC;
    else if (strcmp(kind, "linear") == 0)
        o.kind = ST_GLM_LINEAR;
    else
        return cli_error(CMD, CLI_USAGE, "--kind: '%s' is not logistic or linear", kind);
    if (strcmp(penalty, "none") == 0) {
        if (c_seen) return cli_error(CMD, CLI_USAGE, "--C and --penalty none contradict each other");
        o.C = 0.0;
    } else if (strcmp(penalty, "l2") == 0) {
        if (!(C > 0.0) || !isfinite(C)) return cli_error(CMD, CLI_USAGE, "--C: must be a finite number > 0");
        o.C = C;
    } else {
        return cli_error(CMD, CLI_USAGE, "--penalty: '%s' is not l2 or none", penalty);
    }
    if (strcmp(cw, "balanced") == 0)
        o.class_weight_balanced = 1;
    else if (strcmp(cw, "none") != 0)
        return cli_error(CMD, CLI_USAGE, "--class-weight: '%s' is not none or balanced", cw);
    if (!(tol > 0.0)) return cli_error(CMD, CLI_USAGE, "--tol: must be > 0");
    o.tol = tol;
    o.max_iter = (int)max_iter;
    o.standardize = standardize;
    enum { MAXF = 4096 };
    char **fitems = malloc(2 * MAXF * sizeof *fitems), *fbuf = NULL, *cbuf = NULL;
    char **citems = fitems ? fitems + MAXF : NULL;
    size_t nf = 0, ncat = 0;
    int ret = CLI_FAIL;
    st_context *ctx = NULL;
    st_table *t = NULL;
    st_glm *m = NULL;
    if (!fitems) {
        ret = cli_error(CMD, CLI_FAIL, "out of memory");
        goto done;
    }
    if (features && !(nf = cli_split_commas(features, &fbuf, fitems, MAXF))) {
        ret = cli_error(CMD, CLI_USAGE, "--features: an empty name or too many features");
        goto done;
    }
    if (cats && !(ncat = cli_split_commas(cats, &cbuf, citems, MAXF))) {
        ret = cli_error(CMD, CLI_USAGE, "--categorical: an empty name or too many features");
        goto done;
    }
    ctx = cli_context(CMD);
    if (!ctx) {
        ret = cli_error(CMD, CLI_FAIL, "out of memory");
        goto done;
    }
    if (threads >= 0) st_context_set_threads(ctx, (int)threads);
    double t0 = now();
    st_status rc = st_table_read_csv(ctx, pos[0], NULL, &t);
    double t1 = now();
    if (!rc && sw) {
        long j = st_table_find(t, sw);
        o.sample_weight = j >= 0 ? st_table_f64(t, (size_t)j) : NULL;
        if (!o.sample_weight) {
            ret = cli_error(CMD, CLI_USAGE, "--sample-weight: %s is not a numeric column of %s", sw, pos[0]);
            goto done;
        }
    }
    if (!rc)
        rc = st_glm_fit(ctx, t, pos[0], label, (const char *const *)fitems, nf, (const char *const *)citems, ncat, &o,
                        &m);
    if (!rc && timing) fprintf(stderr, "classify fit: read %.3f s, fit %.3f s\n", t1 - t0, now() - t1);
    if (!rc) rc = st_glm_save(ctx, m, out);
    ret = rc ? cli_fail(CMD, ctx, rc) : CLI_OK;
done:
    st_glm_free(m);
    st_table_free(t);
    st_context_free(ctx);
    free(fbuf);
    free(cbuf);
    free(fitems);
    return ret;
}

static int cmd_predict_model(int argc, char **argv)
{
    const char *out = NULL;
    const cli_arg args[] = {{"--output", "-o", CLI_STR, &out, 0, 0, NULL}};
    const char *pos[2] = {NULL, NULL};
    int pr = cli_parse_args("classify predict", argc, argv, 1, args, 1, pos, 2, help_predict, NULL);
    if (pr >= 0) return pr;
    if (!pos[0] || !pos[1]) return cli_error(CMD, CLI_USAGE, "predict: need MODEL.json DATA.csv (see --help)");
    if (!out) return cli_error(CMD, CLI_USAGE, "predict: need -o OUT.csv");
    st_context *ctx = cli_context(CMD);
    if (!ctx) return cli_error(CMD, CLI_FAIL, "out of memory");
    st_status rc = st_classify_predict_csv(ctx, pos[0], pos[1], out);
    int ret = rc ? cli_fail(CMD, ctx, rc) : CLI_OK;
    st_context_free(ctx);
    return ret;
}

/* --model mlp: the network classifier (st_mlpc_fit). */
static int fit_mlp(int argc, char **argv)
{
    const char *out = NULL, *label = NULL, *features = NULL, *cats = NULL, *cw = "none", *hidden = "16";
    const char *model = "mlp";
    double lr = 1e-3;
    long epochs = 30, batch = 256, threads = -1;
    unsigned long long seed = 1;
    int timing = 0;
    const cli_arg args[] = {
        {"--label", NULL, CLI_STR, &label, 0, 0, NULL},
        {"--features", NULL, CLI_STR, &features, 0, 0, NULL},
        {"--categorical", NULL, CLI_STR, &cats, 0, 0, NULL},
        {"--model", NULL, CLI_STR, &model, 0, 0, NULL},
        {"--hidden", NULL, CLI_STR, &hidden, 0, 0, NULL},
        {"--epochs", NULL, CLI_INT, &epochs, 1, 1000000, NULL},
        {"--batch", NULL, CLI_INT, &batch, 1, 100000000, NULL},
        {"--lr", NULL, CLI_DOUBLE, &lr, 0, 0, NULL},
        {"--class-weight", NULL, CLI_STR, &cw, 0, 0, NULL},
        {"--seed", NULL, CLI_U64, &seed, 0, 0, NULL},
        {"--threads", NULL, CLI_INT, &threads, 0, 256, NULL},
        {"--timing", NULL, CLI_FLAG, &timing, 0, 0, NULL},
        {"--output", "-o", CLI_STR, &out, 0, 0, NULL},
    };
    const char *pos[1] = {NULL};
    int pr = cli_parse_args("classify fit", argc, argv, 1, args, sizeof args / sizeof args[0], pos, 1, help_fit, NULL);
    if (pr >= 0) return pr;
    if (!pos[0]) return cli_error(CMD, CLI_USAGE, "fit: need DATA.csv (see --help)");
    if (!label) return cli_error(CMD, CLI_USAGE, "fit: need --label COL");
    if (!features && !cats) return cli_error(CMD, CLI_USAGE, "fit: need --features and/or --categorical");
    if (!out) return cli_error(CMD, CLI_USAGE, "fit: need -o MODEL.json");
    if (!(lr > 0.0) || !isfinite(lr)) return cli_error(CMD, CLI_USAGE, "--lr: must be a finite number > 0");
    st_mlpc_options o;
    st_mlpc_options_init(&o);
    o.epochs = (size_t)epochs;
    o.batch = (size_t)batch;
    o.lr = lr;
    o.seed = seed;
    enum { MAXF = 4096, MAXH = 16, MAXW = 65536 };
    char **fitems = malloc(2 * MAXF * sizeof *fitems), *fbuf = NULL, *cbuf = NULL, *hbuf = NULL, *wbuf = NULL;
    char **citems = fitems ? fitems + MAXF : NULL, *hitems[MAXH];
    char **witems = malloc(MAXW * sizeof *witems);
    double *weights = malloc(MAXW * sizeof *weights);
    size_t hsz[MAXH];
    size_t nf = 0, ncat = 0, nh = 0, nw = 0;
    int ret = CLI_FAIL;
    st_context *ctx = NULL;
    st_table *t = NULL;
    st_mlpc *m = NULL;
    if (!fitems || !witems || !weights) {
        ret = cli_error(CMD, CLI_FAIL, "out of memory");
        goto done;
    }
    if (features && !(nf = cli_split_commas(features, &fbuf, fitems, MAXF))) {
        ret = cli_error(CMD, CLI_USAGE, "--features: an empty name or too many features");
        goto done;
    }
    if (cats && !(ncat = cli_split_commas(cats, &cbuf, citems, MAXF))) {
        ret = cli_error(CMD, CLI_USAGE, "--categorical: an empty name or too many features");
        goto done;
    }
    if (!(nh = cli_split_commas(hidden, &hbuf, hitems, MAXH))) {
        ret = cli_error(CMD, CLI_USAGE, "--hidden: an empty size or more than 16 layers");
        goto done;
    }
    for (size_t k = 0; k < nh; k++) {
        long v;
        if (!cli_parse_int(CMD, "--hidden", hitems[k], 1, 65536, &v)) {
            ret = CLI_USAGE;
            goto done;
        }
        hsz[k] = (size_t)v;
    }
    o.hidden = hsz;
    o.nhidden = nh;
    if (strcmp(cw, "balanced") == 0) {
        o.class_weight_balanced = 1;
    } else if (strcmp(cw, "none") != 0) {
        if (!(nw = cli_split_commas(cw, &wbuf, witems, MAXW))) {
            ret = cli_error(CMD, CLI_USAGE, "--class-weight: '%s' is not none, balanced or w1,w2,...", cw);
            goto done;
        }
        for (size_t k = 0; k < nw; k++)
            if (!cli_parse_double(CMD, "--class-weight", witems[k], &weights[k]) || !(weights[k] > 0.0) ||
                !isfinite(weights[k])) {
                ret = cli_error(CMD, CLI_USAGE, "--class-weight: each weight must be a finite number > 0");
                goto done;
            }
        o.class_weight = weights;
        o.nclass_weight = nw;
    }
    ctx = cli_context(CMD);
    if (!ctx) {
        ret = cli_error(CMD, CLI_FAIL, "out of memory");
        goto done;
    }
    if (threads >= 0) st_context_set_threads(ctx, (int)threads);
    double t0 = now();
    st_status rc = st_table_read_csv(ctx, pos[0], NULL, &t);
    double t1 = now();
    if (!rc)
        rc = st_mlpc_fit(ctx, t, pos[0], label, (const char *const *)fitems, nf, (const char *const *)citems, ncat, &o,
                         &m);
    if (!rc && timing)
        fprintf(stderr, "classify fit: read %.3f s, fit %.3f s, final loss %.17g\n", t1 - t0, now() - t1,
                st_mlpc_final_loss(m));
    if (!rc) rc = st_mlpc_save(ctx, m, out);
    ret = rc ? cli_fail(CMD, ctx, rc) : CLI_OK;
done:
    st_mlpc_free(m);
    st_table_free(t);
    st_context_free(ctx);
    free(fbuf);
    free(cbuf);
    free(hbuf);
    free(wbuf);
    free(fitems);
    free(witems);
    free(weights);
    return ret;
}

int cmd_classify(int argc, char **argv)
{
    static const cli_sub subs[] = {{"fit", cmd_fit_model}, {"predict", cmd_predict_model}};
    return cli_dispatch(CMD, argc, argv, subs, sizeof subs / sizeof subs[0], help);
}
