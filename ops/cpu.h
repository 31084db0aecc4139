/* cpu.h - the kernels that exist once per instruction set, gathered in one table per
 * set, and the one place that chooses a table from the CPU's features. A session
 * chooses its table once when it is created (kernels_select(), stored in struct
 * exec's kern); each op's prepare copies what it needs from x->kern into its params,
 * so run() calls kernels through plain pointers and nothing is chosen twice.
 * Every variant of a kernel computes the same sums in the same order; they differ
 * only by fused multiply-adds (the contracts are in the headers named below), and
 * on 32-bit ARM by NEON's flushing of subnormal values to zero (the float functions
 * of ops/math/mathfn.h excepted: they keep the portable results there). */
#ifndef OPS_CPU_H
#define OPS_CPU_H

#include <stdint.h>
#include "ops/nn/conv.h"
#include "ops/nn/winograd.h"
#include "ops/quantization/qgemm.h"
#include "ops/math/gemm.h"
#include "ops/rnn/gru.h"
#include "ops/rnn/rnn_common.h"

/* o[i] = f(a[i]) for i < n, float; o may equal a. */
typedef void (*vec_f32_fn)(float *o, const float *a, int64_t n);
/* float16 to float and back over arrays (ops/half.h): exact one way, rounded to
 * nearest even the other, bit for bit as half_to_float / float_to_half. */
typedef void (*f16_to_f32_fn)(float *o, const uint16_t *a, int64_t n);
typedef void (*f32_to_f16_fn)(uint16_t *o, const float *a, int64_t n);

struct kernels {
	const char *name;                   /* "portable", "avx2": for tests and messages */
	const struct gemm_ukernel *gemm;    /* the float matrix product (ops/math/gemm.h) */
	/* Conv and ConvTranspose's plane and taps algorithms (ops/nn/conv.h) */
	conv_plane_f32_fn conv_plane;       /* one output channel */
	conv_plane4_f32_fn conv_plane4;     /* four */
	conv_plane2_f32_fn conv_plane2;     /* two sharing the input */
	conv_deint2_f32_fn conv_deint2;     /* stride-2 input phases */
	conv_int2_f32_fn conv_int2;         /* stride-2 output phases */
	/* Conv's Winograd F(4x4, 3x3) (ops/nn/winograd.h) */
	wino_in_fn wino_in;                 /* input transform of a block of tiles */
	wino_gemm_fn wino_gemm;             /* its 36 products */
	wino_out_fn wino_out;               /* output transform */
	/* GRU (ops/rnn/gru.h): the recurrence, for the hidden sizes gru_recur_fits accepts
	 * (else GRU takes gru_recur_portable); the input projection X W^T + biases in one
	 * pass, where gru_project_fits(n, input) (NULL: a matrix product then the biases) */
	gru_recur_fn gru_recur;
	int (*gru_recur_fits)(int64_t hidden);
	gru_project_fn gru_project;
	int (*gru_project_fits)(int64_t n, int64_t in);
	/* LSTM and RNN (ops/rnn/rnn_common.h): a step's H R^T for a batch of one */
	rnn_gemv_fn rnn_gemv;
	/* float Sigmoid and Tanh over arrays (ops/math/mathfn.h): the ops and fused epilogues */
	vec_f32_fn sigmoid_f32;
	vec_f32_fn tanh_f32;
	vec_f32_fn relu_f32;                /* float Relu over arrays (ops/math/mathfn.h) */
	/* float16 nodes run by the float32 kernels (ops/half.h) */
	f16_to_f32_fn f16_to_f32;
	f32_to_f16_fn f32_to_f16;
	/* the quantized ops' integer products (ops/quantization/qgemm.h) */
	qgemm_i16_fn qgemm;
};

/* The tables. kernels_portable (ops/cpu.c) runs everywhere: GNU C vectors of 4
 * floats (SSE2 on x86-64, NEON on arm64, scalar code elsewhere). The others are built
 * only where their instruction set exists (configure's host CPU, Makefile.am):
 *   kernels_avx2          x86-64 with AVX2, FMA and F16C (ops/cpu_x86.c; the *_avx2.c files)
 *   kernels_neon          aarch64, and 32-bit ARM with NEON and VFPv4 (ops/cpu_arm.c;
 *                         the *_neon.c files)
 *   kernels_wasm_simd128  wasm32 built with SIMD128 (ops/cpu_wasm.c; the *_wasm.c files)
 * A new table fills every member; where it has no faster form of a kernel it uses
 * the portable function. */
extern const struct kernels kernels_portable;
extern const struct kernels kernels_avx2;
extern const struct kernels kernels_neon;
extern const struct kernels kernels_wasm_simd128;

/* The portable table's GRU fits (ops/cpu.c), for the tables that keep its kernels:
 * any hidden size; no one-pass projection. */
int gru_recur_fits_any(int64_t hidden);
int gru_project_fits_none(int64_t n, int64_t in);

/* the float16 conversions of the tables (ops/half.c; ops/half_avx2.c: F16C) */
void f16_to_f32_portable(float *o, const uint16_t *a, int64_t n);
void f32_to_f16_portable(uint16_t *o, const float *a, int64_t n);
void f16_to_f32_f16c(float *o, const uint16_t *a, int64_t n);
void f32_to_f16_f16c(uint16_t *o, const float *a, int64_t n);

/* The fastest table this CPU runs: the only place that asks the CPU for its
 * features (ops/cpu_x86.c on x86-64, ops/cpu_arm.c on ARM; ops/cpu_generic.c,
 * the portable table, elsewhere). Pure: no state, the same answer every time. */
const struct kernels *kernels_for_cpu(void);

/* Every table this CPU runs, portable first and kernels_for_cpu()'s last, in
 * out; returns how many (1 to KERNELS_MAX). For the tests that run the models
 * with each table (tests/check_models.c). Beside kernels_for_cpu, in the same
 * file. */
#define KERNELS_MAX 4
int kernels_runnable(const struct kernels *out[KERNELS_MAX]);

/* A session's table is chosen by kernels_select() (ops/cpu.c, declared in
 * ops/registry.h for the runtime): kernels_portable when portable is set
 * (GRT_SESSION_PORTABLE: tests compare the instruction sets with it), else
 * kernels_for_cpu(). */

#endif
