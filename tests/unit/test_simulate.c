/*
** test_simulate.c -- st_simulate: byte-identical output for a seed whatever the thread count, the truth
** file's parameter means against the generating distributions, counts that agree between the log and the
** truth, time order, behaviours that leave purchases unchanged, and rejection of bad options.
*/
#include "strata.h"
#include "test.h"

#include <stdint.h>
#include <unistd.h>

static char path_a[256], path_b[256], path_t[256];

static char *slurp(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) return NULL;
    size_t cap = 1 << 16, n = 0;
    char *data = malloc(cap + 1);
    for (size_t got; data && (got = fread(data + n, 1, cap - n, fp)) > 0;) {
        n += got;
        if (n == cap) {
            char *p = realloc(data, 2 * cap + 1);
            if (!p) {
                free(data);
                data = NULL;
                break;
            }
            data = p;
            cap *= 2;
        }
    }
    fclose(fp);
    if (data) data[n] = '\0';
    if (len) *len = n;
    return data;
}

static int same_file(const char *a, const char *b)
{
    size_t na, nb;
    char *x = slurp(a, &na), *y = slurp(b, &nb);
    int same = x && y && na == nb && memcmp(x, y, na) == 0;
    free(x);
    free(y);
    return same;
}

static st_status run(st_context *ctx, const st_simulate_options *o, const char *path, const char *truth,
                     uint64_t *rows)
{
    st_status rc = st_simulate(ctx, o, path, truth, rows);
    if (rc) fprintf(stderr, "st_simulate: %s\n", st_errmsg(ctx));
    return rc;
}

static void test_determinism(st_context *ctx)
{
    st_simulate_options o;
    st_simulate_options_init(&o);
    o.customers = 9000; /* three blocks of 4096: the threads really split the work */
    o.behaviours = 1;
    uint64_t ra = 0, rb = 0;
    st_context_set_threads(ctx, 1);
    CHECK(run(ctx, &o, path_a, NULL, &ra) == ST_OK);
    st_context_set_threads(ctx, 2);
    CHECK(run(ctx, &o, path_b, NULL, &rb) == ST_OK);
    CHECK_EQ_INT(ra, rb);
    CHECK(ra > 9000);
    CHECK(same_file(path_a, path_b));

    o.seed = 43;
    CHECK(run(ctx, &o, path_b, NULL, &rb) == ST_OK);
    CHECK(!same_file(path_a, path_b));
}

/* Splits the next CSV line at commas into at most nf fields (in place); returns the field count, 0 at the
** end. */
static int next_row(char **cur, char **f, int nf)
{
    char *s = *cur;
    if (!*s) return 0;
    char *eol = strchr(s, '\n');
    if (!eol) eol = s + strlen(s);
    *cur = *eol ? eol + 1 : eol;
    *eol = '\0';
    int n = 0;
    f[n++] = s;
    for (char *c = s; *c; c++)
        if (*c == ',' && n < nf) {
            *c = '\0';
            f[n++] = c + 1;
        }
    return n;
}

static void test_truth_and_counts(st_context *ctx)
{
    st_simulate_options o;
    st_simulate_options_init(&o);
    o.customers = 20000;
    o.seed = 7;
    uint64_t rows = 0;
    CHECK(run(ctx, &o, path_a, path_t, &rows) == ST_OK);

    char *truth = slurp(path_t, NULL), *log = slurp(path_a, NULL);
    CHECK(truth != NULL && log != NULL);
    if (!truth || !log) {
        free(truth);
        free(log);
        return;
    }
    char *cur = truth, *f[8];
    CHECK_EQ_INT(next_row(&cur, f, 8), 7);
    CHECK_STR(f[0], "customer_id");
    CHECK_STR(f[6], "first_purchase");
    double sum_l = 0, sum_p = 0, sum_nu = 0, n = 0;
    uint64_t purchases = 0, dead = 0, bad = 0, expect_id = 1;
    while (next_row(&cur, f, 8) == 7) {
        if (strtoull(f[0], NULL, 10) != expect_id++) bad++;
        sum_l += strtod(f[1], NULL);
        sum_p += strtod(f[2], NULL);
        sum_nu += strtod(f[3], NULL);
        uint64_t k = strtoull(f[5], NULL, 10);
        purchases += k;
        if (*f[4]) {
            dead++;
            double wk = strtod(f[4], NULL);
            if (k < 2 || !(wk > 0 && wk < o.weeks)) bad++; /* drop-out follows a repeat purchase */
        }
        if (strlen(f[6]) != 19 || strncmp(f[6], "2024-0", 6) != 0) bad++; /* first quarter of 2024 */
        n++;
    }
    CHECK_EQ_INT(n, 20000);
    CHECK_EQ_INT(bad, 0);
    CHECK_EQ_INT(purchases, rows);
    /* E[lambda] = r / alpha (sd sqrt(r)/alpha = 0.22: se 0.0015), E[p] = a / (a + b) (se 0.0015),
    ** E[nu] = q / gamma (sd 0.13: se 0.001). */
    CHECK_NEAR(sum_l / n, o.r / o.alpha, 0.0075);
    CHECK_NEAR(sum_p / n, o.a / (o.a + o.b), 0.0075);
    CHECK_NEAR(sum_nu / n, o.q / o.gamma, 0.005);
    CHECK(dead > 1000 && dead < 15000);

    /* The log: header, then rows in customer order and each customer's times ascending, amounts > 0. */
    cur = log;
    CHECK_EQ_INT(next_row(&cur, f, 8), 3);
    CHECK_STR(f[0], "customer_id");
    CHECK_STR(f[1], "date");
    CHECK_STR(f[2], "amount");
    uint64_t nrows = 0, last_id = 0, order_bad = 0;
    char last_time[32] = "";
    double revenue = 0;
    while (next_row(&cur, f, 8) == 3) {
        uint64_t id = strtoull(f[0], NULL, 10);
        if (id < last_id || (id == last_id && strcmp(f[1], last_time) < 0)) order_bad++;
        if (strcmp(f[1], "2024-01-01 00:00:00") < 0 || strcmp(f[1], "2024-12-30") >= 0) order_bad++;
        double amt = strtod(f[2], NULL);
        if (!(amt >= 0.01)) order_bad++;
        revenue += amt;
        last_id = id;
        snprintf(last_time, sizeof last_time, "%s", f[1]);
        nrows++;
    }
    CHECK_EQ_INT(nrows, rows);
    CHECK_EQ_INT(order_bad, 0);
    /* Mean order value E[p / nu] = p * gamma / (q - 1) = 30; heavy-tailed, so a loose bound. */
    CHECK_NEAR(revenue / (double)nrows, 30.0, 3.0);
    free(truth);
    free(log);
}

/* With behaviours the purchase rows are exactly the rows of the plain log (same seed). */
static void test_behaviours_keep_purchases(st_context *ctx)
{
    st_simulate_options o;
    st_simulate_options_init(&o);
    o.customers = 500;
    o.with_time = 0;
    uint64_t plain = 0, rich = 0;
    CHECK(run(ctx, &o, path_a, NULL, &plain) == ST_OK);
    o.behaviours = 1;
    CHECK(run(ctx, &o, path_b, NULL, &rich) == ST_OK);
    CHECK(rich > plain);
    char *a = slurp(path_a, NULL), *b = slurp(path_b, NULL);
    CHECK(a && b);
    if (!a || !b) {
        free(a);
        free(b);
        return;
    }
    char *ca = a, *cb = b, *fa[4], *fb[5];
    next_row(&ca, fa, 4);
    CHECK_EQ_INT(next_row(&cb, fb, 5), 4);
    CHECK_STR(fb[2], "event");
    uint64_t matched = 0, mismatched = 0, views = 0, favs = 0, carts = 0, other = 0;
    while (next_row(&cb, fb, 5) == 4) {
        if (strlen(fb[1]) != 10) other++;
        if (strcmp(fb[2], "purchase") == 0) {
            if (next_row(&ca, fa, 4) != 3 || strcmp(fa[0], fb[0]) || strcmp(fa[1], fb[1]) || strcmp(fa[2], fb[3]))
                mismatched++;
            else
                matched++;
        } else {
            if (*fb[3]) other++; /* amount empty for non-purchases */
            if (strcmp(fb[2], "view") == 0) views++;
            else if (strcmp(fb[2], "fav") == 0) favs++;
            else if (strcmp(fb[2], "cart") == 0) carts++;
            else other++;
        }
    }
    CHECK_EQ_INT(matched, plain);
    CHECK_EQ_INT(mismatched, 0);
    CHECK_EQ_INT(other, 0);
    /* Per purchase: 5 views, 0.3 favs, 0.6 carts on average (plus browsing views). */
    CHECK(views > 5 * matched);
    CHECK_NEAR((double)favs / (double)matched, 0.3, 0.06);
    CHECK_NEAR((double)carts / (double)matched, 0.6, 0.06);
    free(a);
    free(b);
}

static void test_bad_options(st_context *ctx)
{
    st_simulate_options o;
    st_simulate_options_init(&o);
    o.r = -1;
    CHECK(st_simulate(ctx, &o, path_a, NULL, NULL) == ST_EINVAL);
    CHECK(strstr(st_errmsg(ctx), "r must be") != NULL);
    st_simulate_options_init(&o);
    o.fav_prob = 1.5;
    CHECK(st_simulate(ctx, &o, path_a, NULL, NULL) == ST_EINVAL);
    st_simulate_options_init(&o);
    o.customers = 0;
    CHECK(st_simulate(ctx, &o, path_a, NULL, NULL) == ST_EINVAL);
    st_simulate_options_init(&o);
    o.weeks = (double)NAN;
    CHECK(st_simulate(ctx, &o, path_a, NULL, NULL) == ST_EINVAL);
    st_simulate_options_init(&o);
    o.start_day = st_days_from_civil(9999, 6, 1);
    CHECK(st_simulate(ctx, &o, path_a, NULL, NULL) == ST_EINVAL);
    st_simulate_options_init(&o);
    CHECK(st_simulate(ctx, &o, path_a, path_a, NULL) == ST_EINVAL);
    CHECK(st_simulate(ctx, NULL, path_a, NULL, NULL) == ST_EINVAL);
    CHECK(st_simulate(NULL, &o, path_a, NULL, NULL) == ST_EINVAL);
    CHECK(st_simulate(ctx, &o, "/nonexistent-dir/x.csv", NULL, NULL) == ST_EIO);
}

static int cancel_cb(void *ud, const char *stage, double fraction)
{
    int *calls = ud;
    (*calls)++;
    return strcmp(stage, "simulate") == 0 && fraction > 0.0;
}

/* A cancelled run returns ST_ECANCELLED and leaves no file behind. */
static void test_cancel(st_context *ctx)
{
    st_simulate_options o;
    st_simulate_options_init(&o);
    o.customers = 20000;
    remove(path_a);
    int calls = 0;
    st_context_set_progress(ctx, cancel_cb, &calls);
    CHECK(st_simulate(ctx, &o, path_a, path_t, NULL) == ST_ECANCELLED);
    st_context_set_progress(ctx, NULL, NULL);
    CHECK(calls >= 1);
    FILE *fp = fopen(path_a, "rb");
    CHECK(fp == NULL);
    if (fp) fclose(fp);
}

/* An allocator that fails after `remaining` allocations (frees always work). */
typedef struct failing_alloc {
    long remaining;
    long allocs;
} failing_alloc;

static void *fail_hook(void *ud, void *ptr, size_t osize, size_t nsize)
{
    failing_alloc *f = ud;
    (void)osize;
    if (nsize == 0) {
        free(ptr);
        return NULL;
    }
    if (f->remaining == 0) return NULL;
    if (f->remaining > 0) f->remaining--;
    f->allocs++;
    return realloc(ptr, nsize);
}

/* Every allocation failure unwinds cleanly (ST_ENOMEM, no file left; leaks show under ASan). */
static void test_alloc_failures(void)
{
    failing_alloc f = {-1, 0};
    st_context *ctx = NULL;
    if (st_context_new_with_alloc(fail_hook, &f, &ctx) != ST_OK) return;
    st_context_set_threads(ctx, 1); /* the failure points are then deterministic */
    st_simulate_options o;
    st_simulate_options_init(&o);
    o.customers = 5000;
    o.behaviours = 1;
    int ok_seen = 0, bad = 0;
    for (long n = 0; n < 200 && !ok_seen; n++) {
        remove(path_a);
        remove(path_t);
        f.remaining = n;
        st_status rc = st_simulate(ctx, &o, path_a, path_t, NULL);
        f.remaining = -1;
        if (rc == ST_OK) {
            ok_seen = 1;
        } else {
            FILE *fp = fopen(path_a, "rb");
            if (rc != ST_ENOMEM || fp) bad++;
            if (fp) fclose(fp);
        }
    }
    CHECK(ok_seen);
    CHECK_EQ_INT(bad, 0);
    st_context_free(ctx);
}

int main(void)
{
    const char *tmp = getenv("TMPDIR");
    if (!tmp || !*tmp) tmp = "/tmp";
    long pid = (long)getpid();
    snprintf(path_a, sizeof path_a, "%s/strata_test_sim_%ld_a.csv", tmp, pid);
    snprintf(path_b, sizeof path_b, "%s/strata_test_sim_%ld_b.csv", tmp, pid);
    snprintf(path_t, sizeof path_t, "%s/strata_test_sim_%ld_t.csv", tmp, pid);
    st_context *ctx = NULL;
    if (st_context_new(&ctx) != ST_OK) return 1;
    test_determinism(ctx);
    test_truth_and_counts(ctx);
    test_behaviours_keep_purchases(ctx);
    test_bad_options(ctx);
    test_cancel(ctx);
    test_alloc_failures();
    st_context_free(ctx);
    remove(path_a);
    remove(path_b);
    remove(path_t);
    T_DONE();
}
