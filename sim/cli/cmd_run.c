/*
 * cmd_run.c - `clvsim run [FILE]`: the Monte Carlo forecast with the exact
 * expectation beside every figure; text or JSON on stdout, CSV tables and
 * plots in --out DIR. Without FILE it runs the built-in default scenario
 * (the textbook example of domain.md section 3).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/interrupt.h"
#include "cli/cli.h"
#include "engine/exact.h"
#include "engine/mc.h"
#include "engine/model.h"
#include "output/output.h"
#include "output/report.h"
#include "output/report_mc.h"
#include "scenario/scenario.h"

static const char default_scenario[] =
	"# The built-in default: domain.md section 3, the textbook example.\n"
	"name: \"Textbook example (built-in)\"\n"
	"states: [A, B, C]\n"
	"initial: [0.6, 0.3, 0.1]\n"
	"switching:\n"
	"  A: [0.70, 0.20, 0.10]\n"
	"  B: [0.10, 0.80, 0.10]\n"
	"  C: [0.25, 0.15, 0.60]\n"
	"period: year\n"
	"horizon: 2\n"
	"discount_rate: 0.09\n"
	"margin: 500\n"
	"customers: 10000\n"
	"replications: 200\n"
	"seed: 42\n";

/* Fill cfg and out from the scenario and the options. Returns an exit
   code. */
static int configure(const cli_options *opt, const clv_scenario *s, mc_config *cfg,
                     output_settings *out)
{
	mc_settings set;
	int rc = cli_settings(opt, &set, out);

	if (rc != 0)
		return rc;
	mc_config_from(cfg, s, &set); /* seed: --seed, else the file's, else 42 */
	if (opt->format == FORMAT_JSON) /* the document's share table, in the memory budget */
		cfg->report_cell_bytes = REPORT_JSON_CELL_BYTES;
	/* a progress bar only where it helps: a terminal, and a run of more
	   than about a second (2e8 purchase steps) */
	cfg->progress = set.progress &&
	                (s->infinite || (double)cfg->replications * (double)cfg->customers *
	                                    (double)(s->horizon + 1) > 2e8);
	return 0;
}

static int print_results(const cli_options *opt, const clv_scenario *s, const clv_model *m,
                         const mc_result *r, const exact_result *ex, const mc_config *cfg,
                         bool at_means)
{
	clv_error err = {0};
	cli_text t;
	FILE *f;

	if (opt->format == FORMAT_JSON) {
		json_t *doc = report_json_head(s, m);
		json_object_set_new(doc, "exact", report_json_exact(s, ex, at_means));
		json_object_set_new(doc, "mc", report_json_mc(s, r, cfg->sampling == SAMPLE_LHS ? "lhs" : "mc",
		                                             cfg->precision, cfg->precision_relative));
		return cli_exit(report_json_print(doc, &err), &err);
	}
	f = cli_text_open(&t);
	if (f == NULL)
		return CLV_EXIT_RUNTIME;
	report_text_head(f, s, m);
	report_text_mc(f, s, r, ex, at_means);
	if (cfg->precision > 0)
		fprintf(f, "Precision target %s%s: %s after %llu replications.\n", opt->precision,
		        cfg->precision_relative ? " of the mean" : "",
		        r->precision_reached ? "reached" : "NOT reached (cap hit)",
		        (unsigned long long)r->replications);
	return cli_text_print(&t);
}

static int run_run(const cli_options *opt)
{
	clv_error err = {0};
	clv_scenario *s = opt->argc > 0 ? scenario_load(opt->argv[0], &err)
	                                : scenario_load_buffer("(built-in default scenario)",
	                                                       default_scenario,
	                                                       sizeof default_scenario - 1, &err);
	clv_model *m = NULL;
	exact_result *ex = NULL;
	mc_result *r = NULL;
	mc_config cfg;
	output_settings out;
	int rc = 0;
	bool at_means;

	if (s == NULL)
		return cli_fail(&err);
	rc = configure(opt, s, &cfg, &out);
	if (rc != 0)
		goto cleanup;
	m = model_at_means(s, &err);
	if (m != NULL)
		ex = exact_scenario(s, cfg.share_periods, &err);
	if (ex != NULL) {
		interrupt_install();
		r = mc_run(s, &cfg, &err);
	}
	if (r == NULL) {
		rc = cli_fail(&err);
		goto cleanup;
	}
	at_means = model_is_uncertain(s);
	if (out.out_dir != NULL && output_run(&out, s, r, ex, &err) != CLV_OK) {
		rc = cli_fail(&err);
		goto cleanup;
	}
	rc = print_results(opt, s, m, r, ex, &cfg, at_means);
cleanup:
	mc_free(r);
	exact_free(ex);
	model_free(m);
	scenario_free(s);
	return rc;
}

const cli_command cmd_run = {
	"run", "[FILE]",
	"Monte Carlo forecast: share of wallet over time and the distribution of CLV, with the exact expectation beside it.",
	"Without FILE, runs the built-in default scenario (domain.md's textbook example).\n"
	"Same scenario and seed give the same numbers, byte for byte, whatever --threads.\n",
	OPT_FORMAT | OPT_OUT | OPT_PLOT | OPT_SEED | OPT_THREADS | OPT_QUIET | OPT_SAMPLING |
		OPT_PRECISION | OPT_PERIODS | OPT_SIZE,
	0, 1, run_run,
};
