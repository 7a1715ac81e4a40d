/*
 * report_base.h - stage output: what one customer is worth by its
 * starting state, and what the whole customer base is worth (equity,
 * customers per state over time), as text and JSON; the offer spend's
 * note. JSON keys (public interface):
 *   exact.offer_spend, exact.value_by_state.<state>, (average over draws:
 *   exact.offer_spend_se, exact.value_by_state_se.<state>, exact.equity_se),
 *   exact.equity.<state|offer_spend|total>,
 *   exact.customer_base {customers, acquired_per_period, acquired_initial,
 *     acquisition_spend, cohorts, customers_by_period.<state|total>: [...]},
 *   mc.value_by_state.<state> (run --by-start): a summary of the total CLV
 *     of the run with every customer starting there,
 *   mc.equity: {mean, se, sd, p05..p95, replications, method}.
 */
#ifndef CLV_REPORT_BASE_H
#define CLV_REPORT_BASE_H

#include <stdio.h>

#include <jansson.h>

#include "clvsim.h"
#include "engine/breakdown.h"
#include "engine/exact.h"
#include "engine/expect.h"

/* value_by_state and, with a customer base, equity and customer_base of
   r into o (an "exact" or "exact_at_means" block). */
void report_base_json(json_t *o, const clv_scenario *s, const exact_result *r);

/* The standard errors of an average over draws into the exact block. */
void report_base_json_se(json_t *ex, const clv_scenario *s, const expect_result *x);

/* mc.value_by_state (when b has runs by start) and mc.equity (with a
   customer base) into mc; b may be NULL. */
void report_base_json_mc(json_t *mc, const clv_scenario *s, const breakdown *b);

/* Under a CLV table of a scenario with offers: what the offer spend is. */
void report_base_text_spend_note(FILE *f, const clv_scenario *s);

/* The value by starting state (exact; with its se, at the means, and the
   Monte Carlo by start when b has it), then with a customer base the
   equity (exact, and its Monte Carlo distribution when b has it) and the
   expected customers per state over time. b may be NULL. */
void report_base_text(FILE *f, const clv_scenario *s, const expect_result *x,
                      const exact_result *at_means, const breakdown *b);

#endif
