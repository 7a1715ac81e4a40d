/*
 * report_sweep_method.h - stage output: the lines of a sweep's text
 * report that say how its means and SEs were computed (the sweep's
 * whatif_sweep_method, whatif.h), shared by the report of a sweep
 * (report_sweep.c) and of a sweep against a base (report_sweep_vs.c).
 */
#ifndef CLV_REPORT_SWEEP_METHOD_H
#define CLV_REPORT_SWEEP_METHOD_H

#include <stdio.h>

#include "whatif/whatif.h"

/* The method's lines, then a blank line, into f. */
void report_sweep_method_text(FILE *f, const whatif_sweep *w);

#endif
