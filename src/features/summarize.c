/*
** summarize.c -- `st_summarize`: the event reader (io/events.h) with one sink, the summary accumulator,
** then the customer table. The pipeline uses the same sink beside others (st__summary_sink_vt), so one
** pass over the events feeds every stage.
*/
#include "features/summary.h"
#include "io/events.h"

#include <math.h>
#include <string.h>

static st_status sink_new(void *ud, st_context *ctx, const st__strmap *ids, const st__strmap *beh, int has_money,
                          void **part)
{
    return st__summary_acc_new_borrowed(ctx, ud, has_money, ids, beh, (st_summary_acc **)part);
}

static st_status sink_add(void *part, const st__event *e)
{
    return st__summary_add_id(part, e->cust, e->day, e->behaviour, e->is_purchase != 0, e->amount);
}

static st_status sink_merge(void *into, void *from, const uint32_t *cmap, const uint32_t *bmap)
{
    return st__summary_merge_ids(into, from, cmap, bmap);
}

static void sink_rebind(void *part, st_context *ctx, const st__strmap *ids, const st__strmap *beh)
{
    st__summary_acc_set_ctx(part, ctx);
    st__summary_acc_rebind(part, ids, beh);
}

static void sink_free(void *part) { st_summary_acc_free(part); }

const st__event_sink st__summary_sink_vt = {NULL, sink_new, sink_add, sink_merge, sink_rebind, sink_free};

st_status st__summarize_finish(st_context *ctx, const st__events_result *res, void *part, st_table **out,
                               st_ingest_report *report)
{
    st_ingest_report rep;
    memset(&rep, 0, sizeof rep);
    st_status rc = st__progress(ctx, "summarize", -1);
    if (rc == ST_OK) rc = st_summary_acc_finalize(part, out, &rep);
    if (rc != ST_OK) return rc;
    if (report) {
        rep.rows = res->rows;
        rep.skipped_bad_field_count = res->skipped_bad_field_count;
        rep.skipped_bad_quote = res->skipped_bad_quote;
        rep.skipped_missing_customer = res->skipped_missing_customer;
        rep.skipped_bad_time = res->skipped_bad_time;
        rep.skipped_bad_number = res->skipped_bad_number;
        rep.after_observation_end = res->after_end;
        rep.nonpositive_purchases = res->nonpositive;
        rep.bytes_read = res->bytes_read;
        *report = rep;
    }
    st__progress(ctx, "summarize", 1.0);
    return ST_OK;
}

st_status st_summarize(st_context *ctx, const char *const *paths, size_t npaths, const st_summarize_options *opts,
                       st_table **out, st_ingest_report *report)
{
    if (!ctx) return ST_EINVAL;
    if (!out || !opts || (!paths && npaths)) return st__error(ctx, ST_EINVAL, "st_summarize: NULL argument");
    *out = NULL;
    st__event_sink sink = st__summary_sink_vt;
    sink.ud = (void *)opts;
    st__events_result res;
    st_status rc = st__events_read(ctx, paths, npaths, opts, &sink, 1, &res);
    if (rc != ST_OK) return rc;
    rc = st__summarize_finish(ctx, &res, res.parts[0], out, report);
    st__events_result_free(ctx, &sink, 1, &res);
    return rc;
}

st_status st_tracking_from_events(st_context *ctx, const char *const *paths, size_t npaths,
                                  const st_summarize_options *in, double days_per_period, size_t *nperiods,
                                  double **births, size_t *nbirths, double **incremental)
{
    if (!ctx) return ST_EINVAL;
    if (!in || !nperiods || !births || !nbirths || !incremental || (!paths && npaths))
        return st__error(ctx, ST_EINVAL, "st_tracking_from_events: NULL argument");
    *births = *incremental = NULL;
    *nbirths = 0;
    if (!(days_per_period > 0) || !isfinite(days_per_period))
        return st__error(ctx, ST_EINVAL, "st_tracking_from_events: days_per_period must be positive and finite");
    st__event_sink sink = st__summary_sink_vt;
    sink.ud = (void *)in;
    st__events_result res;
    st_status rc = st__events_read(ctx, paths, npaths, in, &sink, 1, &res);
    if (rc != ST_OK) return rc;
    rc = st__summary_tracking(res.parts[0], days_per_period, nperiods, births, nbirths, incremental);
    st__events_result_free(ctx, &sink, 1, &res);
    return rc;
}
