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

/* Bytes the JSON document of a run holds per share cell (period x
   state): six Monte Carlo numbers and the exact one as jansson reals in
   arrays, about 38 bytes a number (measured: 1.7 GB for 64 states x
   100001 periods), with room to spare. For the memory budget
   (mc_config.report_cell_bytes). */
#define REPORT_JSON_CELL_BYTES 320.0

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
