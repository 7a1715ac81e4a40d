/*
 * cmd_sweep.c - `clvsim sweep [BASE.yaml] FILE --vary KEY=FROM:TO:STEP [--vary ...]`:
 * CLV over a one- or two-dimensional grid of any numeric key, exact and
 * Monte Carlo (one seed for every point: common random numbers across the
 * grid); with BASE, each point's difference from it (whatif_sweep_vs).
 * Method: whatif.h; keys: docs/scenarios.md, "Labels"; the report:
 * output/report_sweep.h; the files in --out DIR: output/output_sweep.h.
 */
#include <string.h>

#include "base/interrupt.h"
#include "cli/cli.h"
#include "clv_docdir.h"
#include "output/output_sweep.h"
#include "output/report_sweep.h"
#include "scenario/scenario.h"
#include "whatif/whatif.h"

/* --vary KEY=FROM:TO:STEP, once or twice, as grid axes. */
static int parse_axes(const cli_options *opt, whatif_axis *axes, clv_error *err)
{
	int k;

	if (opt->n_vary == 0) {
		diag_set(err, CLV_ERR_USAGE, NULL, "sweep needs --vary KEY=FROM:TO:STEP (once or "
		         "twice), e.g. --vary discount_rate=0.02:0.2:0.02");
		return -1;
	}
	for (k = 0; k < opt->n_vary; k++)
		if (whatif_axis_parse(opt->vary[k], &axes[k], err) != CLV_OK)
			return -1;
	return 0;
}

/* The report's summary: the text report (report_sweep.h). */
typedef struct sweep_text {
	const whatif_sweep *w;
	const clv_scenario *s;
} sweep_text;

static void summary(FILE *f, const void *data)
{
	const sweep_text *t = data;

	report_sweep_text(f, t->w, t->s);
}

static int run_sweep(const cli_options *opt)
{
	clv_error err = {0};
	whatif_axis axes[2];
	whatif_settings set;
	output_settings out;
	whatif_sweep *w = NULL;
	clv_scenario *s = NULL, *base = NULL;
	const clv_scenario *read[2]; /* the files read, for manifest.json */
	sweep_text text;
	clv_status st = CLV_OK;
	int rc = 0;

	memset(axes, 0, sizeof axes);
	if (cli_settings(opt, &set, &out) != 0)
		return CLV_EXIT_INPUT;
	set.progress = false;
	interrupt_install(); /* SIGINT/SIGTERM: stop between blocks, exit 130 */
	if (parse_axes(opt, axes, &err) != 0 ||
	    (opt->argc == 2 && (base = scenario_load(opt->argv[0], &err)) == NULL) ||
	    (s = scenario_load(opt->argv[opt->argc - 1], &err)) == NULL) {
		rc = cli_fail(&err);
		goto cleanup;
	}
	read[0] = base != NULL ? base : s;
	read[1] = s;
	cli_manifest_scenarios(&out, &set, read, base != NULL ? 2 : 1);
	if (base != NULL)
		w = whatif_sweep_vs(base, s, axes, (size_t)opt->n_vary, &set, &err);
	else
		w = whatif_sweep_run(s, axes, (size_t)opt->n_vary, &set, true, &err);
	if (w == NULL) {
		rc = cli_fail(&err);
		goto cleanup;
	}
	text = (sweep_text){w, s};
	out.summary = summary;
	out.summary_data = &text;
	if (out.out_dir != NULL || out.report != NULL)
		st = output_sweep(&out, w, s, &err);
	if (st == CLV_OK)
		st = report_sweep_print(w, s, opt->format == FORMAT_JSON, &err);
	rc = cli_exit(st, &err);
cleanup:
	whatif_sweep_free(w);
	scenario_free(s);
	scenario_free(base);
	whatif_axis_clear(&axes[0]);
	whatif_axis_clear(&axes[1]);
	return rc;
}

const cli_command cmd_sweep = {
	"sweep", "[BASE.yaml] FILE --vary KEY=FROM:TO:STEP [--vary KEY2=FROM:TO:STEP]",
	"CLV over a grid of one or two numeric keys: exact, and mean and SE, at every point.",
	"KEY is any assumption label (discount_rate, margin.A, retention.A, switching.A.B,\n"
	"campaign.cost, ...; " CLV_DOCDIR "/scenarios.md, \"Labels\") or horizon, customers, replications.\n"
	"Setting a matrix entry switching.I.J rescales the other entries of row I\n"
	"proportionally so the row still sums to 1 (the rule is printed). Grid: FROM <= TO,\n"
	"STEP > 0, at most 10000 points in all. Every point uses the same seed (common random\n"
	"numbers across the grid). Mean and SE by the method that needs least (--mode auto,\n"
	"the default): nothing uncertain, the exact engine alone (SE 0); nothing drawn per\n"
	"customer, each replication's exact CLV given its draws (no customers simulated);\n"
	"else Monte Carlo. --mode customers (or aggregate) runs that engine at every point.\n"
	"--out DIR writes sweep.csv (one key) or sweep2.csv and\n"
	"sweep2_states.csv (two keys) and a line or heat-map figure.\n"
	"With BASE.yaml FILE: FILE (the changed scenario) is swept and every point compared\n"
	"with BASE on common random numbers: the exact and Monte Carlo difference, its SE\n"
	"and 90% interval, and where the total difference crosses 0 (the break-even; with\n"
	"two keys its contour, drawn on the heat map of the difference); --out DIR adds\n"
	"sweep_diff.csv or sweep2_diff.csv and sweep2_breakeven.csv. See " CLV_DOCDIR "/whatif.md.\n",
	OPT_FORMAT | OPT_OUT | OPT_PLOT | OPT_REPORT | OPT_SEED | OPT_THREADS | OPT_QUIET |
	    OPT_SIZE | OPT_VARY | OPT_MODE,
	1, 2, run_sweep,
};
