/*
 * cmd_explain.c - `clvsim explain FILE`: the exact calculation written
 * out step by step, as a course would (output/explain.h), in plain text
 * or Markdown. For an uncertain scenario a small Monte Carlo run gives
 * the mean and interval shown beside the exact figure: the scenario's
 * replications (at most EXPLAIN_REPLICATIONS) of at most EXPLAIN_CUSTOMERS
 * customers, with the scenario's seed. The outer draws dominate the
 * uncertainty of the mean, so customers are cut before replications.
 */
#include <stdio.h>
#include <stdlib.h>

#include "base/interrupt.h"
#include "cli/cli.h"
#include "clv_docdir.h"
#include "engine/expect.h"
#include "engine/mc.h"
#include "engine/model.h"
#include "output/explain.h"
#include "scenario/scenario.h"

#define EXPLAIN_REPLICATIONS 1000
#define EXPLAIN_CUSTOMERS 500

/* The small Monte Carlo run of an uncertain scenario; NULL with err set. */
static mc_result *small_run(clv_scenario *s, long periods, clv_error *err)
{
	mc_config cfg;

	mc_config_defaults(&cfg, s);
	if (cfg.replications > EXPLAIN_REPLICATIONS)
		cfg.replications = EXPLAIN_REPLICATIONS;
	if (cfg.customers > EXPLAIN_CUSTOMERS)
		cfg.customers = EXPLAIN_CUSTOMERS;
	cfg.share_periods = periods;
	interrupt_install();
	return mc_run(s, &cfg, err);
}

static int run_explain(const cli_options *opt)
{
	clv_error err = {0};
	clv_scenario *s = scenario_load(opt->argv[0], &err);
	explain_options o = {opt->format == FORMAT_MARKDOWN, opt->periods, NULL,
	                     CLV_DOCDIR "/theory.md", NULL};
	mc_result *mc = NULL;
	expect_result *x = NULL;
	cli_text t;
	FILE *f;
	int rc = 0;

	if (s == NULL)
		return cli_fail(&err);
	if (model_is_uncertain(s)) {
		expect_options eo;
		mc = small_run(s, opt->periods, &err);
		if (mc != NULL) {
			expect_options_defaults(&eo, s);
			eo.seed = mc->seed;
			eo.replications = mc->replications;
			x = expect_scenario(s, opt->periods, &eo, &err);
		}
		if (x == NULL) {
			rc = cli_fail(&err);
			goto cleanup;
		}
		o.mc = mc;
		o.expect = x;
	}
	f = cli_text_open(&t);
	if (f == NULL) {
		rc = CLV_EXIT_RUNTIME;
		goto cleanup;
	}
	if (explain_write(f, s, &o, &err) != CLV_OK) {
		fclose(f);
		free(t.buf);
		rc = cli_fail(&err);
		goto cleanup;
	}
	rc = cli_text_print(&t);
cleanup:
	mc_free(mc);
	expect_free(x);
	scenario_free(s);
	return rc;
}

const cli_command cmd_explain = {
	"explain", "FILE",
	"The exact calculation written out step by step, as a course would: a lesson to read or hand out.",
	"Each share step S_{t+1} = S_t P with its products and sums, each discount factor\n"
	"(1+r)^t, each CLV term and the running sum, per state and in total; the steady\n"
	"state and how it was found, with the chain's structure. Uncertain assumptions are\n"
	"taken at their means; then a small Monte Carlo run (the scenario's replications,\n"
	"at most 1000, of at most 500 customers each, with the scenario's seed) shows what\n"
	"the uncertainty does. Up to 8 periods are written out; beyond, the first 4 and\n"
	"the last 2, the middle summarised. An infinite horizon is summed term by term for\n"
	"periods 0 to N-1 (--periods N), then in closed form.\n"
	"The theory behind each step: " CLV_DOCDIR "/theory.md.\n",
	OPT_MARKDOWN | OPT_PERIODS, 1, 1, run_explain,
};
