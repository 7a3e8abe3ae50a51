/*
** cmd_run.c -- `strata run` (the whole chain on an event log) and `strata demo` (the same on the data set
** that ships with Strata).
*/
#include "cli.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static void run_help(void)
{
    printf("usage: strata run [options] EVENTS... -o DIR\n\n"
           "Runs the whole chain on an event log and writes into DIR:\n"
           "  customers.csv   one row per customer: the `strata summarize` table plus the columns later stages add\n"
           "  summary.json    rows read and skipped, customers, date range, per-stage figures and timings\n"
           "  models/         bgnbd.json (and gg.json with repeat buyers, pnbd.json with --pnbd): the value stage's\n"
           "                  fitted models; customers.csv gains p_alive, expected_purchases (next 52 weeks),\n"
           "                  expected_spend and clv (10%% a year, margin 1); mdp.json, policy.json and\n"
           "                  actions.json of the MDP stage, which adds mdp_state, optimal_action,\n"
           "                  optimal_value, value_stratum (1 = highest) and strategy (retain/nurture/activate)\n"
           "With --calibration-end, customers.csv gains p_no_purchase (BG/NBD, over the holdout) and summary.json\n"
           "a \"churn\" stage: ROC AUC, average precision and Brier of p_no_purchase, the hiatus T - t_x and a\n"
           "logistic RFM model (odd ids train, even ids test) against \"no purchase in the holdout\" (docs/run.md)\n\n"
           "%s"
           "\nOutput:\n"
           "  -o, --output DIR       output directory (default strata-out; created when missing)\n"
           "  --threads N            worker threads (default 2; 0 = all CPUs)\n"
           "  --pnbd                 also fit the Pareto/NBD model in the value stage\n"
           "  --actions FILE         marketing actions of the MDP stage (JSON, see docs/mdp.md; default: none,\n"
           "                         email, coupon_5, coupon_10, vip_call with illustrative effects, written to\n"
           "                         DIR/models/actions.json)\n"
           "  -h, --help             this help\n",
           cli_input_help());
}

/* Parses the options of run and demo into o; collects positional paths unless paths is NULL. */
static int parse_run_args(const char *cmd, int argc, char **argv, st_run_options *o, const char **paths,
                          size_t *npaths, long *threads, void (*help)(void))
{
    for (int i = 1; i < argc; i++) {
        const char *v;
        int m = cli_input_option(cmd, argc, argv, &i, &o->summarize);
        if (m < 0) return CLI_USAGE;
        if (m > 0) continue;
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            help();
            return -1;
        }
        if ((m = cli_opt(argc, argv, &i, "-o", &v)) != 0 || (m = cli_opt(argc, argv, &i, "--output", &v)) != 0) {
            if (m < 0) return CLI_USAGE;
            o->out_dir = v;
            continue;
        }
        if ((m = cli_opt(argc, argv, &i, "--threads", &v)) != 0) {
            if (m < 0 || !cli_parse_int(cmd, "--threads", v, 0, 256, threads)) return CLI_USAGE;
            continue;
        }
        if ((m = cli_opt(argc, argv, &i, "--actions", &v)) != 0) {
            if (m < 0) return CLI_USAGE;
            o->mdp_actions = v;
            continue;
        }
        if (cli_flag(argv, i, "--pnbd")) {
            o->pareto_nbd = 1;
            continue;
        }
        if (argv[i][0] == '-' && argv[i][1] != '\0') return cli_unknown(cmd, argv[i]);
        if (!paths) return cli_error(cmd, CLI_USAGE, "unexpected argument '%s'", argv[i]);
        if (*npaths == 1024) return cli_error(cmd, CLI_USAGE, "too many input files");
        paths[(*npaths)++] = argv[i];
    }
    return CLI_OK;
}

static int do_run(const char *cmd, const char *const *paths, size_t npaths, st_run_options *o, long threads)
{
    st_context *ctx = cli_context(cmd);
    if (!ctx) return CLI_FAIL;
    if (threads >= 0) st_context_set_threads(ctx, (int)threads);
    st_status rc = st_run(ctx, paths, npaths, o);
    int code = CLI_OK;
    if (rc != ST_OK) code = cli_fail(cmd, ctx, rc);
    else
        fprintf(stderr, "strata %s: wrote %s/ (customers.csv, summary.json and each stage's files)\n", cmd, o->out_dir);
    st_context_free(ctx);
    return code;
}

int cmd_run(int argc, char **argv)
{
    st_run_options o;
    st_run_options_init(&o);
    const char *paths[1024];
    size_t npaths = 0;
    long threads = -1;
    int r = parse_run_args("run", argc, argv, &o, paths, &npaths, &threads, run_help);
    if (r != CLI_OK) return r < 0 ? CLI_OK : r;
    if (npaths == 0) return cli_error("run", CLI_USAGE, "no input files (see `strata run --help`)");
    return do_run("run", paths, npaths, &o, threads);
}

/* ---- demo ---- */

static void demo_help(void)
{
    printf("usage: strata demo [-o DIR]\n\n"
           "Runs `strata run` (every stage) on the demo data set that ships with Strata (data/demo/events.csv.gz: a year of\n"
           "simulated purchases, views, favourites and carts of 2,000 customers; see data/demo/README.md) and\n"
           "prints where the outputs are. The data set is looked for in $STRATA_DEMO_DATA, the source tree and\n"
           "the installed share directory.\n\n"
           "  -o, --output DIR       output directory (default strata-demo)\n"
           "  -h, --help             this help\n");
}

static bool exists(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0;
}

int cmd_demo(int argc, char **argv)
{
    st_run_options o;
    st_run_options_init(&o);
    o.out_dir = "strata-demo";
    long threads = -1;
    int r = parse_run_args("demo", argc, argv, &o, NULL, NULL, &threads, demo_help);
    if (r != CLI_OK) return r < 0 ? CLI_OK : r;
    const char *env = getenv("STRATA_DEMO_DATA");
    const char *candidates[] = {env, STRATA_DEMO_DIR "/events.csv.gz", STRATA_INSTALLED_DEMO_DIR "/events.csv.gz"};
    const char *path = NULL;
    for (size_t k = 0; k < sizeof candidates / sizeof candidates[0]; k++)
        if (candidates[k] && exists(candidates[k])) {
            path = candidates[k];
            break;
        }
    if (!path)
        return cli_error("demo", CLI_FAIL, "the demo data set was not found (looked in $STRATA_DEMO_DATA, %s and %s)",
                         STRATA_DEMO_DIR, STRATA_INSTALLED_DEMO_DIR);
    o.summarize.event_col = "event";
    o.summarize.purchase_value = "purchase";
    fprintf(stderr, "strata demo: running the whole chain on %s\n", path);
    const char *paths[1] = {path};
    int code = do_run("demo", paths, 1, &o, threads);
    if (code == CLI_OK) {
        printf("Demo finished. Outputs are in %s/:\n", o.out_dir);
        static const char *const outputs[][2] = {
            {"customers.csv", "one row per customer: features, P(alive), CLV, segments, optimal action and stratum"},
            {"summary.json", "what was read, skipped and computed by each stage, with timings"},
            {"segments.csv", "per-segment profiles (count, share, R/F/M) with a marketing strategy each"},
            {"metrics.json", "segmentation quality: silhouette, Davies-Bouldin, Calinski-Harabasz, SOM errors"},
            {"models/", "bgnbd.json, gg.json (value), mdp.json, policy.json, actions.json (decisions)"},
        };
        for (size_t k = 0; k < sizeof outputs / sizeof outputs[0]; k++) {
            char opath[4096];
            snprintf(opath, sizeof opath, "%s/%s", o.out_dir, outputs[k][0]);
            if (exists(opath)) printf("  %-28s %s\n", opath, outputs[k][1]);
        }
    }
    return code;
}
