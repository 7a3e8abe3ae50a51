/*
** events.c -- the one event reader: event files -> sinks, in one pass. Plain files are read in blocks and
** split between worker threads at line boundaries (each worker interns its own customer ids and feeds its
** own partial state of every sink; the workers are merged in file order); gzip files and standard input
** are streamed through zlib. Every bad row is reported as file:line:field, or skipped and counted.
*/
#include "io/events.h"
#include "io/csv.h"
#include "core/parallel.h"
#include "io/number.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

st_status st__time_format_check(const char *fmt);

#define MAX_NAMED_COLS 64
#define PARALLEL_MIN_BYTES (4u << 20)

void st_summarize_options_init(st_summarize_options *o)
{
    if (!o) return;
    memset(o, 0, sizeof *o);
    o->customer_col = "customer_id";
    o->time_col = "date";
    o->purchase_value = "purchase";
    o->delimiter = ',';
    o->has_header = 1;
    o->unit = ST_UNIT_DAY;
    o->on_error = ST_ON_ERROR_FAIL;
    o->max_line = 1u << 20;
    o->max_fields = 4096;
}

/* Where each needed value sits in a record, resolved from the header. */
typedef struct layout {
    size_t ncols;
    long cust, time, amount, qty, price, event;
    char *names[MAX_NAMED_COLS]; /* names of the first columns, for messages */
} layout;

typedef struct job {
    const st_summarize_options *o;
    const st__event_sink *sinks;
    size_t nsinks;
    const char *fname;
    layout lay;
    bool has_money;
    atomic_int *cancel;
} job;

typedef enum skip_reason { SK_FIELDS, SK_QUOTE, SK_CUSTOMER, SK_TIME, SK_NUMBER, SK_N } skip_reason;

typedef struct worker {
    st_context wctx;          /* private copy: worker-local errors, same allocator */
    const job *job;
    st__strmap ids, beh;      /* this worker's customer ids and behaviour names */
    void *parts[ST__MAX_SINKS]; /* this worker's partial state of each sink */
    uint32_t last_cust;       /* logs list a customer's events together: try the previous one first */
    bool has_last;
    uint32_t last_beh;        /* and repeat a few behaviours: the previous row's first */
    bool has_last_beh;
    st_csv_scanner sc;
    uint64_t rows, lines;
    uint64_t after_end, nonpositive;
    uint64_t bytes;           /* bytes of a plain file scanned by this worker */
    uint64_t skipped[SK_N];
    st_status err;            /* first error (fail mode) */
    uint64_t err_line;        /* relative to the worker's first line (1-based) */
    size_t err_field;
    char errmsg[400];
    char *scratch;
    size_t scratch_cap;
    const char *end_pos;      /* where the worker stopped */
    uint64_t end_off;         /* the same as a file offset (plain files) */
    char *rbuf;               /* read buffer (plain files) */
    size_t rbuf_cap;
    /* time parsing caches */
    char date_key[10];
    int32_t date_day;
    bool date_valid;
    char tkey[32];
    size_t tkey_len;
    int32_t tday;
} worker;

static const char *display_name(const char *path) { return strcmp(path, "-") == 0 ? "<stdin>" : path; }

static bool worker_init(worker *w, st_context *ctx, const job *jb)
{
    memset(w, 0, sizeof *w);
    w->wctx = *ctx;
    w->wctx.progress = NULL;
    w->job = jb;
    w->scratch_cap = 256;
    st__strmap_init(&w->ids, &w->wctx, 0);
    st__strmap_init(&w->beh, &w->wctx, ST__MAX_BEHAVIOURS);
    w->scratch = st__malloc(&w->wctx, w->scratch_cap);
    if (!w->scratch) return false;
    if (st__csv_scanner_init(&w->wctx, &w->sc, jb->o->delimiter, jb->o->max_line, jb->o->max_fields) != ST_OK)
        return false;
    for (size_t k = 0; k < jb->nsinks; k++)
        if (jb->sinks[k].part_new(jb->sinks[k].ud, &w->wctx, &w->ids, &w->beh, jb->has_money, &w->parts[k]) != ST_OK)
            return false;
    return true;
}

static void free_parts(const job *jb, void **parts)
{
    for (size_t k = 0; k < jb->nsinks; k++) {
        if (parts[k]) jb->sinks[k].part_free(parts[k]);
        parts[k] = NULL;
    }
}

static void worker_free(worker *w)
{
    st__csv_scanner_free(&w->wctx, &w->sc);
    st__free(&w->wctx, w->scratch, 0);
    free_parts(w->job, w->parts);
    st__strmap_free(&w->ids);
    st__strmap_free(&w->beh);
}

/* Field text with quotes resolved; points into the buffer when no unescaping is needed. */
static bool field_text(worker *w, const st_csv_field *f, const char **s, size_t *n)
{
    if (!f->has_escape) {
        *s = f->p;
        *n = f->len;
        return true;
    }
    if (f->len + 1 > w->scratch_cap) {
        char *p = st__realloc_array(&w->wctx, w->scratch, w->scratch_cap, f->len + 1, 1);
        if (!p) return false;
        w->scratch = p;
        w->scratch_cap = f->len + 1;
    }
    *n = st__csv_unescape(f, w->scratch);
    *s = w->scratch;
    return true;
}

static void trim(const char **s, size_t *n)
{
    while (*n && (**s == ' ' || **s == '\t')) {
        (*s)++;
        (*n)--;
    }
    while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t')) (*n)--;
}


static inline int d2(const char *p) { return (p[0] - '0') * 10 + (p[1] - '0'); }
static inline bool isd(char c) { return c >= '0' && c <= '9'; }

/* Day of an event time. ISO dates and "YYYY-MM-DD HH:MM:SS" take a fast path with a cache of the date
** part, since logs repeat the same day many times in a row. */
static bool parse_day(worker *w, const char *s, size_t n, int32_t *day)
{
    const char *fmt = w->job->o->time_format;
    if (!fmt && (n == 10 || (n == 19 && (s[10] == ' ' || s[10] == 'T'))) && s[4] == '-' && s[7] == '-') {
        if (n == 19) {
            if (!(s[13] == ':' && s[16] == ':' && isd(s[11]) && isd(s[12]) && isd(s[14]) && isd(s[15]) &&
                  isd(s[17]) && isd(s[18]) && d2(s + 11) < 24 && d2(s + 14) < 60 && d2(s + 17) <= 60))
                return false;
        }
        if (w->date_valid && st__eq_bytes(w->date_key, s, 10)) {
            *day = w->date_day;
            return true;
        }
        if (!(isd(s[0]) && isd(s[1]) && isd(s[2]) && isd(s[3]) && isd(s[5]) && isd(s[6]) && isd(s[8]) && isd(s[9])))
            return false;
        int y = d2(s) * 100 + d2(s + 2), m = d2(s + 5), d = d2(s + 8);
        static const int8_t dim[13] = {0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
        if (y < 1 || m < 1 || m > 12 || d < 1 || d > dim[m]) return false;
        if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) return false;
        memcpy(w->date_key, s, 10);
        w->date_day = (int32_t)st_days_from_civil(y, m, d);
        w->date_valid = true;
        *day = w->date_day;
        return true;
    }
    if (n <= sizeof w->tkey && n == w->tkey_len && st__eq_bytes(w->tkey, s, n)) {
        *day = w->tday;
        return true;
    }
    int64_t secs;
    if (st_time_parse(fmt, s, n, &secs) != ST_OK) return false;
    if (secs / 86400 > INT32_MAX || secs / 86400 < INT32_MIN + 1) return false;
    *day = (int32_t)st__day_of_seconds(secs);
    if (n <= sizeof w->tkey) {
        memcpy(w->tkey, s, n);
        w->tkey_len = n;
        w->tday = *day;
    }
    return true;
}

/* A decimal number, parsed as io/number.h does for every reader: exact fast path, else strtod. */
static bool parse_number(worker *w, const char *s, size_t n, double *out)
{
    (void)w;
    trim(&s, &n);
    if (n == 0) return false;
    if (st__number_fast(s, n, out)) return true;
    double v;
    if (!st__number_strtod(s, n, &v) || !isfinite(v)) return false;
    *out = v;
    return true;
}

static const char *col_name(const layout *l, long j)
{
    return j >= 0 && j < MAX_NAMED_COLS && l->names[j] ? l->names[j] : "?";
}

/* Records a bad row: in fail mode the first one becomes the worker's error; in skip mode it is counted. */
static bool bad_row(worker *w, skip_reason why, st_status code, uint64_t line, size_t field, const char *fmt, ...)
    ST_PRINTF(6, 7);
static bool bad_row(worker *w, skip_reason why, st_status code, uint64_t line, size_t field, const char *fmt, ...)
{
    if (w->job->o->on_error == ST_ON_ERROR_SKIP && code != ST_ELIMIT && why < SK_N) {
        w->skipped[why]++;
        return true;
    }
    w->err = code;
    w->err_line = line;
    w->err_field = field;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(w->errmsg, sizeof w->errmsg, fmt, ap);
    va_end(ap);
    return false;
}

/* Shows a field in a message: at most 40 bytes. */
static void snippet(const char *s, size_t n, char *out, size_t cap)
{
    size_t k = n < 40 ? n : 40;
    if (k >= cap) k = cap - 1;
    memcpy(out, s, k);
    out[k] = '\0';
    for (size_t i = 0; i < k; i++)
        if ((unsigned char)out[i] < 0x20) out[i] = '?';
    if (n > k && cap > k + 4) memcpy(out + k, "...", 4);
}

/* Handles one scanned record; false stops the worker (error recorded). */
static bool do_record(worker *w, uint64_t line)
{
    const job *jb = w->job;
    const layout *l = &jb->lay;
    st_csv_scanner *sc = &w->sc;
    if (sc->nfields == 1 && sc->fields[0].len == 0 && !sc->fields[0].quoted) return true; /* blank line */
    w->rows++;
    if (sc->nfields != l->ncols)
        return bad_row(w, SK_FIELDS, ST_EPARSE, line, sc->nfields < l->ncols ? sc->nfields + 1 : l->ncols + 1,
                       "wrong field count: expected %zu fields, found %zu", l->ncols, sc->nfields);
    const char *cust, *ts, *ev = NULL;
    size_t ncust, nts, nev = 0;
    char snip[48];
    if (!field_text(w, &sc->fields[l->cust], &cust, &ncust)) return bad_row(w, SK_N, ST_ENOMEM, line, 0, "out of memory");
    if (ncust == 0)
        return bad_row(w, SK_CUSTOMER, ST_EPARSE, line, (size_t)l->cust + 1, "missing customer id in column '%s'",
                       col_name(l, l->cust));
    /* copy the key if it lives in scratch, since later fields may reuse scratch */
    char keybuf[256];
    if (cust == w->scratch) {
        if (ncust >= sizeof keybuf)
            return bad_row(w, SK_CUSTOMER, ST_ELIMIT, line, (size_t)l->cust + 1, "customer id longer than %zu bytes",
                           sizeof keybuf - 1);
        memcpy(keybuf, cust, ncust);
        cust = keybuf;
    }
    ts = sc->fields[l->time].p;
    nts = sc->fields[l->time].len;
    trim(&ts, &nts);
    int32_t day;
    if (!parse_day(w, ts, nts, &day)) {
        snippet(ts, nts, snip, sizeof snip);
        return bad_row(w, SK_TIME, ST_EPARSE, line, (size_t)l->time + 1, "cannot parse time '%s' in column '%s' (%s%s)",
                       snip, col_name(l, l->time), jb->o->time_format ? "expected format " : "expected ISO 8601 date or date-time",
                       jb->o->time_format ? jb->o->time_format : "");
    }
    bool is_purchase = true;
    char evbuf[128];
    if (l->event >= 0) {
        if (!field_text(w, &sc->fields[l->event], &ev, &nev)) return bad_row(w, SK_N, ST_ENOMEM, line, 0, "out of memory");
        if (ev == w->scratch) {
            if (nev >= sizeof evbuf)
                return bad_row(w, SK_FIELDS, ST_EPARSE, line, (size_t)l->event + 1, "event value longer than %zu bytes",
                               sizeof evbuf - 1);
            memcpy(evbuf, ev, nev);
            ev = evbuf;
        }
        size_t pl = strlen(jb->o->purchase_value);
        is_purchase = nev == pl && st__eq_bytes(ev, jb->o->purchase_value, pl);
        if (nev == 0) {
            ev = "(empty)";
            nev = 7;
        }
    }
    double amount = 0;
    if (is_purchase && jb->has_money) {
        if (l->amount >= 0) {
            const st_csv_field *f = &sc->fields[l->amount];
            if (!parse_number(w, f->p, f->len, &amount)) {
                snippet(f->p, f->len, snip, sizeof snip);
                return bad_row(w, SK_NUMBER, ST_EPARSE, line, (size_t)l->amount + 1, "cannot parse number '%s' in column '%s'",
                               snip, col_name(l, l->amount));
            }
        } else {
            double q, p;
            const st_csv_field *fq = &sc->fields[l->qty], *fp = &sc->fields[l->price];
            if (!parse_number(w, fq->p, fq->len, &q)) {
                snippet(fq->p, fq->len, snip, sizeof snip);
                return bad_row(w, SK_NUMBER, ST_EPARSE, line, (size_t)l->qty + 1, "cannot parse number '%s' in column '%s'",
                               snip, col_name(l, l->qty));
            }
            if (!parse_number(w, fp->p, fp->len, &p)) {
                snippet(fp->p, fp->len, snip, sizeof snip);
                return bad_row(w, SK_NUMBER, ST_EPARSE, line, (size_t)l->price + 1, "cannot parse number '%s' in column '%s'",
                               snip, col_name(l, l->price));
            }
            amount = q * p;
        }
    }
    /* Rows no sink uses: after the observation end, and returns (negative purchase amounts). */
    if (jb->o->has_observation_end && day > jb->o->observation_end) {
        w->after_end++;
        return true;
    }
    if (is_purchase && jb->has_money && !(amount >= 0)) {
        w->nonpositive++;
        return true;
    }
    st__event e = {0, day, -1, is_purchase, jb->has_money && is_purchase ? amount : 0.0};
    st_status rc;
    if (l->event >= 0) {
        uint32_t b;
        if (w->has_last_beh && st__strmap_len(&w->beh, w->last_beh) == nev &&
            st__eq_bytes(st__strmap_key(&w->beh, w->last_beh), ev, nev)) {
            b = w->last_beh;
        } else if ((rc = st__strmap_intern(&w->beh, ev, nev, &b)) != ST_OK) {
            if (rc == ST_ENOMEM) return bad_row(w, SK_N, ST_ENOMEM, line, 0, "out of memory");
            return bad_row(w, SK_N, ST_ELIMIT, line, (size_t)l->event + 1, "more than %d distinct values in column '%s'",
                           ST__MAX_BEHAVIOURS, col_name(l, l->event));
        }
        w->last_beh = b;
        w->has_last_beh = true;
        e.behaviour = (int32_t)b;
    }
    if (w->has_last && st__strmap_len(&w->ids, w->last_cust) == ncust &&
        st__eq_bytes(st__strmap_key(&w->ids, w->last_cust), cust, ncust)) {
        e.cust = w->last_cust;
    } else {
        if ((rc = st__strmap_intern(&w->ids, cust, ncust, &e.cust)) != ST_OK)
            return bad_row(w, SK_N, rc, line, (size_t)l->cust + 1, "%s", rc == ST_ENOMEM ? "out of memory" : "too many customers");
        w->last_cust = e.cust;
        w->has_last = true;
    }
    for (size_t k = 0; k < jb->nsinks; k++)
        if ((rc = jb->sinks[k].add(w->parts[k], &e)) != ST_OK)
            return bad_row(w, SK_N, rc, line, 0, "%s", rc == ST_ENOMEM ? "out of memory" : "cannot add the event");
    return true;
}

/* Scans records in [buf, end) until the next record would start at or after limit. Sets w->end_pos. */
static void scan_range(worker *w, const char *buf, const char *end, const char *limit, bool at_eof)
{
    const char *p = buf;
    uint64_t since_check = 0;
    while (p < limit) {
        const char *next;
        st_csv_result r = st__csv_scan(&w->sc, p, end, at_eof, &next);
        uint64_t line = w->lines + 1;
        if (r == ST_CSV_END || r == ST_CSV_NEED_MORE) break;
        if (r == ST_CSV_RECORD) {
            w->lines += w->sc.newlines;
            if (!do_record(w, line)) {
                w->end_pos = p;
                return;
            }
            p = next;
        } else {
            bool skip = w->job->o->on_error == ST_ON_ERROR_SKIP && r == ST_CSV_BAD_QUOTE;
            if (r == ST_CSV_BAD_QUOTE) {
                w->rows++;
                if (!bad_row(w, SK_QUOTE, ST_EPARSE, line + w->sc.error_line_offset, w->sc.error_field,
                             w->sc.error_unclosed ? "unbalanced quotes: the quote opening field %zu is never closed"
                                                  : "unbalanced quotes in field %zu: a closing quote must be followed by "
                                                    "the delimiter or the line end",
                             w->sc.error_field)) {
                    w->end_pos = p;
                    return;
                }
            } else if (r == ST_CSV_TOO_LONG) {
                bad_row(w, SK_N, ST_ELIMIT, line, w->sc.error_field, "record longer than %zu bytes", w->job->o->max_line);
                w->end_pos = p;
                return;
            } else {
                bad_row(w, SK_N, ST_ELIMIT, line, w->sc.max_fields + 1, "more than %zu fields", w->sc.max_fields);
                w->end_pos = p;
                return;
            }
            if (skip) {
                /* resynchronise after the line where the problem is */
                const char *q = p;
                for (size_t k = 0; k <= w->sc.error_line_offset; k++) {
                    const char *nq = st__csv_skip_line(q, end);
                    if (nq == q) break;
                    q = nq;
                }
                if (w->sc.fields[0].p == NULL) q = end;
                w->lines += w->sc.error_line_offset + 1;
                p = q;
            }
        }
        if (++since_check == 65536) {
            since_check = 0;
            if (w->job->cancel && atomic_load(w->job->cancel)) break;
        }
    }
    w->end_pos = p;
}

static void free_layout(st_context *ctx, layout *l)
{
    for (size_t j = 0; j < MAX_NAMED_COLS; j++) st__free(ctx, l->names[j], 0);
    memset(l, 0, sizeof *l);
}

/* Resolves the needed columns from the header (or --columns). */
static st_status resolve_layout(st_context *ctx, const char *fname, char **names, size_t n,
                                const st_summarize_options *o, bool *has_money, bool first_file, layout *l)
{
    l->ncols = n;
    l->cust = l->time = l->amount = l->qty = l->price = l->event = -1;
    for (size_t j = 0; j < n && j < MAX_NAMED_COLS; j++) {
        l->names[j] = names[j];
        names[j] = NULL;
    }
    struct {
        const char *name;
        long *slot;
        const char *flag;
    } want[] = {{o->customer_col, &l->cust, "--customer"}, {o->time_col, &l->time, "--time"},
                {o->amount_col, &l->amount, "--amount"},   {o->quantity_col, &l->qty, "--quantity"},
                {o->price_col, &l->price, "--price"},      {o->event_col, &l->event, "--event"}};
    for (size_t k = 0; k < sizeof want / sizeof want[0]; k++) {
        if (!want[k].name) continue;
        for (size_t j = 0; j < n && j < MAX_NAMED_COLS; j++)
            if (strcmp(l->names[j], want[k].name) == 0) {
                *want[k].slot = (long)j;
                break;
            }
        if (*want[k].slot < 0) {
            st_buf b;
            st__buf_init(&b, ctx);
            for (size_t j = 0; j < n && j < MAX_NAMED_COLS; j++) {
                if (j) st__buf_puts(&b, ", ");
                st__buf_puts(&b, l->names[j]);
            }
            st_status rc = st__error(ctx, ST_ENOTFOUND, "%s:1: no column '%s' (%s) in the header; columns are: %s", fname,
                                     want[k].name, want[k].flag, b.data ? b.data : "");
            st__buf_free(&b);
            return rc;
        }
    }
    if (!o->amount_col && !o->quantity_col) {
        for (size_t j = 0; j < n && j < MAX_NAMED_COLS; j++)
            if (strcmp(l->names[j], "amount") == 0) l->amount = (long)j;
    }
    bool money = l->amount >= 0 || l->qty >= 0;
    if (first_file) *has_money = money;
    else if (money != *has_money)
        return st__error(ctx, ST_EDATA, "%s: has %s money column, unlike the first file", fname, money ? "a" : "no");
    return ST_OK;
}

/* Splits "a,b,c" into names. */
static st_status split_names(st_context *ctx, const char *spec, char ***out, size_t *n)
{
    size_t cnt = 1;
    for (const char *p = spec; *p; p++) cnt += *p == ',';
    char **v = st__calloc(ctx, cnt, sizeof *v);
    if (!v) return ST_ENOMEM;
    const char *p = spec;
    for (size_t k = 0; k < cnt; k++) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        v[k] = st__strndup(ctx, p, len);
        if (!v[k]) {
            for (size_t j = 0; j < k; j++) st__free(ctx, v[j], 0);
            st__free(ctx, v, 0);
            return ST_ENOMEM;
        }
        p = e ? e + 1 : p + len;
    }
    *out = v;
    *n = cnt;
    return ST_OK;
}

static void free_names(st_context *ctx, char **v, size_t n)
{
    if (!v) return;
    for (size_t k = 0; k < n; k++) st__free(ctx, v[k], 0);
    st__free(ctx, v, 0);
}

/* Reads the header record (or takes --columns) at buf; sets *body to the first data byte. */
static st_status read_header(st_context *ctx, const char *fname, const char *buf, const char *end, bool at_eof,
                             const st_summarize_options *o, char ***names, size_t *n, const char **body,
                             uint64_t *header_lines)
{
    *names = NULL;
    *n = 0;
    *header_lines = 0;
    *body = buf;
    if (o->has_header) {
        st_csv_scanner sc;
        if (st__csv_scanner_init(ctx, &sc, o->delimiter, o->max_line, o->max_fields) != ST_OK) return ST_ENOMEM;
        const char *next;
        st_csv_result r = st__csv_scan(&sc, buf, end, at_eof, &next);
        st_status rc = ST_OK;
        if (r == ST_CSV_NEED_MORE) rc = ST_EEMPTY; /* caller reads more */
        else if (r == ST_CSV_BAD_QUOTE) rc = st__error(ctx, ST_EPARSE, "%s:1:%zu: unbalanced quotes in the header", fname, sc.error_field);
        else if (r == ST_CSV_TOO_LONG) rc = st__error(ctx, ST_ELIMIT, "%s:1: header longer than %zu bytes", fname, o->max_line);
        else if (r == ST_CSV_TOO_MANY) rc = st__error(ctx, ST_ELIMIT, "%s:1: more than %zu columns", fname, o->max_fields);
        else if (r == ST_CSV_END) rc = st__error(ctx, ST_EEMPTY, "%s: the file is empty", fname);
        if (rc == ST_OK) {
            char **v = st__calloc(ctx, sc.nfields, sizeof *v);
            if (!v) rc = ST_ENOMEM;
            for (size_t k = 0; k < sc.nfields && rc == ST_OK; k++) {
                v[k] = st__malloc(ctx, sc.fields[k].len + 1);
                if (!v[k]) rc = ST_ENOMEM;
                else st__csv_unescape(&sc.fields[k], v[k]);
            }
            if (rc != ST_OK) free_names(ctx, v, sc.nfields);
            else {
                *names = v;
                *n = sc.nfields;
                *body = next;
                *header_lines = sc.newlines;
            }
        }
        st__csv_scanner_free(ctx, &sc);
        if (rc != ST_OK) return rc;
        if (o->columns) {
            char **given;
            size_t ng;
            rc = split_names(ctx, o->columns, &given, &ng);
            if (rc) {
                free_names(ctx, *names, *n);
                return rc;
            }
            if (ng != *n) {
                free_names(ctx, given, ng);
                free_names(ctx, *names, *n);
                *names = NULL;
                return st__error(ctx, ST_EINVAL, "%s: --columns names %zu columns but the header has %zu", fname, ng, *n);
            }
            free_names(ctx, *names, *n);
            *names = given;
        }
        return ST_OK;
    }
    if (!o->columns) return st__error(ctx, ST_EINVAL, "--no-header needs --columns to name the columns");
    if (buf == end && at_eof) return st__error(ctx, ST_EEMPTY, "%s: the file is empty", fname);
    return split_names(ctx, o->columns, names, n);
}

/* The shared state of one read. */
typedef struct run {
    st_context *ctx;
    const st_summarize_options *o;
    const st__event_sink *sinks;
    size_t nsinks;
    st__events_result *res; /* the merged maps and parts */
    bool any;               /* res holds a worker's state */
    bool has_money;
    bool first_file;
    uint64_t rows;
    uint64_t stream_bytes; /* bytes decompressed by the streaming path */
    uint64_t skipped[SK_N];
    atomic_int cancel;
} run;

/* Turns a worker's error into the context's error, with the absolute position. */
static st_status report_worker_error(run *R, worker *w, const char *fname, uint64_t line_base)
{
    if (w->err == ST_ENOMEM) return st__error(R->ctx, ST_ENOMEM, "%s: out of memory", fname);
    if (w->err_field)
        return st__error(R->ctx, w->err, "%s:%llu:%zu: %s", fname, (unsigned long long)(line_base + w->err_line),
                         w->err_field, w->errmsg);
    return st__error(R->ctx, w->err, "%s:%llu: %s", fname, (unsigned long long)(line_base + w->err_line), w->errmsg);
}

/* Adds a finished worker to the result, in file order: the first one's maps and parts are taken over;
** later ones are merged (their ids remapped to the result's). */
static st_status absorb_worker(run *R, worker *w)
{
    st__events_result *res = R->res;
    R->rows += w->rows;
    for (int k = 0; k < SK_N; k++) R->skipped[k] += w->skipped[k];
    res->after_end += w->after_end;
    res->nonpositive += w->nonpositive;
    res->bytes_read += w->bytes;
    if (!R->any) {
        res->ids = w->ids;
        res->beh = w->beh;
        res->ids.ctx = res->beh.ctx = R->ctx;
        st__strmap_init(&w->ids, &w->wctx, 0);
        st__strmap_init(&w->beh, &w->wctx, 0);
        for (size_t k = 0; k < R->nsinks; k++) {
            res->parts[k] = w->parts[k];
            w->parts[k] = NULL;
            R->sinks[k].rebind(res->parts[k], R->ctx, &res->ids, &res->beh);
        }
        R->any = true;
        return ST_OK;
    }
    uint32_t bmap[ST__MAX_BEHAVIOURS];
    uint32_t *cmap = st__malloc(R->ctx, (w->ids.n ? w->ids.n : 1) * sizeof *cmap);
    if (!cmap) return ST_ENOMEM;
    st_status rc = st__strmap_merge(&res->beh, &w->beh, bmap);
    if (rc == ST_ELIMIT) rc = st__error(R->ctx, ST_ELIMIT, "more than %d distinct event values", ST__MAX_BEHAVIOURS);
    if (rc == ST_OK) rc = st__strmap_merge(&res->ids, &w->ids, cmap);
    for (size_t k = 0; k < R->nsinks && rc == ST_OK; k++) rc = R->sinks[k].merge(res->parts[k], w->parts[k], cmap, bmap);
    st__free(R->ctx, cmap, 0);
    return rc;
}

/* Scans the part of a plain file that starts at byte start, reading it in blocks with pread, until the
** next record would start at or after limit. Sets w->end_off; errors are left on the worker. */
static void scan_file_range(worker *w, int fd, uint64_t start, uint64_t limit, uint64_t fsize, st_context *progress)
{
    char *buf = w->rbuf;
    size_t cap = w->rbuf_cap, have = 0;
    uint64_t off = start;
    for (;;) {
        uint64_t rd = off + have;
        if (rd < fsize && have < cap) {
            size_t want = cap - have;
            if ((uint64_t)want > fsize - rd) want = (size_t)(fsize - rd);
            ssize_t got = pread(fd, buf + have, want, (off_t)rd);
            if (got < 0) {
                w->err = ST_EIO;
                snprintf(w->errmsg, sizeof w->errmsg, "read error: %s", strerror(errno));
                w->end_off = off;
                return;
            }
            have += (size_t)got;
            if (got == 0) fsize = rd; /* the file shrank under us */
        }
        bool eof = off + have >= fsize;
        const char *lim = limit - off <= (uint64_t)have ? buf + (limit - off) : buf + have;
        scan_range(w, buf, buf + have, lim, eof);
        size_t used = (size_t)(w->end_pos - buf);
        uint64_t pos = off + used;
        w->bytes += used; /* what the scanner took: blocks read ahead past a worker's range count once, in the next */
        if (w->err || pos >= limit || eof || (w->job->cancel && atomic_load(w->job->cancel))) {
            w->end_off = pos;
            return;
        }
        if (used == 0 && have == cap) {
            w->err = ST_ELIMIT;
            w->err_line = w->lines + 1;
            w->err_field = 0;
            snprintf(w->errmsg, sizeof w->errmsg, "record longer than %zu bytes", w->job->o->max_line);
            w->end_off = pos;
            return;
        }
        memmove(buf, buf + used, have - used);
        have -= used;
        off = pos;
        if (progress && st__progress(progress, "read", (double)(off - start) / (double)(limit - start)) != ST_OK) {
            atomic_store(w->job->cancel, 1);
            w->end_off = off;
            return;
        }
    }
}

typedef struct range_job {
    worker *ws;
    const uint64_t *starts;
    int fd;
    uint64_t fsize;
    st_context *progress; /* job 0 (the calling thread) reports progress */
} range_job;

static void range_run(void *ud, size_t k, size_t wid)
{
    (void)wid;
    range_job *j = ud;
    scan_file_range(&j->ws[k], j->fd, j->starts[k], j->starts[k + 1], j->fsize, k == 0 ? j->progress : NULL);
}

/* The first line start at or after off (fsize when there is none). */
static uint64_t next_line_start(int fd, uint64_t off, uint64_t fsize)
{
    char tmp[4096];
    while (off < fsize) {
        ssize_t got = pread(fd, tmp, sizeof tmp, (off_t)off);
        if (got <= 0) return fsize;
        const char *nl = memchr(tmp, '\n', (size_t)got);
        if (nl) return off + (uint64_t)(nl - tmp) + 1;
        off += (uint64_t)got;
    }
    return fsize;
}

/* A plain file from byte body on: split across threads at line ends, each worker with its own accumulator.
** Workers are validated and merged in file order, so the result does not depend on the thread count. */
static st_status ingest_plain(run *R, job *jb, int fd, uint64_t body, uint64_t fsize, uint64_t line_base)
{
    st_context *ctx = R->ctx;
    int nt = st_context_threads(ctx);
    if (fsize - body < PARALLEL_MIN_BYTES) nt = 1;
    if (nt > 16) nt = 16;
    worker ws[16];
    uint64_t starts[17];
    int nw = 0;
    st_status rc = ST_OK;
    size_t cap = (8u << 20) > jb->o->max_line * 2 ? (8u << 20) : jb->o->max_line * 2 + 1;
    if ((uint64_t)cap > fsize - body + 1) cap = (size_t)(fsize - body + 1); /* a small file needs no more */
    starts[0] = body;
    for (int k = 1; k < nt; k++) {
        uint64_t nominal = body + (fsize - body) / (uint64_t)nt * (uint64_t)k;
        starts[k] = next_line_start(fd, nominal > starts[k - 1] ? nominal - 1 : starts[k - 1], fsize);
    }
    starts[nt] = fsize;
    for (int k = 0; k < nt; k++) {
        nw = k + 1;
        if (!worker_init(&ws[k], ctx, jb) || !(ws[k].rbuf = st__malloc(&ws[k].wctx, cap))) {
            rc = st__error(ctx, ST_ENOMEM, "out of memory");
            goto cleanup;
        }
        ws[k].rbuf_cap = cap;
    }
    range_job rj = {ws, starts, fd, fsize, ctx};
    st__parallel_for_n(nt, (size_t)nt, range_run, &rj);
    if (atomic_load(&R->cancel)) {
        rc = st__error(ctx, ST_ECANCELLED, "read: cancelled by the progress callback");
        goto cleanup;
    }
    /* Worker k must have stopped exactly where worker k+1 started. A quoted field with a line end across
    ** a split breaks that; then worker k goes on alone to the end and the later workers are discarded. */
    {
        uint64_t lines = line_base;
        for (int k = 0; k < nt; k++) {
            worker *w = &ws[k];
            if (!w->err && k + 1 < nt && w->end_off != starts[k + 1]) {
                scan_file_range(w, fd, w->end_off, fsize, fsize, NULL);
                nt = k + 1;
            }
            if (w->err) {
                rc = report_worker_error(R, w, jb->fname, lines);
                goto cleanup;
            }
            if ((rc = absorb_worker(R, w)) != ST_OK) goto cleanup;
            lines += w->lines;
        }
    }
cleanup:
    for (int k = 0; k < nw; k++) {
        st__free(&ws[k].wctx, ws[k].rbuf, 0);
        worker_free(&ws[k]);
    }
    return rc;
}

/* Streaming through zlib (gzip or plain), for standard input and compressed files. */
static st_status ingest_stream(run *R, job *jb, gzFile gz, const char *body, size_t body_len, uint64_t line_base)
{
    st_context *ctx = R->ctx;
    worker w;
    if (!worker_init(&w, ctx, jb)) {
        worker_free(&w);
        return st__error(ctx, ST_ENOMEM, "out of memory");
    }
    size_t cap = (4u << 20) > jb->o->max_line * 2 ? (4u << 20) : jb->o->max_line * 2 + 1;
    char *buf = st__malloc(ctx, cap);
    st_status rc = ST_OK;
    if (!buf) {
        worker_free(&w);
        return ST_ENOMEM;
    }
    memcpy(buf, body, body_len);
    size_t have = body_len;
    bool eof = false;
    uint64_t iter = 0;
    while (!eof || have) {
        if (!eof) {
            int got = gzread(gz, buf + have, (unsigned)(cap - have));
            if (got < 0) {
                int zerr;
                const char *m = gzerror(gz, &zerr);
                rc = st__error(ctx, ST_EIO, "%s: read error: %s", jb->fname, m);
                break;
            }
            if (got == 0) eof = true;
            have += (size_t)got;
            R->stream_bytes += (uint64_t)got;
        }
        scan_range(&w, buf, buf + have, buf + have, eof);
        if (w.err) {
            rc = report_worker_error(R, &w, jb->fname, line_base);
            break;
        }
        size_t used = (size_t)(w.end_pos - buf);
        if (eof) break;
        if (used == 0 && have == cap) {
            rc = st__error(ctx, ST_ELIMIT, "%s:%llu: record longer than %zu bytes", jb->fname,
                           (unsigned long long)(line_base + w.lines + 1), jb->o->max_line);
            break;
        }
        memmove(buf, buf + used, have - used);
        have -= used;
        if ((++iter & 7) == 0 && st__progress(ctx, "read", -1) != ST_OK) {
            rc = ST_ECANCELLED;
            break;
        }
    }
    if (rc == ST_OK) rc = absorb_worker(R, &w);
    st__free(ctx, buf, cap);
    worker_free(&w);
    return rc;
}

static st_status ingest_file(run *R, const char *path)
{
    st_context *ctx = R->ctx;
    const st_summarize_options *o = R->o;
    const char *fname = display_name(path);
    bool is_stdin = strcmp(path, "-") == 0;
    int fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY);
    if (fd < 0) return st__error(ctx, ST_EIO, "%s: cannot open: %s", path, strerror(errno));
    struct stat st;
    bool regular = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
    unsigned char magic[2] = {0, 0};
    bool plain = regular && !is_stdin && !(st.st_size >= 2 && pread(fd, magic, 2, 0) == 2 && magic[0] == 0x1f && magic[1] == 0x8b);
    if (regular && st.st_size == 0) {
        if (!is_stdin) close(fd);
        return st__error(ctx, ST_EEMPTY, "%s: the file is empty", fname);
    }
    job jb;
    memset(&jb, 0, sizeof jb);
    jb.o = o;
    jb.sinks = R->sinks;
    jb.nsinks = R->nsinks;
    jb.fname = fname;
    jb.cancel = &R->cancel;
    st_status rc = ST_OK;
    char **names = NULL;
    size_t nnames = 0;
    uint64_t hlines = 0;
    int gfd = is_stdin ? dup(fd) : (plain ? dup(fd) : fd);
    gzFile g = gfd >= 0 ? gzdopen(gfd, "rb") : NULL;
    if (!g) {
        if (gfd >= 0 && gfd != fd) close(gfd);
        if (!is_stdin) close(fd);
        return st__error(ctx, ST_EIO, "%s: cannot open: %s", fname, strerror(errno));
    }
    gzbuffer(g, 1u << 18);
    /* Read enough to hold the header (and skip a UTF-8 byte order mark). */
    size_t cap = 1u << 16, have = 0, bom = 0;
    char *hb = st__malloc(ctx, cap);
    bool eof = false;
    if (!hb) rc = ST_ENOMEM;
    const char *body = NULL;
    while (rc == ST_OK) {
        if (have == cap) {
            if (cap >= o->max_line + 4) {
                rc = st__error(ctx, ST_ELIMIT, "%s:1: header longer than %zu bytes", fname, o->max_line);
                break;
            }
            char *nb = st__realloc_array(ctx, hb, cap, cap * 2, 1);
            if (!nb) {
                rc = ST_ENOMEM;
                break;
            }
            hb = nb;
            cap *= 2;
        }
        int got = gzread(g, hb + have, (unsigned)(cap - have));
        if (got < 0) {
            int zerr;
            rc = st__error(ctx, ST_EIO, "%s: read error: %s", fname, gzerror(g, &zerr));
            break;
        }
        if (got == 0) eof = true;
        have += (size_t)got;
        if (!eof && have < 3) continue;
        bom = have >= 3 && memcmp(hb, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
        const char *b = hb + bom, *e = hb + have;
        if (b == e && eof) {
            rc = st__error(ctx, ST_EEMPTY, "%s: the file is empty", fname);
            break;
        }
        st_clear_error(ctx);
        rc = read_header(ctx, fname, b, e, eof, o, &names, &nnames, &body, &hlines);
        if (rc == ST_EEMPTY && st_errcode(ctx) == ST_OK && !eof) {
            rc = ST_OK;
            continue;
        }
        if (rc == ST_EEMPTY && st_errcode(ctx) == ST_OK) rc = st__error(ctx, ST_EEMPTY, "%s: the file is empty", fname);
        break;
    }
    if (rc == ST_OK) rc = resolve_layout(ctx, fname, names, nnames, o, &R->has_money, R->first_file, &jb.lay);
    if (rc == ST_OK) {
        jb.has_money = R->has_money;
        uint64_t rows_before = R->rows, stream_before = R->stream_bytes;
        if (plain)
            rc = ingest_plain(R, &jb, fd, (uint64_t)(body - hb), (uint64_t)st.st_size, hlines);
        else
            rc = ingest_stream(R, &jb, g, body, (size_t)(hb + have - body), hlines);
        if (rc == ST_OK && R->rows == rows_before)
            rc = st__error(ctx, ST_EEMPTY, "%s: no data rows%s", fname, o->has_header ? " after the header" : "");
        /* Raw bytes taken from the input: a plain file's header and the blocks its workers read; what zlib
        ** took from a .gz; where the input cannot tell (a pipe), the bytes it gave. */
        if (plain) {
            R->res->bytes_read += (uint64_t)(body - hb); /* the header; the body was counted by the workers */
        } else {
            z_off_t zoff = gzoffset(g);
            R->res->bytes_read += zoff >= 0 ? (uint64_t)zoff : (uint64_t)(hb + have - body) + (R->stream_bytes - stream_before);
        }
    }
    st__free(ctx, hb, 0);
    gzclose(g);
    if (plain) close(fd);
    free_names(ctx, names, nnames);
    free_layout(ctx, &jb.lay);
    R->first_file = false;
    return rc;
}

st_status st__events_check_options(st_context *ctx, const st_summarize_options *o)
{
    if (!o->customer_col || !*o->customer_col || !o->time_col || !*o->time_col)
        return st__error(ctx, ST_EINVAL, "the customer and time columns must be named");
    if (!o->purchase_value) return st__error(ctx, ST_EINVAL, "the purchase value must not be NULL");
    if ((o->quantity_col != NULL) != (o->price_col != NULL))
        return st__error(ctx, ST_EINVAL, "--quantity and --price go together");
    if (o->quantity_col && o->amount_col) return st__error(ctx, ST_EINVAL, "use either --amount or --quantity/--price");
    if (o->delimiter == '"' || o->delimiter == '\n' || o->delimiter == '\r' || o->delimiter == '\0')
        return st__error(ctx, ST_EINVAL, "the delimiter must not be a quote or a line end");
    if (o->max_line < 16 || o->max_fields < 2) return st__error(ctx, ST_EINVAL, "max_line and max_fields are too small");
    if (st__time_format_check(o->time_format) != ST_OK)
        return st__error(ctx, ST_EINVAL, "--time-format '%s': unknown conversion (known: %%Y %%y %%m %%d %%H %%M %%S %%j %%b %%f %%z %%%%, or unix / unix_ms)",
                         o->time_format);
    if (st_unit_days(o->unit) <= 0) return st__error(ctx, ST_EINVAL, "unknown time unit");
    if (o->has_calibration_end && o->has_observation_end && o->calibration_end >= o->observation_end)
        return st__error(ctx, ST_EINVAL, "the calibration end must come before the observation end");
    return ST_OK;
}

void st__events_result_free(st_context *ctx, const st__event_sink *sinks, size_t nsinks, st__events_result *res)
{
    (void)ctx;
    for (size_t k = 0; k < nsinks && k < ST__MAX_SINKS; k++) {
        if (res->parts[k]) sinks[k].part_free(res->parts[k]);
        res->parts[k] = NULL;
    }
    st__strmap_free(&res->ids);
    st__strmap_free(&res->beh);
}

st_status st__events_read(st_context *ctx, const char *const *paths, size_t npaths, const st_summarize_options *o,
                          const st__event_sink *sinks, size_t nsinks, st__events_result *res)
{
    memset(res, 0, sizeof *res);
    st__strmap_init(&res->ids, ctx, 0);
    st__strmap_init(&res->beh, ctx, ST__MAX_BEHAVIOURS);
    if (npaths == 0) return st__error(ctx, ST_EINVAL, "no input files");
    if (nsinks > ST__MAX_SINKS) return st__error(ctx, ST_EINVAL, "more than %d event sinks", ST__MAX_SINKS);
    st_status rc = st__events_check_options(ctx, o);
    if (rc) return rc;
    for (size_t k = 0; k < npaths; k++)
        if (!paths[k]) return st__error(ctx, ST_EINVAL, "input path %zu is NULL", k);
    run R;
    memset(&R, 0, sizeof R);
    R.ctx = ctx;
    R.o = o;
    R.sinks = sinks;
    R.nsinks = nsinks;
    R.res = res;
    R.first_file = true;
    atomic_init(&R.cancel, 0);
    st_clear_error(ctx);
    for (size_t k = 0; k < npaths && rc == ST_OK; k++) rc = ingest_file(&R, paths[k]);
    if (rc == ST_OK && !R.any) rc = st__error(ctx, ST_EEMPTY, "no data rows");
    res->rows = R.rows;
    res->skipped_bad_field_count = R.skipped[SK_FIELDS];
    res->skipped_bad_quote = R.skipped[SK_QUOTE];
    res->skipped_missing_customer = R.skipped[SK_CUSTOMER];
    res->skipped_bad_time = R.skipped[SK_TIME];
    res->skipped_bad_number = R.skipped[SK_NUMBER];
    res->has_money = R.has_money;
    ctx->bytes_read += res->bytes_read;
    if (rc != ST_OK) st__events_result_free(ctx, sinks, nsinks, res);
    return rc;
}
