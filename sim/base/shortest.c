/*
 * shortest.c - the shortest round-trip decimal of a double (base stage;
 * policy in shortest.h).
 *
 * Method: "%.Ng" is correctly rounded, and if N digits read back to x so
 * do N + 1 (the nearer grid point stays inside x's rounding interval, but
 * for the rare power-of-two edge where the result may be one digit longer
 * than the true shortest: still exact, never noise). So the fewest digits
 * are found by bisection on N in 1..17, with 17 always exact for a double
 * (IEEE 754-2008, 5.12.2). About five snprintf/strtod pairs a number.
 */
#include "base/shortest.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* 2^53: every whole number below it is a double, and its integer digits
   are exact. */
#define WHOLE_LIMIT 9007199254740992.0

/* "1e-05" -> "1e-5", "1e+300" -> "1e300": the exponent without '+' and
   leading zeros (strtod reads both forms). */
static void plain_exponent(char *buf)
{
	char *e = strchr(buf, 'e'), *digits, *src;

	if (e == NULL)
		return;
	digits = e + 1;
	if (*digits == '+')
		memmove(digits, digits + 1, strlen(digits + 1) + 1);
	else if (*digits == '-')
		digits++;
	for (src = digits; src[0] == '0' && src[1] != '\0'; src++)
		;
	memmove(digits, src, strlen(src) + 1);
}

static bool reads_back(double x, int digits, char buf[SHORTEST_MAX])
{
	snprintf(buf, SHORTEST_MAX, "%.*g", digits, x);
	return strtod(buf, NULL) == x;
}

bool shortest_format(double x, char buf[SHORTEST_MAX])
{
	int lo = 1, hi = 17;

	buf[0] = '\0';
	if (!isfinite(x))
		return false;
	if (x == 0.0) {
		strcpy(buf, "0"); /* and -0 */
		return true;
	}
	if (fabs(x) < WHOLE_LIMIT && x == floor(x)) {
		snprintf(buf, SHORTEST_MAX, "%.0f", x);
		return true;
	}
	/* the fewest digits that read back (more digits read back too): most
	   computed values need 16 or 17, so those are tried first; a value
	   that 15 digits already give is searched for below 15 */
	if (reads_back(x, 15, buf)) {
		hi = 15;
		while (lo < hi) { /* hi always reads back */
			int mid = (lo + hi) / 2;
			if (reads_back(x, mid, buf))
				hi = mid;
			else
				lo = mid + 1;
		}
		reads_back(x, hi, buf);
	} else if (!reads_back(x, 16, buf)) {
		snprintf(buf, SHORTEST_MAX, "%.17g", x); /* 17 digits always read back */
	}
	plain_exponent(buf);
	return true;
}
