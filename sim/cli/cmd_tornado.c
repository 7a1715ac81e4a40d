/*
 * cmd_tornado.c - `clvsim tornado FILE [--state NAME]`: which uncertain
 * assumption moves CLV most. Each assumption at its 10th and 90th
 * percentiles with the others at their means (sorted bars), the spider
 * (CLV at its 10th..90th percentiles), and elasticities for retention,
 * discount rate, margin and horizon. Method: whatif.h, docs/whatif.md;
 * the report: output/report_tornado.h; the files in --out DIR:
 * output/output_tornado.h.
 */
#include "base/interrupt.h"
#include "cli/cli.h"
#include "clv_docdir.h"
#include "output/output_tornado.h"
#include "output/report_tornado.h"
#include "scenario/scenario.h"
#include "whatif/whatif.h"

/* --state NAME as an index (s->n without --state); -1 with err set. */
static long chosen_state(const cli_options *opt, const clv_scenario *s, clv_error *err)
{
	size_t i = opt->state ? scenario_state_index(s, opt->state) : s->n;
	const char *near;

	if (i != (size_t)-1)
		return (long)i;
	near = diag_did_you_mean(opt->state, (const char *const *)s->states, s->n);
	diag_set(err, CLV_ERR_USAGE, NULL, "--state %s: no such state in \"%s\"%s%s%s", opt->state,
	         s->name, near ? " (did you mean \"" : "", near ? near : "", near ? "\"?)" : "");
	return -1;
}

/* The report's summary: the text report (report_tornado.h). */
static void summary(FILE *f, const void *v)
{
	report_tornado_text(f, v);
}

/* The tables (with --out) and the report of v; a status. */
static clv_status report(const cli_options *opt, output_settings *out,
                         report_tornado_view *v, clv_error *err)
{
	clv_status rc = report_tornado_rank(v, err);

	out->summary = summary;
	out->summary_data = v;
	if (rc == CLV_OK && (out->out_dir != NULL || out->report != NULL))
		rc = output_tornado(out, v, err);
	if (rc == CLV_OK)
		rc = report_tornado_print(v, opt->format == FORMAT_JSON, err);
	return rc;
}

static int run_tornado(const cli_options *opt)
{
	clv_error err = {0};
	whatif_settings set;
	output_settings out;
	clv_scenario *s = scenario_load(opt->argv[0], &err);
	report_tornado_view v = {NULL, s, 0, NULL, NULL};
	long state;
	int rc;

	if (s == NULL)
		return cli_fail(&err);
	state = chosen_state(opt, s, &err);
	if (state < 0) {
		scenario_free(s);
		return cli_fail(&err);
	}
	v.state = (size_t)state;
	if (cli_settings(opt, &set, &out) != 0) {
		scenario_free(s);
		return CLV_EXIT_INPUT;
	}
	set.progress = false;
	cli_manifest_scenarios(&out, &set, (const clv_scenario *const *)&s, 1);
	interrupt_install(); /* SIGINT/SIGTERM: stop between blocks, exit 130 */
	v.t = whatif_tornado_run(s, &set, &err);
	if (v.t != NULL && v.t->n_inputs == 0) /* nothing to rank: say what to do */
		diag_set(&err, CLV_ERR_INPUT, NULL,
		         "tornado: %s has no uncertain assumption to rank; give assumptions a "
		         "distribution (e.g. margin: {dist: normal, mean: 500, sd: 50}; see "
		         CLV_DOCDIR "/scenarios.md), or vary one key over a grid with "
		         "`clvsim sweep %s --vary KEY=FROM:TO:STEP`", opt->argv[0], opt->argv[0]);
	rc = v.t == NULL || v.t->n_inputs == 0 ? cli_fail(&err)
	                                       : cli_exit(report(opt, &out, &v, &err), &err);
	report_tornado_view_clear(&v);
	whatif_tornado_free(v.t);
	scenario_free(s);
	return rc;
}

const cli_command cmd_tornado = {
	"tornado", "FILE",
	"Which uncertain assumption moves CLV most: tornado bars, spider lines, elasticities.",
	"For each uncertain assumption (a Dirichlet row counts by its retention), the expected\n"
	"CLV with that assumption at its 10th and 90th percentiles, the expectation taken over\n"
	"every other uncertain assumption (exact: quadrature, per-customer ones included): the\n"
	"swing, sorted widest first; the spider gives CLV at the 10th, 20th, ..., 90th\n"
	"percentiles. Elasticities (% change in CLV per 1% change) of\n"
	"retention, discount rate, margin and horizon come from the exact engine by central\n"
	"differences of +-1% (horizon: +-1 period). --state NAME adds that state's ranking\n"
	"(needed where the total is a whole market's category value, which cannot move).\n"
	"A scenario with nothing uncertain is refused (exit 2): use sweep instead.\n"
	"--out DIR writes tornado.csv, spider.csv, elasticity.csv (and tornado_state.csv)\n"
	"and the figures. See " CLV_DOCDIR "/whatif.md.\n",
	OPT_FORMAT | OPT_OUT | OPT_PLOT | OPT_REPORT |
		OPT_SEED | OPT_THREADS | OPT_QUIET | OPT_SIZE | OPT_STATE,
	1, 1, run_tornado,
};
