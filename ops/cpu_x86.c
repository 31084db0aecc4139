/* cpu_x86.c - the x86-64 kernel table and the CPU-feature choice (ops/cpu.h). Built
 * on x86-64 only (Makefile.am, CPU_X86). */
#include <cpuid.h>
#include "ops/cpu.h"
#include "ops/math/mathfn.h"

/* AVX2 + FMA + F16C (ops/math/gemm_avx2.c, ops/nn/conv_avx2.c, ops/rnn/rnn_avx2.c,
 * ops/math/mathfn_avx2.c, ops/half_avx2.c, ops/nn/winograd_avx2.c,
 * ops/quantization/qgemm_avx2.c: libgrt-avx2.la); every CPU with AVX2 and FMA so far
 * also has F16C */
const struct kernels kernels_avx2 = {
	.name = "avx2",
	.gemm = &gemm_ukernel_avx2,
	.conv_plane = conv_plane_f32_avx2,
	.conv_plane4 = conv_plane4_f32_avx2,
	.conv_plane2 = conv_plane2_f32_avx2,
	.conv_deint2 = conv_deint2_f32_avx2,
	.conv_int2 = conv_int2_f32_avx2,
	.wino_in = wino_in_avx2,
	.wino_gemm = wino_gemm_avx2,
	.wino_out = wino_out_avx2,
	.gru_recur = gru_recur_avx2,
	.gru_recur_fits = gru_recur_avx2_fits,
	.gru_project = gru_project_avx2,
	.gru_project_fits = gru_project_avx2_fits,
	.rnn_gemv = rnn_gemv_avx2,
	.sigmoid_f32 = fast_sigmoidf_n_avx2,
	.tanh_f32 = fast_tanhf_n_avx2,
	.relu_f32 = relu_f32_n_avx2,
	.f16_to_f32 = f16_to_f32_f16c,
	.f32_to_f16 = f32_to_f16_f16c,
	.qgemm = qgemm_i16_avx2,
};

/* CPUID leaf 1, ECX bit 29 (clang 14's __builtin_cpu_supports has no "f16c") */
static int cpu_f16c(void)
{
	unsigned a, b, c, d;

	return __get_cpuid(1, &a, &b, &c, &d) && (c & bit_F16C);
}

const struct kernels *kernels_for_cpu(void)
{
	if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
	    cpu_f16c())
		return &kernels_avx2;
	return &kernels_portable;
}

int kernels_runnable(const struct kernels *out[KERNELS_MAX])
{
	out[0] = &kernels_portable;
	out[1] = kernels_for_cpu();
	return out[1] == &kernels_portable ? 1 : 2;
}
