/*
 * test_shortest.c - the shortest round-trip printer (base/shortest.c):
 * every finite double reads back exactly, with no more digits than
 * needed, on edge values and on a sweep of random bit patterns.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "base/shortest.h"

static const char *fmt(double x)
{
	static char buf[SHORTEST_MAX];

	assert_true(shortest_format(x, buf));
	return buf;
}

/* Significant digits of a formatted number (mantissa, no sign/zeros). */
static int sig_digits(const char *s)
{
	int n = 0, seen = 0, trailing = 0;

	for (; *s != '\0' && *s != 'e'; s++) {
		if (*s < '0' || *s > '9')
			continue;
		if (*s == '0' && !seen)
			continue;
		seen = 1;
		n++;
		trailing = *s == '0' ? trailing + 1 : 0;
	}
	return n - trailing;
}

static void check_round_trip(double x)
{
	char buf[SHORTEST_MAX], fewer[400];
	int d;

	assert_true(shortest_format(x, buf));
	assert_true(strtod(buf, NULL) == x);
	d = sig_digits(buf);
	/* one digit fewer never reads back (the integers aside: exact) */
	if (d > 1 && !(fabs(x) < 9007199254740992.0 && x == floor(x))) {
		snprintf(fewer, sizeof fewer, "%.*g", d - 1, x);
		assert_false(strtod(fewer, NULL) == x);
	}
}

static void edge_values(void **state)
{
	(void)state;
	assert_string_equal(fmt(0.0), "0");
	assert_string_equal(fmt(-0.0), "0");
	assert_string_equal(fmt(1.0), "1");
	assert_string_equal(fmt(-42.0), "-42");
	assert_string_equal(fmt(0.1), "0.1");
	assert_string_equal(fmt(0.1 + 0.2), "0.30000000000000004");
	assert_string_equal(fmt(1.0 / 3.0), "0.3333333333333333");
	assert_string_equal(fmt(0.0001), "0.0001");
	assert_string_equal(fmt(0.00001), "1e-5");
	assert_string_equal(fmt(1e-300), "1e-300");
	assert_string_equal(fmt(DBL_MAX), "1.7976931348623157e308");
	assert_string_equal(fmt(-DBL_MAX), "-1.7976931348623157e308");
	assert_string_equal(fmt(DBL_MIN), "2.2250738585072014e-308");
	assert_string_equal(fmt(4.9406564584124654e-324), "5e-324"); /* least denormal */
	assert_string_equal(fmt(9007199254740992.0), "9007199254740992"); /* 2^53 */
	assert_string_equal(fmt(9007199254740991.0), "9007199254740991");
	assert_string_equal(fmt(1e20), "1e20");
	assert_string_equal(fmt(689.3767202), "689.3767202");
	assert_string_equal(fmt(0.0981), "0.0981");
	check_round_trip(DBL_MAX);
	check_round_trip(DBL_MIN);
	check_round_trip(DBL_MIN / 3.0); /* a denormal */
	check_round_trip(4.9406564584124654e-324);
	check_round_trip(1.0 / 3.0);
	check_round_trip(2.0 / 3.0);
	check_round_trip(M_PI);
	check_round_trip(1e23);
	check_round_trip(5e-324);
}

static void integers_up_to_2_53(void **state)
{
	char buf[SHORTEST_MAX];
	double x;
	int k;

	(void)state;
	for (k = 0; k <= 53; k++) {
		x = ldexp(1.0, k) - 1.0;
		assert_true(shortest_format(x, buf));
		assert_null(strpbrk(buf, ".e"));
		assert_true(strtod(buf, NULL) == x);
		assert_true(shortest_format(-x, buf));
		assert_true(strtod(buf, NULL) == -x);
	}
	snprintf(buf, sizeof buf, "%.0f", ldexp(1.0, 52) + 1.0);
	assert_string_equal(fmt(ldexp(1.0, 52) + 1.0), buf);
}

static void not_numbers(void **state)
{
	char buf[SHORTEST_MAX] = "x";

	(void)state;
	assert_false(shortest_format(NAN, buf));
	assert_string_equal(buf, "");
	assert_false(shortest_format(HUGE_VAL, buf));
	assert_false(shortest_format(-HUGE_VAL, buf));
}

/* The next of a fixed xorshift64 sequence (a failure repeats). */
static uint64_t next_bits(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* A double of the given bit pattern (any exponent, denormals, NaN). */
static double of_bits(uint64_t bits)
{
	double x;

	memcpy(&x, &bits, sizeof x);
	return x;
}

/* Random bit patterns (every exponent, denormals included), a fixed
   generator so a failure repeats. */
static void random_doubles_read_back(void **state)
{
	uint64_t s = 0x9e3779b97f4a7c15u;
	int k;

	(void)state;
	for (k = 0; k < 200000; k++) {
		const double x = of_bits(next_bits(&s));
		if (isfinite(x))
			check_round_trip(x);
		check_round_trip((double)(int64_t)(s >> 20) / 1000.0); /* decimal-ish values */
	}
}

/* The printer as it was before it read x's digits once: "%.*g" and
   strtod for every candidate, 15 digits tried first, then 16, then 17:
   the oracle of the text, which must not change. */
static bool reference_reads_back(double x, int digits, char buf[SHORTEST_MAX])
{
	snprintf(buf, SHORTEST_MAX, "%.*g", digits, x);
	return strtod(buf, NULL) == x;
}

static void reference_format(double x, char buf[SHORTEST_MAX])
{
	int lo = 1, hi = 17;
	char *e, *digits, *src;

	if (x == 0.0) {
		strcpy(buf, "0");
		return;
	}
	if (fabs(x) < 9007199254740992.0 && x == floor(x)) {
		snprintf(buf, SHORTEST_MAX, "%.0f", x);
		return;
	}
	if (reference_reads_back(x, 15, buf)) {
		hi = 15;
		while (lo < hi) {
			int mid = (lo + hi) / 2;
			if (reference_reads_back(x, mid, buf))
				hi = mid;
			else
				lo = mid + 1;
		}
		reference_reads_back(x, hi, buf);
	} else if (!reference_reads_back(x, 16, buf)) {
		snprintf(buf, SHORTEST_MAX, "%.17g", x);
	}
	if ((e = strchr(buf, 'e')) != NULL) { /* "1e-05" -> "1e-5", "1e+300" -> "1e300" */
		digits = e + 1;
		if (*digits == '+')
			memmove(digits, digits + 1, strlen(digits + 1) + 1);
		else if (*digits == '-')
			digits++;
		for (src = digits; src[0] == '0' && src[1] != '\0'; src++)
			;
		memmove(digits, src, strlen(src) + 1);
	}
}

static void assert_as_reference(double x)
{
	char got[SHORTEST_MAX], want[SHORTEST_MAX];

	if (!isfinite(x)) /* DBL_MAX's neighbour above */
		return;
	assert_true(shortest_format(x, got));
	reference_format(x, want);
	assert_string_equal(got, want);
}

/* The text is the reference's, character for character: random bit
   patterns, decimal values of 1 to 17 digits at every scale, values whose
   17 digits end in 5 or 50...0 (a tie when rounded shorter: the C library
   decides), carries (9.99...), both fixed and exponent forms, at the
   edges of "%g"'s switch (1e-5, 1e-4, 1e16, 1e17). */
static void same_text_as_reference(void **state)
{
	static const double edges[] = {
		0.5, 2.5, 0.125, 1.25, 1.0000000000000005, 0.15, 0.25, 0.35, 9.5, 99.5, 0.95,
		9.999999999999999, 0.09999999999999999, 99999999999999.98, 1e-5, 1.5e-5, 1e-4,
		0.00012345, 1e16 + 2.0, 1.5e16, 1.2345678901234567e16, 9.999999999999998e16,
		1e17, 1e22, 1e23, 5e-324, 1e-310, 2.2250738585072014e-308, 1.7976931348623157e308,
		123456.789, 0.1, 0.2, 0.3, 1.0 / 3.0, 2.0 / 3.0, 6054.55, 0.32500000359012876,
	};
	uint64_t s = 0x243f6a8885a308d3u;
	size_t i;
	int k;

	(void)state;
	for (i = 0; i < sizeof edges / sizeof *edges; i++) {
		assert_as_reference(edges[i]);
		assert_as_reference(-edges[i]);
		assert_as_reference(nextafter(edges[i], 0.0));
		assert_as_reference(nextafter(edges[i], HUGE_VAL));
	}
	for (k = 0; k < 300000; k++) {
		double x = of_bits(next_bits(&s));
		int digits, scale;
		if (isfinite(x))
			assert_as_reference(x);
		digits = 1 + (int)(s % 17);
		scale = (int)((s >> 8) % 40) - 20;
		x = (double)(s >> (64 - 3 * digits - 4)) * pow(10.0, scale - digits);
		assert_as_reference(x); /* a decimal of about `digits` digits */
		assert_as_reference(x + 0.5 * pow(10.0, scale - digits)); /* ...5 */
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(edge_values),
		cmocka_unit_test(integers_up_to_2_53),
		cmocka_unit_test(not_numbers),
		cmocka_unit_test(random_doubles_read_back),
		cmocka_unit_test(same_text_as_reference),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
