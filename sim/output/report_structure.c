/*
 * report_structure.c - the chain's structure as JSON and text (output
 * stage; layout in report_structure.h).
 */
#include "output/report_structure.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "engine/model.h"
#include "output/report.h"

#define CLASS_NAMES_SHOWN 8 /* states named in "{A, B, ...}" */
#define TEXT_MATRIX_MAX 8   /* transient states up to which N is printed */

char *report_class_name(const clv_scenario *s, const structure_result *st, size_t c)
{
	const structure_class *cl = &st->classes[c];
	size_t k, len = 16;
	char *name;

	for (k = 0; k < cl->size && k < CLASS_NAMES_SHOWN; k++)
		len += strlen(s->states[cl->states[k]]) + 2;
	name = malloc(len + 32);
	if (name == NULL)
		return NULL;
	strcpy(name, "{");
	for (k = 0; k < cl->size && k < CLASS_NAMES_SHOWN; k++) {
		if (k > 0)
			strcat(name, ", ");
		strcat(name, s->states[cl->states[k]]);
	}
	if (cl->size > CLASS_NAMES_SHOWN)
		sprintf(name + strlen(name), ", ... (%zu states)", cl->size);
	strcat(name, "}");
	return name;
}

/* "{A} and {D, E}" style list of the closed (closed = true) or the
   periodic classes, with " (period k)" after periodic ones. */
static char *class_list(const clv_scenario *s, const structure_result *st, bool periodic)
{
	char *out = strdup(""), *name, *grown;
	size_t c, shown = 0, total = 0;

	for (c = 0; c < st->n_classes; c++)
		total += st->classes[c].closed && (!periodic || st->classes[c].period > 1);
	for (c = 0; c < st->n_classes && out != NULL; c++) {
		const structure_class *cl = &st->classes[c];
		if (!cl->closed || (periodic && cl->period <= 1))
			continue;
		name = report_class_name(s, st, c);
		shown++;
		grown = name == NULL ? NULL : periodic
			? diag_strdupf("%s%s%s (period %ld)", out, shown == 1 ? "" : shown == total ? " and " : ", ",
			               name, cl->period)
			: diag_strdupf("%s%s%s", out, shown == 1 ? "" : shown == total ? " and " : ", ", name);
		free(name);
		free(out);
		out = grown;
	}
	return out;
}

/* "0.3115 in {A}, 0.6885 in {D, E}". */
static char *weight_list(const clv_scenario *s, const structure_result *st)
{
	char *out = strdup(""), *name, *grown;
	size_t c, shown = 0;

	for (c = 0; c < st->n_classes && out != NULL; c++) {
		if (!st->classes[c].closed)
			continue;
		name = report_class_name(s, st, c);
		grown = name == NULL ? NULL : diag_strdupf("%s%s%.4f in %s", out, shown++ ? ", " : "",
		                                           st->class_weight[c], name);
		free(name);
		free(out);
		out = grown;
	}
	return out;
}

int report_structure_warnings(const clv_scenario *s, const structure_result *st, char *out[2])
{
	int k = 0;
	char *a = NULL, *b = NULL;

	if (st->n_closed > 1) {
		a = class_list(s, st, false);
		b = weight_list(s, st);
		out[k] = a && b ? diag_strdupf(
			"the chain has %zu closed classes (%s): where a customer ends up depends on "
			"where it starts, so the steady state depends on the starting shares (from these "
			"starting shares: %s)", st->n_closed, a, b) : NULL;
		free(a);
		free(b);
		if (out[k++] == NULL)
			return -1;
	}
	if (st->periodic) {
		a = class_list(s, st, true);
		out[k] = a ? diag_strdupf(
			"the chain is periodic: %s: the shares keep cycling and never settle, so the "
			"steady state is the long-run average over purchases (the Cesaro limit), not a "
			"value the shares reach", a) : NULL;
		free(a);
		if (out[k++] == NULL) {
			if (k == 2)
				free(out[0]);
			return -1;
		}
	}
	return k;
}

static json_t *name_list(const clv_scenario *s, const size_t *idx, size_t count)
{
	json_t *a = json_array();
	size_t k;

	for (k = 0; k < count; k++)
		json_array_append_new(a, json_string(s->states[idx[k]]));
	return a;
}

static json_t *classes_json(const clv_scenario *s, const structure_result *st)
{
	json_t *list = json_array(), *stationary = json_array(), *weights = json_array();
	size_t c;

	for (c = 0; c < st->n_classes; c++) {
		const structure_class *cl = &st->classes[c];
		json_t *o = json_object();
		json_object_set_new(o, "states", name_list(s, cl->states, cl->size));
		json_object_set_new(o, "closed", json_boolean(cl->closed));
		json_object_set_new(o, "period", cl->period > 0 ? json_integer(cl->period) : json_null());
		json_array_append_new(list, o);
		if (cl->closed) {
			json_array_append_new(stationary,
			                      report_json_by_name(s->states, s->n, cl->stationary, false));
			json_array_append_new(weights, report_json_number(st->class_weight[c]));
		}
	}
	return json_pack("{s:o, s:o, s:o}", "classes", list, "stationary", stationary,
	                 "closed_class_weights", weights);
}

/* {TRANSIENT: {COLUMN: M[i][j]}} for a transient x cols matrix. */
static json_t *matrix_json(const clv_scenario *s, const structure_result *st, const double *M,
                           const size_t *cols, size_t n_cols)
{
	json_t *o = json_object();
	size_t i, j;

	for (i = 0; i < st->n_transient; i++) {
		json_t *row = json_object();
		for (j = 0; j < n_cols; j++)
			json_object_set_new(row, s->states[cols[j]], report_json_number(M[i * n_cols + j]));
		json_object_set_new(o, s->states[st->transient[i]], row);
	}
	return o;
}

static json_t *warnings_json(const clv_scenario *s, const structure_result *st)
{
	json_t *a = json_array();
	char *w[2];
	int k, count = report_structure_warnings(s, st, w);

	for (k = 0; k < count; k++) {
		json_array_append_new(a, json_string(w[k]));
		free(w[k]);
	}
	return a;
}

json_t *report_json_structure(const clv_scenario *s, const structure_result *st,
                              bool offers_forever)
{
	json_t *o = json_object(), *classes = classes_json(s, st), *periods = json_object();
	size_t i;

	if (o == NULL || classes == NULL) {
		json_decref(o);
		json_decref(classes);
		json_decref(periods);
		return NULL;
	}
	json_object_set_new(o, "matrix", json_string(offers_forever ? "switching while offers run"
	                                                            : "switching"));
	json_object_update(o, classes);
	json_decref(classes);
	json_object_set_new(o, "absorbing", name_list(s, st->absorbing, st->n_absorbing));
	json_object_set_new(o, "transient", name_list(s, st->transient, st->n_transient));
	for (i = 0; i < st->n_transient; i++)
		json_object_set_new(periods, s->states[st->transient[i]],
		                    report_json_number(st->to_absorption[i]));
	json_object_set_new(o, "expected_periods_to_absorption", periods);
	json_object_set_new(o, "absorption_probabilities",
	                    matrix_json(s, st, st->absorption, st->recurrent, st->n_recurrent));
	json_object_set_new(o, "fundamental_matrix",
	                    matrix_json(s, st, st->fundamental, st->transient, st->n_transient));
	json_object_set_new(o, "warnings", warnings_json(s, st));
	return o;
}

/* The block of one scenario without segments; NULL on failure. */
static json_t *chain_of(clv_scenario *s)
{
	clv_error err = {0};
	clv_model *m = model_at_means(s, &err);
	structure_result *st = m ? structure_of_model(m, &err) : NULL;
	json_t *o = st ? report_json_structure(s, st, m->offer_periods == LONG_MAX) : NULL;

	structure_free(st);
	model_free(m);
	return o;
}

json_t *report_json_chain(clv_scenario *s)
{
	json_t *segs, *one;
	size_t k;

	if (s->n_segments == 0) {
		one = chain_of(s);
		return one ? one : json_null();
	}
	segs = json_object();
	for (k = 0; k < s->n_segments; k++) {
		one = chain_of(s->segments[k]);
		if (one == NULL) {
			json_decref(segs);
			return json_null();
		}
		json_object_set_new(segs, s->segment_name[k], one);
	}
	return json_pack("{s:o}", "segments", segs);
}

/* ------------------------------------------------------------------ */
/* Text.                                                               */

void report_text_wrapped(FILE *f, const char *first, const char *indent, const char *text,
                         size_t width)
{
	size_t col = strlen(first), len;
	bool line_start = true;
	const char *p;

	fputs(first, f);
	for (p = text; *p != '\0'; p += len) {
		while (*p == ' ')
			p++;
		len = strcspn(p, " ");
		if (len == 0)
			break;
		if (!line_start && col + 1 + len > width) {
			fprintf(f, "\n%s", indent);
			col = strlen(indent);
			line_start = true;
		}
		if (!line_start) {
			fputc(' ', f);
			col++;
		}
		fwrite(p, 1, len, f);
		col += len;
		line_start = false;
	}
	fputc('\n', f);
}

static void text_classes(FILE *f, const clv_scenario *s, const structure_result *st)
{
	size_t c, k;
	bool never = false;

	fprintf(f, "%8s  %-6s  %6s  %s\n", "class", "closed", "period", "states");
	for (c = 0; c < st->n_classes; c++) {
		const structure_class *cl = &st->classes[c];
		fprintf(f, "%8zu  %-6s  ", c + 1, cl->closed ? "yes" : "no");
		if (cl->period > 0)
			fprintf(f, "%6ld  ", cl->period);
		else
			fprintf(f, "%6s  ", "-");
		never |= cl->period == 0;
		for (k = 0; k < cl->size; k++)
			fprintf(f, "%s%s", k ? ", " : "", s->states[cl->states[k]]);
		fputc('\n', f);
	}
	if (never)
		fprintf(f, "(period -: a state the chain never comes back to)\n");
}

static void text_state_list(FILE *f, const char *what, const clv_scenario *s, const size_t *idx,
                            size_t count, const char *none)
{
	size_t k;

	fprintf(f, "%s: ", what);
	if (count == 0)
		fputs(none, f);
	for (k = 0; k < count; k++)
		fprintf(f, "%s%s", k ? ", " : "", s->states[idx[k]]);
	fputc('\n', f);
}

static void text_stationary(FILE *f, const clv_scenario *s, const structure_result *st)
{
	size_t c, k;

	fprintf(f, "Stationary distribution of each closed class (pi = pi P, entries sum to 1):\n");
	for (c = 0; c < st->n_classes; c++) {
		const structure_class *cl = &st->classes[c];
		if (!cl->closed)
			continue;
		fprintf(f, "  class %zu:", c + 1);
		for (k = 0; k < cl->size; k++)
			fprintf(f, "%s %s %.6f", k ? "," : "", s->states[cl->states[k]],
			        cl->stationary[cl->states[k]]);
		fputc('\n', f);
	}
}

/* A transient x cols matrix as a table (cols <= TEXT_MATRIX_MAX). */
static void text_matrix(FILE *f, const clv_scenario *s, const structure_result *st,
                        const double *M, const size_t *cols, size_t n_cols)
{
	size_t i, j;

	fprintf(f, "  %-14s", "from");
	for (j = 0; j < n_cols; j++)
		fprintf(f, " %12.12s", s->states[cols[j]]);
	fputc('\n', f);
	for (i = 0; i < st->n_transient; i++) {
		fprintf(f, "  %-14.14s", s->states[st->transient[i]]);
		for (j = 0; j < n_cols; j++)
			fprintf(f, " %12.6f", M[i * n_cols + j]);
		fputc('\n', f);
	}
}

static void text_absorption(FILE *f, const clv_scenario *s, const structure_result *st,
                            const clv_model *m)
{
	const char *unit = report_period_unit(s);
	size_t i;

	fprintf(f, "Expected %ss before entering a closed class, counting the current one "
	           "(N 1, N = (I - Q)^-1)", unit);
	if (m->poisson || m->purchases != 1.0)
		fprintf(f, ", with %g purchases a %s%s", m->purchases, unit, m->poisson ? " on average" : "");
	fprintf(f, ":\n");
	for (i = 0; i < st->n_transient; i++)
		fprintf(f, "  %-14.14s %12.6f\n", s->states[st->transient[i]], st->to_absorption[i]);
	if (st->n_recurrent > TEXT_MATRIX_MAX || st->n_transient > TEXT_MATRIX_MAX) {
		fprintf(f, "(absorption probabilities and N: --format json)\n");
		return;
	}
	fprintf(f, "Absorption probabilities (N R: the state of the first %s in a closed class):\n",
	        unit);
	text_matrix(f, s, st, st->absorption, st->recurrent, st->n_recurrent);
	fprintf(f, "Fundamental matrix N (expected %ss spent in each transient state):\n", unit);
	text_matrix(f, s, st, st->fundamental, st->transient, st->n_transient);
}

void report_text_structure(FILE *f, const clv_scenario *s, const structure_result *st,
                           const clv_model *m)
{
	char *w[2];
	int k, count;

	fprintf(f, "\nChain structure (the switching matrix%s, one step per purchase)\n",
	        m->offer_periods == LONG_MAX ? " while the offers run, as they always do" : "");
	text_classes(f, s, st);
	text_state_list(f, "Absorbing states", s, st->absorbing, st->n_absorbing, "none");
	text_state_list(f, "Transient states", s, st->transient, st->n_transient,
	                "none (every state is recurrent)");
	text_stationary(f, s, st);
	if (st->n_transient > 0)
		text_absorption(f, s, st, m);
	count = report_structure_warnings(s, st, w);
	for (k = 0; k < count; k++) {
		char *line = diag_strdupf("%s.", w[k]);
		report_text_wrapped(f, "Warning: ", "  ", line ? line : w[k], 78);
		free(line);
		free(w[k]);
	}
}

static clv_status text_chain_of(FILE *f, clv_scenario *s, const char *segment, clv_error *err)
{
	clv_model *m = model_at_means(s, err);
	structure_result *st = m ? structure_of_model(m, err) : NULL;
	clv_status rc = st != NULL ? CLV_OK : err->status;

	if (st != NULL) {
		if (segment != NULL)
			fprintf(f, "\nSegment %s:", segment);
		report_text_structure(f, s, st, m);
	}
	structure_free(st);
	model_free(m);
	return rc;
}

clv_status report_text_chain(FILE *f, clv_scenario *s, clv_error *err)
{
	clv_status rc = CLV_OK;
	size_t k;

	if (s->n_segments == 0)
		return text_chain_of(f, s, NULL, err);
	for (k = 0; k < s->n_segments && rc == CLV_OK; k++)
		rc = text_chain_of(f, s->segments[k], s->segment_name[k], err);
	return rc;
}
