#!/usr/bin/python3
"""Makes this folder: ../shared/models/gtcrn_offline_op17.onnx converted to float16
the way onnxconverter-common's convert_float_to_float16 (keep_io_types=False) does
(float initializers, Constant and ConstantOfShape values, Cast(to=FLOAT), graph
inputs, outputs and value_info become float16), with the node names dropped to keep
model.onnx under 300 KB; test_data_set_0 is the 8-frame set of the shared goldens
(gtcrn_offline_op17/test_data_set_1) rounded to float16 as input, and ONNX Runtime
1.30's float16 output (ort.js) as expected output.
Run from this folder: /usr/bin/python3 make.py [SHARED_DIR] (default ../../../../shared);
needs onnx and numpy, and node with onnxruntime-node (NODE_PATH=/work/ortnode/node_modules)."""
import os
import subprocess
import sys
import numpy as np
import onnx
from onnx import TensorProto, numpy_helper


def to_float16(t):
    if t.data_type != TensorProto.FLOAT:
        return t
    return numpy_helper.from_array(numpy_helper.to_array(t).astype(np.float16), t.name)


def convert(m):
    g = m.graph
    for i, t in enumerate(g.initializer):
        g.initializer[i].CopyFrom(to_float16(t))
    for node in g.node:
        node.name = ''
        for a in node.attribute:
            if a.type == onnx.AttributeProto.TENSOR:
                a.t.CopyFrom(to_float16(a.t))
            if node.op_type == 'Cast' and a.name == 'to' and a.i == TensorProto.FLOAT:
                a.i = TensorProto.FLOAT16
    for vi in list(g.input) + list(g.output) + list(g.value_info):
        if vi.type.tensor_type.elem_type == TensorProto.FLOAT:
            vi.type.tensor_type.elem_type = TensorProto.FLOAT16
    return m


def main():
    shared = sys.argv[1] if len(sys.argv) > 1 else '../../../../shared'
    m = convert(onnx.load(os.path.join(shared, 'models/gtcrn_offline_op17.onnx')))
    onnx.checker.check_model(m, full_check=True)
    onnx.save(m, 'model.onnx')
    src = os.path.join(shared, 'testdata/gtcrn_offline_op17/test_data_set_1/input_0.pb')
    x = numpy_helper.to_array(onnx.load_tensor(src)).astype(np.float16)
    os.makedirs('test_data_set_0', exist_ok=True)
    with open('test_data_set_0/input_0.pb', 'wb') as f:
        f.write(numpy_helper.from_array(x, 'spec').SerializeToString())
    x.tofile('in.f16')
    subprocess.run(['node', 'ort.js', 'model.onnx', 'in.f16', str(x.shape[2]), 'out.f16'],
                   check=True)
    y = np.fromfile('out.f16', dtype=np.float16).reshape(x.shape)
    with open('test_data_set_0/output_0.pb', 'wb') as f:
        f.write(numpy_helper.from_array(y, 'enh').SerializeToString())
    os.remove('in.f16')
    os.remove('out.f16')


main()
