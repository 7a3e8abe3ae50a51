/*
** fuzz_csv.c -- fuzz target for the event-log reader and the table reader: any bytes, with options chosen
** by the first byte, must either give a table or fail with a status and a message; the record scanner must
** always make progress and keep fields inside the buffer. Any broken promise aborts.
*/
#include "core/internal.h"
#include "io/csv.h"
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void check_scanner(const uint8_t *data, size_t size, char delim)
{
    st_context *ctx;
    if (st_context_new(&ctx) != ST_OK) abort();
    st_csv_scanner sc;
    if (st__csv_scanner_init(ctx, &sc, delim, 256, 16) != ST_OK) abort();
    const char *p = (const char *)data, *end = p + size;
    while (p < end) {
        const char *next = NULL;
        st_csv_result r = st__csv_scan(&sc, p, end, true, &next);
        if (r == ST_CSV_END || r == ST_CSV_NEED_MORE) abort(); /* at EOF with bytes left, neither may happen */
        if (r != ST_CSV_RECORD) {
            const char *q = st__csv_skip_line(p, end);
            if (q <= p) abort();
            p = q;
            continue;
        }
        if (next <= p || next > end || sc.nfields == 0 || sc.nfields > 16) abort();
        for (size_t j = 0; j < sc.nfields; j++)
            if (sc.fields[j].p < p || sc.fields[j].p + sc.fields[j].len > next) abort();
        p = next;
    }
    st__csv_scanner_free(ctx, &sc);
    st_context_free(ctx);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    uint8_t flags = data[0];
    data++;
    size--;
    char delim = (flags & 1) ? ';' : ',';
    check_scanner(data, size, delim);

    char path[64];
    snprintf(path, sizeof path, "/tmp/strata_fuzz_csv_%ld.csv", (long)getpid());
    FILE *fp = fopen(path, "wb");
    if (!fp) return 0;
    if (size) fwrite(data, 1, size, fp);
    fclose(fp);

    st_context *ctx;
    if (st_context_new(&ctx) != ST_OK) abort();
    st_summarize_options o;
    st_summarize_options_init(&o);
    o.delimiter = delim;
    o.max_line = 4096;
    if (flags & 2) o.event_col = "event";
    if (flags & 4) o.on_error = ST_ON_ERROR_SKIP;
    if (flags & 8) o.time_format = (flags & 16) ? "unix" : "%Y%m%d";
    if (flags & 32) o.unit = ST_UNIT_WEEK;
    if (flags & 64) {
        o.has_calibration_end = 1;
        o.calibration_end = 19800;
    }
    if (flags & 128) {
        o.has_header = 0;
        o.columns = "customer_id,date,event,amount";
    }
    const char *paths[1] = {path};
    st_table *t = NULL;
    st_ingest_report rep;
    st_status rc = st_summarize(ctx, paths, 1, &o, &t, &rep);
    if (rc == ST_OK) {
        if (!t || st_table_nrows(t) == 0 || rep.customers != st_table_nrows(t)) abort();
        char out[80];
        snprintf(out, sizeof out, "%s.out", path);
        if (st_table_write_csv(ctx, t, out) != ST_OK) abort();
        remove(out);
    } else if (t != NULL || st_errmsg(ctx)[0] == '\0') {
        abort();
    }
    st_table_free(t);
    st_table *t2 = NULL;
    rc = st_table_read_csv(ctx, path, NULL, &t2);
    if (rc == ST_OK && !t2) abort();
    if (rc != ST_OK && (t2 || st_errmsg(ctx)[0] == '\0')) abort();
    st_table_free(t2);
    st_context_free(ctx);
    remove(path);
    return 0;
}
