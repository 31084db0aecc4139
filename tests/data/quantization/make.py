#!/usr/bin/python3
# make.py - the quantized operators' own cases (ops/quantization/), where the ONNX 1.12
# node suite is thin: QuantizeLinear / DequantizeLinear per axis 0, 1 and -1, int8 and uint8, zero
# points and none, ties for the rounding, saturation at both ends, int32 into
# DequantizeLinear; DynamicQuantizeLinear on odd sizes; MatMulInteger and QLinearMatMul
# with batches, per-column zero points and scales, odd sizes (the kernels' tails);
# ConvInteger and QLinearConv with groups, strides, pads, dilations, auto_pad, 1-D and
# 3-D, per-channel weight scales and bias; weights as initializers (packed at plan
# time) and as inputs. The models are built here, run through ONNX
# Runtime 1.30 (onnxruntime-node in /work/ortnode, ../dynops/make.js) and their outputs
# written as goldens (ONNX test-data-set layout: <case>/model.textproto,
# test_data_set_0/). Run: cd tests/data/quantization && /usr/bin/python3 make.py
import json, os, subprocess, sys
import numpy as np
import onnx
from onnx import helper as h, numpy_helper as nh
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import fixture  # noqa: E402 (tests/data/fixture.py)

F, I8, U8, I32, F16 = np.float32, np.int8, np.uint8, np.int32, np.float16
TYPE = onnx.mapping.NP_TYPE_TO_TENSOR_TYPE
ORT = {F: "float32", I8: "int8", U8: "uint8", I32: "int32", F16: "float16"}
NP = {"float32": F, "int8": I8, "uint8": U8, "int32": I32}
OUT_TYPES = {"DequantizeLinear": [F], "DynamicQuantizeLinear": [U8, F, U8],
             "MatMulInteger": [I32], "ConvInteger": [I32]}
rng = np.random.default_rng(1616)
cases = []


def case(name, op, inputs, outputs, opset, consts=(), **attrs):
    """inputs: (name, array) in the op's order, '' for an omitted one; outputs: names, of
    the op's output types (OUT_TYPES, else that of the input named z, else uint8);
    consts: the names of inputs that are initializers (weights packed at plan time)."""
    z = dict(inputs).get("zy", dict(inputs).get("z"))
    kinds = attrs.pop("OUT", None) or OUT_TYPES.get(op) or [z.dtype if z is not None else U8]
    node = h.make_node(op, [n for n, _ in inputs], list(outputs), **attrs)
    feeds = [(n, a) for n, a in inputs if n and n not in consts]
    inits = [nh.from_array(a, n) for n, a in inputs if n in consts]
    g = h.make_graph([node], name, [h.make_tensor_value_info(n, TYPE[a.dtype], a.shape)
                                    for n, a in feeds],
                     [h.make_tensor_value_info(o, TYPE[np.dtype(t)], None)
                      for o, t in zip(outputs, kinds)], initializer=inits)
    m = h.make_model(g, opset_imports=[h.make_opsetid("", opset)])
    m.ir_version = 7
    fixture.save_case(m, os.path.join(HERE, name), feeds)
    cases.append({"name": name, "dir": HERE, "outputs": list(outputs),
                  "inputs": [[n, ORT[a.dtype.type], list(a.shape),
                              (a.view(np.uint16) if a.dtype == F16 else a).ravel().tolist()]
                             for n, a in feeds]})


def ints(dt, shape, lo=None, hi=None):
    info = np.iinfo(dt)
    return rng.integers(info.min if lo is None else lo, (info.max if hi is None else hi) + 1,
                        size=shape).astype(dt)


def ties(shape, scale):
    """x / scale lands on k + 0.5 for half of the values (ties), far out for some
    (saturation at both ends)."""
    k = rng.integers(-300, 300, size=shape).astype(F)
    half = rng.integers(0, 2, size=shape).astype(F) * 0.5
    return ((k + half) * np.asarray(scale, F)).astype(F)


def s(v):
    return np.array(v, F)


# QuantizeLinear / DequantizeLinear
sc3 = s([0.5, 0.25, 2.0])
case("test_quantizelinear_axis0_int8", "QuantizeLinear",
     [("x", ties((3, 4), sc3[:, None])), ("s", sc3), ("z", np.array([0, -3, 7], I8))],
     ["y"], 13, axis=0)
case("test_quantizelinear_axis1_uint8", "QuantizeLinear",
     [("x", ties((2, 3, 5), sc3[:, None])), ("s", sc3), ("z", np.array([128, 0, 255], U8))],
     ["y"], 13)
case("test_quantizelinear_axis_last_int8", "QuantizeLinear",
     [("x", ties((2, 3), sc3)), ("s", sc3), ("z", np.array([1, 0, -1], I8))],
     ["y"], 13, axis=-1)
case("test_quantizelinear_no_zero_point", "QuantizeLinear",
     [("x", ties((37,), 0.5)), ("s", s(0.5))], ["y"], 10)
case("test_quantizelinear_int8_scalar", "QuantizeLinear",
     [("x", ties((4, 9), 0.125)), ("s", s(0.125)), ("z", np.array(-5, I8))], ["y"], 13)
case("test_dequantizelinear_axis0_int8", "DequantizeLinear",
     [("x", ints(I8, (3, 5))), ("s", sc3), ("z", np.array([0, -128, 127], I8))], ["y"], 13,
     axis=0)
case("test_dequantizelinear_axis1_uint8", "DequantizeLinear",
     [("x", ints(U8, (2, 3, 4))), ("s", sc3), ("z", np.array([0, 255, 9], U8))], ["y"], 13)
case("test_dequantizelinear_int32", "DequantizeLinear",
     [("x", np.array([-2 ** 31, -7, 0, 5, 2 ** 31 - 1, 123456789], I32)), ("s", s(0.375))],
     ["y"], 13)
case("test_dequantizelinear_uint8_no_zero_point", "DequantizeLinear",
     [("x", ints(U8, (17,))), ("s", s(0.03))], ["y"], 10)
case("test_dynamicquantizelinear_odd", "DynamicQuantizeLinear",
     [("x", (rng.standard_normal(37) * 3).astype(F))], ["y", "y_scale", "y_zero_point"], 11)
case("test_dynamicquantizelinear_positive", "DynamicQuantizeLinear",
     [("x", (rng.random((3, 7)) * 5 + 1).astype(F))], ["y", "y_scale", "y_zero_point"], 11)

# MatMulInteger / QLinearMatMul: odd k (the kernels' k padding), n past a block of 4
case("test_matmulinteger_u8s8_batched", "MatMulInteger",
     [("a", ints(U8, (2, 5, 37))), ("b", ints(I8, (37, 7))), ("za", np.array(131, U8)),
      ("zb", ints(I8, (7,)))], ["y"], 10)
case("test_matmulinteger_u8u8_broadcast", "MatMulInteger",
     [("a", ints(U8, (3, 1, 4, 19))), ("b", ints(U8, (2, 19, 5))), ("za", np.array(7, U8)),
      ("zb", np.array(250, U8))], ["y"], 10)
case("test_matmulinteger_s8s8_no_zero_points", "MatMulInteger",
     [("a", ints(I8, (6, 33))), ("b", ints(I8, (33, 9)))], ["y"], 10)
case("test_qlinearmatmul_u8_per_column", "QLinearMatMul",
     [("a", ints(U8, (2, 3, 21))), ("sa", s(0.02)), ("za", np.array(120, U8)),
      ("b", ints(U8, (21, 6))), ("sb", (rng.random(6) * 0.02 + 0.005).astype(F)),
      ("zb", ints(U8, (6,))), ("sy", s(0.7)), ("zy", np.array(100, U8))], ["y"], 10)
case("test_qlinearmatmul_s8_saturate", "QLinearMatMul",
     [("a", ints(I8, (5, 18))), ("sa", s(0.05)), ("za", np.array(3, I8)),
      ("b", ints(I8, (18, 11))), ("sb", s(0.04)), ("zb", np.array(-2, I8)),
      ("sy", s(0.3)), ("zy", np.array(-10, I8))], ["y"], 10)

# ConvInteger / QLinearConv
case("test_convinteger_groups_stride_pads", "ConvInteger",
     [("x", ints(U8, (2, 4, 7, 9))), ("w", ints(U8, (6, 2, 3, 3))), ("zx", np.array(77, U8)),
      ("zw", np.array(130, U8))], ["y"], 10, group=2, strides=[2, 1], pads=[1, 0, 2, 1])
case("test_convinteger_1d_dilations", "ConvInteger",
     [("x", ints(U8, (1, 3, 23))), ("w", ints(U8, (5, 3, 4))), ("zx", np.array(10, U8))],
     ["y"], 10, dilations=[2], pads=[3, 2])
case("test_convinteger_1d_same_upper", "ConvInteger",
     [("x", ints(U8, (1, 3, 23))), ("w", ints(U8, (5, 3, 4))), ("zx", np.array(10, U8))],
     ["y"], 10, strides=[2], auto_pad="SAME_UPPER")
case("test_qlinearconv_groups_stride_per_channel", "QLinearConv",
     [("x", ints(U8, (1, 4, 9, 11))), ("sx", s(0.03)), ("zx", np.array(128, U8)),
      ("w", ints(I8, (6, 2, 3, 3))), ("sw", (rng.random(6) * 0.02 + 0.01).astype(F)),
      ("zw", np.zeros(6, I8)), ("sy", s(0.05)), ("zy", np.array(120, U8)),
      ("b", ints(I32, (6,), -3000, 3000))], ["y"], 10, group=2, strides=[2, 2],
     pads=[1, 1, 1, 1])
case("test_qlinearconv_int8_1d_same_lower", "QLinearConv",
     [("x", ints(I8, (2, 3, 19))), ("sx", s(0.05)), ("zx", np.array(-4, I8)),
      ("w", ints(I8, (5, 3, 4))), ("sw", s(0.01)), ("zw", np.array(0, I8)),
      ("sy", s(0.02)), ("zy", np.array(3, I8))], ["y"], 10, strides=[2],
     auto_pad="SAME_LOWER")
case("test_qlinearconv_depthwise_3d", "QLinearConv",
     [("x", ints(U8, (1, 3, 4, 5, 6))), ("sx", s(0.1)), ("zx", np.array(5, U8)),
      ("w", ints(U8, (3, 1, 2, 3, 3))), ("sw", s(0.01)), ("zw", np.array(100, U8)),
      ("sy", s(0.25)), ("zy", np.array(200, U8)), ("b", ints(I32, (3,), -500, 500))],
     ["y"], 10, group=3, pads=[1, 1, 1, 0, 1, 1])
case("test_qlinearconv_wide_channels", "QLinearConv",
     [("x", ints(U8, (1, 17, 6, 7))), ("sx", s(0.02)), ("zx", np.array(60, U8)),
      ("w", ints(I8, (9, 17, 3, 3))), ("sw", (rng.random(9) * 0.004 + 0.001).astype(F)),
      ("zw", np.zeros(9, I8)), ("sy", s(0.2)), ("zy", np.array(128, U8))], ["y"], 10,
     pads=[1, 1, 1, 1])

case("test_matmulinteger_const_b", "MatMulInteger",
     [("a", ints(U8, (3, 2, 23))), ("b", ints(I8, (23, 6))), ("za", np.array(90, U8)),
      ("zb", ints(I8, (6,)))], ["y"], 10, consts=("b", "zb"))
case("test_qlinearmatmul_const_b", "QLinearMatMul",
     [("a", ints(U8, (4, 30))), ("sa", s(0.02)), ("za", np.array(120, U8)),
      ("b", ints(U8, (30, 5))), ("sb", s(0.01)), ("zb", np.array(131, U8)),
      ("sy", s(0.4)), ("zy", np.array(128, U8))], ["y"], 10, consts=("b", "zb"))
case("test_convinteger_const_w", "ConvInteger",
     [("x", ints(U8, (1, 3, 6, 5))), ("w", ints(U8, (4, 3, 2, 2))), ("zx", np.array(3, U8)),
      ("zw", np.array(128, U8))], ["y"], 10, consts=("w", "zw"), pads=[1, 0, 0, 1])
case("test_qlinearconv_const_w_per_channel", "QLinearConv",
     [("x", ints(U8, (2, 6, 5, 7))), ("sx", s(0.04)), ("zx", np.array(100, U8)),
      ("w", ints(I8, (8, 3, 3, 3))), ("sw", (rng.random(8) * 0.01 + 0.002).astype(F)),
      ("zw", np.zeros(8, I8)), ("sy", s(0.15)), ("zy", np.array(110, U8)),
      ("b", ints(I32, (8,), -2000, 2000))], ["y"], 10,
     consts=("w", "sw", "zw", "b"), group=2, strides=[1, 2], pads=[1, 1, 1, 1])
# opset 19: float16 scales, x and y
sc16 = np.array([0.5, 0.25, 2.0], F16)
case("test_quantizelinear_19_float16_axis0", "QuantizeLinear",
     [("x", ties((3, 4), sc16[:, None].astype(F)).astype(F16)), ("s", sc16),
      ("z", np.array([0, -3, 7], I8))], ["y"], 19, axis=0)
case("test_dequantizelinear_19_float16", "DequantizeLinear",
     [("x", ints(U8, (2, 3, 5))), ("s", np.array([0.1, 0.003, 7.5], F16)),
      ("z", np.array([128, 0, 255], U8))], ["y"], 19, OUT=[F16])

out = subprocess.run(["node", os.path.join(HERE, "..", "dynops", "make.js")],
                     input=json.dumps(cases), stdout=subprocess.PIPE, text=True, check=True,
                     cwd="/work/ortnode")
for c in json.loads(out.stdout):
    for i, (n, t, dims, vals) in enumerate(c["outputs"]):
        if t == "float16":      # the bits
            a = np.array([int(v) for v in vals], np.uint16).view(F16).reshape(dims)
        else:
            a = np.array([float(v) if t.startswith("float") else int(v) for v in vals],
                         dtype=NP[t]).reshape(dims)
        with open(os.path.join(HERE, c["name"], "test_data_set_0", "output_%d.pb" % i),
                  "wb") as f:
            f.write(nh.from_array(a, n).SerializeToString())
