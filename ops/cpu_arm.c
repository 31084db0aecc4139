/* cpu_arm.c - the ARM kernel table and the CPU-feature choice (ops/cpu.h). Built on
 * aarch64 and 32-bit ARM only (Makefile.am, CPU_ARM). aarch64 always has Advanced
 * SIMD; a 32-bit CPU may lack NEON (Debian's armhf baseline) or VFPv4's fused
 * multiply-add, which the NEON files use: the kernel's HWCAP says. */
#include "ops/cpu.h"
#include "ops/math/mathfn.h"

#ifndef __aarch64__
#include <sys/auxv.h>
#include <asm/hwcap.h>
#endif

/* NEON (the *_neon.c files: libgrt-neon.la, built with -mfpu=neon-vfpv4 on 32-bit
 * ARM); the portable function where NEON has no faster form here (Winograd, float16,
 * the quantized products: not on GTCRN's path) */
const struct kernels kernels_neon = {
	.name = "neon",
	.gemm = &gemm_ukernel_neon,
	.conv_plane = conv_plane_f32_neon,
	.conv_plane4 = conv_plane4_f32_neon,
	.conv_plane2 = conv_plane2_f32_neon,
	.conv_deint2 = conv_deint2_f32_neon,
	.conv_int2 = conv_int2_f32_neon,
	.wino_in = wino_in_portable,
	.wino_gemm = wino_gemm_portable,
	.wino_out = wino_out_portable,
	.gru_recur = gru_recur_neon,
	.gru_recur_fits = gru_recur_neon_fits,
	.gru_project = gru_project_neon,
	.gru_project_fits = gru_project_neon_fits,
	.rnn_gemv = rnn_gemv_neon,
	.sigmoid_f32 = fast_sigmoidf_n_neon,
	.tanh_f32 = fast_tanhf_n_neon,
	.relu_f32 = relu_f32_n_neon,
	.f16_to_f32 = f16_to_f32_portable,
	.f32_to_f16 = f32_to_f16_portable,
	.qgemm = qgemm_i16_portable,
};

const struct kernels *kernels_for_cpu(void)
{
#ifdef __aarch64__
	return &kernels_neon;
#else
	const unsigned long need = HWCAP_NEON | HWCAP_VFPv4;

	return (getauxval(AT_HWCAP) & need) == need ? &kernels_neon : &kernels_portable;
#endif
}

int kernels_runnable(const struct kernels *out[KERNELS_MAX])
{
	out[0] = &kernels_portable;
	out[1] = kernels_for_cpu();
	return out[1] == &kernels_portable ? 1 : 2;
}
