/*
 * test_cli.c - the command line as a user meets it: the built binary run
 * as a child process (no shell), its exit status, stdout and stderr.
 *
 * What is checked: help and version (exit 0, output on stdout only); bad
 * usage (exit 2, a message on stderr, nothing on stdout); `check` on good,
 * invalid and unreadable files (exit 0 / 2 with FILE:LINE:COLUMN / 1);
 * `exact` JSON against docs/theory.md's textbook figures; `run` results (exact
 * answer within 5 standard errors), byte-identical output for 1 and 2
 * threads, the seed a seedless run picks, atomic --out tables, refusal of
 * an over-budget run before it starts, SIGINT (exit 130, earlier files
 * intact, no temporary files); `check` applying the budgets of `run`;
 * every malformed file of tests/data/bad and
 * every fuzzing finding (tests/data/bad/fuzz_*, tests/fuzz/regressions)
 * refused by `check` with exit 2 (1 if unreadable) and a message, no crash.
 *
 * Method: the binary ($CLVSIM, default ./clvsim) run by test_helpers.h
 * (fork/exec, stdin from /dev/null, stdout and stderr captured); files of
 * --out runs go to a private temporary folder, removed at the end. The
 * suite runs from the top of the repository (scenarios/, tests/data/cli/).
 * No timing assertions: a child that hangs is killed after a generous
 * deadline (CHILD_DEADLINE_S) and the test fails.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "clvsim.h"
#include "test_helpers.h"

/* A child still running after this many seconds has hung: killed, failed. */
#define CHILD_DEADLINE_S TH_CHILD_DEADLINE_S
/* The SIGINT test signals this long after the child installed its handler. */
#define SIGINT_DELAY_S 0.5

#define DATA "tests/data/cli/"

/* The suite's temporary folder (th_tmpdir), removed at the end. */
static char *tmp_dir;

/* A child run by test_helpers.h: exit status, stdout and stderr. */
typedef th_child child;

/* ------------------------------------------------------------------ */
/* Helpers: folders of this suite (files: test_helpers.h). */

/* tmp_dir/name, in one of 8 rotating buffers (a test uses at most 5). */
static char *tmp_path(const char *name)
{
	static char path[8][256];
	static int next;

	return th_path(path[next++ % 8], sizeof path[0], tmp_dir, name);
}

/* A fresh, empty folder tmp_dir/name; returns its path. */
static char *fresh_dir(const char *name)
{
	char *p = tmp_path(name);

	th_rm_tree(p);
	assert_int_equal(mkdir(p, 0700), 0);
	return p;
}

/* ------------------------------------------------------------------ */
/* Helpers: children.                                                  */

static void finish(pid_t pid, child *c)
{
	th_collect(pid, c, CHILD_DEADLINE_S);
}

#define RUN(c, ...) TH_RUN((c), __VA_ARGS__)

/* A usage or input failure: exit 2, a message on stderr, nothing on stdout. */
static void expect_refusal(const child *c)
{
	th_expect_exit(c, CLV_EXIT_INPUT);
	assert_true(c->err_len > 0);
	assert_int_equal(c->out_len, 0);
}

/* ------------------------------------------------------------------ */
/* Set-up.                                                             */

static int suite_setup(void **state)
{
	(void)state;
	if (access(th_binary(), X_OK) != 0)
		return -1;
	/* The gnuplot scripts, wherever the binary was built. */
	setenv("CLVSIM_PLOTS_DIR", "plots", 0);
	tmp_dir = th_tmpdir("test-cli");
	return 0;
}

static int suite_teardown(void **state)
{
	(void)state;
	th_tmpdir_remove(tmp_dir);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Help, version, usage errors.                                        */

static void test_help_and_version(void **state)
{
	child c = {0};

	(void)state;
	RUN(&c, "--help");
	th_expect_exit(&c, 0);
	assert_non_null(strstr(c.out, "Usage: clvsim"));
	assert_int_equal(c.err_len, 0);
	th_child_free(&c);

	RUN(&c, "--version");
	th_expect_exit(&c, 0);
	assert_string_equal(c.out, "clvsim " CLVSIM_VERSION "\n");
	assert_int_equal(c.err_len, 0);
	th_child_free(&c);
}

/* Each command listed by `clvsim --help` ("  NAME  summary" lines after
   "Commands:") answers `clvsim NAME --help` with its own usage line. */
static void test_command_help(void **state)
{
	child c = {0}, h = {0};
	char name[32], want[64], *line;
	int seen = 0, core = 0;

	(void)state;
	RUN(&c, "--help");
	th_expect_exit(&c, 0);
	line = strstr(c.out, "Commands:\n");
	assert_non_null(line);
	for (line = strchr(line, '\n') + 1; line[0] == ' ' && line[1] == ' '; line = strchr(line, '\n') + 1) {
		assert_int_equal(sscanf(line, " %31s", name), 1);
		RUN(&h, name, "--help");
		th_expect_exit(&h, 0);
		snprintf(want, sizeof want, "Usage: clvsim %s ", name);
		assert_non_null(strstr(h.out, want));
		assert_int_equal(h.err_len, 0);
		th_child_free(&h);
		seen++;
		core += strcmp(name, "check") == 0 || strcmp(name, "exact") == 0 ||
		        strcmp(name, "run") == 0;
	}
	assert_int_equal(core, 3);
	assert_true(seen >= 3);
	th_child_free(&c);
}

static void test_usage_errors(void **state)
{
	child c = {0};

	(void)state;
	RUN(&c, "frobnicate");
	expect_refusal(&c);
	assert_non_null(strstr(c.err, "frobnicate"));
	th_child_free(&c);

	RUN(&c, "check", "--bogus", DATA "small.yaml");
	expect_refusal(&c);
	assert_non_null(strstr(c.err, "--bogus"));
	th_child_free(&c);

	RUN(&c, "--bogus");
	expect_refusal(&c);
	th_child_free(&c);

	RUN(&c, "run", "--threads", "0", DATA "small.yaml");
	expect_refusal(&c);
	assert_non_null(strstr(c.err, "--threads"));
	th_child_free(&c);

	RUN(&c, "exact", "--format", "xml", DATA "small.yaml");
	expect_refusal(&c);
	assert_non_null(strstr(c.err, "xml"));
	th_child_free(&c);

	RUN(&c, "check");
	expect_refusal(&c);
	th_child_free(&c);
}

static void test_no_arguments(void **state)
{
	child c = {0};

	(void)state;
	th_run(&c, (const char *const[]){NULL});
	expect_refusal(&c);
	assert_non_null(strstr(c.err, "Usage"));
	th_child_free(&c);
}

/* ------------------------------------------------------------------ */
/* check.                                                              */

static void test_check_good(void **state)
{
	child c = {0};

	(void)state;
	RUN(&c, "check", DATA "small.yaml", DATA "noseed.yaml");
	th_expect_exit(&c, 0);
	assert_non_null(strstr(c.out, DATA "small.yaml: ok"));
	assert_non_null(strstr(c.out, DATA "noseed.yaml: ok"));
	th_child_free(&c);
}

/* "FILE:LINE:COLUMN:" on stderr, LINE as given, COLUMN a positive number. */
static void expect_place(const char *err, const char *file, int line)
{
	char head[256];
	const char *p;
	int col = 0, used = 0;

	snprintf(head, sizeof head, "%s:%d:", file, line);
	p = strstr(err, head);
	if (p == NULL)
		fprintf(stderr, "no '%s' in:\n%s\n", head, err);
	assert_non_null(p);
	assert_int_equal(sscanf(p + strlen(head), "%d:%n", &col, &used), 1);
	assert_true(col >= 1);
	assert_true(used > 0);
}

static void test_check_bad(void **state)
{
	child c = {0};

	(void)state;
	RUN(&c, "check", DATA "bad.yaml");
	th_expect_exit(&c, CLV_EXIT_INPUT);
	expect_place(c.err, DATA "bad.yaml", 7);
	assert_null(strstr(c.out, "bad.yaml: ok"));
	th_child_free(&c);

	/* One bad file among good ones still fails the whole check. */
	RUN(&c, "check", DATA "small.yaml", DATA "bad.yaml");
	th_expect_exit(&c, CLV_EXIT_INPUT);
	assert_non_null(strstr(c.out, DATA "small.yaml: ok"));
	expect_place(c.err, DATA "bad.yaml", 7);
	th_child_free(&c);
}

/* cmd_check.c: exit 1 when a file could not be read. Tests run as root, so
   chmod 000 would not stop a read: use a folder and a missing path. */
static void test_check_unreadable(void **state)
{
	child c = {0};
	char *dir = fresh_dir("not-a-file.yaml");
	char *missing = tmp_path("missing.yaml");

	(void)state;
	RUN(&c, "check", dir);
	th_expect_exit(&c, CLV_EXIT_RUNTIME);
	assert_non_null(strstr(c.err, dir));
	assert_int_equal(c.out_len, 0);
	th_child_free(&c);

	RUN(&c, "check", missing);
	th_expect_exit(&c, CLV_EXIT_RUNTIME);
	assert_non_null(strstr(c.err, missing));
	assert_int_equal(c.out_len, 0);
	th_child_free(&c);
}

/* ------------------------------------------------------------------ */
/* exact and run: results.                                             */

static void expect_textbook_exact(json_t *doc)
{
	static const double share_a[3] = {0.6, 0.475, 0.4075}; /* docs/theory.md section 4 */
	json_t *list = json_object_get(json_object_get(json_object_get(doc, "exact"), "share"), "A");
	size_t t;

	assert_true(fabs(th_json_number(doc, "exact.clv.A") - 689.38) <= 0.005);
	assert_true(json_is_array(list));
	assert_int_equal(json_array_size(list), 3);
	for (t = 0; t < 3; t++)
		assert_true(fabs(json_number_value(json_array_get(list, t)) - share_a[t]) <= 1e-9);
}

static void test_exact_json(void **state)
{
	child c = {0};
	json_t *doc;

	(void)state;
	RUN(&c, "exact", "scenarios/textbook.yaml", "--format", "json");
	th_expect_exit(&c, 0);
	doc = th_json_of(&c);
	expect_textbook_exact(doc);
	json_decref(doc);
	th_child_free(&c);
}

/* The built-in default is the textbook example: Monte Carlo CLV of A
   within 5 standard errors of the exact 689.38 (seed 42, fixed). */
static void test_run_default(void **state)
{
	child c = {0};
	json_t *doc;
	double mean, se;

	(void)state;
	RUN(&c, "run");
	th_expect_exit(&c, 0);
	assert_true(c.out_len > 0);
	assert_non_null(strstr(c.out, "689.38"));
	th_child_free(&c);

	RUN(&c, "run", "--format", "json", "--quiet");
	th_expect_exit(&c, 0);
	doc = th_json_of(&c);
	expect_textbook_exact(doc);
	mean = th_json_number(doc, "mc.clv.A.mean");
	se = th_json_number(doc, "mc.clv.A.se");
	assert_true(se > 0 && se < 5);
	if (fabs(mean - 689.38) > 5 * se)
		fprintf(stderr, "mc CLV A %.4f, exact 689.38, se %.4f\n", mean, se);
	assert_true(fabs(mean - 689.38) <= 5 * se);
	assert_int_equal((int)th_json_number(doc, "mc.seed"), 42);
	json_decref(doc);
	th_child_free(&c);
}

/* Byte-identical stdout; on a difference, show the first differing line. */
static void expect_same(const child *a, const child *b, const char *what_a, const char *what_b)
{
	th_expect_same_text(what_a, a->out, a->out_len, what_b, b->out, b->out_len);
}

/* Replace the digits of the `"threads": N` member by '#'. */
static void mask_threads(child *c)
{
	char *p = c->out ? strstr(c->out, "\"threads\": ") : NULL;

	assert_non_null(p);
	for (p += strlen("\"threads\": "); *p >= '0' && *p <= '9'; p++)
		*p = '#';
}

static void test_run_threads_identical(void **state)
{
	child one = {0}, two = {0};
	json_t *doc;

	(void)state;
	RUN(&one, "run", DATA "small.yaml", "--format", "json", "--seed", "5", "--threads", "1");
	RUN(&two, "run", DATA "small.yaml", "--format", "json", "--seed", "5", "--threads", "2");
	th_expect_exit(&one, 0);
	th_expect_exit(&two, 0);
	doc = th_json_of(&one);
	assert_int_equal((int)th_json_number(doc, "mc.seed"), 5);
	assert_int_equal((int)th_json_number(doc, "mc.threads"), 1);
	json_decref(doc);
	/* every figure identical; only the recorded thread count differs */
	mask_threads(&one);
	mask_threads(&two);
	expect_same(&one, &two, "--threads 1", "--threads 2");
	th_child_free(&one);
	th_child_free(&two);
}

/* No seed in the file nor on the command line: the run picks one, says
   which on stderr, records it as mc.seed, and --seed N repeats the run. */
/* Without seed: in the file and without --seed, the documented default 42,
   the same numbers every time; --seed random draws one, prints it, and
   --seed with that number repeats the run. */
static void test_run_default_and_random_seed(void **state)
{
	child c = {0}, twice = {0}, rnd = {0}, again = {0};
	json_t *doc;
	const char *p;
	unsigned long long said;
	char seed[32];

	(void)state;
	RUN(&c, "run", DATA "noseed.yaml", "--format", "json");
	RUN(&twice, "run", DATA "noseed.yaml", "--format", "json");
	th_expect_exit(&c, 0);
	assert_null(strstr(c.err, "seed "));
	expect_same(&c, &twice, "a run without seed", "the same run again");
	doc = th_json_of(&c);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(doc, "mc"), "seed")), 42);
	json_decref(doc);

	RUN(&rnd, "run", DATA "noseed.yaml", "--format", "json", "--seed", "random");
	th_expect_exit(&rnd, 0);
	p = strstr(rnd.err, "seed ");
	assert_non_null(p);
	assert_int_equal(sscanf(p, "seed %llu", &said), 1);
	doc = th_json_of(&rnd);
	assert_true((unsigned long long)json_integer_value(
	                    json_object_get(json_object_get(doc, "mc"), "seed")) == said);
	json_decref(doc);
	snprintf(seed, sizeof seed, "%llu", said);
	RUN(&again, "run", DATA "noseed.yaml", "--format", "json", "--seed", seed);
	th_expect_exit(&again, 0);
	assert_null(strstr(again.err, "seed "));
	expect_same(&rnd, &again, "--seed random", "--seed N");
	th_child_free(&c);
	th_child_free(&twice);
	th_child_free(&rnd);
	th_child_free(&again);
}

/* A seed above 2^63 - 1 (the largest JSON integer jansson writes) is
   either refused or recorded exactly in mc.seed, never wrapped. */
static void test_run_big_seed(void **state)
{
	child c = {0};
	json_error_t jerr;
	json_t *doc;

	(void)state;
	RUN(&c, "run", DATA "small.yaml", "--format", "json", "--seed", "9223372036854775808",
	    "--replications", "2", "--customers", "100");
	if (c.code == CLV_EXIT_INPUT) {
		expect_refusal(&c);
	} else {
		th_expect_exit(&c, 0);
		doc = json_loadb(c.out, c.out_len, JSON_DECODE_INT_AS_REAL, &jerr);
		assert_non_null(doc);
		if (th_json_number(doc, "mc.seed") != 9223372036854775808.0)
			fprintf(stderr, "mc.seed recorded as %.17g\n", th_json_number(doc, "mc.seed"));
		assert_true(th_json_number(doc, "mc.seed") == 9223372036854775808.0);
		json_decref(doc);
	}
	th_child_free(&c);
}

/* tests/data/cli/beta_skewed.yaml: retention of A ~ beta(a, b) drawn per
   replication, customers start in A and are lost when they leave, so
   E[CLV] = 100 sum_{t=0..4} E[v^t] / 1.1^t with E[v^t] = prod_{i<t}
   (a + i) / (a + b + i). The mean over replications must match it within
   5 standard errors (seed fixed in the file), whatever values of v GSL's
   beta inverse cannot reach. */
static void test_run_skewed_beta(void **state)
{
	const double a = 0.5, b = 1000.0;
	double exact = 0.0, moment = 1.0, mean, se;
	child c = {0};
	json_t *doc;
	int t;

	(void)state;
	for (t = 0; t <= 4; t++) {
		exact += 100.0 * moment / pow(1.1, t);
		moment *= (a + t) / (a + b + t);
	}
	RUN(&c, "run", DATA "beta_skewed.yaml", "--format", "json", "--quiet");
	th_expect_exit(&c, 0);
	doc = th_json_of(&c);
	mean = th_json_number(doc, "mc.clv_avg.total.mean");
	se = th_json_number(doc, "mc.clv_avg.total.se");
	if (!(fabs(mean - exact) <= 5 * se))
		fprintf(stderr, "mc mean CLV %.6f, exact %.6f, se %.3g\n", mean, exact, se);
	assert_true(se > 0);
	assert_true(fabs(mean - exact) <= 5 * se);
	json_decref(doc);
	th_child_free(&c);
}

/* ------------------------------------------------------------------ */
/* --out DIR: atomic tables.                                           */

static void expect_csv(const char *dir, const char *name)
{
	char path[512];
	char *text;
	size_t len;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	text = th_read_file(path, &len);
	if (text == NULL)
		fprintf(stderr, "missing %s\n", path);
	assert_non_null(text);
	assert_true(len > 0);
	assert_non_null(strchr(text, ','));          /* a header with columns */
	assert_true(strchr(text, '\n') < text + len - 1); /* and data rows */
	assert_int_equal(text[len - 1], '\n');
	free(text);
}

static void test_run_out_dir(void **state)
{
	child c = {0};
	char *dir = fresh_dir("out");
	char *names;

	(void)state;
	RUN(&c, "run", DATA "small.yaml", "--out", dir, "--plot", "none", "--quiet");
	th_expect_exit(&c, 0);
	assert_true(c.out_len > 0);
	names = th_list_dir(dir);
	assert_string_equal(names, "clv.csv\nclv_hist.csv\nmanifest.json\nreplications.csv\nshare.csv\n"); /* no temp files */
	expect_csv(dir, "share.csv");
	expect_csv(dir, "clv.csv");
	expect_csv(dir, "clv_hist.csv");
	expect_csv(dir, "replications.csv");
	free(names);
	th_child_free(&c);
}

/* With figures (gnuplot): only the tables and *.png files, none hidden
   (temporary files are ".NAME.XXXXXX.ext"). Without gnuplot or its
   scripts the figures are skipped with a warning and the tables stay. */
static void test_run_out_dir_plots(void **state)
{
	child c = {0};
	char *dir = fresh_dir("out-plots");
	char *names, *name, *end;
	int csv = 0, png = 0;

	(void)state;
	RUN(&c, "run", DATA "small.yaml", "--out", dir, "--plot", "png", "--quiet");
	th_expect_exit(&c, 0);
	names = th_list_dir(dir);
	for (name = names; *name != '\0'; name = end + 1) {
		end = strchr(name, '\n');
		*end = '\0';
		assert_true(name[0] != '.');
		if (strcmp(name, "share.csv") == 0 || strcmp(name, "clv.csv") == 0 ||
		    strcmp(name, "clv_hist.csv") == 0 || strcmp(name, "replications.csv") == 0)
			csv++;
		else if (strcmp(name, "manifest.json") == 0)
			continue;
		else if (end - name > 4 && strcmp(end - 4, ".png") == 0)
			png++;
		else
			fail_msg("unexpected file in --out DIR: %s", name);
	}
	assert_int_equal(csv, 4);
	assert_true(png > 0 || strstr(c.err, "warning") != NULL);
	free(names);
	th_child_free(&c);
}

/* A valid PNG of a real figure: signature, IHDR at least 400 x 300, and
   more than 10 kB (a blank canvas compresses to far less). */
static void expect_png(const char *dir, const char *name)
{
	static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
	unsigned char head[24];
	char path[4096];
	FILE *f;
	long size;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "rb");
	if (f == NULL)
		fail_msg("figure %s was not drawn", path);
	assert_int_equal(fread(head, 1, sizeof head, f), sizeof head);
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	fclose(f);
	assert_memory_equal(head, sig, sizeof sig);
	assert_memory_equal(head + 12, "IHDR", 4);
	assert_true(((unsigned)head[16] << 24 | (unsigned)head[17] << 16 | (unsigned)head[18] << 8 |
	             head[19]) >= 400);
	assert_true(((unsigned)head[20] << 24 | (unsigned)head[21] << 16 | (unsigned)head[22] << 8 |
	             head[23]) >= 300);
	assert_true(size > 10000);
}

/* Every command draws its figures from a fixed scenario: run (fan, CLV
   distribution), compare, sweep over one and two keys, tornado (bars and
   spider). Skipped where gnuplot is not installed. */
static void test_figures_of_every_command(void **state)
{
	child c = {0};
	char *d1 = fresh_dir("fig-run"), *d2 = fresh_dir("fig-compare"), *d3 = fresh_dir("fig-sweep");
	char *d4 = fresh_dir("fig-sweep2"), *d5 = fresh_dir("fig-tornado");

	(void)state;
	if (access("/usr/bin/gnuplot", X_OK) != 0)
		skip();
	RUN(&c, "run", "scenarios/textbook.yaml", "--out", d1, "--quiet", "--replications", "20",
	    "--customers", "2000");
	th_expect_exit(&c, 0);
	th_child_free(&c);
	expect_png(d1, "share_fan.png");
	expect_png(d1, "clv_dist.png");
	RUN(&c, "compare", "scenarios/brand_a.yaml", "scenarios/retention_campaign.yaml", "--out", d2,
	    "--quiet", "--replications", "20", "--customers", "2000");
	th_expect_exit(&c, 0);
	th_child_free(&c);
	expect_png(d2, "compare.png");
	RUN(&c, "sweep", "scenarios/brand_a.yaml", "--vary", "discount_rate=0.02:0.2:0.02", "--out",
	    d3, "--quiet", "--replications", "4", "--customers", "500");
	th_expect_exit(&c, 0);
	th_child_free(&c);
	expect_png(d3, "sweep_line.png");
	RUN(&c, "sweep", "scenarios/brand_a.yaml", "--vary", "discount_rate=0.02:0.2:0.02", "--vary",
	    "retention.A=0.5:0.9:0.1", "--out", d4, "--quiet", "--replications", "4", "--customers",
	    "500");
	th_expect_exit(&c, 0);
	th_child_free(&c);
	expect_png(d4, "sweep_heat.png");
	RUN(&c, "tornado", "scenarios/uncertain_retention.yaml", "--out", d5, "--quiet");
	th_expect_exit(&c, 0);
	th_child_free(&c);
	expect_png(d5, "tornado.png");
	expect_png(d5, "spider.png");
}

/* A bad scenario writes nothing: an earlier file survives, no folder is
   created. */
static void test_run_bad_leaves_out_dir(void **state)
{
	child c = {0};
	char *dir = fresh_dir("earlier");
	char *fresh = tmp_path("never-made");
	char earlier[512], *names, *text;

	(void)state;
	snprintf(earlier, sizeof earlier, "%s/share.csv", dir);
	th_write_file(earlier, "earlier results\n");
	RUN(&c, "run", DATA "bad.yaml", "--out", dir, "--plot", "none");
	expect_refusal(&c);
	expect_place(c.err, DATA "bad.yaml", 7);
	names = th_list_dir(dir);
	assert_string_equal(names, "share.csv\n");
	text = th_read_file(earlier, NULL);
	assert_string_equal(text, "earlier results\n");
	free(names);
	free(text);
	th_child_free(&c);

	RUN(&c, "run", DATA "bad.yaml", "--out", fresh, "--plot", "none");
	expect_refusal(&c);
	assert_int_equal(access(fresh, F_OK), -1);
	th_child_free(&c);
}

/* ------------------------------------------------------------------ */
/* Limits and interrupts.                                              */

/* The memory budget (share tables of 1e6 replications x 10001 periods),
   the step budget (1e9 customers x 1e4 replications x 7 periods x 2
   purchases), and the step budget reached through a second segment's
   purchases or through --precision batches are refused with exit 2, naming the numbers, before anything
   is run: a refusal is immediate, so a child still running after
   REFUSAL_DEADLINE_S has started the run. */
#define REFUSAL_DEADLINE_S 10.0

static void test_run_over_budget(void **state)
{
	child c = {0};

	(void)state;
	th_collect(th_spawn((const char *const[]){"run", DATA "huge.yaml", "--quiet", NULL}), &c,
	              REFUSAL_DEADLINE_S);
	expect_refusal(&c);
	assert_non_null(strstr(c.err, "MiB"));
	assert_non_null(strstr(c.err, "2048"));      /* the budget */
	assert_non_null(strstr(c.err, "1000000"));   /* the replications */
	th_child_free(&c);
	/* check applies the budgets run applies, at the file's sizes */
	RUN(&c, "check", DATA "huge.yaml", DATA "segments_budget.yaml", DATA "small.yaml");
	th_expect_exit(&c, CLV_EXIT_INPUT);
	assert_non_null(strstr(c.out, DATA "small.yaml: ok"));
	assert_non_null(strstr(c.err, DATA "huge.yaml: this run would need"));
	assert_non_null(strstr(c.err, DATA "segments_budget.yaml: this run would simulate"));
	th_child_free(&c);

	th_collect(th_spawn((const char *const[]){"run", DATA "small.yaml", "--customers",
	                                          "1000000000", "--replications", "10000",
	                                          "--quiet", NULL}),
	              &c, REFUSAL_DEADLINE_S);
	expect_refusal(&c);
	assert_non_null(strstr(c.err, "steps"));
	assert_non_null(strstr(c.err, "4e+12"));     /* the limit */
	th_child_free(&c);

	th_collect(th_spawn((const char *const[]){"run", DATA "segments_budget.yaml", "--quiet",
	                                          "--mode", "customers", NULL}),
	              &c, REFUSAL_DEADLINE_S);
	expect_refusal(&c);
	assert_non_null(strstr(c.err, "steps"));
	th_child_free(&c);
	/* by default (--mode auto) the same run is aggregated, in moments */
	th_collect(th_spawn((const char *const[]){"run", DATA "segments_budget.yaml", "--quiet",
	                                          NULL}),
	              &c, REFUSAL_DEADLINE_S);
	assert_int_equal(c.code, 0);
	assert_non_null(strstr(c.out, "--mode aggregate"));
	th_child_free(&c);

	/* --precision may add up to 100 batches of 1e3 replications x 1e8
	   customers x 7 periods x 2 purchases: 1.4e14 steps, though one batch
	   is only 1.4e12. */
	th_collect(th_spawn((const char *const[]){"run", DATA "small.yaml", "--customers",
	                                          "100000000", "--replications", "1000",
	                                          "--precision", "0.000001", "--quiet", NULL}),
	              &c, REFUSAL_DEADLINE_S);
	expect_refusal(&c);
	assert_non_null(strstr(c.err, "steps"));
	th_child_free(&c);
}

static void test_run_sigint(void **state)
{
	child c = {0};
	char *dir = fresh_dir("interrupted");
	char earlier[512], *names, *text;
	double deadline;
	pid_t pid;

	(void)state;
	snprintf(earlier, sizeof earlier, "%s/share.csv", dir);
	th_write_file(earlier, "time,state,share\n0,A,0.6\n");
	/* per customer: --mode auto would aggregate it and finish at once */
	pid = th_spawn((const char *const[]){"run", DATA "long.yaml", "--out", dir, "--plot", "none",
	                                  "--quiet", "--mode", "customers", NULL});
	/* Signal only once the handler is installed (else SIGINT kills). */
	deadline = th_now() + CHILD_DEADLINE_S;
	while (th_catches_sigint(pid) == 0 && th_now() < deadline)
		th_sleep(0.01);
	th_sleep(SIGINT_DELAY_S);
	assert_int_equal(kill(pid, SIGINT), 0);
	finish(pid, &c);
	th_expect_exit(&c, CLV_EXIT_INTERRUPTED);
	assert_non_null(strstr(c.err, "interrupt"));
	assert_int_equal(c.out_len, 0);
	names = th_list_dir(dir);
	assert_string_equal(names, "share.csv\n");
	text = th_read_file(earlier, NULL);
	assert_string_equal(text, "time,state,share\n0,A,0.6\n");
	free(names);
	free(text);
	th_child_free(&c);
}

/* ------------------------------------------------------------------ */
/* Malformed files end to end: exit status and message of `check`.     */

/* `clvsim check path`: refused with the status its kind of error maps to
   (1 for an unreadable file, 2 otherwise), one "clvsim: error:" message,
   nothing on stdout, no crash. */
static void expect_check_refuses(const char *path, int code)
{
	child c = {0};

	RUN(&c, "check", path);
	if (c.code != code)
		fprintf(stderr, "clvsim check %s\n", path);
	th_expect_exit(&c, code);
	assert_int_equal(c.out_len, 0);
	assert_int_equal(strncmp(c.err, "clvsim: error: ", 15), 0);
	th_child_free(&c);
}

/* The first line of a tests/data/bad file: "# expect io: ..." = exit 1. */
static int expected_exit(const char *path)
{
	char line[64] = "";
	FILE *f = fopen(path, "rb");

	assert_non_null(f);
	if (fgets(line, sizeof line, f) == NULL)
		line[0] = '\0';
	fclose(f);
	return strncmp(line, "# expect io:", 12) == 0 ? CLV_EXIT_RUNTIME : CLV_EXIT_INPUT;
}

/* Run `check` on every file of dir whose name starts with prefix (or,
   when `except`, does not); returns how many. */
static int check_each(const char *dir, const char *prefix, bool except)
{
	struct dirent **names;
	char path[512];
	int i, seen = 0, n = scandir(dir, &names, NULL, alphasort);

	for (i = 0; i < n; i++) {
		const char *name = names[i]->d_name;
		bool match = strncmp(name, prefix, strlen(prefix)) == 0;
		if (name[0] != '.' && match != except) {
			snprintf(path, sizeof path, "%s/%s", dir, name);
			expect_check_refuses(path, expected_exit(path));
			seen++;
		}
		free(names[i]);
	}
	if (n > 0)
		free(names);
	return seen;
}

/* The loader's malformed corpus (tests/data/bad, see test_scenario.c),
   less the fuzzing findings (next test). */
static void test_check_bad_corpus(void **state)
{
	(void)state;
	assert_true(check_each("tests/data/bad", "fuzz_", true) >= 35);
}

/* Fuzzing findings: tests/data/bad/fuzz_*.yaml (loader rules the fuzz
   target showed missing) and any input kept in tests/fuzz/regressions. */
static void test_fuzz_regressions(void **state)
{
	(void)state;
	assert_true(check_each("tests/data/bad", "fuzz_", false) +
	            check_each("tests/fuzz/regressions", "", false) >= 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_help_and_version),
		cmocka_unit_test(test_command_help),
		cmocka_unit_test(test_usage_errors),
		cmocka_unit_test(test_no_arguments),
		cmocka_unit_test(test_check_good),
		cmocka_unit_test(test_check_bad),
		cmocka_unit_test(test_check_unreadable),
		cmocka_unit_test(test_exact_json),
		cmocka_unit_test(test_run_default),
		cmocka_unit_test(test_run_threads_identical),
		cmocka_unit_test(test_run_default_and_random_seed),
		cmocka_unit_test(test_run_big_seed),
		cmocka_unit_test(test_run_skewed_beta),
		cmocka_unit_test(test_run_out_dir),
		cmocka_unit_test(test_run_out_dir_plots),
		cmocka_unit_test(test_figures_of_every_command),
		cmocka_unit_test(test_run_bad_leaves_out_dir),
		cmocka_unit_test(test_run_over_budget),
		cmocka_unit_test(test_run_sigint),
		cmocka_unit_test(test_check_bad_corpus),
		cmocka_unit_test(test_fuzz_regressions),
	};

	return cmocka_run_group_tests(tests, suite_setup, suite_teardown);
}
