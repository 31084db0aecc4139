/* einsum_mm.h - Einsum's batched matrix product (ops/math/einsum.c) for one element type.
 * No include guard: ops/math/einsum.c includes it once per type, with T the element type
 * and KN(name) the function's name for the type (KN(mm) is mm_f32 for float), after
 * KN(row), the product of one row; it undefines them at its end. */

/* B of one batch entry as [k][n] contiguous. */
static void KN(pack)(const T *restrict b, T *restrict d, const struct einsum_mm *q)
{
	for (int64_t kk = 0; kk < q->k; kk++)
		for (int64_t j = 0; j < q->n; j++)
			d[kk * q->n + j] = b[kk * q->b_sk + j * q->b_sn];
}

/* The batched product: per batch entry and row of Y, an i-k-j loop over
 * B packed as [k][n] (float: the rows of Y with ops/math/gemm.h). work: [k*n] for B
 * (unless packed or direct), then [n] for a Y row (when Y's n stride is not 1). */
static void KN(mm)(const struct einsum_mm *q, const T *a, const T *b, T *y, T *work)
{
	int64_t idx[MAX_LABELS] = { 0 }, oa = 0, ob = 0, oy = 0;
	T *row = work + q->k * q->n;
	for (;;) {
		const T *bk = q->b_packed;
		int l;
		if (!bk && q->b_direct) {
			bk = b + ob;
		} else if (!bk) {
			KN(pack)(b + ob, work, q);
			bk = work;
		}
		for (int64_t i = 0; i < q->m; i++) {
			const T *ar = a + oa + i * q->a_sm;
			T *restrict yr = q->y_sn == 1 ? y + oy + i * q->y_sm : row;
			memset(yr, 0, (size_t)q->n * sizeof(T));
			KN(row)(q, ar, bk, yr);
			if (q->y_sn != 1)
				for (int64_t j = 0; j < q->n; j++)
					y[oy + i * q->y_sm + j * q->y_sn] = row[j];
		}
		for (l = q->n_batch - 1; l >= 0; l--) {
			oa += q->a_sb[l];
			ob += q->b_sb[l];
			oy += q->y_sb[l];
			if (++idx[l] < q->batch[l])
				break;
			oa -= q->a_sb[l] * q->batch[l];
			ob -= q->b_sb[l] * q->batch[l];
			oy -= q->y_sb[l] * q->batch[l];
			idx[l] = 0;
		}
		if (l < 0)
			break;
	}
}

#undef KN
#undef T
