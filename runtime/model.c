/* model.c - ONNX bytes -> the runtime's own graph (values, nodes, weights).
 * Checks the nesting and parses with protobuf-c (runtime/model_parse.c),
 * expands model-local functions (runtime/model_function.c), converts and validates into one memory pool (runtime/model_convert.c),
 * sorts the nodes topologically and frees the protobuf tree; then what the
 * public API tells about a loaded model. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "proto/onnx.pb-c.h"
#include "runtime/internal.h"

int grt_read_file(const char *path, uint8_t **buf, size_t *len, char *err, size_t err_len);

/* Widens a value that keep_int64() (runtime/model_convert.c) narrowed into
 * out[numel]. */
void model_widen(const grt_model *m, int v, int64_t *out)
{
	const struct value_info *vi = &m->values[v];
	const int64_t n = vi->init->numel;

	for (int64_t i = 0; i < n; i++)
		switch (vi->narrow_size) {
		case 1: out[i] = ((const int8_t *)vi->narrow)[i]; break;
		case 2: out[i] = ((const int16_t *)vi->narrow)[i]; break;
		default: out[i] = ((const int32_t *)vi->narrow)[i]; break;
		}
}

/* Min-heap of node indices: Kahn's algorithm that picks the ready node that
 * comes first in the file, so an already sorted graph keeps its order. */
static void heap_push(int *h, int *n, int v)
{
	int i = (*n)++;

	for (; i > 0 && h[(i - 1) / 2] > v; i = (i - 1) / 2)
		h[i] = h[(i - 1) / 2];
	h[i] = v;
}

static int heap_pop(int *h, int *n)
{
	int top = h[0], v = h[--*n], i = 0;

	for (;;) {
		int c = 2 * i + 1;
		if (c >= *n)
			break;
		if (c + 1 < *n && h[c + 1] < h[c])
			c++;
		if (h[c] >= v)
			break;
		h[i] = h[c];
		i = c;
	}
	h[i] = v;
	return top;
}

/* The values node nd waits for in graph gid: its inputs and the values its
 * subgraphs read (deps) that a node of gid writes. dep(nd, j) for j in
 * [0, n_inputs + n_deps). */
static int dep(const grt_model *m, const struct model_node *nd, int j, int gid)
{
	int v = j < nd->n_inputs ? nd->inputs[j] : nd->deps[j - nd->n_inputs];

	return v >= 0 && m->values[v].producer >= 0 && m->values[v].graph == gid ? v : -1;
}

static int topo_sort_graph(grt_model *m, struct model_node *nodes, int n, int gid, char *err,
                           size_t err_len)
{
	int nv = m->n_values, rc = GRT_OK, done = 0, n_heap = 0, n_edges = 0;
	int *pending = calloc((size_t)n + 1, sizeof(int));
	int *order = calloc((size_t)n + 1, sizeof(int));
	int *heap = calloc((size_t)n + 1, sizeof(int));
	int *first = calloc((size_t)nv + 2, sizeof(int));      /* CSR: value -> consumers */
	int *cons = NULL;
	struct model_node *sorted = calloc((size_t)n + 1, sizeof(*sorted));

	if (!pending || !order || !heap || !first || !sorted) {
		rc = GRT_E_NOMEM;
		goto out;
	}
	for (int i = 0; i < n; i++)
		for (int k = 0; k < nodes[i].n_inputs + nodes[i].n_deps; k++) {
			int v = dep(m, &nodes[i], k, gid);
			if (v >= 0) {
				pending[i]++;
				first[v + 1]++;
				n_edges++;
			}
		}
	for (int v = 0; v < nv; v++)
		first[v + 1] += first[v];
	cons = calloc((size_t)n_edges + 1, sizeof(int));
	if (!cons) {
		rc = GRT_E_NOMEM;
		goto out;
	}
	for (int i = 0; i < n; i++)
		for (int k = 0; k < nodes[i].n_inputs + nodes[i].n_deps; k++) {
			int v = dep(m, &nodes[i], k, gid);
			if (v >= 0)
				cons[first[v]++] = i;
		}
	for (int v = nv; v > 0; v--)       /* undo the cursor advance */
		first[v] = first[v - 1];
	first[0] = 0;
	for (int i = 0; i < n; i++)
		if (!pending[i])
			heap_push(heap, &n_heap, i);
	while (n_heap) {
		int i = heap_pop(heap, &n_heap);
		order[done++] = i;
		for (int o = 0; o < nodes[i].n_outputs; o++) {
			int v = nodes[i].outputs[o];
			if (v < 0)
				continue;
			for (int e = first[v]; e < first[v + 1]; e++)
				if (--pending[cons[e]] == 0)
					heap_push(heap, &n_heap, cons[e]);
		}
	}
	if (done < n) {
		int i = 0;
		while (pending[i] <= 0)
			i++;
		/* walk back through unfinished producers: after n steps we are on the cycle */
		for (int step = 0; step < n; step++)
			for (int k = 0; k < nodes[i].n_inputs + nodes[i].n_deps; k++) {
				int v = dep(m, &nodes[i], k, gid);
				if (v >= 0 &&
				    pending[m->values[v].producer] > 0) {
					i = m->values[v].producer;
					break;
				}
			}
		set_err(err, err_len, "node '%s' (%s) is on a cycle: the graph is not a DAG",
		        nodes[i].name[0] ? nodes[i].name : "?", nodes[i].op_type);
		rc = GRT_E_CYCLE;
		goto out;
	}
	for (int i = 0; i < n; i++)
		sorted[i] = nodes[order[i]];
	memcpy(nodes, sorted, (size_t)n * sizeof(*sorted));
	for (int i = 0; i < n; i++)
		for (int o = 0; o < nodes[i].n_outputs; o++)
			if (nodes[i].outputs[o] >= 0)
				m->values[nodes[i].outputs[o]].producer = i;
out:
	free(pending);
	free(order);
	free(heap);
	free(first);
	free(cons);
	free(sorted);
	return rc;
}


/* Sorts the main graph and every subgraph. */
int model_topo_sort(grt_model *m, char *err, size_t err_len)
{
	int rc = topo_sort_graph(m, m->nodes, m->n_nodes, 0, err, err_len);

	for (int k = 0; !rc && k < m->n_graphs; k++)
		rc = topo_sort_graph(m, m->graphs[k]->nodes, m->graphs[k]->n_nodes, m->graphs[k]->id,
		                     err, err_len);
	return rc;
}


/* How load_buffer gives buf back once it is parsed. */
enum buf_owner { BUF_CALLER, BUF_MALLOC, BUF_MAPPED };

static void release(const void *buf, size_t len, enum buf_owner owner)
{
	if (owner == BUF_MALLOC)
		free((void *)buf);
	else if (owner == BUF_MAPPED)
		munmap((void *)buf, len);
}

/* What load_buffer does with the parsed tree: NULL converts it into *out; a
 * query lists its operators (grt_model_ops_file). */
struct ops_query {
	grt_op_fn fn;
	void *ctx;
};

/* Parses buf; unless the caller owns it, gives it back as soon as it is
 * parsed. */
static int load_buffer(const void *buf, size_t len, enum buf_owner owned, grt_model **out,
                       const struct ops_query *q, char *err, size_t err_len)
{
	struct parse_arena arena = { NULL, NULL };
	ProtobufCAllocator alloc = { parse_alloc, parse_free, &arena };
	Onnx__ModelProto *mp;
	struct fn_expansion *fx;
	grt_model *m;
	int rc;

	if ((rc = check_nesting(buf, len, err, err_len))) {
		release(buf, len, owned);
		return rc;
	}
	mp = onnx__model_proto__unpack(&alloc, len, buf);
	release(buf, len, owned);
	if (!mp) {
		parse_arena_free(&arena);
		set_err(err, err_len, "not an ONNX model: the %zu bytes do not parse as "
		        "onnx.ModelProto (truncated or corrupt file?)", len);
		return GRT_E_PARSE;
	}
	if (q) {
		rc = model_list_ops(mp, q->fn, q->ctx, err, err_len);
		parse_arena_free(&arena);
		return rc;
	}
	m = calloc(1, sizeof(*m));
	if (!m) {
		parse_arena_free(&arena);
		set_err(err, err_len, "out of memory");
		return GRT_E_NOMEM;
	}
	rc = expand_functions(mp, &arena, &fx, err, err_len);
	if (!rc)
		rc = model_convert(m, mp, &arena, fx, err, err_len);
	if (!rc)
		rc = model_topo_sort(m, err, err_len);
	parse_arena_free(&arena);     /* the whole tree */
	if (rc) {
		if (rc == GRT_E_NOMEM)
			set_err(err, err_len, "out of memory while loading the model");
		grt_model_free(m);
		return rc;
	}
	*out = m;
	return GRT_OK;
}

int grt_model_load_buffer(const void *buf, size_t len, grt_model **out, char *err, size_t err_len)
{
	if (!out || (!buf && len)) {
		set_err(err, err_len, "grt_model_load_buffer: NULL argument");
		return GRT_E_ARG;
	}
	*out = NULL;
	return load_buffer(buf, len, BUF_CALLER, out, NULL, err, err_len);
}

/* Maps a regular file read-only. GRT_E_UNSUPPORTED: not a regular file (or
 * empty, or cannot be mapped): read it instead. */
static int map_file(const char *path, uint8_t **buf, size_t *len, char *err, size_t err_len)
{
	struct stat sb;
	void *p;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		set_err(err, err_len, "%s", strerror(errno));
		return GRT_E_IO;
	}
	if (fstat(fd, &sb) || !S_ISREG(sb.st_mode) || sb.st_size == 0) {
		close(fd);
		return GRT_E_UNSUPPORTED;
	}
	if ((uint64_t)sb.st_size > ((uint64_t)2 << 30)) {
		close(fd);
		set_err(err, err_len, "the file has %lld bytes, more than 2 GiB, the most a protobuf "
		        "file can hold", (long long)sb.st_size);
		return GRT_E_LIMIT;
	}
	p = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return GRT_E_UNSUPPORTED;
	*buf = p;
	*len = (size_t)sb.st_size;
	return GRT_OK;
}

/* The file at path, mapped or read, through load_buffer. */
static int load_path(const char *path, grt_model **out, const struct ops_query *q, char *err,
                     size_t err_len)
{
	uint8_t *buf;
	size_t len;
	int rc;

	rc = map_file(path, &buf, &len, err, err_len);
	if (rc == GRT_OK) {
		/* mapped: a garbage file fails at its first bad bytes, whatever its
		 * size, and the parse reads the page cache directly */
		rc = load_buffer(buf, len, BUF_MAPPED, out, q, err, err_len);   /* unmaps buf */
	} else if (rc == GRT_E_UNSUPPORTED) {   /* a pipe, an empty file: read it */
		rc = grt_read_file(path, &buf, &len, err, err_len);
		if (rc)
			return rc;                      /* the message names the file */
		rc = load_buffer(buf, len, BUF_MALLOC, out, q, err, err_len);   /* frees buf */
	}
	if (rc && err && err_len) {     /* prefix the file name */
		size_t n = strlen(path) + 2;
		if (n < err_len) {
			memmove(err + n, err, err_len - n);
			err[err_len - 1] = 0;
			memcpy(err, path, n - 2);
			err[n - 2] = ':';
			err[n - 1] = ' ';
		}
	}
	return rc;
}

int grt_model_load_file(const char *path, grt_model **out, char *err, size_t err_len)
{
	if (!path || !out) {
		set_err(err, err_len, "grt_model_load_file: NULL argument");
		return GRT_E_ARG;
	}
	*out = NULL;
	return load_path(path, out, NULL, err, err_len);
}

int grt_model_ops_file(const char *path, grt_op_fn fn, void *ctx, char *err, size_t err_len)
{
	struct ops_query q = { fn, ctx };

	if (!path || !fn) {
		set_err(err, err_len, "grt_model_ops_file: NULL argument");
		return GRT_E_ARG;
	}
	return load_path(path, NULL, &q, err, err_len);
}

void grt_model_free(grt_model *m)
{
	if (!m)
		return;
	pool_free(&m->mem);
	free(m);
}

/* --- introspection --- */

int grt_model_n_inputs(const grt_model *m) { return m ? m->n_inputs : 0; }
int grt_model_n_outputs(const grt_model *m) { return m ? m->n_outputs : 0; }
int grt_model_n_nodes(const grt_model *m) { return m ? m->n_nodes : 0; }
int64_t grt_model_ir_version(const grt_model *m) { return m ? m->ir_version : 0; }
int grt_model_opset(const grt_model *m) { return m ? m->opset : 0; }
int grt_model_n_metadata(const grt_model *m) { return m ? m->n_meta : 0; }

static int value_out(const struct value_info *v, const char **name, grt_value *info,
                     const char **dim_names)
{
	if (name)
		*name = v->name;
	const struct value_decl *dc = v->decl;
	struct value_decl of_init = { DT_UNDEFINED, -1, { 0 }, NULL };

	if (!dc && v->init) {        /* an initializer (or a graph input naming one) */
		of_init.dtype = v->init->dtype;
		of_init.ndim = v->init->ndim;
		memcpy(of_init.dims, v->init->dims, sizeof(of_init.dims));
	}
	if (!dc)
		dc = &of_init;
	if (info) {
		memset(info, 0, sizeof(*info));
		info->dtype = (grt_dtype)dc->dtype;
		info->ndim = dc->ndim;
		for (int d = 0; d < dc->ndim; d++)
			info->dims[d] = dc->dims[d];
	}
	if (dim_names)
		for (int d = 0; d < MAX_DIMS; d++)
			dim_names[d] = d < dc->ndim && dc->dim_names ? dc->dim_names[d] : NULL;
	return GRT_OK;
}

int grt_model_input(const grt_model *m, int i, const char **name, grt_value *info,
                    const char **dim_names)
{
	if (!m || i < 0 || i >= m->n_inputs)
		return GRT_E_ARG;
	return value_out(&m->values[m->inputs[i]], name, info, dim_names);
}

int grt_model_output(const grt_model *m, int i, const char **name, grt_value *info,
                     const char **dim_names)
{
	if (!m || i < 0 || i >= m->n_outputs)
		return GRT_E_ARG;
	return value_out(&m->values[m->outputs[i]], name, info, dim_names);
}

int grt_model_find_input(const grt_model *m, const char *name)
{
	for (int i = 0; m && name && i < m->n_inputs; i++)
		if (!strcmp(m->values[m->inputs[i]].name, name))
			return i;
	return -1;
}

int grt_model_find_output(const grt_model *m, const char *name)
{
	for (int i = 0; m && name && i < m->n_outputs; i++)
		if (!strcmp(m->values[m->outputs[i]].name, name))
			return i;
	return -1;
}

int grt_model_metadata_at(const grt_model *m, int i, const char **key, const char **value)
{
	if (!m || i < 0 || i >= m->n_meta)
		return GRT_E_ARG;
	if (key)
		*key = m->meta[i].key;
	if (value)
		*value = m->meta[i].value;
	return GRT_OK;
}

const char *grt_model_metadata(const grt_model *m, const char *key)
{
	for (int i = 0; m && key && i < m->n_meta; i++)
		if (!strcmp(m->meta[i].key, key))
			return m->meta[i].value;
	return NULL;
}

