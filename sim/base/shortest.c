/*
 * shortest.c - the shortest round-trip decimal of a double (base stage;
 * policy in shortest.h).
 *
 * Method: "%.Ng" is correctly rounded, and if N digits read back to x so
 * do N + 1 (the nearer grid point stays inside x's rounding interval, but
 * for the rare power-of-two edge where the result may be one digit longer
 * than the true shortest: still exact, never noise). So the fewest digits
 * are found by bisection on N in 1..17, with 17 always exact for a double
 * (IEEE 754-2008, 5.12.2).
 *
 * The C library is asked once, for x's 17 significant digits correctly
 * rounded ("%.16e"); x rounded to N < 17 digits is those digits rounded
 * to N, which is x's own rounding unless the digits dropped are exactly
 * 5000...: x may then lie on either side of the halfway point, and the C
 * library is asked again ("%.*e"). Each candidate is written as "%.Ng"
 * writes it and read back with strtod: one snprintf and two or three
 * strtod calls a number where it took five snprintf/strtod pairs; the
 * same text.
 */
#include "base/shortest.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* 2^53: every whole number below it is a double, and its integer digits
   are exact. */
#define WHOLE_LIMIT 9007199254740992.0

/* x's significant digits, correctly rounded (d, without sign or point)
   and the decimal exponent of the first: x = +-d[0].d[1]d[2]... 10^exp. */
typedef struct decimal {
	char d[17];
	int exp;
	bool neg;
} decimal;

/* x (finite, not zero) to `digits` (1..17) significant digits by the C
   library: "%.*e" is "[-]d.ddd...e[+-]XX". */
static void decimal_of(double x, int digits, decimal *out)
{
	char buf[40];
	const char *p = buf;
	int k = 0;

	snprintf(buf, sizeof buf, "%.*e", digits - 1, x);
	out->neg = *p == '-';
	p += out->neg;
	for (; *p != 'e'; p++)
		if (*p != '.')
			out->d[k++] = *p;
	out->exp = atoi(p + 1);
}

/* x to n digits (n < 17) from its 17 (x17): the dropped digits decide,
   but for a tie (exactly 5000...), where x itself decides. */
static void decimal_round(double x, const decimal *x17, int n, decimal *out)
{
	int k, up = x17->d[n] > '5';

	if (x17->d[n] == '5') {
		for (k = n + 1; k < 17 && x17->d[k] == '0'; k++)
			;
		if (k == 17) { /* 5000...: on which side of it x lies is not in x17 */
			decimal_of(x, n, out);
			return;
		}
		up = 1;
	}
	*out = *x17;
	for (k = n - 1; up && k >= 0; k--) { /* carry */
		up = out->d[k] == '9';
		out->d[k] = up ? '0' : (char)(out->d[k] + 1);
	}
	if (up) { /* 99...9 -> 100...0 */
		out->d[0] = '1';
		out->exp++;
	}
}

/* An n-digit decimal as "%.{n}g" writes it, the exponent plain ("1e-5",
   "1e300": no '+', no leading zeros). */
static void write_g(const decimal *v, int n, char buf[SHORTEST_MAX])
{
	char *p = buf;
	int k = n, i, x = v->exp;

	while (k > 1 && v->d[k - 1] == '0') /* %g drops trailing zeros */
		k--;
	if (v->neg)
		*p++ = '-';
	if (x >= -4 && x < n) { /* fixed */
		if (x >= 0) {
			for (i = 0; i <= x; i++)
				*p++ = i < k ? v->d[i] : '0';
			if (k > x + 1) {
				*p++ = '.';
				for (i = x + 1; i < k; i++)
					*p++ = v->d[i];
			}
		} else {
			*p++ = '0';
			*p++ = '.';
			for (i = 0; i < -x - 1; i++)
				*p++ = '0';
			for (i = 0; i < k; i++)
				*p++ = v->d[i];
		}
		*p = '\0';
		return;
	}
	*p++ = v->d[0];
	if (k > 1) {
		*p++ = '.';
		for (i = 1; i < k; i++)
			*p++ = v->d[i];
	}
	snprintf(p, (size_t)(SHORTEST_MAX - (p - buf)), "e%d", x);
}

/* x written with n significant digits reads back to x (buf: the text). */
static bool reads_back(double x, const decimal *x17, int n, char buf[SHORTEST_MAX])
{
	decimal v;

	if (n == 17)
		v = *x17;
	else
		decimal_round(x, x17, n, &v);
	write_g(&v, n, buf);
	return strtod(buf, NULL) == x;
}

bool shortest_format(double x, char buf[SHORTEST_MAX])
{
	char cand[SHORTEST_MAX];
	decimal x17;
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
	decimal_of(x, 17, &x17);
	if (reads_back(x, &x17, 15, buf)) {
		hi = 15;
		while (lo < hi) { /* hi always reads back, and buf holds its text */
			int mid = (lo + hi) / 2;
			if (reads_back(x, &x17, mid, cand)) {
				hi = mid;
				memcpy(buf, cand, SHORTEST_MAX);
			} else {
				lo = mid + 1;
			}
		}
	} else if (!reads_back(x, &x17, 16, buf)) {
		write_g(&x17, 17, buf); /* 17 digits always read back */
	}
	return true;
}
