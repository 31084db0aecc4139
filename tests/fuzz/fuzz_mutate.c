/* fuzz_mutate.c - valid models, changed structurally (fuzz.h).
 *
 * Random bytes rarely get past protobuf parsing and the loader's checks;
 * this target's mutator parses the input as a model and changes one thing an
 * attacker or a broken exporter could: a dim, an index or shape value, an
 * attribute (axes, pads, perm, strides...), an element type, a graph input's
 * shape, a node's input or op_type (and domain: a node may become a call of
 * a model-local function); the nodes are the main graph's or, half the time
 * in a model with functions, a function body's. The input then goes through the same
 * load -> plan -> run as fuzz_load. Seeds: real models (make fuzz copies the
 * GTCRN exports) and the small ones in corpus/mutate. */
#include <stdlib.h>
#include <string.h>
#include "proto/onnx.pb-c.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_model_bytes(data, size);
	return 0;
}

#ifdef GRT_LIBFUZZER
size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size);
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed);

static uint64_t rng;

static uint64_t rnd(uint64_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return n ? rng % n : 0;
}

/* A value worth trying where an int64 is read: small, edge, or near v. */
static int64_t pick_int(int64_t v)
{
	static const int64_t edge[] = { 0, 1, -1, 2, -2, 3, 7, 16, 33, 255, 256, 65536,
	                                (int64_t)1 << 31, -((int64_t)1 << 31), (int64_t)1 << 40,
	                                INT64_MAX, INT64_MIN };
	switch (rnd(4)) {                 /* wrapping: the mutator itself must not overflow */
	case 0: return (int64_t)((uint64_t)v + 1);
	case 1: return (int64_t)((uint64_t)v - 1);
	case 2: return (int64_t)(0 - (uint64_t)v);
	default: return edge[rnd(sizeof(edge) / sizeof(edge[0]))];
	}
}

static void mutate_tensor_values(Onnx__TensorProto *t)
{
	if (t->data_type == ONNX__TENSOR_PROTO__DATA_TYPE__INT64) {
		if (t->n_int64_data) {
			size_t i = rnd(t->n_int64_data);
			t->int64_data[i] = pick_int(t->int64_data[i]);
		} else if (t->raw_data.len >= 8) {
			size_t i = rnd(t->raw_data.len / 8);
			int64_t v;
			memcpy(&v, t->raw_data.data + 8 * i, 8);
			v = pick_int(v);
			memcpy(t->raw_data.data + 8 * i, &v, 8);
		}
	} else if (t->raw_data.len) {
		t->raw_data.data[rnd(t->raw_data.len)] ^= (uint8_t)(1u << rnd(8));
	}
}

static void mutate_dims(int64_t *dims, size_t n)
{
	size_t i, j;

	if (!n)
		return;
	i = rnd(n);
	j = rnd(n);
	switch (rnd(3)) {
	case 0: {                       /* swap two: the size stays */
		int64_t v = dims[i];
		dims[i] = dims[j];
		dims[j] = v;
		break;
	}
	case 1:                         /* move a factor of 2: the size stays */
		if (dims[i] % 2 == 0 && i != j && dims[j] < ((int64_t)1 << 40) && dims[j] > -((int64_t)1 << 40)) {
			dims[i] /= 2;
			dims[j] *= 2;
		}
		break;
	default:
		dims[i] = pick_int(dims[i]);
	}
}

static void mutate_attr(Onnx__AttributeProto *a)
{
	if (a->n_ints) {
		size_t i = rnd(a->n_ints);
		if (rnd(4) == 0 && a->n_ints > 1)
			a->n_ints--;                        /* one fewer entry */
		else
			a->ints[i] = pick_int(a->ints[i]);
	} else if (a->has_i) {
		a->i = pick_int(a->i);
	} else if (a->has_f) {
		static const float fl[] = { 0.0f, -1.0f, 1e-30f, 1e30f, 0.5f };
		a->f = fl[rnd(5)];
	} else if (a->t) {
		mutate_tensor_values(a->t);
	}
}

static char *dup_str(const char *s)
{
	char *d = malloc(strlen(s) + 1);

	if (d)
		strcpy(d, s);
	return d;
}

static void mutate(Onnx__ModelProto *mp)
{
	Onnx__GraphProto *g = mp->graph;
	Onnx__NodeProto *n, **nodes;
	size_t n_nodes;

	if (!g)
		return;
	nodes = g->node;
	n_nodes = g->n_node;
	if (mp->n_functions && rnd(2)) {
		const Onnx__FunctionProto *f = mp->functions[rnd(mp->n_functions)];
		nodes = f->node;
		n_nodes = f->n_node;
	}
	n = n_nodes ? nodes[rnd(n_nodes)] : NULL;
	switch (rnd(8)) {
	case 0:
		if (g->n_initializer) {
			Onnx__TensorProto *t = g->initializer[rnd(g->n_initializer)];
			mutate_dims(t->dims, t->n_dims);
		}
		break;
	case 1:
		if (g->n_initializer)
			mutate_tensor_values(g->initializer[rnd(g->n_initializer)]);
		break;
	case 2:
	case 3:
		if (n && n->n_attribute)
			mutate_attr(n->attribute[rnd(n->n_attribute)]);
		break;
	case 4:
		if (g->n_initializer) {
			static const int32_t types[] = { 1, 2, 3, 6, 7, 9, 10, 11, 16 };
			g->initializer[rnd(g->n_initializer)]->data_type = types[rnd(9)];
		}
		break;
	case 5:
		if (g->n_input) {
			Onnx__ValueInfoProto *vi = g->input[rnd(g->n_input)];
			if (vi->type && vi->type->tensor_type && vi->type->tensor_type->shape &&
			    vi->type->tensor_type->shape->n_dim) {
				Onnx__TensorShapeProto *sp = vi->type->tensor_type->shape;
				Onnx__TensorShapeProto__Dimension *dm = sp->dim[rnd(sp->n_dim)];
				if (dm->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE)
					dm->dim_value = pick_int(dm->dim_value);
			}
		}
		break;
	case 6:                             /* an input now names another value */
		if (n && n->n_input) {
			Onnx__NodeProto *o = nodes[rnd(n_nodes)];
			const char *name = o->n_output ? o->output[0] :
			                   g->n_initializer ? g->initializer[rnd(g->n_initializer)]->name :
			                   "";
			size_t k = rnd(n->n_input);
			char *d = dup_str(name ? name : "");
			if (d) {
				free(n->input[k]);
				n->input[k] = d;
			}
		}
		break;
	default:                            /* another node's op_type and domain */
		if (n && n_nodes > 1) {
			Onnx__NodeProto *o = nodes[rnd(n_nodes)];
			char *d = dup_str(o->op_type ? o->op_type : "");
			char *dom = dup_str(o->domain ? o->domain : "");
			if (d && dom) {
				free(n->op_type);
				free(n->domain);
				n->op_type = d;
				n->domain = dom;
			} else {
				free(d);
				free(dom);
			}
		}
		break;
	}
}

size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed)
{
	Onnx__ModelProto *mp;
	size_t out;

	rng = (uint64_t)seed * 0x9E3779B97F4A7C15ull + 1;
	if (rnd(16) == 0 || !(mp = onnx__model_proto__unpack(NULL, size, data)))
		return LLVMFuzzerMutate(data, size, max_size);
	for (uint64_t k = 1 + rnd(3); k > 0; k--)
		mutate(mp);
	out = onnx__model_proto__get_packed_size(mp);
	if (out <= max_size)
		onnx__model_proto__pack(mp, data);
	else
		out = LLVMFuzzerMutate(data, size, max_size);
	onnx__model_proto__free_unpacked(mp, NULL);
	return out;
}
#endif
