/*
 * sweep_point.c - the what-if stage: a sweep's grid point as a scenario
 * (whatif_sweep_point_copy, whatif_internal.h): the copy every method of
 * a sweep evaluates (sweep.c, sweep_exact.c, sweep_vs.c), with the keys
 * set to the point's values and their correlations dropped (a fixed
 * number has no rank to correlate).
 */
#include "scenario/scenario.h"
#include "whatif/whatif_internal.h"

clv_scenario *whatif_sweep_point_copy(const whatif_sweep *w, const clv_scenario *given, size_t p,
                                      clv_error *err)
{
	clv_scenario *s = scenario_copy(given, err);
	size_t a, k;

	for (a = 0; s != NULL && a < w->n_axes; a++) {
		if (scenario_set_number(s, w->axis[a].key, w->x[p * w->n_axes + a], err) != CLV_OK) {
			scenario_free(s);
			return NULL;
		}
		for (k = 0; k <= s->n_segments; k++)
			scenario_drop_correlations(k < s->n_segments ? s->segments[k] : s, w->axis[a].key);
	}
	return s;
}
