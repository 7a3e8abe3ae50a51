/*
** cmd_segment.c -- `strata segment`: one segmentation of a customer table (classic RFM quintiles, the
** eight-class RFM cube, k-means or the improved SOM of seed 002) with named segments, optional quality
** figures, SOM codebook and U-matrix; a shim over the segment-stage functions of strata.h.
*/
#include "seg_cli.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const CMD = "segment";

static void help(void)
{
    fputs(
        "usage: strata segment TABLE.csv --method rfm|rfm8|kmeans|som [options] -o OUT.csv\n"
        "\n"
        "Methods:\n"
        "  rfm     quintile scores 1-5 (R reversed: most recent = 5; tied values share a score) and the 11\n"
        "          named segments in priority order (Champions, Can't Lose Them, Loyal Customers, Need\n"
        "          Attention, At Risk, New Customers, Promising, Potential Loyalist, About To Sleep, Lost,\n"
        "          Hibernating), \"Others\" when none matches; rfm_score = 100 R + 10 F + M\n"
        "  rfm8    each of R, F, M above or below its mean (R: fewer days than the mean is high; strict):\n"
        "          Key/General value, development, retention, recovery\n"
        "  kmeans  k-means++ with --n-init restarts, Lloyd iterations to convergence\n"
        "  som     improved SOM (exponentially decaying learning rate and Gaussian radius with a floor),\n"
        "          then its codebook clustered into --k segments by k-means weighted by hits; each row\n"
        "          maps through its best-matching unit\n"
        "kmeans and som segments are named from their centroid's R (days), F, M against the population\n"
        "means (the first three --features are read as R, F, M): Key customers, Key developing, Key\n"
        "retention, Key recovery, General maintenance, General developing, General retention, Non-valuable\n"
        "(a repeated name gets \" 2\", \" 3\"). Rows with a missing feature (e.g. no purchase: empty\n"
        "recency_days) get segment \"No purchase\" and an empty segment_id.\n"
        "\n"
        "Options:\n"
        "  --method M            rfm, rfm8, kmeans or som (required)\n"
        "  --features LIST       feature columns [recency_days,orders,revenue]\n"
        "  --k K                 segments for kmeans and som [5]\n"
        "  --seed S              random seed [42]\n"
        "  --scale S             minmax, zscore or none, before kmeans/som and metrics [zscore]\n"
        "  --n-init N            k-means restarts [3]\n"
        "  --grid RxC            SOM grid [10x10]\n"
        "  --epochs E            SOM training epochs [20]\n"
        "  --topology T          rect or hex [hex]\n"
        "  --train T             online or batch [online]\n"
        "  --id COL              key column [customer_id, else the table's first column]\n"
        "  --metrics FILE        write a JSON object: silhouette, davies_bouldin, calinski_harabasz (on the\n"
        "                        scaled features of rows with every feature), plus inertia (kmeans) or\n"
        "                        quantization_error, topographic_error (som); the exact silhouette is\n"
        "                        O(n^2), so above 10000 rows it uses a random sample of 10000 rows\n"
        "                        drawn from --seed (silhouette_rows says how many)\n"
        "  --codebook FILE       som: write the codebook (scaled units) with hits and segment per unit\n"
        "  --umatrix FILE        som: write the U-matrix (mean distance of each unit to its grid neighbours)\n"
        "  --threads N           worker threads [2]; results do not depend on it\n"
        "  -o, --output FILE     output CSV [- = standard output]: the id, segment_id, segment, then\n"
        "                        r_score, f_score, m_score, rfm_score (rfm) or bmu (som)\n",
        stdout);
}

typedef struct {
    const char *method, *features, *scale, *grid, *topology, *train, *id, *metrics, *codebook, *umatrix;
    const char *out;
    long k, n_init, epochs, threads;
    unsigned long long seed;
} seg_args;

/* cli_parse_args' result: -1 parsed, CLI_OK after --help, CLI_USAGE after a message. */
static int parse_args(int argc, char **argv, seg_args *a, const char **path)
{
    const cli_arg args[] = {
        {"--method", NULL, CLI_STR, &a->method, 0, 0, NULL},
        {"--features", NULL, CLI_STR, &a->features, 0, 0, NULL},
        {"--scale", NULL, CLI_STR, &a->scale, 0, 0, NULL},
        {"--grid", NULL, CLI_STR, &a->grid, 0, 0, NULL},
        {"--topology", NULL, CLI_STR, &a->topology, 0, 0, NULL},
        {"--train", NULL, CLI_STR, &a->train, 0, 0, NULL},
        {"--id", NULL, CLI_STR, &a->id, 0, 0, NULL},
        {"--metrics", NULL, CLI_STR, &a->metrics, 0, 0, NULL},
        {"--codebook", NULL, CLI_STR, &a->codebook, 0, 0, NULL},
        {"--umatrix", NULL, CLI_STR, &a->umatrix, 0, 0, NULL},
        {"--output", "-o", CLI_STR, &a->out, 0, 0, NULL},
        {"--k", NULL, CLI_INT, &a->k, 1, 100000, NULL},
        {"--n-init", NULL, CLI_INT, &a->n_init, 1, 1000, NULL},
        {"--epochs", NULL, CLI_INT, &a->epochs, 1, 1000000, NULL},
        {"--threads", NULL, CLI_INT, &a->threads, 0, 256, NULL},
        {"--seed", NULL, CLI_U64, &a->seed, 0, 0, NULL},
    };
    return cli_parse_args(CMD, argc, argv, 1, args, sizeof args / sizeof args[0], path, 1, help,
                          "one table only (got '%s' and '%s')");
}

/* Reads the table and finds the output key: --id, else customer_id, else the table's first column, named as
** in the input. Read with numbered rows (key NULL), a string key column already holds the keys as written; a
** numeric one is read again from the file as the key, so ids such as 00042 keep their digits (standard
** input cannot be read twice: there the numbers are written in their shortest form). *keys is a table to
** free, or NULL; the keys are column *col of *src. Returns the table, or NULL after printing. */
static st_table *read_keyed(st_context *ctx, const char *path, const char *id, const st_table **src, size_t *col,
                            st_table **keys)
{
    st_table *t = NULL;
    *keys = NULL;
    *col = 0;
    bool in = strcmp(path, "-") == 0;
    st_status rc = st_table_read_csv(ctx, path, id ? id : in ? NULL : "customer_id", &t);
    if (rc == ST_ENOTFOUND && !id) {
        st_clear_error(ctx);
        rc = st_table_read_csv(ctx, path, NULL, &t);
    }
    if (rc) {
        cli_fail(CMD, ctx, rc);
        return NULL;
    }
    *src = t;
    if (id || strcmp(st_table_col_name(t, 0), "customer_id") == 0 || st_table_ncols(t) < 2) return t;
    long c = st_table_find(t, "customer_id");
    *col = c > 0 ? (size_t)c : 1;
    if (st_table_f64(t, *col) && !in) {
        if ((rc = st_table_read_csv(ctx, path, st_table_col_name(t, *col), keys)) != ST_OK) {
            cli_fail(CMD, ctx, rc);
            st_table_free(t);
            return NULL;
        }
        *src = *keys;
        *col = 0;
    }
    return t;
}

static st_status set_key(st_table *o, const st_table *src, size_t col, size_t i)
{
    const double *v = st_table_f64(src, col);
    if (!v) return st_table_set_str(o, 0, i, st_table_str(src, col, i));
    char buf[40] = "";
    if (isfinite(v[i])) {
        for (int prec = 15; prec <= 17; prec++) {
            snprintf(buf, sizeof buf, "%.*g", prec, v[i]);
            if (strtod(buf, NULL) == v[i]) break;
        }
    }
    return st_table_set_str(o, 0, i, buf);
}

/* The codebook (pass 0) or the U-matrix (pass 1) of a SOM segmentation as a unit table. */
static st_status write_units(st_context *ctx, const st_segmentation *seg, const st_som_options *so,
                             char *const *names, size_t d, const char *path, int pass)
{
    const st_som *som = st_segmentation_som(seg);
    size_t U = st_som_units(som), n = st_segmentation_rows(seg);
    const int32_t *bmu = st_segmentation_bmu(seg), *ul = st_segmentation_unit_labels(seg);
    double *v = malloc(U * sizeof *v), *hits = calloc(U, sizeof *hits);
    st_table *cb = NULL;
    st_status rc = v && hits ? st_table_new(ctx, "unit", U, &cb) : ST_ENOMEM;
    for (size_t i = 0; rc == ST_OK && i < n; i++)
        if (bmu[i] >= 0) hits[bmu[i]] += 1;
    char buf[32];
    for (size_t u = 0; rc == ST_OK && u < U; u++) {
        snprintf(buf, sizeof buf, "%zu", u);
        rc = st_table_set_str(cb, 0, u, buf);
    }
    const char *gn[4] = {"row", "col", "x", "y"};
    for (int g = 0; rc == ST_OK && g < 4; g++) {
        for (size_t u = 0; u < U; u++) {
            double gx = 0, gy = 0;
            st_som_unit_xy(som, u, &gx, &gy);
            v[u] = g == 0 ? (double)(u / so->cols) : g == 1 ? (double)(u % so->cols) : g == 2 ? gx : gy;
        }
        rc = st_table_add_f64(cb, gn[g], ST_COL_F64, v);
    }
    if (rc == ST_OK && pass == 0) {
        const double *code_book = st_som_codebook(som);
        for (size_t j = 0; rc == ST_OK && j < d; j++) {
            for (size_t u = 0; u < U; u++) v[u] = code_book[u * d + j];
            rc = st_table_add_f64(cb, names[j], ST_COL_F64, v);
        }
        if (rc == ST_OK) rc = st_table_add_f64(cb, "hits", ST_COL_F64, hits);
        for (size_t u = 0; u < U; u++) v[u] = (double)ul[u];
        if (rc == ST_OK) rc = st_table_add_f64(cb, "segment_id", ST_COL_F64, v);
    } else if (rc == ST_OK) {
        if ((rc = st_som_umatrix(som, v)) == ST_OK) rc = st_table_add_f64(cb, "umatrix", ST_COL_F64, v);
    }
    if (rc == ST_OK) rc = st_table_write_csv(ctx, cb, path);
    st_table_free(cb);
    free(v);
    free(hits);
    return rc;
}

int cmd_segment(int argc, char **argv)
{
    seg_args a = {NULL, "recency_days,orders,revenue", "zscore", "10x10", "hex", "online", NULL, NULL, NULL,
                  NULL, "-", 5, 3, 20, -1, 42};
    const char *path = NULL;
    int pc = parse_args(argc, argv, &a, &path);
    if (pc >= 0) return pc;
    if (!path) return cli_error(CMD, CLI_USAGE, "missing TABLE.csv (see `strata segment --help`)");
    if (!a.method) return cli_error(CMD, CLI_USAGE, "--method is required (rfm, rfm8, kmeans or som)");
    int method = strcmp(a.method, "rfm") == 0 ? 0 : strcmp(a.method, "rfm8") == 0 ? 1
               : strcmp(a.method, "kmeans") == 0 ? 2 : strcmp(a.method, "som") == 0 ? 3 : -1;
    if (method < 0) return cli_error(CMD, CLI_USAGE, "--method: '%s' is not rfm, rfm8, kmeans or som", a.method);
    st_scale scale;
    if (strcmp(a.scale, "zscore") == 0) scale = ST_SCALE_ZSCORE;
    else if (strcmp(a.scale, "minmax") == 0) scale = ST_SCALE_MINMAX;
    else if (strcmp(a.scale, "none") == 0) scale = ST_SCALE_NONE;
    else return cli_error(CMD, CLI_USAGE, "--scale: '%s' is not minmax, zscore or none", a.scale);
    st_som_options so;
    st_som_options_init(&so);
    {
        char *e1, *e2;
        unsigned long r = strtoul(a.grid, &e1, 10);
        unsigned long c = (*e1 == 'x' || *e1 == 'X') ? strtoul(e1 + 1, &e2, 10) : 0;
        if (e1 == a.grid || r == 0 || c == 0 || r > 1000 || c > 1000 || *e2 != '\0')
            return cli_error(CMD, CLI_USAGE, "--grid: '%s' is not ROWSxCOLS (e.g. 10x10)", a.grid);
        so.rows = r;
        so.cols = c;
    }
    if (strcmp(a.topology, "hex") == 0) so.topology = ST_SOM_HEX;
    else if (strcmp(a.topology, "rect") == 0) so.topology = ST_SOM_RECT;
    else return cli_error(CMD, CLI_USAGE, "--topology: '%s' is not rect or hex", a.topology);
    if (strcmp(a.train, "online") == 0) so.training = ST_SOM_ONLINE;
    else if (strcmp(a.train, "batch") == 0) so.training = ST_SOM_BATCH;
    else return cli_error(CMD, CLI_USAGE, "--train: '%s' is not online or batch", a.train);
    so.epochs = (int)a.epochs;
    so.seed = a.seed;
    if ((a.codebook || a.umatrix) && method != 3)
        return cli_error(CMD, CLI_USAGE, "--codebook and --umatrix need --method som");

    char **names;
    size_t d = segcli_split(CMD, "--features", a.features, &names);
    if (d == 0) return CLI_USAGE;
    if (method <= 1 && d != 3) {
        segcli_free_list(names, d);
        return cli_error(CMD, CLI_USAGE, "--method %s needs exactly three features: R (days), F, M", a.method);
    }
    st_context *ctx = cli_context(CMD);
    if (!ctx) {
        segcli_free_list(names, d);
        return CLI_FAIL;
    }
    if (a.threads >= 0) st_context_set_threads(ctx, (int)a.threads);
    st_segment_options opts;
    st_segment_options_init(&opts);
    opts.method = method == 0 ? ST_SEGMENT_RFM : method == 1 ? ST_SEGMENT_RFM8 : method == 2 ? ST_SEGMENT_KMEANS
                                                                                           : ST_SEGMENT_SOM;
    opts.scale = scale;
    opts.k = (size_t)a.k;
    opts.n_init = (int)a.n_init;
    opts.seed = a.seed;
    opts.som = so;
    opts.quality = a.metrics != NULL;
    int code = CLI_FAIL;
    st_status rc = ST_OK;
    st_table *o = NULL, *keys = NULL;
    const st_table *ks = NULL;
    size_t kcol = 0;
    st_table *t = read_keyed(ctx, path, a.id, &ks, &kcol, &keys);
    st_segmentation *seg = NULL;
    double *x = NULL, *col = NULL;
    size_t n = 0;
    char *json = NULL;
    if (!t) goto done;
    if ((rc = st_table_matrix(ctx, t, (const char *const *)names, d, 0, &x, NULL, &n)) != ST_OK) {
        code = cli_error(CMD, CLI_FAIL, "%s", st_errmsg(ctx));
        goto done;
    }
    if ((rc = st_segment_run(ctx, x, n, d, &opts, &seg)) != ST_OK) {
        if (rc == ST_EEMPTY) code = cli_error(CMD, CLI_FAIL, "%s", st_errmsg(ctx));
        else goto fail;
        goto done;
    }
    if (a.codebook && (rc = write_units(ctx, seg, &so, names, d, a.codebook, 0)) != ST_OK) goto fail;
    if (a.umatrix && (rc = write_units(ctx, seg, &so, names, d, a.umatrix, 1)) != ST_OK) goto fail;

    /* Output table: the key, segment_id, segment, then the scores (rfm) or the BMU (som). */
    const int32_t *lab = st_segmentation_labels(seg);
    const char *keyname = st_table_col_name(ks, kcol);
    if ((rc = st_table_new(ctx, keyname, n, &o)) != ST_OK) goto fail;
    for (size_t i = 0; i < n && rc == ST_OK; i++) rc = set_key(o, ks, kcol, i);
    col = malloc((n ? n : 1) * sizeof *col);
    if (!col) goto oom;
    for (size_t i = 0; i < n; i++) col[i] = lab[i] < 0 ? (double)NAN : (double)lab[i];
    if (rc == ST_OK) rc = st_table_add_f64(o, "segment_id", ST_COL_F64, col);
    if (rc == ST_OK) rc = st_table_add_str(o, "segment");
    for (size_t i = 0; i < n && rc == ST_OK; i++) rc = st_table_set_str(o, 2, i, st_segmentation_name(seg, lab[i]));
    if (method == 0) {
        const char *sn[4] = {"r_score", "f_score", "m_score", "rfm_score"};
        for (int q = 0; q < 4 && rc == ST_OK; q++) {
            const int32_t *sc = st_segmentation_scores(seg, q);
            for (size_t i = 0; i < n; i++) col[i] = lab[i] < 0 ? (double)NAN : (double)sc[i];
            rc = st_table_add_f64(o, sn[q], ST_COL_F64, col);
        }
    } else if (method == 3 && rc == ST_OK) {
        const int32_t *bmu = st_segmentation_bmu(seg);
        for (size_t i = 0; i < n; i++) col[i] = bmu[i] < 0 ? (double)NAN : (double)bmu[i];
        rc = st_table_add_f64(o, "bmu", ST_COL_F64, col);
    }
    if (rc) goto fail;
    if (a.metrics) {
        const st_segment_quality *q = st_segmentation_quality(seg);
        if (q->k < 2 || q->k > q->rows - 1)
            fprintf(stderr,
                    "strata %s: warning: no quality metrics: davies-bouldin: number of labels is %zu; valid values "
                    "are 2 to n_samples - 1 (inclusive)\n",
                    CMD, q->k);
        size_t len;
        if ((rc = st_segmentation_to_json(ctx, seg, &json, &len)) != ST_OK) goto fail;
        if ((rc = st_file_write_atomic(ctx, a.metrics, json, len)) != ST_OK) goto fail;
    }
    if ((rc = st_table_write_csv(ctx, o, a.out)) != ST_OK) goto fail;
    code = CLI_OK;
    goto done;
oom:
    code = cli_error(CMD, CLI_FAIL, "out of memory");
    goto done;
fail:
    code = cli_fail(CMD, ctx, rc);
done:
    st_segmentation_json_free(ctx, json);
    st_segmentation_free(seg);
    st_table_matrix_free(ctx, x, NULL);
    free(col);
    st_table_free(o);
    st_table_free(keys);
    st_table_free(t);
    st_context_free(ctx);
    segcli_free_list(names, d);
    return code;
}
