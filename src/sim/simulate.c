/*
** simulate.c -- synthetic event logs with known truth: the BG/NBD purchase story, Gamma-Gamma spend and,
** optionally, views / favourites / carts around purchases (docs/simulate.md). Customers are generated in
** blocks, in parallel when the context allows, each from its own random stream, and written in id order.
*/
#include "core/internal.h"
#include "core/parallel.h"
#include "core/rng.h"

#include <errno.h>
#include <math.h>
#include <pthread.h> /* the allocation lock; threads come from core/parallel */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SECONDS_PER_WEEK 604800.0
#define VIEW_WINDOW_WEEKS (48.0 / 168.0) /* views and favourites: the 48 hours before a purchase */
#define CART_WINDOW_WEEKS (1.0 / 168.0)  /* carts: the hour before a purchase */
#define BLOCK_CUSTOMERS 4096
#define MAX_ROW_BYTES 96 /* id 20 + date-time 19 + event 8 + amount 17 + separators, rounded up */
#define MAX_CENTS 1000000000000000LL /* amounts are capped at 10^13 so cents fit hand formatting */
/* Behaviour events come from a second stream per customer, so --behaviours adds rows without changing
** the purchases drawn for the same seed. */
#define BEHAVIOUR_STREAM_KEY 0xB5AD4ECEDA1CE2A9ULL

enum { EV_VIEW = 0, EV_FAV = 1, EV_CART = 2, EV_PURCHASE = 3 };
static const char *const EVENT_NAME[] = {"view", "fav", "cart", "purchase"};
static const size_t EVENT_LEN[] = {4, 3, 4, 8};

void st_simulate_options_init(st_simulate_options *o)
{
    if (!o) return;
    memset(o, 0, sizeof *o);
    o->customers = 1000;
    o->seed = 42;
    o->weeks = 52.0;
    o->start_day = st_days_from_civil(2024, 1, 1);
    o->r = 0.75;
    o->alpha = 4.0;
    o->a = 0.8;
    o->b = 2.5;
    o->p = 6.0;
    o->q = 4.0;
    o->gamma = 15.0;
    o->behaviours = 0;
    o->views_per_purchase = 5.0;
    o->fav_prob = 0.3;
    o->cart_prob = 0.6;
    o->browse_rate = 0.5;
    o->with_time = 1;
}

typedef struct sim_event {
    double t;      /* weeks since the start of the period */
    int64_t cents; /* purchases only */
    int kind;
} sim_event;

/* What one worker owns: its output block, its truth block and scratch space. */
typedef struct sim_worker {
    struct sim_job *job;
    uint64_t first, count; /* customers [first, first + count), 0-based */
    st_buf out, truth;
    sim_event *ev;
    size_t ev_cap;
    uint64_t rows;
    st_status status;
} sim_worker;

typedef struct sim_job {
    st_context *ctx;
    const st_simulate_options *o;
    bool want_truth;
    double log_alpha, log_gamma; /* rates, in logs: draws are formed as exp(log Gamma - log rate) */
    char *dates;                 /* "YYYY-MM-DD" of every day of the period, 10 bytes each, no NUL */
    size_t ndays;
    pthread_mutex_t alloc_lock;  /* the allocation hook need not be thread-safe */
    bool threaded;
} sim_job;

static bool worker_reserve(sim_worker *w, st_buf *b, size_t extra)
{
    if (b->data && b->len + extra + 1 <= b->cap) return true;
    sim_job *job = w->job;
    if (job->threaded) pthread_mutex_lock(&job->alloc_lock);
    bool ok = st__buf_reserve(b, extra);
    if (job->threaded) pthread_mutex_unlock(&job->alloc_lock);
    return ok;
}

static bool worker_push(sim_worker *w, size_t *n, double t, int kind, int64_t cents)
{
    if (*n == w->ev_cap) {
        sim_job *job = w->job;
        size_t ncap = w->ev_cap ? w->ev_cap * 2 : 256;
        if (job->threaded) pthread_mutex_lock(&job->alloc_lock);
        sim_event *p = st__realloc_array(job->ctx, w->ev, w->ev_cap, ncap, sizeof *p);
        if (job->threaded) pthread_mutex_unlock(&job->alloc_lock);
        if (!p) return false;
        w->ev = p;
        w->ev_cap = ncap;
    }
    w->ev[*n] = (sim_event){t, cents, kind};
    (*n)++;
    return true;
}

static bool event_before(const sim_event *x, const sim_event *y)
{
    return x->t < y->t || (x->t == y->t && x->kind < y->kind);
}

static int event_cmp(const void *pa, const void *pb)
{
    const sim_event *x = pa, *y = pb;
    return event_before(x, y) ? -1 : event_before(y, x) ? 1 : 0;
}

static void sort_events(sim_event *ev, size_t n)
{
    if (n > 48) {
        qsort(ev, n, sizeof *ev, event_cmp);
        return;
    }
    for (size_t i = 1; i < n; i++) {
        sim_event e = ev[i];
        size_t j = i;
        while (j > 0 && event_before(&e, &ev[j - 1])) {
            ev[j] = ev[j - 1];
            j--;
        }
        ev[j] = e;
    }
}

static char *put_u64(char *o, uint64_t v)
{
    char tmp[20];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n) *o++ = tmp[--n];
    return o;
}

static char *put2(char *o, int v)
{
    o[0] = (char)('0' + v / 10);
    o[1] = (char)('0' + v % 10);
    return o + 2;
}

/* The instant t (weeks since the start) as "YYYY-MM-DD[ HH:MM:SS]"; the year is in 1..9999 (validated). */
static char *put_time(sim_worker *w, char *o, double t)
{
    int64_t sec = (int64_t)floor(t * SECONDS_PER_WEEK);
    size_t day = (size_t)(sec / 86400);
    int rem = (int)(sec % 86400);
    if (day >= w->job->ndays) day = w->job->ndays - 1; /* cannot happen: 0 <= t < weeks */
    memcpy(o, w->job->dates + 10 * day, 10);
    o += 10;
    if (w->job->o->with_time) {
        *o++ = ' ';
        o = put2(o, rem / 3600);
        *o++ = ':';
        o = put2(o, rem / 60 % 60);
        *o++ = ':';
        o = put2(o, rem % 60);
    }
    return o;
}

static char *put_cents(char *o, int64_t cents)
{
    o = put_u64(o, (uint64_t)(cents / 100));
    *o++ = '.';
    return put2(o, (int)(cents % 100));
}

/* An order amount ~ Gamma(shape, rate nu) in cents. scale = 1/nu; for shape < 1 (where the gamma draw
** can underflow) or an extreme nu the product is formed in logs. */
static int64_t draw_cents(st_rng *g, double shape, double log_nu, double scale)
{
    double amount;
    if (shape >= 1.0 && isnormal(scale) && isfinite(scale)) amount = st__rng_gamma(g, shape) * scale;
    else amount = exp(st__rng_log_gamma(g, shape) - log_nu);
    double c = floor(amount * 100.0 + 0.5);
    if (!(c >= 1.0)) return 1; /* a purchase is never free (and NaN cannot happen, but is caught here) */
    if (c > (double)MAX_CENTS) return MAX_CENTS;
    return (int64_t)c;
}

/* One customer: draws the story, appends its rows (and truth row) to the worker's blocks. */
static bool simulate_customer(sim_worker *w, uint64_t idx)
{
    sim_job *job = w->job;
    const st_simulate_options *o = job->o;
    const uint64_t id = idx + 1;
    const double W = o->weeks;
    st_rng g;
    st__rng_seed_stream(&g, o->seed, id);

    const double log_lambda = st__rng_log_gamma(&g, o->r) - job->log_alpha;
    const double lambda = exp(log_lambda);
    const double pdrop = st__rng_beta(&g, o->a, o->b);
    const double log_nu = st__rng_log_gamma(&g, o->q) - job->log_gamma;
    const double spend_scale = exp(-log_nu);
    /* exp(-log_lambda) is +inf when lambda underflows: the gap is then infinite, i.e. no repeat purchase. */
    const double mean_gap = exp(-log_lambda);

    /* BG/NBD: the first purchase starts the customer's life; after each *repeat* purchase the customer
    ** drops out with probability p (the model's likelihood has no drop-out at the first purchase, so a
    ** customer with x = 0 repeats is always alive; this is what the fitter assumes). */
    size_t n = 0;
    double t = st__rng_uniform(&g) * (W / 4.0);
    const double t_first = t;
    double t_death = -1.0;
    uint64_t purchases = 0;
    for (;;) {
        if (!worker_push(w, &n, t, EV_PURCHASE, draw_cents(&g, o->p, log_nu, spend_scale))) return false;
        purchases++;
        if (purchases > 1 && st__rng_bernoulli(&g, pdrop)) {
            t_death = t;
            break;
        }
        t += st__rng_exponential(&g) * mean_gap;
        if (!(t < W)) break;
    }

    if (o->behaviours) {
        st_rng gb;
        st__rng_seed_stream(&gb, o->seed ^ BEHAVIOUR_STREAM_KEY, id);
        const double t_end = t_death >= 0.0 ? t_death : W;
        for (size_t k = 0, np = n; k < np; k++) {
            const double tp = w->ev[k].t;
            const double vw = tp < VIEW_WINDOW_WEEKS ? tp : VIEW_WINDOW_WEEKS;
            const double cw = tp < CART_WINDOW_WEEKS ? tp : CART_WINDOW_WEEKS;
            uint64_t nv = st__rng_poisson(&gb, o->views_per_purchase);
            for (uint64_t v = 0; v < nv; v++)
                if (!worker_push(w, &n, tp - st__rng_uniform(&gb) * vw, EV_VIEW, 0)) return false;
            if (st__rng_bernoulli(&gb, o->fav_prob) &&
                !worker_push(w, &n, tp - st__rng_uniform(&gb) * vw, EV_FAV, 0))
                return false;
            if (st__rng_bernoulli(&gb, o->cart_prob) &&
                !worker_push(w, &n, tp - st__rng_uniform(&gb) * cw, EV_CART, 0))
                return false;
        }
        const double span = t_end - t_first;
        uint64_t nb = st__rng_poisson(&gb, o->browse_rate * span);
        for (uint64_t v = 0; v < nb; v++)
            if (!worker_push(w, &n, t_first + st__rng_uniform(&gb) * span, EV_VIEW, 0)) return false;
        sort_events(w->ev, n);
    }

    size_t need;
    if (!st__mul_ok(n, MAX_ROW_BYTES, &need) || !worker_reserve(w, &w->out, need)) return false;
    char *out = w->out.data + w->out.len;
    for (size_t k = 0; k < n; k++) {
        const sim_event *e = &w->ev[k];
        out = put_u64(out, id);
        *out++ = ',';
        out = put_time(w, out, e->t);
        *out++ = ',';
        if (o->behaviours) {
            memcpy(out, EVENT_NAME[e->kind], EVENT_LEN[e->kind]);
            out += EVENT_LEN[e->kind];
            *out++ = ',';
        }
        if (e->kind == EV_PURCHASE) out = put_cents(out, e->cents);
        *out++ = '\n';
    }
    w->out.len = (size_t)(out - w->out.data);
    w->out.data[w->out.len] = '\0';
    w->rows += n;

    if (job->want_truth) {
        st_buf *b = &w->truth;
        if (!worker_reserve(w, b, 4 * 32 + 2 * MAX_ROW_BYTES)) return false;
        char *q = put_u64(b->data + b->len, id);
        *q++ = ',';
        b->len = (size_t)(q - b->data);
        st__buf_put_double(b, lambda);
        st__buf_putc(b, ',');
        st__buf_put_double(b, pdrop);
        st__buf_putc(b, ',');
        st__buf_put_double(b, exp(log_nu));
        st__buf_putc(b, ',');
        if (t_death >= 0.0) st__buf_put_double(b, t_death);
        q = b->data + b->len;
        *q++ = ',';
        q = put_u64(q, purchases);
        *q++ = ',';
        q = put_time(w, q, t_first);
        *q++ = '\n';
        b->len = (size_t)(q - b->data);
        b->data[b->len] = '\0';
    }
    return true;
}

static void worker_run(sim_worker *w)
{
    w->status = ST_OK;
    for (uint64_t i = 0; i < w->count; i++)
        if (!simulate_customer(w, w->first + i)) {
            w->status = ST_ENOMEM;
            break;
        }
}

static st_status check_positive(st_context *ctx, const char *name, double v)
{
    if (!(v > 0.0) || !isfinite(v))
        return st__error(ctx, ST_EINVAL, "%s must be a positive finite number (got %g)", name, v);
    return ST_OK;
}

static st_status check_range(st_context *ctx, const char *name, double v, double lo, double hi)
{
    if (!(v >= lo && v <= hi))
        return st__error(ctx, ST_EINVAL, "%s must be between %g and %g (got %g)", name, lo, hi, v);
    return ST_OK;
}

static st_status validate(st_context *ctx, const st_simulate_options *o, const char *path,
                          const char *truth_path)
{
    st_status rc;
    if (o->customers < 1 || o->customers > (UINT64_C(1) << 53))
        return st__error(ctx, ST_EINVAL, "customers must be between 1 and 2^53 (got %llu)",
                         (unsigned long long)o->customers);
    if ((rc = check_positive(ctx, "weeks", o->weeks)) || (rc = check_range(ctx, "weeks", o->weeks, 0, 52000)))
        return rc;
    if ((rc = check_positive(ctx, "r", o->r)) || (rc = check_positive(ctx, "alpha", o->alpha)) ||
        (rc = check_positive(ctx, "a", o->a)) || (rc = check_positive(ctx, "b", o->b)) ||
        (rc = check_positive(ctx, "p", o->p)) || (rc = check_positive(ctx, "q", o->q)) ||
        (rc = check_positive(ctx, "gamma", o->gamma)))
        return rc;
    if (o->r / o->alpha > 1000.0)
        return st__error(ctx, ST_EINVAL,
                         "the mean purchase rate r/alpha must be at most 1000 per week (got %g)",
                         o->r / o->alpha);
    if ((rc = check_range(ctx, "views_per_purchase", o->views_per_purchase, 0, 1e6)) ||
        (rc = check_range(ctx, "fav_prob", o->fav_prob, 0, 1)) ||
        (rc = check_range(ctx, "cart_prob", o->cart_prob, 0, 1)) ||
        (rc = check_range(ctx, "browse_rate", o->browse_rate, 0, 1e6)))
        return rc;
    const int64_t first_day = st_days_from_civil(1, 1, 1), last_day = st_days_from_civil(9999, 12, 31);
    if (o->start_day < first_day || o->start_day > last_day ||
        (double)o->start_day + o->weeks * 7.0 > (double)last_day + 1.0)
        return st__error(ctx, ST_EINVAL, "the period (start day plus weeks) must lie in years 1-9999");
    if (truth_path && strcmp(truth_path, path) == 0)
        return st__error(ctx, ST_EINVAL, "the truth file must differ from the event log ('%s')", path);
    return ST_OK;
}

/* Errors are recorded on the context under the allocation lock: workers of the next set may be recording
** an allocation failure at the same moment. */
static st_status write_block(sim_job *job, st_atomic_file *af, const char *path, const st_buf *b)
{
    if (b->len && fwrite(b->data, 1, b->len, (FILE *)af->fp) != b->len) {
        int e = errno;
        if (job->threaded) pthread_mutex_lock(&job->alloc_lock);
        st_status rc = st__error(job->ctx, ST_EIO, "%s: write failed: %s",
                                 af->is_stdout ? "standard output" : path, strerror(e));
        if (job->threaded) pthread_mutex_unlock(&job->alloc_lock);
        return rc;
    }
    return ST_OK;
}

/* Gives the next blocks of customers to the workers of one set (they run in the next round). Returns the
** number of workers used. */
static int set_assign(sim_job *job, sim_worker *set, int nworkers, uint64_t *next_block, uint64_t nblocks)
{
    const uint64_t customers = job->o->customers;
    int used = 0;
    for (; used < nworkers && *next_block < nblocks; used++, (*next_block)++) {
        sim_worker *w = &set[used];
        w->first = *next_block * BLOCK_CUSTOMERS;
        w->count = customers - w->first < BLOCK_CUSTOMERS ? customers - w->first : BLOCK_CUSTOMERS;
        w->out.len = w->truth.len = 0;
        w->rows = 0;
    }
    return used;
}

/* One round of the pipeline, as one fan-out: job 0 (always on the calling thread, which also reports
** progress) writes the set generated in the previous round, in customer order; jobs 1.. generate the
** blocks of the next set meanwhile. */
typedef struct sim_round {
    sim_job *job;
    sim_worker *done; /* the set to write (NULL in the first round) */
    int ndone;
    sim_worker *next; /* the set to generate: job j runs next[j - 1] */
    st_atomic_file *af, *tf;
    const char *path, *truth_path;
    uint64_t rows, written_blocks, nblocks;
    st_status rc;
} sim_round;

static void round_job(void *ud, size_t j, size_t worker)
{
    (void)worker;
    sim_round *r = ud;
    if (j > 0) {
        worker_run(&r->next[j - 1]);
        return;
    }
    if (!r->done) return;
    sim_job *job = r->job;
    st_status rc = ST_OK;
    for (int k = 0; k < r->ndone && !rc; k++) {
        const sim_worker *w = &r->done[k];
        if ((rc = w->status) != ST_OK) break;
        if ((rc = write_block(job, r->af, r->path, &w->out)) != ST_OK) break;
        if (r->truth_path && (rc = write_block(job, r->tf, r->truth_path, &w->truth)) != ST_OK) break;
        r->rows += w->rows;
    }
    r->written_blocks += (uint64_t)r->ndone;
    if (!rc) {
        if (job->threaded) pthread_mutex_lock(&job->alloc_lock);
        rc = st__progress(job->ctx, "simulate", (double)r->written_blocks / (double)r->nblocks);
        if (job->threaded) pthread_mutex_unlock(&job->alloc_lock);
    }
    r->rc = rc;
}

st_status st_simulate(st_context *ctx, const st_simulate_options *opts, const char *path,
                      const char *truth_path, uint64_t *rows_written)
{
    if (!ctx) return ST_EINVAL;
    if (!opts || !path) return st__error(ctx, ST_EINVAL, "options and output path are required");
    st_status rc = validate(ctx, opts, path, truth_path);
    if (rc) return rc;

    sim_job job;
    memset(&job, 0, sizeof job);
    job.ctx = ctx;
    job.o = opts;
    job.want_truth = truth_path != NULL;
    job.log_alpha = log(opts->alpha);
    job.log_gamma = log(opts->gamma);

    uint64_t nblocks = (opts->customers + BLOCK_CUSTOMERS - 1) / BLOCK_CUSTOMERS;
    int nthreads = st_context_threads(ctx);
    if (nthreads > 64) nthreads = 64;
    if ((uint64_t)nthreads > nblocks) nthreads = (int)nblocks;
    if (nthreads > 1) {
        if (pthread_mutex_init(&job.alloc_lock, NULL) != 0) nthreads = 1;
        else job.threaded = true;
    }

    /* Two sets of workers when threaded: one generates the next blocks while this thread writes the other
    ** set's, in customer order whatever the timing. */
    const int nsets = job.threaded ? 2 : 1;
    const size_t nworkers = (size_t)nsets * (size_t)nthreads;

    /* Formatting dates is the costliest part of a row; the period has at most 364,000 days. */
    job.ndays = (size_t)ceil(opts->weeks * 7.0) + 1;
    job.dates = st__malloc(ctx, 10 * job.ndays);
    sim_worker *workers = job.dates ? st__calloc(ctx, nworkers, sizeof *workers) : NULL;
    if (!workers) {
        st__free(ctx, job.dates, 10 * job.ndays);
        if (job.threaded) pthread_mutex_destroy(&job.alloc_lock);
        return ST_ENOMEM;
    }
    for (size_t d = 0; d < job.ndays; d++) {
        char tmp[16];
        st_format_date(opts->start_day + (int64_t)d, tmp, sizeof tmp);
        memcpy(job.dates + 10 * d, tmp, 10);
    }
    for (size_t k = 0; k < nworkers; k++) {
        workers[k].job = &job;
        st__buf_init(&workers[k].out, ctx);
        st__buf_init(&workers[k].truth, ctx);
    }

    /* st__atomic_*: temp file + rename, or in place for devices and FIFOs */
    st_atomic_file so, to;
    st_atomic_file *af = &so, *tf = &to;
    bool af_open = false, tf_open = false;
    uint64_t rows = 0;
    if ((rc = st__atomic_open(ctx, path, af)) != ST_OK) goto done;
    af_open = true;
    if (truth_path) {
        if ((rc = st__atomic_open(ctx, truth_path, tf)) != ST_OK) goto done;
        tf_open = true;
    }
    {
        st_buf head;
        st__buf_init(&head, ctx);
        bool ok = st__buf_puts(&head, opts->behaviours ? "customer_id,date,event,amount\n"
                                                        : "customer_id,date,amount\n");
        if (!ok) {
            rc = ST_ENOMEM;
            goto done;
        }
        rc = write_block(&job, af, path, &head);
        if (!rc && truth_path) {
            head.len = 0;
            if (!st__buf_puts(&head, "customer_id,lambda,p,nu,dropout_week,purchases,first_purchase\n"))
                rc = ST_ENOMEM;
            else
                rc = write_block(&job, tf, truth_path, &head);
        }
        st__buf_free(&head);
        if (rc) goto done;
    }

    {
        uint64_t next_block = 0;
        int used[2] = {0, 0}, cur = 0;
        sim_round rd = {&job, NULL, 0, workers, af, tf, path, truth_path, 0, 0, nblocks, ST_OK};
        used[0] = set_assign(&job, workers, nthreads, &next_block, nblocks);
        st__parallel_for_n(nthreads, 1 + (size_t)used[0], round_job, &rd);
        while (used[cur] > 0) {
            const int nxt = (cur + 1) % nsets;
            int gen = 0;
            if (nsets == 2)
                gen = used[nxt] = set_assign(&job, workers + (size_t)nxt * (size_t)nthreads, nthreads, &next_block,
                                             nblocks);
            rd.done = workers + (size_t)cur * (size_t)nthreads;
            rd.ndone = used[cur];
            rd.next = workers + (size_t)nxt * (size_t)nthreads;
            /* the writer (this thread) beside nthreads generators, as one fan-out */
            st__parallel_for_n(nsets == 2 ? nthreads + 1 : 1, 1 + (size_t)gen, round_job, &rd);
            if ((rc = rd.rc) != ST_OK) goto done;
            if (nsets == 1) {
                used[nxt] = set_assign(&job, workers, nthreads, &next_block, nblocks);
                rd.done = NULL;
                st__parallel_for_n(1, 1 + (size_t)used[nxt], round_job, &rd);
            }
            cur = nxt;
        }
        rows = rd.rows;
    }

    af_open = false;
    if ((rc = st__atomic_commit(ctx, af)) != ST_OK) goto done;
    if (tf_open) {
        tf_open = false;
        if ((rc = st__atomic_commit(ctx, tf)) != ST_OK) goto done;
    }
    if (rows_written) *rows_written = rows;

done:
    if (af_open) st__atomic_abort(ctx, af);
    if (tf_open) st__atomic_abort(ctx, tf);
    for (size_t k = 0; k < nworkers; k++) {
        st__buf_free(&workers[k].out);
        st__buf_free(&workers[k].truth);
        st__free(ctx, workers[k].ev, workers[k].ev_cap * sizeof(sim_event));
    }
    st__free(ctx, workers, nworkers * sizeof *workers);
    st__free(ctx, job.dates, 10 * job.ndays);
    if (job.threaded) pthread_mutex_destroy(&job.alloc_lock);
    return rc;
}
