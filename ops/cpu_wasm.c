/* cpu_wasm.c - the WebAssembly SIMD128 kernel table and the choice (ops/cpu.h). Built
 * for wasm32 when the compiler emits SIMD128 (configure: CPU_WASM_SIMD; `make wasm`
 * compiles everything with -msimd128, so the portable kernels' GNU vectors are
 * SIMD128 too). WebAssembly cannot ask for features at run time: a module that
 * validates has SIMD128, so this table is always the choice. A member takes a
 * *_wasm.c kernel only where that measurably beats the portable one compiled for
 * SIMD128 (docs/PERFORMANCE.md, "WebAssembly"). */
#include "ops/cpu.h"
#include "ops/math/mathfn.h"

const struct kernels kernels_wasm_simd128 = {
	.name = "simd128",
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

const struct kernels *kernels_for_cpu(void)
{
	return &kernels_wasm_simd128;
}

int kernels_runnable(const struct kernels *out[KERNELS_MAX])
{
	out[0] = &kernels_portable;
	out[1] = &kernels_wasm_simd128;
	return 2;
}
