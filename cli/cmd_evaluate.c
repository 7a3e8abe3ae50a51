/*
** cmd_evaluate.c -- `strata evaluate`: classifier evaluation of a scored or predicted table against its labels
** (binary with --score, multi-class with --pred), written as EVAL.json (docs/evaluate.md).
*/
#include "cli.h"

#include <math.h>
#include <string.h>

static const char *const CMD = "evaluate";

static void help(void)
{
    fputs("usage: strata evaluate SCORES.csv --label COL (--score COL [--threshold 0.5] | --pred COL) -o EVAL.json\n"
          "\n"
          "Evaluates a classifier with scikit-learn 1.2's definitions. With --score (binary; labels 0/1): ROC AUC,\n"
          "average precision, Brier score, log loss, precision, recall, F1, balanced accuracy and accuracy at the\n"
          "threshold (positive when score >= threshold), the cumulative gain by decile and a 10-bin reliability\n"
          "table. With --pred (multi-class): accuracy, balanced accuracy, weighted and macro F1, per-class\n"
          "precision, recall, F1 and support. See docs/evaluate.md.\n"
          "\n"
          "Options:\n"
          "  --label COL      true label column (required)\n"
          "  --score COL      score column: binary evaluation\n"
          "  --threshold T    decision threshold for --score [0.5]\n"
          "  --pred COL       predicted label column: multi-class evaluation\n"
          "  -o, --output F   EVAL.json (required; - = standard output)\n",
          stdout);
}

int cmd_evaluate(int argc, char **argv)
{
    const char *label = NULL, *score = NULL, *pred = NULL, *thr = NULL, *out = NULL;
    const cli_arg args[] = {
        {"--label", NULL, CLI_STR, &label, 0, 0, NULL},
        {"--score", NULL, CLI_STR, &score, 0, 0, NULL},
        {"--pred", NULL, CLI_STR, &pred, 0, 0, NULL},
        {"--threshold", NULL, CLI_STR, &thr, 0, 0, NULL},
        {"--output", "-o", CLI_STR, &out, 0, 0, NULL},
    };
    const char *pos[1] = {NULL};
    int pr = cli_parse_args(CMD, argc, argv, 1, args, sizeof args / sizeof args[0], pos, 1, help,
                            "one table only (got '%s' and '%s')");
    if (pr >= 0) return pr;
    const char *path = pos[0];
    if (!path) return cli_error(CMD, CLI_USAGE, "missing SCORES.csv (see `strata evaluate --help`)");
    if (!label) return cli_error(CMD, CLI_USAGE, "--label is required");
    if (!score == !pred) return cli_error(CMD, CLI_USAGE, "give exactly one of --score and --pred");
    if (pred && thr) return cli_error(CMD, CLI_USAGE, "--threshold goes with --score, not --pred");
    if (!out) return cli_error(CMD, CLI_USAGE, "need -o EVAL.json");
    double threshold = 0.5;
    if (thr && !cli_parse_double(CMD, "--threshold", thr, &threshold)) return CLI_USAGE;
    if (!isfinite(threshold)) return cli_error(CMD, CLI_USAGE, "--threshold: must be finite");

    st_context *ctx = cli_context(CMD);
    if (!ctx) return CLI_FAIL;
    st_table *t = NULL;
    int code = CLI_FAIL;
    char *text = NULL;
    size_t len = 0;
    st_status rc = st_table_read_csv(ctx, path, NULL, &t);
    if (rc) {
        code = cli_fail(CMD, ctx, rc);
        goto done;
    }
    rc = st_eval_table_json(ctx, t, path, label, score, pred, threshold, &text, &len);
    if (rc) {
        code = cli_fail(CMD, ctx, rc);
        goto done;
    }
    if (strcmp(out, "-") == 0) {
        code = fwrite(text, 1, len, stdout) == len ? CLI_OK : cli_error(CMD, CLI_FAIL, "cannot write standard output");
    } else {
        rc = st_file_write_atomic(ctx, out, text, len);
        code = rc ? cli_fail(CMD, ctx, rc) : CLI_OK;
    }
done:
    st_free(ctx, text);
    st_table_free(t);
    st_context_free(ctx);
    return code;
}
