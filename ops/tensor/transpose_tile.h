/* transpose_tile.h - one tile of Transpose (ops/tensor/tensor_ops.c) for one element size.
 * No include guard: ops/tensor/tensor_ops.c includes it once per size, with T the unsigned
 * integer type of that size and KN(name) the function's name for it (KN(tile) is
 * tile_u32 for 4 bytes), and optionally ZIP2(d, a, b, n) and UNZIP2(d, s, n), the
 * interleave of two rows and the copy of every other element (ops/copy.h) in vectors;
 * it undefines them at its end. */

static void KN(tile)(void *restrict dst, const void *restrict src, int64_t np,
                     int64_t nl, int64_t ods, int64_t sis)
{
	T *restrict d = dst;
	const T *restrict s = src;
	int64_t p = 0;
	if (nl == 2) {          /* pairs: interleave two input rows */
#ifdef ZIP2
		if (ods == 2) {
			ZIP2((char *)d, (const char *)s, (const char *)(s + sis), np);
			return;
		}
#endif
		for (; p < np; p++, d += ods) {
			d[0] = s[p];
			d[1] = s[sis + p];
		}
		return;
	}
	if (np == 2) {          /* two output rows from input pairs */
#ifdef UNZIP2
		if (sis == 2) {
			UNZIP2((char *)d, (const char *)s, nl);
			UNZIP2((char *)(d + ods), (const char *)(s + 1), nl);
			return;
		}
#endif
		for (int64_t l = 0; l < nl; l++, s += sis) {
			d[l] = s[0];
			d[ods + l] = s[1];
		}
		return;
	}
	for (; p + 4 <= np; p += 4) {
		T *restrict d0 = d + p * ods;
		int64_t l = 0;
		for (; l + 4 <= nl; l += 4) {
			const T *s0 = s + l * sis + p;
			const T *s1 = s0 + sis, *s2 = s1 + sis;
			const T *s3 = s2 + sis;
			for (int j = 0; j < 4; j++) {
				d0[j * ods + l] = s0[j];
				d0[j * ods + l + 1] = s1[j];
				d0[j * ods + l + 2] = s2[j];
				d0[j * ods + l + 3] = s3[j];
			}
		}
		for (; l < nl; l++)
			for (int j = 0; j < 4; j++)
				d0[j * ods + l] = s[l * sis + p + j];
	}
	for (; p < np; p++)
		for (int64_t l = 0; l < nl; l++)
			d[p * ods + l] = s[l * sis + p];
}

#undef KN
#undef T
#undef ZIP2
#undef UNZIP2
