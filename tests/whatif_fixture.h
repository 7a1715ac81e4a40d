/*
 * whatif_fixture.h - shared by the what-if output suites
 * (test_report_whatif.c, test_output_whatif.c): the what-if results
 * they read, run once by the group setup on shipped scenarios at a fixed
 * seed with few customers, and a private temporary folder (in $TMPDIR,
 * else the system's).
 *
 * The what-if API is called only here (compare_of, sweep_of, tornado_of).
 * Include after cmocka.h.
 */
#ifndef CLV_TEST_WHATIF_FIXTURE_H
#define CLV_TEST_WHATIF_FIXTURE_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "output/report_tornado.h"
#include "scenario/scenario.h"
#include "whatif/whatif.h"

#define PATH_CAP 4096

/* The what-if results every test reads (built once by setup). */
typedef struct fixture {
	char dir[256];               /* the suite's temporary folder */
	whatif_compare *cmp;         /* brand_a, retention_campaign, brand_a */
	whatif_compare *apart;       /* textbook, loyal_customer: no common state */
	clv_scenario *book;          /* textbook.yaml */
	whatif_sweep *line;          /* textbook, discount_rate 0.05:0.15:0.05 */
	whatif_sweep *grid;          /* textbook, + margin.A 400:600:100 */
	clv_scenario *unc;           /* uncertain_retention.yaml */
	whatif_tornado *tor;         /* of unc */
	whatif_tornado *flat;        /* of book: no uncertain assumption */
} fixture;

static fixture fx;

/* rm -r path (a file or a folder). */
static void remove_tree(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[PATH_CAP];

	if (d == NULL) {
		unlink(dir);
		return;
	}
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		remove_tree(path);
	}
	closedir(d);
	rmdir(dir);
}

/* A fixed seed and few customers. */
static whatif_settings fixture_settings(void)
{
	whatif_settings set;

	memset(&set, 0, sizeof set);
	set.seed = 7;
	set.has_seed = true;
	set.replications = 6;
	set.customers = 300;
	set.has_share_periods = true;
	return set;
}

static whatif_compare *compare_of(const char *const *paths, size_t n)
{
	whatif_settings set = fixture_settings();
	clv_error err = {0};
	clv_scenario *s[8] = {NULL};
	whatif_compare *c = NULL;
	size_t k, loaded = 0;

	for (k = 0; k < n && k < 8; k++, loaded++)
		if ((s[k] = scenario_load(paths[k], &err)) == NULL)
			break;
	if (loaded == n)
		c = whatif_compare_run((const clv_scenario *const *)s, n, &set, false, &err);
	if (c == NULL)
		fprintf(stderr, "compare: %s\n", err.msg);
	for (k = 0; k < loaded; k++)
		scenario_free(s[k]);
	return c;
}

static whatif_sweep *sweep_of(const char *path, const char *const *vary, size_t n)
{
	whatif_settings set = fixture_settings();
	clv_error err = {0};
	whatif_axis axes[2];
	whatif_sweep *w = NULL;
	clv_scenario *s = scenario_load(path, &err);
	size_t k;

	memset(axes, 0, sizeof axes);
	if (s == NULL)
		goto cleanup;
	for (k = 0; k < n; k++)
		if (whatif_axis_parse(vary[k], &axes[k], &err) != CLV_OK)
			goto cleanup;
	w = whatif_sweep_run(s, axes, n, &set, true, &err);
cleanup:
	scenario_free(s);
	if (w == NULL)
		fprintf(stderr, "sweep: %s\n", err.msg);
	whatif_axis_clear(&axes[0]);
	whatif_axis_clear(&axes[1]);
	return w;
}

static whatif_tornado *tornado_of(const char *path)
{
	whatif_settings set = fixture_settings();
	clv_error err = {0};
	clv_scenario *s = scenario_load(path, &err);
	whatif_tornado *t = s ? whatif_tornado_run(s, &set, &err) : NULL;

	if (t == NULL)
		fprintf(stderr, "tornado: %s\n", err.msg);
	scenario_free(s);
	return t;
}

static int whatif_fixture_setup(void **state)
{
	static const char *const three[] = {"scenarios/brand_a.yaml",
	                                    "scenarios/retention_campaign.yaml",
	                                    "scenarios/brand_a.yaml"};
	static const char *const apart[] = {"scenarios/textbook.yaml",
	                                    "scenarios/loyal_customer.yaml"};
	static const char *const vary[] = {"discount_rate=0.05:0.15:0.05", "margin.A=400:600:100"};
	const char *tmp = getenv("TMPDIR");
	clv_error err = {0};

	snprintf(fx.dir, sizeof fx.dir, "%s/clvsim-test-whatif-XXXXXX",
	         tmp != NULL && tmp[0] != '\0' ? tmp : P_tmpdir);
	if (mkdtemp(fx.dir) == NULL)
		return -1;
	fx.cmp = compare_of(three, 3);
	fx.apart = compare_of(apart, 2);
	fx.book = scenario_load("scenarios/textbook.yaml", &err);
	fx.line = sweep_of("scenarios/textbook.yaml", vary, 1);
	fx.grid = sweep_of("scenarios/textbook.yaml", vary, 2);
	fx.unc = scenario_load("scenarios/uncertain_retention.yaml", &err);
	fx.tor = tornado_of("scenarios/uncertain_retention.yaml");
	fx.flat = tornado_of("scenarios/textbook.yaml");
	return fx.cmp && fx.apart && fx.book && fx.line && fx.grid && fx.unc && fx.tor && fx.flat
	               ? 0 : -1;
}

static int whatif_fixture_teardown(void **state)
{
	whatif_compare_free(fx.cmp);
	whatif_compare_free(fx.apart);
	whatif_sweep_free(fx.line);
	whatif_sweep_free(fx.grid);
	whatif_tornado_free(fx.tor);
	whatif_tornado_free(fx.flat);
	scenario_free(fx.book);
	scenario_free(fx.unc);
	remove_tree(fx.dir);
	return 0;
}

/* A ranked view of t (of s) for state (t->n: none). */
static report_tornado_view view_of(whatif_tornado *t, const clv_scenario *s, size_t state)
{
	report_tornado_view v = {t, s, state, NULL, NULL};
	clv_error err = {0};

	assert_int_equal(report_tornado_rank(&v, &err), CLV_OK);
	return v;
}

#endif
