/*
 * fit_time.h - calendar arithmetic for purchase records: ISO 8601 dates
 * (YYYY-MM-DD, proleptic Gregorian) as day numbers, and the period a day
 * falls in for each --period unit. Stage: fit.
 *
 * Day numbers count from 1970-01-01 (day 0). Periods are absolute numbers
 * (a month is year * 12 + month - 1; a week starts on a Monday, ISO 8601,
 * and week 0 is the one holding 1970-01-01); the fit makes them relative
 * to the data's first period.
 */
#ifndef CLV_FIT_TIME_H
#define CLV_FIT_TIME_H

#include <stddef.h>
#include <stdint.h>

typedef enum fit_unit {
	FIT_PERIOD = 0, /* whole-number periods written in the data, no calendar */
	FIT_DAY, FIT_WEEK, FIT_MONTH, FIT_QUARTER, FIT_YEAR
} fit_unit;

/* Parse "YYYY-MM-DD" (years 0001..9999) into a day number. Returns NULL
   on success, else the reason, e.g. "month 13 is not 1 to 12" or "not in
   the form YYYY-MM-DD". */
const char *fit_parse_date(const char *text, int64_t *day);

/* Day number of y-m-d (a valid date), and back. */
int64_t fit_days_from_civil(int y, int m, int d);
void fit_civil_from_days(int64_t day, int *y, int *m, int *d);

/* The absolute period of unit holding day (FIT_PERIOD: day itself). */
int64_t fit_period_of(fit_unit unit, int64_t day);

/* First day of absolute period p of unit (FIT_PERIOD: p), and its length
   in days (FIT_PERIOD: 1). */
int64_t fit_period_start(fit_unit unit, int64_t p);
int fit_period_days(fit_unit unit, int64_t p);

/* A label of absolute period p: "2024-03-18" (day; week: its Monday),
   "2024-03" (month), "2024-Q1", "2024", or the number. */
void fit_period_label(fit_unit unit, int64_t p, char *buf, size_t cap);

/* "day", "week", ...; "period" for FIT_PERIOD. */
const char *fit_unit_name(fit_unit unit);

/* The unit called name (day, week, month, quarter, year); -1 otherwise. */
int fit_unit_parse(const char *name, fit_unit *unit);

#endif
