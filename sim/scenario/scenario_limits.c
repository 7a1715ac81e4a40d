/*
 * scenario_limits.c - stage scenario: the rules the engines and the
 * what-ifs rely on beyond well-formed keys, checked when a scenario is
 * validated (scenario_validate calls scenario_check_limits), so that
 * `check` refuses, with FILE:LINE:COLUMN and the numbers, everything
 * `exact`, `run` and the what-ifs would refuse or get wrong later:
 *
 *   - a Dirichlet row's concentration: every alpha >= 0.001 and their
 *     sum <= 1e5, the range of the beta shapes (dist.h); beyond it GSL's
 *     beta inverse (the tornado's marginal of the diagonal) may never end.
 */
#include <math.h>
#include <stdio.h>

#include "base/dist.h"
#include "scenario/scenario.h"
#include "scenario/scenario_internal.h"

static clv_status check_concentration(const clv_scenario *s, size_t i, clv_error *err)
{
	const clv_row *r = &s->switching[i];
	double sum = 0.0;
	size_t j;

	for (j = 0; j < s->n; j++) {
		if (r->alpha[j] < DIST_BETA_SHAPE_MIN)
			return diag_set(err, CLV_ERR_INPUT, &r->pos, "switching row \"%s\": dirichlet "
			                "alpha for \"%s\" = %.10g is below the limit of %g", s->states[i],
			                s->states[j], r->alpha[j], DIST_BETA_SHAPE_MIN);
		sum += r->alpha[j];
	}
	if (sum > DIST_BETA_SHAPE_MAX)
		return diag_set(err, CLV_ERR_INPUT, &r->pos, "switching row \"%s\": the dirichlet "
		                "alphas sum to %.10g, over the limit of %g (a concentration that "
		                "high is as good as fixed: write the row as numbers, alpha / sum)",
		                s->states[i], sum, DIST_BETA_SHAPE_MAX);
	return CLV_OK;
}

clv_status scenario_check_limits(const clv_scenario *s, clv_error *err)
{
	clv_status rc = CLV_OK;
	size_t i;

	for (i = 0; i < s->n && rc == CLV_OK; i++)
		if (s->switching[i].dirichlet)
			rc = check_concentration(s, i, err);
	return rc;
}
