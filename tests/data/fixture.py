"""fixture.py - how the make.py scripts of tests/data save a case's model: save(model, folder)
writes folder/model.textproto, the form git holds (protobuf text format, as
`protoc-c --decode=onnx.ModelProto` prints it: the build's `make fixtures` encodes it back
to the same bytes), and folder/model.onnx (gitignored) for ONNX Runtime to run; returns
the model.onnx path. save_case(model, folder, inputs) also writes the inputs, (name,
array) pairs, as folder/test_data_set_0/input_<i>.pb. The schema is the one configure uses
by default (libonnx-dev)."""
import os
import subprocess
import onnx
from onnx import numpy_helper

SCHEMA_DIR = '/usr/include/onnx'


def save(model, folder):
    path = os.path.join(folder, 'model.onnx')
    onnx.save(model, path)
    with open(path, 'rb') as src, open(os.path.join(folder, 'model.textproto'), 'w') as dst:
        subprocess.run(['protoc-c', '--decode=onnx.ModelProto', '--proto_path=' + SCHEMA_DIR,
                        'onnx.proto'], stdin=src, stdout=dst, check=True)
    return path


def save_case(model, folder, inputs):
    os.makedirs(os.path.join(folder, 'test_data_set_0'), exist_ok=True)
    path = save(model, folder)
    for i, (name, a) in enumerate(inputs):
        with open(os.path.join(folder, 'test_data_set_0', 'input_%d.pb' % i), 'wb') as f:
            f.write(numpy_helper.from_array(a, name).SerializeToString())
    return path
