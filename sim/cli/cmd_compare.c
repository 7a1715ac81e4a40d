/*
 * cmd_compare.c - `clvsim compare A.yaml B.yaml [C.yaml ...]`: every
 * scenario on common random numbers, and each one's difference from the
 * first (per state and total) with its standard error and 90% interval,
 * the probability that it beats the first, and, for a scenario with
 * offers, its return on spend. Method and definitions: whatif.h,
 * docs/whatif.md; the report: output/report_compare.h; the files in
 * --out DIR: output/output_compare.h.
 */
#include <stdlib.h>

#include "base/interrupt.h"
#include "cli/cli.h"
#include "clv_docdir.h"
#include "output/output_compare.h"
#include "output/report_compare.h"
#include "scenario/scenario.h"
#include "whatif/whatif.h"

/* Free the first n loaded scenarios of s, and s. */
static void free_all(clv_scenario **s, int n)
{
	int k;

	if (s == NULL)
		return;
	for (k = 0; k < n; k++)
		scenario_free(s[k]);
	free(s);
}

/* Every operand loaded once; NULL with err set (the first failure). */
static clv_scenario **load_all(const cli_options *opt, clv_error *err)
{
	clv_scenario **s = calloc((size_t)opt->argc, sizeof *s);
	int k;

	if (s == NULL) {
		diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory loading the scenarios");
		return NULL;
	}
	for (k = 0; k < opt->argc; k++)
		if ((s[k] = scenario_load(opt->argv[k], err)) == NULL) {
			free_all(s, k);
			return NULL;
		}
	return s;
}

/* The report's summary: the text report (report_compare.h). */
static void summary(FILE *f, const void *c)
{
	report_compare_text(f, c);
}

static int run_compare(const cli_options *opt)
{
	clv_error err = {0};
	whatif_settings set;
	output_settings out;
	whatif_compare *c;
	clv_scenario **s;
	clv_status rc = CLV_OK;

	if (cli_settings(opt, &set, &out) != 0)
		return CLV_EXIT_INPUT;
	interrupt_install(); /* SIGINT/SIGTERM: stop between blocks, exit 130 */
	s = load_all(opt, &err);
	c = s == NULL ? NULL : whatif_compare_run((const clv_scenario *const *)s,
	                                          (size_t)opt->argc, &set, opt->independent, &err);
	if (c == NULL) {
		free_all(s, opt->argc);
		return cli_fail(&err);
	}
	c->customers_base = opt->customers_base;
	cli_manifest_scenarios(&out, &set, (const clv_scenario *const *)s, (size_t)opt->argc);
	out.summary = summary;
	out.summary_data = c;
	if (out.out_dir != NULL || out.report != NULL)
		rc = output_compare(&out, c, &err);
	if (rc == CLV_OK)
		rc = report_compare_print(c, opt->format == FORMAT_JSON, &err);
	whatif_compare_free(c);
	free_all(s, opt->argc);
	return cli_exit(rc, &err);
}

const cli_command cmd_compare = {
	"compare", "A.yaml B.yaml [C.yaml ...]",
	"Compare scenarios on common random numbers: differences in CLV with their uncertainty.",
	"Runs every scenario with the same seed, replications and customers (the first file's,\n"
	"unless overridden), so replication r and customer c draw the same random numbers in\n"
	"each: the difference from the first scenario is estimated far more precisely than\n"
	"from independent runs. Reports, per state of the first scenario and in total, the\n"
	"exact and Monte Carlo difference, its standard error (sd of the per-replication\n"
	"differences / sqrt(R)) and 90% interval (Student t), the probability that the\n"
	"scenario beats the first (share of replications with a higher average total CLV)\n"
	"and, for a scenario with campaigns or price discounts, its return on spend:\n"
	"(gain in mean total CLV) / (expected discounted offer spend per customer, exact).\n"
	"Then the decision: each replication is a possible world (one draw of the uncertain\n"
	"assumptions, the same in every scenario); P(best) is the share of worlds in which a\n"
	"scenario has the highest expected total CLV, EVPI what knowing the world before\n"
	"choosing is worth per customer (--customers-base N: also for N customers), EVPPI\n"
	"what knowing one assumption is worth (regression estimator; 1000 replications or\n"
	"more advised). --out DIR writes compare.csv, compare_hist.csv, compare_diff.csv,\n"
	"compare_replications.csv, compare_p_best.csv, compare_evppi.csv and the figures.\n"
	"See " CLV_DOCDIR "/whatif.md.\n",
	OPT_FORMAT | OPT_OUT | OPT_PLOT | OPT_REPORT |
		OPT_SEED | OPT_THREADS | OPT_QUIET | OPT_SIZE |
		OPT_INDEPENDENT | OPT_BASE_SIZE,
	2, -1, run_compare,
};
