/*
** test_table_types.c -- the integer and categorical column types of st_table: accessors, the string view of a
** categorical column, CSV output (missing values empty, levels quoted when needed), and the errors.
*/
#include "strata.h"
#include "test.h"

#include <stdint.h>
#include <unistd.h>

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    static char buf[4096];
    size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
    buf[n] = '\0';
    if (f) fclose(f);
    return buf;
}

int main(void)
{
    st_context *ctx;
    CHECK_EQ_INT(st_context_new(&ctx), ST_OK);
    st_table *t = NULL;
    CHECK_EQ_INT(st_table_new(ctx, "customer_id", 4, &t), ST_OK);
    const char *ids[] = {"a", "b", "c", "d"};
    for (size_t i = 0; i < 4; i++) CHECK_EQ_INT(st_table_set_str(t, 0, i, ids[i]), ST_OK);

    const int32_t arm[] = {0, 2, INT32_MIN, -7};
    CHECK_EQ_INT(st_table_add_i32(t, "arm", arm), ST_OK);
    CHECK_EQ_INT(st_table_add_i32(t, "empty", NULL), ST_OK);
    const char *levels[] = {"Champions", "At Risk", "has, comma"};
    const int32_t codes[] = {1, 0, -1, 2};
    CHECK_EQ_INT(st_table_add_cat(t, "segment", codes, levels, 3), ST_OK);

    CHECK_EQ_INT(st_table_col_type(t, 1), ST_COL_I32);
    CHECK_EQ_INT(st_table_col_type(t, 3), ST_COL_CAT);
    CHECK(st_table_f64(t, 1) == NULL);
    CHECK(st_table_f64(t, 3) == NULL);
    CHECK(st_table_i32(t, 0) == NULL);
    CHECK_EQ_INT(st_table_i32(t, 1)[3], -7);
    CHECK_EQ_INT(st_table_i32(t, 2)[0], INT32_MIN);
    CHECK_EQ_INT(st_table_i32(t, 3)[1], 0);
    CHECK_EQ_INT(st_table_cat_nlevels(t, 3), 3);
    CHECK_EQ_INT(st_table_cat_nlevels(t, 1), 0);
    CHECK_STR(st_table_cat_level(t, 3, 1), "At Risk");
    CHECK(st_table_cat_level(t, 3, 3) == NULL);
    CHECK_STR(st_table_str(t, 3, 0), "At Risk");
    CHECK_STR(st_table_str(t, 3, 2), "");
    CHECK(st_table_str(t, 1, 0) == NULL);
    CHECK_EQ_INT(st_table_set_str(t, 3, 0, "x"), ST_EINVAL); /* codes are set when the column is made */

    /* errors: a code past the levels, a duplicate name, a double column of another type */
    const int32_t bad[] = {0, 3, 0, 0};
    CHECK_EQ_INT(st_table_add_cat(t, "bad", bad, levels, 3), ST_EINVAL);
    CHECK(strstr(st_errmsg(ctx), "row 1") != NULL);
    CHECK_EQ_INT(st_table_add_i32(t, "arm", arm), ST_EINVAL);
    CHECK_EQ_INT(st_table_add_f64(t, "x", ST_COL_I32, NULL), ST_EINVAL);
    CHECK_EQ_INT(st_table_ncols(t), 4);

    char path[] = "/tmp/strata_test_typesXXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    close(fd);
    CHECK_EQ_INT(st_table_write_csv(ctx, t, path), ST_OK);
    CHECK_STR(slurp(path), "customer_id,arm,empty,segment\n"
                           "a,0,,At Risk\n"
                           "b,2,,Champions\n"
                           "c,,,\n"
                           "d,-7,,\"has, comma\"\n");
    unlink(path);
    st_table_free(t);
    st_context_free(ctx);
    T_DONE();
}
