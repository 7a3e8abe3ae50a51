/*
** cli_util.c -- option parsing, error messages and the progress bar shared by every subcommand.
*/
#include "cli.h"

#include <errno.h>
#include <stddef.h>
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

/* ---- input options shared by the commands that read event logs ----
** One declarative table: each option, where its value goes in st_summarize_options, how it is parsed and
** its help line. cli_input_option parses by it and cli_input_help prints it, so the commands that read
** events (summarize, run, demo, mdp build, validate --events) take and document the same options. */

typedef enum { IN_STR, IN_CHAR, IN_ENUM, IN_FLAG_OFF, IN_DAY } in_kind;
typedef struct in_opt {
    const char *name;
    in_kind kind;
    size_t off;                   /* of the value in st_summarize_options */
    size_t seen_off;              /* IN_DAY: the int set to 1 when given */
    const char *const *choices;   /* IN_ENUM: names, NULL-terminated; the value is the matching enum */
    const int *values;
    const char *arg, *help;       /* for the help text ("" arg: a flag) */
} in_opt;

static const char *const unit_names[] = {"day", "week", "month", "year", NULL};
static const int unit_values[] = {ST_UNIT_DAY, ST_UNIT_WEEK, ST_UNIT_MONTH, ST_UNIT_YEAR};
static const char *const on_error_names[] = {"fail", "skip", NULL};
static const int on_error_values[] = {ST_ON_ERROR_FAIL, ST_ON_ERROR_SKIP};

#define OFF(f) offsetof(st_summarize_options, f)
static const in_opt input_opts[] = {
    {"--customer", IN_STR, OFF(customer_col), 0, NULL, NULL, "COL", "customer id column (default customer_id)"},
    {"--time", IN_STR, OFF(time_col), 0, NULL, NULL, "COL", "event time column (default date)"},
    {"--time-format", IN_STR, OFF(time_format), 0, NULL, NULL, "FMT",
     "strptime-style format (%Y %m %d %H %M %S %y %j %b %f %z), or unix / unix_ms\n"
     "(default: ISO 8601 date or date-time; times are UTC)"},
    {"--amount", IN_STR, OFF(amount_col), 0, NULL, NULL, "COL", "money column (default: amount, when present)"},
    {"--quantity", IN_STR, OFF(quantity_col), 0, NULL, NULL, "COL", "with --price: amount = quantity * price"},
    {"--price", IN_STR, OFF(price_col), 0, NULL, NULL, "COL", "unit price column (with --quantity)"},
    {"--event", IN_STR, OFF(event_col), 0, NULL, NULL, "COL", "behaviour column (without it every row is a purchase)"},
    {"--purchase", IN_STR, OFF(purchase_value), 0, NULL, NULL, "VALUE", "the --event value that is a purchase (default purchase)"},
    {"--delimiter", IN_CHAR, OFF(delimiter), 0, NULL, NULL, "C", "field delimiter (default ,; \\t or tab for tabs)"},
    {"--no-header", IN_FLAG_OFF, OFF(has_header), 0, NULL, NULL, "", "the files have no header row (name columns with --columns)"},
    {"--columns", IN_STR, OFF(columns), 0, NULL, NULL, "a,b,c", "column names, for files without a header row"},
    {"--unit", IN_ENUM, OFF(unit), 0, unit_names, unit_values, "UNIT",
     "unit of recency, T and durations: day, week (7 days), month (30.4375), year (365.25)"},
    {"--observation-end", IN_DAY, OFF(observation_end), OFF(has_observation_end), NULL, NULL, "DATE",
     "last day observed (default: the last event day in the data)"},
    {"--calibration-end", IN_DAY, OFF(calibration_end), OFF(has_calibration_end), NULL, NULL, "DATE",
     "also write holdout columns for the period after it"},
    {"--on-error", IN_ENUM, OFF(on_error), 0, on_error_names, on_error_values, "fail|skip",
     "bad rows: stop at file:line:column (default), or skip and count them"},
};
#undef OFF
#define N_INPUT_OPTS (sizeof input_opts / sizeof input_opts[0])
_Static_assert(sizeof(st_unit) == sizeof(int) && sizeof(st_on_error) == sizeof(int), "enum options are int-sized");

const char *cli_input_help(void)
{
    static char text[4096]; /* the CLI is single-threaded */
    if (text[0]) return text;
    size_t len = (size_t)snprintf(text, sizeof text, "Input options:\n");
    for (size_t k = 0; k < N_INPUT_OPTS && len < sizeof text; k++) {
        const in_opt *d = &input_opts[k];
        char head[64];
        snprintf(head, sizeof head, "%s%s%s", d->name, *d->arg ? " " : "", d->arg);
        const char *h = d->help;
        bool first = true;
        while (*h && len < sizeof text) { /* continuation lines of the help are aligned under the first */
            const char *nl = strchr(h, '\n');
            int n = nl ? (int)(nl - h) : (int)strlen(h);
            len += (size_t)snprintf(text + len, sizeof text - len, "  %-22s %.*s\n", first ? head : "", n, h);
            first = false;
            h += n + (nl != NULL);
        }
    }
    return text;
}

int cli_input_option(const char *cmd, int argc, char **argv, int *i, st_summarize_options *o)
{
    for (size_t k = 0; k < N_INPUT_OPTS; k++) {
        const in_opt *d = &input_opts[k];
        char *field = (char *)o + d->off;
        const char *v = NULL;
        if (d->kind == IN_FLAG_OFF) {
            if (!cli_flag(argv, *i, d->name)) continue;
            *(int *)(void *)field = 0;
            return 1;
        }
        int m = cli_opt(argc, argv, i, d->name, &v);
        if (m == 0) continue;
        if (m < 0) return -1;
        switch (d->kind) {
        case IN_STR: *(const char **)(void *)field = v; break;
        case IN_CHAR:
            if (strcmp(v, "\\t") == 0 || strcmp(v, "tab") == 0) *field = '\t';
            else if (strlen(v) == 1 && v[0] != '"' && v[0] != '\n' && v[0] != '\r') *field = v[0];
            else return cli_error(cmd, CLI_USAGE, "%s: '%s' must be one character (or \\t)", d->name, v), -1;
            break;
        case IN_ENUM: {
            size_t c = 0;
            while (d->choices[c] && strcmp(d->choices[c], v) != 0) c++;
            if (!d->choices[c]) {
                char list[128] = "";
                for (size_t j = 0; d->choices[j]; j++) /* "a, b or c" */
                    snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", j == 0 ? "" : d->choices[j + 1] ? ", " : " or ",
                             d->choices[j]);
                return cli_error(cmd, CLI_USAGE, "%s: '%s' is not %s", d->name, v, list), -1;
            }
            memcpy(field, &d->values[c], sizeof(int)); /* the enums are int-sized */
            break;
        }
        case IN_DAY:
            if (!cli_parse_day(cmd, d->name, v, (int64_t *)(void *)field)) return -1;
            *(int *)(void *)((char *)o + d->seen_off) = 1;
            break;
        case IN_FLAG_OFF: break;
        }
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

size_t cli_split_commas(const char *s, char **buf, char **items, size_t max)
{
    size_t len = strlen(s), k = 0;
    *buf = malloc(len + 1);
    if (!*buf) return 0;
    memcpy(*buf, s, len + 1);
    char *p = *buf;
    for (;;) {
        char *c = strchr(p, ',');
        if (c) *c = '\0';
        if (!*p || k == max) return 0;
        items[k++] = p;
        if (!c) break;
        p = c + 1;
    }
    return k;
}

int cli_dispatch(const char *cmd, int argc, char **argv, const cli_sub *subs, size_t nsubs, void (*help)(void))
{
    if (argc < 2) {
        help();
        return CLI_USAGE;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        help();
        return CLI_OK;
    }
    char names[256];
    size_t len = 0;
    names[0] = '\0';
    for (size_t i = 0; i < nsubs; i++) {
        if (!strcmp(argv[1], subs[i].name)) return subs[i].fn(argc - 1, argv + 1);
        int w = snprintf(names + len, sizeof names - len, "%s%s", i ? ", " : "", subs[i].name);
        if (w > 0 && (size_t)w < sizeof names - len) len += (size_t)w;
    }
    return cli_error(cmd, CLI_USAGE, "unknown subcommand '%s' (%s; see `strata %s --help`)", argv[1], names, cmd);
}
