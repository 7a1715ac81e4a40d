/*
 * cmd_solve.c - `clvsim solve FILE --find KEY=LO:HI --target VALUE` and
 * `clvsim solve BASE.yaml CHANGED.yaml --find KEY=LO:HI [--target D]`:
 * the value of KEY at which the expected CLV reaches VALUE, or at which
 * CHANGED beats BASE by D (default 0: break-even), on the exact
 * expectation; under uncertainty each replication's own root and the
 * acceptability curve. Method: whatif/solve.h; the report:
 * output/report_solve.h; the files in --out DIR: output/output_solve.h.
 */
#include <stdlib.h>

#include "base/interrupt.h"
#include "cli/cli.h"
#include "clv_docdir.h"
#include "output/output_solve.h"
#include "output/report_solve.h"
#include "scenario/scenario.h"
#include "whatif/solve.h"

/* The report's summary: the text report (report_solve.h). */
typedef struct solve_text {
	const whatif_solve *v;
	const clv_scenario *base, *changed;
} solve_text;

static void summary(FILE *f, const void *data)
{
	const solve_text *t = data;

	report_solve_text(f, t->v, t->base, t->changed);
}

static int run_solve(const cli_options *opt)
{
	clv_error err = {0};
	whatif_settings set;
	output_settings out;
	whatif_find find = {0};
	whatif_solve *v = NULL;
	clv_scenario *s[2] = {NULL, NULL};
	const clv_scenario *base, *changed;
	clv_status st = CLV_OK;
	int k, rc = 0;

	if (cli_settings(opt, &set, &out) != 0)
		return CLV_EXIT_INPUT;
	set.progress = false;
	interrupt_install(); /* SIGINT/SIGTERM: stop between evaluations, exit 130 */
	if (opt->find == NULL)
		st = diag_set(&err, CLV_ERR_USAGE, NULL, "solve needs --find KEY=LO:HI, e.g. --find "
		              "campaign.retention_uplift=0:0.2");
	else if (opt->argc == 1 && !opt->has_target)
		st = diag_set(&err, CLV_ERR_USAGE, NULL, "solve FILE needs --target VALUE (the expected "
		              "CLV sought); give BASE.yaml CHANGED.yaml to solve for break-even");
	else
		st = whatif_find_parse(opt->find, &find, &err);
	for (k = 0; k < opt->argc && st == CLV_OK; k++)
		if ((s[k] = scenario_load(opt->argv[k], &err)) == NULL)
			st = err.status;
	if (st != CLV_OK) {
		rc = cli_fail(&err);
		goto cleanup;
	}
	cli_manifest_scenarios(&out, &set, (const clv_scenario *const *)s, (size_t)opt->argc);
	base = opt->argc == 2 ? s[0] : NULL;
	changed = opt->argc == 2 ? s[1] : s[0];
	v = whatif_solve_run(base, changed, &find, opt->has_target ? opt->target : 0.0, opt->state,
	                     &set, &err);
	if (v == NULL) {
		rc = cli_fail(&err);
		goto cleanup;
	}
	solve_text text = {v, base, changed};
	out.summary = summary;
	out.summary_data = &text;
	if (out.out_dir != NULL || out.report != NULL)
		st = output_solve(&out, v, changed, &err);
	if (st == CLV_OK)
		st = report_solve_print(v, base, changed, opt->format == FORMAT_JSON, &err);
	rc = cli_exit(st, &err);
cleanup:
	whatif_solve_free(v);
	scenario_free(s[0]);
	scenario_free(s[1]);
	whatif_find_clear(&find);
	return rc;
}

const cli_command cmd_solve = {
	"solve", "FILE --find KEY=LO:HI --target VALUE | BASE.yaml CHANGED.yaml --find KEY=LO:HI",
	"Goal seek and break-even: the value of a key at which expected CLV reaches a target.",
	"With one FILE: the value of KEY in [LO, HI] at which the expected CLV (total, or\n"
	"--state S) equals --target VALUE. With BASE.yaml CHANGED.yaml: the value of KEY in\n"
	"CHANGED at which expected CLV(CHANGED) - CLV(BASE) equals --target D (default 0:\n"
	"break-even). KEY is any key of `sweep --vary` (campaign.*, switching.A.B, retention.S,\n"
	"margin.S, discount_rate, ...). The root is found on the exact expectation by Brent's\n"
	"method to 1e-6 relative; [LO, HI] must bracket it (the error gives the values at\n"
	"both ends). When assumptions are drawn per replication, each replication (a possible\n"
	"world, the same draws in both scenarios) gets its own root: their percentiles and 90%\n"
	"interval, and P(pays) on a grid of 41 values across [LO, HI] (the acceptability\n"
	"curve). --out DIR writes solve.csv, solve_summary.csv, solve_roots.csv and solve.png.\n"
	"See " CLV_DOCDIR "/whatif.md.\n",
	OPT_FORMAT | OPT_OUT | OPT_PLOT | OPT_REPORT |
		OPT_SEED | OPT_THREADS | OPT_QUIET | OPT_REPS | OPT_FIND |
		OPT_SOLVE_STATE,
	1, 2, run_solve,
};
