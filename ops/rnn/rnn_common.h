/* rnn_common.h - what the recurrent operators share: GRU (ops/rnn/rnn.c), LSTM and
 * RNN (ops/rnn/lstm.c). The attributes (direction, hidden_size, clip, layout and the
 * activations with their alpha and beta), the shapes of X, W, R, B, sequence_lens,
 * initial_h and of Y, Y_h, the activation functions, the weight transpose and the
 * input projection X W^T + biases. All compute in float; double and float16 tensors
 * are converted on the way in and out (rnn_elem, rnn_store). */
#ifndef OPS_RNN_COMMON_H
#define OPS_RNN_COMMON_H

#include <stddef.h>
#include <stdint.h>

struct node;
struct exec;
struct tensor;
struct gemm_ukernel;

enum act_kind {
	ACT_RELU, ACT_TANH, ACT_SIGMOID, ACT_AFFINE, ACT_LEAKY_RELU, ACT_THRESHOLDED_RELU,
	ACT_SCALED_TANH, ACT_HARD_SIGMOID, ACT_ELU, ACT_SOFTSIGN, ACT_SOFTPLUS,
};

struct act {
	enum act_kind kind;
	float alpha, beta;
};

/* The sizes and attributes of one recurrent node. */
struct rnn_dims {
	int64_t seq, batch, input, hidden;  /* seq_length, batch_size, input_size, hidden_size */
	int gates;                 /* gate blocks in W and R: GRU 3, LSTM 4, RNN 1 */
	int dirs;                  /* num_directions: 1 or 2 */
	int reverse;               /* direction = reverse (with dirs = 1) */
	int layout;                /* 0: X [seq, batch, input]; 1: X [batch, seq, input] */
	float clip;                /* > 0: gate inputs clipped to [-clip, clip]; 0: no clip */
	struct act act[2][3];      /* [dirs][the op's functions: f, g (GRU, LSTM), h (LSTM)] */
};

/* direction, hidden_size (*hidden_attr, 0 if absent), clip, layout (opset 14),
 * output_sequence (opset < 7) and activations into c; n_acts functions per
 * direction, defaults def[n_acts]. Sets c->gates to gates. */
int rnn_attrs(struct node *n, struct exec *x, struct rnn_dims *c, int gates, int n_acts,
              const enum act_kind *def, int64_t *hidden_attr);

/* X (input 0) float, double or float16, inputs 1 to n_in - 1 of its type but for
 * sequence_lens (input 4, int32). */
int rnn_check_types(struct node *n, struct exec *x, int n_in);

/* seq, batch, input, hidden from X and R; checks W, R, B, sequence_lens and
 * initial_h (inputs 1-5); sets the shapes of Y and Y_h (outputs 0, 1). */
int rnn_shapes(struct node *n, struct exec *x, struct rnn_dims *c, int64_t hidden_attr);

/* t (NULL: absent) is a state input: [dirs, batch, hidden] (layout 1: [batch, dirs,
 * hidden]); what names it in the message. */
int rnn_check_state(struct node *n, struct exec *x, const struct rnn_dims *c,
                    const struct tensor *t, const char *what);
/* Output i (if present) gets the state shape; what names it. */
int rnn_state_output(struct node *n, struct exec *x, const struct rnn_dims *c, int i,
                     const char *what);
/* Index of direction d, batch entry b's [hidden] run in a state tensor. */
static inline int64_t rnn_state_row(const struct rnn_dims *c, int d, int64_t b)
{
	return c->layout ? b * c->dirs + d : d * c->batch + b;
}

/* Clips v to [-clip, clip] (clip > 0), then applies a in place. */
void rnn_activate(const struct act *a, float clip, float *v, int64_t n);

/* Element i of a float, double or float16 tensor, as float. */
float rnn_elem(const struct tensor *t, int64_t i);
/* s[numel] into double or float16 t. */
void rnn_store(struct tensor *t, const float *s);

/* dst[k][rows] = src's elements off + j * cols + k, j < rows, k < cols: a block of
 * W or R transposed to float. */
void rnn_transpose(float *dst, const struct tensor *src, int64_t off, int64_t rows,
                   int64_t cols);

/* A scratch byte offset: *at rounded up to 64 bytes past bytes. */
size_t rnn_take(size_t *at, size_t bytes);

/* xw[rows][g] = bx + x[rows][input] wt (the product summed first); wt [input][g],
 * x's rows ldx floats apart. */
void rnn_project(const struct gemm_ukernel *gemm, const float *xs, int64_t ldx,
                 const float *wt, const float *bx, int64_t rows, int64_t in, int64_t g,
                 float *xw);

/* y[n] += x[k] A[k][n] (A's rows lda floats apart): gemm_f32_run's product with
 * m = 1, the same sums (over k in order, from 0, added to y once), for the steps
 * of a batch of one: rnn_gemv_portable is that product with the portable
 * micro-kernel; rnn_gemv_avx2 (ops/rnn/rnn_avx2.c, x86-64 with AVX2 and FMA) keeps
 * eight vectors of sums in flight instead of four; rnn_gemv_neon (ops/rnn/rnn_neon.c,
 * ARM with NEON) is the product with the NEON micro-kernel. From the kernel table
 * (ops/cpu.h). */
typedef void (*rnn_gemv_fn)(int64_t n, int64_t k, const float *x, const float *a,
                            int64_t lda, float *y);

void rnn_gemv_portable(int64_t n, int64_t k, const float *x, const float *a, int64_t lda,
                       float *y);
void rnn_gemv_avx2(int64_t n, int64_t k, const float *x, const float *a, int64_t lda,
                   float *y);
void rnn_gemv_neon(int64_t n, int64_t k, const float *x, const float *a, int64_t lda,
                   float *y);

/* sequence_lens' values (lens, NULL: none) in [0, seq]. */
int rnn_check_lens(struct node *n, struct exec *x, const int32_t *lens, int64_t batch,
                   int64_t seq);

#endif
