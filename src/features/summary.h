/*
** summary.h -- the accumulator behind `strata summarize`: rows in (customer, day, behaviour, amount),
** one customer table out. Partial states from different threads or files merge exactly.
*/
#ifndef STRATA_SUMMARY_H
#define STRATA_SUMMARY_H

#include "core/internal.h"

#define ST_MAX_BEHAVIOURS 64

typedef struct st_summary_acc st_summary_acc;

/* Result of adding one row. */
typedef enum st_add_result {
    ST_ADD_USED = 0,
    ST_ADD_NONPOSITIVE,     /* a purchase with amount < 0 (return): counted, not used */
    ST_ADD_AFTER_END,       /* later than the observation end: ignored */
    ST_ADD_TOO_MANY_BEHAVIOURS,
    ST_ADD_NOMEM
} st_add_result;

/* Adds one event. behaviour == NULL means "a purchase" (no event column); otherwise is_purchase says
** whether it is the purchase behaviour. */
st_add_result st__summary_add(st_summary_acc *acc, const char *key, size_t klen, int32_t day,
                              const char *behaviour, size_t blen, bool is_purchase, double amount);

st_status st_summary_acc_new(st_context *ctx, const st_summarize_options *opts, int has_money, st_summary_acc **out);
void st_summary_acc_free(st_summary_acc *acc);
/* Adds every row of from into into (customers keep their order of first appearance: into's, then from's
** new ones). from is unchanged. */
st_status st_summary_acc_merge(st_summary_acc *into, const st_summary_acc *from);
/* Builds the customer table; the accumulator may not be used afterwards except to free it. */
st_status st_summary_acc_finalize(st_summary_acc *acc, st_table **out, st_ingest_report *report);
/* Rebinds the accumulator to another context (same allocator), e.g. from a worker's to the caller's. */
void st__summary_acc_set_ctx(st_summary_acc *acc, st_context *ctx);

#endif
