/*
 * cli.h - the command line's shared parts: options every command takes,
 * their parsing (getopt_long), help texts, options to settings, and exit
 * codes (the only stage that knows them).
 *
 * Conventions: results to stdout, messages to stderr, exit 0 ok, 1
 * runtime failure, 2 bad usage or input, 130 interrupted.
 */
#ifndef CLV_CLI_H
#define CLV_CLI_H

#include <stdint.h>
#include <time.h>
#include <stdio.h>

#include "clvsim.h"
#include "base/diag.h"
#include "engine/mc.h"
#include "output/output.h"
#include "output/textout.h"

typedef enum cli_format { FORMAT_TEXT = 0, FORMAT_JSON, FORMAT_MARKDOWN } cli_format;

typedef struct cli_options {
	cli_format format;
	const char *out_dir;     /* --out DIR, or NULL */
	const char *plot;        /* --plot png|svg|pdf|none, or NULL = default */
	uint64_t seed;           /* --seed */
	bool has_seed;
	bool seed_random;        /* --seed random */
	int threads;             /* --threads, 0 = OpenMP's default */
	bool quiet;              /* --quiet */
	const char *sampling;    /* --sampling mc|lhs, or NULL */
	const char *precision;   /* --precision 1% | 50, or NULL */
	long periods;            /* --periods: share rows for an infinite horizon */
	uint64_t replications;   /* --replications, 0 = the scenario's */
	uint64_t customers;      /* --customers, 0 = the scenario's */
	const char *state;       /* --state NAME (tornado's chosen state) */
	const char *vary[2];     /* --vary KEY=FROM:TO:STEP (sweep) */
	int n_vary;
	bool independent;        /* --independent (compare without common random numbers) */
	/* fit (cmd_fit.c checks the values): */
	const char *fit_period;  /* --period day|week|month|quarter|year */
	const char *churn_after; /* --churn-after K */
	const char *margin_rate; /* --margin-rate X */
	const char *holdout;     /* --holdout DATE */
	const char *summary;     /* --summary DIR */
	const char *survival;    /* --survival COHORT.csv */
	const char *find;        /* --find KEY=LO:HI (solve) */
	double target;           /* --target VALUE (solve) */
	bool has_target;
	uint64_t customers_base; /* --customers-base N (compare's EVPI), 0 = none */
	bool by_start;           /* --by-start (run: Monte Carlo per starting state) */
	const char *mode;        /* --mode auto|customers|aggregate; "auto" by default
	                            for a command that takes it, else NULL */
	const char *report;      /* --report FILE.html, or NULL */
	int all_argc;            /* the command's words from its name on (manifest.json;
	                            main points all_argv at them in the order typed) */
	char **all_argv;
	time_t started;          /* when the command started */
	int argc;                /* operands left after the options */
	char **argv;
} cli_options;

/* Which options a command accepts, as a set of these bits. */
enum {
	OPT_FORMAT = 1 << 0, OPT_OUT = 1 << 1, OPT_PLOT = 1 << 2, OPT_SEED = 1 << 3,
	OPT_THREADS = 1 << 4, OPT_QUIET = 1 << 5, OPT_SAMPLING = 1 << 6,
	OPT_PRECISION = 1 << 7, OPT_PERIODS = 1 << 8, OPT_SIZE = 1 << 9,
	OPT_STATE = 1 << 10, OPT_VARY = 1 << 11, OPT_INDEPENDENT = 1 << 12,
	OPT_MARKDOWN = 1 << 13, /* --format text|markdown instead of text|json */
	OPT_FIT = 1 << 14,      /* --period, --churn-after, --margin-rate, --holdout, --summary, --survival */
	OPT_OUT_FILE = 1 << 15, /* --out FILE (a file, not a folder); out_dir holds it */
	OPT_FIND = 1 << 16,      /* --find and --target (solve) */
	OPT_SOLVE_STATE = 1 << 17, /* --state, as solve reads it */
	OPT_REPS = 1 << 18,      /* --replications alone (no --customers) */
	OPT_BASE_SIZE = 1 << 19, /* --customers-base (compare) */
	OPT_BY_START = 1 << 20,
	OPT_MODE = 1 << 21,      /* --mode (run) */
	OPT_REPORT = 1 << 22     /* --report FILE.html */
};

typedef struct cli_command {
	const char *name;
	const char *synopsis;    /* e.g. "FILE..." */
	const char *summary;     /* one line */
	const char *help;        /* the rest of `clvsim CMD --help` */
	unsigned options;        /* OPT_* bits */
	int min_operands, max_operands; /* max -1 = no limit */
	int (*run)(const cli_options *opt);
} cli_command;

/* Parse argv (argv[0] is the command name) into opt. Prints help and
   returns 0 for --help (sets *done); returns 2 with a message on bad
   usage. */
int cli_parse(const cli_command *cmd, int argc, char **argv, cli_options *opt, bool *done);

/* Print err to stderr as "clvsim: error: MSG" and return its exit code. */
int cli_fail(const clv_error *err);

/* The status of a finished command as its exit code: 0 for CLV_OK, else
   err printed as cli_fail does. */
int cli_exit(clv_status rc, const clv_error *err);

/* The one place options become settings (cli_settings.c): the Monte
   Carlo overrides (--seed, --replications, --customers, --threads,
   --sampling, --precision, --periods, --mode; a progress bar unless
   --quiet or stderr is not a terminal) and where files go (--out, --plot).
   Without --mode the engine is per customer, or the command's default
   ("auto" for run). Returns 0, or 2 with a message on stderr for a bad
   --sampling, --precision or --mode. */
int cli_settings(const cli_options *opt, mc_settings *mc, output_settings *out);

/* The scenarios s[0..n-1] a command read, and the seed its runs use
   (set's, else the first scenario's), for manifest.json; s stays the
   caller's and must outlive out. */
void cli_manifest_scenarios(output_settings *out, const mc_settings *set,
                            const clv_scenario *const *s, size_t n);

/* A text report built in memory, then written to stdout in one piece. */
typedef textout cli_text;

/* Open t->f on a memory buffer and return it; NULL (message printed) when
   out of memory. */
FILE *cli_text_open(cli_text *t);

/* Close t, write its text to stdout, free it. Returns an exit code. */
int cli_text_print(cli_text *t);

/* The commands (cmd_*.c). */
extern const cli_command cmd_check, cmd_exact, cmd_run, cmd_compare, cmd_sweep, cmd_tornado,
	cmd_explain, cmd_fit, cmd_simulate, cmd_solve;

#endif
