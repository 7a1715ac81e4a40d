/*
 * fit_scenario.c - write the fitted scenario (see fit_scenario.h for what
 * it holds). Stage: output.
 *
 * The text is built in memory (open_memstream), loaded back with
 * scenario_load_buffer as a self-check, and only then written, through
 * an atomic outfile. User text (brand names, file names) enters the YAML
 * only as double-quoted scalars (backslash and quote escaped, control
 * characters as \xNN, bytes that are not UTF-8 as '?') and enters
 * comments with every control character and non-UTF-8 byte as '?'.
 */
#include "output/fit_scenario.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output/outfile.h"
#include "scenario/scenario.h"

/* Length of the valid UTF-8 sequence at p (1..4), or 0. */
static size_t utf8_len(const unsigned char *p)
{
	size_t len = *p < 0x80 ? 1 : (*p & 0xE0) == 0xC0 && *p >= 0xC2 ? 2
	             : (*p & 0xF0) == 0xE0 ? 3 : (*p & 0xF8) == 0xF0 && *p <= 0xF4 ? 4 : 0, k;

	for (k = 1; k < len; k++)
		if ((p[k] & 0xC0) != 0x80)
			return 0;
	return len;
}

/* A YAML double-quoted scalar. */
static void yaml_quoted(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	fputc('"', f);
	while (*p) {
		size_t len = utf8_len(p);
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(f, "\\x%02x", *p);
		else if (len == 0)
			fputc('?', f);
		else
			fwrite(p, 1, len, f);
		p += len ? len : 1;
	}
	fputc('"', f);
}

/* Text inside a comment: one line, UTF-8 only. */
static void comment_text(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		size_t len = utf8_len(p);
		if (len == 0 || *p < 0x20 || *p == 0x7f)
			fputc('?', f);
		else
			fwrite(p, 1, len, f);
		p += len ? len : 1;
	}
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash != NULL ? slash + 1 : path;
}

/* Periods with a calendar length (a scenario can convert an annual rate). */
static bool has_length(const char *unit)
{
	return strcmp(unit, "period") != 0;
}

/* The discount rate (an assumption) and a fixed seed, so runs repeat. */
static void discount_lines(FILE *f, const char *unit)
{
	if (has_length(unit))
		fprintf(f, "discount_rate: {annual: 0.1}   # an assumption, not from the data: edit it\n");
	else
		fprintf(f, "discount_rate: 0.1   # per period; an assumption, not from the data: edit it\n");
	fprintf(f, "seed: 42   # runs repeat; change it for other draws\n");
}

/* Load text back; a failure is a bug in this writer. */
static clv_status self_check(const char *path, const char *text, size_t len, clv_error *err)
{
	clv_error inner = {0};
	clv_scenario *s = scenario_load_buffer(path, text, len, &inner);

	if (s == NULL)
		return diag_set(err, CLV_ERR_NUMERIC, NULL, "internal error: the fitted scenario does "
		                "not load (%s); nothing written", inner.msg);
	scenario_free(s);
	return CLV_OK;
}

/* Close f, the stream of *buf (open_memstream), check the text and hand
   it over; ok false: a step before failed (err set), just free. */
static char *finish(FILE *f, char **buf, size_t *len, bool ok, const char *path,
                    clv_error *err)
{
	char *text;

	if (fclose(f) != 0 && ok)
		ok = diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory writing the scenario") == CLV_OK;
	text = *buf;
	if (ok && self_check(path, text, *len, err) != CLV_OK)
		ok = false;
	if (!ok) {
		free(text);
		return NULL;
	}
	return text;
}

/* An open_memstream, or NULL with err set. */
static FILE *text_open(char **buf, size_t *len, clv_error *err)
{
	FILE *f;

	*buf = NULL;
	*len = 0;
	f = open_memstream(buf, len);
	if (f == NULL)
		diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory writing the scenario");
	return f;
}

/* ------------------------------------------------------------------ */
/* Switching fit.                                                       */

static void markov_header(FILE *f, const fit_data *d, const fit_markov *m, const char *command)
{
	char first[32], last[32];

	fit_data_period_label(d, 0, first, sizeof first);
	fit_data_period_label(d, m->end_period, last, sizeof last);
	fprintf(f, "# Scenario fitted by clvsim fit from purchase records: switching, start shares,\n"
	           "# purchases per period and margins estimated from the data, with the estimation\n"
	           "# uncertainty as distributions (docs/fit.md).\n# data:    ");
	comment_text(f, d->path);
	fprintf(f, "\n# sha256:  %s\n", d->sha256);
	fprintf(f, "# counts:  %llu customers, %llu purchases, %llu transitions, %zu brands; %ld %ss "
	        "(%s to %s)", (unsigned long long)m->customers, (unsigned long long)m->purchases,
	        (unsigned long long)m->transitions, d->n_brands, m->periods, fit_unit_name(d->unit),
	        first, last);
	if (m->churn)
		fprintf(f, ";\n#          %llu customers lost (no purchase in the last %ld %ss)",
		        (unsigned long long)m->lost, m->churn_after, fit_unit_name(d->unit));
	fprintf(f, "\n# command: ");
	comment_text(f, command);
	fprintf(f, "\n# switching: each row is Dirichlet(counts + 1/2), the posterior under Jeffreys'"
	           " prior,\n#   so `run` draws a matrix the data allow in each replication.\n"
	           "# initial: the shares of customers' latest state, where a forecast starts.\n"
	           "# Not from the data (edit them): discount_rate; horizon = the periods the data "
	           "cover.\n");
}

static void markov_states(FILE *f, const fit_markov *m)
{
	size_t i;

	fprintf(f, "\nstates: [");
	for (i = 0; i < m->n; i++) {
		if (i)
			fputs(", ", f);
		yaml_quoted(f, m->state[i]);
	}
	fprintf(f, "]\ninitial: [");
	for (i = 0; i < m->n; i++)
		fprintf(f, "%s%.15g", i ? ", " : "", m->initial[i]);
	fprintf(f, "]   # shares of the customers' latest state\n");
}

static void markov_rows(FILE *f, const fit_markov *m)
{
	size_t i, j, n = m->n;

	fprintf(f, "switching:\n");
	for (i = 0; i < n; i++) {
		fprintf(f, "  ");
		yaml_quoted(f, m->state[i]);
		if (m->churn && i == n - 1) {
			fprintf(f, ": [");
			for (j = 0; j < n; j++)
				fprintf(f, "%s%d", j ? ", " : "", j == i);
			fprintf(f, "]   # absorbing: lost customers do not come back\n");
			continue;
		}
		fprintf(f, ": {dist: dirichlet, alpha: [");
		for (j = 0; j < n; j++)
			fprintf(f, "%s%.1f", j ? ", " : "", (double)m->count[i * n + j] + FIT_PRIOR);
		if (m->row_total[i] == 0)
			fprintf(f, "]}   # no transition seen from here: the prior alone\n");
		else
			fprintf(f, "]}   # %llu transitions\n", (unsigned long long)m->row_total[i]);
	}
}

static clv_status markov_rate(FILE *f, const fit_data *d, const fit_markov *m, clv_error *err)
{
	if (m->purchases_per_period > CLV_MAX_PURCHASES_PER_PERIOD)
		return diag_set(err, CLV_ERR_LIMIT, &d->col[FIT_COL_TIME], "%.4g purchases per %s: "
		                "more than the %.0f a scenario allows; choose a shorter --period",
		                m->purchases_per_period, fit_unit_name(d->unit),
		                CLV_MAX_PURCHASES_PER_PERIOD);
	if (m->purchases_whole > 0)
		fprintf(f, "purchases_per_period: %ld   # every customer-%s held exactly this many\n",
		        m->purchases_whole, fit_unit_name(d->unit));
	else
		fprintf(f, "purchases_per_period: {dist: poisson, mean: %.10g}   # over %llu "
		        "customer-%ss\n", m->purchases_per_period, (unsigned long long)m->exposure,
		        fit_unit_name(d->unit));
	return CLV_OK;
}

static void markov_margins(FILE *f, const fit_data *d, const fit_markov *m, const fit_options *o)
{
	double rate = o->has_margin_rate ? o->margin_rate : 1.0;
	size_t i;

	fprintf(f, "margin:\n");
	for (i = 0; i < m->n; i++) {
		double mean = m->spend_mean[i] * rate, sd = m->spend_se[i] * rate;
		fprintf(f, "  ");
		yaml_quoted(f, m->state[i]);
		if (i >= d->n_brands)
			fprintf(f, ": 0\n");
		else if (!d->has_amount)
			fprintf(f, ": 1   # no amount column: one money unit per purchase; set your margin\n");
		else if (m->spend_n[i] == 0)
			fprintf(f, ": 0   # no purchase of this brand in the fit\n");
		else if (sd > 0)
			fprintf(f, ": {dist: normal, mean: %.10g, sd: %.10g}   # mean spend %.10g (se "
			        "%.4g, %llu purchases) x margin rate %g\n", mean, sd, m->spend_mean[i],
			        m->spend_se[i], (unsigned long long)m->spend_n[i], rate);
		else
			fprintf(f, ": %.10g   # mean spend %.10g (%llu purchases) x margin rate %g\n", mean,
			        m->spend_mean[i], (unsigned long long)m->spend_n[i], rate);
	}
}

char *fit_scenario_markov(const fit_data *d, const fit_markov *m, const fit_options *o,
                          const char *command, const char *path, clv_error *err)
{
	char *buf, *name;
	size_t len;
	FILE *f = text_open(&buf, &len, err);
	bool ok;

	if (f == NULL)
		return NULL;
	markov_header(f, d, m, command);
	name = diag_strdupf("Fitted from %s", base_name(d->path));
	fprintf(f, "name: ");
	yaml_quoted(f, name != NULL ? name : "Fitted scenario");
	free(name);
	markov_states(f, m);
	markov_rows(f, m);
	ok = markov_rate(f, d, m, err) == CLV_OK;
	markov_margins(f, d, m, o);
	fprintf(f, "period: %s\nhorizon: %ld   # the periods the data cover\n", fit_unit_name(d->unit),
	        m->periods);
	discount_lines(f, fit_unit_name(d->unit));
	return finish(f, &buf, &len, ok, path, err);
}

/* ------------------------------------------------------------------ */
/* Survival fit.                                                        */

char *fit_scenario_sbg(const fit_cohort *c, const fit_sbg *s, const char *unit,
                       const char *command, const char *path, clv_error *err)
{
	char *buf, *name;
	size_t len;
	FILE *f = text_open(&buf, &len, err);

	if (f == NULL)
		return NULL;
	fprintf(f, "# Scenario fitted by clvsim fit --survival: a contractual cohort's retention by "
	           "the\n# shifted-beta-geometric model (Fader and Hardie 2007), docs/fit.md.\n"
	           "# data:    ");
	comment_text(f, c->path);
	fprintf(f, "\n# sha256:  %s\n# counts:  a cohort of %.0f, %ss 0 to %zu, %.0f alive at the "
	        "end\n# command: ", c->sha256, c->alive[0], unit, c->n - 1, c->alive[c->n - 1]);
	comment_text(f, command);
	fprintf(f, "\n# churn probability ~ Beta(a = %.6g, b = %.6g), se %.3g and %.3g, "
	        "log-likelihood %.4f;\n#   retention r = 1 - churn ~ Beta(%.6g, %.6g): the beta's a "
	        "below is the sBG's b, its b the sBG's a.\n"
	        "# Each customer draws its retention once (per: customer): the Monte Carlo share of\n"
	        "#   `active` in `run` follows the sBG survival curve; `exact` takes retention at "
	        "its\n#   mean b / (a + b) = %.4f for everyone, so its shares fall faster.\n"
	        "# Not from the data (edit them): margin (1 per active %s), discount_rate, horizon.\n",
	        s->a, s->b, s->se_a, s->se_b, s->loglik, s->b, s->a, s->b / (s->a + s->b), unit);
	name = diag_strdupf("Retention fitted from %s", base_name(c->path));
	fprintf(f, "name: ");
	yaml_quoted(f, name != NULL ? name : "Fitted retention");
	free(name);
	fprintf(f, "\nstates: [active, lost]\ninitial: [1, 0]\nswitching:\n"
	           "  active: [0, 1]   # P(active -> active) is the retention below\n"
	           "  lost: [0, 1]\nretention:\n"
	           "  active: {dist: beta, a: %.10g, b: %.10g, per: customer}\n", s->b, s->a);
	fprintf(f, "margin: {active: 1, lost: 0}\nperiod: %s\nhorizon: %zu   # the cohort's "
	        "periods\n", unit, c->n - 1);
	discount_lines(f, unit);
	return finish(f, &buf, &len, true, path, err);
}

/* ------------------------------------------------------------------ */

clv_status fit_scenario_write(const char *path, const char *text, clv_error *err)
{
	const char *slash = strrchr(path, '/');
	char *dir = slash != NULL ? strndup(path, (size_t)(slash - path + (slash == path))) : NULL;
	const char *name = slash != NULL ? slash + 1 : path;
	outfile *o;
	clv_status rc;

	if (name[0] == '\0') {
		free(dir);
		return diag_set(err, CLV_ERR_USAGE, NULL, "--out %s: a file name is needed, not a folder",
		                path);
	}
	if (slash != NULL && dir == NULL)
		return diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory");
	if (dir != NULL && outfile_make_dir(dir, err) != CLV_OK) {
		free(dir);
		return err->status;
	}
	o = outfile_open(dir, name, err);
	free(dir);
	if (o == NULL)
		return err->status;
	fputs(text, outfile_stream(o));
	rc = outfile_commit(o, err);
	return rc;
}
