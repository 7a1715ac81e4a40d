/*
 * output_compare.h - stage output: the files of `clvsim compare` in
 * --out DIR (one atomic group, then the figures):
 *
 *   compare.csv       scenario,file,state,exact,mean,se,diff_exact,diff_mean,
 *                     diff_se,diff_lo90,diff_hi90,p_beats_first,offer_spend,
 *                     return_on_spend,ros_lo90,ros_hi90
 *                     (one row per scenario and state of the FIRST scenario,
 *                     then "total"; a missing state or measure is empty)
 *   compare_hist.csv  scenario,state,bin_lo,bin_hi,count,density,cdf
 *                     (CLV per customer, each scenario and state)
 *   compare_diff.csv  scenario,state,bin_lo,bin_hi,count,density,cdf
 *                     (scenario - first: the per-replication differences
 *                     of average CLV, every scenario but the first)
 *
 * and on common random numbers the decision tables of output_decision.h
 * (compare_replications.csv, compare_p_best.csv, compare_evppi.csv) and
 * the figure compare_decision.
 *
 * "scenario" is the scenario's name, or its file when an earlier
 * scenario has the same name.
 */
#ifndef CLV_OUTPUT_COMPARE_H
#define CLV_OUTPUT_COMPARE_H

#include "clvsim.h"
#include "base/diag.h"
#include "output/output.h"
#include "whatif/whatif.h"

/* Write the tables into set->out_dir as one group, then the figure
   (output_files: CLV_OK, or the failure with err set and no table
   created or replaced). */
clv_status output_compare(const output_settings *set, const whatif_compare *c,
                          clv_error *err);

#endif
