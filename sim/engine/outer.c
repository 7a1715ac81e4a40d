/*
 * outer.c - stage engine: the outer design's columns, their identities
 * and the replication values drawn from them (contract in outer.h).
 */
#include "engine/outer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/dist.h"
#include "base/rng.h"

/* Correlation pairs passed to the design at most. */
#define OUTER_MAX_CORRELATIONS 64

/* Name column col of d "prefix + name", with its key. */
static int name_column(outer_design *d, size_t col, const char *prefix, const char *name)
{
	d->col_name[col] = diag_strdupf("%s%s", prefix, name ? name : "");
	if (d->col_name[col] == NULL)
		return -1;
	d->col_key[col] = rng_key(d->col_name[col]);
	return 0;
}

/* Part p's columns from col0 on: per-replication assumptions, then
   Dirichlet rows; names and keys into d. */
static int part_init(outer_design *d, outer_part *p, size_t col0)
{
	const clv_scenario *s = p->s;
	size_t k, i, j, col = col0;
	char name[512];
	int bad = 0;

	p->col0 = col0;
	p->col = malloc((p->means->n_params + 1) * sizeof *p->col);
	p->key = malloc((p->means->n_params + 1) * sizeof *p->key);
	if (p->col == NULL || p->key == NULL)
		return -1;
	for (k = 0; k < p->means->n_params; k++) {
		const clv_param *q = p->means->params[k];
		snprintf(name, sizeof name, "%s%s", p->prefix, q->label ? q->label : "");
		p->key[k] = rng_key(name);
		p->col[k] = dist_is_per_replication(q) ? col++ : SIZE_MAX;
		if (p->col[k] != SIZE_MAX && d != NULL)
			bad |= name_column(d, p->col[k], p->prefix, q->label);
	}
	p->dir_col = col;
	for (i = 0; i < s->n; i++) {
		if (!s->switching[i].dirichlet)
			continue;
		for (j = 0; j < s->n; j++, col++) {
			snprintf(name, sizeof name, "switching.%s.%s", s->states[i], s->states[j]);
			if (d != NULL)
				bad |= name_column(d, col, p->prefix, name);
		}
	}
	p->n_cols = col - col0;
	return bad;
}

/* The number of columns of one population (for the allocation). */
static size_t count_columns(const clv_scenario *s, const model_values *means)
{
	size_t k, i, cols = 0;

	for (k = 0; k < means->n_params; k++)
		cols += dist_is_per_replication(means->params[k]);
	for (i = 0; i < s->n; i++)
		cols += s->switching[i].dirichlet ? s->n : 0;
	return cols;
}

clv_status outer_design_init(outer_design *d, const clv_scenario *s,
                             const model_values *const *means, clv_error *err)
{
	size_t k, col = 0, total = 0;
	int bad = 0;

	memset(d, 0, sizeof *d);
	d->n_parts = s->n_segments ? s->n_segments : 1;
	d->part = calloc(d->n_parts, sizeof *d->part);
	if (d->part == NULL)
		return diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory");
	for (k = 0; k < d->n_parts; k++) {
		d->part[k].s = s->n_segments ? s->segments[k] : s;
		d->part[k].means = means[k];
		if (s->n_segments)
			snprintf(d->part[k].prefix, sizeof d->part[k].prefix, "segments.%s.",
			         s->segment_name[k]);
		total += count_columns(d->part[k].s, means[k]);
	}
	d->col_key = malloc((total + 1) * sizeof *d->col_key);
	d->col_name = calloc(total + 1, sizeof *d->col_name);
	if (d->col_key == NULL || d->col_name == NULL)
		return diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory");
	d->n_cols = total; /* so that a half-built design is freed whole */
	for (k = 0; k < d->n_parts && !bad; k++) {
		bad |= part_init(d, &d->part[k], col);
		col += d->part[k].n_cols;
	}
	return bad ? diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory") : CLV_OK;
}

void outer_design_clear(outer_design *d)
{
	size_t k;

	if (d->part != NULL)
		for (k = 0; k < d->n_parts; k++) {
			free(d->part[k].col);
			free(d->part[k].key);
		}
	if (d->col_name != NULL)
		for (k = 0; k < d->n_cols; k++)
			free(d->col_name[k]);
	free(d->part);
	free(d->col_key);
	free(d->col_name);
	memset(d, 0, sizeof *d);
}

/* Part p's correlations as design columns, appended to corr[*n..]. */
static clv_status part_pairs(const outer_part *p, sample_corr *corr, size_t *n, clv_error *err)
{
	const clv_scenario *s = p->s;
	size_t k, j;

	for (k = 0; k < s->n_correlations && *n < OUTER_MAX_CORRELATIONS; k++) {
		size_t a = SIZE_MAX, b = SIZE_MAX;
		for (j = 0; j < p->means->n_params; j++) {
			const char *label = p->means->params[j]->label;
			if (label && strcmp(label, s->correlations[k].a) == 0)
				a = p->col[j];
			if (label && strcmp(label, s->correlations[k].b) == 0)
				b = p->col[j];
		}
		if (a == SIZE_MAX || b == SIZE_MAX)
			return diag_set(err, CLV_ERR_INPUT, &s->correlations[k].pos,
			                "correlation between \"%s\" and \"%s\": both must be uncertain "
			                "assumptions drawn per replication", s->correlations[k].a,
			                s->correlations[k].b);
		corr[(*n)++] = (sample_corr){a, b, s->correlations[k].rho};
	}
	return CLV_OK;
}

clv_status outer_design_sample(const outer_design *d, uint64_t reps, sample_method method,
                               uint64_t seed, double *u, clv_error *err)
{
	sample_corr corr[OUTER_MAX_CORRELATIONS];
	size_t n_corr = 0, k;
	clv_status rc = CLV_OK;

	if (d->n_cols == 0)
		return CLV_OK;
	for (k = 0; k < d->n_parts && rc == CLV_OK; k++)
		rc = part_pairs(&d->part[k], corr, &n_corr, err);
	if (rc != CLV_OK)
		return rc;
	return sample_design(u, reps, d->n_cols, d->col_key, method, seed, corr, n_corr, err);
}

void outer_part_draw(const outer_part *p, const double *row, model_values *v)
{
	size_t k, i, n = p->s->n, col = p->dir_col;

	for (k = 0; k < v->n_params; k++)
		if (p->col[k] != SIZE_MAX)
			v->param[k] = dist_quantile(v->params[k], row[p->col[k]]);
	for (i = 0; i < n; i++) {
		if (!p->s->switching[i].dirichlet)
			continue;
		dist_dirichlet_quantile(p->s->switching[i].alpha, n, row + col, v->dirichlet + i * n);
		col += n;
	}
}

void outer_part_record(const outer_part *p, const model_values *v, double *row)
{
	size_t k, i, n = p->s->n, col = p->dir_col;

	for (k = 0; k < v->n_params; k++)
		if (p->col[k] != SIZE_MAX)
			row[p->col[k]] = v->param[k];
	for (i = 0; i < n; i++) {
		if (!p->s->switching[i].dirichlet)
			continue;
		memcpy(row + col, v->dirichlet + i * n, n * sizeof *row);
		col += n;
	}
}

void outer_part_apply(const outer_part *p, const double *row, model_values *v)
{
	size_t k, i, n = p->s->n, col = p->dir_col;

	for (k = 0; k < v->n_params; k++)
		if (p->col[k] != SIZE_MAX)
			v->param[k] = row[p->col[k]];
	for (i = 0; i < n; i++) {
		if (!p->s->switching[i].dirichlet)
			continue;
		memcpy(v->dirichlet + i * n, row + col, n * sizeof *row);
		col += n;
	}
}
