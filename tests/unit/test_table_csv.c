/* st_table_read_csv: column types, missing values, quoting, the key column, row numbering, errors with
** file:line, number forms (including the ones strtod accepts, such as hex), a round trip through
** st_table_write_csv, and every allocation made to fail once (ST_ENOMEM, nothing leaked). */
#include "failalloc.h"
#include "test.h"
#include "strata.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static char dir[] = "/tmp/strata_tcsvXXXXXX";

/* Writes text (n bytes) to a file in the test directory and returns its path (static, 4 in rotation). */
static const char *put(const char *name, const char *text, size_t n)
{
    static char paths[4][256];
    static int which = 0;
    char *p = paths[which++ % 4];
    snprintf(p, 256, "%s/%s", dir, name);
    FILE *fp = fopen(p, "wb");
    CHECK(fp != NULL);
    if (fp) {
        fwrite(text, 1, n, fp);
        fclose(fp);
    }
    return p;
}
#define PUT(name, lit) put(name, lit, sizeof lit - 1)

static double num(const st_table *t, const char *col, size_t i)
{
    long j = st_table_find(t, col);
    CHECK(j >= 0 && st_table_col_type(t, (size_t)j) == ST_COL_F64);
    return j >= 0 && st_table_f64(t, (size_t)j) ? st_table_f64(t, (size_t)j)[i] : -12345.0;
}

static const char *str(const st_table *t, const char *col, size_t i)
{
    long j = st_table_find(t, col);
    CHECK(j >= 0 && st_table_col_type(t, (size_t)j) == ST_COL_STR);
    return j >= 0 ? st_table_str(t, (size_t)j, i) : NULL;
}

/* Reads path expecting status want; on ST_OK returns the table, else checks the message holds msg. */
static st_table *rd(st_context *ctx, const char *path, const char *key, st_status want, const char *msg)
{
    st_table *t = NULL;
    st_status rc = st_table_read_csv(ctx, path, key, &t);
    CHECK_EQ_INT(rc, want);
    if (rc != ST_OK) {
        CHECK(t == NULL);
        if (msg && !strstr(st_errmsg(ctx), msg)) {
            t_failures++;
            fprintf(stderr, "message '%s' lacks '%s'\n", st_errmsg(ctx), msg);
        }
        st_clear_error(ctx);
    }
    return t;
}

static void types_and_missing(st_context *ctx)
{
    const char *p = PUT("types.csv", "id,a,b,c,d\n"
                                     "x1,1,2.5,hello,\n"
                                     "x2,NA,-3,world,\n"
                                     "x3,nan,4e2,7,\n"
                                     "x4,NaN,,8,\n"
                                     "x5,,0.125, 9 ,\n");
    st_table *t = rd(ctx, p, "id", ST_OK, NULL);
    CHECK(t != NULL);
    if (!t) return;
    CHECK_EQ_INT(st_table_nrows(t), 5);
    CHECK_EQ_INT(st_table_ncols(t), 5); /* the key plus a..d, in file order */
    CHECK_STR(st_table_col_name(t, 0), "id");
    CHECK_STR(st_table_col_name(t, 1), "a");
    CHECK_STR(st_table_col_name(t, 4), "d");
    CHECK_STR(str(t, "id", 4), "x5");
    CHECK(num(t, "a", 0) == 1.0);
    for (size_t i = 1; i < 5; i++) CHECK(isnan(num(t, "a", i))); /* NA, nan, NaN and empty are missing */
    CHECK(num(t, "b", 2) == 400.0);
    CHECK(isnan(num(t, "b", 3)));
    /* one word makes the whole column strings, and the cells keep their text, spaces included */
    CHECK_STR(str(t, "c", 2), "7");
    CHECK_STR(str(t, "c", 4), " 9 ");
    /* a column with no values at all is numeric and all missing */
    CHECK(isnan(num(t, "d", 0)));
    st_table_free(t);
}

static void number_forms(st_context *ctx)
{
    /* Anything strtod reads whole (after spaces and tabs are trimmed) is a number: exponents, a sign,
    ** "-0", and also hexadecimal ("0x10" is 16) and "inf". A column keeps that behaviour as it was. */
    const char *p = PUT("forms.csv", "a,b,c,d,e,f,g,h\n"
                                     "1e-3, 2.5 ,-0,0x10,inf,\t+7\t,123456789012345,0.1\n"
                                     "1E5,.5,5.,-0x1p-2,-inf,3,1234567890123456789,3.14159265358979\n");
    st_table *t = rd(ctx, p, NULL, ST_OK, NULL);
    CHECK(t != NULL);
    if (!t) return;
    CHECK(num(t, "a", 0) == 1e-3);
    CHECK(num(t, "a", 1) == 1e5);
    CHECK(num(t, "b", 0) == 2.5);
    CHECK(num(t, "b", 1) == 0.5);
    CHECK(num(t, "c", 0) == 0.0 && signbit(num(t, "c", 0)));
    CHECK(num(t, "c", 1) == 5.0);
    CHECK(num(t, "d", 0) == 16.0);
    CHECK(num(t, "d", 1) == -0.25);
    CHECK(isinf(num(t, "e", 0)) && num(t, "e", 0) > 0);
    CHECK(isinf(num(t, "e", 1)) && num(t, "e", 1) < 0);
    CHECK(num(t, "f", 0) == 7.0);
    CHECK(num(t, "g", 0) == 123456789012345.0);
    CHECK(num(t, "g", 1) == strtod("1234567890123456789", NULL));
    CHECK(num(t, "h", 0) == strtod("0.1", NULL));
    CHECK(num(t, "h", 1) == strtod("3.14159265358979", NULL));
    st_table_free(t);
    /* not numbers: a second dot, a lone sign, a unit, a 64-character number, a quote-escaped cell */
    p = PUT("notnum.csv", "a,b,c,d,e\n"
                          "1.2.3,-,5kg,0.000000000000000000000000000000000000000000000000000000000000001,\"1\"\"\"\n");
    t = rd(ctx, p, NULL, ST_OK, NULL);
    CHECK(t != NULL);
    if (!t) return;
    CHECK_STR(str(t, "a", 0), "1.2.3");
    CHECK_STR(str(t, "b", 0), "-");
    CHECK_STR(str(t, "c", 0), "5kg");
    CHECK(str(t, "d", 0) != NULL);
    CHECK_STR(str(t, "e", 0), "1\"");
    st_table_free(t);
}

static void quoting(st_context *ctx)
{
    const char *p = PUT("quotes.csv", "\xEF\xBB\xBF\"id\",name,v\r\n"
                                      "\"k,1\",\"a, b\",\"1.5\"\r\n"
                                      "k2,\"say \"\"hi\"\"\",2\r\n"
                                      "\r\n"
                                      "k3,\"two\nlines\",3\r\n"
                                      "k4,plain,4");
    st_table *t = rd(ctx, p, "id", ST_OK, NULL);
    CHECK(t != NULL);
    if (!t) return;
    CHECK_EQ_INT(st_table_nrows(t), 4); /* the blank line is skipped */
    CHECK_STR(str(t, "id", 0), "k,1");
    CHECK_STR(str(t, "name", 0), "a, b");
    CHECK_STR(str(t, "name", 1), "say \"hi\"");
    CHECK_STR(str(t, "name", 2), "two\nlines");
    CHECK_STR(str(t, "name", 3), "plain");
    CHECK(num(t, "v", 0) == 1.5); /* a quoted number is a number */
    CHECK(num(t, "v", 3) == 4.0);
    st_table_free(t);
}

static void keys(st_context *ctx)
{
    const char *p = PUT("keys.csv", "a,customer_id,b\n1,c9,2\n3,,4\n5,c7,6\n");
    st_table *t = rd(ctx, p, "customer_id", ST_OK, NULL);
    CHECK(t != NULL);
    if (t) {
        CHECK_STR(st_table_col_name(t, 0), "customer_id");
        CHECK_STR(st_table_col_name(t, 1), "a");
        CHECK_STR(st_table_col_name(t, 2), "b");
        CHECK_STR(str(t, "customer_id", 0), "c9");
        CHECK_STR(str(t, "customer_id", 1), "");
        CHECK_STR(str(t, "customer_id", 2), "c7");
        CHECK(num(t, "b", 2) == 6.0);
        st_table_free(t);
    }
    /* no key: rows numbered from 1 in a key column called "row" ... */
    t = rd(ctx, p, NULL, ST_OK, NULL);
    CHECK(t != NULL);
    if (t) {
        CHECK_STR(st_table_col_name(t, 0), "row");
        CHECK_STR(str(t, "row", 0), "1");
        CHECK_STR(str(t, "row", 2), "3");
        CHECK_STR(str(t, "customer_id", 2), "c7");
        st_table_free(t);
    }
    /* ... or "row_number" when the file has a column "row" */
    p = PUT("rowcol.csv", "row,v\n10,1\n11,2\n12,3\n13,4\n14,5\n15,6\n16,7\n17,8\n18,9\n19,10\n20,11\n");
    t = rd(ctx, p, NULL, ST_OK, NULL);
    CHECK(t != NULL);
    if (t) {
        CHECK_STR(st_table_col_name(t, 0), "row_number");
        CHECK_STR(str(t, "row_number", 9), "10");
        CHECK_STR(str(t, "row_number", 10), "11");
        CHECK(num(t, "row", 10) == 20.0);
        st_table_free(t);
    }
    rd(ctx, p, "nope", ST_ENOTFOUND, "rowcol.csv:1: no column 'nope'");
}

static void errors(st_context *ctx)
{
    rd(ctx, PUT("empty.csv", ""), NULL, ST_EEMPTY, "empty.csv: the file is empty");
    rd(ctx, PUT("header.csv", "a,b\n"), NULL, ST_EEMPTY, "header.csv: no data rows after the header");
    rd(ctx, PUT("count.csv", "a,b\n1,2\n3\n"), NULL, ST_EPARSE, "count.csv:3: wrong field count: expected 2");
    /* line numbers are physical lines: a quoted line end counts */
    rd(ctx, PUT("count2.csv", "a,b\n\"x\ny\",2\n1,2,3\n"), NULL, ST_EPARSE, "count2.csv:4: wrong field count");
    rd(ctx, PUT("quote.csv", "a,b\n1,\"2\n"), NULL, ST_EPARSE, "quote.csv:2:2: unbalanced quotes");
    /* the record errors come before a missing key */
    rd(ctx, PUT("count3.csv", "a,b\n1\n"), "id", ST_EPARSE, "count3.csv:2: wrong field count");
    rd(ctx, PUT("dup.csv", "a,a\n1,2\n"), NULL, ST_EINVAL, "duplicate column name 'a'");
    char missing[64];
    snprintf(missing, sizeof missing, "%s/missing.csv", dir);
    rd(ctx, missing, NULL, ST_EIO, "cannot open");
}

static void round_trip(st_context *ctx)
{
    st_table *t = NULL;
    CHECK_EQ_INT(st_table_new(ctx, "customer_id", 4, &t), ST_OK);
    if (!t) return;
    const char *ids[4] = {"a", "b,c", "say \"x\"", "two\nlines"};
    const char *words[4] = {"w", "", "x,y", "z"};
    /* no -0.0 here: st_table_write_csv prints it as "0" */
    double v[4] = {0.1, -1e-300, 123456.789, NAN}, w[4] = {1.0 / 3.0, 2e22, -2.5, 5};
    for (size_t i = 0; i < 4; i++) CHECK_EQ_INT(st_table_set_str(t, 0, i, ids[i]), ST_OK);
    CHECK_EQ_INT(st_table_add_f64(t, "v", ST_COL_F64, v), ST_OK);
    CHECK_EQ_INT(st_table_add_str(t, "word"), ST_OK);
    for (size_t i = 0; i < 4; i++) CHECK_EQ_INT(st_table_set_str(t, 2, i, words[i]), ST_OK);
    CHECK_EQ_INT(st_table_add_f64(t, "w", ST_COL_F64, w), ST_OK);
    char path[64];
    snprintf(path, sizeof path, "%s/trip.csv", dir);
    CHECK_EQ_INT(st_table_write_csv(ctx, t, path), ST_OK);
    st_table *u = rd(ctx, path, "customer_id", ST_OK, NULL);
    CHECK(u != NULL);
    if (u) {
        CHECK_EQ_INT(st_table_nrows(u), 4);
        CHECK_EQ_INT(st_table_ncols(u), 4);
        for (size_t i = 0; i < 4; i++) {
            CHECK_STR(str(u, "customer_id", i), ids[i]);
            CHECK_STR(str(u, "word", i), words[i]);
            double a = num(u, "v", i), b = num(u, "w", i);
            CHECK(isnan(v[i]) ? isnan(a) : memcmp(&a, &v[i], sizeof a) == 0);
            CHECK(memcmp(&b, &w[i], sizeof b) == 0);
        }
        st_table_free(u);
    }
    st_table_free(t);
    remove(path);
}

/* ---- every allocation made to fail once ---- */

typedef struct read_args {
    const char *path, *key;
} read_args;

static st_status alloc_job(t_failer *f, void *arg)
{
    const read_args *a = arg;
    st_context *ctx = t_failing_context(f);
    if (!ctx) return ST_ENOMEM;
    st_table *t = NULL;
    st_status rc = st_table_read_csv(ctx, a->path, a->key, &t);
    st_table_free(t);
    st_context_free(ctx);
    return rc;
}

static void alloc_failures(void)
{
    /* strings that turn up late, escapes, missing values, many keys (so the key pool grows) */
    char text[40000];
    size_t n = (size_t)snprintf(text, sizeof text, "id,a,b,c\n");
    for (int i = 0; i < 600 && n < sizeof text - 100; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, "customer-%04d-with-a-longer-key,%d.5,%s,%s\n", i, i,
                              i == 500 ? "word" : "2", i % 7 ? "NA" : "\"q\"\"x\"");
    const char *p = put("alloc.csv", text, n);
    const char *keys[2] = {"id", NULL};
    for (int k = 0; k < 2; k++) {
        read_args a = {p, keys[k]};
        t_alloc_torture(keys[k] ? "table read with a key" : "table read", alloc_job, &a);
    }
}

/* String columns: labels repeated on every row share their bytes, unique values past the sharing limit
** (4096 distinct) and overwritten rows still read back as set. */
static void string_columns(st_context *ctx)
{
    enum { N = 10000 };
    static const char *const labels[] = {"Champions", "At Risk", "", "Hibernating"};
    st_table *t = NULL;
    CHECK_EQ_INT(st_table_new(ctx, "id", N, &t), ST_OK);
    CHECK_EQ_INT(st_table_add_str(t, "label"), ST_OK);
    char buf[32];
    for (size_t i = 0; i < N; i++) {
        snprintf(buf, sizeof buf, "c%zu", i * 7);
        CHECK_EQ_INT(st_table_set_str(t, 0, i, buf), ST_OK);
        CHECK_EQ_INT(st_table_set_str(t, 1, i, labels[i % 4]), ST_OK);
    }
    CHECK_EQ_INT(st_table_set_str(t, 1, 5, "Champions"), ST_OK);
    CHECK_EQ_INT(st_table_set_str(t, 0, 5, "c14"), ST_OK);
    int bad = 0, shared = 0;
    for (size_t i = 0; i < N; i++) {
        snprintf(buf, sizeof buf, "c%zu", i == 5 ? (size_t)14 : i * 7);
        bad += strcmp(st_table_str(t, 0, i), buf) != 0;
        bad += strcmp(st_table_str(t, 1, i), i == 5 ? "Champions" : labels[i % 4]) != 0;
        shared += i % 4 == 0 && st_table_str(t, 1, i) == st_table_str(t, 1, 0);
    }
    CHECK(bad == 0);
    CHECK(shared == N / 4);
    st_table_free(t);
}

int main(void)
{
    if (!mkdtemp(dir)) {
        fprintf(stderr, "cannot make a temporary directory\n");
        return 1;
    }
    st_context *ctx = NULL;
    CHECK_EQ_INT(st_context_new(&ctx), ST_OK);
    string_columns(ctx);
    types_and_missing(ctx);
    number_forms(ctx);
    quoting(ctx);
    keys(ctx);
    errors(ctx);
    round_trip(ctx);
    st_context_free(ctx);
    alloc_failures();
    const char *names[] = {"types.csv", "forms.csv", "notnum.csv", "quotes.csv", "keys.csv", "rowcol.csv",
                           "empty.csv", "header.csv", "count.csv", "count2.csv", "quote.csv", "count3.csv",
                           "dup.csv", "alloc.csv"};
    char path[256];
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        remove(path);
    }
    rmdir(dir);
    T_DONE();
}
