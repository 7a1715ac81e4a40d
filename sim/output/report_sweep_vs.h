/*
 * report_sweep_vs.h - stage output: the report of a sweep against a base
 * (`clvsim sweep BASE.yaml CHANGED.yaml --vary ...`, whatif_sweep_vs) as
 * text, and its additions to the JSON document of report_sweep.h:
 *   "base": {"scenario", "file"},
 *   each point: "diff": {"exact": {STATE..., "total"},
 *                        "mc": {"mean", "se", "lo90", "hi90": {...}}}
 *               (CHANGED minus BASE; null where BASE lacks the state),
 *   "breakeven": one key: [KEY value, ...] where the exact total
 *               difference crosses 0 (linear interpolation between grid
 *               points); two keys: [[x_from, y_from, x_to, y_to], ...],
 *               the segments of its zero contour.
 */
#ifndef CLV_REPORT_SWEEP_VS_H
#define CLV_REPORT_SWEEP_VS_H

#include <stdio.h>

#include <jansson.h>

#include "clvsim.h"
#include "whatif/whatif.h"

/* The text report of w (w->versus), s the changed scenario. */
void report_sweep_vs_text(FILE *f, const whatif_sweep *w, const clv_scenario *s);

/* Add the keys above to doc, report_sweep_json's document of w. */
void report_sweep_vs_json(json_t *doc, const whatif_sweep *w);

#endif
