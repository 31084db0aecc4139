/* winograd.h - Conv's Winograd algorithm F(4x4, 3x3) (ALGO_WINOGRAD, ops/nn/winograd.c):
 * 3x3 kernels at stride 1, the output in 4x4 tiles, each read from a 6x6 input tile d
 * (zeros outside the plane). With the points 0, 1, -1, 2, -2 and infinity,
 *   Y = A^T [ (G g G^T) . (B^T d B) ] A
 * (Lavin and Gray, "Fast Algorithms for Convolutional Neural Networks", 2016): 36
 * products per tile and channel pair instead of 144. The weights U = G g G^T are made
 * at plan time; run() goes over blocks of nt tiles: the input transform of a block
 * into V, 36 matrix products M = U V, the output transform of M into Y.
 *
 * Layouts (floats): a block's tiles t0 .. t0 + nt - 1 in raster order (t = ty * tw +
 * tx), taken 8 at a time; tile t0 + 8 q + k is column 8 q + wino_slot(k) of V and M, so
 * that a vector of 8 columns holds tiles 0, 2, 4, 6, 1, 3, 5, 7 of its group (the order
 * of an in-lane 4x4 transpose of two tiles per 8-float row). Columns of tiles past the
 * last are zero in V and ignored in M.
 *   U [36][mp / 4][c][4]: position p, output channels 4 b .. 4 b + 3 (zero past m)
 *   V [c][36][nt]: the 36 positions of a channel side by side for the input
 *     transform, which writes them together (channels vc floats apart)
 *   M [36][mp][nt] (positions ms floats apart)
 * The kernels exist once per instruction set (ops/cpu.h); they compute the same sums
 * in the same order and differ only by fused multiply-adds. */
#ifndef OPS_WINOGRAD_H
#define OPS_WINOGRAD_H

#include <stdint.h>

/* the geometry of one group's plane and block */
struct wino_geom {
	int64_t c, m, mp;        /* input channels, output channels, m rounded up to 4 */
	int64_t h, w, oh, ow;    /* input and output plane */
	int64_t ph, pw;          /* begin pads: tile row ty reads input rows 4 ty - ph ... */
	int64_t tw, tiles;       /* tiles per row (ceil(ow / 4)), in all (ceil(oh / 4) tw) */
	int64_t nt;              /* tiles per block, a multiple of 24 */
	int64_t vc;              /* floats between the channels of V: 36 nt */
	int64_t ms;              /* floats between the positions of M: mp nt, plus 16 so
	                          * that the 36 positions of a column fall into different
	                          * cache sets */
};

/* column of tile k (0..7) of a group of 8 */
static inline int wino_slot(int k)
{
	return (k & 1) * 4 + (k >> 1);
}

/* V of tiles t0 .. t0 + nt - 1 from x [c][h][w] */
typedef void (*wino_in_fn)(const struct wino_geom *g, const float *x, int64_t t0, float *v);
/* M = U V, the 36 products of [mp][c] by [c][nt] */
typedef void (*wino_gemm_fn)(const struct wino_geom *g, const float *u, const float *v,
                             float *mo);
/* y [m][oh][ow] of tiles t0 .. t0 + nt - 1 from M, plus bias [m] (NULL: none); relu:
 * then y > 0 ? y : 0 (a fused Relu, as op_epilogue computes it) */
typedef void (*wino_out_fn)(const struct wino_geom *g, const float *mo, const float *bias,
                            int relu, int64_t t0, float *y);

void wino_in_portable(const struct wino_geom *g, const float *x, int64_t t0, float *v);
void wino_gemm_portable(const struct wino_geom *g, const float *u, const float *v,
                        float *mo);
void wino_out_portable(const struct wino_geom *g, const float *mo, const float *bias,
                       int relu, int64_t t0, float *y);
/* x86-64 only; only where the CPU has AVX2 and FMA (kernels_avx2) */
void wino_in_avx2(const struct wino_geom *g, const float *x, int64_t t0, float *v);
void wino_gemm_avx2(const struct wino_geom *g, const float *u, const float *v, float *mo);
void wino_out_avx2(const struct wino_geom *g, const float *mo, const float *bias, int relu,
                   int64_t t0, float *y);

#endif
