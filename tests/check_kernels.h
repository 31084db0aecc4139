/* check_kernels.h - for the tests that compare this CPU's SIMD kernel table
 * (ops/cpu.h: AVX2 on x86-64, NEON on ARM) with the portable one. Where there is none to
 * compare, they say so in the log rather than pass quietly. */
#ifndef TESTS_CHECK_KERNELS_H
#define TESTS_CHECK_KERNELS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ops/cpu.h"

/* This CPU's table if it is not the portable one, else NULL, having printed
 * that what (a test's name) compares no SIMD kernels, and why: the CPU has
 * none (no AVX2 and FMA, or not x86-64) or GRT_KERNELS=portable asks for the
 * portable table alone (as tests/check_models.c reads it). */
static inline const struct kernels *simd_kernels(const char *what)
{
	const char *want = getenv("GRT_KERNELS");
	const struct kernels *k = kernels_for_cpu();

	if (k != &kernels_portable && !(want && !strcmp(want, "portable")))
		return k;
	printf("%s: no SIMD kernels compared with the portable ones: %s\n", what,
	       k == &kernels_portable ? "this CPU runs the portable table only (no AVX2 and "
	       "FMA on x86-64, no NEON on ARM, or neither)" : "GRT_KERNELS=portable");
	fflush(stdout);
	return NULL;
}

#endif
