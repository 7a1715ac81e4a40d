/*
 * test_fit.c - the fit stage in process (fit/): dates, reading records,
 * recovering known chains, the model tests, the holdout forecast, the
 * customer summary and the sBG fit. The command line (bad data with its
 * exact messages, the fitted scenario run by the binary) is in
 * test_fit_cli.c.
 *
 * Records come from clvsim's own engine (fit_simulate: the Monte Carlo
 * walk of replication 0) on scenarios with known matrices, written to CSV
 * files in a private temporary folder and read back by fit_data_read.
 * Statistical checks use fixed seeds and stated bounds:
 *   - coverage of the 95% intervals over 25 seeds x 3 sizes (1150
 *     entries): within [0.90, 0.98];
 *   - the Poisson purchase rate within 5 standard errors;
 *   - sBG on 40 simulated cohorts per (a, b): every estimate within 5
 *     standard errors, 1.96-se intervals covering in at least 85%, and
 *     the spread of the estimates within [0.7, 1.4] of the mean se;
 *   - sBG on the published cohorts of Fader and Hardie (2007): their
 *     estimates and log-likelihoods (an independent implementation).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "base/rng.h"
#include "fit/fit_data.h"
#include "fit/fit_holdout.h"
#include "fit/fit_markov.h"
#include "fit/fit_sbg.h"
#include "fit/fit_simulate.h"
#include "fit/fit_summary.h"
#include "fit/fit_time.h"
#include "scenario/scenario.h"
#include "test_helpers.h"

static char tmp_dir[64];

static char *tmp_path(const char *name)
{
	static char path[4][256];
	static int next;
	char *p = path[next++ % 4];

	snprintf(p, sizeof path[0], "%s/%s", tmp_dir, name);
	return p;
}

static int setup(void **state)
{
	strcpy(tmp_dir, "/tmp/clvsim_test_fit_XXXXXX");
	gsl_set_error_handler_off();
	return mkdtemp(tmp_dir) != NULL ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp_dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* ------------------------------------------------------------------ */
/* Dates and periods.                                                   */

static void dates_and_periods(void **state)
{
	int64_t day;
	int y, m, d;
	char buf[32];

	assert_null(fit_parse_date("1970-01-01", &day));
	assert_int_equal(day, 0);
	assert_null(fit_parse_date("2024-02-29", &day));
	assert_null(fit_parse_date("2000-02-29", &day));
	assert_string_equal(fit_parse_date("2023-02-29", &day), "day 29 is not 1 to 28 in 2023-02");
	assert_string_equal(fit_parse_date("1900-02-29", &day), "day 29 is not 1 to 28 in 1900-02");
	assert_string_equal(fit_parse_date("2024-13-45", &day), "month 13 is not 1 to 12");
	assert_string_equal(fit_parse_date("2024-1-05", &day), "not in the form YYYY-MM-DD");
	assert_string_equal(fit_parse_date(" 2024-01-05", &day), "not in the form YYYY-MM-DD");
	assert_string_equal(fit_parse_date("2024-01-05T10", &day), "not in the form YYYY-MM-DD");
	for (day = -800000; day <= 3000000; day += 997) {
		int64_t back;
		fit_civil_from_days(day, &y, &m, &d);
		back = fit_days_from_civil(y, m, d);
		assert_true(back == day);
	}
	/* 2024-01-01 is a Monday: its week runs to Sunday 2024-01-07 */
	assert_null(fit_parse_date("2024-01-01", &day));
	assert_true(fit_period_of(FIT_WEEK, day) == fit_period_of(FIT_WEEK, day + 6));
	assert_true(fit_period_of(FIT_WEEK, day - 1) == fit_period_of(FIT_WEEK, day) - 1);
	assert_true(fit_period_start(FIT_WEEK, fit_period_of(FIT_WEEK, day + 3)) == day);
	fit_period_label(FIT_QUARTER, fit_period_of(FIT_QUARTER, day + 100), buf, sizeof buf);
	assert_string_equal(buf, "2024-Q2");
	fit_period_label(FIT_MONTH, fit_period_of(FIT_MONTH, day + 59), buf, sizeof buf);
	assert_string_equal(buf, "2024-02"); /* day 59 after Jan 1 of a leap year: Feb 29 */
	assert_int_equal(fit_period_days(FIT_MONTH, fit_period_of(FIT_MONTH, day + 31)), 29);
	assert_int_equal(fit_period_days(FIT_YEAR, 2024), 366);
}

static void name_order(void **state)
{
	assert_true(fit_name_cmp("2", "10") < 0);
	assert_true(fit_name_cmp("10", "9") > 0);
	assert_true(fit_name_cmp("007", "7") < 0); /* same value: bytes decide */
	assert_true(fit_name_cmp("99", "A") < 0);  /* numbers first */
	assert_true(fit_name_cmp("B", "a") < 0);
	assert_int_equal(fit_name_cmp("x", "x"), 0);
}

/* ------------------------------------------------------------------ */
/* Records from the engine.                                             */

/* Appends to a text buffer. */
static void add(char *text, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void add(char *text, size_t cap, const char *fmt, ...)
{
	size_t len = strlen(text);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text + len, cap - len, fmt, ap);
	va_end(ap);
}

static const char *state_name(size_t i, size_t n, bool lost)
{
	static const char *const names[] = {"A", "B", "C", "D", "E", "F"};

	return lost && i == n - 1 ? "lost" : names[i];
}

/* A scenario with states A, B, ... (and `lost` last, a dead state: margin
   0) with switching rows P (n x n), F purchases a period (Poisson when
   poisson), horizon T and customers. */
static clv_scenario *known_scenario(size_t n, const double *P, bool lost, double F, bool poisson,
                                    long T, unsigned customers)
{
	char text[8192] = "";
	size_t i, j, brands = lost ? n - 1 : n;
	clv_error err = {0};
	clv_scenario *s;

	add(text, sizeof text, "states: [");
	for (i = 0; i < n; i++)
		add(text, sizeof text, "%s%s", i ? ", " : "", state_name(i, n, lost));
	add(text, sizeof text, "]\ninitial: [");
	for (i = 0; i < n; i++)
		add(text, sizeof text, "%s%.17g", i ? ", " : "", i < brands ? 1.0 / (double)brands : 0.0);
	add(text, sizeof text, "]\nswitching:\n");
	for (i = 0; i < n; i++) {
		add(text, sizeof text, "  - [");
		for (j = 0; j < n; j++)
			add(text, sizeof text, "%s%.17g", j ? ", " : "", P[i * n + j]);
		add(text, sizeof text, "]\n");
	}
	add(text, sizeof text, "margin: {");
	for (i = 0; i < n; i++)
		add(text, sizeof text, "%s%s: %d", i ? ", " : "", state_name(i, n, lost), i < brands);
	add(text, sizeof text, "}\ndiscount_rate: 0.01\nhorizon: %ld\ncustomers: %u\n", T, customers);
	if (poisson)
		add(text, sizeof text, "purchases_per_period: {dist: poisson, mean: %g}\n", F);
	else
		add(text, sizeof text, "purchases_per_period: %g\n", F);
	s = scenario_load_buffer("known.yaml", text, strlen(text), &err);
	if (s == NULL)
		fail_msg("%s\n%s", err.msg, text);
	return s;
}

/* The walk written as CSV (customer,period,brand,amount: amount numbers
   the purchases, so no two rows are equal), with an independent count of
   the consecutive pairs. */
typedef struct sim_file {
	FILE *f;
	const clv_scenario *s;
	uint64_t count[64 * 64];
	uint64_t prev_customer;
	size_t prev_state;
	bool have_prev;
	unsigned long serial;
} sim_file;

static clv_status emit(void *ctx, const fit_sim_purchase *p, clv_error *err)
{
	sim_file *sf = ctx;

	fprintf(sf->f, "%llu,%ld,%s,%lu\n", (unsigned long long)p->customer, p->period,
	        sf->s->states[p->state], sf->serial++);
	if (sf->have_prev && sf->prev_customer == p->customer)
		sf->count[sf->prev_state * sf->s->n + p->state]++;
	sf->prev_customer = p->customer;
	sf->prev_state = p->state;
	sf->have_prev = true;
	return CLV_OK;
}

static fit_data *simulate_to_file(clv_scenario *s, uint64_t seed, const char *name, sim_file *sf)
{
	clv_error err = {0};
	fit_data *d;

	memset(sf, 0, sizeof *sf);
	sf->s = s;
	sf->f = fopen(tmp_path(name), "w");
	assert_non_null(sf->f);
	fputs("customer,period,brand,amount\n", sf->f);
	assert_int_equal(fit_simulate(s, s->customers, seed, emit, sf, &err), CLV_OK);
	assert_int_equal(fclose(sf->f), 0);
	d = fit_data_read(tmp_path(name), &err);
	if (d == NULL)
		fail_msg("%s", err.msg);
	return d;
}

typedef struct size_case {
	size_t n;
	double P[25];
	bool lost;
	double F;
	unsigned customers;
	long T;
} size_case;

static const size_case sizes[] = {
	{3, {0.7, 0.2, 0.1, 0.15, 0.75, 0.1, 0.25, 0.15, 0.6}, false, 1, 150, 9},
	{4, {0.6, 0.2, 0.1, 0.1, 0.1, 0.7, 0.15, 0.05, 0.2, 0.2, 0.5, 0.1, 0, 0, 0, 1}, true, 1, 200, 11},
	{5, {0.5, 0.1, 0.1, 0.2, 0.1, 0.1, 0.6, 0.1, 0.1, 0.1, 0.05, 0.15, 0.55, 0.15, 0.1,
	     0.1, 0.1, 0.1, 0.6, 0.1, 0.2, 0.05, 0.05, 0.1, 0.6}, false, 2, 300, 7},
};

/* Estimates are count / row total, exactly, and the counts are the
   engine's walk; the whole-number purchase rate is found. */
static void recovers_counts_exactly(void **state)
{
	size_t k;

	for (k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
		const size_case *c = &sizes[k];
		clv_scenario *s = known_scenario(c->n, c->P, c->lost, c->F, false, c->T, c->customers);
		fit_options o = {0};
		clv_error err = {0};
		sim_file sf;
		fit_data *d = simulate_to_file(s, 7 + k, "exact.csv", &sf);
		fit_markov *m;
		size_t i, j, brands = c->lost ? c->n - 1 : c->n;
		uint64_t total = 0;

		o.churn_after = c->lost ? 1 : 0;
		m = fit_markov_run(d, &o, INT64_MAX, &err);
		assert_non_null(m);
		assert_int_equal(m->n, c->n);
		assert_int_equal(d->n_brands, brands);
		for (i = 0; i < brands; i++) {
			uint64_t row = 0;
			for (j = 0; j < m->n; j++) {
				uint64_t want = sf.count[i * c->n + j];
				if (c->lost && j == c->n - 1)
					want = 0; /* dead purchases are not written: counted below */
				if (!(c->lost && j == c->n - 1))
					assert_int_equal(m->count[i * c->n + j], want);
				row += m->count[i * c->n + j];
			}
			assert_int_equal(row, m->row_total[i]);
			for (j = 0; j < m->n; j++)
				assert_true(m->estimate[i * c->n + j] ==
				            (double)m->count[i * c->n + j] / (double)m->row_total[i]);
			total += row;
		}
		assert_int_equal(total, m->transitions);
		assert_int_equal(m->purchases, d->n);
		assert_int_equal(m->purchases_whole, (long)c->F);
		assert_true(m->purchases_per_period == c->F);
		if (c->lost) {
			/* with one purchase a period, every customer not seen in the last
			   period has walked into `lost` right after its last purchase */
			uint64_t lost_in = 0;
			for (i = 0; i < brands; i++)
				lost_in += m->count[i * c->n + c->n - 1];
			assert_int_equal(lost_in, m->lost);
			assert_true(m->lost > 0);
		}
		fit_markov_free(m);
		fit_data_free(d);
		scenario_free(s);
	}
}

/* The 95% intervals cover the true entries in 90% to 98% of entries. */
static void intervals_cover(void **state)
{
	const int seeds = 25;
	unsigned long covered = 0, entries = 0;
	size_t k;
	int seed;

	for (k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
		const size_case *c = &sizes[k];
		clv_scenario *s = known_scenario(c->n, c->P, c->lost, c->F, false, c->T, c->customers);
		size_t brands = c->lost ? c->n - 1 : c->n;
		for (seed = 0; seed < seeds; seed++) {
			fit_options o = {0};
			clv_error err = {0};
			sim_file sf;
			fit_data *d = simulate_to_file(s, 1000 + (uint64_t)seed, "cover.csv", &sf);
			fit_markov *m;
			size_t i;
			o.churn_after = c->lost ? 1 : 0;
			m = fit_markov_run(d, &o, INT64_MAX, &err);
			assert_non_null(m);
			for (i = 0; i < brands * c->n; i++) {
				covered += m->lo[i] <= c->P[i] && c->P[i] <= m->hi[i];
				entries++;
			}
			fit_markov_free(m);
			fit_data_free(d);
		}
		scenario_free(s);
	}
	print_message("interval coverage: %lu of %lu entries (%.3f) over %d seeds x 3 sizes\n",
	              covered, entries, (double)covered / (double)entries, seeds);
	assert_int_equal(entries, 1150);
	assert_true((double)covered >= 0.90 * (double)entries);
	assert_true((double)covered <= 0.98 * (double)entries);
}

/* Poisson purchases: the rate within 5 standard errors, not a whole
   number; the Markov property and homogeneity hold (p > 0.001). */
static void poisson_rate_and_tests_on_a_markov_chain(void **state)
{
	const size_case *c = &sizes[0];
	clv_scenario *s = known_scenario(c->n, c->P, false, 1.5, true, 19, 400);
	fit_options o = {0};
	clv_error err = {0};
	sim_file sf;
	fit_data *d = simulate_to_file(s, 99, "poisson.csv", &sf);
	fit_markov *m = fit_markov_run(d, &o, INT64_MAX, &err);
	double se;

	assert_non_null(m);
	se = sqrt(1.5 / (double)m->exposure);
	assert_true(fabs(m->purchases_per_period - 1.5) < 5 * se);
	assert_int_equal(m->purchases_whole, 0);
	assert_true(m->markov.df > 0 && m->markov.p_value > 0.001);
	assert_true(m->homogeneity.df > 0 && m->homogeneity.p_value > 0.001);
	fit_markov_free(m);
	fit_data_free(d);
	scenario_free(s);
}

/* A second-order chain and a chain that changes half-way are caught. */
static void tests_catch_order_and_change(void **state)
{
	FILE *f = fopen(tmp_path("order.csv"), "w");
	fit_options o = {0};
	clv_error err = {0};
	fit_data *d;
	fit_markov *m;
	gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
	int c, t;

	/* second order: repeat the brand before the last with probability 0.8 */
	fputs("customer,period,brand\n", f);
	for (c = 0; c < 300; c++) {
		int a = (int)gsl_rng_uniform_int(g, 2), b = (int)gsl_rng_uniform_int(g, 2);
		for (t = 0; t < 12; t++) {
			int x = gsl_rng_uniform(g) < 0.8 ? a : 1 - a;
			fprintf(f, "%d,%d,%c\n", c, t, 'A' + x);
			a = b;
			b = x;
		}
	}
	fclose(f);
	d = fit_data_read(tmp_path("order.csv"), &err);
	assert_non_null(d);
	m = fit_markov_run(d, &o, INT64_MAX, &err);
	assert_non_null(m);
	assert_true(m->markov.p_value < 1e-6);
	assert_int_equal(m->markov.df, 2);
	assert_true(m->homogeneity.p_value > 1e-3);
	fit_markov_free(m);
	fit_data_free(d);

	/* first order, but loyal (stay 0.9) in periods 0-9, fickle (0.3) after */
	f = fopen(tmp_path("change.csv"), "w");
	fputs("customer,period,brand\n", f);
	for (c = 0; c < 300; c++) {
		int x = (int)gsl_rng_uniform_int(g, 2);
		for (t = 0; t < 20; t++) {
			fprintf(f, "%d,%d,%c\n", c, t, 'A' + x);
			if (gsl_rng_uniform(g) > (t < 10 ? 0.9 : 0.3))
				x = 1 - x;
		}
	}
	fclose(f);
	d = fit_data_read(tmp_path("change.csv"), &err);
	assert_non_null(d);
	m = fit_markov_run(d, &o, INT64_MAX, &err);
	assert_non_null(m);
	assert_int_equal(m->half, 10);
	assert_true(m->homogeneity.p_value < 1e-6);
	assert_int_equal(m->homogeneity.df, 2);
	fit_markov_free(m);
	fit_data_free(d);
	gsl_rng_free(g);
}

/* ------------------------------------------------------------------ */
/* A small hand-made data set: order, churn, summary, holdout.          */

static const char hand[] =
	"\xEF\xBB\xBF" "brand,amount,customer,date\r\n"
	"B,20,ann,2024-02-10\r\n"       /* rows out of order on purpose */
	"A,10,ann,2024-01-05\r\n"
	"A,30,ann,2024-03-01\r\n"
	"\"Caf\xC3\xA9, \"\"Ltd\"\"\",5,bob,2024-01-20\r\n"
	"A,15,bob,2024-01-20\r\n"       /* same day: file order decides */
	"B,25,cid,2024-04-02\r\n"
	"B,25,cid,2024-04-03\r\n"
	"A,12,ann,2024-05-07\r\n"
	"B,22,bob,2024-05-30\r\n";

/* Brands by rank: A 0, B 1, "Cafe, ..." 2; months January (0) to May
   (4). Sorted: ann A B A . A, bob Cafe A . . B (same day: file order),
   cid . . . B B. */
static fit_data *hand_read(void)
{
	clv_error err = {0};
	fit_data *d;

	th_write_file(tmp_path("hand.csv"), hand);
	d = fit_data_read(tmp_path("hand.csv"), &err);
	if (d == NULL)
		fail_msg("%s", err.msg);
	assert_true(d->has_date && d->has_amount);
	assert_int_equal(d->n, 9);
	assert_int_equal(d->n_brands, 3);
	assert_string_equal(d->brand[0], "A");
	assert_string_equal(d->brand[2], "Caf\xC3\xA9, \"Ltd\"");
	assert_string_equal(d->customer[1], "bob");
	assert_int_equal(d->periods, 5);
	assert_int_equal(d->rec[4].line, 5); /* bob's Cafe before his A: file order */
	assert_int_equal(d->rec[4].brand, 2);
	return d;
}

static void hand_fit_with_churn(void **state)
{
	fit_data *d = hand_read();
	fit_options o = {0};
	clv_error err = {0};
	fit_markov *m;
	fit_customer *cs;
	static const uint64_t counts[16] = {1, 2, 0, 0, 1, 1, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0};
	size_t i;

	o.churn_after = 1;
	m = fit_markov_run(d, &o, INT64_MAX, &err);
	assert_non_null(m);
	assert_int_equal(m->n, 4);
	assert_string_equal(m->state[3], "lost");
	for (i = 0; i < 16; i++)
		assert_int_equal(m->count[i], counts[i]);
	assert_int_equal(m->transitions, 7);
	assert_int_equal(m->lost, 1); /* cid: last seen in April, the data end in May */
	assert_true(m->initial[0] == 1.0 / 3 && m->initial[1] == 1.0 / 3 && m->initial[2] == 0 &&
	            m->initial[3] == 1.0 / 3);
	assert_true(m->estimate[1] == 2.0 / 3);
	assert_true(isnan(m->estimate[3 * 4 + 0])); /* `lost`: no row */
	assert_true(m->lo[2] == 0.0 && m->hi[2 * 4 + 0] == 1.0); /* count 0; count = row total */
	assert_true(m->purchases_per_period == 0.5); /* 4 purchases over 8 customer-months */
	assert_int_equal(m->purchases_whole, 0);
	assert_true(m->spend_mean[0] == 16.75 && m->spend_mean[1] == 23.0 && m->spend_mean[2] == 5);
	assert_int_equal(m->spend_n[1], 4);
	assert_true(isnan(m->spend_se[2]));
	assert_true(fabs(m->spend_se[1] - sqrt(18.0 / 3.0 / 4.0)) < 1e-12);
	assert_true(fabs(m->loglik - (log(1.0 / 3) + 2 * log(2.0 / 3) + 3 * log(1.0 / 3))) < 1e-12);
	assert_int_equal(m->markov.n, 4);
	cs = fit_summary_customers(m, &err);
	assert_non_null(cs);
	assert_int_equal(cs[0].frequency * 1000 + cs[0].switches * 100 + (uint64_t)cs[0].recency, 4200);
	assert_true(cs[0].monetary == 18.0 && cs[0].latest == 0);
	assert_int_equal(cs[1].frequency * 1000 + cs[1].switches * 100 + (uint64_t)cs[1].recency, 3200);
	assert_true(cs[1].monetary == 14.0 && cs[1].latest == 1);
	assert_int_equal(cs[2].frequency * 1000 + cs[2].switches * 100 + (uint64_t)cs[2].recency, 2001);
	assert_true(cs[2].monetary == 25.0 && cs[2].latest == 3);
	free(cs);
	fit_markov_free(m);
	fit_data_free(d);
}

/* E = sum_k Poisson(k; F) P^k, computed here on its own. */
static void poisson_period_matrix(const double *P, size_t n, double F, double *E)
{
	double Pk[9], next[9], w = exp(-F);
	size_t i, j, l;
	int k;

	for (i = 0; i < n * n; i++) {
		Pk[i] = i % (n + 1) == 0;
		E[i] = 0;
	}
	for (k = 0; k < 60; k++) {
		for (i = 0; i < n * n; i++)
			E[i] += w * Pk[i];
		for (i = 0; i < n; i++)
			for (j = 0; j < n; j++) {
				next[i * n + j] = 0;
				for (l = 0; l < n; l++)
					next[i * n + j] += Pk[i * n + l] * P[l * n + j];
			}
		memcpy(Pk, next, sizeof next);
		w *= F / (k + 1);
	}
}

static void hand_holdout(void **state)
{
	fit_data *d = hand_read();
	fit_options o = {0};
	clv_error err = {0};
	int64_t until;
	fit_markov *m;
	fit_holdout *h;
	/* posterior means of the fit before April: A -> B once, B -> A, Cafe -> A */
	const double P[9] = {0.2, 0.6, 0.2, 0.6, 0.2, 0.2, 0.6, 0.2, 0.2};
	double E[9], s2[3] = {0};
	size_t i, j;

	assert_null(fit_parse_date("2024-04-01", &until));
	o.has_holdout = true;
	o.holdout = until;
	strcpy(o.holdout_text, "2024-04-01");
	m = fit_markov_run(d, &o, until, &err);
	assert_non_null(m);
	assert_int_equal(m->transitions, 3);
	assert_int_equal(m->customers, 2);  /* cid comes after the date */
	assert_true(m->initial[0] == 1.0);  /* ann and bob both last bought A */
	assert_true(m->purchases_per_period == 0.5 && m->purchases_whole == 0);
	h = fit_holdout_run(d, m, until, &err);
	assert_non_null(h);
	assert_int_equal(h->first, 3);
	assert_int_equal(h->periods, 2);
	assert_int_equal(h->buyers[0], 0);
	assert_int_equal(h->buyers[1], 2);
	assert_int_equal(h->new_customers, 1);
	assert_int_equal(h->purchases, 2);
	assert_true(isnan(h->observed[0]));
	assert_true(h->observed[3] == 0.5 && h->observed[4] == 0.5 && h->observed[5] == 0);
	/* April: one step from A; May: one Poisson(0.5) period further */
	for (i = 0; i < 3; i++)
		assert_true(fabs(h->predicted[i] - P[i]) < 1e-15);
	poisson_period_matrix(P, 3, 0.5, E);
	for (i = 0; i < 3; i++)
		for (j = 0; j < 3; j++)
			s2[j] += P[i] * E[i * 3 + j];
	for (j = 0; j < 3; j++)
		assert_true(fabs(h->predicted[3 + j] - s2[j]) < 1e-12);
	assert_true(fabs(h->mean_abs_error - (fabs(0.5 - s2[0]) + fabs(0.5 - s2[1]) + s2[2]) / 3) <
	            1e-12);
	fit_holdout_free(h);
	fit_markov_free(m);
	fit_data_free(d);
}

/* ------------------------------------------------------------------ */
/* sBG.                                                                 */

/* LL by the recursion of Fader and Hardie (2007, appendix B): P(1) =
   a / (a + b), P(t) = P(t - 1) (b + t - 2) / (a + b + t - 1), S(T) = 1 -
   sum P. */
static double independent_ll(const double *alive, size_t n, double a, double b)
{
	double p = a / (a + b), s = 1.0 - p, ll = 0.0;
	size_t t;

	for (t = 1; t < n; t++) {
		if (t > 1) {
			p *= (b + (double)t - 2) / (a + b + (double)t - 1);
			s -= p;
		}
		ll += (alive[t - 1] - alive[t]) * log(p);
	}
	return ll + alive[n - 1] * log(s);
}

static fit_cohort *cohort_from(const double *alive, size_t n)
{
	char text[4096];
	size_t len = 0, t;
	clv_error err = {0};
	fit_cohort *c;

	len += (size_t)snprintf(text, sizeof text, "period,alive\n");
	for (t = n; t-- > 0;) /* any order */
		len += (size_t)snprintf(text + len, sizeof text - len, "%zu,%.0f\n", t, alive[t]);
	th_write_file(tmp_path("cohort.csv"), text);
	c = fit_cohort_read(tmp_path("cohort.csv"), &err);
	if (c == NULL)
		fail_msg("%s", err.msg);
	return c;
}

/* The published fits (Fader and Hardie 2007: regular and high-end
   customers, 7 years), checked against an independent implementation. */
static void sbg_published_cohorts(void **state)
{
	static const double regular[] = {1000, 631, 468, 382, 326, 289, 262, 241};
	static const double high[] = {1000, 869, 743, 653, 593, 551, 517, 491};
	static const double want[2][3] = {{0.7041, 1.1820, -1680.2652}, {0.6678, 3.8040, -1611.158}};
	const double *data[2] = {regular, high};
	int k;

	for (k = 0; k < 2; k++) {
		fit_cohort *c = cohort_from(data[k], 8);
		clv_error err = {0};
		fit_sbg *s = fit_sbg_run(c, &err);
		double h, ll;
		assert_non_null(s);
		assert_true(fabs(s->a - want[k][0]) < 5e-4);
		assert_true(fabs(s->b - want[k][1]) < 5e-3);
		assert_true(fabs(s->loglik - want[k][2]) < 1e-3);
		ll = independent_ll(data[k], 8, s->a, s->b);
		assert_true(fabs(s->loglik - ll) < 1e-9 * fabs(ll));
		/* a maximum to 1e-6 in the parameters: central differences of the
		   independent LL give a Newton step below 1e-6 */
		h = 1e-4;
		{
			double fa = (independent_ll(data[k], 8, s->a + h, s->b) -
			             independent_ll(data[k], 8, s->a - h, s->b)) / (2 * h);
			double fb = (independent_ll(data[k], 8, s->a, s->b + h) -
			             independent_ll(data[k], 8, s->a, s->b - h)) / (2 * h);
			double faa = (independent_ll(data[k], 8, s->a + h, s->b) - 2 * ll +
			              independent_ll(data[k], 8, s->a - h, s->b)) / (h * h);
			double fbb = (independent_ll(data[k], 8, s->a, s->b + h) - 2 * ll +
			              independent_ll(data[k], 8, s->a, s->b - h)) / (h * h);
			double fab = (independent_ll(data[k], 8, s->a + h, s->b + h) -
			              independent_ll(data[k], 8, s->a + h, s->b - h) -
			              independent_ll(data[k], 8, s->a - h, s->b + h) +
			              independent_ll(data[k], 8, s->a - h, s->b - h)) / (4 * h * h);
			double det = faa * fbb - fab * fab;
			double da = -(fbb * fa - fab * fb) / det, db = -(faa * fb - fab * fa) / det;
			assert_true(fabs(da) < 1e-6 && fabs(db) < 1e-6);
			/* the standard errors are those of the numerical information */
			assert_true(fabs(s->se_a - sqrt(-fbb / det)) < 1e-3 * s->se_a);
			assert_true(fabs(s->se_b - sqrt(-faa / det)) < 1e-3 * s->se_b);
		}
		assert_true(fabs(s->survival[3] - fit_sbg_survival(s->a, s->b, 3)) < 1e-15);
		assert_true(fabs(s->retention[1] - s->survival[1]) < 1e-12);
		fit_sbg_free(s);
		fit_cohort_free(c);
	}
}

/* Cohorts drawn from known (a, b): churn theta ~ Beta(a, b) per customer,
   alive while uniform draws exceed theta. */
static void sbg_recovers_known_shapes(void **state)
{
	static const double truth[2][2] = {{0.7, 1.2}, {2.0, 6.0}};
	const int seeds = 40;
	gsl_rng *g = gsl_rng_alloc(rng_gsl_pcg32);
	int k, seed;

	for (k = 0; k < 2; k++) {
		int cover_a = 0, cover_b = 0;
		double sum_a = 0, sum_a2 = 0, se_a = 0, sum_b = 0, sum_b2 = 0, se_b = 0;
		for (seed = 0; seed < seeds; seed++) {
			double alive[9] = {0};
			fit_cohort *c;
			fit_sbg *s;
			clv_error err = {0};
			int i, t;
			gsl_rng_set(g, (unsigned long)(100 * k + seed + 1));
			for (i = 0; i < 2000; i++) {
				double theta = gsl_ran_beta(g, truth[k][0], truth[k][1]);
				for (t = 0; t < 9 && (t == 0 || gsl_rng_uniform(g) >= theta); t++)
					alive[t]++;
			}
			c = cohort_from(alive, 9);
			s = fit_sbg_run(c, &err);
			if (s == NULL)
				fail_msg("%s", err.msg);
			assert_true(fabs(s->a - truth[k][0]) < 5 * s->se_a);
			assert_true(fabs(s->b - truth[k][1]) < 5 * s->se_b);
			cover_a += fabs(s->a - truth[k][0]) <= 1.96 * s->se_a;
			cover_b += fabs(s->b - truth[k][1]) <= 1.96 * s->se_b;
			sum_a += s->a, sum_a2 += s->a * s->a, se_a += s->se_a;
			sum_b += s->b, sum_b2 += s->b * s->b, se_b += s->se_b;
			fit_sbg_free(s);
			fit_cohort_free(c);
		}
		{
			double sd_a = sqrt((sum_a2 - sum_a * sum_a / seeds) / (seeds - 1));
			double sd_b = sqrt((sum_b2 - sum_b * sum_b / seeds) / (seeds - 1));
			print_message("sBG (a, b) = (%g, %g): 1.96-se intervals cover a %d/%d, b %d/%d; "
			              "sd of estimates / mean se: a %.2f, b %.2f\n", truth[k][0],
			              truth[k][1], cover_a, seeds, cover_b, seeds, sd_a / (se_a / seeds),
			              sd_b / (se_b / seeds));
			assert_true(cover_a >= 0.85 * seeds && cover_b >= 0.85 * seeds);
			assert_true(sd_a / (se_a / seeds) > 0.7 && sd_a / (se_a / seeds) < 1.4);
			assert_true(sd_b / (se_b / seeds) > 0.7 && sd_b / (se_b / seeds) < 1.4);
		}
	}
	gsl_rng_free(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(dates_and_periods),
		cmocka_unit_test(name_order),
		cmocka_unit_test(recovers_counts_exactly),
		cmocka_unit_test(intervals_cover),
		cmocka_unit_test(poisson_rate_and_tests_on_a_markov_chain),
		cmocka_unit_test(tests_catch_order_and_change),
		cmocka_unit_test(hand_fit_with_churn),
		cmocka_unit_test(hand_holdout),
		cmocka_unit_test(sbg_published_cohorts),
		cmocka_unit_test(sbg_recovers_known_shapes),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
