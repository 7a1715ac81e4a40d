/*
 * cmd_check.c - `clvsim check FILE...`: validate scenario files. Prints
 * "FILE: ok" per valid file on stdout, each error on stderr; exit 0 when
 * all are valid, 2 when any is not (1 when one could not be read).
 */
#include <stdio.h>

#include "cli/cli.h"
#include "engine/model.h"
#include "scenario/scenario.h"

static int check_one(const char *path)
{
	clv_error err = {0};
	clv_scenario *s = scenario_load(path, &err);
	clv_model *m = NULL;

	if (s != NULL)
		m = model_at_means(s, &err);
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
	if (fflush(stdout) != 0)
		return CLV_EXIT_RUNTIME;
	return worst;
}

const cli_command cmd_check = {
	"check", "FILE...",
	"Validate scenario files: every rule, with FILE:LINE:COLUMN for each problem.",
	"Exit status: 0 all valid, 2 some file is invalid, 1 some file could not be read.\n",
	0, 1, -1, run_check,
};
