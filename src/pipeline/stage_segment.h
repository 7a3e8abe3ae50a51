/*
** stage_segment.h -- the segment stage of `strata run`: classic RFM, the eight-class RFM cube and the
** improved SOM on the customer table's recency_days, orders and revenue.
*/
#ifndef STRATA_STAGE_SEGMENT_H
#define STRATA_STAGE_SEGMENT_H

#include "pipeline/stages.h"

/* Adds the columns r_score, f_score, m_score, rfm_score, rfm_segment (classic RFM), rfm8_segment (mean
** split cube), som_segment_id, som_segment, som_bmu (improved SOM, grid side ceil(sqrt(5 sqrt(m))) in
** [2, 10], hex, online, 20 epochs, seed 42, codebook clustered into up to 7 segments named from their
** centroids) on z-scored recency_days, orders, revenue of the m customers with a purchase. Customers with
** no purchase (recency_days empty) get segment "No purchase" in every scheme and empty scores/ids.
** Writes DIR/segments.csv (per method and segment: count, share, mean and median of R, F, M, strategy),
** DIR/metrics.json (silhouette, davies_bouldin, calinski_harabasz per method on the z-scored features by
** st_segment_evaluate's rule: one silhouette sample of ST_SILHOUETTE_ROWS customers for the three schemes,
** the other two on every customer with a purchase; plus quantization and topographic error of the SOM, which
** trains on a seeded sample of 20000 customers) and "segment" in the summary. Skips (summary {"skipped": ...}) when the columns are missing
** or fewer than 10 customers have a purchase. Errors: ST_EIO, ST_ENOMEM, ST_ECANCELLED. */
st_status st__stage_segment(st_stage_env *env);

#endif
