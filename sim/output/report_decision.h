/*
 * report_decision.h - stage output: the decision part of the report of
 * `clvsim compare` (whatif/evpi.h, the comparison's c->decision): the
 * "decision" text section after the differences, and the top-level JSON
 * keys of the compare document (report_compare.h calls both):
 *   "p_best": [one share per scenario, in command-line order] | null,
 *   "p_best_se": [their binomial standard errors] | null,
 *   "evpi": per customer | null, "evpi_se": its standard error | null,
 *   "customers_base": N | null, "evpi_base": N x evpi | null,
 *   "evppi": {KEY: value | null, ...} | null (every assumption drawn per
 *            replication, by key path),
 *   "decision": null (independent streams) | {"values", "replications",
 *            "mean_total": [...], "best": 1-based, "evppi_method",
 *            "evppi_basis": {KEY: basis functions or distinct values},
 *            "evppi_advised_replications"}
 */
#ifndef CLV_REPORT_DECISION_H
#define CLV_REPORT_DECISION_H

#include <stdio.h>

#include <jansson.h>

#include "whatif/whatif.h"

/* The "decision" text section (a note when the streams are independent). */
void report_decision_text(FILE *f, const whatif_compare *c);

/* Add the keys above to the compare document doc. */
void report_decision_json(json_t *doc, const whatif_compare *c);

#endif
