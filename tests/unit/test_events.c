/*
** test_events.c -- the one event reader and its sinks: the string interner (ids in order of first
** appearance, find, merge with a remap), the customer x period panel (a shuffled log gives the panel of a
** grouped one; one thread and two give the same bytes; merge of parts equals one pass), and the byte
** counter of the reader.
*/
#include "core/strmap.h"
#include "io/events.h"
#include "test.h"

#include <unistd.h>

static void test_strmap(st_context *ctx)
{
    st__strmap a, b;
    st__strmap_init(&a, ctx, 0);
    st__strmap_init(&b, ctx, 0);
    uint32_t id;
    char key[32];
    for (int i = 0; i < 5000; i++) { /* forces several rehashes */
        snprintf(key, sizeof key, "cust%d", i);
        CHECK_EQ_INT(st__strmap_intern(&a, key, strlen(key), &id), ST_OK);
        CHECK_EQ_INT(id, i);
    }
    CHECK_EQ_INT(st__strmap_intern(&a, "cust17", 6, &id), ST_OK);
    CHECK_EQ_INT(id, 17);
    CHECK_EQ_INT(a.n, 5000);
    CHECK_EQ_INT(st__strmap_find(&a, "cust4999", 8), 4999);
    CHECK_EQ_INT(st__strmap_find(&a, "cust5000", 8), -1);
    CHECK_STR(st__strmap_key(&a, 123), "cust123");
    /* empty key and embedded bytes are keys like any other */
    CHECK_EQ_INT(st__strmap_intern(&b, "", 0, &id), ST_OK);
    CHECK_EQ_INT(id, 0);
    CHECK_EQ_INT(st__strmap_intern(&b, "cust3", 5, &id), ST_OK);
    CHECK_EQ_INT(st__strmap_intern(&b, "new", 3, &id), ST_OK);
    uint32_t remap[3];
    CHECK_EQ_INT(st__strmap_merge(&a, &b, remap), ST_OK);
    CHECK_EQ_INT(remap[0], 5000);
    CHECK_EQ_INT(remap[1], 3);
    CHECK_EQ_INT(remap[2], 5001);
    /* merging an empty map changes nothing */
    st__strmap e;
    st__strmap_init(&e, ctx, 0);
    CHECK_EQ_INT(st__strmap_merge(&a, &e, remap), ST_OK);
    CHECK_EQ_INT(a.n, 5002);
    /* a bounded map refuses keys past its bound */
    st__strmap s;
    st__strmap_init(&s, ctx, 2);
    CHECK_EQ_INT(st__strmap_intern(&s, "x", 1, &id), ST_OK);
    CHECK_EQ_INT(st__strmap_intern(&s, "y", 1, &id), ST_OK);
    CHECK_EQ_INT(st__strmap_intern(&s, "z", 1, &id), ST_ELIMIT);
    CHECK_EQ_INT(st__strmap_intern(&s, "x", 1, &id), ST_OK);
    st__strmap_free(&a);
    st__strmap_free(&b);
    st__strmap_free(&e);
    st__strmap_free(&s);
}

/* Writes nrows events of ncust customers over two years; shuffled or grouped by customer. */
static void write_log(const char *path, int ncust, int per_cust, int shuffled)
{
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (!f) exit(1);
    fputs("customer_id,date,event,amount\n", f);
    int n = ncust * per_cust;
    int *order = malloc((size_t)n * sizeof *order);
    for (int i = 0; i < n; i++) order[i] = i;
    if (shuffled) {
        uint64_t x = 88172645463325252ull;
        for (int i = n - 1; i > 0; i--) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            int j = (int)(x % (uint64_t)(i + 1)), t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
    }
    for (int k = 0; k < n; k++) {
        int i = order[k], c = i / per_cust, e = i % per_cust;
        int day = (c * 7 + e * 13) % 700, m = 1 + day / 30 % 12, d = 1 + day % 28, y = 2023 + day / 360;
        /* amounts in quarters add up exactly in any order */
        if (e % 3 == 0) fprintf(f, "c%d,%04d-%02d-%02d 10:00:00,purchase,%d.%02d\n", c, y, m, d, 1 + (c + e) % 50, e % 4 * 25);
        else fprintf(f, "c%d,%04d-%02d-%02d,view,\n", c, y, m, d);
    }
    free(order);
    fclose(f);
}

static int strcmp_ptr(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* The panel of a log as text: customer key, then period:events:spend per active period. */
static char *panel_text(st_context *ctx, const char *path, st__period per, uint64_t *bytes)
{
    st_summarize_options o;
    st_summarize_options_init(&o);
    o.event_col = "event";
    st__event_sink sink = st__panel_sink_vt;
    sink.ud = &per;
    st__events_result res;
    CHECK_EQ_INT(st__events_read(ctx, (const char *const[]){path}, 1, &o, &sink, 1, &res), ST_OK);
    if (bytes) *bytes = res.bytes_read;
    st__panel pn;
    CHECK_EQ_INT(st__panel_finish(ctx, res.parts[0], res.ids.n, &pn), ST_OK);
    res.parts[0] = NULL;
    /* one line per customer, in key order so that the order of first appearance does not matter */
    size_t cap = 1 << 20, len = 0;
    char *out = malloc(cap);
    char **lines = malloc(pn.ncust * sizeof *lines);
    for (size_t c = 0; c < pn.ncust; c++) {
        char buf[4096];
        int k = snprintf(buf, sizeof buf, "%s", st__strmap_key(&res.ids, (uint32_t)c));
        for (size_t j = pn.start[c]; j < pn.start[c + 1] && k < 4000; j++)
            k += snprintf(buf + k, sizeof buf - (size_t)k, " %d:%u:%.17g", pn.per[j], pn.events[j], pn.spend[j]);
        lines[c] = strdup(buf);
    }
    qsort(lines, pn.ncust, sizeof *lines, strcmp_ptr);
    for (size_t c = 0; c < pn.ncust; c++) {
        size_t l = strlen(lines[c]);
        while (len + l + 2 > cap) out = realloc(out, cap *= 2);
        memcpy(out + len, lines[c], l);
        len += l;
        out[len++] = '\n';
        free(lines[c]);
    }
    out[len] = '\0';
    free(lines);
    st__panel_free(&pn);
    st__events_result_free(ctx, &sink, 1, &res);
    return out;
}

int main(void)
{
    st_context *ctx;
    CHECK_EQ_INT(st_context_new(&ctx), ST_OK);
    test_strmap(ctx);

    char dir[] = "/tmp/strata_test_eventsXXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char grouped[256], shuffled[256];
    snprintf(grouped, sizeof grouped, "%s/grouped.csv", dir);
    snprintf(shuffled, sizeof shuffled, "%s/shuffled.csv", dir);
    /* 6 MB: large enough for the reader to split plain files between two threads */
    write_log(grouped, 20000, 12, 0);
    write_log(shuffled, 20000, 12, 1);
    FILE *f = fopen(grouped, "rb");
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fclose(f);
    CHECK(size > 5 << 20);

    st_context_set_threads(ctx, 1);
    uint64_t bytes = 0;
    char *g1 = panel_text(ctx, grouped, ST__PERIOD_MONTH, &bytes);
    CHECK_EQ_INT(bytes, size); /* every byte read once */
    char *s1 = panel_text(ctx, shuffled, ST__PERIOD_MONTH, NULL);
    st_context_set_threads(ctx, 2);
    uint64_t bytes2 = 0;
    char *g2 = panel_text(ctx, grouped, ST__PERIOD_MONTH, &bytes2);
    CHECK_EQ_INT(bytes2, size);
    char *s2 = panel_text(ctx, shuffled, ST__PERIOD_MONTH, NULL);
    CHECK(strcmp(g1, s1) == 0); /* the order of the rows does not matter */
    CHECK(strcmp(g1, g2) == 0); /* nor the number of threads */
    CHECK(strcmp(s1, s2) == 0);
    CHECK(strlen(g1) > 100000);
    /* weeks: periods are Monday-based week numbers */
    CHECK_EQ_INT(st__period_of_day(0, ST__PERIOD_WEEK), 0);   /* Thursday 1970-01-01 */
    CHECK_EQ_INT(st__period_of_day(4, ST__PERIOD_WEEK), 1);   /* Monday 1970-01-05 */
    CHECK_EQ_INT(st__period_of_day(-3, ST__PERIOD_WEEK), 0);  /* Monday 1969-12-29 */
    CHECK_EQ_INT(st__period_of_day(-4, ST__PERIOD_WEEK), -1);
    CHECK_EQ_INT(st__period_of_day(0, ST__PERIOD_MONTH), 1970 * 12);
    CHECK_EQ_INT(st__period_of_day(90, ST__PERIOD_QUARTER), 1970 * 4 + 1); /* 1970-04-01 */
    CHECK_EQ_INT(st_context_bytes_read(ctx), 4 * (uint64_t)size);
    free(g1);
    free(g2);
    free(s1);
    free(s2);
    unlink(grouped);
    unlink(shuffled);
    rmdir(dir);
    st_context_free(ctx);
    T_DONE();
}
