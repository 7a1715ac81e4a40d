/*
 * bench_methods.c - the benchmarks of "simulate only what must be
 * simulated" (bench/README.md, second table), each a ratio of two rows
 * measured in the same run:
 *
 *   hetero     mc_run of a 3-state market over 100 periods with the
 *              retention of A drawn per customer (beta(70, 30)) against
 *              the same run with retention fixed at its mean 0.7; 10,000
 *              customers x 50 replications; target: at most 1.5x;
 *   aggregate  customer-steps per second of --mode aggregate on 1e9
 *              customers x 100 periods x 100 replications of the same
 *              market (fixed retention) against the per-customer
 *              engine's on 100,000 customers x 100 periods x 10
 *              replications; target: at least 1e4 times;
 *   clvdist    the exact CLV distribution of that market (dynamic
 *              programming, every state and the total, at run's grid)
 *              against the per-customer engine's 10,000 x 50 run, for
 *              information.
 * Customer-steps = customers x periods x purchases x replications. Each
 * timing is repeated (-r, default 3) and the best kept; 1 and 2 threads
 * (-t). Every row also prints the mean total CLV and its se (or the exact
 * figure), so a fast wrong answer shows.
 *
 * Output: tab-separated lines "row threads steps seconds mean se" that
 * methods.sh turns into the table.
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gsl/gsl_errno.h>

#include "engine/clvdist.h"
#include "engine/mc.h"
#include "engine/model.h"
#include "scenario/scenario.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static clv_scenario *market(const char *retention)
{
	char text[1024];
	clv_error err = {0};
	clv_scenario *s;

	snprintf(text, sizeof text,
	         "states: [A, B, C]\n"
	         "initial: [0.6, 0.3, 0.1]\n"
	         "switching:\n"
	         "  A: [0.70, 0.20, 0.10]\n"
	         "  B: [0.10, 0.80, 0.10]\n"
	         "  C: [0.25, 0.15, 0.60]\n"
	         "retention: {A: %s}\n"
	         "horizon: 99\n"
	         "discount_rate: 0.09\n"
	         "margin: {A: 500, B: 300, C: 200}\n",
	         retention);
	s = scenario_load_buffer("bench.yaml", text, strlen(text), &err);
	if (s == NULL)
		fprintf(stderr, "bench_methods: scenario: %s\n", err.msg);
	return s;
}

typedef struct row {
	double seconds, steps, mean, se;
} row;

/* The best of `repeats` mc_run timings of s. */
static int time_run(clv_scenario *s, mc_mode mode, uint64_t customers, uint64_t reps, int threads,
                    int repeats, row *out)
{
	int k;

	out->seconds = INFINITY;
	for (k = 0; k < repeats; k++) {
		clv_error err = {0};
		mc_config cfg;
		mc_result *r;
		double t0;
		mc_config_defaults(&cfg, s);
		cfg.customers = customers;
		cfg.replications = reps;
		cfg.threads = threads;
		cfg.mode = mode;
		t0 = now();
		r = mc_run(s, &cfg, &err);
		t0 = now() - t0;
		if (r == NULL) {
			fprintf(stderr, "bench_methods: mc_run: %s\n", err.msg);
			return -1;
		}
		out->seconds = fmin(out->seconds, t0);
		out->steps = (double)r->steps;
		out->mean = r->clv[s->n].mean;
		out->se = r->clv[s->n].se;
		mc_free(r);
	}
	return 0;
}

static int time_clvdist(clv_scenario *s, int repeats, row *out)
{
	clvdist_request rq = {NULL, 0, 1, 42, 0.0, 0};
	int k;

	out->seconds = INFINITY;
	for (k = 0; k < repeats; k++) {
		clv_error err = {0};
		double t0 = now();
		clvdist_report *d = clvdist_scenario(s, &rq, &err);
		t0 = now() - t0;
		if (d == NULL || !d->available) {
			fprintf(stderr, "bench_methods: clvdist: %s\n", d ? d->note : err.msg);
			clvdist_report_free(d);
			return -1;
		}
		out->seconds = fmin(out->seconds, t0);
		out->steps = d->work;
		out->mean = d->clv[s->n].mean;
		out->se = d->clv[s->n].bound;
		clvdist_report_free(d);
	}
	return 0;
}

static void print_row(const char *name, int threads, const row *r)
{
	printf("%s\t%d\t%.6g\t%.6g\t%.10g\t%.6g\n", name, threads, r->steps, r->seconds, r->mean, r->se);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	clv_scenario *fixed, *hetero;
	int repeats = 3, max_threads = 2, threads, c, rc = 0;

	while ((c = getopt(argc, argv, "r:t:")) != -1) {
		if (c == 'r')
			repeats = atoi(optarg) > 0 ? atoi(optarg) : 1;
		else if (c == 't')
			max_threads = atoi(optarg) > 0 ? atoi(optarg) : 1;
		else {
			fprintf(stderr, "usage: bench_methods [-r repeats] [-t max_threads]\n");
			return 2;
		}
	}
	gsl_set_error_handler_off();
	fixed = market("0.7");
	hetero = market("{dist: beta, a: 70, b: 30, per: customer}");
	if (fixed == NULL || hetero == NULL)
		return 1;
	for (threads = 1; threads <= max_threads && rc == 0; threads++) {
		row r;
		if ((rc = time_run(fixed, MC_MODE_CUSTOMERS, 10000, 50, threads, repeats, &r)) == 0)
			print_row("fixed", threads, &r);
		if (rc == 0 && (rc = time_run(hetero, MC_MODE_CUSTOMERS, 10000, 50, threads, repeats, &r)) == 0)
			print_row("hetero", threads, &r);
		if (rc == 0 &&
		    (rc = time_run(fixed, MC_MODE_CUSTOMERS, 100000, 10, threads, repeats, &r)) == 0)
			print_row("customers", threads, &r);
		if (rc == 0 &&
		    (rc = time_run(fixed, MC_MODE_AGGREGATE, 1000000000, 100, threads, repeats, &r)) == 0)
			print_row("aggregate", threads, &r);
		if (rc == 0 && threads == 1 && (rc = time_clvdist(fixed, repeats, &r)) == 0)
			print_row("clvdist", 0, &r);
	}
	scenario_free(fixed);
	scenario_free(hetero);
	return rc == 0 ? 0 : 1;
}
