/*
 * report_structure.h - the chain's structure (engine/structure.h) as the
 * "chain" block of the exact JSON and as a text section (output stage).
 *
 * JSON layout of exact.chain (one chain; with segments, {"segments":
 * {NAME: block, ...}}, one block per segment):
 *   {"matrix": "switching" | "switching while offers run",
 *    "classes": [{"states": [...], "closed": bool, "period": k | null}],
 *    "absorbing": [...], "transient": [...],
 *    "stationary": [{STATE: p, ...}, ...]   one per closed class, in the
 *                                           order of "classes", every state
 *    "closed_class_weights": [w, ...]       share of customers (from the
 *                                           starting shares) that ends in
 *                                           each closed class
 *    "expected_periods_to_absorption": {TRANSIENT: N 1},
 *    "absorption_probabilities": {TRANSIENT: {RECURRENT: p}},
 *    "fundamental_matrix": {TRANSIENT: {TRANSIENT: N[i][j]}},
 *    "warnings": [TEXT, ...]}
 * A period is null for a class whose state is never revisited.
 */
#ifndef CLV_REPORT_STRUCTURE_H
#define CLV_REPORT_STRUCTURE_H

#include <stdio.h>

#include <jansson.h>

#include "clvsim.h"
#include "base/diag.h"
#include "engine/structure.h"

/* The warnings about the steady state for st, at most 2: the chain has
   several closed classes (the steady state depends on the starting
   shares), and a closed class is periodic (the shares never settle).
   Fills out[] with new strings (free() each); returns how many, or -1
   when out of memory. */
int report_structure_warnings(const clv_scenario *s, const structure_result *st, char *out[2]);

/* "{A, B, C}": the states of class c, at most 8 named. New string, or
   NULL when out of memory. */
char *report_class_name(const clv_scenario *s, const structure_result *st, size_t c);

/* The block of one chain (layout above); offers_forever: the matrix is
   the one while offers run. NULL when out of memory. */
json_t *report_json_structure(const clv_scenario *s, const structure_result *st,
                              bool offers_forever);

/* The block of s at its assumptions' means (per segment when it has
   segments); JSON null when it cannot be computed (out of memory). */
json_t *report_json_chain(clv_scenario *s);

/* text as words wrapped at width columns: the first line starts with
   first, the others with indent. Ends with a newline. */
void report_text_wrapped(FILE *f, const char *first, const char *indent, const char *text,
                         size_t width);

/* The text section of one chain: classes, absorbing and transient states,
   stationary distributions, N 1, absorption probabilities, N (up to 8
   transient states), warnings. */
void report_text_structure(FILE *f, const clv_scenario *s, const structure_result *st,
                           const clv_model *m);

/* The text section of s at its means (one per segment). Returns CLV_OK,
   or the failure with err set. */
clv_status report_text_chain(FILE *f, clv_scenario *s, clv_error *err);

#endif
