/*
 * report.h - results as text tables and as one JSON document (jansson).
 *
 * JSON layout (the public interface of --format json; docs/json.md has an
 * example per command):
 *   {"schema": 1, "command": NAME, "scenario": NAME, "file": PATH,
 *    "states": [...], "horizon": T | "infinite", "period": UNIT,
 *    "currency": TEXT | null, "discount_rate": {"per_period": r,
 *    "unit": UNIT, "annual": d | null, "given_as": ...},
 *    "purchases_per_period": x, "exact": {...}, "mc": {...}}
 * Every command's document starts with "schema" and "command" and is
 * written by json_write.h (shortest round-trip numbers, whole numbers as
 * integers, null for what is absent).
 * Text reports go to a FILE * (an open_memstream buffer), written to stdout
 * in one piece (report_text_print, textout.h). The what-ifs' reports are
 * in report_compare.h, report_sweep.h and report_tornado.h.
 */
#ifndef CLV_REPORT_H
#define CLV_REPORT_H

#include <stdio.h>

#include <jansson.h>

#include "clvsim.h"
#include "base/diag.h"
#include "engine/exact.h"
#include "engine/expect.h"

/* -x, for an amount shown as a deduction in a text table (offer spend,
   acquisition): 0 stays 0, never "-0.00". */
static inline double report_deduction(double x)
{
	return 0.0 - x;
}

/* A JSON number, or null for NaN/Inf (JSON has no such numbers). */
json_t *report_json_number(double x);

/* {names[0]: v[0], ..., names[n-1]: v[n-1]} and, with total, "total":
   v[n]. */
json_t *report_json_by_name(char *const *names, size_t n, const double *v, bool total);

/* The document's head: scenario, file, states, periods, period, discount. */
json_t *report_json_head(const clv_scenario *s, const clv_model *m);

/* The "exact" block: the expectation x->mean over everything the scenario
   makes uncertain, with "method" (expect_method_name), "method_note" and,
   for an average over draws, "clv_se". (The command adds "chain", the
   chain's structure: report_structure.h.) */
json_t *report_json_exact(const clv_scenario *s, const expect_result *x);

/* The "exact_at_means" block: the figures with every assumption at its
   mean (share, clv, steady_state, and a note saying so). */
json_t *report_json_at_means(const clv_scenario *s, const exact_result *r);

/* The version of the JSON documents' layout, the top-level "schema":
   raised when a key is renamed or removed or changes meaning. */
#define REPORT_JSON_SCHEMA 1

/* Write {"schema": REPORT_JSON_SCHEMA, "command": command, ...doc's
   members} to stdout with a final newline (json_write.h), streamed (no
   copy of the whole text in memory); doc is stolen. CLV_ERR_IO with err
   set when stdout failed or doc is NULL (out of memory). */
clv_status report_json_print(json_t *doc, const char *command, clv_error *err);

/* Build a text report in memory with write(f, data), then write it to
   stdout in one piece. CLV_ERR_NOMEM or CLV_ERR_IO (stdout failed) with
   err set. */
clv_status report_text_print(void (*write)(FILE *f, const void *data), const void *data,
                             clv_error *err);

/* The text heading: scenario, file, states, horizon, discount rate with
   its unit, purchases per period. */
void report_text_head(FILE *f, const clv_scenario *s, const clv_model *m);

/* The exact tables: expected shares per period, CLV per state and total,
   steady state, with how the expectation was found; at_means (NULL when
   nothing is uncertain): the CLV at the assumptions' means beside it. */
void report_text_exact(FILE *f, const clv_scenario *s, const expect_result *x,
                       const exact_result *at_means);

/* One line: how the exact figures were found (expect_method_describe),
   prefixed by "Exact: "; nothing when nothing is uncertain. */
void report_text_method(FILE *f, const expect_result *x);

/* The period after t to show in a text table of periods 0..periods: every
   one up to 30, else about 25 evenly spaced, always ending on periods. */
long report_next_row(long t, long periods);

/* Under such a table: which rows were shown (nothing when all were). */
void report_rows_note(FILE *f, long periods);

/* "year" or the scenario's unit for plural use: "years". */
const char *report_period_unit(const clv_scenario *s);

/* What a state's share is in the reports and figures of s: "share of
   customers" when the chain has an absorbing state (a lost customer
   stays lost: the states are lifecycle stages, docs/theory.md section
   7), else "share of wallet" (the states are brands a customer buys
   from); with `capital`, the first letter in upper case. */
const char *report_share_label(const clv_scenario *s, bool capital);

#endif
