"""fixture.py - how the make.py scripts of tests/data save a case's model: save(model, folder)
writes folder/model.textproto, the form git holds (protobuf text format, as
`protoc-c --decode=onnx.ModelProto` prints it: the build's `make fixtures` encodes it back
to the same bytes), and folder/model.onnx (gitignored) for ONNX Runtime to run; returns
the model.onnx path. The schema is the one configure uses by default (libonnx-dev)."""
import os
import subprocess
import onnx

SCHEMA_DIR = '/usr/include/onnx'


def save(model, folder):
    path = os.path.join(folder, 'model.onnx')
    onnx.save(model, path)
    with open(path, 'rb') as src, open(os.path.join(folder, 'model.textproto'), 'w') as dst:
        subprocess.run(['protoc-c', '--decode=onnx.ModelProto', '--proto_path=' + SCHEMA_DIR,
                        'onnx.proto'], stdin=src, stdout=dst, check=True)
    return path
