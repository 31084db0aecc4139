/* binary_row.h - the three row kernels of one binary elementwise op for one element
 * type (ops/math/binary_kernels.c), and their table entry KN(fns): o[i] = a[i] op b[i]
 * (vv), a[i] op b[0] (vs), a[0] op b[i] (sv); o may be a (in place: the same index
 * read then written), so neither is restrict. No include guard: included once per op
 * and type, with TI the input type, TO the output type, LOAD the widening of an
 * element to the type OP computes in, STORE the narrowing of the result to TO, OP(a, b)
 * and KN(name) the names for this op and type (KN(vv) is add_f32_vv for Add on
 * float). VOP(a, b), when defined (float in and out only), is OP on v4f, four lanes
 * of ops/math/mathfn.h: in the WebAssembly build the rows then go four elements at a
 * time, each lane with the scalar operation's result (clang's -Os, the package's, leaves
 * the scalar loops unvectorised; natively GCC's -O2 vectorises them, and faster than
 * these loops). It undefines KN, OP and VOP at its end; TI, TO, LOAD and STORE stay
 * for the next op of the same types. */

#if defined(VOP) && defined(__wasm_simd128__)
#define VROWS(va, vb)                                                                  \
	for (; i + 4 <= n; i += 4)                                                     \
		v4f_store(o + i, VOP(va, vb))
#else
#define VROWS(va, vb) (void)0
#endif

static void KN(vv)(void *o_, const void *a_, const void *restrict b_, int64_t n)
{
	TO *o = o_;
	const TI *a = a_;
	const TI *restrict b = b_;
	int64_t i = 0;

	VROWS(v4f_load(a + i), v4f_load(b + i));
	for (; i < n; i++)
		o[i] = STORE(OP(LOAD(a[i]), LOAD(b[i])));
}

static void KN(vs)(void *o_, const void *a_, const void *restrict b_, int64_t n)
{
	TO *o = o_;
	const TI *a = a_;
	const TI *restrict b = b_;
	int64_t i = 0;

	VROWS(v4f_load(a + i), ((v4f){ b[0], b[0], b[0], b[0] }));
	for (; i < n; i++)
		o[i] = STORE(OP(LOAD(a[i]), LOAD(b[0])));
}

static void KN(sv)(void *o_, const void *a_, const void *restrict b_, int64_t n)
{
	TO *o = o_;
	const TI *a = a_;
	const TI *restrict b = b_;
	int64_t i = 0;

	VROWS(((v4f){ a[0], a[0], a[0], a[0] }), v4f_load(b + i));
	for (; i < n; i++)
		o[i] = STORE(OP(LOAD(a[0]), LOAD(b[i])));
}

static const struct row_fns KN(fns) = { KN(vv), KN(vs), KN(sv) };

#undef KN
#undef OP
#undef VOP
#undef VROWS
