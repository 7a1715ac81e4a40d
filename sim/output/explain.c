/*
 * explain.c - the lesson (output stage; see explain.h): the inputs, the
 * share steps, the discount factors and the CLV terms, per segment and
 * for the whole customer base. The steady state and the uncertainty are
 * in explain_long_run.c.
 *
 * The terms are computed here the way the exact engine (engine/exact.c)
 * computes them, from the same period matrices (exact_period_matrices);
 * every final figure (CLV per state and in total, an infinite horizon's
 * closed-form tail) is the engine's own, so the lesson can never print a
 * number the other commands do not.
 */
#include "output/explain.h"

#include <assert.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/exact.h"
#include "engine/model.h"
#include "output/explain_lesson.h"
#include "output/report.h"

#define PRODUCTS_MAX_STATES 6 /* share steps written as products up to this */
#define TERMS_PER_LINE 3

bool explain_shown(const lesson *l, long t)
{
	if (l->last + 1 <= EXPLAIN_FULL_MAX)
		return true;
	return t < EXPLAIN_HEAD || t > l->last - EXPLAIN_TAIL;
}

const double *explain_E(const lesson *l, long t)
{
	return t < l->K ? l->E_off : l->E;
}

const char *explain_state(const lesson *l, size_t i)
{
	return l->s->states[i];
}

static const double *lesson_W(const lesson *l, long t)
{
	return t < l->K ? l->W_off : l->W;
}

/* A state's margin: at full price, offers or not (what a price discount
   gives up is offer spend). */
static const double *lesson_margin(const lesson *l, long t)
{
	return l->m->margin;
}

static const double *lesson_cost(const lesson *l, long t)
{
	return t < l->K ? l->m->cost_offer : l->m->cost;
}

static void lesson_free(lesson *l)
{
	model_free(l->m);
	exact_free(l->r);
	free(l->E);
	free(l->W);
	free(l->E_off);
	free(l->W_off);
	free(l->u);
	free(l->x);
}

/* The last period summed term by term: T, or for an infinite horizon
   periods - 1 and at least the last offer period. */
static long last_period(const clv_model *m, long periods)
{
	if (!m->infinite)
		return m->horizon;
	if (m->offer_periods > 0 && m->offer_periods != LONG_MAX && m->offer_periods > periods)
		return m->offer_periods - 1;
	return periods - 1;
}

/* Shares u_0..u_{last+1} and purchases x_0..x_last. */
static void lesson_walk(lesson *l)
{
	size_t n = l->n, i, j;
	long t;

	memcpy(l->u, l->m->initial, n * sizeof *l->u);
	for (t = 0; t <= l->last; t++) {
		const double *E = explain_E(l, t), *W = lesson_W(l, t), *u = l->u + (size_t)t * n;
		double *next = l->u + (size_t)(t + 1) * n, *x = l->x + (size_t)t * n;
		for (j = 0; j < n; j++) {
			next[j] = 0.0;
			x[j] = 0.0;
			for (i = 0; i < n; i++) {
				next[j] += u[i] * E[i * n + j];
				x[j] += u[i] * W[i * n + j];
			}
		}
	}
}

static clv_status lesson_init(lesson *l, explain_doc *d, clv_scenario *s, long periods,
                              clv_error *err)
{
	size_t n = s->n;
	clv_status rc = CLV_OK;

	memset(l, 0, sizeof *l);
	l->d = d;
	l->s = s;
	l->n = n;
	l->unit = report_period_unit(s);
	l->m = model_at_means(s, err);
	if (l->m == NULL)
		return err->status;
	l->K = l->m->offer_periods;
	l->last = last_period(l->m, periods);
	l->one_purchase = !l->m->poisson && l->m->purchases == 1.0;
	l->r = exact_run(l->m, l->last + 1, err);
	if (l->r == NULL)
		return err->status;
	l->E = malloc(n * n * sizeof *l->E);
	l->W = malloc(n * n * sizeof *l->W);
	l->E_off = malloc(n * n * sizeof *l->E_off);
	l->W_off = malloc(n * n * sizeof *l->W_off);
	l->u = malloc((size_t)(l->last + 2) * n * sizeof *l->u);
	l->x = malloc((size_t)(l->last + 2) * n * sizeof *l->x);
	if (!l->E || !l->W || !l->E_off || !l->W_off || !l->u || !l->x)
		return diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory writing the lesson");
	rc = exact_period_matrices(l->m->P, n, l->m->purchases, l->m->poisson, l->E, l->W, err);
	if (rc == CLV_OK)
		rc = exact_period_matrices(l->m->P_offer, n, l->m->purchases, l->m->poisson, l->E_off,
		                           l->W_off, err);
	if (rc == CLV_OK)
		lesson_walk(l);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Section 1: the inputs.                                              */

/* "A, B, C" (free() it). */
static char *state_list(const clv_scenario *s)
{
	size_t i, len = 1;
	char *out;

	for (i = 0; i < s->n; i++)
		len += strlen(s->states[i]) + 2;
	out = malloc(len);
	if (out == NULL)
		return NULL;
	out[0] = '\0';
	for (i = 0; i < s->n; i++) {
		if (i > 0)
			strcat(out, ", ");
		strcat(out, s->states[i]);
	}
	return out;
}

/* A header row: first, then the state names. */
static void state_header(explain_table *t, const lesson *l, const char *first)
{
	const char *cells[CLV_MAX_STATES + 1];
	size_t i;

	cells[0] = first;
	for (i = 0; i < l->n; i++)
		cells[i + 1] = explain_state(l, i);
	explain_table_row(t, cells);
}

static void matrix_table(lesson *l, const double *P, const char *corner)
{
	explain_table t;
	size_t i;

	explain_table_init(&t, l->n + 1);
	state_header(&t, l, corner);
	for (i = 0; i < l->n; i++)
		explain_table_values(&t, explain_state(l, i), 4, P + i * l->n, l->n);
	explain_table_print(l->d, &t);
}

static bool any_nonzero(const double *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i] != 0.0)
			return true;
	return false;
}

/* A price discount's cut of the margin of state i, per purchase. */
static double cut_of(const lesson *l, size_t i)
{
	return l->m->margin[i] - l->m->margin_offer[i];
}

static bool has_cut(const lesson *l)
{
	size_t i;

	for (i = 0; l->K > 0 && i < l->n; i++)
		if (cut_of(l, i) != 0.0)
			return true;
	return false;
}

/* The offers cost something (their cost or a discount's cut): offer spend. */
static bool has_spend(const lesson *l)
{
	return l->K > 0 && (any_nonzero(l->m->offer_cost, l->n) || has_cut(l));
}

static void money_table(lesson *l)
{
	const clv_model *m = l->m;
	bool cut = has_cut(l), costs = any_nonzero(m->cost, l->n);
	bool spend = l->K > 0 && any_nonzero(m->offer_cost, l->n);
	explain_table t;
	char row[512];
	size_t i, len;

	explain_table_init(&t, 2 + cut + costs + spend);
	snprintf(row, sizeof row, "state\tmargin R per purchase%s%s%s",
	         cut ? "\tdiscount R - R' per purchase" : "", costs ? "\tcost C per " : "",
	         costs ? l->unit : "");
	if (spend)
		snprintf(row + strlen(row), sizeof row - strlen(row), "\toffer cost O per %s", l->unit);
	explain_table_rowf(&t, "%s", row);
	for (i = 0; i < l->n; i++) {
		len = (size_t)snprintf(row, sizeof row, "%s\t%.2f", explain_state(l, i), m->margin[i]);
		if (cut)
			len += (size_t)snprintf(row + len, sizeof row - len, "\t%.2f", cut_of(l, i));
		if (costs)
			len += (size_t)snprintf(row + len, sizeof row - len, "\t%.2f", m->cost[i]);
		if (spend)
			snprintf(row + len, sizeof row - len, "\t%.2f", m->offer_cost[i]);
		explain_table_rowf(&t, "%s", row);
	}
	explain_table_print(l->d, &t);
	if (costs)
		explain_para(l->d, "Costs are per customer and %s, charged in the state of the %s's "
		             "first purchase; a referral value counts as a negative cost.", l->unit,
		             l->unit);
	if (spend || cut)
		explain_para(l->d, "What the offers cost while they run (%s) is the offer spend: it is "
		             "kept on its own line, in no state's CLV, whose margin is the full price.",
		             spend && cut ? "their cost O, charged like a cost, and the margin the "
		             "discount gives up" : spend ? "their cost O, charged like a cost" :
		             "the margin the discount gives up");
}

static void offers_para(lesson *l)
{
	if (l->K == 0)
		return;
	if (l->K == LONG_MAX)
		explain_para(l->d, "Offers run in every %s; while they run the switching matrix is:",
		             l->unit);
	else
		explain_para(l->d, "Offers run in %ss 0 to %ld; while they run the switching matrix "
		             "is:", l->unit, l->K - 1);
	matrix_table(l, l->m->P_offer, "from \\ to");
}

static void timing_para(lesson *l)
{
	const clv_model *m = l->m;
	const clv_scenario *s = l->s;
	char horizon[96];

	if (m->infinite)
		snprintf(horizon, sizeof horizon, "every %s from 0 on, for ever", l->unit);
	else
		snprintf(horizon, sizeof horizon, "%ss 0 to %ld (%ld %s%s valued)", l->unit,
		         m->horizon, m->horizon + 1, l->unit, m->horizon == 0 ? "" : "s");
	explain_para(l->d, "Purchases: %g per %s%s. Discount rate: r = %.6g%% per %s%s. Horizon: "
	             "%s.", m->purchases, l->unit, m->poisson ? " on average (Poisson)" : "",
	             100.0 * m->discount, l->unit,
	             s->discount_annual ? " (converted from the annual rate)" : "", horizon);
	if (m->growth != 0.0)
		explain_para(l->d, "Spend growth: the margin of %s t is R x (1+g)^t with g = %.6g%% "
		             "per %s.", l->unit, 100.0 * m->growth, l->unit);
	if (m->acquisition != 0.0)
		explain_para(l->d, "Acquisition cost: %.2f, paid once at %s 0 and taken off the total.",
		             m->acquisition, l->unit);
}

static void section_inputs(lesson *l)
{
	explain_table t;
	char *names = state_list(l->s);

	explain_heading(l->d, l->level, "%d. The scenario in numbers", ++l->section);
	explain_para(l->d, "%zu states: %s. A customer's purchases move between them as a Markov "
	             "chain: P[i][j] is the probability that a purchase in state i is followed by "
	             "one in state j (each row sums to 1). S_0 gives the share of customers whose "
	             "first purchase, in %s 0, is in each state.", l->n, names ? names : "",
	             l->unit);
	free(names);
	explain_table_init(&t, l->n + 1);
	state_header(&t, l, "");
	explain_table_values(&t, "S_0", 4, l->m->initial, l->n);
	explain_table_print(l->d, &t);
	matrix_table(l, l->m->P, "from \\ to");
	offers_para(l);
	money_table(l);
	timing_para(l);
}

/* ------------------------------------------------------------------ */
/* Section 2: the share steps.                                         */

/* "S_1[A] = 0.6000 x 0.7000 + ... = 0.4200 + ... = 0.4750", at most
   TERMS_PER_LINE products a line. */
static void step_lines(lesson *l, long t, size_t j)
{
	const double *E = explain_E(l, t), *u = l->u + (size_t)t * l->n;
	double next = l->u[(size_t)(t + 1) * l->n + j];
	char head[160], prod[PRODUCTS_MAX_STATES][48], vals[512] = "";
	size_t i, k, terms = 0, lv = 0;
	int pad;

	snprintf(head, sizeof head, "  S_%ld[%s] = ", t + 1, explain_state(l, j));
	pad = (int)strlen(head);
	for (i = 0; i < l->n; i++) {
		double p = u[i] * E[i * l->n + j];
		if (u[i] == 0.0 || E[i * l->n + j] == 0.0)
			continue;
		snprintf(prod[terms++], sizeof prod[0], "%.4f x %.4f", u[i], E[i * l->n + j]);
		lv += (size_t)snprintf(vals + lv, sizeof vals - lv, "%s%.4f", lv ? " + " : "", p);
	}
	if (terms <= 1) {
		explain_line(l->d, "%s%s%s%.4f", head, terms ? prod[0] : "", terms ? " = " : "", next);
		return;
	}
	for (k = 0; k < terms; k += TERMS_PER_LINE) {
		char line[512];
		size_t len = 0, e;
		for (e = k; e < terms && e < k + TERMS_PER_LINE; e++)
			len += (size_t)snprintf(line + len, sizeof line - len, "%s%s", e > k ? " + " : "",
			                        prod[e]);
		explain_line(l->d, "%*s%s%s", k == 0 ? 0 : pad, k == 0 ? head : "", line,
		             k + TERMS_PER_LINE < terms ? " +" : "");
	}
	explain_line(l->d, "%*s= %s = %.4f", pad - 2, "", vals, next);
}

static const char *matrix_name(const lesson *l, long t)
{
	if (t < l->K)
		return l->one_purchase ? "P_offer" : "E_offer";
	return l->one_purchase ? "P" : "E";
}

static void share_steps(lesson *l)
{
	bool noted = false;
	size_t j;
	long t;

	for (t = 0; t < l->last; t++) {
		if (!explain_shown(l, t + 1)) {
			if (!noted)
				explain_line(l->d, "(%ss %d to %ld: the same step, not written out)", l->unit,
				             EXPLAIN_HEAD, l->last - EXPLAIN_TAIL);
			noted = true;
			continue;
		}
		explain_line(l->d, "%s %ld -> %ld: S_%ld = S_%ld %s", l->unit, t, t + 1, t + 1, t,
		             matrix_name(l, t));
		if (l->n > PRODUCTS_MAX_STATES) {
			char buf[48];
			size_t k;
			for (k = 0; k < l->n; k++) {
				snprintf(buf, sizeof buf, "%.4f", l->u[(size_t)(t + 1) * l->n + k]);
				explain_line(l->d, "  S_%ld[%s] = %s", t + 1, explain_state(l, k), buf);
			}
			continue;
		}
		for (j = 0; j < l->n; j++)
			step_lines(l, t, j);
	}
	explain_end(l->d);
}

static void share_table(lesson *l)
{
	explain_table t;
	char label[32];
	long p, last = l->m->infinite ? l->last : l->m->horizon;

	explain_table_init(&t, l->n + 1);
	state_header(&t, l, l->unit);
	for (p = 0; p <= last; p++) {
		if (!explain_shown(l, p)) {
			if (p == EXPLAIN_HEAD)
				explain_table_rowf(&t, "...");
			continue;
		}
		snprintf(label, sizeof label, "%ld%s", p, p < l->K ? "*" : "");
		explain_table_values(&t, label, 4, l->u + (size_t)p * l->n, l->n);
	}
	explain_table_print(l->d, &t);
}

static void period_matrices(lesson *l)
{
	const clv_model *m = l->m;

	if (m->poisson)
		explain_para(l->d, "A %s holds N ~ Poisson(%g) purchases, each one step of P. From "
		             "the start of one %s to the start of the next the shares move by E = "
		             "E[P^N]; the purchases made in each state during the %s are x_t = S_t W "
		             "with W = sum over k of P(N > k) P^k. E is:", l->unit, m->purchases,
		             l->unit, l->unit);
	else
		explain_para(l->d, "A %s holds %g purchases, each one step of P. From the start of "
		             "one %s to the start of the next the shares move by E = P^%g; the "
		             "purchases made in each state during the %s are x_t = S_t W with W = "
		             "I + P + ... + P^%g. E is:", l->unit, m->purchases, l->unit, m->purchases,
		             l->unit, m->purchases - 1);
	matrix_table(l, l->E, "from \\ to");
	explain_para(l->d, "and W is:");
	matrix_table(l, l->W, "from \\ to");
	if (l->K > 0) {
		explain_para(l->d, "While offers run, the same matrices of the offer's P are E_offer:");
		matrix_table(l, l->E_off, "from \\ to");
		explain_para(l->d, "and W_offer:");
		matrix_table(l, l->W_off, "from \\ to");
	}
}

static void section_shares(lesson *l)
{
	explain_heading(l->d, l->level, "%d. Share of wallet, %s by %s", ++l->section, l->unit,
	                l->unit);
	explain_para(l->d, "S_t[j] is the expected share of wallet of state j in %s t: the chance "
	             "that the customer's %s starts with a purchase in state j. One step of the "
	             "chain takes the shares from one %s to the next, the customers in each state "
	             "i times the chance that they move on to j:", l->unit, l->unit, l->unit);
	explain_line(l->d, "S_{t+1}[j] = sum over i of S_t[i] x P[i][j]        (S_{t+1} = S_t P)");
	explain_para(l->d, "Products and sums are shown to 4 decimals (the calculation keeps every "
	             "digit); terms that are 0 are left out.");
	if (!l->one_purchase)
		period_matrices(l);
	if (l->last > 0)
		share_steps(l);
	share_table(l);
	if (l->K > 0)
		explain_para(l->d, "The %ss marked * have the offers running.", l->unit);
	if (l->last + 1 > EXPLAIN_FULL_MAX)
		explain_para(l->d, "(%ss %d to %ld are summarised: every one of them with `clvsim "
		             "exact --format json`.)", l->unit, EXPLAIN_HEAD, l->last - EXPLAIN_TAIL);
}

/* ------------------------------------------------------------------ */
/* Section 3: discount factors.                                        */

static double factor(double rate, long t)
{
	return exp((double)t * log1p(rate));
}

static void section_discount(lesson *l)
{
	const clv_model *m = l->m;
	bool noted = false;
	long t;

	explain_heading(l->d, l->level, "%d. Discount factors", ++l->section);
	explain_para(l->d, "Money earned in %s t is worth less today: it is divided by the "
	             "discount factor (1+r)^t, r = %.6g%% per %s.%s", l->unit, 100.0 * m->discount,
	             l->unit, m->growth != 0.0 ? " Margins also grow, by the factor (1+g)^t." : "");
	for (t = 0; t <= l->last; t++) {
		if (!explain_shown(l, t)) {
			if (!noted)
				explain_line(l->d, "(%ss %d to %ld: not written out)", l->unit, EXPLAIN_HEAD,
				             l->last - EXPLAIN_TAIL);
			noted = true;
			continue;
		}
		char disc[96];
		snprintf(disc, sizeof disc, "(1+r)^%ld = %.8g^%ld = %.4f", t, 1.0 + m->discount, t,
		         factor(m->discount, t));
		if (m->growth != 0.0)
			explain_line(l->d, "t = %-3ld %-34s (1+g)^%ld = %.8g^%ld = %.4f", t, disc, t,
			             1.0 + m->growth, t, factor(m->growth, t));
		else
			explain_line(l->d, "t = %-3ld %s", t, disc);
	}
	if (m->infinite)
		explain_line(l->d, "(and so on for ever: the later %ss are summed in closed form)",
		             l->unit);
	explain_end(l->d);
}

/* ------------------------------------------------------------------ */
/* Section 4: CLV terms.                                               */

/* Period t's term for state i: discounted margin minus discounted cost. */
static double term(const lesson *l, long t, size_t i)
{
	const double *x = l->x + (size_t)t * l->n, *u = l->u + (size_t)t * l->n;
	double d = factor(l->m->discount, t), g = factor(l->m->growth, t);

	return (x[i] * lesson_margin(l, t)[i] * g - u[i] * lesson_cost(l, t)[i]) / d;
}

static bool has_costs(const lesson *l)
{
	return any_nonzero(l->m->cost, l->n);
}

static void term_header(const lesson *l, explain_table *t, size_t i)
{
	char share[96];

	snprintf(share, sizeof share, "S_t[%s]", explain_state(l, i));
	explain_table_rowf(t, "t\t%s%s\tmargin%s\t(1+r)^t\tterm\trunning sum", share,
	                   l->one_purchase ? "" : "\tpurchases", has_costs(l) ? "\tcost" : "");
}

static void term_row(const lesson *l, explain_table *t, long p, size_t i, double running)
{
	const double *u = l->u + (size_t)p * l->n, *x = l->x + (size_t)p * l->n;
	char purch[48] = "", cost[48] = "";

	if (!l->one_purchase)
		snprintf(purch, sizeof purch, "\t%.4f", x[i]);
	if (has_costs(l))
		snprintf(cost, sizeof cost, "\t%.2f", lesson_cost(l, p)[i]);
	explain_table_rowf(t, "%ld%s\t%.4f%s\t%.2f%s\t%.4f\t%.4f\t%.4f", p, p < l->K ? "*" : "",
	                   u[i], purch, lesson_margin(l, p)[i] * factor(l->m->growth, p), cost,
	                   factor(l->m->discount, p), term(l, p, i), running);
}

/* A row spanning several periods: only the term and the running sum. */
static void span_row(const lesson *l, explain_table *t, const char *label, double sum,
                     double running)
{
	const char *cells[8] = {"", "", "", "", "", "", "", ""};
	char a[48], b[48];

	snprintf(a, sizeof a, "%.4f", sum);
	snprintf(b, sizeof b, "%.4f", running);
	cells[0] = label;
	cells[t->cols - 2] = a;
	cells[t->cols - 1] = b;
	explain_table_row(t, cells);
}

/* "CLV_A = 500 x (0.6000 + 0.4750 / 1.0900 + ...)" when the margin is the
   same every period and nothing else is paid; false when it is not. */
static bool factored_line(lesson *l, size_t i)
{
	char buf[1024] = "", head[160], pad[160];
	size_t len = 0;
	long t;

	if (!l->one_purchase || has_costs(l) || l->K > 0 || l->m->growth != 0.0 || l->m->infinite ||
	    l->last + 1 > 6)
		return false;
	snprintf(head, sizeof head, "CLV_%s = %.2f x (", explain_state(l, i), l->m->margin[i]);
	snprintf(pad, sizeof pad, "%*s", (int)strlen(head), "");
	for (t = 0; t <= l->last; t++) {
		double share = l->u[(size_t)t * l->n + i];
		if (t > 0 && t % TERMS_PER_LINE == 0) { /* one worked line per 3 terms */
			explain_line(l->d, "%s%s", t == TERMS_PER_LINE ? head : pad, buf);
			len = 0;
			buf[0] = '\0';
		}
		if (t == 0)
			len += (size_t)snprintf(buf + len, sizeof buf - len, "%.4f", share);
		else
			len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%.4f / %.4f",
			                        t % TERMS_PER_LINE == 0 ? "+ " : " + ", share,
			                        factor(l->m->discount, t));
	}
	if (l->last < TERMS_PER_LINE)
		explain_line(l->d, "%s%s) = %.2f", head, buf, l->r->clv[i]);
	else {
		explain_line(l->d, "%s%s)", pad, buf);
		explain_line(l->d, "%*s= %.2f", (int)strlen(head) - 12, "", l->r->clv[i]);
	}
	return true;
}

static void state_terms(lesson *l, size_t i)
{
	explain_table t;
	double running = 0.0, middle = 0.0;
	long p;

	if (l->m->margin[i] == 0.0 && l->m->margin_offer[i] == 0.0 && l->m->cost[i] == 0.0) {
		explain_para(l->d, "No margin and no cost in state %s: every term is 0.",
		             explain_state(l, i));
		explain_line(l->d, "CLV_%s = 0.00", explain_state(l, i));
		explain_end(l->d);
		return;
	}

	explain_table_init(&t, 6 + !l->one_purchase + has_costs(l));
	term_header(l, &t, i);
	for (p = 0; p <= l->last; p++) {
		double v = term(l, p, i);
		running += v;
		if (explain_shown(l, p)) {
			term_row(l, &t, p, i, running);
			continue;
		}
		middle += v;
		if (p == l->last - EXPLAIN_TAIL) {
			char label[64];
			snprintf(label, sizeof label, "%d-%ld", EXPLAIN_HEAD, p);
			span_row(l, &t, label, middle, running);
		}
	}
	if (l->m->infinite) {
		char label[64];
		snprintf(label, sizeof label, ">=%ld", l->last + 1);
		span_row(l, &t, label, l->r->clv[i] - running, l->r->clv[i]);
	}
#ifdef CLV_DEBUG
	assert(l->m->infinite || fabs(running - l->r->clv[i]) <= 1e-9 * (1.0 + fabs(running)));
#endif
	explain_table_print(l->d, &t);
	if (!factored_line(l, i))
		explain_line(l->d, "CLV_%s = %.2f", explain_state(l, i), l->r->clv[i]);
	explain_end(l->d);
}

static void terms_para(lesson *l)
{
	const char *u = l->unit;

	char x[64];

	snprintf(x, sizeof x, l->one_purchase ? "here S_t[i]: one purchase a %s" : "column purchases",
	         u);
	if (l->one_purchase && !has_costs(l) && l->m->growth == 0.0)
		explain_para(l->d, "The CLV of state i is the sum over %ss t of S_t[i] x R_i / (1+r)^t: "
		             "the chance that the %s's purchase is made in state i, times the margin of "
		             "a purchase there, discounted.", u, u);
	else
		explain_para(l->d, "The term of %s t for state i is (x_t[i] x R_i x (1+g)^t - S_t[i] "
		             "x C_i) / (1+r)^t, where x_t[i] is the expected number of purchases made "
		             "in state i during the %s (%s), R_i the margin per purchase, C_i the cost "
		             "per %s and g the spend growth. The margin column is R_i x (1+g)^t; the "
		             "term is the margin earned minus the cost, discounted. The CLV of state i "
		             "is the sum of its terms.", u, u, x, u);
	if (l->K > 0)
		explain_para(l->d, "In the %ss marked * the offers run: their switching matrix "
		             "applies%s.", u, has_spend(l) ? " (what they cost is the offer spend, "
		             "below)" : "");
	if (l->m->infinite)
		explain_para(l->d, "The horizon is infinite: the terms of the %ss t >= %ld add up, "
		             "in closed form, to a^%ld S_%ld (I - a E)^-1 W R for the margins, with a "
		             "= (1+g)/(1+r) (E = P and W = I with one purchase a %s), and the same "
		             "with a = 1/(1+r) and the costs: a geometric series of matrices, solved "
		             "by LU decomposition. The row >=%ld is that sum.", u, l->last + 1,
		             l->last + 1, l->last + 1, u, l->last + 1);
}

static void total_lines(lesson *l)
{
	char buf[2048];
	size_t i, len = 0;

	for (i = 0; i < l->n && l->n <= 8; i++)
		len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%.2f", i ? " + " : "",
		                        l->r->clv[i]);
	if (l->n > 8)
		snprintf(buf, sizeof buf, "(the sum of the %zu states' CLV)", l->n);
	len = strlen(buf);
	if (has_spend(l))
		len += (size_t)snprintf(buf + len, sizeof buf - len, " - %.2f (offer spend)",
		                        l->r->offer_spend);
	if (l->m->acquisition != 0.0)
		snprintf(buf + len, sizeof buf - len, " - %.2f (acquisition)", l->m->acquisition);
	explain_line(l->d, "CLV = %s = %.2f", buf, l->r->clv[l->n]);
	explain_end(l->d);
}

/* S_t . O: the offers' cost in period t, per customer. */
static double spend_of(const lesson *l, long t)
{
	const double *u = l->u + (size_t)t * l->n;
	double v = 0.0;
	size_t i;

	for (i = 0; i < l->n; i++)
		v += u[i] * l->m->offer_cost[i];
	return v;
}

/* x_t . (R - R') (1+g)^t: the margin a discount gives up in period t. */
static double cut_in(const lesson *l, long t)
{
	const double *x = l->x + (size_t)t * l->n;
	double v = 0.0;
	size_t i;

	for (i = 0; i < l->n; i++)
		v += x[i] * cut_of(l, i);
	return v * factor(l->m->growth, t);
}

/* The offer spend, term by term over the offer periods. */
static void spend_terms(lesson *l)
{
	long p, end = l->K < l->last + 1 ? l->K : l->last + 1;
	double running = 0.0;
	explain_table t;

	explain_para(l->d, "The offer spend is the sum over the offer %ss t of (S_t . O + x_t . "
	             "(R - R') (1+g)^t) / (1+r)^t: the offers' cost for a customer in %s t (S_t . O "
	             "= sum_i S_t[i] O_i) and the margin a price discount gives up on the %s's "
	             "purchases x_t.", l->unit, l->unit, l->unit);
	explain_table_init(&t, 6);
	explain_table_rowf(&t, "t\tS_t . O\tmargin given up\t(1+r)^t\tterm\trunning sum");
	for (p = 0; p < end; p++) {
		double v = (spend_of(l, p) + cut_in(l, p)) / factor(l->m->discount, p);
		running += v;
		explain_table_rowf(&t, "%ld\t%.4f\t%.4f\t%.4f\t%.4f\t%.4f", p, spend_of(l, p),
		                   cut_in(l, p), factor(l->m->discount, p), v, running);
	}
	if (l->K > end)
		explain_table_rowf(&t, ">=%ld\t\t\t\t%.4f\t%.4f", end, l->r->offer_spend - running,
		                   l->r->offer_spend);
	explain_table_print(l->d, &t);
	explain_line(l->d, "offer spend = %.2f", l->r->offer_spend);
	explain_end(l->d);
}

static void section_terms(lesson *l)
{
	size_t i;

	explain_heading(l->d, l->level, "%d. CLV, term by term", ++l->section);
	terms_para(l);
	for (i = 0; i < l->n; i++) {
		explain_heading(l->d, l->level + 1, "State %s", explain_state(l, i));
		state_terms(l, i);
	}
	if (has_spend(l)) {
		explain_heading(l->d, l->level + 1, "Offer spend");
		spend_terms(l);
	}
	explain_heading(l->d, l->level + 1, "Total");
	explain_para(l->d, "The CLV of a customer is the sum over the states%s%s:",
	             has_spend(l) ? ", less the offer spend" : "",
	             l->m->acquisition != 0.0 ? ", less the acquisition cost" : "");
	total_lines(l);
}

/* ------------------------------------------------------------------ */
/* The whole lesson.                                                   */

static clv_status lesson_write(explain_doc *d, clv_scenario *s, long periods, int level,
                               int *section, clv_error *err)
{
	lesson l;
	clv_status rc = lesson_init(&l, d, s, periods, err);

	l.level = level;
	if (rc == CLV_OK) {
		section_inputs(&l);
		section_shares(&l);
		section_discount(&l);
		section_terms(&l);
		rc = explain_steady(&l, err);
	}
	*section = l.section;
	lesson_free(&l);
	return rc;
}

static void mixture(explain_doc *d, clv_scenario *s, const exact_result *whole)
{
	explain_table t;
	size_t k;

	explain_heading(d, 2, "The whole customer base");
	explain_para(d, "Shares and CLV are linear in the population, so the whole base's figures "
	             "are the segments' figures weighted by their sizes:");
	explain_table_init(&t, 4);
	explain_table_rowf(&t, "segment\tweight\tCLV\tweight x CLV");
	for (k = 0; k < s->n_segments; k++) {
		clv_error err = {0};
		exact_result *r = exact_scenario(s->segments[k], 0, &err);
		if (r == NULL)
			continue;
		explain_table_rowf(&t, "%s\t%.4f\t%.2f\t%.2f", s->segment_name[k], s->segment_weight[k],
		                   r->clv[s->n], s->segment_weight[k] * r->clv[s->n]);
		exact_free(r);
	}
	explain_table_rowf(&t, "total\t1\t\t%.2f", whole->clv[s->n]);
	explain_table_print(d, &t);
}

static void title(explain_doc *d, clv_scenario *s, const char *theory)
{
	explain_heading(d, 1, "The CLV of \"%s\", step by step", s->name);
	explain_para(d, "Scenario file: %s. What a customer is worth (customer lifetime value, "
	             "CLV) to each state, computed as a course would: the shares of wallet period "
	             "by period, the discount factors, every term of the sum. The theory: %s.",
	             s->path, theory);
	if (s->currency != NULL && s->currency[0] != '\0')
		explain_para(d, "Money is in %s.", s->currency);
	if (model_is_uncertain(s))
		explain_para(d, "Some assumptions of this scenario are uncertain. The calculation "
		             "takes each at its mean; the last section shows what the uncertainty "
		             "does.");
}

clv_status explain_write(FILE *f, clv_scenario *s, const explain_options *o, clv_error *err)
{
	explain_doc d = {f, o->markdown, false};
	exact_result *whole = exact_scenario(s, o->periods, err);
	clv_status rc = whole != NULL ? CLV_OK : err->status;
	int section = 0;
	size_t k;

	if (rc != CLV_OK)
		return rc;
	title(&d, s, o->theory != NULL ? o->theory : "docs/theory.md");
	if (model_is_uncertain(s))
		explain_uncertain_inputs(&d, s);
	if (s->n_segments == 0)
		rc = lesson_write(&d, s, o->periods, 2, &section, err);
	for (k = 0; k < s->n_segments && rc == CLV_OK; k++) {
		explain_heading(&d, 2, "Segment %s (%.4g%% of customers)", s->segment_name[k],
		                100.0 * s->segment_weight[k]);
		rc = lesson_write(&d, s->segments[k], o->periods, 3, &section, err);
	}
	if (rc == CLV_OK && s->n_segments > 0)
		mixture(&d, s, whole);
	if (rc == CLV_OK && o->mc != NULL)
		explain_uncertainty(&d, s, whole, o->expect, o->mc, 2, section + 1);
	explain_end(&d);
	exact_free(whole);
	return rc;
}
