/*
** segment.h -- helpers shared by the segment stage's files (metrics, k-means, SOM, RFM): label encoding,
** distance kernels and the small thread fan-out they use.
*/
#ifndef STRATA_SEGMENT_H
#define STRATA_SEGMENT_H

#include "core/internal.h"
#include "num/stats.h" /* st__select_kth: the one selection */

/* Maps arbitrary int32 labels to codes 0..k-1 in increasing label order (as scikit-learn's LabelEncoder).
** *codes (n values) is allocated with st__malloc; free with st__free(ctx, *codes, n * sizeof(int32_t)).
** counts (may be NULL) receives a newly allocated array of k cluster sizes (free with size k * sizeof(size_t)). */
st_status st__label_encode(st_context *ctx, const int32_t *labels, size_t n, int32_t **codes, size_t *k,
                           size_t **counts);

/* Squared Euclidean distance of two d-vectors. */
static inline double st__dist2(const double *a, const double *b, size_t d)
{
    double s = 0;
    for (size_t c = 0; c < d; c++) {
        double t = a[c] - b[c];
        s += t * t;
    }
    return s;
}

/* Runs fn(arg_i) for i in [0, nt) on nt threads (the calling thread runs the first); when a thread cannot
** be created its work runs on the calling thread, so results never depend on thread creation. args is an
** array of nt items of size `size`. */
void st__seg_parallel(int nt, void (*fn)(void *), void *args, size_t size);

/* Mean silhouette of L (1 to 8) labellings of the same n rows, computed together: each distance is
** computed once for all of them. scores receives L values, NaN for a labelling whose number of distinct
** labels is outside [2, n - 1]; samples (may be NULL) the n per-row values of the first labelling.
** Bit-identical for any thread count. Errors: ST_EINVAL (L out of range), ST_ENOMEM. */
st_status st__silhouette_multi(st_context *ctx, const double *x, size_t n, size_t d,
                               const int32_t *const *labels, size_t L, double *scores, double *samples);

/* SOM internals shared with st_segment_run: the BMU of each row (bmu may be NULL) with the quantization and
** topographic error (either may be NULL) in one pass, bit-identical for any thread count; and the codebook
** clustered by hit counts (hits: st_som_units values). */
st_status st__som_map(st_context *ctx, const st_som *som, const double *x, size_t n, int32_t *bmu, double *qe,
                      double *te);
st_status st__som_cluster_hits(st_context *ctx, const st_som *som, const double *hits, size_t k, uint64_t seed,
                               int32_t *unit_labels);

/* Checks a data matrix: non-NULL, n, d > 0, finite values, n*d not overflowing. */
st_status st__seg_check_data(st_context *ctx, const char *fn, const double *x, size_t n, size_t d);

#endif
