#!/usr/bin/python3
# make.py - the LSTM and RNN cases the ONNX node suite lacks (reverse, bidirectional,
# sequence_lens, layout 1, clip, peepholes, input_forget, every activation, constant
# weights, double and float16), in ONNX test-data-set layout. Goldens from ONNX Runtime
# 1.30 (onnxruntime-node, /work/ortnode) through run_ort.js, on the float form of each
# model (the inputs rounded to the case's type first; ORT's CPU LSTM/RNN are float).
# Run from this folder: /usr/bin/python3 make.py (onnx 1.12, numpy).
import json, os, shutil, subprocess, tempfile
import numpy as np
import onnx
from onnx import helper, numpy_helper, TensorProto
import sys
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import fixture  # noqa: E402 (tests/data/fixture.py)

HERE = os.path.dirname(os.path.abspath(__file__))
NODE_PATH = '/work/ortnode/node_modules'
TYPES = {'float': (np.float32, TensorProto.FLOAT), 'double': (np.float64, TensorProto.DOUBLE),
         'float16': (np.float16, TensorProto.FLOAT16)}

# name, op, opset, attributes, (seq, batch, input, hidden), options
CASES = [
    ('lstm_reverse', 'LSTM', 14, dict(direction='reverse'), (5, 2, 3, 4), 'B h0 c0'),
    ('lstm_bidirectional', 'LSTM', 14, dict(direction='bidirectional'), (4, 3, 5, 6),
     'B h0 c0 P'),
    ('lstm_seq_lens', 'LSTM', 14, dict(direction='bidirectional'), (5, 3, 2, 4),
     'B h0 c0 lens'),
    ('lstm_layout1', 'LSTM', 14, dict(direction='bidirectional', layout=1), (4, 3, 3, 5),
     'B h0 c0 P lens'),
    ('lstm_clip', 'LSTM', 14, dict(clip=0.7), (6, 2, 3, 4), 'B h0 c0 scale3'),
    ('lstm_input_forget', 'LSTM', 7, dict(input_forget=1, direction='bidirectional'),
     (5, 2, 3, 4), 'B h0 c0 P'),
    ('lstm_activations', 'LSTM', 14, dict(
        direction='bidirectional',
        activations=['HardSigmoid', 'LeakyRelu', 'Softsign', 'Affine', 'ScaledTanh', 'Elu'],
        activation_alpha=[0.3, 0.05, 0.8, 1.2, 0.9], activation_beta=[0.4, 0.1, 0.7]),
     (4, 2, 3, 4), 'B h0 c0'),
    ('lstm_activations2', 'LSTM', 14, dict(
        activations=['Sigmoid', 'Relu', 'ThresholdedRelu'], activation_alpha=[0.1]),
     (4, 2, 3, 4), 'B h0 c0'),
    ('lstm_activations3', 'LSTM', 14, dict(activations=['Sigmoid', 'Softplus', 'Tanh']),
     (4, 2, 3, 4), 'B'),
    ('lstm_const_weights', 'LSTM', 14, dict(direction='bidirectional'), (3, 2, 8, 16),
     'B h0 c0 P const'),
    ('lstm_opset1', 'LSTM', 1, dict(), (3, 2, 3, 4), 'B'),
    ('lstm_double', 'LSTM', 14, dict(direction='bidirectional'), (4, 2, 3, 4),
     'B h0 c0 P lens double'),
    ('lstm_float16', 'LSTM', 14, dict(direction='reverse'), (3, 2, 3, 4),
     'B h0 c0 float16'),
    ('lstm_y_only', 'LSTM', 14, dict(), (3, 1, 3, 4), 'B noyh noyc'),
    # a batch of one (rnn_gemv), hidden sizes around its 64 and 8 column blocks
    ('lstm_batch1', 'LSTM', 14, dict(), (3, 1, 20, 19), 'B h0 c0 P const'),
    ('lstm_batch1_seq1', 'LSTM', 14, dict(direction='bidirectional'), (1, 1, 9, 32),
     'B h0 c0 const'),
    ('rnn_batch1', 'RNN', 14, dict(), (2, 1, 7, 70), 'B h0 const'),
    ('rnn_bidirectional', 'RNN', 14, dict(direction='bidirectional'), (4, 3, 3, 5), 'B h0'),
    ('rnn_reverse_layout1', 'RNN', 14, dict(direction='reverse', layout=1), (5, 3, 2, 4),
     'B h0 lens'),
    ('rnn_activations', 'RNN', 14, dict(direction='bidirectional', clip=0.9,
                                        activations=['Relu', 'HardSigmoid'],
                                        activation_alpha=[0.3], activation_beta=[0.6]),
     (4, 2, 3, 4), 'B h0 scale3'),
    ('rnn_const_double', 'RNN', 7, dict(), (4, 2, 3, 8), 'B h0 const double'),
]


def tensor_pb(name, a):
    return numpy_helper.from_array(a, name)


def build(op, opset, attrs, dims, opts, elem, with_values):
    """The model (values: name -> array, float32) with element type elem."""
    seq, batch, inp, hid = dims
    dirs = 2 if attrs.get('direction') == 'bidirectional' else 1
    gates = 4 if op == 'LSTM' else 1
    layout = attrs.get('layout', 0)
    state = [batch, dirs, hid] if layout else [dirs, batch, hid]
    names = ['X', 'W', 'R', 'B', 'sequence_lens', 'initial_h', 'initial_c', 'P']
    shapes = {'X': [batch, seq, inp] if layout else [seq, batch, inp],
              'W': [dirs, gates * hid, inp], 'R': [dirs, gates * hid, hid],
              'B': [dirs, 2 * gates * hid], 'sequence_lens': [batch],
              'initial_h': state, 'initial_c': state, 'P': [dirs, 3 * hid]}
    flags = {'B': 'B', 'sequence_lens': 'lens', 'initial_h': 'h0', 'initial_c': 'c0', 'P': 'P'}
    n_in = 8 if op == 'LSTM' else 6
    used = [n for n in names[:n_in] if n in ('X', 'W', 'R') or flags[n] in opts.split()]
    ins = [n if n in used else '' for n in names[:n_in]]
    while ins[-1] == '':
        ins.pop()
    outs = ['Y', 'Y_h', 'Y_c'][:3 if op == 'LSTM' else 2]
    if 'noyh' in opts:
        outs[1] = ''
    if 'noyc' in opts:
        outs[2] = ''
    const = 'const' in opts
    inits = [tensor_pb(n, with_values[n].astype(elem[0])) for n in ('W', 'R', 'B', 'P')
             if const and n in used]
    init_names = {t.name for t in inits}
    g_in = [helper.make_tensor_value_info(n, TensorProto.INT32 if n == 'sequence_lens'
                                          else elem[1], shapes[n])
            for n in used if n not in init_names]
    out_dims = {'Y': [batch, seq, dirs, hid] if layout else [seq, dirs, batch, hid],
                'Y_h': state, 'Y_c': state}
    g_out = [helper.make_tensor_value_info(n, elem[1], out_dims[n]) for n in outs if n]
    node = helper.make_node(op, ins, outs, hidden_size=hid, **attrs)
    graph = helper.make_graph([node], 'g', g_in, g_out, initializer=inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', opset)],
                              producer_name='lstm_extra/make.py')
    model.ir_version = 7
    onnx.checker.check_model(model)
    return model, [n for n in used if n not in init_names], [n for n in outs if n], shapes


def values(name, dims, opts, dtype, shapes):
    rng = np.random.default_rng(sum(map(ord, name)))
    seq, batch = dims[0], dims[1]
    scale = 3.0 if 'scale3' in opts else 1.0
    v = {}
    for n, s in shapes.items():
        if n == 'sequence_lens':
            lens = rng.integers(1, seq + 1, size=batch).astype(np.int32)
            lens[0] = seq
            v[n] = lens
        else:
            a = rng.uniform(-1, 1, size=s) * (scale if n in ('W', 'R', 'X') else 1.0)
            # rounded to the case's type, then float: both models see the same values
            v[n] = a.astype(dtype).astype(np.float32)
    return v


def ort(model, inputs, vals):
    with tempfile.TemporaryDirectory() as d:
        onnx.save(model, os.path.join(d, 'm.onnx'))
        feeds = {n: {'type': 'int32' if n == 'sequence_lens' else 'float32',
                     'dims': list(vals[n].shape), 'data': vals[n].ravel().tolist()}
                 for n in inputs}
        with open(os.path.join(d, 'in.json'), 'w') as f:
            json.dump(feeds, f)
        env = dict(os.environ, NODE_PATH=NODE_PATH)
        r = subprocess.run(['node', os.path.join(HERE, 'run_ort.js'), os.path.join(d, 'm.onnx'),
                            os.path.join(d, 'in.json')], capture_output=True, text=True,
                           env=env)
        if r.returncode:
            raise SystemExit(r.stderr)
        res = json.loads(r.stdout)
        return {n: np.array(o['data'], dtype=np.float32).reshape(o['dims'])
                for n, o in res.items()}


def golden(op, opset, attrs, dims, opts, vals):
    """ORT's outputs for the float model. ORT refuses layout 1: it runs the layout 0
    model on transposed inputs, and its outputs are transposed back; and opset 1
    (LSTM and RNN 1 differ from 7 only by output_sequence, unset here): it runs 7."""
    opset = max(opset, 7)
    if not attrs.get('layout'):
        fmodel, inputs, _, _ = build(op, opset, attrs, dims, opts, TYPES['float'], vals)
        return ort(fmodel, inputs, vals)
    a0 = dict(attrs, layout=0)
    v0 = dict(vals)
    v0['X'] = vals['X'].transpose(1, 0, 2)
    for n in ('initial_h', 'initial_c'):
        v0[n] = vals[n].transpose(1, 0, 2)
    fmodel, inputs, _, _ = build(op, opset, a0, dims, opts, TYPES['float'], v0)
    res = ort(fmodel, inputs, v0)
    return {n: r.transpose(2, 0, 1, 3) if n == 'Y' else r.transpose(1, 0, 2)
            for n, r in res.items()}


def main():
    for name, op, opset, attrs, dims, opts in CASES:
        tname = 'double' if 'double' in opts else 'float16' if 'float16' in opts else 'float'
        elem = TYPES[tname]
        shapes = build(op, opset, attrs, dims, opts.replace('const', ''), elem, None)[3]
        vals = values(name, dims, opts, elem[0], shapes)
        model, inputs, outs, _ = build(op, opset, attrs, dims, opts, elem, vals)
        res = golden(op, opset, attrs, dims, opts, vals)
        folder = os.path.join(HERE, 'test_' + name)
        shutil.rmtree(folder, ignore_errors=True)
        os.makedirs(os.path.join(folder, 'test_data_set_0'))
        fixture.save(model, folder)
        for i, n in enumerate(inputs):
            a = vals[n] if n == 'sequence_lens' else vals[n].astype(elem[0])
            with open(os.path.join(folder, 'test_data_set_0', 'input_%d.pb' % i), 'wb') as f:
                f.write(tensor_pb(n, a).SerializeToString())
        for i, n in enumerate(outs):
            with open(os.path.join(folder, 'test_data_set_0', 'output_%d.pb' % i), 'wb') as f:
                f.write(tensor_pb(n, res[n].astype(elem[0])).SerializeToString())
        print(name, inputs, outs)


if __name__ == '__main__':
    main()
