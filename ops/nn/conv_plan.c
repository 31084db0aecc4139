/* conv_plan.c - plan time of Conv and ConvTranspose (ops/nn/conv.c has the kernels):
 * attributes, pads (explicit, auto_pad, output_shape), output shapes, the range of
 * strided-side positions each tap covers, the algorithm and its tables. */
#include <string.h>
#include "ops/nn/conv_internal.h"
#include "ops/half.h"
#include "ops/nn/window.h"
#include "ops/cpu.h"

/* --- plan time --- */

/* Output size and begin pad of spatial axis a for ConvTranspose. os: output_shape
 * value or -1. */
static int convt_axis(struct node *n, struct exec *x, int a, int nsp, enum auto_pad ap,
                      int64_t in, int64_t k, int64_t s, int64_t d, const int64_t *pads,
                      int64_t op, int64_t os, int64_t *out, int64_t *pad)
{
	const int64_t full = s * (in - 1) + op + (k - 1) * d + 1;
	int64_t total;

	if (os >= 0 || ap == PAD_SAME_UPPER || ap == PAD_SAME_LOWER) {
		*out = os >= 0 ? os : in * s;
		/* A negative total (output larger than the full result) leaves zeros at
		 * the end rather than shifting the result. */
		total = full - *out;
		total = total < 0 ? 0 : total;
		/* Opset 11 fixed the split to match auto_pad's doc (the extra pad at the
		 * end for SAME_UPPER); opset 1's formula puts it at the start. */
		if (n->opset >= 11)
			*pad = ap == PAD_SAME_UPPER ? total / 2 : total - total / 2;
		else
			*pad = ap == PAD_SAME_UPPER ? total - total / 2 : total / 2;
		return GRT_OK;
	}
	if (ap == PAD_VALID) {
		*out = full;
		*pad = 0;
		return GRT_OK;
	}
	*out = full - pads[a] - pads[a + nsp];
	*pad = pads[a];
	if (*out < 0)
		return op_fail(n, x, GRT_E_SHAPE,
		               "spatial axis %d: pads %lld + %lld exceed the full output size %lld",
		               a, (long long)pads[a], (long long)pads[a + nsp], (long long)full);
	return GRT_OK;
}

/* ALGO_PLANE in place (struct conv_params) when the shape allows: stride 1, rows of
 * the same width W in X and Y and at least one column whose taps all lie inside
 * the row. Its tables follow pl_wi (one output phase), its scratch is [4][pl_qmax]
 * weights. */
static int inplace_prepare(struct node *n, struct exec *x, struct conv_params *p)
{
	const int64_t W = p->in[2], k1 = p->k[1], k2 = p->k[2], es = (int64_t)dtype_size(p->dtype);
	int64_t q = 0, minw = 0, maxw = 0;

	if (p->stride[2] != 1 || W != p->out[2] || p->pl_nph_out != 1 ||
	    p->pl_nq[0] != p->cg * k1 * k2)
		return GRT_OK;
	/* per row, the planes copy cg input and mg output rows of about W elements, while
	 * the edge columns cost mg * (el + er) * taps scalar multiply-adds (at most k2 - 1
	 * edge columns): in place only while those are cheaper, i.e. few output channels
	 * share the planes (depthwise) */
	if (2 * p->mg * (k2 - 1) * p->dil[2] * p->pl_nq[0] > (p->cg + p->mg) * W)
		return GRT_OK;
	p->ip_off = plan_alloc(x, (size_t)(4 * p->pl_qmax) * sizeof(int64_t));
	if (!p->ip_off)
		return GRT_E_NOMEM;
	p->ip_dh = p->ip_off + p->pl_qmax;
	p->ip_dw = p->ip_dh + p->pl_qmax;
	p->ip_c = p->ip_dw + p->pl_qmax;
	/* the order of plane_prepare's pl_wi: channel, kh, kw */
	for (int64_t c = 0; c < p->cg; c++)
		for (int64_t kh = 0; kh < k1; kh++)
			for (int64_t kw = 0; kw < k2; kw++, q++) {
				int64_t dh = kh * p->dil[1] - p->pad[1], dw = kw * p->dil[2] - p->pad[2];
				if (p->transpose) {
					dh = -dh;
					dw = -dw;
				}
				p->ip_dh[q] = dh;
				p->ip_dw[q] = dw;
				p->ip_c[q] = c;
				p->ip_off[q] = c * p->in_size + dh * W + dw;
				minw = dw < minw ? dw : minw;
				maxw = dw > maxw ? dw : maxw;
			}
	p->ip_el = -minw;
	p->ip_er = maxw;
	if (p->ip_el + p->ip_er >= W)
		return GRT_OK;
	/* rows oh with 0 <= oh + dh < in[1] for every tap */
	p->ip_enq = plan_alloc(x, (size_t)((p->ip_el + p->ip_er) * (1 + p->pl_qmax)) *
	                          sizeof(int64_t));
	if (!p->ip_enq)
		return GRT_E_NOMEM;
	p->ip_eq = p->ip_enq + p->ip_el + p->ip_er;
	for (int64_t k = 0; k < p->ip_el + p->ip_er; k++) {
		const int64_t ow = k < p->ip_el ? k : W - p->ip_el - p->ip_er + k;
		int64_t eq = 0;
		for (q = 0; q < p->pl_nq[0]; q++)
			if (ow + p->ip_dw[q] >= 0 && ow + p->ip_dw[q] < W)
				p->ip_eq[k * p->pl_qmax + eq++] = q;
		p->ip_enq[k] = eq;
	}
	p->ip_ra = -p->pl_minh;
	p->ip_ra = p->ip_ra < 0 ? 0 : p->ip_ra > p->out[1] ? p->out[1] : p->ip_ra;
	p->ip_rb = p->in[1] - (p->pl_minh + p->pl_halo);
	p->ip_rb = p->ip_rb < p->ip_ra ? p->ip_ra : p->ip_rb > p->out[1] ? p->out[1] : p->ip_rb;
	p->pl_inplace = 1;
	n->scratch_bytes = (size_t)(4 * p->pl_qmax * es);
	return GRT_OK;
}

/* ALGO_PLANE's tables (struct conv_params) and scratch. Only for in[0] = out[0] =
 * k[0] = 1, pad[0] = 0 and stride[1] = 1. */
static int plane_prepare(struct node *n, struct exec *x, struct conv_params *p)
{
	const int64_t s = p->stride[2], es = (int64_t)dtype_size(p->dtype);
	const int64_t k1 = p->k[1], k2 = p->k[2], qmax = p->cg * p->k_size;
	int64_t minh = INT64_MAX, maxh = INT64_MIN, minq = INT64_MAX, maxq = INT64_MIN;
	int64_t n_out, per_row, fixed, nph_in, nph_out, n_ye;

	/* output row oh reads input row oh + offh(kh); e = kw * dil - pad along W */
	for (int64_t kh = 0; kh < k1; kh++) {
		int64_t offh = kh * p->dil[1] - p->pad[1];
		offh = p->transpose ? -offh : offh;
		minh = offh < minh ? offh : minh;
		maxh = offh > maxh ? offh : maxh;
	}
	nph_in = p->transpose ? 1 : s;
	nph_out = p->transpose ? s : 1;
	for (int64_t ph = 0; ph < nph_out; ph++)
		for (int64_t kw = 0; kw < k2; kw++) {
			const int64_t e = kw * p->dil[2] - p->pad[2];
			int64_t qw;
			if (!p->transpose)
				qw = window_floor_div(e, s);
			else if ((ph - e) % s == 0)
				qw = window_floor_div(ph - e, s);
			else
				continue;
			minq = qw < minq ? qw : minq;
			maxq = qw > maxq ? qw : maxq;
		}
	n_out = p->transpose ? (p->out[2] + s - 1) / s : p->out[2];
	p->pl_nph_in = nph_in;
	p->pl_nph_out = nph_out;
	p->pl_p2 = n_out + maxq - minq;
	p->pl_minh = minh;
	p->pl_halo = maxh - minh;
	p->pl_minq = minq;
	p->pl_qmax = qmax;
	p->pl_wm = p->transpose ? p->k_size : qmax;
	p->pl_direct = !p->transpose && p->pl_p2 == p->out[2];

	/* tile rows: planes, outputs (both phases when there are two) and weights in
	 * TILE_ELEMS when they fit */
	n_ye = nph_out == 2 ? 8 : 4;
	per_row = (p->cg * nph_in + n_ye) * p->pl_p2;
	fixed = p->cg * nph_in * p->pl_halo * p->pl_p2 + 4 * qmax + 64;
	p->pl_rows = fixed < TILE_ELEMS ? (TILE_ELEMS - fixed) / per_row : 1;
	p->pl_rows = p->pl_rows > p->out[1] ? p->out[1] : p->pl_rows;
	p->pl_rows = p->pl_rows < 1 ? 1 : p->pl_rows;
	p->pl_plane = (p->pl_rows + p->pl_halo) * p->pl_p2;
	p->pl_y_off = ((size_t)(p->cg * nph_in * p->pl_plane * es) + 63) & ~(size_t)63;
	p->pl_w_off = p->pl_y_off +
	              (((size_t)(p->pl_direct ? 0 : n_ye * p->pl_rows * p->pl_p2 * es) + 63) &
	               ~(size_t)63);
	n->scratch_bytes = p->pl_w_off + (size_t)(4 * qmax * es);

	p->pl_a = plan_alloc(x, (size_t)(2 * nph_in + nph_out * (1 + 2 * qmax)) * sizeof(int64_t));
	if (!p->pl_a)
		return GRT_E_NOMEM;
	p->pl_b = p->pl_a + nph_in;
	p->pl_nq = p->pl_b + nph_in;
	p->pl_off = p->pl_nq + nph_out;
	p->pl_wi = p->pl_off + nph_out * qmax;
	/* plane r column pw holds x[(pw + minq) * s_in + r] where that is inside the row */
	for (int64_t r = 0; r < nph_in; r++) {
		int64_t a = -minq, b = window_floor_div(p->in[2] - 1 - r, nph_in) + 1 - minq;
		a = a < 0 ? 0 : a > p->pl_p2 ? p->pl_p2 : a;
		b = b < a ? a : b > p->pl_p2 ? p->pl_p2 : b;
		p->pl_a[r] = a;
		p->pl_b[r] = b;
	}
	for (int64_t ph = 0; ph < nph_out; ph++) {
		int64_t nq = 0;
		for (int64_t c = 0; c < p->cg; c++)
			for (int64_t kh = 0; kh < k1; kh++)
				for (int64_t kw = 0; kw < k2; kw++) {
					const int64_t e = kw * p->dil[2] - p->pad[2];
					int64_t offh = kh * p->dil[1] - p->pad[1], r = 0, qw;
					offh = p->transpose ? -offh : offh;
					if (!p->transpose) {
						qw = window_floor_div(e, s);
						r = e - qw * s;
					} else if ((ph - e) % s == 0) {
						qw = window_floor_div(ph - e, s);
					} else {
						continue;
					}
					p->pl_off[ph * qmax + nq] = (c * nph_in + r) * p->pl_plane +
					                            (offh - minh) * p->pl_p2 + qw - minq;
					p->pl_wi[ph * qmax + nq] = (p->transpose ? c * p->mg * p->k_size
					                                         : c * p->k_size) +
					                           kh * k2 + kw;
					nq++;
				}
		p->pl_nq[ph] = nq;
	}
	return inplace_prepare(n, x, p);
}

/* ALGO_TAPS's tables (struct conv_params) and scratch, *ok = 1; *ok = 0 when they
 * would be too large or another algorithm does better. Same shapes as ALGO_PLANE. */
static int taps_prepare(struct node *n, struct exec *x, struct conv_params *p, int *ok)
{
	const int64_t s = p->stride[2], es = (int64_t)dtype_size(p->dtype);
	const int64_t k1 = p->k[1], k2 = p->k[2], qmax = p->cg * p->k_size;
	const int64_t nph = p->transpose ? s : 1, sx = p->transpose ? 1 : s;
	const int64_t len = (p->in[2] + sx - 1) / sx;
	const int64_t ys = (p->out[2] + nph - 1) / nph, nk = p->out[1] * nph;
	int64_t pl = 0, wd = len, nslot = 0, *slot_of;

	*ok = 0;
	if (nk * qmax > TAPS_MAX_TABLE || p->in[1] > TAPS_MAX_TABLE)
		return GRT_OK;
	/* one output channel at a time over many taps is one long chain of dependent
	 * multiply-adds: im2col + GEMM does better */
	if (p->mg < 4 && p->group < 4 && qmax > TAPS_MAX_SINGLE)
		return GRT_OK;
	/* pass 0: the rows read and the pads (a tap reads J + qw for J in [0, n2)); pass
	 * 1: the tables */
	slot_of = plan_alloc(x, (size_t)p->in[1] * sizeof(int64_t));
	p->tp_nq = plan_alloc(x, (size_t)(nk * (2 + 2 * qmax)) * sizeof(int64_t));
	if (!slot_of || !p->tp_nq)
		return GRT_E_NOMEM;
	p->tp_wid = p->tp_nq + nk;
	p->tp_off = p->tp_wid + nk;
	p->tp_wi = p->tp_off + nk * qmax;
	for (int64_t ih = 0; ih < p->in[1]; ih++)
		slot_of[ih] = -1;
	for (int pass = 0; pass < 2; pass++) {
		if (pass)
			wd = (wd + pl + 3) & ~(int64_t)3;   /* [pl zeros][data][zeros] */
		for (int64_t oh = 0; oh < p->out[1]; oh++)
			for (int64_t ph = 0; ph < nph; ph++) {
				const int64_t k = oh * nph + ph, n2 = (p->out[2] - ph + nph - 1) / nph;
				int64_t nq = 0;
				for (int64_t c = 0; c < p->cg; c++)
				for (int64_t kh = 0; kh < k1; kh++)
				for (int64_t kw = 0; kw < k2; kw++) {
					const int64_t e = kw * p->dil[2] - p->pad[2];
					const int64_t dh = kh * p->dil[1] - p->pad[1];
					/* stride 1 along H: Conv reads row oh + dh, ConvTranspose
					 * row ih lands on ih + dh */
					const int64_t ih = p->transpose ? oh - dh : oh + dh;
					int64_t qw, r = 0, plen;
					if (ih < 0 || ih >= p->in[1])
						continue;
					if (!p->transpose) {
						qw = window_floor_div(e, sx);
						r = e - qw * sx;
					} else if ((ph - e) % s == 0) {
						qw = (ph - e) / s;
					} else {
						continue;
					}
					plen = r < p->in[2] ? (p->in[2] - r + sx - 1) / sx : 0;
					if (qw + n2 <= 0 || qw >= plen)
						continue;   /* never inside: adds nothing */
					if (!pass) {
						pl = -qw > pl ? -qw : pl;
						wd = qw + n2 > wd ? qw + n2 : wd;
						if (slot_of[ih] < 0)
							slot_of[ih] = nslot++;
						continue;
					}
					p->tp_off[k * qmax + nq] = ((c * nslot + slot_of[ih]) * sx + r) * wd +
					                           pl + qw;
					p->tp_wi[k * qmax + nq] = (p->transpose ? c * p->mg * p->k_size
					                                        : c * p->k_size) +
					                          kh * k2 + kw;
					nq++;
				}
				if (pass) {
					const int64_t *wi = p->tp_wi + k * qmax;
					p->tp_nq[k] = nq;
					p->tp_wid[k] = 1;
					for (int64_t q = 0; q < nq; q++)
						p->tp_wid[k] &= wi[q] == q;
				}
			}
		if (!pass && p->cg * nslot * sx * (wd + pl) > TILE_ELEMS)
			return GRT_OK;
	}
	p->tp_slot = plan_alloc(x, (size_t)(nslot + 1) * sizeof(int64_t));
	if (!p->tp_slot)
		return GRT_E_NOMEM;
	for (int64_t ih = 0; ih < p->in[1]; ih++)
		if (slot_of[ih] >= 0)
			p->tp_slot[slot_of[ih]] = ih;
	p->tp_nph = nph;
	p->tp_sx = sx;
	p->tp_nslot = nslot;
	p->tp_pl = pl;
	p->tp_w = wd;
	p->tp_ys = ys;
	p->tp_qmax = qmax;
	p->tp_wm = p->transpose ? p->k_size : qmax;
	p->tp_gs = p->cg * nslot * sx * wd;
	p->tp_g4 = 0;
	if (p->mg < 4 && p->group >= 4 && 4 * p->tp_gs <= TILE_ELEMS)
		p->tp_g4 = p->group / 4 * 4;
	p->tp_y_off = ((size_t)((p->tp_g4 ? 4 : 1) * p->tp_gs * es) + 63) & ~(size_t)63;
	p->tp_w_off = p->tp_y_off + (((size_t)((nph == 2 ? 8 : nph > 1 ? 4 : 0) * ys * es) + 63) &
	                             ~(size_t)63);
	n->scratch_bytes = p->tp_w_off + (size_t)(4 * qmax * es);
	*ok = 1;
	return GRT_OK;
}

/* Checks W and B against X's channels and the group: Conv W is (M, C/group, k...),
 * ConvTranspose W is (C, M/group, k...); kshape: the kernel_shape attribute or NULL.
 * *m: the output channels M. */
static int conv_channels(struct node *n, struct exec *x, const struct tensor *X,
                         const struct tensor *W, const struct tensor *B, int transpose,
                         int64_t group, const int64_t *kshape, int64_t *m)
{
	const int nsp = X->ndim - 2;
	const int64_t c = X->dims[1];

	if (!transpose) {
		*m = W->dims[0];
		if (*m % group)
			return op_fail(n, x, GRT_E_SHAPE,
			               "W has %lld output channels (dim 0), not divisible by group %lld",
			               (long long)*m, (long long)group);
		if (W->dims[1] * group != c)
			return op_fail(n, x, GRT_E_SHAPE,
			               "X has %lld channels but W dim 1 (%lld) x group (%lld) = %lld",
			               (long long)c, (long long)W->dims[1], (long long)group,
			               (long long)(W->dims[1] * group));
	} else {
		if (W->dims[0] != c)
			return op_fail(n, x, GRT_E_SHAPE,
			               "X has %lld channels but W dim 0 is %lld", (long long)c,
			               (long long)W->dims[0]);
		if (c % group)
			return op_fail(n, x, GRT_E_SHAPE,
			               "X has %lld channels, not divisible by group %lld",
			               (long long)c, (long long)group);
		*m = W->dims[1] * group;
	}
	if (B && (B->ndim != 1 || B->dims[0] != *m))
		return op_fail(n, x, GRT_E_SHAPE, "B must be 1-D with %lld values (output channels), "
		               "has rank %d and %lld values", (long long)*m, B->ndim,
		               (long long)B->numel);
	for (int a = 0; a < nsp; a++)
		if (W->dims[2 + a] < 1)            /* no tap at all: nothing defines Y */
			return op_fail(n, x, GRT_E_SHAPE, "W dim %d (a kernel dim) is %lld, must be >= 1",
			               2 + a, (long long)W->dims[2 + a]);
	if (kshape)
		for (int a = 0; a < nsp; a++)
			if (kshape[a] != W->dims[2 + a])
				return op_fail(n, x, GRT_E_SHAPE,
				               "kernel_shape[%d] = %lld but W dim %d is %lld", a,
				               (long long)kshape[a], 2 + a, (long long)W->dims[2 + a]);
	return GRT_OK;
}

/* ConvTranspose's output_padding (opad) and output_shape (oshape, its spatial dims,
 * *has_os set when present) for m output channels. */
static int convt_attrs(struct node *n, struct exec *x, const struct tensor *X, int64_t m,
                       const int64_t *strides, const int64_t *dils, int64_t *opad,
                       int64_t *oshape, int *has_os)
{
	const struct attr *osa = node_attr(n, "output_shape");
	const int nsp = X->ndim - 2;
	int rc, dummy;

	rc = window_ints(n, x, "output_padding", nsp, 0, 0, opad, &dummy);
	if (rc)
		return rc;
	*has_os = osa != NULL;
	if (osa) {
		/* output_shape lists the spatial dims; a full (N, C, ...) shape is
		 * accepted too when its first two dims agree. */
		int full = osa->type == ATTR_INTS && osa->n == nsp + 2;
		rc = window_ints(n, x, "output_shape", full ? nsp + 2 : nsp, 0, 0, oshape,
		               &dummy);
		if (rc)
			return rc;
		if (full && (oshape[0] != X->dims[0] || oshape[1] != m))
			return op_fail(n, x, GRT_E_ATTR,
			               "attribute 'output_shape' starts with (%lld, %lld), "
			               "expected (N, M) = (%lld, %lld)", (long long)oshape[0],
			               (long long)oshape[1], (long long)X->dims[0],
			               (long long)m);
		if (full)
			memmove(oshape, oshape + 2, (size_t)nsp * sizeof(*oshape));
	}
	for (int a = 0; a < nsp; a++)
		if (n->opset >= 11 && opad[a] >= (strides[a] > dils[a] ? strides[a] : dils[a]))
			return op_fail(n, x, GRT_E_ATTR,
			               "output_padding[%d] = %lld must be less than the stride "
			               "(%lld) or the dilation (%lld)", a, (long long)opad[a],
			               (long long)strides[a], (long long)dils[a]);
	return GRT_OK;
}

/* ALGO_COLUMNS transposed, one output row: ct_taps's table (struct conv_params).
 * Tap t = (kd, kh, kw) reads input row (kd * dil - pad, kh * dil - pad) and, along
 * it, the outputs [lo, hi) of its kw. */
static int columns_taps(struct exec *x, struct conv_params *p)
{
	int64_t t = 0;

	if (!(p->ct_t = plan_alloc(x, (size_t)(3 * p->k_size) * sizeof(int64_t))))
		return GRT_E_NOMEM;
	for (int64_t kd = 0; kd < p->k[0]; kd++)
		for (int64_t kh = 0; kh < p->k[1]; kh++)
			for (int64_t kw = 0; kw < p->k[2]; kw++, t++) {
				const int64_t id = kd * p->dil[0] - p->pad[0];
				const int64_t ih = kh * p->dil[1] - p->pad[1];
				const int64_t lo = p->lo[2][kw], hi = p->hi[2][kw];
				int in = p->hi[0][kd] > p->lo[0][kd] && p->hi[1][kh] > p->lo[1][kh];
				p->ct_t[3 * t] = lo;
				p->ct_t[3 * t + 1] = in && hi > lo ? hi - lo : 0;
				p->ct_t[3 * t + 2] = (id * p->in[1] + ih) * p->in[2] +
				                     lo * p->stride[2] + kw * p->dil[2] - p->pad[2];
			}
	p->ct_taps = 1;
	return GRT_OK;
}

/* ALGO_COLUMNS over fewer than NARROW_COLS output columns (all in one tile)
 * with many output channels and constant float weights: W^T packed, and room for
 * Y^T after the column buffer. */
static int columns_transposed(struct node *n, struct exec *x, struct conv_params *p,
                              int64_t cols)
{
	const int64_t kk = p->cg * p->k_size;
	const int64_t id = -p->pad[0], ih = -p->pad[1], last = (cols - 1) * p->stride[2];
	const int row = p->out[0] * p->out[1] == 1;
	const float *w;
	float *wt;
	int taps;

	if (p->transpose || p->dtype != DT_FLOAT || cols >= NARROW_COLS || p->mg < 2 * NARROW_COLS ||
	    p->tile_rows * p->out[2] != cols || !n->inputs[1]->is_const)
		return GRT_OK;
	w = n->inputs[1]->data;
	p->wt_group = gemm_packed_floats(p->mg, kk);
	p->wt_tap = gemm_packed_floats(p->mg, p->cg);
	if (!(wt = plan_alloc(x, (size_t)(p->group * p->wt_group) * sizeof(float))))
		return op_fail(n, x, GRT_E_NOMEM, "out of memory");
	p->wt = wt;
	/* one output row whose taps run along one input row, all inside it */
	p->ct_direct = p->cg == 1 && p->k[0] * p->k[1] == 1 && row && id >= 0 &&
	               id < p->in[0] && ih >= 0 && ih < p->in[1] && p->pad[2] <= 0 &&
	               last - p->pad[2] + (p->k[2] - 1) * p->dil[2] < p->in[2];
	p->ct_x0 = (id * p->in[1] + ih) * p->in[2] - p->pad[2];
	taps = !p->ct_direct && row && p->cg >= CT_TAPS_MIN_CHANNELS;
	/* Y^T after the column buffer, or alone where there is no im2col */
	if (p->ct_direct || taps)
		n->scratch_bytes = 0;
	p->ct_off = (n->scratch_bytes + 63) & ~(size_t)63;
	n->scratch_bytes = p->ct_off + (size_t)(cols * p->mg) * sizeof(float);
	if (taps) {
		for (int64_t g = 0; g < p->group; g++)
			for (int64_t t = 0; t < p->k_size; t++)
				gemm_pack_b(wt + g * p->wt_group + t * p->wt_tap,
				            w + g * p->mg * kk + t, p->k_size, kk, p->mg, p->cg);
		return columns_taps(x, p);
	}
	for (int64_t g = 0; g < p->group; g++)
		gemm_pack_b(wt + g * p->wt_group, w + g * p->mg * kk, 1, kk, p->mg, kk);
	return GRT_OK;
}

/* The algorithm for the geometry in p (enum conv_algo), and its tables and scratch. */
static int conv_choose_algo(struct node *n, struct exec *x, struct conv_params *p)
{
	int rc, wino;

	p->algo = ALGO_COLUMNS;
	/* one input channel per group: loops over the taps, unless there are many
	 * taps and few outputs (Silero VAD's STFT as a Conv: 258 channels of 256
	 * taps, 4 outputs each), which the GEMM of ALGO_COLUMNS does better */
	if (p->cg == 1 && !(p->k_size >= COLUMNS_MIN_TAPS && p->out_size < PLANE_MIN_OUT &&
	                    p->group == 1))
		p->algo = ALGO_DIRECT;
	p->rows3 = p->k[2] == 3 && p->stride[2] == 1 &&
	           (!p->transpose || p->k[0] * p->k[1] <= 64 ||
	            p->out[0] * p->out[1] <= 4 * p->in[0] * p->in[1]);
	if (p->k_size == 1) {
		int same = 1;
		for (int s = 0; s < SP; s++)
			same &= p->in[s] == p->out[s] && p->stride[s] == 1 && p->pad[s] == 0;
		if (same)
			p->algo = ALGO_POINTWISE;
	}
	if ((rc = winograd_prepare(n, x, p, &wino)))
		return rc;
	if (wino) {
		p->algo = ALGO_WINOGRAD;
		return GRT_OK;
	}
	if (p->algo != ALGO_POINTWISE && p->in[0] == 1 && p->out[0] == 1 && p->k[0] == 1 &&
	    p->pad[0] == 0 && p->stride[1] == 1 && p->out_size > 0) {
		int ok = 0;
		if (p->out_size < PLANE_MIN_OUT && p->cg * p->k_size >= COLUMNS_MIN_TAPS) {
			ok = 0;         /* few outputs of many taps: ALGO_COLUMNS's GEMM */
		} else if (p->out_size < PLANE_MIN_OUT) {
			rc = taps_prepare(n, x, p, &ok);
			if (rc)
				return rc;
			if (ok)
				p->algo = ALGO_TAPS;
		} else if (p->cg * p->k_size <= PLANE_MAX_TAPS) {
			p->algo = ALGO_PLANE;
			rc = plane_prepare(n, x, p);
			if (rc)
				return rc;
		}
	}
	if (p->algo == ALGO_COLUMNS) {
		int64_t rows = p->transpose ? p->in[0] * p->in[1] : p->out[0] * p->out[1];
		int64_t rl = p->transpose ? p->in[2] : p->out[2];
		int64_t per_row;

		p->col_rows = (p->transpose ? p->mg : p->cg) * p->k_size;
		if (rl && p->col_rows > INT64_MAX / 16 / rl)
			return op_fail(n, x, GRT_E_LIMIT, "column buffer of %lld x %lld is too large",
			               (long long)p->col_rows, (long long)rl);
		per_row = p->col_rows * rl;
		p->tile_rows = per_row ? TILE_ELEMS / per_row : rows;
		p->tile_rows = p->tile_rows > rows ? rows : p->tile_rows;
		p->tile_rows = p->tile_rows < 1 ? 1 : p->tile_rows;
		n->scratch_bytes = (size_t)(per_row * p->tile_rows) * dtype_size(p->dtype);
		if ((rc = columns_transposed(n, x, p, rows * rl)))
			return rc;
		if (p->transpose && p->stride[2] == 2 && p->tile_rows == rows && p->out_size) {
			p->phase_off = (n->scratch_bytes + 63) & ~(size_t)63;
			n->scratch_bytes = p->phase_off +
			                   (size_t)p->out_size * dtype_size(p->dtype);
		}
	}
	return GRT_OK;
}

int conv_geometry(struct node *n, struct exec *x, const struct tensor *X,
                  const struct tensor *W, const struct tensor *B, int transpose,
                  enum dtype ydt, struct conv_params **out)
{
	struct tensor *Y = n->outputs[0];
	struct conv_params *p;
	int64_t group, c, m = 0, ydims[MAX_DIMS];
	int64_t opad[SP], oshape[SP + 2];
	struct window_attrs wa;
	int nsp, rc, has_os = 0;

	rc = window_rank(n, x, X, SP);
	if (rc)
		return rc;
	if (W->ndim != X->ndim)
		return op_fail(n, x, GRT_E_SHAPE, "W has rank %d, X has rank %d: they must match",
		               W->ndim, X->ndim);
	nsp = X->ndim - 2;
	if (!Y)
		return op_fail(n, x, GRT_E_INVALID_MODEL, "output Y is empty");

	rc = attr_int(n, x, "group", 1, &group);
	if (!rc && group < 1)
		rc = op_fail(n, x, GRT_E_ATTR, "attribute 'group' = %lld, must be >= 1",
		             (long long)group);
	if (!rc)
		rc = window_attrs(n, x, nsp, &wa);
	if (rc)
		return rc;

	c = X->dims[1];
	rc = conv_channels(n, x, X, W, B, transpose, group, wa.has_k ? wa.k : NULL, &m);
	if (rc)
		return rc;

	p = plan_alloc(x, sizeof(*p));
	if (!p)
		return GRT_E_NOMEM;
	p->transpose = transpose;
	p->dtype = X->dtype;
	p->batch = X->dims[0];
	p->group = group;
	p->cg = c / group;
	p->mg = m / group;
	for (int s = 0; s < SP; s++) {
		p->in[s] = p->out[s] = p->k[s] = p->stride[s] = p->dil[s] = 1;
		p->pad[s] = 0;
	}

	if (transpose) {
		rc = convt_attrs(n, x, X, m, wa.stride, wa.dil, opad, oshape, &has_os);
		if (rc)
			return rc;
	}

	ydims[0] = X->dims[0];
	ydims[1] = m;
	for (int a = 0; a < nsp; a++) {
		int s = SP - nsp + a;
		p->in[s] = X->dims[2 + a];
		p->k[s] = wa.k[a] = W->dims[2 + a];
		p->stride[s] = wa.stride[a];
		p->dil[s] = wa.dil[a];
		if (!transpose)
			rc = window_axis(n, x, a, nsp, &wa, 0, p->in[s], &p->out[s], &p->pad[s]);
		else
			rc = convt_axis(n, x, a, nsp, wa.ap, p->in[s], p->k[s], wa.stride[a],
			                wa.dil[a], wa.pads, opad[a], has_os ? oshape[a] : -1,
			                &p->out[s], &p->pad[s]);
		if (rc)
			return rc;
		ydims[2 + a] = p->out[s];
	}
	rc = tensor_set_shape(Y, ydt, X->ndim, ydims);
	if (rc)
		return op_fail(n, x, rc, "output shape is too large");

	p->in_size = p->out_size = p->k_size = 1;
	for (int s = 0; s < SP; s++) {
		int64_t nj = transpose ? p->in[s] : p->out[s];
		int64_t np = transpose ? p->out[s] : p->in[s];
		p->in_size *= p->in[s];
		p->out_size *= p->out[s];
		p->k_size *= p->k[s];
		p->lo[s] = plan_alloc(x, 2 * (size_t)p->k[s] * sizeof(int64_t));
		if (!p->lo[s])
			return GRT_E_NOMEM;
		p->hi[s] = p->lo[s] + p->k[s];
		for (int64_t t = 0; t < p->k[s]; t++)
			window_tap_range(nj, np, p->stride[s], t * p->dil[s] - p->pad[s],
			                 &p->lo[s][t], &p->hi[s][t]);
	}
	*out = p;
	return GRT_OK;
}

static int conv_prepare_common(struct node *n, struct exec *x, int transpose)
{
	static const enum dtype types[] = { DT_FLOAT, DT_DOUBLE, DT_UNDEFINED };
	struct tensor *X, *W, *B;
	struct conv_params *p;
	int rc;

	rc = op_check_arity(n, x, 2, 3, 1, 1);
	if (rc)
		return rc;
	X = n->inputs[0];
	W = n->inputs[1];
	B = op_input(n, 2);
	rc = op_check_dtype(n, x, 0, types);
	if (rc)
		return rc;
	if (W->dtype != X->dtype || (B && B->dtype != X->dtype))
		return op_fail(n, x, GRT_E_DTYPE, "X is %s but %s is %s", dtype_name(X->dtype),
		               W->dtype != X->dtype ? "W" : "B",
		               dtype_name(W->dtype != X->dtype ? W->dtype : B->dtype));
	rc = conv_geometry(n, x, X, W, B, transpose, X->dtype, &p);
	if (rc)
		return rc;
	rc = conv_choose_algo(n, x, p);
	if (rc)
		return rc;
	p->gemm = x->kern->gemm;
	p->plane = x->kern->conv_plane;
	p->plane4 = x->kern->conv_plane4;
	p->plane2 = x->kern->conv_plane2;
	p->deint2 = x->kern->conv_deint2;
	p->int2 = x->kern->conv_int2;
	n->params = p;
	return GRT_OK;
}

static int conv_prepare(struct node *n, struct exec *x)
{
	if (half_wanted(n))
		return half_prepare(n, x, conv_prepare);
	return conv_prepare_common(n, x, 0);
}

static int convt_prepare(struct node *n, struct exec *x)
{
	if (half_wanted(n))
		return half_prepare(n, x, convt_prepare);
	return conv_prepare_common(n, x, 1);
}

/* Multiply-adds actually done: for each pair of input and output channel of a
 * group, the (strided-side position, tap) pairs whose other side lies inside the
 * tensor; taps that fall into padding (or outside a ConvTranspose's cropped
 * output) are not counted. */
int64_t conv_params_macs(const struct conv_params *p)
{
	int64_t pairs = 1;

	if (!p)
		return 0;
	for (int s = 0; s < SP; s++) {
		int64_t sum = 0;
		for (int64_t t = 0; t < p->k[s]; t++)
			sum += p->hi[s][t] > p->lo[s][t] ? p->hi[s][t] - p->lo[s][t] : 0;
		pairs *= sum;
	}
	return p->batch * p->group * p->cg * p->mg * pairs;
}

static int64_t conv_macs(const struct node *n)
{
	return conv_params_macs(n->params);
}

/* Conv-1 and Conv-11 differ only in their doc text; ConvTranspose-1 and -11 differ in
 * the output_shape pad split, handled by opset in convt_axis(). */
const struct op_def op_conv = { "Conv", 1, OPSET_LATEST, conv_prepare, conv_run,
                                OP_EPILOGUE, conv_macs };
const struct op_def op_conv_transpose = { "ConvTranspose", 1, OPSET_LATEST, convt_prepare,
                                          conv_run, OP_EPILOGUE, conv_macs };
