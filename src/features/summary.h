/*
** summary.h -- the accumulator behind `strata summarize`: rows in (customer, day, behaviour, amount),
** one customer table out. Partial states from different threads or files merge exactly.
*/
#ifndef STRATA_SUMMARY_H
#define STRATA_SUMMARY_H

#include "core/internal.h"
#include "core/strmap.h"

#define ST_MAX_BEHAVIOURS 64

/* An accumulator whose customer and behaviour ids are those of the maps ids and beh, which it borrows
** (they must outlive it and may grow; st__summary_acc_rebind points it at other maps holding the same
** ids). The public add and merge refuse such an accumulator; the reader feeds it with st__summary_add_id. */
st_status st__summary_acc_new_borrowed(st_context *ctx, const st_summarize_options *opts, int has_money,
                                       const st__strmap *ids, const st__strmap *beh, st_summary_acc **out);
void st__summary_acc_rebind(st_summary_acc *acc, const st__strmap *ids, const st__strmap *beh);

/* Adds one usable row (the caller has dropped rows after the observation end and negative purchases):
** customer id i, behaviour id b (-1: no event column). Errors: ST_ENOMEM. */
st_status st__summary_add_id(st_summary_acc *acc, uint32_t i, int32_t day, long b, bool is_purchase, double amount);

/* Adds from to into, whose maps already hold from's keys: cmap / bmap give into's id of from's customer
** and behaviour ids. Errors: ST_ENOMEM. */
st_status st__summary_merge_ids(st_summary_acc *into, const st_summary_acc *from, const uint32_t *cmap,
                                const uint32_t *bmap);

/* The summary as a sink of the event reader (io/events.h); set ud to the st_summarize_options. */
struct st__event_sink;
struct st__events_result;
extern const struct st__event_sink st__summary_sink_vt;

/* Finalizes the summary part of a read into the customer table and fills report (may be NULL) with the
** read's counts. The part is not freed. */
st_status st__summarize_finish(st_context *ctx, const struct st__events_result *res, void *part, st_table **out,
                               st_ingest_report *report);

/* The tracking data of the accumulated purchases (see st_tracking_from_events); arrays from the context's
** allocator. */
st_status st__summary_tracking(st_summary_acc *acc, double days_per_period, size_t *nperiods, double **births,
                               size_t *nbirths, double **incremental);

/* Rebinds the accumulator to another context (same allocator), e.g. from a worker's to the caller's. */
void st__summary_acc_set_ctx(st_summary_acc *acc, st_context *ctx);

#endif
