/*
** cmd_weights.c -- `strata weights`: entropy, AHP and combined indicator weights of table columns (seed 000
** section 2.3, seed 002 eq. 2), printed as a table or JSON; a thin shim over st_weights_entropy,
** st_ahp_weights and st_weights_combine.
*/
#include "seg_cli.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const CMD = "weights";

static void help(void)
{
    fputs("usage: strata weights TABLE.csv --columns A,B,C [--cost B] [--ahp MATRIX.csv] [--json]\n"
          "\n"
          "Indicator weights of the named numeric columns (rows with a missing value are left out):\n"
          "  entropy     e_j = -(1/ln n) sum_i p_ij ln p_ij on min-max normalised columns, 0 ln 0 = 0;\n"
          "              a constant column has e_j = 1 and weight 0\n"
          "  entropy_w   (1 - e_j) / sum_k (1 - e_k)\n"
          "  ahp_w       principal eigenvector of the pairwise comparison matrix, with lambda_max, CI and\n"
          "              CR (Saaty's random index); a warning when CR >= 0.1\n"
          "  combined    theta_j eta_j / sum_k theta_k eta_k (AHP x entropy; the entropy weights without --ahp)\n"
          "\n"
          "Options:\n"
          "  --columns LIST       comma-separated indicator columns (required)\n"
          "  --cost LIST          columns where smaller is better (min-max reversed), e.g. recency_days\n"
          "  --ahp FILE           pairwise comparison matrix as CSV: one row per indicator in --columns order,\n"
          "                       after an optional header row (a first row with no number in it), with an\n"
          "                       optional first column of row names; cells are decimals or fractions like\n"
          "                       1/3; it must be square, positive and reciprocal\n"
          "  --id COL             key column of TABLE [customer_id, or row numbers when absent]\n"
          "  --normalized FILE    also write the min-max normalised columns as CSV\n"
          "  --json               print one JSON object with \"entropy\", \"entropy_weights\", \"ahp_weights\",\n"
          "                       \"cr\" and \"combined_weights\" (each keyed by column name) instead of the table\n",
          stdout);
}

void segcli_weights_free(segcli_weights *w)
{
    free(w->entropy);
    free(w->eta);
    free(w->theta);
    free(w->omega);
    memset(w, 0, sizeof *w);
}

int segcli_compute_weights(const char *cmd, st_context *ctx, const st_table *t, char *const *names, size_t d,
                           const char *cost, const char *ahp_path, segcli_weights *w, double **xnorm)
{
    memset(w, 0, sizeof *w);
    size_t *cols = malloc(d * sizeof *cols);
    int *isc = calloc(d, sizeof *isc);
    if (!cols || !isc || !segcli_columns(cmd, t, names, d, cols)) {
        free(cols);
        free(isc);
        return CLI_FAIL;
    }
    if (cost) {
        char **cl;
        size_t nc = segcli_split(cmd, "--cost", cost, &cl);
        if (nc == 0) {
            free(cols);
            free(isc);
            return CLI_USAGE;
        }
        for (size_t q = 0; q < nc; q++) {
            size_t j = 0;
            while (j < d && strcmp(names[j], cl[q]) != 0) j++;
            if (j == d) {
                cli_error(cmd, CLI_USAGE, "--cost: '%s' is not one of --columns", cl[q]);
                segcli_free_list(cl, nc);
                free(cols);
                free(isc);
                return CLI_USAGE;
            }
            isc[j] = 1;
        }
        segcli_free_list(cl, nc);
    }
    size_t n = st_table_nrows(t);
    double *x = segcli_matrix(t, cols, d);
    size_t *keep = malloc((n ? n : 1) * sizeof *keep);
    w->entropy = calloc(d, sizeof(double));
    w->eta = calloc(d, sizeof(double));
    w->theta = calloc(d, sizeof(double));
    w->omega = calloc(d, sizeof(double));
    int code = CLI_OK;
    double *xs = NULL, *ahp = NULL;
    if (!x || !keep || !w->entropy || !w->eta || !w->theta || !w->omega) {
        code = cli_error(cmd, CLI_FAIL, "out of memory");
        goto done;
    }
    size_t m = segcli_finite_rows(x, n, d, keep);
    if (m == 0) {
        code = cli_error(cmd, CLI_FAIL, "no row has a value in every column");
        goto done;
    }
    xs = malloc(m * d * sizeof *xs);
    if (!xs) {
        code = cli_error(cmd, CLI_FAIL, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < m; i++) memcpy(xs + i * d, x + keep[i] * d, d * sizeof *xs);
    w->rows_used = m;
    st_status rc = st_weights_entropy(ctx, xs, m, d, isc, w->entropy, w->eta);
    if (rc) {
        code = cli_fail(cmd, ctx, rc);
        goto done;
    }
    if (ahp_path) {
        ahp = segcli_read_ahp(cmd, ctx, ahp_path, d);
        if (!ahp) {
            code = CLI_FAIL;
            goto done;
        }
        rc = st_ahp_weights(ctx, ahp, d, w->theta, &w->lambda_max, &w->ci, &w->cr);
        if (rc) {
            code = cli_fail(cmd, ctx, rc);
            goto done;
        }
        w->has_ahp = 1;
        if (w->cr >= 0.1)
            fprintf(stderr, "strata %s: warning: the AHP matrix is inconsistent (CR = %.4f >= 0.1)\n", cmd, w->cr);
    } else {
        for (size_t j = 0; j < d; j++) w->theta[j] = 1.0 / (double)d;
    }
    rc = st_weights_combine(ctx, w->theta, w->eta, d, w->omega);
    if (rc) {
        code = cli_fail(cmd, ctx, rc);
        goto done;
    }
    if (xnorm) {
        /* Normalise with the finite rows' ranges; rows with a gap stay NaN. */
        double *xn = malloc((n ? n : 1) * d * sizeof *xn);
        if (!xn || st_minmax_normalize(ctx, xs, m, d, isc, xs) != ST_OK) {
            free(xn);
            code = cli_error(cmd, CLI_FAIL, "out of memory");
            goto done;
        }
        for (size_t q = 0; q < n * d; q++) xn[q] = (double)NAN;
        for (size_t i = 0; i < m; i++) memcpy(xn + keep[i] * d, xs + i * d, d * sizeof *xn);
        *xnorm = xn;
    }
done:
    free(ahp);
    free(xs);
    free(x);
    free(keep);
    free(cols);
    free(isc);
    if (code != CLI_OK) segcli_weights_free(w);
    return code;
}

int cmd_weights(int argc, char **argv)
{
    const char *path = NULL, *columns = NULL, *cost = NULL, *ahp = NULL, *id = NULL, *norm_path = NULL;
    int json = 0;
    const cli_arg args[] = {
        {"--json", NULL, CLI_FLAG, &json, 0, 0, NULL},
        {"--columns", NULL, CLI_STR, &columns, 0, 0, NULL},
        {"--cost", NULL, CLI_STR, &cost, 0, 0, NULL},
        {"--ahp", NULL, CLI_STR, &ahp, 0, 0, NULL},
        {"--id", NULL, CLI_STR, &id, 0, 0, NULL},
        {"--normalized", NULL, CLI_STR, &norm_path, 0, 0, NULL},
    };
    const char *pos[1] = {NULL};
    int pr = cli_parse_args(CMD, argc, argv, 1, args, sizeof args / sizeof args[0], pos, 1, help, "one table only (got '%s' and '%s')");
    if (pr >= 0) return pr;
    path = pos[0];
    if (!path) return cli_error(CMD, CLI_USAGE, "missing TABLE.csv (see `strata weights --help`)");
    if (!columns) return cli_error(CMD, CLI_USAGE, "--columns is required");
    char **names;
    size_t d = segcli_split(CMD, "--columns", columns, &names);
    if (d == 0) return CLI_USAGE;
    st_context *ctx = cli_context(CMD);
    if (!ctx) {
        segcli_free_list(names, d);
        return CLI_FAIL;
    }
    st_table *t = segcli_read(CMD, ctx, path, id);
    int code = CLI_FAIL;
    segcli_weights w;
    double *xn = NULL;
    if (t) code = segcli_compute_weights(CMD, ctx, t, names, d, cost, ahp, &w, norm_path ? &xn : NULL);
    if (code == CLI_OK && norm_path) {
        st_table *o = NULL;
        size_t n = st_table_nrows(t);
        st_status rc = st_table_new(ctx, st_table_col_name(t, 0), n, &o);
        for (size_t i = 0; rc == ST_OK && i < n; i++) rc = st_table_set_str(o, 0, i, st_table_str(t, 0, i));
        double *col = malloc((n ? n : 1) * sizeof *col);
        if (!col && rc == ST_OK) rc = ST_ENOMEM;
        for (size_t j = 0; rc == ST_OK && j < d; j++) {
            for (size_t i = 0; i < n; i++) col[i] = xn[i * d + j];
            rc = st_table_add_f64(o, names[j], ST_COL_F64, col);
        }
        if (rc == ST_OK) rc = st_table_write_csv(ctx, o, norm_path);
        if (rc) code = cli_fail(CMD, ctx, rc);
        free(col);
        st_table_free(o);
    }
    if (code == CLI_OK) {
        if (json) {
            char *js = NULL;
            st_status rc = st_weights_to_json(ctx, (const char *const *)names, d, w.entropy, w.eta,
                                              w.has_ahp ? w.theta : NULL, w.lambda_max, w.ci, w.cr, w.omega,
                                              w.rows_used, &js, NULL);
            if (rc) code = cli_fail(CMD, ctx, rc);
            else fputs(js, stdout);
            st_free(ctx, js);
        } else {
            printf("%-20s %10s %10s %10s %10s\n", "column", "entropy", "entropy_w", "ahp_w", "combined");
            for (size_t j = 0; j < d; j++) {
                printf("%-20s %10.6f %10.6f ", names[j], w.entropy[j], w.eta[j]);
                if (w.has_ahp) printf("%10.6f", w.theta[j]);
                else printf("%10s", "-");
                printf(" %10.6f\n", w.omega[j]);
            }
            if (w.has_ahp) printf("AHP: lambda_max %.6f, CI %.6f, CR %.6f%s\n", w.lambda_max, w.ci, w.cr,
                                  w.cr >= 0.1 ? " (inconsistent: CR >= 0.1)" : "");
            printf("rows used: %zu\n", w.rows_used);
        }
        segcli_weights_free(&w);
    }
    free(xn);
    st_table_free(t);
    st_context_free(ctx);
    segcli_free_list(names, d);
    return code;
}
