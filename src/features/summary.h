/*
** summary.h -- the accumulator behind `strata summarize`: rows in (customer, day, behaviour, amount),
** one customer table out. Partial states from different threads or files merge exactly.
*/
#ifndef STRATA_SUMMARY_H
#define STRATA_SUMMARY_H

#include "core/internal.h"

#define ST_MAX_BEHAVIOURS 64


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

/* Rebinds the accumulator to another context (same allocator), e.g. from a worker's to the caller's. */
void st__summary_acc_set_ctx(st_summary_acc *acc, st_context *ctx);

#endif
