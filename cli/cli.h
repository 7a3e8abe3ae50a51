/*
** cli.h -- what the subcommands of the `strata` program share: option parsing, error reporting, the
** progress bar. The CLI uses only the public header strata.h.
*/
#ifndef STRATA_CLI_H
#define STRATA_CLI_H

#include "strata.h"

#include <stdbool.h>
#include <stdio.h>

/* Exit codes: 0 success, 1 the job failed (bad data, I/O), 2 usage error. */
enum { CLI_OK = 0, CLI_FAIL = 1, CLI_USAGE = 2 };

/* Matches argv[*i] against --name (value in the next argument) or --name=value. Returns 1 when it matched
** and stores the value (advancing *i past it), 0 when it did not match, -1 after printing an error when the
** value is missing. */
int cli_opt(int argc, char **argv, int *i, const char *name, const char **value);
/* Matches a flag without a value. */
bool cli_flag(char **argv, int i, const char *name);

/* A declarative option: --name (or alias, e.g. "-o") with its value parsed into *dst as a string
** (const char *), a number (double), a whole number in [min, max] (long), an unsigned 64-bit number
** (unsigned long long), a day number from a date (int64_t; *seen, when not NULL, is set to 1), or a flag
** without a value (int set to 1). */
typedef enum { CLI_STR, CLI_DOUBLE, CLI_INT, CLI_U64, CLI_DAY, CLI_FLAG } cli_kind;
typedef struct cli_arg {
    const char *name;
    const char *alias;
    cli_kind kind;
    void *dst;
    long min, max;
    int *seen;
} cli_arg;

/* Parses argv[first..argc): options of args[0..nargs) anywhere, --name=value or --name value; other
** arguments fill pos[0..npos) in order ("-" alone is an argument: standard input or output). Returns -1
** when every argument was taken; CLI_OK after printing help() for --help or -h; CLI_USAGE after a message
** for an unknown option, a missing or bad value, or an argument beyond npos ("unexpected argument", or
** extra_fmt when not NULL: a format given the first argument and the extra one). */
int cli_parse_args(const char *cmd, int argc, char **argv, int first, const cli_arg *args, size_t nargs,
                   const char **pos, size_t npos, void (*help)(void), const char *extra_fmt);
/* The same, and when in is not NULL also the input options of the commands that read event logs
** (cli_input_option) into *in. */
int cli_parse_args_in(const char *cmd, int argc, char **argv, int first, const cli_arg *args, size_t nargs,
                      const char **pos, size_t npos, void (*help)(void), const char *extra_fmt,
                      st_summarize_options *in);

/* A subcommand: its name and its entry point, called with argv[0] = the subcommand's name. */
typedef struct cli_sub {
    const char *name;
    int (*fn)(int argc, char **argv);
} cli_sub;
/* Runs the subcommand named by argv[1]; help() and CLI_USAGE without one, help() and CLI_OK for --help / -h,
** a usage error listing the subcommands for an unknown one. */
int cli_dispatch(const char *cmd, int argc, char **argv, const cli_sub *subs, size_t nsubs, void (*help)(void));

/* Number parsing for option values; print "strata CMD: --name: ..." and return false on failure. */
bool cli_parse_double(const char *cmd, const char *name, const char *s, double *out);
bool cli_parse_u64(const char *cmd, const char *name, const char *s, unsigned long long *out);
bool cli_parse_int(const char *cmd, const char *name, const char *s, long min, long max, long *out);
/* A date (YYYY-MM-DD or ISO date-time) to a day number. */
bool cli_parse_day(const char *cmd, const char *name, const char *s, int64_t *out);

/* Prints "strata CMD: message" to stderr and returns code. */
int cli_error(const char *cmd, int code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
/* Prints the context's last error as "strata CMD: error: ..." and returns CLI_FAIL (CLI_USAGE for EINVAL). */
int cli_fail(const char *cmd, st_context *ctx, st_status rc);
/* Prints "strata CMD: unknown option ..." plus a hint to --help, returns CLI_USAGE. */
int cli_unknown(const char *cmd, const char *arg);

/* A context with the CLI's progress bar (shown only when stderr is a terminal and STRATA_PROGRESS != 0). */
st_context *cli_context(const char *cmd);

/* Parses the input options shared by summarize, run, demo and later commands (--customer, --time, ...).
** Returns 1 when argv[*i] was one of them (consumed), 0 when not, -1 on a bad value (message printed). */
int cli_input_option(const char *cmd, int argc, char **argv, int *i, st_summarize_options *o);
/* The help text of those options, made from the same table ("Input options:\n" and a line each). */
const char *cli_input_help(void);

/* The column named given (when not NULL), else the first of names (NULL-terminated) the table has; -1 when
** there is none. */
long cli_find_col(const st_table *t, const char *given, const char *const *names);
/* The numbers of column j, or NULL when j < 0 or the column is not numeric. */
const double *cli_f64_col(const st_table *t, long j);

/* Splits s at commas into a malloc'ed copy (*buf, freed by the caller) and up to max pointers into it;
** returns the count, or 0 for an empty item or more than max items. */
size_t cli_split_commas(const char *s, char **buf, char **items, size_t max);

/* Prints the ingest report's skip counts to stderr (nothing when everything was used). */
void cli_print_report(const char *cmd, const st_ingest_report *r);

/* Subcommands: each lives in cli/cmd_<name>.c. */
int cmd_summarize(int argc, char **argv);
int cmd_simulate(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_mdp(int argc, char **argv);
int cmd_weights(int argc, char **argv);
int cmd_score(int argc, char **argv);
int cmd_segment(int argc, char **argv);
int cmd_metrics(int argc, char **argv);
int cmd_profile(int argc, char **argv);
int cmd_fit(int argc, char **argv);
int cmd_predict(int argc, char **argv);
int cmd_validate(int argc, char **argv);
int cmd_pmf(int argc, char **argv);
int cmd_abtest(int argc, char **argv);
int cmd_clv(int argc, char **argv);
int cmd_evaluate(int argc, char **argv);
int cmd_ope(int argc, char **argv);
int cmd_uplift(int argc, char **argv);
int cmd_classify(int argc, char **argv);
int cmd_twostage(int argc, char **argv);

#endif
