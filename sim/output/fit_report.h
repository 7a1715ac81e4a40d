/*
 * fit_report.h - what `clvsim fit` found, as a text report and as one JSON
 * document (jansson). Stage: output.
 *
 * JSON layout (the public interface of `fit --format json`; docs/fit.md):
 *   {"fit": {
 *     "file", "sha256", "period", "periods", "first_period", "last_period",
 *     "states": [...], "customers", "purchases", "transitions", "loglik",
 *     "churn_after": K | null, "lost",
 *     "switching": {FROM: {TO: {"estimate", "lo", "hi", "count"}}},
 *     "interval", "prior",
 *     "initial": {STATE: share}, "initial_is",
 *     "purchases_per_period", "purchases_model": "fixed" | "poisson",
 *     "exposure",
 *     "spend": {BRAND: {"mean", "se", "count"}}          (with amounts),
 *     "markov_property": {"statistic", "df", "p_value", "n", "method"},
 *     "homogeneity": {"statistic", "df", "p_value", "n", "split", "method"},
 *     "holdout": {"date", "mean_abs_error", "purchases", "new_customers",
 *                 "periods": [{"period", "start", "buyers",
 *                              "observed": {...}, "predicted": {...}}]}
 *   }}
 * and for --survival:
 *   {"fit": {"file", "sha256", "period", "cohort", "periods",
 *     "sbg": {"a", "b", "se_a", "se_b", "cov_ab", "iterations",
 *             "retention_beta": {"a", "b"}},
 *     "loglik",
 *     "projection": [{"period", "alive", "survival_observed", "survival",
 *                     "expected_alive", "retention_observed", "retention"}]}}
 * NaN and infinities are null (JSON has no such numbers).
 */
#ifndef CLV_FIT_REPORT_H
#define CLV_FIT_REPORT_H

#include <stdio.h>

#include <jansson.h>

#include "fit/fit_data.h"
#include "fit/fit_holdout.h"
#include "fit/fit_markov.h"
#include "fit/fit_sbg.h"

/* The document of a switching fit; h NULL without --holdout. New
   reference (json_decref it); NULL when out of memory. */
json_t *fit_report_json(const fit_data *d, const fit_markov *m, const fit_holdout *h,
                        const fit_options *o);

/* The same as a text report for a terminal. */
void fit_report_text(FILE *f, const fit_data *d, const fit_markov *m, const fit_holdout *h,
                     const fit_options *o);

/* The document and text of a survival fit; unit names the periods. */
json_t *fit_report_sbg_json(const fit_cohort *c, const fit_sbg *s, const char *unit);
void fit_report_sbg_text(FILE *f, const fit_cohort *c, const fit_sbg *s, const char *unit);

/* A JSON string of text with every byte that is not valid UTF-8 replaced
   by '?' (jansson refuses invalid UTF-8). */
json_t *fit_json_text(const char *text);

#endif
