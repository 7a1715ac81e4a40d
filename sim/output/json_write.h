/*
 * json_write.h - the one JSON serialiser of clvsim's --format json
 * (output stage): a jansson tree written with every real as the shortest
 * decimal that reads back to the same double (base/shortest.h), which
 * jansson's own dumper cannot do (it prints a fixed precision and "1.0"
 * for whole numbers).
 *
 * Layout: two-space indentation, one member or element a line, "[]" and
 * "{}" for empty containers, keys in insertion order; strings escaped as
 * RFC 8259 requires (" \ and control characters; UTF-8 passes through);
 * a whole real of magnitude below 2^53 is written as an integer ("1",
 * not "1.0"); a real is never NaN or Inf (jansson refuses them; the
 * report builders write null for those).
 */
#ifndef CLV_JSON_WRITE_H
#define CLV_JSON_WRITE_H

#include <stdio.h>

#include <jansson.h>

/* Write v to f by the layout above, without a final newline. Write
   errors show in ferror(f). */
void json_write(FILE *f, json_t *v);

#endif
