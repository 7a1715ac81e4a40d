/*
 * fuzz_scenario.c - libFuzzer target for the scenario loader.
 *
 * What it proves: for any byte string, scenario_load_buffer either fails
 * cleanly (NULL, err set with a non-OK status and a message) or returns a
 * scenario that the engines accept without crashing, leaking or running
 * away. The engines run on a deep copy (scenario_copy) of the scenario,
 * the original freed first, so the copy is shown to own everything it
 * needs: the model at the assumptions' means is built, the exact engine is
 * run on it, and a tiny Monte Carlo run (2 replications of 3 customers)
 * draws the uncertain assumptions across their support. So validation is
 * shown to be sufficient for the engines, not just for the parser.
 *
 * Invariants checked (abort() on violation, which libFuzzer reports):
 *   - failure <=> NULL result, and a failure always carries a status other
 *     than CLV_OK and a non-empty message;
 *   - a copy of a loaded scenario passes scenario_validate;
 *   - a loaded scenario has 1..CLV_MAX_STATES states and a horizon within
 *     0..CLV_MAX_HORIZON (or infinite);
 *   - exact and Monte Carlo shares are finite and within [0, 1] (up to
 *     rounding), and every exact CLV and Monte Carlo mean CLV is finite: a
 *     scenario the loader accepts must not make the engines produce NaN or
 *     overflow, at its means or at any draw.
 * Inputs with a horizon over FUZZ_MAX_HORIZON skip the engines, and those
 * whose customers would walk more than FUZZ_MAX_WALK purchase steps skip
 * the Monte Carlo run (the loader has still run on them), to keep
 * executions fast. Built without OpenMP, the Monte Carlo run is serial.
 *
 * Method: LLVMFuzzerTestOneInput, built with clang
 * -fsanitize=fuzzer,address,undefined by tests/fuzz/Makefile; the input
 * buffer is passed as is (not NUL-terminated), so AddressSanitizer catches
 * any read past its end. Reference: https://llvm.org/docs/LibFuzzer.html
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <gsl/gsl_errno.h>

#include "engine/chain.h"
#include "clvsim.h"
#include "base/diag.h"
#include "engine/exact.h"
#include "engine/mc.h"
#include "engine/model.h"
#include "scenario/scenario.h"

/* Horizon beyond which the engines are not run on an input. */
#define FUZZ_MAX_HORIZON 2000L
/* Share rows of the engines for an infinite horizon. */
#define FUZZ_SHARE_PERIODS 8L
/* Periods x purchases per period beyond which the Monte Carlo run is
   skipped (it walks 6 customers). */
#define FUZZ_MAX_WALK 200000.0

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_scenario: invariant broken: %s\n", what);
		abort();
	}
}

static void check_failure(const clv_error *err)
{
	check(err->status != CLV_OK, "a failure with status CLV_OK");
	check(err->msg[0] != '\0', "a failure without a message");
}

/* Shares within [0, 1] (up to rounding). */
static void check_shares(const double *share, size_t cells, const char *what)
{
	size_t k;

	for (k = 0; k < cells; k++)
		check(isfinite(share[k]) && share[k] > -1e-9 && share[k] < 1 + 1e-9, what);
}

static void check_exact(const exact_result *r)
{
	size_t k;

	check_shares(r->share, (size_t)(r->periods + 1) * r->n, "exact: a share outside [0, 1]");
	for (k = 0; k <= r->n; k++)
		check(isfinite(r->clv[k]), "exact: a CLV that is NaN or infinite");
}

static void check_mc(const mc_result *r)
{
	size_t k;

	check_shares(r->share_mean, (size_t)(r->periods + 1) * r->n,
	             "Monte Carlo: a mean share outside [0, 1]");
	for (k = 0; k <= r->n; k++)
		check(isfinite(r->clv[k].mean), "Monte Carlo: a mean CLV that is NaN or infinite");
}

/* A tiny Monte Carlo run when the walk is short; failures must be clean. */
static void run_mc(clv_scenario *s, const clv_model *m)
{
	clv_error err = {0};
	mc_config cfg;
	mc_result *r;

	if ((double)chain_periods(m) * fmax(1.0, m->purchases) > FUZZ_MAX_WALK)
		return;
	mc_config_defaults(&cfg, s);
	cfg.replications = 2;
	cfg.customers = 3;
	cfg.threads = 1;
	cfg.share_periods = FUZZ_SHARE_PERIODS;
	r = mc_run(s, &cfg, &err);
	if (r == NULL)
		check_failure(&err);
	else
		check_mc(r);
	mc_free(r);
}

/* Model at means, the exact forecast, a Monte Carlo run; failures must
   be clean. */
static void run_engines(clv_scenario *s)
{
	clv_error err = {0};
	clv_model *m = model_at_means(s, &err);
	exact_result *r = NULL;

	if (m == NULL) {
		check_failure(&err);
		return;
	}
	r = exact_scenario(s, FUZZ_SHARE_PERIODS, &err);
	if (r == NULL)
		check_failure(&err);
	else
		check_exact(r);
	run_mc(s, m);
	exact_free(r);
	model_free(m);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	gsl_set_error_handler_off(); /* as main() does */
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	clv_error err = {0};
	clv_scenario *s = scenario_load_buffer("fuzz.yaml", (const char *)data, size, &err);
	clv_scenario *c;

	if (s == NULL) {
		check_failure(&err);
		return 0;
	}
	check(s->n >= 1 && s->n <= CLV_MAX_STATES, "a state count out of range");
	check(s->infinite || (s->horizon >= 0 && s->horizon <= CLV_MAX_HORIZON),
	      "a horizon out of range");
	c = scenario_copy(s, &err);
	check(c != NULL, "scenario_copy failed");
	scenario_free(s); /* the copy stands on its own: the engines run on it */
	check(scenario_validate(c, &err) == CLV_OK, "a copy that fails validation");
	if (c->infinite || c->horizon <= FUZZ_MAX_HORIZON)
		run_engines(c);
	scenario_free(c);
	return 0;
}
