/*
 * scenario_internal.h - what the files of the scenario module share
 * (scenario.c reads and builds, scenario_validate.c and
 * scenario_limits.c check): tolerances,
 * limits and two helpers. Not for other modules.
 */
#ifndef CLV_SCENARIO_INTERNAL_H
#define CLV_SCENARIO_INTERNAL_H

#include "clvsim.h"
#include "base/diag.h"

#define SUM_TOLERANCE 1e-9      /* fixed rows and `initial` sum to 1 within it */
#define MEAN_SUM_TOLERANCE 1e-6 /* rows with uncertain entries, at their means */
/* Amounts of money are bounded so sums over periods cannot overflow. */
#define MONEY_LIMIT 1e15
/* A finite horizon may grow the discounted margin by at most e^200
   (about 7e86): T (log(1 + g) - log(1 + r)) <= GROWTH_LOG_LIMIT. */
#define GROWTH_LOG_LIMIT 200.0
#define COUNT(a) (sizeof(a) / sizeof(a)[0])

/* True for quantities whose lower bound is excluded (spend_growth,
   purchases_per_period). */
bool scenario_lo_open(const clv_param *p);

/* The rules of scenario_limits.c (the engines' limits: Dirichlet
   concentration...), after the rules of scenario_validate.c. CLV_OK or
   the first broken rule with its place. */
clv_status scenario_check_limits(const clv_scenario *s, clv_error *err);

/* The lowest discount rate per period and the highest spend growth s can
   draw (their values when fixed; the 1e-9 and 1 - 1e-9 quantiles when
   uncertain). */
void scenario_rate_extremes(const clv_scenario *s, double *r_lo, double *g_hi);

/* CLV_OK when every offer has the same `periods`, else an error at the
   first that differs. */
clv_status scenario_offers_share_periods(const clv_scenario *s, clv_error *err);

#endif
