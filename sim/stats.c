/*
 * stats.c - summaries of simulated values (see stats.h).
 */
#include "stats.h"
