/* st_table_read_csv_columns: the selected columns only (categorical levels in order of first appearance,
** numbers as st_table_read_csv reads them), identical on 1 and 2 workers over a file long enough to split,
** with a quoted line end that falls across a split, and errors at file:line. */
#include "test.h"
#include "strata.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[] = "/tmp/strata_tcolXXXXXX";

static const char *put(const char *name, const char *text)
{
    static char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
    return path;
}

int main(void)
{
    if (!mkdtemp(dir)) return 1;
    st_context *ctx = NULL;
    CHECK_EQ_INT(st_context_new(&ctx), ST_OK);
    const char *names[3] = {"arm", "y", "x"};
    const st_coltype types[3] = {ST_COL_CAT, ST_COL_F64, ST_COL_F64};
    st_table *t = NULL;

    /* small: other columns skipped, quoted cells, blank line, NA and empty as NaN, an empty arm missing */
    const char *p = put("small.csv", "id,y,note,arm,x\n1,0.5,\"a, b\",B,1e3\n\n2,,x,\"A\",NA\n3,2,y,,4\n4,-1,z,B,0x10\n");
    CHECK_EQ_INT(st_table_read_csv_columns(ctx, p, names, types, 3, &t), ST_OK);
    CHECK(st_table_nrows(t) == 4 && st_table_ncols(t) == 4);
    CHECK(strcmp(st_table_col_name(t, 1), "arm") == 0 && st_table_col_type(t, 1) == ST_COL_CAT);
    CHECK(st_table_cat_nlevels(t, 1) == 2 && strcmp(st_table_cat_level(t, 1, 0), "B") == 0);
    const int32_t *code = st_table_i32(t, 1);
    CHECK(code[0] == 0 && code[1] == 1 && code[2] == -1 && code[3] == 0);
    const double *y = st_table_f64(t, 2), *x = st_table_f64(t, 3);
    CHECK(y[0] == 0.5 && isnan(y[1]) && y[2] == 2.0 && y[3] == -1.0);
    CHECK(x[0] == 1000.0 && isnan(x[1]) && x[2] == 4.0 && x[3] == 16.0);
    st_table_free(t);

    /* errors at file:line */
    p = put("bad.csv", "arm,y,x\nA,1,2\nB,oops,3\n");
    CHECK_EQ_INT(st_table_read_csv_columns(ctx, p, names, types, 3, &t), ST_EDATA);
    CHECK(strstr(st_errmsg(ctx), "bad.csv:3: column 'y'") != NULL);
    p = put("count.csv", "arm,y,x\nA,1,2\nB,3\n");
    CHECK_EQ_INT(st_table_read_csv_columns(ctx, p, names, types, 3, &t), ST_EPARSE);
    CHECK(strstr(st_errmsg(ctx), "count.csv:3: wrong field count") != NULL);
    p = put("nocol.csv", "arm,y\nA,1\n");
    CHECK_EQ_INT(st_table_read_csv_columns(ctx, p, names, types, 3, &t), ST_ENOTFOUND);
    CHECK(strstr(st_errmsg(ctx), "nocol.csv:1: no column 'x'") != NULL);
    const char *twice[2] = {"y", "y"};
    CHECK_EQ_INT(st_table_read_csv_columns(ctx, p, twice, types + 1, 2, &t), ST_EINVAL);

    /* long: 400,000 rows (> 4 MiB, so 2 workers split it); quoted cells with a line end in the 4,000 rows
    ** around the middle, so the split falls inside one (the reader redoes the file on one worker); levels
    ** first seen late in the file */
    size_t n = 400000;
    char *big = malloc(n * 48 + 64);
    for (int quoted = 0; quoted < 2; quoted++) { /* 0: the workers' parts are merged; 1: redone on one */
        char *q = big;
        q += sprintf(q, "note,arm,y,x\n");
        for (size_t i = 0; i < n; i++) {
            const char *note = quoted && i + 2000 >= n / 2 && i < n / 2 + 2000 ? "\"l\nb\"" : "n";
            const char *arm = i % 3 == 0 ? "ctl" : i > n * 3 / 4 ? "late" : "trt";
            q += sprintf(q, "%s,%s,%zu.25,%zu\n", note, arm, i % 1000, i);
        }
        p = put("big.csv", big);
        st_table *t1 = NULL, *t2 = NULL;
        st_context_set_threads(ctx, 1);
        CHECK_EQ_INT(st_table_read_csv_columns(ctx, p, names, types, 3, &t1), ST_OK);
        st_context_set_threads(ctx, 2);
        CHECK_EQ_INT(st_table_read_csv_columns(ctx, p, names, types, 3, &t2), ST_OK);
        CHECK(t1 && t2 && st_table_nrows(t1) == n && st_table_nrows(t2) == n);
        if (t1 && t2) {
            CHECK(st_table_cat_nlevels(t2, 1) == 3 && strcmp(st_table_cat_level(t2, 1, 2), "late") == 0);
            size_t bad = 0;
            for (size_t i = 0; i < n; i++) {
                bad += strcmp(st_table_str(t1, 1, i), st_table_str(t2, 1, i)) != 0;
                bad += st_table_f64(t1, 2)[i] != st_table_f64(t2, 2)[i] || st_table_f64(t2, 3)[i] != (double)i;
            }
            CHECK(bad == 0);
        }
        st_table_free(t1);
        st_table_free(t2);
    }
    /* the same file with a bad number near its end: the line is counted across the split */
    char *last = big + strlen(big) - 2;
    while (last > big && last[-1] != '\n') last--;
    memcpy(last, "n,trt,xx", 8); /* the last record: line n + 4001 (header, n rows, 4000 quoted line ends) */
    p = put("big.csv", big);
    CHECK_EQ_INT(st_table_read_csv_columns(ctx, p, names, types, 3, &t), ST_EDATA);
    char want[64];
    snprintf(want, sizeof want, "big.csv:%zu: column 'y'", n + 4001);
    CHECK(strstr(st_errmsg(ctx), want) != NULL);
    free(big);
    st_context_free(ctx);
    const char *files[] = {"small.csv", "bad.csv", "count.csv", "nocol.csv", "big.csv"};
    char path[256];
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        remove(path);
    }
    rmdir(dir);
    T_DONE();
}
