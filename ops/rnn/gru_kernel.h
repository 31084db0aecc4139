/* gru_kernel.h - the gate functions of the GRU recurrence in 4-float vectors, shared by
 * ops/rnn/rnn.c (portable) and ops/rnn/rnn_wasm.c (SIMD128). Include after
 * ops/math/mathfn.h. */
#ifndef OPS_RNN_GRU_KERNEL_H
#define OPS_RNN_GRU_KERNEL_H

#include "ops/rnn/gru.h"
#ifdef __wasm_simd128__
#include <wasm_simd128.h>
#endif

/* x < lo ? lo : x, and x > hi ? hi : x, lane by lane (a NaN passes). WebAssembly's
 * pseudo-maximum and -minimum are exactly these, and one instruction each in an
 * engine; clang otherwise makes them f32x4.max and .min, whose NaN and signed-zero
 * rules cost engines a sequence of about eight. */
MATHFN_INLINE v4f gate_at_least(v4f x, float lo)
{
#ifdef __wasm_simd128__
	return (v4f)wasm_f32x4_pmax((v128_t)x, wasm_f32x4_splat(lo));
#else
	return v4f_select(x < lo, (v4f){ 0 } + lo, x);
#endif
}

MATHFN_INLINE v4f gate_at_most(v4f x, float hi)
{
#ifdef __wasm_simd128__
	return (v4f)wasm_f32x4_pmin((v128_t)x, wasm_f32x4_splat(hi));
#else
	return v4f_select(x > hi, (v4f){ 0 } + hi, x);
#endif
}

/* The gates of the common case, cheaper than mathfn.h's (the recurrence is
 * bound by their operations and their latency; ops/rnn/rnn_avx2.c's gate_sigmoid8 and
 * gate_tanh8 do the same ones): sigmoid with -|x| clamped at -87, where e^-|x| is
 * still a normal float, so that 2^n is one multiplication, and one division whose
 * numerator (1, or e^-|x| where x's sign bit is set) is chosen before it (within
 * an ulp of v4f_sigmoid above -87, 1.6e-38 instead of less below); tanh as
 * (e^2|x| - 1) / (e^2|x| + 1) with the sign of x put on the numerator, everywhere,
 * without the odd polynomial below 0.625 (there an absolute error up to 1.2e-7
 * instead of a relative one: the state is a sum of such values). */
MATHFN_INLINE v4f gate_sigmoid(v4f x)
{
	v4f nx = (v4f)((v4i)x | INT32_MIN), t, e, s;      /* -|x| */

	nx = gate_at_least(nx, -87.0f);
	e = v4f_exp_parts(nx, &t);
	s = v4f_pow2(t);
	/* x < 0 (sign bit): e^x / (1 + e^x), else 1 / (1 + e^-x) */
	return v4f_select((v4i)x < 0, e * s, (v4f){ 0 } + 1.0f) / (e * s + 1.0f);
}

MATHFN_INLINE v4f gate_tanh(v4f x)
{
	v4i sign = (v4i)x & INT32_MIN;
	v4f ax = (v4f)((v4i)x ^ sign), t, p, s;

	ax = gate_at_most(ax, 44.0f);                        /* NaN passes */
	p = v4f_exp_parts(ax + ax, &t);
	s = v4f_pow2(t);
	/* (e^2|x| - 1) / (e^2|x| + 1) with the sign of x */
	return (v4f)((v4i)(p * s - 1.0f) ^ sign) / (p * s + 1.0f);
}

#endif
