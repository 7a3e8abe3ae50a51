/*
** summary.c -- events -> customer table. Customers and behaviours are dense ids of a string interner
** (core/strmap.h), in order of first appearance: the accumulator's own, or the event reader's when it is
** the reader's summary sink (io/events.h); purchases are kept as (customer, day, amount) triples because the BTYD conventions
** need distinct purchase days and same-day sums, which arrive in any order; other behaviours only need a
** count and a last day per customer, kept column-wise per behaviour.
**
** Conventions (lifetimes' summary_data_from_transaction_data and calibration_and_holdout_data, freq 'D'):
**   purchases on the same UTC day are one purchase (amounts summed); frequency = purchase days - 1;
**   recency = last - first purchase day; T = end - first purchase day; monetary_value = mean of the
**   per-day sums of the repeat days (0 when frequency is 0); end = calibration end or observation end.
**   Holdout (calibration_end < day <= observation_end): frequency_holdout = purchase days,
**   monetary_value_holdout = mean amount of the holdout purchase rows (lifetimes averages rows, not days),
**   duration_holdout = observation_end - calibration_end. Durations are divided by the unit's days.
*/
#include "features/summary.h"
#include "core/table.h"
#include "core/strmap.h"
#include "core/serial.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct purchase {
    uint32_t cust;
    int32_t day;
    double amount;
} purchase;

struct st_summary_acc {
    st_context *ctx;
    st_summarize_options opt;
    bool has_money;
    /* customer ids and behaviour names: the accumulator's own maps, or a reader's (borrowed) */
    st__strmap own_ids, own_beh;
    const st__strmap *ids, *beh;
    /* per customer id (arrays cover ids 0..ncust-1; later ids are added on first use) */
    int32_t *first_event;
    size_t ncust, capcust;
    /* per behaviour id: count and last day of each customer */
    uint32_t *bcount[ST_MAX_BEHAVIOURS];
    int32_t *blast[ST_MAX_BEHAVIOURS];
    size_t nb;
    /* purchases */
    purchase *pur;
    size_t npur, cappur;
    /* totals */
    int32_t min_day, max_day;
    bool any;
    uint64_t rows_used, nonpositive, zero_amount, after_end;
    /* a deserialized accumulator's own copy of opt.purchase_value and opt.customer_col (else NULL) */
    char *own_str;
};

void st__summary_acc_set_ctx(st_summary_acc *acc, st_context *ctx)
{
    acc->ctx = ctx;
    acc->own_ids.ctx = ctx;
    acc->own_beh.ctx = ctx;
}

void st__summary_acc_rebind(st_summary_acc *acc, const st__strmap *ids, const st__strmap *beh)
{
    acc->ids = ids;
    acc->beh = beh;
}

st_status st_summary_acc_new(st_context *ctx, const st_summarize_options *opts, int has_money, st_summary_acc **out)
{
    if (!ctx || !opts || !out) return ctx ? st__error(ctx, ST_EINVAL, "st_summary_acc_new: NULL argument") : ST_EINVAL;
    *out = NULL;
    if (!opts->customer_col || !*opts->customer_col || !opts->purchase_value)
        return st__error(ctx, ST_EINVAL, "st_summary_acc_new: the customer column and purchase value must be set");
    if (opts->has_calibration_end && opts->has_observation_end && opts->calibration_end >= opts->observation_end)
        return st__error(ctx, ST_EINVAL, "the calibration end must come before the observation end");
    st_summary_acc *a = st__calloc(ctx, 1, sizeof *a);
    if (!a) return ST_ENOMEM;
    a->ctx = ctx;
    a->opt = *opts;
    a->has_money = has_money != 0;
    st__strmap_init(&a->own_ids, ctx, 0);
    st__strmap_init(&a->own_beh, ctx, ST_MAX_BEHAVIOURS);
    a->ids = &a->own_ids;
    a->beh = &a->own_beh;
    a->min_day = INT32_MAX;
    a->max_day = INT32_MIN;
    *out = a;
    return ST_OK;
}

st_status st__summary_acc_new_borrowed(st_context *ctx, const st_summarize_options *opts, int has_money,
                                       const st__strmap *ids, const st__strmap *beh, st_summary_acc **out)
{
    st_status rc = st_summary_acc_new(ctx, opts, has_money, out);
    if (rc == ST_OK) st__summary_acc_rebind(*out, ids, beh);
    return rc;
}

void st_summary_acc_free(st_summary_acc *a)
{
    if (!a) return;
    st_context *ctx = a->ctx;
    st__strmap_free(&a->own_ids);
    st__strmap_free(&a->own_beh);
    st__free(ctx, a->first_event, 0);
    for (size_t b = 0; b < a->nb; b++) {
        st__free(ctx, a->bcount[b], 0);
        st__free(ctx, a->blast[b], 0);
    }
    st__free(ctx, a->pur, 0);
    st__free(ctx, a->own_str, 0);
    st__free(ctx, a, sizeof *a);
}

/* Makes the per-customer arrays cover ids 0..n-1 (new customers: no events yet). */
static bool cover_customers(st_summary_acc *a, size_t n)
{
    if (n <= a->ncust) return true;
    if (n > a->capcust) {
        size_t ncap = a->capcust ? a->capcust : 1024;
        while (ncap < n) ncap *= 2;
        int32_t *fe = st__realloc_array(a->ctx, a->first_event, a->capcust, ncap, sizeof *fe);
        if (!fe) return false;
        a->first_event = fe;
        for (size_t b = 0; b < a->nb; b++) {
            uint32_t *c = st__realloc_array(a->ctx, a->bcount[b], a->capcust, ncap, sizeof *c);
            if (!c) return false;
            a->bcount[b] = c;
            int32_t *l = st__realloc_array(a->ctx, a->blast[b], a->capcust, ncap, sizeof *l);
            if (!l) return false;
            a->blast[b] = l;
        }
        a->capcust = ncap;
    }
    for (size_t i = a->ncust; i < n; i++) {
        a->first_event[i] = INT32_MAX;
        for (size_t b = 0; b < a->nb; b++) {
            a->bcount[b][i] = 0;
            a->blast[b][i] = INT32_MIN;
        }
    }
    a->ncust = n;
    return true;
}

/* Makes the per-behaviour arrays cover behaviour ids 0..n-1. */
static bool cover_behaviours(st_summary_acc *a, size_t n)
{
    for (size_t b = a->nb; b < n; b++) {
        size_t cap = a->capcust ? a->capcust : 1;
        a->bcount[b] = st__malloc(a->ctx, cap * sizeof(uint32_t));
        a->blast[b] = st__malloc(a->ctx, cap * sizeof(int32_t));
        if (!a->bcount[b] || !a->blast[b]) {
            st__free(a->ctx, a->bcount[b], 0);
            st__free(a->ctx, a->blast[b], 0);
            a->bcount[b] = NULL;
            a->blast[b] = NULL;
            return false;
        }
        for (size_t i = 0; i < a->ncust; i++) {
            a->bcount[b][i] = 0;
            a->blast[b][i] = INT32_MIN;
        }
        a->nb = b + 1;
    }
    return true;
}

static bool push_purchase(st_summary_acc *a, uint32_t cust, int32_t day, double amount)
{
    if (a->npur == a->cappur) {
        size_t ncap = a->cappur ? a->cappur * 2 : 4096;
        purchase *p = st__realloc_array(a->ctx, a->pur, a->cappur, ncap, sizeof *p);
        if (!p) return false;
        a->pur = p;
        a->cappur = ncap;
    }
    a->pur[a->npur].cust = cust;
    a->pur[a->npur].day = day;
    a->pur[a->npur].amount = amount;
    a->npur++;
    return true;
}

st_status st__summary_add_id(st_summary_acc *a, uint32_t i, int32_t day, long b, bool is_purchase, double amount)
{
    if (i >= a->ncust && !cover_customers(a, (size_t)i + 1)) return ST_ENOMEM;
    if (b >= 0 && (size_t)b >= a->nb && !cover_behaviours(a, (size_t)b + 1)) return ST_ENOMEM;
    if (day < a->first_event[i]) a->first_event[i] = day;
    if (day < a->min_day) a->min_day = day;
    if (day > a->max_day) a->max_day = day;
    a->any = true;
    a->rows_used++;
    if (is_purchase && a->has_money && amount == 0) a->zero_amount++;
    if (b >= 0 && (!a->opt.has_calibration_end || day <= a->opt.calibration_end)) {
        a->bcount[b][i]++;
        if (day > a->blast[b][i]) a->blast[b][i] = day;
    }
    if (is_purchase && !push_purchase(a, i, day, a->has_money ? amount : 0.0)) return ST_ENOMEM;
    return ST_OK;
}

st_status st_summary_acc_add(st_summary_acc *a, const char *customer, size_t customer_len, int64_t day,
                             const char *behaviour, size_t behaviour_len, double amount)
{
    if (!a) return ST_EINVAL;
    if (!customer || customer_len == 0) return st__error(a->ctx, ST_EINVAL, "st_summary_acc_add: empty customer id");
    if (day > INT32_MAX || day < INT32_MIN + 1) return st__error(a->ctx, ST_ERANGE, "st_summary_acc_add: day out of range");
    if (a->ids != &a->own_ids) return st__error(a->ctx, ST_EINVAL, "st_summary_acc_add: the accumulator belongs to a reader");
    bool is_purchase = behaviour == NULL;
    if (behaviour) {
        size_t pl = strlen(a->opt.purchase_value);
        is_purchase = behaviour_len == pl && st__eq_bytes(behaviour, a->opt.purchase_value, pl);
    }
    if (a->opt.has_observation_end && day > a->opt.observation_end) {
        a->after_end++;
        return ST_OK;
    }
    if (is_purchase && a->has_money && !(amount >= 0)) {
        a->nonpositive++;
        return ST_OK;
    }
    long b = -1;
    st_status rc;
    if (behaviour) {
        uint32_t bid;
        if (behaviour_len == 0) {
            behaviour = "(empty)";
            behaviour_len = 7;
        }
        if ((rc = st__strmap_intern(&a->own_beh, behaviour, behaviour_len, &bid)) != ST_OK)
            return rc == ST_ELIMIT ? st__error(a->ctx, ST_ELIMIT, "more than %d distinct behaviour values", ST_MAX_BEHAVIOURS)
                                   : rc;
        b = bid;
    }
    uint32_t i;
    if ((rc = st__strmap_intern(&a->own_ids, customer, customer_len, &i)) != ST_OK) return rc;
    return st__summary_add_id(a, i, (int32_t)day, b, is_purchase, amount);
}

st_status st__summary_merge_ids(st_summary_acc *a, const st_summary_acc *from, const uint32_t *cmap,
                                const uint32_t *bmap)
{
    if (!cover_customers(a, a->ids->n) || !cover_behaviours(a, a->beh->n)) return ST_ENOMEM;
    for (size_t j = 0; j < from->ncust; j++) {
        size_t i = cmap[j];
        if (from->first_event[j] < a->first_event[i]) a->first_event[i] = from->first_event[j];
        for (size_t b = 0; b < from->nb; b++) {
            size_t tb = bmap[b];
            a->bcount[tb][i] += from->bcount[b][j];
            if (from->blast[b][j] > a->blast[tb][i]) a->blast[tb][i] = from->blast[b][j];
        }
    }
    if (a->npur + from->npur > a->cappur) {
        size_t ncap = a->cappur ? a->cappur : 4096;
        while (ncap < a->npur + from->npur) ncap *= 2;
        purchase *p = st__realloc_array(a->ctx, a->pur, a->cappur, ncap, sizeof *p);
        if (!p) return ST_ENOMEM;
        a->pur = p;
        a->cappur = ncap;
    }
    for (size_t k = 0; k < from->npur; k++) {
        purchase *q = &a->pur[a->npur++];
        q->cust = cmap[from->pur[k].cust];
        q->day = from->pur[k].day;
        q->amount = from->pur[k].amount;
    }
    if (from->any) {
        if (from->min_day < a->min_day) a->min_day = from->min_day;
        if (from->max_day > a->max_day) a->max_day = from->max_day;
        a->any = true;
    }
    a->rows_used += from->rows_used;
    a->nonpositive += from->nonpositive;
    a->zero_amount += from->zero_amount;
    a->after_end += from->after_end;
    return ST_OK;
}

st_status st_summary_acc_merge(st_summary_acc *into, const st_summary_acc *from)
{
    if (!into || !from) return ST_EINVAL;
    st_summary_acc *a = into;
    if (a->ids != &a->own_ids) return st__error(a->ctx, ST_EINVAL, "st_summary_acc_merge: the accumulator belongs to a reader");
    uint32_t bmap[ST_MAX_BEHAVIOURS];
    st_status rc = st__strmap_merge(&a->own_beh, from->beh, bmap);
    if (rc == ST_ELIMIT) return st__error(a->ctx, ST_ELIMIT, "more than %d distinct event values", ST_MAX_BEHAVIOURS);
    if (rc) return rc;
    uint32_t *cmap = st__malloc(a->ctx, (from->ids->n ? from->ids->n : 1) * sizeof *cmap);
    if (!cmap) return ST_ENOMEM;
    rc = st__strmap_merge(&a->own_ids, from->ids, cmap);
    if (rc == ST_OK) rc = st__summary_merge_ids(a, from, cmap, bmap);
    st__free(a->ctx, cmap, 0);
    return rc;
}

static int cmp_purchase_day(const void *x, const void *y)
{
    const purchase *p = x, *q = y;
    return (p->day > q->day) - (p->day < q->day);
}

/* Column names for behaviours: letters, digits and _ kept, anything else becomes _. */
static char *behaviour_col(st_context *ctx, const char *prefix, const char *b)
{
    size_t pl = strlen(prefix), bl = strlen(b);
    char *s = st__malloc(ctx, pl + bl + 1);
    if (!s) return NULL;
    memcpy(s, prefix, pl);
    for (size_t k = 0; k < bl; k++) {
        char c = b[k];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
        s[pl + k] = ok ? c : '_';
    }
    s[pl + bl] = '\0';
    return s;
}

enum {
    C_FREQ, C_REC, C_T, C_MON, C_FH, C_MH, C_DH, C_RDAYS, C_ORDERS, C_REV, C_FIRST, C_LAST, C_N
};
static const char *const col_names[C_N] = {"frequency", "recency", "T", "monetary_value", "frequency_holdout",
                                           "monetary_value_holdout", "duration_holdout", "recency_days",
                                           "orders", "revenue", "first_purchase", "last_purchase"};

st_status st_summary_acc_finalize(st_summary_acc *a, st_table **out, st_ingest_report *report)
{
    st_context *ctx = a->ctx;
    *out = NULL;
    if (!a->any) return st__error(ctx, ST_EEMPTY, "no usable rows: the table would be empty");
    int64_t obs_end = a->opt.has_observation_end ? a->opt.observation_end : a->max_day;
    bool cal = a->opt.has_calibration_end != 0;
    int64_t end = cal ? a->opt.calibration_end : obs_end;
    if (cal && a->opt.calibration_end >= obs_end)
        return st__error(ctx, ST_EINVAL, "the calibration end must come before the observation end");
    double unit = st_unit_days(a->opt.unit);

    if (!cover_customers(a, a->ids->n) || !cover_behaviours(a, a->beh->n)) return ST_ENOMEM;
    /* Group purchases by customer: counting sort (stable), then by day within each customer. */
    size_t n = a->ncust;
    size_t *start = st__calloc(ctx, n + 1, sizeof *start);
    purchase *sorted = NULL; /* a->pur itself when the purchases arrived grouped by customer */
    uint8_t *keep = st__calloc(ctx, n ? n : 1, 1);
    double *col[C_N] = {0};
    st_status rc = ST_OK;
    if (!start || !keep) rc = ST_ENOMEM;
    for (size_t c = 0; c < C_N && rc == ST_OK; c++) {
        if (!cal && (c == C_FH || c == C_MH || c == C_DH)) continue;
        col[c] = st__malloc(ctx, (n ? n : 1) * sizeof(double));
        if (!col[c]) rc = ST_ENOMEM;
    }
    if (rc != ST_OK) goto done;
    bool grouped = true;
    for (size_t k = 0; k < a->npur; k++) {
        start[a->pur[k].cust + 1]++;
        if (k && a->pur[k].cust < a->pur[k - 1].cust) grouped = false;
    }
    for (size_t i = 0; i < n; i++) start[i + 1] += start[i];
    if (grouped) {
        sorted = a->pur; /* sorted by day in place below: the accumulator's content is unchanged */
    } else {
        sorted = st__malloc(ctx, (a->npur ? a->npur : 1) * sizeof *sorted);
        size_t *fill = st__malloc(ctx, (n ? n : 1) * sizeof *fill);
        if (!fill || !sorted) {
            st__free(ctx, fill, 0);
            rc = ST_ENOMEM;
            goto done;
        }
        memcpy(fill, start, n * sizeof *fill);
        for (size_t k = 0; k < a->npur; k++) sorted[fill[a->pur[k].cust]++] = a->pur[k];
        st__free(ctx, fill, 0);
    }

    size_t nkeep = 0;
    uint64_t npurch_used = 0;
    double revenue_total = 0;
    for (size_t i = 0; i < n; i++) {
        purchase *p = sorted ? sorted + start[i] : NULL; /* NULL: no purchase at all (only other events) */
        size_t m = start[i + 1] - start[i];
        bool ordered = true;
        for (size_t k = 1; k < m; k++)
            if (p[k].day < p[k - 1].day) {
                ordered = false;
                break;
            }
        if (!ordered) qsort(p, m, sizeof *p, cmp_purchase_day);
        /* calibration part: days <= end */
        size_t ndays = 0, nh_days = 0, nh_rows = 0;
        int32_t first = 0, last = 0, prev = INT32_MIN;
        double total = 0, first_sum = 0, h_total = 0;
        for (size_t k = 0; k < m; k++) {
            int32_t d = p[k].day;
            if (d <= end) {
                if (d != prev) {
                    if (ndays == 0) first = d;
                    ndays++;
                    last = d;
                }
                if (d == first) first_sum += p[k].amount;
                total += p[k].amount;
            } else if (d <= obs_end) {
                if (d != prev) nh_days++;
                nh_rows++;
                h_total += p[k].amount;
            }
            prev = d;
        }
        bool has_any_purchase = m > 0;
        if (ndays == 0 && (has_any_purchase || a->first_event[i] > end)) continue; /* first purchase after end */
        keep[i] = 1;
        size_t r = nkeep++;
        npurch_used += m;
        revenue_total += total + h_total;
        if (ndays) {
            col[C_FREQ][r] = (double)(ndays - 1);
            col[C_REC][r] = (double)((int64_t)last - first) / unit; /* days span the whole int32 range */
            col[C_T][r] = (double)(end - first) / unit;
            col[C_MON][r] = ndays > 1 ? (total - first_sum) / (double)(ndays - 1) : 0.0;
            col[C_RDAYS][r] = (double)(end - last);
            col[C_FIRST][r] = first;
            col[C_LAST][r] = last;
        } else {
            col[C_FREQ][r] = 0;
            col[C_REC][r] = col[C_T][r] = (double)NAN;
            col[C_MON][r] = 0;
            col[C_RDAYS][r] = (double)NAN;
            col[C_FIRST][r] = col[C_LAST][r] = (double)NAN;
        }
        col[C_ORDERS][r] = (double)ndays;
        col[C_REV][r] = total;
        if (cal) {
            col[C_FH][r] = (double)nh_days;
            col[C_MH][r] = nh_rows ? h_total / (double)nh_rows : 0.0;
            col[C_DH][r] = (double)(obs_end - end) / unit;
        }
    }
    if (nkeep == 0) {
        rc = st__error(ctx, ST_EEMPTY, "no customer has a purchase on or before the calibration end");
        goto done;
    }

    /* Keys of kept customers, in order of first appearance. */
    {
        size_t pool_need = 1;
        for (size_t i = 0; i < n; i++)
            if (keep[i]) pool_need += st__strmap_len(a->ids, (uint32_t)i) + 1;
        char *pool = st__malloc(ctx, pool_need);
        size_t *off = st__malloc(ctx, nkeep * sizeof *off);
        if (!pool || !off) {
            st__free(ctx, pool, 0);
            st__free(ctx, off, 0);
            rc = ST_ENOMEM;
            goto done;
        }
        pool[0] = '\0';
        size_t pl = 1, r = 0;
        for (size_t i = 0; i < n; i++) {
            if (!keep[i]) continue;
            size_t kl = st__strmap_len(a->ids, (uint32_t)i);
            memcpy(pool + pl, st__strmap_key(a->ids, (uint32_t)i), kl + 1);
            off[r++] = pl;
            pl += kl + 1;
        }
        rc = st__table_new_owned_keys(ctx, a->opt.customer_col, nkeep, pool, pl, pool_need, off, out);
        if (rc) goto done;
    }
    for (size_t c = 0; c < C_N; c++) {
        if (!col[c]) continue;
        st_coltype ty = (c == C_FIRST || c == C_LAST) ? ST_COL_DATE : ST_COL_F64;
        rc = st__table_add_f64_owned(*out, col_names[c], ty, col[c]);
        col[c] = NULL;
        if (rc) goto done;
    }
    for (size_t b = 0; b < a->nb && rc == ST_OK; b++) {
        double *cnt = st__malloc(ctx, nkeep * sizeof *cnt);
        double *since = st__malloc(ctx, nkeep * sizeof *since);
        char *cn = behaviour_col(ctx, "count_", st__strmap_key(a->beh, (uint32_t)b));
        char *sn = behaviour_col(ctx, "days_since_", st__strmap_key(a->beh, (uint32_t)b));
        if (!cnt || !since || !cn || !sn) {
            st__free(ctx, cnt, 0);
            st__free(ctx, since, 0);
            rc = ST_ENOMEM;
        } else {
            size_t r = 0;
            for (size_t i = 0; i < n; i++) {
                if (!keep[i]) continue;
                cnt[r] = (double)a->bcount[b][i];
                since[r] = a->bcount[b][i] ? (double)(end - a->blast[b][i]) : (double)NAN;
                r++;
            }
            rc = st__table_add_f64_owned(*out, cn, ST_COL_F64, cnt);
            if (rc == ST_OK) rc = st__table_add_f64_owned(*out, sn, ST_COL_F64, since);
            else st__free(ctx, since, 0);
        }
        st__free(ctx, cn, 0);
        st__free(ctx, sn, 0);
    }
    if (rc == ST_OK && report) {
        report->rows_used = a->rows_used;
        report->nonpositive_purchases = a->nonpositive;
        report->zero_amount_purchases = a->zero_amount;
        report->after_observation_end = a->after_end;
        report->customers = nkeep;
        report->first_day = a->min_day;
        report->last_day = a->max_day;
        report->observation_end = obs_end;
        report->calibration_end = cal ? end : -1;
        report->purchases = npurch_used;
        report->revenue = revenue_total;
    }
done:
    if (rc != ST_OK) {
        st_table_free(*out);
        *out = NULL;
    }
    for (size_t c = 0; c < C_N; c++) st__free(ctx, col[c], 0);
    st__free(ctx, start, 0);
    if (sorted != a->pur) st__free(ctx, sorted, 0);
    st__free(ctx, keep, 0);
    return rc;
}

st_status st__summary_tracking(st_summary_acc *a, double days_per_period, size_t *nperiods, double **births,
                               size_t *nbirths, double **incremental)
{
    st_context *ctx = a->ctx;
    *births = *incremental = NULL;
    *nbirths = 0;
    if (!cover_customers(a, a->ids->n)) return ST_ENOMEM;
    if (a->npur == 0) return st__error(ctx, ST_EEMPTY, "no purchases in the event log");
    size_t n = a->ncust;
    size_t *start = st__calloc(ctx, n + 1, sizeof *start);
    int32_t *day = st__malloc(ctx, a->npur * sizeof *day);
    size_t *fill = st__malloc(ctx, (n ? n : 1) * sizeof *fill);
    st_status rc = ST_OK;
    if (!start || !day || !fill) {
        rc = ST_ENOMEM;
        goto done;
    }
    int32_t origin = INT32_MAX, last = INT32_MIN;
    for (size_t k = 0; k < a->npur; k++) {
        start[a->pur[k].cust + 1]++;
        if (a->pur[k].day < origin) origin = a->pur[k].day;
        if (a->pur[k].day > last) last = a->pur[k].day;
    }
    size_t nb = 0;
    for (size_t i = 0; i < n; i++) {
        nb += start[i + 1] > 0;
        start[i + 1] += start[i];
    }
    memcpy(fill, start, n * sizeof *fill);
    for (size_t k = 0; k < a->npur; k++) day[fill[a->pur[k].cust]++] = a->pur[k].day;
    size_t np = *nperiods ? *nperiods : (size_t)floor((double)(last - origin) / days_per_period) + 1;
    *births = st__malloc(ctx, nb * sizeof **births);
    *incremental = st__calloc(ctx, np, sizeof **incremental);
    if (!*births || !*incremental) {
        rc = ST_ENOMEM;
        goto done;
    }
    size_t b = 0;
    for (size_t i = 0; i < n; i++) {
        int32_t *d = day + start[i];
        size_t m = start[i + 1] - start[i];
        if (!m) continue;
        for (size_t x = 1; x < m; x++) /* insertion sort: a customer's purchases arrive nearly in order */
            for (size_t y = x; y > 0 && d[y - 1] > d[y]; y--) {
                int32_t t = d[y];
                d[y] = d[y - 1];
                d[y - 1] = t;
            }
        (*births)[b++] = (double)(d[0] - origin) / days_per_period;
        for (size_t x = 1; x < m; x++) {
            if (d[x] == d[x - 1]) continue; /* same-day purchases are one */
            size_t k = (size_t)floor((double)(d[x] - origin) / days_per_period);
            if (k < np) (*incremental)[k] += 1.0;
        }
    }
    *nbirths = nb;
    *nperiods = np;
done:
    if (rc != ST_OK) {
        st__free(ctx, *births, 0);
        st__free(ctx, *incremental, 0);
        *births = *incremental = NULL;
    }
    st__free(ctx, start, 0);
    st__free(ctx, day, 0);
    st__free(ctx, fill, 0);
    return rc;
}

/* ------------------------------------------------------------------------------------------------------
** Partial states (core/serial.h), kind "summary_acc", payload version 1, in this order:
**   options   u8 has_money, u32 unit, u8 has_observation_end, i64 observation_end, u8 has_calibration_end,
**             i64 calibration_end, bytes purchase_value, bytes customer_col
**   totals    u8 any, i32 min_day, i32 max_day, u64 rows_used, nonpositive, zero_amount, after_end
**   customers strmap (u64 n, n keys), then n x i32 first event day (INT32_MAX: none)
**   behaviours strmap (u64 nb <= 64, nb keys), then per behaviour n x u32 count and n x i32 last day
**   purchases u64 m, then m x (u32 customer id, i32 day, f64 amount)
** Ids are positions in the maps, so the reader rebuilds the same ids and the same table, byte for byte.
*/
#define SUMMARY_KIND "summary_acc"
#define SUMMARY_VERSION 1u

/* A size hint for the state of a (0 when it would overflow: the buffer then just grows). */
static size_t state_size_hint(const st_summary_acc *a)
{
    size_t n = a->ids->n, per_cust = 8 + 8 * a->beh->n, cust, pur;
    if (!st__mul_ok(n, per_cust, &cust) || !st__mul_ok(a->npur, 16, &pur)) return 0;
    size_t keys = a->ids->keys_len + a->beh->keys_len + 64 * 8 + 256;
    if (cust > SIZE_MAX - keys || pur > SIZE_MAX - keys - cust) return 0;
    return keys + cust + pur;
}

st_status st_summary_acc_serialize(st_context *ctx, const st_summary_acc *a, char **buf, size_t *len)
{
    if (!ctx || !a || !buf || !len)
        return ctx ? st__error(ctx, ST_EINVAL, "st_summary_acc_serialize: NULL argument") : ST_EINVAL;
    const st_summarize_options *o = &a->opt;
    size_t n = a->ids->n, nb = a->beh->n;
    st__wbuf w;
    st__wbuf_begin(&w, ctx, SUMMARY_KIND, SUMMARY_VERSION);
    st__wbuf_reserve(&w, state_size_hint(a));
    st__wbuf_u8(&w, a->has_money);
    st__wbuf_u32(&w, (uint32_t)o->unit);
    st__wbuf_u8(&w, o->has_observation_end != 0);
    st__wbuf_i64(&w, o->observation_end);
    st__wbuf_u8(&w, o->has_calibration_end != 0);
    st__wbuf_i64(&w, o->calibration_end);
    st__wbuf_bytes(&w, o->purchase_value, strlen(o->purchase_value));
    st__wbuf_bytes(&w, o->customer_col, strlen(o->customer_col));

    st__wbuf_u8(&w, a->any);
    st__wbuf_i32(&w, a->min_day);
    st__wbuf_i32(&w, a->max_day);
    st__wbuf_u64(&w, a->rows_used);
    st__wbuf_u64(&w, a->nonpositive);
    st__wbuf_u64(&w, a->zero_amount);
    st__wbuf_u64(&w, a->after_end);

    /* ids the arrays do not cover yet (a reader's map grows ahead of them) have no events */
    st__strmap_write(&w, a->ids);
    for (size_t i = 0; i < n; i++) st__wbuf_i32(&w, i < a->ncust ? a->first_event[i] : INT32_MAX);
    st__strmap_write(&w, a->beh);
    for (size_t b = 0; b < nb; b++) {
        bool have = b < a->nb;
        for (size_t i = 0; i < n; i++) st__wbuf_u32(&w, have && i < a->ncust ? a->bcount[b][i] : 0);
        for (size_t i = 0; i < n; i++) st__wbuf_i32(&w, have && i < a->ncust ? a->blast[b][i] : INT32_MIN);
    }
    st__wbuf_u64(&w, a->npur);
    for (size_t k = 0; k < a->npur; k++) {
        st__wbuf_u32(&w, a->pur[k].cust);
        st__wbuf_i32(&w, a->pur[k].day);
        st__wbuf_f64(&w, a->pur[k].amount);
    }
    return st__wbuf_finish(&w, buf, len);
}

static bool same_str(const char *s, const char *p, size_t n)
{
    return s && strlen(s) == n && memcmp(s, p, n) == 0;
}

/* The options of a state against the caller's: ST_OK, or ST_EINVAL naming the first that differs. */
static st_status check_options(st_context *ctx, const st_summarize_options *st, const st_summarize_options *o,
                               size_t pvn, size_t ccn)
{
    const char *what = NULL;
    if (st->unit != o->unit) what = "unit";
    else if (st->has_observation_end != (o->has_observation_end != 0) ||
             (st->has_observation_end && st->observation_end != o->observation_end))
        what = "observation end";
    else if (st->has_calibration_end != (o->has_calibration_end != 0) ||
             (st->has_calibration_end && st->calibration_end != o->calibration_end))
        what = "calibration end";
    else if (!same_str(o->purchase_value, st->purchase_value, pvn)) what = "purchase value";
    else if (!same_str(o->customer_col, st->customer_col, ccn)) what = "customer column";
    if (!what) return ST_OK;
    return st__error(ctx, ST_EINVAL, "st_summary_acc_deserialize: the state was made with another %s than the "
                     "options give", what);
}

/* Reads the options part of a state into *o (strings pointing into the input) and checks them. */
static bool read_options(st__rbuf *r, st_summarize_options *o, bool *has_money, size_t *pvn, size_t *ccn)
{
    uint32_t unit;
    bool hobs, hcal;
    st__rbuf_bool(r, "has_money", has_money);
    st__rbuf_u32(r, "the unit", &unit);
    st__rbuf_bool(r, "has_observation_end", &hobs);
    st__rbuf_i64(r, "the observation end", &o->observation_end);
    st__rbuf_bool(r, "has_calibration_end", &hcal);
    st__rbuf_i64(r, "the calibration end", &o->calibration_end);
    st__rbuf_bytes(r, "the purchase value", &o->purchase_value, pvn);
    st__rbuf_bytes(r, "the customer column", &o->customer_col, ccn);
    if (r->failed) return false;
    o->unit = (st_unit)(unit <= ST_UNIT_YEAR ? unit : 0);
    o->has_observation_end = hobs;
    o->has_calibration_end = hcal;
    if (unit > ST_UNIT_YEAR) return st__rbuf_fail(r, "unit %u is not a known unit", (unsigned)unit);
    /* day numbers: int32 like every event day, so the table's day arithmetic cannot overflow */
    if (hobs && (o->observation_end < INT32_MIN || o->observation_end > INT32_MAX))
        return st__rbuf_fail(r, "observation end %lld is out of range", (long long)o->observation_end);
    if (hcal && (o->calibration_end < INT32_MIN || o->calibration_end > INT32_MAX))
        return st__rbuf_fail(r, "calibration end %lld is out of range", (long long)o->calibration_end);
    if (hobs && hcal && o->calibration_end >= o->observation_end)
        return st__rbuf_fail(r, "the calibration end is not before the observation end");
    if (*ccn == 0) return st__rbuf_fail(r, "the customer column name is empty");
    if (memchr(o->purchase_value, 0, *pvn) || memchr(o->customer_col, 0, *ccn))
        return st__rbuf_fail(r, "a NUL byte in the purchase value or the customer column name");
    return true;
}

/* Reads the part after the options into the empty accumulator a (its own maps). */
static st_status read_body(st__rbuf *r, st_summary_acc *a)
{
    st__rbuf_bool(r, "any", &a->any);
    st__rbuf_i32(r, "the first day", &a->min_day);
    st__rbuf_i32(r, "the last day", &a->max_day);
    st__rbuf_u64(r, "rows_used", &a->rows_used);
    st__rbuf_u64(r, "the count of negative purchases", &a->nonpositive);
    st__rbuf_u64(r, "the count of zero-amount purchases", &a->zero_amount);
    st__rbuf_u64(r, "the count of rows after the end", &a->after_end);
    if (r->failed) return ST_EFORMAT;

    st_status rc = st__strmap_read(r, &a->own_ids, "customer id");
    if (rc != ST_OK) return rc;
    size_t n = a->own_ids.n;
    if (!st__rbuf_need(r, "first event days", n, 4)) return ST_EFORMAT;
    if (!cover_customers(a, n)) return ST_ENOMEM;
    for (size_t i = 0; i < n; i++) st__rbuf_i32(r, "a first event day", &a->first_event[i]);

    if ((rc = st__strmap_read(r, &a->own_beh, "behaviour")) != ST_OK) return rc;
    size_t nb = a->own_beh.n, col_bytes;
    if (!st__mul_ok(n, 8, &col_bytes)) col_bytes = SIZE_MAX;
    if (!st__rbuf_need(r, "behaviour columns", nb, col_bytes)) return ST_EFORMAT;
    if (!cover_behaviours(a, nb)) return ST_ENOMEM;
    for (size_t b = 0; b < nb; b++) {
        for (size_t i = 0; i < n; i++) st__rbuf_u32(r, "a behaviour count", &a->bcount[b][i]);
        for (size_t i = 0; i < n; i++) st__rbuf_i32(r, "a behaviour's last day", &a->blast[b][i]);
    }

    size_t m;
    if (!st__rbuf_count(r, "purchases", 16, &m)) return ST_EFORMAT;
    if (m) {
        a->pur = st__realloc_array(a->ctx, NULL, 0, m, sizeof *a->pur);
        if (!a->pur) return ST_ENOMEM;
        a->cappur = m;
    }
    for (size_t k = 0; k < m && !r->failed; k++) {
        purchase *p = &a->pur[k];
        st__rbuf_u32(r, "a purchase's customer", &p->cust);
        st__rbuf_i32(r, "a purchase's day", &p->day);
        st__rbuf_f64(r, "a purchase's amount", &p->amount);
        if (p->cust >= n && !r->failed)
            st__rbuf_fail(r, "purchase %zu is of customer %u, beyond the %zu customers", k, (unsigned)p->cust, n);
        a->npur = k + 1;
    }
    return st__rbuf_end(r);
}

st_status st_summary_acc_deserialize(st_context *ctx, const char *buf, size_t len, const st_summarize_options *opts,
                                     st_summary_acc **out)
{
    if (!ctx || !out || (!buf && len))
        return ctx ? st__error(ctx, ST_EINVAL, "st_summary_acc_deserialize: NULL argument") : ST_EINVAL;
    *out = NULL;
    st__rbuf r;
    uint32_t version;
    st_status rc = st__rbuf_begin(&r, ctx, buf, len, SUMMARY_KIND, SUMMARY_VERSION, &version);
    if (rc != ST_OK) return rc;
    st_summarize_options o;
    st_summarize_options_init(&o);
    bool has_money;
    size_t pvn, ccn;
    if (!read_options(&r, &o, &has_money, &pvn, &ccn)) return ST_EFORMAT;
    if (opts && (rc = check_options(ctx, &o, opts, pvn, ccn)) != ST_OK) return rc;

    size_t slen = pvn + ccn + 2; /* both fit in the input: no overflow */
    char *s = st__malloc(ctx, slen);
    if (!s) return ST_ENOMEM;
    memcpy(s, o.purchase_value, pvn);
    s[pvn] = '\0';
    memcpy(s + pvn + 1, o.customer_col, ccn);
    s[pvn + 1 + ccn] = '\0';
    o.purchase_value = s;
    o.customer_col = s + pvn + 1;
    st_summary_acc *a;
    if ((rc = st_summary_acc_new(ctx, &o, has_money, &a)) != ST_OK) {
        st__free(ctx, s, slen);
        return rc;
    }
    a->own_str = s;
    if ((rc = read_body(&r, a)) != ST_OK) {
        st_summary_acc_free(a);
        return rc;
    }
    *out = a;
    return ST_OK;
}
