/* mathfn_vec.h - the vector functions of ops/math/mathfn.h for one vector width. No
 * include guard: included once per width, with V (float lanes), VI and VU (the int32
 * and uint32 vectors of the same width) and VF(name) (the function's name for this
 * width: VF(exp) is v4f_exp for V = v4f) defined; it undefines them at its end.
 * ops/math/mathfn.h describes the functions (and MATHFN_INLINE). */

MATHFN_INLINE V
VF(load)(const float *p)
{
	V v;
	memcpy(&v, p, sizeof(v));
	return v;
}

MATHFN_INLINE void
VF(store)(float *p, V v)
{
	memcpy(p, &v, sizeof(v));
}

MATHFN_INLINE V
VF(select)(VI mask, V a, V b)
{
	return (V)(((VI)a & mask) | ((VI)b & ~mask));
}

MATHFN_INLINE V
VF(exp_parts)(V x, V *t)
{
	const float magic = 12582912.0f;  /* 1.5 * 2^23: adding it rounds */
	V tt = x * 1.44269504088896341f + magic, n = tt - magic;
	V r, r2, r4, p01, p23, p45, p;
	r = x - n * 0.693359375f;         /* ln2 in two parts: n * hi is exact */
	r = r - n * -2.12194440e-4f;
	r2 = r * r;
	r4 = r2 * r2;
	p01 = 5.0000001201e-1f + 1.6666665459e-1f * r;
	p23 = 4.1665795894e-2f + 8.3334519073e-3f * r;
	p45 = 1.3981999507e-3f + 1.9875691500e-4f * r;
	p = p01 + r2 * p23 + r4 * p45;
	*t = tt;
	return p * r2 + r + 1.0f;
}

MATHFN_INLINE V
VF(pow2)(V t)
{
	return (V)((((VU)t - 0x4B400000u) + 127u) << 23);
}

MATHFN_INLINE V
VF(scale2)(V p, V t)
{
	VU n = (VU)t - 0x4B400000u;       /* n mod 2^32 */
	VU n1 = (VU)((VI)n >> 1);         /* floor(n / 2) */
	VU n2 = n - n1;
	return p * (V)((n1 + 127u) << 23) * (V)((n2 + 127u) << 23);
}

MATHFN_INLINE V
VF(exp)(V x)
{
	V t, p;
	x = VF(select)(x < -104.0f, (V){ 0 } - 104.0f, x);
	x = VF(select)(x > 89.0f, (V){ 0 } + 89.0f, x);   /* NaN passes both */
	p = VF(exp_parts)(x, &t);
	return VF(scale2)(p, t);
}

MATHFN_INLINE V
VF(sigmoid)(V x)
{
	V nx = (V)((VI)x | INT32_MIN);    /* -|x| */
	V t, e, r;
	nx = VF(select)(nx < -104.0f, (V){ 0 } - 104.0f, nx);
	e = VF(exp_parts)(nx, &t);
	e = VF(scale2)(e, t);
	r = 1.0f / (1.0f + e);
	return VF(select)(x >= 0.0f, r, e * r);
}

MATHFN_INLINE V
VF(tanh)(V x)
{
	VI sign = (VI)x & INT32_MIN;
	V ax = (V)((VI)x ^ sign), z = ax * ax, ax2 = ax + ax, s, p, t, big;
	s = -5.70498872745e-3f * z + 2.06390887954e-2f;
	s = s * z - 5.37397155531e-2f;
	s = s * z + 1.33314422036e-1f;
	s = s * z - 3.33332819422e-1f;
	s = s * z * ax + ax;
	ax2 = VF(select)(ax2 > 88.0f, (V){ 0 } + 88.0f, ax2);
	p = VF(exp_parts)(ax2, &t);
	p = p * VF(pow2)(t);
	big = 1.0f - 2.0f / (p + 1.0f);
	big = VF(select)(ax < 0.625f, s, big);            /* NaN: big, which is NaN */
	return (V)((VI)big | sign);
}

#undef VF
#undef VU
#undef VI
#undef V
