/*
 * output_sweep.h - stage output: the files of `clvsim sweep` in --out DIR
 * (one atomic group, then the line or heat-map figure):
 *
 *   one key:  sweep.csv          KEY,state,mean,se,exact
 *             (grouped by state, then "total"; KEY ascending)
 *   two keys: sweep2.csv         KEY1,KEY2,mean,se,exact       (total CLV)
 *             sweep2_states.csv  KEY1,KEY2,state,mean,se,exact (every state)
 * KEY, KEY1, KEY2: the columns of the swept values are named after the
 * swept keys as given (e.g. "discount_rate", "campaign.cost"); every
 * column with its unit in docs/tables.md.
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
/* The swept keys as the header's first columns, then rest (the other
   columns, from a leading ',' to the '\n'). */
void output_sweep_header(FILE *f, const whatif_sweep *w, const char *rest);

clv_status output_sweep(const output_settings *set, const whatif_sweep *w,
                        const clv_scenario *s, clv_error *err);

#endif
