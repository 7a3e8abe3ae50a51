/*
** profile.c -- what a segmentation looks like from the business side: per-segment counts, means and
** medians of R, F, M (seed 002 Table 1), value classes of clusters, and the multi-behaviour R and F of
** seed 002 (AHP x entropy weighted sums over behaviours).
*/
#include "segment/segment.h"
#include "core/json.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static st_status check_labels(st_context *ctx, const char *fn, const int32_t *labels, size_t n, size_t k)
{
    if (k == 0) return st__error(ctx, ST_EINVAL, "%s: k is 0", fn);
    for (size_t i = 0; i < n; i++)
        if (labels[i] >= 0 && (size_t)labels[i] >= k)
            return st__error(ctx, ST_EINVAL, "%s: label %ld of row %zu is not below k = %zu", fn, (long)labels[i],
                             i + 1, k);
    return ST_OK;
}

st_status st_segment_profile(st_context *ctx, const int32_t *labels, size_t n, size_t k, const double *r,
                             const double *f, const double *m, size_t *count, double *mean, double *median)
{
    if (!labels || !r || !f || !m || !count) return st__error(ctx, ST_EINVAL, "profile: NULL argument");
    st_status rc = check_labels(ctx, "profile", labels, n, k);
    if (rc) return rc;
    /* Rows sorted by segment (counting sort) so each segment's values form one slice to sort. */
    size_t *start = st__calloc(ctx, k + 1, sizeof *start);
    size_t *order = st__calloc(ctx, n ? n : 1, sizeof *order);
    double *buf = st__calloc(ctx, n ? n : 1, sizeof *buf);
    if (!start || !order || !buf) {
        st__free(ctx, start, 0);
        st__free(ctx, order, 0);
        st__free(ctx, buf, 0);
        return ST_ENOMEM;
    }
    for (size_t s = 0; s < k; s++) count[s] = 0;
    for (size_t i = 0; i < n; i++)
        if (labels[i] >= 0) count[labels[i]]++;
    for (size_t s = 0; s < k; s++) start[s + 1] = start[s] + count[s];
    {
        size_t *pos = st__calloc(ctx, k, sizeof *pos);
        if (!pos) {
            st__free(ctx, start, 0);
            st__free(ctx, order, 0);
            st__free(ctx, buf, 0);
            return ST_ENOMEM;
        }
        for (size_t i = 0; i < n; i++)
            if (labels[i] >= 0) order[start[labels[i]] + pos[labels[i]]++] = i;
        st__free(ctx, pos, k * sizeof *pos);
    }
    const double *cols[3] = {r, f, m};
    for (size_t s = 0; s < k; s++)
        for (int c = 0; c < 3; c++) {
            size_t q = 0;
            double sum = 0;
            for (size_t a = start[s]; a < start[s + 1]; a++) {
                double v = cols[c][order[a]];
                if (isfinite(v)) {
                    buf[q++] = v;
                    sum += v;
                }
            }
            if (mean) mean[s * 3 + (size_t)c] = q ? sum / (double)q : (double)NAN;
            if (median) {
                if (q == 0) {
                    median[s * 3 + (size_t)c] = (double)NAN;
                } else {
                    /* Selection, not a sort: the upper middle, then the largest value below it. */
                    double hi = st__select_kth(buf, q, q / 2), lo = hi;
                    if (q % 2 == 0) {
                        lo = buf[0];
                        for (size_t a = 1; a < q / 2; a++) lo = buf[a] > lo ? buf[a] : lo;
                    }
                    median[s * 3 + (size_t)c] = q % 2 ? hi : 0.5 * (lo + hi);
                }
            }
        }
    st__free(ctx, start, (k + 1) * sizeof *start);
    st__free(ctx, order, n * sizeof *order);
    st__free(ctx, buf, n * sizeof *buf);
    return ST_OK;
}

st_status st_segment_classes(st_context *ctx, const int32_t *labels, size_t n, size_t k, const double *r,
                             const double *f, const double *m, int32_t *cls)
{
    if (!labels || !r || !f || !m || !cls) return st__error(ctx, ST_EINVAL, "segment classes: NULL argument");
    st_status rc = check_labels(ctx, "segment classes", labels, n, k);
    if (rc) return rc;
    double *acc = st__calloc(ctx, k * 4, sizeof *acc);
    if (!acc) return ST_ENOMEM;
    double pr = 0, pf = 0, pm = 0;
    size_t nv = 0;
    for (size_t i = 0; i < n; i++) {
        if (!(isfinite(r[i]) && isfinite(f[i]) && isfinite(m[i]))) continue;
        pr += r[i];
        pf += f[i];
        pm += m[i];
        nv++;
        if (labels[i] < 0) continue;
        double *a = acc + (size_t)labels[i] * 4;
        a[0] += r[i];
        a[1] += f[i];
        a[2] += m[i];
        a[3] += 1;
    }
    if (nv == 0) {
        st__free(ctx, acc, k * 4 * sizeof *acc);
        return st__error(ctx, ST_EEMPTY, "segment classes: no row has finite R, F and M");
    }
    pr /= (double)nv;
    pf /= (double)nv;
    pm /= (double)nv;
    for (size_t s = 0; s < k; s++) {
        const double *a = acc + s * 4;
        cls[s] = a[3] > 0 ? (int32_t)st_rfm_class(a[0] / a[3], a[1] / a[3], a[2] / a[3], pr, pf, pm) : -1;
    }
    st__free(ctx, acc, k * 4 * sizeof *acc);
    return ST_OK;
}

st_status st_mbrfm_scores(st_context *ctx, const double *days, const double *counts, size_t n, size_t nb,
                   const double *ahp, double *omega, double *r_out, double *f_out)
{
    if (!days || !counts || !r_out || !f_out) return st__error(ctx, ST_EINVAL, "mbrfm: NULL argument");
    if (n == 0 || nb == 0 || nb > 15) return st__error(ctx, ST_EINVAL, "mbrfm: need rows and 1 to 15 behaviours");
    double theta[15], eta[15], om[15], stale[15];
    st_status rc;
    if (ahp) {
        rc = st_ahp_weights(ctx, ahp, nb, theta, NULL, NULL, NULL);
        if (rc) return rc;
    } else {
        for (size_t b = 0; b < nb; b++) theta[b] = 1.0 / (double)nb;
    }
    rc = st_weights_entropy(ctx, counts, n, nb, NULL, NULL, eta);
    if (rc) return rc;
    rc = st_weights_combine(ctx, theta, eta, nb, om);
    if (rc) return rc;
    for (size_t b = 0; b < nb; b++) {
        double mx = 0;
        for (size_t i = 0; i < n; i++) {
            double v = days[i * nb + b];
            if (isfinite(v) && v > mx) mx = v;
        }
        stale[b] = mx;
    }
    for (size_t i = 0; i < n; i++) {
        double R = 0, F = 0;
        for (size_t b = 0; b < nb; b++) {
            double v = days[i * nb + b];
            R += om[b] * (isfinite(v) ? v : stale[b]);
            F += om[b] * counts[i * nb + b];
        }
        r_out[i] = R;
        f_out[i] = F;
    }
    if (omega) memcpy(omega, om, nb * sizeof *om);
    return ST_OK;
}

st_status st_profile_compare_to_json(st_context *ctx, const char *const *behaviours, const double *omega, size_t nb,
                             const char *const *models, size_t nmodels, const size_t *customers,
                             const size_t *key_customers, const size_t *non_valuable, const double *silhouette,
                             const double *davies_bouldin, char **out, size_t *len)
{
    if (!out) return st__error(ctx, ST_EINVAL, "st_profile_compare_to_json: NULL argument");
    *out = NULL;
    if ((nb && (!behaviours || !omega)) || (nmodels && (!models || !customers || !key_customers ||
                                                         !non_valuable || !silhouette || !davies_bouldin)))
        return st__error(ctx, ST_EINVAL, "st_profile_compare_to_json: NULL argument");
    for (size_t b = 0; b < nb; b++)
        if (!behaviours[b]) return st__error(ctx, ST_EINVAL, "st_profile_compare_to_json: NULL behaviour name");
    for (size_t q = 0; q < nmodels; q++)
        if (!models[q]) return st__error(ctx, ST_EINVAL, "st_profile_compare_to_json: NULL model name");
    st_buf buf;
    st__buf_init(&buf, ctx);
    st_jw w;
    st__jw_init(&w, &buf, 2);
    st__jw_begin_object(&w);
    st__jw_key(&w, "behaviour_weights");
    st__jw_begin_object_inline(&w);
    for (size_t b = 0; b < nb; b++) st__jw_kv_num(&w, behaviours[b], omega[b]);
    st__jw_end_object(&w);
    for (size_t q = 0; q < nmodels; q++) {
        double n = (double)customers[q];
        st__jw_key(&w, models[q]);
        st__jw_begin_object_inline(&w);
        st__jw_kv_int(&w, "customers", (long long)customers[q]);
        st__jw_kv_int(&w, "key_customers", (long long)key_customers[q]);
        st__jw_kv_num(&w, "key_rate", (double)key_customers[q] / n);
        st__jw_kv_int(&w, "non_valuable", (long long)non_valuable[q]);
        st__jw_kv_num(&w, "non_valuable_rate", (double)non_valuable[q] / n);
        st__jw_kv_num(&w, "silhouette", silhouette[q]);
        st__jw_kv_num(&w, "davies_bouldin", davies_bouldin[q]);
        st__jw_end_object(&w);
    }
    st__jw_end_object(&w);
    return st__jw_finish(&w, "st_profile_compare_to_json", out, len);
}
