/* dropout.c - Dropout (https://onnx.ai/onnx/operators/onnx__Dropout.html), opsets 1..latest.
 * Inference (is_test in 1-6, always in 7-11, training_mode false from 12): y = x, mask all
 * true. Training with ratio r > 0: mask = u >= r with u uniform in [0, 1) one per element in
 * order, y = mask * x / (1 - r). u comes from MT19937 seeded with the seed attribute (0 when
 * absent) on each run, as numpy's RandomState(seed).uniform, so the masks are reproducible. */
#include <string.h>
#include "ops/op.h"

#define MT_N 624

struct dropout_params {
	float ratio;                /* the attribute (opsets 1-11), or the default 0.5 */
	int training;               /* opsets 1-6: is_test == 0 */
	uint32_t seed;              /* the seed attribute, or 0 */
};

static int dropout_prepare(struct node *n, struct exec *x)
{
	static const enum dtype types[] = {
		DT_FLOAT, DT_DOUBLE, DT_FLOAT16, DT_BFLOAT16, DT_UNDEFINED,
	};
	static const enum dtype ratio_types[] = { DT_FLOAT, DT_DOUBLE, DT_FLOAT16, DT_UNDEFINED };
	static const enum dtype bool_type[] = { DT_BOOL, DT_UNDEFINED };
	const struct tensor *in;
	struct tensor *mask = op_output(n, 1);
	struct dropout_params *p;
	int64_t is_test = 0, seed;
	int rc, inputs = n->opset >= 12;

	if ((rc = op_check_arity(n, x, 1, inputs ? 3 : 1, 1, 2)) ||
	    (rc = op_check_dtype(n, x, 0, types)) ||
	    (op_input(n, 1) && (rc = op_check_dtype(n, x, 1, ratio_types))) ||
	    (op_input(n, 2) && (rc = op_check_dtype(n, x, 2, bool_type))))
		return rc;
	if (!(p = plan_alloc(x, sizeof(*p))))
		return GRT_E_NOMEM;
	n->params = p;
	p->ratio = 0.5f;
	if (!inputs && (rc = attr_float(n, x, "ratio", 0.5f, &p->ratio)))
		return rc;
	if (n->opset < 7 && (rc = attr_int(n, x, "is_test", 0, &is_test)))
		return rc;
	if ((rc = attr_int(n, x, "seed", 0, &seed)))
		return rc;
	p->training = n->opset < 7 && !is_test;
	p->seed = (uint32_t)seed;
	in = n->inputs[0];
	if ((rc = tensor_set_shape(n->outputs[0], in->dtype, in->ndim, in->dims)) ||
	    (mask && (rc = tensor_set_shape(mask, n->opset < 10 ? in->dtype : DT_BOOL, in->ndim,
	                                    in->dims))))
		return op_fail(n, x, rc, "output shape too large");
	if (p->training || op_input(n, 2))
		n->scratch_bytes = MT_N * sizeof(uint32_t);
	/* inference for certain and no mask: y is x, the planner may drop the node */
	n->view = !p->training && !op_input(n, 2) && !mask;
	n->inplace = 1;
	return GRT_OK;
}

/* MT19937 (Matsumoto and Nishimura), state mt [MT_N] seeded with init_genrand(seed). */
static void mt_seed(uint32_t *mt, uint32_t seed)
{
	mt[0] = seed;
	for (uint32_t i = 1; i < MT_N; i++)
		mt[i] = 1812433253u * (mt[i - 1] ^ (mt[i - 1] >> 30)) + i;
}

static uint32_t mt_next(uint32_t *mt, int *pos)
{
	uint32_t y;

	if (*pos >= MT_N) {
		for (int i = 0; i < MT_N; i++) {
			y = (mt[i] & 0x80000000u) | (mt[(i + 1) % MT_N] & 0x7fffffffu);
			mt[i] = mt[(i + 397) % MT_N] ^ (y >> 1) ^ ((y & 1) ? 0x9908b0dfu : 0);
		}
		*pos = 0;
	}
	y = mt[(*pos)++];
	y ^= y >> 11;
	y ^= (y << 7) & 0x9d2c5680u;
	y ^= (y << 15) & 0xefc60000u;
	return y ^ (y >> 18);
}

/* numpy's random_sample: 53 random bits in [0, 1) */
static double mt_uniform(uint32_t *mt, int *pos)
{
	uint32_t a = mt_next(mt, pos) >> 5, b = mt_next(mt, pos) >> 6;

	return (a * 67108864.0 + b) / 9007199254740992.0;
}

/* mask element i: bool (opsets 10+) or the input's type (1.0 / 0.0) */
static void mask_set(struct tensor *mask, int64_t i, int keep)
{
	if (mask->dtype == DT_BOOL)
		((uint8_t *)mask->data)[i] = (uint8_t)keep;
	else
		elem_set_double(mask->dtype, mask->data, i, keep);
}

static int dropout_run(struct node *n, struct exec *x)
{
	const struct dropout_params *p = n->params;
	const struct tensor *in = n->inputs[0], *r = op_input(n, 1), *t = op_input(n, 2);
	struct tensor *out = n->outputs[0], *mask = op_output(n, 1);
	double ratio = r ? elem_as_double(r->dtype, r->data, 0) : p->ratio, scale;
	int training = t ? *(const uint8_t *)t->data != 0 : p->training, pos = MT_N;
	uint32_t *mt = x->scratch;

	if (!training || ratio == 0) {
		if (out->data != in->data)
			memcpy(out->data, in->data, out->nbytes);
		for (int64_t i = 0; mask && i < mask->numel; i++)
			mask_set(mask, i, 1);
		return GRT_OK;
	}
	if (!(ratio > 0 && ratio < 1))
		return op_fail(n, x, GRT_E_INDEX, "ratio %g is outside [0, 1)", ratio);
	/* as the reference: the scale in the input's precision (float for float) */
	scale = in->dtype == DT_DOUBLE ? 1 / (1 - ratio) : (float)(1 / (1 - (float)ratio));
	mt_seed(mt, p->seed);
	for (int64_t i = 0; i < out->numel; i++) {
		int keep = mt_uniform(mt, &pos) >= ratio;
		double v = keep ? elem_as_double(in->dtype, in->data, i) * scale : 0;
		elem_set_double(out->dtype, out->data, i, v);
		if (mask)
			mask_set(mask, i, keep);
	}
	return GRT_OK;
}

/* 6 drops consumed_inputs, 7 is_test (inference only), 10 makes the mask bool, 12 turns
 * ratio into an input and adds training_mode and seed; 13 and 22 add types. */
const struct op_def op_dropout = {
	"Dropout", 1, OPSET_LATEST, dropout_prepare, dropout_run, 0, NULL
};
