/*
 * cli_settings.c - stage cli: the one place command-line options become
 * the settings of the stages below (engine/mc.h mc_settings,
 * output/output.h output_settings).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"

/* --precision "1%" (relative) or "50" (absolute). */
static int parse_precision(const char *text, double *value, bool *relative)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(text, &end);
	*relative = *end == '%';
	if (*relative)
		end++;
	if (errno != 0 || end == text || *end != '\0' || !(v > 0) || v > 1e300)
		return -1;
	*value = *relative ? v / 100.0 : v;
	return 0;
}

/* A new seed for --seed random, below 2^63 (as --seed N). */
static uint64_t fresh_seed(void)
{
	uint64_t seed = (uint64_t)time(NULL) * 6364136223846793005ULL ^ (uint64_t)getpid();
	FILE *f = fopen("/dev/urandom", "rb");

	if (f != NULL) {
		if (fread(&seed, sizeof seed, 1, f) != 1)
			seed ^= (uint64_t)clock();
		fclose(f);
	}
	return seed >> 1;
}

static int parse_sampling(const char *text, sample_method *method)
{
	if (text == NULL || strcmp(text, "mc") == 0)
		*method = SAMPLE_MC;
	else if (strcmp(text, "lhs") == 0)
		*method = SAMPLE_LHS;
	else {
		fprintf(stderr, "clvsim run: --sampling must be mc or lhs, not '%s'\n", text);
		return CLV_EXIT_INPUT;
	}
	return 0;
}

static int parse_mode(const char *text, mc_mode *mode)
{
	if (text == NULL || strcmp(text, "customers") == 0)
		*mode = MC_MODE_CUSTOMERS;
	else if (strcmp(text, "auto") == 0)
		*mode = MC_MODE_AUTO;
	else if (strcmp(text, "aggregate") == 0)
		*mode = MC_MODE_AGGREGATE;
	else {
		fprintf(stderr, "clvsim run: --mode must be auto, customers or aggregate, not '%s'\n",
		        text);
		return CLV_EXIT_INPUT;
	}
	return 0;
}

/* --report FILE: its folder exists (checked before any long run). */
static int check_report(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir = slash == NULL ? strdup(".") : slash == path ? strdup("/")
	                                        : strndup(path, (size_t)(slash - path));
	struct stat st;
	int rc = 0;

	if (dir == NULL || (slash != NULL && slash[1] == '\0') || path[0] == '\0') {
		fprintf(stderr, "clvsim: --report needs a file name, e.g. report.html, not '%s'\n", path);
		rc = CLV_EXIT_INPUT;
	} else if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		fprintf(stderr, "clvsim: --report %s: no folder '%s' to write it in\n", path, dir);
		rc = CLV_EXIT_INPUT;
	} else if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		fprintf(stderr, "clvsim: --report %s: a folder; give a file name, e.g. %s/report.html\n",
		        path, path);
		rc = CLV_EXIT_INPUT;
	}
	free(dir);
	return rc;
}

int cli_settings(const cli_options *opt, mc_settings *mc, output_settings *out)
{
	memset(mc, 0, sizeof *mc);
	mc->seed = opt->seed;
	mc->has_seed = opt->has_seed;
	if (opt->seed_random) {
		mc->seed = fresh_seed();
		mc->has_seed = true;
		fprintf(stderr, "clvsim: seed %llu (give --seed %llu to repeat this run)\n",
		        (unsigned long long)mc->seed, (unsigned long long)mc->seed);
	}
	mc->replications = opt->replications;
	mc->customers = opt->customers;
	mc->threads = opt->threads;
	mc->share_periods = opt->periods;
	mc->has_share_periods = true;
	mc->progress = !opt->quiet && isatty(STDERR_FILENO);
	mc->predict = isatty(STDERR_FILENO); /* a long run says so, --quiet or not */
	memset(out, 0, sizeof *out);
	out->out_dir = opt->out_dir;
	out->plot = opt->plot;
	out->manifest.argc = opt->all_argc;
	out->manifest.argv = opt->all_argv;
	out->manifest.started = opt->started;
	out->manifest.threads = opt->threads;
	out->manifest.report = opt->report;
	out->report = opt->report;
	if (opt->report != NULL && check_report(opt->report) != 0)
		return CLV_EXIT_INPUT;
	out->manifest.seed = mc->seed;
	out->manifest.has_seed = mc->has_seed;
	if (parse_sampling(opt->sampling, &mc->sampling) != 0 || parse_mode(opt->mode, &mc->mode) != 0)
		return CLV_EXIT_INPUT;
	if (opt->precision != NULL &&
	    parse_precision(opt->precision, &mc->precision, &mc->precision_relative) != 0) {
		fprintf(stderr, "clvsim run: --precision needs a positive number or percentage "
		                "(e.g. 1%% or 50), not '%s'\n", opt->precision);
		return CLV_EXIT_INPUT;
	}
	return 0;
}

void cli_manifest_scenarios(output_settings *out, const mc_settings *set,
                            const clv_scenario *const *s, size_t n)
{
	mc_config cfg;

	out->manifest.scenarios = s;
	out->manifest.n_scenarios = n;
	if (n > 0) {
		mc_config_from(&cfg, s[0], set); /* seed: set's, else the file's, else 42 */
		out->manifest.seed = cfg.seed;
		out->manifest.has_seed = true;
	}
}
