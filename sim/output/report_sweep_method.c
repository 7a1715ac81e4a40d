/*
 * report_sweep_method.c - stage output: how a sweep's means and SEs were
 * computed, in words (contract in report_sweep_method.h).
 */
#include "output/report_sweep_method.h"

void report_sweep_method_text(FILE *f, const whatif_sweep *w)
{
	const char *base = w->versus ? " and for the base" : "";

	if (w->method == WHATIF_SWEEP_EXACT)
		fprintf(f, "Exact at every point%s: nothing is uncertain, so the exact engine answers "
		        "every point\n(no Monte Carlo run: it would add only its noise; SE 0)\n\n", base);
	else if (w->method == WHATIF_SWEEP_EXACT_REPLICATIONS)
		fprintf(f, "Exact replication values at every point%s: seed %llu, %llu replications of "
		        "the assumptions\ndrawn per replication, each one's CLV exact given its draws "
		        "(nothing is drawn per customer,\nso no customers are simulated; common random "
		        "numbers across the grid)\n\n", base, (unsigned long long)w->seed,
		        (unsigned long long)w->replications);
	else if (w->versus)
		fprintf(f, "Monte Carlo at every point and for the base: seed %llu, %llu replications x "
		        "%llu customers\n(common random numbers: the base and every point share their "
		        "draws)\n\n", (unsigned long long)w->seed,
		        (unsigned long long)w->replications, (unsigned long long)w->customers);
	else
		fprintf(f, "Monte Carlo at every point: seed %llu, %llu replications x %llu customers "
		        "(common random numbers across the grid)\n\n", (unsigned long long)w->seed,
		        (unsigned long long)w->replications, (unsigned long long)w->customers);
}
