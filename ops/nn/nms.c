/* nms.c - NonMaxSuppression 10+ (https://onnx.ai/onnx/operators/onnx__NonMaxSuppression.html).
 *
 * boxes [B, N, 4], scores [B, C, N] (float); optional max_output_boxes_per_class
 * (int64, 1 element, default 0: nothing selected), iou_threshold (float, default 0) and
 * score_threshold (float, default: none). For every batch b and class c, the boxes
 * whose score exceeds score_threshold are taken by score, highest first (equal scores
 * by box index), and a box is selected unless its IoU with a box already selected in
 * (b, c) exceeds iou_threshold, until max_output_boxes_per_class are selected.
 * Output selected_indices [count, 3] int64: (b, c, box) in that order, b then c
 * ascending, each (b, c)'s boxes in the order selected. Both the count and the rows
 * depend on every input's values, so prepare() computes the selection (at plan time
 * when the inputs are constant, else the node is dynamic and prepared at run time)
 * and run() writes it. The comparisons are ONNX Runtime's: a score is kept when
 * greater than the threshold, a box suppressed when its IoU is greater than
 * iou_threshold, and a box of zero area overlaps nothing. */
#include <stdlib.h>
#include <string.h>
#include "ops/op.h"

struct nms_params {
	int64_t count;               /* rows selected */
	int64_t *rows;               /* [count][3] */
};

struct nms_cand {
	float score;
	int64_t box;
};

/* Score descending, then box index ascending: a total order. */
static int cand_cmp(const void *a, const void *b)
{
	const struct nms_cand *p = a, *q = b;

	if (p->score != q->score)
		return p->score < q->score ? 1 : -1;
	return (p->box > q->box) - (p->box < q->box);
}

/* Box i of bx as (y1, x1, y2, x2) with y1 <= y2 and x1 <= x2. */
static void box_corners(const float *bx, int center, float c[4])
{
	if (center) {                /* [x_center, y_center, width, height] */
		c[0] = bx[1] - bx[3] / 2;
		c[2] = bx[1] + bx[3] / 2;
		c[1] = bx[0] - bx[2] / 2;
		c[3] = bx[0] + bx[2] / 2;
		return;
	}
	c[0] = bx[0] < bx[2] ? bx[0] : bx[2];
	c[2] = bx[0] < bx[2] ? bx[2] : bx[0];
	c[1] = bx[1] < bx[3] ? bx[1] : bx[3];
	c[3] = bx[1] < bx[3] ? bx[3] : bx[1];
}

/* Whether boxes a and b (corners) overlap by more than thr in IoU. */
static int suppresses(const float a[4], const float b[4], float thr)
{
	const float area_a = (a[2] - a[0]) * (a[3] - a[1]);
	const float area_b = (b[2] - b[0]) * (b[3] - b[1]);
	float h, w, inter;

	if (area_a <= 0 || area_b <= 0)
		return 0;
	h = (a[2] < b[2] ? a[2] : b[2]) - (a[0] > b[0] ? a[0] : b[0]);
	w = (a[3] < b[3] ? a[3] : b[3]) - (a[1] > b[1] ? a[1] : b[1]);
	if (h <= 0 || w <= 0)
		return 0;
	inter = h * w;
	return inter / (area_a + area_b - inter) > thr;
}

/* The optional scalar input i as a float (def when absent). */
static int scalar_f(struct node *n, struct exec *x, int i, float def, float *v)
{
	const struct tensor *t = op_input(n, i);

	*v = def;
	if (!t)
		return GRT_OK;
	if (t->dtype != DT_FLOAT || t->numel != 1)
		return op_fail(n, x, GRT_E_SHAPE, "input %d must hold one float", i);
	*v = *(const float *)t->data;
	return GRT_OK;
}

/* Greedy selection in class (b, c): rows appended at p->rows + 3 * p->count
 * (NULL: only counted). cand [N], corners [N][4], picked [N] are work space. */
static void select_class(struct nms_params *p, const float *boxes, const float *scores,
                         int64_t b, int64_t c, int64_t nb, int center, int64_t max_out,
                         float iou, const float *score_thr, struct nms_cand *cand,
                         float (*corners)[4], int64_t *picked)
{
	int64_t nc = 0, np = 0;

	for (int64_t i = 0; i < nb; i++)
		if (!score_thr || scores[i] > *score_thr) {
			cand[nc].score = scores[i];
			cand[nc++].box = i;
		}
	qsort(cand, (size_t)nc, sizeof(*cand), cand_cmp);
	for (int64_t k = 0; k < nc && np < max_out; k++) {
		const int64_t i = cand[k].box;
		int keep = 1;
		box_corners(boxes + 4 * i, center, corners[i]);
		for (int64_t j = 0; keep && j < np; j++)
			keep = !suppresses(corners[picked[j]], corners[i], iou);
		if (!keep)
			continue;
		picked[np++] = i;
		if (p->rows) {
			p->rows[3 * p->count] = b;
			p->rows[3 * p->count + 1] = c;
			p->rows[3 * p->count + 2] = i;
		}
		p->count++;
	}
}

static int nms_prepare(struct node *n, struct exec *x)
{
	const struct tensor *bx, *sc, *mo;
	struct nms_params *p;
	struct nms_cand *cand;
	float (*corners)[4], iou, thr;
	int64_t *picked, max_out = 0, center = 0, dims[2] = { 0, 3 };
	int rc = op_check_arity(n, x, 2, 5, 1, 1);

	if (rc || (rc = attr_int(n, x, "center_point_box", 0, &center)))
		return rc;
	bx = n->inputs[0];
	sc = n->inputs[1];
	if (!bx || !sc || bx->dtype != DT_FLOAT || sc->dtype != DT_FLOAT || bx->ndim != 3 ||
	    sc->ndim != 3 || bx->dims[2] != 4 || sc->dims[0] != bx->dims[0] ||
	    sc->dims[2] != bx->dims[1])
		return op_fail(n, x, GRT_E_SHAPE, "needs float boxes [B, N, 4] and scores [B, C, N]");
	if (center != 0 && center != 1)
		return op_fail(n, x, GRT_E_ATTR, "center_point_box must be 0 or 1, not %lld",
		               (long long)center);
	for (int i = 0; i < n->n_inputs; i++)
		if (n->inputs[i] && !op_const_input(n, x, i))
			return op_dynamic(n, x, i, "the selected boxes");
	if ((mo = op_input(n, 2))) {
		if (mo->dtype != DT_INT64 || mo->numel != 1)
			return op_fail(n, x, GRT_E_SHAPE, "max_output_boxes_per_class must hold one "
			               "int64");
		max_out = *(const int64_t *)mo->data;
	}
	if ((rc = scalar_f(n, x, 3, 0, &iou)) || (rc = scalar_f(n, x, 4, 0, &thr)))
		return rc;
	if (iou < 0 || iou > 1)
		return op_fail(n, x, GRT_E_SHAPE, "iou_threshold %g is outside [0, 1]", iou);
	if (!(p = plan_alloc(x, sizeof(*p))))
		return GRT_E_NOMEM;
	n->params = p;
	if (max_out > 0 && bx->numel) {
		const int64_t nb = bx->dims[1], ncls = sc->dims[1];
		const float *score_thr = op_input(n, 4) ? &thr : NULL;
		cand = plan_alloc(x, (size_t)nb * sizeof(*cand));
		corners = plan_alloc(x, (size_t)nb * sizeof(*corners));
		picked = plan_alloc(x, (size_t)nb * sizeof(*picked));
		if (!cand || !corners || !picked)
			return GRT_E_NOMEM;
		for (int pass = 0; pass < 2; pass++) {   /* count, then fill */
			if (pass && !(p->rows = plan_alloc(x, (size_t)p->count * 3 * sizeof(int64_t) + 1)))
				return GRT_E_NOMEM;
			p->count = 0;
			for (int64_t b = 0; b < bx->dims[0]; b++)
				for (int64_t c = 0; c < ncls; c++)
					select_class(p, (const float *)bx->data + b * nb * 4,
					             (const float *)sc->data + (b * ncls + c) * nb, b, c, nb,
					             (int)center, max_out, iou, score_thr, cand, corners, picked);
		}
	}
	dims[0] = p->count;
	if ((rc = tensor_set_shape(n->outputs[0], DT_INT64, 2, dims)))
		return op_fail(n, x, rc, "output too large");
	return GRT_OK;
}

static int nms_run(struct node *n, struct exec *x)
{
	const struct nms_params *p = n->params;

	(void)x;
	if (p->count)
		memcpy(n->outputs[0]->data, p->rows, (size_t)p->count * 3 * sizeof(int64_t));
	return GRT_OK;
}

const struct op_def op_non_max_suppression = {
	"NonMaxSuppression", 10, OPSET_LATEST, nms_prepare, nms_run, 0, NULL
};
