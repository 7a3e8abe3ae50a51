/*
** strata.c -- value strata: cut a value (an optimal value, a CLV) into k strata, 1 the highest, at given
** cuts or at quantiles, and the retain / nurture / activate strategy of each stratum.
*/
#include "segment/segment.h"

#include <math.h>

st_status st_value_strata(st_context *ctx, const double *v, size_t n, size_t k, const double *cuts, size_t ncuts,
                          int32_t *stratum)
{
    if ((!v && n) || (!stratum && n) || k == 0 || k > INT32_MAX)
        return st__error(ctx, ST_EINVAL, "value strata: NULL argument or k out of range");
    if (cuts) {
        if (ncuts != k - 1) return st__error(ctx, ST_EINVAL, "value strata: %zu cuts for %zu strata", ncuts, k);
        for (size_t j = 0; j < ncuts; j++)
            if (!isfinite(cuts[j]) || (j && !(cuts[j] > cuts[j - 1])))
                return st__error(ctx, ST_EINVAL, "value strata: cuts must be finite and ascending");
    }
    double *cut = NULL, *sorted = NULL;
    size_t nc = k - 1, nv = 0;
    if (!cuts && nc) {
        cut = st__malloc(ctx, nc * sizeof *cut);
        sorted = st__malloc(ctx, (n ? n : 1) * sizeof *sorted);
        if (!cut || !sorted) {
            st__free(ctx, cut, 0);
            st__free(ctx, sorted, 0);
            return st__error(ctx, ST_ENOMEM, "value strata: out of memory");
        }
        for (size_t i = 0; i < n; i++)
            if (isfinite(v[i])) sorted[nv++] = v[i];
        /* The quantiles in increasing order: each selection leaves the rest above it. */
        size_t lo = 0;
        for (size_t j = 1; j < k; j++) {
            size_t pos = nv ? j * nv / k : 0;
            if (nv == 0) {
                cut[j - 1] = 0;
                continue;
            }
            cut[j - 1] = st__select_kth(sorted + lo, nv - lo, pos - lo);
            lo = pos;
        }
        cuts = cut;
    }
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(v[i])) {
            stratum[i] = 0;
            continue;
        }
        size_t below = 0;
        for (size_t j = 0; j < nc; j++) below += v[i] > cuts[j]; /* ties at a cut fall to the lower stratum */
        stratum[i] = (int32_t)(k - below);
    }
    st__free(ctx, cut, 0);
    st__free(ctx, sorted, 0);
    return ST_OK;
}

const char *st_stratum_strategy(long s, size_t k)
{
    if (s < 1 || (size_t)s > k) return "";
    if (s == 1 && k > 1) return "retain";
    return (size_t)s == k ? "activate" : "nurture";
}
