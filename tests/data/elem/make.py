#!/usr/bin/python3
"""make.py - the own test cases of the elementwise ops (tests/check_node runs every
test_* folder here): each a one-node model with its inputs, the expected outputs from
ONNX Runtime 1.30 (onnxruntime-node, through ort_run.js). Cases the ONNX 1.12 node
suite lacks: Mish, Gelu (both forms), Round ties, integer Abs/Neg/Relu at the most
negative value, Clip with one bound, variadic Max/Min/Mean/Sum with three broadcast
inputs, comparisons on integers, NaN through Max/Min.
Rerun: cd tests/data/elem && NODE_PATH=/work/ortnode/node_modules python3 make.py"""
import base64, json, os, shutil, subprocess
import numpy as np
import onnx
from onnx import helper, numpy_helper, TensorProto as TP
import sys
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import fixture  # noqa: E402 (tests/data/fixture.py)

HERE = os.path.dirname(os.path.abspath(__file__))
ORT_TYPES = {np.float32: 'float32', np.float64: 'float64', np.int8: 'int8',
             np.uint8: 'uint8', np.int16: 'int16', np.uint16: 'uint16', np.int32: 'int32',
             np.uint32: 'uint32', np.int64: 'int64', np.uint64: 'uint64', np.bool_: 'bool'}
NP_TYPES = {v: k for k, v in ORT_TYPES.items()}


def elem(a):
    return helper.np_dtype_to_tensor_dtype(a.dtype) if hasattr(helper, 'np_dtype_to_tensor_dtype') \
        else onnx.mapping.NP_TYPE_TO_TENSOR_TYPE[a.dtype]


def ort_run(model_path, feeds):
    req = {'model': model_path, 'inputs': {
        k: {'type': ORT_TYPES[v.dtype.type], 'dims': list(v.shape),
            'b64': base64.b64encode(np.ascontiguousarray(v).tobytes()).decode()}
        for k, v in feeds.items()}}
    r = subprocess.run(['node', os.path.join(HERE, 'ort_run.js')], input=json.dumps(req),
                       capture_output=True, text=True, check=True, cwd=HERE)
    out = {}
    for k, t in json.loads(r.stdout).items():
        a = np.frombuffer(base64.b64decode(t['b64']), dtype=NP_TYPES[t['type']])
        out[k] = a.reshape(t['dims'])
    return out


def case(name, op, opset, inputs, n_out=1, out_type=None, **attrs):
    """inputs: list of (name, array) or (\"\", None) for an omitted optional input."""
    d = os.path.join(HERE, 'test_' + name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(os.path.join(d, 'test_data_set_0'))
    names = [k for k, _ in inputs]
    feeds = {k: v for k, v in inputs if v is not None}
    node = helper.make_node(op, names, ['y'], **attrs)
    g_in = [helper.make_tensor_value_info(k, elem(v), list(v.shape)) for k, v in feeds.items()]
    first = next(iter(feeds.values()))
    g_out = [helper.make_tensor_value_info('y', out_type or elem(first), None)]
    g = helper.make_graph([node], name, g_in, g_out)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid('', opset)])
    m.ir_version = 8
    path = fixture.save(m, d)
    got = ort_run(path, feeds)
    for i, (k, v) in enumerate(feeds.items()):
        t = numpy_helper.from_array(v, k)
        open(os.path.join(d, 'test_data_set_0', 'input_%d.pb' % i), 'wb').write(
            t.SerializeToString())
    t = numpy_helper.from_array(got['y'], 'y')
    open(os.path.join(d, 'test_data_set_0', 'output_0.pb'), 'wb').write(t.SerializeToString())


rng = np.random.default_rng(15)
f = lambda *s: (rng.standard_normal(s) * 4).astype(np.float32)
wide = np.array([-30, -10, -3, -1, -0.5, 0, 0.5, 1, 3, 10, 30, 90], np.float32).reshape(3, 4)

case('mish', 'Mish', 18, [('x', wide)])
case('gelu', 'Gelu', 20, [('x', f(3, 5))])
case('gelu_tanh', 'Gelu', 20, [('x', f(3, 5))], approximate='tanh')
case('round_ties', 'Round', 11, [('x', np.array(
    [-3.5, -2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 3.5, 0.49999997, -0.49999997, 1e8 + 1, 2.4999998],
    np.float32))])
case('abs_int8_min', 'Abs', 13, [('x', np.array([-128, -127, -1, 0, 1, 127], np.int8))])
case('neg_int64_min', 'Neg', 13, [('x', np.array([-2**63, -1, 0, 2**63 - 1], np.int64))])
case('relu_int32', 'Relu', 14, [('x', np.array([-2**31, -5, 0, 7, 2**31 - 1], np.int32))])
case('clip_min_only', 'Clip', 13, [('x', f(3, 4)), ('min', np.array(-1.5, np.float32)),
                                   ('', None)])
case('clip_max_only_int32', 'Clip', 13, [('x', np.arange(-6, 6, dtype=np.int32)),
                                         ('', None), ('max', np.array(2, np.int32))])
case('clip_opset6_min_attr', 'Clip', 6, [('x', f(2, 5))], min=-0.5)
case('max_three_bcast', 'Max', 13, [('a', f(2, 1, 3)), ('b', f(4, 1)), ('c', f(3))])
case('min_three_bcast_int64', 'Min', 13, [
    ('a', rng.integers(-50, 50, (2, 1, 3)).astype(np.int64)),
    ('b', rng.integers(-50, 50, (4, 1)).astype(np.int64)),
    ('c', rng.integers(-50, 50, (3,)).astype(np.int64))])
case('mean_three_bcast', 'Mean', 13, [('a', f(4, 1)), ('b', f(2, 1, 3)), ('c', f(1))])
case('sum_three_bcast', 'Sum', 13, [('a', f(3)), ('b', f(2, 1)), ('c', f(2, 3))])
nan = np.array([np.nan, 1, -2, np.nan], np.float32)
case('max_nan', 'Max', 13, [('a', nan), ('b', np.array([0, np.nan, 3, 1], np.float32))])
case('min_nan', 'Min', 13, [('a', nan), ('b', np.array([0, np.nan, 3, 1], np.float32))])
case('less_int64_bcast', 'Less', 13, [
    ('a', rng.integers(-5, 5, (3, 4)).astype(np.int64)),
    ('b', rng.integers(-5, 5, (4,)).astype(np.int64))], out_type=TP.BOOL)
case('greater_equal_uint8', 'GreaterOrEqual', 16, [
    ('a', rng.integers(0, 255, (6,)).astype(np.uint8)),
    ('b', rng.integers(0, 255, (6,)).astype(np.uint8))], out_type=TP.BOOL)
case('leakyrelu_f64', 'LeakyRelu', 16, [('x', f(2, 3).astype(np.float64))], alpha=0.2)
case('hardsigmoid_attrs', 'HardSigmoid', 6, [('x', f(2, 6))], alpha=0.3, beta=0.4)
case('flatten_axis0', 'Flatten', 13, [('x', f(2, 3, 4))], axis=0)
