/*
** rfm.c -- classic RFM: tie-stable quintile scores, the 11 named segments in an explicit priority order, the
** eight-class mean-split cube, and the value-segment names and strategies given to clusters (seed 002).
*/
#include "segment/segment.h"

#include <math.h>
#include <stdlib.h>

/* score = 1 + floor(5 * below / nv) with below = number of valid values strictly smaller (or strictly larger
** when reverse): equal values share a score and the order of rows never matters. below >= t exactly when the
** value exceeds the t-th smallest, so the score is 1 + the number of the four order statistics
** t_j = ceil(j nv / 5) (j = 1..4) it exceeds: four selections, no sort. */
static void quintiles(const double *v, const unsigned char *valid, size_t n, size_t nv, int reverse,
                      double *tmp, int32_t *out)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (valid[i]) tmp[m++] = reverse ? -v[i] : v[i];
    double q[4];
    size_t lo = 0;
    for (size_t j = 1; j <= 4; j++) {
        size_t t = (j * nv + 4) / 5; /* ceil(j nv / 5) >= 1 */
        q[j - 1] = st__select_kth(tmp + lo, m - lo, t - 1 - lo);
        lo = t - 1;
    }
    for (size_t i = 0; i < n; i++) {
        if (!valid[i]) continue;
        double x = reverse ? -v[i] : v[i];
        out[i] = 1 + (x > q[0]) + (x > q[1]) + (x > q[2]) + (x > q[3]);
    }
}

st_status st_rfm_scores(st_context *ctx, const double *recency_days, const double *frequency,
                        const double *monetary, size_t n, int32_t *r, int32_t *f, int32_t *m)
{
    if (!recency_days || !frequency || !monetary || !r || !f || !m)
        return st__error(ctx, ST_EINVAL, "rfm: NULL argument");
    if (n == 0) return st__error(ctx, ST_EINVAL, "rfm: no rows");
    unsigned char *valid = st__calloc(ctx, n, 1);
    double *tmp = st__calloc(ctx, n, sizeof *tmp);
    if (!valid || !tmp) {
        st__free(ctx, valid, n);
        st__free(ctx, tmp, n * sizeof *tmp);
        return ST_ENOMEM;
    }
    size_t nv = 0;
    for (size_t i = 0; i < n; i++) {
        valid[i] = isfinite(recency_days[i]) && isfinite(frequency[i]) && isfinite(monetary[i]);
        nv += valid[i];
        if (!valid[i]) r[i] = f[i] = m[i] = 0;
    }
    if (nv > 0) {
        /* Recency in days: fewer is better, so count the values strictly larger. */
        quintiles(recency_days, valid, n, nv, 1, tmp, r);
        quintiles(frequency, valid, n, nv, 0, tmp, f);
        quintiles(monetary, valid, n, nv, 0, tmp, m);
    }
    st__free(ctx, valid, n);
    st__free(ctx, tmp, n * sizeof *tmp);
    return ST_OK;
}

/* The classic 11-segment table, re-ordered so every segment is reachable: the published ranges overlap
** (Champions sits inside Loyal, Hibernating equals Lost), so the first match wins and Lost is narrowed to
** R = 1, F = 1. Ranges are inclusive {rlo, rhi, flo, fhi, mlo, mhi}. */
static const struct {
    const char *name;
    int lo_hi[6];
} rfm_rules[] = {
    {"Champions", {4, 5, 4, 5, 4, 5}},
    {"Can't Lose Them", {1, 1, 4, 5, 4, 5}},
    {"Loyal Customers", {2, 5, 3, 5, 3, 5}},
    {"Need Attention", {2, 3, 2, 3, 2, 3}},
    {"At Risk", {1, 2, 2, 5, 2, 5}},
    {"New Customers", {4, 5, 1, 1, 1, 1}},
    {"Promising", {3, 4, 1, 1, 1, 1}},
    {"Potential Loyalist", {3, 5, 1, 3, 1, 3}},
    {"About To Sleep", {2, 3, 1, 2, 1, 2}},
    {"Lost", {1, 1, 1, 1, 1, 2}},
    {"Hibernating", {1, 2, 1, 2, 1, 2}},
};

int st_rfm_segment(int r, int f, int m)
{
    if (r <= 0 || f <= 0 || m <= 0) return ST_RFM_NO_PURCHASE;
    for (int s = 0; s < (int)(sizeof rfm_rules / sizeof rfm_rules[0]); s++) {
        const int *b = rfm_rules[s].lo_hi;
        if (r >= b[0] && r <= b[1] && f >= b[2] && f <= b[3] && m >= b[4] && m <= b[5]) return s;
    }
    return ST_RFM_OTHERS;
}

const char *st_rfm_segment_name(int segment)
{
    if (segment >= 0 && segment < (int)(sizeof rfm_rules / sizeof rfm_rules[0])) return rfm_rules[segment].name;
    if (segment == ST_RFM_NO_PURCHASE) return "No purchase";
    return "Others";
}

st_status st_rfm8_classes(st_context *ctx, const double *recency_days, const double *frequency,
                  const double *monetary, size_t n, int32_t *cls)
{
    if (!recency_days || !frequency || !monetary || !cls) return st__error(ctx, ST_EINVAL, "rfm8: NULL argument");
    if (n == 0) return st__error(ctx, ST_EINVAL, "rfm8: no rows");
    double sr = 0, sf = 0, sm = 0;
    size_t nv = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(recency_days[i]) && isfinite(frequency[i]) && isfinite(monetary[i])) {
            sr += recency_days[i];
            sf += frequency[i];
            sm += monetary[i];
            nv++;
        }
    if (nv == 0) return st__error(ctx, ST_EEMPTY, "rfm8: no row has finite R, F and M");
    double mr = sr / (double)nv, mf = sf / (double)nv, mm = sm / (double)nv;
    for (size_t i = 0; i < n; i++) {
        if (isfinite(recency_days[i]) && isfinite(frequency[i]) && isfinite(monetary[i]))
            cls[i] = (int32_t)st_rfm_class(recency_days[i], frequency[i], monetary[i], mr, mf, mm);
        else
            cls[i] = -1;
    }
    return ST_OK;
}

int st_rfm_class(double r_days, double f, double m, double mean_r_days, double mean_f, double mean_m)
{
    /* Strict comparisons: a value equal to the mean counts as low. R in days: fewer days is "high". */
    return 4 * (r_days < mean_r_days) + 2 * (f > mean_f) + (m > mean_m);
}

static const char *const rfm8_names[8] = {"General recovery", "Key recovery", "General retention",
                                          "Key retention", "General development", "Key development",
                                          "General value", "Key value"};

const char *st_rfm8_name(int cls)
{
    if (cls >= 0 && cls < 8) return rfm8_names[cls];
    return "No purchase";
}

/* Seed 002's names for clusters, by the same code 4R + 2F + M. */
static const char *const value_names[8] = {"Non-valuable", "Key recovery", "General retention",
                                           "Key retention", "General developing", "Key developing",
                                           "General maintenance", "Key customers"};

static const char *const value_strategies[8] = {
    "activate: low-cost automated outreach, keep the door open for reactivation",
    "activate: win-back offers matched to past spend before they churn",
    "retain: reminders and moderate incentives to bring them back",
    "retain: care programme and churn prevention for high spenders gone quiet",
    "nurture: promotions and targeted coupons to grow spend and frequency",
    "nurture: personalised offers to raise purchase frequency",
    "retain: engagement maintenance, moderate incentives to lift spend",
    "retain: premium service, exclusive offers, loyalty rewards",
};

const char *st_value_segment_name(int cls)
{
    if (cls >= 0 && cls < 8) return value_names[cls];
    return "No purchase";
}

const char *st_value_segment_strategy(int cls)
{
    if (cls >= 0 && cls < 8) return value_strategies[cls];
    return "activate: first-purchase incentive";
}
