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
	{"compare.gp", {"datafile", "difffile"}, {"compare_hist.csv", "compare_diff.csv"}},
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
