/*
 * test_rowmath.c - stochastic-row arithmetic (base/rowmath.c): pinning an
 * entry rescales the rest proportionally; a row with nothing else to
 * rescale takes only v = 1.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <math.h>
#include <cmocka.h>

#include "base/rowmath.h"

#define close_to(a, b) (fabs((a) - (b)) <= 1e-12)

static void pin_rescales_the_rest(void **state)
{
	double row[3] = {0.7, 0.2, 0.1};

	(void)state;
	assert_int_equal(rowmath_pin(row, 3, 0, 0.8), 0);
	/* the rest scaled by (1 - 0.8) / (1 - 0.7) */
	assert_true(close_to(row[0], 0.8) && close_to(row[1], 0.2 * 2 / 3) &&
	            close_to(row[2], 0.1 * 2 / 3));
	assert_int_equal(rowmath_pin(row, 3, 2, 0.0), 0); /* an entry to 0 */
	assert_true(close_to(row[0] + row[1], 1.0) && row[2] == 0.0);
}

static void pin_with_nothing_to_rescale(void **state)
{
	double stuck[2] = {1.0, 0.0};

	(void)state;
	assert_int_equal(rowmath_pin(stuck, 2, 0, 0.5), -1);
	assert_true(stuck[0] == 1.0 && stuck[1] == 0.0); /* unchanged */
	assert_int_equal(rowmath_pin(stuck, 2, 0, 1.0 - 1e-12), 0);
	assert_true(stuck[0] == 1.0 && stuck[1] == 0.0); /* exactly 1 */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(pin_rescales_the_rest),
		cmocka_unit_test(pin_with_nothing_to_rescale),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
