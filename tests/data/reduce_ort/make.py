#!/usr/bin/python3
"""Builds the node tests of tests/data/reduce_ort (ONNX test-data-set layout: one folder per
test with model.textproto (model.onnx beside it, gitignored, for ONNX Runtime) and
test_data_set_0/{input,output}_N.pb) for the cases the ONNX 1.12 node suite lacks: opset-18 axes inputs, large values, ties, non-last axes, int64, transposes.
The expected outputs come from ONNX Runtime 1.30 (onnxruntime-node, one thread), not from
gtcrn-run. Rerun from this folder: /usr/bin/python3 make.py (needs onnx and /work/ortnode)."""
import json, os, shutil, subprocess
import numpy as np
from onnx import helper, numpy_helper, TensorProto
import sys
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import fixture  # noqa: E402 (tests/data/fixture.py)

HERE = os.path.dirname(os.path.abspath(__file__))
ORT = os.environ.get("ORT_NODE", "/work/ortnode/node_modules/onnxruntime-node")
rng = np.random.default_rng(15)
NP2ONNX = {np.float32: TensorProto.FLOAT, np.float64: TensorProto.DOUBLE,
           np.int64: TensorProto.INT64, np.int32: TensorProto.INT32}

RUN_JS = r"""
const ort = require(process.argv[1]);
const req = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const T = { float32: Float32Array, float64: Float64Array, int64: BigInt64Array,
            int32: Int32Array };
(async () => {
  const s = await ort.InferenceSession.create(req.model,
                                              { intraOpNumThreads: 1, interOpNumThreads: 1 });
  const feeds = {};
  for (const i of req.inputs) {
    const d = i.dtype === 'int64' ? i.data.map(BigInt) : i.data;
    feeds[i.name] = new ort.Tensor(i.dtype, T[i.dtype].from(d), i.dims);
  }
  const r = await s.run(feeds);
  const out = s.outputNames.map(n => ({ dims: r[n].dims, type: r[n].type,
    data: Array.from(r[n].data, v => typeof v === 'bigint' ? v.toString() : v) }));
  process.stdout.write(JSON.stringify(out));
})();
"""


def case(name, op, opset, inputs, attrs=None, inits=None, out_type=None, order=None):
    """inputs: [(name, array)] fed at run time; inits: [(name, array)] constant; order:
    the node's input names (default: the inputs, then the constants)."""
    inits = inits or []
    order = order or [n for n, _ in inputs] + [n for n, _ in inits]
    node = helper.make_node(op, order, ["y"], **(attrs or {}))
    first = inputs[0][1]
    graph = helper.make_graph(
        [node], name,
        [helper.make_tensor_value_info(n, NP2ONNX[a.dtype.type], list(a.shape)) for n, a in inputs],
        [helper.make_tensor_value_info("y", out_type or NP2ONNX[first.dtype.type], None)],
        [numpy_helper.from_array(a, n) for n, a in inits])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = 8
    d = os.path.join(HERE, name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(os.path.join(d, "test_data_set_0"))
    req = {"model": fixture.save(model, d),
           "inputs": [{"name": n, "dtype": str(a.dtype), "dims": list(a.shape),
                       "data": [int(v) for v in a.flatten()] if a.dtype.kind == "i"
                       else [float(v) for v in a.flatten()]} for n, a in inputs]}
    out = json.loads(subprocess.run(["node", "-e", RUN_JS, ORT], input=json.dumps(req),
                                    capture_output=True, text=True, check=True).stdout)
    for i, (n, a) in enumerate(inputs):
        t = numpy_helper.from_array(a, n)
        open(os.path.join(d, "test_data_set_0", f"input_{i}.pb"), "wb").write(
            t.SerializeToString())
    o = out[0]
    dt = {"float32": np.float32, "float64": np.float64, "int64": np.int64,
          "int32": np.int32}[o["type"]]
    y = np.array([int(v) if dt in (np.int64, np.int32) else v for v in o["data"]],
                 dtype=dt).reshape(o["dims"])
    open(os.path.join(d, "test_data_set_0", "output_0.pb"), "wb").write(
        numpy_helper.from_array(y, "y").SerializeToString())


f32 = lambda *s: rng.standard_normal(s).astype(np.float32)
big = np.array([[1000, 1000, 999], [-1000, -1001, -1002], [88, 89, 90]], np.float32)
ties = np.array([[3, 1, 3, 2], [2, 2, 0, 2], [5, 5, 5, 5]], np.float32)

case("test_reduce_log_sum_exp_large", "ReduceLogSumExp", 13, [("x", big)],
     {"axes": [1], "keepdims": 0})
case("test_reduce_log_sum_exp_large_axes_input", "ReduceLogSumExp", 18, [("x", big)],
     inits=[("axes", np.array([0], np.int64))])
case("test_reduce_max_axes_input", "ReduceMax", 18, [("x", f32(2, 3, 4))],
     inits=[("axes", np.array([0, 2], np.int64))])
case("test_reduce_min_noop_with_empty_axes", "ReduceMin", 18, [("x", f32(2, 3))],
     {"noop_with_empty_axes": 1})
case("test_reduce_l2_axes_input_no_keepdims", "ReduceL2", 18, [("x", f32(3, 2, 5))],
     {"keepdims": 0}, inits=[("axes", np.array([-1, 0], np.int64))])
case("test_reduce_prod_int64", "ReduceProd", 13,
     [("x", rng.integers(-5, 6, (3, 4)).astype(np.int64))], {"axes": [0]})
case("test_reduce_sum_square_double_middle", "ReduceSumSquare", 13,
     [("x", rng.standard_normal((2, 3, 4)))], {"axes": [1]})
case("test_softmax_axis0", "Softmax", 13, [("x", f32(3, 4, 5) * 4)], {"axis": 0})
case("test_softmax_middle_axis_large", "Softmax", 13, [("x", f32(2, 7, 5) * 1000)],
     {"axis": 1})
case("test_log_softmax_middle_axis", "LogSoftmax", 13, [("x", f32(2, 7, 5) * 10)],
     {"axis": -2})
case("test_softmax_opset11_coerced", "Softmax", 11, [("x", f32(2, 3, 4))], {"axis": 1})
case("test_log_softmax_opset11_coerced_last", "LogSoftmax", 11, [("x", f32(2, 3, 9))],
     {"axis": 2})
case("test_hardmax_ties_axis0", "Hardmax", 13, [("x", ties)], {"axis": 0})
case("test_argmax_ties_select_last_index", "ArgMax", 13, [("x", ties)],
     {"axis": 1, "keepdims": 0, "select_last_index": 1}, out_type=TensorProto.INT64)
case("test_argmin_ties_first_axis0", "ArgMin", 13, [("x", ties)], {"axis": 0},
     out_type=TensorProto.INT64)
case("test_argmax_int64_select_last_index", "ArgMax", 13,
     [("x", np.array([[7, 9, 9], [1, 1, 0]], np.int64))],
     {"axis": -1, "select_last_index": 1}, out_type=TensorProto.INT64)
case("test_cumsum_int64_exclusive_reverse", "CumSum", 14,
     [("x", rng.integers(-100, 100, (3, 5)).astype(np.int64)), ("axis", np.array(1, np.int32))],
     {"exclusive": 1, "reverse": 1})
case("test_cumsum_double_axis0", "CumSum", 14,
     [("x", rng.standard_normal((4, 3))), ("axis", np.array([0], np.int64))])
case("test_gemm_transposes_alpha_beta_c_row", "Gemm", 13,
     [("a", f32(7, 5)), ("b", f32(9, 7)), ("c", f32(9))],
     {"transA": 1, "transB": 1, "alpha": 0.5, "beta": 2.0})
case("test_gemm_constant_b_transposed_c_column", "Gemm", 13,
     [("a", f32(6, 13)), ("c", f32(6, 1))], {"transB": 1},
     inits=[("b", f32(17, 13))], order=["a", "b", "c"])
case("test_gemm_no_c_double", "Gemm", 11,
     [("a", rng.standard_normal((3, 4))), ("b", rng.standard_normal((4, 5)))])
