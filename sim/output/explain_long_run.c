/*
 * explain_long_run.c - the lesson's last parts (output stage; see
 * explain.h): the steady state (the balance equations pi = pi P, how the
 * engine finds it, the chain's structure, absorption, warnings), and for
 * an uncertain scenario the assumptions' distributions and what the
 * uncertainty does to the CLV (Monte Carlo beside the exact figure).
 */
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/dist.h"
#include "engine/model.h"
#include "engine/structure.h"
#include "output/explain_lesson.h"
#include "output/report_structure.h"
#include "scenario/scenario.h"

#define BALANCE_MAX_STATES 6 /* balance equations written out up to this */
#define COLUMNS_MAX 8        /* absorption columns written out up to this */
#define LABELS_NAMED 4       /* uncertain labels named in the last section */

static const double *long_run_matrix(const lesson *l)
{
	return l->K == LONG_MAX ? l->m->P_offer : l->m->P;
}

/* "0.7000 pi_A + 0.1000 pi_B" for column j of P (zero terms left out). */
static void balance_lines(lesson *l, const double *P)
{
	char buf[1024];
	size_t i, j, len;

	for (j = 0; j < l->n; j++) {
		len = 0;
		buf[0] = '\0';
		for (i = 0; i < l->n; i++)
			if (P[i * l->n + j] != 0.0)
				len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%.4f pi_%s",
				                        len ? " + " : "", P[i * l->n + j], explain_state(l, i));
		explain_line(l->d, "pi_%s = %s", explain_state(l, j), len ? buf : "0");
	}
	len = 0;
	for (i = 0; i < l->n; i++)
		len += (size_t)snprintf(buf + len, sizeof buf - len, "%spi_%s", i ? " + " : "",
		                        explain_state(l, i));
	explain_line(l->d, "%s = 1", buf);
	explain_end(l->d);
}

/* The solution, and each equation checked with it. */
static void balance_check(lesson *l, const double *P, const double *pi)
{
	char buf[1024];
	size_t i, j, len = 0;

	for (i = 0; i < l->n; i++)
		len += (size_t)snprintf(buf + len, sizeof buf - len, "%spi_%s = %.4f", i ? ", " : "",
		                        explain_state(l, i), pi[i]);
	explain_line(l->d, "%s", buf);
	for (j = 0; j < l->n; j++) {
		len = 0;
		buf[0] = '\0';
		for (i = 0; i < l->n; i++)
			if (P[i * l->n + j] != 0.0)
				len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%.4f x %.4f",
				                        len ? " + " : "", P[i * l->n + j], pi[i]);
		explain_line(l->d, "check %s: %s = %.4f", explain_state(l, j), len ? buf : "0", pi[j]);
	}
	explain_end(l->d);
}

static void balance(lesson *l, const structure_result *st)
{
	const double *P = long_run_matrix(l);

	explain_para(l->d, "Written out, pi = pi P is one equation per state, and the shares "
	             "sum to 1:");
	balance_lines(l, P);
	explain_para(l->d, "The equations of pi = pi P add up to 0 = 0, so one of them is "
	             "redundant; with the sum instead, the solution is unique:");
	balance_check(l, P, st->classes[0].stationary);
}

/* The classes as a table, and one row per closed class: its stationary
   distribution and the share of customers that ends in it. */
static void class_tables(lesson *l, const structure_result *st)
{
	explain_table t;
	size_t c, k;

	explain_table_init(&t, 4);
	explain_table_rowf(&t, "class\tstates\tclosed\tperiod");
	for (c = 0; c < st->n_classes; c++) {
		char *name = report_class_name(l->s, st, c), period[24] = "-";
		if (st->classes[c].period > 0)
			snprintf(period, sizeof period, "%ld", st->classes[c].period);
		explain_table_rowf(&t, "%zu\t%s\t%s\t%s", c + 1, name ? name : "",
		                   st->classes[c].closed ? "yes" : "no", period);
		free(name);
	}
	explain_table_print(l->d, &t);
	explain_para(l->d, "The stationary distribution of each closed class, and the share of "
	             "these customers that ends in it:");
	explain_table_init(&t, l->n + 2);
	{
		const char *cells[CLV_MAX_STATES + 2];
		cells[0] = "class";
		for (k = 0; k < l->n; k++)
			cells[k + 1] = explain_state(l, k);
		cells[l->n + 1] = "ends here";
		explain_table_row(&t, cells);
	}
	for (c = 0; c < st->n_classes; c++) {
		char buf[CLV_MAX_STATES + 2][32];
		const char *cells[CLV_MAX_STATES + 2];
		if (!st->classes[c].closed)
			continue;
		snprintf(buf[0], sizeof buf[0], "%zu", c + 1);
		for (k = 0; k < l->n; k++)
			snprintf(buf[k + 1], sizeof buf[0], "%.4f", st->classes[c].stationary[k]);
		snprintf(buf[l->n + 1], sizeof buf[0], "%.4f", st->class_weight[c]);
		for (k = 0; k < l->n + 2; k++)
			cells[k] = buf[k];
		explain_table_row(&t, cells);
	}
	explain_table_print(l->d, &t);
}

static void structure_para(lesson *l, const structure_result *st)
{
	if (st->n_classes == 1) {
		if (st->classes[0].period == 1)
			explain_para(l->d, "The chain is irreducible (every state can be reached from "
			             "every other) and aperiodic (it does not cycle), so it has exactly "
			             "one steady state, and S_t comes ever closer to it from any starting "
			             "shares.");
		else
			explain_para(l->d, "The chain is irreducible (every state can be reached from "
			             "every other), so it has exactly one steady state; but it is "
			             "periodic, with period %ld, so S_t keeps cycling around it.",
			             st->classes[0].period);
		return;
	}
	explain_para(l->d, "The chain has %zu communicating classes: groups of states that can "
	             "reach each other. A class is closed when no customer ever leaves it; the "
	             "states of the other classes are transient, left for good sooner or later. "
	             "Each closed class has its own steady state (its stationary distribution); "
	             "where the customers end up is a mixture of them.", st->n_classes);
	class_tables(l, st);
}

static void how_found(lesson *l, const structure_result *st)
{
	explain_table t;
	double long_run[CLV_MAX_STATES];
	size_t i;

	structure_long_run(st, long_run);
	explain_para(l->d, "How clvsim finds it: the exact engine takes the long-run average of S_0 "
	             "P^t over t (the Cesaro limit, which exists for every chain, periodic or not), "
	             "squaring the lazy matrix (I + P) / 2, which has the same steady states but "
	             "never cycles, until it stops changing. The chain's structure gives the same "
	             "figures independently: the stationary distribution of each closed class, "
	             "solved from pi = pi P with sum 1 by LU decomposition, weighted by the share "
	             "of customers that ends in that class.%s",
	             l->K == LONG_MAX ? " (The matrix is the one with the offers running, as they "
	                                "always do.)" : "");
	explain_table_init(&t, l->n + 1);
	{
		const char *cells[CLV_MAX_STATES + 1];
		cells[0] = "";
		for (i = 0; i < l->n; i++)
			cells[i + 1] = explain_state(l, i);
		explain_table_row(&t, cells);
	}
	explain_table_values(&t, "steady state (engine)", 4, l->r->steady, l->n);
	explain_table_values(&t, "from the classes", 4, long_run, l->n);
	explain_table_print(l->d, &t);
}

static void absorption(lesson *l, const structure_result *st)
{
	explain_table t;
	size_t i, j, cols = 2 + (st->n_recurrent <= COLUMNS_MAX ? st->n_recurrent : 0);

	if (st->n_transient == 0)
		return;
	explain_para(l->d, "With Q the transient states' part of the %s matrix, N = (I - Q)^-1 "
	             "(the fundamental matrix) counts the expected %ss a customer spends in each "
	             "transient state, and N 1 the expected %ss before it enters a closed class, "
	             "counting the current one. N R (R: from the transient into the closed "
	             "states) gives the chance of entering the closed classes at each of their "
	             "states:", l->unit, l->unit, l->unit);
	explain_table_init(&t, cols);
	{
		const char *cells[COLUMNS_MAX + 2];
		char names[COLUMNS_MAX][96], expected[64];
		cells[0] = "from";
		snprintf(expected, sizeof expected, "expected %ss", l->unit);
		cells[1] = expected;
		for (j = 0; j + 2 < cols; j++) {
			snprintf(names[j], sizeof names[j], "enters at %s", explain_state(l, st->recurrent[j]));
			cells[j + 2] = names[j];
		}
		explain_table_row(&t, cells);
	}
	for (i = 0; i < st->n_transient; i++) {
		double v[COLUMNS_MAX + 1];
		v[0] = st->to_absorption[i];
		for (j = 0; j + 2 < cols; j++)
			v[j + 1] = st->absorption[i * st->n_recurrent + j];
		explain_table_values(&t, explain_state(l, st->transient[i]), 4, v, cols - 1);
	}
	explain_table_print(l->d, &t);
}

clv_status explain_steady(lesson *l, clv_error *err)
{
	structure_result *st = structure_of_model(l->m, err);
	char *w[2];
	int k, count;

	if (st == NULL)
		return err->status;
	explain_heading(l->d, l->level, "%d. The steady state", ++l->section);
	explain_para(l->d, "If the %ss went on for ever, where would the shares settle? A steady "
	             "state is a distribution of shares pi that one more step leaves as it is: "
	             "pi = pi P, its entries summing to 1.", l->unit);
	structure_para(l, st);
	if (st->n_classes == 1 && l->n <= BALANCE_MAX_STATES)
		balance(l, st);
	how_found(l, st);
	absorption(l, st);
	count = report_structure_warnings(l->s, st, w);
	for (k = 0; k < count; k++) {
		explain_para(l->d, "Warning: %s.", w[k]);
		free(w[k]);
	}
	structure_free(st);
	return count < 0 ? diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory writing the lesson")
	                 : CLV_OK;
}

/* ------------------------------------------------------------------ */
/* Uncertain assumptions.                                              */

static void describe(const clv_param *p, char *buf, size_t len)
{
	const char *kind = dist_kind_name(p->kind);

	switch (p->kind) {
	case DIST_TRIANGULAR:
	case DIST_PERT: snprintf(buf, len, "%s(%g, %g, %g)", kind, p->a, p->b, p->c); break;
	case DIST_POISSON: snprintf(buf, len, "%s(%g)", kind, p->a); break;
	case DIST_FIXED: snprintf(buf, len, "%g", p->a); break;
	default: snprintf(buf, len, "%s(%g, %g)", kind, p->a, p->b); break;
	}
}

static const char *drawn(const clv_param *p)
{
	if (p->kind == DIST_POISSON || p->per == PER_CUSTOMER_PERIOD)
		return "customer-period";
	return p->per == PER_CUSTOMER ? "customer" : "replication";
}

/* Rows for the uncertain assumptions of s (prefix: the segment, or ""). */
static void uncertain_rows(explain_table *t, clv_scenario *s, const char *prefix)
{
	size_t k, n_params, i, j;
	clv_param **params = scenario_params_alloc(s, &n_params);
	char desc[160], label[256], mean[64];

	for (k = 0; params != NULL && k < n_params; k++) {
		if (!dist_is_uncertain(params[k]))
			continue;
		describe(params[k], desc, sizeof desc);
		snprintf(label, sizeof label, "%s%s", prefix, params[k]->label);
		explain_table_rowf(t, "%s\t%s\t%s\t%.6g", label, desc, drawn(params[k]),
		                   dist_mean(params[k]));
	}
	free(params);
	for (i = 0; i < s->n; i++) {
		size_t len = 0;
		if (!s->switching[i].dirichlet)
			continue;
		for (j = 0; j < s->n; j++)
			len += (size_t)snprintf(desc + len, sizeof desc - len, "%s%g", j ? ", " : "",
			                        s->switching[i].alpha[j]);
		snprintf(label, sizeof label, "%sswitching.%s", prefix, s->states[i]);
		{
			double sum = 0.0;
			size_t lm = 0;
			for (j = 0; j < s->n; j++)
				sum += s->switching[i].alpha[j];
			for (j = 0; j < s->n && lm < sizeof mean; j++)
				lm += (size_t)snprintf(mean + lm, sizeof mean - lm, "%s%.4g", j ? ", " : "(",
				                       s->switching[i].alpha[j] / sum);
			if (lm < sizeof mean)
				snprintf(mean + lm, sizeof mean - lm, ")");
		}
		explain_table_rowf(t, "%s\tdirichlet(%s)\t%s\t%s", label, desc, "replication", mean);
	}
}

void explain_uncertain_inputs(explain_doc *d, clv_scenario *s)
{
	explain_table t;
	size_t k;

	explain_para(d, "The uncertain assumptions (distributions with their parameters as in the "
	             "scenario file, docs/scenarios.md), and the means the calculation uses:");
	explain_table_init(&t, 4);
	explain_table_rowf(&t, "assumption\tdistribution\tdrawn per\tmean");
	if (s->n_segments == 0)
		uncertain_rows(&t, s, "");
	for (k = 0; k < s->n_segments; k++) {
		char prefix[160];
		snprintf(prefix, sizeof prefix, "%s: ", s->segment_name[k]);
		uncertain_rows(&t, s->segments[k], prefix);
	}
	explain_table_print(d, &t);
}

/* ------------------------------------------------------------------ */
/* What the uncertainty does.                                          */

/* The CLV is not linear in these assumptions (it is in money). */
static bool nonlinear(const char *label)
{
	return strncmp(label, "switching.", 10) == 0 || strncmp(label, "retention.", 10) == 0 ||
	       strcmp(label, "discount_rate") == 0 || strcmp(label, "spend_growth") == 0 ||
	       strstr(label, "retention_uplift") != NULL || strstr(label, "win_from") != NULL;
}

/* Append the nonlinear uncertain labels of s to out (count in *found). */
static void nonlinear_labels(clv_scenario *s, char *out, size_t cap, size_t *found)
{
	size_t k, n_params, len = strlen(out);
	clv_param **params = scenario_params_alloc(s, &n_params);

	for (k = 0; params != NULL && k < n_params; k++) {
		if (!dist_is_uncertain(params[k]) || !nonlinear(params[k]->label) ||
		    strstr(out, params[k]->label) != NULL)
			continue;
		if (++*found <= LABELS_NAMED)
			len += (size_t)snprintf(out + len, cap - len, "%s%s", len ? ", " : "",
			                        params[k]->label);
	}
	free(params);
	for (k = 0; k < s->n; k++)
		if (s->switching[k].dirichlet && ++*found <= LABELS_NAMED)
			len += (size_t)snprintf(out + len, cap - len, "%sswitching.%s", len ? ", " : "",
			                        s->states[k]);
	for (k = 0; k < s->n_segments; k++)
		nonlinear_labels(s->segments[k], out, cap, found);
}

static void why_para(explain_doc *d, clv_scenario *s, const exact_result *exact,
                     const expect_result *x, const mc_result *mc)
{
	char labels[1024] = "";
	size_t found = 0;
	double gap = x->mean->clv[s->n] - exact->clv[s->n];
	double diff = mc->clv[s->n].mean - x->mean->clv[s->n], hw = mc->half_width;
	bool within = fabs(diff) <= hw;

	nonlinear_labels(s, labels, sizeof labels, &found);
	if (found > LABELS_NAMED)
		snprintf(labels + strlen(labels), sizeof labels - strlen(labels), " and %zu more",
		         found - LABELS_NAMED);
	else if (found > 1) { /* "a, b, c" -> "a, b and c" */
		char *comma = strrchr(labels, ',');
		memmove(comma + 4, comma + 1, strlen(comma + 1) + 1);
		memcpy(comma, " and", 4);
	}
	if (found > 0)
		explain_para(d, "The expected total CLV over the uncertainty is %.2f, %.2f %s the "
		             "figure at the means. The CLV is not a straight-line function of %s: the "
		             "average of the CLV over their draws is not the CLV at their averages "
		             "(Jensen's inequality). The Monte Carlo (MC) mean, %.2f (95%% confidence "
		             "interval +-%.2f), estimates the same expectation and is %s it.",
		             x->mean->clv[s->n], fabs(gap), gap >= 0 ? "above" : "below", labels,
		             mc->clv[s->n].mean, hw,
		             within ? "within its noise of" : "outside its interval around");
	else
		explain_para(d, "The CLV is a straight-line function of the uncertain assumptions here "
		             "(money per purchase or per period, or a Poisson number of purchases, "
		             "which the exact engine sums exactly), so the figure at the means is the "
		             "expected CLV. The Monte Carlo (MC) mean, %.2f, differs from it by %.2f, "
		             "%s the 95%% confidence interval of that mean (+-%.2f): Monte Carlo noise.",
		             mc->clv[s->n].mean, fabs(diff), within ? "within" : "outside", hw);
}

void explain_uncertainty(explain_doc *d, clv_scenario *s, const exact_result *exact,
                         const expect_result *x, const mc_result *mc, int level, int section)
{
	double t = mc_t_quantile(0.95, mc->se_df);
	explain_table tb;
	size_t i;

	explain_heading(d, level, "%d. What the uncertainty does", section);
	explain_para(d, "The calculation above takes every uncertain assumption at its mean. The "
	             "expectation averages the CLV over the assumptions' distributions instead "
	             "(%s). A Monte Carlo run draws them: %llu replications of %llu customers "
	             "(seed %llu; `clvsim run` runs the scenario's full size). Per customer:",
	             expect_method_name(x->method), (unsigned long long)mc->replications,
	             (unsigned long long)mc->customers, (unsigned long long)mc->seed);
	explain_table_init(&tb, 6);
	explain_table_rowf(&tb, "state\tat the means\texpected\tMC mean\t95%% CI of the mean\t"
	                   "90%% of replications");
	for (i = 0; i <= s->n; i++) {
		const stats_summary *c = &mc->clv[i], *a = &mc->clv_avg[i];
		double hw = t * c->se;
		explain_table_rowf(&tb, "%s\t%.2f\t%.2f\t%.2f\t[%.2f, %.2f]\t[%.2f, %.2f]",
		                   i == s->n ? "total" : s->states[i], exact->clv[i], x->mean->clv[i],
		                   c->mean, c->mean - hw, c->mean + hw, a->p05, a->p95);
	}
	explain_table_print(d, &tb);
	why_para(d, s, exact, x, mc);
}
