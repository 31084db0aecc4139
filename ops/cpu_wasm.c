/* cpu_wasm.c - the WebAssembly SIMD128 kernel table and the choice (ops/cpu.h). Built for
 * wasm32 only, where the compiler takes -msimd128 (Makefile.am, CPU_WASM). A module
 * with SIMD128 instructions does not load in an engine without them, so there is no
 * feature to ask at run time: the table is always chosen. Its files' loops over rows,
 * vectors and chains, whose counts are constants once inlined, carry clang's
 * `loop unroll(full)`: with GCC's `unroll N` (N a bound, not the count) clang left
 * them rolled and the sums in memory, at -O2 as at the package's -Os, and a frame
 * took 1.27x as long. */
#include "ops/cpu.h"
#include "ops/math/mathfn.h"

/* SIMD128 (ops/math/gemm_wasm.c, ops/nn/conv_wasm.c, ops/rnn/rnn_wasm.c); the portable
 * function elsewhere (its GNU C vectors are SIMD128 already). No fused multiply-add:
 * every kernel's results are the portable one's, bit for bit (tests/wasm_goldens.c). */
const struct kernels kernels_wasm_simd128 = {
	.name = "wasm-simd128",
	.gemm = &gemm_ukernel_wasm,
	.conv_plane = conv_plane_f32_wasm,
	.conv_plane4 = conv_plane4_f32_wasm,
	.conv_plane2 = conv_plane2_f32_wasm,
	.conv_deint2 = conv_deint2_f32_wasm,
	.conv_int2 = conv_int2_f32_wasm,
	.wino_in = wino_in_portable,
	.wino_gemm = wino_gemm_portable,
	.wino_out = wino_out_portable,
	.gru_recur = gru_recur_wasm,
	.gru_recur_fits = gru_recur_wasm_fits,
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
