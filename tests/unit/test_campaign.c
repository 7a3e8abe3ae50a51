/*
** test_campaign.c -- st_simulate_campaign: the columns promised, the same table for the same seed, response
** rates per latent type and arm as the model says, the arm difference in visits equal to the mean true
** uplift (within sampling error), and rejection of bad options.
*/
#include "strata.h"
#include "test.h"

static long col(const st_table *t, const char *name)
{
    long j = st_table_find(t, name);
    CHECK(j >= 0);
    return j;
}

int main(void)
{
    st_context *ctx = NULL;
    CHECK(st_context_new(&ctx) == ST_OK);
    st_campaign_options o;
    st_campaign_options_init(&o);
    o.customers = 200000;
    o.seed = 5;
    st_table *t = NULL, *u = NULL;
    CHECK(st_simulate_campaign(ctx, &o, &t) == ST_OK);
    CHECK(st_table_nrows(t) == 200000);
    CHECK_STR(st_table_col_name(t, 0), "customer_id");
    long jv = col(t, "visit"), jt = col(t, "type"), ja = col(t, "segment"), jp = col(t, "prompted"),
         ju = col(t, "true_uplift"), jr = col(t, "recency");
    CHECK(st_table_col_type(t, (size_t)jt) == ST_COL_CAT);
    CHECK_EQ_INT(st_table_cat_nlevels(t, (size_t)jt), 4);
    const double *visit = st_table_f64(t, (size_t)jv), *prompted = st_table_f64(t, (size_t)jp),
                 *uplift = st_table_f64(t, (size_t)ju), *rec = st_table_f64(t, (size_t)jr);
    /* counts[type][treated] and responders */
    double n[4][2] = {{0}}, y[4][2] = {{0}}, nt = 0, yt = 0, nc = 0, yc = 0, mean_u = 0;
    for (size_t i = 0; i < 200000; i++) {
        const char *ty = st_table_str(t, (size_t)jt, i), *arm = st_table_str(t, (size_t)ja, i);
        int k = !strcmp(ty, "persuadable") ? 0 : !strcmp(ty, "sure_thing") ? 1 : !strcmp(ty, "lost_cause") ? 2 : 3;
        CHECK(k != 3 || !strcmp(ty, "sleeping_dog"));
        int tr = !strcmp(arm, "E-Mail");
        CHECK(tr || !strcmp(arm, "No E-Mail"));
        n[k][tr] += 1;
        y[k][tr] += visit[i];
        CHECK(prompted[i] == (k == 0));
        CHECK(rec[i] >= 1 && rec[i] <= 12 && rec[i] == (double)(long)rec[i]);
        if (tr) nt += 1, yt += visit[i];
        else nc += 1, yc += visit[i];
        mean_u += uplift[i];
    }
    mean_u /= 200000;
    const double want[4][2] = {{0.02, 0.9}, {0.9, 0.9}, {0.02, 0.02}, {0.9, 0.02}};
    for (int k = 0; k < 4; k++)
        for (int tr = 0; tr < 2; tr++) {
            CHECK(n[k][tr] > 1000);
            double p = want[k][tr], se = sqrt(p * (1 - p) / n[k][tr]);
            CHECK(fabs(y[k][tr] / n[k][tr] - p) < 5 * se);
        }
    double pt = yt / nt, pc = yc / nc, se = sqrt(pt * (1 - pt) / nt + pc * (1 - pc) / nc);
    CHECK(fabs(nt / 200000 - 0.5) < 0.01);
    CHECK(fabs((pt - pc) - mean_u) < 5 * se);
    CHECK(mean_u > 0.02);

    /* the same seed gives the same table; another seed another */
    o.customers = 1000;
    st_table_free(t);
    t = NULL;
    CHECK(st_simulate_campaign(ctx, &o, &t) == ST_OK);
    CHECK(st_simulate_campaign(ctx, &o, &u) == ST_OK);
    const double *a = st_table_f64(t, (size_t)col(t, "history")), *b = st_table_f64(u, (size_t)col(u, "history"));
    CHECK(a && b && memcmp(a, b, 1000 * sizeof *a) == 0);
    st_table_free(u);
    u = NULL;
    o.seed = 6;
    CHECK(st_simulate_campaign(ctx, &o, &u) == ST_OK);
    b = st_table_f64(u, (size_t)col(u, "history"));
    CHECK(b && memcmp(a, b, 1000 * sizeof *a) != 0);
    st_table_free(u);
    u = NULL;

    /* bad options */
    st_campaign_options bad = o;
    bad.treated_share = 0;
    CHECK(st_simulate_campaign(ctx, &bad, &u) == ST_EINVAL && u == NULL);
    bad = o;
    bad.customers = 0;
    CHECK(st_simulate_campaign(ctx, &bad, &u) == ST_EINVAL);
    bad = o;
    bad.background = -0.1;
    CHECK(st_simulate_campaign(ctx, &bad, &u) == ST_EINVAL);
    CHECK(st_simulate_campaign(ctx, NULL, &u) == ST_EINVAL);
    CHECK(st_simulate_campaign(NULL, &o, &u) == ST_EINVAL);
    st_table_free(t);
    st_context_free(ctx);
    T_DONE();
}
