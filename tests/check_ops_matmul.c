/* check_ops_matmul.c - unit tests for MatMul (ops/math/matmul.c) and Einsum
 * (ops/math/einsum.c): hand-computed values, comparisons with plain reference
 * loops, shapes, errors and opsets; the SIMD variants of the GEMM
 * (ops/math/gemm.h) against the portable one.
 * Rerun one case: CK_RUN_SUITE=MatMul CK_RUN_CASE=values ./tests/check_ops_matmul */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "ops/cpu.h"
#include "ops/math/sparse.h"
#include "tests/check_kernels.h"
#include "tests/op_harness.h"

/* --- MatMul --- */

START_TEST(matmul_values_2d)
{
	struct harness h;
	const int64_t da[] = { 2, 3 }, db[] = { 3, 2 }, dy[] = { 2, 2 };
	const float a[] = { 1, 2, 3, 4, 5, 6 }, b[] = { 7, 8, 9, 10, 11, 12 };
	const float y[] = { 58, 64, 139, 154 };

	h_init(&h, "MatMul", 13);
	h_input(&h, DT_FLOAT, 2, da, a, 0);
	h_input(&h, DT_FLOAT, 2, db, b, 0);
	h_output(&h);
	h_run_ok(&h);
	expect_dims(h.out[0], 2, dy);
	expect_f32(h.out[0], y, 4, 0, 0, "Y");
	h_free(&h);
}
END_TEST

/* Every row count 1..9 (the 4-row blocks and the rest). */
START_TEST(matmul_values_rows)
{
	for (int m = 1; m <= 9; m++) {
		struct harness h;
		float a[9 * 5], b[5 * 7], y[9 * 7];
		const int64_t da[] = { m, 5 }, db[] = { 5, 7 };
		rng_state = (uint32_t)m;
		fill(a, m * 5, 1);
		fill(b, 35, 1);
		ref_gemm(a, b, y, m, 5, 7);
		h_init(&h, "MatMul", 13);
		h_input(&h, DT_FLOAT, 2, da, a, 0);
		h_input(&h, DT_FLOAT, 2, db, b, 0);
		h_output(&h);
		h_run_ok(&h);
		expect_f32(h.out[0], y, m * 7, 1e-6, 1e-5, "Y");
		h_free(&h);
	}
}
END_TEST

START_TEST(matmul_values_vectors)
{
	struct harness h;
	const int64_t d3[] = { 3 }, d32[] = { 3, 2 }, d23[] = { 2, 3 }, d2[] = { 2 };
	const float v[] = { 1, 2, 3 }, m32[] = { 1, 2, 3, 4, 5, 6 };
	const float dot[] = { 14 }, vm[] = { 22, 28 }, mv[] = { 14, 32 };

	/* 1-D x 1-D: a scalar */
	h_init(&h, "MatMul", 13);
	h_input(&h, DT_FLOAT, 1, d3, v, 0);
	h_input(&h, DT_FLOAT, 1, d3, v, 0);
	h_output(&h);
	h_run_ok(&h);
	ck_assert_int_eq(h.out[0]->ndim, 0);
	expect_f32(h.out[0], dot, 1, 0, 0, "Y");
	h_free(&h);

	/* 1-D x 2-D: [3] x [3,2] -> [2] */
	h_init(&h, "MatMul", 13);
	h_input(&h, DT_FLOAT, 1, d3, v, 0);
	h_input(&h, DT_FLOAT, 2, d32, m32, 0);
	h_output(&h);
	h_run_ok(&h);
	expect_dims(h.out[0], 1, d2);
	expect_f32(h.out[0], vm, 2, 0, 0, "Y");
	h_free(&h);

	/* 2-D x 1-D: [2,3] x [3] -> [2] */
	h_init(&h, "MatMul", 13);
	h_input(&h, DT_FLOAT, 2, d23, m32, 0);
	h_input(&h, DT_FLOAT, 1, d3, v, 0);
	h_output(&h);
	h_run_ok(&h);
	expect_dims(h.out[0], 1, d2);
	expect_f32(h.out[0], mv, 2, 0, 0, "Y");
	h_free(&h);
}
END_TEST

/* (2,1,3,4) x (5,4,6) -> (2,5,3,6), and (3,2,4) x (4,5) (B shared: folded). */
START_TEST(matmul_values_broadcast)
{
	struct harness h;
	float a[2 * 3 * 4], b[5 * 4 * 6], y[2 * 5 * 3 * 6];
	const int64_t da[] = { 2, 1, 3, 4 }, db[] = { 5, 4, 6 }, dy[] = { 2, 5, 3, 6 };
	float a2[3 * 2 * 4], b2[4 * 5], y2[3 * 2 * 5];
	const int64_t da2[] = { 3, 2, 4 }, db2[] = { 4, 5 }, dy2[] = { 3, 2, 5 };

	rng_state = 7;
	fill(a, 24, 1);
	fill(b, 120, 1);
	for (int i = 0; i < 2; i++)
		for (int j = 0; j < 5; j++)
			ref_gemm(a + i * 12, b + j * 24, y + (i * 5 + j) * 18, 3, 4, 6);
	h_init(&h, "MatMul", 13);
	h_input(&h, DT_FLOAT, 4, da, a, 0);
	h_input(&h, DT_FLOAT, 3, db, b, 0);
	h_output(&h);
	h_run_ok(&h);
	expect_dims(h.out[0], 4, dy);
	expect_f32(h.out[0], y, 180, 1e-6, 1e-5, "Y");
	h_free(&h);

	fill(a2, 24, 1);
	fill(b2, 20, 1);
	ref_gemm(a2, b2, y2, 6, 4, 5);
	h_init(&h, "MatMul", 11);
	h_input(&h, DT_FLOAT, 3, da2, a2, 0);
	h_input(&h, DT_FLOAT, 2, db2, b2, 1);
	h_output(&h);
	h_run_ok(&h);
	expect_dims(h.out[0], 3, dy2);
	expect_f32(h.out[0], y2, 30, 1e-6, 1e-5, "Y");
	h_free(&h);

	/* A broadcast against a batched B: (4,5) x (3,5,2) */
	{
		float a3[20], b3[30], y3[24];
		const int64_t da3[] = { 4, 5 }, db3[] = { 3, 5, 2 }, dy3[] = { 3, 4, 2 };
		fill(a3, 20, 1);
		fill(b3, 30, 1);
		for (int i = 0; i < 3; i++)
			ref_gemm(a3, b3 + i * 10, y3 + i * 8, 4, 5, 2);
		h_init(&h, "MatMul", 13);
		h_input(&h, DT_FLOAT, 2, da3, a3, 0);
		h_input(&h, DT_FLOAT, 3, db3, b3, 0);
		h_output(&h);
		h_run_ok(&h);
		expect_dims(h.out[0], 3, dy3);
		expect_f32(h.out[0], y3, 24, 1e-6, 1e-5, "Y");
		h_free(&h);
	}
}
END_TEST

START_TEST(matmul_values_types)
{
	struct harness h;
	const int64_t d22[] = { 2, 2 };

	{       /* int32 wraps like numpy */
		const int32_t a[] = { 2147483647, 1, 3, -4 }, b[] = { 2, 0, 5, 6 };
		const int32_t y[] = { (int32_t)(2147483647u * 2u + 5u), 6, 6 - 20, -24 };
		h_init(&h, "MatMul", 9);
		h_input(&h, DT_INT32, 2, d22, a, 0);
		h_input(&h, DT_INT32, 2, d22, b, 0);
		h_output(&h);
		h_run_ok(&h);
		ck_assert_int_eq(h.out[0]->dtype, DT_INT32);
		for (int i = 0; i < 4; i++)
			ck_assert_msg(((int32_t *)h.out[0]->data)[i] == y[i], "Y[%d]: got %d, expected %d",
			              i, ((int32_t *)h.out[0]->data)[i], y[i]);
		h_free(&h);
	}
	{
		const int64_t a[] = { 1, -2, 3, 4 }, b[] = { 5, 6, 7, 8 }, y[] = { -9, -10, 43, 50 };
		h_init(&h, "MatMul", 13);
		h_input(&h, DT_INT64, 2, d22, a, 0);
		h_input(&h, DT_INT64, 2, d22, b, 0);
		h_output(&h);
		h_run_ok(&h);
		for (int i = 0; i < 4; i++)
			ck_assert_msg(((int64_t *)h.out[0]->data)[i] == y[i], "Y[%d]: got %lld, expected %lld",
			              i, (long long)((int64_t *)h.out[0]->data)[i], (long long)y[i]);
		h_free(&h);
	}
	{
		const uint32_t a[] = { 1, 2, 3, 4 }, b[] = { 5, 6, 7, 8 }, y[] = { 19, 22, 43, 50 };
		h_init(&h, "MatMul", 13);
		h_input(&h, DT_UINT32, 2, d22, a, 0);
		h_input(&h, DT_UINT32, 2, d22, b, 0);
		h_output(&h);
		h_run_ok(&h);
		ck_assert(!memcmp(h.out[0]->data, y, sizeof(y)));
		h_free(&h);
	}
	{
		const uint64_t a[] = { 1, 2, 3, 4 }, b[] = { 5, 6, 7, 8 }, y[] = { 19, 22, 43, 50 };
		h_init(&h, "MatMul", 13);
		h_input(&h, DT_UINT64, 2, d22, a, 0);
		h_input(&h, DT_UINT64, 2, d22, b, 0);
		h_output(&h);
		h_run_ok(&h);
		ck_assert(!memcmp(h.out[0]->data, y, sizeof(y)));
		h_free(&h);
	}
	{
		const double a[] = { 0.1, 0.2, 0.3, 0.4 }, b[] = { 1, 2, 3, 4 };
		const double y[] = { 0.7, 1.0, 1.5, 2.2 };
		h_init(&h, "MatMul", 1);
		h_input(&h, DT_DOUBLE, 2, d22, a, 0);
		h_input(&h, DT_DOUBLE, 2, d22, b, 0);
		h_output(&h);
		h_run_ok(&h);
		expect_f64(h.out[0], y, 4, 1e-15, "Y");
		h_free(&h);
	}
	{       /* float16 and bfloat16: exact small integers */
		const float af[] = { 1, 2, 3, 4 }, bf[] = { 5, 6, 7, 8 }, y[] = { 19, 22, 43, 50 };
		for (int bf16 = 0; bf16 < 2; bf16++) {
			uint16_t a[4], b[4];
			for (int i = 0; i < 4; i++) {
				a[i] = bf16 ? float_to_bf16(af[i]) : float_to_half(af[i]);
				b[i] = bf16 ? float_to_bf16(bf[i]) : float_to_half(bf[i]);
			}
			h_init(&h, "MatMul", 13);
			h_input(&h, bf16 ? DT_BFLOAT16 : DT_FLOAT16, 2, d22, a, 0);
			h_input(&h, bf16 ? DT_BFLOAT16 : DT_FLOAT16, 2, d22, b, 0);
			h_output(&h);
			h_run_ok(&h);
			for (int i = 0; i < 4; i++) {
				uint16_t v = ((uint16_t *)h.out[0]->data)[i];
				float got = bf16 ? bf16_to_float(v) : half_to_float(v);
				ck_assert_msg(got == y[i], "Y[%d] (%s): got %g, expected %g", i,
				              bf16 ? "bfloat16" : "float16", (double)got, (double)y[i]);
			}
			h_free(&h);
		}
	}
}
END_TEST

/* Every variant of ops/math/gemm.h: the portable one against a double reference, the
 * others against the portable one (they differ by fused multiply-adds only).
 * Row counts 1..9 (the 4-row blocks and the rest), column counts around the
 * vector widths, A plain and transposed, C accumulated into and wider than n. */
START_TEST(matmul_gemm_variants)
{
	static const int64_t ns[] = { 1, 3, 4, 5, 8, 12, 15, 16, 17, 24, 31, 33, 40, 65 };
	static const int64_t ks[] = { 1, 2, 7, 24 };
	static float a[9 * 24], b[24 * 65], c0[9 * 70], c1[9 * 70], c2[9 * 70];
	/* this CPU's table (ops/cpu.h), if it is not the portable one */
	const struct kernels *kc = simd_kernels("matmul_gemm_variants");
	const int avx2 = kc != NULL;

	rng_state = 4242u;
	fill(a, 9 * 24, 1);
	fill(b, 24 * 65, 1);
	for (int64_t m = 1; m <= 9; m++)
		for (size_t in = 0; in < sizeof(ns) / sizeof(ns[0]); in++)
			for (size_t ik = 0; ik < sizeof(ks) / sizeof(ks[0]); ik++)
				for (int tr = 0; tr < 2; tr++) {
					int64_t n = ns[in], k = ks[ik], ldc = n + 5;
					int64_t a_rs = tr ? 1 : k, a_cs = tr ? m : 1;
					fill(c0, 9 * 70, 1);
					memcpy(c1, c0, sizeof(c0));
					memcpy(c2, c0, sizeof(c0));
					gemm_f32_run(kernels_portable.gemm, m, n, k, a, a_rs, a_cs, b, n,
					             c1, ldc);
					if (avx2)
						gemm_f32_run(kc->gemm, m, n, k, a, a_rs, a_cs, b, n, c2, ldc);
					for (int64_t i = 0; i < m; i++)
						for (int64_t j = 0; j < ldc; j++) {
							double e = c0[i * ldc + j];
							float g1 = c1[i * ldc + j], g2 = c2[i * ldc + j];
							for (int64_t p = 0; j < n && p < k; p++)
								e += (double)a[i * a_rs + p * a_cs] * b[p * n + j];
							ck_assert_msg(fabs(g1 - e) <= 1e-5 * (1 + fabs(e)),
							              "portable m %lld n %lld k %lld tr %d C[%lld][%lld]: "
							              "got %.8g, expected %.8g", (long long)m,
							              (long long)n, (long long)k, tr, (long long)i,
							              (long long)j, (double)g1, e);
							ck_assert_msg(!avx2 || fabs(g2 - g1) <= 1e-5 * (1 + fabs(g1)),
							              "%s m %lld n %lld k %lld tr %d C[%lld][%lld]: "
							              "got %.8g, portable %.8g", kc->name, (long long)m,
							              (long long)n, (long long)k, tr, (long long)i,
							              (long long)j, (double)g2, (double)g1);
						}
				}
}
END_TEST

/* The product with a packed B (ops/math/gemm.h) of every table: the same sums as
 * gemm_f32_run with the same table, so equal to the last bit. Row counts 1..9 (blocks
 * of 1 to 4 rows), column counts around the panel width and its multiples (the last
 * panel part zeros), A plain and transposed, B packed from rows and from columns. */
START_TEST(matmul_gemm_packed)
{
	static const int64_t ns[] = { 1, 5, 8, 15, 16, 17, 24, 33, 48, 63, 64, 65, 80, 97 };
	static const int64_t ks[] = { 1, 3, 24 };
	static float a[9 * 24], b[24 * 97], bt[97 * 24], bp[24 * 112], c0[9 * 102], c1[9 * 102],
	             c2[9 * 102];
	const struct kernels *tabs[2] = { &kernels_portable, simd_kernels("matmul_gemm_packed") };

	rng_state = 777u;
	fill(a, 9 * 24, 1);
	for (int t = 0; t < 2 && tabs[t]; t++)
	for (int64_t m = 1; m <= 9; m++)
	for (size_t in = 0; in < sizeof(ns) / sizeof(ns[0]); in++)
	for (size_t ik = 0; ik < sizeof(ks) / sizeof(ks[0]); ik++)
	for (int tr = 0; tr < 4; tr++) {
		int64_t n = ns[in], k = ks[ik], ldc = n + 5;
		int64_t a_rs = tr & 1 ? 1 : k, a_cs = tr & 1 ? m : 1;
		fill(b, k * n, 1);
		for (int64_t p = 0; p < k; p++)
			for (int64_t j = 0; j < n; j++)
				bt[j * k + p] = b[p * n + j];
		ck_assert_int_eq(gemm_packed_floats(n, k), (n + 15) / 16 * 16 * k);
		if (tr & 2)
			gemm_pack_b(bp, bt, 1, k, n, k);
		else
			gemm_pack_b(bp, b, n, 1, n, k);
		fill(c0, 9 * 102, 1);
		memcpy(c1, c0, sizeof(c0));
		memcpy(c2, c0, sizeof(c0));
		gemm_f32_run(tabs[t]->gemm, m, n, k, a, a_rs, a_cs, b, n, c1, ldc);
		tabs[t]->gemm->packed(m, n, k, a, a_rs, a_cs, bp, c2, ldc);
		for (int64_t i = 0; i < m * ldc; i++)
			ck_assert_msg(c2[i] == c1[i], "%s m %lld n %lld k %lld tr %d "
			              "C[%lld][%lld]: got %.9g, gemm_f32_run %.9g", tabs[t]->name,
			              (long long)m, (long long)n, (long long)k, tr,
			              (long long)(i / ldc), (long long)(i % ldc), (double)c2[i],
			              (double)c1[i]);
	}
}
END_TEST

/* A constant B with at most one nonzero in 16 (ops/math/sparse.h), in runs along its
 * columns (an ERB analysis bank) or along its rows (a synthesis bank): sparse_plan picks
 * that orientation, and the product over the nonzeros is the portable full product bit
 * for bit (unit and through MatMul, B constant against B an input); near a reference
 * in double. An infinity in A makes the full product's NaNs (B's zeros count). */
START_TEST(matmul_sparse_b)
{
	enum { K = 64, N = 48, M = 10 };
	static float a[M * K], b[K * N], y0[M * N], y1[M * N], yr[M * N];
	const int64_t da[] = { 2, 5, K }, db[] = { K, N };

	for (int pattern = 0; pattern < 3; pattern++) {
		struct harness h, hd;
		struct sparse_b sb;
		rng_state = 99u + (uint32_t)pattern;
		fill(a, M * K, 1);
		memset(b, 0, sizeof(b));
		for (int64_t j = 0; pattern == 0 && j < N; j++)      /* runs of 3 down columns */
			for (int64_t t = 0; t < 3; t++)
				b[(j + t) * N + j] = 0.25f + 0.01f * (float)(j + t);
		for (int64_t p = 0; pattern == 1 && p < K; p++)      /* runs of 2 along rows */
			for (int64_t t = 0; t < 2; t++)
				b[p * N + (p * 3 + t) % N] = -0.5f + 0.02f * (float)p;
		for (int64_t i = 0; pattern == 2 && i < K * N / 8; i++)   /* too dense */
			b[(i * 37) % (K * N)] = 1.0f;
		h_init(&h, "MatMul", 13);
		ck_assert_int_eq(sparse_plan(&sb, b, K, N, &h.x), pattern == 2 ? 0 : 1);
		if (pattern < 2) {
			ck_assert_int_eq(sb.by_rows, pattern);
			memset(y0, 0, sizeof(y0));
			gemm_f32_run(kernels_portable.gemm, M, N, K, a, K, 1, b, N, y0, N);
			ck_assert_int_eq(sparse_product(&sb, a, K, M, y1), 1);
			ck_assert_mem_eq(y1, y0, sizeof(y0));
		}
		/* through MatMul: B constant (the sparse product) and B an input (the full one) */
		h.x.kern = &kernels_portable;
		h_input(&h, DT_FLOAT, 3, da, a, 0);
		h_input(&h, DT_FLOAT, 2, db, b, 1);
		h_output(&h);
		h_init(&hd, "MatMul", 13);
		hd.x.kern = &kernels_portable;
		h_input(&hd, DT_FLOAT, 3, da, a, 0);
		h_input(&hd, DT_FLOAT, 2, db, b, 0);
		h_output(&hd);
		h_run_ok(&h);
		h_run_ok(&hd);
		ck_assert_mem_eq(h.out[0]->data, hd.out[0]->data, sizeof(y0));
		ref_gemm(a, b, yr, M, K, N);
		expect_f32(h.out[0], yr, M * N, 1e-6, 1e-5, "Y");
		h_free(&h);
		h_free(&hd);
	}
	/* an infinity in A times a zero of B: NaN, as the full product has it */
	{
		struct harness h;
		h_init(&h, "MatMul", 13);
		a[K + 5] = INFINITY;         /* row 1, p = 5: B row 5 is zero but in columns 3..5 */
		h_input(&h, DT_FLOAT, 3, da, a, 0);
		memset(b, 0, sizeof(b));
		for (int64_t j = 0; j < N; j++)
			for (int64_t t = 0; t < 3; t++)
				b[(j + t) * N + j] = 1.0f;
		h_input(&h, DT_FLOAT, 2, db, b, 1);
		h_output(&h);
		h_run_ok(&h);
		for (int64_t j = 0; j < N; j++)
			ck_assert_msg(isnan(((const float *)h.out[0]->data)[N + j]) == !(j >= 3 && j <= 5),
			              "Y[1][%lld] = %g", (long long)j,
			              (double)((const float *)h.out[0]->data)[N + j]);
		h_free(&h);
	}
}
END_TEST

START_TEST(matmul_shapes_empty)
{
	struct harness h;
	const int64_t da[] = { 2, 0 }, db[] = { 0, 3 }, dy[] = { 2, 3 };
	const int64_t da2[] = { 0, 4 }, db2[] = { 4, 3 }, dy2[] = { 0, 3 };
	const float zeros[6] = { 0 };

	/* K = 0: zeros */
	h_init(&h, "MatMul", 13);
	h_input(&h, DT_FLOAT, 2, da, NULL, 0);
	h_input(&h, DT_FLOAT, 2, db, NULL, 0);
	h_output(&h);
	h_run_ok(&h);
	expect_dims(h.out[0], 2, dy);
	expect_f32(h.out[0], zeros, 6, 0, 0, "Y");
	h_free(&h);

	/* M = 0: empty */
	h_init(&h, "MatMul", 13);
	h_input(&h, DT_FLOAT, 2, da2, NULL, 0);
	h_input(&h, DT_FLOAT, 2, db2, NULL, 0);
	h_output(&h);
	h_run_ok(&h);
	expect_dims(h.out[0], 2, dy2);
	h_free(&h);
}
END_TEST

START_TEST(matmul_errors)
{
	struct harness h;
	const int64_t d23[] = { 2, 3 }, d2[] = { 2 }, d423[] = { 4, 2, 3 }, d532[] = { 5, 3, 2 };

	h_init(&h, "MatMul", 13);
	h_input(&h, DT_FLOAT, 2, d23, NULL, 0);
	h_input(&h, DT_FLOAT, 2, d23, NULL, 0);
	h_output(&h);
	h_run_err(&h, GRT_E_SHAPE, "3 columns but B 'in' has 2 rows");
	h_free(&h);

	h_init(&h, "MatMul", 13);
	h_input(&h, DT_FLOAT, 3, d423, NULL, 0);
	h_input(&h, DT_FLOAT, 3, d532, NULL, 0);
	h_output(&h);
	h_run_err(&h, GRT_E_SHAPE, "batch dims do not broadcast");
	h_free(&h);

	h_init(&h, "MatMul", 13);
	h_input(&h, DT_FLOAT, 0, d2, NULL, 0);
	h_input(&h, DT_FLOAT, 1, d2, NULL, 0);
	h_output(&h);
	h_run_err(&h, GRT_E_SHAPE, "must have rank >= 1");
	h_free(&h);

	h_init(&h, "MatMul", 13);
	h_input(&h, DT_FLOAT, 1, d2, NULL, 0);
	h_input(&h, DT_DOUBLE, 1, d2, NULL, 0);
	h_output(&h);
	h_run_err(&h, GRT_E_DTYPE, "A is float but B is double");
	h_free(&h);

	h_init(&h, "MatMul", 13);
	h_input(&h, DT_INT8, 1, d2, NULL, 0);
	h_input(&h, DT_INT8, 1, d2, NULL, 0);
	h_output(&h);
	h_run_err(&h, GRT_E_DTYPE, "unsupported element type int8");
	h_free(&h);
}
END_TEST

START_TEST(matmul_opsets)
{
	struct harness h;
	const int64_t d2[] = { 2 };

	/* integers from MatMul-9, bfloat16 from MatMul-13 */
	h_init(&h, "MatMul", 8);
	h_input(&h, DT_INT32, 1, d2, NULL, 0);
	h_input(&h, DT_INT32, 1, d2, NULL, 0);
	h_output(&h);
	h_run_err(&h, GRT_E_DTYPE, "int32");
	h_free(&h);

	h_init(&h, "MatMul", 12);
	h_input(&h, DT_BFLOAT16, 1, d2, NULL, 0);
	h_input(&h, DT_BFLOAT16, 1, d2, NULL, 0);
	h_output(&h);
	h_run_err(&h, GRT_E_DTYPE, "bfloat16");
	h_free(&h);

	for (int o = 1; o <= 18; o++) {
		h_init(&h, "MatMul", o);
		ck_assert_msg(h.n.op != NULL, "no MatMul at opset %d", o);
	}
}
END_TEST

/* --- Einsum --- */

/* Runs equation on float inputs; the output stays in h. */
static int einsum_f32(struct harness *h, const char *eq, int n_in, const int *ndim,
                      const int64_t *const *dims, const float *const *data, int b_const)
{
	h_init(h, "Einsum", 13);
	for (int i = 0; i < n_in; i++)
		h_input(h, DT_FLOAT, ndim[i], dims[i], data[i], b_const && i == 1);
	h_output(h);
	h_attr_string(h, "equation", eq);
	return h_run(h);
}

START_TEST(einsum_values_basic)
{
	struct harness h;
	const int64_t d23[] = { 2, 3 }, d32[] = { 3, 2 }, d33[] = { 3, 3 }, d3[] = { 3 };
	const float a[] = { 1, 2, 3, 4, 5, 6 }, b[] = { 7, 8, 9, 10, 11, 12 };
	const float sq[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 }, v[] = { 1, 2, 3 };
	static const struct {
		const char *eq;
		int n_in;
		int which[2];          /* 0: a [2,3], 1: b [3,2], 2: sq [3,3], 3: v [3] */
		int ndim;
		int64_t dims[3];
		float y[9];
	} cases[] = {
		{ "ij,jk->ik", 2, { 0, 1 }, 2, { 2, 2 }, { 58, 64, 139, 154 } },
		{ "ij,jk", 2, { 0, 1 }, 2, { 2, 2 }, { 58, 64, 139, 154 } },
		{ " i j , j k -> k i ", 2, { 0, 1 }, 2, { 2, 2 }, { 58, 139, 64, 154 } },
		{ "ij->ji", 1, { 0 }, 2, { 3, 2 }, { 1, 4, 2, 5, 3, 6 } },
		{ "ij", 1, { 0 }, 2, { 2, 3 }, { 1, 2, 3, 4, 5, 6 } },
		{ "ji", 1, { 0 }, 2, { 3, 2 }, { 1, 4, 2, 5, 3, 6 } },
		{ "ij->i", 1, { 0 }, 1, { 2 }, { 6, 15 } },
		{ "ij->", 1, { 0 }, 0, { 0 }, { 21 } },
		{ "ii->i", 1, { 2 }, 1, { 3 }, { 1, 5, 9 } },
		{ "ii", 1, { 2 }, 0, { 0 }, { 15 } },
		{ "i,i", 2, { 3, 3 }, 0, { 0 }, { 14 } },
		{ "i,j->ij", 2, { 3, 3 }, 2, { 3, 3 }, { 1, 2, 3, 2, 4, 6, 3, 6, 9 } },
		{ "ij,j->i", 2, { 2, 3 }, 1, { 3 }, { 14, 32, 50 } },
		{ "ij,ij->ij", 2, { 2, 2 }, 2, { 3, 3 }, { 1, 4, 9, 16, 25, 36, 49, 64, 81 } },
		{ "ji,ij->i", 2, { 2, 2 }, 1, { 3 }, { 1 + 8 + 21, 8 + 25 + 48, 21 + 48 + 81 } },
	};

	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		const int64_t *alld[] = { d23, d32, d33, d3 };
		const int alln[] = { 2, 2, 2, 1 };
		const float *alldata[] = { a, b, sq, v };
		const int64_t *dims[2];
		const float *data[2];
		int ndim[2];
		int64_t numel = 1;
		for (int i = 0; i < cases[c].n_in; i++) {
			dims[i] = alld[cases[c].which[i]];
			ndim[i] = alln[cases[c].which[i]];
			data[i] = alldata[cases[c].which[i]];
		}
		ck_assert_msg(einsum_f32(&h, cases[c].eq, cases[c].n_in, ndim, dims, data, 0) == 0,
		              "'%s': %s", cases[c].eq, h.err);
		expect_dims(h.out[0], cases[c].ndim, cases[c].dims);
		for (int d = 0; d < cases[c].ndim; d++)
			numel *= cases[c].dims[d];
		expect_f32(h.out[0], cases[c].y, numel, 1e-6, 1e-6, cases[c].eq);
		h_free(&h);
	}
}
END_TEST

/* Diagonals with batch dims and ellipsis; ellipsis broadcasting. */
START_TEST(einsum_values_ellipsis)
{
	struct harness h;
	float x[2 * 3 * 3];
	const int64_t dx[] = { 2, 3, 3 }, dy[] = { 2, 3 };
	float y[6];

	rng_state = 11;
	fill(x, 18, 1);
	for (int b = 0; b < 2; b++)
		for (int i = 0; i < 3; i++)
			y[b * 3 + i] = x[b * 9 + i * 4];
	{
		const char *eqs[] = { "bii->bi", "...ii->...i", "...ii", "b...i i" };
		for (int e = 0; e < 4; e++) {
			const int nd[] = { 3 };
			const int64_t *ds[] = { dx };
			const float *xs[] = { x };
			ck_assert_msg(!einsum_f32(&h, eqs[e], 1, nd, ds, xs, 0), "'%s': %s", eqs[e], h.err);
			if (e >= 2) {   /* implicit: i is repeated, so summed (a trace per b) */
				const int64_t d1[] = { 2 };
				float tr[2] = { y[0] + y[1] + y[2], y[3] + y[4] + y[5] };
				expect_dims(h.out[0], 1, d1);
				expect_f32(h.out[0], tr, 2, 1e-6, 1e-6, eqs[e]);
			} else {
				expect_dims(h.out[0], 2, dy);
				expect_f32(h.out[0], y, 6, 0, 0, eqs[e]);
			}
			h_free(&h);
		}
	}

	/* "...ij,...jk->...ik" with batch dims (2,1) and (4): (2,4,2,2) */
	{
		float a[2 * 2 * 3], b[4 * 3 * 2], yy[2 * 4 * 2 * 2];
		const int64_t da[] = { 2, 1, 2, 3 }, db[] = { 4, 3, 2 }, dyy[] = { 2, 4, 2, 2 };
		const int nd[] = { 4, 3 };
		const int64_t *ds[] = { da, db };
		const float *xs[] = { a, b };
		fill(a, 12, 1);
		fill(b, 24, 1);
		for (int i = 0; i < 2; i++)
			for (int j = 0; j < 4; j++)
				ref_gemm(a + i * 6, b + j * 6, yy + (i * 4 + j) * 4, 2, 3, 2);
		ck_assert_msg(!einsum_f32(&h, "...ij,...jk->...ik", 2, nd, ds, xs, 0), "%s", h.err);
		expect_dims(h.out[0], 4, dyy);
		expect_f32(h.out[0], yy, 32, 1e-6, 1e-5, "Y");
		h_free(&h);
	}

	/* a named dim of size 1 broadcasts (numpy): "ij,jk" with j = 1 and 3 */
	{
		const float a[] = { 2, 3 }, b[] = { 1, 2, 3, 4, 5, 6 };
		const int64_t da[] = { 2, 1 }, db[] = { 3, 2 }, dyy[] = { 2, 2 };
		const float yy[] = { 18, 24, 27, 36 };
		const int nd[] = { 2, 2 };
		const int64_t *ds[] = { da, db };
		const float *xs[] = { a, b };
		ck_assert_msg(!einsum_f32(&h, "ij,jk", 2, nd, ds, xs, 0), "%s", h.err);
		expect_dims(h.out[0], 2, dyy);
		expect_f32(h.out[0], yy, 4, 0, 0, "Y");
		h_free(&h);
	}
}
END_TEST

/* The matrix-product path (GTCRN's forms and others) against plain loops;
 * the second operand constant (packed at plan time) or not. */
START_TEST(einsum_values_contraction)
{
	static const struct {
		const char *eq;
		int64_t da[4], db[3];
		int na, nb;
	} cases[] = {
		{ "bctf,ef->bcte", { 1, 3, 5, 12 }, { 4, 12 }, 4, 2 },
		{ "bcte,fe->bctf", { 2, 2, 3, 4 }, { 12, 4 }, 4, 2 },
		{ "bij,bjk->bik", { 3, 2, 5 }, { 3, 5, 4 }, 3, 3 },
		{ "ik,kj->ji", { 3, 4 }, { 4, 5 }, 2, 2 },
		{ "bik,kj->bji", { 2, 3, 4 }, { 4, 5 }, 3, 2 },
		{ "kb,jk->jb", { 4, 3 }, { 5, 4 }, 2, 2 },
		{ "abk,kc->cab", { 2, 3, 4 }, { 4, 5 }, 3, 2 },
		{ "ij,jk,kl->il", { 3, 4 }, { 4, 5 }, 2, 2 },
	};

	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		/* label sizes from the shapes, then a reference walk */
		int64_t size[128] = { 0 }, y_numel = 1, odims[8];
		float a[256], b[256], third[64], y[512];
		const char *eq = cases[c].eq, *arrow = strstr(eq, "->");
		const char *ta = eq, *tb = strchr(eq, ',') + 1;
		int three = strchr(tb, ',') != NULL, no = 0;
		int64_t na = 1, nb = 1;
		for (int i = 0; i < cases[c].na; i++) {
			size[(int)ta[i]] = cases[c].da[i];
			na *= cases[c].da[i];
		}
		for (int i = 0; i < cases[c].nb; i++) {
			size[(int)tb[i]] = cases[c].db[i];
			nb *= cases[c].db[i];
		}
		if (three)
			size['l'] = 2;
		for (const char *o = arrow + 2; *o; o++) {
			odims[no++] = size[(int)*o];
			y_numel *= size[(int)*o];
		}
		rng_state = (uint32_t)c + 100;
		fill(a, na, 1);
		fill(b, nb, 1);
		fill(third, 10, 1);
		memset(y, 0, sizeof(y));
		{
			/* odometer over the letters of the equation, in order of first use */
			char letters[16];
			int nl = 0;
			int64_t idx[128] = { 0 };
			for (const char *s = eq; *s; s++)
				if (*s >= 'a' && *s <= 'z' && !memchr(letters, *s, (size_t)nl))
					letters[nl++] = *s;
			for (;;) {
				int64_t oa = 0, ob = 0, oy = 0, ot = 0;
				int l;
				for (int i = 0; i < cases[c].na; i++)
					oa = oa * cases[c].da[i] + idx[(int)ta[i]];
				for (int i = 0; i < cases[c].nb; i++)
					ob = ob * cases[c].db[i] + idx[(int)tb[i]];
				for (const char *o = arrow + 2; *o; o++)
					oy = oy * size[(int)*o] + idx[(int)*o];
				ot = idx['k'] * 2 + idx['l'];
				y[oy] += a[oa] * b[ob] * (three ? third[ot] : 1.0f);
				for (l = nl - 1; l >= 0; l--) {
					if (++idx[(int)letters[l]] < size[(int)letters[l]])
						break;
					idx[(int)letters[l]] = 0;
				}
				if (l < 0)
					break;
			}
		}
		for (int bc = 0; bc < 2; bc++) {
			struct harness h;
			const int nd[] = { cases[c].na, cases[c].nb, 2 };
			const int64_t dt[] = { 5, 2 };
			const int64_t *ds[] = { cases[c].da, cases[c].db, dt };
			const float *xs[] = { a, b, third };
			ck_assert_msg(!einsum_f32(&h, eq, three ? 3 : 2, nd, ds, xs, bc), "'%s': %s", eq,
			              h.err);
			expect_dims(h.out[0], no, odims);
			expect_f32(h.out[0], y, y_numel, 1e-5, 1e-4, eq);
			h_free(&h);
		}
	}
}
END_TEST

START_TEST(einsum_values_types)
{
	struct harness h;
	const int64_t d22[] = { 2, 2 };

	{       /* double: matrix-product path */
		const double a[] = { 0.5, 1, 2, 4 }, b[] = { 1, 2, 3, 4 }, y[] = { 3.5, 5, 14, 20 };
		h_init(&h, "Einsum", 12);
		h_input(&h, DT_DOUBLE, 2, d22, a, 0);
		h_input(&h, DT_DOUBLE, 2, d22, b, 1);
		h_output(&h);
		h_attr_string(&h, "equation", "ij,jk->ik");
		h_run_ok(&h);
		expect_f64(h.out[0], y, 4, 0, "Y");
		h_free(&h);
	}
	{       /* int32 */
		const int32_t a[] = { 1, -2, 3, 4 }, b[] = { 5, 6, 7, 8 }, y[] = { -9, -10, 43, 50 };
		h_init(&h, "Einsum", 12);
		h_input(&h, DT_INT32, 2, d22, a, 0);
		h_input(&h, DT_INT32, 2, d22, b, 0);
		h_output(&h);
		h_attr_string(&h, "equation", "ij,jk->ik");
		h_run_ok(&h);
		ck_assert(!memcmp(h.out[0]->data, y, sizeof(y)));
		h_free(&h);
	}
	{       /* int8 wraps: 100*2 + 100*1 = 300 = 44 mod 256 */
		const int8_t a[] = { 100, 100 }, b[] = { 2, 1 };
		const int64_t d2[] = { 2 };
		h_init(&h, "Einsum", 12);
		h_input(&h, DT_INT8, 1, d2, a, 0);
		h_input(&h, DT_INT8, 1, d2, b, 0);
		h_output(&h);
		h_attr_string(&h, "equation", "i,i->");
		h_run_ok(&h);
		ck_assert_int_eq(((int8_t *)h.out[0]->data)[0], 44);
		h_free(&h);
	}
	{       /* uint8, uint16, int16, int64, uint32, uint64: a trace */
		static const enum dtype types[] = {
			DT_UINT8, DT_UINT16, DT_INT16, DT_INT64, DT_UINT32, DT_UINT64,
		};
		for (int t = 0; t < 6; t++) {
			uint8_t buf[4 * 8] = { 0 };
			size_t es = dtype_size(types[t]);
			int64_t got = 0;
			buf[0] = 3;               /* little endian: [0][0] = 3, [1][1] = 4 */
			buf[3 * es] = 4;
			h_init(&h, "Einsum", 12);
			h_input(&h, types[t], 2, d22, buf, 0);
			h_output(&h);
			h_attr_string(&h, "equation", "ii->");
			h_run_ok(&h);
			memcpy(&got, h.out[0]->data, es);
			ck_assert_msg(got == 7, "%s trace: got %lld", dtype_name(types[t]), (long long)got);
			h_free(&h);
		}
	}
	{       /* float16: both paths */
		const float af[] = { 1, 2, 3, 4 }, bf[] = { 5, 6, 7, 8 };
		const float mm[] = { 19, 22, 43, 50 }, tr[] = { 5 };
		uint16_t a[4], b[4];
		for (int i = 0; i < 4; i++) {
			a[i] = float_to_half(af[i]);
			b[i] = float_to_half(bf[i]);
		}
		h_init(&h, "Einsum", 12);
		h_input(&h, DT_FLOAT16, 2, d22, a, 0);
		h_input(&h, DT_FLOAT16, 2, d22, b, 1);
		h_output(&h);
		h_attr_string(&h, "equation", "ij,jk->ik");
		h_run_ok(&h);
		for (int i = 0; i < 4; i++)
			ck_assert_msg(half_to_float(((uint16_t *)h.out[0]->data)[i]) == mm[i],
			              "Y[%d]: got %g, expected %g", i,
			              (double)half_to_float(((uint16_t *)h.out[0]->data)[i]),
			              (double)mm[i]);
		h_free(&h);
		h_init(&h, "Einsum", 12);
		h_input(&h, DT_FLOAT16, 2, d22, a, 0);
		h_output(&h);
		h_attr_string(&h, "equation", "ii");
		h_run_ok(&h);
		ck_assert(half_to_float(((uint16_t *)h.out[0]->data)[0]) == tr[0]);
		h_free(&h);
	}
}
END_TEST

START_TEST(einsum_shapes_empty)
{
	struct harness h;
	const int64_t da[] = { 2, 0 }, db[] = { 0, 3 }, dy[] = { 2, 3 }, de[] = { 0, 3 };
	const float zeros[6] = { 0 };
	const int nd[] = { 2, 2 };
	const int64_t *ds[] = { da, db };
	const float *xs[] = { NULL, NULL };
	const int64_t *ds2[] = { de };

	/* summed label of size 0: zeros */
	ck_assert_msg(!einsum_f32(&h, "ij,jk->ik", 2, nd, ds, xs, 0), "%s", h.err);
	expect_dims(h.out[0], 2, dy);
	expect_f32(h.out[0], zeros, 6, 0, 0, "Y");
	h_free(&h);
	ck_assert_msg(!einsum_f32(&h, "ij->ji", 1, nd, ds2, xs, 0), "%s", h.err);
	ck_assert_int_eq(h.out[0]->numel, 0);
	h_free(&h);
}
END_TEST

START_TEST(einsum_errors)
{
	struct harness h;
	const int64_t d23[] = { 2, 3 }, d33[] = { 3, 3 }, d43[] = { 4, 3 };
	static const struct {
		const char *eq;
		int code;
		const char *msg;
	} cases[] = {
		{ "ij", GRT_E_ATTR, "has 1 terms for 2 inputs" },
		{ "ij,jk,kl", GRT_E_ATTR, "more terms than the 2 inputs" },
		{ "ij,j1", GRT_E_ATTR, "character '1' in term 1" },
		{ "i.j,jk", GRT_E_ATTR, "lone '.' in term 0" },
		{ "...i...,jk", GRT_E_ATTR, "two '...' in term 0" },
		{ "ijk,jk", GRT_E_SHAPE, "term 0 has 3 labels but input 0 'in' has rank 2" },
		{ "ij,ik", GRT_E_SHAPE, "label 'i' is 3 in input 1 but 2 before" },
		{ "ij,jk->iz", GRT_E_ATTR, "output label 'z' is in no input" },
		{ "ij,jk->ii", GRT_E_ATTR, "output label 'i' repeated" },
		{ "...j,jk->k", GRT_E_ATTR, "the output has no '...'" },
	};

	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		h_init(&h, "Einsum", 12);
		h_input(&h, DT_FLOAT, 2, d23, NULL, 0);
		h_input(&h, DT_FLOAT, 2, d33, NULL, 0);
		h_output(&h);
		h_attr_string(&h, "equation", cases[c].eq);
		h_run_err(&h, cases[c].code, cases[c].msg);
		h_free(&h);
	}

	h_init(&h, "Einsum", 12);
	h_input(&h, DT_FLOAT, 2, d33, NULL, 0);
	h_output(&h);
	h_run_err(&h, GRT_E_ATTR, "'equation' is missing");
	h_free(&h);

	h_init(&h, "Einsum", 12);
	h_input(&h, DT_FLOAT, 2, d43, NULL, 0);
	h_output(&h);
	h_attr_string(&h, "equation", "ii->i");
	h_run_err(&h, GRT_E_SHAPE, "repeated label 'i' has dims 4 and 3");
	h_free(&h);

	h_init(&h, "Einsum", 12);
	h_input(&h, DT_FLOAT, 2, d33, NULL, 0);
	h_input(&h, DT_DOUBLE, 2, d33, NULL, 0);
	h_output(&h);
	h_attr_string(&h, "equation", "ij,jk");
	h_run_err(&h, GRT_E_DTYPE, "input 1 is double but input 0 is float");
	h_free(&h);

	h_init(&h, "Einsum", 12);
	h_input(&h, DT_BOOL, 2, d33, NULL, 0);
	h_output(&h);
	h_attr_string(&h, "equation", "ij");
	h_run_err(&h, GRT_E_DTYPE, "unsupported element type bool");
	h_free(&h);
}
END_TEST

START_TEST(einsum_opsets)
{
	struct harness h;

	h_init(&h, "Einsum", 11);
	ck_assert(h.n.op == NULL);
	for (int o = 12; o <= 18; o++) {
		h_init(&h, "Einsum", o);
		ck_assert_msg(h.n.op != NULL, "no Einsum at opset %d", o);
	}
}
END_TEST

static Suite *suite_matmul(void)
{
	const struct test_def tests[] = {
		{ "values", matmul_values_2d }, { "values", matmul_values_rows },
		{ "values", matmul_values_vectors }, { "values", matmul_values_broadcast },
		{ "values", matmul_values_types }, { "values", matmul_gemm_variants },
		{ "values", matmul_gemm_packed }, { "values", matmul_sparse_b },
		{ "shapes", matmul_shapes_empty },
		{ "errors", matmul_errors },
		{ "opsets", matmul_opsets },
	};

	return suite_from_table("MatMul", tests, N_ELEMS(tests));
}

static Suite *suite_einsum(void)
{
	const struct test_def tests[] = {
		{ "values", einsum_values_basic }, { "values", einsum_values_ellipsis },
		{ "values", einsum_values_contraction }, { "values", einsum_values_types },
		{ "shapes", einsum_shapes_empty },
		{ "errors", einsum_errors },
		{ "opsets", einsum_opsets },
	};

	return suite_from_table("Einsum", tests, N_ELEMS(tests));
}

int main(void)
{
	Suite *suites[] = { suite_matmul(), suite_einsum() };

	return run_suites(suites, N_ELEMS(suites), 0);
}
