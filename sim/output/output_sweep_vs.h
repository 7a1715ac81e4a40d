/*
 * output_sweep_vs.h - stage output: the tables a sweep against a base adds
 * in --out DIR (written in the sweep's group by output_sweep.c), and the
 * figures drawn from them:
 *
 *   one key:  sweep_diff.csv          KEY,state,diff_exact,diff_mean,diff_se,
 *                                     diff_lo90,diff_hi90
 *                                     (CHANGED minus BASE; grouped by state,
 *                                     then "total"; KEY ascending)
 *             sweep_breakeven.csv     KEY (where the exact total difference
 *                                     crosses 0, linear interpolation)
 *             -> sweep_diff.png
 *   two keys: sweep2_diff.csv         KEY1,KEY2,diff_exact,diff_mean,diff_se
 *                                     (total)
 *             sweep2_breakeven.csv    KEY1_from,KEY2_from,KEY1_to,KEY2_to
 *                                     (the segments of the zero contour of
 *                                     diff_exact)
 * KEY, KEY1, KEY2 stand for the swept keys' names (output_sweep.h).
 *             -> sweep_diff_heat.png
 */
#ifndef CLV_OUTPUT_SWEEP_VS_H
#define CLV_OUTPUT_SWEEP_VS_H

#include <stdio.h>

#include "clvsim.h"
#include "base/diag.h"
#include "whatif/whatif.h"

/* The writers (output_table.write): data is the whatif_sweep. */
clv_status output_sweep_vs_line(FILE *f, const void *data, clv_error *err);
clv_status output_sweep_vs_grid(FILE *f, const void *data, clv_error *err);
clv_status output_sweep_vs_breakeven(FILE *f, const void *data, clv_error *err);

#endif
