/*
** arms.c -- experiment arms from a table column, in order of first appearance (core/arms.h).
*/
#include "core/arms.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

st_status st__arms_read(st_context *ctx, const st_table *t, size_t col, const char *source, const char *colname,
                        st__arms *arms, uint8_t *armof)
{
    memset(arms, 0, sizeof *arms);
    size_t n = st_table_nrows(t), last = 0;
    const double *num = st_table_f64(t, col);
    for (size_t i = 0; i < n; i++) {
        size_t k = arms->narms;
        const char *s = NULL;
        if (num) {
            double v = num[i];
            if (isnan(v)) return st__error(ctx, ST_EDATA, "%s:%zu: missing arm (column '%s')", source, i + 2, colname);
            if (k && arms->value[last] == v)
                k = last;
            else
                for (size_t q = 0; q < arms->narms; q++)
                    if (arms->value[q] == v) {
                        k = q;
                        break;
                    }
        } else {
            s = st_table_str(t, col, i);
            if (!s || !s[0])
                return st__error(ctx, ST_EDATA, "%s:%zu: missing arm (column '%s')", source, i + 2, colname);
            if (k && strcmp(arms->name[last], s) == 0)
                k = last;
            else
                for (size_t q = 0; q < arms->narms; q++)
                    if (strcmp(arms->name[q], s) == 0) {
                        k = q;
                        break;
                    }
        }
        if (k == arms->narms) {
            if (k == ST__ARMS_MAX)
                return st__error(ctx, ST_ELIMIT, "%s:%zu: more than %d arms in column '%s'", source, i + 2,
                                 ST__ARMS_MAX, colname);
            if (num) {
                double v = num[i] == 0.0 ? 0.0 : num[i]; /* -0 and 0 are one arm, named "0" */
                arms->value[k] = v;
                snprintf(arms->num[k], sizeof arms->num[k], "%.17g", v);
                arms->name[k] = arms->num[k];
            } else {
                arms->name[k] = s; /* owned by the table */
            }
            arms->narms++;
        }
        arms->count[k]++;
        armof[i] = (uint8_t)k;
        last = k;
    }
    return ST_OK;
}

size_t st__arms_find(const st__arms *arms, const char *name)
{
    for (size_t q = 0; q < arms->narms; q++)
        if (strcmp(arms->name[q], name) == 0) return q;
    return arms->narms;
}
