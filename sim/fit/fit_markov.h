/*
 * fit_markov.h - the brand-switching chain estimated from purchase
 * records: counts of consecutive purchases, maximum-likelihood switching
 * matrix with 95% intervals, the state a forecast starts from, purchases
 * per period, spend per brand, and the tests of its two assumptions (the
 * Markov property, time homogeneity). Stage: fit.
 *
 * Definitions (docs/fit.md has them with a worked example):
 *  - transitions: each pair of consecutive purchases of one customer (in
 *    the order of fit_data: date, then file order), i -> j;
 *  - churn (--churn-after K): a customer whose last purchase lies K or
 *    more periods before the data's last period makes one more transition,
 *    into the absorbing state `lost`;
 *  - estimate: count / row total (the maximum-likelihood estimate);
 *    interval: the 2.5% and 97.5% quantiles of the entry's Beta marginal
 *    under the Dirichlet posterior with Jeffreys' prior 1/2 per entry,
 *    Beta(c + 1/2, N - c + (n - 1)/2) (n states in the row), with the
 *    lower end 0 when c = 0 and the upper end 1 when c = N (the modified
 *    Jeffreys interval of Brown, Cai and DasGupta 2001);
 *  - initial: the shares of customers' latest state (latest purchase, or
 *    `lost`): the state a forecast starts from;
 *  - purchases per period: purchases after each customer's first period /
 *    periods after it up to the data's end (for a churned customer: up to
 *    its last purchase);
 *  - loglik: sum over entries of count * ln(estimate), the transitions'
 *    log-likelihood at the estimate.
 */
#ifndef CLV_FIT_MARKOV_H
#define CLV_FIT_MARKOV_H

#include <stdbool.h>
#include <stdint.h>

#include "clvsim.h"
#include "base/diag.h"
#include "fit/fit_data.h"

/* The Dirichlet prior per entry (Jeffreys). */
#define FIT_PRIOR 0.5

typedef struct fit_options {
	fit_unit unit;          /* --period (dates: default month) */
	bool unit_given;
	long churn_after;       /* --churn-after K; 0 = no lost state */
	double margin_rate;     /* --margin-rate (default 1) */
	bool has_margin_rate;
	bool has_holdout;
	int64_t holdout;        /* --holdout as a time: day number or period */
	char holdout_text[32];  /* as written */
} fit_options;

/* Every customer's purchases as states, in order (churned ones end with
   `lost`). */
typedef struct fit_seq {
	size_t n;            /* customers with a purchase in the fit */
	size_t *off;         /* n + 1: customer k's entries are off[k]..off[k+1]-1 */
	uint32_t *state;     /* per entry */
	long *period;        /* per entry (`lost`: its customer's last period) */
	const fit_record **rec; /* per entry; NULL for `lost` */
	uint32_t *customer;  /* n: the customer's rank in fit_data */
	bool *lost;          /* n: the customer moved to `lost` */
} fit_seq;

/* A likelihood-ratio (G) test against a chi-square with df degrees of
   freedom, counting only cells that can be estimated. */
typedef struct fit_test {
	double statistic;    /* G = 2 sum n ln(fitted ratio) */
	long df;
	double p_value;      /* NaN when df = 0 (nothing to compare) */
	uint64_t n;          /* observations behind the test */
} fit_test;

typedef struct fit_markov {
	size_t n;               /* states: the brands, then `lost` with churn */
	char **state;           /* n names (owned copies) */
	bool churn;
	long churn_after;
	long periods;           /* periods fitted: 0..periods-1 */
	long end_period;        /* the data's last period in the fit */
	uint64_t *count;        /* n * n transitions (owned) */
	uint64_t *row_total;    /* n (owned) */
	double *estimate;       /* n * n: count / row total; NaN in an empty row (owned) */
	double *lo, *hi;        /* n * n: the 95% interval (owned) */
	uint64_t *latest;       /* n: customers whose latest state it is (owned) */
	double *initial;        /* n: latest / customers (owned) */
	uint64_t customers, purchases, transitions, lost;
	double loglik;
	double purchases_per_period;
	long purchases_whole;   /* k > 0 when every customer-period counted held
	                           exactly k purchases; else 0 (Poisson) */
	uint64_t exposure;      /* customer-periods behind purchases_per_period */
	bool has_spend;
	double *spend_mean, *spend_se; /* n: mean amount per purchase, its
	                                  standard error (NaN when unknown) (owned) */
	uint64_t *spend_n;      /* n (owned) */
	fit_test markov;        /* first order against second order */
	fit_test homogeneity;   /* first half of the periods against the second */
	long half;              /* the second half starts at this period */
	fit_seq seq;
} fit_markov;

/* Fit the records of d whose time is < until (INT64_MAX: all) with the
   options o. Errors (CLV_ERR_INPUT naming the data file): no customer
   with two purchases in the fit; a brand called `lost` with
   --churn-after; CLV_ERR_LIMIT: more than CLV_MAX_STATES states;
   CLV_ERR_NOMEM. */
fit_markov *fit_markov_run(const fit_data *d, const fit_options *o, int64_t until,
                           clv_error *err);
void fit_markov_free(fit_markov *m);

/* The posterior mean of row i (counts + FIT_PRIOR, normalised), or the
   absorbing row of `lost`, into row[0..n-1]. */
void fit_markov_posterior_row(const fit_markov *m, size_t i, double *row);

/* The tests (fit_tests.c), from m's sequences and counts. */
void fit_test_markov_property(const fit_markov *m, fit_test *out);
void fit_test_homogeneity(const fit_markov *m, fit_test *out);

#endif
