/*
** cli_util.c -- option parsing, error messages and the progress bar shared by every subcommand.
*/
#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int cli_opt(int argc, char **argv, int *i, const char *name, const char **value)
{
    const char *a = argv[*i];
    size_t n = strlen(name);
    if (strncmp(a, name, n) != 0) return 0;
    if (a[n] == '=') {
        *value = a + n + 1;
        return 1;
    }
    if (a[n] != '\0') return 0;
    if (*i + 1 >= argc) {
        fprintf(stderr, "strata: option %s needs a value\n", name);
        return -1;
    }
    *value = argv[++*i];
    return 1;
}

bool cli_flag(char **argv, int i, const char *name) { return strcmp(argv[i], name) == 0; }

int cli_error(const char *cmd, int code, const char *fmt, ...)
{
    fprintf(stderr, "strata %s: ", cmd);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return code;
}

int cli_fail(const char *cmd, st_context *ctx, st_status rc)
{
    const char *msg = st_errmsg(ctx);
    fprintf(stderr, "strata %s: error: %s\n", cmd, msg && *msg ? msg : st_strerror(rc));
    return rc == ST_EINVAL ? CLI_USAGE : CLI_FAIL;
}

int cli_unknown(const char *cmd, const char *arg)
{
    return cli_error(cmd, CLI_USAGE, "unknown option '%s' (see `strata %s --help`)", arg, cmd);
}

bool cli_parse_double(const char *cmd, const char *name, const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end != '\0' || errno == ERANGE) {
        cli_error(cmd, CLI_USAGE, "%s: '%s' is not a number", name, s);
        return false;
    }
    *out = v;
    return true;
}

bool cli_parse_u64(const char *cmd, const char *name, const char *s, unsigned long long *out)
{
    char *end;
    errno = 0;
    if (*s == '-') {
        cli_error(cmd, CLI_USAGE, "%s: '%s' must not be negative", name, s);
        return false;
    }
    unsigned long long v = strtoull(s, &end, 10);
    if (end == s || *end != '\0' || errno == ERANGE) {
        cli_error(cmd, CLI_USAGE, "%s: '%s' is not a whole number", name, s);
        return false;
    }
    *out = v;
    return true;
}

bool cli_parse_int(const char *cmd, const char *name, const char *s, long min, long max, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (end == s || *end != '\0' || errno == ERANGE || v < min || v > max) {
        cli_error(cmd, CLI_USAGE, "%s: '%s' is not a whole number from %ld to %ld", name, s, min, max);
        return false;
    }
    *out = v;
    return true;
}

int cli_parse_args(const char *cmd, int argc, char **argv, int first, const cli_arg *args, size_t nargs,
                   const char **pos, size_t npos, void (*help)(void), const char *extra_fmt)
{
    return cli_parse_args_in(cmd, argc, argv, first, args, nargs, pos, npos, help, extra_fmt, NULL);
}

int cli_parse_args_in(const char *cmd, int argc, char **argv, int first, const cli_arg *args, size_t nargs,
                      const char **pos, size_t npos, void (*help)(void), const char *extra_fmt,
                      st_summarize_options *in)
{
    size_t np = 0;
    for (int i = first; i < argc; i++) {
        if (in) {
            int m = cli_input_option(cmd, argc, argv, &i, in);
            if (m < 0) return CLI_USAGE;
            if (m > 0) continue;
        }
        if (cli_flag(argv, i, "--help") || cli_flag(argv, i, "-h")) {
            help();
            return CLI_OK;
        }
        const cli_arg *a = NULL;
        const char *v = NULL;
        for (size_t k = 0; k < nargs && !a; k++) {
            const char *names[2] = {args[k].name, args[k].alias};
            for (int j = 0; j < 2 && !a; j++) {
                if (!names[j]) continue;
                if (args[k].kind == CLI_FLAG) {
                    if (cli_flag(argv, i, names[j])) a = &args[k];
                    continue;
                }
                int m = cli_opt(argc, argv, &i, names[j], &v);
                if (m < 0) return CLI_USAGE;
                if (m > 0) a = &args[k];
            }
        }
        if (!a) {
            if (argv[i][0] == '-' && argv[i][1] != '\0') return cli_unknown(cmd, argv[i]);
            if (np == npos && extra_fmt && npos) return cli_error(cmd, CLI_USAGE, extra_fmt, pos[0], argv[i]);
            if (np == npos) return cli_error(cmd, CLI_USAGE, "unexpected argument '%s'", argv[i]);
            pos[np++] = argv[i];
            continue;
        }
        bool ok = true;
        switch (a->kind) {
        case CLI_STR: *(const char **)a->dst = v; break;
        case CLI_DOUBLE: ok = cli_parse_double(cmd, a->name, v, a->dst); break;
        case CLI_INT: ok = cli_parse_int(cmd, a->name, v, a->min, a->max, a->dst); break;
        case CLI_U64: ok = cli_parse_u64(cmd, a->name, v, a->dst); break;
        case CLI_DAY: ok = cli_parse_day(cmd, a->name, v, a->dst); break;
        case CLI_FLAG: *(int *)a->dst = 1; break;
        }
        if (!ok) return CLI_USAGE;
        if (a->seen) *a->seen = 1;
    }
    return -1;
}

bool cli_parse_day(const char *cmd, const char *name, const char *s, int64_t *out)
{
    int64_t secs;
    if (st_time_parse_iso(s, strlen(s), &secs) != ST_OK) {
        cli_error(cmd, CLI_USAGE, "%s: '%s' is not a date (YYYY-MM-DD)", name, s);
        return false;
    }
    *out = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
    return true;
}

/* ---- progress bar ---- */

typedef struct progress_state {
    const char *cmd;
    const char *last_stage;
    int last_pct;
} progress_state;

static progress_state g_progress; /* the CLI is single-threaded; the library keeps no such state */

static int progress_cb(void *ud, const char *stage, double fraction)
{
    progress_state *p = ud;
    int pct = fraction < 0 ? -1 : (int)(fraction * 100.0 + 0.5);
    if (p->last_stage == stage && pct == p->last_pct) return 0;
    p->last_stage = stage;
    p->last_pct = pct;
    if (pct < 0) {
        fprintf(stderr, "\r\033[K%s: %s ...", p->cmd, stage);
    } else {
        int width = 30, fill = pct * width / 100;
        fprintf(stderr, "\r\033[K%s: %-10s [", p->cmd, stage);
        for (int k = 0; k < width; k++) fputc(k < fill ? '#' : '.', stderr);
        fprintf(stderr, "] %3d%%", pct);
    }
    if (pct >= 100) fputs("\r\033[K", stderr);
    fflush(stderr);
    return 0;
}

st_context *cli_context(const char *cmd)
{
    st_context *ctx = NULL;
    if (st_context_new(&ctx) != ST_OK) {
        cli_error(cmd, CLI_FAIL, "out of memory");
        return NULL;
    }
    const char *env = getenv("STRATA_PROGRESS");
    bool want = env ? strcmp(env, "0") != 0 : isatty(STDERR_FILENO);
    if (want) {
        g_progress.cmd = cmd;
        g_progress.last_stage = NULL;
        g_progress.last_pct = -2;
        st_context_set_progress(ctx, progress_cb, &g_progress);
    }
    const char *threads = getenv("STRATA_THREADS");
    if (threads) {
        long n = strtol(threads, NULL, 10);
        st_context_set_threads(ctx, (int)n);
    }
    return ctx;
}

/* ---- input options shared by the commands that read event logs ---- */

const char cli_input_help[] =
    "Input options:\n"
    "  --customer COL         customer id column (default customer_id)\n"
    "  --time COL             event time column (default date)\n"
    "  --time-format FMT      strptime-style format (%Y %m %d %H %M %S %y %j %b %f %z), or unix / unix_ms\n"
    "                         (default: ISO 8601 date or date-time; times are UTC)\n"
    "  --amount COL           money column (default: amount, when present)\n"
    "  --quantity COL --price COL   amount = quantity * price\n"
    "  --event COL            behaviour column (without it every row is a purchase)\n"
    "  --purchase VALUE       the --event value that is a purchase (default purchase)\n"
    "  --delimiter C          field delimiter (default ,; \\t or tab for tabs)\n"
    "  --no-header            the files have no header row (name columns with --columns)\n"
    "  --columns a,b,c        column names, for files without a header row\n"
    "  --unit day|week|month  unit of recency, T and durations (week = 7 days, month = 30.4375 days)\n"
    "  --observation-end DATE last day observed (default: the last event day in the data)\n"
    "  --calibration-end DATE also write holdout columns for the period after it\n"
    "  --on-error fail|skip   bad rows: stop at file:line:column (default), or skip and count them\n";

int cli_input_option(const char *cmd, int argc, char **argv, int *i, st_summarize_options *o)
{
    const char *v = NULL;
    int m;
#define STR_OPT(flag, field)                                                                                   \
    if ((m = cli_opt(argc, argv, i, flag, &v)) != 0) {                                                         \
        if (m < 0) return -1;                                                                                  \
        o->field = v;                                                                                          \
        return 1;                                                                                              \
    }
    STR_OPT("--customer", customer_col)
    STR_OPT("--time-format", time_format)
    STR_OPT("--time", time_col)
    STR_OPT("--amount", amount_col)
    STR_OPT("--quantity", quantity_col)
    STR_OPT("--price", price_col)
    STR_OPT("--event", event_col)
    STR_OPT("--purchase", purchase_value)
    STR_OPT("--columns", columns)
#undef STR_OPT
    if (cli_flag(argv, *i, "--no-header")) {
        o->has_header = 0;
        return 1;
    }
    if ((m = cli_opt(argc, argv, i, "--delimiter", &v)) != 0) {
        if (m < 0) return -1;
        if (strcmp(v, "\\t") == 0 || strcmp(v, "tab") == 0) o->delimiter = '\t';
        else if (strlen(v) == 1 && v[0] != '"' && v[0] != '\n' && v[0] != '\r') o->delimiter = v[0];
        else return cli_error(cmd, CLI_USAGE, "--delimiter: '%s' must be one character (or \\t)", v), -1;
        return 1;
    }
    if ((m = cli_opt(argc, argv, i, "--unit", &v)) != 0) {
        if (m < 0) return -1;
        if (strcmp(v, "day") == 0) o->unit = ST_UNIT_DAY;
        else if (strcmp(v, "week") == 0) o->unit = ST_UNIT_WEEK;
        else if (strcmp(v, "month") == 0) o->unit = ST_UNIT_MONTH;
        else return cli_error(cmd, CLI_USAGE, "--unit: '%s' is not day, week or month", v), -1;
        return 1;
    }
    if ((m = cli_opt(argc, argv, i, "--observation-end", &v)) != 0) {
        if (m < 0 || !cli_parse_day(cmd, "--observation-end", v, &o->observation_end)) return -1;
        o->has_observation_end = 1;
        return 1;
    }
    if ((m = cli_opt(argc, argv, i, "--calibration-end", &v)) != 0) {
        if (m < 0 || !cli_parse_day(cmd, "--calibration-end", v, &o->calibration_end)) return -1;
        o->has_calibration_end = 1;
        return 1;
    }
    if ((m = cli_opt(argc, argv, i, "--on-error", &v)) != 0) {
        if (m < 0) return -1;
        if (strcmp(v, "fail") == 0) o->on_error = ST_ON_ERROR_FAIL;
        else if (strcmp(v, "skip") == 0) o->on_error = ST_ON_ERROR_SKIP;
        else return cli_error(cmd, CLI_USAGE, "--on-error: '%s' is not fail or skip", v), -1;
        return 1;
    }
    return 0;
}

void cli_print_report(const char *cmd, const st_ingest_report *r)
{
    struct {
        uint64_t n;
        const char *what;
    } rows[] = {
        {r->skipped_bad_field_count, "wrong field count"},
        {r->skipped_bad_quote, "unbalanced quotes"},
        {r->skipped_missing_customer, "missing customer id"},
        {r->skipped_bad_time, "unparseable time"},
        {r->skipped_bad_number, "unparseable number"},
    };
    uint64_t total = 0;
    for (size_t k = 0; k < sizeof rows / sizeof rows[0]; k++) total += rows[k].n;
    if (total) {
        fprintf(stderr, "strata %s: skipped %llu bad row%s:", cmd, (unsigned long long)total, total == 1 ? "" : "s");
        const char *sep = " ";
        for (size_t k = 0; k < sizeof rows / sizeof rows[0]; k++) {
            if (!rows[k].n) continue;
            fprintf(stderr, "%s%llu %s", sep, (unsigned long long)rows[k].n, rows[k].what);
            sep = ", ";
        }
        fputc('\n', stderr);
    }
    if (r->zero_amount_purchases)
        fprintf(stderr, "strata %s: %llu purchase row%s with amount 0 counted as purchases with no spend\n", cmd,
                (unsigned long long)r->zero_amount_purchases, r->zero_amount_purchases == 1 ? "" : "s");
    if (r->nonpositive_purchases)
        fprintf(stderr, "strata %s: %llu purchase row%s with a negative amount (returns, cancellations) not counted as purchases\n",
                cmd, (unsigned long long)r->nonpositive_purchases, r->nonpositive_purchases == 1 ? "" : "s");
    if (r->after_observation_end)
        fprintf(stderr, "strata %s: %llu row%s after the observation end ignored\n", cmd,
                (unsigned long long)r->after_observation_end, r->after_observation_end == 1 ? "" : "s");
}

long cli_find_col(const st_table *t, const char *given, const char *const *names)
{
    if (given) return st_table_find(t, given);
    for (size_t i = 0; names[i]; i++) {
        long j = st_table_find(t, names[i]);
        if (j >= 0) return j;
    }
    return -1;
}

const double *cli_f64_col(const st_table *t, long j) { return j >= 0 ? st_table_f64(t, (size_t)j) : NULL; }
