/*
 * kernel_isa.c - engine stage: which instruction set chain_run_block
 * walks customers with (chain.h chain_isa_*): the processor's features
 * read at run time (__builtin_cpu_supports), the CLVSIM_ISA environment
 * variable that forces a path, and the process-wide choice.
 */
#include "engine/chain.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/kernel.h"

static const char *const isa_names[CHAIN_ISA_COUNT] = {"scalar", "avx2", "avx512"};

/* -1 until chosen, then a chain_isa. */
static atomic_int isa_current = -1;

const char *chain_isa_name(chain_isa isa)
{
	return (unsigned)isa < CHAIN_ISA_COUNT ? isa_names[isa] : "unknown";
}

bool chain_isa_supported(chain_isa isa)
{
	switch (isa) {
	case CHAIN_ISA_SCALAR:
		return true;
#if KERNEL_X86
	case CHAIN_ISA_AVX2:
		__builtin_cpu_init();
		return __builtin_cpu_supports("avx2");
	case CHAIN_ISA_AVX512:
		__builtin_cpu_init();
		return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
		       __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512bw");
#endif
	default:
		return false;
	}
}

chain_isa chain_isa_best(void)
{
	if (chain_isa_supported(CHAIN_ISA_AVX512))
		return CHAIN_ISA_AVX512;
	if (chain_isa_supported(CHAIN_ISA_AVX2))
		return CHAIN_ISA_AVX2;
	return CHAIN_ISA_SCALAR;
}

clv_status chain_isa_init(clv_error *err)
{
	const char *want = getenv("CLVSIM_ISA");
	int i;

	if (want == NULL || want[0] == '\0') {
		atomic_store(&isa_current, (int)chain_isa_best());
		return CLV_OK;
	}
	for (i = 0; i < CHAIN_ISA_COUNT; i++)
		if (strcmp(want, isa_names[i]) == 0)
			break;
	if (i == CHAIN_ISA_COUNT)
		return diag_set(err, CLV_ERR_INPUT, NULL,
		                "CLVSIM_ISA=%s: unknown instruction set (scalar, avx2 or avx512)", want);
	if (!chain_isa_supported((chain_isa)i))
		return diag_set(err, CLV_ERR_INPUT, NULL,
		                "CLVSIM_ISA=%s: this processor%s cannot run the %s path "
		                "(scalar always works; %s is the fastest here)",
		                want, KERNEL_X86 ? "" : " (or this build)", want,
		                chain_isa_name(chain_isa_best()));
	atomic_store(&isa_current, i);
	return CLV_OK;
}

void chain_isa_set(chain_isa isa)
{
	atomic_store(&isa_current, chain_isa_supported(isa) ? (int)isa : (int)CHAIN_ISA_SCALAR);
}

chain_isa chain_isa_get(void)
{
	int isa = atomic_load_explicit(&isa_current, memory_order_relaxed);

	if (isa < 0) {
		clv_error err = {0};
		if (chain_isa_init(&err) != CLV_OK) {
			fprintf(stderr, "clvsim: error: %s\n", err.msg);
			exit(CLV_EXIT_INPUT);
		}
		isa = atomic_load(&isa_current);
	}
	return (chain_isa)isa;
}
