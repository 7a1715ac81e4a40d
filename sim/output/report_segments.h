/*
 * report_segments.h - stage output: the customer tiers (segments) of a
 * scenario, each on its own, and each tier's share of the total value, as
 * text and JSON. JSON keys (public interface):
 *   exact.segments.<name>: {weight, method, clv.<state|total>,
 *     offer_spend, value_by_state.<state>, share_of_value,
 *     (average over draws:) clv_se.<state|total>,
 *     (uncertain:) clv_at_means.<state|total>}
 *   mc.segments.<name>: {weight, customers, se_method, se_df,
 *     clv.<state|total>: {mean, se, sd, p05..p95, p_negative, p_negative_se},
 *     offer_spend: {mean, se, sd}, share_of_value}
 * share_of_value = weight x the tier's mean total CLV / the whole base's.
 */
#ifndef CLV_REPORT_SEGMENTS_H
#define CLV_REPORT_SEGMENTS_H

#include <stdio.h>

#include <jansson.h>

#include "clvsim.h"
#include "engine/breakdown.h"
#include "engine/expect.h"
#include "engine/mc.h"

/* mc.segments into mc (nothing without tiers). */
void report_segments_json_mc(json_t *mc, const clv_scenario *s, const mc_result *r);

/* exact.segments into ex (nothing without tiers, or when b has none). */
void report_segments_json_exact(json_t *ex, const clv_scenario *s, const expect_result *whole,
                                const breakdown *b);

/* A table per tier (exact; beside the Monte Carlo figures when r is not
   NULL), then each tier's share of the total value. Nothing without
   tiers. */
void report_segments_text(FILE *f, const clv_scenario *s, const expect_result *whole,
                          const mc_result *r, const breakdown *b);

#endif
