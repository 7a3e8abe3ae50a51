/* summary_events.h -- the small event log of the summary accumulator's tests (test_summary.c,
** test_summary_state.c; tests/fuzz/gen_summary_state.py mirrors it): behaviours, same-day purchases, a
** return, a free item, a customer whose only event comes late. */
#ifndef STRATA_TEST_SUMMARY_EVENTS_H
#define STRATA_TEST_SUMMARY_EVENTS_H

#include <stdint.h>

typedef struct ev {
    const char *cust;
    int32_t day;
    const char *beh;
    double amount;
} ev;

static const ev events[] = {
    {"a", 100, "view", 0},     {"a", 100, "purchase", 10}, {"a", 100, "purchase", 5}, {"b", 101, "view", 0},
    {"a", 107, "purchase", 20}, {"c", 103, "fav", 0},      {"a", 121, "purchase", 30}, {"b", 102, "purchase", 7},
    {"a", 90, "cart", 0},       {"c", 120, "purchase", -3}, {"b", 130, "purchase", 0}, {"d", 125, "view", 0},
};
#define NEV (sizeof events / sizeof events[0])

#endif
