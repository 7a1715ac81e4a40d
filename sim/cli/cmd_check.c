/*
 * cmd_check.c - `clvsim check FILE...`: validate scenario files: every
 * rule of the loader, the model at the means, and the budgets `run`
 * applies at the file's own sizes. Prints "FILE: ok" per valid file on
 * stdout; for an invalid one, every independent problem on stderr, one
 * "clvsim: error: FILE:LINE:COLUMN: MESSAGE" line each, in file order, at
 * most CHECK_SHOWN per file and then how many more there are. Exit 0 when
 * all are valid, 2 when any is not (1 when one could not be read).
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "engine/mc.h"
#include "engine/model.h"
#include "scenario/scenario.h"

/* Problems shown per file; the rest are counted. */
#define CHECK_SHOWN 20

/* The budgets `run` would check, at the file's sizes (customers,
   replications; the machine's threads): refused with the file's name. */
static clv_status check_budget(clv_scenario *s, clv_error *err)
{
	mc_config cfg;
	mc_budget b;

	mc_config_defaults(&cfg, s);
	if (mc_estimate(s, &cfg, &b, err) != CLV_OK)
		return err->status;
	return mc_budget_check(&b, s->path, err);
}

/* Every problem the load kept, then err if it holds one more (an error
   that stopped the load); returns the exit status. */
static int print_problems(const char *path, const diag_list *all, const clv_error *err)
{
	size_t i, shown = all->n < CHECK_SHOWN ? all->n : CHECK_SHOWN;
	int rc = 0;

	for (i = 0; i < shown; i++) {
		fprintf(stderr, "clvsim: error: %s\n", all->item[i].msg);
		rc = diag_exit_code(all->item[i].status);
	}
	if (all->n + all->dropped > shown)
		fprintf(stderr, "clvsim: error: %s: %zu more problem%s not shown\n", path,
		        all->n + all->dropped - shown, all->n + all->dropped - shown == 1 ? "" : "s");
	/* err repeats the first kept problem, unless something else stopped
	   the load (e.g. a base file that cannot be read) */
	if (err->status != CLV_OK && (all->n == 0 || err->status != all->item[0].status ||
	                              strcmp(err->msg, all->item[0].msg) != 0))
		rc = cli_fail(err);
	return rc != 0 ? rc : diag_exit_code(CLV_ERR_INPUT);
}

static int check_one(const char *path)
{
	diag_list all = {0};
	clv_error err = {.all = &all};
	clv_scenario *s = scenario_load(path, &err);
	clv_model *m = NULL;
	int rc;

	err.all = NULL;
	if (s == NULL) {
		rc = print_problems(path, &all, &err);
		diag_list_free(&all);
		return rc;
	}
	m = model_at_means(s, &err);
	if (m != NULL && check_budget(s, &err) != CLV_OK) {
		model_free(m);
		m = NULL;
	}
	if (m == NULL) {
		scenario_free(s);
		return cli_fail(&err);
	}
	printf("%s: ok (%zu states, %s%s)\n", path, s->n,
	       s->infinite ? "infinite horizon" : "finite horizon",
	       model_is_uncertain(s) ? ", uncertain assumptions" : "");
	model_free(m);
	scenario_free(s);
	return 0;
}

static int run_check(const cli_options *opt)
{
	int i, worst = 0;

	for (i = 0; i < opt->argc; i++) {
		int rc = check_one(opt->argv[i]);
		if (rc > worst)
			worst = rc;
	}
	return worst; /* main() fails a stdout that cannot be written */
}

const cli_command cmd_check = {
	"check", "FILE...",
	"Validate scenario files: every rule, with FILE:LINE:COLUMN for each problem.",
	"Every independent problem of a file is reported, in file order, at most 20 per file\n"
	"(then how many more); a problem that follows from another is not.\n"
	"Exit status: 0 all valid, 2 some file is invalid, 1 some file could not be read.\n",
	0, 1, -1, run_check,
};
