/*
** arms.h -- the arms of an experiment named in a table column (text, categorical or numeric), mapped to small
** indices in order of first appearance: what uplift evaluation, policy values and uplift models share.
*/
#ifndef STRATA_CORE_ARMS_H
#define STRATA_CORE_ARMS_H

#include "core/internal.h"

#define ST__ARMS_MAX 64

typedef struct st__arms {
    size_t narms;
    const char *name[ST__ARMS_MAX]; /* the table's strings, or num[] for a numeric column */
    char num[ST__ARMS_MAX][32];     /* a numeric arm's name: printf("%.17g") */
    double value[ST__ARMS_MAX];     /* a numeric arm's value */
    size_t count[ST__ARMS_MAX];     /* rows per arm */
} st__arms;

/* Reads column col of t (its name colname, for messages): armof[i] receives row i's arm index. Errors:
** ST_EDATA (a missing (empty or NaN) value at source:line, line 2 = first data row), ST_ELIMIT (more than
** ST__ARMS_MAX arms). */
st_status st__arms_read(st_context *ctx, const st_table *t, size_t col, const char *source, const char *colname,
                        st__arms *arms, uint8_t *armof);

/* The index of the arm called name, or arms->narms when there is none. */
size_t st__arms_find(const st__arms *arms, const char *name);

#endif
