/*
 * test_plot.c - figures through gnuplot: every script draws a valid PNG
 * and SVG from the fixtures in tests/data/plot/; hostile names (quotes,
 * backquotes, newlines, system(), @macros, enhanced-text markup, paths
 * starting with '<' or '|') are drawn literally and run nothing; the
 * quoting round-trips exact bytes; without gnuplot, or with a failing
 * script, plot_figure fails with a useful message and leaves no file.
 * Figures drawn into a group from its uncommitted tables (plot_group),
 * a script failure there only a warning; a full disk (a small tmpfs,
 * when mounting is allowed) makes the figure an error naming the file
 * and ENOSPC, with the earlier figure kept; an interrupt while gnuplot
 * runs kills it at once (CLV_ERR_INTERRUPTED, in a forked child, since
 * the flag cannot be cleared).
 *
 * Degenerate scenarios (tests/data/plot/degenerate: one state, every CLV
 * equal, a single replication, a state with no mass, one-point sweeps)
 * draw every figure with clvsim's stderr empty (gnuplot's warnings are
 * passed on, so none is hidden), and the legends quote the text report
 * digit for digit.
 *
 * Runs from the repo top (the Makefile does). Tests that need gnuplot
 * are skipped only when no gnuplot is on PATH.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/interrupt.h"
#include "output/csv.h"
#include "output/plot.h"
#include "test_helpers.h"

#define FIXTURES "tests/data/plot"

/* rc must be want; otherwise show the message before failing. */
#define assert_status(rc, want, err) do { \
	clv_status got_ = (rc); \
	if (got_ != (want)) \
		print_error("status %d: %s\n", (int)got_, (err)->msg); \
	assert_int_equal(got_, (want)); \
} while (0)

static const char *const fixture_files[] = {
	"share.csv", "clv_hist.csv", "clv.csv", "compare_hist.csv", "compare_diff.csv",
	"tornado.csv", "spider.csv", "sweep.csv", "sweep2.csv", "fit_holdout.csv", "fit_survival.csv",
	"solve.csv", "solve_summary.csv",
	"compare_p_best.csv", "compare_evppi.csv", "sweep_diff.csv", "sweep_breakeven.csv",
	"sweep2_diff.csv", "sweep2_breakeven.csv",
};
#define N_FIXTURES (sizeof fixture_files / sizeof fixture_files[0])

static bool have_gnuplot;
static char plots_dir[PATH_MAX];
static char top_dir[PATH_MAX];

/* Hostile text: the marker paths are filled in per test directory. */
static char hostile[2048];
static char marker_bq[PATH_MAX], marker_sys[PATH_MAX];

typedef struct figure_case {
	const char *script;
	const char *var[2], *file[2];
} figure_case;

static const figure_case cases[] = {
	{"share_fan.gp", {"datafile", NULL}, {"share.csv", NULL}},
	{"clv_dist.gp", {"datafile", "clvfile"}, {"clv_hist.csv", "clv.csv"}},
	{"compare.gp", {"datafile", NULL}, {"compare_diff.csv", NULL}},
	{"tornado.gp", {"datafile", NULL}, {"tornado.csv", NULL}},
	{"spider.gp", {"datafile", NULL}, {"spider.csv", NULL}},
	{"sweep_line.gp", {"datafile", NULL}, {"sweep.csv", NULL}},
	{"sweep_heat.gp", {"datafile", NULL}, {"sweep2.csv", NULL}},
	{"fit_holdout.gp", {"datafile", NULL}, {"fit_holdout.csv", NULL}},
	{"fit_survival.gp", {"datafile", NULL}, {"fit_survival.csv", NULL}},
	{"solve.gp", {"datafile", "summaryfile"}, {"solve.csv", "solve_summary.csv"}},
	{"compare_decision.gp", {"datafile", "evppifile"}, {"compare_p_best.csv", "compare_evppi.csv"}},
	{"sweep_diff.gp", {"datafile", "bevenfile"}, {"sweep_diff.csv", "sweep_breakeven.csv"}},
	{"sweep_diff_heat.gp", {"datafile", "contourfile"}, {"sweep2_diff.csv", "sweep2_breakeven.csv"}},
};
#define N_CASES (sizeof cases / sizeof cases[0])

/* ------------------------------------------------------------------ */
/* Files and directories.                                               */

static void copy_file(const char *from, const char *to)
{
	FILE *in = fopen(from, "rb"), *out;
	char buf[8192];
	size_t n;

	assert_non_null(in);
	out = fopen(to, "wb");
	assert_non_null(out);
	while ((n = fread(buf, 1, sizeof buf, in)) > 0)
		assert_int_equal(fwrite(buf, 1, n, out), n);
	fclose(in);
	assert_int_equal(fclose(out), 0);
}

static void copy_fixtures(const char *dir)
{
	char from[PATH_MAX], to[PATH_MAX];
	size_t i;

	for (i = 0; i < N_FIXTURES; i++) {
		th_path(from, sizeof from, FIXTURES, fixture_files[i]);
		th_path(to, sizeof to, dir, fixture_files[i]);
		copy_file(from, to);
	}
}

static int setup_dir(void **state)
{
	char *dir = th_tmpdir("test-plot");
	int n;

	copy_fixtures(dir);
	th_path(marker_bq, sizeof marker_bq, dir, "marker_backquote");
	th_path(marker_sys, sizeof marker_sys, dir, "marker_system");
	n = snprintf(hostile, sizeof hostile,
	         "It's \"Brand\", `touch %s` $(touch %s)\nline 2: system(\"touch %s\") "
	         "@outfile @x {/Symbol a} ^ _ , %% \\n \\ end",
	         marker_bq, marker_bq, marker_sys);
	assert_true(n > 0 && (size_t)n < sizeof hostile);
	*state = dir;
	return 0;
}

static int teardown_dir(void **state)
{
	char tiny[PATH_MAX];

	/* a failed test may have left these changed, or a tmpfs mounted */
	setenv("CLVSIM_PLOTS_DIR", plots_dir, 1);
	th_path(tiny, sizeof tiny, *state, "tiny");
	umount2(tiny, MNT_DETACH);
	if (chdir(top_dir) != 0)
		return -1;
	th_tmpdir_remove(*state);
	return 0;
}

static long file_size(const char *dir, const char *name)
{
	char path[PATH_MAX];
	struct stat st;

	th_path(path, sizeof path, dir, name);
	return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

/* Entries of dir that are not fixtures; *hidden counts the dot files. */
static int extra_entries(const char *dir, int *hidden)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;
	size_t i;

	assert_non_null(d);
	*hidden = 0;
	while ((e = readdir(d)) != NULL) {
		bool fixture = false;
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		for (i = 0; i < N_FIXTURES; i++)
			fixture = fixture || strcmp(e->d_name, fixture_files[i]) == 0;
		n += !fixture;
		*hidden += e->d_name[0] == '.';
	}
	closedir(d);
	return n;
}

static unsigned char *slurp(const char *dir, const char *name, long *len)
{
	char path[PATH_MAX];
	size_t n = 0;
	char *buf = th_read_file(th_path(path, sizeof path, dir, name), &n);

	if (buf == NULL)
		fprintf(stderr, "cannot read %s\n", path);
	assert_non_null(buf);
	*len = (long)n;
	return (unsigned char *)buf;
}

static unsigned long be32(const unsigned char *p)
{
	return ((unsigned long)p[0] << 24) | ((unsigned long)p[1] << 16) |
	       ((unsigned long)p[2] << 8) | p[3];
}

/* A PNG: signature, IHDR first, both sides over 300 pixels. */
static void assert_png(const char *dir, const char *name)
{
	static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
	long len;
	unsigned char *b = slurp(dir, name, &len);

	assert_true(len > 5000);
	assert_memory_equal(b, sig, 8);
	assert_memory_equal(b + 12, "IHDR", 4);
	assert_true(be32(b + 16) > 300);
	assert_true(be32(b + 20) > 300);
	free(b);
}

static void assert_svg(const char *dir, const char *name)
{
	long len;
	unsigned char *b = slurp(dir, name, &len);

	assert_true(len > 5000);
	assert_non_null(strstr((const char *)b, "<svg"));
	assert_non_null(strstr((const char *)b, "</svg>"));
	free(b);
}

static void assert_pdf(const char *dir, const char *name)
{
	long len;
	unsigned char *b = slurp(dir, name, &len);

	assert_true(len > 5000);
	assert_memory_equal(b, "%PDF-", 5);
	free(b);
}

/* ------------------------------------------------------------------ */
/* Drawing.                                                             */

/* Draw case c; text goes into every text variable but scenario (NULL:
   plausible units and keys). */
static clv_status draw_with(const figure_case *c, const char *dir, const char *out,
                            const char *scenario, const char *text, clv_error *err)
{
	plot_var v[8];
	size_t n = 0, k;

	for (k = 0; k < 2 && c->file[k] != NULL; k++)
		v[n++] = (plot_var){c->var[k], c->file[k], PLOT_DATA};
	v[n++] = (plot_var){"scenario", scenario, PLOT_TEXT};
	v[n++] = (plot_var){"period_unit", text ? text : "year", PLOT_TEXT};
	v[n++] = (plot_var){"currency", text ? text : "EUR", PLOT_TEXT};
	v[n++] = (plot_var){"xlabel", text ? text : "retention.A", PLOT_TEXT};
	v[n++] = (plot_var){"ylabel", text ? text : "discount_rate", PLOT_TEXT};
	return plot_figure(c->script, dir, v, n, out, err);
}

static clv_status draw_case(const figure_case *c, const char *dir, const char *out,
                            const char *scenario, clv_error *err)
{
	return draw_with(c, dir, out, scenario, NULL, err);
}

static void need_gnuplot(void)
{
	if (!have_gnuplot)
		skip();
}

static void every_figure_png_and_svg(void **state)
{
	const char *dir = *state;
	char name[64];
	size_t i;
	int hidden;

	need_gnuplot();
	for (i = 0; i < N_CASES; i++) {
		clv_error err = {0};
		snprintf(name, sizeof name, "fig%zu.png", i);
		assert_status(draw_case(&cases[i], dir, name, "textbook", &err), CLV_OK, &err);
		assert_png(dir, name);
		snprintf(name, sizeof name, "fig%zu.svg", i);
		assert_status(draw_case(&cases[i], dir, name, "textbook", &err), CLV_OK, &err);
		assert_svg(dir, name);
	}
	assert_int_equal(extra_entries(dir, &hidden), 2 * (int)N_CASES);
	assert_int_equal(hidden, 0); /* no temp or data copy left */
}

static void pdf_output(void **state)
{
	clv_error err = {0};

	need_gnuplot();
	assert_int_equal(draw_case(&cases[0], *state, "share.pdf", "textbook", &err), CLV_OK);
	assert_pdf(*state, "share.pdf");
}

/* Rewrite dir/file, replacing every field equal to one of from[] by to. */
static void poison(const char *dir, const char *file, const char *const *from, size_t n_from,
                   const char *to)
{
	char path[PATH_MAX], tmp[PATH_MAX];
	clv_error err = {0};
	FILE *in, *out;
	csv_reader *r;
	bool got = true;
	size_t i, k;

	th_path(path, sizeof path, dir, file);
	assert_true((size_t)snprintf(tmp, sizeof tmp, "%s.new", path) < sizeof tmp);
	in = fopen(path, "r");
	out = fopen(tmp, "w");
	assert_non_null(in);
	assert_non_null(out);
	r = csv_reader_create(in, path, &err);
	while (csv_reader_next(r, &got, &err) == CLV_OK && got) {
		for (i = 0; i < csv_reader_count(r); i++) {
			const char *f = csv_reader_field(r, i);
			for (k = 0; k < n_from; k++)
				if (strcmp(f, from[k]) == 0)
					f = to;
			if (i)
				csv_sep(out);
			csv_field(out, f);
		}
		csv_end(out);
	}
	assert_int_equal(err.status, CLV_OK);
	csv_reader_free(r);
	fclose(in);
	assert_int_equal(fclose(out), 0);
	assert_int_equal(rename(tmp, path), 0);
}

static void poison_all(const char *dir)
{
	static const char *const names[] = {"B", "A retention 80%", "margin.B"};
	size_t i;

	for (i = 0; i < N_FIXTURES; i++)
		poison(dir, fixture_files[i], names, 3, hostile);
}

static void assert_no_markers(void)
{
	assert_int_equal(access(marker_bq, F_OK), -1);
	assert_int_equal(access(marker_sys, F_OK), -1);
}

/* Names with quotes, backquotes, $(), system(), @macros, newlines and
   enhanced-text markup, in the data (states, scenarios, assumptions) and
   in every text variable: each figure is drawn, nothing runs, and the
   SVG shows the markup as literal text. */
static void hostile_names_drawn_not_run(void **state)
{
	const char *dir = *state;
	char name[64];
	size_t i;

	need_gnuplot();
	poison_all(dir);
	for (i = 0; i < N_CASES; i++) {
		clv_error err = {0};
		long len;
		unsigned char *svg;
		snprintf(name, sizeof name, "hostile%zu.png", i);
		assert_status(draw_with(&cases[i], dir, name, hostile, hostile, &err), CLV_OK, &err);
		assert_png(dir, name);
		snprintf(name, sizeof name, "hostile%zu.svg", i);
		assert_status(draw_with(&cases[i], dir, name, hostile, hostile, &err), CLV_OK, &err);
		assert_svg(dir, name);
		svg = slurp(dir, name, &len);
		assert_non_null(strstr((const char *)svg, "@outfile @x {/Symbol a} ^ _ ,"));
		free(svg);
	}
	assert_no_markers();
}

/* A script that prints what it received: proves the quoting is exact. */
static void write_echo_script(const char *plots)
{
	char path[PATH_MAX];
	FILE *f;

	th_path(path, sizeof path, plots, "echo.gp");
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("set datafile separator comma\n"
	      "codes = ''\n"
	      "stats datafile skip 1 using (codes = codes . strcol(2) . ' ', 0) nooutput\n"
	      "set print outfile\n"
	      "print '[' . scenario . ']'\n"
	      "print '[' . lbl_state[2] . ']'\n"
	      "print |lbl_state|\n"
	      "print codes\n"
	      "unset print\n", f);
	assert_int_equal(fclose(f), 0);
}

static void quoting_round_trips_bytes(void **state)
{
	const char *dir = *state;
	static const char *const names[] = {"B"};
	char plots[PATH_MAX], expect[8192], ctrl[64];
	clv_error err = {0};
	plot_var v[2];
	unsigned char *got;
	long len;

	need_gnuplot();
	poison(dir, "share.csv", names, 1, hostile);
	th_path(plots, sizeof plots, dir, "plots");
	assert_int_equal(mkdir(plots, 0777), 0);
	write_echo_script(plots);
	setenv("CLVSIM_PLOTS_DIR", plots, 1);
	/* quotes (alone, doubled, tripled, after a backslash), a final backslash,
	   every kind of control character but NUL, DEL, and UTF-8 */
	snprintf(ctrl, sizeof ctrl, "%s", "'a\x01\x02\t\r\x1b\x1f\x7f z \xe5\x93\x81 '' \\' ''' \\");
	v[0] = (plot_var){"datafile", "share.csv", PLOT_DATA};
	v[1] = (plot_var){"scenario", ctrl, PLOT_TEXT};
	assert_status(plot_figure("echo.gp", dir, v, 2, "echo.txt", &err), CLV_OK, &err);
	setenv("CLVSIM_PLOTS_DIR", plots_dir, 1);
	got = slurp(dir, "echo.txt", &len);
	snprintf(expect, sizeof expect, "[%s]\n[%s]\n3\n%s\n", ctrl, hostile,
	         "1 1 1 1 1 1 1 1 1 1 1 2 2 2 2 2 2 2 2 2 2 2 3 3 3 3 3 3 3 3 3 3 3 ");
	assert_string_equal((const char *)got, expect);
	free(got);
	assert_no_markers();
}

/* A data/output directory whose name gnuplot would take as a command. */
static void command_like_dir_names(void **state)
{
	static const char *const dirs[] = {"<touch marker_lt;", "|touch marker_pipe;"};
	char cwd[PATH_MAX];
	size_t i;

	need_gnuplot();
	assert_non_null(getcwd(cwd, sizeof cwd));
	assert_int_equal(chdir(*state), 0);
	for (i = 0; i < 2; i++) {
		char from[PATH_MAX], to[PATH_MAX];
		clv_error err = {0};
		assert_int_equal(mkdir(dirs[i], 0777), 0);
		assert_true((size_t)snprintf(from, sizeof from, "%s/%s/share.csv", top_dir, FIXTURES) <
		            sizeof from);
		th_path(to, sizeof to, dirs[i], "share.csv");
		copy_file(from, to);
		assert_status(draw_case(&cases[0], dirs[i], "share.png", "x", &err), CLV_OK, &err);
		assert_png(dirs[i], "share.png");
	}
	assert_int_equal(access("marker_lt", F_OK), -1);
	assert_int_equal(access("marker_pipe", F_OK), -1);
	assert_int_equal(chdir(cwd), 0);
}

static void no_gnuplot_fails_with_hint(void **state)
{
	const char *dir = *state;
	char empty[PATH_MAX], earlier[PATH_MAX], *old_path = getenv("PATH");
	clv_error err = {0};
	int hidden;
	FILE *f;

	old_path = old_path != NULL ? strdup(old_path) : NULL;
	th_path(empty, sizeof empty, dir, "emptybin");
	assert_int_equal(mkdir(empty, 0777), 0);
	th_path(earlier, sizeof earlier, dir, "share_fan.png");
	f = fopen(earlier, "w");
	assert_non_null(f);
	fputs("earlier figure", f);
	fclose(f);
	setenv("PATH", empty, 1);
	assert_int_equal(plot_default_format(), PLOT_NONE);
	assert_int_equal(draw_case(&cases[0], dir, "share_fan.png", "x", &err), CLV_ERR_IO);
	if (old_path != NULL)
		setenv("PATH", old_path, 1);
	free(old_path);
	assert_non_null(strstr(err.msg, "apt-get install gnuplot-nox"));
	rmdir(empty);
	/* no partial file: only the earlier figure, untouched */
	assert_int_equal(extra_entries(dir, &hidden), 1);
	assert_int_equal(hidden, 0);
	assert_int_equal(file_size(dir, "share_fan.png"), (long)strlen("earlier figure"));
}

static void failing_script_reports_gnuplot_error(void **state)
{
	const char *dir = *state;
	char plots[PATH_MAX], path[PATH_MAX];
	clv_error err = {0};
	plot_var v = {"datafile", "share.csv", PLOT_DATA};
	FILE *f;
	int hidden;

	need_gnuplot();
	th_path(plots, sizeof plots, dir, "plots");
	assert_int_equal(mkdir(plots, 0777), 0);
	th_path(path, sizeof path, plots, "bad.gp");
	f = fopen(path, "w");
	fputs("set output outfile\nthis_is_not_a_command 42\n", f);
	fclose(f);
	setenv("CLVSIM_PLOTS_DIR", plots, 1);
	assert_int_equal(plot_figure("bad.gp", dir, &v, 1, "bad.png", &err), CLV_ERR_IO);
	assert_non_null(strstr(err.msg, "invalid command"));
	diag_clear(&err);
	assert_int_equal(plot_figure("missing.gp", dir, &v, 1, "m.png", &err), CLV_ERR_IO);
	assert_non_null(strstr(err.msg, "missing.gp"));
	setenv("CLVSIM_PLOTS_DIR", plots_dir, 1);
	unlink(path);
	rmdir(plots);
	assert_int_equal(extra_entries(dir, &hidden), 0);
}

static void bad_input_refused(void **state)
{
	const char *dir = *state;
	clv_error err = {0};
	plot_var bad_name = {"x; system('id')", "v", PLOT_TEXT};
	plot_var data = {"datafile", "broken.csv", PLOT_DATA};
	FILE *f;
	char path[PATH_MAX];
	int hidden;

	assert_int_equal(plot_figure("share_fan.gp", dir, &bad_name, 1, "a.png", &err),
	                 CLV_ERR_USAGE);
	diag_clear(&err);
	th_path(path, sizeof path, dir, "broken.csv");
	f = fopen(path, "w");
	fputs("period,state\n0,\"open quote\n", f);
	fclose(f);
	assert_int_equal(plot_figure("share_fan.gp", dir, &data, 1, "a.png", &err), CLV_ERR_INPUT);
	unlink(path);
	assert_int_equal(extra_entries(dir, &hidden), 0);
}

static void formats(void **state)
{
	clv_error err = {0};
	plot_format f = PLOT_NONE;

	assert_int_equal(plot_parse_format("SVG", &f, &err), CLV_OK);
	assert_int_equal(f, PLOT_SVG);
	assert_int_equal(plot_parse_format("pdf", &f, &err), CLV_OK);
	assert_int_equal(f, PLOT_PDF);
	assert_int_equal(plot_parse_format("none", &f, &err), CLV_OK);
	assert_int_equal(f, PLOT_NONE);
	assert_int_equal(plot_parse_format("jpeg", &f, &err), CLV_ERR_USAGE);
	assert_non_null(strstr(err.msg, "png, svg, pdf or none"));
	assert_string_equal(plot_format_ext(PLOT_PNG), "png");
	assert_null(plot_format_ext(PLOT_NONE));
	if (have_gnuplot)
		assert_int_equal(plot_default_format(), PLOT_PNG);
}

static void plot_all_draws_what_exists(void **state)
{
	const char *dir = *state;
	plot_var v[] = {{"scenario", "textbook", PLOT_TEXT}, {"currency", "EUR", PLOT_TEXT}};
	clv_error err = {0};
	size_t n = 99;
	char path[PATH_MAX];

	need_gnuplot();
	assert_int_equal(plot_all(dir, PLOT_NONE, v, 2, &n, &err), CLV_OK);
	assert_int_equal(n, 0);
	th_path(path, sizeof path, dir, "compare_diff.csv");
	unlink(path); /* compare needs both of its files */
	assert_int_equal(plot_all(dir, PLOT_PNG, v, 2, &n, &err), CLV_OK);
	assert_int_equal(n, N_CASES - 3); /* not compare, nor fit's two (drawn by clvsim fit) */
	assert_png(dir, "share_fan.png");
	assert_png(dir, "sweep_heat.png");
	assert_int_equal(file_size(dir, "compare.png"), -1);
}

/* ------------------------------------------------------------------ */
/* Groups, full disks, interrupts.                                      */

/* A group holding share.csv (the fixture, not yet committed) gets the
   fan chart as a member; with no scripts, only a warning and the table. */
static void plot_group_draws_from_temps(void **state)
{
	const char *dir = *state;
	char sub[PATH_MAX], from[PATH_MAX], empty[PATH_MAX], *text;
	plot_var v[] = {{"scenario", "textbook", PLOT_TEXT}};
	clv_error err = {0}, warn = {0};
	outfile_group *g;
	size_t n = 0, len;
	FILE *f;
	int hidden;

	need_gnuplot();
	th_path(sub, sizeof sub, dir, "out");
	assert_int_equal(mkdir(sub, 0777), 0);
	th_path(from, sizeof from, FIXTURES, "share.csv");
	f = fopen(from, "rb");
	assert_non_null(f);
	text = malloc(1 << 16);
	len = fread(text, 1, 1 << 16, f);
	fclose(f);
	g = outfile_group_create(sub, &err);
	assert_non_null(g);
	assert_int_equal(fwrite(text, 1, len, outfile_group_add(g, "share.csv", &err)), len);
	assert_int_equal(outfile_group_finish(g, &err), CLV_OK);
	assert_status(plot_group(g, PLOT_PNG, v, 1, &n, &warn, &err), CLV_OK, &err);
	assert_int_equal(n, 1);
	assert_int_equal(warn.status, CLV_OK);
	assert_non_null(outfile_group_temp(g, "share_fan.png"));
	assert_int_equal(outfile_group_commit(g, &err), CLV_OK);
	outfile_group_free(g);
	assert_png(sub, "share_fan.png");
	/* no scripts: a warning, the member dropped, the table kept */
	th_path(empty, sizeof empty, dir, "noscripts");
	assert_int_equal(mkdir(empty, 0777), 0);
	setenv("CLVSIM_PLOTS_DIR", empty, 1);
	g = outfile_group_create(sub, &err);
	assert_int_equal(fwrite(text, 1, len, outfile_group_add(g, "share.csv", &err)), len);
	assert_int_equal(outfile_group_finish(g, &err), CLV_OK);
	assert_int_equal(plot_group(g, PLOT_PNG, v, 1, &n, &warn, &err), CLV_OK);
	setenv("CLVSIM_PLOTS_DIR", plots_dir, 1);
	assert_int_equal(warn.status, CLV_ERR_IO);
	assert_non_null(strstr(warn.msg, "share_fan.gp"));
	assert_null(outfile_group_temp(g, "share_fan.png"));
	outfile_group_free(g);
	free(text);
	rmdir(empty);
	assert_int_equal(extra_entries(sub, &hidden), 1); /* share_fan.png (and share.csv) */
	assert_int_equal(hidden, 0);
}

/* Fill the file system of dir but `room` bytes (a filler file). */
static void fill_but(const char *dir, long room)
{
	char filler[PATH_MAX];
	struct statvfs v;
	long long size;
	int fd;

	assert_int_equal(statvfs(dir, &v), 0);
	size = (long long)v.f_bavail * (long long)v.f_frsize - room;
	th_path(filler, sizeof filler, dir, "filler");
	fd = open(filler, O_WRONLY | O_CREAT, 0600);
	assert_true(fd >= 0);
	assert_int_equal(posix_fallocate(fd, 0, size), 0);
	close(fd);
}

/* gnuplot writes a cut PNG on a full disk and exits 0: refused, an error
   naming the file and ENOSPC, the earlier figure intact. */
static void full_disk_figure_is_an_error(void **state)
{
	const char *dir = *state;
	char tiny[PATH_MAX], from[PATH_MAX], to[PATH_MAX];
	clv_error err = {0};
	int hidden;

	need_gnuplot();
	th_path(tiny, sizeof tiny, dir, "tiny");
	assert_int_equal(mkdir(tiny, 0777), 0);
	if (mount("tmpfs", tiny, "tmpfs", 0, "size=256k") != 0)
		skip(); /* not root or no CAP_SYS_ADMIN */
	th_path(from, sizeof from, FIXTURES, "share.csv");
	th_path(to, sizeof to, tiny, "share.csv");
	copy_file(from, to);
	th_path(to, sizeof to, tiny, "share_fan.png");
	copy_file(from, to); /* the earlier "figure" */
	fill_but(tiny, 24 * 1024); /* room for the data copy, not for the PNG */
	assert_int_equal(draw_case(&cases[0], tiny, "share_fan.png", "x", &err), CLV_ERR_IO);
	if (strstr(err.msg, strerror(ENOSPC)) == NULL || strstr(err.msg, "share_fan.png") == NULL)
		fail_msg("unexpected message: %s", err.msg);
	assert_int_equal(file_size(tiny, "share_fan.png"), file_size(FIXTURES, "share.csv"));
	assert_int_equal(extra_entries(tiny, &hidden), 2); /* the earlier figure and the filler */
	assert_int_equal(hidden, 0);
	assert_int_equal(umount(tiny), 0);
}

static void raise_flag(int sig)
{
	(void)sig;
	interrupt_raise();
}

/* The child of interrupt_kills_gnuplot: draw a script that pauses 30 s,
   with the flag raised 0.2 s in; exit 0 when the draw was interrupted,
   left no file and no child process. */
static void draw_interrupted(const char *dir)
{
	char plots[PATH_MAX], path[PATH_MAX];
	struct itimerval t = {{0, 0}, {0, 200000}};
	plot_var v = {"scenario", "x", PLOT_TEXT};
	clv_error err = {0};
	int hidden, status;
	FILE *f;

	th_path(plots, sizeof plots, dir, "plots");
	th_path(path, sizeof path, plots, "slow.gp");
	if (mkdir(plots, 0777) != 0 || (f = fopen(path, "w")) == NULL)
		_exit(10);
	fputs("set terminal pngcairo\nset output outfile\npause 30\nplot x\n", f);
	fclose(f);
	setenv("CLVSIM_PLOTS_DIR", plots, 1);
	signal(SIGALRM, raise_flag);
	setitimer(ITIMER_REAL, &t, NULL);
	if (plot_figure("slow.gp", dir, &v, 1, "slow.png", &err) != CLV_ERR_INTERRUPTED)
		_exit(11);
	if (strstr(err.msg, "interrupted") == NULL)
		_exit(12);
	if (waitpid(-1, &status, WNOHANG) != -1 || errno != ECHILD) /* gnuplot reaped */
		_exit(13);
	unlink(path);
	rmdir(plots);
	_exit(extra_entries(dir, &hidden) == 0 && hidden == 0 ? 0 : 14);
}

static void interrupt_kills_gnuplot(void **state)
{
	int status = 0, k;
	pid_t pid, got = 0;

	need_gnuplot();
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		draw_interrupted(*state);
	for (k = 0; k < 2000 && (got = waitpid(pid, &status, WNOHANG)) == 0; k++)
		usleep(10000); /* 20 s at most (the script pauses 30 s) */
	if (got == 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		fail_msg("the interrupted draw did not end");
	}
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* ------------------------------------------------------------------ */
/* Degenerate tables draw without a word from gnuplot.                  */

#define DEGENERATE "tests/data/plot/degenerate/"

/* One clvsim command on a degenerate scenario and the figures it must
   draw (one state, every CLV equal, a single replication, a state with
   no mass, a one-point or one-row sweep, identical scenarios). */
typedef struct degenerate_case {
	const char *args[12];
	const char *figures[3];
} degenerate_case;

static const degenerate_case degenerate_cases[] = {
	{{"run", DEGENERATE "one_state.yaml"}, {"share_fan.png", "clv_dist.png"}},
	{{"run", DEGENERATE "no_mass.yaml"}, {"share_fan.png", "clv_dist.png"}},
	{{"compare", DEGENERATE "one_state.yaml", DEGENERATE "one_state_offer.yaml"},
	 {"compare.png", "compare_decision.png"}},
	{{"sweep", DEGENERATE "one_state.yaml", "--vary", "margin.Only=100:100:1"}, {"sweep_line.png"}},
	{{"sweep", DEGENERATE "one_state.yaml", "--vary", "margin.Only=50:150:50", "--vary",
	  "discount_rate=0.1:0.1:1"}, {"sweep_heat.png"}},
	{{"sweep", DEGENERATE "one_state.yaml", DEGENERATE "one_state_offer.yaml", "--vary",
	  "campaign.cost=0:2:1"}, {"sweep_diff.png", "sweep_line.png"}},
	{{"sweep", DEGENERATE "one_state.yaml", DEGENERATE "one_state_offer.yaml", "--vary",
	  "campaign.cost=0:0:1", "--vary", "campaign.retention_uplift=0:0:1"},
	 {"sweep_diff_heat.png", "sweep_heat.png"}},
	{{"tornado", DEGENERATE "one_state_uncertain.yaml"}, {"tornado.png", "spider.png"}},
	{{"solve", DEGENERATE "one_state.yaml", "--find", "margin.Only=50:150", "--target", "300"},
	 {"solve.png"}},
};

/* Every figure of each degenerate command is drawn whole, and clvsim's
   stderr is empty: no gnuplot warning (clvsim passes them on), no
   "empty x range". */
static void degenerate_scenarios_draw_silently(void **state)
{
	const char *dir = *state;
	size_t i, k, n;

	need_gnuplot();
	for (i = 0; i < sizeof degenerate_cases / sizeof degenerate_cases[0]; i++) {
		const degenerate_case *c = &degenerate_cases[i];
		const char *args[20];
		char out[PATH_MAX], name[32];
		th_child ch;

		snprintf(name, sizeof name, "degenerate%zu", i);
		th_path(out, sizeof out, dir, name);
		for (n = 0; c->args[n] != NULL; n++)
			args[n] = c->args[n];
		args[n++] = "--out";
		args[n++] = out;
		args[n++] = "--plot";
		args[n++] = "png";
		args[n++] = "--quiet";
		args[n] = NULL;
		th_run(&ch, args);
		th_expect_exit(&ch, 0);
		if (ch.err_len != 0)
			print_error("%s %s: %s\n", c->args[0], c->args[1], ch.err);
		assert_int_equal(ch.err_len, 0);
		for (k = 0; k < 3 && c->figures[k] != NULL; k++)
			assert_png(out, c->figures[k]);
		th_child_free(&ch);
	}
}

/* The fit figures (drawn by `clvsim fit`) on the least data they get:
   one state, one period; a cohort seen for one period. No warning. */
static void degenerate_fit_tables_draw_silently(void **state)
{
	const char *dir = *state;
	char path[PATH_MAX];
	const plot_var holdout[] = {{"datafile", "h.csv", PLOT_DATA}, {"holdout", "2025-01", PLOT_TEXT},
	                            {"period_unit", "month", PLOT_TEXT}};
	const plot_var survival[] = {{"datafile", "s.csv", PLOT_DATA},
	                             {"period_unit", "year", PLOT_TEXT}};
	clv_error warn = {0}, err = {0};

	need_gnuplot();
	th_write_file(th_path(path, sizeof path, dir, "h.csv"),
	              "period,start,state,observed,predicted,buyers\n1,2025-01,Only,1,1,3\n");
	th_write_file(th_path(path, sizeof path, dir, "s.csv"),
	              "period,alive,survival_observed,survival,expected_alive,retention_observed,"
	              "retention\n0,10,1,1,10,,\n1,10,1,1,10,1,1\n");
	assert_status(plot_figure_warned("fit_holdout.gp", dir, holdout, 3, "h.png", &warn, &err),
	              CLV_OK, &err);
	assert_status(warn.status, CLV_OK, &warn);
	assert_png(dir, "h.png");
	assert_status(plot_figure_warned("fit_survival.gp", dir, survival, 2, "s.png", &warn, &err),
	              CLV_OK, &err);
	assert_status(warn.status, CLV_OK, &warn);
	assert_png(dir, "s.png");
}

/* A figure that gnuplot draws while writing on stderr (as a warning,
   or `print`, does) is kept, the text handed back (plot_figure_warned),
   so no warning goes unseen. */
static void gnuplot_warnings_are_reported(void **state)
{
	const char *dir = *state;
	char path[PATH_MAX], plots[PATH_MAX];
	const plot_var v[] = {{"outfile_unused", "", PLOT_TEXT}};
	clv_error warn = {0}, err = {0};

	need_gnuplot();
	th_path(plots, sizeof plots, dir, "warnplots");
	assert_int_equal(mkdir(plots, 0755), 0);
	th_write_file(th_path(path, sizeof path, plots, "warn.gp"),
	              "eval 'set terminal ' . terminal_name . ' size 400,400 ' . terminal_options\n"
	              "set output outfile\nprint 'a warning: empty x range'\nplot x\nunset output\n");
	setenv("CLVSIM_PLOTS_DIR", plots, 1);
	assert_status(plot_figure_warned("warn.gp", dir, v, 1, "w.png", &warn, &err), CLV_OK, &err);
	setenv("CLVSIM_PLOTS_DIR", plots_dir, 1);
	assert_int_equal(warn.status, CLV_ERR_IO);
	assert_non_null(strstr(warn.msg, "gnuplot warned drawing w.png"));
	assert_non_null(strstr(warn.msg, "empty x range"));
	assert_true(file_size(dir, "w.png") > 0);
}

/* ------------------------------------------------------------------ */
/* Legends quote the report.                                            */

/* Fields of the first line of text starting with `start` after `from`
   (whitespace separated, at most n); the count. */
static size_t report_fields(const char *from, const char *start, char fields[][32], size_t n)
{
	const char *p = from;
	size_t k = 0, len = strlen(start);

	while (p != NULL && strncmp(p, start, len) != 0) {
		p = strchr(p, '\n');
		p = p != NULL ? p + 1 : NULL;
	}
	if (p == NULL)
		return 0;
	p += len;
	while (k < n && *p != '\n' && *p != '\0') {
		size_t w = 0;
		while (*p == ' ')
			p++;
		while (*p != ' ' && *p != '\n' && *p != '\0' && w < 31)
			fields[k][w++] = *p++;
		fields[k][w] = '\0';
		if (w > 0)
			k++;
	}
	return k;
}

/* text, and a '+' before it unless it has a sign (the figure prints
   differences with their sign). */
static void signed_text(char *buf, size_t cap, const char *text)
{
	snprintf(buf, cap, "%s%s", text[0] == '-' ? "" : "+", text);
}

/* The run's CLV figure quotes the report's total row, compare's
   difference panels the report's MC difference, exact difference, 90%
   interval and P(beats), and a one-file sweep's baseline the report's
   total at the file's value of the key, digit for digit (from the same
   numbers, never from the histogram's bins). */
static void legends_quote_the_report(void **state)
{
	const char *dir = *state;
	char out[PATH_MAX], path[PATH_MAX], f[8][32], want[512], a[40], b[40];
	char *svg;
	th_child c;
	size_t k;

	need_gnuplot();
	th_path(out, sizeof out, dir, "legend_run");
	TH_RUN(&c, "run", "scenarios/brand_a.yaml", "--customers", "500", "--replications", "20",
	       "--out", out, "--plot", "svg", "--quiet");
	th_expect_exit(&c, 0);
	/* total: exact mean se sd p05 p50 p95 ... */
	assert_true(report_fields(strstr(c.out, "CLV per customer, discounted"), "total ", f, 8) >= 7);
	snprintf(want, sizeof want, "mean %s (exact %s)   5%%: %s   95%%: %s", f[1], f[0], f[4], f[6]);
	svg = th_read_file(th_path(path, sizeof path, out, "clv_dist.svg"), NULL);
	if (strstr(svg, want) == NULL)
		print_error("clv_dist.svg lacks \"%s\"\n", want);
	assert_non_null(strstr(svg, want));
	free(svg);
	th_child_free(&c);

	th_path(out, sizeof out, dir, "legend_compare");
	TH_RUN(&c, "compare", "scenarios/brand_a.yaml", "scenarios/retention_campaign.yaml",
	       "scenarios/discount_offer.yaml", "--customers", "500", "--replications", "40", "--out",
	       out, "--plot", "svg", "--quiet");
	th_expect_exit(&c, 0);
	svg = th_read_file(th_path(path, sizeof path, out, "compare.svg"), NULL);
	for (k = 2; k <= 3; k++) {
		char head[8], p[8][32];
		const char *block;
		snprintf(head, sizeof head, "\n[%zu] ", k);
		block = strstr(c.out, head);
		assert_non_null(block);
		/* total: exact diff, MC diff, SE, [lo, hi] */
		assert_int_equal(report_fields(block + 1, "  total ", f, 8), 5);
		assert_int_equal(report_fields(block + 1, "  P(beats [1]) = ", p, 1), 1);
		f[3][strlen(f[3]) - 1] = '\0'; /* "[lo," */
		f[4][strlen(f[4]) - 1] = '\0'; /* "hi]" */
		signed_text(a, sizeof a, f[1]);
		signed_text(b, sizeof b, f[0]);
		snprintf(want, sizeof want, "mean %s (exact %s), 90%% interval of the mean [%s, %s],  "
		         "P(beats [1]) = %s", a, b, f[3] + 1, f[4], p[0]);
		if (strstr(svg, want) == NULL)
			print_error("compare.svg lacks \"%s\"\n", want);
		assert_non_null(strstr(svg, want));
	}
	free(svg);
	th_child_free(&c);

	/* a one-file sweep: the scenario as written (uplift 0.1 in the file)
	   is the baseline, at the report's total exact of that row */
	th_path(out, sizeof out, dir, "legend_sweep");
	TH_RUN(&c, "sweep", "scenarios/retention_campaign.yaml", "--vary",
	       "campaign.retention_uplift=0:0.2:0.05", "--out", out, "--plot", "svg", "--quiet");
	th_expect_exit(&c, 0);
	/* 0.1: A B C, total exact, total MC, SE */
	assert_true(report_fields(c.out, "0.1 ", f, 8) >= 4);
	snprintf(want, sizeof want, "as in the file (0.1): %s", f[3]);
	svg = th_read_file(th_path(path, sizeof path, out, "sweep_line.svg"), NULL);
	if (strstr(svg, want) == NULL)
		print_error("sweep_line.svg lacks \"%s\"\n", want);
	assert_non_null(strstr(svg, want));
	free(svg);
	th_child_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(formats),
		cmocka_unit_test_setup_teardown(every_figure_png_and_svg, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(pdf_output, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(hostile_names_drawn_not_run, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(quoting_round_trips_bytes, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(command_like_dir_names, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(no_gnuplot_fails_with_hint, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(failing_script_reports_gnuplot_error, setup_dir,
		                                teardown_dir),
		cmocka_unit_test_setup_teardown(bad_input_refused, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(plot_all_draws_what_exists, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(plot_group_draws_from_temps, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(full_disk_figure_is_an_error, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(interrupt_kills_gnuplot, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(degenerate_scenarios_draw_silently, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(degenerate_fit_tables_draw_silently, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(gnuplot_warnings_are_reported, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(legends_quote_the_report, setup_dir, teardown_dir),
	};

	if (realpath("plots", plots_dir) == NULL || getcwd(top_dir, sizeof top_dir) == NULL) {
		fprintf(stderr, "test_plot: run from the repo top (no plots/ here)\n");
		return 1;
	}
	setenv("CLVSIM_PLOTS_DIR", plots_dir, 1);
	have_gnuplot = plot_default_format() == PLOT_PNG;
	if (!have_gnuplot)
		fprintf(stderr, "test_plot: no gnuplot on PATH: figure tests are skipped\n");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
