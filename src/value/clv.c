/*
** clv.c -- the seed papers' simple CLV formulas (discounted cash flow; AOV x frequency x lifespan) and the
** validation outputs of the BTYD models: calibration-vs-holdout means by frequency and tracking curves.
*/
#include "value/btyd.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

st_status st_clv_dcf(st_context *ctx, const double *profit, size_t n, double cost, double rate, double lifespan,
                     double *out)
{
    if (!profit || !out) return st__error(ctx, ST_EINVAL, "st_clv_dcf: NULL argument");
    if (!(lifespan >= 0.0) || !isfinite(lifespan) || !(rate > -1.0) || !isfinite(rate) || !isfinite(cost))
        return st__error(ctx, ST_EINVAL, "st_clv_dcf: need lifespan >= 0, rate > -1 and a finite cost");
    /* Annuity factor sum_{t=1}^{L} (1+rate)^-t, the last fractional period pro rata. */
    double whole = floor(lifespan), frac = lifespan - whole, f = 0.0;
    for (double t = 1.0; t <= whole; t += 1.0) f += pow(1.0 + rate, -t);
    if (frac > 0.0) f += frac * pow(1.0 + rate, -(whole + 1.0));
    for (size_t i = 0; i < n; i++) out[i] = (profit[i] - cost) * f;
    return ST_OK;
}

st_status st_clv_simple(st_context *ctx, const double *aov, const double *frequency, size_t n, double margin,
                        double lifespan, double discount, double *out)
{
    if (!aov || !frequency || !out) return st__error(ctx, ST_EINVAL, "st_clv_simple: NULL argument");
    if (!(lifespan >= 0.0) || !isfinite(lifespan) || !(discount > -1.0) || !isfinite(discount) || !isfinite(margin))
        return st__error(ctx, ST_EINVAL, "st_clv_simple: need lifespan >= 0, discount > -1 and a finite margin");
    for (size_t i = 0; i < n; i++) out[i] = margin * aov[i] * frequency[i] * lifespan / (1.0 + discount);
    return ST_OK;
}

st_status st_btyd_calibration_holdout(st_context *ctx, const st_btyd_model *m, const double *x, const double *tx,
                                       const double *T, const double *x_holdout, const double *duration,
                                       size_t n, size_t kmax, double *counts, double *actual,
                                       double *predicted)
{
    if (!m || !x || !tx || !T || !x_holdout || !duration || !counts || !actual || !predicted)
        return st__error(ctx, ST_EINVAL, "st_btyd_calibration_holdout: NULL argument");
    if (kmax == 0 || m->kind == ST_BTYD_GG)
        return st__error(ctx, ST_EINVAL, "st_btyd_calibration_holdout: need kmax >= 1 and a purchase model");
    for (size_t k = 0; k <= kmax; k++) counts[k] = actual[k] = predicted[k] = 0.0;
    for (size_t i = 0; i < n; i++) {
        if (isnan(x[i]) || isnan(tx[i]) || isnan(T[i]) || isnan(x_holdout[i]) || isnan(duration[i])) continue;
        double e;
        st_status rc = st_btyd_predict(ctx, m, &x[i], &tx[i], &T[i], 1, duration[i], NULL, &e);
        if (rc) return rc;
        size_t g = x[i] >= (double)kmax ? kmax : (size_t)x[i];
        counts[g] += 1.0;
        actual[g] += x_holdout[i];
        predicted[g] += e;
    }
    for (size_t k = 0; k <= kmax; k++)
        if (counts[k] > 0.0) {
            actual[k] /= counts[k];
            predicted[k] /= counts[k];
        } else {
            actual[k] = predicted[k] = (double)NAN;
        }
    return ST_OK;
}

static int dbl_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

st_status st_btyd_tracking(st_context *ctx, const st_btyd_model *m, const double *birth, size_t n, const double *t,
                            size_t nt, double *cumulative)
{
    if (!m || !birth || !t || !cumulative) return st__error(ctx, ST_EINVAL, "st_btyd_tracking: NULL argument");
    if (m->kind != ST_BTYD_BGNBD && m->kind != ST_BTYD_MBGNBD && m->kind != ST_BTYD_PNBD)
        return st__error(ctx, ST_EINVAL, "st_btyd_tracking: needs a bgnbd, mbgnbd or pnbd model");
    /* Customers acquired on the same day share E[X(t - birth)]: sort once, evaluate per cohort. */
    double *b = st__realloc_array(ctx, NULL, 0, n ? n : 1, sizeof *b);
    if (!b) return ST_ENOMEM;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(birth[i])) b[k++] = birth[i];
    qsort(b, k, sizeof *b, dbl_cmp);
    for (size_t j = 0; j < nt; j++) {
        double s = 0.0;
        for (size_t i = 0; i < k;) {
            size_t e = i;
            while (e < k && b[e] == b[i]) e++;
            double age = t[j] - b[i], v = 0.0;
            if (age > 0.0) {
                st_status rc = st_btyd_expected_population(ctx, m, &age, 1, &v);
                if (rc) {
                    st__free(ctx, b, (n ? n : 1) * sizeof *b);
                    return rc;
                }
            }
            s += (double)(e - i) * v;
            i = e;
        }
        cumulative[j] = s;
    }
    st__free(ctx, b, (n ? n : 1) * sizeof *b);
    return ST_OK;
}
