/* cpu.c - the portable kernel table (ops/cpu.h) and a session's choice of table. */
#include "ops/cpu.h"
#include "ops/registry.h"
#include "ops/math/mathfn.h"

int gru_recur_fits_any(int64_t hidden)
{
	(void)hidden;
	return 1;
}

int gru_project_fits_none(int64_t n, int64_t in)
{
	(void)n;
	(void)in;
	return 0;
}

const struct kernels kernels_portable = {
	.name = "portable",
	.gemm = &gemm_ukernel_portable,
	.conv_plane = conv_plane_f32_portable,
	.conv_plane4 = conv_plane4_f32_portable,
	.conv_plane2 = conv_plane2_f32_portable,
	.conv_deint2 = conv_deint2_f32_portable,
	.conv_int2 = conv_int2_f32_portable,
	.wino_in = wino_in_portable,
	.wino_gemm = wino_gemm_portable,
	.wino_out = wino_out_portable,
	.gru_recur = gru_recur_portable,
	.gru_recur_fits = gru_recur_fits_any,
	.gru_project = NULL,
	.gru_project_fits = gru_project_fits_none,
	.rnn_gemv = rnn_gemv_portable,
	.sigmoid_f32 = fast_sigmoidf_n,
	.tanh_f32 = fast_tanhf_n,
	.relu_f32 = relu_f32_n,
	.f16_to_f32 = f16_to_f32_portable,
	.f32_to_f16 = f32_to_f16_portable,
	.qgemm = qgemm_i16_portable,
};

const struct kernels *kernels_select(int portable)
{
	return portable ? &kernels_portable : kernels_for_cpu();
}
