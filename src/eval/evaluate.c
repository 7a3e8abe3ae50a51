/*
** evaluate.c -- classifier evaluation (`strata evaluate`): binary metrics of a score against 0/1 labels and
** multi-class metrics of predicted against true labels, with scikit-learn 1.2's definitions (docs/evaluate.md).
*/
#include "core/internal.h"
#include "core/json.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- a stable merge sort of indices under a caller's order ---- */

typedef int (*ev_cmp)(const void *ud, size_t a, size_t b); /* < 0 when a goes before b */

static void ev_msort(size_t *idx, size_t *tmp, size_t n, ev_cmp cmp, const void *ud)
{
    for (size_t width = 1; width < n; width *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * width) {
            size_t mid = lo + width < n ? lo + width : n;
            size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
            size_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi) tmp[k++] = cmp(ud, idx[j], idx[i]) < 0 ? idx[j++] : idx[i++];
            while (i < mid) tmp[k++] = idx[i++];
            while (j < hi) tmp[k++] = idx[j++];
        }
        memcpy(idx, tmp, n * sizeof *idx);
    }
}

static int ev_cmp_score_desc(const void *ud, size_t a, size_t b)
{
    const double *s = ud;
    return s[a] > s[b] ? -1 : s[a] < s[b] ? 1 : 0;
}

static size_t *ev_order(st_context *ctx, size_t n, ev_cmp cmp, const void *ud)
{
    size_t bytes;
    if (!st__mul_ok(n ? n : 1, sizeof(size_t), &bytes)) {
        st__error(ctx, ST_ENOMEM, "evaluate: %zu rows are too many", n);
        return NULL;
    }
    size_t *idx = st__malloc(ctx, bytes);
    size_t *tmp = st__malloc(ctx, bytes);
    if (!idx || !tmp) {
        st__free(ctx, idx, bytes);
        st__free(ctx, tmp, bytes);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) idx[i] = i;
    ev_msort(idx, tmp, n, cmp, ud);
    st__free(ctx, tmp, bytes);
    return idx;
}

/* ---- compensated sums (Neumaier): long columns keep the 1e-9 agreement with numpy's pairwise sums ---- */

typedef struct ev_sum {
    double s, c;
} ev_sum;

static void ev_add(ev_sum *a, double x)
{
    double t = a->s + x;
    a->c += fabs(a->s) >= fabs(x) ? (a->s - t) + x : (x - t) + a->s;
    a->s = t;
}

static double ev_total(const ev_sum *a) { return a->s + a->c; }

/* ---- binary ---- */

/* Where a bad value is, for messages: "FILE:LINE" (line 2 = first data row) when the rows come from a file
** named source, else "evaluate: row N" (N from 1). */
typedef struct ev_src {
    const char *source;      /* NULL: arrays */
    const char *label, *other; /* quoted column names in messages; NULL: arrays */
} ev_src;

static const char *ev_where(char *buf, size_t cap, const ev_src *src, size_t i)
{
    if (src && src->source) snprintf(buf, cap, "%s:%zu", src->source, i + 2);
    else snprintf(buf, cap, "evaluate: row %zu", i + 1);
    return buf;
}

/* "label" or "label 'y'" */
static const char *ev_col(char *buf, size_t cap, const char *what, const char *name)
{
    if (name) snprintf(buf, cap, "%s '%s'", what, name);
    else snprintf(buf, cap, "%s", what);
    return buf;
}

static st_status binary_compute(st_context *ctx, const ev_src *src, const double *label, const double *score,
                                size_t n, double threshold, st_eval_binary *out)
{
    if (!ctx || !out || (n > 0 && (!label || !score)))
        return st__error(ctx, ST_EINVAL, "st_eval_binary_compute: NULL argument");
    memset(out, 0, sizeof *out);
    if (isnan(threshold)) return st__error(ctx, ST_EINVAL, "st_eval_binary_compute: threshold is NaN");
    if (n == 0) return st__error(ctx, ST_EDATA, "evaluate: no rows");
    size_t pos = 0;
    bool in_unit = true;
    char at[512], lc[256], sc[256];
    ev_col(lc, sizeof lc, "label", src ? src->label : NULL);
    ev_col(sc, sizeof sc, "score", src ? src->other : NULL);
    for (size_t i = 0; i < n; i++) {
        if (isnan(label[i]))
            return st__error(ctx, ST_EDATA, "%s: %s is missing", ev_where(at, sizeof at, src, i), lc);
        if (label[i] != 0.0 && label[i] != 1.0)
            return st__error(ctx, ST_EDATA, "%s: %s is %.17g, not 0 or 1", ev_where(at, sizeof at, src, i), lc,
                             label[i]);
        if (!isfinite(score[i]))
            return st__error(ctx, ST_EDATA, "%s: %s %s", ev_where(at, sizeof at, src, i), sc,
                             isnan(score[i]) ? "is missing or NaN" : "is infinite");
        if (score[i] < 0.0 || score[i] > 1.0) in_unit = false;
        pos += label[i] == 1.0;
    }
    if (pos == 0 || pos == n)
        return st__error(ctx, ST_EDATA,
                         "%s: only one class in the %s (every row is %d): ROC AUC and average precision "
                         "are undefined",
                         src && src->source ? src->source : "evaluate", src && src->label ? lc : "label",
                         pos == 0 ? 0 : 1);
    size_t neg = n - pos;
    out->n = n;
    out->positives = pos;
    out->threshold = threshold;

    size_t *idx = ev_order(ctx, n, ev_cmp_score_desc, score);
    if (!idx) return st_errcode(ctx) ? st_errcode(ctx) : ST_ENOMEM;

    /* ROC AUC (trapezoids between distinct thresholds) and step-wise average precision. */
    double area = 0.0;
    ev_sum ap = {0, 0};
    size_t tp = 0, fp = 0, tp_prev = 0, fp_prev = 0;
    for (size_t k = 0; k < n;) {
        double s = score[idx[k]];
        while (k < n && score[idx[k]] == s) {
            if (label[idx[k]] == 1.0)
                tp++;
            else
                fp++;
            k++;
        }
        area += (double)(fp - fp_prev) * ((double)tp + (double)tp_prev) / 2.0;
        ev_add(&ap, ((double)tp / (double)pos - (double)tp_prev / (double)pos) * ((double)tp / (double)(tp + fp)));
        tp_prev = tp;
        fp_prev = fp;
    }
    out->roc_auc = area / ((double)pos * (double)neg);
    out->average_precision = ev_total(&ap);

    /* Cumulative gain: share of all positives among the top ceil(i n / 10) rows (ties in file order). */
    size_t cum = 0, taken = 0;
    for (int i = 1; i <= 10; i++) {
        size_t k = ((size_t)i * n + 9) / 10; /* n < SIZE_MAX / 10 since an index array of n fit in memory */
        for (; taken < k; taken++) cum += label[idx[taken]] == 1.0;
        out->gain[i - 1] = (double)cum / (double)pos;
    }
    st__free(ctx, idx, n * sizeof(size_t));

    /* Threshold metrics. */
    size_t ctp = 0, cfp = 0, ctn = 0, cfn = 0;
    for (size_t i = 0; i < n; i++) {
        bool p = score[i] >= threshold, y = label[i] == 1.0;
        if (p && y) ctp++;
        else if (p) cfp++;
        else if (y) cfn++;
        else ctn++;
    }
    out->tp = ctp;
    out->fp = cfp;
    out->tn = ctn;
    out->fn = cfn;
    double prec = ctp + cfp ? (double)ctp / (double)(ctp + cfp) : 0.0;
    double rec = (double)ctp / (double)pos;
    out->precision = prec;
    out->recall = rec;
    out->f1 = prec + rec > 0 ? 2.0 * prec * rec / (prec + rec) : 0.0;
    out->balanced_accuracy = (rec + (double)ctn / (double)neg) / 2.0;
    out->accuracy = (double)(ctp + ctn) / (double)n;

    /* Probability metrics and the reliability table: only for scores in [0, 1]. */
    out->scores_in_unit = in_unit ? 1 : 0;
    if (in_unit) {
        const double eps = 2.220446049250313e-16; /* np.finfo(float).eps: log_loss's eps="auto" in 1.2 */
        ev_sum bs = {0, 0}, ll = {0, 0};
        for (size_t i = 0; i < n; i++) {
            double y = label[i], p = score[i];
            ev_add(&bs, (y - p) * (y - p));
            double c = p < eps ? eps : p > 1.0 - eps ? 1.0 - eps : p;
            double sum = (1.0 - c) + c;
            ev_add(&ll, -log((y == 1.0 ? c : 1.0 - c) / sum));
        }
        out->brier = ev_total(&bs) / (double)n;
        out->log_loss = ev_total(&ll) / (double)n;
        ev_sum ssum[10] = {{0, 0}};
        size_t ypos[10] = {0};
        for (size_t i = 0; i < n; i++) {
            int b = 9;
            while (b > 0 && !(score[i] >= (double)b / 10.0)) b--;
            out->rel_count[b]++;
            ev_add(&ssum[b], score[i]);
            ypos[b] += label[i] == 1.0;
        }
        for (int b = 0; b < 10; b++) {
            double c = (double)out->rel_count[b];
            out->rel_mean_score[b] = c > 0 ? ev_total(&ssum[b]) / c : (double)NAN;
            out->rel_positive_rate[b] = c > 0 ? (double)ypos[b] / c : (double)NAN;
        }
    } else {
        out->brier = out->log_loss = (double)NAN;
        for (int b = 0; b < 10; b++) out->rel_mean_score[b] = out->rel_positive_rate[b] = (double)NAN;
    }
    return ST_OK;
}

st_status st_eval_binary_compute(st_context *ctx, const double *label, const double *score, size_t n,
                                 double threshold, st_eval_binary *out)
{
    return binary_compute(ctx, NULL, label, score, n, threshold, out);
}

static st_status binary_json(st_context *ctx, const ev_src *src, const double *label, const double *score, size_t n,
                             double threshold, char **out, size_t *len)
{
    if (out) *out = NULL;
    if (len) *len = 0;
    if (!out) return st__error(ctx, ST_EINVAL, "st_eval_binary_json: NULL out");
    st_eval_binary e;
    st_status rc = binary_compute(ctx, src, label, score, n, threshold, &e);
    if (rc) return rc;
    st_buf b;
    st__buf_init(&b, ctx);
    st_jw w;
    st__jw_init(&w, &b, 2);
    st__jw_begin_object(&w);
    st__jw_kv_str(&w, "kind", "binary");
    st__jw_kv_int(&w, "n", (long long)e.n);
    st__jw_kv_int(&w, "positives", (long long)e.positives);
    st__jw_kv_num(&w, "threshold", e.threshold);
    st__jw_kv_num(&w, "roc_auc", e.roc_auc);
    st__jw_kv_num(&w, "average_precision", e.average_precision);
    st__jw_kv_num(&w, "brier", e.brier);
    st__jw_kv_num(&w, "log_loss", e.log_loss);
    st__jw_kv_num(&w, "precision", e.precision);
    st__jw_kv_num(&w, "recall", e.recall);
    st__jw_kv_num(&w, "f1", e.f1);
    st__jw_kv_num(&w, "balanced_accuracy", e.balanced_accuracy);
    st__jw_kv_num(&w, "accuracy", e.accuracy);
    st__jw_key(&w, "confusion");
    st__jw_begin_object_inline(&w);
    st__jw_kv_int(&w, "tp", (long long)e.tp);
    st__jw_kv_int(&w, "fp", (long long)e.fp);
    st__jw_kv_int(&w, "tn", (long long)e.tn);
    st__jw_kv_int(&w, "fn", (long long)e.fn);
    st__jw_end_object(&w);
    st__jw_key(&w, "gain");
    st__jw_begin_array_inline(&w);
    for (int i = 0; i < 10; i++) st__jw_number(&w, e.gain[i]);
    st__jw_end_array(&w);
    st__jw_key(&w, "reliability");
    if (!e.scores_in_unit) {
        st__jw_null(&w);
    } else {
        st__jw_begin_array(&w);
        for (int i = 0; i < 10; i++) {
            st__jw_begin_object_inline(&w);
            st__jw_kv_num(&w, "lo", (double)i / 10.0);
            st__jw_kv_num(&w, "hi", (double)(i + 1) / 10.0);
            st__jw_kv_int(&w, "count", (long long)e.rel_count[i]);
            st__jw_kv_num(&w, "mean_score", e.rel_mean_score[i]);
            st__jw_kv_num(&w, "positive_rate", e.rel_positive_rate[i]);
            st__jw_end_object(&w);
        }
        st__jw_end_array(&w);
    }
    st__jw_end_object(&w);
    return st__jw_finish(&w, "st_eval_binary_json", out, len);
}

st_status st_eval_binary_json(st_context *ctx, const double *label, const double *score, size_t n, double threshold,
                              char **out, size_t *len)
{
    return binary_json(ctx, NULL, label, score, n, threshold, out, len);
}

/* ---- multi-class ---- */

typedef struct ev_strs {
    const char *const *a; /* rows [0, n) */
    const char *const *b; /* rows [n, 2n) */
    size_t n;
} ev_strs;

static const char *ev_str_at(const ev_strs *s, size_t i) { return i < s->n ? s->a[i] : s->b[i - s->n]; }

static int ev_cmp_str(const void *ud, size_t a, size_t b)
{
    const ev_strs *s = ud;
    return strcmp(ev_str_at(s, a), ev_str_at(s, b));
}

static size_t ev_find(const char *const *cls, size_t k, const char *x)
{
    size_t lo = 0, hi = k;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(cls[mid], x);
        if (c == 0) return mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return k;
}

static st_status multiclass_json(st_context *ctx, const ev_src *src, const char *const *label,
                                 const char *const *pred, size_t n, char **out, size_t *len)
{
    if (out) *out = NULL;
    if (len) *len = 0;
    if (!ctx || !out || (n > 0 && (!label || !pred)))
        return st__error(ctx, ST_EINVAL, "st_eval_multiclass_json: NULL argument");
    if (n == 0) return st__error(ctx, ST_EDATA, "evaluate: no rows");
    char at[512], lc[256], pc[256];
    ev_col(lc, sizeof lc, "label", src ? src->label : NULL);
    ev_col(pc, sizeof pc, "prediction", src ? src->other : NULL);
    for (size_t i = 0; i < n; i++) {
        if (!label[i] || !*label[i])
            return st__error(ctx, ST_EDATA, "%s: missing %s", ev_where(at, sizeof at, src, i), lc);
        if (!pred[i] || !*pred[i])
            return st__error(ctx, ST_EDATA, "%s: missing %s", ev_where(at, sizeof at, src, i), pc);
    }
    size_t n2;
    if (!st__mul_ok(n, 2, &n2)) return st__error(ctx, ST_ENOMEM, "evaluate: %zu rows are too many", n);
    ev_strs s = {label, pred, n};
    size_t *idx = ev_order(ctx, n2, ev_cmp_str, &s);
    if (!idx) return st_errcode(ctx) ? st_errcode(ctx) : ST_ENOMEM;
    /* Distinct classes, sorted (scikit-learn's sorted union of y_true and y_pred). */
    size_t k = 0;
    for (size_t i = 0; i < n2; i++)
        if (i == 0 || strcmp(ev_str_at(&s, idx[i]), ev_str_at(&s, idx[i - 1])) != 0)
            idx[k++] = idx[i]; /* k <= i: overwrites only entries already read */
    st_status rc = ST_OK;
    const char **cls = st__calloc(ctx, k, sizeof *cls);
    size_t *cnt = st__calloc(ctx, 3 * k, sizeof *cnt); /* tp, predicted, support per class */
    if (!cls || !cnt) rc = ST_ENOMEM;
    char *text = NULL;
    size_t tlen = 0;
    if (rc == ST_OK) {
        for (size_t c = 0; c < k; c++) cls[c] = ev_str_at(&s, idx[c]);
        size_t correct = 0;
        for (size_t i = 0; i < n; i++) {
            size_t y = ev_find(cls, k, label[i]), p = ev_find(cls, k, pred[i]);
            cnt[3 * p + 1]++;
            cnt[3 * y + 2]++;
            if (y == p) {
                cnt[3 * y]++;
                correct++;
            }
        }
        double macro = 0.0, weighted = 0.0, bal = 0.0;
        size_t present = 0;
        st_buf b;
        st__buf_init(&b, ctx);
        st_jw w;
        st__jw_init(&w, &b, 2);
        st__jw_begin_object(&w);
        st__jw_kv_str(&w, "kind", "multiclass");
        st__jw_kv_int(&w, "n", (long long)n);
        st__jw_kv_num(&w, "accuracy", (double)correct / (double)n);
        for (size_t c = 0; c < k; c++) {
            double tp = (double)cnt[3 * c], np = (double)cnt[3 * c + 1], sup = (double)cnt[3 * c + 2];
            double pr = np > 0 ? tp / np : 0.0, re = sup > 0 ? tp / sup : 0.0;
            double f1 = pr + re > 0 ? 2.0 * pr * re / (pr + re) : 0.0;
            macro += f1;
            weighted += f1 * sup;
            if (sup > 0) {
                bal += re;
                present++;
            }
        }
        st__jw_kv_num(&w, "balanced_accuracy", bal / (double)present);
        st__jw_kv_num(&w, "weighted_f1", weighted / (double)n);
        st__jw_kv_num(&w, "macro_f1", macro / (double)k);
        st__jw_key(&w, "per_class");
        st__jw_begin_object(&w);
        for (size_t c = 0; c < k; c++) {
            double tp = (double)cnt[3 * c], np = (double)cnt[3 * c + 1], sup = (double)cnt[3 * c + 2];
            double pr = np > 0 ? tp / np : 0.0, re = sup > 0 ? tp / sup : 0.0;
            st__jw_key(&w, cls[c]);
            st__jw_begin_object_inline(&w);
            st__jw_kv_num(&w, "precision", pr);
            st__jw_kv_num(&w, "recall", re);
            st__jw_kv_num(&w, "f1", pr + re > 0 ? 2.0 * pr * re / (pr + re) : 0.0);
            st__jw_kv_int(&w, "support", (long long)cnt[3 * c + 2]);
            st__jw_end_object(&w);
        }
        st__jw_end_object(&w);
        st__jw_end_object(&w);
        rc = st__jw_finish(&w, "st_eval_multiclass_json", &text, &tlen);
    }
    st__free(ctx, cls, k * sizeof *cls);
    st__free(ctx, cnt, 3 * k * sizeof *cnt);
    st__free(ctx, idx, n2 * sizeof(size_t));
    if (rc == ST_OK) {
        *out = text;
        if (len) *len = tlen;
    } else if (rc == ST_ENOMEM && !st_errcode(ctx)) {
        st__error(ctx, ST_ENOMEM, "st_eval_multiclass_json: out of memory");
    }
    return rc;
}

st_status st_eval_multiclass_json(st_context *ctx, const char *const *label, const char *const *pred, size_t n,
                                  char **out, size_t *len)
{
    return multiclass_json(ctx, NULL, label, pred, n, out, len);
}

/* ---- a table read from a file ---- */

/* Row i of column j as text: strings as they are, numbers in their shortest exact form, "" when missing. */
static st_status ev_cell(st_context *ctx, const st_table *t, size_t j, size_t i, st_buf *b, char **out)
{
    const double *v = st_table_f64(t, j);
    const char *s = NULL;
    b->len = 0;
    if (v) {
        if (!isnan(v[i]) && !st__buf_put_double(b, v[i])) return ST_ENOMEM;
    } else {
        s = st_table_str(t, j, i);
        if (s && !st__buf_append(b, s, strlen(s))) return ST_ENOMEM;
    }
    if (!st__buf_putc(b, '\0')) return ST_ENOMEM;
    *out = st__malloc(ctx, b->len);
    if (!*out) return ST_ENOMEM;
    memcpy(*out, b->data, b->len);
    return ST_OK;
}

st_status st_eval_table_json(st_context *ctx, const st_table *t, const char *source, const char *label,
                             const char *score, const char *pred, double threshold, char **out, size_t *len)
{
    if (out) *out = NULL;
    if (len) *len = 0;
    if (!ctx || !t || !label || !out || !score == !pred)
        return st__error(ctx, ST_EINVAL, "st_eval_table_json: NULL argument, or not exactly one of score and pred");
    if (!source) source = "data";
    const char *other = score ? score : pred;
    long jl = st_table_find(t, label), jo = st_table_find(t, other);
    if (jl < 0 || jo < 0) return st__error(ctx, ST_EDATA, "%s: no column '%s'", source, jl < 0 ? label : other);
    size_t n = st_table_nrows(t);
    ev_src src = {source, label, other};
    if (score) {
        const double *y = st_table_f64(t, (size_t)jl), *s = st_table_f64(t, (size_t)jo);
        if (!y || !s) {
            size_t bad = y ? (size_t)jo : (size_t)jl, i = 0;
            for (; i < n; i++) { /* the first value that does not read as a number */
                const char *v = st_table_str(t, bad, i);
                char *end = NULL;
                if (!v) break;
                (void)strtod(v, &end);
                if (!*v || *end) break;
            }
            const char *v = i < n ? st_table_str(t, bad, i) : NULL;
            char at[512];
            return st__error(ctx, ST_EDATA, "%s: column '%s' is not numeric ('%s')%s", ev_where(at, sizeof at, &src, i),
                             st_table_col_name(t, bad), v ? v : "", bad == (size_t)jl ? ": the label must be 0 or 1" : "");
        }
        return binary_json(ctx, &src, y, s, n, threshold, out, len);
    }
    size_t bytes;
    if (!st__mul_ok(n ? n : 1, 2 * sizeof(char *), &bytes)) return st__error(ctx, ST_ENOMEM, "evaluate: %zu rows are too many", n);
    char **cells = st__calloc(ctx, n ? 2 * n : 1, sizeof *cells);
    if (!cells) return ST_ENOMEM;
    st_buf b;
    st__buf_init(&b, ctx);
    st_status rc = ST_OK;
    for (size_t i = 0; rc == ST_OK && i < n; i++) {
        rc = ev_cell(ctx, t, (size_t)jl, i, &b, &cells[i]);
        if (!rc) rc = ev_cell(ctx, t, (size_t)jo, i, &b, &cells[n + i]);
    }
    st__buf_free(&b);
    if (rc == ST_OK) rc = multiclass_json(ctx, &src, (const char *const *)cells, (const char *const *)cells + n, n, out, len);
    else if (!st_errcode(ctx)) st__error(ctx, ST_ENOMEM, "st_eval_table_json: out of memory");
    for (size_t i = 0; i < 2 * n; i++)
        if (cells[i]) st__free(ctx, cells[i], strlen(cells[i]) + 1);
    st__free(ctx, cells, (n ? 2 * n : 1) * sizeof *cells);
    return rc;
}
