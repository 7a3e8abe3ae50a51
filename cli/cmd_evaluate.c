/*
** cmd_evaluate.c -- `strata evaluate`: classifier evaluation of a scored or predicted table against its labels
** (binary with --score, multi-class with --pred), written as EVAL.json (docs/evaluate.md).
*/
#include "cli.h"

#include <math.h>
#include <stdlib.h>
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

/* Row i of column j as text: strings as they are, numbers in their shortest exact form, "" when missing. */
static const char *cell(const st_table *t, long j, size_t i, char *buf, size_t cap)
{
    const double *v = cli_f64_col(t, j);
    if (!v) {
        const char *s = st_table_str(t, (size_t)j, i);
        return s ? s : "";
    }
    double x = v[i];
    if (isnan(x)) return "";
    if (x == floor(x) && fabs(x) < 1e15)
        snprintf(buf, cap, "%.0f", x);
    else
        for (int p = 15; p <= 17; p++) {
            snprintf(buf, cap, "%.*g", p, x);
            if (strtod(buf, NULL) == x) break;
        }
    return buf;
}

static int multiclass(st_context *ctx, const st_table *t, long jl, long jp, char **text, size_t *len)
{
    size_t n = st_table_nrows(t);
    char **lab = calloc(n ? n : 1, sizeof *lab), **pred = calloc(n ? n : 1, sizeof *pred);
    st_status rc = lab && pred ? ST_OK : ST_ENOMEM;
    char buf[64];
    for (size_t i = 0; rc == ST_OK && i < n; i++) {
        lab[i] = strdup(cell(t, jl, i, buf, sizeof buf));
        pred[i] = strdup(cell(t, jp, i, buf, sizeof buf));
        if (!lab[i] || !pred[i]) rc = ST_ENOMEM;
    }
    if (rc == ST_OK)
        rc = st_eval_multiclass_json(ctx, (const char *const *)lab, (const char *const *)pred, n, text, len);
    for (size_t i = 0; i < n; i++) {
        if (lab) free(lab[i]);
        if (pred) free(pred[i]);
    }
    free(lab);
    free(pred);
    return (int)rc;
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
    long jl = st_table_find(t, label);
    const char *other = score ? score : pred;
    long jo = st_table_find(t, other);
    if (jl < 0 || jo < 0) {
        code = cli_error(CMD, CLI_FAIL, "%s: no column '%s'", path, jl < 0 ? label : other);
        goto done;
    }
    if (score) {
        const double *y = cli_f64_col(t, jl), *s = cli_f64_col(t, jo);
        if (!y || !s) {
            long bad = y ? jo : jl;
            size_t n = st_table_nrows(t), i = 0;
            char *end = NULL;
            for (; i < n; i++) {
                const char *v = st_table_str(t, (size_t)bad, i);
                if (!v) break;
                (void)strtod(v, &end);
                if (!*v || *end) break;
            }
            const char *v = i < n ? st_table_str(t, (size_t)bad, i) : NULL;
            code = cli_error(CMD, CLI_FAIL, "%s: column '%s' is not numeric (row %zu: '%s')%s", path,
                             st_table_col_name(t, (size_t)bad), i + 1, v ? v : "",
                             bad == jl ? ": the label must be 0 or 1" : "");
            goto done;
        }
        rc = st_eval_binary_json(ctx, y, s, st_table_nrows(t), threshold, &text, &len);
    } else {
        rc = (st_status)multiclass(ctx, t, jl, jo, &text, &len);
    }
    if (rc) {
        if (rc == ST_EDATA)
            code = cli_error(CMD, CLI_FAIL, "%s (label '%s', %s '%s'): %s", path, label, score ? "score" : "pred",
                             other, st_errmsg(ctx));
        else
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
