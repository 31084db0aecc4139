// ort_run.js - runs one ONNX model with ONNX Runtime (onnxruntime-node, 1 thread) for
// make.py: reads {model, inputs: {name: {type, dims, b64}}} as JSON on stdin and writes
// the outputs in the same form on stdout. Run from a folder where onnxruntime-node
// resolves (NODE_PATH=/work/ortnode/node_modules).
const ort = require('onnxruntime-node');
const arrays = {
  float32: Float32Array, float64: Float64Array, int8: Int8Array, uint8: Uint8Array,
  int16: Int16Array, uint16: Uint16Array, int32: Int32Array, uint32: Uint32Array,
  int64: BigInt64Array, uint64: BigUint64Array, bool: Uint8Array, float16: Uint16Array,
};
let text = '';
process.stdin.on('data', (d) => { text += d; });
process.stdin.on('end', async () => {
  const req = JSON.parse(text);
  const s = await ort.InferenceSession.create(req.model,
    { intraOpNumThreads: 1, interOpNumThreads: 1 });
  const feeds = {};
  for (const [name, t] of Object.entries(req.inputs)) {
    const buf = Buffer.from(t.b64, 'base64');
    const A = arrays[t.type];
    const a = new A(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length));
    feeds[name] = new ort.Tensor(t.type, a, t.dims);
  }
  const r = await s.run(feeds);
  const out = {};
  for (const [name, t] of Object.entries(r)) {
    const d = t.data;
    out[name] = { type: t.type, dims: t.dims,
      b64: Buffer.from(d.buffer, d.byteOffset, d.byteLength).toString('base64') };
  }
  process.stdout.write(JSON.stringify(out));
});
