/*
** events.h -- the one event reader and what it feeds. st__events_read reads event logs once (plain files
** split across threads, .gz and standard input streamed) and hands every usable row, as a st__event with
** dense customer and behaviour ids, to each of N sinks: the customer summary (features/), the customer x
** period panel (below; the MDP stage's input), and later attribution paths and recommendation
** interactions. Stages may include this header; it is the only io/ header they may include.
*/
#ifndef STRATA_EVENTS_H
#define STRATA_EVENTS_H

#include "core/internal.h"
#include "core/strmap.h"

#define ST__MAX_SINKS 8
#define ST__MAX_BEHAVIOURS 64

/* One usable row: rows after the observation end and purchases with a negative amount (returns) are
** counted by the reader and never reach a sink. */
typedef struct st__event {
    uint32_t cust;      /* id in the reader's customer map (order of first appearance) */
    int32_t day;        /* UTC day number */
    int32_t behaviour;  /* id in the behaviour map; -1 when there is no event column */
    int is_purchase;    /* without an event column every row is a purchase */
    double amount;      /* the purchase amount (>= 0) when the log has money; else 0 */
} st__event;

/* A consumer of events. Each reader worker gets its own partial state ("part") of every sink; parts are
** merged in file order, so a sink's result does not depend on the thread count. */
typedef struct st__event_sink {
    void *ud; /* the sink's configuration, given to part_new */
    /* A new empty part whose ids are those of the worker's maps ids and beh (borrowed; they grow). */
    st_status (*part_new)(void *ud, st_context *ctx, const st__strmap *ids, const st__strmap *beh, int has_money,
                          void **part);
    st_status (*add)(void *part, const st__event *e);
    /* Adds from into; into's maps already hold from's keys: cmap[i] / bmap[b] are into's ids of from's. */
    st_status (*merge)(void *into, void *from, const uint32_t *cmap, const uint32_t *bmap);
    /* Points a part at other maps with the same ids (and another context with the same allocator). */
    void (*rebind)(void *part, st_context *ctx, const st__strmap *ids, const st__strmap *beh);
    void (*part_free)(void *part);
} st__event_sink;

/* What a read gives: the maps, one merged part per sink (owned), and the counts of the ingest report. */
typedef struct st__events_result {
    st__strmap ids, beh;
    void *parts[ST__MAX_SINKS];
    int has_money;
    uint64_t rows, after_end, nonpositive;
    uint64_t skipped_bad_field_count, skipped_bad_time, skipped_bad_number, skipped_missing_customer,
        skipped_bad_quote;
    uint64_t bytes_read; /* raw bytes taken from the inputs (also added to the context's counter) */
} st__events_result;

/* Checks the input options (columns named, delimiter, time format, ends). Errors: ST_EINVAL. */
st_status st__events_check_options(st_context *ctx, const st_summarize_options *o);

/* Reads paths[0..npaths) ("-" = standard input; gzip detected by its magic bytes) with the input options
** of o (columns, time format, money, event column, delimiter, header, on_error, observation end) and feeds
** sinks[0..nsinks). On success res holds the result (free with st__events_result_free); on failure it is
** freed. Errors: those of st_summarize. */
st_status st__events_read(st_context *ctx, const char *const *paths, size_t npaths, const st_summarize_options *o,
                          const st__event_sink *sinks, size_t nsinks, st__events_result *res);
void st__events_result_free(st_context *ctx, const st__event_sink *sinks, size_t nsinks, st__events_result *res);

/* ---- the customer x period panel: a sink ----
** Per customer and period with activity: the period index, the number of events (rows of any behaviour)
** and the spend (purchase amounts). 16 bytes per active customer-period once finished (20 while reading). */
typedef enum st__period { ST__PERIOD_WEEK, ST__PERIOD_MONTH, ST__PERIOD_QUARTER } st__period;

/* The period index of a day: weeks start on Monday; months and quarters count from year 0. */
int32_t st__period_of_day(int32_t day, st__period p);

typedef struct st__panel {
    st_context *ctx;
    st__period period;
    size_t ncust;    /* customers: ids 0..ncust-1 of the reader's map */
    size_t *start;   /* ncust + 1: customer c's periods are [start[c], start[c+1]) */
    int32_t *per;    /* period index, ascending within a customer */
    uint32_t *events;
    double *spend;
    size_t n;        /* active customer-periods */
} st__panel;

/* The panel sink; ud points at a st__period. */
extern const st__event_sink st__panel_sink_vt;
/* Turns the merged part of a read into the panel (the part is consumed and freed, also on failure). ncust is
** the size of the reader's customer map. Errors: ST_ENOMEM. */
st_status st__panel_finish(st_context *ctx, void *part, size_t ncust, st__panel *out);
void st__panel_free(st__panel *p);

#endif
