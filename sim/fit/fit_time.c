/*
 * fit_time.c - dates and periods (see fit_time.h). Stage: fit.
 *
 * Method: days from and to civil dates by H. Hinnant's algorithms
 * ("chrono-Compatible Low-Level Date Algorithms", 2013): eras of 400
 * years (146097 days), March-based years so the leap day comes last.
 */
#include "fit/fit_time.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static const char *const unit_names[] = {"period", "day", "week", "month", "quarter", "year"};

/* floor(a / b) for b > 0. */
static int64_t floor_div(int64_t a, int64_t b)
{
	return a >= 0 ? a / b : -((-a + b - 1) / b);
}

int64_t fit_days_from_civil(int y, int m, int d)
{
	int64_t yy = m <= 2 ? y - 1 : y;
	int64_t era = floor_div(yy, 400);
	int64_t yoe = yy - era * 400;
	int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + doe - 719468;
}

void fit_civil_from_days(int64_t day, int *y, int *m, int *d)
{
	int64_t z = day + 719468, era = floor_div(z, 146097);
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;

	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

static int month_days(int y, int m)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return days[m - 1];
}

/* n digits at text (all of them digits) as a number; -1 otherwise. */
static int digits(const char *text, int n)
{
	int v = 0, i;

	for (i = 0; i < n; i++) {
		if (text[i] < '0' || text[i] > '9')
			return -1;
		v = v * 10 + (text[i] - '0');
	}
	return v;
}

const char *fit_parse_date(const char *text, int64_t *day)
{
	static char reason[64];
	int y, m, d;

	if (strlen(text) != 10 || text[4] != '-' || text[7] != '-' || (y = digits(text, 4)) < 0 ||
	    (m = digits(text + 5, 2)) < 0 || (d = digits(text + 8, 2)) < 0)
		return "not in the form YYYY-MM-DD";
	if (y < 1)
		return "year 0000 is not 0001 to 9999";
	if (m < 1 || m > 12) {
		snprintf(reason, sizeof reason, "month %d is not 1 to 12", m);
		return reason;
	}
	if (d < 1 || d > month_days(y, m)) {
		snprintf(reason, sizeof reason, "day %d is not 1 to %d in %04d-%02d", d,
		         month_days(y, m), y, m);
		return reason;
	}
	*day = fit_days_from_civil(y, m, d);
	return NULL;
}

int64_t fit_period_of(fit_unit unit, int64_t day)
{
	int y, m, d;

	if (unit == FIT_PERIOD || unit == FIT_DAY)
		return day;
	if (unit == FIT_WEEK)
		return floor_div(day + 3, 7); /* 1970-01-01 was a Thursday */
	fit_civil_from_days(day, &y, &m, &d);
	if (unit == FIT_MONTH)
		return (int64_t)y * 12 + m - 1;
	if (unit == FIT_QUARTER)
		return (int64_t)y * 4 + (m - 1) / 3;
	return y;
}

int64_t fit_period_start(fit_unit unit, int64_t p)
{
	switch (unit) {
	case FIT_WEEK:
		return p * 7 - 3;
	case FIT_MONTH:
		return fit_days_from_civil((int)floor_div(p, 12), (int)(p - floor_div(p, 12) * 12) + 1, 1);
	case FIT_QUARTER:
		return fit_days_from_civil((int)floor_div(p, 4), (int)(p - floor_div(p, 4) * 4) * 3 + 1, 1);
	case FIT_YEAR:
		return fit_days_from_civil((int)p, 1, 1);
	default:
		return p;
	}
}

int fit_period_days(fit_unit unit, int64_t p)
{
	if (unit == FIT_PERIOD || unit == FIT_DAY)
		return 1;
	if (unit == FIT_WEEK)
		return 7;
	return (int)(fit_period_start(unit, p + 1) - fit_period_start(unit, p));
}

void fit_period_label(fit_unit unit, int64_t p, char *buf, size_t cap)
{
	int y, m, d;

	if (unit == FIT_PERIOD) {
		snprintf(buf, cap, "%lld", (long long)p);
		return;
	}
	fit_civil_from_days(fit_period_start(unit, p), &y, &m, &d);
	if (unit == FIT_MONTH)
		snprintf(buf, cap, "%04d-%02d", y, m);
	else if (unit == FIT_QUARTER)
		snprintf(buf, cap, "%04d-Q%d", y, (m - 1) / 3 + 1);
	else if (unit == FIT_YEAR)
		snprintf(buf, cap, "%04d", y);
	else
		snprintf(buf, cap, "%04d-%02d-%02d", y, m, d);
}

const char *fit_unit_name(fit_unit unit)
{
	return unit_names[unit];
}

int fit_unit_parse(const char *name, fit_unit *unit)
{
	int i;

	for (i = 1; i < 6; i++) {
		if (strcmp(name, unit_names[i]) == 0) {
			*unit = (fit_unit)i;
			return 0;
		}
	}
	return -1;
}
