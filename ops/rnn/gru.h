/* gru.h - the GRU recurrence in its common case (float, linear_before_reset, Sigmoid
 * and Tanh, no clip, no sequence_lens) after X W^T is done, one variant per
 * instruction set: gru_recur_portable (ops/rnn/rnn.c, any hidden size),
 * gru_recur_avx2 (ops/rnn/rnn_avx2.c) and gru_recur_neon (ops/rnn/rnn_neon.c), hidden
 * 4, 8 and 16, from the kernel table of ops/cpu.h, chosen by GRU's prepare.
 * All do the same operations in the same order on each chain (direction, batch
 * entry); they differ only by fused multiply-adds. Also the AVX2 and NEON forms of
 * the input projection X W^T + biases (the portable one is a matrix product). */
#ifndef OPS_GRU_H
#define OPS_GRU_H

#include <stdint.h>

struct node;
struct tensor;

struct gru_recur {
	int64_t seq, batch, hidden;   /* seq_length, batch_size, hidden_size */
	int dirs;                     /* num_directions: 1 or 2 */
	int reverse;                  /* direction = reverse (with dirs = 1) */
	/* Where step t of batch entry b is: xw row t * xw_t + b * xw_b, and Y's
	 * [hidden] run for direction d at y + t * y_t + d * y_d + b * y_b (floats).
	 * gru_recur_layout() sets them for the layout attribute; the planner may
	 * change them to read X or write Y through a Transpose (gru_read_x_from,
	 * gru_write_y_to). */
	int64_t xw_t, xw_b, y_t, y_d, y_b;
	const float *rt[2];           /* [dirs] R^T [hidden][3*hidden], gate blocks z, r, h */
	const float *rbh[2];          /* [dirs] [hidden] Rbh */
	/* Set by gru_recur_pair() (hidden 4): R^T and Rbh of two chains side by
	 * side, for one chain per 128-bit half of an 8-float vector; lane half 0
	 * direction 0, half 1 direction dirs - 1 (the same weights with dirs = 1) */
	float rt2[4 * 3 * 2 * 4];     /* [hidden k][gate block z, r, h][half][4] */
	float rbh2[2 * 4];            /* [half][4] */
};

/* The strides of layout 0 (xw rows t*batch + b, Y [seq][dirs][batch][hidden]) or
 * 1 (rows b*seq + t, Y [batch][seq][dirs][hidden]); seq, batch, hidden and dirs
 * must be set. */
void gru_recur_layout(struct gru_recur *q, int layout);

/* Fills q->rt2 and q->rbh2 from q->rt, q->rbh and q->dirs when q->hidden is 4
 * (else does nothing); call it once the other fields are set. */
void gru_recur_pair(struct gru_recur *q);

/* xw [seq*batch rows][dirs][3*hidden]: X W^T + Wb + Rb (z, r), + Wbh (h), per
 * row and direction. h [dirs][batch][hidden]: initial state in, final state out.
 * y: Y, or NULL. tmp: [6*hidden] floats. Every step of every direction; the directions
 * advance together so that their independent chains overlap. */
typedef void (*gru_recur_fn)(const struct gru_recur *q, const float *xw, float *h,
                             float *y, float *tmp);

void gru_recur_portable(const struct gru_recur *q, const float *xw, float *h, float *y,
                        float *tmp);
/* x86-64 only, where the CPU has AVX2 and FMA (kernels_avx2); only for the hidden
 * sizes gru_recur_avx2_fits() accepts (4, 8, 16). */
void gru_recur_avx2(const struct gru_recur *q, const float *xw, float *h, float *y,
                    float *tmp);
int gru_recur_avx2_fits(int64_t hidden);

/* The input projection in one pass, AVX2 + FMA (ops/rnn/rnn_avx2.c): xw[rows][n] =
 * (x[rows][in] wt[in][n], summed from k = 0 up) + bx[n], x's rows ldx floats
 * apart, as ops/rnn/rnn.c's bias rows
 * plus ops/math/gemm.h's product give, to fused multiply-adds; the sums stay in
 * registers and xw is written once. Only where gru_project_avx2_fits(n, in). */
typedef void (*gru_project_fn)(int64_t rows, int64_t in, int64_t ldx, int64_t n,
                               const float *x, const float *wt, const float *bx, float *xw);

void gru_project_avx2(int64_t rows, int64_t in, int64_t ldx, int64_t n, const float *x,
                      const float *wt, const float *bx, float *xw);
int gru_project_avx2_fits(int64_t n, int64_t in);
/* The recurrence for WebAssembly SIMD128 (ops/rnn/rnn_wasm.c: wasm32 only,
 * kernels_wasm_simd128), hidden 4 and 8: the portable results exactly (no fused
 * multiply-adds). */
void gru_recur_wasm(const struct gru_recur *q, const float *xw, float *h, float *y,
                    float *tmp);
int gru_recur_wasm_fits(int64_t hidden);

/* The same for ARM with NEON (ops/rnn/rnn_neon.c, kernels_neon): the recurrence for
 * hidden 4, 8 and 16, the projection for n a multiple of 4 up to 48. */
void gru_recur_neon(const struct gru_recur *q, const float *xw, float *h, float *y,
                    float *tmp);
int gru_recur_neon_fits(int64_t hidden);
void gru_project_neon(int64_t rows, int64_t in, int64_t ldx, int64_t n, const float *x,
                      const float *wt, const float *bx, float *xw);
int gru_project_neon_fits(int64_t n, int64_t in);

/* For the planner (ops/rnn/rnn_fuse.c), on a prepared GRU node whose fast path
 * applies (float, layout 0, no sequence_lens); 1 when done, 0 when not:
 * gru_read_x_from: X is Transpose(src, perm [1, 0, 2]): read src ([batch][seq]
 * [input]) instead (call it before gru_read_x_slice). gru_write_y_to: write Y's
 * [hidden] runs into dst at off + t * st + d * sd + b * sb floats instead (dst holds
 * at least Y's element count). gru_y_layout: where Y goes now (the output tensor is output 0). */
int gru_read_x_from(struct node *n, struct tensor *src);
/* X is a Slice of src's last axis from start, step 1, src otherwise X's shape:
 * read src's rows at that offset instead. */
int gru_read_x_slice(struct node *n, struct tensor *src, int64_t start);
int gru_write_y_to(struct node *n, struct tensor *dst, int64_t off, int64_t st, int64_t sd,
                   int64_t sb);
int gru_y_layout(const struct node *n, int64_t *off, int64_t *st, int64_t *sd, int64_t *sb);

#endif
