/* conv_internal.h - what ops/nn/conv.c (the kernels and run()) and ops/nn/conv_plan.c
 * (prepare: geometry, algorithm, tables) share: the plan of one Conv or
 * ConvTranspose node. */
#ifndef OPS_CONV_INTERNAL_H
#define OPS_CONV_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include "ops/nn/conv.h"
#include "ops/math/gemm.h"
#include "ops/op.h"

#define SP 3              /* spatial rank the kernels see: rank 1 and 2 get leading 1s */
#define TILE_ELEMS 65536  /* im2col / col2im / plane tile, elements */
#define PLANE_MAX_TAPS 128 /* ALGO_PLANE up to this many taps (C/group x kernel) */
#define PLANE_MIN_OUT 256 /* and from this many outputs per channel; below, ALGO_TAPS
                           * (copying whole planes costs more than it saves) */
#define COLUMNS_MIN_TAPS 64 /* few outputs (< PLANE_MIN_OUT) of this many taps (C/group x
                             kernel) or more: ALGO_COLUMNS, whose GEMM is faster */
#define NARROW_COLS 8      /* ALGO_COLUMNS: below this many output columns, transposed */
#define CT_TAPS_MIN_CHANNELS 16 /* and from this many input channels, tap by tap */
#define TAPS_MAX_TABLE 4096 /* ALGO_TAPS: up to this many (row, phase, tap) entries */
#define TAPS_MAX_SINGLE 16  /* and this many taps when channels go one at a time */
#define EPI_CHUNK 4096    /* ALGO_POINTWISE with an epilogue: columns per GEMM */

enum conv_algo {
	ALGO_POINTWISE,   /* 1x1 kernel, stride 1, no padding: Y_g = W_g X_g */
	ALGO_DIRECT,      /* one input channel per group: loops over taps */
	ALGO_COLUMNS,     /* im2col + GEMM, or GEMM + col2im for ConvTranspose */
	ALGO_PLANE,       /* padded input planes, one run of taps per output channel */
	ALGO_TAPS,        /* the same runs over the input rows that taps read (few outputs) */
	ALGO_WINOGRAD,    /* 3x3, stride 1: Winograd F(4x4, 3x3) (ops/nn/winograd.h) */
};

/* The "strided side" is the one indexed by j in pos = j*stride + tap*dilation - pad:
 * Y for Conv (pos is in X), X for ConvTranspose (pos is in Y). */
struct conv_params {
	int transpose;               /* ConvTranspose */
	enum conv_algo algo;
	/* ALGO_DIRECT with 3 taps at stride 1 along the last axis may walk output
	 * rows (direct3): each row checks every (kd, kh) tap, which only pays while
	 * most taps land; a ConvTranspose whose output has far more rows than its
	 * input (a huge kernel) scatters its input rows instead */
	int rows3;
	/* ALGO_COLUMNS, float, fewer output columns than a vector holds (Silero VAD:
	 * 4): the product runs transposed, Y^T = col^T W^T, so that the vectors run
	 * along the output channels; wt is W^T per group [cg * k_size][mg] packed for
	 * the gemm's packed product (ops/math/gemm.h), wt_group floats per group (made
	 * at plan time from constant weights, so each weight is read once per run, in
	 * memory order), and Y^T goes to scratch at ct_off. Without an im2col where
	 * the shape allows (one output row):
	 *   ct_direct (one input channel per group, its taps inside one row of X):
	 *     col^T is X itself, element (j, kw) at ct_x0 + j * stride[2] + kw * dil[2];
	 *   ct_taps (at least CT_TAPS_MIN_CHANNELS input channels per group): one
	 *     product per tap t, over the input channels, of the rows j that the tap
	 *     reads inside X (the rows ct_t[3t] .. + ct_t[3t + 1]), A[j][c] at
	 *     x[ct_t[3t + 2] + j * stride[2] + c * in_size]; wt then holds W^T per tap
	 *     [cg][mg] packed, wt_tap floats apart. */
	const float *wt;
	int64_t wt_group, wt_tap;
	size_t ct_off;
	int ct_direct, ct_taps;
	int64_t ct_x0;
	int64_t *ct_t;               /* [k_size][3]: first row, rows (0: none), x offset */
	enum dtype dtype;            /* DT_FLOAT or DT_DOUBLE */
	int64_t batch;               /* N */
	int64_t group;
	int64_t cg, mg;              /* channels of X and Y per group */
	int64_t in[SP], out[SP];     /* spatial dims of X and Y */
	int64_t k[SP];               /* kernel dims */
	int64_t stride[SP], dil[SP];
	int64_t pad[SP];             /* begin pads, resolved from pads / auto_pad / output_shape */
	int64_t in_size, out_size, k_size;  /* products of in, out, k */
	int64_t *lo[SP], *hi[SP];    /* [k[a]]: strided-side positions [lo, hi) of tap t on
	                              * axis a whose pos lies inside the other side */
	int64_t tile_rows;           /* ALGO_COLUMNS: strided-side rows (d, h) per tile */
	int64_t col_rows;            /* ALGO_COLUMNS: rows of the column buffer */
	size_t phase_off;            /* ConvTranspose, stride 2 on the last axis, one tile:
	                              * scratch offset of [out_size] for y in even/odd
	                              * halves (col2im adds contiguous rows), else 0 */
	const struct gemm_ukernel *gemm; /* float: this session's (ops/cpu.h) */
	/* ALGO_PLANE (in[0] = out[0] = k[0] = 1; stride 1 on H). Output row oh reads
	 * input row oh + offh(kh); along W, Conv output ow reads phase r = e mod s of
	 * the input (x[j * s + r]) at j = ow + floor(e / s), e = kw * dil - pad, and
	 * ConvTranspose output phase p = ow mod s (ow = J * s + p) reads x[J + qw] for
	 * the taps with qw = (p - e) / s whole. Planes hold input rows r0 + minh ..
	 * r1 - 1 + maxh of output row tile [r0, r1), padded column pw = j - minq. */
	int64_t pl_nph_in;           /* Conv: stride[2] input phases; ConvTranspose: 1 */
	int64_t pl_nph_out;          /* ConvTranspose: stride[2] output phases; Conv: 1 */
	int64_t pl_p2;               /* padded row width, elements */
	int64_t pl_rows;             /* output rows per tile */
	int64_t pl_minh, pl_halo;    /* min offh; max offh - min offh */
	int64_t pl_minq;             /* min over taps of the W shift */
	int64_t pl_plane;            /* elements per plane: (pl_rows + pl_halo) * pl_p2 */
	int64_t pl_qmax;             /* cg * k_size: row length of the tables below */
	int64_t *pl_a, *pl_b;        /* [pl_nph_in]: columns [a, b) of a plane row hold x */
	int64_t *pl_nq;              /* [pl_nph_out]: taps of each output phase */
	int64_t *pl_off;             /* [pl_nph_out][pl_qmax]: tap offsets into the planes */
	int64_t *pl_wi;              /* [pl_nph_out][pl_qmax]: tap weights, index into w */
	int64_t pl_wm;               /* w index step between output channels */
	int pl_direct;               /* outputs go straight to y (row width pl_p2) */
	size_t pl_y_off, pl_w_off;   /* scratch offsets of [pl_nph_out == 2 ? 8 : 4]
	                              * [pl_rows * pl_p2] outputs (two phases: phase 1 from
	                              * row 4) and [4][pl_qmax] weights */
	/* ALGO_PLANE in place (stride 1, in[2] = out[2] = W, one output phase): output
	 * o = oh * W + ow reads x[o + ip_off[q]] straight from X, no planes, as one run
	 * over the rows [ip_ra, ip_rb) whose taps all lie inside X; the run's edge
	 * columns (ow < ip_el or ow >= W - ip_er, where a tap leaves the row) are then
	 * computed again tap by tap, and the other rows one at a time with their taps
	 * inside X. Tap q of pl_wi reads row oh + ip_dh[q], column ow + ip_dw[q] of
	 * input channel ip_c[q]. */
	int pl_inplace;
	int64_t ip_ra, ip_rb;        /* output rows of the long run */
	int64_t ip_el, ip_er;        /* edge columns on the left and on the right */
	int64_t *ip_off;             /* [pl_qmax]: offsets into x */
	int64_t *ip_dh, *ip_dw, *ip_c; /* [pl_qmax]: row shift, column shift, channel */
	int64_t *ip_enq;             /* [ip_el + ip_er]: taps inside the row of each edge
	                              * column (0 .. ip_el - 1, then W - ip_er .. W - 1) */
	int64_t *ip_eq;              /* [ip_el + ip_er][pl_qmax]: those taps q */
	conv_plane_f32_fn plane;     /* float: this session's variants (ALGO_PLANE, _TAPS) */
	conv_plane4_f32_fn plane4;
	conv_plane2_f32_fn plane2;   /* float: 2 output channels (ALGO_PLANE) */
	conv_deint2_f32_fn deint2;   /* float: the stride-2 phase copies (ALGO_PLANE, _TAPS,
	                              * ALGO_COLUMNS's phase_off) */
	conv_int2_f32_fn int2;
	/* ALGO_TAPS (the shapes of ALGO_PLANE, few outputs): the input rows that some tap
	 * reads ("slots"), Conv: split into stride[2] phases, copied into zero-padded
	 * rows xs[c][slot][phase][tp_w] (data from column tp_pl); output row oh, phase
	 * ph (ConvTranspose: ow = J * s + ph; else ow = J) is one run of taps q:
	 * bias + sum_q w[wi[q]] * xs[J + off[q]] (ops/nn/conv.h). */
	int64_t tp_nph;              /* ConvTranspose: stride[2] output phases; Conv: 1 */
	int64_t tp_sx;               /* Conv: stride[2] input phases; ConvTranspose: 1 */
	int64_t tp_nslot;            /* input rows copied */
	int64_t *tp_slot;            /* [tp_nslot]: their row index ih */
	int64_t tp_pl, tp_w;         /* left pad and width of a padded row, elements */
	int64_t tp_gs;               /* elements of the padded rows of one group */
	int64_t tp_g4;               /* mg < 4: groups [0, tp_g4) taken 4 at a time */
	int64_t tp_ys;               /* ceil(out[2] / tp_nph): outputs per phase, at most */
	int64_t tp_qmax;             /* cg * k_size */
	int64_t tp_wm;               /* w index step between output channels */
	int64_t *tp_nq;              /* [out[1]][tp_nph]: taps of each run */
	int64_t *tp_wid;             /* [out[1]][tp_nph]: 1 if wi[q] = q (weights in place) */
	int64_t *tp_off, *tp_wi;     /* [out[1]][tp_nph][tp_qmax]: offsets into xs, w */
	size_t tp_y_off, tp_w_off;   /* scratch offsets of [4][tp_ys] phase outputs
	                              * (tp_nph > 1; two phases: [8][tp_ys], phase 1
	                              * from row 4) and [4][tp_qmax] weights */
	const struct wino_plan *wino; /* ALGO_WINOGRAD (ops/nn/winograd.c) */
};

/* ops/nn/conv_plan.c: the geometry of a Conv (or ConvTranspose) of X by W (and B, or
 * NULL) with node n's attributes: checks them, sets output 0's shape (dtype ydt) and
 * *out's geometry (batch .. hi; not the algorithm). ConvInteger and QLinearConv
 * (ops/quantization/qconv.c) share it. */
int conv_geometry(struct node *n, struct exec *x, const struct tensor *X,
                  const struct tensor *W, const struct tensor *B, int transpose,
                  enum dtype ydt, struct conv_params **out);
/* Multiply-adds of one run: the (output, tap) pairs that land inside X, for every
 * pair of input and output channel of a group (taps in padding are not counted). */
int64_t conv_params_macs(const struct conv_params *p);

/* ops/nn/conv.c: run() of both ops */
int conv_run(struct node *n, struct exec *x);

/* ops/nn/winograd.c: ALGO_WINOGRAD, float Conv only. prepare sets *ok, p->wino and
 * the node's scratch when the geometry in p takes it; run() does every batch item and
 * group, then the epilogue e (NULL: none). */
int winograd_prepare(struct node *n, struct exec *x, struct conv_params *p, int *ok);
void winograd_run(const struct conv_params *p, const float *x, const float *b, float *y,
                  void *scratch, const struct epilogue *e);

#endif
