/*
 * report_compare.h - stage output: the report of `clvsim compare`, as text
 * and as one JSON document (jansson), built from a whatif_compare
 * (whatif/whatif.h).
 *
 * JSON layout (the public interface of `compare --format json`):
 *   {"common_random_numbers": bool, "seed", "replications", "customers",
 *    "states": [the first scenario's states],
 *    "scenarios": [{"scenario", "file", "exact": {STATE..., "total"},
 *                   "mc": {"mean": {...}, "se": {...}, "offer_spend",
 *                          "offer_spend_se"},
 *                   "vs_first": null (first) | {STATE|"offer_spend"|"total":
 *                               {"exact", "mean", "se", "lo90", "hi90"}},
 *                   "p_beats_first", "offer_spend",
 *                   "return_on_spend": null | {"mean", "lo90", "hi90"}}]}
 */
#ifndef CLV_REPORT_COMPARE_H
#define CLV_REPORT_COMPARE_H

#include <stdio.h>

#include <jansson.h>

#include "clvsim.h"
#include "base/diag.h"
#include "whatif/whatif.h"

/* The first scenario's state i, or "total" for i == c->n. */
const char *report_compare_state(const whatif_compare *c, size_t i);

/* True when a compared scenario has offers: the differences then have an
   offer spend line (the states' CLV never holds what the offers cost). */
bool report_compare_has_offers(const whatif_compare *c);

/* The text report: the scenarios' totals, then each one's differences
   from the first, P(beats first) and return on spend. */
void report_compare_text(FILE *f, const whatif_compare *c);

/* The JSON document (layout above); the caller owns it. */
json_t *report_compare_json(const whatif_compare *c);

/* Write the report to stdout: the JSON document when json, else the
   text. CLV_ERR_NOMEM or CLV_ERR_IO with err set. */
clv_status report_compare_print(const whatif_compare *c, bool json, clv_error *err);

#endif
