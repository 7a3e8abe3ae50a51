/*
** cmd_simulate.c -- `strata simulate`: writes a synthetic event log (and optionally the true parameters of
** every customer) from the BG/NBD + Gamma-Gamma story; a thin shim over st_simulate.
*/
#include "cli.h"

#include <math.h>
#include <string.h>

static const char *const CMD = "simulate";

static void help(void)
{
    fputs(
        "usage: strata simulate [options] [-o FILE]\n"
        "       strata simulate campaign [options] -o FILE   (a randomised campaign with known truth;\n"
        "                                                     see `strata simulate campaign --help`)\n"
        "\n"
        "Writes a synthetic event log drawn from the BG/NBD purchase model and the Gamma-Gamma spend model,\n"
        "so that every customer's true parameters are known (see docs/simulate.md).\n"
        "\n"
        "The model, per customer i (time in weeks; the period is [0, W)):\n"
        "  lambda_i ~ Gamma(shape r, rate alpha)   purchase rate per week while alive\n"
        "  p_i      ~ Beta(a, b)                   chance of dropping out after each repeat purchase\n"
        "  nu_i     ~ Gamma(shape q, rate gamma)   spend rate\n"
        "  the first purchase falls uniformly in the first quarter of the period, [0, W/4) (a cohort\n"
        "  acquired together, like CDNOW's); then purchases follow at Exponential(lambda_i) gaps until the\n"
        "  end of the period or until the customer drops out, which happens right after a repeat purchase\n"
        "  with probability p_i (never at the first purchase, as in the BG/NBD likelihood);\n"
        "  each order's amount ~ Gamma(shape p, rate nu_i), rounded to cents and at least 0.01.\n"
        "With --behaviours, each purchase is preceded by Poisson(views-per-purchase) views in the 48 hours\n"
        "before it, a favourite (fav) in the same window with probability fav-prob and a cart in the hour\n"
        "before it with probability cart-prob; and a customer browses (extra views) at browse-rate views per\n"
        "week between the first purchase and drop-out (or the end). Behaviours never change the purchases\n"
        "drawn for a given seed.\n"
        "\n"
        "Options (defaults in brackets):\n"
        "  --customers N          number of customers, ids 1..N [1000]\n"
        "  --seed S               random seed, any 64-bit number; same seed, same bytes [42]\n"
        "  --weeks W              length of the period in weeks [52]\n"
        "  --start DATE           first day of the period, YYYY-MM-DD [2024-01-01]\n"
        "  --r R --alpha A        purchase rate lambda ~ Gamma(shape R, rate A) per week [0.75, 4]\n"
        "  --a A --b B            drop-out probability p ~ Beta(A, B) [0.8, 2.5]\n"
        "  --p P --q Q --gamma G  spend: nu ~ Gamma(shape Q, rate G), amount ~ Gamma(shape P, rate nu)\n"
        "                         [6, 4, 15]; mean order value P*G/(Q-1) = 30\n"
        "  --behaviours           also write view, fav and cart events (adds an event column)\n"
        "  --views-per-purchase V mean views before each purchase [5]\n"
        "  --fav-prob F           chance of a fav before a purchase, 0..1 [0.3]\n"
        "  --cart-prob C          chance of a cart before a purchase, 0..1 [0.6]\n"
        "  --browse-rate B        extra views per week while active [0.5]\n"
        "  --dates-only           write dates (YYYY-MM-DD) instead of date-times (YYYY-MM-DD HH:MM:SS, UTC)\n"
        "  --truth FILE           also write each customer's truth: customer_id, lambda, p, nu,\n"
        "                         dropout_week (empty while alive), purchases, first_purchase\n"
        "  -o, --output FILE      the event log (- = standard output) [-]\n"
        "  --threads N            worker threads (0 = all CPUs) [2]; the output does not depend on it\n"
        "\n"
        "Output: CSV with header customer_id,date,amount (with --behaviours customer_id,date,event,amount,\n"
        "amount empty for views, favs and carts), one customer after another in id order, each customer's\n"
        "events in time order.\n",
        stdout);
}

static bool num_opt(const char *name, const char *v, double lo, double hi, bool lo_open, double *out)
{
    double x;
    if (!cli_parse_double(CMD, name, v, &x)) return false;
    if (!isfinite(x) || (lo_open ? !(x > lo) : !(x >= lo)) || x > hi) {
        if (lo_open && hi == HUGE_VAL)
            cli_error(CMD, CLI_USAGE, "%s: '%s' must be a positive number", name, v);
        else
            cli_error(CMD, CLI_USAGE, "%s: '%s' must be %s %g and at most %g", name, v,
                      lo_open ? "greater than" : "at least", lo, hi);
        return false;
    }
    *out = x;
    return true;
}

static void campaign_help(void)
{
    fputs(
        "usage: strata simulate campaign [--customers N] [--seed S] [--treated-share P] [--respond P]\n"
        "                                [--background P] -o FILE\n"
        "\n"
        "Writes a Hillstrom-like randomised e-mail campaign with a known latent type per customer, so uplift\n"
        "and two-stage models can be scored against truth (see docs/simulate.md, \"campaign\").\n"
        "\n"
        "Per customer: covariates recency (1..12 months), history (dollars), mens, womens, zip_code, newbie,\n"
        "channel; a latent type drawn from a multinomial logit of them: persuadable (responds only when\n"
        "treated), sure thing (responds either way), lost cause (does not respond), sleeping dog (responds\n"
        "only when not treated); an arm (segment: E-Mail with probability P, else No E-Mail); and visit, the\n"
        "0/1 response: P(visit) = respond for a responding type, background otherwise.\n"
        "\n"
        "Options (defaults in brackets):\n"
        "  --customers N       number of customers, ids 1..N [10000]\n"
        "  --seed S            random seed; same seed, same bytes [42]\n"
        "  --treated-share P   share of customers in the E-Mail arm, in (0, 1) [0.5]\n"
        "  --respond P         response probability of a responding type [0.9]\n"
        "  --background P      response probability otherwise [0.02]\n"
        "  -o, --output FILE   the table (- = standard output) [-]\n"
        "\n"
        "Output: CSV customer_id,recency,history,mens,womens,zip_code,newbie,channel,segment,visit,type,\n"
        "prompted,true_uplift (prompted = 1 for a persuadable; true_uplift = the expected uplift given the\n"
        "covariates, P(visit | treated, x) - P(visit | control, x)).\n",
        stdout);
}

static int cmd_simulate_campaign(int argc, char **argv)
{
    st_campaign_options o;
    st_campaign_options_init(&o);
    const char *out = "-";
    unsigned long long customers = o.customers, seed = o.seed;
    double share = o.treated_share, respond = o.respond, background = o.background;
    const cli_arg args[] = {
        {"--customers", NULL, CLI_U64, &customers, 0, 0, NULL},
        {"--seed", NULL, CLI_U64, &seed, 0, 0, NULL},
        {"--treated-share", NULL, CLI_DOUBLE, &share, 0, 0, NULL},
        {"--respond", NULL, CLI_DOUBLE, &respond, 0, 0, NULL},
        {"--background", NULL, CLI_DOUBLE, &background, 0, 0, NULL},
        {"--output", "-o", CLI_STR, &out, 0, 0, NULL},
    };
    int pr = cli_parse_args("simulate campaign", argc, argv, 2, args, sizeof args / sizeof args[0], NULL, 0,
                            campaign_help, NULL);
    if (pr >= 0) return pr;
    if (!*out) return cli_error("simulate campaign", CLI_USAGE, "-o: the file name is empty");
    o.customers = customers;
    o.seed = seed;
    o.treated_share = share;
    o.respond = respond;
    o.background = background;
    st_context *ctx = cli_context("simulate campaign");
    if (!ctx) return CLI_FAIL;
    st_table *t = NULL;
    st_status rc = st_simulate_campaign(ctx, &o, &t);
    if (!rc) rc = st_table_write_csv(ctx, t, out);
    int ret = rc ? cli_fail("simulate campaign", ctx, rc) : CLI_OK;
    st_table_free(t);
    st_context_free(ctx);
    return ret;
}

int cmd_simulate(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "campaign") == 0) return cmd_simulate_campaign(argc, argv);
    st_simulate_options o;
    st_simulate_options_init(&o);
    const char *out_path = "-", *truth_path = NULL;
    long threads = -1;

    for (int i = 1; i < argc; i++) {
        const char *v = NULL;
        const char *a = argv[i];
        int m;
        if (cli_flag(argv, i, "--help") || cli_flag(argv, i, "-h")) {
            help();
            return CLI_OK;
        }
        if (cli_flag(argv, i, "--behaviours") || cli_flag(argv, i, "--behaviors")) {
            o.behaviours = 1;
            continue;
        }
        if (cli_flag(argv, i, "--dates-only")) {
            o.with_time = 0;
            continue;
        }
        if ((m = cli_opt(argc, argv, &i, "-o", &v)) != 0 || (m = cli_opt(argc, argv, &i, "--output", &v)) != 0) {
            if (m < 0) return CLI_USAGE;
            if (!*v) return cli_error(CMD, CLI_USAGE, "-o: the file name is empty");
            out_path = v;
            continue;
        }
        if ((m = cli_opt(argc, argv, &i, "--truth", &v)) != 0) {
            if (m < 0) return CLI_USAGE;
            if (!*v) return cli_error(CMD, CLI_USAGE, "--truth: the file name is empty");
            truth_path = v;
            continue;
        }
        if ((m = cli_opt(argc, argv, &i, "--customers", &v)) != 0) {
            unsigned long long n;
            if (m < 0 || !cli_parse_u64(CMD, "--customers", v, &n)) return CLI_USAGE;
            if (n < 1 || n > (1ULL << 53))
                return cli_error(CMD, CLI_USAGE, "--customers: '%s' must be from 1 to 2^53", v);
            o.customers = (uint64_t)n;
            continue;
        }
        if ((m = cli_opt(argc, argv, &i, "--seed", &v)) != 0) {
            unsigned long long s;
            if (m < 0 || !cli_parse_u64(CMD, "--seed", v, &s)) return CLI_USAGE;
            o.seed = (uint64_t)s;
            continue;
        }
        if ((m = cli_opt(argc, argv, &i, "--threads", &v)) != 0) {
            if (m < 0 || !cli_parse_int(CMD, "--threads", v, 0, 256, &threads)) return CLI_USAGE;
            continue;
        }
        if ((m = cli_opt(argc, argv, &i, "--start", &v)) != 0) {
            if (m < 0 || !cli_parse_day(CMD, "--start", v, &o.start_day)) return CLI_USAGE;
            continue;
        }
        /* Every numeric parameter: flag, bounds, and where it goes. */
        const struct {
            const char *flag;
            double lo, hi;
            bool lo_open;
            double *field;
        } nums[] = {
            {"--weeks", 0, 52000, true, &o.weeks},
            {"--r", 0, HUGE_VAL, true, &o.r},
            {"--alpha", 0, HUGE_VAL, true, &o.alpha},
            {"--a", 0, HUGE_VAL, true, &o.a},
            {"--b", 0, HUGE_VAL, true, &o.b},
            {"--p", 0, HUGE_VAL, true, &o.p},
            {"--q", 0, HUGE_VAL, true, &o.q},
            {"--gamma", 0, HUGE_VAL, true, &o.gamma},
            {"--views-per-purchase", 0, 1e6, false, &o.views_per_purchase},
            {"--fav-prob", 0, 1, false, &o.fav_prob},
            {"--cart-prob", 0, 1, false, &o.cart_prob},
            {"--browse-rate", 0, 1e6, false, &o.browse_rate},
        };
        bool matched = false;
        for (size_t k = 0; k < sizeof nums / sizeof nums[0]; k++) {
            if ((m = cli_opt(argc, argv, &i, nums[k].flag, &v)) == 0) continue;
            if (m < 0 || !num_opt(nums[k].flag, v, nums[k].lo, nums[k].hi, nums[k].lo_open, nums[k].field))
                return CLI_USAGE;
            matched = true;
            break;
        }
        if (!matched) return cli_unknown(CMD, a);
    }
    if (truth_path && strcmp(truth_path, out_path) == 0)
        return cli_error(CMD, CLI_USAGE, "--truth must name a different file than -o");

    st_context *ctx = cli_context(CMD);
    if (!ctx) return CLI_FAIL;
    if (threads >= 0) st_context_set_threads(ctx, (int)threads);
    uint64_t rows = 0;
    st_status rc = st_simulate(ctx, &o, out_path, truth_path, &rows);
    if (rc != ST_OK) {
        int code = cli_fail(CMD, ctx, rc);
        st_context_free(ctx);
        return code;
    }
    st_context_free(ctx);
    fprintf(stderr, "strata simulate: wrote %llu rows for %llu customers to %s%s%s\n", (unsigned long long)rows,
            (unsigned long long)o.customers, strcmp(out_path, "-") == 0 ? "standard output" : out_path,
            truth_path ? ", truth to " : "", truth_path ? truth_path : "");
    return CLI_OK;
}
