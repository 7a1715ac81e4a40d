/*
 * output_solve.h - stage output: the files of `clvsim solve` in --out DIR
 * (one atomic group, then the figure solve.png):
 *
 *   solve.csv          x,exact,mean,p05,p95,p_pays
 *                      (one row per grid value across [LO, HI]: the expected
 *                      CLV, or difference from BASE, exact; its mean and
 *                      5th / 95th percentiles across the replications'
 *                      figures; the share of replications above the target)
 *   solve_summary.csv  key,target,value,lo90,hi90,p50,below,above,replications
 *                      (one row: the root on the expectation, the 90%
 *                      interval and median of the replications' roots,
 *                      -inf / inf where they fall outside [LO, HI])
 *   solve_roots.csv    replication,root
 *                      (each replication's own root, 1-based; -inf below LO,
 *                      inf above HI)
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
