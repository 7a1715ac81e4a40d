/*
 * kernel_dispatch.h - engine stage: what every lock-step kernel shares
 * (kernel.h): the walk of a block in groups of KERNEL_GROUP customers,
 * each group by the kernel's own group() specialised for offers (spend)
 * and rows of the customers' own (own), and the entry point that picks the state
 * count K = 1..KERNEL_MAX_STATES at compile time, so the threshold loops
 * of group() have a known length.
 *
 * Included once, at the end, by kernel_scalar.c, kernel_avx2.c and
 * kernel_avx512.c, each of which defines first:
 *   KERNEL_ATTR    its target attribute (empty for the portable kernel);
 *   KERNEL_INL     its always-inline qualifier;
 *   KERNEL_GROUP   customers per group (its lanes in flight);
 *   KERNEL_ENTRY   the entry's name (kernel_run_scalar, ...);
 *   group()        static, with the signature the calls below use.
 * Not a header for other files.
 */
#ifndef CLV_KERNEL_DISPATCH_H
#define CLV_KERNEL_DISPATCH_H

KERNEL_ATTR static KERNEL_INL void run_k(const chain_table *tb, const int K, const chain_own *own,
                                         uint64_t seed, uint64_t rep, uint64_t first,
                                         uint64_t count, kernel_out *out, chain_acc *acc)
{
	kernel_rows kr;
	uint64_t c0;

	kernel_rows_fill(tb, &kr);
	kr.stream = rng_stream_initstate(seed, rep);
	for (c0 = 0; c0 < count; c0 += KERNEL_GROUP) {
		int nl = count - c0 < KERNEL_GROUP ? (int)(count - c0) : KERNEL_GROUP;
		if (own && kr.spend)
			group(tb, &kr, K, true, own, first, c0, nl, out, acc);
		else if (own)
			group(tb, &kr, K, false, own, first, c0, nl, out, acc);
		else if (kr.spend)
			group(tb, &kr, K, true, NULL, first, c0, nl, out, acc);
		else
			group(tb, &kr, K, false, NULL, first, c0, nl, out, acc);
	}
}

KERNEL_ATTR void KERNEL_ENTRY(const chain_table *tb, const chain_own *own, uint64_t seed,
                              uint64_t rep, uint64_t first, uint64_t count, kernel_out *out,
                              chain_acc *acc)
{
	switch (tb->n) {
	case 1: run_k(tb, 1, own, seed, rep, first, count, out, acc); break;
	case 2: run_k(tb, 2, own, seed, rep, first, count, out, acc); break;
	case 3: run_k(tb, 3, own, seed, rep, first, count, out, acc); break;
	case 4: run_k(tb, 4, own, seed, rep, first, count, out, acc); break;
	case 5: run_k(tb, 5, own, seed, rep, first, count, out, acc); break;
	case 6: run_k(tb, 6, own, seed, rep, first, count, out, acc); break;
	case 7: run_k(tb, 7, own, seed, rep, first, count, out, acc); break;
	default: run_k(tb, 8, own, seed, rep, first, count, out, acc); break;
	}
}

#endif
