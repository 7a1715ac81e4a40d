/*
 * test_output_whatif.c - the files of the what-ifs in --out DIR
 * (output/output_compare.c, output_sweep.c, output_tornado.c) and the one
 * "tables as an atomic group, then figures" sequence they share with run
 * (output_files in output/output.c):
 *
 *  - each table's header, its row count, and every cell against the
 *    what-if result (numbers to the ten digits csv.h prints, NaN as
 *    empty); histograms add up to their counts and end on a cdf of 1;
 *    which files each case writes;
 *  - failures: an --out path that is a regular file (or lies under one)
 *    is CLV_ERR_IO naming it, with the file and its folder untouched; a
 *    failing writer keeps the earlier tables and leaves no temporary
 *    file; after a signal nothing is written (CLV_ERR_INTERRUPTED).
 *
 * Fixtures: whatif_fixture.h. Figures are off (--plot none): the CLI's
 * golden outputs cover them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/interrupt.h"
#include "output/csv.h"
#include "output/output.h"
#include "output/output_compare.h"
#include "output/output_sweep.h"
#include "output/output_tornado.h"
#include "output/report_compare.h"
#include "output/report_sweep.h"
#include "output/report_tornado.h"
#include "whatif_fixture.h"

/* ---- helpers: files -------------------------------------------------------- */

static const char *path_in(char *buf, const char *sub, const char *name)
{
	snprintf(buf, PATH_CAP, "%s/%s%s%s", fx.dir, sub, name ? "/" : "", name ? name : "");
	return buf;
}

/* The names in dir, sorted, joined by spaces ("" when empty). */
static char *listing(const char *dir)
{
	struct dirent **names;
	size_t len = 1;
	char *out;
	int n = scandir(dir, &names, NULL, alphasort), k;

	assert_true(n >= 0);
	for (k = 0; k < n; k++)
		len += strlen(names[k]->d_name) + 1;
	out = calloc(len, 1);
	assert_non_null(out);
	for (k = 0; k < n; k++) {
		if (strcmp(names[k]->d_name, ".") != 0 && strcmp(names[k]->d_name, "..") != 0) {
			if (out[0] != '\0')
				strcat(out, " ");
			strcat(out, names[k]->d_name);
		}
		free(names[k]);
	}
	free(names);
	return out;
}

static void assert_listing(const char *dir, const char *expected)
{
	char *got = listing(dir);

	assert_string_equal(got, expected);
	free(got);
}

static void write_text_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static void assert_file_text(const char *path, const char *expected)
{
	char buf[256] = {0};
	FILE *f = fopen(path, "r");

	assert_non_null(f);
	assert_true(fread(buf, 1, sizeof buf - 1, f) < sizeof buf - 1);
	fclose(f);
	assert_string_equal(buf, expected);
}

/* ---- helpers: tables -------------------------------------------------------- */

/* A CSV file read back: rows of fields (row 0 is the header). */
typedef struct table {
	size_t n_rows;
	size_t *n_fields;
	char ***field;
} table;

static table *table_read(const char *path)
{
	FILE *f = fopen(path, "r");
	clv_error err = {0};
	csv_reader *r;
	table *t = calloc(1, sizeof *t);
	bool got = true;

	assert_non_null(f);
	assert_non_null(t);
	r = csv_reader_create(f, path, &err);
	assert_non_null(r);
	for (;;) {
		size_t k, n;
		assert_int_equal(csv_reader_next(r, &got, &err), CLV_OK);
		if (!got)
			break;
		n = csv_reader_count(r);
		t->n_fields = realloc(t->n_fields, (t->n_rows + 1) * sizeof *t->n_fields);
		t->field = realloc(t->field, (t->n_rows + 1) * sizeof *t->field);
		assert_non_null(t->n_fields);
		assert_non_null(t->field);
		t->n_fields[t->n_rows] = n;
		t->field[t->n_rows] = calloc(n, sizeof **t->field);
		for (k = 0; k < n; k++)
			t->field[t->n_rows][k] = strdup(csv_reader_field(r, k));
		t->n_rows++;
	}
	csv_reader_free(r);
	fclose(f);
	return t;
}

static void table_free(table *t)
{
	size_t i, k;

	for (i = 0; i < t->n_rows; i++) {
		for (k = 0; k < t->n_fields[i]; k++)
			free(t->field[i][k]);
		free(t->field[i]);
	}
	free(t->field);
	free(t->n_fields);
	free(t);
}

/* The header, joined by commas, and every row as wide as it. */
static void assert_header(const table *t, const char *header)
{
	char buf[512] = "";
	size_t k, i;

	assert_true(t->n_rows >= 1);
	for (k = 0; k < t->n_fields[0]; k++) {
		if (k > 0)
			strcat(buf, ",");
		strcat(buf, t->field[0][k]);
	}
	assert_string_equal(buf, header);
	for (i = 1; i < t->n_rows; i++)
		assert_int_equal(t->n_fields[i], t->n_fields[0]);
}

static const char *cell(const table *t, size_t row, size_t col)
{
	assert_true(row < t->n_rows);
	assert_true(col < t->n_fields[row]);
	return t->field[row][col];
}

/* A CSV number against v: empty for NaN and +-Inf, else the shortest
   decimal that reads back to v exactly. */
static void assert_cell_number(const char *text, double v)
{
	char *end;
	double x;

	if (!isfinite(v)) {
		assert_string_equal(text, "");
		return;
	}
	x = strtod(text, &end);
	assert_true(end != text && *end == '\0');
	assert_true(x == v);
}

static output_settings settings_in(char *buf, const char *sub)
{
	output_settings set = {.out_dir = path_in(buf, sub, NULL), .plot = "none"};

	return set;
}

/* compare.csv: one row per scenario and state of the first, then total. */
static void assert_compare_table(const whatif_compare *c, const char *dir)
{
	char path[PATH_CAP];
	table *t;
	size_t k, i, row = 1;

	snprintf(path, sizeof path, "%s/compare.csv", dir);
	t = table_read(path);
	assert_header(t, "scenario,file,state,exact,mean,se,diff_exact,diff_mean,diff_se,diff_lo90,"
	                 "diff_hi90,p_beats_first,offer_spend,return_on_spend,ros_lo90,ros_hi90");
	assert_int_equal(t->n_rows, 1 + c->n_arms * (c->n + 1 + report_compare_has_offers(c)));
	for (k = 0; k < c->n_arms; k++)
		for (i = 0; i <= c->n; i++, row++) {
			const whatif_arm *a = &c->arm[k];
			if (i == c->n && report_compare_has_offers(c)) {
				/* the offer spend's row before the total, beside the states */
				const double w[] = {a->spend_exact, a->spend_mean, a->spend_se,
				                    k ? a->spend_diff.exact : (double)NAN,
				                    k ? a->spend_diff.mean : (double)NAN};
				size_t col;
				assert_string_equal(cell(t, row, 2), "offer_spend");
				for (col = 0; col < sizeof w / sizeof w[0]; col++)
					assert_cell_number(cell(t, row, 3 + col), w[col]);
				row++;
			}
			size_t j = i == c->n ? a->s->n : scenario_state_index(a->s, c->arm[0].s->states[i]);
			bool has = j != (size_t)-1;
			const double v[] = {has ? a->exact[j] : (double)NAN, has ? a->mean[j] : (double)NAN,
			                    has ? a->se[j] : (double)NAN,
			                    /* the first scenario: no difference (JSON null) */
			                    k ? a->diff[i].exact : (double)NAN, k ? a->diff[i].mean : (double)NAN,
			                    k ? a->diff[i].se : (double)NAN, k ? a->diff[i].lo90 : (double)NAN,
			                    k ? a->diff[i].hi90 : (double)NAN, a->p_beats, a->spend, a->ros, a->ros_lo90,
			                    a->ros_hi90};
			size_t col;
			/* the third scenario repeats the first's name: its file names it */
			assert_string_equal(cell(t, row, 0), k == 2 && c == fx.cmp ? a->s->path : a->s->name);
			assert_string_equal(cell(t, row, 1), a->s->path);
			assert_string_equal(cell(t, row, 2), report_compare_state(c, i));
			for (col = 0; col < sizeof v / sizeof v[0]; col++)
				assert_cell_number(cell(t, row, 3 + col), v[col]);
		}
	table_free(t);
}

/* A histogram table's group [first, first + bins): counts adding up to
   n, a cdf ending on 1, density * width * n = count. */
static void assert_hist_group(const table *t, size_t first, size_t bins, double n)
{
	double sum = 0.0, tol;
	size_t b;

	for (b = first; b < first + bins; b++) {
		double lo = atof(cell(t, b, 2)), hi = atof(cell(t, b, 3)), count = atof(cell(t, b, 4));
		assert_true(hi > lo);
		sum += count;
		/* the edges carry ten digits: so does the width they give, relative to them */
		tol = 1e-9 * fmax(1.0, n) + count * 4e-9 * fmax(fabs(lo), fabs(hi)) / (hi - lo);
		assert_true(fabs(atof(cell(t, b, 5)) * (hi - lo) * n - count) <= tol);
		assert_true(fabs(atof(cell(t, b, 6)) - sum / n) <= 1e-9);
	}
	assert_true(sum == n);
	assert_true(fabs(atof(cell(t, first + bins - 1, 6)) - 1.0) <= 1e-9);
}

static void assert_compare_hist(const whatif_compare *c, const char *dir)
{
	char path[PATH_CAP];
	table *t;
	size_t k, i, row = 1;

	snprintf(path, sizeof path, "%s/compare_hist.csv", dir);
	t = table_read(path);
	assert_header(t, "scenario,state,bin_lo,bin_hi,count,density,cdf");
	for (k = 0; k < c->n_arms; k++)
		for (i = 0; i <= c->arm[k].s->n; i++, row += OUTPUT_HIST_BINS) {
			const clv_scenario *s = c->arm[k].s;
			assert_string_equal(cell(t, row, 1), i < s->n ? s->states[i] : "total");
			assert_hist_group(t, row, OUTPUT_HIST_BINS, (double)c->arm[k].mc->hist[i]->n);
		}
	assert_int_equal(t->n_rows, row);
	table_free(t);
}

/* compare_diff.csv: for every scenario but the first and every state it
   shares with the first, a histogram of the R paired differences. */
static void assert_compare_diff(const whatif_compare *c, const char *dir)
{
	char path[PATH_CAP];
	table *t;
	size_t k, i, row = 1;

	snprintf(path, sizeof path, "%s/compare_diff.csv", dir);
	t = table_read(path);
	assert_header(t, "scenario,state,bin_lo,bin_hi,count,density,cdf");
	for (k = 1; k < c->n_arms; k++)
		for (i = 0; i <= c->n; i++) {
			size_t bins = 0;
			if (isnan(c->arm[k].diff[i].exact))
				continue;
			assert_string_equal(cell(t, row, 1), report_compare_state(c, i));
			while (row + bins < t->n_rows && strcmp(cell(t, row + bins, 0), cell(t, row, 0)) == 0 &&
			       strcmp(cell(t, row + bins, 1), cell(t, row, 1)) == 0)
				bins++;
			/* ceil(sqrt(R)) bins within [5, 40], or 1 when every difference is equal */
			assert_true(bins == 1 || bins == 5);
			assert_hist_group(t, row, bins, (double)c->replications);
			row += bins;
		}
	assert_int_equal(t->n_rows, row);
	table_free(t);
}

static void test_compare_tables(void **state)
{
	char dir[PATH_CAP], where[PATH_CAP];
	output_settings set = settings_in(dir, "cmp");
	clv_error err = {0};

	assert_int_equal(output_compare(&set, fx.cmp, &err), CLV_OK);
	assert_listing(dir, "compare.csv compare_diff.csv compare_evppi.csv compare_hist.csv "
	               "compare_p_best.csv compare_replications.csv manifest.json");
	assert_compare_table(fx.cmp, dir);
	assert_compare_hist(fx.cmp, dir);
	assert_compare_diff(fx.cmp, dir);
	set = settings_in(where, "apart");
	assert_int_equal(output_compare(&set, fx.apart, &err), CLV_OK);
	assert_compare_table(fx.apart, where);
	assert_compare_hist(fx.apart, where);
	assert_compare_diff(fx.apart, where); /* only "total": no state in common */
}

/* Cells x..: ",mean,se,exact" of state i at point p. */
static void assert_sweep_values(const table *t, size_t row, size_t col, const whatif_sweep *w,
                                size_t p, size_t i)
{
	size_t c = p * (w->n + 1) + i;

	assert_cell_number(cell(t, row, col), w->mean[c]);
	assert_cell_number(cell(t, row, col + 1), w->se[c]);
	assert_cell_number(cell(t, row, col + 2), w->exact[c]);
}

static void test_sweep_tables(void **state)
{
	char dir[PATH_CAP], path[PATH_CAP];
	output_settings set = settings_in(dir, "sweep1");
	clv_error err = {0};
	table *t;
	size_t i, p, row = 1;

	assert_int_equal(output_sweep(&set, fx.line, fx.book, &err), CLV_OK);
	assert_listing(dir, "manifest.json sweep.csv");
	t = table_read(path_in(path, "sweep1", "sweep.csv"));
	assert_header(t, "discount_rate,state,mean,se,exact"); /* the swept key names its column */
	assert_int_equal(t->n_rows, 1 + (fx.line->n + 1) * fx.line->n_points);
	for (i = 0; i <= fx.line->n; i++)
		for (p = 0; p < fx.line->n_points; p++, row++) {
			assert_cell_number(cell(t, row, 0), fx.line->x[p]);
			assert_string_equal(cell(t, row, 1), report_sweep_state(fx.line, i));
			assert_sweep_values(t, row, 2, fx.line, p, i);
		}
	table_free(t);
}

static void test_sweep_grid_tables(void **state)
{
	char dir[PATH_CAP], path[PATH_CAP];
	output_settings set = settings_in(dir, "sweep2");
	const whatif_sweep *w = fx.grid;
	clv_error err = {0};
	table *t, *st;
	size_t i, p, row = 1;

	assert_int_equal(output_sweep(&set, w, fx.book, &err), CLV_OK);
	assert_listing(dir, "manifest.json sweep2.csv sweep2_states.csv");
	t = table_read(path_in(path, "sweep2", "sweep2.csv"));
	st = table_read(path_in(path, "sweep2", "sweep2_states.csv"));
	assert_header(t, "discount_rate,margin.A,mean,se,exact");
	assert_header(st, "discount_rate,margin.A,state,mean,se,exact");
	assert_int_equal(t->n_rows, 1 + w->n_points);
	assert_int_equal(st->n_rows, 1 + (w->n + 1) * w->n_points);
	for (p = 0; p < w->n_points; p++) {
		assert_cell_number(cell(t, p + 1, 0), w->x[2 * p]);
		assert_cell_number(cell(t, p + 1, 1), w->x[2 * p + 1]);
		assert_sweep_values(t, p + 1, 2, w, p, w->n);
	}
	for (i = 0; i <= w->n; i++)
		for (p = 0; p < w->n_points; p++, row++) {
			assert_cell_number(cell(st, row, 0), w->x[2 * p]);
			assert_cell_number(cell(st, row, 1), w->x[2 * p + 1]);
			assert_string_equal(cell(st, row, 2), report_sweep_state(w, i));
			assert_sweep_values(st, row, 3, w, p, i);
		}
	table_free(t);
	table_free(st);
}

/* tornado.csv or tornado_state.csv: the bars of state k by |swing|. */
static void assert_bars(const char *path, const report_tornado_view *v, size_t k)
{
	const whatif_tornado *t = v->t;
	const size_t *order = k == t->n ? v->total_order : v->order;
	table *tab = table_read(path);
	size_t r;

	assert_header(tab, "assumption,low_input,high_input,clv_low,clv_high,swing,base");
	assert_int_equal(tab->n_rows, 1 + t->n_inputs);
	for (r = 0; r < t->n_inputs; r++) {
		const whatif_input *in = &t->input[order[r]];
		assert_string_equal(cell(tab, r + 1, 0), in->label);
		assert_cell_number(cell(tab, r + 1, 1), in->value[0]);
		assert_cell_number(cell(tab, r + 1, 2), in->value[WHATIF_SPIDER - 1]);
		assert_cell_number(cell(tab, r + 1, 3), report_tornado_clv(t, order[r], 0, k));
		assert_cell_number(cell(tab, r + 1, 4),
		                   report_tornado_clv(t, order[r], WHATIF_SPIDER - 1, k));
		assert_cell_number(cell(tab, r + 1, 5), fabs(whatif_swing(t, order[r], k)));
		assert_cell_number(cell(tab, r + 1, 6), t->base[k]);
		if (r > 0) /* widest first */
			assert_true(atof(cell(tab, r + 1, 5)) <= atof(cell(tab, r, 5)));
	}
	table_free(tab);
}

static void assert_elasticities(const char *path, const whatif_tornado *t)
{
	table *tab = table_read(path);
	size_t k, i, row = 1;

	assert_header(tab, "input,base,state,elasticity");
	assert_int_equal(tab->n_rows, 1 + t->n_elast * (t->n + 1));
	for (k = 0; k < t->n_elast; k++)
		for (i = 0; i <= t->n; i++, row++) {
			assert_string_equal(cell(tab, row, 0), t->elast[k].input);
			assert_cell_number(cell(tab, row, 1), t->elast[k].base);
			assert_string_equal(cell(tab, row, 2), report_tornado_state(t, i));
			assert_cell_number(cell(tab, row, 3), report_tornado_elasticity(t, k, i));
		}
	table_free(tab);
}

static void test_tornado_tables(void **state)
{
	char dir[PATH_CAP], path[PATH_CAP];
	output_settings set = settings_in(dir, "tor");
	report_tornado_view v = view_of(fx.tor, fx.unc, scenario_state_index(fx.unc, "Rival"));
	const whatif_tornado *t = fx.tor;
	clv_error err = {0};
	table *sp;
	size_t k, row = 1;
	int q;

	assert_true(t->base[v.state] != t->base[t->n]); /* the two rankings differ */
	assert_int_equal(output_tornado(&set, &v, &err), CLV_OK);
	assert_listing(dir, "elasticity.csv manifest.json spider.csv tornado.csv tornado_state.csv");
	assert_bars(path_in(path, "tor", "tornado.csv"), &v, t->n);
	assert_bars(path_in(path, "tor", "tornado_state.csv"), &v, v.state);
	assert_elasticities(path_in(path, "tor", "elasticity.csv"), t);
	sp = table_read(path_in(path, "tor", "spider.csv"));
	assert_header(sp, "assumption,percentile,input,clv");
	assert_int_equal(sp->n_rows, 1 + t->n_inputs * WHATIF_SPIDER);
	for (k = 0; k < t->n_inputs; k++)
		for (q = 0; q < WHATIF_SPIDER; q++, row++) {
			char pct[8];
			snprintf(pct, sizeof pct, "%d", (q + 1) * 10);
			assert_string_equal(cell(sp, row, 0), t->input[k].label);
			assert_string_equal(cell(sp, row, 1), pct);
			assert_cell_number(cell(sp, row, 2), t->input[k].value[q]);
			assert_cell_number(cell(sp, row, 3), report_tornado_clv(t, k, q, t->n));
		}
	table_free(sp);
	report_tornado_view_clear(&v);
}

/* Without --state no tornado_state.csv; without uncertain assumptions
   only elasticity.csv. */
static void test_tornado_tables_fewer(void **state)
{
	char dir[PATH_CAP], flat_dir[PATH_CAP], path[PATH_CAP];
	output_settings set = settings_in(dir, "tor_total");
	report_tornado_view v = view_of(fx.tor, fx.unc, fx.tor->n);
	report_tornado_view flat = view_of(fx.flat, fx.book, fx.flat->n);
	clv_error err = {0};

	assert_int_equal(output_tornado(&set, &v, &err), CLV_OK);
	assert_listing(dir, "elasticity.csv manifest.json spider.csv tornado.csv");
	set = settings_in(flat_dir, "tor_flat");
	assert_int_equal(output_tornado(&set, &flat, &err), CLV_OK);
	assert_listing(flat_dir, "elasticity.csv manifest.json");
	assert_elasticities(path_in(path, "tor_flat", "elasticity.csv"), fx.flat);
	report_tornado_view_clear(&v);
	report_tornado_view_clear(&flat);
}

/* ---- failures ---------------------------------------------------------------- */

/* --out FILE (a regular file) and --out FILE/sub: CLV_ERR_IO naming the
   path, the file and the suite's folder as they were. */
static void test_out_is_a_file(void **state)
{
	const char *subs[] = {"plain", "plain/sub"};
	char file[PATH_CAP], out[PATH_CAP], *before;
	report_tornado_view v = view_of(fx.tor, fx.unc, fx.tor->n);
	size_t k;

	remove_tree(path_in(file, "fail", NULL));
	assert_int_equal(mkdir(file, 0777), 0);
	write_text_file(path_in(file, "fail", "plain"), "keep\n");
	before = listing(path_in(out, "fail", NULL));
	for (k = 0; k < 2; k++) {
		char sub[64];
		output_settings set;
		clv_error err = {0};
		snprintf(sub, sizeof sub, "fail/%s", subs[k]);
		set = settings_in(out, sub);
		assert_int_equal(output_compare(&set, fx.cmp, &err), CLV_ERR_IO);
		assert_non_null(strstr(err.msg, "fail/plain"));
		assert_int_equal(output_sweep(&set, fx.grid, fx.book, &err), CLV_ERR_IO);
		assert_int_equal(output_tornado(&set, &v, &err), CLV_ERR_IO);
		assert_listing(path_in(out, "fail", NULL), before);
		assert_file_text(file, "keep\n");
	}
	free(before);
	report_tornado_view_clear(&v);
}

static clv_status write_new(FILE *f, const void *data, clv_error *err)
{
	fputs("new\n", f);
	return CLV_OK;
}

static clv_status write_fails(FILE *f, const void *data, clv_error *err)
{
	fputs("half", f);
	return diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory writing %s", (const char *)data);
}

/* A writer fails on the second table: the earlier tables stay as they
   were, no new table and no temporary file appear. */
static void test_failing_writer_keeps_old_tables(void **state)
{
	static const output_table tables[] = {
		{"a.csv", write_new},
		{"b.csv", write_fails},
		{"c.csv", write_new},
	};
	char dir[PATH_CAP], path[PATH_CAP];
	output_settings set = settings_in(dir, "old");
	clv_error err = {0};

	assert_int_equal(mkdir(dir, 0777), 0);
	write_text_file(path_in(path, "old", "a.csv"), "old a\n");
	assert_int_equal(output_files(&set, tables, 3, "b.csv", NULL, &err), CLV_ERR_NOMEM);
	assert_string_equal(err.msg, "out of memory writing b.csv");
	assert_listing(dir, "a.csv");
	assert_file_text(path, "old a\n");
	assert_int_equal(output_files(&set, tables, 1, NULL, NULL, &err), CLV_OK);
	assert_file_text(path, "new\n");
}

/* After a signal, nothing is written: CLV_ERR_INTERRUPTED. The flag
   cannot be cleared, so this test runs last. */
static void test_interrupt_writes_nothing(void **state)
{
	char dir[PATH_CAP];
	output_settings set = settings_in(dir, "signal");
	clv_error err = {0};

	interrupt_raise();
	assert_int_equal(output_compare(&set, fx.cmp, &err), CLV_ERR_INTERRUPTED);
	assert_string_equal(err.msg, "interrupted: no results written");
	assert_listing(dir, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_compare_tables),
		cmocka_unit_test(test_sweep_tables),
		cmocka_unit_test(test_sweep_grid_tables),
		cmocka_unit_test(test_tornado_tables),
		cmocka_unit_test(test_tornado_tables_fewer),
		cmocka_unit_test(test_out_is_a_file),
		cmocka_unit_test(test_failing_writer_keeps_old_tables),
		cmocka_unit_test(test_interrupt_writes_nothing), /* keep last */
	};

	return cmocka_run_group_tests(tests, whatif_fixture_setup, whatif_fixture_teardown);
}
