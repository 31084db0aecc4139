/* epilogue.c - the activations runtime/fuse.c moves into the kernel that produces
 * their input (struct epilogue, ops/op.h): Sigmoid, Tanh, Relu and a PRelu whose
 * slope is one value per channel. Each computes exactly what the standalone op's
 * float kernel computes (ops/math/unary.c, ops/math/elementwise.c), on a run the
 * kernel just wrote. */
#include "ops/cpu.h"
#include "ops/math/mathfn.h"
#include "ops/op.h"

void op_epilogue(const struct epilogue *e, float *y, int64_t count, int64_t c)
{
	switch (e->kind) {
	case EPI_NONE:
		return;
	case EPI_SIGMOID:
	case EPI_TANH:
	case EPI_RELU:
		e->fn(y, y, count);
		return;
	case EPI_PRELU: {
		/* in vectors of 4 written out: a build for size (-Os) leaves the
		 * scalar loop alone */
		const float a = e->slope[c];
		int64_t i = 0;
		for (; i + 4 <= count; i += 4) {
			v4f v = v4f_load(y + i);
			v4f_store(y + i, v4f_select(v < 0, a * v, v));
		}
		for (; i < count; i++)
			y[i] = mathfn_select(y[i] < 0, a * y[i], y[i]);
		return;
	}
	}
}

void op_epilogue_set(struct epilogue *e, enum epi_kind kind, const float *slope,
                     const struct exec *x)
{
	e->kind = kind;
	e->slope = kind == EPI_PRELU ? slope : NULL;
	e->fn = NULL;
	if (kind == EPI_SIGMOID)
		e->fn = x->kern->sigmoid_f32;
	else if (kind == EPI_TANH)
		e->fn = x->kern->tanh_f32;
	else if (kind == EPI_RELU)
		e->fn = x->kern->relu_f32;
}
