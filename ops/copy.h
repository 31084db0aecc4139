/* copy.h - block copies shared by the data-movement ops (Transpose, Concat,
 * Split, Slice, Gather): small blocks move with fixed-size memcpy calls that
 * the compiler turns into a load and a store, long ones with memcpy; every other
 * 4-byte element and the interleave of two rows move in 16-byte vectors. */
#ifndef OPS_COPY_H
#define OPS_COPY_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Four 4-byte elements in a vector (SSE2, NEON, SIMD128, or scalar code where none):
 * unaligned loads and stores, and two vectors' lanes picked with SHUF4. */
typedef uint32_t u32x4 __attribute__((vector_size(16)));

static inline __attribute__((always_inline)) u32x4 ld4(const void *p)
{
	u32x4 v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline __attribute__((always_inline)) void st4(void *p, u32x4 v)
{
	memcpy(p, &v, sizeof(v));
}

/* Lanes i, j, k, l of the 8 in a and b (GCC and clang spell it differently). */
#if defined(__clang__)
#define SHUF4(a, b, i, j, k, l) __builtin_shufflevector(a, b, i, j, k, l)
#else
#define SHUF4(a, b, i, j, k, l) __builtin_shuffle(a, b, (u32x4){ i, j, k, l })
#endif

/* d[i] = s[2 i] for i < n, 4-byte elements (one part of interleaved complex values):
 * four at a time from two 16-byte loads, while element 2 (i + 4) exists, so that the
 * loads never read past the source's last element. */
static inline __attribute__((always_inline)) void
copy_every2_u32(char *restrict d, const char *restrict s, int64_t n)
{
	int64_t i = 0;

	for (; i + 4 < n; i += 4)
		st4(d + 4 * i, SHUF4(ld4(s + 8 * i), ld4(s + 8 * i + 16), 0, 2, 4, 6));
	for (; i < n; i++)
		memcpy(d + 4 * i, s + 8 * i, 4);
}

/* d[2 i] = a[i], d[2 i + 1] = b[i] for i < n, 4-byte elements: four pairs at a time. */
static inline __attribute__((always_inline)) void
copy_zip2_u32(char *restrict d, const char *restrict a, const char *restrict b, int64_t n)
{
	int64_t i = 0;

	for (; i + 4 <= n; i += 4) {
		u32x4 x = ld4(a + 4 * i), y = ld4(b + 4 * i);
		st4(d + 8 * i, SHUF4(x, y, 0, 4, 1, 5));
		st4(d + 8 * i + 16, SHUF4(x, y, 2, 6, 3, 7));
	}
	for (; i < n; i++) {
		memcpy(d + 8 * i, a + 4 * i, 4);
		memcpy(d + 8 * i + 4, b + 4 * i, 4);
	}
}

/* Copies bytes (<= 256) with fixed-size moves: 32-byte chunks, then one
 * overlapping move for the tail (dst and src never overlap each other). */
static inline void copy_small(char *restrict d, const char *restrict s, size_t bytes)
{
	if (bytes >= 32) {
		size_t i = 0;
		for (; i + 32 <= bytes; i += 32)
			memcpy(d + i, s + i, 32);
		if (i < bytes)
			memcpy(d + bytes - 32, s + bytes - 32, 32);
	} else if (bytes >= 16) {
		memcpy(d, s, 16);
		memcpy(d + bytes - 16, s + bytes - 16, 16);
	} else if (bytes >= 8) {
		memcpy(d, s, 8);
		memcpy(d + bytes - 8, s + bytes - 8, 8);
	} else if (bytes >= 4) {
		memcpy(d, s, 4);
		memcpy(d + bytes - 4, s + bytes - 4, 4);
	} else {
		for (size_t i = 0; i < bytes; i++)
			d[i] = s[i];
	}
}

/* n1 x n0 blocks of bytes each: block (i1, i0) from src + i1 * s1 + i0 * s0 to
 * dst + i1 * d1 + i0 * d0 (steps in bytes, source steps may be negative).
 * Fixed-size moves for the common small blocks, so that a row of 16 bytes
 * costs a load and a store, not a call. */
#define COPY_LOOP(size)                                                         \
	for (int64_t i1 = 0; i1 < n1; i1++, dst += d1, src += s1)               \
		for (int64_t i0 = 0; i0 < n0; i0++)                             \
			size
static inline void copy_blocks(char *restrict dst, const char *restrict src, int64_t n1,
                        int64_t d1, int64_t s1, int64_t n0, int64_t d0, int64_t s0,
                        size_t bytes)
{
	if (d0 == (int64_t)bytes && s0 == (int64_t)bytes) {
		for (int64_t i1 = 0; i1 < n1; i1++)
			memcpy(dst + i1 * d1, src + i1 * s1, (size_t)n0 * bytes);
		return;
	}
	if (bytes == 4 && d0 == 4 && s0 == 8) {
		for (int64_t i1 = 0; i1 < n1; i1++)
			copy_every2_u32(dst + i1 * d1, src + i1 * s1, n0);
		return;
	}
	switch (bytes) {
	case 4: COPY_LOOP(memcpy(dst + i0 * d0, src + i0 * s0, 4)); break;
	case 8: COPY_LOOP(memcpy(dst + i0 * d0, src + i0 * s0, 8)); break;
	case 16: COPY_LOOP(memcpy(dst + i0 * d0, src + i0 * s0, 16)); break;
	case 32: COPY_LOOP(memcpy(dst + i0 * d0, src + i0 * s0, 32)); break;
	case 64: COPY_LOOP(memcpy(dst + i0 * d0, src + i0 * s0, 64)); break;
	default:
		if (bytes <= 256)
			COPY_LOOP(copy_small(dst + i0 * d0, src + i0 * s0, bytes));
		else
			COPY_LOOP(memcpy(dst + i0 * d0, src + i0 * s0, bytes));
		break;
	}
}
#undef COPY_LOOP

#endif
