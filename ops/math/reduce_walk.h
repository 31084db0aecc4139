/* reduce_walk.h - the reduction walker of ops/math/reduce.c for one accumulator domain:
 * every reduction but ReduceSum and ReduceMean (which have reduce_sum.h), the
 * ArgMax/ArgMin scan and CumSum. No include guard: ops/math/reduce.c includes it once
 * per domain, with A the accumulator type (double, int64_t, uint64_t), ABS(v) its
 * magnitude, ISNAN(v) whether it is NaN, TO_I64(v) and TO_U64(v) its value as a 64-bit
 * integer, and KN(name) the function's name for the domain (KN(walk) is walk_f for
 * double); it undefines them at its end.
 *
 * The walk reads the input row by row (a row: the innermost merged group of axes) in
 * chunks of RED_CHUNK elements converted to A, maps them (square, magnitude, exp), and
 * combines them into the accumulator of their output element (add, multiply, max, min). */

/* dst[0..n) = elements off..off+n of src (element type dt) as A */
static void KN(load)(A *restrict dst, const void *src, enum dtype dt, int64_t off, int64_t n)
{
	switch (dt) {
	case DT_FLOAT:
		for (int64_t i = 0; i < n; i++)
			dst[i] = (A)((const float *)src)[off + i];
		break;
	case DT_DOUBLE:
		for (int64_t i = 0; i < n; i++)
			dst[i] = (A)((const double *)src)[off + i];
		break;
	case DT_FLOAT16:
		for (int64_t i = 0; i < n; i++)
			dst[i] = (A)half_to_float(((const uint16_t *)src)[off + i]);
		break;
	case DT_BFLOAT16:
		for (int64_t i = 0; i < n; i++)
			dst[i] = (A)bf16_to_float(((const uint16_t *)src)[off + i]);
		break;
	case DT_INT8:
		for (int64_t i = 0; i < n; i++)
			dst[i] = (A)((const int8_t *)src)[off + i];
		break;
	case DT_INT16:
		for (int64_t i = 0; i < n; i++)
			dst[i] = (A)((const int16_t *)src)[off + i];
		break;
	case DT_INT32:
		for (int64_t i = 0; i < n; i++)
			dst[i] = (A)((const int32_t *)src)[off + i];
		break;
	case DT_INT64:
		for (int64_t i = 0; i < n; i++)
			dst[i] = (A)((const int64_t *)src)[off + i];
		break;
	case DT_UINT8:
	case DT_BOOL:
		for (int64_t i = 0; i < n; i++)
			dst[i] = (A)((const uint8_t *)src)[off + i];
		break;
	case DT_UINT16:
		for (int64_t i = 0; i < n; i++)
			dst[i] = (A)((const uint16_t *)src)[off + i];
		break;
	case DT_UINT32:
		for (int64_t i = 0; i < n; i++)
			dst[i] = (A)((const uint32_t *)src)[off + i];
		break;
	default:        /* DT_UINT64: the ops' type checks admit no other type */
		for (int64_t i = 0; i < n; i++)
			dst[i] = (A)((const uint64_t *)src)[off + i];
		break;
	}
}

/* acc[0..n) = the identity of op's combine: lo and hi are the extremes of the output
 * type, what ReduceMax and ReduceMin give over no element */
static void KN(init)(A *acc, int64_t n, enum red_op op, A lo, A hi)
{
	A v = op == RED_PROD ? 1 : op == RED_MAX ? lo : op == RED_MIN ? hi : 0;

	for (int64_t i = 0; i < n; i++)
		acc[i] = v;
}

/* a[i * a_step] = combine(a[i * a_step], v[i]), i in [0, n): a_step 0 folds a chunk of a
 * reduced row into one accumulator, a_step 1 adds a kept row to n accumulators. Max and
 * min propagate NaN. */
static void KN(combine)(A *a, int64_t a_step, const A *restrict v, int64_t n, enum red_op op)
{
	switch (op) {
	case RED_PROD:
		for (int64_t i = 0; i < n; i++)
			a[i * a_step] *= v[i];
		break;
	case RED_MAX:
		for (int64_t i = 0; i < n; i++)
			if (v[i] > a[i * a_step] || ISNAN(v[i]))
				a[i * a_step] = v[i];
		break;
	case RED_MIN:
		for (int64_t i = 0; i < n; i++)
			if (v[i] < a[i * a_step] || ISNAN(v[i]))
				a[i * a_step] = v[i];
		break;
	default:
		for (int64_t i = 0; i < n; i++)
			a[i * a_step] += v[i];
		break;
	}
}

/* v[i] = the term of op for element v[i]; ReduceLogSumExp subtracts the running
 * maximum mx[i * mx_step] of its output element (double domain only). */
static void KN(map)(A *v, int64_t n, enum red_op op, const double *mx, int64_t mx_step)
{
	switch (op) {
	case RED_SUM_SQUARE:
	case RED_L2:
		for (int64_t i = 0; i < n; i++)
			v[i] *= v[i];
		break;
	case RED_L1:
		for (int64_t i = 0; i < n; i++)
			v[i] = ABS(v[i]);
		break;
	case RED_LOG_SUM_EXP:
		for (int64_t i = 0; i < n; i++) {
			double m = mx[i * mx_step];
			v[i] = (A)exp((double)v[i] - (isfinite(m) ? m : 0.0));
		}
		break;
	default:
		break;
	}
}

/* acc[o] = op over the input elements mapped to output element o; mx [out_numel]: the
 * maxima (ReduceLogSumExp), else NULL */
static void KN(walk)(A *restrict acc, const double *mx, const void *src, enum dtype dt,
                     const struct reduce_params *p, enum red_op op)
{
	A buf[RED_CHUNK];
	int64_t idx[MAX_DIMS] = { 0 };
	int64_t o = 0, inner = p->inner;

	for (int64_t row = 0; row < p->n_rows; row++) {
		for (int64_t j = 0; j < inner; j += RED_CHUNK) {
			int64_t m = inner - j < RED_CHUNK ? inner - j : RED_CHUNK;
			KN(load)(buf, src, dt, row * inner + j, m);
			if (p->inner_reduced) {
				KN(map)(buf, m, op, mx ? mx + o : NULL, 0);
				KN(combine)(acc + o, 0, buf, m, op);
			} else {
				KN(map)(buf, m, op, mx ? mx + o + j : NULL, 1);
				KN(combine)(acc + o + j, 1, buf, m, op);
			}
		}
		o = reduce_next_row(p, idx, o);
	}
}

/* ArgMax (is_max) or ArgMin of src [outer][n_axis][inner] along its middle axis:
 * out [outer][inner] = the first index of the extreme value, or the last (last_index).
 * Runs over the axis a chunk of RED_CHUNK columns at a time. */
static void KN(arg)(int64_t *restrict out, const void *src, enum dtype dt, int64_t outer,
                    int64_t n_axis, int64_t inner, int is_max, int last_index)
{
	A best[RED_CHUNK], buf[RED_CHUNK];

	for (int64_t o = 0; o < outer; o++)
		for (int64_t j = 0; j < inner; j += RED_CHUNK) {
			int64_t m = inner - j < RED_CHUNK ? inner - j : RED_CHUNK;
			int64_t *idx = out + o * inner + j;
			KN(load)(best, src, dt, o * n_axis * inner + j, m);
			for (int64_t i = 0; i < m; i++)
				idx[i] = 0;
			for (int64_t k = 1; k < n_axis; k++) {
				KN(load)(buf, src, dt, (o * n_axis + k) * inner + j, m);
				for (int64_t i = 0; i < m; i++) {
					/* NaN is the extreme (as numpy and ONNX Runtime): the
					 * first one wins, or the last with last_index */
					int vn = ISNAN(buf[i]), bn = ISNAN(best[i]);
					int gt = is_max ? buf[i] > best[i] : buf[i] < best[i];
					int eq = last_index && buf[i] == best[i];
					if (bn ? last_index && vn : vn || gt || eq) {
						best[i] = buf[i];
						idx[i] = k;
					}
				}
			}
		}
}

/* elements off..off+n of dst = acc[0..n) as element type dt (integers wrap to their
 * width, as a cast) */
static void KN(store)(void *dst, enum dtype dt, int64_t off, const A *acc, int64_t n)
{
	switch (dt) {
	case DT_FLOAT:
		for (int64_t i = 0; i < n; i++)
			((float *)dst)[off + i] = (float)acc[i];
		break;
	case DT_DOUBLE:
		for (int64_t i = 0; i < n; i++)
			((double *)dst)[off + i] = (double)acc[i];
		break;
	case DT_FLOAT16:
		for (int64_t i = 0; i < n; i++)
			((uint16_t *)dst)[off + i] = float_to_half((float)acc[i]);
		break;
	case DT_BFLOAT16:
		for (int64_t i = 0; i < n; i++)
			((uint16_t *)dst)[off + i] = float_to_bf16((float)acc[i]);
		break;
	case DT_INT8:
		for (int64_t i = 0; i < n; i++)
			((int8_t *)dst)[off + i] = (int8_t)TO_I64(acc[i]);
		break;
	case DT_INT32:
		for (int64_t i = 0; i < n; i++)
			((int32_t *)dst)[off + i] = (int32_t)TO_I64(acc[i]);
		break;
	case DT_INT64:
		for (int64_t i = 0; i < n; i++)
			((int64_t *)dst)[off + i] = TO_I64(acc[i]);
		break;
	case DT_UINT8:
	case DT_BOOL:
		for (int64_t i = 0; i < n; i++)
			((uint8_t *)dst)[off + i] = (uint8_t)TO_U64(acc[i]);
		break;
	case DT_UINT32:
		for (int64_t i = 0; i < n; i++)
			((uint32_t *)dst)[off + i] = (uint32_t)TO_U64(acc[i]);
		break;
	default:
		for (int64_t i = 0; i < n; i++)
			((uint64_t *)dst)[off + i] = TO_U64(acc[i]);
		break;
	}
}

/* CumSum of src [outer][n_axis][inner] along its middle axis into dst (same layout):
 * the running sums from the first (from the last: reverse), each including its own
 * element or not (exclusive), a chunk of RED_CHUNK columns at a time. */
static void KN(scan)(void *dst, const void *src, enum dtype dt, int64_t outer,
                     int64_t n_axis, int64_t inner, int exclusive, int reverse)
{
	A acc[RED_CHUNK], buf[RED_CHUNK];

	for (int64_t o = 0; o < outer; o++)
		for (int64_t j = 0; j < inner; j += RED_CHUNK) {
			int64_t m = inner - j < RED_CHUNK ? inner - j : RED_CHUNK;
			for (int64_t i = 0; i < m; i++)
				acc[i] = 0;
			for (int64_t s = 0; s < n_axis; s++) {
				int64_t k = reverse ? n_axis - 1 - s : s;
				int64_t off = (o * n_axis + k) * inner + j;
				KN(load)(buf, src, dt, off, m);
				if (exclusive)
					KN(store)(dst, dt, off, acc, m);
				for (int64_t i = 0; i < m; i++)
					acc[i] += buf[i];
				if (!exclusive)
					KN(store)(dst, dt, off, acc, m);
			}
		}
}

#undef KN
#undef A
#undef ABS
#undef ISNAN
#undef TO_I64
#undef TO_U64
