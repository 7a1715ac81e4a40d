/*
 * output_sweep.h - stage output: the files of `clvsim sweep` in --out DIR
 * (one atomic group, then the line or heat-map figure):
 *
 *   one key:  sweep.csv          x,state,mean,se,exact
 *             (grouped by state, then "total"; x ascending)
 *   two keys: sweep2.csv         x,y,mean,se,exact       (total CLV)
 *             sweep2_states.csv  x,y,state,mean,se,exact (every state)
 *
 * A sweep against a base adds the tables of output_sweep_vs.h (the
 * tables above then hold the changed scenario's figures).
 */
#ifndef CLV_OUTPUT_SWEEP_H
#define CLV_OUTPUT_SWEEP_H

#include "clvsim.h"
#include "base/diag.h"
#include "output/output.h"
#include "whatif/whatif.h"

/* Write the tables of w (a sweep of s, with Monte Carlo) into
   set->out_dir as one group, then the figure, its axes labelled with
   the swept keys (output_files: CLV_OK, or the failure with err set and
   no table created or replaced). */
clv_status output_sweep(const output_settings *set, const whatif_sweep *w,
                        const clv_scenario *s, clv_error *err);

#endif
