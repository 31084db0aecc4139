/* cpu_generic.c - the CPU-feature choice (ops/cpu.h) where no faster table is built:
 * the portable one. An instruction set's own file replaces this one in Makefile.am
 * (ops/cpu_x86.c, ops/cpu_arm.c, ops/cpu_wasm.c). */
#include "ops/cpu.h"

const struct kernels *kernels_for_cpu(void)
{
	return &kernels_portable;
}

int kernels_runnable(const struct kernels *out[KERNELS_MAX])
{
	out[0] = &kernels_portable;
	return 1;
}
