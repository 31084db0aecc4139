#!/usr/bin/python3
"""make.py - the loss, Dropout, CastLike, Det, LRN, MVN, MaxUnpool and Shrink cases of
tests/data/losses that the ONNX 1.12 node suite lacks: NLL with ignore_index on a 3-D
input with weights, int32 targets, SCE with a negative ignore_index and log_prob on 4-D,
Det of a singular and of a 1x1 matrix, LRN with an even size, MVN over axis 1, MaxUnpool
3-D and with output_shape and pads, Shrink on int32, Dropout's inference mask (opsets 7
and 12) and a seeded training mask, CastLike to float16 and bool; SCE in double, NLL in
float16, batched Det in double. The expected outputs come from ONNX Runtime
1.30 (onnxruntime-node in /work/ortnode, 1 thread) except where ORT is not the reference
(marked numpy: MaxUnpool with output_shape, which ORT reads differently, LRN of an even
size, which ORT refuses, Det in double, which it lacks, Dropout 7's inference mask, which
it fills with 0, and the seeded Dropout mask, which follows numpy's RandomState
as the ONNX reference does).
Run: cd tests/data/losses && /usr/bin/python3 make.py"""
import json
import os
import subprocess
import sys
import numpy as np
import onnx
from onnx import helper as h, numpy_helper as nh, TensorProto as T

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import fixture  # noqa: E402 (tests/data/fixture.py)

JS = r'''
const ort = require('onnxruntime-node');
const ARR = { float32: Float32Array, float64: Float64Array, int32: Int32Array,
              int64: BigInt64Array, bool: Uint8Array, float16: Uint16Array };
(async () => {
  const cases = JSON.parse(require('fs').readFileSync(0, 'utf8'));
  const res = {};
  for (const c of cases) {
    const s = await ort.InferenceSession.create(c.model, { intraOpNumThreads: 1 });
    const feeds = {};
    for (const [n, t, dims, v] of c.inputs)
      feeds[n] = new ort.Tensor(t, ARR[t].from(v.map(t === 'int64' ? BigInt : Number)), dims);
    const r = await s.run(feeds);
    res[c.model] = c.outputs.map(n => [r[n].dims, Array.from(r[n].data).map(Number)]);
  }
  process.stdout.write(JSON.stringify(res));
})();
'''
ORT_TYPE = {np.float32: 'float32', np.float64: 'float64', np.int32: 'int32',
            np.int64: 'int64', np.bool_: 'bool', np.float16: 'float16'}
rng = np.random.default_rng(16)
ort_jobs, out_types = [], {}


def case(name, node, opset, inputs, outputs, golden=None):
    """inputs: (name, array); outputs: (name, numpy type); golden: the outputs (numpy),
    else ONNX Runtime's."""
    vi = h.make_tensor_value_info
    g = h.make_graph([node], name,
                     [vi(n, onnx.mapping.NP_TYPE_TO_TENSOR_TYPE[a.dtype], a.shape)
                      for n, a in inputs],
                     [vi(n, onnx.mapping.NP_TYPE_TO_TENSOR_TYPE[np.dtype(t)], None)
                      for n, t in outputs])
    m = h.make_model(g, opset_imports=[h.make_opsetid('', opset)])
    m.ir_version = 8
    d = os.path.join(HERE, name)
    os.makedirs(os.path.join(d, 'test_data_set_0'), exist_ok=True)
    path = fixture.save(m, d)
    for i, (n, a) in enumerate(inputs):
        with open(os.path.join(d, 'test_data_set_0', 'input_%d.pb' % i), 'wb') as f:
            f.write(nh.from_array(a, n).SerializeToString())
    out_types[path] = (d, outputs)
    if golden is not None:
        write(path, [(list(a.shape), a.ravel().tolist()) for a in golden])
        return
    # JSON has no NaN or infinities: such floats go as the strings JS's Number() reads
    feeds = [(n, ORT_TYPE[a.dtype.type], list(a.shape),
              [v if not isinstance(v, float) or np.isfinite(v) else str(v).replace(
                  'inf', 'Infinity').replace('nan', 'NaN')
               for v in (a.view(np.uint16) if a.dtype == np.float16 else a).ravel().tolist()])
             for n, a in inputs]
    ort_jobs.append({'model': path, 'inputs': feeds, 'outputs': [n for n, _ in outputs]})


def write(path, results):
    d, outputs = out_types[path]
    for i, ((n, t), (dims, vals)) in enumerate(zip(outputs, results)):
        a = np.array(vals).reshape(dims)
        a = a.astype(np.uint16).view(np.float16) if t == np.float16 else a.astype(t)
        with open(os.path.join(d, 'test_data_set_0', 'output_%d.pb' % i), 'wb') as f:
            f.write(nh.from_array(a, n).SerializeToString())


F, D, I32, I64 = np.float32, np.float64, np.int32, np.int64
# NLL: 3-D input [N, C, d1], weights, ignore_index among the targets, mean
case('test_nll_3d_weight_ii_mean',
     h.make_node('NegativeLogLikelihoodLoss', ['x', 't', 'w'], ['y'], ignore_index=1),
     13, [('x', rng.standard_normal((2, 3, 4)).astype(F)),
          ('t', np.array([[0, 1, 2, 1], [2, 2, 0, 1]], I64)),
          ('w', np.array([0.5, 2.0, 1.5], F))], [('y', F)])
# NLL: int32 targets, double, no reduction, opset 12
case('test_nll_int32_target_none_double',
     h.make_node('NegativeLogLikelihoodLoss', ['x', 't'], ['y'], reduction='none'),
     12, [('x', rng.standard_normal((3, 4)).astype(D)), ('t', np.array([3, 0, 2], I32))],
     [('y', D)])
# SCE: 4-D, weights, negative ignore_index, sum, with log_prob
case('test_sce_4d_weight_negative_ii_sum_log_prob',
     h.make_node('SoftmaxCrossEntropyLoss', ['x', 't', 'w'], ['y', 'lp'], ignore_index=-1,
                 reduction='sum'),
     13, [('x', rng.standard_normal((2, 3, 2, 2)).astype(F)),
          ('t', np.array([[[0, -1], [2, 1]], [[-1, 2], [1, 0]]], I64)),
          ('w', np.array([1.0, 0.25, 3.0], F))], [('y', F), ('lp', F)])
# Det: a batch with a singular matrix (rank 2); a 1x1 matrix
case('test_det_singular_batch', h.make_node('Det', ['x'], ['y']), 11,
     [('x', np.array([[[1, 2, 3], [4, 5, 6], [7, 8, 9]], [[2, 0, 1], [1, 3, 0], [0, 1, 4]]],
                     F))], [('y', F)])
case('test_det_1x1', h.make_node('Det', ['x'], ['y']), 11, [('x', np.array([[-2.5]], F))],
     [('y', F)])
# LRN: even size (the spec sums 1 channel before c and 2 after), 3-D input (numpy: ORT
# refuses an even size, PyTorch puts the extra channel before c)
xl = rng.standard_normal((1, 5, 3)).astype(F)
sq = np.stack([(xl[:, max(0, c - 1):c + 3].astype(D) ** 2).sum(1) for c in range(5)], 1)
case('test_lrn_even_size_3d', h.make_node('LRN', ['x'], ['y'], size=4, alpha=0.01, beta=0.6,
                                          bias=1.5),
     13, [('x', xl)], [('y', F)], golden=[xl / (1.5 + 0.01 / 4 * sq) ** 0.6])
# MVN over axis 1 only, and over [2, 3] (per instance)
case('test_mvn_axes_1', h.make_node('MeanVarianceNormalization', ['x'], ['y'], axes=[1]), 13,
     [('x', rng.standard_normal((2, 3, 4)).astype(F))], [('y', F)])
case('test_mvn_axes_2_3', h.make_node('MeanVarianceNormalization', ['x'], ['y'], axes=[2, 3]),
     9, [('x', rng.standard_normal((2, 2, 3, 2)).astype(F))], [('y', F)])
# MaxUnpool 3-D without output_shape: one index per 2x2x2 window
x3 = rng.standard_normal((1, 1, 2, 2, 2)).astype(F)
i3 = np.array([((2 * a + rng.integers(2)) * 4 + 2 * b + rng.integers(2)) * 4 +
               2 * c + rng.integers(2) for a in range(2) for b in range(2) for c in range(2)],
              I64).reshape(1, 1, 2, 2, 2)
case('test_maxunpool_3d', h.make_node('MaxUnpool', ['x', 'i'], ['y'], kernel_shape=[2, 2, 2],
                                      strides=[2, 2, 2]),
     11, [('x', x3), ('i', i3)], [('y', F)])
# MaxUnpool 1-D with pads and output_shape (numpy: the reference's semantics, indices over
# the inferred [1, 2, 5], placed at the origin of [1, 2, 7])
x1 = np.array([[[1, 2, 3], [4, 5, 6]]], F)
i1 = np.array([[[1, 2, 4], [5, 7, 9]]], I64)
y1 = np.zeros(10, F)
y1[i1.ravel()] = x1.ravel()
g1 = np.zeros((1, 2, 7), F)
g1[:, :, :5] = y1.reshape(1, 2, 5)
case('test_maxunpool_1d_pads_output_shape',
     h.make_node('MaxUnpool', ['x', 'i', 's'], ['y'], kernel_shape=[2], strides=[2],
                 pads=[0, 1]),
     11, [('x', x1), ('i', i1), ('s', np.array([1, 2, 7], I64))], [('y', F)], golden=[g1])
# Shrink on int32
case('test_shrink_int32', h.make_node('Shrink', ['x'], ['y'], lambd=1.5, bias=1.0), 9,
     [('x', np.array([-4, -2, -1, 0, 1, 2, 5], I32))], [('y', I32)])
# Dropout 12, ratio input, training_mode false: y = x, mask all true
case('test_dropout_12_inference_mask', h.make_node('Dropout', ['x', 'r', 't'], ['y', 'm']), 12,
     [('x', rng.standard_normal((2, 3)).astype(F)), ('r', np.array(0.3, F)),
      ('t', np.array(False))], [('y', F), ('m', np.bool_)])
# Dropout 13 training, seed 3, ratio 0.25 (numpy: the ONNX reference's RandomState mask)
xd = rng.standard_normal((3, 5)).astype(F)
np.random.seed(3)
md = np.random.uniform(0, 1.0, xd.shape) >= np.float32(0.25)
case('test_dropout_training_seed3', h.make_node('Dropout', ['x', 'r', 't'], ['y', 'm'], seed=3),
     13, [('x', xd), ('r', np.array(0.25, F)), ('t', np.array(True))],
     [('y', F), ('m', np.bool_)],
     golden=[md * xd * np.float32(1 / (1 - np.float32(0.25))), md])
# CastLike int64 -> float16 (rounding of large values), opset 15
case('test_castlike_int64_to_float16', h.make_node('CastLike', ['x', 'like'], ['y']), 15,
     [('x', np.array([1, -3, 2049, 65504, 70000, -123456789], I64)),
      ('like', np.zeros((1,), np.float16))], [('y', np.float16)])
# Dropout 7: ratio attribute, inference, the mask in the input's type (numpy: ones, as
# the ONNX reference and Dropout 12+; ORT fills opsets 7-11's masks with 0)
x7 = rng.standard_normal((2, 2)).astype(F)
case('test_dropout_7_mask_float', h.make_node('Dropout', ['x'], ['y', 'm'], ratio=0.4), 7,
     [('x', x7)], [('y', F), ('m', F)], golden=[x7, np.ones_like(x7)])
# SCE in double without weights, ignore_index 0, mean; NLL in float16, sum
case('test_sce_double_ii0_mean',
     h.make_node('SoftmaxCrossEntropyLoss', ['x', 't'], ['y'], ignore_index=0), 12,
     [('x', rng.standard_normal((4, 3)).astype(D)), ('t', np.array([0, 2, 1, 0], I64))],
     [('y', D)])
case('test_nll_float16_sum',
     h.make_node('NegativeLogLikelihoodLoss', ['x', 't'], ['y'], reduction='sum'), 13,
     [('x', rng.standard_normal((3, 2, 2)).astype(np.float16)),
      ('t', np.array([[1, 0], [0, 0], [1, 1]], I64))], [('y', np.float16)])
# Det in double over two batch axes (numpy's LAPACK: ORT has no double Det)
xdet = rng.standard_normal((2, 3, 4, 4))
case('test_det_double_batch_2d', h.make_node('Det', ['x'], ['y']), 11, [('x', xdet)],
     [('y', D)], golden=[np.linalg.det(xdet)])
# CastLike float -> bool (NaN and -0.0 included)
case('test_castlike_float_to_bool', h.make_node('CastLike', ['x', 'like'], ['y']), 15,
     [('x', np.array([0.0, -0.0, 0.5, -2, np.nan, np.inf], F)),
      ('like', np.array([True]))], [('y', np.bool_)])

out = subprocess.run(['node', '-e', JS], input=json.dumps(ort_jobs), stdout=subprocess.PIPE,
                     text=True, check=True, cwd='/work/ortnode')
for path, results in json.loads(out.stdout).items():
    write(path, results)
