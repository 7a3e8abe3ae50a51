/*
** cmd_metrics.c -- `strata metrics`: silhouette, Davies-Bouldin and Calinski-Harabasz of a labelling of
** table rows, with scikit-learn's definitions; a shim over st_metric_silhouette and friends.
*/
#include "seg_cli.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const CMD = "metrics";

static void help(void)
{
    fputs("usage: strata metrics TABLE.csv --features A,B,C --labels COL [--json]\n"
          "\n"
          "Clustering quality of the labels in COL on the feature columns, as scikit-learn computes them:\n"
          "  silhouette          exact mean silhouette (O(n^2) distances, blocked, threaded; a row alone in\n"
          "                      its cluster scores 0)\n"
          "  davies_bouldin      mean over clusters of the worst (s_i + s_j) / |c_i - c_j| (lower is better)\n"
          "  calinski_harabasz   between / within dispersion ratio (1 when within is 0)\n"
          "The number of distinct labels must be from 2 to n - 1. Rows with a missing feature or label are\n"
          "left out. Labels may be integers or strings.\n"
          "\n"
          "Options:\n"
          "  --features LIST   feature columns (required)\n"
          "  --labels COL      label column (required)\n"
          "  --scale S         none, minmax or zscore before measuring [none]\n"
          "  --id COL          key column [customer_id, or row numbers when absent]\n"
          "  --threads N       worker threads [2]\n"
          "  --json            print {\"silhouette\": ..., \"davies_bouldin\": ..., \"calinski_harabasz\": ...}\n",
          stdout);
}

int cmd_metrics(int argc, char **argv)
{
    const char *path = NULL, *features = NULL, *labels = NULL, *id = NULL, *scale_s = "none";
    int json = 0;
    long threads = -1;
    const cli_arg args[] = {
        {"--json", NULL, CLI_FLAG, &json, 0, 0, NULL},
        {"--features", NULL, CLI_STR, &features, 0, 0, NULL},
        {"--labels", NULL, CLI_STR, &labels, 0, 0, NULL},
        {"--id", NULL, CLI_STR, &id, 0, 0, NULL},
        {"--scale", NULL, CLI_STR, &scale_s, 0, 0, NULL},
        {"--threads", NULL, CLI_INT, &threads, 0, 256, NULL},
    };
    const char *pos[1] = {NULL};
    int pr = cli_parse_args(CMD, argc, argv, 1, args, sizeof args / sizeof args[0], pos, 1, help, "one table only (got '%s' and '%s')");
    if (pr >= 0) return pr;
    path = pos[0];
    if (!path) return cli_error(CMD, CLI_USAGE, "missing TABLE.csv (see `strata metrics --help`)");
    if (!features || !labels) return cli_error(CMD, CLI_USAGE, "--features and --labels are required");
    st_scale scale;
    if (strcmp(scale_s, "zscore") == 0) scale = ST_SCALE_ZSCORE;
    else if (strcmp(scale_s, "minmax") == 0) scale = ST_SCALE_MINMAX;
    else if (strcmp(scale_s, "none") == 0) scale = ST_SCALE_NONE;
    else return cli_error(CMD, CLI_USAGE, "--scale: '%s' is not minmax, zscore or none", scale_s);
    char **names;
    size_t d = segcli_split(CMD, "--features", features, &names);
    if (d == 0) return CLI_USAGE;
    st_context *ctx = cli_context(CMD);
    if (!ctx) {
        segcli_free_list(names, d);
        return CLI_FAIL;
    }
    if (threads >= 0) st_context_set_threads(ctx, (int)threads);
    int code = CLI_FAIL;
    st_table *t = segcli_read(CMD, ctx, path, id);
    size_t *cols = calloc(d, sizeof *cols), *keep = NULL;
    double *x = NULL, *xs = NULL;
    int32_t *lab = NULL, *lk = NULL;
    if (!t || !cols || !segcli_columns(CMD, t, names, d, cols)) goto done;
    long lc = st_table_find(t, labels);
    if (lc < 0) {
        code = cli_error(CMD, CLI_FAIL, "no column '%s' in the table", labels);
        goto done;
    }
    size_t n = st_table_nrows(t);
    x = segcli_matrix(t, cols, d);
    keep = malloc((n ? n : 1) * sizeof *keep);
    lab = segcli_labels(CMD, t, (size_t)lc, NULL, NULL);
    if (!x || !keep || !lab) goto done;
    size_t m = 0;
    {
        size_t mf = segcli_finite_rows(x, n, d, keep);
        for (size_t q = 0; q < mf; q++)
            if (lab[keep[q]] != INT32_MIN) keep[m++] = keep[q];
    }
    xs = malloc((m ? m : 1) * d * sizeof *xs);
    lk = malloc((m ? m : 1) * sizeof *lk);
    if (!xs || !lk) {
        code = cli_error(CMD, CLI_FAIL, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < m; i++) {
        memcpy(xs + i * d, x + keep[i] * d, d * sizeof *xs);
        lk[i] = lab[keep[i]];
    }
    double sil, db, ch;
    st_status rc = m ? st_scale_columns(ctx, xs, m, d, scale, xs) : ST_OK;
    if (rc == ST_OK) rc = st_metric_silhouette(ctx, xs, m, d, lk, &sil, NULL);
    if (rc == ST_OK) rc = st_metric_davies_bouldin(ctx, xs, m, d, lk, &db);
    if (rc == ST_OK) rc = st_metric_calinski_harabasz(ctx, xs, m, d, lk, &ch);
    if (rc) {
        code = cli_fail(CMD, ctx, rc);
        goto done;
    }
    if (json) {
        char *js = NULL;
        rc = st_metrics_to_json(ctx, sil, db, ch, m, &js, NULL);
        if (rc) {
            code = cli_fail(CMD, ctx, rc);
            goto done;
        }
        fputs(js, stdout);
        st_free(ctx, js);
    } else {
        printf("rows               %zu\nsilhouette         %.6f\ndavies_bouldin     %.6f\ncalinski_harabasz  %.6f\n", m,
               sil, db, ch);
    }
    code = CLI_OK;
done:
    free(lk);
    free(xs);
    free(lab);
    free(keep);
    free(x);
    free(cols);
    st_table_free(t);
    st_context_free(ctx);
    segcli_free_list(names, d);
    return code;
}
