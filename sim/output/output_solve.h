/*
 * output_solve.h - stage output: the files of `clvsim solve` in --out DIR
 * (one atomic group, then the figure solve.png):
 *
 *   solve.csv          KEY,exact,mean,p05,p95,p_pays
 *                      (KEY: the solved key's values, named after it)
 *                      (one row per grid value across [LO, HI]: the expected
 *                      CLV, or difference from BASE, exact; its mean and
 *                      5th / 95th percentiles across the replications'
 *                      figures; the share of replications above the target)
 *   solve_summary.csv  key,target,value,lo90,hi90,p50,below,above,replications,
 *                      lo90_outside,hi90_outside,p50_outside
 *                      (one row: the root on the expectation, the 90%
 *                      interval and median of the replications' roots,
 *                      empty where they fall outside [LO, HI], and then
 *                      *_outside says "below" or "above")
 *   solve_roots.csv    replication,root,outside
 *                      (each replication's own root, 1-based; a root
 *                      outside [LO, HI] is empty and outside says "below"
 *                      or "above")
 * Every column with its unit: docs/tables.md.
 */
#ifndef CLV_OUTPUT_SOLVE_H
#define CLV_OUTPUT_SOLVE_H

#include "clvsim.h"
#include "base/diag.h"
#include "output/output.h"
#include "whatif/solve.h"

/* Write the tables of v (a solve on s) into set->out_dir as one group,
   then the figure (output_files: CLV_OK, or the failure with err set
   and no table created or replaced). */
clv_status output_solve(const output_settings *set, const whatif_solve *v,
                        const clv_scenario *s, clv_error *err);

#endif
