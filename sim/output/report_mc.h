/*
 * report_mc.h - Monte Carlo results beside the exact ones: the "mc" JSON
 * block, the text tables of `clvsim run`.
 */
#ifndef CLV_REPORT_MC_H
#define CLV_REPORT_MC_H

#include <stdio.h>

#include <jansson.h>

#include "clvsim.h"
#include "engine/exact.h"
#include "engine/expect.h"
#include "engine/mc.h"

/* A mean without percentiles (the offer spend) as {"mean", "se", "sd"}. */
json_t *report_json_spend(const stats_summary *sm);

/* A summary as {"mean", "se", "sd", "p05", "p25", "p50", "p75", "p95"}. */
json_t *report_json_summary(const stats_summary *sm);

/* The "mc" block. sampling: "mc" or "lhs". precision: target or 0. */
json_t *report_json_mc(const clv_scenario *s, const mc_result *r, const char *sampling,
                       double precision, bool relative);

/* Text: the forecast fan (mean share with its 5-95% band) and the CLV
   table (exact beside Monte Carlo, across customers and replications). */
void report_text_mc(FILE *f, const clv_scenario *s, const mc_result *r, const expect_result *x,
                    const exact_result *at_means);

#endif
