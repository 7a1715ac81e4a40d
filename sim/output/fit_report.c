/*
 * fit_report.c - a switching fit as JSON and as text (layout in
 * fit_report.h; the survival fit is in fit_report_sbg.c). Stage: output.
 */
#include "output/fit_report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "output/report.h"

#define INTERVAL_TEXT "95%, the entry's Beta marginal of the Dirichlet posterior under " \
	"Jeffreys' prior (1/2 per entry); lower end 0 when the count is 0, upper end 1 when it is " \
	"the row total (modified Jeffreys)"
#define MARKOV_METHOD "likelihood ratio (G) test of first against second order on " \
	"consecutive triples, chi-square"
#define HOMOGENEITY_METHOD "likelihood ratio (G) test: transitions starting in the first " \
	"half of the periods against the second half, chi-square"

json_t *fit_json_text(const char *text)
{
	size_t n = strlen(text), i = 0;
	char *copy = malloc(n + 1);
	json_t *j;

	if (copy == NULL)
		return NULL;
	memcpy(copy, text, n + 1);
	while (i < n) {
		const unsigned char *p = (const unsigned char *)copy + i;
		size_t len = *p < 0x80 ? 1 : (*p & 0xE0) == 0xC0 && *p >= 0xC2 ? 2
		             : (*p & 0xF0) == 0xE0 ? 3 : (*p & 0xF8) == 0xF0 && *p <= 0xF4 ? 4 : 0;
		size_t k;
		for (k = 1; len > 0 && k < len; k++)
			if (i + k >= n || (p[k] & 0xC0) != 0x80)
				len = 0;
		if (len == 0) {
			copy[i++] = '?';
			continue;
		}
		i += len;
	}
	j = json_string(copy);
	if (j == NULL)
		j = json_string("?"); /* e.g. an overlong or surrogate sequence */
	free(copy);
	return j;
}

static json_t *test_json(const fit_test *t, const char *method)
{
	json_t *o = json_object();

	json_object_set_new(o, "statistic", report_json_number(t->statistic));
	json_object_set_new(o, "df", json_integer(t->df));
	json_object_set_new(o, "p_value", report_json_number(t->p_value));
	json_object_set_new(o, "n", json_integer((json_int_t)t->n));
	json_object_set_new(o, "method", json_string(method));
	return o;
}

static json_t *switching_json(const fit_markov *m)
{
	json_t *sw = json_object();
	size_t i, j, n = m->n;

	for (i = 0; i < (m->churn ? n - 1 : n); i++) { /* `lost` is absorbing, not estimated */
		json_t *row = json_object();
		for (j = 0; j < n; j++) {
			json_t *e = json_object();
			size_t c = i * n + j;
			json_object_set_new(e, "estimate", report_json_number(m->estimate[c]));
			json_object_set_new(e, "lo", report_json_number(m->lo[c]));
			json_object_set_new(e, "hi", report_json_number(m->hi[c]));
			json_object_set_new(e, "count", json_integer((json_int_t)m->count[c]));
			json_object_set_new(row, m->state[j], e);
		}
		json_object_set_new(sw, m->state[i], row);
	}
	return sw;
}

static json_t *spend_json(const fit_markov *m, size_t brands)
{
	json_t *sp = json_object();
	size_t i;

	for (i = 0; i < brands; i++) {
		json_t *e = json_object();
		json_object_set_new(e, "mean", report_json_number(m->spend_mean[i]));
		json_object_set_new(e, "se", report_json_number(m->spend_se[i]));
		json_object_set_new(e, "count", json_integer((json_int_t)m->spend_n[i]));
		json_object_set_new(sp, m->state[i], e);
	}
	return sp;
}

static json_t *holdout_json(const fit_data *d, const fit_holdout *h, const fit_options *o)
{
	json_t *ho = json_object(), *periods = json_array();
	char label[32];
	size_t b;
	long p;

	json_object_set_new(ho, "date", json_string(o->holdout_text));
	json_object_set_new(ho, "mean_abs_error", report_json_number(h->mean_abs_error));
	json_object_set_new(ho, "purchases", json_integer((json_int_t)h->purchases));
	json_object_set_new(ho, "new_customers", json_integer((json_int_t)h->new_customers));
	for (p = 0; p < h->periods; p++) {
		json_t *e = json_object(), *ob = json_object(), *pr = json_object();
		fit_data_period_label(d, h->first + p, label, sizeof label);
		json_object_set_new(e, "period", json_integer(p + 1));
		json_object_set_new(e, "start", json_string(label));
		json_object_set_new(e, "buyers", json_integer((json_int_t)h->buyers[p]));
		for (b = 0; b < h->n; b++) {
			json_object_set_new(ob, d->brand[b], report_json_number(h->observed[(size_t)p * h->n + b]));
			json_object_set_new(pr, d->brand[b], report_json_number(h->predicted[(size_t)p * h->n + b]));
		}
		json_object_set_new(e, "observed", ob);
		json_object_set_new(e, "predicted", pr);
		json_array_append_new(periods, e);
	}
	json_object_set_new(ho, "periods", periods);
	return ho;
}

/* file, sha256, period and counts. */
static void head_json(json_t *fit, const fit_data *d, const fit_markov *m)
{
	json_t *states = json_array();
	char first[32], last[32];
	size_t i;

	fit_data_period_label(d, 0, first, sizeof first);
	fit_data_period_label(d, m->end_period, last, sizeof last);
	json_object_set_new(fit, "file", fit_json_text(d->path));
	json_object_set_new(fit, "sha256", json_string(d->sha256));
	json_object_set_new(fit, "period", json_string(fit_unit_name(d->unit)));
	json_object_set_new(fit, "periods", json_integer(m->periods));
	json_object_set_new(fit, "first_period", json_string(first));
	json_object_set_new(fit, "last_period", json_string(last));
	for (i = 0; i < m->n; i++)
		json_array_append_new(states, json_string(m->state[i]));
	json_object_set_new(fit, "states", states);
	json_object_set_new(fit, "customers", json_integer((json_int_t)m->customers));
	json_object_set_new(fit, "purchases", json_integer((json_int_t)m->purchases));
	json_object_set_new(fit, "transitions", json_integer((json_int_t)m->transitions));
	json_object_set_new(fit, "loglik", report_json_number(m->loglik));
	json_object_set_new(fit, "churn_after", m->churn ? json_integer(m->churn_after) : json_null());
	json_object_set_new(fit, "lost", json_integer((json_int_t)m->lost));
}

json_t *fit_report_json(const fit_data *d, const fit_markov *m, const fit_holdout *h,
                        const fit_options *o)
{
	json_t *doc = json_object(), *fit = json_object(), *homog;
	char split[32];

	head_json(fit, d, m);
	json_object_set_new(fit, "switching", switching_json(m));
	json_object_set_new(fit, "interval", json_string(INTERVAL_TEXT));
	json_object_set_new(fit, "prior", json_real(FIT_PRIOR));
	json_object_set_new(fit, "initial", report_json_by_name(m->state, m->n, m->initial, false));
	json_object_set_new(fit, "initial_is", json_string("the shares of customers' latest state "
	                                                   "(latest purchase, or lost): the state a "
	                                                   "forecast starts from"));
	json_object_set_new(fit, "purchases_per_period", report_json_number(m->purchases_per_period));
	json_object_set_new(fit, "purchases_model",
	                    json_string(m->purchases_whole > 0 ? "fixed" : "poisson"));
	json_object_set_new(fit, "exposure", json_integer((json_int_t)m->exposure));
	if (m->has_spend)
		json_object_set_new(fit, "spend", spend_json(m, d->n_brands));
	json_object_set_new(fit, "markov_property", test_json(&m->markov, MARKOV_METHOD));
	homog = test_json(&m->homogeneity, HOMOGENEITY_METHOD);
	fit_data_period_label(d, m->half, split, sizeof split);
	json_object_set_new(homog, "split", json_string(split));
	json_object_set_new(fit, "homogeneity", homog);
	if (h != NULL)
		json_object_set_new(fit, "holdout", holdout_json(d, h, o));
	json_object_set_new(doc, "fit", fit);
	return doc;
}

/* ------------------------------------------------------------------ */
/* Text.                                                                */

/* Two lines: the statistic, then what it says at the 5% level. */
static void test_text(FILE *f, const char *name, const fit_test *t, const char *what,
                      const char *null_name)
{
	fprintf(f, "  %s (%s): ", name, what);
	if (t->df == 0) {
		fprintf(f, "not testable (%llu observations, no two cells to compare)\n",
		        (unsigned long long)t->n);
		return;
	}
	fprintf(f, "G = %.2f, df = %ld, p = %.3g (%llu observations)\n    %s %s at the 5%% level\n",
	        t->statistic, t->df, t->p_value, (unsigned long long)t->n,
	        t->p_value < 0.05 ? "evidence against" : "no evidence against", null_name);
}

static void head_text(FILE *f, const fit_data *d, const fit_markov *m, const fit_options *o)
{
	char first[32], last[32];

	fit_data_period_label(d, 0, first, sizeof first);
	fit_data_period_label(d, m->end_period, last, sizeof last);
	fprintf(f, "Fit of %s (sha256 %.16s...)\n", d->path, d->sha256);
	fprintf(f, "  %llu customer%s, %llu purchases, %llu transitions (consecutive purchases of a "
	        "customer), %zu brand%s\n", (unsigned long long)m->customers, m->customers == 1 ? "" : "s",
	        (unsigned long long)m->purchases, (unsigned long long)m->transitions, d->n_brands,
	        d->n_brands == 1 ? "" : "s");
	fprintf(f, "  %ld %ss: %s to %s%s\n", m->periods, fit_unit_name(d->unit), first, last,
	        d->has_date && !o->unit_given ? " (the default --period month)" : "");
	if (o->has_holdout)
		fprintf(f, "  fitted on the records before %s (--holdout)\n", o->holdout_text);
	if (m->churn)
		fprintf(f, "  %llu customer%s moved to `lost`: no purchase in the last %ld %s%s of the "
		        "data (--churn-after)\n", (unsigned long long)m->lost, m->lost == 1 ? "" : "s",
		        m->churn_after, fit_unit_name(d->unit), m->churn_after == 1 ? "" : "s");
}

static void matrix_text(FILE *f, const fit_markov *m)
{
	size_t i, j, n = m->n, rows = m->churn ? n - 1 : n;

	fprintf(f, "\nSwitching: estimate = count / row total [95%% interval]\n%-12s", "from \\ to");
	for (j = 0; j < n; j++)
		fprintf(f, " %-22.22s", m->state[j]);
	fprintf(f, " %12s\n", "transitions");
	for (i = 0; i < rows; i++) {
		fprintf(f, "%-12.12s", m->state[i]);
		for (j = 0; j < n; j++) {
			size_t c = i * n + j;
			char cell[48];
			if (m->row_total[i] == 0)
				snprintf(cell, sizeof cell, "-");
			else
				snprintf(cell, sizeof cell, "%.3f [%.3f, %.3f]", m->estimate[c], m->lo[c], m->hi[c]);
			fprintf(f, " %-22s", cell);
		}
		fprintf(f, " %12llu\n", (unsigned long long)m->row_total[i]);
	}
	fprintf(f, "Counts\n%-12s", "from \\ to");
	for (j = 0; j < n; j++)
		fprintf(f, " %10.10s", m->state[j]);
	fputc('\n', f);
	for (i = 0; i < rows; i++) {
		fprintf(f, "%-12.12s", m->state[i]);
		for (j = 0; j < n; j++)
			fprintf(f, " %10llu", (unsigned long long)m->count[i * n + j]);
		fputc('\n', f);
	}
	fprintf(f, "Intervals: the Beta marginal of each row's Dirichlet posterior (Jeffreys' prior "
	        "1/2 per entry),\n0 or 1 at the ends when a count is 0 or the whole row.\n");
}

static void rates_text(FILE *f, const fit_data *d, const fit_markov *m)
{
	size_t i;

	fprintf(f, "\nStart of a forecast (shares of customers' latest state):");
	for (i = 0; i < m->n; i++)
		fprintf(f, "  %s %.4f", m->state[i], m->initial[i]);
	fprintf(f, "\nPurchases per %s: %.4g (%s; over %llu customer-%ss after each customer's "
	        "first)\n", fit_unit_name(d->unit), m->purchases_per_period,
	        m->purchases_whole > 0 ? "the same every period: fixed" : "Poisson",
	        (unsigned long long)m->exposure, fit_unit_name(d->unit));
	if (m->has_spend) {
		fprintf(f, "Spend per purchase (mean, se, purchases):");
		for (i = 0; i < d->n_brands; i++)
			fprintf(f, "  %s %.4g (%.3g, %llu)", m->state[i], m->spend_mean[i], m->spend_se[i],
			        (unsigned long long)m->spend_n[i]);
		fputc('\n', f);
	}
	fprintf(f, "Log-likelihood of the transitions at the estimate: %.4f\n", m->loglik);
}

static void holdout_text(FILE *f, const fit_data *d, const fit_holdout *h, const fit_options *o)
{
	char label[32];
	size_t b;
	long p;

	fprintf(f, "\nHoldout from %s: the fitted chain's forecast (pred) against the brand of "
	        "each customer's\nfirst purchase in the period (obs), %llu purchases held out, %llu "
	        "new customers not forecast\n%-10s %7s", o->holdout_text,
	        (unsigned long long)h->purchases, (unsigned long long)h->new_customers, "period",
	        "buyers");
	for (b = 0; b < h->n; b++)
		fprintf(f, "  %6.6s obs  pred", d->brand[b]);
	fputc('\n', f);
	for (p = 0; p < h->periods; p++) {
		fit_data_period_label(d, h->first + p, label, sizeof label);
		fprintf(f, "%-10s %7llu", label, (unsigned long long)h->buyers[p]);
		for (b = 0; b < h->n; b++) {
			double ob = h->observed[(size_t)p * h->n + b];
			if (isnan(ob))
				fprintf(f, "  %10s %5.3f", "-", h->predicted[(size_t)p * h->n + b]);
			else
				fprintf(f, "  %10.3f %5.3f", ob, h->predicted[(size_t)p * h->n + b]);
		}
		fputc('\n', f);
	}
	fprintf(f, "Mean absolute difference of the shares: %.4f\n", h->mean_abs_error);
}

void fit_report_text(FILE *f, const fit_data *d, const fit_markov *m, const fit_holdout *h,
                     const fit_options *o)
{
	char split[32], what[96];

	head_text(f, d, m, o);
	matrix_text(f, m);
	rates_text(f, d, m);
	fit_data_period_label(d, m->half, split, sizeof split);
	snprintf(what, sizeof what, "transitions from before %s against from it on", split);
	fprintf(f, "\nTests of the model\n");
	test_text(f, "Markov property", &m->markov, "first against second order",
	          "first order (the next brand depends on the last one only)");
	test_text(f, "Homogeneity", &m->homogeneity, what, "one matrix for both halves");
	if (h != NULL)
		holdout_text(f, d, h, o);
}
