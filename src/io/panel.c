/*
** panel.c -- the customer x period panel sink of the event reader: for each customer and each period with
** activity, the events (rows of any behaviour) and the spend (purchase amounts). Rows are reduced as they arrive (a customer's latest record
** absorbs further rows of its period), so a part holds about one 24-byte record per active
** customer-period (20 bytes, column-wise); finishing groups the records by customer (a counting sort,
** skipped when the log was grouped by customer), orders each customer's periods and merges duplicates:
** 16 bytes per customer-period.
*/
#include "io/events.h"

#include <string.h>

typedef struct part {
    st_context *ctx;
    st__period period;
    /* one record per (customer, period) run, column-wise: 20 bytes a record */
    uint32_t *cust;
    int32_t *per;
    uint32_t *events;
    double *spend;
    size_t n, cap;
    uint32_t *last;  /* customer -> index of its latest record + 1 (0 = none) */
    size_t nlast;
    int32_t day_key; /* cache: the period of the previous row's day */
    int32_t per_key;
    bool key_valid;
} part;

int32_t st__period_of_day(int32_t day, st__period p)
{
    if (p == ST__PERIOD_WEEK) return (int32_t)st__floor_div((int64_t)day + 3, 7); /* day 0 (1970-01-01) was a Thursday */
    int64_t y;
    int m, d;
    st_civil_from_days(day, &y, &m, &d);
    return (int32_t)(p == ST__PERIOD_QUARTER ? y * 4 + (m - 1) / 3 : y * 12 + (m - 1));
}

static st_status part_new(void *ud, st_context *ctx, const st__strmap *ids, const st__strmap *beh, int has_money,
                          void **out)
{
    (void)ids;
    (void)beh;
    (void)has_money;
    part *p = st__calloc(ctx, 1, sizeof *p);
    if (!p) return ST_ENOMEM;
    p->ctx = ctx;
    p->period = ud ? *(const st__period *)ud : ST__PERIOD_MONTH;
    *out = p;
    return ST_OK;
}

static void part_free(void *v)
{
    part *p = v;
    if (!p) return;
    st__free(p->ctx, p->cust, 0);
    st__free(p->ctx, p->per, 0);
    st__free(p->ctx, p->events, 0);
    st__free(p->ctx, p->spend, 0);
    st__free(p->ctx, p->last, p->nlast * sizeof *p->last);
    st__free(p->ctx, p, sizeof *p);
}

static void part_rebind(void *v, st_context *ctx, const st__strmap *ids, const st__strmap *beh)
{
    (void)ids;
    (void)beh;
    ((part *)v)->ctx = ctx;
}

/* Resizes the record arrays to ncap records (>= n). */
static bool resize(part *p, size_t ncap)
{
    uint32_t *c = st__realloc_array(p->ctx, p->cust, p->cap, ncap, sizeof *c);
    if (!c) return false;
    p->cust = c;
    int32_t *q = st__realloc_array(p->ctx, p->per, p->cap, ncap, sizeof *q);
    if (!q) return false;
    p->per = q;
    uint32_t *e = st__realloc_array(p->ctx, p->events, p->cap, ncap, sizeof *e);
    if (!e) return false;
    p->events = e;
    double *sp = st__realloc_array(p->ctx, p->spend, p->cap, ncap, sizeof *sp);
    if (!sp) return false;
    p->spend = sp;
    p->cap = ncap;
    return true;
}

/* Makes room for want records. */
static bool reserve(part *p, size_t want)
{
    if (want <= p->cap) return true;
    size_t ncap = p->cap ? p->cap + p->cap / 2 : 4096; /* 1.5x: the panel is the read's largest state */
    return resize(p, ncap < want ? want : ncap);
}

static st_status part_add(void *v, const st__event *e)
{
    part *p = v;
    int32_t per;
    if (p->key_valid && e->day == p->day_key) {
        per = p->per_key;
    } else {
        per = st__period_of_day(e->day, p->period);
        p->day_key = e->day;
        p->per_key = per;
        p->key_valid = true;
    }
    if (e->cust >= p->nlast) {
        size_t ncap = p->nlast ? p->nlast : 1024;
        while (ncap <= e->cust) ncap *= 2;
        uint32_t *l = st__realloc_array(p->ctx, p->last, p->nlast, ncap, sizeof *l);
        if (!l) return ST_ENOMEM;
        memset(l + p->nlast, 0, (ncap - p->nlast) * sizeof *l);
        p->last = l;
        p->nlast = ncap;
    }
    uint32_t k = p->last[e->cust];
    double amt = e->is_purchase ? e->amount : 0.0;
    if (k && p->per[k - 1] == per) {
        p->events[k - 1]++;
        p->spend[k - 1] += amt;
        return ST_OK;
    }
    if (p->n >= UINT32_MAX - 1) return st__error(p->ctx, ST_ELIMIT, "more than %u customer-periods", (unsigned)(UINT32_MAX - 2));
    if (!reserve(p, p->n + 1)) return ST_ENOMEM;
    size_t j = p->n++;
    p->cust[j] = e->cust;
    p->per[j] = per;
    p->events[j] = 1;
    p->spend[j] = amt;
    p->last[e->cust] = (uint32_t)p->n;
    return ST_OK;
}

static st_status part_merge(void *vi, void *vf, const uint32_t *cmap, const uint32_t *bmap)
{
    (void)bmap;
    part *into = vi, *from = vf;
    if (into->n + from->n > into->cap && !resize(into, into->n + from->n)) return ST_ENOMEM;
    for (size_t k = 0; k < from->n; k++) into->cust[into->n + k] = cmap[from->cust[k]];
    memcpy(into->per + into->n, from->per, from->n * sizeof *from->per);
    memcpy(into->events + into->n, from->events, from->n * sizeof *from->events);
    memcpy(into->spend + into->n, from->spend, from->n * sizeof *from->spend);
    into->n += from->n;
    /* the receiving part's "latest record" index no longer covers every customer; it is not used after
    ** merging (merges come after all rows are added) */
    st__free(into->ctx, into->last, into->nlast * sizeof *into->last);
    into->last = NULL;
    into->nlast = 0;
    return ST_OK;
}

const st__event_sink st__panel_sink_vt = {NULL, part_new, part_add, part_merge, part_rebind, part_free};

void st__panel_free(st__panel *p)
{
    if (!p || !p->ctx) return;
    st__free(p->ctx, p->start, 0);
    st__free(p->ctx, p->per, 0);
    st__free(p->ctx, p->events, 0);
    st__free(p->ctx, p->spend, 0);
    memset(p, 0, sizeof *p);
}

st_status st__panel_finish(st_context *ctx, void *v, size_t ncust, st__panel *out)
{
    part *p = v;
    memset(out, 0, sizeof *out);
    out->ctx = ctx;
    out->period = p->period;
    out->ncust = ncust;
    st__free(p->ctx, p->last, p->nlast * sizeof *p->last);
    p->last = NULL;
    p->nlast = 0;
    size_t n = p->n;
    out->start = st__calloc(ctx, ncust + 1, sizeof *out->start);
    if (!out->start) {
        part_free(p);
        return ST_ENOMEM;
    }
    bool grouped = true; /* a log grouped by customer gives records in customer order: no copy needed */
    for (size_t k = 0; k < n; k++) {
        out->start[p->cust[k] + 1]++;
        if (k && p->cust[k] < p->cust[k - 1]) grouped = false;
    }
    for (size_t c = 0; c < ncust; c++) out->start[c + 1] += out->start[c];
    if (grouped) {
        out->per = p->per;
        out->events = p->events;
        out->spend = p->spend;
        p->per = NULL;
        p->events = NULL;
        p->spend = NULL;
    } else {
        /* counting sort by customer, stable: a customer's records stay in arrival order */
        out->per = st__malloc(ctx, (n ? n : 1) * sizeof *out->per);
        out->events = st__malloc(ctx, (n ? n : 1) * sizeof *out->events);
        out->spend = st__malloc(ctx, (n ? n : 1) * sizeof *out->spend);
        size_t *fill = st__malloc(ctx, (ncust ? ncust : 1) * sizeof *fill);
        if (!out->per || !out->events || !out->spend || !fill) {
            st__free(ctx, fill, 0);
            part_free(p);
            st__panel_free(out);
            return ST_ENOMEM;
        }
        memcpy(fill, out->start, ncust * sizeof *fill);
        for (size_t k = 0; k < n; k++) {
            size_t j = fill[p->cust[k]]++;
            out->per[j] = p->per[k];
            out->events[j] = p->events[k];
            out->spend[j] = p->spend[k];
        }
        st__free(ctx, fill, 0);
    }
    part_free(p);
    /* each customer's periods ascending (insertion sort: records arrive nearly in order), duplicates merged
    ** in arrival order, compacted in place */
    size_t w = 0;
    for (size_t c = 0; c < ncust; c++) {
        size_t a = out->start[c], b = out->start[c + 1];
        for (size_t i = a + 1; i < b; i++) {
            int32_t pk = out->per[i];
            uint32_t ek = out->events[i];
            double sk = out->spend[i];
            size_t j = i;
            for (; j > a && out->per[j - 1] > pk; j--) {
                out->per[j] = out->per[j - 1];
                out->events[j] = out->events[j - 1];
                out->spend[j] = out->spend[j - 1];
            }
            out->per[j] = pk;
            out->events[j] = ek;
            out->spend[j] = sk;
        }
        out->start[c] = w;
        for (size_t i = a; i < b; i++) {
            if (w > out->start[c] && out->per[w - 1] == out->per[i]) {
                out->events[w - 1] += out->events[i];
                out->spend[w - 1] += out->spend[i];
                continue;
            }
            out->per[w] = out->per[i];
            out->events[w] = out->events[i];
            out->spend[w] = out->spend[i];
            w++;
        }
    }
    out->start[ncust] = w;
    out->n = w;
    return ST_OK;
}
