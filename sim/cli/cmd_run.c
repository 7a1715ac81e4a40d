/*
 * cmd_run.c - `clvsim run [FILE]`: the Monte Carlo forecast with the exact
 * expectation beside every figure; text or JSON on stdout, CSV tables and
 * plots in --out DIR. Without FILE it runs the built-in default scenario
 * (the textbook example of docs/theory.md section 4).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/interrupt.h"
#include "cli/cli.h"
#include "clv_docdir.h"
#include "engine/breakdown.h"
#include "engine/clvdist.h"
#include "engine/exact.h"
#include "engine/expect.h"
#include "engine/mc.h"
#include "engine/model.h"
#include "output/output.h"
#include "output/report.h"
#include "output/report_structure.h"
#include "output/report_base.h"
#include "output/report_clvdist.h"
#include "output/report_mc.h"
#include "output/report_segments.h"
#include "scenario/scenario.h"

static const char default_scenario[] =
	"# The built-in default: the textbook example (docs/theory.md section 4).\n"
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
	/* run reports each replication's exact figures given its draws where
	   they exist (nothing drawn per customer): no inner noise in the mean,
	   its se and the replication spread (docs/statistics.md) */
	set.exact_replications = true;
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

/* What the text report of a run reads (stdout, and --report's summary). */
typedef struct run_text {
	const cli_options *opt;
	const clv_scenario *s;
	const clv_model *m;
	const mc_result *r;
	const expect_result *x;
	const exact_result *at_means;
	const breakdown *b;
	const clvdist_report *dist;
	const mc_config *cfg;
} run_text;

static void write_text(FILE *f, const void *data)
{
	const run_text *t = data;

	report_text_head(f, t->s, t->m);
	report_text_mc(f, t->s, t->r, t->x, t->at_means);
	report_segments_text(f, t->s, t->x, t->r, t->b);
	report_base_text(f, t->s, t->x, t->at_means, t->b);
	report_text_clvdist(f, t->s, t->dist);
	if (t->cfg->precision > 0)
		fprintf(f, "Precision target %s%s: %s after %llu replications.\n", t->opt->precision,
		        t->cfg->precision_relative ? " of the mean" : "",
		        t->r->precision_reached ? "reached" : "NOT reached (cap hit)",
		        (unsigned long long)t->r->replications);
}

static int print_results(const cli_options *opt, clv_scenario *s, const clv_model *m,
                         const mc_result *r, const expect_result *x, const exact_result *at_means,
                         const breakdown *b, const clvdist_report *dist,
                         const mc_config *cfg)
{
	const run_text rt = {opt, s, m, r, x, at_means, b, dist, cfg};
	clv_error err = {0};
	cli_text t;
	FILE *f;

	if (opt->format == FORMAT_JSON) {
		json_t *doc = report_json_head(s, m), *ex = report_json_exact(s, x), *mc;
		json_object_set_new(ex, "chain", report_json_chain(s));
		report_segments_json_exact(ex, s, x, b);
		report_json_clvdist(ex, s, dist);
		json_object_set_new(doc, "exact", ex);
		if (at_means != NULL)
			json_object_set_new(doc, "exact_at_means", report_json_at_means(s, at_means));
		mc = report_json_mc(s, r, cfg->sampling == SAMPLE_LHS ? "lhs" : "mc", cfg->precision,
		                    cfg->precision_relative);
		report_base_json_mc(mc, s, b);
		json_object_set_new(doc, "mc", mc);
		return cli_exit(report_json_print(doc, "run", &err), &err);
	}
	f = cli_text_open(&t);
	if (f == NULL)
		return CLV_EXIT_RUNTIME;
	write_text(f, &rt);
	return cli_text_print(&t);
}

/* The exact CLV distribution computed beside the run's first customers,
   on one of its threads (mc_config.beside), when it needs nothing of the
   run (nothing drawn per replication): the same figures, its time spread
   over the run's threads instead of after them. */
typedef struct dist_beside {
	clv_scenario *s;
	clvdist_request rq;
	clvdist_report *dist;
	clv_error err;
	bool ran;
} dist_beside;

static void dist_compute_beside(void *ctx)
{
	dist_beside *d = ctx;

	d->dist = clvdist_scenario(d->s, &d->rq, &d->err);
	d->ran = true;
}

static int run_run(const cli_options *opt)
{
	clv_error err = {0};
	clv_scenario *s = opt->argc > 0 ? scenario_load(opt->argv[0], &err)
	                                : scenario_load_buffer("(built-in default scenario)",
	                                                       default_scenario,
	                                                       sizeof default_scenario - 1, &err);
	clv_model *m = NULL;
	expect_result *x = NULL;
	exact_result *at_means = NULL;
	clvdist_report *dist = NULL;
	mc_result *r = NULL;
	breakdown *b = NULL;
	mc_config cfg;
	output_settings out;
	expect_options eo;
	dist_beside side = {0};
	int rc = 0;

	if (s == NULL)
		return cli_fail(&err);
	rc = configure(opt, s, &cfg, &out);
	if (rc != 0)
		goto cleanup;
	m = model_at_means(s, &err);
	expect_options_defaults(&eo, s);
	eo.seed = cfg.seed; /* an average over draws uses the run's own */
	eo.replications = cfg.replications;
	if (m != NULL)
		x = expect_with_means(s, cfg.share_periods, &eo, &at_means, &err);
	if (x != NULL && (b = breakdown_create(&err)) != NULL &&
	    breakdown_segments(b, s, cfg.share_periods, &eo, &err) == CLV_OK) {
		interrupt_install();
		if (!clvdist_uses_run_draws(s)) {
			side.s = s;
			side.rq = (clvdist_request){NULL, 0, cfg.replications, cfg.seed, 0.0, 1};
			cfg.beside = dist_compute_beside;
			cfg.beside_ctx = &side;
		}
		r = mc_run(s, &cfg, &err);
	}
	if (r != NULL && side.ran) { /* computed beside the run */
		dist = side.dist;
		side.dist = NULL;
		if (dist == NULL)
			err = side.err;
	} else if (r != NULL) { /* exact given the run's own draws */
		clvdist_request rq = {r->rep_input, r->n_inputs, r->replications, cfg.seed, 0.0,
		                      cfg.threads};
		dist = clvdist_scenario(s, &rq, &err);
	}
	if (r == NULL || dist == NULL || breakdown_equity(b, s, r, cfg.share_periods, &err) != CLV_OK ||
	    (opt->by_start && breakdown_by_start(b, s, &cfg, &err) != CLV_OK)) {
		rc = cli_fail(&err);
		goto cleanup;
	}
	out.manifest.scenarios = (const clv_scenario *const *)&s; /* for manifest.json */
	out.manifest.n_scenarios = 1;
	out.manifest.seed = cfg.seed;
	out.manifest.has_seed = true;
	out.manifest.builtin = opt->argc == 0;
	out.manifest.builtin_text = default_scenario;
	const run_text rt = {opt, s, m, r, x, at_means, b, dist, &cfg};
	out.summary = write_text; /* the report's summary: the text report */
	out.summary_data = &rt;
	if ((out.out_dir != NULL || out.report != NULL) &&
	    output_run(&out, s, r, x->mean, b, &err) != CLV_OK) {
		rc = cli_fail(&err);
		goto cleanup;
	}
	rc = print_results(opt, s, m, r, x, at_means, b, dist, &cfg);
cleanup:
	breakdown_free(b);
	clvdist_report_free(dist);
	clvdist_report_free(side.dist); /* the run failed after computing it */
	mc_free(r);
	expect_free(x);
	exact_free(at_means);
	model_free(m);
	scenario_free(s);
	return rc;
}

const cli_command cmd_run = {
	"run", "[FILE]",
	"Monte Carlo forecast: share of wallet over time and the distribution of CLV, with the exact expectation beside it.",
	"Without FILE, runs the built-in default scenario: the textbook example of\n"
	"" CLV_DOCDIR "/theory.md, section 4.\n"
	"Same scenario and seed give the same numbers, byte for byte, whatever --threads.\n"
	"Reported too: each customer tier on its own, the value by starting state (exact;\n"
	"Monte Carlo with --by-start), P(CLV < 0), P(a share falls), and with customer_base\n"
	"the equity of the whole base. --out DIR adds replications.csv, the iteration table.\n"
	"--mode aggregate moves the state counts of the whole population (share of wallet\n"
	"and customer equity of any number of customers in milliseconds; no figures of\n"
	"single customers, no per-customer assumptions); --mode customers walks every\n"
	"customer; auto (the default) aggregates when it can and the per-customer run\n"
	"would be long (over 2e9 purchase steps). The report says which engine ran, and\n"
	"beside it the exact distribution of a customer's CLV (no simulation).\n",
	OPT_FORMAT | OPT_OUT | OPT_PLOT | OPT_REPORT |
		OPT_SEED | OPT_THREADS | OPT_QUIET | OPT_SAMPLING |
		OPT_PRECISION | OPT_PERIODS | OPT_SIZE | OPT_BY_START | OPT_MODE,
	0, 1, run_run,
};
