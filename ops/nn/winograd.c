/* winograd.c - Conv's ALGO_WINOGRAD (ops/nn/winograd.h): the choice and the weight
 * transform at plan time, run() over blocks of tiles, and the portable kernels. */
#include <string.h>
#include "ops/nn/conv_internal.h"
#include "ops/nn/winograd.h"
#include "ops/cpu.h"

typedef float v8f __attribute__((vector_size(32)));

/* the row copies of ops/nn/winograd_kernel.h, element by element */
static inline void wino_row_in(const float *r, v8f d[6])
{
	float l[6][8];

	for (int k = 0; k < 8; k++)
		for (int j = 0; j < 6; j++)
			l[j][wino_slot(k)] = r[4 * k + j];
	memcpy(d, l, sizeof(l));
}

static inline void wino_row_in_part(const float *x, int64_t n, int64_t at, int64_t lo,
                                    int64_t hi, v8f d[6])
{
	float l[6][8];

	(void)n;
	for (int k = 0; k < 8; k++)
		for (int j = 0; j < 6; j++)
			l[j][wino_slot(k)] = 4 * k + j >= lo && 4 * k + j < hi ? x[at + 4 * k + j] : 0;
	memcpy(d, l, sizeof(l));
}

static inline void wino_row_out(float *r, const v8f o[4])
{
	float l[4][8];

	memcpy(l, o, sizeof(l));
	for (int k = 0; k < 8; k++)
		for (int j = 0; j < 4; j++)
			r[4 * k + j] = l[j][wino_slot(k)];
}

#define WK(name) name##_portable
#include "ops/nn/winograd_kernel.h"

/* Which Convs take it: conservative sizes. The smallest shape they let in, 16 -> 16
 * channels on 64x64, already runs in about half the time of im2col + GEMM (measured);
 * they keep out the small Convs of the GTCRN exports and Silero VAD, whose goldens
 * and portable-vs-AVX2 comparisons stay on the algorithms they were made with. */
#define WINO_MIN_CH 16         /* input and output channels per group, at least */
#define WINO_MIN_TILES 256     /* 4x4 output tiles per plane, at least */
#define WINO_L2_BYTES 786432   /* V and M of one block within this (L2: 1 MB) */
#define WINO_NT_MAX 96         /* tiles per block, at most */

struct wino_plan {
	struct wino_geom g;
	const float *u;            /* [group][36][mp / 4][c][4] (ops/nn/winograd.h) */
	size_t m_off;              /* scratch: V [c][36][nt] at 0, M [36][mp][nt] here */
	wino_in_fn in;
	wino_gemm_fn gemm;
	wino_out_fn out;
};

/* U = G w G^T of one 3x3 kernel w into u[36] (stride us), in double then rounded
 * (rows of G: 1/4 0 0; -1/6 -1/6 -1/6; -1/6 1/6 -1/6; 1/24 1/12 1/6; 1/24 -1/12 1/6;
 * 0 0 1) */
static void wino_weight(const float *w, float *u, int64_t us)
{
	static const double G[6][3] = {
		{ 1.0 / 4, 0, 0 }, { -1.0 / 6, -1.0 / 6, -1.0 / 6 }, { -1.0 / 6, 1.0 / 6, -1.0 / 6 },
		{ 1.0 / 24, 1.0 / 12, 1.0 / 6 }, { 1.0 / 24, -1.0 / 12, 1.0 / 6 }, { 0, 0, 1 },
	};
	double t[6][3];

	for (int i = 0; i < 6; i++)
		for (int b = 0; b < 3; b++)
			t[i][b] = G[i][0] * w[b] + G[i][1] * w[3 + b] + G[i][2] * w[6 + b];
	for (int i = 0; i < 6; i++)
		for (int j = 0; j < 6; j++)
			u[(6 * i + j) * us] = (float)(t[i][0] * G[j][0] + t[i][1] * G[j][1] +
			                              t[i][2] * G[j][2]);
}

int winograd_prepare(struct node *n, struct exec *x, struct conv_params *p, int *ok)
{
	const struct tensor *W = n->inputs[1];
	struct wino_plan *wp;
	struct wino_geom *g;
	int64_t per_tile, ucount;
	float *u;

	*ok = 0;
	if (p->transpose || p->dtype != DT_FLOAT || !W->is_const || p->in[0] != 1 ||
	    p->out[0] != 1 || p->k[0] != 1 || p->k[1] != 3 || p->k[2] != 3 ||
	    p->stride[1] != 1 || p->stride[2] != 1 || p->dil[1] != 1 || p->dil[2] != 1 ||
	    p->cg < WINO_MIN_CH || p->mg < WINO_MIN_CH ||
	    (p->out[1] + 3) / 4 * ((p->out[2] + 3) / 4) < WINO_MIN_TILES)
		return GRT_OK;
	if (!(wp = plan_alloc(x, sizeof(*wp))))
		return GRT_E_NOMEM;
	g = &wp->g;
	g->c = p->cg;
	g->m = p->mg;
	g->mp = (p->mg + 3) / 4 * 4;
	g->h = p->in[1];
	g->w = p->in[2];
	g->oh = p->out[1];
	g->ow = p->out[2];
	g->ph = p->pad[1];
	g->pw = p->pad[2];
	g->tw = (g->ow + 3) / 4;
	g->tiles = (g->oh + 3) / 4 * g->tw;
	per_tile = 36 * (g->c + g->mp) * (int64_t)sizeof(float);
	g->nt = WINO_L2_BYTES / per_tile / 24 * 24;
	g->nt = g->nt < 24 ? 24 : g->nt > WINO_NT_MAX ? WINO_NT_MAX : g->nt;
	if (g->nt > (g->tiles + 23) / 24 * 24)
		g->nt = (g->tiles + 23) / 24 * 24;

	ucount = p->group * 36 * g->mp * g->c;
	if (!(u = plan_alloc(x, (size_t)ucount * sizeof(float))))
		return GRT_E_NOMEM;
	memset(u, 0, (size_t)ucount * sizeof(float));
	for (int64_t gi = 0; gi < p->group; gi++)
		for (int64_t m = 0; m < g->m; m++)
			for (int64_t c = 0; c < g->c; c++)
				wino_weight((const float *)W->data + ((gi * g->m + m) * g->c + c) * 9,
				            u + gi * 36 * g->mp * g->c + ((m / 4) * g->c + c) * 4 + m % 4,
				            g->mp * g->c);
	wp->u = u;
	g->vc = 36 * g->nt;
	g->ms = g->mp * g->nt + 16;
	wp->m_off = ((size_t)(g->c * g->vc) * sizeof(float) + 63) & ~(size_t)63;
	n->scratch_bytes = wp->m_off + (size_t)(36 * g->ms) * sizeof(float);
	wp->in = x->kern->wino_in;
	wp->gemm = x->kern->wino_gemm;
	wp->out = x->kern->wino_out;
	p->wino = wp;
	*ok = 1;
	return GRT_OK;
}

void winograd_run(const struct conv_params *p, const float *x, const float *b, float *y,
                  void *scratch, const struct epilogue *e)
{
	const struct wino_plan *wp = p->wino;
	const struct wino_geom *g = &wp->g;
	const int64_t plane = g->oh * g->ow, ug = 36 * g->mp * g->c;
	float *v = scratch, *mo = (float *)((char *)scratch + wp->m_off);
	const int relu = e && e->kind == EPI_RELU;   /* in the output transform */

	for (int64_t ng = 0; ng < p->batch * p->group; ng++) {
		const int64_t gi = ng % p->group;
		const float *xg = x + ng * g->c * p->in_size, *bg = b ? b + gi * g->m : NULL;
		float *yg = y + ng * g->m * plane;
		int64_t done = 0;       /* output rows that the epilogue has seen */
		for (int64_t t0 = 0; t0 < g->tiles; t0 += g->nt) {
			int64_t rows;
			wp->in(g, xg, t0, v);
			wp->gemm(g, wp->u + gi * ug, v, mo);
			wp->out(g, mo, bg, relu, t0, yg);
			if (!e || e->kind == EPI_NONE || relu)
				continue;
			/* the rows of the tile rows now complete, while they are in cache */
			rows = t0 + g->nt >= g->tiles ? g->oh : 4 * ((t0 + g->nt) / g->tw);
			rows = rows > g->oh ? g->oh : rows;
			for (int64_t m = 0; m < g->m && rows > done; m++)
				op_epilogue(e, yg + m * plane + done * g->ow, (rows - done) * g->ow,
				            gi * g->m + m);
			done = rows > done ? rows : done;
		}
	}
}
