/*
 * cli.c - stage cli: option parsing shared by every command
 * (getopt_long), help output, and turning a status into an exit code.
 */
#include "cli/cli.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const struct {
	struct option opt;
	unsigned bit;
	const char *help;
} option_table[] = {
	{{"format", required_argument, NULL, 'f'}, OPT_FORMAT, "--format text|json   output format (default text)"},
	{{"format", required_argument, NULL, 'f'}, OPT_MARKDOWN, "--format text|markdown  plain text (default) or Markdown with tables"},
	{{"out", required_argument, NULL, 'o'}, OPT_OUT, "--out DIR            write CSV tables (and plots) into DIR"},
	{{"plot", required_argument, NULL, 'p'}, OPT_PLOT, "--plot png|svg|pdf|none  figures in --out DIR (default png if gnuplot is installed)"},
	{{"seed", required_argument, NULL, 's'}, OPT_SEED, "--seed N|random      random seed (default: the scenario's, else 42; random: a new one, printed)"},
	{{"threads", required_argument, NULL, 't'}, OPT_THREADS, "--threads N          OpenMP threads (results do not depend on it)"},
	{{"quiet", no_argument, NULL, 'q'}, OPT_QUIET, "--quiet              no progress bar"},
	{{"sampling", required_argument, NULL, 'S'}, OPT_SAMPLING, "--sampling mc|lhs    outer draws: plain Monte Carlo or Latin hypercube"},
	{{"precision", required_argument, NULL, 'P'}, OPT_PRECISION, "--precision X        add replications until the 95% CI of mean total CLV has half-width <= X (1% or 50)"},
	{{"periods", required_argument, NULL, 'n'}, OPT_PERIODS, "--periods N          share rows shown for an infinite horizon (default 20)"},
	{{"replications", required_argument, NULL, 'R'}, OPT_SIZE, "--replications N     override the scenario's replications"},
	{{"customers", required_argument, NULL, 'C'}, OPT_SIZE, "--customers N        override the scenario's customers"},
	{{"state", required_argument, NULL, 'x'}, OPT_STATE, "--state NAME         also rank sensitivities of this state's CLV"},
	{{"vary", required_argument, NULL, 'v'}, OPT_VARY, "--vary KEY=FROM:TO:STEP  a swept key (once or twice)"},
	{{"independent", no_argument, NULL, 'I'}, OPT_INDEPENDENT, "--independent        independent streams instead of common random numbers"},
	{{"out", required_argument, NULL, 'o'}, OPT_OUT_FILE, "--out FILE           write the result into FILE (written whole or not at all)"},
	{{"period", required_argument, NULL, 'u'}, OPT_FIT, "--period UNIT        day|week|month|quarter|year: the period of dated records (default month)"},
	{{"churn-after", required_argument, NULL, 'K'}, OPT_FIT, "--churn-after K      no purchase in the data's last K periods: moved to the state lost"},
	{{"margin-rate", required_argument, NULL, 'M'}, OPT_FIT, "--margin-rate X      margin per purchase = mean spend x X (default 1)"},
	{{"holdout", required_argument, NULL, 'H'}, OPT_FIT, "--holdout DATE       fit before DATE, compare the forecast with what came after"},
	{{"summary", required_argument, NULL, 'Y'}, OPT_FIT, "--summary DIR        per-customer summary customers.csv into DIR"},
	{{"survival", required_argument, NULL, 'V'}, OPT_FIT, "--survival FILE      fit a cohort's survivors (period,alive) by the sBG model"},
	{{"find", required_argument, NULL, 'F'}, OPT_FIND, "--find KEY=LO:HI     the key solved for and the interval searched"},
	{{"target", required_argument, NULL, 'T'}, OPT_FIND, "--target VALUE       the expected CLV (FILE) or difference (BASE CHANGED; default 0) sought"},
	{{"state", required_argument, NULL, 'x'}, OPT_SOLVE_STATE, "--state NAME         solve for this state's CLV instead of the total"},
	{{"replications", required_argument, NULL, 'R'}, OPT_REPS, "--replications N     draws of the uncertain assumptions (default: the scenario's)"},
	{{"customers-base", required_argument, NULL, 'B'}, OPT_BASE_SIZE, "--customers-base N   also give EVPI for a base of N customers"},
	{{"by-start", no_argument, NULL, 'b'}, OPT_BY_START, "--by-start           also simulate a customer's value from each starting state"},
	{{"report", required_argument, NULL, 'r'}, OPT_REPORT, "--report FILE.html   also one self-contained HTML report: figures, tables, scenario, manifest"},
	{{"mode", required_argument, NULL, 'E'}, OPT_MODE, "--mode auto|customers|aggregate  engine: every customer, or state counts of the whole population (default auto)"},
};
#define N_OPTIONS (sizeof option_table / sizeof option_table[0])

static void print_help(const cli_command *cmd)
{
	size_t i;

	printf("Usage: clvsim %s [OPTIONS] %s\n%s\n\n%s\nOptions:\n", cmd->name, cmd->synopsis,
	       cmd->summary, cmd->help);
	for (i = 0; i < N_OPTIONS; i++)
		if (cmd->options & option_table[i].bit)
			printf("  %s\n", option_table[i].help);
	printf("  --help               this help\n");
}

static int usage_error(const cli_command *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int usage_error(const cli_command *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "clvsim %s: ", cmd->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'clvsim %s --help'.\n", cmd->name);
	return CLV_EXIT_INPUT;
}

/* A whole-string unsigned integer in [lo, hi]. */
static int parse_count(const char *text, uint64_t lo, uint64_t hi, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (text[0] == '-' || text[0] == '\0')
		return -1;
	errno = 0;
	v = strtoull(text, &end, 10);
	if (errno != 0 || *end != '\0' || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

static int apply_option(const cli_command *cmd, int c, const char *arg, cli_options *opt)
{
	uint64_t v;

	switch (c) {
	case 'f':
		if (strcmp(arg, "text") == 0)
			opt->format = FORMAT_TEXT;
		else if (strcmp(arg, "json") == 0 && (cmd->options & OPT_FORMAT))
			opt->format = FORMAT_JSON;
		else if (strcmp(arg, "markdown") == 0 && (cmd->options & OPT_MARKDOWN))
			opt->format = FORMAT_MARKDOWN;
		else
			return usage_error(cmd, "--format must be text or %s, not '%s'",
			                   cmd->options & OPT_MARKDOWN ? "markdown" : "json", arg);
		return 0;
	case 'o': opt->out_dir = arg; return 0;
	case 'p': opt->plot = arg; return 0;
	case 'q': opt->quiet = true; return 0;
	case 'S': opt->sampling = arg; return 0;
	case 'P': opt->precision = arg; return 0;
	case 'x': opt->state = arg; return 0;
	case 'I': opt->independent = true; return 0;
	case 'u': opt->fit_period = arg; return 0;
	case 'K': opt->churn_after = arg; return 0;
	case 'M': opt->margin_rate = arg; return 0;
	case 'H': opt->holdout = arg; return 0;
	case 'Y': opt->summary = arg; return 0;
	case 'V': opt->survival = arg; return 0;
	case 'F': opt->find = arg; return 0;
	case 'T': {
		char *end;
		errno = 0;
		opt->target = strtod(arg, &end);
		if (errno != 0 || end == arg || *end != '\0' || !isfinite(opt->target))
			return usage_error(cmd, "--target needs a finite number, not '%s'", arg);
		opt->has_target = true;
		return 0;
	}
	case 'B':
		if (parse_count(arg, 1, UINT64_C(1) << 53, &opt->customers_base) != 0)
			return usage_error(cmd, "--customers-base needs an integer from 1 to 2^53, not '%s'",
			                   arg);
		return 0;
	case 'b': opt->by_start = true; return 0;
	case 'E': opt->mode = arg; return 0;
	case 'r': opt->report = arg; return 0;
	case 'v':
		if (opt->n_vary == 2)
			return usage_error(cmd, "--vary may be given at most twice");
		opt->vary[opt->n_vary++] = arg;
		return 0;
	case 's':
		if (strcmp(arg, "random") == 0) {
			opt->seed_random = true;
			return 0;
		}
		opt->seed_random = false;
		if (parse_count(arg, 0, INT64_MAX, &opt->seed) != 0)
			return usage_error(cmd, "--seed needs an integer from 0 to %lld or 'random', not '%s'",
			                   (long long)INT64_MAX, arg);
		opt->has_seed = true;
		return 0;
	case 't':
		if (parse_count(arg, 1, 1024, &v) != 0)
			return usage_error(cmd, "--threads needs an integer from 1 to 1024, not '%s'", arg);
		opt->threads = (int)v;
		return 0;
	case 'n':
		if (parse_count(arg, 0, CLV_MAX_HORIZON, &v) != 0)
			return usage_error(cmd, "--periods needs an integer from 0 to %ld, not '%s'",
			                   CLV_MAX_HORIZON, arg);
		opt->periods = (long)v;
		return 0;
	case 'R':
		if (parse_count(arg, 1, CLV_MAX_REPLICATIONS, &opt->replications) != 0)
			return usage_error(cmd, "--replications needs an integer from 1 to %llu, not '%s'",
			                   (unsigned long long)CLV_MAX_REPLICATIONS, arg);
		return 0;
	case 'C':
		if (parse_count(arg, 1, CLV_MAX_CUSTOMERS, &opt->customers) != 0)
			return usage_error(cmd, "--customers needs an integer from 1 to %llu, not '%s'",
			                   (unsigned long long)CLV_MAX_CUSTOMERS, arg);
		return 0;
	default:
		return usage_error(cmd, "unknown option");
	}
}

int cli_parse(const cli_command *cmd, int argc, char **argv, cli_options *opt, bool *done)
{
	struct option longopts[N_OPTIONS + 2];
	size_t i, k = 0;
	int c, rc;

	memset(opt, 0, sizeof *opt);
	opt->periods = 20;
	opt->all_argc = argc;
	opt->all_argv = argv;
	opt->started = time(NULL);
	if (cmd->options & OPT_MODE)
		opt->mode = "auto";
	*done = false;
	for (i = 0; i < N_OPTIONS; i++)
		if (cmd->options & option_table[i].bit)
			longopts[k++] = option_table[i].opt;
	longopts[k++] = (struct option){"help", no_argument, NULL, 'h'};
	longopts[k] = (struct option){NULL, 0, NULL, 0};
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (c == 'h') {
			print_help(cmd);
			*done = true;
			return 0;
		}
		if (c == '?' || c == ':')
			return usage_error(cmd, "unknown option or missing argument: '%s'", argv[optind - 1]);
		rc = apply_option(cmd, c, optarg, opt);
		if (rc != 0)
			return rc;
	}
	opt->argc = argc - optind;
	opt->argv = argv + optind;
	if (opt->argc < cmd->min_operands)
		return usage_error(cmd, "missing operand: expected %s", cmd->synopsis);
	if (cmd->max_operands >= 0 && opt->argc > cmd->max_operands)
		return usage_error(cmd, "too many operands: expected %s", cmd->synopsis);
	return 0;
}

int cli_fail(const clv_error *err)
{
	fprintf(stderr, "clvsim: error: %s\n", err->msg[0] ? err->msg : "unknown failure");
	return diag_exit_code(err->status);
}

int cli_exit(clv_status rc, const clv_error *err)
{
	return rc == CLV_OK ? 0 : cli_fail(err);
}

FILE *cli_text_open(cli_text *t)
{
	clv_error err = {0};
	FILE *f = textout_open(t, &err);

	if (f == NULL)
		cli_fail(&err);
	return f;
}

int cli_text_print(cli_text *t)
{
	clv_error err = {0};

	return cli_exit(textout_print(t, &err), &err);
}
