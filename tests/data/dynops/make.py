#!/usr/bin/python3
# make.py - the dynops test cases (operators with data-dependent output shapes, and
# TfIdfVectorizer over integers):
# builds each model and its inputs here, runs them through ONNX Runtime 1.30
# (onnxruntime-node in /work/ortnode, make.js) and writes the outputs as
# goldens, in ONNX test-data-set layout (<case>/model.textproto, test_data_set_0/;
# model.onnx beside it, gitignored, for make.js).
# Run: cd tests/data/dynops && /usr/bin/python3 make.py
import json, os, subprocess
import numpy as np
import onnx
from onnx import helper as h, numpy_helper as nh, TensorProto as T
import sys
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import fixture  # noqa: E402 (tests/data/fixture.py)

HERE = os.path.dirname(os.path.abspath(__file__))
V = h.make_tensor_value_info
ORT_TYPE = {np.float32: "float32", np.int32: "int32", np.int64: "int64", np.bool_: "bool",
            np.float64: "float64", np.uint8: "uint8", np.int8: "int8"}


def case(name, nodes, inputs, outputs, opset, inits=()):
    """inputs: (name, array) in order; outputs: (name, onnx type)."""
    g = h.make_graph(nodes, name,
                     [V(n, onnx.mapping.NP_TYPE_TO_TENSOR_TYPE[a.dtype], a.shape) for n, a in inputs],
                     [V(n, t, None) for n, t in outputs], initializer=list(inits))
    m = h.make_model(g, opset_imports=[h.make_opsetid("", opset)])
    m.ir_version = 7
    fixture.save_case(m, os.path.join(HERE, name), inputs)
    return {"name": name, "inputs": [[n, ORT_TYPE[a.dtype.type], list(a.shape),
                                      a.ravel().tolist()] for n, a in inputs],
            "outputs": [n for n, _ in outputs]}


def write_outputs(res):
    np_of = {"float32": np.float32, "float64": np.float64, "int64": np.int64,
             "int32": np.int32, "bool": np.bool_, "uint8": np.uint8, "int8": np.int8}
    for c in res:
        for i, (n, t, dims, vals) in enumerate(c["outputs"]):
            a = np.array([float(v) if t.startswith("float") else int(v) for v in vals],
                         dtype=np_of[t]).reshape(dims)
            p = os.path.join(HERE, c["name"], "test_data_set_0", "output_%d.pb" % i)
            with open(p, "wb") as f:
                f.write(nh.from_array(a, n).SerializeToString())


F, I64, I32, B = np.float32, np.int64, np.int32, np.bool_
cases = []
# TopK with k computed from a value known only at run time (k = kin - 1)
cases.append(case("test_topk_computed_k", [
    h.make_node("Sub", ["kin", "one"], ["k"]),
    h.make_node("TopK", ["x", "k"], ["values", "indices"], axis=-2, largest=0)],
    [("x", np.array([[3, 1, 2], [1, 1, 5], [0, 7, 2], [3, 1, 2]], I32)),
     ("kin", np.array([4], I64))],
    [("values", T.INT32), ("indices", T.INT64)], 11,
    [nh.from_array(np.array([1], I64), "one")]))
# ties: the lower index first; opset 1 with k as an attribute
cases.append(case("test_topk_ties_v1", [h.make_node("TopK", ["x"], ["values", "indices"], k=3)],
    [("x", np.array([[1, 4, 4, 2, 4], [0, -1, 0, -1, 0.5]], F))],
    [("values", T.FLOAT), ("indices", T.INT64)], 1))
cases.append(case("test_topk_int64_axis0", [h.make_node("TopK", ["x", "k"], ["values", "indices"],
                                                  axis=0)],
    [("x", np.array([[2**40 + 1, 5], [2**40, 5], [2**40 + 1, 6]], I64)),
     ("k", np.array([2], I64))],
    [("values", T.INT64), ("indices", T.INT64)], 13))
cases.append(case("test_nonzero_all_zero", [h.make_node("NonZero", ["x"], ["y"])],
    [("x", np.zeros((2, 3), F))], [("y", T.INT64)], 13))
cases.append(case("test_nonzero_empty", [h.make_node("NonZero", ["x"], ["y"])],
    [("x", np.zeros((0, 3), F))], [("y", T.INT64)], 13))
cases.append(case("test_nonzero_int32_3d", [h.make_node("NonZero", ["x"], ["y"])],
    [("x", np.array([[[0, 3], [-1, 0]], [[0, 0], [7, 8]]], I32))], [("y", T.INT64)], 9))
cases.append(case("test_compress_all_false", [h.make_node("Compress", ["x", "c"], ["y"], axis=0)],
    [("x", np.arange(6, dtype=F).reshape(2, 3)), ("c", np.array([False, False], B))],
    [("y", T.FLOAT)], 11))
cases.append(case("test_compress_short_condition", [h.make_node("Compress", ["x", "c"], ["y"],
                                                           axis=-1)],
    [("x", np.arange(8, dtype=I64).reshape(2, 4)), ("c", np.array([True, False, True], B))],
    [("y", T.INT64)], 11))
cases.append(case("test_unique_axis_3d", [h.make_node("Unique", ["x"], ["y", "indices",
                                                 "inverse_indices", "counts"], axis=1)],
    [("x", np.array([[[1, 2], [0, 0], [1, 2], [0, 1]],
                     [[3, 4], [5, 5], [3, 4], [5, 5]]], F))],
    [("y", T.FLOAT), ("indices", T.INT64), ("inverse_indices", T.INT64), ("counts", T.INT64)],
    11))
cases.append(case("test_unique_axis_3d_unsorted", [h.make_node("Unique", ["x"], ["y", "indices",
                                                          "inverse_indices", "counts"],
                                                          axis=-1, sorted=0)],
    [("x", np.array([[[2, 1, 2], [0, 1, 0]], [[3, 4, 3], [5, 5, 5]]], I64))],
    [("y", T.INT64), ("indices", T.INT64), ("inverse_indices", T.INT64), ("counts", T.INT64)],
    11))
cases.append(case("test_unique_int8_unsorted", [h.make_node("Unique", ["x"], ["y", "indices",
                                                        "inverse_indices", "counts"],
                                                        sorted=0)],
    [("x", np.array([[4, -2, 4], [7, -2, 0]], np.int8))],
    [("y", T.INT8), ("indices", T.INT64), ("inverse_indices", T.INT64), ("counts", T.INT64)],
    11))

# NonMaxSuppression: a zero-area box, equal scores, a score equal to the threshold
nms_boxes = np.array([[[0, 0, 1, 1], [0, 0.1, 1, 1.1], [0.5, 0.5, 0.5, 2], [1, 5, 0, 4],
                       [0, 2, 1, 3], [0, 2.05, 1, 3.05]]], F)
cases.append(case("test_nms_zero_area_ties", [h.make_node("NonMaxSuppression",
                                                         ["boxes", "scores", "max", "iou", "thr"],
                                                         ["selected"])],
    [("boxes", nms_boxes), ("scores", np.array([[[0.9, 0.9, 0.95, 0.3, 0.5, 0.6]]], F)),
     ("max", np.array([4], I64)), ("iou", np.array([0.5], F)), ("thr", np.array([0.3], F))],
    [("selected", T.INT64)], 11))
# centre format, two batches and two classes, the limit per class reached
cases.append(case("test_nms_center_batches", [h.make_node("NonMaxSuppression",
                                                         ["boxes", "scores", "max", "iou"],
                                                         ["selected"], center_point_box=1)],
    [("boxes", np.array([[[0.5, 0.5, 1, 1], [0.6, 0.5, 1, 1], [3, 3, 2, 2], [3.2, 3, 2, 2]],
                         [[0, 0, 1, 2], [0, 0.2, 1, 2], [5, 5, 1, 1], [9, 9, 1, 1]]], F)),
     ("scores", np.array([[[0.1, 0.2, 0.3, 0.4], [0.8, 0.7, 0.6, 0.5]],
                          [[0.5, 0.6, 0.1, 0.2], [0.0, 0.9, 0.9, 0.4]]], F)),
     ("max", np.array([2], I64)), ("iou", np.array([0.3], F))],
    [("selected", T.INT64)], 11))
# no max_output_boxes_per_class: nothing selected
cases.append(case("test_nms_no_max", [h.make_node("NonMaxSuppression", ["boxes", "scores"],
                                                  ["selected"])],
    [("boxes", nms_boxes), ("scores", np.array([[[0.9, 0.9, 0.95, 0.3, 0.5, 0.6]]], F))],
    [("selected", T.INT64)], 11))

# TfIdfVectorizer over integers, what the suite (mode TF only) lacks: IDF and TFIDF
# with weights, int64 input, 1-D input, 3-grams with skips, 1-grams beside 2-grams
tf_pool = dict(pool_int64s=[2, 3, 5, 4, 5, 6, 7, 8, 6, 7, 2, 3, 4, 5, 6],
               ngram_counts=[0, 4, 12], ngram_indexes=[3, 0, 1, 2, 7, 6, 5, 4, 8])
tf_x = np.array([[1, 1, 3, 3, 3, 7, 8, 6, 7, 5, 6, 8, 4],
                 [2, 3, 5, 4, 5, 6, 7, 8, 6, 7, 2, 3, 4]], I64)
for mode, skip in (("IDF", 1), ("TFIDF", 2), ("TF", 3)):
    cases.append(case("test_tfidf_%s_skip%d" % (mode.lower(), skip),
                      [h.make_node("TfIdfVectorizer", ["x"], ["y"], mode=mode, min_gram_length=1,
                                   max_gram_length=3, max_skip_count=skip,
                                   weights=[0.5 + 0.25 * i for i in range(9)], **tf_pool)],
                      [("x", tf_x)], [("y", T.FLOAT)], 9))
cases.append(case("test_tfidf_1d_int32_bigrams", [h.make_node(
    "TfIdfVectorizer", ["x"], ["y"], mode="TF", min_gram_length=2, max_gram_length=2,
    max_skip_count=1, **tf_pool)], [("x", tf_x[1].astype(I32))], [("y", T.FLOAT)], 9))

out = subprocess.run(["node", os.path.join(HERE, "make.js")], input=json.dumps(cases),
                     stdout=subprocess.PIPE, text=True, check=True, cwd="/work/ortnode")
write_outputs(json.loads(out.stdout))
