/*
 * report_sweep.h - stage output: the report of `clvsim sweep`, as text and
 * as one JSON document (jansson), built from a whatif_sweep
 * (whatif/whatif.h) and the scenario it swept.
 *
 * JSON layout (the public interface of `sweep --format json`):
 *   {"scenario", "file", "states": [...], "seed", "replications",
 *    "customers",
 *    "method": "monte_carlo" | "exact_replications" | "exact" (whatif.h),
 *    "axes": [{"key", "from", "to", "step", "count", "rule": null | TEXT}],
 *    "points": [{"x": [one value per axis], "exact": {STATE..., "total"},
 *                "mc": {"mean": {...}, "se": {...}}}]}
 * and, for a sweep against a base, the keys of report_sweep_vs.h.
 */
#ifndef CLV_REPORT_SWEEP_H
#define CLV_REPORT_SWEEP_H

#include <stdio.h>

#include <jansson.h>

#include "clvsim.h"
#include "base/diag.h"
#include "whatif/whatif.h"

/* State i of the sweep, or "total" for i == w->n. */
const char *report_sweep_state(const whatif_sweep *w, size_t i);

/* The text report: the axes and their rules, the method, then one row per
   grid point (exact CLV per state; total exact, and unless exact its mean
   and SE by the method). */
void report_sweep_text(FILE *f, const whatif_sweep *w, const clv_scenario *s);

/* The JSON document (layout above); the caller owns it. */
json_t *report_sweep_json(const whatif_sweep *w, const clv_scenario *s);

/* Write the report to stdout: the JSON document when json, else the
   text. CLV_ERR_NOMEM or CLV_ERR_IO with err set. */
clv_status report_sweep_print(const whatif_sweep *w, const clv_scenario *s, bool json,
                              clv_error *err);

#endif
