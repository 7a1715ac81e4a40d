/*
 * test_whatif_limits.c - the what-ifs at the edge of the valid region and
 * of the budgets (whatif.c, whatif_budget.c):
 *
 *  - tornado: an elasticity step that would leave the valid region (a
 *    discount rate 1% below the growth of an infinite horizon, a horizon
 *    of 100000 + 1) is one-sided, against closed forms;
 *  - sweep: a point whose infinite horizon the walk cannot reach is
 *    refused with the numbers; every point's budget is checked before the
 *    first runs, and the offending point is named;
 *  - compare: the scenarios' memory is counted together, up front.
 *
 * Scenario files are written to a private temporary folder.
 */
#include <dirent.h>
#include <limits.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <gsl/gsl_errno.h>

#include "scenario/scenario.h"
#include "whatif/whatif.h"

#define PATH_CAP (PATH_MAX + 64)

static char tmpdir[PATH_MAX];
static char library[PATH_MAX];

/* The library file `name` (static storage per slot). */
static const char *lib(int slot, const char *name)
{
	static char paths[4][PATH_CAP];

	snprintf(paths[slot], sizeof paths[slot], "%s/%s", library, name);
	return paths[slot];
}

/* Write a scenario file into the temporary folder; returns its path
   (static storage per slot). */
static const char *write_file(int slot, const char *name, const char *text)
{
	static char paths[4][PATH_CAP];
	FILE *f;

	snprintf(paths[slot], sizeof paths[slot], "%s/%s", tmpdir, name);
	f = fopen(paths[slot], "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
	return paths[slot];
}

static whatif_settings small_settings(uint64_t customers, uint64_t reps)
{
	whatif_settings set = {0};

	set.seed = 20240611;
	set.has_seed = true;
	set.customers = customers;
	set.replications = reps;
	set.threads = 2;
	return set;
}

static const whatif_elasticity *elasticity_named(const whatif_tornado *t, const char *name)
{
	size_t k;

	for (k = 0; k < t->n_elast; k++)
		if (strcmp(t->elast[k].input, name) == 0)
			return &t->elast[k];
	fail_msg("no elasticity %s", name);
	return NULL;
}


/* The what-ifs take loaded scenarios: these load the files, run, free. */
static whatif_tornado *tornado_path(const char *path, const whatif_settings *set,
                                    clv_error *err)
{
	clv_scenario *s = scenario_load(path, err);
	whatif_tornado *t = s ? whatif_tornado_run(s, set, err) : NULL;

	scenario_free(s);
	return t;
}

static whatif_sweep *sweep_path(const char *path, const whatif_axis *ax, size_t n,
                                const whatif_settings *set, bool mc, clv_error *err)
{
	clv_scenario *s = scenario_load(path, err);
	whatif_sweep *w = s ? whatif_sweep_run(s, ax, n, set, mc, err) : NULL;

	scenario_free(s);
	return w;
}

static whatif_compare *compare_paths(const char *const *paths, size_t n,
                                     const whatif_settings *set, bool independent,
                                     clv_error *err)
{
	clv_scenario *s[8] = {NULL};
	whatif_compare *c = NULL;
	size_t k, loaded = 0;

	for (k = 0; k < n && k < 8; k++, loaded++)
		if ((s[k] = scenario_load(paths[k], err)) == NULL)
			break;
	if (loaded == n)
		c = whatif_compare_run((const clv_scenario *const *)s, n, set, independent, err);
	for (k = 0; k < loaded; k++)
		scenario_free(s[k]);
	return c;
}

/* Elasticity steps stay inside the valid region. An infinite horizon at
   r = 0.05 with growth 0.0497: 1% less is below the growth, so the
   discount rate's difference is one-sided up, against the closed form
   C(r) = m / (1 - p (1 + g) / (1 + r)); the longest horizon cannot grow
   by one period, so the horizon's is one-sided down, m q^T / C(T) / (1/T)
   with q = p / (1 + r) (0 here: q^100000 underflows). */
static void test_tornado_steps_stay_valid(void **state)
{
	static const char infinite[] =
		"states: [Active, Lost]\ninitial: [1, 0]\n"
		"switching: {Active: [0.8, 0.2], Lost: [0, 1]}\n"
		"retention: {Active: {dist: uniform, min: 0.7, max: 0.9}}\n"
		"horizon: infinite\ndiscount_rate: 0.05\nspend_growth: 0.0497\n"
		"margin: {Active: 100, Lost: 0}\n";
	static const char longest[] =
		"states: [Active, Lost]\ninitial: [1, 0]\n"
		"switching: {Active: [0.8, 0.2], Lost: [0, 1]}\n"
		"retention: {Active: {dist: uniform, min: 0.7, max: 0.9}}\n"
		"horizon: 100000\ndiscount_rate: 0.1\nmargin: {Active: 100, Lost: 0}\n";
	whatif_settings set = small_settings(0, 0);
	clv_error err = {0};
	whatif_tornado *t;
	const whatif_elasticity *e;
	double c0 = 100.0 / (1.0 - 0.8 * 1.0497 / 1.05), c1 = 100.0 / (1.0 - 0.8 * 1.0497 / 1.0505);

	(void)state;
	t = tornado_path(write_file(0, "steps_infinite.yaml", infinite), &set, &err);
	if (t == NULL)
		fail_msg("%s", err.msg);
	e = elasticity_named(t, "discount_rate");
	assert_null(e->skipped);
	assert_true(fabs(e->e[2] - (c1 - c0) / c0 / 0.01) < 1e-6 * fabs((c1 - c0) / c0 / 0.01));
	whatif_tornado_free(t);
	t = tornado_path(write_file(1, "steps_longest.yaml", longest), &set, &err);
	if (t == NULL)
		fail_msg("%s", err.msg);
	e = elasticity_named(t, "horizon");
	assert_null(e->skipped);
	assert_true(fabs(e->e[2]) < 1e-12);
	e = elasticity_named(t, "discount_rate"); /* both steps valid: central, finite */
	assert_true(isfinite(e->e[2]) && e->e[2] < 0.0);
	whatif_tornado_free(t);
}

/* A sweep point whose infinite horizon the walk cannot reach is refused
   with the numbers, not simulated short. */
static void test_sweep_refuses_unreachable_horizon(void **state)
{
	static const char text[] =
		"states: [Active, Lost]\ninitial: [1, 0]\n"
		"switching: {Active: [0.8, 0.2], Lost: [0.1, 0.9]}\n"
		"horizon: infinite\ndiscount_rate: 0.05\nmargin: {Active: 100, Lost: 0}\n";
	whatif_settings set = small_settings(200, 2);
	whatif_axis ax;
	clv_error err = {0};

	(void)state;
	assert_int_equal(whatif_axis_parse("discount_rate=0.00001:0.00001:1", &ax, &err), CLV_OK);
	assert_null(sweep_path(write_file(0, "unreachable.yaml", text), &ax, 1, &set, true,
	                             &err));
	assert_int_equal(err.status, CLV_ERR_LIMIT);
	if (strstr(err.msg, "needs 2.3e+06 periods") == NULL)
		fail_msg("unexpected message: %s", err.msg);
	whatif_axis_clear(&ax);
}

/* 64 states x horizon 100000 x 2 replications: each arm keeps about 500
   MB (share percentiles, histograms) and fits alone; six of them together
   do not, and the comparison is refused before its first run, naming the
   arm that would not fit (the third). */
static void test_compare_budget_whole_command(void **state)
{
	whatif_settings set = small_settings(64, 2);
	char text[256 * 1024];
	size_t len = 0;
	const char *path, *paths[6];
	clv_error err = {0};
	int i, j, k;

	(void)state;
	len += (size_t)snprintf(text + len, sizeof text - len, "states: [");
	for (i = 0; i < 64; i++)
		len += (size_t)snprintf(text + len, sizeof text - len, "%sS%d", i ? ", " : "", i);
	len += (size_t)snprintf(text + len, sizeof text - len, "]\ninitial: [1");
	for (i = 1; i < 64; i++)
		len += (size_t)snprintf(text + len, sizeof text - len, ", 0");
	len += (size_t)snprintf(text + len, sizeof text - len, "]\nswitching:\n");
	for (i = 0; i < 64; i++) {
		len += (size_t)snprintf(text + len, sizeof text - len, "  S%d: [", i);
		for (j = 0; j < 64; j++)
			len += (size_t)snprintf(text + len, sizeof text - len, "%s%.17g", j ? ", " : "",
			                        i == j ? 0.9 : 0.1 / 63);
		len += (size_t)snprintf(text + len, sizeof text - len, "]\n");
	}
	snprintf(text + len, sizeof text - len, "horizon: 100000\ndiscount_rate: 0.01\nmargin: 100\n");
	path = write_file(0, "states64.yaml", text);
	for (k = 0; k < 6; k++)
		paths[k] = path;
	assert_null(compare_paths(paths, 6, &set, false, &err));
	if (err.status != CLV_ERR_LIMIT)
		fail_msg("%s", err.msg);
	if (strstr(err.msg, "scenario ") == NULL || strstr(err.msg, "states64.yaml): this run would "
	                                                    "need") == NULL)
		fail_msg("unexpected message: %s", err.msg);
	assert_null(strstr(err.msg, "scenario 1 ")); /* one alone fits */
}

/* Every point's budget before the first runs: the second point of
   customers = 1e5, 5.001e8 with 10000 replications is over the step
   limit, and is named before the first (3e9 steps, about a minute) is
   computed. */
static void test_sweep_budget_every_point_first(void **state)
{
	whatif_settings set = small_settings(0, 10000);
	whatif_axis ax;
	clv_error err = {0};

	(void)state;
	assert_int_equal(whatif_axis_parse("customers=1e5:1e9:5e8", &ax, &err), CLV_OK);
	assert_null(sweep_path(lib(0, "textbook.yaml"), &ax, 1, &set, true, &err));
	assert_int_equal(err.status, CLV_ERR_LIMIT);
	if (strstr(err.msg, "sweep point 2 of 2 (customers = 5.001e+08): this run would simulate") ==
	    NULL)
		fail_msg("unexpected message: %s", err.msg);
	whatif_axis_clear(&ax);
}

static int setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof tmpdir, "/tmp/test_whatif_limits.XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	return realpath("scenarios", library) == NULL ? -1 : 0;
}

static int teardown(void **state)
{
	DIR *d = opendir(tmpdir);
	struct dirent *e;
	char path[PATH_MAX + 512];

	(void)state;
	while (d != NULL && (e = readdir(d)) != NULL)
		if (e->d_name[0] != '.') {
			snprintf(path, sizeof path, "%s/%s", tmpdir, e->d_name);
			unlink(path);
		}
	if (d != NULL)
		closedir(d);
	rmdir(tmpdir);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tornado_steps_stay_valid),
		cmocka_unit_test(test_sweep_refuses_unreachable_horizon),
		cmocka_unit_test(test_compare_budget_whole_command),
		cmocka_unit_test(test_sweep_budget_every_point_first),
	};

	gsl_set_error_handler_off();
	return cmocka_run_group_tests(tests, setup, teardown);
}
