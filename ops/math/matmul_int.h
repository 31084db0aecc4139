/* matmul_int.h - MatMul's integer product (ops/math/matmul.c) for one element type. No
 * include guard: ops/math/matmul.c includes it once per type, with T the element type, U
 * the unsigned type of the arithmetic and KN(name) the function's name for the type
 * (KN(gemm) is gemm_i32 for int32); it undefines them at its end. */

/* Y[m,n] = A[m,k] B[k,n], i-k-j loops that multiply and add in the unsigned type U,
 * so overflow wraps as in numpy. */
static void KN(gemm)(const T *restrict a, const T *restrict b, T *restrict y,
                     int64_t m, int64_t k, int64_t n)
{
	for (int64_t i = 0; i < m; i++) {
		T *restrict yr = y + i * n;
		memset(yr, 0, (size_t)n * sizeof(T));
		for (int64_t p = 0; p < k; p++) {
			const T *restrict br = b + p * n;
			U v = (U)a[i * k + p];
			for (int64_t j = 0; j < n; j++)
				yr[j] = (T)((U)yr[j] + v * (U)br[j]);
		}
	}
}

#undef KN
#undef T
#undef U
