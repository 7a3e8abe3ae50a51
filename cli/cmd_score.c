/*
** cmd_score.c -- `strata score`: adds a weighted composite value score, sum_j omega_j x'_j over min-max
** normalised indicators with the combined AHP x entropy weights of `strata weights`.
*/
#include "seg_cli.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const CMD = "score";

static void help(void)
{
    fputs("usage: strata score TABLE.csv --columns A,B,C [--cost B] [--ahp MATRIX.csv] [--name COL] -o OUT.csv\n"
          "\n"
          "Writes TABLE with one more column, the composite value score sum_j omega_j x'_j in [0, 1], where x'\n"
          "is the min-max normalised indicator (reversed for --cost columns) and omega the combined weights\n"
          "printed by `strata weights` with the same options. Rows with a missing indicator get an empty score.\n"
          "\n"
          "Options:\n"
          "  --columns LIST   indicator columns (required)\n"
          "  --cost LIST      columns where smaller is better\n"
          "  --ahp FILE       pairwise comparison matrix (see `strata weights --help`)\n"
          "  --name COL       name of the new column [value_score]\n"
          "  --id COL         key column [customer_id, or row numbers when absent]\n"
          "  -o, --output F   output CSV [- = standard output]\n",
          stdout);
}

int cmd_score(int argc, char **argv)
{
    const char *path = NULL, *columns = NULL, *cost = NULL, *ahp = NULL, *id = NULL, *out = "-";
    const char *name = "value_score";
    const cli_arg args[] = {
        {"--columns", NULL, CLI_STR, &columns, 0, 0, NULL},
        {"--cost", NULL, CLI_STR, &cost, 0, 0, NULL},
        {"--ahp", NULL, CLI_STR, &ahp, 0, 0, NULL},
        {"--id", NULL, CLI_STR, &id, 0, 0, NULL},
        {"--name", NULL, CLI_STR, &name, 0, 0, NULL},
        {"--output", "-o", CLI_STR, &out, 0, 0, NULL},
    };
    const char *pos[1] = {NULL};
    int pr = cli_parse_args(CMD, argc, argv, 1, args, sizeof args / sizeof args[0], pos, 1, help, "one table only (got '%s' and '%s')");
    if (pr >= 0) return pr;
    path = pos[0];
    if (!path) return cli_error(CMD, CLI_USAGE, "missing TABLE.csv (see `strata score --help`)");
    if (!columns) return cli_error(CMD, CLI_USAGE, "--columns is required");
    if (!*name) return cli_error(CMD, CLI_USAGE, "--name is empty");
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
    if (t) code = segcli_compute_weights(CMD, ctx, t, names, d, cost, ahp, &w, &xn);
    if (code == CLI_OK) {
        size_t n = st_table_nrows(t);
        double *s = malloc((n ? n : 1) * sizeof *s);
        st_status rc = s ? ST_OK : ST_ENOMEM;
        for (size_t i = 0; s && i < n; i++) {
            double v = 0;
            for (size_t j = 0; j < d; j++) v += w.omega[j] * xn[i * d + j];
            s[i] = v; /* NaN propagates for rows with a gap */
        }
        if (rc == ST_OK) rc = st_table_add_f64(t, name, ST_COL_F64, s);
        if (rc == ST_OK) rc = st_table_write_csv(ctx, t, out);
        if (rc) code = cli_fail(CMD, ctx, rc);
        free(s);
        segcli_weights_free(&w);
    }
    free(xn);
    st_table_free(t);
    st_context_free(ctx);
    segcli_free_list(names, d);
    return code;
}
