/*
 * report_clvdist.h - stage output: the exact CLV distribution
 * (engine/clvdist.h) as JSON and as a text table, for `run` and `exact`.
 *
 * JSON (inside the "exact" block):
 *   "clv_distribution": {STATE: FIGURES, ..., "total": FIGURES} or null,
 *     FIGURES = {"mean", "sd", "p05", "p25", "p50", "p75", "p95",
 *                "error_bound", "support_points"}; with per-replication
 *     draws only "total";
 *   "clv_distribution_method": {"method": "dynamic_programming",
 *     "available", "note", "bins", "periods", "replications"}.
 */
#ifndef CLV_REPORT_CLVDIST_H
#define CLV_REPORT_CLVDIST_H

#include <stdio.h>

#include <jansson.h>

#include "clvsim.h"
#include "engine/clvdist.h"

/* The two keys above, added to the "exact" block ex. d may be NULL
   (nothing is added). */
void report_json_clvdist(json_t *ex, const clv_scenario *s, const clvdist_report *d);

/* The text table (or the sentence saying why there is none). d may be
   NULL (nothing is written). */
void report_text_clvdist(FILE *f, const clv_scenario *s, const clvdist_report *d);

#endif
