/*
 * zeroed.h - zeroed arrays written at allocation (base stage, no project
 * dependencies), for arrays threads read and then write (sums, counts,
 * bins).
 *
 * calloc hands out large blocks as pages not yet mapped: the first read
 * maps the shared zero page, the first write after it replaces that
 * mapping, and in a process with several threads running the kernel then
 * has every other core flush its TLB (an interrupt to each; in a virtual
 * machine a costly exit). Writing the zeros at allocation makes the
 * first touch a write: a fresh page, no flush.
 */
#ifndef CLV_ZEROED_H
#define CLV_ZEROED_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* n elements of `size` bytes, all zero and already written; NULL when
   out of memory or n x size overflows (as calloc). Freed with free. */
static inline void *zeroed_alloc(size_t n, size_t size)
{
	void *p;

	if (size != 0 && n > SIZE_MAX / size)
		return NULL;
	p = malloc(n * size != 0 ? n * size : 1);
	if (p != NULL)
		memset(p, 0, n * size);
	return p;
}

#endif
