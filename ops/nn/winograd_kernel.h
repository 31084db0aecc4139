/* winograd_kernel.h - the kernels of ops/nn/winograd.h for one instruction set, in GNU C
 * vectors of 8 floats (one per tile of a group of 8, in wino_slot order). No include
 * guard: ops/nn/winograd.c (portable) and ops/nn/winograd_avx2.c include it once, with
 * WK(name) the name with the set's suffix, after defining the row copies of a group
 * (lane wino_slot(k) of a vector is tile k):
 *   wino_row_in(const float *r, v8f d[6]): lane k of d[j] = r[4 k + j] (r[0 .. 34))
 *   wino_row_in_part(const float *x, int64_t n, int64_t at, int64_t lo, int64_t hi,
 *       v8f d[6]): the same from r = x + at where lo <= 4 k + j < hi, else 0; reads
 *       only those (x holds n floats)
 *   wino_row_out(float *r, const v8f o[4]): r[4 k + j] = lane k of o[j] (r[0 .. 32))
 * Every sum runs in the same order in each set: they differ only by fused
 * multiply-adds. */

typedef float v8f __attribute__((vector_size(32)));
typedef int32_t v8i __attribute__((vector_size(32)));

#define WINO_PREFETCH 8     /* channels ahead, input and output planes */

/* *v = p[0 .. 8) (through a pointer: no vector passed by value where the portable
 * build has no 32-byte registers) */
static inline void WK(load)(v8f *v, const float *p)
{
	memcpy(v, p, sizeof(*v));
}

static inline void WK(store)(float *p, v8f v)
{
	memcpy(p, &v, sizeof(v));
}

/* r = B^T d, one column of 6 (rows of B^T: 4 0 -5 0 1 0; 0 -4 -4 1 1 0; 0 4 -4 -1 1 0;
 * 0 -2 -1 2 1 0; 0 2 -1 -2 1 0; 0 4 0 -5 0 1) */
static inline void WK(bt6)(const v8f d[6], v8f r[6])
{
	const v8f a = d[4] - 4.0f * d[2], b = d[3] - 4.0f * d[1];
	const v8f c = d[4] - d[2], e = 2.0f * (d[3] - d[1]);

	r[0] = 4.0f * d[0] - 5.0f * d[2] + d[4];
	r[1] = a + b;
	r[2] = a - b;
	r[3] = c + e;
	r[4] = c - e;
	r[5] = 4.0f * d[1] - 5.0f * d[3] + d[5];
}

/* o = A^T m, one column of 6 (rows of A^T: 1 1 1 1 1 0; 0 1 -1 2 -2 0; 0 1 1 4 4 0;
 * 0 1 -1 8 -8 1) */
static inline void WK(at6)(const v8f m[6], v8f o[4])
{
	const v8f s1 = m[1] + m[2], d1 = m[1] - m[2], s2 = m[3] + m[4], d2 = m[3] - m[4];

	o[0] = m[0] + s1 + s2;
	o[1] = d1 + 2.0f * d2;
	o[2] = s1 + 4.0f * s2;
	o[3] = d1 + 8.0f * d2 + m[5];
}

/* lanes of the tiles k0 .. k0 + len - 1 of a group: all bits set, else 0 */
static inline void WK(lanes)(v8i *mask, int k0, int len)
{
	int32_t l[8] = { 0 };

	for (int k = k0; k < k0 + len; k++)
		l[wino_slot(k)] = -1;
	memcpy(mask, l, sizeof(*mask));
}

/* t = d B for the 6x6 input tiles d [row][column] of the group at tile ta from plane
 * x [h][w], zeros outside the plane and for tiles past the last: 6 row copies when the
 * group is one tile row inside the plane, else 6 per run of its tiles in one tile row
 * (one run unless the group wraps), each reading only the columns inside the plane */
static void WK(group_in)(const struct wino_geom *g, const float *x, int64_t ta, v8f t[6][6])
{
	const int64_t ty = ta / g->tw, tx = ta % g->tw;
	const int64_t iy0 = 4 * ty - g->ph, ix0 = 4 * tx - g->pw;
	v8f d[6][6];
	int k0 = 0;

	if (ta + 8 <= g->tiles && tx + 8 <= g->tw && iy0 >= 0 && iy0 + 6 <= g->h &&
	    ix0 >= 0 && ix0 + 34 <= g->w) {
#pragma GCC unroll 6
		for (int i = 0; i < 6; i++) {
			v8f dr[6];
			wino_row_in(x + (iy0 + i) * g->w + ix0, dr);
			WK(bt6)(dr, t[i]);
		}
		return;
	}
	memset(d, 0, sizeof(d));
	while (k0 < 8 && ta + k0 < g->tiles) {
		const int64_t tk = ta + k0, ry = tk / g->tw, rx = tk % g->tw;
		const int64_t iy1 = 4 * ry - g->ph, off = 4 * rx - g->pw - 4 * k0;
		/* positions p = 4 k + j of the row copy hold column off + p */
		const int64_t lo = -off > 0 ? -off : 0, hi = g->w - off < 34 ? g->w - off : 34;
		int64_t len = 8 - k0;
		v8i mask;
		len = len < g->tw - rx ? len : g->tw - rx;
		len = len < g->tiles - tk ? len : g->tiles - tk;
		WK(lanes)(&mask, k0, (int)len);
		for (int i = 0; i < 6; i++) {
			const int64_t iy = iy1 + i;
			v8f dr[6];
			if (iy < 0 || iy >= g->h)
				continue;
			wino_row_in_part(x, g->h * g->w, iy * g->w + off, lo, hi, dr);
			for (int j = 0; j < 6; j++)
				d[i][j] = (v8f)(((v8i)dr[j] & mask) | ((v8i)d[i][j] & ~mask));
		}
		k0 += (int)len;
	}
	for (int i = 0; i < 6; i++)
		WK(bt6)(d[i], t[i]);
}

/* the 4x4 outputs o [row][column] of the group at tile ta into plane y [oh][ow], those
 * inside it: straight into y when the group is one tile row inside the plane, else
 * through a copy of its rows, run by run */
static void WK(group_out)(const struct wino_geom *g, float *y, int64_t ta, v8f o[4][4])
{
	const int64_t ty = ta / g->tw, tx = ta % g->tw;
	float tmp[4][32];
	int k0 = 0;

	if (ta + 8 <= g->tiles && tx + 8 <= g->tw && 4 * ty + 4 <= g->oh &&
	    4 * tx + 32 <= g->ow) {
		for (int i = 0; i < 4; i++)
			wino_row_out(y + (4 * ty + i) * g->ow + 4 * tx, o[i]);
		return;
	}
	for (int i = 0; i < 4; i++)
		wino_row_out(tmp[i], o[i]);
	while (k0 < 8 && ta + k0 < g->tiles) {
		const int64_t tk = ta + k0, ry = tk / g->tw, rx = tk % g->tw;
		int64_t len = 8 - k0, cols;
		len = len < g->tw - rx ? len : g->tw - rx;
		len = len < g->tiles - tk ? len : g->tiles - tk;
		cols = 4 * rx + 4 * len < g->ow ? 4 * len : g->ow - 4 * rx;
		for (int i = 0; i < 4 && 4 * ry + i < g->oh; i++)
			memcpy(y + (4 * ry + i) * g->ow + 4 * rx, tmp[i] + 4 * k0,
			       (size_t)cols * sizeof(float));
		k0 += (int)len;
	}
}

/* the cache lines of plane x [h][w] that the block of tiles t0 .. t0 + nt - 1 reads
 * (out 0: 6 input rows per tile row, pads ph, pw) or writes (out 1: 4 output rows),
 * into L2: the rows of one channel are too short and too many for the CPU's
 * prefetchers to follow, so the transforms ask for them WINO_PREFETCH channels ahead
 * (inlined: GCC drops calls to a function that only prefetches, as if it did nothing) */
static inline __attribute__((always_inline)) void
WK(prefetch)(const struct wino_geom *g, const float *x, int64_t t0, const int out)
{
	const int64_t last = (t0 + g->nt < g->tiles ? t0 + g->nt : g->tiles) - 1;
	const int64_t ya = t0 / g->tw, yb = last / g->tw;
	const int64_t h = out ? g->oh : g->h, w = out ? g->ow : g->w;
	const int64_t ph = out ? 0 : g->ph, pw = out ? 0 : g->pw, rows = out ? 4 : 6;

	for (int64_t ty = ya; ty <= yb; ty++) {
		/* columns [a, b) of the tile row's rows */
		const int64_t xa = ty == ya ? 4 * (t0 % g->tw) - pw : 0;
		const int64_t xb = ty == yb ? 4 * (last % g->tw) - pw + rows : w;
		for (int64_t iy = 4 * ty - ph + (ty > ya ? rows - 4 : 0); iy < 4 * ty - ph + rows;
		     iy++)
			if (iy >= 0 && iy < h)
				for (int64_t ix = xa < 0 ? 0 : xa; ix < (xb < w ? xb : w); ix += 16) {
					if (out)
						__builtin_prefetch(x + iy * w + ix, 1, 2);
					else
						__builtin_prefetch(x + iy * w + ix, 0, 2);
				}
	}
}

void WK(wino_in)(const struct wino_geom *g, const float *x, int64_t t0, float *v)
{
	const int64_t plane = g->h * g->w;

	for (int64_t ch = 0; ch < g->c; ch++) {
		if (ch + WINO_PREFETCH < g->c)
			WK(prefetch)(g, x + (ch + WINO_PREFETCH) * plane, t0, 0);
		for (int64_t q = 0; q < g->nt / 8; q++) {
			v8f t[6][6], col[6], r[6];
			float *vp = v + ch * g->vc + 8 * q;
			WK(group_in)(g, x + ch * plane, t0 + 8 * q, t);
#pragma GCC unroll 6
			for (int j = 0; j < 6; j++) {       /* V = B^T t: position 6 i + j */
#pragma GCC unroll 6
				for (int i = 0; i < 6; i++)
					col[i] = t[i][j];
				WK(bt6)(col, r);
#pragma GCC unroll 6
				for (int i = 0; i < 6; i++)
					WK(store)(vp + (6 * i + j) * g->nt, r[i]);
			}
		}
	}
}

/* M[p] = U[p] V[p] (V[p]: [c][nt], rows vc floats apart): 4 rows by 24 columns in
 * registers (12 sums, 3 vectors of V and a broadcast: the 16 registers of AVX2), the
 * sums over c in order */
void WK(wino_gemm)(const struct wino_geom *g, const float *u, const float *v, float *mo)
{
	const int64_t c = g->c, nt = g->nt, mp = g->mp;

	for (int p = 0; p < 36; p++) {
		const float *up = u + p * mp * c, *vp = v + p * nt;
		float *op = mo + p * g->ms;
		for (int64_t j = 0; j < nt; j += 24)
			for (int64_t rb = 0; rb < mp / 4; rb++) {
				const float *a = up + rb * c * 4;
				v8f s[4][3];
#pragma GCC unroll 4
				for (int i = 0; i < 4; i++)
					s[i][0] = s[i][1] = s[i][2] = (v8f){ 0 };
				for (int64_t k = 0; k < c; k++) {
					v8f b[3];
#pragma GCC unroll 3
					for (int l = 0; l < 3; l++)
						WK(load)(&b[l], vp + k * g->vc + j + 8 * l);
#pragma GCC unroll 4
					for (int i = 0; i < 4; i++)
#pragma GCC unroll 3
						for (int l = 0; l < 3; l++)
							s[i][l] += a[k * 4 + i] * b[l];
				}
#pragma GCC unroll 4
				for (int i = 0; i < 4; i++)
#pragma GCC unroll 3
					for (int l = 0; l < 3; l++)
						WK(store)(op + (rb * 4 + i) * nt + j + 8 * l, s[i][l]);
			}
	}
}

void WK(wino_out)(const struct wino_geom *g, const float *mo, const float *bias, int relu,
                  int64_t t0, float *y)
{
	const int64_t plane = g->oh * g->ow;

	for (int64_t m = 0; m < g->m; m++) {     /* one plane of y at a time */
		if (m + WINO_PREFETCH < g->m)
			WK(prefetch)(g, y + (m + WINO_PREFETCH) * plane, t0, 1);
		for (int64_t q = 0; q < g->nt / 8 && t0 + 8 * q < g->tiles; q++) {
			const float *mp = mo + m * g->nt + 8 * q;
			const float bm = bias ? bias[m] : 0;
			v8f s[4][6], o[4][4], col[6], r[4];
#pragma GCC unroll 6
			for (int j = 0; j < 6; j++) {       /* s = A^T M */
#pragma GCC unroll 6
				for (int i = 0; i < 6; i++)
					WK(load)(&col[i], mp + (6 * i + j) * g->ms);
				WK(at6)(col, r);
#pragma GCC unroll 4
				for (int i = 0; i < 4; i++)
					s[i][j] = r[i];
			}
#pragma GCC unroll 4
			for (int i = 0; i < 4; i++) {       /* Y = s A + bias */
				WK(at6)(s[i], o[i]);
#pragma GCC unroll 4
				for (int j = 0; j < 4; j++) {
					o[i][j] += bm;
					if (relu)
						o[i][j] = (v8f)((v8i)o[i][j] & (o[i][j] > 0.0f));
				}
			}
			WK(group_out)(g, y + m * plane, t0 + 8 * q, o);
		}
	}
}

#undef WK
