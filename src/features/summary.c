/*
** summary.c -- events -> customer table. Customers are interned in an open-addressing hash table in order
** of first appearance; purchases are kept as (customer, day, amount) triples because the BTYD conventions
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
    /* customers */
    uint32_t *htab;  /* slot -> customer index + 1; 0 = empty */
    size_t hcap;
    uint64_t *hash;  /* customer -> hash (for rehashing) */
    char *keys;
    size_t keys_len, keys_cap;
    size_t *key_off;
    uint32_t *key_len;
    int32_t *first_event;
    size_t ncust, capcust;
    /* behaviours */
    char *bname[ST_MAX_BEHAVIOURS];
    size_t blen[ST_MAX_BEHAVIOURS];
    uint32_t *bcount[ST_MAX_BEHAVIOURS];
    int32_t *blast[ST_MAX_BEHAVIOURS];
    size_t nb;
    size_t last_b;
    size_t last_cust; /* logs usually list a customer's events together: try the previous one first */
    /* purchases */
    purchase *pur;
    size_t npur, cappur;
    /* totals */
    int32_t min_day, max_day;
    bool any;
    uint64_t rows_used, nonpositive, zero_amount, after_end;
};

void st__summary_acc_set_ctx(st_summary_acc *acc, st_context *ctx) { acc->ctx = ctx; }

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
    a->hcap = 1024;
    a->htab = st__calloc(ctx, a->hcap, sizeof *a->htab);
    a->min_day = INT32_MAX;
    a->max_day = INT32_MIN;
    a->last_b = SIZE_MAX;
    a->last_cust = SIZE_MAX;
    if (!a->htab) {
        st_summary_acc_free(a);
        return ST_ENOMEM;
    }
    *out = a;
    return ST_OK;
}

void st_summary_acc_free(st_summary_acc *a)
{
    if (!a) return;
    st_context *ctx = a->ctx;
    st__free(ctx, a->htab, 0);
    st__free(ctx, a->hash, 0);
    st__free(ctx, a->keys, 0);
    st__free(ctx, a->key_off, 0);
    st__free(ctx, a->key_len, 0);
    st__free(ctx, a->first_event, 0);
    for (size_t b = 0; b < a->nb; b++) {
        st__free(ctx, a->bname[b], 0);
        st__free(ctx, a->bcount[b], 0);
        st__free(ctx, a->blast[b], 0);
    }
    st__free(ctx, a->pur, 0);
    st__free(ctx, a, sizeof *a);
}

static inline uint64_t hash_bytes(const char *s, size_t n)
{
    uint64_t h = 0x9E3779B97F4A7C15ULL ^ (n * 0xff51afd7ed558ccdULL);
    while (n >= 8) {
        uint64_t v;
        memcpy(&v, s, 8);
        h = (h ^ v) * 0xbf58476d1ce4e5b9ULL;
        h ^= h >> 31;
        s += 8;
        n -= 8;
    }
    uint64_t v = 0;
    memcpy(&v, s, n);
    h = (h ^ v) * 0x94d049bb133111ebULL;
    h ^= h >> 29;
    h *= 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 32;
    return h;
}

static bool grow_customers(st_summary_acc *a)
{
    size_t ncap = a->capcust ? a->capcust * 2 : 1024;
    if (ncap > UINT32_MAX - 1) {
        st__error(a->ctx, ST_ELIMIT, "more than %u customers", (unsigned)(UINT32_MAX - 1));
        return false;
    }
    uint64_t *h = st__realloc_array(a->ctx, a->hash, a->capcust, ncap, sizeof *h);
    if (!h) return false;
    a->hash = h;
    size_t *ko = st__realloc_array(a->ctx, a->key_off, a->capcust, ncap, sizeof *ko);
    if (!ko) return false;
    a->key_off = ko;
    uint32_t *kl = st__realloc_array(a->ctx, a->key_len, a->capcust, ncap, sizeof *kl);
    if (!kl) return false;
    a->key_len = kl;
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
    return true;
}

static bool rehash(st_summary_acc *a)
{
    size_t ncap = a->hcap * 2;
    uint32_t *t = st__calloc(a->ctx, ncap, sizeof *t);
    if (!t) return false;
    size_t mask = ncap - 1;
    for (size_t i = 0; i < a->ncust; i++) {
        size_t s = (size_t)a->hash[i] & mask;
        while (t[s]) s = (s + 1) & mask;
        t[s] = (uint32_t)(i + 1);
    }
    st__free(a->ctx, a->htab, 0);
    a->htab = t;
    a->hcap = ncap;
    return true;
}

/* Returns the customer's index, adding it when new; SIZE_MAX on allocation failure. */
static size_t intern(st_summary_acc *a, const char *key, size_t klen, uint64_t h)
{
    size_t mask = a->hcap - 1, s = (size_t)h & mask;
    for (;;) {
        uint32_t e = a->htab[s];
        if (!e) break;
        size_t i = e - 1;
        if (a->hash[i] == h && a->key_len[i] == klen && st__eq_bytes(a->keys + a->key_off[i], key, klen)) return i;
        s = (s + 1) & mask;
    }
    if (a->ncust == a->capcust && !grow_customers(a)) return SIZE_MAX;
    if (a->keys_len + klen + 1 > a->keys_cap) {
        size_t ncap = a->keys_cap ? a->keys_cap : 4096;
        while (ncap < a->keys_len + klen + 1) ncap *= 2;
        char *k = st__realloc_array(a->ctx, a->keys, a->keys_cap, ncap, 1);
        if (!k) return SIZE_MAX;
        a->keys = k;
        a->keys_cap = ncap;
    }
    size_t i = a->ncust++;
    memcpy(a->keys + a->keys_len, key, klen);
    a->keys[a->keys_len + klen] = '\0';
    a->key_off[i] = a->keys_len;
    a->key_len[i] = (uint32_t)klen;
    a->keys_len += klen + 1;
    a->hash[i] = h;
    a->first_event[i] = INT32_MAX;
    for (size_t b = 0; b < a->nb; b++) {
        a->bcount[b][i] = 0;
        a->blast[b][i] = INT32_MIN;
    }
    a->htab[s] = (uint32_t)(i + 1);
    if (a->ncust * 2 > a->hcap && !rehash(a)) return SIZE_MAX;
    return i;
}

static size_t behaviour_index(st_summary_acc *a, const char *name, size_t len, bool *nomem)
{
    if (a->last_b < a->nb && a->blen[a->last_b] == len && st__eq_bytes(a->bname[a->last_b], name, len))
        return a->last_b;
    for (size_t b = 0; b < a->nb; b++)
        if (a->blen[b] == len && st__eq_bytes(a->bname[b], name, len)) return a->last_b = b;
    if (a->nb == ST_MAX_BEHAVIOURS) return SIZE_MAX;
    size_t b = a->nb;
    size_t cap = a->capcust ? a->capcust : 1;
    a->bname[b] = st__strndup(a->ctx, name, len);
    a->bcount[b] = st__malloc(a->ctx, cap * sizeof(uint32_t));
    a->blast[b] = st__malloc(a->ctx, cap * sizeof(int32_t));
    if (!a->bname[b] || !a->bcount[b] || !a->blast[b]) {
        st__free(a->ctx, a->bname[b], 0);
        st__free(a->ctx, a->bcount[b], 0);
        st__free(a->ctx, a->blast[b], 0);
        a->bname[b] = NULL;
        a->bcount[b] = NULL;
        a->blast[b] = NULL;
        *nomem = true;
        return SIZE_MAX;
    }
    a->blen[b] = len;
    for (size_t i = 0; i < a->ncust; i++) {
        a->bcount[b][i] = 0;
        a->blast[b][i] = INT32_MIN;
    }
    a->nb++;
    return a->last_b = b;
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

st_add_result st__summary_add(st_summary_acc *a, const char *key, size_t klen, int32_t day,
                              const char *behaviour, size_t blen, bool is_purchase, double amount)
{
    if (a->opt.has_observation_end && day > a->opt.observation_end) {
        a->after_end++;
        return ST_ADD_AFTER_END;
    }
    if (behaviour == NULL) is_purchase = true;
    if (is_purchase && a->has_money && !(amount >= 0)) {
        a->nonpositive++;
        return ST_ADD_NONPOSITIVE;
    }
    if (is_purchase && a->has_money && amount == 0) a->zero_amount++;
    bool nomem = false;
    size_t b = SIZE_MAX;
    if (behaviour) {
        b = behaviour_index(a, behaviour, blen, &nomem);
        if (b == SIZE_MAX) return nomem ? ST_ADD_NOMEM : ST_ADD_TOO_MANY_BEHAVIOURS;
    }
    size_t i = a->last_cust;
    if (!(i < a->ncust && a->key_len[i] == klen && st__eq_bytes(a->keys + a->key_off[i], key, klen))) {
        i = intern(a, key, klen, hash_bytes(key, klen));
        if (i == SIZE_MAX) return ST_ADD_NOMEM;
        a->last_cust = i;
    }
    if (day < a->first_event[i]) a->first_event[i] = day;
    if (day < a->min_day) a->min_day = day;
    if (day > a->max_day) a->max_day = day;
    a->any = true;
    a->rows_used++;
    if (b != SIZE_MAX && (!a->opt.has_calibration_end || day <= a->opt.calibration_end)) {
        a->bcount[b][i]++;
        if (day > a->blast[b][i]) a->blast[b][i] = day;
    }
    if (is_purchase && !push_purchase(a, (uint32_t)i, day, a->has_money ? amount : 0.0)) return ST_ADD_NOMEM;
    return ST_ADD_USED;
}

st_status st_summary_acc_add(st_summary_acc *a, const char *customer, size_t customer_len, int64_t day,
                             const char *behaviour, size_t behaviour_len, double amount)
{
    if (!a) return ST_EINVAL;
    if (!customer || customer_len == 0) return st__error(a->ctx, ST_EINVAL, "st_summary_acc_add: empty customer id");
    if (day > INT32_MAX || day < INT32_MIN + 1) return st__error(a->ctx, ST_ERANGE, "st_summary_acc_add: day out of range");
    bool is_purchase = behaviour == NULL;
    if (behaviour) {
        size_t pl = strlen(a->opt.purchase_value);
        is_purchase = behaviour_len == pl && st__eq_bytes(behaviour, a->opt.purchase_value, pl);
    }
    switch (st__summary_add(a, customer, customer_len, (int32_t)day, behaviour, behaviour_len, is_purchase, amount)) {
    case ST_ADD_NOMEM: return ST_ENOMEM;
    case ST_ADD_TOO_MANY_BEHAVIOURS:
        return st__error(a->ctx, ST_ELIMIT, "more than %d distinct behaviour values", ST_MAX_BEHAVIOURS);
    default: return ST_OK;
    }
}

st_status st_summary_acc_merge(st_summary_acc *into, const st_summary_acc *from)
{
    if (!into || !from) return ST_EINVAL;
    st_summary_acc *a = into;
    size_t *bmap = NULL;
    uint32_t *cmap = st__malloc(a->ctx, (from->ncust ? from->ncust : 1) * sizeof *cmap);
    if (!cmap) return ST_ENOMEM;
    size_t bm[ST_MAX_BEHAVIOURS];
    bmap = bm;
    for (size_t b = 0; b < from->nb; b++) {
        bool nomem = false;
        bmap[b] = behaviour_index(a, from->bname[b], from->blen[b], &nomem);
        if (bmap[b] == SIZE_MAX) {
            st__free(a->ctx, cmap, 0);
            return nomem ? ST_ENOMEM
                         : st__error(a->ctx, ST_ELIMIT, "more than %d distinct event values", ST_MAX_BEHAVIOURS);
        }
    }
    for (size_t j = 0; j < from->ncust; j++) {
        size_t i = intern(a, from->keys + from->key_off[j], from->key_len[j], from->hash[j]);
        if (i == SIZE_MAX) {
            st__free(a->ctx, cmap, 0);
            return ST_ENOMEM;
        }
        cmap[j] = (uint32_t)i;
        if (from->first_event[j] < a->first_event[i]) a->first_event[i] = from->first_event[j];
        for (size_t b = 0; b < from->nb; b++) {
            size_t tb = bmap[b];
            a->bcount[tb][i] += from->bcount[b][j];
            if (from->blast[b][j] > a->blast[tb][i]) a->blast[tb][i] = from->blast[b][j];
        }
    }
    for (size_t k = 0; k < from->npur; k++) {
        if (!push_purchase(a, cmap[from->pur[k].cust], from->pur[k].day, from->pur[k].amount)) {
            st__free(a->ctx, cmap, 0);
            return ST_ENOMEM;
        }
    }
    st__free(a->ctx, cmap, 0);
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
    double unit = a->opt.unit == ST_UNIT_WEEK ? 7.0 : a->opt.unit == ST_UNIT_MONTH ? 30.4375 : 1.0;

    /* Group purchases by customer: counting sort (stable), then by day within each customer. */
    size_t n = a->ncust;
    size_t *start = st__calloc(ctx, n + 1, sizeof *start);
    purchase *sorted = st__malloc(ctx, (a->npur ? a->npur : 1) * sizeof *sorted);
    uint8_t *keep = st__calloc(ctx, n ? n : 1, 1);
    double *col[C_N] = {0};
    st_status rc = ST_OK;
    if (!start || !sorted || !keep) rc = ST_ENOMEM;
    for (size_t c = 0; c < C_N && rc == ST_OK; c++) {
        if (!cal && (c == C_FH || c == C_MH || c == C_DH)) continue;
        col[c] = st__malloc(ctx, (n ? n : 1) * sizeof(double));
        if (!col[c]) rc = ST_ENOMEM;
    }
    if (rc != ST_OK) goto done;
    for (size_t k = 0; k < a->npur; k++) start[a->pur[k].cust + 1]++;
    for (size_t i = 0; i < n; i++) start[i + 1] += start[i];
    {
        size_t *fill = st__malloc(ctx, (n ? n : 1) * sizeof *fill);
        if (!fill) {
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
        purchase *p = sorted + start[i];
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
            col[C_REC][r] = (double)(last - first) / unit;
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
            if (keep[i]) pool_need += a->key_len[i] + 1;
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
            memcpy(pool + pl, a->keys + a->key_off[i], a->key_len[i] + 1);
            off[r++] = pl;
            pl += a->key_len[i] + 1;
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
        char *cn = behaviour_col(ctx, "count_", a->bname[b]);
        char *sn = behaviour_col(ctx, "days_since_", a->bname[b]);
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
    st__free(ctx, sorted, 0);
    st__free(ctx, keep, 0);
    return rc;
}
