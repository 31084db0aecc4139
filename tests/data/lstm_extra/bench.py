#!/usr/bin/python3
# bench.py - the LSTM micro benchmark: one LSTM node of Silero VAD v5's sizes (input 128,
# hidden 128, seq_length 1, batch 1, constant W, R, B; initial_h and initial_c inputs;
# Y, Y_h, Y_c), timed by tools/grt-bench and by ONNX Runtime 1.30 (onnxruntime-node,
# 1 thread, run_ort.js) side by side; prints microseconds per run (medians).
# Run from the build tree's root: /usr/bin/python3 tests/data/lstm_extra/bench.py [RUNS]
import json, os, subprocess, sys, tempfile
import numpy as np
from onnx import helper, numpy_helper, save, TensorProto

HERE = os.path.dirname(os.path.abspath(__file__))
H = I = 128
RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 20000


def model(path):
    rng = np.random.default_rng(1)
    w = (rng.uniform(-1, 1, (1, 4 * H, I)) / np.sqrt(H)).astype(np.float32)
    r = (rng.uniform(-1, 1, (1, 4 * H, H)) / np.sqrt(H)).astype(np.float32)
    b = (rng.uniform(-1, 1, (1, 8 * H)) * 0.1).astype(np.float32)
    f = TensorProto.FLOAT
    node = helper.make_node('LSTM', ['X', 'W', 'R', 'B', '', 'h0', 'c0'], ['Y', 'Y_h', 'Y_c'],
                            hidden_size=H)
    ins = [helper.make_tensor_value_info('X', f, [1, 1, I]),
           helper.make_tensor_value_info('h0', f, [1, 1, H]),
           helper.make_tensor_value_info('c0', f, [1, 1, H])]
    outs = [helper.make_tensor_value_info('Y', f, [1, 1, 1, H]),
            helper.make_tensor_value_info('Y_h', f, [1, 1, H]),
            helper.make_tensor_value_info('Y_c', f, [1, 1, H])]
    g = helper.make_graph([node], 'lstm_silero', ins, outs,
                          initializer=[numpy_helper.from_array(w, 'W'),
                                       numpy_helper.from_array(r, 'R'),
                                       numpy_helper.from_array(b, 'B')])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid('', 14)])
    m.ir_version = 7
    save(m, path)


with tempfile.TemporaryDirectory() as d:
    path = os.path.join(d, 'lstm_silero.onnx')
    model(path)
    grt = json.loads(subprocess.run(['tools/grt-bench', '--json', '--frames', str(RUNS), path],
                                    capture_output=True, text=True, check=True).stdout)
    feeds = {n: {'type': 'float32', 'dims': s, 'data': [0.1] * 128}
             for n, s in (('X', [1, 1, I]), ('h0', [1, 1, H]), ('c0', [1, 1, H]))}
    with open(os.path.join(d, 'in.json'), 'w') as f:
        json.dump(feeds, f)
    env = dict(os.environ, NODE_PATH='/work/ortnode/node_modules')
    ort = json.loads(subprocess.run(['node', os.path.join(HERE, 'run_ort.js'), path,
                                     os.path.join(d, 'in.json'), str(RUNS)],
                                    capture_output=True, text=True, check=True,
                                    env=env).stdout)
    print('LSTM input 128 hidden 128, seq 1, batch 1: us per run (median of %d)' % RUNS)
    print('  gtcrn-run     %7.2f  (min %.2f, allocations %d)' % (grt['median_us'],
                                                                 grt['min_us'], grt['allocs']))
    print('  ONNX Runtime  %7.2f  (min %.2f)' % (ort['median_us'], ort['min_us']))
    print('  ratio         %7.2fx' % (ort['median_us'] / grt['median_us']))
