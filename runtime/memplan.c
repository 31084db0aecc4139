/* memplan.c - the session's memory plan: views and in-place outputs share
 * their input's buffer, every other intermediate gets an offset in one arena
 * from its first and last use, one scratch buffer serves all nodes, and the
 * plan's tensor table is compacted to what the run touches. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "runtime/internal.h"

/* --- buffer sharing --- */

/* Index of a session tensor. Rewrites may give nodes extra constant
 * inputs that live outside s->tensors: callers skip constants first. */
static int tid(const grt_session *s, const struct tensor *t)
{
	return (int)(t - s->tensors);
}

/* Whether bytes [a, b) of node n's input 0 lie inside the blocks n copies over them
 * (struct node): n never reads them. */
static int overwritten(const struct node *n, size_t a, size_t b)
{
	int found = 1;

	while (a < b && found) {
		found = 0;
		for (int c = 0; c < n->n_copies && !found; c++)
			if (n->copies[c].dst <= a && a < n->copies[c].dst + n->copies[c].len) {
				a = n->copies[c].dst + n->copies[c].len;
				found = 1;
			}
	}
	return a >= b;
}

/* Whether node i may write bytes [lo, hi) of buffer r in place although buffer r is read
 * later: no later node reads those bytes' values, or it reads only bytes its node
 * copies over first (ScatterND writing a cache's block back where an earlier node
 * already wrote it in place through a view). Later readers of node i's output are not
 * in buffer r yet. */
static int region_free(const grt_session *s, int i, int r, size_t lo, size_t hi,
                       const int *root, const size_t *voff)
{
	for (int j = i + 1; j < s->n_run; j++) {
		const struct node *n = &s->nodes[j];
		if (n->dynamic || (n->op->flags & OP_CONTROL))
			return 0;
		for (int k = 0; k < n->n_inputs; k++) {
			const struct tensor *t = n->inputs[k];
			size_t a, b;
			if (!t || t->is_const || root[tid(s, t)] != r)
				continue;
			a = voff[tid(s, t)] > lo ? voff[tid(s, t)] : lo;
			b = voff[tid(s, t)] + t->nbytes < hi ? voff[tid(s, t)] + t->nbytes : hi;
			if (a < b && (k || !overwritten(n, a - voff[tid(s, t)], b - voff[tid(s, t)])))
				return 0;
		}
	}
	return 1;
}

/* Whether node n's other inputs allow its output into buffer r where its input 0
 * lies: none is in buffer r, except a copied input whose every block would land on
 * itself (struct node). */
static int others_apart(const grt_session *s, const struct node *n, int r, const int *root,
                        const size_t *voff)
{
	for (int k = 1; k < n->n_inputs; k++) {
		const struct tensor *t = n->inputs[k];
		if (!t || t->is_const || root[tid(s, t)] != r)
			continue;
		if (k != n->copies_input || !n->n_copies)
			return 0;
		for (int c = 0; c < n->n_copies; c++)
			if (voff[tid(s, n->inputs[0])] + n->copies[c].dst !=
			    voff[tid(s, t)] + n->copies[c].src)
				return 0;
	}
	return 1;
}

/* Views (n->view): the output becomes another name for the input's buffer
 * and the node is dropped. In-place (n->inplace): the output takes the
 * input's buffer when no later node reads that buffer (or, for an input that is a
 * part of it, the bytes of that part: region_free) and it is not a graph output,
 * nor a graph input that keeps its value. root[v] names the tensor whose buffer v
 * uses. */
int share_buffers(grt_session *s, unsigned flags, uint64_t scratch_inputs, int *root,
                         size_t *voff)
{
	const grt_model *m = s->model;
	int nv = m->n_values, kept = 0;
	int *last = NULL;

	for (int v = 0; v < nv; v++) {
		root[v] = v;
		voff[v] = 0;
	}
	if (!(flags & GRT_SESSION_NO_ALIAS)) {
		for (int i = 0; i < s->n_run; i++) {
			struct node *n = &s->nodes[i];
			struct tensor *in = n->n_inputs ? n->inputs[0] : NULL;
			struct tensor *out = n->n_outputs ? n->outputs[0] : NULL;
			if (n->view && in && out && !in->is_const && !out->is_const &&
			    in->dtype == out->dtype && n->view_offset + out->nbytes <= in->nbytes &&
			    n->view_offset % dtype_size(in->dtype) == 0) {
				root[tid(s, out)] = root[tid(s, in)];
				voff[tid(s, out)] = voff[tid(s, in)] + n->view_offset;
				s->stats.n_nodes_aliased++;
				continue;
			}
			s->nodes[kept++] = *n;
		}
		s->n_run = kept;
	}
	if (flags & GRT_SESSION_NO_INPLACE)
		return GRT_OK;
	/* last[r]: the last step that reads buffer r (n_run: kept to the end) */
	last = malloc(((size_t)nv + 1) * sizeof(int));
	if (!last)
		return GRT_E_NOMEM;
	for (int v = 0; v < nv; v++)
		last[v] = -1;
	for (int i = 0; i < s->n_run; i++)
		for (int k = 0; k < s->nodes[i].n_inputs; k++)
			if (s->nodes[i].inputs[k] && !s->nodes[i].inputs[k]->is_const)
				last[root[tid(s, s->nodes[i].inputs[k])]] = i;
	for (int i = 0; i < m->n_outputs; i++)
		last[root[s->redirect[m->outputs[i]]]] = s->n_run;
	for (int i = 0; i < m->n_inputs; i++)
		if (i >= 64 || !(scratch_inputs >> i & 1))
			last[root[m->inputs[i]]] = s->n_run;   /* inputs keep their values */
	for (int i = 0; i < s->n_run; i++) {
		struct node *n = &s->nodes[i];
		struct tensor *in = n->n_inputs ? n->inputs[0] : NULL;
		struct tensor *out = n->n_outputs ? n->outputs[0] : NULL;
		int r, o;
		if (!n->inplace || !in || !out || in->is_const || in->nbytes != out->nbytes)
			continue;
		r = root[tid(s, in)];
		o = tid(s, out);
		if (s->tensors[r].is_const || last[r] == s->n_run || !others_apart(s, n, r, root, voff))
			continue;
		if (last[r] != i && !region_free(s, i, r, voff[tid(s, in)],
		                                 voff[tid(s, in)] + in->nbytes, root, voff))
			continue;
		for (int v = 0; v < nv; v++)     /* o and its views move to r's buffer */
			if (root[v] == o && v != o) {
				root[v] = r;
				voff[v] += voff[tid(s, in)];
			}
		root[o] = r;
		voff[o] = voff[tid(s, in)];
		if (last[o] > last[r])
			last[r] = last[o];
		s->stats.n_nodes_inplace++;
	}
	free(last);
	return GRT_OK;
}

/* --- memory plan --- */

struct live { size_t off, size; int last; };

static int cmp_live(const void *a, const void *b)
{
	const struct live *x = a, *y = b;

	return x->off < y->off ? -1 : x->off > y->off;
}

static size_t align_up(size_t n)
{
	return (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
}

/* Gives every non-constant tensor that a run node writes, and every free
 * graph input, an arena offset: first fit among the blocks live at its
 * definition. A tensor lives from the step that defines it to the last step
 * that reads it; graph inputs and outputs live through the whole run. */
static int plan_memory(grt_session *s, const int *root, const size_t *voff, size_t *offsets)
{
	const grt_model *m = s->model;
	int nv = m->n_values, n_live = 0, rc = GRT_OK;
	int *first = malloc(((size_t)nv + 1) * sizeof(int));
	int *last = malloc(((size_t)nv + 1) * sizeof(int));
	struct live *lv = malloc(((size_t)nv + 1) * sizeof(*lv));
	size_t arena = 0;

	if (!first || !last || !lv) {
		rc = GRT_E_NOMEM;
		goto out;
	}
	/* lifetimes of buffers: a buffer is a root tensor together with the
	 * tensors that share it (views, in-place outputs) */
	for (int v = 0; v < nv; v++) {
		first[v] = -2;      /* -2: not in the arena */
		last[v] = -2;
		offsets[v] = 0;
	}
	for (int i = 0; i < m->n_inputs; i++)
		if (!s->input_fixed[i]) {
			first[m->inputs[i]] = -1;
			last[m->inputs[i]] = s->n_run;
		}
	for (int i = 0; i < s->n_run; i++) {
		struct node *n = &s->nodes[i];
		for (int k = 0; k < n->n_outputs; k++)
			if (n->outputs[k] && !n->outputs[k]->is_dynamic) {
				int v = (int)(n->outputs[k] - s->tensors), r = root[v];
				if (r == v && first[v] == -2)     /* the first of its writers */
					first[v] = i;
				if (first[r] != -2 && last[r] < i)
					last[r] = i;
			}
		for (int k = 0; k < n->n_inputs; k++)
			if (n->inputs[k] && !n->inputs[k]->is_const) {
				int r = root[n->inputs[k] - s->tensors];
				if (first[r] != -2 && last[r] < i)
					last[r] = i;
			}
	}
	for (int i = 0; i < m->n_outputs; i++)
		if (first[root[s->redirect[m->outputs[i]]]] != -2)
			last[root[s->redirect[m->outputs[i]]]] = s->n_run;

	/* place in order of definition: inputs (step -1), then each step's outputs */
	for (int step = -1; step < s->n_run; step++) {
		int k_end = step < 0 ? m->n_inputs : s->nodes[step].n_outputs;
		int w = 0;
		for (int j = 0; j < n_live; j++)      /* free what died before this step */
			if (lv[j].last >= step)
				lv[w++] = lv[j];
		n_live = w;
		qsort(lv, (size_t)n_live, sizeof(*lv), cmp_live);
		for (int k = 0; k < k_end; k++) {
			struct tensor *t = step < 0 ? s->inputs[k] : s->nodes[step].outputs[k];
			int v;
			size_t size, off = 0;
			if (!t)
				continue;
			v = (int)(t - s->tensors);
			if (root[v] != v || first[v] != step)
				continue;
			size = align_up(t->nbytes);
			for (int j = 0; j < n_live; j++) {     /* first gap that fits */
				if (lv[j].off >= off + size)
					break;
				if (lv[j].off + lv[j].size > off)
					off = lv[j].off + lv[j].size;
			}
			if (off > SIZE_MAX - size) {   /* 32-bit size_t: the live buffers */
				rc = GRT_E_LIMIT;     /* together exceed the address space */
				goto out;
			}
			offsets[v] = off;
			if (off + size > arena)
				arena = off + size;
			if (size) {
				int j = n_live++;
				lv[j].off = off;
				lv[j].size = size;
				lv[j].last = last[v];
				qsort(lv, (size_t)n_live, sizeof(*lv), cmp_live);
			}
		}
	}
	s->stats.arena_bytes = arena;
	for (int v = 0; v < nv; v++)
		if (first[root[v]] == -2)
			offsets[v] = (size_t)-1;     /* constant, or a view of one */
		else if (root[v] != v)
			offsets[v] = offsets[root[v]] + voff[v];
out:
	free(first);
	free(last);
	free(lv);
	return rc;
}

int allocate_plan(grt_session *s, const grt_session_opts *opts, const int *root,
                    const size_t *voff, char *err, size_t err_len)
{
	const grt_model *m = s->model;
	size_t *offsets = malloc(((size_t)m->n_values + 1) * sizeof(size_t));
	size_t scratch = 0, limit = s->budget;
	int rc;

	if (!offsets)
		return GRT_E_NOMEM;
	rc = plan_memory(s, root, voff, offsets);
	if (rc == GRT_E_LIMIT)
		set_err(err, err_len, "the plan's live buffers exceed the %zu-bit address space",
		        8 * sizeof(size_t));
	if (rc)
		goto out;
	for (int i = 0; i < s->n_run; i++)
		if (s->nodes[i].scratch_bytes > scratch)
			scratch = s->nodes[i].scratch_bytes;
	s->stats.scratch_bytes = scratch;
	if (s->stats.arena_bytes > limit || scratch > limit - s->stats.arena_bytes ||
	    s->const_live > limit - s->stats.arena_bytes - scratch) {
		set_err(err, err_len, "the plan needs %zu bytes (arena %zu + scratch %zu + "
		        "constants %zu), more than the limit of %zu",
		        s->stats.arena_bytes + scratch + s->const_live, s->stats.arena_bytes, scratch,
		        s->const_live, limit);
		rc = GRT_E_LIMIT;
		goto out;
	}
	if (opts && (opts->flags & GRT_SESSION_PLAN_ONLY))
		goto out;
	if (posix_memalign(&s->arena, ARENA_ALIGN, s->stats.arena_bytes ? s->stats.arena_bytes : ARENA_ALIGN)) {
		s->arena = NULL;
		rc = GRT_E_NOMEM;
		goto out;
	}
	memset(s->arena, 0, s->stats.arena_bytes);
	for (int v = 0; v < m->n_values; v++)
		if (offsets[v] != (size_t)-1)
			s->tensors[v].data = (char *)s->arena + offsets[v];
		else if (root[v] != v && s->tensors[root[v]].data)   /* view of a constant */
			s->tensors[v].data = (char *)s->tensors[root[v]].data + voff[v];
	if (posix_memalign(&s->scratch, ARENA_ALIGN, scratch ? align_up(scratch) : ARENA_ALIGN)) {
		s->scratch = NULL;
		rc = GRT_E_NOMEM;
	}
out:
	free(offsets);
	return rc;
}

/* One pointer the plan holds: into old[0, nv) marks its value (t NULL) or
 * moves it to t[to[v]]; pointers elsewhere (constants fuse.c made) stay. */
static void remap_ref(struct tensor **p, const struct tensor *old, int nv, int *to,
                      struct tensor *t)
{
	if (!*p || *p < old || *p >= old + nv)
		return;
	if (t)
		*p = t + to[*p - old];
	else
		to[*p - old] = 0;
}

static void remap_node(struct node *n, const struct tensor *old, int nv, int *to,
                       struct tensor *t)
{
	for (int k = 0; k < n->n_inputs; k++)
		remap_ref(&n->inputs[k], old, nv, to, t);
	for (int k = 0; k < n->n_outputs; k++)
		remap_ref(&n->outputs[k], old, nv, to, t);
}

static void remap_all(grt_session *s, const struct tensor *old, int *to, struct tensor *t)
{
	const grt_model *m = s->model;

	for (int g = 0; s->gnodes && g <= m->n_graphs; g++) {  /* Loop and Scan bodies */
		if (!s->gnodes[g])
			continue;
		for (int i = 0; i < m->graphs[g - 1]->n_nodes; i++)
			remap_node(&s->gnodes[g][i], old, m->n_values, to, t);
		remap_node(&s->gframes[g], old, m->n_values, to, t);
	}

	for (int i = 0; i < m->n_inputs; i++)
		remap_ref(&s->inputs[i], old, m->n_values, to, t);
	for (int i = 0; i < m->n_outputs; i++)
		remap_ref(&s->outputs[i], old, m->n_values, to, t);
	for (int i = 0; i < s->n_run; i++)
		remap_node(&s->nodes[i], old, m->n_values, to, t);
}

/* Keeps the records of the values that the plan still uses (inputs, outputs
 * and those of the nodes to run) and drops the rest: an unsimplified export
 * has thousands of values, nearly all folded away. Nodes may also read
 * constants that fuse.c made; those live in the pool and stay. */
int compact_tensors(grt_session *s)
{
	const grt_model *m = s->model;
	struct tensor *old = s->tensors, *t;
	int *to = malloc(((size_t)m->n_values + 1) * sizeof(int)), n = 0;

	if (!to)
		return GRT_E_NOMEM;
	for (int v = 0; v < m->n_values; v++)
		to[v] = -1;
	remap_all(s, old, to, NULL);             /* mark the values in use */
	for (int v = 0; v < m->n_values; v++)
		if (!to[v])
			to[v] = n++;
	if (!(t = malloc(((size_t)n + 1) * sizeof(*t)))) {
		free(to);
		return GRT_E_NOMEM;
	}
	for (int v = 0; v < m->n_values; v++)
		if (to[v] >= 0)
			t[to[v]] = old[v];
	remap_all(s, old, to, t);
	free(to);
	free(old);
	s->tensors = t;
	return GRT_OK;
}
