/* gemm_ukernel.h - the struct gemm_ukernel (ops/math/gemm.h) of the including file's
 * gemm_rows(rows, n, k, ...) (rows a constant where inlined), gemm_tail() and
 * gemm_packed(). No include guard: ops/math/gemm.c and ops/math/gemm_avx2.c include it
 * once, with GEMM_UKERNEL the table's name and GEMM_NV its vector width; it undefines
 * them at its end. */

static void rows1(int64_t n, int64_t k, const float *a, int64_t a_rs, int64_t a_cs,
                  const float *b, int64_t ldb, float *c, int64_t ldc)
{
	gemm_rows(1, n, k, a, a_rs, a_cs, b, ldb, c, ldc);
}

static void rows2(int64_t n, int64_t k, const float *a, int64_t a_rs, int64_t a_cs,
                  const float *b, int64_t ldb, float *c, int64_t ldc)
{
	gemm_rows(2, n, k, a, a_rs, a_cs, b, ldb, c, ldc);
}

static void rows3(int64_t n, int64_t k, const float *a, int64_t a_rs, int64_t a_cs,
                  const float *b, int64_t ldb, float *c, int64_t ldc)
{
	gemm_rows(3, n, k, a, a_rs, a_cs, b, ldb, c, ldc);
}

static void rows4(int64_t n, int64_t k, const float *a, int64_t a_rs, int64_t a_cs,
                  const float *b, int64_t ldb, float *c, int64_t ldc)
{
	gemm_rows(4, n, k, a, a_rs, a_cs, b, ldb, c, ldc);
}

const struct gemm_ukernel GEMM_UKERNEL = { GEMM_NV, { rows1, rows2, rows3, rows4 },
                                           gemm_tail, gemm_packed };

#undef GEMM_UKERNEL
#undef GEMM_NV
