/*
 * cmd_check.c - `clvsim check FILE...`: validate scenario files: every
 * rule of the loader, the model at the means, and the budgets `run`
 * applies at the file's own sizes. Prints "FILE: ok" per valid file on
 * stdout, each error on stderr; exit 0 when all are valid, 2 when any is
 * not (1 when one could not be read).
 */
#include <stdio.h>

#include "cli/cli.h"
#include "engine/mc.h"
#include "engine/model.h"
#include "scenario/scenario.h"

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

static int check_one(const char *path)
{
	clv_error err = {0};
	clv_scenario *s = scenario_load(path, &err);
	clv_model *m = NULL;

	if (s != NULL)
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
	"Exit status: 0 all valid, 2 some file is invalid, 1 some file could not be read.\n",
	0, 1, -1, run_check,
};
