/*
 * cmd_exact.c - `clvsim exact FILE`: the analytic forecast (shares per
 * period, CLV per state and total, steady state, the chain's structure),
 * as text or JSON.
 */
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "engine/breakdown.h"
#include "engine/clvdist.h"
#include "engine/exact.h"
#include "engine/expect.h"
#include "engine/model.h"
#include "output/report.h"
#include "output/report_base.h"
#include "output/report_segments.h"
#include "output/report_clvdist.h"
#include "output/report_structure.h"
#include "scenario/scenario.h"

static int run_exact(const cli_options *opt)
{
	clv_error err = {0};
	clv_scenario *s = scenario_load(opt->argv[0], &err);
	clv_model *m = NULL;
	expect_result *x = NULL;
	exact_result *at_means = NULL;
	breakdown *b = NULL;
	clvdist_report *dist = NULL;
	clvdist_request rq = {NULL, 0, 0, 0, 0.0, 0};
	int rc = 0;

	if (s == NULL)
		return cli_fail(&err);
	m = model_at_means(s, &err);
	if (m != NULL)
		x = expect_with_means(s, opt->periods, NULL, &at_means, &err);
	rq.replications = s->replications; /* the draws `run` would make first */
	rq.seed = s->seed;
	rq.threads = opt->threads;
	if (x != NULL)
		dist = clvdist_scenario(s, &rq, &err);
	if (x == NULL || dist == NULL || (b = breakdown_create(&err)) == NULL ||
	    breakdown_segments(b, s, opt->periods, NULL, &err) != CLV_OK) {
		rc = cli_fail(&err);
		goto cleanup;
	}
	if (opt->format == FORMAT_JSON) {
		json_t *doc = report_json_head(s, m), *ex = report_json_exact(s, x);
		json_object_set_new(ex, "chain", report_json_chain(s));
		report_segments_json_exact(ex, s, x, b);
		report_json_clvdist(ex, s, dist);
		json_object_set_new(doc, "exact", ex);
		if (at_means != NULL)
			json_object_set_new(doc, "exact_at_means", report_json_at_means(s, at_means));
		rc = cli_exit(report_json_print(doc, "exact", &err), &err);
	} else {
		cli_text t;
		FILE *f = cli_text_open(&t);
		if (f == NULL) {
			rc = CLV_EXIT_RUNTIME;
			goto cleanup;
		}
		report_text_head(f, s, m);
		report_text_exact(f, s, x, at_means);
		report_segments_text(f, s, x, NULL, b);
		report_base_text(f, s, x, at_means, b);
		report_text_clvdist(f, s, dist);
		if (report_text_chain(f, s, &err) != CLV_OK) {
			fclose(f);
			free(t.buf);
			rc = cli_fail(&err);
			goto cleanup;
		}
		rc = cli_text_print(&t);
	}
cleanup:
	breakdown_free(b);
	clvdist_report_free(dist);
	expect_free(x);
	exact_free(at_means);
	model_free(m);
	scenario_free(s);
	return rc;
}

const cli_command cmd_exact = {
	"exact", "FILE",
	"The exact (analytic) forecast: expected shares per period, CLV per state, steady state, the chain's structure.",
	"With uncertain assumptions, the exact figures are their expectation (by quadrature,\n"
	"or averaged over the scenario's replications of draws, with an se; the report says\n"
	"which), and the figures at the assumptions' means are shown beside them.\n"
	"For an infinite horizon the CLV uses the closed form (I - P/(1+r))^-1.\n",
	OPT_FORMAT | OPT_PERIODS, 1, 1, run_exact,
};
