/* tensor.c - element types, shapes, TensorProto conversion, half floats. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "proto/onnx.pb-c.h"
#include "runtime/internal.h"

size_t dtype_size(enum dtype dt)
{
	switch (dt) {
	case DT_FLOAT: case DT_INT32: case DT_UINT32: return 4;
	case DT_DOUBLE: case DT_INT64: case DT_UINT64: return 8;
	case DT_INT16: case DT_UINT16: case DT_FLOAT16: case DT_BFLOAT16: return 2;
	case DT_INT8: case DT_UINT8: case DT_BOOL: return 1;
	default: return 0;
	}
}

const char *dtype_name(enum dtype dt)
{
	switch (dt) {
	case DT_FLOAT: return "float";
	case DT_UINT8: return "uint8";
	case DT_INT8: return "int8";
	case DT_UINT16: return "uint16";
	case DT_INT16: return "int16";
	case DT_INT32: return "int32";
	case DT_INT64: return "int64";
	case DT_STRING: return "string";
	case DT_BOOL: return "bool";
	case DT_FLOAT16: return "float16";
	case DT_DOUBLE: return "double";
	case DT_UINT32: return "uint32";
	case DT_UINT64: return "uint64";
	case DT_BFLOAT16: return "bfloat16";
	default: return "undefined";
	}
}

int dtype_is_float(enum dtype dt)
{
	return dt == DT_FLOAT || dt == DT_DOUBLE || dt == DT_FLOAT16 || dt == DT_BFLOAT16;
}

const char *grt_dtype_name(grt_dtype dt) { return dtype_name((enum dtype)dt); }
size_t grt_dtype_size(grt_dtype dt) { return dtype_size((enum dtype)dt); }

int64_t shape_numel(int ndim, const int64_t *dims)
{
	int64_t n = 1;

	for (int i = 0; i < ndim; i++)
		n *= dims[i];
	return n;
}

int64_t grt_value_numel(const grt_value *v)
{
	return v ? shape_numel(v->ndim, v->dims) : 0;
}

double grt_value_element(const grt_value *v, int64_t i)
{
	return v && v->data ? elem_as_double((enum dtype)v->dtype, v->data, i) : 0;
}

/* Tensors larger than this are refused (keeps all size arithmetic exact in
 * int64_t). Where size_t is 32 bits (armhf, wasm32) the address space is the
 * bound: at most half of it, so that byte counts and arena offsets of any
 * one tensor cannot wrap. */
#define MAX_TENSOR_BYTES ((int64_t)1 << 40)
#define MAX_TENSOR_BYTES_HERE \
	((uint64_t)SIZE_MAX / 2 < (uint64_t)MAX_TENSOR_BYTES ? (int64_t)(SIZE_MAX / 2) : \
	 MAX_TENSOR_BYTES)
#define MAX_PROTO_BYTES ((size_t)2 << 30)      /* protobuf's own limit: 2 GiB */

/* The element count and byte count of a shape in int64_t, the same on every
 * architecture; GRT_E_LIMIT beyond MAX_TENSOR_BYTES (for any partial
 * product, empty tensors too: ops multiply dims into strides). */
static int shape_size(enum dtype dt, int ndim, const int64_t *dims, int64_t *numel,
                      int64_t *bytes)
{
	int64_t n = 1, nz = 1;       /* nz: the product of the dims that are not 0 */
	int64_t es = (int64_t)dtype_size(dt);

	if (ndim < 0 || ndim > MAX_DIMS || !es)
		return GRT_E_LIMIT;
	for (int i = 0; i < ndim; i++) {
		if (dims[i] < 0)
			return GRT_E_SHAPE;
		if (dims[i] && nz > MAX_TENSOR_BYTES / dims[i])
			return GRT_E_LIMIT;
		nz *= dims[i] ? dims[i] : 1;
		n *= dims[i];
	}
	if (nz > MAX_TENSOR_BYTES / es)
		return GRT_E_LIMIT;
	*numel = n;
	*bytes = n * es;
	return GRT_OK;
}

int tensor_set_shape(struct tensor *t, enum dtype dt, int ndim, const int64_t *dims)
{
	int64_t n, bytes;
	int rc = shape_size(dt, ndim, dims, &n, &bytes);

	if (rc)
		return rc;
	if (bytes > MAX_TENSOR_BYTES_HERE)   /* 32-bit size_t: beyond the address space */
		return GRT_E_LIMIT;
	t->dtype = dt;
	t->ndim = ndim;
	for (int i = 0; i < ndim; i++)
		t->dims[i] = dims[i];
	for (int i = ndim; i < MAX_DIMS; i++)
		t->dims[i] = 0;
	t->numel = n;
	t->nbytes = (size_t)bytes;
	return GRT_OK;
}

int tensor_read_ints(const struct tensor *t, int64_t *out, int64_t max)
{
	int64_t n = t->numel < max ? t->numel : max;

	if (t->dtype == DT_INT64) {
		memcpy(out, t->data, (size_t)n * sizeof(int64_t));
	} else if (t->dtype == DT_INT32) {
		const int32_t *p = t->data;
		for (int64_t i = 0; i < n; i++)
			out[i] = p[i];
	} else {
		return GRT_E_DTYPE;
	}
	return GRT_OK;
}

/* --- memory pools --- */

#define POOL_CHUNK 16384     /* bytes carved into small allocations */

/* A zeroed block of cap payload bytes after a 64-byte header. */
static struct mem_block *new_block(size_t cap)
{
	void *p;
	struct mem_block *b;

	if (posix_memalign(&p, ARENA_ALIGN, ARENA_ALIGN + cap))
		return NULL;
	memset(p, 0, ARENA_ALIGN + cap);
	b = p;
	b->cap = cap;
	return b;
}

/* bytes from the pool's chunk at a multiple of align (a power of two up to
 * ARENA_ALIGN), or from a new block; zeroed. */
static void *carve(struct mem_block **pool, size_t bytes, size_t align)
{
	struct mem_block *c = *pool, *b;
	size_t at = c ? (c->used + align - 1) & ~(align - 1) : 0;

	if (c && at <= c->cap && c->cap - at >= bytes) {
		c->used = at + bytes;
		return (char *)c + ARENA_ALIGN + at;
	}
	if (c && bytes > POOL_CHUNK / 4) {      /* its own block, behind the chunk */
		if (!(b = new_block(bytes)))
			return NULL;
		b->used = bytes;
		b->next = c->next;
		c->next = b;
		return (char *)b + ARENA_ALIGN;
	}
	if (!(b = new_block(bytes > POOL_CHUNK ? bytes : POOL_CHUNK)))
		return NULL;
	b->used = bytes;
	b->next = c;
	*pool = b;
	return (char *)b + ARENA_ALIGN;
}

void *pool_alloc(struct mem_block **pool, size_t bytes)
{
	if (bytes > SIZE_MAX - 2 * ARENA_ALIGN)
		return NULL;
	bytes = bytes ? (bytes + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1) : ARENA_ALIGN;
	return carve(pool, bytes, ARENA_ALIGN);
}

/* Small arrays of ints and pointers: 16-byte alignment, no padding to 64. */
void *pool_alloc_small(struct mem_block **pool, size_t bytes)
{
	if (bytes > SIZE_MAX - 2 * ARENA_ALIGN)
		return NULL;
	bytes = bytes ? (bytes + 15) & ~(size_t)15 : 16;
	return carve(pool, bytes, 16);
}

/* Strings pack tightly: no alignment. */
char *pool_strdup(struct mem_block **pool, const char *s, size_t len)
{
	char *d = len < SIZE_MAX - 2 * ARENA_ALIGN ? carve(pool, len + 1, 1) : NULL;

	if (d && len)
		memcpy(d, s, len);
	return d;
}

/* Behind the head, as a large allocation of carve() (pool_rollback relies on it). */
void *pool_alloc_release(struct mem_block **pool, size_t bytes, void (*release)(void *))
{
	struct mem_block *b;

	if (bytes > SIZE_MAX - 2 * ARENA_ALIGN)
		return NULL;
	bytes = bytes ? (bytes + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1) : ARENA_ALIGN;
	if (!(b = new_block(bytes)))
		return NULL;
	b->used = bytes;
	b->release = release;
	if (*pool) {
		b->next = (*pool)->next;
		(*pool)->next = b;
	} else {
		*pool = b;
	}
	return (char *)b + ARENA_ALIGN;
}

static void block_free(struct mem_block *b)
{
	if (b->release)
		b->release((char *)b + ARENA_ALIGN);
	free(b);
}

void pool_free(struct mem_block **pool)
{
	struct mem_block *b = *pool, *next;

	for (; b; b = next) {
		next = b->next;
		block_free(b);
	}
	*pool = NULL;
}

void pool_mark(struct mem_block *const *pool, struct pool_mark *mk)
{
	mk->head = *pool;
	mk->next = *pool ? (*pool)->next : NULL;
	mk->used = *pool ? (*pool)->used : 0;
}

/* Blocks enter a pool only at its head (a new chunk) or right behind the
 * head (a large allocation): the ones since the mark are those before
 * mk->head and those between it and mk->next. */
void pool_rollback(struct mem_block **pool, const struct pool_mark *mk)
{
	struct mem_block *b;

	while (*pool != mk->head) {
		b = *pool;
		*pool = b->next;
		block_free(b);
	}
	if (!mk->head)
		return;
	while (mk->head->next != mk->next) {
		b = mk->head->next;
		mk->head->next = b->next;
		block_free(b);
	}
	/* carve() hands out zeroed bytes: the tail it gets back is zeroed again */
	memset((char *)mk->head + ARENA_ALIGN + mk->used, 0, mk->head->used - mk->used);
	mk->head->used = mk->used;
}

double elem_as_double(enum dtype dt, const void *p, int64_t i)
{
	switch (dt) {
	case DT_FLOAT: return ((const float *)p)[i];
	case DT_DOUBLE: return ((const double *)p)[i];
	case DT_FLOAT16: return half_to_float(((const uint16_t *)p)[i]);
	case DT_BFLOAT16: return bf16_to_float(((const uint16_t *)p)[i]);
	case DT_INT8: return ((const int8_t *)p)[i];
	case DT_UINT8: case DT_BOOL: return ((const uint8_t *)p)[i];
	case DT_INT16: return ((const int16_t *)p)[i];
	case DT_UINT16: return ((const uint16_t *)p)[i];
	case DT_INT32: return ((const int32_t *)p)[i];
	case DT_UINT32: return ((const uint32_t *)p)[i];
	case DT_INT64: return (double)((const int64_t *)p)[i];
	case DT_UINT64: return (double)((const uint64_t *)p)[i];
	default: return 0;
	}
}

/* Element i of an integer tensor, sign-extended for signed types. */
uint64_t elem_as_bits(enum dtype dt, const void *p, int64_t i)
{
	switch (dt) {
	case DT_INT8: return (uint64_t)((const int8_t *)p)[i];
	case DT_INT16: return (uint64_t)((const int16_t *)p)[i];
	case DT_INT32: return (uint64_t)((const int32_t *)p)[i];
	case DT_INT64: return (uint64_t)((const int64_t *)p)[i];
	case DT_UINT8: return ((const uint8_t *)p)[i];
	case DT_UINT16: return ((const uint16_t *)p)[i];
	case DT_UINT32: return ((const uint32_t *)p)[i];
	case DT_UINT64: return ((const uint64_t *)p)[i];
	default: return 0;
	}
}

/* Stores a double into element i (integers: truncated and clamped). */
void elem_set_double(enum dtype dt, void *p, int64_t i, double v)
{
	switch (dt) {
	case DT_FLOAT: ((float *)p)[i] = (float)v; break;
	case DT_DOUBLE: ((double *)p)[i] = v; break;
	case DT_FLOAT16: ((uint16_t *)p)[i] = float_to_half((float)v); break;
	case DT_BFLOAT16: ((uint16_t *)p)[i] = float_to_bf16((float)v); break;
	case DT_INT8: ((int8_t *)p)[i] = (int8_t)sat_int(v, INT8_MIN, INT8_MAX); break;
	case DT_INT16: ((int16_t *)p)[i] = (int16_t)sat_int(v, INT16_MIN, INT16_MAX); break;
	case DT_INT32: ((int32_t *)p)[i] = (int32_t)sat_int(v, INT32_MIN, INT32_MAX); break;
	case DT_INT64: ((int64_t *)p)[i] = sat_int(v, INT64_MIN, INT64_MAX); break;
	case DT_UINT8: ((uint8_t *)p)[i] = (uint8_t)sat_uint(v, UINT8_MAX); break;
	case DT_UINT16: ((uint16_t *)p)[i] = (uint16_t)sat_uint(v, UINT16_MAX); break;
	case DT_UINT32: ((uint32_t *)p)[i] = (uint32_t)sat_uint(v, UINT32_MAX); break;
	case DT_UINT64: ((uint64_t *)p)[i] = sat_uint(v, UINT64_MAX); break;
	default: break;
	}
}

/* Stores the low bits of v into integer element i (wraps). */
void elem_set_bits(enum dtype dt, void *p, int64_t i, uint64_t v)
{
	switch (dt) {
	case DT_INT8: case DT_UINT8: ((uint8_t *)p)[i] = (uint8_t)v; break;
	case DT_INT16: case DT_UINT16: ((uint16_t *)p)[i] = (uint16_t)v; break;
	case DT_INT32: case DT_UINT32: ((uint32_t *)p)[i] = (uint32_t)v; break;
	case DT_INT64: case DT_UINT64: ((uint64_t *)p)[i] = v; break;
	default: break;
	}
}

void elems_to_f64(enum dtype dt, const void *p, double *d, int64_t n)
{
	switch (dt) {
	case DT_FLOAT:
		for (int64_t i = 0; i < n; i++)
			d[i] = ((const float *)p)[i];
		break;
	case DT_DOUBLE:
		memcpy(d, p, (size_t)n * sizeof(double));
		break;
	default:
		for (int64_t i = 0; i < n; i++)
			d[i] = elem_as_double(dt, p, i);
		break;
	}
}

void f64_to_floats(enum dtype dt, const double *d, void *p, int64_t n)
{
	float *f = p;
	uint16_t *h = p;

	switch (dt) {
	case DT_FLOAT:
		for (int64_t i = 0; i < n; i++)
			f[i] = (float)d[i];
		break;
	case DT_DOUBLE:
		memcpy(p, d, (size_t)n * sizeof(double));
		break;
	case DT_FLOAT16:
		for (int64_t i = 0; i < n; i++)
			h[i] = float_to_half((float)d[i]);
		break;
	case DT_BFLOAT16:
		for (int64_t i = 0; i < n; i++)
			h[i] = float_to_bf16((float)d[i]);
		break;
	default:
		break;
	}
}

/* --- saturating float -> integer --- */

int64_t sat_int(double v, int64_t lo, int64_t hi)
{
	if (v != v)
		return 0;
	if (v <= (double)lo)
		return lo;
	if (v >= (double)hi)
		return hi;
	return (int64_t)v;
}

uint64_t sat_uint(double v, uint64_t hi)
{
	if (!(v > 0))
		return 0;
	if (v >= (double)hi)
		return hi;
	return (uint64_t)v;
}

/* --- half precision --- */

float half_to_float(uint16_t h)
{
	uint32_t sign = (uint32_t)(h & 0x8000) << 16;
	uint32_t exp = (h >> 10) & 0x1f, man = h & 0x3ff, bits;
	float f;

	if (exp == 0) {
		if (man == 0) {
			bits = sign;
		} else {             /* subnormal: renormalise */
			exp = 127 - 15 + 1;
			while (!(man & 0x400)) {
				man <<= 1;
				exp--;
			}
			man &= 0x3ff;
			bits = sign | (exp << 23) | (man << 13);
		}
	} else if (exp == 31) {
		bits = sign | 0x7f800000u | (man << 13);
	} else {
		bits = sign | ((exp + 127 - 15) << 23) | (man << 13);
	}
	memcpy(&f, &bits, 4);
	return f;
}

uint16_t float_to_half(float f)
{
	uint32_t x, sign, man;
	int32_t exp;

	memcpy(&x, &f, 4);
	sign = (x >> 16) & 0x8000;
	exp = (int32_t)((x >> 23) & 0xff);
	man = x & 0x7fffff;
	if (exp == 255)                          /* inf, nan */
		return (uint16_t)(sign | 0x7c00 | (man ? 0x200 | (man >> 13) : 0));
	exp = exp - 127 + 15;
	if (exp >= 31)
		return (uint16_t)(sign | 0x7c00);
	if (exp <= 0) {                          /* subnormal or zero */
		uint32_t m, shift, r, half;
		if (exp < -10)
			return (uint16_t)sign;
		m = man | 0x800000;
		shift = (uint32_t)(14 - exp);
		r = m >> shift;
		half = 1u << (shift - 1);
		if ((m & ((half << 1) - 1)) > half || ((m & ((half << 1) - 1)) == half && (r & 1)))
			r++;
		return (uint16_t)(sign | r);
	}
	{
		uint32_t r = (uint32_t)(exp << 10) | (man >> 13);
		uint32_t rest = man & 0x1fff;
		if (rest > 0x1000 || (rest == 0x1000 && (r & 1)))
			r++;                            /* may carry into the exponent: fine */
		return (uint16_t)(sign | r);
	}
}

float bf16_to_float(uint16_t h)
{
	uint32_t bits = (uint32_t)h << 16;
	float f;

	memcpy(&f, &bits, 4);
	return f;
}

uint16_t float_to_bf16(float f)
{
	uint32_t x;

	memcpy(&x, &f, 4);
	if ((x & 0x7fffffff) > 0x7f800000)
		return (uint16_t)((x >> 16) | 0x40);        /* quiet nan */
	x += 0x7fff + ((x >> 16) & 1);                  /* round to nearest even */
	return (uint16_t)(x >> 16);
}

/* --- TensorProto --- */

int tensor_from_proto(const void *proto, struct mem_block **pool, struct tensor *t,
                      char *err, size_t err_len)
{
	const Onnx__TensorProto *tp = proto;
	const char *name = tp->name ? tp->name : "";
	enum dtype dt = (enum dtype)tp->data_type;
	int64_t dims[MAX_DIMS], numel, bytes;
	size_t es, n_typed = 0;
	int rc;

	memset(t, 0, sizeof(*t));
	if (tp->data_location == ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL || tp->n_external_data) {
		set_err(err, err_len, "tensor '%s': external data is not supported", name);
		return GRT_E_UNSUPPORTED;
	}
	if (tp->segment) {
		set_err(err, err_len, "tensor '%s': segmented tensors are not supported", name);
		return GRT_E_UNSUPPORTED;
	}
	es = dtype_size(dt);
	if (!es) {
		set_err(err, err_len, "tensor '%s': element type %s (%d) is not supported",
		        name, dtype_name(dt), (int)tp->data_type);
		return dt == DT_STRING ? GRT_E_UNSUPPORTED : GRT_E_INVALID_MODEL;
	}
	if (tp->n_dims > MAX_DIMS) {
		set_err(err, err_len, "tensor '%s': %zu dims, at most %d supported", name,
		        tp->n_dims, MAX_DIMS);
		return GRT_E_LIMIT;
	}
	for (size_t i = 0; i < tp->n_dims; i++) {
		if (tp->dims[i] < 0) {
			set_err(err, err_len, "tensor '%s': negative dim %lld", name,
			        (long long)tp->dims[i]);
			return GRT_E_INVALID_MODEL;
		}
		dims[i] = tp->dims[i];
	}
	/* the declared shape must match the data the file holds before anything
	 * is allocated: a few bytes must not claim gigabytes. Counted in int64_t,
	 * so that the verdict and the message are the same where size_t is 32
	 * bits (there a claim beyond 4 GiB must not wrap to what the file holds). */
	rc = shape_size(dt, (int)tp->n_dims, dims, &numel, &bytes);
	if (rc) {
		set_err(err, err_len, "tensor '%s': too large", name);
		return rc;
	}
	if (tp->has_raw_data) {
		if ((uint64_t)tp->raw_data.len != (uint64_t)bytes) {
			set_err(err, err_len, "tensor '%s': raw_data has %zu bytes, shape needs %lld",
			        name, tp->raw_data.len, (long long)bytes);
			return GRT_E_INVALID_MODEL;
		}
	} else {
		switch (dt) {
		case DT_FLOAT: n_typed = tp->n_float_data; break;
		case DT_DOUBLE: n_typed = tp->n_double_data; break;
		case DT_INT64: n_typed = tp->n_int64_data; break;
		case DT_UINT32: case DT_UINT64: n_typed = tp->n_uint64_data; break;
		default: n_typed = tp->n_int32_data; break;
		}
		if ((int64_t)n_typed != numel) {
			set_err(err, err_len, "tensor '%s': %zu values for a shape of %lld elements",
			        name, n_typed, (long long)numel);
			return GRT_E_INVALID_MODEL;
		}
	}
	rc = tensor_set_shape(t, dt, (int)tp->n_dims, dims);
	if (rc) {                  /* 32-bit size_t: more than the address space */
		set_err(err, err_len, "tensor '%s': too large", name);
		return rc;
	}
	t->data = pool_alloc(pool, t->nbytes);
	if (!t->data) {
		set_err(err, err_len, "tensor '%s': out of memory (%zu bytes)", name, t->nbytes);
		return GRT_E_NOMEM;
	}
	t->is_const = 1;
	if (tp->has_raw_data) {
		if (t->nbytes)
			memcpy(t->data, tp->raw_data.data, t->nbytes);
		return GRT_OK;
	}
	for (size_t i = 0; i < n_typed; i++) {
		void *d = t->data;
		switch (dt) {
		case DT_FLOAT: ((float *)d)[i] = tp->float_data[i]; break;
		case DT_DOUBLE: ((double *)d)[i] = tp->double_data[i]; break;
		case DT_INT64: ((int64_t *)d)[i] = tp->int64_data[i]; break;
		case DT_UINT64: ((uint64_t *)d)[i] = tp->uint64_data[i]; break;
		case DT_UINT32: ((uint32_t *)d)[i] = (uint32_t)tp->uint64_data[i]; break;
		case DT_INT32: ((int32_t *)d)[i] = tp->int32_data[i]; break;
		case DT_INT16: ((int16_t *)d)[i] = (int16_t)tp->int32_data[i]; break;
		case DT_UINT16: case DT_FLOAT16: case DT_BFLOAT16:
			((uint16_t *)d)[i] = (uint16_t)tp->int32_data[i]; break;
		case DT_INT8: ((int8_t *)d)[i] = (int8_t)tp->int32_data[i]; break;
		case DT_UINT8: ((uint8_t *)d)[i] = (uint8_t)tp->int32_data[i]; break;
		case DT_BOOL: ((uint8_t *)d)[i] = tp->int32_data[i] != 0; break;
		default: break;
		}
	}
	return GRT_OK;
}

static int read_file(const char *path, uint8_t **buf, size_t *len, char *err, size_t err_len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *b = NULL;
	size_t cap = 0, n = 0, first = 1 << 16;
	struct stat sb;

	if (!f) {
		set_err(err, err_len, "%s: %s", path, strerror(errno));
		return GRT_E_IO;
	}
	/* a regular file: its size (and one byte to see the end), not a doubling */
	if (!fstat(fileno(f), &sb) && S_ISREG(sb.st_mode) && sb.st_size > 0 &&
	    (uint64_t)sb.st_size < SIZE_MAX / 2)
		first = (size_t)sb.st_size + 1;
	for (;;) {
		size_t got;
		if (n == cap) {
			uint8_t *nb;
			cap = cap ? cap * 2 : first;
			nb = realloc(b, cap);
			if (!nb) {
				free(b);
				fclose(f);
				set_err(err, err_len, "%s: out of memory", path);
				return GRT_E_NOMEM;
			}
			b = nb;
		}
		got = fread(b + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
		if (n > MAX_PROTO_BYTES) {          /* a pipe that never ends, say */
			free(b);
			fclose(f);
			set_err(err, err_len, "%s: larger than 2 GiB, the most a protobuf file can "
			        "hold", path);
			return GRT_E_LIMIT;
		}
	}
	if (ferror(f)) {
		set_err(err, err_len, "%s: read error", path);
		free(b);
		fclose(f);
		return GRT_E_IO;
	}
	fclose(f);
	*buf = b;
	*len = n;
	return GRT_OK;
}

int grt_read_file(const char *path, uint8_t **buf, size_t *len, char *err, size_t err_len);
int grt_read_file(const char *path, uint8_t **buf, size_t *len, char *err, size_t err_len)
{
	return read_file(path, buf, len, err, err_len);
}

int grt_tensor_load_file(const char *path, grt_value *v, char **name, char *err, size_t err_len)
{
	Onnx__TensorProto *tp;
	struct mem_block *pool = NULL;
	struct tensor t;
	uint8_t *buf;
	size_t len;
	int rc;

	if (!path || !v)
		return GRT_E_ARG;
	memset(v, 0, sizeof(*v));
	if (name)
		*name = NULL;
	rc = read_file(path, &buf, &len, err, err_len);
	if (rc)
		return rc;
	tp = onnx__tensor_proto__unpack(NULL, len, buf);
	free(buf);
	if (!tp) {
		set_err(err, err_len, "%s: not a serialized onnx.TensorProto", path);
		return GRT_E_PARSE;
	}
	rc = tensor_from_proto(tp, &pool, &t, err, err_len);
	if (rc)
		goto out;
	v->dtype = (grt_dtype)t.dtype;
	v->ndim = t.ndim;
	memcpy(v->dims, t.dims, sizeof(v->dims));
	v->data = malloc(t.nbytes ? t.nbytes : 1);
	if (!v->data || (name && !(*name = strdup(tp->name ? tp->name : "")))) {
		free(v->data);
		v->data = NULL;
		set_err(err, err_len, "%s: out of memory", path);
		rc = GRT_E_NOMEM;
		goto out;
	}
	memcpy(v->data, t.data, t.nbytes);
out:
	pool_free(&pool);
	onnx__tensor_proto__free_unpacked(tp, NULL);
	return rc;
}

void grt_value_free(grt_value *v)
{
	if (v) {
		free(v->data);
		v->data = NULL;
	}
}
