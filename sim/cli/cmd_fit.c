/*
 * cmd_fit.c - `clvsim fit PURCHASES.csv` and `clvsim fit --survival
 * COHORT.csv`: from data to scenario. Reads and checks the data (fit/),
 * estimates, then writes the scenario, tables and figures (output/) and
 * prints the report (text or JSON). Nothing is written when the data are
 * bad: every file is produced only after the whole fit has succeeded, and
 * each appears atomically. docs/fit.md is the manual. Stage: cli.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "fit/fit_data.h"
#include "fit/fit_holdout.h"
#include "fit/fit_markov.h"
#include "fit/fit_sbg.h"
#include "output/fit_output.h"
#include "output/fit_report.h"
#include "output/fit_scenario.h"
#include "output/plot.h"
#include "output/report.h"

static int usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int usage(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "clvsim fit: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'clvsim fit --help'.\n");
	return CLV_EXIT_INPUT;
}

/* --period, --churn-after, --margin-rate into o (the holdout date is read
   once the data say whether they hold dates). Returns an exit code. */
static int parse_options(const cli_options *opt, fit_options *o)
{
	char *end;

	memset(o, 0, sizeof *o);
	o->margin_rate = 1.0;
	if (opt->fit_period != NULL) {
		if (fit_unit_parse(opt->fit_period, &o->unit) != 0)
			return usage("--period must be day, week, month, quarter or year, not '%s'",
			             opt->fit_period);
		o->unit_given = true;
	}
	if (opt->churn_after != NULL) {
		errno = 0;
		o->churn_after = strtol(opt->churn_after, &end, 10);
		if (errno != 0 || end == opt->churn_after || *end != '\0' || o->churn_after < 1 ||
		    o->churn_after > CLV_MAX_HORIZON)
			return usage("--churn-after needs a whole number of periods from 1 to 100000, "
			             "not '%s'", opt->churn_after);
	}
	if (opt->margin_rate != NULL) {
		errno = 0;
		o->margin_rate = strtod(opt->margin_rate, &end);
		if (errno != 0 || end == opt->margin_rate || *end != '\0' || !(o->margin_rate >= 0) ||
		    o->margin_rate > 1)
			return usage("--margin-rate needs a number from 0 to 1 (the margin as a share of "
			             "spend), not '%s'", opt->margin_rate);
		o->has_margin_rate = true;
	}
	return 0;
}

/* --holdout as a time of the data: a day number (dates) or a period. */
static int parse_holdout(const cli_options *opt, const fit_data *d, fit_options *o)
{
	const char *why;
	char *end;

	if (opt->holdout == NULL)
		return 0;
	o->has_holdout = true;
	snprintf(o->holdout_text, sizeof o->holdout_text, "%.31s", opt->holdout);
	if (d->has_date) {
		why = fit_parse_date(opt->holdout, &o->holdout);
		if (why != NULL) {
			fprintf(stderr, "clvsim fit: --holdout '%s': %s (a date YYYY-MM-DD, as the "
			        "records have)\n", opt->holdout, why);
			return CLV_EXIT_INPUT;
		}
		return 0;
	}
	errno = 0;
	o->holdout = strtoll(opt->holdout, &end, 10);
	if (errno != 0 || end == opt->holdout || *end != '\0' || o->holdout < 0)
		return usage("--holdout needs a whole-number period, as the records have, not '%s'",
		             opt->holdout);
	return 0;
}

/* arg, single-quoted for a shell when it holds anything unusual. */
static void shell_word(FILE *f, const char *arg)
{
	const char *p;

	if (arg[0] != '\0' && strspn(arg, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	                                  "0123456789._/-+=:,") == strlen(arg)) {
		fputs(arg, f);
		return;
	}
	fputc('\'', f);
	for (p = arg; *p; p++)
		fputs(*p == '\'' ? "'\\''" : (char[]){*p, '\0'}, f);
	fputc('\'', f);
}

/* The command line that made the scenario, for its header (malloc'd). */
static char *command_line(const cli_options *opt)
{
	const char *names[] = {"--period", "--churn-after", "--margin-rate", "--holdout",
	                       "--summary", "--out"};
	const char *values[] = {opt->fit_period, opt->churn_after, opt->margin_rate, opt->holdout,
	                        opt->summary, opt->out_dir};
	char *buf = NULL;
	size_t len = 0, i;
	FILE *f = open_memstream(&buf, &len);

	if (f == NULL)
		return NULL;
	fputs("clvsim fit ", f);
	if (opt->survival != NULL) {
		fputs("--survival ", f);
		shell_word(f, opt->survival);
	} else {
		shell_word(f, opt->argv[0]);
	}
	for (i = 0; i < sizeof names / sizeof names[0]; i++)
		if (values[i] != NULL) {
			fprintf(f, " %s ", names[i]);
			shell_word(f, values[i]);
		}
	fclose(f);
	return buf;
}

/* Where tables and figures go: --out's folder, else --summary DIR, else
   nowhere (malloc'd or NULL). */
static char *figure_dir(const cli_options *opt)
{
	const char *slash;

	if (opt->out_dir == NULL)
		return opt->summary != NULL ? strdup(opt->summary) : NULL;
	slash = strrchr(opt->out_dir, '/');
	if (slash == NULL)
		return strdup(".");
	return slash == opt->out_dir ? strdup("/")
	                             : strndup(opt->out_dir, (size_t)(slash - opt->out_dir));
}

static plot_format figure_format(const cli_options *opt)
{
	plot_format fmt = plot_default_format();
	clv_error err = {0};

	if (opt->plot != NULL && plot_parse_format(opt->plot, &fmt, &err) != CLV_OK) {
		diag_warn("%s; no figures drawn", err.msg);
		return PLOT_NONE;
	}
	if (fmt == PLOT_NONE && opt->plot == NULL)
		diag_warn("gnuplot not found: tables written, no figures (install gnuplot-nox: "
		         "apt-get install gnuplot-nox)");
	return fmt;
}

static int print_json(json_t *doc)
{
	if (doc == NULL) {
		fprintf(stderr, "clvsim: error: out of memory for the report\n");
		return CLV_EXIT_RUNTIME;
	}
	{
		clv_error err = {0};
		return cli_exit(report_json_print(doc, "fit", &err), &err);
	}
}

/* ------------------------------------------------------------------ */
/* Purchases.                                                           */

typedef struct purchase_fit {
	fit_data *d;
	fit_markov *m;
	fit_holdout *h;
	char *yaml;
	fit_options o;
} purchase_fit;

/* Read and fit (nothing written yet). Returns an exit code. */
static int fit_purchases(const cli_options *opt, purchase_fit *p, clv_error *err)
{
	int64_t until;
	char *command;
	int rc;

	p->d = fit_data_read(opt->argv[0], err);
	if (p->d == NULL)
		return cli_fail(err);
	if (fit_data_set_unit(p->d, p->o.unit_given ? p->o.unit
	                                               : (p->d->has_date ? FIT_MONTH : FIT_PERIOD),
	                      err) != CLV_OK)
		return cli_fail(err);
	if ((rc = parse_holdout(opt, p->d, &p->o)) != 0)
		return rc;
	until = p->o.has_holdout ? p->o.holdout : INT64_MAX;
	p->m = fit_markov_run(p->d, &p->o, until, err);
	if (p->m == NULL)
		return cli_fail(err);
	if (p->o.has_holdout && (p->h = fit_holdout_run(p->d, p->m, until, err)) == NULL)
		return cli_fail(err);
	if (opt->out_dir == NULL)
		return 0;
	command = command_line(opt);
	p->yaml = fit_scenario_markov(p->d, p->m, &p->o, command ? command : "clvsim fit",
	                              opt->out_dir, err);
	free(command);
	return p->yaml == NULL ? cli_fail(err) : 0;
}

static int write_purchases(const cli_options *opt, const purchase_fit *p, clv_error *err)
{
	char *dir = figure_dir(opt);
	clv_error warn = {0};
	int rc = 0;

	if (p->yaml != NULL && fit_scenario_write(opt->out_dir, p->yaml, err) != CLV_OK)
		rc = cli_fail(err);
	if (rc == 0 && opt->summary != NULL &&
	    fit_output_customers(opt->summary, p->d, p->m, err) != CLV_OK)
		rc = cli_fail(err);
	if (rc == 0 && p->h != NULL && dir != NULL &&
	    fit_output_holdout(dir, p->d, p->h, &p->o, figure_format(opt), err, &warn) != CLV_OK)
		rc = cli_fail(err);
	if (rc == 0 && warn.status != CLV_OK)
		diag_warn("%s (the table was written; the fit succeeded)", warn.msg);
	free(dir);
	return rc;
}

static int run_purchases(const cli_options *opt, fit_options *o)
{
	purchase_fit p = {NULL, NULL, NULL, NULL, *o};
	clv_error err = {0};
	int rc;

	if (opt->argc != 1) {
		rc = usage("%s", "give one file of purchase records (or --survival COHORT.csv)");
		goto cleanup;
	}
	rc = fit_purchases(opt, &p, &err);
	if (rc == 0)
		rc = write_purchases(opt, &p, &err);
	if (rc == 0 && opt->format == FORMAT_JSON) {
		rc = print_json(fit_report_json(p.d, p.m, p.h, &p.o));
	} else if (rc == 0) {
		cli_text t;
		FILE *f = cli_text_open(&t);
		if (f == NULL) {
			rc = CLV_EXIT_RUNTIME;
			goto cleanup;
		}
		fit_report_text(f, p.d, p.m, p.h, &p.o);
		if (opt->out_dir != NULL)
			fprintf(f, "\nScenario written to %s\n", opt->out_dir);
		rc = cli_text_print(&t);
	}
cleanup:
	free(p.yaml);
	fit_holdout_free(p.h);
	fit_markov_free(p.m);
	fit_data_free(p.d);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Survival.                                                            */

static int write_survival(const cli_options *opt, const fit_cohort *c, const fit_sbg *s,
                          const char *unit, const char *yaml, clv_error *err)
{
	char *dir = figure_dir(opt);
	clv_error warn = {0};
	int rc = 0;

	if (yaml != NULL && fit_scenario_write(opt->out_dir, yaml, err) != CLV_OK)
		rc = cli_fail(err);
	if (rc == 0 && dir != NULL &&
	    fit_output_survival(dir, c, s, unit, figure_format(opt), err, &warn) != CLV_OK)
		rc = cli_fail(err);
	if (rc == 0 && warn.status != CLV_OK)
		diag_warn("%s (the table was written; the fit succeeded)", warn.msg);
	free(dir);
	return rc;
}

static int print_survival(const cli_options *opt, const fit_cohort *c, const fit_sbg *s,
                          const char *unit)
{
	cli_text t;
	FILE *f;

	if (opt->format == FORMAT_JSON)
		return print_json(fit_report_sbg_json(c, s, unit));
	if ((f = cli_text_open(&t)) == NULL)
		return CLV_EXIT_RUNTIME;
	fit_report_sbg_text(f, c, s, unit);
	if (opt->out_dir != NULL)
		fprintf(f, "\nScenario written to %s\n", opt->out_dir);
	return cli_text_print(&t);
}

static int run_survival(const cli_options *opt, const fit_options *o)
{
	const char *unit = o->unit_given ? fit_unit_name(o->unit) : "period";
	clv_error err = {0};
	fit_cohort *c = NULL;
	fit_sbg *s = NULL;
	char *yaml = NULL, *command = NULL;
	int rc = 0;

	if (opt->argc != 0)
		return usage("%s", "--survival takes the cohort file; give no other file");
	if (opt->churn_after != NULL || opt->margin_rate != NULL || opt->holdout != NULL)
		return usage("%s", "--churn-after, --margin-rate and --holdout are for purchase records, "
		             "not --survival");
	c = fit_cohort_read(opt->survival, &err);
	if (c != NULL)
		s = fit_sbg_run(c, &err);
	if (s != NULL && opt->out_dir != NULL) {
		command = command_line(opt);
		yaml = fit_scenario_sbg(c, s, unit, command ? command : "clvsim fit", opt->out_dir, &err);
	}
	if (s == NULL || (opt->out_dir != NULL && yaml == NULL))
		rc = cli_fail(&err);
	if (rc == 0)
		rc = write_survival(opt, c, s, unit, yaml, &err);
	if (rc == 0)
		rc = print_survival(opt, c, s, unit);
	free(command);
	free(yaml);
	fit_sbg_free(s);
	fit_cohort_free(c);
	return rc;
}

static int run_fit(const cli_options *opt)
{
	fit_options o;
	int rc = parse_options(opt, &o);

	if (rc != 0)
		return rc;
	return opt->survival != NULL ? run_survival(opt, &o) : run_purchases(opt, &o);
}

const cli_command cmd_fit = {
	"fit", "PURCHASES.csv | --survival COHORT.csv",
	"From data to scenario: fit switching, purchase rates, spend and retention from records.",
	"PURCHASES.csv: a header naming customer, date (YYYY-MM-DD) or period (a whole number),\n"
	"brand and optionally amount; one purchase per record (RFC 4180), rows in any order.\n"
	"Estimates the switching matrix from consecutive purchases of each customer (with 95%\n"
	"intervals and counts), the start shares (customers' latest state), purchases per\n"
	"period and spend per brand, and tests the Markov property and time homogeneity.\n"
	"--out FILE.yaml writes a scenario that check, exact and run accept: Dirichlet rows\n"
	"(counts + 1/2), so a run carries the estimation uncertainty into the forecast.\n"
	"--survival COHORT.csv (columns period,alive; period 0 = the cohort's size) fits the\n"
	"shifted-beta-geometric model instead; --out writes a two-state retention scenario.\n"
	"Tables and figures (fit_holdout, fit_survival) go beside --out's file, else into\n"
	"--summary DIR. Bad data: FILE:LINE:COLUMN, exit 2, nothing written. Manual: docs/fit.md.\n",
	OPT_FORMAT | OPT_OUT_FILE | OPT_PLOT | OPT_FIT, 0, 1, run_fit,
};
