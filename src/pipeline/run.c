/*
** run.c -- `strata run`: the whole chain as a list of stages over one customer table. The summarize stage
** builds the table; every later stage reads columns, adds columns and writes its own files; the table and
** summary.json are written last, so a failed run leaves no half-written outputs behind.
*/
#include "pipeline/stage_churn.h"
#include "pipeline/stage_mdp.h"
#include "pipeline/stage_segment.h"
#include "pipeline/stage_value.h"
#include "pipeline/stages.h"
#include "features/summary.h"
#include "decide/mdp_events.h"

#include <math.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

void st_run_options_init(st_run_options *o)
{
    if (!o) return;
    memset(o, 0, sizeof *o);
    st_summarize_options_init(&o->summarize);
    o->out_dir = "strata-out";
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* The stages after summarize, in data-flow order. */
typedef struct stage {
    const char *name;
    st_stage_fn fn;
} stage;


static const stage later_stages[] = {
    {"value", st__stage_value},
    {"churn", st__stage_churn},
    {"segment", st__stage_segment},
    {"mdp", st__stage_mdp},
    {NULL, NULL},
};

static bool write_report(st_jw *w, const st_ingest_report *r, const st_table *t)
{
    char d0[16], d1[16], de[16], dc[16];
    st_format_date(r->first_day, d0, sizeof d0);
    st_format_date(r->last_day, d1, sizeof d1);
    st_format_date(r->observation_end, de, sizeof de);
    if (r->calibration_end >= 0) st_format_date(r->calibration_end, dc, sizeof dc);
    st__jw_key(w, "input");
    st__jw_begin_object(w);
    st__jw_kv_int(w, "rows", (long long)r->rows);
    st__jw_kv_int(w, "rows_used", (long long)r->rows_used);
    st__jw_kv_int(w, "purchases", (long long)r->purchases);
    st__jw_kv_num(w, "revenue", r->revenue);
    st__jw_kv_str(w, "first_date", d0);
    st__jw_kv_str(w, "last_date", d1);
    st__jw_kv_str(w, "observation_end", de);
    st__jw_kv_str(w, "calibration_end", r->calibration_end >= 0 ? dc : NULL);
    st__jw_key(w, "skipped");
    st__jw_begin_object(w);
    st__jw_kv_int(w, "wrong_field_count", (long long)r->skipped_bad_field_count);
    st__jw_kv_int(w, "unbalanced_quotes", (long long)r->skipped_bad_quote);
    st__jw_kv_int(w, "missing_customer", (long long)r->skipped_missing_customer);
    st__jw_kv_int(w, "bad_time", (long long)r->skipped_bad_time);
    st__jw_kv_int(w, "bad_number", (long long)r->skipped_bad_number);
    st__jw_kv_int(w, "negative_amount_purchases", (long long)r->nonpositive_purchases);
    st__jw_kv_int(w, "zero_amount_purchases", (long long)r->zero_amount_purchases);
    st__jw_kv_int(w, "after_observation_end", (long long)r->after_observation_end);
    st__jw_end_object(w);
    st__jw_end_object(w);
    st__jw_kv_int(w, "customers", (long long)st_table_nrows(t));
    return st__jw_ok(w);
}

st_status st_run(st_context *ctx, const char *const *paths, size_t npaths, const st_run_options *opts)
{
    if (!ctx) return ST_EINVAL;
    if (!opts || !opts->out_dir || !*opts->out_dir) return st__error(ctx, ST_EINVAL, "st_run: no output directory");
    double t0 = now_seconds();
    uint64_t bytes0 = ctx->bytes_read;
    st_table *t = NULL;
    st_ingest_report rep;
    /* One pass over the events feeds the customer summary and the customer x month panel of the MDP stage. */
    st__period month = ST__PERIOD_MONTH;
    st__event_sink sinks[2] = {st__summary_sink_vt, st__panel_sink_vt};
    sinks[0].ud = (void *)&opts->summarize;
    sinks[1].ud = &month;
    st__events_result res;
    st__panel panel;
    memset(&panel, 0, sizeof panel);
    st_status rc = st__events_read(ctx, paths, npaths, &opts->summarize, sinks, 2, &res);
    if (rc) return rc;
    /* the panel first: finishing it frees its customer column, which lowers the peak of the table's making */
    rc = st__panel_finish(ctx, res.parts[1], res.ids.n, &panel);
    res.parts[1] = NULL;
    if (rc == ST_OK) rc = st__summarize_finish(ctx, &res, res.parts[0], &t, &rep);
    sinks[0].part_free(res.parts[0]); /* the summary's event-level state goes before the stages run */
    res.parts[0] = NULL;
    /* the directory is made only once there is something to put in it */
    if (rc == ST_OK) rc = st__mkdir(ctx, opts->out_dir);
    /* The MDP is estimated now, so that the panel and the customer ids go before the later stages run. */
    st__mdp_early mdp;
    memset(&mdp, 0, sizeof mdp);
    size_t panel_n = panel.n;
    double t_mdp = now_seconds();
    if (rc == ST_OK) rc = st__stage_mdp_build(ctx, opts->out_dir, opts, t, &panel, &res.ids, &mdp);
    t_mdp = now_seconds() - t_mdp;
    st__panel_free(&panel);
    st__events_result_free(ctx, sinks, 2, &res);
    if (rc != ST_OK) {
        st_table_free(t);
        return rc;
    }
    double t_sum = now_seconds() - t0 - t_mdp;

    st_buf b;
    st__buf_init(&b, ctx);
    st_jw w;
    st__jw_init(&w, &b, 2);
    st__jw_begin_object(&w);
    st__jw_kv_str(&w, "strata_version", st_version());
    st__jw_key(&w, "inputs");
    st__jw_begin_array(&w);
    for (size_t k = 0; k < npaths; k++) st__jw_string(&w, paths[k]);
    st__jw_end_array(&w);
    write_report(&w, &rep, t);
    st__jw_key(&w, "stages");
    st__jw_begin_object(&w);
    double timings[16] = {t_sum};
    const char *tnames[16] = {"summarize"};
    size_t nt = 1;
    st_stage_env env = {ctx, t, opts->out_dir, opts, paths, npaths, &w, &mdp};
    for (size_t s = 0; st__jw_ok(&w) && rc == ST_OK && later_stages[s].fn; s++) {
        double ts = now_seconds();
        if ((rc = st__progress(ctx, later_stages[s].name, -1)) != ST_OK) break;
        rc = later_stages[s].fn(&env);
        if (nt < 16) {
            timings[nt] = now_seconds() - ts + (later_stages[s].fn == st__stage_mdp ? t_mdp : 0.0);
            tnames[nt++] = later_stages[s].name;
        }
    }
    st__jw_end_object(&w);
    bool ok = st__jw_ok(&w);
    if (rc == ST_OK && !ok) rc = ST_ENOMEM;
    char *cpath = NULL, *spath = NULL;
    if (rc == ST_OK) {
        double tw = now_seconds();
        cpath = st__path_join(ctx, opts->out_dir, "customers.csv");
        rc = cpath ? st_table_write_csv(ctx, t, cpath) : ST_ENOMEM;
        if (nt < 16) {
            timings[nt] = now_seconds() - tw;
            tnames[nt++] = "write";
        }
    }
    if (rc == ST_OK) {
        /* What the run cost: input bytes read (once: the size of the input), peak resident memory. */
        struct rusage ru;
        double peak = getrusage(RUSAGE_SELF, &ru) == 0 ? (double)ru.ru_maxrss * 1024.0 : (double)NAN;
        size_t ncust = st_table_nrows(t);
        st__jw_key(&w, "resources");
        st__jw_begin_object(&w);
        st__jw_kv_int(&w, "bytes_read", (long long)(ctx->bytes_read - bytes0));
        st__jw_kv_num(&w, "peak_rss_bytes", peak);
        st__jw_kv_num(&w, "peak_rss_bytes_per_customer", ncust ? peak / (double)ncust : (double)NAN);
        st__jw_kv_int(&w, "panel_customer_periods", (long long)panel_n);
        st__jw_end_object(&w);
        st__jw_key(&w, "timings_seconds");
        st__jw_begin_object(&w);
        for (size_t k = 0; k < nt; k++) st__jw_kv_num(&w, tnames[k], timings[k]);
        st__jw_kv_num(&w, "total", now_seconds() - t0);
        st__jw_end_object(&w);
        st__jw_end_object(&w);
        ok = st__jw_ok(&w) && st__buf_putc(&b, '\n');
        spath = st__path_join(ctx, opts->out_dir, "summary.json");
        if (!ok || !spath) rc = ST_ENOMEM;
        else rc = st__write_file_atomic(ctx, spath, b.data, b.len);
    }
    st__free(ctx, cpath, 0);
    st__free(ctx, spath, 0);
    st__buf_free(&b);
    st_table_free(t);
    st__mdp_early_free(ctx, &mdp);
    return rc;
}
