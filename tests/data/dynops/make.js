// make.js - runs the cases make.py describes (JSON on stdin) through ONNX
// Runtime (onnxruntime-node, 1 thread) and prints their outputs as JSON. A case's
// model is <dir>/<name>/model.onnx, dir this folder unless the case names another
// (tests/data/quantization/make.py).
const path = require('path');
const ort = require(path.join(process.cwd(), 'node_modules', 'onnxruntime-node'));
const ARR = { float32: Float32Array, float64: Float64Array, int32: Int32Array, float16: Uint16Array,
              int64: BigInt64Array, bool: Uint8Array, uint8: Uint8Array, int8: Int8Array };

(async () => {
  const cases = JSON.parse(require('fs').readFileSync(0, 'utf8'));
  const res = [];
  for (const c of cases) {
    const model = path.join(c.dir || __dirname, c.name, 'model.onnx');
    const s = await ort.InferenceSession.create(model,
      { intraOpNumThreads: 1, interOpNumThreads: 1 });
    const feeds = {};
    for (const [n, t, dims, v] of c.inputs)
      feeds[n] = new ort.Tensor(t, ARR[t].from(t === 'int64' ? v.map(BigInt) : v), dims);
    const r = await s.run(feeds);
    res.push({ name: c.name, outputs: c.outputs.map(n =>
      [n, r[n].type, r[n].dims, Array.from(r[n].data).map(String)]) });
  }
  process.stdout.write(JSON.stringify(res));
})();
