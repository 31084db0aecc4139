/* norm_ln.h - LayerNormalization's generic kernel (ops/nn/norm.c) for one element type
 * (float has its own, written with vectors). No include guard: ops/nn/norm.c includes it
 * once per type, with T the element type, CT the compute type, LOAD / STORE the
 * conversions between them and KN(name) the function's name for the type (KN(ln) is
 * ln_f64 for double); it undefines them at its end. */

/* Row statistics in two passes: sum(x), then sum((x - mean)^2). Each block of
 * up to 64 elements is summed in 8 lanes of the compute type CT (vectorisable; the
 * rounding error stays that of an 8-term sum) and the block sums add up in double.
 * Then y = (x - mean) * inv_std * scale + bias in CT. */
static double KN(ln_sum)(const T *restrict xv, int64_t n)
{
	double tot = 0;

	for (int64_t i = 0; i < n; i += 64) {
		int64_t m = n - i < 64 ? n - i : 64, j = 0;
		CT s[8] = { 0 };
		for (; j + 8 <= m; j += 8)
			for (int k = 0; k < 8; k++)
				s[k] += LOAD(xv[i + j + k]);
		for (; j < m; j++)
			s[0] += LOAD(xv[i + j]);
		tot += (((double)s[0] + s[1]) + ((double)s[2] + s[3])) +
		       (((double)s[4] + s[5]) + ((double)s[6] + s[7]));
	}
	return tot;
}

static double KN(ln_sqdev)(const T *restrict xv, int64_t n, CT mean)
{
	double tot = 0;

	for (int64_t i = 0; i < n; i += 64) {
		int64_t m = n - i < 64 ? n - i : 64, j = 0;
		CT s[8] = { 0 };
		for (; j + 8 <= m; j += 8)
			for (int k = 0; k < 8; k++) {
				CT d = LOAD(xv[i + j + k]) - mean;
				s[k] += d * d;
			}
		for (; j < m; j++) {
			CT d = LOAD(xv[i + j]) - mean;
			s[0] += d * d;
		}
		tot += (((double)s[0] + s[1]) + ((double)s[2] + s[3])) +
		       (((double)s[4] + s[5]) + ((double)s[6] + s[7]));
	}
	return tot;
}

/* fixed-width blocks of 8 so that -O2 vectorises them */
static void KN(ln_row)(T *restrict y, const T *restrict xv, int64_t n, CT cm,
                       CT ci, const CT *restrict scale, const CT *restrict bias)
{
	int64_t i = 0;

	for (; i + 8 <= n; i += 8)
		for (int k = 0; k < 8; k++)
			y[i + k] = STORE((LOAD(xv[i + k]) - cm) * ci * scale[i + k] +
			                 bias[i + k]);
	for (; i < n; i++)
		y[i] = STORE((LOAD(xv[i]) - cm) * ci * scale[i] + bias[i]);
}

static void KN(ln_row_nob)(T *restrict y, const T *restrict xv, int64_t n, CT cm,
                           CT ci, const CT *restrict scale)
{
	int64_t i = 0;

	for (; i + 8 <= n; i += 8)
		for (int k = 0; k < 8; k++)
			y[i + k] = STORE((LOAD(xv[i + k]) - cm) * ci * scale[i + k]);
	for (; i < n; i++)
		y[i] = STORE((LOAD(xv[i]) - cm) * ci * scale[i]);
}

static void KN(ln)(T *restrict y, const T *restrict xv, const CT *restrict scale,
                   const CT *restrict bias, const struct ln_params *p,
                   double *restrict mean_out, double *restrict inv_out)
{
	int64_t nrm = p->norm;

	for (int64_t r = 0; r < p->outer; r++, xv += nrm, y += nrm) {
		/* the deviations use the mean rounded to CT: sum((x - m')^2) is
		   sum((x - m)^2) + n (m - m')^2, a negligible change */
		double mean = KN(ln_sum)(xv, nrm) / (double)nrm;
		CT cm = (CT)mean;
		double var = KN(ln_sqdev)(xv, nrm, cm) / (double)nrm;
		double inv = 1.0 / sqrt(var + p->epsilon);
		CT ci = (CT)inv;

		mean_out[r] = mean;
		inv_out[r] = inv;
		if (bias)
			KN(ln_row)(y, xv, nrm, cm, ci, scale, bias);
		else
			KN(ln_row_nob)(y, xv, nrm, cm, ci, scale);
	}
}

#undef KN
#undef T
#undef CT
#undef LOAD
#undef STORE
