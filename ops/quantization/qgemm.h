/* qgemm.h - the integer inner products of the quantized operators (ops/quantization/): int8 and
 * uint8 operands, their zero points already subtracted, held as int16 (-255..255), and
 * int32 sums. One variant per instruction set (ops/quantization/qgemm.c portable,
 * ops/quantization/qgemm_avx2.c AVX2), held by the kernel tables of ops/cpu.h; every variant
 * gives the same integers (each product is exact in int32; sums wrap modulo 2^32). */
#ifndef OPS_QGEMM_H
#define OPS_QGEMM_H

#include <stdint.h>

/* Rows of a and b are padded with zeros to a multiple of this many elements. */
#define QGEMM_KSTEP 16

/* y[i * ldy + j] = sum_p a[i * kp + p] * b[j * kp + p] for i < m, j < n, p < kp: a
 * [m][kp] and b [n][kp] both along the inner dimension (b is the right operand
 * transposed), kp a multiple of QGEMM_KSTEP. */
typedef void (*qgemm_i16_fn)(int32_t *y, int64_t ldy, const int16_t *a, const int16_t *b,
                             int64_t m, int64_t n, int64_t kp);

void qgemm_i16_portable(int32_t *y, int64_t ldy, const int16_t *a, const int16_t *b,
                        int64_t m, int64_t n, int64_t kp);
/* x86-64 only; only where the CPU has AVX2 (kernels_avx2): _mm256_madd_epi16. */
void qgemm_i16_avx2(int32_t *y, int64_t ldy, const int16_t *a, const int16_t *b,
                    int64_t m, int64_t n, int64_t kp);

#endif
