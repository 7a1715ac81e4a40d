/*
 * report_tornado.h - stage output: the report of `clvsim tornado`, as text
 * and as one JSON document (jansson), built from a whatif_tornado
 * (whatif/whatif.h), its scenario and the chosen state.
 *
 * JSON layout (the public interface of `tornado --format json`):
 *   {"scenario", "file", "engine": "exact" (expectations), "seed",
 *    "replications", "customers", "state": null | NAME,
 *    "base": {STATE..., "total"},
 *    "inputs": [{"assumption", "distribution", "mean",
 *                "percentiles": [10, ..., 90], "values": [9 numbers],
 *                "clv": {STATE|"total": [9 numbers]},
 *                "swing": {STATE|"total": number}}],
 *    "elasticities": [{"input", "base", "elasticity": {STATE..., "total"},
 *                      "skipped": null | TEXT}]}
 * "inputs" keep the what-if's order (largest total swing first).
 */
#ifndef CLV_REPORT_TORNADO_H
#define CLV_REPORT_TORNADO_H

#include <stdio.h>

#include <jansson.h>

#include "clvsim.h"
#include "base/diag.h"
#include "whatif/whatif.h"

/* A tornado as reported: the what-if, its scenario, the chosen state and
   the inputs ranked for the total and for that state. */
typedef struct report_tornado_view {
	whatif_tornado *t;       /* borrowed; only read here */
	const clv_scenario *s;   /* borrowed */
	size_t state;            /* --state's index, or t->n (the total) */
	size_t *total_order;     /* inputs by |swing| of the total (owned) */
	size_t *order;           /* inputs by |swing| of the chosen state (owned) */
} report_tornado_view;

/* Rank v->t's inputs for the total and for v->state into v's orders.
   CLV_ERR_NOMEM with err set. Either way, free the orders with
   report_tornado_view_clear. */
clv_status report_tornado_rank(report_tornado_view *v, clv_error *err);

/* Free v's orders (NULL afterwards); t and s stay. */
void report_tornado_view_clear(report_tornado_view *v);

/* True when no input moves the total but some moves a state: the scenario
   values a whole market, whose category value switching cannot change
   (the report then says so and points to --state). */
bool report_tornado_total_fixed(const whatif_tornado *t);

/* State k of the tornado, or "total" for k == t->n. */
const char *report_tornado_state(const whatif_tornado *t, size_t k);

/* CLV of state k (t->n: total) with input i at its percentile (q + 1) * 10. */
double report_tornado_clv(const whatif_tornado *t, size_t i, int q, size_t k);

/* Elasticity k of state i (i == t->n: the total) as reported: 0 when its
   magnitude is within the rounding of the two CLVs it differences (the
   CLVs move by at most REPORT_ELASTICITY_ULPS units in the last place of
   a double, which a +-1% step turns into about 1e-14 of "elasticity":
   the total of a scenario whose switching only shares the market out is
   exactly fixed, and its computed difference is rounding, not a
   response). NaN stays NaN (no elasticity). */
double report_tornado_elasticity(const whatif_tornado *t, size_t k, size_t i);
#define REPORT_ELASTICITY_ULPS 64

/* The text report: the engine and base, the bars for the total (and the
   chosen state), the spider and the elasticities. Without a chosen state,
   a note (JSON "note") when the total cannot move (above). */
void report_tornado_text(FILE *f, const report_tornado_view *v);

/* The JSON document (layout above); the caller owns it. */
json_t *report_tornado_json(const report_tornado_view *v);

/* Write the report to stdout: the JSON document when json, else the
   text. CLV_ERR_NOMEM or CLV_ERR_IO with err set. */
clv_status report_tornado_print(const report_tornado_view *v, bool json, clv_error *err);

#endif
