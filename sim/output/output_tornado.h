/*
 * output_tornado.h - stage output: the files of `clvsim tornado` in
 * --out DIR (one atomic group, then the tornado and spider figures of
 * total CLV):
 *
 *   elasticity.csv      input,base,state,elasticity      (every state, then total)
 *   tornado.csv         assumption,low_input,high_input,clv_low,clv_high,swing,base
 *                       (swing = |clv_high - clv_low|, rows by swing, descending)
 *   spider.csv          assumption,percentile,input,clv  (percentile 10..90)
 *   tornado_state.csv   as tornado.csv, for the chosen state's CLV (--state only)
 *
 * Without uncertain assumptions only elasticity.csv is written, and no
 * figure.
 */
#ifndef CLV_OUTPUT_TORNADO_H
#define CLV_OUTPUT_TORNADO_H

#include "clvsim.h"
#include "base/diag.h"
#include "output/output.h"
#include "output/report_tornado.h"

/* Write v's tables into set->out_dir as one group, then the figures
   (output_files: CLV_OK, or the failure with err set and no table
   created or replaced). */
clv_status output_tornado(const output_settings *set, const report_tornado_view *v,
                          clv_error *err);

#endif
