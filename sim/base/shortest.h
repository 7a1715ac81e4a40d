/*
 * shortest.h - a double as the shortest decimal that reads back to it
 * (base stage, no project dependencies): the one number printer of every
 * CSV cell and JSON number clvsim writes.
 *
 * Policy (docs/tables.md and docs/json.md quote it):
 *   - a whole number of magnitude below 2^53 is written as an integer,
 *     without exponent or decimal point: "0", "1", "-42", "9007199254740992";
 *   - any other finite x is written with the fewest significant digits
 *     (1 to 17) for which strtod gives back x exactly, in "%g" style with
 *     a plain exponent: "0.1", "0.3333333333333333", "1e-5", "1e300",
 *     "1.7976931348623157e308", "5e-324";
 *   - -0 is written as "0" (it compares equal to 0; a sign on zero is
 *     noise to a reader);
 *   - NaN and +-Inf are not numbers: shortest_format writes nothing and
 *     returns false, and the caller writes its "missing" (an empty CSV
 *     field, JSON null).
 * The digits come from the C library's correctly rounded "%.*e" (glibc),
 * always in the C locale's "." decimal point.
 */
#ifndef CLV_SHORTEST_H
#define CLV_SHORTEST_H

#include <stdbool.h>

/* Room for any result and its terminating NUL ("-2.2250738585072014e-308"
   is 24 characters). */
#define SHORTEST_MAX 32

/* Write x into buf (SHORTEST_MAX bytes) by the policy above. False (buf
   "") when x is NaN or infinite. */
bool shortest_format(double x, char buf[SHORTEST_MAX]);

#endif
