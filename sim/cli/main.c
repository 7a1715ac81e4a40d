/*
 * main.c - entry point: global set-up (GSL error handler off and the
 * kernel's instruction set chosen from CLVSIM_ISA, before any parallel
 * region), then dispatch to a command (cmd_*.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "cli/cli.h"
#include "engine/chain.h"
#include "clv_docdir.h"

static const cli_command *const commands[] = {
	&cmd_run, &cmd_exact, &cmd_explain, &cmd_check, &cmd_compare, &cmd_sweep, &cmd_solve,
	&cmd_tornado, &cmd_fit, &cmd_simulate,
};
#define N_COMMANDS (sizeof commands / sizeof commands[0])

static void print_usage(FILE *f)
{
	size_t i;

	fprintf(f, "Usage: clvsim COMMAND [OPTIONS] FILE...\n"
	           "Monte Carlo simulator and what-if planner for customer lifetime value\n"
	           "over a brand-switching Markov chain.\n\nCommands:\n");
	for (i = 0; i < N_COMMANDS; i++)
		fprintf(f, "  %-8s %s\n", commands[i]->name, commands[i]->summary);
	fprintf(f, "\nOptions: --help, --version. 'clvsim COMMAND --help' for a command's options.\n"
	           "Documentation: " CLV_DOCDIR "/ (scenarios.md: the scenario format;\n"
	           "theory.md: the theory; tutorial.md: a tutorial) and man clvsim.\n"
	           "Exit: 0 ok, 1 runtime failure, 2 bad input, 130 interrupted.\n");
}

/* rc, or 1 when what went to stdout could not all be written (help or
   version into a full disk or a closed pipe must not exit 0). */
static int flushed(int rc)
{
	if ((fflush(stdout) == 0 && !ferror(stdout)) || rc != 0) /* a failure said why */
		return rc;
	fprintf(stderr, "clvsim: error: cannot write to standard output: %s\n",
	        errno != 0 ? strerror(errno) : "write error");
	return CLV_EXIT_RUNTIME;
}

int main(int argc, char **argv)
{
	clv_error isa_err = {0};
	size_t i;

	gsl_set_error_handler_off();
	if (argc < 2) {
		print_usage(stderr);
		return CLV_EXIT_INPUT;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		print_usage(stdout);
		return flushed(0);
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("clvsim %s\n", CLVSIM_VERSION);
		return flushed(0);
	}
	if (chain_isa_init(&isa_err) != CLV_OK) { /* CLVSIM_ISA names no path this CPU runs */
		fprintf(stderr, "clvsim: error: %s\n", isa_err.msg);
		return CLV_EXIT_INPUT;
	}
	for (i = 0; i < N_COMMANDS; i++) {
		if (strcmp(argv[1], commands[i]->name) == 0) {
			cli_options opt;
			bool done;
			/* getopt reorders the words it parses: it gets a copy, so that
			   manifest.json records the command line as typed */
			char **words = malloc((size_t)argc * sizeof *words);
			int rc;
			if (words == NULL) {
				fprintf(stderr, "clvsim: error: out of memory\n");
				return CLV_EXIT_RUNTIME;
			}
			memcpy(words, argv + 1, (size_t)argc * sizeof *words); /* with the NULL */
			rc = cli_parse(commands[i], argc - 1, words, &opt, &done);
			opt.all_argv = argv + 1;
			if (rc == 0 && !done)
				rc = commands[i]->run(&opt);
			free(words);
			return flushed(rc);
		}
	}
	fprintf(stderr, "clvsim: unknown command '%s'\n", argv[1]);
	print_usage(stderr);
	return CLV_EXIT_INPUT;
}
