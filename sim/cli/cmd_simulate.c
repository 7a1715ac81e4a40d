/*
 * cmd_simulate.c - `clvsim simulate SCENARIO.yaml`: purchase records
 * walked by the Monte Carlo engine from a scenario with a known switching
 * matrix (fit/fit_simulate.h), as the CSV `clvsim fit` reads: the data of
 * docs/fit.md's worked example, and a way to check a fit against the
 * truth. Records go to stdout, or atomically into --out FILE.
 *
 * Columns: customer (1, 2, ...), date (YYYY-MM-DD; period 0 starts on
 * 2024-01-01, periods as the scenario's `period`; the purchases of one
 * period spread evenly over its days) or, for a scenario whose period has
 * no calendar length, period (0, 1, ...); brand; amount (rounded to the
 * cent, in the shortest form: 500, 26.67).
 * Stage: cli.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "fit/fit_data.h"
#include "fit/fit_simulate.h"
#include "fit/fit_time.h"
#include "output/csv.h"
#include "output/outfile.h"
#include "scenario/scenario.h"

typedef struct sim_out {
	FILE *f;
	const clv_scenario *s;
	fit_unit unit;        /* FIT_PERIOD: a period column */
	int months;           /* months per period for month-based units (half-year: 6) */
	int64_t start;        /* absolute period (or month) of period 0 */
} sim_out;

static void date_of(const sim_out *o, const fit_sim_purchase *p, char *buf, size_t cap)
{
	int64_t first, days, day;
	int y, m, d;

	if (o->months > 0) {
		first = fit_period_start(FIT_MONTH, o->start + (int64_t)p->period * o->months);
		days = fit_period_start(FIT_MONTH, o->start + (int64_t)(p->period + 1) * o->months) - first;
	} else {
		first = fit_period_start(o->unit, o->start + p->period);
		days = fit_period_days(o->unit, o->start + p->period);
	}
	day = first + (int64_t)(((double)p->index + 0.5) * (double)days / (double)p->count);
	fit_civil_from_days(day, &y, &m, &d);
	snprintf(buf, cap, "%04d-%02d-%02d", y, m, d);
}

static clv_status emit(void *ctx, const fit_sim_purchase *p, clv_error *err)
{
	const sim_out *o = ctx;
	char date[16];

	fprintf(o->f, "%llu,", (unsigned long long)p->customer + 1);
	if (o->unit == FIT_PERIOD) {
		fprintf(o->f, "%ld,", p->period);
	} else {
		date_of(o, p, date, sizeof date);
		fprintf(o->f, "%s,", date);
	}
	csv_field(o->f, o->s->states[p->state]);
	csv_sep(o->f); /* to the cent, printed as every table's numbers are */
	csv_number(o->f, round(p->amount * 100.0) / 100.0);
	csv_end(o->f);
	return ferror(o->f) ? diag_set(err, CLV_ERR_IO, NULL, "cannot write the records") : CLV_OK;
}

/* The calendar of the scenario's period. */
static void calendar(const clv_scenario *s, sim_out *o)
{
	const char *unit = s->period != NULL ? s->period : "period";

	o->months = 0;
	o->unit = FIT_PERIOD;
	if (strcmp(unit, "half-year") == 0) {
		o->unit = FIT_MONTH;
		o->months = 6;
	} else if (fit_unit_parse(unit, &o->unit) != 0) {
		o->unit = FIT_PERIOD;
	}
	if (o->unit == FIT_MONTH && o->months == 0)
		o->months = 1;
	o->start = o->months > 0 ? fit_period_of(FIT_MONTH, fit_days_from_civil(2024, 1, 1))
	                         : fit_period_of(o->unit, fit_days_from_civil(2024, 1, 1));
}

/* Refuse a run that would write more records than `fit` reads. */
static clv_status check_size(const clv_scenario *s, uint64_t customers, clv_error *err)
{
	double rows = (double)customers * (double)(s->horizon + 1) * s->purchases.a;

	if (rows > (double)FIT_MAX_ROWS)
		return diag_set_file(err, CLV_ERR_LIMIT, s->path, "%.3g records (customers x periods x "
		                     "purchases): more than the %ld that clvsim fit reads; give fewer "
		                     "--customers", rows, FIT_MAX_ROWS);
	return CLV_OK;
}

/* The outfile for path (its folder: the part before the last '/'). */
static outfile *open_out(const char *path, clv_error *err)
{
	const char *slash = strrchr(path, '/');
	char *dir = NULL;
	outfile *of;

	if (slash != NULL && (dir = strndup(path, (size_t)(slash - path + (slash == path)))) == NULL) {
		diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory");
		return NULL;
	}
	of = outfile_open(dir, slash != NULL ? slash + 1 : path, err);
	free(dir);
	return of;
}

static int run_simulate(const cli_options *opt)
{
	clv_error err = {0};
	clv_scenario *s = scenario_load(opt->argv[0], &err);
	uint64_t customers, seed;
	outfile *of = NULL;
	cli_text t = {0};
	sim_out o;
	int rc = 0;

	if (s == NULL)
		return cli_fail(&err);
	if (opt->replications != 0) {
		fprintf(stderr, "clvsim simulate: --replications does not apply (one walk per "
		        "customer)\nTry 'clvsim simulate --help'.\n");
		rc = CLV_EXIT_INPUT;
		goto cleanup;
	}
	customers = opt->customers ? opt->customers : s->customers;
	seed = opt->has_seed ? opt->seed : s->seed;
	if (check_size(s, customers, &err) != CLV_OK) {
		rc = cli_fail(&err);
		goto cleanup;
	}
	calendar(s, &o);
	o.s = s;
	if (opt->out_dir != NULL) {
		of = open_out(opt->out_dir, &err);
		o.f = of != NULL ? outfile_stream(of) : NULL;
	} else {
		o.f = cli_text_open(&t);
	}
	if (o.f == NULL) {
		rc = err.status != CLV_OK ? cli_fail(&err) : CLV_EXIT_RUNTIME;
		goto cleanup;
	}
	fprintf(o.f, "customer,%s,brand,amount\n", o.unit == FIT_PERIOD ? "period" : "date");
	if (fit_simulate(s, customers, seed, emit, &o, &err) != CLV_OK) {
		rc = cli_fail(&err);
		if (of == NULL) {
			fclose(o.f); /* the text in memory, never printed */
			free(t.buf);
		}
		goto cleanup;
	}
	if (of != NULL) {
		rc = outfile_commit(of, &err) == CLV_OK ? 0 : cli_fail(&err);
		of = NULL;
	} else {
		rc = cli_text_print(&t);
	}
cleanup:
	outfile_abort(of);
	scenario_free(s);
	return rc;
}

const cli_command cmd_simulate = {
	"simulate", "SCENARIO.yaml",
	"Purchase records walked by the engine from a scenario: data for clvsim fit.",
	"Customer c walks as customer c of replication 0 of `clvsim run` does (the scenario at its\n"
	"means): its first state from initial, then F (or Poisson(F)) purchases per period, one\n"
	"chain step each; a customer in an absorbing state with nothing to earn has left.\n"
	"Columns customer,date,brand,amount: period 0 starts on 2024-01-01, periods as the\n"
	"scenario's `period`, a period's purchases spread over its days (a `period` column when\n"
	"the period has no calendar length). amount: the state's margin, drawn per purchase\n"
	"where it is uncertain. --customers and --seed override the scenario's.\n",
	OPT_OUT_FILE | OPT_SEED | OPT_SIZE, 1, 1, run_simulate,
};
