/* col2im.c - Col2Im (https://onnx.ai/onnx/operators/onnx__Col2Im.html, opsets 18+):
 * the inverse of im2col (PyTorch's nn.Fold, in N spatial dims). Input
 * [N, C * prod(block_shape), L] holds the sliding blocks; each block element is
 * added to the image position it came from, padding positions dropped. prepare
 * maps every (block element, block) pair to its image offset; float and double. */
#include <stdint.h>
#include <string.h>
#include "ops/op.h"

struct col2im_params {
	int64_t planes;             /* N * C: output planes */
	int64_t nk, n_blocks;       /* elements per block (prod(block_shape)); L */
	int64_t image;              /* elements per output plane */
	int64_t *off;               /* [nk * n_blocks] image offset of each input column
	                               of a plane, or -1 in the padding */
	enum dtype dtype;
};

/* The attribute name, ns values in [min, INT32_MAX] (default def), into out. */
static int col2im_ints(struct node *n, struct exec *x, const char *name, int ns, int64_t def,
                       int64_t min, int64_t *out)
{
	const int64_t *v;
	int count, rc = attr_ints(n, x, name, &v, &count);

	if (rc)
		return rc;
	if (count >= 0 && count != ns)
		return op_fail(n, x, GRT_E_ATTR, "attribute '%s' has %d values, want %d", name,
		               count, ns);
	for (int i = 0; i < ns; i++) {
		out[i] = count < 0 ? def : v[i];
		if (out[i] < min || out[i] > INT32_MAX)   /* no overflow in the sizes */
			return op_fail(n, x, GRT_E_ATTR, "attribute '%s'[%d] = %lld is not in "
			               "[%lld, %d]", name, i, (long long)out[i], (long long)min,
			               INT32_MAX);
	}
	return GRT_OK;
}

/* off[k * L + l]: the image offset block element k of block l lands on, or -1. */
static void col2im_offsets(struct col2im_params *p, int ns, const int64_t *img,
                           const int64_t *blk, const int64_t *dil, const int64_t *str,
                           const int64_t *pad, const int64_t *nb)
{
	for (int64_t k = 0; k < p->nk; k++)
		for (int64_t l = 0; l < p->n_blocks; l++) {
			int64_t kr = k, lr = l, off = 0, in = 1;

			for (int d = ns - 1; d >= 0; d--) {
				int64_t pos = lr % nb[d] * str[d] + kr % blk[d] * dil[d] - pad[d];

				in = in && pos >= 0 && pos < img[d];
				off += pos * shape_numel(ns - 1 - d, img + d + 1);
				kr /= blk[d];
				lr /= nb[d];
			}
			p->off[k * p->n_blocks + l] = in ? off : -1;
		}
}

static int col2im_prepare(struct node *n, struct exec *x)
{
	static const enum dtype types[] = { DT_FLOAT, DT_DOUBLE, DT_UNDEFINED };
	static const enum dtype ints[] = { DT_INT64, DT_UNDEFINED };
	const struct tensor *in;
	struct col2im_params *p;
	int64_t img[MAX_DIMS], blk[MAX_DIMS], dil[MAX_DIMS], str[MAX_DIMS], pad[2 * MAX_DIMS];
	int64_t nb[MAX_DIMS], dims[MAX_DIMS], nk = 1, n_blocks = 1;
	const int64_t *iv, *bv;
	int ns, rc;

	if ((rc = op_check_arity(n, x, 3, 3, 1, 1)) || (rc = op_check_dtype(n, x, 0, types)) ||
	    (rc = op_check_dtype(n, x, 1, ints)) || (rc = op_check_dtype(n, x, 2, ints)))
		return rc;
	in = n->inputs[0];
	ns = (int)n->inputs[1]->numel;
	if (!n->outputs[0])
		return op_fail(n, x, GRT_E_INVALID_MODEL, "output 0 is empty");
	if (in->ndim != 3)
		return op_fail(n, x, GRT_E_SHAPE, "input has rank %d, want 3 (N, C * prod(block), L)",
		               in->ndim);
	if (n->inputs[1]->ndim != 1 || n->inputs[2]->ndim != 1 || ns < 1 ||
	    n->inputs[2]->numel != ns || ns + 2 > MAX_DIMS)
		return op_fail(n, x, GRT_E_SHAPE, "image_shape and block_shape must be 1-D of one "
		               "length in [1, %d]", MAX_DIMS - 2);
	if (!(iv = op_const_input(n, x, 1)))
		return op_dynamic(n, x, 1, "image_shape");
	if (!(bv = op_const_input(n, x, 2)))
		return op_dynamic(n, x, 2, "block_shape");
	if ((rc = col2im_ints(n, x, "dilations", ns, 1, 1, dil)) ||
	    (rc = col2im_ints(n, x, "strides", ns, 1, 1, str)) ||
	    (rc = col2im_ints(n, x, "pads", 2 * ns, 0, 0, pad)))
		return rc;
	for (int d = 0; d < ns; d++) {
		int64_t span;

		img[d] = iv[d];
		blk[d] = bv[d];
		if (img[d] < 1 || blk[d] < 1 || img[d] > INT32_MAX || blk[d] > INT32_MAX)
			return op_fail(n, x, GRT_E_SHAPE, "image_shape[%d] = %lld and block_shape[%d] "
			               "= %lld must be >= 1", d, (long long)img[d], d, (long long)blk[d]);
		span = img[d] + pad[d] + pad[ns + d] - dil[d] * (blk[d] - 1) - 1;
		if (span < 0)
			return op_fail(n, x, GRT_E_SHAPE, "the dilated block is larger than the padded "
			               "image on axis %d", d);
		nb[d] = span / str[d] + 1;
		nk *= blk[d];
		n_blocks *= nb[d];
	}
	if (in->dims[1] % nk || in->dims[2] != n_blocks)
		return op_fail(n, x, GRT_E_SHAPE, "input is (%lld, %lld, %lld), want (N, C * %lld, "
		               "%lld)", (long long)in->dims[0], (long long)in->dims[1],
		               (long long)in->dims[2], (long long)nk, (long long)n_blocks);
	dims[0] = in->dims[0];
	dims[1] = in->dims[1] / nk;
	memcpy(dims + 2, img, (size_t)ns * sizeof(int64_t));
	if ((rc = tensor_set_shape(n->outputs[0], in->dtype, ns + 2, dims)))
		return op_fail(n, x, rc, "output shape too large");
	if (!(p = plan_alloc(x, sizeof(*p))) ||
	    !(p->off = plan_alloc(x, (size_t)(nk * n_blocks) * sizeof(int64_t))))
		return GRT_E_NOMEM;
	p->planes = dims[0] * dims[1];
	p->nk = nk;
	p->n_blocks = n_blocks;
	p->image = shape_numel(ns, img);
	p->dtype = in->dtype;
	col2im_offsets(p, ns, img, blk, dil, str, pad, nb);   /* begin pads: pad[0, ns) */
	n->params = p;
	return GRT_OK;
}

static int col2im_run(struct node *n, struct exec *x)
{
	const struct col2im_params *p = n->params;
	const int64_t cols = p->nk * p->n_blocks;

	(void)x;
	memset(n->outputs[0]->data, 0, n->outputs[0]->nbytes);
	for (int64_t c = 0; c < p->planes; c++) {
		if (p->dtype == DT_FLOAT) {
			const float *src = (const float *)n->inputs[0]->data + c * cols;
			float *dst = (float *)n->outputs[0]->data + c * p->image;
			for (int64_t i = 0; i < cols; i++)
				if (p->off[i] >= 0)
					dst[p->off[i]] += src[i];
		} else {
			const double *src = (const double *)n->inputs[0]->data + c * cols;
			double *dst = (double *)n->outputs[0]->data + c * p->image;
			for (int64_t i = 0; i < cols; i++)
				if (p->off[i] >= 0)
					dst[p->off[i]] += src[i];
		}
	}
	return GRT_OK;
}

const struct op_def op_col2im = { "Col2Im", 18, OPSET_LATEST, col2im_prepare, col2im_run, 0,
                                  NULL };
