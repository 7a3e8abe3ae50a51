/*
** cmd_profile.c -- `strata profile`: per-segment count, share, mean and median of R, F, M and a strategy
** line (seed 002 Table 1); with --compare, MB-RFM + SOM against classic RFM + SOM on the same customers
** (seed 002 Tables 2 and 3).
*/
#include "seg_cli.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const CMD = "profile";

static void help(void)
{
    fputs(
        "usage: strata profile TABLE.csv --segment COL [--segments SEG.csv] [--features R,F,M] [-o OUT.csv]\n"
        "       strata profile TABLE.csv --compare [--k K] [--seed S] [--epochs E] [--ahp MATRIX.csv]\n"
        "\n"
        "Profile: one row per segment of COL (in order of first appearance): segment, count, share, r_mean,\n"
        "r_median, f_mean, f_median, m_mean, m_median, strategy. The strategy line comes from the segment's\n"
        "mean R (days), F, M against the population means (retain / nurture / activate; see docs/segment.md);\n"
        "rows with an empty segment are left out.\n"
        "\n"
        "Compare: on a customer table with behaviour columns (count_<b>, days_since_<b> from `strata summarize\n"
        "--event`), segments the customers twice with the improved SOM (codebook clustered into K segments)\n"
        "and names the segments from their centroids: MB-RFM (R = sum omega_b days_since_b, F = sum omega_b\n"
        "count_b, M = revenue; omega = AHP x entropy weights) and classic RFM (recency_days, orders,\n"
        "revenue); when revenue is 0 for everyone (no amounts in the log), M = orders. Prints customers,\n"
        "key customers and their rate, non-valuable customers and their rate,\n"
        "silhouette and Davies-Bouldin (on z-scored features) for each. The default AHP matrix ranks\n"
        "behaviours purchase/buy 4 > cart 3 > fav 2 > anything else 1 (a consistent matrix p_i/p_j).\n"
        "\n"
        "Options:\n"
        "  --segment COL      segment column (profile mode)\n"
        "  --segments FILE    take COL from FILE (e.g. the output of `strata segment`), matched on the id\n"
        "                     column; rows of TABLE without a match are left out\n"
        "  --features LIST    R (days), F, M columns [recency_days,orders,revenue]\n"
        "  --id COL           key column [customer_id, or row numbers when absent]\n"
        "  --compare          comparison mode\n"
        "  --k K              segments per model in comparison mode [7]\n"
        "  --seed S           random seed [42]\n"
        "  --epochs E         SOM epochs [20]\n"
        "  --ahp FILE         behaviour pairwise comparison matrix, in the order the count_<b> columns appear\n"
        "  --json             comparison mode: print JSON instead of a table\n"
        "  -o, --output FILE  profile CSV [- = standard output]\n",
        stdout);
}

static int profile(st_context *ctx, st_table *t, const char *segcol, char **names, const char *out)
{
    size_t cols[3];
    if (!segcli_columns(CMD, t, names, 3, cols)) return CLI_FAIL;
    long sc = st_table_find(t, segcol);
    if (sc < 0) return cli_error(CMD, CLI_FAIL, "no column '%s' in the table", segcol);
    char **lnames = NULL;
    size_t k = 0, n = st_table_nrows(t);
    int32_t *lab = segcli_labels(CMD, t, (size_t)sc, &lnames, &k);
    if (!lab) return CLI_FAIL;
    int code = CLI_FAIL;
    int32_t *codes = malloc((n ? n : 1) * sizeof *codes);
    int32_t *map_v = NULL;
    size_t nk = 0;
    if (!codes) goto done;
    if (!lnames) {
        /* Numeric labels: renumber in order of first appearance. */
        map_v = malloc((n ? n : 1) * sizeof *map_v);
        if (!map_v) goto done;
        for (size_t i = 0; i < n; i++) {
            if (lab[i] == INT32_MIN) {
                codes[i] = -1;
                continue;
            }
            size_t q = 0;
            while (q < nk && map_v[q] != lab[i]) q++;
            if (q == nk) map_v[nk++] = lab[i];
            codes[i] = (int32_t)q;
        }
    } else {
        nk = k;
        for (size_t i = 0; i < n; i++) codes[i] = lab[i] == INT32_MIN ? -1 : lab[i];
    }
    if (nk == 0) {
        code = cli_error(CMD, CLI_FAIL, "column '%s' holds no segment", segcol);
        goto done;
    }
    size_t *count = calloc(nk, sizeof *count);
    double *mean = calloc(nk * 3, sizeof *mean), *median = calloc(nk * 3, sizeof *median);
    int32_t *cls = calloc(nk, sizeof *cls);
    st_table *o = NULL;
    st_status rc = count && mean && median && cls ? ST_OK : ST_ENOMEM;
    const double *r = st_table_f64(t, cols[0]), *f = st_table_f64(t, cols[1]), *m = st_table_f64(t, cols[2]);
    if (rc == ST_OK) rc = st_segment_profile(ctx, codes, n, nk, r, f, m, count, mean, median);
    if (rc == ST_OK) rc = st_segment_classes(ctx, codes, n, nk, r, f, m, cls);
    if (rc == ST_OK) rc = st_table_new(ctx, "segment", nk, &o);
    size_t total = 0;
    for (size_t s = 0; rc == ST_OK && s < nk; s++) total += count[s];
    for (size_t s = 0; rc == ST_OK && s < nk; s++) {
        char buf[32];
        if (lnames) rc = st_table_set_str(o, 0, s, lnames[s]);
        else {
            snprintf(buf, sizeof buf, "%ld", (long)map_v[s]);
            rc = st_table_set_str(o, 0, s, buf);
        }
    }
    double *v = malloc(nk * sizeof *v);
    if (!v && rc == ST_OK) rc = ST_ENOMEM;
    if (rc == ST_OK) {
        for (size_t s = 0; s < nk; s++) v[s] = (double)count[s];
        rc = st_table_add_f64(o, "count", ST_COL_F64, v);
    }
    if (rc == ST_OK) {
        for (size_t s = 0; s < nk; s++) v[s] = total ? (double)count[s] / (double)total : 0.0;
        rc = st_table_add_f64(o, "share", ST_COL_F64, v);
    }
    const char *cn[6] = {"r_mean", "r_median", "f_mean", "f_median", "m_mean", "m_median"};
    for (int c = 0; c < 6 && rc == ST_OK; c++) {
        for (size_t s = 0; s < nk; s++) v[s] = (c % 2 ? median : mean)[s * 3 + (size_t)(c / 2)];
        rc = st_table_add_f64(o, cn[c], ST_COL_F64, v);
    }
    if (rc == ST_OK) rc = st_table_add_str(o, "strategy");
    for (size_t s = 0; rc == ST_OK && s < nk; s++)
        rc = st_table_set_str(o, st_table_ncols(o) - 1, s, st_value_segment_strategy(cls[s]));
    if (rc == ST_OK) rc = st_table_write_csv(ctx, o, out);
    code = rc ? cli_fail(CMD, ctx, rc) : CLI_OK;
    free(v);
    st_table_free(o);
    free(count);
    free(mean);
    free(median);
    free(cls);
done:
    free(map_v);
    free(codes);
    free(lab);
    segcli_free_list(lnames, k);
    return code;
}

static double behaviour_priority(const char *b)
{
    if (strcmp(b, "purchase") == 0 || strcmp(b, "buy") == 0 || strcmp(b, "order") == 0) return 4;
    if (strcmp(b, "cart") == 0 || strcmp(b, "addtocart") == 0) return 3;
    if (strcmp(b, "fav") == 0 || strcmp(b, "favorite") == 0 || strcmp(b, "collect") == 0) return 2;
    return 1;
}

typedef struct {
    size_t customers, key, nonval;
    double sil, db;
} cmp_result;

/* The improved SOM segmentation of x (m x 3 raw R, F, M) and its key / non-valuable counts. */
static st_status run_model(st_context *ctx, const double *x, size_t m, size_t k, uint64_t seed, int epochs,
                           cmp_result *res)
{
    st_segment_options o;
    st_segment_options_init(&o);
    o.method = ST_SEGMENT_SOM;
    o.k = k;
    o.seed = seed;
    o.som.epochs = epochs;
    st_segmentation *seg = NULL;
    st_status rc = st_segment_run(ctx, x, m, 3, &o, &seg);
    if (rc) return rc;
    const int32_t *lab = st_segmentation_labels(seg);
    const st_segment_quality *q = st_segmentation_quality(seg);
    res->customers = m;
    res->key = res->nonval = 0;
    for (size_t i = 0; i < m; i++) {
        int cls = st_segmentation_class(seg, (size_t)lab[i]);
        res->key += cls == 7;
        res->nonval += cls == 0;
    }
    res->sil = q->silhouette;
    res->db = q->davies_bouldin;
    st_segmentation_free(seg);
    return ST_OK;
}

static int compare(st_context *ctx, st_table *t, long k, unsigned long long seed, long epochs, const char *ahp_path,
                   bool json)
{
    size_t n = st_table_nrows(t), nc = st_table_ncols(t);
    size_t bc[15], bd[15], nb = 0;
    char bname[15][64];
    for (size_t j = 1; j < nc && nb < 15; j++) {
        const char *c = st_table_col_name(t, j);
        if (strncmp(c, "count_", 6) != 0 || !st_table_f64(t, j)) continue;
        char dn[96];
        snprintf(dn, sizeof dn, "days_since_%s", c + 6);
        long dj = st_table_find(t, dn);
        if (dj < 0 || !st_table_f64(t, (size_t)dj)) continue;
        bc[nb] = j;
        bd[nb] = (size_t)dj;
        snprintf(bname[nb], sizeof bname[nb], "%s", c + 6);
        nb++;
    }
    if (nb == 0)
        return cli_error(CMD, CLI_FAIL, "--compare needs behaviour columns count_<b> and days_since_<b> "
                                        "(from `strata summarize --event COL`)");
    long rj = st_table_find(t, "recency_days"), fj = st_table_find(t, "orders"), mj = st_table_find(t, "revenue");
    if (rj < 0 || fj < 0 || mj < 0 || !st_table_f64(t, (size_t)rj) || !st_table_f64(t, (size_t)fj) ||
        !st_table_f64(t, (size_t)mj))
        return cli_error(CMD, CLI_FAIL, "--compare needs numeric recency_days, orders and revenue columns");
    const double *R = st_table_f64(t, (size_t)rj), *F = st_table_f64(t, (size_t)fj), *M = st_table_f64(t, (size_t)mj);
    /* Logs without amounts (Taobao UserBehavior) have revenue 0 everywhere: M is then the purchase count. */
    bool no_money = true;
    for (size_t i = 0; i < n && no_money; i++) no_money = !(isfinite(M[i]) && M[i] != 0);
    if (no_money) {
        M = F;
        fprintf(stderr, "strata %s: revenue is 0 for every customer: M = orders\n", CMD);
    }
    double *days = malloc((n ? n : 1) * nb * sizeof *days), *cnt = malloc((n ? n : 1) * nb * sizeof *cnt);
    double *mr = malloc((n ? n : 1) * sizeof *mr), *mf = malloc((n ? n : 1) * sizeof *mf);
    double *ahp = NULL, omega[15];
    double *xa = malloc((n ? n : 1) * 3 * sizeof *xa), *xb = malloc((n ? n : 1) * 3 * sizeof *xb);
    int code = CLI_FAIL;
    if (!days || !cnt || !mr || !mf || !xa || !xb) {
        code = cli_error(CMD, CLI_FAIL, "out of memory");
        goto done;
    }
    /* Customers with no purchase (empty recency_days) are left out of both models: same customers. */
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(R[i]) || !isfinite(F[i]) || !isfinite(M[i])) continue;
        int ok = 1;
        for (size_t b = 0; b < nb; b++) ok &= isfinite(st_table_f64(t, bc[b])[i]);
        if (!ok) continue;
        for (size_t b = 0; b < nb; b++) {
            days[m * nb + b] = st_table_f64(t, bd[b])[i];
            cnt[m * nb + b] = st_table_f64(t, bc[b])[i];
        }
        xb[m * 3] = R[i];
        xb[m * 3 + 1] = F[i];
        xb[m * 3 + 2] = M[i];
        m++;
    }
    if (m < 3) {
        code = cli_error(CMD, CLI_FAIL, "too few customers with a purchase (%zu)", m);
        goto done;
    }
    if (ahp_path) {
        ahp = segcli_read_ahp(CMD, ctx, ahp_path, nb);
        if (!ahp) goto done;
    } else {
        ahp = malloc(nb * nb * sizeof *ahp);
        if (!ahp) goto done;
        for (size_t a = 0; a < nb; a++)
            for (size_t b = 0; b < nb; b++)
                ahp[a * nb + b] = behaviour_priority(bname[a]) / behaviour_priority(bname[b]);
    }
    st_status rc = st_mbrfm_scores(ctx, days, cnt, m, nb, ahp, omega, mr, mf);
    if (rc) {
        code = cli_fail(CMD, ctx, rc);
        goto done;
    }
    for (size_t i = 0; i < m; i++) {
        xa[i * 3] = mr[i];
        xa[i * 3 + 1] = mf[i];
        xa[i * 3 + 2] = xb[i * 3 + 2];
    }
    cmp_result ra, rb;
    rc = run_model(ctx, xa, m, (size_t)k, seed, (int)epochs, &ra);
    if (rc == ST_OK) rc = run_model(ctx, xb, m, (size_t)k, seed, (int)epochs, &rb);
    if (rc) {
        code = cli_fail(CMD, ctx, rc);
        goto done;
    }
    const cmp_result *rr[2] = {&ra, &rb};
    const char *mn[2] = {"MB-RFM+SOM", "RFM+SOM"};
    if (json) {
        const char *bn[sizeof bname / sizeof bname[0]];
        for (size_t b = 0; b < nb; b++) bn[b] = bname[b];
        size_t ncust[2] = {ra.customers, rb.customers}, nk[2] = {ra.key, rb.key}, nv[2] = {ra.nonval, rb.nonval};
        double sil[2] = {ra.sil, rb.sil}, db[2] = {ra.db, rb.db};
        char *js = NULL;
        rc = st_profile_compare_to_json(ctx, bn, omega, nb, mn, 2, ncust, nk, nv, sil, db, &js, NULL);
        if (rc) {
            code = cli_fail(CMD, ctx, rc);
            goto done;
        }
        fputs(js, stdout);
        st_free(ctx, js);
    } else {
        printf("behaviour weights (AHP x entropy):");
        for (size_t b = 0; b < nb; b++) printf(" %s %.4f", bname[b], omega[b]);
        printf("\n%-12s %9s %6s %8s %12s %17s %10s %14s\n", "model", "customers", "key", "key_rate", "non_valuable",
               "non_valuable_rate", "silhouette", "davies_bouldin");
        for (int q = 0; q < 2; q++)
            printf("%-12s %9zu %6zu %8.3f %12zu %17.3f %10.3f %14.3f\n", mn[q], rr[q]->customers, rr[q]->key,
                   (double)rr[q]->key / (double)rr[q]->customers, rr[q]->nonval,
                   (double)rr[q]->nonval / (double)rr[q]->customers, rr[q]->sil, rr[q]->db);
    }
    code = CLI_OK;
done:
    free(days);
    free(cnt);
    free(mr);
    free(mf);
    free(ahp);
    free(xa);
    free(xb);
    return code;
}

typedef struct {
    const char *key;
    size_t row;
} key_row;

static int cmp_key(const void *a, const void *b)
{
    return strcmp(((const key_row *)a)->key, ((const key_row *)b)->key);
}

/* Adds column col of table s to t as a string column named col, matching rows on the key column. */
static int join_segments(st_context *ctx, st_table *t, const st_table *s, const char *col)
{
    long sc = st_table_find(s, col);
    if (sc < 0) return cli_error(CMD, CLI_FAIL, "no column '%s' in the segments file", col);
    if (st_table_find(t, col) >= 0)
        return cli_error(CMD, CLI_FAIL, "TABLE already has a column '%s'; drop --segments", col);
    size_t ns = st_table_nrows(s), n = st_table_nrows(t);
    key_row *idx = malloc((ns ? ns : 1) * sizeof *idx);
    if (!idx) return cli_error(CMD, CLI_FAIL, "out of memory");
    for (size_t i = 0; i < ns; i++) idx[i] = (key_row){st_table_str(s, 0, i), i};
    qsort(idx, ns, sizeof *idx, cmp_key);
    st_status rc = st_table_add_str(t, col);
    size_t tc = st_table_ncols(t) - 1;
    const double *num = st_table_f64(s, (size_t)sc);
    for (size_t i = 0; rc == ST_OK && i < n; i++) {
        key_row q = {st_table_str(t, 0, i), 0};
        key_row *hit = bsearch(&q, idx, ns, sizeof *idx, cmp_key);
        if (!hit) continue;
        char buf[40];
        const char *v;
        if (num) {
            if (!isfinite(num[hit->row])) continue;
            snprintf(buf, sizeof buf, "%.17g", num[hit->row]);
            v = buf;
        } else {
            v = st_table_str(s, (size_t)sc, hit->row);
        }
        rc = st_table_set_str(t, tc, i, v);
    }
    free(idx);
    return rc ? cli_fail(CMD, ctx, rc) : CLI_OK;
}

int cmd_profile(int argc, char **argv)
{
    const char *path = NULL, *segcol = NULL, *features = "recency_days,orders,revenue", *id = NULL, *out = "-";
    const char *ahp = NULL, *segfile = NULL;
    int cmp = 0, json = 0;
    long k = 7, epochs = 20;
    unsigned long long seed = 42;
    const cli_arg args[] = {
        {"--compare", NULL, CLI_FLAG, &cmp, 0, 0, NULL},
        {"--json", NULL, CLI_FLAG, &json, 0, 0, NULL},
        {"--segment", NULL, CLI_STR, &segcol, 0, 0, NULL},
        {"--features", NULL, CLI_STR, &features, 0, 0, NULL},
        {"--id", NULL, CLI_STR, &id, 0, 0, NULL},
        {"--ahp", NULL, CLI_STR, &ahp, 0, 0, NULL},
        {"--segments", NULL, CLI_STR, &segfile, 0, 0, NULL},
        {"--output", "-o", CLI_STR, &out, 0, 0, NULL},
        {"--k", NULL, CLI_INT, &k, 2, 1000, NULL},
        {"--epochs", NULL, CLI_INT, &epochs, 1, 100000, NULL},
        {"--seed", NULL, CLI_U64, &seed, 0, 0, NULL},
    };
    const char *pos[1] = {NULL};
    int pr = cli_parse_args(CMD, argc, argv, 1, args, sizeof args / sizeof args[0], pos, 1, help, "one table only (got '%s' and '%s')");
    if (pr >= 0) return pr;
    path = pos[0];
    if (!path) return cli_error(CMD, CLI_USAGE, "missing TABLE.csv (see `strata profile --help`)");
    if (!cmp && !segcol) return cli_error(CMD, CLI_USAGE, "--segment COL is required (or --compare)");
    char **names;
    size_t d = segcli_split(CMD, "--features", features, &names);
    if (d == 0) return CLI_USAGE;
    if (d != 3) {
        segcli_free_list(names, d);
        return cli_error(CMD, CLI_USAGE, "--features needs three columns: R (days), F, M");
    }
    st_context *ctx = cli_context(CMD);
    st_table *t = ctx ? segcli_read(CMD, ctx, path, id) : NULL;
    int code = CLI_FAIL;
    if (t && segfile && !cmp) {
        st_table *s = segcli_read(CMD, ctx, segfile, id);
        code = s ? join_segments(ctx, t, s, segcol) : CLI_FAIL;
        st_table_free(s);
        if (code != CLI_OK) {
            st_table_free(t);
            t = NULL;
        }
    }
    if (t) code = cmp ? compare(ctx, t, k, seed, epochs, ahp, json) : profile(ctx, t, segcol, names, out);
    st_table_free(t);
    st_context_free(ctx);
    segcli_free_list(names, d);
    return code;
}
