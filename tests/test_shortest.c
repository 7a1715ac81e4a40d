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

/* Random bit patterns (every exponent, denormals included), a fixed
   generator so a failure repeats. */
static void random_doubles_read_back(void **state)
{
	uint64_t s = 0x9e3779b97f4a7c15u;
	int k;

	(void)state;
	for (k = 0; k < 200000; k++) {
		uint64_t bits;
		double x;
		s ^= s << 13;
		s ^= s >> 7;
		s ^= s << 17;
		bits = s;
		memcpy(&x, &bits, sizeof x);
		if (isfinite(x))
			check_round_trip(x);
		check_round_trip((double)(int64_t)(s >> 20) / 1000.0); /* decimal-ish values */
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(edge_values),
		cmocka_unit_test(integers_up_to_2_53),
		cmocka_unit_test(not_numbers),
		cmocka_unit_test(random_doubles_read_back),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
