/*
 * report_events.h - stage output: the event probabilities of a Monte
 * Carlo run (docs/statistics.md, "Event probabilities"), as text below
 * the CLV table and as JSON keys of the "mc" block:
 *   mc.clv.<state|total>.p_negative, .p_negative_se: P(a customer's CLV < 0);
 *   mc.p_exceeds_acquisition, _se (where an acquisition cost is set):
 *     P(a customer's CLV before acquisition exceeds the acquisition cost),
 *     i.e. P(total CLV > 0);
 *   mc.p_share_falls.<state>, mc.p_share_falls_se.<state>: the fraction
 *     of replications whose share of the state at the horizon is below
 *     the scenario's share at period 0.
 */
#ifndef CLV_REPORT_EVENTS_H
#define CLV_REPORT_EVENTS_H

#include <stdio.h>

#include <jansson.h>

#include "clvsim.h"
#include "engine/mc.h"

/* The scenario's share of state i at period 0 (segments mixed by weight). */
double report_initial_share(const clv_scenario *s, size_t i);

/* True when s (or a segment) sets an acquisition cost. */
bool report_has_acquisition(const clv_scenario *s);

/* p_negative into each state's and the total's object of clv (mc.clv, or
   a segment's), from p and se (n + 1 each). */
void report_events_json_clv(json_t *clv, const clv_scenario *s, const double *p,
                            const double *se);

/* The run's events into the mc block (its "clv" object already there). */
void report_events_json(json_t *mc, const clv_scenario *s, const mc_result *r);

/* The lines below the CLV table. */
void report_events_text(FILE *f, const clv_scenario *s, const mc_result *r);

#endif
