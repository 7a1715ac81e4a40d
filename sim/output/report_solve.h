/*
 * report_solve.h - stage output: the report of `clvsim solve`, as text
 * and as one JSON document (jansson), built from a whatif_solve
 * (whatif/solve.h) and the scenarios it solved on.
 *
 * JSON layout (the public interface of `solve --format json`):
 *   {"scenario", "file", "base": null | {"scenario", "file"}, "seed",
 *    "replications",
 *    "solve": {"key", "value", "value_se": null (an exact expectation) |
 *              its standard error (an expectation averaged over draws),
 *              "target", "state": STATE | "total",
 *              "form": "target" | "difference", "rule": null | TEXT,
 *              "method": how the expectation was found (expect.h),
 *              "at_lo": F(LO), "at_hi": F(HI), "lo", "hi", "iterations",
 *              "tolerance": 1e-6, "uncertain": bool,
 *              "interval90": [lo, hi], "percentiles": {"p05", "p10", "p25",
 *              "p50", "p75", "p90", "p95"} (null: outside [LO, HI]),
 *              "below", "above": replications whose root is outside,
 *              "curve": [[key value, P(pays)], ...]}}
 */
#ifndef CLV_REPORT_SOLVE_H
#define CLV_REPORT_SOLVE_H

#include <stdio.h>

#include <jansson.h>

#include "clvsim.h"
#include "base/diag.h"
#include "whatif/solve.h"

/* The text report: the question, the root on the exact expectation, and
   under uncertainty the replications' roots and the acceptability curve.
   base is NULL for the one-file form. */
void report_solve_text(FILE *f, const whatif_solve *v, const clv_scenario *base,
                       const clv_scenario *s);

/* The JSON document (layout above); the caller owns it. */
json_t *report_solve_json(const whatif_solve *v, const clv_scenario *base,
                          const clv_scenario *s);

/* Write the report to stdout: the JSON document when json, else the
   text. CLV_ERR_NOMEM or CLV_ERR_IO with err set. */
clv_status report_solve_print(const whatif_solve *v, const clv_scenario *base,
                              const clv_scenario *s, bool json, clv_error *err);

#endif
