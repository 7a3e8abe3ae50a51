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
        "  --id COL              key column [customer_id, or row numbers when absent]\n"
        "  --metrics FILE        write a JSON object: silhouette, davies_bouldin, calinski_harabasz (on the\n"
        "                        scaled features of rows with every feature), plus inertia (kmeans) or\n"
        "                        quantization_error, topographic_error (som); the exact silhouette is\n"
        "                        O(n^2), so above 50000 rows it uses 50000 evenly spaced rows\n"
        "                        (silhouette_rows says how many)\n"
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

enum { SIL_MAX = 50000 }; /* exact silhouette is O(n^2): above this, evenly spaced rows */

/* Metrics over the kept rows (nulls when the label count is outside [2, n - 1]); *sil_rows tells how many
** rows the silhouette used. */
static void quality(st_context *ctx, const double *xz, size_t m, size_t d, const int32_t *lab, double *sil,
                    double *db, double *ch, size_t *sil_rows)
{
    *sil = *db = *ch = (double)NAN;
    *sil_rows = m;
    if (st_davies_bouldin(ctx, xz, m, d, lab, db) != ST_OK) {
        fprintf(stderr, "strata %s: warning: no quality metrics: %s\n", CMD, st_errmsg(ctx));
        st_clear_error(ctx);
        return;
    }
    st_calinski_harabasz(ctx, xz, m, d, lab, ch);
    if (m <= SIL_MAX) {
        st_silhouette(ctx, xz, m, d, lab, sil, NULL);
        return;
    }
    double *xs = malloc((size_t)SIL_MAX * d * sizeof *xs);
    int32_t *ls = malloc((size_t)SIL_MAX * sizeof *ls);
    if (xs && ls) {
        for (size_t q = 0; q < SIL_MAX; q++) {
            size_t i = (size_t)((double)q * (double)m / SIL_MAX);
            memcpy(xs + q * d, xz + i * d, d * sizeof *xs);
            ls[q] = lab[i];
        }
        if (st_silhouette(ctx, xs, SIL_MAX, d, ls, sil, NULL) == ST_OK) *sil_rows = SIL_MAX;
        else st_clear_error(ctx);
    }
    free(xs);
    free(ls);
}

static int write_metrics(const char *path, const char *method, size_t n, size_t m, size_t k, double sil, double db,
                         double ch, size_t sil_rows, const char *const *extra_keys, const double *extra,
                         size_t nextra)
{
    FILE *fp = strcmp(path, "-") == 0 ? stdout : fopen(path, "w");
    if (!fp) return cli_error(CMD, CLI_FAIL, "%s: cannot write", path);
    fprintf(fp, "{\n  \"method\": ");
    segcli_json_str(fp, method);
    fprintf(fp, ",\n  \"rows\": %zu,\n  \"rows_segmented\": %zu,\n  \"k\": %zu,\n  \"silhouette\": ", n, m, k);
    segcli_json_num(fp, sil);
    fprintf(fp, ",\n  \"silhouette_rows\": %zu", sil_rows);
    fprintf(fp, ",\n  \"davies_bouldin\": ");
    segcli_json_num(fp, db);
    fprintf(fp, ",\n  \"calinski_harabasz\": ");
    segcli_json_num(fp, ch);
    for (size_t q = 0; q < nextra; q++) {
        fprintf(fp, ",\n  ");
        segcli_json_str(fp, extra_keys[q]);
        fputs(": ", fp);
        segcli_json_num(fp, extra[q]);
    }
    fprintf(fp, "\n}\n");
    if (fp != stdout && fclose(fp) != 0) return cli_error(CMD, CLI_FAIL, "%s: write failed", path);
    return CLI_OK;
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
    int code = CLI_FAIL;
    st_status rc = ST_OK;
    st_table *t = segcli_read(CMD, ctx, path, a.id), *o = NULL;
    size_t *cols = calloc(d, sizeof *cols);
    double *x = NULL, *xs = NULL, *xz = NULL, *col = NULL;
    size_t *keep = NULL;
    int32_t *lab = NULL, *seg = NULL, *bmu = NULL, *extra[4] = {NULL, NULL, NULL, NULL};
    char **segnames = NULL;
    size_t nseg = 0, k = 0;
    st_som *som = NULL;
    if (!t || !cols || !segcli_columns(CMD, t, names, d, cols)) goto done;
    size_t n = st_table_nrows(t);
    x = segcli_matrix(t, cols, d);
    keep = malloc((n ? n : 1) * sizeof *keep);
    seg = malloc((n ? n : 1) * sizeof *seg);
    if (!x || !keep || !seg) goto oom;
    size_t m = segcli_finite_rows(x, n, d, keep);
    if (m == 0) {
        code = cli_error(CMD, CLI_FAIL, "no row has a value in every feature column");
        goto done;
    }
    /* Copies only when needed: a million rows of 8 features is 64 MB each. */
    if (m == n) {
        xs = x;
        x = NULL;
    } else {
        xs = malloc(m * d * sizeof *xs);
        if (!xs) goto oom;
        for (size_t i = 0; i < m; i++) memcpy(xs + i * d, x + keep[i] * d, d * sizeof *xs);
        free(x);
        x = NULL;
    }
    xz = scale == ST_SCALE_NONE ? xs : malloc(m * d * sizeof *xz);
    lab = malloc(m * sizeof *lab);
    if (!xz || !lab) goto oom;
    if (xz != xs && (rc = st_scale_columns(ctx, xs, m, d, scale, xz)) != ST_OK) goto fail;
    for (size_t i = 0; i < n; i++) seg[i] = -1;

    double extra_v[2] = {NAN, NAN};
    const char *extra_k[2] = {NULL, NULL};
    size_t nextra = 0;
    if (method == 0) {
        for (int q = 0; q < 4; q++)
            if (!(extra[q] = malloc(m * sizeof(int32_t)))) goto oom;
        double *r = malloc(m * 3 * sizeof *r);
        if (!r) goto oom;
        for (size_t i = 0; i < m; i++)
            for (size_t j = 0; j < 3; j++) r[j * m + i] = xs[i * 3 + j];
        rc = st_rfm_scores(ctx, r, r + m, r + 2 * m, m, extra[0], extra[1], extra[2]);
        free(r);
        if (rc) goto fail;
        for (size_t i = 0; i < m; i++) {
            extra[3][i] = 100 * extra[0][i] + 10 * extra[1][i] + extra[2][i];
            lab[i] = (int32_t)st_rfm_segment(extra[0][i], extra[1][i], extra[2][i]);
        }
        k = ST_RFM_OTHERS + 1;
    } else if (method == 1) {
        double *r = malloc(m * 3 * sizeof *r);
        if (!r) goto oom;
        for (size_t i = 0; i < m; i++)
            for (size_t j = 0; j < 3; j++) r[j * m + i] = xs[i * 3 + j];
        rc = st_rfm8(ctx, r, r + m, r + 2 * m, m, lab);
        free(r);
        if (rc) goto fail;
        k = 8;
    } else {
        k = (size_t)a.k;
        if (method == 2) {
            st_kmeans_options ko;
            st_kmeans_options_init(&ko);
            ko.k = k;
            ko.n_init = (int)a.n_init;
            ko.seed = a.seed;
            double *cent = malloc(k * d * sizeof *cent);
            if (!cent) goto oom;
            rc = st_kmeans(ctx, xz, m, d, NULL, &ko, cent, lab, &extra_v[0], NULL);
            free(cent);
            if (rc) goto fail;
            extra_k[0] = "inertia";
            nextra = 1;
        } else {
            if ((rc = st_som_train(ctx, xz, m, d, &so, &som)) != ST_OK) goto fail;
            size_t U = st_som_units(som);
            int32_t *ul = malloc(U * sizeof *ul);
            bmu = malloc(m * sizeof *bmu);
            if (!ul || !bmu) {
                free(ul);
                goto oom;
            }
            rc = st_som_cluster(ctx, som, xz, m, k, a.seed, ul);
            if (rc == ST_OK) rc = st_som_bmu(ctx, som, xz, m, bmu);
            if (rc == ST_OK && a.metrics) rc = st_som_quality(ctx, som, xz, m, &extra_v[0], &extra_v[1]);
            if (rc) {
                free(ul);
                goto fail;
            }
            for (size_t i = 0; i < m; i++) lab[i] = ul[bmu[i]];
            extra_k[0] = "quantization_error";
            extra_k[1] = "topographic_error";
            nextra = 2;
            if (a.codebook || a.umatrix) {
                double *hits = calloc(U, sizeof *hits), *um = malloc(U * sizeof *um);
                st_table *cb = NULL;
                rc = hits && um ? ST_OK : ST_ENOMEM;
                for (size_t i = 0; rc == ST_OK && i < m; i++) hits[bmu[i]] += 1;
                if (rc == ST_OK) rc = st_som_umatrix(som, um);
                for (int pass = 0; pass < 2 && rc == ST_OK; pass++) {
                    const char *p = pass == 0 ? a.codebook : a.umatrix;
                    if (!p) continue;
                    rc = st_table_new(ctx, "unit", U, &cb);
                    char buf[32];
                    double *v = rc == ST_OK ? malloc(U * sizeof *v) : NULL;
                    if (rc == ST_OK && !v) rc = ST_ENOMEM;
                    for (size_t u = 0; rc == ST_OK && u < U; u++) {
                        snprintf(buf, sizeof buf, "%zu", u);
                        rc = st_table_set_str(cb, 0, u, buf);
                    }
                    const char *gn[4] = {"row", "col", "x", "y"};
                    for (int g = 0; rc == ST_OK && g < 4; g++) {
                        for (size_t u = 0; u < U; u++) {
                            double gx = 0, gy = 0;
                            st_som_unit_xy(som, u, &gx, &gy);
                            v[u] = g == 0 ? (double)(u / so.cols) : g == 1 ? (double)(u % so.cols) : g == 2 ? gx : gy;
                        }
                        rc = st_table_add_f64(cb, gn[g], ST_COL_F64, v);
                    }
                    if (pass == 0) {
                        const double *code_book = st_som_codebook(som);
                        for (size_t j = 0; rc == ST_OK && j < d; j++) {
                            for (size_t u = 0; u < U; u++) v[u] = code_book[u * d + j];
                            rc = st_table_add_f64(cb, names[j], ST_COL_F64, v);
                        }
                        if (rc == ST_OK) rc = st_table_add_f64(cb, "hits", ST_COL_F64, hits);
                        for (size_t u = 0; u < U; u++) v[u] = (double)ul[u];
                        if (rc == ST_OK) rc = st_table_add_f64(cb, "segment_id", ST_COL_F64, v);
                    } else if (rc == ST_OK) {
                        rc = st_table_add_f64(cb, "umatrix", ST_COL_F64, um);
                    }
                    if (rc == ST_OK) rc = st_table_write_csv(ctx, cb, p);
                    free(v);
                    st_table_free(cb);
                    cb = NULL;
                }
                free(hits);
                free(um);
                if (rc) {
                    free(ul);
                    goto fail;
                }
            }
            free(ul);
        }
    }

    /* Names: fixed per id for rfm and rfm8; from centroid classes for kmeans and som. */
    nseg = k;
    segnames = calloc(k, sizeof *segnames);
    if (!segnames) goto oom;
    if (method == 0 || method == 1) {
        for (size_t s = 0; s < k; s++) {
            const char *nm = method == 0 ? st_rfm_segment_name((int)s) : st_rfm8_name((int)s);
            segnames[s] = malloc(strlen(nm) + 1);
            if (!segnames[s]) goto oom;
            strcpy(segnames[s], nm);
        }
    } else {
        int32_t *cls = malloc(k * sizeof *cls);
        if (!cls) goto oom;
        if (d >= 3) {
            double *r = malloc(m * 3 * sizeof *r);
            if (!r) {
                free(cls);
                goto oom;
            }
            for (size_t i = 0; i < m; i++)
                for (size_t j = 0; j < 3; j++) r[j * m + i] = xs[i * d + j];
            rc = st_segment_classes(ctx, lab, m, k, r, r + m, r + 2 * m, cls);
            free(r);
            if (rc) {
                free(cls);
                goto fail;
            }
        }
        for (size_t s = 0; s < k; s++) {
            char buf[96];
            if (d < 3 || cls[s] < 0) {
                snprintf(buf, sizeof buf, "Segment %zu", s);
            } else {
                int dup = 1;
                for (size_t q = 0; q < s; q++) dup += cls[q] == cls[s];
                if (dup > 1) snprintf(buf, sizeof buf, "%s %d", st_value_segment_name(cls[s]), dup);
                else snprintf(buf, sizeof buf, "%s", st_value_segment_name(cls[s]));
            }
            segnames[s] = malloc(strlen(buf) + 1);
            if (!segnames[s]) {
                free(cls);
                goto oom;
            }
            strcpy(segnames[s], buf);
        }
        free(cls);
    }

    /* Output table. */
    if ((rc = st_table_new(ctx, st_table_col_name(t, 0), n, &o)) != ST_OK) goto fail;
    for (size_t i = 0; i < n && rc == ST_OK; i++) rc = st_table_set_str(o, 0, i, st_table_str(t, 0, i));
    col = malloc((n ? n : 1) * sizeof *col);
    if (!col) goto oom;
    for (size_t i = 0; i < n; i++) col[i] = (double)NAN;
    for (size_t i = 0; i < m; i++) col[keep[i]] = (double)lab[i];
    if (rc == ST_OK) rc = st_table_add_f64(o, "segment_id", ST_COL_F64, col);
    if (rc == ST_OK) rc = st_table_add_str(o, "segment");
    for (size_t i = 0; i < n && rc == ST_OK; i++) rc = st_table_set_str(o, 2, i, "No purchase");
    for (size_t i = 0; i < m && rc == ST_OK; i++) rc = st_table_set_str(o, 2, keep[i], segnames[lab[i]]);
    if (method == 0) {
        const char *sn[4] = {"r_score", "f_score", "m_score", "rfm_score"};
        for (int q = 0; q < 4 && rc == ST_OK; q++) {
            for (size_t i = 0; i < n; i++) col[i] = (double)NAN;
            for (size_t i = 0; i < m; i++) col[keep[i]] = (double)extra[q][i];
            rc = st_table_add_f64(o, sn[q], ST_COL_F64, col);
        }
    } else if (method == 3 && rc == ST_OK) {
        for (size_t i = 0; i < n; i++) col[i] = (double)NAN;
        for (size_t i = 0; i < m; i++) col[keep[i]] = (double)bmu[i];
        rc = st_table_add_f64(o, "bmu", ST_COL_F64, col);
    }
    if (rc) goto fail;
    if (a.metrics) {
        double sil, db, ch;
        size_t sil_rows;
        quality(ctx, xz, m, d, lab, &sil, &db, &ch, &sil_rows);
        size_t used = 0; /* distinct segments present, not the number of possible ones */
        for (size_t s = 0; s < k; s++) {
            size_t i = 0;
            while (i < m && (size_t)lab[i] != s) i++;
            used += i < m;
        }
        code = write_metrics(a.metrics, a.method, n, m, used, sil, db, ch, sil_rows, extra_k, extra_v, nextra);
        if (code) goto done;
    }
    if ((rc = st_table_write_csv(ctx, o, a.out)) != ST_OK) goto fail;
    code = CLI_OK;
    goto done;
oom:
    code = cli_error(CMD, CLI_FAIL, "out of memory");
    goto done;
fail:
    code = cli_fail(CMD, ctx, rc);
    if (code == CLI_USAGE && rc == ST_EINVAL) code = CLI_FAIL;
done:
    segcli_free_list(segnames, nseg);
    for (int q = 0; q < 4; q++) free(extra[q]);
    st_som_free(som);
    free(col);
    free(bmu);
    free(lab);
    free(seg);
    if (xz != xs) free(xz);
    free(xs);
    free(keep);
    free(x);
    free(cols);
    st_table_free(o);
    st_table_free(t);
    st_context_free(ctx);
    segcli_free_list(names, d);
    return code;
}
