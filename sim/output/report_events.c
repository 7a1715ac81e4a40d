/*
 * report_events.c - stage output: event probabilities as text and JSON
 * (layout in report_events.h). The probabilities and their se come from
 * the engine (engine/mc_figures.c): P(CLV < 0) and P(total > 0) are means
 * of indicators over customers, with the se of the run's method; the
 * share event is a fraction of independent replications.
 */
#include "output/report_events.h"

#include <math.h>

#include "base/dist.h"
#include "engine/mc_figures.h"
#include "output/report.h"

double report_initial_share(const clv_scenario *s, size_t i)
{
	double v = 0.0;
	size_t k;

	if (s->n_segments == 0)
		return s->initial[i];
	for (k = 0; k < s->n_segments; k++)
		v += s->segment_weight[k] * s->segments[k]->initial[i];
	return v;
}

bool report_has_acquisition(const clv_scenario *s)
{
	size_t k;

	for (k = 0; k < s->n_segments; k++)
		if (report_has_acquisition(s->segments[k]))
			return true;
	return dist_is_uncertain(&s->acquisition) || s->acquisition.a != 0.0;
}

void report_events_json_clv(json_t *clv, const clv_scenario *s, const double *p,
                            const double *se)
{
	size_t i;

	for (i = 0; i <= s->n && p != NULL; i++) { /* none after --mode aggregate */
		json_t *o = json_object_get(clv, i < s->n ? s->states[i] : "total");
		if (o == NULL)
			continue;
		json_object_set_new(o, "p_negative", report_json_number(p[i]));
		json_object_set_new(o, "p_negative_se", report_json_number(se[i]));
	}
}

void report_events_json(json_t *mc, const clv_scenario *s, const mc_result *r)
{
	json_t *falls = json_object(), *falls_se = json_object();
	size_t i;

	report_events_json_clv(json_object_get(mc, "clv"), s, r->p_negative, r->p_negative_se);
	for (i = 0; i < s->n; i++) {
		double se, p = mc_p_share_falls(r, i, report_initial_share(s, i), &se);
		json_object_set_new(falls, s->states[i], report_json_number(p));
		json_object_set_new(falls_se, s->states[i], report_json_number(se));
	}
	json_object_set_new(mc, "p_share_falls", falls);
	json_object_set_new(mc, "p_share_falls_se", falls_se);
	if (report_has_acquisition(s) && r->p_negative != NULL) {
		json_object_set_new(mc, "p_exceeds_acquisition",
		                    report_json_number(r->p_exceeds_acquisition));
		json_object_set_new(mc, "p_exceeds_acquisition_se",
		                    report_json_number(r->p_exceeds_acquisition_se));
	}
}

/* One "name p (se)" item of a list, wrapped before 88 columns. */
static void item(FILE *f, int *col, bool first, const char *name, double p, double se)
{
	char buf[160];
	int len = snprintf(buf, sizeof buf, "%s %.4f (%.4f)", name, p, se);

	if (!first && *col + len + 2 > 88) {
		fputs(",\n ", f);
		*col = 1;
	} else if (!first) {
		fputs(", ", f);
		*col += 2;
	}
	fputs(buf, f);
	*col += len;
}

void report_events_text(FILE *f, const clv_scenario *s, const mc_result *r)
{
	size_t i;
	int col;

	if (r->p_negative != NULL) { /* none after --mode aggregate: no single customers */
		col = fprintf(f, "\nP(a customer's CLV < 0), se in brackets: ") - 1;
		for (i = 0; i <= s->n; i++)
			item(f, &col, i == 0, i < s->n ? s->states[i] : "total", r->p_negative[i],
			     r->p_negative_se[i]);
		fputc('\n', f);
	} else
		fputc('\n', f);
	if (report_has_acquisition(s) && r->p_negative != NULL)
		fprintf(f, "P(a customer's CLV before acquisition exceeds the acquisition cost) = %.4f "
		           "(se %.4f)\n", r->p_exceeds_acquisition, r->p_exceeds_acquisition_se);
	col = fprintf(f, "P(share at %s %ld below the share at 0), of %llu replications: ",
	              report_period_unit(s), r->periods, (unsigned long long)r->replications);
	for (i = 0; i < s->n; i++) {
		double se, p = mc_p_share_falls(r, i, report_initial_share(s, i), &se);
		item(f, &col, i == 0, s->states[i], p, se);
	}
	fputc('\n', f);
}
