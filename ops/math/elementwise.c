/* elementwise.c - Add, Sub, Mul, Div, Pow, Mod, BitShift, Equal, Less, Greater,
 * LessOrEqual, GreaterOrEqual, And, Or, Xor, Where, PRelu and the variadic Max, Min,
 * Sum, Mean (https://onnx.ai/onnx/operators/; the unary ops are in ops/math/unary.c).
 * Opsets 1..latest (PRelu 7.., Where 9.., Mod 10.., BitShift 11.., LessOrEqual and
 * GreaterOrEqual 12..); before opset 7 the binary ops use the legacy
 * `broadcast`/`axis` rule. Prepare merges the broadcast axes into rows of one inner
 * loop and picks a typed kernel per row kind (both inputs advance, or one of them
 * is fixed). */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "ops/half.h"
#include "ops/math/binary.h"

#define MAX_IN 3                /* Where has three inputs */

/* --- broadcast loop plan --- */

/* The output is walked as `rows` rows of `inner` elements. Along a row input
 * j advances by step[j] elements (1, or 0 if it is broadcast along the row);
 * from row to row by an odometer over the outer axes. Axes of size 1 are
 * dropped and neighbouring axes that every input walks contiguously are
 * merged, so equal shapes and scalar operands give a single row. */
struct bcast {
	int k;                                    /* inputs */
	int n_outer;                              /* outer axes, outermost first */
	int64_t rows;                             /* product of outer_dims */
	int64_t inner;                            /* elements per row */
	int64_t outer_dims[MAX_DIMS];
	int64_t outer_strides[MAX_IN][MAX_DIMS];  /* elements, 0 on broadcast axes */
	int step[MAX_IN];                         /* 0 or 1 */
};

struct bcast_pos {
	int64_t idx[MAX_DIMS];                    /* odometer over the outer axes */
	int64_t off[MAX_IN];                      /* element offset of each input */
};

/* Shapes must already broadcast to (ndim, dims). */
static void bcast_plan(struct bcast *p, int ndim, const int64_t *dims, int k,
                       const int *in_ndim, const int64_t *const *in_dims)
{
	int64_t st[MAX_IN][MAX_DIMS];             /* input strides per output axis */
	int64_t gd[MAX_DIMS];                     /* merged axes, innermost first */
	int64_t gs[MAX_IN][MAX_DIMS];
	int m = 0;

	for (int j = 0; j < k; j++) {
		int64_t s = 1;
		for (int d = ndim - 1; d >= 0; d--) {
			int td = d - (ndim - in_ndim[j]);
			int64_t v = td >= 0 ? in_dims[j][td] : 1;
			st[j][d] = v == 1 ? 0 : s;
			s *= v;
		}
	}
	for (int d = ndim - 1; d >= 0; d--) {
		int merge = m > 0;
		if (dims[d] == 1)
			continue;
		for (int j = 0; j < k && merge; j++)
			if (st[j][d] != gs[j][m - 1] * gd[m - 1])
				merge = 0;
		if (merge) {
			gd[m - 1] *= dims[d];
			continue;
		}
		gd[m] = dims[d];
		for (int j = 0; j < k; j++)
			gs[j][m] = st[j][d];
		m++;
	}
	memset(p, 0, sizeof(*p));
	p->k = k;
	p->inner = m ? gd[0] : 1;
	for (int j = 0; j < k; j++)
		p->step[j] = m ? (int)gs[j][0] : 0;
	p->n_outer = m > 1 ? m - 1 : 0;
	p->rows = 1;
	for (int i = 0; i < p->n_outer; i++) {
		int g = m - 1 - i;
		p->outer_dims[i] = gd[g];
		for (int j = 0; j < k; j++)
			p->outer_strides[j][i] = gs[j][g];
		p->rows *= gd[g];
	}
}

static void bcast_next(const struct bcast *p, struct bcast_pos *q)
{
	for (int d = p->n_outer - 1; d >= 0; d--) {
		for (int j = 0; j < p->k; j++)
			q->off[j] += p->outer_strides[j][d];
		if (++q->idx[d] < p->outer_dims[d])
			return;
		for (int j = 0; j < p->k; j++)
			q->off[j] -= p->outer_strides[j][d] * p->outer_dims[d];
		q->idx[d] = 0;
	}
}

static void fmt_dims(char *buf, size_t len, int ndim, const int64_t *dims)
{
	size_t k = (size_t)snprintf(buf, len, "(");

	for (int d = 0; d < ndim && k < len; d++)
		k += (size_t)snprintf(buf + k, len - k, d ? ",%lld" : "%lld", (long long)dims[d]);
	if (k < len)
		snprintf(buf + k, len - k, ")");
}

/* --- element by element: Pow with mixed or integer types, Mod, BitShift --- */

static int is_signed_int(enum dtype dt)
{
	return dt == DT_INT8 || dt == DT_INT16 || dt == DT_INT32 || dt == DT_INT64;
}

/* base^e modulo 2^64, by squaring. */
static uint64_t ipow_wrap(uint64_t base, uint64_t e)
{
	uint64_t r = 1;

	for (; e; e >>= 1) {
		if (e & 1)
			r *= base;
		base *= base;
	}
	return r;
}

/* Integer base, integer exponent: exact, wrapping like Mul. A negative
 * exponent gives 1/base^|e| truncated toward zero: 1 for base 1, +-1 for
 * base -1, else 0 (also for base 0, where the real result is infinite). */
static uint64_t int_pow(enum dtype bdt, uint64_t base, enum dtype edt, uint64_t e)
{
	if (is_signed_int(edt) && (int64_t)e < 0) {
		if (base == 1)
			return 1;
		if (is_signed_int(bdt) && base == UINT64_MAX)
			return (e & 1) ? UINT64_MAX : 1;
		return 0;
	}
	return ipow_wrap(base, e);
}

/* Mod with fmod = 1 on integers: C's truncated remainder. INT64_MIN % -1
 * overflows: its remainder is 0. Zero divisors are refused before. */
static uint64_t mod_trunc(enum dtype da, uint64_t a, enum dtype db, uint64_t b)
{
	(void)db;
	if (!is_signed_int(da))
		return a % b;
	if ((int64_t)b == -1)
		return 0;
	return (uint64_t)((int64_t)a % (int64_t)b);
}

/* fmod = 0: the floored remainder, with the divisor's sign */
static uint64_t mod_floor(enum dtype da, uint64_t a, enum dtype db, uint64_t b)
{
	int64_t r = (int64_t)mod_trunc(da, a, db, b);

	if (!is_signed_int(da))
		return (uint64_t)r;
	return (uint64_t)(r && (r < 0) != ((int64_t)b < 0) ? r + (int64_t)b : r);
}

/* BitShift (unsigned types): a shift by the width or more gives 0 (C leaves
 * it undefined); the store keeps the low bits */
static uint64_t shift_left(enum dtype da, uint64_t a, enum dtype db, uint64_t b)
{
	(void)db;
	return b >= 8 * dtype_size(da) ? 0 : a << b;
}

static uint64_t shift_right(enum dtype da, uint64_t a, enum dtype db, uint64_t b)
{
	(void)db;
	return b >= 8 * dtype_size(da) ? 0 : a >> b;
}

/* The element functions of an op without a row kernel for its types: i when
 * both inputs are integers (on their sign-extended bits, the result stored
 * wrapping into A's type), else d (in double, stored rounded or saturated). */
struct scalar_ops {
	uint64_t (*i)(enum dtype da, uint64_t a, enum dtype db, uint64_t b);  /* or NULL */
	double (*d)(double a, double b);                                      /* or NULL */
};

static const struct scalar_ops pow_ops = { int_pow, pow };
static const struct scalar_ops mod_trunc_ops = { mod_trunc, fmod };
static const struct scalar_ops mod_floor_ops = { mod_floor, NULL };
static const struct scalar_ops shift_left_ops = { shift_left, NULL };
static const struct scalar_ops shift_right_ops = { shift_right, NULL };

/* --- binary ops --- */

enum row_kind {
	ROW_VV,     /* both inputs advance along a row */
	ROW_VS,     /* B fixed along a row */
	ROW_SV,     /* A fixed along a row */
	ROW_SS,     /* both fixed: one value, replicated */
	ROW_SCALAR, /* no row kernel: element by element through struct scalar_ops */
};

struct binary_params {
	struct bcast bc;            /* over inputs A, B */
	enum row_kind kind;
	row_fn fn;                  /* vv, vs or sv kernel (ROW_SS uses vv) */
	size_t es_a, es_b, es_o;    /* element sizes, bytes */
	enum dtype dt_a, dt_b;      /* ROW_SCALAR */
	const struct scalar_ops *sc;
	int sc_int;                 /* ROW_SCALAR: both inputs integer, sc->i */
	int zero_check;             /* integer Div: refuse a zero divisor */
};

/* Legacy broadcasting (opsets 1-6): attribute broadcast=1 lets B match a
 * contiguous run of A's dims starting at `axis` (default: A's trailing dims);
 * size-1 dims of B broadcast. Gives B's shape padded to A's rank. */
static int legacy_shape(struct node *n, struct exec *x, const struct tensor *a,
                        const struct tensor *b, int64_t *bdims)
{
	int64_t bcast_attr, axis;
	char sa[128], sb[128];
	int rc, ax = a->ndim - b->ndim;

	rc = attr_int(n, x, "broadcast", 0, &bcast_attr);
	if (rc)
		return rc;
	rc = attr_int(n, x, "axis", ax, &axis);
	if (rc)
		return rc;
	fmt_dims(sa, sizeof(sa), a->ndim, a->dims);
	fmt_dims(sb, sizeof(sb), b->ndim, b->dims);
	if (!bcast_attr) {
		if (a->ndim != b->ndim || memcmp(a->dims, b->dims, sizeof(int64_t) * (size_t)a->ndim))
			return op_fail(n, x, GRT_E_SHAPE, "opset %d without broadcast=1: "
			               "A %s and B %s must have the same shape", n->opset, sa, sb);
		memcpy(bdims, b->dims, sizeof(int64_t) * (size_t)a->ndim);
		return GRT_OK;
	}
	if (b->ndim > a->ndim)
		return op_fail(n, x, GRT_E_SHAPE, "broadcast=1: B %s has a higher rank than A %s",
		               sb, sa);
	if (node_attr(n, "axis") && a->ndim > 0) {
		rc = op_axis(n, x, axis, a->ndim, &ax);
		if (rc)
			return rc;
	}
	if (ax + b->ndim > a->ndim)
		return op_fail(n, x, GRT_E_ATTR, "broadcast=1: axis %lld puts B %s past the "
		               "end of A %s", (long long)axis, sb, sa);
	for (int d = 0; d < a->ndim; d++)
		bdims[d] = 1;
	for (int d = 0; d < b->ndim; d++) {
		if (b->dims[d] != 1 && b->dims[d] != a->dims[ax + d])
			return op_fail(n, x, GRT_E_SHAPE, "broadcast=1: B %s does not match A %s "
			               "from axis %d", sb, sa, ax);
		bdims[ax + d] = b->dims[d];
	}
	return GRT_OK;
}

/* The rows of A op B in an output of (ndim, dims), and their kernel from fns
 * (NULL: ROW_SCALAR). */
static void plan_rows(struct binary_params *p, const struct row_fns *fns, int ndim,
                      const int64_t *dims, const int *in_ndim, const int64_t *const *in_dims)
{
	static const enum row_kind kinds[2][2] = { { ROW_SS, ROW_SV }, { ROW_VS, ROW_VV } };

	bcast_plan(&p->bc, ndim, dims, 2, in_ndim, in_dims);
	if (!fns) {
		p->kind = ROW_SCALAR;
		return;
	}
	p->kind = kinds[p->bc.step[0]][p->bc.step[1]];
	p->fn = p->kind == ROW_VS ? fns->vs : p->kind == ROW_SV ? fns->sv : fns->vv;
}

enum binary_flags {
	BIN_BOOL_OUT = 1,       /* Equal */
	BIN_UNIDIR = 2,         /* PRelu: B broadcasts to A, the output has A's shape */
	BIN_LEGACY = 4,         /* opsets 1-6 know the broadcast/axis attributes */
	BIN_MIXED = 8,          /* Pow: B may have another numeric type */
	BIN_ZERO_CHECK = 16,    /* Div, Mod: integer division by zero is an error */
};

/* Types without a row kernel go element by element when sc has a function for them. */
static int check_scalar_types(struct node *n, struct exec *x, const struct scalar_ops *sc)
{
	int ints = 1;

	for (int i = 0; i < 2; i++) {
		enum dtype dt = n->inputs[i]->dtype;
		if (!sc || !dtype_size(dt) || dt == DT_BOOL)
			return op_fail(n, x, GRT_E_DTYPE, "input %d '%s' has unsupported element "
			               "type %s", i, n->inputs[i]->name, dtype_name(dt));
		ints &= !dtype_is_float(dt);
	}
	if (ints ? !sc->i : !sc->d)
		return op_fail(n, x, GRT_E_DTYPE, "input 0 '%s' has unsupported element type %s",
		               n->inputs[0]->name, dtype_name(n->inputs[0]->dtype));
	return GRT_OK;
}

/* A binary op with its row kernels by element type (table, or NULL), flags
 * (BIN_*) and the element functions of the types without a row kernel (sc, or NULL). */
static int binary_prepare(struct node *n, struct exec *x, const struct row_fns *const *table,
                          unsigned flags, const struct scalar_ops *sc)
{
	const struct tensor *a, *b;
	const struct tensor *ab[2];
	struct tensor *o;
	struct binary_params *p;
	int64_t dims[MAX_DIMS], bdims[MAX_DIMS];
	const int64_t *in_dims[2];
	int in_ndim[2], ndim, rc;
	const struct row_fns *fns = NULL;

	rc = op_check_arity(n, x, 2, 2, 1, 1);
	if (rc)
		return rc;
	if (half_wanted(n))     /* the float rows on widened copies (ops/half.h) */
		return half_prepare(n, x, n->op->prepare);
	a = n->inputs[0];
	b = n->inputs[1];
	o = n->outputs[0];
	if (table && (unsigned)a->dtype < N_DT && a->dtype == b->dtype)
		fns = table[a->dtype];
	if (!(flags & BIN_MIXED) && a->dtype != b->dtype)
		return op_fail(n, x, GRT_E_DTYPE, "inputs 0 '%s' (%s) and 1 '%s' (%s) must have "
		               "the same element type", a->name, dtype_name(a->dtype), b->name,
		               dtype_name(b->dtype));
	if (!fns && (rc = check_scalar_types(n, x, sc)))
		return rc;

	if ((flags & BIN_LEGACY) && n->opset < 7) {
		rc = legacy_shape(n, x, a, b, bdims);
		if (rc)
			return rc;
		ndim = a->ndim;
		memcpy(dims, a->dims, sizeof(int64_t) * (size_t)ndim);
		in_ndim[1] = ndim;
		in_dims[1] = bdims;
	} else {
		ab[0] = a;
		ab[1] = b;
		rc = broadcast_shape(n, x, ab, 2, &ndim, dims);
		if (rc)
			return rc;
		if ((flags & BIN_UNIDIR) && (ndim != a->ndim ||
		    memcmp(dims, a->dims, sizeof(int64_t) * (size_t)ndim))) {
			char sa[128], sb[128];
			fmt_dims(sa, sizeof(sa), a->ndim, a->dims);
			fmt_dims(sb, sizeof(sb), b->ndim, b->dims);
			return op_fail(n, x, GRT_E_SHAPE, "slope '%s' %s does not broadcast to "
			               "X '%s' %s", b->name, sb, a->name, sa);
		}
		in_ndim[1] = b->ndim;
		in_dims[1] = b->dims;
	}
	in_ndim[0] = a->ndim;
	in_dims[0] = a->dims;

	rc = tensor_set_shape(o, (flags & BIN_BOOL_OUT) ? DT_BOOL : a->dtype, ndim, dims);
	if (rc)
		return op_fail(n, x, rc, "output shape too large");
	p = plan_alloc(x, sizeof(*p));
	if (!p)
		return op_fail(n, x, GRT_E_NOMEM, "out of memory");
	plan_rows(p, fns, ndim, dims, in_ndim, in_dims);
	p->es_a = dtype_size(a->dtype);
	p->es_b = dtype_size(b->dtype);
	p->es_o = dtype_size(o->dtype);
	p->dt_a = a->dtype;
	p->dt_b = b->dtype;
	p->zero_check = (flags & BIN_ZERO_CHECK) && !dtype_is_float(a->dtype);
	p->sc = sc;
	p->sc_int = !dtype_is_float(a->dtype) && !dtype_is_float(b->dtype);
	/* A not broadcast, elements of the output's size: each is read before its
	 * slot is written, so the output may take A's buffer */
	n->inplace = a->numel == o->numel && p->es_a == p->es_o;
	n->params = p;
	return GRT_OK;
}

/* An integer element is zero when all its bytes are. */
static int has_zero(const void *p, size_t es, int64_t n)
{
	const unsigned char *b = p;

	for (int64_t i = 0; i < n; i++) {
		size_t k = 0;
		while (k < es && !b[(size_t)i * es + k])
			k++;
		if (k == es)
			return 1;
	}
	return 0;
}

static void scalar_row(const struct binary_params *p, void *o, const void *a, const void *b,
                       int64_t n)
{
	int sa = p->bc.step[0], sb = p->bc.step[1];

	for (int64_t i = 0; i < n; i++) {
		if (p->sc_int)
			elem_set_bits(p->dt_a, o, i,
			              p->sc->i(p->dt_a, elem_as_bits(p->dt_a, a, i * sa),
			                       p->dt_b, elem_as_bits(p->dt_b, b, i * sb)));
		else
			elem_set_double(p->dt_a, o, i,
			                p->sc->d(elem_as_double(p->dt_a, a, i * sa),
			                         elem_as_double(p->dt_b, b, i * sb)));
	}
}

/* o = a op b over the rows of p (o may be a when a is not broadcast). */
static void binary_rows(const struct binary_params *p, char *po, const void *a, const void *b)
{
	struct bcast_pos pos;
	int64_t inner = p->bc.inner;

	memset(&pos, 0, sizeof(pos));
	for (int64_t r = 0; r < p->bc.rows; r++, po += inner * (int64_t)p->es_o) {
		const char *pa = (const char *)a + pos.off[0] * (int64_t)p->es_a;
		const char *pb = (const char *)b + pos.off[1] * (int64_t)p->es_b;
		switch (p->kind) {
		case ROW_SCALAR:
			scalar_row(p, po, pa, pb, inner);
			break;
		case ROW_SS:
			p->fn(po, pa, pb, 1);
			for (int64_t i = 1; i < inner; i++)
				memcpy(po + i * (int64_t)p->es_o, po, p->es_o);
			break;
		default:
			p->fn(po, pa, pb, inner);
			break;
		}
		bcast_next(&p->bc, &pos);
	}
}

static int binary_run(struct node *n, struct exec *x)
{
	const struct binary_params *p = n->params;
	const struct tensor *a = n->inputs[0], *b = n->inputs[1];
	struct tensor *o = n->outputs[0];

	if (n->half)
		return half_run(n, x, binary_run);
	if (!o->numel)
		return GRT_OK;
	if (p->zero_check && has_zero(b->data, p->es_b, b->numel))
		return op_fail(n, x, GRT_E_ARG, "integer division by zero: divisor '%s' has a "
		               "zero element", b->name);
	binary_rows(p, o->data, a->data, b->data);
	return GRT_OK;
}

static int add_prepare(struct node *n, struct exec *x)
{
	return binary_prepare(n, x, binary_add, BIN_LEGACY, NULL);
}

static int sub_prepare(struct node *n, struct exec *x)
{
	return binary_prepare(n, x, binary_sub, BIN_LEGACY, NULL);
}

static int mul_prepare(struct node *n, struct exec *x)
{
	return binary_prepare(n, x, binary_mul, BIN_LEGACY, NULL);
}

static int div_prepare(struct node *n, struct exec *x)
{
	return binary_prepare(n, x, binary_div, BIN_LEGACY | BIN_ZERO_CHECK, NULL);
}

static int equal_prepare(struct node *n, struct exec *x)
{
	return binary_prepare(n, x, binary_equal, BIN_LEGACY | BIN_BOOL_OUT, NULL);
}

static int mod_prepare(struct node *n, struct exec *x)
{
	int64_t fmod_attr;
	int rc = attr_int(n, x, "fmod", 0, &fmod_attr);

	if (rc)
		return rc;
	if (!fmod_attr && n->n_inputs > 0 && n->inputs[0] && dtype_is_float(n->inputs[0]->dtype))
		return op_fail(n, x, GRT_E_ATTR, "fmod = 0 (the integer modulo) on %s input '%s': "
		               "floating-point inputs need fmod = 1",
		               dtype_name(n->inputs[0]->dtype), n->inputs[0]->name);
	return binary_prepare(n, x, NULL, BIN_ZERO_CHECK, fmod_attr ? &mod_trunc_ops :
	                      &mod_floor_ops);
}

static int bit_shift_prepare(struct node *n, struct exec *x)
{
	const char *dir;
	int rc = attr_string(n, x, "direction", "", &dir);

	if (rc)
		return rc;
	if (strcmp(dir, "LEFT") && strcmp(dir, "RIGHT"))
		return op_fail(n, x, GRT_E_ATTR, "direction '%s' is neither 'LEFT' nor 'RIGHT'",
		               dir);
	for (int i = 0; i < 2 && i < n->n_inputs; i++) {
		enum dtype dt = n->inputs[i] ? n->inputs[i]->dtype : DT_UNDEFINED;
		if (dt != DT_UINT8 && dt != DT_UINT16 && dt != DT_UINT32 && dt != DT_UINT64)
			return op_fail(n, x, GRT_E_DTYPE, "input %d has unsupported element "
			               "type %s (BitShift takes unsigned integers)", i,
			               dtype_name(dt));
	}
	return binary_prepare(n, x, NULL, 0, strcmp(dir, "LEFT") ? &shift_right_ops :
	                      &shift_left_ops);
}

static int less_prepare(struct node *n, struct exec *x)
{
	return binary_prepare(n, x, binary_less, BIN_LEGACY | BIN_BOOL_OUT, NULL);
}

static int greater_prepare(struct node *n, struct exec *x)
{
	return binary_prepare(n, x, binary_greater, BIN_LEGACY | BIN_BOOL_OUT, NULL);
}

static int less_equal_prepare(struct node *n, struct exec *x)
{
	return binary_prepare(n, x, binary_less_equal, BIN_BOOL_OUT, NULL);
}

static int greater_equal_prepare(struct node *n, struct exec *x)
{
	return binary_prepare(n, x, binary_greater_equal, BIN_BOOL_OUT, NULL);
}

static int and_prepare(struct node *n, struct exec *x)
{
	return binary_prepare(n, x, binary_and, BIN_LEGACY | BIN_BOOL_OUT, NULL);
}

static int or_prepare(struct node *n, struct exec *x)
{
	return binary_prepare(n, x, binary_or, BIN_LEGACY | BIN_BOOL_OUT, NULL);
}

static int xor_prepare(struct node *n, struct exec *x)
{
	return binary_prepare(n, x, binary_xor, BIN_LEGACY | BIN_BOOL_OUT, NULL);
}

static int prelu_prepare(struct node *n, struct exec *x)
{
	return binary_prepare(n, x, binary_prelu, BIN_UNIDIR, NULL);
}

static int pow_prepare(struct node *n, struct exec *x)
{
	const struct tensor *b;
	struct binary_params *p;
	const float *e;
	int rc = binary_prepare(n, x, binary_pow, BIN_LEGACY | BIN_MIXED, &pow_ops);

	if (rc || n->half)
		return rc;
	p = n->params;
	/* x^2 with a constant scalar 2: a multiply (powf is correctly rounded
	 * there too, so the result is the same). */
	b = n->inputs[1];
	if (p->fn == binary_pow[DT_FLOAT]->vs && b->numel == 1 && b->is_const) {
		e = op_const_input(n, x, 1);
		if (e && e[0] == 2.0f)
			p->fn = binary_square_f32->vs;
	}
	return GRT_OK;
}

/* --- Max, Min, Sum, Mean --- */

struct variadic_params {
	int k;                          /* inputs */
	int mean;                       /* Mean: divide by k at the end */
	enum dtype dtype;
	struct binary_params step[];    /* [k - 1]: step j folds input j + 1 into the output */
};

/* Output = input 0 op input 1, then output op input j for each further input,
 * each step over the broadcast rows of its two operands in the output's shape. */
static int variadic_prepare(struct node *n, struct exec *x, const struct row_fns *const *table,
                            int mean)
{
	const struct tensor *const *in = (const struct tensor *const *)n->inputs;
	struct variadic_params *p;
	int64_t dims[MAX_DIMS];
	int ndim, k = n->n_inputs, rc = op_check_arity(n, x, 1, k > 1 ? k : 1, 1, 1);
	enum dtype dt;

	if (rc)
		return rc;
	dt = in[0]->dtype;
	for (int j = 0; j < k; j++) {
		if (!in[j])
			return op_fail(n, x, GRT_E_INVALID_MODEL, "input %d is empty", j);
		if (in[j]->dtype != dt)
			return op_fail(n, x, GRT_E_DTYPE, "inputs 0 '%s' (%s) and %d '%s' (%s) "
			               "must have the same element type", in[0]->name,
			               dtype_name(dt), j, in[j]->name, dtype_name(in[j]->dtype));
	}
	if ((unsigned)dt >= N_DT || !table[dt] || (mean && !dtype_is_float(dt)))
		return op_fail(n, x, GRT_E_DTYPE, "input 0 '%s' has unsupported element type %s",
		               in[0]->name, dtype_name(dt));
	rc = broadcast_shape(n, x, in, k, &ndim, dims);
	if (rc)
		return rc;
	rc = tensor_set_shape(n->outputs[0], dt, ndim, dims);
	if (rc)
		return op_fail(n, x, rc, "output shape too large");
	p = plan_alloc(x, sizeof(*p) + (size_t)(k - 1) * sizeof(p->step[0]));
	if (!p)
		return op_fail(n, x, GRT_E_NOMEM, "out of memory");
	p->k = k;
	p->mean = mean;
	p->dtype = dt;
	/* in place when input 0 is not broadcast and no later step reads it */
	n->inplace = in[0]->numel == n->outputs[0]->numel;
	for (int j = 1; j < k; j++) {
		struct binary_params *st = &p->step[j - 1];
		int in_ndim[2] = { j == 1 ? in[0]->ndim : ndim, in[j]->ndim };
		const int64_t *in_dims[2] = { j == 1 ? in[0]->dims : dims, in[j]->dims };
		plan_rows(st, table[dt], ndim, dims, in_ndim, in_dims);
		st->es_a = st->es_b = st->es_o = dtype_size(dt);
		if (in[j] == in[0])
			n->inplace = 0;
	}
	n->params = p;
	return GRT_OK;
}

static int variadic_run(struct node *n, struct exec *x)
{
	const struct variadic_params *p = n->params;
	struct tensor *o = n->outputs[0];
	const void *a = n->inputs[0]->data;

	(void)x;
	if (!o->numel)
		return GRT_OK;
	if (p->k == 1 && o->data != a)
		memcpy(o->data, a, o->nbytes);
	for (int j = 1; j < p->k; j++)
		binary_rows(&p->step[j - 1], o->data, j == 1 ? a : o->data, n->inputs[j]->data);
	if (!p->mean)
		return GRT_OK;
	for (int64_t i = 0; i < o->numel; i++)
		elem_set_double(p->dtype, o->data, i, elem_as_double(p->dtype, o->data, i) / p->k);
	return GRT_OK;
}

static int max_prepare(struct node *n, struct exec *x)
{
	return variadic_prepare(n, x, binary_max, 0);
}

static int min_prepare(struct node *n, struct exec *x)
{
	return variadic_prepare(n, x, binary_min, 0);
}

static int sum_prepare(struct node *n, struct exec *x)
{
	return variadic_prepare(n, x, binary_add, 0);
}

static int mean_prepare(struct node *n, struct exec *x)
{
	return variadic_prepare(n, x, binary_add, 1);
}

/* --- Where --- */

struct where_params {
	struct bcast bc;            /* over condition, X, Y */
	size_t es;                  /* element size of X, Y and the output, bytes */
};

/* where_row_8 .. where_row_64 (ops/math/where_row.h) */
#define KN(name) name##_8
#define T uint8_t
#include "ops/math/where_row.h"
#define KN(name) name##_16
#define T uint16_t
#include "ops/math/where_row.h"
#define KN(name) name##_32
#define T uint32_t
#include "ops/math/where_row.h"
#define KN(name) name##_64
#define T uint64_t
#include "ops/math/where_row.h"

static int where_prepare(struct node *n, struct exec *x)
{
	const struct tensor *c, *tx, *ty;
	const struct tensor *ts[3];
	struct where_params *p;
	int64_t dims[MAX_DIMS];
	const int64_t *in_dims[3];
	int in_ndim[3], ndim, rc;

	rc = op_check_arity(n, x, 3, 3, 1, 1);
	if (rc)
		return rc;
	c = ts[0] = n->inputs[0];
	tx = ts[1] = n->inputs[1];
	ty = ts[2] = n->inputs[2];
	if (c->dtype != DT_BOOL)
		return op_fail(n, x, GRT_E_DTYPE, "condition '%s' must be bool, not %s", c->name,
		               dtype_name(c->dtype));
	if (tx->dtype != ty->dtype)
		return op_fail(n, x, GRT_E_DTYPE, "X '%s' (%s) and Y '%s' (%s) must have the "
		               "same element type", tx->name, dtype_name(tx->dtype), ty->name,
		               dtype_name(ty->dtype));
	if (!dtype_size(tx->dtype))
		return op_fail(n, x, GRT_E_DTYPE, "X '%s' has unsupported element type %s",
		               tx->name, dtype_name(tx->dtype));
	rc = broadcast_shape(n, x, ts, 3, &ndim, dims);
	if (rc)
		return rc;
	rc = tensor_set_shape(n->outputs[0], tx->dtype, ndim, dims);
	if (rc)
		return op_fail(n, x, rc, "output shape too large");
	p = plan_alloc(x, sizeof(*p));
	if (!p)
		return op_fail(n, x, GRT_E_NOMEM, "out of memory");
	for (int j = 0; j < 3; j++) {
		in_ndim[j] = ts[j]->ndim;
		in_dims[j] = ts[j]->dims;
	}
	bcast_plan(&p->bc, ndim, dims, 3, in_ndim, in_dims);
	p->es = dtype_size(tx->dtype);
	n->params = p;
	return GRT_OK;
}

static int where_run(struct node *n, struct exec *x)
{
	const struct where_params *p = n->params;
	const struct tensor *c = n->inputs[0], *tx = n->inputs[1], *ty = n->inputs[2];
	struct tensor *o = n->outputs[0];
	struct bcast_pos pos;
	int64_t es = (int64_t)p->es, inner = p->bc.inner;
	char *po = o->data;

	if (!o->numel)
		return GRT_OK;
	memset(&pos, 0, sizeof(pos));
	for (int64_t r = 0; r < p->bc.rows; r++, po += inner * es) {
		const uint8_t *pc = (const uint8_t *)c->data + pos.off[0];
		const char *px = (const char *)tx->data + pos.off[1] * es;
		const char *py = (const char *)ty->data + pos.off[2] * es;
		switch (es) {
		case 1: where_row_8(po, pc, px, py, inner, p->bc.step); break;
		case 2: where_row_16(po, pc, px, py, inner, p->bc.step); break;
		case 4: where_row_32(po, pc, px, py, inner, p->bc.step); break;
		default: where_row_64(po, pc, px, py, inner, p->bc.step); break;
		}
		bcast_next(&p->bc, &pos);
	}
	(void)x;
	return GRT_OK;
}

/* Opsets 1-6 of the binary ops have the legacy broadcast attribute; their
 * consumed_inputs attribute (opset 1) is an optimisation hint and ignored.
 * Later versions only add element types. */
const struct op_def op_add = { "Add", 1, OPSET_LATEST, add_prepare, binary_run, 0, NULL };
const struct op_def op_sub = { "Sub", 1, OPSET_LATEST, sub_prepare, binary_run, 0, NULL };
const struct op_def op_mul = { "Mul", 1, OPSET_LATEST, mul_prepare, binary_run, 0, NULL };
const struct op_def op_div = { "Div", 1, OPSET_LATEST, div_prepare, binary_run, 0, NULL };
const struct op_def op_pow = { "Pow", 1, OPSET_LATEST, pow_prepare, binary_run, 0, NULL };
/* Equal-19 adds string, which the runtime has no tensors for. */
const struct op_def op_equal = { "Equal", 1, OPSET_LATEST, equal_prepare, binary_run, 0, NULL };
const struct op_def op_where = { "Where", 9, OPSET_LATEST, where_prepare, where_run, OP_MOVES_DATA, NULL };
/* Mod-13 adds bfloat16 (accepted from 10 here) */
const struct op_def op_mod = { "Mod", 10, OPSET_LATEST, mod_prepare, binary_run, 0, NULL };
const struct op_def op_bit_shift = {
	"BitShift", 11, OPSET_LATEST, bit_shift_prepare, binary_run, 0, NULL };
const struct op_def op_less = { "Less", 1, OPSET_LATEST, less_prepare, binary_run, 0, NULL };
const struct op_def op_greater = {
	"Greater", 1, OPSET_LATEST, greater_prepare, binary_run, 0, NULL };
const struct op_def op_less_or_equal = {
	"LessOrEqual", 12, OPSET_LATEST, less_equal_prepare, binary_run, 0, NULL };
const struct op_def op_greater_or_equal = {
	"GreaterOrEqual", 12, OPSET_LATEST, greater_equal_prepare, binary_run, 0, NULL };
const struct op_def op_and = { "And", 1, OPSET_LATEST, and_prepare, binary_run, 0, NULL };
const struct op_def op_or = { "Or", 1, OPSET_LATEST, or_prepare, binary_run, 0, NULL };
const struct op_def op_xor = { "Xor", 1, OPSET_LATEST, xor_prepare, binary_run, 0, NULL };
/* Max, Min, Sum, Mean: opsets 1-7 (consumed_inputs, then no broadcasting)
 * accept broadcasting too; Max and Min take integers from opset 12. */
const struct op_def op_max = { "Max", 1, OPSET_LATEST, max_prepare, variadic_run, 0, NULL };
const struct op_def op_min = { "Min", 1, OPSET_LATEST, min_prepare, variadic_run, 0, NULL };
const struct op_def op_sum = { "Sum", 1, OPSET_LATEST, sum_prepare, variadic_run, 0, NULL };
const struct op_def op_mean = { "Mean", 1, OPSET_LATEST, mean_prepare, variadic_run, 0, NULL };
/* PRelu 1 and 6 predate the unidirectional broadcast rule. */
const struct op_def op_prelu = { "PRelu", 7, OPSET_LATEST, prelu_prepare, binary_run, 0, NULL };
