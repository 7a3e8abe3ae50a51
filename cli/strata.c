/*
** strata.c -- the `strata` program: dispatches to one subcommand per file (cli/cmd_*.c).
*/
#include "cli.h"

#include <string.h>

typedef int (*cmd_fn)(int argc, char **argv);

static const struct command {
    const char *name;
    cmd_fn fn;
    const char *summary;
} commands[] = {
    {"summarize", cmd_summarize, "event log -> customer table (BTYD summary, RFM, multi-behaviour)"},
    {"simulate", cmd_simulate, "write a synthetic event log with known truth"},
    {"run", cmd_run, "the whole chain on an event log: writes DIR/customers.csv, DIR/summary.json, ..."},
    {"demo", cmd_demo, "`strata run` on the data set that ships with Strata"},
    {"fit", cmd_fit, "fit a BTYD model (bgnbd, mbgnbd, pnbd, bgbb, gg) to a customer summary: MODEL.json"},
    {"predict", cmd_predict, "P(alive), expected purchases, spend and CLV per customer from MODEL.json"},
    {"validate", cmd_validate, "calibration-vs-holdout table and tracking curve of a fitted model"},
    {"pmf", cmd_pmf, "P(X(T) = k): probability of k purchases of a new customer under MODEL.json"},
    {"clv", cmd_clv, "`clv formula`: the simple CLV formulas (discounted cash flow, AOV x frequency x lifespan)"},
    {"mdp", cmd_mdp, "customer-state MDP: build from events, solve, simulate, assign value strata"},
    {"weights", cmd_weights, "entropy, AHP and combined indicator weights of table columns"},
    {"score", cmd_score, "add a weighted composite value score column (AHP x entropy weights)"},
    {"segment", cmd_segment, "segment customers: rfm, rfm8, kmeans or som, with named segments"},
    {"abtest", cmd_abtest, "A/B test: arms vs control per metric (z, Welch, lift, SRM); `abtest power`: sample size"},
    {"metrics", cmd_metrics, "silhouette, Davies-Bouldin, Calinski-Harabasz of a labelling"},
    {"profile", cmd_profile, "per-segment R, F, M profile and strategy; MB-RFM vs RFM comparison"},
    {"evaluate", cmd_evaluate, "classifier evaluation: ROC AUC, precision/recall, gain, calibration (scikit-learn)"},
    {"ope", cmd_ope, "off-policy evaluation of a policy on a logged campaign: IPW, self-normalised IPW, DR (+ SE)"},
    {"uplift", cmd_uplift, "uplift: qini / uplift AUC, uplift@k, by percentile (scikit-uplift); policy value (IPW)"},
    {"classify", cmd_classify, "logistic regression (scikit-learn at its optimum) or a network classifier: fit MODEL.json, predict"},
    {"twostage", cmd_twostage, "two-stage value-proposition model: engaged / unengaged / inactive, then prompted vs organic (SPLC)"},
};

static void usage(FILE *fp)
{
    fprintf(fp, "usage: strata COMMAND [options] [arguments]\n\nCommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(fp, "  %-11s %s\n", commands[i].name, commands[i].summary);
    fprintf(fp, "\n`strata COMMAND --help` describes a command. `strata --version` prints the version.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return CLI_USAGE;
    }
    const char *name = argv[1];
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0 || strcmp(name, "help") == 0) {
        usage(stdout);
        return CLI_OK;
    }
    if (strcmp(name, "--version") == 0 || strcmp(name, "version") == 0) {
        printf("strata %s\n", st_version());
        return CLI_OK;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(name, commands[i].name) == 0) return commands[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "strata: unknown command '%s'\n\n", name);
    usage(stderr);
    return CLI_USAGE;
}
