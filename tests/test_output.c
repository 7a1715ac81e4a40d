/*
 * test_output.c - the files of a run (sim/output/output.c): output_rebin
 * (the coarse histogram of clv_hist.csv: every customer kept, bins between
 * the 0.5th and 99.5th percentiles, the degenerate one-value case), and
 * the tables output_run writes into a temporary --out folder for the
 * textbook scenario, read back with csv.h's reader: exactly three files
 * and no temporary ones, their columns, one row per state and period,
 * the exact columns equal to the exact engine, histogram counts summing
 * to the customers with a CDF ending at 1; an earlier table replaced
 * whole; a folder that cannot be made, or an interrupted run, leaves the
 * earlier files as they were.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "engine/exact.h"
#include "engine/mc.h"
#include "base/interrupt.h"
#include "output/csv.h"
#include "output/output.h"
#include "scenario/scenario.h"
#include "test_helpers.h"

/* ------------------------------------------------------------------ */
/* The calls whose interface is being reworked: change them here only. */

/* output_run into `dir`, no figures; CLV_OK or err->status. */
static clv_status write_run(const char *dir, const clv_scenario *s, const mc_result *r,
                            const exact_result *ex, clv_error *err)
{
	output_settings set = {.out_dir = dir, .plot = "none"};

	return output_run(&set, s, r, ex, NULL, err);
}

/* Raise the interrupt flag the writer checks, as a signal would (it is
   not cleared again: the test that raises it runs last). */
static void raise_interrupt(void)
{
	interrupt_raise();
}

/* ------------------------------------------------------------------ */
/* Helpers.                                                            */

/* A CSV file read back: rows[r][c] (owned), the header as row 0. */
typedef struct table {
	size_t rows, cols;
	char ***cell;
} table;

static table read_table(const char *dir, const char *name)
{
	char path[4096];
	clv_error err = {0};
	FILE *f = fopen(th_path(path, sizeof path, dir, name), "rb");
	csv_reader *rd;
	table t = {0, 0, NULL};
	bool got = true;

	if (f == NULL)
		fprintf(stderr, "cannot open %s\n", path);
	assert_non_null(f);
	rd = csv_reader_create(f, name, &err);
	assert_non_null(rd);
	for (;;) {
		size_t c, n;
		assert_int_equal(csv_reader_next(rd, &got, &err), CLV_OK);
		if (!got)
			break;
		n = csv_reader_count(rd);
		if (t.rows == 0)
			t.cols = n;
		if (n != t.cols)
			fprintf(stderr, "%s:%ld: %zu fields, header has %zu\n", name,
			        csv_reader_line(rd), n, t.cols);
		assert_int_equal(n, t.cols); /* tidy: every record as wide as the header */
		t.cell = realloc(t.cell, (t.rows + 1) * sizeof *t.cell);
		assert_non_null(t.cell);
		t.cell[t.rows] = calloc(n, sizeof **t.cell);
		assert_non_null(t.cell[t.rows]);
		for (c = 0; c < n; c++)
			assert_non_null(t.cell[t.rows][c] = strdup(csv_reader_field(rd, c)));
		t.rows++;
	}
	csv_reader_free(rd);
	fclose(f);
	return t;
}

static void table_free(table *t)
{
	size_t r, c;

	for (r = 0; r < t->rows; r++) {
		for (c = 0; c < t->cols; c++)
			free(t->cell[r][c]);
		free(t->cell[r]);
	}
	free(t->cell);
}

/* The header joined by ','. */
static void expect_header(const table *t, const char *want)
{
	char got[512] = "";
	size_t c;

	for (c = 0; c < t->cols; c++) {
		if (c > 0)
			strcat(got, ",");
		strcat(got, t->cell[0][c]);
	}
	assert_string_equal(got, want);
}

static double cell_number(const table *t, size_t r, size_t c)
{
	char *end;
	double x = strtod(t->cell[r][c], &end);

	assert_true(end != t->cell[r][c] && *end == '\0');
	return x;
}

/* Equal to ten significant digits, as "%.10g" writes them. */
static void assert_10g(double got, double want)
{
	if (!(fabs(got - want) <= 5e-10 * fabs(want) + 1e-300))
		fprintf(stderr, "%.17g written, %.17g expected\n", got, want);
	assert_true(fabs(got - want) <= 5e-10 * fabs(want) + 1e-300);
}

/* The textbook scenario, its exact result and a small run. */
typedef struct run {
	clv_scenario *s;
	exact_result *ex;
	mc_result *r;
} run;

static run textbook_run(void)
{
	clv_error err = {0};
	mc_config cfg;
	run x;

	x.s = th_scenario("textbook");
	x.ex = exact_scenario(x.s, 20, &err);
	assert_non_null(x.ex);
	th_mc_config(&cfg, x.s, 10, 3000, 2);
	x.r = th_mc_run(x.s, &cfg);
	return x;
}

static void run_free(run *x)
{
	mc_free(x->r);
	exact_free(x->ex);
	scenario_free(x->s);
}

/* ------------------------------------------------------------------ */
/* output_rebin.                                                       */

static uint64_t total(const uint64_t *counts, int bins)
{
	uint64_t sum = 0;
	int k;

	for (k = 0; k < bins; k++)
		sum += counts[k];
	return sum;
}

/* 0, 1, ..., 9999 into 10 bins: the range is the 0.5th to 99.5th
   percentile, every value lands somewhere (the tails in the end bins),
   and each bin holds about a tenth. */
static void rebin_uniform_values(void **state)
{
	stats_hist *h = stats_hist_create();
	uint64_t counts[10];
	double lo, hi;
	int v, k;

	(void)state;
	assert_non_null(h);
	for (v = 0; v < 10000; v++)
		stats_hist_add(h, (double)v);
	output_rebin(h, 10, &lo, &hi, counts);
	assert_true(lo == stats_hist_quantile(h, 0.005));
	assert_true(hi == stats_hist_quantile(h, 0.995));
	assert_true(fabs(lo - 50) < 2 && fabs(hi - 9950) < 10);
	assert_int_equal(total(counts, 10), 10000);
	for (k = 0; k < 10; k++)
		assert_true(llabs((long long)counts[k] - 1000) <= 60);
	stats_hist_free(h);
}

/* One value for everyone (the textbook's total CLV): no spread, so the
   range is [v, v + 1] and a single bin holds every count. */
static void rebin_one_value(void **state)
{
	stats_hist *h = stats_hist_create();
	uint64_t counts[60];
	double lo, hi;
	int k, filled = 0;

	(void)state;
	assert_non_null(h);
	for (k = 0; k < 500; k++)
		stats_hist_add(h, 1379.56);
	output_rebin(h, 60, &lo, &hi, counts);
	assert_true(hi > lo);
	assert_true(lo <= 1379.56 && 1379.56 <= hi);
	assert_int_equal(total(counts, 60), 500);
	for (k = 0; k < 60; k++)
		filled += counts[k] > 0;
	assert_int_equal(filled, 1);
	stats_hist_free(h);
}

/* Negative and zero values keep their order: losses in the low bins, the
   zeros (the histogram's zero bin) in between. */
static void rebin_signed_values(void **state)
{
	stats_hist *h = stats_hist_create();
	uint64_t counts[4];
	double lo, hi;
	int k;

	(void)state;
	assert_non_null(h);
	for (k = 0; k < 300; k++) {
		stats_hist_add(h, -100.0 - k % 3);
		stats_hist_add(h, 0.0);
		stats_hist_add(h, 100.0 + k % 3);
	}
	output_rebin(h, 4, &lo, &hi, counts);
	assert_true(lo < -99 && hi > 99);
	assert_int_equal(counts[0], 300);
	assert_int_equal(counts[1] + counts[2], 300);
	assert_int_equal(counts[3], 300);
	stats_hist_free(h);
}

/* ------------------------------------------------------------------ */
/* The tables in --out DIR.                                            */

static void tables_of_a_run(void **state)
{
	const char *dir = *state;
	char *names;
	clv_error err = {0};
	run x = textbook_run();
	table t;
	size_t row, i;

	(void)state;
	assert_int_equal(write_run(dir, x.s, x.r, x.ex, &err), CLV_OK);
	names = th_list_dir(dir);
	/* no temporaries */
	assert_string_equal(names, "clv.csv\nclv_hist.csv\nmanifest.json\nreplications.csv\nshare.csv\n");
	free(names);

	/* replications.csv: the iteration table, one row per replication, its
	   outputs those of the run's per-replication tables (nothing is drawn
	   per replication in the textbook example: no input columns) */
	t = read_table(dir, "replications.csv");
	expect_header(&t, "replication,clv.A,clv.B,clv.C,clv.total,share_end.A,share_end.B,"
	                  "share_end.C");
	assert_int_equal(t.rows, 1 + x.r->replications);
	for (row = 1; row < t.rows; row++) {
		assert_int_equal((size_t)cell_number(&t, row, 0), row);
		for (i = 0; i <= 3; i++)
			assert_10g(cell_number(&t, row, 1 + i), x.r->rep_clv[(row - 1) * 4 + i]);
		for (i = 0; i < 3; i++)
			assert_10g(cell_number(&t, row, 5 + i), x.r->rep_share_end[(row - 1) * 3 + i]);
	}
	table_free(&t);

	/* share.csv: one row per state and period, state-major */
	t = read_table(dir, "share.csv");
	expect_header(&t, "period,state,mean,p05,p25,p50,p75,p95,exact,steady");
	assert_int_equal(t.rows, 1 + 3 * 3);
	for (row = 1; row < t.rows; row++) {
		size_t st = (row - 1) / 3, per = (row - 1) % 3, c = per * 3 + st;
		assert_int_equal((size_t)cell_number(&t, row, 0), per);
		assert_string_equal(t.cell[row][1], x.s->states[st]);
		assert_10g(cell_number(&t, row, 2), x.r->share_mean[c]);
		assert_10g(cell_number(&t, row, 8), x.ex->share[c]);
		assert_10g(cell_number(&t, row, 9), x.ex->steady[st]);
		assert_true(cell_number(&t, row, 3) <= cell_number(&t, row, 5) &&
		            cell_number(&t, row, 5) <= cell_number(&t, row, 7));
	}
	assert_string_equal(t.cell[1][8], "0.6");
	assert_string_equal(t.cell[2][8], "0.475");
	table_free(&t);

	/* clv.csv: customers and replications rows for each state and the total */
	t = read_table(dir, "clv.csv");
	expect_header(&t, "state,level,mean,se,sd,p05,p25,p50,p75,p95,exact");
	assert_int_equal(t.rows, 1 + 4 * 2);
	for (i = 0; i <= 3; i++) {
		const char *name = i < 3 ? x.s->states[i] : "total";
		assert_string_equal(t.cell[1 + 2 * i][0], name);
		assert_string_equal(t.cell[1 + 2 * i][1], "customers");
		assert_string_equal(t.cell[2 + 2 * i][1], "replications");
		assert_10g(cell_number(&t, 1 + 2 * i, 2), x.r->clv[i].mean);
		assert_10g(cell_number(&t, 2 + 2 * i, 2), x.r->clv_avg[i].mean);
		assert_10g(cell_number(&t, 1 + 2 * i, 10), x.ex->clv[i]);
	}
	/* docs/theory.md: 689.38; the cell reads back to the exact engine's double */
	assert_true(strncmp(t.cell[1][10], "689.38", 6) == 0);
	assert_true(strtod(t.cell[1][10], NULL) == x.ex->clv[0]);
	table_free(&t);

	/* clv_hist.csv: 60 equal bins per state and the total; counts sum to
	   the customers; density integrates to 1 (widths from the range)
	   ; cdf rises to 1 */
	t = read_table(dir, "clv_hist.csv");
	expect_header(&t, "state,bin_lo,bin_hi,count,density,cdf");
	assert_int_equal(t.rows, 1 + 4 * 60);
	for (i = 0; i <= 3; i++) {
		size_t first = 1 + 60 * i, last = 60 * (i + 1);
		double count = 0, density = 0, cdf = 0;
		double width = (cell_number(&t, last, 2) - cell_number(&t, first, 1)) / 60;
		for (row = first; row <= last; row++) {
			double lo = cell_number(&t, row, 1), hi = cell_number(&t, row, 2);
			assert_string_equal(t.cell[row][0], i < 3 ? x.s->states[i] : "total");
			assert_true(fabs(hi - lo - width) <= 1e-6 * (fabs(lo) + fabs(hi)));
			if (row > first)
				assert_string_equal(t.cell[row][1], t.cell[row - 1][2]);
			count += cell_number(&t, row, 3);
			density += cell_number(&t, row, 4);
			assert_true(cell_number(&t, row, 5) >= cdf);
			cdf = cell_number(&t, row, 5);
		}
		assert_true(count == 10.0 * 3000.0);
		assert_true(fabs(density * width - 1.0) < 1e-6);
		assert_true(fabs(cdf - 1.0) < 1e-9);
	}
	table_free(&t);
	run_free(&x);
}

/* A second run replaces the tables whole; the folder is made if missing
   (with its parents). */
static void earlier_tables_replaced(void **state)
{
	const char *top = *state;
	char dir[4096], path[4096], *text;
	clv_error err = {0};
	run x = textbook_run();

	(void)state;
	th_path(dir, sizeof dir, top, "new/deeper");
	assert_int_equal(write_run(dir, x.s, x.r, x.ex, &err), CLV_OK);
	th_write_file(th_path(path, sizeof path, dir, "share.csv"), "stale\n");
	assert_int_equal(write_run(dir, x.s, x.r, x.ex, &err), CLV_OK);
	text = th_read_file(path, NULL);
	assert_int_equal(strncmp(text, "period,state,", 13), 0);
	free(text);
	run_free(&x);
}

/* Nothing half-written: when the folder cannot be made (a file is in the
   way) the error names it and the file stays. */
static void folder_in_the_way(void **state)
{
	const char *top = *state;
	char blocker[4096], sub[4096], *text;
	clv_error err = {0};
	run x = textbook_run();

	(void)state;
	th_write_file(th_path(blocker, sizeof blocker, top, "file"), "keep\n");
	th_path(sub, sizeof sub, blocker, "out");
	assert_int_equal(write_run(sub, x.s, x.r, x.ex, &err), CLV_ERR_IO);
	assert_non_null(strstr(err.msg, blocker));
	text = th_read_file(blocker, NULL);
	assert_string_equal(text, "keep\n");
	free(text);
	run_free(&x);
}

/* After a signal no table is written and the earlier ones stay. */
static void interrupted_writes_nothing(void **state)
{
	const char *top = *state;
	char path[4096], *text, *names;
	clv_error err = {0};
	run x = textbook_run();

	(void)state;
	th_write_file(th_path(path, sizeof path, top, "share.csv"), "earlier\n");
	raise_interrupt();
	assert_int_equal(write_run(top, x.s, x.r, x.ex, &err), CLV_ERR_INTERRUPTED);
	names = th_list_dir(top);
	assert_string_equal(names, "share.csv\n");
	free(names);
	text = th_read_file(path, NULL);
	assert_string_equal(text, "earlier\n");
	free(text);
	run_free(&x);
}

/* A fresh temporary folder per test, removed whatever the outcome. */
static int make_dir(void **state)
{
	*state = th_tmpdir("test-output");
	return 0;
}

static int drop_dir(void **state)
{
	th_tmpdir_remove(*state);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rebin_uniform_values),
		cmocka_unit_test(rebin_one_value),
		cmocka_unit_test(rebin_signed_values),
		cmocka_unit_test_setup_teardown(tables_of_a_run, make_dir, drop_dir),
		cmocka_unit_test_setup_teardown(earlier_tables_replaced, make_dir, drop_dir),
		cmocka_unit_test_setup_teardown(folder_in_the_way, make_dir, drop_dir),
		/* keep last: the interrupt flag stays raised */
		cmocka_unit_test_setup_teardown(interrupted_writes_nothing, make_dir, drop_dir),
	};

	gsl_set_error_handler_off();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
